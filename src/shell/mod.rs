//! The I/O shell: JSON Lines files, NATS, HTTP, signals, telemetry.

pub mod jsonl;
