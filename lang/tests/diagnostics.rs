//! Golden tests: every file in `tests/bad/` is rendered in Chinese (and a few in English) and compared with
//! its snapshot; the files in `tests/good/` snapshot their syntax tree.

#![allow(clippy::unwrap_used)] // test helpers may unwrap

use std::path::Path;
use xince_lang::{Lang, Severity, parse, render};

fn sorted_files(sub: &str) -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join(sub);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "xince"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| (p.file_stem().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
        .collect()
}

fn rendered(name: &str, src: &str, lang: Lang) -> String {
    let parsed = parse(0, src);
    assert!(
        parsed.diagnostics.iter().any(|d| d.severity == Severity::Error),
        "{name}: a bad input must produce at least one error"
    );
    render(&parsed.diagnostics, &[(0, &format!("{name}.xince"), src)], lang, false)
}

#[test]
fn bad_inputs_render_in_chinese() {
    let files = sorted_files("bad");
    assert!(files.len() >= 25, "only {} bad inputs", files.len());
    for (name, src) in files {
        // The file name starts with the code the input is about; that code must be reported.
        if let Some(code) =
            name.split('_').next().filter(|c| c.len() == 5 && c[1..].bytes().all(|b| b.is_ascii_digit()))
        {
            let codes: Vec<_> = parse(0, &src).diagnostics.iter().map(|d| d.code).collect();
            assert!(codes.contains(&code), "{name}: expected {code}, got {codes:?}");
        }
        insta::assert_snapshot!(format!("zh__{name}"), rendered(&name, &src, Lang::Zh));
    }
}

#[test]
fn some_bad_inputs_render_in_english() {
    let wanted = [
        "E0102_unterminated_string",
        "E0105_duration_month_without_ge",
        "E0204_unclosed_block",
        "E0210_single_equals",
        "W0201_glued_quantifier",
        "many_errors_recovered",
    ];
    let files = sorted_files("bad");
    for name in wanted {
        let (_, src) = files.iter().find(|(n, _)| n == name).unwrap();
        insta::assert_snapshot!(format!("en__{name}"), rendered(name, src, Lang::En));
    }
}

#[test]
fn good_inputs_show_their_tree() {
    let files = sorted_files("good");
    assert!(files.len() >= 3);
    for (name, src) in files {
        let parsed = parse(0, &src);
        assert!(parsed.diagnostics.is_empty(), "{name}: {:#?}", parsed.diagnostics);
        insta::assert_yaml_snapshot!(format!("ast__{name}"), parsed.file);
    }
}

#[test]
fn every_code_has_a_page_and_a_table_row() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("../docs/errors/README.md")).unwrap();
    let mut codes = std::collections::BTreeSet::new();
    for file in ["lexer.rs", "parser.rs"] {
        let src = std::fs::read_to_string(root.join("src").join(file)).unwrap();
        for (i, _) in src.match_indices("\"E0").chain(src.match_indices("\"W0")) {
            let code = &src[i + 1..i + 6];
            if code[1..].bytes().all(|b| b.is_ascii_digit()) {
                codes.insert(code.to_string());
            }
        }
    }
    assert!(codes.len() >= 20, "{codes:?}");
    for code in codes {
        assert!(root.join(format!("../docs/errors/{code}.md")).exists(), "no page for {code}");
        assert!(readme.contains(&format!("[{code}]({code}.md)")), "no README row for {code}");
    }
}
