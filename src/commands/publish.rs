//! `sherpa publish FILE`: publish raw articles from a JSON Lines file (or
//! stdin) to the input subject, optionally at a fixed rate, awaiting every
//! JetStream ack. For demos, backfills and load tests.
//!
//! Each line is published as it is, valid or not (an invalid line ends on the
//! dead-letter subject, which is what a demo of it wants); `--skip-invalid`
//! drops invalid lines instead. `Nats-Msg-Id` is the article's `id`, so
//! publishing the same file twice within the input stream's duplicate
//! window stores each article once.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use async_nats::jetstream::{self, message::PublishMessage};
use bytes::Bytes;
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::model::{Article, DEFAULT_MAX_ARTICLE_BYTES};
use crate::shell::connect::ConnectArgs;
use crate::shell::duration::parse_duration;
use crate::shell::jsonl;
use crate::shell::nats::publish_with_retry;
use crate::shell::provision::{self, StreamSpec, pattern_covers};

#[derive(Debug, clap::Args)]
pub struct PublishArgs {
    /// JSON Lines file of raw articles; `-` for stdin.
    pub file: PathBuf,
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Publish every article to this subject instead of `<prefix>.<source>`.
    #[arg(long, env = "SHERPA_SUBJECT")]
    pub subject: Option<String>,
    /// Prefix of the per-source subject `<prefix>.<source or "unknown">`.
    #[arg(long, env = "SHERPA_SUBJECT_PREFIX", default_value = "news.raw")]
    pub subject_prefix: String,
    /// Articles per second (default: as fast as acks come back).
    #[arg(long, env = "SHERPA_RATE")]
    pub rate: Option<f64>,
    /// Publishes awaiting their ack at once.
    #[arg(long, env = "SHERPA_IN_FLIGHT", default_value_t = 256)]
    pub in_flight: usize,
    /// Drop lines that are not valid articles instead of publishing them.
    #[arg(
        long,
        env = "SHERPA_SKIP_INVALID",
        value_parser = clap::builder::BoolishValueParser::new(),
        default_value_t = false,
        num_args = 0..=1,
        default_missing_value = "true"
    )]
    pub skip_invalid: bool,
    /// Size limit used to judge a line valid (the worker's --max-article-bytes).
    #[arg(long, env = "SHERPA_MAX_ARTICLE_BYTES", default_value_t = DEFAULT_MAX_ARTICLE_BYTES)]
    pub max_article_bytes: usize,
    /// Input stream, created when missing.
    #[arg(long, env = "SHERPA_INPUT_STREAM", default_value = "NEWS_RAW")]
    pub input_stream: String,
    /// Subjects of the input stream.
    #[arg(long, env = "SHERPA_INPUT_SUBJECTS", default_value = "news.raw.>")]
    pub input_subjects: String,
    /// Duplicate window of an input stream created here.
    #[arg(long, env = "SHERPA_DUPLICATE_WINDOW", default_value = "10m", value_parser = parse_duration)]
    pub duplicate_window: Duration,
    /// Replicas of an input stream created here (3 on a three-node
    /// cluster); an existing one with other replicas is an error.
    #[arg(long, env = "SHERPA_STREAM_REPLICAS", alias = "replicas", default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=5))]
    pub stream_replicas: u8,
    /// Do not create the input stream when it is missing.
    #[arg(
        long,
        env = "SHERPA_NO_PROVISION",
        value_parser = clap::builder::BoolishValueParser::new(),
        default_value_t = false,
        num_args = 0..=1,
        default_missing_value = "true"
    )]
    pub no_provision: bool,
}

