//! The operations port (`--metrics-addr`): `/metrics` in the Prometheus text
//! format, `/healthz` (the process is alive and serving) and `/readyz`
//! (connected to NATS, consumer bound, not draining), on one small HTTP/1.1
//! listener. Also the client side of a probe, for `sherpa healthcheck`.
//!
//! The listener only reads shared state: [`Readiness`], set by the broker
//! monitor and by shutdown, and the Prometheus recorder's handle. It must not
//! block the worker: every request is answered from memory.

use std::convert::Infallible;
use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use metrics_exporter_prometheus::PrometheusHandle;
use tokio::net::TcpListener;

use crate::events::{Emit as _, ReadinessChanged};

/// The Prometheus text exposition format.
const METRICS_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";
/// How often histogram samples are folded into their buckets between scrapes.
const UPKEEP_INTERVAL: Duration = Duration::from_secs(5);

/// What `/readyz` answers: ready when connected to NATS, the consumer is
/// bound and the worker is not draining. Starts not ready.
#[derive(Debug, Default)]
pub struct Readiness {
    connected: AtomicBool,
    consumer_bound: AtomicBool,
    draining: AtomicBool,
    /// The last answer reported, to log and count only changes.
    reported: Mutex<Option<bool>>,
}

impl Readiness {
    pub fn new() -> Arc<Readiness> {
        let readiness = Arc::new(Readiness::default());
        readiness.report();
        readiness
    }

    pub fn set_connected(&self, connected: bool) {
        self.connected.store(connected, Ordering::Relaxed);
        self.report();
    }

    pub fn set_consumer_bound(&self, bound: bool) {
        self.consumer_bound.store(bound, Ordering::Relaxed);
        self.report();
    }

    /// Shutdown was requested: unready from now on, so no new traffic is
    /// routed here while in-flight messages finish.
    pub fn set_draining(&self) {
        self.draining.store(true, Ordering::Relaxed);
        self.report();
    }

    /// `Ok` when ready, else every reason why not.
    pub fn check(&self) -> Result<(), String> {
        let mut reasons = Vec::new();
        if !self.connected.load(Ordering::Relaxed) {
            reasons.push("not connected to NATS");
        }
        if !self.consumer_bound.load(Ordering::Relaxed) {
            reasons.push("consumer not bound");
        }
        if self.draining.load(Ordering::Relaxed) {
            reasons.push("draining");
        }
        if reasons.is_empty() {
            Ok(())
        } else {
            Err(reasons.join("; "))
        }
    }

    fn report(&self) {
        let check = self.check();
        let ready = check.is_ok();
        let mut reported = self
            .reported
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if *reported != Some(ready) {
            *reported = Some(ready);
            ReadinessChanged {
                ready,
                reasons: check.as_ref().err().map(String::as_str).unwrap_or(""),
            }
            .emit();
        }
    }
}

/// The operations listener could not start.
#[derive(Debug, thiserror::Error)]
#[error("cannot listen on --metrics-addr {addr}: {source}")]
pub struct BindError {
    pub addr: SocketAddr,
    pub source: std::io::Error,
}

/// Binds the operations port. Port 0 picks a free one; the bound address is
/// logged (`serving metrics and health checks`, field `addr`).
pub async fn bind(addr: SocketAddr) -> Result<TcpListener, BindError> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| BindError { addr, source })
}

/// Serves `/metrics`, `/healthz` and `/readyz` on `listener` until the
/// runtime shuts down, and keeps the recorder's histograms up to date.
pub fn spawn_server(
    listener: TcpListener,
    metrics: PrometheusHandle,
    readiness: Arc<Readiness>,
) -> tokio::task::JoinHandle<()> {
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(addr = %addr, "serving metrics and health checks");
    }
    let upkeep = metrics.clone();
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(UPKEEP_INTERVAL);
        loop {
            interval.tick().await;
            upkeep.run_upkeep();
        }
    });
    tokio::spawn(accept_loop(listener, metrics, readiness))
}

async fn accept_loop(listener: TcpListener, metrics: PrometheusHandle, readiness: Arc<Readiness>) {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(10))
        .keep_alive(true);
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _peer)) => stream,
            Err(err) => {
                // Out of file descriptors and the like: wait, do not spin.
                tracing::warn!(error = %err, "cannot accept an operations connection");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let metrics = metrics.clone();
        let readiness = readiness.clone();
        let connection = http.serve_connection(
            TokioIo::new(stream),
            hyper::service::service_fn(move |request| {
                let response = respond(&request, &metrics, &readiness);
                async move { Ok::<_, Infallible>(response) }
            }),
        );
        tokio::spawn(async move {
            if let Err(err) = connection.await {
                tracing::debug!(error = %err, "operations connection ended with an error");
            }
        });
    }
}

