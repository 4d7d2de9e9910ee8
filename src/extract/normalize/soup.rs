//! A linear tag stripper for markup the tree builder cannot take in linear
//! time. html5ever's scope checks walk the stack of open elements, so a body
//! with tens of thousands of unclosed elements costs time quadratic in its
//! size (minutes for a few MiB). Such pages are broken anyway: this path
//! keeps their text with the tag rules (dropped tags, blocks, `<br>`, list
//! items, entities) but without container picking or attribute heuristics.
//!
//! Must not: look back, or scan any byte more than a constant number of
//! times; it exists to bound the time spent on hostile input.

use std::borrow::Cow;
use std::collections::HashMap;

use super::{Gap, Newlines, TextBuilder, is_block, is_dropped_tag};

/// Deepest estimated element nesting the tree path accepts. Real pages nest
/// a few dozen levels; past this the tree builder's per-tag cost grows.
pub(super) const MAX_TREE_DEPTH: usize = 512;

#[derive(Debug, PartialEq, Eq)]
enum Token<'a> {
    Text(&'a str),
    Start { name: String, self_closing: bool },
    End { name: String },
}

/// Elements whose content is raw text up to their end tag (never markup).
fn is_raw_text(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "textarea"
            | "title"
            | "xmp"
            | "iframe"
            | "noembed"
            | "noframes"
            | "noscript"
            | "plaintext"
    )
}

/// Elements that never have content or an end tag.
fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "basefont"
            | "bgsound"
            | "br"
            | "col"
            | "embed"
            | "frame"
            | "hr"
            | "img"
            | "input"
            | "keygen"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
    )
}

/// Elements the tree builder closes by itself when a sibling starts (or that
/// exist once per page), so leaving them open does not deepen the tree.
fn closes_itself(name: &str) -> bool {
    matches!(
        name,
        "p" | "li"
            | "dt"
            | "dd"
            | "tr"
            | "td"
            | "th"
            | "option"
            | "optgroup"
            | "tbody"
            | "thead"
            | "tfoot"
            | "colgroup"
            | "caption"
            | "rb"
            | "rt"
            | "rp"
            | "rtc"
            | "html"
            | "head"
            | "body"
    )
}

/// A forgiving HTML lexer: text runs, start tags and end tags with lower-case
/// names; comments, doctypes and processing instructions skipped; the content
/// of raw-text elements (`<script>`, …) skipped up to their end tag.
/// Attributes are not parsed, and a `>` inside a quoted attribute ends the
/// tag early: good enough for the pages that get here.
struct Lexer<'a> {
    src: &'a str,
    pos: usize,
}

impl<'a> Lexer<'a> {
    fn new(src: &'a str) -> Self {
        Lexer { src, pos: 0 }
    }

    /// Moves past the next occurrence of `needle`, or to the end.
    fn skip_past(&mut self, needle: &str) {
        match self.src[self.pos..].find(needle) {
            Some(at) => self.pos += at + needle.len(),
            None => self.pos = self.src.len(),
        }
    }

    /// Moves to the `</name` that ends a raw-text element, or to the end.
    fn skip_raw_text(&mut self, name: &str) {
        let bytes = self.src.as_bytes();
        while let Some(at) = self.src[self.pos..].find("</") {
            let candidate = self.pos + at;
            let name_at = candidate + 2;
            let name_end = name_at + name.len();
            if bytes
                .get(name_at..name_end)
                .is_some_and(|n| n.eq_ignore_ascii_case(name.as_bytes()))
                && !bytes.get(name_end).is_some_and(u8::is_ascii_alphanumeric)
            {
                self.pos = candidate;
                return;
            }
            self.pos = name_at;
        }
        self.pos = self.src.len();
    }
}

