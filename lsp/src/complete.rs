//! Completion in context, decided from the tokens before the cursor: item keywords at the top level, the clause
//! names of the enclosing item, vocabulary values of the field being compared (or of the clause), list names
//! after `在`, names of the kind a clause expects, record and subject fields after `记录.` / `主体.`, durations.

use crate::world::World;
use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionParams, CompletionResponse, CompletionTextEdit, Range, TextEdit,
};
use xince_compiler::ide::{self, DefKind, Definition, clause_item_kind, clause_spec, clause_vocab};
use xince_lang::ast::ItemKind;
use xince_lang::{Token, TokenKind, lex};

const ITEM_KINDS: [ItemKind; 13] = [
    ItemKind::Policy,
    ItemKind::Module,
    ItemKind::Use,
    ItemKind::Vocab,
    ItemKind::Basis,
    ItemKind::Regime,
    ItemKind::List,
    ItemKind::Measure,
    ItemKind::Incentive,
    ItemKind::Grading,
    ItemKind::Notification,
    ItemKind::Objection,
    ItemKind::Commitment,
];

const EXPR_KEYWORDS: [&str; 13] =
    ["且", "或", "非", "属于", "不属于", "包含", "在", "存在", "无", "计数", "近", "记录", "当"];
const DURATIONS: [&str; 8] = ["3个月", "6个月", "1年", "2年", "3年", "5年", "7个工作日", "15个工作日"];
const DURATION_CLAUSES: [&str; 3] = ["期限", "最短公示", "时限"];

fn kind_of(word: &str) -> Option<ItemKind> {
    ITEM_KINDS.iter().copied().find(|k| k.keyword() == word || k.alias() == word)
}

struct Context<'a> {
    /// The enclosing item's kind, if inside a block.
    item: Option<ItemKind>,
    /// The clause key when the cursor is after `key:`.
    clause: Option<String>,
    /// Significant tokens of the clause value before the cursor (the word being typed excluded).
    value: Vec<(TokenKind, &'a str)>,
    /// True when the cursor is in a block, before any `:` on its line.
    at_clause_name: bool,
}

fn context<'a>(text: &'a str, offset: usize, partial: Option<Token>) -> Context<'a> {
    let before = text.get(..offset).unwrap_or("");
    let tokens: Vec<Token> = lex(before).into_iter().filter(|t| !t.kind.is_trivia()).collect();
    let tokens: Vec<Token> = match partial {
        Some(p) => tokens.into_iter().filter(|t| t.span.start < p.span.start).collect(),
        None => tokens,
    };
    let word = |t: &Token| before.get(t.span.range()).unwrap_or("");
    let mut depth = 0i32;
    let mut item: Option<ItemKind> = None;
    let mut line_start = true;
    let mut line: Vec<Token> = Vec::new();
    for t in &tokens {
        match t.kind {
            TokenKind::LBrace => depth += 1,
            TokenKind::RBrace => {
                depth -= 1;
                if depth <= 0 {
                    depth = 0;
                    item = None;
                }
            }
            TokenKind::Ident if depth == 0 && line_start => item = kind_of(word(t)),
            _ => {}
        }
        if t.kind == TokenKind::Newline {
            // A clause continues over a newline after an operator, a comma or an open bracket.
            let continues = line.last().is_some_and(|l| l.kind.continues_after());
            if !continues {
                line.clear();
            }
            line_start = true;
        } else {
            line.push(*t);
            line_start = false;
        }
    }
    let line: Vec<Token> =
        line.into_iter().filter(|t| !matches!(t.kind, TokenKind::LBrace | TokenKind::RBrace)).collect();
    let colon = line.iter().position(|t| t.kind == TokenKind::Colon);
    let in_block = depth > 0;
    match colon {
        Some(i) if in_block && i >= 1 => Context {
            item,
            clause: Some(word(&line[i - 1]).to_string()),
            value: line[i + 1..].iter().map(|t| (t.kind, word(t))).collect(),
            at_clause_name: false,
        },
        _ => Context {
            item: if in_block { item } else { None },
            clause: None,
            value: Vec::new(),
            at_clause_name: in_block,
        },
    }
}

/// The vocabulary of the field compared just before the cursor (`记录.类型 == ▮`, `记录.标志 包含 [违诺, ▮`).
fn compared_vocab(value: &[(TokenKind, &str)]) -> Option<&'static str> {
    let mut i = value.len();
    // Skip the values already written in a `[…]` list.
    while i > 0 && matches!(value[i - 1].0, TokenKind::Comma | TokenKind::Ident | TokenKind::LBracket) {
        if value[i - 1].0 == TokenKind::LBracket {
            i -= 1;
            break;
        }
        i -= 1;
    }
    let op = value.get(i.checked_sub(1)?)?.0;
    if !matches!(op, TokenKind::EqEq | TokenKind::NotEq | TokenKind::In | TokenKind::NotIn | TokenKind::Contains) {
        return None;
    }
    let field: String = value[..i - 1]
        .iter()
        .rev()
        .take_while(|(k, _)| matches!(k, TokenKind::Ident | TokenKind::Dot | TokenKind::Record))
        .map(|(_, w)| *w)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    ide::field_vocab(&field)
}

