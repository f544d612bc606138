//! `xince._native`: the Rust half of the Python package. Thin: every evaluation goes through
//! `xince_columnar::Worker::row`, the path the CLI's batch uses, so the decisions are the CLI's, byte for byte.
//! The GIL is released while evaluating. Errors become `xince.XinceError(code, message, path, message_zh)`,
//! an exception class defined in Python (`python/xince/__init__.py`).

use arrow_array::RecordBatch;
use arrow_pyarrow::PyArrowType;
use arrow_schema::Schema;
use pyo3::prelude::*;
use pyo3::types::PyModule;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use xince_batch::{Failure, Options};
use xince_columnar::decisions::DecisionLayout;
use xince_columnar::engine::{Config, Sink, Source, Worker};
use xince_columnar::{SubjectColumns, pipeline};

/// The Python exception for a failure: `xince.XinceError(code, message_en, path, message_zh)`.
fn to_py_err(py: Python<'_>, f: &Failure) -> PyErr {
    let made = py
        .import("xince")
        .and_then(|m| m.getattr("XinceError"))
        .and_then(|cls| cls.call1((f.code.as_str(), f.message_en.as_str(), f.path.as_deref(), f.message_zh.as_str())));
    match made {
        Ok(e) => PyErr::from_value(e),
        Err(e) => e,
    }
}

fn failure(code: &str, zh: String, en: String) -> Failure {
    Failure { code: code.into(), path: None, message_zh: zh, message_en: en }
}

/// Loaded modules with the overrides chosen at load.
#[pyclass(module = "xince._native", frozen)]
struct Engine {
    source: Arc<Source>,
    options: Options,
    threads: usize,
    /// The worker for single calls (one instance per module, reused).
    single: Mutex<Worker>,
}

fn threads_or_cores(threads: usize) -> usize {
    match threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        t => t,
    }
}

impl Engine {
    /// One request's JSON text → (failed, the decision or the error as JSON).
    fn one(&self, worker: &mut Worker, text: &str, row: u64, jurisdiction: Option<&str>) -> (bool, String) {
        let mut out = Vec::new();
        let parsed = xince_abi::decode::parse_request(text).map(|r| (r, jurisdiction)).map_err(Failure::from_request);
        let failed = worker.row(&self.source, &self.options, row, parsed, Sink::Json(&mut out)).is_some();
        if out.last() == Some(&b'\n') {
            out.pop();
        }
        (failed, String::from_utf8(out).unwrap_or_default())
    }
}

