//! The canonical layout of `.xince` source (`xince fmt`), built from the lexer's token stream so comments
//! survive: one clause per line as `名称: 值`, 2-space indent inside an item, a blank line between items,
//! full-width operators and punctuation written in ASCII (`＞＝` → `>=`, `，` → `, `, `（` → `(`, `“…”` → `"…"`).
//! The enumeration comma `、` stays (it is how a Chinese list of values is written: `轻微、一般、严重`), keywords
//! keep the spelling the drafter chose (`且` or `and`), and dates, durations and citations keep their text.
//!
//! Formatting is idempotent, refuses a file with syntax errors (it would have to guess), and checks its own
//! work: the output must parse to the same tree as the input (spans aside), or [`format`] returns an error
//! instead of a changed policy.

use crate::ast::{Clause, Expr, ExprKind, Item, Path, SourceFile};
use crate::diagnostic::{Diagnostic, Severity};
use crate::lexer::{self, Token, TokenKind};
use std::fmt;

#[derive(Clone, Debug, PartialEq)]
pub enum FormatError {
    /// The source has syntax errors; fix them first (`xince check`).
    Syntax(Vec<Diagnostic>),
    /// The formatted text would not parse to the same tree: a formatter bug, reported rather than written.
    ChangesMeaning,
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormatError::Syntax(d) => write!(
                f,
                "有 {} 个语法错误，未格式化（先运行 xince check）/ {} syntax error(s), not formatted (run xince check first)",
                d.len(),
                d.len()
            ),
            FormatError::ChangesMeaning => write!(
                f,
                "格式化结果与原文语义不同，已放弃（请报告此问题）/ formatting would change the syntax tree; nothing written (please report this)"
            ),
        }
    }
}

impl std::error::Error for FormatError {}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LineKind {
    /// `名单 X {`
    ItemStart,
    /// `}`
    ItemEnd,
    /// A complete top-level item on one line (`引用 标准库`).
    LineItem,
    Clause,
    Comment,
}

struct Line {
    depth: usize,
    kind: LineKind,
    text: String,
}

struct Formatter<'a> {
    src: &'a str,
    toks: Vec<Token>,
    out: Vec<(Option<Line>, bool)>,
    /// The line being built.
    cur: String,
    cur_has_comment: bool,
    last_kind: Option<TokenKind>,
    /// Last code (non-comment, non-newline) token seen.
    last_code: Option<TokenKind>,
    depth: usize,
    /// Inside a clause that continues over a line break (forced by a comment).
    continued: bool,
    clause_open: bool,
    skip_colon: bool,
    pending_blank: bool,
    /// The last pushed line may still take a trailing comment (it was ended by `{` or `}`, not a newline).
    trailing_ok: bool,
}

/// The canonical ASCII text of a token.
fn token_text(kind: TokenKind, text: &str) -> String {
    let fixed = match kind {
        TokenKind::LParen => "(",
        TokenKind::RParen => ")",
        TokenKind::LBracket => "[",
        TokenKind::RBracket => "]",
        TokenKind::Comma if text == "、" => "、",
        TokenKind::Comma => ",",
        TokenKind::Colon => ":",
        TokenKind::EqEq => "==",
        TokenKind::NotEq => "!=",
        TokenKind::Gt => ">",
        TokenKind::Ge => ">=",
        TokenKind::Lt => "<",
        TokenKind::Le => "<=",
        TokenKind::Dot => ".",
        TokenKind::Slash => "/",
        TokenKind::LBrace => "{",
        TokenKind::RBrace => "}",
        TokenKind::Str => return string_text(text),
        TokenKind::LineComment | TokenKind::BlockComment => return text.trim_end().to_string(),
        _ => return text.to_string(),
    };
    fixed.to_string()
}

/// `“…”` and `「…」` become `"…"` when the content has no `"`; the value is the same.
fn string_text(text: &str) -> String {
    let inner = text
        .strip_prefix('“')
        .and_then(|t| t.strip_suffix('”'))
        .or_else(|| text.strip_prefix('「').and_then(|t| t.strip_suffix('」')));
    match inner {
        Some(inner) if !inner.contains('"') => format!("\"{inner}\""),
        _ => text.to_string(),
    }
}