fn respond(
    request: &Request<Incoming>,
    metrics: &PrometheusHandle,
    readiness: &Readiness,
) -> Response<Full<Bytes>> {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return text(StatusCode::METHOD_NOT_ALLOWED, "only GET and HEAD\n");
    }
    match request.uri().path() {
        "/metrics" => {
            let mut response = Response::new(Full::new(Bytes::from(metrics.render())));
            response
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static(METRICS_CONTENT_TYPE));
            response
        }
        "/healthz" => text(StatusCode::OK, "ok\n"),
        "/readyz" => match readiness.check() {
            Ok(()) => text(StatusCode::OK, "ready\n"),
            Err(reasons) => text(
                StatusCode::SERVICE_UNAVAILABLE,
                &format!("not ready: {reasons}\n"),
            ),
        },
        _ => text(
            StatusCode::NOT_FOUND,
            "not found; try /metrics, /healthz or /readyz\n",
        ),
    }
}

fn text(status: StatusCode, body: &str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::copy_from_slice(body.as_bytes())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// Why a probe failed.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error("cannot reach {addr}: {source}")]
    Connect {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("no HTTP answer from {addr}: {source}")]
    Io {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("{addr} did not answer with an HTTP status line")]
    Malformed { addr: SocketAddr },
}

/// GETs `path` from the operations port at `addr` (a wildcard address means
/// this host) and returns the status code and body. Blocking, for the
/// `sherpa healthcheck` command, which runs without a runtime.
pub fn probe(addr: SocketAddr, path: &str, timeout: Duration) -> Result<(u16, String), ProbeError> {
    let addr = local_target(addr);
    let mut stream = TcpStream::connect_timeout(&addr, timeout)
        .map_err(|source| ProbeError::Connect { addr, source })?;
    let io = |source| ProbeError::Io { addr, source };
    stream.set_read_timeout(Some(timeout)).map_err(io)?;
    stream.set_write_timeout(Some(timeout)).map_err(io)?;
    // HTTP/1.0 and `Connection: close`: the answer ends at end of stream.
    write!(
        stream,
        "GET {path} HTTP/1.0\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .map_err(io)?;
    let mut raw = Vec::new();
    stream.take(1 << 20).read_to_end(&mut raw).map_err(io)?;
    let raw = String::from_utf8_lossy(&raw);
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let status = head
        .lines()
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|code| code.parse::<u16>().ok())
        .ok_or(ProbeError::Malformed { addr })?;
    Ok((status, body.to_string()))
}

/// `0.0.0.0:p` / `[::]:p` → the loopback address of the same family.
fn local_target(addr: SocketAddr) -> SocketAddr {
    if addr.ip().is_unspecified() {
        let ip = match addr {
            SocketAddr::V4(_) => std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
            SocketAddr::V6(_) => std::net::IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
        };
        SocketAddr::new(ip, addr.port())
    } else {
        addr
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readiness_needs_a_connection_a_consumer_and_no_drain() {
        let readiness = Readiness::new();
        assert_eq!(
            readiness.check(),
            Err("not connected to NATS; consumer not bound".to_string())
        );
        readiness.set_connected(true);
        readiness.set_consumer_bound(true);
        assert_eq!(readiness.check(), Ok(()));
        readiness.set_connected(false);
        assert_eq!(readiness.check(), Err("not connected to NATS".to_string()));
        readiness.set_connected(true);
        readiness.set_draining();
        assert_eq!(readiness.check(), Err("draining".to_string()));
    }

    #[test]
    fn wildcard_addresses_are_probed_on_loopback() {
        let addr: SocketAddr = "0.0.0.0:9464".parse().unwrap();
        assert_eq!(local_target(addr).to_string(), "127.0.0.1:9464");
        let addr: SocketAddr = "[::]:9464".parse().unwrap();
        assert_eq!(local_target(addr).to_string(), "[::1]:9464");
        let addr: SocketAddr = "10.1.2.3:9464".parse().unwrap();
        assert_eq!(local_target(addr), addr);
    }

    #[tokio::test]
    async fn the_listener_answers_health_readiness_and_metrics() {
        let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        let readiness = Readiness::new();
        let listener = bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = spawn_server(listener, handle, readiness.clone());
        let get = move |path: &'static str| {
            tokio::task::spawn_blocking(move || probe(addr, path, Duration::from_secs(5)).unwrap())
        };
        assert_eq!(get("/healthz").await.unwrap(), (200, "ok\n".to_string()));
        let (status, body) = get("/readyz").await.unwrap();
        assert_eq!(status, 503);
        assert!(body.contains("not connected to NATS"), "{body}");
        readiness.set_connected(true);
        readiness.set_consumer_bound(true);
        assert_eq!(get("/readyz").await.unwrap(), (200, "ready\n".to_string()));
        assert_eq!(get("/metrics").await.unwrap().0, 200);
        assert_eq!(get("/nope").await.unwrap().0, 404);
        server.abort();
    }
}
