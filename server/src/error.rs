//! The one error shape every endpoint answers with: an HTTP status and
//! `{"error": {"code", "message_zh", "message_en", "path"?}}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// A coded error; `path` is the place of the offending value (`request.subject.records[0].date`) when the request body is at fault.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable code (`E_AUTH_INVALID`, `E_REQUEST_VOCAB`, …); branch on it.
    pub code: String,
    pub message_zh: String,
    pub message_en: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// The error answer: `{"error": {...}}`.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ErrorResponse {
    pub error: ErrorBody,
}

#[derive(Clone, Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, path: Option<&str>, zh: &str, en: &str) -> Self {
        ApiError {
            status,
            body: ErrorBody {
                code: code.into(),
                message_zh: zh.into(),
                message_en: en.into(),
                path: path.map(str::to_string),
            },
        }
    }

    pub fn bad_request(code: &str, path: Option<&str>, zh: &str, en: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, path, zh, en)
    }

    pub fn malformed(detail: &str) -> Self {
        Self::bad_request(
            "E_BODY_MALFORMED",
            None,
            &format!("请求体不是有效的 JSON：{detail}"),
            &format!("the body is not valid JSON: {detail}"),
        )
    }

    /// A body that is JSON but not of the expected shape, with the JSON path.
    pub fn shape(path: &str, detail: &str) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "E_BODY_SHAPE",
            Some(path),
            &format!("请求体结构不符：{detail}"),
            &format!("the body does not have the expected shape: {detail}"),
        )
    }

    pub fn request(code: &str, path: &str, zh: &str, en: &str) -> Self {
        let path = if path.is_empty() { None } else { Some(path) };
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, path, zh, en)
    }

    pub fn evaluation(code: &str, zh: &str, en: &str) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, code, None, zh, en)
    }

    pub fn no_policy(message: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "E_NO_POLICY", None, message, message)
    }

    pub fn policy_not_found(id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "E_POLICY_NOT_FOUND",
            None,
            &format!("没有 id 为「{id}」的政策"),
            &format!("no policy with id \"{id}\""),
        )
    }

    pub fn too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "E_BODY_TOO_LARGE",
            None,
            &format!("请求体超过上限 {limit} 字节"),
            &format!("the body exceeds the limit of {limit} bytes"),
        )
    }

    pub fn unauthenticated(code: &str) -> Self {
        let (zh, en) = if code == "E_AUTH_MISSING" {
            ("缺少访问令牌（Authorization: Bearer …）", "missing access token (Authorization: Bearer …)")
        } else {
            ("访问令牌无效", "invalid access token")
        };
        Self::new(StatusCode::UNAUTHORIZED, code, None, zh, en)
    }

    pub fn forbidden_scope(caller: &str, scope: &str) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "E_FORBIDDEN_SCOPE",
            None,
            &format!("调用方「{caller}」没有「{scope}」权限"),
            &format!("caller \"{caller}\" lacks the \"{scope}\" scope"),
        )
    }

    pub fn forbidden_jurisdiction(caller: &str, jurisdiction: &str) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "E_FORBIDDEN_JURISDICTION",
            None,
            &format!("调用方「{caller}」无权查询辖区「{jurisdiction}」"),
            &format!("caller \"{caller}\" may not query jurisdiction \"{jurisdiction}\""),
        )
    }

    pub fn rate_limited() -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "E_RATE_LIMITED",
            None,
            "超过调用频率上限，请稍后再试",
            "rate limit exceeded; retry later",
        )
    }

    pub fn log_unavailable(detail: &str) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "E_LOG_UNAVAILABLE",
            None,
            &format!("决定日志无法写入，未给出决定：{detail}"),
            &format!("the decision log cannot be written, so no decision is given: {detail}"),
        )
    }

    pub fn timeout() -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "E_REQUEST_TIMEOUT", None, "请求处理超时", "the request timed out")
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "E_NOT_FOUND", None, "没有这个接口", "no such endpoint")
    }

    pub fn method_not_allowed() -> Self {
        Self::new(StatusCode::METHOD_NOT_ALLOWED, "E_METHOD", None, "不支持此方法", "method not allowed")
    }

    pub fn code(&self) -> &str {
        &self.body.code
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::json!({ "error": self.body })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(ErrorResponse { error: self.body })).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(axum::http::header::WWW_AUTHENTICATE, axum::http::HeaderValue::from_static("Bearer"));
        }
        response
    }
}
