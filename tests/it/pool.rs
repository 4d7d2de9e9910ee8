//! The unlabelled pools (`../shared/eval/pool/`): real newswire with decoys.
//! No article yields more than five records, and under a tenth of the decoy
//! articles (listed by class in pool/SOURCES.md) yield any record.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use crate::support::{shared_dir, sherpa_bin};

/// Ids listed under `- <label> (N): …` in one part of SOURCES.md.
fn listed(part: &str, label: &str, prefix: &str) -> BTreeSet<String> {
    part.lines()
        .find_map(|l| l.strip_prefix(&format!("- {label} (")))
        .and_then(|rest| rest.split_once("): "))
        .map(|(_, ids)| {
            ids.split_whitespace()
                .map(|id| format!("{prefix}{id}"))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn pool_articles_yield_few_records_and_decoys_almost_none() {
    let pool = shared_dir().join("eval/pool");
    let sources = std::fs::read_to_string(pool.join("SOURCES.md")).expect("read SOURCES.md");
    let (reuters, bbc) = sources
        .split_once("BBC (the id")
        .expect("SOURCES.md has a BBC appendix");
    let mut decoys = BTreeSet::new();
    for label in ["lexical decoys", "money-only decoys", "summit, other sense"] {
        decoys.extend(listed(reuters, label, "reuters-"));
        decoys.extend(listed(bbc, label, "bbc-"));
    }
    assert!(decoys.len() > 100, "decoy lists not found in SOURCES.md");

    let mut per_article: BTreeMap<String, usize> = BTreeMap::new();
    let mut articles = BTreeSet::new();
    for file in ["reuters.jsonl", "bbc.jsonl"] {
        let path = pool.join(file);
        let text = std::fs::read_to_string(&path).expect("read pool");
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(line).expect("pool line is JSON");
            articles.insert(v["id"].as_str().expect("id").to_string());
        }
        let out = Command::new(sherpa_bin())
            .args(["extract", "--now", "2026-11-28T00:00:00Z"])
            .arg(&path)
            .output()
            .expect("run sherpa extract");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            let v: serde_json::Value = serde_json::from_str(line).expect("record is JSON");
            let id = v["article"]["id"].as_str().expect("article id").to_string();
            *per_article.entry(id).or_default() += 1;
        }
    }
    let crowded: Vec<(&String, &usize)> = per_article.iter().filter(|(_, n)| **n > 5).collect();
    let pool_decoys: Vec<&String> = decoys.iter().filter(|d| articles.contains(*d)).collect();
    let hit: Vec<&&String> = pool_decoys
        .iter()
        .filter(|d| per_article.contains_key(d.as_str()))
        .collect();
    let share = hit.len() as f64 / pool_decoys.len().max(1) as f64;
    println!(
        "pool: {} articles, {} records, {} decoys of which {} ({:.1}%) yield records: {:?}",
        articles.len(),
        per_article.values().sum::<usize>(),
        pool_decoys.len(),
        hit.len(),
        share * 100.0,
        hit
    );
    assert!(
        crowded.is_empty(),
        "articles with more than 5 records: {crowded:?}"
    );
    assert!(
        share < 0.10,
        "{:.1}% of decoys yield records: {hit:?}",
        share * 100.0
    );
}
