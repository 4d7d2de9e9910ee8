//! The JetStream worker: at-least-once in, idempotent out, nothing lost.
//!
//! Four stages joined by bounded channels, so memory stays bounded at any
//! input rate and a slow downstream slows the pull:
//!
//! ```text
//! pull (durable pull consumer) ─▶ fetch ─▶ extract (threads of its own, bounded) ─▶ settle (publish, await acks, then ack/term/nak)
//! ```
//!
//! What to do with a message is decided by [`crate::pipeline`]; this module
//! only carries the decision out. The invariants it keeps:
//!
//! - an input message is acked only after JetStream acknowledged every
//!   record published for it; every record carries `Nats-Msg-Id` = its
//!   `record_id`, so a redelivery republishes the same ids and the output
//!   stream's duplicate window drops the copies;
//! - a rejected message is copied to the dead-letter subject (and that copy
//!   acknowledged) before it is `term`ed;
//! - a publish that fails is retried in place with the same ids for most of
//!   the ack wait, then the input is `nak`ed with backoff; on its last
//!   delivery it is dead-lettered instead;
//! - nothing here ends on its own: a broken pull stream is rebuilt with
//!   backoff, a lost connection is redialled by the client. Only shutdown
//!   stops the worker: stop pulling, finish what is in flight, flush.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_nats::HeaderMap;
use async_nats::jetstream::consumer::PullConsumer;
use async_nats::jetstream::consumer::pull::MessagesErrorKind;
use async_nats::jetstream::context::{PublishError, PublishErrorKind};
use async_nats::jetstream::message::PublishMessage;
use async_nats::jetstream::publish::PublishAck;
use async_nats::jetstream::{self, AckKind};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures::{FutureExt, StreamExt};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::fetch::Fetcher;
use super::provision::{self, ConsumerSpec};
use super::shutdown::Shutdown;
use crate::events::{
    ArticleProcessed, ArticleReceived, ArticleRejected, ArticleRetried, DeadLettered, Emit as _,
    InFlight, NatsOperation, NatsOperationFailed, RecordCounts, Stage, StageCompleted,
};
use crate::extract;
use crate::knowledge::Knowledge;
use crate::model::{Article, Fetched};
use crate::pipeline::{
    self, DeadLetterReason, Outcome, OutputMessage, PipelineConfig, RecordKind, RetryPolicy,
};

/// Dead-letter header: the reason code ([`DeadLetterReason::as_str`]).
pub const HEADER_REASON: &str = "Sherpa-Reason";
/// Dead-letter header: the error, as text.
pub const HEADER_ERROR: &str = "Sherpa-Error";
/// Dead-letter header: the subject the message arrived on.
pub const HEADER_SUBJECT: &str = "Sherpa-Subject";
/// Dead-letter header: how many times it was delivered.
pub const HEADER_DELIVERIES: &str = "Sherpa-Deliveries";
/// Dead-letter header: the input stream and the message's sequence in it.
pub const HEADER_STREAM: &str = "Sherpa-Stream";
pub const HEADER_STREAM_SEQUENCE: &str = "Sherpa-Stream-Sequence";
/// Dead-letter header, present when the payload was cut to fit the broker's
/// `max_payload`: the original size in bytes.
pub const HEADER_TRUNCATED: &str = "Sherpa-Truncated";

/// Where each kind of record is published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputSubjects {
    pub summit: String,
    pub aid: String,
    pub article: String,
}

impl OutputSubjects {
    pub fn for_kind(&self, kind: RecordKind) -> &str {
        match kind {
            RecordKind::Summit => &self.summit,
            RecordKind::Aid => &self.aid,
            RecordKind::Article => &self.article,
        }
    }
}

/// Everything the worker needs besides its connections.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    pub input_stream: String,
    pub consumer: ConsumerSpec,
    /// Whether the consumer may be recreated if someone deletes it while we run.
    pub provision: bool,
    pub outputs: OutputSubjects,
    pub dlq_subject: String,
    pub pipeline: PipelineConfig,
    pub retry: RetryPolicy,
    /// The consumer's ack wait: publishes are retried in place for most of it.
    pub ack_wait: Duration,
    /// Articles extracted at once: one extraction thread each.
    pub extract_concurrency: usize,
    /// Input messages being published and acked at once.
    pub publish_concurrency: usize,
    /// Messages asked for per pull request.
    pub pull_batch: usize,
    /// How long one pull request waits on the server.
    pub pull_expires: Duration,
    /// From the shutdown request to exit.
    pub shutdown_timeout: Duration,
    /// Fetches the body of articles that come with only a `url`.
    pub fetcher: Fetcher,
}

