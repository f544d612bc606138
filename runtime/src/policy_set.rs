//! A set of loaded modules and the choice of the one in force for a jurisdiction on a date.
//!
//! Choice rule, in order: (1) candidates are modules whose jurisdiction is the one asked or an ancestor of it
//! (`重庆市/巫山县` for `重庆市/巫山县/司法局`) and whose effective range contains the date; (2) a candidate
//! superseded by another candidate is dropped; (3) the most specific jurisdiction wins (deepest path); (4) then
//! a module that `extends` another remaining one wins over it; (5) then the latest `effective_from`. A tie left
//! after that is ambiguous and reported, never guessed.

use crate::error::LoadError;
use crate::policy::{Policy, Runtime};
use std::fmt;
use xince_abi::date::{CivilDate, DayNumber};

#[derive(Debug)]
pub enum PolicySetError {
    /// A module of the set was refused (named as the host named it, e.g. its path in a bundle).
    Load { module: String, error: LoadError },
    /// A manifest's effective date is not a date.
    BadManifestDate { module: String, value: String },
    /// The requested date is not a date.
    BadDate(String),
    /// No module is in force for this jurisdiction on this date.
    NoneInForce { jurisdiction: String, date: String, known: Vec<String> },
    /// Several modules fit equally well.
    Ambiguous { jurisdiction: String, date: String, ids: Vec<String> },
}

impl PolicySetError {
    /// `E_SET_LOAD`, `E_SET_MANIFEST_DATE`, `E_SET_DATE`, `E_NO_POLICY` (none in force) or `E_POLICY_AMBIGUOUS`.
    pub fn code(&self) -> &'static str {
        match self {
            PolicySetError::Load { .. } => "E_SET_LOAD",
            PolicySetError::BadManifestDate { .. } => "E_SET_MANIFEST_DATE",
            PolicySetError::BadDate(_) => "E_SET_DATE",
            PolicySetError::NoneInForce { .. } => "E_NO_POLICY",
            PolicySetError::Ambiguous { .. } => "E_POLICY_AMBIGUOUS",
        }
    }

    pub fn message_zh(&self) -> String {
        match self {
            PolicySetError::Load { module, error } => format!("{module}：{}", error.message_zh()),
            PolicySetError::BadManifestDate { module, value } => format!("{module}：清单中的生效日期「{value}」无效"),
            PolicySetError::BadDate(d) => format!("日期「{d}」无效"),
            PolicySetError::NoneInForce { jurisdiction, date, known } => {
                let list = if known.is_empty() { "（无）".to_string() } else { known.join("；") };
                format!("{date} 没有适用于「{jurisdiction}」的有效政策；已加载：{list}")
            }
            PolicySetError::Ambiguous { jurisdiction, date, ids } => {
                format!("{date}「{jurisdiction}」有多个同样适用的政策：{}", ids.join("、"))
            }
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            PolicySetError::Load { module, error } => format!("{module}: {}", error.message_en()),
            PolicySetError::BadManifestDate { module, value } => {
                format!("{module}: the manifest's effective date \"{value}\" is invalid")
            }
            PolicySetError::BadDate(d) => format!("invalid date \"{d}\""),
            PolicySetError::NoneInForce { jurisdiction, date, known } => {
                let list = if known.is_empty() { "(none)".to_string() } else { known.join("; ") };
                format!("no policy in force for \"{jurisdiction}\" on {date}; loaded: {list}")
            }
            PolicySetError::Ambiguous { jurisdiction, date, ids } => {
                format!("several policies fit \"{jurisdiction}\" on {date} equally: {}", ids.join(", "))
            }
        }
    }
}

impl fmt::Display for PolicySetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} / {} [{}]", self.message_zh(), self.message_en(), self.code())
    }
}

impl std::error::Error for PolicySetError {}

struct Entry {
    policy: Policy,
    from: DayNumber,
    until: Option<DayNumber>,
    segments: Vec<String>,
}

/// Loaded modules with their effective ranges.
pub struct PolicySet {
    entries: Vec<Entry>,
}

fn segments(path: &str) -> Vec<String> {
    path.split('/').filter(|s| !s.is_empty()).map(str::to_string).collect()
}

fn parse_day(text: &str) -> Option<DayNumber> {
    CivilDate::parse(text).ok().map(CivilDate::to_days)
}

