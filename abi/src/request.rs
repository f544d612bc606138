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
