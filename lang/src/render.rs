//! Renders diagnostics with codespan-reporting, in Chinese (default) or English, plain or coloured:
//! `error[E0201]: message`, labelled spans, the help, and each fix-it as a note.

use crate::diagnostic::{Diagnostic, FileId, Lang, Severity};
use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label as CsLabel, Severity as CsSeverity};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, Config};

/// Renders `diags` against `files` (id, display name, source). A diagnostic naming a file that is not in
/// `files`, or a span outside its text, is still rendered, without its source snippet.
pub fn render(diags: &[Diagnostic], files: &[(FileId, &str, &str)], lang: Lang, color: bool) -> String {
    let mut db = SimpleFiles::new();
    let mut index: Vec<(FileId, usize, usize)> = Vec::with_capacity(files.len());
    for (id, name, source) in files {
        let handle = db.add(*name, *source);
        index.push((*id, handle, source.len()));
    }
    let config = Config::default();
    let mut out = String::new();
    for diag in diags {
        let cs = to_codespan(diag, &index, lang);
        let rendered = if color {
            let mut buffer = term::termcolor::Buffer::ansi();
            term::emit_to_write_style(&mut buffer, &config, &db, &cs)
                .map(|()| String::from_utf8_lossy(buffer.as_slice()).into_owned())
        } else {
            term::emit_into_string(&config, &db, &cs)
        };
        match rendered {
            Ok(text) => out.push_str(&text),
            // Unreachable with the bounds checks in `to_codespan`; fall back to a plain line rather than lose it.
            Err(_) => {
                out.push_str(&format!("{}[{}]: {}\n", severity_word(diag.severity), diag.code, diag.message.get(lang)));
            }
        }
    }
    out
}

fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

fn to_codespan(diag: &Diagnostic, index: &[(FileId, usize, usize)], lang: Lang) -> CsDiagnostic<usize> {
    let severity = match diag.severity {
        Severity::Error => CsSeverity::Error,
        Severity::Warning => CsSeverity::Warning,
        Severity::Note => CsSeverity::Note,
    };
    let lookup = |file: FileId, range: std::ops::Range<usize>| {
        index
            .iter()
            .find(|(id, _, _)| *id == file)
            .filter(|(_, _, len)| range.start <= range.end && range.end <= *len)
            .map(|(_, h, _)| *h)
    };
    let mut labels = Vec::new();
    let mut notes = Vec::new();
    for label in &diag.labels {
        let range = label.span.range();
        match lookup(label.file, range.clone()) {
            Some(handle) => {
                let l = if label.primary { CsLabel::primary(handle, range) } else { CsLabel::secondary(handle, range) };
                labels.push(l.with_message(label.message.get(lang)));
            }
            None => notes.push(label.message.get(lang).to_string()),
        }
    }
    let (help_word, fix_word) = match lang {
        Lang::Zh => ("帮助", "修改建议"),
        Lang::En => ("help", "fix"),
    };
    if let Some(help) = &diag.help {
        notes.push(format!("{help_word}: {}", help.get(lang)));
    }
    for fix in &diag.fixits {
        notes.push(format!("{fix_word}: {}", fix.message.get(lang)));
    }
    CsDiagnostic::new(severity)
        .with_code(diag.code)
        .with_message(diag.message.get(lang))
        .with_labels(labels)
        .with_notes(notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_code_labels_help_and_fixits_in_both_languages() {
        let src = "名单 a { 纳入: x = 1 }\n";
        let parsed = crate::parse(0, src);
        let zh = render(&parsed.diagnostics, &[(0, "a.xince", src)], Lang::Zh, false);
        assert!(zh.starts_with("error[E0210]: 比较相等应写 `==`"), "{zh}");
        assert!(zh.contains("a.xince:1:"), "{zh}");
        assert!(zh.contains("修改建议: 改为 `==`"), "{zh}");
        let en = render(&parsed.diagnostics, &[(0, "a.xince", src)], Lang::En, false);
        assert!(en.contains("error[E0210]: comparison for equality is `==`"), "{en}");
        assert!(en.contains("fix: replace with `==`"), "{en}");
        let coloured = render(&parsed.diagnostics, &[(0, "a.xince", src)], Lang::En, true);
        assert!(coloured.contains('\u{1b}'), "{coloured}");
    }

    #[test]
    fn unknown_file_still_renders() {
        let parsed = crate::parse(7, "}");
        let out = render(&parsed.diagnostics, &[], Lang::Zh, false);
        assert!(out.contains("E0214"), "{out}");
    }
}
