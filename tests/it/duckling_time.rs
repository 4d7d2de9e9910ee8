//! Duckling's English time corpus (`shared/eval/duckling/time.jsonl`) run
//! through `sherpa parse`, the way a peer's test suite would run it.
//!
//! A line passes when the first expression found (or the one covering the
//! whole text) spans exactly the line's `date_span`; a negative line passes
//! when nothing is found. The floors below are today's rates: a regression
//! breaks the build.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use crate::support::{shared_dir, sherpa_bin, stdout_ok};

/// Date-level lines with their own direction: must pass at this rate.
const NEWS_FLOOR: f64 = 0.90;
/// Lines whose direction Duckling chose (always the future), with no tense
/// given: a regression guard, not a target.
const IMPLICIT_FLOOR: f64 = 0.80;

#[derive(Default)]
struct Tally {
    passed: usize,
    total: usize,
    failures: Vec<String>,
}

impl Tally {
    fn add(&mut self, ok: bool, line: &Value, found: &Value) {
        self.total += 1;
        if ok {
            self.passed += 1;
        } else {
            self.failures.push(format!("{} -> {}", line["text"], found));
        }
    }

    fn rate(&self) -> f64 {
        self.passed as f64 / self.total.max(1) as f64
    }

    fn report(&self, name: &str) {
        eprintln!(
            "duckling time, {name}: {}/{} = {:.1}%",
            self.passed,
            self.total,
            100.0 * self.rate()
        );
        for f in &self.failures {
            eprintln!("    miss: {f}");
        }
    }
}

/// Runs every line through one `sherpa parse` process, with no tense (the
/// corpus has none), and returns one answer per line.
fn parse_all(lines: &[Value]) -> Vec<Value> {
    let input: String = lines
        .iter()
        .map(|l| {
            json!({"kind": "time", "text": l["text"], "reference": l["reference"]}).to_string()
                + "\n"
        })
        .collect();
    let mut child = Command::new(sherpa_bin())
        .arg("parse")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot start sherpa parse");
    let mut stdin = child.stdin.take().expect("stdin is piped");
    // Write from a thread: the answers fill stdout while the input is
    // still going in.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child
        .wait_with_output()
        .expect("sherpa parse did not finish");
    writer
        .join()
        .expect("writer thread panicked")
        .expect("cannot write to sherpa parse");
    let answers: Vec<Value> = stdout_ok("sherpa parse", &output)
        .lines()
        .map(|l| serde_json::from_str(l).expect("sherpa parse writes JSON lines"))
        .collect();
    assert_eq!(answers.len(), lines.len(), "one answer per request");
    answers
}

/// The found item the line is judged on: the one whose text is the whole
/// line, else the first.
fn matches_span(line: &Value, answer: &Value) -> bool {
    let Some(found) = answer["found"].as_array() else {
        return false;
    };
    let Some(item) = found
        .iter()
        .find(|f| f["text"] == line["text"])
        .or(found.first())
    else {
        return false;
    };
    let span = &line["date_span"];
    item["start"] == span[0] && item["end"] == span[1]
}

#[test]
fn duckling_time_corpus_through_sherpa_parse() {
    let path = shared_dir().join("eval/duckling/time.jsonl");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("corpus line is JSON"))
        .collect();
    let answers = parse_all(&lines);

    let mut news = Tally::default();
    let mut negatives = Tally::default();
    let mut implicit = Tally::default();
    let mut no_span = 0;
    for (line, answer) in lines.iter().zip(&answers) {
        let negative = line["category"] == "negative";
        if negative {
            let none = answer["found"].as_array().is_some_and(|f| f.is_empty());
            negatives.add(none, line, answer);
            continue;
        }
        if line["news_relevant"] != true || !line["holiday"].is_null() {
            continue;
        }
        // Open intervals ("since 2014") and BC years have no inclusive date
        // span to compare with.
        if line["date_span"].is_null() {
            no_span += 1;
            continue;
        }
        let tally = if line["implicit_direction"] == true {
            &mut implicit
        } else {
            &mut news
        };
        tally.add(matches_span(line, answer), line, answer);
    }

    news.report("news-relevant lines with their own direction");
    negatives.report("negatives");
    implicit.report("implicit-direction lines, tense unknown (Duckling reads the future)");
    eprintln!("duckling time: {no_span} news-relevant lines without a date span left out");

    assert!(
        news.rate() >= NEWS_FLOOR,
        "news-relevant rate {:.3} below {NEWS_FLOOR}",
        news.rate()
    );
    assert_eq!(
        negatives.passed, negatives.total,
        "a negative line found a time"
    );
    assert!(
        implicit.rate() >= IMPLICIT_FLOOR,
        "implicit-direction rate {:.3} below {IMPLICIT_FLOOR}",
        implicit.rate()
    );
}
