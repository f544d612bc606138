//! Month arithmetic in the generated code (a month-table fast path with an arithmetic fallback) against
//! `CivilDate::add_months` (民法典 第二百零二条 month-end rule), which the reference interpreter uses: every
//! day at the table's edges and across 2015–2027, and every month end and month start of the table's range,
//! for forward and backward steps that land inside, at the edge of and outside the table.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers outside #[test] fns

mod backend_support;

use backend_support::*;
use xince_abi::date::{CivilDate, DayNumber};
use xince_compiler::ir::*;

const FORWARD: [i32; 6] = [1, 2, 12, 36, 600, 2400];
const BACKWARD: [i32; 5] = [-1, -3, -36, -600, -2400];

fn add_months(day: DayNumber, months: i32) -> DayNumber {
    CivilDate::from_days(day).add_months(months).to_days()
}

/// Notification k fires when `date + FORWARD[k] 个月 == as_of` (k < FORWARD.len()), then when
/// `as_of + BACKWARD[k'] 个月 == date`, for the one record.
fn program() -> Program {
    let mut p = blank_program();
    p.effective_from = i32::MIN + 1;
    let date = || Expr::Record(RecordField::Date);
    let exists = |c: Expr| Expr::Exists { condition: Box::new(c), within: None };
    let forward =
        FORWARD.iter().map(|&n| exists(eq(Expr::AddDuration(Box::new(date()), d(n, Unit::Month)), Expr::AsOf)));
    let backward =
        BACKWARD.iter().map(|&n| exists(eq(date(), Expr::AddDuration(Box::new(Expr::AsOf), d(n, Unit::Month)))));
    p.notifications = forward.chain(backward).map(|condition| Notification { condition }).collect();
    finish(p)
}

fn days(from: &str, to: &str) -> impl Iterator<Item = DayNumber> {
    day(from)..=day(to)
}

#[test]
fn month_arithmetic_matches_the_civil_code_rule() {
    let p = program();
    let mut wasm = Wasm::new(&p);
    let month_edges = (1949..=2151).flat_map(|y| {
        (1..=12u32).flat_map(move |m| {
            let first = CivilDate::new(y, m, 1).unwrap().to_days();
            [first - 2, first - 1, first, first + 27, first + 28]
        })
    });
    let starts: Vec<DayNumber> = days("1949-10-01", "1950-03-31")
        .chain(days("2015-01-01", "2027-12-31"))
        .chain(days("2149-10-01", "2150-03-31"))
        .chain(month_edges)
        .collect();
    let mut checked = 0;
    for &start in &starts {
        for (k, &n) in FORWARD.iter().enumerate() {
            let mut rec = record(PENALTY, ORDINARY, "2024-01-01");
            rec.date = start;
            let mut i = input("2024-01-01", vec![rec]);
            i.as_of = add_months(start, n);
            let fired = match wasm.run(&i) {
                Answer::Ok(out) => out.notifications[k],
                Answer::Err { code, .. } => panic!("{start} + {n} months: error {code}"),
            };
            assert!(fired, "{} + {n} 个月 should be {}", CivilDate::from_days(start), CivilDate::from_days(i.as_of));
            checked += 1;
        }
        for (k, &n) in BACKWARD.iter().enumerate() {
            let mut rec = record(PENALTY, ORDINARY, "2024-01-01");
            let expected = add_months(start, n);
            rec.date = expected;
            let mut i = input("2024-01-01", vec![rec]);
            i.as_of = start;
            let fired = match wasm.run(&i) {
                Answer::Ok(out) => out.notifications[FORWARD.len() + k],
                Answer::Err { code, .. } => panic!("{start} {n} months: error {code}"),
            };
            assert!(fired, "{} {n} 个月 should be {}", CivilDate::from_days(start), CivilDate::from_days(expected));
            checked += 1;
        }
    }
    assert!(checked > 100_000, "{checked}");
}

