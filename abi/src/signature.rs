//! Module signatures. A signed module ends with a custom section `xince.signature` holding JSON
//! `{key_id, issuer, algorithm: "ed25519", signature}`, where `signature` is the lower-case hex Ed25519
//! signature of [`signed_message`]: a SHA-256 over a domain tag, the SHA-256 of every module byte before that
//! section, and the block's own `key_id`, `issuer` and `algorithm`. Because the section is last and covers all
//! that precedes it, changing any byte of the code or the manifest breaks the signature; because the shown
//! fields are signed too, the `issuer` a verifier prints cannot be rewritten either. One encoding only: a
//! signature in upper case or with spaces is refused.
//!
//! Trust is decided by the host, not by the module: a [`TrustedKey`] binds a key id to a public key and to a
//! jurisdiction prefix, and [`verify`] accepts a module only when the manifest's jurisdiction lies under that
//! prefix (a key trusted for `重庆市/梁平区` cannot sign for `重庆市/巫山县`). [`SignerInfo`] reports the
//! issuer the trust store names for the key, or else the (signed) issuer of the section.

use crate::manifest::Manifest;
use crate::sections::{self, SectionError};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

/// Name of the custom section that holds the signature.
pub const SIGNATURE_SECTION: &str = "xince.signature";
/// The only algorithm supported.
pub const ALGORITHM: &str = "ed25519";

/// The JSON content of the `xince.signature` section.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureBlock {
    pub key_id: String,
    pub issuer: String,
    pub algorithm: String,
    /// Hex of the 64-byte Ed25519 signature over `sha256(module bytes before this section)`.
    pub signature: String,
}

/// A signing key as stored in `<name>.secret` (keep private).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretKeyFile {
    pub key_id: String,
    pub issuer: String,
    pub algorithm: String,
    /// Hex of the 32-byte Ed25519 secret key.
    pub secret_key: String,
    /// Hex of the 32-byte public key (redundant, checked on load).
    pub public_key: String,
}

/// A public key as stored in `<name>.public` (share with hosts that will trust it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicKeyFile {
    pub key_id: String,
    pub issuer: String,
    pub algorithm: String,
    pub public_key: String,
}

/// A key a host trusts, and for which jurisdictions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustedKey {
    pub key_id: String,
    /// Hex of the 32-byte public key.
    pub public_key: String,
    /// Jurisdiction path prefix this key may sign for, compared segment by segment (`重庆市/巫山县` covers
    /// `重庆市/巫山县/司法局`, not `重庆市/巫山县外`). An empty string trusts the key everywhere.
    pub jurisdiction: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
}

/// The host's trust store, as read from a `trusted.json` file: `{"keys": [TrustedKey, …]}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustStore {
    pub keys: Vec<TrustedKey>,
}

/// Who signed a module that verified.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignerInfo {
    pub key_id: String,
    /// The issuer named by the trust store (falls back to the section's claim when the store names none).
    pub issuer: String,
    /// The trusted jurisdiction prefix that admitted the module.
    pub trusted_for: String,
    /// The module's jurisdiction (from its manifest).
    pub jurisdiction: String,
    pub policy_id: String,
    pub policy_version: String,
    /// `sha256:<hex>` of the signed bytes.
    pub digest: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignatureError {
    /// The bytes are not a well-formed wasm module.
    Module(SectionError),
    /// No `xince.signature` section.
    Unsigned,
    /// A signature section exists but is not the module's last section.
    NotLast {
        offset: usize,
    },
    /// More than one signature section.
    Duplicate {
        offset: usize,
    },
    /// The signature section's JSON is unreadable.
    BadBlock {
        detail: String,
    },
    UnsupportedAlgorithm {
        algorithm: String,
    },
    /// The signature does not match the bytes: the module was changed after signing (or signed by another key).
    Tampered {
        key_id: String,
    },
    /// The key id is not in the trust store.
    UnknownKey {
        key_id: String,
    },
    /// The key is trusted, but not for the module's jurisdiction.
    NotTrustedForJurisdiction {
        key_id: String,
        jurisdiction: String,
        trusted_for: Vec<String>,
    },
    /// The signed module has no manifest (so no jurisdiction to check trust against).
    NoManifest,
    BadManifest {
        detail: String,
    },
    /// A key (in a key file or the trust store) is malformed.
    BadKey {
        detail: String,
    },
}

