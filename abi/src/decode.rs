//! Request JSON → [`crate::input::Input`] (with JSON-path errors), and [`crate::output::RawOutput`] →
//! [`crate::decision::Decision`] (citations, targets, trace). Shared by every engine so they cannot drift.
//!
//! - [`parse_request`]: JSON text → [`Request`], every error naming the JSON path (or line/column).
//! - [`encode_request`]: [`Request`] → [`Input`] against a module's [`Manifest`] (vocabulary codes, day
//!   numbers, objection/repair records folded into the record they act on).
//! - [`decide`]: a raw answer → the host-facing [`Decision`] with citations, targets and a bilingual trace.

use crate::date::{CivilDate, DateError, DayNumber, NO_DATE};
use crate::decision::Decision;
use crate::decision::borrowed::{
    self, Day, GradeItem, IncentiveItem, ItemName, ListItem, MeasureItem, NotificationItem, ObjectionItem, PolicyRef,
    RepairEligibility, SubjectRef, Target, TraceLine,
};
use crate::input::{Input, InputRecord};
use crate::layout::{ListStatus, MeasureStatus, NO_CODE, ObjectionStatus};
use crate::manifest::{Citation, Manifest, vocab_names as v};
use crate::output::RawOutput;
use crate::request::{Record, Request};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
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

fn err(path: impl Into<String>, code: RequestErrorCode, zh: impl Into<String>, en: impl Into<String>) -> RequestError {
    RequestError { path: path.into(), code, message_zh: zh.into(), message_en: en.into() }
}

// ---------------------------------------------------------------------------------------------------------
// parse_request

/// Parses request JSON. Syntax errors give line and column; shape errors (wrong type, missing or unknown key)
/// give the JSON path of the offending value.
pub fn parse_request(json: &str) -> Result<Request, RequestError> {
    // Happy path without path tracking (it costs about as much as the parse itself); on any failure the text is
    // parsed again with tracking, so an error names exactly the place it always has.
    if let Ok(request) = serde_json::from_str::<Request>(json) {
        return Ok(request);
    }
    parse_request_located(json)
}

/// A request already parsed as JSON (a test case's `request`, an HTTP body): the same shape checks and
/// error paths as [`parse_request`], without turning the value back into text.
pub fn request_from_value(value: serde_json::Value) -> Result<Request, RequestError> {
    serde_path_to_error::deserialize(value).map_err(shape_error)
}

/// The located parse: every error names its JSON path (or line and column).
fn parse_request_located(json: &str) -> Result<Request, RequestError> {
    let mut de = serde_json::Deserializer::from_str(json);
    let result: Result<Request, _> = serde_path_to_error::deserialize(&mut de);
    let request = match result {
        Ok(r) => r,
        Err(e) => return Err(shape_error(e)),
    };
    // Trailing garbage after the object is a syntax error too.
    if let Err(e) = de.end() {
        return Err(syntax_error(&e));
    }
    Ok(request)
}

fn syntax_error(e: &serde_json::Error) -> RequestError {
    let (line, column) = (e.line(), e.column());
    let detail = strip_position(&e.to_string());
    let zh = if e.is_eof() {
        format!("JSON 不完整（第 {line} 行第 {column} 列意外结束）")
    } else {
        format!("JSON 语法错误（第 {line} 行第 {column} 列）：{}", json_syntax_zh(&detail))
    };
    err("$", RequestErrorCode::Json, zh, format!("invalid JSON at line {line}, column {column}: {detail}"))
}

fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(at) => msg[..at].to_string(),
        None => msg.to_string(),
    }
}

fn json_syntax_zh(detail: &str) -> String {
    let known: [(&str, &str); 8] = [
        ("expected value", "此处应为一个值"),
        ("expected `,` or `}`", "此处应为 , 或 }"),
        ("expected `,` or `]`", "此处应为 , 或 ]"),
        ("expected `:`", "此处应为 :"),
        ("key must be a string", "键必须是字符串"),
        ("trailing comma", "多余的逗号"),
        ("trailing characters", "JSON 之后还有多余字符"),
        ("control character", "字符串中有未转义的控制字符"),
    ];
    known.iter().find(|(en, _)| detail.contains(en)).map_or_else(|| detail.to_string(), |(_, zh)| (*zh).to_string())
}

