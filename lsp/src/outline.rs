//! The outline (document symbols: items with their clauses) and folding ranges (items, block comments, runs of
//! line comments).

use crate::text::LineIndex;
use crate::world::World;
use lsp_types::{DocumentSymbol, DocumentSymbolResponse, FoldingRange, FoldingRangeKind, SymbolKind, Uri};
use xince_lang::ast::ItemKind;
use xince_lang::{TokenKind, lex};

fn symbol_kind(k: ItemKind) -> SymbolKind {
    match k {
        ItemKind::Policy | ItemKind::Module => SymbolKind::MODULE,
        ItemKind::Use => SymbolKind::PACKAGE,
        ItemKind::Vocab => SymbolKind::ENUM,
        ItemKind::Basis => SymbolKind::NAMESPACE,
        ItemKind::Regime => SymbolKind::STRUCT,
        ItemKind::List => SymbolKind::CLASS,
        _ => SymbolKind::FUNCTION,
    }
}

#[allow(deprecated)] // `DocumentSymbol::deprecated` must still be written.
pub fn symbols(world: &World, uri: &Uri) -> Option<DocumentSymbolResponse> {
    let file = world.file(uri)?;
    let text = world.text(file);
    let idx = LineIndex::new(text);
    let parsed = world.parsed(file)?;
    let mut out = Vec::new();
    for item in &parsed.file.items {
        let name = item.name.as_ref().map(|p| p.text()).unwrap_or_else(|| item.kind.keyword().to_string());
        let selection = item.name.as_ref().map_or(item.keyword_span, |p| p.span);
        let children: Vec<DocumentSymbol> = item
            .clauses
            .iter()
            .map(|c| DocumentSymbol {
                name: c.key.text.clone(),
                detail: text.get(c.span.range()).map(|s| {
                    let v = s.split_once([':', '：']).map_or(s, |(_, v)| v).trim();
                    v.chars().take(40).collect()
                }),
                kind: SymbolKind::FIELD,
                tags: None,
                deprecated: None,
                range: idx.range(c.span),
                selection_range: idx.range(c.key.span),
                children: None,
            })
            .collect();
        out.push(DocumentSymbol {
            name,
            detail: Some(item.kind.keyword().to_string()),
            kind: symbol_kind(item.kind),
            tags: None,
            deprecated: None,
            range: idx.range(item.span),
            selection_range: idx.range(selection),
            children: (!children.is_empty()).then_some(children),
        });
    }
    Some(DocumentSymbolResponse::Nested(out))
}

pub fn folding(world: &World, uri: &Uri) -> Option<Vec<FoldingRange>> {
    let file = world.file(uri)?;
    let text = world.text(file);
    let idx = LineIndex::new(text);
    let mut out = Vec::new();
    let fold = |start: u32, end: u32, kind: Option<FoldingRangeKind>| FoldingRange {
        start_line: start,
        start_character: None,
        end_line: end,
        end_character: None,
        kind,
        collapsed_text: None,
    };
    for item in &world.parsed(file)?.file.items {
        let (s, e) = (idx.line_of(item.span.start as usize), idx.line_of(item.span.end as usize));
        if e > s {
            out.push(fold(s, e, None));
        }
    }
    let mut run: Option<(u32, u32)> = None;
    for t in lex(text) {
        let (s, e) = (idx.line_of(t.span.start as usize), idx.line_of(t.span.end as usize));
        match t.kind {
            TokenKind::BlockComment if e > s => out.push(fold(s, e, Some(FoldingRangeKind::Comment))),
            TokenKind::LineComment => {
                run = match run {
                    Some((a, b)) if s == b + 1 => Some((a, s)),
                    Some((a, b)) => {
                        if b > a {
                            out.push(fold(a, b, Some(FoldingRangeKind::Comment)));
                        }
                        Some((s, s))
                    }
                    None => Some((s, s)),
                };
            }
            _ => {}
        }
    }
    if let Some((a, b)) = run.filter(|(a, b)| b > a) {
        out.push(fold(a, b, Some(FoldingRangeKind::Comment)));
    }
    out.sort_by_key(|f| (f.start_line, f.end_line));
    Some(out)
}
