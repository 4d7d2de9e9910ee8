//! Telemetry: one type per thing that happens to the worker. Emitting an
//! event logs it and counts it together, so a log line and its metric never
//! disagree; the shell says *what* happened, this module decides how that is
//! written down.
//!
//! Every metric is in [`METRICS`] with its help text, type, labels and (for
//! histograms) buckets; [`install`] describes them all to the Prometheus
//! recorder and pre-registers every label value, so each series exists from
//! the start at zero and `rate()` / `increase()` see the first increment.
//! Labels only take values from closed enums ([`DeadLetterReason`],
//! [`RecordKind`], [`Stage`], [`NatsOperation`]): never ids, subjects or error
//! text.
//!
//! Log lines never carry article text above debug level: an event holds ids,
//! subjects, counts, reason codes and error messages only.

use std::time::Duration;

use metrics::{Unit, counter, gauge, histogram};
use metrics_exporter_prometheus::{BuildError, Matcher, PrometheusBuilder, PrometheusHandle};

use crate::model::RejectReason;
use crate::pipeline::{DeadLetterReason, RecordKind};

/// The package version, as `sherpa_build_info{version}` reports it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The git commit the binary was built from (`build.rs`), or "unknown".
pub const GIT_SHA: &str = env!("SHERPA_GIT_SHA");

const ARTICLES_RECEIVED: &str = "sherpa_articles_received_total";
const ARTICLES_PROCESSED: &str = "sherpa_articles_processed_total";
const ARTICLES_REJECTED: &str = "sherpa_articles_rejected_total";
const ARTICLES_RETRIED: &str = "sherpa_articles_retried_total";
const REDELIVERIES: &str = "sherpa_redeliveries_total";
const ARTICLES_IN_FLIGHT: &str = "sherpa_articles_in_flight";
const RECORDS_PUBLISHED: &str = "sherpa_records_published_total";
const RECORDS_DUPLICATE: &str = "sherpa_records_duplicate_total";
const RECORDS_PER_ARTICLE: &str = "sherpa_records_per_article";
const DEAD_LETTERS: &str = "sherpa_dead_letters_total";
const END_TO_END: &str = "sherpa_end_to_end_duration_seconds";
const NATS_ERRORS: &str = "sherpa_nats_errors_total";
const NATS_CONNECTED: &str = "sherpa_nats_connected";
const NATS_DISCONNECTS: &str = "sherpa_nats_disconnects_total";
const CONSUMER_PENDING: &str = "sherpa_consumer_pending_messages";
const CONSUMER_ACK_PENDING: &str = "sherpa_consumer_ack_pending_messages";
const CONSUMER_REDELIVERED: &str = "sherpa_consumer_redelivered_messages";
const READY: &str = "sherpa_ready";
const BUILD_INFO: &str = "sherpa_build_info";

/// Prometheus metric types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricKind {
    Counter,
    Gauge,
    Histogram,
}

impl MetricKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MetricKind::Counter => "counter",
            MetricKind::Gauge => "gauge",
            MetricKind::Histogram => "histogram",
        }
    }
}

/// One metric sherpa exports.
#[derive(Debug, Clone, Copy)]
pub struct MetricSpec {
    pub name: &'static str,
    pub kind: MetricKind,
    /// Label names; every value comes from a closed enum.
    pub labels: &'static [&'static str],
    pub help: &'static str,
    /// Upper bounds of the buckets, for histograms.
    pub buckets: &'static [f64],
}

const fn counter_spec(
    name: &'static str,
    labels: &'static [&'static str],
    help: &'static str,
) -> MetricSpec {
    MetricSpec {
        name,
        kind: MetricKind::Counter,
        labels,
        help,
        buckets: &[],
    }
}

const fn gauge_spec(
    name: &'static str,
    labels: &'static [&'static str],
    help: &'static str,
) -> MetricSpec {
    MetricSpec {
        name,
        kind: MetricKind::Gauge,
        labels,
        help,
        buckets: &[],
    }
}

const fn histogram_spec(
    name: &'static str,
    labels: &'static [&'static str],
    help: &'static str,
    buckets: &'static [f64],
) -> MetricSpec {
    MetricSpec {
        name,
        kind: MetricKind::Histogram,
        labels,
        help,
        buckets,
    }
}

