//! Batch evaluation as a library: JSON Lines requests in, one JSON decision per line out, in input order, on
//! every core. The CLI (`xince eval --input … --output …`) and the benchmark harness (`benches/src/bin/batch.rs`)
//! both call [`run`], so the batch figure in `BENCHMARKS.md` measures the product.
//!
//! The work is a pipeline, so reading, evaluating and writing overlap:
//!
//! ```text
//! reader thread ──chunks of lines──▶ N workers ──chunks of output──▶ caller's thread: reorders, writes
//!       ▲                                                                          │
//!       └──────────────────── the same chunk buffers, recycled ◀───────────────────┘
//! ```
//!
//! A fixed set of chunk buffers circulates (text in, JSON out, failures), which bounds memory and makes the
//! steady state allocation-free apart from the requests and decisions themselves. A worker parses, encodes,
//! evaluates, and serializes the decision straight from a [`decide`] view (no copies of citations,
//! bases or names) into the chunk's output buffer. The caller's thread writes chunks in sequence and reports
//! failures in line order. Bad lines never stop the batch: each is written as
//! `{"error":{code, message_en, message_zh, path?},"line":n}` and reported to the caller.
//!
//! No process IO here: the caller supplies the reader and the writer.

use std::collections::BTreeMap;
use std::io::{self, BufRead, Write};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use xince_abi::decision::Decision;
use xince_abi::decode::{RequestError, RequestErrorCode, decide, encode_request, parse_request};
use xince_abi::output::RawOutput;
use xince_abi::request::{LimitError, REQUEST_LIMIT_CODE, Request, RequestLimits};
use xince_runtime::{EvalError, Evaluator, Policy, PolicySet};

/// What may change a request before it is evaluated, and how the work is cut.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Replaces every request's evaluation date.
    pub as_of: Option<String>,
    /// Replaces every request's scenario.
    pub scenario: Option<String>,
    /// Asks every request to explain what does not apply.
    pub explain: bool,
    /// Worker threads; 0 = one per available core.
    pub threads: usize,
    /// Lines per chunk handed to a worker; 0 = [`DEFAULT_CHUNK_LINES`].
    pub chunk_lines: usize,
    /// Bounds on each request (size, records, related persons); over them a line fails with `E_REQ_TOO_LARGE`.
    pub limits: RequestLimits,
}

/// Lines per chunk: large enough that hand-overs are rare, small enough that memory stays flat.
pub const DEFAULT_CHUNK_LINES: usize = 1024;

impl Options {
    /// Applies the overrides to a request.
    pub fn apply(&self, request: &mut Request) {
        if let Some(d) = &self.as_of {
            request.as_of.clone_from(d);
        }
        if let Some(s) = &self.scenario {
            request.scenario = Some(s.clone());
        }
        if self.explain {
            request.explain = true;
        }
    }
}

/// Chooses the module a request is evaluated by.
pub trait Select: Sync {
    fn select(&self, request: &Request) -> Result<&Policy, Failure>;
}

impl Select for Policy {
    fn select(&self, _: &Request) -> Result<&Policy, Failure> {
        Ok(self)
    }
}

/// The module of a [`PolicySet`] in force for one jurisdiction on each request's date.
pub struct InForce<'s> {
    pub set: &'s PolicySet,
    pub jurisdiction: &'s str,
}

impl<'s> InForce<'s> {
    /// The module in force on the request's date (`E_NO_POLICY` when none is, `E_POLICY_AMBIGUOUS` when
    /// several fit equally).
    pub fn pick(&self, request: &Request) -> Result<&'s Policy, Failure> {
        self.set.select(self.jurisdiction, &request.as_of).map_err(|e| Failure {
            code: e.code().into(),
            path: None,
            message_zh: e.message_zh(),
            message_en: e.message_en(),
        })
    }
}

impl Select for InForce<'_> {
    fn select(&self, request: &Request) -> Result<&Policy, Failure> {
        self.pick(request)
    }
}

/// One request that could not be evaluated: a stable code, the JSON path when the request is at fault, and
/// the message in Chinese and English.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub code: String,
    pub path: Option<String>,
    pub message_zh: String,
    pub message_en: String,
}

impl Failure {
    pub fn from_request(e: RequestError) -> Self {
        Failure { code: e.code.name().into(), path: Some(e.path), message_zh: e.message_zh, message_en: e.message_en }
    }

    pub fn from_limit(e: LimitError) -> Self {
        Failure {
            code: REQUEST_LIMIT_CODE.into(),
            path: Some(e.path),
            message_zh: e.message_zh,
            message_en: e.message_en,
        }
    }

