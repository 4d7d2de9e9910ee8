//! Gazetteers, lexicons and currency tables: data files under `data/`,
//! embedded with `include_str!` and compiled once into an immutable
//! [`Knowledge`] value that the shell builds at start-up and shares.
//!
//! Nothing here does I/O at run time and nothing is global: callers hold the
//! value (usually behind an `Arc`).

mod event_codes;
mod forums;
mod gazetteer;
mod lexicon;
mod rates;

pub use event_codes::{EventCode, EventCodes, LocationRelation};
pub use forums::{CityHit, ForumSummits};
pub use gazetteer::{Actor, ActorHit, ActorKind, Gazetteer, LeaderEntry};
pub use lexicon::{Cue, CueHit, CueIndex, CueList, Lexicon, is_word_bounded};
pub use rates::{Rate, Rates};

use crate::extract::money::MoneyFinder;
use crate::extract::numbers::NumberFinder;
use crate::extract::sentences::SentenceSplitter;
use crate::extract::time::TimeFinder;

/// A data file that failed to load. Only a broken build can produce one: the
/// files are embedded, and a test loads them.
#[derive(Debug, thiserror::Error)]
#[error("data/{file}: {message}")]
pub struct KnowledgeError {
    pub file: &'static str,
    pub message: String,
}

impl KnowledgeError {
    pub fn new(file: &'static str, message: impl Into<String>) -> Self {
        KnowledgeError {
            file,
            message: message.into(),
        }
    }
}

pub(crate) const COUNTRIES_CSV: &str = include_str!("../../data/countries.csv");
pub(crate) const BODIES_CSV: &str = include_str!("../../data/bodies.csv");
pub(crate) const LEADERS_CSV: &str = include_str!("../../data/leaders.csv");
pub(crate) const FORUM_SUMMITS_CSV: &str = include_str!("../../data/forum_summits.csv");
pub(crate) const NATIONAL_CURRENCIES_CSV: &str = include_str!("../../data/national_currencies.csv");
pub(crate) const GROUPS_CSV: &str = include_str!("../../data/groups.csv");
pub(crate) const LEXICON_TOML: &str = include_str!("../../data/lexicon.toml");
pub(crate) const CURRENCIES_CSV: &str = include_str!("../../data/currencies.csv");
pub(crate) const RATES_CSV: &str = include_str!("../../data/rates.csv");
pub(crate) const EVENT_CODES_CSV: &str = include_str!("../../data/event_codes.csv");

/// Everything the extraction core knows, compiled.
#[derive(Debug)]
pub struct Knowledge {
    pub gazetteer: Gazetteer,
    pub lexicon: Lexicon,
    pub forum_summits: ForumSummits,
    /// (country, ambiguous unit) → ISO 4217: "crowns" in a Norwegian story are NOK.
    pub national_currencies: std::collections::HashMap<(String, String), String>,
    pub money: MoneyFinder,
    /// Yearly average exchange rates against the US dollar, for `amount_usd`.
    pub rates: Rates,
    /// The crosswalk from records to CAMEO and PLOVER codes.
    pub event_codes: EventCodes,
    pub numbers: NumberFinder,
    pub time: TimeFinder,
    pub sentences: SentenceSplitter,
    /// A wire dateline at the start of a paragraph ("HANOI (Reuters) -",
    /// "BEIJING/NEW DELHI (Reuters) -", "WASHINGTON --"): where the story was
    /// filed, never a party to it.
    pub dateline: regex::Regex,
}

impl Knowledge {
    /// Compiles the data files embedded in the binary.
    pub fn builtin() -> Result<Knowledge, KnowledgeError> {
        Ok(Knowledge {
            gazetteer: Gazetteer::from_csv(COUNTRIES_CSV, BODIES_CSV, LEADERS_CSV, GROUPS_CSV)?,
            lexicon: Lexicon::from_toml(LEXICON_TOML)?,
            forum_summits: ForumSummits::from_csv(FORUM_SUMMITS_CSV)?,
            national_currencies: national_currencies(NATIONAL_CURRENCIES_CSV)?,
            money: MoneyFinder::from_csv(CURRENCIES_CSV)?,
            rates: Rates::from_csv(RATES_CSV)?,
            event_codes: EventCodes::from_csv(EVENT_CODES_CSV, BODIES_CSV)?,
            numbers: NumberFinder::new(),
            time: TimeFinder::new(),
            sentences: SentenceSplitter::new(),
            dateline: regex::Regex::new(
                r"(?m)^[ \t]*[A-Z][A-Z.'’/ -]{1,40}[A-Z.](?:,[ \t]+[A-Z][A-Za-z0-9.' ,-]{1,30})?[ \t]*(?:\([^)\n]{1,40}\))?[ \t]*(?:-{1,2}|–|—)[ \t]",
            )
            .map_err(|e| KnowledgeError::new("dateline", e.to_string()))?,
        })
    }
}

/// The rows of one embedded CSV table: header line, fields trimmed, `#`
/// comment lines skipped; an error names the file and the row.
pub(crate) fn csv_rows<T: serde::de::DeserializeOwned>(
    file: &'static str,
    text: &str,
) -> Result<Vec<T>, KnowledgeError> {
    csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes())
        .into_deserialize()
        .enumerate()
        .map(|(i, r)| r.map_err(|e| KnowledgeError::new(file, format!("row {}: {e}", i + 2))))
        .collect()
}

fn national_currencies(
    text: &str,
) -> Result<std::collections::HashMap<(String, String), String>, KnowledgeError> {
    #[derive(serde::Deserialize)]
    struct Row {
        country: String,
        unit: String,
        currency: String,
    }
    Ok(csv_rows::<Row>("national_currencies.csv", text)?
        .into_iter()
        .map(|r| ((r.country, r.unit), r.currency))
        .collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn builtin_data_loads() {
        super::Knowledge::builtin().expect("embedded data files must load");
    }
}
