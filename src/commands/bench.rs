//! `sherpa bench`: throughput figures anyone can reproduce (BENCHMARKS.md).
//!
//! - `bench extract FILE [--threads N]` runs the core over a JSON Lines file,
//!   streaming it the way `sherpa extract` does, and prints articles/s, MB/s
//!   (of raw JSON lines) and the peak resident memory (`VmHWM`).
//! - `bench e2e --nats-url URL FILE` measures the worker through JetStream:
//!   it fills a fresh input stream with the file's articles, starts a child
//!   `sherpa run` on it and times the drain (articles/s), then publishes at
//!   half that rate and times each article from publish to ack (p50/p99);
//!   the same two measurements with an in-process pass-through consumer
//!   (decode, publish one article record, ack; no extraction) give the
//!   ceiling the broker and client allow, and the ratio between the two.
//!   Acks are observed on the broker (`$JS.ACK.<stream>.<consumer>.>`), so
//!   both passes are timed by the same clock. Every stream it creates has a
//!   unique name and is deleted at the end.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::BufRead as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context as _;
use async_nats::jetstream::{self, AckKind, message::PublishMessage};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures::StreamExt as _;
use futures::stream::FuturesUnordered;
use tokio::io::AsyncBufReadExt as _;
use tokio::sync::watch;
use tokio::time::Instant;

use crate::extract::extract;
use crate::knowledge::Knowledge;
use crate::model::{Article, DEFAULT_MAX_ARTICLE_BYTES};
use crate::pipeline::{self, Outcome, PipelineConfig, RecordKind};
use crate::shell::connect::ConnectArgs;
use crate::shell::duration::parse_duration;
use crate::shell::jsonl::{self, Lines};
use crate::shell::provision::{self, ConsumerSpec, StreamSpec};

#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    #[command(subcommand)]
    pub command: BenchCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum BenchCommand {
    /// The extraction core over a JSON Lines file: articles/s, MB/s, peak memory.
    Extract(ExtractBenchArgs),
    /// The worker end to end through JetStream, against a pass-through consumer.
    E2e(Box<E2eBenchArgs>),
}

#[derive(Debug, clap::Args)]
pub struct ExtractBenchArgs {
    /// JSON Lines file of raw articles (`-` for stdin).
    pub file: PathBuf,
    /// Threads extracting at once, each with the one shared knowledge.
    #[arg(long, env = "SHERPA_THREADS", default_value_t = 1)]
    pub threads: usize,
    /// Only the first N articles of the file.
    #[arg(long, env = "SHERPA_LIMIT")]
    pub limit: Option<usize>,
    /// The time that anchors relative dates in articles without `published_at`.
    #[arg(long, env = "SHERPA_NOW")]
    pub now: Option<DateTime<Utc>>,
    /// Print the figures as one JSON object.
    #[arg(long, env = "SHERPA_JSON")]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct E2eBenchArgs {
    /// JSON Lines file of raw articles.
    pub file: PathBuf,
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Only the first N articles of the file.
    #[arg(long, env = "SHERPA_LIMIT")]
    pub limit: Option<usize>,
    /// The worker's `--concurrency` (articles extracted at once); default: its own.
    #[arg(long, env = "SHERPA_CONCURRENCY")]
    pub concurrency: Option<usize>,
    /// Articles per second in the latency phase; default: half the worker's
    /// measured rate.
    #[arg(long, env = "SHERPA_LATENCY_RATE")]
    pub latency_rate: Option<f64>,
    /// How long the latency phase publishes (at most the file's articles).
    #[arg(long, env = "SHERPA_LATENCY_DURATION", default_value = "10s", value_parser = parse_duration)]
    pub latency_duration: Duration,
    /// Longest wait for one phase to finish before the run fails.
    #[arg(long, env = "SHERPA_PHASE_TIMEOUT", default_value = "300s", value_parser = parse_duration)]
    pub phase_timeout: Duration,
    /// The sherpa binary to run as the worker; default: this one.
    #[arg(long, env = "SHERPA_WORKER_BIN")]
    pub worker_bin: Option<PathBuf>,
    /// Print the figures as one JSON object.
    #[arg(long, env = "SHERPA_JSON")]
    pub json: bool,
}

pub fn run(args: BenchArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        BenchCommand::Extract(args) => bench_extract(args),
        BenchCommand::E2e(args) => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .context("cannot start the async runtime")?;
            runtime.block_on(bench_e2e(*args))
        }
    }
}

/// The peak resident set size of this process (`VmHWM`), in bytes; `None`
/// where `/proc` does not say.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

const MB: f64 = 1_000_000.0;

