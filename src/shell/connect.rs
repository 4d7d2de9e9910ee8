//! Connecting to NATS: the connection flags shared by `sherpa run` and
//! `sherpa publish`, and a client that reconnects forever with backoff and
//! logs every change of connection state.

use std::path::PathBuf;
use std::time::Duration;

use async_nats::{Client, ConnectOptions, Event, ServerAddr};

use super::shutdown::Shutdown;
use crate::events::{Emit as _, NatsConnected, NatsDisconnected};

/// How to reach and authenticate to NATS. Secrets are never printed.
#[derive(Clone, clap::Args)]
pub struct ConnectArgs {
    /// NATS server URLs, comma-separated (`nats://host:4222`, `tls://host:4222`).
    #[arg(
        long,
        env = "SHERPA_NATS_URL",
        default_value = "nats://127.0.0.1:4222",
        value_delimiter = ','
    )]
    pub nats_url: Vec<String>,
    /// User name (with --nats-password).
    #[arg(long, env = "SHERPA_NATS_USER", requires = "nats_password")]
    pub nats_user: Option<String>,
    /// Password (with --nats-user).
    #[arg(
        long,
        env = "SHERPA_NATS_PASSWORD",
        requires = "nats_user",
        hide_env_values = true
    )]
    pub nats_password: Option<String>,
    /// Authentication token.
    #[arg(long, env = "SHERPA_NATS_TOKEN", hide_env_values = true)]
    pub nats_token: Option<String>,
    /// NKey seed (`SU…`) to sign the server's challenge with.
    #[arg(long, env = "SHERPA_NATS_NKEY_SEED", hide_env_values = true)]
    pub nats_nkey_seed: Option<String>,
    /// File holding the NKey seed.
    #[arg(long, env = "SHERPA_NATS_NKEY_SEED_FILE")]
    pub nats_nkey_seed_file: Option<PathBuf>,
    /// Credentials file (JWT and NKey seed, as `nsc` writes them).
    #[arg(long, env = "SHERPA_NATS_CREDS")]
    pub nats_creds: Option<PathBuf>,
    /// PEM file with the CA certificates that sign the server's certificate.
    #[arg(long, env = "SHERPA_NATS_TLS_CA")]
    pub nats_tls_ca: Option<PathBuf>,
    /// PEM client certificate for mutual TLS (with --nats-tls-key).
    #[arg(long, env = "SHERPA_NATS_TLS_CERT", requires = "nats_tls_key")]
    pub nats_tls_cert: Option<PathBuf>,
    /// PEM private key of the client certificate (with --nats-tls-cert).
    #[arg(long, env = "SHERPA_NATS_TLS_KEY", requires = "nats_tls_cert")]
    pub nats_tls_key: Option<PathBuf>,
    /// Refuse to connect without TLS.
    #[arg(
        long,
        env = "SHERPA_NATS_TLS_REQUIRED",
        value_parser = clap::builder::BoolishValueParser::new(),
        default_value_t = false,
        num_args = 0..=1,
        default_missing_value = "true"
    )]
    pub nats_tls_required: bool,
    /// How long one connection attempt may take.
    #[arg(
        long,
        env = "SHERPA_NATS_CONNECT_TIMEOUT",
        default_value = "5s",
        value_parser = super::duration::parse_duration
    )]
    pub nats_connect_timeout: Duration,
}

impl std::fmt::Debug for ConnectArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redacted = |o: &Option<String>| o.as_ref().map(|_| "<redacted>");
        f.debug_struct("ConnectArgs")
            .field("nats_url", &self.redacted_urls())
            .field("nats_user", &self.nats_user)
            .field("nats_password", &redacted(&self.nats_password))
            .field("nats_token", &redacted(&self.nats_token))
            .field("nats_nkey_seed", &redacted(&self.nats_nkey_seed))
            .field("nats_nkey_seed_file", &self.nats_nkey_seed_file)
            .field("nats_creds", &self.nats_creds)
            .field("nats_tls_ca", &self.nats_tls_ca)
            .field("nats_tls_cert", &self.nats_tls_cert)
            .field("nats_tls_key", &self.nats_tls_key)
            .field("nats_tls_required", &self.nats_tls_required)
            .field("nats_connect_timeout", &self.nats_connect_timeout)
            .finish()
    }
}

