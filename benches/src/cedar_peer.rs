//! The 梁平区 rules in Cedar (cedar-policy 4.14), encoded as faithfully as Cedar allows. Cedar answers one
//! permit/deny per (principal, action, resource) and has no quantifier over a set and no date arithmetic, so:
//! - each record is an entity and the per-record criteria are Cedar policies asked once per record
//!   (`black_live`, `black_suspended`, `red_live`, `bad_recent`); the host folds the answers over the records;
//! - the dates that need calendar arithmetic (a record's last day, earliest repair day under the regime chosen
//!   by 从旧兼从轻, the end of its 3-year window) are computed by the host and passed as attributes;
//! - measures and incentives are Cedar policies over a context the host fills from the folded list answers,
//!   and they answer "applies now" only (not the five-way measure status of the xince decision).

use crate::handwritten::{Case, RecordKind, Rules, Severity};
use cedar_policy::{Authorizer, Context, Entities, EntityUid, PolicySet, Request, RestrictedExpression};
use std::collections::{HashMap, HashSet};
use std::str::FromStr;

/// Measures (name, scenarios) in the policy's order.
pub const MEASURES: [(&str, &[&str]); 13] = [
    ("梁平列为重点监管对象", &[]),
    ("梁平从严审核行政许可", &["行政审批"]),
    ("梁平从严控制生产许可证发放", &["行政审批"]),
    ("梁平限制新增项目审批核准", &["项目审批核准"]),
    ("梁平限制申请财政性资金项目", &["财政资金"]),
    ("梁平限制参与公共资源交易", &["公共资源交易"]),
    ("梁平限制参与特许经营", &["特许经营"]),
    ("梁平禁止参加政府采购和招投标", &["政府采购", "政府购买服务", "招标投标"]),
    ("梁平不安排财政资金补助", &["财政资金"]),
    ("梁平市场和行业禁入", &["市场准入"]),
    ("梁平撤销荣誉称号", &["评先评优"]),
    ("梁平取消评先评优资格", &["评先评优"]),
    ("联合惩戒落实到人", &[]),
];

fn policy_text() -> String {
    let mut p = String::from(
        r#"
// 第5条 严重失信主体名单: entry criterion, and the record still governs (not revoked, repaired or expired).
permit(principal, action == Action::"black_live", resource)
when {
  (resource.severity == "严重" || resource.refused || resource.type == "失信被执行人")
  && resource.date <= context.as_of
  && !(resource.upheld && resource.resolved <= context.as_of)
  && !(resource.repair_date <= context.as_of && resource.repair_date >= resource.earliest_repair && resource.performed)
  && context.as_of <= resource.last_day
};
// 第11条: measures suspended while an objection is being verified.
permit(principal, action == Action::"black_suspended", resource)
when { resource.filed <= context.as_of && resource.resolved > context.as_of };
// 第3条 诚信典型: a counting 荣誉 record.
permit(principal, action == Action::"honour", resource)
when {
  resource.type == "荣誉" && resource.date <= context.as_of
  && !(resource.upheld && resource.resolved <= context.as_of)
};
// 第4条: a 行政处罚 or 失信被执行人 record in the last 3 years.
permit(principal, action == Action::"bad_recent", resource)
when {
  (resource.type == "行政处罚" || resource.type == "失信被执行人")
  && resource.date <= context.as_of
  && !(resource.upheld && resource.resolved <= context.as_of)
  && context.as_of <= resource.three_year_end
};
// Incentives 第3、4条.
permit(principal, action == Action::"评先评优优先", resource) when { context.honour && context.black == "none" };
permit(principal, action == Action::"行政审批绿色通道", resource)
when { (context.honour || context.clean) && context.black == "none" };
permit(principal, action == Action::"信用加分", resource) when { context.honour && context.black == "none" };
"#,
    );
    for (name, scenarios) in MEASURES {
        let scen = if scenarios.is_empty() {
            String::new()
        } else {
            let list: Vec<String> = scenarios.iter().map(|s| format!("\"{s}\"")).collect();
            format!(" && (context.scenario == \"\" || [{}].contains(context.scenario))", list.join(", "))
        };
        p.push_str(&format!(
            "permit(principal, action == Action::\"{name}\", resource) when {{ context.black == \"active\"{scen} }};\n"
        ));
    }
    p
}

/// One subject, ready for Cedar: its entities and the uids to ask about.
pub struct CedarCase {
    pub entities: Entities,
    pub subject: EntityUid,
    pub records: Vec<EntityUid>,
    pub as_of: i64,
    pub scenario: String,
}

pub struct CedarPeer {
    policies: PolicySet,
    authorizer: Authorizer,
    actions: HashMap<&'static str, EntityUid>,
}

/// The answer Cedar can give: black-list state, red-list standing, measures in force, incentives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CedarAnswer {
    /// "active" / "suspended" / "none".
    pub black: &'static str,
    /// A counting 荣誉 record (诚信典型).
    pub honour: bool,
    pub measures: [bool; 13],
    pub incentives: [bool; 3],
}

fn uid(text: &str) -> anyhow::Result<EntityUid> {
    EntityUid::from_str(text).map_err(|e| anyhow::anyhow!("cedar uid {text}: {e}"))
}

