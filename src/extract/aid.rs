//! Aid assembly: money amounts in sentences about aid, with donor, recipient,
//! status, type and condition, one draft per distinct amount in the article.

use std::collections::BTreeMap;

use crate::extract::doc::{Doc, Mention, Role, words_after, words_before};
use crate::extract::money::MoneyMatch;
use crate::extract::sentences::Sentence;
use crate::knowledge::{ActorKind, Cue};
use crate::model::{AidStatus, AidType};

/// An aid figure found in an article, before ids and the article envelope.
#[derive(Debug, Clone, PartialEq)]
pub struct AidDraft {
    pub donor: Option<String>,
    /// The donor was guessed from a name beside the aid word ("Indonesian
    /// aid"), not read off a verb or a preposition.
    pub donor_weak: bool,
    pub recipient: Option<String>,
    pub text: String,
    pub currency: String,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub status: AidStatus,
    pub aid_type: AidType,
    pub condition: Option<String>,
    pub evidence: Sentence,
}

/// How far (bytes) a cue may stand from the amount and still speak of it.
const CUE_WINDOW: usize = 90;

pub fn find(doc: &Doc) -> Vec<AidDraft> {
    // The first sentence with aid needs an aid word (the next ones may lean
    // on it): an article without one (most of the news) is done at once.
    let all = doc.text.len();
    if !doc.has_cue(Cue::AidCue, 0, all) && !doc.has_cue(Cue::AidWeakCue, 0, all) {
        return Vec::new();
    }
    let mut drafts: Vec<AidDraft> = Vec::new();
    let mut previous_had_aid = false;
    for &s in &doc.sentences {
        let before = drafts.len();
        find_in_sentence(doc, s, previous_had_aid, &mut drafts);
        previous_had_aid = drafts.len() > before;
    }
    merge(drafts)
}

fn find_in_sentence(doc: &Doc, s: Sentence, previous_had_aid: bool, drafts: &mut Vec<AidDraft>) {
    {
        // The cheap tests first (the article's cues are indexed): most
        // sentences with a figure are not about aid.
        if doc.has_cue(Cue::AidNever, s.start, s.end) {
            return;
        }
        // A sentence that goes on listing the figures of the one before
        // ("The EU announced 500 million euros and the United States $100
        // million") needs no aid word of its own.
        let about_aid = doc.has_cue(Cue::AidCue, s.start, s.end)
            || doc.has_cue(Cue::AidWeakCue, s.start, s.end)
            || previous_had_aid
                && (doc.has_cue(Cue::DonorSubject, s.start, s.end)
                    || doc.has_cue(Cue::AidPledged, s.start, s.end));
        if !about_aid {
            return;
        }
        let money: Vec<MoneyMatch> = doc
            .kb
            .money
            .find(doc.sentence_text(s))
            .into_iter()
            .map(|mut m| {
                m.start += s.start;
                m.end += s.start;
                m
            })
            .collect();
        if money.is_empty() {
            return;
        }
        // Listing the figures of the sentence before, with no aid word here.
        let continued = previous_had_aid
            && !doc.has_cue(Cue::AidCue, s.start, s.end)
            && !doc.has_cue(Cue::AidWeakCue, s.start, s.end);
        for (i, m) in money.iter().enumerate() {
            // "£960m ($1.8bn)": a conversion is the same figure.
            if i > 0 && is_conversion(doc.text, money[i - 1].end, m.start) {
                continue;
            }
            let seg_start = if i == 0 { s.start } else { money[i - 1].end };
            let seg_end = money.get(i + 1).map_or(s.end, |n| n.start);
            if let Some(d) = figure(doc, s, m, seg_start, seg_end, drafts, continued) {
                drafts.push(d);
            }
        }
    }
}

fn is_conversion(text: &str, prev_end: usize, start: usize) -> bool {
    let gap = text[prev_end..start].trim();
    gap == "("
        || gap == "(about"
        || gap == "(around"
        || gap == "(some"
        || gap == "or"
        || gap == "(or"
}

