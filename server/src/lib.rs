//! `xince serve` as a library: an HTTP decision service over a bundle directory of compiled modules.
//!
//! This crate is the one exception to "only the CLI does process IO": a server necessarily owns its listening
//! socket, reads its bundle directory, and writes its decision log. Signals, the terminal and exit codes stay
//! in the CLI (`src/cmd/serve.rs`, `src/cmd/log.rs`). All calls into the compiler, runtime and ABI go through
//! [`engine`]. See `docs/serve.md`.

pub mod app;
pub mod auth;
pub mod config;
pub mod engine;
pub mod error;
pub mod log;
pub mod mask;
pub mod metrics;
pub mod openapi;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

pub use app::{AppState, Shared};
pub use config::Config;

/// Something the server wants the operator to know (the CLI prints these).
#[derive(Debug)]
pub enum Event {
    /// A reload replaced the bundle (or found it unchanged).
    Reloaded { revision: String, changed: bool },
    /// A reload was refused; the previous bundle keeps serving.
    Refused(engine::BundleError),
    /// Shutdown began: no new connections; in-flight requests are finishing.
    Draining,
    /// The drain deadline passed with requests still in flight.
    DrainTimedOut,
}

/// A bound, loaded server that has not started answering yet.
pub struct Server {
    listener: tokio::net::TcpListener,
    state: Shared,
}

impl Server {
    /// Loads the bundle, callers and log, and binds the listening address.
    pub async fn bind(config: Config) -> Result<(Server, Option<log::Opened>), String> {
        let listen = config.server.listen.clone();
        let (state, opened) =
            tokio::task::spawn_blocking(move || AppState::new(config)).await.map_err(|e| e.to_string())??;
        let listener = tokio::net::TcpListener::bind(&listen).await.map_err(|e| format!("{listen}: {e}"))?;
        Ok((Server { listener, state }, opened))
    }

    pub fn local_addr(&self) -> Result<SocketAddr, String> {
        self.listener.local_addr().map_err(|e| e.to_string())
    }

    pub fn state(&self) -> Shared {
        self.state.clone()
    }

    /// Answers until `shutdown` completes; then stops accepting, lets in-flight requests finish (up to the
    /// drain deadline), and closes the decision log after its last commit. Polls the bundle directory for
    /// changes when `reload_poll_ms` is not 0.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
        events: Arc<dyn Fn(Event) + Send + Sync>,
    ) -> Result<(), String> {
        let state = self.state;
        let poll = state.config.server.reload_poll_ms;
        let poller = (poll > 0).then(|| {
            let (st, events) = (state.clone(), events.clone());
            tokio::spawn(async move {
                let mut seen = app::bundle_fingerprint(st.bundle_dir());
                loop {
                    tokio::time::sleep(Duration::from_millis(poll)).await;
                    let now = app::bundle_fingerprint(st.bundle_dir());
                    if now != seen {
                        seen = now;
                        report(&events, &st, st.reload().await);
                    }
                }
            })
        });
        let (drain_tx, drain_rx) = tokio::sync::oneshot::channel::<()>();
        let st = state.clone();
        let ev = events.clone();
        let router = app::router(state.clone());
        let serve = axum::serve(self.listener, router).with_graceful_shutdown(async move {
            shutdown.await;
            st.begin_shutdown();
            ev(Event::Draining);
            let _ = drain_tx.send(());
        });
        let drain = Duration::from_millis(state.config.server.drain_ms);
        let result = tokio::select! {
            r = serve => r.map_err(|e| e.to_string()),
            () = async move {
                if drain_rx.await.is_ok() {
                    tokio::time::sleep(drain).await;
                } else {
                    std::future::pending::<()>().await;
                }
            } => {
                events(Event::DrainTimedOut);
                Ok(())
            }
        };
        if let Some(p) = poller {
            p.abort();
        }
        if let Some(log) = &state.log {
            log.close();
        }
        result
    }
}

/// Reports a reload's outcome.
pub fn report(events: &Arc<dyn Fn(Event) + Send + Sync>, state: &AppState, r: Result<String, engine::BundleError>) {
    match r {
        Ok(revision) => {
            let changed = state.reload_status().loaded_at == state.reload_status().last_attempt;
            events(Event::Reloaded { revision, changed })
        }
        Err(e) => events(Event::Refused(e)),
    }
}
