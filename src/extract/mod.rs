//! The pure extraction core: text in, records out.
//!
//! No I/O, no async, no clock, no global state, deterministic: the same
//! article and the same `received_at` give the same records and `record_id`s.
//! Extraction never fails; an article with nothing in it yields no records.
//!
//! Stages: [`normalize`] → [`sentences`] → actor mentions (the gazetteer) →
//! [`summit`] and [`aid`] assembly (reading [`money`], [`time`] and the cue
//! lexicons) → records with [`ids`].

pub mod aid;
pub mod doc;
pub mod ids;
pub mod money;
pub mod normalize;
pub mod numbers;
pub mod sentences;
pub mod summit;
pub mod time;
pub mod usd;

use chrono::{DateTime, Datelike, Utc};

use crate::knowledge::Knowledge;
use crate::model::{
    AID_SCHEMA, ARTICLE_SCHEMA, ActorMention, AidRecord, Amount, Article, ArticleRef,
    EnrichedArticle, Evidence, SUMMIT_SCHEMA, SummitRecord, TimeAnchor, When,
};

use doc::Doc;

/// The text every offset refers to: the title as its first paragraph, then
/// the normalized body.
pub fn article_text(article: &Article) -> String {
    let body = normalize::normalize(article.body.as_deref().unwrap_or(""), article.is_html());
    let title = normalize::normalize(article.title.as_deref().unwrap_or(""), false);
    match (title.is_empty(), body.is_empty()) {
        (true, _) => body,
        (false, true) => title,
        (false, false) => format!("{title}\n\n{body}"),
    }
}

/// Runs every stage over one validated article. `received_at` anchors
/// relative dates when the article has no `published_at`.
pub fn extract(kb: &Knowledge, article: &Article, received_at: DateTime<Utc>) -> EnrichedArticle {
    let text = article_text(article);
    let published = article.published().map(|p| p.date_naive());
    let time_anchor = if published.is_some() {
        TimeAnchor::PublishedAt
    } else {
        TimeAnchor::ReceivedAt
    };
    let anchor = published.unwrap_or_else(|| received_at.date_naive());
    let sentences = kb.sentences.split(&text);
    let has_title = article
        .title
        .as_deref()
        .is_some_and(|t| !t.trim().is_empty());
    let doc = Doc::new(kb, &text, sentences, published, anchor, has_title);

    let content = ids::digest(&[&article.id, &text]);
    let article_ref = article_ref(article);
    let chars = CharIndex::new(&text);
    let evidence = |s: sentences::Sentence| Evidence {
        text: text[s.start..s.end].to_string(),
        start: chars.at(s.start),
        end: chars.at(s.end),
        byte_start: s.start,
        byte_end: s.end,
    };

    let summits: Vec<SummitRecord> = summit::find(&doc)
        .into_iter()
        .enumerate()
        .map(|(i, d)| {
            let month = d
                .when
                .as_ref()
                .map(|(_, first, _)| first.format("%Y-%m").to_string());
            let country = d.location.as_ref().and_then(|l| l.country.as_deref());
            let relation = kb.event_codes.relation(&d.participants, country);
            let codes = kb.event_codes.summit(d.status, relation);
            SummitRecord {
                schema: SUMMIT_SCHEMA.to_string(),
                record_id: ids::digest(&[
                    SUMMIT_SCHEMA,
                    &content,
                    &d.participants.join("+"),
                    &i.to_string(),
                ]),
                event_key: ids::event_key(&d.participants, month.as_deref()),
                article: article_ref.clone(),
                participants: d.participants,
                leaders: d.leaders.into_iter().map(|l| l.leader).collect(),
                status: d.status,
                when: d.when.map(|(text, first, last)| When {
                    text,
                    start: first.to_string(),
                    end: last.to_string(),
                }),
                location: d.location,
                cameo: codes.cameo.clone(),
                plover: codes.plover.clone(),
                evidence: evidence(d.evidence),
                time_anchor,
            }
        })
        .collect();
    let aid: Vec<AidRecord> = aid::find(&doc)
        .into_iter()
        .enumerate()
        .map(|(i, d)| {
            let record_id = ids::digest(&[AID_SCHEMA, &content, &d.currency, &i.to_string()]);
            let amount = Amount {
                text: d.text,
                currency: d.currency,
                min: d.min,
                max: d.max,
            };
            // The rate of the year the article was written (or received).
            let amount_usd = usd::amount_usd(&kb.rates, &amount, anchor.year());
            let codes = kb.event_codes.aid(d.status, d.aid_type);
            AidRecord {
                schema: AID_SCHEMA.to_string(),
                record_id,
                article: article_ref.clone(),
                donor: d.donor,
                recipient: d.recipient,
                amount,
                amount_usd,
                status: d.status,
                aid_type: d.aid_type,
                condition: d.condition,
                cameo: codes.cameo.clone(),
                plover: codes.plover.clone(),
                evidence: evidence(d.evidence),
            }
        })
        .collect();
    let actors = doc
        .mentions
        .iter()
        .map(|m| ActorMention {
            code: m.hit.code.clone(),
            text: text[m.hit.start..m.hit.end].to_string(),
            start: chars.at(m.hit.start),
            end: chars.at(m.hit.end),
        })
        .collect();
    let mut diagnostics = Vec::new();
    if published.is_none() {
        diagnostics.push(format!(
            "no published_at: relative dates resolved against the time received, {}",
            received_at.to_rfc3339()
        ));
    }
    EnrichedArticle {
        schema: ARTICLE_SCHEMA.to_string(),
        record_id: ids::digest(&[ARTICLE_SCHEMA, &content]),
        article: article_ref,
        actors,
        summits,
        aid,
        time_anchor,
        diagnostics,
        text,
        fetched: None,
    }
}

