//! `xince test [paths…]`: runs each policy's declarative cases (`tests/*.json`) on both engines — the wasm
//! module in the sandboxed runtime and the reference interpreter over the IR — and checks the partial
//! expectation against each decision. Both engines must meet the expectation, errors included.
//!
//! What a case may say, how it is checked and how a new one is scaffolded is in [`expect`] (format:
//! docs/language.md §8). This file is the harness: finding policies and cases, building the engines, reporting.

pub mod expect;

use crate::ui::Ui;
use anyhow::Context;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use xince_abi::request::Request;
use xince_testkit::engines::Compiled;

#[derive(clap::Args)]
pub struct Args {
    /// 政策目录或其上级目录（默认 policies）/ policy directories or folders above them (default: policies)
    pub paths: Vec<PathBuf>,
    /// 由请求生成待填写的用例（输出到标准输出；须给一个政策目录）/ scaffold a case from a request (to stdout; give one policy directory)
    #[arg(long, value_name = "request.json")]
    pub new: Option<PathBuf>,
    /// 输出格式：text（默认）或 json / output format
    #[arg(long, value_name = "text|json", default_value = "text")]
    pub format: crate::cmd::Format,
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
    if let Some(request_path) = args.new {
        return scaffold(&compiler, &policy_dirs, &request_path, ui);
    }
    let json_out = args.format == crate::cmd::Format::Json;
    let runtime =
        xince_runtime::Runtime::new(xince_runtime::RuntimeConfig::default()).map_err(|e| anyhow::anyhow!("{e}"))?;
    let (mut passed, mut failed, mut gaps) = (0usize, 0usize, 0usize);
    let mut report = Vec::new();
    for dir in &policy_dirs {
        let cases = test_cases(dir)?;
        if cases.is_empty() {
            continue;
        }
        if !json_out {
            println!("{} {}", ui.t("政策", "policy"), dir.display());
        }
        let mut case_reports = Vec::new();
        let engines = match build_engines(&compiler, &runtime, dir, ui) {
            Ok(e) => e,
            Err(msg) => {
                if !json_out {
                    println!(
                        "  ✗ {}\n{msg}",
                        ui.t("编译失败，本政策的用例全部记为失败", "compilation failed; every case counts as failed")
                    );
                }
                failed += cases.len();
                report.push(json!({"policy": dir.display().to_string(), "error": msg, "cases": []}));
                continue;
            }
        };
        let provenance = expect::Provenance::load(dir)?;
        for case_path in cases {
            let name = case_path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            let (status, problems, defect) = match run_case(&engines, &case_path, &provenance) {
                CaseResult::Pass => {
                    passed += 1;
                    ("pass", Vec::new(), None)
                }
                CaseResult::Fail(p) => {
                    failed += 1;
                    ("fail", p, None)
                }
                CaseResult::KnownGap { defect, problems } => {
                    gaps += 1;
                    ("known_gap", problems, Some(defect))
                }
            };
            if !json_out {
                match status {
                    "pass" => println!("  ✓ {name}"),
                    "fail" => println!("  ✗ {name}"),
                    _ => println!(
                        "  ◌ {name} — {}：{}",
                        ui.t("已知缺口，不计为通过", "known gap, not a pass"),
                        defect.as_deref().unwrap_or_default()
                    ),
                }
                for p in &problems {
                    println!("      {p}");
                }
            }
            case_reports.push(json!({"case": name, "status": status, "problems": problems, "known_defect": defect}));
        }
        report.push(json!({"policy": dir.display().to_string(), "cases": case_reports}));
    }
    if json_out {
        let out = json!({"passed": passed, "failed": failed, "known_gaps": gaps, "policies": report});
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        println!(
            "{passed} {}, {failed} {}, {gaps} {}",
            ui.t("通过", "passed"),
            ui.t("失败", "failed"),
            ui.t("已知缺口", "known gaps")
        );
    }
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// `--new`: prints a case for the drafter to complete (never filled in from a run).
fn scaffold(
    compiler: &xince_compiler::Compiler,
    policy_dirs: &[PathBuf],
    request_path: &Path,
    ui: &Ui,
) -> anyhow::Result<ExitCode> {
    let [dir] = policy_dirs else {
        anyhow::bail!("{}", ui.t("--new 须且只须给一个政策目录", "--new needs exactly one policy directory"));
    };
    let text = std::fs::read_to_string(request_path).with_context(|| request_path.display().to_string())?;
    let request: Value = serde_json::from_str(&text).with_context(|| request_path.display().to_string())?;
    // The request must be one the policy can decode: a scaffold from a request the engines refuse is no help.
    xince_abi::decode::parse_request(&request.to_string()).map_err(|e| {
        anyhow::anyhow!("{}: {} {}", request_path.display(), e.path, ui.t(&e.message_zh, &e.message_en))
    })?;
    let path = dir.join(POLICY_FILE).display().to_string();
    let program = compiler.program(&path).map_err(|d| anyhow::anyhow!("{}", compiler.render(&d, ui.lang, false)))?;
    let case = expect::scaffold(&program.manifest, request);
    println!("{}", serde_json::to_string_pretty(&case)?);
    eprintln!(
        "{}\n{}",
        ui.t(
            "请按条文填写每个“待填”（article、quote 照原文），删去不检查的名称；含“待填”的用例不会运行。",
            "Fill in every 待填 from the article's text (article and quote as in the source) and delete names you do not check; a case holding 待填 does not run."
        ),
        expect::status_help()
    );
    Ok(ExitCode::SUCCESS)
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

/// How one case ended.
pub enum CaseResult {
    Pass,
    Fail(Vec<String>),
    /// The case states the text's outcome; the engine differs for the named missing construct.
    KnownGap {
        defect: String,
        problems: Vec<String>,
    },
}

/// Runs one case on every engine; a failure lists every mismatch, prefixed by the engine.
pub fn run_case(engines: &Compiled, case_path: &Path, provenance: &expect::Provenance) -> CaseResult {
    let text = match std::fs::read_to_string(case_path) {
        Ok(t) => t,
        Err(e) => return CaseResult::Fail(vec![format!("{}: {e}", case_path.display())]),
    };
    let manifest = engines.build.manifest();
    let case = match expect::read_case(&text, manifest) {
        Ok(c) => c,
        Err(p) => return CaseResult::Fail(p),
    };
    let mut problems = provenance.check(&case);
    if !problems.is_empty() {
        return CaseResult::Fail(problems);
    }
    let request: Request = match xince_abi::decode::request_from_value(case.request.clone()) {
        Ok(r) => r,
        Err(e) => {
            return CaseResult::Fail(vec![format!(
                "request: {} {} / {} [{}]",
                e.path,
                e.message_zh,
                e.message_en,
                e.code.name()
            )]);
        }
    };
    for (engine, outcome) in expect::decide_on_each(engines, &request) {
        for p in expect::check(&case.expect, &outcome) {
            problems.push(format!("[{engine}] {p}"));
        }
    }
    match (case.known_defect, problems.is_empty()) {
        (None, true) => CaseResult::Pass,
        (None, false) => {
            let head = format!("{}：{}", case.article.as_deref().unwrap_or("—"), case.description);
            problems.insert(0, head);
            CaseResult::Fail(problems)
        }
        (Some(defect), false) => CaseResult::KnownGap { defect, problems },
        (Some(defect), true) => CaseResult::Fail(vec![format!(
            "已知缺口的用例现在通过了：请去掉 known_defect（{defect}）/ a known-gap case now passes: remove its known_defect"
        )]),
    }
}
