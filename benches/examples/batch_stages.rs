//! Where the batch path spends its time, stage by stage, single-threaded:
//! `cargo run --release --example batch_stages -- /tmp/subjects_100k.jsonl`.
use std::time::Instant;
fn main() -> anyhow::Result<()> {
    let path = std::env::args().nth(1).unwrap_or_else(|| "/tmp/subjects_100k.jsonl".into());
    let text = std::fs::read_to_string(path)?;
    let lines: Vec<&str> = text.lines().collect();
    let wasm = xince_bench::compile_policy()?.wasm;
    let runtime = xince_runtime::Runtime::new(xince_runtime::RuntimeConfig::default())?;
    let policy = runtime.load(&wasm).map_err(|e| anyhow::anyhow!("{e}"))?;
    let m = policy.manifest();
    let n = lines.len() as f64;
    let mut st = [std::time::Duration::ZERO; 6];
    let mut buf = Vec::new();
    let mut bytes = 0;
    for l in &lines {
        let t = Instant::now();
        let r = xince_abi::decode::parse_request(l).map_err(|e| anyhow::anyhow!("{e}"))?;
        let t1 = Instant::now();
        let i = xince_abi::decode::encode_request(m, &r)?;
        let t2 = Instant::now();
        let raw = policy.evaluate_raw(&i)?;
        let t3 = Instant::now();
        let d = xince_abi::decode::decide_borrowed(m, &r, &raw);
        let t4 = Instant::now();
        buf.clear();
        serde_json::to_writer(&mut buf, &d)?;
        bytes += buf.len() + 1;
        let t5 = Instant::now();
        drop(d);
        drop((raw, i, r));
        let t6 = Instant::now();
        for (k, (a, b)) in [(t, t1), (t1, t2), (t2, t3), (t3, t4), (t4, t5), (t5, t6)].into_iter().enumerate() {
            st[k] += b - a;
        }
    }
    let [parse, enc, eval, dec, ser, free] = st;
    let t = Instant::now();
    for l in &lines {
        let r: xince_abi::request::Request = serde_json::from_str(l)?;
        std::hint::black_box(&r);
    }
    println!("plain serde   {:8.0} ns/line", t.elapsed().as_nanos() as f64 / n);
    let t = Instant::now();
    for l in &lines {
        let r: serde_json::Value = serde_json::from_str(l)?;
        std::hint::black_box(&r);
    }
    println!("Value         {:8.0} ns/line", t.elapsed().as_nanos() as f64 / n);
    for (name, d) in
        [("parse", parse), ("encode", enc), ("evaluate_raw", eval), ("decide", dec), ("serialize", ser), ("drop", free)]
    {
        println!("{name:14} {:8.0} ns/line  {:6.2} s per 1M", d.as_nanos() as f64 / n, d.as_secs_f64() * 1e6 / n);
    }
    println!("{} bytes out per line", bytes as f64 / n);
    Ok(())
}
