//! Types and clause shapes. Checks every item's clauses against its kind (docs/language.md §4), types every
//! expression against the record/subject schema, and builds the checked model ([`Checked`]) that the lints
//! read and `lower` turns into IR. Expressions come out already in IR form (vocabulary values as codes): the
//! expression checker types and lowers in one walk (`expr.rs`).
//! Entry point: [`check`].
//!
//! Rooms: this file (clause shapes, the walk over items), `model` (the checked model), `items` (each item
//! kind's clauses → its definition), `expr` (conditions: types, vocabulary codes, IR).

mod expr;
mod items;
mod model;

pub use model::*;

use crate::diag::{self, DiagExt};
use crate::resolve::{Entry, Origin, Scope, value_text};
use expr::Cx;
pub use expr::{FIELD_NAMES, field_type_name, field_vocab};
pub use items::duration_text;
use items::*;
use std::collections::BTreeMap;
use xince_abi::manifest::vocab_names as vn;
use xince_lang::ast::{BinaryOp, ExprKind, ItemKind};
use xince_lang::{Diagnostic, FileId};

/// Clauses each item kind accepts, and which are required.
pub fn clause_spec(kind: ItemKind) -> (&'static [&'static str], &'static [&'static str]) {
    match kind {
        ItemKind::Policy => (
            &[
                "编号",
                "名称",
                "辖区",
                "机关",
                "文号",
                "版本",
                "层级",
                "生效",
                "失效",
                "上级",
                "替代",
                "版本规则",
                "说明",
            ],
            &["编号"],
        ),
        ItemKind::Module => (&["名称", "说明", "来源"], &[]),
        ItemKind::Use => (&[], &[]),
        ItemKind::Vocab => (&["取值", "说明", "出处"], &["取值"]),
        ItemKind::Basis => (&["文号", "名称", "条", "效力", "核实", "来源", "说明"], &[]),
        // Severity clauses (`一般: 3个月 至 1年`) are accepted by vocabulary, see `regime_severity`.
        ItemKind::Regime => (&["文号", "名称", "生效", "失效", "不可修复", "核实", "默认", "来源", "说明"], &["生效"]),
        ItemKind::List => (
            &[
                "类别",
                "出处",
                "依据",
                "纳入",
                "期限",
                "最短公示",
                "修复条件",
                "移出",
                "救济",
                "优先于",
                "不可修复",
                "说明",
            ],
            &["类别", "纳入"],
        ),
        ItemKind::Measure => {
            (&["类别", "性质", "依据", "实施", "场景", "对象", "适用", "出处", "细化", "说明"], &["类别"])
        }
        ItemKind::Incentive => (&["条件", "内容", "场景", "依据", "实施", "出处", "说明"], &["条件"]),
        ItemKind::Grading => (&["档", "抽查", "出处", "说明"], &["档"]),
        ItemKind::Notification => (&["条件", "对象", "出处", "说明"], &["条件", "对象"]),
        ItemKind::Objection => (&["时限", "暂停", "出处", "说明"], &[]),
        ItemKind::Commitment => (&["违诺", "措施", "出处", "说明"], &["违诺", "措施"]),
    }
}

