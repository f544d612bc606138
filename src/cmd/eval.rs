//! `xince eval`: evaluates a subject (or a JSON Lines batch of subjects) against a compiled policy module or
//! a directory of modules (the one in force for the jurisdiction and date is chosen).

use crate::progress::{Progress, Unit};
use crate::ui::Ui;
use anyhow::Context;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use xince_abi::decision::Decision;
use xince_abi::decode::{list_status_label, measure_status_label};
use xince_batch::{Event, Failure, Options};
use xince_columnar::{Event as ColumnarEvent, Input, Output, Settings, Source};
use xince_lang::Lang;
use xince_runtime::{PrecompiledCache, RuntimeConfig};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// JSON 决定（符合 docs/schema/decision.schema.json） / the decision as JSON
    Json,
    /// 可读文本 / a readable view
    Text,
}

/// A batch file's format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DataFormat {
    /// JSON Lines：每行一个 JSON / one JSON object per line
    Jsonl,
    /// Apache Parquet
    Parquet,
}

/// The format named by a flag, else by the file's extension (`.parquet`, `.pq`), else JSON Lines.
pub fn by_extension(flag: Option<DataFormat>, path: &Path) -> DataFormat {
    flag.unwrap_or_else(|| match path.extension().and_then(|x| x.to_str()) {
        Some(x) if x.eq_ignore_ascii_case("parquet") || x.eq_ignore_ascii_case("pq") => DataFormat::Parquet,
        _ => DataFormat::Jsonl,
    })
}

fn input_format(args: &Args, input: &Path) -> DataFormat {
    by_extension(args.input_format, input)
}

#[derive(clap::Args)]
pub struct Args {
    /// 编译好的政策模块（.wasm）或模块目录 / a compiled policy module (.wasm) or a directory of modules
    #[arg(long)]
    pub policy: PathBuf,
    /// 请求 JSON 文件（- 表示标准输入） / request JSON file (- for stdin)
    #[arg(long, conflicts_with = "input")]
    pub request: Option<PathBuf>,
    /// 批量输入：JSON Lines（每行一个请求）或 Parquet（主体模式，见 docs/schema/subjects.arrow.md）
    /// / batch input: JSON Lines (one request per line) or Parquet in the subject schema
    #[arg(long, requires = "output")]
    pub input: Option<PathBuf>,
    /// 批量输出：每个主体一个决定（顺序同输入）；.parquet 为决定模式 / batch output: one decision per subject, in
    /// input order; `.parquet` writes the decision schema (docs/schema/decisions.arrow.md)
    #[arg(long, requires = "input")]
    pub output: Option<PathBuf>,
    /// 输入格式（默认按扩展名：.parquet 为 Parquet，其余为 JSON Lines）/ input format (default: by extension)
    #[arg(long, value_enum, requires = "input")]
    pub input_format: Option<DataFormat>,
    /// 输出格式（默认按扩展名）/ output format (default: by extension)
    #[arg(long, value_enum, requires = "output")]
    pub output_format: Option<DataFormat>,
    /// Parquet 输出附带完整决定（JSON 列 decision）/ Parquet output: add the full cited decision as a JSON column
    #[arg(long)]
    pub decision_json: bool,
    /// 工作线程数（0 为每核一个）/ worker threads (0 = one per core)
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// 覆盖请求中的评估日期 / override the request's evaluation date
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<String>,
    /// 覆盖请求中的场景 / override the request's scenario
    #[arg(long)]
    pub scenario: Option<String>,
    /// 同时解释不适用的项目（“为何不”） / also explain what does not apply ("why not")
    #[arg(long)]
    pub explain: bool,
    /// 输出格式 / output format
    #[arg(long, value_enum, default_value = "json")]
    pub format: Format,
    /// 辖区（--policy 为目录时用于选择模块），如 重庆市/巫山县/司法局 / jurisdiction, to pick a module from a directory
    #[arg(long)]
    pub jurisdiction: Option<String>,
    /// 预编译模块缓存目录（其中每个文件都经密钥校验后才加载）/ directory for precompiled modules (each
    /// authenticated with the cache key before it is loaded)
    #[arg(long)]
    pub cache_dir: Option<PathBuf>,
    /// 缓存密钥文件（默认 ~/.config/xince/cache.key，不存在时创建；勿放在缓存目录中）/ the cache key file
    /// (default ~/.config/xince/cache.key, created if missing; keep it out of the cache directory)
    #[arg(long, value_name = "FILE", requires = "cache_dir")]
    pub cache_key: Option<PathBuf>,
    /// 只接受由受信密钥签名的模块（信任文件见 xince verify）/ accept only modules signed by a key in this trust file
    #[arg(long, value_name = "trusted.json")]
    pub trust: Option<PathBuf>,
    /// 单个请求的最大字节数（默认 4 MiB）/ largest request in bytes (default 4 MiB)
    #[arg(long, value_name = "BYTES")]
    pub max_request_bytes: Option<usize>,
    /// 单个主体的最大记录数（默认 20000）/ most records per subject (default 20000)
    #[arg(long, value_name = "N")]
    pub max_records: Option<usize>,
}

