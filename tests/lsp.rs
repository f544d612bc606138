//! `xince lsp` end to end: the real binary over stdio with JSON-RPC, as an editor drives it.
//!
//! One session on a seed policy (an error arrives coded at its range and clears when fixed by the offered code
//! action; hover, definition into the stdlib, references, completion, formatting, outline, tokens), and a walk
//! over every `docs/errors/*.md` page with an example, checking its code arrives over LSP with a range.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "lsp/client.rs"]
mod client;

use client::{Client, apply, offset, path_of, position, uri};
use serde_json::{Value, json};
use std::path::PathBuf;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

const SEED: &str = "policies/重庆市/巫山县/司法局/政策.xince";

fn codes(diags: &[Value]) -> Vec<String> {
    diags.iter().map(|d| d["code"].as_str().unwrap_or("").to_string()).collect()
}

fn errors(diags: &[Value]) -> Vec<&Value> {
    diags.iter().filter(|d| d["severity"] == 1).collect()
}

fn at(text: &str, needle: &str, nth: usize) -> usize {
    text.match_indices(needle).nth(nth).unwrap_or_else(|| panic!("{needle} #{nth} not in text")).0
}

#[test]
fn a_drafting_session_on_a_seed_policy() {
    let path = repo().join(SEED);
    let original = std::fs::read_to_string(&path).unwrap();
    let u = uri(&path);
    let mut c = Client::start("zh-CN", "session");

    // Opened: the seed is clean (its upper level, the county policy, is loaded from policies/).
    c.open(&u, &original);
    let d = c.diagnostics(&u, 1);
    assert!(errors(&d).is_empty(), "{d:#?}");

    // A misspelt list name: E0301 exactly on the name, in Chinese, linked to its page.
    let bad_at = at(&original, "严重失信主体名单", 0);
    let broken = original.replacen("适用: 在 严重失信主体名单", "适用: 在 严重失信主体明单", 1);
    c.change(&u, 2, &broken);
    let d = c.diagnostics(&u, 2);
    let e = d.iter().find(|d| d["code"] == "E0301").unwrap_or_else(|| panic!("no E0301 in {d:#?}"));
    assert_eq!(e["severity"], 1);
    assert_eq!(e["range"]["start"], position(&broken, bad_at));
    assert_eq!(e["range"]["end"], position(&broken, bad_at + "严重失信主体明单".len()));
    assert!(e["message"].as_str().unwrap().contains("未定义的名单"), "{e}");
    let href = e["codeDescription"]["href"].as_str().unwrap();
    assert!(href.ends_with("/errors/E0301.md"), "{href}");
    let page = std::fs::read_to_string(path_of(href)).unwrap();
    assert!(page.starts_with("# E0301"), "{page}");

    // The did-you-mean fix is offered as a code action; applying it clears the error.
    let actions = c.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": u }, "range": e["range"], "context": { "diagnostics": [e] } }),
    );
    let fix = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"].as_str().unwrap().contains("严重失信主体名单"))
        .unwrap_or_else(|| panic!("no did-you-mean action in {actions:#}"));
    assert_eq!(fix["kind"], "quickfix");
    let edits = fix["edit"]["changes"][&u].as_array().unwrap().clone();
    let fixed = apply(&broken, &edits);
    assert_eq!(fixed, original);
    c.change(&u, 3, &fixed);
    let d = c.diagnostics(&u, 3);
    assert!(!codes(&d).contains(&"E0301".to_string()), "{d:#?}");
    assert!(errors(&d).is_empty(), "{d:#?}");

    // Hover on a list: the county list's definition, where it comes from, its source text.
    let h = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": u }, "position": position(&original, bad_at + 3) }),
    );
    let text = h["contents"]["value"].as_str().unwrap();
    assert!(text.contains("**名单** `严重失信主体名单` · 上级政策"), "{text}");
    assert!(text.contains("出处：巫山信用办发〔2022〕3号"), "{text}");
    assert!(text.contains("纳入:"), "{text}");

    // Hover on a vocabulary value compared with 记录.类型.
    let v_at = at(&original, "== 行政处罚", 0) + "== ".len();
    let h =
        c.request("textDocument/hover", json!({ "textDocument": { "uri": u }, "position": position(&original, v_at) }));
    let text = h["contents"]["value"].as_str().unwrap();
    assert!(text.contains("**词表值** `行政处罚` ∈ `记录类型`"), "{text}");
    assert!(text.contains("国家层"), "{text}");

    // Hover on a national basis: rank and verification.
    let b_at = at(&original, "全国失信惩戒措施基础清单2021", 0);
    let h =
        c.request("textDocument/hover", json!({ "textDocument": { "uri": u }, "position": position(&original, b_at) }));
    let text = h["contents"]["value"].as_str().unwrap();
    assert!(text.contains("效力：") && text.contains("已核实："), "{text}");

    // Go to definition of that basis lands in the stdlib source written out read-only.
    let def = c.request(
        "textDocument/definition",
        json!({ "textDocument": { "uri": u }, "position": position(&original, b_at + 3) }),
    );
    let target = path_of(def["uri"].as_str().unwrap());
    assert!(target.ends_with("标准库/依据.xince"), "{target:?}");
    assert!(target.starts_with(&c.cache.0), "{target:?}");
    let std_text = std::fs::read_to_string(&target).unwrap();
    assert_eq!(std_text, xince_stdlib::source("标准库/依据.xince").unwrap());
    assert!(std::fs::metadata(&target).unwrap().permissions().readonly());
    let a = offset(&std_text, &def["range"]["start"]);
    let b = offset(&std_text, &def["range"]["end"]);
    assert_eq!(&std_text[a..b], "全国失信惩戒措施基础清单2021");

    // References to the county list: in this file and in the county policy that defines it.
    let refs = c.request(
        "textDocument/references",
        json!({ "textDocument": { "uri": u }, "position": position(&original, bad_at), "context": { "includeDeclaration": true } }),
    );
    let files: Vec<PathBuf> = refs.as_array().unwrap().iter().map(|l| path_of(l["uri"].as_str().unwrap())).collect();
    assert_eq!(files.iter().filter(|f| **f == path).count(), 3, "{files:?}");
    assert!(files.iter().any(|f| f.ends_with("重庆市/巫山县/政策.xince")), "{files:?}");

    // Completion of a value compared with 记录.严重程度: the 严重程度 vocabulary, not record types.
    let field_at = at(&original, "属于 [一般", 0) + "属于 [".len();
    let items = c.request(
        "textDocument/completion",
        json!({ "textDocument": { "uri": u }, "position": position(&original, field_at) }),
    );
    let labels: Vec<&str> = items.as_array().unwrap().iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert!(labels.contains(&"轻微") && labels.contains(&"一般") && labels.contains(&"严重"), "{labels:?}");
    assert!(!labels.contains(&"行政处罚"), "{labels:?}");

    // Completion after `在 `: list names.
    let on_at = at(&original, "在 严重失信主体名单", 0) + "在 ".len();
    let items = c.request(
        "textDocument/completion",
        json!({ "textDocument": { "uri": u }, "position": position(&original, on_at) }),
    );
    let labels: Vec<&str> = items.as_array().unwrap().iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert!(labels.contains(&"严重失信主体名单") && labels.contains(&"失信被执行人名单"), "{labels:?}");

    // Completion of a list's period: durations and the repair regimes.
    let county = std::fs::read_to_string(repo().join("policies/重庆市/巫山县/政策.xince")).unwrap();
    let county_uri = uri(&repo().join("policies/重庆市/巫山县/政策.xince"));
    c.open(&county_uri, &county);
    c.diagnostics(&county_uri, 1);
    let period_at = at(&county, "期限: 国家信用修复制度", 0) + "期限: ".len();
    let items = c.request(
        "textDocument/completion",
        json!({ "textDocument": { "uri": county_uri }, "position": position(&county, period_at) }),
    );
    let labels: Vec<&str> = items.as_array().unwrap().iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert!(labels.contains(&"国家信用修复制度") && labels.contains(&"3年"), "{labels:?}");

    // Formatting: a mangled layout comes back as `xince fmt` would write it.
    let mangled = original.replace("  类别: 惩戒", "类别:惩戒").replace("  出处: 第5条", "    出处:   第5条");
    assert_ne!(mangled, original);
    c.change(&u, 4, &mangled);
    c.diagnostics(&u, 4);
    let edits = c.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": u }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    let formatted = apply(&mangled, edits.as_array().unwrap());
    assert_eq!(formatted, xince_lang::format::format(&mangled).unwrap());
    assert_eq!(formatted, original);

    // Outline, folding and semantic tokens cover the items (on the original text again).
    c.change(&u, 5, &original);
    c.diagnostics(&u, 5);
    let symbols = c.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": u } }));
    let names: Vec<&str> = symbols.as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"法律服务行业失信惩戒") && names.contains(&"法律服务绿色通道"), "{names:?}");
    let folds = c.request("textDocument/foldingRange", json!({ "textDocument": { "uri": u } }));
    assert!(folds.as_array().unwrap().len() >= 5, "{folds}");
    let tokens = c.request("textDocument/semanticTokens/full", json!({ "textDocument": { "uri": u } }));
    let data = tokens["data"].as_array().unwrap();
    assert_eq!(data.len() % 5, 0);
    assert!(data.len() / 5 > 50, "{}", data.len());
    // Decoded: (line, start, type) of each token; the legend's types are announced in `initialize`.
    let (mut line, mut col, mut decoded) = (0u64, 0u64, Vec::new());
    for t in data.chunks(5) {
        let (dl, ds, ty) = (t[0].as_u64().unwrap(), t[1].as_u64().unwrap(), t[3].as_u64().unwrap());
        col = if dl == 0 { col + ds } else { ds };
        line += dl;
        decoded.push((line, col, ty));
    }
    let type_at = |off: usize| {
        let p = position(&original, off);
        let (l, ch) = (p["line"].as_u64().unwrap(), p["character"].as_u64().unwrap());
        decoded.iter().find(|(a, b, _)| *a == l && *b == ch).map(|t| t.2)
    };
    let legend: Vec<String> = serde_json::from_value(c.legend.clone()).unwrap();
    let name = |i: Option<u64>| i.map(|i| legend[i as usize].clone());
    assert_eq!(name(type_at(bad_at)).as_deref(), Some("class"), "a list name");
    assert_eq!(name(type_at(at(&original, "  类别:", 0) + 2)).as_deref(), Some("property"), "a clause name");
    assert_eq!(name(type_at(v_at)).as_deref(), Some("enumMember"), "a vocabulary value");
    assert_eq!(name(type_at(at(&original, "且", 0))).as_deref(), Some("keyword"), "an expression keyword");
    assert_eq!(name(type_at(at(&original, "// 巫山县", 0))).as_deref(), Some("comment"));

    c.shutdown();
}

