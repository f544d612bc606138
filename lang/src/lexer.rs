//! The lexer: logos turns source text into tokens (comments and newlines included, so a formatter can
//! rebuild the text), then a small pass classifies numeric words (number, date, duration) and reports every
//! lexing problem as a diagnostic. Nothing here panics on any input.
//!
//! Item keywords (`政策`, `名单`, `依据` …) are lexed as identifiers: `依据`, `异议` and `通报` are also clause names
//! inside blocks, so only the parser, which knows the position, can tell the two apart.

use crate::ast::{DurationUnit, Span};
use crate::diagnostic::{Diagnostic, FileId, FixIt, Label, Severity, Text};
use logos::Logos;

/// What a token is. Full-width punctuation maps to the same kind as its ASCII twin.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// Any identifier, including item keywords and clause names.
    Ident,
    // Expression keywords.
    /// `且` `并且` `and`
    And,
    /// `或` `or`
    Or,
    /// `非` `not`
    Not,
    /// `属于` `in`
    In,
    /// `不属于` (English: `not in`, two tokens)
    NotIn,
    /// `包含` `contains`
    Contains,
    /// `当` `when`
    When,
    /// `至` `to`
    To,
    /// `在` `on`
    On,
    /// `存在` `exists`
    Exists,
    /// `无` `no`
    No,
    /// `计数` `count`
    Count,
    /// `近` `within`
    Within,
    /// `记录` `record`
    Record,
    /// `真` `true`
    True,
    /// `假` `false`
    False,
    // Literals.
    Str,
    Number,
    Date,
    Duration,
    /// `第5条`, `第十九条`, `第6条第2款`, `第四章第二节`, `专栏六`, `专栏六第1项`
    Citation,
    // Punctuation.
    LBrace,
    RBrace,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Semi,
    Colon,
    Dot,
    Slash,
    EqEq,
    NotEq,
    Gt,
    Ge,
    Lt,
    Le,
    /// A single `=`: never valid; the parser reports it with a fix-it to `==`.
    Assign,
    Newline,
    LineComment,
    BlockComment,
    /// Text that could not be lexed; a diagnostic was reported for it.
    Error,
}

impl TokenKind {
    /// Comments are kept in the stream for tools; the parser skips them.
    pub fn is_trivia(self) -> bool {
        matches!(self, TokenKind::LineComment | TokenKind::BlockComment)
    }

    /// Tokens after which a newline does not end a clause (the continuation rule; shared by the parser and
    /// the formatter so they cannot disagree).
    pub fn continues_after(self) -> bool {
        self.is_binary_operator()
            || matches!(
                self,
                TokenKind::LParen
                    | TokenKind::LBracket
                    | TokenKind::Comma
                    | TokenKind::Not
                    | TokenKind::Exists
                    | TokenKind::No
                    | TokenKind::Count
                    | TokenKind::Within
                    | TokenKind::On
            )
    }

    /// Tokens before which a newline does not end a clause.
    pub fn continues_before(self) -> bool {
        self.is_binary_operator() || matches!(self, TokenKind::RParen | TokenKind::RBracket | TokenKind::Comma)
    }

    /// Binary operators (both spellings); a newline next to one does not end a clause.
    pub fn is_binary_operator(self) -> bool {
        matches!(
            self,
            TokenKind::And
                | TokenKind::Or
                | TokenKind::In
                | TokenKind::NotIn
                | TokenKind::Contains
                | TokenKind::When
                | TokenKind::To
                | TokenKind::EqEq
                | TokenKind::NotEq
                | TokenKind::Gt
                | TokenKind::Ge
                | TokenKind::Lt
                | TokenKind::Le
        )
    }

