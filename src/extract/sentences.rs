//! Sentence splitting over normalized text, robust to abbreviations ("U.S.",
//! "Mr.", "Jan. 5"), initials ("John F. Kennedy"), decimals ("$1.5 billion"),
//! quotes and bullet lists.
//!
//! Owns: the boundary rules and the abbreviation lexicon
//! (`data/abbreviations.txt`, embedded at compile time and parsed once per
//! [`SentenceSplitter`]).
//!
//! Must not: do I/O, keep global state, or change the text: sentences are
//! byte ranges into the caller's string, so evidence offsets stay valid.
//!
//! Rules, in short:
//! - a blank line always ends a sentence;
//! - a line starting with a bullet ("• ", "- ", "* ", "· ", "– ") or a list
//!   number ("1. ", "2) ") starts one;
//! - a single line break is a space, except after a headline-like line (short,
//!   title case or all caps, no final punctuation) that starts a sentence;
//! - ".", "!", "?" (runs of them, and "…") followed by optional closing quotes
//!   or brackets and whitespace end a sentence unless the next word starts
//!   lower-case; after a period the word before it is checked against the
//!   lexicon: a `[prefix]` abbreviation never ends a sentence, a `[final]`
//!   one or a single capital initial ends it only before a `[starters]` word.

use std::collections::HashSet;

/// One sentence: byte offsets into the text given to [`split`], on char
/// boundaries, trimmed of surrounding whitespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sentence {
    pub start: usize,
    pub end: usize,
}

/// The embedded lexicon; see the file's header for its format.
const ABBREVIATIONS: &str = include_str!("../../data/abbreviations.txt");

/// Splits `text` into sentences with the default lexicon. Convenience for
/// one-off calls: it parses the lexicon each time, so callers that split many
/// texts should build one [`SentenceSplitter`] and keep it.
pub fn split(text: &str) -> Vec<Sentence> {
    SentenceSplitter::new().split(text)
}

/// The compiled sentence splitter: the lexicon, parsed once. Immutable, so
/// one value can be shared by every worker thread.
#[derive(Debug, Clone)]
pub struct SentenceSplitter {
    lexicon: Lexicon,
}

impl Default for SentenceSplitter {
    fn default() -> Self {
        Self::new()
    }
}

impl SentenceSplitter {
    /// Builds a splitter from the embedded `data/abbreviations.txt`.
    pub fn new() -> Self {
        // The embedded file is checked by a unit test, so the problems list
        // is known to be empty here; a bad line would only lose its entry.
        let (lexicon, _problems) = Lexicon::parse(ABBREVIATIONS);
        SentenceSplitter { lexicon }
    }

    /// Splits `text` into sentences: in order, non-overlapping, trimmed,
    /// every one non-empty, with only whitespace between them, and covering
    /// every non-whitespace character of `text`. Offsets are bytes on char
    /// boundaries. Linear in `text.len()`.
    pub fn split(&self, text: &str) -> Vec<Sentence> {
        let mut sentences = Vec::new();
        for (start, end) in paragraphs(text) {
            let mut paragraph = Paragraph {
                text,
                end,
                segment_start: start,
                out: &mut sentences,
            };
            paragraph.split(&self.lexicon, start);
        }
        sentences
    }
}

// ---------------------------------------------------------------------------
// The lexicon.
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Default)]
struct Lexicon {
    /// Never end a sentence ("Mr.", "Jan.", "No.").
    prefix: HashSet<String>,
    /// May end a sentence, but only before a starter ("U.S.", "Inc.").
    final_: HashSet<String>,
    /// Capitalised words that commonly open a sentence.
    starters: HashSet<String>,
}

impl Lexicon {
    /// Parses the data file. Returns the lexicon and a description of every
    /// line that was ignored (an entry outside a known section).
    fn parse(data: &str) -> (Lexicon, Vec<String>) {
        let mut lexicon = Lexicon::default();
        let mut problems = Vec::new();
        let mut section: Option<&str> = None;
        for (number, line) in data.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = Some(name.trim());
                continue;
            }
            let set = match section {
                Some("prefix") => &mut lexicon.prefix,
                Some("final") => &mut lexicon.final_,
                Some("starters") => &mut lexicon.starters,
                other => {
                    problems.push(format!(
                        "line {}: {line:?} is in unknown section {other:?}",
                        number + 1
                    ));
                    continue;
                }
            };
            // Wire headlines are in capitals ("MR. ABE TO VISIT"), so every
            // entry also matches in upper case; a lower-case "no." at the end
            // of a sentence stays an ordinary word.
            set.insert(line.to_uppercase());
            set.insert(line.to_string());
        }
        (lexicon, problems)
    }
}

