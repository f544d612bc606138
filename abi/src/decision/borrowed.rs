//! The same decision, borrowing from the manifest and the request instead of copying: what
//! [`crate::decode::decide_borrowed`] builds, and what a batch host serializes without cloning a citation,
//! a basis or a name per item. Field for field the shape of [`super::Decision`]; serialized, the two are
//! byte-identical (the conformance suite, `tests/conformance.rs`, checks every case with and without
//! `explain`; `batch/tests/batch.rs` checks generated populations), and [`Decision::into_owned`] gives the
//! owned form. A field added to one must be added to the other.

use crate::date::CivilDate;
use crate::layout::{ListStatus, MeasureStatus, ObjectionStatus};
use crate::manifest::{Basis, Citation};
use serde::{Serialize, Serializer};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Decision<'a> {
    pub policy: PolicyRef<'a>,
    pub as_of: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scenario: Option<&'a str>,
    pub subject: SubjectRef<'a>,
    pub lists: Vec<ListItem<'a>>,
    pub measures: Vec<MeasureItem<'a>>,
    pub incentives: Vec<IncentiveItem<'a>>,
    pub notifications: Vec<NotificationItem<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grade: Option<GradeItem<'a>>,
    pub objections: Vec<ObjectionItem<'a>>,
    pub trace: Vec<TraceLine<'a>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PolicyRef<'a> {
    pub id: &'a str,
    pub version: &'a str,
    pub jurisdiction: &'a str,
    pub document: &'a str,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SubjectRef<'a> {
    pub id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
}

/// A date written as `YYYY-MM-DD` when serialized (no `String` per date).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Day(pub CivilDate);

impl Serialize for Day {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

/// The name of the item a trace line is about, `kind:name` (`措施:限制参加政府采购`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ItemName<'a> {
    pub kind: &'static str,
    pub name: &'a str,
}

impl fmt::Display for ItemName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind, self.name)
    }
}

impl Serialize for ItemName<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ListItem<'a> {
    pub list: &'a str,
    pub category: &'a str,
    pub status: ListStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entered: Option<Day>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publication_ends: Option<Day>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub earliest_repair: Option<Day>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ended_on: Option<Day>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub regime: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overridden_by: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repair: Option<RepairEligibility<'a>>,
    pub citation: &'a Citation,
    pub basis: &'a [Basis],
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RepairEligibility<'a> {
    pub eligible_now: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub possible_from: Option<Day>,
    pub missing_conditions: Vec<&'a str>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MeasureItem<'a> {
    pub measure: &'a str,
    pub kind: &'a str,
    pub mandatory: bool,
    pub status: MeasureStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub because_of_list: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<Day>,
    pub implementer: &'a [String],
    pub scenarios: &'a [String],
    pub targets: Vec<Target<'a>>,
    pub citation: &'a Citation,
    pub basis: &'a [Basis],
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Target<'a> {
    pub role: &'a str,
    pub id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IncentiveItem<'a> {
    pub incentive: &'a str,
    pub eligible: bool,
    pub benefits: &'a [String],
    pub scenarios: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed_condition: Option<&'a str>,
    pub citation: &'a Citation,
    pub basis: &'a [Basis],
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NotificationItem<'a> {
    pub notification: &'a str,
    pub recipients: &'a [String],
    pub citation: &'a Citation,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GradeItem<'a> {
    pub grading: &'a str,
    pub level: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supervision: Option<&'a str>,
    pub citation: &'a Citation,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ObjectionItem<'a> {
    pub record: &'a str,
    pub filed: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due: Option<Day>,
    pub status: ObjectionStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub citation: Option<&'a Citation>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TraceLine<'a> {
    pub item: ItemName<'a>,
    pub zh: String,
    pub en: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub citation: Option<&'a Citation>,
}

fn text(s: &str) -> String {
    s.to_string()
}

fn day(d: Option<Day>) -> Option<String> {
    d.map(|Day(c)| c.to_string())
}

fn texts(v: &[String]) -> Vec<String> {
    v.to_vec()
}

impl Decision<'_> {
    /// The owned [`super::Decision`] with the same content.
    pub fn into_owned(self) -> super::Decision {
        use super as o;
        o::Decision {
            policy: o::PolicyRef {
                id: text(self.policy.id),
                version: text(self.policy.version),
                jurisdiction: text(self.policy.jurisdiction),
                document: text(self.policy.document),
            },
            as_of: text(self.as_of),
            scenario: self.scenario.map(text),
            subject: o::SubjectRef { id: text(self.subject.id), name: self.subject.name.map(text) },
            lists: self
                .lists
                .into_iter()
                .map(|l| o::ListItem {
                    list: text(l.list),
                    category: text(l.category),
                    status: l.status,
                    record: l.record.map(text),
                    entered: day(l.entered),
                    publication_ends: day(l.publication_ends),
                    earliest_repair: day(l.earliest_repair),
                    ended_on: day(l.ended_on),
                    regime: l.regime,
                    overridden_by: l.overridden_by.map(text),
                    repair: l.repair.map(|r| o::RepairEligibility {
                        eligible_now: r.eligible_now,
                        possible_from: day(r.possible_from),
                        missing_conditions: r.missing_conditions.into_iter().map(text).collect(),
                    }),
                    citation: l.citation.clone(),
                    basis: l.basis.to_vec(),
                })
                .collect(),
            measures: self
                .measures
                .into_iter()
                .map(|m| o::MeasureItem {
                    measure: text(m.measure),
                    kind: text(m.kind),
                    mandatory: m.mandatory,
                    status: m.status,
                    because_of_list: m.because_of_list.map(text),
                    record: m.record.map(text),
                    until: day(m.until),
                    implementer: texts(m.implementer),
                    scenarios: texts(m.scenarios),
                    targets: m
                        .targets
                        .into_iter()
                        .map(|t| o::Target { role: text(t.role), id: text(t.id), name: t.name.map(text) })
                        .collect(),
                    citation: m.citation.clone(),
                    basis: m.basis.to_vec(),
                })
                .collect(),
            incentives: self
                .incentives
                .into_iter()
                .map(|i| o::IncentiveItem {
                    incentive: text(i.incentive),
                    eligible: i.eligible,
                    benefits: texts(i.benefits),
                    scenarios: texts(i.scenarios),
                    failed_condition: i.failed_condition.map(text),
                    citation: i.citation.clone(),
                    basis: i.basis.to_vec(),
                })
                .collect(),
            notifications: self
                .notifications
                .into_iter()
                .map(|n| o::NotificationItem {
                    notification: text(n.notification),
                    recipients: texts(n.recipients),
                    citation: n.citation.clone(),
                })
                .collect(),
            grade: self.grade.map(|g| o::GradeItem {
                grading: text(g.grading),
                level: text(g.level),
                supervision: g.supervision.map(text),
                citation: g.citation.clone(),
            }),
            objections: self
                .objections
                .into_iter()
                .map(|x| o::ObjectionItem {
                    record: text(x.record),
                    filed: text(x.filed),
                    due: day(x.due),
                    status: x.status,
                    citation: x.citation.cloned(),
                })
                .collect(),
            trace: self
                .trace
                .into_iter()
                .map(|t| o::TraceLine { item: t.item.to_string(), zh: t.zh, en: t.en, citation: t.citation.cloned() })
                .collect(),
        }
    }
}
