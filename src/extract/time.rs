//! Time expressions in text resolved to calendar-date intervals: absolute dates,
//! months, years, weekdays, relative expressions ("this week", "next month",
//! "last year", "three weeks ago"), parts of months and years ("early June",
//! "mid-March", "late 2019"), seasons, quarters.
//!
//! Owned by the time work. Pure: no I/O, no clock, no global state; "now" is
//! the `anchor` argument.

use chrono::NaiveDate;

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
pub struct TimeFinder {}

impl TimeFinder {
    pub fn new() -> TimeFinder {
        TimeFinder {}
    }

    /// Every time expression in `text`, left to right, non-overlapping,
    /// resolved against `anchor` (the publication date). With no anchor only
    /// expressions that carry their own year resolve; the others are skipped.
    pub fn find(&self, _text: &str, _anchor: Option<NaiveDate>, _tense: Tense) -> Vec<TimeMatch> {
        Vec::new()
    }
}

impl Default for TimeFinder {
    fn default() -> Self {
        Self::new()
    }
}
