//! The HTTP service: shared state, routes and handlers. Evaluation is microseconds of CPU, so single requests
//! are evaluated on the request's task; batches of more than a few requests go to tokio's blocking pool.

use crate::auth::{Caller, Callers};
use crate::config::Config;
use crate::engine::{self, Bundle, BundleError};
use crate::error::{ApiError, ErrorResponse};
use crate::log::DecisionLog;
use crate::mask::Masker;
use crate::metrics::Metrics;
use axum::body::{Body, Bytes};
use axum::extract::{MatchedPath, Path as UrlPath, Request as HttpRequest, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};
use utoipa::ToSchema;

/// Batches larger than this are evaluated on the blocking pool rather than the request's task.
const INLINE_BATCH: usize = 16;

/// Reload bookkeeping, shown by `/v1/status`.
#[derive(Clone, Debug, Default, Serialize, ToSchema)]
pub struct ReloadStatus {
    /// UTC time the serving bundle was loaded.
    pub loaded_at: String,
    /// UTC time of the last reload attempt (start-up included).
    pub last_attempt: String,
    /// Whether the last attempt replaced the bundle (or found it unchanged).
    pub last_ok: bool,
    /// Why the last attempt was refused; the previous bundle kept serving.
    #[schema(value_type = Option<Object>)]
    pub last_error: Option<BundleError>,
    pub reloads_ok: u64,
    pub reloads_refused: u64,
}

impl ToSchema for BundleError {}
impl utoipa::PartialSchema for BundleError {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new().into()
    }
}

/// Everything the handlers share.
pub struct AppState {
    pub config: Config,
    runtime: xince_runtime::Runtime,
    bundle_dir: PathBuf,
    bundle: RwLock<Arc<Bundle>>,
    reload: Mutex<ReloadStatus>,
    reloading: tokio::sync::Mutex<()>,
    callers: Callers,
    pub log: Option<DecisionLog>,
    masker: Masker,
    pub metrics: Metrics,
    sources: Vec<(String, String)>,
    shutting_down: AtomicBool,
    started: Instant,
}

pub type Shared = Arc<AppState>;

/// Reads the trust store named by the configuration.
fn trust(config: &Config) -> Result<Option<Vec<xince_abi::signature::TrustedKey>>, String> {
    match (&config.server.trust, config.server.require_signatures) {
        (Some(path), true) => {
            let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            let store: engine::TrustStore =
                serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            Ok(Some(store.keys))
        }
        (None, true) => Err("--require-signatures 需要信任文件（--trust）/ needs a trust store (--trust)".into()),
        (_, false) => Ok(None),
    }
}

impl AppState {
    /// Loads the bundle (refusing to start on a bad one), the callers and the sources, and opens the log.
    pub fn new(config: Config) -> Result<(Shared, Option<crate::log::Opened>), String> {
        let bundle_dir = config
            .server
            .bundle
            .clone()
            .ok_or("须给出政策包目录（--bundle）/ a bundle directory is required (--bundle)")?;
        let runtime = engine::runtime(trust(&config)?)?;
        let bundle = Bundle::load(&runtime, &bundle_dir).map_err(|e| e.to_string())?;
        let callers = Callers::new(&config.callers, config.server.dev_anonymous)?;
        let sources = match &config.server.sources {
            Some(dir) => engine::read_sources(dir)?,
            None => Vec::new(),
        };
        let masker = Masker::new(config.log.personal_ids, config.log.hash_key.as_deref());
        let (log, opened) = if config.log.enabled {
            let dir = config
                .log
                .dir
                .clone()
                .ok_or("须给出决定日志目录（--log-dir），或用 --no-log 关闭 / a log directory is required (--log-dir), or --no-log")?;
            let (log, opened) = DecisionLog::open(crate::log::Options {
                dir,
                durability: config.log.durability,
                rotate_bytes: config.log.rotate_bytes,
                rotate_daily: config.log.rotate_daily,
            })?;
            (Some(log), Some(opened))
        } else {
            (None, None)
        };
        let (now, _) = crate::log::now();
        let metrics = Metrics::default();
        metrics.last_reload_ok.store(1, Ordering::Relaxed);
        let state = AppState {
            config,
            runtime,
            bundle_dir,
            bundle: RwLock::new(Arc::new(bundle)),
            reload: Mutex::new(ReloadStatus {
                loaded_at: now.clone(),
                last_attempt: now,
                last_ok: true,
                ..ReloadStatus::default()
            }),
            reloading: tokio::sync::Mutex::new(()),
            callers,
            log,
            masker,
            metrics,
            sources,
            shutting_down: AtomicBool::new(false),
            started: Instant::now(),
        };
        Ok((Arc::new(state), opened))
    }

