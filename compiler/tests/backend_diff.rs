//! Differential tests: the generated wasm (run in wasmi) and the reference interpreter agree, errors included,
//! and the interpreter's answers are the ones the IR semantics prescribe.

mod backend_support;

use backend_support::*;
use proptest::prelude::*;
use xince_abi::date::NO_DATE;
use xince_abi::error::EvalErrorCode;
use xince_abi::input::{Input, InputRecord};
use xince_abi::layout::{ListStatus, MeasureStatus, NO_CODE, ObjectionStatus};
use xince_compiler::ir::*;

fn serious_food(date: &str) -> InputRecord {
    record(PENALTY, SERIOUS, date)
}

fn run(rule: VersionRule, input: &Input) -> Result<xince_abi::output::RawOutput, EvalErrorCode> {
    let p = rich_program(rule);
    let mut wasm = Wasm::new(&p);
    both(&p, &mut wasm, input)
}

#[test]
fn active_listing_with_regime_dates() {
    let out = run(VersionRule::OldUnlessLenient, &input("2024-05-01", vec![serious_food("2023-03-01")])).unwrap();
    let black = &out.lists[0];
    assert_eq!(black.status, ListStatus::Active);
    assert_eq!((black.record, black.regime, black.overridden_by), (0, 1, -1));
    assert_eq!(black.entered, day("2023-03-01"));
    assert_eq!(black.last_day, day("2026-03-01"));
    assert_eq!(black.earliest_repair, day("2023-09-02"));
    assert_eq!(black.ended_on, NO_DATE);
    assert_eq!(out.measures[0], MeasureStatus::Active);
    let whole = out.measure(0, Some(0)).unwrap();
    assert_eq!((whole.source, whole.record, whole.last_day), (0, 0, day("2026-03-01")));
    assert_eq!(out.measures[1], MeasureStatus::Active, "no scenario asked: every measure applies");
    assert_eq!(out.lists[2].status, ListStatus::NotListed);
    assert_eq!(out.grade, 0);
}

#[test]
fn not_listed() {
    let out = run(VersionRule::Old, &input("2024-05-01", vec![record(PENALTY, MINOR, "2023-03-01")])).unwrap();
    assert!(out.lists.iter().all(|l| l.status == ListStatus::NotListed && l.record == -1 && l.last_day == NO_DATE));
    assert_eq!(out.measures[0], MeasureStatus::NotApplicable);
    assert_eq!(out.grade, 1, "one counting penalty");
}

#[test]
fn suspended_while_under_objection_and_overdue() {
    let mut r = serious_food("2023-03-01");
    r.objection_filed = day("2024-04-20"); // a Saturday: 5 working days → Friday 2024-04-26
    let out = run(VersionRule::Old, &input("2024-05-01", vec![r])).unwrap();
    assert_eq!(out.lists[0].status, ListStatus::Suspended);
    assert_eq!(out.measures[0], MeasureStatus::Suspended);
    assert_eq!(out.objections.len(), 1);
    assert_eq!(out.objections[0].due, day("2024-04-26"));
    assert_eq!(out.objections[0].status, ObjectionStatus::Overdue);
}

#[test]
fn working_days_skip_holidays_and_count_adjusted_saturdays() {
    let mut r = record(HONOUR, NO_CODE, "2024-01-01");
    r.objection_filed = day("2024-09-30");
    let out = run(VersionRule::Old, &input("2024-10-09", vec![r])).unwrap();
    assert_eq!(out.objections[0].due, day("2024-10-12"));
    assert_eq!(out.objections[0].status, ObjectionStatus::Pending);
}

