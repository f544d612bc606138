//! The one module that calls into the runtime, the ABI and the compiler. Everything else in the server talks
//! to [`Bundle`], [`Picked`] and the two compile helpers here, so a change of those crates' APIs is adapted in
//! this file alone.

use crate::error::ApiError;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use xince_abi::decision::Decision;
use xince_abi::decode::parse_request;
use xince_abi::manifest::Manifest;
use xince_abi::request::Request;
use xince_abi::signature::{SignerInfo, TrustedKey};
use xince_runtime::{EvalError, Policy, PolicySet, Runtime, RuntimeConfig};

pub use xince_abi::signature::TrustStore;

/// One module of a bundle, with the bytes it was loaded from (served to hosts that evaluate locally).
pub struct Module {
    /// Path relative to the bundle directory.
    pub file: String,
    pub bytes: bytes::Bytes,
    pub policy: Policy,
    pub signer: Option<SignerInfo>,
}

/// A loaded, checked bundle: every module of a directory, and the set that picks the one in force.
pub struct Bundle {
    pub modules: Vec<Module>,
    set: PolicySet,
    by_id: BTreeMap<String, Vec<usize>>,
    /// `sha256:<hex>` over the sorted (file, module hash) pairs: the same modules give the same revision.
    pub revision: String,
}

/// Why a bundle was refused: the file and a coded, bilingual reason.
#[derive(Clone, Debug, Serialize)]
pub struct BundleError {
    pub code: String,
    pub file: Option<String>,
    pub message_zh: String,
    pub message_en: String,
}

impl std::fmt::Display for BundleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.file {
            Some(file) => write!(f, "{file}: {} / {} [{}]", self.message_zh, self.message_en, self.code),
            None => write!(f, "{} / {} [{}]", self.message_zh, self.message_en, self.code),
        }
    }
}

/// A runtime for serving: the default sandbox, and signature checks at load when a trust store is given.
pub fn runtime(trusted: Option<Vec<TrustedKey>>) -> Result<Runtime, String> {
    Runtime::new(RuntimeConfig { trusted_keys: trusted, ..RuntimeConfig::default() }).map_err(|e| e.to_string())
}

/// The `*.wasm` files under `dir`, recursively, sorted.
pub fn module_files(dir: &Path) -> Result<Vec<PathBuf>, BundleError> {
    xince_loader::module_files(dir).map_err(|e| BundleError {
        code: e.code().into(),
        file: Some(e.path.display().to_string()),
        message_zh: e.message_zh(),
        message_en: e.message_en(),
    })
}

fn io_error(path: &Path, e: &std::io::Error) -> BundleError {
    BundleError {
        code: "E_FILE_IO".into(),
        file: Some(path.display().to_string()),
        message_zh: format!("无法读取：{e}"),
        message_en: format!("cannot read: {e}"),
    }
}

impl Bundle {
    /// Loads every module under `dir`. Any refused module refuses the whole bundle (a half-loaded set would
    /// silently pick the wrong policy); an empty directory is refused too.
    pub fn load(runtime: &Runtime, dir: &Path) -> Result<Bundle, BundleError> {
        let files = module_files(dir)?;
        if files.is_empty() {
            return Err(BundleError {
                code: "E_BUNDLE_EMPTY".into(),
                file: Some(dir.display().to_string()),
                message_zh: "目录中没有 .wasm 模块".into(),
                message_en: "no .wasm module in the directory".into(),
            });
        }
        let mut modules = Vec::new();
        let mut set = PolicySet::new();
        let mut by_id: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let mut digest = Sha256::new();
        for path in files {
            let rel = path.strip_prefix(dir).unwrap_or(&path).display().to_string();
            let bytes = std::fs::read(&path).map_err(|e| io_error(&path, &e))?;
            let policy = runtime.load(&bytes).map_err(|e| BundleError {
                code: e.code().into(),
                file: Some(rel.clone()),
                message_zh: e.message_zh(),
                message_en: e.message_en(),
            })?;
            let signer = match &runtime.config().trusted_keys {
                Some(keys) => xince_abi::signature::verify(&bytes, keys).ok(),
                None => None,
            };
            set.add(policy.clone()).map_err(|value| BundleError {
                code: "E_SET_MANIFEST_DATE".into(),
                file: Some(rel.clone()),
                message_zh: format!("清单中的生效日期「{value}」无效"),
                message_en: format!("manifest date \"{value}\" is invalid"),
            })?;
            digest.update(rel.as_bytes());
            digest.update([0]);
            digest.update(policy.module_sha256().as_bytes());
            digest.update([0]);
            by_id.entry(policy.manifest().policy.id.clone()).or_default().push(modules.len());
            modules.push(Module { file: rel, bytes: bytes::Bytes::from(bytes), policy, signer });
        }
        let revision = format!("sha256:{}", hex(&digest.finalize()));
        Ok(Bundle { modules, set, by_id, revision })
    }

