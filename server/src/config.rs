//! The server's configuration file (TOML; reference in `docs/serve.md`). Every field has a default, so a
//! file may hold only `[[callers]]`. The CLI reads the file and may override fields from flags.

use serde::Deserialize;
use std::path::PathBuf;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub server: ServerConfig,
    pub log: LogConfig,
    pub callers: Vec<CallerConfig>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Address to listen on; port 0 picks a free port (printed at start).
    pub listen: String,
    /// Directory of compiled modules (`xince build <dir> --out-dir <bundle>`).
    pub bundle: Option<PathBuf>,
    /// Directory of `.xince` sources in scope for `/v1/check` and `/v1/build` (upper-level policies).
    pub sources: Option<PathBuf>,
    /// Trust store (`{"keys": [...]}`, as for `xince verify`).
    pub trust: Option<PathBuf>,
    /// Refuse any module not signed by a key in the trust store for its jurisdiction.
    pub require_signatures: bool,
    /// How often the bundle directory is checked for changes, in milliseconds (0 = only on SIGHUP / reload).
    pub reload_poll_ms: u64,
    /// Largest request body, in bytes (single, batch and each NDJSON line).
    pub max_body_bytes: usize,
    /// Largest body of a JSON-array batch, in bytes.
    pub max_batch_body_bytes: usize,
    /// Most requests in one batch.
    pub max_batch: usize,
    /// Deadline for one HTTP request, in milliseconds (streamed bodies: for each line).
    pub request_timeout_ms: u64,
    /// Graceful shutdown: how long in-flight requests may take to finish, in milliseconds.
    pub drain_ms: u64,
    /// Development only: requests without a token act as a caller with every scope and jurisdiction.
    pub dev_anonymous: bool,
    /// Worker threads for the HTTP runtime (0 = one per core).
    pub threads: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: "127.0.0.1:8080".into(),
            bundle: None,
            sources: None,
            trust: None,
            require_signatures: false,
            reload_poll_ms: 2000,
            max_body_bytes: 1 << 20,
            max_batch_body_bytes: 64 << 20,
            max_batch: 10_000,
            request_timeout_ms: 10_000,
            drain_ms: 10_000,
            dev_anonymous: false,
            threads: 0,
        }
    }
}

/// When the log answer is durable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Durability {
    /// Entries are written and `fdatasync`ed before the answer is sent (group commit): survives power loss.
    Fsync,
    /// Entries are written to the operating system before the answer: survives a crash of the server, not of
    /// the machine.
    Write,
}

/// What the log keeps of personal identifiers (居民身份证号码 and the names of natural persons).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PersonalIds {
    /// `500237********1234`, `张*`.
    Mask,
    /// `hmac-sha256:<hex>` with the configured key: the same person gives the same value, unreadable without it.
    Hash,
    /// Kept as given (only where the law allows).
    Keep,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    pub enabled: bool,
    pub dir: Option<PathBuf>,
    pub durability: Durability,
    pub personal_ids: PersonalIds,
    /// Key for `personal_ids = "hash"`.
    pub hash_key: Option<String>,
    /// Start a new file when the current one reaches this many bytes.
    pub rotate_bytes: u64,
    /// Start a new file on each new UTC day.
    pub rotate_daily: bool,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            enabled: true,
            dir: None,
            durability: Durability::Fsync,
            personal_ids: PersonalIds::Mask,
            hash_key: None,
            rotate_bytes: 256 << 20,
            rotate_daily: true,
        }
    }
}

/// A department allowed to call the service.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallerConfig {
    /// Who it is, as the log records it (e.g. `巫山县财政局`).
    pub name: String,
    /// Hex sha256 of its bearer token (`printf %s "$TOKEN" | sha256sum`); the token itself is never stored.
    pub token_sha256: String,
    /// Jurisdiction prefixes it may query (`重庆市/巫山县` covers `重庆市/巫山县/司法局`); `""` = all.
    #[serde(default)]
    pub jurisdictions: Vec<String>,
    /// `evaluate`, `read`, `compile`, `read-log`, `admin`.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Sustained decisions per second (token bucket); absent = unlimited.
    #[serde(default)]
    pub rate_per_second: Option<f64>,
    /// Bucket size; defaults to one second of `rate_per_second`.
    #[serde(default)]
    pub burst: Option<f64>,
}

/// The scopes a caller may hold.
pub const SCOPES: [&str; 5] = ["evaluate", "read", "compile", "read-log", "admin"];

impl Config {
    /// Parses and checks a configuration file's text.
    pub fn parse(text: &str) -> Result<Config, String> {
        let config: Config = toml::from_str(text).map_err(|e| e.to_string())?;
        config.check()?;
        Ok(config)
    }

    /// Checks what serde cannot: token hashes, scope names, the hash key.
    pub fn check(&self) -> Result<(), String> {
        for (i, c) in self.callers.iter().enumerate() {
            if xince_abi::signature::hex_decode::<32>(&c.token_sha256).is_err() {
                return Err(format!(
                    "callers[{i}]（{}）：token_sha256 须为 64 位十六进制 / token_sha256 must be 64 hex digits",
                    c.name
                ));
            }
            for s in &c.scopes {
                if !SCOPES.contains(&s.as_str()) {
                    return Err(format!(
                        "callers[{i}]（{}）：未知权限「{s}」，可用：{} / unknown scope \"{s}\"",
                        c.name,
                        SCOPES.join(", ")
                    ));
                }
            }
            if c.rate_per_second.is_some_and(|r| r.is_nan() || r <= 0.0) {
                return Err(format!("callers[{i}]（{}）：rate_per_second 须大于 0 / must be > 0", c.name));
            }
        }
        if self.log.personal_ids == PersonalIds::Hash && self.log.hash_key.as_deref().is_none_or(str::is_empty) {
            return Err("log.personal_ids = \"hash\" 需要 log.hash_key / needs log.hash_key".into());
        }
        if self.server.max_body_bytes == 0 || self.server.max_batch == 0 {
            return Err("server.max_body_bytes 与 max_batch 须大于 0 / must be > 0".into());
        }
        Ok(())
    }
}
