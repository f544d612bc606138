//! Structure of generated modules: they validate, import nothing, export exactly the ABI names, carry the
//! manifest, are deterministic, and compile fast.

mod backend_support;

use backend_support::*;
use wasmparser::{Parser, Payload, Validator, WasmFeatures};
use xince_abi::manifest::Manifest;
use xince_compiler::codegen::{self, exports};
use xince_compiler::ir::VersionRule;

fn programs() -> Vec<xince_compiler::ir::Program> {
    vec![
        blank_program(),
        rich_program(VersionRule::Old),
        rich_program(VersionRule::New),
        rich_program(VersionRule::OldUnlessLenient),
    ]
}

#[test]
fn modules_validate_with_mvp_features_only() {
    // Only what every engine has had for years: mutable globals, sign extension not even needed.
    let features = WasmFeatures::MUTABLE_GLOBAL | WasmFeatures::FLOATS | WasmFeatures::MULTI_VALUE;
    for p in programs() {
        let bytes = codegen::emit(&p).unwrap();
        Validator::new_with_features(features).validate_all(&bytes).unwrap();
    }
}

#[test]
fn no_imports_exact_exports_manifest_section() {
    for p in programs() {
        let bytes = codegen::emit(&p).unwrap();
        let mut export_names = Vec::new();
        let mut manifest = None;
        let mut memory_max = None;
        for payload in Parser::new(0).parse_all(&bytes) {
            match payload.unwrap() {
                Payload::ImportSection(s) => assert_eq!(s.count(), 0, "modules import nothing"),
                Payload::ExportSection(s) => {
                    for e in s {
                        export_names.push(e.unwrap().name.to_string());
                    }
                }
                Payload::MemorySection(s) => {
                    for m in s {
                        memory_max = m.unwrap().maximum;
                    }
                }
                Payload::CustomSection(c) if c.name() == xince_abi::MANIFEST_SECTION => {
                    manifest = Some(c.data().to_vec());
                }
                _ => {}
            }
        }
        assert_eq!(export_names, exports::ALL.map(String::from).to_vec());
        assert_eq!(memory_max, Some(codegen::MAX_PAGES));
        let manifest = manifest.expect("manifest section");
        assert_eq!(manifest, serde_json::to_vec(&p.manifest).unwrap(), "canonical JSON of the manifest");
        let parsed: Manifest = serde_json::from_slice(&manifest).unwrap();
        assert_eq!(parsed, p.manifest);
    }
}

#[test]
fn abi_version_global_is_exported() {
    let wasm = Wasm::new(&rich_program(VersionRule::Old));
    assert_eq!(wasm.abi_version(), xince_abi::ABI_VERSION as i32);
}

#[test]
fn emit_is_deterministic() {
    for p in programs() {
        assert_eq!(codegen::emit(&p).unwrap(), codegen::emit(&p.clone()).unwrap());
    }
}

#[test]
fn different_programs_give_different_modules() {
    let a = codegen::emit(&rich_program(VersionRule::Old)).unwrap();
    let b = codegen::emit(&rich_program(VersionRule::New)).unwrap();
    assert_ne!(a, b);
}

#[test]
fn emit_is_fast_enough_for_cold_compiles() {
    // A loose guard only (the benchmark harness measures properly): 100 emits of the richest program.
    let p = rich_program(VersionRule::OldUnlessLenient);
    let start = std::time::Instant::now();
    for _ in 0..100 {
        codegen::emit(&p).unwrap();
    }
    let per = start.elapsed() / 100;
    assert!(per < std::time::Duration::from_millis(20), "emit took {per:?}");
}

#[test]
fn alloc_rejects_negative_and_oversized_lengths() {
    let mut wasm = Wasm::new(&blank_program());
    assert_eq!(wasm.alloc(-1), 0);
    assert_eq!(wasm.alloc(64 << 20), 0, "beyond the 16 MiB cap");
    let ptr = wasm.alloc(32);
    assert!(ptr > 0);
    assert_eq!(wasm.alloc(1 << 20), ptr, "the arena is reset: same address every time");
}
