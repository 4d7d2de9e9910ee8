//! Money amounts in text: currency symbols, codes and words (data/currencies.csv),
//! scale words, ranges ("$20 billion to $50 billion", "between X and Y"),
//! bounds ("more than", "up to") and approximations ("about", "some").
//!
//! Owns the reading of a money phrase into currency, min and max. It knows
//! nothing of aid: whether an amount is a transfer, and which of two amounts
//! in "£960m ($1.8bn)" is the record, is the caller's decision.
//!
//! How it reads a text: one compiled regex finds every currency form (the
//! table's forms, longest first, with word boundaries); if there is none the
//! text has no money and `find` returns at once. Otherwise the number grammar
//! of [`crate::extract::numbers`] lists the quantities, each quantity takes
//! the currency written right before or right after it, and adjacent pieces
//! are joined: dollars and cents ("$20 and 43c"), ranges, and bound words.
//!
//! Owned by the numbers/money work. Pure: no I/O, no global state.

use std::collections::{HashMap, HashSet};

use regex::Regex;

use crate::extract::numbers::{Mode, NumberFinder, Quantity, round_significant};
use crate::knowledge::KnowledgeError;

/// A money amount found in a text. `start`/`end` are byte offsets into the
/// text given to [`MoneyFinder::find`], on char boundaries, covering the whole
/// phrase (bound words and both ends of a range included).
#[derive(Debug, Clone, PartialEq)]
pub struct MoneyMatch {
    pub start: usize,
    pub end: usize,
    /// ISO 4217 code resolved for news ("$" and "dlrs" are `USD`, "£" and
    /// "stg" `GBP`, "ECU" `XEU`, "SDR" `XDR`).
    pub currency: String,
    /// The unit as written when it is ambiguous in isolation (`"$"`, `"£"`,
    /// `"dinar"`, …), `None` when the text names the currency unambiguously
    /// (`US$`, `USD`, `euros`, `yen`). Used to compare with Duckling's corpus.
    pub ambiguous_unit: Option<String>,
    /// Lower bound in whole currency units; `None` for "up to X".
    pub min: Option<f64>,
    /// Upper bound; `None` for "more than X". A single figure has min == max.
    pub max: Option<f64>,
}

/// Compiled money matchers; build once, share freely (`Send + Sync`).
#[derive(Debug)]
pub struct MoneyFinder {
    entries: Vec<Entry>,
    /// Every form of the table, longest first, in two named groups by whether
    /// the form starts with a letter (see [`form_regex`]).
    forms: Regex,
    /// `^` and the forms that start with a letter alone: tells which group
    /// of `forms` matched without a capture search (see [`Self::next_form`]).
    word_forms: Regex,
    /// Forms matched case-sensitively, keyed with whitespace collapsed.
    exact: HashMap<String, usize>,
    /// Forms matched case-insensitively, keyed lowercased.
    folded: HashMap<String, usize>,
    numbers: NumberFinder,
    /// A bound or approximation ending right before an amount.
    bound_before: Regex,
    /// "dispute over $5bn": "over" there means "about", not "more than".
    over_as_about: Regex,
    /// "$5bn or more", "$5bn or less".
    bound_after: Regex,
    /// "between" or "from" right before the first end of a range.
    range_opener: Regex,
    /// Verbs of change, lowercase: one a few words before "from" ("rose
    /// from $1bn to $2bn") or right before an amount ("rose $7.2bn to
    /// $170.8bn") makes two figures a change, not a range.
    change_verbs: HashSet<&'static str>,
    /// Runs of letters (`\p{L}+`): the words of a window.
    letters: Regex,
}

/// One row of the currency table.
#[derive(Debug, Clone)]
struct Entry {
    code: String,
    unit: Option<String>,
    pre: bool,
    post: bool,
    factor: f64,
    not_before: Vec<String>,
}

/// A currency form found in the text.
#[derive(Debug, Clone, Copy)]
struct Hit {
    start: usize,
    end: usize,
    entry: usize,
    /// The form starts with a letter ("dollars", "USD"), not a symbol ("$").
    word: bool,
}

/// A number, with or without a currency, on its way to becoming a phrase.
#[derive(Debug, Clone)]
struct Piece {
    start: usize,
    end: usize,
    value: f64,
    base: f64,
    scale: f64,
    whole: bool,
    year_like: bool,
    /// The currency entry; `None` for a bare number (a range's first end).
    entry: Option<usize>,
    /// The currency is written before the number ("$20-50 billion").
    prefixed: bool,
    /// The currency is a subunit ("43 cents").
    subunit: bool,
}

