//! `sherpa eval` agrees with the reference scorer `score.py`, byte for byte:
//! the `--json` object, the text report and the `--errors` lines, over the
//! real extractor's output on every dev set, over the gold files themselves,
//! over perturbed copies of the gold (misses, spurious records, wrong
//! attributes, amounts just inside and outside the 1% tolerance, both
//! prediction formats) and over a small hand-made case.

use std::ffi::OsString;
use std::path::Path;

use serde_json::{Value, json};

use crate::support::dev_sets::{
    DEV_SETS, EVAL_NOW, dev_file, extract_to_file, run, score_py, sherpa,
};
use crate::support::{sherpa_command, stdout_ok};

/// Scores PRED against GOLD with both programs in every output mode and
/// asserts identical stdout and stderr. Returns sherpa's `--json` line.
fn assert_agree(gold: &Path, pred: &Path) -> String {
    let mut json = String::new();
    for flags in [&["--json", "--errors"][..], &[][..], &["--errors"][..]] {
        let mut ours: Vec<OsString> = vec![
            "eval".into(),
            "--gold".into(),
            gold.into(),
            "--pred".into(),
            pred.into(),
        ];
        ours.extend(flags.iter().map(OsString::from));
        let ours = sherpa(&ours, None);
        let mut theirs: Vec<OsString> = vec![gold.into(), pred.into()];
        theirs.extend(flags.iter().map(OsString::from));
        let theirs = score_py(&theirs);
        let what = format!("{} vs {} {flags:?}", gold.display(), pred.display());
        let (ours_out, theirs_out) = (
            stdout_ok(&format!("sherpa eval {what}"), &ours),
            stdout_ok(&format!("score.py {what}"), &theirs),
        );
        assert_eq!(ours_out, theirs_out, "stdout differs: {what}");
        let (ours_err, theirs_err) = (
            String::from_utf8_lossy(&ours.stderr),
            String::from_utf8_lossy(&theirs.stderr),
        );
        if ours_err != theirs_err {
            let first = ours_err
                .lines()
                .zip(theirs_err.lines())
                .find(|(a, b)| a != b);
            panic!(
                "--errors output differs: {what}\nfirst difference:\n sherpa:   {:?}\n score.py: {:?}\n\
                 ({} lines vs {})",
                first.map(|f| f.0),
                first.map(|f| f.1),
                ours_err.lines().count(),
                theirs_err.lines().count()
            );
        }
        if flags.contains(&"--json") {
            json = ours_out;
        }
    }
    json
}

#[test]
fn dev_sets_extracted_agree_with_score_py() {
    let dir = tempfile::tempdir().unwrap();
    for set in DEV_SETS {
        let gold = dev_file(set, "gold.jsonl");
        let articles = dev_file(set, "articles.jsonl");
        let pred = dir.path().join(format!("{set}.pred.jsonl"));
        extract_to_file(&articles, &pred);
        let scored = assert_agree(&gold, &pred);

        // Extracting inside `sherpa eval` scores the same as `sherpa extract`.
        let args: [OsString; 8] = [
            "eval".into(),
            "--gold".into(),
            gold.clone().into(),
            "--articles".into(),
            articles.into(),
            "--now".into(),
            EVAL_NOW.into(),
            "--json".into(),
        ];
        let direct = stdout_ok(
            &format!("sherpa eval --articles ({set})"),
            &sherpa(&args, None),
        );
        assert_eq!(
            direct, scored,
            "{set}: eval --articles differs from extract | eval --pred"
        );
    }
}

#[test]
fn gold_scored_against_itself_agrees_and_is_perfect() {
    for set in DEV_SETS {
        let gold = dev_file(set, "gold.jsonl");
        let json: Value = serde_json::from_str(&assert_agree(&gold, &gold)).unwrap();
        assert_eq!(json["micro_f1"], json!(1.0), "{set}: {json}");
    }
}

