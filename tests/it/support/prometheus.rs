//! A real Prometheus per test (Debian's `prometheus` package): a generated
//! configuration, a free port on 127.0.0.1, its own storage directory,
//! killed on Drop. Plus `promtool` and a tiny HTTP client for its API.
//!
//! A missing binary fails the test loudly with the install command; it
//! never skips.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const INSTALL: &str = "install it with `apt-get install -y prometheus` (scripts/test does), or set PROMETHEUS / PROMTOOL to its path";

/// Finds `name` (`prometheus` or `promtool`): `$<NAME>`, then `PATH`, then
/// the usual system directories.
pub fn find_bin(name: &str) -> PathBuf {
    let var = name.to_ascii_uppercase();
    if let Some(path) = std::env::var_os(&var) {
        let path = PathBuf::from(path);
        assert!(
            path.is_file(),
            "{var}={} is not a file; {INSTALL}",
            path.display()
        );
        return path;
    }
    let path_dirs = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default();
    let system_dirs = ["/usr/bin", "/usr/local/bin", "/usr/sbin", "/bin"]
        .into_iter()
        .map(PathBuf::from);
    path_dirs
        .into_iter()
        .chain(system_dirs)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| {
            panic!("{name} is not installed: the ops tests need a real one; {INSTALL}")
        })
}

/// Runs `promtool ARGS`, failing the test with its output if it fails.
pub fn promtool(args: &[&str]) -> String {
    let output = Command::new(find_bin("promtool"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap_or_else(|e| panic!("cannot run promtool: {e}; {INSTALL}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "promtool {} failed:\n{text}",
        args.join(" ")
    );
    text
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    listener.local_addr().expect("local addr").port()
}

pub struct Prometheus {
    addr: SocketAddr,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

impl Prometheus {
    /// Starts Prometheus with `config` (YAML) and waits until it is ready.
    pub fn start(config: &str) -> Prometheus {
        let mut last_failure = String::new();
        for _ in 0..5 {
            let dir = tempfile::Builder::new()
                .prefix("sherpa-prometheus-")
                .tempdir()
                .expect("create a Prometheus directory");
            let config_path = dir.path().join("prometheus.yml");
            std::fs::write(&config_path, config).expect("write prometheus.yml");
            let log = std::fs::File::create(dir.path().join("prometheus.log")).expect("log file");
            let addr: SocketAddr = ([127, 0, 0, 1], free_port()).into();
            let bin = find_bin("prometheus");
            let child = Command::new(&bin)
                .arg(format!("--config.file={}", config_path.display()))
                .arg(format!(
                    "--storage.tsdb.path={}",
                    dir.path().join("data").display()
                ))
                .arg(format!("--web.listen-address={addr}"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::from(log))
                .spawn()
                .unwrap_or_else(|e| panic!("cannot run {}: {e}; {INSTALL}", bin.display()));
            let mut prometheus = Prometheus {
                addr,
                dir,
                child: Some(child),
            };
            match prometheus.wait_ready(Duration::from_secs(30)) {
                Ok(()) => return prometheus,
                Err(failure) => last_failure = format!("{failure}\n{}", prometheus.log()),
            }
        }
        panic!("Prometheus did not start: {last_failure}");
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("prometheus.log")).unwrap_or_default()
    }

    fn wait_ready(&mut self, timeout: Duration) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                return Err(format!("prometheus exited at start-up with {status}"));
            }
            if let Ok((200, _)) = http_get(self.addr, "/-/ready") {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(format!("prometheus was not ready within {timeout:?}"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// `GET /api/v1/query?query=EXPR`: the whole JSON answer, whatever its
    /// status (an evaluation error is `"status": "error"`).
    pub fn query(&self, expr: &str) -> Value {
        let path = format!("/api/v1/query?query={}", percent_encode(expr));
        let (status, body) = http_get(self.addr, &path)
            .unwrap_or_else(|e| panic!("cannot query Prometheus: {e}\n{}", self.log()));
        serde_json::from_str(&body).unwrap_or_else(|e| {
            panic!("Prometheus answered {status} with something that is not JSON ({e}): {body}")
        })
    }

    /// `GET PATH` on the API, parsed.
    pub fn get(&self, path: &str) -> Value {
        let (_, body) = http_get(self.addr, path)
            .unwrap_or_else(|e| panic!("cannot reach Prometheus: {e}\n{}", self.log()));
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        if std::thread::panicking() {
            eprintln!("--- prometheus log ---\n{}", self.log());
        }
    }
}

/// RFC 3986: everything but the unreserved characters is escaped.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A blocking `GET` with HTTP/1.0, so the answer is neither chunked nor kept
/// alive: the body is everything after the headers. Returns status and body.
pub fn http_get(addr: SocketAddr, path: &str) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.set_write_timeout(Some(Duration::from_secs(5)))?;
    write!(
        stream,
        "GET {path} HTTP/1.0\r\nHost: {addr}\r\nAccept: */*\r\n\r\n"
    )?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = raw
        .split_once("\r\n\r\n")
        .ok_or_else(|| std::io::Error::other(format!("no HTTP header end in {raw:?}")))?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse::<u16>().ok())
        .ok_or_else(|| std::io::Error::other(format!("no status in {head:?}")))?;
    Ok((status, body.to_string()))
}

/// The repository's `deploy/` directory.
pub fn deploy_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy")
}
