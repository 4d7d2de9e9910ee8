//! A real three-node JetStream cluster per test, on 127.0.0.1: each
//! nats-server with its own client, cluster and monitoring port, its own
//! store directory and server name, routed to the other two. A node can be
//! killed (SIGKILL) and started again on the same ports and store; every
//! node is killed on Drop.
//!
//! Readiness is read from each node's monitoring port: `/healthz` answers
//! 200 only when the node's JetStream is current with the meta group and
//! with every stream and consumer it holds, and `/jsz` names the meta
//! leader. A missing nats-server binary fails the test loudly (see
//! [`super::nats::nats_server_bin`]); it never skips.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::nats::{free_port, nats_server_bin, open_log, wait_ready};
use super::prometheus::http_get;

/// Nodes in every test cluster: the smallest that survives losing one.
pub const NODES: usize = 3;

/// One nats-server of the cluster.
struct Node {
    name: String,
    client_port: u16,
    cluster_port: u16,
    monitor_port: u16,
    store: tempfile::TempDir,
    child: Option<Child>,
}

impl Node {
    fn log_path(&self) -> PathBuf {
        self.store.path().join("nats-server.log")
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    fn monitor(&self) -> SocketAddr {
        ([127, 0, 0, 1], self.monitor_port).into()
    }

    fn spawn(&mut self, cluster_name: &str, routes: &str) -> Result<(), String> {
        let (log, log_err) = open_log(&self.log_path())?;
        let bin = nats_server_bin();
        let child = Command::new(&bin)
            .arg("-js")
            .args(["-a", "127.0.0.1"])
            .args(["-p", &self.client_port.to_string()])
            .args(["-m", &self.monitor_port.to_string()])
            .args(["--server_name", &self.name])
            .arg("-sd")
            .arg(self.store.path().join("jetstream"))
            .args(["--cluster_name", cluster_name])
            .args([
                "--cluster",
                &format!("nats://127.0.0.1:{}", self.cluster_port),
            ])
            .args(["--routes", routes])
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(log_err))
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
        self.child = Some(child);
        wait_ready(
            self.client_port,
            self.child.as_mut(),
            Duration::from_secs(15),
        )
        .map_err(|failure| format!("{}: {failure}\n{}", self.name, self.log()))
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|child| matches!(child.try_wait(), Ok(None)))
    }

    /// `Ok(())` when `/healthz` answers 200 and `/jsz` names a meta leader;
    /// otherwise what is missing.
    fn jetstream_ready(&self) -> Result<String, String> {
        let (status, body) = http_get(self.monitor(), "/healthz")
            .map_err(|e| format!("{}: /healthz unreachable: {e}", self.name))?;
        if status != 200 {
            return Err(format!("{}: /healthz {status} {}", self.name, body.trim()));
        }
        let (_, body) = http_get(self.monitor(), "/jsz")
            .map_err(|e| format!("{}: /jsz unreachable: {e}", self.name))?;
        let jsz: Value = serde_json::from_str(&body)
            .map_err(|e| format!("{}: /jsz is not JSON: {e}", self.name))?;
        match jsz["meta_cluster"]["leader"].as_str() {
            Some(leader) if !leader.is_empty() => Ok(leader.to_string()),
            _ => Err(format!("{}: no JetStream meta leader yet", self.name)),
        }
    }
}

/// Three clustered nats-servers with JetStream.
pub struct NatsCluster {
    name: String,
    nodes: Vec<Node>,
}

impl NatsCluster {
    /// Starts the three nodes and waits until JetStream has a meta leader
    /// and every node reports itself ready.
    pub fn start() -> NatsCluster {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let mut last_failure = String::new();
        // Ports found free can be taken before the servers bind them: retry
        // the whole cluster, since routes name every node's cluster port.
        for _ in 0..4 {
            let name = format!(
                "sherpa-test-{}-{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::Relaxed)
            );
            let mut cluster = NatsCluster {
                name,
                nodes: (0..NODES)
                    .map(|i| Node {
                        name: format!("n{}", i + 1),
                        client_port: free_port(),
                        cluster_port: free_port(),
                        monitor_port: free_port(),
                        store: tempfile::Builder::new()
                            .prefix("sherpa-nats-cluster-")
                            .tempdir()
                            .expect("create a store directory"),
                        child: None,
                    })
                    .collect(),
            };
            let started = (0..NODES).try_for_each(|i| cluster.spawn(i));
            match started.and_then(|()| cluster.try_wait_ready(Duration::from_secs(30))) {
                Ok(()) => return cluster,
                Err(failure) => {
                    last_failure = failure;
                    cluster.nodes.iter_mut().for_each(Node::kill);
                }
            }
        }
        panic!("the nats-server cluster did not start: {last_failure}");
    }

