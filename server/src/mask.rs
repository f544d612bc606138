//! What the decision log keeps of personal identifiers: 居民身份证号码 and names of natural persons are masked
//! (or replaced by a keyed hash) wherever they appear in the logged request and decision, trace text included.
//! 统一社会信用代码 of organisations are public registry data and are kept.

use crate::config::PersonalIds;
use sha2::{Digest, Sha256};
use xince_abi::request::Request;

pub struct Masker {
    mode: PersonalIds,
    key: Vec<u8>,
}

/// Pairs (original, replacement) for one request.
pub type Replacements = Vec<(String, String)>;

fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(block.map(|b| b ^ 0x36));
    inner.update(message);
    let mut outer = Sha256::new();
    outer.update(block.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

/// Whether a text has the shape of a 居民身份证号码 (17 digits and a digit or X; or the old 15 digits).
pub fn looks_like_resident_id(text: &str) -> bool {
    let b = text.as_bytes();
    match b.len() {
        18 => b[..17].iter().all(u8::is_ascii_digit) && (b[17].is_ascii_digit() || b[17] == b'X' || b[17] == b'x'),
        15 => b.iter().all(u8::is_ascii_digit),
        _ => false,
    }
}

impl Masker {
    pub fn new(mode: PersonalIds, key: Option<&str>) -> Masker {
        Masker { mode, key: key.unwrap_or_default().as_bytes().to_vec() }
    }

    fn mask_id(&self, id: &str) -> String {
        match self.mode {
            PersonalIds::Keep => id.to_string(),
            PersonalIds::Hash => format!("hmac-sha256:{}", crate::engine::hex(&hmac_sha256(&self.key, id.as_bytes()))),
            PersonalIds::Mask => {
                let chars: Vec<char> = id.chars().collect();
                if chars.len() >= 12 {
                    let n = chars.len();
                    chars[..6].iter().chain(std::iter::repeat_n(&'*', n - 10)).chain(chars[n - 4..].iter()).collect()
                } else {
                    "*".repeat(chars.len())
                }
            }
        }
    }

    /// What the log keeps of a subject id that is a personal identifier (used by `log show --subject`).
    pub fn mask_subject_id(&self, id: &str) -> String {
        self.mask_id(id)
    }

    fn mask_name(&self, name: &str) -> String {
        match self.mode {
            PersonalIds::Keep => name.to_string(),
            PersonalIds::Hash => {
                format!("hmac-sha256:{}", crate::engine::hex(&hmac_sha256(&self.key, name.as_bytes())))
            }
            PersonalIds::Mask => {
                let mut chars = name.chars();
                match chars.next() {
                    Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
                    None => String::new(),
                }
            }
        }
    }

    /// The personal identifiers of a request and what each becomes in the log: the subject's id and name
    /// when it is a natural person (or its id is a 身份证号码), and every related person's id and name.
    pub fn replacements(&self, request: &Request) -> Replacements {
        let mut out: Replacements = Vec::new();
        if self.mode == PersonalIds::Keep {
            return out;
        }
        let mut push = |original: &str, replacement: String| {
            if !original.is_empty() && !out.iter().any(|(o, _)| o == original) {
                out.push((original.to_string(), replacement));
            }
        };
        let subject = &request.subject;
        let natural = subject.kind == "自然人" || looks_like_resident_id(&subject.id);
        if natural {
            push(&subject.id, self.mask_id(&subject.id));
            if let Some(name) = &subject.name {
                push(name, self.mask_name(name));
            }
        }
        for person in &subject.related {
            push(&person.id, self.mask_id(&person.id));
            if let Some(name) = &person.name {
                push(name, self.mask_name(name));
            }
        }
        // Longer originals first, so a name inside another is not replaced half-way.
        out.sort_by_key(|(original, _)| std::cmp::Reverse(original.len()));
        out
    }
}

/// Replaces every occurrence of an original in every string of `value` (keys are left alone).
pub fn apply(value: &mut serde_json::Value, replacements: &Replacements) {
    match value {
        serde_json::Value::String(s) => {
            for (original, replacement) in replacements {
                if s.contains(original.as_str()) {
                    *s = s.replace(original.as_str(), replacement);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| apply(v, replacements)),
        serde_json::Value::Object(map) => map.values_mut().for_each(|v| apply(v, replacements)),
        _ => {}
    }
}

/// The same replacement as [`apply`], done on JSON text without building a `Value` (the log's hot path: a
/// decision is kilobytes of JSON). Only the contents of string values are touched (not keys); a match is taken only where it is
/// not part of an escape. `None` when the text path cannot be sure (an original holding a character JSON
/// escapes, or a `\u` escape in the text): then use [`apply`].
pub fn apply_text(json: &str, replacements: &Replacements) -> Option<String> {
    let escapable = |c: char| c == '"' || c == '\\' || (c as u32) < 0x20;
    if replacements.iter().any(|(o, _)| o.is_empty() || o.chars().any(escapable)) || json.contains("\\u") {
        return None;
    }
    let b = json.as_bytes();
    let mut out = String::with_capacity(json.len());
    let (mut i, mut copied) = (0, 0);
    while i < b.len() {
        if b[i] != b'"' {
            i += 1;
            continue;
        }
        let start = i + 1;
        let mut j = start;
        while j < b.len() && b[j] != b'"' {
            j += if b[j] == b'\\' { 2 } else { 1 };
        }
        let end = j.min(b.len());
        let content = json.get(start..end)?;
        let is_key = b.get(end + 1..).is_some_and(|rest| rest.iter().find(|c| !c.is_ascii_whitespace()) == Some(&b':'));
        if is_key {
            i = end + 1;
            continue;
        }
        if let Some(masked) = replace_in_string(content, replacements) {
            out.push_str(json.get(copied..start)?);
            out.push_str(&masked);
            copied = end;
        }
        i = end + 1;
    }
    out.push_str(json.get(copied..)?);
    Some(out)
}

/// Replaces the originals in the (escaped) contents of one JSON string, skipping a match that directly follows
/// an unescaped backslash. `None` when nothing matched.
fn replace_in_string(content: &str, replacements: &Replacements) -> Option<String> {
    let mut current: Option<String> = None;
    for (original, replacement) in replacements {
        let text = current.as_deref().unwrap_or(content);
        if !text.contains(original.as_str()) {
            continue;
        }
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for (at, _) in text.match_indices(original.as_str()) {
            if at < last {
                continue;
            }
            let backslashes = text.as_bytes()[..at].iter().rev().take_while(|&&c| c == b'\\').count();
            if backslashes % 2 == 1 {
                continue;
            }
            out.push_str(&text[last..at]);
            out.push_str(replacement);
            last = at + original.len();
        }
        out.push_str(&text[last..]);
        current = Some(out);
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(kind: &str, id: &str) -> Request {
        serde_json::from_value(serde_json::json!({
            "as_of": "2024-05-01",
            "subject": { "id": id, "name": "张三丰", "kind": kind,
                "related": [ { "role": "法定代表人", "id": "500237198001011234", "name": "李四" } ] }
        }))
        .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn masks_resident_ids_and_names_everywhere() {
        let m = Masker::new(PersonalIds::Mask, None);
        let r = request("法人", "91500237MA5UXXXXXX");
        let pairs = m.replacements(&r);
        let mut v = serde_json::json!({ "subject": { "id": "91500237MA5UXXXXXX", "name": "张三丰" },
            "targets": [ { "id": "500237198001011234", "name": "李四" } ], "trace": ["李四（500237198001011234）为法定代表人"] });
        apply(&mut v, &pairs);
        // The organisation's credit code and name are public and kept.
        assert_eq!(v["subject"]["id"], "91500237MA5UXXXXXX");
        assert_eq!(v["subject"]["name"], "张三丰");
        assert_eq!(v["targets"][0]["id"], "500237********1234");
        assert_eq!(v["targets"][0]["name"], "李*");
        assert_eq!(v["trace"][0], "李*（500237********1234）为法定代表人");
    }

    #[test]
    fn the_text_path_masks_what_the_value_path_masks() {
        let m = Masker::new(PersonalIds::Mask, None);
        let pairs = m.replacements(&request("法人", "91500237MA5UXXXXXX"));
        let docs = [
            serde_json::json!({ "targets": [ { "id": "500237198001011234", "name": "李四" } ],
                "trace": ["李四（500237198001011234）为法定代表人", "quote \"李四\" and \\李四 and a\\\"李四"],
                "李四": "a key is not a value", "n": 500237198001011234u64 }),
            serde_json::json!(["no personal data", 1, null, true, { "x": "y" }]),
        ];
        for doc in docs {
            let text = doc.to_string();
            let fast = apply_text(&text, &pairs).unwrap_or_else(|| panic!("fell back on {text}"));
            let mut slow = doc.clone();
            apply(&mut slow, &pairs);
            let fast: serde_json::Value = serde_json::from_str(&fast).unwrap_or_else(|e| panic!("{e}: {fast}"));
            assert_eq!(fast, slow);
        }
        // An escape it cannot be sure about: the caller falls back to the value path.
        assert!(apply_text("[\"\\u0001李四\"]", &pairs).is_none());
    }

    #[test]
    fn natural_person_subject_is_masked() {
        let m = Masker::new(PersonalIds::Mask, None);
        let pairs = m.replacements(&request("自然人", "500237199001011234"));
        let mut v = serde_json::json!({ "id": "500237199001011234", "name": "张三丰" });
        apply(&mut v, &pairs);
        assert_eq!(v, serde_json::json!({ "id": "500237********1234", "name": "张**" }));
    }

    #[test]
    fn hash_mode_is_keyed_and_stable() {
        let a = Masker::new(PersonalIds::Hash, Some("k1"));
        let b = Masker::new(PersonalIds::Hash, Some("k2"));
        let r = request("自然人", "500237199001011234");
        let (pa, pb) = (a.replacements(&r), a.replacements(&r));
        assert_eq!(pa, pb);
        assert_ne!(pa, b.replacements(&r));
        assert!(pa.iter().all(|(_, h)| h.starts_with("hmac-sha256:") && h.len() == 12 + 64));
    }

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(crate::engine::hex(&mac), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }
}
