//! Request JSON → [`crate::input::Input`] (with JSON-path errors), and [`crate::output::RawOutput`] →
//! [`crate::decision::Decision`] (citations, targets, trace). Shared by every engine so they cannot drift.
