//! What the worker tests compare: the records `sherpa extract` makes, and
//! the records a stream holds.

use std::collections::BTreeMap;
use std::path::Path;

use async_nats::jetstream;
use serde_json::Value;

use super::{sherpa_command, stdout_ok};

/// `sherpa extract --articles FILE`, by `record_id`; no id may come twice.
pub fn extract_records(path: &Path) -> BTreeMap<String, Value> {
    let output = sherpa_command()
        .args(["extract", "--articles"])
        .arg(path)
        .output()
        .expect("run sherpa extract");
    let mut records = BTreeMap::new();
    for line in stdout_ok("sherpa extract", &output).lines() {
        let record: Value = serde_json::from_str(line).expect("extract writes JSON lines");
        let id = record["record_id"]
            .as_str()
            .expect("every record has a record_id")
            .to_string();
        let previous = records.insert(id.clone(), record);
        assert!(
            previous.is_none(),
            "sherpa extract made two records with record_id {id}: downstream deduplication would drop one"
        );
    }
    records
}

/// Every record of `expected` in `seen`, nothing else, each equal.
pub fn assert_same_records(expected: &BTreeMap<String, Value>, seen: &BTreeMap<String, Value>) {
    let missing: Vec<&String> = expected
        .keys()
        .filter(|id| !seen.contains_key(*id))
        .collect();
    let extra: Vec<&String> = seen
        .keys()
        .filter(|id| !expected.contains_key(*id))
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{} records missing (first: {:?}), {} unexpected (first: {:?})",
        missing.len(),
        missing.first(),
        extra.len(),
        extra.first()
    );
    for (id, record) in expected {
        assert_eq!(
            &seen[id], record,
            "record {id} differs from `sherpa extract`"
        );
    }
}

/// The messages in a stream, or `None` while JetStream cannot say.
pub async fn stream_messages(js: &jetstream::Context, name: &str) -> Option<u64> {
    let mut stream = js.get_stream(name).await.ok()?;
    Some(stream.info().await.ok()?.state.messages)
}
