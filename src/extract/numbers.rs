//! Numbers in text: digits ("1,250", "2.5", ".0012G", "1/5"), words
//! ("twenty-five", "a dozen", "half a billion", "three cr twelve lac fifty-six
//! thousand seven hundred twenty-one"), negatives ("-504", "minus three"),
//! attached suffixes (K, M, G, bn, mln) and scale words (thousand, million,
//! billion, trillion, mln, bln, bn, tn, lakh/lac, crore/cr, dozen).
//!
//! Owns the number grammar shared by [`NumberFinder`] (numbers as such, the
//! `sherpa parse` "number" kind) and the money finder, which asks for the same
//! quantities in money mode: no signs or fractions, and numbers glued to
//! letters kept so that "USD3.14" and "20Rs" can be read.
//!
//! Pure: no I/O, no global state, linear in the text. Never panics on any
//! UTF-8 input; every value it returns is finite.

/// A number found in a text. `start`/`end` are byte offsets into the text
/// given to [`NumberFinder::find`], always on char boundaries.
#[derive(Debug, Clone, PartialEq)]
pub struct NumberMatch {
    pub start: usize,
    pub end: usize,
    pub value: f64,
}

/// Compiled number matchers; build once, share freely (`Send + Sync`).
///
/// The grammar is a hand-written lexer and a small state machine, so there
/// is nothing to compile; the type exists so that callers hold it like the
/// other finders and so that it can grow tables without an API change.
#[derive(Debug)]
pub struct NumberFinder {}

impl NumberFinder {
    pub fn new() -> NumberFinder {
        NumberFinder {}
    }

    /// Every number in `text`, left to right, non-overlapping, longest first.
    ///
    /// Numbers glued to letters ("G7", "A380", "1980s", "3rd") are not
    /// numbers of their own and are left out; all values are finite.
    pub fn find(&self, text: &str) -> Vec<NumberMatch> {
        self.quantities(text, Mode::Numeral)
            .into_iter()
            .filter(|q| !q.glued_left && !q.glued_right)
            .map(|q| NumberMatch {
                start: q.start,
                end: q.end,
                value: q.value,
            })
            .collect()
    }

    /// Every quantity in `text` under the rules of `mode`, left to right,
    /// non-overlapping, with what the money finder needs to know about how
    /// it was written.
    pub(crate) fn quantities(&self, text: &str, mode: Mode) -> Vec<Quantity> {
        let toks = lex(text);
        let mut out = Vec::new();
        let mut i = 0;
        while i < toks.len() {
            match parse_at(text, &toks, i, mode) {
                Some((q, next)) => {
                    out.push(q);
                    i = next;
                }
                None => i += 1,
            }
        }
        out
    }
}

impl Default for NumberFinder {
    fn default() -> Self {
        Self::new()
    }
}

/// Which reading of the text the caller wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Numbers as such: signs ("-504", "minus five"), fractions ("1/5"), the
    /// "G" suffix and "forty-five (45)" restatements are read.
    Numeral,
    /// Numbers inside money amounts: no signs (a hyphen there is a range,
    /// "$10-$20"), no fractions (dates), "b" read as billion ("$5b").
    Money,
}

/// A number with the facts about its writing that money parsing needs.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Quantity {
    pub start: usize,
    pub end: usize,
    pub value: f64,
    /// The value before the trailing scale word ("50" in "50 billion").
    pub base: f64,
    /// The trailing scale (1e9 in "50 billion"; 1.0 when there is none).
    pub scale: f64,
    /// A whole number with no scale and no decimals ("20", "twenty").
    pub whole: bool,
    /// A plain four-digit number that reads as a year (1800..=2100).
    pub year_like: bool,
    /// A letter or digit touches the start ("USD3", "G7").
    pub glued_left: bool,
    /// A letter or digit touches the end ("20Rs", "1980s").
    pub glued_right: bool,
}

/// `x` rounded to 15 significant digits: removes the binary noise of
/// decimal arithmetic ("1.15 billion" is 1150000000, not 1149999999.9999998)
/// while keeping every digit a text can write.
pub(crate) fn round_significant(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    format!("{x:.14e}").parse().unwrap_or(x)
}

// ---------------------------------------------------------------------------
// Lexer