/// A finished phrase before bounds are applied.
#[derive(Debug, Clone)]
struct Phrase {
    start: usize,
    end: usize,
    entry: usize,
    min: f64,
    max: f64,
    range: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Connector {
    Dash,
    To,
    And,
}

/// How far back a bound word may start (bytes); "no more than" plus spaces.
const BOUND_WINDOW: usize = 48;
/// At most this much whitespace between a currency and its number.
const MAX_GAP: usize = 4;

impl MoneyFinder {
    /// Compiles the matchers from the currency table (the text of data/currencies.csv).
    pub fn from_csv(csv: &str) -> Result<MoneyFinder, KnowledgeError> {
        let err = |m: String| KnowledgeError::new("currencies.csv", m);
        let mut reader = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .trim(csv::Trim::All)
            .from_reader(csv.as_bytes());
        let headers = reader.headers().map_err(|e| err(e.to_string()))?.clone();
        let column = |name: &str| {
            headers
                .iter()
                .position(|h| h == name)
                .ok_or_else(|| err(format!("missing column `{name}`")))
        };
        let (c_code, c_unit, c_pos, c_case, c_factor, c_not, c_forms) = (
            column("code")?,
            column("unit")?,
            column("position")?,
            column("case")?,
            column("factor")?,
            column("not_before")?,
            column("forms")?,
        );
        let mut entries = Vec::new();
        let mut exact = HashMap::new();
        let mut folded = HashMap::new();
        // (form, case-insensitive) for the regex.
        let mut all_forms: Vec<(String, bool)> = Vec::new();
        for (n, record) in reader.records().enumerate() {
            let record = record.map_err(|e| err(e.to_string()))?;
            let row = n + 1;
            let field = |c: usize| record.get(c).unwrap_or("");
            let code = field(c_code);
            if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(err(format!("row {row}: `{code}` is no ISO 4217 code")));
            }
            let (pre, post) = match field(c_pos) {
                "pre" => (true, false),
                "post" => (false, true),
                "both" => (true, true),
                other => return Err(err(format!("row {row}: position `{other}`"))),
            };
            let any_case = match field(c_case) {
                "exact" => false,
                "any" => true,
                other => return Err(err(format!("row {row}: case `{other}`"))),
            };
            let factor: f64 = field(c_factor)
                .parse()
                .ok()
                .filter(|f: &f64| *f > 0.0 && f.is_finite())
                .ok_or_else(|| err(format!("row {row}: factor `{}`", field(c_factor))))?;
            let unit = Some(field(c_unit))
                .filter(|u| !u.is_empty())
                .map(str::to_string);
            let not_before = field(c_not)
                .split('|')
                .filter(|w| !w.is_empty())
                .map(str::to_lowercase)
                .collect();
            let entry = entries.len();
            entries.push(Entry {
                code: code.to_string(),
                unit,
                pre,
                post,
                factor,
                not_before,
            });
            for form in field(c_forms)
                .split('|')
                .map(str::trim)
                .filter(|f| !f.is_empty())
            {
                let key = collapse_whitespace(form);
                let (map, key) = if any_case {
                    (&mut folded, key.to_lowercase())
                } else {
                    (&mut exact, key)
                };
                if map.insert(key, entry).is_some() {
                    return Err(err(format!("row {row}: form `{form}` is listed twice")));
                }
                all_forms.push((form.to_string(), any_case));
            }
        }
        if entries.is_empty() {
            return Err(err("no currencies".to_string()));
        }
        let (forms, word_forms) = form_regex(&all_forms).map_err(|e| err(e.to_string()))?;
        let compile = |p: &str| Regex::new(p).map_err(|e| err(e.to_string()));
        Ok(MoneyFinder {
            entries,
            forms,
            word_forms,
            exact,
            folded,
            numbers: NumberFinder::new(),
            bound_before: compile(BOUND_BEFORE)?,
            over_as_about: compile(OVER_AS_ABOUT)?,
            bound_after: compile(BOUND_AFTER)?,
            range_opener: compile(RANGE_OPENER)?,
            change_verbs: CHANGE_VERBS.split('|').collect(),
            letters: compile(r"\p{L}+")?,
        })
    }

    /// Every money amount in `text`, left to right, non-overlapping.
    ///
    /// An amount needs a currency written next to its number: bare numbers,
    /// years and percentages are never money. Values are finite; `min <= max`
    /// whenever both are set.
    pub fn find(&self, text: &str) -> Vec<MoneyMatch> {
        let hits = self.currency_hits(text);
        if hits.is_empty() {
            return Vec::new();
        }
        let quantities = self.numbers.quantities(text, Mode::Money);
        let mut used = vec![false; hits.len()];
        let mut pieces = self.pieces(text, &hits, &quantities, &mut used);
        self.one_word_amounts(text, &hits, &used, &mut pieces);
        pieces.sort_by_key(|p| p.start);
        // Pieces never overlap by construction; keep the first if they ever do,
        // so that the joins below can slice the text between neighbours.
        pieces.dedup_by(|next, kept| next.start < kept.end);
        let pieces = self.join_cents(text, pieces);
        let phrases = self.join_ranges(text, &pieces);
        self.apply_bounds(text, phrases)
    }

    /// Currency forms in `text`, left to right, non-overlapping.
    fn currency_hits(&self, text: &str) -> Vec<Hit> {
        let mut hits = Vec::new();
        let mut pos = 0;
        while pos < text.len() {
            let Some((start, end)) = self.next_form(text, pos) else {
                break;
            };
            let form = &text[start..end];
            pos = end;
            // A form that ends with a letter must not run into a word
            // ("euros" in "eurosceptic"); search again inside it.
            let ends_with_letter = form.ends_with(char::is_alphabetic);
            if ends_with_letter && text[end..].starts_with(char::is_alphabetic) {
                pos = start + form.chars().next().map_or(1, char::len_utf8);
                continue;
            }
            let key = collapse_whitespace(form);
            let entry = self
                .exact
                .get(&key)
                .or_else(|| self.folded.get(&key.to_lowercase()))
                .copied();
            let Some(entry) = entry else { continue };
            let not_before = &self.entries[entry].not_before;
            if !not_before.is_empty() {
                let next = next_word(&text[end..]);
                if not_before.iter().any(|w| w.eq_ignore_ascii_case(next)) {
                    continue;
                }
            }
            hits.push(Hit {
                start,
                end,
                entry,
                word: form.starts_with(char::is_alphabetic),
            });
        }
        hits
    }

    /// The next currency form at or after `pos`: group `w` or `s` of
    /// `forms`, as `captures_at` would give it, found with a plain search.
    ///
    /// A capture search on this alternation of some 600 forms costs ten
    /// times the search itself (the bounded backtracker clears a visited set
    /// the size of the whole automaton on every call), and it was most of
    /// the core's time (BENCHMARKS.md). The group is recovered instead: the
    /// pattern is `^W | [^\p{L}]W | S`, tried in that order at the match's
    /// start `a`, so the match is `^W` when `W` matches at the very start,
    /// else `W` after one boundary character when `W` matches right after
    /// the first character, else `S`. (A match of `S` starts with a
    /// non-letter, and an `a > 0` can only start with one.)
    fn next_form(&self, text: &str, pos: usize) -> Option<(usize, usize)> {
        let m = self.forms.find_at(text, pos)?;
        let a = m.start();
        // `word_forms` is anchored with `^`, and no form looks behind it.
        let word_at = |k: usize| self.word_forms.find(&text[k..]).map(|w| (k, k + w.end()));
        let first = text[a..].chars().next().map_or(1, char::len_utf8);
        let word = if a == 0 { word_at(0) } else { None }.or_else(|| word_at(a + first));
        // A word form's group ends where the whole match does.
        Some(match word {
            Some((start, end)) if end == m.end() => (start, end),
            _ => (a, m.end()),
        })
    }

