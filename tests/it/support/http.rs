//! A tiny HTTP/1.1 server per test, on a loopback address: each request is
//! answered by a handler from its path and how many times that path was
//! asked for, and every request is counted, so a test can prove that none
//! reached it. It runs on a thread with its own runtime (usable from sync
//! and async tests alike) and stops on Drop. One request per connection.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Wait this long before answering.
    pub delay: Duration,
    /// Instead of `body`: send this many bytes of filler, without a
    /// `Content-Length`, until done or the client hangs up.
    pub stream_bytes: Option<usize>,
}

impl Reply {
    pub fn new(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            delay: Duration::ZERO,
            stream_bytes: None,
        }
    }

    pub fn html(body: impl Into<Vec<u8>>) -> Reply {
        Reply::new(200)
            .header("Content-Type", "text/html; charset=utf-8")
            .body(body)
    }

    pub fn text(body: impl Into<Vec<u8>>) -> Reply {
        Reply::new(200)
            .header("Content-Type", "text/plain; charset=utf-8")
            .body(body)
    }

    pub fn redirect(status: u16, location: &str) -> Reply {
        Reply::new(status).header("Location", location)
    }

    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Reply {
        self.body = body.into();
        self
    }

    pub fn delay(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }

    pub fn streaming(mut self, bytes: usize) -> Reply {
        self.stream_bytes = Some(bytes);
        self
    }
}

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub path: String,
    pub headers: HashMap<String, String>,
}

type Handler = Arc<dyn Fn(&str, usize) -> Reply + Send + Sync>;

pub struct TestServer {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestServer {
    /// Starts a server on `ip` (a loopback address) and a free port;
    /// `handler(path, n)` answers the `n`-th request (1-based) for `path`.
    /// `None` when the address cannot be bound (no IPv6 on this machine).
    pub fn try_start<F>(ip: IpAddr, handler: F) -> Option<TestServer>
    where
        F: Fn(&str, usize) -> Reply + Send + Sync + 'static,
    {
        assert!(ip.is_loopback(), "test servers listen on loopback only");
        let std_listener = std::net::TcpListener::bind((ip, 0)).ok()?;
        std_listener.set_nonblocking(true).ok()?;
        let addr = std_listener.local_addr().ok()?;
        let seen = Arc::new(Mutex::new(Vec::new()));
        let handler: Handler = Arc::new(handler);
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread_seen = seen.clone();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime for the test server");
            runtime.block_on(async move {
                let listener = TcpListener::from_std(std_listener).expect("a tokio listener");
                tokio::pin!(stop_rx);
                loop {
                    tokio::select! {
                        _ = &mut stop_rx => break,
                        accepted = listener.accept() => {
                            let Ok((stream, _)) = accepted else { continue };
                            tokio::spawn(serve(stream, handler.clone(), thread_seen.clone()));
                        }
                    }
                }
            });
        });
        Some(TestServer {
            addr,
            seen,
            stop: Some(stop_tx),
            thread: Some(thread),
        })
    }

    /// [`TestServer::try_start`] on 127.0.0.1, which always works.
    pub fn start<F>(handler: F) -> TestServer
    where
        F: Fn(&str, usize) -> Reply + Send + Sync + 'static,
    {
        TestServer::try_start(IpAddr::from([127, 0, 0, 1]), handler)
            .expect("bind a test server on 127.0.0.1")
    }

    /// `http://<ip>:<port><path>`.
    pub fn url(&self, path: &str) -> String {
        match self.addr {
            SocketAddr::V4(a) => format!("http://{}:{}{path}", a.ip(), a.port()),
            SocketAddr::V6(a) => format!("http://[{}]:{}{path}", a.ip(), a.port()),
        }
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Every request so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Requests so far, all paths.
    pub fn requests(&self) -> usize {
        self.seen().len()
    }

    /// Requests so far for `path`.
    pub fn hits(&self, path: &str) -> usize {
        self.seen().iter().filter(|s| s.path == path).count()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn serve(mut stream: TcpStream, handler: Handler, seen: Arc<Mutex<Vec<Seen>>>) {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
        if head.len() > 64 * 1024 {
            return;
        }
    }
    let text = String::from_utf8_lossy(&head).to_string();
    let mut lines = text.split("\r\n");
    let request_line = lines.next().unwrap_or("");
    let path = request_line.split(' ').nth(1).unwrap_or("/").to_string();
    let headers: HashMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let n = {
        let Ok(mut seen) = seen.lock() else { return };
        seen.push(Seen {
            path: path.clone(),
            headers,
        });
        seen.iter().filter(|s| s.path == path).count()
    };
    let reply = handler(&path, n);
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    let mut out = format!("HTTP/1.1 {} {}\r\n", reply.status, reason(reply.status));
    for (name, value) in &reply.headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    if reply.stream_bytes.is_none() {
        out.push_str(&format!("Content-Length: {}\r\n", reply.body.len()));
    }
    out.push_str("Connection: close\r\n\r\n");
    if stream.write_all(out.as_bytes()).await.is_err() {
        return;
    }
    match reply.stream_bytes {
        None => {
            let _ = stream.write_all(&reply.body).await;
        }
        Some(total) => {
            let chunk = vec![b'x'; 64 * 1024];
            let mut sent = 0;
            while sent < total {
                let n = chunk.len().min(total - sent);
                if stream.write_all(&chunk[..n]).await.is_err() {
                    return;
                }
                sent += n;
            }
        }
    }
    let _ = stream.shutdown().await;
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}
