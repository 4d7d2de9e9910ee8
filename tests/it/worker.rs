//! `sherpa run` end to end: the real binary against a real nats-server per
//! test (free port, own store), with random stream, subject and consumer
//! names. Every wait polls with a deadline; no sleep is an assertion.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use async_nats::jetstream::{self, message::PublishMessage};
use futures::StreamExt;
use serde_json::{Value, json};

use crate::support::layout::Layout;
use crate::support::nats::NatsServer;
use crate::support::records::{assert_same_records, extract_records, stream_messages};
use crate::support::{sherpa_command, stdout_ok};

/// A `sherpa run` process; killed on Drop, its log printed if the test fails.
struct WorkerProcess {
    child: Child,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl WorkerProcess {
    fn spawn(layout: &Layout, url: &str, extra: &[&str]) -> WorkerProcess {
        let dir = tempfile::tempdir().expect("temp dir");
        let log = dir.path().join("worker.log");
        let file = std::fs::File::create(&log).expect("create the worker log");
        let mut command = sherpa_command();
        command.args(layout.run_args(url)).args(extra);
        // Short enough that a killed worker's messages come back quickly.
        if !extra.contains(&"--ack-wait") {
            command.args(["--ack-wait", "3s"]);
        }
        command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(file));
        let child = command.spawn().expect("spawn sherpa run");
        WorkerProcess {
            child,
            log,
            _dir: dir,
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill {signal} failed");
    }

    fn kill9(&mut self) {
        self.signal("-KILL");
        let _ = self.child.wait();
    }

    /// Waits for the process to exit, polling.
    async fn wait_exit(&mut self, timeout: Duration) -> ExitStatus {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the worker did not exit within {timeout:?}\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The fields of the `worker stopped` log line.
    fn final_stats(&self) -> Value {
        self.log()
            .lines()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .find(|line| line["fields"]["message"] == "worker stopped")
            .map(|line| line["fields"].clone())
            .unwrap_or_else(|| panic!("no `worker stopped` line in the log:\n{}", self.log()))
    }
}

impl Drop for WorkerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // WORKER_TEST_LOGS=1 shows the log of passing tests too.
        if std::thread::panicking() || std::env::var_os("WORKER_TEST_LOGS").is_some() {
            let log = self.log();
            let tail: Vec<&str> = log.lines().rev().take(60).collect();
            eprintln!("--- worker log (last lines) ---");
            for line in tail.iter().rev() {
                eprintln!("{line}");
            }
        }
    }
}

/// Polls `check` every 100 ms until it yields a value; fails after `timeout`.
async fn eventually<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
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

async fn connect(server: &NatsServer) -> jetstream::Context {
    let client = async_nats::ConnectOptions::new()
        .retry_on_initial_connect()
        .connect(server.url())
        .await
        .expect("connect the test client");
    jetstream::new(client)
}

/// Waits until the worker has provisioned its input stream and consumer.
async fn wait_provisioned(js: &jetstream::Context, layout: &Layout) {
    eventually(
        "the worker to create its consumer",
        Duration::from_secs(20),
        || async {
            let stream = js.get_stream(layout.input_stream()).await.ok()?;
            stream
                .consumer_info(layout.consumer())
                .await
                .ok()
                .map(|_| ())
        },
    )
    .await;
}

/// Publishes raw messages to `<prefix>.raw.<source>` with `Nats-Msg-Id` =
/// the article id (when there is one), awaiting every ack.
async fn publish_raw(js: &jetstream::Context, layout: &Layout, messages: &[Vec<u8>]) {
    let publishes = futures::stream::iter(messages.iter().cloned())
        .map(|payload| {
            let parsed: Option<Value> = serde_json::from_slice(&payload).ok();
            let id = parsed
                .as_ref()
                .and_then(|v| v["id"].as_str().map(String::from));
            let source = parsed
                .as_ref()
                .and_then(|v| v["source"].as_str().map(String::from))
                .unwrap_or_else(|| "unknown".to_string());
            let subject = layout.raw_subject(&source.replace([' ', '.'], "_"));
            let mut message = PublishMessage::build().payload(payload.into());
            if let Some(id) = id {
                message = message.message_id(id);
            }
            let js = js.clone();
            async move {
                js.send_publish(subject, message)
                    .await
                    .expect("send a raw article")
                    .await
                    .expect("JetStream ack for a raw article")
            }
        })
        .buffer_unordered(256);
    publishes.collect::<Vec<_>>().await;
}

