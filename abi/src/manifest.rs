//! The manifest every module carries in its `xince.manifest` custom section (canonical JSON). It names the
//! policy, pins the vocabularies (the code of a value is its index in its vocabulary), and holds every
//! citation a decision can show, so a host can decode an answer without the source.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The vocabularies whose codes appear in the binary input, by their stdlib names.
pub mod vocab_names {
    pub const SUBJECT_KIND: &str = "主体类型";
    pub const SECTOR: &str = "行业";
    pub const ROLE: &str = "角色";
    pub const RECORD_TYPE: &str = "记录类型";
    pub const DOMAIN: &str = "领域";
    pub const SEVERITY: &str = "严重程度";
    pub const GRADE: &str = "等级";
    pub const PROCEDURE: &str = "程序";
    pub const FLAG: &str = "标志";
    pub const REPAIR_CONDITION: &str = "修复条件";
    pub const SCENARIO: &str = "场景";
    /// Every vocabulary a request is encoded against.
    pub const ALL: [&str; 11] =
        [SUBJECT_KIND, SECTOR, ROLE, RECORD_TYPE, DOMAIN, SEVERITY, GRADE, PROCEDURE, FLAG, REPAIR_CONDITION, SCENARIO];
    /// Record types that are not facts of their own but act on another record (`"of"`).
    pub const OBJECTION_RECORD: &str = "异议";
    pub const REPAIR_RECORD: &str = "信用修复";
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub abi_version: u32,
    pub compiler_version: String,
    /// `sha256:<hex>` over the policy's sources (stdlib and upper layers included), in load order.
    pub source_hash: String,
    pub policy: PolicyInfo,
    /// Vocabulary name → values; a value's code is its index.
    pub vocab: BTreeMap<String, Vec<String>>,
    pub lists: Vec<ListInfo>,
    pub measures: Vec<MeasureInfo>,
    pub incentives: Vec<IncentiveInfo>,
    pub notifications: Vec<NotificationInfo>,
    pub grading: Option<GradingInfo>,
    pub objection: Option<ObjectionInfo>,
    pub regimes: Vec<RegimeInfo>,
    /// Stdlib facts marked unverified that this policy relies on (the compiler also warns).
    pub unverified: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyInfo {
    /// Stable id, e.g. `重庆市/巫山县/信用体系建设实施方案`.
    pub id: String,
    pub name: String,
    /// Slash-separated jurisdiction path, e.g. `重庆市/巫山县/司法局`.
    pub jurisdiction: String,
    pub issuer: String,
    /// 文号, e.g. `巫山信用办发〔2022〕3号`.
    pub document: String,
    pub version: String,
    /// `YYYY-MM-DD`.
    pub effective_from: String,
    pub effective_until: Option<String>,
    /// 国家 / 省 / 市 / 县 / 部门.
    pub level: String,
    /// Ids of the upper-level policies this one builds on (linked into the module).
    pub extends: Vec<String>,
    pub supersedes: Option<String>,
    /// 从旧兼从轻 / 从旧 / 从新.
    pub version_rule: String,
}

/// Where a rule comes from: the document (文号) and the article as the document numbers it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Citation {
    pub document: String,
    pub article: String,
}

/// The legal basis (实施依据) of a list or measure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Basis {
    pub name: String,
    pub document: String,
    pub article: Option<String>,
    /// 法律 / 行政法规 / 部门规章 / 地方性法规 / 党中央国务院文件 / 规范性文件 / 未知.
    pub rank: String,
    pub verified: bool,
}