impl<'a> Iterator for Lexer<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        loop {
            let bytes = self.src.as_bytes();
            let rest = bytes.get(self.pos..).filter(|r| !r.is_empty())?;
            if rest[0] != b'<' {
                let len = rest.iter().position(|&b| b == b'<').unwrap_or(rest.len());
                let text = &self.src[self.pos..self.pos + len];
                self.pos += len;
                return Some(Token::Text(text));
            }
            if rest.starts_with(b"<!--") {
                self.pos += 4;
                self.skip_past("-->");
                continue;
            }
            if rest.starts_with(b"<!") || rest.starts_with(b"<?") {
                self.skip_past(">");
                continue;
            }
            let is_end = rest.get(1) == Some(&b'/');
            let name_at = if is_end { 2 } else { 1 };
            if !rest.get(name_at).is_some_and(u8::is_ascii_alphabetic) {
                // A "<" that opens no tag is text ("a < b").
                let text = &self.src[self.pos..self.pos + 1];
                self.pos += 1;
                return Some(Token::Text(text));
            }
            let name_len = rest[name_at..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b':' | b'_'))
                .count();
            let name =
                String::from_utf8_lossy(&rest[name_at..name_at + name_len]).to_ascii_lowercase();
            let Some(close) = rest[name_at + name_len..].iter().position(|&b| b == b'>') else {
                // No ">" anywhere after this: an unterminated tag that, as in
                // a browser, swallows the rest of the body.
                self.pos = bytes.len();
                return None;
            };
            let tag_end = name_at + name_len + close;
            let self_closing = rest[tag_end - 1] == b'/';
            self.pos += tag_end + 1;
            if is_end {
                return Some(Token::End { name });
            }
            if is_raw_text(&name) && !self_closing {
                self.skip_raw_text(&name);
            }
            return Some(Token::Start { name, self_closing });
        }
    }
}

/// Whether the body would nest elements deeper than [`MAX_TREE_DEPTH`] in
/// the tree builder. An estimate: every start tag opens an element until an
/// end tag of the same name closes it, except void elements, elements the
/// tree builder closes by itself, and self-closing tags inside SVG or MathML
/// (elsewhere html5ever ignores the slash, as browsers do).
pub(super) fn too_deep_for_tree(body: &str) -> bool {
    if !body.contains('<') {
        return false;
    }
    let mut open: HashMap<String, usize> = HashMap::new();
    let mut depth = 0usize;
    for token in Lexer::new(body) {
        match token {
            Token::Text(_) => {}
            Token::Start { name, self_closing } => {
                if is_void(&name) || closes_itself(&name) || is_raw_text(&name) {
                    continue;
                }
                let in_foreign = open.get("svg").is_some_and(|&n| n > 0)
                    || open.get("math").is_some_and(|&n| n > 0);
                if self_closing && in_foreign {
                    continue;
                }
                *open.entry(name).or_default() += 1;
                depth += 1;
                if depth > MAX_TREE_DEPTH {
                    return true;
                }
            }
            Token::End { name } => {
                if let Some(count) = open.get_mut(&name)
                    && *count > 0
                {
                    *count -= 1;
                    depth -= 1;
                }
            }
        }
    }
    false
}

