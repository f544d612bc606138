//! The salsa database: source files are inputs; parse, the module index, the link set of a unit, the checks
//! (resolve + typeck + lints) and lowering are tracked queries, so editing one file re-runs only what
//! depends on it. Salsa stays inside this module: the CLI and other crates use [`Compiler`] and plain types.

use crate::diag::{self, DiagExt};
pub use crate::resolve::Origin;
use crate::resolve::Scope;
use crate::{ir, lints, lower, typeck};
use salsa::Setter;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use xince_lang::ast::{ExprKind, ItemKind, Span};
use xince_lang::{Diagnostic, FileId, Parsed, Severity};

#[salsa::input]
pub struct SourceInput {
    #[returns(copy)]
    pub id: FileId,
    #[returns(ref)]
    pub path: String,
    #[returns(ref)]
    pub text: String,
    #[returns(copy)]
    pub is_stdlib: bool,
}

/// The set of files the database knows, in load order (stdlib first).
#[salsa::input]
pub struct FileSet {
    #[returns(ref)]
    pub files: Vec<SourceInput>,
}

#[salsa::db]
pub trait Db: salsa::Database {
    /// Counts query executions (tests and benchmarks read it).
    fn note_execution(&self, query: &'static str);
}

#[salsa::db]
#[derive(Clone, Default)]
pub struct Database {
    storage: salsa::Storage<Self>,
    executions: Arc<Mutex<BTreeMap<&'static str, usize>>>,
}

#[salsa::db]
impl salsa::Database for Database {}

#[salsa::db]
impl Db for Database {
    fn note_execution(&self, query: &'static str) {
        if let Ok(mut m) = self.executions.lock() {
            *m.entry(query).or_insert(0) += 1;
        }
    }
}

#[salsa::tracked(returns(ref))]
pub fn parse_file(db: &dyn Db, file: SourceInput) -> Parsed {
    db.note_execution("parse");
    xince_lang::parse(file.id(db), file.text(db))
}

/// What a file declares about itself: enough to build the module index without re-reading bodies.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct FileHeader {
    /// True when the file holds a `政策` item.
    pub is_policy: bool,
    /// `政策` 编号, if the file is a policy.
    pub policy_id: Option<String>,
    /// `模块` name, if the file is a module.
    pub module: Option<String>,
    /// `引用` paths with their spans.
    pub uses: Vec<(String, Span)>,
    /// `上级` ids with their spans.
    pub uppers: Vec<(String, Span)>,
    /// The policy's 文号 (rules of the file cite it by default), else the module name.
    pub document: String,
}

#[salsa::tracked(returns(ref))]
pub fn file_header(db: &dyn Db, file: SourceInput) -> FileHeader {
    db.note_execution("header");
    let parsed = parse_file(db, file);
    let mut h = FileHeader::default();
    for item in &parsed.file.items {
        let text = |key: &'static str| -> Vec<(String, Span)> {
            item.clauses
                .iter()
                .filter(|c| c.key.text == key)
                .flat_map(|c| c.values.iter())
                .filter_map(|v| match &v.kind {
                    ExprKind::Path(p) => Some((p.text(), v.span)),
                    ExprKind::Str(s) => Some((s.clone(), v.span)),
                    _ => None,
                })
                .collect()
        };
        match item.kind {
            ItemKind::Policy if !h.is_policy => {
                h.is_policy = true;
                h.policy_id = text("编号").into_iter().next().map(|t| t.0);
                h.uppers = text("上级");
                h.document = text("文号").into_iter().next().map(|t| t.0).unwrap_or_default();
            }
            ItemKind::Module if h.module.is_none() => {
                h.module = item.name.as_ref().map(|p| p.text());
                h.document = h.module.clone().unwrap_or_default();
            }
            ItemKind::Use => {
                if let Some(p) = &item.name {
                    h.uses.push((p.text(), p.span));
                }
            }
            _ => {}
        }
    }
    h
}

/// Which file defines which module and which policy.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ModuleIndex {
    pub modules: BTreeMap<String, Vec<FileId>>,
    pub policies: BTreeMap<String, Vec<FileId>>,
    pub stdlib: Vec<FileId>,
}

