//! The one place this crate calls into the runtime and the ABI: opening modules, choosing the module for a row,
//! and evaluating a row into a decision written as JSON or as a row of the decision schema. Every path (JSON
//! Lines, Parquet, the Python package) evaluates through [`Worker::row`], the same steps as `xince_batch`
//! (parse, apply the overrides, choose, encode, evaluate, decide without copies, serialize), so the decisions
//! are the same bytes whichever format carried the subject.

use crate::decisions::DecisionBuilder;
use std::path::Path;
use xince_abi::decode::{decide, encode_request};
use xince_abi::output::RawOutput;
use xince_abi::request::Request;
use xince_batch::{Failure, Options, Select};
use xince_runtime::{Evaluator, Policy, PolicySet, Runtime, RuntimeConfig};

pub use xince_runtime::RuntimeConfig as Config;

/// The modules a run evaluates against: one module, or a directory of them (the one in force for the row's
/// jurisdiction on the row's date is chosen; `jurisdiction` is the default for rows that name none).
pub enum Source {
    One(Policy),
    Set { set: PolicySet, jurisdiction: Option<String> },
}

fn failure(code: &str, zh: String, en: String) -> Failure {
    Failure { code: code.into(), path: None, message_zh: zh, message_en: en }
}

impl Source {
    /// Loads a module file, or every module under a directory (a bundle, `xince build DIR --out-dir OUT`).
    pub fn open(path: &Path, jurisdiction: Option<String>, config: RuntimeConfig) -> Result<Source, Failure> {
        Self::open_reporting(path, jurisdiction, config, &mut |_| {})
    }

    /// [`Source::open`], handing each precompiled-cache warning to `warn` (the cache never fails a load, but
    /// what it could not do is shown, never dropped). Without a precompiled cache there are none.
    pub fn open_reporting(
        path: &Path,
        jurisdiction: Option<String>,
        config: RuntimeConfig,
        warn: &mut dyn FnMut(xince_runtime::CacheWarning),
    ) -> Result<Source, Failure> {
        let runtime = Runtime::new(config).map_err(|e| {
            failure("E_RUNTIME", format!("无法启动运行时：{e}"), format!("cannot start the runtime: {e}"))
        })?;
        let load_error = |e: xince_loader::LoadError| Failure {
            code: e.code().into(),
            path: None,
            message_zh: e.message_zh(),
            message_en: e.message_en(),
        };
        if path.is_dir() {
            let modules = xince_loader::read_bundle(path).map_err(load_error)?;
            if modules.is_empty() {
                let p = path.display();
                return Err(failure("E_SET_LOAD", format!("目录 {p} 中没有模块"), format!("no module under {p}")));
            }
            let set = PolicySet::from_modules(&runtime, modules).map_err(|e| Failure {
                code: e.code().into(),
                path: None,
                message_zh: e.message_zh(),
                message_en: e.message_en(),
            })?;
            runtime.take_cache_warnings().into_iter().for_each(&mut *warn);
            Ok(Source::Set { set, jurisdiction })
        } else {
            let bytes = xince_loader::read_bytes(path).map_err(load_error)?;
            let policy = runtime.load(&bytes).map_err(|e| {
                let p = path.display();
                failure(e.code(), format!("{p}：{e}"), format!("{p}: {e}"))
            })?;
            runtime.take_cache_warnings().into_iter().for_each(&mut *warn);
            Ok(Source::One(policy))
        }
    }

    /// Every loaded module.
    pub fn policies(&self) -> Vec<&Policy> {
        match self {
            Source::One(p) => vec![p],
            Source::Set { set, .. } => set.policies().collect(),
        }
    }

    /// Whether a row must name its jurisdiction (a directory of modules and no default).
    pub fn needs_jurisdiction(&self) -> bool {
        matches!(self, Source::Set { jurisdiction: None, .. })
    }

    /// The module for a row: the only one, or the one in force for the row's jurisdiction (else the default)
    /// on the request's date.
    pub fn pick(&self, jurisdiction: Option<&str>, request: &Request) -> Result<&Policy, Failure> {
        match self {
            Source::One(p) => Ok(p),
            Source::Set { set, jurisdiction: default } => {
                let Some(j) = jurisdiction.or(default.as_deref()) else {
                    return Err(failure(
                        "E_NO_POLICY",
                        "未给出辖区：模块目录需要每行的 jurisdiction 列或 --jurisdiction".into(),
                        "no jurisdiction: a directory of modules needs a jurisdiction column or --jurisdiction".into(),
                    ));
                };
                set.select(j, &request.as_of).map_err(|e| Failure {
                    code: e.code().into(),
                    path: None,
                    message_zh: e.to_string(),
                    message_en: e.to_string(),
                })
            }
        }
    }
}

