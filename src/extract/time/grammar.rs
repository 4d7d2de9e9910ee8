//! The rules of the time grammar: each `r_*` method tries to read one kind of
//! expression starting at a token and says where it ends and what it means.
//!
//! Rules never fail loudly: a token sequence that is not theirs gives `None`,
//! and an expression that needs an anchor the caller did not give is still
//! consumed (as [`Val::Unresolvable`]) so its parts cannot fire on their own.
//! The caller ([`super::TimeFinder::find`]) keeps the longest reading at each
//! position.

use chrono::{Datelike, NaiveDate, Weekday};

use super::calendar::{
    Direction, Interval, Season, add_days, add_months, days_span, last_day_of_month, month_span,
    monthly, months_span, next_weekday, nth_weekday_of_month, pick, prev_weekday, season_span,
    shift_month, week_span, weekday_in_week, whole_weeks, year_span, yearly, ymd,
};
use super::lexer::{
    Kind, Tok, cardinal_of, is_full_month, month_of, ordinal_of, weekday_of, weekday_plural,
};
use super::{Grain, Tense};

/// A resolved interval, before it is tied to a text span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Span {
    pub first: NaiveDate,
    pub last: NaiveDate,
    pub grain: Grain,
    pub relative: bool,
}

/// What a rule read. Calendar dates stay unresolved until the end so that
/// ranges can lend a month or a year from one side to the other
/// ("July 13-15", "March 30 to April 2, 2018").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Val {
    Span(Span),
    Day {
        y: Option<i32>,
        m: u32,
        d: u32,
        wd: Option<Weekday>,
    },
    Month {
        y: Option<i32>,
        m: u32,
    },
    Year(i32),
    /// A bare day of the month ("13" in "13 to 15 July"): only a range side.
    DayNum(u32),
    /// Read, but cannot be dated (no anchor, or out of chrono's range).
    Unresolvable,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Hit {
    /// Index of the first token after the expression.
    pub next: usize,
    pub val: Val,
}

fn hit(next: usize, val: Val) -> Option<Hit> {
    Some(Hit { next, val })
}

/// Parts of a month, a year or a week.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Early,
    Mid,
    Late,
    Beginning,
    End,
}

/// A month named by an expression, resolved only once its use is known.
#[derive(Debug, Clone, Copy)]
enum MonthRef {
    Abs(i32, u32),
    Yearless(u32),
    /// `k` months from the anchor's month ("next month").
    Rel(i64),
    /// Month `m` of the year `k` years from the anchor's ("March of next year").
    InRelYear(u32, i32),
}

#[derive(Debug, Clone, Copy)]
enum YearRef {
    Abs(i32),
    Rel(i32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Day,
    Week,
    Fortnight,
    Month,
    Quarter,
    Year,
    Weekday(Weekday),
}

/// Words before a bare year that make it a year whatever follows
/// ("in 2019 leaders met").
const YEAR_CUES: &[&str] = &[
    "in", "since", "during", "until", "till", "til", "year", "fiscal",
];

/// Words before a bare number that make a year likely but still let a
/// counted noun after it win ("by 2020" but "after 2000 protesters").
const WEAK_YEAR_CUES: &[&str] = &[
    "by", "before", "after", "from", "to", "through", "thru", "between", "and", "of", "the",
    "early", "mid", "late", "summer", "spring", "autumn", "winter", "fall",
];

/// Lower-case words after a bare year that do not make it a count, though
/// some end in "s" like the counted nouns that do ("2000 tonnes"): "1987
/// was", "the 2018 talks", "1987 and 1988".
#[rustfmt::skip]
const YEAR_FOLLOWERS: &[&str] = &[
    "and", "or", "but", "to", "when", "while", "as", "after", "before", "was", "were", "is", "are",
    "will", "would", "had", "has", "have", "saw", "the", "in", "on", "at", "by", "for", "with",
    "through", "until", "since", "elections", "election", "summit", "summits", "talks", "visit",
    "meeting", "also", "it", "he", "she", "they", "we", "there", "that", "which", "be", "been",
];

/// Words after a four-digit number that make it a clock time or a rate.
const CLOCK_WORDS: &[&str] = &[
    "percent", "am", "pm", "gmt", "utc", "hrs", "hours", "local", "est", "edt", "cst", "cdt",
    "mst", "mdt", "pst", "pdt", "bst", "cet", "jst",
];

/// Counted nouns that do not end in "s".
#[rustfmt::skip]
const UNIT_NOUNS: &[&str] = &[
    "people", "men", "women", "children", "police", "personnel", "staff", "km", "kg", "mw", "mph",
    "feet", "head", "cattle", "sheep", "fish", "aircraft", "tonne", "ton", "metre", "meter", "mile",
    "yen", "yuan", "rupee", "baht", "won", "euro", "dollar", "pound", "franc", "per", "percent",
    "strong", "plus", "more",
];

/// Words before a lone month name that make "May" or a lower-case "march"
/// a month rather than a verb or a noun.
#[rustfmt::skip]
const MONTH_CUES: &[&str] = &[
    "in", "on", "since", "until", "till", "til", "by", "of", "during", "early", "mid", "late",
    "last", "next", "this", "from", "to", "through", "thru", "before", "after", "between", "end",
    "beginning", "start", "middle", "and", "or", "the", "a", "an",
];

pub(super) struct Grammar<'a> {
    pub text: &'a str,
    pub toks: &'a [Tok],
    pub anchor: Option<NaiveDate>,
    pub tense: Tense,
}

