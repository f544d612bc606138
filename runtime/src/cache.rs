//! A cache of compiled modules keyed by the module's sha256 and the engine's compatibility hash: an in-memory
//! map, and optionally a directory of `Module::serialize` artefacts so a second process loads without
//! compiling.

use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::sync::Mutex;
use wasmtime::{Engine, Module};

pub(crate) struct ModuleCache {
    dir: Option<PathBuf>,
    engine_key: String,
    memory: Mutex<HashMap<String, Module>>,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `sha256:<hex>` of a module's bytes.
pub fn module_sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", hex(&Sha256::digest(bytes)))
}

impl ModuleCache {
    pub(crate) fn new(engine: &Engine, dir: Option<PathBuf>) -> Self {
        // The compatibility hash changes with the wasmtime version and every codegen-relevant setting.
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        let engine_key = format!("{:016x}", hasher.finish());
        ModuleCache { dir, engine_key, memory: Mutex::new(HashMap::new()) }
    }

    fn key(&self, bytes: &[u8]) -> String {
        format!("{}-{}", hex(&Sha256::digest(bytes)), self.engine_key)
    }

    /// Compiles `bytes`, or returns the cached compilation. Cache failures (unwritable dir, stale artefact)
    /// fall back to compiling: the cache only ever saves time.
    pub(crate) fn get_or_compile(&self, engine: &Engine, bytes: &[u8]) -> wasmtime::Result<Module> {
        let key = self.key(bytes);
        if let Ok(map) = self.memory.lock()
            && let Some(m) = map.get(&key)
        {
            return Ok(m.clone());
        }
        let path = self.dir.as_ref().map(|d| d.join(format!("{key}.cwasm")));
        let mut module = None;
        if let Some(p) = &path
            && let Ok(artefact) = std::fs::read(p)
        {
            // SAFETY: the artefact was written by `Module::serialize` of an engine with the same
            // compatibility hash (it is in the file name) into a directory the host chose and controls;
            // wasmtime additionally checks the header and refuses incompatible artefacts.
            module = unsafe { Module::deserialize(engine, &artefact) }.ok();
        }
        let module = match module {
            Some(m) => m,
            None => {
                let m = Module::new(engine, bytes)?;
                if let (Some(p), Ok(artefact)) = (&path, m.serialize()) {
                    if let Some(parent) = p.parent() {
                        let _ = std::fs::create_dir_all(parent);
                    }
                    // Write then rename so a concurrent reader never sees half a file.
                    let tmp = p.with_extension(format!("tmp{}", std::process::id()));
                    if std::fs::write(&tmp, &artefact).is_ok() {
                        let _ = std::fs::rename(&tmp, p);
                    }
                }
                m
            }
        };
        if let Ok(mut map) = self.memory.lock() {
            map.insert(key, module.clone());
        }
        Ok(module)
    }
}