impl Select for Source {
    fn select(&self, request: &Request) -> Result<&Policy, Failure> {
        self.pick(None, request)
    }
}

/// Where a row's result goes.
pub enum Sink<'a> {
    /// One JSON line (decision, or `{"error":…,"line":n}`), newline included.
    Json(&'a mut Vec<u8>),
    /// One row of the decision schema.
    Arrow(&'a mut DecisionBuilder),
}

/// One thread's evaluation state: an [`Evaluator`] per module met, a reused raw answer and JSON buffer.
#[derive(Default)]
pub struct Worker {
    evaluators: Vec<Evaluator>,
    raw: RawOutput,
    json: Vec<u8>,
}

fn output_failure(e: &serde_json::Error) -> Failure {
    failure("E_OUTPUT", format!("无法写出决定：{e}"), format!("cannot write the decision: {e}"))
}

impl Worker {
    pub fn new() -> Self {
        Worker::default()
    }

    /// Evaluates one row (`row` is its 1-based line or row number) and appends its result to `sink`: the
    /// decision, or, when the row cannot be evaluated, its error at the same place. Returns the failure.
    pub fn row(
        &mut self,
        source: &Source,
        options: &Options,
        row: u64,
        parsed: Result<(Request, Option<&str>), Failure>,
        sink: Sink<'_>,
    ) -> Option<Failure> {
        let (mut request, jurisdiction) = match parsed {
            Ok(x) => x,
            Err(f) => {
                self.write_failure(row, None, &f, sink);
                return Some(f);
            }
        };
        options.apply(&mut request);
        match self.decide(source, jurisdiction, &request, row, sink) {
            Ok(()) => None,
            Err((f, sink)) => {
                self.write_failure(row, Some(&request), &f, sink);
                Some(f)
            }
        }
    }

    fn decide<'s>(
        &mut self,
        source: &Source,
        jurisdiction: Option<&str>,
        request: &Request,
        row: u64,
        sink: Sink<'s>,
    ) -> Result<(), (Failure, Sink<'s>)> {
        let policy = match source.pick(jurisdiction, request) {
            Ok(p) => p,
            Err(f) => return Err((f, sink)),
        };
        let manifest = policy.manifest();
        let encoded = match encode_request(manifest, request) {
            Ok(i) => i,
            Err(e) => return Err((Failure::from_request(e), sink)),
        };
        let at = self.evaluators.iter().position(|e| e.policy().module_sha256() == policy.module_sha256());
        let at = at.unwrap_or_else(|| {
            self.evaluators.push(policy.evaluator());
            self.evaluators.len() - 1
        });
        if let Err(e) = self.evaluators[at].evaluate_raw_into(&encoded.input, &mut self.raw) {
            return Err((Failure::from_eval(e), sink));
        }
        let decision = decide(manifest, &encoded, &self.raw);
        match sink {
            Sink::Json(out) => {
                let start = out.len();
                if let Err(e) = serde_json::to_writer(&mut *out, &decision) {
                    out.truncate(start);
                    return Err((output_failure(&e), Sink::Json(out)));
                }
                out.push(b'\n');
            }
            Sink::Arrow(builder) => {
                self.json.clear();
                if builder.wants_json()
                    && let Err(e) = serde_json::to_writer(&mut self.json, &decision)
                {
                    return Err((output_failure(&e), Sink::Arrow(builder)));
                }
                let json = std::str::from_utf8(&self.json).unwrap_or_default();
                builder.append_decision(row, policy.module_sha256(), manifest, &decision, json);
            }
        }
        Ok(())
    }

    fn write_failure(&mut self, row: u64, request: Option<&Request>, f: &Failure, sink: Sink<'_>) {
        let line = usize::try_from(row).ok();
        match sink {
            Sink::Json(out) => {
                // An object of strings and a number always serializes.
                let _ = serde_json::to_writer(&mut *out, &f.json(line));
                out.push(b'\n');
            }
            Sink::Arrow(builder) => {
                self.json.clear();
                if builder.wants_json() {
                    let _ = serde_json::to_writer(&mut self.json, &f.json(line));
                }
                let json = std::str::from_utf8(&self.json).unwrap_or_default();
                builder.append_failure(row, request, f, json);
            }
        }
    }
}
