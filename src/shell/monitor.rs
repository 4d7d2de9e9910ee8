//! Watches the broker for what `/readyz` and the metrics report: the NATS
//! connection state (every second, a local read) and the durable consumer's
//! pending, ack-pending and redelivered counts (polled from JetStream). A
//! consumer that JetStream no longer knows makes the worker unready until it
//! is back (the pull loop recreates it when provisioning is allowed).
//!
//! It only reads; it never changes anything on the broker.

use std::sync::Arc;
use std::time::Duration;

use async_nats::connection::State;
use async_nats::jetstream;
use async_nats::jetstream::context::ConsumerInfoErrorKind;

use super::http::Readiness;
use super::shutdown::Shutdown;
use crate::events::{BrokerPolled, ConsumerCounts, Emit as _, NatsOperation, NatsOperationFailed};

/// How often the connection state is read.
const CONNECTION_INTERVAL: Duration = Duration::from_secs(1);

/// What to watch and how often.
#[derive(Debug, Clone)]
pub struct MonitorConfig {
    /// The input stream's consumer, by name.
    pub consumer: String,
    /// How often the consumer's counts are polled.
    pub consumer_interval: Duration,
}

/// Runs until shutdown is requested.
pub async fn watch_broker(
    client: async_nats::Client,
    input: jetstream::stream::Stream,
    config: MonitorConfig,
    readiness: Arc<Readiness>,
    shutdown: Shutdown,
) {
    let connection = async {
        let mut interval = tokio::time::interval(CONNECTION_INTERVAL);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            let connected = client.connection_state() == State::Connected;
            readiness.set_connected(connected);
            if !connected {
                BrokerPolled {
                    connected,
                    consumer: None,
                }
                .emit();
            }
        }
    };
    let consumer = async {
        let mut interval = tokio::time::interval(config.consumer_interval);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            if client.connection_state() != State::Connected {
                continue;
            }
            // A request to a broker that just went away waits for the
            // context's timeout; the connection loop meanwhile says unready.
            match input.consumer_info(&config.consumer).await {
                Ok(info) => {
                    readiness.set_consumer_bound(true);
                    BrokerPolled {
                        connected: true,
                        consumer: Some(ConsumerCounts {
                            pending: info.num_pending,
                            ack_pending: info.num_ack_pending as u64,
                            redelivered: info.num_redelivered as u64,
                        }),
                    }
                    .emit();
                }
                Err(err) => {
                    if matches!(
                        err.kind(),
                        ConsumerInfoErrorKind::NotFound | ConsumerInfoErrorKind::StreamNotFound
                    ) {
                        readiness.set_consumer_bound(false);
                    }
                    NatsOperationFailed {
                        operation: NatsOperation::ConsumerInfo,
                        error: &err,
                        stream_sequence: None,
                    }
                    .emit();
                }
            }
        }
    };
    tokio::select! {
        _ = shutdown.requested() => {}
        _ = connection => {}
        _ = consumer => {}
    }
}
