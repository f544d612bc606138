//! The published pest grammar (`src/xince.pest`) and the real parser agree on accept/reject for every
//! `.xince` file in the repository, for a hand-written corpus, and for generated near-valid programs.
//! "Accept" for the real parser means: no error-severity diagnostic.

#![allow(clippy::unwrap_used)] // test helpers may unwrap

use pest::Parser as _;
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use xince_lang::Severity;

#[derive(pest_derive::Parser)]
#[grammar = "src/xince.pest"]
struct XincePest;

fn pest_accepts(src: &str) -> bool {
    XincePest::parse(Rule::file, src).is_ok()
}

fn parser_accepts(src: &str) -> bool {
    !xince_lang::parse(0, src).diagnostics.iter().any(|d| d.severity == Severity::Error)
}

/// `None` when they agree, else a description of the disagreement.
fn disagreement(src: &str) -> Option<String> {
    let pest = pest_accepts(src);
    let real = parser_accepts(src);
    if pest == real {
        return None;
    }
    let detail = if pest {
        let codes: Vec<_> = xince_lang::parse(0, src).diagnostics.iter().map(|d| d.code).collect();
        format!("parser rejects ({codes:?}), pest accepts")
    } else {
        let err = XincePest::parse(Rule::file, src).err().map(|e| e.to_string()).unwrap_or_default();
        format!("parser accepts, pest rejects:\n{err}")
    };
    Some(format!("{detail}\n--- source ---\n{src}\n---"))
}

fn xince_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if path.is_dir() {
            if name != "target" && !name.starts_with('.') {
                xince_files(&path, out);
            }
        } else if name.ends_with(".xince") {
            out.push(path);
        }
    }
}

#[test]
fn every_repository_file_agrees() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    xince_files(&root, &mut files);
    files.sort();
    assert!(files.iter().any(|f| f.ends_with("lang/tests/good/list.xince")), "corpus not found under {root:?}");
    let mut failures = Vec::new();
    for file in &files {
        let src = std::fs::read_to_string(file).unwrap();
        if let Some(d) = disagreement(&src) {
            failures.push(format!("{}: {d}", file.display()));
        }
    }
    assert!(failures.is_empty(), "{} of {} files disagree:\n{}", failures.len(), files.len(), failures.join("\n\n"));
}

#[test]
fn bad_corpus_is_rejected_and_good_corpus_accepted() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    for (sub, expect) in [("bad", false), ("good", true)] {
        let mut files = Vec::new();
        xince_files(&dir.join(sub), &mut files);
        assert!(!files.is_empty());
        for file in files {
            let src = std::fs::read_to_string(&file).unwrap();
            assert_eq!(parser_accepts(&src), expect, "parser on {}", file.display());
            assert_eq!(pest_accepts(&src), expect, "pest on {}", file.display());
        }
    }
}

