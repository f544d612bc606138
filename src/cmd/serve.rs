//! `xince serve`: the HTTP decision service (`docs/serve.md`). This file only reads the configuration, builds
//! the async runtime, handles signals (SIGHUP reloads the bundle; SIGTERM / Ctrl-C drain and stop) and prints
//! what happens; the service itself is the `xince-server` crate.

use crate::ui::Ui;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use xince_server::{Config, Event, Server};

#[derive(clap::Args)]
pub struct Args {
    /// 配置文件（TOML，见 docs/serve.md）/ configuration file (TOML, see docs/serve.md)
    #[arg(long, short = 'c')]
    pub config: Option<PathBuf>,
    /// 政策包目录（xince build <目录> --out-dir 的输出）/ bundle directory of compiled modules
    #[arg(long)]
    pub bundle: Option<PathBuf>,
    /// 监听地址（端口 0 表示任选空闲端口）/ listen address (port 0 picks a free port)
    #[arg(long)]
    pub listen: Option<String>,
    /// 决定日志目录 / decision log directory
    #[arg(long)]
    pub log_dir: Option<PathBuf>,
    /// 不写决定日志（仅限测试与压测）/ no decision log (tests and benchmarks only)
    #[arg(long, conflicts_with = "log_dir")]
    pub no_log: bool,
    /// 日志持久化方式：fsync（默认）或 write / log durability: fsync (default) or write
    #[arg(long, value_name = "fsync|write")]
    pub durability: Option<String>,
    /// /v1/check 与 /v1/build 可引用的政策源文件目录 / sources in scope for /v1/check and /v1/build
    #[arg(long)]
    pub sources: Option<PathBuf>,
    /// 只接受受信密钥签名的模块 / accept only modules signed by a trusted key
    #[arg(long)]
    pub require_signatures: bool,
    /// 信任文件（同 xince verify）/ trust store (as for xince verify)
    #[arg(long, value_name = "trusted.json")]
    pub trust: Option<PathBuf>,
    /// 开发用：无令牌的请求视为拥有全部权限的匿名调用方 / development only: requests without a token get every scope
    #[arg(long)]
    pub dev_anonymous: bool,
    /// 检查政策包目录变化的间隔（毫秒，0 表示只在 SIGHUP 或 /v1/reload 时重载）/ bundle poll interval in ms (0: only on SIGHUP or /v1/reload)
    #[arg(long)]
    pub reload_poll_ms: Option<u64>,
    /// 工作线程数（0 表示每核一个）/ worker threads (0: one per core)
    #[arg(long)]
    pub threads: Option<usize>,
}

fn config(args: &Args, ui: &Ui) -> anyhow::Result<Config> {
    let mut config = match &args.config {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                anyhow::anyhow!("{} {}: {e}", ui.t("无法读取配置", "cannot read config"), path.display())
            })?;
            Config::parse(&text)
                .map_err(|e| anyhow::anyhow!("{} {}: {e}", ui.t("配置无效", "invalid config"), path.display()))?
        }
        None => Config::default(),
    };
    let s = &mut config.server;
    if let Some(b) = &args.bundle {
        s.bundle = Some(b.clone());
    }
    if let Some(l) = &args.listen {
        s.listen = l.clone();
    }
    if let Some(d) = &args.sources {
        s.sources = Some(d.clone());
    }
    if let Some(t) = &args.trust {
        s.trust = Some(t.clone());
    }
    s.require_signatures |= args.require_signatures;
    s.dev_anonymous |= args.dev_anonymous;
    if let Some(p) = args.reload_poll_ms {
        s.reload_poll_ms = p;
    }
    if let Some(t) = args.threads {
        s.threads = t;
    }
    if let Some(d) = &args.log_dir {
        config.log.dir = Some(d.clone());
    }
    if args.no_log {
        config.log.enabled = false;
    }
    match args.durability.as_deref() {
        None => {}
        Some("fsync") => config.log.durability = xince_server::config::Durability::Fsync,
        Some("write") => config.log.durability = xince_server::config::Durability::Write,
        Some(other) => {
            anyhow::bail!("--durability {other}: {}", ui.t("应为 fsync 或 write", "expected fsync or write"))
        }
    }
    config.check().map_err(|e| anyhow::anyhow!("{e}"))?;
    if config.callers.is_empty() && !config.server.dev_anonymous {
        anyhow::bail!(
            "{}",
            ui.t(
                "没有配置任何调用方（--config 中的 [[callers]]）；仅在开发时可用 --dev-anonymous 允许匿名访问",
                "no callers configured ([[callers]] in --config); use --dev-anonymous for anonymous access in development only"
            )
        );
    }
    Ok(config)
}