    /// Gives each quantity the currency written next to it.
    fn pieces(
        &self,
        text: &str,
        hits: &[Hit],
        quantities: &[Quantity],
        used: &mut [bool],
    ) -> Vec<Piece> {
        let mut pieces = Vec::new();
        for q in quantities {
            let k = hits.partition_point(|h| h.end <= q.start);
            let pre = k
                .checked_sub(1)
                .filter(|&h| {
                    let e = &self.entries[hits[h].entry];
                    !used[h] && e.pre && e.factor == 1.0 && gap_is_space(text, hits[h].end, q.start)
                })
                .filter(|&h| !q.glued_left || hits[h].end == q.start);
            let k = hits.partition_point(|h| h.start < q.end);
            let mut post = Some(k).filter(|&h| {
                h < hits.len()
                    && !used[h]
                    && self.entries[hits[h].entry].post
                    && (gap_is_space(text, q.end, hits[h].start)
                        || (q.scale > 1.0 && hits[h].word && &text[q.end..hits[h].start] == "-"))
            });
            post = post.filter(|&h| !q.glued_right || hits[h].start == q.end);
            // "in 1987 dollars", "2019 marks the anniversary": a year before a
            // currency word is no amount.
            if q.year_like && pre.is_none() {
                post = post.filter(|&h| !hits[h].word);
            }
            if (q.glued_left && pre.is_none()) || (q.glued_right && post.is_none()) {
                continue;
            }
            let mut piece = Piece {
                start: q.start,
                end: q.end,
                value: q.value,
                base: q.base,
                scale: q.scale,
                whole: q.whole,
                year_like: q.year_like,
                entry: None,
                prefixed: false,
                subunit: false,
            };
            if let Some(h) = pre {
                if followed_by_percent(&text[q.end..]) {
                    continue;
                }
                used[h] = true;
                piece.start = hits[h].start;
                piece.entry = Some(hits[h].entry);
                piece.prefixed = true;
                // "US$ 5 million US dollars": the same currency repeated after.
                if let Some(p) = post
                    && self.entries[hits[p].entry].code == self.entries[hits[h].entry].code
                    && self.entries[hits[p].entry].factor == 1.0
                {
                    used[p] = true;
                    piece.end = hits[p].end;
                }
            } else if let Some(h) = post {
                used[h] = true;
                let e = &self.entries[hits[h].entry];
                piece.end = hits[h].end;
                piece.entry = Some(hits[h].entry);
                piece.subunit = e.factor != 1.0;
                piece.value = e.in_units(piece.value);
                piece.base = e.in_units(piece.base);
            }
            pieces.push(piece);
        }
        pieces
    }

    /// "a dollar", "a euro": the article stands for one, when nothing but
    /// punctuation or cents follows ("a dollar bond" is no amount).
    fn one_word_amounts(&self, text: &str, hits: &[Hit], used: &[bool], pieces: &mut Vec<Piece>) {
        for (h, hit) in hits.iter().enumerate() {
            let e = &self.entries[hit.entry];
            if used[h] || !hit.word || !e.post || e.factor != 1.0 {
                continue;
            }
            let before = text[..hit.start].trim_end_matches(char::is_whitespace);
            if before.len() == hit.start || before.len() + MAX_GAP < hit.start {
                continue;
            }
            let Some(a_start) = before.len().checked_sub(1) else {
                continue;
            };
            if !before.ends_with(['a', 'A'])
                || text[..a_start]
                    .chars()
                    .next_back()
                    .is_some_and(char::is_alphanumeric)
            {
                continue;
            }
            let after = &text[hit.end..];
            let ends = ends_phrase(after) || next_word(after).eq_ignore_ascii_case("and");
            if !ends {
                continue;
            }
            pieces.push(Piece {
                start: a_start,
                end: hit.end,
                value: 1.0,
                base: 1.0,
                scale: 1.0,
                whole: true,
                year_like: false,
                entry: Some(hit.entry),
                prefixed: false,
                subunit: false,
            });
        }
    }

    /// Joins units and cents: "$20 and 43c", "20 dollars 43 cents",
    /// "US$3 and fourteen", "$20 43".
    fn join_cents(&self, text: &str, pieces: Vec<Piece>) -> Vec<Piece> {
        let mut out: Vec<Piece> = Vec::with_capacity(pieces.len());
        let mut iter = pieces.into_iter().peekable();
        while let Some(mut a) = iter.next() {
            let joinable = a.entry.is_some()
                && !a.subunit
                && a.whole
                && self.range_opener_before(text, a.start).is_none();
            if joinable && let Some(b) = iter.peek() {
                let gap = &text[a.end..b.start];
                let cents_small = b.whole_cents();
                let gap_ok =
                    (is_space(gap) && !gap.is_empty() && gap.len() <= MAX_GAP) || is_and(gap);
                let subunit = b.subunit && b.entry.is_some();
                let bare_at_end = b.entry.is_none() && ends_phrase(&text[b.end..]);
                if gap_ok && cents_small && (subunit || bare_at_end) {
                    let cents = if subunit { b.value } else { b.value * 0.01 };
                    a.value = round_significant(a.value + cents);
                    a.base = a.value;
                    a.whole = false;
                    a.end = b.end;
                    iter.next();
                }
            }
            out.push(a);
        }
        out
    }

