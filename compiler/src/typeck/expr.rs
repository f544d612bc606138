//! Conditions: record and subject fields, vocabulary values as codes, types, and their IR.

use super::items::values_span;
use super::model::*;
use crate::diag::{self, DiagExt};
use crate::ir;
use crate::resolve::{self, Entry, Scope, value_text};
use std::collections::BTreeMap;
use xince_abi::date::{CivilDate, DayNumber};
use xince_abi::manifest::vocab_names as vn;
use xince_lang::ast::{BinaryOp, DurationUnit, Expr, ExprKind, ItemKind, Path, Quantifier, Span};
use xince_lang::{Diagnostic, FileId};

/// Schema fields.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Field {
    Record(ir::RecordField),
    Flags,
    Subject(ir::SubjectField),
    Roles,
    AsOf,
    Scenario,
}

pub(super) fn field_of(path: &Path) -> Option<Field> {
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

/// The schema fields a condition may name.
pub const FIELD_NAMES: [&str; 13] = [
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

/// The vocabulary whose values a schema field is compared with (`记录.类型` → `记录类型`), if any.
pub fn field_vocab(field: &str) -> Option<&'static str> {
    Some(match field {
        "记录.类型" => vn::RECORD_TYPE,
        "记录.领域" => vn::DOMAIN,
        "记录.严重程度" => vn::SEVERITY,
        "记录.等级" => vn::GRADE,
        "记录.程序" => vn::PROCEDURE,
        "记录.标志" => vn::FLAG,
        "主体.类型" => vn::SUBJECT_KIND,
        "主体.行业" => vn::SECTOR,
        "主体.角色" => vn::ROLE,
        "场景" => vn::SCENARIO,
        _ => return None,
    })
}

/// The type of a schema field in words (zh, en), if `field` is one.
pub fn field_type_name(field: &str) -> Option<(String, String)> {
    let segments: Vec<xince_lang::ast::Ident> =
        field.split('.').map(|s| xince_lang::ast::Ident { text: s.to_string(), span: Span::default() }).collect();
    let path = Path { segments, separator: xince_lang::ast::PathSeparator::Dot, span: Span::default() };
    Some(match field_of(&path)? {
        Field::Flags => (format!("词表值集合({})", vn::FLAG), format!("set of Code({})", vn::FLAG)),
        Field::Roles => (format!("词表值集合({})", vn::ROLE), format!("set of Code({})", vn::ROLE)),
        other => field_ty(other).name(),
    })
}

pub(super) fn field_ty(f: Field) -> Ty {
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
pub(super) struct Cx<'a> {
    pub(super) scope: &'a Scope,
    pub(super) vocabs: &'a BTreeMap<String, Vec<String>>,
    pub(super) lists: &'a BTreeMap<String, usize>,
    /// Index of the list whose criterion is being checked: only earlier lists may be named.
    pub(super) current_list: Option<usize>,
    pub(super) file: FileId,
    pub(super) diags: Vec<Diagnostic>,
}

impl Cx<'_> {
    pub(super) fn bad_choice(&mut self, v: &Expr, clause: &str, got: &str, options: &[&str]) {
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

    pub(super) fn mismatch(&mut self, span: Span, expected: &Ty, found: &Ty) {
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

    pub(super) fn expect_ty(&mut self, e: &Expr, found: &Ty, expected: &Ty) {
        if !found.compatible(expected) {
            self.mismatch(e.span, expected, found);
        }
    }

    pub(super) fn yes_no(&mut self, v: &Expr) -> bool {
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

    pub(super) fn date(&mut self, v: &Expr) -> Option<DayNumber> {
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

    pub(super) fn duration(&mut self, v: &Expr) -> Option<ir::Duration> {
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
    pub(super) fn codes_named(&mut self, e: &Entry, clause: &str, vocab: &str) -> Vec<(String, i32)> {
        let mut out = Vec::new();
        for v in e.values(clause) {
            if let Some(c) = self.vocab_code(v, vocab) {
                out.push((value_text(v).unwrap_or_default(), c));
            }
        }
        out
    }

    pub(super) fn vocab_code(&mut self, v: &Expr, vocab: &str) -> Option<i32> {
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
    pub(super) fn condition_clause(
        &mut self,
        e: &Entry,
        clause: &str,
        record: bool,
        texts: &Texts,
    ) -> (ir::Expr, String) {
        match e.clause(clause) {
            Some(c) => (self.conj(&c.values, record), slice(texts, e.file, values_span(&c.values, c.span))),
            None => (ir::Expr::Bool(false), String::new()),
        }
    }

    pub(super) fn conj(&mut self, values: &[Expr], record: bool) -> ir::Expr {
        let mut parts = Vec::new();
        for v in values {
            let (x, t) = self.expr(v, Some(&Ty::Bool), record);
            self.expect_ty(v, &t, &Ty::Bool);
            parts.push(x);
        }
        if parts.len() == 1 { parts.remove(0) } else { ir::Expr::And(parts) }
    }

    pub(super) fn is_bare(e: &Expr) -> bool {
        matches!(&e.kind, ExprKind::Path(p) if field_of(p).is_none()) || matches!(e.kind, ExprKind::Str(_))
    }

    /// Types `e`, in a record predicate when `record`. `expected` only steers how bare names resolve.
    pub(super) fn expr(&mut self, e: &Expr, expected: Option<&Ty>, record: bool) -> (ir::Expr, Ty) {
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

    pub(super) fn path(&mut self, e: &Expr, p: &Path, expected: Option<&Ty>, record: bool) -> (ir::Expr, Ty) {
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

    pub(super) fn binary(&mut self, e: &Expr, op: BinaryOp, lhs: &Expr, rhs: &Expr, record: bool) -> (ir::Expr, Ty) {
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
    pub(super) fn code_list(&mut self, e: &Expr, vocab: &str) -> Vec<i32> {
        let items: Vec<&Expr> = match &e.kind {
            ExprKind::List(v) => v.iter().collect(),
            _ => vec![e],
        };
        items.into_iter().filter_map(|v| self.vocab_code(v, vocab)).collect()
    }
}

pub(super) fn flip(op: ir::CmpOp) -> ir::CmpOp {
    match op {
        ir::CmpOp::Gt => ir::CmpOp::Lt,
        ir::CmpOp::Ge => ir::CmpOp::Le,
        ir::CmpOp::Lt => ir::CmpOp::Gt,
        ir::CmpOp::Le => ir::CmpOp::Ge,
        other => other,
    }
}
