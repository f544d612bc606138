//! Reference interpreter over the IR: the semantics written in [`crate::ir`], executed literally. It favours
//! being obviously right over being fast; the wasm back-end ([`crate::codegen`]) is held to it by the
//! differential tests in `compiler/tests/backend_*.rs`.
//!
//! Points the IR docs leave open, fixed here and mirrored by codegen (see `docs/abi.md` §7):
//! - `add` on `NO_DATE` gives `NO_DATE`; day arithmetic wraps like wasm `i32.add`; month arithmetic on a day
//!   outside 0001-01-01..=9999-12-31 (or by more than [`MAX_MONTHS`] months) gives `NO_DATE`.
//! - `N工作日` with N < 0 counts backwards; N = 0 is the day itself and inspects nothing.
//! - A version rule whose `new` regime is missing (none in force on `as_of`) uses `old`.
//! - `OnList` inside a list criterion sees the earlier list's status before precedence (precedence runs
//!   after every list is known).
//! - Within `Exists`/`Count`, a record is tested for counting, then the condition, then `within`.
//! - Error detail: the index of the innermost record being examined when the error arose, else none.

use xince_abi::date::{CivilDate, DayNumber, NO_DATE};
use xince_abi::engine::{Engine, EngineError};
use xince_abi::error::EvalErrorCode;
use xince_abi::input::{Input, InputRecord};
use xince_abi::layout::{ListStatus, MeasureStatus, NO_CODE, ObjectionStatus};
use xince_abi::output::{IncentiveOutcome, ListOutcome, ObjectionOutcome, RawOutput};

use crate::ir::{
    CmpOp, Duration, Expr, List, MAX_CIVIL_DAY, MAX_MONTHS, MIN_CIVIL_DAY, Period, Program, RecordField, SubjectField,
    Trigger, Unit, VersionRule, WorkdayCalendar,
};

/// The reference interpreter as an [`Engine`] over one program.
pub struct Interpreter<'p> {
    program: &'p Program,
}

impl<'p> Interpreter<'p> {
    pub fn new(program: &'p Program) -> Self {
        Interpreter { program }
    }
}

impl Engine for Interpreter<'_> {
    fn name(&self) -> &'static str {
        "reference interpreter"
    }

    fn run(&mut self, input: &Input) -> Result<RawOutput, EngineError> {
        evaluate(self.program, input).map_err(|code| EngineError {
            code: code.name(),
            message_zh: code.message_zh().to_string(),
            message_en: code.message_en().to_string(),
        })
    }
}

/// An evaluation error with the record it concerns (the output header's `ERROR_DETAIL`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EvalError {
    pub code: EvalErrorCode,
    /// Index of the record being examined when the error arose.
    pub record: Option<u32>,
}

/// Evaluates `input` against `program` (the IR semantics, step by step).
pub fn evaluate(program: &Program, input: &Input) -> Result<RawOutput, EvalErrorCode> {
    evaluate_detailed(program, input).map_err(|e| e.code)
}

/// [`evaluate`], keeping the record an error refers to.
pub fn evaluate_detailed(program: &Program, input: &Input) -> Result<RawOutput, EvalError> {
    Evaluator { program, input, lists: Vec::with_capacity(program.lists.len()) }.run()
}

/// Adds a duration to a day with the calendar for working days (the IR's `add`).
pub fn add_duration(
    calendar: &WorkdayCalendar,
    day: DayNumber,
    duration: Duration,
) -> Result<DayNumber, EvalErrorCode> {
    if day == NO_DATE {
        return Ok(NO_DATE);
    }
    match duration.unit {
        Unit::Day => Ok(day.wrapping_add(duration.amount)),
        Unit::Month => Ok(add_months(day, duration.amount)),
        Unit::Year => Ok(duration.amount.checked_mul(12).map_or(NO_DATE, |months| add_months(day, months))),
        Unit::WorkDay => add_workdays(calendar, day, duration.amount),
    }
}

/// Month-end rule via [`CivilDate::add_months`], inside the guarded domain.
pub fn add_months(day: DayNumber, months: i32) -> DayNumber {
    if !(MIN_CIVIL_DAY..=MAX_CIVIL_DAY).contains(&day) || !(-MAX_MONTHS..=MAX_MONTHS).contains(&months) {
        return NO_DATE;
    }
    CivilDate::from_days(day).add_months(months).to_days()
}