#[test]
fn expired_and_version_rules_choose_between_regimes() {
    // Serious, 2019: both regimes give 3年; the new one has the shorter minimum → lenient.
    let i = input("2024-05-01", vec![serious_food("2019-01-10")]);
    let lenient = run(VersionRule::OldUnlessLenient, &i).unwrap();
    assert_eq!(lenient.lists[0].status, ListStatus::Expired);
    assert_eq!(lenient.lists[0].regime, 1);
    assert_eq!(lenient.lists[0].last_day, day("2022-01-10"));
    assert_eq!(lenient.lists[0].ended_on, day("2022-01-11"));
    assert_eq!(lenient.lists[0].earliest_repair, day("2019-07-11"));
    assert_eq!(lenient.measures[0], MeasureStatus::Ended);
    let old = run(VersionRule::Old, &i).unwrap();
    assert_eq!((old.lists[0].regime, old.lists[0].earliest_repair), (0, day("2020-01-11")));

    // Ordinary judgment, 2021: old 2年 vs new 1年.
    let mut j = record(JUDGMENT, ORDINARY, "2021-06-01");
    j.flags = FLAG_REFUSED;
    let i = input("2022-03-01", vec![j]);
    let lenient = run(VersionRule::OldUnlessLenient, &i).unwrap();
    assert_eq!((lenient.lists[0].regime, lenient.lists[0].last_day), (1, day("2022-06-01")));
    let old = run(VersionRule::Old, &i).unwrap();
    assert_eq!((old.lists[0].regime, old.lists[0].last_day), (0, day("2023-06-01")));
    let new = run(VersionRule::New, &i).unwrap();
    assert_eq!(new.lists[0].regime, 1);
    // Severity absent → the regime's default severity (ordinary).
    let mut k = record(JUDGMENT, NO_CODE, "2021-06-01");
    k.flags = FLAG_REFUSED;
    let old = run(VersionRule::Old, &input("2022-03-01", vec![k])).unwrap();
    assert_eq!(old.lists[0].last_day, day("2023-06-01"));
}

#[test]
fn repaired_only_after_minimum_with_all_conditions() {
    let mut r = serious_food("2023-03-01");
    r.repair_date = day("2024-01-15");
    r.repair_conditions = COND_DUTIES | COND_PLEDGE;
    let out = run(VersionRule::Old, &input("2024-05-01", vec![r.clone()])).unwrap();
    assert_eq!(out.lists[0].status, ListStatus::Repaired);
    assert_eq!(out.lists[0].ended_on, day("2024-01-15"));
    assert_eq!(out.measures[0], MeasureStatus::Ended);

    let mut early = r.clone();
    early.repair_date = day("2023-06-01");
    assert_eq!(run(VersionRule::Old, &input("2024-05-01", vec![early])).unwrap().lists[0].status, ListStatus::Active);
    let mut missing = r.clone();
    missing.repair_conditions = COND_DUTIES;
    assert_eq!(run(VersionRule::Old, &input("2024-05-01", vec![missing])).unwrap().lists[0].status, ListStatus::Active);
    let mut repeat = r;
    repeat.flags = FLAG_REPEAT;
    let out = run(VersionRule::Old, &input("2024-05-01", vec![repeat])).unwrap();
    assert_eq!((out.lists[0].status, out.lists[0].earliest_repair), (ListStatus::Active, NO_DATE));
}

#[test]
fn revoked_when_objection_upheld() {
    let mut r = serious_food("2023-03-01");
    r.objection_filed = day("2024-02-01");
    r.objection_resolved = day("2024-03-01");
    r.objection_upheld = true;
    let out = run(VersionRule::Old, &input("2024-05-01", vec![r])).unwrap();
    assert_eq!((out.lists[0].status, out.lists[0].ended_on), (ListStatus::Revoked, day("2024-03-01")));
    assert_eq!(out.measures[0], MeasureStatus::Ended);
    assert_eq!(out.objections[0].status, ObjectionStatus::Resolved);
    assert_eq!(out.grade, 2, "a revoked record no longer counts");
}

