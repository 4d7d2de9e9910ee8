//! Summit assembly: sentences with a meeting cue, their participants, status,
//! time and place, merged into one draft per distinct summit in the article.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};

use crate::extract::doc::{Doc, Mention, Role, prefix, words_after, words_before};
use crate::extract::sentences::Sentence;
use crate::extract::time::{Grain, Tense, TimeMatch};
use crate::knowledge::{ActorKind, Cue};
use crate::model::{Leader, Location, SummitStatus};

/// A summit found in an article, before ids and the article envelope.
#[derive(Debug, Clone, PartialEq)]
pub struct SummitDraft {
    pub participants: Vec<String>,
    /// One per person, named as fully as the text does.
    pub leaders: Vec<DraftLeader>,
    pub status: SummitStatus,
    /// Text, first day, last day.
    pub when: Option<(String, NaiveDate, NaiveDate)>,
    /// The time was resolved against the time received, not a publication
    /// date: shown, but no ground for status or for telling meetings apart.
    pub when_unanchored: bool,
    pub location: Option<Location>,
    pub evidence: Sentence,
}

/// A leader as the text names them, and who they are.
#[derive(Debug, Clone, PartialEq)]
pub struct DraftLeader {
    pub leader: Leader,
    /// Their name in the gazetteer: "Kim" and "Kim Jong Un" in 2018 are one
    /// person.
    pub person: Option<String>,
}

impl DraftLeader {
    fn same_person(&self, other: &DraftLeader) -> bool {
        self.leader.code == other.leader.code
            && match (&self.person, &other.person) {
                (Some(a), Some(b)) => a == b,
                _ => self.leader.name == other.leader.name,
            }
    }
}

/// Adds a leader unless the person is there already; the fuller name of
/// the two stays.
fn add_leader(leaders: &mut Vec<DraftLeader>, l: DraftLeader) {
    match leaders.iter_mut().find(|x| x.same_person(&l)) {
        Some(x) if l.leader.name.len() > x.leader.name.len() => x.leader.name = l.leader.name,
        Some(_) => {}
        None => leaders.push(l),
    }
}

/// Words that stop the noun phrase after "with".
const WITH_STOP: &[&str] = &[
    "after", "before", "to", "in", "on", "at", "over", "which", "who", "that", "when", "while",
    "but", "for", "as", "since", "amid", "during", "about", "under", "despite", "said", "says",
    "is", "are", "was", "were", "will", "would", "has", "have", "had", "could", "should", "may",
    "might", "later", "next", "this", "last", "on", "by",
];

/// Words allowed between a modifier mention and the summit noun ("the June
/// summit", "a Japan-North Korea summit", "the seven-nation economic summit").
const PREMOD_FILLER: &[&str] = &[
    "economic",
    "annual",
    "bilateral",
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "historic",
    "emergency",
    "special",
    "extraordinary",
    "informal",
    "planned",
    "proposed",
    "upcoming",
    "next",
    "inaugural",
    "leaders'",
    "leaders’",
    "leaders",
    "western",
    "two-day",
    "three-day",
    "one-day",
    "full",
    "formal",
    "landmark",
    "possible",
    "potential",
    "recent",
    "latest",
    "previous",
    "forthcoming",
    "coming",
    "summit",
];

/// Whether `text[from..to]` holds only words that may stand between a
/// modifier and the summit noun ("the June", "economic", "-").
fn premod_gap(text: &str, from: usize, to: usize) -> bool {
    let gap = &text[from..to];
    gap.len() <= 40
        && !gap.contains([',', ';', '.', '('])
        && gap
            .split(|c: char| c.is_whitespace() || matches!(c, '-' | '–' | '/' | '—' | ')'))
            .filter(|w| !w.is_empty())
            .all(|w| {
                let lw = w.to_lowercase();
                PREMOD_FILLER.contains(&lw.as_str())
                    || lw == "'s"
                    || lw.ends_with("-nation")
                    || is_month_name(w)
            })
}

fn is_month_name(w: &str) -> bool {
    const MONTHS: &[&str] = &[
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    MONTHS.contains(&w)
}

/// A clause's bounds and the triggers in it (position, strong).
type ClauseTriggers = ((usize, usize), Vec<(usize, bool)>);

#[derive(Default)]
struct Candidate {
    participants: BTreeSet<String>,
    /// Where the summit noun or verb is, for picking the nearest time.
    anchor: usize,
    /// Index in the sentence's list of pairs, for "respectively".
    order: usize,
    /// "a day after meeting Li": days from the date the clause gives, and
    /// the words that say so.
    offset: Option<(i64, usize, usize)>,
    /// Where its leaders are named, when the sentence holds several of its
    /// meetings; the whole sentence otherwise.
    leader_spans: Option<Vec<(usize, usize)>>,
}

pub fn find(doc: &Doc) -> Vec<SummitDraft> {
    // Every summit hangs on a trigger in its sentence: an article without
    // one anywhere (most of the news) is done after one scan.
    let all = doc.text.len();
    if !doc.has_cue(Cue::SummitStrong, 0, all) && !doc.has_cue(Cue::SummitWeak, 0, all) {
        return Vec::new();
    }
    let mut drafts: Vec<SummitDraft> = Vec::new();
    for &sentence in &doc.sentences {
        let found = sentence_summits(doc, sentence, &drafts);
        drafts.extend(found);
    }
    merge(doc, drafts)
}

fn is_forum(doc: &Doc, m: &Mention) -> bool {
    m.kind() == ActorKind::Body && !doc.kb.lexicon.any(Cue::NonForumBodies, m.code())
}

/// Whether a mention can be a party to a summit in this sentence.
fn eligible(doc: &Doc, m: &Mention) -> bool {
    match m.role {
        Role::Location | Role::Topic => return false,
        Role::To => {
            // "a visit to Japan" makes Japan the host; "a loan to Ukraine" does not.
            let before_to: Vec<&str> = words_before(doc.text, m.hit.start).take(4).collect();
            let governed = before_to
                .iter()
                .skip_while(|w| !w.eq_ignore_ascii_case("to"))
                .nth(1)
                .is_some_and(|w| doc.kb.lexicon.any(Cue::Visit, w));
            if !governed {
                return false;
            }
        }
        Role::From => return false,
        _ => {}
    }
    // "U.N. Secretary-General Guterres", "Foreign Minister Kono": an
    // official, not a leader; "the rotating EU presidency": not a party.
    let after = &doc.text[m.hit.end..];
    let after = after
        .trim_start_matches("'s")
        .trim_start_matches("’s")
        .trim_start();
    if doc
        .kb
        .lexicon
        .find(Cue::NotSummit, prefix(after, 40))
        .first()
        .is_some_and(|h| h.start == 0)
        || doc
            .kb
            .lexicon
            .find(Cue::NotParty, prefix(after, 20))
            .first()
            .is_some_and(|h| h.start == 0)
    {
        return false;
    }
    match m.kind() {
        ActorKind::Place => false,
        ActorKind::Body => is_forum(doc, m),
        ActorKind::Demonym => {
            m.leader_level
                || words_after(doc.text, m.hit.end).next().is_some_and(|w| {
                    matches!(
                        w.to_lowercase().as_str(),
                        "government" | "leadership" | "side" | "regime" | "administration"
                    )
                })
        }
        _ => true,
    }
}

/// Codes of the mentions that modify the summit noun at `trigger`
/// ("the Trump-Kim meeting", "a G20 summit", "the Venice summit").
fn premodifiers<'m>(doc: &Doc, mentions: &[&'m Mention], trigger: usize) -> Vec<&'m Mention> {
    let mut out = Vec::new();
    let mut pos = trigger;
    for m in mentions.iter().rev() {
        if m.hit.end > pos {
            continue;
        }
        let gap_ok = premod_gap(doc.text, m.hit.end, pos);
        if !gap_ok {
            break;
        }
        out.push(*m);
        pos = m.hit.start;
    }
    out.reverse();
    out
}

