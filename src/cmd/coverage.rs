//! `xince coverage <policy dir or file>`: the written reading of every article of the source document, next to
//! the rules that encode it (from the compiled manifest's citations) or the reason it carries none. Fails when a
//! rule-bearing article has no rule and no stated reason, when the file names a rule the policy does not have or
//! leaves out a rule that cites the article, when a rule cites an article the file does not list, or when a
//! quote is not in the source text. `--init <seed>` scaffolds a coverage file from a document's articles.
//! The file format is in docs/language.md §9.

use crate::cmd::Format;
use crate::cmd::test::{POLICY_FILE, load_compiler};
use crate::ui::Ui;
use anyhow::Context;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The coverage file in each policy directory.
pub const COVERAGE_FILE: &str = "coverage.json";

#[derive(clap::Args)]
pub struct Args {
    /// 政策目录或其 政策.xince（目录中须有 coverage.json）/ the policy directory or its 政策.xince (with coverage.json)
    #[arg(required_unless_present = "init")]
    pub policy: Option<PathBuf>,
    /// 由原文逐条生成 coverage.json 草稿（输出到标准输出）/ scaffold a coverage file from a document's articles (to stdout)
    #[arg(long, value_name = "原文.txt")]
    pub init: Option<PathBuf>,
    /// 不显示原文与解读，只列规则 / list the rules only, without quotes and readings
    #[arg(long)]
    pub brief: bool,
    /// 输出格式：text（默认）或 json / output format
    #[arg(long, value_name = "text|json", default_value = "text")]
    pub format: Format,
    /// 输出 docs/policies.md 用的 Markdown 表（条款、原文、解读、规则）/ print the Markdown table docs/policies.md carries
    #[arg(long, conflicts_with = "format")]
    pub markdown: bool,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CoverageFile {
    pub policy: String,
    pub document: String,
    #[serde(default)]
    pub numbering: Option<String>,
    /// The source document's text, relative to the policy directory (quotes are checked against it).
    #[serde(default)]
    pub source: Option<String>,
    pub articles: Vec<Article>,
}

/// A quote: one passage, or several.
#[derive(Deserialize, Serialize, Clone)]
#[serde(untagged)]
pub enum Quote {
    One(String),
    Many(Vec<String>),
}

impl Quote {
    pub fn parts(&self) -> Vec<&str> {
        match self {
            Quote::One(s) => vec![s.as_str()],
            Quote::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

/// What an article needs from the language or the national layer (issue 13's numbered items).
#[derive(Deserialize, Serialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct Need {
    /// `language N` (issue 13, "Build: the language", item N), `national N` ("Build: the national layer"), or
    /// `facts` (a national fact with a source is missing from the stdlib).
    pub item: String,
    pub what: String,
}

#[derive(Deserialize, Serialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct Article {
    pub article: String,
    /// True for an article that states who is listed, what follows, for how long, how it ends, or who is
    /// rewarded; absent (undecided, as `--init` writes it) is an error.
    #[serde(default)]
    pub rule_bearing: Option<bool>,
    /// The words the reading turns on, exactly as in the source (`…` separates omitted text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<Quote>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reading: Option<String>,
    /// Other readings the text allows, and why this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alternatives: Option<String>,
    /// The rules (names, any level) that encode the article.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<String>,
    /// What the current language cannot say yet.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub needs: Vec<Need>,
    /// Why the article carries no rule of its own (one line).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `--init` only: the article's opening as the scaffold found it (for the drafter's orientation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opening: Option<String>,
}

/// Reads the coverage file of a policy directory, if it has one.
pub fn read_coverage(dir: &Path) -> anyhow::Result<Option<CoverageFile>> {
    let path = dir.join(COVERAGE_FILE);
    if !path.is_file() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path).with_context(|| path.display().to_string())?;
    let cov = serde_json::from_str(&text).with_context(|| format!("{}: 格式错误 / malformed", path.display()))?;
    Ok(Some(cov))
}

/// The source document's text named by the coverage file, if any.
pub fn read_source(dir: &Path, cov: &CoverageFile) -> anyhow::Result<Option<String>> {
    match &cov.source {
        None => Ok(None),
        Some(rel) => {
            let path = dir.join(rel);
            let text = std::fs::read_to_string(&path).with_context(|| path.display().to_string())?;
            Ok(Some(text))
        }
    }
}

/// Whether `part` occurs in `source`, ignoring whitespace (documents break lines mid-sentence).
pub fn contains_text(source: &str, part: &str) -> bool {
    let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let part = squash(part);
    !part.is_empty() && squash(source).contains(&part)
}

fn valid_need_item(item: &str) -> bool {
    let n = |s: &str, max: u32| s.parse::<u32>().is_ok_and(|n| (1..=max).contains(&n));
    match item.split_once(' ') {
        _ if item == "facts" => true,
        Some(("language", k)) => n(k, 9),
        Some(("national", k)) => n(k, 4),
        _ => false,
    }
}

pub fn run(args: Args, ui: &Ui) -> anyhow::Result<ExitCode> {
    if let Some(seed) = &args.init {
        let text = std::fs::read_to_string(seed).with_context(|| seed.display().to_string())?;
        let articles = scaffold_articles(&text);
        if articles.is_empty() {
            anyhow::bail!("{}: {}", seed.display(), ui.t("没有找到编号的条款", "no numbered articles found"));
        }
        let file = CoverageFile {
            policy: crate::cmd::test::expect::TODO.into(),
            document: crate::cmd::test::expect::TODO.into(),
            numbering: None,
            source: seed.file_name().map(|n| n.to_string_lossy().into_owned()),
            articles,
        };
        println!("{}", serde_json::to_string_pretty(&file)?);
        eprintln!(
            "{}",
            ui.t(
                "请为每条写明 rule_bearing；规则性条款写 quote、reading、rules（或 needs），其余写 reason；删去 opening。",
                "Decide rule_bearing for each article; give rule-bearing ones quote, reading and rules (or needs), the rest a reason; drop opening."
            )
        );
        return Ok(ExitCode::SUCCESS);
    }
    let Some(given) = args.policy else {
        anyhow::bail!("{}", ui.t("须给政策目录", "a policy directory is needed"))
    };
    let dir = if given.is_file() { given.parent().map(Path::to_path_buf).unwrap_or_default() } else { given };
    let dir = if dir.as_os_str().is_empty() { PathBuf::from(".") } else { dir };
    let cov = read_coverage(&dir)?.ok_or_else(|| {
        anyhow::anyhow!("{}: {}", dir.join(COVERAGE_FILE).display(), ui.t("没有覆盖文件", "no coverage file"))
    })?;
    let source = read_source(&dir, &cov)?;

    let compiler = load_compiler(std::slice::from_ref(&dir), std::slice::from_ref(&dir))?;
    let path = dir.join(POLICY_FILE).display().to_string();
    let program = compiler.program(&path).map_err(|d| {
        anyhow::anyhow!(
            "{}\n{}",
            ui.t("政策编译失败", "the policy does not compile"),
            compiler.render(&d, ui.lang, false)
        )
    })?;
    let m = &program.manifest;
    let own_doc = m.policy.document.as_str();

    // Every rule the policy has (its own and its upper levels'), and the articles its own rules cite.
    let mut known: Vec<String> = Vec::new();
    let mut cited: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut add = |name: &str, c: &xince_abi::manifest::Citation| {
        known.push(name.to_string());
        if c.document == own_doc && !c.article.is_empty() {
            cited.entry(c.article.clone()).or_default().push(name.to_string());
        }
    };
    for l in &m.lists {
        add(&l.name, &l.citation);
    }
    for x in &m.measures {
        add(&x.name, &x.citation);
    }
    for x in &m.incentives {
        add(&x.name, &x.citation);
    }
    for x in &m.notifications {
        add(&x.name, &x.citation);
    }
    if let Some(g) = &m.grading {
        add(&g.name, &g.citation);
    }
    if let Some(o) = &m.objection {
        add("异议", &o.citation);
    }

    let mut rows = Vec::new();
    let mut total_problems = 0usize;
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for a in &cov.articles {
        let mut problems = Vec::new();
        let citing = cited.get(&a.article).cloned().unwrap_or_default();
        let state = match a.rule_bearing {
            None => {
                problems.push(ui.t("未写 rule_bearing（是否规则性条款）", "rule_bearing not decided").to_string());
                "undecided"
            }
            Some(false) => {
                if a.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
                    problems.push(ui.t("无规则的条款须写明理由", "an article with no rule needs a reason").into());
                }
                if !citing.is_empty() {
                    problems.push(format!(
                        "{}: {}",
                        ui.t("标为无规则，却有规则引用它", "marked not rule-bearing, yet rules cite it"),
                        citing.join("、")
                    ));
                }
                "not_rule"
            }
            Some(true) => {
                match &a.quote {
                    None => problems
                        .push(ui.t("规则性条款须引原文（quote）", "a rule-bearing article needs its quote").into()),
                    Some(q) => {
                        for part in q.parts().iter().flat_map(|p| p.split('…')).filter(|p| !p.trim().is_empty()) {
                            if let Some(src) = &source
                                && !contains_text(src, part)
                            {
                                problems.push(format!(
                                    "{}「{part}」",
                                    ui.t("原文中没有这段引文：", "the source does not contain the quote: ")
                                ));
                            }
                        }
                    }
                }
                if a.reading.as_deref().is_none_or(|r| r.trim().is_empty()) {
                    problems
                        .push(ui.t("规则性条款须写解读（reading）", "a rule-bearing article needs its reading").into());
                }
                for r in &a.rules {
                    if !known.contains(r) {
                        let hint = crate::cmd::test::expect::did_you_mean(r, known.iter().map(String::as_str))
                            .map(|b| format!("（{}「{b}」？）", ui.t("是不是", "did you mean")))
                            .unwrap_or_default();
                        problems.push(format!("{}「{r}」{hint}", ui.t("政策中没有规则", "the policy has no rule")));
                    }
                }
                for c in &citing {
                    if !a.rules.contains(c) {
                        problems.push(format!(
                            "{}「{c}」",
                            ui.t("rules 漏写了引用本条的规则", "rules leaves out a rule citing this article:")
                        ));
                    }
                }
                for n in &a.needs {
                    if !valid_need_item(&n.item) {
                        problems.push(format!(
                            "needs.item「{}」{}",
                            n.item,
                            ui.t(
                                "应为 language 1–9、national 1–4（issue 13 的编号）或 facts",
                                "must be language 1–9, national 1–4 (issue 13's items) or facts"
                            )
                        ));
                    }
                }
                if a.rules.is_empty() && a.needs.is_empty() && a.reason.is_none() {
                    problems.push(
                        ui.t(
                            "规则性条款既无规则，也未写明缺少什么（needs）或理由（reason）",
                            "a rule-bearing article with no rule, no needs and no reason",
                        )
                        .into(),
                    );
                }
                match (a.rules.is_empty(), a.needs.is_empty()) {
                    (false, true) => "encoded",
                    (false, false) => "partly_encoded",
                    (true, false) => "needs_construct",
                    (true, true) => "elsewhere",
                }
            }
        };
        let state = if problems.is_empty() { state } else { "problem" };
        *counts.entry(state).or_default() += 1;
        total_problems += problems.len();
        rows.push((a, state, problems));
    }
    let mut orphans = Vec::new();
    for (article, rules) in &cited {
        if !cov.articles.iter().any(|a| &a.article == article) {
            orphans.push(json!({"article": article, "rules": rules}));
        }
    }
    total_problems += orphans.len();

