//! Editor queries, for the language server and other tools: the names a unit defines (items and vocabulary
//! values, national ones included), every name a file writes with what kind of name its place expects, where a
//! name is defined and where it is used. Plain types only; no protocol types. Entry points: [`definitions`],
//! [`occurrences`], [`resolve`], [`references`].

use crate::db::Compiler;
use crate::resolve::{BasisRef, value_text};
use crate::typeck::{self, Checked, RuleHead};
use xince_abi::manifest::vocab_names as vn;
use xince_lang::FileId;
use xince_lang::ast::{BinaryOp, Expr, ExprKind, Item, ItemKind, Path, Span};

pub use crate::resolve::Origin;
/// The schema's fields, a field's vocabulary and type in words, and the clauses each item kind accepts.
pub use crate::typeck::{FIELD_NAMES, clause_spec, field_type_name, field_vocab};

/// What a definition defines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DefKind {
    Item(ItemKind),
    /// One value of a `词表` (its `取值`).
    VocabValue {
        vocab: String,
    },
}

/// A name defined somewhere in a unit.
#[derive(Clone, Debug, PartialEq)]
pub struct Definition {
    pub kind: DefKind,
    pub name: String,
    pub file: FileId,
    pub origin: Origin,
    /// Where the name itself is written.
    pub name_span: Span,
    /// The whole item (for a vocabulary value: the `词表` item).
    pub item_span: Span,
}

/// What kind of name a place in the source expects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    Item(ItemKind),
    /// A value of this vocabulary.
    Vocab(String),
    /// A schema field (`记录.类型`, `主体.角色`, `评估日期` …).
    Field,
    /// A `上级` policy id.
    Policy,
    /// A module path after `引用`.
    Module,
    /// The name an item declares (the occurrence is a definition).
    Declaration(ItemKind),
    /// Could be a name of several kinds.
    Any,
}

/// A name written in a file, with what its place expects.
#[derive(Clone, Debug, PartialEq)]
pub struct Occurrence {
    pub name: String,
    pub span: Span,
    pub expect: Expect,
    /// The kind of the item it is written in, and the clause key (empty for an item's own name).
    pub item: ItemKind,
    pub clause: String,
}

/// The vocabulary a clause's values come from, when the clause takes vocabulary values.
pub fn clause_vocab(kind: ItemKind, clause: &str) -> Option<&'static str> {
    match (kind, clause) {
        (_, "场景") => Some(vn::SCENARIO),
        (ItemKind::List, "修复条件") => Some(vn::REPAIR_CONDITION),
        (ItemKind::Measure | ItemKind::Notification, "对象") => Some(vn::ROLE),
        _ => None,
    }
}

/// The item kind a clause's names refer to, when it names items.
pub fn clause_item_kind(kind: ItemKind, clause: &str) -> Option<ItemKind> {
    match (kind, clause) {
        (_, "依据") => Some(ItemKind::Basis),
        (ItemKind::List, "优先于") => Some(ItemKind::List),
        (ItemKind::List, "细化") => Some(ItemKind::List),
        (ItemKind::Measure, "细化") => Some(ItemKind::Measure),
        (ItemKind::Commitment, "措施") => Some(ItemKind::Measure),
        _ => None,
    }
}

/// Every name the items of one file write, in source order.
pub fn occurrences(items: &[Item]) -> Vec<Occurrence> {
    let mut out = Vec::new();
    for item in items {
        if let Some(name) = &item.name {
            let expect = match item.kind {
                ItemKind::Use => Expect::Module,
                k => Expect::Declaration(k),
            };
            out.push(Occurrence { name: name.text(), span: name.span, expect, item: item.kind, clause: String::new() });
        }
        for clause in &item.clauses {
            let key = clause.key.text.as_str();
            let expect = if item.kind == ItemKind::Policy && key == "上级" {
                Expect::Policy
            } else if let Some(k) = clause_item_kind(item.kind, key) {
                Expect::Item(k)
            } else if let Some(v) = clause_vocab(item.kind, key) {
                Expect::Vocab(v.to_string())
            } else {
                Expect::Any
            };
            for v in &clause.values {
                walk(v, &expect, item.kind, key, &mut out);
            }
        }
    }
    out
}

fn push(out: &mut Vec<Occurrence>, p: &Path, expect: Expect, item: ItemKind, clause: &str) {
    let name = p.text();
    let expect =
        if expect == Expect::Any && typeck::FIELD_NAMES.contains(&name.as_str()) { Expect::Field } else { expect };
    out.push(Occurrence { name, span: p.span, expect, item, clause: clause.to_string() });
}

