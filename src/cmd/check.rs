//! `xince check <paths…>`: loads every `.xince` file under the paths (and the repository's `policies/`, so
//! upper levels resolve), prints every diagnostic of the named files, a summary line, and exits 1 on errors.

use crate::ui::Ui;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use xince_compiler::Compiler;
use xince_lang::Severity;

#[derive(clap::Args)]
pub struct Args {
    /// 政策文件或目录（递归查找 *.xince） / policy files or directories (searched recursively for *.xince)
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// 输出格式：text（默认）或 json / output format
    #[arg(long, value_name = "text|json", default_value = "text")]
    pub format: crate::cmd::Format,
}

/// Every `.xince` file under `path` (or `path` itself), sorted. Subdirectories named `tests` are skipped: they
/// hold a policy's cases and deliberately broken variants (name such a directory explicitly to check it).
pub fn collect(path: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| anyhow::anyhow!("无法读取目录 / cannot read directory {}: {e}", path.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() && p.file_name().is_some_and(|n| n == "tests") {
                continue;
            }
            if p.is_dir() || p.extension().is_some_and(|e| e == "xince") {
                collect(&p, out)?;
            }
        }
    } else if path.exists() {
        out.push(path.to_path_buf());
    } else {
        anyhow::bail!("找不到 / not found: {}", path.display());
    }
    Ok(())
}

/// The repository root above `path`: the nearest ancestor with a `policies/` directory.
fn repo_policies(path: &Path) -> Option<PathBuf> {
    let abs = std::fs::canonicalize(path).ok()?;
    abs.ancestors().map(|a| a.join("policies")).find(|p| p.is_dir())
}

fn display(p: &Path) -> String {
    let cwd = std::env::current_dir().ok();
    let abs = std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    match cwd.and_then(|c| abs.strip_prefix(&c).ok().map(Path::to_path_buf)) {
        Some(rel) => rel.display().to_string(),
        None => p.display().to_string(),
    }
}

/// Loads the named files plus the repository's policies; returns the compiler and the named files' paths.
pub fn load(paths: &[PathBuf]) -> anyhow::Result<(Compiler, Vec<String>)> {
    let mut named = Vec::new();
    for p in paths {
        collect(p, &mut named)?;
    }
    let mut context = Vec::new();
    for p in paths {
        if let Some(pol) = repo_policies(p) {
            collect(&pol, &mut context)?;
        }
    }
    let mut compiler = Compiler::new();
    let mut shown = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for p in named.iter().chain(context.iter()) {
        let key = std::fs::canonicalize(p).unwrap_or_else(|_| p.clone());
        if !seen.insert(key) {
            continue;
        }
        let text =
            std::fs::read_to_string(p).map_err(|e| anyhow::anyhow!("无法读取 / cannot read {}: {e}", p.display()))?;
        let name = display(p);
        compiler.set_file(name.clone(), text);
        if named.contains(p) {
            shown.push(name);
        }
    }
    Ok((compiler, shown))
}

pub fn run(args: Args, ui: &Ui) -> anyhow::Result<ExitCode> {
    let (compiler, files) = load(&args.paths)?;
    let json_out = args.format == crate::cmd::Format::Json;
    let color = !json_out && std::io::stdout().is_terminal();
    let (mut errors, mut warnings) = (0usize, 0usize);
    let mut all = Vec::new();
    for name in &files {
        let Some(id) = compiler.file_id(name) else { continue };
        let diags = compiler.check_file(id);
        errors += diags.iter().filter(|d| d.severity == Severity::Error).count();
        warnings += diags.iter().filter(|d| d.severity == Severity::Warning).count();
        if json_out {
            all.extend(diags.iter().map(|d| diagnostic_json(&compiler, d)));
        } else {
            print!("{}", compiler.render(&diags, ui.lang, color));
        }
    }
    if json_out {
        let out = serde_json::json!({"files": files, "errors": errors, "warnings": warnings, "diagnostics": all});
        println!("{}", serde_json::to_string_pretty(&out)?);
    }
    eprintln!(
        "{}",
        match ui.lang {
            xince_lang::Lang::Zh => format!("检查了 {} 个文件：{errors} 个错误，{warnings} 个警告", files.len()),
            xince_lang::Lang::En => format!("checked {} files: {errors} errors, {warnings} warnings", files.len()),
        }
    );
    Ok(if errors > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: u32) -> (usize, usize) {
    let upto = text.get(..offset as usize).unwrap_or(text);
    let line = upto.matches('\n').count() + 1;
    let col = upto.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// One diagnostic as JSON: code, severity, both messages, and each label's file, line and column.
fn diagnostic_json(compiler: &Compiler, d: &xince_lang::Diagnostic) -> serde_json::Value {
    let labels: Vec<serde_json::Value> = d
        .labels
        .iter()
        .map(|l| {
            let (line, column) = line_col(compiler.file_text(l.file), l.span.start);
            serde_json::json!({
                "file": compiler.file_name(l.file), "line": line, "column": column,
                "start": l.span.start, "end": l.span.end, "primary": l.primary, "message": l.message,
            })
        })
        .collect();
    serde_json::json!({
        "code": d.code, "severity": d.severity, "message": d.message, "labels": labels, "help": d.help,
    })
}
