//! Batch throughput: JSON Lines requests in, JSON Lines decisions out, through the product's own batch path
//! (`xince_batch::run`, the function behind `xince eval --input … --output …`) on every core.
//! `batch <policy.wasm|-> <input.jsonl> <output.jsonl> [threads]`; `-` compiles the 梁平区 policy.
//! Prints wall time and decisions per second. Generate the input with `xince gen --count 1000000 …`.

use anyhow::Context;
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (module, input, output, threads) = match args.as_slice() {
        [_, m, i, o] => (m, i, o, 0),
        [_, m, i, o, t] => (m, i, o, t.parse().context("threads")?),
        _ => anyhow::bail!("usage: batch <policy.wasm|-> <input.jsonl> <output.jsonl> [threads]"),
    };
    let wasm = if module == "-" { xince_bench::compile_policy()?.wasm } else { std::fs::read(module).context("module")? };
    let start = Instant::now();
    let runtime = xince_runtime::Runtime::new(xince_runtime::RuntimeConfig::default())?;
    let policy = runtime.load(&wasm).map_err(|e| anyhow::anyhow!("{e}"))?;
    let reader = std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(input).context("input")?);
    let writer = std::fs::File::create(output).context("output")?;
    let options = xince_batch::Options { threads, ..Default::default() };
    let summary = xince_batch::run(&policy, &options, reader, writer, |_| {})?;
    let secs = start.elapsed().as_secs_f64();
    let workers = if threads == 0 { std::thread::available_parallelism().map_or(1, |n| n.get()) } else { threads };
    eprintln!(
        "{} subjects, {} errors, {secs:.2} s wall, {:.0} decisions/s, {workers} workers",
        summary.requests,
        summary.failed,
        summary.requests as f64 / secs,
    );
    Ok(())
}
