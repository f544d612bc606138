//! `xince diff OLD NEW [--format text|markdown|json] [--population subjects.jsonl]`: compare two versions of
//! a policy rule by rule, and optionally replay a population through both.

use crate::ui::Ui;
use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use xince_abi::manifest::Manifest;

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Text,
    Markdown,
    Json,
}

#[derive(clap::Args)]
pub struct Args {
    /// 旧版本：wasm 模块 / the old version: a wasm module
    old: PathBuf,
    /// 新版本：wasm 模块 / the new version: a wasm module
    new: PathBuf,
    /// 输出格式 / output format
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

/// A version of a policy: its manifest and module bytes.
struct Version {
    manifest: Manifest,
}

fn load(path: &Path, ui: &Ui) -> anyhow::Result<Version> {
    let bytes = std::fs::read(path).with_context(|| format!("{} {}", ui.t("无法读取", "cannot read"), path.display()))?;
    if !xince_review::module::looks_like_wasm(&bytes) {
        bail!(
            "{}: {}",
            path.display(),
            ui.t("不是 wasm 模块（源文件比较需先用 xince build 编译）", "not a wasm module (build sources with xince build first)")
        );
    }
    let manifest = xince_review::read_manifest(&bytes).with_context(|| path.display().to_string())?;
    Ok(Version { manifest })
}

pub fn run(args: Args, ui: &Ui) -> anyhow::Result<ExitCode> {
    let old = load(&args.old, ui)?;
    let new = load(&args.new, ui)?;
    let d = xince_review::diff_manifests(&old.manifest, &new.manifest);
    match args.format {
        Format::Text => print!("{}", xince_review::diff::render_text(&d, ui.lang)),
        Format::Markdown => print!("{}", xince_review::diff::render_markdown(&d, ui.lang)),
        Format::Json => println!("{}", serde_json::to_string_pretty(&d)?),
    }
    Ok(ExitCode::SUCCESS)
}
