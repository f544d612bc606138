//! xince over Arrow and Parquet (issue 19): the subject schema ([`subjects`]), the decision schema
//! ([`decisions`]), one evaluation path shared with the JSON Lines batch ([`engine`]), and a streaming pipeline
//! across formats ([`pipeline`]). Used by the CLI (`xince eval --input x.parquet`, `xince gen --format
//! parquet`) and the Python package; the runtime knows nothing of Arrow.

pub mod decisions;
pub mod engine;
pub mod pipeline;
pub mod subjects;

pub use decisions::{DecisionBuilder, DecisionLayout};
pub use engine::{Sink, Source, Worker};
pub use pipeline::{Event, Input, Output, RunError, Settings, Summary, evaluate_batch, run};
pub use subjects::{SchemaError, SubjectColumns, requests_to_batch, subject_schema};