#[test]
fn perturbed_gold_agrees_with_score_py() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(0x5eed_cafe_f00d_d00d);
    let mut seen = [0u64; 4];
    for set in DEV_SETS {
        let gold_path = dev_file(set, "gold.jsonl");
        let gold = std::fs::read_to_string(&gold_path).unwrap();
        for round in 0..3 {
            let mut lines = Vec::new();
            for line in gold.lines().filter(|l| !l.trim().is_empty()) {
                let article: Value = serde_json::from_str(line).unwrap();
                lines.extend(perturb(&article, &mut rng));
            }
            rng.shuffle(&mut lines);
            let pred = dir.path().join(format!("{set}-{round}.jsonl"));
            let text: Vec<String> = lines.iter().map(Value::to_string).collect();
            std::fs::write(&pred, text.join("\n") + "\n").unwrap();
            let json: Value = serde_json::from_str(&assert_agree(&gold_path, &pred)).unwrap();
            for kind in ["summits", "aid"] {
                for (i, field) in ["tp", "fp", "fn"].into_iter().enumerate() {
                    seen[i] += json[kind][field].as_u64().unwrap();
                }
                let attrs = json[kind]["attributes"].as_object().unwrap();
                seen[3] += attrs.values().filter(|v| v.as_f64() < Some(1.0)).count() as u64;
            }
        }
    }
    // The perturbations must make every kind of difference.
    assert!(
        seen.iter().all(|n| *n > 0),
        "tp, fp, fn, wrong attributes: {seen:?}"
    );
}

/// Optional records, a null max, two summits of one pair at different
/// times, an unscored time, a negative article, ids of other types.
#[test]
fn hand_made_case_agrees_with_score_py() {
    let dir = tempfile::tempdir().unwrap();
    let gold = dir.path().join("gold.jsonl");
    let pred = dir.path().join("pred.jsonl");
    std::fs::write(
        &gold,
        [
            json!({"id": "a",
                "summits": [
                    {"participants": ["KOR", "PRK"], "status": "held",
                     "when": {"start": "2018-04-27", "end": "2018-04-27"}},
                    {"participants": ["KOR", "PRK"], "status": "planned",
                     "when": {"start": "2018-09-01", "end": "2018-09-30"}},
                    {"participants": ["CHN", "PRK"], "status": "held", "when": null, "optional": true},
                    {"participants": ["GBR", "IRL"], "status": "held"}],
                "aid": [
                    {"donor": "USA", "recipient": "PRK", "currency": "USD",
                     "min": 1_000_000_000, "max": null, "status": "pledged"},
                    {"currency": "EUR", "min": 5, "max": 5, "status": "offered", "optional": true},
                    {"donor": "JPN", "recipient": "PRK", "currency": "USD",
                     "min": 20_000_000_000_u64, "max": 50_000_000_000_u64, "status": "requested"}]}),
            json!({"id": "b", "summits": [], "aid": []}),
            json!({"id": 7, "summits": [{"participants": ["G8"], "status": "planned", "when": null}]}),
        ]
        .map(|v| v.to_string())
        .join("\n"),
    )
    .unwrap();
    let article = |id: &str| json!({"id": id, "source": null, "url": null, "published_at": null, "title": null});
    std::fs::write(
        &pred,
        [
            // The later summit first: the time preference must still pair them right.
            json!({"schema": "summit/1", "article": article("a"), "participants": ["PRK", "KOR"],
                   "status": "planned", "when": {"text": "in September", "start": "2018-09-10", "end": "2018-09-10"}}),
            json!({"schema": "summit/1", "article": article("a"), "participants": ["KOR", "PRK"],
                   "status": "planned", "when": {"text": "Friday", "start": "2018-04-27", "end": "2018-04-27"}}),
            json!({"schema": "summit/1", "article": article("a"), "participants": ["CHN", "PRK"],
                   "status": "held", "when": null}),
            json!({"schema": "summit/1", "article": article("a"), "participants": ["GBR", "IRL"],
                   "status": "planned", "when": {"text": "today", "start": "2025-01-01", "end": "2025-01-01"}}),
            // A null max matches only a null max: this one is spurious, the gold one missed.
            json!({"schema": "aid/1", "article": article("a"), "donor": "USA", "recipient": "PRK",
                   "amount": {"text": "$1 billion", "currency": "USD", "min": 1e9, "max": 1e9}, "status": "pledged"}),
            json!({"schema": "aid/1", "article": article("a"), "donor": null, "recipient": "PRK",
                   "amount": {"text": "$20-50 billion", "currency": "USD", "min": 2.019e10, "max": 4.96e10},
                   "status": "requested"}),
            json!({"schema": "aid/1", "article": article("a"), "donor": "EU", "recipient": null,
                   "amount": {"text": "five euros", "currency": "EUR", "min": 5.0, "max": 5.0}, "status": "offered"}),
            json!({"schema": "article/1", "record_id": "x", "article": article("a"), "summits": [], "aid": []}),
            json!({"schema": "summit/1", "article": article("b"), "participants": ["DEU", "FRA"],
                   "status": "held", "when": null}),
            json!({"id": 7.0, "summits": [{"participants": ["G8"], "status": "planned"}]}),
            json!({"schema": "summit/1", "article": article("not-in-gold"), "participants": ["DEU", "FRA"],
                   "status": "held", "when": null}),
        ]
        .map(|v| v.to_string())
        .join("\n"),
    )
    .unwrap();
    let json: Value = serde_json::from_str(&assert_agree(&gold, &pred)).unwrap();
    assert_eq!(
        json,
        json!({
            "summits": {"tp": 4, "fp": 1, "fn": 0, "precision": 0.8, "recall": 1.0, "f1": 0.8889,
                        "attributes": {"status": 0.5, "when": 1.0}},
            "aid": {"tp": 1, "fp": 1, "fn": 1, "precision": 0.5, "recall": 0.5, "f1": 0.5,
                    "attributes": {"donor": 0.0, "recipient": 1.0, "status": 1.0}},
            "micro_f1": 0.7692
        })
    );
}