impl PolicySet {
    pub fn new() -> Self {
        PolicySet { entries: Vec::new() }
    }

    /// Loads every module of a bundle, given as (name, bytes) pairs (`xince_loader::read_bundle` reads a
    /// directory into them). Any refused module is an error naming it: a half-loaded set would silently pick
    /// the wrong policy.
    pub fn from_modules<N: Into<String>>(
        runtime: &Runtime,
        modules: impl IntoIterator<Item = (N, Vec<u8>)>,
    ) -> Result<Self, PolicySetError> {
        let mut set = PolicySet::new();
        for (name, bytes) in modules {
            let module = name.into();
            let policy =
                runtime.load(&bytes).map_err(|error| PolicySetError::Load { module: module.clone(), error })?;
            set.add(policy).map_err(|value| PolicySetError::BadManifestDate { module, value })?;
        }
        Ok(set)
    }

    /// Adds a loaded policy; `Err(value)` when its manifest dates are not dates.
    pub fn add(&mut self, policy: Policy) -> Result<(), String> {
        let info = &policy.manifest().policy;
        let from = parse_day(&info.effective_from).ok_or_else(|| info.effective_from.clone())?;
        let until = match &info.effective_until {
            Some(u) => Some(parse_day(u).ok_or_else(|| u.clone())?),
            None => None,
        };
        let segments = segments(&info.jurisdiction);
        self.entries.push(Entry { policy, from, until, segments });
        Ok(())
    }

    pub fn policies(&self) -> impl Iterator<Item = &Policy> {
        self.entries.iter().map(|e| &e.policy)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The module in force for `jurisdiction` (slash-separated path) on `date` (`YYYY-MM-DD`).
    pub fn select(&self, jurisdiction: &str, date: &str) -> Result<&Policy, PolicySetError> {
        let day = parse_day(date).ok_or_else(|| PolicySetError::BadDate(date.to_string()))?;
        let asked = segments(jurisdiction);
        let applies = |e: &Entry| e.segments.len() <= asked.len() && e.segments[..] == asked[..e.segments.len()];
        let in_force = |e: &Entry| e.from <= day && e.until.is_none_or(|u| day <= u);
        let mut candidates: Vec<&Entry> = self.entries.iter().filter(|e| applies(e) && in_force(e)).collect();
        if candidates.is_empty() {
            let known = self
                .entries
                .iter()
                .filter(|e| applies(e))
                .map(|e| {
                    let p = &e.policy.manifest().policy;
                    format!("{}（{} 至 {}）", p.id, p.effective_from, p.effective_until.as_deref().unwrap_or("今"))
                })
                .collect();
            return Err(PolicySetError::NoneInForce {
                jurisdiction: jurisdiction.to_string(),
                date: date.to_string(),
                known,
            });
        }
        let id = |e: &Entry| e.policy.manifest().policy.id.clone();
        // (2) superseded ones go.
        let superseded: Vec<String> =
            candidates.iter().filter_map(|e| e.policy.manifest().policy.supersedes.clone()).collect();
        if candidates.iter().any(|e| !superseded.contains(&id(e))) {
            candidates.retain(|e| !superseded.contains(&id(e)));
        }
        // (3) deepest jurisdiction.
        let depth = candidates.iter().map(|e| e.segments.len()).max().unwrap_or(0);
        candidates.retain(|e| e.segments.len() == depth);
        // (4) a module that extends another remaining one is the more specific.
        let extended: Vec<String> =
            candidates.iter().flat_map(|e| e.policy.manifest().policy.extends.clone()).collect();
        if candidates.iter().any(|e| !extended.contains(&id(e))) {
            candidates.retain(|e| !extended.contains(&id(e)));
        }
        // (5) latest effective date.
        let latest = candidates.iter().map(|e| e.from).max().unwrap_or(day);
        candidates.retain(|e| e.from == latest);
        match candidates.as_slice() {
            [one] => Ok(&one.policy),
            _ => Err(PolicySetError::Ambiguous {
                jurisdiction: jurisdiction.to_string(),
                date: date.to_string(),
                ids: candidates.iter().map(|e| id(e)).collect(),
            }),
        }
    }
}

impl Default for PolicySet {
    fn default() -> Self {
        Self::new()
    }
}
