//! Fetching URL-only articles: the fetcher against a local HTTP server the
//! test starts itself (loopback allowed only where the test says so), the
//! SSRF guard without the allowlist, and `sherpa extract` end to end.
//!
//! Network: loopback only. The private and metadata addresses below must be
//! refused before any connection is attempted, and the tests check that
//! they are (refused at once, no request reaching a server).

use std::io::Write;
use std::net::IpAddr;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use sherpa::shell::fetch::{FetchConfig, FetchError, FetchedPage, Fetcher};

use crate::support::http::{Reply, TestServer};
use crate::support::sherpa_command;

fn config(allow: &[&str]) -> FetchConfig {
    FetchConfig {
        allow: allow
            .iter()
            .map(|a| a.parse().expect("a CIDR range"))
            .collect(),
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_secs(5),
        retry_delay: Duration::from_millis(50),
        retry_max_delay: Duration::from_secs(2),
        ..FetchConfig::default()
    }
}

async fn fetch_with(config: FetchConfig, url: &str) -> Result<FetchedPage, FetchError> {
    Fetcher::new(config)
        .expect("build the fetcher")
        .fetch(url)
        .await
}

/// Fetches with loopback allowed.
async fn fetch(url: &str) -> Result<FetchedPage, FetchError> {
    fetch_with(config(&["127.0.0.0/8"]), url).await
}

fn expect_class(result: Result<FetchedPage, FetchError>, class: &str) -> FetchError {
    match result {
        Ok(page) => panic!("expected {class}, got a page: {:?}", page.fetched),
        Err(err) => {
            assert_eq!(err.class(), class, "{err}");
            err
        }
    }
}

const ARTICLE: &str = "Japanese Prime Minister Shinzo Abe and North Korean leader Kim Jong Un \
will hold a summit in Pyongyang in early June.";

#[tokio::test]
async fn a_normal_page_is_fetched_with_sherpas_user_agent() {
    let server = TestServer::start(|_, _| {
        Reply::html(format!(
            "<html><head><title>T</title></head><body><p>{ARTICLE}</p></body></html>"
        ))
    });
    let page = fetch(&server.url("/news/1")).await.expect("fetched");
    assert!(page.is_html);
    assert!(page.text.contains(ARTICLE), "{}", page.text);
    let f = &page.fetched;
    assert_eq!(f.url, server.url("/news/1"));
    assert_eq!(f.final_url, server.url("/news/1"));
    assert_eq!(
        (f.status, f.content_type.as_str(), f.charset.as_str()),
        (200, "text/html", "UTF-8")
    );
    assert_eq!(f.bytes as usize, page.text.len());
    assert_eq!(f.redirects, 0);
    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    let agent = &seen[0].headers["user-agent"];
    assert!(
        agent.starts_with(&format!("sherpa/{}", env!("CARGO_PKG_VERSION"))),
        "{agent}"
    );
    let encodings = &seen[0].headers["accept-encoding"];
    assert!(
        encodings.contains("gzip") && encodings.contains("br"),
        "{encodings}"
    );
}

#[tokio::test]
async fn a_redirect_chain_is_followed_hop_by_hop() {
    let server = TestServer::start(|path, _| match path {
        "/a" => Reply::redirect(301, "/b"),
        "/b" => Reply::redirect(302, "c"),
        "/c" => Reply::redirect(307, "/d?x=1"),
        "/d?x=1" => Reply::text(ARTICLE),
        "/loop" => Reply::redirect(302, "/loop"),
        _ => Reply::new(404),
    });
    let page = fetch(&server.url("/a")).await.expect("fetched");
    assert_eq!(page.fetched.final_url, server.url("/d?x=1"));
    assert_eq!(page.fetched.redirects, 3);
    assert_eq!(page.text, ARTICLE);
    assert!(!page.is_html);

    let limited = FetchConfig {
        max_redirects: 3,
        ..config(&["127.0.0.0/8"])
    };
    let err = expect_class(
        fetch_with(limited, &server.url("/loop")).await,
        "bad_status",
    );
    assert!(err.to_string().contains("more than 3 redirects"), "{err}");
    assert!(!err.is_retryable());
    assert_eq!(server.hits("/loop"), 4, "the first request and 3 redirects");
}