#[test]
fn english_clients_get_english_and_a_missing_citation_gets_a_clause() {
    let path = repo().join(SEED);
    let original = std::fs::read_to_string(&path).unwrap();
    let u = uri(&path);
    let mut c = Client::start("en-US", "english");
    let broken = original.replacen("  出处: 第13条\n", "", 1);
    c.open(&u, &broken);
    let d = c.diagnostics(&u, 1);
    let e = d.iter().find(|d| d["code"] == "E0510").unwrap_or_else(|| panic!("no E0510 in {d:#?}"));
    assert!(e["message"].as_str().unwrap().contains("has no citation"), "{e}");
    let actions = c.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": u }, "range": e["range"], "context": { "diagnostics": [e] } }),
    );
    let add = actions.as_array().unwrap().iter().find(|a| a["title"].as_str().unwrap().contains("出处")).unwrap();
    let with_clause = apply(&broken, add["edit"]["changes"][&u].as_array().unwrap());
    // The clause lands inside the rule, before its closing brace, for the drafter to fill in.
    let rule = &with_clause[at(&with_clause, "措施 法律服务行业失信惩戒", 0)..];
    let rule = &rule[..rule.find("\n}").unwrap() + 2];
    assert!(rule.ends_with("  出处: 第条\n}"), "{rule}");
    c.change(&u, 2, &with_clause);
    let d = c.diagnostics(&u, 2);
    assert!(!codes(&d).contains(&"E0510".to_string()), "{d:#?}");
    c.shutdown();
}