#[test]
fn precedence_overrides_red_list_and_scenarios_filter_measures() {
    let honour = record(HONOUR, NO_CODE, "2023-01-01");
    let mut i = input("2024-05-01", vec![honour.clone(), serious_food("2023-03-01")]);
    let out = run(VersionRule::Old, &i).unwrap();
    assert_eq!(out.lists[2].status, ListStatus::Overridden);
    assert_eq!((out.lists[2].overridden_by, out.lists[2].record), (0, 0));
    assert_eq!(out.measures[3], MeasureStatus::NotApplicable);
    assert!(!out.incentives[0].eligible);
    assert_eq!(out.incentives[0].failed_clause, 0);

    i.records = vec![honour];
    i.scenario = PROCUREMENT;
    let out = run(VersionRule::Old, &i).unwrap();
    assert_eq!(out.lists[2].status, ListStatus::Active);
    assert_eq!(out.measures[3], MeasureStatus::OtherScenario);
    assert_eq!(out.incentives[0], xince_abi::output::IncentiveOutcome { eligible: true, failed_clause: -1 });
    assert_eq!(out.incentives[1], xince_abi::output::IncentiveOutcome { eligible: true, failed_clause: -1 });
}

#[test]
fn month_end_and_working_day_periods() {
    let mut r = record(PENALTY, ORDINARY, "2024-02-29");
    r.amount = 20000.0;
    let out = run(VersionRule::Old, &input("2024-05-01", vec![r])).unwrap();
    let watch = &out.lists[1];
    assert_eq!(watch.status, ListStatus::Active);
    assert_eq!(watch.last_day, day("2025-02-28"), "2024-02-29 + 1年 = 2025-02-28");
    assert_eq!(watch.earliest_repair, day("2024-03-29"), "20 working days after 2024-02-29, plus one");
    assert_eq!(out.measures[2], MeasureStatus::Active);
}

#[test]
fn errors_in_force_and_calendar_and_regime() {
    assert_eq!(run(VersionRule::Old, &input("2016-12-31", vec![])), Err(EvalErrorCode::NotYetInForce));
    let mut p = rich_program(VersionRule::Old);
    p.effective_until = day("2025-12-31");
    let mut wasm = Wasm::new(&p);
    assert_eq!(both(&p, &mut wasm, &input("2026-01-01", vec![])), Err(EvalErrorCode::NoLongerInForce));
    assert!(both(&p, &mut wasm, &input("2025-12-31", vec![])).is_ok());

    let mut r = record(HONOUR, NO_CODE, "2024-01-01");
    r.objection_filed = day("2026-12-30");
    let i = input("2026-12-31", vec![record(HONOUR, NO_CODE, "2024-01-01"), r]);
    assert_eq!(run(VersionRule::Old, &i), Err(EvalErrorCode::CalendarRange));
    let p = rich_program(VersionRule::Old);
    assert_eq!(interp_answer(&p, &i), Answer::Err { code: EvalErrorCode::CalendarRange as i32, record: 1 });

    let i = input("2024-05-01", vec![serious_food("2016-05-01")]);
    assert_eq!(run(VersionRule::OldUnlessLenient, &i), Err(EvalErrorCode::NoRegime));
    assert_eq!(interp_answer(&p, &i), Answer::Err { code: EvalErrorCode::NoRegime as i32, record: 0 });
}

#[test]
fn bad_input_bytes() {
    let p = rich_program(VersionRule::Old);
    let mut wasm = Wasm::new(&p);
    let good = input("2024-05-01", vec![serious_food("2023-03-01")]).to_bytes();
    let bad = Answer::Err { code: EvalErrorCode::BadInput as i32, record: -1 };
    let mut magic = good.clone();
    magic[0] = b'Y';
    assert_eq!(wasm.run_bytes(&magic, 1), bad);
    let mut version = good.clone();
    version[4] = xince_abi::ABI_VERSION as u8 + 1;
    assert_eq!(wasm.run_bytes(&version, 1), bad);
    assert_eq!(wasm.run_bytes(&good[..good.len() - 1], 1), bad, "truncated record");
    assert_eq!(wasm.run_bytes(&good[..16], 0), bad, "shorter than the header");
    let mut count = good.clone();
    count[28] = 2;
    assert_eq!(wasm.run_bytes(&count, 1), bad, "count disagrees with the length");
    assert_eq!(wasm.evaluate_raw(i32::MAX - 8, 64), EvalErrorCode::BadInput as i32, "out of memory bounds");
    // The module still serves after bad input.
    assert!(matches!(wasm.run_bytes(&good, 1), Answer::Ok(_)));
}

