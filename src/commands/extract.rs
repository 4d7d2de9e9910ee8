//! `sherpa extract`: raw articles as JSON Lines in (files or stdin), records
//! out on stdout, one per line. A bad line is reported on stderr with its file
//! and line number and the run goes on; the exit code is 1 if any line was bad.

use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use chrono::{DateTime, Utc};

use crate::extract::extract;
use crate::knowledge::Knowledge;
use crate::model::{Article, DEFAULT_MAX_ARTICLE_BYTES, EnrichedArticle, InputError, RejectReason};
use crate::shell::jsonl::{self, Lines};

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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Progress {
    Auto,
    Always,
    Never,
}

/// Runs the core over one raw line. Articles that carry only a `url` need
/// the fetch stage, which `extract` does not have yet: they are reported.
pub fn extract_line(
    kb: &Knowledge,
    bytes: &[u8],
    max_bytes: usize,
    received_at: DateTime<Utc>,
) -> Result<EnrichedArticle, InputError> {
    let article = Article::from_slice(bytes, max_bytes)?;
    if article.body.as_deref().is_none_or(|b| b.trim().is_empty()) {
        return Err(InputError::new(
            RejectReason::FetchFailed,
            "the article has only a `url`, and fetching is not built yet",
        ));
    }
    // A bug in the core must cost one article, not the run.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        extract(kb, &article, received_at)
    }))
    .map_err(|_| {
        InputError::new(
            RejectReason::ExtractPanicked,
            "extraction panicked on this article (a bug: please report it with the line)",
        )
    })
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

    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let (mut bad, mut articles, mut records) = (0usize, 0usize, 0usize);
    for path in &sources {
        let name = path.display().to_string();
        let reader = jsonl::open(path).with_context(|| format!("cannot open {name}"))?;
        for line in Lines::new(reader, name.clone()) {
            let line = line.with_context(|| format!("cannot read {name}"))?;
            if let Some(bar) = &progress {
                bar.inc(line.bytes.len() as u64 + 1);
            }
            match extract_line(&kb, &line.bytes, args.max_article_bytes, now) {
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
    }
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
