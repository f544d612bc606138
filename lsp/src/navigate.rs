//! Go to definition and find references, across the policy, its upper levels and the stdlib (whose sources the
//! caller wrote out, so the locations are ordinary files).

use crate::world::World;
use lsp_types::{GotoDefinitionParams, GotoDefinitionResponse, Location, ReferenceParams};
use xince_compiler::ide::{self, Expect};

pub fn definition(world: &World, p: &GotoDefinitionParams) -> Option<GotoDefinitionResponse> {
    let pos = &p.text_document_position_params;
    let (file, offset) = world.at(&pos.text_document.uri, pos.position)?;
    let occ = world.occurrence_at(file, offset)?;
    let locations: Vec<Location> = if occ.expect == Expect::Policy {
        let (f, span) = world.policy_definition(&occ.name)?;
        world.location(f, span).into_iter().collect()
    } else {
        let defs = world.definitions(file);
        ide::resolve(&defs, &occ).into_iter().filter_map(|d| world.location(d.file, d.name_span)).collect()
    };
    match locations.len() {
        0 => None,
        1 => locations.into_iter().next().map(GotoDefinitionResponse::Scalar),
        _ => Some(GotoDefinitionResponse::Array(locations)),
    }
}

pub fn references(world: &World, p: &ReferenceParams) -> Option<Vec<Location>> {
    let pos = &p.text_document_position;
    let (file, offset) = world.at(&pos.text_document.uri, pos.position)?;
    let occ = world.occurrence_at(file, offset)?;
    let defs = world.definitions(file);
    let def = ide::resolve(&defs, &occ).into_iter().next()?.clone();
    let include = p.context.include_declaration;
    Some(
        world
            .references(&def)
            .into_iter()
            .filter(|(f, s)| include || !(*f == def.file && *s == def.name_span))
            .filter_map(|(f, s)| world.location(f, s))
            .collect(),
    )
}