/// Lines handed to an extracting thread at once.
const BATCH: usize = 64;

/// User plus system CPU time of a process so far, in seconds, from
/// `/proc/<pid>/stat` (Linux's clock ticks are 1/100 s); `None` elsewhere.
fn cpu_seconds(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

// ---------------------------------------------------------------- extract

/// What one extraction thread did.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    articles: u64,
    bad: u64,
    bytes: u64,
    summits: u64,
    aid: u64,
    decode: Duration,
    extract: Duration,
    /// Serializing every record (and the enriched article), as the worker does.
    serialize: Duration,
}

impl Tally {
    fn add(&mut self, other: &Tally) {
        self.articles += other.articles;
        self.bad += other.bad;
        self.bytes += other.bytes;
        self.summits += other.summits;
        self.aid += other.aid;
        self.decode += other.decode;
        self.extract += other.extract;
        self.serialize += other.serialize;
    }
}

fn bench_extract(args: ExtractBenchArgs) -> anyhow::Result<ExitCode> {
    let threads = args.threads.max(1);
    let now = args.now.unwrap_or_else(Utc::now);
    let compile_started = std::time::Instant::now();
    let kb = Knowledge::builtin()?;
    let compile = compile_started.elapsed();
    let name = args.file.display().to_string();
    let reader =
        jsonl::open(&args.file).with_context(|| format!("cannot open {}", args.file.display()))?;
    let lines = Lines::new(reader, name.clone()).take(args.limit.unwrap_or(usize::MAX));

    // Lines travel in batches: a hand-off per line would cost the reading
    // and extracting threads a wake-up each (a tenth of the time measured).
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Vec<u8>>>(threads * 4);
    let rx = Mutex::new(rx);
    let config = PipelineConfig::default();
    let started = std::time::Instant::now();
    let (total, read_error) = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| scope.spawn(|| extract_thread(&kb, &config, &rx, now)))
            .collect();
        let mut read_error = None;
        let mut batch = Vec::with_capacity(BATCH);
        for line in lines {
            match line {
                Ok(line) => {
                    batch.push(line.bytes);
                    if batch.len() == BATCH
                        && tx
                            .send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)))
                            .is_err()
                    {
                        break;
                    }
                }
                Err(err) => {
                    read_error = Some(err);
                    break;
                }
            }
        }
        if !batch.is_empty() {
            let _ = tx.send(batch);
        }
        drop(tx);
        let mut total = Tally::default();
        for worker in workers {
            match worker.join() {
                Ok(tally) => total.add(&tally),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        (total, read_error)
    });
    let wall = started.elapsed();
    if let Some(err) = read_error {
        return Err(anyhow::Error::new(err).context(format!("cannot read {name}")));
    }

    let per_s = |n: f64, d: Duration| {
        if d.is_zero() {
            0.0
        } else {
            n / d.as_secs_f64()
        }
    };
    let n = (total.articles + total.bad) as f64;
    let bytes = total.bytes as f64;
    // The core's own rate on one thread: extraction time summed over threads.
    let core_mb_s = per_s(bytes / MB, total.extract);
    let core_articles_s = per_s(n, total.extract);
    let peak = peak_rss_bytes();
    if args.json {
        let figures = serde_json::json!({
            "file": name,
            "threads": threads,
            "articles": total.articles,
            "bad_lines": total.bad,
            "bytes": total.bytes,
            "summit_records": total.summits,
            "aid_records": total.aid,
            "knowledge_ms": compile.as_secs_f64() * 1e3,
            "wall_s": wall.as_secs_f64(),
            "articles_per_s": per_s(n, wall),
            "mb_per_s": per_s(bytes / MB, wall),
            "core_articles_per_s_per_thread": core_articles_s,
            "core_mb_per_s_per_thread": core_mb_s,
            "decode_s": total.decode.as_secs_f64(),
            "extract_s": total.extract.as_secs_f64(),
            "serialize_s": total.serialize.as_secs_f64(),
            "peak_rss_bytes": peak,
        });
        println!("{figures}");
    } else {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{name}: {} articles ({} bad lines), {:.2} MB, {threads} thread{}",
            total.articles,
            total.bad,
            bytes / MB,
            if threads == 1 { "" } else { "s" }
        );
        let _ = writeln!(out, "records: {} summit, {} aid", total.summits, total.aid);
        let _ = writeln!(
            out,
            "knowledge compiled in {:.1} ms",
            compile.as_secs_f64() * 1e3
        );
        let _ = writeln!(
            out,
            "throughput: {:.0} articles/s, {:.2} MB/s (decode + extract + serialize, {:.2} s wall)",
            per_s(n, wall),
            per_s(bytes / MB, wall),
            wall.as_secs_f64()
        );
        let _ = writeln!(
            out,
            "core alone: {core_articles_s:.0} articles/s, {core_mb_s:.2} MB/s per thread (extract {:.2} s, decode {:.2} s, serialize {:.2} s, summed over threads)",
            total.extract.as_secs_f64(),
            total.decode.as_secs_f64(),
            total.serialize.as_secs_f64()
        );
        let _ = writeln!(
            out,
            "peak memory: {}",
            peak.map_or("unknown (no /proc/self/status)".to_string(), |b| format!(
                "{:.1} MB (VmHWM)",
                b as f64 / MB
            ))
        );
        print!("{out}");
    }
    Ok(ExitCode::SUCCESS)
}

