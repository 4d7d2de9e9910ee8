//! Scaling out on a real three-node JetStream cluster (`support::cluster`):
//! three `sherpa run` processes share one durable pull consumer while
//! 10,000 articles are published and, meanwhile, one NATS node is killed
//! (SIGKILL) and started again, the workers are restarted one at a time
//! (SIGTERM, exit 0, start again) and one worker is `kill -9`'d. Every
//! record must then be on the output stream exactly once, exactly as
//! `sherpa extract` makes it, nothing may be left unacknowledged, and each
//! worker's own `/metrics` must show it did a share of the work.
//!
//! Two such scenarios: streams at R1, losing the node that holds the input
//! stream (an outage of the stream: publishes and pulls fail until it is
//! back); and streams at R3, losing the input stream's leader (a
//! failover). They take turns: together they would run six brokers and six
//! workers on the same few cores. Every wait polls with a deadline. Beside
//! them: a stream with other replicas than asked for is a start-up error,
//! and the `cluster` profile of `docker-compose.yml` hangs together.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use async_nats::jetstream::{self, message::PublishMessage};
use bytes::Bytes;
use futures::StreamExt;
use serde_json::{Value, json};

use crate::support::cluster::{NatsCluster, stream_placement};
use crate::support::layout::Layout;
use crate::support::prometheus::{deploy_dir, http_get};
use crate::support::records::{assert_same_records, extract_records, stream_messages};
use crate::support::sherpa_command;

/// Articles per test (the number).
const ARTICLES: usize = 10_000;
/// Publishing pace, articles per second: slow enough that every disruption
/// happens while articles are still being published.
const PUBLISH_RATE: f64 = 250.0;
/// Articles held back until the last disruption starts.
const TAIL: usize = 2_000;
/// Worker processes, each with its own slot (a supervisor restarts a
/// killed one in the same slot).
const WORKERS: usize = 3;

/// One cluster test at a time.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// One `sherpa run` process; killed on Drop, its log printed if the test fails.
struct Worker {
    slot: usize,
    child: Child,
    log: PathBuf,
    _dir: tempfile::TempDir,
    metrics: Option<SocketAddr>,
    /// `sherpa_articles_processed_total` at the last scrape.
    processed: f64,
    /// `sherpa_redeliveries_total` at the last scrape.
    redeliveries: f64,
    /// `sherpa_records_duplicate_total` (all kinds) at the last scrape.
    duplicates: f64,
}

