//! The server's state and its only door into the compiler: open documents, the salsa-backed `Compiler` holding
//! them with the workspace's context files, and the mapping between editor URIs and compiler files.

use crate::Options;
use crate::text::{LineIndex, path_to_uri, uri_to_path};
use lsp_types::{Location, Position, Uri};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use xince_compiler::Compiler;
use xince_compiler::ide::{self, Definition, Facts, Occurrence};
use xince_lang::ast::Span;
use xince_lang::{Diagnostic, FileId, Lang, Parsed};

pub use xince_compiler::ide::Origin;

struct Doc {
    file: FileId,
    version: i32,
}

pub struct World {
    pub lang: Lang,
    compiler: Compiler,
    options: Options,
    open: BTreeMap<Uri, Doc>,
    closed: RefCell<Vec<Uri>>,
    loaded_roots: BTreeSet<PathBuf>,
}

impl World {
    pub fn new(lang: Lang, options: Options) -> Self {
        World {
            lang,
            compiler: Compiler::new(),
            options,
            open: BTreeMap::new(),
            closed: RefCell::new(Vec::new()),
            loaded_roots: BTreeSet::new(),
        }
    }

    /// The compiler file of a URI: a stdlib source when the URI points into the stdlib directory.
    fn key_of(&self, uri: &Uri) -> Option<(String, bool)> {
        let path = uri_to_path(uri)?;
        if let Some(rel) = self.options.stdlib_dir.as_ref().and_then(|d| path.strip_prefix(d).ok()) {
            return Some((rel.to_string_lossy().replace('\\', "/"), true));
        }
        Some((path.to_string_lossy().into_owned(), false))
    }

    pub fn file(&self, uri: &Uri) -> Option<FileId> {
        if let Some(d) = self.open.get(uri) {
            return Some(d.file);
        }
        self.key_of(uri).and_then(|(k, _)| self.compiler.file_id(&k))
    }

    /// The URI of a compiler file (stdlib sources under the stdlib directory).
    pub fn uri(&self, file: FileId) -> Option<Uri> {
        let name = self.compiler.file_name(file);
        if self.compiler.is_stdlib(file) {
            return path_to_uri(&self.options.stdlib_dir.as_ref()?.join(name));
        }
        path_to_uri(std::path::Path::new(name))
    }

    pub fn open(&mut self, uri: &Uri, version: i32, text: String) {
        let Some((key, stdlib)) = self.key_of(uri) else { return };
        if stdlib {
            // The stdlib is read-only: the compiler keeps its own copy.
            if let Some(file) = self.compiler.file_id(&key) {
                self.open.insert(uri.clone(), Doc { file, version });
            }
            return;
        }
        self.load_context(&key);
        let file = self.compiler.set_file(key, text);
        self.open.insert(uri.clone(), Doc { file, version });
    }

    /// Loads the context of a file once per root: the other policies it may name by `上级`.
    fn load_context(&mut self, key: &str) {
        let Some(root) = self.options.files.context_root(std::path::Path::new(key)) else { return };
        if !self.loaded_roots.insert(root.clone()) {
            return;
        }
        for (path, text) in self.options.files.sources_under(&root) {
            let k = path.to_string_lossy().into_owned();
            // An open document's text wins over the disk.
            if self.open.values().any(|d| self.compiler.file_name(d.file) == k) {
                continue;
            }
            self.compiler.set_file(k, text);
        }
    }

    pub fn change(&mut self, uri: &Uri, version: i32, text: String) {
        let Some((key, stdlib)) = self.key_of(uri) else { return };
        if stdlib {
            return;
        }
        let file = self.compiler.set_file(key, text);
        self.open.insert(uri.clone(), Doc { file, version });
    }

    pub fn close(&mut self, uri: &Uri) {
        if self.open.remove(uri).is_some() {
            self.closed.borrow_mut().push(uri.clone());
        }
    }

    pub fn take_closed(&self) -> Vec<Uri> {
        std::mem::take(&mut *self.closed.borrow_mut())
    }

    /// Open user documents: URI, version, file.
    pub fn open_documents(&self) -> Vec<(Uri, i32, FileId)> {
        self.open
            .iter()
            .filter(|(_, d)| !self.compiler.is_stdlib(d.file))
            .map(|(u, d)| (u.clone(), d.version, d.file))
            .collect()
    }

    pub fn text(&self, file: FileId) -> &str {
        self.compiler.file_text(file)
    }

    pub fn is_stdlib(&self, file: FileId) -> bool {
        self.compiler.is_stdlib(file)
    }

    pub fn check(&self, file: FileId) -> Vec<Diagnostic> {
        self.compiler.check_file(file)
    }

    pub fn parsed(&self, file: FileId) -> Option<&Parsed> {
        self.compiler.parsed(file)
    }

    pub fn facts(&self, root: FileId, def: &Definition) -> Facts {
        ide::facts(&self.compiler, root, def)
    }

    pub fn definitions(&self, file: FileId) -> Vec<Definition> {
        ide::definitions(&self.compiler, file)
    }

    pub fn occurrence_at(&self, file: FileId, offset: usize) -> Option<Occurrence> {
        ide::occurrence_at(&self.compiler, file, offset as u32)
    }

    pub fn references(&self, def: &Definition) -> Vec<(FileId, Span)> {
        ide::references(&self.compiler, def)
    }

    pub fn policy_definition(&self, id: &str) -> Option<(FileId, Span)> {
        ide::policy_definition(&self.compiler, id)
    }

    /// Every loaded policy's `编号`.
    pub fn policy_ids(&self) -> Vec<String> {
        ide::policy_ids(&self.compiler)
    }

    pub fn location(&self, file: FileId, span: Span) -> Option<Location> {
        let uri = self.uri(file)?;
        Some(Location::new(uri, LineIndex::new(self.text(file)).range(span)))
    }

    /// The file of a URI and the byte offset of a position in it.
    pub fn at(&self, uri: &Uri, pos: Position) -> Option<(FileId, usize)> {
        let file = self.file(uri)?;
        Some((file, LineIndex::new(self.text(file)).offset(pos)))
    }

    /// A link to the page of a diagnostic code, when the pages were written out.
    pub fn error_page(&self, code: &str) -> Option<Uri> {
        let dir = self.options.errors_dir.as_ref()?;
        let name = format!("{code}.md");
        crate::ERROR_PAGES.iter().any(|(n, _)| *n == name).then(|| path_to_uri(&dir.join(&name))).flatten()
    }

    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        match self.lang {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}
