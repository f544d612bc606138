//! Diagnostics shared by every stage: a stable code, Chinese and English text, labelled spans, help and
//! fix-its. Rendering goes through codespan-reporting (`render`), in the language the user picked.

use crate::ast::Span;
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Severity {
    Error,
    Warning,
    Note,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Lang {
    Zh,
    En,
}

/// Text in both languages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Text {
    pub zh: String,
    pub en: String,
}

impl Text {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Text { zh: zh.into(), en: en.into() }
    }
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

/// Identifies a source file in a diagnostic; the compiler maps it to a path and text for rendering.
pub type FileId = u32;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Label {
    pub file: FileId,
    pub span: Span,
    pub message: Text,
    pub primary: bool,
}

/// A machine-applicable edit: replace `span` with `replacement`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FixIt {
    pub file: FileId,
    pub span: Span,
    pub replacement: String,
    pub message: Text,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Stable code, `E0101`…; each has a page `docs/errors/<code>.md`.
    pub code: &'static str,
    pub severity: Severity,
    pub message: Text,
    pub labels: Vec<Label>,
    pub help: Option<Text>,
    pub fixits: Vec<FixIt>,
}
