//! Impact replay over the 梁平区 policy: a new version that lists only refusals to perform drops a subject
//! listed for a severe penalty, keeps one who refused, and reports a bad line by number without stopping.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers outside #[test] fns

use std::path::Path;
use xince_lang::Lang;
use xince_review::build::compile;
use xince_review::replay::{render, replay};
use xince_runtime::{Runtime, RuntimeConfig};

const POLICY: &str = "policies/重庆市/梁平区/政策.xince";

fn request(id: &str, records: &str) -> String {
    format!(
        r#"{{"as_of":"2024-05-01","subject":{{"id":"{id}","kind":"法人","sector":"民营企业","records":[{records}]}}}}"#
    )
}

#[test]
fn replay_reports_who_leaves_and_bad_lines() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let old_text = std::fs::read_to_string(repo.join(POLICY)).unwrap();
    let criterion = old_text.lines().find(|l| l.trim_start().starts_with("纳入:") && l.contains("拒不履行")).unwrap();
    let new_text = old_text.replace(criterion, "  纳入: 记录.标志 包含 [拒不履行] 或 记录.类型 == 失信被执行人");
    assert_ne!(new_text, old_text);

    let old = compile(&[(POLICY.to_string(), old_text)], POLICY, Lang::En).unwrap();
    let new = compile(&[(POLICY.to_string(), new_text)], POLICY, Lang::En).unwrap();
    let runtime = Runtime::new(RuntimeConfig::default()).unwrap();
    let (old, new) = (runtime.load(&old).unwrap(), runtime.load(&new).unwrap());

    let severe = r#"{"id":"r1","type":"行政处罚","date":"2022-03-01","domain":"生态环境","severity":"严重"}"#;
    let refused = r#"{"id":"r1","type":"行政处罚","date":"2022-03-01","domain":"生态环境","severity":"严重","flags":["拒不履行"]}"#;
    let population = [
        request("SEVERE-1", severe),
        request("REFUSED-1", refused),
        request("CLEAN-1", ""),
        "{ not json".to_string(),
        String::new(),
        request("SEVERE-2", severe),
    ]
    .join("\n");

    let report = replay(&old, &new, &population, 1);
    assert_eq!(report.evaluated, 4);
    assert_eq!(report.affected, 2);
    let black = &report.lists["严重失信主体名单"];
    assert_eq!(black.lost.count, 2);
    assert_eq!(black.lost.examples, vec!["SEVERE-1".to_string()], "examples are capped at 1");
    assert_eq!(black.gained.count, 0);
    // the subjects who left the list also lose the measures that follow from it
    assert!(report.measures.values().any(|m| m.lost.count == 2), "{:?}", report.measures);
    assert_eq!(report.problems.len(), 1);
    assert_eq!(report.problems[0].line, 4);
    assert_eq!(report.problems[0].version, None);

    let text = render(&report, Lang::Zh, false);
    assert!(text.contains("严重失信主体名单: 纳入 0；移出 2（SEVERE-1 等）"), "{text}");
    assert!(text.contains("第 4 行: "), "{text}");
}
