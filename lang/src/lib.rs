//! xince syntax: a logos lexer, a parser that never gives up (it returns the tree and every diagnostic,
//! recovering after errors), the span-carrying AST, and diagnostics rendered with codespan-reporting.
//!
//! Entry point: [`parse`]. This crate knows nothing of name resolution, IR or wasm.

pub mod ast;
pub mod diagnostic;
pub mod format;
pub mod lexer;
pub mod parser;
pub mod render;

pub use ast::SourceFile;
pub use diagnostic::{Diagnostic, FileId, Lang, Severity, Text};
pub use lexer::{Token, TokenKind, lex};
pub use render::render;

/// The result of parsing one file: always a tree (with `Error` nodes where recovery happened) and every
/// diagnostic found.
#[derive(Clone, Debug, PartialEq)]
pub struct Parsed {
    pub file: SourceFile,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses one source file. Never panics, never stops at the first error.
pub fn parse(file: FileId, source: &str) -> Parsed {
    parser::parse(file, source)
}