fn open(args: &Args, ui: &Ui) -> anyhow::Result<Source> {
    let trusted_keys = match &args.trust {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                anyhow::anyhow!("{} {}: {e}", ui.t("无法读取信任文件", "cannot read trust file"), path.display())
            })?;
            let store: xince_abi::signature::TrustStore = serde_json::from_str(&text).map_err(|e| {
                anyhow::anyhow!("{} {}: {e}", ui.t("信任文件无效", "invalid trust file"), path.display())
            })?;
            Some(store.keys)
        }
        None => None,
    };
    // A directory without --jurisdiction is allowed only for Parquet input, whose rows may name their own.
    let rows_name_jurisdiction = args.input.as_deref().is_some_and(|i| input_format(args, i) == DataFormat::Parquet);
    if args.policy.is_dir() && args.jurisdiction.is_none() && !rows_name_jurisdiction {
        anyhow::bail!(
            "{}",
            ui.t(
                "--policy 为目录时必须给出 --jurisdiction（Parquet 输入也可用 jurisdiction 列）",
                "--jurisdiction is required when --policy is a directory (or a jurisdiction column in Parquet input)"
            )
        );
    }
    let precompiled = match &args.cache_dir {
        Some(dir) => {
            let key_path = args.cache_key.clone().or_else(default_cache_key).ok_or_else(|| {
                anyhow::anyhow!(
                    "{}",
                    ui.t("找不到主目录，请用 --cache-key 指定缓存密钥文件", "no home directory: give --cache-key")
                )
            })?;
            let key = xince_loader::load_or_create_key(&key_path).map_err(|e| anyhow::anyhow!("{e}"))?;
            Some(PrecompiledCache { store: std::sync::Arc::new(xince_loader::DirectoryStore::new(dir)), key })
        }
        None => None,
    };
    let config = RuntimeConfig { precompiled, trusted_keys, ..RuntimeConfig::default() };
    // The cache never fails a load, but what it could not do is shown.
    Source::open_reporting(&args.policy, args.jurisdiction.clone(), config, &mut |w| eprintln!("{w}"))
        .map_err(|f| anyhow::anyhow!("{}", ui.t(&f.message_zh, &f.message_en)))
}

/// `$XDG_CONFIG_HOME/xince/cache.key`, else `$HOME/.config/xince/cache.key`.
fn default_cache_key() -> Option<PathBuf> {
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(config.join("xince").join("cache.key"))
}

