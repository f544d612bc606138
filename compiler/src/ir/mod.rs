//! The IR: a resolved, typed, linked policy, ready to interpret or compile to wasm. One `Program` per policy,
//! with the stdlib and every upper-level policy it builds on already linked in. Indexes (list, regime, vocab
//! code) are positions in the `Program`'s vectors and in its manifest, which share order.
//!
//! # Semantics (both engines implement exactly this; the conformance suite holds them to it)
//!
//! Evaluation of an [`abi::input::Input`] produces an [`abi::output::RawOutput`] or the first error, in this
//! order, each step left to right, `且`/`或` short-circuiting:
//!
//! 0. `as_of < effective_from` → `NotYetInForce`; `as_of > effective_until` → `NoLongerInForce`.
//! 1. A record *counts* when `date <= as_of` and it is not revoked (objection upheld and resolved `<= as_of`).
//! 2. **Lists**, in order. For each record `i` in order with `date <= as_of` and `criterion` true:
//!    - periods: `Period::Fixed` gives (min, max); `Period::Regime` picks a regime by [`VersionRule`] from the
//!      regime in force on the record's date (`old`) and on `as_of` (`new`), then the (min, max) of the record's
//!      severity in it (severity absent or not in the table → the regime's `default_severity`). No regime in
//!      force on the record's date → error `NoRegime`.
//!    - `entered = date`, `last_day = add(date, max)`.
//!    - `earliest_repair`: `NO_DATE` if the list has no repair exit or `non_repairable` holds for the record;
//!      else `add(date, min) + 1` with a min, `entered` without one.
//!    - per-record status: objection upheld and resolved `<= as_of` → Revoked (ended_on = resolved);
//!      repair exit and `repair_date <= as_of` and `repair_date >= earliest_repair` and every required repair
//!      condition bit set → Repaired (ended_on = repair_date); `as_of > last_day` → Expired
//!      (ended_on = last_day + 1); objection filed `<= as_of` and not resolved by `as_of` and the policy's
//!      objection rule suspends → Suspended; else Active.
//!    - the list's outcome is the best record by rank Active > Suspended > Repaired = Expired = Revoked;
//!      ties: among Active/Suspended the latest `last_day`, among ended the latest `ended_on`; then the
//!      lowest index. No matching record → NotListed with every date `NO_DATE` and indexes -1.
//!    - then precedence: for each list `L` (in order) whose status *before precedence* is Active or
//!      Suspended, each `M` in `L.precedence_over` whose status before precedence is Active or Suspended
//!      becomes Overridden with `overridden_by = L` (the first such `L` wins).
//! 3. **Measures**, in order. `Trigger::List(l)`: Active → Active, Suspended → Suspended, Repaired / Expired /
//!    Revoked → Ended, NotListed / Overridden → NotApplicable. `Trigger::Condition(c)`: true → Active, false →
//!    NotApplicable. (Only the status is computed: the source, record and last day of a list-triggered measure
//!    are the list's, `RawOutput::measure`; a condition-triggered one has none.) Then, if the request names a scenario, the measure names scenarios, the scenario is not
//!    among them and the status is not NotApplicable → OtherScenario.
//! 4. **Incentives**: eligible when every clause holds; `failed_clause` = index of the first that does not.
//! 5. **Notifications**: fired when the condition holds.
//! 6. **Grade**: index of the first level whose condition holds, else -1 (also -1 without a grading).
//! 7. **Objections**: for each record in order with `objection_filed <= as_of`: `due = add(filed, deadline)`
//!    or `NO_DATE`; status Resolved if `objection_resolved <= as_of`, else Overdue if `as_of > due`, else
//!    Pending.
//!
//! `add(d, N日) = d + N`; `add(d, N个月)` / `N年` use the month-end rule ([`abi::date::CivilDate::add_months`]);
//! `add(d, N工作日)` is the N-th working day after `d` by the calendar, and any day it must inspect outside the
//! calendar's data → error `CalendarRange`.
//!
//! Within expressions: `Exists`/`Count` range over counting records (step 1) and, with `within`, only those
//! with `as_of <= add(record.date, within)`. `OnList(l)` holds when list `l`'s status after precedence is
//! Active or Suspended (only lists earlier than the current list may be referenced from a list criterion).
//! Comparisons on an absent value (`NO_CODE`, `NO_DATE`, NaN amount) are false, except `!=` which is true.

use xince_abi::date::DayNumber;
use xince_abi::manifest::Manifest;

mod analysis;
pub use analysis::Quantifier;