#[derive(Debug, Clone, Copy, PartialEq)]
enum Lex {
    Zero,
    Unit(u8),
    Teen(u8),
    Tens(u8),
    Hundred,
    /// A multiplier word: thousand, million, lakh, crore, dozen, …
    Big(f64),
    A,
    Half,
    Couple,
    Point,
    And,
    Neg,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Digits {
    value: f64,
    /// Only ASCII digits: no thousands separators and no decimal point.
    plain: bool,
    /// Has a decimal point.
    dot: bool,
    /// Number of digits before the decimal point (separators excluded).
    int_len: usize,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Digits(Digits),
    /// A run of letters; `Some` when it is a number word.
    Word(Option<Lex>),
    /// A digit run that is no number: "3.14.15", "10.0.0.1", "1,0000".
    Junk,
    Punct(char),
}

#[derive(Debug, Clone, Copy)]
struct Tok {
    start: usize,
    end: usize,
    /// Whitespace (or the start of the text) precedes the token.
    space_before: bool,
    kind: Kind,
}

fn lex(text: &str) -> Vec<Tok> {
    let bytes = text.as_bytes();
    let mut toks = Vec::new();
    let mut space = true;
    let mut i = 0;
    while i < bytes.len() {
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        if c.is_whitespace() {
            space = true;
            i += c.len_utf8();
            continue;
        }
        // ".77", "$.50"; but in "Rs.500" or "No.5" the dot ends an abbreviation.
        let starts_decimal = c == '.'
            && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)
            && !text[..i]
                .chars()
                .next_back()
                .is_some_and(|p| p.is_alphanumeric() || p == '.');
        let (end, kind) = if c.is_ascii_digit() || starts_decimal {
            lex_digits(text, i)
        } else if c.is_alphabetic() {
            let end = text[i..]
                .char_indices()
                .find(|&(_, ch)| !ch.is_alphabetic())
                .map_or(text.len(), |(k, _)| i + k);
            (end, Kind::Word(classify(&text[i..end])))
        } else {
            (i + c.len_utf8(), Kind::Punct(c))
        };
        toks.push(Tok {
            start: i,
            end,
            space_before: space,
            kind,
        });
        space = false;
        i = end;
    }
    toks
}

/// Reads a digit number starting at `i` (a digit, or a '.' before a digit).
fn lex_digits(text: &str, i: usize) -> (usize, Kind) {
    let b = text.as_bytes();
    let digit = |k: usize| b.get(k).is_some_and(u8::is_ascii_digit);
    let mut j = i;
    while digit(j) {
        j += 1;
    }
    let int_len = j - i;
    let mut separators = false;
    if (1..=3).contains(&int_len) {
        // Thousands separators: "1,250", "3,000,000".
        let mut k = j;
        while b.get(k) == Some(&b',')
            && digit(k + 1)
            && digit(k + 2)
            && digit(k + 3)
            && !digit(k + 4)
        {
            k += 4;
        }
        if k > j {
            separators = true;
            j = k;
        } else if int_len <= 2 {
            // Indian grouping: "10,00,000", "1,25,000".
            let mut k = j;
            while b.get(k) == Some(&b',')
                && digit(k + 1)
                && digit(k + 2)
                && b.get(k + 3) == Some(&b',')
            {
                k += 3;
            }
            if k > j
                && b.get(k) == Some(&b',')
                && digit(k + 1)
                && digit(k + 2)
                && digit(k + 3)
                && !digit(k + 4)
            {
                separators = true;
                j = k + 4;
            }
        }
    }
    let mut dot = false;
    if b.get(j) == Some(&b'.') && digit(j + 1) {
        dot = true;
        j += 1;
        while digit(j) {
            j += 1;
        }
    }
    // A further separator followed by a digit means this is no number we can
    // read (a version, an address, European decimals): swallow the whole run.
    if matches!(b.get(j), Some(b'.' | b',')) && digit(j + 1) {
        while digit(j) || (matches!(b.get(j), Some(b'.' | b',')) && digit(j + 1)) {
            j += 1;
        }
        return (j, Kind::Junk);
    }
    let cleaned: String = text[i..j].chars().filter(|&c| c != ',').collect();
    match cleaned.parse::<f64>() {
        Ok(value) if value.is_finite() => (
            j,
            Kind::Digits(Digits {
                value,
                plain: !separators && !dot,
                dot,
                int_len: cleaned.split('.').next().map_or(0, str::len),
            }),
        ),
        _ => (j, Kind::Junk),
    }
}