    pub fn from_eval(e: EvalError) -> Self {
        match e {
            EvalError::Request(r) => Failure::from_request(*r),
            other => Failure {
                code: other.code().into(),
                path: None,
                message_zh: other.message_zh(),
                message_en: other.message_en(),
            },
        }
    }

    /// An evaluation error of `request`: a module error that names a record carries the record's id in its
    /// message and its JSON path (`subject.records[k]`).
    pub fn from_eval_of(e: EvalError, request: &Request) -> Self {
        let path = e.record_path(request);
        let mut failure = Failure::from_eval(e.naming_record(request));
        if failure.path.is_none() {
            failure.path = path;
        }
        failure
    }

    /// `{"error": {"code", "message_zh", "message_en", "path"?}, "line"?}` (keys in `serde_json`'s order).
    pub fn json(&self, line: Option<usize>) -> serde_json::Value {
        let mut error = serde_json::Map::new();
        error.insert("code".into(), self.code.clone().into());
        error.insert("message_zh".into(), self.message_zh.clone().into());
        error.insert("message_en".into(), self.message_en.clone().into());
        if let Some(p) = &self.path {
            error.insert("path".into(), p.clone().into());
        }
        let mut v = serde_json::Map::new();
        v.insert("error".into(), error.into());
        if let Some(n) = line {
            v.insert("line".into(), n.into());
        }
        v.into()
    }
}

/// Parses one request within `options.limits` (its size before parsing, its counts after).
fn parse_bounded(options: &Options, text: &str) -> Result<Request, Failure> {
    options.limits.check_text(text).map_err(Failure::from_limit)?;
    let request = parse_request(text).map_err(Failure::from_request)?;
    options.limits.check_request(&request).map_err(Failure::from_limit)?;
    Ok(request)
}

/// Parses one request, applies the overrides, and evaluates it with the module `source` selects: the
/// single-request form of what [`run`] does per line.
pub fn evaluate(source: &impl Select, options: &Options, text: &str) -> Result<Decision<'static>, Failure> {
    let mut request = parse_bounded(options, text)?;
    options.apply(&mut request);
    source.select(&request)?.evaluate(&request).map_err(|e| Failure::from_eval_of(e, &request))
}

/// A worker's own state: an [`Evaluator`] (one instance, no lock per decision) per module it has met, and
/// a raw answer whose vectors are reused.
#[derive(Default)]
struct Worker {
    evaluators: Vec<Evaluator>,
    raw: RawOutput,
}

/// The worker's evaluator for `policy`, made on first use.
fn evaluator_for<'w>(evaluators: &'w mut Vec<Evaluator>, policy: &Policy) -> &'w mut Evaluator {
    let at = evaluators.iter().position(|e| e.policy().module_sha256() == policy.module_sha256());
    let at = at.unwrap_or_else(|| {
        evaluators.push(policy.evaluator());
        evaluators.len() - 1
    });
    &mut evaluators[at]
}

/// One line's decision as JSON, appended to `out` (nothing is appended on failure).
fn decision_json(
    source: &impl Select,
    options: &Options,
    worker: &mut Worker,
    text: &str,
    out: &mut Vec<u8>,
) -> Result<(), Failure> {
    let mut request = parse_bounded(options, text)?;
    options.apply(&mut request);
    let policy = source.select(&request)?;
    let manifest = policy.manifest();
    // `Policy::evaluate`, with the decision borrowed instead of copied (`tests/batch.rs` holds them equal).
    let encoded = encode_request(manifest, &request).map_err(Failure::from_request)?;
    let Worker { evaluators, raw } = worker;
    evaluator_for(evaluators, policy)
        .evaluate_raw_into(&encoded.input, raw)
        .map_err(|e| Failure::from_eval_of(e, &request))?;
    let decision = decide(manifest, &encoded, raw);
    let start = out.len();
    serde_json::to_writer(&mut *out, &decision).map_err(|e| {
        out.truncate(start);
        Failure {
            code: "E_OUTPUT".into(),
            path: None,
            message_zh: format!("无法写出决定：{e}"),
            message_en: format!("cannot write the decision: {e}"),
        }
    })
}

/// What [`run`] tells its caller as it goes, on the caller's thread and in line order.
#[derive(Debug)]
pub enum Event<'e> {
    /// Line `line` (1-based) failed; its error object is in the output at its place.
    Failed { line: usize, failure: &'e Failure },
    /// This many requests (non-blank lines) are written so far, from this many input bytes (for a progress
    /// bar against the input's size).
    Progress { requests: usize, bytes: u64 },
}

