//! The 梁平区 rules in Rego, run by regorus 0.14. Rego has comprehensions (so the per-record criteria, the
//! best-record choice and the 3-year window are in the policy) and `time.add_date` for calendar arithmetic,
//! so the national regimes and 从旧兼从轻 are in the policy too. Limits: `time.add_date` follows Go's
//! normalisation (2024-01-31 + 1 month = 2024-03-02), not 民法典 第二百零二条 (2024-02-29), so month-end
//! records can differ by a few days; the regime table is data (day numbers), as a Rego host would load it.

use crate::handwritten::{Case, RecordKind, Severity};
use regorus::{Engine, Value};

pub const POLICY: &str = r#"
package liangping

import rego.v1

day_ns := 86400000000000

add_months(d, m) := floor(time.add_date(d * day_ns, 0, m, 0) / day_ns)

revoked(r) if {
	r.upheld
	r.resolved <= input.as_of
}

black_criterion(r) if r.severity == "严重"
black_criterion(r) if r.refused
black_criterion(r) if r.type == "失信被执行人"

regime_at(d) := i if {
	some i, g in data.regimes
	g.from <= d
	d <= g.until
}

row(i, sev) := x if {
	x := data.regimes[i].rows[sev]
} else := data.regimes[i].rows["一般"]

max_end(i, r) := add_months(r.date, row(i, r.severity)[1])
min_end(i, r) := add_months(r.date, row(i, r.severity)[0])

lenient(o, n, r) if max_end(n, r) < max_end(o, r)
lenient(o, n, r) if {
	max_end(n, r) == max_end(o, r)
	min_end(n, r) < min_end(o, r)
}

pick(r) := n if {
	o := regime_at(r.date)
	n := regime_at(input.as_of)
	lenient(o, n, r)
} else := regime_at(r.date)

earliest_repair(i, r) := 2147483647 if r.special else := min_end(i, r) + 1

black_status(r) := "revoked" if revoked(r) else := "repaired" if {
	g := pick(r)
	r.repair_date <= input.as_of
	r.repair_date >= earliest_repair(g, r)
	r.performed
} else := "expired" if input.as_of > max_end(pick(r), r) else := "suspended" if {
	r.filed <= input.as_of
	r.resolved > input.as_of
} else := "active"

black_statuses := {black_status(r) | some r in input.records; r.date <= input.as_of; black_criterion(r)}

black := "active" if "active" in black_statuses else := "suspended" if "suspended" in black_statuses else := "none"

honour if {
	some r in input.records
	r.type == "荣誉"
	r.date <= input.as_of
	not revoked(r)
}

bad_recent if {
	some r in input.records
	r.type in {"行政处罚", "失信被执行人"}
	r.date <= input.as_of
	not revoked(r)
	input.as_of <= add_months(r.date, 36)
}

measure_applies(scenarios) if {
	black == "active"
	count(scenarios) == 0
}
measure_applies(scenarios) if {
	black == "active"
	not input.scenario
}
measure_applies(scenarios) if {
	black == "active"
	input.scenario in scenarios
}

applies(scenarios) := true if measure_applies(scenarios) else := false

default honour := false

on_black if black != "none"

incentive(first) := true if {
	first
	not on_black
} else := false

honour_or_clean if honour
honour_or_clean if not bad_recent

default honour_or_clean := false

decision := {
	"black": black,
	"honour": honour,
	"measures": [applies(m) | some m in data.measures],
	"incentives": [incentive(honour), incentive(honour_or_clean), incentive(honour)],
}
"#;

pub struct RegoPeer {
    engine: Engine,
}

/// The answer the Rego policy gives (same shape as Cedar's).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegoAnswer {
    pub black: String,
    pub honour: bool,
    pub measures: Vec<bool>,
    pub incentives: Vec<bool>,
}

fn err(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!("regorus: {e}")
}

impl RegoPeer {
    pub fn new() -> anyhow::Result<Self> {
        let mut engine = Engine::new();
        engine.add_policy("liangping.rego".into(), POLICY.into()).map_err(err)?;
        let day = |y, m, d| xince_abi::date::CivilDate::new(y, m, d).map(|c| c.to_days()).unwrap_or(i32::MAX);
        let measures: Vec<&[&str]> = crate::cedar_peer::MEASURES.iter().map(|(_, s)| *s).collect();
        let data = serde_json::json!({
            "regimes": [
                {"from": day(2019, 1, 1), "until": day(2023, 4, 30), "rows": {"一般": [3, 12], "严重": [6, 36]}},
                {"from": day(2023, 5, 1), "until": day(2026, 3, 31), "rows": {"一般": [3, 12], "严重": [12, 36]}},
                {"from": day(2026, 4, 1), "until": i32::MAX, "rows": {"轻微": [0, 3], "一般": [3, 12], "严重": [12, 36]}},
            ],
            "measures": measures,
        });
        engine.add_data(Value::from_json_str(&data.to_string()).map_err(err)?).map_err(err)?;
        Ok(RegoPeer { engine })
    }

    /// The input document for one subject (outside the timed loop, as a host would build it once).
    pub fn prepare(case: &Case) -> anyhow::Result<Value> {
        let records: Vec<serde_json::Value> = case
            .records
            .iter()
            .map(|r| {
                serde_json::json!({
                    "type": match r.kind {
                        RecordKind::Penalty => "行政处罚",
                        RecordKind::Defaulter => "失信被执行人",
                        RecordKind::Honour => "荣誉",
                        RecordKind::Other => "其他",
                    },
                    "severity": match r.severity {
                        Some(Severity::Minor) => "轻微",
                        Some(Severity::General) => "一般",
                        Some(Severity::Serious) => "严重",
                        None => "",
                    },
                    "refused": r.refused, "special": r.special_serious, "date": r.date,
                    "filed": r.objection_filed, "resolved": r.objection_resolved, "upheld": r.objection_upheld,
                    "repair_date": r.repair_date, "performed": r.duties_performed,
                })
            })
            .collect();
        let mut input = serde_json::json!({ "as_of": case.as_of, "records": records });
        if let Some(s) = case.scenario {
            input["scenario"] = serde_json::Value::from(crate::scenario_name(s));
        }
        Value::from_json_str(&input.to_string()).map_err(err)
    }

    pub fn decide(&mut self, input: &Value) -> anyhow::Result<RegoAnswer> {
        self.engine.set_input(input.clone());
        let v = self.engine.eval_rule("data.liangping.decision".into()).map_err(err)?;
        let bools = |key: &str| -> Vec<bool> {
            v[key].as_array().map(|a| a.iter().map(|b| b.as_bool().is_ok_and(|x| *x)).collect()).unwrap_or_default()
        };
        Ok(RegoAnswer {
            black: v["black"].as_string().map(|s| s.to_string()).unwrap_or_default(),
            honour: v["honour"].as_bool().is_ok_and(|x| *x),
            measures: bools("measures"),
            incentives: bools("incentives"),
        })
    }
}