/// Checks the unit. `doc_of` gives the document (文号) rules of a file cite by default.
pub fn check(scope: &Scope, texts: &Texts, doc_of: &BTreeMap<FileId, String>, diags: &mut Vec<Diagnostic>) -> Checked {
    let mut out = Checked::default();
    for e in scope.entries.iter() {
        check_clause_names(e, scope, diags);
    }
    for e in scope.of_kind(ItemKind::Vocab) {
        out.vocabs.insert(e.name(), scope.vocab(&e.name()).unwrap_or_default());
    }
    let list_index: BTreeMap<String, usize> =
        scope.of_kind(ItemKind::List).enumerate().map(|(i, e)| (e.name(), i)).collect();
    let mut cx = Cx { scope, vocabs: &out.vocabs, lists: &list_index, current_list: None, file: 0, diags: Vec::new() };

    for (i, e) in scope.entries.iter().enumerate() {
        cx.file = e.file;
        let doc = doc_of.get(&e.file).cloned().unwrap_or_default();
        match e.item.kind {
            ItemKind::Policy if e.origin == Origin::Own => out.policy = Some(policy_def(e, &mut cx)),
            ItemKind::Basis => {
                out.basis_index.insert(i, out.bases.len());
                out.bases.push(basis_def(e, &mut cx));
            }
            ItemKind::Regime => {
                let r = regime_def(e, &mut cx);
                out.regimes.push(r);
            }
            _ => {}
        }
        let _ = doc;
    }
    let regime_names: Vec<String> = scope.of_kind(ItemKind::Regime).map(Entry::name).collect();
    for e in scope.entries.iter() {
        cx.file = e.file;
        let doc = doc_of.get(&e.file).cloned().unwrap_or_default();
        match e.item.kind {
            ItemKind::List => {
                cx.current_list = list_index.get(&e.name()).copied();
                let l = list_def(e, &doc, texts, &out.regimes, &regime_names, &mut cx);
                cx.current_list = None;
                out.lists.push(l);
            }
            ItemKind::Measure => out.measures.push(measure_def(e, &doc, texts, &mut cx)),
            ItemKind::Incentive => {
                let head = head(e, &doc, &mut cx);
                let mut clauses = Vec::new();
                for v in e.values("条件") {
                    let (x, t) = cx.expr(v, Some(&Ty::Bool), false);
                    cx.expect_ty(v, &t, &Ty::Bool);
                    clauses.push((x, slice(texts, e.file, v.span)));
                }
                out.incentives.push(IncentiveDef {
                    head,
                    clauses,
                    benefits: e.values("内容").filter_map(value_text).collect(),
                    scenarios: cx.codes_named(e, "场景", vn::SCENARIO).into_iter().map(|(n, _)| n).collect(),
                    implementer: e.values("实施").filter_map(value_text).collect(),
                });
            }
            ItemKind::Notification => {
                let head = head(e, &doc, &mut cx);
                let (condition, text) = cx.condition_clause(e, "条件", false, texts);
                out.notifications.push(NotificationDef {
                    head,
                    condition,
                    condition_text: text,
                    recipients: e.values("对象").filter_map(value_text).collect(),
                });
            }
            ItemKind::Grading => {
                let head = head(e, &doc, &mut cx);
                let supervision = grading_supervision(e);
                let mut levels = Vec::new();
                for v in e.values("档") {
                    match &v.kind {
                        ExprKind::Binary { op: BinaryOp::When, lhs, rhs } => {
                            let name = value_text(lhs).unwrap_or_default();
                            let (x, t) = cx.expr(rhs, Some(&Ty::Bool), false);
                            cx.expect_ty(rhs, &t, &Ty::Bool);
                            let sup = supervision.get(&name).cloned();
                            levels.push((name, x, slice(texts, e.file, rhs.span), sup));
                        }
                        ExprKind::Error => {}
                        _ => cx.diags.push(diag::error(
                            "E0405",
                            e.file,
                            v.span,
                            "`档` 的值应写成 `等级名 当 条件`",
                            "a `档` value is `LEVEL 当 CONDITION`",
                        )),
                    }
                }
                out.gradings.push(GradingDef { head, levels });
            }
            ItemKind::Objection => {
                let head = head(e, &doc, &mut cx);
                let deadline_expr = e.values("时限").next();
                let deadline = deadline_expr.and_then(|v| cx.duration(v));
                let suspends = e.values("暂停").next().map(|v| cx.yes_no(v)).unwrap_or(true);
                out.objections.push(ObjectionDef {
                    head,
                    deadline,
                    deadline_text: deadline_expr.map(|v| slice(texts, e.file, v.span)),
                    suspends,
                });
            }
            ItemKind::Commitment => {
                let head = head(e, &doc, &mut cx);
                let (breach, breach_text) = cx.condition_clause(e, "违诺", true, texts);
                let mut measures = Vec::new();
                for v in e.values("措施") {
                    if let ExprKind::Path(p) = &v.kind {
                        if scope.lookup(ItemKind::Measure, &p.text()).is_none() {
                            cx.diags.push(scope.unknown(ItemKind::Measure, e.file, p));
                        } else {
                            measures.push(p.text());
                        }
                    }
                }
                out.commitments.push(CommitmentDef { head, breach, breach_text, measures });
            }
            _ => {}
        }
    }
    // A measure named by a commitment may omit `适用`; others must have it.
    for m in out.measures.iter() {
        if m.trigger.is_none() && !out.commitments.iter().any(|c| c.measures.contains(&m.head.name)) {
            cx.diags.push(
                diag::error(
                    "E0404",
                    m.head.file,
                    m.head.span,
                    format!("措施 `{}` 缺少必需的子句 `适用`", m.head.name),
                    format!("measure `{}` lacks the required clause `适用`", m.head.name),
                )
                .with_help(
                    "写明措施何时适用，如 `适用: 在 严重失信主体名单`",
                    "say when it applies, e.g. `适用: 在 名单`",
                ),
            );
        }
    }
    diags.append(&mut cx.diags);
    out
}

fn check_clause_names(e: &Entry, scope: &Scope, diags: &mut Vec<Diagnostic>) {
    let (allowed, required) = clause_spec(e.item.kind);
    let severities = scope.vocab(vn::SEVERITY).unwrap_or_default();
    for c in &e.item.clauses {
        let key = c.key.text.as_str();
        let ok = allowed.contains(&key) || (e.item.kind == ItemKind::Regime && severities.iter().any(|s| s == key));
        if !ok {
            let mut d = diag::error(
                "E0403",
                e.file,
                c.key.span,
                format!("{}条目不接受子句 `{key}`", e.item.kind.keyword()),
                format!("a {} item has no clause `{key}`", e.item.kind.alias()),
            );
            let mut cands: Vec<&str> = allowed.to_vec();
            if e.item.kind == ItemKind::Regime {
                cands.extend(severities.iter().map(String::as_str));
            }
            if let Some(best) = diag::did_you_mean(key, cands.iter().copied()) {
                d = d.with_help(format!("是否想写 `{best}`？"), format!("did you mean `{best}`?")).with_fixit(
                    e.file,
                    c.key.span,
                    best.to_string(),
                    format!("改为 `{best}`"),
                    format!("replace with `{best}`"),
                );
            } else {
                d = d.with_help(
                    format!("可用的子句：{}", cands.join("、")),
                    format!("accepted clauses: {}", cands.join(", ")),
                );
            }
            diags.push(d);
        }
    }
    for req in required {
        if e.clause(req).is_none() {
            diags.push(diag::error(
                "E0404",
                e.file,
                e.name_span(),
                format!("{} `{}` 缺少必需的子句 `{req}`", e.item.kind.keyword(), e.name()),
                format!("{} `{}` lacks the required clause `{req}`", e.item.kind.alias(), e.name()),
            ));
        }
    }
}