/// Whether `day` is a working day, or `None` when the calendar has no data for it.
pub fn is_working_day(calendar: &WorkdayCalendar, day: DayNumber) -> Option<bool> {
    let offset = i64::from(day) - i64::from(calendar.first_day);
    if offset < 0 || offset >= i64::from(calendar.day_count) {
        return None;
    }
    let byte = calendar.bits.get((offset / 8) as usize).copied().unwrap_or(0);
    Some(byte >> (offset % 8) & 1 == 1)
}

/// The N-th working day after `day` (before it when N < 0).
pub fn add_workdays(calendar: &WorkdayCalendar, day: DayNumber, count: i32) -> Result<DayNumber, EvalErrorCode> {
    let step = if count < 0 { -1 } else { 1 };
    let mut remaining = count.unsigned_abs();
    let mut current = day;
    while remaining > 0 {
        current = current.wrapping_add(step);
        match is_working_day(calendar, current) {
            None => return Err(EvalErrorCode::CalendarRange),
            Some(true) => remaining -= 1,
            Some(false) => {}
        }
    }
    Ok(current)
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Value {
    Bool(bool),
    Int(i64),
    Num(f64),
    Date(DayNumber),
    Code(i32),
}

impl Value {
    fn truthy(self) -> bool {
        matches!(self, Value::Bool(true))
    }
}

/// What a record predicate may refer to: the record in scope, if any, and its index.
#[derive(Clone, Copy)]
struct Scope<'a> {
    record: Option<(u32, &'a InputRecord)>,
}

struct Evaluator<'a> {
    program: &'a Program,
    input: &'a Input,
    /// Outcomes of the lists computed so far (before precedence while lists are being computed).
    lists: Vec<ListOutcome>,
}

fn is_on(status: ListStatus) -> bool {
    matches!(status, ListStatus::Active | ListStatus::Suspended)
}

/// Rank for choosing a list's governing record: Active > Suspended > every ended status.
fn rank(status: ListStatus) -> u8 {
    match status {
        ListStatus::Active => 2,
        ListStatus::Suspended => 1,
        _ => 0,
    }
}

/// Whether `candidate` governs the list instead of `best` (ties keep the earlier record).
fn better(candidate: &ListOutcome, best: &ListOutcome) -> bool {
    if best.status == ListStatus::NotListed {
        return true;
    }
    let (rc, rb) = (rank(candidate.status), rank(best.status));
    if rc != rb {
        return rc > rb;
    }
    if rc > 0 { candidate.last_day > best.last_day } else { candidate.ended_on > best.ended_on }
}

