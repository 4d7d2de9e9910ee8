//! The command-line contract of `sherpa extract` and `sherpa parse`.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use crate::support::sherpa_bin;

fn run(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(sherpa_bin())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn sherpa");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("wait for sherpa")
}

const GOOD: &str = r#"{"id":"g1","published_at":"2018-03-29T10:00:00Z","body":"Japanese Prime Minister Shinzo Abe and North Korean leader Kim Jong Un will hold a summit in Pyongyang in early June."}"#;

#[test]
fn extract_reports_bad_lines_and_goes_on() {
    let input = format!("{GOOD}\nnot json\n\n{{\"body\":\"x\"}}\n{GOOD}\n");
    let out = run(&["extract"], &input);
    assert_eq!(out.status.code(), Some(1), "a bad line makes exit code 1");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("-:2: invalid_json"), "stderr: {stderr}");
    assert!(stderr.contains("-:4: missing_id"), "stderr: {stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let summits = stdout
        .lines()
        .filter(|l| l.contains("\"schema\":\"summit/1\""))
        .count();
    assert_eq!(summits, 2, "both good lines are extracted: {stdout}");
}

#[test]
fn extract_articles_flag_adds_enriched_records() {
    let out = run(&["extract", "--articles", "-"], &format!("{GOOD}\n"));
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last: serde_json::Value =
        serde_json::from_str(stdout.lines().last().expect("a line")).expect("json");
    assert_eq!(last["schema"], "article/1");
    assert_eq!(last["article"]["id"], "g1");
}

#[test]
fn extract_missing_file_is_a_runtime_error() {
    let out = run(&["extract", "/nonexistent/articles.jsonl"], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot open"));
}

#[test]
fn unknown_flag_is_a_usage_error() {
    let out = run(&["extract", "--no-such-flag"], "");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn parse_answers_every_line_in_order() {
    let input = concat!(
        r#"{"kind":"actor","text":"Pyongyang and Tokyo","reference":"2018-03-29T00:00:00Z"}"#,
        "\n",
        r#"{"kind":"nonsense","text":"x"}"#,
        "\n",
    );
    let out = run(&["parse"], input);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a bad request makes exit code 1"
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(lines.len(), 2);
    let codes: Vec<&str> = lines[0]["found"]
        .as_array()
        .expect("found")
        .iter()
        .map(|f| f["code"].as_str().expect("code"))
        .collect();
    assert_eq!(codes, ["PRK", "JPN"]);
    assert!(lines[1]["error"].is_string());
}
