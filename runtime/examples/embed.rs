//! The smallest useful host: load a compiled policy, evaluate one request, print the decision.
//!
//! ```text
//! cargo run -p xince-runtime --example embed -- <module.wasm> <request.json>
//! ```

use std::process::ExitCode;
use xince_runtime::xince_abi::decode::parse_request;
use xince_runtime::{EvalError, Runtime, RuntimeConfig};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let [_, module_path, request_path] = args.as_slice() else {
        eprintln!("用法 / usage: embed <module.wasm> <request.json>");
        return ExitCode::from(2);
    };
    match run(module_path, request_path) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(1)
        }
    }
}

fn run(module_path: &str, request_path: &str) -> Result<(), Box<dyn std::error::Error>> {
    // One runtime per process: it owns the engine, the limits and the compiled-module cache.
    let runtime = Runtime::new(RuntimeConfig::default())?;
    // Loading checks the manifest, the ABI version and the exports, and refuses any import.
    let policy = runtime.load(&std::fs::read(module_path)?)?;
    let info = &policy.manifest().policy;
    eprintln!("已加载 / loaded: {} {} ({})", info.id, info.version, info.document);

    // Request errors name the JSON path; the host can show them to whoever wrote the request.
    let request = parse_request(&std::fs::read_to_string(request_path)?)?;
    match policy.evaluate(&request) {
        Ok(decision) => {
            println!("{}", serde_json::to_string_pretty(&decision)?);
            Ok(())
        }
        // Hosts branch on the stable code; a trapped module does not affect later evaluations.
        Err(EvalError::Request(e)) => Err(format!("请求有误 / bad request at {}: {}", e.path, e.message_en).into()),
        Err(e) => Err(format!("[{}] {}", e.code(), e).into()),
    }
}
