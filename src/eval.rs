//! Scoring extracted records against gold files, exactly as contract §4 and
//! the reference scorer `shared/eval/score.py`: the same matching, the same
//! numbers, the same text, JSON and error lines, character for character.
//!
//! Pure: this module takes parsed JSON lines and returns a [`Report`] and the
//! list of [`Mismatch`]es; `commands::eval` reads the files and prints.
//!
//! The port follows score.py's Python semantics where they show: JSON `1` and
//! `1.0` are different numbers when printed but equal when compared, a record
//! field that is missing reads as `null`, "falsy" values (`null`, `""`, `0`,
//! `[]`, `{}`) stand in for absent ones where score.py writes `x or default`,
//! and numbers are printed as Python's `json.dumps` prints them. Where
//! score.py would crash on a malformed input (a record that is not an object,
//! a `when` that is a string, an amount that is not a number, dates that
//! cannot be compared), [`score`] returns a [`ScoreError`] instead.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde_json::{Map, Value};

/// An input that cannot be scored: a line that is not JSON, or a gold or
/// predicted record whose shape the reference scorer cannot handle either.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ScoreError {
    pub message: String,
}

impl ScoreError {
    fn new(message: impl Into<String>) -> Self {
        ScoreError {
            message: message.into(),
        }
    }
}

/// Parses JSON Lines the way score.py's `load_jsonl` does: lines end at
/// `\n`, `\r\n` or `\r`; each line is stripped of whitespace and skipped when
/// empty; line numbers (for the error message) count every line.
pub fn parse_jsonl(source: &str, text: &str) -> Result<Vec<Value>, ScoreError> {
    let mut values = Vec::new();
    for (index, line) in python_lines(text).enumerate() {
        let line = line.trim_matches(python_isspace);
        if line.is_empty() {
            continue;
        }
        let value = serde_json::from_str(line)
            .map_err(|e| ScoreError::new(format!("{source}:{}: not JSON: {e}", index + 1)))?;
        values.push(value);
    }
    Ok(values)
}

/// Lines as Python's universal-newline text mode yields them.
fn python_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        match rest.find(['\n', '\r']) {
            Some(at) => {
                let line = &rest[..at];
                let skip = if rest[at..].starts_with("\r\n") { 2 } else { 1 };
                rest = &rest[at + skip..];
                Some(line)
            }
            None => {
                let line = rest;
                rest = "";
                Some(line)
            }
        }
    })
}

/// `str.isspace()`: Unicode whitespace plus the ASCII separators U+001C..U+001F.
fn python_isspace(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Which list of an article a record belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Summits,
    Aid,
}

impl Kind {
    /// The name score.py prints: `summits` or `aid`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Summits => "summits",
            Kind::Aid => "aid",
        }
    }
}

/// What went wrong with one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MismatchKind {
    /// A required gold record no prediction matched.
    Missed,
    /// A prediction no gold record matched.
    Spurious,
    /// A matched pair that disagrees on the named attribute.
    Wrong(&'static str),
}

impl std::fmt::Display for MismatchKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MismatchKind::Missed => f.pad("missed"),
            MismatchKind::Spurious => f.pad("spurious"),
            MismatchKind::Wrong(attr) => f.pad(&format!("wrong {attr}")),
        }
    }
}

/// One entry of score.py's error list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    pub what: MismatchKind,
    pub kind: Kind,
    /// The gold article id as Python's `str()` shows it.
    pub article: String,
    /// The normalized record (or `{"gold": …, "got": …}` for a wrong
    /// attribute) as Python's `json.dumps` writes it.
    pub detail: String,
}

impl Mismatch {
    /// The line `score.py --errors` writes to stderr, without the newline.
    pub fn line(&self) -> String {
        format!(
            "{:>12} {:<7} {}: {}",
            self.what,
            self.kind.as_str(),
            self.article,
            self.detail
        )
    }
}

/// The scores of one kind of record.
#[derive(Debug, Clone, PartialEq)]
pub struct KindReport {
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
    /// Rounded to 4 places, like every float in the report.
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Accuracy per attribute over the matched pairs that score it, in the
    /// order score.py first scored them. An attribute no pair scored is
    /// absent (score.py's `None` branch cannot be reached).
    pub attributes: Vec<(&'static str, f64)>,
}

impl KindReport {
    /// One attribute's accuracy, if any matched pair scored it.
    pub fn attribute(&self, name: &str) -> Option<f64> {
        self.attributes
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
    }
}

/// score.py's report: per kind, and the micro F1 over both.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub summits: KindReport,
    pub aid: KindReport,
    pub micro_f1: f64,
}