/// One notification per expression form, so every `Expr` variant is compiled and compared.
fn expression_zoo() -> Program {
    let mut p = blank_program();
    p.lists = vec![List {
        criterion: eq(Expr::Record(RecordField::Type), Expr::Code(PENALTY)),
        period: Period::Fixed { minimum: None, maximum: d(90, Unit::Day) },
        repair_conditions: 0,
        exit_on_repair: true,
        non_repairable: None,
        precedence_over: vec![],
    }];
    let any = |c: Expr| Expr::Exists { condition: Box::new(c), within: None };
    let r = |f| Expr::Record(f);
    let mut exprs = vec![
        Expr::Bool(true),
        Expr::Bool(false),
        cmp(CmpOp::Lt, Expr::Int(2), Expr::Num(2.5)),
        cmp(CmpOp::Ge, Expr::Num(3.0), Expr::Int(3)),
        cmp(CmpOp::Gt, Expr::AsOf, Expr::Date(day("2024-01-01"))),
        cmp(CmpOp::Le, Expr::AddDuration(Box::new(Expr::AsOf), d(1, Unit::Month)), Expr::Date(day("2024-06-30"))),
        eq(Expr::Scenario, Expr::Code(PROCUREMENT)),
        cmp(CmpOp::Ne, Expr::Scenario, Expr::Code(PROCUREMENT)),
        cmp(CmpOp::Ne, Expr::Subject(SubjectField::Sector), Expr::Subject(SubjectField::Kind)),
        cmp(CmpOp::Lt, Expr::Subject(SubjectField::Sector), Expr::Code(2)),
        Expr::InSet(Box::new(Expr::Subject(SubjectField::Kind)), vec![0, 2, 3, 5]),
        Expr::InSet(Box::new(Expr::Subject(SubjectField::Sector)), vec![1, 70]),
        Expr::HasRole(0b10),
        Expr::Not(Box::new(Expr::HasRole(0b1))),
        Expr::OnList(0),
        Expr::And(vec![]),
        Expr::Or(vec![]),
        Expr::Or(vec![Expr::HasRole(1), Expr::OnList(0), eq(Expr::Scenario, Expr::Code(BIDDING))]),
        any(eq(r(RecordField::Grade), Expr::Code(1))),
        any(cmp(CmpOp::Ne, r(RecordField::Procedure), Expr::Code(0))),
        any(cmp(CmpOp::Gt, r(RecordField::Amount), Expr::Num(5000.0))),
        any(cmp(CmpOp::Ne, r(RecordField::Amount), Expr::Num(5000.0))),
        any(cmp(CmpOp::Le, r(RecordField::Date), Expr::AddDuration(Box::new(Expr::AsOf), d(-10, Unit::WorkDay)))),
        any(Expr::InSet(Box::new(r(RecordField::Domain)), vec![FOOD, SAFETY])),
        any(cmp(CmpOp::Eq, r(RecordField::Severity), r(RecordField::Grade))),
        any(Expr::RecordHasFlags(FLAG_REFUSED | FLAG_REPEAT)),
        Expr::Exists { condition: Box::new(Expr::Bool(true)), within: Some(d(30, Unit::Day)) },
        Expr::Exists { condition: Box::new(Expr::Bool(true)), within: Some(d(1, Unit::Year)) },
        cmp(CmpOp::Eq, Expr::Count { condition: Box::new(Expr::RecordHasFlags(1)), within: None }, Expr::Int(1)),
        cmp(
            CmpOp::Lt,
            Expr::Count { condition: Box::new(Expr::Bool(true)), within: Some(d(6, Unit::Month)) },
            Expr::Num(1.5),
        ),
        // A record field outside any record predicate is absent.
        cmp(CmpOp::Ne, Expr::Record(RecordField::Type), Expr::Code(0)),
        eq(Expr::Record(RecordField::Date), Expr::Record(RecordField::Date)),
        // Ill-typed comparisons (never produced by the type checker) are never equal.
        cmp(CmpOp::Eq, Expr::Code(1), Expr::Date(1)),
    ];
    for op in [CmpOp::Eq, CmpOp::Ne, CmpOp::Gt, CmpOp::Ge, CmpOp::Lt, CmpOp::Le] {
        exprs.push(any(cmp(op, r(RecordField::Severity), Expr::Code(ORDINARY))));
        exprs.push(any(cmp(op, r(RecordField::Date), Expr::AddDuration(Box::new(Expr::AsOf), d(-1, Unit::Year)))));
        exprs.push(cmp(op, Expr::Count { condition: Box::new(Expr::Bool(true)), within: None }, Expr::Int(2)));
        exprs.push(any(cmp(op, r(RecordField::Amount), Expr::Int(1000))));
        exprs.push(cmp(op, Expr::Bool(true), Expr::OnList(0)));
    }
    p.notifications = exprs.into_iter().map(|condition| Notification { condition }).collect();
    p.measures = vec![Measure {
        trigger: Trigger::Condition(Expr::And(vec![Expr::OnList(0), Expr::Bool(true)])),
        scenarios: vec![BIDDING],
    }];
    p.grading = Some(Grading { levels: vec![Expr::Bool(false), Expr::OnList(0)] });
    finish(p)
}