    /// A short description for "expected …, found …" messages.
    pub fn describe(self) -> Text {
        let (zh, en) = match self {
            TokenKind::Ident => ("名称", "a name"),
            TokenKind::Str => ("字符串", "a string"),
            TokenKind::Number => ("数", "a number"),
            TokenKind::Date => ("日期", "a date"),
            TokenKind::Duration => ("期间", "a duration"),
            TokenKind::Citation => ("条款引用", "a citation"),
            TokenKind::Newline => ("换行", "end of line"),
            TokenKind::Error => ("无法识别的文本", "unrecognised text"),
            TokenKind::LineComment | TokenKind::BlockComment => ("注释", "a comment"),
            _ => ("", ""),
        };
        Text::new(zh, en)
    }
}

/// One token: its kind and byte span. The text is `&source[span.range()]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Span,
}

/// The raw logos automaton. Numeric words are lexed greedily as one `Numeric` and classified afterwards, so
/// `2024-05-01`, `2024年5月1日`, `3年`, `7个工作日` and malformed ones like `3周` are each one token.
#[derive(Logos, Clone, Copy, Debug, PartialEq, Eq)]
#[logos(skip r"[ \t\r\u{3000}\u{FEFF}]+")]
enum Raw {
    #[regex(r"[\p{XID_Start}_](\p{XID_Continue}|〔[0-9]+〕)*")]
    Ident,
    #[token("且")]
    #[token("并且")]
    #[token("and")]
    And,
    #[token("或")]
    #[token("or")]
    Or,
    #[token("非")]
    #[token("not")]
    Not,
    #[token("属于")]
    #[token("in")]
    In,
    #[token("不属于")]
    NotIn,
    #[token("包含")]
    #[token("contains")]
    Contains,
    #[token("当")]
    #[token("when")]
    When,
    #[token("至")]
    #[token("to")]
    To,
    #[token("在")]
    #[token("on")]
    On,
    #[token("存在")]
    #[token("exists")]
    Exists,
    #[token("无")]
    #[token("no")]
    No,
    #[token("计数")]
    #[token("count")]
    Count,
    #[token("近")]
    #[token("within")]
    Within,
    #[token("记录")]
    #[token("record")]
    Record,
    #[token("真")]
    #[token("true")]
    True,
    #[token("假")]
    #[token("false")]
    False,
    #[regex(r#""[^"\n]*""#)]
    #[regex(r"“[^”\n]*”")]
    #[regex(r"「[^」\n]*」")]
    Str,
    #[regex(r#""[^"\n]*"#)]
    #[regex(r"“[^”\n]*")]
    #[regex(r"「[^」\n]*")]
    UnterminatedStr,
    #[regex(r"[0-9][0-9\p{XID_Continue}.\-]*")]
    Numeric,
    // Segments like 第四章 / 第5条 / 第2款, and 专栏六 (a numbered box in a plan, e.g. seed 003's 专栏六 “信易+”).
    #[regex(
        r"(第[0-9零〇一二三四五六七八九十百千两]+[编章节条款项目]|专栏[0-9零〇一二三四五六七八九十百千两]+)+",
        priority = 10
    )]
    Citation,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token("(")]
    #[token("（")]
    LParen,
    #[token(")")]
    #[token("）")]
    RParen,
    #[token("[")]
    #[token("【")]
    LBracket,
    #[token("]")]
    #[token("】")]
    RBracket,
    #[token(",")]
    #[token("，")]
    #[token("、")]
    Comma,
    #[token(";")]
    #[token("；")]
    Semi,
    #[token(":")]
    #[token("：")]
    Colon,
    #[token(".")]
    Dot,
    #[token("/")]
    Slash,
    #[regex("[=＝][=＝]")]
    EqEq,
    #[regex("[!！][=＝]")]
    NotEq,
    #[regex("[>＞]")]
    Gt,
    #[regex("[>＞][=＝]")]
    Ge,
    #[regex("[<＜]")]
    Lt,
    #[regex("[<＜][=＝]")]
    Le,
    #[regex("[=＝]")]
    Assign,
    #[token("\n")]
    Newline,
    #[regex(r"//[^\n]*", allow_greedy = true)]
    LineComment,
    #[token("/*", block_comment)]
    BlockComment(bool),
}

