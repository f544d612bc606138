//! Reference interpreter over the IR (see the semantics in [`crate::ir`]).
