//! Duckling's English money and numeral corpora (shared/eval/duckling) run
//! through the real binary, `sherpa parse`, as a regression floor for the
//! money and number finders.
//!
//! Money: a line passes when `found` holds exactly one amount with Duckling's
//! bounds (`value`: min == max == value; `between`; `above`: max null;
//! `under`: min null) and its currency: where Duckling resolves an ISO code
//! ours must equal it, where it leaves a symbol or word ("$", "£", "cent",
//! "dinar", "unknown") our `unit` must equal that. Duckling counts cents in
//! cents ("10 cents" is 10 "cent"); sherpa counts whole units (0.10 USD), so
//! those expectations are divided by 100. Latent lines (bare numbers) and the
//! negative line must give nothing.
//!
//! Numerals: a line passes when `found` holds exactly one number of the
//! expected value.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use crate::support::{shared_dir, sherpa_bin};

/// Share of the regular money lines that must pass: the level reached (140
/// of 141; the miss is Duckling's "7-9 lakh rupees" = 7..900000, where sherpa
/// applies the lakh to both ends), well above the required 95%.
const MONEY_FLOOR: f64 = 0.99;
/// Share of the numeral lines that must pass: the level reached (100 of 105).
/// The misses are deliberate: "single", "few" and "a few" (3) are no numbers
/// in news, and "30 l" (lakh) and "300 Kr" (crore) would misread litres and
/// Scandinavian crowns.
const NUMERAL_FLOOR: f64 = 0.95;

fn corpus(name: &str) -> Vec<Value> {
    let path = shared_dir().join("eval/duckling").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{}: {e}: {l}", path.display())))
        .collect()
}

/// Runs `sherpa parse` over `texts` of one kind; one answer per text.
fn parse_all(kind: &str, texts: &[&str]) -> Vec<Value> {
    let mut child = Command::new(sherpa_bin())
        .arg("parse")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn sherpa parse");
    let input: String = texts
        .iter()
        .map(|t| format!("{}\n", json!({"kind": kind, "text": t})))
        .collect();
    let mut stdin = child.stdin.take().expect("stdin");
    // Write from a thread so a full stdout pipe cannot deadlock the test.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("sherpa parse runs");
    writer.join().expect("writer thread").expect("write stdin");
    assert!(
        out.status.success(),
        "sherpa parse failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answers: Vec<Value> = String::from_utf8(out.stdout)
        .expect("utf-8 stdout")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad answer line {l:?}: {e}")))
        .collect();
    assert_eq!(answers.len(), texts.len(), "one answer per input line");
    answers
}

fn found(answer: &Value) -> &[Value] {
    answer["found"].as_array().map_or(&[], Vec::as_slice)
}

fn close(got: &Value, want: Option<f64>) -> bool {
    match (got.as_f64(), want) {
        (None, None) => got.is_null(),
        (Some(g), Some(w)) => (g - w).abs() <= 1e-9 * w.abs().max(1.0),
        _ => false,
    }
}

/// Whether sherpa's answer matches a regular (non-latent) Duckling money line.
fn money_line_passes(line: &Value, answer: &Value) -> bool {
    let [item] = found(answer) else { return false };
    let unit = line["currency"].as_str().unwrap_or_default();
    let scale = if unit == "cent" { 0.01 } else { 1.0 };
    let num = |key: &str| line[key].as_f64().map(|v| v * scale);
    let (min, max) = match line["kind"].as_str() {
        Some("value") => (num("value"), num("value")),
        Some("between") => (num("min"), num("max")),
        Some("above") => (num("min"), None),
        Some("under") => (None, num("max")),
        _ => return false,
    };
    let currency_ok = match line["iso4217"].as_str() {
        Some(iso) => item["currency"] == iso,
        None => item["unit"] == unit,
    };
    currency_ok && close(&item["min"], min) && close(&item["max"], max)
}

#[test]
fn duckling_money_corpus_through_parse() {
    let lines = corpus("money.jsonl");
    let texts: Vec<&str> = lines
        .iter()
        .map(|l| l["text"].as_str().expect("text"))
        .collect();
    let answers = parse_all("money", &texts);

    let (mut regular, mut passed, mut silent, mut silent_ok) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    for (line, answer) in lines.iter().zip(&answers) {
        let must_be_silent = line["latent"] == true || line["kind"] == "negative";
        if must_be_silent {
            silent += 1;
            if found(answer).is_empty() {
                silent_ok += 1;
            } else {
                failures.push(format!(
                    "  should find nothing: {} -> {}",
                    line["text"], answer["found"]
                ));
            }
        } else {
            regular += 1;
            if money_line_passes(line, answer) {
                passed += 1;
            } else {
                failures.push(format!(
                    "  {} (duckling {} {} {}/{}/{}) -> {}",
                    line["text"],
                    line["currency"],
                    line["kind"],
                    line["value"],
                    line["min"],
                    line["max"],
                    answer["found"]
                ));
            }
        }
    }
    let rate = f64::from(passed) / f64::from(regular);
    eprintln!(
        "duckling money: {passed}/{regular} regular lines pass ({:.1}%); {silent_ok}/{silent} latent and negative lines find nothing",
        rate * 100.0
    );
    if !failures.is_empty() {
        eprintln!("duckling money misses:\n{}", failures.join("\n"));
    }
    assert_eq!(
        silent_ok, silent,
        "latent and negative lines must find no money"
    );
    assert!(
        rate >= MONEY_FLOOR,
        "money pass rate {rate:.3} is below the floor {MONEY_FLOOR}"
    );
}

#[test]
fn duckling_numeral_corpus_through_parse() {
    let lines = corpus("numeral.jsonl");
    let texts: Vec<&str> = lines
        .iter()
        .map(|l| l["text"].as_str().expect("text"))
        .collect();
    let answers = parse_all("number", &texts);

    let mut passed = 0;
    let mut failures = Vec::new();
    for (line, answer) in lines.iter().zip(&answers) {
        let ok = matches!(found(answer), [item] if close(&item["value"], line["value"].as_f64()));
        if ok {
            passed += 1;
        } else {
            failures.push(format!(
                "  {} (duckling {}) -> {}",
                line["text"], line["value"], answer["found"]
            ));
        }
    }
    let rate = f64::from(passed) / lines.len() as f64;
    eprintln!(
        "duckling numerals: {passed}/{} lines pass ({:.1}%)",
        lines.len(),
        rate * 100.0
    );
    if !failures.is_empty() {
        eprintln!("duckling numeral misses:\n{}", failures.join("\n"));
    }
    assert!(
        rate >= NUMERAL_FLOOR,
        "numeral pass rate {rate:.3} is below the floor {NUMERAL_FLOOR}"
    );
}
