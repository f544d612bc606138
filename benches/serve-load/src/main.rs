//! Load generator for `xince serve` (issue 16): starts the server binary on a loopback port, drives it with N
//! keep-alive HTTP/1.1 connections (one thread each) sending `POST /v1/evaluate` for a fixed time, and
//! reports decisions/s, latency percentiles, and the server's CPU time and peak RSS (from /proc).
//!
//! ```text
//! cargo run --release --manifest-path benches/serve-load/Cargo.toml -- \
//!     --xince target/release/xince --bundle target/bench-bundle --connections 1,16,64 --seconds 5
//! ```
//!
//! Each configuration runs twice on a fresh server: decision log off (`--no-log`) and on (fsync group commit).
//! Standard library only, so it builds in seconds.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

struct Options {
    xince: String,
    bundle: String,
    request: String,
    connections: Vec<usize>,
    seconds: u64,
    threads: Option<String>,
}

fn parse() -> Result<Options, String> {
    let mut o = Options {
        xince: "target/release/xince".into(),
        bundle: "target/bench-bundle".into(),
        request: "examples/requests/梁平区-食品企业.json".into(),
        connections: vec![1, 16, 64],
        seconds: 5,
        threads: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut v = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--xince" => o.xince = v()?,
            "--bundle" => o.bundle = v()?,
            "--request" => o.request = v()?,
            "--seconds" => o.seconds = v()?.parse().map_err(|e| format!("--seconds: {e}"))?,
            "--threads" => o.threads = Some(v()?),
            "--connections" => {
                o.connections = v()?
                    .split(',')
                    .map(|n| n.trim().parse().map_err(|e| format!("--connections: {e}")))
                    .collect::<Result<_, _>>()?
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(o)
}

/// Server CPU seconds (user + system) and peak RSS in KiB, from /proc.
fn usage(pid: u32) -> (f64, u64) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    // Fields after the command: state is 0, utime is 11, stime is 12 (proc(5) numbers 14 and 15).
    let cpu = (ticks(11) + ticks(12)) / 100.0;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let hwm = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    (cpu, hwm)
}

/// Reads one HTTP/1.1 answer with a Content-Length from a keep-alive connection; returns the status.
fn read_answer(reader: &mut BufReader<TcpStream>, body: &mut Vec<u8>) -> std::io::Result<u16> {
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let status = line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let mut length = 0usize;
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Err(std::io::Error::other("closed"));
        }
        if line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
    }
    body.resize(length, 0);
    reader.read_exact(body)?;
    Ok(status)
}

struct Run {
    decisions: usize,
    errors: usize,
    latencies: Vec<Duration>,
    elapsed: Duration,
    cpu: f64,
    rss_kib: u64,
}

fn drive(addr: &str, payload: &[u8], connections: usize, seconds: u64, pid: u32) -> Run {
    let stop = Arc::new(AtomicBool::new(false));
    let (cpu0, _) = usage(pid);
    let start = Instant::now();
    let workers: Vec<_> = (0..connections)
        .map(|_| {
            let (stop, addr, payload) = (stop.clone(), addr.to_string(), payload.to_vec());
            std::thread::spawn(move || {
                let mut latencies = Vec::with_capacity(1 << 16);
                let mut errors = 0usize;
                let Ok(stream) = TcpStream::connect(&addr) else { return (latencies, 1) };
                let _ = stream.set_nodelay(true);
                let Ok(mut writer) = stream.try_clone() else { return (latencies, 1) };
                let mut reader = BufReader::new(stream);
                let head = format!(
                    "POST /v1/evaluate HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                    payload.len()
                );
                let mut message = head.into_bytes();
                message.extend_from_slice(&payload);
                let mut body = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let t = Instant::now();
                    if writer.write_all(&message).is_err() {
                        errors += 1;
                        break;
                    }
                    match read_answer(&mut reader, &mut body) {
                        Ok(200) => latencies.push(t.elapsed()),
                        Ok(_) => errors += 1,
                        Err(_) => {
                            errors += 1;
                            break;
                        }
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(seconds));
    stop.store(true, Ordering::Relaxed);
    let mut latencies = Vec::new();
    let mut errors = 0;
    for w in workers {
        if let Ok((l, e)) = w.join() {
            latencies.extend(l);
            errors += e;
        }
    }
    let elapsed = start.elapsed();
    let (cpu1, rss_kib) = usage(pid);
    latencies.sort();
    Run { decisions: latencies.len(), errors, latencies, elapsed, cpu: cpu1 - cpu0, rss_kib }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64() * 1e6
}

fn main() {
    let o = match parse() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let request = match std::fs::read_to_string(&o.request) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{}: {e}", o.request);
            std::process::exit(2);
        }
    };
    let payload = format!("{{\"jurisdiction\":\"重庆市/梁平区\",\"request\":{}}}", request.trim()).into_bytes();
    println!(
        "| log | connections | decisions/s | p50 µs | p99 µs | p99.9 µs | errors | server CPU (cores) | server CPU µs/decision | server peak RSS MiB |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for log in [false, true] {
        for &connections in &o.connections {
            let log_dir = std::env::temp_dir().join(format!("xince-serve-load-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&log_dir);
            let mut cmd = Command::new(&o.xince);
            cmd.args(["serve", "--bundle", &o.bundle, "--dev-anonymous", "--listen", "127.0.0.1:0", "--reload-poll-ms", "0"]);
            if let Some(t) = &o.threads {
                cmd.args(["--threads", t]);
            }
            if log {
                cmd.args(["--log-dir", log_dir.to_str().unwrap_or("/tmp/xince-serve-load")]);
            } else {
                cmd.arg("--no-log");
            }
            let Ok(mut child) = cmd.stdout(Stdio::null()).stderr(Stdio::piped()).spawn() else {
                eprintln!("cannot start {}", o.xince);
                std::process::exit(2);
            };
            let Some(stderr) = child.stderr.take() else { std::process::exit(2) };
            let mut lines = BufReader::new(stderr).lines();
            let addr = loop {
                match lines.next() {
                    Some(Ok(line)) => {
                        if let Some(i) = line.find("http://") {
                            break line[i + 7..].split_whitespace().next().unwrap_or("").to_string();
                        }
                    }
                    _ => {
                        eprintln!("the server did not start");
                        std::process::exit(2);
                    }
                }
            };
            std::thread::spawn(move || for _ in lines {});
            // Warm up: instances, caches, the log file.
            let _ = drive(&addr, &payload, connections, 1, child.id());
            let run = drive(&addr, &payload, connections, o.seconds, child.id());
            let secs = run.elapsed.as_secs_f64();
            println!(
                "| {} | {connections} | {:.0} | {:.0} | {:.0} | {:.0} | {} | {:.2} | {:.1} | {:.0} |",
                if log { "on (fsync)" } else { "off" },
                run.decisions as f64 / secs,
                percentile(&run.latencies, 0.5),
                percentile(&run.latencies, 0.99),
                percentile(&run.latencies, 0.999),
                run.errors,
                run.cpu / secs,
                run.cpu * 1e6 / (run.decisions.max(1) as f64),
                run.rss_kib as f64 / 1024.0
            );
            let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
            let _ = child.wait();
            let _ = std::fs::remove_dir_all(&log_dir);
        }
    }
}