fn sentence_summits(doc: &Doc, s: Sentence, previous: &[SummitDraft]) -> Vec<SummitDraft> {
    let (st, en) = (s.start, s.end);
    let strong = doc.cues(Cue::SummitStrong, st, en);
    // "the goal will be met": a passive "met" is no meeting.
    let weak: Vec<(usize, usize)> = doc
        .cues(Cue::SummitWeak, st, en)
        .into_iter()
        .filter(|&(ws, we)| {
            !(doc.text[ws..we].eq_ignore_ascii_case("met")
                && words_before(doc.text, ws).next().is_some_and(|w| {
                    matches!(
                        w.to_lowercase().as_str(),
                        "be" | "been" | "being" | "is" | "are" | "was" | "were"
                    )
                }))
        })
        .collect();
    if strong.is_empty() && weak.is_empty() {
        return Vec::new();
    }
    if doc.has_cue(Cue::SummitNegated, st, en) {
        return Vec::new();
    }
    let mentions: Vec<&Mention> = doc.mentions_in(st, en).collect();
    let not_summit = doc.cues(Cue::NotSummit, st, en);
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut consumed: BTreeSet<usize> = BTreeSet::new(); // mention starts
    let mut locations: Vec<&Mention> = Vec::new();
    // A ministers' summit, an investment summit, a mountain's summit: a
    // not-a-summit cue right beside the trigger.
    let blocked = |(ts, te): (usize, usize)| {
        not_summit
            .iter()
            .any(|&(ns, ne)| ne <= ts && ne + 30 >= ts || ns >= te && ns <= te + 12)
    };
    let mut used_triggers: BTreeSet<usize> = BTreeSet::new();

    // Summit nouns with their own parties in front ("the Trump-Kim meeting").
    for &(ts, te) in strong.iter().chain(weak.iter()) {
        if blocked((ts, te)) {
            continue;
        }
        let pm = premodifiers(doc, &mentions, ts);
        let (places, parties): (Vec<&Mention>, Vec<&Mention>) = pm.into_iter().partition(|m| {
            matches!(m.kind(), ActorKind::Place | ActorKind::Seat) && m.role != Role::With
        });
        locations.extend(places);
        let codes: BTreeSet<String> = parties.iter().map(|m| m.code().to_string()).collect();
        let forums: Vec<&&Mention> = parties.iter().filter(|m| is_forum(doc, m)).collect();
        if codes.len() >= 2 {
            consumed.extend(parties.iter().map(|m| m.hit.start));
            used_triggers.insert(ts);
            candidates.push(Candidate {
                participants: codes,
                anchor: ts,
                order: candidates.len(),
                ..Default::default()
            });
        } else if codes.len() == 1
            && forums.len() == parties.len()
            && !forums.is_empty()
            // "the G20 meeting" may be its finance ministers'; a meeting word
            // needs leaders in sight ("leaders for APEC meetings").
            && (strong.iter().any(|t| t.0 == ts)
                || mentions.iter().any(|m| m.leader_level && m.kind() != ActorKind::Body)
                || doc.text[st..en].contains("leaders"))
        {
            consumed.extend(parties.iter().map(|m| m.hit.start));
            used_triggers.insert(ts);
            candidates.push(Candidate {
                participants: codes,
                anchor: ts,
                order: candidates.len(),
                ..Default::default()
            });
        }
    }

    // A forum's summit named by its host city and year: "the Venice summit"
    // (1987), "the summit in Gleneagles" (2005).
    for hit in doc.kb.forum_summits.find_cities(&doc.text[st..en]) {
        let (hs, he) = (st + hit.start, st + hit.end);
        // "the 1986 Tokyo summit": a year right before the city dates it.
        let year = words_before(doc.text, hs)
            .next()
            .and_then(|w| w.parse::<i32>().ok())
            .filter(|y| (1900..=2100).contains(y))
            .unwrap_or_else(|| doc.anchor.year());
        let Some(forum) = doc.kb.forum_summits.forum(hit, year) else {
            continue;
        };
        // Brussels hosts the EU's and NATO's meetings all year round: a
        // body's seat does not name one summit.
        // Nor does a city that is a state ("the summit in Singapore" between
        // Trump and Kim, in the year Singapore chaired ASEAN).
        let seat_of_body = doc.mentions.iter().any(|m| {
            m.hit.start == hs
                && m.hit.end == he
                && matches!(m.kind(), ActorKind::Body | ActorKind::Country)
        });
        if seat_of_body {
            continue;
        }
        let trigger = strong.iter().copied().find(|&(ts, _)| {
            !used_triggers.contains(&ts)
                && (he <= ts && premod_gap(doc.text, he, ts)
                    || ts < hs && {
                        let gap = doc.text[ts..hs].to_lowercase();
                        gap.len() <= 30 && (gap.ends_with(" in ") || gap.ends_with(" at "))
                    })
        });
        if let Some((ts, _)) = trigger {
            used_triggers.insert(ts);
            if !candidates
                .iter()
                .any(|c| c.participants.len() == 1 && c.participants.contains(forum))
            {
                candidates.push(Candidate {
                    participants: BTreeSet::from([forum.to_string()]),
                    anchor: ts,
                    order: candidates.len(),
                    ..Default::default()
                });
            }
        }
    }

    // A forum's own meeting: "G-7 leaders", "EC heads of government", "summit of the G20".
    let has_trigger = !strong.is_empty() || !weak.is_empty();
    for m in &mentions {
        if consumed.contains(&m.hit.start) || !is_forum(doc, m) || !has_trigger {
            continue;
        }
        let after = &doc.text[m.hit.end..en];
        let follows = doc
            .kb
            .lexicon
            .find(Cue::ForumFollowers, after)
            .first()
            .is_some_and(|h| after[..h.start].trim().is_empty());
        let before = doc.text[st..m.hit.start].to_lowercase();
        // "summit of the G20", "summit of leaders from major industrial
        // democracies"
        let before = before.trim_end();
        let summit_of = [
            "summit of",
            "summit of the",
            "summit of leaders from",
            "summit of leaders of",
            "summit of leaders of the",
            "summit of the leaders of",
            "summit of the leaders of the",
            "summit of heads of state of",
            "summit of heads of government of",
        ]
        .iter()
        .any(|p| before.ends_with(p));
        if follows || summit_of {
            consumed.insert(m.hit.start);
            // The summit noun right after the forum ("G20 summit"), or the
            // one it is "of", is its own, and times are read from there.
            let own = if summit_of {
                strong.iter().rev().find(|t| t.1 <= m.hit.start)
            } else {
                strong
                    .iter()
                    .chain(weak.iter())
                    .find(|t| t.0 >= m.hit.end && t.0 <= m.hit.end + 25)
            };
            let anchor = match own {
                Some(&(ts, _)) => {
                    used_triggers.insert(ts);
                    if summit_of { ts } else { m.hit.end }
                }
                None => m.hit.end,
            };
            // "European Union leaders urged Chinese President Xi…": a leader
            // in the forum leaders' clause meets them.
            let (cs, ce) = clause_bounds(doc.text, st, en, anchor);
            let mut participants = BTreeSet::from([m.code().to_string()]);
            participants.extend(
                (follows && !summit_of)
                    .then_some(())
                    .into_iter()
                    .flat_map(|_| mentions.iter())
                    .filter(|x| {
                        x.hit.start >= cs
                            && x.hit.end <= ce
                            && x.kind() != ActorKind::Body
                            && x.leader_level
                            && x.code() != m.code()
                            && eligible(doc, x)
                    })
                    .map(|x| x.code().to_string()),
            );
            if !candidates.iter().any(|c| c.participants == participants) {
                candidates.push(Candidate {
                    participants,
                    anchor,
                    order: candidates.len(),
                    ..Default::default()
                });
            }
        }
    }

    // The sentence's remaining parties.
    let rest: Vec<&Mention> = mentions
        .iter()
        .copied()
        .filter(|m| !consumed.contains(&m.hit.start) && eligible(doc, m))
        .collect();
    locations.extend(
        mentions
            .iter()
            .copied()
            .filter(|m| {
                m.kind() != ActorKind::Body
                    && (m.role == Role::Location
                        // "will travel to Lima for a summit"
                        || m.role == Role::To && matches!(m.kind(), ActorKind::Seat | ActorKind::Place))
            }),
    );
    let free = |ts: &Vec<(usize, usize)>| -> Vec<(usize, usize)> {
        ts.iter()
            .copied()
            .filter(|t| !blocked(*t) && !used_triggers.contains(&t.0))
            .collect()
    };
    let (strong_free, weak_free) = (free(&strong), free(&weak));
    let mut triggers: Vec<(usize, bool)> = strong_free
        .iter()
        .map(|t| (t.0, true))
        .chain(weak_free.iter().map(|t| (t.0, false)))
        .collect();
    triggers.sort();
    // Each clause with a trigger speaks of its own meeting ("…met in April,
    // when Moon helped rescue a planned summit between Kim and Trump").
    let mut clauses: Vec<ClauseTriggers> = Vec::new();
    for t in &triggers {
        let bounds = clause_bounds(doc.text, st, en, t.0);
        match clauses.iter_mut().find(|(b, _)| *b == bounds) {
            Some((_, ts)) => ts.push(*t),
            None => clauses.push((bounds, vec![*t])),
        }
    }
    let distinct = |ms: &[&Mention]| ms.iter().map(|m| m.code()).collect::<BTreeSet<_>>().len();
    let mut sentence_level: Vec<Candidate> = Vec::new();
    for ((cs, ce), ts) in &clauses {
        let parties: Vec<&Mention> = rest
            .iter()
            .copied()
            .filter(|m| m.hit.start >= *cs && m.hit.end <= *ce)
            .collect();
        let strong_here = ts.iter().any(|t| t.1);
        let leader_here = parties.iter().any(|m| m.leader_level);
        let anaphor_here = doc.has_cue(Cue::Anaphor, *cs, *ce);
        // A meeting verb with no leader in sight only resolves an anaphor
        // ("The meeting comes a week after…").
        let parties = if strong_here || leader_here {
            parties
        } else {
            Vec::new()
        };
        if distinct(&parties) < 2 && !anaphor_here {
            continue;
        }
        let trigger = ts.iter().find(|t| t.1).unwrap_or(&ts[0]).0;
        // Nor when the meeting word is followed by ministers or a call
        // instead ("The last of the talks … between Secretary of State
        // Shultz and Foreign Minister Kuranari").
        if parties.is_empty() && doc.has_cue(Cue::NotSummit, trigger, *ce) {
            continue;
        }
        // "ASEAN to exclude Myanmar's junta leader from the summit": a forum
        // beside states, with nothing pairing them ("with", "between"), is
        // the forum's own summit.
        let clause = doc.text[*cs..*ce].to_lowercase();
        let paired = clause.contains(" with ") || clause.contains("between ");
        if strong_here
            && !paired
            && let Some(participants) = forum_meeting(doc, &parties)
        {
            sentence_level.push(Candidate {
                participants,
                anchor: trigger,
                order: 0,
                ..Default::default()
            });
            continue;
        }
        let found = group_parties(doc, s, &parties, trigger, previous, anaphor_here);
        sentence_level.extend(split_events(doc, found, ts, *ce));
    }
    // No clause names its parties: the whole sentence does ("Kim's father,
    // Kim Jong Il, met Putin…" spreads them over commas).
    if sentence_level.is_empty() && candidates.is_empty() && !triggers.is_empty() {
        let leader_level = rest.iter().any(|m| m.leader_level);
        let strong_any = triggers.iter().any(|t| t.1);
        if strong_any || leader_level {
            let trigger = triggers.iter().find(|t| t.1).unwrap_or(&triggers[0]).0;
            let anaphor = doc.has_cue(Cue::Anaphor, st, en);
            sentence_level.extend(group_parties(doc, s, &rest, trigger, previous, anaphor));
        }
    }
    for mut c in sentence_level {
        c.order = if c.order == usize::MAX {
            candidates.len()
        } else {
            c.order
        };
        candidates.push(c);
    }

    if candidates.is_empty() {
        return Vec::new();
    }
    finish(doc, s, candidates, &locations)
}

