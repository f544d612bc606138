//! Names across files. Builds the scope of one compilation unit (a policy with the stdlib modules it uses and
//! the upper-level policies it names by `上级`, or one module), reports duplicates, and answers look-ups with
//! did-you-mean suggestions of the right kind. Entry point: [`Scope::build`].

use crate::diag::{self, DiagExt};
use std::collections::{BTreeMap, BTreeSet};
use xince_lang::ast::{Clause, Expr, ExprKind, Item, ItemKind, Path, Span};
use xince_lang::{Diagnostic, FileId};

/// Where an item of the unit comes from: decides precedence of order and some lints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Origin {
    Stdlib,
    /// An upper-level policy (linked by `上级`).
    Upper,
    /// The file being compiled.
    Own,
}

/// One item of the unit with its file.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub file: FileId,
    pub origin: Origin,
    pub item: Item,
}

impl Entry {
    pub fn name(&self) -> String {
        self.item.name.as_ref().map(Path::text).unwrap_or_default()
    }
    pub fn name_span(&self) -> Span {
        self.item.name.as_ref().map_or(self.item.keyword_span, |p| p.span)
    }
    /// Every clause with this key, in order.
    pub fn clauses<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a Clause> + 'a {
        self.item.clauses.iter().filter(move |c| c.key.text == key)
    }
    pub fn clause(&self, key: &str) -> Option<&Clause> {
        self.item.clauses.iter().find(|c| c.key.text == key)
    }
    /// All values of every clause with this key.
    pub fn values<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a Expr> + 'a {
        self.clauses(key).flat_map(|c| c.values.iter())
    }
}

/// Kinds that share one namespace per kind.
fn kind_key(kind: ItemKind) -> &'static str {
    kind.keyword()
}

/// The linked items of a unit and their names per kind.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Scope {
    pub entries: Vec<Entry>,
    names: BTreeMap<(&'static str, String), usize>,
}

impl Scope {
    /// `files` in load order (stdlib, upper levels farthest first, own file last).
    pub fn build(files: &[(FileId, Origin, &[Item])], diags: &mut Vec<Diagnostic>) -> Scope {
        let mut scope = Scope::default();
        for (file, origin, items) in files {
            for item in items.iter() {
                // `引用` is a directive, `政策`/`模块` headers of linked files are not items of the unit.
                if matches!(item.kind, ItemKind::Use) {
                    continue;
                }
                if matches!(item.kind, ItemKind::Policy | ItemKind::Module) && *origin != Origin::Own {
                    continue;
                }
                let entry = Entry { file: *file, origin: *origin, item: item.clone() };
                let index = scope.entries.len();
                if let Some(name) = item.name.as_ref() {
                    let key = (kind_key(item.kind), name.text());
                    // Same-named `修复制度` items are versions of one regime, told apart by their dates.
                    if let Some(&first) = scope.names.get(&key).filter(|_| item.kind != ItemKind::Regime) {
                        let prev = &scope.entries[first];
                        diags.push(
                            diag::error(
                                "E0302",
                                *file,
                                name.span,
                                format!("重复定义的{}：`{}`", item.kind.keyword(), key.1),
                                format!("duplicate {} `{}`", item.kind.alias(), key.1),
                            )
                            .with_label(prev.file, prev.name_span(), "首次定义在此", "first defined here")
                            .with_help(
                                "给其中一个改名，或删除重复的条目",
                                "rename one of them or remove the duplicate",
                            ),
                        );
                        continue;
                    }
                    scope.names.entry(key).or_insert(index);
                }
                scope.entries.push(entry);
            }
        }
        scope
    }

    pub fn lookup(&self, kind: ItemKind, name: &str) -> Option<&Entry> {
        self.names.get(&(kind_key(kind), name.to_string())).map(|&i| &self.entries[i])
    }

    pub fn index_of(&self, kind: ItemKind, name: &str) -> Option<usize> {
        self.names.get(&(kind_key(kind), name.to_string())).copied()
    }

    pub fn of_kind(&self, kind: ItemKind) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(move |e| e.item.kind == kind)
    }

    pub fn names_of(&self, kind: ItemKind) -> Vec<String> {
        self.of_kind(kind).map(Entry::name).collect()
    }

    /// The values of vocabulary `name` (`词表 name { 取值: … }`), in order.
    pub fn vocab(&self, name: &str) -> Option<Vec<String>> {
        let entry = self.lookup(ItemKind::Vocab, name)?;
        Some(entry.values("取值").filter_map(value_text).collect())
    }

    /// E0301: an unknown name of `kind`, with did-you-mean over the names of that kind and the
    /// missing-space hint.
    pub fn unknown(&self, kind: ItemKind, file: FileId, path: &Path) -> Diagnostic {
        let name = path.text();
        let names = self.names_of(kind);
        unknown_name(kind.keyword(), kind.alias(), file, path.span, &name, &names)
    }
}

/// E0301 for any namespace: `what_zh`/`what_en` name the kind of name expected.
pub fn unknown_name(
    what_zh: &str,
    what_en: &str,
    file: FileId,
    span: Span,
    name: &str,
    candidates: &[String],
) -> Diagnostic {
    let mut d =
        diag::error("E0301", file, span, format!("未定义的{what_zh}：`{name}`"), format!("unknown {what_en} `{name}`"));
    if let Some((kw, rest)) = diag::glued_keyword(name, |n| candidates.iter().any(|c| c == n)) {
        let fixed = format!("{kw} {rest}");
        return d
            .with_help(
                format!("关键词 `{kw}` 与名称之间须有空格：写成 `{fixed}`"),
                format!("put a space between the keyword `{kw}` and the name: `{fixed}`"),
            )
            .with_fixit(file, span, fixed, "插入空格", "insert a space");
    }
    if let Some(best) = diag::did_you_mean(name, candidates.iter().map(String::as_str)) {
        d = d.with_help(format!("是否想写 `{best}`？"), format!("did you mean `{best}`?")).with_fixit(
            file,
            span,
            best.to_string(),
            format!("改为 `{best}`"),
            format!("replace with `{best}`"),
        );
    }
    d
}