/// One stored message.
struct Stored {
    subject: String,
    headers: HashMap<String, String>,
    payload: Vec<u8>,
}

/// Every message in a stream, in order.
async fn read_stream(js: &jetstream::Context, name: &str) -> Vec<Stored> {
    let mut stream = js.get_stream(name).await.expect("get stream");
    let state = stream.info().await.expect("stream info").state.clone();
    if state.messages == 0 {
        return Vec::new();
    }
    let stream = &stream;
    let mut out: Vec<(u64, Stored)> =
        futures::stream::iter(state.first_sequence..=state.last_sequence)
            .map(|seq| async move {
                let message = stream.get_raw_message(seq).await.ok()?;
                let headers = message
                    .headers
                    .iter()
                    .filter_map(|(name, values)| {
                        values
                            .first()
                            .map(|v| (name.to_string(), v.as_str().to_string()))
                    })
                    .collect();
                Some((
                    seq,
                    Stored {
                        subject: message.subject.to_string(),
                        headers,
                        payload: message.payload.to_vec(),
                    },
                ))
            })
            .buffer_unordered(32)
            .filter_map(|m| async move { m })
            .collect()
            .await;
    out.sort_by_key(|(seq, _)| *seq);
    out.into_iter().map(|(_, m)| m).collect()
}

/// Waits until the consumer has nothing pending or unacknowledged and the
/// output stream holds `expected` messages.
async fn wait_drained(js: &jetstream::Context, layout: &Layout, expected: u64, timeout: Duration) {
    eventually(
        &format!("{expected} records on the output stream and an empty consumer"),
        timeout,
        || async {
            let stream = js.get_stream(layout.input_stream()).await.ok()?;
            let info = stream.consumer_info(layout.consumer()).await.ok()?;
            let stored = stream_messages(js, &layout.output_stream()).await?;
            (info.num_pending == 0 && info.num_ack_pending == 0 && stored == expected).then_some(())
        },
    )
    .await;
}

/// `record_id` → record, from `sherpa extract --articles` over the same input.
fn expected_records(articles: &[Vec<u8>]) -> BTreeMap<String, Value> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("articles.jsonl");
    let mut text = Vec::new();
    for article in articles {
        text.extend_from_slice(article);
        text.push(b'\n');
    }
    std::fs::write(&path, text).expect("write articles");
    extract_records(&path)
}

/// Checks the output stream holds exactly `expected`, each record once, on
/// the subject of its kind, with `Nats-Msg-Id` = `record_id`.
async fn assert_output_is(
    js: &jetstream::Context,
    layout: &Layout,
    expected: &BTreeMap<String, Value>,
) {
    let stored = read_stream(js, &layout.output_stream()).await;
    let mut seen: BTreeMap<String, Value> = BTreeMap::new();
    let mut doubled = Vec::new();
    for message in &stored {
        let record: Value = serde_json::from_slice(&message.payload).expect("records are JSON");
        let id = record["record_id"].as_str().expect("record_id").to_string();
        assert_eq!(
            message.headers.get("Nats-Msg-Id"),
            Some(&id),
            "Nats-Msg-Id must be the record_id"
        );
        let kind = match record["schema"].as_str() {
            Some("summit/1") => "summit",
            Some("aid/1") => "aid",
            _ => "article",
        };
        assert_eq!(
            message.subject,
            layout.output_subject(kind),
            "subject of {id}"
        );
        if seen.insert(id.clone(), record).is_some() {
            doubled.push(id);
        }
    }
    assert!(doubled.is_empty(), "records stored twice: {doubled:?}");
    assert_same_records(expected, &seen);
}