/// The parties of a summit in a clause that names a forum: two forums meet
/// each other ("co-chaired by the African Union's chair and the European
/// Council President"); a forum meets a state whose leader is there ("EU
/// presses Xi at Beijing summit"); otherwise the forum meets alone ("ASEAN to
/// exclude Myanmar's junta leader from the summit"). `None` without a forum.
fn forum_meeting(doc: &Doc, parties: &[&Mention]) -> Option<BTreeSet<String>> {
    let forums: BTreeSet<String> = parties
        .iter()
        .filter(|m| is_forum(doc, m))
        .map(|m| m.code().to_string())
        .collect();
    if forums.is_empty() {
        return None;
    }
    if forums.len() >= 2 {
        return Some(forums);
    }
    let leaders: BTreeSet<String> = parties
        .iter()
        .filter(|m| m.kind() != ActorKind::Body && m.leader_level && !forums.contains(m.code()))
        .map(|m| m.code().to_string())
        .collect();
    Some(forums.union(&leaders).cloned().collect())
}

/// Splits the parties of a sentence into summits: "A and B … with C" are two
/// bilateral meetings, "summits with A and B" too, unless the text says the
/// meeting is joint or trilateral.
fn group_parties(
    doc: &Doc,
    s: Sentence,
    rest: &[&Mention],
    trigger: usize,
    previous: &[SummitDraft],
    anaphor: bool,
) -> Vec<Candidate> {
    let text = doc.text;
    let multilateral = doc.has_cue(Cue::Multilateral, s.start, s.end);
    // The first "with" at or after the trigger, else anywhere in the sentence.
    let sentence = &text[s.start..s.end];
    // Without "with", a meeting verb splits its subject from its objects:
    // "Putin meets Iran's Pezeshkian and Turkey's Erdogan".
    let verb = {
        let len: usize = text[trigger..]
            .chars()
            .take_while(|c| c.is_alphabetic())
            .map(char::len_utf8)
            .sum();
        let word = text[trigger..trigger + len].to_lowercase();
        MEETING_VERBS
            .contains(&word.as_str())
            .then_some((trigger, trigger + len))
    };
    // Where the subject side ends and the other side begins. A "with"
    // before the trigger does not split "a summit … between Reagan and
    // Mulroney" ("The meetings with American officials … lay the groundwork
    // for a summit … between …").
    let between_after = find_word(sentence, "between", trigger.saturating_sub(s.start)).is_some();
    let split = find_word(sentence, "with", trigger.saturating_sub(s.start))
        .or_else(|| {
            (!between_after)
                .then(|| find_word(sentence, "with", 0))
                .flatten()
        })
        .map(|i| (s.start + i, s.start + i + 4))
        .or(verb);
    let codes = |ms: &[&&Mention]| -> BTreeSet<String> {
        ms.iter().map(|m| m.code().to_string()).collect()
    };
    let mut groups: Vec<BTreeSet<String>> = Vec::new();
    if let (Some((w, right_from)), false) = (split, multilateral) {
        let stop = with_phrase_end(text, right_from, s.end);
        let (right, left): (Vec<&&Mention>, Vec<&&Mention>) = rest
            .iter()
            .partition(|m| m.hit.start > w && m.hit.start < stop);
        let left: Vec<&&Mention> = left.into_iter().filter(|m| m.hit.start < w).collect();
        // "Before meeting Kim, Trump held talks with Trong": the subject is
        // in the stretch before "with" that no comma cuts.
        // Only a comma that closes a leading subordinate clause cuts
        // ("Before meeting Kim, Trump…"); list commas ("von der Leyen,
        // Meloni and Mitsotakis met…") do not.
        let comma = text[s.start..w]
            .rfind(',')
            .map(|i| s.start + i)
            .filter(|_| {
                let first = text[s.start..w]
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_lowercase();
                SUBORDINATORS.contains(&first.as_str())
            });
        let near: Vec<&&Mention> = left
            .iter()
            .copied()
            .filter(|m| comma.is_none_or(|c| m.hit.start > c))
            .collect();
        let left = if near.is_empty() { left } else { near };
        let (r, mut l) = (codes(&right), codes(&left));
        if l.is_empty()
            && !r.is_empty()
            && let Some(f) = focus(doc, previous, &r)
        {
            l.insert(f);
        }
        // "The U.S. and Seoul prepare for a meeting with Kim": two
        // governments, two meetings; "von der Leyen and Christodoulides held
        // talks with Mikati": two leaders travelling together, one meeting.
        let separate = doc.has_cue(Cue::Separate, s.start, s.end);
        let governments = left.iter().any(|m| !m.leader_level && m.role != Role::To);
        let visiting = left.iter().any(|m| m.role == Role::To);
        if l.len() >= 2 && r.len() == 1 && (separate || governments && !visiting && l.len() == 2) {
            for a in &l {
                groups.push(BTreeSet::from([
                    a.clone(),
                    r.iter().next().cloned().unwrap_or_default(),
                ]));
            }
        } else if l.len() == 1 && (r.len() == 2 || separate && r.len() > 2) {
            for b in &r {
                groups.push(BTreeSet::from([
                    l.iter().next().cloned().unwrap_or_default(),
                    b.clone(),
                ]));
            }
        } else {
            groups.push(l.union(&r).cloned().collect());
        }
    } else {
        groups.push(rest.iter().map(|m| m.code().to_string()).collect());
    }
    groups.retain(|g| !g.iter().any(String::is_empty));
    // "The two leaders will meet on Thursday": the previous summit's parties.
    if anaphor
        && groups.iter().all(|g| g.len() < 2)
        && let Some(prev) = previous.last()
    {
        let prev: BTreeSet<String> = prev.participants.iter().cloned().collect();
        if groups.iter().all(|g| g.is_subset(&prev)) {
            groups = vec![prev];
        }
    }
    groups
        .into_iter()
        .filter(|g| g.len() >= 2)
        .enumerate()
        .map(|(order, participants)| Candidate {
            participants,
            anchor: trigger,
            order,
            ..Default::default()
        })
        .collect()
}