fn shape_error(e: serde_path_to_error::Error<serde_json::Error>) -> RequestError {
    let path = match e.path().to_string() {
        p if p == "." || p.is_empty() => String::new(),
        p => p,
    };
    let inner = e.inner();
    if inner.is_syntax() || inner.is_eof() || inner.is_io() {
        return syntax_error(inner);
    }
    let detail = strip_position(&inner.to_string());
    let join = |field: &str| if path.is_empty() { field.to_string() } else { format!("{path}.{field}") };
    let shown = |p: &str| if p.is_empty() { "$".to_string() } else { p.to_string() };
    if let Some(field) = backticked_after(&detail, "missing field ") {
        let p = join(&field);
        return err(
            p,
            RequestErrorCode::Shape,
            format!("缺少必填字段 {field}"),
            format!("missing required field `{field}`"),
        );
    }
    if let Some(field) = backticked_after(&detail, "unknown field ") {
        let expected = detail.split_once(", expected ").map(|(_, rest)| rest.to_string()).unwrap_or_default();
        // serde_path_to_error's path already ends at the unknown key.
        return err(
            shown(&path),
            RequestErrorCode::Shape,
            format!("未知字段 {field}（可用字段：{}）", expected.replace("one of ", "")),
            format!("unknown field `{field}`, expected {expected}"),
        );
    }
    if let Some(rest) = detail.strip_prefix("invalid type: ") {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, "?"));
        return err(
            shown(&path),
            RequestErrorCode::Shape,
            format!("类型错误：应为 {}，实际为 {}", type_zh(expected), type_zh(found)),
            format!("wrong type: expected {expected}, found {found}"),
        );
    }
    err(shown(&path), RequestErrorCode::Shape, format!("取值无效：{detail}"), format!("invalid value: {detail}"))
}

fn backticked_after(text: &str, prefix: &str) -> Option<String> {
    let rest = text.strip_prefix(prefix)?.strip_prefix('`')?;
    rest.split_once('`').map(|(name, _)| name.to_string())
}

/// Chinese names of the JSON types serde mentions.
fn type_zh(text: &str) -> String {
    let t = text.trim();
    let base = if t.starts_with("a string") || t.starts_with("string") {
        "字符串"
    } else if t.starts_with("a boolean") || t.starts_with("boolean") {
        "布尔值"
    } else if t.starts_with("integer")
        || t.starts_with("floating point")
        || t.starts_with("f64")
        || t.starts_with("a number")
    {
        "数字"
    } else if t.starts_with("a sequence") || t.starts_with("sequence") {
        "数组"
    } else if t.starts_with("map") || t.starts_with("struct") || t.starts_with("a map") {
        "对象"
    } else if t == "null" || t.starts_with("unit") {
        "null"
    } else {
        return t.to_string();
    };
    format!("{base}（{t}）")
}

// ---------------------------------------------------------------------------------------------------------
// encode_request

fn is_objection(r: &Record) -> bool {
    r.record_type == v::OBJECTION_RECORD
}
fn is_repair(r: &Record) -> bool {
    r.record_type == v::REPAIR_RECORD
}
fn is_primary(r: &Record) -> bool {
    !is_objection(r) && !is_repair(r)
}

/// The primary records of a request, in request order: record index `i` in an answer is the `i`-th of these.
pub fn primary_records(request: &Request) -> Vec<&Record> {
    request.subject.records.iter().filter(|r| is_primary(r)).collect()
}

fn vocab_display(name: &str) -> String {
    format!("「{name}」")
}

/// Character-level edit distance (Chinese values are short; characters, not bytes, are the unit). Also used by
/// the compiler's did-you-mean.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The closest vocabulary value, if one is close enough to be a plausible typo.
pub fn did_you_mean<'a>(value: &str, candidates: &'a [String]) -> Option<&'a str> {
    let len = value.chars().count();
    candidates
        .iter()
        .map(|c| {
            // A value contained in another (食品 vs 食品药品) is a strong hint even when the distance is large.
            let d = if c.contains(value) || value.contains(c.as_str()) { 1 } else { edit_distance(value, c) };
            (d, c)
        })
        .filter(|(d, c)| *d <= (len.max(c.chars().count()) / 2).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c.as_str())
}

struct Encoder<'m> {
    manifest: &'m Manifest,
}