#[test]
fn expression_zoo_agrees_on_a_fixed_input() {
    let p = expression_zoo();
    let mut wasm = Wasm::new(&p);
    let mut a = record(PENALTY, ORDINARY, "2024-03-01");
    a.amount = 8000.0;
    a.flags = FLAG_REFUSED;
    a.grade = 1;
    let mut i = input("2024-05-01", vec![a, record(HONOUR, SERIOUS, "2023-01-01")]);
    i.subject_sector = 1;
    i.related_roles = 0b10;
    let out = both(&p, &mut wasm, &i).unwrap();
    let fired = |k: usize| out.notifications[k];
    assert!(fired(0) && !fired(1), "constants");
    assert!(fired(2) && fired(3), "Int against Num");
    assert!(!fired(6) && fired(7), "absent scenario: == false, != true");
    assert!(fired(12) && fired(13), "roles");
    assert!(fired(14), "on list 0");
    assert!(fired(15) && !fired(16), "empty and / or");
    assert!(fired(20) && fired(21), "amount 8000 > 5000");
    assert!(fired(30) && !fired(31), "record fields outside a record predicate are absent");
    assert!(!fired(32), "ill-typed comparison");
}

fn arb_day() -> impl Strategy<Value = i32> {
    prop_oneof![
        8 => day("2015-06-01")..day("2027-03-01"),
        1 => Just(NO_DATE),
        1 => Just(day("2024-02-29")),
    ]
}

fn arb_code(max: i32) -> impl Strategy<Value = i32> {
    -1..max
}

fn arb_record() -> impl Strategy<Value = InputRecord> {
    (
        (arb_code(4), arb_code(3), arb_code(3), arb_code(3), arb_day(), arb_day(), arb_day()),
        (any::<bool>(), arb_day(), arb_code(2), prop_oneof![Just(f64::NAN), 0.0..40000.0f64], 0u64..4, 0u64..4),
    )
        .prop_map(
            |((t, dom, sev, grade, date, filed, resolved), (upheld, repair, procedure, amount, flags, conds))| {
                InputRecord {
                    record_type: t,
                    domain: dom,
                    severity: sev,
                    grade,
                    date,
                    objection_filed: filed,
                    objection_resolved: resolved,
                    objection_upheld: upheld,
                    repair_date: repair,
                    procedure,
                    amount,
                    flags,
                    repair_conditions: conds,
                }
            },
        )
}

