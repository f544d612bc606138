//! The cache of compiled modules: an in-memory map keyed by the module's sha256 and the engine's
//! compatibility hash, and optionally a host-provided [`ArtefactStore`] of precompiled native code so a
//! second process loads without compiling.
//!
//! Loading precompiled code is `unsafe` in wasmtime: the bytes become machine code that runs without
//! validation. So every artefact carries an HMAC-SHA256 tag over its name and bytes, keyed by a
//! [`CacheKey`] the host holds outside the store; an artefact whose tag does not verify is never
//! deserialised (it is reported and the module is compiled from its wasm). Whoever can write the store but
//! does not hold the key cannot make the runtime run their code. The runtime reads and writes no files
//! itself: the store is the host's (`xince_loader::DirectoryStore` keeps one in a directory).

use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};
use wasmtime::{Engine, Module};

/// Where precompiled artefacts live between processes (a directory, a key-value store…). Names are
/// `<module sha256 hex>-<engine hash>.cwasm`, safe as file names.
pub trait ArtefactStore: Send + Sync {
    /// The artefact stored under `name`, `Ok(None)` when there is none.
    fn read(&self, name: &str) -> Result<Option<Vec<u8>>, String>;
    /// Stores an artefact (atomically: a concurrent reader sees the old bytes or the new ones).
    fn write(&self, name: &str, bytes: &[u8]) -> Result<(), String>;
}

/// The secret that authenticates artefacts: 32 random bytes the host keeps where the store's writers cannot
/// read it (`xince_loader::load_or_create_key`).
#[derive(Clone)]
pub struct CacheKey(pub [u8; 32]);

impl fmt::Debug for CacheKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CacheKey(…)")
    }
}

/// A store and the key that authenticates what it holds.
#[derive(Clone)]
pub struct PrecompiledCache {
    pub store: Arc<dyn ArtefactStore>,
    pub key: CacheKey,
}

impl fmt::Debug for PrecompiledCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrecompiledCache").field("key", &self.key).finish_non_exhaustive()
    }
}

/// Something the cache could not do; the module was compiled from its wasm instead. Hosts show these
/// ([`crate::Runtime::take_cache_warnings`]): a cache only ever saves time, but a failing one should be seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CacheWarning {
    /// `W_CACHE_READ`, `W_CACHE_WRITE`, `W_CACHE_FORGED` (the tag did not verify) or `W_CACHE_STALE` (wasmtime
    /// refused an authentic artefact, e.g. from another wasmtime build).
    pub code: &'static str,
    pub artefact: String,
    pub detail: String,
}

impl fmt::Display for CacheWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (zh, en) = match self.code {
            "W_CACHE_READ" => ("无法读取预编译缓存，已重新编译", "cannot read the precompiled cache; compiled again"),
            "W_CACHE_WRITE" => ("无法写入预编译缓存", "cannot write the precompiled cache"),
            "W_CACHE_FORGED" => (
                "预编译缓存的校验码不符，已拒绝并重新编译",
                "a precompiled artefact failed authentication; refused and compiled again",
            ),
            _ => (
                "预编译缓存不适用于本引擎，已重新编译",
                "a precompiled artefact does not fit this engine; compiled again",
            ),
        };
        let detail = if self.detail.is_empty() { String::new() } else { format!("：{}", self.detail) };
        write!(f, "{}：{zh}（{}）{detail} / {en}", self.code, self.artefact)
    }
}

pub(crate) struct ModuleCache {
    precompiled: Option<PrecompiledCache>,
    engine_key: String,
    memory: Mutex<HashMap<String, Module>>,
    warnings: Mutex<Vec<CacheWarning>>,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `sha256:<hex>` of a module's bytes.
pub fn module_sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", hex(&Sha256::digest(bytes)))
}

const TAG_LEN: usize = 32;