/// Consumes a block comment body; returns whether it was closed.
fn block_comment(lex: &mut logos::Lexer<Raw>) -> bool {
    let rest = lex.remainder();
    match rest.find("*/") {
        Some(end) => {
            lex.bump(end + 2);
            true
        }
        None => {
            lex.bump(rest.len());
            false
        }
    }
}

/// The token stream of `source`, comments and newlines included; lexing errors become `Error` tokens.
pub fn lex(source: &str) -> Vec<Token> {
    lex_with_diagnostics(0, source).0
}

/// Tokens plus the lexing diagnostics (errors and full-width-operator warnings) for `file`.
pub fn lex_with_diagnostics(file: FileId, source: &str) -> (Vec<Token>, Vec<Diagnostic>) {
    let mut tokens = Vec::with_capacity(source.len() / 3 + 1);
    let mut diags = Vec::new();
    let mut lexer = Raw::lexer(source);
    while let Some(result) = lexer.next() {
        let range = lexer.span();
        let span = Span::new(range.start, range.end);
        let text = &source[range];
        let kind = match result {
            Ok(raw) => classify(raw, text, file, span, &mut diags),
            Err(()) => {
                diags.push(stray_character(file, span, text));
                TokenKind::Error
            }
        };
        tokens.push(Token { kind, span });
    }
    (tokens, diags)
}

fn classify(raw: Raw, text: &str, file: FileId, span: Span, diags: &mut Vec<Diagnostic>) -> TokenKind {
    match raw {
        Raw::Ident => TokenKind::Ident,
        Raw::And => TokenKind::And,
        Raw::Or => TokenKind::Or,
        Raw::Not => TokenKind::Not,
        Raw::In => TokenKind::In,
        Raw::NotIn => TokenKind::NotIn,
        Raw::Contains => TokenKind::Contains,
        Raw::When => TokenKind::When,
        Raw::To => TokenKind::To,
        Raw::On => TokenKind::On,
        Raw::Exists => TokenKind::Exists,
        Raw::No => TokenKind::No,
        Raw::Count => TokenKind::Count,
        Raw::Within => TokenKind::Within,
        Raw::Record => TokenKind::Record,
        Raw::True => TokenKind::True,
        Raw::False => TokenKind::False,
        Raw::Str => TokenKind::Str,
        Raw::UnterminatedStr => {
            diags.push(error(
                "E0102",
                file,
                span,
                Text::new("字符串没有结束引号", "unterminated string"),
                Text::new("字符串在此行内没有闭合", "the string is not closed on this line"),
                Some(Text::new(
                    "在同一行内补上对应的结束引号（\"、” 或 」）",
                    "add the matching closing quote (\", ” or 」) on the same line",
                )),
            ));
            TokenKind::Error
        }
        Raw::Numeric => match numeric(text) {
            Ok(Numeric::Number(_)) => TokenKind::Number,
            Ok(Numeric::Date { .. }) => TokenKind::Date,
            Ok(Numeric::Duration { .. }) => TokenKind::Duration,
            Err(problem) => {
                diags.push(numeric_error(problem, text, file, span));
                TokenKind::Error
            }
        },
        Raw::Citation => TokenKind::Citation,
        Raw::LBrace => TokenKind::LBrace,
        Raw::RBrace => TokenKind::RBrace,
        Raw::LParen => TokenKind::LParen,
        Raw::RParen => TokenKind::RParen,
        Raw::LBracket => TokenKind::LBracket,
        Raw::RBracket => TokenKind::RBracket,
        Raw::Comma => TokenKind::Comma,
        Raw::Semi => TokenKind::Semi,
        Raw::Colon => TokenKind::Colon,
        Raw::Dot => TokenKind::Dot,
        Raw::Slash => TokenKind::Slash,
        Raw::EqEq | Raw::NotEq | Raw::Gt | Raw::Ge | Raw::Lt | Raw::Le | Raw::Assign => {
            if !text.is_ascii() {
                diags.push(full_width_operator(text, file, span));
            }
            match raw {
                Raw::EqEq => TokenKind::EqEq,
                Raw::NotEq => TokenKind::NotEq,
                Raw::Gt => TokenKind::Gt,
                Raw::Ge => TokenKind::Ge,
                Raw::Lt => TokenKind::Lt,
                Raw::Le => TokenKind::Le,
                _ => TokenKind::Assign,
            }
        }
        Raw::Newline => TokenKind::Newline,
        Raw::LineComment => TokenKind::LineComment,
        Raw::BlockComment(closed) => {
            if !closed {
                let head = Span::new(span.start as usize, span.start as usize + 2);
                diags.push(error(
                    "E0103",
                    file,
                    head,
                    Text::new("块注释没有结束", "unterminated block comment"),
                    Text::new(
                        "此处开始的 /* 注释直到文件末尾都没有 */",
                        "this /* has no matching */ before the end of the file",
                    ),
                    Some(Text::new("在注释结尾补上 */", "close the comment with */")),
                ));
            }
            TokenKind::BlockComment
        }
    }
}

