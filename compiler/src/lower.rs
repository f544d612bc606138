//! Checked model → [`ir::Program`] with its manifest. Deterministic: items in link order (stdlib, upper
//! levels, own), vocabularies in a `BTreeMap`, codes as positions. Entry point: [`lower`].

use crate::ir;
use crate::lints;
use crate::resolve::BasisRef;
use crate::typeck::{Checked, PolicyDef, RuleHead};
use xince_abi::date::NO_DATE;
use xince_abi::manifest::{
    Basis, Citation, GradeLevel, GradingInfo, IncentiveInfo, ListInfo, Manifest, MeasureInfo, NotificationInfo,
    ObjectionInfo, PeriodPair, RegimeInfo,
};

fn citation(h: &RuleHead) -> Citation {
    h.citation.clone().unwrap_or(Citation { document: String::new(), article: String::new() })
}

fn bases(c: &Checked, refs: &[BasisRef]) -> Vec<Basis> {
    refs.iter()
        .map(|r| match r {
            BasisRef::Item { article, .. } => match c.basis(r) {
                Some(d) => Basis {
                    name: d.name.clone(),
                    document: d.document.clone(),
                    article: article.clone().or_else(|| d.article.clone()),
                    rank: d.rank.clone(),
                    verified: d.verified,
                },
                None => Basis {
                    name: String::new(),
                    document: String::new(),
                    article: None,
                    rank: "未知".into(),
                    verified: false,
                },
            },
            BasisRef::Local { document, article, .. } => Basis {
                name: document.clone(),
                document: document.clone(),
                article: article.clone(),
                rank: "未知".into(),
                verified: false,
            },
        })
        .collect()
}

