//! Normalization: a raw body (plain text or HTML) reduced to the article text
//! that every offset in a record refers to.
//!
//! Owns: HTML boilerplate removal (scripts, navigation, footers, share and
//! cookie widgets, …), entity decoding (done by the HTML parser), block
//! structure turned into paragraph breaks, and whitespace and
//! invisible-character cleanup for both plain and HTML bodies.
//!
//! Must not: do I/O, keep global state, or look at anything but its input.
//! Every later stage stores byte offsets into the text produced here, so the
//! same body must always give the same text.
//!
//! The shape of the output is a contract for the later stages:
//! - paragraphs are separated by exactly one blank line (`"\n\n"`);
//! - a single `"\n"` is a hard line break inside a paragraph (wire copy is
//!   often hard-wrapped; the sentence splitter reads it as a space);
//! - no tabs, no carriage returns, no runs of spaces, no space at either end
//!   of a line, no leading or trailing whitespace;
//! - no zero-width characters, soft hyphens, bidi controls or other control
//!   characters;
//! - an HTML list item starts with `"• "`, so it reads like a wire bullet.
//!
//! Plain normalization is idempotent, and normalizing its own output (plain
//! or HTML) as plain text changes nothing.
//!
//! Layout: this file holds the entry point, plain text and the text builder
//! both HTML paths write through; `html` parses with `scraper` (html5ever)
//! and walks the tree; `soup` is a linear tag stripper for markup nested too
//! deeply for the tree builder, whose scope checks are quadratic in depth.

mod html;
mod soup;

/// Reduces `body` to clean article text (see the module docs for the exact
/// shape). Never panics; runs in time linear in `body.len()` (plus whatever
/// the HTML parser needs for pathological markup).
pub fn normalize(body: &str, is_html: bool) -> String {
    if is_html {
        html::html_to_text(body)
    } else {
        plain_to_text(body)
    }
}

fn plain_to_text(body: &str) -> String {
    let mut builder = TextBuilder::with_capacity(body.len());
    builder.push_text(body, Newlines::Keep);
    builder.finish()
}

// ---------------------------------------------------------------------------
// Text building: whitespace and invisible characters.
// ---------------------------------------------------------------------------

/// The separator owed before the next visible character. Separators are only
/// written when a visible character follows, which is what keeps the output
/// free of leading, trailing and doubled whitespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Gap {
    None,
    Space,
    Line,
    Paragraph,
}

/// Whether newline characters inside text are structure (plain text, `<pre>`)
/// or mere whitespace (ordinary HTML text, where the source's line breaks mean
/// nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Newlines {
    Keep,
    Collapse,
}

enum CharClass {
    Visible,
    Invisible,
    Space,
    Newline,
    ParagraphSeparator,
}

fn classify(c: char) -> CharClass {
    match c {
        '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' => CharClass::Newline,
        '\u{2029}' => CharClass::ParagraphSeparator,
        // Soft hyphen, zero-width space/joiners, bidi marks and embeddings,
        // word joiner and invisible operators, Mongolian vowel separator, BOM:
        // none of them is visible, and left in they would split words that
        // gazetteer and money matching must see whole.
        '\u{AD}'
        | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}'
        | '\u{FEFF}' => CharClass::Invisible,
        c if c.is_whitespace() => CharClass::Space,
        c if c.is_control() => CharClass::Invisible,
        _ => CharClass::Visible,
    }
}

/// Snapshot of a [`TextBuilder`], so that the output of a subtree can be
/// taken back once the subtree turns out to be boilerplate.
#[derive(Debug, Clone, Copy)]
struct Checkpoint {
    len: usize,
    gap: Gap,
    bullet: bool,
    visible: usize,
    link_visible: usize,
}

struct TextBuilder {
    out: String,
    gap: Gap,
    /// A list item has started and its bullet is owed before its first
    /// visible character (emitting it lazily keeps empty items invisible and
    /// puts the bullet on the item's text even when the text sits in a
    /// nested `<p>`).
    bullet: bool,
    /// The previous character was a carriage return, so a following line
    /// feed is the second half of a CRLF.
    after_cr: bool,
    /// Visible characters written, and how many of them were inside a link:
    /// the measure used to decide whether a suspicious subtree was content.
    visible: usize,
    link_visible: usize,
    link_depth: usize,
}

impl TextBuilder {
    fn with_capacity(capacity: usize) -> Self {
        TextBuilder {
            out: String::with_capacity(capacity),
            gap: Gap::None,
            bullet: false,
            after_cr: false,
            visible: 0,
            link_visible: 0,
            link_depth: 0,
        }
    }