    /// Joins ranges ("$20 billion to $50 billion", "$20-50 billion",
    /// "20 to 50 billion dollars", "between $1 and $2 billion") and drops
    /// the bare numbers that did not become a range's first end.
    fn join_ranges(&self, text: &str, pieces: &[Piece]) -> Vec<Phrase> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < pieces.len() {
            if let Some(b) = pieces.get(i + 1)
                && let Some(phrase) = self.range(text, &pieces[i], b)
            {
                out.push(phrase);
                i += 2;
                continue;
            }
            let a = &pieces[i];
            if let Some(entry) = a.entry {
                out.push(Phrase {
                    start: a.start,
                    end: a.end,
                    entry,
                    min: a.value,
                    max: a.value,
                    range: false,
                });
            }
            i += 1;
        }
        out
    }

    /// The range `a` to `b`, if the text between them makes one.
    fn range(&self, text: &str, a: &Piece, b: &Piece) -> Option<Phrase> {
        let connector = connector(&text[a.end..b.start])?;
        let opener = self.range_opener_before(text, a.start);
        if connector == Connector::And && opener.is_none() {
            return None;
        }
        if let Some((from_start, true)) = opener
            && self.change_verb_near_end(window_before(text, from_start, 64), 6)
        {
            return None;
        }
        if connector == Connector::To && opener.is_none() {
            // "up by 400m euros to 2.5bn euros", "rose $7.2bn to $170.8bn":
            // a change and the new level.
            let before = window_before(text, a.start, 40);
            let by = before
                .trim_end()
                .rsplit(|c: char| !c.is_alphabetic())
                .next();
            if by.is_some_and(|w| w.eq_ignore_ascii_case("by"))
                || self.change_verb_near_end(before, 2)
            {
                return None;
            }
        }
        if a.subunit || b.subunit {
            return None;
        }
        let entry = match (a.entry, b.entry) {
            // "20 to 50 billion dollars", "between 10 and 20 dollars".
            (None, Some(eb)) => {
                if a.year_like && opener.is_none() {
                    return None;
                }
                eb
            }
            // "$20-50 billion", "between $1 and 2 billion".
            (Some(ea), None) => {
                if !a.prefixed || b.year_like {
                    return None;
                }
                // "$1 million to 2 million people" is no range.
                if connector == Connector::To
                    && opener.is_none()
                    && !(a.scale == 1.0 && b.scale > 1.0)
                {
                    return None;
                }
                ea
            }
            (Some(ea), Some(eb)) => {
                if self.entries[ea].code != self.entries[eb].code {
                    return None;
                }
                eb
            }
            (None, None) => return None,
        };
        let mut lo = a.value;
        let hi = b.value;
        // The scale written only on the upper end applies to both.
        if a.scale == 1.0 && b.scale > 1.0 {
            if a.base < b.base {
                lo = a.value * b.scale;
            } else if a.entry.is_none() || b.entry.is_none() {
                return None;
            }
        }
        if lo > hi {
            return None;
        }
        Some(Phrase {
            start: opener.map_or(a.start, |(s, _)| s),
            end: b.end,
            entry,
            min: lo,
            max: hi,
            range: true,
        })
    }

    /// Whether a change verb is among the last `words + 1` words of
    /// `window`, words being maximal runs of letters: what
    /// `(?i)(?:^|[^\p{L}])(?:VERBS)(?:[^\p{L}]+\p{L}+){0,N}[^\p{L}]*$`
    /// matches, without its lazy DFA, which never settles on a pattern of
    /// this size and cost some 90 µs a call (BENCHMARKS.md).
    fn change_verb_near_end(&self, window: &str, words: usize) -> bool {
        let runs: Vec<&str> = self.letters.find_iter(window).map(|m| m.as_str()).collect();
        runs.iter()
            .rev()
            .take(words + 1)
            .any(|w| self.change_verbs.contains(fold_case(w).as_str()))
    }

    /// "between" or "from" right before `pos`: its start and whether it is "from".
    fn range_opener_before(&self, text: &str, pos: usize) -> Option<(usize, bool)> {
        let window = window_before(text, pos, 16);
        let offset = pos - window.len();
        let caps = self.range_opener.captures(window)?;
        let word = caps.name("w")?;
        Some((
            offset + word.start(),
            word.as_str().eq_ignore_ascii_case("from"),
        ))
    }

    /// Applies bound and approximation words and builds the matches.
    fn apply_bounds(&self, text: &str, phrases: Vec<Phrase>) -> Vec<MoneyMatch> {
        let mut out: Vec<MoneyMatch> = Vec::with_capacity(phrases.len());
        for (n, p) in phrases.iter().enumerate() {
            let floor = out.last().map_or(0, |m| m.end);
            let (mut start, mut end) = (p.start, p.end);
            let (mut min, mut max) = (Some(p.min), Some(p.max));
            let window = window_before(text, p.start, BOUND_WINDOW);
            let offset = p.start - window.len();
            let mut bounded = false;
            if let Some(caps) = self.bound_before.captures(window) {
                let group = ["under", "above", "approx"]
                    .into_iter()
                    .find_map(|g| caps.name(g).map(|m| (g, m)));
                if let Some((kind, m)) = group
                    && offset + m.start() >= floor
                {
                    let over_as_about = m.as_str().eq_ignore_ascii_case("over")
                        && self.over_as_about.is_match(&window[..m.end()]);
                    match kind {
                        _ if over_as_about => {}
                        "approx" => start = offset + m.start(),
                        "under" if !p.range => {
                            start = offset + m.start();
                            min = None;
                            bounded = true;
                        }
                        "above" if !p.range => {
                            start = offset + m.start();
                            max = None;
                            bounded = true;
                        }
                        _ => {}
                    }
                }
            }
            if !bounded && !p.range {
                let limit = phrases.get(n + 1).map_or(text.len(), |next| next.start);
                let after = window_after(text, p.end, 24.min(limit.saturating_sub(p.end)));
                if let Some(caps) = self.bound_after.captures(after) {
                    if let Some(m) = caps.name("above") {
                        max = None;
                        end = p.end + m.end();
                    } else if let Some(m) = caps.name("under") {
                        min = None;
                        end = p.end + m.end();
                    }
                }
            }
            let e = &self.entries[p.entry];
            out.push(MoneyMatch {
                start,
                end,
                currency: e.code.clone(),
                ambiguous_unit: e.unit.clone(),
                min,
                max,
            });
        }
        out
    }
}

impl Entry {
    /// `value` counted in this entry's unit, in whole currency units, rounded
    /// so that "8.8 cents" is 0.088 and not 0.08800000000000001.
    fn in_units(&self, value: f64) -> f64 {
        if self.factor == 1.0 {
            value
        } else {
            round_significant(value * self.factor)
        }
    }
}

impl Piece {
    /// A whole number from 0 to 99: what can stand for cents.
    fn whole_cents(&self) -> bool {
        let units = if self.subunit {
            self.value * 100.0
        } else {
            self.value
        };
        let units = (units * 1e6).round() / 1e6;
        (0.0..100.0).contains(&units)
            && units.fract() == 0.0
            && (self.whole || self.subunit)
            && self.scale == 1.0
    }
}

// ---------------------------------------------------------------------------
// Patterns that are not currencies: bound words, range openers, change verbs.

/// A bound or approximation word ending right before an amount. Where two
/// phrases end at the same place the leftmost wins: "no more than" over
/// "more than", "not to exceed" over "exceed".
const BOUND_BEFORE: &str = concat!(
    r"(?i)(?:^|[^\p{L}])(?:",
    // min None: "up to $1 billion", "should not exceed 200 mln dlrs".
    r"(?P<under>no\s+more\s+than|not\s+more\s+than|up\s+to|less\s+than|lower\s+than|",
    r"fewer\s+than|just\s+under|under|below|at\s+most|at\s+a\s+maximum\s+of|",
    r"a\s+maximum\s+of|maximum\s+of|not\s+(?:to\s+)?exceed(?:ing)?|n['’]t\s+exceed|",
    r"as\s+much\s+as|as\s+high\s+as)",
    // max None: "more than $9 billion", "at least 21 mln dlrs".
    r"|(?P<above>no\s+less\s+than|not\s+less\s+than|more\s+than|greater\s+than|",
    r"higher\s+than|just\s+over|well\s+over|well\s+above|over|above|at\s+least|",
    r"in\s+excess\s+of|upwards\s+of|exceeding|exceed|a\s+minimum\s+of|minimum\s+of)",
    // Both ends the figure: "about $5m", "an estimated $5m"; only the span grows.
    r"|(?P<approx>about|some|nearly|almost|around|roughly|approximately|approx\.?|",
    r"an\s+estimated|estimated|close\s+to|circa|exactly|a\s+total\s+of|totall?ing|just)",
    r")\s*$",
);