/// Counters of what the worker did, logged at exit.
#[derive(Debug, Default)]
pub struct Stats {
    pub received: AtomicU64,
    pub acked: AtomicU64,
    pub records_published: AtomicU64,
    pub records_duplicate: AtomicU64,
    pub dead_lettered: AtomicU64,
    pub retried: AtomicU64,
    /// Pulled but handed back unprocessed at shutdown.
    pub returned: AtomicU64,
}

/// A point-in-time copy of [`Stats`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatsSnapshot {
    pub received: u64,
    pub acked: u64,
    pub records_published: u64,
    pub records_duplicate: u64,
    pub dead_lettered: u64,
    pub retried: u64,
    pub returned: u64,
}

impl Stats {
    pub fn snapshot(&self) -> StatsSnapshot {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        StatsSnapshot {
            received: get(&self.received),
            acked: get(&self.acked),
            records_published: get(&self.records_published),
            records_duplicate: get(&self.records_duplicate),
            dead_lettered: get(&self.dead_lettered),
            retried: get(&self.retried),
            returned: get(&self.returned),
        }
    }
}

fn bump(counter: &AtomicU64, by: u64) {
    counter.fetch_add(by, Ordering::Relaxed);
}

/// State shared by the worker's tasks.
struct Shared {
    client: async_nats::Client,
    js: jetstream::Context,
    kb: Arc<Knowledge>,
    config: WorkerConfig,
    stats: Arc<Stats>,
}

/// One delivery on its way through the pipeline.
struct Job {
    message: jetstream::Message,
    subject: String,
    stream_sequence: u64,
    deliveries: u64,
    received_at: DateTime<Utc>,
    pulled_at: Instant,
    /// Every log line about this delivery is inside it: subject, sequence,
    /// deliveries and, once decoded, the article's id.
    span: tracing::Span,
    /// Counts the delivery in `sherpa_articles_in_flight` until dropped.
    _in_flight: InFlight,
}

impl Job {
    fn new(message: jetstream::Message) -> Result<Job, String> {
        let info = message.info().map_err(|err| err.to_string())?;
        let nanos = info.published.unix_timestamp_nanos();
        let received_at = i64::try_from(nanos)
            .map(DateTime::<Utc>::from_timestamp_nanos)
            .unwrap_or_default();
        let stream_sequence = info.stream_sequence;
        let deliveries = u64::try_from(info.delivered).unwrap_or(1).max(1);
        let subject = message.subject.to_string();
        let span = tracing::info_span!(
            "article",
            id = tracing::field::Empty,
            subject = %subject,
            stream_sequence,
            deliveries,
        );
        Ok(Job {
            subject,
            stream_sequence,
            deliveries,
            received_at,
            pulled_at: Instant::now(),
            span,
            _in_flight: InFlight::start(),
            message,
        })
    }
}

/// The running worker's connections and settings.
pub struct Worker {
    shared: Arc<Shared>,
    input: jetstream::stream::Stream,
    consumer: PullConsumer,
}

/// A worker that could not keep running.
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error("worker task {task} failed: {message}")]
    TaskFailed { task: &'static str, message: String },
}

impl Worker {
    pub fn new(
        client: async_nats::Client,
        js: jetstream::Context,
        input: jetstream::stream::Stream,
        consumer: PullConsumer,
        kb: Arc<Knowledge>,
        config: WorkerConfig,
    ) -> Worker {
        Worker {
            shared: Arc::new(Shared {
                client,
                js,
                kb,
                config,
                stats: Arc::new(Stats::default()),
            }),
            input,
            consumer,
        }
    }

    /// The worker's counters, live.
    pub fn stats(&self) -> Arc<Stats> {
        self.shared.stats.clone()
    }

