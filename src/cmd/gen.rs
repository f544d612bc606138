//! `xince gen`: writes a deterministic synthetic population of requests as JSON Lines, for benchmarks,
//! impact replays and load tests. The generator itself is pure (`xince_testkit::population`); this file does the IO.

use xince_testkit::population;

use crate::ui::Ui;
use anyhow::Context;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

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
    /// 输出文件（JSON Lines，每行一个请求）；`-` 为标准输出 / output file (one request per line); `-` for stdout
    #[arg(short = 'o', long = "output", value_name = "FILE", default_value = "-")]
    pub output: PathBuf,
}

pub fn run(args: Args, ui: &Ui) -> anyhow::Result<ExitCode> {
    let population = population::Population::new(args.seed, &args.as_of)
        .map_err(|e| anyhow::anyhow!("{e}"))
        .context(ui.t("参数 --as-of", "argument --as-of").to_string())?;
    let to_stdout = args.output.as_os_str() == "-";
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
    for request in population.iter(args.count) {
        serde_json::to_writer(&mut out, &request).with_context(write_error)?;
        out.write_all(b"\n").with_context(write_error)?;
    }
    out.flush().with_context(write_error)?;
    if !to_stdout {
        eprintln!("{} {} → {}", ui.t("已生成主体", "subjects generated:"), args.count, args.output.display());
    }
    Ok(ExitCode::SUCCESS)
}
