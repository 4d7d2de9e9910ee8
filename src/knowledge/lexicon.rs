//! Cue lexicons (data/lexicon.toml): phrase lists the summit and aid
//! assembly reads, each compiled into a case-insensitive, whole-word matcher.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
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
                CueList::new(&phrases)
            })
            .collect::<Result<_, _>>()?;
        Ok(Lexicon { lists })
    }

    /// The compiled list of one cue class.
    pub fn list(&self, cue: Cue) -> &CueList {
        // ALL and `lists` are built in the same order.
        let index = Cue::ALL.iter().position(|c| *c == cue).unwrap_or(0);
        &self.lists[index]
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
    use super::*;

    #[test]
    fn whole_words_case_insensitive() {
        let lex = Lexicon::from_toml(crate::knowledge::LEXICON_TOML).unwrap();
        assert!(lex.any(Cue::SummitStrong, "A Summit in June"));
        assert!(!lex.any(Cue::SummitStrong, "summiting a peak"));
        let hits = lex.find(Cue::SummitCancelled, "he called off the summit");
        assert_eq!(hits, vec![CueHit { start: 3, end: 13 }]);
    }
}
