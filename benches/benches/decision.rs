//! Per-decision cost, same subjects, same run: wasm runtime, reference interpreter, hand-written Rust,
//! Cedar and regorus. Each engine gets the subjects in its native input form, built before timing; one
//! iteration evaluates the whole sample (`SAMPLE` subjects), so criterion's time / SAMPLE = cost per decision.
//! `XINCE_BENCH_SUBJECTS` changes the sample size.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use xince_bench::*;

/// Subjects per `xince_evaluate_batch` call in `wasm_runtime_raw_batched`.
const BATCH: usize = 64;

/// Evaluates `inputs` `BATCH` per wasm call; the number of subjects answered (errors are not).
fn batched(
    evaluator: &mut xince_runtime::Evaluator,
    inputs: &[xince_abi::input::Input],
    answers: &mut Vec<Result<xince_abi::output::RawOutput, xince_runtime::EvalError>>,
) -> u32 {
    inputs
        .chunks(BATCH)
        .map(|c| match evaluator.evaluate_raw_batch(black_box(c), answers) {
            Ok(()) => answers.iter().filter(|a| a.is_ok()).count() as u32,
            Err(_) => 0,
        })
        .sum()
}

fn sample_size() -> u64 {
    std::env::var("XINCE_BENCH_SUBJECTS").ok().and_then(|s| s.parse().ok()).unwrap_or(1000)
}

fn per_decision(c: &mut Criterion) {
    let n = sample_size();
    let population = match population::Population::new(42, AS_OF) {
        Ok(p) => p,
        Err(e) => return eprintln!("population: {e}"),
    };
    let requests: Vec<_> = population.iter(n).collect();
    let rules = handwritten::Rules::new();
    let cases: Vec<_> = requests.iter().filter_map(|r| handwritten::ingest(r).ok()).collect();
    let mut group = c.benchmark_group("decision");
    group.throughput(Throughput::Elements(cases.len() as u64));

    match compile_policy().and_then(|compiled| inputs(&compiled, 42, n).map(|i| (compiled, i))) {
        Ok((compiled, inputs)) => {
            match xince_runtime::Runtime::new(xince_runtime::RuntimeConfig::default())
                .map_err(anyhow::Error::from)
                .and_then(|rt| rt.load(&compiled.wasm).map_err(|e| anyhow::anyhow!("{e}")))
            {
                Ok(policy) => {
                    // One wasm call per decision, on a thread's own instance, answers decoded into one buffer.
                    let mut evaluator = policy.evaluator();
                    let mut out = xince_abi::output::RawOutput::default();
                    group.bench_function("wasm_runtime_raw", |b| {
                        b.iter(|| {
                            inputs
                                .encoded
                                .iter()
                                .map(|i| evaluator.evaluate_raw_into(black_box(i), &mut out).is_ok() as u32)
                                .sum::<u32>()
                        })
                    });
                    // BATCH subjects per wasm call (xince_evaluate_batch), answers decoded into reused buffers.
                    let mut answers = Vec::new();
                    group.bench_function("wasm_runtime_raw_batched", |b| {
                        b.iter(|| batched(&mut evaluator, &inputs.encoded, &mut answers))
                    });
                    // The same batches in a runtime without fuel metering (the epoch deadline still bounds time):
                    // what metering costs, not a recommended setting.
                    let unmetered = xince_runtime::Runtime::new(xince_runtime::RuntimeConfig {
                        fuel_per_evaluation: None,
                        ..Default::default()
                    })
                    .map_err(anyhow::Error::from)
                    .and_then(|rt| rt.load(&compiled.wasm).map_err(|e| anyhow::anyhow!("{e}")));
                    match unmetered {
                        Ok(unmetered) => {
                            let mut evaluator = unmetered.evaluator();
                            group.bench_function("wasm_runtime_raw_batched_no_fuel", |b| {
                                b.iter(|| batched(&mut evaluator, &inputs.encoded, &mut answers))
                            });
                        }
                        Err(e) => eprintln!("wasm runtime without fuel skipped: {e:#}"),
                    }
                    // The convenience call: an instance from the shared pool and a fresh answer per decision.
                    group.bench_function("wasm_runtime_raw_pooled", |b| {
                        b.iter(|| {
                            inputs.encoded.iter().map(|i| policy.evaluate_raw(black_box(i)).is_ok() as u32).sum::<u32>()
                        })
                    });
                    group.bench_function("wasm_runtime_request_to_decision", |b| {
                        b.iter(|| {
                            inputs.requests.iter().map(|r| evaluator.evaluate(black_box(r)).is_ok() as u32).sum::<u32>()
                        })
                    });
                }
                Err(e) => eprintln!("wasm runtime skipped: {e:#}"),
            }
            group.bench_function("reference_interpreter", |b| {
                b.iter(|| {
                    inputs
                        .encoded
                        .iter()
                        .map(|i| xince_compiler::interp::evaluate(&compiled.program, black_box(i)).is_ok() as u32)
                        .sum::<u32>()
                })
            });
        }
        Err(e) => eprintln!("policy does not compile; wasm and interpreter skipped: {e:#}"),
    }

    group.bench_function("handwritten_rust", |b| {
        b.iter(|| cases.iter().map(|c| rules.evaluate(black_box(c)).is_ok() as u32).sum::<u32>())
    });
    group.bench_function("handwritten_rust_from_request", |b| {
        b.iter(|| {
            requests
                .iter()
                .filter_map(|r| handwritten::ingest(black_box(r)).ok())
                .map(|c| rules.evaluate(&c).is_ok() as u32)
                .sum::<u32>()
        })
    });

    match cedar_peer::CedarPeer::new() {
        Ok(cedar) => {
            let prepared: Vec<_> =
                cases.iter().enumerate().filter_map(|(i, c)| cedar.prepare(&rules, c, i).ok()).collect();
            group.bench_function("cedar", |b| {
                b.iter(|| prepared.iter().map(|c| cedar.decide(black_box(c)).is_ok() as u32).sum::<u32>())
            });
        }
        Err(e) => eprintln!("cedar skipped: {e:#}"),
    }
    match rego_peer::RegoPeer::new() {
        Ok(mut rego) => {
            let prepared: Vec<_> = cases.iter().filter_map(|c| rego_peer::RegoPeer::prepare(c).ok()).collect();
            group.sample_size(10);
            group.bench_function("regorus", |b| {
                b.iter(|| prepared.iter().map(|v| rego.decide(black_box(v)).is_ok() as u32).sum::<u32>())
            });
        }
        Err(e) => eprintln!("regorus skipped: {e:#}"),
    }
    group.finish();
}

criterion_group!(benches, per_decision);
criterion_main!(benches);