/// Takes lines until the channel closes: decode, extract, serialize, each
/// timed on its own.
fn extract_thread(
    kb: &Knowledge,
    config: &PipelineConfig,
    rx: &Mutex<std::sync::mpsc::Receiver<Vec<Vec<u8>>>>,
    now: DateTime<Utc>,
) -> Tally {
    let mut tally = Tally::default();
    loop {
        // The guard is dropped at the end of the statement: one batch at a time.
        let next = rx.lock().map(|rx| rx.recv());
        let Ok(Ok(batch)) = next else { break };
        for line in batch {
            extract_line(kb, config, &line, now, &mut tally);
        }
    }
    tally
}

/// Decodes, extracts and serializes one line into `tally`.
fn extract_line(
    kb: &Knowledge,
    config: &PipelineConfig,
    line: &[u8],
    now: DateTime<Utc>,
    tally: &mut Tally,
) {
    tally.bytes += line.len() as u64;
    let started = std::time::Instant::now();
    let decoded = pipeline::decode(config, line);
    tally.decode += started.elapsed();
    let Ok(article) = decoded else {
        tally.bad += 1;
        return;
    };
    let started = std::time::Instant::now();
    let mut extracting = Duration::ZERO;
    let outcome = pipeline::process_decoded(config, &article, now, |article, at| {
        let started = std::time::Instant::now();
        let enriched = extract(kb, article, at);
        extracting = started.elapsed();
        enriched
    });
    let processing = started.elapsed();
    tally.extract += extracting;
    tally.serialize += processing.saturating_sub(extracting);
    match outcome {
        Outcome::Publish(records) => {
            tally.articles += 1;
            for record in &records {
                match record.kind {
                    RecordKind::Summit => tally.summits += 1,
                    RecordKind::Aid => tally.aid += 1,
                    RecordKind::Article => {}
                }
            }
        }
        _ => tally.bad += 1,
    }
}

// ---------------------------------------------------------------- e2e

/// Names of everything one e2e run creates, unique to the run.
struct Names {
    prefix: String,
    subjects: String,
}

impl Names {
    fn new() -> Names {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let tag = format!("{:x}{:x}", std::process::id(), nanos & 0xffff_ffff_ffff);
        Names {
            prefix: format!("SHERPA_BENCH_{}", tag.to_uppercase()),
            subjects: format!("sherpa-bench.{tag}"),
        }
    }

    fn stream(&self, pass: &str, what: &str) -> String {
        format!(
            "{}_{}_{}",
            self.prefix,
            pass.to_uppercase(),
            what.to_uppercase()
        )
    }

    fn subject(&self, pass: &str, what: &str) -> String {
        format!("{}.{pass}.{what}", self.subjects)
    }
}

/// The worker's defaults (`sherpa run`), so the bench's own streams and
/// consumers match what the worker would create.
fn stream_spec(name: String, subjects: String) -> StreamSpec {
    StreamSpec {
        name,
        subjects: vec![subjects],
        duplicate_window: Duration::from_secs(600),
        min_duplicate_window: None,
        replicas: 1,
    }
}

fn consumer_spec(name: String, filter_subject: String) -> ConsumerSpec {
    ConsumerSpec {
        name,
        filter_subject,
        ack_wait: Duration::from_secs(30),
        max_deliver: 5,
        max_ack_pending: 1000,
        replicas: 1,
    }
}

/// When each input message (by stream sequence) was settled (acked or
/// termed), seen on the broker's ack subject.
#[derive(Clone)]
struct AckTimes {
    times: Arc<Mutex<HashMap<u64, Instant>>>,
    count: watch::Receiver<usize>,
}

