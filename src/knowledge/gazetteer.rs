//! The actor gazetteer: states, bodies and leaders, compiled into one
//! Aho-Corasick automaton over their surface forms.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use super::{KnowledgeError, csv_rows};

/// What kind of surface form a mention is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActorKind {
    /// A state's name ("Japan", "North Korea").
    Country,
    /// A demonym ("Japanese").
    Demonym,
    /// A capital or seat of government used for the government ("Pyongyang said").
    Seat,
    /// A place inside a state that is only ever a location ("Hanoi", "Sochi").
    Place,
    /// An intergovernmental body or forum ("EU", "G7", "IMF").
    Body,
    /// A head of state or government ("Shinzo Abe", "Abe").
    Leader,
}

/// One candidate reading of a surface form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub code: String,
    pub kind: ActorKind,
    /// Index into [`Gazetteer::leaders`] for leader forms.
    pub leader: Option<usize>,
    /// One of several codes a group form names ("inter-Korean").
    pub group: bool,
    /// First and last day the reading is valid (a state that ceased, a term in office).
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl Actor {
    fn valid_on(&self, date: Option<NaiveDate>) -> bool {
        let Some(date) = date else {
            // Without a date, time-bound readings are only taken for
            // non-leaders; leaders need the date to be resolved.
            return self.kind != ActorKind::Leader || self.to.is_none();
        };
        self.from.is_none_or(|f| f <= date) && self.to.is_none_or(|t| date <= t)
    }
}

/// A head of state or government with a term in office.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaderEntry {
    pub code: String,
    pub name: String,
    pub title: String,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// A resolved mention: byte offsets into the searched text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActorHit {
    pub start: usize,
    pub end: usize,
    pub code: String,
    pub kind: ActorKind,
    pub leader: Option<usize>,
}

