//! Approvals across processes: a run waits durably; `floe approve` / `floe reject` from another
//! process answers it, whether the waiting process is alive or was closed (then `floe resume`).

mod support;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};

use serde_json::{Value, json};

fn scratch(name: &str) -> PathBuf {
    support::scratch("approvals", name)
}

fn blueprint(dir: &Path) -> PathBuf {
    let document = json!({
        "format": "floe.blueprint", "version": 1, "id": "gate", "name": "Gate",
        "outputs": {"shipped": {"from": "ship.text"}},
        "nodes": [
            {"id": "draft", "kind": "tool", "config": {"tool": "text_template", "args": {"template": "v1"}}},
            {"id": "review", "kind": "approval", "config": {"message": "Ship {{ inputs.in }}?"}},
            {"id": "ship", "kind": "tool", "config": {"tool": "text_template", "args": {"template": "shipped {{ inputs.in }}"}}}
        ],
        "edges": [{"from": "draft.text", "to": "review.in"}, {"from": "review.approved", "to": "ship.in"}]
    });
    let path = dir.join("gate.json");
    std::fs::write(&path, document.to_string()).expect("written");
    path
}

fn floe(args: &[&str], db: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_floe")).args(args).arg("--db").arg(db).output().expect("floe runs")
}

/// Starts `floe run --json` and reads events until the approval waits; returns the run id.
fn start_until_waiting(file: &Path, db: &Path) -> (Child, String, BufReader<std::process::ChildStdout>) {
    let (child, stdout) = support::spawn_json(&["run".as_ref(), file.as_os_str()], db);
    let mut reader = BufReader::new(stdout);
    let waiting = support::read_until(&mut reader, |e| e["type"] == "node_waiting");
    assert_eq!(waiting["prompt"], json!("Ship v1?"));
    let run = waiting["run"].as_str().expect("run id").to_owned();
    (child, run, reader)
}

#[test]
fn approving_from_another_process_lets_the_waiting_run_finish() {
    let dir = scratch("live");
    let db = dir.join("runs.db");
    let (mut child, run, reader) = start_until_waiting(&blueprint(&dir), &db);
    let show = floe(&["runs", "show", &run, "--json"], &db);
    let record: Value = serde_json::from_slice(&show.stdout).expect("JSON");
    assert_eq!(record["status"], json!("waiting"));
    let approve = floe(&["approve", &run, "review", "--value", "v2"], &db);
    assert_eq!(approve.status.code(), Some(0), "{}", String::from_utf8_lossy(&approve.stderr));
    let rest: Vec<Value> = reader.lines().map_while(Result::ok).filter_map(|l| serde_json::from_str(&l).ok()).collect();
    assert!(child.wait().expect("exits").success());
    let finished = rest.last().cloned().unwrap_or_default();
    assert_eq!(finished["type"], json!("run_finished"));
    assert_eq!(finished["outputs"]["shipped"], json!("shipped v2"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_approval_given_while_no_process_runs_is_used_on_resume() {
    let dir = scratch("closed");
    let db = dir.join("runs.db");
    let (mut child, run, _) = start_until_waiting(&blueprint(&dir), &db);
    child.kill().expect("killed");
    child.wait().expect("reaped");
    let wrong = floe(&["approve", &run, "nope"], &db);
    assert_eq!(wrong.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("waiting: review"));
    // Only an agent's tool calls can be allowed for the whole run.
    let widened = floe(&["approve", &run, "review", "--for-run"], &db);
    assert_eq!(widened.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&widened.stderr).contains("approved once"),
        "{}",
        String::from_utf8_lossy(&widened.stderr)
    );
    let approve = floe(&["approve", &run, "review"], &db);
    assert!(String::from_utf8_lossy(&approve.stderr).contains("floe resume"));
    let resumed = floe(&["resume", &run], &db);
    assert_eq!(resumed.status.code(), Some(0), "{}", String::from_utf8_lossy(&resumed.stderr));
    let outputs: Value = serde_json::from_slice(&resumed.stdout).expect("JSON outputs");
    assert_eq!(outputs["shipped"], json!("shipped v1"));
    let _ = std::fs::remove_dir_all(&dir);
}
