//! The host-facing decision (JSON): a timeline of lists, measures, incentives, notifications and objections
//! on the evaluation date, every item with its citation, plus a trace in words a drafter reads.
//! `docs/schema/decision.schema.json` publishes this shape (`runtime/tests/schema.rs` checks decisions
//! against it).
//!
//! One type for every use. [`crate::decode::decide`] builds it borrowing every name, citation and basis from
//! the manifest and the request (a batch host serializes it without copying them); [`Decision::into_owned`]
//! detaches it (`Decision<'static>`) for a host that keeps decisions past the request. It also deserializes,
//! for hosts that read decisions back.

use crate::date::CivilDate;
use crate::layout::{ListStatus, MeasureStatus, ObjectionStatus};
use crate::manifest::{Basis, Citation};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Cow;
use std::fmt;

/// Text borrowed from the manifest or the request, or owned.
pub type Text<'a> = Cow<'a, str>;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Decision<'a> {
    #[serde(borrow)]
    pub policy: PolicyRef<'a>,
    #[serde(borrow)]
    pub as_of: Text<'a>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<Text<'a>>,
    #[serde(borrow)]
    pub subject: SubjectRef<'a>,
    #[serde(borrow)]
    pub lists: Vec<ListItem<'a>>,
    #[serde(borrow)]
    pub measures: Vec<MeasureItem<'a>>,
    #[serde(borrow)]
    pub incentives: Vec<IncentiveItem<'a>>,
    #[serde(borrow)]
    pub notifications: Vec<NotificationItem<'a>>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub grade: Option<GradeItem<'a>>,
    #[serde(borrow)]
    pub objections: Vec<ObjectionItem<'a>>,
    #[serde(borrow)]
    pub trace: Vec<TraceLine<'a>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyRef<'a> {
    #[serde(borrow)]
    pub id: Text<'a>,
    #[serde(borrow)]
    pub version: Text<'a>,
    #[serde(borrow)]
    pub jurisdiction: Text<'a>,
    #[serde(borrow)]
    pub document: Text<'a>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectRef<'a> {
    #[serde(borrow)]
    pub id: Text<'a>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub name: Option<Text<'a>>,
}

/// A date, written `YYYY-MM-DD` (no `String` per date when serializing).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Day(pub CivilDate);

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Serialize for Day {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = Cow::<'de, str>::deserialize(deserializer)?;
        CivilDate::parse(&text).map(Day).map_err(|_| serde::de::Error::custom(format!("not a date: {text}")))
    }
}

/// The item a trace line is about, written `kind:name` (`措施:限制参加政府采购`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemName<'a> {
    /// 名单, 措施, 激励, 通报, 等级 or 异议.
    pub kind: Text<'a>,
    pub name: Text<'a>,
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

