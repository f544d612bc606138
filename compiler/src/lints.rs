//! Legality checks (BRIEF §3.4) over the checked model: legal bases, layering (a lower level may narrow, never
//! widen, an upper-level punishment), exit and remedy paths of lists, red/black precedence, unverified facts,
//! citations, and the policy header. Entry point: [`lint`].

use crate::diag::{self, DiagExt};
use crate::ir;
use crate::resolve::{BasisRef, Origin};
use crate::typeck::{Checked, ListCategory, MeasureDef, MeasureKind, RuleHead};
use xince_lang::ast::Span;
use xince_lang::{Diagnostic, FileId};

/// Ranks that may found a punishment on their own; a 规范性文件 or an unknown document may not
/// (国办发〔2020〕49号 (六)(七); a purely local measure must rest on a 地方性法规).
pub const FOUNDING_RANKS: [&str; 5] = ["法律", "行政法规", "部门规章", "地方性法规", "党中央国务院文件"];

pub fn lint(c: &Checked, diags: &mut Vec<Diagnostic>) {
    header(c, diags);
    citations(c, diags);
    measures(c, diags);
    lists(c, diags);
    unverified(c, diags);
}

fn header(c: &Checked, diags: &mut Vec<Diagnostic>) {
    if let Some(p) = c.policy.as_ref().filter(|p| p.effective_from.is_none()) {
        {
            diags.push(
                diag::error(
                    "E0511",
                    p.file,
                    p.span,
                    format!("政策 `{}` 缺少生效日期 `生效`", p.info.name),
                    format!("policy `{}` has no effective date `生效`", p.info.name),
                )
                .with_help("加上 `生效: YYYY-MM-DD`", "add `生效: YYYY-MM-DD`"),
            );
        }
    }
}

fn all_heads(c: &Checked) -> Vec<(&'static str, &'static str, &RuleHead)> {
    let mut v: Vec<(&str, &str, &RuleHead)> = Vec::new();
    v.extend(c.lists.iter().map(|x| ("名单", "list", &x.head)));
    v.extend(c.measures.iter().map(|x| ("措施", "measure", &x.head)));
    v.extend(c.incentives.iter().map(|x| ("激励", "incentive", &x.head)));
    v.extend(c.gradings.iter().map(|x| ("分级", "grading", &x.head)));
    v.extend(c.notifications.iter().map(|x| ("通报", "notification", &x.head)));
    v.extend(c.objections.iter().map(|x| ("异议", "objection", &x.head)));
    v.extend(c.commitments.iter().map(|x| ("承诺", "commitment", &x.head)));
    v
}

fn citations(c: &Checked, diags: &mut Vec<Diagnostic>) {
    for (zh, en, h) in all_heads(c) {
        if h.citation.is_none() {
            let span = if h.name.is_empty() { h.keyword_span } else { h.span };
            diags.push(
                diag::error(
                    "E0510",
                    h.file,
                    span,
                    format!("{zh} `{}` 没有出处", h.name),
                    format!("{en} `{}` has no citation (`出处`)", h.name),
                )
                .with_help(
                    "每条规则须写明出处，如 `出处: 第5条`",
                    "every rule must cite its source, e.g. `出处: 第5条`",
                ),
            );
        }
    }
}

/// Best rank among the bases: true when some basis may found a punishment.
fn has_founding_basis(c: &Checked, bases: &[BasisRef]) -> bool {
    bases.iter().any(|b| c.basis(b).is_some_and(|d| FOUNDING_RANKS.contains(&d.rank.as_str())))
}

fn basis_names(c: &Checked, bases: &[BasisRef]) -> String {
    bases
        .iter()
        .map(|b| match b {
            BasisRef::Item { .. } => c.basis(b).map(|d| format!("{}（{}）", d.name, d.rank)).unwrap_or_default(),
            BasisRef::Local { document, .. } => format!("{document}（未知）"),
        })
        .collect::<Vec<_>>()
        .join("、")
}

fn find_upper<'a>(c: &'a Checked, name: &str) -> Option<&'a MeasureDef> {
    c.measures.iter().find(|m| m.head.name == name)
}

