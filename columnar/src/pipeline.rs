//! Streaming batch evaluation across formats: JSON Lines or Parquet in, JSON Lines or Parquet out, in input
//! order, on every core, with memory flat in the number of subjects.
//!
//! ```text
//! reader thread ──chunks (lines, or a record batch of a row group)──▶ N workers ──▶ caller's thread: reorders, writes
//!       ▲                                                                                       │
//!       └──────────────────────────────── a fixed number of permits ◀───────────────────────────┘
//! ```
//!
//! The reader holds a permit per chunk in flight, and the writer returns it once the chunk is written, so at
//! most `2 × workers + 2` chunks exist at once whatever the input's size. Parquet is read a record batch at a
//! time (row group by row group) and written a row group at a time. Workers turn their chunk into requests
//! (parsing JSON, or reading the Arrow columns), evaluate them through [`Worker::row`] and write JSON or a
//! record batch of the decision schema. A row that cannot be evaluated is written as an error row at its
//! place, never dropped. No process IO: the caller opens the files.

use crate::decisions::{DecisionBuilder, DecisionLayout};
use crate::engine::{Sink, Source, Worker};
use crate::subjects::{SchemaError, SubjectColumns};
use arrow_array::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use std::collections::BTreeMap;
use std::io::{self, BufRead, Write};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use xince_abi::decode::{RequestError, RequestErrorCode, parse_request};
use xince_batch::{Failure, Options};

/// Rows per chunk (and per Parquet record batch read).
pub const DEFAULT_CHUNK_ROWS: usize = 4096;
/// Rows per Parquet row group written.
pub const ROW_GROUP_ROWS: usize = 65536;

/// Where subjects come from.
pub enum Input {
    /// JSON Lines, one request per line; `size` (bytes), when known, is the total for progress.
    Jsonl { reader: Box<dyn BufRead + Send>, size: Option<u64> },
    /// Parquet in the subject schema.
    Parquet(std::fs::File),
}

/// Where decisions go.
pub enum Output {
    Jsonl(Box<dyn Write>),
    /// Parquet in the decision schema.
    Parquet(Box<dyn Write + Send>),
}

/// How a run is cut and what it writes.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    pub options: Options,
    /// Add the `decision` column (the full cited decision as JSON) to Parquet output.
    pub decision_json: bool,
    /// Worker threads; 0 = one per available core.
    pub threads: usize,
    /// Rows per chunk; 0 = [`DEFAULT_CHUNK_ROWS`].
    pub chunk_rows: usize,
}

/// What a run tells its caller as it goes, in row order.
#[derive(Debug)]
pub enum Event<'e> {
    /// This many rows are known to be coming (Parquet: from the file's metadata; JSON Lines: unknown, `bytes`).
    Total { rows: Option<u64>, bytes: Option<u64> },
    /// Row `row` (1-based line or row number) failed; its error is in the output at its place.
    Failed { row: u64, failure: &'e Failure },
    /// Rows written so far, and input bytes read so far (JSON Lines).
    Progress { rows: u64, bytes: u64 },
}

/// The count of a finished run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub rows: u64,
    pub failed: u64,
}

/// Why a run stopped before the end of its input.
#[derive(Debug)]
pub enum RunError {
    Read(String),
    Write(String),
    Schema(SchemaError),
    Thread(String),
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::Read(e) => write!(f, "读取失败：{e} / reading failed: {e}"),
            RunError::Write(e) => write!(f, "写出失败：{e} / writing failed: {e}"),
            RunError::Schema(e) => write!(f, "输入不符合主体模式 / input is not in the subject schema: {e}"),
            RunError::Thread(e) => write!(f, "工作线程失败：{e} / worker thread failed: {e}"),
        }
    }
}

impl std::error::Error for RunError {}

fn read_error(e: impl std::fmt::Display) -> RunError {
    RunError::Read(e.to_string())
}

enum Data {
    /// Line bytes back to back, and (1-based line, start, end) of each.
    Lines { text: Vec<u8>, lines: Vec<(u64, usize, usize)> },
    /// Rows `first_row ..` of the input.
    Batch { first_row: u64, batch: RecordBatch },
}

enum Out {
    Json(Vec<u8>),
    Arrow(Option<RecordBatch>),
}

struct Chunk {
    seq: u64,
    data: Data,
    /// Input bytes read up to the end of this chunk.
    bytes: u64,
    out: Out,
    rows: u64,
    failures: Vec<(u64, Failure)>,
    fatal: Option<RunError>,
}

/// The decision layout a run writes: the union of the loaded modules' items.
pub fn layout(source: &Source, decision_json: bool) -> Arc<DecisionLayout> {
    Arc::new(DecisionLayout::new(source.policies().into_iter().map(|p| p.manifest()), decision_json))
}