impl Report {
    /// The line `score.py --json` prints, without the newline.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        for (kind, r) in [("summits", &self.summits), ("aid", &self.aid)] {
            let _ = write!(
                out,
                "\"{kind}\": {{\"tp\": {}, \"fp\": {}, \"fn\": {}, \"precision\": {}, \
                 \"recall\": {}, \"f1\": {}, \"attributes\": {{",
                r.true_positives,
                r.false_positives,
                r.false_negatives,
                python_float_repr(r.precision),
                python_float_repr(r.recall),
                python_float_repr(r.f1),
            );
            let attrs: Vec<String> = r
                .attributes
                .iter()
                .map(|(n, v)| format!("\"{n}\": {}", python_float_repr(*v)))
                .collect();
            out.push_str(&attrs.join(", "));
            out.push_str("}}, ");
        }
        format!(
            "{{{out}\"micro_f1\": {}}}",
            python_float_repr(self.micro_f1)
        )
    }

    /// The three lines score.py prints without `--json`, each ending in a newline.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for (kind, r) in [("summits", &self.summits), ("aid", &self.aid)] {
            let attrs: Vec<String> = r
                .attributes
                .iter()
                .map(|(n, v)| format!("{n}={}", python_float_repr(*v)))
                .collect();
            let _ = writeln!(
                out,
                "{kind:<8} P={:.3} R={:.3} F1={:.3} (tp={} fp={} fn={}) {}",
                r.precision,
                r.recall,
                r.f1,
                r.true_positives,
                r.false_positives,
                r.false_negatives,
                attrs.join(" ")
            );
        }
        let _ = writeln!(out, "micro F1={:.3}", self.micro_f1);
        out
    }
}

/// Scores predictions against gold, one JSON value per line of each file.
///
/// `gold` holds one object per article (`id`, `summits`, `aid`). `pred`
/// holds per-article objects of the same shape or the worker's records
/// (objects whose `schema` starts with `summit/` or `aid/`, keyed by
/// `article.id`); other lines are ignored. Only articles named in `gold` are
/// scored. Returns the report and the error list in score.py's order.
pub fn score(gold: &[Value], pred: &[Value]) -> Result<(Report, Vec<Mismatch>), ScoreError> {
    let pred = load_pred(pred)?;
    let mut summits = Tally::default();
    let mut aid = Tally::default();
    let mut mismatches = Vec::new();
    let empty = Predictions::default();
    for (n, g) in gold.iter().enumerate() {
        let g = g
            .as_object()
            .ok_or_else(|| ScoreError::new(format!("gold line {}: not an object", n + 1)))?;
        let id = g
            .get("id")
            .ok_or_else(|| ScoreError::new(format!("gold line {}: no \"id\"", n + 1)))?;
        let article = python_str(id);
        let key = hash_key(id)?;
        let preds = pred.get(&key).unwrap_or(&empty);
        let gold_summits = records(g.get("summits"), "gold summits")?
            .into_iter()
            .map(Summit::from_record)
            .collect::<Result<Vec<_>, _>>()?;
        let gold_aid = records(g.get("aid"), "gold aid")?
            .into_iter()
            .map(Aid::from_record)
            .collect::<Result<Vec<_>, _>>()?;
        match_article(
            &article,
            gold_summits,
            &preds.summits,
            &mut summits,
            &mut mismatches,
        )?;
        match_article(&article, gold_aid, &preds.aid, &mut aid, &mut mismatches)?;
    }
    let (tp, fp, fn_) = (
        summits.tp + aid.tp,
        summits.fp + aid.fp,
        summits.fn_ + aid.fn_,
    );
    let (p, r) = (ratio(tp, tp + fp), ratio(tp, tp + fn_));
    let micro_f1 = if p + r != 0.0 {
        round4(2.0 * p * r / (p + r))
    } else {
        0.0
    };
    let report = Report {
        summits: summits.report(),
        aid: aid.report(),
        micro_f1,
    };
    Ok((report, mismatches))
}

/// Convenience: [`parse_jsonl`] both texts, then [`score`].
pub fn score_texts(
    gold_name: &str,
    gold: &str,
    pred_name: &str,
    pred: &str,
) -> Result<(Report, Vec<Mismatch>), ScoreError> {
    let pred = parse_jsonl(pred_name, pred)?;
    let gold = parse_jsonl(gold_name, gold)?;
    score(&gold, &pred)
}

#[derive(Default)]
struct Predictions {
    summits: Vec<Summit>,
    aid: Vec<Aid>,
}