    /// Runs until `shutdown` is requested, then stops pulling, finishes and
    /// acks what is in flight (within the shutdown timeout) and flushes.
    pub async fn run(self, shutdown: Shutdown) -> Result<StatsSnapshot, WorkerError> {
        let shared = self.shared;
        let config = &shared.config;
        let (job_tx, job_rx) = mpsc::channel::<Job>(config.extract_concurrency.max(1) * 2);
        let (prepared_tx, prepared_rx) =
            mpsc::channel::<(Job, Prepared)>(config.extract_concurrency.max(1) * 2);
        let (done_tx, done_rx) = mpsc::channel::<(Job, Outcome)>(config.publish_concurrency.max(1));

        let mut stages = tokio::task::JoinSet::new();
        let mut names = std::collections::HashMap::new();
        let id = stages
            .spawn(pull_loop(
                shared.clone(),
                self.input.clone(),
                self.consumer,
                job_tx,
                shutdown.clone(),
            ))
            .id();
        names.insert(id, "pull");
        let id = stages
            .spawn(fetch_loop(shared.clone(), job_rx, prepared_tx))
            .id();
        names.insert(id, "fetch");
        let id = stages
            .spawn(extract_loop(shared.clone(), prepared_rx, done_tx))
            .id();
        names.insert(id, "extract");
        let id = stages.spawn(settle_loop(shared.clone(), done_rx)).id();
        names.insert(id, "settle");
        let advisories = tokio::spawn(max_deliveries_loop(
            shared.clone(),
            self.input,
            shutdown.clone(),
        ));
        tracing::info!(
            stream = %config.input_stream,
            consumer = %config.consumer.name,
            extract_concurrency = config.extract_concurrency,
            publish_concurrency = config.publish_concurrency,
            "worker started"
        );
        let failure = |id: tokio::task::Id, message: String| WorkerError::TaskFailed {
            task: names.get(&id).copied().unwrap_or("unknown"),
            message,
        };

        // The stages end only after a shutdown request. One that ends before
        // it (a panic in the shell) would leave the worker alive but idle:
        // exit with an error instead, so the supervisor restarts it; what it
        // held unacked is redelivered.
        let mut result = Ok(());
        let early = tokio::select! {
            biased;
            _ = shutdown.requested() => None,
            ended = stages.join_next_with_id() => ended,
        };
        let started = Instant::now();
        // After a shutdown request the stages end by design, possibly before
        // this task noticed the request itself; only a panic is a failure then.
        let early = match early {
            Some(Err(err)) if shutdown.is_requested() => {
                result = Err(failure(err.id(), err.to_string()));
                None
            }
            Some(_) if shutdown.is_requested() => None,
            other => other,
        };
        if let Some(ended) = early {
            let err = match ended {
                Ok((id, ())) => failure(id, "ended before shutdown".to_string()),
                Err(err) => failure(err.id(), err.to_string()),
            };
            tracing::error!(error = %err, "a worker stage stopped; exiting");
            stages.abort_all();
            result = Err(err);
        } else {
            let flush_reserve = Duration::from_secs(1).min(config.shutdown_timeout / 4);
            let drain_deadline = started + config.shutdown_timeout.saturating_sub(flush_reserve);
            let drained = tokio::time::timeout_at(drain_deadline, async {
                let mut failures = Vec::new();
                while let Some(ended) = stages.join_next_with_id().await {
                    if let Err(err) = ended {
                        failures.push(failure(err.id(), err.to_string()));
                    }
                }
                failures
            })
            .await;
            match drained {
                Ok(mut failures) => {
                    if let Some(first) = failures.pop()
                        && result.is_ok()
                    {
                        result = Err(first);
                    }
                }
                Err(_) => {
                    let stats = shared.stats.snapshot();
                    tracing::warn!(
                        in_flight = stats.received.saturating_sub(
                            stats.acked + stats.dead_lettered + stats.retried + stats.returned
                        ),
                        "shutdown timeout reached before every message was settled; the rest will be redelivered"
                    );
                }
            }
        }
        advisories.abort();
        let flush_deadline = started + config.shutdown_timeout;
        match tokio::time::timeout_at(flush_deadline, shared.client.flush()).await {
            Ok(Ok(())) => {}
            Ok(Err(err)) => tracing::warn!(error = %err, "flushing the NATS connection failed"),
            Err(_) => tracing::warn!("flushing the NATS connection timed out"),
        }
        if let Err(err) = shared.client.drain().await {
            tracing::debug!(error = %err, "draining the NATS connection failed");
        }
        let stats = shared.stats.snapshot();
        tracing::info!(
            received = stats.received,
            acked = stats.acked,
            records_published = stats.records_published,
            records_duplicate = stats.records_duplicate,
            dead_lettered = stats.dead_lettered,
            retried = stats.retried,
            returned = stats.returned,
            shutdown_ms = started.elapsed().as_millis() as u64,
            "worker stopped"
        );
        result.map(|()| stats)
    }
}

/// Backoff for rebuilding the pull stream: 250 ms doubling to 5 s.
fn rebuild_delay(failures: u32) -> Duration {
    Duration::from_millis(250)
        .saturating_mul(2u32.saturating_pow(failures.saturating_sub(1).min(10)))
        .min(Duration::from_secs(5))
}

