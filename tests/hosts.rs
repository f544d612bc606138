//! The Python and JavaScript hosts (`examples/python-host`, `examples/node-host`) call the documented ABI
//! directly, with no Rust in between. This test compiles every seed policy, runs every request of the
//! policies' test cases through each host (each host also once more with all of a policy's requests in one
//! `xince_evaluate_batch` call), and requires each host's answer to equal the Rust runtime's decision
//! for the same request (projected onto what the hosts report: list statuses and dates, measure statuses,
//! incentives, notifications, grade, or the module's error code).
//!
//! The hosts need `python3` with the `wasmtime` package and `node`; `.ci/run` installs the package. A missing
//! interpreter fails the test: skipping it silently would hide a broken host.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers outside #[test] fns

use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use xince_abi::decision::Decision;
use xince_abi::layout::{ListStatus, MeasureStatus};
use xince_abi::request::Request;
use xince_runtime::{Runtime, RuntimeConfig};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.xince` under `dir`, recursively, skipping `tests/` fixtures.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n != "tests" && n != "tools") {
                sources(&p, out);
            }
        } else if p.extension().is_some_and(|e| e == "xince") {
            out.push(p);
        }
    }
}

/// The part of a decision the example hosts report, in their JSON shape.
fn projection(decision: &Decision) -> Value {
    let lists: BTreeMap<_, _> = decision
        .lists
        .iter()
        .filter(|l| l.status != ListStatus::NotListed)
        .map(|l| {
            let status = serde_json::to_value(l.status).unwrap();
            (
                l.list.clone(),
                json!({ "status": status, "entered": l.entered, "publication_ends": l.publication_ends,
                        "earliest_repair": l.earliest_repair }),
            )
        })
        .collect();
    let measures: BTreeMap<_, _> = decision
        .measures
        .iter()
        .filter(|m| m.status != MeasureStatus::NotApplicable)
        .map(|m| (m.measure.clone(), serde_json::to_value(m.status).unwrap()))
        .collect();
    let incentives: BTreeMap<_, _> = decision.incentives.iter().map(|i| (i.incentive.clone(), i.eligible)).collect();
    let notifications: Vec<_> = decision.notifications.iter().map(|n| n.notification.clone()).collect();
    json!({ "lists": lists, "measures": measures, "incentives": incentives, "notifications": notifications,
            "grade": decision.grade.as_ref().map(|g| g.level.clone()) })
}

fn run_host(program: &str, script_args: &[&str], script: &Path, module: &Path, requests: &[PathBuf]) -> Vec<Value> {
    let output = Command::new(program)
        .arg(script)
        .args(script_args)
        .arg(module)
        .args(requests)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program} (the host tests need it installed): {e}"));
    assert!(
        output.status.success(),
        "{program} host failed on {}:\n{}",
        module.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn python_and_node_hosts_agree_with_the_runtime_on_every_policy_case() {
    let mut files = Vec::new();
    sources(&root().join("policies"), &mut files);
    let mut compiler = xince_compiler::Compiler::new();
    for f in &files {
        let rel = f.strip_prefix(root()).unwrap().to_string_lossy().into_owned();
        compiler.set_file(rel, std::fs::read_to_string(f).unwrap());
    }
    let runtime = Runtime::new(RuntimeConfig::default()).unwrap();
    let work = root().join("target/tmp/hosts");
    std::fs::create_dir_all(&work).unwrap();
    let mut compared = 0;
    for f in &files {
        let rel = f.strip_prefix(root()).unwrap().to_string_lossy().into_owned();
        let file_id = compiler.file_id(&rel).unwrap();
        if !compiler.is_policy(file_id) {
            continue;
        }
        let bytes = compiler
            .build(&rel)
            .unwrap_or_else(|d| panic!("{}", compiler.render(&d, xince_lang::Lang::Zh, false)))
            .wasm;
        let slug = rel.replace('/', "_");
        let module_path = work.join(format!("{slug}.wasm"));
        std::fs::write(&module_path, &bytes).unwrap();
        let policy = runtime.load(&bytes).unwrap();

        let mut cases: Vec<PathBuf> = std::fs::read_dir(f.parent().unwrap().join("tests"))
            .map(|d| d.map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "json")).collect())
            .unwrap_or_default();
        cases.sort();
        let mut request_paths = Vec::new();
        let mut expected = Vec::new();
        for (i, case) in cases.iter().enumerate() {
            let case: Value = serde_json::from_str(&std::fs::read_to_string(case).unwrap()).unwrap();
            let request: Request = serde_json::from_value(case["request"].clone()).unwrap();
            let want = match policy.evaluate(&request) {
                Ok(decision) => projection(&decision),
                Err(e) => json!({ "error": e.code() }),
            };
            let path = work.join(format!("{slug}-{i:02}.json"));
            std::fs::write(&path, serde_json::to_string(&request).unwrap()).unwrap();
            request_paths.push(path);
            expected.push(want);
        }
        assert!(!expected.is_empty(), "{rel} has no test cases");
        let python_host = root().join("examples/python-host/host.py");
        let python = run_host("python3", &[], &python_host, &module_path, &request_paths);
        let python_batch = run_host("python3", &["--batch"], &python_host, &module_path, &request_paths);
        let node_host = root().join("examples/node-host/host.mjs");
        let node = run_host("node", &[], &node_host, &module_path, &request_paths);
        let node_batch = run_host("node", &["--batch"], &node_host, &module_path, &request_paths);
        let hosts = [
            ("python", &python),
            ("python, one batch call", &python_batch),
            ("node", &node),
            ("node, one batch call", &node_batch),
        ];
        for (host, answers) in hosts {
            assert_eq!(answers.len(), expected.len(), "{host} answered a different number of requests for {rel}");
            for ((answer, want), path) in answers.iter().zip(&expected).zip(&request_paths) {
                let mut answer = answer.clone();
                answer.as_object_mut().unwrap().remove("request");
                assert_eq!(&answer, want, "{host} host disagrees with the runtime on {}", path.display());
                compared += 1;
            }
        }
    }
    assert!(compared >= 2 * 75, "only {compared} host answers compared");
}
