//! The trace's sentences, Chinese and English side by side: every piece of decision prose lives here, built
//! from the structured item it explains, so the two languages are written (and reviewed) together and the
//! assembly in [`super::decide`] holds no text.

use crate::date::CivilDate;
use crate::decision::Day;
use crate::layout::{ListStatus, MeasureStatus, ObjectionStatus};
use crate::manifest::{GradeLevel, GradingInfo, IncentiveInfo, ListInfo, MeasureInfo, NotificationInfo, RegimeInfo};
use crate::request::Record;
use std::fmt;

/// A sentence pair.
pub(crate) type Sentence = (String, String);

/// A day in a sentence: `YYYY-MM-DD`, or nothing (written in place, no `String`).
pub(crate) struct Shown(pub(crate) Option<Day>);

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(Day(d)) => d.fmt(f),
            None => Ok(()),
        }
    }
}

/// `记录 r1（行政处罚，2023-03-01）` / `record r1 (行政处罚, 2023-03-01)`, or "no record".
pub(crate) fn record_label(record: Option<&Record>) -> Sentence {
    match record {
        Some(r) => {
            let date = r.date.as_deref().unwrap_or_default();
            (
                format!("记录 {}（{}，{}）", r.id, r.record_type, date),
                format!("record {} ({}, {})", r.id, r.record_type, date),
            )
        }
        None => ("（无记录）".to_string(), "(no record)".to_string()),
    }
}

/// The dates of a list entry, as the answer gives them.
pub(crate) struct ListDates {
    pub(crate) entered: Option<Day>,
    pub(crate) ends: Option<Day>,
    pub(crate) ended: Option<Day>,
}

pub(crate) fn list(
    info: &ListInfo,
    status: ListStatus,
    record: Option<&Record>,
    regime: Option<&RegimeInfo>,
    version_rule: &str,
    dates: &ListDates,
    overridden_by: Option<&str>,
) -> Sentence {
    let (rec_zh, rec_en) = record_label(record);
    let period_zh = match regime {
        Some(r) => format!("期限「{}」由修复制度「{}」（{}）按{}确定", info.period, r.name, r.document, version_rule),
        None => format!("期限「{}」", info.period),
    };
    let period_en = match regime {
        Some(r) => format!(
            "period \"{}\" taken from repair regime \"{}\" ({}) under the {} rule",
            info.period, r.name, r.document, version_rule
        ),
        None => format!("period \"{}\"", info.period),
    };
    let (entered, ends, ended) = (Shown(dates.entered), Shown(dates.ends), Shown(dates.ended));
    match status {
        ListStatus::NotListed => (
            format!("没有记录符合「{}」的认定标准「{}」，未列入", info.name, info.criterion),
            format!("no record meets the criterion \"{}\" of \"{}\": not listed", info.criterion, info.name),
        ),
        ListStatus::Active | ListStatus::Suspended => {
            let suspended = status == ListStatus::Suspended;
            (
                format!(
                    "{rec_zh}符合「{}」的认定标准「{}」，自 {entered} 起列入，公示至 {ends}（{period_zh}）{}",
                    info.name,
                    info.criterion,
                    if suspended { "；该记录异议处理中，相关措施中止" } else { "" }
                ),
                format!(
                    "{rec_en} meets the criterion \"{}\" of \"{}\": listed from {entered}, published until {ends} ({period_en}){}",
                    info.criterion,
                    info.name,
                    if suspended { "; the record is under objection, so dependent measures are suspended" } else { "" }
                ),
            )
        }
        ListStatus::Expired => (
            format!("{rec_zh}曾列入「{}」（自 {entered} 起，{period_zh}），公示期满，自 {ended} 起移出", info.name),
            format!(
                "{rec_en} put the subject on \"{}\" from {entered} ({period_en}); the period ran out, off the list from {ended}",
                info.name
            ),
        ),
        ListStatus::Repaired => (
            format!("{rec_zh}曾列入「{}」（自 {entered} 起），已完成信用修复，自 {ended} 起移出", info.name),
            format!(
                "{rec_en} put the subject on \"{}\" from {entered}; credit repair granted, off the list from {ended}",
                info.name
            ),
        ),
        ListStatus::Revoked => (
            format!("{rec_zh}曾列入「{}」，异议成立，记录自 {ended} 起作废，名单撤销", info.name),
            format!(
                "{rec_en} put the subject on \"{}\"; the objection was upheld, the record is void from {ended}",
                info.name
            ),
        ),
        ListStatus::Overridden => {
            let by = overridden_by.unwrap_or_default();
            (
                format!("{rec_zh}符合「{}」的认定标准「{}」，但「{by}」优先，不再列入", info.name, info.criterion),
                format!(
                    "{rec_en} meets the criterion \"{}\" of \"{}\", but \"{by}\" takes precedence",
                    info.criterion, info.name
                ),
            )
        }
    }
}

