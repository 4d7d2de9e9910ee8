//! `sherpa publish` (not yet built).

use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct PublishArgs {}

pub fn run(_args: PublishArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`sherpa publish` is not built yet")
}
