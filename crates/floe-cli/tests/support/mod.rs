//! Helpers shared by the CLI's end-to-end tests (each test file uses some of them).
#![allow(dead_code)]

use std::path::PathBuf;

/// An empty folder of its own under the system temp folder (`floe-<suite>-<pid>-<name>`).
pub fn scratch(suite: &str, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("floe-{suite}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Starts `floe ARGS --json --db DB` with its event stream (stdout) piped back.
pub fn spawn_json(args: &[&std::ffi::OsStr], db: &std::path::Path) -> (std::process::Child, std::process::ChildStdout) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_floe"))
        .args(args)
        .args(["--json", "--db"])
        .arg(db)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("floe starts");
    let stdout = child.stdout.take().expect("stdout");
    (child, stdout)
}

/// Reads `--json` event lines until one matches; returns it (its `run` is the run id). Panics
/// when the stream ends first.
pub fn read_until(reader: &mut impl std::io::BufRead, done: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
        let event: serde_json::Value = serde_json::from_str(&line).expect("JSON line");
        if done(&event) {
            return event;
        }
        line.clear();
    }
    panic!("the run ended before the expected event");
}