#[tokio::test]
async fn a_slow_server_times_out_and_is_retried() {
    let server = TestServer::start(|_, _| Reply::text(ARTICLE).delay(Duration::from_secs(3)));
    let config = FetchConfig {
        timeout: Duration::from_millis(300),
        retries: 1,
        ..config(&["127.0.0.0/8"])
    };
    let started = Instant::now();
    let err = expect_class(fetch_with(config, &server.url("/slow")).await, "timeout");
    assert!(err.is_retryable());
    assert!(
        started.elapsed() < Duration::from_millis(2500),
        "gave up after {:?}",
        started.elapsed()
    );
    assert_eq!(server.hits("/slow"), 2, "one retry");
}

#[tokio::test]
async fn a_huge_body_is_cut_off_as_too_large() {
    let server = TestServer::start(|path, _| match path {
        // No Content-Length: only counting while streaming can stop it.
        "/endless" => Reply::text("")
            .streaming(64 * 1024 * 1024)
            .header("Content-Type", "text/plain"),
        // A Content-Length over the limit is refused before reading.
        _ => Reply::text(vec![b'a'; 3 * 1024 * 1024]),
    });
    let config = FetchConfig {
        max_bytes: 1024 * 1024,
        ..config(&["127.0.0.0/8"])
    };
    let started = Instant::now();
    let err = expect_class(
        fetch_with(config.clone(), &server.url("/endless")).await,
        "too_large",
    );
    assert!(!err.is_retryable());
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    expect_class(
        fetch_with(config, &server.url("/declared")).await,
        "too_large",
    );
    // The default limit is 5 MiB.
    assert_eq!(FetchConfig::default().max_bytes, 5 * 1024 * 1024);
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).expect("gzip in memory");
    encoder.finish().expect("gzip in memory")
}

/// Bodies are decompressed, and the size limit counts decompressed bytes,
/// so a small compressed bomb is cut off; a corrupt stream is a decode error.
#[tokio::test]
async fn gzip_bodies_are_decoded_and_bombs_cut_off() {
    let page = gzip(format!("<p>{ARTICLE}</p>").as_bytes());
    let bomb = gzip(&vec![b' '; 32 * 1024 * 1024]);
    assert!(bomb.len() < 256 * 1024, "the bomb is small on the wire");
    let server = TestServer::start(move |path, _| {
        let body = match path {
            "/page" => page.clone(),
            "/bomb" => bomb.clone(),
            _ => b"\x1f\x8b\x08\x00 this is not gzip at all".to_vec(),
        };
        Reply::html(body).header("Content-Encoding", "gzip")
    });
    let page = fetch(&server.url("/page")).await.expect("fetched");
    assert_eq!(page.text, format!("<p>{ARTICLE}</p>"));
    assert_eq!(page.fetched.bytes as usize, page.text.len(), "decoded size");
    let config = FetchConfig {
        max_bytes: 1024 * 1024,
        ..config(&["127.0.0.0/8"])
    };
    expect_class(fetch_with(config, &server.url("/bomb")).await, "too_large");
    expect_class(fetch(&server.url("/corrupt")).await, "decode_error");
}

#[tokio::test]
async fn a_503_then_200_is_retried_and_succeeds() {
    let server = TestServer::start(|path, n| match (path, n) {
        ("/flaky", 1) => Reply::new(503).header("Retry-After", "0"),
        ("/flaky", _) => Reply::text(ARTICLE),
        ("/busy", 1) => Reply::new(429).header("Retry-After", "1"),
        ("/busy", _) => Reply::text(ARTICLE),
        _ => Reply::new(503),
    });
    let page = fetch(&server.url("/flaky"))
        .await
        .expect("fetched on the retry");
    assert_eq!(page.text, ARTICLE);
    assert_eq!(server.hits("/flaky"), 2);

    let started = Instant::now();
    fetch(&server.url("/busy"))
        .await
        .expect("fetched after Retry-After");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After: 1 was honoured ({:?})",
        started.elapsed()
    );

    let err = expect_class(fetch(&server.url("/down")).await, "bad_status");
    assert!(err.is_retryable(), "a 5xx stays retryable for the worker");
    assert_eq!(server.hits("/down"), 3, "two retries by default");
}

