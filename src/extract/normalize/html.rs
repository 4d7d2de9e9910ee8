//! HTML bodies through a real parser (`scraper`, html5ever underneath):
//! picks the element that holds the story, drops page furniture by tag, ARIA
//! role, visibility and class/id words, and renders what is left through the
//! shared [`TextBuilder`].
//!
//! Must not: recurse over the tree (pages can nest arbitrarily deep), or
//! feed html5ever markup nested deeper than [`soup::MAX_TREE_DEPTH`]: such
//! pages go to the linear `soup` path instead.

use scraper::node::Element;
use scraper::{ElementRef, Html, Node};

use super::soup;
use super::{
    CharClass, Checkpoint, Gap, Newlines, TextBuilder, classify, is_block, is_dropped_tag,
};

/// How hard to filter. `Strict` adds the class/id/role/hidden heuristics to
/// the tag rules; `Lenient` is the fallback for pages where the heuristics
/// removed everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Filter {
    Strict,
    Lenient,
}

/// The containers a page is built from; the attribute heuristics never apply
/// to them, since a `<body class="has-cookie-banner">` must not lose the page.
fn is_page_container(name: &str) -> bool {
    matches!(name, "html" | "body" | "main" | "article")
}

/// ARIA landmarks and widgets that are page furniture, not story.
fn has_boilerplate_role(element: &Element) -> bool {
    element.attr("role").is_some_and(|roles| {
        roles.split_ascii_whitespace().any(|role| {
            matches!(
                role.to_ascii_lowercase().as_str(),
                "navigation"
                    | "banner"
                    | "contentinfo"
                    | "complementary"
                    | "search"
                    | "menu"
                    | "menubar"
                    | "toolbar"
                    | "dialog"
                    | "alertdialog"
            )
        })
    })
}

/// Hidden from readers, so not part of what the article says.
fn is_hidden(element: &Element) -> bool {
    if element.attr("hidden").is_some() {
        return true;
    }
    if element
        .attr("aria-hidden")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    {
        return true;
    }
    element.attr("style").is_some_and(|style| {
        let compact: String = style
            .chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect();
        compact.contains("display:none") || compact.contains("visibility:hidden")
    })
}

/// Word stems that mark a class or id as page furniture.
const BOILERPLATE_STEMS: &[&str] = &[
    "nav",
    "menu",
    "footer",
    "related",
    "share",
    "sharing",
    "social",
    "breadcrumb",
    "cookie",
    "newsletter",
    "advert",
    "promo",
    "subscribe",
    "subscriber",
    "subscription",
    "sidebar",
    "popup",
    "modal",
    "paywall",
    "sponsor",
    "comments",
];

/// What may follow a stem inside one class word ("navbar", "menuitems",
/// "advertisement"). A closed list, so that "navy" and similar
/// accidents stay rare: "nav" + "y" is not a match.
const BOILERPLATE_SUFFIXES: &[&str] = &[
    "",
    "s",
    "bar",
    "bars",
    "igation",
    "box",
    "links",
    "list",
    "item",
    "items",
    "wrap",
    "wrapper",
    "container",
    "block",
    "area",
    "isement",
    "isements",
    "ising",
    "tion",
    "tions",
    "ed",
    "ing",
    "button",
    "buttons",
    "tools",
    "toolbar",
    "panel",
    "widget",
    "module",
    "section",
];

/// Class words that are boilerplate only as a whole word.
const BOILERPLATE_WORDS: &[&str] = &["ad", "ads", "adslot", "dfp", "outbrain", "taboola"];

fn is_boilerplate_word(word: &str) -> bool {
    if BOILERPLATE_WORDS.contains(&word) {
        return true;
    }
    BOILERPLATE_STEMS.iter().any(|stem| {
        word.strip_prefix(stem)
            .is_some_and(|rest| BOILERPLATE_SUFFIXES.contains(&rest))
    })
}