/// Snippets that must be accepted by both.
const VALID: &[&str] = &[
    "",
    "// only a comment\n/* and a block\n comment */\n",
    "引用 标准库",
    "引用 标准库/名单; use std.lists\n",
    "异议 { 时限: 5工作日; 暂停: 是 }",
    "objection 兴山异议 {\n  时限: 5个工作日\n}",
    "政策 p {\n  编号: 重庆市/梁平区/信用体系建设实施方案\n  生效: 2017-07-24\n  失效: 2030年12月31日\n}",
    "依据 国办发〔2020〕49号 { 文号: \"国办发〔2020〕49号\"; 条: 第六条, 第6条第2款 }",
    "名单 a { 纳入: 记录.类型 == 行政处罚 且 记录.严重程度 == 严重 且 记录.领域 属于 [食品药品, 生态环境] }",
    "名单 a { 纳入: 记录.类型 ＝＝ 行政处罚 }",
    "名单 a {\n  纳入: 记录.类型 == 行政处罚\n    且 记录.金额 >= 10000\n    或 记录.标志 包含 拒不履行\n}",
    "名单 a { 纳入: (\n  a\n  或 b\n) }",
    "名单 a { 修复条件: 履行义务,\n  信用承诺\n  , 接受培训 }",
    "名单 a { 列: [\n  a,\n  b,\n] }",
    "名单 a { 列: [] }",
    "修复制度 r { 一般: 3个月 至 1年; 严重: 1年 to 3年 }",
    "激励 绿色通道 { 条件: 无 记录(记录.严重程度 属于 [一般, 严重]) 近 3年; 出处: 第26条 }",
    "激励 x { 条件: 计数 记录(记录.类型 == 行政处罚) 近 (1年) < 3 }",
    "激励 x { 条件: 存在\n 记录(\n 真\n ) }",
    "措施 m { 适用: 在 严重失信主体名单 或 on 重点关注名单 }",
    "措施 m { 适用: 非 非 a; 对象: 主体, 法定代表人 }",
    "措施 m { 适用: a not in [b, c] and not d; x: a 不属于 b }",
    "措施 m { 适用: a not\n in b }",
    "分级 g { 档: A级 当 无 记录(真) 近 3年, B级 当 真; 抽查: \"3%\" 当 A级 }",
    "通报 n { 条件: 主体.行业 属于 [机关事业单位, 国有企业] 且 在 严重失信主体名单 }",
    "承诺 c { 违诺: 记录.类型 == 违诺; 措施: 限制参与评先评优 }",
    "list a { category: black } measure b { basis: x }",
    "名单 a { 出处: 第四章第二节 }",
    "激励 信易批 { 出处: 专栏六第1项 }",
    "激励 信易租 { 出处: 第七章专栏六 }",
    "激励 专栏说明 { 出处: 专栏六 }",
    "名单 a { x: 记录 }",
    "名单 a { x: 非法人组织, 无锡, 当事人, 在职, 至少 }",
    "名单 a { x: 在严重失信主体名单 }",
    "名单 a { x: “引号” , 「括号」 }",
    "名单 a { x: 2024-02-29, 2000-02-29, 1 }",
    "名单 a\u{3000}{ x：（a）， 【b】；y: c }",
    "名单 a { x: a == b }名单 b { }",
    "名单 a { x: a\n  == b }",
    "名单 a { x: b /* 注释 */ }",
    "模块 标准库.名单 {\n}\n",
];

/// Snippets that must be rejected by both.
const INVALID: &[&str] = &[
    "名单 { x: a }",
    "名单 a",
    "名单 a { x: }",
    "名单 a { x: a b }",
    "名单 a { x: a == b == c }",
    "名单 a { x: a 至 b 至 c }",
    "名单 a { x: a = b }",
    "名单 a { x: (a }",
    "名单 a { x: [a b] }",
    "名单 a { x: [,] }",
    "名单 a { x: a,\n}",
    "名单 a { x: 存在 (a) }",
    "名单 a { x: 存在 记录\n(a) }",
    "名单 a { x: 存在 记录(a)\n 近 3年 }",
    "名单 a { x: 在 }",
    "名单 a { x: a.b/c }",
    "名单 a { x: a. b }",
    "名单 a { x: a .b }",
    "名单 a { x: 2023-02-29 }",
    "名单 a { x: 1900-02-29 }",
    "名单 a { x: 2024-13-01 }",
    "名单 a { x: 3周 }",
    "名单 a { x: 6月 }",
    "名单 a { x: 1.2.3 }",
    "名单 a { x: 1234567年 }",
    "名单 a { x: \"abc }",
    "名单 a { x: a @ b }",
    "名单 a { x: a } /* open",
    "名单 a { x:\n a }",
    "名单 a { x\n: a }",
    "名单 a { x: a\nnot in b }",
    "名单 a { 记录: a }",
    "名单 a { 第5条: a }",
    "名单 a { x: a 当 b 当 c }",
    "名单 a { x: a 当\n}",
    "}",
    "x: a",
    "引用",
    "引用 a { }",
    "引用 a 名单 b { }",
    "名单 a { x: a }\n}",
    "名单 a {\n x: a\n名单 b { y: c }",
    "名单 a { x: 国办发〔2020 }",
    "名单 a { x: a ! b }",
    "名单 a { x: == b }",
    "名单 a { x: a 且 }",
    "名单 a { x: 非 }",
    "名单 a { x: a == 非 b }",
    "名单 a { , }",
    "名单 a { x: a\n, }",
];

