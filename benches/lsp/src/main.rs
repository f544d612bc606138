//! Edit → diagnostics latency of the language server on the largest seed policy, and its memory over 1,000 edits.
//!
//! The server runs in-process on an in-memory `lsp_server::Connection` (the same `xince_lsp::run` that `xince lsp`
//! runs on stdio), so the figure is the server's work: decoding the change, re-checking through salsa, converting
//! and sending the diagnostics. Each edit changes a string value of the policy, so the unit is re-parsed and
//! re-checked (an edit that only touches a comment would be cut short by salsa). Memory is the process's RSS.
//!
//! `cargo run --release -p xince-lsp-bench [-- EDITS [DEBOUNCE_MS]]` from `benches/`.

use anyhow::{Context, Result, anyhow, bail};
use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use xince_lsp::Files as _;

struct Disk;

impl xince_lsp::Files for Disk {
    fn context_root(&self, file: &Path) -> Option<PathBuf> {
        file.ancestors().skip(1).map(|a| a.join("policies")).find(|p| p.is_dir())
    }
    fn sources_under(&self, dir: &Path) -> Vec<(PathBuf, String)> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            let Ok(rd) = std::fs::read_dir(&d) else { continue };
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() && !p.ends_with("tests") {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "xince")
                    && let Ok(t) = std::fs::read_to_string(&p)
                {
                    out.push((p, t));
                }
            }
        }
        out
    }
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn wait_diagnostics(conn: &Connection, version: i64) -> Result<usize> {
    loop {
        match conn.receiver.recv_timeout(Duration::from_secs(30))? {
            Message::Notification(n)
                if n.method == "textDocument/publishDiagnostics" && n.params["version"] == json!(version) =>
            {
                return Ok(n.params["diagnostics"].as_array().map_or(0, Vec::len));
            }
            _ => {}
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let edits: usize = args.get(1).map(|s| s.parse()).transpose()?.unwrap_or(1000);
    let debounce: u64 = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(0);
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize()?;
    // The largest seed policy.
    let mut policies = Disk.sources_under(&repo.join("policies"));
    policies.sort_by_key(|(_, t)| std::cmp::Reverse(t.len()));
    let (path, text) = policies.into_iter().next().ok_or_else(|| anyhow!("no policies"))?;
    // The edit: the policy's `名称` string, as a drafter retyping it (one more character each time).
    let Some(at) = text.find("名称: \"").map(|i| i + "名称: \"".len()) else {
        bail!("{} has no 名称", path.display())
    };

    let (server, client) = Connection::memory();
    let thread = std::thread::spawn(move || {
        let options = xince_lsp::Options {
            files: Box::new(Disk),
            stdlib_dir: None,
            errors_dir: None,
            debounce: Duration::from_millis(debounce),
        };
        xince_lsp::run(&server, options)
    });
    let init = Request::new(RequestId::from(1), "initialize".into(), json!({ "capabilities": {}, "locale": "zh-CN" }));
    client.sender.send(init.into())?;
    loop {
        if let Message::Response(_) = client.receiver.recv()? {
            break;
        }
    }
    client.sender.send(Notification::new("initialized".into(), json!({})).into())?;
    let uri = xince_lsp::text::path_to_uri(&path).ok_or_else(|| anyhow!("no URI for {}", path.display()))?;
    let uri = uri.as_str().to_string();
    let open = json!({ "textDocument": { "uri": uri, "languageId": "xince", "version": 0, "text": text } });
    let t0 = Instant::now();
    client.sender.send(Notification::new("textDocument/didOpen".into(), open).into())?;
    let n = wait_diagnostics(&client, 0)?;
    let first = t0.elapsed();
    let rss_open = rss_kib();

    let mut times = Vec::with_capacity(edits);
    let mut rss = Vec::new();
    for i in 1..=edits {
        let edited = format!("{}{i}{}", &text[..at], &text[at..]);
        let change = json!({ "textDocument": { "uri": uri, "version": i }, "contentChanges": [ { "text": edited } ] });
        let t = Instant::now();
        client.sender.send(Notification::new("textDocument/didChange".into(), change).into())?;
        wait_diagnostics(&client, i as i64)?;
        times.push(t.elapsed());
        if i % (edits / 10).max(1) == 0 {
            rss.push((i, rss_kib()));
        }
    }
    client.sender.send(Request::new(RequestId::from(2), "shutdown".into(), json!(null)).into())?;
    client.sender.send(Notification::new("exit".into(), json!(null)).into())?;
    thread.join().map_err(|_| anyhow!("server thread panicked"))?.context("server")?;

    let mut sorted = times.clone();
    sorted.sort();
    let mean = times.iter().sum::<Duration>() / times.len().max(1) as u32;
    println!("policy: {} ({} bytes, {n} diagnostics on open)", path.strip_prefix(&repo)?.display(), text.len());
    println!("open → diagnostics (loads the policies/ context, checks cold): {first:.2?}");
    println!(
        "edit → diagnostics over {edits} edits (debounce {debounce} ms): mean {mean:.2?}, p50 {:.2?}, p95 {:.2?}, p99 {:.2?}, max {:.2?}",
        percentile(&sorted, 0.5),
        percentile(&sorted, 0.95),
        percentile(&sorted, 0.99),
        sorted.last().copied().unwrap_or_default()
    );
    println!("RSS after open: {} KiB", rss_open);
    for (i, r) in rss {
        println!("RSS after {i:>5} edits: {r} KiB");
    }
    Ok(())
}
