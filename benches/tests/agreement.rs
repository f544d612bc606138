#![allow(clippy::unwrap_used)] // test code: a failed setup should fail the test loudly
//! The engines measured side by side must compute the same thing, or the ratios mean nothing: hand-written
//! Rust against the reference interpreter (full raw answer), the wasm runtime against the interpreter, and
//! Cedar and regorus against hand-written Rust on the part of the answer they can give.

use xince_abi::layout::{ListStatus, MeasureStatus};
use xince_bench::*;

const SUBJECTS: u64 = 3000;

fn setup() -> (Compiled, Inputs) {
    let compiled = compile_policy().unwrap();
    let inputs = inputs(&compiled, 11, SUBJECTS).unwrap();
    (compiled, inputs)
}

#[test]
fn handwritten_agrees_with_the_interpreter() {
    let (compiled, inputs) = setup();
    let rules = handwritten::Rules::new();
    let mut listed = 0;
    for (i, (case, input)) in inputs.cases.iter().zip(&inputs.encoded).enumerate() {
        let want = xince_compiler::interp::evaluate(&compiled.program, input);
        let got = rules.evaluate(case);
        match (want, got) {
            (Ok(want), Ok(got)) => {
                assert_eq!(handwritten_to_raw(&got), want, "subject {i}: {:?}", inputs.requests[i]);
                if got.black.status == ListStatus::Active {
                    listed += 1;
                }
            }
            (want, got) => panic!("subject {i}: interpreter {want:?}, hand-written {got:?}"),
        }
    }
    // The population is meant to have about 7.5% with a blacklisting record; fewer are still listed.
    assert!(listed > 20, "only {listed} subjects actively blacklisted");
}

#[test]
fn wasm_agrees_with_the_interpreter() {
    let (compiled, inputs) = setup();
    let runtime = xince_runtime::Runtime::new(xince_runtime::RuntimeConfig::default()).unwrap();
    let policy = runtime.load(&compiled.wasm).unwrap();
    for (i, input) in inputs.encoded.iter().enumerate().take(1000) {
        let want = xince_compiler::interp::evaluate(&compiled.program, input).map_err(|e| format!("{e:?}"));
        let got = policy.evaluate_raw(input).map_err(|e| format!("{e:?}"));
        assert_eq!(got.is_ok(), want.is_ok(), "subject {i}: {got:?} vs {want:?}");
        if let (Ok(got), Ok(want)) = (got, want) {
            assert_eq!(got, want, "subject {i}");
        }
    }
    // The paths the benchmark times: one instance per loop, single calls into one buffer and batches.
    let mut evaluator = policy.evaluator();
    let mut out = xince_abi::output::RawOutput::default();
    let mut answers = Vec::new();
    for (c, chunk) in inputs.encoded.chunks(64).enumerate() {
        evaluator.evaluate_raw_batch(chunk, &mut answers).unwrap();
        for (k, (input, answer)) in chunk.iter().zip(&answers).enumerate() {
            let want = xince_compiler::interp::evaluate(&compiled.program, input).map_err(|e| format!("{e:?}"));
            let got = answer.clone().map_err(|e| format!("{e:?}"));
            assert_eq!(got.is_ok(), want.is_ok(), "subject {}: {got:?} vs {want:?}", 64 * c + k);
            if let (Ok(got), Ok(want)) = (got, want) {
                assert_eq!(got, want, "batched subject {}", 64 * c + k);
                evaluator.evaluate_raw_into(input, &mut out).unwrap();
                assert_eq!(out, want, "single subject {}", 64 * c + k);
            }
        }
    }
}

fn reduced(o: &handwritten::Outcome, case: &handwritten::Case) -> (&'static str, bool, Vec<bool>, Vec<bool>) {
    let black = match o.black.status {
        ListStatus::Active => "active",
        ListStatus::Suspended => "suspended",
        _ => "none",
    };
    let honour = case.records.iter().any(|r| {
        r.kind == handwritten::RecordKind::Honour
            && r.date <= case.as_of
            && !(r.objection_upheld && r.objection_resolved <= case.as_of)
    });
    let measures = o.measures.iter().map(|m| *m == MeasureStatus::Active).collect();
    (black, honour, measures, o.incentives.iter().map(|i| i.is_ok()).collect())
}

#[test]
fn cedar_and_regorus_agree_with_handwritten() {
    // Independent of the compiler: the hand-written rules are the reference here.
    let requests: Vec<_> = population::Population::new(11, AS_OF).unwrap().iter(SUBJECTS).collect();
    let cases: Vec<_> = requests.iter().map(|r| handwritten::ingest(r).unwrap()).collect();
    let rules = handwritten::Rules::new();
    let cedar = cedar_peer::CedarPeer::new().unwrap();
    let mut rego = rego_peer::RegoPeer::new().unwrap();
    let mut rego_month_end_differences = 0;
    for (i, case) in cases.iter().enumerate().take(1000) {
        let want = reduced(&rules.evaluate(case).unwrap(), case);
        let c = cedar.decide(&cedar.prepare(&rules, case, i).unwrap()).unwrap();
        assert_eq!((c.black, c.honour, c.measures.to_vec(), c.incentives.to_vec()), want, "cedar, subject {i}");
        let r = rego.decide(&rego_peer::RegoPeer::prepare(case).unwrap()).unwrap();
        if (r.black.as_str(), r.honour, r.measures.clone(), r.incentives.clone()) != want {
            // Allowed only where Go-style month normalisation moves a last day (see rego_peer docs).
            rego_month_end_differences += 1;
            eprintln!("regorus differs on subject {i}: {r:?} vs {want:?}");
        }
    }
    assert!(rego_month_end_differences <= 5, "{rego_month_end_differences} regorus answers differ");
}