fn item(label: &str, kind: CompletionItemKind, detail: &str) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail: (!detail.is_empty()).then(|| detail.to_string()),
        ..CompletionItem::default()
    }
}

fn vocab_values(defs: &[Definition], vocab: &str) -> Vec<CompletionItem> {
    defs.iter()
        .filter(|d| matches!(&d.kind, DefKind::VocabValue { vocab: v } if v == vocab))
        .map(|d| item(&d.name, CompletionItemKind::ENUM_MEMBER, vocab))
        .collect()
}

fn names_of(defs: &[Definition], kind: ItemKind) -> Vec<CompletionItem> {
    let ck = match kind {
        ItemKind::List => CompletionItemKind::CLASS,
        ItemKind::Basis => CompletionItemKind::MODULE,
        _ => CompletionItemKind::FUNCTION,
    };
    defs.iter().filter(|d| d.kind == DefKind::Item(kind)).map(|d| item(&d.name, ck, kind.keyword())).collect()
}

pub fn complete(world: &World, p: &CompletionParams) -> Option<CompletionResponse> {
    let pos = &p.text_document_position;
    let (file, offset) = world.at(&pos.text_document.uri, pos.position)?;
    let text = world.text(file);
    // The word being typed (replaced by the chosen item).
    let partial = lex(text).into_iter().find(|t| {
        t.span.start as usize <= offset
            && offset <= t.span.end as usize
            && t.span.start as usize != offset
            && t.kind == TokenKind::Ident
    });
    let cx = context(text, offset, partial);
    let defs = world.definitions(file);
    let mut items: Vec<CompletionItem> = Vec::new();
    let last = cx.value.last().map(|(k, w)| (*k, *w));
    if cx.clause.is_none() {
        if cx.at_clause_name {
            if let Some(k) = cx.item {
                let (allowed, required) = clause_spec(k);
                for c in allowed {
                    let d = if required.contains(c) { world.t("必填", "required") } else { "" };
                    items.push(item(c, CompletionItemKind::PROPERTY, d));
                }
                if k == ItemKind::Regime {
                    items.extend(vocab_values(&defs, "严重程度"));
                }
            }
        } else {
            for k in ITEM_KINDS {
                items.push(item(k.keyword(), CompletionItemKind::KEYWORD, k.alias()));
            }
        }
    } else if matches!(last, Some((TokenKind::Dot, _))) {
        let prefix: String = cx
            .value
            .iter()
            .rev()
            .skip(1)
            .take_while(|(k, _)| matches!(k, TokenKind::Ident | TokenKind::Record))
            .map(|(_, w)| *w)
            .collect();
        for f in ide::FIELD_NAMES {
            if let Some(rest) = f.strip_prefix(&format!("{prefix}.")) {
                let (zh, en) = ide::field_type_name(f).unwrap_or_default();
                items.push(item(rest, CompletionItemKind::FIELD, world.t(&zh, &en)));
            }
        }
    } else if matches!(last, Some((TokenKind::On, _))) {
        items.extend(names_of(&defs, ItemKind::List));
    } else if let Some(vocab) = compared_vocab(&cx.value) {
        items.extend(vocab_values(&defs, vocab));
    } else {
        let clause = cx.clause.as_deref().unwrap_or("");
        let kind = cx.item.unwrap_or(ItemKind::List);
        if kind == ItemKind::Policy && clause == "上级" {
            items.extend(world.policy_ids().iter().map(|id| item(id, CompletionItemKind::MODULE, "")));
        } else if let Some(v) = clause_vocab(kind, clause) {
            items.extend(vocab_values(&defs, v));
            if clause == "对象" {
                items.push(item("主体", CompletionItemKind::ENUM_MEMBER, ""));
            }
        } else if let Some(k) = clause_item_kind(kind, clause) {
            items.extend(names_of(&defs, k));
        } else if DURATION_CLAUSES.contains(&clause) {
            items.extend(DURATIONS.iter().map(|d| item(d, CompletionItemKind::VALUE, world.t("期间", "duration"))));
            if clause == "期限" {
                // A list's period may also be a repair regime (`期限: 国家信用修复制度`).
                items.extend(names_of(&defs, ItemKind::Regime));
            }
        } else {
            items.extend(EXPR_KEYWORDS.iter().map(|k| item(k, CompletionItemKind::KEYWORD, "")));
            for f in ide::FIELD_NAMES {
                let (zh, en) = ide::field_type_name(f).unwrap_or_default();
                items.push(item(f, CompletionItemKind::FIELD, world.t(&zh, &en)));
            }
            items.extend(names_of(&defs, ItemKind::List));
            if matches!(last, Some((TokenKind::Within, _))) {
                items.extend(DURATIONS.iter().map(|d| item(d, CompletionItemKind::VALUE, world.t("期间", "duration"))));
            }
        }
    }
    if let Some(t) = partial {
        let idx = crate::text::LineIndex::new(text);
        let range = Range::new(idx.position(t.span.start as usize), pos.position);
        for it in &mut items {
            it.text_edit = Some(CompletionTextEdit::Edit(TextEdit::new(range, it.label.clone())));
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    items.retain(|i| seen.insert(i.label.clone()));
    Some(CompletionResponse::Array(items))
}
