//! Run ids: time-ordered ids for new runs, and a child run's id derived from its parent's and the
//! node path that started it (so a resumed parent finds its child).

use crate::events::{Clock as _, SystemClock};

/// A fresh run id: time-ordered, so ids sort by start.
pub fn new_run_id() -> String {
    let millis = SystemClock.now_ms();
    format!("r{millis:012x}{:06x}", fastrand::u32(..0x0100_0000))
}

/// The run id of the child run of `node` in run `parent`: stable, so a resumed parent finds it.
pub fn child_run_id(parent: &str, node: &str) -> String {
    let node: String = node.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '-' }).collect();
    format!("{parent}.{node}")
}

/// The top-level run a run id belongs to (a child run's id starts with its parent's and a `.`).
pub fn root_run_id(run: &str) -> &str {
    run.split_once('.').map_or(run, |(root, _)| root)
}