/// The value of a numeric word.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Numeric {
    Number(f64),
    Date { year: i32, month: u32, day: u32 },
    Duration { amount: u32, unit: DurationUnit },
}

/// Why a numeric word is not valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumericProblem {
    /// A date whose month or day does not exist (`2023-02-30`, `2024-13-01`).
    ImpossibleDate,
    /// Digits followed by something that is not a duration unit (`3周`, `6月`).
    BadDurationUnit,
    /// A duration amount too large to represent.
    DurationTooLarge,
    /// Anything else that starts with a digit (`1.2.3`, `12abc`).
    Malformed,
}

/// Classifies a numeric word: `1.5`, `2024-05-01`, `2024年5月1日`, `3年`, `6个月`, `30日`/`30天`,
/// `7工作日`/`7个工作日`.
pub fn numeric(text: &str) -> Result<Numeric, NumericProblem> {
    let digits_end = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (digits, rest) = text.split_at(digits_end);
    if rest.is_empty() {
        return digits.parse::<f64>().map(Numeric::Number).map_err(|_| NumericProblem::Malformed);
    }
    if let Some(frac) = rest.strip_prefix('.') {
        if !frac.is_empty() && frac.bytes().all(|b| b.is_ascii_digit()) {
            return text.parse::<f64>().map(Numeric::Number).map_err(|_| NumericProblem::Malformed);
        }
        return Err(NumericProblem::Malformed);
    }
    if let Some((month, day)) = date_parts(rest).filter(|_| digits.len() == 4) {
        let year: i32 = digits.parse().map_err(|_| NumericProblem::Malformed)?;
        return if valid_date(year, month, day) {
            Ok(Numeric::Date { year, month, day })
        } else {
            Err(NumericProblem::ImpossibleDate)
        };
    }
    let unit = match rest {
        "年" => DurationUnit::Year,
        "个月" => DurationUnit::Month,
        "日" | "天" => DurationUnit::Day,
        "工作日" | "个工作日" => DurationUnit::WorkDay,
        _ => {
            // A time word after the digits is a bad duration (`3周`, `6月`); anything else (`3次`, `1万`,
            // `12abc`) is a malformed number.
            let unit_like = ["年", "月", "日", "天", "周", "星期", "时", "工作", "季"].iter().any(|u| rest.contains(u));
            return Err(if unit_like { NumericProblem::BadDurationUnit } else { NumericProblem::Malformed });
        }
    };
    // Six digits is far beyond any real period, and keeps the bound simple to state in the pest grammar.
    if digits.len() > 6 {
        return Err(NumericProblem::DurationTooLarge);
    }
    let amount: u32 = digits.parse().map_err(|_| NumericProblem::DurationTooLarge)?;
    Ok(Numeric::Duration { amount, unit })
}

