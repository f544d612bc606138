//! Types and clause shapes. Checks every item's clauses against its kind (docs/language.md §4), types every
//! expression against the record/subject schema, and builds the checked model ([`Checked`]) that the lints
//! read and `lower` turns into IR. Expressions come out already in IR form (vocabulary values as codes).
//! Entry point: [`check`].

use crate::diag::{self, DiagExt};
use crate::ir;
use crate::resolve::{self, BasisRef, Entry, Origin, Scope, value_text};
use std::collections::BTreeMap;
use xince_abi::date::{CivilDate, DayNumber, NO_DATE};
use xince_abi::manifest::{Citation, PolicyInfo, vocab_names as vn};
use xince_lang::ast::{BinaryOp, DurationUnit, Expr, ExprKind, ItemKind, Path, Quantifier, Span};
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

#[derive(Clone, Debug, PartialEq)]
pub enum Ty {
    Bool,
    Int,
    Num,
    Date,
    Code(String),
    Str,
    /// After an error: accepted everywhere so one mistake gives one diagnostic.
    Unknown,
}

impl Ty {
    fn name(&self) -> (String, String) {
        match self {
            Ty::Bool => ("布尔".into(), "Bool".into()),
            Ty::Int => ("整数".into(), "Int".into()),
            Ty::Num => ("数".into(), "Num".into()),
            Ty::Date => ("日期".into(), "Date".into()),
            Ty::Code(v) => (format!("词表值({v})"), format!("Code({v})")),
            Ty::Str => ("字符串".into(), "Str".into()),
            Ty::Unknown => ("未知".into(), "unknown".into()),
        }
    }
    fn compatible(&self, other: &Ty) -> bool {
        match (self, other) {
            (Ty::Unknown, _) | (_, Ty::Unknown) => true,
            (Ty::Int | Ty::Num, Ty::Int | Ty::Num) => true,
            (a, b) => a == b,
        }
    }
}

