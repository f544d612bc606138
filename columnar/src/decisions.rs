//! The decision schema: one row per subject, in input order, made to be queried (`docs/schema/decisions.arrow.md`).
//!
//! Fixed columns first (`row`, the subject, the date, the policy that decided, the grade, and the error columns,
//! all null but `row` on a decided row and filled on an error row), then one column per list, measure and
//! incentive that any of the loaded modules defines, in the modules' order (by policy id and version), so the
//! schema is the same for every batch of a run and for every executor that loads the same modules:
//!
//! - `list:<名单>` (Utf8): the list status (`active`, `expired`, …; `not_listed` when the deciding module
//!   defines the list and the subject is not on it; null when that module does not define it);
//!   `list:<名单>:entered` and `list:<名单>:ends` (Date32): entry date and last day of publication;
//! - `measure:<措施>` (Utf8): the measure status (`not_applicable` when the module defines it and it does not
//!   apply); `measure:<措施>:until` (Date32);
//! - `incentive:<激励>` (Boolean): eligible or not (null when the decision does not mention it).
//!
//! With `decision_json`, a last `decision` column holds the full cited decision exactly as the JSON Lines
//! path writes it (for an error row: the error object with its `line`), byte for byte.

use arrow_array::builder::ArrayBuilder;
use arrow_array::builder::{BooleanBuilder, Date32Builder, Int64Builder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use std::collections::HashMap;
use std::sync::Arc;
use xince_abi::date::CivilDate;
use xince_abi::decision::{Day, Decision};
use xince_abi::layout::{ListStatus, MeasureStatus};
use xince_abi::manifest::Manifest;
use xince_abi::request::Request;
use xince_batch::Failure;

/// The status names the JSON decision uses (`snake_case`).
pub fn list_status_name(s: ListStatus) -> &'static str {
    match s {
        ListStatus::NotListed => "not_listed",
        ListStatus::Active => "active",
        ListStatus::Suspended => "suspended",
        ListStatus::Expired => "expired",
        ListStatus::Repaired => "repaired",
        ListStatus::Overridden => "overridden",
        ListStatus::Revoked => "revoked",
    }
}

pub fn measure_status_name(s: MeasureStatus) -> &'static str {
    match s {
        MeasureStatus::NotApplicable => "not_applicable",
        MeasureStatus::Active => "active",
        MeasureStatus::Suspended => "suspended",
        MeasureStatus::Ended => "ended",
        MeasureStatus::OtherScenario => "other_scenario",
    }
}

/// The fixed columns, in order.
pub const FIXED_COLUMNS: [&str; 13] = [
    "row",
    "subject_id",
    "subject_name",
    "as_of",
    "scenario",
    "policy_id",
    "policy_version",
    "policy_jurisdiction",
    "grade",
    "error_code",
    "error_path",
    "error_message_zh",
    "error_message_en",
];

/// The shape of the decision schema for a set of modules: the names of their lists, measures and incentives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecisionLayout {
    pub lists: Vec<String>,
    pub measures: Vec<String>,
    pub incentives: Vec<String>,
    pub decision_json: bool,
}

fn push_unique(names: &mut Vec<String>, seen: &mut HashMap<String, usize>, name: &str) {
    if !seen.contains_key(name) {
        seen.insert(name.to_string(), names.len());
        names.push(name.to_string());
    }
}

impl DecisionLayout {
    /// The union of the modules' lists, measures and incentives, modules taken by (policy id, version).
    pub fn new<'m>(manifests: impl IntoIterator<Item = &'m Manifest>, decision_json: bool) -> Self {
        let mut manifests: Vec<&Manifest> = manifests.into_iter().collect();
        manifests.sort_by(|a, b| (&a.policy.id, &a.policy.version).cmp(&(&b.policy.id, &b.policy.version)));
        let (mut lists, mut measures, mut incentives) = (Vec::new(), Vec::new(), Vec::new());
        let (mut ls, mut ms, mut is) = (HashMap::new(), HashMap::new(), HashMap::new());
        for m in manifests {
            for l in &m.lists {
                push_unique(&mut lists, &mut ls, &l.name);
            }
            for x in &m.measures {
                push_unique(&mut measures, &mut ms, &x.name);
            }
            for i in &m.incentives {
                push_unique(&mut incentives, &mut is, &i.name);
            }
        }
        DecisionLayout { lists, measures, incentives, decision_json }
    }

    pub fn schema(&self) -> SchemaRef {
        let mut fields: Vec<Field> = FIXED_COLUMNS
            .iter()
            .map(|&name| match name {
                "row" => Field::new(name, DataType::Int64, false),
                "as_of" => Field::new(name, DataType::Date32, true),
                _ => Field::new(name, DataType::Utf8, true),
            })
            .collect();
        for l in &self.lists {
            fields.push(Field::new(format!("list:{l}"), DataType::Utf8, true));
            fields.push(Field::new(format!("list:{l}:entered"), DataType::Date32, true));
            fields.push(Field::new(format!("list:{l}:ends"), DataType::Date32, true));
        }
        for m in &self.measures {
            fields.push(Field::new(format!("measure:{m}"), DataType::Utf8, true));
            fields.push(Field::new(format!("measure:{m}:until"), DataType::Date32, true));
        }
        for i in &self.incentives {
            fields.push(Field::new(format!("incentive:{i}"), DataType::Boolean, true));
        }
        if self.decision_json {
            fields.push(Field::new("decision", DataType::Utf8, false));
        }
        Arc::new(Schema::new(fields))
    }
}