fn options(args: &Args) -> Options {
    let defaults = xince_abi::request::RequestLimits::default();
    let limits = xince_abi::request::RequestLimits {
        max_bytes: args.max_request_bytes.unwrap_or(defaults.max_bytes),
        max_records: args.max_records.unwrap_or(defaults.max_records),
        ..defaults
    };
    Options {
        as_of: args.as_of.clone(),
        scenario: args.scenario.clone(),
        explain: args.explain,
        limits,
        ..Options::default()
    }
}

/// A failure as one line of text: `path: message [code]`.
fn failure_text(f: &Failure, ui: &Ui) -> String {
    let msg = ui.t(&f.message_zh, &f.message_en);
    match &f.path {
        Some(p) => format!("{p}: {msg} [{}]", f.code),
        None => format!("{msg} [{}]", f.code),
    }
}

pub fn run(args: Args, ui: &Ui) -> anyhow::Result<ExitCode> {
    let source = open(&args, ui)?;
    if let (Some(input), Some(output)) = (&args.input, &args.output) {
        return batch(&source, &args, input, output, ui);
    }
    let path = args.request.clone().ok_or_else(|| {
        anyhow::anyhow!(
            "{}",
            ui.t("需要 --request <文件> 或 --input/--output", "need --request <file> or --input/--output")
        )
    })?;
    let text = if path.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin())?
    } else {
        crate::cmd::files::read_request(&path)?
    };
    match xince_batch::evaluate(&source, &options(&args), &text) {
        Ok(decision) => {
            let out = match args.format {
                Format::Json => serde_json::to_string_pretty(&decision)?,
                Format::Text => render_text(&decision, ui.lang),
            };
            println!("{out}");
            Ok(ExitCode::SUCCESS)
        }
        Err(f) => {
            match args.format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&f.json(None))?),
                Format::Text => eprintln!("{}: {}: {}", ui.t("错误", "error"), path.display(), failure_text(&f, ui)),
            }
            Ok(ExitCode::from(1))
        }
    }
}