#[salsa::tracked(returns(ref))]
pub fn module_index(db: &dyn Db, set: FileSet) -> ModuleIndex {
    db.note_execution("module_index");
    let mut idx = ModuleIndex::default();
    for f in set.files(db) {
        let h = file_header(db, *f);
        if let Some(m) = &h.module {
            idx.modules.entry(m.clone()).or_default().push(f.id(db));
        }
        if let Some(p) = &h.policy_id {
            idx.policies.entry(p.clone()).or_default().push(f.id(db));
        }
        if f.is_stdlib(db) {
            idx.stdlib.push(f.id(db));
        }
    }
    idx
}

/// The files of a unit in load order, with their origin, and the diagnostics of linking.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct LinkSet {
    pub files: Vec<(FileId, Origin)>,
    pub diagnostics: Vec<Diagnostic>,
}

fn module_matches(module: &str, used: &str) -> bool {
    module == used || module.strip_prefix(used).is_some_and(|rest| rest.starts_with('.') || rest.starts_with('/'))
}

#[salsa::tracked(returns(ref))]
pub fn link_set(db: &dyn Db, set: FileSet, root: SourceInput) -> LinkSet {
    db.note_execution("link");
    let idx = module_index(db, set);
    let files = set.files(db);
    let by_id: BTreeMap<FileId, SourceInput> = files.iter().map(|f| (f.id(db), *f)).collect();
    let mut out = LinkSet::default();
    let root_id = root.id(db);
    // Upper levels, farthest first: walk 上级 depth-first, emitting after the parents.
    let mut uppers: Vec<FileId> = Vec::new();
    let mut visiting: Vec<FileId> = vec![root_id];
    fn walk(
        db: &dyn Db,
        f: FileId,
        by_id: &BTreeMap<FileId, SourceInput>,
        idx: &ModuleIndex,
        visiting: &mut Vec<FileId>,
        uppers: &mut Vec<FileId>,
        diags: &mut Vec<Diagnostic>,
    ) {
        let Some(input) = by_id.get(&f) else { return };
        for (id, span) in &file_header(db, *input).uppers {
            match idx.policies.get(id).and_then(|v| v.first()) {
                Some(&u) if visiting.contains(&u) => diags.push(diag::error(
                    "E0309",
                    f,
                    *span,
                    format!("`上级` 形成循环：`{id}`"),
                    format!("`上级` forms a cycle through `{id}`"),
                )),
                Some(&u) => {
                    if !uppers.contains(&u) {
                        visiting.push(u);
                        walk(db, u, by_id, idx, visiting, uppers, diags);
                        visiting.pop();
                        if !uppers.contains(&u) {
                            uppers.push(u);
                        }
                    }
                }
                None => {
                    let cands: Vec<String> = idx.policies.keys().cloned().collect();
                    let mut d = crate::resolve::unknown_name("上级政策", "upper-level policy", f, *span, id, &cands);
                    d.code = "E0304";
                    diags.push(d.with_help(
                        "上级政策的文件须与本文件一起加载（如放在 policies/ 下）",
                        "load the upper-level policy's file too (e.g. under policies/)",
                    ));
                }
            }
        }
    }
    walk(db, root_id, &by_id, idx, &mut visiting, &mut uppers, &mut out.diagnostics);
    // Modules used by the root and by every upper level.
    let mut used_modules: Vec<FileId> = Vec::new();
    for f in uppers.iter().chain(std::iter::once(&root_id)) {
        let Some(input) = by_id.get(f) else { continue };
        for (used, span) in &file_header(db, *input).uses {
            let hits: Vec<FileId> = idx
                .modules
                .iter()
                .filter(|(m, _)| module_matches(m, used))
                .flat_map(|(_, v)| v.iter().copied())
                .collect();
            if hits.is_empty() {
                let cands: Vec<String> = idx.modules.keys().cloned().collect();
                let mut d = crate::resolve::unknown_name("模块", "module", *f, *span, used, &cands);
                d.code = "E0304";
                out.diagnostics.push(d);
            }
            for h in hits {
                if h != root_id && !used_modules.contains(&h) {
                    used_modules.push(h);
                }
            }
        }
    }
    used_modules.sort_unstable();
    out.files.extend(used_modules.into_iter().map(|f| (f, Origin::Stdlib)));
    out.files.extend(uppers.into_iter().map(|f| (f, Origin::Upper)));
    out.files.push((root_id, Origin::Own));
    out
}