pub fn run(args: Args, ui: &Ui) -> anyhow::Result<ExitCode> {
    let config = config(&args, ui)?;
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if config.server.threads > 0 {
        builder.worker_threads(config.server.threads);
    }
    let runtime = builder.enable_all().build()?;
    let zh = ui.lang == xince_lang::Lang::Zh;
    let dev = config.server.dev_anonymous;
    runtime.block_on(async move {
        let (server, opened) = Server::bind(config).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let addr = server.local_addr().map_err(|e| anyhow::anyhow!("{e}"))?;
        let state = server.state();
        if let Some(o) = &opened
            && o.cut_bytes > 0
        {
            eprintln!(
                "{}",
                if zh {
                    format!("决定日志末尾有一条未写完的条目（{} 字节，从未答复），已截去", o.cut_bytes)
                } else {
                    format!("cut an unfinished last log entry ({} bytes, never answered)", o.cut_bytes)
                }
            );
        }
        let bundle = state.bundle();
        eprintln!(
            "{} http://{addr}  ({} {}, {} {})",
            if zh { "xince serve 正在监听" } else { "xince serve listening on" },
            bundle.modules.len(),
            if zh { "个模块" } else { "modules" },
            if zh { "版本" } else { "revision" },
            bundle.revision
        );
        if dev {
            eprintln!(
                "{}",
                if zh {
                    "警告：--dev-anonymous 已开启，无令牌的请求拥有全部权限（仅限开发）"
                } else {
                    "warning: --dev-anonymous is on: requests without a token have every scope (development only)"
                }
            );
        }
        let events: Arc<dyn Fn(Event) + Send + Sync> = Arc::new(move |e| match e {
            Event::Reloaded { revision, changed } => eprintln!(
                "{} {revision}",
                match (zh, changed) {
                    (true, true) => "政策包已重新加载：",
                    (true, false) => "政策包无变化：",
                    (false, true) => "bundle reloaded:",
                    (false, false) => "bundle unchanged:",
                }
            ),
            Event::Refused(err) => eprintln!(
                "{} {err}",
                if zh {
                    "新政策包被拒绝，继续使用旧的："
                } else {
                    "new bundle refused, the old one keeps serving:"
                }
            ),
            Event::Draining => {
                eprintln!(
                    "{}",
                    if zh {
                        "正在停止：不再接受新连接，等待进行中的请求"
                    } else {
                        "draining: no new connections"
                    }
                )
            }
            Event::DrainTimedOut => {
                eprintln!(
                    "{}",
                    if zh {
                        "等待超时，仍有请求未完成"
                    } else {
                        "drain deadline passed with requests in flight"
                    }
                )
            }
        });
        // SIGHUP reloads the bundle.
        {
            let (st, events) = (state.clone(), events.clone());
            let mut hup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;
            tokio::spawn(async move {
                while hup.recv().await.is_some() {
                    let r = st.reload().await;
                    xince_server::report(&events, &st, r);
                }
            });
        }
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        let shutdown = async move {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        };
        server.run(shutdown, events).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        eprintln!("{}", if zh { "已停止，决定日志已写完" } else { "stopped; decision log flushed" });
        Ok::<_, anyhow::Error>(ExitCode::SUCCESS)
    })
}