impl fmt::Display for SignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use SignatureError::*;
        match self {
            Module(e) => write!(f, "{e}"),
            Unsigned => {
                write!(f, "模块未签名（没有 xince.signature 段）/ module is not signed (no xince.signature section)")
            }
            NotLast { offset } => write!(
                f,
                "签名段（字节偏移 {offset}）之后还有其他段，签名之后模块被追加了内容 / the signature section at byte offset {offset} is not the last section: bytes were appended after signing"
            ),
            Duplicate { offset } => {
                write!(f, "字节偏移 {offset} 处有第二个签名段 / a second signature section at byte offset {offset}")
            }
            BadBlock { detail } => write!(f, "签名段内容无法解析：{detail} / unreadable signature section: {detail}"),
            UnsupportedAlgorithm { algorithm } => {
                write!(
                    f,
                    "不支持的签名算法 {algorithm}（仅支持 ed25519）/ unsupported algorithm {algorithm} (only ed25519)"
                )
            }
            Tampered { key_id } => write!(
                f,
                "签名与模块内容不符：模块在签名后被修改（密钥 {key_id}）/ signature does not match: the module was changed after signing (key {key_id})"
            ),
            UnknownKey { key_id } => {
                write!(f, "签名密钥 {key_id} 不在信任列表中 / signing key {key_id} is not trusted")
            }
            NotTrustedForJurisdiction { key_id, jurisdiction, trusted_for } => write!(
                f,
                "密钥 {key_id} 仅受信于 {}，不能为辖区 {jurisdiction} 签名 / key {key_id} is trusted only for {}, not for jurisdiction {jurisdiction}",
                trusted_for.join("、"),
                trusted_for.join(", ")
            ),
            NoManifest => write!(f, "模块没有 xince.manifest 段 / module has no xince.manifest section"),
            BadManifest { detail } => write!(f, "模块清单无法解析：{detail} / unreadable manifest: {detail}"),
            BadKey { detail } => write!(f, "密钥格式错误：{detail} / malformed key: {detail}"),
        }
    }
}

impl std::error::Error for SignatureError {}

impl From<SectionError> for SignatureError {
    fn from(e: SectionError) -> Self {
        SignatureError::Module(e)
    }
}

/// Lower-case hex of `bytes`.
pub fn hex_encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
    s
}

/// Decodes hex (either case) into exactly `N` bytes.
pub fn hex_decode<const N: usize>(text: &str) -> Result<[u8; N], String> {
    let text = text.trim();
    if text.len() != N * 2 {
        return Err(format!(
            "应为 {} 个十六进制字符，实为 {} / expected {} hex digits, found {}",
            N * 2,
            text.len(),
            N * 2,
            text.len()
        ));
    }
    let nibble = |c: u8| -> Result<u8, String> {
        match c {
            b'0'..=b'9' => Ok(c - b'0'),
            b'a'..=b'f' => Ok(c - b'a' + 10),
            b'A'..=b'F' => Ok(c - b'A' + 10),
            _ => Err(format!("非十六进制字符 {:?} / not a hex digit {:?}", c as char, c as char)),
        }
    };
    let mut out = [0u8; N];
    let raw = text.as_bytes();
    for (i, slot) in out.iter_mut().enumerate() {
        *slot = (nibble(raw[2 * i])? << 4) | nibble(raw[2 * i + 1])?;
    }
    Ok(out)
}

/// What the Ed25519 key signs: `sha256("xince.signature.v2\0" ‖ sha256(signed bytes) ‖ key_id ‖ 0 ‖ issuer ‖ 0 ‖
/// algorithm)`, so every field the section shows is covered.
pub fn signed_message(module_digest: &[u8; 32], key_id: &str, issuer: &str, algorithm: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"xince.signature.v2\0");
    h.update(module_digest);
    h.update(key_id.as_bytes());
    h.update([0u8]);
    h.update(issuer.as_bytes());
    h.update([0u8]);
    h.update(algorithm.as_bytes());
    let mut out = [0u8; 32];
    out.copy_from_slice(h.finalize().as_slice());
    out
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    let digest = Sha256::digest(bytes);
    let mut out = [0u8; 32];
    out.copy_from_slice(digest.as_slice());
    out
}

/// The key id of a public key: the first 16 hex digits of its SHA-256.
pub fn key_id_of(public_key: &[u8; 32]) -> String {
    hex_encode(&sha256(public_key)[..8])
}

