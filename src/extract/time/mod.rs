//! Time expressions in text resolved to calendar-date intervals: absolute dates,
//! months, years, weekdays, relative expressions ("this week", "next month",
//! "last year", "three weeks ago"), parts of months and years ("early June",
//! "mid-March", "late 2019"), seasons, quarters, date ranges.
//!
//! Owned by the time work. Pure: no I/O, no clock, no global state; "now" is
//! the `anchor` argument. It must never panic on any UTF-8 input or any
//! anchor: spans lie on char boundaries and all date arithmetic is checked.
//! It must not read clock times: "at 3 pm", "tonight" or "in 10 minutes" give
//! nothing, and numbers that are amounts, phone numbers or ranks are not
//! dates.
//!
//! How it works: `lexer` splits the text into words, numbers and
//! punctuation; `grammar` holds one hand-written rule per kind of
//! expression; [`TimeFinder::find`] keeps the longest reading at each token,
//! left to right. No regular expressions: the vocabulary is a hash set built
//! once in [`TimeFinder::new`].
//!
//! Conventions (GUIDELINES.md first, Duckling where it is silent):
//! - weeks run Monday–Sunday; "this week" in a story published on a Saturday
//!   or Sunday with [`Tense::Future`] is the coming week; weekends are
//!   Saturday–Sunday;
//! - early/mid/late of a month are days 1–10 / 11–20 / 21–end ("the
//!   beginning"/"the end" as early/late); of a year January–April /
//!   May–August / September–December, "the beginning of" a year
//!   January–March and "the end of" it September–December;
//! - "earlier this month" is the 1st to the anchor, "later this month" the
//!   anchor to the month's end (the same for weeks and years);
//! - seasons are Northern-Hemisphere astronomical (summer 06-21..09-23).
//!
//! Direction, for expressions that do not give one ("Thursday", "in April",
//! "March 3", "early June", "the third quarter"):
//! - [`Tense::Past`]: the latest occurrence that has started by the anchor
//!   (the anchor's own day, month or quarter counts: "the leaders met on
//!   Thursday" in Thursday's story is that day);
//! - [`Tense::Future`] and [`Tense::Present`]: the earliest occurrence that
//!   has not ended before the anchor (again the current one counts);
//! - [`Tense::Unknown`]: as Duckling, which always looks forward: like
//!   Future, except that a bare weekday never means the anchor's own day.
//!
//! Explicit words override the tense: "next Monday" is the Monday of next
//! week, "last Friday" the latest Friday before the anchor, "next April"
//! the first April that starts after the anchor, "last April" the latest
//! one over by it. With no anchor only expressions that carry their year
//! resolve.

mod calendar;
mod grammar;
mod lexer;
#[cfg(test)]
mod tests;

use std::collections::HashSet;

use chrono::NaiveDate;

use grammar::Grammar;

/// The tense of the sentence around an expression; chooses past or future
/// where the expression itself does not ("on Thursday", "in April").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tense {
    Past,
    Present,
    Future,
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grain {
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

/// A resolved time expression. `start`/`end` are byte offsets into the text
/// given to [`TimeFinder::find`], on char boundaries. `first..=last` is the
/// inclusive date interval.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeMatch {
    pub start: usize,
    pub end: usize,
    pub first: NaiveDate,
    pub last: NaiveDate,
    pub grain: Grain,
    /// True when the interval depends on the anchor (relative or yearless).
    pub relative: bool,
}

/// Compiled time matchers; build once, share freely (`Send + Sync`).
#[derive(Debug)]
pub struct TimeFinder {
    vocabulary: HashSet<&'static str>,
}

impl TimeFinder {
    pub fn new() -> TimeFinder {
        TimeFinder {
            vocabulary: lexer::vocabulary(),
        }
    }

    /// Every time expression in `text`, left to right, non-overlapping,
    /// resolved against `anchor` (the publication date). With no anchor only
    /// expressions that carry their own year resolve; the others are skipped.
    /// Guarantees `start < end`, both on char boundaries, and `first <= last`.
    pub fn find(&self, text: &str, anchor: Option<NaiveDate>, tense: Tense) -> Vec<TimeMatch> {
        let mut toks = Vec::new();
        lexer::tokenize(text, &self.vocabulary, &mut toks);
        let grammar = Grammar {
            text,
            toks: &toks,
            anchor,
            tense,
        };
        let mut found = Vec::new();
        let mut i = 0;
        while i < toks.len() {
            let best = if grammar.can_start(i) {
                grammar.best(i)
            } else {
                None
            };
            let Some(hit) = best else {
                i += 1;
                continue;
            };
            // Rules always consume at least one token; `max` makes the loop
            // terminate even if one ever did not.
            let next = hit.next.clamp(i + 1, toks.len());
            if let Some(span) = grammar.resolve(hit.val) {
                found.push(TimeMatch {
                    start: toks[i].start,
                    end: toks[next - 1].end,
                    first: span.first,
                    last: span.last,
                    grain: span.grain,
                    relative: span.relative,
                });
            }
            i = next;
        }
        found
    }
}

impl Default for TimeFinder {
    fn default() -> Self {
        Self::new()
    }
}