/// The number word `word` stands for, if any (case-insensitive, ASCII).
fn classify(word: &str) -> Option<Lex> {
    let mut buf = [0u8; 12];
    let bytes = word.as_bytes();
    if bytes.len() > buf.len() || !word.is_ascii() {
        return None;
    }
    let lower = &mut buf[..bytes.len()];
    lower.copy_from_slice(bytes);
    lower.make_ascii_lowercase();
    let lex = match &*lower {
        b"zero" | b"naught" | b"nought" | b"nil" => Lex::Zero,
        b"one" => Lex::Unit(1),
        b"two" => Lex::Unit(2),
        b"three" => Lex::Unit(3),
        b"four" => Lex::Unit(4),
        b"five" => Lex::Unit(5),
        b"six" => Lex::Unit(6),
        b"seven" => Lex::Unit(7),
        b"eight" => Lex::Unit(8),
        b"nine" => Lex::Unit(9),
        b"ten" => Lex::Teen(10),
        b"eleven" => Lex::Teen(11),
        b"twelve" => Lex::Teen(12),
        b"thirteen" => Lex::Teen(13),
        b"fourteen" => Lex::Teen(14),
        b"fifteen" => Lex::Teen(15),
        b"sixteen" => Lex::Teen(16),
        b"seventeen" => Lex::Teen(17),
        b"eighteen" => Lex::Teen(18),
        b"nineteen" => Lex::Teen(19),
        b"twenty" => Lex::Tens(20),
        b"thirty" => Lex::Tens(30),
        b"forty" => Lex::Tens(40),
        b"fifty" => Lex::Tens(50),
        b"sixty" => Lex::Tens(60),
        b"seventy" => Lex::Tens(70),
        b"eighty" => Lex::Tens(80),
        b"ninety" => Lex::Tens(90),
        b"hundred" | b"hundreds" => Lex::Hundred,
        b"dozen" | b"dozens" => Lex::Big(12.0),
        b"thousand" | b"thousands" => Lex::Big(1e3),
        b"lakh" | b"lakhs" | b"lac" | b"lacs" | b"lkh" | b"lkhs" => Lex::Big(1e5),
        b"million" | b"millions" | b"mln" | b"mn" => Lex::Big(1e6),
        b"crore" | b"crores" | b"cr" | b"crs" | b"krore" | b"krores" | b"koti" => Lex::Big(1e7),
        b"billion" | b"billions" | b"bln" | b"bn" => Lex::Big(1e9),
        b"trillion" | b"trillions" | b"tn" | b"trn" | b"trln" => Lex::Big(1e12),
        b"a" => Lex::A,
        b"half" => Lex::Half,
        b"couple" | b"pair" => Lex::Couple,
        b"point" => Lex::Point,
        b"and" => Lex::And,
        b"minus" | b"negative" => Lex::Neg,
        _ => return None,
    };
    Some(lex)
}

/// The scale of a suffix written right after digits ("3M", "100k", "2bn").
fn suffix_scale(word: &str, mode: Mode) -> Option<f64> {
    match word {
        "k" | "K" => Some(1e3),
        "m" | "M" => Some(1e6),
        // ".0012G" is Duckling's; in money "5G" is more often a network.
        "G" if mode == Mode::Numeral => Some(1e9),
        // "$5b"; as a bare number "5b" is more often a paragraph or a seat.
        "b" | "B" if mode == Mode::Money => Some(1e9),
        _ => match classify(word) {
            Some(Lex::Big(s)) if s != 12.0 => Some(s),
            _ => None,
        },
    }
}

// ---------------------------------------------------------------------------
// Parser

/// What a number core (without sign) parsed to.
struct Core {
    /// Index of the first token after the number.
    next: usize,
    value: f64,
    base: f64,
    scale: f64,
    whole: bool,
    year_like: bool,
}

