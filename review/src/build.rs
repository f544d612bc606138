//! Compiling a policy from sources held in memory (the CLI reads the files), for diffs and replays on sources
//! and for the reproducible-build check.

use std::fmt;
use xince_compiler::Compiler;
use xince_lang::Lang;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BuildError {
    /// The root path is not among the sources.
    NoSuchFile(String),
    /// The policy does not compile; the diagnostics, rendered.
    Diagnostics(String),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::NoSuchFile(p) => write!(f, "没有源文件 {p} / no source file {p}"),
            BuildError::Diagnostics(d) => write!(f, "编译失败 / compilation failed:\n{d}"),
        }
    }
}

impl std::error::Error for BuildError {}

/// Compiles the policy in `root` with `sources` (path, text) loaded beside the stdlib; returns the module bytes.
pub fn compile(sources: &[(String, String)], root: &str, lang: Lang) -> Result<Vec<u8>, BuildError> {
    let mut compiler = Compiler::new();
    for (path, text) in sources {
        compiler.set_file(path.clone(), text.clone());
    }
    if compiler.file_id(root).is_none() {
        return Err(BuildError::NoSuchFile(root.to_string()));
    }
    let build = compiler.build(root).map_err(|d| BuildError::Diagnostics(compiler.render(&d, lang, false)))?;
    Ok(build.wasm)
}
