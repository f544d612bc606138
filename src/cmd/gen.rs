//! `xince gen`: writes a deterministic synthetic population of requests as JSON Lines, for benchmarks,
//! impact replays and load tests. The generator itself is pure (`xince_testkit::population`); this file does the IO.

use xince_testkit::population;

use crate::progress::{Progress, Unit};
use crate::ui::Ui;
use anyhow::Context;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use xince_columnar::pipeline::SubjectWriter;

#[derive(clap::Args)]
pub struct Args {
    /// 主体个数 / number of subjects
    #[arg(long, default_value_t = 1000)]
    pub count: u64,
    /// 随机种子：相同种子得到相同人群 / seed: the same seed gives the same population
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// 评估日期（每个请求的 as_of）/ evaluation date written into every request
    #[arg(long = "as-of", value_name = "YYYY-MM-DD", default_value = population::DEFAULT_AS_OF)]
    pub as_of: String,
    /// 输出文件（JSON Lines，每行一个请求；.parquet 为 Parquet）；`-` 为标准输出 / output file (one request per
    /// line; `.parquet` writes Parquet); `-` for stdout
    #[arg(short = 'o', long = "output", value_name = "FILE", default_value = "-")]
    pub output: PathBuf,
    /// 输出格式（默认按扩展名）/ output format (default: by extension)
    #[arg(long, value_enum)]
    pub format: Option<crate::cmd::eval::DataFormat>,
    /// 为主体轮流指定辖区（写入 Parquet 的 jurisdiction 列，可重复）/ give subjects these jurisdictions in turn
    /// (Parquet's jurisdiction column; repeatable)
    #[arg(long, value_name = "辖区")]
    pub jurisdiction: Vec<String>,
}

/// Subjects per record batch written to Parquet.
const PARQUET_BATCH: u64 = 8192;

pub fn run(args: Args, ui: &Ui) -> anyhow::Result<ExitCode> {
    let population = population::Population::new(args.seed, &args.as_of)
        .map_err(|e| anyhow::anyhow!("{e}"))
        .context(ui.t("参数 --as-of", "argument --as-of").to_string())?;
    let to_stdout = args.output.as_os_str() == "-";
    let format = crate::cmd::eval::by_extension(args.format, &args.output);
    let progress = Progress::new(Some(args.count), Unit::Items, ui.t("生成", "gen"));
    if format == crate::cmd::eval::DataFormat::Parquet {
        if to_stdout {
            anyhow::bail!("{}", ui.t("Parquet 输出须为文件", "Parquet output must be a file"));
        }
        let file = std::fs::File::create(&args.output).with_context(|| {
            format!("{} {}", ui.t("无法创建输出文件", "cannot create output file"), args.output.display())
        })?;
        let write_error = || format!("{} {}", ui.t("写入失败", "write failed"), args.output.display());
        let mut writer = SubjectWriter::new(BufWriter::with_capacity(1 << 20, file), !args.jurisdiction.is_empty())
            .with_context(write_error)?;
        let mut start = 0u64;
        while start < args.count {
            let end = (start + PARQUET_BATCH).min(args.count);
            let requests: Vec<_> = (start..end).map(|i| population.subject(i)).collect();
            let jurisdictions: Vec<Option<String>> = (start..end)
                .map(|i| {
                    let n = args.jurisdiction.len() as u64;
                    (n > 0).then(|| args.jurisdiction[(i % n.max(1)) as usize].clone())
                })
                .collect();
            writer.write(&requests, Some(&jurisdictions)).with_context(write_error)?;
            progress.update(end, 0);
            start = end;
        }
        writer.close().with_context(write_error)?;
        progress.finish();
        eprintln!("{} {} → {}", ui.t("已生成主体", "subjects generated:"), args.count, args.output.display());
        return Ok(ExitCode::SUCCESS);
    }
    if !args.jurisdiction.is_empty() {
        anyhow::bail!(
            "{}",
            ui.t(
                "--jurisdiction 只用于 Parquet 输出（JSON 请求无此字段）",
                "--jurisdiction is for Parquet output only"
            )
        );
    }
    let sink: Box<dyn Write> = if to_stdout {
        Box::new(std::io::stdout().lock())
    } else {
        let file = std::fs::File::create(&args.output).with_context(|| {
            format!("{} {}", ui.t("无法创建输出文件", "cannot create output file"), args.output.display())
        })?;
        Box::new(file)
    };
    let mut out = BufWriter::with_capacity(1 << 20, sink);
    let write_error = || format!("{} {}", ui.t("写入失败", "write failed"), args.output.display());
    for (i, request) in population.iter(args.count).enumerate() {
        serde_json::to_writer(&mut out, &request).with_context(write_error)?;
        out.write_all(b"\n").with_context(write_error)?;
        if i % 4096 == 4095 {
            progress.update(i as u64 + 1, 0);
        }
    }
    out.flush().with_context(write_error)?;
    progress.finish();
    if !to_stdout {
        eprintln!("{} {} → {}", ui.t("已生成主体", "subjects generated:"), args.count, args.output.display());
    }
    Ok(ExitCode::SUCCESS)
}
