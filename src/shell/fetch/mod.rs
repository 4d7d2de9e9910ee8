//! Fetching the body of a URL-only article over HTTP(S), safely.
//!
//! Some scrapers publish only a `url`; both `sherpa run` and `sherpa
//! extract` fetch it here, then hand the text to the core (HTML goes through
//! the core's own normalization, which keeps the article and drops
//! navigation, scripts, footers and the like).
//!
//! What a fetch guarantees:
//! - only `http` and `https`, and only addresses the [`guard`] allows: by
//!   default nothing but the public internet, checked for literal hosts, for
//!   every resolved address and for the peer of every connection, on every
//!   redirect hop (redirects are followed here, not by reqwest);
//! - a connect timeout, and a total timeout per attempt covering the whole
//!   redirect chain and the body; a redirect limit; a body limit (default
//!   5 MiB, counted after gzip / brotli decoding, so a compression bomb is
//!   cut off too) enforced while streaming;
//! - only `text/html` and `text/plain`, decoded to UTF-8 from the charset in
//!   the headers or the page's `<meta>` tag;
//! - retries with exponential backoff and jitter on timeouts, network
//!   errors, 5xx, 408 and 429, honouring `Retry-After`; a global and a
//!   per-host concurrency limit;
//! - every failure classified once ([`FetchError::class`]) as retryable or
//!   final, and counted (`sherpa_fetch_total{outcome}`,
//!   `sherpa_fetch_duration_seconds`).
//!
//! Proxies from the environment are ignored: a proxy would make the
//! connection's peer the proxy, and the guard could no longer see where a
//! request goes.

mod decode;
pub mod guard;
mod retry;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use ipnet::IpNet;
use reqwest::Url;
use reqwest::header::{ACCEPT, CONTENT_TYPE, LOCATION, RETRY_AFTER};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

pub use decode::{DecodeFailure, Decoded, MediaType, decode, parse_content_type};
pub use guard::{AddressClass, AddressPolicy, Blocked, parse_allow};
pub use retry::{backoff, parse_retry_after};

use crate::model::Fetched;
use crate::shell::duration::parse_duration;
use guard::{ConnectGuardLayer, GuardedResolver};

/// Default largest body read, in bytes (after content decoding).
pub const DEFAULT_MAX_BODY_BYTES: u64 = 5 * 1024 * 1024;

/// The `User-Agent` of every fetch.
pub const USER_AGENT: &str = concat!(
    "sherpa/",
    env!("CARGO_PKG_VERSION"),
    " (news-ingest worker)"
);

/// Counter of fetches by outcome: `ok` or a [`FetchError::class`]. Described
/// (and every outcome pre-registered) with the other metrics in
/// [`crate::events`].
pub const METRIC_FETCH_TOTAL: &str = "sherpa_fetch_total";
/// Histogram of the time one fetch took, retries and redirects included, in
/// seconds: the fetch stage's histogram in [`crate::events`].
pub const METRIC_FETCH_DURATION: &str = "sherpa_fetch_duration_seconds";

/// Every value of the `outcome` label of [`METRIC_FETCH_TOTAL`].
pub const OUTCOMES: [&str; 10] = [
    "ok",
    "timeout",
    "too_large",
    "bad_status",
    "blocked_address",
    "unsupported_type",
    "decode_error",
    "network_error",
    "invalid_url",
    "internal",
];

const ACCEPT_VALUE: &str = "text/html,text/plain;q=0.9,*/*;q=0.1";

