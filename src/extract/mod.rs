//! The pure extraction core: text in, records out.
//!
//! No I/O, no async, no clock, no global state, deterministic: the same
//! article and the same `received_at` give the same records and `record_id`s.
//! Extraction never fails; an article with nothing in it yields no records.

pub mod money;
pub mod normalize;
pub mod numbers;
pub mod sentences;
pub mod time;

use chrono::{DateTime, Utc};

use crate::knowledge::Knowledge;
use crate::model::{Article, ArticleRef, EnrichedArticle, TimeAnchor, ARTICLE_SCHEMA};

/// Runs every stage over one validated article. `received_at` anchors
/// relative dates when the article has no `published_at`.
pub fn extract(kb: &Knowledge, article: &Article, received_at: DateTime<Utc>) -> EnrichedArticle {
    let _ = (kb, received_at);
    let body = article.body.as_deref().unwrap_or("");
    let text = normalize::normalize(body, article.is_html());
    EnrichedArticle {
        schema: ARTICLE_SCHEMA.to_string(),
        record_id: format!("article-{}", article.id),
        article: article_ref(article),
        text,
        actors: Vec::new(),
        summits: Vec::new(),
        aid: Vec::new(),
        time_anchor: if article.published_at.is_some() {
            TimeAnchor::PublishedAt
        } else {
            TimeAnchor::ReceivedAt
        },
        diagnostics: Vec::new(),
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
