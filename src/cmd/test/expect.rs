//! A policy test case and its expectation: reading a case (refusing keys, names and statuses the policy does not
//! have), checking one engine's outcome against it, and scaffolding a case for a drafter (`xince test --new`).
//!
//! The harness (`super`) only builds the engines and runs them; everything about what a case may say lives here,
//! so a misspelled list name or status is refused before any engine runs and can never pass by accident.

use serde_json::{Map, Value, json};
use xince_abi::decision::Decision;
use xince_abi::manifest::Manifest;
use xince_abi::request::Request;
use xince_testkit::engines::Compiled;

/// The closest candidate within a distance that scales with the name's length (a name containing the
/// candidate, or the reverse, counts as near).
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 2).max(1);
    let mut best: Option<(usize, &str)> = None;
    for cand in candidates {
        if cand == name {
            continue;
        }
        let d = xince_abi::decode::edit_distance(name, cand);
        let d = if cand.contains(name) || name.contains(cand) { d.min(limit) } else { d };
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, cand));
        }
    }
    best.map(|(_, c)| c)
}

/// The request's decision on each engine of [`Compiled::engines`], or the whole error that stopped it (code,
/// message and, for a request the policy cannot decode, the place in the request).
pub fn decide_on_each<'a>(engines: &'a Compiled, request: &'a Request) -> Vec<(&'static str, Outcome<'a>)> {
    let manifest = engines.build.manifest();
    let encoded = xince_abi::decode::encode_request(manifest, request);
    engines
        .engines()
        .into_iter()
        .map(|mut engine| {
            let outcome = match &encoded {
                Err(e) => Err(EngineError {
                    code: e.code.name().to_string(),
                    message: format!("{} / {}", e.message_zh, e.message_en),
                    path: Some(e.path.clone()),
                }),
                Ok(encoded) => engine
                    .run(&encoded.input)
                    .map(|raw| xince_abi::decode::decide(manifest, encoded, &raw))
                    .map_err(|e| EngineError {
                        code: e.code.to_string(),
                        message: format!("{} / {}", e.message_zh, e.message_en),
                        path: None,
                    }),
            };
            (engine.name(), outcome)
        })
        .collect()
}

/// What a drafter writes where a value is still to be filled in; a case holding it does not run.
pub const TODO: &str = "待填";

/// The keys a case file may have (documented in docs/language.md §8).
const CASE_KEYS: [&str; 7] = ["description", "article", "quote", "request", "expect", "known_defect", "note"];
/// The sections an expectation may have.
const EXPECT_KEYS: [&str; 9] =
    ["lists", "measures", "incentives", "notifications", "grade", "targets", "dates", "objections", "error"];
/// The fields of a list entry `dates` may check (the decision's JSON names).
const LIST_FIELDS: [&str; 9] = [
    "status",
    "record",
    "entered",
    "publication_ends",
    "earliest_repair",
    "ended_on",
    "regime",
    "overridden_by",
    "repair",
];
/// The fields of an objection `objections` may check.
const OBJECTION_FIELDS: [&str; 3] = ["filed", "due", "status"];

/// List statuses: JSON name, then the words the text view shows (and a short form of the suspended one).
const LIST_STATUSES: [(&str, &[&str]); 7] = [
    ("not_listed", &["未列入"]),
    ("active", &["列入中"]),
    ("suspended", &["中止（异议处理中）", "中止"]),
    ("expired", &["期满移出"]),
    ("repaired", &["已修复移出"]),
    ("overridden", &["被优先名单取代"]),
    ("revoked", &["异议成立撤销"]),
];
const MEASURE_STATUSES: [(&str, &[&str]); 5] = [
    ("not_applicable", &["不适用"]),
    ("active", &["实施中"]),
    ("suspended", &["中止"]),
    ("ended", &["已结束"]),
    ("other_scenario", &["其他场景"]),
];
const OBJECTION_STATUSES: [(&str, &[&str]); 3] =
    [("pending", &["待处理", "处理中"]), ("overdue", &["已逾期未处理"]), ("resolved", &["已处理"])];

/// An engine's error, whole: its code, its message and where in the request it points (if anywhere).
#[derive(Clone, Debug, PartialEq)]
pub struct EngineError {
    pub code: String,
    pub message: String,
    pub path: Option<String>,
}

