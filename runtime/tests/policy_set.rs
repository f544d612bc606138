//! Choosing the module in force: by jurisdiction (most specific ancestor), date range, supersedes, extends.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers outside #[test] fns

mod common;

use common::*;
use xince_runtime::{PolicySet, PolicySetError};

fn module_for(
    id: &str,
    jurisdiction: &str,
    from: &str,
    until: Option<&str>,
    extends: &[&str],
    supersedes: Option<&str>,
) -> Vec<u8> {
    let mut m: serde_json::Value = serde_json::from_str(MANIFEST_JSON).unwrap();
    m["policy"]["id"] = id.into();
    m["policy"]["jurisdiction"] = jurisdiction.into();
    m["policy"]["effective_from"] = from.into();
    m["policy"]["effective_until"] = until.map_or(serde_json::Value::Null, Into::into);
    m["policy"]["extends"] = extends.iter().map(|s| serde_json::Value::from(*s)).collect();
    m["policy"]["supersedes"] = supersedes.map_or(serde_json::Value::Null, Into::into);
    module(GOOD_WAT, &m.to_string())
}

fn set() -> PolicySet {
    let modules = [
        ("city.wasm", module_for("市", "某市", "2020-01-01", None, &[], None)),
        ("county-v1.wasm", module_for("县v1", "某市/某县", "2021-01-01", Some("2023-12-31"), &["市"], None)),
        ("county-v2.wasm", module_for("县v2", "某市/某县", "2023-06-01", None, &["市"], Some("县v1"))),
        ("dept.wasm", module_for("司法局", "某市/某县/司法局", "2024-01-01", None, &["县v2"], None)),
    ];
    PolicySet::from_modules(runtime(), modules).unwrap()
}

#[test]
fn a_refused_module_is_named() {
    let modules =
        [("city.wasm", module_for("市", "某市", "2020-01-01", None, &[], None)), ("junk.wasm", b"junk".to_vec())];
    match PolicySet::from_modules(runtime(), modules) {
        Err(PolicySetError::Load { module, .. }) => assert_eq!(module, "junk.wasm"),
        other => panic!("expected a load error naming junk.wasm, got {:?}", other.err()),
    }
}

fn pick(set: &PolicySet, j: &str, d: &str) -> String {
    match set.select(j, d) {
        Ok(p) => p.manifest().policy.id.clone(),
        Err(e) => format!("ERR {e}"),
    }
}

#[test]
fn picks_the_module_in_force() {
    let s = set();
    assert_eq!(s.len(), 4);
    // Before the county had its own plan, the city's applies.
    assert_eq!(pick(&s, "某市/某县", "2020-06-01"), "市");
    assert_eq!(pick(&s, "某市/某县", "2022-06-01"), "县v1");
    // v2 supersedes v1 where both are in force.
    assert_eq!(pick(&s, "某市/某县", "2023-07-01"), "县v2");
    assert_eq!(pick(&s, "某市/某县", "2025-01-01"), "县v2");
    // A department under the county: its own module once in force, else the county's.
    assert_eq!(pick(&s, "某市/某县/司法局", "2023-07-01"), "县v2");
    assert_eq!(pick(&s, "某市/某县/司法局", "2024-05-01"), "司法局");
    // Another department of the county gets the county's module, not the 司法局's.
    assert_eq!(pick(&s, "某市/某县/税务局", "2024-05-01"), "县v2");
    assert_eq!(pick(&s, "某市", "2024-05-01"), "市");
}

#[test]
fn none_in_force_is_a_clear_error() {
    let s = set();
    let e = s.select("某市/某县", "2019-01-01").err().unwrap();
    assert!(matches!(e, PolicySetError::NoneInForce { .. }));
    insta::assert_snapshot!("none_in_force", e.to_string());
    assert!(matches!(s.select("别的市", "2024-01-01").err().unwrap(), PolicySetError::NoneInForce { .. }));
    assert!(matches!(s.select("某市", "2024-13-01").err().unwrap(), PolicySetError::BadDate(_)));
}