fn space_between(prev: TokenKind, next: TokenKind) -> bool {
    use TokenKind::*;
    if matches!(next, Comma | RParen | RBracket | Dot | Slash | Colon) {
        return false;
    }
    if matches!(prev, LParen | LBracket | Dot | Slash) {
        return false;
    }
    !(prev == Record && next == LParen)
}

impl<'a> Formatter<'a> {
    fn text(&self, t: Token) -> &'a str {
        self.src.get(t.span.range()).unwrap_or("")
    }

    fn append(&mut self, kind: TokenKind, text: &str) {
        let after_dunhao = self.cur.ends_with('、');
        if let Some(prev) = self.last_kind
            && !self.cur.is_empty()
            && !after_dunhao
            && space_between(prev, kind)
        {
            self.cur.push(' ');
        }
        self.cur.push_str(text);
        self.last_kind = Some(kind);
    }

    fn push_line(&mut self, depth: usize, kind: LineKind, text: String) {
        let previous = self.out.iter().rev().find_map(|(l, _)| l.as_ref());
        let blank = match previous {
            None => false,
            Some(_) if kind == LineKind::ItemEnd => false,
            Some(p) if p.kind == LineKind::ItemStart => false,
            Some(p) if depth == 0 => match p.kind {
                LineKind::ItemEnd => true,
                LineKind::LineItem if kind == LineKind::LineItem => self.pending_blank,
                LineKind::LineItem => true,
                _ => self.pending_blank,
            },
            Some(_) => self.pending_blank,
        };
        if blank {
            self.out.push((None, true));
        }
        self.out.push((Some(Line { depth, kind, text }), false));
        self.pending_blank = false;
        self.trailing_ok = false;
    }

    fn flush(&mut self) {
        if self.cur.is_empty() {
            return;
        }
        let text = std::mem::take(&mut self.cur);
        let kind = if self.depth == 0 {
            if text.ends_with('{') { LineKind::ItemStart } else { LineKind::LineItem }
        } else {
            LineKind::Clause
        };
        let depth = self.depth + usize::from(self.continued);
        self.push_line(depth, kind, text);
        self.cur_has_comment = false;
        self.last_kind = None;
    }

    /// The next code token at or after `i`, skipping comments and newlines.
    fn next_code(&self, i: usize) -> Option<TokenKind> {
        self.toks[i..].iter().map(|t| t.kind).find(|k| !k.is_trivia() && *k != TokenKind::Newline)
    }

    fn end_clause(&mut self) {
        self.flush();
        self.continued = false;
        self.clause_open = false;
    }

    fn run(&mut self) {
        let mut i = 0;
        while i < self.toks.len() {
            let tok = self.toks[i];
            match tok.kind {
                TokenKind::Newline => {
                    let mut j = i;
                    while j < self.toks.len() && self.toks[j].kind == TokenKind::Newline {
                        j += 1;
                    }
                    let next = self.next_code(j);
                    let joined = self.clause_open
                        && (self.last_code.is_some_and(TokenKind::continues_after)
                            || next.is_some_and(TokenKind::continues_before));
                    let brace_follows = self.depth == 0 && !self.cur.is_empty() && next == Some(TokenKind::LBrace);
                    if joined || brace_follows {
                        if self.cur_has_comment {
                            self.flush();
                            self.continued = true;
                        }
                    } else {
                        self.end_clause();
                        if j - i >= 2 {
                            self.pending_blank = true;
                        }
                    }
                    self.trailing_ok = false;
                    i = j;
                    continue;
                }
                TokenKind::LineComment | TokenKind::BlockComment => {
                    let text = token_text(tok.kind, self.text(tok));
                    let starts_line = i == 0 || self.toks[i - 1].kind == TokenKind::Newline;
                    if starts_line && !self.cur.is_empty() {
                        // A comment on its own line inside a continued clause keeps its own line.
                        self.flush();
                        self.continued = true;
                    }
                    let own_line = self.cur.is_empty();
                    let next_is_break = self.toks.get(i + 1).is_none_or(|t| t.kind == TokenKind::Newline);
                    if own_line && self.trailing_ok && tok.kind == TokenKind::LineComment {
                        if let Some((Some(line), _)) = self.out.last_mut() {
                            line.text.push(' ');
                            line.text.push_str(&text);
                        }
                    } else if own_line && (tok.kind == TokenKind::LineComment || next_is_break) {
                        let depth = self.depth + usize::from(self.continued);
                        self.push_line(depth, LineKind::Comment, text);
                    } else if tok.kind == TokenKind::LineComment {
                        self.cur.push(' ');
                        self.cur.push_str(&text);
                        self.cur_has_comment = true;
                    } else {
                        // An inline block comment stays in place, with a space on each side.
                        if !self.cur.is_empty() {
                            self.cur.push(' ');
                        }
                        self.cur.push_str(&text);
                        self.last_kind = Some(TokenKind::Comma);
                    }
                }
                TokenKind::LBrace => {
                    self.append(tok.kind, "{");
                    self.flush();
                    self.depth += 1;
                    self.clause_open = false;
                    self.continued = false;
                    self.trailing_ok = true;
                }
                TokenKind::RBrace => {
                    self.end_clause();
                    self.depth = self.depth.saturating_sub(1);
                    self.push_line(self.depth, LineKind::ItemEnd, "}".to_string());
                    self.trailing_ok = true;
                }
                TokenKind::Semi => self.end_clause(),
                TokenKind::Colon if self.skip_colon => self.skip_colon = false,
                kind => {
                    self.skip_colon = false;
                    let text = token_text(kind, self.text(tok));
                    if self.depth >= 1 && !self.clause_open && kind == TokenKind::Ident {
                        // A clause key: always written `名称: 值`.
                        self.append(kind, &text);
                        self.append(TokenKind::Colon, ":");
                        self.skip_colon = true;
                    } else {
                        self.append(kind, &text);
                    }
                    self.clause_open = true;
                    self.last_code = Some(kind);
                }
            }
            if !matches!(tok.kind, TokenKind::LineComment | TokenKind::BlockComment | TokenKind::Newline) {
                self.last_code = Some(tok.kind);
            }
            i += 1;
        }
        self.end_clause();
    }

    fn finish(self) -> String {
        let mut s = String::with_capacity(self.src.len());
        for (line, _) in &self.out {
            if let Some(line) = line {
                s.push_str(&"  ".repeat(line.depth));
                s.push_str(&line.text);
            }
            s.push('\n');
        }
        s
    }
}

