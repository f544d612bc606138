//! The host-facing request (JSON). Keys are English (API convention); vocabulary values are the Chinese terms
//! the stdlib defines. `docs/schema/request.schema.json` publishes this shape.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// Evaluation date, `YYYY-MM-DD`.
    pub as_of: String,
    /// A 场景 value (政府采购, 行政审批, …); absent = every scenario.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
    /// Also explain items that do not apply ("why not").
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub explain: bool,
    pub subject: Subject,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subject {
    /// 统一社会信用代码 or 居民身份证号码; carried through, not interpreted by the module.
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A 主体类型 value: 自然人 / 法人 / 非法人组织 / 个体工商户.
    pub kind: String,
    /// A 行业 value (机关事业单位, 国有企业, 民营企业, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sector: Option<String>,
    #[serde(default)]
    pub related: Vec<RelatedPerson>,
    #[serde(default)]
    pub records: Vec<Record>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelatedPerson {
    /// A 角色 value: 法定代表人 / 主要负责人 / 实际控制人 / 直接责任人员 / …
    pub role: String,
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A dated fact. Records of type 异议 and 信用修复 act on another record named by `of`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    pub id: String,
    /// A 记录类型 value.
    #[serde(rename = "type")]
    pub record_type: String,
    /// Decision date (认定之日), `YYYY-MM-DD`; required except on 异议 records (which use `filed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grade: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub procedure: Option<String>,
    /// Yuan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
    /// 标志 values (拒不履行, 特定严重失信, 违诺, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<String>,
    /// On 异议 / 信用修复 records: the id of the record acted on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub of: Option<String>,
    /// On 异议 records: the filing date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filed: Option<String>,
    /// On 异议 records: the date it was resolved, if it has been.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved: Option<String>,
    /// On 异议 records: whether the objection was upheld (the record was wrong).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upheld: Option<bool>,
    /// On 信用修复 records: the 修复条件 values met.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<String>,
}

/// Bounds on one request, checked before and after its JSON is parsed, so the host's own work (parsing,
/// encoding, assembling the decision) stays bounded whatever a caller sends. Exceeding one is the error code
/// [`REQUEST_LIMIT_CODE`]. Documented in `docs/embedding.md`; the CLI sets them with `--max-request-bytes` and
/// `--max-records`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestLimits {
    /// Largest request text, in bytes.
    pub max_bytes: usize,
    /// Most records (of every type) a subject may carry.
    pub max_records: usize,
    /// Most related persons a subject may carry.
    pub max_related: usize,
}

/// Default request bounds: 4 MiB of JSON, 20,000 records, 1,000 related persons (a real subject has tens).
impl Default for RequestLimits {
    fn default() -> Self {
        RequestLimits { max_bytes: 4 << 20, max_records: 20_000, max_related: 1_000 }
    }
}

/// The code of a request over its [`RequestLimits`].
pub const REQUEST_LIMIT_CODE: &str = "E_REQ_TOO_LARGE";

/// A request over a limit: where (a JSON path, `$` for the whole text) and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LimitError {
    pub path: String,
    pub message_zh: String,
    pub message_en: String,
}

impl std::fmt::Display for LimitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {} / {} [{REQUEST_LIMIT_CODE}]", self.path, self.message_zh, self.message_en)
    }
}

impl std::error::Error for LimitError {}

impl RequestLimits {
    /// Checked before parsing: the text's size.
    pub fn check_text(&self, text: &str) -> Result<(), LimitError> {
        self.check_len(text.len())
    }

    /// Checked before anything else: the size in bytes (a reader may have kept only the first `max_bytes + 1`).
    pub fn check_len(&self, len: usize) -> Result<(), LimitError> {
        if len > self.max_bytes {
            return Err(LimitError {
                path: "$".into(),
                message_zh: format!("请求超过上限 {} 字节", self.max_bytes),
                message_en: format!("the request is larger than the limit of {} bytes", self.max_bytes),
            });
        }
        Ok(())
    }

    /// Checked after parsing: the record and related-person counts.
    pub fn check_request(&self, request: &Request) -> Result<(), LimitError> {
        let records = request.subject.records.len();
        if records > self.max_records {
            return Err(LimitError {
                path: "subject.records".into(),
                message_zh: format!("主体有 {records} 条记录，超过上限 {} 条", self.max_records),
                message_en: format!("the subject has {records} records, above the limit of {}", self.max_records),
            });
        }
        let related = request.subject.related.len();
        if related > self.max_related {
            return Err(LimitError {
                path: "subject.related".into(),
                message_zh: format!("主体有 {related} 个关联人，超过上限 {} 个", self.max_related),
                message_en: format!(
                    "the subject has {related} related persons, above the limit of {}",
                    self.max_related
                ),
            });
        }
        Ok(())
    }
}
