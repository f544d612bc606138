//! The host-facing decision (JSON): a timeline of lists, measures, incentives, notifications and objections
//! on the evaluation date, every item with its citation, plus a trace in words a drafter reads.
//! `docs/schema/decision.schema.json` publishes this shape.

use crate::layout::{ListStatus, MeasureStatus, ObjectionStatus};
use crate::manifest::{Basis, Citation};
use serde::{Deserialize, Serialize};

pub mod borrowed;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub policy: PolicyRef,
    pub as_of: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
    pub subject: SubjectRef,
    pub lists: Vec<ListItem>,
    pub measures: Vec<MeasureItem>,
    pub incentives: Vec<IncentiveItem>,
    pub notifications: Vec<NotificationItem>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grade: Option<GradeItem>,
    pub objections: Vec<ObjectionItem>,
    pub trace: Vec<TraceLine>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyRef {
    pub id: String,
    pub version: String,
    pub jurisdiction: String,
    pub document: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectRef {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ListItem {
    pub list: String,
    pub category: String,
    pub status: ListStatus,
    /// Id of the record that governs the entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entered: Option<String>,
    /// Last day of publication / validity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publication_ends: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub earliest_repair: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_on: Option<String>,
    /// The repair regime applied (by the policy's version rule) as `name（文号）`, if the period comes from one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regime: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overridden_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repair: Option<RepairEligibility>,
    pub citation: Citation,
    pub basis: Vec<Basis>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepairEligibility {
    /// True when the minimum period has run and no condition is missing.
    pub eligible_now: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub possible_from: Option<String>,
    /// Conditions (修复条件) not yet met.
    pub missing_conditions: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MeasureItem {
    pub measure: String,
    pub kind: String,
    pub mandatory: bool,
    pub status: MeasureStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub because_of_list: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    pub implementer: Vec<String>,
    pub scenarios: Vec<String>,
    pub targets: Vec<Target>,
    pub citation: Citation,
    pub basis: Vec<Basis>,
}

/// Who a measure falls on: the subject itself or a related person (落实到人).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub role: String,
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IncentiveItem {
    pub incentive: String,
    pub eligible: bool,
    pub benefits: Vec<String>,
    pub scenarios: Vec<String>,
    /// For an ineligible subject: the condition that failed, as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_condition: Option<String>,
    pub citation: Citation,
    pub basis: Vec<Basis>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NotificationItem {
    pub notification: String,
    pub recipients: Vec<String>,
    pub citation: Citation,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GradeItem {
    pub grading: String,
    pub level: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervision: Option<String>,
    pub citation: Citation,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ObjectionItem {
    pub record: String,
    pub filed: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
    pub status: ObjectionStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub citation: Option<Citation>,
}

/// One sentence of explanation, Chinese first, with the rule it is about.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TraceLine {
    /// `名单:严重失信主体名单`, `措施:限制参加政府采购`, …
    pub item: String,
    pub zh: String,
    pub en: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub citation: Option<Citation>,
}
