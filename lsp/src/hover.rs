//! Hover: what a name is, where it comes from (文号 + article), the legal rank and verification of its bases,
//! and its source text (for national items, the stdlib text with the comments that cite its facts).

use crate::world::{Origin, World};
use lsp_types::{Hover, HoverContents, HoverParams, MarkupContent, MarkupKind};
use xince_compiler::ide::{self, BasisFacts, DefKind, Definition, Expect};
use xince_lang::FileId;
use xince_lang::ast::{ItemKind, Span};

pub fn hover(world: &World, p: &HoverParams) -> Option<Hover> {
    let (file, offset) =
        world.at(&p.text_document_position_params.text_document.uri, p.text_document_position_params.position)?;
    let occ = world.occurrence_at(file, offset)?;
    let range = world.location(file, occ.span).map(|l| l.range);
    let value = if occ.expect == Expect::Field {
        field(world, &occ.name)?
    } else if occ.expect == Expect::Policy {
        let (f, span) = world.policy_definition(&occ.name)?;
        let text = source(world, f, item_span_at(world, f, span)?);
        format!("**{}** `{}`\n\n```xince\n{text}\n```", world.t("上级政策", "upper-level policy"), occ.name)
    } else {
        let defs = world.definitions(file);
        let hits = xince_compiler::ide::resolve(&defs, &occ);
        let def = *hits.first()?;
        describe(world, file, def)
    };
    Some(Hover { contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value }), range })
}

fn field(world: &World, name: &str) -> Option<String> {
    let (zh, en) = ide::field_type_name(name)?;
    let ty = world.t(&zh, &en).to_string();
    let mut s = format!("**{}** `{name}`: {ty}", world.t("字段", "field"));
    if let Some(v) = ide::field_vocab(name) {
        s.push_str(&format!("\n\n{} `{v}`", world.t("取值来自词表", "values from the vocabulary")));
    }
    Some(s)
}

fn item_span_at(world: &World, file: FileId, name_span: Span) -> Option<Span> {
    world
        .parsed(file)?
        .file
        .items
        .iter()
        .find(|i| i.span.start <= name_span.start && name_span.end <= i.span.end)
        .map(|i| i.span)
}

/// The item's text with the comment lines right above it (where the stdlib cites its facts), at most 40 lines.
fn source(world: &World, file: FileId, span: Span) -> String {
    let text = world.text(file);
    let start = span.start as usize;
    let before = text.get(..start).unwrap_or("");
    let mut lines: Vec<&str> = Vec::new();
    for line in before.lines().rev() {
        let t = line.trim();
        if t.starts_with("//") {
            lines.push(line);
        } else if !t.is_empty() || !lines.is_empty() {
            break;
        }
    }
    lines.reverse();
    let body = text.get(span.range()).unwrap_or("");
    let mut all: Vec<&str> = lines.into_iter().chain(body.lines()).collect();
    if all.len() > 40 {
        all.truncate(40);
        all.push("…");
    }
    all.join("\n")
}

fn kind_name(world: &World, k: ItemKind) -> String {
    world.t(k.keyword(), k.alias()).to_string()
}

fn origin_name(world: &World, o: Origin) -> &'static str {
    match o {
        Origin::Stdlib => world.t("国家层（标准库）", "national layer (stdlib)"),
        Origin::Upper => world.t("上级政策", "upper-level policy"),
        Origin::Own => world.t("本政策", "this policy"),
    }
}

fn yes_no(world: &World, b: bool) -> &'static str {
    if b {
        world.t("是", "yes")
    } else {
        world.t("否（标准库标注 核实: 否）", "no (marked 核实: 否 in the stdlib)")
    }
}

fn basis_line(world: &World, b: &BasisFacts) -> String {
    let article = b.article.as_deref().map(|a| format!(" {a}")).unwrap_or_default();
    if b.local {
        return format!(
            "{}：{}{article} — {}",
            world.t("依据", "basis"),
            b.document,
            world.t("不是已知的依据条目（效力未知）", "matches no basis item (rank unknown)")
        );
    }
    format!(
        "{}：{}（{}{article}）— {}：{}；{}：{}",
        world.t("依据", "basis"),
        b.name,
        b.document,
        world.t("效力", "rank"),
        b.rank,
        world.t("已核实", "verified"),
        yes_no(world, b.verified)
    )
}

fn describe(world: &World, root: FileId, def: &Definition) -> String {
    let facts = world.facts(root, def);
    let mut out = match &def.kind {
        DefKind::VocabValue { vocab } => {
            let n = facts.vocab_index.map_or(String::new(), |i| format!("（{}）", i + 1));
            format!(
                "**{}** `{}` ∈ `{vocab}`{n}\n\n{}",
                world.t("词表值", "vocabulary value"),
                def.name,
                origin_name(world, def.origin)
            )
        }
        DefKind::Item(k) => format!("**{}** `{}` · {}", kind_name(world, *k), def.name, origin_name(world, def.origin)),
    };
    if let Some((document, article)) = &facts.citation {
        out.push_str(&format!("\n\n{}：{document} {article}", world.t("出处", "source")));
    }
    for b in &facts.bases {
        out.push_str(&format!("\n\n{}", basis_line(world, b)));
    }
    if let Some(own) = &facts.own {
        let article = own.article.as_deref().map(|a| format!(" {a}")).unwrap_or_default();
        out.push_str(&format!("\n\n{}：{}{article}", world.t("文号", "document"), own.document));
        if !own.rank.is_empty() {
            out.push_str(&format!("\n\n{}：{}", world.t("效力", "rank"), own.rank));
        }
        out.push_str(&format!("\n\n{}：{}", world.t("已核实", "verified"), yes_no(world, own.verified)));
    }
    out.push_str(&format!("\n\n```xince\n{}\n```", source(world, def.file, def.item_span)));
    out
}