impl SecretKeyFile {
    /// A new key for `issuer` from 32 random bytes (the caller supplies the randomness: only the CLI does IO).
    pub fn from_seed(issuer: &str, seed: [u8; 32]) -> Self {
        let signing = SigningKey::from_bytes(&seed);
        let public = signing.verifying_key().to_bytes();
        SecretKeyFile {
            key_id: key_id_of(&public),
            issuer: issuer.to_string(),
            algorithm: ALGORITHM.to_string(),
            secret_key: hex_encode(&seed),
            public_key: hex_encode(&public),
        }
    }

    pub fn public(&self) -> PublicKeyFile {
        PublicKeyFile {
            key_id: self.key_id.clone(),
            issuer: self.issuer.clone(),
            algorithm: self.algorithm.clone(),
            public_key: self.public_key.clone(),
        }
    }

    fn signing_key(&self) -> Result<SigningKey, SignatureError> {
        if self.algorithm != ALGORITHM {
            return Err(SignatureError::UnsupportedAlgorithm { algorithm: self.algorithm.clone() });
        }
        let seed = hex_decode::<32>(&self.secret_key)
            .map_err(|e| SignatureError::BadKey { detail: format!("secret_key: {e}") })?;
        let key = SigningKey::from_bytes(&seed);
        let public = key.verifying_key().to_bytes();
        if hex_encode(&public) != self.public_key.to_ascii_lowercase() || key_id_of(&public) != self.key_id {
            return Err(SignatureError::BadKey {
                detail: "公钥或密钥编号与私钥不符 / public_key or key_id does not match secret_key".to_string(),
            });
        }
        Ok(key)
    }
}

/// Where the signed part of a module ends, and the signature section if there is one.
struct Split<'a> {
    signed_len: usize,
    block: Option<&'a [u8]>,
}

fn split(module: &[u8]) -> Result<Split<'_>, SignatureError> {
    let all = sections::sections(module)?;
    let mut found: Option<(usize, &[u8], usize)> = None;
    for (i, s) in all.iter().enumerate() {
        if s.name == Some(SIGNATURE_SECTION) {
            if found.is_some() {
                return Err(SignatureError::Duplicate { offset: s.start });
            }
            found = Some((i, s.data, s.start));
        }
    }
    match found {
        None => Ok(Split { signed_len: module.len(), block: None }),
        Some((i, data, start)) => {
            if i + 1 != all.len() {
                return Err(SignatureError::NotLast { offset: start });
            }
            Ok(Split { signed_len: start, block: Some(data) })
        }
    }
}

/// Signs `module` with `key`: drops any previous signature and appends a fresh `xince.signature` section.
pub fn sign(module: &[u8], key: &SecretKeyFile) -> Result<Vec<u8>, SignatureError> {
    let signing = key.signing_key()?;
    let unsigned = &module[..split(module)?.signed_len];
    let digest = sha256(unsigned);
    let signature = signing.sign(&signed_message(&digest, &key.key_id, &key.issuer, ALGORITHM));
    let block = SignatureBlock {
        key_id: key.key_id.clone(),
        issuer: key.issuer.clone(),
        algorithm: ALGORITHM.to_string(),
        signature: hex_encode(&signature.to_bytes()),
    };
    let json = serde_json::to_vec(&block).map_err(|e| SignatureError::BadBlock { detail: e.to_string() })?;
    let mut out = unsigned.to_vec();
    out.extend_from_slice(&sections::encode_custom_section(SIGNATURE_SECTION, &json));
    Ok(out)
}

/// The signature block of `module`, without checking it (for display).
pub fn read_block(module: &[u8]) -> Result<SignatureBlock, SignatureError> {
    let block = split(module)?.block.ok_or(SignatureError::Unsigned)?;
    serde_json::from_slice(block).map_err(|e| SignatureError::BadBlock { detail: e.to_string() })
}

/// True when `jurisdiction` lies under `prefix`, segment by segment.
pub fn jurisdiction_covers(prefix: &str, jurisdiction: &str) -> bool {
    let prefix: Vec<&str> = prefix.split('/').filter(|s| !s.is_empty()).collect();
    let target: Vec<&str> = jurisdiction.split('/').filter(|s| !s.is_empty()).collect();
    prefix.len() <= target.len() && prefix.iter().zip(&target).all(|(a, b)| a == b)
}

