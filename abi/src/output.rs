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
        let mut at = layout::OUTPUT_HEADER_SIZE;
        let out = self;
        out.lists.clear();
        out.measures.clear();
        out.incentives.clear();
        out.notifications.clear();
        out.objections.clear();
        out.grade = grade;
        for i in 0..lists {
            let s = get_i32(buf, at + le::STATUS);
            let status = ListStatus::from_code(s).ok_or(OutputDecodeError::BadValue {
                section: "lists",
                index: i,
                field: "status",
                value: s as i64,
            })?;
            out.lists.push(ListOutcome {
                status,
                record: record_index("lists", i, "record", get_i32(buf, at + le::RECORD))?,
                entered: get_i32(buf, at + le::ENTERED),
                last_day: get_i32(buf, at + le::LAST_DAY),
                earliest_repair: get_i32(buf, at + le::EARLIEST_REPAIR),
                ended_on: get_i32(buf, at + le::ENDED_ON),
                regime: get_i32(buf, at + le::REGIME),
                overridden_by: index_in("lists", i, "overridden_by", get_i32(buf, at + le::OVERRIDDEN_BY), lists)?,
            });
            at += layout::LIST_ENTRY_SIZE;
        }
        for i in 0..measures {
            let s = get_i32(buf, at + me::STATUS);
            let status = MeasureStatus::from_code(s).ok_or(OutputDecodeError::BadValue {
                section: "measures",
                index: i,
                field: "status",
                value: s as i64,
            })?;
            out.measures.push(MeasureOutcome {
                status,
                source: index_in("measures", i, "source", get_i32(buf, at + me::SOURCE), lists)?,
                record: record_index("measures", i, "record", get_i32(buf, at + me::RECORD))?,
                last_day: get_i32(buf, at + me::LAST_DAY),
            });
            at += layout::MEASURE_ENTRY_SIZE;
        }
        for i in 0..incentives {
            let e = get_i32(buf, at + ie::ELIGIBLE);
            if e != 0 && e != 1 {
                return Err(OutputDecodeError::BadValue {
                    section: "incentives",
                    index: i,
                    field: "eligible",
                    value: e as i64,
                });
            }
            out.incentives
                .push(IncentiveOutcome { eligible: e == 1, failed_clause: get_i32(buf, at + ie::FAILED_CLAUSE) });
            at += layout::INCENTIVE_ENTRY_SIZE;
        }
        for i in 0..notifications {
            let f = get_i32(buf, at);
            if f != 0 && f != 1 {
                return Err(OutputDecodeError::BadValue {
                    section: "notifications",
                    index: i,
                    field: "fired",
                    value: f as i64,
                });
            }
            out.notifications.push(f == 1);
            at += layout::NOTIFICATION_ENTRY_SIZE;
        }
        for i in 0..objections {
            let s = get_i32(buf, at + oe::STATUS);
            let status = ObjectionStatus::from_code(s).ok_or(OutputDecodeError::BadValue {
                section: "objections",
                index: i,
                field: "status",
                value: s as i64,
            })?;
            let record = get_i32(buf, at + oe::RECORD);
            if record < 0 || record >= shape.records as i32 {
                return Err(OutputDecodeError::BadValue {
                    section: "objections",
                    index: i,
                    field: "record",
                    value: record as i64,
                });
            }
            out.objections.push(ObjectionOutcome { record, due: get_i32(buf, at + oe::DUE), status });
            at += layout::OBJECTION_ENTRY_SIZE;
        }
        Ok(())
    }
}
