//! The national standard library: xince sources (vocabularies, legal bases, repair regimes by date, list
//! rules, measures with their bases) shipped inside the compiler so `引用 标准库` works offline, plus the
//! working-day calendar and identifier checks in Rust. Every fact carries its source; unverified facts are
//! marked (`核实: 否`). Facts come from `/work/shared/facts/README.md` and the seeds; see `docs/stdlib.md`.

pub mod calendar;
pub mod ids;

/// One stdlib source file: its virtual path (as shown in diagnostics) and text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StdlibSource {
    /// `标准库/<file>.xince`.
    pub path: &'static str,
    /// The module name the file declares (`模块 标准库.词表`).
    pub module: &'static str,
    pub text: &'static str,
}

/// The root module name: `引用 标准库` brings in every module below it.
pub const ROOT: &str = "标准库";

/// Every stdlib source, in load order (vocabularies and bases first: later files use them).
pub const SOURCES: &[StdlibSource] = &[
    StdlibSource {
        path: "标准库/词表.xince", module: "标准库.词表", text: include_str!("../xince/词表.xince")
    },
    StdlibSource {
        path: "标准库/依据.xince", module: "标准库.依据", text: include_str!("../xince/依据.xince")
    },
    StdlibSource {
        path: "标准库/修复.xince", module: "标准库.修复", text: include_str!("../xince/修复.xince")
    },
    StdlibSource {
        path: "标准库/名单.xince", module: "标准库.名单", text: include_str!("../xince/名单.xince")
    },
    StdlibSource {
        path: "标准库/措施.xince", module: "标准库.措施", text: include_str!("../xince/措施.xince")
    },
];

/// The text of the stdlib file at `path` (`标准库/词表.xince`).
pub fn source(path: &str) -> Option<&'static str> {
    SOURCES.iter().find(|s| s.path == path).map(|s| s.text)
}

/// The sources an `引用` path brings in: `标准库` → all, `标准库.修复` → that module; `None` if it names none.
pub fn sources_for_use(path: &str) -> Option<Vec<&'static StdlibSource>> {
    let found: Vec<_> = SOURCES
        .iter()
        .filter(|s| s.module == path || (s.module.starts_with(path) && s.module[path.len()..].starts_with('.')))
        .collect();
    (!found.is_empty()).then_some(found)
}
