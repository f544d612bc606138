//! Static checks on module bytes before anything is compiled: size, the integrity digest, the manifest section
//! and its indexes, the (empty) import allowlist, the ABI's memory cap and the function count. Export checks
//! need the compiled module and live in `policy.rs`.

use crate::config::RuntimeConfig;
use crate::error::LoadError;
use wasmparser::{Parser, Payload};
use xince_abi::manifest::Manifest;

/// Imports a module may have. Empty: a policy module computes from its input alone — no clock, no
/// randomness, no IO, no host calls. Widening this list is an ABI change.
pub const IMPORT_ALLOWLIST: &[(&str, &str)] = &[];

/// What a section walk finds.
pub(crate) struct Scan {
    pub manifest: Manifest,
    /// Initial size in bytes of the largest declared memory.
    pub initial_memory_bytes: u64,
}

/// The checks on module bytes a host runs before compiling, in order: size, digest (when required), then
/// [`scan`] (framing, imports, memory declarations, function count, manifest and its indexes). `xince inspect`
/// runs the same function, so what it shows is what `load` would accept.
pub fn check_bytes(bytes: &[u8], config: &RuntimeConfig) -> Result<Manifest, LoadError> {
    Ok(checked_scan(bytes, config)?.manifest)
}

pub(crate) fn checked_scan(bytes: &[u8], config: &RuntimeConfig) -> Result<Scan, LoadError> {
    if bytes.len() > config.max_module_bytes {
        return Err(LoadError::TooLarge { bytes: bytes.len(), limit_bytes: config.max_module_bytes });
    }
    if config.require_digest {
        xince_abi::digest::check(bytes).map_err(|e| match e {
            // Broken framing is what it is, whichever check meets it first.
            xince_abi::digest::DigestError::Module(m) => LoadError::InvalidWasm(m.to_string()),
            other => LoadError::Digest(other),
        })?;
    }
    let scan = scan(bytes, config.max_functions)?;
    let limit_bytes = config.memory_limit_bytes.min(ABI_MEMORY_BYTES as usize);
    if scan.initial_memory_bytes > limit_bytes as u64 {
        return Err(LoadError::InitialMemoryTooLarge { bytes: scan.initial_memory_bytes, limit_bytes });
    }
    Ok(scan)
}

/// The ABI's memory cap: a module declares at most 256 pages of 64 KiB (docs/abi.md §2).
pub const ABI_MEMORY_PAGES: u64 = 256;
const ABI_MEMORY_BYTES: u64 = ABI_MEMORY_PAGES << 16;

/// Walks the sections once: returns the manifest, refusing imports outside the allowlist, memories the ABI
/// does not allow and more than `max_functions` functions.
pub(crate) fn scan(bytes: &[u8], max_functions: u32) -> Result<Scan, LoadError> {
    let mut manifest_bytes: Option<&[u8]> = None;
    let mut initial_memory_bytes = 0u64;
    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload.map_err(|e| LoadError::InvalidWasm(e.to_string()))?;
        match payload {
            Payload::FunctionSection(reader) if reader.count() > max_functions => {
                return Err(LoadError::TooManyFunctions { count: reader.count(), limit: max_functions });
            }
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import.map_err(|e| LoadError::InvalidWasm(e.to_string()))?;
                    if !IMPORT_ALLOWLIST.contains(&(import.module, import.name)) {
                        return Err(LoadError::ImportNotAllowed {
                            module: import.module.to_string(),
                            name: import.name.to_string(),
                        });
                    }
                }
            }
            Payload::MemorySection(reader) => {
                for memory in reader {
                    let memory = memory.map_err(|e| LoadError::InvalidWasm(e.to_string()))?;
                    let page = 1u64 << memory.page_size_log2.unwrap_or(16);
                    initial_memory_bytes = initial_memory_bytes.max(memory.initial.saturating_mul(page));
                    // The ABI caps memory at 16 MiB: a module must declare a maximum within it.
                    let maximum = memory.maximum.map(|m| m.saturating_mul(page));
                    if maximum.is_none_or(|m| m > ABI_MEMORY_BYTES) {
                        return Err(LoadError::MemoryMaximum { bytes: maximum, limit_bytes: ABI_MEMORY_BYTES });
                    }
                }
            }
            Payload::CustomSection(section) if section.name() == xince_abi::MANIFEST_SECTION => {
                if manifest_bytes.is_some() {
                    return Err(LoadError::DuplicateManifest);
                }
                manifest_bytes = Some(section.data());
            }
            _ => {}
        }
    }
    let data = manifest_bytes.ok_or(LoadError::NoManifest)?;
    let manifest: Manifest = serde_json::from_slice(data).map_err(|e| LoadError::BadManifest(e.to_string()))?;
    if manifest.abi_version != xince_abi::ABI_VERSION {
        return Err(LoadError::ManifestAbiVersion { found: manifest.abi_version });
    }
    // A measure's answer says only its status; the rest comes from the list it names, which must exist.
    let lists = manifest.lists.len();
    if let Some((j, l)) = manifest
        .measures
        .iter()
        .enumerate()
        .find_map(|(j, m)| m.trigger_list.filter(|&l| l as usize >= lists).map(|l| (j, l)))
    {
        return Err(LoadError::BadManifest(format!(
            "measures[{j}].trigger_list = {l}：清单中没有这个名单（共 {lists} 个）/ names no list (the manifest has {lists})"
        )));
    }
    Ok(Scan { manifest, initial_memory_bytes })
}
