//! Every example in `blueprints/` that needs no model runs here, against loopback servers and the
//! fixture files beside it, journaled in a real SQLite store. Its outputs and its event trace
//! are snapshot-tested (run ids, times, durations and the server address left out; events grouped
//! per node). One node runs at a time (`concurrency` 1).

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use floe_engine::events::{Event, Recorder, RunEvent, RunStatus};
use floe_engine::run::approvals::Decision;
use floe_engine::runs::{FileRun, run_file};
use floe_engine::store::Store;
use serde_json::{Map, Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn scratch(name: &str) -> PathBuf {
    support::scratch("examples", name)
}

/// A workspace holding copies of the examples' fixture folders.
fn workspace(name: &str) -> PathBuf {
    let dir = scratch(name);
    for folder in ["data", "logs"] {
        let from = repo().join("blueprints").join(folder);
        std::fs::create_dir_all(dir.join(folder)).expect("fixture folder");
        for entry in std::fs::read_dir(&from).expect("fixtures").flatten() {
            std::fs::copy(entry.path(), dir.join(folder).join(entry.file_name())).expect("fixture copied");
        }
    }
    dir
}

/// The kinds used anywhere in a blueprint (bodies included).
fn kinds(document: &Value) -> BTreeSet<String> {
    let mut kinds = BTreeSet::new();
    let mut pending: Vec<&Value> = document["nodes"].as_array().map(|n| n.iter().collect()).unwrap_or_default();
    while let Some(node) = pending.pop() {
        kinds.insert(node["kind"].as_str().unwrap_or_default().to_owned());
        if let Some(body) = node["body"]["nodes"].as_array() {
            pending.extend(body);
        }
        if node["kind"] == "workflow" {
            kinds.insert("llm".into()); // conservatively: sub-workflows are checked where they are run
        }
    }
    kinds
}

/// The trace without what differs between runs: ids, times, durations, hashes and keys, the loopback
/// server's address. Events are grouped per node (each node's own events keep their order);
/// the interleaving of independent nodes is left out, as it depends on timing.
fn trace(events: &[Event], server: Option<&str>) -> Value {
    let mut run = Vec::new();
    let mut nodes: std::collections::BTreeMap<String, Vec<Value>> = std::collections::BTreeMap::new();
    for event in events {
        let mut value = serde_json::to_value(event).expect("event JSON");
        let Some(object) = value.as_object_mut() else { continue };
        for key in ["run", "at", "duration_ms", "hash", "seq", "node", "key"] {
            object.remove(key);
        }
        if let Some(Value::Object(outputs)) = object.get_mut("outputs")
            && let Some(Value::Object(headers)) = outputs.get_mut("headers")
        {
            headers.remove("date");
        }
        match event.kind.node() {
            Some(node) => nodes.entry(node.to_owned()).or_default().push(value),
            None => run.push(value),
        }
    }
    let text = json!({"run": run, "nodes": nodes}).to_string();
    let text = match server {
        Some(uri) => text.replace(uri, "http://loopback"),
        None => text,
    };
    serde_json::from_str(&text).expect("JSON")
}

/// Every event conforms to the committed `schemas/event.schema.json` (what the UI is typed from).
fn assert_events_match_schema(events: &[Event]) {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(repo().join("schemas/event.schema.json")).expect("event schema"))
            .expect("schema JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    for event in events {
        let value = serde_json::to_value(event).expect("event JSON");
        assert!(validator.is_valid(&value), "{value} does not match schemas/event.schema.json");
    }
}

async fn run_example(file: &str, workspace: &Path, inputs: Value) -> (floe_engine::run::RunReport, Vec<Event>, Store) {
    let store = Store::open(&workspace.join("runs.db")).await.expect("store");
    let recorder = Recorder::new();
    let mut request = FileRun::new(repo().join("blueprints").join(file));
    request.inputs = inputs.as_object().cloned().unwrap_or_default();
    request.workspace = Some(workspace.to_owned());
    request.concurrency = Some(1);
    // Sign off any approval as soon as the run announces that it waits.
    request.sink = Arc::new(floe_engine::events::Fanout::new(vec![
        Arc::new(recorder.clone()),
        Arc::new(Reviewer(store.clone(), tokio::runtime::Handle::current())),
    ]));
    let report = run_file(&store, request).await.expect("example runs");
    assert_events_match_schema(&recorder.events());
    (report, recorder.events(), store)
}

/// Approves, as it is, every approval the run announces (`node_waiting`), through the store.
struct Reviewer(Store, tokio::runtime::Handle);

