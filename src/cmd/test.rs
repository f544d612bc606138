//! `xince test [paths…]`: runs each policy's declarative cases (`tests/*.json`) on every engine — the
//! reference interpreter over the IR, and the wasm module in the sandboxed runtime one call per decision and
//! batched — and checks the partial expectation against each decision. Every engine must meet the
//! expectation, errors included.
//!
//! A case is `{"description", "request", "expect"}`; `expect` may hold `lists`, `measures`, `incentives`,
//! `notifications` (exactly the fired ones), `grade`, `targets`, `dates`, `objections` or `error`.

use crate::ui::Ui;
use anyhow::Context;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use xince_abi::decision::Decision;
use xince_abi::request::Request;
use xince_testkit::engines::Compiled;

#[derive(clap::Args)]
pub struct Args {
    /// 政策目录或其上级目录（默认 policies）/ policy directories or folders above them (default: policies)
    pub paths: Vec<PathBuf>,
}

pub use xince_loader::POLICY_FILE;

pub fn run(args: Args, ui: &Ui) -> anyhow::Result<ExitCode> {
    let roots = if args.paths.is_empty() { vec![PathBuf::from("policies")] } else { args.paths };
    let mut policy_dirs = Vec::new();
    for root in &roots {
        if !root.exists() {
            anyhow::bail!("{}: {}", ui.t("路径不存在", "no such path"), root.display());
        }
        find_policy_dirs(root, &mut policy_dirs)?;
    }
    policy_dirs.sort();
    policy_dirs.dedup();
    if policy_dirs.is_empty() {
        anyhow::bail!("{}", ui.t("没有找到含 政策.xince 的目录", "no directory with a 政策.xince found"));
    }
    let compiler = load_compiler(&roots, &policy_dirs)?;
    let runtime =
        xince_runtime::Runtime::new(xince_runtime::RuntimeConfig::default()).map_err(|e| anyhow::anyhow!("{e}"))?;
    let (mut passed, mut failed) = (0usize, 0usize);
    for dir in &policy_dirs {
        let cases = test_cases(dir)?;
        if cases.is_empty() {
            continue;
        }
        println!("{} {}", ui.t("政策", "policy"), dir.display());
        let engines = match build_engines(&compiler, &runtime, dir, ui) {
            Ok(e) => e,
            Err(msg) => {
                println!(
                    "  ✗ {}\n{msg}",
                    ui.t("编译失败，本政策的用例全部记为失败", "compilation failed; every case counts as failed")
                );
                failed += cases.len();
                continue;
            }
        };
        for case_path in cases {
            let name = case_path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            match run_case(&engines, &case_path) {
                Ok(()) => {
                    passed += 1;
                    println!("  ✓ {name}");
                }
                Err(problems) => {
                    failed += 1;
                    println!("  ✗ {name}");
                    for p in problems {
                        println!("      {p}");
                    }
                }
            }
        }
    }
    println!("{passed} {}, {failed} {}", ui.t("通过", "passed"), ui.t("失败", "failed"));
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// Policy directories at or below `root`: those holding a `政策.xince` (never descending into `tests/`).
pub fn find_policy_dirs(root: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    if root.is_file() {
        if let Some(parent) = root.parent().filter(|_| root.file_name().is_some_and(|n| n == POLICY_FILE)) {
            out.push(parent.to_path_buf());
        }
        return Ok(());
    }
    if root.join(POLICY_FILE).is_file() {
        out.push(root.to_path_buf());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(root)
        .with_context(|| root.display().to_string())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir() && p.file_name().is_some_and(|n| n != "tests"))
        .collect();
    entries.sort();
    for e in entries {
        find_policy_dirs(&e, out)?;
    }
    Ok(())
}

/// A compiler holding the stdlib and every policy source found under the roots and above each policy
/// (so `上级` resolves whether the user names a department folder or the whole tree).
pub fn load_compiler(roots: &[PathBuf], policy_dirs: &[PathBuf]) -> anyhow::Result<xince_compiler::Compiler> {
    let mut compiler = xince_compiler::Compiler::new();
    let mut files = Vec::new();
    for root in roots {
        let top = if root.is_file() { root.parent().unwrap_or(root) } else { root.as_path() };
        files.extend(xince_loader::source_files(top)?);
    }
    for dir in policy_dirs {
        files.extend(xince_loader::upper_policy_files(dir));
    }
    files.sort();
    files.dedup();
    for f in files {
        compiler.set_file(f.display().to_string(), xince_loader::read_source(&f)?);
    }
    Ok(compiler)
}

fn test_cases(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let tests = dir.join("tests");
    if !tests.is_dir() {
        return Ok(Vec::new());
    }
    let mut out: Vec<PathBuf> = std::fs::read_dir(&tests)
        .with_context(|| tests.display().to_string())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "json"))
        .collect();
    out.sort();
    Ok(out)
}

/// Compiles the policy in `dir` and loads its module; the error is rendered diagnostics or the load error.
pub fn build_engines(
    compiler: &xince_compiler::Compiler,
    runtime: &xince_runtime::Runtime,
    dir: &Path,
    ui: &Ui,
) -> Result<Compiled, String> {
    let path = dir.join(POLICY_FILE).display().to_string();
    let build = compiler.build(&path).map_err(|diags| compiler.render(&diags, ui.lang, false))?;
    Compiled::load(build, runtime).map_err(|e| format!("{}: {}", e.code(), ui.t(&e.message_zh(), &e.message_en())))
}

