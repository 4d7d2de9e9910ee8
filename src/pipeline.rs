//! The one place that turns an input message into an outcome.
//!
//! `bytes (+ delivery count, + the broker's receive time) → Outcome`:
//! publish these records, dead-letter the message with a reason, or retry it
//! after a delay. The worker in `shell::nats` only carries the decision out;
//! everything it decides is here and is unit-tested without NATS. That
//! includes what a failed fetch of a URL-only article means
//! ([`fetch_failed`]); the fetch itself is the shell's (`shell::fetch`), and
//! its page comes back here as the article's body ([`with_fetched_body`]).
//!
//! This module does no I/O, reads no clock and holds no state: "now" (the
//! message's JetStream timestamp, stable across redeliveries) is passed in, so
//! a redelivered message reproduces the same records with the same
//! `record_id`s. A panic inside extraction is caught here and turned into a
//! dead letter for that one message (`extract_panicked`).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::extract;
use crate::knowledge::Knowledge;
use crate::model::{
    Article, DEFAULT_MAX_ARTICLE_BYTES, EnrichedArticle, Fetched, Record, RejectReason,
};
use crate::shell::fetch::{FetchError, FetchedPage};

/// Limits the pipeline enforces on every message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PipelineConfig {
    /// Largest accepted input message, in bytes (`too_large` above it).
    pub max_article_bytes: usize,
    /// Largest output message the broker accepts (its `max_payload`); an
    /// article whose records would not fit is dead-lettered as `too_large`
    /// instead of being retried forever.
    pub max_output_bytes: usize,
}

impl Default for PipelineConfig {
    fn default() -> Self {
        PipelineConfig {
            max_article_bytes: DEFAULT_MAX_ARTICLE_BYTES,
            max_output_bytes: usize::MAX,
        }
    }
}

/// One delivery of one input message.
#[derive(Debug, Clone, Copy)]
pub struct Delivery<'a> {
    /// The raw message payload.
    pub payload: &'a [u8],
    /// How many times the broker has delivered this message, this time included (1 = first).
    pub deliveries: u64,
    /// When the broker stored the message. Anchors relative dates for
    /// articles without `published_at`; stable across redeliveries.
    pub received_at: DateTime<Utc>,
}

/// Which output subject a record goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordKind {
    Summit,
    Aid,
    Article,
}

impl RecordKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Summit => "summit",
            RecordKind::Aid => "aid",
            RecordKind::Article => "article",
        }
    }
}

/// One serialized output record, ready to publish with
/// `Nats-Msg-Id: record_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputMessage {
    pub kind: RecordKind,
    pub record_id: String,
    pub payload: Vec<u8>,
}

/// Why a message goes to the dead-letter stream: an input rejection, or a
/// message that kept failing until its last delivery. `as_str` is the
/// `Sherpa-Reason` header and the metric label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeadLetterReason {
    Rejected(RejectReason),
    /// Retried `max_deliver` times without success.
    MaxDeliveries,
}

impl DeadLetterReason {
    pub fn as_str(self) -> &'static str {
        match self {
            DeadLetterReason::Rejected(reason) => reason.as_str(),
            DeadLetterReason::MaxDeliveries => "max_deliveries",
        }
    }
}

impl std::fmt::Display for DeadLetterReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the worker does with one delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Publish every record (in order), then ack the input.
    Publish(Vec<OutputMessage>),
    /// Copy the input to the dead-letter stream with this reason and error
    /// text, then `term` it.
    Reject {
        reason: DeadLetterReason,
        error: String,
    },
    /// `nak` the input with this delay; the broker redelivers it.
    Retry { delay: Duration },
}

/// Decodes, validates and extracts one delivery with the built-in extractor.
pub fn process(kb: &Knowledge, config: &PipelineConfig, delivery: Delivery<'_>) -> Outcome {
    process_with(config, delivery, |article, received_at| {
        extract::extract(kb, article, received_at)
    })
}

