//! Wire and record types: the only place with serde derives for the contract.

mod article;
mod record;

pub use article::{Article, DEFAULT_MAX_ARTICLE_BYTES, InputError, RejectReason};
pub use record::*;
