//! [`Request`] → [`Encoded`]: the module's [`Input`] (vocabulary codes, day numbers, 异议 / 信用修复 records
//! folded into the record they act on) and the index of the request the decision is built from.

use super::errors::{RequestError, RequestErrorCode, err};
use crate::date::{CivilDate, DateError, DayNumber, NO_DATE};
use crate::input::{Input, InputRecord};
use crate::layout::NO_CODE;
use crate::manifest::{Manifest, vocab_names as v};
use crate::request::{Record, Request};
use std::collections::HashMap;
use std::fmt;

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

/// A request encoded for one module, with what the decision needs from the request already found: each
/// primary record with its 异议 and 信用修复 records. Only [`encode_request`] makes one, so a decision is built
/// from a request parsed, checked and indexed once.
#[derive(Clone, Debug)]
pub struct Encoded<'r> {
    /// What the module evaluates.
    pub input: Input,
    pub(crate) request: &'r Request,
    /// The primary records in answer order: record `i` of an answer is `primaries[i]`.
    pub(crate) primaries: Vec<Linked<'r>>,
}

impl<'r> Encoded<'r> {
    pub fn request(&self) -> &'r Request {
        self.request
    }
}

/// A primary record and the records that act on it: (its index in the request, the record).
#[derive(Clone, Debug)]
pub(crate) struct Linked<'r> {
    pub(crate) record: &'r Record,
    pub(crate) objection: Option<(usize, &'r Record)>,
    pub(crate) repair: Option<(usize, &'r Record)>,
}

/// Encodes a request for a module: vocabulary values → codes, dates → day numbers, 异议 / 信用修复 records
/// folded into the record they act on. Primary records keep request order. Linear in the number of records.
pub fn encode_request<'r>(manifest: &Manifest, request: &'r Request) -> Result<Encoded<'r>, RequestError> {
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
    let mut primaries: Vec<Linked<'r>> = Vec::new();
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
        primaries.push(Linked { record: rec, objection: None, repair: None });
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
    for (i, rec) in subject.records.iter().enumerate() {
        if is_primary(rec) {
            continue;
        }
        let path = RecordAt(i);
        let Some(of) = &rec.of else { return Err(missing(path, "of", &rec.record_type)) };
        let Some(&target) = index_of.get(of.as_str()) else {
            let ids: Vec<&str> = primaries.iter().map(|p| p.record.id.as_str()).collect();
            let known = if ids.is_empty() { "（无）".to_string() } else { ids.join("、") };
            return Err(err(
                path.field("of").to_string(),
                RequestErrorCode::UnknownOf,
                format!("「{of}」不是本主体的任何一条（非异议、非修复）记录的编号；可用编号：{known}"),
                format!("\"{of}\" names no primary record of this subject; known ids: {}", ids.join(", ")),
            ));
        };
        let Some(links) = primaries.get_mut(target) else { continue };
        let slot = if is_objection(rec) { &mut links.objection } else { &mut links.repair };
        if let Some((first, _)) = slot.replace((i, rec)) {
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

    let input = Input { as_of, scenario, subject_kind, subject_sector, related_roles, records };
    Ok(Encoded { input, request, primaries })
}