/// The nearest distance from the amount to a cue of a class in the sentence.
fn nearest(doc: &Doc, cue: Cue, s: Sentence, m: &MoneyMatch) -> Option<usize> {
    distance(doc.cues(cue, s.start, s.end), m)
}

/// The phrases of a sentence that are never aid, save those that start
/// inside a name ("bank loans" in "World Bank loans" is no commercial loan).
fn never_aid_phrases(doc: &Doc, s: Sentence) -> Vec<(usize, usize)> {
    doc.cues(Cue::NotAid, s.start, s.end)
        .into_iter()
        .filter(|&(na, _)| {
            !doc.mentions_in(s.start, s.end)
                .any(|x| x.hit.start < na && na < x.hit.end)
        })
        .collect()
}

/// The nearest distance from the amount to an aid word of a class that is
/// not part of a phrase that is never aid ("loan" in "loan repayments",
/// "credit" in "tax credit").
fn nearest_aid(
    doc: &Doc,
    cue: Cue,
    s: Sentence,
    m: &MoneyMatch,
    never: &[(usize, usize)],
) -> Option<usize> {
    let cues = doc.cues(cue, s.start, s.end);
    distance(
        cues.into_iter()
            .filter(|&(a, b)| !never.iter().any(|&(na, nb)| na <= a && b <= nb)),
        m,
    )
}

fn distance(hits: impl IntoIterator<Item = (usize, usize)>, m: &MoneyMatch) -> Option<usize> {
    hits.into_iter()
        .map(|(a, b)| {
            if b <= m.start {
                m.start - b
            } else {
                a.saturating_sub(m.end)
            }
        })
        .min()
}