/// Deterministic, varied raw articles: summits, aid, both, neither; plain
/// text and HTML; with and without titles, sources and extra fields.
fn articles(prefix: &str, count: usize) -> Vec<Vec<u8>> {
    const PAIRS: [(&str, &str, &str, &str); 6] = [
        (
            "Japanese",
            "Prime Minister Shinzo Abe",
            "North Korean",
            "leader Kim Jong Un",
        ),
        (
            "South Korean",
            "President Moon Jae-in",
            "North Korean",
            "leader Kim Jong Un",
        ),
        (
            "US",
            "President Donald Trump",
            "Russian",
            "President Vladimir Putin",
        ),
        (
            "Chinese",
            "President Xi Jinping",
            "Indian",
            "Prime Minister Narendra Modi",
        ),
        (
            "French",
            "President Emmanuel Macron",
            "German",
            "Chancellor Angela Merkel",
        ),
        (
            "British",
            "Prime Minister Theresa May",
            "Irish",
            "Taoiseach Leo Varadkar",
        ),
    ];
    const PLACES: [&str; 5] = ["Pyongyang", "Singapore", "Helsinki", "Beijing", "Paris"];
    const WHEN: [&str; 5] = [
        "in early June",
        "next month",
        "in April",
        "later this year",
        "on Thursday",
    ];
    const DONORS: [(&str, &str); 5] = [
        ("Japan", "North Korea"),
        ("The European Union", "Ukraine"),
        ("The World Bank", "Pakistan"),
        ("Saudi Arabia", "Egypt"),
        ("The United States", "Jordan"),
    ];
    const VERBS: [&str; 4] = ["pledged", "offered", "delivered", "promised"];
    const SOURCES: [Option<&str>; 5] = [
        Some("Reuters"),
        Some("Kyodo News"),
        None,
        Some("news.example.com"),
        Some("AP"),
    ];
    const FILLER: [&str; 4] = [
        "Markets in Tokyo closed slightly higher on the day.",
        "The weather service warned of heavy rain in the south.",
        "Officials declined to comment on the talks.",
        "The central bank left interest rates unchanged.",
    ];
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let (a_adj, a_leader, b_adj, b_leader) = PAIRS[i % PAIRS.len()];
        let place = PLACES[(i / 3) % PLACES.len()];
        let when = WHEN[(i / 7) % WHEN.len()];
        let (donor, recipient) = DONORS[(i / 2) % DONORS.len()];
        let verb = VERBS[(i / 5) % VERBS.len()];
        let amount = 1 + (i * 7) % 40;
        let summit = format!(
            "{a_adj} {a_leader} and {b_adj} {b_leader} will hold a summit in {place} {when}."
        );
        let aid = format!("{donor} {verb} ${amount} billion in aid to {recipient}.");
        let filler = FILLER[i % FILLER.len()];
        let sentences: Vec<&str> = match i % 4 {
            0 => vec![&summit, filler],
            1 => vec![filler, &aid],
            2 => vec![&summit, &aid, filler],
            _ => vec![filler, FILLER[(i + 1) % FILLER.len()]],
        };
        let html = i % 10 == 3;
        let body = if html {
            sentences
                .iter()
                .map(|s| format!("<p>{s}</p>"))
                .collect::<Vec<_>>()
                .join("")
        } else {
            sentences.join(" ")
        };
        let month = 1 + i % 12;
        let day = 1 + i % 28;
        let mut article = json!({
            "id": format!("{prefix}-{i:05}"),
            "body": body,
            "published_at": format!("2018-{month:02}-{day:02}T{:02}:30:00Z", i % 24),
        });
        if html {
            article["content_type"] = json!("text/html");
        }
        if let Some(source) = SOURCES[i % SOURCES.len()] {
            article["source"] = json!(source);
        }
        if i % 3 != 0 {
            article["title"] = json!(format!("Story number {i}"));
        }
        if i % 11 == 0 {
            article["lang_score"] = json!(0.97);
        }
        out.push(serde_json::to_vec(&article).expect("serialize an article"));
    }
    out
}

