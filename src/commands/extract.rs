//! `sherpa extract`: raw articles as JSON Lines in (files or stdin), records
//! out on stdout, one per line. A bad line is reported on stderr with its file
//! and line number and the run goes on; the exit code is 1 if any line was bad.
//!
//! An article with only a `url` is fetched first (`shell::fetch`, the same
//! fetcher and guard the worker uses); a failed fetch is a bad line. Reading
//! runs on a thread of its own, fetches on a small tokio runtime, up to
//! `--fetch-concurrency` lines ahead; extraction and output stay in input
//! order and stream.

use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use chrono::{DateTime, Utc};
use futures::StreamExt;
use tokio::sync::mpsc;

use crate::extract::extract;
use crate::knowledge::Knowledge;
use crate::model::{
    Article, DEFAULT_MAX_ARTICLE_BYTES, EnrichedArticle, Fetched, InputError, RejectReason,
};
use crate::pipeline;
use crate::shell::fetch::{FetchArgs, Fetcher};
use crate::shell::jsonl::{self, Line, Lines};

#[derive(Debug, clap::Args)]
pub struct ExtractArgs {
    /// JSON Lines files of raw articles; stdin when none is given or `-`.
    pub files: Vec<PathBuf>,
    /// Also write one enriched article record per input article.
    #[arg(long, env = "SHERPA_ARTICLES")]
    pub articles: bool,
    /// The time that anchors relative dates in articles without
    /// `published_at` (RFC 3339); default: now.
    #[arg(long, env = "SHERPA_NOW")]
    pub now: Option<DateTime<Utc>>,
    /// Largest accepted input line, in bytes.
    #[arg(long, env = "SHERPA_MAX_ARTICLE_BYTES", default_value_t = DEFAULT_MAX_ARTICLE_BYTES)]
    pub max_article_bytes: usize,
    /// Show a progress bar on stderr: `auto` (when stderr is a terminal and
    /// the input is a file), `always` or `never`.
    #[arg(long, env = "SHERPA_PROGRESS", default_value = "auto")]
    pub progress: Progress,
    #[command(flatten)]
    pub fetch: FetchArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Progress {
    Auto,
    Always,
    Never,
}

/// Decodes one raw line and, for an article with only a `url`, fetches its
/// body: the article ready for extraction, and the record of the fetch. A
/// failed fetch is `fetch_failed`, its class leading the message
/// (`fetch_failed: bad_status: HTTP 404 from …`).
pub async fn prepare_line(
    fetcher: &Fetcher,
    bytes: &[u8],
    max_bytes: usize,
) -> Result<(Article, Option<Fetched>), InputError> {
    let article = Article::from_slice(bytes, max_bytes)?;
    let Some(url) = pipeline::needs_fetch(&article) else {
        return Ok((article, None));
    };
    match fetcher.fetch(url).await {
        Ok(page) => {
            let (article, fetched) = pipeline::with_fetched_body(article, page);
            Ok((article, Some(fetched)))
        }
        Err(err) => Err(InputError::new(RejectReason::FetchFailed, err.describe())),
    }
}

/// Runs the core over a prepared article; `fetched` goes into the enriched
/// article. An article with only a `url` that was not fetched is reported.
pub fn extract_article(
    kb: &Knowledge,
    article: &Article,
    fetched: Option<Fetched>,
    received_at: DateTime<Utc>,
) -> Result<EnrichedArticle, InputError> {
    if fetched.is_none() && pipeline::needs_fetch(article).is_some() {
        return Err(InputError::new(
            RejectReason::FetchFailed,
            "the article has only a `url`, and it was not fetched",
        ));
    }
    // A bug in the core must cost one article, not the run.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        extract(kb, article, received_at)
    }))
    .map(|mut enriched| {
        enriched.fetched = fetched;
        enriched
    })
    .map_err(|_| {
        InputError::new(
            RejectReason::ExtractPanicked,
            "extraction panicked on this article (a bug: please report it with the line)",
        )
    })
}

