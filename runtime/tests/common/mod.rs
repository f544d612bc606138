//! Shared test helpers: the fixture manifest, WAT → module bytes with a manifest section, one runtime.
#![allow(dead_code)]

use std::sync::OnceLock;
use std::time::Duration;
use xince_abi::manifest::Manifest;
use xince_runtime::{Runtime, RuntimeConfig};

pub const MANIFEST_JSON: &str = include_str!("../fixtures/manifest.json");
pub const GOOD_WAT: &str = include_str!("../fixtures/good.wat");
pub const REQUEST_JSON: &str = include_str!("../fixtures/request.json");

pub fn manifest() -> Manifest {
    serde_json::from_str(MANIFEST_JSON).unwrap()
}

/// Appends a custom section (id 0) the way the compiler does.
pub fn with_section(mut wasm: Vec<u8>, name: &str, data: &[u8]) -> Vec<u8> {
    fn leb(mut v: usize, out: &mut Vec<u8>) {
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(byte);
                break;
            }
            out.push(byte | 0x80);
        }
    }
    let mut payload = Vec::new();
    leb(name.len(), &mut payload);
    payload.extend_from_slice(name.as_bytes());
    payload.extend_from_slice(data);
    wasm.push(0);
    leb(payload.len(), &mut wasm);
    wasm.extend_from_slice(&payload);
    wasm
}

/// WAT text → module bytes carrying the given manifest JSON.
pub fn module(wat: &str, manifest_json: &str) -> Vec<u8> {
    with_section(wat::parse_str(wat).unwrap(), xince_abi::MANIFEST_SECTION, manifest_json.as_bytes())
}

pub fn good_module() -> Vec<u8> {
    module(GOOD_WAT, MANIFEST_JSON)
}

/// Small limits so hostile modules are stopped fast.
pub fn test_config() -> RuntimeConfig {
    RuntimeConfig {
        memory_limit_bytes: 4 << 20,
        fuel_per_evaluation: Some(20_000_000),
        deadline: Some(Duration::from_secs(5)),
        pooling: true,
        pool_instances: 16,
        precompiled: None,
        reuse_instances: true,
        trusted_keys: None,
    }
}

/// One runtime per test binary, as a host would have.
pub fn runtime() -> &'static Runtime {
    static RT: OnceLock<Runtime> = OnceLock::new();
    RT.get_or_init(|| Runtime::new(test_config()).unwrap())
}
