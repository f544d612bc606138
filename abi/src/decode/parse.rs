//! JSON text (or an already parsed JSON value) → [`Request`], every error naming its JSON path (or line and
//! column).

use super::errors::{RequestError, RequestErrorCode, err};
use crate::request::Request;

/// Parses request JSON. Syntax errors give line and column; shape errors (wrong type, missing or unknown key)
/// give the JSON path of the offending value.
pub fn parse_request(json: &str) -> Result<Request, RequestError> {
    // Happy path without path tracking (it costs about as much as the parse itself); on any failure the text is
    // parsed again with tracking, so an error names exactly the place it always has.
    if let Ok(request) = serde_json::from_str::<Request>(json) {
        return Ok(request);
    }
    parse_request_located(json)
}

/// A request already parsed as JSON (a test case's `request`, an HTTP body): the same shape checks and
/// error paths as [`parse_request`], without turning the value back into text.
pub fn request_from_value(value: serde_json::Value) -> Result<Request, RequestError> {
    serde_path_to_error::deserialize(value).map_err(shape_error)
}

/// The located parse: every error names its JSON path (or line and column).
fn parse_request_located(json: &str) -> Result<Request, RequestError> {
    let mut de = serde_json::Deserializer::from_str(json);
    let result: Result<Request, _> = serde_path_to_error::deserialize(&mut de);
    let request = match result {
        Ok(r) => r,
        Err(e) => return Err(shape_error(e)),
    };
    // Trailing garbage after the object is a syntax error too.
    if let Err(e) = de.end() {
        return Err(syntax_error(&e));
    }
    Ok(request)
}

fn syntax_error(e: &serde_json::Error) -> RequestError {
    let (line, column) = (e.line(), e.column());
    let detail = strip_position(&e.to_string());
    let zh = if e.is_eof() {
        format!("JSON 不完整（第 {line} 行第 {column} 列意外结束）")
    } else {
        format!("JSON 语法错误（第 {line} 行第 {column} 列）：{}", json_syntax_zh(&detail))
    };
    err("$", RequestErrorCode::Json, zh, format!("invalid JSON at line {line}, column {column}: {detail}"))
}

fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(at) => msg[..at].to_string(),
        None => msg.to_string(),
    }
}

fn json_syntax_zh(detail: &str) -> String {
    let known: [(&str, &str); 8] = [
        ("expected value", "此处应为一个值"),
        ("expected `,` or `}`", "此处应为 , 或 }"),
        ("expected `,` or `]`", "此处应为 , 或 ]"),
        ("expected `:`", "此处应为 :"),
        ("key must be a string", "键必须是字符串"),
        ("trailing comma", "多余的逗号"),
        ("trailing characters", "JSON 之后还有多余字符"),
        ("control character", "字符串中有未转义的控制字符"),
    ];
    known.iter().find(|(en, _)| detail.contains(en)).map_or_else(|| detail.to_string(), |(_, zh)| (*zh).to_string())
}

fn shape_error(e: serde_path_to_error::Error<serde_json::Error>) -> RequestError {
    let path = match e.path().to_string() {
        p if p == "." || p.is_empty() => String::new(),
        p => p,
    };
    let inner = e.inner();
    if inner.is_syntax() || inner.is_eof() || inner.is_io() {
        return syntax_error(inner);
    }
    let detail = strip_position(&inner.to_string());
    let join = |field: &str| if path.is_empty() { field.to_string() } else { format!("{path}.{field}") };
    let shown = |p: &str| if p.is_empty() { "$".to_string() } else { p.to_string() };
    if let Some(field) = backticked_after(&detail, "missing field ") {
        let p = join(&field);
        return err(
            p,
            RequestErrorCode::Shape,
            format!("缺少必填字段 {field}"),
            format!("missing required field `{field}`"),
        );
    }
    if let Some(field) = backticked_after(&detail, "unknown field ") {
        let expected = detail.split_once(", expected ").map(|(_, rest)| rest.to_string()).unwrap_or_default();
        // serde_path_to_error's path already ends at the unknown key.
        return err(
            shown(&path),
            RequestErrorCode::Shape,
            format!("未知字段 {field}（可用字段：{}）", expected.replace("one of ", "")),
            format!("unknown field `{field}`, expected {expected}"),
        );
    }
    if let Some(rest) = detail.strip_prefix("invalid type: ") {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, "?"));
        return err(
            shown(&path),
            RequestErrorCode::Shape,
            format!("类型错误：应为 {}，实际为 {}", type_zh(expected), type_zh(found)),
            format!("wrong type: expected {expected}, found {found}"),
        );
    }
    err(shown(&path), RequestErrorCode::Shape, format!("取值无效：{detail}"), format!("invalid value: {detail}"))
}

fn backticked_after(text: &str, prefix: &str) -> Option<String> {
    let rest = text.strip_prefix(prefix)?.strip_prefix('`')?;
    rest.split_once('`').map(|(name, _)| name.to_string())
}

/// Chinese names of the JSON types serde mentions.
fn type_zh(text: &str) -> String {
    let t = text.trim();
    let base = if t.starts_with("a string") || t.starts_with("string") {
        "字符串"
    } else if t.starts_with("a boolean") || t.starts_with("boolean") {
        "布尔值"
    } else if t.starts_with("integer")
        || t.starts_with("floating point")
        || t.starts_with("f64")
        || t.starts_with("a number")
    {
        "数字"
    } else if t.starts_with("a sequence") || t.starts_with("sequence") {
        "数组"
    } else if t.starts_with("map") || t.starts_with("struct") || t.starts_with("a map") {
        "对象"
    } else if t == "null" || t.starts_with("unit") {
        "null"
    } else {
        return t.to_string();
    };
    format!("{base}（{t}）")
}
