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
use xince_abi::decode::{decide, decide_borrowed, encode_request};
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

/// The borrowed decision (what the batch path serializes) is the same JSON, byte for byte, as the owned one,
/// with and without `explain`.
fn assert_borrowed_matches_owned(policy: &Compiled, request: &Request) {
    let manifest = policy.build.manifest();
    let Ok(input) = encode_request(manifest, request) else { return };
    let Ok(raw) = xince_compiler::interp::evaluate(&policy.build.program, &input) else { return };
    let mut flipped = request.clone();
    flipped.explain = !request.explain;
    for r in [request, &flipped] {
        assert_eq!(
            serde_json::to_string(&decide_borrowed(manifest, r, &raw)).unwrap(),
            serde_json::to_string(&decide(manifest, r, &raw)).unwrap(),
            "borrowed and owned decisions differ"
        );
    }
}

#[test]
fn interpreter_and_wasm_agree_on_every_case() {
    let mut policies: BTreeMap<String, Compiled> = BTreeMap::new();
    insta::glob!("conformance/cases/*.json", |path| {
        let case: Case = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let policy = policies.entry(case.policy.clone()).or_insert_with(|| compile(&case.policy));
        assert_borrowed_matches_owned(policy, &case.request);
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
