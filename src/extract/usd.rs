//! `amount_usd`: an aid amount in US dollars at the yearly average rate of
//! the year the article was written (data/rates.csv).

use crate::knowledge::Rates;
use crate::model::{Amount, AmountUsd};

/// `amount` in US dollars at the average rate of `year` (the article's
/// year: its `published_at`, else the time it was received), or of the
/// currency's last year in the table when `year` is later. Each bound is
/// rounded to the cent; a missing bound stays missing. `None` when the table
/// has no rate for the currency in that year (an unknown currency, or a
/// year before the currency existed) or the amount has no bound at all.
/// `rate_date` is the last day of the year whose average was applied.
pub fn amount_usd(rates: &Rates, amount: &Amount, year: i32) -> Option<AmountUsd> {
    if amount.min.is_none() && amount.max.is_none() {
        return None;
    }
    let rate = rates.for_year(&amount.currency, year)?;
    let convert = |v: f64| (v / rate.per_usd * 100.0).round() / 100.0;
    Some(AmountUsd {
        min: amount.min.map(convert),
        max: amount.max.map(convert),
        rate_date: format!("{:04}-12-31", rate.year),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Rates {
        Rates::from_csv(
            "currency,year,per_usd,source,note\n\
             USD,1987,1,FRB,\n\
             USD,2025,1,FRB,\n\
             DEM,1987,1.79739,WB,\n\
             DEM,2001,2.18486,FIX,\n\
             JPY,2004,108.1508,FRB,\n\
             JPY,2005,110.1069,FRB,\n\
             EUR,2025,0.8845,FRB,\n",
        )
        .unwrap()
    }

    fn check(
        currency: &str,
        min: Option<f64>,
        max: Option<f64>,
        year: i32,
        expected: Option<(Option<f64>, Option<f64>, &str)>,
    ) {
        let amount = Amount {
            text: "as written".to_string(),
            currency: currency.to_string(),
            min,
            max,
        };
        let got = amount_usd(&table(), &amount, year);
        let got = got.as_ref().map(|u| (u.min, u.max, u.rate_date.as_str()));
        assert_eq!(got, expected, "{currency} {min:?}..{max:?} in {year}");
    }

    #[test]
    fn the_rate_of_the_articles_year() {
        // 500 million marks in 1987: 1.79739 marks to the dollar.
        check(
            "DEM",
            Some(5e8),
            Some(5e8),
            1987,
            Some((Some(278181140.43), Some(278181140.43), "1987-12-31")),
        );
        check(
            "JPY",
            Some(1e10),
            Some(2e10),
            2004,
            Some((Some(92463486.17), Some(184926972.34), "2004-12-31")),
        );
        check(
            "JPY",
            Some(1e10),
            Some(1e10),
            2005,
            Some((Some(90820829.58), Some(90820829.58), "2005-12-31")),
        );
    }

    #[test]
    fn dollars_stay_dollars_to_the_cent() {
        check(
            "USD",
            Some(0.36),
            Some(0.36),
            1987,
            Some((Some(0.36), Some(0.36), "1987-12-31")),
        );
        check(
            "USD",
            Some(2e10),
            Some(5e10),
            1987,
            Some((Some(2e10), Some(5e10), "1987-12-31")),
        );
    }

    #[test]
    fn an_open_range_stays_open() {
        check(
            "EUR",
            Some(1e9),
            None,
            2025,
            Some((Some(1130582249.86), None, "2025-12-31")),
        );
    }

    #[test]
    fn after_the_table_the_last_year_is_used_and_reported() {
        check(
            "EUR",
            Some(1e9),
            Some(1e9),
            2026,
            Some((Some(1130582249.86), Some(1130582249.86), "2025-12-31")),
        );
        check(
            "DEM",
            Some(1e6),
            Some(1e6),
            2004,
            Some((Some(457695.23), Some(457695.23), "2001-12-31")),
        );
    }

    #[test]
    fn no_rate_no_amount_usd() {
        // Before the currency's first year in the table.
        check("EUR", Some(1e9), Some(1e9), 1987, None);
        // A currency the table does not know.
        check("XXX", Some(1e9), Some(1e9), 2005, None);
        // Nothing to convert.
        check("USD", None, None, 2025, None);
    }
}