fn arb_input() -> impl Strategy<Value = Input> {
    (
        day("2016-06-01")..day("2027-03-01"),
        arb_code(3),
        0..4i32,
        arb_code(3),
        0u32..8,
        proptest::collection::vec(arb_record(), 0..7),
    )
        .prop_map(|(as_of, scenario, subject_kind, subject_sector, related_roles, records)| Input {
            as_of,
            scenario,
            subject_kind,
            subject_sector,
            related_roles,
            records,
        })
}

/// [`rich_program`] with a 10-day objection deadline: computing objection entries cannot fail, so the
/// generated code writes them during the first list's scan rather than in a pass of their own.
fn days_deadline_program() -> Program {
    let mut p = rich_program(VersionRule::OldUnlessLenient);
    p.objection = Some(ObjectionRule { deadline: Some(d(10, Unit::Day)), suspends: true });
    finish(p)
}

#[test]
fn objections_written_during_the_list_scan_match_the_interpreter() {
    let p = days_deadline_program();
    let mut wasm = Wasm::new(&p);
    let mut records = vec![serious_food("2023-03-01"), serious_food("2023-04-01"), serious_food("2023-05-01")];
    records[0].objection_filed = day("2024-04-20");
    records[2].objection_filed = day("2024-03-01");
    records[2].objection_resolved = day("2024-03-05");
    // A record dated after as_of still has its objection listed (objections do not look at the date).
    let mut late = serious_food("2024-06-01");
    late.objection_filed = day("2024-04-28");
    records.push(late);
    let out = both(&p, &mut wasm, &input("2024-05-01", records)).unwrap();
    let entries: Vec<_> = out.objections.iter().map(|o| (o.record, o.due, o.status)).collect();
    assert_eq!(
        entries,
        [
            (0, day("2024-04-30"), ObjectionStatus::Overdue),
            (2, day("2024-03-11"), ObjectionStatus::Resolved),
            (3, day("2024-05-08"), ObjectionStatus::Pending),
        ]
    );
    // Records 1 and 2 are not under objection on as_of: the subject stays listed, governed by the later one.
    assert_eq!((out.lists[0].status, out.lists[0].record), (ListStatus::Active, 2));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn wasm_agrees_with_interpreter_on_random_inputs(input in arb_input(), rule in 0..3u8) {
        let rule = [VersionRule::Old, VersionRule::New, VersionRule::OldUnlessLenient][rule as usize];
        thread_local! {
            static MODULES: std::cell::RefCell<Vec<(Program, Wasm)>> = std::cell::RefCell::new(
                [VersionRule::Old, VersionRule::New, VersionRule::OldUnlessLenient]
                    .into_iter()
                    .map(|r| { let p = rich_program(r); let w = Wasm::new(&p); (p, w) })
                    .chain(std::iter::once({ let p = expression_zoo(); let w = Wasm::new(&p); (p, w) }))
                    // Objection deadlines in calendar days: the first list's scan writes the objections.
                    .chain(std::iter::once({ let p = days_deadline_program(); let w = Wasm::new(&p); (p, w) }))
                    .collect()
            );
        }
        MODULES.with(|m| {
            let mut m = m.borrow_mut();
            for k in [rule as usize, 3, 4] {
                let (p, w) = &mut m[k];
                let expected = interp_answer(p, &input);
                let actual = w.run(&input);
                prop_assert_eq!(actual, expected);
            }
            Ok(())
        })?;
    }

    #[test]
    fn batch_answers_are_the_single_answers(inputs in proptest::collection::vec(arb_input(), 0..6)) {
        thread_local! {
            static MODULE: std::cell::RefCell<(Program, Wasm)> = std::cell::RefCell::new({
                let p = rich_program(VersionRule::OldUnlessLenient);
                let w = Wasm::new(&p);
                (p, w)
            });
        }
        MODULE.with(|m| {
            let (p, w) = &mut *m.borrow_mut();
            let expected: Vec<Answer> = inputs.iter().map(|i| interp_answer(p, i)).collect();
            prop_assert_eq!(w.run_batch(&inputs), expected);
            Ok(())
        })?;
    }
}

