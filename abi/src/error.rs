//! Error codes returned by `xince_evaluate` (non-zero status) and produced by hosts. Stable: hosts branch on
//! them, and the conformance suite compares them across engines.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[repr(i32)]
pub enum EvalErrorCode {
    /// Input does not start with the magic or names another ABI version.
    BadInput = 1,
    /// The evaluation date is before the policy took effect.
    NotYetInForce = 2,
    /// The evaluation date is after the policy ceased to be in force.
    NoLongerInForce = 3,
    /// A working-day count needed a date outside the calendar data (2017–2026).
    CalendarRange = 4,
    /// A record falls under no repair regime known to the module (dated before the earliest one).
    NoRegime = 5,
    /// The input is larger than the module's memory allows.
    InputTooLarge = 6,
}

impl EvalErrorCode {
    pub fn from_code(code: i32) -> Option<Self> {
        use EvalErrorCode::*;
        [BadInput, NotYetInForce, NoLongerInForce, CalendarRange, NoRegime, InputTooLarge]
            .into_iter()
            .find(|c| *c as i32 == code)
    }

    /// Stable text code, as used in JSON errors and the conformance suite.
    pub fn name(self) -> &'static str {
        match self {
            EvalErrorCode::BadInput => "E_BAD_INPUT",
            EvalErrorCode::NotYetInForce => "E_NOT_YET_IN_FORCE",
            EvalErrorCode::NoLongerInForce => "E_NO_LONGER_IN_FORCE",
            EvalErrorCode::CalendarRange => "E_CALENDAR_RANGE",
            EvalErrorCode::NoRegime => "E_NO_REGIME",
            EvalErrorCode::InputTooLarge => "E_INPUT_TOO_LARGE",
        }
    }

    pub fn message_zh(self) -> &'static str {
        match self {
            EvalErrorCode::BadInput => "输入编码无效",
            EvalErrorCode::NotYetInForce => "评估日期早于政策生效日期",
            EvalErrorCode::NoLongerInForce => "评估日期晚于政策失效日期",
            EvalErrorCode::CalendarRange => "工作日计算超出日历数据范围（2017—2026年）",
            EvalErrorCode::NoRegime => "记录日期早于已知的任何信用修复制度",
            EvalErrorCode::InputTooLarge => "输入超出模块内存上限",
        }
    }

    pub fn message_en(self) -> &'static str {
        match self {
            EvalErrorCode::BadInput => "malformed input encoding",
            EvalErrorCode::NotYetInForce => "the evaluation date is before the policy took effect",
            EvalErrorCode::NoLongerInForce => "the evaluation date is after the policy ceased to be in force",
            EvalErrorCode::CalendarRange => "a working-day count left the calendar data (2017-2026)",
            EvalErrorCode::NoRegime => "a record predates every repair regime the module knows",
            EvalErrorCode::InputTooLarge => "the input exceeds the module's memory limit",
        }
    }
}