fn word_at(toks: &[Tok], i: usize) -> Option<Lex> {
    match toks.get(i)?.kind {
        Kind::Word(lex) => lex,
        _ => None,
    }
}

fn is_punct(toks: &[Tok], i: usize, c: char) -> bool {
    toks.get(i).is_some_and(|t| t.kind == Kind::Punct(c))
}

/// The token at `i` exists and is separated from the previous one by space.
fn spaced(toks: &[Tok], i: usize) -> bool {
    toks.get(i).is_some_and(|t| t.space_before)
}

/// Parses one number starting at token `i`; returns it and the next index.
fn parse_at(text: &str, toks: &[Tok], i: usize, mode: Mode) -> Option<(Quantity, usize)> {
    let mut ci = i;
    let mut negative = false;
    if mode == Mode::Numeral {
        let word_sign = word_at(toks, i) == Some(Lex::Neg) && spaced(toks, i + 1);
        if word_sign || (is_punct(toks, i, '-') && minus_sign_ok(toks, i)) {
            negative = true;
            ci = i + 1;
        }
    }
    let core = parse_core(text, toks, ci, mode)?;
    let mut next = core.next;
    if mode == Mode::Numeral && is_punct(toks, next, '(') {
        // "forty-five (45)": a restatement of the same number is one number.
        if let Some(inner) = parse_core(text, toks, next + 1, mode)
            && inner.value == core.value
            && is_punct(toks, inner.next, ')')
        {
            next = inner.next + 1;
        }
    }
    let start = toks[i].start;
    let end = toks[next - 1].end;
    let sign = if negative { -1.0 } else { 1.0 };
    let value = sign * core.value;
    if !value.is_finite() {
        return None;
    }
    let glued = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    Some((
        Quantity {
            start,
            end,
            value,
            base: sign * core.base,
            scale: core.scale,
            whole: core.whole,
            year_like: core.year_like,
            glued_left: glued(text[..start].chars().next_back()),
            glued_right: glued(text[end..].chars().next()),
        },
        next,
    ))
}

/// A '-' is a minus sign when it starts a term ("-504", "(-5)", "- 1,200")
/// and not when it joins two numbers ("10-20", "10 - 20") or a word ("F-16").
fn minus_sign_ok(toks: &[Tok], i: usize) -> bool {
    let after = matches!(toks.get(i + 1).map(|t| t.kind), Some(Kind::Digits(_)));
    let before_ok = match i.checked_sub(1).map(|p| toks[p]) {
        None => true,
        Some(prev) => match prev.kind {
            Kind::Digits(_) | Kind::Junk | Kind::Word(Some(_)) => false,
            Kind::Punct(c) => c != '-' && (toks[i].space_before || c == '(' || c == '['),
            Kind::Word(None) => toks[i].space_before,
        },
    };
    after && before_ok
}

fn parse_core(text: &str, toks: &[Tok], i: usize, mode: Mode) -> Option<Core> {
    match toks.get(i)?.kind {
        Kind::Digits(d) => parse_digits(text, toks, i, d, mode),
        Kind::Word(Some(_)) => parse_words(text, toks, i),
        _ => None,
    }
}