fn figure(
    doc: &Doc,
    s: Sentence,
    m: &MoneyMatch,
    seg_start: usize,
    seg_end: usize,
    previous: &[AidDraft],
    continued: bool,
) -> Option<AidDraft> {
    // Borderline figures the guidelines leave optional — totals over many
    // years ("since 1957"), aid cancelled or refused — are left out.
    let stretch = &doc.text[seg_start.min(m.start)..seg_end.max(m.end)];
    let since_year = stretch.match_indices("since ").any(|(i, w)| {
        let rest = &stretch[i + w.len()..];
        rest.len() >= 4 && rest.as_bytes()[..4].iter().all(u8::is_ascii_digit)
    });
    if since_year
        || doc.has_cue(
            Cue::AidBorderline,
            seg_start.min(m.start),
            seg_end.max(m.end),
        )
    {
        return None;
    }
    let never = never_aid_phrases(doc, s);
    let strong_at = nearest_aid(doc, Cue::AidCue, s, m, &never).filter(|at| *at <= CUE_WINDOW);
    let weak_at = nearest_aid(doc, Cue::AidWeakCue, s, m, &never).filter(|at| *at <= CUE_WINDOW);
    let aid_at = match (strong_at, weak_at) {
        (Some(at), _) => at,
        (None, Some(at)) => at,
        _ if continued => CUE_WINDOW,
        _ => return None,
    };
    // Only a loan or credit word: aid when a state or an official body
    // gives it to another state, not when banks or companies lend.
    let weak_only = strong_at.is_none() && !continued;
    let lender = doc
        .mentions_in(s.start, s.end)
        .any(|x| x.kind() == ActorKind::Body && doc.kb.lexicon.any(Cue::NonForumBodies, x.code()));
    // An official lender in the sentence outweighs commerce words, but only
    // where an aid or loan word stands near the amount.
    let cued = strong_at.is_some() || weak_at.is_some();
    if let Some(not_at) = nearest(doc, Cue::NotAid, s, m)
        && not_at < aid_at
        && !(lender && cued)
    {
        return None;
    }
    // "a World Bank-led group", "a U.S.-based fund": not the party itself.
    let mentions: Vec<&Mention> = doc
        .mentions_in(s.start, s.end)
        .filter(|x| x.kind() != ActorKind::Place)
        .filter(|x| {
            let after = &doc.text[x.hit.end..];
            !["-led", "-based", "-backed", "-owned", "-funded", "-listed"]
                .iter()
                .any(|suffix| after.starts_with(suffix))
        })
        .collect();
    let (mut donor, mut recipient, donor_weak) = roles(doc, s, &mentions, m, seg_start, seg_end);
    if donor.is_none() {
        donor = mentions
            .iter()
            .find(|x| {
                x.kind() == ActorKind::Body && doc.kb.lexicon.any(Cue::NonForumBodies, x.code())
            })
            .map(|x| x.code().to_string());
    }
    if recipient.is_none() {
        // An official lender's loan goes to the state the story is about.
        let lender = donor
            .as_deref()
            .is_some_and(|d| doc.kb.lexicon.any(Cue::NonForumBodies, d));
        recipient = context_recipient(previous, donor.as_deref()).or_else(|| {
            article_focus(doc).filter(|f| lender && Some(f.as_str()) != donor.as_deref())
        });
    }
    // "another 150 mln dlr loan sought by Manila" in a story about World Bank
    // loans to the Philippines: the one giver of the earlier figures to the
    // same recipient.
    if donor.is_none() && recipient.is_some() {
        let givers: std::collections::BTreeSet<&str> = previous
            .iter()
            .filter(|p| p.recipient == recipient)
            .filter_map(|p| p.donor.as_deref())
            .collect();
        if givers.len() == 1 {
            donor = givers.into_iter().next().map(str::to_string);
        }
    }
    if donor.is_some() && donor == recipient {
        // The recipient comes from prepositions ("to Indonesia"), the donor
        // often from weaker clues ("Indonesian aid"): keep the recipient.
        donor = None;
    }
    // "a $1.7bn donors' aid package" in a story about Indonesia: an aid
    // word and no roles at all, the state the story is about receives.
    // With no party in the sentence at all ("This aid comes on top of a
    // $3.4bn package"), only when earlier figures already went there.
    if donor.is_none() && recipient.is_none() && strong_at.is_some() {
        let lender_story = doc.mentions.iter().any(|x| {
            x.kind() == ActorKind::Body && doc.kb.lexicon.any(Cue::NonForumBodies, x.code())
        });
        recipient = article_focus(doc).filter(|f| {
            !mentions.is_empty()
                || lender_story
                || previous.iter().any(|p| p.recipient.as_deref() == Some(f))
        });
    }
    if donor.is_none() && recipient.is_none() {
        return None;
    }
    if weak_only {
        let official = donor
            .as_deref()
            .is_some_and(|d| doc.kb.lexicon.any(Cue::NonForumBodies, d) || d == "EU" || d == "UN");
        // "loans to help countries in the Indo-Pacific", "support for
        // Africa": a purpose beyond a company's books.
        let purpose = doc.has_cue(Cue::AidPurpose, s.start, s.end);
        if donor.is_none() || recipient.is_none() && !official && !purpose {
            return None;
        }
    }
    // "300 million crowns" from Norway are NOK: an ambiguous unit takes the
    // currency of the giver, else of the getter.
    let currency = m
        .ambiguous_unit
        .as_deref()
        .and_then(|unit| {
            [donor.as_deref(), recipient.as_deref()]
                .into_iter()
                .flatten()
                .find_map(|c| {
                    doc.kb
                        .national_currencies
                        .get(&(c.to_string(), unit.to_string()))
                })
        })
        .cloned()
        .unwrap_or_else(|| m.currency.clone());
    let status = status(doc, s, m, seg_start, seg_end);
    let aid_type = aid_type(doc, seg_start, seg_end, s);
    let condition = condition(doc, m.end, s.end);
    Some(AidDraft {
        donor_weak: donor_weak && donor.is_some(),
        donor,
        recipient,
        text: doc.text[m.start..m.end].to_string(),
        currency,
        min: m.min,
        max: m.max,
        status,
        aid_type,
        condition,
        evidence: s,
    })
}

