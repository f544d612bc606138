//! The subject schema: a request (`docs/schema/request.schema.json`) as an Arrow row, nested the same way
//! (`subject` a struct, `subject.related` and `subject.records` lists of structs), dates as `Date32`, plus an
//! optional top-level `jurisdiction` column naming the jurisdiction whose policy in force applies to that row
//! (used when evaluating against a directory of modules). `docs/schema/subjects.arrow.md` documents it.
//!
//! Reading is tolerant where it costs nothing: every field may be declared nullable (as Spark writes them),
//! dates may be `Date32` or `YYYY-MM-DD` strings, strings may be `Utf8`, `LargeUtf8` or `Utf8View`, optional
//! columns may be absent (or of Arrow's `Null` type, as pandas gives an all-null column) and unknown columns
//! are ignored. A required column that is absent, or a column of the
//! wrong type, makes the whole input unreadable ([`SchemaError`]); a null where a value is required makes that
//! row an error row (a [`Failure`] with the JSON path of the missing value), never a dropped row.

use arrow_array::builder::{BooleanBuilder, Date32Builder, Float64Builder, StringBuilder};
use arrow_array::cast::AsArray;
use arrow_array::{
    Array, ArrayRef, BooleanArray, Date32Array, Float64Array, LargeStringArray, ListArray, RecordBatch, StringArray,
    StringViewArray, StructArray,
};
use arrow_buffer::{NullBuffer, OffsetBuffer};
use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef};
use std::sync::Arc;
use xince_abi::date::CivilDate;
use xince_abi::request::{Record, RelatedPerson, Request, Subject};
use xince_batch::Failure;

/// The input does not have the subject schema: names the column and what was expected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaError {
    pub column: String,
    pub message_zh: String,
    pub message_en: String,
}

impl std::fmt::Display for SchemaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "列 {0}：{1} / column {0}: {2}", self.column, self.message_zh, self.message_en)
    }
}

impl std::error::Error for SchemaError {}

fn missing_column(column: &str) -> SchemaError {
    SchemaError {
        column: column.into(),
        message_zh: "缺少必需的列".into(),
        message_en: "required column is missing".into(),
    }
}

fn wrong_type(column: &str, expected: &str, found: &DataType) -> SchemaError {
    SchemaError {
        column: column.into(),
        message_zh: format!("类型应为 {expected}，实为 {found}"),
        message_en: format!("must be {expected}, found {found}"),
    }
}

fn related_fields() -> Fields {
    Fields::from(vec![
        Field::new("role", DataType::Utf8, false),
        Field::new("id", DataType::Utf8, false),
        Field::new("name", DataType::Utf8, true),
    ])
}

fn utf8_list() -> DataType {
    DataType::List(Arc::new(Field::new("item", DataType::Utf8, false)))
}

fn record_fields() -> Fields {
    Fields::from(vec![
        Field::new("id", DataType::Utf8, false),
        Field::new("type", DataType::Utf8, false),
        Field::new("date", DataType::Date32, true),
        Field::new("domain", DataType::Utf8, true),
        Field::new("severity", DataType::Utf8, true),
        Field::new("grade", DataType::Utf8, true),
        Field::new("procedure", DataType::Utf8, true),
        Field::new("amount", DataType::Float64, true),
        Field::new("authority", DataType::Utf8, true),
        Field::new("document", DataType::Utf8, true),
        Field::new("flags", utf8_list(), true),
        Field::new("of", DataType::Utf8, true),
        Field::new("filed", DataType::Date32, true),
        Field::new("resolved", DataType::Date32, true),
        Field::new("upheld", DataType::Boolean, true),
        Field::new("conditions", utf8_list(), true),
    ])
}

fn subject_fields() -> Fields {
    Fields::from(vec![
        Field::new("id", DataType::Utf8, false),
        Field::new("name", DataType::Utf8, true),
        Field::new("kind", DataType::Utf8, false),
        Field::new("sector", DataType::Utf8, true),
        Field::new(
            "related",
            DataType::List(Arc::new(Field::new("item", DataType::Struct(related_fields()), false))),
            true,
        ),
        Field::new(
            "records",
            DataType::List(Arc::new(Field::new("item", DataType::Struct(record_fields()), false))),
            true,
        ),
    ])
}

