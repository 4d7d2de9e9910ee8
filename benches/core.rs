//! Criterion benchmarks of the extraction core, stage by stage (normalize,
//! sentences, actors, money, time, summit and aid assembly) and whole,
//! over a sample of the Reuters load file (`../shared/eval/load/reuters-all.jsonl`,
//! read in place). Each benchmark reports bytes/s: for a stage, the bytes of
//! the text that stage reads; for the whole core, the bytes of the raw JSON
//! lines, the same figure `sherpa bench extract` prints. BENCHMARKS.md has
//! the figures and the commands.
//!
//! `cargo bench --bench core` measures; `cargo bench --bench core -- --test`
//! runs every benchmark once (the test command does this, so they cannot rot).
//! `SHERPA_BENCH_SAMPLE=N` takes every Nth article of the file (default 40,
//! about 480 articles and 480 KB).

use std::hint::black_box;
use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use sherpa::extract::doc::Doc;
use sherpa::extract::sentences::Sentence;
use sherpa::extract::time::Tense;
use sherpa::extract::{aid, article_text, extract, normalize, summit};
use sherpa::knowledge::Knowledge;
use sherpa::model::{Article, DEFAULT_MAX_ARTICLE_BYTES};

/// The load file, beside the checkout.
fn load_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/eval/load/reuters-all.jsonl")
}

/// One sampled article with what each stage reads.
struct Sample {
    line_bytes: usize,
    article: Article,
    text: String,
    sentences: Vec<Sentence>,
    anchor: NaiveDate,
}

fn samples(kb: &Knowledge) -> Vec<Sample> {
    let path = load_file();
    let content = std::fs::read_to_string(&path).unwrap_or_else(|err| {
        panic!(
            "cannot read the load file {}: {err}. The benchmarks read \
             ../shared/eval/load/reuters-all.jsonl beside the checkout; \
             put the shared folder there",
            path.display()
        )
    });
    let every: usize = std::env::var("SHERPA_BENCH_SAMPLE")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(40);
    content
        .lines()
        .filter(|l| !l.trim().is_empty())
        .step_by(every)
        .map(|line| {
            let article = Article::from_slice(line.as_bytes(), DEFAULT_MAX_ARTICLE_BYTES)
                .unwrap_or_else(|err| panic!("a bad line in {}: {err}", path.display()));
            let text = article_text(&article);
            let sentences = kb.sentences.split(&text);
            let anchor = article
                .published()
                .map(|p| p.date_naive())
                .unwrap_or_else(|| received_at().date_naive());
            Sample {
                line_bytes: line.len(),
                article,
                text,
                sentences,
                anchor,
            }
        })
        .collect()
}

fn received_at() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2020-01-01T00:00:00Z")
        .expect("a valid date")
        .to_utc()
}

fn bench_core(c: &mut Criterion) {
    let kb = Knowledge::builtin().expect("the embedded data loads");
    let samples = samples(&kb);
    let raw_bytes: usize = samples
        .iter()
        .map(|s| {
            s.article.body.as_deref().map_or(0, str::len)
                + s.article.title.as_deref().map_or(0, str::len)
        })
        .sum();
    let text_bytes: usize = samples.iter().map(|s| s.text.len()).sum();
    let line_bytes: usize = samples.iter().map(|s| s.line_bytes).sum();
    let now = received_at();

    let mut group = c.benchmark_group("stage");
    group.sample_size(20);

    group.throughput(Throughput::Bytes(raw_bytes as u64));
    group.bench_function("normalize", |b| {
        b.iter(|| {
            for s in &samples {
                let a = &s.article;
                black_box(normalize::normalize(
                    a.body.as_deref().unwrap_or(""),
                    a.is_html(),
                ));
                black_box(normalize::normalize(
                    a.title.as_deref().unwrap_or(""),
                    false,
                ));
            }
        })
    });

    group.throughput(Throughput::Bytes(text_bytes as u64));
    group.bench_function("sentences", |b| {
        b.iter(|| {
            for s in &samples {
                black_box(kb.sentences.split(&s.text));
            }
        })
    });
    group.bench_function("actors", |b| {
        b.iter(|| {
            for s in &samples {
                black_box(kb.gazetteer.find(&s.text, Some(s.anchor)));
            }
        })
    });
    // The analysed article: actor mentions plus their roles, datelines and
    // leader titles (what assembly reads).
    group.bench_function("doc", |b| {
        b.iter(|| {
            for s in &samples {
                let published = s.article.published().map(|p| p.date_naive());
                black_box(Doc::new(
                    &kb,
                    &s.text,
                    s.sentences.clone(),
                    published,
                    s.anchor,
                    true,
                ));
            }
        })
    });
    // Money and time run sentence by sentence, as the assembly calls them.
    group.bench_function("money", |b| {
        b.iter(|| {
            for s in &samples {
                for sentence in &s.sentences {
                    black_box(kb.money.find(&s.text[sentence.start..sentence.end]));
                }
            }
        })
    });
    group.bench_function("time", |b| {
        b.iter(|| {
            for s in &samples {
                for sentence in &s.sentences {
                    black_box(kb.time.find(
                        &s.text[sentence.start..sentence.end],
                        Some(s.anchor),
                        Tense::Unknown,
                    ));
                }
            }
        })
    });

    // Assembly reads the analysed article (sentences, actor mentions with
    // their roles), built here once.
    let docs: Vec<Doc> = samples
        .iter()
        .map(|s| {
            let published = s.article.published().map(|p| p.date_naive());
            let has_title = s
                .article
                .title
                .as_deref()
                .is_some_and(|t| !t.trim().is_empty());
            Doc::new(
                &kb,
                &s.text,
                s.sentences.clone(),
                published,
                s.anchor,
                has_title,
            )
        })
        .collect();
    group.bench_function("summit", |b| {
        b.iter(|| {
            for doc in &docs {
                black_box(summit::find(doc));
            }
        })
    });
    group.bench_function("aid", |b| {
        b.iter(|| {
            for doc in &docs {
                black_box(aid::find(doc));
            }
        })
    });
    group.finish();

    // The whole core: normalize → sentences → actors → assembly → records.
    let mut group = c.benchmark_group("core");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(line_bytes as u64));
    group.bench_function("extract", |b| {
        b.iter(|| {
            for s in &samples {
                black_box(extract(&kb, &s.article, now));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench_core);
criterion_main!(benches);
