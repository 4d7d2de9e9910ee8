//! The JSON Schemas in `schemas/` are valid draft 2020-12 documents, accept
//! what sherpa really reads and writes (the dev articles and the output of
//! `sherpa extract --articles` over them) and reject broken records.

use std::path::Path;

use jsonschema::{Resource, Validator};
use serde_json::{Value, json};

use crate::support::dev_sets::{dev_file, extract_to_file};

const BASE: &str = "https://sherpa.example/schemas/";
const FILES: [&str; 4] = [
    "article.schema.json",
    "summit.schema.json",
    "aid.schema.json",
    "enriched-article.schema.json",
];

fn schema_json(file: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("schemas")
        .join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: not JSON: {e}", path.display()))
}

/// A validator for one schema file, with the other files registered under
/// their `$id`s (the enriched article refers to the record schemas) and
/// `format` checked (dates, RFC 3339 times).
pub(crate) fn validator(file: &str) -> Validator {
    let mut options = jsonschema::options().should_validate_formats(true);
    for other in FILES {
        let resource = Resource::from_contents(schema_json(other)).expect("a resource");
        options = options.with_resource(format!("{BASE}{other}"), resource);
    }
    options
        .build(&schema_json(file))
        .unwrap_or_else(|e| panic!("{file} does not compile: {e}"))
}

/// Every error of `instance`, one per line; empty when it is valid.
fn errors(validator: &Validator, instance: &Value) -> String {
    validator
        .iter_errors(instance)
        .map(|e| format!("  at {}: {e}\n", e.instance_path))
        .collect()
}

fn assert_valid(validator: &Validator, instance: &Value, what: &str) {
    let errors = errors(validator, instance);
    assert!(errors.is_empty(), "{what} is invalid:\n{errors}{instance}");
}

fn assert_invalid(validator: &Validator, instance: &Value, what: &str) {
    assert!(
        !validator.is_valid(instance),
        "{what} should be invalid: {instance}"
    );
}

#[test]
fn schemas_are_valid_draft_2020_12_with_their_ids() {
    for file in FILES {
        let schema = schema_json(file);
        assert_eq!(
            schema["$schema"],
            json!("https://json-schema.org/draft/2020-12/schema"),
            "{file}"
        );
        assert_eq!(schema["$id"], json!(format!("{BASE}{file}")), "{file}");
        if let Err(e) = jsonschema::meta::validate(&schema) {
            panic!("{file} is not a valid schema: {e}");
        }
        validator(file);
    }
    // The record schemas are self-contained, so they repeat a few
    // definitions: the copies must not drift apart.
    let (summit, aid) = (
        schema_json("summit.schema.json"),
        schema_json("aid.schema.json"),
    );
    for (name, def) in summit["$defs"].as_object().unwrap() {
        if let Some(other) = aid["$defs"].get(name) {
            assert_eq!(def, other, "$defs/{name} differs between summit and aid");
        }
    }
}

#[test]
fn dev_articles_match_the_article_schema() {
    let article = validator("article.schema.json");
    for set in ["seed", "authored-dev", "reuters-dev", "bbc-dev"] {
        let path = dev_file(set, "articles.jsonl");
        let text = std::fs::read_to_string(&path).unwrap();
        for (n, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let value: Value = serde_json::from_str(line).unwrap();
            assert_valid(&article, &value, &format!("{}:{}", path.display(), n + 1));
        }
    }
}

#[test]
fn extract_output_matches_the_record_schemas() {
    let (summit, aid, enriched) = (
        validator("summit.schema.json"),
        validator("aid.schema.json"),
        validator("enriched-article.schema.json"),
    );
    let dir = tempfile::tempdir().unwrap();
    let mut seen = [0usize; 3];
    for set in ["seed", "authored-dev"] {
        let out = dir.path().join(format!("{set}.jsonl"));
        extract_to_file(&dev_file(set, "articles.jsonl"), &out);
        let text = std::fs::read_to_string(&out).unwrap();
        for (n, line) in text.lines().enumerate() {
            let what = format!("sherpa extract --articles ({set}) line {}", n + 1);
            let record: Value =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("{what}: not JSON: {e}"));
            let (validator, count) = match record["schema"].as_str() {
                Some("summit/1") => (&summit, &mut seen[0]),
                Some("aid/1") => (&aid, &mut seen[1]),
                Some("article/1") => (&enriched, &mut seen[2]),
                other => panic!("{what}: unknown schema {other:?}"),
            };
            *count += 1;
            assert_valid(validator, &record, &what);
        }
    }
    // One enriched article per input article (1 seed + 30 authored).
    assert_eq!(seen[2], 31, "enriched articles written");
    // Real records of both kinds, so the record schemas meet real output.
    assert!(seen[0] > 0, "no summit records to validate");
    assert!(seen[1] > 0, "no aid records to validate");
    println!(
        "validated {} summit, {} aid, {} article records",
        seen[0], seen[1], seen[2]
    );
}