fn parse_digits(text: &str, toks: &[Tok], i: usize, d: Digits, mode: Mode) -> Option<Core> {
    let mut j = i + 1;
    // A number joined to another by a slash is a fraction ("1/5", "20/100")
    // or part of a date or a fiscal year ("3/15/2019", "2019/20"), which is
    // no number at all.
    let slash_before = i >= 2
        && is_punct(toks, i - 1, '/')
        && !toks[i].space_before
        && !toks[i - 1].space_before
        && matches!(toks[i - 2].kind, Kind::Digits(_));
    if slash_before {
        return None;
    }
    if is_punct(toks, j, '/')
        && !toks[j].space_before
        && let Some(Tok {
            kind: Kind::Digits(den),
            space_before: false,
            ..
        }) = toks.get(j + 1)
    {
        let chain = is_punct(toks, j + 2, '/') && !toks[j + 2].space_before;
        let small = d.plain && den.plain && d.int_len <= 3 && den.int_len <= 3;
        if mode == Mode::Numeral && small && den.value != 0.0 && !chain {
            return Some(Core {
                next: j + 2,
                value: d.value / den.value,
                base: d.value / den.value,
                scale: 1.0,
                whole: false,
                year_like: false,
            });
        }
        return None;
    }
    let mut value = d.value;
    let mut had_point = d.dot;
    // "1 point 1": a spoken decimal point between digit groups.
    if d.plain
        && word_at(toks, j) == Some(Lex::Point)
        && spaced(toks, j)
        && spaced(toks, j + 1)
        && let Some(Kind::Digits(frac)) = toks.get(j + 1).map(|t| t.kind)
        && frac.plain
    {
        let joined = format!(
            "{}.{}",
            &text[toks[i].start..toks[i].end],
            &text[toks[j + 1].start..toks[j + 1].end]
        );
        if let Ok(v) = joined.parse::<f64>() {
            value = v;
            had_point = true;
            j += 2;
        }
    }
    let mut scale = 1.0;
    let mut last = 0.0;
    // An attached suffix ("3M", "2bn", "100k") or a hyphenated scale ("2-billion").
    if let Some(t) = toks.get(j)
        && !t.space_before
    {
        if let Kind::Word(_) = t.kind
            && let Some(s) = suffix_scale(&text[t.start..t.end], mode)
            && !matches!(toks.get(j + 1), Some(n) if !n.space_before && !matches!(n.kind, Kind::Punct(_)))
        {
            scale = s;
            last = s;
            j += 1;
        } else if t.kind == Kind::Punct('-')
            && let Some(Lex::Big(s)) = word_at(toks, j + 1)
            && !toks[j + 1].space_before
            && s != 12.0
        {
            scale = s;
            last = s;
            j += 2;
        }
    }
    // Spaced scale words, each larger than the one before ("3 thousand millions").
    while let Some(Lex::Big(s)) = word_at(toks, j) {
        if !toks[j].space_before || s <= last {
            break;
        }
        scale *= s;
        last = s;
        j += 1;
    }
    Some(Core {
        next: j,
        value: if scale == 1.0 {
            value
        } else {
            round_significant(value * scale)
        },
        base: value,
        scale,
        whole: !had_point && scale == 1.0,
        year_like: d.plain
            && d.int_len == 4
            && scale == 1.0
            && !had_point
            && (1800.0..=2100.0).contains(&value),
    })
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Prev {
    Start,
    /// A lone "a" before a multiplier ("a hundred", "a million").
    A,
    Unit,
    Teen,
    Tens,
    Hundred,
    Big,
    /// "and" after a hundred ("five hundred and four").
    AndHundred,
    /// "and" after a multiplier ("seven hundred twenty-one thousand and twelve").
    AndBig,
    /// A fractional part was read ("two point two", "one and a half"); only
    /// a multiplier may follow.
    Frac,
}

#[derive(Debug, Clone, Copy)]
struct WordState {
    j: usize,
    end: usize,
    total: f64,
    cur: f64,
    last_big: f64,
    prev: Prev,
    trailing_big: Option<f64>,
}

/// Parses a number written in words starting at token `i`.
fn parse_words(text: &str, toks: &[Tok], i: usize) -> Option<Core> {
    let mut st = WordState {
        j: i,
        end: i,
        total: 0.0,
        cur: 0.0,
        last_big: f64::INFINITY,
        prev: Prev::Start,
        trailing_big: None,
    };
    // The state before an "and", restored when what follows does not fit
    // ("one hundred and two hundred" is 100, then 200).
    let mut saved: Option<WordState> = None;
    loop {
        let j = st.j;
        let Some(t) = toks.get(j) else { break };
        // A hyphen joins tens and units ("twenty-five"); step over it.
        if t.kind == Kind::Punct('-')
            && !t.space_before
            && st.prev == Prev::Tens
            && st.end == j
            && toks.get(j + 1).is_some_and(|n| {
                !n.space_before && matches!(n.kind, Kind::Word(Some(Lex::Unit(_))))
            })
        {
            st.j += 1;
            continue;
        }
        let Kind::Word(Some(lex)) = t.kind else { break };
        // Words of one number are separated by spaces, or by a hyphen
        // between tens and units ("twenty-five").
        let hyphenated = j > i && !t.space_before;
        if hyphenated {
            let joined_by_hyphen = is_punct(toks, j - 1, '-')
                && !toks[j - 1].space_before
                && st.end == j - 1
                && st.prev == Prev::Tens
                && matches!(lex, Lex::Unit(_));
            if !joined_by_hyphen {
                break;
            }
        }
        let next_lex = if spaced(toks, j + 1) {
            word_at(toks, j + 1)
        } else {
            None
        };
        let mut violation = false;
        match lex {
            Lex::Zero => {
                if st.prev != Prev::Start {
                    break;
                }
                st.prev = Prev::Unit;
            }
            Lex::Unit(u) => match st.prev {
                Prev::Start | Prev::Hundred | Prev::Big | Prev::AndHundred | Prev::AndBig => {
                    st.cur += f64::from(u);
                    st.prev = Prev::Unit;
                }
                Prev::Tens if hyphenated || t.space_before => {
                    st.cur += f64::from(u);
                    st.prev = Prev::Unit;
                }
                _ => break,
            },
            Lex::Teen(n) => match st.prev {
                Prev::Start | Prev::Hundred | Prev::Big | Prev::AndHundred | Prev::AndBig => {
                    st.cur += f64::from(n);
                    st.prev = Prev::Teen;
                }
                _ => break,
            },
            Lex::Tens(n) => match st.prev {
                Prev::Start | Prev::Hundred | Prev::Big | Prev::AndHundred | Prev::AndBig => {
                    st.cur += f64::from(n);
                    st.prev = Prev::Tens;
                }
                // "one twenty two" is 122: a unit before tens stands for
                // hundreds. Not when the tens start a compound adjective
                // ("one twenty-year-old").
                Prev::Unit
                    if (1.0..10.0).contains(&st.cur)
                        && (!is_punct(toks, j + 1, '-')
                            || matches!(word_at(toks, j + 2), Some(Lex::Unit(_)))) =>
                {
                    st.cur = st.cur * 100.0 + f64::from(n);
                    st.prev = Prev::Tens;
                }
                _ => break,
            },
            Lex::Hundred => match st.prev {
                Prev::A => {
                    st.cur *= 100.0;
                    st.prev = Prev::Hundred;
                }
                Prev::Unit | Prev::Teen | Prev::Tens if st.cur >= 1.0 && st.cur < 100.0 => {
                    st.cur *= 100.0;
                    st.prev = Prev::Hundred;
                }
                _ => violation = true,
            },
            Lex::Big(s) => {
                let after_number = matches!(
                    st.prev,
                    Prev::A | Prev::Unit | Prev::Teen | Prev::Tens | Prev::Hundred | Prev::Frac
                );
                if after_number && st.cur > 0.0 && s < st.last_big {
                    st.total += st.cur * s;
                    st.cur = 0.0;
                    st.last_big = s;
                    st.prev = Prev::Big;
                    st.trailing_big = Some(s);
                } else if st.prev == Prev::Big && st.cur == 0.0 && st.total > 0.0 && s > st.last_big
                {
                    // "three thousand millions": a larger multiplier scales
                    // everything read so far.
                    st.total *= s;
                    st.last_big = f64::INFINITY;
                    st.trailing_big = st.trailing_big.map(|b| b * s);
                } else {
                    violation = true;
                }
            }
            Lex::A => {
                if st.prev != Prev::Start {
                    break;
                }
                match next_lex {
                    Some(Lex::Hundred | Lex::Big(_)) => {
                        st.cur = 1.0;
                        st.prev = Prev::A;
                    }
                    Some(Lex::Couple) => {
                        // "a couple", "a pair": exactly two.
                        st.cur = 2.0;
                        st.prev = Prev::Unit;
                        st.j = j + 2;
                        st.end = j + 2;
                        st.trailing_big = None;
                        continue;
                    }
                    _ => break,
                }
            }
            Lex::Half => {
                // "half a billion", "half a dozen".
                let big = if spaced(toks, j + 2) {
                    word_at(toks, j + 2)
                } else {
                    None
                };
                if st.prev == Prev::Start
                    && next_lex == Some(Lex::A)
                    && matches!(big, Some(Lex::Big(_)))
                {
                    st.cur = 0.5;
                    st.prev = Prev::Frac;
                    st.j += 2;
                    st.end = st.j;
                    continue;
                }
                break;
            }
            Lex::And => {
                let continues =
                    matches!(next_lex, Some(Lex::Unit(_) | Lex::Teen(_) | Lex::Tens(_)));
                let a_half = next_lex == Some(Lex::A)
                    && spaced(toks, j + 2)
                    && word_at(toks, j + 2) == Some(Lex::Half);
                if matches!(st.prev, Prev::Hundred | Prev::Big) && continues {
                    saved = Some(st);
                    st.prev = if st.prev == Prev::Hundred {
                        Prev::AndHundred
                    } else {
                        Prev::AndBig
                    };
                    st.j += 1;
                    continue;
                } else if matches!(st.prev, Prev::Unit | Prev::Teen | Prev::Tens) && a_half {
                    // "one and a half million".
                    st.cur += 0.5;
                    st.prev = Prev::Frac;
                    st.j += 3;
                    st.end = st.j;
                    continue;
                }
                break;
            }
            Lex::Point => {
                if !matches!(st.prev, Prev::Start | Prev::Unit | Prev::Teen | Prev::Tens)
                    || st.total != 0.0
                {
                    break;
                }
                match fraction_after_point(text, toks, j) {
                    Some((frac, next)) => {
                        st.cur += frac;
                        st.prev = Prev::Frac;
                        st.j = next;
                        st.end = next;
                        st.trailing_big = None;
                        continue;
                    }
                    None => break,
                }
            }
            Lex::Couple | Lex::Neg => break,
        }
        if violation {
            if let Some(s) = saved.take() {
                st = s;
            }
            break;
        }
        if !matches!(lex, Lex::Big(_)) {
            st.trailing_big = None;
        }
        st.j += 1;
        st.end = st.j;
    }
    if st.end == i || matches!(st.prev, Prev::A | Prev::Start) {
        return None;
    }
    let value = round_significant(st.total + st.cur);
    let (base, scale) = match st.trailing_big {
        Some(s) if s > 0.0 => (value / s, s),
        _ => (value, 1.0),
    };
    Some(Core {
        next: st.end,
        value,
        base,
        scale,
        whole: value.fract() == 0.0 && scale == 1.0,
        year_like: false,
    })
}

/// The fractional part after "point" at token `j`: digits ("point 77") or
/// digit words ("point seven seven").
fn fraction_after_point(text: &str, toks: &[Tok], j: usize) -> Option<(f64, usize)> {
    if !spaced(toks, j + 1) {
        return None;
    }
    if let Some(Kind::Digits(d)) = toks.get(j + 1).map(|t| t.kind) {
        if !d.plain {
            return None;
        }
        let digits = &text[toks[j + 1].start..toks[j + 1].end];
        return format!("0.{digits}").parse().ok().map(|f| (f, j + 2));
    }
    let mut digits = String::new();
    let mut k = j + 1;
    while spaced(toks, k) {
        match word_at(toks, k) {
            Some(Lex::Zero) => digits.push('0'),
            Some(Lex::Unit(u)) => digits.push(char::from(b'0' + u)),
            _ => break,
        }
        k += 1;
    }
    if digits.is_empty() {
        return None;
    }
    format!("0.{digits}").parse().ok().map(|f| (f, k))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs the finder and renders each match as `text=value`.
    fn check(input: &str, expected: &[&str]) {
        let got: Vec<String> = NumberFinder::new()
            .find(input)
            .iter()
            .map(|m| format!("{}={}", &input[m.start..m.end], m.value))
            .collect();
        assert_eq!(got, expected, "input: {input:?}");
    }

    #[test]
    fn digits_with_separators_and_decimals() {
        check("1,250 and 2.5", &["1,250=1250", "2.5=2.5"]);
        check("100,000.0", &["100,000.0=100000"]);
        check("3,000,000", &["3,000,000=3000000"]);
        check("10,00,000", &["10,00,000=1000000"]);
        check(".77", &[".77=0.77"]);
        check("01.10", &["01.10=1.1"]);
        check("0033", &["0033=33"]);
    }

    #[test]
    fn suffixes_and_scale_words() {
        check("100K", &["100K=100000"]);
        check("1.2M", &["1.2M=1200000"]);
        check(".0012G", &[".0012G=1200000"]);
        check("300 mln", &["300 mln=300000000"]);
        check("2bn", &["2bn=2000000000"]);
        check("1.5 billion", &["1.5 billion=1500000000"]);
        check("1.15 billion", &["1.15 billion=1150000000"]);
        check("2.286 billion", &["2.286 billion=2286000000"]);
        check("1 trillion", &["1 trillion=1000000000000"]);
        check("30 lakh", &["30 lakh=3000000"]);
        check("10,000 crore", &["10,000 crore=100000000000"]);
        check("a $2-billion loan", &["2-billion=2000000000"]);
        check("3 thousand millions", &["3 thousand millions=3000000000"]);
    }

    #[test]
    fn number_words() {
        check("twenty-five", &["twenty-five=25"]);
        check("a hundred", &["a hundred=100"]);
        check("a dozen eggs", &["a dozen=12"]);
        check("a couple", &["a couple=2"]);
        check("half a billion", &["half a billion=500000000"]);
        check(
            "one and a half million",
            &["one and a half million=1500000"],
        );
        check("two point two million", &["two point two million=2200000"]);
        check("point 77", &["point 77=0.77"]);
        check(
            "three cr twelve lac fifty-six thousand seven hundred twenty-one",
            &["three cr twelve lac fifty-six thousand seven hundred twenty-one=31256721"],
        );
        check(
            "seven hundred twenty-one thousand and twelve",
            &["seven hundred twenty-one thousand and twelve=721012"],
        );
        check("ONE TwentY tWO", &["ONE TwentY tWO=122"]);
        check("two hundred dozens", &["two hundred dozens=2400"]);
        check(
            "three thousand millions",
            &["three thousand millions=3000000000"],
        );
    }

    #[test]
    fn and_joins_only_what_fits() {
        check("between ten and twenty", &["ten=10", "twenty=20"]);
        check(
            "one hundred and two hundred",
            &["one hundred=100", "two hundred=200"],
        );
        check("five hundred and four", &["five hundred and four=504"]);
    }

    #[test]
    fn negatives_and_ranges() {
        check("-504", &["-504=-504"]);
        check("- 1,200,000", &["- 1,200,000=-1200000"]);
        check(
            "minus three million two hundred thousand",
            &["minus three million two hundred thousand=-3200000"],
        );
        check("-.0012G", &["-.0012G=-1200000"]);
        check("10-20", &["10=10", "20=20"]);
        check("10 - 20", &["10=10", "20=20"]);
    }

    #[test]
    fn fractions_and_restatements() {
        check("1/5", &["1/5=0.2"]);
        check("3/15/2019", &[]);
        check("forty-five (45)", &["forty-five (45)=45"]);
        check("45 (forty five)", &["45 (forty five)=45"]);
    }

    #[test]
    fn glued_and_malformed_are_not_numbers() {
        check("G7 and A380 in the 1980s, 3rd", &[]);
        check("version 3.14.15 at 10.0.0.1", &[]);
        check("hundreds of millions", &[]);
        check("a few", &[]);
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn spans_are_ordered_on_char_boundaries(
                text in r"(?:[0-9]{1,4}|[.,/()-]| |\u{a0}|é|😀|a|and|point|minus|half|hundred|thousand|million|bn|k|M|G|twenty|one|five|dozen|lakh|crore)*"
            ) {
                for mode in [Mode::Numeral, Mode::Money] {
                    let mut last = 0;
                    for q in NumberFinder::new().quantities(&text, mode) {
                        prop_assert!(q.start >= last && q.start < q.end && q.end <= text.len());
                        prop_assert!(text.is_char_boundary(q.start) && text.is_char_boundary(q.end));
                        prop_assert!(q.value.is_finite());
                        last = q.end;
                    }
                }
            }

            #[test]
            fn never_panics_on_any_string(text in any::<String>()) {
                for m in NumberFinder::new().find(&text) {
                    prop_assert!(text.is_char_boundary(m.start) && text.is_char_boundary(m.end));
                }
            }
        }
    }

    #[test]
    fn years_are_plain_numbers_here() {
        // The money finder, not this one, decides that a year is no amount.
        check("in 2019", &["2019=2019"]);
    }
}