/// Text of a simple value: a path or a string.
pub fn value_text(e: &Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Path(p) => Some(p.text()),
        ExprKind::Str(s) => Some(s.clone()),
        _ => None,
    }
}

/// A basis as a `依据` clause names it: an item of the unit, or a document string that matches none
/// (accepted as a local basis of unknown rank; the lints report it).
#[derive(Clone, Debug, PartialEq)]
pub enum BasisRef {
    Item { index: usize, article: Option<String> },
    Local { document: String, article: Option<String>, span: Span },
}

/// Resolves the values of a `依据` clause. A citation right after a basis gives its article.
pub fn resolve_bases(scope: &Scope, file: FileId, values: &[&Expr], diags: &mut Vec<Diagnostic>) -> Vec<BasisRef> {
    let mut out: Vec<BasisRef> = Vec::new();
    for v in values {
        match &v.kind {
            ExprKind::Citation(article) => match out.last_mut() {
                Some(BasisRef::Item { article: a, .. } | BasisRef::Local { article: a, .. }) if a.is_none() => {
                    *a = Some(article.clone());
                }
                _ => diags.push(diag::error(
                    "E0405",
                    file,
                    v.span,
                    "条款引用须跟在依据名称之后",
                    "an article citation must follow a basis name",
                )),
            },
            ExprKind::Path(p) => {
                let name = p.text();
                match find_basis(scope, &name) {
                    Some(index) => out.push(BasisRef::Item { index, article: None }),
                    None => diags.push(scope.unknown(ItemKind::Basis, file, p)),
                }
            }
            ExprKind::Str(s) => match find_basis(scope, s) {
                Some(index) => out.push(BasisRef::Item { index, article: None }),
                None => out.push(BasisRef::Local { document: s.clone(), article: None, span: v.span }),
            },
            ExprKind::Error => {}
            _ => diags.push(diag::error(
                "E0405",
                file,
                v.span,
                "依据应为依据条目名或文件名称（字符串）",
                "a basis is a basis item name or a document string",
            )),
        }
    }
    out
}

/// A basis item by its name, or by its `文号` / `名称`.
fn find_basis(scope: &Scope, text: &str) -> Option<usize> {
    if let Some(i) = scope.index_of(ItemKind::Basis, text) {
        return Some(i);
    }
    scope.entries.iter().position(|e| {
        e.item.kind == ItemKind::Basis
            && ["文号", "名称"].iter().any(|k| e.values(k).filter_map(value_text).any(|t| t == text))
    })
}

/// Every name an item mentions in its clause values (each path's full text and its last segment).
fn mentioned_names(item: &Item, out: &mut BTreeSet<String>) {
    fn walk(e: &xince_lang::ast::Expr, out: &mut BTreeSet<String>) {
        use xince_lang::ast::ExprKind as K;
        let mut path = |p: &xince_lang::ast::Path| {
            out.insert(p.text());
            if let Some(last) = p.segments.last() {
                out.insert(last.text.clone());
            }
        };
        match &e.kind {
            K::Path(p) | K::OnList(p) => path(p),
            K::List(v) => v.iter().for_each(|x| walk(x, out)),
            K::Not(x) => walk(x, out),
            K::Binary { lhs, rhs, .. } => {
                walk(lhs, out);
                walk(rhs, out);
            }
            K::Quantified { condition, within, .. } => {
                walk(condition, out);
                if let Some(w) = within {
                    walk(w, out);
                }
            }
            _ => {}
        }
    }
    for clause in &item.clauses {
        clause.values.iter().for_each(|v| walk(v, out));
    }
}

/// The national layer is a library: its rules (lists, measures, …) join a policy only when the policy, an
/// upper level, or a rule already joined refers to them by name (`在 X`, `细化 X`, `优先于 X`, `措施 X`).
/// Vocabularies, bases and regimes are always in scope. Without this, every module would carry — and every
/// policy would be linted for — national rules it never uses.
pub fn prune_unreferenced_stdlib_rules(
    files: &[(FileId, Origin, &xince_lang::Parsed)],
) -> Vec<(FileId, Origin, Vec<Item>)> {
    let mut referenced = BTreeSet::new();
    for (_, origin, parsed) in files {
        if *origin != Origin::Stdlib {
            parsed.file.items.iter().for_each(|item| mentioned_names(item, &mut referenced));
        }
    }
    let mut kept: BTreeSet<(usize, usize)> = BTreeSet::new();
    loop {
        let mut grew = false;
        for (fi, (_, origin, parsed)) in files.iter().enumerate() {
            if *origin != Origin::Stdlib {
                continue;
            }
            for (ii, item) in parsed.file.items.iter().enumerate() {
                let named = item.name.as_ref().is_some_and(|n| referenced.contains(&n.text()));
                if item.kind.is_rule() && named && kept.insert((fi, ii)) {
                    mentioned_names(item, &mut referenced);
                    grew = true;
                }
            }
        }
        if !grew {
            break;
        }
    }
    files
        .iter()
        .enumerate()
        .map(|(fi, (file, origin, parsed))| {
            let items = parsed
                .file
                .items
                .iter()
                .enumerate()
                .filter(|(ii, item)| *origin != Origin::Stdlib || !item.kind.is_rule() || kept.contains(&(fi, *ii)))
                .map(|(_, item)| item.clone())
                .collect();
            (*file, *origin, items)
        })
        .collect()
}
