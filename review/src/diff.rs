//! Semantic diff of two versions of a policy, computed from their manifests: every list, measure, incentive,
//! notification, grading level, objection rule and repair regime is matched by name and compared field by field
//! (criteria, periods, repair conditions, exits, precedence, 强制/推荐, bases, scenarios, targets, implementers,
//! citations). The result is a typed [`PolicyDiff`]; [`render_text`], [`render_markdown`] and serde JSON print it.

use crate::inspect::{basis_text, citation_text, join};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use xince_abi::manifest::Manifest;
use xince_lang::Lang;

/// Which part of the policy an item belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    List,
    Measure,
    Incentive,
    Notification,
    Grading,
    Objection,
    Regime,
    Unverified,
}

impl Section {
    pub fn label(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            Section::List => ("名单", "Lists"),
            Section::Measure => ("措施", "Measures"),
            Section::Incentive => ("激励", "Incentives"),
            Section::Notification => ("通报", "Notifications"),
            Section::Grading => ("分级", "Grading"),
            Section::Objection => ("异议", "Objection"),
            Section::Regime => ("信用修复制度", "Repair regimes"),
            Section::Unverified => ("未核实的事实", "Unverified facts"),
        };
        pick(lang, zh, en)
    }
    const ALL: [Section; 8] = [
        Section::List,
        Section::Measure,
        Section::Incentive,
        Section::Notification,
        Section::Grading,
        Section::Objection,
        Section::Regime,
        Section::Unverified,
    ];
}

