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
use std::path::{Path, PathBuf};
use xince_abi::date::{CivilDate, DayNumber};

#[derive(Debug)]
pub enum PolicySetError {
    /// The directory or a file in it could not be read.
    Io { path: PathBuf, message: String },
    /// A module in the directory was refused.
    Load { path: PathBuf, error: LoadError },
    /// A manifest's effective date is not a date.
    BadManifestDate { path: PathBuf, value: String },
    /// The requested date is not a date.
    BadDate(String),
    /// No module is in force for this jurisdiction on this date.
    NoneInForce { jurisdiction: String, date: String, known: Vec<String> },
    /// Several modules fit equally well.
    Ambiguous { jurisdiction: String, date: String, ids: Vec<String> },
}

impl fmt::Display for PolicySetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PolicySetError::Io { path, message } => {
                write!(f, "无法读取 {0}：{1} / cannot read {0}: {1}", path.display(), message)
            }
            PolicySetError::Load { path, error } => write!(f, "{}：{}", path.display(), error),
            PolicySetError::BadManifestDate { path, value } => {
                write!(
                    f,
                    "{0}：清单中的生效日期「{1}」无效 / {0}: manifest date \"{1}\" is invalid",
                    path.display(),
                    value
                )
            }
            PolicySetError::BadDate(d) => write!(f, "日期「{d}」无效 / invalid date \"{d}\""),
            PolicySetError::NoneInForce { jurisdiction, date, known } => {
                let list = if known.is_empty() { "（无）".to_string() } else { known.join("；") };
                write!(
                    f,
                    "{date} 没有适用于「{jurisdiction}」的有效政策；已加载：{list} / no policy in force for \"{jurisdiction}\" on {date}; loaded: {list}"
                )
            }
            PolicySetError::Ambiguous { jurisdiction, date, ids } => write!(
                f,
                "{date}「{jurisdiction}」有多个同样适用的政策：{0} / several policies fit \"{jurisdiction}\" on {date} equally: {0}",
                ids.join(", ")
            ),
        }
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

    /// Loads every `*.wasm` file under a directory, recursively (`xince build DIR --out-dir OUT` mirrors the
    /// jurisdiction tree), in sorted path order. Any refused module is an error naming the file: a half-loaded
    /// set would silently pick the wrong policy.
    pub fn load_dir(runtime: &Runtime, dir: &Path) -> Result<Self, PolicySetError> {
        let io =
            |path: &Path, e: std::io::Error| PolicySetError::Io { path: path.to_path_buf(), message: e.to_string() };
        let mut files: Vec<PathBuf> = Vec::new();
        let mut pending = vec![dir.to_path_buf()];
        while let Some(next) = pending.pop() {
            for entry in std::fs::read_dir(&next).map_err(|e| io(&next, e))? {
                let path = entry.map_err(|e| io(&next, e))?.path();
                if path.is_dir() {
                    pending.push(path);
                } else if path.extension().is_some_and(|x| x == "wasm") {
                    files.push(path);
                }
            }
        }
        files.sort();
        let mut set = PolicySet::new();
        for path in files {
            let bytes = std::fs::read(&path).map_err(|e| io(&path, e))?;
            let policy = runtime.load(&bytes).map_err(|error| PolicySetError::Load { path: path.clone(), error })?;
            set.add(policy).map_err(|value| PolicySetError::BadManifestDate { path: path.clone(), value })?;
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