#[test]
fn month_arithmetic_agrees_with_the_interpreter_off_the_exact_day() {
    // The day after the exact answer must not fire a forward rule, on both engines (a backward rule may: the
    // month-end rule maps several days onto one).
    let p = program();
    let mut wasm = Wasm::new(&p);
    for start in days("2019-12-25", "2020-03-05").chain(days("1950-01-01", "1950-01-03")) {
        for &n in &FORWARD {
            let mut rec = record(PENALTY, ORDINARY, "2024-01-01");
            rec.date = start;
            let mut i = input("2024-01-01", vec![rec]);
            i.as_of = add_months(start, n) + 1;
            let out = both(&p, &mut wasm, &i).unwrap();
            assert!(out.notifications[..FORWARD.len()].iter().all(|f| !f), "{start} + {n}: {:?}", out.notifications);
        }
    }
}

const WINDOWS: [Duration; 5] = [
    Duration { amount: 1, unit: Unit::Month },
    Duration { amount: 6, unit: Unit::Month },
    Duration { amount: 1, unit: Unit::Year },
    Duration { amount: 3, unit: Unit::Year },
    Duration { amount: 30, unit: Unit::Day },
];

/// `近 N个月` windows: the generated code finds where a window starts once per evaluation (fast case) or
/// adds the months to every record's date (near the edges of the civil range); either way each count must be
/// the interpreter's, which adds the months to every record. Records sit on both sides of every window start,
/// as of every day across a leap February and around month ends, plus dates outside the civil range.
#[test]
fn record_windows_agree_with_the_interpreter() {
    let mut p = blank_program();
    p.effective_from = i32::MIN + 1;
    let penalty = || eq(Expr::Record(RecordField::Type), Expr::Code(PENALTY));
    p.notifications = WINDOWS
        .iter()
        .flat_map(|&w| {
            let count = Expr::Count { condition: Box::new(penalty()), within: Some(w) };
            [
                Expr::Exists { condition: Box::new(penalty()), within: Some(w) },
                cmp(CmpOp::Ge, count.clone(), Expr::Int(2)),
                cmp(CmpOp::Ge, count, Expr::Int(4)),
            ]
        })
        .map(|condition| Notification { condition })
        .collect();
    // Without a list the counts come from scans of their own; with one, from the list's scan.
    let unlisted = finish(p.clone());
    p.lists = vec![List {
        criterion: Expr::Bool(false),
        period: Period::Fixed { minimum: None, maximum: d(1, Unit::Year) },
        repair_conditions: 0,
        exit_on_repair: false,
        non_repairable: None,
        precedence_over: vec![],
    }];
    let listed = finish(p);
    for p in [unlisted, listed] {
        windows_agree(&p);
    }
}

fn windows_agree(p: &Program) {
    let mut wasm = Wasm::new(p);
    let as_of_days = days("2023-12-20", "2024-03-10")
        .chain(days("2024-04-28", "2024-05-03"))
        .chain(days("2025-02-26", "2025-03-02"))
        .chain([MIN_DAY, MIN_DAY + 20, MIN_DAY + 40, MIN_DAY + 400, MIN_DAY + 1200, MAX_DAY - 3, MAX_DAY, MAX_DAY + 5]);
    let mut checked = 0;
    for as_of in as_of_days {
        for w in WINDOWS {
            let start = match w.unit {
                Unit::Day => as_of - w.amount,
                _ => add_months(as_of.clamp(MIN_DAY, MAX_DAY), -w.amount * if w.unit == Unit::Year { 12 } else { 1 }),
            };
            let mut records: Vec<_> = (-2..=2)
                .map(|k| {
                    let mut r = record(PENALTY, ORDINARY, "2024-01-01");
                    r.date = start + k;
                    r
                })
                .collect();
            for date in [MIN_DAY - 1, i32::MIN + 1, as_of, as_of + 1] {
                let mut r = record(PENALTY, ORDINARY, "2024-01-01");
                r.date = date;
                records.push(r);
            }
            let mut i = input("2024-01-01", records);
            i.as_of = as_of;
            both(p, &mut wasm, &i).unwrap();
            checked += 1;
        }
    }
    assert!(checked > 400, "{checked}");
}

const MIN_DAY: DayNumber = xince_compiler::ir::MIN_CIVIL_DAY;
const MAX_DAY: DayNumber = xince_compiler::ir::MAX_CIVIL_DAY;