/// A Parquet writer for decisions (snappy, [`ROW_GROUP_ROWS`] per row group).
pub fn decision_writer<W: Write + Send>(
    out: W,
    layout: &DecisionLayout,
) -> Result<ArrowWriter<W>, parquet::errors::ParquetError> {
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .build();
    ArrowWriter::try_new(out, layout.schema(), Some(props))
}

/// Evaluates every subject of `input` and writes one decision (or error) per subject to `output`, in order.
pub fn run(
    source: &Source,
    settings: &Settings,
    input: Input,
    output: Output,
    mut on_event: impl FnMut(Event<'_>),
) -> Result<Summary, RunError> {
    let workers = match settings.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let chunk_rows = if settings.chunk_rows == 0 { DEFAULT_CHUNK_ROWS } else { settings.chunk_rows };
    let layout = layout(source, settings.decision_json);
    let arrow_out = matches!(output, Output::Parquet(_));

    enum Reader {
        Lines(Box<dyn BufRead + Send>),
        Parquet(ParquetRecordBatchReader),
    }
    let reader = match input {
        Input::Jsonl { reader, size } => {
            on_event(Event::Total { rows: None, bytes: size });
            Reader::Lines(reader)
        }
        Input::Parquet(file) => {
            let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(read_error)?;
            let rows = u64::try_from(builder.metadata().file_metadata().num_rows()).ok();
            on_event(Event::Total { rows, bytes: None });
            Reader::Parquet(builder.with_batch_size(chunk_rows).build().map_err(read_error)?)
        }
    };
    let mut sink = match output {
        Output::Jsonl(w) => Writer::Json(w),
        Output::Parquet(w) => {
            Writer::Parquet(Box::new(decision_writer(w, &layout).map_err(|e| RunError::Write(e.to_string()))?))
        }
    };

    let permits = 2 * workers + 2;
    let (permit_tx, permit_rx) = mpsc::sync_channel::<()>(permits);
    for _ in 0..permits {
        permit_tx.send(()).map_err(|e| RunError::Thread(e.to_string()))?;
    }
    let (work_tx, work_rx) = mpsc::channel::<Chunk>();
    let work_rx = Arc::new(Mutex::new(work_rx));
    let (done_tx, done_rx) = mpsc::channel::<Chunk>();

    std::thread::scope(|scope| {
        let reader = std::thread::Builder::new()
            .name("xince-columnar-read".into())
            .spawn_scoped(scope, move || match reader {
                Reader::Lines(r) => read_lines(r, chunk_rows, arrow_out, &permit_rx, &work_tx),
                Reader::Parquet(r) => read_batches(r, arrow_out, &permit_rx, &work_tx),
            })
            .map_err(|e| RunError::Thread(e.to_string()))?;
        for i in 0..workers {
            let (rx, tx, layout) = (Arc::clone(&work_rx), done_tx.clone(), Arc::clone(&layout));
            std::thread::Builder::new()
                .name(format!("xince-columnar-{i}"))
                .spawn_scoped(scope, move || work(source, &settings.options, layout, &rx, &tx))
                .map_err(|e| RunError::Thread(e.to_string()))?;
        }
        drop(done_tx);

        let mut summary = Summary::default();
        let mut waiting: BTreeMap<u64, Chunk> = BTreeMap::new();
        let mut next = 0u64;
        let mut result = Ok(());
        'receive: for chunk in &done_rx {
            waiting.insert(chunk.seq, chunk);
            while let Some(mut chunk) = waiting.remove(&next) {
                if let Some(e) = chunk.fatal.take() {
                    result = Err(e);
                    break 'receive;
                }
                if let Err(e) = sink.write(chunk.out) {
                    result = Err(e);
                    break 'receive;
                }
                summary.rows += chunk.rows;
                summary.failed += chunk.failures.len() as u64;
                for (row, failure) in &chunk.failures {
                    on_event(Event::Failed { row: *row, failure });
                }
                on_event(Event::Progress { rows: summary.rows, bytes: chunk.bytes });
                next += 1;
                // The reader may be gone already (end of input).
                let _ = permit_tx.try_send(());
            }
        }
        drop(permit_tx);
        drop(done_rx);
        result?;
        let read = reader.join().map_err(|_| RunError::Thread("reader panicked".into()))?;
        read?;
        if !waiting.is_empty() {
            return Err(RunError::Thread("a worker stopped before finishing its chunk".into()));
        }
        sink.finish()?;
        Ok(summary)
    })
}

enum Writer {
    Json(Box<dyn Write>),
    Parquet(Box<ArrowWriter<Box<dyn Write + Send>>>),
}