/// The state an article is about: the party most often in its earlier
/// summits, else its most mentioned state, that is not already in `exclude`.
fn focus(doc: &Doc, previous: &[SummitDraft], exclude: &BTreeSet<String>) -> Option<String> {
    let mut counts: BTreeMap<&str, (usize, std::cmp::Reverse<usize>)> = BTreeMap::new();
    for m in &doc.mentions {
        if matches!(
            m.kind(),
            ActorKind::Country | ActorKind::Leader | ActorKind::Demonym
        ) {
            let e = counts
                .entry(m.code())
                .or_insert((0, std::cmp::Reverse(m.hit.start)));
            e.0 += 1;
        }
    }
    for d in previous {
        for p in &d.participants {
            if let Some(e) = counts.get_mut(p.as_str()) {
                e.0 += 10;
            }
        }
    }
    // Most often in earlier summits and mentions; between equals, the one
    // the article names first.
    counts
        .into_iter()
        .filter(|(c, _)| !exclude.contains(*c))
        .max_by_key(|(_, key)| *key)
        .map(|(c, _)| c.to_string())
}

/// Words that open a leading subordinate clause.
const SUBORDINATORS: &[&str] = &[
    "before",
    "after",
    "while",
    "when",
    "as",
    "since",
    "although",
    "though",
    "if",
    "despite",
    "following",
    "during",
    "once",
    "until",
    "unlike",
];

/// Verbs whose subject and objects are the two sides of a meeting.
const MEETING_VERBS: &[&str] = &[
    "met", "meet", "meets", "hosted", "hosts", "host", "visited", "visits", "received", "welcomed",
    "welcomes", "receives",
];

/// Phrases that open a new clause: its parties and times are its own.
const CLAUSE_BREAKS: &[&str] = &[
    ", as ",
    ", while ",
    ", when ",
    ", which ",
    ", who ",
    ", where ",
    ", after ",
    ", but ",
    ", and ",
    "; ",
    " -- ",
    " – ",
    " — ",
    ", saying ",
    ", although ",
    ", though ",
    ", whereas ",
    ", whose ",
];

