//! `xince coverage <policy-dir>`: shows, article by article, which rules encode the seed document (from the
//! compiled manifest's citations) or why an article carries no rule (from `coverage.json`). Fails when the file
//! claims an article is encoded but no rule cites it, or a rule cites an article the file does not list.

use crate::cmd::test::{POLICY_FILE, load_compiler};
use crate::ui::Ui;
use anyhow::Context;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// 政策目录（含 政策.xince 与 coverage.json）/ the policy directory (with 政策.xince and coverage.json)
    pub policy_dir: PathBuf,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum CoverageFile {
    Wrapped { articles: Vec<Article> },
    Bare(Vec<Article>),
}

#[derive(Deserialize)]
struct Article {
    article: String,
    encoded: bool,
    #[serde(default)]
    reason: Option<String>,
}

pub fn run(args: Args, ui: &Ui) -> anyhow::Result<ExitCode> {
    let dir = args.policy_dir;
    let cov_path = dir.join("coverage.json");
    let text = std::fs::read_to_string(&cov_path).with_context(|| cov_path.display().to_string())?;
    let articles = match serde_json::from_str::<CoverageFile>(&text)
        .with_context(|| format!("{}: {}", cov_path.display(), ui.t("格式错误", "malformed")))?
    {
        CoverageFile::Wrapped { articles } | CoverageFile::Bare(articles) => articles,
    };

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

    // article → rules citing it (only this policy's own rules: upper levels and the stdlib cite other documents).
    let mut cited: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut add = |kind: &str, name: &str, c: &xince_abi::manifest::Citation| {
        if c.document == own_doc && !c.article.is_empty() {
            cited.entry(c.article.clone()).or_default().push(format!("{kind} {name}"));
        }
    };
    for l in &m.lists {
        add("名单", &l.name, &l.citation);
    }
    for x in &m.measures {
        add("措施", &x.name, &x.citation);
    }
    for x in &m.incentives {
        add("激励", &x.name, &x.citation);
    }
    for x in &m.notifications {
        add("通报", &x.name, &x.citation);
    }
    if let Some(g) = &m.grading {
        add("分级", &g.name, &g.citation);
    }
    if let Some(o) = &m.objection {
        add("异议", "", &o.citation);
    }

    println!("{} {}（{}）", ui.t("覆盖情况", "coverage of"), m.policy.name, m.policy.document);
    let mut errors = Vec::new();
    let (mut encoded, mut not_rule) = (0usize, 0usize);
    for a in &articles {
        let rules = cited.get(&a.article);
        match (a.encoded, rules) {
            (true, Some(r)) => {
                encoded += 1;
                println!("  ✓ {:<12} {}", a.article, r.join("、"));
            }
            (true, None) => {
                println!(
                    "  ✗ {:<12} {}",
                    a.article,
                    ui.t("标为已编码，但没有规则引用它", "marked encoded, but no rule cites it")
                );
                errors.push(a.article.clone());
            }
            (false, r) => {
                not_rule += 1;
                let reason = a.reason.as_deref().unwrap_or("");
                println!("  · {:<12} {}", a.article, reason);
                if reason.is_empty() {
                    println!("      ✗ {}", ui.t("未编码的条款须写明理由", "an article not encoded needs a reason"));
                    errors.push(a.article.clone());
                }
                if let Some(r) = r {
                    println!("      {}: {}", ui.t("注意：仍有规则引用本条", "note: rules still cite it"), r.join("、"));
                }
            }
        }
    }
    for (article, rules) in &cited {
        if !articles.iter().any(|a| &a.article == article) {
            println!(
                "  ✗ {:<12} {}: {}",
                article,
                ui.t("规则引用了 coverage.json 中没有的条款", "rules cite an article missing from coverage.json"),
                rules.join("、")
            );
            errors.push(article.clone());
        }
    }
    println!(
        "{} {encoded}，{} {not_rule}，{} {}",
        ui.t("已编码", "encoded"),
        ui.t("无规则", "not rule-bearing"),
        ui.t("问题", "problems"),
        errors.len()
    );
    Ok(if errors.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
