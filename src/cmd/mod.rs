//! One module per subcommand; each has an `Args` (clap) and `run(args, &Ui) -> anyhow::Result<ExitCode>`.

pub mod build;
pub mod check;
pub mod r#gen;
pub mod diff;
pub mod inspect;
pub mod sign;
pub mod verify;
pub mod date;
pub mod id;
pub mod test;
pub mod coverage;
pub mod eval;
pub mod fmt;
