//! Reading the `xince.manifest` custom section of a compiled module, with errors that name the place.

use std::fmt;
use xince_abi::MANIFEST_SECTION;
use xince_abi::manifest::Manifest;
use xince_abi::sections::{self, SectionError};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ManifestError {
    /// The bytes are not a well-formed wasm module.
    Module(SectionError),
    /// The module has no `xince.manifest` section (not built by xince, or stripped).
    Missing,
    /// The manifest JSON does not match the manifest type.
    Corrupt {
        /// Byte offset in the module where the JSON reader stopped.
        offset: usize,
        /// JSON path of the value that failed (`lists[2].citation`), `.` for the root.
        path: String,
        detail: String,
    },
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ManifestError::Module(e) => write!(f, "{e}"),
            ManifestError::Missing => write!(
                f,
                "模块中没有 {MANIFEST_SECTION} 段（不是由 xince 编译的模块，或清单已被剥离）/ no {MANIFEST_SECTION} section (not an xince module, or the manifest was stripped)"
            ),
            ManifestError::Corrupt { offset, path, detail } => write!(
                f,
                "模块清单损坏：字节偏移 {offset}，JSON 路径 {path}：{detail} / corrupt manifest at byte offset {offset}, JSON path {path}: {detail}"
            ),
        }
    }
}

impl std::error::Error for ManifestError {}

impl From<SectionError> for ManifestError {
    fn from(e: SectionError) -> Self {
        ManifestError::Module(e)
    }
}

/// Byte offset in `data` of serde_json's 1-based (line, column); the column counts bytes.
fn offset_of(data: &[u8], line: usize, column: usize) -> usize {
    let mut line_start = 0;
    let mut current = 1;
    for (i, b) in data.iter().enumerate() {
        if current == line {
            break;
        }
        if *b == b'\n' {
            current += 1;
            line_start = i + 1;
        }
    }
    (line_start + column.saturating_sub(1)).min(data.len())
}

/// The manifest of `module`.
pub fn read_manifest(module: &[u8]) -> Result<Manifest, ManifestError> {
    let section = sections::custom_section(module, MANIFEST_SECTION)?.ok_or(ManifestError::Missing)?;
    let mut reader = serde_json::Deserializer::from_slice(section.data);
    let parsed: Result<Manifest, _> = serde_path_to_error::deserialize(&mut reader);
    let manifest = parsed.map_err(|e| {
        let path = e.path().to_string();
        let inner = e.inner();
        ManifestError::Corrupt {
            offset: section.data_offset + offset_of(section.data, inner.line(), inner.column()),
            path,
            detail: inner.to_string(),
        }
    })?;
    // Trailing bytes after the JSON value are also corruption.
    reader.end().map_err(|e| ManifestError::Corrupt {
        offset: section.data_offset + offset_of(section.data, e.line(), e.column()),
        path: ".".to_string(),
        detail: e.to_string(),
    })?;
    Ok(manifest)
}

/// True when `bytes` start with the wasm magic (so a path holds a module rather than source text).
pub fn looks_like_wasm(bytes: &[u8]) -> bool {
    bytes.starts_with(&sections::WASM_HEADER[..4])
}
