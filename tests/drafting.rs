//! End-to-end tests of the drafter's loop, as a drafter runs it: a case that names a list, status or key the policy
//! does not have fails with a message naming it; a case must quote its article verbatim; a known gap is reported,
//! never counted as a pass, and fails once the engine agrees; `test --new` and `coverage --init` scaffold; the
//! coverage file flags a rule-bearing article with no rule; `check`, `test` and `coverage` print JSON; the article
//! tables in docs/policies.md are the coverage files.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers outside #[test] fns

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn xince(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xince")).args(args).current_dir(root()).output().expect("run xince")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

const LIANGPING: &str = "policies/重庆市/梁平区";

/// A copy of the 梁平 policy (source, coverage file, source text) with one case, edited by `edit`.
fn liangping_with_case(name: &str, case: &str, edit: impl Fn(&mut Value)) -> PathBuf {
    let dir = root().join("target/tmp/drafting").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("tests")).unwrap();
    for f in ["政策.xince", "coverage.json", "原文.txt"] {
        std::fs::copy(root().join(LIANGPING).join(f), dir.join(f)).unwrap();
    }
    let text = std::fs::read_to_string(root().join(LIANGPING).join("tests").join(case)).unwrap();
    let mut v: Value = serde_json::from_str(&text).unwrap();
    edit(&mut v);
    std::fs::write(dir.join("tests").join(case), serde_json::to_string_pretty(&v).unwrap()).unwrap();
    dir
}

const LISTED: &str = "01_severe_food_penalty_listed.json";

#[test]
fn the_unchanged_case_passes_in_the_copy() {
    let dir = liangping_with_case("unchanged", LISTED, |_| {});
    let out = xince(&["test", s(&dir)]);
    assert!(out.status.success(), "{}", stdout(&out));
    assert!(stdout(&out).contains("1 通过, 0 失败"), "{}", stdout(&out));
}

