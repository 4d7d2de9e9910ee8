//! `event_key` joins the reports of one summit: articles that name it in
//! different words, on different days, before and after it took place,
//! with and without `published_at`, all give it the same key.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use crate::support::dev_sets::sherpa;
use crate::support::stdout_ok;

/// Five reports of the Singapore summit of Donald Trump and Kim Jong Un
/// (2018-06-12), written for this test.
const ARTICLES: &str = r#"{"id":"ek-announced","source":"Wire","published_at":"2018-05-10T22:00:00Z","title":"Trump says he will meet Kim in Singapore on June 12","body":"WASHINGTON - U.S. President Donald Trump said on Thursday he will meet North Korean leader Kim Jong Un in Singapore on June 12, the first summit between a sitting American president and a North Korean leader."}
{"id":"ek-back-on","source":"Daily","published_at":"2018-06-02T08:30:00Z","title":"Singapore summit back on","body":"The summit between the United States and North Korea is back on. After a week of uncertainty, the White House confirmed that Trump and Kim will hold talks in Singapore on June 12 as first planned."}
{"id":"ek-held","source":"Broadcaster","published_at":"2018-06-12T14:00:00Z","title":"Trump and Kim shake hands in Singapore","body":"Donald Trump and Kim Jong Un met in Singapore on Tuesday, shaking hands on the island of Sentosa at the start of a summit that ended with a joint statement on denuclearisation."}
{"id":"ek-week-after","source":"Weekly","published_at":"2018-06-18T09:00:00Z","title":"After the summit","body":"A week after Kim Jong Un and President Trump met in Singapore, Seoul and Tokyo are still guessing what the two leaders agreed on June 12."}
{"id":"ek-no-date","source":"BBC","title":"Kim and Trump to meet","body":"North Korea's leader Kim Jong-un and US President Donald Trump will meet in Singapore on 12 June, officials in Washington and Pyongyang said."}
"#;

#[test]
fn one_summit_reported_in_different_words_and_on_different_days_has_one_event_key() {
    // The article without `published_at` is anchored on the time received.
    let output = sherpa(
        ["extract", "--now", "2018-05-20T00:00:00Z", "-"],
        Some(ARTICLES.as_bytes()),
    );
    let stdout = stdout_ok("sherpa extract", &output);
    // Article id -> (event_key, status) of its records between the two states.
    let mut found: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for line in stdout.lines() {
        let record: Value = serde_json::from_str(line).expect("a JSON record");
        if record["schema"] != "summit/1" || record["participants"] != json!(["PRK", "USA"]) {
            continue;
        }
        found
            .entry(record["article"]["id"].as_str().unwrap_or("").to_string())
            .or_default()
            .push((
                record["event_key"].as_str().unwrap_or("").to_string(),
                record["status"].as_str().unwrap_or("").to_string(),
            ));
    }
    for line in ARTICLES.lines() {
        let article: Value = serde_json::from_str(line).expect("a JSON article");
        let id = article["id"].as_str().expect("an id");
        assert!(
            found.contains_key(id),
            "{id} yields no PRK+USA summit: {found:?}"
        );
    }
    let keys: BTreeSet<&str> = found
        .values()
        .flatten()
        .map(|(key, _)| key.as_str())
        .collect();
    assert_eq!(
        keys.into_iter().collect::<Vec<_>>(),
        ["PRK+USA@2018-06"],
        "one summit, one key: {found:?}"
    );
    // The key does not depend on the status the report gives.
    let statuses: BTreeSet<&str> = found
        .values()
        .flatten()
        .map(|(_, status)| status.as_str())
        .collect();
    assert!(
        statuses.contains("planned") && statuses.contains("held"),
        "reports before and after the summit: {found:?}"
    );
}
