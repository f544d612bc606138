//! Batched evaluation of a real policy: a population larger than one `xince_evaluate_batch` call's byte budget
//! is split into several calls, and every subject gets exactly the answer (or error) the single call gives.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers outside #[test] fns

use xince_abi::decode::{encode_request, parse_request};
use xince_abi::input::Input;
use xince_runtime::{BATCH_INPUT_BYTES, EvalError, Runtime, RuntimeConfig};

fn liangping() -> Vec<u8> {
    let path = "policies/重庆市/梁平区/政策.xince";
    let mut compiler = xince_compiler::Compiler::new();
    let text = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap();
    compiler.set_file(path.to_string(), text);
    compiler.build(path).unwrap_or_else(|d| panic!("{}", compiler.render(&d, xince_lang::Lang::En, false))).wasm
}

/// Subject `i`: the example company with `i % 60` extra penalty records over the years and an evaluation
/// date that moves by day; every 97th is evaluated before the policy is in force (an error of its own).
fn population(manifest: &xince_abi::manifest::Manifest, count: usize) -> Vec<Input> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/requests/梁平区-食品企业.json"));
    let base = parse_request(&text.unwrap()).unwrap();
    (0..count)
        .map(|i| {
            let mut request = base.clone();
            let template = request.subject.records[0].clone();
            for k in 0..i % 60 {
                let mut r = template.clone();
                r.id = format!("x{k}");
                r.date = Some(format!("{}-{:02}-{:02}", 2019 + k % 6, 1 + k % 12, 1 + (i + k) % 28));
                r.severity = Some(["一般", "严重"][(i + k) % 2].to_string());
                request.subject.records.push(r);
            }
            request.as_of = if i % 97 == 0 {
                "2016-01-01".to_string()
            } else {
                format!("{}-{:02}-{:02}", 2019 + i % 7, 1 + i % 12, 1 + i % 28)
            };
            encode_request(manifest, &request).unwrap().input
        })
        .collect()
}

#[test]
fn a_population_beyond_one_call_gets_the_single_call_answers() {
    let runtime = Runtime::new(RuntimeConfig::default()).unwrap();
    let policy = runtime.load(&liangping()).unwrap();
    let inputs = population(policy.manifest(), 1500);
    let total: usize = inputs.iter().map(Input::encoded_len).sum();
    assert!(total > 2 * BATCH_INPUT_BYTES, "the population must need several calls ({total} bytes)");

    let mut evaluator = policy.evaluator();
    let mut answers = Vec::new();
    evaluator.evaluate_raw_batch(&inputs, &mut answers).unwrap();
    assert_eq!(answers.len(), inputs.len());
    let mut errors = 0;
    for (i, (input, answer)) in inputs.iter().zip(&answers).enumerate() {
        assert_eq!(answer, &policy.evaluate_raw(input), "subject {i}");
        errors += answer.is_err() as usize;
    }
    assert_eq!(errors, 1500usize.div_ceil(97), "exactly the subjects evaluated before the policy is in force");
    assert!(matches!(answers[0], Err(EvalError::Module { .. })));

    // A smaller batch on the same evaluator reuses the vector and shrinks it.
    evaluator.evaluate_raw_batch(&inputs[1..4], &mut answers).unwrap();
    assert_eq!(answers.len(), 3);
    assert_eq!(answers[2], policy.evaluate_raw(&inputs[3]));
}
