//! File helpers shared by the subcommands: reading sources and requests as UTF-8 with a coded error that names
//! the place, and refusing an output that is one of the inputs.

use std::path::{Component, Path, PathBuf};

/// Code of a source file that is not valid UTF-8 (docs/errors/E0107.md).
pub const NOT_UTF8_SOURCE: &str = "E0107";
/// Code of a request file (or batch line) that is not valid UTF-8.
pub const NOT_UTF8_REQUEST: &str = "E_REQ_JSON";

/// Line (1-based) and column (1-based, in characters) of byte `offset` in `valid`, the valid UTF-8 prefix.
fn line_col(valid: &str) -> (usize, usize) {
    let line = valid.matches('\n').count() + 1;
    let col = valid.rsplit('\n').next().map(|l| l.chars().count()).unwrap_or(0) + 1;
    (line, col)
}

/// `bytes` as text, or a coded error naming the file, line, column and byte offset of the first bad byte.
pub fn utf8(path: &Path, bytes: Vec<u8>, code: &str) -> anyhow::Result<String> {
    match String::from_utf8(bytes) {
        Ok(s) => Ok(s),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let valid = std::str::from_utf8(bytes.get(..at).unwrap_or_default()).unwrap_or_default();
            let (line, col) = line_col(valid);
            anyhow::bail!(
                "{}:{line}:{col}: {code}: 不是有效的 UTF-8 文本（第 {} 字节起）/ not valid UTF-8 text (from byte {})",
                path.display(),
                at + 1,
                at + 1
            )
        }
    }
}

/// Reads a policy source: UTF-8 or an `E0107` error with its location.
pub fn read_source(path: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path).map_err(|e| anyhow::anyhow!("无法读取 / cannot read {}: {e}", path.display()))?;
    utf8(path, bytes, NOT_UTF8_SOURCE)
}

/// Reads a request file: UTF-8 or an `E_REQ_JSON` error with its location.
pub fn read_request(path: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path).map_err(|e| anyhow::anyhow!("无法读取 / cannot read {}: {e}", path.display()))?;
    utf8(path, bytes, NOT_UTF8_REQUEST)
}

/// True when `a` and `b` name the same existing file (same device and inode on Unix, so symlinks and hard
/// links count; the same canonical path elsewhere).
pub fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (std::fs::metadata(a), std::fs::metadata(b)) {
            (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
            (Ok(x), Ok(y)) => x == y,
            _ => false,
        }
    }
}

/// Refuses to write `output` when it is one of `inputs` (directly, through a symlink or a hard link).
pub fn refuse_overwrite(output: &Path, inputs: &[&Path]) -> anyhow::Result<()> {
    if let Some(input) = inputs.iter().find(|i| same_file(output, i)) {
        anyhow::bail!(
            "E_OUT_IS_INPUT: 输出 {} 与输入 {} 是同一个文件，拒绝覆盖 / the output {} is the input {}: refusing to overwrite it",
            output.display(),
            input.display(),
            output.display(),
            input.display()
        );
    }
    Ok(())
}

/// `rel` when it is a plain relative path (no root, no `..`, no prefix), so `dir.join(rel)` stays under `dir`.
pub fn contained(rel: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in rel.components() {
        match c {
            Component::Normal(p) => out.push(p),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    (!out.as_os_str().is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_errors_name_line_column_and_byte() {
        let err = utf8(Path::new("a.xince"), b"ab\nc\xffd".to_vec(), NOT_UTF8_SOURCE).unwrap_err().to_string();
        assert!(err.starts_with("a.xince:2:2: E0107:"), "{err}");
        assert!(err.contains("from byte 5"), "{err}"); // a, b, \n, c, then the bad byte: the 5th
    }

    #[test]
    fn contained_paths_never_leave_the_directory() {
        assert_eq!(contained(Path::new("a/b.wasm")), Some(PathBuf::from("a/b.wasm")));
        assert_eq!(contained(Path::new("./a.wasm")), Some(PathBuf::from("a.wasm")));
        assert_eq!(contained(Path::new("../a.wasm")), None);
        assert_eq!(contained(Path::new("a/../../b.wasm")), None);
        assert_eq!(contained(Path::new("/etc/x.wasm")), None);
        assert_eq!(contained(Path::new("")), None);
    }
}
