//! `xince log verify <dir>` and `xince log show <dir>`: check the hash chain of a decision log written by
//! `xince serve`, and print entries filtered by subject, caller, policy and date.

use crate::ui::Ui;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: LogCommand,
}

#[derive(clap::Subcommand)]
pub enum LogCommand {
    /// 校验哈希链：发现被修改、删除、重排、插入的条目与被截断的尾部 / verify the hash chain
    Verify {
        /// 决定日志目录 / decision log directory
        dir: PathBuf,
    },
    /// 按条件列出条目（每行一个 JSON）/ print entries (one JSON per line) matching the filters
    Show {
        /// 决定日志目录 / decision log directory
        dir: PathBuf,
        /// 主体代码（完整号码也匹配其脱敏形式）/ subject id (a full id also matches its masked form)
        #[arg(long)]
        subject: Option<String>,
        /// 调用方名称 / caller name
        #[arg(long)]
        caller: Option<String>,
        /// 政策 id / policy id
        #[arg(long)]
        policy: Option<String>,
        /// 起始日期（含，UTC）/ from date (inclusive, UTC)
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: Option<String>,
        /// 截止日期（含，UTC）/ until date (inclusive, UTC)
        #[arg(long, value_name = "YYYY-MM-DD")]
        until: Option<String>,
    },
}

pub fn run(args: Args, ui: &Ui) -> anyhow::Result<ExitCode> {
    match args.command {
        LogCommand::Verify { dir } => match xince_server::log::verify(&dir) {
            Ok(v) => {
                println!(
                    "{}",
                    match ui.lang {
                        xince_lang::Lang::Zh => format!(
                            "决定日志完好：{} 个文件，{} 条，最后一条 #{}（{}）",
                            v.files, v.entries, v.last_seq, v.last_hash
                        ),
                        xince_lang::Lang::En => format!(
                            "decision log intact: {} files, {} entries, last #{} ({})",
                            v.files, v.entries, v.last_seq, v.last_hash
                        ),
                    }
                );
                Ok(ExitCode::SUCCESS)
            }
            Err(problems) => {
                for p in &problems {
                    eprintln!("{}:{}: {}", p.file, p.line, p.message);
                }
                eprintln!(
                    "{}",
                    match ui.lang {
                        xince_lang::Lang::Zh => format!("决定日志校验失败：{} 处问题", problems.len()),
                        xince_lang::Lang::En =>
                            format!("decision log verification failed: {} problems", problems.len()),
                    }
                );
                Ok(ExitCode::from(1))
            }
        },
        LogCommand::Show { dir, subject, caller, policy, from, until } => {
            let filter = xince_server::log::Filter { subject, caller, policy, from, until };
            let masker = xince_server::mask::Masker::new(xince_server::config::PersonalIds::Mask, None);
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            let n = xince_server::log::show(&dir, &filter, &masker, |line| writeln!(out, "{line}"))
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            out.flush()?;
            eprintln!(
                "{}",
                match ui.lang {
                    xince_lang::Lang::Zh => format!("{n} 条"),
                    xince_lang::Lang::En => format!("{n} entries"),
                }
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
