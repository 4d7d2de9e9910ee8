//! Cue lexicons (data/lexicon.toml): phrase lists the summit and aid
//! assembly reads, each compiled into a case-insensitive, whole-word matcher.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use serde::Deserialize;

use super::KnowledgeError;

/// Every cue class the assembly reads, named by its path in data/lexicon.toml.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cue {
    SummitStrong,
    SummitWeak,
    NotSummit,
    LeaderTitle,
    Anaphor,
    Multilateral,
    Separate,
    NotParty,
    NonForumBodies,
    ForumFollowers,
    Visit,
    SummitCancelled,
    SummitProposed,
    SummitPlanned,
    SummitHeld,
    SummitNegated,
    TimeReporting,
    TimeBound,
    TimeFuture,
    TimePast,
    AidCue,
    AidWeakCue,
    AidNever,
    AidPurpose,
    AidBorderline,
    NotAid,
    OfficialLender,
    AidRequested,
    AidOffered,
    AidPledged,
    AidDelivered,
    TypeMilitary,
    TypeHumanitarian,
    TypeDebtRelief,
    TypeLoan,
    TypeEconomic,
    DonorSubject,
    RecipientSubject,
    DonorMarker,
    RecipientMarker,
    Condition,
}

impl Cue {
    const ALL: [Cue; 41] = [
        Cue::SummitStrong,
        Cue::SummitWeak,
        Cue::NotSummit,
        Cue::LeaderTitle,
        Cue::Anaphor,
        Cue::Multilateral,
        Cue::Separate,
        Cue::NotParty,
        Cue::NonForumBodies,
        Cue::ForumFollowers,
        Cue::Visit,
        Cue::SummitCancelled,
        Cue::SummitProposed,
        Cue::SummitPlanned,
        Cue::SummitHeld,
        Cue::SummitNegated,
        Cue::TimeReporting,
        Cue::TimeBound,
        Cue::TimeFuture,
        Cue::TimePast,
        Cue::AidCue,
        Cue::AidWeakCue,
        Cue::AidNever,
        Cue::AidPurpose,
        Cue::AidBorderline,
        Cue::NotAid,
        Cue::OfficialLender,
        Cue::AidRequested,
        Cue::AidOffered,
        Cue::AidPledged,
        Cue::AidDelivered,
        Cue::TypeMilitary,
        Cue::TypeHumanitarian,
        Cue::TypeDebtRelief,
        Cue::TypeLoan,
        Cue::TypeEconomic,
        Cue::DonorSubject,
        Cue::RecipientSubject,
        Cue::DonorMarker,
        Cue::RecipientMarker,
        Cue::Condition,
    ];

    /// The list's path in data/lexicon.toml.
    /// The position in `ALL`.
    fn index(self) -> usize {
        // ALL lists the variants in declaration order.
        self as usize
    }

    fn path(self) -> &'static str {
        match self {
            Cue::SummitStrong => "summit.strong",
            Cue::SummitWeak => "summit.weak",
            Cue::NotSummit => "summit.not_summit",
            Cue::LeaderTitle => "summit.leader_title",
            Cue::Anaphor => "summit.anaphor",
            Cue::Multilateral => "summit.multilateral",
            Cue::Separate => "summit.separate",
            Cue::NotParty => "summit.not_party",
            Cue::NonForumBodies => "summit.non_forum_bodies",
            Cue::ForumFollowers => "summit.forum_followers",
            Cue::Visit => "summit.visit",
            Cue::SummitCancelled => "summit.status.cancelled",
            Cue::SummitProposed => "summit.status.proposed",
            Cue::SummitPlanned => "summit.status.planned",
            Cue::SummitHeld => "summit.status.held",
            Cue::SummitNegated => "summit.status.negated",
            Cue::TimeReporting => "time.reporting",
            Cue::TimeBound => "time.bound",
            Cue::TimeFuture => "time.future",
            Cue::TimePast => "time.past",
            Cue::AidCue => "aid.cue",
            Cue::AidWeakCue => "aid.weak_cue",
            Cue::AidNever => "aid.never",
            Cue::AidPurpose => "aid.purpose",
            Cue::AidBorderline => "aid.borderline",
            Cue::NotAid => "aid.not_aid",
            Cue::OfficialLender => "aid.official_lender",
            Cue::AidRequested => "aid.status.requested",
            Cue::AidOffered => "aid.status.offered",
            Cue::AidPledged => "aid.status.pledged",
            Cue::AidDelivered => "aid.status.delivered",
            Cue::TypeMilitary => "aid.type.military",
            Cue::TypeHumanitarian => "aid.type.humanitarian",
            Cue::TypeDebtRelief => "aid.type.debt_relief",
            Cue::TypeLoan => "aid.type.loan",
            Cue::TypeEconomic => "aid.type.economic",
            Cue::DonorSubject => "aid.role.donor_subject",
            Cue::RecipientSubject => "aid.role.recipient_subject",
            Cue::DonorMarker => "aid.role.donor_marker",
            Cue::RecipientMarker => "aid.role.recipient_marker",
            Cue::Condition => "aid.role.condition",
        }
    }
}