/// The state an article is about: named at least three times, and more
/// often than any other.
fn article_focus(doc: &Doc) -> Option<String> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for m in &doc.mentions {
        if matches!(
            m.kind(),
            ActorKind::Country | ActorKind::Demonym | ActorKind::Seat
        ) {
            *counts.entry(m.code()).or_default() += 1;
        }
    }
    let mut ranked: Vec<(&str, usize)> = counts.into_iter().collect();
    ranked.sort_by_key(|(c, n)| (std::cmp::Reverse(*n), *c));
    match ranked.as_slice() {
        [(code, n), rest @ ..] if *n >= 3 && rest.first().is_none_or(|(_, m)| m < n) => {
            Some(code.to_string())
        }
        _ => None,
    }
}

/// The recipient most earlier figures of the article went to.
fn context_recipient(previous: &[AidDraft], donor: Option<&str>) -> Option<String> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for d in previous {
        if let Some(r) = &d.recipient {
            *counts.entry(r).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .filter(|(r, _)| Some(*r) != donor)
        .max_by_key(|(_, n)| *n)
        .map(|(r, _)| r.to_string())
}

fn is_state_or_body(m: &Mention) -> bool {
    matches!(
        m.kind(),
        ActorKind::Country
            | ActorKind::Body
            | ActorKind::Leader
            | ActorKind::Seat
            | ActorKind::Demonym
    )
}

/// "turn to the IMF", "appealed to donors": the word before "to" is a
/// getting verb.
fn turned_to(doc: &Doc, x: &Mention) -> bool {
    let words: Vec<&str> = words_before(doc.text, x.hit.start).take(3).collect();
    let Some(to) = words.iter().position(|w| w.eq_ignore_ascii_case("to")) else {
        return false;
    };
    words.get(to + 1).is_some_and(|w| {
        doc.kb
            .lexicon
            .any(Cue::RecipientSubject, &format!("{w} to"))
    })
}

/// "sought by Manila", "received by Egypt".
fn agent_of_getting(doc: &Doc, x: &Mention) -> bool {
    let mut before = words_before(doc.text, x.hit.start);
    before.next().is_some_and(|w| w.eq_ignore_ascii_case("by"))
        && before
            .next()
            .is_some_and(|w| doc.kb.lexicon.any(Cue::RecipientSubject, w))
}

/// Donor and recipient of one amount, from prepositions and verbs.
fn roles(
    doc: &Doc,
    s: Sentence,
    mentions: &[&Mention],
    m: &MoneyMatch,
    seg_start: usize,
    seg_end: usize,
) -> (Option<String>, Option<String>, bool) {
    let mut donor: Option<String> = None;
    let mut recipient: Option<String> = None;
    let parties: Vec<&&Mention> = mentions.iter().filter(|x| is_state_or_body(x)).collect();
    let in_seg = |x: &&&Mention| x.hit.start >= seg_start && x.hit.end <= seg_end;
    // Prepositions: "aid from Japan", "a loan to Ukraine", "for Nepal" — in
    // the amount's own stretch of the sentence first.
    for pool in [
        parties.iter().copied().filter(in_seg).collect::<Vec<_>>(),
        parties.clone(),
    ] {
        let givers: BTreeMap<&str, ()> = pool
            .iter()
            .filter(|x| x.role == Role::From)
            .map(|x| (x.code(), ()))
            .collect();
        for x in &pool {
            match x.role {
                // "a loan sought by Manila": the agent of getting gets.
                Role::From if recipient.is_none() && agent_of_getting(doc, x) => {
                    recipient = Some(x.code().to_string())
                }
                // "from Algeria, Iraq, Kuwait…": several givers, no one donor.
                Role::From if donor.is_none() && givers.len() == 1 => {
                    donor = Some(x.code().to_string())
                }
                // "turned to the IMF for assistance": the one turned to gives.
                Role::To if donor.is_none() && turned_to(doc, x) => {
                    donor = Some(x.code().to_string())
                }
                Role::To if recipient.is_none() && !turned_to(doc, x) => {
                    recipient = Some(x.code().to_string())
                }
                _ => {}
            }
        }
    }
    // The verb nearest before the amount, and its subject: "the World Bank
    // pledged $2 billion", "Pakistan secured $9 billion". With no verb in the
    // amount's own stretch, a party there repeats the last verb ("and the
    // Asian Development Bank $1.5 billion").
    let mut verbs: Vec<(usize, bool)> = doc
        .cues(Cue::DonorSubject, s.start, m.start)
        .into_iter()
        .map(|(a, _)| (a, true))
        .chain(
            doc.cues(Cue::RecipientSubject, s.start, m.start)
                .into_iter()
                .map(|(a, _)| (a, false)),
        )
        .collect();
    verbs.sort();
    // "Pakistan secured pledges of $9 billion": with no party between two
    // verbs, the first one governs and the second is its object.
    let mut chosen = verbs.len().checked_sub(1);
    while let Some(i) = chosen.filter(|&i| i > 0) {
        let between = (verbs[i - 1].0, verbs[i].0);
        if parties
            .iter()
            .any(|x| x.hit.start > between.0 && x.hit.end <= between.1)
        {
            break;
        }
        chosen = Some(i - 1);
    }
    if let Some(&(verb_at, gives)) = chosen.map(|i| &verbs[i]) {
        // The nearest party before the verb that no comma cuts off; past an
        // apposition ("India, Nepal's traditional partner, pledged") the
        // first party of the stretch.
        // A party after "with" is no subject ("a proposal with the IMF to
        // borrow"); one after "and" is, in a gapped list ("and the Asian
        // Development Bank $1.5 billion").
        let subject_before = |limit: usize, floor: usize, gapped: bool| {
            let before: Vec<&&Mention> = parties
                .iter()
                .copied()
                .filter(|x| {
                    x.hit.end <= limit
                        && x.hit.start >= floor
                        && (x.role == Role::Plain || gapped && x.role == Role::With)
                        && !doc.text[x.hit.end..limit].contains([';', ':'])
                })
                .collect();
            before
                .iter()
                .rev()
                .find(|x| !doc.text[x.hit.end..limit].contains(','))
                .or(before.first())
                .copied()
        };
        let subject = if verb_at < seg_start {
            subject_before(m.start, seg_start, true)
                .or_else(|| subject_before(verb_at, s.start, false))
        } else {
            subject_before(verb_at, s.start, false)
        };
        if let Some(x) = subject {
            let slot = if gives { &mut donor } else { &mut recipient };
            if slot.is_none() {
                *slot = Some(x.code().to_string());
            }
        }
    }
    // A possessive before the debt: "North Korea's debt".
    if recipient.is_none()
        && let Some(x) = parties.iter().find(|x| {
            x.possessive
                && x.hit.start > m.end
                && words_after(doc.text, x.hit.end)
                    .take(4)
                    .any(|w| w.eq_ignore_ascii_case("debt"))
        })
    {
        recipient = Some(x.code().to_string());
    }
    // A possessive right before the amount: "the U.N.'s $3.2 billion appeal".
    if donor.is_none()
        && let Some(x) = parties.iter().find(|x| {
            x.possessive && x.hit.end <= m.start && {
                let gap = doc.text[x.hit.end..m.start].trim_start_matches(['\'', '’', 's']);
                gap.trim().is_empty()
            }
        })
    {
        donor = Some(x.code().to_string());
    }
    // A demonym or name right before the aid word: "Japanese aid", "EU grants".
    let strong_donor = donor.is_some();
    if donor.is_none()
        && let Some(x) = parties.iter().find(|x| {
            // "UK bilateral aid": the aid word within two words after.
            x.role == Role::Plain
                && words_after(doc.text, x.hit.end)
                    .take(2)
                    .any(|w| doc.kb.lexicon.any(Cue::AidCue, w))
                && Some(x.code()) != recipient.as_deref()
        })
    {
        donor = Some(x.code().to_string());
    }
    let weak = donor.is_some() && !strong_donor;
    (donor, recipient, weak)
}

fn status(doc: &Doc, s: Sentence, m: &MoneyMatch, seg_start: usize, seg_end: usize) -> AidStatus {
    // The verb that governs the amount comes before it ("appealed on
    // Tuesday for $1.7 billion to provide…" is an appeal): the nearest
    // status word before the amount in its stretch, else after it, else
    // anywhere in the sentence; between equals the strongest stated wins
    // (GUIDELINES: delivered > pledged > offered > requested).
    let classes = [
        (Cue::AidDelivered, AidStatus::Delivered),
        (Cue::AidPledged, AidStatus::Pledged),
        (Cue::AidOffered, AidStatus::Offered),
        (Cue::AidRequested, AidStatus::Requested),
    ];
    let nearest = |a: usize, b: usize, to: usize| {
        classes
            .iter()
            .flat_map(|(cue, status)| {
                doc.cues(*cue, a, b)
                    .into_iter()
                    .map(move |(hs, he)| (hs.abs_diff(to).min(he.abs_diff(to)), *status))
            })
            .min_by_key(|(d, status)| (*d, std::cmp::Reverse(*status)))
            .map(|(_, status)| status)
    };
    nearest(seg_start.min(m.start), m.start, m.start)
        .or_else(|| nearest(m.end, seg_end.max(m.end), m.end))
        .or_else(|| nearest(s.start, s.end, m.start))
        .unwrap_or(AidStatus::Pledged)
}

fn aid_type(doc: &Doc, seg_start: usize, seg_end: usize, s: Sentence) -> AidType {
    let order = [
        (Cue::TypeDebtRelief, AidType::DebtRelief),
        (Cue::TypeMilitary, AidType::Military),
        (Cue::TypeHumanitarian, AidType::Humanitarian),
        (Cue::TypeLoan, AidType::Loan),
        (Cue::TypeEconomic, AidType::Economic),
    ];
    for (a, b) in [(seg_start, seg_end), (s.start, s.end)] {
        if let Some((_, t)) = order.iter().find(|(cue, _)| doc.has_cue(*cue, a, b)) {
            return *t;
        }
    }
    AidType::Unspecified
}

/// "… if it normalises relations": the condition after the amount, to the end of its clause.
fn condition(doc: &Doc, from: usize, end: usize) -> Option<String> {
    let hits = doc.cues(Cue::Condition, from, end);
    let (cs, _) = *hits.first()?;
    let rest = &doc.text[cs..end];
    let stop = rest.find([',', ';', '.', '"', '”']).unwrap_or(rest.len());
    let text = rest[..stop].trim();
    (text.split_whitespace().count() >= 2).then(|| text.to_string())
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() <= 0.01 * a.abs().max(b.abs()).max(1.0),
        (None, None) => true,
        _ => false,
    }
}

