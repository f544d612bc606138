//! The readable text form of the IR (`xince build --emit ir`), documented in `docs/ir.md`. Deterministic:
//! the same program always prints the same text. Codes print as their vocabulary values where the field
//! they are compared with says which vocabulary; indexes print as `#n 名称`.

use crate::ir::{CmpOp, Duration, Expr, Period, Program, RecordField, SubjectField, Trigger, Unit, VersionRule};
use std::fmt::Write;
use xince_abi::date::{NO_DATE, format_day};
use xince_abi::manifest::{Manifest, vocab_names as vn};

/// Prints `program` in the format described in `docs/ir.md`.
pub fn print(p: &Program) -> String {
    let mut o = String::new();
    let m = &p.manifest;
    let pol = &m.policy;
    let _ = writeln!(o, "; xince IR (abi v{}, compiler {})", m.abi_version, m.compiler_version);
    let _ = writeln!(o, "policy {:?} {:?}", pol.id, pol.name);
    let _ = writeln!(o, "  jurisdiction {:?} issuer {:?} document {:?}", pol.jurisdiction, pol.issuer, pol.document);
    let _ = writeln!(
        o,
        "  version {:?} level {:?} extends {:?} supersedes {:?}",
        pol.version, pol.level, pol.extends, pol.supersedes
    );
    let _ = writeln!(o, "  in_force {} .. {}", day(p.effective_from), day(p.effective_until));
    let rule = match p.version_rule {
        VersionRule::OldUnlessLenient => "old_unless_lenient (从旧兼从轻)",
        VersionRule::Old => "old (从旧)",
        VersionRule::New => "new (从新)",
    };
    let _ = writeln!(o, "  version_rule {rule}");
    let _ = writeln!(o, "  source_hash {}", m.source_hash);
    if !m.unverified.is_empty() {
        let _ = writeln!(o, "  unverified {:?}", m.unverified);
    }
    o.push('\n');
    for (name, values) in &m.vocab {
        let vals: Vec<String> = values.iter().enumerate().map(|(i, v)| format!("{i}={v}")).collect();
        let _ = writeln!(o, "vocab {name} [{}]", vals.join(" "));
    }
    for (i, r) in p.regimes.iter().enumerate() {
        let info = m.regimes.get(i);
        let _ = writeln!(
            o,
            "\nregime #{i} {:?} {:?} in_force {} .. {} default {}{}",
            info.map_or("", |x| x.name.as_str()),
            info.map_or("", |x| x.document.as_str()),
            day(r.effective_from),
            day(r.effective_until),
            code(m, vn::SEVERITY, r.default_severity),
            if info.is_some_and(|x| !x.verified) { " unverified" } else { "" }
        );
        for (sev, min, max) in &r.periods {
            let _ = writeln!(o, "  {} {} .. {}", code(m, vn::SEVERITY, *sev), min.map_or("-".into(), dur), dur(*max));
        }
    }
    for (i, l) in p.lists.iter().enumerate() {
        let info = m.lists.get(i);
        let _ = writeln!(
            o,
            "\nlist #{i} {:?} category {:?}",
            info.map_or("", |x| x.name.as_str()),
            info.map_or("", |x| x.category.as_str())
        );
        if let Some(x) = info {
            let _ = writeln!(o, "  cite {:?} {:?}", x.citation.document, x.citation.article);
            for b in &x.basis {
                let _ = writeln!(o, "  basis {:?} rank {} verified {}", b.document, b.rank, b.verified);
            }
        }
        let _ = writeln!(o, "  criterion {}", expr(p, &l.criterion));
        match &l.period {
            Period::Fixed { minimum, maximum } => {
                let _ = writeln!(o, "  period fixed {} .. {}", minimum.map_or("-".into(), dur), dur(*maximum));
            }
            Period::Regime(rs) => {
                let v: Vec<String> = rs.iter().map(|r| format!("#{r}")).collect();
                let _ = writeln!(o, "  period regime [{}]", v.join(" "));
            }
        }
        let conds: Vec<String> = (0..64)
            .filter(|b| l.repair_conditions & (1u64 << b) != 0)
            .map(|b| code(m, vn::REPAIR_CONDITION, b))
            .collect();
        let _ = writeln!(o, "  repair exit {} conditions [{}]", l.exit_on_repair, conds.join(" "));
        if let Some(nr) = &l.non_repairable {
            let _ = writeln!(o, "  non_repairable {}", expr(p, nr));
        }
        if !l.precedence_over.is_empty() {
            let v: Vec<String> = l.precedence_over.iter().map(|&x| list_name(p, x)).collect();
            let _ = writeln!(o, "  precedence_over [{}]", v.join(" "));
        }
    }
    for (i, me) in p.measures.iter().enumerate() {
        let info = m.measures.get(i);
        let _ = writeln!(o, "\nmeasure #{i} {:?}", info.map_or("", |x| x.name.as_str()));
        if let Some(x) = info {
            let _ = writeln!(o, "  kind {} mandatory {} targets {:?}", x.kind, x.mandatory, x.targets);
            let _ = writeln!(o, "  cite {:?} {:?}", x.citation.document, x.citation.article);
            for b in &x.basis {
                let _ = writeln!(o, "  basis {:?} rank {} verified {}", b.document, b.rank, b.verified);
            }
            if let Some(r) = &x.refines {
                let _ = writeln!(o, "  refines {r:?}");
            }
        }
        match &me.trigger {
            Trigger::List(l) => {
                let _ = writeln!(o, "  trigger list {}", list_name(p, *l));
            }
            Trigger::Condition(c) => {
                let _ = writeln!(o, "  trigger when {}", expr(p, c));
            }
        }
        if !me.scenarios.is_empty() {
            let v: Vec<String> = me.scenarios.iter().map(|&s| code(m, vn::SCENARIO, s)).collect();
            let _ = writeln!(o, "  scenarios [{}]", v.join(" "));
        }
    }
    for (i, inc) in p.incentives.iter().enumerate() {
        let info = m.incentives.get(i);
        let _ = writeln!(o, "\nincentive #{i} {:?}", info.map_or("", |x| x.name.as_str()));
        for (k, c) in inc.clauses.iter().enumerate() {
            let _ = writeln!(o, "  clause {k} {}", expr(p, c));
        }
    }
    for (i, n) in p.notifications.iter().enumerate() {
        let info = m.notifications.get(i);
        let _ = writeln!(
            o,
            "\nnotification #{i} {:?} to {:?}",
            info.map_or("", |x| x.name.as_str()),
            info.map_or(&[][..], |x| &x.recipients[..])
        );
        let _ = writeln!(o, "  when {}", expr(p, &n.condition));
    }
    if let Some(g) = &p.grading {
        let info = m.grading.as_ref();
        let _ = writeln!(o, "\ngrading {:?}", info.map_or("", |x| x.name.as_str()));
        for (i, c) in g.levels.iter().enumerate() {
            let name = info.and_then(|x| x.levels.get(i)).map_or(String::new(), |l| l.name.clone());
            let _ = writeln!(o, "  level #{i} {name:?} when {}", expr(p, c));
        }
    }
    if let Some(ob) = &p.objection {
        let _ = writeln!(o, "\nobjection deadline {} suspends {}", ob.deadline.map_or("-".into(), dur), ob.suspends);
    }
    let _ = writeln!(
        o,
        "\ncalendar {} .. {} ({} days, {} working)",
        day(p.calendar.first_day),
        day(p.calendar.first_day.saturating_add(p.calendar.day_count as i32).saturating_sub(1)),
        p.calendar.day_count,
        p.calendar.bits.iter().map(|b| b.count_ones()).sum::<u32>()
    );
    o
}