/// The clause of `text[st..en]` around `pos`, as absolute offsets.
fn clause_bounds(text: &str, st: usize, en: usize, pos: usize) -> (usize, usize) {
    let sentence = &text[st..en];
    let rel = pos - st;
    let mut start = 0;
    let mut end = sentence.len();
    for b in CLAUSE_BREAKS {
        let relative = matches!(*b, ", who " | ", which " | ", whose ");
        for (i, _) in sentence.match_indices(b) {
            if i < rel {
                // "Suga, who will step down next week, held talks with…":
                // a relative clause closed by a comma before the trigger is
                // an aside inside the trigger's clause.
                let closed = relative && sentence[i + b.len()..rel].contains(',');
                if !closed {
                    start = start.max(i + 1);
                }
            } else {
                end = end.min(i);
            }
        }
    }
    (st + start, st + end)
}

/// "The two leaders first met in April and held a second meeting there in
/// May": one meeting per trigger that has a time of its own.
fn split_events(
    doc: &Doc,
    found: Vec<Candidate>,
    triggers: &[(usize, bool)],
    clause_end: usize,
) -> Vec<Candidate> {
    if found.len() != 1 || triggers.len() < 2 {
        return found;
    }
    // Each trigger's stretch runs to the next trigger.
    let stretches: Vec<(usize, usize)> = triggers
        .iter()
        .enumerate()
        .map(|(i, t)| (t.0, triggers.get(i + 1).map_or(clause_end, |n| n.0)))
        .collect();
    let dated: Vec<usize> = stretches
        .iter()
        .enumerate()
        .filter(|(_, (a, b))| {
            !doc.kb
                .time
                .find(&doc.text[*a..*b], Some(doc.anchor), Tense::Unknown)
                .is_empty()
        })
        .map(|(i, _)| i)
        .collect();
    // "…held talks with Xi on Friday, a day after meeting Premier Li Qiang":
    // a meeting dated by its distance from a dated one is one more.
    let offsets: Vec<(usize, (i64, usize, usize))> = if dated.is_empty() {
        Vec::new()
    } else {
        (0..triggers.len())
            .filter(|i| !dated.contains(i))
            .filter_map(|i| Some((i, day_offset(doc.text, triggers[i].0)?)))
            .collect()
    };
    if dated.len() + offsets.len() < 2 {
        return found;
    }
    let participants = found[0].participants.clone();
    // The leaders before the first trigger (the subject) meet in each; the
    // ones in a trigger's stretch only in its own meeting.
    let subject = (0, triggers[0].0);
    let mut split: Vec<Candidate> = dated
        .iter()
        .map(|&i| (i, None))
        .chain(offsets.into_iter().map(|(i, o)| (i, Some(o))))
        .map(|(i, offset)| Candidate {
            participants: participants.clone(),
            anchor: triggers[i].0,
            order: usize::MAX,
            offset,
            leader_spans: Some(vec![subject, stretches[i]]),
        })
        .collect();
    split.sort_by_key(|c| c.anchor);
    split
}

/// "a day after meeting Li", "two days before talks with…": how many days
/// the meeting at `trigger` lies from the date its clause gives (negative
/// for before it), and where the words that say so are.
fn day_offset(text: &str, trigger: usize) -> Option<(i64, usize, usize)> {
    let words: Vec<&str> = words_before(text, trigger).take(3).collect();
    let [relation, unit, count] = words.as_slice() else {
        return None;
    };
    let sign = match relation.to_lowercase().as_str() {
        // A meeting "a day after" which the dated one came was a day earlier.
        "after" => -1,
        "before" => 1,
        _ => return None,
    };
    let days = match (count.to_lowercase().as_str(), unit.to_lowercase().as_str()) {
        ("a" | "one" | "the", "day") => 1,
        ("two", "days") => 2,
        ("three", "days") => 3,
        (n, "days") => n.parse::<i64>().ok().filter(|n| (2..=14).contains(n))?,
        _ => return None,
    };
    // The words are slices of `text`.
    let start = count.as_ptr() as usize - text.as_ptr() as usize;
    let end = relation.as_ptr() as usize - text.as_ptr() as usize + relation.len();
    Some((sign * days, start, end))
}

fn find_word(hay: &str, word: &str, from: usize) -> Option<usize> {
    let mut from = from.min(hay.len());
    while !hay.is_char_boundary(from) {
        from -= 1;
    }
    hay[from..]
        .match_indices(word)
        .map(|(i, _)| from + i)
        .find(|&i| crate::knowledge::is_word_bounded(hay, i, i + word.len()))
}

/// Where the noun phrase after "with" ends.
fn with_phrase_end(text: &str, from: usize, end: usize) -> usize {
    let mut pos = from;
    for (i, w) in text[from..end]
        .split_inclusive(|c: char| c.is_whitespace())
        .scan(from, |p, w| {
            let start = *p;
            *p += w.len();
            Some((start, w))
        })
    {
        let word = w.trim();
        let bare = word.trim_end_matches([',', ';', ':', '.']);
        if WITH_STOP.contains(&bare.to_lowercase().as_str()) {
            return i;
        }
        pos = i + w.len();
        if word.ends_with([',', ';', ':'])
            || word.ends_with('.') && word.len() > 2 && !word.contains("U.")
        {
            return i + w.trim_end().len();
        }
    }
    pos.min(end)
}

