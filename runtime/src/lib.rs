//! The host runtime: loads compiled xince modules into a wasmtime sandbox and evaluates requests.
//! The only crate that depends on wasmtime.
