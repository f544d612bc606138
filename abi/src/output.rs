//! The typed form of a module's raw answer ([`RawOutput`]) and its ABI v2 byte encoding. Both engines produce
//! a `RawOutput`: the interpreter directly, the wasm runtime by [`RawOutput::from_bytes`], which validates
//! everything a hostile or broken module could get wrong.

use crate::date::DayNumber;
use crate::input::{get_i32, get_u32};
use crate::layout::{self, ListStatus, MeasureStatus, ObjectionStatus};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListOutcome {
    pub status: ListStatus,
    pub record: i32,
    pub entered: DayNumber,
    pub last_day: DayNumber,
    pub earliest_repair: DayNumber,
    pub ended_on: DayNumber,
    pub regime: i32,
    pub overridden_by: i32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeasureOutcome {
    pub status: MeasureStatus,
    pub source: i32,
    pub record: i32,
    pub last_day: DayNumber,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IncentiveOutcome {
    pub eligible: bool,
    pub failed_clause: i32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectionOutcome {
    pub record: i32,
    pub due: DayNumber,
    pub status: ObjectionStatus,
}

/// `Default` is the empty answer (no sections, no grade): a buffer for [`RawOutput::decode_from`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawOutput {
    pub lists: Vec<ListOutcome>,
    pub measures: Vec<MeasureOutcome>,
    pub incentives: Vec<IncentiveOutcome>,
    pub notifications: Vec<bool>,
    pub grade: i32,
    pub objections: Vec<ObjectionOutcome>,
}

impl Default for RawOutput {
    fn default() -> Self {
        RawOutput {
            lists: Vec::new(),
            measures: Vec::new(),
            incentives: Vec::new(),
            notifications: Vec::new(),
            grade: -1,
            objections: Vec::new(),
        }
    }
}

/// The shape a module's answer must have, taken from its manifest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutputShape {
    pub lists: usize,
    pub measures: usize,
    pub incentives: usize,
    pub notifications: usize,
    pub grade_levels: usize,
    pub records: usize,
}

/// What is wrong with a module's answer; each names the place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OutputDecodeError {
    TooShort { needed: usize, actual: usize },
    BadMagic,
    CountMismatch { section: &'static str, expected: usize, actual: usize },
    BadValue { section: &'static str, index: usize, field: &'static str, value: i64 },
}

impl std::fmt::Display for OutputDecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OutputDecodeError::TooShort { needed, actual } => {
                write!(
                    f,
                    "输出过短：需要 {needed} 字节，实际 {actual} 字节 / output too short: {needed} bytes needed, {actual} given"
                )
            }
            OutputDecodeError::BadMagic => f.write_str("输出标识错误 / output magic is wrong"),
            OutputDecodeError::CountMismatch { section, expected, actual } => write!(
                f,
                "输出 {section} 数量不符：应为 {expected}，实际 {actual} / output {section} count {actual}, expected {expected}"
            ),
            OutputDecodeError::BadValue { section, index, field, value } => write!(
                f,
                "输出 {section}[{index}].{field} 取值 {value} 无效 / output {section}[{index}].{field} has invalid value {value}"
            ),
        }
    }
}

impl std::error::Error for OutputDecodeError {}

/// The first `N` little-endian words of `entry` (zero where it is shorter: callers pass whole entries).
fn words<const N: usize>(entry: &[u8]) -> [i32; N] {
    let mut out = [0i32; N];
    for (word, bytes) in out.iter_mut().zip(entry.as_chunks::<4>().0) {
        *word = i32::from_le_bytes(*bytes);
    }
    out
}

fn put_i32(buf: &mut Vec<u8>, v: i32) {
    buf.extend_from_slice(&v.to_le_bytes());
}