impl std::fmt::Display for EngineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}：{}", self.code, self.message)?;
        if let Some(p) = &self.path {
            write!(f, "（{p}）")?;
        }
        Ok(())
    }
}

pub type Outcome<'a> = Result<Decision<'a>, EngineError>;

/// A case as read from its file, with its expectation normalised to the decision's JSON names.
pub struct Case {
    pub description: String,
    pub article: Option<String>,
    pub quote: Option<String>,
    pub request: Value,
    pub expect: Map<String, Value>,
    /// `"issue 13 item N: …"`: the text says what `expect` says, the engine cannot yet (reported as a known gap).
    pub known_defect: Option<String>,
}

fn unknown(what: &str, name: &str, candidates: &[&str]) -> String {
    let hint = did_you_mean(name, candidates.iter().copied())
        .map(|b| format!("；是不是「{b}」？ / did you mean \"{b}\"?"))
        .unwrap_or_default();
    let known = if candidates.len() <= 12 {
        format!("（可用 / known: {}）", candidates.join("、"))
    } else {
        String::new()
    };
    format!("{what}「{name}」不存在 / unknown {what} \"{name}\"{hint}{known}")
}

fn status(
    what: &str,
    table: &[(&'static str, &[&str])],
    v: &Value,
    at: &str,
    problems: &mut Vec<String>,
) -> Option<Value> {
    let Some(s) = v.as_str() else {
        problems.push(format!("{at}: {what}应为字符串 / {what} must be a string, got {v}"));
        return None;
    };
    if s == TODO {
        problems.push(format!("{at}: 用例未完成（{TODO}）/ case not completed"));
        return None;
    }
    for (json_name, shown) in table {
        if *json_name == s || shown.contains(&s) {
            return Some(Value::from(*json_name));
        }
    }
    let mut all: Vec<&str> = table.iter().map(|(j, _)| *j).collect();
    all.extend(table.iter().flat_map(|(_, z)| z.iter().copied()));
    problems.push(format!("{at}: {}", unknown(what, s, &all)));
    None
}

fn boolean(v: &Value, at: &str, problems: &mut Vec<String>) -> Option<Value> {
    match v {
        Value::Bool(_) => Some(v.clone()),
        Value::String(s) if s == "符合" || s == "eligible" => Some(Value::Bool(true)),
        Value::String(s) if s == "不符合" || s == "not_eligible" || s == "not eligible" => Some(Value::Bool(false)),
        Value::String(s) if s == TODO => {
            problems.push(format!("{at}: 用例未完成（{TODO}）/ case not completed"));
            None
        }
        _ => {
            problems.push(format!(
                "{at}: 激励的期望应为 true/false 或 符合/不符合 / an incentive expects true/false or 符合/不符合, got {v}"
            ));
            None
        }
    }
}

fn object<'a>(v: &'a Value, at: &str, problems: &mut Vec<String>) -> Option<&'a Map<String, Value>> {
    let o = v.as_object();
    if o.is_none() {
        problems.push(format!("{at}: 应为对象 / must be an object, got {v}"));
    }
    o
}