fn day(d: i32) -> String {
    if d == NO_DATE { "open".into() } else { format_day(d).unwrap_or_else(|| format!("day{d}")) }
}

fn dur(d: Duration) -> String {
    let unit = match d.unit {
        Unit::Day => "日",
        Unit::Month => "个月",
        Unit::Year => "年",
        Unit::WorkDay => "工作日",
    };
    format!("{}{unit}", d.amount)
}

fn code(m: &Manifest, vocab: &str, c: i32) -> String {
    match m.value(vocab, c) {
        Some(v) => v.to_string(),
        None => format!("{vocab}#{c}"),
    }
}

fn list_name(p: &Program, i: u32) -> String {
    format!("#{i} {}", p.manifest.lists.get(i as usize).map_or("", |l| l.name.as_str()))
}

/// The vocabulary whose codes a field holds.
fn vocab_of(e: &Expr) -> Option<&'static str> {
    Some(match e {
        Expr::Record(RecordField::Type) => vn::RECORD_TYPE,
        Expr::Record(RecordField::Domain) => vn::DOMAIN,
        Expr::Record(RecordField::Severity) => vn::SEVERITY,
        Expr::Record(RecordField::Grade) => vn::GRADE,
        Expr::Record(RecordField::Procedure) => vn::PROCEDURE,
        Expr::Subject(SubjectField::Kind) => vn::SUBJECT_KIND,
        Expr::Subject(SubjectField::Sector) => vn::SECTOR,
        Expr::Scenario => vn::SCENARIO,
        _ => return None,
    })
}