    /// The module in force for a jurisdiction on a date, or the one named by id (the newest version in force
    /// on the date when several versions share the id, else the newest).
    pub fn pick(&self, jurisdiction: Option<&str>, policy_id: Option<&str>, date: &str) -> Result<&Policy, ApiError> {
        if let Err(e) = xince_abi::date::CivilDate::parse(date) {
            return Err(ApiError::request(
                "E_REQ_DATE",
                "request.as_of",
                &format!("评估日期「{date}」无效：{e}"),
                &format!("evaluation date \"{date}\" is invalid: {e}"),
            ));
        }
        if let Some(id) = policy_id {
            let Some(indices) = self.by_id.get(id) else {
                return Err(ApiError::policy_not_found(id));
            };
            let day = xince_abi::date::CivilDate::parse(date).ok().map(|d| d.to_days());
            let in_force = |m: &Manifest| {
                let from = xince_abi::date::CivilDate::parse(&m.policy.effective_from).ok().map(|d| d.to_days());
                let until = m.policy.effective_until.as_deref().and_then(|u| xince_abi::date::CivilDate::parse(u).ok());
                match (day, from) {
                    (Some(d), Some(f)) => f <= d && until.is_none_or(|u| d <= u.to_days()),
                    _ => false,
                }
            };
            let chosen = indices
                .iter()
                .map(|&i| &self.modules[i].policy)
                .filter(|p| in_force(p.manifest()))
                .max_by(|a, b| a.manifest().policy.effective_from.cmp(&b.manifest().policy.effective_from))
                .or_else(|| {
                    indices
                        .iter()
                        .map(|&i| &self.modules[i].policy)
                        .max_by(|a, b| a.manifest().policy.effective_from.cmp(&b.manifest().policy.effective_from))
                });
            return chosen.ok_or_else(|| ApiError::policy_not_found(id));
        }
        let Some(jurisdiction) = jurisdiction else {
            return Err(ApiError::bad_request(
                "E_SELECT_MISSING",
                Some("/jurisdiction"),
                "须给出 jurisdiction（辖区）或 policy（政策 id）",
                "give jurisdiction or policy (a policy id)",
            ));
        };
        self.set.select(jurisdiction, date).map_err(|e| ApiError::no_policy(&e.to_string()))
    }

    /// The module with this id whose version is `version` (or the newest when `None`).
    pub fn module(&self, id: &str, version: Option<&str>) -> Option<&Module> {
        let indices = self.by_id.get(id)?;
        let mut candidates = indices.iter().map(|&i| &self.modules[i]);
        match version {
            Some(v) => candidates.find(|m| m.policy.manifest().policy.version == v),
            None => candidates.max_by(|a, b| {
                a.policy.manifest().policy.effective_from.cmp(&b.policy.manifest().policy.effective_from)
            }),
        }
    }
}

/// Parses the `request` of an envelope: a coded error naming the place (`request.subject.records[0].date`),
/// with the same codes as `xince eval`.
pub fn parse_request_text(text: &str) -> Result<Request, ApiError> {
    parse_request(text)
        .map_err(|e| ApiError::request(e.code.name(), &request_path(&e.path), &e.message_zh, &e.message_en))
}

/// A place inside a request, as a place inside the envelope.
fn request_path(path: &str) -> String {
    if path.is_empty() || path == "." { "request".to_string() } else { format!("request.{path}") }
}