fn finish(
    doc: &Doc,
    s: Sentence,
    candidates: Vec<Candidate>,
    locations: &[&Mention],
) -> Vec<SummitDraft> {
    let (st, en) = (s.start, s.end);
    let sentence = &doc.text[st..en];
    let respectively = sentence.contains("respectively");
    let n = candidates.len();
    // Times resolve by the tense the status gives; at most one look-up per tense.
    let mut by_tense: Vec<(Tense, Vec<TimeMatch>, Vec<TimeMatch>)> = Vec::new();
    candidates
        .into_iter()
        .map(|c| {
            let forum = c.participants.len() == 1;
            let status_cue = candidate_status(doc, st, en, c.anchor, forum);
            let tense = match status_cue {
                Some(SummitStatus::Held) => Tense::Past,
                Some(_) => Tense::Future,
                None => {
                    let (cs, ce) = clause_bounds(doc.text, st, en, c.anchor);
                    sentence_tense(doc, cs, ce)
                }
            };
            if !by_tense.iter().any(|(t, _, _)| *t == tense) {
                let (times, reported): (Vec<TimeMatch>, Vec<TimeMatch>) = doc
                    .kb
                    .time
                    .find(sentence, Some(doc.anchor), tense)
                    .into_iter()
                    .map(|mut t| {
                        t.start += st;
                        t.end += st;
                        t
                    })
                    .partition(|t| !reporting_time(doc, t.start));
                by_tense.push((tense, times, reported));
            }
            let (_, times, reported) = by_tense
                .iter()
                .find(|(t, _, _)| *t == tense)
                .expect("resolved above");
            let time = if respectively && times.len() == n {
                times.get(c.order)
            } else {
                // News puts the time after the verb, in the same clause
                // ("held talks … on Thursday"); a time just before the
                // trigger ("On Thursday, Abe held talks") is the fallback.
                let (cs, ce) = clause_bounds(doc.text, st, en, c.anchor);
                // "the June summit", "last week's summit": a time that
                // modifies the summit noun comes first.
                times
                    .iter()
                    .find(|t| {
                        t.end <= c.anchor && {
                            let gap =
                                doc.text[t.end..c.anchor].trim_start_matches(['\'', '’', 's']);
                            gap.len() <= 25 && premod_gap(gap, 0, gap.len())
                        }
                    })
                    .or_else(|| times.iter().find(|t| t.start >= c.anchor && t.end <= ce))
                    .or_else(|| {
                        times
                            .iter()
                            .rev()
                            .find(|t| t.end <= c.anchor && t.start >= cs && c.anchor - t.end <= 80)
                    })
            };
            // "…said on Monday, after Modi held talks with…": a meeting
            // reported as just held happened on the day of the report.
            let report_day = reported.iter().find(|t| t.grain == Grain::Day);
            let time = time
                .or(report_day.filter(|_| status_cue == Some(SummitStatus::Held)))
                .or_else(|| times.iter().find(|t| t.start >= c.anchor))
                .or_else(|| times.iter().rev().find(|t| t.end <= c.anchor));
            let when = match (time, c.offset) {
                (t, None) => t.map(|t| (doc.text[t.start..t.end].to_string(), t.first, t.last)),
                // "a day after meeting Li": that many days off a dated day.
                (Some(t), Some((days, os, oe))) if t.grain == Grain::Day => {
                    let shift = chrono::Duration::days(days);
                    Some((
                        doc.text[os..oe].to_string(),
                        t.first + shift,
                        t.last + shift,
                    ))
                }
                (_, Some(_)) => None,
            };
            let when_unanchored = doc.published.is_none() && time.is_some_and(|t| t.relative);
            let status = status_cue.unwrap_or_else(|| {
                default_status(doc, when.as_ref().filter(|_| !when_unanchored), tense)
            });
            let leaders = doc
                .mentions_in(st, en)
                .filter(|m| m.kind() == ActorKind::Leader && c.participants.contains(m.code()))
                .filter(|m| {
                    c.leader_spans.as_ref().is_none_or(|spans| {
                        spans
                            .iter()
                            .any(|&(a, b)| m.hit.start >= a && m.hit.end <= b)
                    })
                })
                .map(|m| DraftLeader {
                    leader: Leader {
                        name: doc.text[m.hit.start..m.hit.end].to_string(),
                        code: m.code().to_string(),
                    },
                    person: m
                        .hit
                        .leader
                        .and_then(|i| doc.kb.gazetteer.leaders.get(i))
                        .map(|entry| entry.name.clone()),
                })
                .fold(Vec::new(), |mut v, l| {
                    add_leader(&mut v, l);
                    v
                });
            let location = locations
                .iter()
                .min_by_key(|m| m.hit.start.abs_diff(c.anchor))
                .map(|m| Location {
                    text: doc.text[m.hit.start..m.hit.end].to_string(),
                    country: (m.kind() != ActorKind::Body).then(|| m.code().to_string()),
                });
            SummitDraft {
                participants: c.participants.into_iter().collect(),
                leaders,
                status,
                when,
                when_unanchored,
                location,
                evidence: s,
            }
        })
        .collect()
}

/// The status of a summit at `anchor`: "called off" anywhere in its clause
/// wins; otherwise the status word nearest the trigger in its clause ("could
/// be held" is proposed, "Suga, who will step down, held talks" is held),
/// else the nearest in the sentence.
fn candidate_status(
    doc: &Doc,
    st: usize,
    en: usize,
    anchor: usize,
    forum: bool,
) -> Option<SummitStatus> {
    let (cs, ce) = clause_bounds(doc.text, st, en, anchor);
    if doc.has_cue(Cue::SummitCancelled, cs, ce) {
        return Some(SummitStatus::Cancelled);
    }
    let nearest = |a: usize, b: usize| {
        [
            (Cue::SummitProposed, SummitStatus::Proposed),
            (Cue::SummitPlanned, SummitStatus::Planned),
            (Cue::SummitHeld, SummitStatus::Held),
        ]
        .into_iter()
        // A forum's summit is a fixture: "Nakasone might step down after the
        // Venice summit" hedges the stepping down, not the summit.
        .filter(|(_, status)| !(forum && *status == SummitStatus::Proposed))
        .flat_map(|(cue, status)| {
            doc.cues(cue, a, b).into_iter().map(move |(hs, he)| {
                let distance = if he <= anchor {
                    anchor - he
                } else {
                    hs.saturating_sub(anchor)
                };
                (distance, status)
            })
        })
        .min_by_key(|(d, status)| (*d, *status))
        .map(|(_, status)| status)
    };
    // Only the trigger's clause speaks for it ("…the Venice summit, which is
    // likely to focus on previous commitments").
    nearest(cs, ce)
}

/// The status the sentence's own words give, strongest first.
#[allow(dead_code)]
fn sentence_status(doc: &Doc, st: usize, en: usize) -> Option<SummitStatus> {
    [
        (Cue::SummitCancelled, SummitStatus::Cancelled),
        (Cue::SummitProposed, SummitStatus::Proposed),
        (Cue::SummitPlanned, SummitStatus::Planned),
        (Cue::SummitHeld, SummitStatus::Held),
    ]
    .into_iter()
    .find(|(cue, _)| doc.has_cue(*cue, st, en))
    .map(|(_, status)| status)
}

fn sentence_tense(doc: &Doc, st: usize, en: usize) -> Tense {
    let past = doc.cues(Cue::TimePast, st, en).len();
    let future = doc.cues(Cue::TimeFuture, st, en).len();
    match past.cmp(&future) {
        std::cmp::Ordering::Greater => Tense::Past,
        std::cmp::Ordering::Less => Tense::Future,
        std::cmp::Ordering::Equal => Tense::Unknown,
    }
}

fn default_status(
    doc: &Doc,
    when: Option<&(String, NaiveDate, NaiveDate)>,
    tense: Tense,
) -> SummitStatus {
    let today = doc.published.unwrap_or(doc.anchor);
    match when {
        Some((_, _, last)) if *last < today => SummitStatus::Held,
        Some((_, first, _)) if *first > today => SummitStatus::Planned,
        _ if tense == Tense::Past => SummitStatus::Held,
        _ => SummitStatus::Planned,
    }
}

/// Whether a time phrase at `pos` dates a report ("said on Thursday",
/// "told Reuters in mid-March") rather than an event.
fn reporting_time(doc: &Doc, pos: usize) -> bool {
    let bound = words_before(doc.text, pos)
        .next()
        .is_some_and(|w| doc.kb.lexicon.any(Cue::TimeBound, w));
    bound
        || words_before(doc.text, pos)
            .take(4)
            .take_while(|w| !w.ends_with(','))
            .any(|w| doc.kb.lexicon.any(Cue::TimeReporting, w))
}

