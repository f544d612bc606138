//! Runtime configuration: the sandbox limits every evaluation runs under and where compiled modules are cached.

use std::time::Duration;

/// How a [`crate::Runtime`] sandboxes modules. `Default` suits a server: 64 MiB of memory, 200 million units of
/// fuel and a one-second deadline per evaluation, pooling on, no disk cache.
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
}

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
        }
    }
}