fn batch(source: &Source, args: &Args, input: &Path, output: &Path, ui: &Ui) -> anyhow::Result<ExitCode> {
    let (in_format, out_format) = (input_format(args, input), by_extension(args.output_format, output));
    let stdin = input.as_os_str() == "-";
    if stdin && in_format == DataFormat::Parquet {
        anyhow::bail!("{}", ui.t("Parquet 输入须为文件，不能是标准输入", "Parquet input must be a file, not stdin"));
    }
    // Creating the output truncates it: never when it is the input (same path, a symlink or a hard link).
    if !stdin && output.as_os_str() != "-" {
        crate::cmd::files::refuse_overwrite(output, &[input])?;
    }
    let size = if stdin { None } else { std::fs::metadata(input).ok().map(|m| m.len()) };
    let open_input = || -> anyhow::Result<std::fs::File> {
        std::fs::File::open(input).with_context(|| format!("{} {}", ui.t("无法读取", "cannot read"), input.display()))
    };
    let reader = || -> anyhow::Result<Box<dyn BufRead + Send>> {
        Ok(if stdin {
            Box::new(std::io::BufReader::with_capacity(1 << 20, std::io::stdin()))
        } else {
            Box::new(std::io::BufReader::with_capacity(1 << 20, open_input()?))
        })
    };
    let to_stdout = output.as_os_str() == "-";
    if to_stdout && out_format == DataFormat::Parquet {
        anyhow::bail!("{}", ui.t("Parquet 输出须为文件", "Parquet output must be a file"));
    }
    let create = || -> anyhow::Result<std::fs::File> {
        std::fs::File::create(output)
            .with_context(|| format!("{} {}", ui.t("无法写入", "cannot write"), output.display()))
    };
    let unit = if in_format == DataFormat::Jsonl && size.is_some() { Unit::Bytes } else { Unit::Items };
    let progress = Progress::new(None, unit, ui.t("评估", "eval"));
    let started = std::time::Instant::now();
    let (total, failed) = if in_format == DataFormat::Jsonl && out_format == DataFormat::Jsonl {
        // The JSON Lines path of xince_batch (what the JSON Lines benchmark measures).
        if let Some(n) = size {
            progress.set_total(n);
        }
        // The batch writes a chunk of decisions at a time: no BufWriter needed.
        let writer: Box<dyn Write> = if to_stdout { Box::new(std::io::stdout().lock()) } else { Box::new(create()?) };
        let summary = xince_batch::run(source, &options(args), reader()?, writer, |event| match event {
            Event::Failed { line, failure } => {
                progress.println(&format!("{}:{line}: {}", input.display(), failure_text(failure, ui)))
            }
            Event::Progress { requests, bytes } => progress.update(requests as u64, bytes),
        })
        .with_context(|| format!("{} → {}", input.display(), output.display()))?;
        (summary.requests as u64, summary.failed as u64)
    } else {
        let settings = Settings {
            options: options(args),
            decision_json: args.decision_json,
            threads: args.threads,
            chunk_rows: 0,
        };
        let input_side = match in_format {
            DataFormat::Jsonl => Input::Jsonl { reader: reader()?, size },
            DataFormat::Parquet => Input::Parquet(open_input()?),
        };
        let output_side = match out_format {
            DataFormat::Jsonl => Output::Jsonl(if to_stdout {
                Box::new(std::io::BufWriter::with_capacity(1 << 20, std::io::stdout()))
            } else {
                Box::new(std::io::BufWriter::with_capacity(1 << 20, create()?))
            }),
            DataFormat::Parquet => Output::Parquet(Box::new(std::io::BufWriter::with_capacity(1 << 20, create()?))),
        };
        let summary = xince_columnar::run(source, &settings, input_side, output_side, |event| match event {
            ColumnarEvent::Total { rows, bytes } => {
                if let Some(n) = rows.or(bytes) {
                    progress.set_total(n);
                }
            }
            ColumnarEvent::Failed { row, failure } => {
                progress.println(&format!("{}:{row}: {}", input.display(), failure_text(failure, ui)))
            }
            ColumnarEvent::Progress { rows, bytes } => progress.update(rows, bytes),
        })
        .map_err(|e| anyhow::anyhow!("{e}"))
        .with_context(|| format!("{} → {}", input.display(), output.display()))?;
        (summary.rows, summary.failed)
    };
    progress.finish();
    let elapsed = started.elapsed();
    let rate = total as f64 / elapsed.as_secs_f64().max(1e-9);
    eprintln!(
        "{}",
        match ui.lang {
            Lang::Zh => format!(
                "共 {total} 条，成功 {}，失败 {failed}，用时 {elapsed:.2?}（每秒 {rate:.0} 条）",
                total - failed
            ),
            Lang::En => {
                format!("{total} requests, {} ok, {failed} failed, in {elapsed:.2?} ({rate:.0}/s)", total - failed)
            }
        }
    );
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// A readable view of a decision (Chinese, or English with `--lang en`).
pub fn render_text(d: &Decision, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let t = |a: &str, b: &str| if zh { a.to_string() } else { b.to_string() };
    let cite = |c: &xince_abi::manifest::Citation| format!("{} {}", c.document, c.article);
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    line(format!(
        "{}{}（{}，{} {}）",
        t("政策：", "Policy: "),
        d.policy.id,
        d.policy.document,
        t("版本", "version"),
        d.policy.version
    ));
    line(format!(
        "{}{}（{}）  {}{}{}",
        t("主体：", "Subject: "),
        d.subject.name.as_deref().unwrap_or("-"),
        d.subject.id,
        t("评估日期：", "as of: "),
        d.as_of,
        d.scenario.as_deref().map(|s| format!("  {}{s}", t("场景：", "scenario: "))).unwrap_or_default()
    ));
    line(format!("\n{}", t("名单", "Lists")));
    if d.lists.is_empty() {
        line(format!("  {}", t("（未列入任何名单）", "(on no list)")));
    }
    for l in &d.lists {
        let status = if zh { list_status_label(l.status).to_string() } else { format!("{:?}", l.status) };
        let mut s = format!("  - {}〔{}〕 {status}", l.list, l.category);
        if let Some(r) = &l.record {
            s.push_str(&format!("  {}{r}", t("记录 ", "record ")));
        }
        if let (Some(a), Some(b)) = (&l.entered, &l.publication_ends) {
            s.push_str(&format!("  {a} → {b}"));
        }
        if let Some(e) = &l.ended_on {
            s.push_str(&format!("  {}{e}", t("移出于 ", "ended ")));
        }
        line(s);
        if let Some(r) = &l.repair {
            let missing =
                if r.missing_conditions.is_empty() { t("无", "none") } else { r.missing_conditions.join("、") };
            line(format!(
                "      {}{}  {}{missing}",
                t("最早可修复：", "repair possible from: "),
                r.possible_from.map_or_else(|| "-".to_string(), |d| d.to_string()),
                t("尚缺条件：", "missing: ")
            ));
        }
        line(format!("      {}{}", t("出处：", "source: "), cite(&l.citation)));
    }
    line(format!("\n{}", t("措施", "Measures")));
    if d.measures.is_empty() {
        line(format!("  {}", t("（无）", "(none)")));
    }
    for m in &d.measures {
        let status = if zh { measure_status_label(m.status).to_string() } else { format!("{:?}", m.status) };
        let kind = if m.mandatory { t("强制性", "mandatory") } else { t("推荐性", "recommended") };
        let who: Vec<String> =
            m.targets.iter().map(|x| format!("{} {}", x.role, x.name.as_deref().unwrap_or(&x.id))).collect();
        line(format!(
            "  - {}（{}，{kind}） {status}{}",
            m.measure,
            m.kind,
            m.until.map(|u| format!("  → {u}")).unwrap_or_default()
        ));
        line(format!("      {}{}", t("对象：", "targets: "), who.join("、")));
        let basis: Vec<String> = m.basis.iter().map(|b| b.label()).collect();
        line(format!(
            "      {}{}  {}{}",
            t("依据：", "basis: "),
            basis.join("；"),
            t("出处：", "source: "),
            cite(&m.citation)
        ));
    }
    line(format!("\n{}", t("激励", "Incentives")));
    for i in &d.incentives {
        let s = if i.eligible { t("符合", "eligible") } else { t("不符合", "not eligible") };
        let why =
            i.failed_condition.as_deref().map(|f| format!("（{}{f}）", t("未满足：", "failed: "))).unwrap_or_default();
        line(format!("  - {} {s}{why}  {}{}", i.incentive, t("出处：", "source: "), cite(&i.citation)));
    }
    if !d.notifications.is_empty() {
        line(format!("\n{}", t("通报", "Notifications")));
        for n in &d.notifications {
            line(format!(
                "  - {} → {}  {}{}",
                n.notification,
                n.recipients.join("、"),
                t("出处：", "source: "),
                cite(&n.citation)
            ));
        }
    }
    if let Some(g) = &d.grade {
        line(format!(
            "\n{}{}：{}{}",
            t("等级 ", "Grade "),
            g.grading,
            g.level,
            g.supervision.as_deref().map(|s| format!("（{s}）")).unwrap_or_default()
        ));
    }
    if !d.objections.is_empty() {
        line(format!("\n{}", t("异议", "Objections")));
        for o in &d.objections {
            line(format!(
                "  - {} {} {:?}{}",
                o.record,
                o.filed,
                o.status,
                o.due.map(|x| format!(" → {x}")).unwrap_or_default()
            ));
        }
    }
    line(format!("\n{}", t("说明", "Why")));
    for tr in &d.trace {
        line(format!("  · {}", if zh { &tr.zh } else { &tr.en }));
    }
    out
}
