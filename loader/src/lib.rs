//! The file side of every door: finding policy sources (`*.xince`) and compiled modules (`*.wasm`) on disk,
//! reading them with errors that name the file, and the directory store of precompiled modules. The compiler
//! and the runtime take texts and bytes; the CLI, the service, the language server, the Python package,
//! tests and benches read through here, so they agree on what a policy tree and a bundle are.

mod store;

pub use store::{DirectoryStore, load_or_create_key};

use std::fmt;
use std::path::{Path, PathBuf};

/// The name every policy file has in the repository's tree (`policies/<jurisdiction>/政策.xince`).
pub const POLICY_FILE: &str = "政策.xince";

/// Why a file or directory could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadErrorKind {
    NotFound,
    Io(String),
    /// Not UTF-8: the byte offset of the first invalid byte.
    NotUtf8 {
        offset: usize,
    },
}

/// A file that could not be read, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    pub path: PathBuf,
    pub kind: LoadErrorKind,
}

impl LoadError {
    pub fn code(&self) -> &'static str {
        match self.kind {
            LoadErrorKind::NotFound => "E_FILE_NOT_FOUND",
            LoadErrorKind::Io(_) => "E_FILE_IO",
            LoadErrorKind::NotUtf8 { .. } => "E_FILE_UTF8",
        }
    }

    pub fn message_zh(&self) -> String {
        let p = self.path.display();
        match &self.kind {
            LoadErrorKind::NotFound => format!("找不到 {p}"),
            LoadErrorKind::Io(e) => format!("无法读取 {p}：{e}"),
            LoadErrorKind::NotUtf8 { offset } => format!("{p} 不是 UTF-8 文本（第 {offset} 字节起无效）"),
        }
    }

    pub fn message_en(&self) -> String {
        let p = self.path.display();
        match &self.kind {
            LoadErrorKind::NotFound => format!("{p} not found"),
            LoadErrorKind::Io(e) => format!("cannot read {p}: {e}"),
            LoadErrorKind::NotUtf8 { offset } => format!("{p} is not UTF-8 text (invalid from byte {offset})"),
        }
    }

    fn io(path: &Path, e: &std::io::Error) -> Self {
        let kind = if e.kind() == std::io::ErrorKind::NotFound {
            LoadErrorKind::NotFound
        } else {
            LoadErrorKind::Io(e.to_string())
        };
        LoadError { path: path.to_path_buf(), kind }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}：{} / {}", self.code(), self.message_zh(), self.message_en())
    }
}

impl std::error::Error for LoadError {}

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| LoadError::io(dir, &e))? {
        out.push(entry.map_err(|e| LoadError::io(dir, &e))?.path());
    }
    out.sort();
    Ok(out)
}

/// Every file with extension `ext` under `path` (or `path` itself, whatever its extension), sorted by path.
/// Below a directory, folders named `tests` are skipped: they hold a policy's cases and deliberately broken
/// variants (name such a folder explicitly to include it).
pub fn files_with_extension(path: &Path, ext: &str) -> Result<Vec<PathBuf>, LoadError> {
    let mut out = Vec::new();
    if path.is_dir() {
        let mut pending = vec![path.to_path_buf()];
        while let Some(dir) = pending.pop() {
            for p in sorted_entries(&dir)? {
                if p.is_dir() {
                    if p.file_name().is_none_or(|n| n != "tests") {
                        pending.push(p);
                    }
                } else if p.extension().is_some_and(|x| x == ext) {
                    out.push(p);
                }
            }
        }
        out.sort();
    } else if path.exists() {
        out.push(path.to_path_buf());
    } else {
        return Err(LoadError { path: path.to_path_buf(), kind: LoadErrorKind::NotFound });
    }
    Ok(out)
}

/// Every `*.xince` file under `path` (see [`files_with_extension`]).
pub fn source_files(path: &Path) -> Result<Vec<PathBuf>, LoadError> {
    files_with_extension(path, "xince")
}