/// Pulls messages and hands them to the extractor until shutdown. Never
/// ends on its own: a failed or ended pull stream is rebuilt with backoff.
async fn pull_loop(
    shared: Arc<Shared>,
    input: jetstream::stream::Stream,
    mut consumer: PullConsumer,
    tx: mpsc::Sender<Job>,
    shutdown: Shutdown,
) {
    let config = &shared.config;
    let heartbeat = (config.pull_expires / 2)
        .min(Duration::from_secs(5))
        .max(Duration::from_millis(500));
    let mut failures: u32 = 0;
    let mut current: Option<jetstream::consumer::pull::Stream> = None;
    'rebuild: while !shutdown.is_requested() {
        if failures > 0 {
            tokio::select! {
                biased;
                _ = shutdown.requested() => break 'rebuild,
                _ = tokio::time::sleep(rebuild_delay(failures)) => {}
            }
        }
        let built = consumer
            .stream()
            .max_messages_per_batch(config.pull_batch)
            .expires(config.pull_expires)
            .heartbeat(heartbeat)
            .messages()
            .await;
        let messages = match built {
            Ok(messages) => current.insert(messages),
            Err(err) => {
                failures += 1;
                NatsOperationFailed {
                    operation: NatsOperation::Pull,
                    error: &err,
                    stream_sequence: None,
                }
                .emit();
                continue 'rebuild;
            }
        };
        loop {
            let next = tokio::select! {
                biased;
                _ = shutdown.requested() => break 'rebuild,
                next = messages.next() => next,
            };
            match next {
                Some(Ok(message)) => {
                    failures = 0;
                    let job = match Job::new(message) {
                        Ok(job) => job,
                        Err(err) => {
                            tracing::warn!(error = %err, "skipping a message that is not a JetStream delivery");
                            continue;
                        }
                    };
                    bump(&shared.stats.received, 1);
                    job.span.in_scope(|| {
                        ArticleReceived {
                            deliveries: job.deliveries,
                        }
                        .emit()
                    });
                    // Wait for room downstream (this is the backpressure),
                    // but not past a shutdown request.
                    let permit = tokio::select! {
                        biased;
                        _ = shutdown.requested() => None,
                        permit = tx.reserve() => permit.ok(),
                    };
                    match permit {
                        Some(permit) => permit.send(job),
                        None => {
                            nak_now(&job).await;
                            bump(&shared.stats.returned, 1);
                            break 'rebuild;
                        }
                    }
                }
                Some(Err(err)) => {
                    failures += 1;
                    NatsOperationFailed {
                        operation: NatsOperation::Pull,
                        error: &err,
                        stream_sequence: None,
                    }
                    .emit();
                    if err.kind() == MessagesErrorKind::ConsumerDeleted {
                        match provision::ensure_consumer(
                            &input,
                            &config.input_stream,
                            &config.consumer,
                            config.provision,
                        )
                        .await
                        {
                            Ok(found) => consumer = found,
                            Err(err) => {
                                tracing::error!(error = %err, "the consumer is gone");
                            }
                        }
                    }
                    current = None;
                    continue 'rebuild;
                }
                None => {
                    failures += 1;
                    tracing::warn!(attempt = failures, "pull stream ended; rebuilding it");
                    current = None;
                    continue 'rebuild;
                }
            }
        }
    }
    // Stop pulling. Messages the client already holds were delivered to us
    // but will not be processed: hand them back at once rather than letting
    // them wait out the ack wait.
    if let Some(mut messages) = current.take() {
        let mut returned = 0u64;
        while let Some(Some(Ok(message))) = messages.next().now_or_never() {
            if let Err(err) = message.ack_with(AckKind::Nak(None)).await {
                tracing::debug!(error = %err, "cannot nak a buffered message");
            }
            returned += 1;
        }
        bump(&shared.stats.returned, returned);
        tracing::info!(returned, "stopped pulling");
    }
}

async fn nak_now(job: &Job) {
    if let Err(err) = job.message.ack_with(AckKind::Nak(None)).await {
        tracing::debug!(error = %err, stream_sequence = job.stream_sequence, "cannot nak");
    }
}

/// A delivery after the fetch stage: decoded and, for a URL-only article,
/// given its fetched body; or already decided (rejected, or handed back
/// after a failed fetch).
enum Prepared {
    Decided(Outcome),
    Ready(Box<(Article, Option<Fetched>)>),
}