impl Encoder<'_> {
    fn values(&self, vocab: &str) -> &[String] {
        self.manifest.vocab.get(vocab).map_or(&[], Vec::as_slice)
    }

    fn code(&self, vocab: &str, value: &str, path: impl fmt::Display) -> Result<i32, RequestError> {
        if let Some(code) = self.manifest.code(vocab, value) {
            return Ok(code);
        }
        let values = self.values(vocab);
        let hint = did_you_mean(value, values);
        let (listing, listing_en) = if values.len() <= 12 {
            (values.join("、"), values.join(", "))
        } else {
            (
                format!("{} 等 {} 项", values[..12].join("、"), values.len()),
                format!("{}, … ({} in all)", values[..12].join(", "), values.len()),
            )
        };
        let (zh_hint, en_hint) = match hint {
            Some(h) => (format!("是否想写「{h}」？"), format!(" Did you mean \"{h}\"?")),
            None => (String::new(), String::new()),
        };
        Err(err(
            path.to_string(),
            RequestErrorCode::UnknownValue,
            format!("「{value}」不是词表{}中的值。{zh_hint}可用值：{listing}", vocab_display(vocab)),
            format!("\"{value}\" is not a value of vocabulary {vocab}.{en_hint} Known values: {listing_en}"),
        ))
    }

    fn opt_code(&self, vocab: &str, value: Option<&String>, path: impl fmt::Display) -> Result<i32, RequestError> {
        value.map_or(Ok(NO_CODE), |s| self.code(vocab, s, path))
    }

    fn bits(&self, vocab: &str, values: &[String], path: impl fmt::Display, width: u32) -> Result<u64, RequestError> {
        let mut set = 0u64;
        for (i, value) in values.iter().enumerate() {
            let at = Indexed(&path, i);
            let code = self.code(vocab, value, at)?;
            if code < 0 || code as u32 >= width {
                return Err(err(
                    at.to_string(),
                    RequestErrorCode::BitSetOverflow,
                    format!("词表{}的值「{value}」编号 {code} 超出 {width} 位集合", vocab_display(vocab)),
                    format!("value \"{value}\" of vocabulary {vocab} has code {code}, beyond the {width}-bit set"),
                ));
            }
            set |= 1u64 << code;
        }
        Ok(set)
    }
}

/// `subject.records[i]`, written out only when an error names it (the happy path builds no path text).
#[derive(Clone, Copy)]
struct RecordAt(usize);

impl RecordAt {
    fn field(self, name: &'static str) -> Field {
        Field(self, name)
    }
}

impl fmt::Display for RecordAt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "subject.records[{}]", self.0)
    }
}

/// `subject.records[i].name`.
#[derive(Clone, Copy)]
struct Field(RecordAt, &'static str);

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.0, self.1)
    }
}

/// `path[i]`.
#[derive(Clone, Copy)]
struct Indexed<P>(P, usize);

impl<P: fmt::Display> fmt::Display for Indexed<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]", self.0, self.1)
    }
}

fn date(text: &str, path: impl fmt::Display) -> Result<DayNumber, RequestError> {
    CivilDate::parse(text).map(CivilDate::to_days).map_err(|e| match e {
        DateError::Format => err(
            path.to_string(),
            RequestErrorCode::BadDate,
            format!("日期「{text}」格式应为 YYYY-MM-DD（如 2024-05-01）"),
            format!("date \"{text}\" must be YYYY-MM-DD (e.g. 2024-05-01)"),
        ),
        DateError::Impossible => err(
            path.to_string(),
            RequestErrorCode::BadDate,
            format!("日期「{text}」不存在"),
            format!("date \"{text}\" does not exist"),
        ),
    })
}

fn missing(path: RecordAt, field: &'static str, record_type: &str) -> RequestError {
    err(
        path.field(field).to_string(),
        RequestErrorCode::Missing,
        format!("「{record_type}」记录必须有 {field}"),
        format!("a \"{record_type}\" record requires `{field}`"),
    )
}

fn misplaced(path: RecordAt, field: &'static str, record_type: &str) -> RequestError {
    err(
        path.field(field).to_string(),
        RequestErrorCode::Misplaced,
        format!("「{record_type}」记录不应有 {field}"),
        format!("a \"{record_type}\" record must not have `{field}`"),
    )
}

