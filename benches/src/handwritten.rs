//! The 梁平区 policy (`policies/重庆市/梁平区/政策.xince`) written by hand in plain Rust, the way a vendor's
//! engineer would hard-code one department's rules: typed enums parsed once at ingest, day numbers, fixed-size
//! outputs, no allocation per decision except the objection list. It implements the same rules and the same
//! IR semantics (`compiler/src/ir.rs`), including the national repair regimes chosen by 从旧兼从轻; the
//! harness's tests check it against the reference interpreter subject by subject.

use xince_abi::date::{CivilDate, DayNumber, NO_DATE};
use xince_abi::layout::{ListStatus, MeasureStatus, ObjectionStatus};
use xince_abi::request::Request;

/// Policy in force from 2017-07-24 (政策.生效).
const EFFECTIVE_FROM: (i32, u32, u32) = (2017, 7, 24);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordKind {
    Penalty,
    Defaulter,
    Honour,
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Minor = 0,
    General = 1,
    Serious = 2,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scenario {
    Procurement,
    PurchasedServices,
    Tendering,
    Approval,
    ProjectApproval,
    FiscalFunds,
    PublicResources,
    Concession,
    MarketAccess,
    Awards,
    Other,
}

/// One primary record, with its objection and repair folded in.
#[derive(Clone, Debug, PartialEq)]
pub struct Rec {
    pub kind: RecordKind,
    pub severity: Option<Severity>,
    pub refused: bool,
    pub special_serious: bool,
    pub date: DayNumber,
    pub objection_filed: DayNumber,
    pub objection_resolved: DayNumber,
    pub objection_upheld: bool,
    pub repair_date: DayNumber,
    /// 修复条件 履行义务 met.
    pub duties_performed: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    pub as_of: DayNumber,
    pub scenario: Option<Scenario>,
    pub records: Vec<Rec>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListResult {
    pub status: ListStatus,
    pub record: i32,
    pub entered: DayNumber,
    pub last_day: DayNumber,
    pub earliest_repair: DayNumber,
    pub ended_on: DayNumber,
    pub regime: i32,
    pub overridden_by: i32,
}

const NOT_LISTED: ListResult = ListResult {
    status: ListStatus::NotListed,
    record: -1,
    entered: NO_DATE,
    last_day: NO_DATE,
    earliest_repair: NO_DATE,
    ended_on: NO_DATE,
    regime: -1,
    overridden_by: -1,
};

pub const MEASURES: usize = 13;

#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub black: ListResult,
    pub measures: [MeasureStatus; MEASURES],
    /// 评先评优优先, 行政审批绿色通道, 信用加分: eligible, or the index of the first clause that fails.
    pub incentives: [Result<(), u8>; 3],
    /// (record index, status) for every record with an objection filed by `as_of`.
    pub objections: Vec<(u32, ObjectionStatus)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleError {
    NotYetInForce,
    /// A black-list record dated before any national repair regime.
    NoRegime { record: usize },
}

/// The scenarios each measure is limited to (empty = all), in the policy's order.
const MEASURE_SCENARIOS: [&[Scenario]; MEASURES] = {
    use Scenario::*;
    [
        &[],                                              // 梁平列为重点监管对象
        &[Approval],                                      // 梁平从严审核行政许可
        &[Approval],                                      // 梁平从严控制生产许可证发放
        &[ProjectApproval],                               // 梁平限制新增项目审批核准
        &[FiscalFunds],                                   // 梁平限制申请财政性资金项目
        &[PublicResources],                               // 梁平限制参与公共资源交易
        &[Concession],                                    // 梁平限制参与特许经营
        &[Procurement, PurchasedServices, Tendering],     // 梁平禁止参加政府采购和招投标
        &[FiscalFunds],                                   // 梁平不安排财政资金补助
        &[MarketAccess],                                  // 梁平市场和行业禁入
        &[Awards],                                        // 梁平撤销荣誉称号
        &[Awards],                                        // 梁平取消评先评优资格
        &[],                                              // 联合惩戒落实到人
    ]
};

/// National repair regimes (stdlib 修复.xince), as (from, until, [(min months or None for 0日, max months); 3]);
/// periods by severity 轻微/一般/严重, `None` where the regime has no row (the 一般 row applies).
struct Regime {
    from: DayNumber,
    until: DayNumber,
    rows: [Option<(i32, i32)>; 3],
    /// Minimum in days rather than months (36号令 轻微: 0日).
    minor_min_days: Option<i32>,
}

fn day(y: i32, m: u32, d: u32) -> DayNumber {
    CivilDate::new(y, m, d).map(CivilDate::to_days).unwrap_or(NO_DATE)
}

fn regimes() -> [Regime; 3] {
    [
        // 发改办财金〔2019〕527号
        Regime { from: day(2019, 1, 1), until: day(2023, 4, 30), rows: [None, Some((3, 12)), Some((6, 36))], minor_min_days: None },
        // 国家发展改革委令第58号
        Regime { from: day(2023, 5, 1), until: day(2026, 3, 31), rows: [None, Some((3, 12)), Some((12, 36))], minor_min_days: None },
        // 国家发展改革委令第36号 (轻微: 0日 至 3个月)
        Regime { from: day(2026, 4, 1), until: NO_DATE, rows: [Some((0, 3)), Some((3, 12)), Some((12, 36))], minor_min_days: Some(0) },
    ]
}

/// Civil Code art. 202: the corresponding day of the final month, or its last day.
fn add_months(d: DayNumber, months: i32) -> DayNumber {
    CivilDate::from_days(d).add_months(months).to_days()
}

/// The pre-computed parts of the rules that do not depend on the subject.
pub struct Rules {
    effective_from: DayNumber,
    regimes: [Regime; 3],
}

impl Default for Rules {
    fn default() -> Self {
        Self::new()
    }
}

impl Rules {
    pub fn new() -> Self {
        Rules { effective_from: day(EFFECTIVE_FROM.0, EFFECTIVE_FROM.1, EFFECTIVE_FROM.2), regimes: regimes() }
    }

    fn regime_at(&self, d: DayNumber) -> Option<usize> {
        self.regimes.iter().position(|r| r.from <= d && (r.until == NO_DATE || d <= r.until))
    }

    /// (min end, max end) of a regime's row for a severity applied to `date`; `min end` is `None` without a
    /// minimum.
    fn periods(&self, regime: usize, severity: Option<Severity>, date: DayNumber) -> (Option<DayNumber>, DayNumber) {
        let r = &self.regimes[regime];
        let row = severity.and_then(|s| r.rows[s as usize].map(|p| (s, p)));
        let (sev, (min, max)) = row.unwrap_or((Severity::General, r.rows[1].unwrap_or((0, 0))));
        let min_end = match (sev, r.minor_min_days) {
            (Severity::Minor, Some(days)) => date + days,
            _ => add_months(date, min),
        };
        (Some(min_end), add_months(date, max))
    }

    /// 从旧兼从轻: the regime in force on the record's date, unless the one in force on `as_of` is more lenient.
    fn pick_regime(&self, rec: &Rec, as_of: DayNumber) -> Option<usize> {
        let old = self.regime_at(rec.date)?;
        let Some(new) = self.regime_at(as_of) else { return Some(old) };
        if new == old {
            return Some(old);
        }
        let (old_min, old_max) = self.periods(old, rec.severity, rec.date);
        let (new_min, new_max) = self.periods(new, rec.severity, rec.date);
        let lenient = new_max < old_max || (new_max == old_max && new_min.unwrap_or(rec.date) < old_min.unwrap_or(rec.date));
        Some(if lenient { new } else { old })
    }

    pub fn evaluate(&self, case: &Case) -> Result<Outcome, RuleError> {
        let as_of = case.as_of;
        if as_of < self.effective_from {
            return Err(RuleError::NotYetInForce);
        }
        let revoked = |r: &Rec| r.objection_upheld && r.objection_resolved <= as_of;
        let pending_objection = |r: &Rec| r.objection_filed <= as_of && r.objection_resolved > as_of;

        // 严重失信主体名单: severity 严重, 拒不履行, or 失信被执行人; national regimes; repair by 履行义务.
        let mut black = NOT_LISTED;
        let mut clean_three_years = true;
        let mut honour = false;
        for (i, r) in case.records.iter().enumerate() {
            if r.date > as_of {
                continue;
            }
            let counts = !revoked(r);
            if counts && matches!(r.kind, RecordKind::Penalty | RecordKind::Defaulter) && as_of <= add_months(r.date, 36) {
                clean_three_years = false;
            }
            honour |= counts && r.kind == RecordKind::Honour;
            let blacklisted = r.severity == Some(Severity::Serious) || r.refused || r.kind == RecordKind::Defaulter;
            if blacklisted {
                let regime = self.pick_regime(r, as_of).ok_or(RuleError::NoRegime { record: i })?;
                let (min_end, last_day) = self.periods(regime, r.severity, r.date);
                let earliest_repair = if r.special_serious {
                    NO_DATE
                } else {
                    min_end.map_or(r.date, |d| d + 1)
                };
                let (status, ended_on) = if revoked(r) {
                    (ListStatus::Revoked, r.objection_resolved)
                } else if r.repair_date <= as_of && r.repair_date >= earliest_repair && r.duties_performed {
                    (ListStatus::Repaired, r.repair_date)
                } else if as_of > last_day {
                    (ListStatus::Expired, last_day + 1)
                } else if pending_objection(r) {
                    (ListStatus::Suspended, NO_DATE)
                } else {
                    (ListStatus::Active, NO_DATE)
                };
                let candidate = ListResult { status, record: i as i32, entered: r.date, last_day, earliest_repair, ended_on, regime: regime as i32, overridden_by: -1 };
                if better(&candidate, &black) {
                    black = candidate;
                }
            }
        }
        let on_black = matches!(black.status, ListStatus::Active | ListStatus::Suspended);
        let base = match black.status {
            ListStatus::Active => MeasureStatus::Active,
            ListStatus::Suspended => MeasureStatus::Suspended,
            ListStatus::Repaired | ListStatus::Expired | ListStatus::Revoked => MeasureStatus::Ended,
            ListStatus::NotListed | ListStatus::Overridden => MeasureStatus::NotApplicable,
        };
        let mut measures = [base; MEASURES];
        if let Some(s) = case.scenario
            && base != MeasureStatus::NotApplicable
        {
            for (m, scenarios) in measures.iter_mut().zip(MEASURE_SCENARIOS) {
                if !scenarios.is_empty() && !scenarios.contains(&s) {
                    *m = MeasureStatus::OtherScenario;
                }
            }
        }
        // Incentives 第3、4条: [honour-based clause, 非 在 严重失信主体名单].
        let incentive = |first: bool| match (first, on_black) {
            (false, _) => Err(0),
            (true, true) => Err(1),
            (true, false) => Ok(()),
        };
        let incentives = [incentive(honour), incentive(honour || clean_three_years), incentive(honour)];

        let objections = case
            .records
            .iter()
            .enumerate()
            .filter(|(_, r)| r.objection_filed <= as_of)
            .map(|(i, r)| {
                let status = if r.objection_resolved <= as_of { ObjectionStatus::Resolved } else { ObjectionStatus::Pending };
                (i as u32, status)
            })
            .collect();
        Ok(Outcome { black, measures, incentives, objections })
    }
}

fn rank(s: ListStatus) -> u8 {
    match s {
        ListStatus::Active => 3,
        ListStatus::Suspended => 2,
        ListStatus::Repaired | ListStatus::Expired | ListStatus::Revoked => 1,
        ListStatus::NotListed | ListStatus::Overridden => 0,
    }
}

/// Best record: Active > Suspended > ended; among live ones the latest last day, among ended the latest end;
/// then the lowest index (records are visited in order, so ties keep the earlier one).
fn better(candidate: &ListResult, current: &ListResult) -> bool {
    let (a, b) = (rank(candidate.status), rank(current.status));
    if a != b {
        return a > b;
    }
    match a {
        2 | 3 => candidate.last_day > current.last_day,
        1 => candidate.ended_on > current.ended_on,
        _ => false,
    }
}

/// Why a request cannot be turned into a [`Case`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IngestError(pub String);

fn parse_day(text: &str, at: &str) -> Result<DayNumber, IngestError> {
    CivilDate::parse(text).map(CivilDate::to_days).map_err(|_| IngestError(format!("{at}: bad date `{text}`")))
}

/// Parses a host request into the typed case the rules read (once per subject, at ingest).
pub fn ingest(request: &Request) -> Result<Case, IngestError> {
    let as_of = parse_day(&request.as_of, "as_of")?;
    let scenario = request.scenario.as_deref().map(|s| match s {
        "政府采购" => Scenario::Procurement,
        "政府购买服务" => Scenario::PurchasedServices,
        "招标投标" => Scenario::Tendering,
        "行政审批" => Scenario::Approval,
        "项目审批核准" => Scenario::ProjectApproval,
        "财政资金" => Scenario::FiscalFunds,
        "公共资源交易" => Scenario::PublicResources,
        "特许经营" => Scenario::Concession,
        "市场准入" => Scenario::MarketAccess,
        "评先评优" => Scenario::Awards,
        _ => Scenario::Other,
    });
    let mut records: Vec<Rec> = Vec::with_capacity(request.subject.records.len());
    let mut ids: Vec<&str> = Vec::with_capacity(request.subject.records.len());
    for r in &request.subject.records {
        if r.record_type == "异议" || r.record_type == "信用修复" {
            continue;
        }
        let kind = match r.record_type.as_str() {
            "行政处罚" => RecordKind::Penalty,
            "失信被执行人" => RecordKind::Defaulter,
            "荣誉" => RecordKind::Honour,
            _ => RecordKind::Other,
        };
        let severity = match r.severity.as_deref() {
            Some("轻微") => Some(Severity::Minor),
            Some("一般") => Some(Severity::General),
            Some("严重") => Some(Severity::Serious),
            _ => None,
        };
        let date = parse_day(r.date.as_deref().unwrap_or(""), &r.id)?;
        records.push(Rec {
            kind,
            severity,
            refused: r.flags.iter().any(|f| f == "拒不履行"),
            special_serious: r.flags.iter().any(|f| f == "特定严重失信"),
            date,
            objection_filed: NO_DATE,
            objection_resolved: NO_DATE,
            objection_upheld: false,
            repair_date: NO_DATE,
            duties_performed: false,
        });
        ids.push(&r.id);
    }
    for r in &request.subject.records {
        let target = r.of.as_deref().and_then(|of| ids.iter().position(|id| *id == of));
        let Some(rec) = target.and_then(|i| records.get_mut(i)) else { continue };
        if r.record_type == "异议" {
            rec.objection_filed = parse_day(r.filed.as_deref().unwrap_or(""), &r.id)?;
            if let Some(resolved) = r.resolved.as_deref() {
                rec.objection_resolved = parse_day(resolved, &r.id)?;
            }
            rec.objection_upheld = r.upheld == Some(true);
        } else if r.record_type == "信用修复" {
            rec.repair_date = parse_day(r.date.as_deref().unwrap_or(""), &r.id)?;
            rec.duties_performed = r.conditions.iter().any(|c| c == "履行义务");
        }
    }
    Ok(Case { as_of, scenario, records })
}

/// Dates a host must compute for engines without calendar arithmetic (Cedar).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordDates {
    pub last_day: DayNumber,
    pub earliest_repair: DayNumber,
    pub three_year_end: DayNumber,
}

impl Rules {
    /// The black-list dates of a record under the regime 从旧兼从轻 picks (NO_DATE where none applies).
    pub fn record_dates(&self, r: &Rec, as_of: DayNumber) -> RecordDates {
        let three_year_end = add_months(r.date, 36);
        match self.pick_regime(r, as_of) {
            Some(regime) => {
                let (min_end, last_day) = self.periods(regime, r.severity, r.date);
                let earliest_repair = if r.special_serious { NO_DATE } else { min_end.map_or(r.date, |d| d + 1) };
                RecordDates { last_day, earliest_repair, three_year_end }
            }
            None => RecordDates { last_day: NO_DATE, earliest_repair: NO_DATE, three_year_end },
        }
    }
}