/// Reads a case file's JSON; every problem (unknown key, name, status, placeholder) is one line naming it.
pub fn read_case(text: &str, manifest: &Manifest) -> Result<Case, Vec<String>> {
    let value: Value = serde_json::from_str(text).map_err(|e| vec![format!("JSON: {e}")])?;
    let Some(top) = value.as_object() else {
        return Err(vec!["用例应为 JSON 对象 / a case is a JSON object".into()]);
    };
    let mut problems = Vec::new();
    for key in top.keys() {
        if !CASE_KEYS.contains(&key.as_str()) {
            problems.push(unknown("用例键 / case key", key, &CASE_KEYS));
        }
    }
    let text_field = |k: &str, problems: &mut Vec<String>| -> Option<String> {
        match top.get(k) {
            None => None,
            Some(Value::String(s)) if s == TODO => {
                problems.push(format!("{k}: 用例未完成（{TODO}）/ case not completed"));
                None
            }
            Some(Value::String(s)) => Some(s.clone()),
            Some(v) => {
                problems.push(format!("{k}: 应为字符串 / must be a string, got {v}"));
                None
            }
        }
    };
    let description = text_field("description", &mut problems).unwrap_or_default();
    let article = text_field("article", &mut problems);
    let quote = text_field("quote", &mut problems);
    let known_defect = text_field("known_defect", &mut problems);
    if article.is_some() != quote.is_some() {
        problems.push("article 与 quote 须同时给出 / article and quote go together".into());
    }
    let request = match top.get("request") {
        Some(r) => r.clone(),
        None => {
            problems.push("用例缺少 request / case has no request".into());
            Value::Null
        }
    };
    let mut expect = Map::new();
    match top.get("expect") {
        None => problems.push("用例缺少 expect / case has no expect".into()),
        Some(e) => {
            if let Some(e) = object(e, "expect", &mut problems) {
                expect = normalise(e, manifest, &request, &mut problems);
                if expect.is_empty() && problems.is_empty() {
                    problems.push("expect 为空：用例什么也不检查 / an empty expect checks nothing".into());
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(Case { description, article, quote, request, expect, known_defect })
    } else {
        Err(problems)
    }
}

/// Checks every name in the expectation against the policy and rewrites statuses to the decision's JSON names.
fn normalise(e: &Map<String, Value>, m: &Manifest, request: &Value, problems: &mut Vec<String>) -> Map<String, Value> {
    let lists: Vec<&str> = m.lists.iter().map(|l| l.name.as_str()).collect();
    let measures: Vec<&str> = m.measures.iter().map(|x| x.name.as_str()).collect();
    let incentives: Vec<&str> = m.incentives.iter().map(|x| x.name.as_str()).collect();
    let notifications: Vec<&str> = m.notifications.iter().map(|x| x.name.as_str()).collect();
    let records: Vec<&str> = request
        .pointer("/subject/records")
        .and_then(Value::as_array)
        .map(|rs| rs.iter().filter_map(|r| r.get("id").and_then(Value::as_str)).collect())
        .unwrap_or_default();
    let mut out = Map::new();
    for (key, v) in e {
        let at = format!("expect.{key}");
        let norm = match key.as_str() {
            "lists" | "measures" | "incentives" => {
                let (names, what) = match key.as_str() {
                    "lists" => (&lists, "名单 / list"),
                    "measures" => (&measures, "措施 / measure"),
                    _ => (&incentives, "激励 / incentive"),
                };
                let Some(o) = object(v, &at, problems) else { continue };
                let mut n = Map::new();
                for (name, want) in o {
                    let at = format!("{at}.{name}");
                    if !names.contains(&name.as_str()) {
                        problems.push(format!("{at}: {}", unknown(what, name, names)));
                        continue;
                    }
                    let got = match key.as_str() {
                        "lists" => status("名单状态 / list status", &LIST_STATUSES, want, &at, problems),
                        "measures" => status("措施状态 / measure status", &MEASURE_STATUSES, want, &at, problems),
                        _ => boolean(want, &at, problems),
                    };
                    if let Some(g) = got {
                        n.insert(name.clone(), g);
                    }
                }
                Value::Object(n)
            }
            "notifications" => {
                let Some(a) = v.as_array() else {
                    problems.push(format!("{at}: 应为通报名数组 / must be an array of notification names, got {v}"));
                    continue;
                };
                for n in a {
                    match n.as_str() {
                        Some(s) if notifications.contains(&s) => {}
                        Some(s) => {
                            problems.push(format!("{at}: {}", unknown("通报 / notification", s, &notifications)))
                        }
                        None => problems.push(format!("{at}: 应为字符串 / must be a string, got {n}")),
                    }
                }
                v.clone()
            }
            "grade" => {
                let levels: Vec<&str> =
                    m.grading.iter().flat_map(|g| g.levels.iter().map(|l| l.name.as_str())).collect();
                match v {
                    Value::Null => {}
                    Value::String(s) if levels.contains(&s.as_str()) => {}
                    Value::String(s) if m.grading.is_none() => {
                        problems.push(format!("{at}: 本政策没有分级 / the policy has no grading (got \"{s}\")"))
                    }
                    Value::String(s) => problems.push(format!("{at}: {}", unknown("等级 / grade", s, &levels))),
                    _ => problems.push(format!("{at}: 应为字符串或 null / must be a string or null, got {v}")),
                }
                v.clone()
            }
            "targets" => {
                let Some(o) = object(v, &at, problems) else { continue };
                for (name, roles) in o {
                    let at = format!("{at}.{name}");
                    let Some(info) = m.measures.iter().find(|x| &x.name == name) else {
                        problems.push(format!("{at}: {}", unknown("措施 / measure", name, &measures)));
                        continue;
                    };
                    let allowed: Vec<&str> = info.targets.iter().map(String::as_str).collect();
                    match roles {
                        Value::Null => {}
                        Value::Array(a) => {
                            for r in a {
                                match r.as_str() {
                                    Some(s) if allowed.contains(&s) => {}
                                    Some(s) => problems.push(format!(
                                        "{at}: {}",
                                        unknown("对象 / target (措施的 对象 子句)", s, &allowed)
                                    )),
                                    None => problems.push(format!("{at}: 应为字符串 / must be a string, got {r}")),
                                }
                            }
                        }
                        _ => problems.push(format!("{at}: 应为对象角色数组 / must be an array of roles, got {roles}")),
                    }
                }
                v.clone()
            }
            "dates" | "objections" => {
                let Some(o) = object(v, &at, problems) else { continue };
                let (names, what, fields) = if key == "dates" {
                    (&lists, "名单 / list", &LIST_FIELDS[..])
                } else {
                    (&records, "记录 / record (request.subject.records[].id)", &OBJECTION_FIELDS[..])
                };
                let mut n = Map::new();
                for (name, want) in o {
                    let at = format!("{at}.{name}");
                    if !names.contains(&name.as_str()) {
                        problems.push(format!("{at}: {}", unknown(what, name, names)));
                        continue;
                    }
                    let Some(want) = object(want, &at, problems) else { continue };
                    let mut f = Map::new();
                    for (field, fv) in want {
                        let at = format!("{at}.{field}");
                        if !fields.contains(&field.as_str()) {
                            problems.push(format!("{at}: {}", unknown("字段 / field", field, fields)));
                            continue;
                        }
                        if fv.as_str() == Some(TODO) {
                            problems.push(format!("{at}: 用例未完成（{TODO}）/ case not completed"));
                            continue;
                        }
                        let norm = match (key.as_str(), field.as_str()) {
                            ("dates", "status") => status("名单状态 / list status", &LIST_STATUSES, fv, &at, problems),
                            ("objections", "status") => {
                                status("异议状态 / objection status", &OBJECTION_STATUSES, fv, &at, problems)
                            }
                            _ => Some(fv.clone()),
                        };
                        if let Some(x) = norm {
                            f.insert(field.clone(), x);
                        }
                    }
                    n.insert(name.clone(), Value::Object(f));
                }
                Value::Object(n)
            }
            "error" => {
                // Any code of the host registry (docs/errors/): request, evaluation, runtime, load, batch …
                let codes: Vec<&str> = xince_abi::codes::HOST_CODES.iter().map(|c| c.code).collect();
                match v.as_str() {
                    Some(s) if codes.contains(&s) => {}
                    Some(s) => problems.push(format!("{at}: {}", unknown("错误代码 / error code", s, &codes))),
                    None => problems.push(format!("{at}: 应为错误代码字符串 / must be an error code, got {v}")),
                }
                v.clone()
            }
            other => {
                problems.push(unknown("期望键 / expectation key", other, &EXPECT_KEYS));
                continue;
            }
        };
        out.insert(key.clone(), norm);
    }
    out
}

fn mismatch(what: &str, expected: &Value, actual: &Value) -> String {
    format!("{what}: 期望 / expected {expected}, 实际 / actual {actual}")
}

fn to_value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// Compares a normalised expectation with one engine's outcome; returns one line per difference. An error the
/// case did not expect is shown whole (code, message, path).
pub fn check(expect: &Map<String, Value>, outcome: &Outcome<'_>) -> Vec<String> {
    let mut out = Vec::new();
    let decision = match (outcome, expect.get("error")) {
        (Err(e), Some(want)) => {
            if want.as_str() != Some(e.code.as_str()) {
                out.push(format!("error: 期望 / expected {want}, 实际 / actual {e}"));
            }
            return out;
        }
        (Err(e), None) => {
            out.push(format!("期望得到决定，实际出错 / expected a decision, got an error: {e}"));
            return out;
        }
        (Ok(_), Some(want)) => {
            out.push(format!("error: 期望 / expected {want}, 实际得到决定 / got a decision"));
            return out;
        }
        (Ok(d), None) => d,
    };
    let find = |items: &[Value], key: &str, name: &str| -> Option<Value> {
        items.iter().find(|i| i.get(key).and_then(Value::as_str) == Some(name)).cloned()
    };
    let lists: Vec<Value> = decision.lists.iter().map(to_value).collect();
    let measures: Vec<Value> = decision.measures.iter().map(to_value).collect();
    let incentives: Vec<Value> = decision.incentives.iter().map(to_value).collect();
    let objections: Vec<Value> = decision.objections.iter().map(to_value).collect();

    // Without `explain`, a decision leaves out lists not entered, measures that do not apply and incentives not
    // earned: an absent item has that status.
    let mut field_check = |section: &str, items: &[Value], key: &str, field: &str, absent: Value| {
        if let Some(want) = expect.get(section).and_then(Value::as_object) {
            for (name, want_v) in want {
                let got =
                    find(items, key, name).map_or(absent.clone(), |i| i.get(field).cloned().unwrap_or(Value::Null));
                if &got != want_v {
                    out.push(mismatch(&format!("{section}.{name}"), want_v, &got));
                }
            }
        }
    };
    field_check("lists", &lists, "list", "status", Value::from("not_listed"));
    field_check("measures", &measures, "measure", "status", Value::from("not_applicable"));
    field_check("incentives", &incentives, "incentive", "eligible", Value::Bool(false));

    if let Some(want) = expect.get("notifications") {
        let got: Vec<Value> =
            decision.notifications.iter().map(|n| Value::String(n.notification.to_string())).collect();
        let mut want_sorted: Vec<Value> = want.as_array().cloned().unwrap_or_default();
        let mut got_sorted = got.clone();
        want_sorted.sort_by_key(|v| v.to_string());
        got_sorted.sort_by_key(|v| v.to_string());
        if want_sorted != got_sorted {
            out.push(mismatch("notifications", want, &Value::Array(got)));
        }
    }
    if let Some(want) = expect.get("grade") {
        let got = decision.grade.as_ref().map_or(Value::Null, |g| Value::String(g.level.to_string()));
        if &got != want {
            out.push(mismatch("grade", want, &got));
        }
    }
    if let Some(want) = expect.get("targets").and_then(Value::as_object) {
        for (name, want_v) in want {
            let got = decision.measures.iter().find(|m| &m.measure == name).map_or(Value::Null, |m| {
                Value::Array(m.targets.iter().map(|t| Value::String(t.role.to_string())).collect())
            });
            if &got != want_v {
                out.push(mismatch(&format!("targets.{name}"), want_v, &got));
            }
        }
    }
    for (section, items, key) in [("dates", &lists, "list"), ("objections", &objections, "record")] {
        if let Some(want) = expect.get(section).and_then(Value::as_object) {
            for (name, fields) in want {
                let item = find(items, key, name);
                for (field, want_v) in fields.as_object().into_iter().flatten() {
                    let got = item.as_ref().and_then(|i| i.get(field).cloned()).unwrap_or(Value::Null);
                    // A list item leaves out a status only when not listed; compare like `lists` does.
                    let got = if field == "status" && item.is_none() && section == "dates" {
                        Value::from("not_listed")
                    } else {
                        got
                    };
                    if &got != want_v {
                        out.push(mismatch(&format!("{section}.{name}.{field}"), want_v, &got));
                    }
                }
            }
        }
    }
    out
}

/// A case for the drafter to complete: the request as given, and every list, measure, incentive, notification
/// and grade of the policy with the placeholder. Nothing is filled in from a run: the drafter states each outcome
/// from the article's text (a case holding a placeholder does not run).
pub fn scaffold(manifest: &Manifest, request: Value) -> Value {
    let names = |it: &mut dyn Iterator<Item = &String>| -> Value {
        Value::Object(it.map(|n| (n.clone(), Value::from(TODO))).collect())
    };
    let mut expect = Map::new();
    if !manifest.lists.is_empty() {
        expect.insert("lists".into(), names(&mut manifest.lists.iter().map(|l| &l.name)));
    }
    if !manifest.measures.is_empty() {
        expect.insert("measures".into(), names(&mut manifest.measures.iter().map(|l| &l.name)));
    }
    if !manifest.incentives.is_empty() {
        expect.insert("incentives".into(), names(&mut manifest.incentives.iter().map(|l| &l.name)));
    }
    if !manifest.notifications.is_empty() {
        expect.insert("notifications".into(), Value::from(TODO));
    }
    if manifest.grading.is_some() {
        expect.insert("grade".into(), Value::from(TODO));
    }
    json!({
        "description": TODO,
        "article": TODO,
        "quote": TODO,
        "request": request,
        "expect": expect,
    })
}

/// The statuses a case may name, for the scaffold's help text.
pub fn status_help() -> String {
    let row = |t: &[(&str, &[&str])]| {
        t.iter().map(|(j, z)| format!("{j} ({})", z.join(" / "))).collect::<Vec<_>>().join(", ")
    };
    format!(
        "名单 / lists: {}\n措施 / measures: {}\n激励 / incentives: true (符合), false (不符合)\n异议 / objections: {}",
        row(&LIST_STATUSES),
        row(&MEASURE_STATUSES),
        row(&OBJECTION_STATUSES)
    )
}

/// Where a policy's cases must point: the articles of its coverage file and the text of its source document.
/// A policy with a coverage file is a seed encoding: each of its cases must cite an article the file lists and
/// quote that document word for word.
pub struct Provenance {
    articles: Option<Vec<String>>,
    source: Option<String>,
}

impl Provenance {
    pub fn load(dir: &std::path::Path) -> anyhow::Result<Self> {
        match crate::cmd::coverage::read_coverage(dir)? {
            None => Ok(Provenance { articles: None, source: None }),
            Some(cov) => {
                let source = crate::cmd::coverage::read_source(dir, &cov)?;
                Ok(Provenance { articles: Some(cov.articles.iter().map(|a| a.article.clone()).collect()), source })
            }
        }
    }

    pub fn check(&self, case: &Case) -> Vec<String> {
        let mut out = Vec::new();
        let Some(articles) = &self.articles else { return out };
        match &case.article {
            None => out.push(
                "用例须写 article 与 quote（本政策有 coverage.json）/ a case of a seed encoding needs article and quote"
                    .into(),
            ),
            Some(a) if !articles.contains(a) => {
                let known: Vec<&str> = articles.iter().map(String::as_str).collect();
                out.push(format!("article: {}", unknown("条款 / article (coverage.json)", a, &known)));
            }
            Some(_) => {}
        }
        if let (Some(q), Some(src)) = (&case.quote, &self.source) {
            for part in q.split('…').filter(|p| !p.trim().is_empty()) {
                if !crate::cmd::coverage::contains_text(src, part) {
                    out.push(format!("quote: 原文中没有这段文字 / the source does not contain: 「{part}」"));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> Manifest {
        let v = json!({
            "abi_version": 3, "compiler_version": "t", "source_hash": "h",
            "policy": {"id": "p", "name": "p", "jurisdiction": "j", "issuer": "i", "document": "d", "version": "1",
                       "effective_from": "2022-01-01", "effective_until": null, "level": "县", "extends": [],
                       "supersedes": null, "version_rule": "从旧兼从轻"},
            "vocab": {}, "lists": [], "measures": [], "incentives": [], "notifications": [], "grading": null,
            "objection": null, "regimes": [], "unverified": []
        });
        serde_json::from_value(v).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_misspelled_section_and_a_placeholder_are_refused() {
        let m = manifest();
        let case = r#"{"request": {}, "expect": {"listz": {}}, "quote": "待填", "article": "第1条"}"#;
        let problems = read_case(case, &m).err().unwrap_or_default();
        assert!(problems.iter().any(|p| p.contains("listz") && p.contains("lists")), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("用例未完成")), "{problems:?}");
    }

    #[test]
    fn text_view_statuses_become_json_names() {
        let mut problems = Vec::new();
        assert_eq!(status("s", &LIST_STATUSES, &json!("列入中"), "x", &mut problems), Some(json!("active")));
        assert_eq!(status("s", &MEASURE_STATUSES, &json!("不适用"), "x", &mut problems), Some(json!("not_applicable")));
        assert!(problems.is_empty());
        assert_eq!(status("s", &LIST_STATUSES, &json!("actve"), "x", &mut problems), None);
        assert!(problems[0].contains("active"), "{problems:?}");
    }
}