/// One record per distinct amount: the same figure repeated merges, keeping
/// the strongest status stated and the roles either mention gives.
fn merge(drafts: Vec<AidDraft>) -> Vec<AidDraft> {
    let mut out: Vec<AidDraft> = Vec::new();
    for d in drafts {
        match out
            .iter_mut()
            .find(|o| o.currency == d.currency && close(o.min, d.min) && close(o.max, d.max))
        {
            None => out.push(d),
            Some(o) => {
                if d.status > o.status {
                    o.status = d.status;
                }
                // A recipient named by a preposition ("aid donors to
                // Indonesia") outranks a giver guessed from a headline's
                // "Indonesian aid".
                if o.donor_weak && d.recipient.is_some() && d.recipient == o.donor {
                    o.donor = d.donor.clone();
                    o.recipient = d.recipient.clone();
                }
                if o.donor.is_none() && d.donor != o.recipient {
                    o.donor = d.donor;
                }
                if o.recipient.is_none() && d.recipient != o.donor {
                    o.recipient = d.recipient;
                }
                if o.condition.is_none() {
                    o.condition = d.condition;
                }
            }
        }
    }
    out
}

#[allow(dead_code)]
fn word_before_is(doc: &Doc, pos: usize, word: &str) -> bool {
    words_before(doc.text, pos)
        .next()
        .is_some_and(|w| w.eq_ignore_ascii_case(word))
}

