//! Semantic tokens: item keywords and expression keywords, clause names, names coloured by what they name
//! (lists, measures, bases, regimes, vocabularies, vocabulary values, schema fields), literals and comments.

use crate::text::LineIndex;
use crate::world::Origin;
use crate::world::World;
use lsp_types::{
    SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokens, SemanticTokensLegend,
    SemanticTokensResult, Uri,
};
use std::collections::BTreeMap;
use xince_compiler::ide::{self, DefKind, Expect};
use xince_lang::ast::{ItemKind, Span};
use xince_lang::{TokenKind, lex};

const TYPES: [&str; 14] = [
    "keyword",
    "property",
    "class",
    "function",
    "namespace",
    "enum",
    "enumMember",
    "variable",
    "string",
    "number",
    "comment",
    "macro",
    "operator",
    "struct",
];
const KEYWORD: u32 = 0;
const PROPERTY: u32 = 1;
const ENUM_MEMBER: u32 = 6;
const VARIABLE: u32 = 7;
const STRING: u32 = 8;
const NUMBER: u32 = 9;
const COMMENT: u32 = 10;
const MACRO: u32 = 11;
const OPERATOR: u32 = 12;
const DECLARATION: u32 = 1;
const DEFAULT_LIBRARY: u32 = 2;

pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: TYPES.iter().map(|t| SemanticTokenType::new(t)).collect(),
        token_modifiers: vec![SemanticTokenModifier::DECLARATION, SemanticTokenModifier::DEFAULT_LIBRARY],
    }
}

fn kind_type(k: ItemKind) -> u32 {
    match k {
        ItemKind::List => 2,
        ItemKind::Basis | ItemKind::Policy | ItemKind::Module | ItemKind::Use => 4,
        ItemKind::Vocab => 5,
        ItemKind::Regime => 13,
        _ => 3,
    }
}

pub fn full(world: &World, uri: &Uri) -> Option<SemanticTokensResult> {
    let file = world.file(uri)?;
    let text = world.text(file);
    let parsed = world.parsed(file)?;
    let defs = world.definitions(file);
    // What each name is, for names whose place accepts several kinds.
    let mut by_name: BTreeMap<&str, (u32, bool)> = BTreeMap::new();
    for d in &defs {
        let ty = match &d.kind {
            DefKind::Item(k) => kind_type(*k),
            DefKind::VocabValue { .. } => ENUM_MEMBER,
        };
        by_name.entry(d.name.as_str()).or_insert((ty, d.origin == Origin::Stdlib));
    }
    let mut marks: Vec<(Span, u32, u32)> = Vec::new();
    for item in &parsed.file.items {
        marks.push((item.keyword_span, KEYWORD, 0));
        for c in &item.clauses {
            marks.push((c.key.span, PROPERTY, 0));
        }
    }
    for occ in ide::occurrences(&parsed.file.items) {
        let (ty, mods) = match &occ.expect {
            Expect::Declaration(k) => (kind_type(*k), DECLARATION),
            Expect::Field => (VARIABLE, 0),
            Expect::Policy | Expect::Module => (4, 0),
            Expect::Item(k) => {
                let lib = by_name.get(occ.name.as_str()).is_some_and(|(_, l)| *l);
                (kind_type(*k), if lib { DEFAULT_LIBRARY } else { 0 })
            }
            Expect::Vocab(_) => (ENUM_MEMBER, DEFAULT_LIBRARY),
            Expect::Any => match by_name.get(occ.name.as_str()) {
                Some((ty, lib)) => (*ty, if *lib { DEFAULT_LIBRARY } else { 0 }),
                None => continue,
            },
        };
        marks.push((occ.span, ty, mods));
    }
    for t in lex(text) {
        if marks.iter().any(|(s, _, _)| s.start <= t.span.start && t.span.end <= s.end) {
            continue;
        }
        let ty = match t.kind {
            TokenKind::LineComment | TokenKind::BlockComment => COMMENT,
            TokenKind::Str => STRING,
            TokenKind::Number | TokenKind::Date | TokenKind::Duration => NUMBER,
            TokenKind::Citation => MACRO,
            TokenKind::EqEq | TokenKind::NotEq | TokenKind::Gt | TokenKind::Ge | TokenKind::Lt | TokenKind::Le => {
                OPERATOR
            }
            k if xince_lang::lexer::keyword_text(k).is_some() => KEYWORD,
            _ => continue,
        };
        marks.push((t.span, ty, 0));
    }
    marks.sort_by_key(|(s, _, _)| (s.start, s.end));
    marks.dedup_by_key(|(s, _, _)| s.start);
    let idx = LineIndex::new(text);
    let mut data = Vec::new();
    let (mut prev_line, mut prev_col) = (0u32, 0u32);
    for (span, ty, mods) in marks {
        // A token may not span lines: emit one piece per line.
        let mut start = span.start as usize;
        let end = span.end as usize;
        while start < end {
            let line_end = text.get(start..end).and_then(|s| s.find('\n')).map_or(end, |i| start + i);
            if line_end > start {
                let a = idx.position(start);
                let b = idx.position(line_end);
                let delta_line = a.line - prev_line;
                let delta_start = if delta_line == 0 { a.character - prev_col } else { a.character };
                data.push(SemanticToken {
                    delta_line,
                    delta_start,
                    length: b.character - a.character,
                    token_type: ty,
                    token_modifiers_bitset: mods,
                });
                prev_line = a.line;
                prev_col = a.character;
            }
            start = line_end + 1;
        }
    }
    Some(SemanticTokensResult::Tokens(SemanticTokens { result_id: None, data }))
}