#[tokio::test]
async fn a_404_is_a_final_bad_status() {
    let server = TestServer::start(|_, _| Reply::new(404).body("gone"));
    let err = expect_class(fetch(&server.url("/missing")).await, "bad_status");
    assert!(!err.is_retryable());
    assert!(
        err.describe()
            .starts_with("bad_status: HTTP 404 from http://127.0.0.1:"),
        "{}",
        err.describe()
    );
    assert_eq!(server.requests(), 1, "not retried");
}

#[tokio::test]
async fn an_image_is_an_unsupported_type() {
    let server = TestServer::start(|_, _| {
        Reply::new(200)
            .header("Content-Type", "image/png")
            .body(b"\x89PNG\r\n\x1a\n".to_vec())
    });
    let err = expect_class(fetch(&server.url("/logo.png")).await, "unsupported_type");
    assert!(err.to_string().contains("image/png"), "{err}");
    assert!(!err.is_retryable());
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn windows_1252_and_shift_jis_pages_are_decoded() {
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("安倍首相と金正恩委員長が首脳会談");
    let sjis_page = [
        b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=Shift_JIS\"></head><body><p>"
            .as_slice(),
        &sjis,
        b"</p></body></html>",
    ]
    .concat();
    let server = TestServer::start(move |path, _| match path {
        "/cp1252" => Reply::new(200)
            .header("Content-Type", "text/plain; charset=windows-1252")
            .body(b"Caf\xe9 talks: \x93a summit\x94 worth \x80 5 billion".to_vec()),
        "/sjis" => Reply::new(200)
            .header("Content-Type", "text/html")
            .body(sjis_page.clone()),
        _ => Reply::new(404),
    });
    let page = fetch(&server.url("/cp1252")).await.expect("fetched");
    assert_eq!(page.text, "Café talks: “a summit” worth € 5 billion");
    assert_eq!(page.fetched.charset, "windows-1252");
    let page = fetch(&server.url("/sjis")).await.expect("fetched");
    assert_eq!(page.fetched.charset, "Shift_JIS");
    assert!(
        page.text.contains("安倍首相と金正恩委員長が首脳会談"),
        "{}",
        page.text
    );
}

/// Without the allowlist: loopback by address and by name, IPv6 loopback,
/// IPv4-mapped loopback, a private address and the cloud metadata service
/// are all refused, at once and without a request reaching anything.
#[tokio::test]
async fn private_loopback_and_metadata_addresses_are_refused_without_a_request() {
    let v4 = TestServer::start(|_, _| Reply::text(ARTICLE));
    let v6 = TestServer::try_start(IpAddr::from([0u16, 0, 0, 0, 0, 0, 0, 1]), |_, _| {
        Reply::text(ARTICLE)
    });
    let port = v4.port();
    let mut urls = vec![
        v4.url("/"),
        format!("http://localhost:{port}/"),
        format!("http://[::1]:{port}/"),
        format!("http://[::ffff:127.0.0.1]:{port}/"),
        format!("http://2130706433:{port}/"),
        "http://10.0.0.1/".to_string(),
        "http://169.254.169.254/latest/meta-data/".to_string(),
        "http://[fd00:ec2::254]/latest/meta-data/".to_string(),
        "https://192.168.0.1/".to_string(),
    ];
    if let Some(v6) = &v6 {
        urls.push(v6.url("/"));
    }
    let fetcher = Fetcher::new(config(&[])).expect("build the fetcher");
    for url in &urls {
        let started = Instant::now();
        let err = expect_class(fetcher.fetch(url).await, "blocked_address");
        assert!(!err.is_retryable(), "{url}");
        assert!(
            started.elapsed() < Duration::from_millis(1000),
            "{url} was refused only after {:?}: was a connection tried?",
            started.elapsed()
        );
    }
    assert_eq!(v4.requests(), 0, "no request reached 127.0.0.1");
    if let Some(v6) = &v6 {
        assert_eq!(v6.requests(), 0, "no request reached [::1]");
    }
}

#[tokio::test]
async fn a_redirect_from_an_allowed_host_to_a_private_address_is_refused() {
    let target = TestServer::try_start(IpAddr::from([127, 0, 0, 2]), |_, _| {
        Reply::text("internal secrets")
    })
    .expect("bind 127.0.0.2");
    let secret = target.url("/secret");
    let allowed = TestServer::start(move |path, _| match path {
        "/to-loopback" => Reply::redirect(302, &secret),
        "/to-metadata" => Reply::redirect(301, "http://169.254.169.254/latest/meta-data/"),
        "/to-private" => Reply::redirect(307, "http://10.0.0.1/admin"),
        "/to-file" => Reply::redirect(302, "file:///etc/passwd"),
        _ => Reply::new(404),
    });
    // Only the first server's address is allowed.
    let fetcher = Fetcher::new(config(&["127.0.0.1/32"])).expect("build the fetcher");
    for path in ["/to-loopback", "/to-metadata", "/to-private", "/to-file"] {
        let err = expect_class(fetcher.fetch(&allowed.url(path)).await, "blocked_address");
        assert!(!err.is_retryable());
        assert_eq!(allowed.hits(path), 1, "{path}");
    }
    assert_eq!(target.requests(), 0, "no request reached 127.0.0.2");
}

#[tokio::test]
async fn other_schemes_and_bad_urls_are_refused() {
    let fetcher = Fetcher::new(config(&[])).expect("build the fetcher");
    expect_class(fetcher.fetch("file:///etc/passwd").await, "blocked_address");
    expect_class(
        fetcher.fetch("ftp://example.com/a").await,
        "blocked_address",
    );
    expect_class(
        fetcher.fetch("gopher://127.0.0.1:70/").await,
        "blocked_address",
    );
    expect_class(fetcher.fetch("not a url").await, "invalid_url");
}

// ---------------------------------------------------------------------------
// `sherpa extract` end to end.
// ---------------------------------------------------------------------------

fn extract(args: &[&str], env: &[(&str, &str)], stdin: &str) -> Output {
    let mut command = sherpa_command();
    command.arg("extract").args(args);
    let mut child = command
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn sherpa extract");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("wait for sherpa extract")
}

fn json_lines(output: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON lines"))
        .collect()
}

fn line(value: Value) -> String {
    format!("{value}\n")
}

#[test]
fn extract_fetches_url_only_articles_and_records_the_fetch() {
    let server = TestServer::start(|_, _| Reply::html(format!("<p>{ARTICLE}</p>")));
    let input = line(serde_json::json!({
        "id": "u1",
        "url": server.url("/a"),
        "published_at": "2018-03-29T10:00:00Z",
    }));
    let out = extract(&["--articles", "--fetch-allow", "127.0.0.0/8"], &[], &input);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let records = json_lines(&out);
    let summits: Vec<&Value> = records
        .iter()
        .filter(|r| r["schema"] == "summit/1")
        .collect();
    assert_eq!(summits.len(), 1, "{records:?}");
    assert_eq!(
        summits[0]["participants"],
        serde_json::json!(["JPN", "PRK"])
    );
    let article = records.last().expect("the enriched article");
    assert_eq!(article["schema"], "article/1");
    assert_eq!(article["text"], ARTICLE);
    assert_eq!(article["fetched"]["final_url"], server.url("/a"));
    assert_eq!(article["fetched"]["status"], 200);
    assert_eq!(article["fetched"]["content_type"], "text/html");
    let schema = crate::schemas::validator("enriched-article.schema.json");
    let errors: Vec<String> = schema.iter_errors(article).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}\n{article}");
    let mut broken = article.clone();
    broken["fetched"]["content_type"] = "image/png".into();
    assert!(!schema.is_valid(&broken), "the schema checks `fetched`");

    // SHERPA_FETCH_ALLOW takes a comma-separated list.
    let out = extract(
        &[],
        &[("SHERPA_FETCH_ALLOW", "10.0.0.0/8,127.0.0.1/32")],
        &input,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(json_lines(&out).len(), 1);
}

#[test]
fn extract_reports_failed_fetches_with_their_line_and_goes_on() {
    let server = TestServer::start(|path, _| match path {
        "/ok" => Reply::text(ARTICLE),
        "/image" => Reply::new(200).header("Content-Type", "image/jpeg"),
        _ => Reply::new(404),
    });
    let input = [
        line(serde_json::json!({"id": "a", "url": server.url("/missing")})),
        line(serde_json::json!({"id": "b", "url": "http://169.254.169.254/latest/meta-data/"})),
        line(serde_json::json!({"id": "c", "url": server.url("/ok"), "published_at": "2018-03-29T10:00:00Z"})),
        line(serde_json::json!({"id": "d", "url": server.url("/image")})),
    ]
    .concat();
    let out = extract(&["--fetch-allow", "127.0.0.0/8"], &[], &input);
    assert_eq!(out.status.code(), Some(1), "a failed fetch is a bad line");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("-:1: fetch_failed: bad_status: HTTP 404"),
        "{stderr}"
    );
    assert!(
        stderr.contains("-:2: fetch_failed: blocked_address"),
        "{stderr}"
    );
    assert!(
        stderr.contains("-:4: fetch_failed: unsupported_type"),
        "{stderr}"
    );
    let records = json_lines(&out);
    assert_eq!(records.len(), 1, "the good line is extracted: {records:?}");
    assert_eq!(records[0]["article"]["id"], "c");
}