/// Who a measure falls on, already written as `role name` pieces.
pub(crate) fn measure(
    info: &MeasureInfo,
    status: MeasureStatus,
    source_list: Option<&str>,
    record: Option<&Record>,
    targets: &[String],
    until: Option<Day>,
    scenario: Option<&str>,
) -> Sentence {
    let (rec_zh, rec_en) = record_label(record);
    let (who, who_en) = (targets.join("、"), targets.join(", "));
    let why_zh = match source_list {
        Some(l) => format!("因列入「{l}」（{rec_zh}）"),
        None => format!("因满足条件「{}」", info.trigger),
    };
    let why_en = match source_list {
        Some(l) => format!("because of list \"{l}\" ({rec_en})"),
        None => format!("because the condition \"{}\" holds", info.trigger),
    };
    let basis_zh: Vec<String> = info.basis.iter().map(|b| b.label()).collect();
    let basis = if basis_zh.is_empty() { "（未载明）".to_string() } else { basis_zh.join("；") };
    let kind = format!("{}，{}", info.kind, if info.mandatory { "强制性" } else { "推荐性" });
    let kind_en = format!("{}, {}", info.kind, if info.mandatory { "mandatory" } else { "recommended" });
    let until_zh = until.map(|u| format!("，至 {u}")).unwrap_or_default();
    let until_en = until.map(|u| format!(", until {u}")).unwrap_or_default();
    let scenario = scenario.unwrap_or_default();
    match status {
        MeasureStatus::Active => (
            format!(
                "{why_zh}，对 {who} 实施「{}」（{kind}）{until_zh}；依据：{basis}；实施单位：{}",
                info.name,
                info.implementer.join("、")
            ),
            format!(
                "{why_en}, \"{}\" ({kind_en}) applies to {who_en}{until_en}; basis: {basis}; implemented by {}",
                info.name,
                info.implementer.join(", ")
            ),
        ),
        MeasureStatus::Suspended => (
            format!("{why_zh}本应实施「{}」，但相关记录异议处理中，措施中止", info.name),
            format!("{why_en}, \"{}\" would apply, but the record is under objection: suspended", info.name),
        ),
        MeasureStatus::Ended => (
            format!("「{}」已结束：触发名单已移出（{rec_zh}）", info.name),
            format!("\"{}\" has ended: the triggering listing ended ({rec_en})", info.name),
        ),
        MeasureStatus::OtherScenario => (
            format!(
                "{why_zh}「{}」被触发，但只适用于场景 {}，本次场景为「{scenario}」",
                info.name,
                info.scenarios.join("、")
            ),
            format!(
                "\"{}\" is triggered {why_en}, but covers only scenarios {}, not \"{scenario}\"",
                info.name,
                info.scenarios.join(", ")
            ),
        ),
        MeasureStatus::NotApplicable => (
            format!("「{}」不适用：触发条件「{}」不成立", info.name, info.trigger),
            format!("\"{}\" does not apply: its trigger \"{}\" does not hold", info.name, info.trigger),
        ),
    }
}