/// The fetch flags shared by `sherpa run` and `sherpa extract`.
#[derive(Debug, Clone, clap::Args)]
pub struct FetchArgs {
    /// Address range (CIDR, or one address) that fetching may reach although
    /// the SSRF guard refuses it (loopback, private, link-local, …).
    /// Repeatable; SHERPA_FETCH_ALLOW takes a comma-separated list.
    #[arg(
        long,
        env = "SHERPA_FETCH_ALLOW",
        value_name = "CIDR",
        value_delimiter = ',',
        value_parser = parse_allow
    )]
    pub fetch_allow: Vec<IpNet>,
    /// How long connecting to a server may take (TCP and TLS).
    #[arg(long, env = "SHERPA_FETCH_CONNECT_TIMEOUT", default_value = "5s", value_parser = parse_duration)]
    pub fetch_connect_timeout: Duration,
    /// How long one attempt may take in all: connecting, redirects, the body.
    #[arg(long, env = "SHERPA_FETCH_TIMEOUT", default_value = "20s", value_parser = parse_duration)]
    pub fetch_timeout: Duration,
    /// Redirects followed before giving up (`bad_status`).
    #[arg(long, env = "SHERPA_FETCH_MAX_REDIRECTS", default_value_t = 5)]
    pub fetch_max_redirects: u32,
    /// Largest body read, in bytes after decompression (`too_large` above it).
    #[arg(long, env = "SHERPA_FETCH_MAX_BYTES", default_value_t = DEFAULT_MAX_BODY_BYTES)]
    pub fetch_max_bytes: u64,
    /// Retries of one fetch after a timeout, a network error, 5xx, 408 or 429.
    #[arg(long, env = "SHERPA_FETCH_RETRIES", default_value_t = 2)]
    pub fetch_retries: u32,
    /// Delay before the first retry; doubles each time, with jitter.
    #[arg(long, env = "SHERPA_FETCH_RETRY_DELAY", default_value = "500ms", value_parser = parse_duration)]
    pub fetch_retry_delay: Duration,
    /// Longest wait between retries; a longer `Retry-After` ends the fetch as retryable.
    #[arg(long, env = "SHERPA_FETCH_RETRY_MAX_DELAY", default_value = "10s", value_parser = parse_duration)]
    pub fetch_retry_max_delay: Duration,
    /// Fetches in flight at once, in all.
    #[arg(long, env = "SHERPA_FETCH_CONCURRENCY", default_value_t = 32)]
    pub fetch_concurrency: usize,
    /// Fetches in flight at once to one host.
    #[arg(long, env = "SHERPA_FETCH_PER_HOST", default_value_t = 4)]
    pub fetch_per_host: usize,
}

impl FetchArgs {
    /// The settings these flags give.
    pub fn config(&self) -> FetchConfig {
        FetchConfig {
            allow: self.fetch_allow.clone(),
            connect_timeout: self.fetch_connect_timeout,
            timeout: self.fetch_timeout,
            max_redirects: self.fetch_max_redirects,
            max_bytes: self.fetch_max_bytes,
            retries: self.fetch_retries,
            retry_delay: self.fetch_retry_delay,
            retry_max_delay: self.fetch_retry_max_delay.max(self.fetch_retry_delay),
            concurrency: self.fetch_concurrency.max(1),
            per_host: self.fetch_per_host.max(1),
            user_agent: USER_AGENT.to_string(),
        }
    }
}

/// How fetches are made. [`Default`] matches the flags' defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchConfig {
    /// Ranges reachable although the guard refuses them.
    pub allow: Vec<IpNet>,
    pub connect_timeout: Duration,
    /// Per attempt, redirects and body included.
    pub timeout: Duration,
    pub max_redirects: u32,
    pub max_bytes: u64,
    pub retries: u32,
    pub retry_delay: Duration,
    pub retry_max_delay: Duration,
    pub concurrency: usize,
    pub per_host: usize,
    pub user_agent: String,
}

impl Default for FetchConfig {
    fn default() -> Self {
        FetchConfig {
            allow: Vec::new(),
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(20),
            max_redirects: 5,
            max_bytes: DEFAULT_MAX_BODY_BYTES,
            retries: 2,
            retry_delay: Duration::from_millis(500),
            retry_max_delay: Duration::from_secs(10),
            concurrency: 32,
            per_host: 4,
            user_agent: USER_AGENT.to_string(),
        }
    }
}