/// JSON parsing and validation of one message of up to a few MiB.
const DECODE_BUCKETS: &[f64] = &[
    0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
];
/// An HTTP fetch over the Internet, up to its timeout.
const FETCH_BUCKETS: &[f64] = &[0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0];
/// CPU-bound extraction of one article and serialization of its records.
const EXTRACT_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];
/// Publishing an article's records and waiting for every JetStream ack,
/// in-place retries included.
const PUBLISH_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];
/// From the broker storing the article to its ack: queueing and retries
/// included, so up to many minutes.
const END_TO_END_BUCKETS: &[f64] = &[
    0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0,
];
const RECORDS_PER_ARTICLE_BUCKETS: &[f64] = &[0.0, 1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 21.0, 34.0, 55.0];

/// Every metric sherpa exports. The README's table lists the same names (a
/// unit test keeps them in step).
pub const METRICS: &[MetricSpec] = &[
    counter_spec(
        ARTICLES_RECEIVED,
        &[],
        "Input messages pulled from the consumer, redeliveries included.",
    ),
    counter_spec(
        ARTICLES_PROCESSED,
        &[],
        "Articles whose records were all acknowledged by JetStream and that were then acked.",
    ),
    counter_spec(
        ARTICLES_REJECTED,
        &["reason"],
        "Articles the pipeline decided to dead-letter, by reason code.",
    ),
    counter_spec(
        ARTICLES_RETRIED,
        &[],
        "Deliveries handed back (nak) with a delay after a transient failure.",
    ),
    counter_spec(
        REDELIVERIES,
        &[],
        "Input messages received on their second or later delivery.",
    ),
    gauge_spec(
        ARTICLES_IN_FLIGHT,
        &[],
        "Input messages pulled and not yet settled (acked, termed or nakked).",
    ),
    counter_spec(
        RECORDS_PUBLISHED,
        &["kind"],
        "Records stored on the output stream, by kind (summit, aid, article).",
    ),
    counter_spec(
        RECORDS_DUPLICATE,
        &["kind"],
        "Records the output stream dropped as duplicates of an earlier publish (redeliveries).",
    ),
    histogram_spec(
        RECORDS_PER_ARTICLE,
        &[],
        "Summit and aid records extracted from one processed article.",
        RECORDS_PER_ARTICLE_BUCKETS,
    ),
    counter_spec(
        DEAD_LETTERS,
        &["reason"],
        "Messages copied to the dead-letter stream, by reason code.",
    ),
    histogram_spec(
        Stage::Decode.metric_name(),
        &[],
        "Time to parse and validate one input message, in seconds.",
        DECODE_BUCKETS,
    ),
    histogram_spec(
        Stage::Fetch.metric_name(),
        &[],
        "Time to fetch the page of an article that carries only a URL, in seconds.",
        FETCH_BUCKETS,
    ),
    counter_spec(
        crate::shell::fetch::METRIC_FETCH_TOTAL,
        &["outcome"],
        "Fetches of URL-only articles, by outcome: ok, or the failure class (timeout, too_large, bad_status, blocked_address, unsupported_type, decode_error, network_error, invalid_url, internal).",
    ),
    histogram_spec(
        Stage::Extract.metric_name(),
        &[],
        "Time to extract one article's records and serialize them, in seconds.",
        EXTRACT_BUCKETS,
    ),
    histogram_spec(
        Stage::Publish.metric_name(),
        &[],
        "Time to publish one article's records and receive every JetStream ack, in seconds.",
        PUBLISH_BUCKETS,
    ),
    histogram_spec(
        END_TO_END,
        &[],
        "Time from the broker storing an article to sherpa acking it, in seconds.",
        END_TO_END_BUCKETS,
    ),
    counter_spec(
        NATS_ERRORS,
        &["operation"],
        "Failed NATS operations, by operation (publish, dead_letter, ack, nak, term, pull, consumer_info).",
    ),
    gauge_spec(
        NATS_CONNECTED,
        &[],
        "1 while the NATS connection is up, 0 otherwise.",
    ),
    counter_spec(NATS_DISCONNECTS, &[], "Times the NATS connection was lost."),
    gauge_spec(
        CONSUMER_PENDING,
        &[],
        "Messages on the input stream not yet delivered to the consumer (polled from JetStream).",
    ),
    gauge_spec(
        CONSUMER_ACK_PENDING,
        &[],
        "Messages delivered by the consumer and not yet acknowledged (polled from JetStream).",
    ),
    gauge_spec(
        CONSUMER_REDELIVERED,
        &[],
        "Messages of the consumer delivered more than once and not yet acknowledged (polled).",
    ),
    gauge_spec(
        READY,
        &[],
        "1 when /readyz answers ready (connected, consumer bound, not draining), 0 otherwise.",
    ),
    gauge_spec(
        BUILD_INFO,
        &["version", "git_sha"],
        "Always 1; the labels say which build is running.",
    ),
];