/// Why a connection could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("invalid NATS URL {url:?}: {message}")]
    InvalidUrl { url: String, message: String },
    #[error("choose one way to authenticate, not {0}")]
    ConflictingAuth(String),
    #[error("cannot read {path}: {source}")]
    ReadFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot connect to NATS at {urls}: {source}")]
    Connect {
        urls: String,
        source: async_nats::ConnectError,
    },
    #[error("shutdown requested before NATS was reachable")]
    Interrupted,
}

impl ConnectArgs {
    /// The server URLs with any `user:password@` removed, for logs.
    pub fn redacted_urls(&self) -> String {
        self.nats_url
            .iter()
            .map(|url| match (url.find("://"), url.rfind('@')) {
                (Some(scheme), Some(at)) if at > scheme => {
                    format!("{}://{}", &url[..scheme], &url[at + 1..])
                }
                (None, Some(at)) => url[at + 1..].to_string(),
                _ => url.clone(),
            })
            .collect::<Vec<_>>()
            .join(",")
    }

    fn server_addrs(&self) -> Result<Vec<ServerAddr>, ConnectError> {
        let addrs: Vec<ServerAddr> = self
            .nats_url
            .iter()
            .map(|url| url.trim())
            .filter(|url| !url.is_empty())
            .map(|url| {
                url.parse::<ServerAddr>()
                    .map_err(|err| ConnectError::InvalidUrl {
                        url: url.to_string(),
                        message: err.to_string(),
                    })
            })
            .collect::<Result<_, _>>()?;
        if addrs.is_empty() {
            return Err(ConnectError::InvalidUrl {
                url: String::new(),
                message: "no server URL given".to_string(),
            });
        }
        Ok(addrs)
    }

    async fn options(&self, client_name: &str) -> Result<ConnectOptions, ConnectError> {
        let methods: Vec<&str> = [
            (self.nats_user.is_some(), "--nats-user"),
            (self.nats_token.is_some(), "--nats-token"),
            (self.nats_nkey_seed.is_some(), "--nats-nkey-seed"),
            (self.nats_nkey_seed_file.is_some(), "--nats-nkey-seed-file"),
            (self.nats_creds.is_some(), "--nats-creds"),
        ]
        .into_iter()
        .filter_map(|(set, name)| set.then_some(name))
        .collect();
        if methods.len() > 1 {
            return Err(ConnectError::ConflictingAuth(methods.join(" and ")));
        }

        let mut options = ConnectOptions::new();
        if let Some(creds) = &self.nats_creds {
            options = ConnectOptions::with_credentials_file(creds.clone())
                .await
                .map_err(|source| ConnectError::ReadFile {
                    path: creds.clone(),
                    source,
                })?;
        }
        if let (Some(user), Some(password)) = (&self.nats_user, &self.nats_password) {
            options = options.user_and_password(user.clone(), password.clone());
        }
        if let Some(token) = &self.nats_token {
            options = options.token(token.clone());
        }
        if let Some(seed) = &self.nats_nkey_seed {
            options = options.nkey(seed.trim().to_string());
        }
        if let Some(path) = &self.nats_nkey_seed_file {
            let seed =
                tokio::fs::read_to_string(path)
                    .await
                    .map_err(|source| ConnectError::ReadFile {
                        path: path.clone(),
                        source,
                    })?;
            options = options.nkey(seed.trim().to_string());
        }
        if let Some(ca) = &self.nats_tls_ca {
            options = options.add_root_certificates(ca.clone());
        }
        if let (Some(cert), Some(key)) = (&self.nats_tls_cert, &self.nats_tls_key) {
            options = options.add_client_certificate(cert.clone(), key.clone());
        }
        if self.nats_tls_required || self.nats_tls_ca.is_some() || self.nats_tls_cert.is_some() {
            options = options.require_tls(true);
        }
        Ok(options
            .name(client_name)
            .connection_timeout(self.nats_connect_timeout)
            .max_reconnects(None)
            .reconnect_delay_callback(reconnect_delay)
            .event_callback(|event| async move { log_event(event) }))
    }

    /// Connects once; fails when no server answers (for one-shot commands).
    pub async fn connect(&self, client_name: &str) -> Result<Client, ConnectError> {
        let addrs = self.server_addrs()?;
        let options = self.options(client_name).await?;
        let urls = self.redacted_urls();
        tracing::debug!(urls = %urls, "connecting to NATS");
        options
            .connect(addrs)
            .await
            .map_err(|source| ConnectError::Connect { urls, source })
    }