/// What the word before a period says about that period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WordKind {
    /// An abbreviation that never ends a sentence.
    Prefix,
    /// An abbreviation or initial that ends a sentence only before a starter.
    Final,
    /// A list number at the start of a line ("1. First item").
    ListNumber,
    /// An ordinary word: the period ends the sentence.
    Ordinary,
}

impl Lexicon {
    fn classify(&self, word: &str, at_line_start: bool) -> WordKind {
        if self.prefix.contains(word) {
            return WordKind::Prefix;
        }
        if self.final_.contains(word) || is_initials(word) {
            return WordKind::Final;
        }
        if at_line_start && is_list_number(word) {
            return WordKind::ListNumber;
        }
        WordKind::Ordinary
    }

    fn is_starter(&self, word: &str) -> bool {
        self.starters.contains(word)
    }
}

/// "F." or "N.Z." style: single letters each followed by a period, the first
/// one upper-case. One lower-case letter ("a.") is an ordinary word.
fn is_initials(word: &str) -> bool {
    let mut chars = word.chars();
    let mut count = 0;
    loop {
        match (chars.next(), chars.next()) {
            (None, _) => return count > 0,
            (Some(letter), Some('.')) if letter.is_alphabetic() => {
                if count == 0 && !letter.is_uppercase() {
                    return false;
                }
                count += 1;
            }
            _ => return false,
        }
    }
}

/// "1." to "999.": a list number when it opens a line.
fn is_list_number(word: &str) -> bool {
    word.strip_suffix('.').is_some_and(|digits| {
        (1..=3).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
    })
}

// ---------------------------------------------------------------------------
// Character classes.
// ---------------------------------------------------------------------------

fn is_terminal(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '…')
}

/// Quotes and brackets that may close a sentence after its punctuation.
fn is_closing(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '\u{201D}' | '\u{2019}' | ')' | ']' | '}' | '»' | '›'
    )
}

/// Quotes and brackets that may open a sentence or a word.
fn is_opening(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '\u{201C}' | '\u{2018}' | '(' | '[' | '{' | '«' | '‹'
    )
}

fn is_bullet(c: char) -> bool {
    matches!(c, '•' | '-' | '*' | '·' | '–' | '—' | '▪' | '◦' | '‣')
}

/// Whether a line starts with a bullet or a list number followed by
/// whitespace (leading whitespace allowed).
fn starts_with_list_marker(line: &str) -> bool {
    let line = line.trim_start();
    let mut chars = line.chars();
    match chars.next() {
        Some(c) if is_bullet(c) => chars.next().is_some_and(char::is_whitespace),
        Some(c) if c.is_ascii_digit() => {
            let digits = line.bytes().take_while(u8::is_ascii_digit).count();
            let mut rest = line[digits..].chars();
            digits <= 3
                && matches!(rest.next(), Some('.' | ')'))
                && rest.next().is_some_and(char::is_whitespace)
        }
        _ => false,
    }
}

/// Lower-case words allowed in a title-case headline.
const HEADLINE_SMALL_WORDS: &[&str] = &[
    "a", "an", "the", "and", "or", "but", "nor", "of", "in", "on", "at", "to", "for", "with", "by",
    "from", "as", "vs", "via", "into", "over", "after", "about", "amid", "against", "up", "off",
];

/// A short title-case or all-caps line without final punctuation: a headline,
/// a dateline or a byline standing on a line of its own.
fn looks_like_headline(line: &str) -> bool {
    const MAX_WORDS: usize = 12;
    let line = line.trim();
    let Some(first) = line.chars().next() else {
        return false;
    };
    if !first.is_uppercase() {
        return false;
    }
    let last = line.trim_end_matches(is_closing).chars().next_back();
    if last.is_some_and(|c| is_terminal(c) || matches!(c, ',' | ';' | ':' | '-' | '–' | '—')) {
        return false;
    }
    let mut words = 0;
    for word in line.split_whitespace() {
        words += 1;
        if words > MAX_WORDS {
            return false;
        }
        let word = word.trim_start_matches(is_opening);
        let Some(initial) = word.chars().next() else {
            continue;
        };
        if initial.is_lowercase() && !HEADLINE_SMALL_WORDS.contains(&word) {
            return false;
        }
    }
    true
}

