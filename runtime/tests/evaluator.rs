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
    encode_request(&manifest(), &request).unwrap()
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
