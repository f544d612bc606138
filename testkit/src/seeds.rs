//! The repository's policy tree, loaded into the compiler through `xince_loader`.

use std::path::{Path, PathBuf};
use xince_compiler::Compiler;
use xince_loader::{LoadError, POLICY_FILE};

/// The repository root (this crate lives in `testkit/`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

/// A compiler holding the stdlib and every `.xince` file under `dirs`, each named by its path relative to
/// `base` (so names and source hashes do not depend on where the checkout lives).
pub fn compiler_with(base: &Path, dirs: &[PathBuf]) -> Result<Compiler, LoadError> {
    let mut compiler = Compiler::new();
    for dir in dirs {
        for path in xince_loader::source_files(dir)? {
            let name = path.strip_prefix(base).unwrap_or(&path).to_string_lossy().into_owned();
            compiler.set_file(name, xince_loader::read_source(&path)?);
        }
    }
    Ok(compiler)
}

/// A compiler holding the stdlib and every policy under the repository's `policies/`.
pub fn seed_compiler() -> Result<Compiler, LoadError> {
    let root = repo_root();
    compiler_with(&root, &[root.join("policies")])
}

/// The policy files of the five seed jurisdictions (`policies/**/政策.xince`), relative to the repository
/// root, sorted.
pub fn seed_policy_files() -> Result<Vec<String>, LoadError> {
    let root = repo_root();
    let files = xince_loader::source_files(&root.join("policies"))?;
    Ok(files
        .iter()
        .filter(|p| p.file_name().is_some_and(|n| n == POLICY_FILE))
        .map(|p| p.strip_prefix(&root).unwrap_or(p).to_string_lossy().into_owned())
        .collect())
}
