//! The hash-chained decision log.
//!
//! One JSON object per line, in files `decisions-<first seq, 20 digits>.jsonl` under the log directory:
//!
//! ```text
//! {"seq":7,"prev":"<hash of entry 6>","time":"2026-12-04T16:35:06.123Z","caller":"巫山县财政局",
//!  "policy":{"id":…,"version":…,"module":"sha256:…"},"request":{…},"decision":{…},"hash":"<64 hex>"}
//! ```
//!
//! `hash` is the sha256 of the line's text up to (not including) `,"hash":`; `prev` of entry 1 is 64 zeros.
//! So editing, removing, reordering or inserting an entry breaks the chain at that place. The file `HEAD`
//! holds the last committed `seq` and `hash`, written after each commit: a log that ends before `HEAD` lost
//! its tail. A line without its newline at the end of the last file is an entry whose write never finished
//! (it was never answered); the server cuts it off when it starts, `verify` reports it.
//!
//! Writing is group commit: handlers hand their entries to one writer thread, which writes everything that
//! queued up in one `write`, `fdatasync`s it (durability `fsync`), updates `HEAD`, and only then lets the
//! handlers answer.

use crate::config::Durability;
use crate::engine::hex;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{SystemTime, UNIX_EPOCH};

pub const ZERO_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";
const HASH_SUFFIX_LEN: usize = 75; // ,"hash":" + 64 hex + "}

/// Where the log lives and how it is written.
#[derive(Clone, Debug)]
pub struct Options {
    pub dir: PathBuf,
    pub durability: Durability,
    pub rotate_bytes: u64,
    pub rotate_daily: bool,
}

struct Job {
    /// The entry's fields after `prev`, starting with `,"time":` and without the closing brace.
    body: String,
    day: i32,
    reply: tokio::sync::oneshot::Sender<Result<u64, String>>,
}

/// A handle to the writer thread. Dropping every handle (and calling [`DecisionLog::close`]) flushes and stops it.
pub struct DecisionLog {
    tx: std::sync::Mutex<Option<mpsc::Sender<Job>>>,
    thread: std::sync::Mutex<Option<std::thread::JoinHandle<()>>>,
    pub stats: std::sync::Arc<LogStats>,
}

/// Counters the metrics endpoint reads.
#[derive(Default)]
pub struct LogStats {
    pub entries: std::sync::atomic::AtomicU64,
    pub commits: std::sync::atomic::AtomicU64,
    pub commit_micros: std::sync::atomic::AtomicU64,
    pub failures: std::sync::atomic::AtomicU64,
}

/// What opening the log found.
#[derive(Debug, Default)]
pub struct Opened {
    pub last_seq: u64,
    /// Bytes of an unfinished last line that were cut off.
    pub cut_bytes: u64,
}

fn file_name(first_seq: u64) -> String {
    format!("decisions-{first_seq:020}.jsonl")
}

/// The log files of a directory, in order.
pub fn log_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("decisions-") && n.ends_with(".jsonl"))
        })
        .collect();
    files.sort();
    Ok(files)
}

/// UTC now: (RFC 3339 text with milliseconds, day number).
pub fn now() -> (String, i32) {
    let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let day = (secs / 86_400) as i32;
    let date = xince_abi::date::CivilDate::from_days(day);
    let s = secs % 86_400;
    let text = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        date.year,
        date.month,
        date.day,
        s / 3600,
        (s / 60) % 60,
        s % 60,
        since.subsec_millis()
    );
    (text, day)
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// The fields of one entry after `prev` (see the module docs); `request` and `decision` are JSON texts.
pub fn entry_body(time: &str, caller: &str, policy: (&str, &str, &str), request: &str, decision: &str) -> String {
    let mut s = String::with_capacity(request.len() + decision.len() + 256);
    s.push_str(",\"time\":");
    s.push_str(&json_str(time));
    s.push_str(",\"caller\":");
    s.push_str(&json_str(caller));
    s.push_str(",\"policy\":{\"id\":");
    s.push_str(&json_str(policy.0));
    s.push_str(",\"version\":");
    s.push_str(&json_str(policy.1));
    s.push_str(",\"module\":");
    s.push_str(&json_str(policy.2));
    s.push_str("},\"request\":");
    s.push_str(request);
    s.push_str(",\"decision\":");
    s.push_str(decision);
    s
}

struct Writer {
    opts: Options,
    file: Option<File>,
    file_bytes: u64,
    file_day: i32,
    seq: u64,
    prev: String,
    broken: Option<String>,
    stats: std::sync::Arc<LogStats>,
}