    /// Connects, retrying forever with backoff until a server answers or
    /// shutdown is requested (for the long-running worker, which may start
    /// before NATS does). Later disconnections are retried forever too.
    pub async fn connect_with_retry(
        &self,
        client_name: &str,
        shutdown: &Shutdown,
    ) -> Result<Client, ConnectError> {
        let addrs = self.server_addrs()?;
        let options = self.options(client_name).await?;
        let urls = self.redacted_urls();
        tracing::info!(urls = %urls, "connecting to NATS");
        let client = options
            .retry_on_initial_connect()
            .connect(addrs)
            .await
            .map_err(|source| ConnectError::Connect {
                urls: urls.clone(),
                source,
            })?;
        // The client connects in the background: poll its state, every 2 ms
        // for the first second (a local server answers within a few; start-up
        // time counts), then every 50 ms, with a warning every 10 s.
        let started = tokio::time::Instant::now();
        let mut next_warning = Duration::from_secs(10);
        while client.connection_state() != async_nats::connection::State::Connected {
            let waited = started.elapsed();
            let step = if waited < Duration::from_secs(1) {
                Duration::from_millis(2)
            } else {
                Duration::from_millis(50)
            };
            tokio::select! {
                _ = shutdown.requested() => return Err(ConnectError::Interrupted),
                _ = tokio::time::sleep(step) => {}
            }
            if waited >= next_warning {
                tracing::warn!(urls = %urls, waited_s = waited.as_secs(), "still waiting for NATS");
                next_warning += Duration::from_secs(10);
            }
        }
        Ok(client)
    }
}

/// Exponential backoff between reconnection attempts: 0 for the first, then
/// 100 ms doubling up to 5 s. Each attempt after the first few is logged.
fn reconnect_delay(attempts: usize) -> Duration {
    let delay = if attempts <= 1 {
        Duration::ZERO
    } else {
        let exponent = (attempts - 2).min(16) as u32;
        Duration::from_millis(100)
            .saturating_mul(2u32.saturating_pow(exponent))
            .min(Duration::from_secs(5))
    };
    if attempts > 1 {
        tracing::info!(
            attempt = attempts,
            delay_ms = delay.as_millis() as u64,
            "reconnecting to NATS"
        );
    }
    delay
}

fn log_event(event: Event) {
    match event {
        Event::Connected => NatsConnected.emit(),
        Event::Disconnected => NatsDisconnected.emit(),
        Event::LameDuckMode => {
            tracing::warn!("NATS server entered lame duck mode; will move to another server")
        }
        Event::Draining => tracing::info!("NATS connection draining"),
        Event::Closed => tracing::info!("NATS connection closed"),
        Event::SlowConsumer(sid) => {
            tracing::warn!(subscription = sid, "NATS slow consumer: messages dropped")
        }
        Event::ServerError(err) => tracing::error!(error = %err, "NATS server error"),
        // During an outage every failed reconnection attempt reports one:
        // a warning, not an error; the reconnect log says how it goes.
        Event::ClientError(err) => tracing::warn!(error = %err, "NATS client error"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        connect: ConnectArgs,
    }

    #[test]
    fn urls_are_a_comma_separated_list_and_secrets_are_redacted() {
        let cli = Cli::parse_from([
            "x",
            "--nats-url",
            "nats://a:4222,nats://user:secret@b:4222",
            "--nats-token",
            "t0ken",
        ]);
        assert_eq!(cli.connect.nats_url.len(), 2);
        assert_eq!(cli.connect.redacted_urls(), "nats://a:4222,nats://b:4222");
        let debug = format!("{:?}", cli.connect);
        assert!(
            !debug.contains("secret") && !debug.contains("t0ken"),
            "{debug}"
        );
    }

    #[test]
    fn reconnect_delay_backs_off_and_caps() {
        assert_eq!(reconnect_delay(1), Duration::ZERO);
        assert_eq!(reconnect_delay(2), Duration::from_millis(100));
        assert_eq!(reconnect_delay(3), Duration::from_millis(200));
        assert_eq!(reconnect_delay(100), Duration::from_secs(5));
    }
}
