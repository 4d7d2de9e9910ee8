//! Command-line definitions (contract CLI.md). Every flag also reads a
//! `SHERPA_<FLAG>` environment variable.

use clap::{Parser, Subcommand};

use sherpa::commands;

#[derive(Debug, Parser)]
#[command(
    name = "sherpa",
    version,
    about = "Summit and aid records from news articles"
)]
pub struct Cli {
    /// Log level filter (overrides RUST_LOG), e.g. `info` or `sherpa=debug`.
    #[arg(long, global = true, env = "SHERPA_LOG_LEVEL")]
    pub log_level: Option<String>,
    /// Log format: `auto` (text on a terminal, JSON otherwise), `text` or `json`.
    #[arg(long, global = true, env = "SHERPA_LOG_FORMAT", default_value = "auto")]
    pub log_format: commands::LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Extract records from raw articles in JSON Lines files (or stdin).
    Extract(commands::extract::ExtractArgs),
    /// Run the core's money, time, number and actor finders on bare texts.
    Parse(commands::parse::ParseArgs),
    /// Score extraction against a gold file (contract §4).
    Eval(commands::eval::EvalArgs),
    /// The streaming worker: NATS JetStream in, records out.
    Run(Box<commands::run::RunArgs>),
    /// Publish raw articles from a JSON Lines file to the input subject.
    Publish(Box<commands::publish::PublishArgs>),
    /// Ask a running worker whether it is alive (or, with --ready, ready); exit 0 if so.
    Healthcheck(commands::healthcheck::HealthcheckArgs),
    /// Throughput figures: the core over a file, or the worker end to end.
    Bench(commands::bench::BenchArgs),
}
