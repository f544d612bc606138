//! The syntax tree. Every node carries the byte span of its source text. The tree is generic on purpose —
//! items of a kind hold clauses keyed by name — so the parser never needs to know which clause belongs where;
//! the compiler checks that (and gives the better error, with the item in view).

use serde::Serialize;

/// Byte range `[start, end)` in one source file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start: start as u32, end: end as u32 }
    }
    pub fn to(self, other: Span) -> Span {
        Span { start: self.start.min(other.start), end: self.end.max(other.end) }
    }
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SourceFile {
    pub items: Vec<Item>,
    pub span: Span,
}

/// The kind of an item, from its leading keyword.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum ItemKind {
    Policy,
    Module,
    Use,
    Vocab,
    Basis,
    Regime,
    List,
    Measure,
    Incentive,
    Grading,
    Notification,
    Objection,
    Commitment,
}

/// An item keyword: its kind, the Chinese keyword and its English alias.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ItemKeyword {
    pub kind: ItemKind,
    pub zh: &'static str,
    pub en: &'static str,
}

/// The one table of item keywords, in the order the docs list them. The parser, the formatter and the
/// messages read it; `lang/tests/grammar_agreement.rs` checks that the pest grammar (`src/xince.pest`) and
/// `docs/language.md` name exactly these.
pub const ITEM_KEYWORDS: [ItemKeyword; 13] = [
    ItemKeyword { kind: ItemKind::Policy, zh: "政策", en: "policy" },
    ItemKeyword { kind: ItemKind::Module, zh: "模块", en: "module" },
    ItemKeyword { kind: ItemKind::Use, zh: "引用", en: "use" },
    ItemKeyword { kind: ItemKind::Vocab, zh: "词表", en: "vocab" },
    ItemKeyword { kind: ItemKind::Basis, zh: "依据", en: "basis" },
    ItemKeyword { kind: ItemKind::Regime, zh: "修复制度", en: "regime" },
    ItemKeyword { kind: ItemKind::List, zh: "名单", en: "list" },
    ItemKeyword { kind: ItemKind::Measure, zh: "措施", en: "measure" },
    ItemKeyword { kind: ItemKind::Incentive, zh: "激励", en: "incentive" },
    ItemKeyword { kind: ItemKind::Grading, zh: "分级", en: "grading" },
    ItemKeyword { kind: ItemKind::Notification, zh: "通报", en: "notify" },
    ItemKeyword { kind: ItemKind::Objection, zh: "异议", en: "objection" },
    ItemKeyword { kind: ItemKind::Commitment, zh: "承诺", en: "commitment" },
];

impl ItemKind {
    /// The canonical Chinese keyword.
    pub fn keyword(self) -> &'static str {
        ITEM_KEYWORDS.iter().find(|k| k.kind == self).map_or("", |k| k.zh)
    }

    /// The item kind a keyword (Chinese, or its English alias) stands for.
    pub fn from_keyword(text: &str) -> Option<ItemKind> {
        ITEM_KEYWORDS.iter().find(|k| k.zh == text || k.en == text).map(|k| k.kind)
    }

    /// Rules produce entries in a decision and must carry `出处`; the other items are declarations.
    pub fn is_rule(self) -> bool {
        matches!(
            self,
            ItemKind::List
                | ItemKind::Measure
                | ItemKind::Incentive
                | ItemKind::Grading
                | ItemKind::Notification
                | ItemKind::Objection
                | ItemKind::Commitment
        )
    }

    /// The English alias.
    pub fn alias(self) -> &'static str {
        match self {
            ItemKind::Policy => "policy",
            ItemKind::Module => "module",
            ItemKind::Use => "use",
            ItemKind::Vocab => "vocab",
            ItemKind::Basis => "basis",
            ItemKind::Regime => "regime",
            ItemKind::List => "list",
            ItemKind::Measure => "measure",
            ItemKind::Incentive => "incentive",
            ItemKind::Grading => "grading",
            ItemKind::Notification => "notify",
            ItemKind::Objection => "objection",
            ItemKind::Commitment => "commitment",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Item {
    pub kind: ItemKind,
    pub keyword_span: Span,
    /// The item's name; for `引用` the imported path; absent only where the grammar allows (`异议`) or after an error.
    pub name: Option<Path>,
    pub clauses: Vec<Clause>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Ident {
    pub text: String,
    pub span: Span,
}

/// `a.b.c` or `重庆市/巫山县`; `segments` never empty.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Path {
    pub segments: Vec<Ident>,
    pub separator: PathSeparator,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum PathSeparator {
    Dot,
    Slash,
}

impl Path {
    pub fn text(&self) -> String {
        let sep = match self.separator {
            PathSeparator::Dot => ".",
            PathSeparator::Slash => "/",
        };
        self.segments.iter().map(|s| s.text.as_str()).collect::<Vec<_>>().join(sep)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Clause {
    pub key: Ident,
    pub values: Vec<Expr>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum DurationUnit {
    Day,
    Month,
    Year,
    WorkDay,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    In,
    NotIn,
    Contains,
    /// `甲 至 乙`
    Range,
    /// `值 当 条件`
    When,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Quantifier {
    /// `存在 记录(…)`
    Exists,
    /// `无 记录(…)`
    None,
    /// `计数 记录(…)`
    Count,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum ExprKind {
    Path(Path),
    Str(String),
    /// Year, month, day as written (validated by the parser: an impossible date is a diagnostic).
    Date {
        year: i32,
        month: u32,
        day: u32,
    },
    Duration {
        amount: u32,
        unit: DurationUnit,
    },
    Number(f64),
    /// `第5条`, `第十九条`, `第6条第2款` — the text as written.
    Citation(String),
    Bool(bool),
    List(Vec<Expr>),
    Not(Box<Expr>),
    Binary {
        op: BinaryOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    Quantified {
        quantifier: Quantifier,
        condition: Box<Expr>,
        within: Option<Box<Expr>>,
    },
    /// `在 名单名`
    OnList(Path),
    /// Placeholder where the parser recovered from an error (a diagnostic was already emitted).
    Error,
}