/// The page's navigation, script, footer and related-links box mention
/// other summits and amounts; only the article's own text counts.
#[test]
fn an_html_page_with_boilerplate_gives_exactly_the_records_of_its_plain_text() {
    let paragraphs = [
        "Japanese Prime Minister Shinzo Abe and North Korean leader Kim Jong Un will hold a summit in Pyongyang in early June.",
        "Japan has pledged $2 billion in economic aid to North Korea if it gives up its nuclear weapons.",
    ];
    let html = format!(
        r#"<!DOCTYPE html>
<html><head><title>Abe and Kim to meet</title>
<style>.nav {{ color: red }}</style>
<script>var teaser = "Trump and Putin will hold a summit in Helsinki next month; the World Bank pledged $500 million to Egypt.";</script>
</head><body>
<nav class="nav"><ul>
  <li><a href="/g20">G20 summit in Osaka: leaders to meet in June</a></li>
  <li><a href="/aid">China offers $10 billion in loans to Pakistan</a></li>
</ul></nav>
<!-- Xi Jinping and Narendra Modi will hold a summit in Beijing. -->
<article>
  <h1>Abe and Kim to meet</h1>
  <p>{}</p>
  <p>{}</p>
</article>
<aside class="related"><h3>Related</h3><ul>
  <li><a href="/x">Macron and Merkel will hold a summit in Paris in April</a></li>
  <li><a href="/y">Saudi Arabia delivered $3 billion to Egypt</a></li>
</ul></aside>
<footer>Also read: the EU pledged €1 billion to Ukraine. Moon Jae-in and Kim Jong Un met in Panmunjom.</footer>
</body></html>"#,
        paragraphs[0], paragraphs[1]
    );
    let server = TestServer::start(move |_, _| Reply::html(html.clone()));
    let url = server.url("/world/abe-kim");
    // The same article as plain text: its heading, then its paragraphs.
    let plain = line(serde_json::json!({
        "id": "same-article",
        "url": url,
        "published_at": "2018-03-29T10:00:00Z",
        "body": format!("Abe and Kim to meet\n\n{}", paragraphs.join("\n\n")),
    }));
    let fetched = line(serde_json::json!({
        "id": "same-article",
        "url": url,
        "published_at": "2018-03-29T10:00:00Z",
    }));
    let from_plain = extract(&[], &[], &plain);
    assert!(from_plain.status.success());
    let from_html = extract(&["--fetch-allow", "127.0.0.0/8"], &[], &fetched);
    assert!(
        from_html.status.success(),
        "{}",
        String::from_utf8_lossy(&from_html.stderr)
    );
    let expected = json_lines(&from_plain);
    assert!(
        expected.iter().any(|r| r["schema"] == "summit/1")
            && expected.iter().any(|r| r["schema"] == "aid/1"),
        "the plain text has a summit and an aid figure: {expected:?}"
    );
    assert_eq!(
        json_lines(&from_html),
        expected,
        "the fetched page yields exactly the records of its plain text"
    );
}
