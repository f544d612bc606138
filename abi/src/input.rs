//! The typed form of an encoded request ([`Input`]) and its ABI v3 byte encoding. The reference interpreter
//! reads [`Input`] directly; the wasm runtime writes [`Input::to_bytes`] into module memory.

use crate::date::DayNumber;
use crate::layout::{self, input_header as h, record as r};

/// One primary record (行政处罚, 荣誉, …) with its objection and repair facts folded in by the encoder.
#[derive(Clone, Debug, PartialEq)]
pub struct InputRecord {
    pub record_type: i32,
    pub domain: i32,
    pub severity: i32,
    pub grade: i32,
    pub date: DayNumber,
    pub objection_filed: DayNumber,
    pub objection_resolved: DayNumber,
    pub objection_upheld: bool,
    pub repair_date: DayNumber,
    pub procedure: i32,
    /// Yuan; NaN when absent.
    pub amount: f64,
    pub flags: u64,
    pub repair_conditions: u64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Input {
    pub as_of: DayNumber,
    pub scenario: i32,
    pub subject_kind: i32,
    pub subject_sector: i32,
    pub related_roles: u32,
    pub records: Vec<InputRecord>,
}

/// Why bytes are not a valid input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InputDecodeError {
    TooShort,
    BadMagic,
    WrongAbiVersion(u32),
    LengthMismatch { expected: usize, actual: usize },
}

fn put_i32(buf: &mut [u8], at: usize, v: i32) {
    buf[at..at + 4].copy_from_slice(&v.to_le_bytes());
}
fn put_u32(buf: &mut [u8], at: usize, v: u32) {
    buf[at..at + 4].copy_from_slice(&v.to_le_bytes());
}
fn put_u64(buf: &mut [u8], at: usize, v: u64) {
    buf[at..at + 8].copy_from_slice(&v.to_le_bytes());
}

/// Little-endian reads at an offset that the caller has bounds-checked.
pub(crate) fn get_bytes<const N: usize>(buf: &[u8], at: usize) -> [u8; N] {
    let mut out = [0u8; N];
    if let Some(src) = buf.get(at..at + N) {
        out.copy_from_slice(src);
    }
    out
}
pub(crate) fn get_i32(buf: &[u8], at: usize) -> i32 {
    i32::from_le_bytes(get_bytes(buf, at))
}
pub(crate) fn get_u32(buf: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(get_bytes(buf, at))
}
fn get_u64(buf: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(get_bytes(buf, at))
}

impl Input {
    pub fn encoded_len(&self) -> usize {
        layout::INPUT_HEADER_SIZE + self.records.len() * layout::RECORD_SIZE
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut buf = vec![0u8; self.encoded_len()];
        self.write_into(&mut buf);
        buf
    }

    /// Encodes into `buf` in place (a host writes straight into module memory this way, with no copy).
    /// Returns false, writing nothing, unless `buf.len() == self.encoded_len()`.
    pub fn write_into(&self, buf: &mut [u8]) -> bool {
        if buf.len() != self.encoded_len() {
            return false;
        }
        put_u32(buf, h::MAGIC, layout::INPUT_MAGIC);
        put_u32(buf, h::ABI_VERSION, crate::ABI_VERSION);
        put_i32(buf, h::AS_OF, self.as_of);
        put_i32(buf, h::SCENARIO, self.scenario);
        put_i32(buf, h::SUBJECT_KIND, self.subject_kind);
        put_i32(buf, h::SUBJECT_SECTOR, self.subject_sector);
        put_u32(buf, h::RELATED_ROLES, self.related_roles);
        put_u32(buf, h::RECORD_COUNT, self.records.len() as u32);
        // One 64-byte array per record: constant offsets into an array need no bounds checks.
        let records = buf[layout::INPUT_HEADER_SIZE..].as_chunks_mut::<{ layout::RECORD_SIZE }>().0;
        for (rec, buf) in self.records.iter().zip(records) {
            put_i32(buf, r::TYPE, rec.record_type);
            put_i32(buf, r::DOMAIN, rec.domain);
            put_i32(buf, r::SEVERITY, rec.severity);
            put_i32(buf, r::GRADE, rec.grade);
            put_i32(buf, r::DATE, rec.date);
            put_i32(buf, r::OBJECTION_FILED, rec.objection_filed);
            put_i32(buf, r::OBJECTION_RESOLVED, rec.objection_resolved);
            put_i32(buf, r::OBJECTION_UPHELD, rec.objection_upheld as i32);
            put_i32(buf, r::REPAIR_DATE, rec.repair_date);
            put_i32(buf, r::PROCEDURE, rec.procedure);
            put_u64(buf, r::AMOUNT, rec.amount.to_bits());
            put_u64(buf, r::FLAGS, rec.flags);
            put_u64(buf, r::REPAIR_CONDITIONS, rec.repair_conditions);
        }
        true
    }

    pub fn from_bytes(buf: &[u8]) -> Result<Self, InputDecodeError> {
        if buf.len() < layout::INPUT_HEADER_SIZE {
            return Err(InputDecodeError::TooShort);
        }
        if get_u32(buf, h::MAGIC) != layout::INPUT_MAGIC {
            return Err(InputDecodeError::BadMagic);
        }
        let version = get_u32(buf, h::ABI_VERSION);
        if version != crate::ABI_VERSION {
            return Err(InputDecodeError::WrongAbiVersion(version));
        }
        let count = get_u32(buf, h::RECORD_COUNT) as usize;
        let expected = count
            .checked_mul(layout::RECORD_SIZE)
            .and_then(|n| n.checked_add(layout::INPUT_HEADER_SIZE))
            .unwrap_or(usize::MAX);
        if expected != buf.len() {
            return Err(InputDecodeError::LengthMismatch { expected, actual: buf.len() });
        }
        let records = (0..count)
            .map(|i| {
                let base = layout::INPUT_HEADER_SIZE + i * layout::RECORD_SIZE;
                InputRecord {
                    record_type: get_i32(buf, base + r::TYPE),
                    domain: get_i32(buf, base + r::DOMAIN),
                    severity: get_i32(buf, base + r::SEVERITY),
                    grade: get_i32(buf, base + r::GRADE),
                    date: get_i32(buf, base + r::DATE),
                    objection_filed: get_i32(buf, base + r::OBJECTION_FILED),
                    objection_resolved: get_i32(buf, base + r::OBJECTION_RESOLVED),
                    objection_upheld: get_i32(buf, base + r::OBJECTION_UPHELD) != 0,
                    repair_date: get_i32(buf, base + r::REPAIR_DATE),
                    procedure: get_i32(buf, base + r::PROCEDURE),
                    amount: f64::from_bits(get_u64(buf, base + r::AMOUNT)),
                    flags: get_u64(buf, base + r::FLAGS),
                    repair_conditions: get_u64(buf, base + r::REPAIR_CONDITIONS),
                }
            })
            .collect();
        Ok(Input {
            as_of: get_i32(buf, h::AS_OF),
            scenario: get_i32(buf, h::SCENARIO),
            subject_kind: get_i32(buf, h::SUBJECT_KIND),
            subject_sector: get_i32(buf, h::SUBJECT_SECTOR),
            related_roles: get_u32(buf, h::RELATED_ROLES),
            records,
        })
    }
}