impl Worker {
    fn spawn(layout: &Layout, urls: &str, replicas: u8, slot: usize) -> Worker {
        let dir = tempfile::tempdir().expect("temp dir");
        let log = dir.path().join("worker.log");
        let file = std::fs::File::create(&log).expect("create the worker log");
        let mut command = sherpa_command();
        command
            .args(layout.run_args(urls))
            .args([
                // A killed worker's messages come back after this.
                "--ack-wait",
                "5s",
                // Short pulls: a pull request lost with a killed node is
                // noticed (missed idle heartbeats, every second) within
                // seconds.
                "--pull-expires",
                "2s",
                "--consumer-poll-interval",
                "1s",
            ])
            .args(["--stream-replicas", &replicas.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(file));
        Worker {
            slot,
            child: command.spawn().expect("spawn sherpa run"),
            log,
            _dir: dir,
            metrics: None,
            processed: 0.0,
            redeliveries: 0.0,
            duplicates: 0.0,
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// The operations address, once the worker logged it.
    fn metrics_addr(&mut self) -> Option<SocketAddr> {
        if self.metrics.is_none() {
            self.metrics = self
                .log()
                .lines()
                .filter_map(|line| serde_json::from_str::<Value>(line).ok())
                .find(|line| line["fields"]["message"] == "serving metrics and health checks")
                .and_then(|line| line["fields"]["addr"].as_str()?.parse().ok());
        }
        self.metrics
    }

    /// The sum of every series of a metric (all label values).
    fn metric_sum(body: &str, name: &str) -> f64 {
        body.lines()
            .filter_map(|line| {
                let rest = line.strip_prefix(name)?;
                let value = match rest.as_bytes().first()? {
                    b' ' => rest.trim(),
                    b'{' => rest.rsplit_once(' ')?.1,
                    _ => return None,
                };
                value.parse::<f64>().ok()
            })
            .sum()
    }

    /// Reads what the test follows from `/metrics`, remembering the last
    /// values: a process's counters die with it.
    fn scrape(&mut self) {
        let Some(addr) = self.metrics_addr() else {
            return;
        };
        if let Ok((200, body)) = http_get(addr, "/metrics") {
            self.processed = Worker::metric_sum(&body, "sherpa_articles_processed_total");
            self.redeliveries = Worker::metric_sum(&body, "sherpa_redeliveries_total");
            self.duplicates = Worker::metric_sum(&body, "sherpa_records_duplicate_total");
        }
    }

    async fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            assert!(
                self.is_running(),
                "worker {} exited at start-up:\n{}",
                self.slot,
                self.log()
            );
            if let Some(addr) = self.metrics_addr()
                && matches!(http_get(addr, "/readyz"), Ok((200, _)))
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "worker {} not ready within 30 s:\n{}",
                self.slot,
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill {signal} failed");
    }

    async fn wait_exit(&mut self, timeout: Duration) -> ExitStatus {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "worker {} did not exit within {timeout:?}\n{}",
                self.slot,
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() || std::env::var_os("WORKER_TEST_LOGS").is_some() {
            let log = self.log();
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            eprintln!("--- worker {} log (last lines) ---", self.slot);
            for line in tail.iter().rev() {
                eprintln!("{line}");
            }
        }
    }
}

/// The three worker slots and what each slot's earlier processes processed.
struct Fleet {
    urls: String,
    replicas: u8,
    workers: Vec<Worker>,
    /// Per slot: `sherpa_articles_processed_total` of processes that ended.
    earlier: Vec<f64>,
    /// Redeliveries received and duplicate records dropped, by processes
    /// that ended.
    earlier_redeliveries: f64,
    earlier_duplicates: f64,
}

impl Fleet {
    async fn start(layout: &Layout, urls: &str, replicas: u8) -> Fleet {
        let mut fleet = Fleet {
            urls: urls.to_string(),
            replicas,
            workers: (0..WORKERS)
                .map(|slot| Worker::spawn(layout, urls, replicas, slot))
                .collect(),
            earlier: vec![0.0; WORKERS],
            earlier_redeliveries: 0.0,
            earlier_duplicates: 0.0,
        };
        for worker in &mut fleet.workers {
            worker.wait_ready().await;
        }
        fleet
    }

    fn scrape(&mut self) {
        self.workers.iter_mut().for_each(Worker::scrape);
    }

    fn assert_running(&mut self) {
        for worker in &mut self.workers {
            assert!(
                worker.is_running(),
                "worker {} exited:\n{}",
                worker.slot,
                worker.log()
            );
        }
    }

    /// Articles processed per slot, by every process that ran in it.
    fn processed(&self) -> Vec<f64> {
        self.workers
            .iter()
            .zip(&self.earlier)
            .map(|(worker, earlier)| earlier + worker.processed)
            .collect()
    }

    /// SIGTERM, exit 0 within the shutdown timeout, start again, ready.
    async fn restart_gracefully(&mut self, layout: &Layout, slot: usize) {
        let worker = &mut self.workers[slot];
        worker.scrape();
        worker.signal("-TERM");
        let status = worker.wait_exit(Duration::from_secs(20)).await;
        assert!(
            status.success(),
            "worker {slot} exited with {status} after SIGTERM:\n{}",
            worker.log()
        );
        self.replace(layout, slot).await;
    }

    /// `kill -9` while it holds unacknowledged messages, then start again.
    ///
    /// The worker is frozen first (SIGSTOP): its open pull requests stay on
    /// the server, so articles keep being delivered to it and none of them is
    /// acknowledged. It holds some once the consumer's ack floor stays behind
    /// its delivered sequence for a second, far longer than the other workers
    /// take over an article (and well within the 5 s ack wait). When nothing
    /// reached it, it is thawed and frozen again, a few times. Returns whether
    /// it held some when it was killed.
    async fn kill9(&mut self, js: &jetstream::Context, layout: &Layout, slot: usize) -> bool {
        let worker = &mut self.workers[slot];
        let mut held = false;
        for _attempt in 0..5 {
            worker.scrape();
            worker.signal("-STOP");
            held = holds_unacknowledged(js, layout, Duration::from_secs(3)).await;
            if held {
                break;
            }
            worker.signal("-CONT");
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        worker.signal("-KILL");
        let _ = worker.wait_exit(Duration::from_secs(10)).await;
        self.replace(layout, slot).await;
        held
    }

    /// `(redeliveries received, duplicate records dropped)` by every process.
    fn redeliveries_and_duplicates(&self) -> (f64, f64) {
        self.workers.iter().fold(
            (self.earlier_redeliveries, self.earlier_duplicates),
            |(r, d), worker| (r + worker.redeliveries, d + worker.duplicates),
        )
    }

    async fn replace(&mut self, layout: &Layout, slot: usize) {
        self.earlier[slot] += self.workers[slot].processed;
        self.earlier_redeliveries += self.workers[slot].redeliveries;
        self.earlier_duplicates += self.workers[slot].duplicates;
        self.workers[slot] = Worker::spawn(layout, &self.urls, self.replicas, slot);
        self.workers[slot].wait_ready().await;
    }

    /// Every worker: SIGTERM and exit 0.
    async fn stop(&mut self) {
        self.scrape();
        for worker in &self.workers {
            worker.signal("-TERM");
        }
        for worker in &mut self.workers {
            let status = worker.wait_exit(Duration::from_secs(20)).await;
            assert!(
                status.success(),
                "worker {} exited with {status}:\n{}",
                worker.slot,
                worker.log()
            );
        }
    }
}

/// A client of the whole cluster, as the workers have.
async fn connect(cluster: &NatsCluster) -> async_nats::Client {
    let urls: Vec<async_nats::ServerAddr> = cluster
        .urls()
        .split(',')
        .map(|url| url.parse().expect("a server URL"))
        .collect();
    async_nats::ConnectOptions::new()
        .retry_on_initial_connect()
        .max_reconnects(None)
        .connect(urls)
        .await
        .expect("connect the test client")
}

/// Polls `check` every 100 ms until it yields a value; fails after `timeout`.
async fn eventually<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// [`eventually`], reading each worker's `/metrics` on every poll, so the
/// last value before a worker stops is known.
async fn eventually_scraping<T, F, Fut>(
    fleet: &mut Fleet,
    what: &str,
    timeout: Duration,
    mut check: F,
) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        fleet.scrape();
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `num_pending + num_ack_pending` of the shared consumer.
async fn consumer_backlog(js: &jetstream::Context, layout: &Layout) -> Option<(u64, usize)> {
    let stream = js.get_stream(layout.input_stream()).await.ok()?;
    let info = stream.consumer_info(layout.consumer()).await.ok()?;
    Some((info.num_pending, info.num_ack_pending))
}

/// Whether, within `within`, a delivered message stays unacknowledged for a
/// second: the consumer's ack floor behind its delivered sequence and not
/// moving.
async fn holds_unacknowledged(js: &jetstream::Context, layout: &Layout, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if let Some((floor, delivered)) = ack_floor_and_delivered(js, layout).await
            && floor < delivered
        {
            let mut stuck = true;
            for _ in 0..2 {
                tokio::time::sleep(Duration::from_millis(500)).await;
                let later = ack_floor_and_delivered(js, layout).await;
                stuck &= later.is_some_and(|(later_floor, _)| later_floor == floor);
            }
            if stuck {
                return true;
            }
            continue;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// The consumer's `(ack floor, delivered)` consumer sequences: everything up
/// to the floor is acknowledged.
async fn ack_floor_and_delivered(js: &jetstream::Context, layout: &Layout) -> Option<(u64, u64)> {
    let stream = js.get_stream(layout.input_stream()).await.ok()?;
    let info = stream.consumer_info(layout.consumer()).await.ok()?;
    Some((
        info.ack_floor.consumer_sequence,
        info.delivered.consumer_sequence,
    ))
}

/// One raw article ready to publish.
struct Raw {
    id: String,
    subject: String,
    payload: Bytes,
}

/// Publishes every article at `PUBLISH_RATE`, each with `Nats-Msg-Id` = its
/// id, retrying a failed publish (no responders while the stream's node is
/// down, a lost ack during an election) until JetStream acknowledges it; a
/// retry of a publish that was stored after all is dropped as a duplicate.
///
/// The last `TAIL` articles wait for `release`, so the last disruption is
/// sure to come while articles are still being published however slow the
/// machine is.
async fn publish_paced(
    js: jetstream::Context,
    articles: Arc<Vec<Raw>>,
    published: Arc<AtomicUsize>,
    release: tokio::sync::oneshot::Receiver<()>,
) -> Duration {
    let started = tokio::time::Instant::now();
    let head = articles.len().saturating_sub(TAIL);
    publish_range(&js, &articles, 0..head, &published).await;
    release.await.expect("the tail is released");
    publish_range(&js, &articles, head..articles.len(), &published).await;
    started.elapsed()
}

async fn publish_range(
    js: &jetstream::Context,
    articles: &[Raw],
    range: std::ops::Range<usize>,
    published: &AtomicUsize,
) {
    let started = tokio::time::Instant::now();
    let first = range.start;
    let deadline = Instant::now() + Duration::from_secs(150);
    futures::stream::iter(range)
        .map(|i| async move {
            let due = started + Duration::from_secs_f64((i - first) as f64 / PUBLISH_RATE);
            tokio::time::sleep_until(due).await;
            let raw = &articles[i];
            let message = PublishMessage::build()
                .payload(raw.payload.clone())
                .message_id(&raw.id);
            let mut delay = Duration::from_millis(100);
            loop {
                let acked = match js.send_publish(raw.subject.clone(), message.clone()).await {
                    Ok(ack) => ack.await.map(|_| ()),
                    Err(err) => Err(err),
                };
                match acked {
                    Ok(()) => break,
                    Err(err) => {
                        assert!(
                            Instant::now() < deadline,
                            "article {} could not be published: {err}",
                            raw.id
                        );
                        tokio::time::sleep(delay).await;
                        delay = (delay * 2).min(Duration::from_secs(1));
                    }
                }
            }
            published.fetch_add(1, Ordering::Relaxed);
        })
        .buffer_unordered(256)
        .collect::<Vec<()>>()
        .await;
}

/// Every message of a stream, read with an ordered consumer: `(Nats-Msg-Id,
/// payload)`.
async fn read_stream(js: &jetstream::Context, name: &str) -> Vec<(Option<String>, Bytes)> {
    let expected = stream_messages(js, name).await.expect("stream info") as usize;
    let stream = js.get_stream(name).await.expect("get stream");
    let consumer = stream
        .create_consumer(jetstream::consumer::pull::OrderedConfig::default())
        .await
        .expect("an ordered consumer");
    let mut messages = consumer.messages().await.expect("ordered messages");
    let mut out = Vec::with_capacity(expected);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while out.len() < expected {
        let message = tokio::time::timeout_at(deadline, messages.next())
            .await
            .unwrap_or_else(|_| panic!("read only {} of {expected} from {name}", out.len()))
            .expect("the ordered consumer ended")
            .expect("a message");
        let id = message.headers.as_ref().and_then(|headers| {
            headers
                .iter()
                .find(|(name, _)| name.to_string().eq_ignore_ascii_case("Nats-Msg-Id"))
                .and_then(|(_, values)| values.first())
                .map(|value| value.as_str().to_string())
        });
        assert!(
            id.is_some(),
            "a message without Nats-Msg-Id: {:?}",
            message.headers
        );
        out.push((id, message.payload.clone()));
    }
    out
}

/// Varied raw articles written for these tests: summits proposed, planned,
/// held and called off between different leaders; aid in several
/// currencies and stages; both; neither; HTML and plain text; with and
/// without titles and sources.
fn articles(prefix: &str, count: usize) -> Vec<Value> {
    const MEETINGS: [(&str, &str); 8] = [
        (
            "Canadian Prime Minister Justin Trudeau",
            "Mexican President Andres Manuel Lopez Obrador",
        ),
        (
            "Turkish President Recep Tayyip Erdogan",
            "Greek Prime Minister Kyriakos Mitsotakis",
        ),
        (
            "Brazilian President Luiz Inacio Lula da Silva",
            "Argentine President Alberto Fernandez",
        ),
        (
            "Egyptian President Abdel Fattah al-Sisi",
            "Ethiopian Prime Minister Abiy Ahmed",
        ),
        (
            "Indonesian President Joko Widodo",
            "Australian Prime Minister Anthony Albanese",
        ),
        (
            "Kenyan President William Ruto",
            "Tanzanian President Samia Suluhu Hassan",
        ),
        (
            "Spanish Prime Minister Pedro Sanchez",
            "Portuguese Prime Minister Antonio Costa",
        ),
        (
            "Polish President Andrzej Duda",
            "Lithuanian President Gitanas Nauseda",
        ),
    ];
    const CITIES: [&str; 6] = [
        "Ottawa", "Ankara", "Brasilia", "Cairo", "Jakarta", "Nairobi",
    ];
    const WHEN: [&str; 6] = [
        "next week",
        "in March",
        "on Monday",
        "later this month",
        "in the autumn",
        "early next year",
    ];
    const SUMMIT_FORMS: [&str; 4] = [
        "{a} and {b} will hold a summit in {city} {when}.",
        "{a} proposed a summit with {b} {when}.",
        "{a} met {b} for summit talks in {city} {when}.",
        "A planned summit between {a} and {b} in {city} was cancelled.",
    ];
    const AID: [(&str, &str, &str); 6] = [
        ("Norway", "pledged", "Sudan"),
        ("Germany", "announced", "Jordan"),
        ("The Asian Development Bank", "approved", "Sri Lanka"),
        ("Japan", "delivered", "the Philippines"),
        ("The United Kingdom", "promised", "Somalia"),
        ("Qatar", "offered", "Lebanon"),
    ];
    const MONEY: [&str; 5] = [
        "${n} million",
        "{n} million euros",
        "${n}.5 billion",
        "{n} million pounds",
        "{n}0 million yen",
    ];
    const FILLER: [&str; 6] = [
        "Traffic in the capital was heavy after the storm.",
        "The football season resumes on Saturday.",
        "Oil prices edged lower in early trading.",
        "Teachers in three provinces ended their strike.",
        "A new bridge over the river opened to traffic.",
        "The museum reported record visitor numbers.",
    ];
    const SOURCES: [Option<&str>; 4] = [Some("Wire One"), Some("Daily Ledger"), None, Some("AFP")];
    (0..count)
        .map(|i| {
            let (a, b) = MEETINGS[i % MEETINGS.len()];
            let summit = SUMMIT_FORMS[(i / 2) % SUMMIT_FORMS.len()]
                .replace("{a}", a)
                .replace("{b}", b)
                .replace("{city}", CITIES[(i / 3) % CITIES.len()])
                .replace("{when}", WHEN[(i / 5) % WHEN.len()]);
            let (donor, verb, recipient) = AID[(i / 4) % AID.len()];
            let money = MONEY[i % MONEY.len()].replace("{n}", &(2 + (i * 13) % 90).to_string());
            let aid = format!("{donor} {verb} {money} in aid to {recipient}.");
            let filler = FILLER[i % FILLER.len()];
            let other = FILLER[(i + 2) % FILLER.len()];
            let sentences: Vec<&str> = match i % 5 {
                0 => vec![&summit, filler],
                1 => vec![filler, &aid, other],
                2 => vec![&summit, &aid],
                3 => vec![filler, other],
                _ => vec![&aid, &summit, filler],
            };
            let html = i % 7 == 4;
            let body = if html {
                let paragraphs: String = sentences.iter().map(|s| format!("<p>{s}</p>")).collect();
                format!(
                    "<html><body><nav>Home | World | Sport</nav><article>{paragraphs}</article><footer>All rights reserved.</footer></body></html>"
                )
            } else {
                sentences.join(" ")
            };
            let mut article = json!({
                "id": format!("{prefix}-{i:05}"),
                "body": body,
                "published_at": format!(
                    "2022-{:02}-{:02}T{:02}:15:00Z",
                    1 + i % 12,
                    1 + i % 28,
                    i % 24
                ),
            });
            if html {
                article["content_type"] = json!("text/html");
            }
            if let Some(source) = SOURCES[i % SOURCES.len()] {
                article["source"] = json!(source);
            }
            if i % 3 != 1 {
                article["title"] = json!(format!("Report {i}"));
            }
            article
        })
        .collect()
}

/// Which node the test takes down.
#[derive(Debug, Clone, Copy)]
enum Victim {
    /// The node holding the (R1) input stream: an outage of the stream.
    InputStreamHost,
    /// The (R3) input stream's leader: a failover.
    InputStreamLeader,
}

async fn scale_out_scenario(replicas: u8, victim: Victim) {
    let _turn = SERIAL.lock().await;
    let started = Instant::now();
    let tag = if replicas == 1 { "A" } else { "B" };
    let layout = Layout::new(&format!("C{tag}"));
    let (input_name, dlq_name) = (layout.input_stream(), layout.dlq_stream());

    // The articles and what `sherpa extract` makes of them, while the
    // cluster starts.
    let values = articles(&layout.prefix, ARTICLES);
    let dir = tempfile::tempdir().expect("temp dir");
    let input_path = dir.path().join("articles.jsonl");
    let mut text = String::new();
    for article in &values {
        text.push_str(&article.to_string());
        text.push('\n');
    }
    std::fs::write(&input_path, text).expect("write the articles");
    let expected = tokio::task::spawn_blocking({
        let path = input_path.clone();
        move || extract_records(&path)
    });
    let raw: Arc<Vec<Raw>> = Arc::new(
        values
            .iter()
            .map(|article| {
                let source = article["source"].as_str().unwrap_or("unknown");
                Raw {
                    id: article["id"].as_str().expect("id").to_string(),
                    subject: layout.raw_subject(&source.replace([' ', '.'], "_")),
                    payload: Bytes::from(article.to_string()),
                }
            })
            .collect(),
    );

    let mut cluster = tokio::task::block_in_place(NatsCluster::start);
    let client = connect(&cluster).await;
    let js = jetstream::new(client.clone());
    let mut fleet = Fleet::start(&layout, &cluster.urls(), replicas).await;
    let up = started.elapsed();

    // Each stream has the replicas asked for.
    for stream in [
        layout.input_stream(),
        layout.output_stream(),
        layout.dlq_stream(),
    ] {
        let placement = eventually(
            &format!("stream {stream} to have a leader"),
            Duration::from_secs(20),
            || stream_placement(&client, &stream),
        )
        .await;
        assert_eq!(
            placement.replicas,
            usize::from(replicas),
            "{stream}: {placement:?}"
        );
    }

    let expected = expected.await.expect("sherpa extract");
    let total = expected.len() as u64;
    assert!(
        total > ARTICLES as u64,
        "every article gives one record at least"
    );
    let published = Arc::new(AtomicUsize::new(0));
    let (release_tail, tail_released) = tokio::sync::oneshot::channel();
    let publisher = tokio::spawn(publish_paced(
        js.clone(),
        raw.clone(),
        published.clone(),
        tail_released,
    ));
    eprintln!(
        "[{tag} {:>5.1}s] publishing",
        started.elapsed().as_secs_f64()
    );

    // 1. A NATS node dies (SIGKILL) with work outstanding, and comes back.
    eventually_scraping(
        &mut fleet,
        "a tenth of the articles published and records flowing",
        Duration::from_secs(60),
        || async {
            let stored = stream_messages(&js, &layout.output_stream()).await?;
            (published.load(Ordering::Relaxed) >= ARTICLES / 10 && stored > 0).then_some(())
        },
    )
    .await;
    let placement = eventually(
        "the input stream's placement",
        Duration::from_secs(20),
        || stream_placement(&client, &input_name),
    )
    .await;
    let victim_index = cluster
        .index_of(&placement.leader)
        .unwrap_or_else(|| panic!("unknown server {}", placement.leader));
    let (pending, ack_pending) = eventually("consumer info", Duration::from_secs(20), || {
        consumer_backlog(&js, &layout)
    })
    .await;
    eprintln!(
        "[{tag} {:>5.1}s] killing {} ({victim:?}; published {}, consumer pending {pending}, ack pending {ack_pending})",
        started.elapsed().as_secs_f64(),
        placement.leader,
        published.load(Ordering::Relaxed)
    );
    tokio::task::block_in_place(|| cluster.kill(victim_index));
    let killed_at = Instant::now();
    match victim {
        Victim::InputStreamLeader => {
            // Another node takes over the stream, and records keep coming
            // while the old leader is down.
            let new_leader = eventually(
                "a new leader for the input stream",
                Duration::from_secs(30),
                || async {
                    let placement = stream_placement(&client, &layout.input_stream()).await?;
                    (placement.leader != cluster.node_name(victim_index))
                        .then_some(placement.leader)
                },
            )
            .await;
            let elected_after = killed_at.elapsed();
            let before = stream_messages(&js, &layout.output_stream())
                .await
                .unwrap_or(0);
            eventually_scraping(
                &mut fleet,
                "records to flow while the old leader is down",
                Duration::from_secs(30),
                || async {
                    let now = stream_messages(&js, &layout.output_stream()).await?;
                    (now >= before + 200).then_some(())
                },
            )
            .await;
            eprintln!(
                "[{tag} {:>5.1}s] {new_leader} leads the input stream {:.1}s after the kill; records flowed without {}",
                started.elapsed().as_secs_f64(),
                elected_after.as_secs_f64(),
                cluster.node_name(victim_index)
            );
        }
        Victim::InputStreamHost => {
            // The stream's only copy is away: nothing can flow. Stay down
            // long enough that pulls, acks and publishes fail.
            tokio::time::sleep(Duration::from_secs(3)).await;
        }
    }
    tokio::task::block_in_place(|| cluster.restart(victim_index));
    eprintln!(
        "[{tag} {:>5.1}s] {} back and current after {:.1}s away",
        started.elapsed().as_secs_f64(),
        cluster.node_name(victim_index),
        killed_at.elapsed().as_secs_f64()
    );
    fleet.assert_running();

    // 2. A rolling restart: one worker at a time, each drained by SIGTERM.
    for slot in 0..WORKERS {
        fleet.restart_gracefully(&layout, slot).await;
        fleet.scrape();
    }
    eprintln!(
        "[{tag} {:>5.1}s] rolling restart done (published {})",
        started.elapsed().as_secs_f64(),
        published.load(Ordering::Relaxed)
    );

    // 3. One worker is killed outright while it holds articles, with the
    // last articles being published.
    let publishing_at_kill_9 = published.load(Ordering::Relaxed);
    release_tail
        .send(())
        .expect("the publisher waits for the tail");
    let killed_holding = fleet.kill9(&js, &layout, 1).await;
    eprintln!(
        "[{tag} {:>5.1}s] worker 1 kill -9'd and replaced (published {})",
        started.elapsed().as_secs_f64(),
        published.load(Ordering::Relaxed)
    );

    let publish_took = publisher.await.expect("the publisher");
    eprintln!(
        "[{tag} {:>5.1}s] all {ARTICLES} articles published in {:.1}s",
        started.elapsed().as_secs_f64(),
        publish_took.as_secs_f64()
    );
    let stored_articles = eventually("input stream info", Duration::from_secs(20), || {
        stream_messages(&js, &input_name)
    })
    .await;
    assert_eq!(
        stored_articles, ARTICLES as u64,
        "the input stream holds every article once"
    );

    // Everything settles: nothing pending, nothing unacknowledged, every
    // record stored.
    eventually_scraping(
        &mut fleet,
        &format!("{total} records on the output stream and an empty consumer"),
        Duration::from_secs(120),
        || async {
            let (pending, ack_pending) = consumer_backlog(&js, &layout).await?;
            let stored = stream_messages(&js, &layout.output_stream()).await?;
            (pending == 0 && ack_pending == 0 && stored >= total).then_some(())
        },
    )
    .await;
    let drained = started.elapsed();
    fleet.scrape();
    fleet.assert_running();

    // Exactly once: each record id once, by Nats-Msg-Id and by payload, and
    // each equal to what `sherpa extract` makes.
    let stored = read_stream(&js, &layout.output_stream()).await;
    let mut by_msg_id: BTreeMap<String, usize> = BTreeMap::new();
    let mut seen: BTreeMap<String, Value> = BTreeMap::new();
    for (msg_id, payload) in &stored {
        let record: Value = serde_json::from_slice(payload).expect("records are JSON");
        let id = record["record_id"].as_str().expect("record_id").to_string();
        assert_eq!(
            msg_id.as_deref(),
            Some(id.as_str()),
            "Nats-Msg-Id is the record_id"
        );
        *by_msg_id.entry(id.clone()).or_default() += 1;
        seen.insert(id, record);
    }
    let doubled: Vec<(&String, &usize)> = by_msg_id.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        doubled.is_empty(),
        "{} records stored more than once (first: {:?})",
        doubled.len(),
        doubled.first()
    );
    assert_same_records(&expected, &seen);
    // No article was lost: each one's enriched article record is there.
    let articles_out = seen
        .values()
        .filter(|r| !matches!(r["schema"].as_str(), Some("summit/1" | "aid/1")))
        .count();
    assert_eq!(articles_out, ARTICLES, "one enriched article per article");
    let dead_letters = eventually("dead-letter stream info", Duration::from_secs(20), || {
        stream_messages(&js, &dlq_name)
    })
    .await;
    assert_eq!(dead_letters, 0, "nothing was dead-lettered");

    // Work was spread: each slot's processes processed a share.
    let processed = fleet.processed();
    let (redeliveries, duplicates) = fleet.redeliveries_and_duplicates();
    eprintln!(
        "[{tag} {:>5.1}s] drained; processed per worker (their /metrics): {processed:?}; {} records; {redeliveries} redeliveries, {duplicates} duplicate records dropped by the output stream; cluster up in {:.1}s; kill -9 with {publishing_at_kill_9} of {ARTICLES} published",
        drained.as_secs_f64(),
        stored.len(),
        up.as_secs_f64()
    );
    // The disruptions did bite: what the killed worker held came back — as
    // a redelivery, or as records published again and dropped as duplicates
    // by the output stream.
    assert!(
        killed_holding,
        "the frozen worker was delivered nothing while the tail was published"
    );
    assert!(
        redeliveries >= 1.0,
        "what the killed worker held was not redelivered ({duplicates} duplicates dropped)"
    );
    for (slot, n) in processed.iter().enumerate() {
        assert!(
            *n >= (ARTICLES / 10) as f64,
            "worker {slot} processed only {n} of {ARTICLES} articles: {processed:?}"
        );
    }
    fleet.stop().await;
    drop(cluster);
    eprintln!("[{tag} {:>5.1}s] done", started.elapsed().as_secs_f64());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r1_streams_survive_losing_the_input_node_a_rolling_restart_and_kill_9() {
    scale_out_scenario(1, Victim::InputStreamHost).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r3_streams_survive_losing_the_input_stream_leader_a_rolling_restart_and_kill_9() {
    scale_out_scenario(3, Victim::InputStreamLeader).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_with_other_replicas_is_a_start_up_error_and_is_left_alone() {
    let cluster = tokio::task::block_in_place(NatsCluster::start);
    let layout = Layout::new("CM");
    let client = connect(&cluster).await;
    let js = jetstream::new(client.clone());
    js.create_stream(jetstream::stream::Config {
        name: layout.input_stream(),
        subjects: vec![format!("{}.raw.>", layout.prefix)],
        num_replicas: 1,
        ..Default::default()
    })
    .await
    .expect("create an R1 input stream");

    let mut worker = Worker::spawn(&layout, &cluster.urls(), 3, 0);
    let status = worker.wait_exit(Duration::from_secs(30)).await;
    assert_eq!(status.code(), Some(1), "{}", worker.log());
    let log = worker.log();
    assert!(
        log.contains(&format!(
            "stream {} exists but it has 1 replica, not the 3 sherpa was started with (--stream-replicas 3)",
            layout.input_stream()
        )),
        "the error must say what differs:\n{log}"
    );
    let placement = stream_placement(&client, &layout.input_stream())
        .await
        .expect("the input stream");
    assert_eq!(placement.replicas, 1, "never changed: {placement:?}");
    assert_eq!(
        stream_messages(&js, &layout.output_stream()).await,
        None,
        "nothing else was created"
    );
}

/// The `--flag value` pairs of a command line given as a YAML list.
fn command_flags(service: &serde_yaml::Value) -> BTreeMap<String, String> {
    let args: Vec<String> = service["command"]
        .as_sequence()
        .expect("a command list")
        .iter()
        .map(|a| a.as_str().expect("a string argument").to_string())
        .collect();
    let mut flags = BTreeMap::new();
    let mut i = 0;
    while i < args.len() {
        let value = args.get(i + 1).filter(|v| !v.starts_with("--"));
        flags.insert(args[i].clone(), value.cloned().unwrap_or_default());
        i += if value.is_some() { 2 } else { 1 };
    }
    flags
}

#[test]
fn the_compose_cluster_profile_runs_three_nats_nodes_and_three_r3_replicas() {
    use serde_yaml::Value as Yaml;
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let read = |path: &Path| {
        std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
    };
    let compose: Yaml =
        serde_yaml::from_str(&read(&repo.join("docker-compose.yml"))).expect("YAML");
    let volumes: Vec<&str> = compose["volumes"]
        .as_mapping()
        .expect("named volumes")
        .keys()
        .filter_map(Yaml::as_str)
        .collect();
    let in_cluster = |service: &Yaml| {
        service["profiles"]
            .as_sequence()
            .is_some_and(|p| p.iter().any(|p| p.as_str() == Some("cluster")))
    };
    let services = compose["services"].as_mapping().expect("services");
    let mut nats = BTreeMap::new();
    let mut replicas = BTreeMap::new();
    for (name, service) in services {
        let name = name.as_str().expect("a service name").to_string();
        if !in_cluster(service) {
            continue;
        }
        match service["image"].as_str() {
            Some(image) if image.starts_with("nats:") => nats.insert(name, service),
            _ => replicas.insert(name, service),
        };
    }
    assert_eq!(nats.len(), 3, "three NATS nodes: {:?}", nats.keys());
    assert_eq!(
        replicas.len(),
        3,
        "three sherpa replicas: {:?}",
        replicas.keys()
    );

    // One JetStream cluster: same cluster name, distinct server names and
    // stores, each routed to the other two.
    let mut cluster_names = Vec::new();
    let mut server_names = Vec::new();
    let mut stores = Vec::new();
    for (name, node) in &nats {
        let flags = command_flags(node);
        assert!(flags.contains_key("--jetstream"), "{name}: {flags:?}");
        cluster_names.push(flags["--cluster_name"].clone());
        server_names.push(flags["--server_name"].clone());
        let port = flags["--cluster"]
            .rsplit(':')
            .next()
            .expect("a cluster port")
            .to_string();
        for other in nats.keys().filter(|other| *other != name) {
            let route = format!("nats://{other}:{port}");
            assert!(
                flags["--routes"].split(',').any(|r| r == route),
                "{name} has no route to {other}: {}",
                flags["--routes"]
            );
        }
        let store = &flags["--store_dir"];
        let mounted = node["volumes"]
            .as_sequence()
            .expect("volumes")
            .iter()
            .filter_map(Yaml::as_str)
            .find_map(|v| {
                let (source, target) = v.split_once(':')?;
                (target.trim_end_matches(":ro") == store).then_some(source)
            })
            .unwrap_or_else(|| panic!("{name}: the store {store} is not on a volume"));
        assert!(
            volumes.contains(&mounted),
            "{name}: volume {mounted} is not declared"
        );
        stores.push(mounted.to_string());
        assert!(
            node["healthcheck"]["test"].is_sequence(),
            "{name} has no healthcheck"
        );
    }
    cluster_names.dedup();
    assert_eq!(cluster_names.len(), 1, "{cluster_names:?}");
    for list in [&mut server_names, &mut stores] {
        list.sort();
        list.dedup();
        assert_eq!(list.len(), 3, "not distinct: {list:?}");
    }

    // Three replicas on the whole cluster, with R3 streams, each on its own
    // host port, every variable one `sherpa run` reads.
    let help = sherpa_command()
        .args(["run", "--help"])
        .output()
        .expect("sherpa run --help");
    let help = String::from_utf8_lossy(&help.stdout);
    let mut metrics_ports = Vec::new();
    let mut host_ports = Vec::new();
    for (name, replica) in &replicas {
        assert_eq!(replica["command"][0].as_str(), Some("run"), "{name}");
        let env = replica["environment"].as_mapping().expect("environment");
        let get = |key: &str| env.get(key).and_then(Yaml::as_str).unwrap_or_default();
        for key in env.keys().filter_map(Yaml::as_str) {
            assert!(
                help.contains(&format!("env: {key}")),
                "{name}: sherpa reads no {key}"
            );
        }
        assert_eq!(get("SHERPA_STREAM_REPLICAS"), "3", "{name}");
        let urls: Vec<&str> = get("SHERPA_NATS_URL").split(',').collect();
        for node in nats.keys() {
            assert!(
                urls.contains(&format!("nats://{node}:4222").as_str()),
                "{name} is not given {node}: {urls:?}"
            );
            assert_eq!(
                replica["depends_on"][node.as_str()]["condition"].as_str(),
                Some("service_healthy"),
                "{name} must wait for {node}"
            );
        }
        let addr = get("SHERPA_METRICS_ADDR");
        metrics_ports.push(addr.rsplit(':').next().expect("a port").to_string());
        host_ports.push(
            replica["ports"][0]
                .as_str()
                .expect("a published port")
                .to_string(),
        );
    }
    metrics_ports.dedup();
    assert_eq!(metrics_ports.len(), 1, "{metrics_ports:?}");
    host_ports.sort();
    host_ports.dedup();
    assert_eq!(host_ports.len(), 3, "host ports clash: {host_ports:?}");

    // Prometheus scrapes every replica, labelled by its name.
    let config: Yaml =
        serde_yaml::from_str(&read(&deploy_dir().join("prometheus/prometheus.yml"))).expect("YAML");
    let job = config["scrape_configs"]
        .as_sequence()
        .expect("scrape configs")
        .iter()
        .find(|c| c["job_name"] == "sherpa")
        .expect("the sherpa job");
    let discovery = &job["dns_sd_configs"][0];
    let names: Vec<&str> = discovery["names"]
        .as_sequence()
        .expect("names")
        .iter()
        .filter_map(Yaml::as_str)
        .collect();
    for name in replicas.keys() {
        assert!(
            names.contains(&name.as_str()),
            "{name} is not scraped: {names:?}"
        );
    }
    assert_eq!(
        discovery["port"].as_u64().map(|p| p.to_string()),
        Some(metrics_ports[0].clone())
    );
    assert_eq!(
        job["relabel_configs"][0]["source_labels"][0].as_str(),
        Some("__meta_dns_name"),
        "instances are named after their service"
    );

    // The dashboard shows each instance.
    let dashboard = read(&deploy_dir().join("grafana/dashboards/sherpa.json"));
    for metric in ["sherpa_articles_processed_total", "sherpa_ready"] {
        assert!(
            dashboard.contains(&format!("by (instance) ({metric}"))
                || dashboard.contains(&format!("by (instance) (rate({metric}")),
            "no per-instance panel of {metric}"
        );
    }

    // Where docker compose is installed, it accepts the profile too.
    let v2 = Command::new("docker")
        .args(["compose", "version"])
        .output()
        .is_ok_and(|o| o.status.success());
    let compose_cli: Option<Vec<&str>> = if v2 {
        Some(vec!["docker", "compose"])
    } else if Command::new("docker-compose")
        .arg("version")
        .output()
        .is_ok()
    {
        Some(vec!["docker-compose"])
    } else {
        None
    };
    match compose_cli {
        Some(cli) => {
            let output = Command::new(cli[0])
                .args(&cli[1..])
                .args([
                    "-f",
                    "docker-compose.yml",
                    "--profile",
                    "cluster",
                    "config",
                    "--quiet",
                ])
                .current_dir(&repo)
                .output()
                .expect("run docker compose config");
            assert!(
                output.status.success(),
                "{} config refuses the cluster profile: {}",
                cli.join(" "),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        None => eprintln!("docker compose is not installed: the cluster profile was parsed only"),
    }
}
