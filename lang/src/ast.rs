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

impl ItemKind {
    /// The canonical Chinese keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            ItemKind::Policy => "政策",
            ItemKind::Module => "模块",
            ItemKind::Use => "引用",
            ItemKind::Vocab => "词表",
            ItemKind::Basis => "依据",
            ItemKind::Regime => "修复制度",
            ItemKind::List => "名单",
            ItemKind::Measure => "措施",
            ItemKind::Incentive => "激励",
            ItemKind::Grading => "分级",
            ItemKind::Notification => "通报",
            ItemKind::Objection => "异议",
            ItemKind::Commitment => "承诺",
        }
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