fn load_pred(pred: &[Value]) -> Result<HashMap<String, Predictions>, ScoreError> {
    let mut by_article: HashMap<String, Predictions> = HashMap::new();
    for (n, obj) in pred.iter().enumerate() {
        let obj = obj
            .as_object()
            .ok_or_else(|| ScoreError::new(format!("prediction line {}: not an object", n + 1)))?;
        let schema = match obj.get("schema") {
            None => "",
            Some(Value::String(s)) => s.as_str(),
            Some(_) => {
                return Err(ScoreError::new(format!(
                    "prediction line {}: \"schema\" is not a string",
                    n + 1
                )));
            }
        };
        if schema.starts_with("summit/") || schema.starts_with("aid/") {
            let id = match obj.get("article") {
                Some(a) if truthy(a) => match a {
                    Value::Object(a) => a.get("id").unwrap_or(&Value::Null),
                    _ => {
                        return Err(ScoreError::new(format!(
                            "prediction line {}: \"article\" is not an object",
                            n + 1
                        )));
                    }
                },
                _ => &Value::Null,
            };
            let entry = by_article.entry(hash_key(id)?).or_default();
            if schema.starts_with("summit/") {
                entry.summits.push(Summit::from_record(obj)?);
            } else {
                entry.aid.push(Aid::from_record(obj)?);
            }
        } else if let Some(id) = obj.get("id")
            && (obj.contains_key("summits") || obj.contains_key("aid"))
        {
            let entry = by_article.entry(hash_key(id)?).or_default();
            for s in records(obj.get("summits"), "predicted summits")? {
                entry.summits.push(Summit::from_record(s)?);
            }
            for a in records(obj.get("aid"), "predicted aid")? {
                entry.aid.push(Aid::from_record(a)?);
            }
        }
    }
    Ok(by_article)
}

/// `x.get(kind) or []`, each item a record object.
fn records<'a>(
    list: Option<&'a Value>,
    what: &str,
) -> Result<Vec<&'a Map<String, Value>>, ScoreError> {
    match list {
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_object()
                    .ok_or_else(|| ScoreError::new(format!("{what}: a record is not an object")))
            })
            .collect(),
        Some(v) if truthy(v) => Err(ScoreError::new(format!("{what}: not a list"))),
        _ => Ok(Vec::new()),
    }
}

/// One kind of record, normalized as score.py's `norm_summit` / `norm_aid`.
trait Normalized: Sized {
    const KIND: Kind;
    fn optional(&self) -> bool;
    /// The matching key: same participants, or same currency and amounts.
    fn key_matches(&self, pred: &Self) -> Result<bool, ScoreError>;
    /// Among several key matches, whether this one is preferred.
    fn preferred(&self, pred: &Self) -> Result<bool, ScoreError>;
    /// Each attribute's verdict for a matched pair; `None` when not scored.
    fn attributes(&self, pred: &Self) -> Result<Vec<(&'static str, Option<bool>)>, ScoreError>;
    fn to_python_json(&self, out: &mut String);
}

#[derive(Debug, Clone)]
struct Summit {
    participants: Vec<String>,
    status: Value,
    /// `(start, end)` when the record has a `when` with a truthy `start`.
    when: Option<(Value, Value)>,
    /// Whether the record has a `when` key at all (gold without one leaves
    /// time unscored).
    when_scored: bool,
    optional: bool,
}

impl Summit {
    fn from_record(r: &Map<String, Value>) -> Result<Summit, ScoreError> {
        let mut participants: Vec<String> = match r.get("participants") {
            Some(Value::Array(items)) => items
                .iter()
                .map(|p| {
                    p.as_str().map(str::to_owned).ok_or_else(|| {
                        ScoreError::new("summit participants: only strings can be scored")
                    })
                })
                .collect::<Result<_, _>>()?,
            // `set("JPN")` is a set of characters, `set({...})` of keys.
            Some(Value::String(s)) => s.chars().map(String::from).collect(),
            Some(Value::Object(m)) => m.keys().cloned().collect(),
            Some(v) if truthy(v) => {
                return Err(ScoreError::new("summit participants: not a list"));
            }
            _ => Vec::new(),
        };
        participants.sort();
        participants.dedup();
        let when = match r.get("when") {
            Some(Value::Object(w)) if !w.is_empty() => match w.get("start") {
                Some(start) if truthy(start) => {
                    Some((start.clone(), w.get("end").cloned().unwrap_or(Value::Null)))
                }
                _ => None,
            },
            Some(v) if truthy(v) => {
                return Err(ScoreError::new("summit when: not an object"));
            }
            _ => None,
        };
        Ok(Summit {
            participants,
            status: field(r, "status"),
            when,
            when_scored: r.contains_key("when"),
            optional: r.get("optional").is_some_and(truthy),
        })
    }
}

impl Normalized for Summit {
    const KIND: Kind = Kind::Summits;

    fn optional(&self) -> bool {
        self.optional
    }

    fn key_matches(&self, pred: &Self) -> Result<bool, ScoreError> {
        Ok(self.participants == pred.participants)
    }

    fn preferred(&self, pred: &Self) -> Result<bool, ScoreError> {
        overlaps(&self.when, &pred.when)
    }

