//! A module's answer is untrusted input: decoding any bytes against any shape returns an answer or an error,
//! never panics; a valid answer decodes to what was encoded, and whatever decodes re-encodes to its bytes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers outside #[test] fns

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use xince_abi::layout::{self, ListStatus, MeasureStatus, ObjectionStatus};
use xince_abi::output::{IncentiveOutcome, ListOutcome, ObjectionOutcome, OutputShape, RawOutput};

fn arb_shape() -> impl Strategy<Value = (OutputShape, usize)> {
    (0..3usize, 0..6usize, proptest::collection::vec(0..3usize, 0..4), 0..3usize, 0..4usize, 0..4usize).prop_map(
        |(lists, measures, incentive_clauses, notifications, grade_levels, records)| {
            (OutputShape { lists, measures, incentive_clauses, notifications, grade_levels, regimes: 3 }, records)
        },
    )
}

fn index(bound: usize) -> impl Strategy<Value = i32> {
    -1..bound as i32
}

/// A valid answer of that shape for `records` records.
fn arb_valid(shape: OutputShape, records: usize) -> impl Strategy<Value = RawOutput> {
    let list = (0..7i32, index(records), any::<i32>(), any::<i32>(), any::<i32>(), any::<i32>(), -1..3i32)
        .prop_flat_map(move |l| (Just(l), index(shape.lists)));
    let lists = proptest::collection::vec(list, shape.lists);
    let measures = proptest::collection::vec(0..5i32, shape.measures);
    let incentives = shape.incentive_clauses.iter().map(|&c| index(c)).collect::<Vec<_>>();
    let notifications = proptest::collection::vec(any::<bool>(), shape.notifications);
    let objections = proptest::collection::vec((0..records.max(1) as i32, any::<i32>(), 0..3i32), 0..=records);
    (lists, measures, incentives, notifications, index(shape.grade_levels), objections).prop_map(
        move |(lists, measures, incentives, notifications, grade, objections)| RawOutput {
            lists: lists
                .into_iter()
                .map(|((status, record, entered, last_day, earliest_repair, ended_on, regime), overridden_by)| {
                    ListOutcome {
                        status: ListStatus::from_code(status).unwrap(),
                        record,
                        entered,
                        last_day,
                        earliest_repair,
                        ended_on,
                        regime,
                        overridden_by,
                    }
                })
                .collect(),
            measures: measures.into_iter().map(|m| MeasureStatus::from_code(m).unwrap()).collect(),
            incentives: incentives
                .into_iter()
                .map(|failed_clause| IncentiveOutcome { eligible: failed_clause == -1, failed_clause })
                .collect(),
            notifications,
            grade,
            objections: if records == 0 { vec![] } else { objections }
                .into_iter()
                .map(|(record, due, status)| ObjectionOutcome {
                    record,
                    due,
                    status: ObjectionStatus::from_code(status).unwrap(),
                })
                .collect(),
        },
    )
}

/// A shape, a record count, a valid answer and maybe one word of it overwritten.
fn arb_case() -> impl Strategy<Value = (OutputShape, usize, RawOutput, Option<(usize, i32)>)> {
    arb_shape().prop_flat_map(|(shape, records)| {
        let answer = arb_valid(shape.clone(), records);
        let corruption = proptest::option::weighted(0.5, (any::<prop::sample::Index>(), -3..10i32));
        (Just(shape), Just(records), answer, corruption).prop_map(|(shape, records, answer, corruption)| {
            let words = answer.encoded_len() / 4;
            (shape, records, answer, corruption.map(|(at, v)| (at.index(words), v)))
        })
    })
}

fn bytes_of(answer: &RawOutput, corruption: Option<(usize, i32)>) -> Vec<u8> {
    let mut bytes = answer.to_bytes();
    if let Some((word, v)) = corruption {
        bytes[4 * word..4 * word + 4].copy_from_slice(&v.to_le_bytes());
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn answers_decode_exactly_or_are_refused((shape, records, answer, corruption) in arb_case()) {
        let bytes = bytes_of(&answer, corruption);
        let mut reused = RawOutput::default();
        match RawOutput::from_bytes(&bytes, &shape, records) {
            Ok(raw) => {
                if corruption.is_none() {
                    prop_assert_eq!(&raw, &answer);
                }
                prop_assert_eq!(&raw.to_bytes()[..], &bytes[..raw.encoded_len()]);
                // Decoding into a buffer that held another answer gives the same answer.
                reused.decode_from(&bytes, &shape, records).unwrap();
                prop_assert_eq!(reused, raw);
            }
            Err(e) => {
                prop_assert!(corruption.is_some(), "a valid answer was refused: {}", e);
                prop_assert!(!e.to_string().is_empty());
            }
        }
    }

    #[test]
    fn arbitrary_bytes_are_refused_without_panicking(
        (shape, records) in arb_shape(),
        bytes in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        // Without the magic there is no answer; with it (rarely), the answer has the promised shape.
        match RawOutput::from_bytes(&bytes, &shape, records) {
            Ok(raw) => {
                prop_assert!(bytes.starts_with(&layout::OUTPUT_MAGIC.to_le_bytes()));
                prop_assert_eq!((raw.lists.len(), raw.measures.len()), (shape.lists, shape.measures));
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }
}

#[test]
fn corrupted_cases_reach_both_outcomes() {
    // The property is only as good as its cases: some overwritten answers must still decode, some must not.
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut decoded, mut refused) = (0, 0);
    for _ in 0..1000 {
        let (shape, records, answer, corruption) = arb_case().new_tree(&mut runner).unwrap().current();
        if corruption.is_some() {
            match RawOutput::from_bytes(&bytes_of(&answer, corruption), &shape, records) {
                Ok(_) => decoded += 1,
                Err(_) => refused += 1,
            }
        }
    }
    assert!(decoded > 50 && refused > 50, "{decoded} decoded, {refused} refused");
}
