//! `sherpa run`: the streaming worker. Parses its flags, connects, provisions
//! the JetStream layout and runs [`crate::shell::nats::Worker`] until
//! SIGTERM / SIGINT.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use async_nats::jetstream;

use crate::events::{self, Emit as _, WorkerStarting};
use crate::knowledge::Knowledge;
use crate::model::DEFAULT_MAX_ARTICLE_BYTES;
use crate::pipeline::{PipelineConfig, RetryPolicy};
use crate::shell::connect::{ConnectArgs, ConnectError};
use crate::shell::duration::{format_duration, parse_duration};
use crate::shell::fetch::{FetchArgs, Fetcher};
use crate::shell::http::{self, Readiness};
use crate::shell::monitor::{self, MonitorConfig};
use crate::shell::nats::{OutputSubjects, Worker, WorkerConfig};
use crate::shell::provision::{self, ConsumerSpec, StreamSpec, pattern_covers};
use crate::shell::shutdown;

/// Room left under the broker's `max_payload` for a record's headers.
const HEADER_ROOM: usize = 4 * 1024;

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub connect: ConnectArgs,

    /// Stream holding the raw articles.
    #[arg(long, env = "SHERPA_INPUT_STREAM", default_value = "NEWS_RAW")]
    pub input_stream: String,
    /// Subjects of the input stream; also the consumer's filter.
    #[arg(long, env = "SHERPA_INPUT_SUBJECTS", default_value = "news.raw.>")]
    pub input_subjects: String,
    /// Durable pull consumer on the input stream (shared by every replica of the worker).
    #[arg(long, env = "SHERPA_CONSUMER", default_value = "sherpa")]
    pub consumer: String,
    /// Stream the records are published to.
    #[arg(long, env = "SHERPA_OUTPUT_STREAM", default_value = "NEWS_ENRICHED")]
    pub output_stream: String,
    /// Subjects of the output stream.
    #[arg(
        long,
        env = "SHERPA_OUTPUT_SUBJECTS",
        default_value = "news.enriched.>"
    )]
    pub output_subjects: String,
    /// Subject for `summit/1` records.
    #[arg(
        long,
        env = "SHERPA_SUMMIT_SUBJECT",
        default_value = "news.enriched.summit"
    )]
    pub summit_subject: String,
    /// Subject for `aid/1` records.
    #[arg(long, env = "SHERPA_AID_SUBJECT", default_value = "news.enriched.aid")]
    pub aid_subject: String,
    /// Subject for enriched articles.
    #[arg(
        long,
        env = "SHERPA_ARTICLE_SUBJECT",
        default_value = "news.enriched.article"
    )]
    pub article_subject: String,
    /// Stream holding dead letters.
    #[arg(long, env = "SHERPA_DLQ_STREAM", default_value = "NEWS_DLQ")]
    pub dlq_stream: String,
    /// Subject rejected messages are copied to, with `Sherpa-*` headers.
    #[arg(long, env = "SHERPA_DLQ_SUBJECT", default_value = "news.dlq")]
    pub dlq_subject: String,

    /// Do not create missing streams or the consumer (for locked-down accounts).
    #[arg(
        long,
        env = "SHERPA_NO_PROVISION",
        value_parser = clap::builder::BoolishValueParser::new(),
        default_value_t = false,
        num_args = 0..=1,
        default_missing_value = "true"
    )]
    pub no_provision: bool,
    /// How long the broker waits for an ack before redelivering.
    #[arg(long, env = "SHERPA_ACK_WAIT", default_value = "30s", value_parser = parse_duration)]
    pub ack_wait: Duration,
    /// Deliveries of one message before it is dead-lettered (`max_deliveries`).
    #[arg(long, env = "SHERPA_MAX_DELIVER", default_value_t = 5, value_parser = clap::value_parser!(i64).range(1..))]
    pub max_deliver: i64,
    /// Unacknowledged messages the consumer allows across all workers.
    #[arg(long, env = "SHERPA_MAX_ACK_PENDING", default_value_t = 1000, value_parser = clap::value_parser!(i64).range(1..))]
    pub max_ack_pending: i64,
    /// Duplicate window of the output stream: redeliveries within it never double a record.
    #[arg(long, env = "SHERPA_DUPLICATE_WINDOW", default_value = "10m", value_parser = parse_duration)]
    pub duplicate_window: Duration,
    /// Replicas of the streams (input, output, dead letters) and of the
    /// consumer sherpa creates: 3 on a three-node JetStream cluster. An
    /// existing stream with other replicas is a start-up error.
    #[arg(long, env = "SHERPA_STREAM_REPLICAS", alias = "replicas", default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=5))]
    pub stream_replicas: u8,

    /// Largest accepted raw article message, in bytes.
    #[arg(long, env = "SHERPA_MAX_ARTICLE_BYTES", default_value_t = DEFAULT_MAX_ARTICLE_BYTES)]
    pub max_article_bytes: usize,
    /// Articles extracted at once (CPU-bound); default: the number of CPUs.
    #[arg(long, env = "SHERPA_CONCURRENCY")]
    pub concurrency: Option<usize>,
    /// Input messages being published and acked at once.
    #[arg(long, env = "SHERPA_PUBLISH_CONCURRENCY", default_value_t = 64)]
    pub publish_concurrency: usize,
    /// Messages asked for per pull request.
    #[arg(long, env = "SHERPA_PULL_BATCH", default_value_t = 64)]
    pub pull_batch: usize,
    /// How long a pull request waits on the server (idle heartbeats every half of it, at most 5 s).
    #[arg(long, env = "SHERPA_PULL_EXPIRES", default_value = "10s", value_parser = parse_duration)]
    pub pull_expires: Duration,
    /// Delay before the first redelivery of a message whose publish failed; doubles each time.
    #[arg(long, env = "SHERPA_RETRY_DELAY", default_value = "1s", value_parser = parse_duration)]
    pub retry_delay: Duration,
    /// Upper bound on that delay.
    #[arg(long, env = "SHERPA_RETRY_MAX_DELAY", default_value = "30s", value_parser = parse_duration)]
    pub retry_max_delay: Duration,
    /// After SIGTERM / SIGINT: time to finish in-flight messages and exit.
    #[arg(long, env = "SHERPA_SHUTDOWN_TIMEOUT", default_value = "25s", value_parser = parse_duration)]
    pub shutdown_timeout: Duration,
    /// Operations port: Prometheus `/metrics`, `/healthz` (alive) and `/readyz`
    /// (connected, consumer bound, not draining). Port 0 picks a free one.
    #[arg(long, env = "SHERPA_METRICS_ADDR", default_value = "0.0.0.0:9464")]
    pub metrics_addr: SocketAddr,
    #[command(flatten)]
    pub fetch: FetchArgs,
    /// How often the consumer's pending and ack-pending counts are polled for the metrics.
    #[arg(long, env = "SHERPA_CONSUMER_POLL_INTERVAL", default_value = "5s", value_parser = parse_duration)]
    pub consumer_poll_interval: Duration,
}