/// The share of the ack wait a fetch may use (retries included), leaving
/// the rest for extraction and publishing before the broker redelivers.
fn fetch_budget(ack_wait: Duration) -> Duration {
    (ack_wait / 2).max(Duration::from_secs(1))
}

/// Decodes each delivery and fetches the body of URL-only articles, up to
/// the fetcher's concurrency at once (its global and per-host limits hold
/// across all of them); articles with a body pass straight through.
async fn fetch_loop(
    shared: Arc<Shared>,
    mut rx: mpsc::Receiver<Job>,
    tx: mpsc::Sender<(Job, Prepared)>,
) {
    let concurrency = shared.config.fetcher.config().concurrency.max(1);
    let jobs = futures::stream::poll_fn(move |cx| rx.poll_recv(cx));
    let mut prepared = jobs
        .map(|job| {
            let shared = shared.clone();
            let span = job.span.clone();
            tracing::Instrument::instrument(
                async move {
                    let prepared = prepare(&shared, &job).await;
                    (job, prepared)
                },
                span,
            )
        })
        .buffer_unordered(concurrency);
    while let Some(done) = prepared.next().await {
        if tx.send(done).await.is_err() {
            break;
        }
    }
}

async fn prepare(shared: &Shared, job: &Job) -> Prepared {
    let config = &shared.config;
    let started = std::time::Instant::now();
    let decoded = pipeline::decode(&config.pipeline, &job.message.payload);
    StageCompleted {
        stage: Stage::Decode,
        elapsed: started.elapsed(),
    }
    .emit();
    let article = match decoded {
        Ok(article) => article,
        Err(rejected) => return Prepared::Decided(rejected),
    };
    job.span.record("id", article.id.as_str());
    let Some(url) = pipeline::needs_fetch(&article) else {
        return Prepared::Ready(Box::new((article, None)));
    };
    // The fetcher counts and times itself (`sherpa_fetch_total`,
    // `sherpa_fetch_duration_seconds`).
    let deadline = job.pulled_at + fetch_budget(config.ack_wait);
    match config.fetcher.fetch_before(url, Some(deadline)).await {
        Ok(page) => {
            let (article, fetched) = pipeline::with_fetched_body(article, page);
            Prepared::Ready(Box::new((article, Some(fetched))))
        }
        Err(err) => {
            tracing::info!(class = err.class(), error = %err, "fetching the article failed");
            Prepared::Decided(pipeline::fetch_failed(&config.retry, job.deliveries, &err))
        }
    }
}

/// Runs the pipeline on `extract_concurrency` long-lived threads of its own.
///
/// Extraction is CPU work: it stays off the runtime's threads. Threads that
/// live as long as the worker keep their regex caches warm and cost no
/// hand-off per article (`spawn_blocking` per article did both: a tenth of
/// the worker's CPU). Each thread takes the next job from the shared queue,
/// so a long article on one does not hold up the others.
async fn extract_loop(
    shared: Arc<Shared>,
    rx: mpsc::Receiver<(Job, Prepared)>,
    tx: mpsc::Sender<(Job, Outcome)>,
) {
    let concurrency = shared.config.extract_concurrency.max(1);
    let rx = Arc::new(std::sync::Mutex::new(rx));
    let mut threads = Vec::with_capacity(concurrency);
    for n in 0..concurrency {
        let (shared, rx, tx) = (shared.clone(), rx.clone(), tx.clone());
        let spawned = std::thread::Builder::new()
            .name(format!("sherpa-extract-{n}"))
            .spawn(move || extract_thread(&shared, &rx, &tx));
        match spawned {
            Ok(handle) => threads.push(handle),
            Err(err) => tracing::error!(error = %err, "cannot start an extraction thread"),
        }
    }
    drop(tx);
    if threads.is_empty() {
        // Without a thread nothing would ever be extracted: end the stage,
        // and the worker exits with an error.
        return;
    }
    // The threads end once the queue is closed and drained.
    let joined = tokio::task::spawn_blocking(move || {
        threads
            .into_iter()
            .filter_map(|handle| handle.join().err())
            .count()
    })
    .await;
    if let Ok(panicked @ 1..) = joined {
        tracing::error!(threads = panicked, "extraction threads panicked");
    }
}

