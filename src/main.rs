//! `xince` — the command-line tool for drafters, reviewers and batch hosts. The only place that does
//! process-level IO (files, stdout, exit codes); everything else is in the library crates.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod cmd;
mod progress;
mod ui;

#[derive(Parser)]
#[command(
    name = "xince",
    version,
    about = "信策：把社会信用政策写成代码，编译为 WebAssembly 模块 / social-credit policies as code, compiled to WebAssembly",
    long_about = None
)]
struct Cli {
    /// 输出语言：zh（默认）或 en；也读取环境变量 XINCE_LANG / LANG / message language (zh default, en)
    #[arg(long, global = true, value_name = "zh|en")]
    lang: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// 检查政策文件，报告全部诊断 / check policy files and report every diagnostic
    Check(cmd::check::Args),
    /// 用编译好的政策评估主体 / evaluate subjects against compiled policies
    Eval(cmd::eval::Args),
    /// 编译政策为 wasm 模块 / compile policies to wasm modules
    Build(cmd::build::Args),
    /// 生成确定性的模拟主体人群（JSON Lines）/ generate a deterministic synthetic population (JSON Lines)
    Gen(cmd::r#gen::Args),
    /// 工作日与期间计算（国家工作日日历 2017—2026）/ working days and periods on the national calendar
    Date(cmd::date::Args),
    /// 校验统一社会信用代码、居民身份证号码 / check credit codes and resident ID numbers
    Id(cmd::id::Args),
    /// 查看模块清单 / show a module's manifest
    Inspect(cmd::inspect::Args),
    /// 比较两个版本的政策（可选人群回放）/ compare two policy versions (optionally replay a population)
    Diff(cmd::diff::Args),
    /// 为模块签名，或生成密钥（sign keygen）/ sign a module, or generate a key (sign keygen)
    Sign(cmd::sign::Args),
    /// 验证模块签名 / verify a module's signature
    Verify(cmd::verify::Args),
    /// 运行政策的用例（wasm 与参考解释器）/ run each policy's cases on the wasm runtime and the interpreter
    Test(cmd::test::Args),
    /// 逐条显示政策对原文的覆盖 / show which rules encode each article of the source document
    Coverage(cmd::coverage::Args),
    /// 按规范格式整理政策源文件 / format policy sources canonically
    Fmt(cmd::fmt::Args),
    /// 运行决定服务（HTTP + OpenAPI）/ run the decision service (HTTP + OpenAPI)
    Serve(cmd::serve::Args),
    /// 决定日志：verify 校验哈希链，show 按条件列出 / the decision log: verify its chain, show entries
    Log(cmd::log::Args),
    /// 语言服务器（LSP，标准输入输出）/ the language server (LSP over stdio)
    Lsp(cmd::lsp::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let ui = ui::Ui::new(cli.lang.as_deref());
    let result = match cli.command {
        Command::Check(args) => cmd::check::run(args, &ui),
        Command::Eval(args) => cmd::eval::run(args, &ui),
        Command::Build(args) => cmd::build::run(args, &ui),
        Command::Gen(args) => cmd::r#gen::run(args, &ui),
        Command::Date(args) => cmd::date::run(args, &ui),
        Command::Id(args) => cmd::id::run(args, &ui),
        Command::Inspect(args) => cmd::inspect::run(args, &ui),
        Command::Diff(args) => cmd::diff::run(args, &ui),
        Command::Sign(args) => cmd::sign::run(args, &ui),
        Command::Verify(args) => cmd::verify::run(args, &ui),
        Command::Test(args) => cmd::test::run(args, &ui),
        Command::Coverage(args) => cmd::coverage::run(args, &ui),
        Command::Fmt(args) => cmd::fmt::run(args, &ui),
        Command::Serve(args) => cmd::serve::run(args, &ui),
        Command::Log(args) => cmd::log::run(args, &ui),
        Command::Lsp(args) => cmd::lsp::run(args, &ui),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            ui.error(&err);
            ExitCode::from(2)
        }
    }
}
