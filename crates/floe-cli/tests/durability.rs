//! Durability for real: a 200-node blueprint whose effects POST to a loopback counter is run by
//! the `floe` binary, killed with SIGKILL at several points, and resumed each time. After the
//! last resume the run has succeeded, every node succeeded exactly once in the journal, every
//! effect reached the counter, and no effect that was journaled as done was ever sent again.

mod support;

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use floe_engine::events::{RunEvent, RunStatus};
use floe_engine::store::Store;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const NODES: usize = 200;
const CHAIN: usize = 20;

fn scratch(name: &str) -> PathBuf {
    support::scratch("durability", name)
}

/// Ten chains of twenty; along each chain, even nodes POST an effect and odd nodes render text
/// from the response, so the run advances as effects complete.
fn blueprint(url: &str) -> Value {
    let nodes: Vec<Value> = (0..NODES)
        .map(|i| {
            if i % 2 == 0 {
                json!({"id": format!("n{i}"), "kind": "tool", "config": {"tool": "http_request", "args": {
                    "url": url, "method": "POST", "body": {"node": i, "before": "{{ inputs.in | default('') }}"}
                }}})
            } else {
                json!({"id": format!("n{i}"), "kind": "tool", "config": {"tool": "text_template", "args": {
                    "template": "after {{ inputs.in | default('start') }}"
                }}})
            }
        })
        .collect();
    let edges: Vec<Value> = (0..NODES)
        .filter(|i| i % CHAIN != 0)
        .map(|i| {
            let from = i - 1;
            let port = if from % 2 == 0 { "body" } else { "text" };
            json!({"from": format!("n{from}.{port}"), "to": format!("n{i}.in")})
        })
        .collect();
    json!({"format": "floe.blueprint", "version": 1, "id": "effects", "name": "Effects", "nodes": nodes, "edges": edges})
}

fn floe() -> Command {
    Command::new(env!("CARGO_BIN_EXE_floe"))
}

/// Runs `args` with `--json`, SIGKILLs the process once `kill_after` events were printed, and
/// returns the run id (from the first event).
fn run_and_kill(args: &[&str], db: &Path, kill_after: usize) -> String {
    let args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_ref()).collect();
    let (mut child, stdout) = support::spawn_json(&args, db);
    let mut run = String::new();
    for (seen, line) in BufReader::new(stdout).lines().map_while(Result::ok).enumerate() {
        if run.is_empty() {
            let event: Value = serde_json::from_str(&line).expect("JSON line");
            run = event["run"].as_str().unwrap_or_default().to_owned();
        }
        if seen + 1 >= kill_after {
            break;
        }
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    run
}

/// Requests the counter received so far, per idempotency key.
async fn sent(server: &MockServer) -> BTreeMap<String, usize> {
    let mut per_key = BTreeMap::new();
    for request in server.received_requests().await.unwrap_or_default() {
        let key = request.headers.get("idempotency-key").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        *per_key.entry(key).or_default() += 1;
    }
    per_key
}