impl floe_engine::events::EventSink for Reviewer {
    fn emit(&self, events: &[Event]) {
        for event in events {
            if let RunEvent::NodeWaiting { node, .. } = &event.kind {
                let (store, run, node) = (self.0.clone(), event.run.to_string(), node.to_string());
                self.1.spawn(async move {
                    let pending = store.pending_approvals(Some(&run)).await.unwrap_or_default();
                    let value = pending.iter().find(|p| p.node == node).map(|p| p.value.clone()).unwrap_or_default();
                    let decision = Decision::Approved { value, comment: Some("looks right".into()) };
                    store.decide(&run, &node, &decision).await.expect("decision recorded");
                });
            }
        }
    }
}

#[test]
fn every_offline_example_is_covered_here() {
    let mut offline: Vec<String> = std::fs::read_dir(repo().join("blueprints"))
        .expect("examples")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .filter(|p| {
            let document: Value =
                serde_json::from_str(&std::fs::read_to_string(p).unwrap_or_default()).unwrap_or_default();
            let kinds = kinds(&document);
            !kinds.contains("llm") && !kinds.contains("agent")
        })
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    offline.sort();
    assert_eq!(offline, ["log-triage.json", "order-alerts.json", "uptime-report.json"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_triage() {
    let dir = workspace("log-triage");
    let (report, events, _) = run_example("log-triage.json", &dir, json!({})).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.error);
    let csv = std::fs::read_to_string(dir.join("out/error-codes.csv")).expect("CSV written");
    assert_eq!(csv, "code,count\nDB-500,3\nAUTH-401,2\nPAY-402,1\n");
    insta::assert_json_snapshot!("log_triage_outputs", report.outputs);
    insta::assert_json_snapshot!("log_triage_trace", trace(&events, None));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn order_alerts() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/alerts"))
        .respond_with(ResponseTemplate::new(202).set_body_json(json!({"queued": true})))
        .mount(&server)
        .await;
    let dir = workspace("order-alerts");
    let inputs = json!({"alert_url": format!("{}/alerts", server.uri())});
    let (report, events, _) = run_example("order-alerts.json", &dir, inputs).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.error);
    let posted = server.received_requests().await.unwrap_or_default();
    assert_eq!(posted.len(), 1);
    let body: Value = serde_json::from_slice(&posted[0].body).expect("JSON body");
    assert_eq!(body["text"], json!("1 large order(s)"));
    assert_eq!(body["orders"][0]["order"], json!("5523"));
    let totals = std::fs::read_to_string(dir.join("out/totals.csv")).expect("totals written");
    assert_eq!(totals, "customer,total\nacme,2535.5\nglobex,1070\ninitech,35.25\n");
    insta::assert_json_snapshot!("order_alerts_outputs", report.outputs);
    insta::assert_json_snapshot!("order_alerts_trace", trace(&events, Some(&server.uri())));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uptime_report() {
    let server = MockServer::start().await;
    for (route, status, body) in [
        ("/health", 200, json!({"ok": true})),
        ("/down", 503, json!({"ok": false})),
        ("/status/a", 200, json!({"mirror": "a", "healthy": true})),
        ("/status/b", 200, json!({"mirror": "b", "healthy": true})),
    ] {
        Mock::given(method("GET"))
            .and(path(route))
            .respond_with(ResponseTemplate::new(status).set_body_json(body))
            .mount(&server)
            .await;
    }
    let dir = workspace("uptime-report");
    let uri = server.uri();
    let inputs = json!({
        "urls": [format!("{uri}/health"), format!("{uri}/down"), format!("{uri}/health")],
        "mirror_a": format!("{uri}/status/a"),
        "mirror_b": format!("{uri}/status/b"),
    });
    let (report, events, store) = run_example("uptime-report.json", &dir, inputs).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.error);
    let written: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("out/uptime.json")).expect("report"))
        .expect("JSON report");
    assert_eq!(written, json!({"up": 2, "down": 1, "mirrors": ["a", "b"]}));
    assert!(events.iter().any(|e| matches!(e.kind, RunEvent::NodeWaiting { .. })));
    assert!(store.pending_approvals(None).await.expect("approvals").is_empty());
    let mut outputs: Map<String, Value> = report.outputs.clone();
    outputs.insert("report".into(), json!("out/uptime.json"));
    insta::assert_json_snapshot!("uptime_report_outputs", outputs);
    insta::assert_json_snapshot!("uptime_report_trace", trace(&events, Some(&uri)));
    let _ = std::fs::remove_dir_all(&dir);
}
