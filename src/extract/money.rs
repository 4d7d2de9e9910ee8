//! Money amounts in text: currency symbols, codes and words (data/currencies.csv),
//! scale words, ranges ("$20 billion to $50 billion", "between X and Y"),
//! bounds ("more than", "up to") and approximations ("about", "some").
//!
//! Owned by the numbers/money work. Pure: no I/O, no global state.

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
pub struct MoneyFinder {}

impl MoneyFinder {
    /// Compiles the matchers from the currency table (the text of data/currencies.csv).
    pub fn from_csv(_csv: &str) -> Result<MoneyFinder, KnowledgeError> {
        Ok(MoneyFinder {})
    }

    /// Every money amount in `text`, left to right, non-overlapping.
    pub fn find(&self, _text: &str) -> Vec<MoneyMatch> {
        Vec::new()
    }
}
