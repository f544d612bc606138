//! Formatting (the `xince fmt` formatter) and code actions for the fixes the diagnostics carry (did-you-mean,
//! full-width punctuation, a missing space after a keyword …), plus adding a `出处` clause to a rule without one.

use crate::text::LineIndex;
use crate::world::World;
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, DocumentFormattingParams, Range, TextEdit,
    WorkspaceEdit,
};
use std::collections::HashMap;
use xince_lang::format::format as format_source;

pub fn format(world: &World, p: &DocumentFormattingParams) -> Option<Vec<TextEdit>> {
    let file = world.file(&p.text_document.uri)?;
    if world.is_stdlib(file) {
        return None;
    }
    let text = world.text(file);
    let out = format_source(text).ok()?;
    if out == text {
        return Some(Vec::new());
    }
    let idx = LineIndex::new(text);
    Some(vec![TextEdit::new(Range::new(idx.position(0), idx.position(text.len())), out)])
}

fn overlaps(a: Range, b: Range) -> bool {
    !(a.end < b.start || b.end < a.start)
}

pub fn code_actions(world: &World, p: &CodeActionParams) -> Option<Vec<CodeActionOrCommand>> {
    let uri = &p.text_document.uri;
    let file = world.file(uri)?;
    if world.is_stdlib(file) {
        return Some(Vec::new());
    }
    let text = world.text(file);
    let idx = LineIndex::new(text);
    let mut out = Vec::new();
    for d in world.check(file) {
        let lsp = crate::diagnostics::convert(world, file, &idx, &d);
        if !overlaps(lsp.range, p.range) {
            continue;
        }
        let single = d.fixits.len() == 1;
        for fix in d.fixits.iter().filter(|f| f.file == file) {
            let edit = TextEdit::new(idx.range(fix.span), fix.replacement.clone());
            out.push(action(uri, fix.message.get(world.lang).to_string(), edit, lsp.clone(), single));
        }
        if d.code == "E0510" {
            // Insert `出处: ` on its own line before the rule's closing brace; the drafter writes the article.
            let primary = d.labels.iter().find(|l| l.primary).map(|l| l.span).unwrap_or_default();
            let item = world
                .parsed(file)
                .and_then(|p| p.file.items.iter().find(|i| i.span.start <= primary.start && primary.end <= i.span.end));
            if let Some(item) = item {
                let close = item.span.end as usize;
                let brace = text.get(..close).and_then(|s| s.rfind('}'));
                if let Some(b) = brace {
                    let line_start = text.get(..b).and_then(|s| s.rfind('\n')).map_or(0, |i| i + 1);
                    let at = if text.get(line_start..b).is_some_and(|s| s.trim().is_empty()) { line_start } else { b };
                    let insert = if at == line_start {
                        "  出处: 第条\n".to_string()
                    } else {
                        "\n  出处: 第条\n".to_string()
                    };
                    let pos = idx.position(at);
                    let edit = TextEdit::new(Range::new(pos, pos), insert);
                    let title = world.t("添加 `出处` 子句（填写条款号）", "add a `出处` clause (fill in the article)");
                    out.push(action(uri, title.to_string(), edit, lsp.clone(), true));
                }
            }
        }
    }
    Some(out)
}

fn action(
    uri: &lsp_types::Uri,
    title: String,
    edit: TextEdit,
    diag: lsp_types::Diagnostic,
    preferred: bool,
) -> CodeActionOrCommand {
    // `Uri` is the protocol's key type (its interior caching does not affect hashing).
    #[allow(clippy::mutable_key_type)]
    let mut changes = HashMap::new();
    changes.insert(uri.clone(), vec![edit]);
    CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diag]),
        edit: Some(WorkspaceEdit { changes: Some(changes), ..WorkspaceEdit::default() }),
        command: None,
        is_preferred: Some(preferred),
        disabled: None,
        data: None,
    })
}