fn has_errors(diags: &[Diagnostic]) -> bool {
    diags.iter().any(|d| d.severity == Severity::Error)
}

/// The canonical layout of `source`.
pub fn format(source: &str) -> Result<String, FormatError> {
    let before = crate::parse(0, source);
    if has_errors(&before.diagnostics) {
        return Err(FormatError::Syntax(
            before.diagnostics.into_iter().filter(|d| d.severity == Severity::Error).collect(),
        ));
    }
    let mut f = Formatter {
        src: source,
        toks: lexer::lex(source),
        out: Vec::new(),
        cur: String::new(),
        cur_has_comment: false,
        last_kind: None,
        last_code: None,
        depth: 0,
        continued: false,
        clause_open: false,
        skip_colon: false,
        pending_blank: false,
        trailing_ok: false,
    };
    f.run();
    let text = f.finish();
    let after = crate::parse(0, &text);
    if has_errors(&after.diagnostics) || !same_file(&before.file, &after.file) {
        return Err(FormatError::ChangesMeaning);
    }
    Ok(text)
}

/// True when `a` and `b` are the same tree, spans aside.
pub fn same_file(a: &SourceFile, b: &SourceFile) -> bool {
    a.items.len() == b.items.len() && a.items.iter().zip(&b.items).all(|(x, y)| same_item(x, y))
}

fn same_item(a: &Item, b: &Item) -> bool {
    a.kind == b.kind
        && match (&a.name, &b.name) {
            (Some(x), Some(y)) => same_path(x, y),
            (None, None) => true,
            _ => false,
        }
        && a.clauses.len() == b.clauses.len()
        && a.clauses.iter().zip(&b.clauses).all(|(x, y)| same_clause(x, y))
}

fn same_clause(a: &Clause, b: &Clause) -> bool {
    a.key.text == b.key.text && same_exprs(&a.values, &b.values)
}

fn same_path(a: &Path, b: &Path) -> bool {
    a.separator == b.separator
        && a.segments.len() == b.segments.len()
        && a.segments.iter().zip(&b.segments).all(|(x, y)| x.text == y.text)
}

fn same_exprs(a: &[Expr], b: &[Expr]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_expr(x, y))
}

