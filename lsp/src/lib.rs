//! The xince language server: the Language Server Protocol over an `lsp_server::Connection`, as a thin layer on
//! the compiler's salsa database (`xince_compiler::Compiler`), so an edit re-checks only what depends on it.
//!
//! The library does no process IO: the caller (the `xince lsp` subcommand) makes the connection from stdio,
//! reads the workspace's files through [`Files`], and writes the stdlib sources and the diagnostic pages where
//! [`Options`] says (see [`materials`]) so editors open them as ordinary read-only `file:` documents.
//!
//! Entry point: [`run`]. Features live one per module: `diagnostics`, `hover`, `navigate` (definition,
//! references), `complete`, `outline` (symbols, folding), `tokens` (semantic tokens), `actions` (code actions
//! and formatting). Compiler calls go through `world` only.

mod actions;
mod complete;
mod diagnostics;
mod hover;
mod navigate;
mod outline;
pub mod text;
mod tokens;
mod world;

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, Notification as _, PublishDiagnostics,
};
use lsp_types::request::{
    CodeActionRequest, Completion, DocumentSymbolRequest, FoldingRangeRequest, Formatting, GotoDefinition,
    HoverRequest, References, Request as _, SemanticTokensFullRequest,
};
use lsp_types::{
    CodeActionProviderCapability, CompletionOptions, HoverProviderCapability, InitializeParams, OneOf,
    PublishDiagnosticsParams, SemanticTokensFullOptions, SemanticTokensOptions, SemanticTokensServerCapabilities,
    ServerCapabilities, ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind,
};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use xince_lang::Lang;

pub use world::World;

include!(concat!(env!("OUT_DIR"), "/error_pages.rs"));

/// How the server reads the workspace: the binary implements it with the file system, tests with memory.
pub trait Files {
    /// The directory whose `.xince` files form the context of `file` (upper-level policies), usually the
    /// nearest ancestor's `policies/`.
    fn context_root(&self, file: &Path) -> Option<PathBuf>;
    /// Every `.xince` source under `dir` (its `tests/` directories excluded), with its text.
    fn sources_under(&self, dir: &Path) -> Vec<(PathBuf, String)>;
}

/// Files that have no context: only what the editor opens is known.
pub struct NoFiles;

impl Files for NoFiles {
    fn context_root(&self, _: &Path) -> Option<PathBuf> {
        None
    }
    fn sources_under(&self, _: &Path) -> Vec<(PathBuf, String)> {
        Vec::new()
    }
}

/// How the server is set up by its caller.
pub struct Options {
    pub files: Box<dyn Files>,
    /// Where the stdlib sources are written (`<dir>/标准库/名单.xince` …): go-to-definition and references into
    /// the national layer point there. Without it, stdlib locations are left out.
    pub stdlib_dir: Option<PathBuf>,
    /// Where `docs/errors/*.md` are written: each diagnostic's code links to its page there.
    pub errors_dir: Option<PathBuf>,
    /// Diagnostics are published this long after the last change (the client may override it with
    /// `initializationOptions.debounceMs`).
    pub debounce: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options { files: Box::new(NoFiles), stdlib_dir: None, errors_dir: None, debounce: Duration::from_millis(10) }
    }
}

/// Files to write: `(path relative to a directory, text)`.
pub type Materials = Vec<(PathBuf, &'static str)>;

/// What the caller should write before starting the server: `(relative path, text)` of the stdlib sources
/// (under `stdlib_dir`) and of the diagnostic pages (under `errors_dir`).
pub fn materials() -> (Materials, Materials) {
    let stdlib = xince_compiler::stdlib_sources().into_iter().map(|(p, t)| (PathBuf::from(p), t)).collect();
    let pages = ERROR_PAGES.iter().map(|(n, t)| (PathBuf::from(n), *t)).collect();
    (stdlib, pages)
}

/// Errors that end the server (protocol or transport failures); bad requests are answered, not raised.
#[derive(Debug)]
pub struct ServerError(pub String);

impl std::fmt::Display for ServerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ServerError {}

fn err(e: impl std::fmt::Display) -> ServerError {
    ServerError(e.to_string())
}

/// The capabilities the server announces.
pub fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".into(), ":".into(), "：".into(), " ".into(), "[".into()]),
            ..CompletionOptions::default()
        }),
        document_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        folding_range_provider: Some(lsp_types::FoldingRangeProviderCapability::Simple(true)),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
            SemanticTokensOptions {
                legend: tokens::legend(),
                full: Some(SemanticTokensFullOptions::Bool(true)),
                range: None,
                ..SemanticTokensOptions::default()
            },
        )),
        ..ServerCapabilities::default()
    }
}

/// The client's language: `initializationOptions.lang` if given, else its `locale`; Chinese unless English.
fn lang_of(params: &InitializeParams) -> Lang {
    let option = params.initialization_options.as_ref().and_then(|o| o.get("lang")).and_then(|v| v.as_str());
    let tag = option.or(params.locale.as_deref()).unwrap_or("zh");
    if tag.to_ascii_lowercase().starts_with("en") { Lang::En } else { Lang::Zh }
}