/// HMAC-SHA256 (RFC 2104) of `parts` concatenated.
fn hmac_sha256(key: &[u8; 32], parts: &[&[u8]]) -> [u8; TAG_LEN] {
    let mut block = [0u8; 64];
    block[..32].copy_from_slice(key);
    let pad = |byte: u8| block.map(|b| b ^ byte);
    let mut inner = Sha256::new();
    inner.update(pad(0x36));
    for p in parts {
        inner.update(p);
    }
    let mut outer = Sha256::new();
    outer.update(pad(0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

/// Equality that takes the same time wherever the first difference is.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl ModuleCache {
    pub(crate) fn new(engine: &Engine, precompiled: Option<PrecompiledCache>) -> Self {
        // The compatibility hash changes with the wasmtime version and every codegen-relevant setting.
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        let engine_key = format!("{:016x}", hasher.finish());
        ModuleCache { precompiled, engine_key, memory: Mutex::new(HashMap::new()), warnings: Mutex::new(Vec::new()) }
    }

    fn warn(&self, code: &'static str, artefact: &str, detail: String) {
        if let Ok(mut w) = self.warnings.lock() {
            w.push(CacheWarning { code, artefact: artefact.to_string(), detail });
        }
    }

    pub(crate) fn take_warnings(&self) -> Vec<CacheWarning> {
        self.warnings.lock().map(|mut w| std::mem::take(&mut *w)).unwrap_or_default()
    }

    /// The artefact in the store, if its tag verifies.
    fn read_authentic(&self, engine: &Engine, cache: &PrecompiledCache, name: &str) -> Option<Module> {
        let stored = match cache.store.read(name) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => return None,
            Err(e) => {
                self.warn("W_CACHE_READ", name, e);
                return None;
            }
        };
        let Some(split) = stored.len().checked_sub(TAG_LEN) else {
            self.warn("W_CACHE_FORGED", name, "too short for its tag".into());
            return None;
        };
        let (artefact, tag) = stored.split_at(split);
        if !constant_time_eq(&hmac_sha256(&cache.key.0, &[name.as_bytes(), artefact]), tag) {
            self.warn("W_CACHE_FORGED", name, String::new());
            return None;
        }
        // SAFETY: the bytes were produced by `Module::serialize` in a process holding the cache key (the
        // HMAC over the name and the bytes verified above, and the name carries the engine's compatibility
        // hash); wasmtime also checks the header and refuses artefacts of another engine configuration.
        match unsafe { Module::deserialize(engine, artefact) } {
            Ok(m) => Some(m),
            Err(e) => {
                self.warn("W_CACHE_STALE", name, e.to_string());
                None
            }
        }
    }

    fn write_authentic(&self, cache: &PrecompiledCache, name: &str, module: &Module) {
        match module.serialize() {
            Ok(mut artefact) => {
                let tag = hmac_sha256(&cache.key.0, &[name.as_bytes(), &artefact]);
                artefact.extend_from_slice(&tag);
                if let Err(e) = cache.store.write(name, &artefact) {
                    self.warn("W_CACHE_WRITE", name, e);
                }
            }
            Err(e) => self.warn("W_CACHE_WRITE", name, e.to_string()),
        }
    }

    /// Compiles `bytes`, or returns the cached compilation.
    pub(crate) fn get_or_compile(&self, engine: &Engine, bytes: &[u8]) -> wasmtime::Result<Module> {
        let name = format!("{}-{}.cwasm", hex(&Sha256::digest(bytes)), self.engine_key);
        if let Ok(map) = self.memory.lock()
            && let Some(m) = map.get(&name)
        {
            return Ok(m.clone());
        }
        let stored = self.precompiled.as_ref().and_then(|c| self.read_authentic(engine, c, &name));
        let module = match stored {
            Some(m) => m,
            None => {
                let m = Module::new(engine, bytes)?;
                if let Some(c) = &self.precompiled {
                    self.write_authentic(c, &name, &m);
                }
                m
            }
        };
        if let Ok(mut map) = self.memory.lock() {
            map.insert(name, module.clone());
        }
        Ok(module)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).filter_map(|i| s.get(i..i + 2)).filter_map(|b| u8::from_str_radix(b, 16).ok()).collect()
    }

    #[test]
    fn hmac_matches_rfc_4231_test_case_2_with_the_key_padded() {
        // RFC 4231 §4.3 uses the 4-byte key "Jefe"; a key shorter than the block is zero-padded, so the same
        // tag comes from "Jefe" followed by 28 zero bytes.
        let mut key = [0u8; 32];
        key[..4].copy_from_slice(b"Jefe");
        let tag = hmac_sha256(&key, &[b"what do ya want ", b"for nothing?"]);
        assert_eq!(tag.to_vec(), unhex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"));
    }

    #[test]
    fn constant_time_equality_is_equality() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
