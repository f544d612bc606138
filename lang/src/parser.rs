//! A hand-written recursive-descent parser that never gives up: it always returns a [`SourceFile`] and every
//! diagnostic, recovering at clause ends (newline / `;`), at `}` and at the next top-level item keyword.
//!
//! Newlines end clauses, except next to a token that cannot end or begin one: a newline after `(`, `[`, `,`,
//! a binary operator or a prefix keyword (`非 存在 无 计数 近 在`), or before `)`, `]`, `,` or a binary
//! operator, is dropped before parsing (one linear pass), so the grammar below never sees it.
//! `lang/src/xince.pest` states the same rule; `tests/grammar_agreement.rs` keeps the two in step.

use crate::Parsed;
use crate::ast::*;
use crate::diagnostic::{Diagnostic, FileId, FixIt, Label, Severity, Text};
use crate::lexer::{self, Numeric, Token, TokenKind};
use std::collections::HashSet;

/// Deepest expression nesting accepted; deeper input is reported instead of overflowing the stack.
pub const MAX_NESTING: usize = 100;

/// The item kind an item keyword (Chinese or English alias) stands for.
pub fn item_kind(text: &str) -> Option<ItemKind> {
    ItemKind::from_keyword(text)
}

pub fn parse(file: FileId, source: &str) -> Parsed {
    let (tokens, mut diagnostics) = lexer::lex_with_diagnostics(file, source);
    let tokens = significant_tokens(&tokens);
    let mut parser =
        Parser { src: source, file, toks: tokens, pos: 0, diags: Vec::new(), depth: 0, glue_candidates: Vec::new() };
    let items = parser.file();
    parser.glued_keyword_warnings(&items);
    diagnostics.append(&mut parser.diags);
    // Lexing and parsing diagnostics interleave by position, which reads best.
    diagnostics.sort_by_key(|d| d.labels.first().map(|l| l.span.start).unwrap_or(0));
    Parsed { file: SourceFile { items, span: Span::new(0, source.len()) }, diagnostics }
}

/// Drops comments, and newlines that do not end a clause (see the module doc). Linear.
fn significant_tokens(tokens: &[Token]) -> Vec<Token> {
    let code: Vec<Token> = tokens.iter().copied().filter(|t| !t.kind.is_trivia()).collect();
    let mut out = Vec::with_capacity(code.len());
    let mut prev: Option<TokenKind> = None;
    let mut i = 0;
    while i < code.len() {
        let tok = code[i];
        if tok.kind != TokenKind::Newline {
            out.push(tok);
            prev = Some(tok.kind);
            i += 1;
            continue;
        }
        // A run of newlines: keep one unless a neighbour continues the clause.
        let mut j = i;
        while j < code.len() && code[j].kind == TokenKind::Newline {
            j += 1;
        }
        let next = code.get(j).map(|t| t.kind);
        let joined = prev.is_some_and(TokenKind::continues_after) || next.is_some_and(TokenKind::continues_before);
        if !joined {
            out.push(tok);
            prev = Some(TokenKind::Newline);
        }
        i = j;
    }
    out
}

struct Parser<'a> {
    src: &'a str,
    file: FileId,
    toks: Vec<Token>,
    pos: usize,
    diags: Vec<Diagnostic>,
    depth: usize,
    /// First path segments in expressions that might be a keyword glued to a name (`在严重失信主体名单`).
    glue_candidates: Vec<(String, Span)>,
}

/// A parse error inside a clause; the diagnostic was already pushed, the clause recovers.
struct Bail;

type PResult<T> = Result<T, Bail>;

impl<'a> Parser<'a> {
    // ---- token access ----

