//! Numbers in text: digits ("1,250", "2.5", "3/4"), words ("twenty-five",
//! "a dozen", "half a billion"), scale words and suffixes (thousand, million,
//! mln, bln, bn, m, k, tn, lakh, crore, "G").
//!
//! Owned by the numbers/money work. Pure: no I/O, no global state.

/// A number found in a text. `start`/`end` are byte offsets into the text
/// given to [`NumberFinder::find`], always on char boundaries.
#[derive(Debug, Clone, PartialEq)]
pub struct NumberMatch {
    pub start: usize,
    pub end: usize,
    pub value: f64,
}

/// Compiled number matchers; build once, share freely (`Send + Sync`).
#[derive(Debug)]
pub struct NumberFinder {}

impl NumberFinder {
    pub fn new() -> NumberFinder {
        NumberFinder {}
    }

    /// Every number in `text`, left to right, non-overlapping, longest first.
    pub fn find(&self, _text: &str) -> Vec<NumberMatch> {
        Vec::new()
    }
}

impl Default for NumberFinder {
    fn default() -> Self {
        Self::new()
    }
}
