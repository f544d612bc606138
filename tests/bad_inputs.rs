#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code
//! The bad-input catalogue (`tests/bad_inputs/expected.tsv`, written by `tests/bad_inputs/make.py`): every
//! malformed source, request and module is run through the real binary and must give its expected code at its
//! expected place — a source diagnostic at `line:col`, a request error at its JSON path, a module refusal that
//! names the byte offset, section or export at fault and the file. Never a crash.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use xince_abi::sections;

const XINCE: &str = env!("CARGO_BIN_EXE_xince");

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn dir() -> PathBuf {
    root().join("tests/bad_inputs")
}

fn scratch() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("xince-bad-inputs-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    })
}

fn run(args: &[&str]) -> Output {
    Command::new(XINCE).args(args).env("XINCE_LANG", "zh").output().unwrap()
}

/// Exit by signal (abort, stack overflow) or a panic message: never acceptable.
fn assert_no_crash(case: &str, out: &Output) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.code().is_some(), "{case}: killed by a signal: {err}");
    assert!(!err.contains("panicked"), "{case}: panicked: {err}");
}

/// The seed module the module recipes start from (built once per test run).
fn seed_module() -> &'static [u8] {
    static SEED: OnceLock<Vec<u8>> = OnceLock::new();
    SEED.get_or_init(|| {
        let out = scratch().join("seed.wasm");
        let policy = root().join("policies/重庆市/梁平区/政策.xince");
        let o = run(&["build", policy.to_str().unwrap(), "-o", out.to_str().unwrap()]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        std::fs::read(out).unwrap()
    })
}

fn seed_module_path() -> PathBuf {
    seed_module();
    scratch().join("seed.wasm")
}

fn request_path() -> String {
    root().join("examples/requests/梁平区-食品企业.json").to_str().unwrap().to_string()
}

struct Case {
    kind: String,
    case: String,
    code: String,
    location: String,
}

fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(dir().join("expected.tsv")).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 4, "malformed row {l}");
            Case { kind: f[0].into(), case: f[1].into(), code: f[2].into(), location: f[3].into() }
        })
        .collect()
}

/// `(code, line:col)` of every diagnostic (or coded CLI error) in a `check` run's output.
fn diagnostics(out: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut pending: Option<String> = None;
    for line in out.lines() {
        if let Some(rest) = line.strip_prefix("error[").or_else(|| line.strip_prefix("warning[")) {
            pending = rest.split(']').next().map(str::to_string);
        } else if let Some(at) = line.trim_start().strip_prefix("┌─ ") {
            if let Some(code) = pending.take() {
                let loc: Vec<&str> = at.rsplitn(3, ':').collect();
                found.push((code, format!("{}:{}", loc[1], loc[0])));
            }
        } else if let Some(rest) = line.strip_prefix("错误: ").or_else(|| line.strip_prefix("error: ")) {
            // `path:line:col: CODE: message`
            let parts: Vec<&str> = rest.splitn(5, ':').collect();
            if parts.len() == 5 {
                found.push((parts[3].trim().to_string(), format!("{}:{}", parts[1], parts[2])));
            }
        }
    }
    found
}

fn check_source(c: &Case) -> Result<(), String> {
    let path = dir().join(&c.case);
    let o = run(&["check", path.to_str().unwrap()]);
    assert_no_crash(&c.case, &o);
    let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    if o.status.success() {
        return Err(format!("{}: check passed, expected {}", c.case, c.code));
    }
    let diags = diagnostics(&text);
    let hit = diags.iter().any(|(code, loc)| *code == c.code && (c.location == "-" || *loc == c.location));
    if !hit {
        return Err(format!("{}: expected {} at {}, found {diags:?}", c.case, c.code, c.location));
    }
    Ok(())
}