/// States, bodies and leaders with their surface forms, compiled.
#[derive(Debug)]
pub struct Gazetteer {
    matcher: AhoCorasick,
    /// Candidate readings per pattern index.
    readings: Vec<Vec<Actor>>,
    pub leaders: Vec<LeaderEntry>,
    /// Display names per code, for messages.
    names: std::collections::BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct CountryRow {
    code: String,
    name: String,
    aliases: String,
    demonyms: String,
    seats: String,
    places: String,
    from: String,
    to: String,
}

#[derive(Deserialize)]
struct BodyRow {
    code: String,
    name: String,
    aliases: String,
}

#[derive(Deserialize)]
struct GroupRow {
    form: String,
    codes: String,
}

#[derive(Deserialize)]
struct LeaderRow {
    code: String,
    name: String,
    aliases: String,
    title: String,
    from: String,
    to: String,
}

/// Parses `YYYY-MM-DD`, `YYYY-MM` or `YYYY`; `start` picks the first or last day.
fn parse_date(
    file: &'static str,
    s: &str,
    start: bool,
) -> Result<Option<NaiveDate>, KnowledgeError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let bad = || KnowledgeError::new(file, format!("bad date {s:?}"));
    let parts: Vec<&str> = s.split('-').collect();
    let num = |p: &str| p.parse::<u32>().map_err(|_| bad());
    let date = match parts.as_slice() {
        [y] => {
            let y = num(y)? as i32;
            if start {
                NaiveDate::from_ymd_opt(y, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(y, 12, 31)
            }
        }
        [y, m] => {
            let (y, m) = (num(y)? as i32, num(m)?);
            let first = NaiveDate::from_ymd_opt(y, m, 1).ok_or_else(bad)?;
            if start {
                Some(first)
            } else {
                first
                    .checked_add_months(chrono::Months::new(1))
                    .and_then(|d| d.pred_opt())
            }
        }
        [y, m, d] => NaiveDate::from_ymd_opt(num(y)? as i32, num(m)?, num(d)?),
        _ => None,
    };
    date.map(Some).ok_or_else(bad)
}

fn split_list(s: &str) -> impl Iterator<Item = &str> {
    s.split('|').map(str::trim).filter(|x| !x.is_empty())
}

struct Builder {
    patterns: Vec<String>,
    readings: Vec<Vec<Actor>>,
    index: std::collections::HashMap<String, usize>,
}

impl Builder {
    fn add(&mut self, form: &str, actor: Actor) {
        let mut forms = vec![form.to_string()];
        // Headlines in wire copy are upper case ("NAKASONE TO MEET REAGAN").
        let upper = form.to_uppercase();
        if upper != form && form.chars().filter(|c| c.is_alphabetic()).count() >= 4 {
            forms.push(upper);
        }
        // British style writes long acronyms as words: "Nato", "Apec", "Opec".
        if actor.kind == ActorKind::Body
            && form.len() >= 4
            && form.chars().all(|c| c.is_ascii_uppercase())
        {
            let mut chars = form.chars();
            if let Some(first) = chars.next() {
                forms.push(first.to_string() + &chars.as_str().to_lowercase());
            }
        }
        // Wire copy sometimes lower-cases a body's name ("the world bank
        // approved"); a multi-word name is safe to match so.
        let lower = form.to_lowercase();
        if actor.kind == ActorKind::Body && form.contains(' ') && lower != form {
            forms.push(lower);
        }
        for f in forms {
            let i = *self.index.entry(f.clone()).or_insert_with(|| {
                self.patterns.push(f);
                self.readings.push(Vec::new());
                self.patterns.len() - 1
            });
            if !self.readings[i].contains(&actor) {
                self.readings[i].push(actor.clone());
            }
        }
    }
}

impl Gazetteer {
    /// Compiles the three gazetteer tables (the texts of data/countries.csv,
    /// data/bodies.csv and data/leaders.csv).
    pub fn from_csv(
        countries: &str,
        bodies: &str,
        leaders: &str,
        groups: &str,
    ) -> Result<Gazetteer, KnowledgeError> {
        let mut b = Builder {
            patterns: Vec::new(),
            readings: Vec::new(),
            index: Default::default(),
        };
        let mut names = std::collections::BTreeMap::new();
        for row in csv_rows::<CountryRow>("countries.csv", countries)? {
            let from = parse_date("countries.csv", &row.from, true)?;
            let to = parse_date("countries.csv", &row.to, false)?;
            let actor = |kind| Actor {
                code: row.code.clone(),
                kind,
                leader: None,
                group: false,
                from,
                to,
            };
            names
                .entry(row.code.clone())
                .or_insert_with(|| row.name.clone());
            b.add(&row.name, actor(ActorKind::Country));
            for f in split_list(&row.aliases) {
                b.add(f, actor(ActorKind::Country));
            }
            for f in split_list(&row.demonyms) {
                b.add(f, actor(ActorKind::Demonym));
            }
            for f in split_list(&row.seats) {
                b.add(f, actor(ActorKind::Seat));
            }
            for f in split_list(&row.places) {
                b.add(f, actor(ActorKind::Place));
            }
        }
        for row in csv_rows::<BodyRow>("bodies.csv", bodies)? {
            let actor = Actor {
                code: row.code.clone(),
                kind: ActorKind::Body,
                leader: None,
                group: false,
                from: None,
                to: None,
            };
            names.insert(row.code.clone(), row.name.clone());
            b.add(&row.name, actor.clone());
            for f in split_list(&row.aliases) {
                b.add(f, actor.clone());
            }
        }
        let mut leader_entries = Vec::new();
        for row in csv_rows::<LeaderRow>("leaders.csv", leaders)? {
            let from = parse_date("leaders.csv", &row.from, true)?;
            let to = parse_date("leaders.csv", &row.to, false)?;
            let idx = leader_entries.len();
            leader_entries.push(LeaderEntry {
                code: row.code.clone(),
                name: row.name.clone(),
                title: row.title.clone(),
                from,
                to,
            });
            let actor = Actor {
                code: row.code.clone(),
                kind: ActorKind::Leader,
                leader: Some(idx),
                group: false,
                from,
                to,
            };
            b.add(&row.name, actor.clone());
            for f in split_list(&row.aliases) {
                b.add(f, actor.clone());
            }
        }
        for row in csv_rows::<GroupRow>("groups.csv", groups)? {
            for code in split_list(&row.codes) {
                let kind = if names.contains_key(code) && code.len() != 3 {
                    ActorKind::Body
                } else {
                    ActorKind::Country
                };
                b.add(
                    &row.form,
                    Actor {
                        code: code.to_string(),
                        kind,
                        leader: None,
                        group: true,
                        from: None,
                        to: None,
                    },
                );
            }
        }
        let matcher = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&b.patterns)
            .map_err(|e| KnowledgeError::new("countries.csv", e.to_string()))?;
        Ok(Gazetteer {
            matcher,
            readings: b.readings,
            leaders: leader_entries,
            names,
        })
    }

