//! The dev sets under `../shared/eval` and the two programs that score them:
//! `sherpa` itself and the reference scorer `score.py` (run with `python3`).

use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use super::{shared_dir, sherpa_command, stdout_ok};

/// The dev sets with gold, each a folder of `../shared/eval` holding
/// `articles.jsonl` and `gold.jsonl`.
pub const DEV_SETS: [&str; 4] = ["seed", "authored-dev", "reuters-dev", "bbc-dev"];

/// The fixed "now" every eval run passes as `--now`, so runs over articles
/// without `published_at` are reproducible.
pub const EVAL_NOW: &str = "2025-01-01T00:00:00Z";

/// A file of a dev set, e.g. `dev_file("seed", "gold.jsonl")`.
pub fn dev_file(set: &str, name: &str) -> PathBuf {
    let path = shared_dir().join("eval").join(set).join(name);
    assert!(path.is_file(), "{} is missing", path.display());
    path
}

/// Runs a command to completion, feeding it `stdin` (or nothing).
pub fn run(command: &mut Command, stdin: Option<&[u8]>) -> Output {
    let mut child = command
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"));
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("stdin is piped");
        let input = input.to_vec();
        // A separate thread, so a child that writes a lot before reading
        // everything cannot deadlock against us.
        std::thread::spawn(move || {
            let _ = pipe.write_all(&input);
        });
    }
    child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("cannot wait for {command:?}: {e}"))
}

/// Runs `sherpa ARGS…` (see [`sherpa_command`]) with stdin and returns
/// everything it did.
pub fn sherpa<I, S>(args: I, stdin: Option<&[u8]>) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    run(sherpa_command().args(args), stdin)
}

/// Runs `python3 ../shared/eval/score.py ARGS…`.
pub fn score_py<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut command = Command::new("python3");
    command.arg(shared_dir().join("eval/score.py")).args(args);
    run(&mut command, None)
}

/// Runs `sherpa extract --articles --now EVAL_NOW ARTICLES` and writes its
/// stdout (records and enriched articles) to `out`.
pub fn extract_to_file(articles: &Path, out: &Path) {
    let args = [
        OsStr::new("extract"),
        OsStr::new("--articles"),
        OsStr::new("--now"),
        OsStr::new(EVAL_NOW),
        articles.as_os_str(),
    ];
    let output = sherpa(args, None);
    let stdout = stdout_ok(&format!("sherpa extract {}", articles.display()), &output);
    std::fs::write(out, stdout).expect("write predictions");
}