/// Encodes a request for a module: vocabulary values → codes, dates → day numbers, 异议 / 信用修复 records
/// folded into the record they act on. Primary records keep request order.
pub fn encode_request(manifest: &Manifest, request: &Request) -> Result<Input, RequestError> {
    let enc = Encoder { manifest };
    let as_of = date(&request.as_of, "as_of")?;
    let scenario = enc.opt_code(v::SCENARIO, request.scenario.as_ref(), "scenario")?;
    let subject = &request.subject;
    let subject_kind = enc.code(v::SUBJECT_KIND, &subject.kind, "subject.kind")?;
    let subject_sector = enc.opt_code(v::SECTOR, subject.sector.as_ref(), "subject.sector")?;
    let mut related_roles = 0u32;
    for (i, person) in subject.related.iter().enumerate() {
        let roles = std::slice::from_ref(&person.role);
        related_roles |=
            enc.bits(v::ROLE, roles, "", 32)
                .map_err(|e| RequestError { path: format!("subject.related[{i}].role"), ..e })? as u32;
    }

    // First pass: ids and primary records.
    let mut index_of: HashMap<&str, usize> = HashMap::new();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut records = Vec::new();
    for (i, rec) in subject.records.iter().enumerate() {
        let path = RecordAt(i);
        if let Some(first) = seen.insert(rec.id.as_str(), i) {
            return Err(err(
                path.field("id").to_string(),
                RequestErrorCode::DuplicateId,
                format!("记录编号「{}」与 subject.records[{first}] 重复", rec.id),
                format!("record id \"{}\" repeats subject.records[{first}]", rec.id),
            ));
        }
        if !is_primary(rec) {
            continue;
        }
        if rec.of.is_some() {
            return Err(misplaced(path, "of", &rec.record_type));
        }
        for (field, present) in [
            ("filed", rec.filed.is_some()),
            ("resolved", rec.resolved.is_some()),
            ("upheld", rec.upheld.is_some()),
            ("conditions", !rec.conditions.is_empty()),
        ] {
            if present {
                return Err(misplaced(path, field, &rec.record_type));
            }
        }
        let record_type = enc.code(v::RECORD_TYPE, &rec.record_type, path.field("type"))?;
        let day = match &rec.date {
            Some(d) => date(d, path.field("date"))?,
            None => return Err(missing(path, "date", &rec.record_type)),
        };
        index_of.insert(rec.id.as_str(), records.len());
        records.push(InputRecord {
            record_type,
            domain: enc.opt_code(v::DOMAIN, rec.domain.as_ref(), path.field("domain"))?,
            severity: enc.opt_code(v::SEVERITY, rec.severity.as_ref(), path.field("severity"))?,
            grade: enc.opt_code(v::GRADE, rec.grade.as_ref(), path.field("grade"))?,
            date: day,
            objection_filed: NO_DATE,
            objection_resolved: NO_DATE,
            objection_upheld: false,
            repair_date: NO_DATE,
            procedure: enc.opt_code(v::PROCEDURE, rec.procedure.as_ref(), path.field("procedure"))?,
            amount: rec.amount.unwrap_or(f64::NAN),
            flags: enc.bits(v::FLAG, &rec.flags, path.field("flags"), 64)?,
            repair_conditions: 0,
        });
    }

    // Second pass: fold 异议 and 信用修复 into the record they act on.
    let mut objection_of: HashMap<usize, usize> = HashMap::new();
    let mut repair_of: HashMap<usize, usize> = HashMap::new();
    for (i, rec) in subject.records.iter().enumerate() {
        if is_primary(rec) {
            continue;
        }
        let path = RecordAt(i);
        let Some(of) = &rec.of else { return Err(missing(path, "of", &rec.record_type)) };
        let Some(&target) = index_of.get(of.as_str()) else {
            let ids: Vec<&str> = primary_records(request).iter().map(|r| r.id.as_str()).collect();
            let known = if ids.is_empty() { "（无）".to_string() } else { ids.join("、") };
            return Err(err(
                path.field("of").to_string(),
                RequestErrorCode::UnknownOf,
                format!("「{of}」不是本主体的任何一条（非异议、非修复）记录的编号；可用编号：{known}"),
                format!("\"{of}\" names no primary record of this subject; known ids: {}", ids.join(", ")),
            ));
        };
        let slots = if is_objection(rec) { &mut objection_of } else { &mut repair_of };
        if let Some(first) = slots.insert(target, i) {
            return Err(err(
                path.field("of").to_string(),
                RequestErrorCode::DuplicateOf,
                format!("记录「{of}」已有一条「{}」（subject.records[{first}]），每条记录至多一条", rec.record_type),
                format!(
                    "record \"{of}\" already has a \"{}\" (subject.records[{first}]); at most one per record",
                    rec.record_type
                ),
            ));
        }
        let Some(target_rec) = records.get_mut(target) else { continue };
        if is_objection(rec) {
            for (field, present) in [("date", rec.date.is_some()), ("conditions", !rec.conditions.is_empty())] {
                if present {
                    return Err(misplaced(path, field, &rec.record_type));
                }
            }
            let Some(filed) = &rec.filed else { return Err(missing(path, "filed", &rec.record_type)) };
            target_rec.objection_filed = date(filed, path.field("filed"))?;
            if let Some(resolved) = &rec.resolved {
                target_rec.objection_resolved = date(resolved, path.field("resolved"))?;
            }
            if rec.upheld == Some(true) && rec.resolved.is_none() {
                return Err(missing(path, "resolved", &rec.record_type));
            }
            target_rec.objection_upheld = rec.upheld.unwrap_or(false);
        } else {
            for (field, present) in
                [("filed", rec.filed.is_some()), ("resolved", rec.resolved.is_some()), ("upheld", rec.upheld.is_some())]
            {
                if present {
                    return Err(misplaced(path, field, &rec.record_type));
                }
            }
            let Some(day) = &rec.date else { return Err(missing(path, "date", &rec.record_type)) };
            target_rec.repair_date = date(day, path.field("date"))?;
            target_rec.repair_conditions =
                enc.bits(v::REPAIR_CONDITION, &rec.conditions, path.field("conditions"), 64)?;
        }
    }

    Ok(Input { as_of, scenario, subject_kind, subject_sector, related_roles, records })
}