/// The count of a finished batch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Non-blank lines, each of which produced one output line.
    pub requests: usize,
    pub failed: usize,
}

/// Why a batch stopped before the end of its input.
#[derive(Debug)]
pub enum BatchError {
    /// Reading the input failed after `line` lines.
    Read { line: usize, error: io::Error },
    /// Writing the output failed.
    Write(io::Error),
    /// A worker thread could not be started or died.
    Thread(String),
}

impl std::fmt::Display for BatchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BatchError::Read { line, error } => {
                write!(f, "读取第 {0} 行失败：{1} / reading line {0} failed: {1}", line + 1, error)
            }
            BatchError::Write(e) => write!(f, "写出失败：{e} / writing failed: {e}"),
            BatchError::Thread(e) => write!(f, "工作线程失败：{e} / worker thread failed: {e}"),
        }
    }
}

impl std::error::Error for BatchError {}

/// A piece of the input and, once a worker is done with it, its output.
#[derive(Default)]
struct Chunk {
    seq: u64,
    /// The lines' bytes, back to back.
    text: Vec<u8>,
    /// (1-based line number, start, end) into `text`, line ending stripped.
    lines: Vec<(usize, usize, usize)>,
    /// One JSON line per non-blank input line, in order.
    out: Vec<u8>,
    requests: usize,
    failures: Vec<(usize, Failure)>,
    /// Input bytes read up to the end of this chunk.
    bytes: u64,
}

/// Evaluates every line of `input` and writes one JSON line per non-blank line to `output`, in input order.
/// Blank lines are skipped. A line that cannot be evaluated (not UTF-8, not a request, no module in force, an
/// evaluation error) is written as its error object and reported through `on_event`; the batch goes on. Only
/// failing to read or write stops it. `output` receives large writes (a chunk at a time) and is flushed at
/// the end.
pub fn run<S, R, W>(
    source: &S,
    options: &Options,
    input: R,
    mut output: W,
    mut on_event: impl FnMut(Event<'_>),
) -> Result<Summary, BatchError>
where
    S: Select,
    R: BufRead + Send,
    W: Write,
{
    let workers = match options.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let chunk_lines = if options.chunk_lines == 0 { DEFAULT_CHUNK_LINES } else { options.chunk_lines };
    let max_line = options.limits.max_bytes;
    // Buffers in flight: one being read, one being written, and two per worker (working, done, waiting).
    let buffers = 2 * workers + 2;
    let (free_tx, free_rx) = mpsc::channel::<Chunk>();
    for _ in 0..buffers {
        free_tx.send(Chunk::default()).map_err(|e| BatchError::Thread(e.to_string()))?;
    }
    let (work_tx, work_rx) = mpsc::channel::<Chunk>();
    let work_rx = Arc::new(Mutex::new(work_rx));
    let (done_tx, done_rx) = mpsc::channel::<Chunk>();

    std::thread::scope(|scope| {
        let reader = std::thread::Builder::new()
            .name("xince-batch-read".into())
            .spawn_scoped(scope, move || read_chunks(input, chunk_lines, max_line, free_rx, work_tx))
            .map_err(|e| BatchError::Thread(e.to_string()))?;
        for i in 0..workers {
            let (rx, tx) = (Arc::clone(&work_rx), done_tx.clone());
            std::thread::Builder::new()
                .name(format!("xince-batch-{i}"))
                .spawn_scoped(scope, move || work(source, options, &rx, &tx))
                .map_err(|e| BatchError::Thread(e.to_string()))?;
        }
        drop(done_tx);

        // The caller's thread: put chunks back in order, write them, hand the buffers back to the reader.
        let mut summary = Summary::default();
        let mut waiting: BTreeMap<u64, Chunk> = BTreeMap::new();
        let mut next = 0u64;
        let mut written = Ok(());
        'receive: for chunk in &done_rx {
            waiting.insert(chunk.seq, chunk);
            while let Some(chunk) = waiting.remove(&next) {
                if let Err(e) = output.write_all(&chunk.out) {
                    written = Err(BatchError::Write(e));
                    break 'receive;
                }
                summary.requests += chunk.requests;
                summary.failed += chunk.failures.len();
                for (line, failure) in &chunk.failures {
                    on_event(Event::Failed { line: *line, failure });
                }
                on_event(Event::Progress { requests: summary.requests, bytes: chunk.bytes });
                next += 1;
                // The reader may already be gone (end of input): then the buffer is simply dropped.
                let _ = free_tx.send(chunk);
            }
        }
        // On a write error, dropping these stops the reader (no free buffer) and the workers (nowhere to send).
        drop(free_tx);
        drop(done_rx);
        written?;
        let read = reader.join().map_err(|_| BatchError::Thread("reader panicked".into()))?;
        read?;
        if !waiting.is_empty() {
            return Err(BatchError::Thread("a worker stopped before finishing its chunk".into()));
        }
        output.flush().map_err(BatchError::Write)?;
        Ok(summary)
    })
}