fn count_records(expected: &BTreeMap<String, Value>) -> u64 {
    expected.len() as u64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_articles_give_exactly_the_records_extract_gives() {
    let server = NatsServer::start();
    let layout = Layout::new("T");
    let js = connect(&server).await;
    let mut worker = WorkerProcess::spawn(&layout, &server.url(), &[]);
    wait_provisioned(&js, &layout).await;

    let input = articles(&layout.prefix, 1000);
    let expected = expected_records(&input);
    assert!(
        expected.len() >= 1000,
        "at least one record (the enriched article) per article"
    );
    publish_raw(&js, &layout, &input).await;
    wait_drained(
        &js,
        &layout,
        count_records(&expected),
        Duration::from_secs(60),
    )
    .await;
    assert_output_is(&js, &layout, &expected).await;
    assert_eq!(stream_messages(&js, &layout.dlq_stream()).await, Some(0));
    assert!(worker.is_running(), "the worker exited:\n{}", worker.log());

    worker.signal("-TERM");
    let status = worker.wait_exit(Duration::from_secs(15)).await;
    assert!(status.success(), "exit status {status}");
    let stats = worker.final_stats();
    assert_eq!(stats["acked"], 1000, "{stats}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poison_messages_go_to_the_dead_letter_stream_and_the_rest_flows() {
    let server = NatsServer::start();
    let layout = Layout::new("T");
    let js = connect(&server).await;
    let mut worker =
        WorkerProcess::spawn(&layout, &server.url(), &["--max-article-bytes", "65536"]);
    wait_provisioned(&js, &layout).await;

    let good = articles(&layout.prefix, 200);
    let expected = expected_records(&good);
    let too_large = serde_json::to_vec(&json!({
        "id": "poison-large",
        "body": "Leaders met. ".repeat(8000),
    }))
    .expect("serialize");
    let poison: Vec<(Vec<u8>, &str)> = vec![
        (
            br#"{"id": "poison-json", "body": "cut off"#.to_vec(),
            "invalid_json",
        ),
        (
            br#"{"source": "Reuters", "body": "No id here."}"#.to_vec(),
            "missing_id",
        ),
        (
            br#"{"id": "poison-empty", "title": "Nothing else"}"#.to_vec(),
            "missing_content",
        ),
        (too_large, "too_large"),
        (
            b"{\"id\": \"poison-utf8\", \"body\": \"caf\xe9 \xff\"}".to_vec(),
            "invalid_utf8",
        ),
    ];
    let mut input = Vec::new();
    for (i, article) in good.iter().enumerate() {
        input.push(article.clone());
        if i % 40 == 20 {
            input.push(poison[i / 40].0.clone());
        }
    }
    assert_eq!(input.len(), good.len() + poison.len());
    publish_raw(&js, &layout, &input).await;

    wait_drained(
        &js,
        &layout,
        count_records(&expected),
        Duration::from_secs(60),
    )
    .await;
    assert_output_is(&js, &layout, &expected).await;
    let letters = eventually(
        "every poison message on the dead-letter stream",
        Duration::from_secs(20),
        || async {
            let letters = read_stream(&js, &layout.dlq_stream()).await;
            (letters.len() >= poison.len()).then_some(letters)
        },
    )
    .await;
    let mut reasons: Vec<String> = letters
        .iter()
        .map(|letter| {
            assert_eq!(letter.subject, layout.dlq_subject());
            assert!(
                letter
                    .headers
                    .get("Sherpa-Subject")
                    .is_some_and(|s| s.starts_with(&layout.raw_subject(""))),
                "Sherpa-Subject: {:?}",
                letter.headers
            );
            assert_eq!(
                letter.headers.get("Sherpa-Deliveries").map(String::as_str),
                Some("1")
            );
            assert!(
                letter
                    .headers
                    .get("Sherpa-Error")
                    .is_some_and(|e| !e.is_empty())
            );
            let reason = letter
                .headers
                .get("Sherpa-Reason")
                .cloned()
                .unwrap_or_default();
            let (original, _) = poison
                .iter()
                .find(|(_, r)| *r == reason)
                .unwrap_or_else(|| panic!("unexpected reason {reason:?}"));
            assert_eq!(
                &letter.payload, original,
                "the dead letter is the original message"
            );
            reason
        })
        .collect();
    reasons.sort();
    let mut wanted: Vec<String> = poison.iter().map(|(_, r)| r.to_string()).collect();
    wanted.sort();
    assert_eq!(reasons, wanted);

    assert!(
        worker.is_running(),
        "the worker must survive poison:\n{}",
        worker.log()
    );
    worker.signal("-TERM");
    let status = worker.wait_exit(Duration::from_secs(15)).await;
    assert!(status.success(), "exit status {status}");
    let stats = worker.final_stats();
    assert_eq!(stats["dead_lettered"], poison.len() as u64, "{stats}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_stream_loses_and_doubles_nothing() {
    let server = NatsServer::start();
    let layout = Layout::new("T");
    let js = connect(&server).await;
    let mut first = WorkerProcess::spawn(&layout, &server.url(), &[]);
    wait_provisioned(&js, &layout).await;

    let input = articles(&layout.prefix, 3000);
    let expected = expected_records(&input);
    let total = count_records(&expected);
    publish_raw(&js, &layout, &input).await;
    // Kill as soon as records flow: thousands are still pulled, queued or
    // being published.
    eventually("the first records", Duration::from_secs(30), || async {
        let stored = stream_messages(&js, &layout.output_stream()).await?;
        (stored > 0).then_some(())
    })
    .await;
    first.kill9();
    let stream = js
        .get_stream(layout.input_stream())
        .await
        .expect("input stream");
    let info = stream
        .consumer_info(layout.consumer())
        .await
        .expect("consumer info");
    let left = info.num_pending + info.num_ack_pending as u64;
    assert!(
        left > 0,
        "the worker finished before it was killed; the test proves nothing"
    );

    let _second = WorkerProcess::spawn(&layout, &server.url(), &[]);
    wait_drained(&js, &layout, total, Duration::from_secs(90)).await;
    assert_output_is(&js, &layout, &expected).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broker_restart_is_survived_without_loss_or_doubles() {
    let mut server = NatsServer::start();
    let layout = Layout::new("T");
    let js = connect(&server).await;
    let mut worker = WorkerProcess::spawn(&layout, &server.url(), &[]);
    wait_provisioned(&js, &layout).await;

    let input = articles(&layout.prefix, 2000);
    let (before, after) = input.split_at(1500);
    let expected = expected_records(&input);
    publish_raw(&js, &layout, before).await;
    eventually("the first records", Duration::from_secs(30), || async {
        let stored = stream_messages(&js, &layout.output_stream()).await?;
        (stored > 0).then_some(())
    })
    .await;

    let stream = js
        .get_stream(layout.input_stream())
        .await
        .expect("input stream");
    let info = stream
        .consumer_info(layout.consumer())
        .await
        .expect("consumer info");
    assert!(
        info.num_pending + info.num_ack_pending as u64 > 0,
        "the worker finished before the broker stopped; the test proves nothing"
    );
    tokio::task::block_in_place(|| server.stop());
    // The broker stays away long enough for the worker to notice: pulls,
    // publishes and acks fail meanwhile.
    tokio::time::sleep(Duration::from_secs(2)).await;
    tokio::task::block_in_place(|| server.restart());
    assert!(
        worker.is_running(),
        "the worker exited during the outage:\n{}",
        worker.log()
    );

    // New input after the restart must flow too: the worker resumed by itself.
    eventually(
        "JetStream back after the restart",
        Duration::from_secs(20),
        || async { js.get_stream(layout.input_stream()).await.ok().map(|_| ()) },
    )
    .await;
    publish_raw(&js, &layout, after).await;
    wait_drained(
        &js,
        &layout,
        count_records(&expected),
        Duration::from_secs(90),
    )
    .await;
    assert_output_is(&js, &layout, &expected).await;
    assert!(worker.is_running(), "the worker exited:\n{}", worker.log());
    let log = worker.log();
    assert!(
        log.contains("NATS disconnected"),
        "the outage was not noticed:\n{log}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_under_load_drains_and_exits_zero_in_time() {
    let server = NatsServer::start();
    let layout = Layout::new("T");
    let js = connect(&server).await;
    let mut worker = WorkerProcess::spawn(&layout, &server.url(), &[]);
    wait_provisioned(&js, &layout).await;

    let input = articles(&layout.prefix, 2000);
    let expected = expected_records(&input);
    publish_raw(&js, &layout, &input).await;
    eventually("the first records", Duration::from_secs(30), || async {
        let stored = stream_messages(&js, &layout.output_stream()).await?;
        (stored > 0).then_some(())
    })
    .await;
    let asked = Instant::now();
    worker.signal("-TERM");
    let status = worker.wait_exit(Duration::from_secs(15)).await;
    let took = asked.elapsed();
    assert!(status.success(), "exit status {status}:\n{}", worker.log());
    assert!(
        took < Duration::from_secs(10),
        "shutdown took {took:?}, over --shutdown-timeout"
    );
    let stats = worker.final_stats();
    assert!(stats["acked"].as_u64().unwrap_or(0) > 0, "{stats}");

    // Whatever it did not take is still there for the next worker, and
    // what it did take is not done twice.
    let _next = WorkerProcess::spawn(&layout, &server.url(), &[]);
    wait_drained(
        &js,
        &layout,
        count_records(&expected),
        Duration::from_secs(60),
    )
    .await;
    assert_output_is(&js, &layout, &expected).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_workers_share_one_consumer() {
    let server = NatsServer::start();
    let layout = Layout::new("T");
    let js = connect(&server).await;
    let mut workers: Vec<WorkerProcess> = (0..3)
        .map(|_| WorkerProcess::spawn(&layout, &server.url(), &["--pull-batch", "16"]))
        .collect();
    wait_provisioned(&js, &layout).await;

    let input = articles(&layout.prefix, 1000);
    let expected = expected_records(&input);
    publish_raw(&js, &layout, &input).await;
    wait_drained(
        &js,
        &layout,
        count_records(&expected),
        Duration::from_secs(60),
    )
    .await;
    assert_output_is(&js, &layout, &expected).await;

    let mut acked = Vec::new();
    for worker in &mut workers {
        worker.signal("-TERM");
        let status = worker.wait_exit(Duration::from_secs(15)).await;
        assert!(status.success(), "exit status {status}");
        acked.push(worker.final_stats()["acked"].as_u64().unwrap_or(0));
    }
    assert!(
        acked.iter().all(|n| *n > 0),
        "work was not spread: {acked:?}"
    );
    assert!(acked.iter().sum::<u64>() >= 1000, "{acked:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_existing_stream_that_does_not_fit_is_a_start_up_error() {
    let server = NatsServer::start();
    let layout = Layout::new("T");
    let js = connect(&server).await;
    js.create_stream(jetstream::stream::Config {
        name: layout.output_stream(),
        subjects: vec![format!("{}.out.>", layout.prefix)],
        duplicate_window: Duration::from_secs(30),
        ..Default::default()
    })
    .await
    .expect("create a stream with a short duplicate window");
    let mut worker = WorkerProcess::spawn(&layout, &server.url(), &[]);
    let status = worker.wait_exit(Duration::from_secs(20)).await;
    assert_eq!(status.code(), Some(1), "{}", worker.log());
    let log = worker.log();
    assert!(
        log.contains("duplicate window is 30s"),
        "the error must say what differs:\n{log}"
    );
    let mut stream = js
        .get_stream(layout.output_stream())
        .await
        .expect("stream kept");
    let info = stream.info().await.expect("info");
    assert_eq!(
        info.config.duplicate_window,
        Duration::from_secs(30),
        "never changed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_provision_refuses_to_create_anything() {
    let server = NatsServer::start();
    let layout = Layout::new("T");
    let js = connect(&server).await;
    let mut worker = WorkerProcess::spawn(&layout, &server.url(), &["--no-provision"]);
    let status = worker.wait_exit(Duration::from_secs(20)).await;
    assert_eq!(status.code(), Some(1), "{}", worker.log());
    let log = worker.log();
    assert!(
        log.contains(&format!("stream {} does not exist", layout.input_stream())),
        "{log}"
    );
    assert!(
        js.get_stream(layout.input_stream()).await.is_err(),
        "nothing created"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_never_settled_reaches_the_dead_letter_stream_after_max_deliver() {
    let server = NatsServer::start();
    let layout = Layout::new("T");
    let js = connect(&server).await;
    // The ack wait leaves the next worker time to start watching advisories
    // before the stranded delivery expires (advisories are not stored).
    let settings = ["--max-deliver", "1", "--ack-wait", "4s"];
    // The first worker only provisions.
    let mut first = WorkerProcess::spawn(&layout, &server.url(), &settings);
    wait_provisioned(&js, &layout).await;
    first.signal("-TERM");
    assert!(first.wait_exit(Duration::from_secs(15)).await.success());

    // A delivery that is never settled, as if a worker died on it each time.
    let input = articles(&layout.prefix, 1);
    publish_raw(&js, &layout, &input).await;
    let stream = js
        .get_stream(layout.input_stream())
        .await
        .expect("input stream");
    let consumer: jetstream::consumer::PullConsumer = stream
        .get_consumer(&layout.consumer())
        .await
        .expect("consumer");
    let mut batch = consumer
        .fetch()
        .max_messages(1)
        .messages()
        .await
        .expect("fetch");
    let taken = batch
        .next()
        .await
        .expect("one message")
        .expect("a delivery");
    drop(taken);

    // Its only delivery is spent: the server will not deliver it again, and
    // says so in an advisory the next worker turns into a dead letter.
    let mut worker = WorkerProcess::spawn(&layout, &server.url(), &settings);
    eventually(
        "the worker to watch advisories",
        Duration::from_secs(10),
        || async {
            worker
                .log()
                .contains("watching for messages that exhaust max deliveries")
                .then_some(())
        },
    )
    .await;
    let letters = eventually(
        "the stranded message on the dead-letter stream",
        Duration::from_secs(20),
        || async {
            let letters = read_stream(&js, &layout.dlq_stream()).await;
            (!letters.is_empty()).then_some(letters)
        },
    )
    .await;
    assert_eq!(letters.len(), 1);
    assert_eq!(
        letters[0].headers.get("Sherpa-Reason").map(String::as_str),
        Some("max_deliveries")
    );
    assert_eq!(letters[0].payload, input[0]);
    assert_eq!(stream_messages(&js, &layout.output_stream()).await, Some(0));
    assert!(worker.is_running());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publish_routes_by_source_and_is_idempotent() {
    let server = NatsServer::start();
    let layout = Layout::new("T");
    let js = connect(&server).await;
    let input = articles(&layout.prefix, 40);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("articles.jsonl");
    let mut text = Vec::new();
    for article in &input {
        text.extend_from_slice(article);
        text.extend_from_slice(b"\n\n");
    }
    std::fs::write(&path, text).expect("write articles");
    let publish = |extra: &[&str]| {
        let output = sherpa_command()
            .arg("publish")
            .arg(&path)
            .args(["--nats-url", &server.url()])
            .args(["--input-stream", &layout.input_stream()])
            .args(["--input-subjects", &format!("{}.raw.>", layout.prefix)])
            .args(["--subject-prefix", &format!("{}.raw", layout.prefix)])
            .args(extra)
            .output()
            .expect("run sherpa publish");
        stdout_ok("sherpa publish", &output);
    };
    let started = Instant::now();
    publish(&["--rate", "100"]);
    assert!(
        started.elapsed() >= Duration::from_millis(390),
        "40 articles at 100/s cannot take {:?}",
        started.elapsed()
    );
    publish(&[]);

    let stored = read_stream(&js, &layout.input_stream()).await;
    assert_eq!(
        stored.len(),
        input.len(),
        "the second run must store nothing new"
    );
    let mut subjects: Vec<String> = stored.iter().map(|m| m.subject.clone()).collect();
    subjects.sort();
    subjects.dedup();
    let expected: Vec<String> = ["AP", "Kyodo_News", "Reuters", "news_example_com", "unknown"]
        .iter()
        .map(|source| layout.raw_subject(source))
        .collect();
    assert_eq!(subjects, expected);
    for message in &stored {
        let article: Value = serde_json::from_slice(&message.payload).expect("JSON");
        assert_eq!(
            message.headers.get("Nats-Msg-Id").map(String::as_str),
            article["id"].as_str()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_authenticates_with_user_and_password() {
    let server = NatsServer::start_with(&["--user", "sherpa", "--pass", "s3cret"]);
    let layout = Layout::new("T");
    let client =
        async_nats::ConnectOptions::with_user_and_password("sherpa".into(), "s3cret".into())
            .connect(server.url())
            .await
            .expect("connect with credentials");
    let js = jetstream::new(client);
    let mut worker = WorkerProcess::spawn(
        &layout,
        &server.url(),
        &["--nats-user", "sherpa", "--nats-password", "s3cret"],
    );
    wait_provisioned(&js, &layout).await;
    let input = articles(&layout.prefix, 5);
    let expected = expected_records(&input);
    publish_raw(&js, &layout, &input).await;
    wait_drained(
        &js,
        &layout,
        count_records(&expected),
        Duration::from_secs(30),
    )
    .await;
    assert_output_is(&js, &layout, &expected).await;
    assert!(
        !worker.log().contains("s3cret"),
        "the password must never be logged"
    );
    worker.signal("-TERM");
    assert!(worker.wait_exit(Duration::from_secs(15)).await.success());
}

/// `record_id` → record from `sherpa extract --articles` with loopback
/// fetching allowed, for inputs with URL-only articles.
fn expected_records_fetching(articles: &[Vec<u8>]) -> BTreeMap<String, Value> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("articles.jsonl");
    let text: Vec<u8> = articles
        .iter()
        .flat_map(|a| a.iter().copied().chain([b'\n']))
        .collect();
    std::fs::write(&path, text).expect("write articles");
    let output = sherpa_command()
        .args(["extract", "--articles", "--fetch-allow", "127.0.0.0/8"])
        .arg(&path)
        .output()
        .expect("run sherpa extract");
    stdout_ok("sherpa extract", &output)
        .lines()
        .map(|line| {
            let record: Value = serde_json::from_str(line).expect("JSON lines");
            let id = record["record_id"].as_str().expect("record_id").to_string();
            (id, record)
        })
        .collect()
}

/// A URL-only article is fetched (from a local server; loopback allowed)
/// and gives exactly what `sherpa extract` gives; a URL answering 404 is
/// dead-lettered at once as `fetch_failed` with its class; one that keeps
/// answering 503 is handed back, retried, and dead-lettered at max_deliver.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn url_only_articles_are_fetched_and_failed_fetches_dead_lettered() {
    use crate::support::http::{Reply, TestServer};
    let pages = TestServer::start(|path, _| match path {
        "/article" => Reply::html(
            "<html><body><nav><a>G20 summit in Osaka</a></nav>\
             <p>Japanese Prime Minister Shinzo Abe and North Korean leader Kim Jong Un \
             will hold a summit in Pyongyang in early June.</p>\
             <footer>Japan pledged $3 billion to Egypt.</footer></body></html>",
        ),
        "/down" => Reply::new(503),
        _ => Reply::new(404),
    });
    let server = NatsServer::start();
    let layout = Layout::new("T");
    let js = connect(&server).await;
    let mut worker = WorkerProcess::spawn(
        &layout,
        &server.url(),
        &[
            "--fetch-allow",
            "127.0.0.0/8",
            "--fetch-retries",
            "0",
            "--max-deliver",
            "2",
            "--retry-delay",
            "100ms",
        ],
    );
    wait_provisioned(&js, &layout).await;

    let url_only = serde_json::to_vec(&json!({
        "id": "url-only",
        "source": "Reuters",
        "url": pages.url("/article"),
        "published_at": "2018-03-29T10:00:00Z",
    }))
    .expect("serialize");
    let missing =
        serde_json::to_vec(&json!({"id": "url-404", "url": pages.url("/missing")})).expect("json");
    let down =
        serde_json::to_vec(&json!({"id": "url-503", "url": pages.url("/down")})).expect("json");
    let mut good = articles(&layout.prefix, 3);
    good.push(url_only);
    let expected = expected_records_fetching(&good);
    let enriched = expected
        .values()
        .find(|r| r["article"]["id"] == "url-only" && r["schema"] == "article/1")
        .expect("the enriched URL-only article");
    assert_eq!(enriched["fetched"]["final_url"], pages.url("/article"));
    assert!(
        expected
            .values()
            .any(|r| r["article"]["id"] == "url-only" && r["schema"] == "summit/1"),
        "the fetched page has a summit"
    );
    let requests_before = pages.hits("/article");

    let mut input = good.clone();
    input.push(missing.clone());
    input.push(down.clone());
    publish_raw(&js, &layout, &input).await;
    wait_drained(
        &js,
        &layout,
        count_records(&expected),
        Duration::from_secs(30),
    )
    .await;
    assert_output_is(&js, &layout, &expected).await;
    assert_eq!(
        pages.hits("/article"),
        requests_before + 1,
        "the worker fetched the page once"
    );

    let letters = eventually(
        "both failed fetches on the dead-letter stream",
        Duration::from_secs(20),
        || async {
            let letters = read_stream(&js, &layout.dlq_stream()).await;
            (letters.len() >= 2).then_some(letters)
        },
    )
    .await;
    assert_eq!(letters.len(), 2);
    let letter = |payload: &[u8]| {
        letters
            .iter()
            .find(|l| l.payload == payload)
            .unwrap_or_else(|| panic!("no dead letter for {}", String::from_utf8_lossy(payload)))
    };
    let header =
        |letter: &Stored, name: &str| letter.headers.get(name).cloned().unwrap_or_default();
    let not_found = letter(&missing);
    assert_eq!(header(not_found, "Sherpa-Reason"), "fetch_failed");
    assert!(
        header(not_found, "Sherpa-Error").starts_with("bad_status: HTTP 404"),
        "{:?}",
        not_found.headers
    );
    assert_eq!(header(not_found, "Sherpa-Deliveries"), "1", "not retried");
    assert_eq!(pages.hits("/missing"), 1);
    let unavailable = letter(&down);
    assert_eq!(header(unavailable, "Sherpa-Reason"), "max_deliveries");
    assert!(
        header(unavailable, "Sherpa-Error").contains("bad_status: HTTP 503"),
        "{:?}",
        unavailable.headers
    );
    assert_eq!(pages.hits("/down"), 2, "fetched once per delivery");

    assert!(worker.is_running(), "the worker exited:\n{}", worker.log());
    worker.signal("-TERM");
    let status = worker.wait_exit(Duration::from_secs(15)).await;
    assert!(status.success(), "exit status {status}");
}