/// Lowers a checked policy. The caller ran the checks: this only assembles.
pub fn lower(c: &Checked, policy: &PolicyDef, source_hash: String) -> ir::Program {
    let regimes: Vec<ir::Regime> = c
        .regimes
        .iter()
        .map(|r| ir::Regime {
            effective_from: r.effective_from,
            effective_until: r.effective_until,
            periods: r.periods.iter().map(|p| (p.code, p.minimum, p.maximum)).collect(),
            default_severity: r.default_severity,
        })
        .collect();
    let regime_infos: Vec<RegimeInfo> = c
        .regimes
        .iter()
        .map(|r| RegimeInfo {
            name: r.name.clone(),
            document: r.document.clone(),
            effective_from: xince_abi::date::format_day(r.effective_from).unwrap_or_default(),
            effective_until: xince_abi::date::format_day(r.effective_until),
            periods: r
                .periods
                .iter()
                .map(|p| {
                    (
                        p.severity.clone(),
                        PeriodPair { minimum: p.minimum_text.clone(), maximum: p.maximum_text.clone() },
                    )
                })
                .collect(),
            verified: r.verified,
        })
        .collect();

    let lists: Vec<ir::List> = c
        .lists
        .iter()
        .map(|l| ir::List {
            criterion: l.criterion.clone(),
            period: l.period.clone().unwrap_or(ir::Period::Fixed {
                minimum: None,
                maximum: ir::Duration { amount: 0, unit: ir::Unit::Day },
            }),
            repair_conditions: l.repair_mask,
            exit_on_repair: l.exits.iter().any(|e| e == "修复"),
            non_repairable: l.non_repairable.clone(),
            precedence_over: l.precedence.iter().map(|p| p.1).collect(),
        })
        .collect();
    let list_infos: Vec<ListInfo> = c
        .lists
        .iter()
        .map(|l| ListInfo {
            name: l.head.name.clone(),
            category: l.category.map_or_else(String::new, |c| c.label().to_string()),
            citation: citation(&l.head),
            basis: bases(c, &l.head.bases),
            criterion: l.criterion_text.clone(),
            period: l.period_text.clone(),
            repair_conditions: l.repair_conditions.clone(),
            exits: l.exits.clone(),
            remedies: l.remedies.clone(),
            precedence_over: l.precedence.iter().map(|p| p.0.clone()).collect(),
        })
        .collect();

    // A lower-level refinement replaces the upper measure it narrows.
    let refined: Vec<&str> = c.measures.iter().filter_map(|m| m.refines.as_ref().map(|r| r.0.as_str())).collect();
    let kept: Vec<_> = c.measures.iter().filter(|m| !refined.contains(&m.head.name.as_str())).collect();
    let mut measures = Vec::new();
    let mut measure_infos = Vec::new();
    for m in kept {
        let upper = m.refines.as_ref().and_then(|(n, _)| c.measures.iter().find(|u| u.head.name == *n));
        let breaches: Vec<ir::Expr> = c
            .commitments
            .iter()
            .filter(|k| k.measures.contains(&m.head.name))
            .map(|k| ir::Expr::Exists { condition: Box::new(k.breach.clone()), within: None })
            .collect();
        let trigger = match (&m.trigger, breaches.is_empty()) {
            (Some(t), true) => t.clone(),
            (Some(ir::Trigger::Condition(x)), false) => {
                let mut parts = vec![x.clone()];
                parts.extend(breaches);
                ir::Trigger::Condition(ir::Expr::Or(parts))
            }
            (Some(t @ ir::Trigger::List(_)), false) => t.clone(),
            (None, _) => ir::Trigger::Condition(match breaches.len() {
                0 => ir::Expr::Bool(false),
                1 => breaches.into_iter().next().unwrap_or(ir::Expr::Bool(false)),
                _ => ir::Expr::Or(breaches),
            }),
        };
        let trigger_list = match &trigger {
            ir::Trigger::List(l) => Some(*l),
            ir::Trigger::Condition(_) => None,
        };
        measures.push(ir::Measure { trigger, scenarios: m.scenarios.iter().map(|s| s.1).collect() });
        let basis_refs = if m.head.bases.is_empty() {
            upper.map(|u| u.head.bases.clone()).unwrap_or_default()
        } else {
            m.head.bases.clone()
        };
        measure_infos.push(MeasureInfo {
            name: m.head.name.clone(),
            kind: m.kind.map_or_else(String::new, |k| k.label().to_string()),
            mandatory: m.mandatory,
            basis: bases(c, &basis_refs),
            implementer: m.implementer.clone(),
            scenarios: m.scenarios.iter().map(|s| s.0.clone()).collect(),
            targets: if m.targets.is_empty() { vec!["主体".to_string()] } else { m.targets.clone() },
            trigger: trigger_text(m, &c.commitments),
            trigger_list,
            citation: citation(&m.head),
            refines: m.refines.as_ref().map(|r| r.0.clone()),
            description: m.description.clone(),
        });
    }

    let incentives = c
        .incentives
        .iter()
        .map(|i| ir::Incentive { clauses: i.clauses.iter().map(|x| x.0.clone()).collect() })
        .collect();
    let incentive_infos = c
        .incentives
        .iter()
        .map(|i| IncentiveInfo {
            name: i.head.name.clone(),
            benefits: i.benefits.clone(),
            scenarios: i.scenarios.clone(),
            clauses: i.clauses.iter().map(|x| x.1.clone()).collect(),
            basis: bases(c, &i.head.bases),
            implementer: i.implementer.clone(),
            citation: citation(&i.head),
        })
        .collect();
    let notifications = c.notifications.iter().map(|n| ir::Notification { condition: n.condition.clone() }).collect();
    let notification_infos = c
        .notifications
        .iter()
        .map(|n| NotificationInfo {
            name: n.head.name.clone(),
            recipients: n.recipients.clone(),
            condition: n.condition_text.clone(),
            citation: citation(&n.head),
        })
        .collect();
    // The nearest level's grading and objection rule win (own over upper over stdlib).
    let grading_def = c.gradings.iter().max_by_key(|g| g.head.origin);
    let objection_def = c.objections.iter().max_by_key(|o| o.head.origin);

    let (first_day, day_count, bits) = xince_stdlib::calendar::workday_bits();
    let manifest = Manifest {
        abi_version: xince_abi::ABI_VERSION,
        compiler_version: env!("CARGO_PKG_VERSION").to_string(),
        source_hash,
        policy: policy.info.clone(),
        vocab: c.vocabs.clone(),
        lists: list_infos,
        measures: measure_infos,
        incentives: incentive_infos,
        notifications: notification_infos,
        grading: grading_def.map(|g| GradingInfo {
            name: g.head.name.clone(),
            levels: g
                .levels
                .iter()
                .map(|l| GradeLevel { name: l.0.clone(), condition: l.2.clone(), supervision: l.3.clone() })
                .collect(),
            citation: citation(&g.head),
        }),
        objection: objection_def.map(|o| ObjectionInfo {
            deadline: o.deadline_text.clone(),
            suspends_measures: o.suspends,
            citation: citation(&o.head),
        }),
        regimes: regime_infos,
        unverified: lints::unverified_used(c).into_iter().map(|u| u.0).collect(),
    };
    ir::Program {
        manifest,
        effective_from: policy.effective_from.unwrap_or(NO_DATE),
        effective_until: policy.effective_until,
        version_rule: policy.version_rule,
        regimes,
        lists,
        measures,
        incentives,
        notifications,
        grading: grading_def.map(|g| ir::Grading { levels: g.levels.iter().map(|l| l.1.clone()).collect() }),
        objection: objection_def.map(|o| ir::ObjectionRule { deadline: o.deadline, suspends: o.suspends }),
        calendar: ir::WorkdayCalendar { first_day, day_count, bits },
    }
}

/// A measure's trigger as written, with the breaches of the commitments that name it (`违诺（承诺 X）：…`).
fn trigger_text(m: &crate::typeck::MeasureDef, commitments: &[crate::typeck::CommitmentDef]) -> String {
    let mut parts: Vec<String> = Vec::new();
    if !m.trigger_text.is_empty() {
        parts.push(m.trigger_text.clone());
    }
    for k in commitments.iter().filter(|k| k.measures.contains(&m.head.name)) {
        parts.push(format!("违诺（承诺 {}）：{}", k.head.name, k.breach_text));
    }
    parts.join(" 或 ")
}
