//! IR printer (in progress).