/// Runs the server until the client says `exit`: the initialize handshake, then the message loop.
pub fn run(conn: &Connection, mut options: Options) -> Result<(), ServerError> {
    let caps = serde_json::to_value(capabilities()).map_err(err)?;
    let (id, params) = conn.initialize_start().map_err(err)?;
    let params: InitializeParams = serde_json::from_value(params).map_err(err)?;
    let result = serde_json::json!({
        "capabilities": caps,
        "serverInfo": ServerInfo { name: "xince".into(), version: Some(env!("CARGO_PKG_VERSION").into()) },
    });
    conn.initialize_finish(id, result).map_err(err)?;
    if let Some(ms) = params.initialization_options.as_ref().and_then(|o| o.get("debounceMs")).and_then(|v| v.as_u64())
    {
        options.debounce = Duration::from_millis(ms);
    }
    let debounce = options.debounce;
    let mut world = World::new(lang_of(&params), options);
    let mut due: Option<Instant> = None;
    loop {
        let msg = match due {
            Some(at) => match conn.receiver.recv_timeout(at.saturating_duration_since(Instant::now())) {
                Ok(msg) => Some(msg),
                Err(crossbeam_channel::RecvTimeoutError::Timeout) => None,
                Err(crossbeam_channel::RecvTimeoutError::Disconnected) => return Ok(()),
            },
            None => match conn.receiver.recv() {
                Ok(msg) => Some(msg),
                Err(_) => return Ok(()),
            },
        };
        let Some(msg) = msg else {
            publish(conn, &world)?;
            due = None;
            continue;
        };
        match msg {
            Message::Request(req) => {
                if conn.handle_shutdown(&req).map_err(err)? {
                    return Ok(());
                }
                let resp = handle_request(&world, req);
                conn.sender.send(Message::Response(resp)).map_err(err)?;
            }
            Message::Notification(n) => match handle_notification(&mut world, n) {
                Changed::Now => {
                    publish(conn, &world)?;
                    due = None;
                }
                Changed::Later => due = Some(Instant::now() + debounce),
                Changed::No => {}
            },
            Message::Response(_) => {}
        }
    }
}

enum Changed {
    Now,
    Later,
    No,
}

fn handle_notification(world: &mut World, n: Notification) -> Changed {
    match n.method.as_str() {
        DidOpenTextDocument::METHOD => {
            if let Ok(p) = serde_json::from_value::<lsp_types::DidOpenTextDocumentParams>(n.params) {
                world.open(&p.text_document.uri, p.text_document.version, p.text_document.text);
                return Changed::Now;
            }
        }
        DidChangeTextDocument::METHOD => {
            if let Ok(p) = serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(n.params) {
                // Full sync: the last change holds the whole text.
                if let Some(change) = p.content_changes.into_iter().last() {
                    world.change(&p.text_document.uri, p.text_document.version, change.text);
                    return Changed::Later;
                }
            }
        }
        DidCloseTextDocument::METHOD => {
            if let Ok(p) = serde_json::from_value::<lsp_types::DidCloseTextDocumentParams>(n.params) {
                world.close(&p.text_document.uri);
                return Changed::Now;
            }
        }
        _ => {}
    }
    Changed::No
}

/// Publishes the diagnostics of every open document (an edit to an upper level changes its lower levels').
fn publish(conn: &Connection, world: &World) -> Result<(), ServerError> {
    for (uri, diagnostics, version) in diagnostics::all_open(world) {
        let params = PublishDiagnosticsParams { uri, diagnostics, version };
        let n = Notification::new(PublishDiagnostics::METHOD.to_string(), params);
        conn.sender.send(Message::Notification(n)).map_err(err)?;
    }
    for uri in world.take_closed() {
        let params = PublishDiagnosticsParams { uri, diagnostics: Vec::new(), version: None };
        let n = Notification::new(PublishDiagnostics::METHOD.to_string(), params);
        conn.sender.send(Message::Notification(n)).map_err(err)?;
    }
    Ok(())
}

fn reply<P: serde::de::DeserializeOwned, R: serde::Serialize>(req: Request, f: impl FnOnce(P) -> R) -> Response {
    match serde_json::from_value::<P>(req.params) {
        Ok(p) => Response::new_ok(req.id, f(p)),
        Err(e) => Response::new_err(req.id, ErrorCode::InvalidParams as i32, e.to_string()),
    }
}

fn handle_request(world: &World, req: Request) -> Response {
    let id: RequestId = req.id.clone();
    match req.method.as_str() {
        HoverRequest::METHOD => reply(req, |p: lsp_types::HoverParams| hover::hover(world, &p)),
        GotoDefinition::METHOD => reply(req, |p: lsp_types::GotoDefinitionParams| navigate::definition(world, &p)),
        References::METHOD => reply(req, |p: lsp_types::ReferenceParams| navigate::references(world, &p)),
        Completion::METHOD => reply(req, |p: lsp_types::CompletionParams| complete::complete(world, &p)),
        DocumentSymbolRequest::METHOD => {
            reply(req, |p: lsp_types::DocumentSymbolParams| outline::symbols(world, &p.text_document.uri))
        }
        FoldingRangeRequest::METHOD => {
            reply(req, |p: lsp_types::FoldingRangeParams| outline::folding(world, &p.text_document.uri))
        }
        Formatting::METHOD => reply(req, |p: lsp_types::DocumentFormattingParams| actions::format(world, &p)),
        CodeActionRequest::METHOD => reply(req, |p: lsp_types::CodeActionParams| actions::code_actions(world, &p)),
        SemanticTokensFullRequest::METHOD => {
            reply(req, |p: lsp_types::SemanticTokensParams| tokens::full(world, &p.text_document.uri))
        }
        _ => Response::new_err(id, ErrorCode::MethodNotFound as i32, format!("unknown method {}", req.method)),
    }
}
