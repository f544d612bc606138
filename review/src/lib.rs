//! Reviewer tools: read the manifest a compiled module carries ([`module`]), show it in words a reviewer
//! reads ([`inspect`]), compare two versions of a policy rule by rule ([`diff`]), and replay a population of
//! subjects through both versions to see who enters and who leaves ([`replay`]).
//!
//! This is a tool crate at the CLI level: it may use the compiler and the runtime, and no stage uses it.
//! It does no process IO; the CLI reads files and prints what these functions return.

pub mod build;
pub mod diff;
pub mod inspect;
pub mod module;
pub mod replay;

pub use diff::{PolicyDiff, diff_manifests};
pub use module::{ManifestError, read_manifest};