impl<'de> Deserialize<'de> for ItemName<'_> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let (kind, name) =
            text.split_once(':').ok_or_else(|| serde::de::Error::custom(format!("not kind:name: {text}")))?;
        Ok(ItemName { kind: Cow::Owned(kind.to_string()), name: Cow::Owned(name.to_string()) })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ListItem<'a> {
    #[serde(borrow)]
    pub list: Text<'a>,
    #[serde(borrow)]
    pub category: Text<'a>,
    pub status: ListStatus,
    /// Id of the record that governs the entry.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub record: Option<Text<'a>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entered: Option<Day>,
    /// Last day of publication / validity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publication_ends: Option<Day>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub earliest_repair: Option<Day>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_on: Option<Day>,
    /// The repair regime applied (by the policy's version rule) as `name（文号）`, if the period comes from one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regime: Option<String>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub overridden_by: Option<Text<'a>>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub repair: Option<RepairEligibility<'a>>,
    pub citation: Cow<'a, Citation>,
    pub basis: Cow<'a, [Basis]>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepairEligibility<'a> {
    /// True when the minimum period has run and no condition is missing.
    pub eligible_now: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub possible_from: Option<Day>,
    /// Conditions (修复条件) not yet met.
    #[serde(borrow)]
    pub missing_conditions: Vec<Text<'a>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MeasureItem<'a> {
    #[serde(borrow)]
    pub measure: Text<'a>,
    #[serde(borrow)]
    pub kind: Text<'a>,
    pub mandatory: bool,
    pub status: MeasureStatus,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub because_of_list: Option<Text<'a>>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub record: Option<Text<'a>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Day>,
    pub implementer: Cow<'a, [String]>,
    pub scenarios: Cow<'a, [String]>,
    #[serde(borrow)]
    pub targets: Vec<Target<'a>>,
    pub citation: Cow<'a, Citation>,
    pub basis: Cow<'a, [Basis]>,
}

/// Who a measure falls on: the subject itself or a related person (落实到人).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target<'a> {
    #[serde(borrow)]
    pub role: Text<'a>,
    #[serde(borrow)]
    pub id: Text<'a>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub name: Option<Text<'a>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IncentiveItem<'a> {
    #[serde(borrow)]
    pub incentive: Text<'a>,
    pub eligible: bool,
    pub benefits: Cow<'a, [String]>,
    pub scenarios: Cow<'a, [String]>,
    /// For an ineligible subject: the condition that failed, as written.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub failed_condition: Option<Text<'a>>,
    pub citation: Cow<'a, Citation>,
    pub basis: Cow<'a, [Basis]>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NotificationItem<'a> {
    #[serde(borrow)]
    pub notification: Text<'a>,
    pub recipients: Cow<'a, [String]>,
    pub citation: Cow<'a, Citation>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GradeItem<'a> {
    #[serde(borrow)]
    pub grading: Text<'a>,
    #[serde(borrow)]
    pub level: Text<'a>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub supervision: Option<Text<'a>>,
    pub citation: Cow<'a, Citation>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ObjectionItem<'a> {
    #[serde(borrow)]
    pub record: Text<'a>,
    #[serde(borrow)]
    pub filed: Text<'a>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<Day>,
    pub status: ObjectionStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub citation: Option<Cow<'a, Citation>>,
}

/// One sentence of explanation, Chinese first, with the rule it is about.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TraceLine<'a> {
    /// `名单:严重失信主体名单`, `措施:限制参加政府采购`, …
    pub item: ItemName<'a>,
    pub zh: String,
    pub en: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub citation: Option<Cow<'a, Citation>>,
}

fn own(t: Text<'_>) -> Text<'static> {
    Cow::Owned(t.into_owned())
}

fn own_opt(t: Option<Text<'_>>) -> Option<Text<'static>> {
    t.map(own)
}

fn own_slice<T: Clone>(v: Cow<'_, [T]>) -> Cow<'static, [T]> {
    Cow::Owned(v.into_owned())
}

fn own_citation(c: Cow<'_, Citation>) -> Cow<'static, Citation> {
    Cow::Owned(c.into_owned())
}

impl Decision<'_> {
    /// The same decision owning all its text (for keeping it past the manifest and the request).
    pub fn into_owned(self) -> Decision<'static> {
        Decision {
            policy: PolicyRef {
                id: own(self.policy.id),
                version: own(self.policy.version),
                jurisdiction: own(self.policy.jurisdiction),
                document: own(self.policy.document),
            },
            as_of: own(self.as_of),
            scenario: own_opt(self.scenario),
            subject: SubjectRef { id: own(self.subject.id), name: own_opt(self.subject.name) },
            lists: self
                .lists
                .into_iter()
                .map(|l| ListItem {
                    list: own(l.list),
                    category: own(l.category),
                    status: l.status,
                    record: own_opt(l.record),
                    entered: l.entered,
                    publication_ends: l.publication_ends,
                    earliest_repair: l.earliest_repair,
                    ended_on: l.ended_on,
                    regime: l.regime,
                    overridden_by: own_opt(l.overridden_by),
                    repair: l.repair.map(|r| RepairEligibility {
                        eligible_now: r.eligible_now,
                        possible_from: r.possible_from,
                        missing_conditions: r.missing_conditions.into_iter().map(own).collect(),
                    }),
                    citation: own_citation(l.citation),
                    basis: own_slice(l.basis),
                })
                .collect(),
            measures: self
                .measures
                .into_iter()
                .map(|m| MeasureItem {
                    measure: own(m.measure),
                    kind: own(m.kind),
                    mandatory: m.mandatory,
                    status: m.status,
                    because_of_list: own_opt(m.because_of_list),
                    record: own_opt(m.record),
                    until: m.until,
                    implementer: own_slice(m.implementer),
                    scenarios: own_slice(m.scenarios),
                    targets: m
                        .targets
                        .into_iter()
                        .map(|t| Target { role: own(t.role), id: own(t.id), name: own_opt(t.name) })
                        .collect(),
                    citation: own_citation(m.citation),
                    basis: own_slice(m.basis),
                })
                .collect(),
            incentives: self
                .incentives
                .into_iter()
                .map(|i| IncentiveItem {
                    incentive: own(i.incentive),
                    eligible: i.eligible,
                    benefits: own_slice(i.benefits),
                    scenarios: own_slice(i.scenarios),
                    failed_condition: own_opt(i.failed_condition),
                    citation: own_citation(i.citation),
                    basis: own_slice(i.basis),
                })
                .collect(),
            notifications: self
                .notifications
                .into_iter()
                .map(|n| NotificationItem {
                    notification: own(n.notification),
                    recipients: own_slice(n.recipients),
                    citation: own_citation(n.citation),
                })
                .collect(),
            grade: self.grade.map(|g| GradeItem {
                grading: own(g.grading),
                level: own(g.level),
                supervision: own_opt(g.supervision),
                citation: own_citation(g.citation),
            }),
            objections: self
                .objections
                .into_iter()
                .map(|o| ObjectionItem {
                    record: own(o.record),
                    filed: own(o.filed),
                    due: o.due,
                    status: o.status,
                    citation: o.citation.map(own_citation),
                })
                .collect(),
            trace: self
                .trace
                .into_iter()
                .map(|t| TraceLine {
                    item: ItemName { kind: own(t.item.kind), name: own(t.item.name) },
                    zh: t.zh,
                    en: t.en,
                    citation: t.citation.map(own_citation),
                })
                .collect(),
        }
    }
}