impl AckTimes {
    /// Subscribes to the consumer's ack subject (both the 2.9 and the
    /// domain-qualified forms) and records the first settle of every message.
    async fn watch(
        client: &async_nats::Client,
        stream: &str,
        consumer: &str,
    ) -> anyhow::Result<AckTimes> {
        let mut short = client
            .subscribe(format!("$JS.ACK.{stream}.{consumer}.>"))
            .await
            .context("cannot subscribe to the ack subject")?;
        let mut long = client
            .subscribe(format!("$JS.ACK.*.*.{stream}.{consumer}.>"))
            .await
            .context("cannot subscribe to the ack subject")?;
        // Make sure the server has both subscriptions before anything is acked.
        client.flush().await.context("cannot flush")?;
        let times = Arc::new(Mutex::new(HashMap::new()));
        let (tx, count) = watch::channel(0usize);
        let recorder = times.clone();
        tokio::spawn(async move {
            loop {
                let message = tokio::select! {
                    m = short.next() => m,
                    m = long.next() => m,
                };
                let Some(message) = message else { break };
                let at = Instant::now();
                let payload = &message.payload[..];
                let settled = payload.is_empty()
                    || payload.starts_with(b"+ACK")
                    || payload.starts_with(b"+TERM");
                if !settled {
                    continue;
                }
                let Some(sequence) = ack_stream_sequence(message.subject.as_str()) else {
                    continue;
                };
                let n = {
                    let Ok(mut times) = recorder.lock() else {
                        break;
                    };
                    times.entry(sequence).or_insert(at);
                    times.len()
                };
                if tx.send(n).is_err() {
                    break;
                }
            }
        });
        Ok(AckTimes { times, count })
    }

    /// Waits until `n` messages were settled, or fails after `timeout`.
    async fn wait_for(&mut self, n: usize, timeout: Duration, what: &str) -> anyhow::Result<()> {
        let result = tokio::time::timeout(timeout, self.count.wait_for(|c| *c >= n))
            .await
            .map(|waited| waited.map(|_| ()));
        match result {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => anyhow::bail!("{what}: the ack subscription ended"),
            Err(_) => anyhow::bail!(
                "{what}: only {} of {n} articles were acked within {timeout:?}",
                *self.count.borrow()
            ),
        }
    }

    fn get(&self, sequence: u64) -> Option<Instant> {
        self.times.lock().ok()?.get(&sequence).copied()
    }

    /// The first and last settle among `sequences`.
    fn span(&self, sequences: &[u64]) -> Option<(Instant, Instant)> {
        let times = self.times.lock().ok()?;
        let mut found = sequences.iter().filter_map(|s| times.get(s).copied());
        let first = found.next()?;
        Some(found.fold((first, first), |(a, b), t| (a.min(t), b.max(t))))
    }
}

/// The stream sequence in an ack subject:
/// `$JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<ts>.<pending>`,
/// or with `<domain>.<account hash>` after `ACK` (12 tokens).
fn ack_stream_sequence(subject: &str) -> Option<u64> {
    let tokens: Vec<&str> = subject.split('.').collect();
    let index = match tokens.len() {
        9 => 5,
        n if n >= 11 => 7,
        _ => return None,
    };
    tokens.get(index)?.parse().ok()
}

/// Publishes `lines` to `subject`, up to 256 awaiting their ack at once;
/// with `rate`, at that many per second. Returns each message's stream
/// sequence and the time its publish started.
async fn publish_all(
    js: &jetstream::Context,
    subject: &str,
    lines: &[Bytes],
    rate: Option<f64>,
) -> anyhow::Result<Vec<(u64, Instant)>> {
    let mut pending = FuturesUnordered::new();
    let mut sent = Vec::with_capacity(lines.len());
    let started = Instant::now();
    for (i, line) in lines.iter().enumerate() {
        if let Some(rate) = rate {
            tokio::time::sleep_until(started + Duration::from_secs_f64(i as f64 / rate)).await;
        }
        while pending.len() >= 256 {
            if let Some(done) = pending.next().await {
                sent.push(done?);
            }
        }
        let at = Instant::now();
        let ack = js
            .publish(subject.to_string(), line.clone())
            .await
            .context("cannot publish")?;
        pending.push(async move {
            let ack = ack.await.context("a publish was not acknowledged")?;
            anyhow::Ok((ack.sequence, at))
        });
    }
    while let Some(done) = pending.next().await {
        sent.push(done?);
    }
    Ok(sent)
}

/// Drain and latency figures of one pass.
#[derive(Debug, Default, Clone, serde::Serialize)]
struct PassFigures {
    articles: usize,
    /// From the first settle to the last of a full input stream.
    drain_s: f64,
    articles_per_s: f64,
    mb_per_s: f64,
    /// CPU seconds the consuming process used during the drain (the child
    /// worker; for pass-through, this whole bench process).
    drain_cpu_s: Option<f64>,
    latency_rate: f64,
    latency_articles: usize,
    latency_p50_ms: f64,
    latency_p99_ms: f64,
    latency_max_ms: f64,
}