fn pick(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// A field's value: a single text, an unordered set (compared by membership) or an ordered sequence.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum FieldValue {
    Text(Option<String>),
    Set(Vec<String>),
    Seq(Vec<String>),
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Field {
    /// Stable English key (`criterion`, `mandatory`, `basis`, …); see [`field_label`].
    pub key: &'static str,
    pub value: FieldValue,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ValueChange {
    Text { old: Option<String>, new: Option<String> },
    Set { added: Vec<String>, removed: Vec<String> },
    Seq { old: Vec<String>, new: Vec<String> },
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FieldChange {
    pub key: &'static str,
    pub change: ValueChange,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum ItemChange {
    Added { fields: Vec<Field> },
    Removed { fields: Vec<Field> },
    Changed { fields: Vec<FieldChange> },
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ItemDiff {
    pub section: Section,
    pub name: String,
    #[serde(flatten)]
    pub change: ItemChange,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VersionRef {
    pub id: String,
    pub name: String,
    pub version: String,
    pub document: String,
    pub source_hash: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PolicyDiff {
    pub old: VersionRef,
    pub new: VersionRef,
    /// Changes to the policy header (id, jurisdiction, 文号, version, dates, …).
    pub header: Vec<FieldChange>,
    /// Item changes, by section then by name.
    pub items: Vec<ItemDiff>,
}

impl PolicyDiff {
    pub fn is_empty(&self) -> bool {
        self.header.is_empty() && self.items.is_empty()
    }
    /// (added, removed, changed) item counts in `section`.
    pub fn counts(&self, section: Section) -> (usize, usize, usize) {
        let mut c = (0, 0, 0);
        for item in self.items.iter().filter(|i| i.section == section) {
            match item.change {
                ItemChange::Added { .. } => c.0 += 1,
                ItemChange::Removed { .. } => c.1 += 1,
                ItemChange::Changed { .. } => c.2 += 1,
            }
        }
        c
    }
}

/// The reviewer-facing name of a field key.
pub fn field_label(key: &str, lang: Lang) -> &'static str {
    let (zh, en) = match key {
        "id" => ("编号", "id"),
        "name" => ("名称", "name"),
        "jurisdiction" => ("辖区", "jurisdiction"),
        "issuer" => ("制定机关", "issuer"),
        "document" => ("文号", "document"),
        "version" => ("版本", "version"),
        "effective_from" => ("生效日期", "effective from"),
        "effective_until" => ("失效日期", "effective until"),
        "level" => ("层级", "level"),
        "extends" => ("上级政策", "extends"),
        "supersedes" => ("替代", "supersedes"),
        "version_rule" => ("版本规则", "version rule"),
        "source_hash" => ("源文件哈希", "source hash"),
        "compiler_version" => ("编译器版本", "compiler version"),
        "abi_version" => ("ABI 版本", "ABI version"),
        "category" => ("类别", "category"),
        "criterion" => ("纳入条件", "criterion"),
        "period" => ("期限", "period"),
        "repair_conditions" => ("修复条件", "repair conditions"),
        "exits" => ("移出方式", "exits"),
        "remedies" => ("救济", "remedies"),
        "precedence_over" => ("优先于", "precedence over"),
        "basis" => ("依据", "basis"),
        "citation" => ("出处", "citation"),
        "kind" => ("类别", "kind"),
        "mandatory" => ("性质", "mandatory / recommended"),
        "trigger" => ("适用", "trigger"),
        "implementer" => ("实施单位", "implementer"),
        "scenarios" => ("场景", "scenarios"),
        "targets" => ("对象", "targets"),
        "refines" => ("细化", "refines"),
        "description" => ("说明", "description"),
        "clauses" => ("条件", "conditions"),
        "benefits" => ("内容", "benefits"),
        "recipients" => ("通报对象", "recipients"),
        "condition" => ("条件", "condition"),
        "levels" => ("档", "levels"),
        "supervision" => ("抽查", "inspection"),
        "deadline" => ("处理时限", "deadline"),
        "suspends_measures" => ("异议期间暂停措施", "suspends measures"),
        "periods" => ("公示期限", "publication periods"),
        "verified" => ("核实", "verified"),
        _ => ("字段", "field"),
    };
    pick(lang, zh, en)
}

fn text(key: &'static str, value: impl Into<String>) -> Field {
    Field { key, value: FieldValue::Text(Some(value.into())) }
}
fn opt(key: &'static str, value: &Option<String>) -> Field {
    Field { key, value: FieldValue::Text(value.clone()) }
}
fn set(key: &'static str, values: &[String]) -> Field {
    Field { key, value: FieldValue::Set(values.to_vec()) }
}
fn seq(key: &'static str, values: Vec<String>) -> Field {
    Field { key, value: FieldValue::Seq(values) }
}
fn yes_no(b: bool) -> String {
    if b { "是" } else { "否" }.to_string()
}

/// The comparable fields of every item of `m`, keyed by (section, name).
fn items_of(m: &Manifest) -> BTreeMap<(Section, String), Vec<Field>> {
    let mut out = BTreeMap::new();
    let bases =
        |b: &[xince_abi::manifest::Basis]| -> Vec<String> { b.iter().map(|b| basis_text(Lang::Zh, b)).collect() };
    for l in &m.lists {
        out.insert(
            (Section::List, l.name.clone()),
            vec![
                text("category", &l.category),
                text("criterion", &l.criterion),
                text("period", &l.period),
                set("repair_conditions", &l.repair_conditions),
                set("exits", &l.exits),
                set("remedies", &l.remedies),
                set("precedence_over", &l.precedence_over),
                set("basis", &bases(&l.basis)),
                text("citation", citation_text(&l.citation)),
            ],
        );
    }
    for x in &m.measures {
        out.insert(
            (Section::Measure, x.name.clone()),
            vec![
                text("kind", &x.kind),
                text("mandatory", if x.mandatory { "强制" } else { "推荐" }),
                text("trigger", &x.trigger),
                set("implementer", &x.implementer),
                set("scenarios", &x.scenarios),
                set("targets", &x.targets),
                set("basis", &bases(&x.basis)),
                opt("refines", &x.refines),
                opt("description", &x.description),
                text("citation", citation_text(&x.citation)),
            ],
        );
    }
    for i in &m.incentives {
        out.insert(
            (Section::Incentive, i.name.clone()),
            vec![
                seq("clauses", i.clauses.clone()),
                set("benefits", &i.benefits),
                set("scenarios", &i.scenarios),
                set("implementer", &i.implementer),
                set("basis", &bases(&i.basis)),
                text("citation", citation_text(&i.citation)),
            ],
        );
    }
    for n in &m.notifications {
        out.insert(
            (Section::Notification, n.name.clone()),
            vec![
                text("condition", &n.condition),
                set("recipients", &n.recipients),
                text("citation", citation_text(&n.citation)),
            ],
        );
    }
    if let Some(g) = &m.grading {
        out.insert(
            (Section::Grading, g.name.clone()),
            vec![
                // Order matters: the first level whose condition holds is the grade.
                seq("levels", g.levels.iter().map(|l| format!("{} 当 {}", l.name, l.condition)).collect()),
                set(
                    "supervision",
                    &g.levels
                        .iter()
                        .filter_map(|l| l.supervision.as_ref().map(|s| format!("{}: {s}", l.name)))
                        .collect::<Vec<_>>(),
                ),
                text("citation", citation_text(&g.citation)),
            ],
        );
    }
    if let Some(o) = &m.objection {
        out.insert(
            (Section::Objection, "异议".to_string()),
            vec![
                opt("deadline", &o.deadline),
                text("suspends_measures", yes_no(o.suspends_measures)),
                text("citation", citation_text(&o.citation)),
            ],
        );
    }
    for r in &m.regimes {
        let periods: Vec<String> = r
            .periods
            .iter()
            .map(|(sev, p)| match &p.minimum {
                Some(min) => format!("{sev}: {min} 至 {}", p.maximum),
                None => format!("{sev}: {}", p.maximum),
            })
            .collect();
        out.insert(
            (Section::Regime, r.name.clone()),
            vec![
                text("document", &r.document),
                text("effective_from", &r.effective_from),
                opt("effective_until", &r.effective_until),
                set("periods", &periods),
                text("verified", yes_no(r.verified)),
            ],
        );
    }
    for u in &m.unverified {
        out.insert((Section::Unverified, u.clone()), Vec::new());
    }
    out
}

fn header_of(m: &Manifest) -> Vec<Field> {
    let p = &m.policy;
    vec![
        text("id", &p.id),
        text("name", &p.name),
        text("jurisdiction", &p.jurisdiction),
        text("issuer", &p.issuer),
        text("document", &p.document),
        text("version", &p.version),
        text("effective_from", &p.effective_from),
        opt("effective_until", &p.effective_until),
        text("level", &p.level),
        set("extends", &p.extends),
        opt("supersedes", &p.supersedes),
        text("version_rule", &p.version_rule),
        text("source_hash", &m.source_hash),
        text("compiler_version", &m.compiler_version),
        text("abi_version", m.abi_version.to_string()),
    ]
}

fn compare_fields(old: &[Field], new: &[Field]) -> Vec<FieldChange> {
    let mut out = Vec::new();
    for o in old {
        let Some(n) = new.iter().find(|n| n.key == o.key) else { continue };
        let change = match (&o.value, &n.value) {
            (FieldValue::Text(a), FieldValue::Text(b)) if a != b => {
                Some(ValueChange::Text { old: a.clone(), new: b.clone() })
            }
            (FieldValue::Set(a), FieldValue::Set(b)) => {
                let a_set: BTreeSet<&String> = a.iter().collect();
                let b_set: BTreeSet<&String> = b.iter().collect();
                let added: Vec<String> = b.iter().filter(|x| !a_set.contains(x)).cloned().collect();
                let removed: Vec<String> = a.iter().filter(|x| !b_set.contains(x)).cloned().collect();
                (!added.is_empty() || !removed.is_empty()).then_some(ValueChange::Set { added, removed })
            }
            (FieldValue::Seq(a), FieldValue::Seq(b)) if a != b => {
                Some(ValueChange::Seq { old: a.clone(), new: b.clone() })
            }
            _ => None,
        };
        if let Some(change) = change {
            out.push(FieldChange { key: o.key, change });
        }
    }
    out
}

fn version_ref(m: &Manifest) -> VersionRef {
    VersionRef {
        id: m.policy.id.clone(),
        name: m.policy.name.clone(),
        version: m.policy.version.clone(),
        document: m.policy.document.clone(),
        source_hash: m.source_hash.clone(),
    }
}

/// Compares two versions of a policy. Items are matched by section and name; a renamed item shows as one
/// removed and one added.
pub fn diff_manifests(old: &Manifest, new: &Manifest) -> PolicyDiff {
    let old_items = items_of(old);
    let new_items = items_of(new);
    let mut items = Vec::new();
    for (key, fields) in &old_items {
        match new_items.get(key) {
            None => items.push(ItemDiff {
                section: key.0,
                name: key.1.clone(),
                change: ItemChange::Removed { fields: fields.clone() },
            }),
            Some(new_fields) => {
                let changes = compare_fields(fields, new_fields);
                if !changes.is_empty() {
                    items.push(ItemDiff {
                        section: key.0,
                        name: key.1.clone(),
                        change: ItemChange::Changed { fields: changes },
                    });
                }
            }
        }
    }
    for (key, fields) in &new_items {
        if !old_items.contains_key(key) {
            items.push(ItemDiff {
                section: key.0,
                name: key.1.clone(),
                change: ItemChange::Added { fields: fields.clone() },
            });
        }
    }
    // Stable order: section, then removed/changed/added as found, then name.
    items.sort_by(|a, b| a.section.cmp(&b.section).then_with(|| a.name.cmp(&b.name)));
    PolicyDiff {
        old: version_ref(old),
        new: version_ref(new),
        header: compare_fields(&header_of(old), &header_of(new)),
        items,
    }
}

fn none_text(lang: Lang) -> &'static str {
    pick(lang, "（无）", "(none)")
}

fn value_text(lang: Lang, v: &FieldValue) -> String {
    match v {
        FieldValue::Text(t) => t.clone().unwrap_or_else(|| none_text(lang).to_string()),
        FieldValue::Set(s) | FieldValue::Seq(s) => join(lang, s),
    }
}

/// `old → new`, or `+ a、b；- c` for sets.
fn change_text(lang: Lang, c: &ValueChange) -> String {
    match c {
        ValueChange::Text { old, new } => {
            let none = none_text(lang);
            format!("{} → {}", old.as_deref().unwrap_or(none), new.as_deref().unwrap_or(none))
        }
        ValueChange::Set { added, removed } => {
            let mut parts = Vec::new();
            if !added.is_empty() {
                parts.push(format!("{} {}", pick(lang, "增加", "added"), join(lang, added)));
            }
            if !removed.is_empty() {
                parts.push(format!("{} {}", pick(lang, "删除", "removed"), join(lang, removed)));
            }
            parts.join(pick(lang, "；", "; "))
        }
        ValueChange::Seq { old, new } => format!("{} → {}", join(lang, old), join(lang, new)),
    }
}

fn summary_line(d: &PolicyDiff, lang: Lang) -> String {
    let mut parts = Vec::new();
    for section in Section::ALL {
        let (a, r, c) = d.counts(section);
        if a + r + c > 0 {
            parts.push(match lang {
                Lang::Zh => format!("{} 新增 {a}、删除 {r}、修改 {c}", section.label(lang)),
                Lang::En => format!("{}: {a} added, {r} removed, {c} changed", section.label(lang)),
            });
        }
    }
    if parts.is_empty() {
        return pick(lang, "规则无变化", "no rule changes").to_string();
    }
    parts.join(pick(lang, "；", "; "))
}

/// The diff as indented text: `+` added, `-` removed, `~` changed, each change as old → new.
pub fn render_text(d: &PolicyDiff, lang: Lang) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}{}{} {} → {}{}{} → {}{}",
        d.new.name,
        pick(lang, "：", ": "),
        pick(lang, "版本", "version"),
        d.old.version,
        d.new.version,
        pick(lang, "（", " ("),
        d.old.document,
        d.new.document,
        pick(lang, "）", ")")
    );
    if d.old.id != d.new.id {
        let _ = writeln!(s, "{}: {} → {}", pick(lang, "政策编号", "policy id"), d.old.id, d.new.id);
    }
    let _ = writeln!(s, "{}", summary_line(d, lang));
    if d.is_empty() {
        return s;
    }
    if !d.header.is_empty() {
        let _ = writeln!(s, "\n{}", pick(lang, "政策头", "Policy header"));
        for f in &d.header {
            let _ = writeln!(s, "  ~ {}: {}", field_label(f.key, lang), change_text(lang, &f.change));
        }
    }
    for section in Section::ALL {
        let items: Vec<&ItemDiff> = d.items.iter().filter(|i| i.section == section).collect();
        if items.is_empty() {
            continue;
        }
        let _ = writeln!(s, "\n{}", section.label(lang));
        for item in items {
            match &item.change {
                ItemChange::Added { fields } => {
                    let _ = writeln!(s, "  + {}", item.name);
                    for f in fields {
                        let _ = writeln!(s, "      {}: {}", field_label(f.key, lang), value_text(lang, &f.value));
                    }
                }
                ItemChange::Removed { .. } => {
                    let _ = writeln!(s, "  - {}", item.name);
                }
                ItemChange::Changed { fields } => {
                    let _ = writeln!(s, "  ~ {}", item.name);
                    for f in fields {
                        let _ = writeln!(s, "      {}: {}", field_label(f.key, lang), change_text(lang, &f.change));
                    }
                }
            }
        }
    }
    s
}

/// Escapes `|` and newlines for a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The diff as Markdown for a review ticket: a summary, then one table per section.
pub fn render_markdown(d: &PolicyDiff, lang: Lang) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "## {}：{} → {}\n", d.new.name, d.old.version, d.new.version);
    let _ = writeln!(
        s,
        "- {}：`{}` → `{}`\n- {}：`{}` → `{}`\n- {}：{}\n",
        pick(lang, "文号", "document"),
        d.old.document,
        d.new.document,
        pick(lang, "源文件哈希", "source hash"),
        d.old.source_hash,
        d.new.source_hash,
        pick(lang, "概要", "summary"),
        summary_line(d, lang)
    );
    let (item_h, change_h, field_h, old_h, new_h) = (
        pick(lang, "条目", "item"),
        pick(lang, "变更", "change"),
        pick(lang, "字段", "field"),
        pick(lang, "原", "old"),
        pick(lang, "新", "new"),
    );
    if !d.header.is_empty() {
        let _ = writeln!(
            s,
            "### {}\n\n| {field_h} | {old_h} | {new_h} |\n|---|---|---|",
            pick(lang, "政策头", "Policy header")
        );
        for f in &d.header {
            let (o, n) = old_new(lang, &f.change);
            let _ = writeln!(s, "| {} | {} | {} |", field_label(f.key, lang), cell(&o), cell(&n));
        }
        s.push('\n');
    }
    for section in Section::ALL {
        let items: Vec<&ItemDiff> = d.items.iter().filter(|i| i.section == section).collect();
        if items.is_empty() {
            continue;
        }
        let _ = writeln!(
            s,
            "### {}\n\n| {item_h} | {change_h} | {field_h} | {old_h} | {new_h} |\n|---|---|---|---|---|",
            section.label(lang)
        );
        for item in items {
            match &item.change {
                ItemChange::Added { fields } => {
                    let summary: Vec<String> = fields
                        .iter()
                        .map(|f| format!("{}: {}", field_label(f.key, lang), value_text(lang, &f.value)))
                        .collect();
                    let _ = writeln!(
                        s,
                        "| **{}** | {} | | | {} |",
                        cell(&item.name),
                        pick(lang, "新增", "added"),
                        cell(&summary.join("<br>"))
                    );
                }
                ItemChange::Removed { .. } => {
                    let _ = writeln!(s, "| **{}** | {} | | | |", cell(&item.name), pick(lang, "删除", "removed"));
                }
                ItemChange::Changed { fields } => {
                    for f in fields {
                        let (o, n) = old_new(lang, &f.change);
                        let _ = writeln!(
                            s,
                            "| **{}** | {} | {} | {} | {} |",
                            cell(&item.name),
                            pick(lang, "修改", "changed"),
                            field_label(f.key, lang),
                            cell(&o),
                            cell(&n)
                        );
                    }
                }
            }
        }
        s.push('\n');
    }
    s
}

/// Old and new cell texts of a change; for sets, the removed and added members.
fn old_new(lang: Lang, c: &ValueChange) -> (String, String) {
    let none = none_text(lang);
    match c {
        ValueChange::Text { old, new } => {
            (old.clone().unwrap_or_else(|| none.to_string()), new.clone().unwrap_or_else(|| none.to_string()))
        }
        ValueChange::Set { added, removed } => {
            let r = if removed.is_empty() { String::new() } else { format!("− {}", join(lang, removed)) };
            let a = if added.is_empty() { String::new() } else { format!("+ {}", join(lang, added)) };
            (r, a)
        }
        ValueChange::Seq { old, new } => (join(lang, old), join(lang, new)),
    }
}