/// The example of an error page (the first ```xince block), without trailing `//` remarks.
fn example(page: &str) -> Option<String> {
    let start = page.find("```xince\n")? + "```xince\n".len();
    let end = start + page[start..].find("```")?;
    let lines: Vec<String> = page[start..end]
        .lines()
        .map(|l| match l.find("   //") {
            Some(i) => l[..i].trim_end().to_string(),
            None => l.to_string(),
        })
        .collect();
    Some(lines.join("\n"))
}

const ITEM_WORDS: [&str; 9] = ["政策", "模块", "名单", "措施", "激励", "修复制度", "引用", "词表", "/*"];

/// Documents an example may mean, most literal first: a seed policy with the example's clause lines in place of
/// the first lines with the same keys (in every item that has them), or the example appended as items, or a
/// hand-written fixture where the page elides text with `…`.
fn candidates(code: &str, ex: &str, bases: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let fixture = repo().join(format!("tests/lsp/errors/{code}.xince"));
    if let Ok(t) = std::fs::read_to_string(&fixture) {
        out.push(t);
    }
    if code == "E0213" {
        // "一百多层": written out here rather than as a fixture file, since the published pest grammar has no
        // depth limit (lang/tests/grammar_agreement.rs walks every .xince file of the repository).
        let deep = format!("{}真{}", "(".repeat(200), ")".repeat(200));
        out.push(format!("{}\n名单 深 {{\n  类别: 红名单\n  出处: 第1条\n  纳入: {deep}\n}}\n", bases[0]));
    }
    if ex.contains('…') {
        return out;
    }
    let first = ex.trim_start();
    let keyish = |l: &str| l.split_once([':', '：']).map(|(k, _)| k.trim().to_string());
    for base in bases {
        if ITEM_WORDS.iter().any(|w| first.starts_with(w)) || !first.contains(':') {
            out.push(format!("{base}\n{ex}\n"));
        }
        let lines: Vec<&str> = ex.lines().collect();
        if let Some(key) = keyish(lines[0]).filter(|k| !k.contains(' ')) {
            let prefix = format!("  {key}:");
            for (i, _) in base.match_indices(&prefix) {
                let end = i + base[i..].find('\n').unwrap_or(base.len() - i);
                let body: Vec<String> = lines.iter().map(|l| format!("  {}", l.trim_start())).collect();
                let mut doc = base.clone();
                doc.replace_range(i..end, &body.join("\n"));
                out.push(doc);
            }
            // A key no item of the base has: as a new clause of its first rule.
            if let Some(i) = base.find("\n措施 ").and_then(|m| base[m..].find("{\n").map(|b| m + b + 2)) {
                let mut doc = base.clone();
                doc.insert_str(
                    i,
                    &format!(
                        "{}\n",
                        lines.iter().map(|l| format!("  {}", l.trim_start())).collect::<Vec<_>>().join("\n")
                    ),
                );
                out.push(doc);
            }
        }
    }
    out
}