/// Which of the layout's columns one module defines (cached per module).
struct Known {
    module: String,
    lists: Vec<bool>,
    measures: Vec<bool>,
}

/// Builds record batches in the decision schema, one row at a time.
pub struct DecisionBuilder {
    layout: Arc<DecisionLayout>,
    schema: SchemaRef,
    list_at: HashMap<String, usize>,
    measure_at: HashMap<String, usize>,
    incentive_at: HashMap<String, usize>,
    known: Vec<Known>,
    row: Int64Builder,
    text: Vec<StringBuilder>,
    as_of: Date32Builder,
    lists: Vec<(StringBuilder, Date32Builder, Date32Builder)>,
    measures: Vec<(StringBuilder, Date32Builder)>,
    incentives: Vec<BooleanBuilder>,
    json: StringBuilder,
    // Per-row scratch: what the decision says, by column.
    list_row: Vec<Option<ListCell>>,
    measure_row: Vec<Option<(&'static str, Option<i32>)>>,
    incentive_row: Vec<Option<bool>>,
}

/// One list's cells in a row: its status, and the entered and publication-end days (Date32).
type ListCell = (&'static str, Option<i32>, Option<i32>);

/// Text columns among the fixed ones (all but `row` and `as_of`), in order.
const TEXT: usize = 11;
const SUBJECT_ID: usize = 0;
const SUBJECT_NAME: usize = 1;
const SCENARIO: usize = 2;
const POLICY_ID: usize = 3;
const POLICY_VERSION: usize = 4;
const POLICY_JURISDICTION: usize = 5;
const GRADE: usize = 6;
const ERROR_CODE: usize = 7;
const ERROR_PATH: usize = 8;
const ERROR_ZH: usize = 9;
const ERROR_EN: usize = 10;

fn days(d: Option<&Day>) -> Option<i32> {
    d.map(|Day(c)| c.to_days())
}

fn days_of_text(s: &str) -> Option<i32> {
    CivilDate::parse(s).ok().map(CivilDate::to_days)
}

impl DecisionBuilder {
    pub fn new(layout: Arc<DecisionLayout>) -> Self {
        let index = |names: &[String]| names.iter().enumerate().map(|(i, n)| (n.clone(), i)).collect();
        DecisionBuilder {
            schema: layout.schema(),
            list_at: index(&layout.lists),
            measure_at: index(&layout.measures),
            incentive_at: index(&layout.incentives),
            known: Vec::new(),
            row: Int64Builder::new(),
            text: (0..TEXT).map(|_| StringBuilder::new()).collect(),
            as_of: Date32Builder::new(),
            lists: layout
                .lists
                .iter()
                .map(|_| (StringBuilder::new(), Date32Builder::new(), Date32Builder::new()))
                .collect(),
            measures: layout.measures.iter().map(|_| (StringBuilder::new(), Date32Builder::new())).collect(),
            incentives: layout.incentives.iter().map(|_| BooleanBuilder::new()).collect(),
            json: StringBuilder::new(),
            list_row: vec![None; layout.lists.len()],
            measure_row: vec![None; layout.measures.len()],
            incentive_row: vec![None; layout.incentives.len()],
            layout,
        }
    }

    pub fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    /// Whether rows carry the full decision as JSON.
    pub fn wants_json(&self) -> bool {
        self.layout.decision_json
    }

    pub fn len(&self) -> usize {
        self.row.len()
    }

    pub fn is_empty(&self) -> bool {
        self.row.len() == 0
    }

    fn known(&mut self, module: &str, manifest: &Manifest) -> usize {
        if let Some(k) = self.known.iter().position(|k| k.module == module) {
            return k;
        }
        let mut lists = vec![false; self.layout.lists.len()];
        for l in &manifest.lists {
            if let Some(&i) = self.list_at.get(&l.name) {
                lists[i] = true;
            }
        }
        let mut measures = vec![false; self.layout.measures.len()];
        for m in &manifest.measures {
            if let Some(&i) = self.measure_at.get(&m.name) {
                measures[i] = true;
            }
        }
        self.known.push(Known { module: module.to_string(), lists, measures });
        self.known.len() - 1
    }

    /// Appends a decided row. `json` is the decision's JSON text when the layout asks for it.
    pub fn append_decision(&mut self, row: u64, module: &str, manifest: &Manifest, d: &Decision<'_>, json: &str) {
        let k = self.known(module, manifest);
        self.row.append_value(i64::try_from(row).unwrap_or(i64::MAX));
        self.text[SUBJECT_ID].append_value(&*d.subject.id);
        self.text[SUBJECT_NAME].append_option(d.subject.name.as_deref());
        self.as_of.append_option(days_of_text(&d.as_of));
        self.text[SCENARIO].append_option(d.scenario.as_deref());
        self.text[POLICY_ID].append_value(&*d.policy.id);
        self.text[POLICY_VERSION].append_value(&*d.policy.version);
        self.text[POLICY_JURISDICTION].append_value(&*d.policy.jurisdiction);
        self.text[GRADE].append_option(d.grade.as_ref().map(|g| &*g.level));
        for i in [ERROR_CODE, ERROR_PATH, ERROR_ZH, ERROR_EN] {
            self.text[i].append_null();
        }

        self.list_row.iter_mut().for_each(|x| *x = None);
        self.measure_row.iter_mut().for_each(|x| *x = None);
        self.incentive_row.iter_mut().for_each(|x| *x = None);
        for l in &d.lists {
            if let Some(&i) = self.list_at.get(&*l.list) {
                self.list_row[i] =
                    Some((list_status_name(l.status), days(l.entered.as_ref()), days(l.publication_ends.as_ref())));
            }
        }
        for m in &d.measures {
            if let Some(&i) = self.measure_at.get(&*m.measure) {
                self.measure_row[i] = Some((measure_status_name(m.status), days(m.until.as_ref())));
            }
        }
        for inc in &d.incentives {
            if let Some(&i) = self.incentive_at.get(&*inc.incentive) {
                self.incentive_row[i] = Some(inc.eligible);
            }
        }
        let known = &self.known[k];
        for (i, (status, entered, ends)) in self.lists.iter_mut().enumerate() {
            match self.list_row[i] {
                Some((s, e, p)) => {
                    status.append_value(s);
                    entered.append_option(e);
                    ends.append_option(p);
                }
                None => {
                    status.append_option(known.lists[i].then_some("not_listed"));
                    entered.append_null();
                    ends.append_null();
                }
            }
        }
        for (i, (status, until)) in self.measures.iter_mut().enumerate() {
            match self.measure_row[i] {
                Some((s, u)) => {
                    status.append_value(s);
                    until.append_option(u);
                }
                None => {
                    status.append_option(known.measures[i].then_some("not_applicable"));
                    until.append_null();
                }
            }
        }
        for (i, b) in self.incentives.iter_mut().enumerate() {
            b.append_option(self.incentive_row[i]);
        }
        if self.layout.decision_json {
            self.json.append_value(json);
        }
    }

    /// Appends an error row: the failure, with whatever of the request could be read (`json` as above).
    pub fn append_failure(&mut self, row: u64, request: Option<&Request>, failure: &Failure, json: &str) {
        self.row.append_value(i64::try_from(row).unwrap_or(i64::MAX));
        self.text[SUBJECT_ID].append_option(request.map(|r| r.subject.id.as_str()));
        self.text[SUBJECT_NAME].append_option(request.and_then(|r| r.subject.name.as_deref()));
        self.as_of.append_option(request.and_then(|r| days_of_text(&r.as_of)));
        self.text[SCENARIO].append_option(request.and_then(|r| r.scenario.as_deref()));
        for i in [POLICY_ID, POLICY_VERSION, POLICY_JURISDICTION, GRADE] {
            self.text[i].append_null();
        }
        self.text[ERROR_CODE].append_value(&failure.code);
        self.text[ERROR_PATH].append_option(failure.path.as_deref());
        self.text[ERROR_ZH].append_value(&failure.message_zh);
        self.text[ERROR_EN].append_value(&failure.message_en);
        for (status, entered, ends) in &mut self.lists {
            status.append_null();
            entered.append_null();
            ends.append_null();
        }
        for (status, until) in &mut self.measures {
            status.append_null();
            until.append_null();
        }
        for b in &mut self.incentives {
            b.append_null();
        }
        if self.layout.decision_json {
            self.json.append_value(json);
        }
    }

    /// The rows appended since the last call, as one batch; the builder is empty again.
    pub fn finish(&mut self) -> Result<RecordBatch, arrow_schema::ArrowError> {
        let mut columns: Vec<ArrayRef> = Vec::with_capacity(self.schema.fields().len());
        columns.push(Arc::new(self.row.finish()));
        let mut text = self.text.iter_mut();
        let mut next_text = || -> ArrayRef {
            match text.next() {
                Some(b) => Arc::new(b.finish()),
                None => Arc::new(StringBuilder::new().finish()),
            }
        };
        columns.push(next_text()); // subject_id
        columns.push(next_text()); // subject_name
        columns.push(Arc::new(self.as_of.finish()));
        for _ in SCENARIO..TEXT {
            columns.push(next_text());
        }
        for (status, entered, ends) in &mut self.lists {
            columns.push(Arc::new(status.finish()));
            columns.push(Arc::new(entered.finish()));
            columns.push(Arc::new(ends.finish()));
        }
        for (status, until) in &mut self.measures {
            columns.push(Arc::new(status.finish()));
            columns.push(Arc::new(until.finish()));
        }
        for b in &mut self.incentives {
            columns.push(Arc::new(b.finish()));
        }
        if self.layout.decision_json {
            columns.push(Arc::new(self.json.finish()));
        }
        RecordBatch::try_new(self.schema.clone(), columns)
    }
}
