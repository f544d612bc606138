//! End-to-end tests of the `xince` binary, as a user runs it: the README's main command, checking, the policy
//! test runner and coverage, formatting, signing with a trusted runtime, and a reviewer's diff and replay.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers outside #[test] fns

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

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir = root().join("target/tmp/cli").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn readme_main_command_builds_and_evaluates_the_liangping_policy() {
    let dir = scratch("readme");
    let module = dir.join("梁平区.wasm");
    let built = xince(&["build", "policies/重庆市/梁平区/政策.xince", "-o", s(&module)]);
    assert!(built.status.success(), "{}", stderr(&built));
    let out =
        xince(&["eval", "--policy", s(&module), "--request", "examples/requests/梁平区-食品企业.json", "--explain"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let decision: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let black = decision["lists"].as_array().unwrap().iter().find(|l| l["list"] == "严重失信主体名单").unwrap();
    assert_eq!(black["status"], "active");
    assert_eq!(black["entered"], "2023-03-01");
    // Every measure carries its citation; the trace explains in Chinese.
    assert!(decision["measures"].as_array().unwrap().iter().all(|m| m["citation"]["article"].is_string()));
    assert!(
        decision["trace"].as_array().unwrap().iter().any(|t| t["zh"].as_str().unwrap().contains("严重失信主体名单"))
    );
    // The readable view is Chinese by default.
    let text = xince(&[
        "eval",
        "--policy",
        s(&module),
        "--request",
        "examples/requests/梁平区-异议中.json",
        "--format",
        "text",
    ]);
    assert!(text.status.success(), "{}", stderr(&text));
    assert!(stdout(&text).contains("严重失信主体名单"), "{}", stdout(&text));
}

#[test]
fn check_reports_every_error_with_code_and_exits_nonzero() {
    let dir = scratch("check");
    let bad = dir.join("坏.xince");
    std::fs::write(
        &bad,
        "政策 坏 {\n  生效: 2024-02-30\n}\n名单 甲 {\n  类别: 黑名单\n  纳入: 记录.类型 == 行政处罚罚\n}\n",
    )
    .unwrap();
    let out = xince(&["check", s(&bad)]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let all = stdout(&out) + &stderr(&out);
    assert!(all.contains("error[E0"), "{all}");
    assert!(all.contains("坏.xince:2:"), "diagnostics name the place: {all}");
    let en = xince(&["--lang", "en", "check", s(&bad)]);
    assert!((stdout(&en) + &stderr(&en)).contains("error[E0"));
    // The repository's own policies and the stdlib check clean.
    let ok = xince(&["check", "policies", "tests/conformance/policies"]);
    assert!(ok.status.success(), "{}", stdout(&ok));
}

#[test]
fn policy_cases_pass_on_both_engines_and_coverage_accounts_for_every_article() {
    let out = xince(&["test"]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains(" 0 失败"), "{}", stdout(&out));
    for policy in ["重庆市/巫山县", "重庆市/巫山县/司法局", "重庆市/梁平区", "重庆市/潼南区", "湖北省/宜昌市/兴山县"]
    {
        let cov = xince(&["coverage", &format!("policies/{policy}")]);
        assert!(cov.status.success(), "{policy}: {}{}", stdout(&cov), stderr(&cov));
        assert!(stdout(&cov).contains("问题 0"), "{policy}: {}", stdout(&cov));
    }
}

#[test]
fn the_department_policy_cannot_widen_the_county_punishments() {
    let out = xince(&["check", "policies/重庆市/巫山县/司法局/tests/widening"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("E0503"), "{}", stdout(&out));
}

#[test]
fn sources_are_in_canonical_layout() {
    let out = xince(&["fmt", "--check", "policies", "stdlib/xince", "tests/conformance/policies"]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
}

#[test]
fn a_runtime_with_trusted_keys_refuses_unsigned_and_tampered_modules() {
    let dir = scratch("sign");
    let module = dir.join("巫山县.wasm");
    assert!(xince(&["build", "policies/重庆市/巫山县/政策.xince", "-o", s(&module)]).status.success());
    let key = dir.join("巫山县信用办");
    let keygen = xince(&["sign", "keygen", "--issuer", "巫山县信用办", "--out", s(&key)]);
    assert!(keygen.status.success(), "{}", stderr(&keygen));
    let public: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("巫山县信用办.public")).unwrap()).unwrap();
    let trust = dir.join("trusted.json");
    let store = serde_json::json!({ "keys": [{ "key_id": public["key_id"], "public_key": public["public_key"],
        "jurisdiction": "重庆市/巫山县", "issuer": "巫山县信用办" }] });
    std::fs::write(&trust, store.to_string()).unwrap();
    let signed = dir.join("signed.wasm");
    let sign = xince(&["sign", "--key", s(&dir.join("巫山县信用办.secret")), s(&module), "-o", s(&signed)]);
    assert!(sign.status.success(), "{}", stderr(&sign));

    let request = "examples/requests/梁平区-诚信企业.json";
    let ok = xince(&["verify", "--trust", s(&trust), s(&signed)]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    let eval = xince(&["eval", "--trust", s(&trust), "--policy", s(&signed), "--request", request]);
    assert!(eval.status.success(), "{}", stderr(&eval));

    // One byte changed after signing: refused by verify and by the runtime.
    let mut bytes = std::fs::read(&signed).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    let tampered = dir.join("tampered.wasm");
    std::fs::write(&tampered, &bytes).unwrap();
    assert_eq!(xince(&["verify", "--trust", s(&trust), s(&tampered)]).status.code(), Some(1));
    let refused = xince(&["eval", "--trust", s(&trust), "--policy", s(&tampered), "--request", request]);
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("E_LOAD_SIGNATURE") || stderr(&refused).contains("签名"), "{}", stderr(&refused));
    // Unsigned: refused too.
    let unsigned = xince(&["eval", "--trust", s(&trust), "--policy", s(&module), "--request", request]);
    assert!(!unsigned.status.success());
}

#[test]
fn a_reviewer_sees_a_changed_period_and_measure_and_their_impact() {
    let dir = scratch("diff");
    let old = root().join("policies/重庆市/巫山县/政策.xince");
    let text = std::fs::read_to_string(&old).unwrap();
    // The new version: a fixed 2-year period instead of the national regime, and the 失信惩戒措施 measure made
    // recommended instead of mandatory.
    let new_text = text.replacen("  期限: 国家信用修复制度\n", "  期限: 2年\n", 1).replacen(
        "措施 失信惩戒措施 {\n  类别: 惩戒\n  性质: 强制\n",
        "措施 失信惩戒措施 {\n  类别: 惩戒\n  性质: 推荐\n",
        1,
    );
    assert_ne!(text, new_text);
    let new_dir = dir.join("new");
    std::fs::create_dir_all(&new_dir).unwrap();
    let new = new_dir.join("政策.xince");
    std::fs::write(&new, new_text).unwrap();

    let out = xince(&["diff", s(&old), s(&new), "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json = stdout(&out);
    assert!(json.contains("严重失信主体名单") && json.contains("2年"), "{json}");
    assert!(json.contains("失信惩戒措施") && json.contains("mandatory"), "{json}");
    let md = xince(&["diff", s(&old), s(&new), "--format", "markdown"]);
    assert!(stdout(&md).contains('|') || stdout(&md).contains('#'), "{}", stdout(&md));

    let population = dir.join("人群.jsonl");
    let gen_out = xince(&["gen", "--count", "300", "--seed", "7", "--as-of", "2026-06-01", "-o", s(&population)]);
    assert!(gen_out.status.success(), "{}", stderr(&gen_out));
    let replay = xince(&["diff", s(&old), s(&new), "--population", s(&population)]);
    assert!(replay.status.success(), "{}", stderr(&replay));
    assert!(stdout(&replay).contains("严重失信主体名单"), "{}", stdout(&replay));
}

#[test]
fn drafter_helpers_compute_working_days_and_check_identifiers() {
    let add = xince(&["date", "add", "2024-02-08", "7工作日"]);
    assert!(add.status.success());
    assert!(stdout(&add).contains("2024-02-23"), "{}", stdout(&add));
    let outside = xince(&["date", "add", "2026-12-28", "5工作日"]);
    assert!(!outside.status.success(), "dates outside the calendar data are an error unless asked otherwise");
    assert!(xince(&["id", "check", "91110000600037341L"]).status.success());
    let bad = xince(&["id", "check", "91110000600037341X"]);
    assert_eq!(bad.status.code(), Some(1));
}

#[test]
fn build_out_dir_never_writes_outside_it_or_over_an_input() {
    let dir = scratch("out-dir");
    let src = dir.join("src");
    std::fs::create_dir_all(&src).unwrap();
    let policy = src.join("p.xince");
    std::fs::copy(root().join("tests/conformance/policies/语义.xince"), &policy).unwrap();
    let out = dir.join("D");
    // An absolute source path, and one through `..`: the module lands under D, named after the file.
    for given in [s(&policy).to_string(), format!("{}/../src/p.xince", s(&src))] {
        let _ = std::fs::remove_dir_all(&out);
        let o = xince(&["build", &given, "--out-dir", s(&out)]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(out.join("p.wasm").is_file(), "{given}: {}", stderr(&o));
        assert!(!src.join("p.wasm").exists(), "{given}: a module was written next to the source");
    }
    // A directory: its tree is mirrored below D.
    let _ = std::fs::remove_dir_all(&out);
    let o = xince(&["build", s(&dir.join("src/../src")), "--out-dir", s(&out)]);
    assert!(o.status.success() && out.join("p.wasm").is_file(), "{}", stderr(&o));
    // -o naming the source itself is refused and the source is intact.
    let before = std::fs::read(&policy).unwrap();
    let o = xince(&["build", s(&policy), "-o", s(&policy)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("E_OUT_IS_INPUT"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&policy).unwrap(), before);
}

#[test]
fn eval_refuses_an_output_that_is_its_input() {
    let dir = scratch("same-file");
    let module = dir.join("p.wasm");
    let o = xince(&["build", "tests/conformance/policies/语义.xince", "-o", s(&module)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let input = dir.join("in.jsonl");
    let o = xince(&["gen", "--count", "5", "-o", s(&input)]);
    assert!(o.status.success());
    let before = std::fs::read(&input).unwrap();
    let link = dir.join("link.jsonl");
    let hard = dir.join("hard.jsonl");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&input, &link).unwrap();
    std::fs::hard_link(&input, &hard).unwrap();
    for output in [&input, &link, &hard] {
        if !output.exists() {
            continue;
        }
        let o = xince(&["eval", "--policy", s(&module), "--input", s(&input), "--output", s(output)]);
        assert_eq!(o.status.code(), Some(2), "{}: {}", output.display(), stderr(&o));
        assert!(stderr(&o).contains("E_OUT_IS_INPUT"), "{}", stderr(&o));
        assert_eq!(std::fs::read(&input).unwrap(), before, "the input was changed");
    }
    // A distinct output still works.
    let out = dir.join("out.jsonl");
    let o = xince(&["eval", "--policy", s(&module), "--input", s(&input), "--output", s(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 5);
}

#[test]
fn an_objection_free_module_error_names_the_record_id() {
    let dir = scratch("no-regime");
    let module = dir.join("p.wasm");
    let o = xince(&["build", "tests/conformance/policies/语义.xince", "-o", s(&module)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let case: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/conformance/cases/18-早于任何修复制度.json")).unwrap(),
    )
    .unwrap();
    let request = dir.join("r.json");
    std::fs::write(&request, case["request"].to_string()).unwrap();
    let id = case["request"]["subject"]["records"][0]["id"].as_str().unwrap().to_string();
    let o = xince(&["eval", "--policy", s(&module), "--request", s(&request)]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["error"]["code"], "E_NO_REGIME");
    assert!(v["error"]["message_en"].as_str().unwrap().contains(&format!("record {id}")), "{v}");
    assert_eq!(v["error"]["path"], "subject.records[0]");
}

#[test]
fn inspect_refuses_what_eval_refuses() {
    let dir = scratch("inspect");
    let module = dir.join("p.wasm");
    let o = xince(&["build", "tests/conformance/policies/语义.xince", "-o", s(&module)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(xince(&["inspect", s(&module)]).status.success());
    let mut bytes = std::fs::read(&module).unwrap();
    // One byte of the manifest JSON (framing intact): only the digest can tell.
    let at = bytes.windows(13).position(|w| w == b"\"abi_version\"").unwrap() + 2;
    bytes[at] ^= 1;
    let bad = dir.join("bad.wasm");
    std::fs::write(&bad, &bytes).unwrap();
    let o = xince(&["inspect", s(&bad)]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("E_LOAD_DIGEST_MISMATCH") && stderr(&o).contains("bad.wasm"), "{}", stderr(&o));
}