/// [`process`] with the extraction step passed in, so tests can make it panic.
pub fn process_with<F>(config: &PipelineConfig, delivery: Delivery<'_>, extract: F) -> Outcome
where
    F: FnOnce(&Article, DateTime<Utc>) -> EnrichedArticle,
{
    match decode(config, delivery.payload) {
        Ok(article) => process_decoded(config, &article, delivery.received_at, extract),
        Err(rejected) => rejected,
    }
}

/// The first step of [`process_with`], on its own so the worker can time it
/// and name the article in its logs: bytes to a validated article, or the
/// rejection.
pub fn decode(config: &PipelineConfig, payload: &[u8]) -> Result<Article, Outcome> {
    Article::from_slice(payload, config.max_article_bytes).map_err(|err| Outcome::Reject {
        reason: DeadLetterReason::Rejected(err.reason),
        error: err.message,
    })
}

/// The rest of [`process_with`], for an article [`decode`] accepted that
/// needed no fetch (a URL-only article is rejected as `fetch_failed` here:
/// the shell's fetch stage must run first, see [`process_fetched`]).
pub fn process_decoded<F>(
    config: &PipelineConfig,
    article: &Article,
    received_at: DateTime<Utc>,
    extract: F,
) -> Outcome
where
    F: FnOnce(&Article, DateTime<Utc>) -> EnrichedArticle,
{
    process_fetched(config, article, None, received_at, extract)
}

/// The `url` of an article that came without a body: the shell fetches it
/// before extraction.
pub fn needs_fetch(article: &Article) -> Option<&str> {
    if article
        .body
        .as_deref()
        .is_some_and(|b| !b.trim().is_empty())
    {
        return None;
    }
    article.url.as_deref().filter(|u| !u.trim().is_empty())
}

/// A URL-only article with the fetched page as its body (HTML goes through
/// the core's HTML normalization like any HTML body), and the record of the
/// fetch for the enriched article.
pub fn with_fetched_body(mut article: Article, page: FetchedPage) -> (Article, Fetched) {
    article.body = Some(page.text);
    article.content_type = Some(
        if page.is_html {
            "text/html"
        } else {
            "text/plain"
        }
        .to_string(),
    );
    (article, page.fetched)
}

/// The longest `Retry-After` the worker honours when it hands a message back.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(600);

/// The outcome of a fetch that failed (after the fetcher's own retries): a
/// retryable failure is handed back with the policy's backoff, or the
/// server's `Retry-After` if longer (up to [`MAX_RETRY_AFTER`]), until the
/// last delivery; a final one is dead-lettered as `fetch_failed` with the
/// failure class leading the error text (`bad_status: HTTP 404 from …`).
pub fn fetch_failed(retry: &RetryPolicy, deliveries: u64, err: &FetchError) -> Outcome {
    let error = err.describe();
    if !err.is_retryable() {
        return Outcome::Reject {
            reason: DeadLetterReason::Rejected(RejectReason::FetchFailed),
            error,
        };
    }
    match retry.on_failure(deliveries, &error) {
        Outcome::Retry { delay } => Outcome::Retry {
            delay: delay.max(err.retry_after().unwrap_or_default().min(MAX_RETRY_AFTER)),
        },
        other => other,
    }
}

/// [`process_decoded`] for an article whose body may have been fetched:
/// `fetched` describes that fetch and travels in the enriched article, so
/// nothing downstream fetches again.
pub fn process_fetched<F>(
    config: &PipelineConfig,
    article: &Article,
    fetched: Option<Fetched>,
    received_at: DateTime<Utc>,
    extract: F,
) -> Outcome
where
    F: FnOnce(&Article, DateTime<Utc>) -> EnrichedArticle,
{
    // Extracting a URL-only article from an empty text would publish an
    // empty record as if the article had nothing in it.
    if fetched.is_none() && needs_fetch(article).is_some() {
        return Outcome::Reject {
            reason: DeadLetterReason::Rejected(RejectReason::FetchFailed),
            error: "the article has only a `url`, and no fetch stage ran".to_string(),
        };
    }
    let enriched = match catch_unwind(AssertUnwindSafe(|| extract(article, received_at))) {
        Ok(mut enriched) => {
            enriched.fetched = fetched;
            enriched
        }
        Err(panic) => {
            return Outcome::Reject {
                reason: DeadLetterReason::Rejected(RejectReason::ExtractPanicked),
                error: format!("extraction panicked: {}", panic_message(panic.as_ref())),
            };
        }
    };
    let mut records: Vec<(RecordKind, Record)> = Vec::new();
    for summit in &enriched.summits {
        records.push((RecordKind::Summit, Record::Summit(summit.clone())));
    }
    for aid in &enriched.aid {
        records.push((RecordKind::Aid, Record::Aid(aid.clone())));
    }
    records.push((RecordKind::Article, Record::Article(enriched)));

    let mut out = Vec::with_capacity(records.len());
    for (kind, record) in records {
        let payload = match serde_json::to_vec(&record) {
            Ok(payload) => payload,
            // Serializing plain data cannot fail; if it ever does, the input
            // is the cause, so retrying would not help.
            Err(err) => {
                return Outcome::Reject {
                    reason: DeadLetterReason::Rejected(RejectReason::InvalidField),
                    error: format!("cannot serialize the {} record: {err}", kind.as_str()),
                };
            }
        };
        if payload.len() > config.max_output_bytes {
            return Outcome::Reject {
                reason: DeadLetterReason::Rejected(RejectReason::TooLarge),
                error: format!(
                    "the {} record is {} bytes, over the broker's limit of {}",
                    kind.as_str(),
                    payload.len(),
                    config.max_output_bytes
                ),
            };
        }
        out.push(OutputMessage {
            kind,
            record_id: record.record_id().to_string(),
            payload,
        });
    }
    Outcome::Publish(out)
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".to_string()
    }
}

