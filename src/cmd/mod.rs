//! One module per subcommand; each has an `Args` (clap) and `run(args, &Ui) -> anyhow::Result<ExitCode>`.

pub mod build;
pub mod check;
pub mod coverage;
pub mod date;
pub mod diff;
pub mod eval;
pub mod fmt;
pub mod r#gen;
pub mod id;
pub mod inspect;
pub mod lsp;
pub mod sign;
pub mod test;
pub mod verify;

/// `--format` of `check`, `test` and `coverage`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}