#[test]
fn batch_with_errors_and_bad_framing() {
    let p = rich_program(VersionRule::OldUnlessLenient);
    let mut wasm = Wasm::new(&p);
    let good = input("2024-05-01", vec![serious_food("2023-03-01")]);
    let early = input("2016-12-31", vec![]);
    let no_regime = input("2024-05-01", vec![serious_food("2016-05-01")]);
    let answers = wasm.run_batch(&[good.clone(), early.clone(), no_regime.clone(), good.clone()]);
    let single: Vec<Answer> = [&good, &early, &no_regime, &good].iter().map(|i| interp_answer(&p, i)).collect();
    assert_eq!(answers, single);
    assert!(matches!(answers[1], Answer::Err { code, .. } if code == EvalErrorCode::NotYetInForce as i32));
    assert!(matches!(answers[2], Answer::Err { code, record: 0 } if code == EvalErrorCode::NoRegime as i32));
    assert!(wasm.run_batch(&[]).is_empty());

    let bytes: Vec<u8> = [&good, &good].iter().flat_map(|i| i.to_bytes()).collect();
    let bad = EvalErrorCode::BadInput as i32;
    let status = |w: &mut Wasm, b: &[u8], n: i32| w.run_batch_bytes(b, n).0;
    assert_eq!(status(&mut wasm, &bytes, 3), bad, "count larger than the inputs");
    assert_eq!(status(&mut wasm, &bytes, 1), bad, "bytes left after the last input");
    assert_eq!(status(&mut wasm, &bytes, -1), bad, "negative count");
    assert_eq!(status(&mut wasm, &bytes[..bytes.len() - 1], 2), bad, "truncated record");
    let mut wrong_count = bytes.clone();
    wrong_count[28] = 9;
    assert_eq!(status(&mut wasm, &wrong_count, 2), bad, "a record count past the end");
    assert_eq!(status(&mut wasm, &bytes, 2), 0);
}