/// The subject schema as written by `xince gen --format parquet` and [`requests_to_batch`]. With
/// `jurisdiction`, a nullable `jurisdiction` column comes last.
pub fn subject_schema(jurisdiction: bool) -> SchemaRef {
    let mut fields = vec![
        Field::new("as_of", DataType::Date32, false),
        Field::new("scenario", DataType::Utf8, true),
        Field::new("explain", DataType::Boolean, true),
        Field::new("subject", DataType::Struct(subject_fields()), false),
    ];
    if jurisdiction {
        fields.push(Field::new("jurisdiction", DataType::Utf8, true));
    }
    Arc::new(Schema::new(fields))
}

// ------------------------------------------------------------------------------------------------------------
// Writing

fn day_of(text: &str, path: &str) -> Result<i32, Failure> {
    CivilDate::parse(text).map(CivilDate::to_days).map_err(|e| Failure {
        code: "E_REQ_DATE".into(),
        path: Some(path.into()),
        message_zh: format!("日期「{text}」无效：{e}"),
        message_en: format!("date \"{text}\" is not valid: {e}"),
    })
}

fn opt_day(b: &mut Date32Builder, text: Option<&str>, path: impl Fn() -> String) -> Result<(), Failure> {
    match text {
        Some(t) => b.append_value(day_of(t, &path())?),
        None => b.append_null(),
    }
    Ok(())
}

/// A list of strings for each item, as a `List<Utf8>` (an empty list for an empty vector).
fn string_lists<'a>(items: impl Iterator<Item = &'a [String]>) -> ListArray {
    let mut values = StringBuilder::new();
    let mut lengths = Vec::new();
    for v in items {
        lengths.push(v.len());
        for s in v {
            values.append_value(s);
        }
    }
    let field = Arc::new(Field::new("item", DataType::Utf8, false));
    ListArray::new(field, OffsetBuffer::from_lengths(lengths), Arc::new(values.finish()), None)
}