/// A step of the pipeline with its own latency histogram.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    Decode,
    Fetch,
    Extract,
    Publish,
}

impl Stage {
    pub const ALL: [Stage; 4] = [Stage::Decode, Stage::Fetch, Stage::Extract, Stage::Publish];

    pub const fn as_str(self) -> &'static str {
        match self {
            Stage::Decode => "decode",
            Stage::Fetch => "fetch",
            Stage::Extract => "extract",
            Stage::Publish => "publish",
        }
    }

    /// One histogram per stage, so each gets buckets that suit it.
    pub const fn metric_name(self) -> &'static str {
        match self {
            Stage::Decode => "sherpa_decode_duration_seconds",
            Stage::Fetch => "sherpa_fetch_duration_seconds",
            Stage::Extract => "sherpa_extract_duration_seconds",
            Stage::Publish => "sherpa_publish_duration_seconds",
        }
    }
}

/// The NATS operations whose failures are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NatsOperation {
    /// Publishing an article's records (after in-place retries).
    Publish,
    /// Copying a message to the dead-letter stream.
    DeadLetter,
    Ack,
    Nak,
    Term,
    /// Pulling from the consumer.
    Pull,
    /// Polling the consumer's state.
    ConsumerInfo,
}

impl NatsOperation {
    pub const ALL: [NatsOperation; 7] = [
        NatsOperation::Publish,
        NatsOperation::DeadLetter,
        NatsOperation::Ack,
        NatsOperation::Nak,
        NatsOperation::Term,
        NatsOperation::Pull,
        NatsOperation::ConsumerInfo,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NatsOperation::Publish => "publish",
            NatsOperation::DeadLetter => "dead_letter",
            NatsOperation::Ack => "ack",
            NatsOperation::Nak => "nak",
            NatsOperation::Term => "term",
            NatsOperation::Pull => "pull",
            NatsOperation::ConsumerInfo => "consumer_info",
        }
    }

    /// What the failure means for the message, for the log line.
    fn consequence(self) -> &'static str {
        match self {
            NatsOperation::Publish => "publishing records failed; the article will be retried",
            NatsOperation::DeadLetter => "cannot dead-letter a message; it will be redelivered",
            NatsOperation::Ack => {
                "cannot ack; the message will be redelivered and its records deduplicated"
            }
            NatsOperation::Nak => "cannot nak; the message will be redelivered after the ack wait",
            NatsOperation::Term => "cannot term a dead-lettered message",
            NatsOperation::Pull => "pull stream failed; rebuilding it",
            NatsOperation::ConsumerInfo => "cannot read the consumer's state",
        }
    }
}

const RECORD_KINDS: [RecordKind; 3] = [RecordKind::Summit, RecordKind::Aid, RecordKind::Article];

fn dead_letter_reasons() -> impl Iterator<Item = DeadLetterReason> {
    RejectReason::ALL
        .into_iter()
        .map(DeadLetterReason::Rejected)
        .chain([DeadLetterReason::MaxDeliveries])
}

/// Describes every metric in [`METRICS`] to a Prometheus recorder with its
/// buckets, installs it as the process's recorder and pre-registers every
/// series at zero. Call once per process, before any event is emitted;
/// render the returned handle to serve `/metrics`.
pub fn install() -> Result<PrometheusHandle, BuildError> {
    let mut builder = PrometheusBuilder::new();
    for spec in METRICS.iter().filter(|m| m.kind == MetricKind::Histogram) {
        builder =
            builder.set_buckets_for_metric(Matcher::Full(spec.name.to_string()), spec.buckets)?;
    }
    let handle = builder.install_recorder()?;
    describe();
    preregister();
    Ok(handle)
}

fn describe() {
    for spec in METRICS {
        let unit = spec.name.ends_with("_seconds").then_some(Unit::Seconds);
        match (spec.kind, unit) {
            (MetricKind::Counter, _) => metrics::describe_counter!(spec.name, spec.help),
            (MetricKind::Gauge, _) => metrics::describe_gauge!(spec.name, spec.help),
            (MetricKind::Histogram, Some(unit)) => {
                metrics::describe_histogram!(spec.name, unit, spec.help)
            }
            (MetricKind::Histogram, None) => metrics::describe_histogram!(spec.name, spec.help),
        }
    }
}

