//! Impact replay: evaluate every request of a population with the old and the new version and report, per
//! list, who enters and who leaves; per measure and incentive, who gains and who loses it. A bad line is
//! reported with its line number and the replay goes on.

use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use xince_abi::decision::Decision;
use xince_abi::layout::{ListStatus, MeasureStatus};
use xince_lang::Lang;
use xince_runtime::Policy;

/// Who moved in one direction for one item.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Movement {
    pub count: usize,
    /// Up to the requested number of subject ids, in population order.
    pub examples: Vec<String>,
}

impl Movement {
    fn add(&mut self, id: &str, limit: usize) {
        self.count += 1;
        if self.examples.len() < limit {
            self.examples.push(id.to_string());
        }
    }
}

/// The change for one list, measure or incentive: `gained` = enters / gains, `lost` = leaves / loses.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ItemImpact {
    pub gained: Movement,
    pub lost: Movement,
}

/// A line that could not be replayed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LineProblem {
    /// 1-based line number in the population file.
    pub line: usize,
    /// `old` / `new` when one version failed to evaluate, absent when the line itself is unreadable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<&'static str>,
    pub message: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ReplayReport {
    /// Requests evaluated under both versions.
    pub evaluated: usize,
    /// Subjects whose outcome differs in any way counted below.
    pub affected: usize,
    pub lists: BTreeMap<String, ItemImpact>,
    pub measures: BTreeMap<String, ItemImpact>,
    pub incentives: BTreeMap<String, ItemImpact>,
    pub problems: Vec<LineProblem>,
}

/// What a decision grants a subject: lists it is on, measures in force, incentives it is eligible for.
#[derive(Default)]
struct Standing {
    lists: BTreeSet<String>,
    measures: BTreeSet<String>,
    incentives: BTreeSet<String>,
}

fn standing(d: &Decision) -> Standing {
    Standing {
        // A suspended listing (record under objection) still counts as on the list, as `在 名单` does.
        lists: d
            .lists
            .iter()
            .filter(|l| matches!(l.status, ListStatus::Active | ListStatus::Suspended))
            .map(|l| l.list.to_string())
            .collect(),
        measures: d
            .measures
            .iter()
            .filter(|m| m.status == MeasureStatus::Active)
            .map(|m| m.measure.to_string())
            .collect(),
        incentives: d.incentives.iter().filter(|i| i.eligible).map(|i| i.incentive.to_string()).collect(),
    }
}

/// Records the difference between `old` and `new` for subject `id`; true when anything moved.
fn compare(
    map: &mut BTreeMap<String, ItemImpact>,
    old: &BTreeSet<String>,
    new: &BTreeSet<String>,
    id: &str,
    limit: usize,
) -> bool {
    let mut moved = false;
    for name in new.difference(old) {
        map.entry(name.clone()).or_default().gained.add(id, limit);
        moved = true;
    }
    for name in old.difference(new) {
        map.entry(name.clone()).or_default().lost.add(id, limit);
        moved = true;
    }
    moved
}

/// Replays the JSON Lines `population` (one request per line; blank lines skipped) through both versions.
pub fn replay(old: &Policy, new: &Policy, population: &str, examples: usize) -> ReplayReport {
    replay_with_progress(old, new, population, examples, |_| {})
}

