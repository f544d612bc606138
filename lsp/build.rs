//! Embeds the diagnostic pages (`docs/errors/*.md`) so the server can materialise them next to the stdlib
//! sources and link each diagnostic's code to its page, wherever the binary is installed.

use std::fmt::Write;

fn main() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/errors");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map(|rd| rd.filter_map(|e| e.ok()).filter_map(|e| e.file_name().into_string().ok()).collect())
        .unwrap_or_default();
    names.retain(|n| n.ends_with(".md"));
    names.sort();
    let mut out = String::from(
        "/// `(file name, text)` of every page under docs/errors.\npub const ERROR_PAGES: &[(&str, &str)] = &[\n",
    );
    for n in names {
        let path = dir.join(&n);
        let _ = writeln!(out, "    ({n:?}, include_str!({:?})),", path.display().to_string());
    }
    out.push_str("];\n");
    let dest = std::path::Path::new(&std::env::var("OUT_DIR").unwrap_or_default()).join("error_pages.rs");
    if let Err(e) = std::fs::write(&dest, out) {
        println!("cargo:warning=cannot write {}: {e}", dest.display());
    }
}