/// "dispute over $5bn": "over" there means "about", not "more than".
const OVER_AS_ABOUT: &str = concat!(
    r"(?i)(?:^|[^\p{L}])(?:dispute|disputes|row|rows|fight|fights|talks|wrangle|",
    r"wrangling|quarrel|battle|standoff|disagreement|disagreements|argument|",
    r"arguments|deadlock|impasse|clash|clashes|concern|concerns|worries|lawsuit|",
    r"negotiations)\s+over$",
);

/// "$5bn or more", "$5bn or less" right after an amount.
const BOUND_AFTER: &str = concat!(
    r"(?i)^\s*(?:(?P<above>(?:or|and)\s+(?:more|above|over|upwards|higher))",
    r"|(?P<under>(?:or|and)\s+(?:less|below|under|lower)))(?:$|[^\p{L}])",
);

/// "between" or "from" right before the first end of a range.
const RANGE_OPENER: &str = r"(?i)(?:^|[^\p{L}])(?P<w>between|from)\s+$";

/// Verbs of change: "rose from $1bn to $2bn", "rose $7.2bn to $170.8bn"
/// give an old and a new figure, not a range.
const CHANGE_VERBS: &str = concat!(
    "rose|rise|rises|rising|risen|raise|raised|raises|raising|increase|",
    "increased|increases|increasing|fell|fall|falls|falling|fallen|cut|",
    "cuts|cutting|reduce|reduced|reduces|reducing|lower|lowered|lowers|",
    "lowering|lift|lifted|lifts|lifting|boost|boosted|boosts|boosting|",
    "expand|expanded|expands|expanding|grew|grow|grows|growing|grown|jump|",
    "jumped|jumps|climb|climbed|climbs|drop|dropped|drops|decline|declined|",
    "declines|double|doubled|doubles|doubling|triple|tripled|triples|trim|",
    "trimmed|trims|slash|slashed|slashes|revise|revised|revises|revising|",
    "up|down|upgrade|upgraded|downgrade|downgraded|widen|widened|widens|",
    "narrow|narrowed|narrows|swell|swelled|swollen|soar|soared|soars|",
    "plunge|plunged|plunges|shrank|shrink|shrinks|shrunk|change|changed|",
    "changes|go|went|gone|goes|move|moved",
);

/// A change verb, then at most `words` words, then the end of the text:
/// the reference for [`MoneyFinder::change_verb_near_end`].
#[cfg(test)]
fn change_verb_before(words: usize) -> String {
    format!(
        r"(?i)(?:^|[^\p{{L}}])(?:{CHANGE_VERBS})(?:[^\p{{L}}]+\p{{L}}+){{0,{words}}}[^\p{{L}}]*$"
    )
}

// ---------------------------------------------------------------------------
// Helpers

/// The regex for all forms, longest first in one alternation per group so
/// that the longest form wins ("Rs." over "Rs", "US$" over "$"). Forms that
/// start with a letter need a non-letter (or the start) before them; the
/// regex crate has no look-behind, so that character is matched outside the
/// named group `w` and the caller reads the group. Symbol-first forms are in
/// group `s`. The boundary after a form that ends with a letter is checked
/// by the caller ([`MoneyFinder::currency_hits`]); digits may touch a form
/// on either side ("USD3.14", "20Rs").
///
/// Also returns `^` and the word alternation alone, with which
/// [`MoneyFinder::next_form`] tells the groups apart without captures.
fn form_regex(forms: &[(String, bool)]) -> Result<(Regex, Regex), regex::Error> {
    type Forms<'a> = Vec<&'a (String, bool)>;
    let (mut words, mut symbols): (Forms, Forms) = forms
        .iter()
        .partition(|f| f.0.starts_with(char::is_alphabetic));
    let alternation = |list: &mut Forms| {
        if list.is_empty() {
            // A class that matches nothing keeps the pattern well-formed.
            return "[^\\s\\S]".to_string();
        }
        // Longest first: the regex prefers the earliest alternative.
        list.sort_by(|x, y| y.0.len().cmp(&x.0.len()).then_with(|| x.0.cmp(&y.0)));
        list.iter()
            .map(|(form, any_case)| {
                let body = form
                    .split_whitespace()
                    .map(regex::escape)
                    .collect::<Vec<_>>()
                    .join(r"\s+");
                if *any_case {
                    format!("(?i:{body})")
                } else {
                    body
                }
            })
            .collect::<Vec<_>>()
            .join("|")
    };
    let words = alternation(&mut words);
    let pattern = format!(
        r"(?:^|[^\p{{L}}])(?P<w>{words})|(?P<s>{})",
        alternation(&mut symbols),
    );
    let build = |pattern: &str| {
        regex::RegexBuilder::new(pattern)
            .size_limit(1 << 24)
            // Every sentence goes through `forms`: with the default 2 MB
            // its lazy DFA is cleared and rebuilt over and over on news
            // text (a third of its time); the cache grows only as needed.
            .dfa_size_limit(16 << 20)
            .build()
    };
    Ok((build(&pattern)?, build(&format!("^(?:{words})"))?))
}