/// Every series, labelled by every value of its closed enum, at zero.
fn preregister() {
    counter!(ARTICLES_RECEIVED).absolute(0);
    counter!(ARTICLES_PROCESSED).absolute(0);
    counter!(ARTICLES_RETRIED).absolute(0);
    counter!(REDELIVERIES).absolute(0);
    counter!(NATS_DISCONNECTS).absolute(0);
    for reason in dead_letter_reasons() {
        counter!(ARTICLES_REJECTED, "reason" => reason.as_str()).absolute(0);
        counter!(DEAD_LETTERS, "reason" => reason.as_str()).absolute(0);
    }
    for kind in RECORD_KINDS {
        counter!(RECORDS_PUBLISHED, "kind" => kind.as_str()).absolute(0);
        counter!(RECORDS_DUPLICATE, "kind" => kind.as_str()).absolute(0);
    }
    for operation in NatsOperation::ALL {
        counter!(NATS_ERRORS, "operation" => operation.as_str()).absolute(0);
    }
    for outcome in crate::shell::fetch::OUTCOMES {
        counter!(crate::shell::fetch::METRIC_FETCH_TOTAL, "outcome" => outcome).absolute(0);
    }
    // Registering a histogram makes it render, with empty buckets.
    for stage in Stage::ALL {
        let _ = histogram!(stage.metric_name());
    }
    let _ = histogram!(END_TO_END);
    let _ = histogram!(RECORDS_PER_ARTICLE);
    gauge!(ARTICLES_IN_FLIGHT).set(0.0);
    gauge!(NATS_CONNECTED).set(0.0);
    gauge!(READY).set(0.0);
    gauge!(CONSUMER_PENDING).set(0.0);
    gauge!(CONSUMER_ACK_PENDING).set(0.0);
    gauge!(CONSUMER_REDELIVERED).set(0.0);
}

/// An event: something that happened, logged and counted by [`Emit::emit`].
pub trait Emit {
    fn emit(self);
}

/// The worker started: which build this is.
#[derive(Debug, Clone, Copy)]
pub struct WorkerStarting;

impl Emit for WorkerStarting {
    fn emit(self) {
        gauge!(BUILD_INFO, "version" => VERSION, "git_sha" => GIT_SHA).set(1.0);
        tracing::info!(
            version = VERSION,
            git_sha = GIT_SHA,
            "sherpa worker starting"
        );
    }
}

/// An input message was pulled. Pair it with an [`InFlight`] guard.
#[derive(Debug, Clone, Copy)]
pub struct ArticleReceived {
    /// Deliveries of this message, this one included (1 = first).
    pub deliveries: u64,
}

impl Emit for ArticleReceived {
    fn emit(self) {
        counter!(ARTICLES_RECEIVED).increment(1);
        if self.deliveries > 1 {
            counter!(REDELIVERIES).increment(1);
        }
        tracing::debug!(deliveries = self.deliveries, "article received");
    }
}

/// Counts one message as in flight from its creation until it is dropped,
/// however the message leaves the worker (settled, handed back, abandoned).
#[derive(Debug)]
pub struct InFlight(());

impl InFlight {
    pub fn start() -> InFlight {
        gauge!(ARTICLES_IN_FLIGHT).increment(1.0);
        InFlight(())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        gauge!(ARTICLES_IN_FLIGHT).decrement(1.0);
    }
}

/// One stage of the pipeline finished for one message.
#[derive(Debug, Clone, Copy)]
pub struct StageCompleted {
    pub stage: Stage,
    pub elapsed: Duration,
}

impl Emit for StageCompleted {
    fn emit(self) {
        histogram!(self.stage.metric_name()).record(self.elapsed.as_secs_f64());
        tracing::trace!(
            stage = self.stage.as_str(),
            elapsed_us = self.elapsed.as_micros() as u64,
            "stage completed"
        );
    }
}

/// Records of one article, by kind: how many were stored and how many the
/// output stream dropped as duplicates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecordCounts {
    pub stored: [u64; 3],
    pub duplicate: [u64; 3],
}

impl RecordCounts {
    fn index(kind: RecordKind) -> usize {
        match kind {
            RecordKind::Summit => 0,
            RecordKind::Aid => 1,
            RecordKind::Article => 2,
        }
    }

