//! The national standard library: xince sources (vocabularies, record schema, repair regimes, list rules,
//! measures with their bases) shipped inside the compiler so `引用 标准库` works offline, plus the working-day
//! calendar and identifier checks in Rust. Every fact carries its source; unverified facts are marked.

pub mod calendar;
pub mod ids;