/// The reader: fills free buffers with up to `chunk_lines` lines each and numbers them.
/// Discards input up to and including the next newline, a buffer at a time (no allocation).
fn skip_rest_of_line(input: &mut impl BufRead) -> io::Result<()> {
    loop {
        let buf = input.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        match buf.iter().position(|&b| b == b'\n') {
            Some(i) => {
                input.consume(i + 1);
                return Ok(());
            }
            None => {
                let n = buf.len();
                input.consume(n);
            }
        }
    }
}

/// Reads lines into chunks. A line longer than `max_line` bytes keeps only its first `max_line + 1` bytes (the
/// rest is skipped unread into memory): it fails as `E_REQ_TOO_LARGE`, and memory stays bounded whatever the input.
fn read_chunks(
    mut input: impl BufRead,
    chunk_lines: usize,
    max_line: usize,
    free: mpsc::Receiver<Chunk>,
    work: mpsc::Sender<Chunk>,
) -> Result<(), BatchError> {
    let mut line = 0usize;
    let mut seq = 0u64;
    let mut bytes = 0u64;
    // No free buffer means the writer stopped: stop reading.
    while let Ok(mut chunk) = free.recv() {
        chunk.seq = seq;
        chunk.text.clear();
        chunk.lines.clear();
        let mut eof = false;
        while chunk.lines.len() < chunk_lines {
            let start = chunk.text.len();
            let cap = u64::try_from(max_line.saturating_add(2)).unwrap_or(u64::MAX);
            let n = io::Read::take(input.by_ref(), cap)
                .read_until(b'\n', &mut chunk.text)
                .map_err(|error| BatchError::Read { line, error })?;
            if n == 0 {
                eof = true;
                break;
            }
            if !chunk.text.ends_with(b"\n") && n as u64 == cap {
                skip_rest_of_line(&mut input).map_err(|error| BatchError::Read { line, error })?;
            }
            line += 1;
            bytes += n as u64;
            let mut end = chunk.text.len();
            if chunk.text[..end].ends_with(b"\n") {
                end -= 1;
                if chunk.text[..end].ends_with(b"\r") {
                    end -= 1;
                }
            }
            chunk.lines.push((line, start, end));
        }
        chunk.bytes = bytes;
        if !chunk.lines.is_empty() {
            if work.send(chunk).is_err() {
                break;
            }
            seq += 1;
        }
        if eof {
            break;
        }
    }
    Ok(())
}

/// A worker: evaluates whole chunks until there are none.
fn work(source: &impl Select, options: &Options, work: &Mutex<mpsc::Receiver<Chunk>>, done: &mpsc::Sender<Chunk>) {
    let mut worker = Worker::default();
    loop {
        let next = match work.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok(mut chunk) = next else { return };
        evaluate_chunk(source, options, &mut worker, &mut chunk);
        if done.send(chunk).is_err() {
            return;
        }
    }
}

fn evaluate_chunk(source: &impl Select, options: &Options, worker: &mut Worker, chunk: &mut Chunk) {
    let Chunk { text, lines, out, requests, failures, .. } = chunk;
    out.clear();
    failures.clear();
    *requests = 0;
    for &(line, start, end) in lines.iter() {
        let bytes = text.get(start..end).unwrap_or_default();
        let result = match std::str::from_utf8(bytes) {
            // Over the size limit (maybe cut mid-character by the reader): that is the error, not the encoding.
            _ if bytes.len() > options.limits.max_bytes => {
                options.limits.check_len(bytes.len()).map_err(Failure::from_limit)
            }
            Ok(s) if s.trim().is_empty() => continue,
            Ok(s) => decision_json(source, options, worker, s, out),
            Err(e) => Err(Failure::from_request(RequestError {
                path: "$".into(),
                code: RequestErrorCode::Json,
                message_zh: format!("第 {} 字节起不是有效的 UTF-8 文本", e.valid_up_to() + 1),
                message_en: format!("not valid UTF-8 from byte {}", e.valid_up_to() + 1),
            })),
        };
        *requests += 1;
        if let Err(failure) = result {
            // An object of strings and a number always serializes.
            let _ = serde_json::to_writer(&mut *out, &failure.json(Some(line)));
            failures.push((line, failure));
        }
        out.push(b'\n');
    }
}
