//! Yearly average exchange rates against the US dollar (data/rates.csv),
//! compiled into a look-up by currency and year. What is converted, and with
//! which year, is decided in `extract`; this module only answers "how many
//! units of this currency to the dollar, on average, in this year".

use std::collections::HashMap;

use serde::Deserialize;

use super::KnowledgeError;

const FILE: &str = "rates.csv";

#[derive(Deserialize)]
struct Row {
    currency: String,
    year: i32,
    per_usd: f64,
    source: String,
    #[allow(dead_code)]
    note: String,
}

/// One year's average rate of one currency.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    /// The calendar year the rate is the average of.
    pub year: i32,
    /// Units of the currency per US dollar.
    pub per_usd: f64,
}

/// Yearly average rates per currency (ISO 4217), each currency's years ascending.
#[derive(Debug)]
pub struct Rates {
    by_currency: HashMap<String, Vec<Rate>>,
}

impl Rates {
    /// Compiles the text of data/rates.csv. Every rate must be a positive
    /// finite number, every source one the file's header names, and no
    /// (currency, year) may appear twice.
    pub fn from_csv(text: &str) -> Result<Rates, KnowledgeError> {
        let mut by_currency: HashMap<String, Vec<Rate>> = HashMap::new();
        let rows = super::csv_rows::<Row>(FILE, text)?;
        for (i, row) in rows.into_iter().enumerate() {
            let err =
                |message: String| KnowledgeError::new(FILE, format!("row {}: {message}", i + 2));
            if row.currency.len() != 3 || !row.currency.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(err(format!("{:?} is no ISO 4217 code", row.currency)));
            }
            if !(row.per_usd.is_finite() && row.per_usd > 0.0) {
                return Err(err(format!(
                    "rate {} is not a positive number",
                    row.per_usd
                )));
            }
            if !(1900..=2100).contains(&row.year) {
                return Err(err(format!("year {} out of range", row.year)));
            }
            if !["FRB", "WB", "ECB", "FIX", "BASKET"].contains(&row.source.as_str()) {
                return Err(err(format!("unknown source {:?}", row.source)));
            }
            let years = by_currency.entry(row.currency.clone()).or_default();
            if years.iter().any(|r| r.year == row.year) {
                return Err(err(format!("{} {} appears twice", row.currency, row.year)));
            }
            years.push(Rate {
                year: row.year,
                per_usd: row.per_usd,
            });
        }
        for years in by_currency.values_mut() {
            years.sort_by_key(|r| r.year);
        }
        Ok(Rates { by_currency })
    }

    /// The rate to use for an amount in `currency` written in `year`: that
    /// year's average; for a year after the currency's last row, the last
    /// row (the table lags the present). `None` for an unknown currency, a
    /// year before its first row (the currency did not exist yet, or the
    /// table has no source for it) and a year the table leaves out.
    pub fn for_year(&self, currency: &str, year: i32) -> Option<Rate> {
        let years = self.by_currency.get(currency)?;
        let last = years.last()?;
        if year > last.year {
            return Some(*last);
        }
        years.iter().find(|r| r.year == year).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "# test table\ncurrency,year,per_usd,source,note\n";

    fn rates(rows: &str) -> Result<Rates, KnowledgeError> {
        Rates::from_csv(&format!("{HEADER}{rows}"))
    }

    fn check(table: &Rates, currency: &str, year: i32, expected: Option<(i32, f64)>) {
        let got = table.for_year(currency, year).map(|r| (r.year, r.per_usd));
        assert_eq!(got, expected, "{currency} {year}");
    }

    #[test]
    fn the_year_itself_then_the_last_year_after_the_table_ends() {
        let table = rates(
            "DEM,1987,1.79739,WB,\nDEM,1988,1.75623,WB,\nEUR,2024,0.9242,FRB,\nEUR,2025,0.8845,FRB,\n",
        )
        .unwrap();
        check(&table, "DEM", 1987, Some((1987, 1.79739)));
        check(&table, "DEM", 1988, Some((1988, 1.75623)));
        // A currency gone since: its last year.
        check(&table, "DEM", 2005, Some((1988, 1.75623)));
        // The present, past the table's last year.
        check(&table, "EUR", 2026, Some((2025, 0.8845)));
    }

    #[test]
    fn no_rate_before_the_first_year_in_a_gap_or_for_an_unknown_currency() {
        let table = rates("RUB,1993,991.667,WB,\nRUB,1996,5120.83,WB,\n").unwrap();
        check(&table, "RUB", 1990, None);
        check(&table, "RUB", 1994, None);
        check(&table, "XYZ", 1994, None);
    }

    #[test]
    fn rows_in_any_order() {
        let table = rates("JPY,1988,128.1742,FRB,\nJPY,1987,144.6023,FRB,\n").unwrap();
        check(&table, "JPY", 1990, Some((1988, 128.1742)));
    }

    #[test]
    fn broken_rows_are_refused() {
        for bad in [
            "DEM,1987,0,WB,\n",
            "DEM,1987,-1.5,WB,\n",
            "DEM,1987,NaN,WB,\n",
            "dem,1987,1.8,WB,\n",
            "DEM,1987,1.8,memory,\n",
            "DEM,1987,1.8,WB,\nDEM,1987,1.7,WB,\n",
            "DEM,87,1.8,WB,\n",
        ] {
            assert!(rates(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn the_builtin_table_covers_what_the_issue_asks() {
        let table = Rates::from_csv(crate::knowledge::RATES_CSV).unwrap();
        let g20 = "ARS AUD BRL CAD CNY EUR INR IDR JPY KRW MXN RUB SAR ZAR TRY GBP USD";
        let predecessors =
            "DEM FRF ITL NLG BEF ESP ATS PTE FIM IEP LUF GRD XEU XDR CHF SEK NOK DKK";
        for code in g20.split(' ').chain(predecessors.split(' ')) {
            assert!(
                table.for_year(code, 2025).is_some(),
                "{code} has no rate for 2025 or before"
            );
        }
        // Spot checks against the sources (see the file's header).
        check(&table, "DEM", 1987, Some((1987, 1.79739)));
        check(&table, "JPY", 1987, Some((1987, 144.602)));
        check(&table, "GBP", 2004, Some((2004, 0.545554)));
        check(&table, "EUR", 2005, Some((2005, 0.8033)));
        // The ECU from its basket, near the official 1987 average of 1.1541 USD.
        let ecu = table.for_year("XEU", 1987).unwrap();
        assert!((1.0 / ecu.per_usd - 1.1541).abs() < 0.01, "{ecu:?}");
        // Every G20 currency from 1980 on or from when it came into being.
        for (code, first) in [("USD", 1980), ("EUR", 1999), ("BRL", 1995), ("ARS", 1992)] {
            assert!(table.for_year(code, first).is_some(), "{code} {first}");
            assert!(
                table.for_year(code, first - 1).is_none(),
                "{code} {}",
                first - 1
            );
        }
    }
}