impl<'a> Evaluator<'a> {
    fn run(mut self) -> Result<RawOutput, EvalError> {
        let (program, input) = (self.program, self.input);
        let whole = |code| EvalError { code, record: None };
        // 0. in force
        if input.as_of < program.effective_from {
            return Err(whole(EvalErrorCode::NotYetInForce));
        }
        if input.as_of > program.effective_until {
            return Err(whole(EvalErrorCode::NoLongerInForce));
        }
        // 2. lists, then precedence
        for list in &program.lists {
            let outcome = self.list_outcome(list)?;
            self.lists.push(outcome);
        }
        let before: Vec<ListStatus> = self.lists.iter().map(|l| l.status).collect();
        for (l, list) in program.lists.iter().enumerate() {
            if !is_on(before[l]) {
                continue;
            }
            for &m in &list.precedence_over {
                let m = m as usize;
                if before.get(m).copied().is_some_and(is_on) && self.lists[m].status != ListStatus::Overridden {
                    self.lists[m].status = ListStatus::Overridden;
                    self.lists[m].overridden_by = l as i32;
                }
            }
        }
        // 3. measures
        let subject = Scope { record: None };
        let mut measures = Vec::with_capacity(program.measures.len());
        for measure in &program.measures {
            // The status alone: a measure's source, record and last day are its list's (RawOutput::measure).
            let mut status = match &measure.trigger {
                Trigger::List(l) => match self.lists.get(*l as usize).map_or(ListStatus::NotListed, |l| l.status) {
                    ListStatus::Active => MeasureStatus::Active,
                    ListStatus::Suspended => MeasureStatus::Suspended,
                    ListStatus::Repaired | ListStatus::Expired | ListStatus::Revoked => MeasureStatus::Ended,
                    ListStatus::NotListed | ListStatus::Overridden => MeasureStatus::NotApplicable,
                },
                Trigger::Condition(c) => {
                    if self.eval(c, subject)?.truthy() {
                        MeasureStatus::Active
                    } else {
                        MeasureStatus::NotApplicable
                    }
                }
            };
            if input.scenario != NO_CODE
                && !measure.scenarios.is_empty()
                && !measure.scenarios.contains(&input.scenario)
                && status != MeasureStatus::NotApplicable
            {
                status = MeasureStatus::OtherScenario;
            }
            measures.push(status);
        }
        // 4. incentives
        let mut incentives = Vec::with_capacity(program.incentives.len());
        for incentive in &program.incentives {
            let mut failed_clause = -1;
            for (k, clause) in incentive.clauses.iter().enumerate() {
                if !self.eval(clause, subject)?.truthy() {
                    failed_clause = k as i32;
                    break;
                }
            }
            incentives.push(IncentiveOutcome { eligible: failed_clause == -1, failed_clause });
        }
        // 5. notifications
        let mut notifications = Vec::with_capacity(program.notifications.len());
        for notification in &program.notifications {
            notifications.push(self.eval(&notification.condition, subject)?.truthy());
        }
        // 6. grade
        let mut grade = -1;
        if let Some(grading) = &program.grading {
            for (k, level) in grading.levels.iter().enumerate() {
                if self.eval(level, subject)?.truthy() {
                    grade = k as i32;
                    break;
                }
            }
        }
        // 7. objections
        let mut objections = Vec::new();
        for (i, record) in input.records.iter().enumerate() {
            if record.objection_filed > input.as_of {
                continue;
            }
            let at = |code| EvalError { code, record: Some(i as u32) };
            let due = match program.objection.as_ref().and_then(|o| o.deadline) {
                Some(deadline) => add_duration(&program.calendar, record.objection_filed, deadline).map_err(at)?,
                None => NO_DATE,
            };
            let status = if record.objection_resolved <= input.as_of {
                ObjectionStatus::Resolved
            } else if input.as_of > due {
                ObjectionStatus::Overdue
            } else {
                ObjectionStatus::Pending
            };
            objections.push(ObjectionOutcome { record: i as i32, due, status });
        }
        Ok(RawOutput { lists: self.lists, measures, incentives, notifications, grade, objections })
    }

    /// Step 2 for one list, before precedence.
    fn list_outcome(&self, list: &List) -> Result<ListOutcome, EvalError> {
        let (program, input) = (self.program, self.input);
        let mut best = ListOutcome::NOT_LISTED;
        for (i, record) in input.records.iter().enumerate() {
            if record.date > input.as_of {
                continue;
            }
            let scope = Scope { record: Some((i as u32, record)) };
            if !self.eval(&list.criterion, scope)?.truthy() {
                continue;
            }
            let at = |code| EvalError { code, record: Some(i as u32) };
            let (regime, minimum, maximum) = self.period(list, record).map_err(at)?;
            let entered = record.date;
            let last_day = add_duration(&program.calendar, entered, maximum).map_err(at)?;
            let repairable = list.exit_on_repair
                && match &list.non_repairable {
                    Some(e) => !self.eval(e, scope)?.truthy(),
                    None => true,
                };
            let earliest_repair = match (repairable, minimum) {
                (false, _) => NO_DATE,
                (true, Some(min)) => add_duration(&program.calendar, entered, min).map_err(at)?.wrapping_add(1),
                (true, None) => entered,
            };
            let (status, ended_on) = if record.objection_upheld && record.objection_resolved <= input.as_of {
                (ListStatus::Revoked, record.objection_resolved)
            } else if list.exit_on_repair
                && record.repair_date <= input.as_of
                && record.repair_date >= earliest_repair
                && record.repair_conditions & list.repair_conditions == list.repair_conditions
            {
                (ListStatus::Repaired, record.repair_date)
            } else if input.as_of > last_day {
                (ListStatus::Expired, last_day.wrapping_add(1))
            } else if record.objection_filed <= input.as_of
                && record.objection_resolved > input.as_of
                && program.objection.as_ref().is_some_and(|o| o.suspends)
            {
                (ListStatus::Suspended, NO_DATE)
            } else {
                (ListStatus::Active, NO_DATE)
            };
            let candidate = ListOutcome {
                status,
                record: i as i32,
                entered,
                last_day,
                earliest_repair,
                ended_on,
                regime,
                overridden_by: -1,
            };
            if better(&candidate, &best) {
                best = candidate;
            }
        }
        Ok(best)
    }