/// Why a fetch failed. [`FetchError::class`] is the closed set of codes used
/// in `Sherpa-Error`, on stderr and as the metric label;
/// [`FetchError::is_retryable`] says whether trying later may help.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("no complete response from {url} within {}ms", limit.as_millis())]
    Timeout { url: String, limit: Duration },
    #[error("the body of {url} is larger than {limit} bytes")]
    TooLarge { url: String, limit: u64 },
    #[error("HTTP {status} from {url}")]
    BadStatus {
        url: String,
        status: u16,
        /// The server's `Retry-After`, if it sent one.
        retry_after: Option<Duration>,
    },
    #[error("{reason} at {url}")]
    Redirect { url: String, reason: String },
    #[error("{url} refused: {reason}")]
    BlockedAddress { url: String, reason: Blocked },
    #[error("{url} is {content_type}, not text/html or text/plain")]
    UnsupportedType { url: String, content_type: String },
    #[error("cannot decode the body of {url}: {reason}")]
    DecodeError { url: String, reason: String },
    #[error("network error fetching {url}: {reason}")]
    Network { url: String, reason: String },
    #[error("invalid URL {url:?}: {reason}")]
    InvalidUrl { url: String, reason: String },
    #[error("fetching {url} failed inside sherpa: {reason}")]
    Internal { url: String, reason: String },
}

impl FetchError {
    /// The failure class: `timeout`, `too_large`, `bad_status` (a redirect
    /// loop included), `blocked_address` (a refused scheme included),
    /// `unsupported_type`, `decode_error`, `network_error` (DNS, refused or
    /// reset connections, TLS), `invalid_url` or `internal`.
    pub fn class(&self) -> &'static str {
        match self {
            FetchError::Timeout { .. } => "timeout",
            FetchError::TooLarge { .. } => "too_large",
            FetchError::BadStatus { .. } | FetchError::Redirect { .. } => "bad_status",
            FetchError::BlockedAddress { .. } => "blocked_address",
            FetchError::UnsupportedType { .. } => "unsupported_type",
            FetchError::DecodeError { .. } => "decode_error",
            FetchError::Network { .. } => "network_error",
            FetchError::InvalidUrl { .. } => "invalid_url",
            FetchError::Internal { .. } => "internal",
        }
    }

    /// Whether the same fetch may succeed later: timeouts, network errors,
    /// 5xx, 408 and 429. Everything else is final.
    pub fn is_retryable(&self) -> bool {
        match self {
            FetchError::Timeout { .. } | FetchError::Network { .. } => true,
            FetchError::Internal { .. } => true,
            FetchError::BadStatus { status, .. } => {
                *status >= 500 || *status == 408 || *status == 429
            }
            _ => false,
        }
    }

    /// How long the server asked us to wait before trying again.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            FetchError::BadStatus { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// `"<class>: <message>"`, as the dead-letter header and stderr show it.
    pub fn describe(&self) -> String {
        format!("{}: {self}", self.class())
    }
}

/// A fetched page: its text (UTF-8, not yet normalized) and how it came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedPage {
    pub fetched: Fetched,
    pub text: String,
    /// `text/html` (else `text/plain`).
    pub is_html: bool,
}

