//! Operating sherpa: the real binary against a real nats-server and a real
//! Prometheus scraping it; `promtool` on the files in `deploy/`; and every
//! deployment file that cannot run here (no Docker engine, no cluster)
//! parsed and cross-checked against the binary and against each other.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value as Json;
use serde_yaml::Value as Yaml;

use crate::support::nats::NatsServer;
use crate::support::prometheus::{Prometheus, deploy_dir, http_get, promtool};
use crate::support::sherpa_command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Polls `check` every 100 ms until it yields a value; fails after `timeout`.
fn eventually<T>(what: &str, timeout: Duration, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A `sherpa run` on its own operations port; killed on Drop, its log
/// printed if the test fails.
struct Worker {
    child: Child,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Worker {
    fn spawn(nats_url: &str) -> Worker {
        let dir = tempfile::tempdir().expect("temp dir");
        let log = dir.path().join("worker.log");
        let file = std::fs::File::create(&log).expect("create the worker log");
        let mut command = sherpa_command();
        command
            .args(["run", "--nats-url", nats_url])
            .args(["--metrics-addr", "127.0.0.1:0"])
            .args(["--consumer-poll-interval", "1s"])
            .args(["--log-format", "json", "--log-level", "info"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(file));
        let child = command.spawn().expect("spawn sherpa run");
        Worker {
            child,
            log,
            _dir: dir,
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The operations port, from the `serving metrics and health checks` line.
    fn metrics_addr(&mut self) -> SocketAddr {
        let log = self.log.clone();
        let child = &mut self.child;
        eventually(
            "sherpa to log its operations address",
            Duration::from_secs(20),
            || {
                if let Ok(Some(status)) = child.try_wait() {
                    panic!(
                        "sherpa run exited with {status}:\n{}",
                        std::fs::read_to_string(&log).unwrap_or_default()
                    );
                }
                std::fs::read_to_string(&log)
                    .unwrap_or_default()
                    .lines()
                    .filter_map(|line| serde_json::from_str::<Json>(line).ok())
                    .find(|line| line["fields"]["message"] == "serving metrics and health checks")
                    .and_then(|line| line["fields"]["addr"].as_str()?.parse().ok())
            },
        )
    }

    fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            let log = self.log();
            let tail: Vec<&str> = log.lines().rev().take(60).collect();
            eprintln!("--- worker log (last lines) ---");
            for line in tail.iter().rev() {
                eprintln!("{line}");
            }
        }
    }
}

fn status(addr: SocketAddr, path: &str) -> Option<u16> {
    http_get(addr, path).ok().map(|(status, _)| status)
}

fn sherpa(args: &[&str]) -> std::process::Output {
    let mut command = sherpa_command();
    command.args(args);
    command.output().expect("run sherpa")
}

/// Every `expr` in the dashboard, with Grafana's interval variables replaced
/// by values that suit a 1 s scrape interval.
fn dashboard_expressions() -> Vec<(String, String)> {
    fn walk(value: &Json, title: &str, out: &mut Vec<(String, String)>) {
        match value {
            Json::Object(map) => {
                let title = map.get("title").and_then(Json::as_str).unwrap_or(title);
                if let Some(expr) = map.get("expr").and_then(Json::as_str) {
                    out.push((title.to_string(), expr.to_string()));
                }
                for child in map.values() {
                    walk(child, title, out);
                }
            }
            Json::Array(items) => items.iter().for_each(|item| walk(item, title, out)),
            _ => {}
        }
    }
    let path = deploy_dir().join("grafana/dashboards/sherpa.json");
    let dashboard: Json = serde_json::from_str(&read(&path)).expect("the dashboard is JSON");
    let mut found = Vec::new();
    walk(&dashboard, "", &mut found);
    found
        .into_iter()
        .map(|(title, expr)| {
            let expr = expr
                .replace("$__rate_interval", "1m")
                .replace("$__interval", "5s")
                .replace("$__range", "5m");
            assert!(
                !expr.contains('$'),
                "panel {title:?} uses a dashboard variable the test does not know: {expr}"
            );
            (title, expr)
        })
        .collect()
}

/// Every alerting rule's name and expression.
fn alert_expressions() -> Vec<(String, String)> {
    let rules: Yaml =
        serde_yaml::from_str(&read(&deploy_dir().join("prometheus/alerts.yml"))).expect("YAML");
    let mut out = Vec::new();
    for group in rules["groups"].as_sequence().expect("groups") {
        for rule in group["rules"].as_sequence().expect("rules") {
            let name = rule["alert"]
                .as_str()
                .or(rule["record"].as_str())
                .expect("a rule has a name");
            let expr = rule["expr"].as_str().expect("a rule has an expr");
            out.push((name.to_string(), expr.to_string()));
        }
    }
    out
}

/// Whether a dashboard expression must return data once articles flowed:
/// the ones about throughput, records and latency.
fn must_have_data(expr: &str) -> bool {
    [
        "sherpa_articles_received_total",
        "sherpa_articles_processed_total",
        "sherpa_records_",
        "_duration_seconds",
    ]
    .iter()
    .any(|name| expr.contains(name))
}

fn sample_values(answer: &Json) -> Vec<f64> {
    answer["data"]["result"]
        .as_array()
        .map(|series| {
            series
                .iter()
                .filter_map(|s| s["value"][1].as_str()?.parse::<f64>().ok())
                .collect()
        })
        .unwrap_or_default()
}

fn scalar(prometheus: &Prometheus, expr: &str) -> Option<f64> {
    let answer = prometheus.query(expr);
    (answer["status"] == "success")
        .then(|| sample_values(&answer).into_iter().next())
        .flatten()
}

#[test]
fn prometheus_evaluates_every_dashboard_and_alert_expression() {
    let started = Instant::now();
    let nats = NatsServer::start();
    let mut worker = Worker::spawn(&nats.url());
    let addr = worker.metrics_addr();
    eventually("sherpa to be ready", Duration::from_secs(30), || {
        (status(addr, "/readyz") == Some(200)).then_some(())
    });

    let rules = deploy_dir().join("prometheus/alerts.yml");
    let config = format!(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files:\n  - {}\nscrape_configs:\n  - job_name: sherpa\n    static_configs:\n      - targets: [\"{addr}\"]\n",
        rules.display()
    );
    let prometheus = Prometheus::start(&config);
    // A first scrape with every series at zero, so rates see the increments.
    eventually("a first scrape of sherpa", Duration::from_secs(30), || {
        scalar(
            &prometheus,
            r#"sherpa_end_to_end_duration_seconds_count{job="sherpa"}"#,
        )
    });

    let examples = repo().join("examples/articles.jsonl");
    let articles = read(&examples)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .count() as f64;
    let dir = tempfile::tempdir().expect("temp dir");
    // Two dead letters: a message that is not JSON, and a URL-only article
    // whose fetch is refused (loopback is not allowed), which times the
    // fetch stage without any network.
    let poison = dir.path().join("poison.jsonl");
    std::fs::write(
        &poison,
        "{not json\n{\"id\":\"ops-url-only\",\"url\":\"http://127.0.0.1:9/article\"}\n",
    )
    .expect("write the poison messages");
    for file in [&examples, &poison] {
        let published = sherpa(&[
            "publish",
            "--nats-url",
            &nats.url(),
            file.to_str().expect("UTF-8 path"),
        ]);
        assert!(
            published.status.success(),
            "sherpa publish failed: {}",
            String::from_utf8_lossy(&published.stderr)
        );
    }
    eventually(
        "Prometheus to see every article settled",
        Duration::from_secs(60),
        || {
            let settled = scalar(
                &prometheus,
                r#"sum(sherpa_articles_processed_total{job="sherpa"}) + sum(sherpa_dead_letters_total{job="sherpa"})"#,
            )?;
            (settled >= articles + 2.0).then_some(())
        },
    );
    let processed = scalar(
        &prometheus,
        r#"sum(sherpa_articles_processed_total{job="sherpa"})"#,
    );
    assert!(
        processed.is_some_and(|p| p >= 1.0),
        "no example article was processed: {processed:?}"
    );

    let mut failures = Vec::new();
    let dashboard = dashboard_expressions();
    assert!(dashboard.len() >= 20, "the dashboard lost its panels");
    for (title, expr) in &dashboard {
        let answer = prometheus.query(expr);
        if answer["status"] != "success" {
            failures.push(format!("dashboard panel {title:?}: {expr}\n  {answer}"));
            continue;
        }
        if must_have_data(expr) {
            let values = sample_values(&answer);
            let computed = expr.contains("histogram_quantile") || expr.contains(" / ");
            if values.is_empty() || (computed && !values.iter().any(|v| v.is_finite())) {
                failures.push(format!(
                    "dashboard panel {title:?} returned no data: {expr}\n  {answer}"
                ));
            }
        }
    }
    let alerts = alert_expressions();
    assert!(alerts.len() >= 5, "alert rules are missing");
    for (name, expr) in &alerts {
        let answer = prometheus.query(expr);
        if answer["status"] != "success" {
            failures.push(format!("alert {name}: {expr}\n  {answer}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} expressions failed:\n{}",
        failures.len(),
        failures.join("\n")
    );

    // Prometheus itself loaded and evaluated the rules without error.
    eventually(
        "Prometheus to evaluate every alert rule",
        Duration::from_secs(20),
        || {
            let answer = prometheus.get("/api/v1/rules");
            let rules: Vec<&Json> = answer["data"]["groups"]
                .as_array()?
                .iter()
                .flat_map(|g| g["rules"].as_array().into_iter().flatten())
                .collect();
            if rules.len() != alerts.len() {
                return None;
            }
            for rule in &rules {
                assert_ne!(rule["health"], "err", "rule failed in Prometheus: {rule}");
            }
            rules
                .iter()
                .all(|rule| rule["health"] == "ok")
                .then_some(())
        },
    );
    assert!(worker.is_running(), "sherpa exited:\n{}", worker.log());
    eprintln!(
        "{} dashboard and {} alert expressions evaluated in {:?}",
        dashboard.len(),
        alerts.len(),
        started.elapsed()
    );
}

#[test]
fn readyz_follows_the_broker_and_healthz_stays_up() {
    let mut nats = NatsServer::start();
    let mut worker = Worker::spawn(&nats.url());
    let addr = worker.metrics_addr();
    let addr_arg = addr.to_string();
    assert_eq!(status(addr, "/healthz"), Some(200));
    eventually("sherpa to be ready", Duration::from_secs(30), || {
        (status(addr, "/readyz") == Some(200)).then_some(())
    });
    let healthcheck = |ready: bool| {
        let mut args = vec!["healthcheck", "--metrics-addr", &addr_arg];
        if ready {
            args.push("--ready");
        }
        sherpa(&args).status.success()
    };
    assert!(healthcheck(false) && healthcheck(true));

    let stopped = Instant::now();
    nats.stop();
    let body = eventually(
        "/readyz to turn unready after nats-server stopped",
        Duration::from_secs(10),
        || {
            assert_eq!(
                status(addr, "/healthz"),
                Some(200),
                "/healthz must stay up without NATS"
            );
            match http_get(addr, "/readyz") {
                Ok((503, body)) => Some(body),
                _ => None,
            }
        },
    );
    let unready_after = stopped.elapsed();
    assert!(
        unready_after <= Duration::from_secs(10),
        "{unready_after:?}"
    );
    assert!(body.contains("not connected to NATS"), "{body}");
    assert!(healthcheck(false), "liveness holds without NATS");
    assert!(
        !healthcheck(true),
        "`healthcheck --ready` fails without NATS"
    );
    let (_, metrics) = http_get(addr, "/metrics").expect("/metrics");
    assert!(
        metrics.contains("sherpa_ready 0") && metrics.contains("sherpa_nats_connected 0"),
        "{metrics}"
    );

    let restarted = Instant::now();
    nats.restart();
    eventually(
        "/readyz to turn ready after nats-server came back",
        Duration::from_secs(30),
        || {
            assert_eq!(status(addr, "/healthz"), Some(200));
            (status(addr, "/readyz") == Some(200)).then_some(())
        },
    );
    let (_, metrics) = http_get(addr, "/metrics").expect("/metrics");
    assert!(
        metrics.contains("sherpa_ready 1") && metrics.contains("sherpa_nats_connected 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("sherpa_nats_disconnects_total 1"),
        "{metrics}"
    );
    assert!(worker.is_running(), "sherpa exited:\n{}", worker.log());
    eprintln!(
        "unready {unready_after:?} after the broker stopped; ready {:?} after it restarted",
        restarted.elapsed()
    );
}

#[test]
fn promtool_accepts_the_prometheus_config_and_alert_rules() {
    let out = promtool(&["check", "config", "deploy/prometheus/prometheus.yml"]);
    assert!(out.contains("SUCCESS"), "{out}");
    let out = promtool(&["check", "rules", "deploy/prometheus/alerts.yml"]);
    assert!(out.contains("SUCCESS"), "{out}");
    // The alerts' own unit tests: each fires when it should and only then.
    let out = promtool(&["test", "rules", "deploy/prometheus/alerts_test.yml"]);
    assert!(out.contains("SUCCESS"), "{out}");
    let names: BTreeSet<String> = alert_expressions().into_iter().map(|(n, _)| n).collect();
    for required in [
        "SherpaDown",
        "SherpaDeadLetterRateHigh",
        "SherpaConsumerPendingGrowing",
        "SherpaEndToEndLatencyHigh",
        "SherpaNoRecords",
    ] {
        assert!(names.contains(required), "no {required} alert in {names:?}");
    }
}

/// The environment variables sherpa reads: `[env: SHERPA_…]` in the help of
/// the subcommands a deployment runs, plus `RUST_LOG`.
fn known_env_vars() -> BTreeSet<String> {
    let mut vars = BTreeSet::from(["RUST_LOG".to_string()]);
    for command in ["run", "publish", "healthcheck"] {
        let out = sherpa(&[command, "--help"]);
        assert!(out.status.success(), "sherpa {command} --help failed");
        let help = String::from_utf8_lossy(&out.stdout).into_owned();
        for piece in help.split("env: ").skip(1) {
            let name: String = piece
                .chars()
                .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            vars.insert(name);
        }
    }
    assert!(vars.contains("SHERPA_NATS_URL"), "{vars:?}");
    vars
}

/// `25s`, `2m`, `40` (seconds) → seconds.
fn seconds(text: &str) -> u64 {
    let text = text.trim();
    let (number, unit) = text.split_at(
        text.trim_end_matches(|c: char| c.is_ascii_alphabetic())
            .len(),
    );
    let n: u64 = number
        .parse()
        .unwrap_or_else(|_| panic!("not a duration: {text}"));
    match unit {
        "" | "s" => n,
        "m" => n * 60,
        other => panic!("unexpected unit {other} in {text}"),
    }
}

fn port_of(addr: &str) -> u16 {
    addr.rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in {addr}"))
}

fn yaml_str<'a>(value: &'a Yaml, what: &str) -> &'a str {
    value
        .as_str()
        .unwrap_or_else(|| panic!("{what} is not a string: {value:?}"))
}

/// `source:target[:mode]` of a short-syntax volume.
fn mounts(service: &Yaml) -> Vec<(String, String)> {
    service["volumes"]
        .as_sequence()
        .map(|volumes| {
            volumes
                .iter()
                .map(|v| {
                    let mut parts = yaml_str(v, "a volume").splitn(3, ':');
                    let source = parts.next().unwrap_or_default().to_string();
                    let target = parts.next().expect("volume target").to_string();
                    (source, target)
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_compose_file_runs_nats_sherpa_prometheus_and_grafana_together() {
    let compose: Yaml = serde_yaml::from_str(&read(&repo().join("docker-compose.yml")))
        .expect("docker-compose.yml is YAML");
    let services = &compose["services"];
    let env_vars = known_env_vars();
    let declared_volumes: BTreeSet<String> = compose["volumes"]
        .as_mapping()
        .expect("named volumes")
        .keys()
        .map(|k| yaml_str(k, "a volume name").to_string())
        .collect();
    for (name, service) in services.as_mapping().expect("services") {
        let name = yaml_str(name, "a service name");
        assert!(
            service["image"].is_string() || service["build"].is_mapping(),
            "{name} has neither image nor build"
        );
        for (source, target) in mounts(service) {
            if let Some(relative) = source.strip_prefix("./") {
                assert!(
                    repo().join(relative).exists(),
                    "{name} mounts {source}, which does not exist"
                );
            } else {
                assert!(
                    declared_volumes.contains(&source),
                    "{name} mounts volume {source} at {target}, which is not declared"
                );
            }
        }
    }

    // NATS: JetStream on, its store on a volume.
    let nats = &services["nats"];
    let args: Vec<&str> = nats["command"]
        .as_sequence()
        .expect("nats command")
        .iter()
        .map(|a| yaml_str(a, "an argument"))
        .collect();
    assert!(
        args.contains(&"--jetstream") || args.contains(&"-js"),
        "{args:?}"
    );
    let store = args
        .iter()
        .position(|a| *a == "--store_dir" || *a == "-sd")
        .map(|i| args[i + 1])
        .expect("a JetStream store directory");
    assert!(
        mounts(nats)
            .iter()
            .any(|(source, target)| target == store && declared_volumes.contains(source)),
        "the JetStream store {store} is not on a volume"
    );

    // sherpa: built here, real settings, reachable where Prometheus looks.
    let sherpa = &services["sherpa"];
    assert_eq!(sherpa["build"]["context"].as_str(), Some("."));
    assert!(repo().join("Dockerfile").is_file());
    let env = sherpa["environment"]
        .as_mapping()
        .expect("sherpa environment");
    let mut settings = BTreeMap::new();
    for (key, value) in env {
        let key = yaml_str(key, "a variable").to_string();
        assert!(
            env_vars.contains(&key),
            "sherpa reads no variable {key} (known: {env_vars:?})"
        );
        settings.insert(key, yaml_str(value, "a value").to_string());
    }
    assert_eq!(
        settings.get("SHERPA_NATS_URL").map(String::as_str),
        Some("nats://nats:4222")
    );
    let metrics_port = port_of(&settings["SHERPA_METRICS_ADDR"]);
    let grace = seconds(yaml_str(&sherpa["stop_grace_period"], "stop_grace_period"));
    assert!(
        grace > seconds(&settings["SHERPA_SHUTDOWN_TIMEOUT"]),
        "stop_grace_period must outlast the shutdown timeout"
    );
    assert_eq!(
        sherpa["depends_on"]["nats"]["condition"].as_str(),
        Some("service_healthy")
    );

    // Prometheus: the config from deploy/, scraping sherpa on its port.
    let prometheus = &services["prometheus"];
    assert!(
        mounts(prometheus)
            .iter()
            .any(|(s, t)| s == "./deploy/prometheus" && t == "/etc/prometheus"),
        "Prometheus does not mount deploy/prometheus"
    );
    let config: Yaml = serde_yaml::from_str(&read(&deploy_dir().join("prometheus/prometheus.yml")))
        .expect("prometheus.yml is YAML");
    let job = config["scrape_configs"]
        .as_sequence()
        .expect("scrape configs")
        .iter()
        .find(|c| c["job_name"] == "sherpa")
        .expect("a scrape job named sherpa (the alerts and dashboard select on it)");
    // Found by service name through Docker's DNS, on the port sherpa serves
    // (the `cluster` profile's replicas are checked in tests/it/cluster.rs).
    let discovery = &job["dns_sd_configs"][0];
    let names: Vec<&str> = discovery["names"]
        .as_sequence()
        .expect("DNS names to scrape")
        .iter()
        .map(|name| yaml_str(name, "a DNS name"))
        .collect();
    assert!(
        names.contains(&"sherpa"),
        "sherpa is not scraped: {names:?}"
    );
    assert_eq!(discovery["port"].as_u64(), Some(u64::from(metrics_port)));

    // Grafana: datasource and dashboards provisioned from deploy/.
    let grafana = &services["grafana"];
    let grafana_mounts = mounts(grafana);
    assert!(
        grafana_mounts
            .iter()
            .any(|(s, t)| s == "./deploy/grafana/provisioning" && t == "/etc/grafana/provisioning")
    );
    let provider: Yaml = serde_yaml::from_str(&read(
        &deploy_dir().join("grafana/provisioning/dashboards/sherpa.yml"),
    ))
    .expect("the dashboard provider is YAML");
    let dashboards_path = yaml_str(&provider["providers"][0]["options"]["path"], "path");
    assert!(
        grafana_mounts
            .iter()
            .any(|(s, t)| s == "./deploy/grafana/dashboards" && t == dashboards_path),
        "the dashboards are not mounted where the provider looks ({dashboards_path})"
    );
    let datasources: Yaml = serde_yaml::from_str(&read(
        &deploy_dir().join("grafana/provisioning/datasources/prometheus.yml"),
    ))
    .expect("the datasource is YAML");
    let datasource = &datasources["datasources"][0];
    assert_eq!(datasource["url"].as_str(), Some("http://prometheus:9090"));
    let uid = yaml_str(&datasource["uid"], "uid");
    let dashboard: Json =
        serde_json::from_str(&read(&deploy_dir().join("grafana/dashboards/sherpa.json")))
            .expect("the dashboard is JSON");
    let dashboard_text = dashboard.to_string();
    assert!(
        !dashboard_text.contains("\"uid\":\"${")
            && dashboard_text
                .matches(&format!("\"uid\":\"{uid}\""))
                .count()
                > 10,
        "every panel uses the provisioned datasource {uid}"
    );

    // The documented demo command publishes examples the image carries.
    let command =
        "docker compose run --rm sherpa publish --rate 2 /usr/share/sherpa/examples/articles.jsonl";
    assert!(read(&repo().join("README.md")).contains(command));
    assert!(read(&repo().join("docker-compose.yml")).contains(command));
    assert!(
        read(&repo().join("Dockerfile"))
            .contains("examples/articles.jsonl /usr/share/sherpa/examples/articles.jsonl")
    );
}

#[test]
fn the_dockerfile_builds_a_small_non_root_image_with_a_healthcheck() {
    let dockerfile = read(&repo().join("Dockerfile"));
    let instructions: Vec<&str> = dockerfile
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let stages: Vec<usize> = instructions
        .iter()
        .enumerate()
        .filter(|(_, l)| l.starts_with("FROM "))
        .map(|(i, _)| i)
        .collect();
    assert!(stages.len() >= 2, "multi-stage: build, then run");
    let last = &instructions[*stages.last().expect("a stage")..];
    assert!(
        last[0].contains("distroless") || last[0].contains("slim"),
        "small final image: {}",
        last[0]
    );
    let user = last
        .iter()
        .find_map(|l| l.strip_prefix("USER "))
        .expect("USER in the final stage");
    assert!(
        !user.starts_with("root") && !user.starts_with("0"),
        "non-root: {user}"
    );
    assert!(
        last.iter()
            .any(|l| l.starts_with("HEALTHCHECK") && dockerfile.contains("\"healthcheck\"]")),
        "HEALTHCHECK runs `sherpa healthcheck`"
    );
    assert!(
        last.iter()
            .any(|l| l.starts_with("ENTRYPOINT [\"/usr/local/bin/sherpa\"]"))
    );
    assert!(last.iter().any(|l| l.starts_with("EXPOSE 9464")));
    let ignore = read(&repo().join(".dockerignore"));
    assert!(ignore.lines().any(|l| l.trim() == "target"));
}

/// Every document of every manifest in deploy/k8s, by kind.
fn manifests() -> BTreeMap<String, Yaml> {
    let dir = deploy_dir().join("k8s");
    let mut by_kind = BTreeMap::new();
    let mut files = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).expect("deploy/k8s") {
        let path = entry.expect("entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("yaml") {
            continue;
        }
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("file name")
            .to_string();
        let text = read(&path);
        for document in serde_yaml::Deserializer::from_str(&text) {
            let doc = serde::Deserialize::deserialize(document)
                .unwrap_or_else(|e| panic!("{name} is not valid YAML: {e}"));
            let doc: Yaml = doc;
            let kind = yaml_str(&doc["kind"], "kind").to_string();
            assert!(doc["apiVersion"].is_string(), "{name}: no apiVersion");
            if kind != "Kustomization" {
                assert!(
                    doc["metadata"]["name"].is_string(),
                    "{name}: no metadata.name"
                );
                files.insert(name.clone());
            }
            assert!(
                by_kind.insert(kind.clone(), doc).is_none(),
                "two {kind} documents"
            );
        }
    }
    let listed: BTreeSet<String> = by_kind["Kustomization"]["resources"]
        .as_sequence()
        .expect("kustomization resources")
        .iter()
        .map(|r| yaml_str(r, "a resource").to_string())
        .collect();
    assert_eq!(listed, files, "kustomization.yaml must list every manifest");
    by_kind
}

fn labels(value: &Yaml) -> BTreeMap<String, String> {
    value
        .as_mapping()
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    (
                        yaml_str(k, "a label").to_string(),
                        yaml_str(v, "a label value").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn selects(selector: &BTreeMap<String, String>, pod: &BTreeMap<String, String>) -> bool {
    !selector.is_empty() && selector.iter().all(|(k, v)| pod.get(k) == Some(v))
}

#[test]
fn the_kubernetes_manifests_hang_together() {
    let by_kind = manifests();
    for kind in [
        "Deployment",
        "Service",
        "ConfigMap",
        "Secret",
        "PodDisruptionBudget",
        "HorizontalPodAutoscaler",
    ] {
        assert!(by_kind.contains_key(kind), "no {kind} in deploy/k8s");
    }
    let env_vars = known_env_vars();
    let config = &by_kind["ConfigMap"];
    let secret = &by_kind["Secret"];
    let mut settings = BTreeMap::new();
    for (key, value) in config["data"]
        .as_mapping()
        .expect("ConfigMap data")
        .iter()
        .chain(
            secret["stringData"]
                .as_mapping()
                .expect("Secret stringData"),
        )
    {
        let key = yaml_str(key, "a key").to_string();
        assert!(env_vars.contains(&key), "sherpa reads no variable {key}");
        settings.insert(key, yaml_str(value, "a value").to_string());
    }

    let deployment = &by_kind["Deployment"];
    let spec = &deployment["spec"];
    let pod_labels = labels(&spec["template"]["metadata"]["labels"]);
    assert!(selects(
        &labels(&spec["selector"]["matchLabels"]),
        &pod_labels
    ));
    let pod = &spec["template"]["spec"];
    let grace = pod["terminationGracePeriodSeconds"]
        .as_u64()
        .expect("terminationGracePeriodSeconds");
    assert!(
        grace > seconds(&settings["SHERPA_SHUTDOWN_TIMEOUT"]),
        "the grace period must outlast --shutdown-timeout"
    );
    assert_eq!(pod["securityContext"]["runAsNonRoot"].as_bool(), Some(true));
    assert!(
        pod["securityContext"]["runAsUser"]
            .as_u64()
            .is_some_and(|u| u != 0)
    );
    let container = &pod["containers"][0];
    assert_eq!(container["args"][0].as_str(), Some("run"));
    let metrics_port = port_of(&settings["SHERPA_METRICS_ADDR"]);
    let port = container["ports"]
        .as_sequence()
        .expect("container ports")
        .iter()
        .find(|p| p["containerPort"].as_u64() == Some(u64::from(metrics_port)))
        .expect("the metrics port is a container port");
    let port_name = yaml_str(&port["name"], "the port's name");
    for (probe, path) in [
        ("livenessProbe", "/healthz"),
        ("readinessProbe", "/readyz"),
        ("startupProbe", "/healthz"),
    ] {
        let get = &container[probe]["httpGet"];
        assert_eq!(get["path"].as_str(), Some(path), "{probe}");
        assert!(
            get["port"].as_str() == Some(port_name)
                || get["port"].as_u64() == Some(u64::from(metrics_port)),
            "{probe} probes another port"
        );
    }
    for side in ["requests", "limits"] {
        for resource in ["cpu", "memory"] {
            assert!(
                !container["resources"][side][resource].is_null(),
                "no {side}.{resource}"
            );
        }
    }
    let refs: BTreeSet<String> = container["envFrom"]
        .as_sequence()
        .expect("envFrom")
        .iter()
        .filter_map(|r| {
            r["configMapRef"]["name"]
                .as_str()
                .or(r["secretRef"]["name"].as_str())
        })
        .map(String::from)
        .collect();
    let names = BTreeSet::from([
        yaml_str(&config["metadata"]["name"], "name").to_string(),
        yaml_str(&secret["metadata"]["name"], "name").to_string(),
    ]);
    assert_eq!(
        refs, names,
        "the Deployment reads the ConfigMap and the Secret"
    );

    let service = &by_kind["Service"]["spec"];
    assert!(selects(&labels(&service["selector"]), &pod_labels));
    assert_eq!(service["ports"][0]["targetPort"].as_str(), Some(port_name));
    let pdb = &by_kind["PodDisruptionBudget"]["spec"];
    assert!(selects(
        &labels(&pdb["selector"]["matchLabels"]),
        &pod_labels
    ));
    let hpa = &by_kind["HorizontalPodAutoscaler"]["spec"];
    assert_eq!(hpa["scaleTargetRef"]["kind"].as_str(), Some("Deployment"));
    assert_eq!(
        hpa["scaleTargetRef"]["name"].as_str(),
        deployment["metadata"]["name"].as_str()
    );
    assert!(hpa["minReplicas"].as_u64() <= hpa["maxReplicas"].as_u64());
}