#[test]
fn every_documented_diagnostic_arrives_over_lsp_with_its_code_and_range() {
    let seeds = [SEED, "policies/重庆市/巫山县/政策.xince", "policies/重庆市/梁平区/政策.xince"];
    let bases: Vec<String> = seeds.iter().map(|s| std::fs::read_to_string(repo().join(s)).unwrap()).collect();
    let mut pages: Vec<PathBuf> = std::fs::read_dir(repo().join("docs/errors"))
        .unwrap()
        .map(|e| e.unwrap().path())
        // Compiler diagnostics (`E0301`, `W0513` …); host codes (`E_REQ_JSON` …) are not about source text.
        .filter(|p| {
            p.file_stem().is_some_and(|s| {
                let s = s.to_string_lossy();
                s.len() == 5 && s.starts_with(['E', 'W']) && s[1..].bytes().all(|b| b.is_ascii_digit())
            })
        })
        .collect();
    pages.sort();
    let mut c = Client::start("zh-CN", "errors");
    // A scratch document beside the seed, so its upper level and the stdlib resolve as for a real policy.
    let scratch = repo().join("policies/重庆市/巫山县/司法局/lsp-scratch.xince");
    let u = uri(&scratch);
    c.open(&u, &bases[0]);
    c.diagnostics(&u, 1);
    let mut version = 1;
    let (mut walked, mut missing) = (0, Vec::new());
    for page in &pages {
        let code = page.file_stem().unwrap().to_string_lossy().to_string();
        let Some(ex) = example(&std::fs::read_to_string(page).unwrap()) else { continue };
        // E0307 ("not a policy file") is raised by `xince build` for a file that is not a policy, not by the
        // checks of a file's text; the editor shows a module without it, as `xince check` does.
        if code == "E0307" {
            continue;
        }
        walked += 1;
        let mut found = false;
        for doc in candidates(&code, &ex, &bases) {
            version += 1;
            c.change(&u, version, &doc);
            let diags = c.diagnostics(&u, version);
            if let Some(d) = diags.iter().find(|d| d["code"] == code.as_str()) {
                let (a, b) = (offset(&doc, &d["range"]["start"]), offset(&doc, &d["range"]["end"]));
                assert!(a <= b && b <= doc.len(), "{code}: range {d}");
                let sev = if code.starts_with('E') { 1 } else { 2 };
                assert_eq!(d["severity"], sev, "{code}: {d}");
                assert!(d["codeDescription"]["href"].as_str().unwrap().ends_with(&format!("{code}.md")));
                found = true;
                break;
            }
        }
        if !found {
            missing.push(code);
        }
    }
    assert!(walked >= 40, "only {walked} pages with examples");
    assert!(missing.is_empty(), "codes whose example did not arrive over LSP: {missing:?}");
    c.shutdown();
}
