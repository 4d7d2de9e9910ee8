//! JetStream provisioning: create the streams and the durable pull consumer
//! when they are missing; never delete or change existing ones.
//!
//! An existing stream or consumer that does not fit (its subjects do not
//! cover ours, its duplicate window is too short, its replicas or ack
//! settings differ) is a start-up error that says what differs. Only
//! features of nats-server 2.9 are used: one `filter_subject`, no metadata,
//! no compression.

use std::time::Duration;

use async_nats::jetstream::consumer::{AckPolicy, DeliverPolicy, PullConsumer, ReplayPolicy, pull};
use async_nats::jetstream::context::{CreateStreamErrorKind, GetStreamErrorKind};
use async_nats::jetstream::stream::{self, DiscardPolicy, RetentionPolicy, StorageType};
use async_nats::jetstream::{self, ErrorCode};

use super::duration::format_duration;

/// A stream sherpa needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamSpec {
    pub name: String,
    /// Subjects (patterns) the stream must capture.
    pub subjects: Vec<String>,
    /// The duplicate window to create the stream with.
    pub duplicate_window: Duration,
    /// When set, an existing stream's window must be at least this long.
    pub min_duplicate_window: Option<Duration>,
    /// Replicas to create the stream with (`--stream-replicas`); an existing
    /// stream must have as many when sherpa provisions.
    pub replicas: usize,
}

/// The durable pull consumer sherpa reads its input with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsumerSpec {
    pub name: String,
    pub filter_subject: String,
    pub ack_wait: Duration,
    pub max_deliver: i64,
    pub max_ack_pending: i64,
    pub replicas: usize,
}

/// Why provisioning failed. Every variant is fatal at start-up.
#[derive(Debug, thiserror::Error)]
pub enum ProvisionError {
    #[error(
        "stream {stream} does not exist; create it, or drop --no-provision to let sherpa create it"
    )]
    StreamMissing { stream: String },
    #[error(
        "stream {stream} exists but {problem}; sherpa never changes an existing stream: edit it (`nats stream edit {stream}`) or point sherpa at another stream"
    )]
    StreamMismatch { stream: String, problem: String },
    #[error(
        "consumer {consumer} on stream {stream} does not exist; create it, or drop --no-provision to let sherpa create it"
    )]
    ConsumerMissing { stream: String, consumer: String },
    #[error(
        "consumer {consumer} on stream {stream} exists with different settings: {problems}; sherpa never changes an existing consumer: pass flags that match it, or delete it (`nats consumer rm {stream} {consumer}`) so sherpa recreates it"
    )]
    ConsumerMismatch {
        stream: String,
        consumer: String,
        problems: String,
    },
    #[error("JetStream request about {what} failed: {message}")]
    Request { what: String, message: String },
}

fn request_error(what: impl Into<String>, err: impl std::fmt::Display) -> ProvisionError {
    ProvisionError::Request {
        what: what.into(),
        message: err.to_string(),
    }
}

/// Gets the stream, creating it when missing and `create` is set; checks an
/// existing one against `spec`.
pub async fn ensure_stream(
    js: &jetstream::Context,
    spec: &StreamSpec,
    create: bool,
) -> Result<stream::Stream, ProvisionError> {
    let what = || format!("stream {}", spec.name);
    match js.get_stream(&spec.name).await {
        Ok(mut existing) => {
            let info = existing
                .info()
                .await
                .map_err(|err| request_error(what(), err))?;
            check_stream(&info.config, spec)?;
            match check_stream_replicas(&info.config, spec) {
                // Without provisioning an operator owns the streams and
                // sherpa creates nothing: their replicas are theirs to choose.
                Err(err) if !create => tracing::warn!(
                    stream = %spec.name,
                    difference = %err,
                    "using the existing stream's replicas"
                ),
                checked => checked?,
            }
            tracing::debug!(stream = %spec.name, "stream exists and fits");
            Ok(existing)
        }
        Err(err) => match err.kind() {
            GetStreamErrorKind::JetStream(js_err)
                if js_err.error_code() == ErrorCode::STREAM_NOT_FOUND =>
            {
                if !create {
                    return Err(ProvisionError::StreamMissing {
                        stream: spec.name.clone(),
                    });
                }
                create_stream(js, spec).await
            }
            _ => Err(request_error(what(), err)),
        },
    }
}

