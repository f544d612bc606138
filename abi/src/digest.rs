//! Module integrity, apart from authenticity. Every module the compiler emits ends (before an optional
//! signature) with a custom section `xince.digest` whose content is the ASCII text `sha256:<64 lower-case hex>`:
//! the SHA-256 of every module byte before that section — the code and the manifest. Hosts check it at load
//! ([`check`]), so a module corrupted in storage or transit, or a manifest edited by hand, is refused even when
//! signatures are not required. Only an `xince.signature` section may follow the digest (it signs the bytes
//! before itself, the digest included); anything else after it is refused, so no byte of a module escapes both.
//!
//! The digest is not a signature: whoever can rewrite the module can rewrite its digest. Authenticity is
//! [`crate::signature`]'s job.

use crate::sections::{self, SectionError};
use crate::signature::{SIGNATURE_SECTION, hex_encode};
use sha2::{Digest, Sha256};
use std::fmt;

/// Name of the custom section that holds the digest.
pub const DIGEST_SECTION: &str = "xince.digest";
/// Prefix of the section's text.
const PREFIX: &str = "sha256:";

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DigestError {
    /// The section framing is broken.
    Module(SectionError),
    /// The module has no `xince.digest` section.
    Missing,
    /// A second digest section at this byte offset.
    Duplicate { offset: usize },
    /// A section other than one `xince.signature` follows the digest (at this byte offset).
    NotLast { offset: usize },
    /// The section's content is not `sha256:<64 lower-case hex>`.
    Malformed { offset: usize },
    /// The digest does not match the bytes before it: the module was changed after it was built.
    Mismatch { offset: usize, stated: String, actual: String },
}

impl DigestError {
    /// The stable code a host reports.
    pub fn code(&self) -> &'static str {
        match self {
            DigestError::Module(_) => "E_LOAD_INVALID_WASM",
            DigestError::Missing => "E_LOAD_NO_DIGEST",
            DigestError::Duplicate { .. } | DigestError::NotLast { .. } | DigestError::Malformed { .. } => {
                "E_LOAD_BAD_DIGEST"
            }
            DigestError::Mismatch { .. } => "E_LOAD_DIGEST_MISMATCH",
        }
    }
}

impl fmt::Display for DigestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DigestError::Module(e) => write!(f, "{e}"),
            DigestError::Missing => {
                write!(f, "模块没有 xince.digest 完整性摘要段 / the module has no xince.digest integrity section")
            }
            DigestError::Duplicate { offset } => {
                write!(f, "字节偏移 {offset} 处有第二个摘要段 / a second digest section at byte offset {offset}")
            }
            DigestError::NotLast { offset } => write!(
                f,
                "摘要段之后的字节偏移 {offset} 处还有签名以外的段 / a section other than the signature follows the digest, at byte offset {offset}"
            ),
            DigestError::Malformed { offset } => write!(
                f,
                "字节偏移 {offset} 处的摘要段内容不是 sha256:<64 位小写十六进制> / the digest section at byte offset {offset} is not sha256:<64 lower-case hex>"
            ),
            DigestError::Mismatch { offset, stated, actual } => write!(
                f,
                "模块内容与其摘要不符（字节偏移 {offset} 的摘要为 {stated}，实际为 {actual}）：模块在编译后被改动或损坏 / the module does not match its digest (the digest at byte offset {offset} states {stated}, the bytes hash to {actual}): it was changed or corrupted after it was built"
            ),
        }
    }
}

impl std::error::Error for DigestError {}

impl From<SectionError> for DigestError {
    fn from(e: SectionError) -> Self {
        DigestError::Module(e)
    }
}

/// `sha256:<hex>` of `bytes`.
pub fn digest_text(bytes: &[u8]) -> String {
    format!("{PREFIX}{}", hex_encode(Sha256::digest(bytes).as_slice()))
}

