//! `sherpa parse`: runs the core's money, time, number and actor finders on
//! bare texts (JSON Lines on stdin, one answer per line on stdout), for
//! debugging the extractors and for running peers' test suites.

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use anyhow::Context;
use chrono::{DateTime, NaiveDate};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::extract::time::{Grain, Tense};
use crate::knowledge::Knowledge;
use crate::shell::jsonl::Lines;

#[derive(Debug, clap::Args)]
pub struct ParseArgs {}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Kind {
    Money,
    Time,
    Number,
    Actor,
    /// Not in the contract: the sentence splitter, for debugging.
    Sentence,
}

#[derive(Debug, Deserialize)]
struct Request {
    kind: Kind,
    text: String,
    /// RFC 3339; anchors relative times and dates leaders' terms.
    #[serde(default)]
    reference: Option<String>,
    /// `past`, `present` or `future`: the tense around a time expression.
    #[serde(default)]
    tense: Option<String>,
}

fn grain_name(g: Grain) -> &'static str {
    match g {
        Grain::Day => "day",
        Grain::Week => "week",
        Grain::Month => "month",
        Grain::Quarter => "quarter",
        Grain::Year => "year",
    }
}

/// Answers one request.
pub fn answer(kb: &Knowledge, line: &[u8]) -> Result<Value, String> {
    let req: Request = serde_json::from_slice(line).map_err(|e| format!("invalid request: {e}"))?;
    let anchor: Option<NaiveDate> = match &req.reference {
        Some(r) => Some(
            DateTime::parse_from_rfc3339(r)
                .map_err(|e| format!("`reference` is not RFC 3339: {e}"))?
                .date_naive(),
        ),
        None => None,
    };
    let found: Vec<Value> = match req.kind {
        Kind::Money => kb
            .money
            .find(&req.text)
            .into_iter()
            .map(|m| {
                json!({"currency": m.currency, "unit": m.ambiguous_unit, "min": m.min, "max": m.max,
                       "text": &req.text[m.start..m.end]})
            })
            .collect(),
        Kind::Number => kb
            .numbers
            .find(&req.text)
            .into_iter()
            .map(|n| json!({"value": n.value, "text": &req.text[n.start..n.end]}))
            .collect(),
        Kind::Time => {
            let tense = match req.tense.as_deref() {
                None => Tense::Unknown,
                Some("past") => Tense::Past,
                Some("present") => Tense::Present,
                Some("future") => Tense::Future,
                Some(other) => return Err(format!("unknown tense {other:?}")),
            };
            kb.time
                .find(&req.text, anchor, tense)
                .into_iter()
                .map(|t| {
                    json!({"start": t.first.to_string(), "end": t.last.to_string(),
                           "grain": grain_name(t.grain), "text": &req.text[t.start..t.end]})
                })
                .collect()
        }
        Kind::Sentence => kb
            .sentences
            .split(&req.text)
            .into_iter()
            .map(|s| json!({"start": s.start, "end": s.end, "text": &req.text[s.start..s.end]}))
            .collect(),
        Kind::Actor => kb
            .gazetteer
            .find(&req.text, anchor)
            .into_iter()
            .map(|a| json!({"code": a.code, "text": &req.text[a.start..a.end]}))
            .collect(),
    };
    Ok(json!({ "found": found }))
}

pub fn run(_args: ParseArgs) -> anyhow::Result<ExitCode> {
    let kb = Knowledge::builtin()?;
    let stdin = io::stdin();
    let mut out = BufWriter::new(io::stdout().lock());
    let mut bad = 0usize;
    for line in Lines::new(stdin.lock(), "-") {
        let line = line.context("cannot read stdin")?;
        let value = answer(&kb, &line.bytes).unwrap_or_else(|err| {
            bad += 1;
            eprintln!("sherpa: -:{}: {err}", line.number);
            json!({ "found": [], "error": err })
        });
        serde_json::to_writer(&mut out, &value)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(if bad > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
