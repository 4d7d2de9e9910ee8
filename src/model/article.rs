//! The raw input article (contract §1) and its validation.
//!
//! Validation is the only fallible step before extraction: a message that is
//! not JSON, lacks an `id`, or carries neither `body` nor `url` is rejected
//! with a [`RejectReason`] that the worker puts in the dead-letter header and
//! uses as a metric label.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Default maximum size of one raw article message, in bytes.
pub const DEFAULT_MAX_ARTICLE_BYTES: usize = 1024 * 1024;

/// A raw article as scrapers publish it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Article {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Every field the contract does not name, passed through untouched.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Why an input message was rejected. A small closed set: each code is used
/// both as the `Sherpa-Reason` dead-letter header and as a metric label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    InvalidUtf8,
    InvalidJson,
    MissingId,
    MissingContent,
    InvalidField,
    TooLarge,
    FetchFailed,
    ExtractPanicked,
}

impl RejectReason {
    /// Every reason, for pre-registering metric label values.
    pub const ALL: [RejectReason; 8] = [
        RejectReason::InvalidUtf8,
        RejectReason::InvalidJson,
        RejectReason::MissingId,
        RejectReason::MissingContent,
        RejectReason::InvalidField,
        RejectReason::TooLarge,
        RejectReason::FetchFailed,
        RejectReason::ExtractPanicked,
    ];

    /// The stable snake_case code.
    pub fn as_str(self) -> &'static str {
        match self {
            RejectReason::InvalidUtf8 => "invalid_utf8",
            RejectReason::InvalidJson => "invalid_json",
            RejectReason::MissingId => "missing_id",
            RejectReason::MissingContent => "missing_content",
            RejectReason::InvalidField => "invalid_field",
            RejectReason::TooLarge => "too_large",
            RejectReason::FetchFailed => "fetch_failed",
            RejectReason::ExtractPanicked => "extract_panicked",
        }
    }
}

impl std::fmt::Display for RejectReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rejected input: the reason code plus a human-readable message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}: {message}")]
pub struct InputError {
    pub reason: RejectReason,
    pub message: String,
}

impl InputError {
    pub fn new(reason: RejectReason, message: impl Into<String>) -> Self {
        InputError {
            reason,
            message: message.into(),
        }
    }
}

impl Article {
    /// Decodes and validates one raw message.
    pub fn from_slice(bytes: &[u8], max_bytes: usize) -> Result<Article, InputError> {
        if bytes.len() > max_bytes {
            return Err(InputError::new(
                RejectReason::TooLarge,
                format!("message is {} bytes, limit {max_bytes}", bytes.len()),
            ));
        }
        let text = std::str::from_utf8(bytes)
            .map_err(|e| InputError::new(RejectReason::InvalidUtf8, format!("not UTF-8: {e}")))?;
        Article::from_json_str(text)
    }

    /// Decodes and validates one JSON object.
    pub fn from_json_str(text: &str) -> Result<Article, InputError> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| InputError::new(RejectReason::InvalidJson, e.to_string()))?;
        let Value::Object(map) = value else {
            return Err(InputError::new(
                RejectReason::InvalidJson,
                "an article must be a JSON object",
            ));
        };
        match map.get("id") {
            None | Some(Value::Null) => {
                return Err(InputError::new(RejectReason::MissingId, "no `id` field"));
            }
            Some(Value::String(id)) if id.is_empty() => {
                return Err(InputError::new(RejectReason::MissingId, "`id` is empty"));
            }
            Some(Value::String(id)) if id.chars().count() > 256 => {
                return Err(InputError::new(
                    RejectReason::InvalidField,
                    "`id` is longer than 256 characters",
                ));
            }
            Some(Value::String(_)) => {}
            Some(_) => {
                return Err(InputError::new(
                    RejectReason::InvalidField,
                    "`id` must be a string",
                ));
            }
        }
        let article: Article = serde_json::from_value(Value::Object(map))
            .map_err(|e| InputError::new(RejectReason::InvalidField, e.to_string()))?;
        let has_body = article
            .body
            .as_deref()
            .is_some_and(|b| !b.trim().is_empty());
        let has_url = article.url.as_deref().is_some_and(|u| !u.trim().is_empty());
        if !has_body && !has_url {
            return Err(InputError::new(
                RejectReason::MissingContent,
                "neither `body` nor `url` is present",
            ));
        }
        if let Some(ct) = &article.content_type
            && ct != "text/plain"
            && ct != "text/html"
        {
            return Err(InputError::new(
                RejectReason::InvalidField,
                format!("`content_type` must be text/plain or text/html, not {ct:?}"),
            ));
        }
        if let Some(p) = &article.published_at
            && DateTime::parse_from_rfc3339(p).is_err()
        {
            return Err(InputError::new(
                RejectReason::InvalidField,
                format!("`published_at` is not RFC 3339: {p:?}"),
            ));
        }
        Ok(article)
    }

    /// `published_at` parsed; `None` when absent (validation guarantees it parses when present).
    pub fn published(&self) -> Option<DateTime<FixedOffset>> {
        self.published_at
            .as_deref()
            .and_then(|p| DateTime::parse_from_rfc3339(p).ok())
    }

    /// Whether the body is HTML.
    pub fn is_html(&self) -> bool {
        self.content_type.as_deref() == Some("text/html")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: Result<(), RejectReason>) {
        let got = Article::from_slice(input.as_bytes(), DEFAULT_MAX_ARTICLE_BYTES)
            .map(|_| ())
            .map_err(|e| e.reason);
        assert_eq!(got, expected, "input: {input}");
    }

    #[test]
    fn validation() {
        check(r#"{"id":"a","body":"x"}"#, Ok(()));
        check(r#"{"id":"a","url":"http://x"}"#, Ok(()));
        check(r#"{"id":"a"}"#, Err(RejectReason::MissingContent));
        check(r#"{"body":"x"}"#, Err(RejectReason::MissingId));
        check(r#"{"id":"","body":"x"}"#, Err(RejectReason::MissingId));
        check(r#"{"id":5,"body":"x"}"#, Err(RejectReason::InvalidField));
        check(r#"not json"#, Err(RejectReason::InvalidJson));
        check(r#"[1,2]"#, Err(RejectReason::InvalidJson));
        check(
            r#"{"id":"a","body":"x","published_at":"yesterday"}"#,
            Err(RejectReason::InvalidField),
        );
        check(
            r#"{"id":"a","body":"x","content_type":"image/png"}"#,
            Err(RejectReason::InvalidField),
        );
    }

    #[test]
    fn too_large_and_utf8() {
        let big = format!(r#"{{"id":"a","body":"{}"}}"#, "x".repeat(100));
        assert_eq!(
            Article::from_slice(big.as_bytes(), 50).unwrap_err().reason,
            RejectReason::TooLarge
        );
        assert_eq!(
            Article::from_slice(&[b'{', 0xff, b'}'], 50)
                .unwrap_err()
                .reason,
            RejectReason::InvalidUtf8
        );
    }

    #[test]
    fn extra_fields_pass_through() {
        let a = Article::from_json_str(r#"{"id":"a","body":"x","lang_score":0.9}"#).unwrap();
        assert_eq!(a.extra.get("lang_score"), Some(&serde_json::json!(0.9)));
    }
}
