//! Runtime configuration: the sandbox limits every evaluation runs under and where compiled modules are cached.

use std::time::Duration;

/// How a [`crate::Runtime`] sandboxes modules. `Default` suits a server: 64 MiB of memory (a module's own
/// declared memory is further capped by the ABI at 16 MiB), 200 million units of fuel and a one-second deadline
/// per evaluation, pooling on, no disk cache, digests required, modules up to 8 MiB with up to 1,000 functions
/// compiled within 10 s.
#[derive(Clone, Debug)]
pub struct RuntimeConfig {
    /// Largest linear memory a module instance may have, in bytes.
    pub memory_limit_bytes: usize,
    /// Fuel per evaluation (about one unit per wasm instruction); `None` disables fuel metering.
    pub fuel_per_evaluation: Option<u64>,
    /// Wall-clock deadline per evaluation (epoch interruption, checked at loop heads and calls); `None` disables.
    pub deadline: Option<Duration>,
    /// Use wasmtime's pooling allocator (pre-reserved instance slots: fast instantiation).
    pub pooling: bool,
    /// Instance slots in the pool; evaluations beyond this many at once fall back to an error.
    pub pool_instances: u32,
    /// A store of precompiled modules and the key that authenticates them; `None` keeps the cache in memory
    /// only. See [`crate::PrecompiledCache`].
    pub precompiled: Option<crate::PrecompiledCache>,
    /// Keep an instance after a successful evaluation for the next one (a trapped instance is always dropped).
    pub reuse_instances: bool,
    /// When set, `load` refuses every module that is not signed by one of these keys for its jurisdiction
    /// (`xince_abi::signature::verify`); `None` accepts unsigned modules.
    pub trusted_keys: Option<Vec<xince_abi::signature::TrustedKey>>,
    /// Refuse a module whose `xince.digest` section is missing or does not match its bytes (on by default:
    /// corruption is refused even when signatures are not required). Turn off only for hand-built test modules.
    pub require_digest: bool,
    /// Largest module accepted, in bytes (checked before anything is parsed).
    pub max_module_bytes: usize,
    /// Most functions a module may define (compile time and memory grow with them).
    pub max_functions: u32,
    /// Longest a module may take to compile; a slower compilation is abandoned with `E_LOAD_COMPILE_TIME`.
    pub max_compile_time: Duration,
}

/// Default [`RuntimeConfig::max_module_bytes`]: 8 MiB, some forty times the largest seed policy's module.
pub const DEFAULT_MAX_MODULE_BYTES: usize = 8 << 20;
/// Default [`RuntimeConfig::max_functions`]: a compiled policy has a handful.
pub const DEFAULT_MAX_FUNCTIONS: u32 = 1_000;

impl Default for RuntimeConfig {
    fn default() -> Self {
        RuntimeConfig {
            memory_limit_bytes: 64 << 20,
            fuel_per_evaluation: Some(200_000_000),
            deadline: Some(Duration::from_secs(1)),
            pooling: true,
            pool_instances: 128,
            precompiled: None,
            reuse_instances: true,
            trusted_keys: None,
            require_digest: true,
            max_module_bytes: DEFAULT_MAX_MODULE_BYTES,
            max_functions: DEFAULT_MAX_FUNCTIONS,
            max_compile_time: Duration::from_secs(10),
        }
    }
}