/// The HTTP client could not be built (no TLS roots, …).
#[derive(Debug, thiserror::Error)]
#[error("cannot build the HTTP client")]
pub struct FetchSetupError(#[source] reqwest::Error);

/// Fetches article bodies. Cheap to clone; clones share the connection
/// pool and the concurrency limits.
#[derive(Clone)]
pub struct Fetcher {
    inner: Arc<Inner>,
}

struct Inner {
    client: reqwest::Client,
    policy: Arc<AddressPolicy>,
    config: FetchConfig,
    global: Arc<Semaphore>,
    hosts: Mutex<HashMap<String, Arc<Semaphore>>>,
}

impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetcher")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

/// Per-host semaphores kept before idle ones are dropped.
const MAX_TRACKED_HOSTS: usize = 4096;

impl Fetcher {
    /// A fetcher with these settings. Needs no runtime to build; fetching
    /// needs a tokio runtime.
    pub fn new(config: FetchConfig) -> Result<Fetcher, FetchSetupError> {
        let policy = Arc::new(AddressPolicy::new(config.allow.clone()));
        let client = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .referer(false)
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            .pool_idle_timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(config.per_host)
            .dns_resolver(Arc::new(GuardedResolver::new(policy.clone())))
            .connector_layer(ConnectGuardLayer::new(policy.clone()))
            .build()
            .map_err(FetchSetupError)?;
        Ok(Fetcher {
            inner: Arc::new(Inner {
                client,
                policy,
                global: Arc::new(Semaphore::new(config.concurrency.max(1))),
                config,
                hosts: Mutex::new(HashMap::new()),
            }),
        })
    }

    /// The settings.
    pub fn config(&self) -> &FetchConfig {
        &self.inner.config
    }

    /// Fetches `url`, retrying as configured.
    pub async fn fetch(&self, url: &str) -> Result<FetchedPage, FetchError> {
        self.fetch_before(url, None).await
    }

    /// [`Fetcher::fetch`], giving up by `deadline`: no attempt runs past it
    /// and no retry starts that could not finish before it (the worker
    /// passes a share of the ack wait, so a slow site cannot make the
    /// broker redeliver a message still being worked on).
    pub async fn fetch_before(
        &self,
        url: &str,
        deadline: Option<Instant>,
    ) -> Result<FetchedPage, FetchError> {
        let started = Instant::now();
        let result = self.fetch_with_retries(url, deadline).await;
        let outcome = match &result {
            Ok(_) => "ok",
            Err(err) => err.class(),
        };
        metrics::counter!(METRIC_FETCH_TOTAL, "outcome" => outcome).increment(1);
        metrics::histogram!(METRIC_FETCH_DURATION).record(started.elapsed().as_secs_f64());
        match &result {
            Ok(page) => tracing::debug!(
                url,
                final_url = %page.fetched.final_url,
                status = page.fetched.status,
                bytes = page.fetched.bytes,
                elapsed_ms = started.elapsed().as_millis() as u64,
                "article fetched"
            ),
            Err(err) => tracing::debug!(
                url,
                class = err.class(),
                error = %err,
                elapsed_ms = started.elapsed().as_millis() as u64,
                "fetch failed"
            ),
        }
        result
    }

    async fn fetch_with_retries(
        &self,
        url: &str,
        deadline: Option<Instant>,
    ) -> Result<FetchedPage, FetchError> {
        let config = &self.inner.config;
        let parsed = Url::parse(url.trim()).map_err(|err| FetchError::InvalidUrl {
            url: url.to_string(),
            reason: err.to_string(),
        })?;
        let mut retry = 0;
        loop {
            let err = match self.attempt(url, &parsed, deadline).await {
                Ok(page) => return Ok(page),
                Err(err) => err,
            };
            if !err.is_retryable() || retry >= config.retries {
                return Err(err);
            }
            let mut delay = backoff(retry, config.retry_delay, config.retry_max_delay);
            if let Some(after) = err.retry_after() {
                // Longer than we wait in place: the caller decides (the
                // worker hands the message back with that delay).
                if after > config.retry_max_delay {
                    return Err(err);
                }
                delay = delay.max(after);
            }
            if deadline.is_some_and(|d| Instant::now() + delay >= d) {
                return Err(err);
            }
            tracing::debug!(
                url,
                class = err.class(),
                error = %err,
                retry = retry + 1,
                delay_ms = delay.as_millis() as u64,
                "fetch failed; retrying"
            );
            tokio::time::sleep(delay).await;
            retry += 1;
        }
    }

    /// One attempt: the redirect chain and the body, within the timeout.
    async fn attempt(
        &self,
        original: &str,
        url: &Url,
        deadline: Option<Instant>,
    ) -> Result<FetchedPage, FetchError> {
        let inner = &self.inner;
        let _global =
            inner
                .global
                .clone()
                .acquire_owned()
                .await
                .map_err(|err| FetchError::Internal {
                    url: url.to_string(),
                    reason: err.to_string(),
                })?;
        let now = Instant::now();
        let mut limit = now + inner.config.timeout;
        if let Some(deadline) = deadline {
            limit = limit.min(deadline);
        }
        match tokio::time::timeout_at(limit, self.follow(original, url)).await {
            Ok(result) => result,
            Err(_) => Err(FetchError::Timeout {
                url: url.to_string(),
                limit: limit.saturating_duration_since(now),
            }),
        }
    }

    /// GETs `start`, following redirects by hand so that every hop passes
    /// the guard.
    async fn follow(&self, original: &str, start: &Url) -> Result<FetchedPage, FetchError> {
        let inner = &self.inner;
        let config = &inner.config;
        let mut current = start.clone();
        let mut redirects = 0u32;
        loop {
            inner
                .policy
                .check_url(&current)
                .map_err(|reason| FetchError::BlockedAddress {
                    url: current.to_string(),
                    reason,
                })?;
            let _host = self.host_permit(&current).await;
            let response = inner
                .client
                .get(current.clone())
                .header(ACCEPT, ACCEPT_VALUE)
                .send()
                .await
                .map_err(|err| self.classify(&current, &err))?;
            // The connect guard has already checked the peer; this is the
            // same check on what the response says it came from.
            if let Some(peer) = response.remote_addr() {
                inner
                    .policy
                    .check(peer.ip())
                    .map_err(|reason| FetchError::BlockedAddress {
                        url: current.to_string(),
                        reason,
                    })?;
            }
            let status = response.status();
            if status.is_redirection() {
                let location = response
                    .headers()
                    .get(LOCATION)
                    .and_then(|v| v.to_str().ok());
                match (status.as_u16(), location) {
                    (301 | 302 | 303 | 307 | 308, Some(location)) => {
                        redirects += 1;
                        if redirects > config.max_redirects {
                            return Err(FetchError::Redirect {
                                url: start.to_string(),
                                reason: format!("more than {} redirects", config.max_redirects),
                            });
                        }
                        current = current.join(location).map_err(|err| FetchError::Redirect {
                            url: current.to_string(),
                            reason: format!("unusable redirect to {location:?} ({err})"),
                        })?;
                        continue;
                    }
                    _ => {
                        return Err(FetchError::BadStatus {
                            url: current.to_string(),
                            status: status.as_u16(),
                            retry_after: None,
                        });
                    }
                }
            }
            if !status.is_success() {
                let retry_after = response
                    .headers()
                    .get(RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| parse_retry_after(v, chrono::Utc::now()));
                return Err(FetchError::BadStatus {
                    url: current.to_string(),
                    status: status.as_u16(),
                    retry_after,
                });
            }
            let media = response
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(parse_content_type);
            let media = match media {
                Some(m) if m.essence == "text/html" || m.essence == "text/plain" => m,
                other => {
                    return Err(FetchError::UnsupportedType {
                        url: current.to_string(),
                        content_type: other
                            .map(|m| m.essence)
                            .filter(|e| !e.is_empty())
                            .unwrap_or_else(|| "without a Content-Type".to_string()),
                    });
                }
            };
            let body = self.read_body(response, &current).await?;
            let is_html = media.essence == "text/html";
            let decoded = decode(&body, media.charset.as_deref(), is_html).map_err(|err| {
                FetchError::DecodeError {
                    url: current.to_string(),
                    reason: err.to_string(),
                }
            })?;
            return Ok(FetchedPage {
                fetched: Fetched {
                    url: original.to_string(),
                    final_url: current.to_string(),
                    status: status.as_u16(),
                    content_type: media.essence,
                    charset: decoded.charset.to_string(),
                    bytes: body.len() as u64,
                    redirects,
                },
                text: decoded.text,
                is_html,
            });
        }
    }

    /// Reads the body, stopping as soon as it passes the limit.
    async fn read_body(
        &self,
        mut response: reqwest::Response,
        url: &Url,
    ) -> Result<Vec<u8>, FetchError> {
        let limit = self.inner.config.max_bytes;
        let too_large = || FetchError::TooLarge {
            url: url.to_string(),
            limit,
        };
        if response.content_length().is_some_and(|len| len > limit) {
            return Err(too_large());
        }
        let expected = response.content_length().unwrap_or(64 * 1024).min(limit);
        let mut body = Vec::with_capacity(usize::try_from(expected).unwrap_or(0));
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|err| self.classify(url, &err))?
        {
            if (body.len() + chunk.len()) as u64 > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    /// One of the `per_host` permits of `url`'s host and port.
    async fn host_permit(&self, url: &Url) -> Option<OwnedSemaphorePermit> {
        let key = format!(
            "{}:{}",
            url.host_str().unwrap_or(""),
            url.port_or_known_default().unwrap_or(0)
        );
        let semaphore = {
            let mut hosts = self
                .inner
                .hosts
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if hosts.len() >= MAX_TRACKED_HOSTS {
                hosts.retain(|_, s| Arc::strong_count(s) > 1);
            }
            hosts
                .entry(key)
                .or_insert_with(|| Arc::new(Semaphore::new(self.inner.config.per_host.max(1))))
                .clone()
        };
        semaphore.acquire_owned().await.ok()
    }

    fn classify(&self, url: &Url, err: &reqwest::Error) -> FetchError {
        let url = url.to_string();
        if let Some(blocked) = guard::find_blocked(err) {
            return FetchError::BlockedAddress {
                url,
                reason: blocked.clone(),
            };
        }
        if err.is_timeout() {
            let limit = if err.is_connect() {
                self.inner.config.connect_timeout
            } else {
                self.inner.config.timeout
            };
            return FetchError::Timeout { url, limit };
        }
        if err.is_decode() {
            return FetchError::DecodeError {
                url,
                reason: causes(err),
            };
        }
        if err.is_builder() {
            return FetchError::InvalidUrl {
                url,
                reason: causes(err),
            };
        }
        FetchError::Network {
            url,
            reason: causes(err),
        }
    }
}

/// An error's causes, innermost last, without reqwest's outer "error
/// sending request for url (…)" (the URL is in the message already).
fn causes(err: &reqwest::Error) -> String {
    let mut parts = Vec::new();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        parts.push(cause.to_string());
        source = cause.source();
    }
    if parts.is_empty() {
        err.to_string()
    } else {
        parts.join(": ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A name that resolves to loopback behind the guard's back (as a
    /// rebinding DNS server would after the check) must still be refused:
    /// the connect guard sees the real peer and no request byte is sent.
    #[tokio::test]
    async fn the_connect_guard_refuses_a_peer_the_resolver_did_not_check() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(AtomicUsize::new(0));
        let seen = received.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().take(4) {
                let Ok(mut stream) = stream else { continue };
                let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
                let mut buf = [0u8; 1024];
                let n = stream.read(&mut buf).unwrap_or(0);
                seen.fetch_add(n, Ordering::SeqCst);
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi",
                );
            }
        });
        let policy = Arc::new(AddressPolicy::default());
        // The lying resolver: every name is 127.0.0.1, unchecked.
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .resolve("rebind.test", ([127, 0, 0, 1], port).into())
            .connector_layer(ConnectGuardLayer::new(policy))
            .build()
            .unwrap();
        let err = client
            .get(format!("http://rebind.test:{port}/"))
            .send()
            .await
            .unwrap_err();
        let blocked = guard::find_blocked(&err).cloned();
        assert!(
            matches!(
                blocked,
                Some(Blocked::Address {
                    class: AddressClass::Loopback,
                    ..
                })
            ),
            "{err:?}"
        );
        tokio::time::sleep(Duration::from_millis(600)).await;
        assert_eq!(
            received.load(Ordering::SeqCst),
            0,
            "no request byte reached the server"
        );
    }

    #[test]
    fn the_fetch_metrics_are_the_ones_events_describes() {
        use crate::events::{METRICS, Stage};
        assert_eq!(Stage::Fetch.metric_name(), METRIC_FETCH_DURATION);
        let total = METRICS
            .iter()
            .find(|m| m.name == METRIC_FETCH_TOTAL)
            .expect("sherpa_fetch_total is described");
        assert_eq!(total.labels, ["outcome"]);
    }

    #[test]
    fn classes_and_retryability() {
        let url = "http://x/".to_string();
        let status = |status, retry_after| FetchError::BadStatus {
            url: url.clone(),
            status,
            retry_after,
        };
        assert!(status(503, None).is_retryable());
        assert!(status(429, Some(Duration::from_secs(3))).is_retryable());
        assert_eq!(
            status(429, Some(Duration::from_secs(3))).retry_after(),
            Some(Duration::from_secs(3))
        );
        assert!(!status(404, None).is_retryable());
        assert_eq!(status(404, None).class(), "bad_status");
        assert_eq!(
            status(404, None).describe(),
            "bad_status: HTTP 404 from http://x/"
        );
        let timeout = FetchError::Timeout {
            url: url.clone(),
            limit: Duration::from_secs(1),
        };
        assert!(timeout.is_retryable());
        assert_eq!(timeout.class(), "timeout");
        let blocked = FetchError::BlockedAddress {
            url,
            reason: Blocked::Scheme("file".into()),
        };
        assert!(!blocked.is_retryable());
        assert!(OUTCOMES.contains(&blocked.class()));
    }
}