#[test]
fn flags_read_the_environment_and_errors_exit_nonzero() {
    let gold = dev_file("seed", "gold.jsonl");
    let by_flags = sherpa(
        [
            "eval".into(),
            "--gold".into(),
            gold.clone().into_os_string(),
            "--pred".into(),
            gold.clone().into_os_string(),
            "--json".into(),
        ],
        None,
    );
    let mut command = sherpa_command();
    command
        .arg("eval")
        .env("SHERPA_GOLD", &gold)
        .env("SHERPA_PRED", &gold)
        .env("SHERPA_JSON", "true");
    let by_env = run(&mut command, None);
    assert_eq!(
        stdout_ok("eval by env", &by_env),
        stdout_ok("eval by flags", &by_flags)
    );

    // Usage errors exit 2: no input, or both inputs.
    let none = sherpa(["eval", "--gold", "g.jsonl"], None);
    assert_eq!(none.status.code(), Some(2), "{none:?}");
    let both = sherpa(
        ["eval", "--gold", "g", "--pred", "p", "--articles", "a"],
        None,
    );
    assert_eq!(both.status.code(), Some(2), "{both:?}");

    // A missing file or a line that is not JSON is a runtime failure: 1.
    let missing = sherpa(
        [
            "eval",
            "--gold",
            "/nonexistent/gold.jsonl",
            "--pred",
            "/nonexistent/p",
        ],
        None,
    );
    assert_eq!(missing.status.code(), Some(1), "{missing:?}");
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.jsonl");
    std::fs::write(&broken, "{\"id\": \"a\"}\n{oops\n").unwrap();
    let not_json = sherpa(
        [
            "eval".into(),
            "--gold".into(),
            broken.clone().into_os_string(),
            "--pred".into(),
            gold.into_os_string(),
        ],
        None,
    );
    assert_eq!(not_json.status.code(), Some(1), "{not_json:?}");
    let stderr = String::from_utf8_lossy(&not_json.stderr);
    assert!(
        stderr.contains(&format!("{}:2: not JSON", broken.display())),
        "{stderr}"
    );
}

