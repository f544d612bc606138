//! The host runtime: loads compiled xince modules into a wasmtime sandbox and evaluates requests.
//! The only crate that depends on wasmtime. See `docs/embedding.md`.
//!
//! ```no_run
//! use xince_runtime::{Runtime, RuntimeConfig};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let runtime = Runtime::new(RuntimeConfig::default())?;
//! let policy = runtime.load(&std::fs::read("policy.wasm")?)?;
//! let request = xince_abi::decode::parse_request(&std::fs::read_to_string("request.json")?)?;
//! let decision = policy.evaluate(&request)?;
//! println!("{}", serde_json::to_string_pretty(&decision)?);
//! # Ok(()) }
//! ```
//!
//! Sandbox: no WASI and no imports at all ([`check::IMPORT_ALLOWLIST`] is empty), fuel and an epoch deadline
//! per evaluation, a memory cap and one instance/memory/table per store, wasmtime's pooling allocator, and a
//! cache of compiled modules keyed by module sha256 and engine compatibility hash (on disk only through a
//! host-provided store, every artefact authenticated before it is loaded).
//!
//! The runtime takes bytes and does no file IO: hosts read modules (`xince_loader::read_bundle`) and build a
//! [`PolicySet`] from (name, bytes) pairs.

mod cache;
pub mod check;
mod config;
mod error;
mod policy;
mod policy_set;

pub use cache::{ArtefactStore, CacheKey, CacheWarning, PrecompiledCache, module_sha256};
pub use config::RuntimeConfig;
pub use error::{EvalError, LoadError};
pub use policy::{BATCH_INPUT_BYTES, Evaluator, Policy, Runtime, RuntimeInitError};
pub use policy_set::{PolicySet, PolicySetError};
pub use xince_abi;