    /// Counts one acknowledged publish.
    pub fn add(&mut self, kind: RecordKind, duplicate: bool) {
        let slot = if duplicate {
            &mut self.duplicate
        } else {
            &mut self.stored
        };
        slot[Self::index(kind)] += 1;
    }

    pub fn total(&self) -> u64 {
        self.stored.iter().sum::<u64>() + self.duplicate.iter().sum::<u64>()
    }

    pub fn duplicates(&self) -> u64 {
        self.duplicate.iter().sum()
    }

    /// Summit and aid records, stored or duplicate: what was extracted.
    pub fn extracted(&self) -> u64 {
        [RecordKind::Summit, RecordKind::Aid]
            .into_iter()
            .map(|kind| self.stored[Self::index(kind)] + self.duplicate[Self::index(kind)])
            .sum()
    }
}

/// An article's records were all acknowledged and the article acked.
#[derive(Debug, Clone, Copy)]
pub struct ArticleProcessed {
    pub records: RecordCounts,
    /// From the broker storing the article to its ack.
    pub end_to_end: Duration,
}

impl Emit for ArticleProcessed {
    fn emit(self) {
        counter!(ARTICLES_PROCESSED).increment(1);
        for kind in RECORD_KINDS {
            let i = RecordCounts::index(kind);
            if self.records.stored[i] > 0 {
                counter!(RECORDS_PUBLISHED, "kind" => kind.as_str())
                    .increment(self.records.stored[i]);
            }
            if self.records.duplicate[i] > 0 {
                counter!(RECORDS_DUPLICATE, "kind" => kind.as_str())
                    .increment(self.records.duplicate[i]);
            }
        }
        histogram!(RECORDS_PER_ARTICLE).record(self.records.extracted() as f64);
        histogram!(END_TO_END).record(self.end_to_end.as_secs_f64());
        tracing::debug!(
            records = self.records.total(),
            duplicates = self.records.duplicates(),
            end_to_end_ms = self.end_to_end.as_millis() as u64,
            "article processed"
        );
    }
}

/// The pipeline decided to dead-letter an article.
#[derive(Debug, Clone, Copy)]
pub struct ArticleRejected<'a> {
    pub reason: DeadLetterReason,
    pub error: &'a str,
}

impl Emit for ArticleRejected<'_> {
    fn emit(self) {
        counter!(ARTICLES_REJECTED, "reason" => self.reason.as_str()).increment(1);
        tracing::debug!(reason = %self.reason, error = %self.error, "article rejected");
    }
}

/// A delivery was handed back to the broker for a later retry.
#[derive(Debug, Clone, Copy)]
pub struct ArticleRetried {
    pub deliveries: u64,
    pub delay: Duration,
}

impl Emit for ArticleRetried {
    fn emit(self) {
        counter!(ARTICLES_RETRIED).increment(1);
        tracing::info!(
            deliveries = self.deliveries,
            delay_ms = self.delay.as_millis() as u64,
            "article handed back for a retry"
        );
    }
}

/// A message was stored on the dead-letter stream.
#[derive(Debug, Clone, Copy)]
pub struct DeadLettered<'a> {
    pub reason: DeadLetterReason,
    pub error: &'a str,
    pub subject: &'a str,
    pub stream_sequence: u64,
    pub deliveries: u64,
}

impl Emit for DeadLettered<'_> {
    fn emit(self) {
        counter!(DEAD_LETTERS, "reason" => self.reason.as_str()).increment(1);
        tracing::warn!(
            reason = %self.reason,
            error = %self.error,
            subject = %self.subject,
            stream_sequence = self.stream_sequence,
            deliveries = self.deliveries,
            "message dead-lettered"
        );
    }
}

/// A NATS operation failed.
#[derive(Clone, Copy)]
pub struct NatsOperationFailed<'a> {
    pub operation: NatsOperation,
    pub error: &'a dyn std::fmt::Display,
    /// The input message concerned, when there is one.
    pub stream_sequence: Option<u64>,
}

impl Emit for NatsOperationFailed<'_> {
    fn emit(self) {
        counter!(NATS_ERRORS, "operation" => self.operation.as_str()).increment(1);
        tracing::warn!(
            operation = self.operation.as_str(),
            error = %self.error,
            stream_sequence = self.stream_sequence,
            "{}",
            self.operation.consequence()
        );
    }
}