    fn peek(&self) -> Option<Token> {
        self.toks.get(self.pos).copied()
    }
    fn peek_kind(&self) -> Option<TokenKind> {
        self.peek().map(|t| t.kind)
    }
    fn nth_kind(&self, n: usize) -> Option<TokenKind> {
        self.toks.get(self.pos + n).map(|t| t.kind)
    }
    fn at(&self, kind: TokenKind) -> bool {
        self.peek_kind() == Some(kind)
    }
    fn bump(&mut self) -> Option<Token> {
        let t = self.peek();
        if t.is_some() {
            self.pos += 1;
        }
        t
    }
    fn eat(&mut self, kind: TokenKind) -> Option<Token> {
        if self.at(kind) { self.bump() } else { None }
    }
    fn text(&self, t: Token) -> &'a str {
        self.src.get(t.span.range()).unwrap_or("")
    }
    /// The span to point at for "found …": the current token, or the end of the file.
    fn here(&self) -> Span {
        match self.peek() {
            // Point just after the line's last token rather than across the line break.
            Some(t) if t.kind == TokenKind::Newline => {
                let end = if self.pos == 0 { t.span.start } else { self.prev_end() };
                Span { start: end, end }
            }
            Some(t) => t.span,
            None => Span::new(self.src.len(), self.src.len()),
        }
    }
    fn prev_end(&self) -> u32 {
        self.pos.checked_sub(1).and_then(|i| self.toks.get(i)).map(|t| t.span.end).unwrap_or(0)
    }
    fn at_item_keyword(&self) -> Option<ItemKind> {
        let t = self.peek()?;
        if t.kind == TokenKind::Ident { item_kind(self.text(t)) } else { None }
    }
    fn at_line_start(&self) -> bool {
        self.pos == 0
            || matches!(
                self.toks.get(self.pos - 1).map(|t| t.kind),
                Some(TokenKind::Newline | TokenKind::Semi | TokenKind::RBrace)
            )
    }
    fn at_clause_end(&self) -> bool {
        matches!(self.peek_kind(), None | Some(TokenKind::Newline | TokenKind::Semi | TokenKind::RBrace))
    }

    /// "found `x`" in both languages.
    fn found(&self) -> Text {
        match self.peek() {
            None => Text::new("文件结束", "end of file"),
            Some(t) if t.kind == TokenKind::Newline => Text::new("换行", "end of line"),
            Some(t) => {
                let shown: String = self.text(t).chars().take(20).collect();
                Text::new(format!("`{shown}`"), format!("`{shown}`"))
            }
        }
    }

    fn error(&mut self, code: &'static str, span: Span, message: Text, label: Text, help: Option<Text>) {
        self.diags.push(lexer::error(code, self.file, span, message, label, help));
    }

    // ---- items ----

    fn file(&mut self) -> Vec<Item> {
        let mut items = Vec::new();
        loop {
            while self.eat(TokenKind::Newline).is_some() || self.eat(TokenKind::Semi).is_some() {}
            let Some(tok) = self.peek() else { break };
            if let Some(kind) = self.at_item_keyword() {
                items.push(self.item(kind));
                continue;
            }
            self.top_level_error(tok);
            self.recover_to_item();
        }
        items
    }

    fn top_level_error(&mut self, tok: Token) {
        let found = self.found();
        if tok.kind == TokenKind::RBrace {
            self.error(
                "E0214",
                tok.span,
                Text::new("多余的 `}`", "unmatched `}`"),
                Text::new("没有与之对应的 `{`", "no `{` opens this block"),
                Some(Text::new(
                    "删除这个 `}`，或检查前面的条目是否多写了一个",
                    "remove it, or check the item above for an extra `}`",
                )),
            );
        } else if tok.kind == TokenKind::Error {
            // The lexer already reported it.
        } else {
            let looks_like_clause = tok.kind == TokenKind::Ident && self.nth_kind(1) == Some(TokenKind::Colon);
            let help = if looks_like_clause {
                Text::new("子句须写在条目的花括号 `{ }` 内", "clauses belong inside an item's braces `{ }`")
            } else {
                Text::new(
                    format!("条目以关键词开头：{}", ITEM_KEYWORDS.iter().map(|k| k.zh).collect::<Vec<_>>().join("、")),
                    format!(
                        "an item starts with a keyword: {}",
                        ITEM_KEYWORDS.iter().map(|k| format!("{}/{}", k.zh, k.en)).collect::<Vec<_>>().join(", ")
                    ),
                )
            };
            self.error(
                "E0201",
                tok.span,
                Text::new(
                    format!("此处应为条目关键词，却是 {}", found.zh),
                    format!("expected an item keyword, found {}", found.en),
                ),
                Text::new("不是条目的开头", "not the start of an item"),
                Some(help),
            );
        }
    }

    /// Skips to the next item keyword at the start of a line outside any block.
    fn recover_to_item(&mut self) {
        let mut depth = 0usize;
        self.bump();
        while let Some(t) = self.peek() {
            match t.kind {
                TokenKind::LBrace => depth += 1,
                TokenKind::RBrace => depth = depth.saturating_sub(1),
                _ => {}
            }
            if depth == 0 && self.at_line_start() && self.at_item_keyword().is_some() {
                return;
            }
            self.bump();
        }
    }

    fn item(&mut self, kind: ItemKind) -> Item {
        let Some(kw) = self.bump() else {
            return Item { kind, keyword_span: self.here(), name: None, clauses: Vec::new(), span: self.here() };
        };
        let mut item = Item { kind, keyword_span: kw.span, name: None, clauses: Vec::new(), span: kw.span };
        if matches!(self.peek_kind(), Some(TokenKind::Ident | TokenKind::Record)) {
            match self.path() {
                Ok(p) => {
                    item.span = item.span.to(p.span);
                    item.name = Some(p);
                }
                Err(Bail) => {
                    // Already reported; resume at this line's `{` if there is one.
                    while !self.at_clause_end() && !self.at(TokenKind::LBrace) {
                        self.bump();
                    }
                    if self.at(TokenKind::LBrace) && kind != ItemKind::Use {
                        return self.item_body(item);
                    }
                    self.recover_to_item_from_here();
                    return item;
                }
            }
        }
        if kind == ItemKind::Use {
            if item.name.is_none() {
                let found = self.found();
                self.error(
                    "E0215",
                    self.here(),
                    Text::new(
                        format!("`引用` 后应为模块路径，却是 {}", found.zh),
                        format!("expected a module path after `use`, found {}", found.en),
                    ),
                    Text::new("缺少路径", "missing path"),
                    Some(Text::new("例如 `引用 标准库`", "for example `引用 标准库`")),
                );
                self.skip_line();
            } else if !self.at_clause_end() {
                let found = self.found();
                self.error(
                    "E0215",
                    self.here(),
                    Text::new(
                        format!("`引用` 的路径之后应换行，却是 {}", found.zh),
                        format!("expected end of line after the `use` path, found {}", found.en),
                    ),
                    Text::new("多余的内容", "unexpected here"),
                    Some(Text::new("`引用` 只接一个路径，没有花括号", "`use` takes one path and no braces")),
                );
                self.skip_line();
            }
            return item;
        }
        if item.name.is_none() && kind != ItemKind::Objection {
            let found = self.found();
            self.error(
                "E0202",
                self.here(),
                Text::new(
                    format!("`{}` 条目缺少名称，此处是 {}", self.text(kw), found.zh),
                    format!("`{}` needs a name here, found {}", self.text(kw), found.en),
                ),
                Text::new("此处应为名称", "expected a name"),
                Some(Text::new(
                    format!("写作 `{} 名称 {{ … }}`；只有 `异议` 可以省略名称", kind.keyword()),
                    format!("write `{} NAME {{ … }}`; only `objection` may omit its name", kind.alias()),
                )),
            );
        }
        if !self.at(TokenKind::LBrace) {
            if item.name.is_some() || kind == ItemKind::Objection {
                let found = self.found();
                self.error(
                    "E0203",
                    self.here(),
                    Text::new(
                        format!("此处应为 `{{`，却是 {}", found.zh),
                        format!("expected `{{`, found {}", found.en),
                    ),
                    Text::new("条目的子句须放在花括号内", "an item's clauses go inside braces"),
                    Some(Text::new("在名称后写 `{`，并在同一行开始", "put `{` after the name, on the same line")),
                );
            }
            // Recover: if a `{` follows later on this line, resume there; otherwise skip this item.
            while !self.at_clause_end() && !self.at(TokenKind::LBrace) {
                self.bump();
            }
            if !self.at(TokenKind::LBrace) {
                self.recover_to_item_from_here();
                return item;
            }
        }
        self.item_body(item)
    }

    fn recover_to_item_from_here(&mut self) {
        if self.peek().is_some() && !(self.at_line_start() && self.at_item_keyword().is_some()) {
            self.recover_to_item();
        }
    }

    /// Parses `{ clause* }` starting at the `{`.
    fn item_body(&mut self, mut item: Item) -> Item {
        let Some(open) = self.bump() else { return item };
        loop {
            while self.eat(TokenKind::Newline).is_some() || self.eat(TokenKind::Semi).is_some() {}
            let Some(tok) = self.peek() else {
                self.unclosed_block(&item, open);
                return item;
            };
            match tok.kind {
                TokenKind::RBrace => {
                    self.bump();
                    item.span = item.span.to(tok.span);
                    return item;
                }
                TokenKind::Ident if self.starts_next_item() => {
                    self.unclosed_block(&item, open);
                    return item;
                }
                TokenKind::Ident => {
                    let clause = self.clause();
                    item.span = item.span.to(clause.span);
                    item.clauses.push(clause);
                }
                TokenKind::Error => self.skip_line(),
                _ => {
                    let found = self.found();
                    self.error(
                        "E0206",
                        tok.span,
                        Text::new(format!("此处应为子句名，却是 {}", found.zh), format!("expected a clause name, found {}", found.en)),
                        Text::new("子句以名称开头", "a clause starts with its name"),
                        Some(Text::new(
                            "每个子句写作 `名称: 值`；续行须以运算符或逗号结尾，或以运算符开头",
                            "write each clause as `name: value`; a continued line must end or begin with an operator or a comma",
                        )),
                    );
                    self.skip_line();
                }
            }
        }
    }

    /// Inside a block: an item keyword at the start of a line followed by `NAME {` or `{` means the block
    /// above was not closed.
    fn starts_next_item(&self) -> bool {
        if !self.at_line_start() || self.at_item_keyword().is_none() {
            return false;
        }
        let mut i = self.pos + 1;
        while let Some(t) = self.toks.get(i) {
            match t.kind {
                TokenKind::LBrace => return true,
                TokenKind::Ident | TokenKind::Record | TokenKind::Dot | TokenKind::Slash => i += 1,
                _ => return false,
            }
        }
        false
    }

    fn unclosed_block(&mut self, item: &Item, open: Token) {
        let name = item.name.as_ref().map(|n| n.text()).unwrap_or_default();
        self.diags.push(Diagnostic {
            code: "E0204",
            severity: Severity::Error,
            message: Text::new(
                format!("`{} {}` 的花括号没有闭合", item.kind.keyword(), name),
                format!("unclosed block of `{} {}`", item.kind.alias(), name),
            ),
            labels: vec![
                Label {
                    file: self.file,
                    span: open.span,
                    message: Text::new("这个 `{` 没有对应的 `}`", "this `{` is never closed"),
                    primary: true,
                },
                Label {
                    file: self.file,
                    span: self.here(),
                    message: Text::new("到此仍未闭合", "still open here"),
                    primary: false,
                },
            ],
            help: Some(Text::new("在条目最后一个子句之后补上 `}`", "add `}` after the item's last clause")),
            fixits: Vec::new(),
        });
    }

    fn skip_line(&mut self) {
        while !self.at_clause_end() {
            self.bump();
        }
    }

    // ---- clauses ----

    fn clause(&mut self) -> Clause {
        let key_tok = self.bump().unwrap_or(Token { kind: TokenKind::Ident, span: self.here() });
        let key = Ident { text: self.text(key_tok).to_string(), span: key_tok.span };
        let mut clause = Clause { key, values: Vec::new(), span: key_tok.span };
        if let Some(colon) = self.eat(TokenKind::Colon) {
            clause.span = clause.span.to(colon.span);
        }
        if self.at_clause_end() {
            self.error(
                "E0205",
                clause.key.span,
                Text::new(
                    format!("子句 `{}` 没有值", clause.key.text),
                    format!("clause `{}` has no value", clause.key.text),
                ),
                Text::new("此处缺少值", "value missing"),
                Some(Text::new(
                    "子句写作 `名称: 值`，多个值用逗号分隔",
                    "write `name: value`, several values separated by commas",
                )),
            );
            return clause;
        }
        loop {
            match self.expr() {
                Ok(e) => {
                    clause.span = clause.span.to(e.span);
                    clause.values.push(e);
                }
                Err(Bail) => {
                    let start = self.here();
                    self.skip_line();
                    clause.values.push(Expr { kind: ExprKind::Error, span: start });
                    return clause;
                }
            }
            if self.eat(TokenKind::Comma).is_none() {
                break;
            }
        }
        if !self.at_clause_end() {
            self.unexpected_after_value();
            self.skip_line();
        }
        clause
    }

    fn unexpected_after_value(&mut self) {
        if self.at(TokenKind::Error) {
            return; // the lexer already reported it
        }
        let found = self.found();
        let span = self.here();
        let help = match self.peek_kind() {
            Some(TokenKind::Dot | TokenKind::Slash) => {
                Text::new("路径的各段之间不能有空格：写作 `记录.类型`", "no spaces inside a path: write `记录.类型`")
            }
            Some(TokenKind::Colon) => Text::new(
                "上一行以运算符或逗号结尾，所以本行被当作上一行的续行；请补全上一行",
                "the line above ends with an operator or a comma, so this line was read as its continuation; complete the line above",
            ),
            Some(k) if k.is_binary_operator() => Text::new(
                "比较不能连写：用 `且` 连接两个比较，如 `甲 > 1 且 甲 < 5`",
                "comparisons do not chain: join two with `且`/`and`, e.g. `a > 1 且 a < 5`",
            ),
            _ => Text::new(
                "多个值之间用逗号分隔；关键词与名称之间须有空格；一个子句结束后须换行或写 `;`",
                "separate values with commas; put spaces between keywords and names; end a clause with a newline or `;`",
            ),
        };
        self.error(
            "E0208",
            span,
            Text::new(
                format!("子句的值之后应为换行，却是 {}", found.zh),
                format!("expected end of clause, found {}", found.en),
            ),
            Text::new("多余的内容", "unexpected here"),
            Some(help),
        );
    }

    // ---- expressions ----

    fn expr(&mut self) -> PResult<Expr> {
        self.depth += 1;
        let result = if self.depth > MAX_NESTING {
            self.error(
                "E0213",
                self.here(),
                Text::new("表达式嵌套过深", "expression nested too deeply"),
                Text::new(format!("超过 {MAX_NESTING} 层"), format!("more than {MAX_NESTING} levels")),
                Some(Text::new("把条件拆成几个较小的部分", "split the condition into smaller parts")),
            );
            Err(Bail)
        } else {
            self.when_expr()
        };
        self.depth -= 1;
        result
    }

    fn when_expr(&mut self) -> PResult<Expr> {
        let lhs = self.or_expr()?;
        if self.eat(TokenKind::When).is_some() {
            let rhs = self.or_expr()?;
            return Ok(binary(BinaryOp::When, lhs, rhs));
        }
        Ok(lhs)
    }

    fn or_expr(&mut self) -> PResult<Expr> {
        let mut lhs = self.and_expr()?;
        while self.eat(TokenKind::Or).is_some() {
            let rhs = self.and_expr()?;
            lhs = binary(BinaryOp::Or, lhs, rhs);
        }
        Ok(lhs)
    }

    fn and_expr(&mut self) -> PResult<Expr> {
        let mut lhs = self.not_expr()?;
        while self.eat(TokenKind::And).is_some() {
            let rhs = self.not_expr()?;
            lhs = binary(BinaryOp::And, lhs, rhs);
        }
        Ok(lhs)
    }

    fn not_expr(&mut self) -> PResult<Expr> {
        // `not in` is the comparison operator, never a prefix `not`.
        if self.at(TokenKind::Not) {
            let Some(kw) = self.bump() else { return Err(Bail) };
            self.depth += 1;
            let inner = if self.depth > MAX_NESTING { self.expr() } else { self.not_expr() };
            self.depth -= 1;
            let inner = inner?;
            let span = kw.span.to(inner.span);
            return Ok(Expr { kind: ExprKind::Not(Box::new(inner)), span });
        }
        self.comparison()
    }

    fn comparison_op(&mut self) -> Option<BinaryOp> {
        let op = match self.peek_kind()? {
            TokenKind::EqEq => BinaryOp::Eq,
            TokenKind::NotEq => BinaryOp::Ne,
            TokenKind::Gt => BinaryOp::Gt,
            TokenKind::Ge => BinaryOp::Ge,
            TokenKind::Lt => BinaryOp::Lt,
            TokenKind::Le => BinaryOp::Le,
            TokenKind::In => BinaryOp::In,
            TokenKind::NotIn => BinaryOp::NotIn,
            TokenKind::Contains => BinaryOp::Contains,
            TokenKind::Not if self.nth_kind(1) == Some(TokenKind::In) => {
                self.bump();
                BinaryOp::NotIn
            }
            TokenKind::Assign => {
                let span = self.here();
                self.diags.push(Diagnostic {
                    code: "E0210",
                    severity: Severity::Error,
                    message: Text::new("比较相等应写 `==`", "comparison for equality is `==`"),
                    labels: vec![Label {
                        file: self.file,
                        span,
                        message: Text::new("单个 `=` 不是运算符", "a single `=` is not an operator"),
                        primary: true,
                    }],
                    help: Some(Text::new(
                        "`甲 == 乙` 表示相等，`甲 != 乙` 表示不等",
                        "`a == b` tests equality, `a != b` inequality",
                    )),
                    fixits: vec![FixIt {
                        file: self.file,
                        span,
                        replacement: "==".to_string(),
                        message: Text::new("改为 `==`", "replace with `==`"),
                    }],
                });
                BinaryOp::Eq
            }
            _ => return None,
        };
        self.bump();
        Some(op)
    }

    fn comparison(&mut self) -> PResult<Expr> {
        let lhs = self.range()?;
        if let Some(op) = self.comparison_op() {
            let rhs = self.range()?;
            return Ok(binary(op, lhs, rhs));
        }
        Ok(lhs)
    }

    fn range(&mut self) -> PResult<Expr> {
        let lhs = self.primary()?;
        if self.eat(TokenKind::To).is_some() {
            let rhs = self.primary()?;
            return Ok(binary(BinaryOp::Range, lhs, rhs));
        }
        Ok(lhs)
    }

    fn primary(&mut self) -> PResult<Expr> {
        let Some(tok) = self.peek() else { return Err(self.expected_expression()) };
        let span = tok.span;
        let text = self.text(tok);
        let literal = |kind| Ok(Expr { kind, span });
        match tok.kind {
            TokenKind::Ident | TokenKind::Record => {
                let path = self.path()?;
                if path.segments.len() == 1 && path.segments[0].text.chars().next().is_some_and(|c| !c.is_ascii()) {
                    self.glue_candidates.push((path.segments[0].text.clone(), path.span));
                }
                let span = path.span;
                Ok(Expr { kind: ExprKind::Path(path), span })
            }
            TokenKind::Str => {
                self.bump();
                let inner = strip_quotes(text);
                literal(ExprKind::Str(inner.to_string()))
            }
            TokenKind::Number | TokenKind::Date | TokenKind::Duration => {
                self.bump();
                match lexer::numeric(text) {
                    Ok(Numeric::Number(n)) => literal(ExprKind::Number(n)),
                    Ok(Numeric::Date { year, month, day }) => literal(ExprKind::Date { year, month, day }),
                    Ok(Numeric::Duration { amount, unit }) => literal(ExprKind::Duration { amount, unit }),
                    Err(_) => literal(ExprKind::Error),
                }
            }
            TokenKind::Citation => {
                self.bump();
                literal(ExprKind::Citation(text.to_string()))
            }
            TokenKind::True => {
                self.bump();
                literal(ExprKind::Bool(true))
            }
            TokenKind::False => {
                self.bump();
                literal(ExprKind::Bool(false))
            }
            TokenKind::LParen => {
                self.bump();
                let inner = self.expr()?;
                let close = self.expect_close(TokenKind::RParen, tok)?;
                Ok(Expr { kind: inner.kind, span: span.to(close) })
            }
            TokenKind::LBracket => self.list(tok),
            TokenKind::Exists | TokenKind::No | TokenKind::Count => self.quantified(tok),
            TokenKind::On => {
                self.bump();
                if !matches!(self.peek_kind(), Some(TokenKind::Ident | TokenKind::Record)) {
                    let found = self.found();
                    self.error(
                        "E0216",
                        self.here(),
                        Text::new(
                            format!("`在` 之后应为名单名，却是 {}", found.zh),
                            format!("expected a list name after `on`, found {}", found.en),
                        ),
                        Text::new("此处应为名单名", "expected a list name"),
                        Some(Text::new("写作 `在 严重失信主体名单`", "write `在 严重失信主体名单`")),
                    );
                    return Err(Bail);
                }
                let path = self.path()?;
                let span = span.to(path.span);
                Ok(Expr { kind: ExprKind::OnList(path), span })
            }
            TokenKind::Error => Err(Bail),
            _ => Err(self.expected_expression()),
        }
    }

    fn expected_expression(&mut self) -> Bail {
        let found = self.found();
        let help = match self.peek_kind() {
            Some(TokenKind::Assign) => Some(Text::new("比较相等应写 `==`", "equality is `==`")),
            Some(TokenKind::RBrace | TokenKind::Newline | TokenKind::Semi) | None => {
                Some(Text::new("运算符或逗号之后须接一个值", "an operator or comma must be followed by a value"))
            }
            Some(k) if lexer::keyword_text(k).is_some() => Some(Text::new(
                "关键词不能用作名称；如需文本，请加引号",
                "a keyword cannot be used as a name; quote it to use it as text",
            )),
            _ => None,
        };
        self.error(
            "E0207",
            self.here(),
            Text::new(
                format!("此处应为值或条件，却是 {}", found.zh),
                format!("expected a value or condition, found {}", found.en),
            ),
            Text::new("此处缺少值", "expected a value"),
            help,
        );
        Bail
    }

    fn expect_close(&mut self, close: TokenKind, open: Token) -> PResult<Span> {
        if let Some(t) = self.eat(close) {
            return Ok(t.span);
        }
        let (zh_close, en_close) = if close == TokenKind::RParen { ("`)`", "`)`") } else { ("`]`", "`]`") };
        let found = self.found();
        let here = self.here();
        self.diags.push(Diagnostic {
            code: "E0209",
            severity: Severity::Error,
            message: Text::new(
                format!("此处应为 {zh_close}，却是 {}", found.zh),
                format!("expected {en_close}, found {}", found.en),
            ),
            labels: vec![
                Label {
                    file: self.file,
                    span: here,
                    message: Text::new(format!("应为 {zh_close}"), format!("expected {en_close}")),
                    primary: true,
                },
                Label {
                    file: self.file,
                    span: open.span,
                    message: Text::new("括号从这里开始", "opened here"),
                    primary: false,
                },
            ],
            help: Some(Text::new(
                "补上对应的右括号；括号内的多个值用逗号分隔",
                "add the closing bracket; separate values inside with commas",
            )),
            fixits: Vec::new(),
        });
        Err(Bail)
    }

    fn list(&mut self, open: Token) -> PResult<Expr> {
        self.bump();
        let mut elems = Vec::new();
        self.depth += 1;
        let result = (|| {
            while !self.at(TokenKind::RBracket) {
                elems.push(self.expr()?);
                if self.eat(TokenKind::Comma).is_none() {
                    break;
                }
            }
            self.expect_close(TokenKind::RBracket, open)
        })();
        self.depth -= 1;
        let close = result?;
        Ok(Expr { kind: ExprKind::List(elems), span: open.span.to(close) })
    }

    fn quantified(&mut self, kw: Token) -> PResult<Expr> {
        self.bump();
        let quantifier = match kw.kind {
            TokenKind::Exists => Quantifier::Exists,
            TokenKind::No => Quantifier::None,
            _ => Quantifier::Count,
        };
        let open = match (self.peek_kind(), self.nth_kind(1)) {
            (Some(TokenKind::Record), Some(TokenKind::LParen)) => {
                self.bump();
                self.bump()
            }
            _ => None,
        };
        let Some(open) = open else {
            let found = self.found();
            let kw_text = self.text(kw).to_string();
            self.error(
                "E0211",
                self.here(),
                Text::new(
                    format!("`{kw_text}` 之后应为 `记录(条件)`，却是 {}", found.zh),
                    format!("expected `record(condition)` after `{kw_text}`, found {}", found.en),
                ),
                Text::new("此处应为 `记录(`", "expected `record(`"),
                Some(Text::new(
                    format!("写作 `{kw_text} 记录(记录.类型 == 行政处罚)`"),
                    format!("write `{kw_text} 记录(记录.类型 == 行政处罚)`"),
                )),
            );
            return Err(Bail);
        };
        let condition = self.expr()?;
        let close = self.expect_close(TokenKind::RParen, open)?;
        let mut span = kw.span.to(close);
        let within = if self.eat(TokenKind::Within).is_some() {
            let w = self.primary()?;
            span = span.to(w.span);
            Some(Box::new(w))
        } else {
            None
        };
        Ok(Expr { kind: ExprKind::Quantified { quantifier, condition: Box::new(condition), within }, span })
    }

    /// `a.b.c` or `a/b/c`: segments and separators touch (no spaces), one kind of separator.
    fn path(&mut self) -> PResult<Path> {
        let Some(first) = self.bump() else { return Err(self.expected_expression()) };
        let mut segments = vec![Ident { text: self.text(first).to_string(), span: first.span }];
        let mut separator: Option<PathSeparator> = None;
        while let Some(sep_tok) = self.peek() {
            let sep = match sep_tok.kind {
                TokenKind::Dot => PathSeparator::Dot,
                TokenKind::Slash => PathSeparator::Slash,
                _ => break,
            };
            if sep_tok.span.start != self.prev_end() {
                break; // `a .b`: not part of this path; the caller reports the stray `.`.
            }
            self.bump();
            let next = self.peek();
            let segment_ok = next.is_some_and(|t| {
                matches!(t.kind, TokenKind::Ident | TokenKind::Record) && t.span.start == sep_tok.span.end
            });
            if !segment_ok {
                self.error(
                    "E0212",
                    sep_tok.span,
                    Text::new("路径不完整：分隔符之后缺少名称", "incomplete path: a name must follow the separator"),
                    Text::new("此后应紧跟名称（不能有空格）", "a name must follow directly (no space)"),
                    Some(Text::new(
                        "路径写作 `记录.类型` 或 `重庆市/梁平区`",
                        "paths look like `记录.类型` or `重庆市/梁平区`",
                    )),
                );
                return Err(Bail);
            }
            if separator.is_some_and(|s| s != sep) {
                self.error(
                    "E0212",
                    sep_tok.span,
                    Text::new("路径中混用了 `.` 和 `/`", "a path mixes `.` and `/`"),
                    Text::new("分隔符与前面不同", "different separator from the ones before"),
                    Some(Text::new(
                        "一个路径只用一种分隔符：`a.b.c` 或 `a/b/c`",
                        "use one separator per path: `a.b.c` or `a/b/c`",
                    )),
                );
                return Err(Bail);
            }
            separator = Some(sep);
            if let Some(t) = self.bump() {
                segments.push(Ident { text: self.text(t).to_string(), span: t.span });
            }
        }
        let span = first.span.to(segments.last().map(|s| s.span).unwrap_or(first.span));
        Ok(Path { segments, separator: separator.unwrap_or(PathSeparator::Dot), span })
    }

    // ---- after parsing ----

    /// W0201 for names like `在严重失信主体名单`: a keyword glued to a name declared in this file, or `在` glued
    /// to something that ends in `名单`, or a quantifier glued to `记录`.
    fn glued_keyword_warnings(&mut self, items: &[Item]) {
        if self.glue_candidates.is_empty() {
            return;
        }
        let declared: HashSet<String> = items.iter().filter_map(|i| i.name.as_ref()).map(|n| n.text()).collect();
        for (text, span) in std::mem::take(&mut self.glue_candidates) {
            let known = |rest: &str| {
                declared.contains(rest) || rest == "记录" || (text.starts_with('在') && rest.ends_with("名单"))
            };
            let Some((kw, rest)) = lexer::split_glued_keyword(&text, known) else { continue };
            let kw_span = Span::new(span.start as usize, span.start as usize + kw.len());
            self.diags.push(Diagnostic {
                code: "W0201",
                severity: Severity::Warning,
                message: Text::new(
                    format!("`{text}` 是一个名称；是否漏了空格：`{kw} {rest}`？"),
                    format!("`{text}` is read as one name; did you mean `{kw} {rest}`?"),
                ),
                labels: vec![Label {
                    file: self.file,
                    span,
                    message: Text::new(
                        format!("关键词 `{kw}` 与名称连在一起"),
                        format!("keyword `{kw}` is glued to a name"),
                    ),
                    primary: true,
                }],
                help: Some(Text::new("关键词与名称之间须有空格", "keywords must be separated from names by a space")),
                fixits: vec![FixIt {
                    file: self.file,
                    span: kw_span,
                    replacement: format!("{kw} "),
                    message: Text::new("插入空格", "insert a space"),
                }],
            });
        }
    }
}

