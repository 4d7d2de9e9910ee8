//! Calendar arithmetic for the time grammar: month and week spans, checked
//! offsets, and the choice between past and future occurrences.
//!
//! Every function returns `None` instead of panicking when a date would fall
//! outside chrono's range, so arbitrary numbers in the text are harmless.

use chrono::{Datelike, Months, NaiveDate, TimeDelta, Weekday};

/// An inclusive date interval.
pub(super) type Interval = (NaiveDate, NaiveDate);

pub(super) fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

pub(super) fn add_days(d: NaiveDate, n: i64) -> Option<NaiveDate> {
    d.checked_add_signed(TimeDelta::try_days(n)?)
}

pub(super) fn add_months(d: NaiveDate, n: i64) -> Option<NaiveDate> {
    let k = Months::new(u32::try_from(n.unsigned_abs()).ok()?);
    if n >= 0 {
        d.checked_add_months(k)
    } else {
        d.checked_sub_months(k)
    }
}

/// `(y, m)` moved by `k` months.
pub(super) fn shift_month(y: i32, m: u32, k: i64) -> Option<(i32, u32)> {
    let index = i64::from(y).checked_mul(12)? + i64::from(m) - 1 + k;
    let y = i32::try_from(index.div_euclid(12)).ok()?;
    Some((y, (index.rem_euclid(12) + 1) as u32))
}

pub(super) fn last_day_of_month(y: i32, m: u32) -> Option<u32> {
    let (ny, nm) = shift_month(y, m, 1)?;
    Some(ymd(ny, nm, 1)?.pred_opt()?.day())
}

pub(super) fn month_span(y: i32, m: u32) -> Option<Interval> {
    Some((ymd(y, m, 1)?, ymd(y, m, last_day_of_month(y, m)?)?))
}

/// Months `from..=to` of year `y`.
pub(super) fn months_span(y: i32, from: u32, to: u32) -> Option<Interval> {
    Some((month_span(y, from)?.0, month_span(y, to)?.1))
}

pub(super) fn year_span(y: i32) -> Option<Interval> {
    months_span(y, 1, 12)
}

/// Days `from..=to` of a month, `to` clamped to the month's end.
pub(super) fn days_span(y: i32, m: u32, from: u32, to: u32) -> Option<Interval> {
    let last = last_day_of_month(y, m)?;
    Some((ymd(y, m, from)?, ymd(y, m, to.min(last))?))
}

/// Monday of the week holding `d`.
pub(super) fn monday_of(d: NaiveDate) -> Option<NaiveDate> {
    add_days(d, -i64::from(d.weekday().num_days_from_monday()))
}

/// Monday to Sunday of the week `k` weeks from the one holding `d`.
pub(super) fn week_span(d: NaiveDate, k: i64) -> Option<Interval> {
    let monday = add_days(monday_of(d)?, k.checked_mul(7)?)?;
    Some((monday, add_days(monday, 6)?))
}

/// `wd` of the week `k` weeks from the one holding `d`.
pub(super) fn weekday_in_week(d: NaiveDate, k: i64, wd: Weekday) -> Option<NaiveDate> {
    add_days(week_span(d, k)?.0, i64::from(wd.num_days_from_monday()))
}

/// The first `wd` strictly after `d` (`strict`) or on or after it.
pub(super) fn next_weekday(d: NaiveDate, wd: Weekday, strict: bool) -> Option<NaiveDate> {
    let mut gap =
        (7 + wd.num_days_from_monday() as i64 - d.weekday().num_days_from_monday() as i64) % 7;
    if gap == 0 && strict {
        gap = 7;
    }
    add_days(d, gap)
}

/// The last `wd` strictly before `d` (`strict`) or on or before it.
pub(super) fn prev_weekday(d: NaiveDate, wd: Weekday, strict: bool) -> Option<NaiveDate> {
    let mut gap =
        (7 + d.weekday().num_days_from_monday() as i64 - wd.num_days_from_monday() as i64) % 7;
    if gap == 0 && strict {
        gap = 7;
    }
    add_days(d, -gap)
}

/// The `n`th (1-based) `wd` of a month, or the last one for `n == 0`.
pub(super) fn nth_weekday_of_month(y: i32, m: u32, wd: Weekday, n: u32) -> Option<NaiveDate> {
    if n == 0 {
        let last = ymd(y, m, last_day_of_month(y, m)?)?;
        return prev_weekday(last, wd, false);
    }
    let first = next_weekday(ymd(y, m, 1)?, wd, false)?;
    let d = add_days(first, 7 * (i64::from(n) - 1))?;
    (d.month() == m).then_some(d)
}

/// The Monday–Sunday weeks lying wholly inside `period`, in order.
pub(super) fn whole_weeks(period: Interval) -> Vec<Interval> {
    let mut weeks = Vec::new();
    let Some(mut monday) = next_weekday(period.0, Weekday::Mon, false) else {
        return weeks;
    };
    while let Some(sunday) = add_days(monday, 6) {
        if sunday > period.1 {
            break;
        }
        weeks.push((monday, sunday));
        match add_days(monday, 7) {
            Some(next) => monday = next,
            None => break,
        }
    }
    weeks
}

/// Which occurrence an expression without its own direction means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Direction {
    /// The latest occurrence that has started by the anchor.
    Past,
    /// The earliest occurrence that has not ended before the anchor.
    Future,
}

/// Picks from `candidates` (ascending) the occurrence `dir` asks for.
pub(super) fn pick(
    anchor: NaiveDate,
    dir: Direction,
    candidates: impl Iterator<Item = Interval>,
) -> Option<Interval> {
    match dir {
        Direction::Future => candidates.into_iter().find(|c| c.1 >= anchor),
        Direction::Past => candidates.into_iter().filter(|c| c.0 <= anchor).last(),
    }
}

/// Occurrences of a yearly interval `f(year)` around the anchor's year, in
/// order. Eight years each side reach the next 29 February.
pub(super) fn yearly(
    anchor: NaiveDate,
    reach: i32,
    f: impl Fn(i32) -> Option<Interval>,
) -> impl Iterator<Item = Interval> {
    let y = anchor.year();
    (y.saturating_sub(reach)..=y.saturating_add(reach)).filter_map(f)
}

/// Occurrences of a monthly interval `f(year, month)` within `reach`
/// months of the anchor, in order.
pub(super) fn monthly(
    anchor: NaiveDate,
    reach: i64,
    f: impl Fn(i32, u32) -> Option<Interval>,
) -> impl Iterator<Item = Interval> {
    (-reach..=reach).filter_map(move |k| {
        let (y, m) = shift_month(anchor.year(), anchor.month(), k)?;
        f(y, m)
    })
}

/// Astronomical seasons of the Northern Hemisphere as Duckling dates them.
/// Winter `y` starts in December of `y` and ends in March of `y + 1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Season {
    Spring,
    Summer,
    Autumn,
    Winter,
}

pub(super) fn season_span(s: Season, y: i32) -> Option<Interval> {
    match s {
        Season::Spring => Some((ymd(y, 3, 20)?, ymd(y, 6, 20)?)),
        Season::Summer => Some((ymd(y, 6, 21)?, ymd(y, 9, 23)?)),
        Season::Autumn => Some((ymd(y, 9, 24)?, ymd(y, 12, 20)?)),
        Season::Winter => Some((ymd(y, 12, 21)?, ymd(y.checked_add(1)?, 3, 20)?)),
    }
}