fn walk(e: &Expr, expect: &Expect, item: ItemKind, clause: &str, out: &mut Vec<Occurrence>) {
    match &e.kind {
        ExprKind::Path(p) => push(out, p, expect.clone(), item, clause),
        ExprKind::OnList(p) => push(out, p, Expect::Item(ItemKind::List), item, clause),
        ExprKind::List(v) => v.iter().for_each(|x| walk(x, expect, item, clause, out)),
        ExprKind::Not(x) => walk(x, expect, item, clause, out),
        ExprKind::Binary { op, lhs, rhs } => {
            let compared =
                matches!(op, BinaryOp::Eq | BinaryOp::Ne | BinaryOp::In | BinaryOp::NotIn | BinaryOp::Contains);
            let field = match &lhs.kind {
                ExprKind::Path(p) if compared => typeck::field_vocab(&p.text()),
                _ => None,
            };
            walk(lhs, &Expect::Any, item, clause, out);
            match field {
                Some(vocab) => walk(rhs, &Expect::Vocab(vocab.to_string()), item, clause, out),
                None => walk(rhs, &Expect::Any, item, clause, out),
            }
        }
        ExprKind::Quantified { condition, within, .. } => {
            walk(condition, &Expect::Any, item, clause, out);
            if let Some(w) = within {
                walk(w, &Expect::Any, item, clause, out);
            }
        }
        _ => {}
    }
}

/// Every name the unit rooted at `root` can see: the items of its files (national rules included, even those
/// the unit does not link) and every vocabulary value.
pub fn definitions(c: &Compiler, root: FileId) -> Vec<Definition> {
    let mut files = c.unit_files(root);
    if files.is_empty() {
        files.push((root, Origin::Own));
    }
    let mut out = Vec::new();
    for (file, origin) in files {
        let Some(parsed) = c.parsed(file) else { continue };
        for item in &parsed.file.items {
            if matches!(item.kind, ItemKind::Use) {
                continue;
            }
            if let Some(name) = &item.name {
                out.push(Definition {
                    kind: DefKind::Item(item.kind),
                    name: name.text(),
                    file,
                    origin,
                    name_span: name.span,
                    item_span: item.span,
                });
            }
            if item.kind == ItemKind::Vocab {
                let vocab = item.name.as_ref().map(Path::text).unwrap_or_default();
                for v in item.clauses.iter().filter(|c| c.key.text == "取值").flat_map(|c| c.values.iter()) {
                    if let Some(text) = value_text(v) {
                        out.push(Definition {
                            kind: DefKind::VocabValue { vocab: vocab.clone() },
                            name: text,
                            file,
                            origin,
                            name_span: v.span,
                            item_span: item.span,
                        });
                    }
                }
            }
        }
    }
    out
}

/// Whether a definition can be what an occurrence names.
pub fn matches(def: &Definition, occ: &Occurrence) -> bool {
    if def.name != occ.name {
        return false;
    }
    match (&occ.expect, &def.kind) {
        (Expect::Item(k) | Expect::Declaration(k), DefKind::Item(d)) => k == d,
        (Expect::Vocab(v), DefKind::VocabValue { vocab }) => v == vocab,
        (Expect::Vocab(_), DefKind::Item(_)) => false,
        (Expect::Item(_) | Expect::Declaration(_), DefKind::VocabValue { .. }) => false,
        (Expect::Policy, DefKind::Item(k)) => *k == ItemKind::Policy,
        (Expect::Field | Expect::Module | Expect::Policy, _) => false,
        (Expect::Any, _) => true,
    }
}

/// The definitions an occurrence names (items before vocabulary values; usually one).
pub fn resolve<'a>(defs: &'a [Definition], occ: &Occurrence) -> Vec<&'a Definition> {
    let mut hits: Vec<&Definition> = defs.iter().filter(|d| matches(d, occ)).collect();
    hits.sort_by_key(|d| matches!(d.kind, DefKind::VocabValue { .. }));
    if let (Expect::Any, Some(first)) = (&occ.expect, hits.first()) {
        let first_is_item = matches!(first.kind, DefKind::Item(_));
        hits.retain(|d| matches!(d.kind, DefKind::Item(_)) == first_is_item);
    }
    hits
}

