//! `xince fmt [paths…] [--check]`: rewrite `.xince` sources in the canonical layout, or (with `--check`) list
//! the files that would change and exit 1.

use crate::ui::Ui;
use anyhow::Context;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use xince_lang::format::{FormatError, format};

#[derive(clap::Args)]
pub struct Args {
    /// 文件或目录（默认当前目录）/ files or directories (default: the current directory)
    paths: Vec<PathBuf>,
    /// 只检查，不写回；有文件需要格式化时退出码为 1 / check only; exit 1 if any file would change
    #[arg(long)]
    check: bool,
}

/// `.xince` files under `path`; a file named explicitly is taken whatever its extension.
fn collect(path: &Path, explicit: bool, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .with_context(|| path.display().to_string())?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for entry in entries {
            let skip = entry.file_name().is_some_and(|n| n == "target" || n.to_string_lossy().starts_with('.'));
            if !skip {
                collect(&entry, false, out)?;
            }
        }
    } else if explicit || path.extension().is_some_and(|e| e == "xince") {
        out.push(path.to_path_buf());
    }
    Ok(())
}

pub fn run(args: Args, ui: &Ui) -> anyhow::Result<ExitCode> {
    let roots = if args.paths.is_empty() { vec![PathBuf::from(".")] } else { args.paths };
    let mut files = Vec::new();
    for root in &roots {
        if !root.exists() {
            anyhow::bail!("{}: {}", root.display(), ui.t("路径不存在", "no such file or directory"));
        }
        collect(root, true, &mut files)?;
    }
    let (mut changed, mut failed) = (0usize, 0usize);
    for file in &files {
        let source = crate::cmd::files::read_source(file)?;
        match format(&source) {
            Ok(out) if out == source => {}
            Ok(out) => {
                changed += 1;
                if args.check {
                    println!("{}", file.display());
                } else {
                    std::fs::write(file, out).with_context(|| file.display().to_string())?;
                    println!("{} {}", ui.t("已格式化", "formatted"), file.display());
                }
            }
            Err(err @ (FormatError::Syntax(_) | FormatError::ChangesMeaning)) => {
                failed += 1;
                eprintln!("{}: {err}", file.display());
            }
        }
    }
    if args.check && changed > 0 {
        match ui.lang {
            xince_lang::Lang::Zh => eprintln!("有 {changed} 个文件需要格式化（运行 xince fmt）"),
            xince_lang::Lang::En => eprintln!("{changed} file(s) would be reformatted (run xince fmt)"),
        }
    }
    Ok(if failed > 0 || (args.check && changed > 0) { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