    /// (regime index or -1, minimum, maximum) for a record on a list.
    fn period(&self, list: &List, record: &InputRecord) -> Result<(i32, Option<Duration>, Duration), EvalErrorCode> {
        let program = self.program;
        let candidates = match &list.period {
            Period::Fixed { minimum, maximum } => return Ok((-1, *minimum, *maximum)),
            Period::Regime(candidates) => candidates,
        };
        let in_force = |day: DayNumber| {
            candidates.iter().copied().find(|&r| {
                program.regimes.get(r as usize).is_some_and(|g| g.effective_from <= day && day <= g.effective_until)
            })
        };
        let old = in_force(record.date).ok_or(EvalErrorCode::NoRegime)?;
        let new = in_force(self.input.as_of).unwrap_or(old);
        let old_period = self.severity_period(old, record.severity).ok_or(EvalErrorCode::NoRegime)?;
        let new_period = self.severity_period(new, record.severity).ok_or(EvalErrorCode::NoRegime)?;
        let chosen = match program.version_rule {
            VersionRule::Old => (old, old_period),
            VersionRule::New => (new, new_period),
            VersionRule::OldUnlessLenient => {
                let cal = &program.calendar;
                let old_max = add_duration(cal, record.date, old_period.1)?;
                let new_max = add_duration(cal, record.date, new_period.1)?;
                let lenient = if new_max != old_max {
                    new_max < old_max
                } else {
                    let min_day =
                        |m: Option<Duration>| m.map_or(Ok(record.date), |m| add_duration(cal, record.date, m));
                    min_day(new_period.0)? < min_day(old_period.0)?
                };
                if lenient { (new, new_period) } else { (old, old_period) }
            }
        };
        Ok((chosen.0 as i32, chosen.1.0, chosen.1.1))
    }

    /// The (minimum, maximum) of a severity in a regime, falling back to its default severity.
    fn severity_period(&self, regime: u32, severity: i32) -> Option<(Option<Duration>, Duration)> {
        let regime = self.program.regimes.get(regime as usize)?;
        let find = |s: i32| regime.periods.iter().find(|p| p.0 == s).map(|p| (p.1, p.2));
        find(severity).or_else(|| find(regime.default_severity))
    }

    fn eval(&self, expr: &Expr, scope: Scope<'_>) -> Result<Value, EvalError> {
        let input = self.input;
        let at = |code| EvalError { code, record: scope.record.map(|(i, _)| i) };
        Ok(match expr {
            Expr::Bool(b) => Value::Bool(*b),
            Expr::Int(n) => Value::Int(*n),
            Expr::Num(x) => Value::Num(*x),
            Expr::Date(d) => Value::Date(*d),
            Expr::Code(c) => Value::Code(*c),
            Expr::Record(field) => record_field(scope.record.map(|(_, r)| r), *field),
            Expr::Subject(SubjectField::Kind) => Value::Code(input.subject_kind),
            Expr::Subject(SubjectField::Sector) => Value::Code(input.subject_sector),
            Expr::AsOf => Value::Date(input.as_of),
            Expr::Scenario => Value::Code(input.scenario),
            Expr::Cmp(op, a, b) => {
                let (a, b) = (self.eval(a, scope)?, self.eval(b, scope)?);
                Value::Bool(compare(*op, a, b))
            }
            Expr::InSet(value, codes) => match self.eval(value, scope)? {
                Value::Code(c) if c != NO_CODE => Value::Bool(codes.contains(&c)),
                _ => Value::Bool(false),
            },
            Expr::RecordHasFlags(mask) => Value::Bool(scope.record.is_some_and(|(_, r)| r.flags & mask != 0)),
            Expr::HasRole(mask) => Value::Bool(input.related_roles & mask != 0),
            Expr::And(items) => {
                for item in items {
                    if !self.eval(item, scope)?.truthy() {
                        return Ok(Value::Bool(false));
                    }
                }
                Value::Bool(true)
            }
            Expr::Or(items) => {
                for item in items {
                    if self.eval(item, scope)?.truthy() {
                        return Ok(Value::Bool(true));
                    }
                }
                Value::Bool(false)
            }
            Expr::Not(inner) => Value::Bool(!self.eval(inner, scope)?.truthy()),
            Expr::Exists { condition, within } => Value::Bool(self.count(condition, *within, true)? > 0),
            Expr::Count { condition, within } => Value::Int(self.count(condition, *within, false)?),
            Expr::OnList(l) => Value::Bool(self.lists.get(*l as usize).is_some_and(|o| is_on(o.status))),
            Expr::AddDuration(date, duration) => match self.eval(date, scope)? {
                Value::Date(d) => Value::Date(add_duration(&self.program.calendar, d, *duration).map_err(at)?),
                _ => Value::Date(NO_DATE),
            },
        })
    }