/// Month and day after a 4-digit year: `-M-D` or `年M月D日` with 1–2 digit fields.
fn date_parts(rest: &str) -> Option<(u32, u32)> {
    let (month, day) = if let Some(md) = rest.strip_prefix('-') {
        md.split_once('-')?
    } else {
        let md = rest.strip_prefix('年')?.strip_suffix('日')?;
        md.split_once('月')?
    };
    let field = |s: &str| -> Option<u32> {
        if (1..=2).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) { s.parse().ok() } else { None }
    };
    Some((field(month)?, field(day)?))
}

/// Whether the Gregorian date exists.
pub fn valid_date(year: i32, month: u32, day: u32) -> bool {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

fn numeric_error(problem: NumericProblem, text: &str, file: FileId, span: Span) -> Diagnostic {
    match problem {
        NumericProblem::ImpossibleDate => error(
            "E0104",
            file,
            span,
            Text::new(format!("日期 `{text}` 不存在"), format!("`{text}` is not a real date")),
            Text::new("该月没有这一天", "no such month or day"),
            Some(Text::new(
                "检查月份（1—12）和该月的天数",
                "check the month (1–12) and the number of days in that month",
            )),
        ),
        NumericProblem::BadDurationUnit => {
            let digits: String = text.chars().take_while(|c| c.is_ascii_digit()).collect();
            let rest = &text[digits.len()..];
            let mut diag = error(
                "E0105",
                file,
                span,
                Text::new(format!("期间 `{text}` 的单位无法识别"), format!("`{text}` is not a valid duration")),
                Text::new("期间单位应为 年、个月、日/天 或 工作日", "the unit must be 年, 个月, 日/天 or 工作日"),
                Some(Text::new(
                    "期间写作 `3年`、`6个月`、`30日`、`7个工作日`",
                    "write durations as `3年`, `6个月`, `30日`, `7个工作日`",
                )),
            );
            let suggestion = match rest {
                "月" | "个月份" => Some("个月"),
                "周" | "星期" | "个星期" => None,
                "个日" => Some("日"),
                "工日" => Some("工作日"),
                _ => None,
            };
            if let Some(unit) = suggestion {
                diag.fixits.push(FixIt {
                    file,
                    span,
                    replacement: format!("{digits}{unit}"),
                    message: Text::new(format!("改为 `{digits}{unit}`"), format!("write `{digits}{unit}`")),
                });
            }
            diag
        }
        NumericProblem::DurationTooLarge => error(
            "E0105",
            file,
            span,
            Text::new(format!("期间 `{text}` 的数值过大"), format!("the amount in `{text}` is too large")),
            Text::new("期间的数值最多六位", "a duration amount has at most six digits"),
            Some(Text::new("较长的期间改用更大的单位，如 `3年`", "use a larger unit for long periods, e.g. `3年`")),
        ),
        NumericProblem::Malformed => error(
            "E0106",
            file,
            span,
            Text::new(
                format!("`{text}` 不是合法的数、日期或期间"),
                format!("`{text}` is not a number, date or duration"),
            ),
            Text::new("无法识别", "not recognised"),
            Some(Text::new(
                "数写作 `100` 或 `1.5`；日期写作 `2024-05-01` 或 `2024年5月1日`；期间写作 `3年`；数与名称之间须有空格",
                "numbers look like `100` or `1.5`, dates like `2024-05-01` or `2024年5月1日`, durations like `3年`; separate a number from a name with a space",
            )),
        ),
    }
}

fn stray_character(file: FileId, span: Span, text: &str) -> Diagnostic {
    let shown: String = text.chars().take(8).collect();
    let mut diag = error(
        "E0101",
        file,
        span,
        Text::new(format!("无法识别的字符 `{shown}`"), format!("unexpected character `{shown}`")),
        Text::new("此处不能出现该字符", "this character cannot appear here"),
        None,
    );
    if text.starts_with('〔') || text.starts_with('〕') {
        diag.help = Some(Text::new(
            "文号作名称时写作 `国办发〔2020〕49号`（〔〕内只能是数字，且前面须有名称）；作文本时加引号",
            "a document number used as a name is written `国办发〔2020〕49号` (digits only inside 〔〕, after a name); quote it to use it as text",
        ));
    } else if text.starts_with('"') || text.starts_with('“') {
        diag.help = Some(Text::new("字符串须在同一行内结束", "strings must end on the same line"));
    }
    diag
}

fn full_width_operator(text: &str, file: FileId, span: Span) -> Diagnostic {
    let ascii: String = text
        .chars()
        .map(|c| match c {
            '＝' => '=',
            '＞' => '>',
            '＜' => '<',
            '！' => '!',
            other => other,
        })
        .collect();
    Diagnostic {
        code: "W0101",
        severity: Severity::Warning,
        message: Text::new(format!("全角运算符 `{text}`"), format!("full-width operator `{text}`")),
        labels: vec![Label {
            file,
            span,
            message: Text::new(format!("应写作 `{ascii}`"), format!("should be `{ascii}`")),
            primary: true,
        }],
        help: Some(Text::new(
            "运算符请使用半角字符（关闭输入法的全角模式）",
            "use ASCII operators (turn off the IME's full-width mode)",
        )),
        fixits: vec![FixIt {
            file,
            span,
            replacement: ascii.clone(),
            message: Text::new(format!("改为 `{ascii}`"), format!("replace with `{ascii}`")),
        }],
    }
}

/// An error diagnostic with one primary label.
pub(crate) fn error(
    code: &'static str,
    file: FileId,
    span: Span,
    message: Text,
    label: Text,
    help: Option<Text>,
) -> Diagnostic {
    Diagnostic {
        code,
        severity: Severity::Error,
        message,
        labels: vec![Label { file, span, message: label, primary: true }],
        help,
        fixits: Vec::new(),
    }
}

/// The text of an expression keyword token in both spellings, for messages.
pub fn keyword_text(kind: TokenKind) -> Option<&'static str> {
    Some(match kind {
        TokenKind::And => "且",
        TokenKind::Or => "或",
        TokenKind::Not => "非",
        TokenKind::In => "属于",
        TokenKind::NotIn => "不属于",
        TokenKind::Contains => "包含",
        TokenKind::When => "当",
        TokenKind::To => "至",
        TokenKind::On => "在",
        TokenKind::Exists => "存在",
        TokenKind::No => "无",
        TokenKind::Count => "计数",
        TokenKind::Within => "近",
        TokenKind::Record => "记录",
        TokenKind::True => "真",
        TokenKind::False => "假",
        _ => return None,
    })
}