impl Writer {
    fn write(&mut self, out: Out) -> Result<(), RunError> {
        match (self, out) {
            (Writer::Json(w), Out::Json(bytes)) => w.write_all(&bytes).map_err(|e| RunError::Write(e.to_string())),
            (Writer::Parquet(w), Out::Arrow(Some(batch))) => {
                w.write(&batch).map_err(|e| RunError::Write(e.to_string()))
            }
            (Writer::Parquet(_), Out::Arrow(None)) => Ok(()),
            _ => Err(RunError::Thread("output kind mismatch".into())),
        }
    }

    fn finish(self) -> Result<(), RunError> {
        match self {
            Writer::Json(mut w) => w.flush().map_err(|e| RunError::Write(e.to_string())),
            Writer::Parquet(w) => w.close().map(|_| ()).map_err(|e| RunError::Write(e.to_string())),
        }
    }
}

fn new_out(arrow: bool) -> Out {
    if arrow { Out::Arrow(None) } else { Out::Json(Vec::new()) }
}

fn read_lines(
    mut input: Box<dyn BufRead + Send>,
    chunk_rows: usize,
    arrow_out: bool,
    permits: &mpsc::Receiver<()>,
    work: &mpsc::Sender<Chunk>,
) -> Result<(), RunError> {
    let (mut line, mut seq, mut bytes) = (0u64, 0u64, 0u64);
    while permits.recv().is_ok() {
        let mut text = Vec::with_capacity(chunk_rows * 512);
        let mut lines = Vec::with_capacity(chunk_rows);
        let mut eof = false;
        while lines.len() < chunk_rows {
            let start = text.len();
            let n =
                input.read_until(b'\n', &mut text).map_err(|e| RunError::Read(format!("line {}: {e}", line + 1)))?;
            if n == 0 {
                eof = true;
                break;
            }
            bytes += n as u64;
            line += 1;
            let mut end = text.len();
            if text[..end].ends_with(b"\n") {
                end -= 1;
                if text[..end].ends_with(b"\r") {
                    end -= 1;
                }
            }
            lines.push((line, start, end));
        }
        if !lines.is_empty() {
            let chunk = Chunk {
                seq,
                data: Data::Lines { text, lines },
                bytes,
                out: new_out(arrow_out),
                rows: 0,
                failures: Vec::new(),
                fatal: None,
            };
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

fn read_batches(
    reader: ParquetRecordBatchReader,
    arrow_out: bool,
    permits: &mpsc::Receiver<()>,
    work: &mpsc::Sender<Chunk>,
) -> Result<(), RunError> {
    let (mut seq, mut first_row) = (0u64, 1u64);
    let mut batches = reader;
    while permits.recv().is_ok() {
        let Some(batch) = batches.next() else { break };
        let batch = batch.map_err(read_error)?;
        let rows = batch.num_rows() as u64;
        let chunk = Chunk {
            seq,
            data: Data::Batch { first_row, batch },
            bytes: 0,
            out: new_out(arrow_out),
            rows: 0,
            failures: Vec::new(),
            fatal: None,
        };
        if work.send(chunk).is_err() {
            break;
        }
        seq += 1;
        first_row += rows;
    }
    Ok(())
}

fn work(
    source: &Source,
    options: &Options,
    layout: Arc<DecisionLayout>,
    work: &Mutex<mpsc::Receiver<Chunk>>,
    done: &mpsc::Sender<Chunk>,
) {
    let mut worker = Worker::new();
    let mut builder = DecisionBuilder::new(layout);
    loop {
        let next = match work.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok(mut chunk) = next else { return };
        evaluate_chunk(source, options, &mut worker, &mut builder, &mut chunk);
        if done.send(chunk).is_err() {
            return;
        }
    }
}

fn not_utf8(e: std::str::Utf8Error) -> Failure {
    Failure::from_request(RequestError {
        path: "$".into(),
        code: RequestErrorCode::Json,
        message_zh: format!("第 {} 字节起不是有效的 UTF-8 文本", e.valid_up_to() + 1),
        message_en: format!("not valid UTF-8 from byte {}", e.valid_up_to() + 1),
    })
}

fn evaluate_chunk(
    source: &Source,
    options: &Options,
    worker: &mut Worker,
    builder: &mut DecisionBuilder,
    chunk: &mut Chunk,
) {
    let Chunk { data, out, rows, failures, fatal, .. } = chunk;
    let mut json = match out {
        Out::Json(v) => Some(std::mem::take(v)),
        Out::Arrow(_) => None,
    };
    let mut one = |row: u64, parsed: Result<(xince_abi::request::Request, Option<&str>), Failure>| {
        let sink = match json.as_mut() {
            Some(v) => Sink::Json(v),
            None => Sink::Arrow(builder),
        };
        if let Some(f) = worker.row(source, options, row, parsed, sink) {
            failures.push((row, f));
        }
        *rows += 1;
    };
    match data {
        Data::Lines { text, lines } => {
            for &(line, start, end) in lines.iter() {
                let bytes = text.get(start..end).unwrap_or_default();
                let parsed = match std::str::from_utf8(bytes) {
                    Ok(s) if s.trim().is_empty() => continue,
                    Ok(s) => parse_request(s).map(|r| (r, None)).map_err(Failure::from_request),
                    Err(e) => Err(not_utf8(e)),
                };
                one(line, parsed);
            }
        }
        Data::Batch { first_row, batch } => match SubjectColumns::new(batch) {
            Ok(columns) => {
                for i in 0..columns.len() {
                    let parsed = columns.request(i).map(|r| (r, columns.jurisdiction(i)));
                    one(*first_row + i as u64, parsed);
                }
            }
            Err(e) => *fatal = Some(RunError::Schema(e)),
        },
    }
    *out = match json {
        Some(v) => Out::Json(v),
        None => match builder.finish() {
            Ok(b) => Out::Arrow(Some(b)),
            Err(e) => {
                *fatal = Some(RunError::Write(e.to_string()));
                Out::Arrow(None)
            }
        },
    };
}

/// A batch of decisions and the rows that failed (row number, failure).
pub type Decided = (RecordBatch, Vec<(u64, Failure)>);

/// Evaluates one record batch in the subject schema into one in the decision schema, rows split across
/// `threads` threads (0 = every core); row numbers start at `first_row`. What the Python package calls.
pub fn evaluate_batch(
    source: &Source,
    options: &Options,
    layout: &Arc<DecisionLayout>,
    batch: &RecordBatch,
    first_row: u64,
    threads: usize,
) -> Result<Decided, RunError> {
    let columns = SubjectColumns::new(batch).map_err(RunError::Schema)?;
    let n = columns.len();
    let threads = match threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        t => t,
    }
    .clamp(1, n.max(1));
    let per = n.div_ceil(threads).max(1);
    let parts: Vec<Result<Decided, RunError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..n)
            .step_by(per)
            .map(|start| {
                let columns = &columns;
                scope.spawn(move || {
                    let mut worker = Worker::new();
                    let mut builder = DecisionBuilder::new(Arc::clone(layout));
                    let mut failures = Vec::new();
                    for i in start..(start + per).min(n) {
                        let row = first_row + i as u64;
                        let parsed = columns.request(i).map(|r| (r, columns.jurisdiction(i)));
                        if let Some(f) = worker.row(source, options, row, parsed, Sink::Arrow(&mut builder)) {
                            failures.push((row, f));
                        }
                    }
                    builder.finish().map(|b| (b, failures)).map_err(|e| RunError::Write(e.to_string()))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(RunError::Thread("a worker panicked".into()))))
            .collect()
    });
    let mut batches = Vec::with_capacity(parts.len());
    let mut failures = Vec::new();
    for part in parts {
        let (b, f) = part?;
        batches.push(b);
        failures.extend(f);
    }
    let schema = layout.schema();
    let out = arrow_select::concat::concat_batches(&schema, &batches).map_err(|e| RunError::Write(e.to_string()))?;
    Ok((out, failures))
}

/// A Parquet writer for subjects in the subject schema (what `xince gen --format parquet` writes).
pub struct SubjectWriter<W: Write + Send> {
    writer: ArrowWriter<W>,
    jurisdiction: bool,
}

impl<W: Write + Send> SubjectWriter<W> {
    pub fn new(out: W, jurisdiction: bool) -> Result<Self, parquet::errors::ParquetError> {
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .build();
        let writer = ArrowWriter::try_new(out, crate::subjects::subject_schema(jurisdiction), Some(props))?;
        Ok(SubjectWriter { writer, jurisdiction })
    }

    /// Writes requests (with their jurisdictions when the writer has that column).
    pub fn write(
        &mut self,
        requests: &[xince_abi::request::Request],
        jurisdictions: Option<&[Option<String>]>,
    ) -> Result<(), io::Error> {
        let jurisdictions = if self.jurisdiction { Some(jurisdictions.unwrap_or(&[])) } else { None };
        let batch = crate::subjects::requests_to_batch(requests, jurisdictions).map_err(|(i, f)| {
            io::Error::other(format!("request {i}: {}: {}", f.path.unwrap_or_default(), f.message_en))
        })?;
        self.writer.write(&batch).map_err(io::Error::other)
    }

    pub fn close(self) -> Result<(), io::Error> {
        self.writer.close().map(|_| ()).map_err(io::Error::other)
    }
}