fn measures(c: &Checked, diags: &mut Vec<Diagnostic>) {
    let has_upper = c.policy.as_ref().is_some_and(|p| !p.info.extends.is_empty());
    for m in &c.measures {
        let h = &m.head;
        let upper = m.refines.as_ref().and_then(|(n, _)| find_upper(c, n));
        if let Some((name, span)) = &m.refines {
            match upper {
                Some(u) if u.head.origin < h.origin => widening(c, m, u, *span, diags),
                Some(u) => diags.push(
                    diag::error(
                        "E0514",
                        h.file,
                        *span,
                        format!("`细化` 只能指向上级政策或标准库中的措施，`{name}` 不是"),
                        format!("`细化` must name a measure of an upper level or the stdlib; `{name}` is not"),
                    )
                    .with_label(u.head.file, u.head.span, "定义在此", "defined here"),
                ),
                None => {
                    let cands: Vec<String> =
                        c.measures.iter().filter(|x| x.head.origin < h.origin).map(|x| x.head.name.clone()).collect();
                    diags.push(crate::resolve::unknown_name(
                        "上级措施",
                        "upper-level measure",
                        h.file,
                        *span,
                        name,
                        &cands,
                    ));
                }
            }
        }
        // A refinement carries the upper measure's bases.
        let bases: Vec<BasisRef> =
            if h.bases.is_empty() { upper.map(|u| u.head.bases.clone()).unwrap_or_default() } else { h.bases.clone() };
        if bases.is_empty() {
            if h.basis_written {
                continue;
            }
            diags.push(
                diag::error(
                    "E0501",
                    h.file,
                    h.span,
                    format!("措施 `{}` 没有实施依据", h.name),
                    format!("measure `{}` has no legal basis (`依据`)", h.name),
                )
                .with_help("写明法律依据，如 `依据: 国办发〔2020〕49号`", "state its legal basis, e.g. `依据: …`"),
            );
            continue;
        }
        if m.kind != Some(MeasureKind::Punishment) {
            local_bases(c, h, diags);
            continue;
        }
        let founded = has_founding_basis(c, &bases);
        if has_upper && h.origin == Origin::Own && m.refines.is_none() && !founded {
            diags.push(
                diag::error(
                    "E0504",
                    h.file,
                    h.span,
                    format!("不得增设惩戒措施：`{}` 不是对上级措施的细化，其依据（{}）不足以设定惩戒", h.name, basis_names(c, &bases)),
                    format!(
                        "no new punishment may be added: `{}` refines no upper measure and its basis ({}) cannot found one",
                        h.name,
                        basis_names(c, &bases)
                    ),
                )
                .with_help(
                    "用 `细化: 上级措施名` 收窄上级措施，或引用法律、行政法规、部门规章、地方性法规或党中央国务院文件作依据",
                    "narrow an upper measure with `细化`, or cite a law, regulation, rule, local statute or central document",
                ),
            );
        } else if !founded {
            diags.push(
                diag::warning(
                    "W0502",
                    h.file,
                    h.span,
                    format!("惩戒措施 `{}` 的依据未经核实：仅有{}", h.name, basis_names(c, &bases)),
                    format!("the basis of punishment `{}` is not verified: only {}", h.name, basis_names(c, &bases)),
                )
                .with_help(
                    "惩戒须以法律、法规或党中央国务院文件为依据；请补充效力更高的依据条目",
                    "a punishment needs a law, regulation or central document; add a basis item of higher rank",
                ),
            );
        }
    }
}

fn local_bases(c: &Checked, h: &RuleHead, diags: &mut Vec<Diagnostic>) {
    let _ = c;
    for b in &h.bases {
        if let BasisRef::Local { document, span, .. } = b {
            diags.push(warning_local(h.file, *span, document));
        }
    }
}

fn warning_local(file: FileId, span: Span, document: &str) -> Diagnostic {
    diag::warning(
        "W0513",
        file,
        span,
        format!("依据 `{document}` 不是已知的依据条目，按效力未知的本地文件处理"),
        format!("basis `{document}` matches no basis item; treated as a local document of unknown rank"),
    )
    .with_help("用 `依据` 条目声明它的文号和效力", "declare it as a `依据` item with its 文号 and 效力")
}

fn max_days(d: ir::Duration) -> i64 {
    let n = i64::from(d.amount);
    match d.unit {
        ir::Unit::Day => n,
        ir::Unit::WorkDay => n * 7 / 5,
        ir::Unit::Month => n * 31,
        ir::Unit::Year => n * 366,
    }
}