    fn request(&mut self, gap: Gap) {
        self.gap = self.gap.max(gap);
    }

    /// A `<br>`: a line break, or a paragraph break when a line break is
    /// already owed (`<br><br>` is how many sites mark paragraphs).
    fn line_break(&mut self) {
        if self.gap >= Gap::Line {
            self.request(Gap::Paragraph);
        } else {
            self.request(Gap::Line);
        }
    }

    fn push_visible(&mut self, c: char) {
        if !self.out.is_empty() {
            match self.gap {
                Gap::None => {}
                Gap::Space => self.out.push(' '),
                Gap::Line => self.out.push('\n'),
                Gap::Paragraph => self.out.push_str("\n\n"),
            }
        }
        self.gap = Gap::None;
        if self.bullet {
            self.bullet = false;
            self.out.push_str("• ");
        }
        self.out.push(c);
        self.visible += 1;
        if self.link_depth > 0 {
            self.link_visible += 1;
        }
    }

    /// A run of printable ASCII that starts and ends with a visible
    /// character and has single spaces at most between them: what
    /// `push_visible` and `request(Gap::Space)` do char by char, with the
    /// separator and bullet written once. `visible` counts its non-spaces.
    fn push_visible_run(&mut self, run: &str, visible: usize) {
        let mut rest = run.chars();
        if let Some(c) = rest.next() {
            self.push_visible(c);
            self.out.push_str(rest.as_str());
            self.visible += visible - 1;
            if self.link_depth > 0 {
                self.link_visible += visible - 1;
            }
        }
    }

    fn push_text(&mut self, text: &str, newlines: Newlines) {
        let bytes = text.as_bytes();
        let mut at = 0;
        while at < text.len() {
            // Most text is words of printable ASCII with single spaces
            // between them: copy such a run at once instead of classifying
            // and pushing every char.
            let visible_at = |i: usize| bytes.get(i).is_some_and(|b| (0x21..=0x7e).contains(b));
            let (mut run, mut spaces) = (0, 0);
            loop {
                if visible_at(at + run) {
                    run += 1;
                } else if run > 0 && bytes.get(at + run) == Some(&b' ') && visible_at(at + run + 1)
                {
                    run += 1;
                    spaces += 1;
                } else {
                    break;
                }
            }
            if run > 0 {
                self.push_visible_run(&text[at..at + run], run - spaces);
                self.after_cr = false;
                at += run;
                continue;
            }
            let Some(c) = text[at..].chars().next() else {
                break;
            };
            at += c.len_utf8();
            match classify(c) {
                CharClass::Visible => self.push_visible(c),
                CharClass::Invisible => {}
                CharClass::Space => self.request(Gap::Space),
                CharClass::Newline => match newlines {
                    Newlines::Collapse => self.request(Gap::Space),
                    Newlines::Keep if c == '\n' && self.after_cr => {}
                    // A second newline with only whitespace since the first
                    // one: a blank line, so a paragraph break.
                    Newlines::Keep => self.line_break(),
                },
                CharClass::ParagraphSeparator => match newlines {
                    Newlines::Collapse => self.request(Gap::Space),
                    Newlines::Keep => self.request(Gap::Paragraph),
                },
            }
            self.after_cr = c == '\r';
        }
    }

    fn checkpoint(&self) -> Checkpoint {
        Checkpoint {
            len: self.out.len(),
            gap: self.gap,
            bullet: self.bullet,
            visible: self.visible,
            link_visible: self.link_visible,
        }
    }

    fn rollback(&mut self, to: Checkpoint) {
        self.out.truncate(to.len);
        self.gap = to.gap;
        self.bullet = to.bullet;
        self.visible = to.visible;
        self.link_visible = to.link_visible;
    }

    fn finish(self) -> String {
        self.out
    }
}

// ---------------------------------------------------------------------------
// Tag classes shared by both HTML paths.
// ---------------------------------------------------------------------------

