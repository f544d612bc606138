//! `xince inspect module.wasm [--json]`: run the runtime's load checks, then show the manifest a compiled
//! module carries (exit 1 when the module would be refused).

use crate::ui::Ui;
use anyhow::Context;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// 编译好的 wasm 模块 / a compiled wasm module
    module: PathBuf,
    /// 以 JSON 输出清单 / print the manifest as JSON
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args, ui: &Ui) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(&args.module)
        .with_context(|| format!("{} {}", ui.t("无法读取", "cannot read"), args.module.display()))?;
    // The checks `eval` runs at load (digest, limits, imports, memory, exports, ABI version): a module shown
    // here as fine is one a host would load.
    let runtime = xince_runtime::Runtime::new(xince_runtime::RuntimeConfig {
        pooling: false,
        ..xince_runtime::RuntimeConfig::default()
    })?;
    if let Err(e) = runtime.load(&bytes) {
        eprintln!("{}: {}: {e}", ui.t("错误", "error"), args.module.display());
        return Ok(ExitCode::from(1));
    }
    let manifest = xince_review::read_manifest(&bytes).with_context(|| args.module.display().to_string())?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&manifest)?);
    } else {
        // A malformed signature block is shown as absent here; `xince verify` reports it precisely.
        let signature = xince_abi::signature::read_block(&bytes).ok();
        print!("{}", xince_review::inspect::render(&manifest, signature.as_ref(), ui.lang));
    }
    Ok(ExitCode::SUCCESS)
}