    if args.markdown {
        print!("{}", markdown(&cov));
    } else if args.format == Format::Json {
        let articles: Vec<Value> = rows
            .iter()
            .map(|(a, state, problems)| {
                let mut v = serde_json::to_value(a).unwrap_or(Value::Null);
                if let Some(o) = v.as_object_mut() {
                    o.insert("state".into(), Value::from(*state));
                    o.insert("problems".into(), json!(problems));
                }
                v
            })
            .collect();
        let out = json!({
            "policy": m.policy.name, "document": m.policy.document, "articles": articles,
            "uncovered_citations": orphans, "counts": counts, "problems": total_problems,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        println!("{} {}（{}）", ui.t("覆盖情况", "coverage of"), m.policy.name, m.policy.document);
        println!(
            "  {}",
            ui.t(
                "✓ 已编码 · ◐ 部分编码（另缺构造）· ○ 待语言支持 · ↗ 由他处编码 · · 无规则 · ✗ 问题",
                "✓ encoded · ◐ partly (a construct missing) · ○ awaiting a construct · ↗ encoded elsewhere · · no rule · ✗ problem"
            )
        );
        for (a, state, problems) in &rows {
            let mark = match *state {
                "encoded" => "✓",
                "partly_encoded" => "◐",
                "needs_construct" => "○",
                "elsewhere" => "↗",
                "not_rule" => "·",
                _ => "✗",
            };
            let head =
                if a.rule_bearing == Some(false) { a.reason.clone().unwrap_or_default() } else { a.rules.join("、") };
            println!("  {mark} {:<12} {head}", a.article);
            if a.rule_bearing == Some(true) && !args.brief {
                if let Some(q) = &a.quote {
                    for p in q.parts() {
                        println!("      {}「{p}」", ui.t("原文：", "text: "));
                    }
                }
                if let Some(r) = &a.reading {
                    println!("      {}{r}", ui.t("解读：", "reading: "));
                }
                if let Some(r) = &a.alternatives {
                    println!("      {}{r}", ui.t("其他读法：", "alternatives: "));
                }
                if let Some(r) = &a.reason {
                    println!("      {}{r}", ui.t("说明：", "note: "));
                }
            }
            for n in &a.needs {
                let by = if n.item == "facts" { String::from("facts") } else { format!("issue 13 {}", n.item) };
                println!("      {} {by}：{}", ui.t("缺", "needs"), n.what);
            }
            for p in problems {
                println!("      ✗ {p}");
            }
        }
        for o in &orphans {
            println!(
                "  ✗ {:<12} {}: {}",
                o["article"].as_str().unwrap_or_default(),
                ui.t("规则引用了 coverage.json 中没有的条款", "rules cite an article missing from coverage.json"),
                o["rules"]
            );
        }
        let c = |k: &str| counts.get(k).copied().unwrap_or(0);
        println!(
            "{} {}：{} {}，{} {}，{} {}，{} {}，{} {}；{} {total_problems}",
            ui.t("条款", "articles"),
            cov.articles.len(),
            ui.t("已编码", "encoded"),
            c("encoded"),
            ui.t("部分编码", "partly encoded"),
            c("partly_encoded"),
            ui.t("待语言支持", "awaiting a construct"),
            c("needs_construct"),
            ui.t("由他处编码", "encoded elsewhere"),
            c("elsewhere"),
            ui.t("无规则", "not rule-bearing"),
            c("not_rule"),
            ui.t("问题", "problems"),
        );
    }
    Ok(if total_problems == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// The article table for docs/policies.md: every rule-bearing article with its quote, reading and rules (or
/// what it needs), then the articles without rules in one line each.
pub fn markdown(cov: &CoverageFile) -> String {
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    let mut out = String::from("| 条款 | 原文 | 解读 | 规则 / 缺 |\n|---|---|---|---|\n");
    for a in cov.articles.iter().filter(|a| a.rule_bearing == Some(true)) {
        let quote = a.quote.as_ref().map(|q| q.parts().iter().map(|p| format!("「{p}」")).collect::<String>());
        let mut rules: Vec<String> = a.rules.iter().map(|r| format!("`{r}`")).collect();
        rules.extend(a.needs.iter().map(|n| {
            let by = if n.item == "facts" { String::from("facts") } else { format!("issue 13 {}", n.item) };
            format!("缺 {by}：{}", n.what)
        }));
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            a.article,
            cell(&quote.unwrap_or_default()),
            cell(a.reading.as_deref().unwrap_or_default()),
            cell(&rules.join("；"))
        ));
    }
    let others: Vec<String> = cov
        .articles
        .iter()
        .filter(|a| a.rule_bearing != Some(true))
        .map(|a| format!("{}（{}）", a.article, a.reason.as_deref().unwrap_or("未定")))
        .collect();
    out.push_str(&format!("\n无规则的条款 / articles without rules：{}\n", others.join("；")));
    out
}

/// Chinese numerals up to 99 (一 … 九十九), for chapter and section headings.
fn cn_number(s: &str) -> Option<u32> {
    let digit = |c: char| "零一二三四五六七八九".chars().position(|d| d == c).map(|p| p as u32);
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        [c] if *c == '十' => Some(10),
        [c] => digit(*c),
        ['十', b] => Some(10 + digit(*b)?),
        [a, '十'] => Some(digit(*a)? * 10),
        [a, '十', b] => Some(digit(*a)? * 10 + digit(*b)?),
        _ => None,
    }
}

/// Splits a line that starts with a marker: `三、` (section), `（二）` (subsection), `12.`/`12．` (item),
/// `第三章`, `第一节`, `专栏六`. Returns (kind, label, rest of the line).
fn marker(line: &str) -> Option<(&'static str, String, String)> {
    let l = line.trim_start_matches(|c: char| c.is_whitespace() || c == '#' || c == '*').trim_end();
    if l.contains(".....") || l.contains("…………") {
        return None; // a table of contents
    }
    let digits: String = l.chars().take_while(char::is_ascii_digit).collect();
    if !digits.is_empty() {
        let rest = &l[digits.len()..];
        let rest = rest.strip_prefix('.').or_else(|| rest.strip_prefix('．'))?;
        return Some(("item", digits, rest.trim().to_string()));
    }
    if let Some(rest) = l.strip_prefix('（') {
        let (num, after) = rest.split_once('）')?;
        cn_number(num)?;
        return Some(("sub", format!("（{num}）"), after.trim().to_string()));
    }
    if let Some(rest) = l.strip_prefix('第') {
        for (kind, ch) in [("chapter", '章'), ("section", '节')] {
            if let Some((num, after)) = rest.split_once(ch)
                && cn_number(num).is_some()
            {
                return Some((kind, format!("第{num}{ch}"), after.trim().to_string()));
            }
        }
        return None;
    }
    if let Some(rest) = l.strip_prefix("专栏") {
        let num: String = rest.chars().take_while(|c| "一二三四五六七八九十".contains(*c)).collect();
        cn_number(&num)?;
        return Some(("box", format!("专栏{num}"), rest[num.len()..].trim().to_string()));
    }
    let (num, after) = l.split_once('、')?;
    cn_number(num)?;
    Some(("top", num.to_string(), after.trim().to_string()))
}

/// The articles of a document, in order, named as the document numbers them: continuous item numbers as
/// `第N条`; items whose numbers restart as `一（二）1`; chapters' sections as `第四章第三节`; boxes as `专栏六`.
pub fn scaffold_articles(text: &str) -> Vec<Article> {
    struct Item {
        top: String,
        /// Which occurrence of a top-level section (an annex may repeat the body's `三、`).
        top_at: usize,
        sub: String,
        num: u32,
        opening: String,
    }
    let (mut top, mut sub, mut chapter) = (String::new(), String::new(), String::new());
    let mut top_at = 0usize;
    let mut items: Vec<Item> = Vec::new();
    let mut others: Vec<(usize, String, String)> = Vec::new(); // (position among items, name, opening)
    let mut seen = std::collections::BTreeSet::new();
    for line in text.lines() {
        let Some((kind, label, rest)) = marker(line) else { continue };
        let opening: String = rest.chars().take(40).collect();
        match kind {
            "top" => {
                top = label;
                top_at += 1;
                sub.clear();
            }
            "sub" => sub = label,
            "chapter" => chapter = label,
            "section" if !chapter.is_empty() => {
                let name = format!("{chapter}{label}");
                if seen.insert(name.clone()) {
                    others.push((items.len(), name, opening));
                }
            }
            "box" if seen.insert(label.clone()) => others.push((items.len(), label, opening)),
            "item" if chapter.is_empty() => {
                if let Ok(num) = label.parse() {
                    items.push(Item { top: top.clone(), top_at, sub: sub.clone(), num, opening });
                }
            }
            _ => {}
        }
    }
    // Items numbered continuously through the document are 第N条; otherwise the top section whose numbering
    // runs on across its subsections (the longest such) is, and the rest are named by their place.
    let increasing = |xs: &[&Item]| xs.windows(2).all(|w| w[1].num > w[0].num);
    let all: Vec<&Item> = items.iter().collect();
    let continuous_top: Option<usize> = if increasing(&all) {
        None
    } else {
        let mut tops: Vec<usize> = items.iter().map(|i| i.top_at).collect();
        tops.dedup();
        tops.into_iter()
            .filter(|t| increasing(&items.iter().filter(|i| i.top_at == *t).collect::<Vec<_>>()))
            .max_by_key(|t| items.iter().filter(|i| i.top_at == *t).count())
    };
    let whole = continuous_top.is_none() && !items.is_empty();
    let mut out = Vec::new();
    let mut others = others.into_iter().peekable();
    for (i, it) in items.iter().enumerate() {
        while let Some((_, name, opening)) = others.next_if(|(pos, _, _)| *pos <= i) {
            out.push(scaffold_article(name, opening));
        }
        let name = if whole || continuous_top == Some(it.top_at) {
            format!("第{}条", it.num)
        } else {
            format!("{}{}{}", it.top, it.sub, it.num)
        };
        if seen.insert(name.clone()) {
            out.push(scaffold_article(name, it.opening.clone()));
        }
    }
    for (_, name, opening) in others {
        out.push(scaffold_article(name, opening));
    }
    out
}

fn scaffold_article(article: String, opening: String) -> Article {
    Article {
        article,
        rule_bearing: None,
        quote: None,
        reading: None,
        alternatives: None,
        rules: Vec::new(),
        needs: Vec::new(),
        reason: None,
        opening: Some(opening),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbering_restarting_under_another_section_is_named_by_place() {
        let text = "一、总体要求\n（二）基本原则。\n1．政府推动。\n2．重点攻坚。\n二、重点任务\n（一）归集。\n1．平台。\n\
                    2．公示。\n（二）奖惩。\n3．红名单。\n";
        let names: Vec<String> = scaffold_articles(text).into_iter().map(|a| a.article).collect();
        assert_eq!(names, ["一（二）1", "一（二）2", "第1条", "第2条", "第3条"]);
    }

    #[test]
    fn chapters_sections_and_boxes() {
        let text = "第三章 基础.....14\n### 第四章 监管\n#### 第一节 事前\n正文。\n## 专栏三：告知承诺制\n1.按照。\n";
        let names: Vec<String> = scaffold_articles(text).into_iter().map(|a| a.article).collect();
        assert_eq!(names, ["第四章第一节", "专栏三"]);
    }

    #[test]
    fn quotes_ignore_line_breaks() {
        assert!(contains_text("将违背信用承诺的市场主体\n\n列入重点监管范围", "市场主体列入重点监管"));
        assert!(!contains_text("甲乙", ""));
    }
}