fn binary(op: BinaryOp, lhs: Expr, rhs: Expr) -> Expr {
    let span = lhs.span.to(rhs.span);
    Expr { kind: ExprKind::Binary { op, lhs: Box::new(lhs), rhs: Box::new(rhs) }, span }
}

fn strip_quotes(text: &str) -> &str {
    let mut chars = text.chars();
    chars.next();
    chars.next_back();
    chars.as_str()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(src: &str) -> SourceFile {
        let parsed = parse(0, src);
        let errors: Vec<_> = parsed.diagnostics.iter().filter(|d| d.severity == Severity::Error).collect();
        assert!(errors.is_empty(), "unexpected errors for {src:?}: {errors:#?}");
        parsed.file
    }

    fn codes(src: &str) -> Vec<&'static str> {
        parse(0, src).diagnostics.iter().map(|d| d.code).collect()
    }

    fn first_value(src: &str) -> Expr {
        let file = ok(src);
        file.items[0].clauses[0].values[0].clone()
    }

    #[test]
    fn precedence() {
        let e = first_value("名单 a { 纳入: 非 x == 1 且 y 属于 [a, b] 或 z }");
        let ExprKind::Binary { op: BinaryOp::Or, lhs, .. } = e.kind else { panic!("{e:?}") };
        let ExprKind::Binary { op: BinaryOp::And, lhs: not, rhs: inn } = lhs.kind else { panic!() };
        assert!(
            matches!(not.kind, ExprKind::Not(ref inner) if matches!(inner.kind, ExprKind::Binary { op: BinaryOp::Eq, .. }))
        );
        assert!(matches!(inn.kind, ExprKind::Binary { op: BinaryOp::In, .. }));
        let e = first_value("分级 g { 档: A级 当 x 至 y 包含 z }");
        let ExprKind::Binary { op: BinaryOp::When, rhs, .. } = e.kind else { panic!() };
        assert!(
            matches!(rhs.kind, ExprKind::Binary { op: BinaryOp::Contains, ref lhs, .. } if matches!(lhs.kind, ExprKind::Binary { op: BinaryOp::Range, .. }))
        );
    }

    #[test]
    fn quantifiers_on_list_and_not_in() {
        let e = first_value("激励 a { 条件: 无 记录(记录.严重程度 属于 [一般, 严重]) 近 3年 }");
        assert!(matches!(e.kind, ExprKind::Quantified { quantifier: Quantifier::None, within: Some(_), .. }));
        let e = first_value("措施 m { 适用: on 严重失信主体名单 }");
        assert!(matches!(e.kind, ExprKind::OnList(ref p) if p.text() == "严重失信主体名单"));
        let e = first_value("措施 m { 适用: a not in [b] }");
        assert!(matches!(e.kind, ExprKind::Binary { op: BinaryOp::NotIn, .. }));
        let e = first_value("措施 m { 适用: not a in [b] }");
        assert!(matches!(e.kind, ExprKind::Not(_)));
    }

    #[test]
    fn newlines_continue_next_to_operators() {
        let file = ok(
            "名单 a {\n  纳入: x == 1 且\n    y == 2\n    或 z == 3\n  修复条件: 甲,\n    乙\n  列: [\n a,\n b\n ]\n}",
        );
        assert_eq!(file.items[0].clauses.len(), 3);
        assert_eq!(file.items[0].clauses[1].values.len(), 2);
    }

    #[test]
    fn items_names_and_use() {
        let file = ok(
            "引用 标准库\n异议 { 时限: 5工作日; 暂停: 是 }\n政策 p { 编号: 重庆市/梁平区 }\n依据 国办发〔2020〕49号 { 文号: \"国办发〔2020〕49号\" }",
        );
        let kinds: Vec<_> = file.items.iter().map(|i| i.kind).collect();
        assert_eq!(kinds, vec![ItemKind::Use, ItemKind::Objection, ItemKind::Policy, ItemKind::Basis]);
        assert_eq!(file.items[1].clauses.len(), 2);
        assert_eq!(file.items[3].name.as_ref().map(|n| n.text()), Some("国办发〔2020〕49号".to_string()));
    }

    #[test]
    fn recovery_reports_every_error() {
        assert_eq!(codes("名单 a {\n 纳入: == 1\n 期限 3周\n}\n措施 b { 依据: x y }"), vec!["E0207", "E0105", "E0208"]);
        assert_eq!(codes("名单 a {\n 类别: 黑名单\n名单 b {\n 类别: 红名单\n}"), vec!["E0204"]);
        assert_eq!(codes("}\n名单 a { 类别: x }"), vec!["E0214"]);
        assert_eq!(codes("名单 a { 纳入: x = 1 }"), vec!["E0210"]);
        assert_eq!(codes("名单 a { 纳入: 在严重失信主体名单 }"), vec!["W0201"]);
    }

    #[test]
    fn deep_nesting_is_reported_not_overflowed() {
        let src = format!("名单 a {{ 纳入: {}x{} }}", "(".repeat(500), ")".repeat(500));
        assert!(codes(&src).contains(&"E0213"));
        let src = format!("名单 a {{ 纳入: {}x }}", "非 ".repeat(5000));
        assert!(codes(&src).contains(&"E0213"));
    }
}
