//! `xince verify --trust trusted.json module.wasm`: check a module's signature against a trust store.
//! Exit 0 and the signer when it verifies; exit 1 with the reason when it does not.

use crate::ui::Ui;
use anyhow::Context;
use std::path::PathBuf;
use std::process::ExitCode;
use xince_abi::signature::{self, TrustStore};

#[derive(clap::Args)]
pub struct Args {
    /// 信任列表 JSON：{"keys": [{"key_id", "public_key", "jurisdiction", "issuer"}]} / trust store JSON
    #[arg(long)]
    trust: PathBuf,
    /// 要验证的模块 / the module to verify
    module: PathBuf,
    /// 以 JSON 输出签名者信息 / print the signer as JSON
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args, ui: &Ui) -> anyhow::Result<ExitCode> {
    let trust_text = std::fs::read_to_string(&args.trust).with_context(|| args.trust.display().to_string())?;
    let store: TrustStore = serde_json::from_str(&trust_text).with_context(|| args.trust.display().to_string())?;
    let bytes = std::fs::read(&args.module).with_context(|| args.module.display().to_string())?;
    match signature::verify(&bytes, &store.keys) {
        Ok(info) => {
            if args.json {
                println!("{}", serde_json::to_string_pretty(&info)?);
            } else {
                println!("{}: {}", ui.t("签名有效", "signature valid"), args.module.display());
                println!("  {}: {} {}", ui.t("政策", "policy"), info.policy_id, info.policy_version);
                println!("  {}: {}", ui.t("辖区", "jurisdiction"), info.jurisdiction);
                println!("  {}: {} ({})", ui.t("签名者", "signer"), info.issuer, info.key_id);
                println!("  {}: {}", ui.t("受信范围", "trusted for"), info.trusted_for);
                println!("  {}: {}", ui.t("摘要", "digest"), info.digest);
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(err) => {
            eprintln!("{}: {}: {err}", ui.t("验证失败", "verification failed"), args.module.display());
            Ok(ExitCode::from(1))
        }
    }
}