/// Runs one case on every engine; the error lists every mismatch, prefixed by the engine.
pub fn run_case(engines: &Compiled, case_path: &Path) -> Result<(), Vec<String>> {
    let text = std::fs::read_to_string(case_path).map_err(|e| vec![format!("{}: {e}", case_path.display())])?;
    let case: Value = serde_json::from_str(&text).map_err(|e| vec![format!("{}: {e}", case_path.display())])?;
    let request_value =
        case.get("request").cloned().ok_or_else(|| vec!["用例缺少 request / case has no request".to_string()])?;
    let expect = case.get("expect").and_then(Value::as_object).cloned().unwrap_or_default();
    let request: Request = xince_abi::decode::request_from_value(request_value)
        .map_err(|e| vec![format!("request: {} {} [{}]", e.path, e.message_zh, e.code.name())])?;

    let mut problems = Vec::new();
    for (engine, outcome) in engines.decide_on_each(&request) {
        for p in check_expectation(&expect, &outcome) {
            problems.push(format!("[{engine}] {p}"));
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(problems) }
}

fn mismatch(what: &str, expected: &Value, actual: &Value) -> String {
    format!("{what}: 期望 / expected {expected}, 实际 / actual {actual}")
}

/// Compares a partial expectation with one engine's outcome; returns one line per difference.
pub fn check_expectation(expect: &Map<String, Value>, outcome: &Result<Decision, String>) -> Vec<String> {
    let mut out = Vec::new();
    let decision = match (outcome, expect.get("error")) {
        (Err(code), Some(want)) => {
            if want.as_str() != Some(code.as_str()) {
                out.push(mismatch("error", want, &Value::String(code.clone())));
            }
            return out;
        }
        (Err(code), None) => {
            out.push(format!("error: 期望得到决定，实际出错 / expected a decision, got {code}"));
            return out;
        }
        (Ok(_), Some(want)) => {
            out.push(format!("error: 期望 / expected {want}, 实际得到决定 / got a decision"));
            return out;
        }
        (Ok(d), None) => d,
    };
    let as_json = |v: &dyn erased::Ser| v.to_value();
    let find = |items: &[Value], key: &str, name: &str| -> Option<Value> {
        items.iter().find(|i| i.get(key).and_then(Value::as_str) == Some(name)).cloned()
    };
    let lists: Vec<Value> = decision.lists.iter().map(|l| as_json(l)).collect();
    let measures: Vec<Value> = decision.measures.iter().map(|m| as_json(m)).collect();
    let incentives: Vec<Value> = decision.incentives.iter().map(|i| as_json(i)).collect();
    let objections: Vec<Value> = decision.objections.iter().map(|o| as_json(o)).collect();

    // Without `explain`, a decision leaves out lists not entered, measures that do not apply and incentives
    // not earned: an absent item has that status.
    let mut field_check = |section: &str, items: &[Value], key: &str, field: &str, absent: Value| {
        if let Some(want) = expect.get(section).and_then(Value::as_object) {
            for (name, want_v) in want {
                let got =
                    find(items, key, name).map_or(absent.clone(), |i| i.get(field).cloned().unwrap_or(Value::Null));
                if &got != want_v {
                    out.push(mismatch(&format!("{section}.{name}"), want_v, &got));
                }
            }
        }
    };
    field_check("lists", &lists, "list", "status", Value::from("not_listed"));
    field_check("measures", &measures, "measure", "status", Value::from("not_applicable"));
    field_check("incentives", &incentives, "incentive", "eligible", Value::Bool(false));

    if let Some(want) = expect.get("notifications") {
        let got: Vec<Value> =
            decision.notifications.iter().map(|n| Value::String(n.notification.to_string())).collect();
        let mut want_sorted: Vec<Value> = want.as_array().cloned().unwrap_or_default();
        let mut got_sorted = got.clone();
        want_sorted.sort_by_key(|v| v.to_string());
        got_sorted.sort_by_key(|v| v.to_string());
        if want_sorted != got_sorted {
            out.push(mismatch("notifications", want, &Value::Array(got)));
        }
    }
    if let Some(want) = expect.get("grade") {
        let got = decision.grade.as_ref().map_or(Value::Null, |g| Value::String(g.level.to_string()));
        if &got != want {
            out.push(mismatch("grade", want, &got));
        }
    }
    if let Some(want) = expect.get("targets").and_then(Value::as_object) {
        for (name, want_v) in want {
            let got = decision.measures.iter().find(|m| &m.measure == name).map_or(Value::Null, |m| {
                Value::Array(m.targets.iter().map(|t| Value::String(t.role.to_string())).collect())
            });
            if &got != want_v {
                out.push(mismatch(&format!("targets.{name}"), want_v, &got));
            }
        }
    }
    for (section, items, key) in [("dates", &lists, "list"), ("objections", &objections, "record")] {
        if let Some(want) = expect.get(section).and_then(Value::as_object) {
            for (name, fields) in want {
                let item = find(items, key, name);
                for (field, want_v) in fields.as_object().into_iter().flatten() {
                    let got = item.as_ref().and_then(|i| i.get(field).cloned()).unwrap_or(Value::Null);
                    if &got != want_v {
                        out.push(mismatch(&format!("{section}.{name}.{field}"), want_v, &got));
                    }
                }
            }
        }
    }
    out
}

/// Serialising the decision's item types to JSON values without naming each type.
mod erased {
    pub trait Ser {
        fn to_value(&self) -> serde_json::Value;
    }
    impl<T: serde::Serialize> Ser for T {
        fn to_value(&self) -> serde_json::Value {
            serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
        }
    }
}