/// One extraction thread: takes jobs until the queue closes or the next
/// stage is gone.
fn extract_thread(
    shared: &Shared,
    rx: &std::sync::Mutex<mpsc::Receiver<(Job, Prepared)>>,
    tx: &mpsc::Sender<(Job, Outcome)>,
) {
    loop {
        // The lock is held while waiting: the other threads would wait for
        // a job anyway, and each job goes to exactly one of them.
        let next = match rx.lock() {
            Ok(mut rx) => rx.blocking_recv(),
            Err(_) => return,
        };
        let Some((job, prepared)) = next else { return };
        let outcome = match prepared {
            Prepared::Decided(outcome) => outcome,
            Prepared::Ready(ready) => {
                let (article, fetched) = *ready;
                let _entered = job.span.enter();
                let started = std::time::Instant::now();
                // A panic in extraction is caught inside and dead-letters
                // that one message.
                let outcome = pipeline::process_fetched(
                    &shared.config.pipeline,
                    &article,
                    fetched,
                    job.received_at,
                    |article, at| extract::extract(&shared.kb, article, at),
                );
                StageCompleted {
                    stage: Stage::Extract,
                    elapsed: started.elapsed(),
                }
                .emit();
                outcome
            }
        };
        if tx.blocking_send((job, outcome)).is_err() {
            return;
        }
    }
}

/// Carries out each outcome, `publish_concurrency` input messages at a time.
async fn settle_loop(shared: Arc<Shared>, mut rx: mpsc::Receiver<(Job, Outcome)>) {
    let concurrency = shared.config.publish_concurrency.max(1);
    futures::stream::poll_fn(move |cx| rx.poll_recv(cx))
        .for_each_concurrent(concurrency, |(job, outcome)| {
            let shared = shared.clone();
            let span = job.span.clone();
            tracing::Instrument::instrument(
                async move { settle(&shared, job, outcome).await },
                span,
            )
        })
        .await;
}

async fn settle(shared: &Shared, job: Job, outcome: Outcome) {
    let config = &shared.config;
    // Publishes are retried in place until most of the ack wait is used up,
    // so a short outage costs no redelivery.
    let deadline = job.pulled_at + retry_budget(config.ack_wait);
    match outcome {
        Outcome::Publish(records) => {
            let started = Instant::now();
            let published = publish_records(shared, &records, deadline).await;
            StageCompleted {
                stage: Stage::Publish,
                elapsed: started.elapsed(),
            }
            .emit();
            match published {
                Ok(counts) => ack(shared, &job, counts).await,
                Err(err) => {
                    NatsOperationFailed {
                        operation: NatsOperation::Publish,
                        error: &err,
                        stream_sequence: Some(job.stream_sequence),
                    }
                    .emit();
                    // `on_failure` never asks to publish, so this recursion ends.
                    let next = config.retry.on_failure(job.deliveries, &err.to_string());
                    Box::pin(settle(shared, job, next)).await;
                }
            }
        }
        Outcome::Reject { reason, error } => {
            ArticleRejected {
                reason,
                error: &error,
            }
            .emit();
            let letter = DeadLetter {
                reason,
                error: &error,
                subject: &job.subject,
                deliveries: job.deliveries,
                stream: &config.input_stream,
                stream_sequence: job.stream_sequence,
                payload: job.message.payload.clone(),
            };
            match dead_letter(shared, &letter, deadline).await {
                Ok(()) => {
                    if let Err(err) = job.message.ack_with(AckKind::Term).await {
                        NatsOperationFailed {
                            operation: NatsOperation::Term,
                            error: &err,
                            stream_sequence: Some(job.stream_sequence),
                        }
                        .emit();
                    }
                    bump(&shared.stats.dead_lettered, 1);
                }
                Err(err) => {
                    NatsOperationFailed {
                        operation: NatsOperation::DeadLetter,
                        error: &err,
                        stream_sequence: Some(job.stream_sequence),
                    }
                    .emit();
                    nak(shared, &job, config.retry.delay(job.deliveries)).await;
                }
            }
        }
        Outcome::Retry { delay } => nak(shared, &job, delay).await,
    }
}

fn retry_budget(ack_wait: Duration) -> Duration {
    ack_wait.mul_f64(0.8).max(Duration::from_secs(1))
}

async fn ack(shared: &Shared, job: &Job, records: RecordCounts) {
    match job.message.ack().await {
        Ok(()) => {
            bump(&shared.stats.acked, 1);
            bump(
                &shared.stats.records_published,
                records.total() - records.duplicates(),
            );
            bump(&shared.stats.records_duplicate, records.duplicates());
            let end_to_end = (Utc::now() - job.received_at).to_std().unwrap_or_default();
            ArticleProcessed {
                records,
                end_to_end,
            }
            .emit();
        }
        Err(err) => NatsOperationFailed {
            operation: NatsOperation::Ack,
            error: &err,
            stream_sequence: Some(job.stream_sequence),
        }
        .emit(),
    }
}

