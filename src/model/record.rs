//! Output records (contract §2): `summit/1`, `aid/1` and the enriched article.

use serde::{Deserialize, Serialize};

pub const SUMMIT_SCHEMA: &str = "summit/1";
pub const AID_SCHEMA: &str = "aid/1";
pub const ARTICLE_SCHEMA: &str = "article/1";

/// The article a record came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleRef {
    pub id: String,
    pub source: Option<String>,
    pub url: Option<String>,
    pub published_at: Option<String>,
    pub title: Option<String>,
}

/// The sentence a record came from. `start`/`end` count Unicode scalar values
/// (characters) in the normalized text; `byte_start`/`byte_end` are the same
/// span in UTF-8 bytes, always on char boundaries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub byte_start: usize,
    pub byte_end: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SummitStatus {
    Proposed,
    Planned,
    Held,
    Cancelled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AidStatus {
    Requested,
    Offered,
    Pledged,
    Delivered,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AidType {
    Economic,
    Humanitarian,
    Military,
    Loan,
    DebtRelief,
    Unspecified,
}

/// Where a relative date was anchored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeAnchor {
    /// The article's `published_at`.
    PublishedAt,
    /// The time the worker received the article (no `published_at`).
    ReceivedAt,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct When {
    pub text: String,
    /// First day, `YYYY-MM-DD`.
    pub start: String,
    /// Last day (inclusive), `YYYY-MM-DD`.
    pub end: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    pub text: String,
    pub country: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leader {
    pub name: String,
    pub code: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummitRecord {
    pub schema: String,
    pub record_id: String,
    pub event_key: String,
    pub article: ArticleRef,
    pub participants: Vec<String>,
    pub leaders: Vec<Leader>,
    pub status: SummitStatus,
    pub when: Option<When>,
    pub location: Option<Location>,
    pub evidence: Evidence,
    /// What relative dates were resolved against.
    pub time_anchor: TimeAnchor,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Amount {
    pub text: String,
    /// ISO 4217.
    pub currency: String,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AmountUsd {
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub rate_date: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AidRecord {
    pub schema: String,
    pub record_id: String,
    pub article: ArticleRef,
    pub donor: Option<String>,
    pub recipient: Option<String>,
    pub amount: Amount,
    pub amount_usd: Option<AmountUsd>,
    pub status: AidStatus,
    pub aid_type: AidType,
    pub condition: Option<String>,
    pub evidence: Evidence,
}

/// An actor mention in the normalized text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActorMention {
    pub code: String,
    pub text: String,
    /// Character offsets in the normalized text.
    pub start: usize,
    pub end: usize,
}

/// The enriched article: normalized text, actors and the records it yielded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrichedArticle {
    pub schema: String,
    pub record_id: String,
    pub article: ArticleRef,
    /// The normalized text every offset refers to.
    pub text: String,
    pub actors: Vec<ActorMention>,
    pub summits: Vec<SummitRecord>,
    pub aid: Vec<AidRecord>,
    pub time_anchor: TimeAnchor,
    /// Anything of note about this extraction (never an error).
    pub diagnostics: Vec<String>,
}

/// One output record, as written to a JSON Lines stream or a NATS subject.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Record {
    Summit(SummitRecord),
    Aid(AidRecord),
    Article(EnrichedArticle),
}

impl Record {
    pub fn record_id(&self) -> &str {
        match self {
            Record::Summit(r) => &r.record_id,
            Record::Aid(r) => &r.record_id,
            Record::Article(r) => &r.record_id,
        }
    }
}