    fn attributes(&self, pred: &Self) -> Result<Vec<(&'static str, Option<bool>)>, ScoreError> {
        let when = if self.when_scored {
            Some(overlaps(&self.when, &pred.when)?)
        } else {
            None
        };
        Ok(vec![
            ("status", Some(python_eq(&self.status, &pred.status))),
            ("when", when),
        ])
    }

    fn to_python_json(&self, out: &mut String) {
        out.push_str("{\"participants\": [");
        for (i, p) in self.participants.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            python_json_str(p, out);
        }
        out.push_str("], \"status\": ");
        python_json(&self.status, out);
        out.push_str(", \"when\": ");
        match &self.when {
            Some((start, end)) => {
                out.push('[');
                python_json(start, out);
                out.push_str(", ");
                python_json(end, out);
                out.push(']');
            }
            None => out.push_str("null"),
        }
        let _ = write!(
            out,
            ", \"when_scored\": {}, \"optional\": {}}}",
            self.when_scored, self.optional
        );
    }
}

#[derive(Debug, Clone)]
struct Aid {
    currency: Value,
    min: Value,
    max: Value,
    donor: Value,
    recipient: Value,
    status: Value,
    optional: bool,
}

impl Aid {
    fn from_record(r: &Map<String, Value>) -> Result<Aid, ScoreError> {
        // `r.get("amount") or r`: worker records nest the amount, gold is flat.
        let amount = match r.get("amount") {
            Some(Value::Object(a)) if !a.is_empty() => a,
            Some(v) if truthy(v) => {
                return Err(ScoreError::new("aid amount: not an object"));
            }
            _ => r,
        };
        Ok(Aid {
            currency: field(amount, "currency"),
            min: field(amount, "min"),
            max: field(amount, "max"),
            donor: field(r, "donor"),
            recipient: field(r, "recipient"),
            status: field(r, "status"),
            optional: r.get("optional").is_some_and(truthy),
        })
    }
}

impl Normalized for Aid {
    const KIND: Kind = Kind::Aid;

    fn optional(&self) -> bool {
        self.optional
    }

    fn key_matches(&self, pred: &Self) -> Result<bool, ScoreError> {
        Ok(python_eq(&self.currency, &pred.currency)
            && close(&self.min, &pred.min)?
            && close(&self.max, &pred.max)?)
    }

    fn preferred(&self, _pred: &Self) -> Result<bool, ScoreError> {
        Ok(false)
    }

    fn attributes(&self, pred: &Self) -> Result<Vec<(&'static str, Option<bool>)>, ScoreError> {
        Ok(vec![
            ("donor", Some(python_eq(&self.donor, &pred.donor))),
            (
                "recipient",
                Some(python_eq(&self.recipient, &pred.recipient)),
            ),
            ("status", Some(python_eq(&self.status, &pred.status))),
        ])
    }

    fn to_python_json(&self, out: &mut String) {
        let fields = [
            ("currency", &self.currency),
            ("min", &self.min),
            ("max", &self.max),
            ("donor", &self.donor),
            ("recipient", &self.recipient),
            ("status", &self.status),
        ];
        out.push('{');
        for (name, value) in fields {
            let _ = write!(out, "\"{name}\": ");
            python_json(value, out);
            out.push_str(", ");
        }
        let _ = write!(out, "\"optional\": {}}}", self.optional);
    }
}

fn field(r: &Map<String, Value>, name: &str) -> Value {
    r.get(name).cloned().unwrap_or(Value::Null)
}

#[derive(Default)]
struct Tally {
    tp: usize,
    fp: usize,
    fn_: usize,
    /// `(name, right, scored)` in first-scored order.
    attributes: Vec<(&'static str, usize, usize)>,
}

impl Tally {
    fn count_attribute(&mut self, name: &'static str, good: bool) {
        let at = match self.attributes.iter().position(|(n, _, _)| *n == name) {
            Some(at) => at,
            None => {
                self.attributes.push((name, 0, 0));
                self.attributes.len() - 1
            }
        };
        self.attributes[at].1 += usize::from(good);
        self.attributes[at].2 += 1;
    }

