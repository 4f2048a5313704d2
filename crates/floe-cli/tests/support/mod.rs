//! Helpers shared by the CLI's end-to-end tests.

use std::path::PathBuf;

/// An empty folder of its own under the system temp folder (`floe-<suite>-<pid>-<name>`).
pub fn scratch(suite: &str, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("floe-{suite}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}