/// A policy's `编号` → the file and span of its `政策` item name, for `上级` values.
pub fn policy_definition(c: &Compiler, id: &str) -> Option<(FileId, Span)> {
    c.all_files().into_iter().find_map(|f| {
        let parsed = c.parsed(f)?;
        let item = parsed.file.items.iter().find(|i| i.kind == ItemKind::Policy)?;
        let written = item
            .clauses
            .iter()
            .filter(|cl| cl.key.text == "编号")
            .flat_map(|cl| cl.values.iter())
            .find_map(value_text)?;
        (written == id).then(|| (f, item.name.as_ref().map_or(item.keyword_span, |n| n.span)))
    })
}

/// The occurrence under a byte offset of a file, if the offset is on a name.
pub fn occurrence_at(c: &Compiler, file: FileId, offset: u32) -> Option<Occurrence> {
    let parsed = c.parsed(file)?;
    occurrences(&parsed.file.items).into_iter().find(|o| o.span.start <= offset && offset <= o.span.end)
}

/// Every place in the loaded files that names `def` (its own declaration included), file order then source order.
pub fn references(c: &Compiler, def: &Definition) -> Vec<(FileId, Span)> {
    let mut out = Vec::new();
    for f in c.all_files() {
        let Some(parsed) = c.parsed(f) else { continue };
        for occ in occurrences(&parsed.file.items) {
            if occ.name != def.name {
                continue;
            }
            let is_decl = matches!(occ.expect, Expect::Declaration(_));
            if is_decl && !(f == def.file && occ.span == def.name_span) {
                continue;
            }
            if matches(def, &occ) || (f == def.file && occ.span == def.name_span) {
                out.push((f, occ.span));
            }
        }
        if matches!(def.kind, DefKind::VocabValue { .. }) && f == def.file && !out.contains(&(f, def.name_span)) {
            out.push((f, def.name_span));
        }
    }
    out
}

/// Every loaded policy's `编号`, sorted.
pub fn policy_ids(c: &Compiler) -> Vec<String> {
    let mut out: Vec<String> = c
        .all_files()
        .into_iter()
        .filter_map(|f| c.parsed(f))
        .flat_map(|p| p.file.items.iter().filter(|i| i.kind == ItemKind::Policy))
        .flat_map(|i| i.clauses.iter().filter(|cl| cl.key.text == "编号").flat_map(|cl| cl.values.iter()))
        .filter_map(value_text)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// A basis as a rule names it.
#[derive(Clone, Debug, PartialEq)]
pub struct BasisFacts {
    pub name: String,
    /// 文号 (for a local basis written as a string: that string).
    pub document: String,
    pub article: Option<String>,
    /// 效力: 法律 / 行政法规 / … / 未知.
    pub rank: String,
    /// False when the stdlib marks the fact `核实: 否`, and for local documents.
    pub verified: bool,
    /// True for a document string that matches no basis item.
    pub local: bool,
}

/// What the checks know about a definition: a rule's citation and bases, a basis' or regime's document, rank and
/// verification, a vocabulary value's position.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Facts {
    /// (文号, article) the rule cites.
    pub citation: Option<(String, String)>,
    pub bases: Vec<BasisFacts>,
    /// For a basis item: itself; for a regime: its document and verification (rank `""`).
    pub own: Option<BasisFacts>,
    /// For a vocabulary value: its position (0-based) in the vocabulary, i.e. its code.
    pub vocab_index: Option<usize>,
}

fn heads(c: &Checked) -> impl Iterator<Item = &RuleHead> {
    c.lists
        .iter()
        .map(|x| &x.head)
        .chain(c.measures.iter().map(|x| &x.head))
        .chain(c.incentives.iter().map(|x| &x.head))
        .chain(c.notifications.iter().map(|x| &x.head))
        .chain(c.gradings.iter().map(|x| &x.head))
        .chain(c.objections.iter().map(|x| &x.head))
        .chain(c.commitments.iter().map(|x| &x.head))
}

fn basis_facts(c: &Checked, r: &BasisRef) -> Option<BasisFacts> {
    match r {
        BasisRef::Item { article, .. } => c.basis(r).map(|b| BasisFacts {
            name: b.name.clone(),
            document: b.document.clone(),
            article: article.clone().or_else(|| b.article.clone()),
            rank: b.rank.clone(),
            verified: b.verified,
            local: false,
        }),
        BasisRef::Local { document, article, .. } => Some(BasisFacts {
            name: document.clone(),
            document: document.clone(),
            article: article.clone(),
            rank: "未知".into(),
            verified: false,
            local: true,
        }),
    }
}

