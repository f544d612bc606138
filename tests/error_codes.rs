//! One registry of codes: every code a host can receive is in `xince_abi::codes::HOST_CODES` with distinct
//! Chinese and English titles and a page `docs/errors/<code>.md`; every code a library's source emits is in
//! the registry; every compiler diagnostic code (`E0101`…) has its page and a row in `docs/errors/README.md`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use xince_abi::codes::{HOST_CODES, host_code};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under each crate's `src/` (the code that ships; tests may name codes they never emit).
fn library_sources() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut pending: Vec<PathBuf> = vec![root().join("src")];
    for entry in std::fs::read_dir(root()).unwrap() {
        let dir = entry.unwrap().path();
        if dir.join("Cargo.toml").is_file() && dir.join("src").is_dir() && !dir.ends_with("benches") {
            pending.push(dir.join("src"));
        }
    }
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                pending.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    out
}

/// The string literals of `text` that look like codes for which `is_code` holds.
fn code_literals(text: &str, is_code: impl Fn(&str) -> bool) -> BTreeSet<String> {
    text.split('"').skip(1).step_by(2).filter(|s| is_code(s)).map(str::to_string).collect()
}

fn is_host_code(s: &str) -> bool {
    (s.starts_with("E_") || s.starts_with("W_"))
        && s.len() > 3
        && s[2..].chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

fn is_diagnostic_code(s: &str) -> bool {
    s.len() == 5 && (s.starts_with('E') || s.starts_with('W')) && s[1..].chars().all(|c| c.is_ascii_digit())
}

#[test]
fn every_host_code_has_a_page_and_two_distinct_titles() {
    let mut seen = BTreeSet::new();
    for c in HOST_CODES {
        assert!(seen.insert(c.code), "{} is registered twice", c.code);
        assert_ne!(c.title_zh, c.title_en, "{}: the English title repeats the Chinese one", c.code);
        assert!(c.title_zh.chars().any(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch)), "{}: no Chinese title", c.code);
        let page = root().join("docs/errors").join(format!("{}.md", c.code));
        let text =
            std::fs::read_to_string(&page).unwrap_or_else(|_| panic!("{} has no page {}", c.code, page.display()));
        assert!(
            text.contains(c.title_zh) && text.contains(c.title_en),
            "{}: the page does not carry its titles",
            c.code
        );
    }
}

#[test]
fn every_code_the_libraries_emit_is_registered() {
    let mut unregistered = BTreeSet::new();
    for file in library_sources() {
        let text = std::fs::read_to_string(&file).unwrap();
        for code in code_literals(&text, is_host_code) {
            if host_code(&code).is_none() {
                unregistered.insert(format!("{code} ({})", file.strip_prefix(root()).unwrap().display()));
            }
        }
    }
    assert!(unregistered.is_empty(), "codes missing from xince_abi::codes::HOST_CODES: {unregistered:?}");
}

#[test]
fn every_diagnostic_code_has_a_page_and_a_row() {
    let readme = std::fs::read_to_string(root().join("docs/errors/README.md")).unwrap();
    let mut missing = BTreeSet::new();
    for file in library_sources() {
        let text = std::fs::read_to_string(&file).unwrap();
        for code in code_literals(&text, is_diagnostic_code) {
            let page = root().join("docs/errors").join(format!("{code}.md"));
            if !page.is_file() || !readme.contains(&format!("[{code}]({code}.md)")) {
                missing.insert(code);
            }
        }
    }
    assert!(missing.is_empty(), "diagnostic codes without a page or a README row: {missing:?}");
}
