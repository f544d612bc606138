//! Same source → same bytes: every repository policy, copied into two different temporary directories and
//! compiled from there by two separate compilers, gives byte-identical modules. Paths are given relative to
//! each copy's root, as `xince build` run inside that directory names them (the compiler's source hash covers
//! each file's path as given as well as its text, so the location of the checkout must not leak into it).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers outside #[test] fns

use std::path::{Path, PathBuf};
use xince_lang::Lang;
use xince_review::build::compile;

fn policy_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            // `tests/` holds deliberately bad variants (e.g. a widening department policy).
            if entry.file_name() != "tests" {
                policy_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "xince") {
            out.push(path);
        }
    }
}

/// Copies the policies into `<tmp>/<tag>/policies/…` and returns, for each, the path relative to the copy's
/// root (as the compiler sees it when run there) and the text read back from the copy.
fn copy_to(tag: &str, root: &Path, files: &[PathBuf]) -> Vec<(String, String)> {
    let base = std::env::temp_dir().join(format!("xince-repro-{}-{tag}", std::process::id()));
    let mut sources = Vec::new();
    for f in files {
        let rel = Path::new("policies").join(f.strip_prefix(root).unwrap());
        let target = base.join(&rel);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(f, &target).unwrap();
        sources.push((rel.display().to_string(), std::fs::read_to_string(&target).unwrap()));
    }
    sources
}

#[test]
fn building_twice_in_different_directories_gives_identical_bytes() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let policies = repo.join("policies");
    let mut files = Vec::new();
    policy_files(&policies, &mut files);
    files.sort();
    assert!(files.len() >= 5, "expected the five seed policies, found {files:?}");

    let a = copy_to("a", &policies, &files);
    let b = copy_to("b", &policies, &files);
    assert!(a.iter().zip(&b).all(|(x, y)| x.0 == y.0), "both copies name their files alike");
    let mut built = 0;
    for (i, (path_a, text)) in a.iter().enumerate() {
        if !text.lines().any(|l| l.trim_start().starts_with("政策 ")) {
            continue;
        }
        let module_a = compile(&a, path_a, Lang::En).unwrap_or_else(|e| panic!("{path_a}: {e}"));
        let module_b = compile(&b, &b[i].0, Lang::En).unwrap_or_else(|e| panic!("{}: {e}", b[i].0));
        if module_a != module_b {
            let (ma, mb) =
                (xince_review::read_manifest(&module_a).unwrap(), xince_review::read_manifest(&module_b).unwrap());
            let diff = xince_review::diff::render_text(&xince_review::diff_manifests(&ma, &mb), Lang::En);
            panic!("{} builds differently in two directories:\n{diff}", files[i].display());
        }
        // and the module carries the manifest that names this policy
        let manifest = xince_review::read_manifest(&module_a).unwrap();
        assert!(manifest.source_hash.starts_with("sha256:"), "{}", manifest.source_hash);
        built += 1;
    }
    assert!(built >= 5, "built only {built} policies");
    for tag in ["a", "b"] {
        let _ = std::fs::remove_dir_all(std::env::temp_dir().join(format!("xince-repro-{}-{tag}", std::process::id())));
    }
}
