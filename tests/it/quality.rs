//! The quality gate: `sherpa eval` over every dev set must reach the floors
//! committed in `eval-floors.toml`. Prints every number for every dev set
//! (run with `-- --nocapture` to see it when the test passes; a failure
//! always shows it) and fails listing each number below its floor.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::Value;

use crate::support::dev_sets::{DEV_SETS, EVAL_NOW, dev_file, sherpa};
use crate::support::stdout_ok;

/// The floor keys and where each number sits in `sherpa eval --json`:
/// (key, kind, field: `f1` or an attribute name).
const FLOORS: [(&str, &str, &str); 7] = [
    ("summit_f1", "summits", "f1"),
    ("aid_f1", "aid", "f1"),
    ("summit_status", "summits", "status"),
    ("summit_when", "summits", "when"),
    ("aid_donor", "aid", "donor"),
    ("aid_recipient", "aid", "recipient"),
    ("aid_status", "aid", "status"),
];

#[test]
fn dev_sets_reach_their_floors() {
    let floors = read_floors();
    let mut table = String::new();
    let _ = writeln!(
        table,
        "{:<13}| {:>6} {:>6} {:>6} {:>4} {:>4} {:>4} {:>6} {:>6} | {:>6} {:>6} {:>6} {:>4} {:>4} {:>4} {:>6} {:>6} {:>6} | {:>6}",
        "dev set",
        "sum P",
        "R",
        "F1",
        "tp",
        "fp",
        "fn",
        "status",
        "when",
        "aid P",
        "R",
        "F1",
        "tp",
        "fp",
        "fn",
        "donor",
        "recip",
        "status",
        "micro"
    );
    let mut current = String::new();
    let mut below = Vec::new();
    for set in DEV_SETS {
        let report = eval_json(set);
        let (s, a) = (&report["summits"], &report["aid"]);
        let _ = writeln!(
            table,
            "{set:<13}| {} {} {} {:>4} {:>4} {:>4} {} {} | {} {} {} {:>4} {:>4} {:>4} {} {} {} | {}",
            num(&s["precision"]),
            num(&s["recall"]),
            num(&s["f1"]),
            s["tp"].to_string(),
            s["fp"].to_string(),
            s["fn"].to_string(),
            num(&s["attributes"]["status"]),
            num(&s["attributes"]["when"]),
            num(&a["precision"]),
            num(&a["recall"]),
            num(&a["f1"]),
            a["tp"].to_string(),
            a["fp"].to_string(),
            a["fn"].to_string(),
            num(&a["attributes"]["donor"]),
            num(&a["attributes"]["recipient"]),
            num(&a["attributes"]["status"]),
            num(&report["micro_f1"]),
        );
        let _ = writeln!(current, "\n[{set}]");
        for (key, kind, field) in FLOORS {
            let value = if field == "f1" {
                report[kind][field].as_f64()
            } else {
                report[kind]["attributes"][field].as_f64()
            };
            // An attribute no matched pair scored (absent or null) is 0.0.
            let value = value.unwrap_or(0.0);
            let _ = writeln!(current, "{key} = {value:?}");
            let floor = floors[set][key];
            if value < floor {
                below.push(format!("{set}: {key} = {value} is below its floor {floor}"));
            }
        }
    }
    println!("sherpa eval over the dev sets (--now {EVAL_NOW}); `-` = nothing to score\n{table}");
    println!("current values, as eval-floors.toml would write them:\n{current}");
    assert!(
        below.is_empty(),
        "quality below the floors in eval-floors.toml:\n  {}\n\n{table}",
        below.join("\n  ")
    );
}

/// `sherpa eval --json` over one dev set, parsed.
fn eval_json(set: &str) -> Value {
    let gold = dev_file(set, "gold.jsonl");
    let articles = dev_file(set, "articles.jsonl");
    let args = [
        "eval".into(),
        "--gold".into(),
        gold.into_os_string(),
        "--articles".into(),
        articles.into_os_string(),
        "--now".into(),
        EVAL_NOW.into(),
        "--json".into(),
    ];
    let stdout = stdout_ok(&format!("sherpa eval ({set})"), &sherpa(args, None));
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{set}: not JSON ({e}): {stdout}"))
}

fn num(v: &Value) -> String {
    match v.as_f64() {
        Some(x) => format!("{x:>6.4}"),
        None => format!("{:>6}", "-"),
    }
}

/// `eval-floors.toml`: every dev set, every key, nothing else.
fn read_floors() -> BTreeMap<String, BTreeMap<String, f64>> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("eval-floors.toml");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let table: toml::Table =
        toml::from_str(&text).unwrap_or_else(|e| panic!("{} is not TOML: {e}", path.display()));
    let mut floors = BTreeMap::new();
    let mut problems = Vec::new();
    for (set, keys) in &table {
        if !DEV_SETS.contains(&set.as_str()) {
            problems.push(format!("[{set}] is not a dev set ({DEV_SETS:?})"));
            continue;
        }
        let Some(keys) = keys.as_table() else {
            problems.push(format!("[{set}] is not a table"));
            continue;
        };
        let mut set_floors = BTreeMap::new();
        for (key, value) in keys {
            if !FLOORS.iter().any(|(k, _, _)| k == key) {
                problems.push(format!("[{set}] {key}: not a floor key"));
            }
            match value.as_float().or(value.as_integer().map(|i| i as f64)) {
                Some(f) if (0.0..=1.0).contains(&f) => {
                    set_floors.insert(key.clone(), f);
                }
                _ => problems.push(format!("[{set}] {key}: not a number in 0..=1")),
            }
        }
        floors.insert(set.clone(), set_floors);
    }
    for set in DEV_SETS {
        for (key, _, _) in FLOORS {
            if !floors.get(set).is_some_and(|f| f.contains_key(key)) {
                problems.push(format!("[{set}] {key}: missing"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{}:\n  {}",
        path.display(),
        problems.join("\n  ")
    );
    floors
}