/// One cue found in a text: byte offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CueHit {
    pub start: usize,
    pub end: usize,
}

/// One compiled phrase list.
#[derive(Debug)]
pub struct CueList {
    matcher: AhoCorasick,
}

impl CueList {
    fn new(phrases: &[String]) -> Result<CueList, KnowledgeError> {
        let matcher = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(phrases)
            .map_err(|e| KnowledgeError::new("lexicon.toml", e.to_string()))?;
        Ok(CueList { matcher })
    }

    /// Whole-word occurrences in `text`, left to right.
    pub fn find(&self, text: &str) -> Vec<CueHit> {
        self.matcher
            .find_iter(text)
            .filter(|m| is_word_bounded(text, m.start(), m.end()))
            .map(|m| CueHit {
                start: m.start(),
                end: m.end(),
            })
            .collect()
    }

    /// Whether any phrase occurs in `text` as whole words.
    pub fn any(&self, text: &str) -> bool {
        self.matcher
            .find_iter(text)
            .any(|m| is_word_bounded(text, m.start(), m.end()))
    }
}

/// Whether `text[start..end]` is not glued to a letter or digit on either side.
pub fn is_word_bounded(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    before.is_none_or(|c| !c.is_alphanumeric()) && after.is_none_or(|c| !c.is_alphanumeric())
}

/// Every cue list, compiled.
#[derive(Debug)]
pub struct Lexicon {
    lists: Vec<CueList>,
    /// Every phrase of every list in one automaton, for [`Lexicon::index`].
    all: AhoCorasick,
    /// The lists (indices into `lists`) each pattern of `all` belongs to.
    pattern_lists: Vec<Vec<usize>>,
}

/// Every cue of every class in one text, found in one pass: each class's
/// hits are exactly what [`CueList::find`] gives on the whole text.
#[derive(Debug, Clone, Default)]
pub struct CueIndex {
    /// Per class (in `Cue::ALL` order), hits left to right.
    hits: Vec<Vec<CueHit>>,
}

impl CueIndex {
    /// The hits of one class lying wholly inside `start..end`.
    pub fn within(&self, cue: Cue, start: usize, end: usize) -> &[CueHit] {
        let hits = &self.hits[cue.index()];
        let first = hits.partition_point(|h| h.start < start);
        let last = first + hits[first..].partition_point(|h| h.end <= end);
        &hits[first..last]
    }
}

impl Lexicon {
    /// Compiles the text of data/lexicon.toml.
    pub fn from_toml(text: &str) -> Result<Lexicon, KnowledgeError> {
        let root: toml::Value =
            toml::from_str(text).map_err(|e| KnowledgeError::new("lexicon.toml", e.to_string()))?;
        let lists = Cue::ALL
            .iter()
            .map(|cue| {
                let mut node = &root;
                for key in cue.path().split('.') {
                    node = node.get(key).ok_or_else(|| {
                        KnowledgeError::new("lexicon.toml", format!("missing list {}", cue.path()))
                    })?;
                }
                let phrases = Vec::<String>::deserialize(node.clone()).map_err(|e| {
                    KnowledgeError::new("lexicon.toml", format!("{}: {e}", cue.path()))
                })?;
                Ok((CueList::new(&phrases)?, phrases))
            })
            .collect::<Result<Vec<_>, KnowledgeError>>()?;
        // One pattern per phrase, whatever its case (the matching ignores
        // ASCII case), with the lists it is in.
        let mut patterns: Vec<String> = Vec::new();
        let mut pattern_lists: Vec<Vec<usize>> = Vec::new();
        let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        for (list, (_, phrases)) in lists.iter().enumerate() {
            for phrase in phrases {
                let key = phrase.to_ascii_lowercase();
                let id = *seen.entry(key).or_insert_with(|| {
                    patterns.push(phrase.clone());
                    pattern_lists.push(Vec::new());
                    patterns.len() - 1
                });
                if !pattern_lists[id].contains(&list) {
                    pattern_lists[id].push(list);
                }
            }
        }
        // A DFA: a few hundred kilobytes, and the fastest scan there is.
        let all = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .kind(Some(AhoCorasickKind::DFA))
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .map_err(|e| KnowledgeError::new("lexicon.toml", e.to_string()))?;
        Ok(Lexicon {
            lists: lists.into_iter().map(|(list, _)| list).collect(),
            all,
            pattern_lists,
        })
    }