/// Byte offset → char offset, in O(log n) per look-up.
struct CharIndex {
    /// Byte offsets of every char start, ascending.
    starts: Vec<usize>,
}

impl CharIndex {
    fn new(text: &str) -> CharIndex {
        CharIndex {
            starts: text.char_indices().map(|(i, _)| i).collect(),
        }
    }

    fn at(&self, byte: usize) -> usize {
        self.starts.partition_point(|&b| b < byte)
    }
}

fn article_ref(a: &Article) -> ArticleRef {
    ArticleRef {
        id: a.id.clone(),
        source: a.source.clone(),
        url: a.url.clone(),
        published_at: a.published_at.clone(),
        title: a.title.clone(),
    }
}

/// Helpers for the core's unit tests: one compiled `Knowledge` for all of
/// them, and articles made from a few fields.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// Compiled once for every test (tests only: the core itself holds no
    /// global state).
    pub fn kb() -> &'static Knowledge {
        static KB: std::sync::OnceLock<Knowledge> = std::sync::OnceLock::new();
        KB.get_or_init(|| Knowledge::builtin().unwrap())
    }

    pub fn article(title: Option<&str>, body: &str, published: &str, html: bool) -> Article {
        Article {
            id: "t".into(),
            title: title.map(str::to_string),
            body: Some(body.into()),
            content_type: Some(if html { "text/html" } else { "text/plain" }.into()),
            url: None,
            source: None,
            published_at: Some(published.into()),
            language: None,
            extra: Default::default(),
        }
    }

    /// Runs the core over a body published at `published` (also the time received).
    pub fn extract_body(body: &str, published: &str) -> EnrichedArticle {
        let now = DateTime::parse_from_rfc3339(published).unwrap().to_utc();
        extract(kb(), &article(None, body, published, false), now)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::testing::kb;
    use super::*;

    fn article(title: &str, body: &str, html: bool) -> Article {
        super::testing::article(Some(title), body, "2018-03-29T10:00:00Z", html)
    }

    /// Text built from words the extractors react to, glued with odd
    /// punctuation and multi-byte characters, so random inputs reach deep
    /// into the assembly code.
    fn newsy() -> impl Strategy<Value = String> {
        let words = prop::sample::select(vec![
            "summit",
            "Summits",
            "met",
            "will meet",
            "talks with",
            "the two leaders",
            "Japan",
            "North Korea",
            "Kim",
            "Abe",
            "Pyongyang",
            "U.S.",
            "EU",
            "G20",
            "IMF",
            "World Bank",
            "aid",
            "loan",
            "pledged",
            "$20 billion to $50 billion",
            "£2.5bn",
            "300 mln dlrs",
            "in early June",
            "on Thursday",
            "last year",
            "•",
            "—",
            "é",
            "日本",
            "\n\n",
            ",",
            ".",
            "(",
            ")",
            "\"",
            "respectively",
            "with",
            "and",
            "in",
            "to",
            "from",
            "if",
            "-",
            "HANOI (Reuters) -",
            "called off",
            "could",
            "<p>",
            "</p>",
            "<script>",
            "&amp;",
        ]);
        prop::collection::vec(words, 0..60).prop_map(|w| w.join(" "))
    }

    fn check_offsets(e: &EnrichedArticle) {
        let chars: Vec<(usize, char)> = e.text.char_indices().collect();
        let evidences = e
            .summits
            .iter()
            .map(|s| &s.evidence)
            .chain(e.aid.iter().map(|a| &a.evidence));
        for ev in evidences {
            assert!(e.text.is_char_boundary(ev.byte_start) && e.text.is_char_boundary(ev.byte_end));
            assert_eq!(&e.text[ev.byte_start..ev.byte_end], ev.text);
            let char_start = chars.iter().position(|(b, _)| *b == ev.byte_start);
            assert_eq!(char_start.unwrap_or(chars.len()), ev.start);
            assert_eq!(ev.end - ev.start, ev.text.chars().count());
        }
        for a in &e.aid {
            if let (Some(min), Some(max)) = (a.amount.min, a.amount.max) {
                assert!(min <= max);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        #[test]
        fn never_panics_and_offsets_slice_the_text(
            title in newsy(),
            body in newsy(),
            html in any::<bool>(),
        ) {
            let now = DateTime::parse_from_rfc3339("2018-03-29T10:00:00Z").unwrap().to_utc();
            let a = article(&title, &body, html);
            let first = extract(kb(), &a, now);
            check_offsets(&first);
            // Deterministic: the same input gives the same records and ids.
            prop_assert_eq!(first, extract(kb(), &a, now));
        }

        #[test]
        fn never_panics_on_arbitrary_text(body in any::<String>(), html in any::<bool>()) {
            let now = DateTime::parse_from_rfc3339("2018-03-29T10:00:00Z").unwrap().to_utc();
            check_offsets(&extract(kb(), &article("", &body, html), now));
        }
    }
}
