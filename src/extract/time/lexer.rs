//! Tokens for the time grammar: words, digit runs, ordinals ("15th") and
//! single punctuation characters, each with its byte range in the text.
//!
//! The lexer only splits and classifies; it knows no dates. Words are looked
//! up (ASCII-lowercased) in the fixed vocabulary below, so the grammar compares
//! `&'static str`s and never allocates per token.

use std::collections::HashSet;

/// Every word the grammar reacts to. Anything else is an unknown word, which
/// still matters for guards ("2000 tonnes", "Pay ABC 2000").
#[rustfmt::skip]
pub(super) const VOCABULARY: &[&str] = &[
    // months and their abbreviations
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec",
    // weekdays, abbreviations, plurals
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "mon", "tue",
    "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun", "mondays", "tuesdays", "wednesdays",
    "thursdays", "fridays", "saturdays", "sundays",
    // cardinal number words
    "a", "an", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty", "thirty", "couple", "few",
    // ordinal words and suffixes
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
    "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
    "eighteenth", "nineteenth", "twentieth", "thirtieth", "st", "nd", "rd", "th",
    // units
    "day", "days", "week", "weeks", "weekend", "weekends", "wkend", "end", "month", "months",
    "year", "years", "yr", "yrs", "quarter", "quarters", "qtr", "qtrs", "q", "fortnight",
    "fortnights", "half", "season", "seasons", "spring", "summer", "autumn", "fall", "winter", "s",
    // relative words
    "today", "tomorrow", "tomorrows", "yesterday", "tonight", "now", "this", "current", "next",
    "last", "past", "previous", "coming", "upcoming", "following", "earlier", "later", "ago",
    "back", "hence", "rest", "early", "mid", "middle", "late", "beginning", "start", "eom", "bom",
    "eoy", "boy", "ad", "bc", "d", "b", "c",
    // function words the grammar and its guards look at
    "the", "of", "in", "on", "at", "by", "during", "since", "until", "till", "til", "to", "through",
    "thru", "from", "between", "and", "or", "but", "within", "before", "after", "for", "as", "when",
    "while", "with", "was", "were", "is", "are", "will", "would", "had", "has", "have", "be",
    "been", "that", "which", "saw", "around", "about", "percent", "per", "cent", "am", "pm", "gmt",
    "utc", "hrs", "hours", "local", "est", "edt", "cst", "cdt", "mst", "mdt", "pst", "pdt", "bst",
    "cet", "jst", "fiscal", "elections", "election", "summit", "summits", "talks", "visit",
    "meeting", "also", "it", "he", "she", "they", "we", "there",
];

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// A run of letters: `w` is the vocabulary entry when it is one.
    Word {
        w: Option<&'static str>,
        /// First letter upper case ("May" rather than "may").
        cap: bool,
        /// Two or more letters, all upper case ("ABC").
        caps: bool,
    },
    /// A run of ASCII digits; `v` saturates, `digits` is the run's length.
    Num { v: u32, digits: u8 },
    /// A number with an ordinal suffix ("15th", "1st").
    Ord(u32),
    /// Any other non-space character.
    Punct(char),
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Tok {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
}

/// Longer words are never in the vocabulary; skipping them saves the lookup.
const LONGEST_WORD: usize = 12;

/// Splits `text` into `out` (cleared first). Letter and digit runs split
/// from each other ("14april", "Feb13", "18q4"); a digit run directly
/// followed by st/nd/rd/th becomes one ordinal token.
pub(super) fn tokenize(text: &str, vocabulary: &HashSet<&'static str>, out: &mut Vec<Tok>) {
    out.clear();
    let mut lower = String::with_capacity(LONGEST_WORD);
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        if c.is_ascii_digit() {
            let mut end = start + 1;
            let mut v: u32 = c as u32 - '0' as u32;
            let mut digits: u8 = 1;
            while let Some(&(i, d)) = chars.peek() {
                if !d.is_ascii_digit() {
                    break;
                }
                v = v.saturating_mul(10).saturating_add(d as u32 - '0' as u32);
                digits = digits.saturating_add(1);
                end = i + 1;
                chars.next();
            }
            out.push(Tok {
                start,
                end,
                kind: Kind::Num { v, digits },
            });
        } else if c.is_alphabetic() {
            let mut end = start + c.len_utf8();
            let mut ascii = c.is_ascii();
            let mut all_upper = c.is_uppercase();
            let mut len = 1usize;
            while let Some(&(i, d)) = chars.peek() {
                if !d.is_alphabetic() {
                    break;
                }
                ascii &= d.is_ascii();
                all_upper &= d.is_uppercase();
                len += 1;
                end = i + d.len_utf8();
                chars.next();
            }
            let word = &text[start..end];
            let w = if ascii && len <= LONGEST_WORD {
                lower.clear();
                lower.extend(word.chars().map(|ch| ch.to_ascii_lowercase()));
                vocabulary.get(lower.as_str()).copied()
            } else {
                None
            };
            // "15th": fold the suffix into the number before it.
            if let (Some("st" | "nd" | "rd" | "th"), Some(prev)) = (w, out.last_mut())
                && prev.end == start
                && let Kind::Num { v, digits } = prev.kind
                && digits <= 2
            {
                prev.kind = Kind::Ord(v);
                prev.end = end;
                continue;
            }
            out.push(Tok {
                start,
                end,
                kind: Kind::Word {
                    w,
                    cap: c.is_uppercase(),
                    caps: all_upper && len >= 2,
                },
            });
        } else {
            out.push(Tok {
                start,
                end: start + c.len_utf8(),
                kind: Kind::Punct(c),
            });
        }
    }
}

