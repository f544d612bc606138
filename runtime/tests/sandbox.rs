//! Hostile and broken modules: each is refused or stopped with a clear error, and the same runtime then
//! evaluates a good module correctly.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers outside #[test] fns

mod common;

use common::*;
use std::time::{Duration, Instant};
use xince_abi::decode::parse_request;
use xince_abi::layout::{ListStatus, MeasureStatus};
use xince_abi::output::RawOutput;
use xince_runtime::{EvalError, LoadError, Runtime, RuntimeConfig};

/// The good module's exports with `xince_evaluate`'s status computed by `body` (which may use `$p` and
/// `$len`); the answer is claimed at 32768, 76 bytes long.
fn with_evaluate(body: &str) -> String {
    format!(
        r#"(module
  (memory (export "memory") 1 1024)
  (global (export "xince_abi_version") i32 (i32.const 3))
  (func (export "xince_alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "xince_evaluate") (param $p i32) (param $len i32) (result i32 i32 i32) {body} (i32.const 32768) (i32.const 76)))"#
    )
}

/// A module whose answer is the given bytes, placed by a data segment.
fn answering(bytes: &[u8]) -> Vec<u8> {
    let escaped: String = bytes.iter().map(|b| format!("\\{b:02x}")).collect();
    let wat = format!(
        r#"(module
  (memory (export "memory") 1 1)
  (global (export "xince_abi_version") i32 (i32.const 3))
  (func (export "xince_alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "xince_evaluate") (param i32 i32) (result i32 i32 i32) (i32.const 0) (i32.const 32768) (i32.const {len}))
  (data (i32.const 32768) "{escaped}"))"#,
        len = bytes.len()
    );
    module(&wat, MANIFEST_JSON)
}

fn request() -> xince_abi::request::Request {
    parse_request(REQUEST_JSON).unwrap()
}

/// What the good module answers for the fixture request, checked field by field.
fn assert_good_decision(rt: &Runtime) {
    let policy = rt.load(&good_module()).unwrap();
    let decision = policy.evaluate(&request()).unwrap();
    assert_eq!(decision.lists.len(), 1);
    let list = &decision.lists[0];
    assert_eq!(list.status, ListStatus::Active);
    assert_eq!(list.record.as_deref(), Some("r1"));
    assert_eq!(list.entered.map(|d| d.to_string()).as_deref(), Some("2023-03-01"));
    // 2023-03-01 + 1095 days (the fixture's simplified fixed count).
    assert_eq!(list.publication_ends.map(|d| d.to_string()).as_deref(), Some("2026-02-28"));
    let repair = list.repair.as_ref().unwrap();
    assert_eq!(repair.possible_from.map(|d| d.to_string()).as_deref(), Some("2024-03-01"));
    // 履行义务 was met by r2; 信用承诺 is still missing.
    assert_eq!(repair.missing_conditions, vec!["信用承诺".to_string()]);
    assert!(!repair.eligible_now);
    assert_eq!(decision.measures.len(), 1);
    assert_eq!(decision.measures[0].status, MeasureStatus::Active);
    let targets: Vec<(&str, &str)> =
        decision.measures[0].targets.iter().map(|t| (t.role.as_ref(), t.id.as_ref())).collect();
    assert_eq!(targets, vec![("主体", "91500237MA5UXXXXXX"), ("法定代表人", "500237198001011234")]);
    assert_eq!(decision.incentives.len(), 1);
    assert!(!decision.incentives[0].eligible);
    assert_eq!(decision.incentives[0].failed_condition.as_deref(), Some("无任何记录"));
    assert_eq!(decision.notifications.len(), 1);
    assert_eq!(decision.notifications[0].recipients, vec!["上级主管部门".to_string()]);
}

#[test]
fn good_module_evaluates() {
    assert_good_decision(runtime());
}

#[test]
fn good_module_decision_snapshot() {
    let policy = runtime().load(&good_module()).unwrap();
    let mut req = request();
    req.explain = true;
    insta::assert_json_snapshot!("good_decision_explain", policy.evaluate(&req).unwrap());
}

#[test]
fn endless_loop_is_stopped_by_fuel() {
    let rt = runtime();
    let policy = rt.load(&module(&with_evaluate("(loop $l (br $l)) (i32.const 0)"), MANIFEST_JSON)).unwrap();
    let start = Instant::now();
    let err = policy.evaluate(&request()).unwrap_err();
    assert_eq!(err, EvalError::OutOfFuel);
    assert!(start.elapsed() < Duration::from_secs(10));
    // The same policy object and runtime keep serving.
    assert_eq!(policy.evaluate(&request()).unwrap_err(), EvalError::OutOfFuel);
    assert_good_decision(rt);
}

#[test]
fn endless_loop_is_stopped_by_deadline_without_fuel() {
    let rt = Runtime::new(RuntimeConfig {
        fuel_per_evaluation: None,
        deadline: Some(Duration::from_millis(200)),
        ..test_config()
    })
    .unwrap();
    let policy = rt.load(&module(&with_evaluate("(loop $l (br $l)) (i32.const 0)"), MANIFEST_JSON)).unwrap();
    let start = Instant::now();
    assert_eq!(policy.evaluate(&request()).unwrap_err(), EvalError::Timeout);
    assert!(start.elapsed() < Duration::from_secs(5), "took {:?}", start.elapsed());
    assert_good_decision(&rt);
}

#[test]
fn unbounded_memory_growth_is_refused_at_the_cap() {
    let rt = runtime();
    let body = "(loop $l (drop (memory.grow (i32.const 1))) (br $l)) (i32.const 0)";
    let policy = rt.load(&module(&with_evaluate(body), MANIFEST_JSON)).unwrap();
    let err = policy.evaluate(&request()).unwrap_err();
    assert_eq!(err, EvalError::MemoryLimit { limit_bytes: 4 << 20 });
    insta::assert_snapshot!("memory_limit_message", err.to_string());
    assert_good_decision(rt);
}

#[test]
fn initial_memory_above_the_cap_is_a_load_error() {
    let wat = with_evaluate("(i32.const 0)")
        .replace("(memory (export \"memory\") 1 1024)", "(memory (export \"memory\") 200)");
    let err = runtime().load(&module(&wat, MANIFEST_JSON)).err().unwrap();
    assert_eq!(err, LoadError::InitialMemoryTooLarge { bytes: 200 * 65536, limit_bytes: 4 << 20 });
}

#[test]
fn unknown_import_is_refused() {
    let wat = with_evaluate("(call $clock) (i32.const 0)")
        .replace("(module", "(module (import \"env\" \"clock\" (func $clock))");
    let err = runtime().load(&module(&wat, MANIFEST_JSON)).err().unwrap();
    assert_eq!(err, LoadError::ImportNotAllowed { module: "env".into(), name: "clock".into() });
    insta::assert_snapshot!("import_message", err.to_string());
    assert_good_decision(runtime());
}

#[test]
fn wrong_abi_version_global_is_refused() {
    let wat = with_evaluate("(i32.const 0)").replace(
        "(i32.const 3))\n  (func (export \"xince_alloc\")",
        "(i32.const 1))\n  (func (export \"xince_alloc\")",
    );
    let err = runtime().load(&module(&wat, MANIFEST_JSON)).err().unwrap();
    assert_eq!(err, LoadError::AbiVersionGlobal { found: 1 });
}

#[test]
fn wrong_manifest_abi_version_is_refused() {
    let manifest = MANIFEST_JSON.replacen("\"abi_version\": 3", "\"abi_version\": 7", 1);
    let err = runtime().load(&module(GOOD_WAT, &manifest)).err().unwrap();
    assert_eq!(err, LoadError::ManifestAbiVersion { found: 7 });
}

#[test]
fn measure_naming_a_missing_list_is_refused() {
    let manifest = MANIFEST_JSON.replacen("\"trigger_list\": 0", "\"trigger_list\": 3", 1);
    let err = runtime().load(&module(GOOD_WAT, &manifest)).err().unwrap();
    assert!(matches!(&err, LoadError::BadManifest(m) if m.contains("measures[0].trigger_list = 3")), "{err:?}");
}

#[test]
fn module_without_manifest_is_refused() {
    let err = runtime().load(&wat::parse_str(GOOD_WAT).unwrap()).err().unwrap();
    assert_eq!(err, LoadError::NoManifest);
    insta::assert_snapshot!("no_manifest_message", err.to_string());
}

#[test]
fn garbage_manifest_and_bytes_are_refused() {
    let err = runtime().load(&module(GOOD_WAT, "{not json")).err().unwrap();
    assert!(matches!(err, LoadError::BadManifest(_)), "{err:?}");
    let err = runtime().load(b"\0asm\x01\0\0\0garbage").err().unwrap();
    assert!(matches!(err, LoadError::InvalidWasm(_)), "{err:?}");
    let err = runtime().load(b"not wasm at all").err().unwrap();
    assert!(matches!(err, LoadError::InvalidWasm(_)), "{err:?}");
}

#[test]
fn missing_or_mistyped_exports_are_refused() {
    let wat = with_evaluate("(i32.const 0)").replace("(export \"xince_evaluate\")", "");
    assert_eq!(
        runtime().load(&module(&wat, MANIFEST_JSON)).err().unwrap(),
        LoadError::MissingExport { name: "xince_evaluate" }
    );
    // An ABI v1 `xince_evaluate` (status only) is refused by name and expected signature.
    let wat = with_evaluate("(i32.const 0)")
        .replace("(result i32 i32 i32) (i32.const 0) (i32.const 32768) (i32.const 76)", "(result i32) (i32.const 0)");
    let err = runtime().load(&module(&wat, MANIFEST_JSON)).err().unwrap();
    assert!(
        matches!(
            err,
            LoadError::WrongExportType { name: "xince_evaluate", expected: "func (i32, i32) -> (i32, i32, i32)", .. }
        ),
        "{err:?}"
    );
    let wat = with_evaluate("(i32.const 0)")
        .replace("(param i32) (result i32) (i32.const 1024)", "(param i64) (result i32) (i32.const 1024)");
    let err = runtime().load(&module(&wat, MANIFEST_JSON)).err().unwrap();
    assert!(matches!(err, LoadError::WrongExportType { name: "xince_alloc", .. }), "{err:?}");
}

fn good_raw() -> RawOutput {
    let policy = runtime().load(&good_module()).unwrap();
    let input = xince_abi::decode::encode_request(policy.manifest(), &request()).unwrap().input;
    policy.evaluate_raw(&input).unwrap()
}

#[test]
fn malformed_answers_are_reported() {
    let rt = runtime();
    let good = good_raw().to_bytes();
    // The bytes of a good answer, served by a static module, decode to the same decision.
    assert_eq!(
        rt.load(&answering(&good)).unwrap().evaluate(&request()).unwrap(),
        rt.load(&good_module()).unwrap().evaluate(&request()).unwrap()
    );

    let mut bad_magic = good.clone();
    bad_magic[0] = b'Y';
    let mut bad_count = good.clone();
    bad_count[4] = 2; // two lists; the manifest has one
    let mut bad_record = good.clone();
    bad_record[32 + 4] = 9; // list 0 governed by record 9 of 2
    let mut bad_status = good.clone();
    bad_status[32] = 42;
    let mut bad_measure = good.clone();
    bad_measure[64] = 9; // measure 0's status (the only field of a measure entry)
    let mut bad_clause = good.clone();
    bad_clause[68..72].copy_from_slice(&1i32.to_le_bytes()); // incentive 0 has one clause: 0 or -1
    let short = good[..40].to_vec();
    let mut messages = Vec::new();
    for (name, bytes) in [
        ("bad_magic", bad_magic),
        ("bad_count", bad_count),
        ("bad_record", bad_record),
        ("bad_status", bad_status),
        ("bad_measure", bad_measure),
        ("bad_clause", bad_clause),
        ("short", short),
    ] {
        let err = rt.load(&answering(&bytes)).unwrap().evaluate(&request()).unwrap_err();
        assert!(matches!(err, EvalError::MalformedAnswer(_)), "{name}: {err:?}");
        messages.push(format!("{name}: {err}"));
    }
    insta::assert_snapshot!("malformed_answers", messages.join("\n"));
    assert_good_decision(rt);
}

#[test]
fn output_pointer_outside_memory_is_reported() {
    let wat =
        with_evaluate("(i32.const 0)").replace("(i32.const 32768) (i32.const 76)", "(i32.const -16) (i32.const 76)");
    let err = runtime().load(&module(&wat, MANIFEST_JSON)).unwrap().evaluate(&request()).unwrap_err();
    assert!(matches!(err, EvalError::MalformedAnswer(_)), "{err:?}");
}

#[test]
fn module_error_codes_and_unknown_statuses() {
    let policy = runtime().load(&module(&with_evaluate("(i32.const 2)"), MANIFEST_JSON)).unwrap();
    let err = policy.evaluate(&request()).unwrap_err();
    assert!(matches!(err, EvalError::Module { code: xince_abi::error::EvalErrorCode::NotYetInForce, .. }), "{err:?}");
    let policy = runtime().load(&module(&with_evaluate("(i32.const 99)"), MANIFEST_JSON)).unwrap();
    assert_eq!(policy.evaluate(&request()).unwrap_err(), EvalError::UnknownStatus(99));
}

#[test]
fn trap_is_reported_and_instance_discarded() {
    let policy = runtime().load(&module(&with_evaluate("unreachable"), MANIFEST_JSON)).unwrap();
    let err = policy.evaluate(&request()).unwrap_err();
    assert!(matches!(err, EvalError::Trap(_)), "{err:?}");
    assert!(matches!(policy.evaluate(&request()).unwrap_err(), EvalError::Trap(_)));
}

#[test]
fn request_errors_surface_through_evaluate() {
    let policy = runtime().load(&good_module()).unwrap();
    let mut req = request();
    req.subject.records[1].domain = Some("食品安全".into());
    match policy.evaluate(&req).unwrap_err() {
        EvalError::Request(e) => assert_eq!(e.path, "subject.records[1].domain"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn many_threads_share_one_policy() {
    let policy = runtime().load(&good_module()).unwrap();
    let expected = policy.evaluate(&request()).unwrap();
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..50 {
                    assert_eq!(policy.evaluate(&request()).unwrap(), expected);
                }
            });
        }
    });
}

/// An in-memory artefact store a test can tamper with.
#[derive(Default)]
struct MemoryStore(std::sync::Mutex<std::collections::BTreeMap<String, Vec<u8>>>);

impl xince_runtime::ArtefactStore for MemoryStore {
    fn read(&self, name: &str) -> Result<Option<Vec<u8>>, String> {
        Ok(self.0.lock().unwrap().get(name).cloned())
    }
    fn write(&self, name: &str, bytes: &[u8]) -> Result<(), String> {
        self.0.lock().unwrap().insert(name.to_string(), bytes.to_vec());
        Ok(())
    }
}

#[test]
fn precompiled_cache_serves_a_second_runtime_and_refuses_forged_artefacts() {
    let store = std::sync::Arc::new(MemoryStore::default());
    let cache = xince_runtime::PrecompiledCache { store: store.clone(), key: xince_runtime::CacheKey([7; 32]) };
    let config = RuntimeConfig { precompiled: Some(cache.clone()), ..test_config() };
    let first = Runtime::new(config.clone()).unwrap();
    let d1 = first.load(&good_module()).unwrap().evaluate(&request()).unwrap();
    assert_eq!(store.0.lock().unwrap().len(), 1);
    assert_eq!(first.take_cache_warnings(), vec![]);

    // A second process with the key loads the artefact and decides the same.
    let second = Runtime::new(config.clone()).unwrap();
    assert_eq!(second.load(&good_module()).unwrap().evaluate(&request()).unwrap(), d1);
    assert_eq!(second.take_cache_warnings(), vec![]);

    // Someone who can write the store but lacks the key: one flipped byte of native code is refused,
    // reported, and the module is compiled from its wasm instead.
    for bytes in store.0.lock().unwrap().values_mut() {
        let middle = bytes.len() / 2;
        bytes[middle] ^= 1;
    }
    let third = Runtime::new(config).unwrap();
    assert_eq!(third.load(&good_module()).unwrap().evaluate(&request()).unwrap(), d1);
    let codes: Vec<&str> = third.take_cache_warnings().iter().map(|w| w.code).collect();
    assert_eq!(codes, ["W_CACHE_FORGED"]);

    // A store written under another key is just as untrusted.
    let other = RuntimeConfig {
        precompiled: Some(xince_runtime::PrecompiledCache { key: xince_runtime::CacheKey([8; 32]), ..cache }),
        ..test_config()
    };
    let fourth = Runtime::new(other).unwrap();
    assert!(fourth.load(&good_module()).is_ok());
    assert_eq!(fourth.take_cache_warnings().iter().map(|w| w.code).collect::<Vec<_>>(), ["W_CACHE_FORGED"]);
}

/// Leaves the fixture module and request under the target dir, for trying the CLI and the embedding example
/// by hand (`target/tmp/xince-fixture/`).
#[test]
fn writes_fixture_module_for_manual_use() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("xince-fixture");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("good.wasm"), good_module()).unwrap();
    std::fs::write(dir.join("request.json"), REQUEST_JSON).unwrap();
    assert!(runtime().load(&std::fs::read(dir.join("good.wasm")).unwrap()).is_ok());
}