#[pymethods]
impl Engine {
    #[new]
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (path, jurisdiction=None, as_of=None, scenario=None, explain=false, threads=0))]
    fn new(
        py: Python<'_>,
        path: PathBuf,
        jurisdiction: Option<String>,
        as_of: Option<String>,
        scenario: Option<String>,
        explain: bool,
        threads: usize,
    ) -> PyResult<Self> {
        let config = Config::default();
        let source = py.detach(|| Source::open(&path, jurisdiction, config)).map_err(|f| to_py_err(py, &f))?;
        Ok(Engine {
            source: Arc::new(source),
            options: Options { as_of, scenario, explain, ..Options::default() },
            threads,
            single: Mutex::new(Worker::new()),
        })
    }

    /// `(failed, json)` for one request given as JSON text.
    #[pyo3(signature = (text, jurisdiction=None))]
    fn evaluate_json(&self, py: Python<'_>, text: &str, jurisdiction: Option<&str>) -> PyResult<(bool, String)> {
        py.detach(|| {
            let mut worker = self
                .single
                .lock()
                .map_err(|_| failure("E_RUNTIME", "求值器锁失效".into(), "the evaluator's lock is poisoned".into()))?;
            Ok(self.one(&mut worker, text, 1, jurisdiction))
        })
        .map_err(|f: Failure| to_py_err(py, &f))
    }

    /// `[(failed, json)]` for many requests, on every core (or `threads`), in order.
    #[pyo3(signature = (texts, jurisdiction=None))]
    fn evaluate_json_many(
        &self,
        py: Python<'_>,
        texts: Vec<String>,
        jurisdiction: Option<String>,
    ) -> Vec<(bool, String)> {
        py.detach(|| {
            let n = texts.len();
            let threads = threads_or_cores(self.threads).clamp(1, n.max(1));
            let per = n.div_ceil(threads).max(1);
            let j = jurisdiction.as_deref();
            std::thread::scope(|scope| {
                let handles: Vec<_> = texts
                    .chunks(per)
                    .enumerate()
                    .map(|(k, part)| {
                        scope.spawn(move || {
                            let mut worker = Worker::new();
                            part.iter()
                                .enumerate()
                                .map(|(i, t)| self.one(&mut worker, t, (k * per + i + 1) as u64, j))
                                .collect::<Vec<_>>()
                        })
                    })
                    .collect();
                handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
            })
        })
    }

    /// A record batch in the subject schema → one in the decision schema (rows numbered from `first_row`).
    #[pyo3(signature = (batch, decision_json=false, first_row=1))]
    fn evaluate_arrow(
        &self,
        py: Python<'_>,
        batch: PyArrowType<RecordBatch>,
        decision_json: bool,
        first_row: u64,
    ) -> PyResult<PyArrowType<RecordBatch>> {
        let batch = batch.0;
        let layout = self.layout(decision_json);
        let result = py
            .detach(|| pipeline::evaluate_batch(&self.source, &self.options, &layout, &batch, first_row, self.threads));
        match result {
            Ok((out, _failures)) => Ok(PyArrowType(out)),
            Err(pipeline::RunError::Schema(e)) => Err(to_py_err(
                py,
                &Failure {
                    code: "E_SCHEMA".into(),
                    path: Some(e.column.clone()),
                    message_zh: e.message_zh.clone(),
                    message_en: e.message_en.clone(),
                },
            )),
            Err(e) => Err(to_py_err(py, &failure("E_ARROW", e.to_string(), e.to_string()))),
        }
    }

    /// Checks a record batch against the subject schema without evaluating it (raises on a mismatch).
    fn check_subjects(&self, py: Python<'_>, batch: PyArrowType<RecordBatch>) -> PyResult<usize> {
        SubjectColumns::new(&batch.0).map(|c| c.len()).map_err(|e| {
            to_py_err(
                py,
                &Failure {
                    code: "E_SCHEMA".into(),
                    path: Some(e.column.clone()),
                    message_zh: e.message_zh.clone(),
                    message_en: e.message_en.clone(),
                },
            )
        })
    }

    /// The decision schema for these modules.
    #[pyo3(signature = (decision_json=false))]
    fn decision_schema(&self, decision_json: bool) -> PyArrowType<Schema> {
        PyArrowType(self.layout(decision_json).schema().as_ref().clone())
    }

    /// `[(policy id, version, jurisdiction, effective from)]` of the loaded modules.
    fn policies(&self) -> Vec<(String, String, String, String)> {
        self.source
            .policies()
            .into_iter()
            .map(|p| {
                let i = &p.manifest().policy;
                (i.id.clone(), i.version.clone(), i.jurisdiction.clone(), i.effective_from.clone())
            })
            .collect()
    }
}

impl Engine {
    fn layout(&self, decision_json: bool) -> Arc<DecisionLayout> {
        pipeline::layout(&self.source, decision_json)
    }
}

/// The subject schema (with the optional `jurisdiction` column).
#[pyfunction]
#[pyo3(signature = (jurisdiction=false))]
fn subject_schema(jurisdiction: bool) -> PyArrowType<Schema> {
    PyArrowType(xince_columnar::subject_schema(jurisdiction).as_ref().clone())
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Engine>()?;
    m.add_function(wrap_pyfunction!(subject_schema, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