#[test]
fn hand_written_corpus() {
    let mut failures = Vec::new();
    for (corpus, expect) in [(VALID, true), (INVALID, false)] {
        for src in corpus {
            let (pest, real) = (pest_accepts(src), parser_accepts(src));
            if pest != expect || real != expect {
                failures.push(format!("expected accept={expect}, pest={pest}, parser={real}: {src:?}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---- generated programs ----

const NAMES: &[&str] = &[
    "a",
    "记录.类型",
    "行政处罚",
    "严重失信主体名单",
    "记录.严重程度",
    "主体.类型",
    "重庆市/梁平区",
    "记录",
    "非法人组织",
    "国办发〔2020〕49号",
];
const LITERALS: &[&str] = &[
    "\"文本\"",
    "“引号”",
    "「括号」",
    "3年",
    "6个月",
    "30日",
    "7个工作日",
    "2024-05-01",
    "2024年2月29日",
    "1.5",
    "100",
    "第5条",
    "第十九条",
    "第6条第2款",
    "真",
    "false",
];
const BINARY: &[&str] =
    &["且", "或", "and", "==", "!=", ">=", "＞", "<", "属于", "不属于", "not in", "包含", "至", "当"];
const ITEM_KWS: &[&str] = &["名单", "措施", "激励", "政策", "list", "分级", "异议", "依据"];
const CLAUSE_KEYS: &[&str] = &["类别", "纳入", "依据", "异议", "期限", "条件", "出处"];
/// Tokens inserted by mutations: valid ones in the wrong place, and invalid ones.
const NOISE: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ",",
    "，",
    "、",
    ";",
    "：",
    ":",
    "（",
    "】",
    ".",
    "/",
    "=",
    "＝",
    "!",
    "\n",
    "\n\n",
    "且",
    "非",
    "在",
    "存在",
    "记录",
    "近",
    "当",
    "至",
    "not",
    "in",
    "3周",
    "1.2.3",
    "2023-02-30",
    "\"未闭合",
    "@",
    "/*",
    "〔",
    "名单",
    "引用",
    "第5条",
    "a",
    "3年",
];

fn expr_tokens() -> impl Strategy<Value = Vec<String>> {
    let leaf = prop_oneof![
        prop::sample::select(NAMES).prop_map(|s| vec![s.to_string()]),
        prop::sample::select(LITERALS).prop_map(|s| vec![s.to_string()]),
    ];
    leaf.prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            (inner.clone(), prop::sample::select(BINARY), inner.clone()).prop_map(|(mut l, op, r)| {
                l.push(op.to_string());
                l.extend(r);
                l
            }),
            inner.clone().prop_map(|e| [vec!["(".to_string()], e, vec![")".to_string()]].concat()),
            (prop::sample::select(&["非", "not"][..]), inner.clone())
                .prop_map(|(k, e)| [vec![k.to_string()], e].concat()),
            prop::collection::vec(inner.clone(), 0..3).prop_map(|es| {
                let mut out = vec!["[".to_string()];
                for (i, e) in es.into_iter().enumerate() {
                    if i > 0 {
                        out.push(",".to_string());
                    }
                    out.extend(e);
                }
                out.push("]".to_string());
                out
            }),
            (prop::sample::select(&["存在", "无", "计数"][..]), inner.clone(), any::<bool>()).prop_map(
                |(q, e, within)| {
                    let mut out = vec![q.to_string(), "记录".to_string(), "(".to_string()];
                    out.extend(e);
                    out.push(")".to_string());
                    if within {
                        out.extend(["近".to_string(), "3年".to_string()]);
                    }
                    out
                }
            ),
            prop::sample::select(&["严重失信主体名单", "红名单"][..])
                .prop_map(|n| vec!["在".to_string(), n.to_string()]),
        ]
    })
}

fn clause_tokens() -> impl Strategy<Value = Vec<String>> {
    (prop::sample::select(CLAUSE_KEYS), any::<bool>(), prop::collection::vec(expr_tokens(), 1..3)).prop_map(
        |(key, colon, values)| {
            let mut out = vec![key.to_string()];
            if colon {
                out.push(":".to_string());
            }
            for (i, v) in values.into_iter().enumerate() {
                if i > 0 {
                    out.push(",".to_string());
                }
                out.extend(v);
            }
            out.push("\n".to_string());
            out
        },
    )
}

fn program_tokens() -> impl Strategy<Value = Vec<String>> {
    let item =
        (prop::sample::select(ITEM_KWS), prop::sample::select(NAMES), prop::collection::vec(clause_tokens(), 0..3))
            .prop_map(|(kw, name, clauses)| {
                let mut out = vec![kw.to_string()];
                if kw != "异议" {
                    out.push(name.to_string());
                }
                out.extend(["{".to_string(), "\n".to_string()]);
                out.extend(clauses.into_iter().flatten());
                out.extend(["}".to_string(), "\n".to_string()]);
                out
            });
    let use_item = Just(vec!["引用".to_string(), "标准库".to_string(), "\n".to_string()]);
    prop::collection::vec(prop_oneof![1 => use_item, 4 => item], 1..3)
        .prop_map(|items| items.into_iter().flatten().collect())
}

#[derive(Clone, Debug)]
enum Mutation {
    Delete(usize),
    Insert(usize, &'static str),
    Swap(usize),
    Glue(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::Delete),
        (any::<usize>(), prop::sample::select(NOISE)).prop_map(|(i, t)| Mutation::Insert(i, t)),
        any::<usize>().prop_map(Mutation::Swap),
        any::<usize>().prop_map(Mutation::Glue),
    ]
}

/// Joins tokens with spaces (or nothing where glued), sometimes a comment between them.
fn render(tokens: &[String], glued: &[usize], comment_after: Option<usize>) -> String {
    let mut out = String::new();
    for (i, t) in tokens.iter().enumerate() {
        out.push_str(t);
        if comment_after == Some(i) {
            out.push_str(" /* 注 */ ");
        } else if !glued.contains(&i) {
            out.push(' ');
        }
    }
    out
}

fn mutate(mut tokens: Vec<String>, mutations: &[Mutation]) -> (Vec<String>, Vec<usize>) {
    let mut glued = Vec::new();
    for m in mutations {
        let len = tokens.len().max(1);
        match *m {
            Mutation::Delete(i) if !tokens.is_empty() => {
                tokens.remove(i % len);
            }
            Mutation::Insert(i, t) => tokens.insert(i % (tokens.len() + 1), t.to_string()),
            Mutation::Swap(i) if tokens.len() > 1 => tokens.swap(i % (len - 1), i % (len - 1) + 1),
            Mutation::Glue(i) => glued.push(i % len),
            _ => {}
        }
    }
    (tokens, glued)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn generated_programs_agree(tokens in program_tokens(), comment in proptest::option::of(0usize..40)) {
        let src = render(&tokens, &[], comment);
        prop_assert!(disagreement(&src).is_none(), "{}", disagreement(&src).unwrap_or_default());
    }

    #[test]
    fn near_valid_programs_agree(tokens in program_tokens(), mutations in prop::collection::vec(mutation(), 1..4)) {
        let (tokens, glued) = mutate(tokens, &mutations);
        let src = render(&tokens, &glued, None);
        prop_assert!(disagreement(&src).is_none(), "{}", disagreement(&src).unwrap_or_default());
    }
}

#[test]
fn language_reference_examples_are_accepted() {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/language.md")).unwrap();
    let blocks: Vec<&str> = doc.split("```xince\n").skip(1).filter_map(|b| b.split("```").next()).collect();
    assert!(blocks.len() >= 2);
    for block in blocks {
        assert!(parser_accepts(block) && pest_accepts(block), "doc example rejected:\n{block}");
    }
}

/// The generators are only useful if they produce both accepted and rejected programs.
#[test]
fn generators_cover_both_outcomes() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let (mut valid_ok, mut near_ok, mut near_bad) = (0, 0, 0);
    for _ in 0..200 {
        let tokens = program_tokens().new_tree(&mut runner).unwrap().current();
        if parser_accepts(&render(&tokens, &[], None)) {
            valid_ok += 1;
        }
        let mutations = prop::collection::vec(mutation(), 1..4).new_tree(&mut runner).unwrap().current();
        let (tokens, glued) = mutate(tokens, &mutations);
        if parser_accepts(&render(&tokens, &glued, None)) { near_ok += 1 } else { near_bad += 1 }
    }
    eprintln!("valid accepted {valid_ok}, near-valid accepted {near_ok}, rejected {near_bad}");
    assert!(
        valid_ok >= 20 && near_ok >= 10 && near_bad >= 40,
        "valid accepted {valid_ok}, near-valid accepted {near_ok}, rejected {near_bad}"
    );
}

/// Parsing stays linear: a file of many items parses without a quadratic blow-up (checked by size, not time).
#[test]
fn large_input_parses_completely() {
    let item = "名单 a {\n  纳入: 记录.类型 == 行政处罚 且 记录.领域 属于 [食品药品, 生态环境] 或 存在 记录(真) 近 3年\n  出处: 第5条\n}\n";
    let src = item.repeat(5000);
    let parsed = xince_lang::parse(0, &src);
    assert_eq!(parsed.file.items.len(), 5000);
    assert!(parsed.diagnostics.is_empty());
}

/// The quoted alternatives of the pest rules that spell item keywords (`kw_use`, `kw_objection`,
/// `kw_block`), as (keyword, alias) pairs in grammar order.
fn pest_item_keywords() -> Vec<String> {
    let grammar = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/xince.pest")).unwrap();
    let mut words = Vec::new();
    let mut in_rule = false;
    for line in grammar.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("kw_use") || trimmed.starts_with("kw_objection") || trimmed.starts_with("kw_block") {
            in_rule = true;
        } else if in_rule && !line.starts_with(' ') {
            in_rule = false;
        }
        if in_rule {
            let body = line.split("~ !ident_char").next().unwrap_or(line);
            words.extend(body.split('"').skip(1).step_by(2).map(str::to_string));
        }
    }
    words
}

#[test]
fn the_keyword_table_is_the_one_the_grammar_and_the_docs_use() {
    use xince_lang::ast::ITEM_KEYWORDS;
    let mut from_table: Vec<String> = ITEM_KEYWORDS.iter().flat_map(|k| [k.zh.to_string(), k.en.to_string()]).collect();
    let mut from_pest = pest_item_keywords();
    from_table.sort();
    from_pest.sort();
    assert_eq!(from_pest, from_table, "src/xince.pest and ast::ITEM_KEYWORDS name different item keywords");
    let docs = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/language.md")).unwrap();
    for k in ITEM_KEYWORDS {
        assert!(docs.contains(&format!("`{}`", k.zh)), "docs/language.md never shows the keyword `{}`", k.zh);
        assert_eq!(xince_lang::parser::item_kind(k.zh), Some(k.kind));
        assert_eq!(xince_lang::parser::item_kind(k.en), Some(k.kind));
        assert_eq!(k.kind.keyword(), k.zh);
    }
}