/// One pass: fill the input, let `consumer` (already running or started by
/// `start`) drain it, then publish at `rate` and time each message.
struct Pass<'a> {
    js: &'a jetstream::Context,
    input_subject: String,
    acks: AckTimes,
    settled: usize,
    timeout: Duration,
    name: &'static str,
}

impl Pass<'_> {
    async fn fill(&mut self, lines: &[Bytes]) -> anyhow::Result<(Vec<u64>, f64)> {
        let started = Instant::now();
        let sent = publish_all(self.js, &self.input_subject, lines, None).await?;
        let rate = lines.len() as f64 / started.elapsed().as_secs_f64().max(1e-9);
        Ok((sent.into_iter().map(|(s, _)| s).collect(), rate))
    }

    async fn drain(
        &mut self,
        sequences: &[u64],
        bytes: usize,
        figures: &mut PassFigures,
    ) -> anyhow::Result<()> {
        self.settled += sequences.len();
        self.acks
            .wait_for(self.settled, self.timeout, &format!("{} drain", self.name))
            .await?;
        let (first, last) = self
            .acks
            .span(sequences)
            .context("no settled message was seen")?;
        let seconds = (last - first).as_secs_f64().max(1e-9);
        figures.articles = sequences.len();
        figures.drain_s = seconds;
        // n messages settled over the n - 1 gaps between the first and last.
        let gaps = sequences.len().saturating_sub(1).max(1) as f64;
        figures.articles_per_s = gaps / seconds;
        figures.mb_per_s = bytes as f64 * (gaps / sequences.len().max(1) as f64) / MB / seconds;
        Ok(())
    }

    async fn latency(
        &mut self,
        lines: &[Bytes],
        rate: f64,
        figures: &mut PassFigures,
    ) -> anyhow::Result<()> {
        let sent = publish_all(self.js, &self.input_subject, lines, Some(rate)).await?;
        self.settled += sent.len();
        self.acks
            .wait_for(
                self.settled,
                self.timeout,
                &format!("{} latency phase", self.name),
            )
            .await?;
        let mut latencies: Vec<f64> = sent
            .iter()
            .filter_map(|(sequence, at)| {
                self.acks
                    .get(*sequence)
                    .map(|acked| (acked - *at).as_secs_f64() * 1e3)
            })
            .collect();
        latencies.sort_by(f64::total_cmp);
        let pick = |q: f64| {
            if latencies.is_empty() {
                return 0.0;
            }
            let i = ((latencies.len() as f64 * q).ceil() as usize).clamp(1, latencies.len());
            latencies[i - 1]
        };
        figures.latency_rate = rate;
        figures.latency_articles = latencies.len();
        figures.latency_p50_ms = pick(0.50);
        figures.latency_p99_ms = pick(0.99);
        figures.latency_max_ms = pick(1.0);
        Ok(())
    }
}

/// Streams to delete at the end, whatever happened.
struct Created {
    streams: Vec<String>,
}

async fn bench_e2e(args: E2eBenchArgs) -> anyhow::Result<ExitCode> {
    let lines = read_articles(&args.file, args.limit)?;
    anyhow::ensure!(!lines.is_empty(), "{} has no articles", args.file.display());
    let bytes: usize = lines.iter().map(Bytes::len).sum();
    let client = args
        .connect
        .connect("sherpa-bench")
        .await
        .context("cannot connect to NATS")?;
    let js = jetstream::new(client.clone());
    let names = Names::new();
    let mut created = Created {
        streams: Vec::new(),
    };
    let result = run_e2e(&args, &client, &js, &names, &lines, bytes, &mut created).await;
    let mut deleted = 0;
    for stream in &created.streams {
        match js.delete_stream(stream).await {
            Ok(_) => deleted += 1,
            Err(err) => eprintln!("sherpa: cannot delete the bench stream {stream}: {err}"),
        }
    }
    tracing::debug!(deleted, "bench streams deleted");
    let _ = client.flush().await;
    let report = result?;
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        print!("{}", report.text(&args.file));
    }
    Ok(ExitCode::SUCCESS)
}

/// Every figure of one e2e run.
#[derive(Debug, serde::Serialize)]
struct E2eReport {
    articles: usize,
    bytes: usize,
    fill_articles_per_s: f64,
    /// From spawning `sherpa run` to its "worker started" log line.
    worker_startup_ms: f64,
    worker: PassFigures,
    pass_through: PassFigures,
    /// Worker articles/s over pass-through articles/s.
    ratio: f64,
    worker_peak_rss_bytes: Option<u64>,
}