/// Renders a body with the lexer alone. Dropped tags (`<nav>`, `<script>`,
/// …) drop everything up to their matching end tag; blocks, `<br>` and list
/// items shape the text as on the tree path.
pub(super) fn soup_to_text(body: &str) -> String {
    let mut builder = TextBuilder::with_capacity(body.len() / 2);
    // The dropped element being skipped, and how many of its kind are open.
    let mut skipping: Option<(String, usize)> = None;
    for token in Lexer::new(body) {
        match token {
            Token::Text(text) => {
                if skipping.is_none() {
                    builder.push_text(&decode_entities(text), Newlines::Collapse);
                }
            }
            Token::Start { name, self_closing } => {
                let has_content = !is_void(&name) && !self_closing;
                if let Some((skipped, open)) = &mut skipping {
                    if *skipped == name && has_content {
                        *open += 1;
                    }
                    continue;
                }
                // Head content is dropped element by element (title, script,
                // …): an unclosed <head> must not swallow the page.
                if is_dropped_tag(&name) && name != "head" {
                    if is_block(&name) {
                        builder.request(Gap::Paragraph);
                    }
                    if has_content {
                        skipping = Some((name, 1));
                    }
                    continue;
                }
                match name.as_str() {
                    "br" => builder.line_break(),
                    "li" => {
                        builder.request(Gap::Paragraph);
                        builder.bullet = true;
                    }
                    "td" | "th" => builder.request(Gap::Space),
                    _ => {}
                }
                if is_block(&name) {
                    builder.request(Gap::Paragraph);
                }
            }
            Token::End { name } => {
                if let Some((skipped, open)) = &mut skipping {
                    if *skipped == name {
                        *open -= 1;
                        if *open == 0 {
                            skipping = None;
                        }
                    }
                    continue;
                }
                match name.as_str() {
                    // Browsers read a stray </br> as <br>.
                    "br" => builder.line_break(),
                    "li" => builder.bullet = false,
                    "td" | "th" => builder.request(Gap::Space),
                    _ => {}
                }
                if is_block(&name) {
                    builder.request(Gap::Paragraph);
                }
            }
        }
    }
    builder.finish()
}