// ---------------------------------------------------------------------------
// Splitting.
// ---------------------------------------------------------------------------

/// Paragraphs: maximal runs of lines that are not blank, as byte ranges from
/// the first line's start to the last line's end (without its newline).
fn paragraphs(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut current: Option<(usize, usize)> = None;
    let mut line_start = 0;
    for line in text.split('\n') {
        let line_end = line_start + line.len();
        if line.trim().is_empty() {
            if let Some(paragraph) = current.take() {
                out.push(paragraph);
            }
        } else {
            current = Some((current.map_or(line_start, |(start, _)| start), line_end));
        }
        line_start = line_end + 1;
    }
    out.extend(current);
    out
}

/// The state of splitting one paragraph.
struct Paragraph<'t, 'o> {
    text: &'t str,
    /// End of the paragraph (exclusive).
    end: usize,
    /// Where the sentence being built starts (untrimmed).
    segment_start: usize,
    out: &'o mut Vec<Sentence>,
}

impl Paragraph<'_, '_> {
    fn char_at(&self, i: usize) -> Option<char> {
        if i >= self.end {
            return None;
        }
        self.text[i..].chars().next()
    }

    /// Ends the current sentence at `at` (trimming it) and starts the next.
    fn cut(&mut self, at: usize) {
        if at <= self.segment_start {
            return;
        }
        push_trimmed(self.text, self.segment_start, at, self.out);
        self.segment_start = at;
    }

    fn split(&mut self, lexicon: &Lexicon, start: usize) {
        let mut i = start;
        let mut line_start = start;
        let bytes = self.text.as_bytes();
        loop {
            // Skip to the next byte that can matter: a newline, terminal
            // punctuation, or 0xE2, which leads both '•' and '…' (and is
            // never a continuation byte). Every char skipped would only have
            // moved `i` on.
            i += bytes[i.min(self.end)..self.end]
                .iter()
                .position(|b| matches!(b, b'\n' | b'.' | b'!' | b'?' | 0xE2))
                .unwrap_or(self.end.saturating_sub(i));
            let Some(c) = self.char_at(i) else {
                break;
            };
            let next = i + c.len_utf8();
            match c {
                '\n' => {
                    let line = &self.text[line_start..i];
                    // Only a line that opens its sentence can be a headline.
                    let starts_sentence = self.segment_start <= line_start
                        && self.text[self.segment_start..line_start].trim().is_empty();
                    let next_line = &self.text[next..self.end];
                    let next_opens = next_line
                        .trim_start()
                        .chars()
                        .next()
                        .is_some_and(|c| !c.is_lowercase());
                    if starts_with_list_marker(next_line)
                        || (starts_sentence && next_opens && looks_like_headline(line))
                    {
                        self.cut(i);
                    }
                    line_start = next;
                    i = next;
                }
                // A bullet inside a line ("… • next item") also starts an
                // item; "•" has no other use in running text.
                '•' if i > line_start
                    && self.text[..i].ends_with(char::is_whitespace)
                    && self.char_at(next).is_some_and(char::is_whitespace) =>
                {
                    self.cut(i);
                    i = next;
                }
                c if is_terminal(c) => {
                    i = self.terminal(lexicon, i, line_start);
                }
                _ => i = next,
            }
        }
        self.cut(self.end);
    }

    /// Handles a run of terminal punctuation starting at `at`; returns where
    /// scanning continues.
    fn terminal(&mut self, lexicon: &Lexicon, at: usize, line_start: usize) -> usize {
        let mut run_end = at;
        while let Some(c) = self.char_at(run_end).filter(|&c| is_terminal(c)) {
            run_end += c.len_utf8();
        }
        let mut close_end = run_end;
        while let Some(c) = self.char_at(close_end).filter(|&c| is_closing(c)) {
            close_end += c.len_utf8();
        }
        match self.char_at(close_end) {
            // End of paragraph: the paragraph ends the sentence anyway.
            None => return close_end,
            Some(c) if c.is_whitespace() => {}
            // "U.S.-Japan", "3.5", "example.com": inside a word.
            Some(_) => return run_end,
        }
        if self.ends_sentence(lexicon, at, run_end, close_end, line_start) {
            self.cut(close_end);
        }
        close_end
    }