/// Reads the end of the last non-empty file: the last complete entry's seq and hash, cutting off an
/// unfinished line. Returns (seq, hash, cut bytes).
fn recover(dir: &Path) -> Result<(u64, String, u64), String> {
    let files = log_files(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut cut = 0;
    for path in files.iter().rev() {
        let mut file =
            OpenOptions::new().read(true).write(true).open(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut text = Vec::new();
        file.read_to_end(&mut text).map_err(|e| format!("{}: {e}", path.display()))?;
        let keep = text.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        if keep < text.len() {
            cut += (text.len() - keep) as u64;
            file.set_len(keep as u64).map_err(|e| format!("{}: {e}", path.display()))?;
            file.sync_all().map_err(|e| format!("{}: {e}", path.display()))?;
        }
        if keep == 0 {
            continue;
        }
        let body = &text[..keep - 1];
        let last = body.rsplit(|&b| b == b'\n').next().unwrap_or(body);
        let line = std::str::from_utf8(last)
            .map_err(|_| format!("{}: 最后一行不是 UTF-8 / last line is not UTF-8", path.display()))?;
        let entry = parse_line(line).map_err(|e| format!("{}: {e}", path.display()))?;
        return Ok((entry.seq, entry.hash, cut));
    }
    Ok((0, ZERO_HASH.to_string(), cut))
}

impl Writer {
    fn open_file(&mut self, day: i32) -> Result<(), String> {
        let path = self.opts.dir.join(file_name(self.seq + 1));
        let file =
            OpenOptions::new().create(true).append(true).open(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        self.file_bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
        self.file = Some(file);
        self.file_day = day;
        // Make the new file's name durable.
        if let Ok(d) = File::open(&self.opts.dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }

    fn flush(&mut self, buf: &[u8]) -> Result<(), String> {
        if buf.is_empty() {
            return Ok(());
        }
        let file = self.file.as_mut().ok_or("no file")?;
        file.write_all(buf).map_err(|e| e.to_string())?;
        if self.opts.durability == Durability::Fsync {
            file.sync_data().map_err(|e| e.to_string())?;
        }
        self.file_bytes += buf.len() as u64;
        Ok(())
    }

    fn write_head(&self) -> Result<(), String> {
        let head = format!("{{\"seq\":{},\"hash\":\"{}\"}}\n", self.seq, self.prev);
        let tmp = self.opts.dir.join("HEAD.tmp");
        std::fs::write(&tmp, head).map_err(|e| e.to_string())?;
        std::fs::rename(&tmp, self.opts.dir.join("HEAD")).map_err(|e| e.to_string())
    }

    /// Writes a group of entries; on success every one of them is on disk (per the durability mode).
    fn commit(&mut self, jobs: &[Job], buf: &mut Vec<u8>) -> Result<(), String> {
        if let Some(e) = &self.broken {
            return Err(e.clone());
        }
        buf.clear();
        for job in jobs {
            let rotate = self.file.is_none()
                || (self.file_bytes + buf.len() as u64 >= self.opts.rotate_bytes
                    && self.file_bytes + (buf.len() as u64) > 0)
                || (self.opts.rotate_daily && job.day != self.file_day);
            if rotate {
                self.flush(buf)?;
                buf.clear();
                self.open_file(job.day)?;
            }
            let seq = self.seq + 1;
            let start = buf.len();
            write!(buf, "{{\"seq\":{seq},\"prev\":\"{}\"", self.prev).map_err(|e| e.to_string())?;
            buf.extend_from_slice(job.body.as_bytes());
            let hash = hex(&Sha256::digest(&buf[start..]));
            writeln!(buf, ",\"hash\":\"{hash}\"}}").map_err(|e| e.to_string())?;
            self.seq = seq;
            self.prev = hash;
        }
        self.flush(buf)?;
        self.write_head()
    }

    fn run(mut self, rx: mpsc::Receiver<Job>) {
        let mut jobs: Vec<Job> = Vec::new();
        let mut buf = Vec::new();
        while let Ok(first) = rx.recv() {
            jobs.push(first);
            while jobs.len() < 8192 {
                match rx.try_recv() {
                    Ok(j) => jobs.push(j),
                    Err(_) => break,
                }
            }
            let started = std::time::Instant::now();
            let seq_before = self.seq;
            let result = self.commit(&jobs, &mut buf);
            use std::sync::atomic::Ordering::Relaxed;
            self.stats.commits.fetch_add(1, Relaxed);
            self.stats.commit_micros.fetch_add(started.elapsed().as_micros() as u64, Relaxed);
            match result {
                Ok(()) => {
                    self.stats.entries.fetch_add(jobs.len() as u64, Relaxed);
                    for (i, job) in jobs.drain(..).enumerate() {
                        let _ = job.reply.send(Ok(seq_before + 1 + i as u64));
                    }
                }
                Err(e) => {
                    self.stats.failures.fetch_add(jobs.len() as u64, Relaxed);
                    // What reached the file is unknown: stop writing rather than fork the chain.
                    self.broken = Some(e.clone());
                    for job in jobs.drain(..) {
                        let _ = job.reply.send(Err(e.clone()));
                    }
                }
            }
        }
    }
}

impl DecisionLog {
    /// Opens (creating) the log directory, repairs an unfinished last line, and starts the writer thread.
    pub fn open(opts: Options) -> Result<(DecisionLog, Opened), String> {
        std::fs::create_dir_all(&opts.dir).map_err(|e| format!("{}: {e}", opts.dir.display()))?;
        let (seq, prev, cut) = recover(&opts.dir)?;
        let stats = std::sync::Arc::new(LogStats::default());
        let writer =
            Writer { opts, file: None, file_bytes: 0, file_day: 0, seq, prev, broken: None, stats: stats.clone() };
        writer.write_head()?;
        let (tx, rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("xince-decision-log".into())
            .spawn(move || writer.run(rx))
            .map_err(|e| e.to_string())?;
        let log =
            DecisionLog { tx: std::sync::Mutex::new(Some(tx)), thread: std::sync::Mutex::new(Some(thread)), stats };
        Ok((log, Opened { last_seq: seq, cut_bytes: cut }))
    }

    /// Queues an entry; the receiver gives its sequence number once it is committed.
    pub fn append(&self, body: String, day: i32) -> tokio::sync::oneshot::Receiver<Result<u64, String>> {
        let (reply, rx) = tokio::sync::oneshot::channel();
        let job = Job { body, day, reply };
        let refused = match self.tx.lock() {
            Ok(guard) => match guard.as_ref() {
                Some(tx) => tx.send(job).err().map(|mpsc::SendError(job)| job),
                None => Some(job),
            },
            Err(_) => Some(job),
        };
        if let Some(job) = refused {
            let _ = job.reply.send(Err("决定日志已关闭 / the log is closed".into()));
        }
        rx
    }

    /// Stops accepting entries, writes what is queued and waits for the writer.
    pub fn close(&self) {
        if let Ok(mut tx) = self.tx.lock() {
            *tx = None;
        }
        let thread = self.thread.lock().ok().and_then(|mut t| t.take());
        if let Some(t) = thread {
            let _ = t.join();
        }
    }
}

impl Drop for DecisionLog {
    fn drop(&mut self) {
        self.close();
    }
}

/// One parsed log line.
#[derive(Debug, Clone)]
pub struct Entry {
    pub seq: u64,
    pub prev: String,
    pub hash: String,
    pub value: serde_json::Value,
}

/// Parses a line and checks its own hash.
pub fn parse_line(line: &str) -> Result<Entry, String> {
    let n = line.len();
    if n < HASH_SUFFIX_LEN || !line.is_char_boundary(n - HASH_SUFFIX_LEN) {
        return Err("行太短 / line too short".into());
    }
    let (hashed, suffix) = line.split_at(n - HASH_SUFFIX_LEN);
    let stated = suffix.strip_prefix(",\"hash\":\"").and_then(|s| s.strip_suffix("\"}"));
    let Some(stated) = stated else {
        return Err("行尾没有 hash 字段 / line does not end with the hash field".into());
    };
    let value: serde_json::Value = serde_json::from_str(line).map_err(|e| format!("不是 JSON / not JSON: {e}"))?;
    let seq = value.get("seq").and_then(|v| v.as_u64()).ok_or("缺少 seq / no seq")?;
    let prev = value.get("prev").and_then(|v| v.as_str()).ok_or("缺少 prev / no prev")?.to_string();
    let actual = hex(&Sha256::digest(hashed.as_bytes()));
    if actual != stated {
        return Err(format!("第 {seq} 条的内容与其 hash 不符（被修改）/ entry {seq} does not match its hash (edited)"));
    }
    Ok(Entry { seq, prev, hash: stated.to_string(), value })
}

/// What `verify` found in a log that holds together.
#[derive(Debug, Serialize)]
pub struct Verified {
    pub files: usize,
    pub entries: u64,
    pub last_seq: u64,
    pub last_hash: String,
}

/// One break in the chain: where, and what.
#[derive(Debug, Serialize, Clone)]
pub struct Problem {
    pub file: String,
    pub line: usize,
    pub message: String,
}

/// Checks every entry of the log: its own hash, the sequence, the chain to the previous entry (across files),
/// a complete last line, and that the log reaches the committed `HEAD`.
pub fn verify(dir: &Path) -> Result<Verified, Vec<Problem>> {
    let mut problems = Vec::new();
    let files = match log_files(dir) {
        Ok(f) => f,
        Err(e) => {
            return Err(vec![Problem { file: dir.display().to_string(), line: 0, message: e.to_string() }]);
        }
    };
    let (mut seq, mut prev) = (0u64, ZERO_HASH.to_string());
    let mut entries = 0u64;
    for path in &files {
        let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        let text = match std::fs::read(path) {
            Ok(t) => t,
            Err(e) => {
                problems.push(Problem { file: name, line: 0, message: e.to_string() });
                continue;
            }
        };
        if !text.is_empty() && text.last() != Some(&b'\n') {
            problems.push(Problem {
                file: name.clone(),
                line: text.split(|&b| b == b'\n').count(),
                message: "最后一行不完整（尾部被截断）/ the last line is incomplete (truncated tail)".into(),
            });
        }
        let expected_first: Option<u64> =
            name.strip_prefix("decisions-").and_then(|n| n.strip_suffix(".jsonl")).and_then(|n| n.parse().ok());
        for (i, raw) in text.split(|&b| b == b'\n').enumerate() {
            if raw.is_empty() {
                continue;
            }
            let at = |message: String| Problem { file: name.clone(), line: i + 1, message };
            let Ok(line) = std::str::from_utf8(raw) else {
                problems.push(at("不是 UTF-8 / not UTF-8".into()));
                continue;
            };
            match parse_line(line) {
                Err(e) => problems.push(at(e)),
                Ok(entry) => {
                    if i == 0 && expected_first.is_some_and(|f| f != entry.seq) {
                        problems.push(at(format!(
                            "文件名所示首条序号与首条 seq {} 不符 / the file name's first seq differs from {}",
                            entry.seq, entry.seq
                        )));
                    }
                    if entry.seq != seq + 1 {
                        problems.push(at(format!(
                            "序号应为 {}，实为 {}（条目被删除、插入或重排）/ expected seq {}, found {} (entries removed, inserted or reordered)",
                            seq + 1,
                            entry.seq,
                            seq + 1,
                            entry.seq
                        )));
                    } else if entry.prev != prev {
                        problems.push(at(format!(
                            "第 {} 条的 prev 与上一条的 hash 不符（链断开）/ entry {} does not chain to the one before",
                            entry.seq, entry.seq
                        )));
                    }
                    seq = entry.seq;
                    prev = entry.hash;
                    entries += 1;
                }
            }
        }
    }
    match std::fs::read_to_string(dir.join("HEAD")) {
        Ok(head) => match serde_json::from_str::<serde_json::Value>(&head) {
            Ok(v) => {
                let head_seq = v.get("seq").and_then(|s| s.as_u64()).unwrap_or(0);
                let head_hash = v.get("hash").and_then(|s| s.as_str()).unwrap_or("");
                if head_seq > seq {
                    problems.push(Problem {
                        file: "HEAD".into(),
                        line: 1,
                        message: format!(
                            "已提交到第 {head_seq} 条，日志只到第 {seq} 条（尾部条目被删除）/ committed up to entry {head_seq}, the log ends at {seq} (entries removed from the tail)"
                        ),
                    });
                } else if head_seq == seq && head_hash != prev {
                    problems.push(Problem {
                        file: "HEAD".into(),
                        line: 1,
                        message: format!("第 {seq} 条的 hash 与 HEAD 不符 / entry {seq}'s hash differs from HEAD"),
                    });
                }
            }
            Err(e) => problems.push(Problem { file: "HEAD".into(), line: 1, message: e.to_string() }),
        },
        Err(_) if files.is_empty() => {
            problems.push(Problem {
                file: dir.display().to_string(),
                line: 0,
                message: "不是决定日志目录（没有 HEAD 和日志文件）/ not a decision log (no HEAD, no files)".into(),
            });
        }
        Err(e) => problems.push(Problem { file: "HEAD".into(), line: 0, message: e.to_string() }),
    }
    if problems.is_empty() {
        Ok(Verified { files: files.len(), entries, last_seq: seq, last_hash: prev })
    } else {
        Err(problems)
    }
}

/// Which entries `show` prints.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    /// Subject id as logged (a masked or hashed id matches its logged form; a full id also matches the
    /// logged masked form of it).
    pub subject: Option<String>,
    pub caller: Option<String>,
    /// Policy id.
    pub policy: Option<String>,
    /// `YYYY-MM-DD`, inclusive, on the entry's UTC time.
    pub from: Option<String>,
    pub until: Option<String>,
}

impl Filter {
    pub fn matches(&self, entry: &serde_json::Value, masker: &crate::mask::Masker) -> bool {
        let s = |v: &serde_json::Value, ptr: &str| v.pointer(ptr).and_then(|x| x.as_str()).map(str::to_string);
        if let Some(c) = &self.caller
            && s(entry, "/caller").as_deref() != Some(c.as_str())
        {
            return false;
        }
        if let Some(p) = &self.policy
            && s(entry, "/policy/id").as_deref() != Some(p.as_str())
        {
            return false;
        }
        if let Some(want) = &self.subject {
            let logged = s(entry, "/request/subject/id").unwrap_or_default();
            if &logged != want && logged != masker.mask_subject_id(want) {
                return false;
            }
        }
        let day = s(entry, "/time").map(|t| t.chars().take(10).collect::<String>()).unwrap_or_default();
        if self.from.as_ref().is_some_and(|f| day.as_str() < f.as_str()) {
            return false;
        }
        if self.until.as_ref().is_some_and(|u| day.as_str() > u.as_str()) {
            return false;
        }
        true
    }
}

/// Calls `each` with every entry (in order) that the filter keeps. Lines that do not parse are skipped
/// (`verify` is the tool that reports them).
pub fn show(
    dir: &Path,
    filter: &Filter,
    masker: &crate::mask::Masker,
    mut each: impl FnMut(&str) -> std::io::Result<()>,
) -> Result<u64, String> {
    let files = log_files(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut shown = 0;
    for path in files {
        let mut file = File::open(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        file.seek(SeekFrom::Start(0)).map_err(|e| e.to_string())?;
        let reader = std::io::BufReader::new(file);
        for line in std::io::BufRead::lines(reader) {
            let line = line.map_err(|e| format!("{}: {e}", path.display()))?;
            let Ok(value) = serde_json::from_str::<serde_json::Value>(&line) else { continue };
            if filter.matches(&value, masker) {
                each(&line).map_err(|e| e.to_string())?;
                shown += 1;
            }
        }
    }
    Ok(shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("xince-log-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    /// Writes `n` entries in commits of `group`, with files rotated every `rotate_bytes`.
    fn write(dir: &Path, n: usize, group: usize, rotate_bytes: u64) {
        let (log, _) = DecisionLog::open(Options {
            dir: dir.to_path_buf(),
            durability: Durability::Write,
            rotate_bytes,
            rotate_daily: true,
        })
        .unwrap_or_else(|e| panic!("{e}"));
        let mut k = 0;
        while k < n {
            let waits: Vec<_> = (k..(k + group).min(n))
                .map(|i| {
                    let body = entry_body(
                        "2026-12-04T00:00:00.000Z",
                        "测试",
                        ("p", "1", "sha256:00"),
                        &format!("{{\"subject\":{{\"id\":\"S{i}\"}}}}"),
                        "{}",
                    );
                    log.append(body, 20_000)
                })
                .collect();
            for w in waits {
                assert!(w.blocking_recv().unwrap_or_else(|e| panic!("{e}")).is_ok());
            }
            k += group;
        }
        log.close();
    }

    fn lines(dir: &Path) -> Vec<(PathBuf, Vec<String>)> {
        log_files(dir)
            .unwrap_or_default()
            .into_iter()
            .map(|p| {
                let text = std::fs::read_to_string(&p).unwrap_or_default();
                let l = text.lines().map(str::to_string).collect();
                (p, l)
            })
            .collect()
    }

    fn rewrite(path: &Path, lines: &[String]) {
        let mut text = lines.join("\n");
        text.push('\n');
        std::fs::write(path, text).unwrap_or_else(|e| panic!("{e}"));
    }

    fn problems(dir: &Path) -> String {
        match verify(dir) {
            Ok(v) => panic!("verified: {v:?}"),
            Err(p) => p.iter().map(|p| format!("{}:{}: {}", p.file, p.line, p.message)).collect::<Vec<_>>().join("\n"),
        }
    }

    #[test]
    fn an_intact_log_verifies_across_rotated_files_and_reopening() {
        let d = dir("intact");
        write(&d, 25, 4, 2000);
        write(&d, 5, 2, 2000); // reopened: the chain continues
        let v = verify(&d).unwrap_or_else(|p| panic!("{p:?}"));
        assert_eq!((v.entries, v.last_seq), (30, 30));
        assert!(v.files > 2, "rotation by size: {v:?}");
        let all: Vec<String> = lines(&d).into_iter().flat_map(|(_, l)| l).collect();
        for (i, line) in all.iter().enumerate() {
            let e = parse_line(line).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(e.seq, i as u64 + 1);
            assert_eq!(e.value["request"]["subject"]["id"], format!("S{}", if i < 25 { i } else { i - 25 }));
        }
    }

    #[test]
    fn every_kind_of_tampering_is_found() {
        let base = dir("tamper-base");
        write(&base, 12, 3, 1 << 30);
        let fresh = |name: &str| {
            let d = dir(name);
            std::fs::create_dir_all(&d).unwrap_or_else(|e| panic!("{e}"));
            for f in std::fs::read_dir(&base).unwrap_or_else(|e| panic!("{e}")) {
                let p = f.unwrap_or_else(|e| panic!("{e}")).path();
                std::fs::copy(&p, d.join(p.file_name().unwrap_or_default())).unwrap_or_else(|e| panic!("{e}"));
            }
            let (path, lines) = lines(&d).remove(0);
            (d, path, lines)
        };
        // Edited: one character of a decision changed.
        let (d, path, mut l) = fresh("tamper-edit");
        l[4] = l[4].replace("S4", "S9");
        rewrite(&path, &l);
        assert!(problems(&d).contains("does not match its hash"), "{}", problems(&d));
        // Removed from the middle.
        let (d, path, mut l) = fresh("tamper-remove");
        l.remove(6);
        rewrite(&path, &l);
        assert!(problems(&d).contains("expected seq 7, found 8"), "{}", problems(&d));
        // Reordered.
        let (d, path, mut l) = fresh("tamper-reorder");
        l.swap(2, 3);
        rewrite(&path, &l);
        assert!(problems(&d).contains("expected seq 3, found 4"), "{}", problems(&d));
        // Inserted: a well-formed entry with its own correct hash, spliced in.
        let (d, path, mut l) = fresh("tamper-insert");
        let forged_body = format!(
            "{{\"seq\":6,\"prev\":\"{}\",\"time\":\"x\"",
            parse_line(&l[4]).map(|e| e.hash).unwrap_or_default()
        );
        let forged = format!("{forged_body},\"hash\":\"{}\"}}", hex(&Sha256::digest(forged_body.as_bytes())));
        l.insert(5, forged);
        rewrite(&path, &l);
        assert!(problems(&d).contains("expected seq 7, found 6"), "{}", problems(&d));
        // Entries removed from the tail: HEAD remembers how far the log was committed.
        let (d, path, mut l) = fresh("tamper-tail");
        l.truncate(10);
        rewrite(&path, &l);
        assert!(problems(&d).contains("committed up to entry 12, the log ends at 10"), "{}", problems(&d));
        // A truncated last line.
        let (d, path, l) = fresh("tamper-cut");
        let mut text = l.join("\n");
        text.truncate(text.len() - 30);
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
        assert!(problems(&d).contains("truncated tail"), "{}", problems(&d));
    }

    #[test]
    fn opening_cuts_an_unfinished_line_and_continues_the_chain() {
        let d = dir("recover");
        write(&d, 4, 4, 1 << 30);
        let (path, l) = lines(&d).remove(0);
        let mut text = l.join("\n");
        text.push_str("\n{\"seq\":5,\"prev\":\"abc");
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
        let (log, opened) = DecisionLog::open(Options {
            dir: d.clone(),
            durability: Durability::Fsync,
            rotate_bytes: 1 << 30,
            rotate_daily: false,
        })
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(opened.last_seq, 4);
        assert!(opened.cut_bytes > 0);
        let seq = log.append(entry_body("t", "c", ("p", "1", "m"), "{}", "{}"), 1).blocking_recv();
        assert_eq!(seq.ok().and_then(Result::ok), Some(5));
        log.close();
        assert_eq!(verify(&d).map(|v| v.last_seq).ok(), Some(5));
    }
}
