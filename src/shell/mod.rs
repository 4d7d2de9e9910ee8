//! The I/O shell: JSON Lines files, NATS, HTTP, signals, telemetry.

pub mod connect;
pub mod duration;
pub mod fetch;
pub mod http;
pub mod jsonl;
pub mod monitor;
pub mod nats;
pub mod provision;
pub mod shutdown;
