//! A real nats-server per test: JetStream on, a free port on 127.0.0.1, its
//! own store directory, killed on Drop. It can be stopped and started again
//! on the same port and store, to test a broker restart.
//!
//! A missing nats-server binary fails the test loudly with the install
//! command; it never skips.

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How to get the binary, in every failure message.
const INSTALL: &str =
    "install it with `apt-get install -y nats-server` (or set NATS_SERVER to its path)";

/// The server's log, opened for appending, twice: its stdout and stderr.
pub fn open_log(path: &std::path::Path) -> Result<(std::fs::File, std::fs::File), String> {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| format!("open the server log: {e}"))?;
    let log_err = log
        .try_clone()
        .map_err(|e| format!("clone the server log: {e}"))?;
    Ok((log, log_err))
}

/// Finds nats-server: `$NATS_SERVER`, then `PATH`, then the usual system
/// directories (Debian puts it in /usr/sbin, which a user's PATH may lack).
pub fn nats_server_bin() -> PathBuf {
    if let Some(path) = std::env::var_os("NATS_SERVER") {
        let path = PathBuf::from(path);
        assert!(
            path.is_file(),
            "NATS_SERVER={} is not a file; {INSTALL}",
            path.display()
        );
        return path;
    }
    let path_dirs = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default();
    let system_dirs = ["/usr/sbin", "/usr/local/bin", "/usr/bin", "/sbin", "/bin"]
        .into_iter()
        .map(PathBuf::from);
    path_dirs
        .into_iter()
        .chain(system_dirs)
        .map(|dir| dir.join("nats-server"))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| {
            panic!("nats-server is not installed: the worker tests need a real one; {INSTALL}")
        })
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    listener.local_addr().expect("local addr").port()
}

pub struct NatsServer {
    port: u16,
    store: tempfile::TempDir,
    child: Option<Child>,
    extra: Vec<String>,
}

impl NatsServer {
    /// Starts a JetStream-enabled server on a free port with a fresh store,
    /// and waits until it accepts clients.
    pub fn start() -> NatsServer {
        NatsServer::start_with(&[])
    }

    /// [`NatsServer::start`] with extra command-line options (auth, limits).
    pub fn start_with(extra: &[&str]) -> NatsServer {
        let mut last_failure = String::new();
        // A port found free can be taken before the server binds it: retry.
        for _ in 0..5 {
            let mut server = NatsServer {
                port: free_port(),
                store: tempfile::Builder::new()
                    .prefix("sherpa-nats-")
                    .tempdir()
                    .expect("create a store directory"),
                child: None,
                extra: extra.iter().map(|a| a.to_string()).collect(),
            };
            match server.spawn() {
                Ok(()) => return server,
                Err(failure) => last_failure = failure,
            }
        }
        panic!("nats-server did not start: {last_failure}");
    }

    /// `nats://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// The server's log (all of its starts).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    fn log_path(&self) -> PathBuf {
        self.store.path().join("nats-server.log")
    }

    fn store_dir(&self) -> PathBuf {
        self.store.path().join("jetstream")
    }

    fn spawn(&mut self) -> Result<(), String> {
        let (log, log_err) = open_log(&self.log_path())?;
        let bin = nats_server_bin();
        let child = Command::new(&bin)
            .arg("-js")
            .args(["-a", "127.0.0.1"])
            .args(["-p", &self.port.to_string()])
            .arg("-sd")
            .arg(self.store_dir())
            .args(&self.extra)
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(log_err))
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}; {INSTALL}", bin.display()))?;
        self.child = Some(child);
        match wait_ready(self.port, self.child.as_mut(), Duration::from_secs(15)) {
            Ok(()) => Ok(()),
            Err(failure) => {
                self.kill();
                Err(format!(
                    "{failure}\n--- nats-server log ---\n{}",
                    self.log()
                ))
            }
        }
    }

    /// Stops the server the way an operator or Kubernetes does (SIGTERM:
    /// clients are dropped, JetStream state is flushed) and waits for it to
    /// exit; SIGKILL after 10 s. Port and store are kept for
    /// [`NatsServer::restart`].
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Kills the server at once (SIGKILL) and waits for it to exit.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port and store.
    pub fn restart(&mut self) {
        self.stop();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match self.spawn() {
                Ok(()) => return,
                // The old socket may linger for a moment.
                Err(_) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(200));
                }
                Err(failure) => panic!(
                    "nats-server did not restart on port {}: {failure}",
                    self.port
                ),
            }
        }
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Waits until the server on `port` greets a client with its INFO line.
pub fn wait_ready(
    port: u16,
    mut child: Option<&mut Child>,
    timeout: Duration,
) -> Result<(), String> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(child) = child.as_deref_mut()
            && let Ok(Some(status)) = child.try_wait()
        {
            return Err(format!("nats-server exited at start-up with {status}"));
        }
        if let Ok(stream) = TcpStream::connect(("127.0.0.1", port)) {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
            let mut line = String::new();
            if BufReader::new(stream).read_line(&mut line).is_ok() && line.starts_with("INFO ") {
                return Ok(());
            }
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "nats-server did not accept clients on port {port} within {timeout:?}"
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