/// Expression keywords that may be glued to a following name by mistake (`在严重失信主体名单`), longest
/// first so `不属于` wins over `属于`.
pub const GLUEABLE_KEYWORDS: &[&str] = &["不属于", "属于", "存在", "计数", "包含", "在", "非", "无", "近", "当", "至"];

/// If `ident` is an expression keyword glued to a name that `is_known` recognises, the keyword and the
/// name, so a caller can suggest inserting a space. Cheap: at most one lookup per candidate keyword.
pub fn split_glued_keyword(ident: &str, is_known: impl Fn(&str) -> bool) -> Option<(&'static str, &str)> {
    GLUEABLE_KEYWORDS.iter().find_map(|kw| {
        let rest = ident.strip_prefix(kw)?;
        (!rest.is_empty() && is_known(rest)).then_some((*kw, rest))
    })
}

/// The unit of a duration token's text, for tools that do not go through the parser.
pub fn duration_unit(text: &str) -> Option<DurationUnit> {
    match numeric(text) {
        Ok(Numeric::Duration { unit, .. }) => Some(unit),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<TokenKind> {
        lex(src).into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn keywords_and_identifiers() {
        use TokenKind::*;
        assert_eq!(kinds("在 严重失信主体名单"), vec![On, Ident]);
        assert_eq!(kinds("在严重失信主体名单"), vec![Ident]);
        assert_eq!(kinds("非法人组织 非 a"), vec![Ident, Not, Ident]);
        assert_eq!(
            kinds("记录.类型 不属于 [a、b]"),
            vec![Record, Dot, Ident, NotIn, LBracket, Ident, Comma, Ident, RBracket]
        );
        assert_eq!(kinds("国办发〔2020〕49号"), vec![Ident]);
        assert_eq!(kinds("and andy"), vec![And, Ident]);
    }

    #[test]
    fn numeric_words() {
        use TokenKind::*;
        assert_eq!(
            kinds("2024-05-01 2024年5月1日 3年 6个月 30日 30天 7工作日 7个工作日 1.5 100"),
            vec![Date, Date, Duration, Duration, Duration, Duration, Duration, Duration, Number, Number]
        );
        assert_eq!(numeric("2024年2月29日"), Ok(Numeric::Date { year: 2024, month: 2, day: 29 }));
        assert_eq!(numeric("2023-02-29"), Err(NumericProblem::ImpossibleDate));
        assert_eq!(numeric("1900-02-29"), Err(NumericProblem::ImpossibleDate));
        assert_eq!(numeric("2000-02-29"), Ok(Numeric::Date { year: 2000, month: 2, day: 29 }));
        assert_eq!(numeric("3周"), Err(NumericProblem::BadDurationUnit));
        assert_eq!(numeric("1.2.3"), Err(NumericProblem::Malformed));
        assert_eq!(numeric("7个工作日"), Ok(Numeric::Duration { amount: 7, unit: DurationUnit::WorkDay }));
    }

    #[test]
    fn citations_and_punctuation() {
        use TokenKind::*;
        assert_eq!(
            kinds("第5条 第十九条 第6条第2款 第四章第二节 第5条规定"),
            vec![Citation, Citation, Citation, Citation, Ident]
        );
        assert_eq!(
            kinds("专栏六 专栏六第1项 第七章专栏六 专栏 专栏说明 专栏六说明"),
            vec![Citation, Citation, Citation, Ident, Ident, Ident]
        );
        assert_eq!(kinds("，；：（）【】、"), vec![Comma, Semi, Colon, LParen, RParen, LBracket, RBracket, Comma]);
        assert_eq!(kinds("== ＝＝ != ！＝ >= ＞ < <= ="), vec![EqEq, EqEq, NotEq, NotEq, Ge, Gt, Lt, Le, Assign]);
    }

    #[test]
    fn comments_and_errors_never_panic() {
        use TokenKind::*;
        assert_eq!(kinds("a // x\n/* y\n */ b"), vec![Ident, LineComment, Newline, BlockComment, Ident]);
        let (toks, diags) = lex_with_diagnostics(0, "\"abc\n/* open");
        assert_eq!(toks.iter().map(|t| t.kind).collect::<Vec<_>>(), vec![Error, Newline, BlockComment]);
        assert_eq!(diags.iter().map(|d| d.code).collect::<Vec<_>>(), vec!["E0102", "E0103"]);
        let (_, diags) = lex_with_diagnostics(0, "a @ ＞ b");
        assert_eq!(diags.iter().map(|d| d.code).collect::<Vec<_>>(), vec!["E0101", "W0101"]);
    }

    #[test]
    fn glued_keyword() {
        let known = |s: &str| s == "严重失信主体名单";
        assert_eq!(split_glued_keyword("在严重失信主体名单", known), Some(("在", "严重失信主体名单")));
        assert_eq!(split_glued_keyword("非法人组织", known), None);
    }
}