/// Requests (and, with `jurisdictions`, the jurisdiction of each) as one record batch in [`subject_schema`].
/// Fails only on a date that is not `YYYY-MM-DD`, naming the request's index and the path.
pub fn requests_to_batch(
    requests: &[Request],
    jurisdictions: Option<&[Option<String>]>,
) -> Result<RecordBatch, (usize, Failure)> {
    let mut as_of = Date32Builder::with_capacity(requests.len());
    let mut scenario = StringBuilder::new();
    let mut explain = BooleanBuilder::new();
    let (mut id, mut name, mut kind, mut sector) =
        (StringBuilder::new(), StringBuilder::new(), StringBuilder::new(), StringBuilder::new());
    let (mut r_role, mut r_id, mut r_name) = (StringBuilder::new(), StringBuilder::new(), StringBuilder::new());
    let mut related_lengths = Vec::with_capacity(requests.len());
    let mut record_lengths = Vec::with_capacity(requests.len());
    let mut all_records: Vec<&Record> = Vec::new();
    for (i, request) in requests.iter().enumerate() {
        as_of.append_value(day_of(&request.as_of, "as_of").map_err(|f| (i, f))?);
        scenario.append_option(request.scenario.as_deref());
        explain.append_option(request.explain.then_some(true));
        let s = &request.subject;
        id.append_value(&s.id);
        name.append_option(s.name.as_deref());
        kind.append_value(&s.kind);
        sector.append_option(s.sector.as_deref());
        related_lengths.push(s.related.len());
        for p in &s.related {
            r_role.append_value(&p.role);
            r_id.append_value(&p.id);
            r_name.append_option(p.name.as_deref());
        }
        record_lengths.push(s.records.len());
        all_records.extend(s.records.iter());
    }
    // Records, flattened over every subject; the request index of each is needed only for an error.
    let mut owner = Vec::with_capacity(all_records.len());
    for (i, request) in requests.iter().enumerate() {
        owner.extend(std::iter::repeat_n(i, request.subject.records.len()));
    }
    let n = all_records.len();
    let mut c: Vec<StringBuilder> = (0..9).map(|_| StringBuilder::with_capacity(n, n * 8)).collect();
    let (mut date, mut filed, mut resolved) =
        (Date32Builder::with_capacity(n), Date32Builder::with_capacity(n), Date32Builder::with_capacity(n));
    let mut amount = Float64Builder::with_capacity(n);
    let mut upheld = BooleanBuilder::with_capacity(n);
    let mut within = 0usize;
    let mut last_owner = usize::MAX;
    for (k, r) in all_records.iter().enumerate() {
        let who = owner.get(k).copied().unwrap_or(0);
        if who != last_owner {
            within = 0;
            last_owner = who;
        }
        let at = |field: &str| format!("subject.records[{within}].{field}");
        c[0].append_value(&r.id);
        c[1].append_value(&r.record_type);
        c[2].append_option(r.domain.as_deref());
        c[3].append_option(r.severity.as_deref());
        c[4].append_option(r.grade.as_deref());
        c[5].append_option(r.procedure.as_deref());
        c[6].append_option(r.authority.as_deref());
        c[7].append_option(r.document.as_deref());
        c[8].append_option(r.of.as_deref());
        opt_day(&mut date, r.date.as_deref(), || at("date")).map_err(|f| (who, f))?;
        opt_day(&mut filed, r.filed.as_deref(), || at("filed")).map_err(|f| (who, f))?;
        opt_day(&mut resolved, r.resolved.as_deref(), || at("resolved")).map_err(|f| (who, f))?;
        amount.append_option(r.amount);
        upheld.append_option(r.upheld);
        within += 1;
    }
    let flags = string_lists(all_records.iter().map(|r| r.flags.as_slice()));
    let conditions = string_lists(all_records.iter().map(|r| r.conditions.as_slice()));
    let [c_id, c_type, c_domain, c_severity, c_grade, c_procedure, c_authority, c_document, c_of] =
        c.try_into().map_err(|_| (0, internal("record columns")))?;
    let finish = |mut b: StringBuilder| -> ArrayRef { Arc::new(b.finish()) };
    let record_columns: Vec<ArrayRef> = vec![
        finish(c_id),
        finish(c_type),
        Arc::new(date.finish()),
        finish(c_domain),
        finish(c_severity),
        finish(c_grade),
        finish(c_procedure),
        Arc::new(amount.finish()),
        finish(c_authority),
        finish(c_document),
        Arc::new(flags),
        finish(c_of),
        Arc::new(filed.finish()),
        Arc::new(resolved.finish()),
        Arc::new(upheld.finish()),
        Arc::new(conditions),
    ];
    let records = StructArray::try_new(record_fields(), record_columns, None).map_err(|e| (0, arrow_failure(&e)))?;
    let related = StructArray::try_new(
        related_fields(),
        vec![Arc::new(r_role.finish()), Arc::new(r_id.finish()), Arc::new(r_name.finish())],
        None,
    )
    .map_err(|e| (0, arrow_failure(&e)))?;
    let list_of = |values: StructArray, lengths: Vec<usize>| -> ArrayRef {
        let field = Arc::new(Field::new("item", values.data_type().clone(), false));
        Arc::new(ListArray::new(field, OffsetBuffer::from_lengths(lengths), Arc::new(values), None))
    };
    let subject = StructArray::try_new(
        subject_fields(),
        vec![
            Arc::new(id.finish()),
            Arc::new(name.finish()),
            Arc::new(kind.finish()),
            Arc::new(sector.finish()),
            list_of(related, related_lengths),
            list_of(records, record_lengths),
        ],
        None,
    )
    .map_err(|e| (0, arrow_failure(&e)))?;
    let mut columns: Vec<ArrayRef> =
        vec![Arc::new(as_of.finish()), Arc::new(scenario.finish()), Arc::new(explain.finish()), Arc::new(subject)];
    if let Some(js) = jurisdictions {
        let mut b = StringBuilder::new();
        for j in js {
            b.append_option(j.as_deref());
        }
        columns.push(Arc::new(b.finish()));
    }
    RecordBatch::try_new(subject_schema(jurisdictions.is_some()), columns).map_err(|e| (0, arrow_failure(&e)))
}

fn internal(what: &str) -> Failure {
    Failure {
        code: "E_ARROW".into(),
        path: None,
        message_zh: format!("内部错误：{what}"),
        message_en: format!("internal error: {what}"),
    }
}

fn arrow_failure(e: &arrow_schema::ArrowError) -> Failure {
    Failure {
        code: "E_ARROW".into(),
        path: None,
        message_zh: format!("Arrow 数据无效：{e}"),
        message_en: format!("invalid Arrow data: {e}"),
    }
}

// ------------------------------------------------------------------------------------------------------------
// Reading