impl E2eReport {
    fn text(&self, file: &Path) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{}: {} articles, {:.2} MB; input filled at {:.0} articles/s",
            file.display(),
            self.articles,
            self.bytes as f64 / MB,
            self.fill_articles_per_s
        );
        let _ = writeln!(
            out,
            "worker start-up (spawn to consuming): {:.0} ms",
            self.worker_startup_ms
        );
        for (name, f) in [
            ("worker", &self.worker),
            ("pass-through", &self.pass_through),
        ] {
            let cpu = f.drain_cpu_s.map_or(String::new(), |cpu| {
                format!(
                    ", {:.2} cores, {:.0} µs CPU per article",
                    cpu / f.drain_s.max(1e-9),
                    cpu * 1e6 / f.articles.max(1) as f64
                )
            });
            let _ = writeln!(
                out,
                "{name}: {:.0} articles/s, {:.2} MB/s (drained {} in {:.2} s{cpu}); at {:.0}/s: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms over {} articles",
                f.articles_per_s,
                f.mb_per_s,
                f.articles,
                f.drain_s,
                f.latency_rate,
                f.latency_p50_ms,
                f.latency_p99_ms,
                f.latency_max_ms,
                f.latency_articles
            );
        }
        let _ = writeln!(out, "worker / pass-through: {:.0}%", self.ratio * 100.0);
        if let Some(rss) = self.worker_peak_rss_bytes {
            let _ = writeln!(out, "worker peak memory: {:.1} MB (VmHWM)", rss as f64 / MB);
        }
        out
    }
}

/// The file's non-blank lines, as they are (the worker judges them).
fn read_articles(path: &Path, limit: Option<usize>) -> anyhow::Result<Vec<Bytes>> {
    let reader = jsonl::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut lines = Vec::new();
    for line in reader.split(b'\n').take(limit.unwrap_or(usize::MAX)) {
        let line = line.with_context(|| format!("cannot read {}", path.display()))?;
        if !line.iter().all(u8::is_ascii_whitespace) {
            lines.push(Bytes::from(line));
        }
    }
    Ok(lines)
}

