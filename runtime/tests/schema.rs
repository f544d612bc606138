//! The published JSON Schemas (docs/schema) accept what the runtime reads and produces, and reject what it
//! refuses.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers outside #[test] fns

mod common;

use common::*;
use serde_json::{Value, json};
use xince_abi::date::{CivilDate, NO_DATE};
use xince_abi::decode::{decide, parse_request};
use xince_abi::layout::{ListStatus, MeasureStatus, ObjectionStatus};
use xince_abi::output::{IncentiveOutcome, ListOutcome, ObjectionOutcome, RawOutput};

fn schema(name: &str) -> jsonschema::Validator {
    let path = format!("{}/../docs/schema/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let value: Value = serde_json::from_str(&text).unwrap();
    jsonschema::draft202012::new(&value).unwrap()
}

fn assert_valid(v: &jsonschema::Validator, instance: &Value) {
    let errors: Vec<String> = v.iter_errors(instance).map(|e| format!("{} at {}", e, e.instance_path)).collect();
    assert!(errors.is_empty(), "{errors:#?}\n{instance:#}");
}

fn day(s: &str) -> i32 {
    CivilDate::parse(s).unwrap().to_days()
}

#[test]
fn requests_match_the_schema() {
    let v = schema("request.schema.json");
    let fixture: Value = serde_json::from_str(REQUEST_JSON).unwrap();
    assert_valid(&v, &fixture);
    let mut with_objection = fixture.clone();
    with_objection["explain"] = true.into();
    with_objection["subject"]["records"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "id": "o1", "type": "异议", "of": "r1", "filed": "2024-04-20", "resolved": "2024-04-25", "upheld": false }));
    assert_valid(&v, &with_objection);
    // Every request the schema accepts here also parses.
    parse_request(&with_objection.to_string()).unwrap();

    for bad in [
        json!({ "as_of": "2024-05-01" }),
        json!({ "as_of": "2024-05-01", "subject": { "id": "x", "kind": "法人", "extra": 1 } }),
        json!({ "as_of": "2024/05/01", "subject": { "id": "x", "kind": "法人" } }),
        json!({ "as_of": "2024-05-01", "subject": { "id": "x", "kind": "法人", "records": [ { "id": "a", "type": "行政处罚" } ] } }),
        json!({ "as_of": "2024-05-01", "subject": { "id": "x", "kind": "法人", "records": [ { "id": "a", "type": "异议", "of": "b" } ] } }),
    ] {
        assert!(!v.is_valid(&bad), "schema accepted {bad}");
    }
}

#[test]
fn decisions_match_the_schema() {
    let v = schema("decision.schema.json");
    let policy = runtime().load(&good_module()).unwrap();
    let mut req = parse_request(REQUEST_JSON).unwrap();
    assert_valid(&v, &serde_json::to_value(policy.evaluate(&req).unwrap()).unwrap());
    req.explain = true;
    assert_valid(&v, &serde_json::to_value(policy.evaluate(&req).unwrap()).unwrap());

    // A synthetic answer exercising the remaining shapes: suspended list and measure, objections.
    req.subject.records.push(
        serde_json::from_value(json!({ "id": "o1", "type": "异议", "of": "r1", "filed": "2024-04-20" })).unwrap(),
    );
    let raw = RawOutput {
        lists: vec![ListOutcome {
            status: ListStatus::Suspended,
            record: 1,
            entered: day("2023-03-01"),
            last_day: day("2026-02-28"),
            earliest_repair: day("2024-03-01"),
            ended_on: NO_DATE,
            regime: -1,
            overridden_by: -1,
        }],
        measures: vec![MeasureStatus::Suspended],
        incentives: vec![IncentiveOutcome { eligible: true, failed_clause: -1 }],
        notifications: vec![false],
        grade: -1,
        objections: vec![ObjectionOutcome { record: 1, due: day("2024-04-27"), status: ObjectionStatus::Overdue }],
    };
    let encoded = xince_abi::decode::encode_request(policy.manifest(), &req).unwrap();
    let decision = decide(policy.manifest(), &encoded, &raw);
    assert_eq!(decision.objections.len(), 1);
    assert_eq!(decision.objections[0].filed, "2024-04-20");
    assert_valid(&v, &serde_json::to_value(&decision).unwrap());
}
