//! `xince lsp`: the language server over stdio. This is the process side of `xince-lsp`: it makes the
//! connection from stdin/stdout, reads the workspace's policies from disk, and writes the stdlib sources and the
//! diagnostic pages (read-only) to a cache directory so editors can open what go-to-definition and the code
//! links point at.

use crate::ui::Ui;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// 写出标准库源文件与诊断说明的目录（默认 $XDG_CACHE_HOME/xince 或 ~/.cache/xince）/ where to write the stdlib
    /// sources and diagnostic pages (default: $XDG_CACHE_HOME/xince or ~/.cache/xince)
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
    /// 诊断发布前的等待（毫秒）/ debounce before diagnostics are published (milliseconds)
    #[arg(long, default_value_t = 10)]
    debounce_ms: u64,
    /// 兼容编辑器的习惯参数（忽略）/ accepted for editors that pass it (ignored)
    #[arg(long, hide = true)]
    stdio: bool,
}

/// The workspace on disk: a file's context is the nearest ancestor's `policies/` (as `xince check` loads it),
/// found without resolving symbolic links so that paths match the editor's URIs.
struct Disk;

impl xince_lsp::Files for Disk {
    fn context_root(&self, file: &Path) -> Option<PathBuf> {
        file.ancestors().skip(1).map(|a| a.join("policies")).find(|p| p.is_dir())
    }
    fn sources_under(&self, dir: &Path) -> Vec<(PathBuf, String)> {
        let paths = xince_loader::source_files(dir).unwrap_or_default();
        paths.into_iter().filter_map(|p| xince_loader::read_source(&p).ok().map(|t| (p, t))).collect()
    }
}

fn default_cache() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("xince")
}

/// Writes `files` under `dir` read-only, rewriting only what differs (several servers may share the cache).
fn materialise(dir: &Path, files: &[(PathBuf, &str)]) -> std::io::Result<()> {
    for (rel, text) in files {
        let path = dir.join(rel);
        if std::fs::read_to_string(&path).is_ok_and(|t| t == *text) {
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        if path.exists() {
            let mut perms = std::fs::metadata(&path)?.permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            perms.set_readonly(false);
            std::fs::set_permissions(&path, perms)?;
        }
        std::fs::write(&path, text)?;
        let mut perms = std::fs::metadata(&path)?.permissions();
        perms.set_readonly(true);
        std::fs::set_permissions(&path, perms)?;
    }
    Ok(())
}

pub fn run(args: Args, _ui: &Ui) -> anyhow::Result<ExitCode> {
    let _ = args.stdio;
    // One directory per compiler version, so an upgrade never shows an old stdlib.
    let dir = args.cache_dir.unwrap_or_else(default_cache).join(concat!("lsp-", env!("CARGO_PKG_VERSION")));
    let (stdlib, pages) = xince_lsp::materials();
    let stdlib_dir = dir.join("stdlib");
    let errors_dir = dir.join("errors");
    let stdlib_ok = materialise(&stdlib_dir, &stdlib).is_ok();
    let errors_ok = materialise(&errors_dir, &pages).is_ok();
    let options = xince_lsp::Options {
        files: Box::new(Disk),
        stdlib_dir: stdlib_ok.then_some(stdlib_dir),
        errors_dir: errors_ok.then_some(errors_dir),
        debounce: std::time::Duration::from_millis(args.debounce_ms),
    };
    let (connection, io) = lsp_server::Connection::stdio();
    xince_lsp::run(&connection, options)?;
    drop(connection);
    io.join()?;
    Ok(ExitCode::SUCCESS)
}