/// [`replay`], calling `progress` with the number of lines done every 1024 lines (for a progress bar).
pub fn replay_with_progress(
    old: &Policy,
    new: &Policy,
    population: &str,
    examples: usize,
    mut progress: impl FnMut(usize),
) -> ReplayReport {
    let mut report = ReplayReport::default();
    for (index, line) in population.lines().enumerate() {
        let number = index + 1;
        if number.is_multiple_of(1024) {
            progress(number);
        }
        if line.trim().is_empty() {
            continue;
        }
        let request = match xince_abi::decode::parse_request(line) {
            Ok(r) => r,
            Err(e) => {
                report.problems.push(LineProblem { line: number, version: None, message: e.to_string() });
                continue;
            }
        };
        let decide = |policy: &Policy, version: &'static str| {
            policy.evaluate(&request).map_err(|e| LineProblem {
                line: number,
                version: Some(version),
                message: e.to_string(),
            })
        };
        let (before, after) = match (decide(old, "old"), decide(new, "new")) {
            (Ok(a), Ok(b)) => (a, b),
            (a, b) => {
                report.problems.extend(a.err());
                report.problems.extend(b.err());
                continue;
            }
        };
        report.evaluated += 1;
        let id = request.subject.id.as_str();
        let (a, b) = (standing(&before), standing(&after));
        let moved_lists = compare(&mut report.lists, &a.lists, &b.lists, id, examples);
        let moved_measures = compare(&mut report.measures, &a.measures, &b.measures, id, examples);
        let moved_incentives = compare(&mut report.incentives, &a.incentives, &b.incentives, id, examples);
        if moved_lists || moved_measures || moved_incentives {
            report.affected += 1;
        }
    }
    report
}

fn pick(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

fn section(
    s: &mut String,
    lang: Lang,
    title: &str,
    plus: &str,
    minus: &str,
    items: &BTreeMap<String, ItemImpact>,
    markdown: bool,
) {
    if items.is_empty() {
        return;
    }
    if markdown {
        let _ = writeln!(s, "\n### {title}\n\n| {} | {plus} | {minus} |\n|---|---|---|", pick(lang, "条目", "item"));
    } else {
        let _ = writeln!(s, "\n{title}");
    }
    let show = |m: &Movement| {
        if m.count == 0 {
            return "0".to_string();
        }
        let more = if m.count > m.examples.len() { pick(lang, " 等", " …") } else { "" };
        format!("{}（{}{more}）", m.count, m.examples.join(pick(lang, "、", ", ")))
    };
    for (name, impact) in items {
        if markdown {
            let _ = writeln!(s, "| {name} | {} | {} |", show(&impact.gained), show(&impact.lost));
        } else {
            let _ = writeln!(s, "  {name}: {plus} {}；{minus} {}", show(&impact.gained), show(&impact.lost));
        }
    }
}

/// The report as text (or Markdown for a review ticket).
pub fn render(r: &ReplayReport, lang: Lang, markdown: bool) -> String {
    let mut s = String::new();
    if markdown {
        s.push_str(pick(lang, "\n## 影响回放\n\n", "\n## Impact replay\n\n"));
    } else {
        s.push_str(pick(lang, "\n影响回放\n", "\nImpact replay\n"));
    }
    let _ = writeln!(
        s,
        "{}",
        match lang {
            Lang::Zh => format!("评估 {} 个主体，{} 个受影响，{} 行有问题", r.evaluated, r.affected, r.problems.len()),
            Lang::En => format!(
                "{} subjects evaluated, {} affected, {} problem lines",
                r.evaluated,
                r.affected,
                r.problems.len()
            ),
        }
    );
    section(
        &mut s,
        lang,
        pick(lang, "名单", "Lists"),
        pick(lang, "纳入", "enter"),
        pick(lang, "移出", "leave"),
        &r.lists,
        markdown,
    );
    section(
        &mut s,
        lang,
        pick(lang, "措施", "Measures"),
        pick(lang, "新增适用", "gain"),
        pick(lang, "不再适用", "lose"),
        &r.measures,
        markdown,
    );
    section(
        &mut s,
        lang,
        pick(lang, "激励", "Incentives"),
        pick(lang, "获得", "gain"),
        pick(lang, "失去", "lose"),
        &r.incentives,
        markdown,
    );
    if !r.problems.is_empty() {
        let _ = writeln!(s, "\n{}", pick(lang, "有问题的行", "Problem lines"));
        for p in &r.problems {
            let which = match p.version {
                Some("old") => pick(lang, "（旧版本）", " (old version)"),
                Some(_) => pick(lang, "（新版本）", " (new version)"),
                None => "",
            };
            let at = match lang {
                Lang::Zh => format!("第 {} 行", p.line),
                Lang::En => format!("line {}", p.line),
            };
            let _ = writeln!(s, "  {at}{which}: {}", p.message);
        }
    }
    s
}