/// The result of checking one unit.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Analysis {
    pub checked: typeck::Checked,
    /// Link, name, type and lint diagnostics of the unit (parse diagnostics are per file).
    pub diagnostics: Vec<Diagnostic>,
    /// True when some file of the unit has a parse error.
    pub parse_errors: bool,
    pub source_hash: String,
}

#[salsa::tracked(returns(ref))]
pub fn analyze(db: &dyn Db, set: FileSet, root: SourceInput) -> Analysis {
    db.note_execution("analyze");
    let link = link_set(db, set, root);
    let by_id: BTreeMap<FileId, SourceInput> = set.files(db).iter().map(|f| (f.id(db), *f)).collect();
    let mut diags = link.diagnostics.clone();
    let mut parsed: Vec<(FileId, Origin, &Parsed)> = Vec::new();
    let mut texts: typeck::Texts = BTreeMap::new();
    let mut docs: BTreeMap<FileId, String> = BTreeMap::new();
    let mut hasher = Sha256::new();
    let mut parse_errors = false;
    for (f, origin) in &link.files {
        let Some(input) = by_id.get(f) else { continue };
        let p = parse_file(db, *input);
        parse_errors |= p.diagnostics.iter().any(|d| d.severity == Severity::Error);
        parsed.push((*f, *origin, p));
        texts.insert(*f, input.text(db).as_str());
        docs.insert(*f, file_header(db, *input).document.clone());
        // Texts only, in link order: where the checkout lives or how a path was typed must not change the bytes.
        hasher.update(input.text(db).as_bytes());
        hasher.update([0u8]);
    }
    let linked = crate::resolve::prune_unreferenced_stdlib_rules(&parsed);
    let items: Vec<(FileId, Origin, &[xince_lang::ast::Item])> =
        linked.iter().map(|(f, o, items)| (*f, *o, items.as_slice())).collect();
    let scope = Scope::build(&items, &mut diags);
    let checked = typeck::check(&scope, &texts, &docs, &mut diags);
    lints::lint(&checked, &mut diags);
    let hash: String = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Analysis { checked, diagnostics: diags, parse_errors, source_hash: format!("sha256:{hash}") }
}