    fn ends_sentence(
        &self,
        lexicon: &Lexicon,
        at: usize,
        run_end: usize,
        close_end: usize,
        line_start: usize,
    ) -> bool {
        let (first, next_word) = next_word(&self.text[close_end..self.end]);
        let Some(first) = first else {
            return false;
        };
        // "the U.S. and Japan", "he asked? no": a lower-case continuation is
        // never a new sentence.
        if first.is_lowercase() {
            return false;
        }
        let run = &self.text[at..run_end];
        if run != "." {
            // "!", "?", "?!", "...", "…": the capital after it decides.
            return true;
        }
        let (word, at_line_start) = word_before(self.text, line_start, run_end);
        let kind = match lexicon.classify(word, at_line_start) {
            // "pro-U.S. groups": judge the part after the last hyphen.
            WordKind::Ordinary => match word.rfind(['-', '/', '–', '—']) {
                Some(cut) => lexicon.classify(&word[cut + 1..], false),
                None => WordKind::Ordinary,
            },
            kind => kind,
        };
        match kind {
            WordKind::Prefix | WordKind::ListNumber => false,
            WordKind::Final => lexicon.is_starter(next_word),
            WordKind::Ordinary => true,
        }
    }
}

/// The token ending at `end` (which is just after a period), back to the
/// previous whitespace or `line_start`, without leading quotes or brackets;
/// and whether only whitespace or a bullet stands between it and the line
/// start. Looks back at most a few dozen characters: no abbreviation is
/// longer, and it keeps the scan linear.
fn word_before(text: &str, line_start: usize, end: usize) -> (&str, bool) {
    const MAX_CHARS: usize = 24;
    let mut start = end;
    for (count, (i, c)) in text[line_start..end].char_indices().rev().enumerate() {
        if c.is_whitespace() {
            break;
        }
        if count >= MAX_CHARS {
            // Too long to be an abbreviation: an empty word is ordinary.
            return ("", false);
        }
        start = line_start + i;
    }
    let before = text[line_start..start].trim();
    let mut before_chars = before.chars();
    let at_line_start = before.is_empty()
        || (before_chars.next().is_some_and(is_bullet) && before_chars.next().is_none());
    (
        text[start..end].trim_start_matches(is_opening),
        at_line_start,
    )
}

/// The first character after whitespace and opening quotes or brackets, and
/// the run of letters starting there (at most a few dozen bytes).
fn next_word(rest: &str) -> (Option<char>, &str) {
    let rest = rest.trim_start().trim_start_matches(is_opening);
    let first = rest.chars().next();
    let len = rest
        .char_indices()
        .take(32)
        .find(|&(_, c)| !c.is_alphabetic())
        .map_or_else(
            || rest.chars().take(32).map(char::len_utf8).sum(),
            |(i, _)| i,
        );
    (first, &rest[..len])
}

