//! `sherpa healthcheck`: asks a running worker's operations port whether it
//! is alive (`/healthz`) or ready (`/readyz`); exit 0 when it is, 1 when not.
//! For a container's `HEALTHCHECK` in an image without curl. It reads the
//! same `SHERPA_METRICS_ADDR` as `sherpa run`, so the two agree.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use crate::shell::duration::parse_duration;
use crate::shell::http;

#[derive(Debug, clap::Args)]
pub struct HealthcheckArgs {
    /// The worker's operations address (its `--metrics-addr`); a wildcard address means this host.
    #[arg(long, env = "SHERPA_METRICS_ADDR", default_value = "0.0.0.0:9464")]
    pub metrics_addr: SocketAddr,
    /// Check readiness (`/readyz`) instead of liveness (`/healthz`).
    #[arg(
        long,
        env = "SHERPA_READY",
        value_parser = clap::builder::BoolishValueParser::new(),
        default_value_t = false,
        num_args = 0..=1,
        default_missing_value = "true"
    )]
    pub ready: bool,
    /// How long to wait for the answer.
    #[arg(long, env = "SHERPA_TIMEOUT", default_value = "2s", value_parser = parse_duration)]
    pub timeout: Duration,
}

pub fn run(args: HealthcheckArgs) -> anyhow::Result<ExitCode> {
    let path = if args.ready { "/readyz" } else { "/healthz" };
    let (status, body) = http::probe(args.metrics_addr, path, args.timeout)?;
    if status == 200 {
        Ok(ExitCode::SUCCESS)
    } else {
        anyhow::bail!("{path} answered {status}: {}", body.trim())
    }
}
