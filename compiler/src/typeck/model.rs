//! The checked model: each item kind's definition after its clauses are checked, and the types of
//! expressions.

use crate::ir;
use crate::resolve::{BasisRef, Origin};
use std::collections::BTreeMap;
use xince_abi::date::DayNumber;
use xince_abi::manifest::{Citation, PolicyInfo};
use xince_lang::FileId;
use xince_lang::ast::Span;

#[derive(Clone, Debug, PartialEq)]
pub enum Ty {
    Bool,
    Int,
    Num,
    Date,
    Code(String),
    Str,
    /// After an error: accepted everywhere so one mistake gives one diagnostic.
    Unknown,
}

impl Ty {
    pub(super) fn name(&self) -> (String, String) {
        match self {
            Ty::Bool => ("布尔".into(), "Bool".into()),
            Ty::Int => ("整数".into(), "Int".into()),
            Ty::Num => ("数".into(), "Num".into()),
            Ty::Date => ("日期".into(), "Date".into()),
            Ty::Code(v) => (format!("词表值({v})"), format!("Code({v})")),
            Ty::Str => ("字符串".into(), "Str".into()),
            Ty::Unknown => ("未知".into(), "unknown".into()),
        }
    }
    pub(super) fn compatible(&self, other: &Ty) -> bool {
        match (self, other) {
            (Ty::Unknown, _) | (_, Ty::Unknown) => true,
            (Ty::Int | Ty::Num, Ty::Int | Ty::Num) => true,
            (a, b) => a == b,
        }
    }
}

/// Basis with what the lints and the manifest need.
#[derive(Clone, Debug, PartialEq)]
pub struct BasisDef {
    pub name: String,
    pub document: String,
    pub article: Option<String>,
    /// 法律 / 行政法规 / 部门规章 / 地方性法规 / 党中央国务院文件 / 规范性文件 / 未知.
    pub rank: String,
    pub verified: bool,
    pub origin: Origin,
    pub file: FileId,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SeverityPeriod {
    pub severity: String,
    pub code: i32,
    pub minimum: Option<ir::Duration>,
    pub maximum: ir::Duration,
    pub minimum_text: Option<String>,
    pub maximum_text: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RegimeDef {
    pub name: String,
    pub document: String,
    pub effective_from: DayNumber,
    pub effective_until: DayNumber,
    pub periods: Vec<SeverityPeriod>,
    pub default_severity: i32,
    pub non_repairable: Option<ir::Expr>,
    pub verified: bool,
    pub origin: Origin,
    pub file: FileId,
    pub span: Span,
}

/// Common to every rule: name, place, citation, bases.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleHead {
    pub name: String,
    pub origin: Origin,
    pub file: FileId,
    pub span: Span,
    pub keyword_span: Span,
    pub citation: Option<Citation>,
    pub bases: Vec<BasisRef>,
    /// A `依据` clause is written (even if its names did not resolve: no second error then).
    pub basis_written: bool,
}

/// A list's 类别.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListCategory {
    Red,
    Black,
    Watch,
}

impl ListCategory {
    pub const ALL: [ListCategory; 3] = [ListCategory::Red, ListCategory::Black, ListCategory::Watch];

    /// The word a policy writes (and the manifest carries).
    pub fn label(self) -> &'static str {
        match self {
            ListCategory::Red => "红名单",
            ListCategory::Black => "黑名单",
            ListCategory::Watch => "重点关注名单",
        }
    }

    pub fn from_label(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.label() == text)
    }
}

/// A measure's 类别.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MeasureKind {
    Punishment,
    Incentive,
}

impl MeasureKind {
    pub const ALL: [MeasureKind; 2] = [MeasureKind::Punishment, MeasureKind::Incentive];

    pub fn label(self) -> &'static str {
        match self {
            MeasureKind::Punishment => "惩戒",
            MeasureKind::Incentive => "激励",
        }
    }

    pub fn from_label(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.label() == text)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ListDef {
    pub head: RuleHead,
    /// `None` when the clause is missing or not a category (already reported).
    pub category: Option<ListCategory>,
    pub criterion: ir::Expr,
    pub criterion_text: String,
    pub period: Option<ir::Period>,
    pub period_text: String,
    /// Longest fixed maximum, for the widening check.
    pub fixed_maximum: Option<ir::Duration>,
    pub repair_conditions: Vec<String>,
    pub repair_mask: u64,
    pub exits: Vec<String>,
    pub remedies: Vec<String>,
    pub precedence: Vec<(String, u32)>,
    pub non_repairable: Option<ir::Expr>,
    pub regimes_used: Vec<usize>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MeasureDef {
    pub head: RuleHead,
    /// `None` when the clause is missing or not a kind (already reported).
    pub kind: Option<MeasureKind>,
    pub mandatory: bool,
    pub implementer: Vec<String>,
    pub scenarios: Vec<(String, i32)>,
    pub targets: Vec<String>,
    pub trigger: Option<ir::Trigger>,
    pub trigger_text: String,
    /// Name, file and span of the `细化` clause value.
    pub refines: Option<(String, Span)>,
    pub description: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct IncentiveDef {
    pub head: RuleHead,
    pub clauses: Vec<(ir::Expr, String)>,
    pub benefits: Vec<String>,
    pub scenarios: Vec<String>,
    pub implementer: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NotificationDef {
    pub head: RuleHead,
    pub condition: ir::Expr,
    pub condition_text: String,
    pub recipients: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct GradingDef {
    pub head: RuleHead,
    /// (level name, condition, condition as written, supervision).
    pub levels: Vec<(String, ir::Expr, String, Option<String>)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ObjectionDef {
    pub head: RuleHead,
    pub deadline: Option<ir::Duration>,
    pub deadline_text: Option<String>,
    pub suspends: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CommitmentDef {
    pub head: RuleHead,
    pub breach: ir::Expr,
    /// The breach condition as written (shown as the trigger of the measures it names).
    pub breach_text: String,
    pub measures: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PolicyDef {
    pub info: PolicyInfo,
    pub file: FileId,
    pub span: Span,
    pub keyword_span: Span,
    pub effective_from: Option<DayNumber>,
    pub effective_until: DayNumber,
    pub version_rule: ir::VersionRule,
}

/// The checked unit.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Checked {
    pub policy: Option<PolicyDef>,
    pub vocabs: BTreeMap<String, Vec<String>>,
    pub bases: Vec<BasisDef>,
    /// Scope entry index → position in `bases`.
    pub basis_index: BTreeMap<usize, usize>,
    pub regimes: Vec<RegimeDef>,
    pub lists: Vec<ListDef>,
    pub measures: Vec<MeasureDef>,
    pub incentives: Vec<IncentiveDef>,
    pub notifications: Vec<NotificationDef>,
    pub gradings: Vec<GradingDef>,
    pub objections: Vec<ObjectionDef>,
    pub commitments: Vec<CommitmentDef>,
}

impl Checked {
    pub fn basis(&self, r: &BasisRef) -> Option<&BasisDef> {
        match r {
            BasisRef::Item { index, .. } => self.basis_index.get(index).and_then(|&i| self.bases.get(i)),
            BasisRef::Local { .. } => None,
        }
    }
}

/// Source text per file, to keep expressions "as written" for the manifest and traces.
pub type Texts<'a> = BTreeMap<FileId, &'a str>;

/// The source text a span covers (clauses are shown as written).
pub(super) fn slice(texts: &Texts, file: FileId, span: Span) -> String {
    texts.get(&file).and_then(|t| t.get(span.range())).map(|s| s.trim().to_string()).unwrap_or_default()
}