#[cfg(test)]
mod tests {
    /// Extracts from one article and compares `DONOR>RECIPIENT CUR min..max
    /// status` lines (`?` for a null), in the article's order.
    fn check(published: &str, body: &str, expected: &[&str]) {
        let num = |x: Option<f64>| x.map_or("?".to_string(), |v| format!("{v}"));
        let got: Vec<String> = crate::extract::testing::extract_body(body, published)
            .aid
            .into_iter()
            .map(|a| {
                format!(
                    "{}>{} {} {}..{} {:?}",
                    a.donor.as_deref().unwrap_or("?"),
                    a.recipient.as_deref().unwrap_or("?"),
                    a.amount.currency,
                    num(a.amount.min),
                    num(a.amount.max),
                    a.status
                )
                .to_lowercase()
            })
            .collect();
        let expected: Vec<String> = expected.iter().map(|e| e.to_lowercase()).collect();
        assert_eq!(got, expected, "\n{body}");
    }

    #[test]
    fn range_request_with_condition() {
        check(
            "2018-03-29T10:00:00Z",
            "North Korea hopes to get $20 billion to $50 billion in aid from Japan if it normalises relations.",
            &["JPN>PRK USD 20000000000..50000000000 requested"],
        );
    }

    #[test]
    fn donors_share_one_sentence() {
        check(
            "2023-01-10T17:10:00Z",
            "Pakistan secured pledges of more than $9 billion. The World Bank pledged $2 billion and the Asian Development Bank $1.5 billion, while Saudi Arabia promised $1 billion.",
            &[
                "?>PAK USD 9000000000..? pledged",
                "WBG>PAK USD 2000000000..2000000000 pledged",
                "ADB>PAK USD 1500000000..1500000000 pledged",
                "SAU>PAK USD 1000000000..1000000000 pledged",
            ],
        );
    }

