//! The precompiled-module store in a directory, and the key that authenticates it.

use std::path::{Path, PathBuf};
use xince_runtime::{ArtefactStore, CacheKey};

/// Artefacts as files in one directory (created on first write).
#[derive(Clone, Debug)]
pub struct DirectoryStore {
    dir: PathBuf,
}

impl DirectoryStore {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        DirectoryStore { dir: dir.into() }
    }
}

/// Artefact names come from the runtime (`<hex>-<hex>.cwasm`); anything else is refused rather than joined
/// into a path.
fn plain_name(name: &str) -> Result<&str, String> {
    let ok = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
    if ok && !name.starts_with('.') { Ok(name) } else { Err(format!("refused artefact name {name:?}")) }
}

impl ArtefactStore for DirectoryStore {
    fn read(&self, name: &str) -> Result<Option<Vec<u8>>, String> {
        let path = self.dir.join(plain_name(name)?);
        match std::fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }

    fn write(&self, name: &str, bytes: &[u8]) -> Result<(), String> {
        let path = self.dir.join(plain_name(name)?);
        std::fs::create_dir_all(&self.dir).map_err(|e| format!("{}: {e}", self.dir.display()))?;
        // Write then rename, so a concurrent reader never sees half a file.
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        std::fs::write(&tmp, bytes).map_err(|e| format!("{}: {e}", tmp.display()))?;
        std::fs::rename(&tmp, &path).map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// Reads the cache key at `path`, or creates it (32 random bytes from the operating system, mode 0600, in a
/// directory created for it). Keep it outside the cache directory: whoever can read it can forge artefacts.
pub fn load_or_create_key(path: &Path) -> Result<CacheKey, String> {
    match std::fs::read(path) {
        Ok(bytes) => {
            let key: [u8; 32] = bytes
                .as_slice()
                .try_into()
                .map_err(|_| format!("{}: a cache key is 32 bytes, found {}", path.display(), bytes.len()))?;
            Ok(CacheKey(key))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut key = [0u8; 32];
            getrandom::fill(&mut key).map_err(|e| format!("no randomness for a cache key: {e}"))?;
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
            }
            write_private(path, &key).map_err(|e| format!("{}: {e}", path.display()))?;
            Ok(CacheKey(key))
        }
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?.write_all(bytes)
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    std::fs::OpenOptions::new().write(true).create_new(true).open(path)?.write_all(bytes)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_store_round_trips_and_refuses_path_like_names() {
        let dir = std::env::temp_dir().join(format!("xince-store-{}", std::process::id()));
        let store = DirectoryStore::new(&dir);
        assert_eq!(store.read("ab-12.cwasm").unwrap(), None);
        store.write("ab-12.cwasm", b"bytes").unwrap();
        assert_eq!(store.read("ab-12.cwasm").unwrap().as_deref(), Some(&b"bytes"[..]));
        assert!(store.write("../evil", b"x").is_err());
        assert!(store.read("a/b").is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_key_is_created_once_and_read_back() {
        let path = std::env::temp_dir().join(format!("xince-key-{}/cache.key", std::process::id()));
        let a = load_or_create_key(&path).unwrap();
        let b = load_or_create_key(&path).unwrap();
        assert_eq!(a.0, b.0);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }
}