/// A string column of any of Arrow's three string layouts.
#[derive(Clone, Copy)]
enum Str<'a> {
    Utf8(&'a StringArray),
    Large(&'a LargeStringArray),
    View(&'a StringViewArray),
}

impl<'a> Str<'a> {
    fn of(array: &'a dyn Array, column: &str) -> Result<Self, SchemaError> {
        match array.data_type() {
            DataType::Utf8 => Ok(Str::Utf8(array.as_string::<i32>())),
            DataType::LargeUtf8 => Ok(Str::Large(array.as_string::<i64>())),
            DataType::Utf8View => Ok(Str::View(array.as_string_view())),
            other => Err(wrong_type(column, "Utf8", other)),
        }
    }

    fn get(self, i: usize) -> Option<&'a str> {
        match self {
            Str::Utf8(a) => a.is_valid(i).then(|| a.value(i)),
            Str::Large(a) => a.is_valid(i).then(|| a.value(i)),
            Str::View(a) => a.is_valid(i).then(|| a.value(i)),
        }
    }
}

/// A date column: `Date32` or `YYYY-MM-DD` text (checked later, by the request encoder, with its path).
#[derive(Clone, Copy)]
enum Day<'a> {
    Days(&'a Date32Array),
    Text(Str<'a>),
}

impl<'a> Day<'a> {
    fn of(array: &'a dyn Array, column: &str) -> Result<Self, SchemaError> {
        match array.data_type() {
            DataType::Date32 => Ok(Day::Days(array.as_primitive())),
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => Ok(Day::Text(Str::of(array, column)?)),
            other => Err(wrong_type(column, "Date32", other)),
        }
    }

    fn get(self, i: usize) -> Option<String> {
        match self {
            Day::Days(a) => a.is_valid(i).then(|| CivilDate::from_days(a.value(i)).to_string()),
            Day::Text(s) => s.get(i).map(str::to_string),
        }
    }
}

/// A `List<Utf8>` column.
#[derive(Clone, Copy)]
struct Strings<'a> {
    list: &'a ListArray,
    values: Str<'a>,
}

impl<'a> Strings<'a> {
    fn of(array: &'a dyn Array, column: &str) -> Result<Self, SchemaError> {
        let list = array.as_list_opt::<i32>().ok_or_else(|| wrong_type(column, "List<Utf8>", array.data_type()))?;
        Ok(Strings { list, values: Str::of(list.values().as_ref(), column)? })
    }

    fn get(self, i: usize, path: impl Fn(usize) -> String) -> Result<Vec<String>, Failure> {
        if self.list.is_null(i) {
            return Ok(Vec::new());
        }
        let offsets = self.list.value_offsets();
        let (start, end) = (offsets[i] as usize, offsets[i + 1] as usize);
        (start..end)
            .enumerate()
            .map(|(k, j)| self.values.get(j).map(str::to_string).ok_or_else(|| null_value(&path(k))))
            .collect()
    }
}

fn null_value(path: &str) -> Failure {
    Failure {
        code: "E_REQ_SHAPE".into(),
        path: Some(path.into()),
        message_zh: "必需的值为空（null）".into(),
        message_en: "a required value is null".into(),
    }
}

/// A child column; one of Arrow's `Null` type (what pandas gives a column that is null in every row) counts as
/// absent.
fn child<'a>(s: &'a StructArray, name: &str, column: &str) -> Option<(&'a dyn Array, String)> {
    s.column_by_name(name).filter(|a| !all_null_type(a.data_type())).map(|a| (a.as_ref(), format!("{column}.{name}")))
}

/// Arrow's `Null` type, or a list of it (what pyarrow infers for lists that are empty in every row).
fn all_null_type(t: &DataType) -> bool {
    match t {
        DataType::Null => true,
        DataType::List(f) | DataType::LargeList(f) => f.data_type() == &DataType::Null,
        _ => false,
    }
}

fn required<'a>(s: &'a StructArray, name: &str, column: &str) -> Result<(&'a dyn Array, String), SchemaError> {
    child(s, name, column).ok_or_else(|| missing_column(&format!("{column}.{name}")))
}

fn opt_str<'a>(s: &'a StructArray, name: &str, column: &str) -> Result<Option<Str<'a>>, SchemaError> {
    child(s, name, column).map(|(a, c)| Str::of(a, &c)).transpose()
}

fn opt_day_col<'a>(s: &'a StructArray, name: &str, column: &str) -> Result<Option<Day<'a>>, SchemaError> {
    child(s, name, column).map(|(a, c)| Day::of(a, &c)).transpose()
}

fn list_of_struct<'a>(array: &'a dyn Array, column: &str) -> Result<(&'a ListArray, &'a StructArray), SchemaError> {
    let list = array.as_list_opt::<i32>().ok_or_else(|| wrong_type(column, "List<Struct>", array.data_type()))?;
    let values = list.values().as_struct_opt().ok_or_else(|| wrong_type(column, "List<Struct>", array.data_type()))?;
    Ok((list, values))
}