/// Hand-made records that follow the contract, and broken copies of them:
/// the schemas accept the first and reject each of the others.
#[test]
fn broken_records_fail_validation() {
    let article = json!({"id": "seed-0001", "source": "CNBC", "url": null,
        "published_at": "2018-03-29T10:00:00Z", "title": "Japan wants its own North Korea summit"});
    let evidence = json!({"text": "A Japan-North Korea summit could be held in early June.",
        "start": 120, "end": 176, "byte_start": 120, "byte_end": 176});
    let good_summit = json!({
        "schema": "summit/1", "record_id": "s-1", "event_key": "JPN+PRK@2018-06",
        "article": article, "participants": ["JPN", "PRK"],
        "leaders": [{"name": "Shinzo Abe", "code": "JPN"}], "status": "proposed",
        "when": {"text": "early June", "start": "2018-06-01", "end": "2018-06-10"},
        "location": null, "evidence": evidence, "time_anchor": "published_at",
        "cameo": "036", "plover": {"event_type": "AGREE", "mode": null, "context": "diplomatic"},
        "something_new": [1, 2, 3]
    });
    let good_aid = json!({
        "schema": "aid/1", "record_id": "a-1", "article": article,
        "donor": "JPN", "recipient": "PRK",
        "amount": {"text": "$20 billion to $50 billion", "currency": "USD", "min": 2e10, "max": 5e10},
        "amount_usd": {"min": 2e10, "max": 5e10, "rate_date": "2018-12-31"},
        "status": "requested", "aid_type": "economic",
        "condition": "if it normalises relations", "evidence": evidence,
        "cameo": "0231", "plover": {"event_type": "REQUEST", "mode": "assist", "context": "economic"}
    });
    let good_article = json!({
        "schema": "article/1", "record_id": "art-1", "article": article, "text": "…",
        "actors": [{"code": "JPN", "text": "Japan", "start": 0, "end": 5}],
        "summits": [good_summit], "aid": [good_aid], "time_anchor": "published_at",
        "diagnostics": []
    });
    let (summit, aid, enriched) = (
        validator("summit.schema.json"),
        validator("aid.schema.json"),
        validator("enriched-article.schema.json"),
    );
    assert_valid(&summit, &good_summit, "the good summit");
    assert_valid(&aid, &good_aid, "the good aid record");
    assert_valid(&enriched, &good_article, "the good enriched article");

    let broken = |good: &Value, pointer: &str, value: Option<Value>| {
        let mut bad = good.clone();
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        let parent = bad.pointer_mut(parent).unwrap();
        match value {
            Some(v) => match parent {
                Value::Array(items) => items[key.parse::<usize>().unwrap()] = v,
                _ => parent[key] = v,
            },
            None => {
                parent.as_object_mut().unwrap().remove(key);
            }
        }
        bad
    };
    let summit_cases = [
        ("/status", Some(json!("maybe"))),
        ("/schema", Some(json!("aid/1"))),
        ("/participants", Some(json!([]))),
        ("/participants/0", Some(json!("japan"))),
        ("/when/start", Some(json!("June 2018"))),
        ("/when/end", Some(json!("2018-13-45"))),
        ("/when/text", None),
        ("/event_key", Some(json!("JPN-PRK"))),
        ("/article/id", None),
        ("/article/published_at", Some(json!("yesterday"))),
        ("/evidence/start", Some(json!(-1))),
        ("/leaders", Some(json!([{"name": "Abe"}]))),
        (
            "/location",
            Some(json!({"text": "Tokyo", "country": "Japan"})),
        ),
        ("/time_anchor", Some(json!("now"))),
        ("/record_id", None),
        ("/when", None),
        ("/cameo", Some(json!(36))),
        ("/cameo", Some(json!("36a"))),
        ("/cameo", None),
        ("/plover", None),
        ("/plover/event_type", Some(json!("agree"))),
        ("/plover/mode", None),
    ];
    for (pointer, value) in summit_cases {
        let what = format!("a summit with {pointer} = {value:?}");
        assert_invalid(
            &summit,
            &broken(&good_summit, pointer, value.clone()),
            &what,
        );
        let nested = broken(&good_article, &format!("/summits/0{pointer}"), value);
        assert_invalid(&enriched, &nested, &format!("an article holding {what}"));
    }
    let aid_cases = [
        ("/status", Some(json!("granted"))),
        ("/aid_type", Some(json!("grant"))),
        ("/amount/currency", Some(json!("$"))),
        ("/amount/currency", Some(json!("usd"))),
        ("/amount/min", Some(json!("20 billion"))),
        ("/amount/max", None),
        ("/amount_usd/rate_date", Some(json!("2018/03/29"))),
        ("/donor", Some(json!("Japan"))),
        ("/recipient", None),
        ("/condition", Some(json!(true))),
        ("/evidence", None),
        ("/cameo", None),
        ("/plover", None),
        ("/plover/context", Some(json!(1))),
    ];
    for (pointer, value) in aid_cases {
        let what = format!("an aid record with {pointer} = {value:?}");
        assert_invalid(&aid, &broken(&good_aid, pointer, value.clone()), &what);
        let nested = broken(&good_article, &format!("/aid/0{pointer}"), value);
        assert_invalid(&enriched, &nested, &format!("an article holding {what}"));
    }
    for (pointer, value) in [
        ("/schema", Some(json!("summit/1"))),
        ("/text", None),
        (
            "/actors/0",
            Some(json!({"code": "JPN", "text": "Japan", "start": 0})),
        ),
        ("/diagnostics", Some(json!([1]))),
    ] {
        let what = format!("an enriched article with {pointer} = {value:?}");
        assert_invalid(&enriched, &broken(&good_article, pointer, value), &what);
    }

    let input = validator("article.schema.json");
    assert_valid(
        &input,
        &json!({"id": "a", "body": "text", "lang_score": 0.9}),
        "an article",
    );
    assert_valid(
        &input,
        &json!({"id": "a", "url": "https://example.com/x"}),
        "a url-only article",
    );
    for bad in [
        json!({"body": "no id"}),
        json!({"id": "", "body": "x"}),
        json!({"id": "a"}),
        json!({"id": "a", "body": "   "}),
        json!({"id": "a", "body": "x", "content_type": "image/png"}),
        json!({"id": "a", "body": "x", "published_at": "yesterday"}),
        json!({"id": "x".repeat(257), "body": "x"}),
        json!({"id": 5, "body": "x"}),
    ] {
        assert_invalid(&input, &bad, "a broken article");
    }
}