pub fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("sherpa")
        .build()
        .context("cannot start the async runtime")?;
    let result = runtime.block_on(run_worker(args));
    // Blocking extraction tasks cannot be cancelled; do not wait for a stuck one.
    runtime.shutdown_timeout(Duration::from_secs(1));
    result
}

async fn run_worker(args: RunArgs) -> anyhow::Result<ExitCode> {
    if args.pull_expires < Duration::from_secs(1) {
        anyhow::bail!("--pull-expires must be at least 1s");
    }
    if args.consumer_poll_interval.is_zero() {
        anyhow::bail!("--consumer-poll-interval must be more than 0s");
    }
    // The operations port comes up first: /healthz answers while the worker
    // waits for NATS, and /readyz says why it is not ready yet.
    let metrics = events::install().context("cannot install the metrics recorder")?;
    WorkerStarting.emit();
    let readiness = Readiness::new();
    let listener = http::bind(args.metrics_addr).await?;
    http::spawn_server(listener, metrics, readiness.clone());

    let kb = Arc::new(Knowledge::builtin().context("loading the built-in knowledge")?);
    let (trigger, shutdown) = shutdown::channel();
    shutdown::listen_for_signals(trigger).context("cannot listen for signals")?;
    tokio::spawn({
        let readiness = readiness.clone();
        let shutdown = shutdown.clone();
        async move {
            shutdown.requested().await;
            readiness.set_draining();
        }
    });

    let client = match args
        .connect
        .connect_with_retry("sherpa-worker", &shutdown)
        .await
    {
        Ok(client) => client,
        Err(ConnectError::Interrupted) => {
            tracing::info!("shutdown requested before connecting; exiting");
            return Ok(ExitCode::SUCCESS);
        }
        Err(err) => return Err(err.into()),
    };
    let js = jetstream::new(client.clone());
    let provision = !args.no_provision;
    let replicas = usize::from(args.stream_replicas);

    let input_spec = StreamSpec {
        name: args.input_stream.clone(),
        subjects: vec![args.input_subjects.clone()],
        duplicate_window: args.duplicate_window,
        min_duplicate_window: None,
        replicas,
    };
    let output_spec = StreamSpec {
        name: args.output_stream.clone(),
        subjects: vec![args.output_subjects.clone()],
        duplicate_window: args.duplicate_window,
        min_duplicate_window: Some(args.duplicate_window),
        replicas,
    };
    let dlq_spec = StreamSpec {
        name: args.dlq_stream.clone(),
        subjects: vec![args.dlq_subject.clone()],
        duplicate_window: args.duplicate_window,
        min_duplicate_window: None,
        replicas,
    };
    for (flag, subject) in [
        ("--summit-subject", &args.summit_subject),
        ("--aid-subject", &args.aid_subject),
        ("--article-subject", &args.article_subject),
    ] {
        if !pattern_covers(&args.output_subjects, subject) {
            anyhow::bail!(
                "{flag} {subject} is not within --output-subjects {}: records would not be stored",
                args.output_subjects
            );
        }
    }
    if pattern_covers(&args.input_subjects, &args.output_subjects)
        || pattern_covers(&args.output_subjects, &args.input_subjects)
        || pattern_covers(&args.input_subjects, &args.dlq_subject)
    {
        anyhow::bail!(
            "--input-subjects {} overlaps the output or dead-letter subjects: the worker would consume its own output",
            args.input_subjects
        );
    }

    let input = provision::ensure_stream(&js, &input_spec, provision).await?;
    provision::ensure_stream(&js, &output_spec, provision).await?;
    provision::ensure_stream(&js, &dlq_spec, provision).await?;
    let consumer_spec = ConsumerSpec {
        name: args.consumer.clone(),
        filter_subject: args.input_subjects.clone(),
        ack_wait: args.ack_wait,
        max_deliver: args.max_deliver,
        max_ack_pending: args.max_ack_pending,
        replicas,
    };
    let consumer =
        provision::ensure_consumer(&input, &args.input_stream, &consumer_spec, provision).await?;
    readiness.set_consumer_bound(true);
    tokio::spawn(monitor::watch_broker(
        client.clone(),
        input.clone(),
        MonitorConfig {
            consumer: args.consumer.clone(),
            consumer_interval: args.consumer_poll_interval,
        },
        readiness.clone(),
        shutdown.clone(),
    ));
    // With --no-provision the consumer's own settings rule.
    let consumer_config = &consumer.cached_info().config;
    let ack_wait = if consumer_config.ack_wait.is_zero() {
        args.ack_wait
    } else {
        consumer_config.ack_wait
    };
    let max_deliver = u64::try_from(consumer_config.max_deliver)
        .ok()
        .filter(|max| *max > 0);

    if let Some(max) = max_deliver {
        // A record is republished on every redelivery of its article; the
        // output stream drops the copies only within its duplicate window.
        let horizon = (ack_wait + args.retry_max_delay).saturating_mul(max.min(1000) as u32);
        if horizon > args.duplicate_window {
            tracing::warn!(
                duplicate_window = %format_duration(args.duplicate_window),
                redelivery_horizon = %format_duration(horizon),
                "the duplicate window is shorter than the time redeliveries can span; a late redelivery could store a record twice"
            );
        }
    }
    let max_payload = client.server_info().max_payload;
    let max_output_bytes = if max_payload > HEADER_ROOM {
        max_payload - HEADER_ROOM
    } else {
        usize::MAX
    };
    let extract_concurrency = args.concurrency.filter(|c| *c > 0).unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(usize::from)
            .unwrap_or(2)
    });
    let config = WorkerConfig {
        input_stream: args.input_stream.clone(),
        consumer: consumer_spec,
        provision,
        outputs: OutputSubjects {
            summit: args.summit_subject.clone(),
            aid: args.aid_subject.clone(),
            article: args.article_subject.clone(),
        },
        dlq_subject: args.dlq_subject.clone(),
        pipeline: PipelineConfig {
            max_article_bytes: args.max_article_bytes,
            max_output_bytes,
        },
        retry: RetryPolicy {
            base_delay: args.retry_delay,
            max_delay: args.retry_max_delay.max(args.retry_delay),
            max_deliver,
        },
        ack_wait,
        extract_concurrency,
        publish_concurrency: args.publish_concurrency.max(1),
        pull_batch: args.pull_batch.max(1),
        pull_expires: args.pull_expires,
        shutdown_timeout: args.shutdown_timeout,
        fetcher: Fetcher::new(args.fetch.config()).context("cannot set up fetching")?,
    };
    // Publishes get their own, shorter timeout, so a lost ack is retried
    // (with the same ids) well within the ack wait.
    let publish_js = jetstream::ContextBuilder::new()
        .timeout(publish_timeout(ack_wait))
        .build(client.clone());
    let worker = Worker::new(client, publish_js, input, consumer, kb, config);
    worker.run(shutdown).await?;
    Ok(ExitCode::SUCCESS)
}