/// Elements that never hold article text, whatever their attributes.
/// `header` is dropped even inside `<article>`: it holds the headline and
/// byline, and the headline travels in the message's `title` field, which
/// keeps HTML and plain bodies of the same story alike. `form` is not here:
/// some sites wrap the whole page in one, so it is only a suspect (see
/// `html::is_suspect`).
fn is_dropped_tag(name: &str) -> bool {
    matches!(
        name,
        "head"
            | "title"
            | "meta"
            | "link"
            | "base"
            | "script"
            | "style"
            | "noscript"
            | "template"
            | "nav"
            | "header"
            | "footer"
            | "aside"
            | "button"
            | "input"
            | "select"
            | "option"
            | "optgroup"
            | "datalist"
            | "textarea"
            | "iframe"
            | "frame"
            | "frameset"
            | "noframes"
            | "noembed"
            | "object"
            | "embed"
            | "applet"
            | "param"
            | "svg"
            | "math"
            | "canvas"
            | "video"
            | "audio"
            | "source"
            | "track"
            | "map"
            | "dialog"
            | "menu"
    )
}

/// Elements that start and end a paragraph of their own.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "body"
            | "caption"
            | "center"
            | "dd"
            | "details"
            | "dialog"
            | "dir"
            | "div"
            | "dl"
            | "dt"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hgroup"
            | "hr"
            | "html"
            | "legend"
            | "li"
            | "listing"
            | "main"
            | "menu"
            | "nav"
            | "ol"
            | "p"
            | "plaintext"
            | "pre"
            | "search"
            | "section"
            | "summary"
            | "table"
            | "tbody"
            | "tfoot"
            | "thead"
            | "tr"
            | "ul"
            | "xmp"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[track_caller]
    fn check(input: &str, is_html: bool, expected: &str) {
        let actual = normalize(input, is_html);
        assert_eq!(actual, expected, "input: {input:?}");
    }

    // --- plain text ---

    #[test]
    fn plain_whitespace_is_normalized() {
        check(
            "  \u{FEFF}First  line\twith\u{A0}spaces  \r\nsecond line \r\n\r\n\r\n\nNext para. ",
            false,
            "First line with spaces\nsecond line\n\nNext para.",
        );
    }

    #[test]
    fn plain_hard_wrapped_wire_copy_keeps_its_lines() {
        check(
            "TOKYO (Wire) - The two governments said on\n   Thursday they would meet   \nin June.\n\n \t \nA second paragraph.",
            false,
            "TOKYO (Wire) - The two governments said on\nThursday they would meet\nin June.\n\nA second paragraph.",
        );
    }

    #[test]
    fn plain_invisible_characters_are_removed() {
        check(
            "co\u{AD}operation zero\u{200B}width \u{200E}mark\u{0007}bell\u{2060}join",
            false,
            "cooperation zerowidth markbelljoin",
        );
    }

    #[test]
    fn plain_unicode_breaks_and_spaces() {
        check(
            "a\u{2003}b\u{3000}c\u{2028}d\u{2029}e\rf",
            false,
            "a b c\nd\n\ne\nf",
        );
    }

    #[test]
    fn plain_entities_are_left_alone() {
        check("Tom &amp; Jerry", false, "Tom &amp; Jerry");
    }

    #[test]
    fn plain_empty_and_blank() {
        check("", false, "");
        check(" \n\t\r\n \u{A0}\u{200B} ", false, "");
    }

    #[test]
    fn plain_bullets_are_kept_as_written() {
        check(
            "Highlights\n  • First point here.\n  • Second point.\n\nBody text.",
            false,
            "Highlights\n• First point here.\n• Second point.\n\nBody text.",
        );
    }

    // --- HTML ---

    #[test]
    fn html_drops_page_furniture() {
        check(
            r#"<html><head><title>Headline | Site</title>
<style>p { color: red }</style>
<script>var x = "<p>not text</p>";</script></head>
<body>
<header><div class="logo">Site</div></header>
<nav><ul><li><a href="/">Home</a></li><li><a href="/w">World</a></li></ul></nav>
<div class="content">
  <p>Leaders met on   Monday.</p>
  <aside>Read more: other stories</aside>
  <p>They agreed to meet again.</p>
</div>
<noscript>Enable JavaScript</noscript>
<form><label>Email</label><input name=e><button>Sign up</button></form>
<footer>Copyright 2024</footer>
</body></html>"#,
            true,
            "Leaders met on Monday.\n\nThey agreed to meet again.",
        );
    }

    #[test]
    fn html_decodes_entities() {
        check(
            "<p>Tom &amp; Jerry&#8217;s&nbsp;show &lt;live&gt; &eacute;t&eacute;</p>",
            true,
            "Tom & Jerry\u{2019}s show <live> été",
        );
    }

    #[test]
    fn html_br_is_a_line_break_and_double_br_a_paragraph() {
        check(
            "<p>First line<br>second line<br/>\n third<br><br>New para</p>",
            true,
            "First line\nsecond line\nthird\n\nNew para",
        );
    }

    #[test]
    fn html_lists_become_bulleted_paragraphs() {
        check(
            "<p>Key points:</p><ul><li>One point.</li><li><p>Two,</p><p>in two parts.</p></li><li></li><li>Three <b>bold</b></li></ul><ol><li>Numbered</li></ol>",
            true,
            "Key points:\n\n• One point.\n\n• Two,\n\nin two parts.\n\n• Three bold\n\n• Numbered",
        );
    }

    #[test]
    fn html_nested_divs_and_inline_elements() {
        check(
            "<div><div><div>Deep <span>inline</span><em>joined</em></div>text</div><div>  </div><section><h2>Sub head</h2><p>Para</p></section></div>",
            true,
            "Deep inlinejoined\n\ntext\n\nSub head\n\nPara",
        );
    }

    #[test]
    fn html_article_wrapper_wins_over_the_rest_of_the_page() {
        check(
            r#"<body><div class="top">Trending now: celebrity news</div>
<article><h1>Title</h1><p>The story itself, which is long enough to count as the story.</p></article>
<div>Unrelated promo text outside the article.</div></body>"#,
            true,
            "Title\n\nThe story itself, which is long enough to count as the story.",
        );
    }

    #[test]
    fn html_main_is_used_when_there_is_no_article() {
        check(
            "<body><div>Sign in</div><main><p>Main story text that is the bulk of the page.</p></main><div>x</div></body>",
            true,
            "Main story text that is the bulk of the page.",
        );
    }

    #[test]
    fn html_a_tiny_article_is_a_teaser_not_the_story() {
        check(
            "<body><p>The real story is here in a plain paragraph, long and detailed.</p><article>Teaser</article></body>",
            true,
            "The real story is here in a plain paragraph, long and detailed.\n\nTeaser",
        );
    }

    #[test]
    fn html_class_and_role_heuristics() {
        check(
            r#"<body>
<div class="site-nav">Home World</div>
<div id="mainMenu">Menu</div>
<div class="socialShare">Share this</div>
<ul class="breadcrumbs"><li>News</li></ul>
<div class="cookie-banner">We use cookies.</div>
<div class="related-stories"><a href="/x">Other story</a></div>
<div role="navigation">Links</div>
<div role="complementary">Sidebar</div>
<div class="ad-slot">Buy now</div>
<p hidden>Hidden</p><p style="display: none">Also hidden</p><span aria-hidden="true">icon</span>
<p class="navy-blue">The navy sailed.</p>
<p class="leader canvas">Kept: no boilerplate word.</p>
</body>"#,
            true,
            "The navy sailed.\n\nKept: no boilerplate word.",
        );
    }

    #[test]
    fn html_suspect_class_with_a_long_story_is_kept() {
        let story = "Officials said the talks would continue next week in the capital. ".repeat(15);
        let input = format!(
            r#"<div class="story share-enabled"><p>{story}</p><div class="share-bar"><a href="/s">Share</a></div></div>"#
        );
        check(&input, true, story.trim_end());
    }

    #[test]
    fn html_whole_page_flagged_falls_back_to_lenient() {
        check(
            r#"<div class="menu-open"><p>Short story in an odd wrapper.</p></div>"#,
            true,
            "Short story in an odd wrapper.",
        );
    }

    #[test]
    fn html_figcaption_is_its_own_paragraph() {
        check(
            "<p>Before.</p><figure><img src=x alt=photo><figcaption>Leaders shake hands.</figcaption></figure><p>After.</p>",
            true,
            "Before.\n\nLeaders shake hands.\n\nAfter.",
        );
    }

    #[test]
    fn html_comments_and_templates_are_dropped() {
        check(
            "<p>Kept<!-- a comment --> text</p><template><p>Template</p></template><!-- end -->",
            true,
            "Kept text",
        );
    }

    #[test]
    fn html_broken_markup_still_yields_text() {
        check(
            "<div><p>Unclosed paragraph<p>Another <b>bold <i>both</b> italic</div><li>stray item<table><tr><td>a<td>b</table>",
            true,
            "Unclosed paragraph\n\nAnother bold both italic\n\n• stray item\n\na b",
        );
    }

    #[test]
    fn html_pre_keeps_line_breaks() {
        check(
            "<pre>line one\n  line two\n\nline three</pre><p>a\nb</p>",
            true,
            "line one\nline two\n\nline three\n\na b",
        );
    }

    #[test]
    fn html_without_structure_keeps_plain_paragraphs() {
        check(
            "First paragraph &amp; more.\n\nSecond <b>bold</b>\nwrapped.",
            true,
            "First paragraph & more.\n\nSecond bold\nwrapped.",
        );
    }

    #[test]
    fn html_table_rows_are_paragraphs_and_cells_are_spaced() {
        check(
            "<table><tr><th>Donor</th><th>Amount</th></tr><tr><td>Japan</td><td>$1 bln</td></tr></table>",
            true,
            "Donor Amount\n\nJapan $1 bln",
        );
    }

    #[test]
    fn html_empty_and_furniture_only() {
        check("", true, "");
        check(
            "<html><head><title>T</title></head><body></body></html>",
            true,
            "",
        );
        check("<nav>Only navigation</nav>", true, "");
    }

    #[test]
    fn deep_nesting_is_handled_on_both_paths() {
        // Below the soup threshold: the tree path, walked iteratively.
        let depth = soup::MAX_TREE_DEPTH - 10;
        let input = format!(
            "{}deep text{}",
            "<div>".repeat(depth),
            "</div>".repeat(depth)
        );
        assert_eq!(normalize(&input, true), "deep text");
        // Far above it: the linear soup path.
        let depth = 20_000;
        let input = format!(
            "{}deep text{}",
            "<div>".repeat(depth),
            "</div>".repeat(depth)
        );
        assert_eq!(normalize(&input, true), "deep text");
        let input = format!("{}x", "<span>".repeat(depth));
        assert_eq!(normalize(&input, true), "x");
    }

    #[test]
    fn html_page_wide_form_keeps_its_story() {
        let story =
            "The ministers said the package would be paid out over three years. ".repeat(15);
        let input = format!(
            r#"<body><form id="aspnetForm"><div class="menu">Home</div><p>{story}</p><input type=submit></form></body>"#
        );
        check(&input, true, story.trim_end());
        check(
            "<form><p>A short story inside a form.</p></form>",
            true,
            "A short story inside a form.",
        );
    }

    // --- properties ---

    /// What every output must look like, whatever the input.
    fn assert_normalized_shape(out: &str) {
        assert_eq!(out, out.trim(), "leading/trailing whitespace");
        assert!(!out.contains("\n\n\n"), "more than one blank line");
        assert!(!out.contains("  "), "run of spaces");
        assert!(
            !out.contains(" \n") && !out.contains("\n "),
            "space at line end"
        );
        assert!(
            !out.chars()
                .any(|c| matches!(classify(c), CharClass::Invisible)
                    || (c.is_whitespace() && c != ' ' && c != '\n')),
            "stray invisible or whitespace character"
        );
        assert_eq!(normalize(out, false), out, "not a fixed point");
    }

    fn tag_soup() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec![
            "<p>",
            "</p>",
            "<div>",
            "</div>",
            "<div class=\"nav\">",
            "<li>",
            "</li>",
            "<ul>",
            "</ul>",
            "<br>",
            "<script>",
            "</script>",
            "<style>",
            "<article>",
            "</article>",
            "<main>",
            "<nav>",
            "</nav>",
            "<pre>",
            "</pre>",
            "<a href=x>",
            "</a>",
            "<b>",
            "<table>",
            "<td>",
            "<tr>",
            "<!--",
            "-->",
            "<",
            ">",
            "&amp;",
            "&#8217;",
            "&nbsp;",
            "&#0;",
            "&#xD800;",
            "text",
            "U.S. ",
            "Mr. Abe",
            "\n",
            "\n\n",
            " ",
            "\t",
            "\r\n",
            "\u{200B}",
            "\u{AD}",
            "\u{A0}",
            "•",
            "é",
        ]);
        prop::collection::vec(pieces, 0..60).prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn plain_never_panics_and_is_well_shaped(s in any::<String>()) {
            let out = normalize(&s, false);
            assert_normalized_shape(&out);
        }

        #[test]
        fn html_never_panics_and_is_well_shaped(s in any::<String>()) {
            let out = normalize(&s, true);
            assert_normalized_shape(&out);
        }

        #[test]
        fn tag_soup_never_panics_and_is_well_shaped(s in tag_soup()) {
            let out = normalize(&s, true);
            assert_normalized_shape(&out);
            let out = normalize(&s, false);
            assert_normalized_shape(&out);
        }
    }
}
