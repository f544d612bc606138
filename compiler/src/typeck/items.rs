//! Each item kind's clauses → its checked definition (policy header, bases, regimes, lists, measures …).

use super::expr::Cx;
use super::model::*;
use crate::diag::{self, DiagExt};
use crate::ir;
use crate::resolve::{self, Entry, value_text};
use std::collections::BTreeMap;
use xince_abi::date::{DayNumber, NO_DATE};
use xince_abi::manifest::{Citation, PolicyInfo, vocab_names as vn};
use xince_lang::ast::{BinaryOp, Expr, ExprKind, ItemKind, Span};

pub(super) fn grading_supervision(e: &Entry) -> BTreeMap<String, String> {
    // `抽查: A "5%", B "3%"` — values come in (level, text) pairs, or as `A 当 "5%"`.
    let mut out = BTreeMap::new();
    let vals: Vec<&Expr> = e.values("抽查").collect();
    let mut i = 0;
    while i < vals.len() {
        match &vals[i].kind {
            ExprKind::Binary { op: BinaryOp::When, lhs, rhs } => {
                if let (Some(a), Some(b)) = (value_text(lhs), value_text(rhs)) {
                    out.insert(a, b);
                }
                i += 1;
            }
            ExprKind::Path(p) => {
                if let Some(ExprKind::Str(s)) = vals.get(i + 1).map(|v| &v.kind) {
                    out.insert(p.text(), s.clone());
                    i += 2;
                } else {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    out
}

pub(super) fn citation_of(e: &Entry, doc: &str, cx: &mut Cx) -> Option<Citation> {
    let c = e.clause("出处")?;
    let mut document = doc.to_string();
    let mut article = String::new();
    for v in &c.values {
        match &v.kind {
            ExprKind::Citation(a) => article = a.clone(),
            ExprKind::Str(s) => document = s.clone(),
            ExprKind::Path(p) => document = p.text(),
            ExprKind::Error => {}
            _ => cx.diags.push(diag::error(
                "E0405",
                e.file,
                v.span,
                "`出处` 应为条款引用（如 `第5条`），可在前面写文号",
                "`出处` is an article citation (e.g. `第5条`), optionally after a document",
            )),
        }
    }
    Some(Citation { document, article })
}

pub(super) fn head(e: &Entry, doc: &str, cx: &mut Cx) -> RuleHead {
    let vals: Vec<&Expr> = e.values("依据").collect();
    let bases = resolve::resolve_bases(cx.scope, e.file, &vals, &mut cx.diags);
    RuleHead {
        name: e.name(),
        origin: e.origin,
        file: e.file,
        span: e.name_span(),
        keyword_span: e.item.keyword_span,
        citation: citation_of(e, doc, cx),
        bases,
        basis_written: !vals.is_empty(),
    }
}

pub(super) fn policy_def(e: &Entry, cx: &mut Cx) -> PolicyDef {
    let text = |k: &str| e.values(k).filter_map(value_text).next().unwrap_or_default();
    let date = |cx: &mut Cx, k: &str| e.values(k).next().and_then(|v| cx.date(v));
    let effective_from = date(cx, "生效");
    let effective_until = date(cx, "失效");
    let mut version_rule = ir::VersionRule::OldUnlessLenient;
    let mut rule_text = "从旧兼从轻".to_string();
    if let Some(v) = e.values("版本规则").next() {
        let t = value_text(v).unwrap_or_default();
        match t.as_str() {
            "从旧兼从轻" => version_rule = ir::VersionRule::OldUnlessLenient,
            "从旧" => version_rule = ir::VersionRule::Old,
            "从新" => version_rule = ir::VersionRule::New,
            _ => {
                let opts = ["从旧兼从轻", "从旧", "从新"];
                let mut d = diag::error(
                    "E0512",
                    e.file,
                    v.span,
                    format!("无效的版本规则 `{t}`"),
                    format!("invalid version rule `{t}`"),
                );
                d = match diag::did_you_mean(&t, opts) {
                    Some(b) => d.with_help(format!("是否想写 `{b}`？"), format!("did you mean `{b}`?")),
                    None => d.with_help("可选：从旧兼从轻、从旧、从新", "one of 从旧兼从轻, 从旧, 从新"),
                };
                cx.diags.push(d);
            }
        }
        rule_text = t;
    }
    let fmt = |d: Option<DayNumber>| d.and_then(xince_abi::date::format_day);
    PolicyDef {
        info: PolicyInfo {
            id: text("编号"),
            name: e.values("名称").filter_map(value_text).next().unwrap_or_else(|| e.name()),
            jurisdiction: text("辖区"),
            issuer: text("机关"),
            document: text("文号"),
            version: text("版本"),
            effective_from: fmt(effective_from).unwrap_or_default(),
            effective_until: fmt(effective_until),
            level: text("层级"),
            extends: e.values("上级").filter_map(value_text).collect(),
            supersedes: e.values("替代").filter_map(value_text).next(),
            version_rule: rule_text,
        },
        file: e.file,
        span: e.name_span(),
        keyword_span: e.item.keyword_span,
        effective_from,
        effective_until: effective_until.unwrap_or(NO_DATE),
        version_rule,
    }
}

pub const RANKS: [&str; 6] = ["法律", "行政法规", "部门规章", "地方性法规", "党中央国务院文件", "规范性文件"];

pub(super) fn basis_def(e: &Entry, cx: &mut Cx) -> BasisDef {
    let rank = match e.values("效力").next() {
        Some(v) => {
            let t = value_text(v).unwrap_or_default();
            if !RANKS.contains(&t.as_str()) {
                cx.bad_choice(v, "效力", &t, &RANKS);
            }
            t
        }
        None => "未知".to_string(),
    };
    BasisDef {
        name: e.name(),
        document: e.values("文号").filter_map(value_text).next().unwrap_or_else(|| e.name()),
        article: e.values("条").find_map(|v| match &v.kind {
            ExprKind::Citation(c) => Some(c.clone()),
            _ => value_text(v),
        }),
        rank,
        verified: e.values("核实").next().map(|v| cx.yes_no(v)).unwrap_or(true),
        origin: e.origin,
        file: e.file,
        span: e.name_span(),
    }
}

pub(super) fn regime_def(e: &Entry, cx: &mut Cx) -> RegimeDef {
    let severities = cx.vocabs.get(vn::SEVERITY).cloned().unwrap_or_default();
    let mut periods = Vec::new();
    for c in &e.item.clauses {
        let Some(code) = severities.iter().position(|s| *s == c.key.text) else { continue };
        let Some(v) = c.values.first() else { continue };
        let (min_e, max_e) = match &v.kind {
            ExprKind::Binary { op: BinaryOp::Range, lhs, rhs } => (Some(lhs.as_ref()), rhs.as_ref()),
            _ => (None, v),
        };
        let minimum = min_e.and_then(|m| cx.duration(m));
        let Some(maximum) = cx.duration(max_e) else { continue };
        periods.push(SeverityPeriod {
            severity: c.key.text.clone(),
            code: code as i32,
            minimum,
            maximum,
            minimum_text: minimum.map(duration_text),
            maximum_text: duration_text(maximum),
        });
    }
    let default_severity = match e.values("默认").next().and_then(value_text) {
        Some(name) => severities.iter().position(|s| *s == name).map_or(-1, |i| i as i32),
        None => periods.iter().find(|p| p.severity.starts_with("一般")).or(periods.first()).map_or(-1, |p| p.code),
    };
    let non_repairable = e.clause("不可修复").map(|c| cx.conj(&c.values, true));
    RegimeDef {
        name: e.name(),
        document: e.values("文号").filter_map(value_text).next().unwrap_or_else(|| e.name()),
        effective_from: e.values("生效").next().and_then(|v| cx.date(v)).unwrap_or(NO_DATE),
        effective_until: e.values("失效").next().and_then(|v| cx.date(v)).unwrap_or(NO_DATE),
        periods,
        default_severity,
        non_repairable,
        verified: e.values("核实").next().map(|v| cx.yes_no(v)).unwrap_or(true),
        origin: e.origin,
        file: e.file,
        span: e.name_span(),
    }
}

pub fn duration_text(d: ir::Duration) -> String {
    let unit = match d.unit {
        ir::Unit::Day => "日",
        ir::Unit::Month => "个月",
        ir::Unit::Year => "年",
        ir::Unit::WorkDay => "工作日",
    };
    format!("{}{unit}", d.amount)
}

pub const EXITS: [&str; 3] = ["期满", "修复", "异议成立"];

pub(super) fn list_def(
    e: &Entry,
    doc: &str,
    texts: &Texts,
    regimes: &[RegimeDef],
    regime_names: &[String],
    cx: &mut Cx,
) -> ListDef {
    let head = head(e, doc, cx);
    let category = e.values("类别").next().and_then(|v| {
        let t = value_text(v).unwrap_or_default();
        let category = ListCategory::from_label(&t);
        if category.is_none() {
            cx.bad_choice(v, "类别", &t, &ListCategory::ALL.map(ListCategory::label));
        }
        category
    });
    let (criterion, criterion_text) = cx.condition_clause(e, "纳入", true, texts);
    let minimum = e.values("最短公示").next().and_then(|v| cx.duration(v));
    let mut period = None;
    let mut fixed_maximum = None;
    let mut regimes_used = Vec::new();
    let period_text =
        e.clause("期限").map(|c| slice(texts, e.file, values_span(&c.values, c.span))).unwrap_or_default();
    let mut candidates = Vec::new();
    for v in e.values("期限") {
        match &v.kind {
            ExprKind::Duration { .. } => {
                if let Some(d) = cx.duration(v) {
                    fixed_maximum = Some(d);
                    period = Some(ir::Period::Fixed { minimum, maximum: d });
                }
            }
            ExprKind::Path(p) => {
                let name = p.text();
                // A regime by item name, or every regime whose `名称` is that name (a family by date).
                let hits: Vec<usize> = regimes
                    .iter()
                    .enumerate()
                    .filter(|(i, r)| {
                        r.name == name
                            || cx
                                .scope
                                .of_kind(ItemKind::Regime)
                                .nth(*i)
                                .is_some_and(|re| re.values("名称").filter_map(value_text).any(|t| t == name))
                    })
                    .map(|(i, _)| i)
                    .collect();
                if hits.is_empty() {
                    cx.diags.push(resolve::unknown_name("修复制度", "regime", e.file, p.span, &name, regime_names));
                }
                candidates.extend(hits);
            }
            ExprKind::Error => {}
            _ => cx.diags.push(diag::error(
                "E0405",
                e.file,
                v.span,
                "`期限` 应为期间（如 `3年`）或修复制度名",
                "`期限` is a duration (`3年`) or a regime name",
            )),
        }
    }
    if !candidates.is_empty() {
        candidates.sort_unstable();
        candidates.dedup();
        regimes_used = candidates.clone();
        period = Some(ir::Period::Regime(candidates.iter().map(|&i| i as u32).collect()));
    }
    let repair: Vec<(String, i32)> = cx.codes_named(e, "修复条件", vn::REPAIR_CONDITION);
    let repair_mask = repair.iter().fold(0u64, |m, (_, c)| if (0..64).contains(c) { m | (1u64 << c) } else { m });
    let mut exits = Vec::new();
    for v in e.values("移出") {
        let t = value_text(v).unwrap_or_default();
        if !EXITS.contains(&t.as_str()) {
            cx.bad_choice(v, "移出", &t, &EXITS);
        } else {
            exits.push(t);
        }
    }
    let mut precedence = Vec::new();
    for v in e.values("优先于") {
        if let ExprKind::Path(p) = &v.kind {
            match cx.lists.get(&p.text()) {
                Some(&i) => precedence.push((p.text(), i as u32)),
                None => cx.diags.push(cx.scope.unknown(ItemKind::List, e.file, p)),
            }
        }
    }
    let own_non_repairable = e.clause("不可修复").map(|c| cx.conj(&c.values, true));
    // The regimes' own 不可修复 rules hold too.
    let mut nr: Vec<ir::Expr> = own_non_repairable.into_iter().collect();
    for &i in &regimes_used {
        if let Some(x) = regimes.get(i).and_then(|r| r.non_repairable.clone())
            && !nr.contains(&x)
        {
            nr.push(x);
        }
    }
    let non_repairable = match nr.len() {
        0 => None,
        1 => nr.pop(),
        _ => Some(ir::Expr::Or(nr)),
    };
    ListDef {
        head,
        category,
        criterion,
        criterion_text,
        period,
        period_text,
        fixed_maximum,
        repair_conditions: repair.into_iter().map(|(n, _)| n).collect(),
        repair_mask,
        exits,
        remedies: e.values("救济").filter_map(value_text).collect(),
        precedence,
        non_repairable,
        regimes_used,
    }
}

pub(super) fn values_span(values: &[Expr], fallback: Span) -> Span {
    match (values.first(), values.last()) {
        (Some(a), Some(b)) => a.span.to(b.span),
        _ => fallback,
    }
}

pub(super) fn measure_def(e: &Entry, doc: &str, texts: &Texts, cx: &mut Cx) -> MeasureDef {
    let head = head(e, doc, cx);
    let kind = e.values("类别").next().and_then(|v| {
        let t = value_text(v).unwrap_or_default();
        let kind = MeasureKind::from_label(&t);
        if kind.is_none() {
            cx.bad_choice(v, "类别", &t, &MeasureKind::ALL.map(MeasureKind::label));
        }
        kind
    });
    let mandatory = match e.values("性质").next() {
        Some(v) => {
            let t = value_text(v).unwrap_or_default();
            if !["强制", "推荐"].contains(&t.as_str()) {
                cx.bad_choice(v, "性质", &t, &["强制", "推荐"]);
            }
            t == "强制"
        }
        None => false,
    };
    let mut targets = Vec::new();
    let roles = cx.vocabs.get(vn::ROLE).cloned().unwrap_or_default();
    for v in e.values("对象") {
        let t = value_text(v).unwrap_or_default();
        if t != "主体" && !roles.contains(&t) {
            let mut cands = vec!["主体".to_string()];
            cands.extend(roles.iter().cloned());
            cx.diags.push(resolve::unknown_name(
                "对象（主体或角色）",
                "target (主体 or a role)",
                e.file,
                v.span,
                &t,
                &cands,
            ));
        } else {
            targets.push(t);
        }
    }
    let mut trigger = None;
    let mut trigger_text = String::new();
    if let Some(c) = e.clause("适用") {
        trigger_text = slice(texts, e.file, values_span(&c.values, c.span));
        if let [Expr { kind: ExprKind::OnList(p), .. }] = c.values.as_slice() {
            match cx.lists.get(&p.text()) {
                Some(&i) => trigger = Some(ir::Trigger::List(i as u32)),
                None => {
                    cx.diags.push(cx.scope.unknown(ItemKind::List, e.file, p));
                    trigger = Some(ir::Trigger::Condition(ir::Expr::Bool(false)));
                }
            }
        } else {
            trigger = Some(ir::Trigger::Condition(cx.conj(&c.values, false)));
        }
    }
    let refines = e.values("细化").next().and_then(|v| match &v.kind {
        ExprKind::Path(p) => Some((p.text(), p.span)),
        _ => None,
    });
    MeasureDef {
        head,
        kind,
        mandatory,
        implementer: e.values("实施").filter_map(value_text).collect(),
        scenarios: cx.codes_named(e, "场景", vn::SCENARIO),
        targets,
        trigger,
        trigger_text,
        refines,
        description: e.values("说明").filter_map(value_text).next(),
    }
}
