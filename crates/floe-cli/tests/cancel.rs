//! Cancelling through the store: `floe cancel` writes a request that the process running the run
//! observes, so a run owned by `floe serve` stops while the server keeps serving, and a run owned
//! by `floe run` stops that process's run (exit 4, resumable). Nothing is signalled. A run killed
//! mid-write leaves no temporary file behind once it resumes.

mod support;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};

fn scratch(name: &str) -> PathBuf {
    support::scratch("cancel", name)
}

/// A blueprint whose second node sleeps long enough to be cancelled.
fn slow(dir: &Path) -> PathBuf {
    let document = json!({
        "format": "floe.blueprint", "version": 1, "id": "slow", "name": "Slow",
        "nodes": [
            {"id": "first", "kind": "tool", "config": {"tool": "text_template", "args": {"template": "go"}}},
            {"id": "wait", "kind": "tool", "config": {"tool": "sleep", "args": {"duration": "60s"}}}
        ],
        "edges": [{"from": "first.text", "to": "wait"}]
    });
    let path = dir.join("slow.json");
    std::fs::write(&path, document.to_string()).expect("written");
    path
}

fn floe(args: &[&str], db: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_floe")).args(args).arg("--db").arg(db).output().expect("floe runs")
}

/// `floe serve` on a folder, killed when dropped.
struct Serve {
    child: std::process::Child,
    base: String,
    token: String,
    http: reqwest::Client,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Serve {
    fn start(folder: &Path, db: &Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_floe"))
            .arg("serve")
            .arg(folder)
            .args(["--json", "--db"])
            .arg(db)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("floe serve starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("its address");
        let said: Value = serde_json::from_str(&line).expect("JSON");
        let _ = rustls::crypto::ring::default_provider().install_default();
        Self {
            child,
            base: format!("http://{}", said["addr"].as_str().expect("addr")),
            token: said["token"].as_str().expect("token").to_owned(),
            http: reqwest::Client::new(),
        }
    }

    /// Calls API method `method` (`POST /api/<method>`); the status and the JSON answer.
    async fn call(&self, method: &str, args: Value) -> (u16, Value) {
        let response = self
            .http
            .post(format!("{}/api/{method}", self.base))
            .bearer_auth(&self.token)
            .json(&args)
            .send()
            .await
            .expect("answers");
        (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn floe_cancel_stops_a_run_that_floe_serve_owns_and_the_server_keeps_serving() {
    let dir = scratch("serve");
    let db = dir.join("runs.db");
    let folder = dir.join("flows");
    std::fs::create_dir_all(&folder).expect("folder");
    slow(&folder);
    let mut serve = Serve::start(&folder, &db);
    let (status, started) = serve.call("run", json!({"request": {"path": "slow.json"}})).await;
    assert_eq!(status, 200, "{started}");
    let run = started["run_id"].as_str().expect("run id").to_owned();
    // `run` answers once the run has started; it is running now.
    let db_path = db.clone();
    let run_id = run.clone();
    let cancel = tokio::task::spawn_blocking(move || floe(&["cancel", &run_id], &db_path)).await.expect("joined");
    let said = String::from_utf8_lossy(&cancel.stderr);
    assert!(cancel.status.success(), "{said}");
    assert!(said.contains("cancelled"), "the CLI says how it ended: {said}");

    // `floe cancel` returns once the owner has settled the run, so it is over already.
    let (_, detail) = serve.call("run_detail", json!({"run_id": run})).await;
    assert_eq!(detail["summary"]["status"], json!("cancelled"), "{detail}");
    assert_eq!(detail["resumable"], json!(true));
    assert!(serve.child.try_wait().expect("status").is_none(), "the server is still running");
    let (status, about) = serve.call("about", json!({})).await;
    assert_eq!((status, about["name"].clone()), (200, json!("Floe")), "and still answers");
    let (status, _) = serve.call("run", json!({"request": {"path": "slow.json"}})).await;
    assert_eq!(status, 200, "and still starts runs");
}

#[test]
fn floe_cancel_stops_the_run_of_a_floe_run_process_and_leaves_it_resumable() {
    let dir = scratch("cli");
    let db = dir.join("runs.db");
    let file = slow(&dir);
    let (mut child, stdout) = support::spawn_json(&["run".as_ref(), file.as_os_str()], &db);
    let started =
        support::read_until(&mut BufReader::new(stdout), |e| e["type"] == "node_started" && e["node"] == "wait");
    let run = started["run"].as_str().expect("run id").to_owned();
    let cancel = floe(&["cancel", &run], &db);
    assert!(cancel.status.success(), "{}", String::from_utf8_lossy(&cancel.stderr));
    let status = child.wait().expect("the run ends");
    assert_eq!(status.code(), Some(4), "exit 4: cancelled, resumable");
    let listed = floe(&["runs", "--json"], &db);
    let runs: Value = serde_json::from_slice(&listed.stdout).expect("JSON");
    assert_eq!(runs[0]["status"], json!("cancelled"));
    assert_eq!(runs[0]["interrupted"], json!(false));
    let again = floe(&["cancel", &run], &db);
    assert!(!again.status.success(), "a finished run is not cancelled twice");
    assert!(String::from_utf8_lossy(&again.stderr).contains("already cancelled"));
}

#[test]
fn a_run_killed_mid_write_leaves_no_temporary_file_once_resumed_and_files_keep_their_last_newline() {
    let dir = scratch("temporaries");
    let db = dir.join("runs.db");
    let document = json!({
        "format": "floe.blueprint", "version": 1, "id": "notes", "name": "Notes",
        "nodes": [
            {"id": "text", "kind": "tool", "config": {"tool": "text_template", "args": {"template": "hello"}}},
            {"id": "save", "kind": "tool", "config": {"tool": "write_file", "args": {"path": "out/notes.txt", "content": "{{ inputs.in }}\n"}}},
            {"id": "gate", "kind": "approval", "config": {"message": "Go on?"}}
        ],
        "edges": [{"from": "text.text", "to": "save.in"}, {"from": "save.path", "to": "gate.in"}]
    });
    let file = dir.join("notes.json");
    std::fs::write(&file, document.to_string()).expect("written");
    let (mut child, stdout) = support::spawn_json(&["run".as_ref(), file.as_os_str()], &db);
    let waiting = support::read_until(&mut BufReader::new(stdout), |e| e["type"] == "node_waiting");
    let run = waiting["run"].as_str().expect("run id").to_owned();
    assert_eq!(std::fs::read_to_string(dir.join("out/notes.txt")).expect("written"), "hello\n");
    child.kill().expect("killed");
    child.wait().expect("reaped");
    // What a write killed between creating its temporary file and renaming it leaves behind, and
    // one that another, live writer is still writing.
    let left = dir.join(format!("out/.notes.txt.floe-tmp-{run}-3"));
    let other = dir.join("out/.draft.txt.floe-tmp-p1-0");
    std::fs::write(&left, "hel").expect("planted");
    std::fs::write(&other, "x").expect("planted");

    let (mut resumed, stdout) = support::spawn_json(&["resume".as_ref(), run.as_ref()], &db);
    support::read_until(&mut BufReader::new(stdout), |e| e["type"] == "run_started");
    assert!(!left.exists(), "the killed run's temporary file is removed when it resumes");
    assert!(other.exists(), "another writer's temporary file is left alone");
    let _ = resumed.kill();
    let _ = resumed.wait();
}
