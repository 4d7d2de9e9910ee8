//! Normalization: a raw body (plain text or HTML) reduced to the article text
//! that every offset in a record refers to.
//!
//! Owned by the text work. Pure: no I/O, no global state.

/// Reduces `body` to clean article text. For HTML: script, style, nav,
/// header, footer, aside (and similar boilerplate) dropped, entities decoded,
/// block elements become paragraph breaks. For both: whitespace normalized
/// (runs of spaces collapsed, paragraphs separated by one blank line, no
/// leading or trailing whitespace).
pub fn normalize(body: &str, is_html: bool) -> String {
    let _ = is_html;
    body.to_string()
}