async fn create_stream(
    js: &jetstream::Context,
    spec: &StreamSpec,
) -> Result<stream::Stream, ProvisionError> {
    let config = stream::Config {
        name: spec.name.clone(),
        subjects: spec.subjects.clone(),
        retention: RetentionPolicy::Limits,
        storage: StorageType::File,
        discard: DiscardPolicy::Old,
        duplicate_window: spec.duplicate_window,
        num_replicas: spec.replicas,
        ..Default::default()
    };
    match js.create_stream(config).await {
        Ok(created) => {
            tracing::info!(
                stream = %spec.name,
                subjects = ?spec.subjects,
                duplicate_window = %format_duration(spec.duplicate_window),
                "stream created"
            );
            Ok(created)
        }
        // Another worker created it between our look-up and our create:
        // check what it made like any existing stream.
        Err(err)
            if matches!(err.kind(), CreateStreamErrorKind::JetStream(ref e)
                if e.error_code() == ErrorCode::STREAM_NAME_EXIST) =>
        {
            let mut existing = js
                .get_stream(&spec.name)
                .await
                .map_err(|err| request_error(format!("stream {}", spec.name), err))?;
            let info = existing
                .info()
                .await
                .map_err(|err| request_error(format!("stream {}", spec.name), err))?;
            check_stream(&info.config, spec)?;
            check_stream_replicas(&info.config, spec)?;
            Ok(existing)
        }
        Err(err) => Err(request_error(format!("creating stream {}", spec.name), err)),
    }
}

/// Whether an existing stream's configuration fits what sherpa needs.
pub fn check_stream(config: &stream::Config, spec: &StreamSpec) -> Result<(), ProvisionError> {
    let mismatch = |problem: String| ProvisionError::StreamMismatch {
        stream: spec.name.clone(),
        problem,
    };
    for wanted in &spec.subjects {
        if !config
            .subjects
            .iter()
            .any(|have| pattern_covers(have, wanted))
        {
            return Err(mismatch(format!(
                "its subjects {:?} do not cover {wanted}",
                config.subjects
            )));
        }
    }
    if let Some(min) = spec.min_duplicate_window
        && config.duplicate_window < min
    {
        return Err(mismatch(format!(
            "its duplicate window is {}, shorter than the {} sherpa needs to keep redeliveries from doubling records",
            format_duration(config.duplicate_window),
            format_duration(min)
        )));
    }
    if config.sealed {
        return Err(mismatch("it is sealed".to_string()));
    }
    Ok(())
}

/// Whether an existing stream has the replicas sherpa would create it with.
/// A mismatch is never repaired: moving a stream between R1 and R3 is an
/// operator's decision (`nats stream edit --replicas`), not a side effect
/// of starting a worker with other flags.
pub fn check_stream_replicas(
    config: &stream::Config,
    spec: &StreamSpec,
) -> Result<(), ProvisionError> {
    // The server stores an unset replica count as 1.
    let have = config.num_replicas.max(1);
    let want = spec.replicas.max(1);
    if have == want {
        return Ok(());
    }
    Err(ProvisionError::StreamMismatch {
        stream: spec.name.clone(),
        problem: format!(
            "it has {have} {}, not the {want} sherpa was started with (--stream-replicas {want})",
            if have == 1 { "replica" } else { "replicas" }
        ),
    })
}

/// Gets the durable consumer, creating it when missing and `create` is set;
/// checks an existing one against `spec`.
pub async fn ensure_consumer(
    stream: &stream::Stream,
    stream_name: &str,
    spec: &ConsumerSpec,
    create: bool,
) -> Result<PullConsumer, ProvisionError> {
    let what = || format!("consumer {} on stream {stream_name}", spec.name);
    match stream.consumer_info(&spec.name).await {
        Ok(info) => {
            check_consumer(&info.config, stream_name, spec, create)?;
            stream
                .get_consumer(&spec.name)
                .await
                .map_err(|err| request_error(what(), err))
        }
        Err(err)
            if matches!(
                err.kind(),
                async_nats::jetstream::context::ConsumerInfoErrorKind::NotFound
            ) =>
        {
            if !create {
                return Err(ProvisionError::ConsumerMissing {
                    stream: stream_name.to_string(),
                    consumer: spec.name.clone(),
                });
            }
            let consumer = stream
                .create_consumer(consumer_config(spec))
                .await
                .map_err(|err| request_error(format!("creating {}", what()), err))?;
            tracing::info!(
                stream = %stream_name,
                consumer = %spec.name,
                filter_subject = %spec.filter_subject,
                ack_wait = %format_duration(spec.ack_wait),
                max_deliver = spec.max_deliver,
                max_ack_pending = spec.max_ack_pending,
                "consumer created"
            );
            Ok(consumer)
        }
        Err(err) => Err(request_error(what(), err)),
    }
}