/// Days between two intervals (0 when they overlap).
fn gap_days(a: (NaiveDate, NaiveDate), b: (NaiveDate, NaiveDate)) -> i64 {
    if a.1 < b.0 {
        (b.0 - a.1).num_days()
    } else if b.1 < a.0 {
        (a.0 - b.1).num_days()
    } else {
        0
    }
}

fn interval(d: &SummitDraft) -> Option<(NaiveDate, NaiveDate)> {
    d.when.as_ref().map(|(_, a, b)| (*a, *b))
}

/// Merges drafts of the same summit: the same parties at overlapping or
/// adjacent days. Two meetings of the same pair at different times stay
/// apart, and an undated mention ("Kim arrives for summit with Putin") joins
/// the dated meeting nearest the day of publication: the story's own event.
fn merge(doc: &Doc, drafts: Vec<SummitDraft>) -> Vec<SummitDraft> {
    let today = doc.published.unwrap_or(doc.anchor);
    let mut out: Vec<SummitDraft> = Vec::new();
    let (dated, undated): (Vec<SummitDraft>, Vec<SummitDraft>) = drafts
        .into_iter()
        .partition(|d| d.when.is_some() && !d.when_unanchored);
    for d in dated {
        let same = out.iter().position(|o| {
            o.participants == d.participants
                && match (interval(o), interval(&d)) {
                    // Adjacent days may be one meeting told two ways ("on
                    // Thursday" and "this week"); adjacent months are two
                    // ("met in April and again in May").
                    (Some(a), Some(b)) => {
                        let short =
                            |(first, last): (NaiveDate, NaiveDate)| (last - first).num_days() < 7;
                        gap_days(a, b) == 0 || gap_days(a, b) <= 3 && (short(a) || short(b))
                    }
                    _ => false,
                }
                && !different_leaders(o, &d)
        });
        match same {
            None => out.push(d),
            Some(i) => absorb(&mut out[i], d),
        }
    }
    for d in undated {
        let same = out
            .iter()
            .enumerate()
            .filter(|(_, o)| o.participants == d.participants)
            .min_by_key(|(_, o)| interval(o).map_or(0, |iv| gap_days(iv, (today, today))))
            .map(|(i, _)| i);
        match same {
            None => out.push(d),
            Some(i) => absorb(&mut out[i], d),
        }
    }
    // A meeting the story reports as held, with no day of its own, happened
    // on the day its lead sentence gives ("…announced a package for Egypt on
    // Sunday, as European leaders travelled to Cairo").
    // (The time finder runs on the lead only when some draft needs it.)
    if out
        .iter()
        .any(|d| d.when.is_none() && d.status == SummitStatus::Held)
        && let Some(lead) = lead_day(doc)
    {
        for d in out
            .iter_mut()
            .filter(|d| d.when.is_none() && d.status == SummitStatus::Held)
        {
            d.when = Some(lead.clone());
        }
    }
    // Keep the article's order.
    out.sort_by_key(|d| d.evidence.start);
    out
}

/// Whether two drafts name different leaders for one party: Abe's talks with
/// Premier Li on Thursday and with President Xi on Friday are two meetings.
/// Leaders are told apart by who they are, not by how the text names them.
fn different_leaders(a: &SummitDraft, b: &SummitDraft) -> bool {
    a.participants.iter().any(|code| {
        let x: Vec<&DraftLeader> = a
            .leaders
            .iter()
            .filter(|l| &l.leader.code == code)
            .collect();
        let y: Vec<&DraftLeader> = b
            .leaders
            .iter()
            .filter(|l| &l.leader.code == code)
            .collect();
        !x.is_empty() && !y.is_empty() && !x.iter().any(|l| y.iter().any(|m| l.same_person(m)))
    })
}

/// The day the lead sentence (the first of the body) gives, when it is a
/// single day in the week before publication.
fn lead_day(doc: &Doc) -> Option<(String, NaiveDate, NaiveDate)> {
    let published = doc.published?;
    let lead = doc.sentences.get(usize::from(doc.has_title))?;
    let text = &doc.text[lead.start..lead.end];
    doc.kb
        .time
        .find(text, Some(published), Tense::Past)
        .into_iter()
        .find(|t| {
            t.grain == Grain::Day
                && t.first == t.last
                && t.first <= published
                && (published - t.first).num_days() <= 7
        })
        .map(|t| (text[t.start..t.end].to_string(), t.first, t.last))
}

/// Folds a second mention of the same summit into the first.
fn absorb(o: &mut SummitDraft, d: SummitDraft) {
    // A cancellation stands; otherwise the mention that dates the summit
    // speaks for it, and between equals what happened beats what was said of
    // it beforehand.
    let dated = |x: &SummitDraft| x.when.is_some() && !x.when_unanchored;
    o.status = match (dated(o), dated(&d)) {
        _ if o.status == SummitStatus::Cancelled || d.status == SummitStatus::Cancelled => {
            SummitStatus::Cancelled
        }
        (true, false) => o.status,
        (false, true) => d.status,
        _ => stronger(o.status, d.status),
    };
    let d_unanchored = d.when_unanchored;
    match (&mut o.when, d.when) {
        (None, w @ Some(_)) => {
            o.when = w;
            o.when_unanchored = d_unanchored;
        }
        (Some(_), Some(_)) if o.when_unanchored || d_unanchored => {}
        (Some((_, a1, b1)), Some((_, a2, b2))) => {
            *a1 = (*a1).min(a2);
            *b1 = (*b1).max(b2);
        }
        _ => {}
    }
    if d.evidence.start < o.evidence.start {
        o.evidence = d.evidence;
    }
    for l in d.leaders {
        add_leader(&mut o.leaders, l);
    }
    if o.location.is_none() {
        o.location = d.location;
    }
}

/// Which of two statuses of one summit wins: what happened beats what was
/// said about it beforehand.
fn stronger(a: SummitStatus, b: SummitStatus) -> SummitStatus {
    let rank = |s: SummitStatus| match s {
        SummitStatus::Cancelled => 4,
        SummitStatus::Held => 3,
        SummitStatus::Planned => 1,
        SummitStatus::Proposed => 0,
    };
    if rank(b) > rank(a) { b } else { a }
}

#[cfg(test)]
mod tests {
    /// Extracts from one article and compares `PARTIES status first..last`
    /// lines (`-` for no time), in the article's order.
    fn check(published: &str, body: &str, expected: &[&str]) {
        let got: Vec<String> = crate::extract::testing::extract_body(body, published)
            .summits
            .into_iter()
            .map(|s| {
                let when = s
                    .when
                    .map_or("-".to_string(), |w| format!("{}..{}", w.start, w.end));
                format!("{} {:?} {}", s.participants.join("+"), s.status, when).to_lowercase()
            })
            .collect();
        let expected: Vec<String> = expected.iter().map(|e| e.to_lowercase()).collect();
        assert_eq!(got, expected, "\n{body}");
    }