/// `module` with a fresh digest section appended (any previous digest and signature are dropped first:
/// sealing is the last step of building, and signing comes after it).
pub fn seal(module: &[u8]) -> Result<Vec<u8>, DigestError> {
    let all = sections::sections(module)?;
    let end = all
        .iter()
        .find(|s| matches!(s.name, Some(DIGEST_SECTION) | Some(SIGNATURE_SECTION)))
        .map(|s| s.start)
        .unwrap_or(module.len());
    let body = module.get(..end).unwrap_or(module);
    let mut out = body.to_vec();
    out.extend_from_slice(&sections::encode_custom_section(DIGEST_SECTION, digest_text(body).as_bytes()));
    Ok(out)
}

/// Checks `module`'s digest: present once, followed by nothing but an optional signature, well-formed, and
/// equal to the SHA-256 of the bytes before it. Returns the digest text.
pub fn check(module: &[u8]) -> Result<String, DigestError> {
    let all = sections::sections(module)?;
    let mut found: Option<(usize, usize, &[u8])> = None;
    for (i, s) in all.iter().enumerate() {
        if s.name == Some(DIGEST_SECTION) {
            if found.is_some() {
                return Err(DigestError::Duplicate { offset: s.start });
            }
            found = Some((i, s.start, s.data));
        }
    }
    let (i, start, data) = found.ok_or(DigestError::Missing)?;
    // After the digest: at most one section, and it must be the signature.
    let after = all.get(i + 1..).unwrap_or_default();
    if let Some(s) = after.iter().enumerate().find(|(k, s)| *k > 0 || s.name != Some(SIGNATURE_SECTION)).map(|x| x.1) {
        return Err(DigestError::NotLast { offset: s.start });
    }
    let stated = std::str::from_utf8(data).map_err(|_| DigestError::Malformed { offset: start })?;
    let well_formed = stated
        .strip_prefix(PREFIX)
        .is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
    if !well_formed {
        return Err(DigestError::Malformed { offset: start });
    }
    let actual = digest_text(module.get(..start).unwrap_or_default());
    if actual != stated {
        return Err(DigestError::Mismatch { offset: start, stated: stated.to_string(), actual });
    }
    Ok(actual)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sections::{WASM_HEADER, encode_custom_section};

    fn module() -> Vec<u8> {
        let mut m = WASM_HEADER.to_vec();
        m.extend_from_slice(&encode_custom_section(crate::MANIFEST_SECTION, b"{\"a\":1}"));
        m
    }

    #[test]
    fn sealed_modules_check_and_every_changed_byte_is_refused() {
        let sealed = seal(&module()).unwrap();
        assert!(check(&sealed).unwrap().starts_with("sha256:"));
        assert_eq!(seal(&sealed).unwrap(), sealed, "sealing twice gives the same bytes");
        for i in 8..sealed.len() {
            let mut bad = sealed.clone();
            bad[i] ^= 0x01;
            assert!(check(&bad).is_err(), "flipping byte {i} went unnoticed");
        }
    }

    #[test]
    fn missing_duplicate_trailing_and_uppercase_digests_are_refused() {
        assert_eq!(check(&module()), Err(DigestError::Missing));
        let sealed = seal(&module()).unwrap();
        let mut twice = sealed.clone();
        twice.extend_from_slice(&encode_custom_section(DIGEST_SECTION, b"x"));
        assert!(matches!(check(&twice), Err(DigestError::Duplicate { .. })));
        let mut trailing = sealed.clone();
        trailing.extend_from_slice(&encode_custom_section("other", b"x"));
        assert!(matches!(check(&trailing), Err(DigestError::NotLast { .. })));
        let mut signed = sealed.clone();
        signed.extend_from_slice(&encode_custom_section(SIGNATURE_SECTION, b"{}"));
        assert!(check(&signed).is_ok(), "a signature may follow the digest");
        signed.extend_from_slice(&encode_custom_section(SIGNATURE_SECTION, b"{}"));
        assert!(matches!(check(&signed), Err(DigestError::NotLast { .. })));
        let body = module();
        let mut upper = body.clone();
        upper.extend_from_slice(&encode_custom_section(DIGEST_SECTION, digest_text(&body).to_uppercase().as_bytes()));
        assert!(matches!(check(&upper), Err(DigestError::Malformed { .. })));
    }
}
