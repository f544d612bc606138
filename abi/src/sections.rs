//! A minimal reader of a wasm module's top-level section layout, so hosts and tools can find the custom
//! sections (`xince.manifest`, `xince.signature`) without a wasm parser. It checks framing only (magic,
//! version, section lengths); validating the code is the engine's job.

use std::fmt;

/// The `\0asm` magic followed by binary format version 1.
pub const WASM_HEADER: [u8; 8] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
/// Section id of custom sections.
pub const CUSTOM_SECTION_ID: u8 = 0;

/// One top-level section, with byte offsets into the module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section<'a> {
    pub id: u8,
    /// Offset of the section id byte.
    pub start: usize,
    /// Offset just past the section's last byte.
    pub end: usize,
    /// For custom sections: the name.
    pub name: Option<&'a str>,
    /// The payload: for custom sections the bytes after the name, otherwise the whole section content.
    pub data: &'a [u8],
    /// Offset of `data[0]` in the module.
    pub data_offset: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SectionError {
    /// The file does not start with the wasm magic `\0asm`.
    NotWasm,
    /// The magic is right but the binary version is not 1.
    UnsupportedVersion { found: u32 },
    /// A section header or body runs past the end of the file, or a length is malformed.
    Malformed { offset: usize, what: &'static str },
    /// A custom section name is not UTF-8.
    BadName { offset: usize },
}

impl fmt::Display for SectionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SectionError::NotWasm => {
                write!(f, "不是 wasm 模块（文件开头不是 \\0asm）/ not a wasm module (no \\0asm magic)")
            }
            SectionError::UnsupportedVersion { found } => {
                write!(f, "不支持的 wasm 二进制版本 {found} / unsupported wasm binary version {found}")
            }
            SectionError::Malformed { offset, what } => {
                write!(f, "wasm 结构损坏：字节偏移 {offset} 处{what} / malformed wasm at byte offset {offset}: {what}")
            }
            SectionError::BadName { offset } => write!(
                f,
                "字节偏移 {offset} 处的自定义段名称不是 UTF-8 / custom section name at byte offset {offset} is not UTF-8"
            ),
        }
    }
}

impl std::error::Error for SectionError {}

/// Reads an unsigned LEB128 u32 at `pos`; returns the value and the position after it.
fn read_u32(bytes: &[u8], mut pos: usize) -> Result<(u32, usize), SectionError> {
    let start = pos;
    let mut result: u64 = 0;
    let mut shift = 0u32;
    loop {
        let byte = *bytes
            .get(pos)
            .ok_or(SectionError::Malformed { offset: start, what: "长度字段被截断 (truncated LEB128)" })?;
        pos += 1;
        result |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            break;
        }
        shift += 7;
        if shift >= 35 {
            return Err(SectionError::Malformed { offset: start, what: "长度字段过长 (LEB128 too long)" });
        }
    }
    let value = u32::try_from(result)
        .map_err(|_| SectionError::Malformed { offset: start, what: "长度溢出 (u32 overflow)" })?;
    Ok((value, pos))
}

/// Every top-level section of `bytes`, in order.
pub fn sections(bytes: &[u8]) -> Result<Vec<Section<'_>>, SectionError> {
    if bytes.len() < 4 || bytes[..4] != WASM_HEADER[..4] {
        return Err(SectionError::NotWasm);
    }
    if bytes.len() < 8 {
        return Err(SectionError::Malformed { offset: 4, what: "版本号被截断 (truncated version)" });
    }
    if bytes[4..8] != WASM_HEADER[4..8] {
        let found = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
        return Err(SectionError::UnsupportedVersion { found });
    }
    let mut out = Vec::new();
    let mut pos = 8;
    while pos < bytes.len() {
        let start = pos;
        let id = bytes[pos];
        let (len, body) = read_u32(bytes, pos + 1)?;
        let end = body.checked_add(len as usize).filter(|e| *e <= bytes.len()).ok_or(SectionError::Malformed {
            offset: start,
            what: "段长度超出文件末尾 (section runs past end of file)",
        })?;
        let (name, data_offset) = if id == CUSTOM_SECTION_ID {
            let (name_len, name_start) = read_u32(bytes, body)?;
            let name_end =
                name_start.checked_add(name_len as usize).filter(|e| *e <= end).ok_or(SectionError::Malformed {
                    offset: body,
                    what: "自定义段名称超出段末尾 (custom name runs past section)",
                })?;
            let name = std::str::from_utf8(&bytes[name_start..name_end])
                .map_err(|_| SectionError::BadName { offset: name_start })?;
            (Some(name), name_end)
        } else {
            (None, body)
        };
        out.push(Section { id, start, end, name, data: &bytes[data_offset..end], data_offset });
        pos = end;
    }
    Ok(out)
}

/// The first custom section called `name`, if any.
pub fn custom_section<'a>(bytes: &'a [u8], name: &str) -> Result<Option<Section<'a>>, SectionError> {
    Ok(sections(bytes)?.into_iter().find(|s| s.name == Some(name)))
}

/// Encodes `value` as unsigned LEB128.
pub fn write_u32(out: &mut Vec<u8>, mut value: u32) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            break;
        }
        out.push(byte | 0x80);
    }
}

/// The bytes of a custom section `name` holding `data`, ready to append to a module.
pub fn encode_custom_section(name: &str, data: &[u8]) -> Vec<u8> {
    let mut name_part = Vec::new();
    write_u32(&mut name_part, name.len() as u32);
    name_part.extend_from_slice(name.as_bytes());
    let mut out = vec![CUSTOM_SECTION_ID];
    write_u32(&mut out, (name_part.len() + data.len()) as u32);
    out.extend_from_slice(&name_part);
    out.extend_from_slice(data);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module_with(sections: &[Vec<u8>]) -> Vec<u8> {
        let mut m = WASM_HEADER.to_vec();
        for s in sections {
            m.extend_from_slice(s);
        }
        m
    }

    #[test]
    fn finds_custom_sections_with_offsets() {
        let m = module_with(&[encode_custom_section("a", b"xyz"), encode_custom_section("xince.manifest", b"{}")]);
        let all = sections(&m).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].name, Some("a"));
        assert_eq!(all[0].data, b"xyz");
        let man = custom_section(&m, "xince.manifest").unwrap().unwrap();
        assert_eq!(man.data, b"{}");
        assert_eq!(&m[man.data_offset..man.data_offset + 2], b"{}");
        assert_eq!(man.end, m.len());
    }

    #[test]
    fn long_sections_use_multibyte_lengths() {
        let data = vec![b'x'; 300];
        let m = module_with(&[encode_custom_section("big", &data)]);
        assert_eq!(custom_section(&m, "big").unwrap().unwrap().data.len(), 300);
    }

    #[test]
    fn rejects_non_wasm_and_truncation() {
        assert_eq!(sections(b"hello world"), Err(SectionError::NotWasm));
        let mut m = module_with(&[encode_custom_section("a", b"xyz")]);
        m.pop();
        assert_eq!(
            sections(&m),
            Err(SectionError::Malformed {
                offset: 8, what: "段长度超出文件末尾 (section runs past end of file)"
            })
        );
    }
}