#[test]
fn a_misspelled_list_name_fails_naming_it_and_the_right_one() {
    let dir = liangping_with_case("misspelled-list", LISTED, |v| {
        v["expect"]["lists"] = serde_json::json!({"严重失信主体明单": "列入中"});
    });
    let out = xince(&["test", s(&dir)]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(text.contains("「严重失信主体明单」不存在"), "{text}");
    assert!(text.contains("是不是「严重失信主体名单」"), "{text}");
}

#[test]
fn a_misspelled_status_measure_key_and_record_fail() {
    for (name, edit, unknown) in [
        ("status", serde_json::json!({"lists": {"严重失信主体名单": "actve"}}), "actve"),
        ("measure", serde_json::json!({"measures": {"梁平列为重点监管对像": "实施中"}}), "梁平列为重点监管对像"),
        ("key", serde_json::json!({"listz": {}}), "listz"),
        ("record", serde_json::json!({"objections": {"r9": {"status": "pending"}}}), "r9"),
        ("incentive", serde_json::json!({"incentives": {"绿色通道": true}}), "绿色通道"),
        ("error", serde_json::json!({"error": "E_NOT_YET_INFORCE"}), "E_NOT_YET_INFORCE"),
    ] {
        let dir = liangping_with_case(&format!("misspelled-{name}"), LISTED, |v| v["expect"] = edit.clone());
        let out = xince(&["test", s(&dir)]);
        assert_eq!(out.status.code(), Some(1), "{name}: {}", stdout(&out));
        assert!(stdout(&out).contains(&format!("「{unknown}」不存在")), "{name}: {}", stdout(&out));
    }
}

#[test]
fn text_view_and_json_statuses_are_the_same_expectation() {
    let dir = liangping_with_case("json-status", LISTED, |v| {
        v["expect"]["lists"] = serde_json::json!({"严重失信主体名单": "active"});
        v["expect"]["measures"] =
            serde_json::json!({"梁平列为重点监管对象": "实施中", "梁平不安排财政资金补助": "active"});
    });
    let out = xince(&["test", s(&dir)]);
    assert!(out.status.success(), "{}", stdout(&out));
}

#[test]
fn a_quote_not_in_the_source_or_an_unknown_article_fails() {
    let dir = liangping_with_case("bad-quote", LISTED, |v| {
        v["quote"] = Value::from("严重失信主体一律永久禁入");
        v["article"] = Value::from("第99条");
    });
    let out = xince(&["test", s(&dir)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("原文中没有这段文字"), "{}", stdout(&out));
    assert!(stdout(&out).contains("「第99条」不存在"), "{}", stdout(&out));
}

#[test]
fn a_known_gap_is_not_a_pass_and_fails_once_the_engine_agrees() {
    // The case states the text's outcome the engine cannot give yet: reported, not counted as passed.
    let gap = liangping_with_case("gap", "06_judgment_debtor_court_term.json", |_| {});
    let out = xince(&["test", s(&gap)]);
    assert!(out.status.success(), "{}", stdout(&out));
    assert!(stdout(&out).contains("0 通过, 0 失败, 1 已知缺口"), "{}", stdout(&out));
    // A known_defect on a case the engine already meets fails, so the mark cannot outlive the gap.
    let stale = liangping_with_case("stale-gap", LISTED, |v| {
        v["known_defect"] = Value::from("issue 13 language 3");
    });
    let out = xince(&["test", s(&stale)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("请去掉 known_defect"), "{}", stdout(&out));
}

#[test]
fn an_unexpected_error_is_shown_whole() {
    let dir = liangping_with_case("error", LISTED, |v| {
        v["request"]["as_of"] = Value::from("2017-07-01");
    });
    let out = xince(&["test", s(&dir)]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("E_NOT_YET_IN_FORCE") && text.contains("评估日期早于政策生效日期"), "{text}");
    let dir = liangping_with_case("request-error", LISTED, |v| {
        v["request"]["subject"]["records"][0]["domain"] = Value::from("食品");
    });
    let text = stdout(&xince(&["test", s(&dir)]));
    assert!(text.contains("E_REQ_VOCAB") && text.contains("subject.records[0].domain"), "{text}");
}

#[test]
fn test_new_scaffolds_a_case_that_does_not_run_until_completed() {
    let dir = liangping_with_case("scaffold", LISTED, |_| {});
    let case: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("tests").join(LISTED)).unwrap()).unwrap();
    let req = dir.join("request.json");
    std::fs::write(&req, case["request"].to_string()).unwrap();
    let out = xince(&["test", "--new", s(&req), s(&dir)]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let scaffold: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(scaffold["expect"]["lists"]["严重失信主体名单"], "待填");
    assert_eq!(scaffold["expect"]["measures"]["联合惩戒落实到人"], "待填");
    assert_eq!(scaffold["request"], case["request"]);
    std::fs::write(dir.join("tests").join(LISTED), stdout(&out)).unwrap();
    let run = xince(&["test", s(&dir)]);
    assert_eq!(run.status.code(), Some(1));
    assert!(stdout(&run).contains("用例未完成"), "{}", stdout(&run));
}

#[test]
fn coverage_accepts_a_policy_file_and_prints_the_reading_and_json() {
    let out = xince(&["coverage", &format!("{LIANGPING}/政策.xince")]);
    assert!(out.status.success(), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(text.contains("原文：「在规定期限内纠正失信行为、消除不良影响的，不再作为联合惩戒对象」"), "{text}");
    assert!(text.contains("缺 issue 13 national 3"), "{text}");
    let json = xince(&["coverage", LIANGPING, "--format", "json"]);
    let v: Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(v["problems"], 0);
    let a10 = v["articles"].as_array().unwrap().iter().find(|a| a["article"] == "第10条").unwrap();
    assert_eq!(a10["rules"][0], "严重失信主体名单");
    assert_eq!(a10["state"], "partly_encoded");
}

#[test]
fn a_rule_bearing_article_with_no_rule_and_no_reason_fails_coverage() {
    let dir = liangping_with_case("coverage-gap", LISTED, |_| {});
    let mut cov: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("coverage.json")).unwrap()).unwrap();
    for a in cov["articles"].as_array_mut().unwrap() {
        if a["article"] == "第13条" {
            a.as_object_mut().unwrap().remove("needs");
        }
        if a["article"] == "第7条" {
            a["rules"] = serde_json::json!(["联合惩戒落实到仁"]);
        }
    }
    std::fs::write(dir.join("coverage.json"), cov.to_string()).unwrap();
    let out = xince(&["coverage", s(&dir), "--brief"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(text.contains("既无规则，也未写明缺少什么"), "{text}");
    assert!(text.contains("政策中没有规则「联合惩戒落实到仁」（是不是「联合惩戒落实到人」？）"), "{text}");
}

#[test]
fn coverage_init_scaffolds_the_articles_of_a_seed() {
    let out = xince(&["coverage", "--init", "policies/重庆市/巫山县/原文.txt"]);
    assert!(out.status.success());
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let names: Vec<&str> = v["articles"].as_array().unwrap().iter().map(|a| a["article"].as_str().unwrap()).collect();
    // The body's 1.–42. run on through 三、's subsections: 第N条. The annexed task table numbers its rows anew
    // under repeated headings; those come after, named by their place, for the drafter to drop.
    let expected: Vec<String> = (1..=42).map(|n| format!("第{n}条")).collect();
    assert_eq!(names[..42], expected[..], "{names:?}");
    assert!(names[42..].iter().all(|n| !n.starts_with('第')), "{names:?}");
    let tongnan = xince(&["coverage", "--init", "policies/重庆市/潼南区/原文.txt"]);
    let v: Value = serde_json::from_str(&stdout(&tongnan)).unwrap();
    let names: Vec<&str> = v["articles"].as_array().unwrap().iter().map(|a| a["article"].as_str().unwrap()).collect();
    for want in ["第三章第一节", "第四章第三节", "专栏六", "第七章第一节"] {
        assert!(names.contains(&want), "{want}: {names:?}");
    }
}

#[test]
fn check_and_test_print_json() {
    let check = xince(&["check", "policies/重庆市/巫山县/司法局/tests/widening", "--format", "json"]);
    assert_eq!(check.status.code(), Some(1));
    let v: Value = serde_json::from_str(&stdout(&check)).unwrap();
    let d = v["diagnostics"].as_array().unwrap().iter().find(|d| d["code"] == "E0503").unwrap();
    assert!(d["labels"][0]["line"].as_u64().unwrap() > 0, "{d}");
    let test = xince(&["test", LIANGPING, "--format", "json"]);
    assert!(test.status.success());
    let v: Value = serde_json::from_str(&stdout(&test)).unwrap();
    assert_eq!(v["failed"], 0);
    assert!(v["known_gaps"].as_u64().unwrap() >= 1);
}

#[test]
fn docs_policies_tables_are_the_coverage_files() {
    let doc = std::fs::read_to_string(root().join("docs/policies.md")).unwrap();
    for p in ["重庆市/巫山县", "重庆市/巫山县/司法局", "重庆市/梁平区", "重庆市/潼南区", "湖北省/宜昌市/兴山县"]
    {
        let md = stdout(&xince(&["coverage", &format!("policies/{p}"), "--markdown"]));
        let block = format!("<!-- coverage:{p} -->\n{md}<!-- /coverage -->");
        assert!(
            doc.contains(&block),
            "docs/policies.md is stale for {p}: run `xince coverage policies/{p} --markdown`"
        );
    }
}