// ---------------------------------------------------------------------------------------------------------
// decide

fn day(d: DayNumber) -> Option<Day> {
    (d != NO_DATE).then(|| Day(CivilDate::from_days(d)))
}

/// A day in a sentence: `YYYY-MM-DD`, or nothing for [`NO_DATE`] (written in place, no `String`).
struct Shown(Option<Day>);

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(Day(d)) => d.fmt(f),
            None => Ok(()),
        }
    }
}

fn list_status_zh(s: ListStatus) -> &'static str {
    match s {
        ListStatus::NotListed => "未列入",
        ListStatus::Active => "列入中",
        ListStatus::Suspended => "中止（异议处理中）",
        ListStatus::Expired => "期满移出",
        ListStatus::Repaired => "已修复移出",
        ListStatus::Overridden => "被优先名单取代",
        ListStatus::Revoked => "异议成立撤销",
    }
}

fn measure_status_zh(s: MeasureStatus) -> &'static str {
    match s {
        MeasureStatus::NotApplicable => "不适用",
        MeasureStatus::Active => "实施中",
        MeasureStatus::Suspended => "中止",
        MeasureStatus::Ended => "已结束",
        MeasureStatus::OtherScenario => "其他场景",
    }
}

fn snake<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// Builds the host-facing decision from a module's raw answer. `raw` must already be validated against
/// `manifest.output_shape()` for `primary_records(request).len()` records (as [`RawOutput::from_bytes`] does); indexes that
/// are out of range anyway are shown as absent rather than trusted.
pub fn decide(manifest: &Manifest, request: &Request, raw: &RawOutput) -> Decision {
    decide_borrowed(manifest, request, raw).into_owned()
}