impl CedarPeer {
    pub fn new() -> anyhow::Result<Self> {
        let policies = PolicySet::from_str(&policy_text()).map_err(|e| anyhow::anyhow!("cedar policy: {e}"))?;
        let mut actions = HashMap::new();
        let names = ["black_live", "black_suspended", "honour", "bad_recent", "评先评优优先", "行政审批绿色通道", "信用加分"];
        for name in names.into_iter().chain(MEASURES.iter().map(|(n, _)| *n)) {
            actions.insert(name, uid(&format!("Action::\"{name}\""))?);
        }
        Ok(CedarPeer { policies, authorizer: Authorizer::new(), actions })
    }

    /// Builds the subject's entities (outside the timed loop: a host would keep them in its entity store).
    pub fn prepare(&self, rules: &Rules, case: &Case, index: usize) -> anyhow::Result<CedarCase> {
        let subject = uid(&format!("Subject::\"s{index}\""))?;
        let mut entities = vec![cedar_policy::Entity::new_no_attrs(subject.clone(), HashSet::new())];
        let mut records = Vec::with_capacity(case.records.len());
        for (i, r) in case.records.iter().enumerate() {
            let ruid = uid(&format!("Record::\"s{index}r{i}\""))?;
            // Host-side date arithmetic Cedar cannot do.
            let dates = rules.record_dates(r, case.as_of);
            let long = |v: i32| RestrictedExpression::new_long(i64::from(v));
            let ty = match r.kind {
                RecordKind::Penalty => "行政处罚",
                RecordKind::Defaulter => "失信被执行人",
                RecordKind::Honour => "荣誉",
                RecordKind::Other => "其他",
            };
            let severity = match r.severity {
                Some(Severity::Minor) => "轻微",
                Some(Severity::General) => "一般",
                Some(Severity::Serious) => "严重",
                None => "",
            };
            let attrs: HashMap<String, RestrictedExpression> = [
                ("type", RestrictedExpression::new_string(ty.into())),
                ("severity", RestrictedExpression::new_string(severity.into())),
                ("refused", RestrictedExpression::new_bool(r.refused)),
                ("date", long(r.date)),
                ("filed", long(r.objection_filed)),
                ("resolved", long(r.objection_resolved)),
                ("upheld", RestrictedExpression::new_bool(r.objection_upheld)),
                ("repair_date", long(r.repair_date)),
                ("performed", RestrictedExpression::new_bool(r.duties_performed)),
                ("last_day", long(dates.last_day)),
                ("earliest_repair", long(dates.earliest_repair)),
                ("three_year_end", long(dates.three_year_end)),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
            entities.push(cedar_policy::Entity::new(ruid.clone(), attrs, HashSet::new()).map_err(|e| anyhow::anyhow!("{e}"))?);
            records.push(ruid);
        }
        let entities = Entities::from_entities(entities, None).map_err(|e| anyhow::anyhow!("{e}"))?;
        let scenario = match case.scenario {
            None => String::new(),
            Some(s) => crate::scenario_name(s).to_string(),
        };
        Ok(CedarCase { entities, subject, records, as_of: i64::from(case.as_of), scenario })
    }

    fn allowed(&self, action: &str, c: &CedarCase, resource: &EntityUid, context: &Context) -> anyhow::Result<bool> {
        let action = self.actions.get(action).ok_or_else(|| anyhow::anyhow!("no action {action}"))?;
        let request = Request::new(c.subject.clone(), action.clone(), resource.clone(), context.clone(), None)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(self.authorizer.is_authorized(&request, &self.policies, &c.entities).decision() == cedar_policy::Decision::Allow)
    }

    /// One decision: every per-record question, the host fold, then the subject-level questions.
    pub fn decide(&self, c: &CedarCase) -> anyhow::Result<CedarAnswer> {
        let ctx = Context::from_pairs([("as_of".to_string(), RestrictedExpression::new_long(c.as_of))])
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let (mut active, mut suspended, mut honour, mut clean) = (false, false, false, true);
        for r in &c.records {
            if self.allowed("black_live", c, r, &ctx)? {
                if self.allowed("black_suspended", c, r, &ctx)? {
                    suspended = true;
                } else {
                    active = true;
                }
            }
            if !honour && self.allowed("honour", c, r, &ctx)? {
                honour = true;
            }
            if clean && self.allowed("bad_recent", c, r, &ctx)? {
                clean = false;
            }
        }
        let black = if active { "active" } else if suspended { "suspended" } else { "none" };
        let ctx = Context::from_pairs([
            ("black".to_string(), RestrictedExpression::new_string(black.into())),
            ("honour".to_string(), RestrictedExpression::new_bool(honour)),
            ("clean".to_string(), RestrictedExpression::new_bool(clean)),
            ("scenario".to_string(), RestrictedExpression::new_string(c.scenario.clone())),
        ])
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        let mut measures = [false; 13];
        for (m, (name, _)) in measures.iter_mut().zip(MEASURES) {
            *m = self.allowed(name, c, &c.subject, &ctx)?;
        }
        let mut incentives = [false; 3];
        for (i, name) in incentives.iter_mut().zip(["评先评优优先", "行政审批绿色通道", "信用加分"]) {
            *i = self.allowed(name, c, &c.subject, &ctx)?;
        }
        Ok(CedarAnswer { black, honour, measures, incentives })
    }
}