fn same_expr(a: &Expr, b: &Expr) -> bool {
    use ExprKind::*;
    match (&a.kind, &b.kind) {
        (Path(x), Path(y)) | (OnList(x), OnList(y)) => same_path(x, y),
        (Str(x), Str(y)) | (Citation(x), Citation(y)) => x == y,
        (Date { year: y1, month: m1, day: d1 }, Date { year: y2, month: m2, day: d2 }) => (y1, m1, d1) == (y2, m2, d2),
        (Duration { amount: a1, unit: u1 }, Duration { amount: a2, unit: u2 }) => a1 == a2 && u1 == u2,
        (Number(x), Number(y)) => x.to_bits() == y.to_bits(),
        (Bool(x), Bool(y)) => x == y,
        (List(x), List(y)) => same_exprs(x, y),
        (Not(x), Not(y)) => same_expr(x, y),
        (Binary { op: o1, lhs: l1, rhs: r1 }, Binary { op: o2, lhs: l2, rhs: r2 }) => {
            o1 == o2 && same_expr(l1, l2) && same_expr(r1, r2)
        }
        (
            Quantified { quantifier: q1, condition: c1, within: w1 },
            Quantified { quantifier: q2, condition: c2, within: w2 },
        ) => {
            q1 == q2
                && same_expr(c1, c2)
                && match (w1, w2) {
                    (Some(x), Some(y)) => same_expr(x, y),
                    (None, None) => true,
                    _ => false,
                }
        }
        (Error, Error) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(s: &str) -> String {
        format(s).unwrap_or_else(|e| panic!("{e}: {:?}", e))
    }

    #[test]
    fn canonical_layout() {
        let src = "// 头注释\n政策 测试 {  编号：测试省/测试县/方案；生效:2024-01-01\n版本规则 从旧兼从轻 }\n引用 标准库\n词表 严重程度 { 取值: 轻微 、 一般，严重 }\n名单 甲名单{\n类别：黑名单\n\n\n  纳入: 记录.严重程度＝＝严重 且\n     记录.领域 属于 【食品药品，生态环境】 // 尾注释\n出处: 第5条\n}\n";
        let out = fmt(src);
        let expected = "// 头注释\n政策 测试 {\n  编号: 测试省/测试县/方案\n  生效: 2024-01-01\n  版本规则: 从旧兼从轻\n}\n\n引用 标准库\n\n词表 严重程度 {\n  取值: 轻微、一般, 严重\n}\n\n名单 甲名单 {\n  类别: 黑名单\n\n  纳入: 记录.严重程度 == 严重 且 记录.领域 属于 [食品药品, 生态环境] // 尾注释\n  出处: 第5条\n}\n";
        assert_eq!(out, expected);
        assert_eq!(fmt(&out), out);
    }

    #[test]
    fn comments_inside_a_continued_clause_keep_their_line() {
        let src = "名单 甲 {\n  纳入: 记录.严重程度 == 严重 且\n    // 第二个条件\n    记录.领域 == 食品药品\n  出处: 第1条\n}\n";
        let out = fmt(src);
        assert!(out.contains("    // 第二个条件\n"), "{out}");
        assert_eq!(fmt(&out), out);
    }

    #[test]
    fn quotes_and_records_normalise() {
        let src = "措施 乙 {\n  实施：“县财政局”、「县税务局」\n  适用: 存在 记录 （记录.类型 == 行政处罚） 近 3年\n  出处: 第2条\n}\n";
        let out = fmt(src);
        assert!(out.contains("  实施: \"县财政局\"、\"县税务局\"\n"), "{out}");
        assert!(out.contains("  适用: 存在 记录(记录.类型 == 行政处罚) 近 3年\n"), "{out}");
    }

    #[test]
    fn trailing_comments_after_braces_stay_on_their_line() {
        let src = "异议 { // 异议处理\n  时限: 5工作日\n} // 结束\n引用 标准库\n";
        let out = fmt(src);
        assert_eq!(out, "异议 { // 异议处理\n  时限: 5工作日\n} // 结束\n\n引用 标准库\n");
    }

    #[test]
    fn syntax_errors_are_refused() {
        assert!(matches!(format("名单 甲 {\n  纳入: (记录.类型 ==\n"), Err(FormatError::Syntax(_))));
    }
}