async fn nak(shared: &Shared, job: &Job, delay: Duration) {
    bump(&shared.stats.retried, 1);
    ArticleRetried {
        deliveries: job.deliveries,
        delay,
    }
    .emit();
    if let Err(err) = job.message.ack_with(AckKind::Nak(Some(delay))).await {
        NatsOperationFailed {
            operation: NatsOperation::Nak,
            error: &err,
            stream_sequence: Some(job.stream_sequence),
        }
        .emit();
    }
}

/// A failed publish, after in-place retries.
#[derive(Debug, thiserror::Error)]
#[error("publishing to {subject} failed after {attempts} attempts: {source}")]
pub struct PublishFailure {
    pub subject: String,
    pub attempts: u32,
    pub source: PublishError,
}

/// Publishes every record of one article and waits for every ack. Returns
/// the records by kind, stored or reported as duplicates by the output stream.
async fn publish_records(
    shared: &Shared,
    records: &[OutputMessage],
    deadline: Instant,
) -> Result<RecordCounts, PublishFailure> {
    let publishes = records.iter().map(|record| {
        let subject = shared.config.outputs.for_kind(record.kind).to_string();
        let message = PublishMessage::build()
            .payload(Bytes::copy_from_slice(&record.payload))
            .message_id(&record.record_id);
        let kind = record.kind;
        async move {
            let ack = publish_with_retry(&shared.js, subject, message, deadline).await?;
            Ok::<_, PublishFailure>((kind, ack.duplicate))
        }
    });
    let acks = futures::future::try_join_all(publishes).await?;
    let mut counts = RecordCounts::default();
    for (kind, duplicate) in acks {
        counts.add(kind, duplicate);
    }
    Ok(counts)
}

/// Publishes and awaits the JetStream ack, retrying with the same message
/// (and so the same `Nats-Msg-Id`) until `deadline`: a publish that timed out
/// may still have been stored, and a retry is then dropped as a duplicate.
pub async fn publish_with_retry(
    js: &jetstream::Context,
    subject: String,
    message: PublishMessage,
    deadline: Instant,
) -> Result<PublishAck, PublishFailure> {
    let mut attempts = 0u32;
    let mut delay = Duration::from_millis(100);
    loop {
        attempts += 1;
        let result = match js.send_publish(subject.clone(), message.clone()).await {
            Ok(ack) => ack.await,
            Err(err) => Err(err),
        };
        match result {
            Ok(ack) => return Ok(ack),
            Err(err) => {
                let permanent = matches!(
                    err.kind(),
                    PublishErrorKind::WrongLastMessageId | PublishErrorKind::WrongLastSequence
                );
                if permanent || Instant::now() + delay >= deadline {
                    return Err(PublishFailure {
                        subject,
                        attempts,
                        source: err,
                    });
                }
                tracing::debug!(error = %err, subject = %subject, attempt = attempts, "publish failed; retrying");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(2));
            }
        }
    }
}

/// A message on its way to the dead-letter subject.
struct DeadLetter<'a> {
    reason: DeadLetterReason,
    error: &'a str,
    subject: &'a str,
    deliveries: u64,
    stream: &'a str,
    stream_sequence: u64,
    payload: Bytes,
}

/// Header values are one line of printable text; long errors are cut.
fn header_text(text: &str) -> String {
    const MAX: usize = 1024;
    let mut out: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if out.len() > MAX {
        let mut cut = MAX;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        out.push('…');
    }
    out
}