#[allow(clippy::too_many_arguments)]
async fn run_e2e(
    args: &E2eBenchArgs,
    client: &async_nats::Client,
    js: &jetstream::Context,
    names: &Names,
    lines: &[Bytes],
    bytes: usize,
    created: &mut Created,
) -> anyhow::Result<E2eReport> {
    // The latency phase publishes at most the file's articles, for at most
    // --latency-duration.
    let latency_lines = |rate: f64| {
        let n = (rate * args.latency_duration.as_secs_f64()).ceil() as usize;
        &lines[..n.clamp(1, lines.len())]
    };

    // ---- the worker: a child `sherpa run` on streams of its own.
    let input = names.stream("w", "in");
    let input_subjects = names.subject("w", "raw.>");
    let consumer = format!("{}_W", names.prefix);
    let stream = provision::ensure_stream(
        js,
        &stream_spec(input.clone(), input_subjects.clone()),
        true,
    )
    .await?;
    created.streams.push(input.clone());
    created.streams.push(names.stream("w", "out"));
    created.streams.push(names.stream("w", "dlq"));
    drop(stream);
    let acks = AckTimes::watch(client, &input, &consumer).await?;
    let mut pass = Pass {
        js,
        input_subject: names.subject("w", "raw.bench"),
        acks,
        settled: 0,
        timeout: args.phase_timeout,
        name: "worker",
    };
    let (sequences, fill_rate) = pass.fill(lines).await?;
    let mut child = spawn_worker(args, names, &input, &input_subjects, &consumer)?;
    let spawned = Instant::now();
    let stderr = child.stderr.take().context("no stderr from the worker")?;
    let (started_tx, started_rx) = tokio::sync::oneshot::channel::<Instant>();
    let tail = Arc::new(Mutex::new(Vec::<String>::new()));
    let log_tail = tail.clone();
    tokio::spawn(async move {
        let mut started_tx = Some(started_tx);
        let mut reader = tokio::io::BufReader::new(stderr).lines();
        while let Ok(Some(line)) = reader.next_line().await {
            if line.contains("worker started")
                && let Some(tx) = started_tx.take()
            {
                let _ = tx.send(Instant::now());
            }
            if let Ok(mut tail) = log_tail.lock() {
                tail.push(line);
                let excess = tail.len().saturating_sub(20);
                tail.drain(..excess);
            }
        }
    });
    let worker_result = async {
        let started = tokio::select! {
            started = started_rx => started.ok(),
            status = child.wait() => anyhow::bail!("the worker exited before it started consuming: {status:?}"),
            _ = tokio::time::sleep(args.phase_timeout) => None,
        };
        let started = started.context("the worker did not start consuming")?;
        let startup = started - spawned;
        let mut figures = PassFigures::default();
        let pid = child.id().map(|pid| pid.to_string()).unwrap_or_default();
        let cpu_before = cpu_seconds(&pid);
        tokio::select! {
            drained = pass.drain(&sequences, bytes, &mut figures) => drained?,
            status = child.wait() => anyhow::bail!("the worker exited during the drain: {status:?}"),
        }
        figures.drain_cpu_s = cpu_seconds(&pid)
            .zip(cpu_before)
            .map(|(after, before)| after - before);
        let rate = args
            .latency_rate
            .unwrap_or(figures.articles_per_s / 2.0)
            .max(1.0);
        tokio::select! {
            measured = pass.latency(latency_lines(rate), rate, &mut figures) => measured?,
            status = child.wait() => anyhow::bail!("the worker exited during the latency phase: {status:?}"),
        }
        let rss = child.id().and_then(|pid| {
            let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
            let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
            line.split_whitespace().nth(1)?.parse::<u64>().ok().map(|kb| kb * 1024)
        });
        anyhow::Ok((startup, figures, rate, rss))
    }
    .await;
    stop_worker(&mut child).await;
    let (startup, worker, rate, worker_rss) = worker_result.map_err(|err| {
        let tail = tail.lock().map(|t| t.join("\n")).unwrap_or_default();
        err.context(format!("the worker's last log lines:\n{tail}"))
    })?;

    // ---- pass-through: decode, publish one record, ack; in this process.
    let input = names.stream("pt", "in");
    let input_subjects = names.subject("pt", "raw.>");
    let consumer_name = format!("{}_PT", names.prefix);
    let stream = provision::ensure_stream(
        js,
        &stream_spec(input.clone(), input_subjects.clone()),
        true,
    )
    .await?;
    created.streams.push(input.clone());
    let output = names.stream("pt", "out");
    let output_subjects = names.subject("pt", "out.>");
    provision::ensure_stream(js, &stream_spec(output.clone(), output_subjects), true).await?;
    created.streams.push(output);
    let consumer = provision::ensure_consumer(
        &stream,
        &input,
        &consumer_spec(consumer_name.clone(), input_subjects),
        true,
    )
    .await?;
    let acks = AckTimes::watch(client, &input, &consumer_name).await?;
    let mut pass = Pass {
        js,
        input_subject: names.subject("pt", "raw.bench"),
        acks,
        settled: 0,
        timeout: args.phase_timeout,
        name: "pass-through",
    };
    let (sequences, _) = pass.fill(lines).await?;
    let (stop_tx, stop_rx) = watch::channel(false);
    let runner = tokio::spawn(pass_through(
        js.clone(),
        consumer,
        names.subject("pt", "out.article"),
        stop_rx,
    ));
    let mut pass_through = PassFigures::default();
    let measured = async {
        let cpu_before = cpu_seconds("self");
        pass.drain(&sequences, bytes, &mut pass_through).await?;
        pass_through.drain_cpu_s = cpu_seconds("self")
            .zip(cpu_before)
            .map(|(after, before)| after - before);
        pass.latency(latency_lines(rate), rate, &mut pass_through)
            .await
    }
    .await;
    let _ = stop_tx.send(true);
    let _ = tokio::time::timeout(Duration::from_secs(5), runner).await;
    measured?;

    Ok(E2eReport {
        articles: lines.len(),
        bytes,
        fill_articles_per_s: fill_rate,
        worker_startup_ms: startup.as_secs_f64() * 1e3,
        ratio: worker.articles_per_s / pass_through.articles_per_s.max(1e-9),
        worker,
        pass_through,
        worker_peak_rss_bytes: worker_rss,
    })
}