/// First day month arithmetic accepts (0001-01-01).
pub const MIN_CIVIL_DAY: DayNumber = -719_162;
/// Last day month arithmetic accepts (9999-12-31).
pub const MAX_CIVIL_DAY: DayNumber = 2_932_896;
/// Largest month count (in absolute value) month arithmetic accepts; keeps every step inside i32.
pub const MAX_MONTHS: i32 = 1_200_000;

#[derive(Clone, Debug, PartialEq)]
pub struct Program {
    /// Everything a host needs to decode answers; `source_hash` already filled.
    pub manifest: Manifest,
    pub effective_from: DayNumber,
    /// Last day in force, or `NO_DATE` when open-ended.
    pub effective_until: DayNumber,
    pub version_rule: VersionRule,
    pub regimes: Vec<Regime>,
    pub lists: Vec<List>,
    pub measures: Vec<Measure>,
    pub incentives: Vec<Incentive>,
    pub notifications: Vec<Notification>,
    pub grading: Option<Grading>,
    pub objection: Option<ObjectionRule>,
    pub calendar: WorkdayCalendar,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VersionRule {
    /// 从旧兼从轻: the old regime unless the new one's maximum for the severity is shorter, or equal with a
    /// shorter minimum (compared by applying both to the record's date).
    OldUnlessLenient,
    /// 从旧
    Old,
    /// 从新
    New,
}

/// Periods (`3年`, `6个月`, `30日`, `7工作日`) are the stdlib calendar's own type: one definition of a period.
pub use xince_stdlib::calendar::{Duration, Unit};

#[derive(Clone, Debug, PartialEq)]
pub struct Regime {
    pub effective_from: DayNumber,
    /// Last day in force, or `NO_DATE`.
    pub effective_until: DayNumber,
    /// (severity code, minimum, maximum). Minimum `None`: repairable from entry.
    pub periods: Vec<(i32, Option<Duration>, Duration)>,
    /// Severity code whose periods apply when a record's severity is absent or not in the table.
    pub default_severity: i32,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Period {
    Fixed {
        minimum: Option<Duration>,
        maximum: Duration,
    },
    /// Candidate regimes (indexes into `Program::regimes`), chosen per record by the version rule.
    Regime(Vec<u32>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct List {
    /// A record predicate (may use record and subject fields).
    pub criterion: Expr,
    pub period: Period,
    /// Bit set over 修复条件 codes that must all be met.
    pub repair_conditions: u64,
    pub exit_on_repair: bool,
    pub non_repairable: Option<Expr>,
    pub precedence_over: Vec<u32>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Trigger {
    List(u32),
    /// A subject-level condition.
    Condition(Expr),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Measure {
    pub trigger: Trigger,
    /// 场景 codes; empty = every scenario.
    pub scenarios: Vec<i32>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Incentive {
    /// Subject-level conditions, all of which must hold.
    pub clauses: Vec<Expr>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Notification {
    pub condition: Expr,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Grading {
    /// Level conditions in order; the first that holds wins.
    pub levels: Vec<Expr>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ObjectionRule {
    pub deadline: Option<Duration>,
    pub suspends: bool,
}

/// Working days as a bit per day from `first_day` (bit set = working day).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkdayCalendar {
    pub first_day: DayNumber,
    pub day_count: u32,
    pub bits: Vec<u8>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RecordField {
    Type,
    Domain,
    Severity,
    Grade,
    Procedure,
    Date,
    Amount,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SubjectField {
    Kind,
    Sector,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

/// Typed expressions. Types: Bool, Int (counts), Num (amounts), Date, Code (a vocabulary code).
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Bool(bool),
    Int(i64),
    Num(f64),
    Date(DayNumber),
    Code(i32),
    /// Only inside a record predicate (list criterion, quantifier condition, `non_repairable`, 违诺).
    Record(RecordField),
    Subject(SubjectField),
    AsOf,
    /// The request's scenario code (`NO_CODE` when none).
    Scenario,
    /// Compare two values of one type (Code with Code, Date with Date, Int/Num with Int/Num).
    Cmp(CmpOp, Box<Expr>, Box<Expr>),
    /// A Code-typed value is one of the codes.
    InSet(Box<Expr>, Vec<i32>),
    /// The record's 标志 set has any of the bits in the mask.
    RecordHasFlags(u64),
    /// Bit set over 角色 codes: the subject has a related person in any of these roles.
    HasRole(u32),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    Exists {
        condition: Box<Expr>,
        within: Option<Duration>,
    },
    Count {
        condition: Box<Expr>,
        within: Option<Duration>,
    },
    OnList(u32),
    /// Date + duration.
    AddDuration(Box<Expr>, Duration),
}