pub(crate) fn incentive(info: &IncentiveInfo, failed: Option<&str>) -> Sentence {
    match failed {
        None => (
            format!(
                "满足「{}」的全部条件（{}），可享受：{}",
                info.name,
                info.clauses.join("；"),
                info.benefits.join("、")
            ),
            format!(
                "all conditions of \"{}\" hold ({}); benefits: {}",
                info.name,
                info.clauses.join("; "),
                info.benefits.join(", ")
            ),
        ),
        Some(f) => (
            format!("不符合「{}」：条件「{f}」不成立", info.name),
            format!("not eligible for \"{}\": condition \"{f}\" does not hold", info.name),
        ),
    }
}

pub(crate) fn notification(info: &NotificationInfo, fired: bool) -> Sentence {
    if fired {
        (
            format!("满足通报条件「{}」，应通报：{}", info.condition, info.recipients.join("、")),
            format!("the notification condition \"{}\" holds: notify {}", info.condition, info.recipients.join(", ")),
        )
    } else {
        (
            format!("通报条件「{}」不成立，无需通报", info.condition),
            format!("the notification condition \"{}\" does not hold", info.condition),
        )
    }
}

pub(crate) fn grade(g: &GradingInfo, level: &GradeLevel) -> Sentence {
    (
        format!(
            "符合「{}」等级「{}」的条件「{}」{}",
            g.name,
            level.name,
            level.condition,
            level.supervision.as_deref().map(|s| format!("，监管：{s}")).unwrap_or_default()
        ),
        format!(
            "grade \"{}\" of \"{}\": its condition \"{}\" holds{}",
            level.name,
            g.name,
            level.condition,
            level.supervision.as_deref().map(|s| format!("; supervision: {s}")).unwrap_or_default()
        ),
    )
}

pub(crate) fn objection(record: &str, filed: &str, due: Option<Day>, status: ObjectionStatus) -> Sentence {
    let (status_zh, status_en) = match status {
        ObjectionStatus::Pending => ("处理中", "pending"),
        ObjectionStatus::Overdue => ("已逾期未处理", "overdue"),
        ObjectionStatus::Resolved => ("已处理", "resolved"),
    };
    (
        format!(
            "记录 {record} 于 {filed} 提出异议{}，状态：{status_zh}",
            due.map(|d| format!("，应于 {d} 前处理")).unwrap_or_default()
        ),
        format!(
            "an objection to record {record} was filed on {filed}{}; status: {status_en}",
            due.map(|d| format!(", due by {d}")).unwrap_or_default()
        ),
    )
}

/// Chinese label of a list status, for text views.
pub fn list_status_label(s: ListStatus) -> &'static str {
    match s {
        ListStatus::NotListed => "未列入",
        ListStatus::Active => "列入中",
        ListStatus::Suspended => "中止（异议处理中）",
        ListStatus::Expired => "期满移出",
        ListStatus::Repaired => "已修复移出",
        ListStatus::Overridden => "被优先名单取代",
        ListStatus::Revoked => "异议成立撤销",
    }
}

/// Chinese label of a measure status, for text views.
pub fn measure_status_label(s: MeasureStatus) -> &'static str {
    match s {
        MeasureStatus::NotApplicable => "不适用",
        MeasureStatus::Active => "实施中",
        MeasureStatus::Suspended => "中止",
        MeasureStatus::Ended => "已结束",
        MeasureStatus::OtherScenario => "其他场景",
    }
}

/// A day number as a decision day (`None` for `NO_DATE`).
pub(crate) fn day(d: crate::date::DayNumber) -> Option<Day> {
    (d != crate::date::NO_DATE).then(|| Day(CivilDate::from_days(d)))
}
