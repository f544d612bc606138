//! Questions about IR expressions that both engines' users ask: what an expression contains, whether it can
//! fail, whether it reads a list, and which quantifier it is. Pure functions of the IR, so neither engine
//! imports the other for them.

use super::{Duration, Expr, Unit};

/// A record quantifier: `存在 记录(…)` (first matching record only) or `记录数(…)` (every matching record).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Quantifier<'e> {
    pub condition: &'e Expr,
    pub within: Option<Duration>,
    /// True for `Exists`: the scan may stop at the first match.
    pub first_only: bool,
}

impl Expr {
    /// The expressions directly inside this one.
    pub fn children(&self) -> Vec<&Expr> {
        match self {
            Expr::Cmp(_, a, b) => vec![a, b],
            Expr::InSet(a, _) | Expr::Not(a) | Expr::AddDuration(a, _) => vec![a],
            Expr::And(v) | Expr::Or(v) => v.iter().collect(),
            Expr::Exists { condition, .. } | Expr::Count { condition, .. } => vec![condition],
            Expr::Bool(_)
            | Expr::Int(_)
            | Expr::Num(_)
            | Expr::Date(_)
            | Expr::Code(_)
            | Expr::Record(_)
            | Expr::Subject(_)
            | Expr::AsOf
            | Expr::Scenario
            | Expr::RecordHasFlags(_)
            | Expr::HasRole(_)
            | Expr::OnList(_) => vec![],
        }
    }

    /// Calls `f` on this expression and on every expression inside it, outermost first.
    pub fn walk<'e>(&'e self, f: &mut dyn FnMut(&'e Expr)) {
        f(self);
        for c in self.children() {
            c.walk(f);
        }
    }

    /// This expression as a quantifier, if it is one.
    pub fn as_quantifier(&self) -> Option<Quantifier<'_>> {
        match self {
            Expr::Exists { condition, within } => Some(Quantifier { condition, within: *within, first_only: true }),
            Expr::Count { condition, within } => Some(Quantifier { condition, within: *within, first_only: false }),
            _ => None,
        }
    }

    /// Whether the expression reads a list's status anywhere.
    pub fn reads_a_list(&self) -> bool {
        matches!(self, Expr::OnList(_)) || self.children().into_iter().any(Expr::reads_a_list)
    }

    /// Whether the expression is a handful of loads and comparisons that cannot fail: evaluating it where
    /// short-circuit evaluation would not is invisible, and cheaper than a branch.
    pub fn is_cheap(&self) -> bool {
        match self {
            Expr::Exists { .. } | Expr::Count { .. } | Expr::AddDuration(..) => false,
            Expr::And(v) | Expr::Or(v) if v.len() > 4 => false,
            _ => self.children().into_iter().all(Expr::is_cheap),
        }
    }

    /// Whether evaluating the expression can fail: working-day arithmetic (the calendar has a range) is the
    /// only way.
    pub fn can_fail(&self) -> bool {
        let working_days = |d: &Duration| d.unit == Unit::WorkDay;
        let here = match self {
            Expr::AddDuration(_, d) => working_days(d),
            Expr::Exists { within, .. } | Expr::Count { within, .. } => within.as_ref().is_some_and(working_days),
            _ => false,
        };
        here || self.children().into_iter().any(Expr::can_fail)
    }
}
