//! Golden test over the bundled examples: `sherpa extract` on
//! examples/articles.jsonl must print exactly examples/expected.jsonl.
//! After a deliberate change, regenerate with `SHERPA_BLESS=1 cargo test --test it golden`
//! and review the diff.

use std::path::PathBuf;
use std::process::Command;

use crate::support::sherpa_bin;

#[test]
fn examples_match_expected_records() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(sherpa_bin())
        .args(["extract", "--now", "2024-01-01T00:00:00Z"])
        .arg(root.join("examples/articles.jsonl"))
        .output()
        .expect("run sherpa extract");
    assert!(
        out.status.success(),
        "sherpa extract failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got = String::from_utf8(out.stdout).expect("utf-8 output");
    let expected_path = root.join("examples/expected.jsonl");
    if std::env::var_os("SHERPA_BLESS").is_some() {
        std::fs::write(&expected_path, &got).expect("write expected.jsonl");
        return;
    }
    let expected = std::fs::read_to_string(&expected_path).expect("read examples/expected.jsonl");
    let (got_lines, expected_lines): (Vec<&str>, Vec<&str>) =
        (got.lines().collect(), expected.lines().collect());
    for (i, (g, e)) in got_lines.iter().zip(&expected_lines).enumerate() {
        assert_eq!(g, e, "line {} of examples/expected.jsonl differs", i + 1);
    }
    assert_eq!(
        got_lines.len(),
        expected_lines.len(),
        "examples/expected.jsonl has {} lines, extract printed {}",
        expected_lines.len(),
        got_lines.len()
    );
}
