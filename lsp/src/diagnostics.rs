//! Compiler diagnostics → LSP diagnostics: the primary label's range, the stable code with a link to its page,
//! the message (and help) in the client's language, secondary labels as related locations.

use crate::text::LineIndex;
use crate::world::World;
use lsp_types::{
    CodeDescription, Diagnostic as LspDiagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, NumberOrString, Uri,
};
use xince_lang::{Diagnostic, FileId, Severity};

pub fn all_open(world: &World) -> Vec<(Uri, Vec<LspDiagnostic>, Option<i32>)> {
    world.open_documents().into_iter().map(|(uri, version, file)| (uri, of_file(world, file), Some(version))).collect()
}

pub fn of_file(world: &World, file: FileId) -> Vec<LspDiagnostic> {
    let idx = LineIndex::new(world.text(file));
    world.check(file).iter().map(|d| convert(world, file, &idx, d)).collect()
}

pub fn convert(world: &World, file: FileId, idx: &LineIndex, d: &Diagnostic) -> LspDiagnostic {
    let lang = world.lang;
    let span = d.labels.iter().find(|l| l.primary && l.file == file).map(|l| l.span).unwrap_or_default();
    let mut message = d.message.get(lang).to_string();
    if let Some(primary) = d.labels.iter().find(|l| l.primary).map(|l| l.message.get(lang)).filter(|m| !m.is_empty()) {
        message.push_str(&format!("（{primary}）"));
    }
    if let Some(help) = &d.help {
        message.push_str(&format!("\n{}{}", world.t("帮助：", "help: "), help.get(lang)));
    }
    let related: Vec<DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .filter(|l| !l.primary)
        .filter_map(|l| {
            let location = world.location(l.file, l.span)?;
            let text = l.message.get(lang);
            let message =
                if text.is_empty() { world.t("相关位置", "related").to_string() } else { text.to_string() };
            Some(DiagnosticRelatedInformation { location, message })
        })
        .collect();
    LspDiagnostic {
        range: idx.range(span),
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Note => DiagnosticSeverity::INFORMATION,
        }),
        code: Some(NumberOrString::String(d.code.to_string())),
        code_description: world.error_page(d.code).map(|href| CodeDescription { href }),
        source: Some("xince".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}