/// [`decide`] without copies: the decision borrows every name, citation and basis from the manifest and the
/// request (the batch path serializes this; [`borrowed::Decision::into_owned`] is what `decide` returns).
pub fn decide_borrowed<'a>(manifest: &'a Manifest, request: &'a Request, raw: &RawOutput) -> borrowed::Decision<'a> {
    let explain = request.explain;
    let primaries = primary_records(request);
    let record_id = |i: i32| usize::try_from(i).ok().and_then(|i| primaries.get(i)).map(|r| r.id.as_str());
    let record_label = |i: i32| -> (String, String) {
        match usize::try_from(i).ok().and_then(|i| primaries.get(i)) {
            Some(r) => {
                let date = r.date.as_deref().unwrap_or_default();
                (
                    format!("记录 {}（{}，{}）", r.id, r.record_type, date),
                    format!("record {} ({}, {})", r.id, r.record_type, date),
                )
            }
            None => ("（无记录）".to_string(), "(no record)".to_string()),
        }
    };
    let repair_of = |id: &str| -> Vec<&String> {
        request
            .subject
            .records
            .iter()
            .find(|r| is_repair(r) && r.of.as_deref() == Some(id))
            .map(|r| r.conditions.iter().collect())
            .unwrap_or_default()
    };
    let as_of_day = CivilDate::parse(&request.as_of).map(CivilDate::to_days).unwrap_or(NO_DATE);
    let version_rule = manifest.policy.version_rule.as_str();
    let mut trace = Vec::new();

    // Lists.
    let mut lists = Vec::new();
    for (info, out) in manifest.lists.iter().zip(&raw.lists) {
        // Items that do not apply are explained only on request: skip their text before building it (batch cost).
        if out.status == ListStatus::NotListed && !explain {
            continue;
        }
        let item_name = ItemName { kind: "名单", name: &info.name };
        let regime = usize::try_from(out.regime).ok().and_then(|i| manifest.regimes.get(i));
        let overridden_by =
            usize::try_from(out.overridden_by).ok().and_then(|i| manifest.lists.get(i)).map(|l| l.name.as_str());
        let rid = record_id(out.record);
        let (rec_zh, rec_en) = record_label(out.record);
        let period_zh = match regime {
            Some(r) => {
                format!("期限「{}」由修复制度「{}」（{}）按{}确定", info.period, r.name, r.document, version_rule)
            }
            None => format!("期限「{}」", info.period),
        };
        let period_en = match regime {
            Some(r) => format!(
                "period \"{}\" taken from repair regime \"{}\" ({}) under the {} rule",
                info.period, r.name, r.document, version_rule
            ),
            None => format!("period \"{}\"", info.period),
        };
        let entered = Shown(day(out.entered));
        let ends = Shown(day(out.last_day));
        let ended = Shown(day(out.ended_on));
        let (zh, en) = match out.status {
            ListStatus::NotListed => (
                format!("没有记录符合「{}」的认定标准「{}」，未列入", info.name, info.criterion),
                format!("no record meets the criterion \"{}\" of \"{}\": not listed", info.criterion, info.name),
            ),
            ListStatus::Active | ListStatus::Suspended => {
                let suspended = out.status == ListStatus::Suspended;
                (
                    format!(
                        "{rec_zh}符合「{}」的认定标准「{}」，自 {entered} 起列入，公示至 {ends}（{period_zh}）{}",
                        info.name,
                        info.criterion,
                        if suspended { "；该记录异议处理中，相关措施中止" } else { "" }
                    ),
                    format!(
                        "{rec_en} meets the criterion \"{}\" of \"{}\": listed from {entered}, published until {ends} ({period_en}){}",
                        info.criterion,
                        info.name,
                        if suspended {
                            "; the record is under objection, so dependent measures are suspended"
                        } else {
                            ""
                        }
                    ),
                )
            }
            ListStatus::Expired => (
                format!("{rec_zh}曾列入「{}」（自 {entered} 起，{period_zh}），公示期满，自 {ended} 起移出", info.name),
                format!(
                    "{rec_en} put the subject on \"{}\" from {entered} ({period_en}); the period ran out, off the list from {ended}",
                    info.name
                ),
            ),
            ListStatus::Repaired => (
                format!("{rec_zh}曾列入「{}」（自 {entered} 起），已完成信用修复，自 {ended} 起移出", info.name),
                format!(
                    "{rec_en} put the subject on \"{}\" from {entered}; credit repair granted, off the list from {ended}",
                    info.name
                ),
            ),
            ListStatus::Revoked => (
                format!("{rec_zh}曾列入「{}」，异议成立，记录自 {ended} 起作废，名单撤销", info.name),
                format!(
                    "{rec_en} put the subject on \"{}\"; the objection was upheld, the record is void from {ended}",
                    info.name
                ),
            ),
            ListStatus::Overridden => {
                let by = overridden_by.unwrap_or_default();
                (
                    format!("{rec_zh}符合「{}」的认定标准「{}」，但「{by}」优先，不再列入", info.name, info.criterion),
                    format!(
                        "{rec_en} meets the criterion \"{}\" of \"{}\", but \"{by}\" takes precedence",
                        info.criterion, info.name
                    ),
                )
            }
        };
        trace.push(TraceLine { item: item_name, zh, en, citation: Some(&info.citation) });
        let repair = match (out.status, &rid) {
            (ListStatus::Active | ListStatus::Suspended, Some(id)) if out.earliest_repair != NO_DATE => {
                let met = repair_of(id);
                let missing: Vec<&str> =
                    info.repair_conditions.iter().filter(|c| !met.contains(c)).map(String::as_str).collect();
                Some(RepairEligibility {
                    eligible_now: as_of_day >= out.earliest_repair && missing.is_empty(),
                    possible_from: day(out.earliest_repair),
                    missing_conditions: missing,
                })
            }
            _ => None,
        };
        lists.push(ListItem {
            list: &info.name,
            category: &info.category,
            status: out.status,
            record: rid,
            entered: day(out.entered),
            publication_ends: day(out.last_day),
            earliest_repair: day(out.earliest_repair),
            ended_on: day(out.ended_on),
            regime: regime.map(|r| format!("{}（{}）", r.name, r.document)),
            overridden_by,
            repair,
            citation: &info.citation,
            basis: &info.basis,
        });
    }

    // Measures.
    let mut measures = Vec::new();
    for (j, info) in manifest.measures.iter().enumerate() {
        let Some(out) = raw.measure(j, info.trigger_list) else { break };
        if out.status == MeasureStatus::NotApplicable && !explain {
            continue;
        }
        let mut targets: Vec<Target> = Vec::new();
        for role in &info.targets {
            if role == "主体" {
                let subject = &request.subject;
                targets.push(Target { role, id: &subject.id, name: subject.name.as_deref() });
            } else {
                targets.extend(request.subject.related.iter().filter(|p| &p.role == role).map(|p| Target {
                    role,
                    id: &p.id,
                    name: p.name.as_deref(),
                }));
            }
        }
        let source = usize::try_from(out.source).ok().and_then(|i| manifest.lists.get(i)).map(|l| l.name.as_str());
        let (rec_zh, rec_en) = record_label(out.record);
        let who_zh: Vec<String> = targets.iter().map(|t| format!("{} {}", t.role, t.name.unwrap_or(t.id))).collect();
        let who = who_zh.join("、");
        let who_en = who_zh.join(", ");
        let why_zh = match &source {
            Some(l) => format!("因列入「{l}」（{rec_zh}）"),
            None => format!("因满足条件「{}」", info.trigger),
        };
        let why_en = match &source {
            Some(l) => format!("because of list \"{l}\" ({rec_en})"),
            None => format!("because the condition \"{}\" holds", info.trigger),
        };
        let basis_zh: Vec<String> = info.basis.iter().map(|b| b.label()).collect();
        let basis = if basis_zh.is_empty() { "（未载明）".to_string() } else { basis_zh.join("；") };
        let kind = format!("{}，{}", info.kind, if info.mandatory { "强制性" } else { "推荐性" });
        let kind_en = format!("{}, {}", info.kind, if info.mandatory { "mandatory" } else { "recommended" });
        let until = day(out.last_day);
        let until_zh = until.map(|Day(u)| format!("，至 {u}")).unwrap_or_default();
        let until_en = until.map(|Day(u)| format!(", until {u}")).unwrap_or_default();
        let (zh, en) = match out.status {
            MeasureStatus::Active => (
                format!(
                    "{why_zh}，对 {who} 实施「{}」（{kind}）{until_zh}；依据：{basis}；实施单位：{}",
                    info.name,
                    info.implementer.join("、")
                ),
                format!(
                    "{why_en}, \"{}\" ({kind_en}) applies to {who_en}{until_en}; basis: {basis}; implemented by {}",
                    info.name,
                    info.implementer.join(", ")
                ),
            ),
            MeasureStatus::Suspended => (
                format!("{why_zh}本应实施「{}」，但相关记录异议处理中，措施中止", info.name),
                format!("{why_en}, \"{}\" would apply, but the record is under objection: suspended", info.name),
            ),
            MeasureStatus::Ended => (
                format!("「{}」已结束：触发名单已移出（{rec_zh}）", info.name),
                format!("\"{}\" has ended: the triggering listing ended ({rec_en})", info.name),
            ),
            MeasureStatus::OtherScenario => (
                format!(
                    "{why_zh}「{}」被触发，但只适用于场景 {}，本次场景为「{}」",
                    info.name,
                    info.scenarios.join("、"),
                    request.scenario.as_deref().unwrap_or("")
                ),
                format!(
                    "\"{}\" is triggered {why_en}, but covers only scenarios {}, not \"{}\"",
                    info.name,
                    info.scenarios.join(", "),
                    request.scenario.as_deref().unwrap_or("")
                ),
            ),
            MeasureStatus::NotApplicable => (
                format!("「{}」不适用：触发条件「{}」不成立", info.name, info.trigger),
                format!("\"{}\" does not apply: its trigger \"{}\" does not hold", info.name, info.trigger),
            ),
        };
        trace.push(TraceLine {
            item: ItemName { kind: "措施", name: &info.name },
            zh,
            en,
            citation: Some(&info.citation),
        });
        measures.push(MeasureItem {
            measure: &info.name,
            kind: &info.kind,
            mandatory: info.mandatory,
            status: out.status,
            because_of_list: source,
            record: record_id(out.record),
            until,
            implementer: &info.implementer,
            scenarios: &info.scenarios,
            targets,
            citation: &info.citation,
            basis: &info.basis,
        });
    }

    // Incentives.
    let mut incentives = Vec::new();
    for (info, out) in manifest.incentives.iter().zip(&raw.incentives) {
        let failed = if out.eligible {
            None
        } else {
            usize::try_from(out.failed_clause).ok().and_then(|i| info.clauses.get(i)).map(String::as_str)
        };
        if out.eligible || explain {
            let (zh, en) = if out.eligible {
                (
                    format!(
                        "满足「{}」的全部条件（{}），可享受：{}",
                        info.name,
                        info.clauses.join("；"),
                        info.benefits.join("、")
                    ),
                    format!(
                        "all conditions of \"{}\" hold ({}); benefits: {}",
                        info.name,
                        info.clauses.join("; "),
                        info.benefits.join(", ")
                    ),
                )
            } else {
                let f = failed.unwrap_or_default();
                (
                    format!("不符合「{}」：条件「{f}」不成立", info.name),
                    format!("not eligible for \"{}\": condition \"{f}\" does not hold", info.name),
                )
            };
            trace.push(TraceLine {
                item: ItemName { kind: "激励", name: &info.name },
                zh,
                en,
                citation: Some(&info.citation),
            });
        }
        incentives.push(IncentiveItem {
            incentive: &info.name,
            eligible: out.eligible,
            benefits: &info.benefits,
            scenarios: &info.scenarios,
            failed_condition: failed,
            citation: &info.citation,
            basis: &info.basis,
        });
    }

    // Notifications.
    let mut notifications = Vec::new();
    for (info, fired) in manifest.notifications.iter().zip(&raw.notifications) {
        if *fired {
            trace.push(TraceLine {
                item: ItemName { kind: "通报", name: &info.name },
                zh: format!("满足通报条件「{}」，应通报：{}", info.condition, info.recipients.join("、")),
                en: format!(
                    "the notification condition \"{}\" holds: notify {}",
                    info.condition,
                    info.recipients.join(", ")
                ),
                citation: Some(&info.citation),
            });
            notifications.push(NotificationItem {
                notification: &info.name,
                recipients: &info.recipients,
                citation: &info.citation,
            });
        } else if explain {
            trace.push(TraceLine {
                item: ItemName { kind: "通报", name: &info.name },
                zh: format!("通报条件「{}」不成立，无需通报", info.condition),
                en: format!("the notification condition \"{}\" does not hold", info.condition),
                citation: Some(&info.citation),
            });
        }
    }

    // Grade.
    let grade = manifest.grading.as_ref().and_then(|g| {
        let level = usize::try_from(raw.grade).ok().and_then(|i| g.levels.get(i))?;
        trace.push(TraceLine {
            item: ItemName { kind: "等级", name: &g.name },
            zh: format!(
                "符合「{}」等级「{}」的条件「{}」{}",
                g.name,
                level.name,
                level.condition,
                level.supervision.as_deref().map(|s| format!("，监管：{s}")).unwrap_or_default()
            ),
            en: format!(
                "grade \"{}\" of \"{}\": its condition \"{}\" holds{}",
                level.name,
                g.name,
                level.condition,
                level.supervision.as_deref().map(|s| format!("; supervision: {s}")).unwrap_or_default()
            ),
            citation: Some(&g.citation),
        });
        Some(GradeItem {
            grading: &g.name,
            level: &level.name,
            supervision: level.supervision.as_deref(),
            citation: &g.citation,
        })
    });

    // Objections.
    let citation: Option<&Citation> = manifest.objection.as_ref().map(|o| &o.citation);
    let mut objections = Vec::new();
    for out in &raw.objections {
        let Some(id) = record_id(out.record) else { continue };
        let filed = request
            .subject
            .records
            .iter()
            .find(|r| is_objection(r) && r.of.as_deref() == Some(id))
            .and_then(|r| r.filed.as_deref())
            .unwrap_or_default();
        let due = day(out.due);
        let status_zh = match out.status {
            ObjectionStatus::Pending => "处理中",
            ObjectionStatus::Overdue => "已逾期未处理",
            ObjectionStatus::Resolved => "已处理",
        };
        trace.push(TraceLine {
            item: ItemName { kind: "异议", name: id },
            zh: format!(
                "记录 {id} 于 {filed} 提出异议{}，状态：{status_zh}",
                due.map(|Day(d)| format!("，应于 {d} 前处理")).unwrap_or_default()
            ),
            en: format!(
                "an objection to record {id} was filed on {filed}{}; status: {}",
                due.map(|Day(d)| format!(", due by {d}")).unwrap_or_default(),
                snake(&out.status)
            ),
            citation,
        });
        objections.push(ObjectionItem { record: id, filed, due, status: out.status, citation });
    }

    borrowed::Decision {
        policy: PolicyRef {
            id: &manifest.policy.id,
            version: &manifest.policy.version,
            jurisdiction: &manifest.policy.jurisdiction,
            document: &manifest.policy.document,
        },
        as_of: &request.as_of,
        scenario: request.scenario.as_deref(),
        subject: SubjectRef { id: &request.subject.id, name: request.subject.name.as_deref() },
        lists,
        measures,
        incentives,
        notifications,
        grade,
        objections,
        trace,
    }
}

/// Chinese label of a list status, for text views.
pub fn list_status_label(s: ListStatus) -> &'static str {
    list_status_zh(s)
}

/// Chinese label of a measure status, for text views.
pub fn measure_status_label(s: MeasureStatus) -> &'static str {
    measure_status_zh(s)
}
