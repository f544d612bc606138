//! WebAssembly code generation with wasm-encoder (ABI in `docs/abi.md`).
