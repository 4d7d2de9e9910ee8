//! Names for one worker test: streams, subjects and consumer, unique per
//! test, and the `sherpa run` arguments that use them.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

pub struct Layout {
    pub prefix: String,
}

#[allow(dead_code)]
impl Layout {
    /// A fresh layout; `tag` tells the test files apart in the server's logs.
    pub fn new(tag: &str) -> Layout {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        Layout {
            prefix: format!(
                "{tag}P{}N{}R{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::Relaxed),
                nanos % 1_000_000
            ),
        }
    }
    pub fn input_stream(&self) -> String {
        format!("{}_RAW", self.prefix)
    }
    pub fn output_stream(&self) -> String {
        format!("{}_OUT", self.prefix)
    }
    pub fn dlq_stream(&self) -> String {
        format!("{}_DLQ", self.prefix)
    }
    pub fn consumer(&self) -> String {
        format!("{}_worker", self.prefix)
    }
    pub fn raw_subject(&self, source: &str) -> String {
        format!("{}.raw.{source}", self.prefix)
    }
    pub fn output_subject(&self, kind: &str) -> String {
        format!("{}.out.{kind}", self.prefix)
    }
    pub fn dlq_subject(&self) -> String {
        format!("{}.dlq", self.prefix)
    }

    /// `sherpa run` on this layout's streams and subjects against `urls`
    /// (comma-separated), JSON logs at info, operations on a free port.
    pub fn run_args(&self, urls: &str) -> Vec<String> {
        let p = &self.prefix;
        [
            "run",
            "--nats-url",
            urls,
            "--input-stream",
            &self.input_stream(),
            "--input-subjects",
            &format!("{p}.raw.>"),
            "--consumer",
            &self.consumer(),
            "--output-stream",
            &self.output_stream(),
            "--output-subjects",
            &format!("{p}.out.>"),
            "--summit-subject",
            &self.output_subject("summit"),
            "--aid-subject",
            &self.output_subject("aid"),
            "--article-subject",
            &self.output_subject("article"),
            "--dlq-stream",
            &self.dlq_stream(),
            "--dlq-subject",
            &self.dlq_subject(),
            "--shutdown-timeout",
            "10s",
            "--log-format",
            "json",
            "--log-level",
            "info",
            // Several workers run at once: each on a free operations port.
            "--metrics-addr",
            "127.0.0.1:0",
        ]
        .into_iter()
        .map(String::from)
        .collect()
    }
}
