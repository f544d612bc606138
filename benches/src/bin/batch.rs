//! Batch throughput: JSON Lines requests in, JSON Lines decisions out, through the wasm runtime on every
//! core (rayon). `batch <policy.wasm|-> <input.jsonl> <output.jsonl>`; `-` compiles the 梁平区 policy.
//! Prints wall time and decisions per second. Generate the input with `xince gen --count 1000000 …`.

use anyhow::Context;
use rayon::prelude::*;
use std::io::{BufRead, BufWriter, Write};
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, module, input, output] = args.as_slice() else {
        anyhow::bail!("usage: batch <policy.wasm|-> <input.jsonl> <output.jsonl>");
    };
    let wasm = if module == "-" { xince_bench::compile_policy()?.wasm } else { std::fs::read(module).context("module")? };
    let start = Instant::now();
    let runtime = xince_runtime::Runtime::new(xince_runtime::RuntimeConfig::default())?;
    let policy = runtime.load(&wasm).map_err(|e| anyhow::anyhow!("{e}"))?;
    let reader = std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(input).context("input")?);
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(output).context("output")?);
    let (mut total, mut errors) = (0usize, 0usize);
    let mut lines = reader.lines();
    loop {
        // Chunks keep memory flat and output in input order.
        let chunk: Vec<String> = lines.by_ref().take(16_384).collect::<Result<_, _>>()?;
        if chunk.is_empty() {
            break;
        }
        let answers: Vec<String> = chunk
            .par_iter()
            .map(|line| {
                let result = xince_abi::decode::parse_request(line)
                    .map_err(|e| format!("{e:?}"))
                    .and_then(|r| policy.evaluate(&r).map_err(|e| e.to_string()));
                match result {
                    Ok(d) => serde_json::to_string(&d).unwrap_or_default(),
                    Err(e) => serde_json::json!({ "error": e }).to_string(),
                }
            })
            .collect();
        for a in &answers {
            errors += a.starts_with("{\"error\"") as usize;
            out.write_all(a.as_bytes())?;
            out.write_all(b"\n")?;
        }
        total += chunk.len();
    }
    out.flush()?;
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "{total} subjects, {errors} errors, {secs:.2} s wall, {:.0} decisions/s, {} threads",
        total as f64 / secs,
        rayon::current_num_threads()
    );
    Ok(())
}
