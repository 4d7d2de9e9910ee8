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
    /// CAMEO 1.1b3 event code of the summit (data/event_codes.csv).
    pub cameo: String,
    /// PLOVER event type, mode and context of the summit (data/event_codes.csv).
    pub plover: Plover,
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

/// An amount converted to US dollars at a yearly average rate
/// (data/rates.csv), rounded to the cent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AmountUsd {
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// The last day of the year whose average rate was applied, `YYYY-12-31`.
    pub rate_date: String,
}

/// A record's coding in PLOVER (event type, mode, context); `mode` and
/// `context` are null where the crosswalk gives none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plover {
    pub event_type: String,
    pub mode: Option<String>,
    pub context: Option<String>,
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
    /// CAMEO 1.1b3 event code of the aid (data/event_codes.csv).
    pub cameo: String,
    /// PLOVER event type, mode and context of the aid (data/event_codes.csv).
    pub plover: Plover,
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
    /// How the body was fetched, for an article that came with only a
    /// `url`: `text` is the fetched page's article text, so nothing
    /// downstream needs to fetch it again. Absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fetched: Option<Fetched>,
}

/// The fetch that gave a URL-only article its body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fetched {
    /// The article's `url`, as given.
    pub url: String,
    /// The URL the body came from, after redirects.
    pub final_url: String,
    /// The HTTP status of the final response.
    pub status: u16,
    /// The media type, without parameters: `text/html` or `text/plain`.
    pub content_type: String,
    /// The encoding the body was decoded from (`UTF-8`, `windows-1252`, `Shift_JIS`, …).
    pub charset: String,
    /// The body's size in bytes, after content decoding (gzip, brotli).
    pub bytes: u64,
    /// Redirects followed.
    pub redirects: u32,
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