fn push_trimmed(text: &str, start: usize, end: usize, out: &mut Vec<Sentence>) {
    let slice = &text[start..end];
    let trimmed_start = start + (slice.len() - slice.trim_start().len());
    let trimmed_end = start + slice.trim_end().len();
    if trimmed_start < trimmed_end {
        out.push(Sentence {
            start: trimmed_start,
            end: trimmed_end,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[track_caller]
    fn check(input: &str, expected: &[&str]) {
        let actual: Vec<&str> = SentenceSplitter::new()
            .split(input)
            .iter()
            .map(|s| &input[s.start..s.end])
            .collect();
        assert_eq!(actual, expected, "input: {input:?}");
    }

    #[test]
    fn embedded_lexicon_parses_cleanly() {
        let (lexicon, problems) = Lexicon::parse(ABBREVIATIONS);
        assert!(problems.is_empty(), "{problems:?}");
        assert!(lexicon.prefix.contains("Mr."));
        assert!(lexicon.prefix.contains("MR."));
        assert!(lexicon.final_.contains("U.S."));
        assert!(lexicon.starters.contains("The"));
        assert!(lexicon.prefix.is_disjoint(&lexicon.final_));
    }

    #[test]
    fn lexicon_reports_entries_outside_sections() {
        let (lexicon, problems) = Lexicon::parse("Mr.\n[prefix]\nDr. # a title\n[other]\nX.\n");
        assert_eq!(problems.len(), 2);
        assert!(lexicon.prefix.contains("Dr."));
        assert!(!lexicon.prefix.contains("Mr."));
    }

    #[test]
    fn plain_sentences() {
        check(
            "The talks ended. Both sides left!  Will they return? Nobody knows.",
            &[
                "The talks ended.",
                "Both sides left!",
                "Will they return?",
                "Nobody knows.",
            ],
        );
    }

    #[test]
    fn abbreviations_do_not_end_sentences() {
        check(
            "Mr. Abe met Dr. Kim on Jan. 5 at the U.S. embassy. Gen. He Wei came too.",
            &[
                "Mr. Abe met Dr. Kim on Jan. 5 at the U.S. embassy.",
                "Gen. He Wei came too.",
            ],
        );
        check(
            "MR. ABE TO VISIT. Sales rose 5 pct vs. last year, i.e. a record.",
            &[
                "MR. ABE TO VISIT.",
                "Sales rose 5 pct vs. last year, i.e. a record.",
            ],
        );
    }

    #[test]
    fn sentence_final_abbreviation_splits_before_a_starter() {
        check(
            "They held talks in the U.S. The president said it went well.",
            &[
                "They held talks in the U.S.",
                "The president said it went well.",
            ],
        );
        check(
            "He works for Acme Inc. It makes tools. Ties with the U.S. Congress are good.",
            &[
                "He works for Acme Inc.",
                "It makes tools.",
                "Ties with the U.S. Congress are good.",
            ],
        );
        check(
            "Meet at 10 a.m. They will brief. Then lunch at 1 p.m. on Friday.",
            &[
                "Meet at 10 a.m.",
                "They will brief.",
                "Then lunch at 1 p.m. on Friday.",
            ],
        );
    }

    #[test]
    fn capitalised_continuation_after_us_is_not_a_new_sentence() {
        // Some wire archives capitalise every word after "U.S.".
        check(
            "Tokyo urged the U.S. To lift the curbs and the U.S. And Canada agreed. U.S. Officials said so.",
            &[
                "Tokyo urged the U.S. To lift the curbs and the U.S. And Canada agreed.",
                "U.S. Officials said so.",
            ],
        );
    }

    #[test]
    fn initials_and_hyphenated_abbreviations() {
        check(
            "John F. Kennedy met Nikita S. Khrushchev. They chose Plan B. The rest failed. A pro-U.S. President won.",
            &[
                "John F. Kennedy met Nikita S. Khrushchev.",
                "They chose Plan B.",
                "The rest failed.",
                "A pro-U.S. President won.",
            ],
        );
    }

    #[test]
    fn numbers_and_decimals() {
        check(
            "Aid of $1.5 billion was 3.5 pct of GDP. It rose in 1990. 1991 was worse. See No. 4 below.",
            &[
                "Aid of $1.5 billion was 3.5 pct of GDP.",
                "It rose in 1990.",
                "1991 was worse.",
                "See No. 4 below.",
            ],
        );
    }

    #[test]
    fn quotes_and_brackets_close_sentences() {
        check(
            "He said: \"We will go.\" Then he left. (It rained.) She asked \u{201C}Why?\u{201D} and waited. 'Fine.' Done.",
            &[
                "He said: \"We will go.\"",
                "Then he left.",
                "(It rained.)",
                "She asked \u{201C}Why?\u{201D} and waited.",
                "'Fine.'",
                "Done.",
            ],
        );
        check(
            "\"Will we go?\" he asked. \"Yes!\" She smiled.",
            &["\"Will we go?\" he asked.", "\"Yes!\"", "She smiled."],
        );
    }

    #[test]
    fn ellipsis() {
        check(
            "He paused... then spoke. Wait\u{2026} Nothing happened.",
            &[
                "He paused... then spoke.",
                "Wait\u{2026}",
                "Nothing happened.",
            ],
        );
    }

    #[test]
    fn blank_lines_end_sentences_and_headlines() {
        check(
            "Leaders Agree to Meet in June\n\nThe two leaders agreed to meet\n\n\nLast line",
            &[
                "Leaders Agree to Meet in June",
                "The two leaders agreed to meet",
                "Last line",
            ],
        );
    }

    #[test]
    fn hard_wrapped_lines_are_spaces() {
        check(
            "The two governments said on\nThursday that talks with the U.S.\nand Japan would resume. Officials\nsaid more.\nA new sentence\nstarts here.",
            &[
                "The two governments said on\nThursday that talks with the U.S.\nand Japan would resume.",
                "Officials\nsaid more.",
                "A new sentence\nstarts here.",
            ],
        );
    }

    #[test]
    fn headline_and_byline_lines_end_sentences() {
        check(
            "Key Points\n• First point here.\n• Second point.",
            &["Key Points", "• First point here.", "• Second point."],
        );
        check(
            "Japan Weighs Summit With North Korea\nBy Jane Doe\nTOKYO - Japan is weighing a summit.",
            &[
                "Japan Weighs Summit With North Korea",
                "By Jane Doe",
                "TOKYO - Japan is weighing a summit.",
            ],
        );
        // Not first in its sentence, or ending with a comma: not a headline.
        check(
            "He met Prime Minister Shinzo Abe and\nPresident Moon Jae-in,\nOfficials said.",
            &["He met Prime Minister Shinzo Abe and\nPresident Moon Jae-in,\nOfficials said."],
        );
    }

    #[test]
    fn bullet_lists_split_per_item() {
        check(
            " • North Korea has held talks with five countries, a paper said\n  • A summit could follow in early June, the paper said.\n  • Seoul is preparing too.\n\nBody text.",
            &[
                "• North Korea has held talks with five countries, a paper said",
                "• A summit could follow in early June, the paper said.",
                "• Seoul is preparing too.",
                "Body text.",
            ],
        );
        check(
            "Terms -\n- provide credit to farmers\n- keep rates low\n* and a third\n1. First item. It has two sentences.\n2) Second item",
            &[
                "Terms -",
                "- provide credit to farmers",
                "- keep rates low",
                "* and a third",
                "1. First item.",
                "It has two sentences.",
                "2) Second item",
            ],
        );
        check(
            "Items: • one thing • another thing",
            &["Items:", "• one thing", "• another thing"],
        );
    }

    #[test]
    fn offsets_are_bytes_into_the_input() {
        let text = "  Été arrivé.  Über alles. ";
        let sentences = split(text);
        assert_eq!(
            sentences,
            [
                Sentence { start: 2, end: 16 },
                Sentence { start: 18, end: 30 },
            ]
        );
        assert_eq!(&text[2..16], "Été arrivé.");
    }

    #[test]
    fn empty_and_blank() {
        check("", &[]);
        check(" \n\n \t\n", &[]);
        check(".", &["."]);
        check("no punctuation at all", &["no punctuation at all"]);
    }

    #[test]
    fn works_on_normalized_html() {
        let text = crate::extract::normalize::normalize(
            "<h1>Summit Set for June</h1><p>Mr. Kim will go. He said so.</p><ul><li>Point one</li><li>Point two</li></ul>",
            true,
        );
        let sentences: Vec<&str> = split(&text).iter().map(|s| &text[s.start..s.end]).collect();
        assert_eq!(
            sentences,
            [
                "Summit Set for June",
                "Mr. Kim will go.",
                "He said so.",
                "• Point one",
                "• Point two"
            ]
        );
    }

    fn assert_well_formed(text: &str, sentences: &[Sentence]) {
        let mut previous_end = 0;
        for s in sentences {
            assert!(s.start < s.end, "empty sentence {s:?}");
            assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
            assert!(previous_end <= s.start, "overlap or disorder at {s:?}");
            assert!(
                text[previous_end..s.start].trim().is_empty(),
                "non-blank text outside sentences before {s:?}"
            );
            let inner = &text[s.start..s.end];
            assert_eq!(inner, inner.trim(), "untrimmed sentence {s:?}");
            previous_end = s.end;
        }
        assert!(text[previous_end..].trim().is_empty());
    }

    fn sentence_soup() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec![
            "word", "The", "he", "U.S.", "Mr.", "F.", "1.", "1.5", ". ", ".", "!", "?", "...", "…",
            "\"", "”", ")", "(", " ", "\n", "\n\n", " \n ", "•", "- ", "* ", "\r\n", "\t", "é",
            "\u{A0}", "\u{2028}",
        ]);
        prop::collection::vec(pieces, 0..80).prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn split_is_well_formed_on_any_string(s in any::<String>()) {
            let sentences = split(&s);
            assert_well_formed(&s, &sentences);
        }

        #[test]
        fn split_is_well_formed_on_sentence_soup(s in sentence_soup()) {
            let sentences = split(&s);
            assert_well_formed(&s, &sentences);
        }
    }
}