fn facts_in(c: &Checked, def: &Definition) -> Option<Facts> {
    let mut f = Facts::default();
    match &def.kind {
        DefKind::VocabValue { vocab } => {
            f.vocab_index = Some(c.vocabs.get(vocab)?.iter().position(|v| *v == def.name)?);
        }
        DefKind::Item(ItemKind::Basis) => {
            let b = c.bases.iter().find(|b| b.name == def.name && b.file == def.file)?;
            f.own = Some(BasisFacts {
                name: b.name.clone(),
                document: b.document.clone(),
                article: b.article.clone(),
                rank: b.rank.clone(),
                verified: b.verified,
                local: false,
            });
        }
        DefKind::Item(ItemKind::Regime) => {
            let r = c.regimes.iter().find(|r| r.name == def.name && r.file == def.file)?;
            f.own = Some(BasisFacts {
                name: r.name.clone(),
                document: r.document.clone(),
                article: None,
                rank: String::new(),
                verified: r.verified,
                local: false,
            });
        }
        DefKind::Item(_) => {
            let h = heads(c).find(|h| h.name == def.name && h.file == def.file)?;
            f.citation = h.citation.as_ref().map(|x| (x.document.clone(), x.article.clone()));
            f.bases = h.bases.iter().filter_map(|b| basis_facts(c, b)).collect();
        }
    }
    Some(f)
}

/// What the checks know about `def`, seen from the unit rooted at `root` (a national rule the unit does not link
/// is described by its own module's unit).
pub fn facts(c: &Compiler, root: FileId, def: &Definition) -> Facts {
    [root, def.file]
        .into_iter()
        .filter_map(|f| c.analysis(f))
        .find_map(|a| facts_in(&a.checked, def))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const POLICY: &str = "政策 测试方案 {\n  编号: 测试/方案\n  生效: 2024-01-01\n}\n引用 标准库\n\
        措施 甲 {\n  类别: 惩戒\n  适用: 在 失信被执行人名单 且 存在 记录(记录.类型 == 行政处罚)\n  出处: 第1条\n}\n";

    #[test]
    fn a_list_name_resolves_to_the_national_list_and_a_value_to_its_vocabulary() {
        let mut c = Compiler::new();
        let f = c.set_file("测试.xince", POLICY);
        let defs = definitions(&c, f);
        let at = |needle: &str| POLICY.find(needle).unwrap() as u32 + 1;
        let occ = occurrence_at(&c, f, at("失信被执行人名单")).unwrap();
        assert_eq!(occ.expect, Expect::Item(ItemKind::List));
        let hits = resolve(&defs, &occ);
        assert_eq!(hits.len(), 1);
        assert!(c.is_stdlib(hits[0].file));
        assert_eq!(c.file_name(hits[0].file), "标准库/名单.xince");
        let occ = occurrence_at(&c, f, at("行政处罚")).unwrap();
        assert_eq!(occ.expect, Expect::Vocab("记录类型".into()));
        let hits = resolve(&defs, &occ);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].kind, DefKind::VocabValue { vocab: "记录类型".into() });
        let refs = references(&c, hits[0]);
        assert!(refs.contains(&(f, occ.span)), "{refs:?}");
        assert!(refs.contains(&(hits[0].file, hits[0].name_span)));
        let f = facts(&c, f, hits[0]);
        assert_eq!(f.vocab_index, Some(1), "行政处罚 is the second 记录类型 value");
    }

    #[test]
    fn a_measure_has_its_citation_and_bases() {
        let mut c = Compiler::new();
        let text = POLICY.replace("类别: 惩戒", "类别: 惩戒\n  依据: 全国失信惩戒措施基础清单2021");
        let f = c.set_file("测试.xince", text.as_str());
        let defs = definitions(&c, f);
        let def = defs.iter().find(|d| d.name == "甲").unwrap();
        let facts = facts(&c, f, def);
        assert_eq!(facts.citation.as_ref().map(|c| c.1.as_str()), Some("第1条"));
        assert_eq!(facts.bases.len(), 1);
        assert_eq!(facts.bases[0].name, "全国失信惩戒措施基础清单2021");
        assert!(!facts.bases[0].local);
        assert!(!facts.bases[0].rank.is_empty());
    }

    #[test]
    fn fields_are_recognised() {
        let mut c = Compiler::new();
        let f = c.set_file("测试.xince", POLICY);
        let occ = occurrence_at(&c, f, POLICY.find("记录.类型").unwrap() as u32).unwrap();
        assert_eq!(occ.expect, Expect::Field);
        assert_eq!(typeck::field_vocab(&occ.name), Some("记录类型"));
    }
}
