//! `sherpa eval`: runs extraction over a set of articles (or reads an
//! existing predictions file) and scores it against a gold file exactly as
//! contract §4 and `shared/eval/score.py` do, printing score.py's text or
//! JSON report on stdout and, with `--errors`, its error lines on stderr.
//!
//! The scoring itself is the pure [`crate::eval`]; this module only reads the
//! files and runs the extractor.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::eval;
use crate::extract::extract;
use crate::knowledge::Knowledge;
use crate::model::{Article, DEFAULT_MAX_ARTICLE_BYTES};
use crate::shell::jsonl::{self, Lines};

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("input").required(true).args(["articles", "pred"])))]
pub struct EvalArgs {
    /// Gold file: JSON Lines, one object per article (contract §4).
    #[arg(long, env = "SHERPA_GOLD")]
    pub gold: PathBuf,
    /// Raw articles (JSON Lines, contract §1) to extract records from and score.
    #[arg(long, env = "SHERPA_ARTICLES")]
    pub articles: Option<PathBuf>,
    /// Score an existing predictions file instead of extracting: worker
    /// records or per-article objects, as score.py reads them.
    #[arg(long, env = "SHERPA_PRED")]
    pub pred: Option<PathBuf>,
    /// Print the report as one JSON object (score.py `--json`).
    #[arg(long, env = "SHERPA_JSON")]
    pub json: bool,
    /// Print every missed, spurious and wrong record on stderr (score.py `--errors`).
    #[arg(long, env = "SHERPA_ERRORS")]
    pub errors: bool,
    /// The time that anchors relative dates in articles without
    /// `published_at` (RFC 3339); default: now. Gold never scores such dates,
    /// but pass it for byte-identical runs.
    #[arg(long, env = "SHERPA_NOW")]
    pub now: Option<DateTime<Utc>>,
}

pub fn run(args: EvalArgs) -> anyhow::Result<ExitCode> {
    let mut bad_articles = 0usize;
    let pred = match (&args.pred, &args.articles) {
        (Some(pred), _) => {
            let text = read(pred)?;
            eval::parse_jsonl(&pred.display().to_string(), &text)?
        }
        (None, Some(articles)) => {
            let now = args.now.unwrap_or_else(Utc::now);
            let (pred, bad) = extract_all(articles, now)?;
            bad_articles = bad;
            pred
        }
        (None, None) => anyhow::bail!("give --articles or --pred"),
    };
    let gold = eval::parse_jsonl(&args.gold.display().to_string(), &read(&args.gold)?)?;
    let (report, mismatches) = eval::score(&gold, &pred)?;

    if args.errors {
        let mut err = io::stderr().lock();
        for m in &mismatches {
            writeln!(err, "{}", m.line()).context("cannot write to stderr")?;
        }
    }
    let mut out = io::stdout().lock();
    if args.json {
        writeln!(out, "{}", report.to_json())
    } else {
        write!(out, "{}", report.to_text())
    }
    .and_then(|()| out.flush())
    .context("cannot write to stdout")?;
    Ok(if bad_articles > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn read(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Runs the extractor over every article and returns its summit and aid
/// records as JSON values (what `sherpa extract` would print), plus the
/// number of lines that were not valid articles (reported on stderr; they
/// yield no records).
fn extract_all(path: &Path, now: DateTime<Utc>) -> anyhow::Result<(Vec<Value>, usize)> {
    let kb = Knowledge::builtin()?;
    let name = path.display().to_string();
    let reader = jsonl::open(path).with_context(|| format!("cannot open {name}"))?;
    let mut pred = Vec::new();
    let mut bad = 0usize;
    for line in Lines::new(reader, name.clone()) {
        let line = line.with_context(|| format!("cannot read {name}"))?;
        let article = match Article::from_slice(&line.bytes, DEFAULT_MAX_ARTICLE_BYTES) {
            // Eval never fetches: an article with only a `url` cannot be scored.
            Ok(article) if article.body.as_deref().is_none_or(|b| b.trim().is_empty()) => {
                bad += 1;
                eprintln!(
                    "sherpa: {}:{}: the article has only a `url`, and eval does not fetch",
                    line.source, line.number
                );
                continue;
            }
            Ok(article) => article,
            Err(err) => {
                bad += 1;
                eprintln!("sherpa: {}:{}: {err}", line.source, line.number);
                continue;
            }
        };
        let enriched = extract(&kb, &article, now);
        for summit in &enriched.summits {
            pred.push(serde_json::to_value(summit)?);
        }
        for aid in &enriched.aid {
            pred.push(serde_json::to_value(aid)?);
        }
    }
    Ok((pred, bad))
}