fn spawn_worker(
    args: &E2eBenchArgs,
    names: &Names,
    input: &str,
    input_subjects: &str,
    consumer: &str,
) -> anyhow::Result<tokio::process::Child> {
    let bin = match &args.worker_bin {
        Some(bin) => bin.clone(),
        None => std::env::current_exe().context("cannot find the sherpa binary")?,
    };
    let mut command = tokio::process::Command::new(&bin);
    command
        .arg("run")
        .args(["--input-stream", input])
        .args(["--input-subjects", input_subjects])
        .args(["--consumer", consumer])
        .args(["--output-stream", &names.stream("w", "out")])
        .args(["--output-subjects", &names.subject("w", "out.>")])
        .args(["--summit-subject", &names.subject("w", "out.summit")])
        .args(["--aid-subject", &names.subject("w", "out.aid")])
        .args(["--article-subject", &names.subject("w", "out.article")])
        .args(["--dlq-stream", &names.stream("w", "dlq")])
        .args(["--dlq-subject", &names.subject("w", "dlq")])
        .args(["--metrics-addr", "127.0.0.1:0"])
        .args(["--log-format", "json", "--log-level", "info"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    if let Some(concurrency) = args.concurrency {
        command.args(["--concurrency", &concurrency.to_string()]);
    }
    // The connection flags travel as their environment variables, so
    // secrets never show in the process list.
    let c = &args.connect;
    command.env("SHERPA_NATS_URL", c.nats_url.join(","));
    let optional = [
        ("SHERPA_NATS_USER", c.nats_user.as_deref()),
        ("SHERPA_NATS_PASSWORD", c.nats_password.as_deref()),
        ("SHERPA_NATS_TOKEN", c.nats_token.as_deref()),
        ("SHERPA_NATS_NKEY_SEED", c.nats_nkey_seed.as_deref()),
    ];
    for (var, value) in optional {
        if let Some(value) = value {
            command.env(var, value);
        }
    }
    let paths = [
        ("SHERPA_NATS_NKEY_SEED_FILE", &c.nats_nkey_seed_file),
        ("SHERPA_NATS_CREDS", &c.nats_creds),
        ("SHERPA_NATS_TLS_CA", &c.nats_tls_ca),
        ("SHERPA_NATS_TLS_CERT", &c.nats_tls_cert),
        ("SHERPA_NATS_TLS_KEY", &c.nats_tls_key),
    ];
    for (var, value) in paths {
        if let Some(value) = value {
            command.env(var, value);
        }
    }
    if c.nats_tls_required {
        command.env("SHERPA_NATS_TLS_REQUIRED", "true");
    }
    command
        .spawn()
        .with_context(|| format!("cannot start the worker {}", bin.display()))
}

/// SIGTERM, then a kill if it is still there after 30 s.
async fn stop_worker(child: &mut tokio::process::Child) {
    if let Some(pid) = child.id() {
        let _ = tokio::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .await;
    }
    if tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .is_err()
    {
        let _ = child.kill().await;
    }
}

/// The pass-through consumer: the least a worker can do per message. Pulls
/// like the worker (batches of 64, 64 messages settling at once), decodes,
/// publishes the article as one record with `Nats-Msg-Id` = its id, awaits
/// that ack, then acks the input (an undecodable one is termed).
async fn pass_through(
    js: jetstream::Context,
    consumer: jetstream::consumer::PullConsumer,
    subject: String,
    mut stop: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let messages = consumer
        .stream()
        .max_messages_per_batch(64)
        .expires(Duration::from_secs(10))
        .heartbeat(Duration::from_secs(5))
        .messages()
        .await
        .context("cannot pull")?;
    let work = messages.for_each_concurrent(64, |message| {
        let js = &js;
        let subject = &subject;
        async move {
            let Ok(message) = message else { return };
            let article = Article::from_slice(&message.payload, DEFAULT_MAX_ARTICLE_BYTES);
            let Ok(article) = article else {
                let _ = message.ack_with(AckKind::Term).await;
                return;
            };
            let Ok(payload) = serde_json::to_vec(&article) else {
                let _ = message.ack_with(AckKind::Term).await;
                return;
            };
            let record = PublishMessage::build()
                .payload(Bytes::from(payload))
                .message_id(&article.id);
            let published = match js.send_publish(subject.clone(), record).await {
                Ok(ack) => ack.await.is_ok(),
                Err(_) => false,
            };
            if published {
                let _ = message.ack().await;
            } else {
                let _ = message.ack_with(AckKind::Nak(None)).await;
            }
        }
    });
    tokio::select! {
        _ = work => {}
        _ = stop.wait_for(|stop| *stop) => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ack_subjects_give_the_stream_sequence() {
        assert_eq!(
            ack_stream_sequence("$JS.ACK.IN.sherpa.1.42.40.1700000000000000000.3"),
            Some(42)
        );
        assert_eq!(
            ack_stream_sequence("$JS.ACK.hub.ACCHASH.IN.sherpa.2.43.41.1700000000000000000.0.tok"),
            Some(43)
        );
        assert_eq!(ack_stream_sequence("$JS.ACK.IN.sherpa"), None);
    }

    #[test]
    fn peak_memory_is_read_on_linux() {
        if cfg!(target_os = "linux") {
            assert!(peak_rss_bytes().is_some_and(|b| b > 0));
        }
    }
}
