//! The engines that must agree, behind [`Engine`]: the reference interpreter, wasm with one call per
//! decision, and wasm through `xince_evaluate_batch`. The conformance suite, `xince test`, the agreement
//! tests and the benches all run policies through [`Compiled::decide_on_each`].

use xince_abi::decision::Decision;
use xince_abi::engine::{Engine, EngineError};
use xince_abi::input::Input;
use xince_abi::output::RawOutput;
use xince_abi::request::Request;
use xince_compiler::Build;
use xince_compiler::interp::Interpreter;
use xince_runtime::{Evaluator, LoadError, Policy, Runtime};

/// A policy compiled through the front door and loaded into the runtime.
pub struct Compiled {
    pub build: Build,
    pub module: Policy,
}

impl Compiled {
    pub fn load(build: Build, runtime: &Runtime) -> Result<Self, LoadError> {
        let module = runtime.load(&build.wasm)?;
        Ok(Compiled { build, module })
    }

    /// The three engines, in the order their outcomes are reported.
    pub fn engines(&self) -> [Box<dyn Engine + '_>; 3] {
        [
            Box::new(Interpreter::new(&self.build.program)),
            Box::new(self.module.evaluator()),
            Box::new(BatchedWasm(self.module.evaluator())),
        ]
    }

    /// The request's decision on each engine (or the stable code of the error that stopped it), by engine
    /// name. The same host path turns every raw answer into a decision, so any difference is the engines'.
    pub fn decide_on_each<'a>(&'a self, request: &'a Request) -> Vec<(&'static str, Result<Decision<'a>, String>)> {
        let manifest = self.build.manifest();
        let encoded = xince_abi::decode::encode_request(manifest, request);
        self.engines()
            .into_iter()
            .map(|mut engine| {
                let outcome = match &encoded {
                    Err(e) => Err(e.code.name().to_string()),
                    Ok(encoded) => engine
                        .run(&encoded.input)
                        .map(|raw| xince_abi::decode::decide(manifest, encoded, &raw))
                        .map_err(|e| e.code.to_string()),
                };
                (engine.name(), outcome)
            })
            .collect()
    }
}

/// The wasm runtime through `xince_evaluate_batch`: each input three times in one call. The three answers
/// must be equal (a batch must not leak state from one input to the next), else `E_BATCH_DISAGREES`.
pub struct BatchedWasm(pub Evaluator);

impl Engine for BatchedWasm {
    fn name(&self) -> &'static str {
        "wasm, batched"
    }

    fn run(&mut self, input: &Input) -> Result<RawOutput, EngineError> {
        let inputs = [input.clone(), input.clone(), input.clone()];
        let mut answers = Vec::new();
        let failed = |e: xince_runtime::EvalError| EngineError {
            code: e.code(),
            message_zh: e.message_zh(),
            message_en: e.message_en(),
        };
        self.0.evaluate_raw_batch(&inputs, &mut answers).map_err(failed)?;
        let same = answers.len() == 3 && answers.windows(2).all(|w| w[0] == w[1]);
        if !same {
            return Err(EngineError {
                code: "E_BATCH_DISAGREES",
                message_zh: "同一输入在一次批量调用中得到不同答案".into(),
                message_en: "one input got different answers within one batch call".into(),
            });
        }
        answers.swap_remove(1).map_err(failed)
    }
}
