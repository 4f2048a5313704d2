//! The run store on a real SQLite file: what a run leaves behind (run row, event log, node
//! attempts with their values, blobs for large values) and sub-workflow runs linked to parents.

mod support;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use floe_engine::events::{Recorder, RunEvent, RunStatus};
use floe_engine::runs::{FileRun, run_file};
use floe_engine::store::{SPILL_BYTES, Store};
use serde_json::{Value, json};

fn scratch(name: &str) -> PathBuf {
    support::scratch("store", name)
}

fn write(dir: &Path, name: &str, document: Value) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(&document).expect("JSON")).expect("written");
    path
}

fn doc(id: &str, body: Value) -> Value {
    let mut document = json!({"format": "floe.blueprint", "version": 1, "id": id, "name": id});
    if let (Some(d), Some(b)) = (document.as_object_mut(), body.as_object()) {
        d.extend(b.clone());
    }
    document
}

#[tokio::test]
async fn a_run_leaves_its_row_events_and_node_attempts_with_values() {
    let dir = scratch("rows");
    let store = Store::open(&dir.join("runs.db")).await.expect("store");
    let file = write(
        &dir,
        "two.json",
        doc(
            "two",
            json!({
                "inputs": {"who": {"type": "string", "default": "Ada"}},
                "outputs": {"text": {"from": "b.text"}},
                "nodes": [
                    {"id": "a", "kind": "tool", "config": {"tool": "text_template", "args": {"template": "hi {{ run.who }}"}}},
                    {"id": "b", "kind": "tool", "config": {"tool": "text_template", "args": {"template": "{{ inputs.in }}!"}}}
                ],
                "edges": [{"from": "a.text", "to": "b.in"}]
            }),
        ),
    );
    let recorder = Recorder::new();
    let mut request = FileRun::new(&file);
    request.sink = Arc::new(recorder.clone());
    let report = run_file(&store, request).await.expect("runs");
    assert_eq!(report.outputs["text"], json!("hi Ada!"));

    let record = store.run(&report.run_id).await.expect("record");
    assert_eq!(record.summary.status, RunStatus::Succeeded);
    assert_eq!((record.summary.nodes_succeeded, record.summary.nodes_failed), (2, 0));
    assert_eq!(record.inputs["who"], json!("Ada"));
    assert_eq!(record.outputs.as_ref().map(|o| o["text"].clone()), Some(json!("hi Ada!")));
    assert_eq!(record.blueprint_json, std::fs::read_to_string(&file).expect("file"), "the exact document is kept");
    let attempts: Vec<(String, u32, String)> =
        record.nodes.iter().map(|n| (n.node.clone(), n.attempt, n.status.clone())).collect();
    assert_eq!(attempts, [("a".into(), 1, "succeeded".into()), ("b".into(), 1, "succeeded".into())]);
    // What was announced is exactly what was journaled.
    assert_eq!(store.events(&report.run_id).await.expect("events"), recorder.events());
    let values = store.node_values(&report.run_id, "b").await.expect("values");
    assert_eq!(values, Some((json!({"in": "hi Ada"}), json!({"text": "hi Ada!"}))));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn large_values_live_in_blob_files_and_read_back_whole() {
    let dir = scratch("blobs");
    let store = Store::open(&dir.join("runs.db")).await.expect("store");
    let size = || {
        std::fs::metadata(dir.join("runs.db")).map(|m| m.len()).unwrap_or(0)
            + std::fs::metadata(dir.join("runs.db-wal")).map(|m| m.len()).unwrap_or(0)
    };
    // An empty store's tables and indexes (and the WAL its migrations wrote).
    let empty = size();
    let big = "x".repeat(SPILL_BYTES * 8);
    std::fs::write(dir.join("big.txt"), &big).expect("big file");
    let file = write(
        &dir,
        "big.json",
        doc(
            "big",
            json!({
                "outputs": {"text": {"from": "read.text"}},
                "nodes": [{"id": "read", "kind": "tool", "config": {"tool": "read_file", "args": {"path": "big.txt"}}}]
            }),
        ),
    );
    let report = run_file(&store, FileRun::new(&file)).await.expect("runs");
    assert_eq!(report.status, RunStatus::Succeeded);
    let blobs: Vec<_> = std::fs::read_dir(dir.join("runs.db.blobs")).expect("blob folder").collect();
    assert_eq!(blobs.len(), 1, "one blob, shared by the node output and the run output");
    let grown = size().saturating_sub(empty);
    // Inline, the value would be stored twice (node output and run output): over 1 MiB.
    assert!(grown < big.len() as u64 / 2, "the database grows little: {grown} bytes over the empty store's {empty}");
    let events = store.events(&report.run_id).await.expect("events");
    let read_back = events.iter().find_map(|e| match &e.kind {
        RunEvent::NodeSucceeded { outputs, .. } => outputs["text"].as_str().map(str::len),
        _ => None,
    });
    assert_eq!(read_back, Some(big.len()));
    assert_eq!(store.run(&report.run_id).await.expect("record").outputs.map(|o| o["text"] == json!(big)), Some(true));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_sub_workflow_runs_as_a_linked_child_run() {
    let dir = scratch("child");
    let store = Store::open(&dir.join("runs.db")).await.expect("store");
    write(
        &dir,
        "shout.json",
        doc(
            "shout",
            json!({
                "inputs": {"text": {"type": "string"}, "mark": {"type": "string", "default": "!"}},
                "outputs": {"loud": {"from": "up.text"}},
                "nodes": [{"id": "up", "kind": "tool", "config": {"tool": "text_template", "args": {"template": "{{ run.text | upper }}{{ run.mark }}"}}}]
            }),
        ),
    );
    let parent = write(
        &dir,
        "parent.json",
        doc(
            "parent",
            json!({
                "outputs": {"result": {"from": "child.loud"}},
                "nodes": [
                    {"id": "word", "kind": "tool", "config": {"tool": "text_template", "args": {"template": "hey"}}},
                    {"id": "child", "kind": "workflow", "config": {"blueprint": "shout.json", "inputs": {"mark": "?!"}}}
                ],
                "edges": [{"from": "word.text", "to": "child.text"}]
            }),
        ),
    );
    let report = run_file(&store, FileRun::new(&parent)).await.expect("runs");
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.error);
    assert_eq!(report.outputs["result"], json!("HEY?!"));
    let child = store.run(&floe_engine::run::child_run_id(&report.run_id, "child")).await.expect("child run");
    assert_eq!(child.summary.status, RunStatus::Succeeded);
    assert_eq!(child.summary.blueprint, "shout");
    assert_eq!(child.inputs, json!({"text": "hey", "mark": "?!"}).as_object().cloned().unwrap_or_default());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn run_from_here_reuses_matching_upstream_results_and_reruns_the_rest() {
    use wiremock::matchers::method;
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"n": 1})))
        .mount(&server)
        .await;
    let dir = scratch("reuse");
    let store = Store::open(&dir.join("runs.db")).await.expect("store");
    let file = write(
        &dir,
        "pipeline.json",
        doc(
            "pipeline",
            json!({
                "inputs": {"url": {"type": "string"}, "suffix": {"type": "string", "default": "!"}},
                "outputs": {"text": {"from": "shout.text"}},
                "nodes": [
                    {"id": "post", "kind": "tool", "config": {"tool": "http_request", "args": {"url": "{{ run.url }}", "method": "POST"}}},
                    {"id": "shape", "kind": "tool", "config": {"tool": "text_template", "args": {"template": "n={{ inputs.in.n }}"}}},
                    {"id": "shout", "kind": "tool", "config": {"tool": "text_template", "args": {"template": "{{ inputs.in | upper }}{{ run.suffix }}"}}}
                ],
                "edges": [{"from": "post.body", "to": "shape.in"}, {"from": "shape.text", "to": "shout.in"}]
            }),
        ),
    );
    let run = |reuse: Option<String>, from: Option<&str>, suffix: &str| {
        let mut request = FileRun::new(&file);
        request.inputs = json!({"url": server.uri(), "suffix": suffix}).as_object().cloned().unwrap_or_default();
        request.reuse = reuse;
        request.from = from.map(str::to_owned);
        let recorder = Recorder::new();
        request.sink = Arc::new(recorder.clone());
        let store = store.clone();
        async move { (run_file(&store, request).await.expect("runs"), recorder.events()) }
    };
    let cached = |events: &[floe_engine::events::Event]| -> Vec<String> {
        events
            .iter()
            .filter_map(|e| match &e.kind {
                RunEvent::NodeCached { node, .. } => Some(node.to_string()),
                _ => None,
            })
            .collect()
    };
    let (first, _) = run(None, None, "!").await;
    assert_eq!(first.outputs["text"], json!("N=1!"));

    // From `shout`: the POST and `shape` are reused (no second request); `shout` runs again.
    let (second, events) = run(Some(first.run_id.clone()), Some("shout"), "?").await;
    assert_eq!(second.outputs["text"], json!("N=1?"));
    assert_eq!(cached(&events), ["post", "shape"]);
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(1), "the effect was not sent again");

    // From `shape` (latest run by default): only the POST is reused.
    let (_, events) = run(None, Some("shape"), "?").await;
    assert_eq!(cached(&events), ["post"]);

    // A changed input changes the keys of what reads it: `shout` is not reused under --reuse.
    let (_, events) = run(Some(second.run_id.clone()), None, "!!").await;
    assert_eq!(cached(&events), ["post", "shape"]);

    let wrong = run_file(&store, {
        let mut request = FileRun::new(&file);
        request.inputs = json!({"url": server.uri()}).as_object().cloned().unwrap_or_default();
        request.from = Some("nope".into());
        request
    })
    .await
    .err()
    .map(|e| e.to_string());
    assert!(wrong.is_some_and(|m| m.contains("`nope` is not a top-level node") && m.contains("shape")));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn result_keys_follow_exactly_what_a_node_reads_of_the_run_and_of_its_sub_workflow() {
    let dir = scratch("keys");
    let store = Store::open(&dir.join("runs.db")).await.expect("store");
    let child = |text: &str| {
        doc(
            "child",
            json!({
                "outputs": {"text": {"from": "say.text"}},
                "nodes": [{"id": "say", "kind": "tool", "config": {"tool": "text_template", "args": {"template": text}}}]
            }),
        )
    };
    write(&dir, "child.json", child("one"));
    let file = write(
        &dir,
        "keys.json",
        doc(
            "keys",
            json!({
                "inputs": {"a": {"type": "string"}, "b": {"type": "string"}},
                "nodes": [
                    {"id": "only_a", "kind": "tool", "config": {"tool": "text_template", "args": {"template": "{{ run.a }}"}}},
                    {"id": "looped", "kind": "tool", "config": {"tool": "text_template", "args": {"template": "{% for k in run %}{{ k }}{% endfor %}"}}},
                    {"id": "items", "kind": "tool", "config": {"tool": "text_template", "args": {"template": "{% for k, v in run.items() %}{{ v }}{% endfor %}"}}},
                    {"id": "sub", "kind": "workflow", "config": {"blueprint": "child.json"}}
                ]
            }),
        ),
    );
    let run = |reuse: Option<String>, b: &str| {
        let mut request = FileRun::new(&file);
        request.inputs = json!({"a": "x", "b": b}).as_object().cloned().unwrap_or_default();
        request.reuse = reuse;
        let recorder = Recorder::new();
        request.sink = Arc::new(recorder.clone());
        let store = store.clone();
        async move { (run_file(&store, request).await.expect("runs"), recorder.events()) }
    };
    let cached = |events: &[floe_engine::events::Event]| -> Vec<String> {
        let mut nodes: Vec<String> = events
            .iter()
            .filter_map(|e| match &e.kind {
                RunEvent::NodeCached { node, .. } => Some(node.to_string()),
                _ => None,
            })
            .collect();
        nodes.sort();
        nodes
    };
    let (first, _) = run(None, "1").await;
    assert_eq!(first.status, RunStatus::Succeeded, "{:?}", first.error);
    let (_, events) = run(Some(first.run_id.clone()), "1").await;
    assert_eq!(cached(&events), ["items", "looped", "only_a", "sub"], "the same work is reused");
    // `b` changed: what reads all of `run` (a loop over it, `run.items()`) runs again.
    let (second, events) = run(Some(first.run_id.clone()), "2").await;
    assert_eq!(cached(&events), ["only_a", "sub"]);
    // The sub-workflow changed: its node's key changed with its plan hash.
    write(&dir, "child.json", child("two"));
    let (_, events) = run(Some(second.run_id.clone()), "2").await;
    assert_eq!(cached(&events), ["items", "looped", "only_a"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn runs_journaled_before_event_segments_read_back_after_the_upgrade() {
    // A store at schema 4 (one row per event, one per node attempt), written as that version did.
    let dir = scratch("upgrade");
    let path = dir.join("runs.db");
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let pool = sqlx::SqlitePool::connect(&url).await.expect("pool");
    let migrations = floe_fakes::repository().join("crates/floe-engine/migrations");
    let migrator = sqlx::migrate::Migrator::new(migrations.as_path()).await.expect("migrations");
    migrator.run_to(4, &pool).await.expect("schema 4");
    sqlx::query(
        "INSERT INTO runs (id, blueprint_id, blueprint_name, blueprint_json, hash, inputs, status, workspace, \
         started_at, finished_at, last_seq, nodes_succeeded, nodes_failed) \
         VALUES ('old', 'two', 'two', '{\"name\": \"two\"}', 'h', '{}', 'failed', '/tmp', 1000, 1004, 5, 1, 1)",
    )
    .execute(&pool)
    .await
    .expect("run row");
    let events = [
        json!({"run": "old", "seq": 1, "at": 1000, "type": "run_started", "blueprint": "two", "hash": "h", "nodes": 2,
               "inputs": {}}),
        json!({"run": "old", "seq": 2, "at": 1001, "type": "node_started", "node": "a", "attempt": 1, "inputs": {}}),
        json!({"run": "old", "seq": 3, "at": 1002, "type": "node_succeeded", "node": "a", "attempt": 1,
               "outputs": {"text": "hi"}, "duration_ms": 1, "key": "blake3:00"}),
        json!({"run": "old", "seq": 4, "at": 1003, "type": "node_started", "node": "b", "attempt": 1,
               "inputs": {"in": "hi"}}),
        json!({"run": "old", "seq": 5, "at": 1004, "type": "node_failed", "node": "b", "attempt": 1,
               "error": {"class": "tool", "message": "no"}}),
    ];
    for event in &events {
        sqlx::query("INSERT INTO events (run_id, seq, at, type, node, data) VALUES ('old', ?, ?, ?, ?, ?)")
            .bind(event["seq"].as_i64())
            .bind(event["at"].as_i64())
            .bind(event["type"].as_str())
            .bind(event["node"].as_str())
            .bind(event.to_string())
            .execute(&pool)
            .await
            .expect("event row");
    }
    pool.close().await;

    let store = Store::open(&path).await.expect("the store upgrades");
    let read = store.events("old").await.expect("events");
    let seqs: Vec<u64> = read.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [1, 2, 3, 4, 5]);
    assert!(matches!(&read[4].kind, RunEvent::NodeFailed { error, .. } if error.message == "no"));
    let record = store.run("old").await.expect("record");
    assert_eq!(record.blueprint_json, r#"{"name": "two"}"#, "the document moved out of the runs row");
    let attempts: Vec<(String, String, Option<String>)> =
        record.nodes.iter().map(|n| (n.node.clone(), n.status.clone(), n.error.clone())).collect();
    assert_eq!(attempts, [("a".into(), "succeeded".into(), None), ("b".into(), "failed".into(), Some("no".into()))]);
    assert_eq!(store.node_values("old", "b").await.expect("values"), Some((json!({"in": "hi"}), Value::Null)));
    let reusable = store.reusable("old").await.expect("reusable");
    assert_eq!(
        reusable.get("a").map(|(key, outputs)| (key.as_str(), outputs["text"].clone())),
        Some(("blake3:00", json!("hi")))
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A store opened at `path` holding the row of a run `id` (of an empty blueprint) to journal into.
async fn store_with_run(path: &Path, id: &str) -> Store {
    let store = Store::open(path).await.expect("store");
    let run = floe_engine::store::NewRun {
        id: id.into(),
        blueprint_id: "b".into(),
        blueprint_name: "b".into(),
        blueprint_path: None,
        blueprint_json: "{}".into(),
        hash: "h".into(),
        inputs: Default::default(),
        workspace: path.parent().unwrap_or(path).to_owned(),
        parent: None,
        started_at: 0,
    };
    store.create_run(&run).await.expect("run row");
    store
}

/// What one segment of [`journal_big`] stores, about: 500 events of 1,200 random letters and
/// digits, which the journal's compression leaves at ~0.75 of their size.
const BATCH_BYTES: u64 = 480_000;

/// A store at `dir` with a run `big` whose journal gets `batches` segments of ~[`BATCH_BYTES`]
/// stored, back to back as a busy writer hands them over; returns the store, the database file's
/// growth and the largest the WAL was after a segment.
async fn journal_big(dir: &Path, batches: u64) -> (Store, u64, u64) {
    use floe_engine::events::Event;
    use floe_engine::run::{Journal, Segment};

    let path = dir.join("runs.db");
    let wal = dir.join("runs.db-wal");
    let store = store_with_run(&path, "big").await;
    let before = std::fs::metadata(&path).expect("database file").len();
    let journal = store.journal("big");
    // Letters and digits at random, so that compression leaves most of them (`BATCH_BYTES`).
    let mut rng = fastrand::Rng::with_seed(7);
    let mut largest_wal = 0;
    for batch in 0..batches {
        let events: Vec<Event> = (1..=500u64)
            .map(|i| Event {
                run: "big".into(),
                seq: batch * 500 + i,
                at: 0,
                kind: RunEvent::NodeProgress {
                    node: "a".into(),
                    message: (0..1200).map(|_| rng.alphanumeric()).collect(),
                    fraction: None,
                },
            })
            .collect();
        let mut segment = Segment::default();
        segment.push(&events).expect("serialises");
        journal.append(&segment).await.expect("journaled");
        largest_wal = largest_wal.max(std::fs::metadata(&wal).map_or(0, |m| m.len()));
    }
    let grown = std::fs::metadata(&path).expect("database file").len() - before;
    (store, grown, largest_wal)
}

#[tokio::test]
async fn segments_are_stored_compressed_and_rows_of_every_codec_read_back() {
    use floe_engine::events::Event;
    use floe_engine::run::{Journal, Segment};
    use sqlx::Row;

    let dir = scratch("codec");
    let path = dir.join("runs.db");
    let store = store_with_run(&path, "r").await;
    // What a chain of fast nodes journals: a start and a result per node.
    let events: Vec<Event> = (0..2_000u64)
        .map(|i| {
            let node: Arc<str> = format!("n{}", i / 2).into();
            let kind = if i % 2 == 0 {
                RunEvent::NodeStarted {
                    node,
                    attempt: 1,
                    inputs: Arc::new(json!({"in": i}).as_object().cloned().unwrap_or_default()),
                }
            } else {
                RunEvent::NodeSucceeded {
                    node,
                    attempt: 1,
                    outputs: Arc::new(json!({"text": i.to_string()}).as_object().cloned().unwrap_or_default()),
                    duration_ms: 0,
                    key: None,
                }
            };
            Event { run: "r".into(), seq: i + 1, at: 1_000 + i, kind }
        })
        .collect();
    let mut segment = Segment::default();
    segment.push(&events).expect("serialises");
    store.journal("r").append(&segment).await.expect("journaled");
    assert_eq!(store.events("r").await.expect("events"), events, "every event reads back as it was");

    let url = format!("sqlite://{}", path.display());
    let pool = sqlx::SqlitePool::connect(&url).await.expect("pool");
    let rows = sqlx::query("SELECT codec, typeof(events) AS type, length(events) AS stored FROM event_segments")
        .fetch_all(&pool)
        .await
        .expect("rows");
    let stored: Vec<(Option<String>, String, i64)> =
        rows.iter().map(|row| (row.get("codec"), row.get("type"), row.get("stored"))).collect();
    assert_eq!(stored.len(), 1);
    let (codec, kind, bytes) = &stored[0];
    assert_eq!((codec.as_deref(), kind.as_str()), (Some("zstd"), "blob"));
    assert!(*bytes * 4 < segment.lines.len() as i64, "{bytes} bytes stored for {} of lines", segment.lines.len());

    // A row written before segments were compressed (no codec) reads back as text, in order.
    let plain = "{\"seq\":2001,\"at\":5000,\"type\":\"node_queued\",\"node\":\"later\"}\n";
    sqlx::query("INSERT INTO event_segments (run_id, first_seq, last_seq, events) VALUES ('r', 2001, 2001, ?)")
        .bind(plain)
        .execute(&pool)
        .await
        .expect("plain row");
    let read = store.events("r").await.expect("events");
    assert_eq!(read.len(), 2_001);
    assert_eq!(read[2_000].kind, RunEvent::NodeQueued { node: "later".into() });
    // A codec this version does not know is a clear error, not garbage.
    sqlx::query(
        "INSERT INTO event_segments (run_id, first_seq, last_seq, events, codec) VALUES ('r', 2002, 2002, x'00', 'lz9')",
    )
    .execute(&pool)
    .await
    .expect("row of another codec");
    let error = store.events("r").await.expect_err("an unknown codec").to_string();
    assert!(error.contains("`lz9`") && error.contains("update Floe"), "{error}");
    assert!(error.contains("run r: the journal segment from event 2002"), "{error}");
    // A damaged frame is reported as damaged.
    sqlx::query("UPDATE event_segments SET codec = 'zstd' WHERE first_seq = 2002")
        .execute(&pool)
        .await
        .expect("damaged");
    let error = store.events("r").await.expect_err("a damaged frame").to_string();
    assert!(error.contains("damaged") && error.contains("does not decompress"), "{error}");
    assert!(error.contains("run r: the journal segment from event 2002"), "{error}");
    pool.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// The WAL size at which a commit checkpoints, in bytes.
fn checkpoint_bytes() -> u64 {
    u64::from(floe_engine::store::WAL_CHECKPOINT_PAGES) * 4096
}

#[tokio::test]
async fn the_wal_stays_small_as_the_journal_grows() {
    let dir = scratch("checkpoint");
    // About three checkpoints' worth of events.
    let batches = 3 * checkpoint_bytes() / BATCH_BYTES;
    let (store, grown, largest_wal) = journal_big(&dir, batches).await;
    // The database file grew because checkpoints copied the WAL into it, and the WAL started
    // over instead of growing with everything written (checkpoints run beside a busy writer
    // never let it: see `store/checkpoints.rs`).
    assert!(grown > 2 * checkpoint_bytes(), "checkpoints copied only {grown} bytes into the database file");
    // Past the bound by a few segments at most: the commit that reaches it skips its checkpoint
    // while the journal's own checkpointer holds the lock, and the next one checkpoints (16.7 MB
    // at most here; everything stored is 46 MB).
    assert!(largest_wal < checkpoint_bytes() + 8_000_000, "the WAL grew to {largest_wal} bytes");
    assert_eq!(store.events("big").await.expect("events").len() as u64, batches * 500);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_journal_has_the_wal_checkpointed_beside_its_writer() {
    let dir = scratch("checkpoint-beside");
    // Half of what makes a commit checkpoint: only the journal's own checkpointer copies any of
    // it into the database file.
    let batches = checkpoint_bytes() / 2 / BATCH_BYTES;
    let (store, _, largest_wal) = journal_big(&dir, batches).await;
    assert!(largest_wal < checkpoint_bytes(), "no commit reached its own checkpoint");
    // The checkpointer works on a task of its own: wait for it to report one (a deadline, so
    // that a journal that never asks fails here rather than hangs).
    let mut checkpoints = store.wal_checkpoints();
    let reported = tokio::time::timeout(std::time::Duration::from_secs(10), checkpoints.wait_for(|&done| done > 0));
    assert!(matches!(reported.await, Ok(Ok(_))), "no checkpoint was made beside the writer");
    let size = std::fs::metadata(dir.join("runs.db")).expect("database file").len();
    // Asked for after the first 2 MiB: at least those pages are in the database file now (it
    // was one page before).
    assert!(size > 1_000_000, "the database file is {size} bytes: the checkpoint copied too little");
    assert_eq!(store.events("big").await.expect("events").len() as u64, batches * 500);
    let _ = std::fs::remove_dir_all(&dir);
}