/// Decodes character references: numeric ones fully (with the HTML rule
/// that maps 0x80–0x9F to Windows-1252), named ones for the common set news
/// pages use. Unknown names stay as written.
fn decode_entities(text: &str) -> Cow<'_, str> {
    if !text.contains('&') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        match parse_entity(rest) {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Parses the reference at the start of `s` (which starts with '&'):
/// the character and the reference's length in bytes.
fn parse_entity(s: &str) -> Option<(char, usize)> {
    let bytes = s.as_bytes();
    if bytes.get(1) == Some(&b'#') {
        let hex = matches!(bytes.get(2), Some(b'x' | b'X'));
        let digits_at = if hex { 3 } else { 2 };
        let digits = bytes[digits_at.min(bytes.len())..]
            .iter()
            .take_while(|b| {
                if hex {
                    b.is_ascii_hexdigit()
                } else {
                    b.is_ascii_digit()
                }
            })
            .count();
        if digits == 0 {
            return None;
        }
        let mut end = digits_at + digits;
        let value =
            u32::from_str_radix(&s[digits_at..end], if hex { 16 } else { 10 }).unwrap_or(u32::MAX);
        if bytes.get(end) == Some(&b';') {
            end += 1;
        }
        return Some((numeric_char(value), end));
    }
    let name_len = bytes[1..]
        .iter()
        .take(32)
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    if bytes.get(1 + name_len) != Some(&b';') {
        return None;
    }
    let c = named_entity(&s[1..1 + name_len])?;
    Some((c, name_len + 2))
}

fn numeric_char(value: u32) -> char {
    const REPLACEMENT: char = '\u{FFFD}';
    match value {
        0 => REPLACEMENT,
        0x80 => '€',
        0x82 => '‚',
        0x84 => '„',
        0x85 => '…',
        0x8B => '‹',
        0x91 => '‘',
        0x92 => '’',
        0x93 => '“',
        0x94 => '”',
        0x95 => '•',
        0x96 => '–',
        0x97 => '—',
        0x99 => '™',
        0x9B => '›',
        _ => char::from_u32(value).unwrap_or(REPLACEMENT),
    }
}

fn named_entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" | "AMP" => '&',
        "lt" | "LT" => '<',
        "gt" | "GT" => '>',
        "quot" | "QUOT" => '"',
        "apos" => '\'',
        "nbsp" => '\u{A0}',
        "ensp" => '\u{2002}',
        "emsp" => '\u{2003}',
        "thinsp" => '\u{2009}',
        "zwnj" => '\u{200C}',
        "zwj" => '\u{200D}',
        "shy" => '\u{AD}',
        "ndash" => '–',
        "mdash" => '—',
        "lsquo" => '‘',
        "rsquo" => '’',
        "sbquo" => '‚',
        "ldquo" => '“',
        "rdquo" => '”',
        "bdquo" => '„',
        "laquo" => '«',
        "raquo" => '»',
        "hellip" => '…',
        "middot" => '·',
        "bull" => '•',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "euro" => '€',
        "pound" => '£',
        "yen" => '¥',
        "cent" => '¢',
        "deg" => '°',
        "times" => '×',
        "aacute" => 'á',
        "agrave" => 'à',
        "acirc" => 'â',
        "auml" => 'ä',
        "aring" => 'å',
        "ccedil" => 'ç',
        "eacute" => 'é',
        "egrave" => 'è',
        "ecirc" => 'ê',
        "euml" => 'ë',
        "iacute" => 'í',
        "iuml" => 'ï',
        "ntilde" => 'ñ',
        "oacute" => 'ó',
        "ocirc" => 'ô',
        "ouml" => 'ö',
        "oslash" => 'ø',
        "uacute" => 'ú',
        "uuml" => 'ü',
        "szlig" => 'ß',
        "Eacute" => 'É',
        "Ouml" => 'Ö',
        "Uuml" => 'Ü',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(input: &str, expected: &str) {
        assert_eq!(soup_to_text(input), expected, "input: {input:?}");
    }

    #[test]
    fn renders_with_the_tag_rules() {
        check(
            "<html><head><title>T</title><script>if (a<b) { x = '</div>'; }</script></head><body>\
             <nav><ul><li>Home</li></ul></nav><p>One &amp; two&#8217;s&nbsp;x &#x2014; &#146; &bogus; &#0;</p>\
             <!-- <p>comment</p> --><ul><li>item</li><li>next<br>line</li></ul>a < b <table><tr><td>c<td>d</table></body></html>",
            "One & two\u{2019}s x \u{2014} \u{2019} &bogus; \u{FFFD}\n\n• item\n\n• next\nline\n\na < b\n\nc d",
        );
    }

    #[test]
    fn nested_dropped_elements_are_skipped_whole() {
        check(
            "<p>a</p><aside>x<aside>y</aside>z</aside><p>b</p><nav>never closed<p>c",
            "a\n\nb",
        );
    }

    #[test]
    fn unterminated_tag_ends_the_text() {
        check("<p>kept</p><a href='x", "kept");
        check("text <", "text <");
    }

    #[test]
    fn depth_estimate() {
        assert!(!too_deep_for_tree("plain text"));
        assert!(!too_deep_for_tree(&"<p>x".repeat(10_000)));
        assert!(!too_deep_for_tree(&"<div>x</div>".repeat(10_000)));
        assert!(!too_deep_for_tree(&format!(
            "<svg>{}</svg>",
            "<path d=x/>".repeat(10_000)
        )));
        assert!(too_deep_for_tree(&"<div>".repeat(MAX_TREE_DEPTH + 1)));
        assert!(too_deep_for_tree(
            &"<p><b class=x>y</p>".repeat(MAX_TREE_DEPTH + 1)
        ));
        assert!(too_deep_for_tree(&"<div/>".repeat(MAX_TREE_DEPTH + 1)));
    }

    #[test]
    fn deeply_nested_page_takes_the_soup_path_in_linear_time() {
        let body = "<div><span>word ".repeat(200_000);
        let started = std::time::Instant::now();
        let text = super::super::normalize(&body, true);
        // Generous even for an unoptimized build on a busy machine; the tree
        // path needs minutes here.
        assert!(started.elapsed().as_secs() < 20);
        assert!(text.starts_with("word\n\nword\n\n"));
        assert_eq!(text.matches("word").count(), 200_000);
    }
}