/// Reads every source, line by line, into `tx`. A source that cannot be
/// opened or read ends the reading with that error, after the lines before
/// it.
fn read_lines(sources: &[PathBuf], tx: &mpsc::Sender<anyhow::Result<Line>>) {
    for path in sources {
        let name = path.display().to_string();
        let reader = match jsonl::open(path) {
            Ok(reader) => reader,
            Err(err) => {
                let err = anyhow::Error::new(err).context(format!("cannot open {name}"));
                let _ = tx.blocking_send(Err(err));
                return;
            }
        };
        for line in Lines::new(reader, name.clone()) {
            let failed = line.is_err();
            let line = line.with_context(|| format!("cannot read {name}"));
            if tx.blocking_send(line).is_err() || failed {
                return;
            }
        }
    }
}

pub fn run(args: ExtractArgs) -> anyhow::Result<ExitCode> {
    let kb = Knowledge::builtin()?;
    let now = args.now.unwrap_or_else(Utc::now);
    let sources = jsonl::sources(&args.files);
    let show_progress = match args.progress {
        Progress::Always => true,
        Progress::Never => false,
        Progress::Auto => {
            io::stderr().is_terminal() && sources.iter().all(|p| p.as_os_str() != "-")
        }
    };
    let progress = show_progress.then(|| {
        let total: u64 = sources
            .iter()
            .filter_map(|p| std::fs::metadata(p).ok())
            .map(|m| m.len())
            .sum();
        let bar = indicatif::ProgressBar::new(total);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta} {msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });

    let fetcher = Fetcher::new(args.fetch.config()).context("cannot set up fetching")?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let read_ahead = fetcher.config().concurrency.max(1);
    let (tx, mut rx) = mpsc::channel::<anyhow::Result<Line>>(read_ahead);
    let reader_sources = sources.clone();
    // Not joined: on an early error it may be blocked reading stdin.
    std::thread::Builder::new()
        .name("sherpa-read".to_string())
        .spawn(move || read_lines(&reader_sources, &tx))
        .context("cannot start the reading thread")?;

    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let (mut bad, mut articles, mut records) = (0usize, 0usize, 0usize);
    let max_bytes = args.max_article_bytes;
    runtime.block_on(async {
        let fetcher = &fetcher;
        let mut prepared = futures::stream::poll_fn(move |cx| rx.poll_recv(cx))
            .map(|line| async move {
                let line = line?;
                let prepared = prepare_line(fetcher, &line.bytes, max_bytes).await;
                anyhow::Ok((line, prepared))
            })
            .buffered(read_ahead);
        while let Some(next) = prepared.next().await {
            let (line, prepared) = next?;
            if let Some(bar) = &progress {
                bar.inc(line.bytes.len() as u64 + 1);
            }
            let extracted = prepared
                .and_then(|(article, fetched)| extract_article(&kb, &article, fetched, now));
            match extracted {
                Ok(enriched) => {
                    articles += 1;
                    records += enriched.summits.len() + enriched.aid.len();
                    write_records(&mut out, &enriched, args.articles)?;
                }
                Err(err) => {
                    bad += 1;
                    let msg = format!("sherpa: {}:{}: {err}", line.source, line.number);
                    match &progress {
                        Some(bar) => bar.println(msg),
                        None => eprintln!("{msg}"),
                    }
                }
            }
        }
        anyhow::Ok(())
    })?;
    out.flush().context("cannot write to stdout")?;
    if let Some(bar) = progress {
        bar.finish_with_message(format!(
            "{articles} articles, {records} records, {bad} bad lines"
        ));
    }
    Ok(if bad > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Writes the records of one article, summits first, then aid, then (when
/// asked) the enriched article.
pub fn write_records(
    out: &mut impl Write,
    enriched: &EnrichedArticle,
    with_article: bool,
) -> anyhow::Result<()> {
    for s in &enriched.summits {
        serde_json::to_writer(&mut *out, s)?;
        out.write_all(b"\n")?;
    }
    for a in &enriched.aid {
        serde_json::to_writer(&mut *out, a)?;
        out.write_all(b"\n")?;
    }
    if with_article {
        serde_json::to_writer(&mut *out, enriched)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}
