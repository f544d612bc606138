//! One way to evaluate encoded inputs. The reference interpreter (in the compiler) and the wasm runtime both
//! implement [`Engine`], so the conformance suite, `xince test`, the differential tests and the benches drive
//! every engine through the same call, and neither engine crate imports the other.

use crate::input::Input;
use crate::output::RawOutput;
use std::fmt;

/// An engine's refusal: a stable code (`E_NO_REGIME`, `E_OUT_OF_FUEL`, …) and its message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EngineError {
    pub code: &'static str,
    pub message_zh: String,
    pub message_en: String,
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}：{} / {}", self.code, self.message_zh, self.message_en)
    }
}

impl std::error::Error for EngineError {}

/// Evaluates encoded inputs of one compiled policy.
pub trait Engine {
    /// What to call the engine in messages ("reference interpreter", "wasm").
    fn name(&self) -> &'static str;

    /// The raw answer for one input, or the error that stopped it.
    fn run(&mut self, input: &Input) -> Result<RawOutput, EngineError>;
}