    #[test]
    fn debt_write_off_is_delivered() {
        check(
            "2019-04-24T10:20:00Z",
            "Russia wrote off $10 billion of North Korea's Soviet-era debt in 2014.",
            &["RUS>PRK USD 10000000000..10000000000 delivered"],
        );
    }

    #[test]
    fn commerce_is_not_aid() {
        check(
            "2023-02-20T14:30:00Z",
            "Norwegian shipping group Wilhelmsen reported a net profit of $120 million for the quarter.",
            &[],
        );
        check(
            "1987-03-27T07:29:24Z",
            "The Bank of England said it had given the money market 265 mln stg assistance.",
            &[],
        );
    }

    #[test]
    fn an_aid_word_inside_a_phrase_that_is_never_aid_does_not_count() {
        // "loan" in "loan repayments": the money flows back.
        check(
            "1987-03-20T03:33:00Z",
            "The World Bank approved two loans to the Philippines totalling 310 mln dlrs. In 1986 alone, the two banks paid out 16 billion pesos in loan repayments, they said.",
            &["WBG>PHL USD 310000000..310000000 pledged"],
        );
        // "bank loans" in "World Bank loans" is no commercial loan.
        check(
            "1987-06-18T10:00:00Z",
            "WORLD BANK LOANS MEXICO 400 MLN DLRS",
            &["WBG>? USD 400000000..400000000 pledged"],
        );
    }
}
