//! The conformance suite: every case in `tests/conformance/cases/*.json` runs on the reference interpreter, on
//! the wasm runtime one call per decision, and on the wasm runtime in a batch (`xince_evaluate_batch`), through
//! one trait; all must give the same decision or the same error code, and that shared outcome is the case's
//! golden snapshot. Exceptions, if ever needed, live in
//! `tests/conformance/EXCEPTIONS.md` with their reason (there are none).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers outside #[test] fns

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;
use xince_abi::decision::Decision;
use xince_abi::decode::{decide, decide_borrowed, encode_request};
use xince_abi::request::Request;
use xince_compiler::ir::Program;
use xince_runtime::{Runtime, RuntimeConfig};

#[derive(Deserialize)]
struct Case {
    policy: String,
    description: String,
    request: Request,
}

/// What an engine answers: a decision, or a stable error code.
type Outcome = Result<Decision, String>;

/// One way to evaluate a compiled policy.
trait Engine {
    fn name(&self) -> &'static str;
    fn evaluate(&self, policy: &CompiledPolicy, request: &Request) -> Outcome;
}

struct CompiledPolicy {
    program: Program,
    module: xince_runtime::Policy,
}

struct Interpreter;

impl Engine for Interpreter {
    fn name(&self) -> &'static str {
        "reference interpreter"
    }
    fn evaluate(&self, policy: &CompiledPolicy, request: &Request) -> Outcome {
        let manifest = &policy.program.manifest;
        let input = encode_request(manifest, request).map_err(|e| e.code.name().to_string())?;
        let raw = xince_compiler::interp::evaluate(&policy.program, &input).map_err(|c| c.name().to_string())?;
        // The borrowed decision (what the batch path serializes) is the same JSON, byte for byte, with and
        // without `explain`.
        let mut flipped = request.clone();
        flipped.explain = !request.explain;
        for r in [request, &flipped] {
            assert_eq!(
                serde_json::to_string(&decide_borrowed(manifest, r, &raw)).unwrap(),
                serde_json::to_string(&decide(manifest, r, &raw)).unwrap(),
                "borrowed and owned decisions differ"
            );
        }
        Ok(decide(manifest, request, &raw))
    }
}

struct Wasm;

impl Engine for Wasm {
    fn name(&self) -> &'static str {
        "wasm runtime"
    }
    fn evaluate(&self, policy: &CompiledPolicy, request: &Request) -> Outcome {
        policy.module.evaluate(request).map_err(|e| e.code().to_string())
    }
}

/// The wasm runtime through `Evaluator::evaluate_raw_batch`: the case's input three times in one call (each
/// copy must get the same answer), then the same `decide`.
struct WasmBatch;

impl Engine for WasmBatch {
    fn name(&self) -> &'static str {
        "wasm runtime, batched"
    }
    fn evaluate(&self, policy: &CompiledPolicy, request: &Request) -> Outcome {
        let manifest = policy.module.manifest();
        let input = encode_request(manifest, request).map_err(|e| e.code.name().to_string())?;
        let inputs = [input.clone(), input.clone(), input];
        let mut answers = Vec::new();
        policy.module.evaluator().evaluate_raw_batch(&inputs, &mut answers).map_err(|e| e.code().to_string())?;
        assert!(answers.len() == 3 && answers[0] == answers[1] && answers[1] == answers[2], "{answers:?}");
        let raw = answers.swap_remove(1).map_err(|e| e.code().to_string())?;
        Ok(decide(manifest, request, &raw))
    }
}

fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| Runtime::new(RuntimeConfig::default()).expect("runtime"))
}

fn compile(name: &str) -> CompiledPolicy {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/policies");
    let mut compiler = xince_compiler::Compiler::new();
    let path = format!("tests/conformance/policies/{name}.xince");
    let text = std::fs::read_to_string(dir.join(format!("{name}.xince"))).expect("policy source");
    compiler.set_file(path.clone(), text);
    let program = match compiler.program(&path) {
        Ok(p) => p,
        Err(diags) => panic!("{}", compiler.render(&diags, xince_lang::Lang::Zh, false)),
    };
    let bytes = xince_compiler::codegen::emit(&program).expect("codegen");
    let module = runtime().load(&bytes).expect("load");
    CompiledPolicy { program, module }
}

#[test]
fn interpreter_and_wasm_agree_on_every_case() {
    let mut policies: BTreeMap<String, CompiledPolicy> = BTreeMap::new();
    let engines: [&dyn Engine; 3] = [&Interpreter, &Wasm, &WasmBatch];
    insta::glob!("conformance/cases/*.json", |path| {
        let case: Case = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let policy = policies.entry(case.policy.clone()).or_insert_with(|| compile(&case.policy));
        let outcomes: Vec<Outcome> = engines.iter().map(|e| e.evaluate(policy, &case.request)).collect();
        for (engine, outcome) in engines.iter().zip(&outcomes).skip(1) {
            assert_eq!(
                &outcomes[0],
                outcome,
                "{}: {} and {} disagree ({})",
                path.display(),
                engines[0].name(),
                engine.name(),
                case.description
            );
        }
        insta::with_settings!({ description => case.description.clone(), omit_expression => true }, {
            match &outcomes[0] {
                Ok(decision) => insta::assert_json_snapshot!(decision),
                Err(code) => insta::assert_json_snapshot!(serde_json::json!({ "error": code })),
            }
        });
    });
}