    fn report(&self) -> KindReport {
        let p = ratio(self.tp, self.tp + self.fp);
        let r = ratio(self.tp, self.tp + self.fn_);
        let f = if p + r != 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        KindReport {
            true_positives: self.tp,
            false_positives: self.fp,
            false_negatives: self.fn_,
            precision: round4(p),
            recall: round4(r),
            f1: round4(f),
            attributes: self
                .attributes
                .iter()
                .map(|&(name, right, scored)| (name, round4(ratio(right, scored))))
                .collect(),
        }
    }
}

/// Matches one article's records of one kind, as score.py's inner loop.
fn match_article<R: Normalized>(
    article: &str,
    mut golds: Vec<R>,
    preds: &[R],
    tally: &mut Tally,
    mismatches: &mut Vec<Mismatch>,
) -> Result<(), ScoreError> {
    // Required records claim their matches before optional ones do (stable).
    golds.sort_by_key(|g| g.optional());
    let mut used = vec![false; preds.len()];
    let mismatch = |what, detail: String| Mismatch {
        what,
        kind: R::KIND,
        article: article.to_owned(),
        detail,
    };
    for gold in &golds {
        let mut candidates = Vec::new();
        for (i, pred) in preds.iter().enumerate() {
            if !used[i] && gold.key_matches(pred)? {
                candidates.push(i);
            }
        }
        // Of several same-key candidates, prefer one whose time agrees.
        let mut hit = None;
        for &i in &candidates {
            if gold.preferred(&preds[i])? {
                hit = Some(i);
                break;
            }
        }
        let Some(hit) = hit.or(candidates.first().copied()) else {
            if !gold.optional() {
                tally.fn_ += 1;
                mismatches.push(mismatch(MismatchKind::Missed, record_json(gold)));
            }
            continue;
        };
        used[hit] = true;
        if gold.optional() {
            continue;
        }
        tally.tp += 1;
        for (name, good) in gold.attributes(&preds[hit])? {
            let Some(good) = good else { continue };
            tally.count_attribute(name, good);
            if !good {
                let mut detail = String::from("{\"gold\": ");
                gold.to_python_json(&mut detail);
                detail.push_str(", \"got\": ");
                preds[hit].to_python_json(&mut detail);
                detail.push('}');
                mismatches.push(mismatch(MismatchKind::Wrong(name), detail));
            }
        }
    }
    for (pred, used) in preds.iter().zip(&used) {
        if !used {
            tally.fp += 1;
            mismatches.push(mismatch(MismatchKind::Spurious, record_json(pred)));
        }
    }
    Ok(())
}

fn record_json<R: Normalized>(r: &R) -> String {
    let mut out = String::new();
    r.to_python_json(&mut out);
    out
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Python's `round(x, 4)`: the exact binary value rounded half-to-even to 4
/// decimals, read back as the nearest double. Rust's `{:.4}` rounds the same way.
fn round4(x: f64) -> f64 {
    format!("{x:.4}").parse().unwrap_or(x)
}

// ---- Python semantics on JSON values ----

/// Python's truth value of a decoded JSON value.
fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|x| x != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// A Python number: `int` (bools included) or `float`.
#[derive(Debug, Clone, Copy)]
enum Number {
    Int(i128),
    Float(f64),
}

fn number(v: &Value) -> Option<Number> {
    match v {
        Value::Bool(b) => Some(Number::Int(i128::from(*b))),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Some(Number::Int(i128::from(i)))
            } else if let Some(u) = n.as_u64() {
                Some(Number::Int(i128::from(u)))
            } else {
                n.as_f64().map(Number::Float)
            }
        }
        _ => None,
    }
}

impl Number {
    fn as_f64(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::Float(f) => f,
        }
    }

    /// Exact comparison, as Python compares `int` with `float`.
    fn partial_cmp(self, other: Number) -> Option<std::cmp::Ordering> {
        match (self, other) {
            (Number::Int(a), Number::Int(b)) => Some(a.cmp(&b)),
            (Number::Float(a), Number::Float(b)) => a.partial_cmp(&b),
            (Number::Int(i), Number::Float(f)) => int_float_cmp(i, f),
            (Number::Float(f), Number::Int(i)) => int_float_cmp(i, f).map(|o| o.reverse()),
        }
    }
}

fn int_float_cmp(i: i128, f: f64) -> Option<std::cmp::Ordering> {
    let approx = (i as f64).partial_cmp(&f)?;
    if approx != std::cmp::Ordering::Equal || f.abs() >= 1.7e38 {
        return Some(approx);
    }
    // `f` is integral here; compare exactly.
    Some(i.cmp(&(f as i128)))
}

/// Python's `==` on decoded JSON: numbers compare by value (`1 == 1.0 == True`).
fn python_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| python_eq(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, a)| y.get(k).is_some_and(|b| python_eq(a, b)))
        }
        _ => match (number(a), number(b)) {
            (Some(x), Some(y)) => x.partial_cmp(y) == Some(std::cmp::Ordering::Equal),
            (None, None) => a == b,
            _ => false,
        },
    }
}

/// Python's `a <= b` for strings and numbers; other pairs raise `TypeError`.
fn python_le(a: &Value, b: &Value) -> Result<bool, ScoreError> {
    if let (Value::String(x), Value::String(y)) = (a, b) {
        // UTF-8 byte order is code point order.
        return Ok(x <= y);
    }
    if let (Some(x), Some(y)) = (number(a), number(b)) {
        return Ok(matches!(
            x.partial_cmp(y),
            Some(std::cmp::Ordering::Less | std::cmp::Ordering::Equal)
        ));
    }
    Err(ScoreError::new(format!(
        "summit when: cannot compare {a} with {b}"
    )))
}