    /// The compiled list of one cue class.
    pub fn list(&self, cue: Cue) -> &CueList {
        &self.lists[cue.index()]
    }

    /// Every cue of every class in `text`, in one pass over it.
    ///
    /// Each class keeps what its own leftmost-longest search would: among
    /// all occurrences of its phrases (overlapping ones included), the
    /// leftmost, the longest of those starting there, then the same after
    /// its end; and of those, the ones that stand as whole words.
    pub fn index(&self, text: &str) -> CueIndex {
        let mut found: Vec<Vec<(usize, usize)>> = vec![Vec::new(); self.lists.len()];
        for m in self.all.find_overlapping_iter(text) {
            for &list in &self.pattern_lists[m.pattern().as_usize()] {
                found[list].push((m.start(), m.end()));
            }
        }
        let hits = found
            .into_iter()
            .map(|mut occurrences| {
                occurrences.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
                let mut hits = Vec::new();
                let mut next = 0;
                for (start, end) in occurrences {
                    if start < next {
                        continue;
                    }
                    next = end;
                    if is_word_bounded(text, start, end) {
                        hits.push(CueHit { start, end });
                    }
                }
                hits
            })
            .collect();
        CueIndex { hits }
    }

    pub fn find(&self, cue: Cue, text: &str) -> Vec<CueHit> {
        self.list(cue).find(text)
    }

    pub fn any(&self, cue: Cue, text: &str) -> bool {
        self.list(cue).any(text)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn lexicon() -> &'static Lexicon {
        static LEX: std::sync::OnceLock<Lexicon> = std::sync::OnceLock::new();
        LEX.get_or_init(|| Lexicon::from_toml(crate::knowledge::LEXICON_TOML).unwrap())
    }

    /// The index agrees with each list's own search over the whole text.
    fn assert_index_agrees(text: &str) {
        let lex = lexicon();
        let index = lex.index(text);
        for cue in Cue::ALL {
            assert_eq!(
                index.within(cue, 0, text.len()),
                lex.find(cue, text).as_slice(),
                "{cue:?} in {text:?}"
            );
        }
    }

    #[test]
    fn cue_order_is_declaration_order() {
        for (i, cue) in Cue::ALL.iter().enumerate() {
            assert_eq!(cue.index(), i, "{cue:?}");
        }
    }

    #[test]
    fn the_index_is_each_lists_own_search() {
        for text in [
            "",
            "The summit meeting was held; summit talks, summits and summitry.",
            "Leaders met. They will meet again at a meeting in Hanoi, he said.",
            "Japan pledged aid, an aid package and debt relief; the IMF's loans.",
            "metal aids, SUMMIT-level talks, credit lines and a line of credit",
            "he called off the summit, then called it off again",
        ] {
            assert_index_agrees(text);
        }
    }

    #[test]
    fn within_keeps_hits_wholly_inside_the_range() {
        let lex = lexicon();
        let text = "a summit, then a summit meeting";
        let index = lex.index(text);
        let all = index.within(Cue::SummitStrong, 0, text.len());
        assert_eq!(all.len(), 2);
        assert_eq!(index.within(Cue::SummitStrong, 0, 9), &all[..1]);
        assert_eq!(index.within(Cue::SummitStrong, 3, 8), &[]);
        assert_eq!(index.within(Cue::SummitStrong, 9, text.len()), &all[1..]);
    }

    proptest! {
        /// Phrases of the lexicon run together, cut and glued in odd ways.
        #[test]
        fn the_index_agrees_on_phrase_soup(
            parts in prop::collection::vec(
                prop::sample::select(vec![
                    "summit", "summit meeting", "meet", "met", "metal", "talks",
                    "held talks", "aid", "aid package", "package", "loan", "loans",
                    "credit", "line of credit", "debt relief", "relief", "pledged",
                    "called off", "off", "visit", "state visit", "will host",
                ]),
                0..12,
            ),
            glue in prop::collection::vec(
                prop::sample::select(vec![" ", "", "-", ". ", "s ", "’", "é", "\n"]),
                12,
            ),
        ) {
            let mut text = String::new();
            for (part, glue) in parts.iter().zip(&glue) {
                text.push_str(part);
                text.push_str(glue);
            }
            assert_index_agrees(&text);
        }
    }

    #[test]
    fn whole_words_case_insensitive() {
        let lex = Lexicon::from_toml(crate::knowledge::LEXICON_TOML).unwrap();
        assert!(lex.any(Cue::SummitStrong, "A Summit in June"));
        assert!(!lex.any(Cue::SummitStrong, "summiting a peak"));
        let hits = lex.find(Cue::SummitCancelled, "he called off the summit");
        assert_eq!(hits, vec![CueHit { start: 3, end: 13 }]);
    }
}
