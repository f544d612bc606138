//! The host path: request JSON → [`crate::request::Request`] → [`Encoded`] (the module's input and the request's index) →
//! the module's raw answer → the cited [`crate::decision::Decision`]. Shared by every engine and every host
//! so they cannot drift.
//!
//! - [`parse_request`] / [`request_from_value`]: JSON → a request, every error naming the JSON path.
//! - [`encode_request`]: a request → [`Encoded`] against a module's manifest (vocabulary codes, day numbers,
//!   objection/repair records folded into the record they act on), once per decision.
//! - [`decide`]: a raw answer and the [`Encoded`] request → the decision, citations, targets and trace.
//!
//! Rooms: `errors` (codes), `parse`, `encode`, `decide` (assembly) and `prose` (every sentence, zh and en).

mod decide;
mod encode;
mod errors;
mod parse;
mod prose;

pub use decide::decide;
pub use encode::{Encoded, did_you_mean, edit_distance, encode_request, primary_records};
pub use errors::{RequestError, RequestErrorCode};
pub use parse::{parse_request, request_from_value};
pub use prose::{list_status_label, measure_status_label};
