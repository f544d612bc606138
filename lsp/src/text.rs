//! Positions and addresses: byte offsets ↔ LSP positions (UTF-16 code units, the protocol's default), and
//! `file:` URIs ↔ paths (percent-encoded UTF-8, so Chinese directory names survive the round trip).

use lsp_types::{Position, Range, Uri};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use xince_lang::ast::Span;

/// Line starts of one text, for offset ↔ position conversion.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset).saturating_sub(1);
        let start = self.starts[line];
        let col: usize = self.text.get(start..offset).map_or(0, |s| s.chars().map(char::len_utf16).sum());
        Position::new(line as u32, col as u32)
    }

    pub fn range(&self, span: Span) -> Range {
        Range::new(self.position(span.start as usize), self.position(span.end as usize))
    }

    /// The byte offset of a position (clamped to the line's end and the text's end).
    pub fn offset(&self, pos: Position) -> usize {
        let Some(&start) = self.starts.get(pos.line as usize) else { return self.text.len() };
        let end = self.starts.get(pos.line as usize + 1).map_or(self.text.len(), |&e| e.saturating_sub(1));
        let mut units = 0u32;
        for (i, ch) in self.text.get(start..end).unwrap_or("").char_indices() {
            if units >= pos.character {
                return start + i;
            }
            units += ch.len_utf16() as u32;
        }
        end
    }

    /// The number of lines (a text ending in a newline has an empty last line).
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    pub fn line_of(&self, offset: usize) -> u32 {
        self.position(offset).line
    }
}

fn unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/')
}

/// `file:` URI of an absolute path.
pub fn path_to_uri(path: &Path) -> Option<Uri> {
    let s = path.to_str()?;
    let mut out = String::from("file://");
    if !s.starts_with('/') {
        out.push('/');
    }
    for b in s.bytes() {
        if unreserved(b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Uri::from_str(&out).ok()
}

/// The path of a `file:` URI (None for other schemes).
pub fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    let s = uri.as_str();
    let rest = s.strip_prefix("file://")?;
    // `file://host/path` is not local; `file:///path` has an empty host.
    let rest = if rest.starts_with('/') { rest } else { rest.get(rest.find('/')?..)? };
    let bytes = rest.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() + 1 {
            let hex = rest.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(b) = hex {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    let path = String::from_utf8(out).ok()?;
    // Windows drive letters arrive as `/c:/…`.
    let path = match path.as_bytes() {
        [b'/', d, b':', ..] if d.is_ascii_alphabetic() => path[1..].to_string(),
        _ => path,
    };
    Some(PathBuf::from(path))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn positions_count_utf16_units() {
        let text = "名单 甲 {\n  类别: 黑名单\n}\n";
        let idx = LineIndex::new(text);
        let off = text.find("黑名单").unwrap();
        let pos = idx.position(off);
        assert_eq!(pos, Position::new(1, 6));
        assert_eq!(idx.offset(pos), off);
        assert_eq!(idx.offset(Position::new(1, 99)), text.find("\n}").unwrap());
    }

    #[test]
    fn chinese_paths_round_trip() {
        let p = Path::new("/work/policies/重庆市/巫山县/政策.xince");
        let uri = path_to_uri(p).unwrap();
        assert!(uri.as_str().starts_with("file:///work/policies/%E9%87%8D"));
        assert_eq!(uri_to_path(&uri).unwrap(), p);
    }
}
