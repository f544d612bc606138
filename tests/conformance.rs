//! The conformance suite: every case in `tests/conformance/cases/*.json` runs on the reference interpreter, on
//! the wasm runtime one call per decision, and on the wasm runtime in a batch (`xince_evaluate_batch`), through
//! one trait (`xince_abi::engine::Engine`, driven by `xince_testkit::engines`); all must give the same decision or the same error code, and that shared outcome is the case's
//! golden snapshot. Exceptions, if ever needed, live in
//! `tests/conformance/EXCEPTIONS.md` with their reason (there are none).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers outside #[test] fns

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;
use xince_abi::decision::Decision;
use xince_abi::decode::{decide, encode_request};
use xince_abi::request::Request;
use xince_runtime::{Runtime, RuntimeConfig};
use xince_testkit::engines::Compiled;

#[derive(Deserialize)]
struct Case {
    policy: String,
    description: String,
    request: Request,
}

fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| Runtime::new(RuntimeConfig::default()).expect("runtime"))
}

fn compile(name: &str) -> Compiled {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/policies");
    let mut compiler = xince_compiler::Compiler::new();
    let path = format!("tests/conformance/policies/{name}.xince");
    let text = std::fs::read_to_string(dir.join(format!("{name}.xince"))).expect("policy source");
    compiler.set_file(path.clone(), text);
    let build = match compiler.build(&path) {
        Ok(b) => b,
        Err(diags) => panic!("{}", compiler.render(&diags, xince_lang::Lang::Zh, false)),
    };
    Compiled::load(build, runtime()).expect("load")
}

/// A decision borrowing from the manifest and the request (what the batch path serializes), its owned copy
/// and the decision read back from its JSON are the same, with and without `explain`.
fn assert_one_decision_shape(policy: &Compiled, request: &Request) {
    let manifest = policy.build.manifest();
    let mut flipped = request.clone();
    flipped.explain = !request.explain;
    for r in [request, &flipped] {
        let Ok(encoded) = encode_request(manifest, r) else { return };
        let Ok(raw) = xince_compiler::interp::evaluate(&policy.build.program, &encoded.input) else { return };
        let borrowed = decide(manifest, &encoded, &raw);
        let json = serde_json::to_string(&borrowed).unwrap();
        assert_eq!(serde_json::to_string(&borrowed.clone().into_owned()).unwrap(), json, "owned copy differs");
        let read_back: Decision<'_> = serde_json::from_str(&json).unwrap();
        assert_eq!(read_back, borrowed, "the decision does not read back from its JSON");
    }
}

#[test]
fn interpreter_and_wasm_agree_on_every_case() {
    let mut policies: BTreeMap<String, Compiled> = BTreeMap::new();
    insta::glob!("conformance/cases/*.json", |path| {
        let case: Case = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let policy = policies.entry(case.policy.clone()).or_insert_with(|| compile(&case.policy));
        assert_one_decision_shape(policy, &case.request);
        let outcomes = policy.decide_on_each(&case.request);
        let (first, reference) = &outcomes[0];
        for (engine, outcome) in &outcomes[1..] {
            assert_eq!(reference, outcome, "{}: {first} and {engine} disagree ({})", path.display(), case.description);
        }
        insta::with_settings!({ description => case.description.clone(), omit_expression => true }, {
            match reference {
                Ok(decision) => insta::assert_json_snapshot!(decision),
                Err(code) => insta::assert_json_snapshot!(serde_json::json!({ "error": code })),
            }
        });
    });
}
