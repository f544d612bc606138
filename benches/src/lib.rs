//! Shared setup for the xince benchmarks: the population (the same generator as `xince gen`), the policy
//! under test compiled once, and the five engines that evaluate it — the wasm runtime, the reference
//! interpreter, hand-written Rust, Cedar and regorus. The criterion benches and the batch binary use this.

pub use xince_testkit::population;

pub mod cedar_peer;
pub mod handwritten;
pub mod rego_peer;

use anyhow::Context as _;

use xince_abi::input::Input;
use xince_abi::request::Request;
use xince_compiler::ir::Program;

/// The policy every per-decision figure uses: the 梁平区 encoding frozen before the issue-14 re-reading (the
/// hand-written, Cedar and Rego peers mirror it), loaded next to the seed policies.
pub const POLICY_PATH: &str = "benches/policy/梁平区-基准.xince";
/// Evaluation date of the benchmark population.
pub const AS_OF: &str = "2025-06-30";

pub use xince_testkit::seeds::repo_root;

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

/// A compiler with the stdlib, every policy under `policies/` and the benchmark policy loaded (paths relative to
/// the repo root).
pub fn load_compiler() -> anyhow::Result<xince_compiler::Compiler> {
    let mut compiler = xince_testkit::seeds::seed_compiler()?;
    let path = repo_root().join(POLICY_PATH);
    let text = std::fs::read_to_string(&path).with_context(|| path.display().to_string())?;
    compiler.set_file(POLICY_PATH, text);
    Ok(compiler)
}

/// The policy under test: its IR and its wasm module.
pub struct Compiled {
    pub program: Program,
    pub wasm: Vec<u8>,
}

pub fn compile_policy() -> anyhow::Result<Compiled> {
    let compiler = load_compiler()?;
    let build = compiler.build(POLICY_PATH).map_err(|diags| {
        anyhow::anyhow!("{POLICY_PATH} does not compile:\n{}", compiler.render(&diags, xince_lang_en(), false))
    })?;
    Ok(Compiled { program: build.program, wasm: build.wasm })
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
