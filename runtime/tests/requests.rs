//! Malformed requests: every error names the JSON path (or line/column) in Chinese and English. Nothing panics.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers outside #[test] fns

mod common;

use common::*;
use xince_abi::decode::{RequestErrorCode, encode_request, parse_request};

/// Parses and encodes; returns the error rendered as `code path: zh | en`.
fn error_of(json: &str) -> String {
    let result = parse_request(json).and_then(|r| encode_request(&manifest(), &r).map(|_| ()));
    match result {
        Ok(()) => "OK".to_string(),
        Err(e) => format!("{} {}: {} | {}", e.code.name(), e.path, e.message_zh, e.message_en),
    }
}

fn fixture_with(edit: impl FnOnce(&mut serde_json::Value)) -> String {
    let mut v: serde_json::Value = serde_json::from_str(REQUEST_JSON).unwrap();
    edit(&mut v);
    serde_json::to_string_pretty(&v).unwrap()
}

#[test]
fn fixture_request_encodes() {
    let req = parse_request(REQUEST_JSON).unwrap();
    let input = encode_request(&manifest(), &req).unwrap().input;
    // r2 (信用修复) is folded into r1: two primary records in request order.
    assert_eq!(input.records.len(), 2);
    assert_eq!(input.scenario, 0);
    assert_eq!(input.subject_kind, 1);
    assert_eq!(input.subject_sector, 0);
    assert_eq!(input.related_roles, 0b1);
    let r1 = &input.records[1];
    assert_eq!(r1.record_type, 1);
    assert_eq!(r1.severity, 2);
    assert_eq!(r1.flags, 0b1);
    assert_eq!(r1.repair_conditions, 0b1);
    assert_eq!(xince_abi::date::format_day(r1.repair_date).as_deref(), Some("2024-04-01"));
    assert!(input.records[0].amount.is_nan());
    assert_eq!(input.records[0].repair_date, xince_abi::date::NO_DATE);
    // The binary form round-trips.
    let back = xince_abi::input::Input::from_bytes(&input.to_bytes()).unwrap();
    assert_eq!(back.records.len(), 2);
    assert_eq!(back.records[1].flags, 0b1);
}

#[test]
fn objection_is_folded() {
    let json = fixture_with(|v| {
        v["subject"]["records"].as_array_mut().unwrap().push(serde_json::json!(
            { "id": "o1", "type": "异议", "of": "r1", "filed": "2024-04-20", "resolved": "2024-04-25", "upheld": true }));
    });
    let input = encode_request(&manifest(), &parse_request(&json).unwrap()).unwrap().input;
    let r1 = &input.records[1];
    assert_eq!(xince_abi::date::format_day(r1.objection_filed).as_deref(), Some("2024-04-20"));
    assert_eq!(xince_abi::date::format_day(r1.objection_resolved).as_deref(), Some("2024-04-25"));
    assert!(r1.objection_upheld);
}

#[test]
fn malformed_requests_name_the_place() {
    let cases: Vec<(&str, String)> = vec![
        ("truncated JSON", "{ \"as_of\": \"2024-05-01\",\n  \"subject\": { \"id\": \"x\" ".to_string()),
        ("wrong type id", "{ \"as_of\": \"2024-05-01\",\n  \"subject\": { \"id\": 1 } }".to_string()),
        ("syntax error", "{ \"as_of\": \"2024-05-01\" \"subject\": {} }".to_string()),
        ("trailing garbage", format!("{REQUEST_JSON} x")),
        ("wrong type", fixture_with(|v| v["subject"]["records"][1]["amount"] = "一万".into())),
        ("wrong type bool", fixture_with(|v| v["explain"] = "yes".into())),
        (
            "missing field",
            fixture_with(|v| {
                v["subject"].as_object_mut().unwrap().remove("kind");
            }),
        ),
        (
            "missing top-level field",
            fixture_with(|v| {
                v.as_object_mut().unwrap().remove("as_of");
            }),
        ),
        ("unknown field", fixture_with(|v| v["subject"]["records"][0]["severty"] = "严重".into())),
        ("unknown domain", fixture_with(|v| v["subject"]["records"][1]["domain"] = "食品安全".into())),
        ("unknown kind", fixture_with(|v| v["subject"]["kind"] = "企业法人".into())),
        (
            "unknown flag",
            fixture_with(|v| v["subject"]["records"][1]["flags"] = serde_json::json!(["拒不履行", "拒不执行"])),
        ),
        ("unknown role", fixture_with(|v| v["subject"]["related"][0]["role"] = "法人代表".into())),
        ("unknown scenario", fixture_with(|v| v["scenario"] = "采购".into())),
        (
            "unknown repair condition",
            fixture_with(|v| v["subject"]["records"][2]["conditions"] = serde_json::json!(["培训"])),
        ),
        ("impossible date", fixture_with(|v| v["subject"]["records"][1]["date"] = "2023-02-30".into())),
        ("malformed date", fixture_with(|v| v["as_of"] = "2024/05/01".into())),
        (
            "missing record date",
            fixture_with(|v| {
                v["subject"]["records"][0].as_object_mut().unwrap().remove("date");
            }),
        ),
        ("unknown of", fixture_with(|v| v["subject"]["records"][2]["of"] = "r9".into())),
        (
            "duplicate repair",
            fixture_with(|v| {
                v["subject"]["records"].as_array_mut().unwrap().push(serde_json::json!(
                { "id": "r3", "type": "信用修复", "of": "r1", "date": "2024-04-02" }));
            }),
        ),
        ("duplicate id", fixture_with(|v| v["subject"]["records"][1]["id"] = "r0".into())),
        (
            "objection without filed",
            fixture_with(|v| {
                v["subject"]["records"]
                    .as_array_mut()
                    .unwrap()
                    .push(serde_json::json!({ "id": "o1", "type": "异议", "of": "r1" }));
            }),
        ),
        ("of on a primary record", fixture_with(|v| v["subject"]["records"][0]["of"] = "r1".into())),
    ];
    let mut out = String::new();
    for (name, json) in &cases {
        let rendered = error_of(json);
        assert_ne!(rendered, "OK", "{name} should fail");
        out.push_str(&format!("{name}\n  {rendered}\n"));
    }
    insta::assert_snapshot!("request_errors", out);
}

#[test]
fn codes_are_stable() {
    let req = parse_request(&fixture_with(|v| v["subject"]["records"][1]["domain"] = "食品".into())).unwrap();
    let e = encode_request(&manifest(), &req).unwrap_err();
    assert_eq!(e.code, RequestErrorCode::UnknownValue);
    assert_eq!(e.path, "subject.records[1].domain");
    assert!(e.message_zh.contains("食品药品"), "did-you-mean: {}", e.message_zh);
    assert_eq!(serde_json::to_value(e.code).unwrap(), "E_REQ_VOCAB");
}

#[test]
fn arbitrary_text_never_panics() {
    let samples = [
        "",
        "null",
        "[]",
        "{}",
        "\"x\"",
        "{\"as_of\":null}",
        "{\"subject\":{\"records\":[{}]}}",
        "{\"as_of\":\"2024-05-01\",\"subject\":{\"id\":\"x\",\"kind\":\"法人\",\"records\":[{\"id\":\"a\",\"type\":\"异议\"}]}}",
    ];
    for s in samples {
        assert!(error_of(s) != "OK", "{s:?}");
    }
}