    fn routes(&self) -> String {
        self.nodes
            .iter()
            .map(|node| format!("nats://127.0.0.1:{}", node.cluster_port))
            .collect::<Vec<_>>()
            .join(",")
    }

    fn spawn(&mut self, index: usize) -> Result<(), String> {
        let routes = self.routes();
        let name = self.name.clone();
        self.nodes[index].spawn(&name, &routes)
    }

    /// Every node's client URL, comma-separated: what a client is given.
    pub fn urls(&self) -> String {
        (0..NODES)
            .map(|i| self.url(i))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// `nats://127.0.0.1:<port>` of node `index`.
    pub fn url(&self, index: usize) -> String {
        format!("nats://127.0.0.1:{}", self.nodes[index].client_port)
    }

    /// The server name of node `index` (`n1`, `n2`, `n3`).
    pub fn node_name(&self, index: usize) -> &str {
        &self.nodes[index].name
    }

    /// The index of the node with this server name.
    pub fn index_of(&self, server_name: &str) -> Option<usize> {
        self.nodes.iter().position(|node| node.name == server_name)
    }

    /// Kills node `index` at once (SIGKILL), keeping its ports and store.
    pub fn kill(&mut self, index: usize) {
        self.nodes[index].kill();
    }

    /// Starts node `index` again on the same ports and store and waits until
    /// the whole cluster is ready again (the node caught up with the meta
    /// group and with the streams and consumers it holds).
    pub fn restart(&mut self, index: usize) {
        self.nodes[index].kill();
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            match self.spawn(index) {
                Ok(()) => break,
                // The old sockets may linger for a moment.
                Err(_) if Instant::now() < deadline => {
                    self.nodes[index].kill();
                    std::thread::sleep(Duration::from_millis(200));
                }
                Err(failure) => panic!(
                    "{} did not restart on its ports: {failure}",
                    self.nodes[index].name
                ),
            }
        }
        self.wait_ready(Duration::from_secs(60));
    }

    /// Waits until every running node is ready and agrees on a meta leader.
    pub fn wait_ready(&mut self, timeout: Duration) {
        if let Err(failure) = self.try_wait_ready(timeout) {
            panic!("the cluster is not ready: {failure}\n{}", self.logs());
        }
    }

    fn try_wait_ready(&mut self, timeout: Duration) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        loop {
            let mut failure = None;
            let mut leaders = Vec::new();
            for node in &mut self.nodes {
                if node.child.is_none() {
                    continue;
                }
                if !node.is_running() {
                    return Err(format!("{} exited:\n{}", node.name, node.log()));
                }
                match node.jetstream_ready() {
                    Ok(leader) => leaders.push(leader),
                    Err(why) => failure = Some(why),
                }
            }
            if failure.is_none() {
                leaders.sort();
                leaders.dedup();
                if leaders.len() == 1 {
                    return Ok(());
                }
                failure = Some(format!(
                    "the nodes name different meta leaders: {leaders:?}"
                ));
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "not ready within {timeout:?}: {}",
                    failure.unwrap_or_default()
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Every node's log, for failure messages.
    pub fn logs(&self) -> String {
        self.nodes
            .iter()
            .map(|node| {
                let log = node.log();
                let tail: Vec<&str> = log.lines().rev().take(40).collect();
                let tail: Vec<&str> = tail.into_iter().rev().collect();
                format!("--- {} (last lines) ---\n{}", node.name, tail.join("\n"))
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Drop for NatsCluster {
    fn drop(&mut self) {
        self.nodes.iter_mut().for_each(Node::kill);
        if std::thread::panicking() {
            eprintln!("{}", self.logs());
        }
    }
}

/// What `$JS.API.STREAM.INFO.<stream>` says about the stream's replication:
/// the leader's server name and whether every replica is current.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamPlacement {
    pub leader: String,
    pub replicas: usize,
    pub all_current: bool,
}

/// Asks JetStream where `stream` lives (`None` while no leader answers, as
/// during an election).
pub async fn stream_placement(
    client: &async_nats::Client,
    stream: &str,
) -> Option<StreamPlacement> {
    let answer = tokio::time::timeout(
        Duration::from_secs(2),
        client.request(format!("$JS.API.STREAM.INFO.{stream}"), "".into()),
    )
    .await
    .ok()?
    .ok()?;
    let info: Value = serde_json::from_slice(&answer.payload).ok()?;
    let cluster = &info["cluster"];
    let leader = cluster["leader"].as_str().filter(|l| !l.is_empty())?;
    let followers = cluster["replicas"].as_array().cloned().unwrap_or_default();
    Some(StreamPlacement {
        leader: leader.to_string(),
        replicas: 1 + followers.len(),
        all_current: followers
            .iter()
            .all(|peer| peer["current"].as_bool() == Some(true)),
    })
}
