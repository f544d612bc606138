//! The contract between compiled xince modules and their hosts.
//!
//! Everything a host needs and nothing of the compiler: civil-date day numbers ([`date`]), the binary input
//! and output encodings of ABI v3 ([`layout`], [`input`], [`output`]), the manifest every module carries
//! ([`manifest`]), the host-facing JSON request and decision types ([`request`], [`decision`]), the decoder that
//! turns a raw answer into a cited [`decision::Decision`] ([`decode`]), and the error codes ([`error`]).
//!
//! The full contract is written in `docs/abi.md`; this crate is its executable form.

pub mod codes;
pub mod date;
pub mod decision;
pub mod decode;
pub mod engine;
pub mod error;
pub mod input;
pub mod layout;
pub mod manifest;
pub mod output;
pub mod request;
pub mod sections;
pub mod signature;

/// ABI version carried by every module (global `xince_abi_version`) and checked by every host at load.
pub const ABI_VERSION: u32 = 3;
/// Name of the custom section that holds the manifest JSON.
pub const MANIFEST_SECTION: &str = "xince.manifest";
