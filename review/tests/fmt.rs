//! `xince fmt` over every `.xince` file in the repository: idempotent, comments kept, same syntax tree.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers outside #[test] fns

use std::path::{Path, PathBuf};
use xince_lang::format::{FormatError, format, same_file};
use xince_lang::{Severity, TokenKind, lex, parse};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() {
            // `tests/bad_inputs` holds deliberately broken files (invalid UTF-8, unterminated tokens); `fuzz` holds
            // build output and corpora.
            if name != "target" && name != ".git" && name != "bad_inputs" && name != "fuzz" {
                collect(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "xince") {
            out.push(path);
        }
    }
}

fn comments(source: &str) -> Vec<String> {
    lex(source)
        .into_iter()
        .filter(|t| matches!(t.kind, TokenKind::LineComment | TokenKind::BlockComment))
        .map(|t| source[t.span.range()].trim_end().to_string())
        .collect()
}

#[test]
fn every_repository_policy_formats_idempotently_keeping_comments_and_tree() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
    let mut files = Vec::new();
    collect(&root, &mut files);
    files.sort();
    let mut formatted = 0;
    for path in &files {
        let source = std::fs::read_to_string(path).unwrap();
        match format(&source) {
            Ok(out) => {
                formatted += 1;
                assert_eq!(format(&out).unwrap(), out, "not idempotent: {}", path.display());
                assert_eq!(comments(&out), comments(&source), "comments changed: {}", path.display());
                let before = parse(0, &source);
                let after = parse(0, &out);
                assert!(same_file(&before.file, &after.file), "tree changed: {}", path.display());
                assert!(!after.diagnostics.iter().any(|d| d.severity == Severity::Error), "{}", path.display());
            }
            Err(FormatError::Syntax(_)) => {
                let parsed = parse(0, &source);
                assert!(parsed.diagnostics.iter().any(|d| d.severity == Severity::Error), "{}", path.display());
            }
            Err(e) => panic!("{}: {e}", path.display()),
        }
    }
    assert!(formatted >= 10, "only {formatted} of {} files formatted", files.len());
}
