//! `xince sign keygen --issuer … --out KEY` writes `KEY.secret` and `KEY.public`;
//! `xince sign --key KEY.secret module.wasm [-o signed.wasm]` appends an `xince.signature` section.

use crate::ui::Ui;
use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use xince_abi::signature::{self, SecretKeyFile};

#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    action: Option<Action>,
    /// 签名私钥文件（keygen 生成的 .secret）/ the signing key (a .secret file from keygen)
    #[arg(long)]
    key: Option<PathBuf>,
    /// 要签名的模块 / the module to sign
    module: Option<PathBuf>,
    /// 输出文件（默认覆盖原模块）/ output file (default: overwrite the module)
    #[arg(short, long)]
    out: Option<PathBuf>,
}

#[derive(clap::Subcommand)]
enum Action {
    /// 生成签名密钥对 / generate a signing key pair
    Keygen {
        /// 签发机关，如 巫山县信用办 / the issuing body
        #[arg(long)]
        issuer: String,
        /// 输出文件名前缀：写出 <前缀>.secret 与 <前缀>.public / output prefix: writes <prefix>.secret and <prefix>.public
        #[arg(long)]
        out: PathBuf,
    },
}

fn with_extension(prefix: &Path, ext: &str) -> PathBuf {
    let mut name = prefix.as_os_str().to_owned();
    name.push(".");
    name.push(ext);
    PathBuf::from(name)
}

fn random_seed() -> anyhow::Result<[u8; 32]> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed)
        .map_err(|e| anyhow::anyhow!("无法读取系统随机数：{e} / cannot read the system's randomness: {e}"))?;
    Ok(seed)
}

pub fn run(args: Args, ui: &Ui) -> anyhow::Result<ExitCode> {
    if let Some(Action::Keygen { issuer, out }) = args.action {
        let key = SecretKeyFile::from_seed(&issuer, random_seed()?);
        let secret_path = with_extension(&out, "secret");
        let public_path = with_extension(&out, "public");
        if secret_path.exists() {
            bail!(
                "{} {}",
                ui.t("不覆盖已有私钥文件", "refusing to overwrite the existing key file"),
                secret_path.display()
            );
        }
        write_private(&secret_path, &serde_json::to_string_pretty(&key)?)?;
        std::fs::write(&public_path, serde_json::to_string_pretty(&key.public())? + "\n")
            .with_context(|| public_path.display().to_string())?;
        println!("{}: {}", ui.t("密钥编号", "key id"), key.key_id);
        println!("{}: {}", ui.t("私钥（妥善保管）", "secret key (keep private)"), secret_path.display());
        println!("{}: {}", ui.t("公钥（交给验证方）", "public key (give to verifiers)"), public_path.display());
        return Ok(ExitCode::SUCCESS);
    }
    let (Some(key_path), Some(module)) = (args.key, args.module) else {
        bail!(
            "{}",
            ui.t(
                "用法：xince sign --key KEY.secret module.wasm [-o signed.wasm]",
                "usage: xince sign --key KEY.secret module.wasm [-o signed.wasm]"
            )
        );
    };
    let key_text = std::fs::read_to_string(&key_path).with_context(|| key_path.display().to_string())?;
    let key: SecretKeyFile = serde_json::from_str(&key_text).with_context(|| key_path.display().to_string())?;
    let bytes = std::fs::read(&module).with_context(|| module.display().to_string())?;
    // Refuse to sign something that is not an xince module: the signature vouches for a manifest.
    let manifest = xince_review::read_manifest(&bytes).with_context(|| module.display().to_string())?;
    let signed = signature::sign(&bytes, &key).with_context(|| module.display().to_string())?;
    let out = args.out.unwrap_or(module);
    std::fs::write(&out, &signed).with_context(|| out.display().to_string())?;
    println!(
        "{} {}（{} {}，{} {}）",
        ui.t("已签名", "signed"),
        out.display(),
        manifest.policy.jurisdiction,
        manifest.policy.version,
        ui.t("密钥", "key"),
        key.key_id
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| path.display().to_string())?;
    writeln!(f, "{text}").with_context(|| path.display().to_string())?;
    Ok(())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(path, format!("{text}\n")).with_context(|| path.display().to_string())?;
    Ok(())
}
