//! The xince compiler: a salsa database of queries from file text to a self-describing wasm module.
//!
//! Stages, one module each, one entry point each:
//! `db` (salsa inputs and queries) → `resolve` (names across files, linking stdlib and upper layers) →
//! `typeck` (types against the schema) → `lints` (legality checks) → `lower` (→ [`ir::Program`]) →
//! `codegen` (→ wasm bytes) ; `interp` is the reference interpreter over the IR, `print` the IR printer.

pub mod codegen;
pub mod db;
pub mod diag;
pub mod ide;
pub mod interp;
pub mod ir;
pub mod lints;
pub mod lower;
pub mod print;
pub mod resolve;
pub mod typeck;

pub use db::Compiler;

/// The stdlib sources `(path, text)` that every compiler loads first.
pub fn stdlib_sources() -> Vec<(&'static str, &'static str)> {
    xince_stdlib::SOURCES.iter().map(|s| (s.path, s.text)).collect()
}
