//! The typed form of a module's raw answer ([`RawOutput`]) and its ABI v3 byte encoding. Both engines produce
//! a `RawOutput`: the interpreter directly, the wasm runtime by [`RawOutput::from_bytes`], which validates
//! everything a hostile or broken module could get wrong.

use crate::date::{DayNumber, NO_DATE};
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

impl ListOutcome {
    /// The entry of a list the subject is not on (what every list scan starts from).
    pub const NOT_LISTED: ListOutcome = ListOutcome {
        status: ListStatus::NotListed,
        record: -1,
        entered: NO_DATE,
        last_day: NO_DATE,
        earliest_repair: NO_DATE,
        ended_on: NO_DATE,
        regime: -1,
        overridden_by: -1,
    };
}

/// A measure's whole outcome, as [`RawOutput::measure`] derives it: the answer says only the status.
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
    /// Each measure's status, in manifest order (the rest of its outcome: [`RawOutput::measure`]).
    pub measures: Vec<MeasureStatus>,
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

/// The shape a module's answer must have, taken from its manifest once per module
/// ([`crate::manifest::Manifest::output_shape`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OutputShape {
    pub lists: usize,
    pub measures: usize,
    /// Per incentive: how many condition clauses it has (a failed clause index must be one of them).
    pub incentive_clauses: Vec<usize>,
    pub notifications: usize,
    pub grade_levels: usize,
    /// How many repair regimes the manifest lists (a list entry's `regime` must index one, or be -1).
    pub regimes: usize,
}