/// Every `*.wasm` module under `path`.
pub fn module_files(path: &Path) -> Result<Vec<PathBuf>, LoadError> {
    files_with_extension(path, "wasm")
}

/// The repository's `policies/` folder: the nearest ancestor of `path` that has one (upper-level policies
/// live there, so `上级` resolves whichever file a drafter names).
pub fn enclosing_policies(path: &Path) -> Option<PathBuf> {
    let abs = std::fs::canonicalize(path).ok()?;
    abs.ancestors().map(|a| a.join("policies")).find(|p| p.is_dir())
}

/// The policy files above a policy folder (`上级` levels live in ancestor folders).
pub fn upper_policy_files(policy_dir: &Path) -> Vec<PathBuf> {
    policy_dir.ancestors().skip(1).map(|a| a.join(POLICY_FILE)).filter(|f| f.is_file()).collect()
}

/// Reads a source file as UTF-8 text.
pub fn read_source(path: &Path) -> Result<String, LoadError> {
    let bytes = std::fs::read(path).map_err(|e| LoadError::io(path, &e))?;
    String::from_utf8(bytes).map_err(|e| LoadError {
        path: path.to_path_buf(),
        kind: LoadErrorKind::NotUtf8 { offset: e.utf8_error().valid_up_to() },
    })
}

/// Reads a file's bytes.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, LoadError> {
    std::fs::read(path).map_err(|e| LoadError::io(path, &e))
}

/// A bundle: every `*.wasm` module under `dir`, as (path relative to `dir`, bytes), sorted by path — what
/// `xince_runtime::PolicySet::from_modules` takes. `xince build DIR --out-dir OUT` writes one.
pub fn read_bundle(dir: &Path) -> Result<Vec<(String, Vec<u8>)>, LoadError> {
    let mut out = Vec::new();
    for path in module_files(dir)? {
        let name = path.strip_prefix(dir).unwrap_or(&path).to_string_lossy().into_owned();
        out.push((name, read_bytes(&path)?));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A small tree of its own per test (tests run in parallel threads).
    fn tree(test: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xince-loader-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (p, text) in [
            ("a/政策.xince", "甲"),
            ("a/b/政策.xince", "乙"),
            ("a/tests/bad.xince", "坏"),
            ("a/b/x.wasm", "\0asm"),
            ("c.wasm", "\0asm"),
            ("bad.xince", "\u{0}"),
        ] {
            let path = dir.join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, text).unwrap();
        }
        std::fs::write(dir.join("latin1.xince"), [0x61, 0xe9, 0x62]).unwrap();
        dir
    }

    #[test]
    fn sources_are_sorted_and_skip_tests_folders_unless_named() {
        let dir = tree("sources");
        let names: Vec<String> = source_files(&dir.join("a"))
            .unwrap()
            .iter()
            .map(|p| p.strip_prefix(&dir).unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["a/b/政策.xince", "a/政策.xince"]);
        assert_eq!(source_files(&dir.join("a/tests")).unwrap().len(), 1);
        assert_eq!(upper_policy_files(&dir.join("a/b")), vec![dir.join("a/政策.xince")]);
    }

    #[test]
    fn a_bundle_names_modules_relative_to_its_folder() {
        let dir = tree("bundle");
        let names: Vec<String> = read_bundle(&dir).unwrap().into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["a/b/x.wasm", "c.wasm"]);
    }

    #[test]
    fn errors_name_the_file_and_the_first_bad_byte() {
        let dir = tree("errors");
        let e = read_source(&dir.join("latin1.xince")).unwrap_err();
        assert_eq!((e.code(), e.kind.clone()), ("E_FILE_UTF8", LoadErrorKind::NotUtf8 { offset: 1 }));
        assert!(e.message_zh().contains("latin1.xince"));
        let e = source_files(&dir.join("nowhere")).unwrap_err();
        assert_eq!(e.code(), "E_FILE_NOT_FOUND");
    }
}
