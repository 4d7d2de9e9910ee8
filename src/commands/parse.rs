//! `sherpa parse` (not yet built).

use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct ParseArgs {}

pub fn run(_args: ParseArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`sherpa parse` is not built yet")
}
