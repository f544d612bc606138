//! Byte layout of ABI v3 (all integers little-endian). The prose version, with rationale, is `docs/abi.md`.
//!
//! Input  = [`INPUT_HEADER_SIZE`]-byte header, then `record_count` records of [`RECORD_SIZE`] bytes.
//! Output = [`OUTPUT_HEADER_SIZE`]-byte header, then the list, measure, incentive, notification and objection
//! entries in that order, each of its fixed size. Counts of lists, measures, incentives and notifications are
//! fixed per module (the manifest gives them); the objection count is at most the record count.

/// `"XINC"` read as a little-endian u32.
pub const INPUT_MAGIC: u32 = u32::from_le_bytes(*b"XINC");
/// `"XOUT"` read as a little-endian u32.
pub const OUTPUT_MAGIC: u32 = u32::from_le_bytes(*b"XOUT");

/// Vocabulary code meaning "absent" in any vocabulary-valued slot.
pub const NO_CODE: i32 = -1;

pub mod input_header {
    pub const MAGIC: usize = 0; // u32
    pub const ABI_VERSION: usize = 4; // u32
    pub const AS_OF: usize = 8; // i32 day number
    pub const SCENARIO: usize = 12; // i32 code in vocabulary 场景, or NO_CODE
    pub const SUBJECT_KIND: usize = 16; // i32 code in 主体类型
    pub const SUBJECT_SECTOR: usize = 20; // i32 code in 行业, or NO_CODE
    pub const RELATED_ROLES: usize = 24; // u32 bit set over 角色 codes present among related persons
    pub const RECORD_COUNT: usize = 28; // u32
}
pub const INPUT_HEADER_SIZE: usize = 32;

pub mod record {
    pub const TYPE: usize = 0; // i32 code in 记录类型
    pub const DOMAIN: usize = 4; // i32 code in 领域, or NO_CODE
    pub const SEVERITY: usize = 8; // i32 code in 严重程度, or NO_CODE
    pub const GRADE: usize = 12; // i32 code in 等级, or NO_CODE
    pub const DATE: usize = 16; // i32 day number of the decision (认定之日)
    pub const OBJECTION_FILED: usize = 20; // i32 day, or NO_DATE
    pub const OBJECTION_RESOLVED: usize = 24; // i32 day, or NO_DATE while pending
    pub const OBJECTION_UPHELD: usize = 28; // i32 1 = the record was found wrong (it is void from resolution), else 0
    pub const REPAIR_DATE: usize = 32; // i32 day repair was granted, or NO_DATE
    pub const PROCEDURE: usize = 36; // i32 code in 程序, or NO_CODE
    pub const AMOUNT: usize = 40; // f64 (yuan), NaN when absent
    pub const FLAGS: usize = 48; // u64 bit set over 标志 codes
    pub const REPAIR_CONDITIONS: usize = 56; // u64 bit set over 修复条件 codes the subject has met
}
pub const RECORD_SIZE: usize = 64;

pub const OUTPUT_HEADER_SIZE: usize = 32;
pub mod output_header {
    pub const MAGIC: usize = 0; // u32
    pub const LIST_COUNT: usize = 4; // u32
    pub const MEASURE_COUNT: usize = 8; // u32
    pub const INCENTIVE_COUNT: usize = 12; // u32
    pub const NOTIFICATION_COUNT: usize = 16; // u32
    pub const GRADE: usize = 20; // i32 level index of the policy's grading, or -1
    pub const OBJECTION_COUNT: usize = 24; // u32
    pub const ERROR_DETAIL: usize = 28; // i32 record index an error refers to, or -1
}

/// One entry per list, in manifest order.
pub mod list_entry {
    pub const STATUS: usize = 0; // i32 ListStatus
    pub const RECORD: usize = 4; // i32 index of the governing record, or -1
    pub const ENTERED: usize = 8; // i32 day
    pub const LAST_DAY: usize = 12; // i32 last day of publication / validity
    pub const EARLIEST_REPAIR: usize = 16; // i32 first day repair may take effect, or NO_DATE (not repairable)
    pub const ENDED_ON: usize = 20; // i32 first day no longer listed, or NO_DATE
    pub const REGIME: usize = 24; // i32 index of the repair regime applied, or -1
    pub const OVERRIDDEN_BY: usize = 28; // i32 list index that takes precedence, or -1
}
pub const LIST_ENTRY_SIZE: usize = 32;