pub fn run(args: PublishArgs) -> anyhow::Result<ExitCode> {
    if let Some(rate) = args.rate
        && !(rate.is_finite() && rate > 0.0)
    {
        anyhow::bail!("--rate must be a positive number of articles per second");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let result = runtime.block_on(publish(args));
    runtime.shutdown_timeout(Duration::from_secs(1));
    result
}

/// The subject token for a source: NATS subject tokens cannot hold spaces,
/// dots or wildcards.
pub fn subject_token(source: Option<&str>) -> String {
    let token: String = source
        .unwrap_or("")
        .trim()
        .chars()
        .map(|c| {
            if c.is_whitespace() || matches!(c, '.' | '*' | '>') || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    if token.is_empty() {
        "unknown".to_string()
    } else {
        token
    }
}

/// Counts of one run.
#[derive(Debug, Default)]
struct Summary {
    published: u64,
    duplicates: u64,
    invalid: u64,
    skipped: u64,
    failed: u64,
}

async fn publish(args: PublishArgs) -> anyhow::Result<ExitCode> {
    let client = args.connect.connect("sherpa-publish").await?;
    let js = jetstream::new(client.clone());
    let spec = StreamSpec {
        name: args.input_stream.clone(),
        subjects: vec![args.input_subjects.clone()],
        duplicate_window: args.duplicate_window,
        min_duplicate_window: None,
        replicas: usize::from(args.stream_replicas),
    };
    provision::ensure_stream(&js, &spec, !args.no_provision).await?;
    let probe = args
        .subject
        .clone()
        .unwrap_or_else(|| format!("{}.unknown", args.subject_prefix));
    if !pattern_covers(&args.input_subjects, &probe) {
        anyhow::bail!(
            "articles would go to {probe}, which stream {} (subjects {}) does not capture",
            args.input_stream,
            args.input_subjects
        );
    }
    let max_payload = client.server_info().max_payload;

    let total = count_lines(&args.file).await;
    let progress = progress_bar(total);

    // Files are read on a blocking thread; a bounded channel keeps at most a
    // few thousand lines in memory whatever the file size.
    let (tx, mut rx) = mpsc::channel::<std::io::Result<jsonl::Line>>(1024);
    let file = args.file.clone();
    let reader = tokio::task::spawn_blocking(move || {
        let source = file.display().to_string();
        let opened = match jsonl::open(&file) {
            Ok(opened) => opened,
            Err(err) => {
                let _ = tx.blocking_send(Err(err));
                return;
            }
        };
        for line in jsonl::Lines::new(opened, source) {
            if tx.blocking_send(line).is_err() {
                return;
            }
        }
    });

    let mut summary = Summary::default();
    let mut in_flight = FuturesUnordered::new();
    let period = args.rate.map(|rate| Duration::from_secs_f64(1.0 / rate));
    let mut next_at = Instant::now();
    let mut read_error = None;
    while let Some(line) = rx.recv().await {
        let line = match line {
            Ok(line) => line,
            Err(err) => {
                read_error = Some(err);
                break;
            }
        };
        let article = Article::from_slice(&line.bytes, args.max_article_bytes);
        let (id, source) = match &article {
            Ok(article) => (Some(article.id.clone()), article.source.clone()),
            Err(err) => {
                summary.invalid += 1;
                progress.suspend(|| {
                    tracing::warn!(
                        file = %line.source,
                        line = line.number,
                        reason = %err.reason,
                        error = %err.message,
                        skipped = args.skip_invalid,
                        "invalid article"
                    )
                });
                if args.skip_invalid {
                    summary.skipped += 1;
                    progress.inc(1);
                    continue;
                }
                (None, None)
            }
        };
        let subject = args.subject.clone().unwrap_or_else(|| {
            format!(
                "{}.{}",
                args.subject_prefix,
                subject_token(source.as_deref())
            )
        });
        // JetStream does not check the size before sending, and the server
        // closes the connection of a client that sends too much.
        if line.bytes.len() + 1024 > max_payload {
            summary.failed += 1;
            progress.suspend(|| {
                tracing::error!(
                    file = %line.source,
                    line = line.number,
                    bytes = line.bytes.len(),
                    max_payload,
                    "line is larger than the server accepts; not published"
                )
            });
            progress.inc(1);
            continue;
        }
        let mut message = PublishMessage::build().payload(Bytes::from(line.bytes));
        if let Some(id) = &id {
            message = message.message_id(id);
        }
        if let Some(period) = period {
            next_at += period;
            tokio::time::sleep_until(next_at).await;
        }
        while in_flight.len() >= args.in_flight.max(1) {
            if let Some(done) = in_flight.next().await {
                settle(done, &mut summary, &progress);
            }
        }
        let js = js.clone();
        let origin = (line.source, line.number);
        // A task per publish, so publishes progress while this loop waits
        // (for the rate, for a line, for a free slot).
        in_flight.push(tokio::spawn(async move {
            let deadline = Instant::now() + Duration::from_secs(60);
            (
                origin,
                publish_with_retry(&js, subject, message, deadline).await,
            )
        }));
    }
    while let Some(done) = in_flight.next().await {
        settle(done, &mut summary, &progress);
    }
    drop(rx);
    let _ = reader.await;
    progress.finish_and_clear();
    if let Err(err) = client.flush().await {
        tracing::warn!(error = %err, "flushing the NATS connection failed");
    }
    tracing::info!(
        published = summary.published,
        duplicates = summary.duplicates,
        invalid = summary.invalid,
        skipped = summary.skipped,
        failed = summary.failed,
        "publish finished"
    );
    if let Some(err) = read_error {
        return Err(anyhow::Error::new(err).context(format!("reading {}", args.file.display())));
    }
    Ok(if summary.failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

type Done = (
    (String, usize),
    Result<jetstream::publish::PublishAck, crate::shell::nats::PublishFailure>,
);

fn settle(
    done: Result<Done, tokio::task::JoinError>,
    summary: &mut Summary,
    progress: &ProgressBar,
) {
    let ((source, number), result) = match done {
        Ok(done) => done,
        Err(err) => {
            summary.failed += 1;
            tracing::error!(error = %err, "publish task failed");
            return;
        }
    };
    match result {
        Ok(ack) if ack.duplicate => summary.duplicates += 1,
        Ok(_) => summary.published += 1,
        Err(err) => {
            summary.failed += 1;
            progress.suspend(
                || tracing::error!(file = %source, line = number, error = %err, "publish failed"),
            );
        }
    }
    progress.inc(1);
}

/// Non-blank lines in a regular file, for a progress bar with an end; `None`
/// for stdin or when stderr is not a terminal (no bar is drawn then).
async fn count_lines(file: &std::path::Path) -> Option<u64> {
    if file == std::path::Path::new("-") || !std::io::stderr().is_terminal() {
        return None;
    }
    let file = file.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let opened = jsonl::open(&file).ok()?;
        Some(jsonl::Lines::new(opened, "").filter(|l| l.is_ok()).count() as u64)
    })
    .await
    .ok()
    .flatten()
}

fn progress_bar(total: Option<u64>) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = match total {
        Some(total) => ProgressBar::new(total).with_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} articles  {per_sec}  eta {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        ),
        None => ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template("{spinner} {pos} articles  {per_sec}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        ),
    };
    bar.set_draw_target(ProgressDrawTarget::stderr());
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_become_subject_tokens() {
        assert_eq!(subject_token(Some("Reuters")), "Reuters");
        assert_eq!(subject_token(Some("Kyodo News")), "Kyodo_News");
        assert_eq!(subject_token(Some("news.example.com")), "news_example_com");
        assert_eq!(subject_token(Some("a*b>c")), "a_b_c");
        assert_eq!(subject_token(Some("  ")), "unknown");
        assert_eq!(subject_token(None), "unknown");
    }
}
