//! sherpa: summit and aid records from news articles.
//!
//! The crate is a pure extraction core ([`extract`], [`knowledge`], [`model`],
//! [`eval`]) inside a thin I/O shell ([`commands`], [`shell`]). See
//! ARCHITECTURE.md for the map.

pub mod commands;
pub mod eval;
pub mod events;
pub mod extract;
pub mod knowledge;
pub mod model;
pub mod pipeline;
pub mod shell;
