//! The analysed article that summit and aid assembly read: normalized text,
//! sentences, actor mentions with their roles, and small word-level helpers.

use chrono::NaiveDate;

use crate::knowledge::{ActorHit, ActorKind, Cue, CueIndex, Knowledge, is_word_bounded};

use super::sentences::Sentence;

/// How a mention relates to the sentence around it, from the word before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// "in Hanoi", "at the White House": where something happens.
    Location,
    /// "talks on Ukraine", "about Iran": what something is about.
    Topic,
    /// "from Japan", "by the EU".
    From,
    /// "to Ukraine", "for Nepal".
    To,
    /// "with Putin", "between Abe and Kim".
    With,
    /// Anything else: usually a subject or a modifier.
    Plain,
}

/// An actor mention with what the assembly needs to know about it.
#[derive(Debug, Clone)]
pub struct Mention {
    pub hit: ActorHit,
    pub role: Role,
    /// A demonym or state name beside a leader's title ("Russian President",
    /// "Japan's Prime Minister"), or a leader's own name.
    pub leader_level: bool,
    /// A possessive ("Japan's", "Kim's").
    pub possessive: bool,
}

impl Mention {
    pub fn code(&self) -> &str {
        &self.hit.code
    }

    pub fn kind(&self) -> ActorKind {
        self.hit.kind
    }
}

/// The article as the assembly sees it.
pub struct Doc<'a> {
    pub kb: &'a Knowledge,
    pub text: &'a str,
    pub sentences: Vec<Sentence>,
    pub mentions: Vec<Mention>,
    /// The publication date, when the article has one.
    pub published: Option<NaiveDate>,
    /// The date relative expressions resolve against (published, else received).
    pub anchor: NaiveDate,
    /// Whether the first paragraph of the text is the title.
    pub has_title: bool,
    /// Every cue in the text, found once.
    cues: CueIndex,
}

/// Words before a mention that make it a location.
const LOCATION_WORDS: &[&str] = &["in", "at", "near", "outside", "inside", "across", "via"];
const TOPIC_WORDS: &[&str] = &[
    "on",
    "about",
    "over",
    "against",
    "regarding",
    "concerning",
    "into",
];
const FROM_WORDS: &[&str] = &["from", "by"];
const TO_WORDS: &[&str] = &["to", "for", "toward", "towards"];
const WITH_WORDS: &[&str] = &["with", "between", "and", "&"];
/// Words skipped when looking for the word that governs a mention.
const SKIP_WORDS: &[&str] = &[
    "the", "a", "an", "its", "their", "his", "her", "new", "then",
];

impl<'a> Doc<'a> {
    pub fn new(
        kb: &'a Knowledge,
        text: &'a str,
        sentences: Vec<Sentence>,
        published: Option<NaiveDate>,
        anchor: NaiveDate,
        has_title: bool,
    ) -> Doc<'a> {
        let hits = kb.gazetteer.find(text, Some(anchor));
        let datelines: Vec<(usize, usize)> = kb
            .dateline
            .find_iter(text)
            .map(|m| (m.start(), m.end()))
            .collect();
        let mentions = hits
            .into_iter()
            .filter(|hit| !someone_else(kb, text, hit))
            .map(|hit| {
                let in_dateline = datelines
                    .iter()
                    .any(|&(a, b)| hit.start >= a && hit.end <= b);
                let role = if in_dateline {
                    Role::Location
                } else {
                    role_of(kb, text, &hit)
                };
                let possessive = text[hit.end..].starts_with("'s")
                    || text[hit.end..].starts_with("’s")
                    || text[hit.end..].starts_with("' ");
                let leader_level = hit.kind == ActorKind::Leader || titled(kb, text, &hit);
                Mention {
                    hit,
                    role,
                    leader_level,
                    possessive,
                }
            })
            .collect::<Vec<Mention>>();
        let mentions = share_list_roles(text, mentions);
        Doc {
            kb,
            text,
            sentences,
            mentions,
            published,
            anchor,
            has_title,
            cues: kb.lexicon.index(text),
        }
    }

    pub fn sentence_text(&self, s: Sentence) -> &'a str {
        &self.text[s.start..s.end]
    }

    /// The mentions inside `start..end` (byte offsets into the text).
    pub fn mentions_in(&self, start: usize, end: usize) -> impl Iterator<Item = &Mention> {
        self.mentions
            .iter()
            .filter(move |m| m.hit.start >= start && m.hit.end <= end)
    }

    /// Cue hits of one class inside `start..end`, as absolute offsets.
    pub fn cues(&self, cue: Cue, start: usize, end: usize) -> Vec<(usize, usize)> {
        self.cues
            .within(cue, start, end)
            .iter()
            .map(|h| (h.start, h.end))
            .collect()
    }

    pub fn has_cue(&self, cue: Cue, start: usize, end: usize) -> bool {
        !self.cues.within(cue, start, end).is_empty()
    }
}