impl RawOutput {
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut buf = Vec::with_capacity(self.encoded_len());
        put_i32(&mut buf, layout::OUTPUT_MAGIC as i32);
        put_i32(&mut buf, self.lists.len() as i32);
        put_i32(&mut buf, self.measures.len() as i32);
        put_i32(&mut buf, self.incentives.len() as i32);
        put_i32(&mut buf, self.notifications.len() as i32);
        put_i32(&mut buf, self.grade);
        put_i32(&mut buf, self.objections.len() as i32);
        put_i32(&mut buf, -1);
        for l in &self.lists {
            for v in [
                l.status as i32,
                l.record,
                l.entered,
                l.last_day,
                l.earliest_repair,
                l.ended_on,
                l.regime,
                l.overridden_by,
            ] {
                put_i32(&mut buf, v);
            }
        }
        for m in &self.measures {
            for v in [m.status as i32, m.source, m.record, m.last_day] {
                put_i32(&mut buf, v);
            }
        }
        for i in &self.incentives {
            put_i32(&mut buf, i.eligible as i32);
            put_i32(&mut buf, i.failed_clause);
        }
        for n in &self.notifications {
            put_i32(&mut buf, *n as i32);
        }
        for o in &self.objections {
            for v in [o.record, o.due, o.status as i32] {
                put_i32(&mut buf, v);
            }
        }
        buf
    }

    pub fn encoded_len(&self) -> usize {
        layout::OUTPUT_HEADER_SIZE
            + self.lists.len() * layout::LIST_ENTRY_SIZE
            + self.measures.len() * layout::MEASURE_ENTRY_SIZE
            + self.incentives.len() * layout::INCENTIVE_ENTRY_SIZE
            + self.notifications.len() * layout::NOTIFICATION_ENTRY_SIZE
            + self.objections.len() * layout::OBJECTION_ENTRY_SIZE
    }

    /// Decodes and validates an answer against the shape the manifest promises.
    pub fn from_bytes(buf: &[u8], shape: OutputShape) -> Result<Self, OutputDecodeError> {
        let mut out = RawOutput::default();
        out.decode_from(buf, shape)?;
        Ok(out)
    }

    /// [`RawOutput::from_bytes`] into `self`, reusing its vectors (a host evaluating in a loop allocates
    /// nothing once they have grown). On error `self` holds an unspecified partial answer.
    pub fn decode_from(&mut self, buf: &[u8], shape: OutputShape) -> Result<(), OutputDecodeError> {
        use crate::layout::{
            incentive_entry as ie, list_entry as le, measure_entry as me, objection_entry as oe, output_header as oh,
        };
        if buf.len() < layout::OUTPUT_HEADER_SIZE {
            return Err(OutputDecodeError::TooShort { needed: layout::OUTPUT_HEADER_SIZE, actual: buf.len() });
        }
        if get_u32(buf, oh::MAGIC) != layout::OUTPUT_MAGIC {
            return Err(OutputDecodeError::BadMagic);
        }
        let count = |section: &'static str, at: usize, expected: usize| -> Result<usize, OutputDecodeError> {
            let actual = get_u32(buf, at) as usize;
            if actual != expected {
                return Err(OutputDecodeError::CountMismatch { section, expected, actual });
            }
            Ok(actual)
        };
        let lists = count("lists", oh::LIST_COUNT, shape.lists)?;
        let measures = count("measures", oh::MEASURE_COUNT, shape.measures)?;
        let incentives = count("incentives", oh::INCENTIVE_COUNT, shape.incentives)?;
        let notifications = count("notifications", oh::NOTIFICATION_COUNT, shape.notifications)?;
        let objections = get_u32(buf, oh::OBJECTION_COUNT) as usize;
        if objections > shape.records {
            return Err(OutputDecodeError::CountMismatch {
                section: "objections",
                expected: shape.records,
                actual: objections,
            });
        }
        let grade = get_i32(buf, oh::GRADE);
        if grade < -1 || grade >= shape.grade_levels as i32 {
            return Err(OutputDecodeError::BadValue {
                section: "header",
                index: 0,
                field: "grade",
                value: grade as i64,
            });
        }
        let needed = layout::OUTPUT_HEADER_SIZE
            + lists * layout::LIST_ENTRY_SIZE
            + measures * layout::MEASURE_ENTRY_SIZE
            + incentives * layout::INCENTIVE_ENTRY_SIZE
            + notifications * layout::NOTIFICATION_ENTRY_SIZE
            + objections * layout::OBJECTION_ENTRY_SIZE;
        if buf.len() < needed {
            return Err(OutputDecodeError::TooShort { needed, actual: buf.len() });
        }
        let record_index = |section: &'static str, index: usize, field: &'static str, v: i32| {
            if v < -1 || v >= shape.records as i32 {
                Err(OutputDecodeError::BadValue { section, index, field, value: v as i64 })
            } else {
                Ok(v)
            }
        };
        let index_in = |section: &'static str, index: usize, field: &'static str, v: i32, bound: usize| {
            if v < -1 || v >= bound as i32 {
                Err(OutputDecodeError::BadValue { section, index, field, value: v as i64 })
            } else {
                Ok(v)
            }
        };
        let out = self;
        out.lists.clear();
        out.measures.clear();
        out.incentives.clear();
        out.notifications.clear();
        out.objections.clear();
        out.grade = grade;
        // Sections are contiguous fixed-size entries: each is read as whole words (one length check per
        // entry, not per field), since `needed` bytes are known to be there.
        let body = buf.get(layout::OUTPUT_HEADER_SIZE..needed).unwrap_or_default();
        let (list_bytes, body) = body.split_at(lists * layout::LIST_ENTRY_SIZE);
        let (measure_bytes, body) = body.split_at(measures * layout::MEASURE_ENTRY_SIZE);
        let (incentive_bytes, body) = body.split_at(incentives * layout::INCENTIVE_ENTRY_SIZE);
        let (notification_bytes, objection_bytes) = body.split_at(notifications * layout::NOTIFICATION_ENTRY_SIZE);
        for (i, entry) in list_bytes.chunks_exact(layout::LIST_ENTRY_SIZE).enumerate() {
            let w = words::<8>(entry);
            let s = w[le::STATUS / 4];
            let status = ListStatus::from_code(s).ok_or(OutputDecodeError::BadValue {
                section: "lists",
                index: i,
                field: "status",
                value: s as i64,
            })?;
            out.lists.push(ListOutcome {
                status,
                record: record_index("lists", i, "record", w[le::RECORD / 4])?,
                entered: w[le::ENTERED / 4],
                last_day: w[le::LAST_DAY / 4],
                earliest_repair: w[le::EARLIEST_REPAIR / 4],
                ended_on: w[le::ENDED_ON / 4],
                regime: w[le::REGIME / 4],
                overridden_by: index_in("lists", i, "overridden_by", w[le::OVERRIDDEN_BY / 4], lists)?,
            });
        }
        out.measures.reserve(measures);
        for (i, entry) in measure_bytes.as_chunks::<{ layout::MEASURE_ENTRY_SIZE }>().0.iter().enumerate() {
            let w = words::<4>(entry);
            let (s, source, record) = (w[me::STATUS / 4], w[me::SOURCE / 4], w[me::RECORD / 4]);
            let last_day = w[me::LAST_DAY / 4];
            // The common case in one test each (an index of -1 means none): the hot path of every decision.
            let status = MeasureStatus::from_code(s);
            let in_range = |v: i32, bound: usize| (v.wrapping_add(1) as u32 as usize) <= bound;
            match status {
                Some(status) if in_range(source, lists) && in_range(record, shape.records) => {
                    out.measures.push(MeasureOutcome { status, source, record, last_day });
                }
                _ => {
                    let bad = |field, value: i32| OutputDecodeError::BadValue {
                        section: "measures",
                        index: i,
                        field,
                        value: value as i64,
                    };
                    return Err(match status {
                        None => bad("status", s),
                        Some(_) if !in_range(source, lists) => bad("source", source),
                        Some(_) => bad("record", record),
                    });
                }
            }
        }
        for (i, entry) in incentive_bytes.chunks_exact(layout::INCENTIVE_ENTRY_SIZE).enumerate() {
            let w = words::<2>(entry);
            let e = w[ie::ELIGIBLE / 4];
            if e != 0 && e != 1 {
                return Err(OutputDecodeError::BadValue {
                    section: "incentives",
                    index: i,
                    field: "eligible",
                    value: e as i64,
                });
            }
            out.incentives.push(IncentiveOutcome { eligible: e == 1, failed_clause: w[ie::FAILED_CLAUSE / 4] });
        }
        for (i, entry) in notification_bytes.chunks_exact(layout::NOTIFICATION_ENTRY_SIZE).enumerate() {
            let f = words::<1>(entry)[0];
            if f != 0 && f != 1 {
                return Err(OutputDecodeError::BadValue {
                    section: "notifications",
                    index: i,
                    field: "fired",
                    value: f as i64,
                });
            }
            out.notifications.push(f == 1);
        }
        for (i, entry) in objection_bytes.chunks_exact(layout::OBJECTION_ENTRY_SIZE).enumerate() {
            let w = words::<3>(entry);
            let s = w[oe::STATUS / 4];
            let status = ObjectionStatus::from_code(s).ok_or(OutputDecodeError::BadValue {
                section: "objections",
                index: i,
                field: "status",
                value: s as i64,
            })?;
            let record = w[oe::RECORD / 4];
            if record < 0 || record >= shape.records as i32 {
                return Err(OutputDecodeError::BadValue {
                    section: "objections",
                    index: i,
                    field: "record",
                    value: record as i64,
                });
            }
            out.objections.push(ObjectionOutcome { record, due: w[oe::DUE / 4], status });
        }
        Ok(())
    }
}