/// What is wrong with a module's answer; each names the place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OutputDecodeError {
    TooShort {
        needed: usize,
        actual: usize,
    },
    BadMagic,
    CountMismatch {
        section: &'static str,
        expected: usize,
        actual: usize,
    },
    BadValue {
        section: &'static str,
        index: usize,
        field: &'static str,
        value: i64,
    },
    /// The answer is longer than its header's counts say.
    TrailingBytes {
        expected: usize,
        actual: usize,
    },
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
            OutputDecodeError::TrailingBytes { expected, actual } => write!(
                f,
                "输出长 {actual} 字节，多于其计数所示的 {expected} 字节 / output is {actual} bytes, its counts take {expected}"
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
            put_i32(&mut buf, *m as i32);
        }
        for i in &self.incentives {
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

    /// Measure `j`'s whole outcome: the status from the answer, the source from the manifest (`source`: its
    /// `trigger_list`), the record and last day from that list's entry (`-1` / `NO_DATE` without one).
    pub fn measure(&self, j: usize, source: Option<u32>) -> Option<MeasureOutcome> {
        let status = *self.measures.get(j)?;
        let list = source.and_then(|l| self.lists.get(l as usize));
        Some(MeasureOutcome {
            status,
            source: source.and_then(|l| i32::try_from(l).ok()).unwrap_or(-1),
            record: list.map_or(-1, |l| l.record),
            last_day: list.map_or(NO_DATE, |l| l.last_day),
        })
    }

    pub fn encoded_len(&self) -> usize {
        layout::OUTPUT_HEADER_SIZE
            + self.lists.len() * layout::LIST_ENTRY_SIZE
            + self.measures.len() * layout::MEASURE_ENTRY_SIZE
            + self.incentives.len() * layout::INCENTIVE_ENTRY_SIZE
            + self.notifications.len() * layout::NOTIFICATION_ENTRY_SIZE
            + self.objections.len() * layout::OBJECTION_ENTRY_SIZE
    }

    /// Decodes and validates an answer to an input of `records` primary records against the shape the
    /// manifest promises.
    pub fn from_bytes(buf: &[u8], shape: &OutputShape, records: usize) -> Result<Self, OutputDecodeError> {
        let mut out = RawOutput::default();
        out.decode_from(buf, shape, records)?;
        Ok(out)
    }

    /// [`RawOutput::from_bytes`] into `self`, reusing its vectors (a host evaluating in a loop allocates
    /// nothing once they have grown). On error `self` holds an unspecified partial answer.
    pub fn decode_from(&mut self, buf: &[u8], shape: &OutputShape, records: usize) -> Result<(), OutputDecodeError> {
        use crate::layout::{list_entry as le, objection_entry as oe, output_header as oh};
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
        let incentives = count("incentives", oh::INCENTIVE_COUNT, shape.incentive_clauses.len())?;
        let notifications = count("notifications", oh::NOTIFICATION_COUNT, shape.notifications)?;
        let objections = get_u32(buf, oh::OBJECTION_COUNT) as usize;
        if objections > records {
            return Err(OutputDecodeError::CountMismatch {
                section: "objections",
                expected: records,
                actual: objections,
            });
        }
        let grade = get_i32(buf, oh::GRADE);
        if grade < -1 || grade >= shape.grade_levels as i32 {
            return Err(bad_value("header", 0, "grade", grade));
        }
        // An answer (status 0) has no error detail; every word a module writes is checked.
        let detail = get_i32(buf, oh::ERROR_DETAIL);
        if detail != -1 {
            return Err(bad_value("header", 0, "error_detail", detail));
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
        // The answer is exactly its sections: trailing bytes are a module writing what the ABI does not define.
        if buf.len() > needed {
            return Err(OutputDecodeError::TrailingBytes { expected: needed, actual: buf.len() });
        }
        // `-1 <= v < bound` in one comparison (an index of -1 means none).
        let index_ok = |v: i32, bound: usize| (v.wrapping_add(1) as u32 as usize) <= bound;
        let out = self;
        out.grade = grade;
        // Sections are contiguous fixed-size entries read as whole words, since `needed` bytes are there.
        let body = buf.get(layout::OUTPUT_HEADER_SIZE..needed).unwrap_or_default();
        let (list_bytes, body) = body.split_at(lists * layout::LIST_ENTRY_SIZE);
        let (measure_bytes, body) = body.split_at(measures * layout::MEASURE_ENTRY_SIZE);
        let (incentive_bytes, body) = body.split_at(incentives * layout::INCENTIVE_ENTRY_SIZE);
        let (notification_bytes, objection_bytes) = body.split_at(notifications * layout::NOTIFICATION_ENTRY_SIZE);
        // The fixed-size sections are decoded in place: a reused answer already has their lengths.
        set_len(&mut out.lists, lists, ListOutcome::NOT_LISTED);
        for (i, (list, entry)) in
            out.lists.iter_mut().zip(list_bytes.as_chunks::<{ layout::LIST_ENTRY_SIZE }>().0).enumerate()
        {
            let w = words::<8>(entry);
            let s = w[le::STATUS / 4];
            let status = ListStatus::from_code(s).ok_or_else(|| bad_value("lists", i, "status", s))?;
            let (record, overridden_by) = (w[le::RECORD / 4], w[le::OVERRIDDEN_BY / 4]);
            if !index_ok(record, records) {
                return Err(bad_value("lists", i, "record", record));
            }
            if !index_ok(overridden_by, lists) {
                return Err(bad_value("lists", i, "overridden_by", overridden_by));
            }
            let regime = w[le::REGIME / 4];
            if !index_ok(regime, shape.regimes) {
                return Err(bad_value("lists", i, "regime", regime));
            }
            *list = ListOutcome {
                status,
                record,
                entered: w[le::ENTERED / 4],
                last_day: w[le::LAST_DAY / 4],
                earliest_repair: w[le::EARLIEST_REPAIR / 4],
                ended_on: w[le::ENDED_ON / 4],
                regime,
                overridden_by,
            };
        }
        // The hot sections (every measure and incentive of every decision) are decoded without a branch per
        // entry: invalid codes are noted and reported after the loop, by a second look at the bad entry.
        let mut valid = true;
        set_len(&mut out.measures, measures, MeasureStatus::NotApplicable);
        for (status, w) in out.measures.iter_mut().zip(measure_bytes.as_chunks::<4>().0) {
            let decoded = MeasureStatus::from_code(i32::from_le_bytes(*w));
            valid &= decoded.is_some();
            *status = decoded.unwrap_or(MeasureStatus::NotApplicable);
        }
        set_len(&mut out.incentives, incentives, IncentiveOutcome { eligible: true, failed_clause: -1 });
        for ((incentive, w), &clauses) in
            out.incentives.iter_mut().zip(incentive_bytes.as_chunks::<4>().0).zip(&shape.incentive_clauses)
        {
            let failed_clause = i32::from_le_bytes(*w);
            valid &= index_ok(failed_clause, clauses);
            *incentive = IncentiveOutcome { eligible: failed_clause == -1, failed_clause };
        }
        if !valid {
            return Err(first_bad_entry(measure_bytes, incentive_bytes, shape));
        }
        out.notifications.clear();
        for (i, entry) in notification_bytes.chunks_exact(layout::NOTIFICATION_ENTRY_SIZE).enumerate() {
            let f = words::<1>(entry)[0];
            if f != 0 && f != 1 {
                return Err(bad_value("notifications", i, "fired", f));
            }
            out.notifications.push(f == 1);
        }
        out.objections.clear();
        for (i, entry) in objection_bytes.chunks_exact(layout::OBJECTION_ENTRY_SIZE).enumerate() {
            let w = words::<3>(entry);
            let s = w[oe::STATUS / 4];
            let status = ObjectionStatus::from_code(s).ok_or_else(|| bad_value("objections", i, "status", s))?;
            let record = w[oe::RECORD / 4];
            if record < 0 || record >= records as i32 {
                return Err(bad_value("objections", i, "record", record));
            }
            out.objections.push(ObjectionOutcome { record, due: w[oe::DUE / 4], status });
        }
        Ok(())
    }
}

/// Makes `v` `len` long (filled with `fill` when it changes length): decoding then overwrites every entry.
fn set_len<T: Clone>(v: &mut Vec<T>, len: usize, fill: T) {
    if v.len() != len {
        v.clear();
        v.resize(len, fill);
    }
}

fn bad_value(section: &'static str, index: usize, field: &'static str, value: i32) -> OutputDecodeError {
    OutputDecodeError::BadValue { section, index, field, value: value as i64 }
}

/// The first invalid measure status or incentive clause index (called only once the fast path saw one).
fn first_bad_entry(measures: &[u8], incentives: &[u8], shape: &OutputShape) -> OutputDecodeError {
    let words = |bytes: &[u8]| bytes.as_chunks::<4>().0.iter().map(|w| i32::from_le_bytes(*w)).collect::<Vec<_>>();
    if let Some((i, code)) =
        words(measures).into_iter().enumerate().find(|(_, c)| MeasureStatus::from_code(*c).is_none())
    {
        return bad_value("measures", i, "status", code);
    }
    let bad_clause = words(incentives)
        .into_iter()
        .zip(&shape.incentive_clauses)
        .enumerate()
        .find(|(_, (v, clauses))| *v < -1 || *v >= **clauses as i32);
    match bad_clause {
        Some((i, (v, _))) => bad_value("incentives", i, "failed_clause", v),
        // Unreachable when called as documented; still an error, never a silent success.
        None => bad_value("measures", 0, "status", -1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape() -> OutputShape {
        OutputShape {
            lists: 1,
            measures: 3,
            incentive_clauses: vec![2, 1],
            notifications: 1,
            grade_levels: 0,
            regimes: 1,
        }
    }

    fn answer() -> RawOutput {
        RawOutput {
            lists: vec![ListOutcome {
                status: ListStatus::Active,
                record: 1,
                entered: 100,
                last_day: 200,
                earliest_repair: 150,
                ended_on: NO_DATE,
                regime: 0,
                overridden_by: -1,
            }],
            measures: vec![MeasureStatus::Active, MeasureStatus::OtherScenario, MeasureStatus::NotApplicable],
            incentives: vec![
                IncentiveOutcome { eligible: false, failed_clause: 1 },
                IncentiveOutcome { eligible: true, failed_clause: -1 },
            ],
            notifications: vec![true],
            grade: -1,
            objections: vec![ObjectionOutcome { record: 0, due: NO_DATE, status: ObjectionStatus::Pending }],
        }
    }

    #[test]
    fn answers_round_trip_and_measures_take_the_rest_from_their_list() {
        let bytes = answer().to_bytes();
        assert_eq!(bytes.len(), answer().encoded_len());
        let decoded = RawOutput::from_bytes(&bytes, &shape(), 2).unwrap();
        assert_eq!(decoded, answer());
        let whole = decoded.measure(0, Some(0)).unwrap();
        assert_eq!(whole, MeasureOutcome { status: MeasureStatus::Active, source: 0, record: 1, last_day: 200 });
        let by_condition = decoded.measure(2, None).unwrap();
        assert_eq!((by_condition.source, by_condition.record, by_condition.last_day), (-1, -1, NO_DATE));
        // A list index the answer does not have gives no record (the manifest is checked elsewhere).
        assert_eq!(decoded.measure(1, Some(5)).map(|m| (m.source, m.record)), Some((5, -1)));
        assert_eq!(decoded.measure(3, Some(0)), None);
    }

    #[test]
    fn the_first_bad_measure_or_clause_is_named() {
        let measure_at = |j: usize| layout::OUTPUT_HEADER_SIZE + layout::LIST_ENTRY_SIZE + 4 * j;
        let incentive_at = |k: usize| measure_at(3) + 4 * k;
        let with = |at: usize, v: i32| {
            let mut b = answer().to_bytes();
            b[at..at + 4].copy_from_slice(&v.to_le_bytes());
            RawOutput::from_bytes(&b, &shape(), 2).unwrap_err()
        };
        let bad = |section, index, field, value| OutputDecodeError::BadValue { section, index, field, value };
        assert_eq!(with(measure_at(2), 5), bad("measures", 2, "status", 5));
        assert_eq!(with(measure_at(1), -1), bad("measures", 1, "status", -1));
        assert_eq!(with(incentive_at(0), 2), bad("incentives", 0, "failed_clause", 2));
        assert_eq!(with(incentive_at(1), 1), bad("incentives", 1, "failed_clause", 1));
        assert_eq!(with(incentive_at(1), -2), bad("incentives", 1, "failed_clause", -2));
        // Both wrong: the measure (earlier in the answer) is reported.
        let mut b = answer().to_bytes();
        b[measure_at(0)..measure_at(0) + 4].copy_from_slice(&9i32.to_le_bytes());
        b[incentive_at(0)..incentive_at(0) + 4].copy_from_slice(&7i32.to_le_bytes());
        assert_eq!(RawOutput::from_bytes(&b, &shape(), 2).unwrap_err(), bad("measures", 0, "status", 9));
    }
}