/// Turns one gold article into predictions: records dropped, duplicated,
/// added, or changed in status, time, participants, amounts and actors;
/// written as a per-article object or as worker records.
fn perturb(article: &Value, rng: &mut Rng) -> Vec<Value> {
    let id = article["id"].clone();
    let mut summits = Vec::new();
    for gold in article["summits"].as_array().into_iter().flatten() {
        if rng.chance(0.15) {
            continue;
        }
        let mut s = gold.clone();
        if rng.chance(0.2) {
            s["status"] = json!(rng.pick(&["proposed", "planned", "held", "cancelled", "maybe"]));
        }
        if rng.chance(0.25) {
            let whens = [
                json!(null),
                json!({"text": "x", "start": "2018-06-05", "end": "2018-06-05"}),
                json!({"text": "x", "start": "1987-01-01", "end": "1987-12-31"}),
                json!({"text": "x", "start": "2005-03-01", "end": "2005-03-31"}),
                json!({}),
            ];
            s["when"] = whens[rng.below(whens.len())].clone();
        } else if rng.chance(0.1) {
            s.as_object_mut().unwrap().remove("when");
        }
        if rng.chance(0.1) {
            s["participants"] = json!(["USA", rng.pick(&["CHN", "RUS", "JPN"])]);
        }
        if rng.chance(0.1) {
            s["participants"].as_array_mut().unwrap().reverse();
        }
        if rng.chance(0.1) {
            let mut twin = s.clone();
            twin["when"] = json!({"text": "x", "start": "2019-02-27", "end": "2019-02-28"});
            summits.push(twin);
        }
        summits.push(s);
    }
    if rng.chance(0.15) {
        summits.push(json!({"participants": ["FRA", "DEU"], "status": "held", "when": null}));
    }
    let mut aid = Vec::new();
    for gold in article["aid"].as_array().into_iter().flatten() {
        if rng.chance(0.15) {
            continue;
        }
        let mut a = gold.clone();
        for bound in ["min", "max"] {
            if let Some(x) = a[bound].as_f64() {
                // Within 1% (matches), just outside (does not), or the same
                // value written as a float.
                let factors = [1.0, 1.0, 1.004, 0.996, 1.02, 1.011];
                let f = factors[rng.below(factors.len())];
                if f != 1.0 || rng.chance(0.3) {
                    a[bound] = json!((x * f * 100.0).round() / 100.0);
                }
            }
        }
        if rng.chance(0.08) {
            a["max"] = json!(null);
        }
        for actor in ["donor", "recipient"] {
            if rng.chance(0.15) {
                a[actor] = json!(rng.pick(&["USA", "JPN", "IMF", "WBG"]));
            } else if rng.chance(0.08) {
                a[actor] = json!(null);
            }
        }
        if rng.chance(0.2) {
            a["status"] = json!(rng.pick(&["requested", "offered", "pledged", "delivered"]));
        }
        if rng.chance(0.08) {
            aid.push(a.clone());
        }
        aid.push(a);
    }
    if rng.chance(0.15) {
        aid.push(
            json!({"currency": "GBP", "min": 960000000, "max": 960000000,
                        "donor": "GBR", "recipient": null, "status": "delivered"}),
        );
    }
    if rng.chance(0.4) {
        return vec![json!({"id": id, "summits": summits, "aid": aid})];
    }
    // The worker's record format: `schema`, `article.id`, nested amount,
    // plus lines the scorer must ignore.
    let article_ref =
        json!({"id": id, "source": null, "url": null, "published_at": null, "title": null});
    let mut records = Vec::new();
    for mut s in summits {
        s["schema"] = json!("summit/1");
        s["article"] = article_ref.clone();
        records.push(s);
    }
    for a in aid {
        let mut record = json!({"schema": "aid/1", "article": article_ref.clone(),
            "amount": {"text": "x", "currency": a["currency"], "min": a["min"], "max": a["max"]}});
        for key in ["donor", "recipient", "status", "aid_type", "optional"] {
            if let Some(v) = a.get(key) {
                record[key] = v.clone();
            }
        }
        records.push(record);
    }
    records.push(json!({"schema": "article/1", "record_id": "r", "article": article_ref}));
    records.push(json!({"level": "info", "message": "not a record"}));
    records
}

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}
