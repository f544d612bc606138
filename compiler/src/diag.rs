//! Small builders for front-end diagnostics (bilingual text, primary/secondary labels, did-you-mean).

use xince_lang::ast::Span;
use xince_lang::diagnostic::{FixIt, Label};
use xince_lang::{Diagnostic, FileId, Severity, Text};

/// A diagnostic with one primary label.
pub fn error(code: &'static str, file: FileId, span: Span, zh: impl Into<String>, en: impl Into<String>) -> Diagnostic {
    build(code, Severity::Error, file, span, zh.into(), en.into())
}

pub fn warning(
    code: &'static str,
    file: FileId,
    span: Span,
    zh: impl Into<String>,
    en: impl Into<String>,
) -> Diagnostic {
    build(code, Severity::Warning, file, span, zh.into(), en.into())
}

fn build(code: &'static str, severity: Severity, file: FileId, span: Span, zh: String, en: String) -> Diagnostic {
    Diagnostic {
        code,
        severity,
        message: Text::new(zh.clone(), en.clone()),
        labels: vec![Label { file, span, message: Text::new("", ""), primary: true }],
        help: None,
        fixits: vec![],
    }
}

/// Fluent additions used by every stage.
pub trait DiagExt {
    fn with_label(self, file: FileId, span: Span, zh: impl Into<String>, en: impl Into<String>) -> Self;
    fn with_help(self, zh: impl Into<String>, en: impl Into<String>) -> Self;
    fn with_fixit(
        self,
        file: FileId,
        span: Span,
        replacement: String,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> Self;
}

impl DiagExt for Diagnostic {
    fn with_label(mut self, file: FileId, span: Span, zh: impl Into<String>, en: impl Into<String>) -> Self {
        self.labels.push(Label { file, span, message: Text::new(zh, en), primary: false });
        self
    }
    fn with_help(mut self, zh: impl Into<String>, en: impl Into<String>) -> Self {
        self.help = Some(Text::new(zh, en));
        self
    }
    fn with_fixit(
        mut self,
        file: FileId,
        span: Span,
        replacement: String,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        self.fixits.push(FixIt { file, span, replacement, message: Text::new(zh, en) });
        self
    }
}

pub use xince_abi::decode::edit_distance;

/// The closest candidate within a distance that scales with the name's length, ties broken by order.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let len = name.chars().count();
    let limit = (len / 2).max(1);
    let mut best: Option<(usize, &str)> = None;
    for cand in candidates {
        if cand == name {
            continue;
        }
        let d = edit_distance(name, cand);
        // A name that contains the candidate (or the reverse) is a likely near miss too.
        let d = if cand.contains(name) || name.contains(cand) { d.min(limit) } else { d };
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, cand));
        }
    }
    best.map(|(_, c)| c)
}

/// Keywords that take an identifier after them and are often typed without the space (`在严重失信主体名单`).
pub const SPACED_KEYWORDS: [&str; 6] = ["不属于", "属于", "包含", "在", "无", "非"];

/// If `name` is a keyword glued to a known name, returns (keyword, rest).
pub fn glued_keyword(name: &str, is_known: impl Fn(&str) -> bool) -> Option<(&'static str, &str)> {
    SPACED_KEYWORDS.iter().find_map(|kw| {
        let rest = name.strip_prefix(kw)?;
        (!rest.is_empty() && is_known(rest)).then_some((*kw, rest))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_counts_chars_not_bytes() {
        assert_eq!(edit_distance("严重失信名单", "严重失信主体名单"), 2);
        assert_eq!(edit_distance("", "ab"), 2);
    }

    #[test]
    fn suggestion_picks_closest() {
        let c = ["严重失信主体名单", "诚信红名单", "重点关注名单"];
        assert_eq!(did_you_mean("严重失信主体明单", c), Some("严重失信主体名单"));
        assert_eq!(did_you_mean("完全无关的东西", c), None);
    }

    #[test]
    fn glued_keyword_found() {
        assert_eq!(glued_keyword("在诚信红名单", |n| n == "诚信红名单"), Some(("在", "诚信红名单")));
        assert_eq!(glued_keyword("在诚信红名单", |_| false), None);
    }
}