fn trigger_maximum(c: &Checked, m: &MeasureDef) -> Option<ir::Duration> {
    match &m.trigger {
        Some(ir::Trigger::List(i)) => c.lists.get(*i as usize).and_then(|l| l.fixed_maximum),
        _ => None,
    }
}

fn widening(c: &Checked, m: &MeasureDef, u: &MeasureDef, span: Span, diags: &mut Vec<Diagnostic>) {
    let mut reasons: Vec<(String, String)> = Vec::new();
    let upper_sc: Vec<i32> = u.scenarios.iter().map(|s| s.1).collect();
    if !upper_sc.is_empty() {
        let extra: Vec<&str> = m.scenarios.iter().filter(|s| !upper_sc.contains(&s.1)).map(|s| s.0.as_str()).collect();
        if m.scenarios.is_empty() {
            reasons.push((
                "适用于全部场景，上级只限于部分场景".into(),
                "applies in every scenario, the upper one in some".into(),
            ));
        } else if !extra.is_empty() {
            reasons.push((format!("增加了场景 {}", extra.join("、")), format!("adds scenarios {}", extra.join(", "))));
        }
    }
    // No `对象` means the subject itself.
    let subject_only = vec!["主体".to_string()];
    let upper_targets = if u.targets.is_empty() { &subject_only } else { &u.targets };
    let own_targets = if m.targets.is_empty() { &subject_only } else { &m.targets };
    {
        let extra: Vec<&str> = own_targets.iter().filter(|t| !upper_targets.contains(t)).map(String::as_str).collect();
        if !extra.is_empty() {
            reasons.push((format!("增加了对象 {}", extra.join("、")), format!("adds targets {}", extra.join(", "))));
        }
    }
    if m.mandatory && !u.mandatory {
        reasons.push(("把推荐性措施改为强制性".into(), "turns a recommended measure into a mandatory one".into()));
    }
    if let (Some(a), Some(b)) = (trigger_maximum(c, m), trigger_maximum(c, u))
        && max_days(a) > max_days(b)
    {
        {
            let (ta, tb) = (crate::typeck::duration_text(a), crate::typeck::duration_text(b));
            reasons.push((format!("期限 {ta} 长于上级的 {tb}"), format!("period {ta} is longer than the upper {tb}")));
        }
    }
    if m.kind == Some(MeasureKind::Punishment) && u.kind != Some(MeasureKind::Punishment) {
        reasons.push(("把激励措施改为惩戒".into(), "turns an incentive into a punishment".into()));
    }
    for (zh, en) in reasons {
        diags.push(
            diag::error(
                "E0503",
                m.head.file,
                span,
                format!("下级措施 `{}` 扩大了上级惩戒 `{}`：{zh}", m.head.name, u.head.name),
                format!("lower-level measure `{}` widens upper-level `{}`: {en}", m.head.name, u.head.name),
            )
            .with_label(u.head.file, u.head.span, "上级措施在此", "upper-level measure here")
            .with_help(
                "下级只能收窄上级措施（不得随意增设惩戒措施或加重惩戒）",
                "a lower level may only narrow an upper measure",
            ),
        );
    }
}

