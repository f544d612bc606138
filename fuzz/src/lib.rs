//! The bodies of the fuzz targets, one function each, so `cargo fuzz` (fuzz/fuzz_targets/*.rs) and the corpus
//! replay in the main workspace (`tests/fuzz_replay.rs` includes this file by path) run the same code.
//!
//! Each function takes arbitrary bytes and must return normally: every error is a value with a code. A panic,
//! an abort or a hang is a finding. Where an input is valid, the function checks the stronger property the
//! stage promises (a checked source compiles to a module that validates and loads; an answer that decodes
//! re-encodes to the same bytes; a module that loads evaluates a request to a decision or a coded error).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // harness code: a broken setup must fail loudly

use std::sync::OnceLock;
use xince_abi::manifest::Manifest;
use xince_abi::output::RawOutput;
use xince_abi::request::Request;
use xince_runtime::{Policy, Runtime, RuntimeConfig};

/// The policy every target evaluates against: the conformance suite's semantics policy (self-contained).
pub const SEED_POLICY: &str = include_str!("../../tests/conformance/policies/语义.xince");
/// A request that policy accepts.
pub const SEED_REQUEST: &str = include_str!("../../examples/requests/梁平区-食品企业.json");

/// Target names, in the order `fuzz/run.sh` runs them.
pub const TARGETS: &[&str] =
    &["parse_check", "compile", "request", "module_load", "answer_decode", "batch_lines", "verify_signature"];

/// One runtime per process, with the default limits (fuel, deadline, memory) but no pooling.
pub fn runtime() -> &'static Runtime {
    static RT: OnceLock<Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        Runtime::new(RuntimeConfig { pooling: false, deadline: None, ..RuntimeConfig::default() }).expect("runtime")
    })
}

/// The seed policy: its module bytes, the loaded policy and its manifest.
pub struct Seed {
    pub wasm: Vec<u8>,
    pub policy: Policy,
    pub program: xince_compiler::ir::Program,
}

pub fn seed() -> &'static Seed {
    static SEED: OnceLock<Seed> = OnceLock::new();
    SEED.get_or_init(|| {
        let mut compiler = xince_compiler::Compiler::new();
        compiler.set_file("seed.xince", SEED_POLICY);
        let program = compiler.program("seed.xince").expect("seed policy compiles");
        let wasm = xince_compiler::codegen::emit(&program).expect("seed codegen");
        let policy = runtime().load(&wasm).expect("seed loads");
        Seed { wasm, policy, program }
    })
}

fn manifest() -> &'static Manifest {
    seed().policy.manifest()
}

/// Source text → check: never panics, every diagnostic has a code.
pub fn parse_check(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let parsed = xince_lang::parse(0, text);
    for d in &parsed.diagnostics {
        assert!(!d.code.is_empty());
    }
    let _ = xince_lang::format::format(text);
    let mut compiler = xince_compiler::Compiler::new();
    let id = compiler.set_file("fuzz.xince", text);
    for d in compiler.check_file(id) {
        assert!(!d.code.is_empty(), "a diagnostic without a code");
        assert!(!d.labels.is_empty(), "{}: a diagnostic without a location", d.code);
    }
}

/// Source text → compile: a source that checks without errors and is a policy must compile to a module that
/// validates and loads (with its digest checked).
pub fn compile(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut compiler = xince_compiler::Compiler::new();
    compiler.set_file("fuzz.xince", text);
    let Ok(program) = compiler.program("fuzz.xince") else { return };
    let wasm = xince_compiler::codegen::emit(&program).expect("a checked program must compile");
    wasmparser::Validator::new().validate_all(&wasm).expect("the module must validate");
    if let Err(e) = runtime().load(&wasm) {
        panic!("a module compiled from a checked source was refused: {e}");
    }
}

/// Request JSON → parse, limits, encode against the seed manifest, evaluate: a decision or a coded error.
pub fn request(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let limits = xince_abi::request::RequestLimits::default();
    if limits.check_text(text).is_err() {
        return;
    }
    let Ok(request) = xince_abi::decode::parse_request(text) else { return };
    if limits.check_request(&request).is_err() {
        return;
    }
    let Ok(encoded) = xince_abi::decode::encode_request(manifest(), &request) else { return };
    let _ = encoded.input.to_bytes();
    match seed().policy.evaluate(&request) {
        Ok(decision) => {
            serde_json::to_string(&decision).expect("a decision serializes");
        }
        Err(e) => assert!(!e.code().is_empty()),
    }
}

