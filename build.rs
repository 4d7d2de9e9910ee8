//! Records the git commit the binary is built from, for the
//! `sherpa_build_info` metric and `sherpa --version`-style reports.
//!
//! `SHERPA_GIT_SHA` wins when set (a container build without `.git` passes it
//! as a build argument); otherwise `git rev-parse --short=12 HEAD`, read-only;
//! otherwise "unknown". Never fails the build and never uses the network.

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=SHERPA_GIT_SHA");
    let sha = std::env::var("SHERPA_GIT_SHA")
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .or_else(git_sha)
        .unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=SHERPA_GIT_SHA={sha}");

    // Rebuild when HEAD moves. Only files that exist are named: cargo
    // treats a missing one as always changed.
    let git = Path::new(".git");
    for file in ["HEAD", "packed-refs"] {
        watch(&git.join(file));
    }
    if let Ok(head) = std::fs::read_to_string(git.join("HEAD"))
        && let Some(reference) = head.trim().strip_prefix("ref: ")
    {
        watch(&git.join(reference));
    }
}

fn watch(path: &Path) {
    if path.is_file() {
        println!("cargo:rerun-if-changed={}", path.display());
    }
}

fn git_sha() -> Option<String> {
    let output = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let sha = String::from_utf8(output.stdout).ok()?.trim().to_string();
    let valid = !sha.is_empty() && sha.chars().all(|c| c.is_ascii_hexdigit());
    valid.then_some(sha)
}