/// score.py's `overlaps`: two intervals overlap; `None` matches only `None`.
fn overlaps(g: &Option<(Value, Value)>, p: &Option<(Value, Value)>) -> Result<bool, ScoreError> {
    match (g, p) {
        (Some(g), Some(p)) => Ok(python_le(&p.0, &g.1)? && python_le(&g.0, &p.1)?),
        (None, None) => Ok(true),
        _ => Ok(false),
    }
}

/// score.py's `close`: within 1% of the larger magnitude (at least 1); a
/// `null` matches only a `null`.
fn close(a: &Value, b: &Value) -> Result<bool, ScoreError> {
    if a.is_null() || b.is_null() {
        return Ok(a.is_null() && b.is_null());
    }
    let (Some(x), Some(y)) = (number(a), number(b)) else {
        return Err(ScoreError::new(format!(
            "aid amount: cannot subtract {b} from {a}"
        )));
    };
    if let (Number::Int(x), Number::Int(y)) = (x, y) {
        let diff = (x - y).abs();
        let tolerance = 0.01 * x.abs().max(y.abs()).max(1) as f64;
        // An exact integer against a float, as Python compares them.
        return Ok(tolerance >= 1.7e38 || diff <= tolerance.floor() as i128);
    }
    let (x, y) = (x.as_f64(), y.as_f64());
    Ok((x - y).abs() <= 0.01 * x.abs().max(y.abs()).max(1.0))
}

/// A dictionary key with Python's hash equality (`1`, `1.0` and `true` are
/// one key). Lists and objects are unhashable.
fn hash_key(v: &Value) -> Result<String, ScoreError> {
    match v {
        Value::Null => Ok("null".to_owned()),
        Value::String(s) => Ok(format!("s:{s}")),
        Value::Bool(_) | Value::Number(_) => match number(v) {
            Some(Number::Int(i)) => Ok(format!("n:{i}")),
            Some(Number::Float(f)) if f.fract() == 0.0 && f.abs() < 1.7e38 => {
                Ok(format!("n:{}", f as i128))
            }
            Some(Number::Float(f)) => Ok(format!("n:{f:e}")),
            None => Ok(format!("n:{v}")),
        },
        Value::Array(_) | Value::Object(_) => Err(ScoreError::new(format!(
            "article id {v} is a list or object"
        ))),
    }
}

/// Python's `str()` of a decoded JSON scalar (containers use `json.dumps`).
fn python_str(v: &Value) -> String {
    match v {
        Value::Null => "None".to_owned(),
        Value::Bool(true) => "True".to_owned(),
        Value::Bool(false) => "False".to_owned(),
        Value::String(s) => s.clone(),
        _ => {
            let mut out = String::new();
            python_json(v, &mut out);
            out
        }
    }
}

/// Python's `json.dumps` (default separators, `ensure_ascii`).
fn python_json(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => match number(v) {
            Some(Number::Float(f)) => out.push_str(&python_float_repr(f)),
            _ => out.push_str(&n.to_string()),
        },
        Value::String(s) => python_json_str(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                python_json(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                python_json_str(k, out);
                out.push_str(": ");
                python_json(item, out);
            }
            out.push('}');
        }
    }
}

/// A JSON string with only printable ASCII left unescaped.
fn python_json_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
}

