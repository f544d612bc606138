//! Shared by the front-end tests (included with `#[path]`).
#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use xince_compiler::Compiler;

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A compiler with the stdlib; reads `stdlib/xince/*.xince` from disk while the stdlib crate does not
/// expose its sources yet.
pub fn compiler() -> Compiler {
    let mut c = Compiler::new();
    if xince_compiler::stdlib_sources().is_empty() {
        let dir = repo_root().join("stdlib/xince");
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
        paths.sort();
        for p in paths.into_iter().filter(|p| p.extension().is_some_and(|e| e == "xince")) {
            let name = format!("stdlib/{}", p.file_name().unwrap().to_string_lossy());
            c.set_stdlib_file(name, std::fs::read_to_string(&p).unwrap());
        }
    }
    c
}

/// Every diagnostic of every user file, rendered in Chinese without colour.
pub fn render_all(c: &Compiler) -> String {
    let mut out = String::new();
    for (_, d) in c.check_all() {
        out.push_str(&c.render(std::slice::from_ref(&d), xince_lang::Lang::Zh, false));
    }
    out
}