pub(super) fn vocabulary() -> HashSet<&'static str> {
    VOCABULARY.iter().copied().collect()
}

/// Month number of a month name or abbreviation.
pub(super) fn month_of(w: &str) -> Option<u32> {
    Some(match w {
        "january" | "jan" => 1,
        "february" | "feb" => 2,
        "march" | "mar" => 3,
        "april" | "apr" => 4,
        "may" => 5,
        "june" | "jun" => 6,
        "july" | "jul" => 7,
        "august" | "aug" => 8,
        "september" | "sep" | "sept" => 9,
        "october" | "oct" => 10,
        "november" | "nov" => 11,
        "december" | "dec" => 12,
        _ => return None,
    })
}

/// True for the full month names (abbreviations need a day or year beside
/// them to count: "Jan" and "Mar" are also a name and a verb).
pub(super) fn is_full_month(w: &str) -> bool {
    w.len() > 3 && w != "sept" || w == "may"
}

/// The weekday of a full weekday name; `abbr` also allows "Thu", "Fri.".
pub(super) fn weekday_of(w: &str, abbr: bool) -> Option<chrono::Weekday> {
    use chrono::Weekday::*;
    let full = match w {
        "monday" => Some(Mon),
        "tuesday" => Some(Tue),
        "wednesday" => Some(Wed),
        "thursday" => Some(Thu),
        "friday" => Some(Fri),
        "saturday" => Some(Sat),
        "sunday" => Some(Sun),
        _ => None,
    };
    if full.is_some() || !abbr {
        return full;
    }
    match w {
        "mon" => Some(Mon),
        "tue" | "tues" => Some(Tue),
        "wed" => Some(Wed),
        "thu" | "thur" | "thurs" => Some(Thu),
        "fri" => Some(Fri),
        "sat" => Some(Sat),
        "sun" => Some(Sun),
        _ => None,
    }
}

/// The weekday of a plural weekday ("3 fridays from now").
pub(super) fn weekday_plural(w: &str) -> Option<chrono::Weekday> {
    w.strip_suffix('s').and_then(|s| weekday_of(s, false))
}

/// Value of a cardinal number word ("a" and "an" count as one).
pub(super) fn cardinal_of(w: &str) -> Option<u32> {
    Some(match w {
        "a" | "an" | "one" => 1,
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "eleven" => 11,
        "twelve" => 12,
        "thirteen" => 13,
        "fourteen" => 14,
        "fifteen" => 15,
        "sixteen" => 16,
        "seventeen" => 17,
        "eighteen" => 18,
        "nineteen" => 19,
        "twenty" => 20,
        "thirty" => 30,
        _ => return None,
    })
}

/// Value of an ordinal word ("third" → 3).
pub(super) fn ordinal_of(w: &str) -> Option<u32> {
    Some(match w {
        "first" => 1,
        "second" => 2,
        "third" => 3,
        "fourth" => 4,
        "fifth" => 5,
        "sixth" => 6,
        "seventh" => 7,
        "eighth" => 8,
        "ninth" => 9,
        "tenth" => 10,
        "eleventh" => 11,
        "twelfth" => 12,
        "thirteenth" => 13,
        "fourteenth" => 14,
        "fifteenth" => 15,
        "sixteenth" => 16,
        "seventeenth" => 17,
        "eighteenth" => 18,
        "nineteenth" => 19,
        "twentieth" => 20,
        "thirtieth" => 30,
        _ => return None,
    })
}