fn lists(c: &Checked, diags: &mut Vec<Diagnostic>) {
    for l in &c.lists {
        let h = &l.head;
        // A written period that failed to resolve was already reported.
        if l.exits.is_empty() || (l.period.is_none() && l.period_text.is_empty()) {
            let (zh, en) = if l.period.is_none() {
                ("没有期限 `期限`", "has no period (`期限`)")
            } else {
                ("没有移出方式 `移出`", "has no exit (`移出`)")
            };
            diags.push(
                diag::error(
                    "E0505",
                    h.file,
                    h.span,
                    format!("名单 `{}` {zh}，主体无法移出", h.name),
                    format!("list `{}` {en}: a subject could never leave it", h.name),
                )
                .with_help(
                    "写明 `期限` 和 `移出: 期满, 修复, 异议成立` 中适用的方式",
                    "state `期限` and the exits in `移出`",
                ),
            );
        }
        if l.category == Some(ListCategory::Black) {
            if l.remedies.is_empty() {
                diags.push(
                    diag::error("E0506", h.file, h.span, format!("黑名单 `{}` 没有写明救济措施 `救济`", h.name), format!("blacklist `{}` states no remedies (`救济`)", h.name))
                        .with_help("依国办发〔2020〕49号（七）（八），认定文书须载明救济措施，如 `救济: \"行政复议\", \"行政诉讼\"`", "per 国办发〔2020〕49号 (七)(八) the decision must state remedies"),
                );
            }
            if l.repair_conditions.is_empty() && l.exits.iter().any(|e| e == "修复") {
                diags.push(
                    diag::error(
                        "E0507",
                        h.file,
                        h.span,
                        format!("黑名单 `{}` 允许修复移出，但没有写明修复条件 `修复条件`", h.name),
                        format!("blacklist `{}` allows repair but states no repair conditions (`修复条件`)", h.name),
                    )
                    .with_help(
                        "依国办发〔2020〕49号（七），须载明移出条件和程序",
                        "per 国办发〔2020〕49号 (七) the exit conditions must be stated",
                    ),
                );
            }
        }
    }
    // Red and black lists need a precedence between them.
    for (bi, b) in c.lists.iter().enumerate() {
        if b.category != Some(ListCategory::Black) {
            continue;
        }
        for (ri, r) in c.lists.iter().enumerate() {
            if r.category != Some(ListCategory::Red) {
                continue;
            }
            let linked =
                b.precedence.iter().any(|p| p.1 as usize == ri) || r.precedence.iter().any(|p| p.1 as usize == bi);
            if !linked {
                let (later, earlier) = if b.head.origin >= r.head.origin { (b, r) } else { (r, b) };
                diags.push(
                    diag::error(
                        "E0508",
                        later.head.file,
                        later.head.span,
                        format!(
                            "红名单 `{}` 与黑名单 `{}` 之间没有 `优先于`：主体可能同时在两者之上",
                            r.head.name, b.head.name
                        ),
                        format!(
                            "red list `{}` and blacklist `{}` have no `优先于` between them",
                            r.head.name, b.head.name
                        ),
                    )
                    .with_label(earlier.head.file, earlier.head.span, "另一名单在此", "the other list")
                    .with_help(
                        format!("在黑名单中加上 `优先于: {}`", r.head.name),
                        format!("add `优先于: {}` to the blacklist", r.head.name),
                    ),
                );
            }
        }
    }
}

/// Unverified facts (bases and regimes marked `核实: 否`) the unit relies on, with the first place that uses each.
pub fn unverified_used(c: &Checked) -> Vec<(String, FileId, Span)> {
    let mut out: Vec<(String, FileId, Span)> = Vec::new();
    let mut add = |name: String, file: FileId, span: Span| {
        if !out.iter().any(|(n, ..)| *n == name) {
            out.push((name, file, span));
        }
    };
    let mut heads: Vec<&RuleHead> = all_heads(c).into_iter().map(|(_, _, h)| h).collect();
    // Own rules first so a warning points into the file being checked when possible.
    heads.sort_by_key(|h| std::cmp::Reverse(h.origin));
    for h in &heads {
        for b in &h.bases {
            if let Some(d) = c.basis(b).filter(|d| !d.verified) {
                add(d.name.clone(), h.file, h.span);
            }
        }
    }
    let mut lists: Vec<_> = c.lists.iter().collect();
    lists.sort_by_key(|l| std::cmp::Reverse(l.head.origin));
    for l in lists {
        for &r in &l.regimes_used {
            if let Some(reg) = c.regimes.get(r).filter(|r| !r.verified) {
                add(reg.name.clone(), l.head.file, l.head.span);
            }
        }
    }
    out
}

fn unverified(c: &Checked, diags: &mut Vec<Diagnostic>) {
    for (name, file, span) in unverified_used(c) {
        diags.push(
            diag::warning(
                "W0509",
                file,
                span,
                format!("依赖未经核实的事实 `{name}`（标准库标注 `核实: 否`）"),
                format!("relies on the unverified fact `{name}` (marked `核实: 否` in the stdlib)"),
            )
            .with_help(
                "发布前请对照原文核实，或改用已核实的依据",
                "check it against the primary text before publishing",
            ),
        );
    }
}
