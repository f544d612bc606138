//! The xince compiler: a salsa database of queries from file text to a self-describing wasm module.
//!
//! The front door is [`Compiler`]: load sources with [`Compiler::set_file`], then [`Compiler::check_file`] for
//! diagnostics or [`Compiler::build`] for a [`Build`] (module bytes, IR, manifest, warnings). Every door of
//! the product (CLI, language server, service, tests, benches) compiles through it. Below it, the public
//! surface is the IR ([`ir`]), the reference interpreter over it ([`interp`]) and the back-end for programs
//! built by hand in tests ([`codegen::emit`]); the stages themselves are private.
//!
//! Stages, one module each, one entry point each:
//! `db` (salsa inputs and queries) → `resolve` (names across files, linking stdlib and upper layers) →
//! `typeck` (types against the schema) → `lints` (legality checks) → `lower` (→ [`ir::Program`]) →
//! `codegen` (→ wasm bytes) ; `interp` is the reference interpreter over the IR, `print` the IR printer.

pub mod codegen;
mod db;
mod diag;
pub mod ide;
pub mod interp;
pub mod ir;
mod lints;
mod lower;
mod print;
mod resolve;
mod typeck;

pub use db::{Build, Compiler};
pub use print::print as print_ir;

/// The stdlib sources `(path, text)` that every compiler loads first.
pub fn stdlib_sources() -> Vec<(&'static str, &'static str)> {
    xince_stdlib::SOURCES.iter().map(|s| (s.path, s.text)).collect()
}