fn expr(p: &Program, e: &Expr) -> String {
    expr_in(p, e, None)
}

fn expr_in(p: &Program, e: &Expr, vocab: Option<&str>) -> String {
    let m = &p.manifest;
    match e {
        Expr::Bool(b) => b.to_string(),
        Expr::Int(i) => i.to_string(),
        Expr::Num(n) => format!("{n:?}"),
        Expr::Date(d) => day(*d),
        Expr::Code(c) => match vocab {
            Some(v) => code(m, v, *c),
            None => format!("code#{c}"),
        },
        Expr::Record(f) => format!("record.{}", format!("{f:?}").to_lowercase()),
        Expr::Subject(f) => format!("subject.{}", format!("{f:?}").to_lowercase()),
        Expr::AsOf => "as_of".into(),
        Expr::Scenario => "scenario".into(),
        Expr::Cmp(op, a, b) => {
            let v = vocab_of(a).or_else(|| vocab_of(b));
            let op = match op {
                CmpOp::Eq => "==",
                CmpOp::Ne => "!=",
                CmpOp::Gt => ">",
                CmpOp::Ge => ">=",
                CmpOp::Lt => "<",
                CmpOp::Le => "<=",
            };
            format!("({} {op} {})", expr_in(p, a, v), expr_in(p, b, v))
        }
        Expr::InSet(a, codes) => {
            let v = vocab_of(a);
            let vals: Vec<String> = codes.iter().map(|&c| v.map_or(format!("code#{c}"), |v| code(m, v, c))).collect();
            format!("({} in [{}])", expr(p, a), vals.join(" "))
        }
        Expr::RecordHasFlags(mask) => {
            let vals: Vec<String> = (0..64).filter(|b| mask & (1u64 << b) != 0).map(|b| code(m, vn::FLAG, b)).collect();
            format!("(record.flags has_any [{}])", vals.join(" "))
        }
        Expr::HasRole(mask) => {
            let vals: Vec<String> = (0..32).filter(|b| mask & (1u32 << b) != 0).map(|b| code(m, vn::ROLE, b)).collect();
            format!("(subject.roles has_any [{}])", vals.join(" "))
        }
        Expr::And(v) => format!("(and {})", v.iter().map(|x| expr(p, x)).collect::<Vec<_>>().join(" ")),
        Expr::Or(v) => format!("(or {})", v.iter().map(|x| expr(p, x)).collect::<Vec<_>>().join(" ")),
        Expr::Not(x) => format!("(not {})", expr(p, x)),
        Expr::Exists { condition, within } => {
            format!(
                "(exists {}{})",
                expr(p, condition),
                within.map_or(String::new(), |w| format!(" within {}", dur(w)))
            )
        }
        Expr::Count { condition, within } => {
            format!("(count {}{})", expr(p, condition), within.map_or(String::new(), |w| format!(" within {}", dur(w))))
        }
        Expr::OnList(l) => format!("(on_list {})", list_name(p, *l)),
        Expr::AddDuration(x, d) => format!("({} + {})", expr(p, x), dur(*d)),
    }
}