/// Module bytes → load (half the inputs sealed with a fresh digest, so the checks past the digest are
/// reached too) → one evaluation when it loads.
pub fn module_load(data: &[u8]) {
    let sealed;
    let bytes = if data.first().is_some_and(|b| b & 1 == 1) {
        match xince_abi::digest::seal(&data[1..]) {
            Ok(s) => {
                sealed = s;
                &sealed[..]
            }
            Err(_) => return,
        }
    } else {
        data
    };
    let manifest_ok = xince_runtime::check::check_bytes(bytes, runtime().config()).is_ok();
    match runtime().load(bytes) {
        Ok(policy) => {
            assert!(manifest_ok, "load accepted what the static checks refuse");
            if let Ok(request) = xince_abi::decode::parse_request(SEED_REQUEST) {
                let _ = policy.evaluate(&request);
            }
        }
        Err(e) => assert!(!e.code().is_empty()),
    }
}

/// Answer bytes → decode against the seed's shape (and a request with as many records) → decide.
pub fn answer_decode(data: &[u8]) {
    let Some((&records, bytes)) = data.split_first() else { return };
    let request: Request = xince_abi::decode::parse_request(SEED_REQUEST).expect("seed request");
    let records = usize::from(records % 4).min(xince_abi::decode::primary_records(&request).len());
    let shape = manifest().output_shape();
    match RawOutput::from_bytes(bytes, &shape, records) {
        Ok(raw) => {
            assert_eq!(raw.to_bytes(), bytes, "a decoded answer re-encodes to other bytes");
            if records == xince_abi::decode::primary_records(&request).len() {
                let encoded = xince_abi::decode::encode_request(manifest(), &request).expect("seed request encodes");
                let decision = xince_abi::decode::decide(manifest(), &encoded, &raw);
                serde_json::to_string(&decision).expect("a decision serializes");
            }
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
}

/// Bytes as a JSON Lines batch: every non-blank line gives one output line, in order.
pub fn batch_lines(data: &[u8]) {
    let options = xince_batch::Options { threads: 2, chunk_lines: 3, ..Default::default() };
    let mut out = Vec::new();
    let summary = xince_batch::run(&seed().policy, &options, data, &mut out, |_| {}).expect("in-memory batch");
    let lines = out.iter().filter(|&&b| b == b'\n').count();
    assert_eq!(lines, summary.requests, "one output line per request");
    for line in out.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        let v: serde_json::Value = serde_json::from_slice(line).expect("every output line is JSON");
        if let Some(e) = v.get("error") {
            assert!(e.get("code").and_then(|c| c.as_str()).is_some_and(|c| !c.is_empty()));
        }
    }
}

/// Module bytes → signature verification against one trusted key: never panics, and never accepts a
/// module the key did not sign (the seed module signed once is the only thing that may verify).
pub fn verify_signature(data: &[u8]) {
    use xince_abi::signature::{SecretKeyFile, TrustedKey, verify};
    static KEY: OnceLock<(SecretKeyFile, Vec<u8>)> = OnceLock::new();
    let (key, signed) = KEY.get_or_init(|| {
        let key = SecretKeyFile::from_seed("模糊测试", [7; 32]);
        let signed = xince_abi::signature::sign(&seed().wasm, &key).expect("sign");
        (key, signed)
    });
    let trusted = [TrustedKey {
        key_id: key.key_id.clone(),
        public_key: key.public_key.clone(),
        jurisdiction: String::new(),
        issuer: None,
    }];
    let _ = xince_abi::signature::read_block(data);
    if verify(data, &trusted).is_ok() {
        // Only bytes equal to what was signed (the signature section may not be re-encoded) verify.
        let start = xince_abi::sections::sections(data).unwrap().last().unwrap().start;
        let signed_start = xince_abi::sections::sections(signed).unwrap().last().unwrap().start;
        assert_eq!(&data[..start], &signed[..signed_start], "a module the key never signed verified");
    }
}

/// Runs target `name` on `data`.
pub fn run(name: &str, data: &[u8]) {
    match name {
        "parse_check" => parse_check(data),
        "compile" => compile(data),
        "request" => request(data),
        "module_load" => module_load(data),
        "answer_decode" => answer_decode(data),
        "batch_lines" => batch_lines(data),
        "verify_signature" => verify_signature(data),
        other => panic!("no fuzz target {other}"),
    }
}
