//! `sherpa extract` (not yet built).

use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct ExtractArgs {}

pub fn run(_args: ExtractArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`sherpa extract` is not built yet")
}