#[salsa::tracked(returns(ref))]
pub fn program(db: &dyn Db, set: FileSet, root: SourceInput) -> Result<ir::Program, Vec<Diagnostic>> {
    db.note_execution("lower");
    let a = analyze(db, set, root);
    let link = link_set(db, set, root);
    let by_id: BTreeMap<FileId, SourceInput> = set.files(db).iter().map(|f| (f.id(db), *f)).collect();
    let mut errors: Vec<Diagnostic> = Vec::new();
    for (f, _) in &link.files {
        if let Some(input) = by_id.get(f) {
            errors.extend(parse_file(db, *input).diagnostics.iter().filter(|d| d.severity == Severity::Error).cloned());
        }
    }
    errors.extend(a.diagnostics.iter().filter(|d| d.severity == Severity::Error).cloned());
    let Some(policy) = a.checked.policy.as_ref() else {
        errors.push(diag::error(
            "E0307",
            root.id(db),
            Span::default(),
            format!("`{}` 不是政策文件（没有 `政策` 条目）", root.path(db)),
            format!("`{}` is not a policy file (it has no `政策` item)", root.path(db)),
        ));
        return Err(errors);
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(lower::lower(&a.checked, policy, a.source_hash.clone()))
}

/// The module of a policy: codegen as a query, so an edit that leaves the IR equal reuses the bytes.
#[salsa::tracked(returns(ref))]
pub fn module_bytes(db: &dyn Db, set: FileSet, root: SourceInput) -> Result<Vec<u8>, Vec<Diagnostic>> {
    db.note_execution("codegen");
    let program = program(db, set, root).as_ref().map_err(Clone::clone)?;
    crate::codegen::emit(program).map_err(|e| {
        vec![diag::error(
            "E0601",
            root.id(db),
            Span::default(),
            format!("无法生成模块：{}", e.message_zh()),
            format!("cannot generate the module: {}", e.message_en()),
        )]
    })
}

/// A compiled policy: what every door needs from the compiler, from one call.
#[derive(Clone, Debug, PartialEq)]
pub struct Build {
    /// The wasm module (manifest and citations inside).
    pub wasm: Vec<u8>,
    /// The IR it was generated from (the reference interpreter runs this).
    pub program: ir::Program,
    /// Warnings of the unit (a build with errors is `Err`).
    pub warnings: Vec<Diagnostic>,
}

impl Build {
    /// The manifest carried in the module.
    pub fn manifest(&self) -> &xince_abi::manifest::Manifest {
        &self.program.manifest
    }
}

/// The front door: files in; diagnostics, programs and modules out.
pub struct Compiler {
    db: Database,
    set: FileSet,
    files: Vec<SourceInput>,
    by_path: BTreeMap<String, usize>,
}

impl Default for Compiler {
    fn default() -> Self {
        Self::new()
    }
}

impl Compiler {
    /// A compiler with the stdlib sources loaded.
    pub fn new() -> Self {
        let db = Database::default();
        let set = FileSet::new(&db, Vec::new());
        let mut c = Compiler { db, set, files: Vec::new(), by_path: BTreeMap::new() };
        for (path, text) in crate::stdlib_sources() {
            c.add(path.to_string(), text.to_string(), true);
        }
        c
    }

    fn add(&mut self, path: String, text: String, is_stdlib: bool) -> FileId {
        if let Some(&i) = self.by_path.get(&path) {
            let f = self.files[i];
            if f.text(&self.db) != &text {
                f.set_text(&mut self.db).to(text);
            }
            return f.id(&self.db);
        }
        let id = self.files.len() as FileId;
        let f = SourceInput::new(&self.db, id, path.clone(), text, is_stdlib);
        self.files.push(f);
        self.by_path.insert(path, self.files.len() - 1);
        self.set.set_files(&mut self.db).to(self.files.clone());
        id
    }

    /// Adds a file, or replaces its text (only what depends on it re-runs).
    pub fn set_file(&mut self, path: impl Into<String>, text: impl Into<String>) -> FileId {
        self.add(path.into(), text.into(), false)
    }

    /// Adds a stdlib source (normally they come from `xince_stdlib`; tests and tools may add more).
    pub fn set_stdlib_file(&mut self, path: impl Into<String>, text: impl Into<String>) -> FileId {
        self.add(path.into(), text.into(), true)
    }

    /// Renders diagnostics against the loaded files (plain text unless `color`).
    pub fn render(&self, diags: &[Diagnostic], lang: xince_lang::Lang, color: bool) -> String {
        let files: Vec<(FileId, &str, &str)> =
            self.files.iter().map(|f| (f.id(&self.db), f.path(&self.db).as_str(), f.text(&self.db).as_str())).collect();
        xince_lang::render::render(diags, &files, lang, color)
    }

    pub fn file_id(&self, path: &str) -> Option<FileId> {
        self.by_path.get(path).map(|&i| i as FileId)
    }

    fn input(&self, file: FileId) -> Option<SourceInput> {
        self.files.get(file as usize).copied()
    }

    pub fn file_name(&self, file: FileId) -> &str {
        self.input(file).map_or("", |f| f.path(&self.db).as_str())
    }

    pub fn file_text(&self, file: FileId) -> &str {
        self.input(file).map_or("", |f| f.text(&self.db).as_str())
    }

    /// Every file that is not part of the stdlib, in load order.
    pub fn user_files(&self) -> Vec<FileId> {
        self.files.iter().filter(|f| !f.is_stdlib(&self.db)).map(|f| f.id(&self.db)).collect()
    }

    /// True when the file holds a `政策` item.
    pub fn is_policy(&self, file: FileId) -> bool {
        self.input(file).is_some_and(|f| file_header(&self.db, f).is_policy)
    }

    /// Diagnostics of one file: its parse diagnostics and those of its unit that point into it.
    pub fn check_file(&self, file: FileId) -> Vec<Diagnostic> {
        let Some(f) = self.input(file) else { return Vec::new() };
        let mut out: Vec<Diagnostic> = parse_file(&self.db, f).diagnostics.clone();
        for d in &analyze(&self.db, self.set, f).diagnostics {
            let primary = d.labels.iter().find(|l| l.primary).map(|l| l.file);
            if primary == Some(file) && !out.contains(d) {
                out.push(d.clone());
            }
        }
        out
    }

    /// Diagnostics of every user file, in file order.
    pub fn check_all(&self) -> Vec<(FileId, Diagnostic)> {
        self.user_files().into_iter().flat_map(|f| self.check_file(f).into_iter().map(move |d| (f, d))).collect()
    }

    /// The IR of the policy in `path`, or every error that prevents it.
    pub fn program(&self, path: &str) -> Result<ir::Program, Vec<Diagnostic>> {
        match self.file_id(path).and_then(|f| self.input(f)) {
            Some(f) => program(&self.db, self.set, f).clone(),
            None => Err(vec![
                diag::error(
                    "E0307",
                    0,
                    Span::default(),
                    format!("没有加载文件 `{path}`"),
                    format!("no file `{path}` is loaded"),
                )
                .with_help("先用 set_file 加载它", "load it first"),
            ]),
        }
    }

    /// The parse of one file (tree and its own diagnostics), from the database.
    pub fn parsed(&self, file: FileId) -> Option<&Parsed> {
        self.input(file).map(|f| parse_file(&self.db, f))
    }

    /// The checked unit rooted at `file` (a policy with what it links, or a module alone).
    pub(crate) fn analysis(&self, file: FileId) -> Option<&Analysis> {
        self.input(file).map(|f| analyze(&self.db, self.set, f))
    }

    /// The files of the unit rooted at `file`, in load order (stdlib modules, upper levels, the file itself).
    pub fn unit_files(&self, file: FileId) -> Vec<(FileId, Origin)> {
        self.input(file).map(|f| link_set(&self.db, self.set, f).files.clone()).unwrap_or_default()
    }

    /// True when the file is one of the stdlib sources.
    pub fn is_stdlib(&self, file: FileId) -> bool {
        self.input(file).is_some_and(|f| f.is_stdlib(&self.db))
    }

    /// Every loaded file (stdlib first), in load order.
    pub fn all_files(&self) -> Vec<FileId> {
        self.files.iter().map(|f| f.id(&self.db)).collect()
    }

    /// Compiles the policy in `path` to a module, or returns every error that prevents it.
    pub fn build(&self, path: &str) -> Result<Build, Vec<Diagnostic>> {
        let program = self.program(path)?;
        let Some(f) = self.file_id(path).and_then(|f| self.input(f)) else { return Err(Vec::new()) };
        let wasm = module_bytes(&self.db, self.set, f).clone()?;
        let mut warnings: Vec<Diagnostic> = Vec::new();
        for (file, _) in &link_set(&self.db, self.set, f).files {
            if let Some(input) = self.input(*file) {
                warnings.extend(parse_file(&self.db, input).diagnostics.iter().cloned());
            }
        }
        warnings.extend(analyze(&self.db, self.set, f).diagnostics.iter().cloned());
        warnings.retain(|d| d.severity != Severity::Error);
        Ok(Build { wasm, program, warnings })
    }

    /// How many times each query ran so far (for incrementality tests and benchmarks).
    pub fn executions(&self) -> BTreeMap<&'static str, usize> {
        self.db.executions.lock().map(|m| m.clone()).unwrap_or_default()
    }
}