struct Related<'a> {
    list: &'a ListArray,
    role: Str<'a>,
    id: Str<'a>,
    name: Option<Str<'a>>,
}

struct Records<'a> {
    list: &'a ListArray,
    id: Str<'a>,
    kind: Str<'a>,
    date: Option<Day<'a>>,
    texts: [Option<Str<'a>>; 7],
    amount: Option<&'a Float64Array>,
    flags: Option<Strings<'a>>,
    filed: Option<Day<'a>>,
    resolved: Option<Day<'a>>,
    upheld: Option<&'a BooleanArray>,
    conditions: Option<Strings<'a>>,
}

/// The columns of a batch in the subject schema, checked once per batch.
pub struct SubjectColumns<'a> {
    rows: usize,
    as_of: Day<'a>,
    scenario: Option<Str<'a>>,
    explain: Option<&'a BooleanArray>,
    jurisdiction: Option<Str<'a>>,
    subject: &'a StructArray,
    subject_nulls: Option<&'a NullBuffer>,
    id: Str<'a>,
    name: Option<Str<'a>>,
    kind: Str<'a>,
    sector: Option<Str<'a>>,
    related: Option<Related<'a>>,
    records: Option<Records<'a>>,
}

/// Record text fields other than id and type, in [`Record`] order.
const RECORD_TEXTS: [&str; 7] = ["domain", "severity", "grade", "procedure", "authority", "document", "of"];

impl<'a> SubjectColumns<'a> {
    /// Checks a batch against the subject schema (see the module docs for what is tolerated).
    pub fn new(batch: &'a RecordBatch) -> Result<Self, SchemaError> {
        let col =
            |name: &str| batch.column_by_name(name).filter(|a| a.data_type() != &DataType::Null).map(|a| a.as_ref());
        let as_of = Day::of(col("as_of").ok_or_else(|| missing_column("as_of"))?, "as_of")?;
        let scenario = col("scenario").map(|a| Str::of(a, "scenario")).transpose()?;
        let explain = col("explain")
            .map(|a| a.as_boolean_opt().ok_or_else(|| wrong_type("explain", "Boolean", a.data_type())))
            .transpose()?;
        let jurisdiction = col("jurisdiction").map(|a| Str::of(a, "jurisdiction")).transpose()?;
        let subject_array = col("subject").ok_or_else(|| missing_column("subject"))?;
        let subject =
            subject_array.as_struct_opt().ok_or_else(|| wrong_type("subject", "Struct", subject_array.data_type()))?;
        let (a, c) = required(subject, "id", "subject")?;
        let id = Str::of(a, &c)?;
        let (a, c) = required(subject, "kind", "subject")?;
        let kind = Str::of(a, &c)?;
        let name = opt_str(subject, "name", "subject")?;
        let sector = opt_str(subject, "sector", "subject")?;
        let related = match child(subject, "related", "subject") {
            None => None,
            Some((a, c)) => {
                let (list, s) = list_of_struct(a, &c)?;
                let (ra, rc) = required(s, "role", &c)?;
                let (ia, ic) = required(s, "id", &c)?;
                Some(Related { list, role: Str::of(ra, &rc)?, id: Str::of(ia, &ic)?, name: opt_str(s, "name", &c)? })
            }
        };
        let records = match child(subject, "records", "subject") {
            None => None,
            Some((a, c)) => {
                let (list, s) = list_of_struct(a, &c)?;
                let (ia, ic) = required(s, "id", &c)?;
                let (ta, tc) = required(s, "type", &c)?;
                let mut texts = [None; 7];
                for (slot, name) in texts.iter_mut().zip(RECORD_TEXTS) {
                    *slot = opt_str(s, name, &c)?;
                }
                let amount = child(s, "amount", &c)
                    .map(|(a, cc)| match a.data_type() {
                        DataType::Float64 => Ok(a.as_primitive::<arrow_array::types::Float64Type>()),
                        other => Err(wrong_type(&cc, "Float64", other)),
                    })
                    .transpose()?;
                let upheld = child(s, "upheld", &c)
                    .map(|(a, cc)| a.as_boolean_opt().ok_or_else(|| wrong_type(&cc, "Boolean", a.data_type())))
                    .transpose()?;
                Some(Records {
                    list,
                    id: Str::of(ia, &ic)?,
                    kind: Str::of(ta, &tc)?,
                    date: opt_day_col(s, "date", &c)?,
                    texts,
                    amount,
                    flags: child(s, "flags", &c).map(|(a, cc)| Strings::of(a, &cc)).transpose()?,
                    filed: opt_day_col(s, "filed", &c)?,
                    resolved: opt_day_col(s, "resolved", &c)?,
                    upheld,
                    conditions: child(s, "conditions", &c).map(|(a, cc)| Strings::of(a, &cc)).transpose()?,
                })
            }
        };
        Ok(SubjectColumns {
            rows: batch.num_rows(),
            as_of,
            scenario,
            explain,
            jurisdiction,
            subject,
            subject_nulls: subject.nulls(),
            id,
            name,
            kind,
            sector,
            related,
            records,
        })
    }