/// Copies a message to the dead-letter subject with the `Sherpa-*` headers
/// and `Nats-Msg-Id` = `<stream>.<sequence>`, so copying it twice (a
/// redelivery, or the max-deliveries advisory seen by several workers)
/// stores it once.
async fn dead_letter(
    shared: &Shared,
    letter: &DeadLetter<'_>,
    deadline: Instant,
) -> Result<(), PublishFailure> {
    let mut headers = HeaderMap::new();
    headers.insert(HEADER_REASON, letter.reason.as_str());
    headers.insert(HEADER_ERROR, header_text(letter.error));
    headers.insert(HEADER_SUBJECT, letter.subject);
    headers.insert(HEADER_DELIVERIES, letter.deliveries.to_string());
    headers.insert(HEADER_STREAM, letter.stream);
    headers.insert(HEADER_STREAM_SEQUENCE, letter.stream_sequence.to_string());
    let mut payload = letter.payload.clone();
    // Leave room for the headers under the broker's limit.
    let limit = shared
        .client
        .server_info()
        .max_payload
        .saturating_sub(8 * 1024);
    if limit > 0 && payload.len() > limit {
        headers.insert(HEADER_TRUNCATED, payload.len().to_string());
        payload.truncate(limit);
    }
    let message = PublishMessage::build()
        .headers(headers)
        .payload(payload)
        .message_id(format!("{}.{}", letter.stream, letter.stream_sequence));
    publish_with_retry(
        &shared.js,
        shared.config.dlq_subject.clone(),
        message,
        deadline,
    )
    .await?;
    DeadLettered {
        reason: letter.reason,
        error: letter.error,
        subject: letter.subject,
        stream_sequence: letter.stream_sequence,
        deliveries: letter.deliveries,
    }
    .emit();
    Ok(())
}

/// When a message exhausts `max_deliver` without being settled (the worker
/// crashed on it, or could not reach the broker on its last delivery), the
/// server stops delivering it and says so in an advisory. Copy such messages
/// to the dead-letter subject so they are not silently stranded.
async fn max_deliveries_loop(
    shared: Arc<Shared>,
    input: jetstream::stream::Stream,
    shutdown: Shutdown,
) {
    let config = &shared.config;
    let subject = format!(
        "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.{}.{}",
        config.input_stream, config.consumer.name
    );
    let mut advisories = match shared.client.subscribe(subject.clone()).await {
        Ok(sub) => {
            tracing::info!(subject = %subject, "watching for messages that exhaust max deliveries");
            sub
        }
        Err(err) => {
            tracing::warn!(error = %err, subject = %subject, "cannot watch max-deliveries advisories");
            return;
        }
    };
    loop {
        let advisory = tokio::select! {
            biased;
            _ = shutdown.requested() => break,
            next = advisories.next() => match next {
                Some(advisory) => advisory,
                None => break,
            },
        };
        let Some((sequence, deliveries)) = parse_max_deliveries(&advisory.payload) else {
            tracing::warn!("unreadable max-deliveries advisory");
            continue;
        };
        let stored = match input.get_raw_message(sequence).await {
            Ok(stored) => stored,
            Err(err) => {
                tracing::warn!(error = %err, stream_sequence = sequence, "a message reached max deliveries but cannot be read back");
                continue;
            }
        };
        let letter = DeadLetter {
            reason: DeadLetterReason::MaxDeliveries,
            error: "delivered the maximum number of times without being settled",
            subject: stored.subject.as_str(),
            deliveries,
            stream: &config.input_stream,
            stream_sequence: sequence,
            payload: stored.payload.clone(),
        };
        let deadline = Instant::now() + retry_budget(config.ack_wait);
        if let Err(err) = dead_letter(&shared, &letter, deadline).await {
            tracing::error!(error = %err, stream_sequence = sequence, "cannot dead-letter a message that reached max deliveries");
        } else {
            bump(&shared.stats.dead_lettered, 1);
        }
    }
}

/// `(stream_seq, deliveries)` from a max-deliveries advisory.
fn parse_max_deliveries(payload: &[u8]) -> Option<(u64, u64)> {
    let value: serde_json::Value = serde_json::from_slice(payload).ok()?;
    let sequence = value.get("stream_seq")?.as_u64()?;
    let deliveries = value
        .get("deliveries")
        .and_then(|d| d.as_u64())
        .unwrap_or(0);
    Some((sequence, deliveries))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_text_is_one_bounded_line() {
        assert_eq!(header_text("a\r\nb"), "a  b");
        let long = "é".repeat(2000);
        let cut = header_text(&long);
        assert!(cut.len() <= 1024 + '…'.len_utf8());
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn advisories_parse() {
        let advisory = br#"{"type":"io.nats.jetstream.advisory.v1.max_deliver","stream":"NEWS_RAW","consumer":"sherpa","stream_seq":42,"deliveries":5}"#;
        assert_eq!(parse_max_deliveries(advisory), Some((42, 5)));
        assert_eq!(parse_max_deliveries(b"{}"), None);
    }

    #[test]
    fn rebuilds_back_off() {
        assert_eq!(rebuild_delay(1), Duration::from_millis(250));
        assert_eq!(rebuild_delay(2), Duration::from_millis(500));
        assert_eq!(rebuild_delay(30), Duration::from_secs(5));
    }
}