fn check_request(c: &Case) -> Result<(), String> {
    let path = dir().join(&c.case);
    let module = seed_module_path();
    // A record limit of 100 (the default is 20,000) keeps the catalogue's over-the-limit request small.
    let o = run(&[
        "eval",
        "--policy",
        module.to_str().unwrap(),
        "--request",
        path.to_str().unwrap(),
        "--max-records",
        "100",
    ]);
    assert_no_crash(&c.case, &o);
    if o.status.success() {
        return Err(format!("{}: evaluated, expected {}", c.case, c.code));
    }
    let stdout = String::from_utf8_lossy(&o.stdout);
    let stderr = String::from_utf8_lossy(&o.stderr);
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(&stdout) {
        let code = v["error"]["code"].as_str().unwrap_or_default();
        let at = v["error"]["path"].as_str().unwrap_or_default();
        if code != c.code || (c.location != "-" && at != c.location) || at.is_empty() {
            return Err(format!("{}: expected {} at {}, found {code} at {at:?}", c.case, c.code, c.location));
        }
        return Ok(());
    }
    // Errors before a request exists (unreadable file, not UTF-8) are one line naming file:line:col.
    let name = path.file_name().unwrap().to_str().unwrap();
    if !(stderr.contains(&c.code) && stderr.contains(&format!("{name}:"))) {
        return Err(format!("{}: expected {} naming the file and place, found {stderr}", c.case, c.code));
    }
    Ok(())
}

// ---- module recipes ----

fn find(module: &[u8], name: &str) -> (usize, usize, usize) {
    let s = sections::sections(module).unwrap();
    let s = s.iter().find(|s| s.name == Some(name)).unwrap_or_else(|| panic!("no section {name}"));
    (s.start, s.data_offset, s.end)
}

fn code_section(module: &[u8], id: u8) -> (usize, usize) {
    let s = sections::sections(module).unwrap();
    let s = s.iter().find(|s| s.id == id).unwrap();
    (s.data_offset, s.end)
}

fn replace_section(module: &[u8], name: &str, data: &[u8]) -> Vec<u8> {
    let (start, _, end) = find(module, name);
    let mut out = module[..start].to_vec();
    out.extend_from_slice(&sections::encode_custom_section(name, data));
    out.extend_from_slice(&module[end..]);
    out
}

fn remove_section(module: &[u8], name: &str) -> Vec<u8> {
    let (start, _, end) = find(module, name);
    let mut out = module[..start].to_vec();
    out.extend_from_slice(&module[end..]);
    out
}

fn edit_manifest(module: &[u8], edit: &str) -> Vec<u8> {
    let (_, data, end) = find(module, xince_abi::MANIFEST_SECTION);
    let mut m: serde_json::Value = serde_json::from_slice(&module[data..end]).unwrap();
    let bytes = match edit {
        "reverse-severity" => {
            m["vocab"]["严重程度"].as_array_mut().unwrap().reverse();
            serde_json::to_vec(&m).unwrap()
        }
        "abi2" => {
            m["abi_version"] = 2.into();
            serde_json::to_vec(&m).unwrap()
        }
        "trigger99" => {
            m["measures"][0]["trigger_list"] = 99.into();
            serde_json::to_vec(&m).unwrap()
        }
        "garbage" => b"{\"abi_version\": 3, \"policy\": ".to_vec(),
        other => panic!("no manifest edit {other}"),
    };
    replace_section(module, xince_abi::MANIFEST_SECTION, &bytes)
}