    pub fn len(&self) -> usize {
        self.rows
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Row `i`'s jurisdiction column, when the batch has one and the value is not null.
    pub fn jurisdiction(&self, i: usize) -> Option<&'a str> {
        self.jurisdiction.and_then(|j| j.get(i))
    }

    /// Row `i` as a request; a null where a value is required is a [`Failure`] naming its JSON path.
    pub fn request(&self, i: usize) -> Result<Request, Failure> {
        let as_of = self.as_of.get(i).ok_or_else(|| null_value("as_of"))?;
        if self.subject_nulls.is_some_and(|n| n.is_null(i)) || self.subject.is_null(i) {
            return Err(null_value("subject"));
        }
        let id = self.id.get(i).ok_or_else(|| null_value("subject.id"))?.to_string();
        let kind = self.kind.get(i).ok_or_else(|| null_value("subject.kind"))?.to_string();
        let mut related = Vec::new();
        if let Some(r) = &self.related
            && r.list.is_valid(i)
        {
            let offsets = r.list.value_offsets();
            for (k, j) in (offsets[i] as usize..offsets[i + 1] as usize).enumerate() {
                let at = |f: &str| format!("subject.related[{k}].{f}");
                related.push(RelatedPerson {
                    role: r.role.get(j).ok_or_else(|| null_value(&at("role")))?.to_string(),
                    id: r.id.get(j).ok_or_else(|| null_value(&at("id")))?.to_string(),
                    name: r.name.and_then(|n| n.get(j)).map(str::to_string),
                });
            }
        }
        let mut records = Vec::new();
        if let Some(r) = &self.records
            && r.list.is_valid(i)
        {
            let offsets = r.list.value_offsets();
            for (k, j) in (offsets[i] as usize..offsets[i + 1] as usize).enumerate() {
                let at = |f: &str| format!("subject.records[{k}].{f}");
                let text = |slot: usize| r.texts[slot].and_then(|s| s.get(j)).map(str::to_string);
                records.push(Record {
                    id: r.id.get(j).ok_or_else(|| null_value(&at("id")))?.to_string(),
                    record_type: r.kind.get(j).ok_or_else(|| null_value(&at("type")))?.to_string(),
                    date: r.date.and_then(|d| d.get(j)),
                    domain: text(0),
                    severity: text(1),
                    grade: text(2),
                    procedure: text(3),
                    amount: r.amount.and_then(|a| a.is_valid(j).then(|| a.value(j))),
                    authority: text(4),
                    document: text(5),
                    flags: match r.flags {
                        Some(f) => f.get(j, |n| format!("subject.records[{k}].flags[{n}]"))?,
                        None => Vec::new(),
                    },
                    of: text(6),
                    filed: r.filed.and_then(|d| d.get(j)),
                    resolved: r.resolved.and_then(|d| d.get(j)),
                    upheld: r.upheld.and_then(|a| a.is_valid(j).then(|| a.value(j))),
                    conditions: match r.conditions {
                        Some(f) => f.get(j, |n| format!("subject.records[{k}].conditions[{n}]"))?,
                        None => Vec::new(),
                    },
                });
            }
        }
        Ok(Request {
            as_of,
            scenario: self.scenario.and_then(|s| s.get(i)).map(str::to_string),
            explain: self.explain.is_some_and(|e| e.is_valid(i) && e.value(i)),
            subject: Subject {
                id,
                name: self.name.and_then(|n| n.get(i)).map(str::to_string),
                kind,
                sector: self.sector.and_then(|s| s.get(i)).map(str::to_string),
                related,
                records,
            },
        })
    }
}
