//! `Evaluator`: one instance kept across a loop of evaluations. It must answer exactly what the pooled
//! `Policy::evaluate_raw` answers, reuse its input area and output buffer, grow the area for a larger subject,
//! and replace its instance after a trap.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers outside #[test] fns

mod common;

use common::*;
use xince_abi::decode::{encode_request, parse_request};
use xince_abi::error::EvalErrorCode;
use xince_abi::input::Input;
use xince_abi::output::RawOutput;
use xince_runtime::EvalError;

fn input_with_dates(dates: &[&str]) -> Input {
    let mut request = parse_request(REQUEST_JSON).unwrap();
    let template = request.subject.records[1].clone();
    request.subject.records.truncate(1);
    for (i, date) in dates.iter().enumerate() {
        let mut r = template.clone();
        r.id = format!("p{i}");
        r.date = Some((*date).to_string());
        request.subject.records.push(r);
    }
    encode_request(&manifest(), &request).unwrap().input
}

#[test]
fn evaluator_answers_what_the_pool_answers() {
    let policy = runtime().load(&good_module()).unwrap();
    let mut evaluator = policy.evaluator();
    let mut out = RawOutput::default();
    // Listed, expired, not listed, and a subject with no records: each reuses the same buffers.
    for dates in [&["2023-03-01"][..], &["2019-01-01"], &[], &["2023-03-01", "2020-06-30", "2024-04-30"]] {
        let input = input_with_dates(dates);
        evaluator.evaluate_raw_into(&input, &mut out).unwrap();
        assert_eq!(out, policy.evaluate_raw(&input).unwrap(), "{dates:?}");
        assert_eq!(evaluator.evaluate_raw(&input).unwrap(), out);
    }
    let request = parse_request(REQUEST_JSON).unwrap();
    assert_eq!(evaluator.evaluate(&request).unwrap(), policy.evaluate(&request).unwrap());
}

#[test]
fn one_answer_vector_serves_batches_of_any_length() {
    let policy = runtime().load(&good_module()).unwrap();
    let mut evaluator = policy.evaluator();
    let subjects: Vec<Input> = [&["2023-03-01"][..], &["2019-01-01"], &[], &["2023-03-01", "2024-04-30"]]
        .iter()
        .map(|dates| input_with_dates(dates))
        .collect();
    let mut answers = Vec::new();
    // Longer, shorter, then longer again: the answers the shorter batch did not need come back.
    for take in [4, 1, 3, 4, 2] {
        let batch = &subjects[subjects.len() - take..];
        evaluator.evaluate_raw_batch(batch, &mut answers).unwrap();
        let expected: Vec<_> = batch.iter().map(|i| Ok(policy.evaluate_raw(i).unwrap())).collect();
        assert_eq!(answers, expected, "batch of {take}");
    }
}

#[test]
fn input_area_grows_for_a_larger_subject_and_refuses_what_does_not_fit() {
    let policy = runtime().load(&good_module()).unwrap();
    let mut evaluator = policy.evaluator();
    let small = input_with_dates(&["2023-03-01"]);
    let expected = evaluator.evaluate_raw(&small).unwrap();
    // The fixture's allocator grants at most 30 000 bytes: 400 records (25 632 bytes) fit, 500 do not.
    let fits = input_with_dates(&vec!["2023-03-01"; 400]);
    assert_eq!(evaluator.evaluate_raw(&fits).unwrap(), policy.evaluate_raw(&fits).unwrap());
    let too_large = input_with_dates(&vec!["2023-03-01"; 500]);
    assert_eq!(
        evaluator.evaluate_raw(&too_large).unwrap_err(),
        EvalError::Module { code: EvalErrorCode::InputTooLarge, record: None }
    );
    // Refusing one input leaves the evaluator serving the next.
    assert_eq!(evaluator.evaluate_raw(&small).unwrap(), expected);
}

#[test]
fn a_trap_replaces_the_instance() {
    // Traps when the first record's date is after as_of, answers like the good module otherwise.
    let wat = GOOD_WAT.replacen(
        "(local.set $as_of (i32.load offset=8 (local.get $p)))",
        "(local.set $as_of (i32.load offset=8 (local.get $p)))
    (if (i32.gt_s (i32.load offset=48 (local.get $p)) (local.get $as_of)) (then unreachable))",
        1,
    );
    assert_ne!(wat, GOOD_WAT);
    let policy = runtime().load(&module(&wat, MANIFEST_JSON)).unwrap();
    let mut evaluator = policy.evaluator();
    let good = input_with_dates(&["2023-03-01"]);
    let mut trapping = good.clone();
    trapping.records[0].date = trapping.as_of + 1;
    let expected = evaluator.evaluate_raw(&good).unwrap();
    assert!(matches!(evaluator.evaluate_raw(&trapping).unwrap_err(), EvalError::Trap(_)));
    assert_eq!(evaluator.evaluate_raw(&good).unwrap(), expected);
}

