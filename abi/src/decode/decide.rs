//! A module's raw answer → the cited [`Decision`], borrowing names, citations and bases from the manifest and
//! the request. The request was parsed and indexed once by [`super::encode_request`]; nothing here parses it
//! again. The sentences of the trace come from [`super::prose`].

use super::encode::Encoded;
use super::prose::{self, ListDates, day};
use crate::decision::{
    Decision, GradeItem, IncentiveItem, ItemName, ListItem, MeasureItem, NotificationItem, ObjectionItem, PolicyRef,
    RepairEligibility, SubjectRef, Target, TraceLine,
};
use crate::layout::{ListStatus, MeasureStatus};
use crate::manifest::{Citation, Manifest};
use crate::output::RawOutput;
use crate::request::Record;
use std::borrow::Cow;
use std::borrow::Cow::Borrowed;

fn line<'a>(
    kind: &'static str,
    name: &'a str,
    (zh, en): prose::Sentence,
    citation: Option<&'a Citation>,
) -> TraceLine<'a> {
    TraceLine {
        item: ItemName { kind: Borrowed(kind), name: Borrowed(name) },
        zh,
        en,
        citation: citation.map(Borrowed),
    }
}

/// Builds the host-facing decision from a module's raw answer. `raw` must already be validated against
/// `manifest.output_shape()` for the encoded request's records (as [`RawOutput::from_bytes`] does); indexes
/// out of range anyway are shown as absent rather than trusted. Items that do not apply are explained only when
/// the request asks (`explain`): their text is not even built otherwise (the batch path's cost).
pub fn decide<'a>(manifest: &'a Manifest, encoded: &Encoded<'a>, raw: &RawOutput) -> Decision<'a> {
    let request = encoded.request;
    let explain = request.explain;
    let primary = |i: i32| usize::try_from(i).ok().and_then(|i| encoded.primaries.get(i));
    let record = |i: i32| -> Option<&'a Record> { primary(i).map(|p| p.record) };
    let record_id = |i: i32| record(i).map(|r| Borrowed(r.id.as_str()));
    let version_rule = manifest.policy.version_rule.as_str();
    let mut trace = Vec::new();

    let mut lists = Vec::new();
    for (info, out) in manifest.lists.iter().zip(&raw.lists) {
        if out.status == ListStatus::NotListed && !explain {
            continue;
        }
        let regime = usize::try_from(out.regime).ok().and_then(|i| manifest.regimes.get(i));
        let overridden_by =
            usize::try_from(out.overridden_by).ok().and_then(|i| manifest.lists.get(i)).map(|l| l.name.as_str());
        let dates = ListDates { entered: day(out.entered), ends: day(out.last_day), ended: day(out.ended_on) };
        let sentence = prose::list(info, out.status, record(out.record), regime, version_rule, &dates, overridden_by);
        trace.push(line("名单", &info.name, sentence, Some(&info.citation)));
        let repair = match (out.status, primary(out.record)) {
            (ListStatus::Active | ListStatus::Suspended, Some(p)) if out.earliest_repair != crate::date::NO_DATE => {
                let met: &[String] = p.repair.map_or(&[], |(_, r)| r.conditions.as_slice());
                let missing: Vec<Cow<'a, str>> =
                    info.repair_conditions.iter().filter(|c| !met.contains(c)).map(|c| Borrowed(c.as_str())).collect();
                Some(RepairEligibility {
                    eligible_now: encoded.input.as_of >= out.earliest_repair && missing.is_empty(),
                    possible_from: day(out.earliest_repair),
                    missing_conditions: missing,
                })
            }
            _ => None,
        };
        lists.push(ListItem {
            list: Borrowed(&info.name),
            category: Borrowed(&info.category),
            status: out.status,
            record: record_id(out.record),
            entered: dates.entered,
            publication_ends: dates.ends,
            earliest_repair: day(out.earliest_repair),
            ended_on: dates.ended,
            regime: regime.map(|r| format!("{}（{}）", r.name, r.document)),
            overridden_by: overridden_by.map(Borrowed),
            repair,
            citation: Borrowed(&info.citation),
            basis: Borrowed(&info.basis),
        });
    }

    let mut measures = Vec::new();
    for (j, info) in manifest.measures.iter().enumerate() {
        let Some(out) = raw.measure(j, info.trigger_list) else { break };
        if out.status == MeasureStatus::NotApplicable && !explain {
            continue;
        }
        let subject = &request.subject;
        let mut targets: Vec<Target<'a>> = Vec::new();
        for role in &info.targets {
            if role == "主体" {
                targets.push(Target {
                    role: Borrowed(role),
                    id: Borrowed(&subject.id),
                    name: subject.name.as_deref().map(Borrowed),
                });
            } else {
                targets.extend(subject.related.iter().filter(|p| &p.role == role).map(|p| Target {
                    role: Borrowed(role),
                    id: Borrowed(&p.id),
                    name: p.name.as_deref().map(Borrowed),
                }));
            }
        }
        let source = usize::try_from(out.source).ok().and_then(|i| manifest.lists.get(i)).map(|l| l.name.as_str());
        let until = day(out.last_day);
        let who: Vec<String> =
            targets.iter().map(|t| format!("{} {}", t.role, t.name.as_deref().unwrap_or(&t.id))).collect();
        let sentence =
            prose::measure(info, out.status, source, record(out.record), &who, until, request.scenario.as_deref());
        trace.push(line("措施", &info.name, sentence, Some(&info.citation)));
        measures.push(MeasureItem {
            measure: Borrowed(&info.name),
            kind: Borrowed(&info.kind),
            mandatory: info.mandatory,
            status: out.status,
            because_of_list: source.map(Borrowed),
            record: record_id(out.record),
            until,
            implementer: Borrowed(&info.implementer),
            scenarios: Borrowed(&info.scenarios),
            targets,
            citation: Borrowed(&info.citation),
            basis: Borrowed(&info.basis),
        });
    }

    let mut incentives = Vec::new();
    for (info, out) in manifest.incentives.iter().zip(&raw.incentives) {
        let failed = if out.eligible {
            None
        } else {
            usize::try_from(out.failed_clause).ok().and_then(|i| info.clauses.get(i)).map(String::as_str)
        };
        if out.eligible || explain {
            let sentence = prose::incentive(info, if out.eligible { None } else { Some(failed.unwrap_or_default()) });
            trace.push(line("激励", &info.name, sentence, Some(&info.citation)));
        }
        incentives.push(IncentiveItem {
            incentive: Borrowed(&info.name),
            eligible: out.eligible,
            benefits: Borrowed(&info.benefits),
            scenarios: Borrowed(&info.scenarios),
            failed_condition: failed.map(Borrowed),
            citation: Borrowed(&info.citation),
            basis: Borrowed(&info.basis),
        });
    }

    let mut notifications = Vec::new();
    for (info, &fired) in manifest.notifications.iter().zip(&raw.notifications) {
        if fired || explain {
            trace.push(line("通报", &info.name, prose::notification(info, fired), Some(&info.citation)));
        }
        if fired {
            notifications.push(NotificationItem {
                notification: Borrowed(&info.name),
                recipients: Borrowed(&info.recipients),
                citation: Borrowed(&info.citation),
            });
        }
    }

    let grade = manifest.grading.as_ref().and_then(|g| {
        let level = usize::try_from(raw.grade).ok().and_then(|i| g.levels.get(i))?;
        trace.push(line("等级", &g.name, prose::grade(g, level), Some(&g.citation)));
        Some(GradeItem {
            grading: Borrowed(&g.name),
            level: Borrowed(&level.name),
            supervision: level.supervision.as_deref().map(Borrowed),
            citation: Borrowed(&g.citation),
        })
    });

    let citation: Option<&Citation> = manifest.objection.as_ref().map(|o| &o.citation);
    let mut objections = Vec::new();
    for out in &raw.objections {
        let Some(p) = primary(out.record) else { continue };
        let id = p.record.id.as_str();
        let filed = p.objection.and_then(|(_, r)| r.filed.as_deref()).unwrap_or_default();
        let due = day(out.due);
        trace.push(line("异议", id, prose::objection(id, filed, due, out.status), citation));
        objections.push(ObjectionItem {
            record: Borrowed(id),
            filed: Borrowed(filed),
            due,
            status: out.status,
            citation: citation.map(Borrowed),
        });
    }

    Decision {
        policy: PolicyRef {
            id: Borrowed(&manifest.policy.id),
            version: Borrowed(&manifest.policy.version),
            jurisdiction: Borrowed(&manifest.policy.jurisdiction),
            document: Borrowed(&manifest.policy.document),
        },
        as_of: Borrowed(&request.as_of),
        scenario: request.scenario.as_deref().map(Borrowed),
        subject: SubjectRef { id: Borrowed(&request.subject.id), name: request.subject.name.as_deref().map(Borrowed) },
        lists,
        measures,
        incentives,
        notifications,
        grade,
        objections,
        trace,
    }
}