/// The configuration sherpa creates its consumer with.
pub fn consumer_config(spec: &ConsumerSpec) -> pull::Config {
    pull::Config {
        durable_name: Some(spec.name.clone()),
        name: Some(spec.name.clone()),
        description: Some("sherpa: raw articles in, records out".to_string()),
        deliver_policy: DeliverPolicy::All,
        ack_policy: AckPolicy::Explicit,
        ack_wait: spec.ack_wait,
        max_deliver: spec.max_deliver,
        filter_subject: spec.filter_subject.clone(),
        replay_policy: ReplayPolicy::Instant,
        max_ack_pending: spec.max_ack_pending,
        num_replicas: spec.replicas,
        ..Default::default()
    }
}

/// Whether an existing consumer fits. With `strict` (provisioning on), its
/// ack settings must equal the flags; without (`--no-provision`, where an
/// operator owns the consumer), only what sherpa cannot work without is
/// checked and the rest is logged.
pub fn check_consumer(
    config: &async_nats::jetstream::consumer::Config,
    stream_name: &str,
    spec: &ConsumerSpec,
    strict: bool,
) -> Result<(), ProvisionError> {
    let mut fatal = Vec::new();
    let mut differs = Vec::new();
    if config.deliver_subject.is_some() {
        fatal.push("it is a push consumer, sherpa needs a pull consumer".to_string());
    }
    if config.ack_policy != AckPolicy::Explicit {
        fatal.push(format!(
            "ack policy is {:?}, sherpa needs explicit acks",
            config.ack_policy
        ));
    }
    if config.filter_subject != spec.filter_subject {
        fatal.push(format!(
            "filter subject is {:?}, not {:?}",
            config.filter_subject, spec.filter_subject
        ));
    }
    if config.ack_wait != spec.ack_wait {
        differs.push(format!(
            "ack wait is {}, not {} (--ack-wait)",
            format_duration(config.ack_wait),
            format_duration(spec.ack_wait)
        ));
    }
    if config.max_deliver != spec.max_deliver {
        differs.push(format!(
            "max deliver is {}, not {} (--max-deliver)",
            config.max_deliver, spec.max_deliver
        ));
    }
    // 0 means "as many as the stream", which was checked already.
    if config.num_replicas != 0 && config.num_replicas != spec.replicas {
        differs.push(format!(
            "replicas are {}, not {} (--stream-replicas)",
            config.num_replicas, spec.replicas
        ));
    }
    if config.max_ack_pending != spec.max_ack_pending {
        differs.push(format!(
            "max ack pending is {}, not {} (--max-ack-pending)",
            config.max_ack_pending, spec.max_ack_pending
        ));
    }
    if strict {
        fatal.append(&mut differs);
    } else if !differs.is_empty() {
        tracing::warn!(
            stream = %stream_name,
            consumer = %spec.name,
            differences = %differs.join("; "),
            "using the existing consumer's settings"
        );
    }
    if fatal.is_empty() {
        Ok(())
    } else {
        Err(ProvisionError::ConsumerMismatch {
            stream: stream_name.to_string(),
            consumer: spec.name.clone(),
            problems: fatal.join("; "),
        })
    }
}