/// How long to wait for one JetStream publish ack: a quarter of the ack
/// wait, between 1 s and 5 s.
fn publish_timeout(ack_wait: Duration) -> Duration {
    (ack_wait / 4).clamp(Duration::from_secs(1), Duration::from_secs(5))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        run: RunArgs,
    }

    #[test]
    fn defaults_follow_the_cli_contract() {
        let args = Cli::parse_from(["sherpa"]).run;
        assert_eq!(args.connect.nats_url, ["nats://127.0.0.1:4222"]);
        assert_eq!(args.input_stream, "NEWS_RAW");
        assert_eq!(args.input_subjects, "news.raw.>");
        assert_eq!(args.consumer, "sherpa");
        assert_eq!(args.output_stream, "NEWS_ENRICHED");
        assert_eq!(args.output_subjects, "news.enriched.>");
        assert_eq!(args.summit_subject, "news.enriched.summit");
        assert_eq!(args.aid_subject, "news.enriched.aid");
        assert_eq!(args.article_subject, "news.enriched.article");
        assert_eq!(args.dlq_stream, "NEWS_DLQ");
        assert_eq!(args.dlq_subject, "news.dlq");
        assert_eq!(args.shutdown_timeout, Duration::from_secs(25));
        assert_eq!(args.metrics_addr.to_string(), "0.0.0.0:9464");
        assert_eq!(args.consumer_poll_interval, Duration::from_secs(5));
        assert!(!args.no_provision);
        assert_eq!(args.stream_replicas, 1);
    }

    #[test]
    fn stream_replicas_come_from_the_flag_or_its_old_name() {
        let args = Cli::parse_from(["sherpa", "--stream-replicas", "3"]).run;
        assert_eq!(args.stream_replicas, 3);
        let args = Cli::parse_from(["sherpa", "--replicas", "3"]).run;
        assert_eq!(args.stream_replicas, 3);
        assert!(Cli::try_parse_from(["sherpa", "--stream-replicas", "0"]).is_err());
        assert!(Cli::try_parse_from(["sherpa", "--stream-replicas", "6"]).is_err());
    }
}
