//! What tests, benches and `xince gen` share, so none of them re-implements it: the synthetic population
//! ([`population`]), the repository's policy sources loaded into the compiler ([`seeds`]), and the engines
//! that must agree — reference interpreter, wasm one call per decision, wasm batched — behind one trait
//! ([`engines`]).

pub mod engines;
pub mod population;
pub mod seeds;
