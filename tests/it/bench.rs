//! `sherpa bench`: both commands run on a few articles of the load file, so
//! the benchmarks in BENCHMARKS.md cannot rot. The figures themselves are
//! not checked (this machine is shared); only that they are there and sane,
//! and that the e2e run cleans up after itself.

use std::process::Command;

use async_nats::jetstream;
use futures::TryStreamExt;

use crate::support::nats::NatsServer;
use crate::support::{shared_dir, sherpa_bin};

fn load_file() -> String {
    shared_dir()
        .join("eval/load/reuters-all.jsonl")
        .display()
        .to_string()
}

fn bench_json(args: &[&str]) -> serde_json::Value {
    let out = Command::new(sherpa_bin())
        .args(["--log-level", "warn", "bench"])
        .args(args)
        .output()
        .expect("run sherpa bench");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "sherpa bench {args:?} failed\nstdout: {stdout}\nstderr: {stderr}"
    );
    serde_json::from_str(stdout.trim()).unwrap_or_else(|err| panic!("not JSON ({err}): {stdout}"))
}

#[test]
fn bench_extract_reports_throughput_and_peak_memory() {
    let file = load_file();
    for threads in ["1", "2"] {
        let figures = bench_json(&[
            "extract",
            "--json",
            "--limit",
            "30",
            "--threads",
            threads,
            "--now",
            "2020-01-01T00:00:00Z",
            &file,
        ]);
        assert_eq!(figures["articles"], 30, "{figures}");
        assert_eq!(figures["bad_lines"], 0, "{figures}");
        assert!(figures["bytes"].as_u64().unwrap() > 0, "{figures}");
        assert!(figures["mb_per_s"].as_f64().unwrap() > 0.0, "{figures}");
        assert!(
            figures["core_mb_per_s_per_thread"].as_f64().unwrap() > 0.0,
            "{figures}"
        );
        if cfg!(target_os = "linux") {
            assert!(figures["peak_rss_bytes"].as_u64().unwrap() > 0, "{figures}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bench_e2e_times_worker_and_pass_through_then_deletes_its_streams() {
    let server = NatsServer::start();
    let url = server.url();
    let file = load_file();
    let figures = tokio::task::spawn_blocking(move || {
        bench_json(&[
            "e2e",
            "--json",
            "--nats-url",
            &url,
            "--limit",
            "40",
            "--latency-duration",
            "1s",
            "--phase-timeout",
            "60s",
            &file,
        ])
    })
    .await
    .expect("the bench ran");
    for pass in ["worker", "pass_through"] {
        let f = &figures[pass];
        assert_eq!(f["articles"], 40, "{figures}");
        assert!(f["articles_per_s"].as_f64().unwrap() > 0.0, "{figures}");
        let p50 = f["latency_p50_ms"].as_f64().unwrap();
        let p99 = f["latency_p99_ms"].as_f64().unwrap();
        assert!(0.0 < p50 && p50 <= p99, "{figures}");
    }
    assert!(figures["ratio"].as_f64().unwrap() > 0.0, "{figures}");
    assert!(
        figures["worker_startup_ms"].as_f64().unwrap() > 0.0,
        "{figures}"
    );

    let client = async_nats::connect(server.url()).await.expect("connect");
    let js = jetstream::new(client);
    let left: Vec<String> = js.stream_names().try_collect().await.expect("list streams");
    assert!(left.is_empty(), "the bench left streams behind: {left:?}");
}