/// `word` as the regex crate's `(?i)` compares it with ASCII words: ASCII
/// letters lowercased, and the two other letters that fold to ASCII (`ſ`
/// to `s`, the Kelvin sign to `k`); anything else stays, and so never equals
/// an ASCII word.
fn fold_case(word: &str) -> String {
    word.chars()
        .map(|c| match c {
            '\u{17F}' => 's',
            '\u{212A}' => 'k',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

fn collapse_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The letters at the start of `s` after optional whitespace.
fn next_word(s: &str) -> &str {
    let s = s.trim_start();
    let end = s.find(|c: char| !c.is_alphabetic()).unwrap_or(s.len());
    &s[..end]
}

fn is_space(s: &str) -> bool {
    s.chars().all(char::is_whitespace)
}

/// Only whitespace on one line, and not much of it, lies between `from`
/// and `to` (a paragraph break between a number and a currency word means
/// they belong to different lines of a table).
fn gap_is_space(text: &str, from: usize, to: usize) -> bool {
    from <= to
        && to - from <= MAX_GAP
        && text[from..to]
            .chars()
            .all(|c| c.is_whitespace() && c != '\n')
}

/// The text between two numbers reads " and ".
fn is_and(gap: &str) -> bool {
    let t = gap.trim();
    t.eq_ignore_ascii_case("and") && gap.len() > t.len() + 1 && gap.len() <= 3 + 2 * MAX_GAP
}

/// The text between two ends of a range.
fn connector(gap: &str) -> Option<Connector> {
    if gap.len() > 12 {
        return None;
    }
    let t = gap.trim();
    if t == "-" || t == "–" || t == "—" {
        return Some(Connector::Dash);
    }
    if t.len() == gap.len()
        || !gap.starts_with(char::is_whitespace)
        || !gap.ends_with(char::is_whitespace)
    {
        return None;
    }
    if t.eq_ignore_ascii_case("to") {
        Some(Connector::To)
    } else if t.eq_ignore_ascii_case("and") {
        Some(Connector::And)
    } else {
        None
    }
}

/// What follows a bare cents number ends the phrase: "$20 43." but not
/// "$20 43 times".
fn ends_phrase(after: &str) -> bool {
    let t = after.trim_start();
    t.is_empty() || t.starts_with(['.', ',', ';', ':', '!', '?', ')', '"', '\'', '’', '”'])
}

fn followed_by_percent(after: &str) -> bool {
    let t = after.trim_start();
    let w = next_word(t);
    t.starts_with('%')
        || w.eq_ignore_ascii_case("pct")
        || w.eq_ignore_ascii_case("percent")
        || (w.eq_ignore_ascii_case("per") && next_word(&t[w.len()..]).eq_ignore_ascii_case("cent"))
}

/// Up to `max` bytes of `text` ending at `pos`, starting on a char boundary.
fn window_before(text: &str, pos: usize, max: usize) -> &str {
    let mut start = pos.saturating_sub(max);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..pos]
}

/// Up to `max` bytes of `text` starting at `pos`, ending on a char boundary.
fn window_after(text: &str, pos: usize, max: usize) -> &str {
    let mut end = (pos + max).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[pos..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knowledge::CURRENCIES_CSV;
    use std::sync::OnceLock;

    /// The finder built from the embedded table, compiled once for all tests.
    fn finder() -> &'static MoneyFinder {
        static FINDER: OnceLock<MoneyFinder> = OnceLock::new();
        FINDER.get_or_init(|| {
            MoneyFinder::from_csv(CURRENCIES_CSV).expect("data/currencies.csv loads")
        })
    }

    /// Runs the finder and renders each match as
    /// `phrase => CUR[unit] min..max` (`_` for an open bound).
    fn check(input: &str, expected: &[&str]) {
        let got: Vec<String> = finder()
            .find(input)
            .iter()
            .map(|m| render(input, m))
            .collect();
        assert_eq!(got, expected, "input: {input:?}");
    }

    fn render(input: &str, m: &MoneyMatch) -> String {
        let num = |v: Option<f64>| v.map_or("_".to_string(), |v| format!("{v}"));
        let unit = m
            .ambiguous_unit
            .as_deref()
            .map_or(String::new(), |u| format!("[{u}]"));
        format!(
            "{} => {}{} {}..{}",
            &input[m.start..m.end],
            m.currency,
            unit,
            num(m.min),
            num(m.max)
        )
    }

    #[test]
    fn news_scale_words() {
        check(
            "raised 300 mln dlrs in",
            &["300 mln dlrs => USD[$] 300000000..300000000"],
        );
        check("a $2bn loan", &["$2bn => USD[$] 2000000000..2000000000"]);
        check("£2.5bn", &["£2.5bn => GBP[£] 2500000000..2500000000"]);
        check(
            "¥1 trillion",
            &["¥1 trillion => JPY[¥] 1000000000000..1000000000000"],
        );
        check(
            "1.5 billion euros",
            &["1.5 billion euros => EUR 1500000000..1500000000"],
        );
        check(
            "5 billion yuan",
            &["5 billion yuan => CNY 5000000000..5000000000"],
        );
        check(
            "Rs 10,000 crore",
            &["Rs 10,000 crore => INR 100000000000..100000000000"],
        );
        check(
            "Rs.500 crore",
            &["Rs.500 crore => INR 5000000000..5000000000"],
        );
        check("US $5bn in aid", &["US $5bn => USD 5000000000..5000000000"]);
        check("HK$3bn", &["HK$3bn => HKD 3000000000..3000000000"]);
        check(
            "C$1.2 billion",
            &["C$1.2 billion => CAD 1200000000..1200000000"],
        );
        check(
            "a $5.5-billion loan",
            &["$5.5-billion => USD[$] 5500000000..5500000000"],
        );
        check(
            "a billion dollars",
            &["a billion dollars => USD[$] 1000000000..1000000000"],
        );
        check("billions of dollars", &[]);
        check(
            "twenty-five million euros",
            &["twenty-five million euros => EUR 25000000..25000000"],
        );
        check(
            "12 mln Saudi riyals",
            &["12 mln Saudi riyals => SAR 12000000..12000000"],
        );
        check(
            "SDR 2.286 billion",
            &["SDR 2.286 billion => XDR 2286000000..2286000000"],
        );
        check(
            "7.4 billion euro",
            &["7.4 billion euro => EUR 7400000000..7400000000"],
        );
        check(
            "half a billion dollars",
            &["half a billion dollars => USD[$] 500000000..500000000"],
        );
        check(
            "US$4.7 billion",
            &["US$4.7 billion => USD 4700000000..4700000000"],
        );
        check(
            "20 million stg",
            &["20 million stg => GBP 20000000..20000000"],
        );
        check("265 mln stg", &["265 mln stg => GBP 265000000..265000000"]);
        check(
            "1.2 billion Canadian dlrs",
            &["1.2 billion Canadian dlrs => CAD 1200000000..1200000000"],
        );
        check("50 mln ECUs", &["50 mln ECUs => XEU 50000000..50000000"]);
        check(
            "a 100 mln dlr loan",
            &["100 mln dlr => USD[$] 100000000..100000000"],
        );
        check(
            "a 5 billion-dollar plan",
            &["5 billion-dollar => USD[$] 5000000000..5000000000"],
        );
    }

    #[test]
    fn ranges() {
        check(
            "$20 billion to $50 billion in aid",
            &["$20 billion to $50 billion => USD[$] 20000000000..50000000000"],
        );
        check(
            "$20-50 billion",
            &["$20-50 billion => USD[$] 20000000000..50000000000"],
        );
        check(
            "between $1 and $2 billion",
            &["between $1 and $2 billion => USD[$] 1000000000..2000000000"],
        );
        check(
            "$1 billion-$2 billion",
            &["$1 billion-$2 billion => USD[$] 1000000000..2000000000"],
        );
        check(
            "20 to 50 billion dollars",
            &["20 to 50 billion dollars => USD[$] 20000000000..50000000000"],
        );
        check(
            "100 mln to 150 mln dlrs",
            &["100 mln to 150 mln dlrs => USD[$] 100000000..150000000"],
        );
        check(
            "7-9 lakh rupees",
            &["7-9 lakh rupees => INR[rupee] 700000..900000"],
        );
        check("£1m-£2m", &["£1m-£2m => GBP[£] 1000000..2000000"]);
        check(
            "US$20-30 million",
            &["US$20-30 million => USD 20000000..30000000"],
        );
        check(
            "about $1-2 billion",
            &["about $1-2 billion => USD[$] 1000000000..2000000000"],
        );
        check(
            "between €20bn and €30bn",
            &["between €20bn and €30bn => EUR 20000000000..30000000000"],
        );
    }

    #[test]
    fn changes_and_counts_are_not_ranges() {
        check(
            "expand its loan programme to $8 billion from $3 billion",
            &[
                "$8 billion => USD[$] 8000000000..8000000000",
                "$3 billion => USD[$] 3000000000..3000000000",
            ],
        );
        check(
            "aid rose from $1 billion to $2 billion",
            &[
                "$1 billion => USD[$] 1000000000..1000000000",
                "$2 billion => USD[$] 2000000000..2000000000",
            ],
        );
        check(
            "gave $1 million to 2 million people",
            &["$1 million => USD[$] 1000000..1000000"],
        );
        check(
            "rose in 2018 to $5 billion",
            &["$5 billion => USD[$] 5000000000..5000000000"],
        );
        check(
            "turnover rose $7.2bn to $170.8bn",
            &[
                "$7.2bn => USD[$] 7200000000..7200000000",
                "$170.8bn => USD[$] 170800000000..170800000000",
            ],
        );
        check(
            "the wheat line by 20 mln to 165 mln dlrs",
            &["165 mln dlrs => USD[$] 165000000..165000000"],
        );
        check(
            "the allowance will rise only in line with inflation from £4,745 to £4,895",
            &["£4,745 => GBP[£] 4745..4745", "£4,895 => GBP[£] 4895..4895"],
        );
        check(
            "hopes to get $20 billion to $50 billion",
            &["$20 billion to $50 billion => USD[$] 20000000000..50000000000"],
        );
    }

    #[test]
    fn bounds() {
        check(
            "more than $9 billion",
            &["more than $9 billion => USD[$] 9000000000.._"],
        );
        check(
            "over $1 billion",
            &["over $1 billion => USD[$] 1000000000.._"],
        );
        check(
            "at least 21 mln dlrs",
            &["at least 21 mln dlrs => USD[$] 21000000.._"],
        );
        check(
            "up to $1 billion",
            &["up to $1 billion => USD[$] _..1000000000"],
        );
        check(
            "should not exceed 200 mln dlrs",
            &["not exceed 200 mln dlrs => USD[$] _..200000000"],
        );
        check("less than $5m", &["less than $5m => USD[$] _..5000000"]);
        check("under £7", &["under £7 => GBP[£] _..7"]);
        check("about $5m", &["about $5m => USD[$] 5000000..5000000"]);
        check("some $5m", &["some $5m => USD[$] 5000000..5000000"]);
        check("nearly $5m", &["nearly $5m => USD[$] 5000000..5000000"]);
        check(
            "an estimated $5m",
            &["an estimated $5m => USD[$] 5000000..5000000"],
        );
        check(
            "$5 billion or more",
            &["$5 billion or more => USD[$] 5000000000.._"],
        );
        check(
            "a dispute over $5 billion",
            &["$5 billion => USD[$] 5000000000..5000000000"],
        );
    }

    #[test]
    fn conversions_give_two_matches() {
        check(
            "£960m ($1.8bn)",
            &[
                "£960m => GBP[£] 960000000..960000000",
                "$1.8bn => USD[$] 1800000000..1800000000",
            ],
        );
    }

    #[test]
    fn historical_and_other_currencies() {
        check(
            "85 mln marks",
            &["85 mln marks => DEM[mark] 85000000..85000000"],
        );
        check(
            "25 billion pesetas",
            &["25 billion pesetas => ESP 25000000000..25000000000"],
        );
        check(
            "10 mln Swiss francs",
            &["10 mln Swiss francs => CHF 10000000..10000000"],
        );
        check(
            "10 mln French francs",
            &["10 mln French francs => FRF 10000000..10000000"],
        );
        check(
            "10 mln francs",
            &["10 mln francs => FRF[franc] 10000000..10000000"],
        );
        check(
            "5 billion lire",
            &["5 billion lire => ITL 5000000000..5000000000"],
        );
        check(
            "3 mln guilders",
            &["3 mln guilders => NLG 3000000..3000000"],
        );
        check(
            "200 mln Danish crowns",
            &["200 mln Danish crowns => DKK 200000000..200000000"],
        );
        check(
            "200 mln crowns",
            &["200 mln crowns => XXX[crown] 200000000..200000000"],
        );
        check("10 dinars", &["10 dinars => XXX[dinar] 10..10"]);
        check(
            "5 billion won",
            &["5 billion won => KRW[won] 5000000000..5000000000"],
        );
        check("36 cts a share", &["36 cts => USD[cent] 0.36..0.36"]);
        check("div 8.8 cents", &["8.8 cents => USD[cent] 0.088..0.088"]);
        check(
            "1.5 mln U.S. dlrs",
            &["1.5 mln U.S. dlrs => USD 1500000..1500000"],
        );
    }

    #[test]
    fn duckling_forms() {
        check("10$", &["10$ => USD[$] 10..10"]);
        check("USD3.14", &["USD3.14 => USD 3.14..3.14"]);
        check("3.14US$", &["3.14US$ => USD 3.14..3.14"]);
        check("20Rs", &["20Rs => INR 20..20"]);
        check("RM42", &["RM42 => MYR 42..42"]);
        check("$20 and 43c", &["$20 and 43c => USD[$] 20.43..20.43"]);
        check(
            "US$3 and fourteen",
            &["US$3 and fourteen => USD 3.14..3.14"],
        );
        check("a dollar", &["a dollar => USD[$] 1..1"]);
        check("42 bucks", &["42 bucks => USD[unknown] 42..42"]);
        check(
            "between 10 and 20 dollars",
            &["between 10 and 20 dollars => USD[$] 10..20"],
        );
    }

    #[test]
    fn not_money() {
        check("in 2019, 300 people and 5 pct", &[]);
        check("in 1987 dollars", &[]);
        check("1987 marks the anniversary", &[]);
        check("exactly dollars", &[]);
        check("five", &[]);
        check("the G7 and 3M Co", &[]);
        check("USD 5 pct", &[]);
        check("500 pounds of rice", &[]);
        check("Ranking: 3 won the cup; at 10 C it rained", &[]);
        check("a dollar bond", &[]);
        check("set a lira/dollar rate", &[]);
        check("exports 0\n\nCORDOBA", &[]);
        check("Rand Corp said 5 Afghanis", &[]);
    }

    #[test]
    fn table_rejects_duplicates_and_bad_codes() {
        let dup = "code,unit,position,case,factor,not_before,forms\nUSD,,both,exact,1,,$|$\n";
        assert!(MoneyFinder::from_csv(dup).is_err());
        let bad = "code,unit,position,case,factor,not_before,forms\nusd,,both,exact,1,,$\n";
        assert!(MoneyFinder::from_csv(bad).is_err());
    }

    /// The forms' capture groups, as `currency_hits` read them before
    /// `next_form` replaced the capture search (the reference it must agree with).
    fn forms_by_captures(text: &str, pos: usize) -> Option<(usize, usize)> {
        let caps = finder().forms.captures_at(text, pos)?;
        let m = caps.name("w").or_else(|| caps.name("s"))?;
        Some((m.start(), m.end()))
    }

    /// Every form `next_form` finds in `text`, checked against the captures.
    fn check_next_form(text: &str) {
        let mut pos = 0;
        loop {
            let expected = forms_by_captures(text, pos);
            assert_eq!(finder().next_form(text, pos), expected, "{text:?} at {pos}");
            match expected {
                Some((_, end)) if end > pos => pos = end,
                _ => break,
            }
        }
    }

    #[test]
    fn no_currency_or_no_amount_means_no_money() {
        let f = finder();
        assert!(f.find("300 people and 5 pct in 2019").is_empty());
        assert!(f.find("a dollar bond").is_empty());
        assert_eq!(f.find("300 mln dlrs").len(), 1);
    }

    #[test]
    fn next_form_reads_the_groups_the_captures_give() {
        for text in [
            "dollars at the start, $5, 5 dollars, US$5, U.S. $ 5 and A$5",
            "€ur 5, €UR5, €5, —dollars, x—euros, eurosceptic euros",
            "Rs. 5 and 20Rs, RM42, 5 yen, 5 Yen, NZ$ 5, £5 and 20p",
            "1.5 mln U.S. dlrs, 300 mln dlrs, 36 cts, crowns",
            // Letters that fold to ASCII under (?i), and an alphabetic
            // non-letter (a combining mark) as the boundary.
            "ſterling 5, 5 \u{212A}roner, \u{345}dollars, ßdollars",
            "$",
            "dlrs",
            "",
        ] {
            check_next_form(text);
        }
    }

    #[test]
    fn change_verbs_near_the_end_match_the_reference_pattern() {
        let f = finder();
        for (words, window) in [
            (6, "prices rose from"),
            (6, "rose sharply in the first half of the year from"),
            (6, "rose sharply in the first half of the whole year from"),
            (2, "rose $"),
            (2, "output ROSE 5 pct to"),
            (2, "rises to"),
            (2, "uprising to"),
            (2, "riſes to"),
            (2, "the proposal to"),
            (2, "é rose"),
            (6, ""),
        ] {
            let reference = Regex::new(&change_verb_before(words)).unwrap();
            assert_eq!(
                f.change_verb_near_end(window, words),
                reference.is_match(window),
                "{window:?} within {words} words"
            );
        }
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        fn assert_sound(text: &str) {
            let found = finder().find(text);
            let mut last_end = 0;
            for m in found {
                assert!(m.start >= last_end && m.start < m.end && m.end <= text.len());
                assert!(text.is_char_boundary(m.start) && text.is_char_boundary(m.end));
                assert!(m.min.is_some() || m.max.is_some());
                if let (Some(lo), Some(hi)) = (m.min, m.max) {
                    assert!(lo <= hi, "{lo} > {hi} in {text:?}");
                }
                assert!(m.min.is_none_or(f64::is_finite) && m.max.is_none_or(f64::is_finite));
                last_end = m.end;
            }
            for n in NumberFinder::new().find(text) {
                assert!(text.is_char_boundary(n.start) && text.is_char_boundary(n.end));
                assert!(n.start < n.end && n.value.is_finite());
            }
        }

        proptest! {
            #[test]
            fn never_panics_on_any_string(text in any::<String>()) {
                assert_sound(&text);
            }

            #[test]
            fn never_panics_on_money_like_strings(
                text in r"(?:[$£€¥]|US\$|Rs\.? |between |from |up to |more than |about |a |and |to |-|–| |\d{1,4}|,\d{3}|\.\d|[kmMbG]|bn|mln|billion|crore|lakh|dollars?|dlrs|cents?|c|euros|yen|pct|%|\(|\)|é|😀|\u{a0})*"
            ) {
                assert_sound(&text);
            }

            #[test]
            fn next_form_agrees_with_the_captures(
                text in r"(?:[$£€¥]|€ur|US\$|U\.S\. \$|Rs\.?|RM|A\$|dollars?|dlrs|euros?|yen|crowns|rand|won|ſ|\u{212A}|\u{345}|ß|é|—|x|s| |\d|\.)*"
            ) {
                check_next_form(&text);
            }

            #[test]
            fn change_verbs_agree_with_the_reference_pattern(
                window in r"(?:rose|rises|RISE|ri|ſ|up|down|went|the|a|é|of|\$|5| |-|,)*",
                words in 0usize..7,
            ) {
                let reference = Regex::new(&change_verb_before(words)).unwrap();
                prop_assert_eq!(
                    finder().change_verb_near_end(&window, words),
                    reference.is_match(&window)
                );
            }
        }
    }
}
