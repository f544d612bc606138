//! Request errors: stable codes hosts branch on, and the place (JSON path) each names.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Stable codes of request errors. Hosts branch on them; the text of messages may improve over time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RequestErrorCode {
    /// The text is not JSON (syntax error, truncated input).
    #[serde(rename = "E_REQ_JSON")]
    Json,
    /// A value has the wrong JSON type, a required key is missing or an unknown key is present.
    #[serde(rename = "E_REQ_SHAPE")]
    Shape,
    /// A vocabulary value the module does not know.
    #[serde(rename = "E_REQ_VOCAB")]
    UnknownValue,
    /// A date that is not `YYYY-MM-DD` or does not exist.
    #[serde(rename = "E_REQ_DATE")]
    BadDate,
    /// A field required for this record type is absent.
    #[serde(rename = "E_REQ_MISSING")]
    Missing,
    /// A field that does not belong on this record type.
    #[serde(rename = "E_REQ_MISPLACED")]
    Misplaced,
    /// Two records share an id.
    #[serde(rename = "E_REQ_DUPLICATE_ID")]
    DuplicateId,
    /// `of` names no primary record of this subject.
    #[serde(rename = "E_REQ_UNKNOWN_OF")]
    UnknownOf,
    /// A second 异议 / 信用修复 for the same record.
    #[serde(rename = "E_REQ_DUPLICATE_OF")]
    DuplicateOf,
    /// A vocabulary is too large for the bit set it is encoded in (a module defect, reported at the request).
    #[serde(rename = "E_REQ_BITSET")]
    BitSetOverflow,
}

impl RequestErrorCode {
    pub fn name(self) -> &'static str {
        match self {
            RequestErrorCode::Json => "E_REQ_JSON",
            RequestErrorCode::Shape => "E_REQ_SHAPE",
            RequestErrorCode::UnknownValue => "E_REQ_VOCAB",
            RequestErrorCode::BadDate => "E_REQ_DATE",
            RequestErrorCode::Missing => "E_REQ_MISSING",
            RequestErrorCode::Misplaced => "E_REQ_MISPLACED",
            RequestErrorCode::DuplicateId => "E_REQ_DUPLICATE_ID",
            RequestErrorCode::UnknownOf => "E_REQ_UNKNOWN_OF",
            RequestErrorCode::DuplicateOf => "E_REQ_DUPLICATE_OF",
            RequestErrorCode::BitSetOverflow => "E_REQ_BITSET",
        }
    }
}

/// A request that cannot be evaluated, naming the place (`subject.records[2].domain`; `$` for the whole text).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestError {
    pub path: String,
    pub code: RequestErrorCode,
    pub message_zh: String,
    pub message_en: String,
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}：{} / {}: {} [{}]", self.path, self.message_zh, self.path, self.message_en, self.code.name())
    }
}

impl std::error::Error for RequestError {}

pub(super) fn err(
    path: impl Into<String>,
    code: RequestErrorCode,
    zh: impl Into<String>,
    en: impl Into<String>,
) -> RequestError {
    RequestError { path: path.into(), code, message_zh: zh.into(), message_en: en.into() }
}