/// Whether every subject matched by `inner` is also matched by `outer`
/// (NATS wildcards: `*` one token, `>` one or more trailing tokens).
pub fn pattern_covers(outer: &str, inner: &str) -> bool {
    let outer: Vec<&str> = outer.split('.').collect();
    let inner: Vec<&str> = inner.split('.').collect();
    for (i, o) in outer.iter().enumerate() {
        match *o {
            ">" => return inner.len() > i,
            "*" => match inner.get(i) {
                Some(&">") | None => return false,
                Some(_) => {}
            },
            literal => match inner.get(i) {
                Some(t) if *t == literal => {}
                _ => return false,
            },
        }
    }
    outer.len() == inner.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_nats::jetstream::consumer::IntoConsumerConfig;

    #[test]
    fn subject_patterns_cover() {
        assert!(pattern_covers("news.raw.>", "news.raw.>"));
        assert!(pattern_covers("news.raw.>", "news.raw.reuters"));
        assert!(pattern_covers("news.>", "news.raw.*"));
        assert!(pattern_covers(">", "anything.at.all"));
        assert!(pattern_covers("news.*", "news.dlq"));
        assert!(pattern_covers("news.dlq", "news.dlq"));
        assert!(!pattern_covers("news.raw.>", "news.raw"));
        assert!(!pattern_covers("news.raw.*", "news.raw.>"));
        assert!(!pattern_covers("news.raw.*", "news.raw.a.b"));
        assert!(!pattern_covers("news.dlq", "news.dlq.x"));
        assert!(!pattern_covers("news.enriched.summit", "news.enriched.>"));
    }

    fn spec() -> StreamSpec {
        StreamSpec {
            name: "NEWS_ENRICHED".to_string(),
            subjects: vec!["news.enriched.>".to_string()],
            duplicate_window: Duration::from_secs(600),
            min_duplicate_window: Some(Duration::from_secs(600)),
            replicas: 1,
        }
    }

    #[test]
    fn an_existing_stream_must_cover_our_subjects_and_window() {
        let mut config = stream::Config {
            name: "NEWS_ENRICHED".to_string(),
            subjects: vec!["news.>".to_string()],
            duplicate_window: Duration::from_secs(900),
            ..Default::default()
        };
        assert!(check_stream(&config, &spec()).is_ok());
        config.duplicate_window = Duration::from_secs(120);
        let err = check_stream(&config, &spec()).unwrap_err().to_string();
        assert!(err.contains("duplicate window is 2m"), "{err}");
        config.duplicate_window = Duration::from_secs(600);
        config.subjects = vec!["other.>".to_string()];
        let err = check_stream(&config, &spec()).unwrap_err().to_string();
        assert!(err.contains("do not cover news.enriched.>"), "{err}");
    }

    #[test]
    fn an_existing_stream_must_have_the_replicas_asked_for() {
        let mut config = stream::Config {
            name: "NEWS_ENRICHED".to_string(),
            subjects: vec!["news.enriched.>".to_string()],
            duplicate_window: Duration::from_secs(600),
            num_replicas: 1,
            ..Default::default()
        };
        assert!(check_stream_replicas(&config, &spec()).is_ok());
        let three = StreamSpec {
            replicas: 3,
            ..spec()
        };
        let err = check_stream_replicas(&config, &three)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(
                "it has 1 replica, not the 3 sherpa was started with (--stream-replicas 3)"
            ) && err.contains("sherpa never changes an existing stream"),
            "{err}"
        );
        config.num_replicas = 3;
        assert!(check_stream_replicas(&config, &three).is_ok());
        let err = check_stream_replicas(&config, &spec())
            .unwrap_err()
            .to_string();
        assert!(err.contains("it has 3 replicas, not the 1"), "{err}");
        // Unset (0) is what the server treats as 1.
        config.num_replicas = 0;
        assert!(check_stream_replicas(&config, &spec()).is_ok());
    }

    #[test]
    fn an_existing_consumer_must_match_when_provisioning() {
        let spec = ConsumerSpec {
            name: "sherpa".to_string(),
            filter_subject: "news.raw.>".to_string(),
            ack_wait: Duration::from_secs(30),
            max_deliver: 5,
            max_ack_pending: 1000,
            replicas: 1,
        };
        let same = consumer_config(&spec).into_consumer_config();
        assert!(check_consumer(&same, "NEWS_RAW", &spec, true).is_ok());
        let mut other = same.clone();
        other.ack_wait = Duration::from_secs(60);
        let err = check_consumer(&other, "NEWS_RAW", &spec, true)
            .unwrap_err()
            .to_string();
        assert!(err.contains("ack wait is 1m, not 30s"), "{err}");
        assert!(check_consumer(&other, "NEWS_RAW", &spec, false).is_ok());
        let mut replicated = same.clone();
        replicated.num_replicas = 3;
        let err = check_consumer(&replicated, "NEWS_RAW", &spec, true)
            .unwrap_err()
            .to_string();
        assert!(err.contains("replicas are 3, not 1"), "{err}");
        replicated.num_replicas = 0;
        assert!(check_consumer(&replicated, "NEWS_RAW", &spec, true).is_ok());
        other.filter_subject = "news.raw.reuters".to_string();
        assert!(check_consumer(&other, "NEWS_RAW", &spec, false).is_err());
    }
}