/// A leader's bare surname after another capitalised name is someone else
/// ("David Kim, an analyst"); after a title it is the leader ("President
/// Kim").
fn someone_else(kb: &Knowledge, text: &str, hit: &ActorHit) -> bool {
    if hit.kind != ActorKind::Leader || text[hit.start..hit.end].contains(' ') {
        return false;
    }
    let before = &text[..hit.start];
    if !before.ends_with(' ') {
        return false;
    }
    let Some(word) = words_before(text, hit.start).next() else {
        return false;
    };
    let capitalised = word.chars().next().is_some_and(char::is_uppercase);
    let honorific = matches!(word, "Mr" | "Mrs" | "Ms" | "Dr" | "Sir" | "Lord" | "Dame");
    capitalised
        && !honorific
        && !kb.lexicon.any(Cue::LeaderTitle, word)
        && !kb.lexicon.any(Cue::NotSummit, word)
        && kb.gazetteer.find(word, None).is_empty()
}

/// In a list ("for South Korea, the United States, China and Japan") every
/// item takes the role of the first.
fn share_list_roles(text: &str, mut mentions: Vec<Mention>) -> Vec<Mention> {
    for i in 1..mentions.len() {
        let (prev, cur) = (&mentions[i - 1], &mentions[i]);
        if cur.role != Role::Plain && cur.role != Role::With {
            continue;
        }
        if prev.hit.end > cur.hit.start {
            continue;
        }
        let gap = text[prev.hit.end..cur.hit.start].trim();
        let gap = gap.trim_end_matches(" the").trim_end_matches("the").trim();
        let listed = matches!(gap, "," | "and" | ", and" | "or" | ", or");
        if listed && prev.role != Role::Plain && (prev.role != Role::With || gap != "and") {
            mentions[i].role = mentions[i - 1].role;
        }
    }
    mentions
}

/// At most the first `max` bytes of `s`, cut back to a char boundary.
pub fn prefix(s: &str, max: usize) -> &str {
    let mut end = max.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The words before `pos`, nearest first (letters, digits, apostrophes and hyphens).
pub fn words_before(text: &str, pos: usize) -> impl Iterator<Item = &str> {
    text[..pos]
        .rsplit(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’' || c == '-' || c == '.'))
        .filter(|w| !w.is_empty())
        .map(|w| w.trim_end_matches('.'))
}

/// The words after `pos`, nearest first.
pub fn words_after(text: &str, pos: usize) -> impl Iterator<Item = &str> {
    text[pos..]
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’' || c == '-'))
        .filter(|w| !w.is_empty())
}

fn role_of(kb: &Knowledge, text: &str, hit: &ActorHit) -> Role {
    // Walk back over articles and titles ("in the", "with President") to the
    // word that governs the mention, staying inside the clause.
    let before = &text[..hit.start];
    let clause_start = before
        .rfind([',', ';', ':', '(', '"', '“', '\n', '.'])
        .map_or(0, |i| i + 1);
    let clause = &before[clause_start..];
    for w in words_before(clause, clause.len()).take(5) {
        let lw = w.to_lowercase();
        let lw = lw.as_str();
        if LOCATION_WORDS.contains(&lw) {
            return Role::Location;
        }
        if TOPIC_WORDS.contains(&lw) {
            return Role::Topic;
        }
        if FROM_WORDS.contains(&lw) {
            return Role::From;
        }
        if TO_WORDS.contains(&lw) {
            return Role::To;
        }
        if WITH_WORDS.contains(&lw) {
            return Role::With;
        }
        if SKIP_WORDS.contains(&lw) || kb.lexicon.any(Cue::LeaderTitle, w) {
            continue;
        }
        // Another capitalised word (a first name, a demonym) is part of the
        // same noun phrase; anything else ends the search.
        if w.chars().next().is_some_and(char::is_uppercase) {
            continue;
        }
        break;
    }
    Role::Plain
}

/// Whether a state mention stands beside a leader's title: "Russian President",
/// "President of Russia", "Japan's Prime Minister", "the Chinese leader".
fn titled(kb: &Knowledge, text: &str, hit: &ActorHit) -> bool {
    if !matches!(
        hit.kind,
        ActorKind::Country | ActorKind::Demonym | ActorKind::Body
    ) {
        return false;
    }
    let after_end = (hit.end + 30).min(text.len());
    let after_end = (after_end..=text.len())
        .find(|i| text.is_char_boundary(*i))
        .unwrap_or(text.len());
    let after = &text[hit.end..after_end];
    let after = after
        .trim_start_matches("'s")
        .trim_start_matches("’s")
        .trim_start();
    let titles = kb.lexicon.find(Cue::LeaderTitle, after);
    if titles.first().is_some_and(|t| t.start <= 1) {
        return true;
    }
    // "President of Russia"
    let before_start = hit.start.saturating_sub(20);
    let before_start = (before_start..=hit.start)
        .find(|i| text.is_char_boundary(*i))
        .unwrap_or(hit.start);
    let before = &text[before_start..hit.start];
    let lower = before.to_lowercase();
    if let Some(stripped) = lower
        .trim_end()
        .strip_suffix(" of")
        .or_else(|| lower.trim_end().strip_suffix(" of the"))
    {
        let hits = kb.lexicon.find(Cue::LeaderTitle, stripped);
        return hits
            .last()
            .is_some_and(|h| h.end == stripped.len() && is_word_bounded(stripped, h.start, h.end));
    }
    false
}