/// The NATS connection came up (first connection or reconnection).
#[derive(Debug, Clone, Copy)]
pub struct NatsConnected;

impl Emit for NatsConnected {
    fn emit(self) {
        gauge!(NATS_CONNECTED).set(1.0);
        tracing::info!("NATS connected");
    }
}

/// The NATS connection was lost; the client redials.
#[derive(Debug, Clone, Copy)]
pub struct NatsDisconnected;

impl Emit for NatsDisconnected {
    fn emit(self) {
        gauge!(NATS_CONNECTED).set(0.0);
        counter!(NATS_DISCONNECTS).increment(1);
        tracing::warn!("NATS disconnected; reconnecting");
    }
}

/// The broker was polled: the connection state and, when it could be read,
/// the consumer's counts.
#[derive(Debug, Clone, Copy)]
pub struct BrokerPolled {
    pub connected: bool,
    pub consumer: Option<ConsumerCounts>,
}

/// What JetStream says about the durable consumer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConsumerCounts {
    pub pending: u64,
    pub ack_pending: u64,
    pub redelivered: u64,
}

impl Emit for BrokerPolled {
    fn emit(self) {
        gauge!(NATS_CONNECTED).set(if self.connected { 1.0 } else { 0.0 });
        if let Some(consumer) = self.consumer {
            gauge!(CONSUMER_PENDING).set(consumer.pending as f64);
            gauge!(CONSUMER_ACK_PENDING).set(consumer.ack_pending as f64);
            gauge!(CONSUMER_REDELIVERED).set(consumer.redelivered as f64);
            tracing::trace!(
                pending = consumer.pending,
                ack_pending = consumer.ack_pending,
                redelivered = consumer.redelivered,
                "consumer polled"
            );
        }
    }
}

/// `/readyz` changed its answer.
#[derive(Debug, Clone, Copy)]
pub struct ReadinessChanged<'a> {
    pub ready: bool,
    /// Why not, when not ready.
    pub reasons: &'a str,
}

impl Emit for ReadinessChanged<'_> {
    fn emit(self) {
        gauge!(READY).set(if self.ready { 1.0 } else { 0.0 });
        if self.ready {
            tracing::info!("ready");
        } else {
            tracing::info!(reasons = %self.reasons, "not ready");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_names_follow_prometheus_conventions() {
        let mut seen = std::collections::HashSet::new();
        for spec in METRICS {
            assert!(seen.insert(spec.name), "{} twice", spec.name);
            assert!(spec.name.starts_with("sherpa_"), "{}", spec.name);
            assert!(
                spec.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{}",
                spec.name
            );
            let is_total = spec.name.ends_with("_total");
            assert_eq!(
                is_total,
                spec.kind == MetricKind::Counter,
                "{}: counters, and only counters, end in _total",
                spec.name
            );
            assert!(!spec.help.is_empty(), "{} has no help", spec.name);
            if spec.kind == MetricKind::Histogram {
                assert!(!spec.buckets.is_empty(), "{} has no buckets", spec.name);
                assert!(
                    spec.buckets.windows(2).all(|w| w[0] < w[1]),
                    "{}: buckets must increase",
                    spec.name
                );
            } else {
                assert!(spec.buckets.is_empty(), "{}", spec.name);
            }
            if spec.name.contains("duration") {
                assert!(spec.name.ends_with("_seconds"), "{}", spec.name);
            }
        }
    }

    #[test]
    fn every_stage_has_a_described_histogram() {
        for stage in Stage::ALL {
            assert!(
                METRICS
                    .iter()
                    .any(|m| m.name == stage.metric_name() && m.kind == MetricKind::Histogram),
                "{:?}",
                stage
            );
        }
    }

    #[test]
    fn the_readme_lists_every_metric() {
        let readme = include_str!("../README.md");
        for spec in METRICS {
            assert!(
                readme.contains(&format!("`{}`", spec.name)),
                "README.md does not list {}",
                spec.name
            );
        }
    }

    #[test]
    fn record_counts_split_stored_duplicate_and_extracted() {
        let mut counts = RecordCounts::default();
        counts.add(RecordKind::Summit, false);
        counts.add(RecordKind::Aid, true);
        counts.add(RecordKind::Article, false);
        assert_eq!(counts.total(), 3);
        assert_eq!(counts.duplicates(), 1);
        assert_eq!(counts.extracted(), 2);
    }
}