/// Checks that `module` carries a valid signature by a key in `trusted` that is trusted for the manifest's
/// jurisdiction. This is what a host calls before loading a module when it requires signed modules.
pub fn verify(module: &[u8], trusted: &[TrustedKey]) -> Result<SignerInfo, SignatureError> {
    let parts = split(module)?;
    let raw = parts.block.ok_or(SignatureError::Unsigned)?;
    let block: SignatureBlock =
        serde_json::from_slice(raw).map_err(|e| SignatureError::BadBlock { detail: e.to_string() })?;
    if block.algorithm != ALGORITHM {
        return Err(SignatureError::UnsupportedAlgorithm { algorithm: block.algorithm });
    }
    let candidates: Vec<&TrustedKey> = trusted.iter().filter(|k| k.key_id == block.key_id).collect();
    if candidates.is_empty() {
        return Err(SignatureError::UnknownKey { key_id: block.key_id });
    }
    let signature_bytes = hex_decode::<64>(&block.signature)
        .map_err(|e| SignatureError::BadBlock { detail: format!("signature: {e}") })?;
    if hex_encode(&signature_bytes) != block.signature {
        return Err(SignatureError::BadBlock {
            detail: "signature: 须为 128 个小写十六进制字符 / must be 128 lower-case hex digits".to_string(),
        });
    }
    let signature = Signature::from_bytes(&signature_bytes);
    let signed = module.get(..parts.signed_len).unwrap_or_default();
    let digest = sha256(signed);
    let message = signed_message(&digest, &block.key_id, &block.issuer, &block.algorithm);

    // The signature must verify under the trusted public key; only then is the manifest (covered by it) believed.
    let mut verified: Vec<&TrustedKey> = Vec::new();
    for key in &candidates {
        let public = hex_decode::<32>(&key.public_key)
            .map_err(|e| SignatureError::BadKey { detail: format!("{}: public_key: {e}", key.key_id) })?;
        let verifying = VerifyingKey::from_bytes(&public)
            .map_err(|e| SignatureError::BadKey { detail: format!("{}: {e}", key.key_id) })?;
        if verifying.verify_strict(&message, &signature).is_ok() {
            verified.push(key);
        }
    }
    if verified.is_empty() {
        return Err(SignatureError::Tampered { key_id: block.key_id });
    }

    let section = sections::custom_section(signed, crate::MANIFEST_SECTION)?.ok_or(SignatureError::NoManifest)?;
    let manifest: Manifest =
        serde_json::from_slice(section.data).map_err(|e| SignatureError::BadManifest { detail: e.to_string() })?;
    let jurisdiction = manifest.policy.jurisdiction.clone();
    let Some(admitting) = verified.iter().find(|k| jurisdiction_covers(&k.jurisdiction, &jurisdiction)) else {
        return Err(SignatureError::NotTrustedForJurisdiction {
            key_id: block.key_id,
            jurisdiction,
            trusted_for: verified.iter().map(|k| k.jurisdiction.clone()).collect(),
        });
    };
    Ok(SignerInfo {
        key_id: admitting.key_id.clone(),
        issuer: admitting.issuer.clone().unwrap_or(block.issuer),
        trusted_for: admitting.jurisdiction.clone(),
        jurisdiction,
        policy_id: manifest.policy.id,
        policy_version: manifest.policy.version,
        digest: format!("sha256:{}", hex_encode(&digest)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::PolicyInfo;
    use crate::sections::{WASM_HEADER, encode_custom_section};

    fn manifest_for(jurisdiction: &str) -> Manifest {
        Manifest {
            abi_version: crate::ABI_VERSION,
            compiler_version: "test".into(),
            source_hash: "sha256:00".into(),
            policy: PolicyInfo {
                id: format!("{jurisdiction}/测试方案"),
                name: "测试方案".into(),
                jurisdiction: jurisdiction.into(),
                issuer: "测试机关".into(),
                document: "测试〔2024〕1号".into(),
                version: "1".into(),
                effective_from: "2024-01-01".into(),
                effective_until: None,
                level: "县".into(),
                extends: vec![],
                supersedes: None,
                version_rule: "从旧兼从轻".into(),
            },
            vocab: Default::default(),
            lists: vec![],
            measures: vec![],
            incentives: vec![],
            notifications: vec![],
            grading: None,
            objection: None,
            regimes: vec![],
            unverified: vec![],
        }
    }

    fn module_for(jurisdiction: &str) -> Vec<u8> {
        let mut m = WASM_HEADER.to_vec();
        // a type section with one `() -> ()` function type, so there is "code" before the manifest
        m.extend_from_slice(&[0x01, 0x04, 0x01, 0x60, 0x00, 0x00]);
        let json = serde_json::to_vec(&manifest_for(jurisdiction)).unwrap();
        m.extend_from_slice(&encode_custom_section(crate::MANIFEST_SECTION, &json));
        m
    }

    fn key(issuer: &str, byte: u8) -> SecretKeyFile {
        SecretKeyFile::from_seed(issuer, [byte; 32])
    }

    fn trust(key: &SecretKeyFile, jurisdiction: &str) -> TrustedKey {
        TrustedKey {
            key_id: key.key_id.clone(),
            public_key: key.public_key.clone(),
            jurisdiction: jurisdiction.into(),
            issuer: Some(key.issuer.clone()),
        }
    }

    #[test]
    fn signed_module_verifies_and_names_the_signer() {
        let k = key("巫山县信用办", 7);
        let signed = sign(&module_for("重庆市/巫山县"), &k).unwrap();
        let info = verify(&signed, &[trust(&k, "重庆市/巫山县")]).unwrap();
        assert_eq!(info.key_id, k.key_id);
        assert_eq!(info.issuer, "巫山县信用办");
        assert_eq!(info.jurisdiction, "重庆市/巫山县");
        assert_eq!(info.policy_id, "重庆市/巫山县/测试方案");
        // the signature section is last and the module is still well-formed
        let all = sections::sections(&signed).unwrap();
        assert_eq!(all.last().unwrap().name, Some(SIGNATURE_SECTION));
    }

    #[test]
    fn every_single_byte_change_before_the_signature_is_refused() {
        let k = key("巫山县信用办", 7);
        let original = module_for("重庆市/巫山县");
        let signed = sign(&original, &k).unwrap();
        let trusted = [trust(&k, "重庆市/巫山县")];
        // skip the 8 header bytes: changing those makes the file not wasm at all (also refused, differently)
        for i in 8..original.len() {
            let mut changed = signed.clone();
            changed[i] ^= 0x01;
            let result = verify(&changed, &trusted);
            assert!(result.is_err(), "byte {i} changed but the module still verified");
        }
        // a change inside the manifest JSON keeps the framing intact, so it is reported as tampering
        let at = original.len() - 3;
        let mut changed = signed.clone();
        changed[at] = b'X';
        assert_eq!(verify(&changed, &trusted), Err(SignatureError::Tampered { key_id: k.key_id.clone() }));
    }

    /// Rewrites the signature section's JSON block of `signed` with `edit` (the module stays well-formed).
    fn with_block(signed: &[u8], edit: impl FnOnce(&mut SignatureBlock)) -> Vec<u8> {
        let start = sections::sections(signed).unwrap().last().unwrap().start;
        let mut block = read_block(signed).unwrap();
        edit(&mut block);
        let mut out = signed[..start].to_vec();
        out.extend_from_slice(&encode_custom_section(SIGNATURE_SECTION, &serde_json::to_vec(&block).unwrap()));
        out
    }

    #[test]
    fn the_issuer_shown_is_covered_by_the_signature() {
        let k = key("巫山县信用办", 7);
        let signed = sign(&module_for("重庆市/巫山县"), &k).unwrap();
        // a trust entry without an issuer: the verifier would show the section's issuer, so it must be signed
        let mut entry = trust(&k, "重庆市/巫山县");
        entry.issuer = None;
        assert_eq!(verify(&signed, std::slice::from_ref(&entry)).unwrap().issuer, "巫山县信用办");
        let forged = with_block(&signed, |b| b.issuer = "攻击者".into());
        assert_eq!(verify(&forged, &[entry]), Err(SignatureError::Tampered { key_id: k.key_id.clone() }));
    }

    #[test]
    fn only_the_lower_case_hex_signature_is_accepted() {
        let k = key("巫山县信用办", 7);
        let signed = sign(&module_for("重庆市/巫山县"), &k).unwrap();
        let trusted = [trust(&k, "重庆市/巫山县")];
        for variant in [
            with_block(&signed, |b| b.signature = b.signature.to_uppercase()),
            with_block(&signed, |b| b.signature = format!(" {} ", b.signature)),
        ] {
            assert!(
                matches!(verify(&variant, &trusted), Err(SignatureError::BadBlock { .. })),
                "a non-canonical encoding was accepted"
            );
        }
    }

    #[test]
    fn appended_bytes_after_the_signature_are_refused() {
        let k = key("巫山县信用办", 7);
        let mut signed = sign(&module_for("重庆市/巫山县"), &k).unwrap();
        let sig_start = sections::sections(&signed).unwrap().last().unwrap().start;
        signed.extend_from_slice(&encode_custom_section("extra", b"x"));
        assert_eq!(verify(&signed, &[trust(&k, "重庆市/巫山县")]), Err(SignatureError::NotLast { offset: sig_start }));
    }

    #[test]
    fn unsigned_module_is_refused() {
        let k = key("巫山县信用办", 7);
        assert_eq!(verify(&module_for("重庆市/巫山县"), &[trust(&k, "重庆市/巫山县")]), Err(SignatureError::Unsigned));
    }

    #[test]
    fn untrusted_key_is_refused() {
        let signer = key("某不明机构", 9);
        let other = key("巫山县信用办", 7);
        let signed = sign(&module_for("重庆市/巫山县"), &signer).unwrap();
        assert_eq!(
            verify(&signed, &[trust(&other, "重庆市/巫山县")]),
            Err(SignatureError::UnknownKey { key_id: signer.key_id.clone() })
        );
    }

    #[test]
    fn a_trust_entry_with_the_right_id_but_another_public_key_is_refused() {
        let signer = key("巫山县信用办", 7);
        let impostor = key("巫山县信用办", 8);
        let signed = sign(&module_for("重庆市/巫山县"), &signer).unwrap();
        let mut entry = trust(&impostor, "重庆市/巫山县");
        entry.key_id = signer.key_id.clone();
        assert_eq!(verify(&signed, &[entry]), Err(SignatureError::Tampered { key_id: signer.key_id.clone() }));
    }

    #[test]
    fn key_trusted_for_liangping_cannot_sign_for_wushan() {
        let k = key("梁平区信用办", 3);
        let signed = sign(&module_for("重庆市/巫山县"), &k).unwrap();
        let err = verify(&signed, &[trust(&k, "重庆市/梁平区")]).unwrap_err();
        assert_eq!(
            err,
            SignatureError::NotTrustedForJurisdiction {
                key_id: k.key_id.clone(),
                jurisdiction: "重庆市/巫山县".into(),
                trusted_for: vec!["重庆市/梁平区".into()],
            }
        );
        assert!(err.to_string().contains("不能为辖区 重庆市/巫山县 签名"));
        // the same key does sign for a department under 梁平区
        let dept = sign(&module_for("重庆市/梁平区/司法局"), &k).unwrap();
        assert_eq!(verify(&dept, &[trust(&k, "重庆市/梁平区")]).unwrap().trusted_for, "重庆市/梁平区");
    }

    #[test]
    fn jurisdiction_prefix_is_by_segment() {
        assert!(jurisdiction_covers("重庆市", "重庆市/巫山县"));
        assert!(jurisdiction_covers("重庆市/巫山县", "重庆市/巫山县"));
        assert!(!jurisdiction_covers("重庆市/巫山", "重庆市/巫山县"));
        assert!(jurisdiction_covers("", "重庆市/巫山县"));
        assert!(!jurisdiction_covers("重庆市/巫山县/司法局", "重庆市/巫山县"));
    }

    #[test]
    fn re_signing_replaces_the_old_signature() {
        let a = key("甲", 1);
        let b = key("乙", 2);
        let twice = sign(&sign(&module_for("重庆市/巫山县"), &a).unwrap(), &b).unwrap();
        let names: Vec<_> = sections::sections(&twice).unwrap().iter().filter_map(|s| s.name).collect();
        assert_eq!(names, vec![crate::MANIFEST_SECTION, SIGNATURE_SECTION]);
        assert_eq!(verify(&twice, &[trust(&b, "重庆市")]).unwrap().key_id, b.key_id);
    }

    #[test]
    fn key_files_round_trip_and_mismatch_is_caught() {
        let k = key("巫山县信用办", 5);
        let json = serde_json::to_string(&k).unwrap();
        let back: SecretKeyFile = serde_json::from_str(&json).unwrap();
        assert_eq!(back, k);
        let mut broken = k.clone();
        broken.public_key = key("x", 6).public_key;
        assert!(matches!(sign(&module_for("重庆市/巫山县"), &broken), Err(SignatureError::BadKey { .. })));
        assert_eq!(hex_decode::<2>("0aFf").unwrap(), [0x0a, 0xff]);
        assert!(hex_decode::<2>("0g00").is_err());
    }
}