/// One entry per measure, in manifest order: its status alone. The rest of a measure's outcome is not the
/// module's to say: its source list is fixed by the manifest (`MeasureInfo::trigger_list`), and its record and
/// last day are that list entry's (ABI v3; v2 repeated all three in every entry).
pub mod measure_entry {
    pub const STATUS: usize = 0; // i32 MeasureStatus
}
pub const MEASURE_ENTRY_SIZE: usize = 4;

/// One entry per incentive, in manifest order.
pub mod incentive_entry {
    pub const FAILED_CLAUSE: usize = 0; // i32 index of the first condition clause that failed, or -1 = eligible
}
pub const INCENTIVE_ENTRY_SIZE: usize = 4;

/// One entry per notification rule, in manifest order.
pub mod notification_entry {
    pub const FIRED: usize = 0; // i32 1 when the rule applies
}
pub const NOTIFICATION_ENTRY_SIZE: usize = 4;

/// One entry per record under objection on the evaluation date.
pub mod objection_entry {
    pub const RECORD: usize = 0; // i32 record index
    pub const DUE: usize = 4; // i32 day by which it must be handled, or NO_DATE when the policy sets no deadline
    pub const STATUS: usize = 8; // i32 ObjectionStatus
}
pub const OBJECTION_ENTRY_SIZE: usize = 12;

/// Status of a list entry on the evaluation date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[repr(i32)]
pub enum ListStatus {
    NotListed = 0,
    Active = 1,
    /// Entered, but every governing record is under objection: measures are suspended.
    Suspended = 2,
    Expired = 3,
    Repaired = 4,
    /// Would be listed, but a list with precedence takes over (a blacklisted subject loses red-list standing).
    Overridden = 5,
    /// Every governing record was found wrong on objection.
    Revoked = 6,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[repr(i32)]
pub enum MeasureStatus {
    NotApplicable = 0,
    Active = 1,
    Suspended = 2,
    Ended = 3,
    /// Triggered, but the request names a scenario this measure does not cover.
    OtherScenario = 4,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[repr(i32)]
pub enum ObjectionStatus {
    Pending = 0,
    Overdue = 1,
    Resolved = 2,
}

macro_rules! from_code {
    ($ty:ident { $($variant:ident),* }) => {
        impl $ty {
            /// Every status, indexed by its code (the codes are 0, 1, 2, … in declaration order).
            #[cfg(test)]
            const ALL: &[$ty] = &[$($ty::$variant),*];

            pub fn from_code(code: i32) -> Option<Self> {
                // Codes equal discriminants, so this compiles to one range check (decoding runs once per entry).
                $(if code == $ty::$variant as i32 {
                    return Some($ty::$variant);
                })*
                None
            }
        }
    };
}
from_code!(ListStatus { NotListed, Active, Suspended, Expired, Repaired, Overridden, Revoked });
from_code!(MeasureStatus { NotApplicable, Active, Suspended, Ended, OtherScenario });
from_code!(ObjectionStatus { Pending, Overdue, Resolved });

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_codes_round_trip_and_are_dense() {
        for (i, s) in ListStatus::ALL.iter().enumerate() {
            assert_eq!(*s as i32, i as i32);
            assert_eq!(ListStatus::from_code(i as i32), Some(*s));
        }
        for (i, s) in MeasureStatus::ALL.iter().enumerate() {
            assert_eq!(*s as i32, i as i32);
            assert_eq!(MeasureStatus::from_code(i as i32), Some(*s));
        }
        for (i, s) in ObjectionStatus::ALL.iter().enumerate() {
            assert_eq!(*s as i32, i as i32);
            assert_eq!(ObjectionStatus::from_code(i as i32), Some(*s));
        }
        assert_eq!((ListStatus::ALL.len(), MeasureStatus::ALL.len(), ObjectionStatus::ALL.len()), (7, 5, 3));
        for code in [-1, 7, i32::MIN, i32::MAX] {
            assert_eq!(ListStatus::from_code(code), None);
        }
        assert_eq!(MeasureStatus::from_code(5), None);
        assert_eq!(ObjectionStatus::from_code(3), None);
    }
}