/// Evaluates a request with a module.
pub fn evaluate(policy: &Policy, request: &Request) -> Result<Decision<'static>, ApiError> {
    policy.evaluate(request).map_err(|e| match e {
        EvalError::Request(r) => ApiError::request(r.code.name(), &request_path(&r.path), &r.message_zh, &r.message_en),
        other => ApiError::evaluation(other.code(), &other.message_zh(), &other.message_en()),
    })
}

/// Module identity for logs and answers.
pub fn policy_ref(policy: &Policy) -> (String, String, String, String) {
    let p = &policy.manifest().policy;
    (p.id.clone(), p.version.clone(), p.jurisdiction.clone(), policy.module_sha256().to_string())
}

/// A diagnostic as the API returns it.
#[derive(Debug, Serialize)]
pub struct ApiDiagnostic {
    pub code: String,
    pub severity: String,
    pub message_zh: String,
    pub message_en: String,
    /// 1-based line and column of the primary label, when there is one.
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub start: Option<u32>,
    pub end: Option<u32>,
    pub file: Option<String>,
    pub help_zh: Option<String>,
    pub help_en: Option<String>,
}

/// What checking or building a source gives.
pub struct Compiled {
    pub diagnostics: Vec<ApiDiagnostic>,
    pub module: Option<Vec<u8>>,
    pub manifest: Option<serde_json::Value>,
    pub is_policy: bool,
}

const SOURCE_NAME: &str = "输入.xince";

/// Checks (and with `build`, compiles) one policy source, with the given upper-level sources in scope.
pub fn compile(source: &str, context: &[(String, String)], build: bool) -> Compiled {
    let mut compiler = xince_compiler::Compiler::new();
    let id = compiler.set_file(SOURCE_NAME, source);
    for (name, text) in context {
        compiler.set_file(name.clone(), text.clone());
    }
    let mut diags = compiler.check_file(id);
    let is_policy = compiler.is_policy(id);
    let (mut module, mut manifest) = (None, None);
    if build && is_policy && !diags.iter().any(|d| d.severity == xince_lang::Severity::Error) {
        match compiler.build(SOURCE_NAME) {
            Ok(built) => {
                manifest = serde_json::to_value(built.manifest()).ok();
                module = Some(built.wasm);
            }
            Err(more) => {
                for d in more {
                    if !diags.contains(&d) {
                        diags.push(d);
                    }
                }
            }
        }
    }
    let diagnostics = diags
        .iter()
        .map(|d| {
            let primary = d.labels.iter().find(|l| l.primary).or(d.labels.first());
            let (line, column, file) = match primary {
                Some(l) => {
                    let text = compiler.file_text(l.file);
                    let (line, column) = line_column(text, l.span.start as usize);
                    (Some(line), Some(column), Some(compiler.file_name(l.file).to_string()))
                }
                None => (None, None, None),
            };
            ApiDiagnostic {
                code: d.code.to_string(),
                severity: match d.severity {
                    xince_lang::Severity::Error => "error",
                    xince_lang::Severity::Warning => "warning",
                    xince_lang::Severity::Note => "note",
                }
                .into(),
                message_zh: d.message.zh.clone(),
                message_en: d.message.en.clone(),
                line,
                column,
                start: primary.map(|l| l.span.start),
                end: primary.map(|l| l.span.end),
                file,
                help_zh: d.help.as_ref().map(|h| h.zh.clone()),
                help_en: d.help.as_ref().map(|h| h.en.clone()),
            }
        })
        .collect();
    Compiled { diagnostics, module, manifest, is_policy }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (u32, u32) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line as u32, column as u32)
}

/// The `.xince` sources under a directory (upper-level policies a submitted source may extend).
pub fn read_sources(dir: &Path) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        let entries = std::fs::read_dir(&next).map_err(|e| format!("{}: {e}", next.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| format!("{}: {e}", next.display()))?.path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "tests") {
                    pending.push(path);
                }
            } else if path.extension().is_some_and(|x| x == "xince") {
                let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
                let name = path.strip_prefix(dir.parent().unwrap_or(dir)).unwrap_or(&path).display().to_string();
                out.push((name, text));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    xince_abi::signature::hex_encode(bytes)
}