/// When a delivery fails for a transient reason (a publish that was not
/// acknowledged, a fetch that timed out), how long to wait before the
/// broker redelivers it, and when to give up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Delay after the first failed delivery; doubled after each further one.
    pub base_delay: Duration,
    /// Upper bound on the delay.
    pub max_delay: Duration,
    /// The consumer's `max_deliver`: the last delivery dead-letters instead of
    /// retrying. `None` retries forever.
    pub max_deliver: Option<u64>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
            max_deliver: Some(5),
        }
    }
}

impl RetryPolicy {
    /// The outcome for a delivery that failed transiently with `error`.
    pub fn on_failure(&self, deliveries: u64, error: &str) -> Outcome {
        if let Some(max) = self.max_deliver
            && deliveries >= max
        {
            return Outcome::Reject {
                reason: DeadLetterReason::MaxDeliveries,
                error: format!("failed on delivery {deliveries} of {max}: {error}"),
            };
        }
        Outcome::Retry {
            delay: self.delay(deliveries),
        }
    }

    /// Exponential backoff: `base_delay * 2^(deliveries - 1)`, capped.
    pub fn delay(&self, deliveries: u64) -> Duration {
        let exponent = deliveries.saturating_sub(1).min(20) as u32;
        self.base_delay
            .saturating_mul(2u32.saturating_pow(exponent))
            .min(self.max_delay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ARTICLE_SCHEMA, ArticleRef, TimeAnchor};
    use chrono::TimeZone;

    fn received_at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2018, 3, 29, 12, 0, 0).unwrap()
    }

    fn delivery(payload: &[u8]) -> Delivery<'_> {
        Delivery {
            payload,
            deliveries: 1,
            received_at: received_at(),
        }
    }

    fn stub_extract(article: &Article, _received_at: DateTime<Utc>) -> EnrichedArticle {
        EnrichedArticle {
            schema: ARTICLE_SCHEMA.to_string(),
            record_id: format!("article-{}", article.id),
            article: ArticleRef {
                id: article.id.clone(),
                source: None,
                url: None,
                published_at: None,
                title: None,
            },
            text: article.body.clone().unwrap_or_default(),
            actors: Vec::new(),
            summits: Vec::new(),
            aid: Vec::new(),
            time_anchor: TimeAnchor::ReceivedAt,
            diagnostics: Vec::new(),
            fetched: None,
        }
    }

    /// The outcome's shape: `publish:<kind>=<record_id>,…`, `reject:<reason>`
    /// or `retry:<millis>`.
    fn check(config: &PipelineConfig, payload: &[u8], expected: &str) {
        let outcome = process_with(config, delivery(payload), stub_extract);
        assert_eq!(
            summarize(&outcome),
            expected,
            "payload: {}",
            String::from_utf8_lossy(payload)
        );
    }

    fn summarize(outcome: &Outcome) -> String {
        match outcome {
            Outcome::Publish(messages) => {
                let parts: Vec<String> = messages
                    .iter()
                    .map(|m| format!("{}={}", m.kind.as_str(), m.record_id))
                    .collect();
                format!("publish:{}", parts.join(","))
            }
            Outcome::Reject { reason, .. } => format!("reject:{reason}"),
            Outcome::Retry { delay } => format!("retry:{}", delay.as_millis()),
        }
    }

    #[test]
    fn good_article_publishes_its_records() {
        let config = PipelineConfig::default();
        check(
            &config,
            br#"{"id":"a1","body":"Leaders met."}"#,
            "publish:article=article-a1",
        );
    }

    #[test]
    fn bad_input_is_rejected_with_its_reason() {
        let config = PipelineConfig {
            max_article_bytes: 64,
            ..PipelineConfig::default()
        };
        check(&config, b"{not json", "reject:invalid_json");
        check(&config, br#"{"body":"x"}"#, "reject:missing_id");
        check(&config, br#"{"id":"a"}"#, "reject:missing_content");
        check(
            &config,
            br#"{"id":"a","url":"http://x"}"#,
            "reject:fetch_failed",
        );
        check(&config, &[b'{', 0xff, 0xfe, b'}'], "reject:invalid_utf8");
        let big = format!(r#"{{"id":"a","body":"{}"}}"#, "x".repeat(100));
        check(&config, big.as_bytes(), "reject:too_large");
    }

    #[test]
    fn a_panic_in_extraction_dead_letters_the_message() {
        let outcome = process_with(
            &PipelineConfig::default(),
            delivery(br#"{"id":"a","body":"x"}"#),
            |_, _| panic!("boom"),
        );
        match outcome {
            Outcome::Reject { reason, error } => {
                assert_eq!(
                    reason,
                    DeadLetterReason::Rejected(RejectReason::ExtractPanicked)
                );
                assert!(error.contains("boom"), "{error}");
            }
            other => panic!("expected a rejection, got {other:?}"),
        }
    }

    #[test]
    fn output_over_the_broker_limit_is_too_large() {
        let config = PipelineConfig {
            max_output_bytes: 50,
            ..PipelineConfig::default()
        };
        check(
            &config,
            br#"{"id":"a1","body":"A body long enough to make the record exceed fifty bytes."}"#,
            "reject:too_large",
        );
    }

    #[test]
    fn the_same_delivery_gives_the_same_records() {
        let kb = Knowledge::builtin().unwrap();
        let config = PipelineConfig::default();
        let payload = br#"{"id":"a1","body":"Japan pledged $2 billion in aid to North Korea."}"#;
        let first = process(&kb, &config, delivery(payload));
        let again = process(
            &kb,
            &config,
            Delivery {
                deliveries: 3,
                ..delivery(payload)
            },
        );
        assert_eq!(first, again);
        assert!(matches!(first, Outcome::Publish(ref m) if !m.is_empty()));
    }

    #[test]
    fn a_fetched_body_is_extracted_and_the_fetch_travels_in_the_article() {
        let article = Article::from_json_str(r#"{"id":"u1","url":"http://news.test/a"}"#).unwrap();
        assert_eq!(needs_fetch(&article), Some("http://news.test/a"));
        let fetched = Fetched {
            url: "http://news.test/a".into(),
            final_url: "http://news.test/b".into(),
            status: 200,
            content_type: "text/html".into(),
            charset: "UTF-8".into(),
            bytes: 42,
            redirects: 1,
        };
        let page = FetchedPage {
            fetched: fetched.clone(),
            text: "<p>Leaders met.</p>".into(),
            is_html: true,
        };
        let (article, record) = with_fetched_body(article, page);
        assert_eq!(needs_fetch(&article), None);
        assert!(article.is_html());
        let outcome = process_fetched(
            &PipelineConfig::default(),
            &article,
            Some(record),
            received_at(),
            stub_extract,
        );
        let Outcome::Publish(messages) = outcome else {
            panic!("expected records, got {outcome:?}");
        };
        let enriched: serde_json::Value = serde_json::from_slice(&messages[0].payload).unwrap();
        assert_eq!(enriched["fetched"]["final_url"], "http://news.test/b");
        assert_eq!(
            enriched["text"], "<p>Leaders met.</p>",
            "the stub keeps the body"
        );
    }

    #[test]
    fn fetch_failures_retry_or_dead_letter_by_class() {
        let policy = RetryPolicy {
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(3),
            max_deliver: Some(3),
        };
        let url = "http://news.test/a".to_string();
        let status = |status, retry_after| FetchError::BadStatus {
            url: url.clone(),
            status,
            retry_after,
        };
        let summary =
            |err: &FetchError, deliveries| summarize(&fetch_failed(&policy, deliveries, err));
        assert_eq!(summary(&status(404, None), 1), "reject:fetch_failed");
        assert_eq!(summary(&status(503, None), 1), "retry:500");
        assert_eq!(
            summary(&status(429, Some(Duration::from_secs(7))), 1),
            "retry:7000",
            "Retry-After wins over a shorter backoff"
        );
        assert_eq!(
            summary(&status(429, Some(Duration::from_secs(100_000))), 1),
            format!("retry:{}", MAX_RETRY_AFTER.as_millis())
        );
        assert_eq!(summary(&status(503, None), 3), "reject:max_deliveries");
        let timeout = FetchError::Timeout {
            url: url.clone(),
            limit: Duration::from_secs(1),
        };
        assert_eq!(summary(&timeout, 2), "retry:1000");
        match fetch_failed(&policy, 1, &status(404, None)) {
            Outcome::Reject { error, .. } => {
                assert!(error.starts_with("bad_status: HTTP 404"), "{error}");
            }
            other => panic!("expected a rejection, got {other:?}"),
        }
    }

    #[test]
    fn retries_back_off_then_dead_letter_on_the_last_delivery() {
        let policy = RetryPolicy {
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(3),
            max_deliver: Some(5),
        };
        let summary = |d| summarize(&policy.on_failure(d, "publish timed out"));
        assert_eq!(summary(1), "retry:500");
        assert_eq!(summary(2), "retry:1000");
        assert_eq!(summary(3), "retry:2000");
        assert_eq!(summary(4), "retry:3000");
        assert_eq!(summary(5), "reject:max_deliveries");
        let forever = RetryPolicy {
            max_deliver: None,
            ..policy
        };
        assert_eq!(
            summarize(&forever.on_failure(1000, "x")),
            "retry:3000",
            "no max_deliver retries forever"
        );
    }
}
