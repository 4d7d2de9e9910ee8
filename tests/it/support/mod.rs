//! Shared test harness.

pub mod cluster;
pub mod dev_sets;
pub mod http;
pub mod layout;
pub mod nats;
pub mod prometheus;
pub mod records;

use std::path::PathBuf;
use std::process::{Command, Output};

/// The `sherpa` binary built for this test run.
#[allow(dead_code)]
pub fn sherpa_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_sherpa"))
}

/// `../shared` beside the checkout: the evaluation data, read in place.
#[allow(dead_code)]
pub fn shared_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared");
    assert!(
        dir.join("eval").is_dir(),
        "{} is missing: the tests read the evaluation data from ../shared beside the checkout",
        dir.display()
    );
    dir
}

/// A command for the `sherpa` binary with no `SHERPA_*` variables leaking
/// in from the environment running the tests.
pub fn sherpa_command() -> Command {
    let mut command = Command::new(sherpa_bin());
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("SHERPA_") {
            command.env_remove(key);
        }
    }
    command
}

/// Stdout of a run that must have succeeded, as text.
pub fn stdout_ok(what: &str, output: &Output) -> String {
    assert!(
        output.status.success(),
        "{what} failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}
