//! Shared setup for the xince benchmarks: the population (the same generator as `xince gen`), the policy
//! under test compiled once, and the five engines that evaluate it — the wasm runtime, the reference
//! interpreter, hand-written Rust, Cedar and regorus. The criterion benches and the batch binary use this.

#[path = "../../src/cmd/gen/population.rs"]
pub mod population;

pub mod cedar_peer;
pub mod handwritten;
pub mod rego_peer;

use anyhow::Context as _;
use std::path::{Path, PathBuf};
use xince_abi::input::Input;
use xince_abi::request::Request;
use xince_compiler::ir::Program;

/// The policy every per-decision figure uses.
pub const POLICY_PATH: &str = "policies/重庆市/梁平区/政策.xince";
/// Evaluation date of the benchmark population.
pub const AS_OF: &str = "2025-06-30";

/// The repository root (the bench crate lives in `benches/`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

pub fn scenario_name(s: handwritten::Scenario) -> &'static str {
    use handwritten::Scenario::*;
    match s {
        Procurement => "政府采购",
        PurchasedServices => "政府购买服务",
        Tendering => "招标投标",
        Approval => "行政审批",
        ProjectApproval => "项目审批核准",
        FiscalFunds => "财政资金",
        PublicResources => "公共资源交易",
        Concession => "特许经营",
        MarketAccess => "市场准入",
        Awards => "评先评优",
        Other => "其他",
    }
}

/// Every `.xince` file under `dir`, sorted (deterministic load order).
pub fn xince_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "xince") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// A compiler with the stdlib and every policy under `policies/` loaded (paths relative to the repo root).
pub fn load_compiler() -> anyhow::Result<xince_compiler::Compiler> {
    let root = repo_root();
    let mut compiler = xince_compiler::Compiler::new();
    if xince_compiler::stdlib_sources().is_empty() {
        // Until the compiler embeds the stdlib, load it from the tree.
        for p in xince_files(&root.join("stdlib/xince")) {
            let rel = p.strip_prefix(&root).unwrap_or(&p).to_string_lossy().into_owned();
            compiler.set_stdlib_file(rel, std::fs::read_to_string(&p).with_context(|| p.display().to_string())?);
        }
    }
    for p in xince_files(&root.join("policies")) {
        let rel = p.strip_prefix(&root).unwrap_or(&p).to_string_lossy().into_owned();
        compiler.set_file(rel, std::fs::read_to_string(&p).with_context(|| p.display().to_string())?);
    }
    Ok(compiler)
}

/// The policy under test: its IR and its wasm module.
pub struct Compiled {
    pub program: Program,
    pub wasm: Vec<u8>,
}

pub fn compile_policy() -> anyhow::Result<Compiled> {
    let compiler = load_compiler()?;
    let program = compiler.program(POLICY_PATH).map_err(|diags| {
        anyhow::anyhow!("{POLICY_PATH} does not compile:\n{}", compiler.render(&diags, xince_lang_en(), false))
    })?;
    let wasm = xince_compiler::codegen::emit(&program).map_err(|e| anyhow::anyhow!("codegen: {e:?}"))?;
    Ok(Compiled { program, wasm })
}

fn xince_lang_en() -> xince_lang::Lang {
    xince_lang::Lang::En
}

/// The same subjects in every engine's native input form, built outside any timed loop.
pub struct Inputs {
    pub requests: Vec<Request>,
    pub encoded: Vec<Input>,
    pub cases: Vec<handwritten::Case>,
}

/// `count` subjects of seed `seed`, encoded for the policy's manifest.
pub fn inputs(compiled: &Compiled, seed: u64, count: u64) -> anyhow::Result<Inputs> {
    let population = population::Population::new(seed, AS_OF).map_err(|e| anyhow::anyhow!("{e}"))?;
    let requests: Vec<Request> = population.iter(count).collect();
    let mut encoded = Vec::with_capacity(requests.len());
    let mut cases = Vec::with_capacity(requests.len());
    for (i, r) in requests.iter().enumerate() {
        encoded.push(
            xince_abi::decode::encode_request(&compiled.program.manifest, r)
                .map_err(|e| anyhow::anyhow!("subject {i}: {e:?}"))?,
        );
        cases.push(handwritten::ingest(r).map_err(|e| anyhow::anyhow!("subject {i}: {e:?}"))?);
    }
    Ok(Inputs { requests, encoded, cases })
}

/// Converts a hand-written outcome to the ABI's raw output (for checking it against the interpreter).
pub fn handwritten_to_raw(o: &handwritten::Outcome) -> xince_abi::output::RawOutput {
    use xince_abi::date::NO_DATE;
    use xince_abi::output::*;
    let list = |l: &handwritten::ListResult| ListOutcome {
        status: l.status,
        record: l.record,
        entered: l.entered,
        last_day: l.last_day,
        earliest_repair: l.earliest_repair,
        ended_on: l.ended_on,
        regime: l.regime,
        overridden_by: l.overridden_by,
    };
    RawOutput {
        lists: vec![list(&o.black)],
        measures: o.measures.to_vec(),
        incentives: o
            .incentives
            .iter()
            .map(|e| IncentiveOutcome { eligible: e.is_ok(), failed_clause: e.err().map_or(-1, i32::from) })
            .collect(),
        notifications: Vec::new(),
        grade: -1,
        objections: o
            .objections
            .iter()
            .map(|(r, s)| ObjectionOutcome { record: *r as i32, due: NO_DATE, status: *s })
            .collect(),
    }
}