    /// Counts counting records (step 1) satisfying `condition` and, with `within`, still inside that window;
    /// stops at the first when `first_only`.
    fn count(&self, condition: &Expr, within: Option<Duration>, first_only: bool) -> Result<i64, EvalError> {
        let input = self.input;
        let mut n = 0;
        for (i, record) in input.records.iter().enumerate() {
            let counts =
                record.date <= input.as_of && !(record.objection_upheld && record.objection_resolved <= input.as_of);
            if !counts {
                continue;
            }
            let scope = Scope { record: Some((i as u32, record)) };
            if !self.eval(condition, scope)?.truthy() {
                continue;
            }
            if let Some(w) = within {
                let until = add_duration(&self.program.calendar, record.date, w)
                    .map_err(|code| EvalError { code, record: Some(i as u32) })?;
                if input.as_of > until {
                    continue;
                }
            }
            n += 1;
            if first_only {
                break;
            }
        }
        Ok(n)
    }
}

fn record_field(record: Option<&InputRecord>, field: RecordField) -> Value {
    let Some(r) = record else {
        return match field {
            RecordField::Date => Value::Date(NO_DATE),
            RecordField::Amount => Value::Num(f64::NAN),
            _ => Value::Code(NO_CODE),
        };
    };
    match field {
        RecordField::Type => Value::Code(r.record_type),
        RecordField::Domain => Value::Code(r.domain),
        RecordField::Severity => Value::Code(r.severity),
        RecordField::Grade => Value::Code(r.grade),
        RecordField::Procedure => Value::Code(r.procedure),
        RecordField::Date => Value::Date(r.date),
        RecordField::Amount => Value::Num(r.amount),
    }
}

fn ordered<T: PartialOrd>(op: CmpOp, a: T, b: T) -> bool {
    match op {
        CmpOp::Eq => a == b,
        CmpOp::Ne => a != b,
        CmpOp::Gt => a > b,
        CmpOp::Ge => a >= b,
        CmpOp::Lt => a < b,
        CmpOp::Le => a <= b,
    }
}

/// Comparison with the absent-value rule: false on an absent operand, except `!=` which is true.
fn compare(op: CmpOp, a: Value, b: Value) -> bool {
    let absent = |v: Value| match v {
        Value::Code(c) => c == NO_CODE,
        Value::Date(d) => d == NO_DATE,
        Value::Num(x) => x.is_nan(),
        Value::Bool(_) | Value::Int(_) => false,
    };
    if absent(a) || absent(b) {
        return op == CmpOp::Ne;
    }
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => ordered(op, x, y),
        (Value::Int(x), Value::Num(y)) => ordered(op, x as f64, y),
        (Value::Num(x), Value::Int(y)) => ordered(op, x, y as f64),
        (Value::Num(x), Value::Num(y)) => ordered(op, x, y),
        (Value::Date(x), Value::Date(y)) | (Value::Code(x), Value::Code(y)) => ordered(op, x, y),
        (Value::Bool(x), Value::Bool(y)) => ordered(op, x, y),
        // Ill-typed comparisons cannot come out of the type checker; treat them as never equal.
        _ => op == CmpOp::Ne,
    }
}