/// A quantifier is scanned once per evaluation however often it is written, including when its first
/// occurrence is skipped by short-circuiting and when it sits inside a list criterion (once per record).
#[test]
fn repeated_quantifiers_agree_wherever_they_are_first_reached() {
    let honour =
        || Expr::Exists { condition: Box::new(eq(Expr::Record(RecordField::Type), Expr::Code(HONOUR))), within: None };
    let penalties = || Expr::Count {
        condition: Box::new(eq(Expr::Record(RecordField::Type), Expr::Code(PENALTY))),
        within: Some(d(3, Unit::Year)),
    };
    let mut p = blank_program();
    p.lists = vec![List {
        criterion: Expr::And(vec![
            eq(Expr::Record(RecordField::Type), Expr::Code(PENALTY)),
            Expr::Not(Box::new(honour())),
        ]),
        period: Period::Fixed { minimum: None, maximum: d(90, Unit::Day) },
        repair_conditions: 0,
        exit_on_repair: true,
        non_repairable: None,
        precedence_over: vec![],
    }];
    p.notifications = [
        Expr::Or(vec![Expr::Bool(true), honour()]),
        honour(),
        Expr::And(vec![Expr::Bool(false), cmp(CmpOp::Gt, penalties(), Expr::Int(0))]),
        cmp(CmpOp::Eq, penalties(), Expr::Int(2)),
        Expr::Or(vec![Expr::Not(Box::new(honour())), cmp(CmpOp::Eq, penalties(), Expr::Int(1))]),
    ]
    .into_iter()
    .map(|condition| Notification { condition })
    .collect();
    let p = finish(p);
    let mut wasm = Wasm::new(&p);
    let inputs = [
        input("2024-05-01", vec![]),
        input("2024-05-01", vec![record(PENALTY, ORDINARY, "2024-03-01"), record(PENALTY, ORDINARY, "2022-01-01")]),
        input("2024-05-01", vec![record(PENALTY, ORDINARY, "2024-03-01"), record(HONOUR, NO_CODE, "2023-01-01")]),
        input("2024-05-01", vec![record(HONOUR, NO_CODE, "2025-01-01"), record(PENALTY, ORDINARY, "2020-01-01")]),
    ];
    let fired: Vec<Vec<bool>> = inputs.iter().map(|i| both(&p, &mut wasm, i).unwrap().notifications).collect();
    assert_eq!(fired[0], [true, false, false, false, true]);
    assert_eq!(fired[1], [true, false, false, true, true]);
    assert_eq!(fired[2], [true, true, false, false, true]);
    assert_eq!(fired[3], [true, false, false, false, true], "a future honour and an old penalty count for nothing");
    // The whole sequence again in one batch: the memo is per evaluation, not per instance.
    let expected: Vec<Answer> = inputs.iter().map(|i| interp_answer(&p, i)).collect();
    assert_eq!(wasm.run_batch(&inputs), expected);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Whatever bytes and count a host passes, the module answers with a defined status and frames that stay
    /// inside the region it returns: it never traps (docs/abi.md §2, §2.1). Valid batches are mangled by byte
    /// flips, truncation and a wrong count.
    #[test]
    fn mangled_inputs_and_batches_never_trap(
        inputs in proptest::collection::vec(arb_input(), 0..4),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..6),
        cut in proptest::option::of(any::<prop::sample::Index>()),
        count_delta in -2i32..3,
    ) {
        thread_local! {
            static WASM: std::cell::RefCell<Wasm> =
                std::cell::RefCell::new(Wasm::new(&rich_program(VersionRule::OldUnlessLenient)));
        }
        let mut bytes: Vec<u8> = inputs.iter().flat_map(Input::to_bytes).collect();
        if !bytes.is_empty() {
            for (at, value) in &flips {
                let i = at.index(bytes.len());
                bytes[i] = *value;
            }
            if let Some(cut) = cut {
                bytes.truncate(cut.index(bytes.len()));
            }
        }
        let count = inputs.len() as i32 + count_delta;
        let defined = |code: i32| code == 0 || EvalErrorCode::from_code(code).is_some();
        WASM.with(|w| {
            let mut w = w.borrow_mut();
            let (status, region) = w.run_batch_bytes(&bytes, count);
            prop_assert!(defined(status), "batch status {status}");
            if status == 0 {
                let mut at = 0;
                while at < region.len() {
                    let word = |k: usize| i32::from_le_bytes(region[k..k + 4].try_into().unwrap());
                    prop_assert!(defined(word(at)), "answer status {}", word(at));
                    let size = word(at + 4) as usize;
                    prop_assert!(at + 8 + size <= region.len(), "frame past the region");
                    at = (at + 8 + size).div_ceil(8) * 8;
                }
            } else {
                prop_assert_eq!(region.len(), 32, "a refused batch points at the error header");
            }
            // The first input alone through `xince_evaluate`, mangled the same way: a defined status, and an
            // answer that decodes and validates (`run_bytes` checks both).
            let single = &bytes[..bytes.len().min(inputs.first().map_or(0, Input::encoded_len))];
            if let Answer::Err { code, .. } = w.run_bytes(single, single.len().saturating_sub(32) / 64) {
                prop_assert!(defined(code), "single status {code}");
            }
            Ok(())
        })?;
    }
}
