//! `xince diff OLD NEW [--format text|markdown|json] [--population subjects.jsonl]`: compare two versions of
//! a policy rule by rule (from compiled modules or from sources), and optionally replay a population through
//! both to see who enters and who leaves each list.

use crate::cmd::check;
use crate::progress::{Progress, Unit};
use crate::ui::Ui;
use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use xince_abi::manifest::Manifest;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Text,
    Markdown,
    Json,
}

#[derive(clap::Args)]
pub struct Args {
    /// 旧版本：wasm 模块，或政策源文件 / 目录 / the old version: a wasm module, a policy file or directory
    old: PathBuf,
    /// 新版本：wasm 模块，或政策源文件 / 目录 / the new version: a wasm module, a policy file or directory
    new: PathBuf,
    /// 输出格式 / output format
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// 人群文件（JSON Lines，每行一个请求），用两个版本逐一评估 / a population (JSON Lines, one request per line) to replay through both versions
    #[arg(long)]
    population: Option<PathBuf>,
    /// 每项最多列出的主体编号个数 / subject ids listed per item at most
    #[arg(long, default_value_t = 5)]
    examples: usize,
}

/// A version of a policy: its manifest and module bytes.
struct Version {
    manifest: Manifest,
    module: Vec<u8>,
}

/// Compiles the one policy under `path` (a file, or a directory holding exactly one policy file).
fn compile(path: &Path, ui: &Ui) -> anyhow::Result<Vec<u8>> {
    let (compiler, files) = check::load(&[path.to_path_buf()])?;
    let policies: Vec<&String> =
        files.iter().filter(|f| compiler.file_id(f).is_some_and(|id| compiler.is_policy(id))).collect();
    let root = match policies.as_slice() {
        [one] => *one,
        [] => bail!(
            "{}: {}",
            path.display(),
            ui.t("没有政策文件（含 `政策` 条目的文件）", "no policy file (a file with a `政策` item)")
        ),
        many => bail!(
            "{}: {}：{}",
            path.display(),
            ui.t("有多个政策，请指定其中一个文件", "several policies; name one file"),
            many.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
        ),
    };
    let build = compiler.build(root).map_err(|d| {
        anyhow::anyhow!("{}{} {root}", compiler.render(&d, ui.lang, false), ui.t("编译失败：", "failed to compile:"))
    })?;
    Ok(build.wasm)
}

fn load(path: &Path, ui: &Ui) -> anyhow::Result<Version> {
    let module = if path.is_dir() {
        compile(path, ui)?
    } else {
        let bytes =
            std::fs::read(path).with_context(|| format!("{} {}", ui.t("无法读取", "cannot read"), path.display()))?;
        if xince_review::module::looks_like_wasm(&bytes) { bytes } else { compile(path, ui)? }
    };
    let manifest = xince_review::read_manifest(&module).with_context(|| path.display().to_string())?;
    Ok(Version { manifest, module })
}

pub fn run(args: Args, ui: &Ui) -> anyhow::Result<ExitCode> {
    let old = load(&args.old, ui)?;
    let new = load(&args.new, ui)?;
    let d = xince_review::diff_manifests(&old.manifest, &new.manifest);
    let replay = match &args.population {
        None => None,
        Some(path) => {
            let population = std::fs::read_to_string(path).with_context(|| path.display().to_string())?;
            let runtime = xince_runtime::Runtime::new(xince_runtime::RuntimeConfig::default())
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let old_policy = runtime.load(&old.module).with_context(|| args.old.display().to_string())?;
            let new_policy = runtime.load(&new.module).with_context(|| args.new.display().to_string())?;
            let lines = population.lines().count() as u64;
            let progress = Progress::new(Some(lines), Unit::Items, ui.t("回放", "replay"));
            let started = std::time::Instant::now();
            let report = xince_review::replay::replay_with_progress(
                &old_policy,
                &new_policy,
                &population,
                args.examples,
                |done| progress.update(done as u64, 0),
            );
            progress.finish();
            let elapsed = started.elapsed();
            eprintln!(
                "{}",
                match ui.lang {
                    xince_lang::Lang::Zh => format!("回放 {lines} 行，用时 {elapsed:.2?}"),
                    xince_lang::Lang::En => format!("replayed {lines} lines in {elapsed:.2?}"),
                }
            );
            Some(report)
        }
    };
    match args.format {
        Format::Text | Format::Markdown => {
            let markdown = args.format == Format::Markdown;
            if markdown {
                print!("{}", xince_review::diff::render_markdown(&d, ui.lang));
            } else {
                print!("{}", xince_review::diff::render_text(&d, ui.lang));
            }
            if let Some(r) = &replay {
                print!("{}", xince_review::replay::render(r, ui.lang, markdown));
            }
        }
        Format::Json => {
            let value = match &replay {
                None => serde_json::to_value(&d)?,
                Some(r) => serde_json::json!({ "diff": d, "replay": r }),
            };
            println!("{}", serde_json::to_string_pretty(&value)?);
        }
    }
    Ok(ExitCode::SUCCESS)
}