/// Keys (node ids) whose POST the journal records as done.
async fn journaled_effects(store: &Store, run: &str) -> HashSet<String> {
    store
        .events(run)
        .await
        .expect("events")
        .into_iter()
        .filter_map(|e| match e.kind {
            RunEvent::NodeSucceeded { node, .. } => Some(node.to_string()),
            _ => None,
        })
        .filter(|node| node[1..].parse::<usize>().is_ok_and(|i| i % 2 == 0))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_runs_resume_without_repeating_finished_work_or_effects() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/effect"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"node": 0, "stored": true}))
                .set_delay(std::time::Duration::from_millis(15)),
        )
        .mount(&server)
        .await;
    let dir = scratch("kill");
    let file = dir.join("effects.json");
    std::fs::write(&file, blueprint(&format!("{}/effect", server.uri())).to_string()).expect("blueprint written");
    let db = dir.join("runs.db");
    let file_arg = file.to_string_lossy().into_owned();

    // Kill the first run early, then kill each resume at a later point, then let one finish.
    // After each kill: which effects the journal holds as done, and what the counter had seen.
    let run = run_and_kill(&["run", &file_arg], &db, 45);
    assert!(!run.is_empty());
    let store = Store::open(&db).await.expect("store");
    let mut checkpoints = vec![(journaled_effects(&store, &run).await, sent(&server).await)];
    for kill_after in [20, 30, 40, 50, 60, 80] {
        let interrupted = floe().args(["runs", "--interrupted", "--json", "--db"]).arg(&db).output().expect("runs");
        let listed: Value = serde_json::from_slice(&interrupted.stdout).expect("JSON");
        assert!(listed.as_array().is_some_and(|runs| runs.iter().any(|r| r["id"] == json!(run))), "{listed}");
        run_and_kill(&["resume", &run], &db, kill_after);
        checkpoints.push((journaled_effects(&store, &run).await, sent(&server).await));
    }
    // The last kill may have come after the run finished; otherwise one more resume ends it.
    if store.run(&run).await.expect("record").summary.status != RunStatus::Succeeded {
        let finished = floe().args(["resume", &run, "--json", "--db"]).arg(&db).output().expect("resume");
        assert_eq!(finished.status.code(), Some(0), "{}", String::from_utf8_lossy(&finished.stderr));
    }

    // The journal: succeeded, each node exactly once.
    let record = store.run(&run).await.expect("record");
    assert_eq!(record.summary.status, RunStatus::Succeeded);
    let events = store.events(&run).await.expect("events");
    let mut successes: BTreeMap<String, usize> = BTreeMap::new();
    for event in &events {
        if let RunEvent::NodeSucceeded { node, .. } = &event.kind {
            *successes.entry(node.to_string()).or_default() += 1;
        }
    }
    assert_eq!(successes.len(), NODES);
    assert!(successes.values().all(|&n| n == 1), "a node succeeded twice: {successes:?}");
    let seqs: Vec<u64> = events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=events.len() as u64).collect::<Vec<_>>(), "one gap-free log across resumes");

    // The counter: every effect arrived under its own key, and no effect journaled as done at a
    // kill was sent again afterwards (in-flight ones may repeat, with the same key).
    let per_key = sent(&server).await;
    assert_eq!(per_key.len(), NODES / 2, "one idempotency key per effect node");
    assert!(per_key.keys().all(|k| k.starts_with(&format!("{run}/n"))));
    for (done, sent_then) in &checkpoints {
        for node in done {
            let key = format!("{run}/{node}");
            assert_eq!(per_key.get(&key), sent_then.get(&key), "{node} was journaled as done, then sent again");
        }
    }
    let done: Vec<usize> = checkpoints.iter().map(|(d, _)| d.len()).collect();
    assert!(done.windows(2).all(|w| w[0] <= w[1]), "{done:?}");
    assert!(done[0] > 0 && done[0] < NODES / 2, "the first kill landed mid-run: {done:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn floe_cancel_stops_a_running_run_cleanly_and_resume_finishes_it() {
    let dir = scratch("cancel");
    let db = dir.join("runs.db");
    let file = dir.join("slow.json");
    let document = json!({
        "format": "floe.blueprint", "version": 1, "id": "slow", "name": "Slow",
        "outputs": {"done": {"from": "after.text"}},
        "nodes": [
            {"id": "first", "kind": "tool", "config": {"tool": "text_template", "args": {"template": "one"}}},
            {"id": "wait", "kind": "tool", "config": {"tool": "sleep", "args": {"duration": "1500ms"}}},
            {"id": "after", "kind": "tool", "config": {"tool": "text_template", "args": {"template": "{{ inputs.in }} done"}}}
        ],
        "edges": [{"from": "first.text", "to": "wait.in"}, {"from": "wait.out", "to": "after.in"}]
    });
    std::fs::write(&file, document.to_string()).expect("written");
    let mut child = floe()
        .arg("run")
        .arg(&file)
        .args(["--json", "--db"])
        .arg(&db)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("floe starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines().map_while(Result::ok);
    let mut run = String::new();
    for line in lines.by_ref() {
        let event: Value = serde_json::from_str(&line).expect("JSON line");
        run = event["run"].as_str().unwrap_or_default().to_owned();
        if event["type"] == "node_started" && event["node"] == "wait" {
            break;
        }
    }
    let started = std::time::Instant::now();
    let cancel = floe().args(["cancel", &run, "--db"]).arg(&db).output().expect("cancel");
    assert_eq!(cancel.status.code(), Some(0), "{}", String::from_utf8_lossy(&cancel.stderr));
    let rest: Vec<Value> = lines.filter_map(|l| serde_json::from_str(&l).ok()).collect();
    let output = child.wait_with_output().expect("exits");
    assert_eq!(output.status.code(), Some(4), "cancelled runs exit with 4");
    assert!(started.elapsed() < std::time::Duration::from_millis(1400), "the sleep was cut short");
    assert_eq!(rest.last().map(|e| e["status"].clone()), Some(json!("cancelled")));
    assert!(String::from_utf8_lossy(&output.stderr).contains(&format!("floe resume {run}")));

    let resumed = floe().args(["resume", &run, "--db"]).arg(&db).output().expect("resume");
    assert_eq!(resumed.status.code(), Some(0), "{}", String::from_utf8_lossy(&resumed.stderr));
    let outputs: Value = serde_json::from_slice(&resumed.stdout).expect("outputs");
    assert_eq!(outputs["done"], json!("one done"));
    let events = floe().args(["runs", "events", &run, "--db"]).arg(&db).output().expect("events");
    let firsts = String::from_utf8_lossy(&events.stdout)
        .lines()
        .filter(|l| l.contains("\"node_started\"") && l.contains("\"node\":\"first\""))
        .count();
    assert_eq!(firsts, 1, "`first` finished before the cancel and did not run again");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Starts `floe ARGS --json --db DB` calling models at the fake Anthropic server.
fn spawn_with_model(
    args: &[&str],
    db: &Path,
    model: &floe_fakes::FakeServer,
) -> (std::process::Child, BufReader<std::process::ChildStdout>) {
    let mut child = floe()
        .args(args)
        .args(["--json", "--db"])
        .arg(db)
        .env("FLOE_ANTHROPIC_BASE_URL", model.base_url())
        .env("ANTHROPIC_API_KEY", "sk-test")
        .env("FLOE_SETTINGS", db.with_file_name("settings.json"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("floe starts");
    let stdout = child.stdout.take().expect("stdout");
    (child, BufReader::new(stdout))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_tool_call_of_an_agent_has_its_own_idempotency_key_and_keeps_it_across_a_kill_and_resume() {
    use floe_fakes::{Fault, Reply, Vendor};
    let receiver = MockServer::start().await;
    Mock::given(method("POST")).and(path("/orders")).respond_with(ResponseTemplate::new(201)).mount(&receiver).await;
    let model = floe_fakes::FakeServer::start(Vendor::Anthropic).await.expect("fake");
    let url = format!("{}/orders", receiver.uri());
    let posts = Reply::ToolCalls(vec![
        ("http_request".into(), json!({"url": url, "method": "POST", "body": {"item": "tea"}}).to_string()),
        ("http_request".into(), json!({"url": url, "method": "POST", "body": {"item": "milk"}}).to_string()),
    ]);
    // The first attempt hangs in its second turn and is killed there; the resumed one makes the
    // same two calls and answers.
    model.push([
        posts.clone(),
        Reply::Fault(Fault::SlowFirstByte(std::time::Duration::from_secs(120))),
        posts,
        Reply::text("ordered"),
    ]);
    let dir = scratch("agent-keys");
    let file = dir.join("orders.json");
    let document = json!({
        "format": "floe.blueprint", "version": 1, "id": "orders", "name": "Orders",
        "outputs": {"answer": {"from": "agent.text"}},
        "nodes": [{"id": "agent", "kind": "agent", "config": {
            "model": "anthropic:claude-sonnet-4-5", "prompt": "Order tea and milk.", "tools": ["http_request"], "max_turns": 3}}]
    });
    std::fs::write(&file, document.to_string()).expect("written");
    let db = dir.join("runs.db");

    let (mut child, mut stdout) = spawn_with_model(&["run", &file.to_string_lossy()], &db, &model);
    let mut run = String::new();
    let mut line = String::new();
    while stdout.read_line(&mut line).is_ok_and(|n| n > 0) {
        let event: Value = serde_json::from_str(&line).expect("JSON line");
        run = event["run"].as_str().unwrap_or_default().to_owned();
        if event["type"] == "agent_tool_result" && receiver.received_requests().await.is_some_and(|r| r.len() == 2) {
            break;
        }
        line.clear();
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    let keys = |requests: &[wiremock::Request]| -> Vec<String> {
        requests
            .iter()
            .map(|r| r.headers.get("idempotency-key").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned())
            .collect()
    };
    let first = keys(&receiver.received_requests().await.unwrap_or_default());
    assert_eq!(first.len(), 2);
    assert_ne!(first[0], first[1], "two different POSTs of one agent carry different keys: {first:?}");
    assert!(first.iter().all(|k| k.starts_with(&format!("{run}/agent/tool/1."))), "{first:?}");

    // Its events are read to the end: a pipe closed under it could fail its writes.
    let (mut resumed, mut events) = spawn_with_model(&["resume", &run], &db, &model);
    let mut said = String::new();
    events.read_to_string(&mut said).expect("the resume's events");
    assert_eq!(resumed.wait().expect("resumed").code(), Some(0), "{said}");
    let all = keys(&receiver.received_requests().await.unwrap_or_default());
    assert_eq!(all.len(), 4, "the resumed agent made its calls again: {all:?}");
    let mut again = all[2..].to_vec();
    again.sort();
    let mut before = first.clone();
    before.sort();
    assert_eq!(again, before, "and sent the same keys, so the receiver can drop the repeats");
}

/// Memory writes are effects journaled with the run: a run whose nodes write memories, killed
/// with SIGKILL at several points and resumed each time, ends with every memory written once:
/// one per writing node, none superseded by its own rewrite, none repeated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_written_by_a_killed_and_resumed_run_is_written_once() {
    const WRITERS: usize = 60;
    let dir = scratch("memory-kill");
    let file = dir.join("remember.json");
    // Six chains: a memory write, then a short sleep, in turn, so kills land between writes.
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    for i in 0..WRITERS {
        nodes.push(json!({"id": format!("w{i}"), "kind": "tool", "config": {"tool": "memory_remember", "args": {
            "namespace": "kill", "entity": format!("item{i}"), "attribute": "seen",
            "text": format!("item {i} was seen after {{{{ inputs.in | default('the start') }}}}")}}}));
        nodes.push(
            json!({"id": format!("s{i}"), "kind": "tool", "config": {"tool": "sleep", "args": {"duration": "20ms"}}}),
        );
        edges.push(json!({"from": format!("w{i}.outcome"), "to": format!("s{i}.in")}));
        if i % 10 != 0 {
            edges.push(json!({"from": format!("s{}.out", i - 1), "to": format!("w{i}.in")}));
        }
    }
    let document = json!({"format": "floe.blueprint", "version": 1, "id": "remember", "name": "Remember",
        "nodes": nodes, "edges": edges});
    std::fs::write(&file, document.to_string()).expect("blueprint written");
    let db = dir.join("runs.db");
    let run = run_and_kill(&["run", &file.to_string_lossy()], &db, 40);
    let store = Store::open(&db).await.expect("store");
    let mut written = Vec::new();
    for kill_after in [15, 25, 35] {
        written.push(store.list_memories("kill", 1000, 0).await.map(|m| m.len()).unwrap_or(0));
        run_and_kill(&["resume", &run], &db, kill_after);
    }
    if store.run(&run).await.expect("record").summary.status != RunStatus::Succeeded {
        let finished = floe().args(["resume", &run, "--json", "--db"]).arg(&db).output().expect("resume");
        assert_eq!(finished.status.code(), Some(0), "{}", String::from_utf8_lossy(&finished.stderr));
    }
    assert!(written[0] > 0 && written[0] < WRITERS, "the first kill landed mid-run: {written:?}");
    let active = store.list_memories("kill", 1000, 0).await.expect("memories");
    assert_eq!(active.len(), WRITERS, "one memory per writing node");
    let mut entities: Vec<String> = active.iter().filter_map(|m| m.subject.clone()).collect();
    entities.sort();
    entities.dedup();
    assert_eq!(entities.len(), WRITERS);
    for memory in &active {
        assert_eq!(memory.provenance.run.as_deref(), Some(run.as_str()));
        // Its history is itself: a re-executed node did not write a second version.
        let history = store.memory_history(memory.id).await.expect("history");
        assert_eq!(history.len(), 1, "{history:#?}");
    }
    let namespaces = store.memory_namespaces().await.expect("namespaces");
    assert_eq!(namespaces[0].memories, WRITERS as u64);
    let _ = std::fs::remove_dir_all(&dir);
}