impl Basis {
    /// How a decision names the basis: `《名称》` then the 文号 when it differs from the name, then the article.
    pub fn label(&self) -> String {
        let mut s = format!("《{}》", self.name);
        if !self.document.is_empty() && self.document != self.name {
            s.push_str(&self.document);
        }
        if let Some(article) = &self.article {
            s.push(' ');
            s.push_str(article);
        }
        s
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ListInfo {
    pub name: String,
    /// 红名单 / 黑名单 / 重点关注名单.
    pub category: String,
    pub citation: Citation,
    pub basis: Vec<Basis>,
    /// The entry criterion as the drafter wrote it (shown in traces).
    pub criterion: String,
    /// The validity / publication period as written (`3年`, or a regime name).
    pub period: String,
    /// Repair conditions (修复条件 values) all of which must be met.
    pub repair_conditions: Vec<String>,
    /// How a subject leaves the list: 期满 / 修复 / 异议成立.
    pub exits: Vec<String>,
    /// Remedies (救济措施) the listing decision must state.
    pub remedies: Vec<String>,
    pub precedence_over: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MeasureInfo {
    pub name: String,
    /// 惩戒 / 激励.
    pub kind: String,
    pub mandatory: bool,
    pub basis: Vec<Basis>,
    pub implementer: Vec<String>,
    pub scenarios: Vec<String>,
    /// 主体 and/or related-person roles (法定代表人, …).
    pub targets: Vec<String>,
    /// The trigger as written (a list name or a condition).
    pub trigger: String,
    /// Index into `lists` of the list whose status triggers this measure, or `None` when a condition does.
    /// An answer's measure entry carries only the status; the source, record and last day come from here
    /// and that list's entry. (Defaulted so a v2 manifest parses and is refused for its version.)
    #[serde(default)]
    pub trigger_list: Option<u32>,
    pub citation: Citation,
    /// The upper-level measure this one narrows, if any.
    pub refines: Option<String>,
    pub description: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IncentiveInfo {
    pub name: String,
    pub benefits: Vec<String>,
    pub scenarios: Vec<String>,
    /// Each condition clause as written; `failed_clause` in an answer indexes this.
    pub clauses: Vec<String>,
    pub basis: Vec<Basis>,
    pub implementer: Vec<String>,
    pub citation: Citation,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NotificationInfo {
    pub name: String,
    pub recipients: Vec<String>,
    pub condition: String,
    pub citation: Citation,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GradingInfo {
    pub name: String,
    pub levels: Vec<GradeLevel>,
    pub citation: Citation,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GradeLevel {
    pub name: String,
    pub condition: String,
    /// Supervision intensity (e.g. 双随机抽查比例) for this level.
    pub supervision: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ObjectionInfo {
    /// The handling deadline as written (`5工作日`), if the policy sets one.
    pub deadline: Option<String>,
    pub suspends_measures: bool,
    pub citation: Citation,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegimeInfo {
    pub name: String,
    pub document: String,
    pub effective_from: String,
    pub effective_until: Option<String>,
    /// Severity (严重程度 value) → (minimum, maximum) publication period as written.
    pub periods: BTreeMap<String, PeriodPair>,
    pub verified: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodPair {
    pub minimum: Option<String>,
    pub maximum: String,
}

impl Manifest {
    /// The answer shape this manifest promises (the same for every request; see [`OutputShape`]).
    pub fn output_shape(&self) -> crate::output::OutputShape {
        crate::output::OutputShape {
            lists: self.lists.len(),
            measures: self.measures.len(),
            incentive_clauses: self.incentives.iter().map(|i| i.clauses.len()).collect(),
            notifications: self.notifications.len(),
            grade_levels: self.grading.as_ref().map_or(0, |g| g.levels.len()),
            regimes: self.regimes.len(),
        }
    }

    /// Code of `value` in vocabulary `vocab`.
    pub fn code(&self, vocab: &str, value: &str) -> Option<i32> {
        self.vocab.get(vocab)?.iter().position(|v| v == value).map(|i| i as i32)
    }

    /// Value of `code` in vocabulary `vocab`.
    pub fn value(&self, vocab: &str, code: i32) -> Option<&str> {
        usize::try_from(code).ok().and_then(|i| self.vocab.get(vocab)?.get(i)).map(String::as_str)
    }
}