/// Splits a class or id value into lower-case words: at anything that is not
/// a letter or digit, and at camelCase humps ("socialShare" → "social",
/// "share"), so that stems are matched against words and not substrings.
fn class_words(value: &str, mut visit: impl FnMut(&str) -> bool) -> bool {
    let mut word = String::new();
    let mut prev_lower = false;
    for c in value.chars() {
        if c.is_alphanumeric() {
            if c.is_uppercase() && prev_lower && !word.is_empty() {
                if visit(&word) {
                    return true;
                }
                word.clear();
            }
            prev_lower = c.is_lowercase() || c.is_ascii_digit();
            word.extend(c.to_lowercase());
        } else {
            if !word.is_empty() && visit(&word) {
                return true;
            }
            word.clear();
            prev_lower = false;
        }
    }
    !word.is_empty() && visit(&word)
}

fn has_boilerplate_class_or_id(element: &Element) -> bool {
    ["class", "id"].iter().any(|attr| {
        element
            .attr(attr)
            .is_some_and(|value| class_words(value, is_boilerplate_word))
    })
}

/// An element that is dropped outright, with everything inside it.
fn is_hard_dropped(element: &Element, filter: Filter) -> bool {
    let name = element.name();
    if is_dropped_tag(name) {
        return true;
    }
    if filter == Filter::Lenient || is_page_container(name) {
        return false;
    }
    is_hidden(element) || has_boilerplate_role(element)
}

/// An element whose class or id looks like boilerplate, or a form. It is
/// dropped unless its text turns out to read like an article (see
/// [`reads_like_content`]): a story body inside `<div class="story
/// share-enabled">` or inside a page-wide `<form>` must survive.
fn is_suspect(element: &Element, filter: Filter) -> bool {
    let name = element.name();
    filter == Filter::Strict
        && (name == "form" || (!is_page_container(name) && has_boilerplate_class_or_id(element)))
}

/// A suspect subtree is kept when it holds a lot of text and little of it is
/// link text: menus, share bars and related-story lists are mostly links,
/// cookie and newsletter boxes are short.
fn reads_like_content(visible: usize, link_visible: usize) -> bool {
    const MIN_VISIBLE: usize = 800;
    visible >= MIN_VISIBLE && link_visible * 5 < visible
}

// ---------------------------------------------------------------------------
// HTML: walking the tree.
// ---------------------------------------------------------------------------