    #[test]
    fn bilateral_with_time_and_status() {
        check(
            "2018-03-29T10:00:00Z",
            "A Japan-North Korea summit could be held in early June, the newspaper said.",
            &["JPN+PRK proposed 2018-06-01..2018-06-10"],
        );
        check(
            "2019-04-24T10:00:00Z",
            "Kim's father, Kim Jong Il, met Putin in Vladivostok in 2002.",
            &["PRK+RUS held 2002-01-01..2002-12-31"],
        );
    }

    #[test]
    fn a_time_before_the_summit_noun_beats_a_later_one_for_something_else() {
        // "in May" dates the farm talks; "last week's" dates the summit.
        check(
            "1987-06-16T07:29:46Z",
            "Kato welcomed the outcome of last week's recent summit of leaders of industrialised democracies in Venice and of farm trade talks at the OECD in May.",
            &["G7 held 1987-06-08..1987-06-14"],
        );
    }

    #[test]
    fn ministers_named_after_the_meeting_word_are_not_the_leaders_summit() {
        check(
            "1987-04-27T08:43:28Z",
            "Talks between President Reagan and Nakasone are scheduled for Thursday. The last of the talks leading up to the main event will be in Washington next Wednesday between U.S. Secretary of State George Shultz and Foreign Minister Tadashi Kuranari.",
            &["JPN+USA planned 1987-04-30..1987-04-30"],
        );
        // Officials reporting the leaders' plans are no ministers' meeting.
        check(
            "2023-09-05T10:00:00Z",
            "Xi Jinping will skip the summit in India, where he would have met Joe Biden. U.S. officials have said the two leaders could meet in San Francisco in November.",
            &["CHN+USA proposed 2023-11-01..2023-11-30"],
        );
    }

    #[test]
    fn a_with_before_the_summit_noun_does_not_split_its_between() {
        check(
            "1987-03-11T18:21:00Z",
            "The meetings with American officials are part of a routine consultation but are also expected to lay the groundwork for a summit in Ottawa next month between President Reagan and Prime Minister Brian Mulroney.",
            &["CAN+USA planned 1987-04-01..1987-04-30"],
        );
    }

    #[test]
    fn a_meeting_dated_a_day_off_another_is_one_more() {
        check(
            "2023-09-16T10:00:00Z",
            "Hun Manet held talks with Xi Jinping in Beijing on Friday, a day after meeting Premier Li Qiang.",
            &[
                "CHN+KHM held 2023-09-15..2023-09-15",
                "CHN+KHM held 2023-09-14..2023-09-14",
            ],
        );
        check(
            "2023-09-16T10:00:00Z",
            "Hun Manet held talks with Xi Jinping on Friday, two days before meeting Premier Li Qiang.",
            &[
                "CHN+KHM held 2023-09-15..2023-09-15",
                "CHN+KHM held 2023-09-17..2023-09-17",
            ],
        );
    }

    #[test]
    fn one_leader_named_two_ways_is_one_summit_under_the_fuller_name() {
        let article = crate::extract::testing::article(
            Some("Kim and Moon to hold summit in April"),
            "North Korean leader Kim Jong Un and South Korean President Moon Jae-in will hold a summit in late April, officials said.",
            "2018-03-06T10:00:00Z",
            false,
        );
        let now = chrono::DateTime::parse_from_rfc3339("2018-03-06T10:00:00Z")
            .unwrap()
            .to_utc();
        let summits = crate::extract::extract(crate::extract::testing::kb(), &article, now).summits;
        assert_eq!(summits.len(), 1, "{summits:#?}");
        let names: Vec<&str> = summits[0].leaders.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["Kim Jong Un", "Moon Jae-in"]);
    }

    #[test]
    fn a_present_tense_visit_is_dated_by_its_day() {
        // Published on a Sunday: "begins … on Tuesday" is two days ahead.
        check(
            "1987-03-22T06:42:31Z",
            "King Fahd of Saudi Arabia begins a four-day state visit to Britain on Tuesday, meeting Prime Minister Margaret Thatcher.",
            &["GBR+SAU planned 1987-03-24..1987-03-24"],
        );
    }

    #[test]
    fn the_last_such_visit_is_between_the_same_states() {
        check(
            "2019-10-13T10:00:00Z",
            "Xi Jinping held talks with Nepal's Prime Minister KP Sharma Oli in Kathmandu on Sunday. The last visit by a Chinese president was made by Jiang Zemin in 1996.",
            &[
                "CHN+NPL held 2019-10-13..2019-10-13",
                "CHN+NPL held 1996-01-01..1996-12-31",
            ],
        );
    }

    #[test]
    fn meetings_in_adjacent_months_are_two() {
        check(
            "2018-09-18T10:00:00Z",
            "Moon Jae-in and Kim Jong Un first met at the border village of Panmunjom in April and held a surprise second summit there in May.",
            &[
                "KOR+PRK held 2018-04-01..2018-04-30",
                "KOR+PRK held 2018-05-01..2018-05-31",
            ],
        );
    }

    #[test]
    fn reporting_time_is_not_the_summit_time() {
        check(
            "2018-03-29T10:00:00Z",
            "Japan was considering seeking a summit between Prime Minister Shinzo Abe and Kim Jong Un, a source told Reuters on Tuesday.",
            &["JPN+PRK proposed -"],
        );
    }

    #[test]
    fn two_governments_meeting_one_leader_are_two_summits() {
        check(
            "2018-03-29T10:00:00Z",
            "This comes as the U.S. and Seoul prepare for a meeting with leader Kim Jong Un.",
            &["KOR+PRK planned -", "PRK+USA planned -"],
        );
    }

    #[test]
    fn respectively_distributes_times() {
        check(
            "2018-03-29T10:00:00Z",
            "North Korean leader Kim Jong Un met Chinese President Xi Jinping this week. Summits with South Korean President Moon Jae-in and U.S. President Donald Trump are being planned for April and May, respectively.",
            &[
                "CHN+PRK held 2018-03-26..2018-04-01",
                "KOR+PRK planned 2018-04-01..2018-04-30",
                "PRK+USA planned 2018-05-01..2018-05-31",
            ],
        );
    }

    #[test]
    fn forum_summit_is_the_forum_alone() {
        check(
            "2023-09-04T09:00:00Z",
            "Chinese Premier Li Qiang will attend the G20 summit in New Delhi this weekend.",
            &["G20 planned 2023-09-09..2023-09-10"],
        );
    }

    #[test]
    fn cancellation_and_anaphora() {
        check(
            "2025-10-22T16:30:00Z",
            "U.S. President Donald Trump said he had called off a planned summit with Russian President Vladimir Putin. The meeting had been expected to take place in early November.",
            &["RUS+USA cancelled 2025-11-01..2025-11-10"],
        );
    }

    #[test]
    fn not_summits() {
        check(
            "2021-08-19T18:00:00Z",
            "Climbers reached the summit of the ice sheet on Monday.",
            &[],
        );
        check(
            "2023-11-27T13:00:00Z",
            "Foreign ministers of Japan and China will meet on Monday.",
            &[],
        );
        check(
            "2021-07-28T07:30:00Z",
            "Seoul denied a report that South Korean President Moon Jae-in and Kim Jong Un would hold a summit.",
            &[],
        );
    }
}