    /// The display name of a code, if known.
    pub fn name(&self, code: &str) -> Option<&str> {
        self.names.get(code).map(String::as_str)
    }

    /// Whether `code` is a known state or body.
    pub fn is_known(&self, code: &str) -> bool {
        self.names.contains_key(code)
    }

    /// Every actor mention in `text`, resolved for an article dated `date`.
    /// A form whose valid readings disagree on the code ("Kim" when two
    /// leaders named Kim are in office) is dropped as ambiguous.
    pub fn find(&self, text: &str, date: Option<NaiveDate>) -> Vec<ActorHit> {
        let mut hits = Vec::new();
        for m in self.matcher.find_iter(text) {
            let (s, e) = (m.start(), m.end());
            let before_ok = text[..s]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric());
            let after_ok = text[e..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric());
            if !(before_ok && after_ok) {
                continue;
            }
            let readings = &self.readings[m.pattern().as_usize()];
            if readings.iter().all(|a| a.group) {
                hits.extend(readings.iter().map(|a| ActorHit {
                    start: s,
                    end: e,
                    code: a.code.clone(),
                    kind: a.kind,
                    leader: None,
                }));
                continue;
            }
            let mut valid: Vec<&Actor> = readings.iter().filter(|a| a.valid_on(date)).collect();
            // A leader out of office at the article's date is still named for
            // their state ("Kim Jong Il met Putin in 2002").
            // Within ten years of leaving office, that is: "Guterres" in 2023
            // is the UN's Secretary-General, no longer Portugal's premier.
            if valid.is_empty() && readings.iter().all(|a| a.kind == ActorKind::Leader) {
                valid = readings
                    .iter()
                    .filter(|a| match (date, a.to) {
                        (Some(d), Some(to)) => d >= to && (d - to).num_days() <= 3653,
                        _ => true,
                    })
                    .collect();
            }
            let Some(first) = valid.first() else { continue };
            if valid.iter().any(|a| a.code != first.code) {
                continue;
            }
            // Prefer the most specific reading (a leader over a country form).
            let best = valid
                .iter()
                .find(|a| a.kind == ActorKind::Leader)
                .unwrap_or(first);
            hits.push(ActorHit {
                start: s,
                end: e,
                code: best.code.clone(),
                kind: best.kind,
                leader: best.leader,
            });
        }
        hits
    }

    /// The year of a date, for messages.
    pub fn year(date: NaiveDate) -> i32 {
        date.year()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knowledge::{BODIES_CSV, COUNTRIES_CSV, GROUPS_CSV, LEADERS_CSV};

    fn check(text: &str, date: &str, expected: &[&str]) {
        let g = Gazetteer::from_csv(COUNTRIES_CSV, BODIES_CSV, LEADERS_CSV, GROUPS_CSV).unwrap();
        let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok();
        let got: Vec<String> = g.find(text, date).into_iter().map(|h| h.code).collect();
        assert_eq!(got, expected, "{text}");
    }

    #[test]
    fn names_demonyms_seats_and_leaders() {
        check(
            "Japan's Prime Minister Shinzo Abe met Kim",
            "2018-03-29",
            &["JPN", "JPN", "PRK"],
        );
        check(
            "Pyongyang said the North Korean leader",
            "2018-03-29",
            &["PRK", "PRK"],
        );
        check("Abe resigned", "2021-01-01", &["JPN"]);
        check("the inter-Korean summit", "2018-03-29", &["KOR", "PRK"]);
        check("Japanese-made cars", "2018-03-29", &["JPN"]);
        check("Chinaware", "2018-03-29", &[]);
    }
}
