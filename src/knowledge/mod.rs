//! Gazetteers, lexicons and currency tables: data files under `data/`,
//! embedded with `include_str!` and compiled once into an immutable
//! [`Knowledge`] value that the shell builds at start-up and shares.
//!
//! Nothing here does I/O at run time and nothing is global: callers hold the
//! value (usually behind an `Arc`).

mod gazetteer;

pub use gazetteer::{Actor, ActorKind, Gazetteer, LeaderEntry};

use crate::extract::money::MoneyFinder;
use crate::extract::numbers::NumberFinder;
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
pub(crate) const CURRENCIES_CSV: &str = include_str!("../../data/currencies.csv");

/// Everything the extraction core knows, compiled.
#[derive(Debug)]
pub struct Knowledge {
    pub gazetteer: Gazetteer,
    pub money: MoneyFinder,
    pub numbers: NumberFinder,
    pub time: TimeFinder,
}

impl Knowledge {
    /// Compiles the data files embedded in the binary.
    pub fn builtin() -> Result<Knowledge, KnowledgeError> {
        Ok(Knowledge {
            gazetteer: Gazetteer::from_csv(COUNTRIES_CSV, BODIES_CSV, LEADERS_CSV)?,
            money: MoneyFinder::from_csv(CURRENCIES_CSV)?,
            numbers: NumberFinder::new(),
            time: TimeFinder::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn builtin_data_loads() {
        super::Knowledge::builtin().expect("embedded data files must load");
    }
}