fn wat_module(variant: &str) -> Vec<u8> {
    let good = include_str!("../runtime/tests/fixtures/good.wat");
    let manifest = include_str!("../runtime/tests/fixtures/manifest.json");
    let memory = "(memory (export \"memory\") 1 1)";
    assert!(good.contains(memory), "fixture changed");
    let wat = if let Some(decl) = variant.strip_prefix("memory ") {
        good.replace(memory, &format!("(memory (export \"memory\") {decl})"))
    } else if variant == "import" {
        good.replacen("(module", "(module (import \"env\" \"now\" (func))", 1)
    } else if variant == "no-evaluate" {
        good.replace("\"xince_evaluate\"", "\"xince_evaluatx\"")
    } else if let Some(n) = variant.strip_prefix("functions ") {
        let n: usize = n.parse().unwrap();
        good.replacen("(module", &format!("(module {}", "(func)".repeat(n)), 1)
    } else {
        panic!("no wat variant {variant}")
    };
    let bare = sections::encode_custom_section(xince_abi::MANIFEST_SECTION, manifest.as_bytes());
    let mut bytes = wat::parse_str(&wat).unwrap();
    bytes.extend_from_slice(&bare);
    xince_abi::digest::seal(&bytes).unwrap()
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

fn apply(recipe: &str) -> Vec<u8> {
    let mut m = seed_module().to_vec();
    for step in recipe.split(',') {
        let (op, arg) = step.split_once(':').unwrap_or((step, ""));
        m = match op {
            "truncate" => {
                let at = match arg {
                    "half" => m.len() / 2,
                    "digest" => find(&m, xince_abi::digest::DIGEST_SECTION).0,
                    n => n.parse().unwrap(),
                };
                m[..at].to_vec()
            }
            "replace" => {
                let (off, bytes) = arg.split_once(':').unwrap();
                let off: usize = off.parse().unwrap();
                let bytes = hex(bytes);
                m[off..off + bytes.len()].copy_from_slice(&bytes);
                m
            }
            "flip" => {
                let (from, to) = match arg {
                    "code" => code_section(&m, 10),
                    "data" => code_section(&m, 11),
                    "manifest" => {
                        let (_, d, e) = find(&m, xince_abi::MANIFEST_SECTION);
                        (d, e)
                    }
                    other => panic!("no flip target {other}"),
                };
                m[(from + to) / 2] ^= 0x01;
                m
            }
            "manifest" => edit_manifest(&m, arg),
            "reseal" => xince_abi::digest::seal(&m).unwrap(),
            "digest" => {
                let (_, d, e) = find(&m, xince_abi::digest::DIGEST_SECTION);
                let text = String::from_utf8(m[d..e].to_vec()).unwrap();
                let new = match arg {
                    "uppercase" => text.to_uppercase(),
                    _ => "sha256:not-a-digest".to_string(),
                };
                replace_section(&m, xince_abi::digest::DIGEST_SECTION, new.as_bytes())
            }
            "append" => {
                m.extend_from_slice(&sections::encode_custom_section(arg, b"x"));
                m
            }
            "append-bytes" => {
                m.extend_from_slice(&hex(arg));
                m
            }
            "strip-digest" => remove_section(&m, xince_abi::digest::DIGEST_SECTION),
            "strip-manifest" => remove_section(&m, xince_abi::MANIFEST_SECTION),
            "wat" => wat_module(arg),
            "pad" => {
                let n: usize = arg.parse().unwrap();
                m.extend_from_slice(&sections::encode_custom_section("pad", &vec![0u8; n]));
                m
            }
            other => panic!("no recipe step {other}"),
        };
    }
    m
}

fn check_module(c: &Case) -> Result<(), String> {
    let (name, recipe) = c.case.split_once('|').unwrap();
    let path = scratch().join(format!("bad-inputs-{name}.wasm"));
    std::fs::write(&path, apply(recipe)).unwrap();
    let o = run(&["eval", "--policy", path.to_str().unwrap(), "--request", &request_path()]);
    assert_no_crash(name, &o);
    let inspect = run(&["inspect", path.to_str().unwrap()]);
    assert_no_crash(name, &inspect);
    if inspect.status.success() != o.status.success() {
        return Err(format!("{name}: eval and inspect disagree ({:?} vs {:?})", o.status, inspect.status));
    }
    let err = String::from_utf8_lossy(&o.stderr);
    if c.code == "OK" {
        return if o.status.success() { Ok(()) } else { Err(format!("{name}: expected to load, got {err}")) };
    }
    if o.status.success() {
        return Err(format!("{name}: loaded and evaluated, expected {}", c.code));
    }
    let file = path.file_name().unwrap().to_str().unwrap();
    if !err.contains(&format!("[{}]", c.code)) || !err.contains(file) || !err.contains(&c.location) {
        return Err(format!("{name}: expected [{}] naming {file} and {:?}, got {err}", c.code, c.location));
    }
    Ok(())
}

#[test]
fn every_bad_input_gets_its_code_at_its_place() {
    let cases = cases();
    let count = |k: &str| cases.iter().filter(|c| c.kind == k).count();
    assert!(cases.len() >= 100, "the catalogue has {} cases", cases.len());
    assert!(count("source") >= 40 && count("request") >= 25 && count("module") >= 25);
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|c| match c.kind.as_str() {
            "source" => check_source(c).err(),
            "request" => check_request(c).err(),
            "module" => check_module(c).err(),
            other => Some(format!("unknown kind {other}")),
        })
        .collect();
    let _ = std::fs::remove_dir_all(scratch());
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}