impl Grammar<'_> {
    // ----- token access -------------------------------------------------

    fn kind(&self, i: usize) -> Option<Kind> {
        self.toks.get(i).map(|t| t.kind)
    }

    fn word(&self, i: usize) -> Option<&'static str> {
        match self.kind(i)? {
            Kind::Word { w, .. } => w,
            _ => None,
        }
    }

    fn is(&self, i: usize, s: &str) -> bool {
        self.word(i) == Some(s)
    }

    fn any(&self, i: usize, set: &[&str]) -> Option<&'static str> {
        self.word(i).filter(|w| set.contains(w))
    }

    fn is_word(&self, i: usize) -> bool {
        matches!(self.kind(i), Some(Kind::Word { .. }))
    }

    fn cap(&self, i: usize) -> bool {
        matches!(self.kind(i), Some(Kind::Word { cap: true, .. }))
    }

    fn punct(&self, i: usize, c: char) -> bool {
        self.kind(i) == Some(Kind::Punct(c))
    }

    fn dash(&self, i: usize) -> bool {
        matches!(self.kind(i), Some(Kind::Punct('-' | '–' | '—')))
    }

    fn apostrophe(&self, i: usize) -> bool {
        matches!(self.kind(i), Some(Kind::Punct('\'' | '’')))
    }

    /// Token `i` touches token `i - 1` (no space between).
    fn adj(&self, i: usize) -> bool {
        i > 0 && i < self.toks.len() && self.toks[i].start == self.toks[i - 1].end
    }

    fn num(&self, i: usize) -> Option<(u32, u8)> {
        match self.kind(i)? {
            Kind::Num { v, digits } => Some((v, digits)),
            _ => None,
        }
    }

    fn is_numeric(&self, i: usize) -> bool {
        matches!(self.kind(i), Some(Kind::Num { .. } | Kind::Ord(_)))
    }

    /// The number at `i` goes on: a decimal, thousands or clock separator
    /// and more digits ("1.5", "2,000", "3:30"), a letter or digit glued to
    /// it ("4a") or a percent sign. With `dash_slash`, "2-15" and "2/15"
    /// continue it too.
    fn continues_after(&self, i: usize, dash_slash: bool) -> bool {
        let j = i + 1;
        if !self.adj(j) {
            return self.any(j, &["percent"]).is_some()
                || self.is(j, "per") && self.is(j + 1, "cent");
        }
        match self.kind(j) {
            // "14april": a month glued to a day is still a date.
            Some(Kind::Word { w, .. }) => w.is_none_or(|w| month_of(w).is_none()),
            Some(Kind::Num { .. } | Kind::Ord(_) | Kind::Punct('%')) => true,
            Some(Kind::Punct('.' | ',' | ':')) => self.adj(j + 1) && self.is_numeric(j + 1),
            Some(Kind::Punct('/' | '-')) => {
                dash_slash && self.adj(j + 1) && (self.is_numeric(j + 1) || self.is_word(j + 1))
            }
            _ => false,
        }
    }

    /// The number at `i` is the tail of something else: glued to a word,
    /// a number, a currency sign or a separator after digits ("$2000",
    /// "A4", "650-650-6500").
    fn continued_before(&self, i: usize, dash_slash: bool) -> bool {
        if !self.adj(i) {
            return false;
        }
        match self.kind(i - 1) {
            Some(Kind::Word { w, .. }) => w.is_none_or(|w| month_of(w).is_none()),
            Some(Kind::Num { .. } | Kind::Ord(_)) => true,
            Some(Kind::Punct('$' | '€' | '£' | '¥' | '#' | '+' | '@')) => true,
            Some(Kind::Punct('.' | ',' | ':')) => {
                i >= 2 && self.adj(i - 1) && self.is_numeric(i - 2)
            }
            Some(Kind::Punct('/' | '-')) => {
                dash_slash && i >= 2 && self.adj(i - 1) && self.is_numeric(i - 2)
            }
            _ => false,
        }
    }

    // ----- direction and anchors ---------------------------------------

    /// Past tense looks back; every other tense looks forward (Unknown as
    /// Duckling does).
    fn dir(&self) -> Direction {
        match self.tense {
            Tense::Past => Direction::Past,
            Tense::Present | Tense::Future | Tense::Unknown => Direction::Future,
        }
    }

    /// A span computed from the anchor; unresolvable without one.
    fn rel(&self, grain: Grain, f: impl FnOnce(NaiveDate) -> Option<Interval>) -> Val {
        match self.anchor.and_then(f) {
            Some((first, last)) if first <= last => Val::Span(Span {
                first,
                last,
                grain,
                relative: true,
            }),
            _ => Val::Unresolvable,
        }
    }

    fn abs(grain: Grain, iv: Option<Interval>) -> Val {
        match iv {
            Some((first, last)) if first <= last => Val::Span(Span {
                first,
                last,
                grain,
                relative: false,
            }),
            _ => Val::Unresolvable,
        }
    }

    /// The week `k` weeks from the anchor's, where "this week" in a story
    /// published on a weekend that looks forward is the coming week
    /// (GUIDELINES.md).
    fn week_offset(&self, anchor: NaiveDate, k: i64, this: bool) -> i64 {
        let weekend = matches!(anchor.weekday(), Weekday::Sat | Weekday::Sun);
        if this && k == 0 && weekend && self.tense == Tense::Future {
            1
        } else {
            k
        }
    }

    // ----- resolution -----------------------------------------------------

    /// Turns a rule's value into an interval.
    pub(super) fn resolve(&self, val: Val) -> Option<Span> {
        match val {
            Val::Span(s) => Some(s),
            Val::Unresolvable | Val::DayNum(_) => None,
            Val::Year(y) => span(year_span(y), Grain::Year, false),
            Val::Month { y: Some(y), m } => span(month_span(y, m), Grain::Month, false),
            Val::Month { y: None, m } => {
                let a = self.anchor?;
                span(
                    pick(a, self.dir(), yearly(a, 2, |y| month_span(y, m))),
                    Grain::Month,
                    true,
                )
            }
            Val::Day {
                y: Some(y), m, d, ..
            } => {
                let day = ymd(y, m, d)?;
                span(Some((day, day)), Grain::Day, false)
            }
            Val::Day {
                y: None,
                m,
                d,
                wd: Some(wd),
            } => {
                // A weekday beside a yearless date pins the year: take the
                // nearest year where the two agree ("Fri, Jul 18").
                let a = self.anchor?;
                let day = yearly(a, 28, |y| ymd(y, m, d).map(|x| (x, x)))
                    .map(|(x, _)| x)
                    .filter(|x| x.weekday() == wd)
                    .min_by_key(|x| (x.signed_duration_since(a).num_days().abs(), *x < a))?;
                span(Some((day, day)), Grain::Day, true)
            }
            Val::Day {
                y: None,
                m,
                d,
                wd: None,
            } => {
                let a = self.anchor?;
                let iv = pick(
                    a,
                    self.dir(),
                    yearly(a, 8, |y| ymd(y, m, d).map(|x| (x, x))),
                );
                span(iv, Grain::Day, true)
            }
        }
    }

    fn month_ref_interval(
        &self,
        r: MonthRef,
        f: impl Fn(i32, u32) -> Option<Interval>,
    ) -> Option<(Interval, bool)> {
        match r {
            MonthRef::Abs(y, m) => Some((f(y, m)?, false)),
            MonthRef::Yearless(m) => {
                let a = self.anchor?;
                Some((pick(a, self.dir(), yearly(a, 8, |y| f(y, m)))?, true))
            }
            MonthRef::Rel(k) => {
                let a = self.anchor?;
                let (y, m) = shift_month(a.year(), a.month(), k)?;
                Some((f(y, m)?, true))
            }
            MonthRef::InRelYear(m, k) => Some((f(self.anchor?.year().checked_add(k)?, m)?, true)),
        }
    }

    fn year_ref_year(&self, r: YearRef) -> Option<(i32, bool)> {
        match r {
            YearRef::Abs(y) => Some((y, false)),
            YearRef::Rel(k) => Some((self.anchor?.year().checked_add(k)?, true)),
        }
    }

    fn month_ref_val(
        &self,
        r: MonthRef,
        grain: Grain,
        f: impl Fn(i32, u32) -> Option<Interval>,
    ) -> Val {
        match self.month_ref_interval(r, f) {
            Some(((first, last), relative)) if first <= last => Val::Span(Span {
                first,
                last,
                grain,
                relative,
            }),
            _ => Val::Unresolvable,
        }
    }

    fn year_ref_val(&self, r: YearRef, grain: Grain, f: impl Fn(i32) -> Option<Interval>) -> Val {
        match self
            .year_ref_year(r)
            .and_then(|(y, rel)| Some((f(y)?, rel)))
        {
            Some(((first, last), relative)) if first <= last => Val::Span(Span {
                first,
                last,
                grain,
                relative,
            }),
            _ => Val::Unresolvable,
        }
    }

    // ----- the entry points ------------------------------------------------

    /// Cheap test: can any rule start at token `i`?
    pub(super) fn can_start(&self, i: usize) -> bool {
        match self.kind(i) {
            Some(Kind::Word { w, .. }) => w.is_some(),
            Some(Kind::Num { .. } | Kind::Ord(_)) => true,
            Some(Kind::Punct('\'' | '’')) => true,
            _ => false,
        }
    }

    /// The longest expression starting at token `i`.
    pub(super) fn best(&self, i: usize) -> Option<Hit> {
        let mut best = self.primary(i);
        if let Some(r) = self.r_range(i)
            && best.is_none_or(|b| r.next > b.next)
        {
            best = Some(r);
        }
        best
    }

    fn primary(&self, i: usize) -> Option<Hit> {
        let candidates = [
            self.r_rel_day(i),
            self.r_rel_period(i),
            self.r_earlier_later(i),
            self.r_weekday(i),
            self.r_weekday_pair(i),
            self.r_weekend(i),
            self.r_date_md(i),
            self.r_date_dm(i),
            self.r_numeric(i),
            self.r_month_year(i),
            self.r_month(i),
            self.r_year(i),
            self.r_decade(i),
            self.r_offset(i),
            self.r_part(i),
            self.r_by(i),
            self.r_quarter(i),
            self.r_half(i),
            self.r_season(i),
            self.r_nth(i),
            self.r_week_of(i),
            self.r_dom(i),
        ];
        // First of the longest: the order above breaks ties.
        let mut best: Option<Hit> = None;
        for c in candidates.into_iter().flatten() {
            if best.is_none_or(|b| c.next > b.next) {
                best = Some(c);
            }
        }
        best
    }

    // ----- shared pieces -----------------------------------------------------

    /// "this" (0), "next"/"coming"/"following" (+1), "last"/"past"/"previous"
    /// (−1), with an optional "the" before and "this past"/"this coming".
    /// Returns the word that decided, for rules that treat them apart.
    fn rel_mod(&self, i: usize) -> Option<(usize, i64, &'static str)> {
        let (j, the) = if self.is(i, "the") {
            (i + 1, true)
        } else {
            (i, false)
        };
        let w = self.word(j)?;
        Some(match w {
            "this" if !the => match self.word(j + 1) {
                Some("past") => (j + 2, -1, "last"),
                Some("coming") => (j + 2, 1, "coming"),
                _ => (j + 1, 0, "this"),
            },
            "current" => (j + 1, 0, "this"),
            "next" => (j + 1, 1, "next"),
            "coming" | "upcoming" | "following" => (j + 1, 1, "coming"),
            "last" | "past" | "previous" => (j + 1, -1, "last"),
            _ => return None,
        })
    }

    /// A day of the month: "15", "15th", "fifteenth", "twenty-first".
    /// Returns (next, day, written as an ordinal).
    fn day_num(&self, i: usize) -> Option<(usize, u32, bool)> {
        match self.kind(i)? {
            Kind::Ord(v) if (1..=31).contains(&v) => Some((i + 1, v, true)),
            Kind::Num { v, digits } if digits <= 2 && (1..=31).contains(&v) => {
                if self.continues_after(i, false) || self.continued_before(i, false) {
                    return None;
                }
                Some((i + 1, v, false))
            }
            Kind::Word { w: Some(w), .. } => {
                if let Some(v) = ordinal_of(w) {
                    return (v <= 31).then_some((i + 1, v, true));
                }
                // "twenty-first", "thirty first"
                let tens = match w {
                    "twenty" => 20,
                    "thirty" => 30,
                    _ => return None,
                };
                let j = if self.dash(i + 1) { i + 2 } else { i + 1 };
                let unit = ordinal_of(self.word(j)?)?;
                let v = tens + unit;
                (unit <= 9 && v <= 31).then_some((j + 1, v, true))
            }
            _ => None,
        }
    }

    /// A four-digit year 1000–2999 that is not part of a longer number.
    fn year4(&self, i: usize, dash_slash: bool) -> Option<(usize, i32)> {
        let (v, digits) = self.num(i)?;
        if digits != 4 || !(1000..=2999).contains(&v) || self.continues_after(i, dash_slash) {
            return None;
        }
        Some((i + 1, v as i32))
    }

    /// A year after a day or month: ", 2018", " 2018", " '74", or a two-digit
    /// " 74" that ends the expression ("14th April 15").
    fn year_after(&self, i: usize, two_digit: bool) -> Option<(usize, i32)> {
        let comma = self.punct(i, ',');
        let j = if comma { i + 1 } else { i };
        if let Some(r) = self.year4(j, true) {
            return Some(r);
        }
        if self.apostrophe(j)
            && self.adj(j + 1)
            && let Some((v, 2)) = self.num(j + 1)
            && !self.continues_after(j + 1, true)
        {
            return Some((j + 2, pivot(v)));
        }
        if two_digit
            && !comma
            && let Some((v, 2)) = self.num(j)
            && !self.continues_after(j, true)
            && !self.is_word(j + 1)
            && !self.is_numeric(j + 1)
        {
            return Some((j + 1, pivot(v)));
        }
        None
    }

    /// A month name, with the dot of an abbreviation. Abbreviations and a
    /// lower-case "may" are not months on their own; `abbr` allows the
    /// abbreviations where a day or year follows.
    fn month_at(&self, i: usize, abbr: bool) -> Option<(usize, u32)> {
        let w = self.word(i)?;
        let m = month_of(w)?;
        if w == "may" && !self.cap(i) {
            return None;
        }
        if !is_full_month(w) {
            if !abbr {
                return None;
            }
            // "Mar." / "Sept."
            if self.punct(i + 1, '.') && self.adj(i + 1) {
                return Some((i + 2, m));
            }
        }
        Some((i + 1, m))
    }

    /// "Monday, " / "Fri " before a date: returns where the date starts.
    fn weekday_prefix(&self, i: usize) -> (usize, Option<Weekday>) {
        let Some(wd) = self.word(i).and_then(|w| weekday_of(w, true)) else {
            return (i, None);
        };
        let mut j = i + 1;
        if self.punct(j, '.') && self.adj(j) {
            j += 1;
        }
        if self.punct(j, ',') {
            j += 1;
        }
        (j, Some(wd))
    }

    fn count(&self, i: usize) -> Option<(usize, u32)> {
        match self.kind(i)? {
            Kind::Num { v, digits } if digits <= 4 && v >= 1 => (!self.continues_after(i, true)
                && !self.continued_before(i, true))
            .then_some((i + 1, v)),
            Kind::Word { w: Some(w), .. } => {
                if matches!(w, "a" | "an") {
                    if self.is(i + 1, "couple") && self.is(i + 2, "of") {
                        return Some((i + 3, 2));
                    }
                    if self.is(i + 1, "few") {
                        return Some((i + 2, 3));
                    }
                }
                if w == "couple" && self.is(i + 1, "of") {
                    return Some((i + 2, 2));
                }
                if w == "few" {
                    return Some((i + 1, 3));
                }
                cardinal_of(w).map(|v| (i + 1, v))
            }
            _ => None,
        }
    }

    fn unit(&self, i: usize) -> Option<(usize, Unit)> {
        let w = self.word(i)?;
        let u = match w {
            "day" | "days" => Unit::Day,
            "week" | "weeks" => Unit::Week,
            "fortnight" | "fortnights" => Unit::Fortnight,
            "month" | "months" => Unit::Month,
            "quarter" | "quarters" | "qtr" | "qtrs" => Unit::Quarter,
            "year" | "years" | "yr" | "yrs" => Unit::Year,
            _ => Unit::Weekday(weekday_plural(w).or_else(|| weekday_of(w, false))?),
        };
        Some((i + 1, u))
    }

    /// "this week", "the following week", "around next week".
    fn week_ref(&self, i: usize, bare_the: bool) -> Option<(usize, i64, bool)> {
        let i = if self.is(i, "around") { i + 1 } else { i };
        if bare_the && self.is(i, "the") && self.is(i + 1, "week") && !self.is(i + 2, "of") {
            return Some((i + 2, 0, true));
        }
        let (j, k, w) = self.rel_mod(i)?;
        self.is(j, "week").then_some((j + 1, k, w == "this"))
    }

    /// A month for parts and "nth … of": "June", "June 2019", "next month",
    /// "the month", "March of next year".
    fn month_ref(&self, i: usize, bare: bool) -> Option<(usize, MonthRef)> {
        if let Some((j, m)) = self.month_at(i, self.cap(i)) {
            let k = if self.punct(j, ',') || self.is(j, "of") {
                j + 1
            } else {
                j
            };
            if let Some((j2, y)) = self.year4(k, true) {
                return Some((j2, MonthRef::Abs(y, m)));
            }
            if let Some((j2, ky, "year")) = self.rel_unit(k) {
                return Some((j2, MonthRef::InRelYear(m, ky as i32)));
            }
            return Some((j, MonthRef::Yearless(m)));
        }
        if bare && self.is(i, "month") {
            return Some((i + 1, MonthRef::Rel(0)));
        }
        if self.is(i, "the") && self.is(i + 1, "month") {
            if self.is(i + 2, "after") && self.is(i + 3, "next") {
                return Some((i + 4, MonthRef::Rel(2)));
            }
            return Some((i + 2, MonthRef::Rel(0)));
        }
        let (j, k, _) = self.rel_mod(i)?;
        self.is(j, "month").then_some((j + 1, MonthRef::Rel(k)))
    }

    /// "2019", "next year", "the year", "this yr".
    fn year_ref(&self, i: usize, bare: bool) -> Option<(usize, YearRef)> {
        if let Some((j, y)) = self.year4(i, false) {
            return Some((j, YearRef::Abs(y)));
        }
        if bare && self.is(i, "year") {
            return Some((i + 1, YearRef::Rel(0)));
        }
        if self.is(i, "the") && self.is(i + 1, "year") {
            return Some((i + 2, YearRef::Rel(0)));
        }
        match self.rel_unit(i)? {
            (j, k, "year") => Some((j, YearRef::Rel(k as i32))),
            _ => None,
        }
    }

    /// A relative modifier and a period word: (next, k, "week"|"month"|"year"|"quarter").
    fn rel_unit(&self, i: usize) -> Option<(usize, i64, &'static str)> {
        let (j, k, _) = self.rel_mod(i)?;
        let unit = match self.word(j)? {
            "week" => "week",
            "month" => "month",
            "year" | "yr" => "year",
            "quarter" | "qtr" => "quarter",
            _ => return None,
        };
        Some((j + 1, k, unit))
    }

    // ----- rules -----------------------------------------------------------

    /// today, tomorrow, yesterday, the day before yesterday.
    fn r_rel_day(&self, i: usize) -> Option<Hit> {
        let offset = |k: i64| self.rel(Grain::Day, |a| add_days(a, k).map(|d| (d, d)));
        match self.word(i)? {
            "today" => hit(i + 1, offset(0)),
            "tomorrow" | "tomorrows" => hit(i + 1, offset(1)),
            "yesterday" => hit(i + 1, offset(-1)),
            w @ ("the" | "day") => {
                let j = if w == "the" { i + 1 } else { i };
                if !self.is(j, "day") {
                    return None;
                }
                match (self.word(j + 1)?, self.word(j + 2)?) {
                    ("before", "yesterday") => hit(j + 3, offset(-2)),
                    ("after", "tomorrow") => hit(j + 3, offset(2)),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// this/next/last week, month, year, quarter, weekend, season, month
    /// name; "the week after next".
    fn r_rel_period(&self, i: usize) -> Option<Hit> {
        if self.is(i, "the")
            && let Some(unit) = self.any(i + 1, &["week", "month", "year"])
            && self.is(i + 2, "after")
            && self.is(i + 3, "next")
        {
            return hit(i + 4, self.period(unit, 2, false));
        }
        let (j, k, w) = self.rel_mod(i)?;
        let unit = self.word(j)?;
        match unit {
            "week" if self.dash(j + 1) && self.is(j + 2, "end") => hit(j + 3, self.weekend(k)),
            "week" | "month" | "year" | "yr" | "quarter" | "qtr" => {
                hit(j + 1, self.period(unit, k, w == "this"))
            }
            "weekend" | "wkend" => hit(j + 1, self.weekend(k)),
            _ => {
                if let Some(s) = season_of(unit) {
                    return hit(j + 1, self.season_rel(s, k));
                }
                if let Some((j2, m)) = self.month_at(j, false) {
                    return hit(j2, self.month_rel(m, k));
                }
                None
            }
        }
    }

    fn period(&self, unit: &str, k: i64, this: bool) -> Val {
        match unit {
            "week" => self.rel(Grain::Week, |a| week_span(a, self.week_offset(a, k, this))),
            "month" => self.rel(Grain::Month, |a| {
                let (y, m) = shift_month(a.year(), a.month(), k)?;
                month_span(y, m)
            }),
            "quarter" | "qtr" => self.rel(Grain::Quarter, |a| {
                let q0 = (a.month() - 1) / 3;
                let (y, m) = shift_month(a.year(), q0 * 3 + 1, k.checked_mul(3)?)?;
                months_span(y, m, m + 2)
            }),
            _ => self.rel(Grain::Year, |a| {
                year_span(a.year().checked_add(i32::try_from(k).ok()?)?)
            }),
        }
    }

    /// Saturday and Sunday of the week `k` weeks from the anchor's.
    fn weekend(&self, k: i64) -> Val {
        self.rel(Grain::Day, |a| {
            let (monday, _) = week_span(a, k)?;
            Some((add_days(monday, 5)?, add_days(monday, 6)?))
        })
    }

    /// "this summer" is the one under way at the anchor, else the one in
    /// the sentence's direction; "last summer" the latest one over by the
    /// anchor; "next summer" the first one to start after it.
    fn season_rel(&self, s: Season, k: i64) -> Val {
        self.rel(Grain::Day, |a| {
            let seasons = || yearly(a, 2, |y| season_span(s, y));
            let last = || seasons().filter(|iv| iv.1 < a).last();
            let next = || seasons().find(|iv| iv.0 > a);
            match k {
                0 => seasons().find(|iv| iv.0 <= a && a <= iv.1).or_else(|| {
                    if self.dir() == Direction::Past {
                        last()
                    } else {
                        next()
                    }
                }),
                k if k < 0 => last(),
                _ => next(),
            }
        })
    }

    /// "this April" is the anchor's year's; "next April" the first to start
    /// after the anchor; "last April" the latest over by it.
    fn month_rel(&self, m: u32, k: i64) -> Val {
        self.rel(Grain::Month, |a| match k {
            0 => month_span(a.year(), m),
            k if k < 0 => yearly(a, 2, |y| month_span(y, m))
                .filter(|iv| iv.1 < a)
                .last(),
            _ => yearly(a, 2, |y| month_span(y, m)).find(|iv| iv.0 > a),
        })
    }

    /// "earlier this month" (1st..anchor), "later this year" (anchor..Dec 31),
    /// "the rest of the week" (anchor..Sunday), and the same for weeks,
    /// months and years.
    fn r_earlier_later(&self, i: usize) -> Option<Hit> {
        let (later, j, rest) = match self.word(i)? {
            "earlier" => (false, i + 1, false),
            "later" => (true, i + 1, false),
            "rest" if self.is(i + 1, "of") => (true, i + 2, true),
            "the" if self.is(i + 1, "rest") && self.is(i + 2, "of") => (true, i + 3, true),
            _ => return None,
        };
        let j = if self.is(j, "this") || rest && self.is(j, "the") {
            j + 1
        } else if !rest && self.is(j, "in") && self.is(j + 1, "the") {
            j + 2
        } else {
            return None;
        };
        let unit = self.any(j, &["week", "month", "year"])?;
        let val = self.rel(Grain::Day, |a| {
            let (first, last) = match unit {
                "week" => week_span(a, 0)?,
                "month" => month_span(a.year(), a.month())?,
                _ => year_span(a.year())?,
            };
            Some(if later { (a, last) } else { (first, a) })
        });
        hit(j + 1, val)
    }

    /// Weekdays: "Thursday", "next Monday", "last Friday", "this Monday",
    /// "Friday after next", "Wednesday of next week", "last week's Sunday".
    fn r_weekday(&self, i: usize) -> Option<Hit> {
        // "last week's Sunday"
        if let Some((j, k, this)) = self.week_ref(i, false)
            && self.apostrophe(j)
            && self.is(j + 1, "s")
            && let Some(wd) = self.word(j + 2).and_then(|w| weekday_of(w, false))
        {
            return hit(
                j + 3,
                self.rel(Grain::Day, |a| {
                    let d = weekday_in_week(a, self.week_offset(a, k, this), wd)?;
                    Some((d, d))
                }),
            );
        }
        let (j, w) = match self.rel_mod(i) {
            Some((j, _, w)) if !self.is(i, "the") => (j, Some(w)),
            _ => (i, None),
        };
        let wd = weekday_of(self.word(j)?, false)?;
        let day = |f: &dyn Fn(NaiveDate) -> Option<NaiveDate>| {
            self.rel(Grain::Day, |a| f(a).map(|d| (d, d)))
        };
        match w {
            Some("next") => return hit(j + 1, day(&|a| weekday_in_week(a, 1, wd))),
            Some("coming") => return hit(j + 1, day(&|a| next_weekday(a, wd, true))),
            Some("last") => return hit(j + 1, day(&|a| prev_weekday(a, wd, true))),
            _ => {}
        }
        let this = w == Some("this");
        // "Friday after next"
        if !this && self.is(j + 1, "after") && self.is(j + 2, "next") {
            return hit(j + 3, day(&|a| add_days(next_weekday(a, wd, true)?, 7)));
        }
        // "Wednesday of next week", "Sunday from last week", "Wednesday next week"
        if !this {
            let k0 = if self.any(j + 1, &["of", "from"]).is_some() {
                j + 2
            } else {
                j + 1
            };
            if let Some((j2, k, _)) = self.week_ref(k0, false) {
                return hit(j2, day(&|a| weekday_in_week(a, k, wd)));
            }
        }
        // A bare weekday: the nearest one in the sentence's direction. Past
        // and the explicit "this" count the anchor's own day (wire style:
        // "said on Thursday" in Thursday's story); Unknown does not, as in
        // Duckling ("tuesday" on a Tuesday is next week's).
        let strict = self.tense == Tense::Unknown && !this;
        let past = self.dir() == Direction::Past;
        hit(
            j + 1,
            day(&|a| {
                if past {
                    prev_weekday(a, wd, false)
                } else {
                    next_weekday(a, wd, strict)
                }
            }),
        )
    }

    /// "Thursday and Friday": two consecutive days make one span (a
    /// two-day summit); two days further apart stay separate.
    fn r_weekday_pair(&self, i: usize) -> Option<Hit> {
        let first = self.r_weekday(i)?;
        if !self.is(first.next, "and") {
            return None;
        }
        let second = self.r_weekday(first.next + 1)?;
        let (Val::Span(a), Val::Span(b)) = (first.val, second.val) else {
            return None;
        };
        // The second day follows the first, whatever week the tense alone
        // would have put it in.
        if b.first.weekday() != a.first.weekday().succ() {
            return None;
        }
        let last = add_days(a.first, 1)?;
        hit(
            second.next,
            Val::Span(Span {
                first: a.first,
                last,
                ..a
            }),
        )
    }

    /// "the weekend", "over the weekend": the nearest weekend in the
    /// sentence's direction.
    fn r_weekend(&self, i: usize) -> Option<Hit> {
        if !self.is(i, "the") {
            return None;
        }
        let j = match self.word(i + 1)? {
            "weekend" | "wkend" => i + 2,
            "week" if self.dash(i + 2) && self.is(i + 3, "end") => i + 4,
            _ => return None,
        };
        if self.is(j, "of") {
            return None;
        }
        let val = self.rel(Grain::Day, |a| {
            let weekends = (-1..=1).filter_map(|k| {
                let (monday, _) = week_span(a, k)?;
                Some((add_days(monday, 5)?, add_days(monday, 6)?))
            });
            pick(a, self.dir(), weekends)
        });
        hit(j, val)
    }

    /// Month first: "March 29, 2018", "Mar. 29", "march third 2015",
    /// "February the 15th", "Monday, Feb 18", "Jul 18, Fri".
    fn r_date_md(&self, i: usize) -> Option<Hit> {
        let (j, mut wd) = self.weekday_prefix(i);
        let (j, m) = self.month_at(j, true)?;
        let (j, the) = if self.is(j, "the") {
            (j + 1, true)
        } else {
            (j, false)
        };
        let (j, d, ordinal) = self.day_num(j)?;
        if the && !ordinal || !plausible(m, d) {
            return None;
        }
        let (mut j, y) = match self.year_after(j, true) {
            Some((j, y)) => (j, Some(y)),
            None => (j, None),
        };
        // "May 16 this year", "July 28 last year"
        if y.is_none()
            && let Some((j2, k, "year")) = self.rel_unit(j)
        {
            let val = self.rel(Grain::Day, |a| {
                let day = ymd(a.year().checked_add(i32::try_from(k).ok()?)?, m, d)?;
                Some((day, day))
            });
            return hit(j2, val);
        }
        if wd.is_none()
            && self.punct(j, ',')
            && let Some(w) = self.word(j + 1).and_then(|w| weekday_of(w, true))
        {
            wd = Some(w);
            j += 2;
        }
        day_val(j, y, m, d, wd)
    }

    /// Day first: "29 March 2018", "29th of March", "the 1st of march",
    /// "14april 2015", "Thursday, 29 March".
    fn r_date_dm(&self, i: usize) -> Option<Hit> {
        let (j, wd) = self.weekday_prefix(i);
        let j = if self.is(j, "the") { j + 1 } else { j };
        let (j, d, _) = self.day_num(j)?;
        let j = if self.is(j, "of") { j + 1 } else { j };
        let (j, m) = self.month_at(j, true)?;
        if !plausible(m, d) {
            return None;
        }
        let (j, y) = match self.year_after(j, true) {
            Some((j, y)) => (j, Some(y)),
            None => (j, None),
        };
        day_val(j, y, m, d, wd)
    }

    /// Numeric dates: "2018-03-29", "3/29/2018" (US month first unless the
    /// first number cannot be a month), "31-Oct-74", "2014-10", "2/2013",
    /// and "on 2/15".
    fn r_numeric(&self, i: usize) -> Option<Hit> {
        let (a, ad) = self.num(i)?;
        if self.continued_before(i, true) {
            return None;
        }
        let sep = match self.kind(i + 1) {
            Some(Kind::Punct(c @ ('-' | '/' | '.'))) if self.adj(i + 1) => c,
            _ => return None,
        };
        if !self.adj(i + 2) {
            return None;
        }
        // "31-Oct-74", "31/Oct/1974"
        if let Some((j, m)) = self.month_at(i + 2, true) {
            if ad > 2 || !self.punct(j, sep) || !self.adj(j) || !self.adj(j + 1) {
                return None;
            }
            let (c, cd) = self.num(j + 1)?;
            let y = full_year(c, cd)?;
            if self.continues_after(j + 1, true) {
                return None;
            }
            return day_val(j + 2, Some(y), m, a, None);
        }
        let (b, bd) = self.num(i + 2)?;
        let third = self.punct(i + 3, sep) && self.adj(i + 3) && self.adj(i + 4);
        if third && let Some((c, cd)) = self.num(i + 4) {
            if self.continues_after(i + 4, true) {
                return None;
            }
            if ad == 4 {
                // year first
                return day_val(i + 5, Some(a as i32), b, c, None);
            }
            let y = full_year(c, cd)?;
            if ad > 2 || bd > 2 {
                return None;
            }
            let (m, d) = if a <= 12 { (a, b) } else { (b, a) };
            return day_val(i + 5, Some(y), m, d, None);
        }
        if self.continues_after(i + 2, true) || sep == '.' {
            return None;
        }
        // "1986/87", "1986/1987": a crop or fiscal year over two years.
        if ad == 4
            && sep == '/'
            && (bd == 2 && b == (a + 1) % 100 || bd == 4 && b == a + 1)
            && (1800..=2199).contains(&a)
        {
            let y = a as i32;
            return hit(
                i + 3,
                Self::abs(Grain::Year, Some((ymd(y, 1, 1)?, ymd(y + 1, 12, 31)?))),
            );
        }
        // "2014-10", "2014/10": a year and a month. "2010-12" reads as the
        // years 2010–2012 instead (see r_range), because a two-digit month
        // after a year can only be a month when it is below the year's tail.
        if ad == 4 && bd <= 2 && (1..=12).contains(&b) {
            if sep == '-' && bd == 2 && b > a % 100 {
                return None;
            }
            return hit(
                i + 3,
                Val::Month {
                    y: Some(a as i32),
                    m: b,
                },
            );
        }
        // "2/2013"
        if ad <= 2 && (1..=12).contains(&a) && bd == 4 && sep == '/' {
            return hit(
                i + 3,
                Val::Month {
                    y: Some(b as i32),
                    m: a,
                },
            );
        }
        // "on 2/15": a yearless month/day only after "on", since a bare
        // "2/15" is as often a fraction or a score.
        if ad <= 2 && bd <= 2 && sep == '/' && i > 0 && self.is(i - 1, "on") && plausible(a, b) {
            return hit(
                i + 3,
                Val::Day {
                    y: None,
                    m: a,
                    d: b,
                    wd: None,
                },
            );
        }
        None
    }

    /// "October 2014", "Oct. 2014", "March of 2014".
    fn r_month_year(&self, i: usize) -> Option<Hit> {
        let (j, m) = self.month_at(i, true)?;
        let k = if self.punct(j, ',') || self.is(j, "of") {
            j + 1
        } else {
            j
        };
        let (j, y) = self.year4(k, false)?;
        hit(j, Val::Month { y: Some(y), m })
    }

    /// A month on its own: "April", "in April", "March after next",
    /// "March in a year", "March of next year", "March last year".
    fn r_month(&self, i: usize) -> Option<Hit> {
        let w = self.word(i)?;
        let (j, m) = self.month_at(i, false)?;
        let cued = i > 0 && self.any(i - 1, MONTH_CUES).is_some();
        if (w == "may" || w == "march" && !self.cap(i)) && !cued {
            return None;
        }
        // "April Ryan", "June Carter": a month name before a capitalised
        // unknown word is a first name unless something cues a date.
        if !cued
            && matches!(
                self.kind(j),
                Some(Kind::Word {
                    w: None,
                    cap: true,
                    ..
                })
            )
        {
            return None;
        }
        if self.is(j, "after") && self.is(j + 1, "next") {
            return hit(
                j + 2,
                self.rel(Grain::Month, |a| {
                    yearly(a, 3, |y| month_span(y, m))
                        .filter(|iv| iv.0 > a)
                        .nth(1)
                }),
            );
        }
        if self.is(j, "in") && self.any(j + 1, &["a", "one"]).is_some() && self.is(j + 2, "year") {
            return hit(
                j + 3,
                self.rel(Grain::Month, |a| month_span(a.year().checked_add(1)?, m)),
            );
        }
        if self.is(j, "in") && self.num(j + 1) == Some((1, 1)) && self.is(j + 2, "year") {
            return hit(
                j + 3,
                self.rel(Grain::Month, |a| month_span(a.year().checked_add(1)?, m)),
            );
        }
        let k = if self.is(j, "of") { j + 1 } else { j };
        if let Some((j2, ky, "year")) = self.rel_unit(k) {
            return hit(
                j2,
                self.rel(Grain::Month, |a| {
                    month_span(a.year().checked_add(ky as i32)?, m)
                }),
            );
        }
        hit(j, Val::Month { y: None, m })
    }

    /// Years: "1987", "in 2019", "2014 A.D.", "in 14 a.d.". A bare
    /// four-digit number is a year only when nothing says it is an amount,
    /// a clock time, a phone number or part of a name ("Pay ABC 2000").
    fn r_year(&self, i: usize) -> Option<Hit> {
        let (v, digits) = self.num(i)?;
        if self.continued_before(i, true) || self.continues_after(i, true) {
            return None;
        }
        // Era suffix: "AD", "A.D.", "BC", "B.C."
        let era = |j: usize| -> Option<(usize, bool)> {
            if let Some(e) = self.any(j, &["ad", "bc"]) {
                let k = if self.punct(j + 1, '.') && self.adj(j + 1) {
                    j + 2
                } else {
                    j + 1
                };
                return Some((k, e == "ad"));
            }
            let (second, ad) = match self.word(j)? {
                "a" => ("d", true),
                "b" => ("c", false),
                _ => return None,
            };
            if self.punct(j + 1, '.')
                && self.adj(j + 1)
                && self.is(j + 2, second)
                && self.adj(j + 2)
            {
                let k = if self.punct(j + 3, '.') && self.adj(j + 3) {
                    j + 4
                } else {
                    j + 3
                };
                return Some((k, ad));
            }
            None
        };
        if let Some((j, ad)) = era(i + 1)
            && digits <= 4
            && v >= 1
        {
            return hit(
                j,
                if ad {
                    Val::Year(v as i32)
                } else {
                    Val::Unresolvable
                },
            );
        }
        if digits != 4 {
            return None;
        }
        let prev = i.checked_sub(1);
        let cued = prev.is_some_and(|p| self.any(p, YEAR_CUES).is_some());
        let weak = prev.is_some_and(|p| self.any(p, WEAK_YEAR_CUES).is_some());
        // Only a strong cue makes an old year ("in 1066") likely enough.
        let range = if cued { 1000..=2199 } else { 1800..=2199 };
        if !range.contains(&v) {
            return None;
        }
        if let Some(p) = prev {
            // "at 1900 GMT" is a clock time; "ABC 2000", "Vision 2030" are names.
            if self.is(p, "at") {
                return None;
            }
            if !cued
                && !weak
                && let Some(Kind::Word { w, cap, caps }) = self.kind(p)
                && (caps || cap && w.is_none())
            {
                return None;
            }
        }
        if self.any(i + 1, CLOCK_WORDS).is_some() {
            return None;
        }
        // In a table ("147.75 2184 May 147.50") a four-digit number among
        // numbers is a figure.
        if !cued && (self.is_numeric(i + 1) || i > 0 && self.is_numeric(i - 1)) {
            return None;
        }
        if !cued
            && let Some(Kind::Word { w, cap: false, .. }) = self.kind(i + 1)
            && !w.is_some_and(|w| YEAR_FOLLOWERS.contains(&w))
            && self.looks_like_unit(i + 1)
        {
            return None;
        }
        hit(i + 1, Val::Year(v as i32))
    }

    /// Decades: "the 1990s", "'90s".
    fn r_decade(&self, i: usize) -> Option<Hit> {
        let j = if self.is(i, "the") { i + 1 } else { i };
        let (j, start) = self.decade_at(j)?;
        hit(
            j,
            Self::abs(
                Grain::Year,
                Some((ymd(start, 1, 1)?, ymd(start + 9, 12, 31)?)),
            ),
        )
    }

    fn decade_at(&self, i: usize) -> Option<(usize, i32)> {
        let (num_at, v, digits) = if self.apostrophe(i) && self.adj(i + 1) {
            let (v, d) = self.num(i + 1)?;
            (i + 1, v, d)
        } else {
            let (v, d) = self.num(i)?;
            (i, v, d)
        };
        if !(self.is(num_at + 1, "s") && self.adj(num_at + 1)) || v % 10 != 0 {
            return None;
        }
        let start = match digits {
            4 if (1000..=2990).contains(&v) => v as i32,
            2 if num_at > i || i > 0 && self.is(i - 1, "the") => 1900 + v as i32,
            _ => return None,
        };
        Some((num_at + 2, start))
    }

    /// Offsets and spans of whole units around the anchor: "three weeks
    /// ago", "in two weeks", "a year from now", "within 2 weeks", "the past
    /// two weeks", "the next three months", "3 fridays from now".
    fn r_offset(&self, i: usize) -> Option<Hit> {
        let w = self.word(i);
        // "in two weeks", "within 2 weeks"
        if let Some(lead @ ("in" | "within")) = w {
            let (j, n) = self.count(i + 1)?;
            let (j, unit) = self.unit(j)?;
            // "in a quarter of an hour" is a clock offset.
            if matches!(unit, Unit::Weekday(_)) || unit == Unit::Quarter && self.is(j, "of") {
                return None;
            }
            // In a past-tense sentence "in two weeks" and "within a month"
            // are durations ("the first time in 40 years", "sold within a
            // month"), not offsets from the publication date.
            if self.tense == Tense::Past || self.after_superlative(i) {
                return hit(j, Val::Unresolvable);
            }
            if lead == "in" {
                return hit(j, self.offset(unit, i64::from(n), false));
            }
            return hit(j, self.within(unit, i64::from(n)));
        }
        // "the past two weeks", "next 3 days", "upcoming 2 weeks"
        let (j, the) = if w == Some("the") {
            (i + 1, true)
        } else {
            (i, false)
        };
        if let Some(mw) = self.any(
            j,
            &["last", "past", "previous", "next", "coming", "upcoming"],
        ) {
            let (k, n) = self.count(j + 1)?;
            let (k, unit) = self.unit(k)?;
            if matches!(unit, Unit::Weekday(_) | Unit::Fortnight) {
                return None;
            }
            let n = i64::from(n);
            return hit(
                k,
                match mw {
                    "upcoming" => self.upcoming(unit, n),
                    "next" | "coming" => self.run_of(unit, 1, n),
                    _ => self.run_of(unit, -n, -1),
                },
            );
        }
        if the {
            return None;
        }
        // "two upcoming weeks"
        let (j, n) = self.count(i)?;
        if self.is(j, "upcoming") {
            let (k, unit) = self.unit(j + 1)?;
            if matches!(unit, Unit::Weekday(_) | Unit::Fortnight) {
                return None;
            }
            return hit(k, self.upcoming(unit, i64::from(n)));
        }
        let (j, unit) = self.unit(j)?;
        let n = i64::from(n);
        match self.word(j)? {
            "ago" | "back" => hit(j + 1, self.offset(unit, -n, false)),
            "hence" => hit(j + 1, self.offset(unit, n, false)),
            "from" => match self.word(j + 1)? {
                "now" => hit(j + 2, self.offset(unit, n, false)),
                "today" => hit(j + 2, self.offset(unit, n, true)),
                _ => None,
            },
            _ => None,
        }
    }

    /// A superlative or "first time" shortly before `i`, which makes "in
    /// seven years" a duration whatever the tense ("the first visit by a
    /// Japanese leader in seven years", "its highest level in a decade").
    fn after_superlative(&self, i: usize) -> bool {
        const CUES: &[&str] = &[
            "first",
            "time",
            "ever",
            "highest",
            "lowest",
            "biggest",
            "largest",
            "smallest",
            "worst",
            "best",
            "strongest",
            "weakest",
            "fastest",
            "slowest",
            "longest",
            "sharpest",
            "steepest",
            "most",
            "least",
        ];
        (i.saturating_sub(10)..i).any(|k| {
            let t = self.toks[k];
            let w = &self.text[t.start..t.end];
            CUES.iter().any(|c| c.eq_ignore_ascii_case(w))
        })
    }

    /// The anchor moved by `n` units. Days, weeks and months land on a day;
    /// years land on a month, as in Duckling ("two years ago" is that
    /// month), unless counted "from today". Weekdays count occurrences.
    fn offset(&self, unit: Unit, n: i64, from_today: bool) -> Val {
        let day = |f: &dyn Fn(NaiveDate) -> Option<NaiveDate>| {
            self.rel(Grain::Day, |a| f(a).map(|d| (d, d)))
        };
        match unit {
            Unit::Day => day(&|a| add_days(a, n)),
            Unit::Week => day(&|a| add_days(a, n.checked_mul(7)?)),
            Unit::Fortnight => day(&|a| add_days(a, n.checked_mul(14)?)),
            Unit::Month => day(&|a| add_months(a, n)),
            Unit::Quarter => day(&|a| add_months(a, n.checked_mul(3)?)),
            Unit::Year if from_today => day(&|a| add_months(a, n.checked_mul(12)?)),
            Unit::Year => self.rel(Grain::Month, |a| {
                let d = add_months(a, n.checked_mul(12)?)?;
                month_span(d.year(), d.month())
            }),
            Unit::Weekday(wd) => day(&|a| {
                if n >= 0 {
                    add_days(next_weekday(a, wd, true)?, (n - 1).checked_mul(7)?)
                } else {
                    add_days(prev_weekday(a, wd, true)?, (n + 1).checked_mul(7)?)
                }
            }),
        }
    }

    /// "within 2 weeks": the anchor to the day before the offset.
    fn within(&self, unit: Unit, n: i64) -> Val {
        self.rel(Grain::Day, |a| {
            let end = match unit {
                Unit::Day => add_days(a, n)?,
                Unit::Week => add_days(a, n.checked_mul(7)?)?,
                Unit::Fortnight => add_days(a, n.checked_mul(14)?)?,
                Unit::Month => add_months(a, n)?,
                Unit::Quarter => add_months(a, n.checked_mul(3)?)?,
                Unit::Year => add_months(a, n.checked_mul(12)?)?,
                Unit::Weekday(_) => return None,
            };
            Some((a, add_days(end, -1)?))
        })
    }

    /// The whole units `from..=to` away from the anchor's ("last 2 weeks"
    /// is −2..=−1: the two weeks before this one).
    fn run_of(&self, unit: Unit, from: i64, to: i64) -> Val {
        let grain = unit_grain(unit);
        self.rel(grain, |a| {
            Some((unit_span(a, unit, from)?.0, unit_span(a, unit, to)?.1))
        })
    }

    /// Duckling reads "upcoming two weeks" as the single week two weeks
    /// ahead; kept for compatibility, since the phrase is rare in news.
    fn upcoming(&self, unit: Unit, n: i64) -> Val {
        self.rel(unit_grain(unit), |a| unit_span(a, unit, n))
    }

    /// Parts: "early June", "mid-March", "late 2019", "the end of the month",
    /// "beginning of next year", "end of this week", "EOM", "BOY".
    fn r_part(&self, i: usize) -> Option<Hit> {
        let (i, the) = if self.is(i, "the") {
            (i + 1, true)
        } else {
            (i, false)
        };
        let w = self.word(i)?;
        // EOM, BOM, EOY, BOY
        let short = match w {
            "eom" => Some((Part::End, true)),
            "bom" => Some((Part::Beginning, true)),
            "eoy" => Some((Part::End, false)),
            // "boy" is a word; only the upper-case abbreviation counts.
            "boy" if self.caps_at(i) => Some((Part::Beginning, false)),
            _ => None,
        };
        if let Some((part, month)) = short {
            let val = if month {
                self.month_ref_val(MonthRef::Rel(0), Grain::Day, |y, m| month_part(y, m, part))
            } else {
                self.year_ref_val(YearRef::Rel(0), Grain::Month, |y| year_part(y, part))
            };
            return hit(i + 1, val);
        }
        let (part, j) = match w {
            "early" if !the => (Part::Early, i + 1),
            "mid" if !the => (Part::Mid, i + 1),
            "late" if !the => (Part::Late, i + 1),
            "middle" if self.is(i + 1, "of") => (Part::Mid, i + 2),
            "beginning" | "start" if self.is(i + 1, "of") => (Part::Beginning, i + 2),
            "end" if self.is(i + 1, "of") => (Part::End, i + 2),
            // Wire style: "end-March", "mid-2019"
            "end" if !the && self.dash(i + 1) && self.adj(i + 1) => (Part::End, i + 2),
            _ => return None,
        };
        let j = if matches!(part, Part::Early | Part::Mid | Part::Late) && self.dash(j) {
            j + 1
        } else {
            j
        };
        self.part_of(part, j)
    }

    /// A lower-case word after a number that makes the number a count:
    /// a plural ("2000 tonnes", "1500 troops") or a common uncounted unit.
    fn looks_like_unit(&self, i: usize) -> bool {
        let Some(t) = self.toks.get(i) else {
            return false;
        };
        let w = &self.text[t.start..t.end];
        w.ends_with('s') || UNIT_NOUNS.contains(&w)
    }

    fn caps_at(&self, i: usize) -> bool {
        matches!(self.kind(i), Some(Kind::Word { caps: true, .. }))
    }

    /// The part `part` of the month, year, week or decade at `j`.
    fn part_of(&self, part: Part, j: usize) -> Option<Hit> {
        let bare = matches!(part, Part::Beginning | Part::End | Part::Mid);
        if let Some((k, start)) = self.decade_at(if self.is(j, "the") { j + 1 } else { j }) {
            let (a, b) = match part {
                Part::Early | Part::Beginning => (0, 3),
                Part::Mid => (4, 6),
                Part::Late | Part::End => (7, 9),
            };
            return hit(
                k,
                Self::abs(
                    Grain::Year,
                    Some((ymd(start + a, 1, 1)?, ymd(start + b, 12, 31)?)),
                ),
            );
        }
        if let Some((k, r)) = self.month_ref(j, bare) {
            return hit(
                k,
                self.month_ref_val(r, Grain::Day, |y, m| month_part(y, m, part)),
            );
        }
        if let Some((k, r)) = self.year_ref(j, bare) {
            return hit(
                k,
                self.year_ref_val(r, Grain::Month, |y| year_part(y, part)),
            );
        }
        if let Some((k, wk, this)) = self.week_ref(j, true) {
            let (from, to) = match part {
                Part::Early | Part::Beginning => (0, 2),
                Part::Late | Part::End => (4, 6),
                Part::Mid => return None,
            };
            return hit(
                k,
                self.rel(Grain::Day, |a| {
                    let (monday, _) = week_span(a, self.week_offset(a, wk, this))?;
                    Some((add_days(monday, from)?, add_days(monday, to)?))
                }),
            );
        }
        None
    }

    /// Deadlines: "by the end of next month", "by EOY" (anchor..that end),
    /// "by next week", "by Monday" (anchor..the day before), as Duckling.
    fn r_by(&self, i: usize) -> Option<Hit> {
        if !self.is(i, "by") {
            return None;
        }
        if let Some(h) = self.r_part(i + 1)
            && let Val::Span(s) = h.val
        {
            let ends = (i + 1..h.next).any(|k| self.any(k, &["end", "eom", "eoy"]).is_some());
            let a = self.anchor?;
            if ends && s.last >= a {
                return hit(
                    h.next,
                    Val::Span(Span {
                        first: a,
                        last: s.last,
                        grain: Grain::Day,
                        relative: true,
                    }),
                );
            }
            return None;
        }
        if let Some((j, k, this)) = self.week_ref(i + 1, false) {
            return hit(
                j,
                self.rel(Grain::Day, |a| {
                    let (monday, _) = week_span(a, self.week_offset(a, k, this))?;
                    Some((a, add_days(monday, -1)?))
                }),
            );
        }
        let wd = weekday_of(self.word(i + 1)?, false)?;
        hit(
            i + 2,
            self.rel(Grain::Day, |a| {
                Some((a, add_days(next_weekday(a, wd, true)?, -1)?))
            }),
        )
    }

    /// Quarters: "the first quarter", "Q3 2019", "2018Q4", "18q4",
    /// "the third quarter of next year", "4th qtr 2018".
    fn r_quarter(&self, i: usize) -> Option<Hit> {
        let quarter = |y: i32, q: u32| months_span(y, q * 3 - 2, q * 3);
        // "2018Q4", "18q4"
        if let Some((v, digits)) = self.num(i)
            && self.is(i + 1, "q")
            && self.adj(i + 1)
            && self.adj(i + 2)
            && let Some((q, 1)) = self.num(i + 2)
            && (1..=4).contains(&q)
            && !self.continued_before(i, true)
            && !self.continues_after(i + 2, true)
        {
            let y = full_year(v, digits)?;
            return hit(i + 3, Self::abs(Grain::Quarter, quarter(y, q)));
        }
        // "Q3", "Q3 2019", "Q3-2019"
        if self.is(i, "q")
            && self.adj(i + 1)
            && let Some((q, 1)) = self.num(i + 1)
            && (1..=4).contains(&q)
            && !self.continued_before(i, true)
        {
            let k = if self.dash(i + 2) { i + 3 } else { i + 2 };
            if let Some((j, y)) = self.year4(k, false) {
                return hit(j, Self::abs(Grain::Quarter, quarter(y, q)));
            }
            if self.continues_after(i + 1, true) {
                return None;
            }
            return hit(i + 2, self.yearless(Grain::Quarter, |y| quarter(y, q)));
        }
        let j = if self.is(i, "the") { i + 1 } else { i };
        let (j, q) = self.ordinal_at(j)?;
        if !(1..=4).contains(&q) {
            return None;
        }
        let j = if self.dash(j) { j + 1 } else { j };
        self.any(j, &["quarter", "qtr"])?;
        let j = j + 1;
        let k = if self.any(j, &["of", "in"]).is_some() || self.punct(j, ',') {
            j + 1
        } else {
            j
        };
        if let Some((k2, r)) = self.year_ref(k, false) {
            return hit(k2, self.year_ref_val(r, Grain::Quarter, |y| quarter(y, q)));
        }
        hit(j, self.yearless(Grain::Quarter, |y| quarter(y, q)))
    }

    /// A yearly interval without its year: the occurrence in the sentence's
    /// direction.
    fn yearless(&self, grain: Grain, f: impl Fn(i32) -> Option<Interval>) -> Val {
        self.rel(grain, |a| pick(a, self.dir(), yearly(a, 2, f)))
    }

    fn ordinal_at(&self, i: usize) -> Option<(usize, u32)> {
        match self.kind(i)? {
            Kind::Ord(v) => Some((i + 1, v)),
            Kind::Word { w: Some(w), .. } => ordinal_of(w).map(|v| (i + 1, v)),
            _ => None,
        }
    }

    /// "the first half of 2019", "the second half of the year".
    fn r_half(&self, i: usize) -> Option<Hit> {
        let j = if self.is(i, "the") { i + 1 } else { i };
        let (j, h) = self.ordinal_at(j)?;
        if !(1..=2).contains(&h) || !self.is(j, "half") || !self.is(j + 1, "of") {
            return None;
        }
        let (k, r) = self.year_ref(j + 2, false)?;
        hit(
            k,
            self.year_ref_val(r, Grain::Month, |y| months_span(y, h * 6 - 5, h * 6)),
        )
    }

    /// "summer 2019", "the summer of 2019", "in the spring".
    /// ("this summer" and the like are in r_rel_period.)
    fn r_season(&self, i: usize) -> Option<Hit> {
        let (j, the) = if self.is(i, "the") {
            (i + 1, true)
        } else {
            (i, false)
        };
        let w = self.word(j)?;
        let s = season_of(w)?;
        let k = if self.is(j + 1, "of") { j + 2 } else { j + 1 };
        if let Some((k2, y)) = self.year4(k, false) {
            return hit(k2, Self::abs(Grain::Day, season_span(s, y)));
        }
        let cued = i > 0
            && self
                .any(i - 1, &["in", "during", "over", "by", "until", "since"])
                .is_some();
        if the && cued && w != "fall" && !self.is(j + 1, "of") {
            return hit(j + 1, self.yearless(Grain::Day, |y| season_span(s, y)));
        }
        None
    }

    /// "the first Tuesday of October", "last Monday of March", "the third
    /// last week of 2018", "fifth last day of May", "last weekend of October",
    /// "20th of next month", "the third day of October".
    fn r_nth(&self, i: usize) -> Option<Hit> {
        let j = if self.is(i, "the") { i + 1 } else { i };
        // n > 0 counts from the start, n < 0 from the end.
        let (j, n) = if self.is(j, "last") {
            (j + 1, -1i64)
        } else if let Some((j2, v)) = self.ordinal_at(j) {
            if self.is(j2, "last") {
                (j2 + 1, -i64::from(v))
            } else {
                (j2, i64::from(v))
            }
        } else if let Some((j2, v, false)) = self.day_num(j) {
            // "20 of next month"
            (j2, i64::from(v))
        } else {
            return None;
        };
        if n == 0 || n.abs() > 31 {
            return None;
        }
        let numeric = self.num(j.saturating_sub(1)).is_some();
        let what = self.word(j);
        let (k, kind) = match what {
            Some("week") if self.dash(j + 1) && self.is(j + 2, "end") => (j + 3, "weekend"),
            Some("week") if self.is(j + 1, "end") => (j + 2, "weekend"),
            Some("week") => (j + 1, "week"),
            Some("day") => (j + 1, "day"),
            Some("weekend" | "wkend") => (j + 1, "weekend"),
            Some(w) if weekday_of(w, false).is_some() => (j + 1, "weekday"),
            Some("of") => (j, "dom"),
            _ => return None,
        };
        if numeric && kind != "dom" && kind != "day" {
            return None;
        }
        self.any(k, &["of", "in"])?;
        let k = k + 1;
        match kind {
            "weekday" => {
                let wd = weekday_of(what?, false)?;
                if !(-1..=5).contains(&n) {
                    return None;
                }
                let nth = if n < 0 { 0 } else { n as u32 };
                let (k2, r) = self.month_ref(k, false)?;
                hit(
                    k2,
                    self.month_ref_val(r, Grain::Day, |y, m| {
                        let d = nth_weekday_of_month(y, m, wd, nth)?;
                        Some((d, d))
                    }),
                )
            }
            "weekend" => {
                if n != -1 {
                    return None;
                }
                let (k2, r) = self.month_ref(k, false)?;
                hit(
                    k2,
                    self.month_ref_val(r, Grain::Day, |y, m| {
                        let sat = nth_weekday_of_month(y, m, Weekday::Sat, 0)?;
                        Some((sat, add_days(sat, 1)?))
                    }),
                )
            }
            "week" => {
                let nth = |iv: Interval| -> Option<Interval> {
                    let weeks = whole_weeks(iv);
                    let idx = if n > 0 { n - 1 } else { weeks.len() as i64 + n };
                    weeks.get(usize::try_from(idx).ok()?).copied()
                };
                if let Some((k2, r)) = self.month_ref(k, false) {
                    return hit(
                        k2,
                        self.month_ref_val(r, Grain::Week, |y, m| nth(month_span(y, m)?)),
                    );
                }
                let (k2, r) = self.year_ref(k, false)?;
                hit(
                    k2,
                    self.year_ref_val(r, Grain::Week, |y| nth(year_span(y)?)),
                )
            }
            // "day" and "dom"
            _ => {
                let (k2, r) = self.month_ref(k, false)?;
                hit(
                    k2,
                    self.month_ref_val(r, Grain::Day, |y, m| {
                        let last = last_day_of_month(y, m)?;
                        let d = if n > 0 { n } else { i64::from(last) + 1 + n };
                        let d = ymd(y, m, u32::try_from(d).ok()?)?;
                        Some((d, d))
                    }),
                )
            }
        }
    }

    /// "the week of October 7th": Monday to Sunday around that day; a
    /// Sunday names the week it starts (US usage).
    fn r_week_of(&self, i: usize) -> Option<Hit> {
        let j = if self.is(i, "the") { i + 1 } else { i };
        if !self.is(j, "week") || !self.is(j + 1, "of") {
            return None;
        }
        let h = self.r_date_md(j + 2).or_else(|| self.r_date_dm(j + 2))?;
        let val = match self.resolve(h.val) {
            Some(s) => {
                let d = if s.first.weekday() == Weekday::Sun {
                    add_days(s.first, 1)
                } else {
                    Some(s.first)
                };
                let iv = d.and_then(|d| week_span(d, 0));
                match iv {
                    Some((first, last)) => Val::Span(Span {
                        first,
                        last,
                        grain: Grain::Week,
                        relative: s.relative,
                    }),
                    None => Val::Unresolvable,
                }
            }
            None => Val::Unresolvable,
        };
        hit(h.next, val)
    }

    /// A day of the month alone: "on the 15th", "on 24th", "Tuesday the
    /// 19th", "Thu 15th". Without "on" or a weekday, "the 1st" is too often
    /// a rank to count.
    fn r_dom(&self, i: usize) -> Option<Hit> {
        let (j, wd) = match self.word(i).and_then(|w| weekday_of(w, true)) {
            Some(wd) => (i + 1 + usize::from(self.punct(i + 1, ',')), Some(wd)),
            None => {
                if i == 0 || !self.is(i - 1, "on") {
                    return None;
                }
                (i, None)
            }
        };
        let (j, the) = if self.is(j, "the") {
            (j + 1, true)
        } else {
            (j, false)
        };
        let (j, d, ordinal) = self.day_num(j)?;
        if !ordinal || wd.is_none() && !the && !matches!(self.kind(j - 1), Some(Kind::Ord(_))) {
            return None;
        }
        // "on the first day", "on the 15th floor"
        if let Some(Kind::Word { .. }) = self.kind(j)
            && self
                .any(j, &["and", "or", "at", "when", "to", "until", "through"])
                .is_none()
        {
            return None;
        }
        let val = self.rel(Grain::Day, |a| {
            let days = monthly(a, 15, |y, m| {
                let x = ymd(y, m, d)?;
                wd.is_none_or(|wd| x.weekday() == wd).then_some((x, x))
            });
            pick(a, self.dir(), days)
        });
        hit(j, val)
    }

    /// Ranges: "July 13-15", "from July 13 to 15", "between March 3 and
    /// March 5", "from the 13th to the 15th of July", "1960 - 1961",
    /// "2010-15", "March 30 to April 2, 2018".
    fn r_range(&self, i: usize) -> Option<Hit> {
        let (j, lead) = match self.word(i) {
            Some(w @ ("from" | "between")) => (i + 1, Some(w)),
            _ => (i, None),
        };
        let left = self.range_side(j, lead.is_some())?;
        let c = left.next;
        // "and" joins a range after "between", and in "June 29 and 30".
        let and = self.is(c, "and")
            && (lead == Some("between") || matches!(left.val, Val::Day { .. }) && lead.is_none());
        let connector_ok = self.dash(c)
            || self
                .any(c, &["to", "through", "thru", "till", "until", "til"])
                .is_some()
            || and;
        if !connector_ok {
            return None;
        }
        let right = self.range_side(c + 1, lead.is_some())?;
        if and && lead.is_none() && !matches!(right.val, Val::DayNum(_)) {
            return None;
        }
        let mut next = right.next;
        let (l, r) = match (left.val, right.val) {
            (Val::Day { y, m, d, wd }, Val::DayNum(d2)) => {
                let mut y = y;
                if y.is_none()
                    && let Some((k, yy)) = self.year_after(next, false)
                {
                    y = Some(yy);
                    next = k;
                }
                (
                    Val::Day { y, m, d, wd },
                    Val::Day {
                        y,
                        m,
                        d: d2,
                        wd: None,
                    },
                )
            }
            (Val::DayNum(d1), Val::Day { y, m, d, wd }) => (
                Val::Day {
                    y,
                    m,
                    d: d1,
                    wd: None,
                },
                Val::Day { y, m, d, wd },
            ),
            (
                Val::Day { y: None, m, d, wd },
                Val::Day {
                    y: Some(y2),
                    m: m2,
                    d: d2,
                    wd: wd2,
                },
            ) => {
                let y = if (m, d) > (m2, d2) { y2 - 1 } else { y2 };
                (
                    Val::Day {
                        y: Some(y),
                        m,
                        d,
                        wd,
                    },
                    Val::Day {
                        y: Some(y2),
                        m: m2,
                        d: d2,
                        wd: wd2,
                    },
                )
            }
            (Val::Month { y: None, m }, Val::Month { y: Some(y2), m: m2 }) => {
                let y = if m > m2 { y2 - 1 } else { y2 };
                (
                    Val::Month { y: Some(y), m },
                    Val::Month { y: Some(y2), m: m2 },
                )
            }
            // "2010-15": the second year written with its last two digits.
            (Val::Year(y1), Val::DayNum(n))
                if self.dash(c) && self.adj(c) && self.adj(c + 1) && n as i32 > y1 % 100 =>
            {
                (Val::Year(y1), Val::Year(y1 - y1 % 100 + n as i32))
            }
            (Val::DayNum(_), _) | (_, Val::DayNum(_)) => return None,
            (l @ (Val::Day { .. } | Val::Month { .. } | Val::Year(_)), r)
                if std::mem::discriminant(&l) == std::mem::discriminant(&r) =>
            {
                (l, r)
            }
            (l, r) if lead.is_some() => (l, r),
            _ => return None,
        };
        let ls = self.resolve(l);
        let rs = match (l, r, ls) {
            // A yearless right side follows the left one.
            (_, Val::Day { y: None, m, d, .. }, Some(ls)) => {
                let y = ls.first.year();
                let day = ymd(y, m, d)
                    .filter(|x| *x >= ls.first)
                    .or_else(|| ymd(y + 1, m, d));
                day.map(|x| Span {
                    first: x,
                    last: x,
                    grain: Grain::Day,
                    relative: true,
                })
            }
            (_, Val::Month { y: None, m }, Some(ls)) => {
                let y = ls.first.year();
                let iv = month_span(y, m)
                    .filter(|iv| iv.0 >= ls.first)
                    .or_else(|| month_span(y + 1, m));
                iv.map(|(first, last)| Span {
                    first,
                    last,
                    grain: Grain::Month,
                    relative: true,
                })
            }
            _ => self.resolve(r),
        };
        // "1030-1360 lbs" is a range of weights, "from 1130 to 1215 GMT"
        // one of clock times.
        if let (Val::Year(y1), Val::Year(y2)) = (l, r)
            && (!(1800..=2199).contains(&y1)
                || self.any(next, CLOCK_WORDS).is_some()
                || !(1800..=2199).contains(&y2)
                || matches!(self.kind(next), Some(Kind::Word { cap: false, .. }))
                    && self.any(next, YEAR_FOLLOWERS).is_none()
                    && self.looks_like_unit(next))
        {
            return None;
        }
        let val = match (ls, rs) {
            (Some(a), Some(b)) if a.first <= b.last => Val::Span(Span {
                first: a.first,
                last: b.last,
                grain: if a.grain == b.grain {
                    a.grain
                } else {
                    Grain::Day
                },
                relative: a.relative || b.relative,
            }),
            (Some(_), Some(_)) => return None,
            _ => Val::Unresolvable,
        };
        hit(next, val)
    }

    /// One side of a range: a date, month or year, a bare day of the month,
    /// or (after "from"/"between") any expression.
    fn range_side(&self, i: usize, any: bool) -> Option<Hit> {
        let mut best: Option<Hit> = None;
        let mut consider = |h: Option<Hit>| {
            if let Some(h) = h
                && best.is_none_or(|b| h.next > b.next)
            {
                best = Some(h);
            }
        };
        consider(self.r_date_md(i));
        consider(self.r_date_dm(i));
        consider(self.r_numeric(i));
        consider(self.r_month_year(i));
        consider(self.r_month(i));
        if let Some((j, y)) = self.year4(i, false) {
            consider(hit(j, Val::Year(y)));
        }
        let j = if self.is(i, "the") { i + 1 } else { i };
        if let Some((k, d, ordinal)) = self.day_num(j) {
            if j == i || ordinal {
                consider(hit(k, Val::DayNum(d)));
            }
        } else if let Some((v, 2)) = self.num(i)
            && self.adj(i)
        {
            // "2010-15"
            consider(hit(i + 1, Val::DayNum(v)));
        }
        if any {
            consider(self.primary(i));
        }
        best
    }
}

fn span(iv: Option<Interval>, grain: Grain, relative: bool) -> Option<Span> {
    let (first, last) = iv?;
    (first <= last).then_some(Span {
        first,
        last,
        grain,
        relative,
    })
}

fn day_val(next: usize, y: Option<i32>, m: u32, d: u32, wd: Option<Weekday>) -> Option<Hit> {
    match y {
        Some(y) => {
            ymd(y, m, d)?;
            hit(
                next,
                Val::Day {
                    y: Some(y),
                    m,
                    d,
                    wd: None,
                },
            )
        }
        None => plausible(m, d).then_some(Hit {
            next,
            val: Val::Day { y: None, m, d, wd },
        }),
    }
}

/// `d` can be a day of month `m` in some year.
fn plausible(m: u32, d: u32) -> bool {
    (1..=12).contains(&m) && ymd(2000, m, d).is_some()
}

/// Two-digit years: 00–49 are this century, 50–99 the last.
fn pivot(v: u32) -> i32 {
    if v < 50 {
        2000 + v as i32
    } else {
        1900 + v as i32
    }
}

fn full_year(v: u32, digits: u8) -> Option<i32> {
    match digits {
        2 => Some(pivot(v)),
        4 if (1000..=2999).contains(&v) => Some(v as i32),
        _ => None,
    }
}

fn season_of(w: &str) -> Option<Season> {
    Some(match w {
        "spring" => Season::Spring,
        "summer" => Season::Summer,
        "autumn" | "fall" => Season::Autumn,
        "winter" => Season::Winter,
        _ => return None,
    })
}

/// Days 1–10, 11–20 and 21–end; beginning and end as early and late.
fn month_part(y: i32, m: u32, part: Part) -> Option<Interval> {
    match part {
        Part::Early | Part::Beginning => days_span(y, m, 1, 10),
        Part::Mid => days_span(y, m, 11, 20),
        Part::Late | Part::End => days_span(y, m, 21, 31),
    }
}

/// January–April, May–August, September–December; the beginning is
/// January–March and the end September–December (Duckling).
fn year_part(y: i32, part: Part) -> Option<Interval> {
    match part {
        Part::Early => months_span(y, 1, 4),
        Part::Beginning => months_span(y, 1, 3),
        Part::Mid => months_span(y, 5, 8),
        Part::Late | Part::End => months_span(y, 9, 12),
    }
}

fn unit_grain(unit: Unit) -> Grain {
    match unit {
        Unit::Day | Unit::Fortnight | Unit::Weekday(_) => Grain::Day,
        Unit::Week => Grain::Week,
        Unit::Month => Grain::Month,
        Unit::Quarter => Grain::Quarter,
        Unit::Year => Grain::Year,
    }
}

/// The whole unit `k` units away from the one holding `a`.
fn unit_span(a: NaiveDate, unit: Unit, k: i64) -> Option<Interval> {
    match unit {
        Unit::Day | Unit::Fortnight | Unit::Weekday(_) => {
            let d = add_days(a, k)?;
            Some((d, d))
        }
        Unit::Week => week_span(a, k),
        Unit::Month => {
            let (y, m) = shift_month(a.year(), a.month(), k)?;
            month_span(y, m)
        }
        Unit::Quarter => {
            let q0 = (a.month() - 1) / 3;
            let (y, m) = shift_month(a.year(), q0 * 3 + 1, k.checked_mul(3)?)?;
            months_span(y, m, m + 2)
        }
        Unit::Year => year_span(a.year().checked_add(i32::try_from(k).ok()?)?),
    }
}