/// Python's `repr(float)`: the shortest digits that round-trip, in fixed
/// notation for decimal exponents from -4 to 15, else as `1.5e+16`.
fn python_float_repr(x: f64) -> String {
    if x.is_nan() {
        return "NaN".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    let sign = if x.is_sign_negative() { "-" } else { "" };
    let mut scientific = format!("{:e}", x.abs());
    // Of the shortest digit strings that read back as `x`, Python prints the
    // one nearest to `x`, ties to even; Rust's shortest form may take the
    // other one of a tie. The correctly rounded form of the same length is
    // Python's, whenever it reads back as `x`.
    let length = scientific.find('e').unwrap_or(1) - usize::from(scientific.contains('.'));
    let nearest = format!("{:.*e}", length.saturating_sub(1), x.abs());
    if nearest.parse::<f64>() == Ok(x.abs()) {
        scientific = nearest;
    }
    let Some((mantissa, exponent)) = scientific.split_once('e') else {
        return x.to_string();
    };
    let Ok(exponent) = exponent.parse::<i32>() else {
        return x.to_string();
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let point = exponent + 1;
    let body = if point > -4 && point <= 16 {
        if point <= 0 {
            format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
        } else if point as usize >= digits.len() {
            format!("{digits}{}.0", "0".repeat(point as usize - digits.len()))
        } else {
            format!(
                "{}.{}",
                &digits[..point as usize],
                &digits[point as usize..]
            )
        }
    } else {
        let mantissa = if digits.len() > 1 {
            format!("{}.{}", &digits[..1], &digits[1..])
        } else {
            digits
        };
        let exp_sign = if exponent < 0 { '-' } else { '+' };
        format!("{mantissa}e{exp_sign}{:02}", exponent.unsigned_abs())
    };
    format!("{sign}{body}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Scores `gold` and `pred` (JSON Lines) and compares the `--json` line
    /// and the `--errors` lines with what score.py printed for the same input.
    fn check(gold: &str, pred: &str, json: &str, errors: &[&str]) {
        let (report, mismatches) = score_texts("gold", gold, "pred", pred).expect("scorable");
        assert_eq!(report.to_json(), json);
        let got: Vec<String> = mismatches.iter().map(Mismatch::line).collect();
        assert_eq!(got, errors);
    }

    #[test]
    fn perfect_seed_like_article() {
        check(
            r#"{"id": "a", "summits": [{"participants": ["PRK", "JPN"], "status": "proposed", "when": {"start": "2018-06-01", "end": "2018-06-10"}}], "aid": [{"donor": "JPN", "recipient": "PRK", "currency": "USD", "min": 20000000000, "max": 50000000000, "status": "requested"}]}"#,
            r#"{"schema": "summit/1", "article": {"id": "a"}, "participants": ["JPN", "PRK"], "status": "proposed", "when": {"text": "early June", "start": "2018-06-05", "end": "2018-06-05"}}
{"schema": "aid/1", "article": {"id": "a"}, "donor": "JPN", "recipient": "PRK", "amount": {"currency": "USD", "min": 2.01e10, "max": 5e10}, "status": "requested"}
{"schema": "article/1", "article": {"id": "a"}}"#,
            r#"{"summits": {"tp": 1, "fp": 0, "fn": 0, "precision": 1.0, "recall": 1.0, "f1": 1.0, "attributes": {"status": 1.0, "when": 1.0}}, "aid": {"tp": 1, "fp": 0, "fn": 0, "precision": 1.0, "recall": 1.0, "f1": 1.0, "attributes": {"donor": 1.0, "recipient": 1.0, "status": 1.0}}, "micro_f1": 1.0}"#,
            &[],
        );
    }

    #[test]
    fn optional_null_max_and_two_summits_of_one_pair() {
        check(
            concat!(
                r#"{"id": "a", "summits": [{"participants": ["KOR", "PRK"], "status": "held", "when": {"start": "2018-04-27", "end": "2018-04-27"}}, {"participants": ["KOR", "PRK"], "status": "planned", "when": {"start": "2018-09-01", "end": "2018-09-30"}}, {"participants": ["CHN", "PRK"], "status": "held", "when": null, "optional": true}], "aid": [{"currency": "USD", "min": 1000000000, "max": null, "status": "pledged", "donor": "USA"}, {"currency": "EUR", "min": 5, "max": 5, "optional": true}]}"#,
                "\n",
                r#"{"id": "b", "summits": [], "aid": []}"#,
            ),
            concat!(
                r#"{"id": "a", "summits": [{"participants": ["PRK", "KOR"], "status": "planned", "when": {"start": "2018-09-10", "end": "2018-09-10"}}, {"participants": ["PRK", "KOR", "KOR"], "status": "planned", "when": {"start": "2018-04-27", "end": "2018-04-28"}}, {"participants": ["CHN", "PRK"], "status": "held"}], "aid": [{"currency": "USD", "min": 1000000000, "max": 1000000000, "status": "pledged"}, {"currency": "EUR", "min": 5.04, "max": 5}]}"#,
                "\n",
                r#"{"id": "b", "summits": [{"participants": ["FRA", "DEU"], "status": "held", "when": {"start": "2004-01-01", "end": "2004-12-31"}}]}"#,
            ),
            r#"{"summits": {"tp": 2, "fp": 1, "fn": 0, "precision": 0.6667, "recall": 1.0, "f1": 0.8, "attributes": {"status": 0.5, "when": 1.0}}, "aid": {"tp": 0, "fp": 1, "fn": 1, "precision": 0.0, "recall": 0.0, "f1": 0.0, "attributes": {}}, "micro_f1": 0.5714}"#,
            &[
                r#"wrong status summits a: {"gold": {"participants": ["KOR", "PRK"], "status": "held", "when": ["2018-04-27", "2018-04-27"], "when_scored": true, "optional": false}, "got": {"participants": ["KOR", "PRK"], "status": "planned", "when": ["2018-04-27", "2018-04-28"], "when_scored": true, "optional": false}}"#,
                r#"      missed aid     a: {"currency": "USD", "min": 1000000000, "max": null, "donor": "USA", "recipient": null, "status": "pledged", "optional": false}"#,
                r#"    spurious aid     a: {"currency": "USD", "min": 1000000000, "max": 1000000000, "donor": null, "recipient": null, "status": "pledged", "optional": false}"#,
                r#"    spurious summits b: {"participants": ["DEU", "FRA"], "status": "held", "when": ["2004-01-01", "2004-12-31"], "when_scored": true, "optional": false}"#,
            ],
        );
    }

    #[test]
    fn unscored_time_and_nothing_predicted() {
        check(
            r#"{"id": 7, "summits": [{"participants": ["GBR", "IRL"], "status": "held"}, {"participants": ["G8"], "status": "planned", "when": {"start": "2005-07-06", "end": "2005-07-08"}}], "aid": []}"#,
            r#"{"schema": "summit/1", "article": {"id": 7.0}, "participants": ["IRL", "GBR"], "status": "held", "when": {"text": "today", "start": "2026-01-01", "end": "2026-01-01"}}"#,
            r#"{"summits": {"tp": 1, "fp": 0, "fn": 1, "precision": 1.0, "recall": 0.5, "f1": 0.6667, "attributes": {"status": 1.0}}, "aid": {"tp": 0, "fp": 0, "fn": 0, "precision": 0.0, "recall": 0.0, "f1": 0.0, "attributes": {}}, "micro_f1": 0.6667}"#,
            &[
                r#"      missed summits 7: {"participants": ["G8"], "status": "planned", "when": ["2005-07-06", "2005-07-08"], "when_scored": true, "optional": false}"#,
            ],
        );
    }

    #[test]
    fn text_output() {
        let (report, _) = score_texts(
            "gold",
            r#"{"id": "a", "summits": [{"participants": ["A", "B"], "status": "held", "when": null}]}"#,
            "pred",
            r#"{"id": "a", "summits": [{"participants": ["A", "B"], "status": "planned", "when": null}]}"#,
        )
        .unwrap();
        assert_eq!(
            report.to_text(),
            "summits  P=1.000 R=1.000 F1=1.000 (tp=1 fp=0 fn=0) status=0.0 when=1.0\n\
             aid      P=0.000 R=0.000 F1=0.000 (tp=0 fp=0 fn=0) \n\
             micro F1=1.000\n"
        );
    }

    #[test]
    fn malformed_inputs_are_errors() {
        let err = |gold: &str, pred: &str| score_texts("g", gold, "p", pred).unwrap_err().message;
        assert_eq!(
            err("{\"id\": 1}\nnope", ""),
            "g:2: not JSON: expected ident at line 1 column 2"
        );
        assert!(err(r#"{"summits": []}"#, "").contains("no \"id\""));
        assert!(err(r#"{"id": "a", "summits": [{"when": "June"}]}"#, "").contains("when"));
        assert!(
            err(
                r#"{"id": "a", "summits": [{"participants": ["A", "B"], "when": {"start": "2001-01-01"}}]}"#,
                r#"{"id": "a", "summits": [{"participants": ["A", "B"], "when": {"start": "2000-01-01", "end": "2000-01-02"}}]}"#
            )
            .contains("cannot compare")
        );
    }

    #[test]
    fn python_number_formatting() {
        let cases = [
            (0.0, "0.0"),
            (1.0, "1.0"),
            (0.6667, "0.6667"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (20000000000.0, "20000000000.0"),
            (1e16, "1e+16"),
            (1.5e300, "1.5e+300"),
            (-2.5, "-2.5"),
            (123456789.125, "123456789.125"),
            // Two shortest forms tie; Python takes the even digit.
            (1_463_232_431_118_510.2, "1463232431118510.2"),
        ];
        for (x, want) in cases {
            assert_eq!(python_float_repr(x), want);
        }
        assert_eq!(round4(0.03125), 0.0312);
        assert_eq!(round4(2.0 / 3.0), 0.6667);
        let mut s = String::new();
        python_json_str("Zürich \u{1F600} \"q\"\n\u{7f}", &mut s);
        assert_eq!(s, r#""Z\u00fcrich \ud83d\ude00 \"q\"\n\u007f""#);
    }

    #[test]
    fn python_lines_and_close() {
        let lines: Vec<&str> = python_lines("a\r\nb\rc\n\nd").collect();
        assert_eq!(lines, ["a", "b", "c", "", "d"]);
        let v = |s: &str| serde_json::from_str::<Value>(s).unwrap();
        assert!(close(&v("100"), &v("101")).unwrap());
        assert!(!close(&v("100"), &v("102")).unwrap());
        assert!(close(&v("0"), &v("0.01")).unwrap());
        assert!(close(&v("null"), &v("null")).unwrap());
        assert!(!close(&v("null"), &v("0")).unwrap());
        assert!(python_eq(&v("1"), &v("1.0")));
        assert!(python_eq(&v("true"), &v("1")));
    }
}
