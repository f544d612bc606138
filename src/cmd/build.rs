//! `xince build <policy.xince> -o out.wasm` and `xince build <dir> --out-dir <dir>`: compiles policies (files
//! with a `政策` item) to wasm modules, or prints their IR / WAT with `--emit`.

use crate::cmd::{check, files};
use crate::progress::{Progress, Unit};
use crate::ui::Ui;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Emit {
    /// 可读的 IR 文本 / the readable IR text (docs/ir.md)
    Ir,
    /// WebAssembly 文本格式 / WebAssembly text format
    Wat,
    /// WebAssembly 模块 / the wasm module
    Wasm,
}

#[derive(clap::Args)]
pub struct Args {
    /// 政策文件或目录 / a policy file or a directory of policies
    pub path: PathBuf,
    /// 输出文件（单个政策） / output file (one policy)
    #[arg(short = 'o', long)]
    pub output: Option<PathBuf>,
    /// 输出目录（目录下每个政策一个文件） / output directory (one file per policy)
    #[arg(long)]
    pub out_dir: Option<PathBuf>,
    /// 输出形式 / what to emit
    #[arg(long, value_enum, default_value = "wasm")]
    pub emit: Emit,
}

fn extension(emit: Emit) -> &'static str {
    match emit {
        Emit::Ir => "ir",
        Emit::Wat => "wat",
        Emit::Wasm => "wasm",
    }
}

fn emit_bytes(build: xince_compiler::Build, emit: Emit) -> anyhow::Result<Vec<u8>> {
    match emit {
        Emit::Ir => Ok(xince_compiler::print_ir(&build.program).into_bytes()),
        Emit::Wasm => Ok(build.wasm),
        Emit::Wat => {
            let wat = wasmprinter::print_bytes(&build.wasm)
                .map_err(|e| anyhow::anyhow!("无法打印 WAT / cannot print WAT: {e}"))?;
            Ok(wat.into_bytes())
        }
    }
}

/// Where a policy's output goes under `--out-dir`: its path below the directory being built (the file name when
/// a single file is built), with the emitted extension. Never absolute and never through `..`, so nothing is
/// written outside the output directory, whatever the source path looked like.
fn out_dir_path(root: &Path, source: &Path, emit: Emit) -> anyhow::Result<PathBuf> {
    let source_abs = std::fs::canonicalize(source).unwrap_or_else(|_| source.to_path_buf());
    let rel = if root.is_dir() {
        let root_abs = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        source_abs.strip_prefix(&root_abs).map(Path::to_path_buf).ok()
    } else {
        source_abs.file_name().map(PathBuf::from)
    };
    rel.and_then(|r| files::contained(&r.with_extension(extension(emit)))).ok_or_else(|| {
        anyhow::anyhow!(
            "E_OUT_PATH: {} 不在 {} 之下，无法决定输出位置 / {} is not under {}: no place for its output",
            source.display(),
            root.display(),
            source.display(),
            root.display()
        )
    })
}

pub fn run(args: Args, ui: &Ui) -> anyhow::Result<ExitCode> {
    let (compiler, files, unreadable) = check::load_all(std::slice::from_ref(&args.path))?;
    for e in &unreadable {
        eprintln!("{}: {e}", ui.t("错误", "error"));
    }
    let policies: Vec<String> =
        files.iter().filter(|f| compiler.file_id(f).is_some_and(|id| compiler.is_policy(id))).cloned().collect();
    if policies.is_empty() && !unreadable.is_empty() {
        return Ok(ExitCode::from(1));
    }
    if policies.is_empty() {
        anyhow::bail!(
            "E0307: {} 下没有政策文件（含 `政策` 条目的文件） / no policy file under {}",
            args.path.display(),
            args.path.display()
        );
    }
    if args.path.is_dir() && args.out_dir.is_none() && args.emit == Emit::Wasm {
        anyhow::bail!("编译目录须给出 --out-dir / building a directory needs --out-dir");
    }
    let color = std::io::stderr().is_terminal();
    let mut failed = 0usize;
    let progress = Progress::new(Some(policies.len() as u64), Unit::Items, ui.t("编译", "build"));
    for name in &policies {
        progress.inc(1);
        match compiler.build(name) {
            Err(diags) => {
                failed += 1;
                let rendered = compiler.render(&diags, ui.lang, color);
                progress.println(&format!("{}{} {name}", rendered, ui.t("编译失败：", "failed:")));
            }
            Ok(build) => {
                let bytes = emit_bytes(build, args.emit)?;
                let target = match (&args.output, &args.out_dir) {
                    (Some(o), _) if policies.len() == 1 => Some(o.clone()),
                    (_, Some(dir)) => Some(dir.join(out_dir_path(&args.path, Path::new(name), args.emit)?)),
                    _ => None,
                };
                match target {
                    Some(t) => {
                        files::refuse_overwrite(&t, &[Path::new(name)])?;
                        if let Some(parent) = t.parent().filter(|p| !p.as_os_str().is_empty()) {
                            std::fs::create_dir_all(parent)?;
                        }
                        std::fs::write(&t, &bytes)
                            .map_err(|e| anyhow::anyhow!("无法写入 / cannot write {}: {e}", t.display()))?;
                        progress.println(&format!("{} {name} → {}", ui.t("已编译", "built"), t.display()));
                    }
                    None if args.emit == Emit::Wasm => {
                        anyhow::bail!("请用 -o 指定输出文件 / give an output file with -o")
                    }
                    None => print!("{}", String::from_utf8_lossy(&bytes)),
                }
            }
        }
    }
    progress.finish();
    eprintln!(
        "{}",
        match ui.lang {
            xince_lang::Lang::Zh =>
                format!("编译了 {} 个政策：{} 个成功，{failed} 个失败", policies.len(), policies.len() - failed),
            xince_lang::Lang::En =>
                format!("built {} policies: {} ok, {failed} failed", policies.len(), policies.len() - failed),
        }
    );
    Ok(if failed > 0 || !unreadable.is_empty() { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