/// Basis with what the lints and the manifest need.
#[derive(Clone, Debug, PartialEq)]
pub struct BasisDef {
    pub name: String,
    pub document: String,
    pub article: Option<String>,
    /// 法律 / 行政法规 / 部门规章 / 地方性法规 / 党中央国务院文件 / 规范性文件 / 未知.
    pub rank: String,
    pub verified: bool,
    pub origin: Origin,
    pub file: FileId,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SeverityPeriod {
    pub severity: String,
    pub code: i32,
    pub minimum: Option<ir::Duration>,
    pub maximum: ir::Duration,
    pub minimum_text: Option<String>,
    pub maximum_text: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RegimeDef {
    pub name: String,
    pub document: String,
    pub effective_from: DayNumber,
    pub effective_until: DayNumber,
    pub periods: Vec<SeverityPeriod>,
    pub default_severity: i32,
    pub non_repairable: Option<ir::Expr>,
    pub verified: bool,
    pub origin: Origin,
    pub file: FileId,
    pub span: Span,
}

/// Common to every rule: name, place, citation, bases.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleHead {
    pub name: String,
    pub origin: Origin,
    pub file: FileId,
    pub span: Span,
    pub keyword_span: Span,
    pub citation: Option<Citation>,
    pub bases: Vec<BasisRef>,
    /// A `依据` clause is written (even if its names did not resolve: no second error then).
    pub basis_written: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ListDef {
    pub head: RuleHead,
    pub category: String,
    pub criterion: ir::Expr,
    pub criterion_text: String,
    pub period: Option<ir::Period>,
    pub period_text: String,
    /// Longest fixed maximum, for the widening check.
    pub fixed_maximum: Option<ir::Duration>,
    pub repair_conditions: Vec<String>,
    pub repair_mask: u64,
    pub exits: Vec<String>,
    pub remedies: Vec<String>,
    pub precedence: Vec<(String, u32)>,
    pub non_repairable: Option<ir::Expr>,
    pub regimes_used: Vec<usize>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MeasureDef {
    pub head: RuleHead,
    /// 惩戒 / 激励.
    pub kind: String,
    pub mandatory: bool,
    pub implementer: Vec<String>,
    pub scenarios: Vec<(String, i32)>,
    pub targets: Vec<String>,
    pub trigger: Option<ir::Trigger>,
    pub trigger_text: String,
    /// Name, file and span of the `细化` clause value.
    pub refines: Option<(String, Span)>,
    pub description: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct IncentiveDef {
    pub head: RuleHead,
    pub clauses: Vec<(ir::Expr, String)>,
    pub benefits: Vec<String>,
    pub scenarios: Vec<String>,
    pub implementer: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NotificationDef {
    pub head: RuleHead,
    pub condition: ir::Expr,
    pub condition_text: String,
    pub recipients: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct GradingDef {
    pub head: RuleHead,
    /// (level name, condition, condition as written, supervision).
    pub levels: Vec<(String, ir::Expr, String, Option<String>)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ObjectionDef {
    pub head: RuleHead,
    pub deadline: Option<ir::Duration>,
    pub deadline_text: Option<String>,
    pub suspends: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CommitmentDef {
    pub head: RuleHead,
    pub breach: ir::Expr,
    /// The breach condition as written (shown as the trigger of the measures it names).
    pub breach_text: String,
    pub measures: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PolicyDef {
    pub info: PolicyInfo,
    pub file: FileId,
    pub span: Span,
    pub keyword_span: Span,
    pub effective_from: Option<DayNumber>,
    pub effective_until: DayNumber,
    pub version_rule: ir::VersionRule,
}

/// The checked unit.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Checked {
    pub policy: Option<PolicyDef>,
    pub vocabs: BTreeMap<String, Vec<String>>,
    pub bases: Vec<BasisDef>,
    /// Scope entry index → position in `bases`.
    pub basis_index: BTreeMap<usize, usize>,
    pub regimes: Vec<RegimeDef>,
    pub lists: Vec<ListDef>,
    pub measures: Vec<MeasureDef>,
    pub incentives: Vec<IncentiveDef>,
    pub notifications: Vec<NotificationDef>,
    pub gradings: Vec<GradingDef>,
    pub objections: Vec<ObjectionDef>,
    pub commitments: Vec<CommitmentDef>,
}

impl Checked {
    pub fn basis(&self, r: &BasisRef) -> Option<&BasisDef> {
        match r {
            BasisRef::Item { index, .. } => self.basis_index.get(index).and_then(|&i| self.bases.get(i)),
            BasisRef::Local { .. } => None,
        }
    }
}

/// Source text per file, to keep expressions "as written" for the manifest and traces.
pub type Texts<'a> = BTreeMap<FileId, &'a str>;

fn slice(texts: &Texts, file: FileId, span: Span) -> String {
    texts.get(&file).and_then(|t| t.get(span.range())).map(|s| s.trim().to_string()).unwrap_or_default()
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

fn grading_supervision(e: &Entry) -> BTreeMap<String, String> {
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

fn citation_of(e: &Entry, doc: &str, cx: &mut Cx) -> Option<Citation> {
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

fn head(e: &Entry, doc: &str, cx: &mut Cx) -> RuleHead {
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

fn policy_def(e: &Entry, cx: &mut Cx) -> PolicyDef {
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

fn basis_def(e: &Entry, cx: &mut Cx) -> BasisDef {
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

fn regime_def(e: &Entry, cx: &mut Cx) -> RegimeDef {
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

pub const LIST_CATEGORIES: [&str; 3] = ["红名单", "黑名单", "重点关注名单"];
pub const EXITS: [&str; 3] = ["期满", "修复", "异议成立"];

fn list_def(
    e: &Entry,
    doc: &str,
    texts: &Texts,
    regimes: &[RegimeDef],
    regime_names: &[String],
    cx: &mut Cx,
) -> ListDef {
    let head = head(e, doc, cx);
    let category = e.values("类别").next().map(|v| {
        let t = value_text(v).unwrap_or_default();
        if !LIST_CATEGORIES.contains(&t.as_str()) {
            cx.bad_choice(v, "类别", &t, &LIST_CATEGORIES);
        }
        t
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
        category: category.unwrap_or_default(),
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

fn values_span(values: &[Expr], fallback: Span) -> Span {
    match (values.first(), values.last()) {
        (Some(a), Some(b)) => a.span.to(b.span),
        _ => fallback,
    }
}

fn measure_def(e: &Entry, doc: &str, texts: &Texts, cx: &mut Cx) -> MeasureDef {
    let head = head(e, doc, cx);
    let kind = e
        .values("类别")
        .next()
        .map(|v| {
            let t = value_text(v).unwrap_or_default();
            if !["惩戒", "激励"].contains(&t.as_str()) {
                cx.bad_choice(v, "类别", &t, &["惩戒", "激励"]);
            }
            t
        })
        .unwrap_or_default();
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

/// Schema fields.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Field {
    Record(ir::RecordField),
    Flags,
    Subject(ir::SubjectField),
    Roles,
    AsOf,
    Scenario,
}

fn field_of(path: &Path) -> Option<Field> {
    use ir::RecordField as R;
    Some(match path.text().as_str() {
        "记录.类型" => Field::Record(R::Type),
        "记录.领域" => Field::Record(R::Domain),
        "记录.严重程度" => Field::Record(R::Severity),
        "记录.等级" => Field::Record(R::Grade),
        "记录.程序" => Field::Record(R::Procedure),
        "记录.日期" => Field::Record(R::Date),
        "记录.金额" => Field::Record(R::Amount),
        "记录.标志" => Field::Flags,
        "主体.类型" => Field::Subject(ir::SubjectField::Kind),
        "主体.行业" => Field::Subject(ir::SubjectField::Sector),
        "主体.角色" => Field::Roles,
        "评估日期" => Field::AsOf,
        "场景" => Field::Scenario,
        _ => return None,
    })
}

const FIELD_NAMES: [&str; 13] = [
    "记录.类型",
    "记录.领域",
    "记录.严重程度",
    "记录.等级",
    "记录.程序",
    "记录.日期",
    "记录.金额",
    "记录.标志",
    "主体.类型",
    "主体.行业",
    "主体.角色",
    "评估日期",
    "场景",
];

fn field_ty(f: Field) -> Ty {
    use ir::RecordField as R;
    match f {
        Field::Record(R::Type) => Ty::Code(vn::RECORD_TYPE.into()),
        Field::Record(R::Domain) => Ty::Code(vn::DOMAIN.into()),
        Field::Record(R::Severity) => Ty::Code(vn::SEVERITY.into()),
        Field::Record(R::Grade) => Ty::Code(vn::GRADE.into()),
        Field::Record(R::Procedure) => Ty::Code(vn::PROCEDURE.into()),
        Field::Record(R::Date) | Field::AsOf => Ty::Date,
        Field::Record(R::Amount) => Ty::Num,
        Field::Subject(ir::SubjectField::Kind) => Ty::Code(vn::SUBJECT_KIND.into()),
        Field::Subject(ir::SubjectField::Sector) => Ty::Code(vn::SECTOR.into()),
        Field::Scenario => Ty::Code(vn::SCENARIO.into()),
        Field::Flags | Field::Roles => Ty::Unknown,
    }
}

/// Expression checking context.
struct Cx<'a> {
    scope: &'a Scope,
    vocabs: &'a BTreeMap<String, Vec<String>>,
    lists: &'a BTreeMap<String, usize>,
    /// Index of the list whose criterion is being checked: only earlier lists may be named.
    current_list: Option<usize>,
    file: FileId,
    diags: Vec<Diagnostic>,
}

impl Cx<'_> {
    fn bad_choice(&mut self, v: &Expr, clause: &str, got: &str, options: &[&str]) {
        let mut d = diag::error(
            "E0407",
            self.file,
            v.span,
            format!("`{clause}` 的值 `{got}` 无效"),
            format!("invalid value `{got}` for `{clause}`"),
        );
        d = match diag::did_you_mean(got, options.iter().copied()) {
            Some(b) => d.with_help(format!("是否想写 `{b}`？"), format!("did you mean `{b}`?")),
            None => d.with_help(format!("可选：{}", options.join("、")), format!("one of: {}", options.join(", "))),
        };
        self.diags.push(d);
    }

    fn mismatch(&mut self, span: Span, expected: &Ty, found: &Ty) {
        let (ez, ee) = expected.name();
        let (fz, fe) = found.name();
        self.diags.push(diag::error(
            "E0401",
            self.file,
            span,
            format!("类型不符：应为{ez}，实为{fz}"),
            format!("type mismatch: expected {ee}, found {fe}"),
        ));
    }

    fn expect_ty(&mut self, e: &Expr, found: &Ty, expected: &Ty) {
        if !found.compatible(expected) {
            self.mismatch(e.span, expected, found);
        }
    }

    fn yes_no(&mut self, v: &Expr) -> bool {
        match &v.kind {
            ExprKind::Bool(b) => *b,
            _ => {
                let t = value_text(v).unwrap_or_default();
                match t.as_str() {
                    "是" | "true" => true,
                    "否" | "false" => false,
                    _ => {
                        self.bad_choice(v, "是/否", &t, &["是", "否"]);
                        true
                    }
                }
            }
        }
    }

    fn date(&mut self, v: &Expr) -> Option<DayNumber> {
        match &v.kind {
            ExprKind::Date { year, month, day } => match CivilDate::new(*year, *month, *day) {
                Ok(d) => Some(d.to_days()),
                Err(_) => {
                    self.diags.push(diag::error("E0401", self.file, v.span, "不存在的日期", "impossible date"));
                    None
                }
            },
            ExprKind::Error => None,
            _ => {
                self.mismatch(v.span, &Ty::Date, &Ty::Unknown);
                None
            }
        }
    }

    fn duration(&mut self, v: &Expr) -> Option<ir::Duration> {
        match &v.kind {
            ExprKind::Duration { amount, unit } => Some(ir::Duration {
                amount: i32::try_from(*amount).unwrap_or(i32::MAX),
                unit: match unit {
                    DurationUnit::Day => ir::Unit::Day,
                    DurationUnit::Month => ir::Unit::Month,
                    DurationUnit::Year => ir::Unit::Year,
                    DurationUnit::WorkDay => ir::Unit::WorkDay,
                },
            }),
            ExprKind::Error => None,
            _ => {
                self.diags.push(diag::error(
                    "E0401",
                    self.file,
                    v.span,
                    "此处应为期间，如 `3年`、`6个月`、`7工作日`",
                    "expected a duration such as `3年`, `6个月`, `7工作日`",
                ));
                None
            }
        }
    }

    /// Values of `clause` as values of vocabulary `vocab`, with names.
    fn codes_named(&mut self, e: &Entry, clause: &str, vocab: &str) -> Vec<(String, i32)> {
        let mut out = Vec::new();
        for v in e.values(clause) {
            if let Some(c) = self.vocab_code(v, vocab) {
                out.push((value_text(v).unwrap_or_default(), c));
            }
        }
        out
    }

    fn vocab_code(&mut self, v: &Expr, vocab: &str) -> Option<i32> {
        let name = match &v.kind {
            ExprKind::Path(p) => p.text(),
            ExprKind::Str(s) => s.clone(),
            ExprKind::Error => return None,
            _ => {
                self.mismatch(v.span, &Ty::Code(vocab.to_string()), &Ty::Unknown);
                return None;
            }
        };
        let Some(values) = self.vocabs.get(vocab) else {
            self.diags.push(
                diag::error(
                    "E0303",
                    self.file,
                    v.span,
                    format!("词表 `{vocab}` 未定义，无法解析 `{name}`"),
                    format!("vocabulary `{vocab}` is not defined, cannot resolve `{name}`"),
                )
                .with_help("是否忘了 `引用 标准库`？", "did you forget `引用 标准库` (use the stdlib)?"),
            );
            return None;
        };
        match values.iter().position(|x| *x == name) {
            Some(i) => Some(i as i32),
            None => {
                let mut d = diag::error(
                    "E0303",
                    self.file,
                    v.span,
                    format!("`{name}` 不是词表 `{vocab}` 的取值"),
                    format!("`{name}` is not a value of vocabulary `{vocab}`"),
                );
                if let Some((kw, rest)) = diag::glued_keyword(&name, |n| values.iter().any(|x| x == n)) {
                    d = d.with_help(
                        format!("关键词 `{kw}` 与名称之间须有空格：`{kw} {rest}`"),
                        format!("put a space after `{kw}`: `{kw} {rest}`"),
                    );
                } else if let Some(b) = diag::did_you_mean(&name, values.iter().map(String::as_str)) {
                    d = d.with_help(format!("是否想写 `{b}`？"), format!("did you mean `{b}`?")).with_fixit(
                        self.file,
                        v.span,
                        b.to_string(),
                        format!("改为 `{b}`"),
                        format!("replace with `{b}`"),
                    );
                }
                self.diags.push(d);
                None
            }
        }
    }

    /// All values of a clause, and-ed, as one Bool condition.
    fn condition_clause(&mut self, e: &Entry, clause: &str, record: bool, texts: &Texts) -> (ir::Expr, String) {
        match e.clause(clause) {
            Some(c) => (self.conj(&c.values, record), slice(texts, e.file, values_span(&c.values, c.span))),
            None => (ir::Expr::Bool(false), String::new()),
        }
    }

    fn conj(&mut self, values: &[Expr], record: bool) -> ir::Expr {
        let mut parts = Vec::new();
        for v in values {
            let (x, t) = self.expr(v, Some(&Ty::Bool), record);
            self.expect_ty(v, &t, &Ty::Bool);
            parts.push(x);
        }
        if parts.len() == 1 { parts.remove(0) } else { ir::Expr::And(parts) }
    }

    fn is_bare(e: &Expr) -> bool {
        matches!(&e.kind, ExprKind::Path(p) if field_of(p).is_none()) || matches!(e.kind, ExprKind::Str(_))
    }

    /// Types `e`, in a record predicate when `record`. `expected` only steers how bare names resolve.
    fn expr(&mut self, e: &Expr, expected: Option<&Ty>, record: bool) -> (ir::Expr, Ty) {
        let err = (ir::Expr::Bool(false), Ty::Unknown);
        match &e.kind {
            ExprKind::Error => err,
            ExprKind::Bool(b) => (ir::Expr::Bool(*b), Ty::Bool),
            ExprKind::Number(n) => {
                if matches!(expected, Some(Ty::Int)) && n.fract() == 0.0 {
                    (ir::Expr::Int(*n as i64), Ty::Int)
                } else {
                    (ir::Expr::Num(*n), Ty::Num)
                }
            }
            ExprKind::Date { .. } => match self.date(e) {
                Some(d) => (ir::Expr::Date(d), Ty::Date),
                None => err,
            },
            ExprKind::Duration { .. } => {
                self.diags.push(diag::error(
                    "E0401",
                    self.file,
                    e.span,
                    "期间只能用于 `近`、`期限` 等处，不能作为条件的值",
                    "a duration is only allowed after `近` or in period clauses, not as a value here",
                ));
                err
            }
            ExprKind::Citation(_) => {
                self.mismatch(e.span, expected.unwrap_or(&Ty::Bool), &Ty::Str);
                err
            }
            ExprKind::Str(s) => match expected {
                Some(Ty::Code(v)) => {
                    let v = v.clone();
                    match self.vocab_code(e, &v) {
                        Some(c) => (ir::Expr::Code(c), Ty::Code(v)),
                        None => err,
                    }
                }
                _ => {
                    let _ = s;
                    (ir::Expr::Bool(false), Ty::Str)
                }
            },
            ExprKind::Path(p) => self.path(e, p, expected, record),
            ExprKind::OnList(p) => {
                let name = p.text();
                match self.lists.get(&name) {
                    Some(&i) => {
                        if self.current_list.is_some_and(|c| i >= c) {
                            self.diags.push(diag::error(
                                "E0408",
                                self.file,
                                p.span,
                                format!("名单条件只能引用在它之前定义的名单，`{name}` 不在其前"),
                                format!("a list criterion may only name earlier lists; `{name}` is not earlier"),
                            ));
                        }
                        (ir::Expr::OnList(i as u32), Ty::Bool)
                    }
                    None => {
                        self.diags.push(self.scope.unknown(ItemKind::List, self.file, p));
                        err
                    }
                }
            }
            ExprKind::Not(inner) => {
                let (x, t) = self.expr(inner, Some(&Ty::Bool), record);
                self.expect_ty(inner, &t, &Ty::Bool);
                (ir::Expr::Not(Box::new(x)), Ty::Bool)
            }
            ExprKind::List(_) => {
                self.diags.push(diag::error(
                    "E0401",
                    self.file,
                    e.span,
                    "列表 `[…]` 只能用在 `属于`/`不属于`/`包含` 之后",
                    "a list `[…]` is only allowed after `属于`/`不属于`/`包含`",
                ));
                err
            }
            ExprKind::Quantified { quantifier, condition, within } => {
                let (c, t) = self.expr(condition, Some(&Ty::Bool), true);
                self.expect_ty(condition, &t, &Ty::Bool);
                let within = within.as_ref().and_then(|w| self.duration(w));
                let exists = ir::Expr::Exists { condition: Box::new(c.clone()), within };
                match quantifier {
                    Quantifier::Exists => (exists, Ty::Bool),
                    Quantifier::None => (ir::Expr::Not(Box::new(exists)), Ty::Bool),
                    Quantifier::Count => (ir::Expr::Count { condition: Box::new(c), within }, Ty::Int),
                }
            }
            ExprKind::Binary { op, lhs, rhs } => self.binary(e, *op, lhs, rhs, record),
        }
    }

    fn path(&mut self, e: &Expr, p: &Path, expected: Option<&Ty>, record: bool) -> (ir::Expr, Ty) {
        let err = (ir::Expr::Bool(false), Ty::Unknown);
        if let Some(f) = field_of(p) {
            if matches!(f, Field::Record(_) | Field::Flags) && !record {
                self.diags.push(
                    diag::error(
                        "E0402",
                        self.file,
                        p.span,
                        format!("记录字段 `{}` 只能用在记录条件中", p.text()),
                        format!("record field `{}` is only allowed in a record predicate", p.text()),
                    )
                    .with_help(
                        "放进量词中，如 `存在 记录(…)`；或写在名单的 `纳入` 中",
                        "wrap it in a quantifier such as `存在 记录(…)`, or use it in a list's `纳入`",
                    ),
                );
                return err;
            }
            if matches!(f, Field::Flags | Field::Roles) {
                self.diags.push(diag::error(
                    "E0406",
                    self.file,
                    p.span,
                    format!("`{}` 是集合，只能与 `包含` 连用", p.text()),
                    format!("`{}` is a set and only works with `包含` (contains)", p.text()),
                ));
                return err;
            }
            let x = match f {
                Field::Record(r) => ir::Expr::Record(r),
                Field::Subject(s) => ir::Expr::Subject(s),
                Field::AsOf => ir::Expr::AsOf,
                _ => ir::Expr::Scenario,
            };
            return (x, field_ty(f));
        }
        let name = p.text();
        if p.segments.len() > 1 && (name.starts_with("记录.") || name.starts_with("主体.")) {
            let cands: Vec<String> = FIELD_NAMES.iter().map(|s| s.to_string()).collect();
            self.diags.push(resolve::unknown_name("字段", "field", self.file, p.span, &name, &cands));
            return err;
        }
        match expected {
            Some(Ty::Code(v)) => {
                let v = v.clone();
                match self.vocab_code(e, &v) {
                    Some(c) => (ir::Expr::Code(c), Ty::Code(v)),
                    None => err,
                }
            }
            // `是`/`否` as a condition: a measure that never applies by itself (`适用: 否`, a catalogue entry).
            Some(Ty::Bool) if name == "是" || name == "否" => (ir::Expr::Bool(name == "是"), Ty::Bool),
            Some(t) if *t != Ty::Bool && *t != Ty::Unknown => {
                let (z, en) = t.name();
                self.diags.push(diag::error(
                    "E0401",
                    self.file,
                    p.span,
                    format!("类型不符：应为{z}，`{name}` 不是{z}"),
                    format!("type mismatch: expected {en}, `{name}` is not one"),
                ));
                err
            }
            _ => {
                // A bare name where no vocabulary is in view: most likely a list used without `在`, or a typo.
                let mut cands: Vec<String> = FIELD_NAMES.iter().map(|s| s.to_string()).collect();
                cands.extend(self.lists.keys().cloned());
                let mut d = resolve::unknown_name("名称", "name", self.file, p.span, &name, &cands);
                if self.lists.contains_key(&name) {
                    d = d.with_help(format!("引用名单须写 `在 {name}`"), format!("to test a list write `在 {name}`"));
                }
                self.diags.push(d);
                err
            }
        }
    }

    fn binary(&mut self, e: &Expr, op: BinaryOp, lhs: &Expr, rhs: &Expr, record: bool) -> (ir::Expr, Ty) {
        let err = (ir::Expr::Bool(false), Ty::Unknown);
        match op {
            BinaryOp::And | BinaryOp::Or => {
                let (a, ta) = self.expr(lhs, Some(&Ty::Bool), record);
                self.expect_ty(lhs, &ta, &Ty::Bool);
                let (b, tb) = self.expr(rhs, Some(&Ty::Bool), record);
                self.expect_ty(rhs, &tb, &Ty::Bool);
                let and = op == BinaryOp::And;
                let mut parts = Vec::new();
                for x in [a, b] {
                    match x {
                        ir::Expr::And(v) if and => parts.extend(v),
                        ir::Expr::Or(v) if !and => parts.extend(v),
                        x => parts.push(x),
                    }
                }
                (if and { ir::Expr::And(parts) } else { ir::Expr::Or(parts) }, Ty::Bool)
            }
            BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Gt | BinaryOp::Ge | BinaryOp::Lt | BinaryOp::Le => {
                // Type the side that fixes the type first, so a bare value resolves in its vocabulary.
                let swap = Self::is_bare(lhs) && !Self::is_bare(rhs);
                let (first, second) = if swap { (rhs, lhs) } else { (lhs, rhs) };
                let (a, ta) = self.expr(first, None, record);
                // One error per comparison: a bare value has nothing to resolve against after a failed side.
                if ta == Ty::Unknown && Self::is_bare(second) {
                    return err;
                }
                let (b, tb) = self.expr(second, Some(&ta), record);
                if !ta.compatible(&tb) {
                    self.mismatch(second.span, &ta, &tb);
                    return err;
                }
                let ordered = !matches!(op, BinaryOp::Eq | BinaryOp::Ne);
                if ordered && !matches!(ta, Ty::Int | Ty::Num | Ty::Date | Ty::Unknown) {
                    let (z, en) = ta.name();
                    self.diags.push(diag::error(
                        "E0401",
                        self.file,
                        e.span,
                        format!("{z}不能比较大小"),
                        format!("{en} values cannot be ordered"),
                    ));
                    return err;
                }
                if matches!(ta, Ty::Str) || matches!(tb, Ty::Str) {
                    self.mismatch(second.span, &ta, &Ty::Str);
                    return err;
                }
                let mut cmp = match op {
                    BinaryOp::Eq => ir::CmpOp::Eq,
                    BinaryOp::Ne => ir::CmpOp::Ne,
                    BinaryOp::Gt => ir::CmpOp::Gt,
                    BinaryOp::Ge => ir::CmpOp::Ge,
                    BinaryOp::Lt => ir::CmpOp::Lt,
                    _ => ir::CmpOp::Le,
                };
                // After a swap `a` is the original right side; flipping the operator keeps the meaning.
                if swap {
                    cmp = flip(cmp);
                }
                (ir::Expr::Cmp(cmp, Box::new(a), Box::new(b)), Ty::Bool)
            }
            BinaryOp::In | BinaryOp::NotIn => {
                let (a, ta) = self.expr(lhs, None, record);
                let Ty::Code(vocab) = ta.clone() else {
                    if ta != Ty::Unknown {
                        let (z, en) = ta.name();
                        self.diags.push(diag::error(
                            "E0401",
                            self.file,
                            lhs.span,
                            format!("`属于` 的左边应为词表值，实为{z}"),
                            format!("the left of `属于` must be a vocabulary value, found {en}"),
                        ));
                    }
                    return err;
                };
                let codes = self.code_list(rhs, &vocab);
                let x = ir::Expr::InSet(Box::new(a), codes);
                (if op == BinaryOp::NotIn { ir::Expr::Not(Box::new(x)) } else { x }, Ty::Bool)
            }
            BinaryOp::Contains => {
                let field = match &lhs.kind {
                    ExprKind::Path(p) => field_of(p),
                    _ => None,
                };
                match field {
                    Some(Field::Flags) => {
                        if !record {
                            self.diags.push(diag::error(
                                "E0402",
                                self.file,
                                lhs.span,
                                "记录字段 `记录.标志` 只能用在记录条件中",
                                "record field `记录.标志` is only allowed in a record predicate",
                            ));
                            return err;
                        }
                        let mask = self
                            .code_list(rhs, vn::FLAG)
                            .iter()
                            .fold(0u64, |m, &c| if (0..64).contains(&c) { m | (1u64 << c) } else { m });
                        (ir::Expr::RecordHasFlags(mask), Ty::Bool)
                    }
                    Some(Field::Roles) => {
                        let mask = self
                            .code_list(rhs, vn::ROLE)
                            .iter()
                            .fold(0u32, |m, &c| if (0..32).contains(&c) { m | (1u32 << c) } else { m });
                        (ir::Expr::HasRole(mask), Ty::Bool)
                    }
                    _ => {
                        self.diags.push(diag::error(
                            "E0406",
                            self.file,
                            lhs.span,
                            "`包含` 只能用于 `记录.标志` 或 `主体.角色`",
                            "`包含` (contains) only applies to `记录.标志` or `主体.角色`",
                        ));
                        err
                    }
                }
            }
            BinaryOp::Range | BinaryOp::When => {
                let (z, en) = if op == BinaryOp::Range { ("至", "to") } else { ("当", "when") };
                self.diags.push(diag::error(
                    "E0405",
                    self.file,
                    e.span,
                    format!("`{z}` 不能用在这里"),
                    format!("`{en}` is not allowed here"),
                ));
                err
            }
        }
    }

    /// A `[a, b]` list (or one value) of vocabulary values as codes.
    fn code_list(&mut self, e: &Expr, vocab: &str) -> Vec<i32> {
        let items: Vec<&Expr> = match &e.kind {
            ExprKind::List(v) => v.iter().collect(),
            _ => vec![e],
        };
        items.into_iter().filter_map(|v| self.vocab_code(v, vocab)).collect()
    }
}

fn flip(op: ir::CmpOp) -> ir::CmpOp {
    match op {
        ir::CmpOp::Gt => ir::CmpOp::Lt,
        ir::CmpOp::Ge => ir::CmpOp::Le,
        ir::CmpOp::Lt => ir::CmpOp::Gt,
        ir::CmpOp::Le => ir::CmpOp::Ge,
        other => other,
    }
}
