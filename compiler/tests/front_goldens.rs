//! Golden tests: every `fixtures/bad/*.xince` renders its diagnostics (Chinese, plain) into one snapshot,
//! and the good policies print their IR.
#![allow(clippy::unwrap_used, clippy::panic)]

#[path = "front_common.rs"]
mod common;

use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn xince_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "xince"))
        .collect();
    v.sort();
    v
}

fn rel(p: &Path) -> String {
    p.strip_prefix(fixtures()).unwrap().to_string_lossy().into_owned()
}

#[test]
fn bad_inputs() {
    let files = xince_files(&fixtures().join("bad"));
    assert!(files.len() >= 20, "at least 20 bad inputs");
    for f in files {
        let mut c = common::compiler();
        for u in xince_files(&fixtures().join("bad/upper")) {
            c.set_file(rel(&u), std::fs::read_to_string(&u).unwrap());
        }
        let name = rel(&f);
        let id = c.set_file(name.clone(), std::fs::read_to_string(&f).unwrap());
        let diags = c.check_file(id);
        assert!(!diags.is_empty(), "{name} must produce a diagnostic");
        let stem = f.file_stem().unwrap().to_string_lossy().into_owned();
        insta::assert_snapshot!(format!("bad__{stem}"), c.render(&diags, xince_lang::Lang::Zh, false));
    }
}

/// The IR text without the source hash (it changes with every stdlib edit; determinism is tested apart).
fn ir_text(c: &xince_compiler::Compiler, path: &str) -> String {
    match c.program(path) {
        Ok(p) => xince_compiler::print_ir(&p)
            .lines()
            .map(|l| if l.trim_start().starts_with("source_hash") { "  source_hash <redacted>" } else { l })
            .collect::<Vec<_>>()
            .join("\n"),
        Err(d) => panic!("{path} does not compile:\n{}", c.render(&d, xince_lang::Lang::Zh, false)),
    }
}

#[test]
fn good_county_ir() {
    let mut c = common::compiler();
    let f = fixtures().join("good/县级方案.xince");
    c.set_file("good/县级方案.xince", std::fs::read_to_string(&f).unwrap());
    let id = c.file_id("good/县级方案.xince").unwrap();
    let errors: Vec<_> = c.check_file(id).into_iter().filter(|d| d.severity == xince_lang::Severity::Error).collect();
    assert_eq!(errors, vec![], "the good county policy has no errors");
    insta::assert_snapshot!("good__county_ir", ir_text(&c, "good/县级方案.xince"));
}

#[test]
fn good_layered_ir() {
    let mut c = common::compiler();
    for f in xince_files(&fixtures().join("good/layered")) {
        c.set_file(rel(&f), std::fs::read_to_string(&f).unwrap());
    }
    for f in c.user_files() {
        let errors: Vec<_> =
            c.check_file(f).into_iter().filter(|d| d.severity == xince_lang::Severity::Error).collect();
        assert_eq!(errors, vec![], "{} has no errors", c.file_name(f));
    }
    insta::assert_snapshot!("good__layered_upper_ir", ir_text(&c, "good/layered/市级方案.xince"));
    insta::assert_snapshot!("good__layered_lower_ir", ir_text(&c, "good/layered/区级细则.xince"));
}

#[test]
fn same_sources_same_program() {
    let build = || {
        let mut c = common::compiler();
        let f = fixtures().join("good/县级方案.xince");
        c.set_file("a.xince", std::fs::read_to_string(&f).unwrap());
        c.program("a.xince").unwrap()
    };
    let (a, b) = (build(), build());
    assert_eq!(a, b);
    assert!(a.manifest.source_hash.starts_with("sha256:") && a.manifest.source_hash.len() == 7 + 64);
    assert_eq!(a.manifest.compiler_version, env!("CARGO_PKG_VERSION"));
}

#[test]
fn editing_one_file_reruns_only_its_dependents() {
    let mut c = common::compiler();
    for f in xince_files(&fixtures().join("good/layered")) {
        c.set_file(rel(&f), std::fs::read_to_string(&f).unwrap());
    }
    let county = std::fs::read_to_string(fixtures().join("good/县级方案.xince")).unwrap();
    c.set_file("county.xince", county.clone());
    let _ = c.check_all();
    let before = c.executions();
    // Edit a comment in the county policy: only it re-parses; the layered units are untouched.
    c.set_file("county.xince", format!("// 修改\n{county}"));
    let diags = c.check_all();
    assert!(diags.iter().all(|(_, d)| d.severity != xince_lang::Severity::Error));
    let after = c.executions();
    let delta = |q: &str| after.get(q).copied().unwrap_or(0) - before.get(q).copied().unwrap_or(0);
    assert_eq!(delta("parse"), 1, "only the edited file is parsed again");
    assert_eq!(delta("analyze"), 1, "only the edited file's unit is checked again");
    // A real change is seen.
    c.set_file("county.xince", county.replace("期限: 2年", "期限: 5年"));
    let p = c.program("county.xince").unwrap();
    assert_eq!(p.manifest.lists[1].period, "5年");
}