    /// The bundle requests see now.
    pub fn bundle(&self) -> Arc<Bundle> {
        match self.bundle.read() {
            Ok(b) => b.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub fn bundle_dir(&self) -> &std::path::Path {
        &self.bundle_dir
    }

    pub fn reload_status(&self) -> ReloadStatus {
        self.reload.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// Marks the service as draining: readiness fails so load balancers stop sending.
    pub fn begin_shutdown(&self) {
        self.shutting_down.store(true, Ordering::SeqCst);
    }

    /// Loads the bundle directory again and swaps it in if every module loads; otherwise keeps the one being
    /// served and records why. Requests in flight keep the bundle they started with.
    pub async fn reload(self: &Arc<Self>) -> Result<String, BundleError> {
        let _one_at_a_time = self.reloading.lock().await;
        let me = self.clone();
        let loaded =
            tokio::task::spawn_blocking(move || Bundle::load(&me.runtime, &me.bundle_dir)).await.unwrap_or_else(|e| {
                Err(BundleError {
                    code: "E_INTERNAL".into(),
                    file: None,
                    message_zh: format!("加载任务失败：{e}"),
                    message_en: format!("the load task failed: {e}"),
                })
            });
        let (now, _) = crate::log::now();
        let mut status = self.reload.lock().unwrap_or_else(|p| p.into_inner());
        status.last_attempt = now.clone();
        match loaded {
            Ok(bundle) => {
                let revision = bundle.revision.clone();
                let changed = self.bundle().revision != revision;
                if changed {
                    let mut slot = self.bundle.write().unwrap_or_else(|p| p.into_inner());
                    *slot = Arc::new(bundle);
                    status.loaded_at = now;
                }
                status.last_ok = true;
                status.last_error = None;
                status.reloads_ok += 1;
                self.metrics.reloads_ok.fetch_add(1, Ordering::Relaxed);
                self.metrics.last_reload_ok.store(1, Ordering::Relaxed);
                Ok(revision)
            }
            Err(e) => {
                status.last_ok = false;
                status.last_error = Some(e.clone());
                status.reloads_refused += 1;
                self.metrics.reloads_refused.fetch_add(1, Ordering::Relaxed);
                self.metrics.last_reload_ok.store(0, Ordering::Relaxed);
                Err(e)
            }
        }
    }

    fn caller(&self, headers: &HeaderMap) -> Result<&Caller, ApiError> {
        let value = match headers.get(header::AUTHORIZATION) {
            Some(v) => Some(v.to_str().map_err(|_| ApiError::unauthenticated("E_AUTH_INVALID"))?),
            None => None,
        };
        self.callers.authenticate(value)
    }
}

/// A fingerprint of the bundle directory's files (path, size, modification time), to notice changes.
pub fn bundle_fingerprint(dir: &std::path::Path) -> Vec<(PathBuf, u64, Option<std::time::SystemTime>)> {
    let files = engine::module_files(dir).unwrap_or_default();
    files
        .into_iter()
        .map(|p| {
            let meta = std::fs::metadata(&p).ok();
            let len = meta.as_ref().map_or(0, |m| m.len());
            let modified = meta.and_then(|m| m.modified().ok());
            (p, len, modified)
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------------------
// Request and answer types (the OpenAPI document is generated from these).

/// One evaluation: which policy, and the request (`docs/schema/request.schema.json`).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvaluateRequest {
    /// Jurisdiction path, e.g. `重庆市/梁平区`: the module in force there on `request.as_of` is used.
    pub jurisdiction: Option<String>,
    /// A policy id instead of a jurisdiction (the version in force on `request.as_of`).
    pub policy: Option<String>,
    /// The subject, its records, the date (a `Request`).
    #[schema(value_type = Object)]
    pub request: Box<RawValue>,
}

/// A policy of the loaded bundle.
#[derive(Serialize, ToSchema)]
pub struct PolicySummary {
    pub id: String,
    pub name: String,
    pub version: String,
    pub jurisdiction: String,
    pub issuer: String,
    pub document: String,
    pub effective_from: String,
    pub effective_until: Option<String>,
    /// `sha256:<hex>` of the module bytes.
    pub module_sha256: String,
    /// Path in the bundle directory.
    pub file: String,
    /// The key id that signed it (when signatures are required).
    pub signed_by: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PolicyList {
    /// The bundle's revision (`sha256:` over its files and module hashes).
    pub revision: String,
    pub policies: Vec<PolicySummary>,
}

/// A policy source to check or build.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceRequest {
    /// The text of one `.xince` file; upper-level policies it names are taken from the server's sources.
    pub source: String,
}

#[derive(Serialize, ToSchema)]
pub struct Diagnostic {
    pub code: String,
    /// `error`, `warning` or `note`.
    pub severity: String,
    pub message_zh: String,
    pub message_en: String,
    pub line: Option<u32>,
    pub column: Option<u32>,
    /// Byte range of the primary label.
    pub start: Option<u32>,
    pub end: Option<u32>,
    pub file: Option<String>,
    pub help_zh: Option<String>,
    pub help_en: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CheckResponse {
    /// Whether the source declares a policy (`政策`) and so can be built.
    pub is_policy: bool,
    pub errors: usize,
    pub warnings: usize,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Serialize, ToSchema)]
pub struct BuildResponse {
    pub is_policy: bool,
    pub errors: usize,
    pub warnings: usize,
    pub diagnostics: Vec<Diagnostic>,
    /// The module, base64 (absent when there are errors).
    pub module_base64: Option<String>,
    pub module_sha256: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub manifest: Option<serde_json::Value>,
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok`.
    pub status: String,
}

#[derive(Serialize, ToSchema)]
pub struct Ready {
    pub ready: bool,
    pub revision: String,
    pub policies: usize,
}

#[derive(Serialize, ToSchema)]
pub struct LogStatus {
    pub enabled: bool,
    pub dir: Option<String>,
    pub entries_committed: u64,
    pub commits: u64,
}

#[derive(Serialize, ToSchema)]
pub struct Status {
    pub revision: String,
    pub policies: usize,
    pub bundle_dir: String,
    pub reload: ReloadStatus,
    pub log: LogStatus,
    pub callers: usize,
    pub uptime_seconds: u64,
    pub version: String,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VersionQuery {
    /// A version of the policy (default: the newest).
    pub version: Option<String>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LogQuery {
    pub subject: Option<String>,
    pub caller: Option<String>,
    pub policy: Option<String>,
    /// `YYYY-MM-DD`, inclusive (UTC day of the entry).
    pub from: Option<String>,
    pub until: Option<String>,
    /// Most entries to return (default 1000).
    pub limit: Option<usize>,
}

// ---------------------------------------------------------------------------------------------------------
// Evaluation.

/// One answered item, ready to be logged and sent.
struct Answered {
    policy_id: String,
    decision: String,
    log_body: Option<(String, i32)>,
}

fn json_response(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// Parses an envelope, picks the module, checks the caller may query it, evaluates, and prepares the log entry.
fn evaluate_envelope(state: &AppState, bundle: &Bundle, caller: &Caller, text: &str) -> Result<Answered, ApiError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let envelope: EvaluateRequest = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            ApiError::malformed(&inner.to_string())
        } else {
            ApiError::shape(&path, &inner.to_string())
        }
    })?;
    let request = engine::parse_request_text(envelope.request.get())?;
    if let Some(j) = &envelope.jurisdiction {
        caller.require_jurisdiction(j)?;
    }
    let policy = bundle.pick(envelope.jurisdiction.as_deref(), envelope.policy.as_deref(), &request.as_of)?;
    let (id, version, jurisdiction, module) = engine::policy_ref(policy);
    caller.require_jurisdiction(&jurisdiction).or_else(|e| match &envelope.jurisdiction {
        // Asked for a covered jurisdiction and got its upper level's module: allowed.
        Some(_) => Ok(()),
        None => Err(e),
    })?;
    let decision = match engine::evaluate(policy, &request) {
        Ok(d) => d,
        Err(e) => {
            state.metrics.decision(&id, e.code());
            return Err(e);
        }
    };
    state.metrics.decision(&id, "ok");
    let decision_json = serde_json::to_string(&decision)
        .map_err(|e| ApiError::evaluation("E_INTERNAL", &e.to_string(), &e.to_string()))?;
    let log_body = if state.log.is_some() {
        let replacements = state.masker.replacements(&request);
        let req_plain = serde_json::to_string(&request).unwrap_or_default();
        let fast = (!replacements.is_empty())
            .then(|| {
                let r = crate::mask::apply_text(&req_plain, &replacements)?;
                let d = crate::mask::apply_text(&decision_json, &replacements)?;
                Some((r, d))
            })
            .flatten();
        let (req_text, dec_text) = if replacements.is_empty() {
            (req_plain, decision_json.clone())
        } else if let Some(texts) = fast {
            texts
        } else {
            let mut r = serde_json::to_value(&request).unwrap_or_default();
            let mut d = serde_json::to_value(&decision).unwrap_or_default();
            crate::mask::apply(&mut r, &replacements);
            crate::mask::apply(&mut d, &replacements);
            (r.to_string(), d.to_string())
        };
        let (time, day) = crate::log::now();
        Some((crate::log::entry_body(&time, &caller.name, (&id, &version, &module), &req_text, &dec_text), day))
    } else {
        None
    };
    Ok(Answered { policy_id: id, decision: decision_json, log_body })
}

/// Commits the log entries of answered items; an item whose entry could not be committed becomes an error.
async fn commit(state: &AppState, items: Vec<Result<Answered, ApiError>>) -> Vec<Result<String, ApiError>> {
    let Some(log) = &state.log else {
        return items.into_iter().map(|r| r.map(|a| a.decision)).collect();
    };
    let pending: Vec<_> = items
        .into_iter()
        .map(|r| {
            r.map(|mut a| {
                let rx = a.log_body.take().map(|(body, day)| log.append(body, day));
                (a, rx)
            })
        })
        .collect();
    let mut out = Vec::with_capacity(pending.len());
    for p in pending {
        out.push(match p {
            Err(e) => Err(e),
            Ok((a, None)) => Ok(a.decision),
            Ok((a, Some(rx))) => match rx.await {
                Ok(Ok(_seq)) => Ok(a.decision),
                Ok(Err(e)) => {
                    state.metrics.decision(&a.policy_id, "E_LOG_UNAVAILABLE");
                    Err(ApiError::log_unavailable(&e))
                }
                Err(_) => Err(ApiError::log_unavailable("writer stopped")),
            },
        });
    }
    out
}

/// Reads a whole body up to `limit` bytes (413 beyond).
async fn read_body(headers: &HeaderMap, body: Body, limit: usize) -> Result<Bytes, ApiError> {
    if let Some(len) =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok())
        && len > limit as u64
    {
        return Err(ApiError::too_large(limit));
    }
    axum::body::to_bytes(body, limit).await.map_err(|_| ApiError::too_large(limit))
}

/// Parses the query string (a coded 400 naming the problem, instead of a plain-text rejection).
fn query<T: serde::de::DeserializeOwned>(uri: &axum::http::Uri) -> Result<T, ApiError> {
    serde_urlencoded::from_str(uri.query().unwrap_or("")).map_err(|e| {
        ApiError::bad_request("E_QUERY", None, &format!("查询参数无效：{e}"), &format!("invalid query parameters: {e}"))
    })
}

fn utf8(bytes: &[u8]) -> Result<&str, ApiError> {
    std::str::from_utf8(bytes).map_err(|e| ApiError::malformed(&format!("not UTF-8: {e}")))
}

#[utoipa::path(post, path = "/v1/evaluate", tag = "evaluate",
    request_body(content = EvaluateRequest, description = "一个请求 / one request"),
    responses(
        (status = 200, description = "决定 / the decision", content_type = "application/json", body = Object),
        (status = 400, description = "请求体不是 JSON 或缺少选择 / not JSON, or no policy selection", body = ErrorResponse),
        (status = 401, description = "未认证 / not authenticated", body = ErrorResponse),
        (status = 403, description = "无权限 / forbidden", body = ErrorResponse),
        (status = 404, description = "无适用政策 / no policy in force", body = ErrorResponse),
        (status = 413, description = "请求体过大 / body too large", body = ErrorResponse),
        (status = 422, description = "请求无效 / invalid request", body = ErrorResponse),
        (status = 429, description = "超过频率 / rate limited", body = ErrorResponse),
        (status = 500, description = "模块出错 / module error", body = ErrorResponse),
        (status = 503, description = "日志不可写或超时 / log unavailable or timeout", body = ErrorResponse),
    ),
    security(("bearer" = [])))]
pub async fn evaluate(State(state): State<Shared>, headers: HeaderMap, body: Body) -> Result<Response, ApiError> {
    let caller = state.caller(&headers)?;
    caller.require("evaluate")?;
    let bytes = read_body(&headers, body, state.config.server.max_body_bytes).await?;
    caller.charge(1)?;
    let bundle = state.bundle();
    let answered = evaluate_envelope(&state, &bundle, caller, utf8(&bytes)?);
    let mut results = commit(&state, vec![answered]).await;
    match results.pop() {
        Some(Ok(decision)) => Ok(json_response(StatusCode::OK, decision)),
        Some(Err(e)) => Err(e),
        None => Err(ApiError::evaluation("E_INTERNAL", "无结果", "no result")),
    }
}

fn item_error(e: &ApiError) -> String {
    e.json().to_string()
}

#[utoipa::path(post, path = "/v1/evaluate/batch", tag = "evaluate",
    request_body(content = Vec<EvaluateRequest>, description = "请求数组 / an array of requests"),
    responses(
        (status = 200, description = "与输入同序的数组：每项为决定或 {\"error\":…} / an array in input order: a decision or {\"error\":…} each", body = Vec<Object>),
        (status = 400, description = "不是 JSON / not JSON", body = ErrorResponse),
        (status = 422, description = "不是 JSON 数组 / not a JSON array", body = ErrorResponse),
        (status = 401, description = "未认证 / not authenticated", body = ErrorResponse),
        (status = 403, description = "无权限 / forbidden", body = ErrorResponse),
        (status = 413, description = "请求体或批量过大 / body or batch too large", body = ErrorResponse),
        (status = 429, description = "超过频率 / rate limited", body = ErrorResponse),
        (status = 503, description = "超时 / timeout", body = ErrorResponse),
    ),
    security(("bearer" = [])))]
pub async fn evaluate_batch(State(state): State<Shared>, headers: HeaderMap, body: Body) -> Result<Response, ApiError> {
    let caller = state.caller(&headers)?;
    caller.require("evaluate")?;
    let bytes = read_body(&headers, body, state.config.server.max_batch_body_bytes).await?;
    let items: Vec<Box<RawValue>> = serde_json::from_slice(&bytes).map_err(|e| {
        if e.is_syntax() || e.is_eof() {
            ApiError::malformed(&e.to_string())
        } else {
            ApiError::shape(".", &e.to_string())
        }
    })?;
    let max = state.config.server.max_batch;
    if items.len() > max {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "E_BATCH_TOO_LARGE",
            None,
            &format!("批量 {} 个请求，超过上限 {max}", items.len()),
            &format!("a batch of {} requests exceeds the limit of {max}", items.len()),
        ));
    }
    caller.charge(items.len())?;
    let bundle = state.bundle();
    let answered: Vec<Result<Answered, ApiError>> = if items.len() <= INLINE_BATCH {
        items.iter().map(|t| evaluate_envelope(&state, &bundle, caller, t.get())).collect()
    } else {
        let (st, headers) = (state.clone(), headers.clone());
        tokio::task::spawn_blocking(move || {
            let caller = st.caller(&headers)?;
            Ok::<_, ApiError>(items.iter().map(|t| evaluate_envelope(&st, &bundle, caller, t.get())).collect())
        })
        .await
        .map_err(|e| ApiError::evaluation("E_INTERNAL", &e.to_string(), &e.to_string()))??
    };
    let results = commit(&state, answered).await;
    let mut out = String::with_capacity(results.iter().map(|r| r.as_ref().map_or(128, String::len)).sum::<usize>() + 2);
    out.push('[');
    for (i, r) in results.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        match r {
            Ok(d) => out.push_str(d),
            Err(e) => out.push_str(&item_error(e)),
        }
    }
    out.push(']');
    Ok(json_response(StatusCode::OK, out))
}

#[utoipa::path(post, path = "/v1/evaluate/stream", tag = "evaluate",
    request_body(content = String, content_type = "application/x-ndjson", description = "每行一个请求 / one request per line"),
    responses(
        (status = 200, description = "每行一个决定或 {\"error\":…,\"line\":n}，与输入同序 / one decision or error per line, in input order", content_type = "application/x-ndjson", body = String),
        (status = 401, description = "未认证 / not authenticated", body = ErrorResponse),
        (status = 403, description = "无权限 / forbidden", body = ErrorResponse),
        (status = 503, description = "超时 / timeout", body = ErrorResponse),
    ),
    security(("bearer" = [])))]
pub async fn evaluate_stream(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    state.caller(&headers)?.require("evaluate")?;
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::convert::Infallible>>(4);
    let st = state.clone();
    tokio::spawn(async move {
        use futures_util::StreamExt;
        let Ok(caller) = st.caller(&headers) else { return };
        let limit = st.config.server.max_body_bytes;
        let mut stream = body.into_data_stream();
        let mut pending: Vec<u8> = Vec::new();
        let mut line_no = 0usize;
        let mut done = false;
        while !done {
            match stream.next().await {
                Some(Ok(chunk)) => pending.extend_from_slice(&chunk),
                Some(Err(_)) | None => done = true,
            }
            // The complete lines received so far (all of them at the end).
            let cut = if done { pending.len() } else { pending.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1) };
            if cut == 0 {
                if pending.len() > limit {
                    let e = ApiError::too_large(limit);
                    let mut v = e.json();
                    v["line"] = (line_no + 1).into();
                    let _ = tx.send(Ok(Bytes::from(format!("{v}\n")))).await;
                    return;
                }
                continue;
            }
            let block: Vec<u8> = pending.drain(..cut).collect();
            let bundle = st.bundle();
            let mut numbers = Vec::new();
            let mut answered = Vec::new();
            for raw in block.split(|&b| b == b'\n') {
                line_no += 1;
                let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
                if raw.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                numbers.push(line_no);
                let item = if raw.len() > limit {
                    Err(ApiError::too_large(limit))
                } else {
                    utf8(raw).and_then(|t| caller.charge(1).and_then(|()| evaluate_envelope(&st, &bundle, caller, t)))
                };
                answered.push(item);
            }
            // `split` yields an empty piece after a final newline; it was not a line.
            if block.last() == Some(&b'\n') {
                line_no -= 1;
            }
            let results = commit(&st, answered).await;
            let mut out = String::new();
            for (n, r) in numbers.iter().zip(results) {
                match r {
                    Ok(d) => out.push_str(&d),
                    Err(e) => {
                        let mut v = e.json();
                        v["line"] = (*n).into();
                        out.push_str(&v.to_string());
                    }
                }
                out.push('\n');
            }
            if !out.is_empty() && tx.send(Ok(Bytes::from(out))).await.is_err() {
                return;
            }
        }
    });
    let body = Body::from_stream(tokio_stream(rx));
    Ok((StatusCode::OK, [(header::CONTENT_TYPE, "application/x-ndjson")], body).into_response())
}

/// A receiver as a stream.
fn tokio_stream<T>(mut rx: tokio::sync::mpsc::Receiver<T>) -> impl futures_util::Stream<Item = T> {
    futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx))
}

// ---------------------------------------------------------------------------------------------------------
// Policies.

#[utoipa::path(get, path = "/v1/policies", tag = "policies",
    responses((status = 200, body = PolicyList), (status = 401, body = ErrorResponse), (status = 403, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn policies(State(state): State<Shared>, headers: HeaderMap) -> Result<axum::Json<PolicyList>, ApiError> {
    let caller = state.caller(&headers)?;
    caller.require("read")?;
    let bundle = state.bundle();
    let policies = bundle
        .modules
        .iter()
        .filter(|m| caller.covers(&m.policy.manifest().policy.jurisdiction))
        .map(|m| {
            let p = &m.policy.manifest().policy;
            PolicySummary {
                id: p.id.clone(),
                name: p.name.clone(),
                version: p.version.clone(),
                jurisdiction: p.jurisdiction.clone(),
                issuer: p.issuer.clone(),
                document: p.document.clone(),
                effective_from: p.effective_from.clone(),
                effective_until: p.effective_until.clone(),
                module_sha256: m.policy.module_sha256().to_string(),
                file: m.file.clone(),
                signed_by: m.signer.as_ref().map(|s| s.key_id.clone()),
            }
        })
        .collect();
    Ok(axum::Json(PolicyList { revision: bundle.revision.clone(), policies }))
}

fn find_module<'b>(
    bundle: &'b Bundle,
    caller: &Caller,
    id: &str,
    version: Option<&str>,
) -> Result<&'b engine::Module, ApiError> {
    let m = bundle.module(id, version).ok_or_else(|| ApiError::policy_not_found(id))?;
    caller.require_jurisdiction(&m.policy.manifest().policy.jurisdiction)?;
    Ok(m)
}

#[utoipa::path(get, path = "/v1/manifests/{id}", tag = "policies",
    params(("id" = String, Path, description = "政策 id（可含 /）/ policy id (may contain /)", example = "重庆市/梁平区/信用体系建设实施方案"), VersionQuery),
    responses((status = 200, description = "模块清单 / the module's manifest", body = Object),
        (status = 401, body = ErrorResponse), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn manifest(
    State(state): State<Shared>,
    headers: HeaderMap,
    UrlPath(id): UrlPath<String>,
    uri: axum::http::Uri,
) -> Result<Response, ApiError> {
    let caller = state.caller(&headers)?;
    caller.require("read")?;
    let q: VersionQuery = query(&uri)?;
    let bundle = state.bundle();
    let m = find_module(&bundle, caller, &id, q.version.as_deref())?;
    let text = serde_json::to_string(m.policy.manifest()).unwrap_or_default();
    Ok(json_response(StatusCode::OK, text))
}

#[utoipa::path(get, path = "/v1/modules/{id}", tag = "policies",
    params(("id" = String, Path, description = "政策 id（可含 /）/ policy id (may contain /)", example = "重庆市/梁平区/信用体系建设实施方案"), VersionQuery),
    responses((status = 200, description = "模块字节 / the module bytes", content_type = "application/wasm", body = Vec<u8>),
        (status = 401, body = ErrorResponse), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn module(
    State(state): State<Shared>,
    headers: HeaderMap,
    UrlPath(id): UrlPath<String>,
    uri: axum::http::Uri,
) -> Result<Response, ApiError> {
    let caller = state.caller(&headers)?;
    caller.require("read")?;
    let q: VersionQuery = query(&uri)?;
    let bundle = state.bundle();
    let m = find_module(&bundle, caller, &id, q.version.as_deref())?;
    let etag = format!("\"{}\"", m.policy.module_sha256());
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/wasm".to_string()), (header::ETAG, etag)],
        m.bytes.clone(),
    )
        .into_response())
}

// ---------------------------------------------------------------------------------------------------------
// Check and build.

async fn compile(state: &Shared, headers: &HeaderMap, body: Body, build: bool) -> Result<engine::Compiled, ApiError> {
    let caller = state.caller(headers)?;
    caller.require("compile")?;
    let bytes = read_body(headers, body, state.config.server.max_body_bytes).await?;
    let mut de = serde_json::Deserializer::from_slice(&bytes);
    let req: SourceRequest = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            ApiError::malformed(&inner.to_string())
        } else {
            ApiError::shape(&path, &inner.to_string())
        }
    })?;
    let st = state.clone();
    tokio::task::spawn_blocking(move || engine::compile(&req.source, &st.sources, build))
        .await
        .map_err(|e| ApiError::evaluation("E_INTERNAL", &e.to_string(), &e.to_string()))
}

fn diagnostics(c: &engine::Compiled) -> (usize, usize, Vec<Diagnostic>) {
    let errors = c.diagnostics.iter().filter(|d| d.severity == "error").count();
    let warnings = c.diagnostics.iter().filter(|d| d.severity == "warning").count();
    let list = c
        .diagnostics
        .iter()
        .map(|d| Diagnostic {
            code: d.code.clone(),
            severity: d.severity.clone(),
            message_zh: d.message_zh.clone(),
            message_en: d.message_en.clone(),
            line: d.line,
            column: d.column,
            start: d.start,
            end: d.end,
            file: d.file.clone(),
            help_zh: d.help_zh.clone(),
            help_en: d.help_en.clone(),
        })
        .collect();
    (errors, warnings, list)
}

#[utoipa::path(post, path = "/v1/check", tag = "compile", request_body = SourceRequest,
    responses((status = 200, description = "诊断 / diagnostics (errors in the source are a 200 answer)", body = CheckResponse),
        (status = 400, body = ErrorResponse), (status = 401, body = ErrorResponse), (status = 403, body = ErrorResponse),
        (status = 413, body = ErrorResponse), (status = 422, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn check(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Body,
) -> Result<axum::Json<CheckResponse>, ApiError> {
    let c = compile(&state, &headers, body, false).await?;
    let (errors, warnings, diagnostics) = diagnostics(&c);
    Ok(axum::Json(CheckResponse { is_policy: c.is_policy, errors, warnings, diagnostics }))
}

#[utoipa::path(post, path = "/v1/build", tag = "compile", request_body = SourceRequest,
    responses((status = 200, description = "诊断与模块 / diagnostics and the module", body = BuildResponse),
        (status = 400, body = ErrorResponse), (status = 401, body = ErrorResponse), (status = 403, body = ErrorResponse),
        (status = 413, body = ErrorResponse), (status = 422, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn build(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Body,
) -> Result<axum::Json<BuildResponse>, ApiError> {
    use base64::Engine as _;
    let c = compile(&state, &headers, body, true).await?;
    let (errors, warnings, diagnostics) = diagnostics(&c);
    let module_sha256 = c.module.as_deref().map(xince_runtime::module_sha256);
    let module_base64 = c.module.as_deref().map(|m| base64::engine::general_purpose::STANDARD.encode(m));
    Ok(axum::Json(BuildResponse {
        is_policy: c.is_policy,
        errors,
        warnings,
        diagnostics,
        module_base64,
        module_sha256,
        manifest: c.manifest,
    }))
}

// ---------------------------------------------------------------------------------------------------------
// Operations.

#[utoipa::path(get, path = "/v1/health", tag = "operations", responses((status = 200, body = Health)))]
pub async fn health() -> axum::Json<Health> {
    axum::Json(Health { status: "ok".into() })
}

#[utoipa::path(get, path = "/v1/ready", tag = "operations",
    responses((status = 200, body = Ready), (status = 503, description = "正在停止 / shutting down", body = Ready)))]
pub async fn ready(State(state): State<Shared>) -> Response {
    let bundle = state.bundle();
    let ready = !state.shutting_down.load(Ordering::SeqCst);
    let status = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, axum::Json(Ready { ready, revision: bundle.revision.clone(), policies: bundle.modules.len() }))
        .into_response()
}

fn status_body(state: &AppState) -> Status {
    let bundle = state.bundle();
    let stats = state.log.as_ref().map(|l| &l.stats);
    Status {
        revision: bundle.revision.clone(),
        policies: bundle.modules.len(),
        bundle_dir: state.bundle_dir.display().to_string(),
        reload: state.reload_status(),
        log: LogStatus {
            enabled: state.log.is_some(),
            dir: state.config.log.dir.as_ref().filter(|_| state.log.is_some()).map(|d| d.display().to_string()),
            entries_committed: stats.map_or(0, |s| s.entries.load(Ordering::Relaxed)),
            commits: stats.map_or(0, |s| s.commits.load(Ordering::Relaxed)),
        },
        callers: state.callers.len(),
        uptime_seconds: state.started.elapsed().as_secs(),
        version: env!("CARGO_PKG_VERSION").into(),
    }
}

#[utoipa::path(get, path = "/v1/status", tag = "operations",
    responses((status = 200, body = Status), (status = 401, body = ErrorResponse), (status = 403, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn status(State(state): State<Shared>, headers: HeaderMap) -> Result<axum::Json<Status>, ApiError> {
    state.caller(&headers)?.require("admin")?;
    Ok(axum::Json(status_body(&state)))
}

#[utoipa::path(post, path = "/v1/reload", tag = "operations",
    responses((status = 200, description = "已重新加载（或无变化）/ reloaded (or unchanged)", body = Status),
        (status = 401, body = ErrorResponse), (status = 403, body = ErrorResponse),
        (status = 409, description = "新政策包被拒绝，旧的继续服务 / the new bundle was refused; the old one keeps serving", body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn reload(State(state): State<Shared>, headers: HeaderMap) -> Result<axum::Json<Status>, ApiError> {
    state.caller(&headers)?.require("admin")?;
    match state.reload().await {
        Ok(_) => Ok(axum::Json(status_body(&state))),
        Err(e) => Err(ApiError::new(
            StatusCode::CONFLICT,
            &e.code,
            e.file.as_deref(),
            &format!("新政策包被拒绝，继续使用旧的：{}", e.message_zh),
            &format!("the new bundle was refused; the old one keeps serving: {}", e.message_en),
        )),
    }
}

#[utoipa::path(get, path = "/v1/log", tag = "operations", params(LogQuery),
    responses((status = 200, description = "决定日志条目（每行一条）/ log entries, one per line", content_type = "application/x-ndjson", body = String),
        (status = 400, body = ErrorResponse), (status = 401, body = ErrorResponse), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn log_entries(
    State(state): State<Shared>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Result<Response, ApiError> {
    state.caller(&headers)?.require("read-log")?;
    let q: LogQuery = query(&uri)?;
    let Some(dir) = state.config.log.dir.clone().filter(|_| state.log.is_some()) else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "E_LOG_OFF",
            None,
            "决定日志未开启",
            "the decision log is off",
        ));
    };
    let limit = q.limit.unwrap_or(1000);
    let filter =
        crate::log::Filter { subject: q.subject, caller: q.caller, policy: q.policy, from: q.from, until: q.until };
    let st = state.clone();
    let text = tokio::task::spawn_blocking(move || {
        let mut out = String::new();
        let mut n = 0usize;
        let r = crate::log::show(&dir, &filter, &st.masker, |line| {
            if n < limit {
                out.push_str(line);
                out.push('\n');
                n += 1;
            }
            Ok(())
        });
        r.map(|_| out)
    })
    .await
    .map_err(|e| ApiError::evaluation("E_INTERNAL", &e.to_string(), &e.to_string()))?
    .map_err(|e| ApiError::evaluation("E_FILE_IO", &e, &e))?;
    Ok((StatusCode::OK, [(header::CONTENT_TYPE, "application/x-ndjson")], text).into_response())
}

#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus 文本格式 / Prometheus text format", content_type = "text/plain", body = String)))]
pub async fn metrics(State(state): State<Shared>) -> Response {
    let bundle = state.bundle();
    let text = state.metrics.render(&bundle.revision, bundle.modules.len(), state.log.as_ref().map(|l| &*l.stats));
    (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}

pub async fn openapi_json() -> Response {
    json_response(StatusCode::OK, crate::openapi::document().to_string())
}

async fn not_found() -> ApiError {
    ApiError::not_found()
}

/// Per-request bookkeeping: latency and status by route, the in-flight gauge, and the request deadline.
async fn observe(State(state): State<Shared>, request: HttpRequest, next: Next) -> Response {
    let route: &'static str = match request.extensions().get::<MatchedPath>().map(MatchedPath::as_str) {
        Some("/v1/evaluate") => "evaluate",
        Some("/v1/evaluate/batch") => "evaluate_batch",
        Some("/v1/evaluate/stream") => "evaluate_stream",
        Some("/v1/policies") => "policies",
        Some("/v1/manifests/{*id}") => "manifest",
        Some("/v1/modules/{*id}") => "module",
        Some("/v1/check") => "check",
        Some("/v1/build") => "build",
        Some("/v1/health") => "health",
        Some("/v1/ready") => "ready",
        Some("/v1/status") => "status",
        Some("/v1/reload") => "reload",
        Some("/v1/log") => "log",
        Some("/metrics") => "metrics",
        Some("/v1/openapi.json") => "openapi",
        _ => "other",
    };
    let started = Instant::now();
    state.metrics.in_flight.fetch_add(1, Ordering::Relaxed);
    let deadline = Duration::from_millis(state.config.server.request_timeout_ms);
    let response = match tokio::time::timeout(deadline, next.run(request)).await {
        Ok(r) => r,
        Err(_) => ApiError::timeout().into_response(),
    };
    state.metrics.in_flight.fetch_sub(1, Ordering::Relaxed);
    state.metrics.request(route, response.status().as_u16(), started.elapsed().as_secs_f64());
    response
}

/// The routes. A static-asset route (the browser workbench) can be added with `.nest_service("/workbench", …)`.
pub fn router(state: Shared) -> axum::Router {
    axum::Router::new()
        .route("/v1/evaluate", post(evaluate))
        .route("/v1/evaluate/batch", post(evaluate_batch))
        .route("/v1/evaluate/stream", post(evaluate_stream))
        .route("/v1/policies", get(policies))
        .route("/v1/manifests/{*id}", get(manifest))
        .route("/v1/modules/{*id}", get(module))
        .route("/v1/check", post(check))
        .route("/v1/build", post(build))
        .route("/v1/health", get(health))
        .route("/v1/ready", get(ready))
        .route("/v1/status", get(status))
        .route("/v1/reload", post(reload))
        .route("/v1/log", get(log_entries))
        .route("/metrics", get(metrics))
        .route("/v1/openapi.json", get(openapi_json))
        .fallback(not_found)
        .method_not_allowed_fallback(|| async { ApiError::method_not_allowed() })
        .layer(axum::middleware::from_fn_with_state(state.clone(), observe))
        .with_state(state)
}