#[test]
fn batch_without_the_export_calls_once_per_input() {
    // The fixture module has no `xince_evaluate_batch`: the runtime falls back to one call per input, with
    // each input's own errors in its slot.
    let policy = runtime().load(&good_module()).unwrap();
    let mut evaluator = policy.evaluator();
    let inputs = [input_with_dates(&["2023-03-01"]), input_with_dates(&vec!["2023-03-01"; 500]), input_with_dates(&[])];
    let mut answers = Vec::new();
    evaluator.evaluate_raw_batch(&inputs, &mut answers).unwrap();
    assert_eq!(answers.len(), 3);
    assert_eq!(answers[0], policy.evaluate_raw(&inputs[0]));
    assert_eq!(answers[1], Err(EvalError::Module { code: EvalErrorCode::InputTooLarge, record: None }));
    assert_eq!(answers[2], policy.evaluate_raw(&inputs[2]));
    // A shorter batch reuses the same vector.
    evaluator.evaluate_raw_batch(&inputs[2..], &mut answers).unwrap();
    assert_eq!(answers, vec![policy.evaluate_raw(&inputs[2])]);
}

/// The good module plus a batch export whose answer region is `region` (placed by a data segment at 40000).
fn with_batch_answer(region: &[u8]) -> Vec<u8> {
    let escaped: String = region.iter().map(|b| format!("\\{b:02x}")).collect();
    let wat = GOOD_WAT.trim_end().strip_suffix(')').unwrap().to_string()
        + &format!(
            r#"  (func (export "xince_evaluate_batch") (param i32 i32 i32) (result i32 i32 i32)
    (i32.const 0) (i32.const 40000) (i32.const {len}))
  (data (i32.const 40000) "{escaped}"))"#,
            len = region.len()
        );
    module(&wat, MANIFEST_JSON)
}

#[test]
fn malformed_batch_answers_fail_the_batch_and_the_evaluator_recovers() {
    let one = input_with_dates(&["2023-03-01"]);
    let expected = runtime().load(&good_module()).unwrap().evaluate_raw(&one).unwrap();
    let answer = expected.to_bytes();
    let framed = |status: i32, size: usize, body: &[u8]| {
        let mut b = status.to_le_bytes().to_vec();
        b.extend((size as i32).to_le_bytes());
        b.extend(body);
        b.resize(b.len().next_multiple_of(8), 0);
        b
    };
    // A well-framed batch answer decodes like a single one.
    let policy = runtime().load(&with_batch_answer(&framed(0, answer.len(), &answer))).unwrap();
    let mut answers = Vec::new();
    policy.evaluator().evaluate_raw_batch(std::slice::from_ref(&one), &mut answers).unwrap();
    assert_eq!(answers, vec![Ok(expected.clone())]);

    let mut truncated = framed(0, answer.len(), &answer);
    truncated.truncate(20);
    let mut extra = framed(0, answer.len(), &answer);
    extra.extend([0u8; 8]);
    let mut bad_count = answer.clone();
    bad_count[8] = 7; // measure count
    let cases: [(&str, Vec<u8>); 4] = [
        ("truncated", truncated),
        ("trailing bytes", extra),
        ("unknown status", framed(77, 32, &answer[..32])),
        ("bad answer", framed(0, bad_count.len(), &bad_count)),
    ];
    for (name, region) in cases {
        let policy = runtime().load(&with_batch_answer(&region)).unwrap();
        let mut evaluator = policy.evaluator();
        let err = evaluator.evaluate_raw_batch(std::slice::from_ref(&one), &mut answers).unwrap_err();
        assert!(matches!(err, EvalError::MalformedAnswer(_) | EvalError::UnknownStatus(77)), "{name}: {err:?}");
        // The single-input path still works on the same evaluator (a fresh instance).
        assert_eq!(evaluator.evaluate_raw(&one).unwrap(), expected, "{name}");
    }
}