trait Visitor<'a> {
    /// Called on entering an element; returns whether to visit its children.
    /// [`Visitor::leave`] is called only for elements entered this way.
    fn enter(&mut self, element: ElementRef<'a>) -> bool;
    fn leave(&mut self, element: ElementRef<'a>);
    fn text(&mut self, text: &'a str);
}

/// Visits the subtree under `container` (not `container` itself) in document
/// order. Iterative, so a deeply nested page cannot overflow the stack.
fn walk<'a>(container: ElementRef<'a>, visitor: &mut impl Visitor<'a>) {
    let mut next = container.first_child();
    while let Some(node) = next {
        let mut entered = false;
        match node.value() {
            Node::Text(text) => visitor.text(text),
            Node::Element(_) => {
                if let Some(element) = ElementRef::wrap(node) {
                    entered = visitor.enter(element);
                }
            }
            // Comments, doctypes and processing instructions carry no text.
            _ => {}
        }
        if entered {
            if let Some(child) = node.first_child() {
                next = Some(child);
                continue;
            }
            if let Some(element) = ElementRef::wrap(node) {
                visitor.leave(element);
            }
        }
        // Done with `node`: move to its next sibling, leaving every ancestor
        // whose last child this was.
        let mut current = node;
        next = loop {
            if let Some(sibling) = current.next_sibling() {
                break Some(sibling);
            }
            match current.parent() {
                Some(parent) if parent.id() != container.id() => {
                    if let Some(element) = ElementRef::wrap(parent) {
                        visitor.leave(element);
                    }
                    current = parent;
                }
                _ => break None,
            }
        };
    }
}

/// Counts visible characters under the strict filter (suspects skipped, not
/// rescued) to find the element that holds the story, and notes whether the
/// page has any block structure at all.
struct ContainerFinder<'a> {
    visible: usize,
    /// Outermost `<article>` elements with their visible character counts.
    articles: Vec<(ElementRef<'a>, usize)>,
    article_open: Option<(ElementRef<'a>, usize)>,
    main: Option<(ElementRef<'a>, usize)>,
    main_open: Option<(ElementRef<'a>, usize)>,
    body: Option<ElementRef<'a>>,
    has_structure: bool,
}

impl<'a> Visitor<'a> for ContainerFinder<'a> {
    fn enter(&mut self, element: ElementRef<'a>) -> bool {
        let e = element.value();
        let name = e.name();
        // A form is walked into: when it wraps the page, the story is in it.
        if is_hard_dropped(e, Filter::Strict) || (is_suspect(e, Filter::Strict) && name != "form") {
            return false;
        }
        if !matches!(name, "html" | "body") && (is_block(name) || name == "br") {
            self.has_structure = true;
        }
        if name == "body" && self.body.is_none() {
            self.body = Some(element);
        }
        if name == "article" && self.article_open.is_none() {
            self.article_open = Some((element, self.visible));
        }
        let is_main = name == "main"
            || e.attr("role")
                .is_some_and(|r| r.split_ascii_whitespace().any(|r| r == "main"));
        if is_main && self.main.is_none() && self.main_open.is_none() {
            self.main_open = Some((element, self.visible));
        }
        true
    }

    fn leave(&mut self, element: ElementRef<'a>) {
        if let Some((open, start)) = self.article_open
            && open == element
        {
            self.articles.push((open, self.visible - start));
            self.article_open = None;
        }
        if let Some((open, start)) = self.main_open
            && open == element
        {
            self.main = Some((open, self.visible - start));
            self.main_open = None;
        }
    }

    fn text(&mut self, text: &'a str) {
        self.visible += text
            .chars()
            .filter(|&c| matches!(classify(c), CharClass::Visible))
            .count();
    }
}

/// Renders the text under a container.
struct Renderer {
    builder: TextBuilder,
    filter: Filter,
    /// Newline handling for ordinary text: `Keep` only for pages without any
    /// block structure, which are plain text sent as HTML.
    newlines: Newlines,
    pre_depth: usize,
    /// One entry per open suspect element, innermost last.
    suspects: Vec<Checkpoint>,
}

impl<'a> Visitor<'a> for Renderer {
    fn enter(&mut self, element: ElementRef<'a>) -> bool {
        let e = element.value();
        let name = e.name();
        if is_hard_dropped(e, self.filter) {
            // A dropped block still separates what stands around it.
            if is_block(name) {
                self.builder.request(Gap::Paragraph);
            }
            return false;
        }
        if is_suspect(e, self.filter) {
            self.suspects.push(self.builder.checkpoint());
        }
        match name {
            "br" => self.builder.line_break(),
            "li" => {
                self.builder.request(Gap::Paragraph);
                self.builder.bullet = true;
            }
            "td" | "th" => self.builder.request(Gap::Space),
            "a" => self.builder.link_depth += 1,
            "pre" | "listing" | "plaintext" | "xmp" => self.pre_depth += 1,
            _ => {}
        }
        if is_block(name) {
            self.builder.request(Gap::Paragraph);
        }
        true
    }

    fn leave(&mut self, element: ElementRef<'a>) {
        let e = element.value();
        let name = e.name();
        match name {
            "li" => self.builder.bullet = false,
            "td" | "th" => self.builder.request(Gap::Space),
            "a" => self.builder.link_depth = self.builder.link_depth.saturating_sub(1),
            "pre" | "listing" | "plaintext" | "xmp" => {
                self.pre_depth = self.pre_depth.saturating_sub(1);
            }
            _ => {}
        }
        if is_block(name) {
            self.builder.request(Gap::Paragraph);
        }
        if is_suspect(e, self.filter)
            && let Some(start) = self.suspects.pop()
        {
            let visible = self.builder.visible - start.visible;
            let link_visible = self.builder.link_visible - start.link_visible;
            if !reads_like_content(visible, link_visible) {
                self.builder.rollback(start);
                if is_block(name) {
                    self.builder.request(Gap::Paragraph);
                }
            }
        }
    }

    fn text(&mut self, text: &'a str) {
        let newlines = if self.pre_depth > 0 {
            Newlines::Keep
        } else {
            self.newlines
        };
        self.builder.push_text(text, newlines);
    }
}

fn render(container: ElementRef<'_>, filter: Filter, newlines: Newlines) -> String {
    let mut renderer = Renderer {
        builder: TextBuilder::with_capacity(0),
        filter,
        newlines,
        pre_depth: 0,
        suspects: Vec::new(),
    };
    walk(container, &mut renderer);
    renderer.builder.finish()
}

/// The element whose text is the story: the largest outermost `<article>`,
/// else the first `<main>` (or `role="main"`), else `<body>`. An article or
/// main holding less than a third of the page's text is not trusted: that is
/// a teaser box, not the story.
fn pick_container<'a>(finder: &ContainerFinder<'a>, root: ElementRef<'a>) -> ElementRef<'a> {
    let total = finder.visible;
    let substantial = |len: usize| len > 0 && len * 3 >= total;
    let mut best: Option<(ElementRef<'a>, usize)> = None;
    for &(article, len) in &finder.articles {
        if best.is_none_or(|(_, best_len)| len > best_len) {
            best = Some((article, len));
        }
    }
    if let Some((article, len)) = best
        && substantial(len)
    {
        return article;
    }
    if let Some((main, len)) = finder.main
        && substantial(len)
    {
        return main;
    }
    finder.body.unwrap_or(root)
}

pub(super) fn html_to_text(body: &str) -> String {
    if soup::too_deep_for_tree(body) {
        return soup::soup_to_text(body);
    }
    let document = Html::parse_document(body);
    let root = document.root_element();
    let mut finder = ContainerFinder {
        visible: 0,
        articles: Vec::new(),
        article_open: None,
        main: None,
        main_open: None,
        body: None,
        has_structure: false,
    };
    walk(root, &mut finder);
    // Plain text sent as HTML (no block element, no <br>) keeps its own line
    // structure; in real markup the source's newlines are just whitespace.
    let newlines = if finder.has_structure {
        Newlines::Collapse
    } else {
        Newlines::Keep
    };
    let container = pick_container(&finder, root);
    let text = render(container, Filter::Strict, newlines);
    if !text.is_empty() {
        return text;
    }
    // The heuristics can be wrong about a whole page (a story inside a
    // short `<div class="menu-open">`); an empty article is worse than one
    // with some furniture left in.
    let text = render(root, Filter::Strict, newlines);
    if !text.is_empty() {
        return text;
    }
    render(root, Filter::Lenient, newlines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_words_split_on_separators_and_humps() {
        let mut words = Vec::new();
        class_words("site-Nav_bar socialShare X2y", |w| {
            words.push(w.to_string());
            false
        });
        assert_eq!(words, ["site", "nav", "bar", "social", "share", "x2y"]);
        assert!(is_boilerplate_word("navbar"));
        assert!(is_boilerplate_word("navigation"));
        assert!(is_boilerplate_word("advertisement"));
        assert!(!is_boilerplate_word("navy"));
        assert!(!is_boilerplate_word("canvas"));
        assert!(!is_boilerplate_word("shared"));
        assert!(!is_boilerplate_word("lead"));
    }
}
