//! Every example in `blueprints/` runs here, against loopback servers (HTTP, and model vendors
//! speaking their wire formats) and the fixture files beside it, journaled in a real SQLite
//! store. The outputs and event traces of the examples that need no model are snapshot-tested
//! (run ids, times, durations and the server address left out; events grouped per node); the
//! model examples assert what their scripted models lead to. One node runs at a time
//! (`concurrency` 1) unless an example is about parallelism.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use floe_engine::events::{Event, Recorder, RunEvent, RunStatus};
use floe_engine::run::approvals::Decision;
use floe_engine::runs::{FileRun, run_file};
use floe_engine::store::Store;
use floe_fakes::{FakeServer, Fault, Reply, Vendor};
use floe_llm::settings::ProviderSettings;
use floe_llm::{Llm, Prices, Secret, Settings};
use serde_json::{Map, Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn repo() -> PathBuf {
    floe_fakes::repository()
}

fn scratch(name: &str) -> PathBuf {
    support::scratch("examples", name)
}

/// A workspace holding copies of the examples' fixture folders.
fn workspace(name: &str) -> PathBuf {
    let dir = scratch(name);
    for folder in ["data", "logs", "docs", "notes"] {
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
    run_example_with(file, workspace, inputs, None).await
}

async fn run_example_with(
    file: &str,
    workspace: &Path,
    inputs: Value,
    llm: Option<Arc<Llm>>,
) -> (floe_engine::run::RunReport, Vec<Event>, Store) {
    let store = Store::open(&workspace.join("runs.db")).await.expect("store");
    let recorder = Recorder::new();
    let mut request = FileRun::new(repo().join("blueprints").join(file));
    request.llm = llm;
    // As the app and `floe run` do: the built-in tools and the store's memory tools.
    request.tools = floe_engine::tools::Toolbox::with_memory(&store);
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
                    let decision =
                        Decision::Approved { value, comment: Some("looks right".into()), scope: Default::default() };
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
    assert_eq!(offline, ["log-triage.json", "order-alerts.json", "remember-facts.json", "uptime-report.json"]);
}

/// Facts recorded with tool nodes, no model: a second run with a new plan supersedes the first
/// (kept as its history), and the note of each run is an episode.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remember_facts() {
    let dir = workspace("remember-facts");
    let (first, _, store) = run_example("remember-facts.json", &dir, json!({})).await;
    assert_eq!(first.status, RunStatus::Succeeded, "{:?}", first.error);
    assert_eq!(first.outputs["plan"], json!("added"));
    let (second, _, _) =
        run_example("remember-facts.json", &dir, json!({"plan": "team", "note": "moved to the team plan"})).await;
    assert_eq!(second.status, RunStatus::Succeeded, "{:?}", second.error);
    assert_eq!(second.outputs["plan"], json!("superseded"));
    let found: Vec<String> = second.outputs["remembered"]
        .as_array()
        .expect("results")
        .iter()
        .map(|hit| hit["memory"]["text"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(found.contains(&"ada is on the team plan".to_owned()), "{found:?}");
    assert!(!found.contains(&"ada is on the pro plan".to_owned()), "the old plan is history, not found: {found:?}");
    assert_eq!(found.len(), 3, "the plan and two notes: {found:?}");
    let plan = store
        .list_memories("customers", 10, 0)
        .await
        .expect("list")
        .into_iter()
        .find(|m| m.attribute.as_deref() == Some("plan"));
    let history = store.memory_history(plan.expect("the plan").id).await.expect("history");
    assert_eq!(history.iter().map(|m| m.value.clone()).collect::<Vec<_>>(), [json!("pro"), json!("team")]);
    let _ = std::fs::remove_dir_all(&dir);
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

/// Loopback model servers for the vendors the examples use, and a registry pointing at them.
struct Models {
    openai: FakeServer,
    anthropic: FakeServer,
    ollama: FakeServer,
}

impl Models {
    async fn start() -> Self {
        Self {
            openai: FakeServer::start(Vendor::Openai).await.expect("fake"),
            anthropic: FakeServer::start(Vendor::Anthropic).await.expect("fake"),
            ollama: FakeServer::start(Vendor::Ollama).await.expect("fake"),
        }
    }

    /// A registry whose default model (what every example calls) is `default`, served by the
    /// fake of its vendor: every example runs unchanged on whichever provider a person has.
    fn llm(&self, default: &str) -> Arc<Llm> {
        let mut settings = Settings { default_model: Some(default.to_owned()), ..Settings::default() };
        for (name, server) in [("openai", &self.openai), ("anthropic", &self.anthropic), ("ollama", &self.ollama)] {
            let provider = ProviderSettings { base_url: Some(server.base_url()), ..Default::default() };
            settings.providers.insert(name.into(), provider);
        }
        Arc::new(Llm::new(settings, Prices::builtin()).with_keys(Arc::new(|_| Some(Secret::new("sk-example")))))
    }
}

const OLLAMA: &str = "ollama:llama3.2";
const OPENAI: &str = "openai:gpt-4o-mini";
const ANTHROPIC: &str = "anthropic:claude-sonnet-4-5";

const MODEL_EXAMPLES: [&str; 12] = [
    "agent-research.json",
    "approval-gate.json",
    "chunked-summary.json",
    "classify-and-route.json",
    "critic-refine.json",
    "csv-report.json",
    "fetch-and-summarise.json",
    "map-reduce-notes.json",
    "pages-digest.json",
    "parallel-race.json",
    "summarise-text.json",
    "support-answers.json",
];

#[test]
fn every_model_example_is_covered_here() {
    let mut all: Vec<String> = std::fs::read_dir(repo().join("blueprints"))
        .expect("examples")
        .flatten()
        .filter_map(|e| e.file_name().to_str().filter(|n| n.ends_with(".json")).map(str::to_owned))
        .collect();
    all.sort();
    let offline = ["log-triage.json", "order-alerts.json", "remember-facts.json", "uptime-report.json"];
    let expected: Vec<&str> = {
        let mut both: Vec<&str> = MODEL_EXAMPLES.iter().chain(offline.iter()).copied().collect();
        both.sort_unstable();
        both
    };
    assert_eq!(all, expected, "a new example needs a test here");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn summarise_text_with_a_local_model() {
    let models = Models::start().await;
    models.ollama.set_fallback(Reply::text("- one\n- two\n- three"));
    let dir = workspace("summarise-text");
    let inputs = json!({"text": "Floe runs workflows locally."});
    let (report, events, _) = run_example_with("summarise-text.json", &dir, inputs, Some(models.llm(OLLAMA))).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.error);
    assert_eq!(report.outputs["summary"], json!("- one\n- two\n- three"));
    assert!(events.iter().any(|e| matches!(e.kind, RunEvent::NodeOutputDelta { .. })));
    let prompt = &models.ollama.requests()[0].body["messages"];
    assert!(prompt.to_string().contains("Floe runs workflows locally."), "{prompt}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetch_and_summarise() {
    let models = Models::start().await;
    models.ollama.set_fallback(Reply::text("A page about rivers."));
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/article.html"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html><body><p>Rivers flow.</p></body></html>"))
        .mount(&server)
        .await;
    let dir = workspace("fetch-and-summarise");
    let inputs = json!({"url": format!("{}/article.html", server.uri())});
    let (report, _, _) = run_example_with("fetch-and-summarise.json", &dir, inputs, Some(models.llm(OLLAMA))).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.error);
    let saved = std::fs::read_to_string(dir.join("out/summary.md")).expect("summary saved");
    assert!(saved.contains("A page about rivers."), "{saved}");
    assert!(models.ollama.requests()[0].body.to_string().contains("Rivers flow."));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chunked_summary() {
    let models = Models::start().await;
    models.ollama.set_fallback(Reply::text("Part summary."));
    let dir = workspace("chunked-summary");
    let (report, _, _) = run_example_with("chunked-summary.json", &dir, json!({}), Some(models.llm(OLLAMA))).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.error);
    let calls = models.ollama.requests().len();
    assert!(calls >= 1, "one call per chunk");
    assert_eq!(report.outputs["summary"].as_str().map(|s| s.matches("Part summary.").count()), Some(calls));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn classify_and_route_files_a_bug() {
    let models = Models::start().await;
    models.anthropic.rule("Classify this support ticket", Reply::text(r#"{"category": "bug", "urgency": "high"}"#));
    models.anthropic.rule("Answer this customer question", Reply::text("Thanks, we are on it."));
    let tracker = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/issues"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": 7})))
        .mount(&tracker)
        .await;
    let dir = workspace("classify-and-route");
    let inputs =
        json!({"ticket": "The app crashes when I export a CSV.", "tracker_url": format!("{}/issues", tracker.uri())});
    let (report, events, _) =
        run_example_with("classify-and-route.json", &dir, inputs, Some(models.llm(ANTHROPIC))).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.error);
    let filed = tracker.received_requests().await.unwrap_or_default();
    assert_eq!(filed.len(), 1, "the bug branch ran");
    let body: Value = serde_json::from_slice(&filed[0].body).expect("JSON");
    assert_eq!(body["urgency"], json!("high"));
    assert!(support::skipped(&events).contains(&"file_feature".to_owned()));
    let log = std::fs::read_to_string(dir.join("out/triage.log")).expect("logged");
    assert!(log.starts_with("bug: The app crashes"), "{log}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn critic_refine_loops_until_approved() {
    let models = Models::start().await;
    models.openai.rule("blog intro", Reply::text("Local-first software keeps data close."));
    models.openai.rule("Revise the draft", Reply::text("Local-first software keeps your data on your machine."));
    models
        .openai
        .rule(r#""content":"APPROVED"#, Reply::text("APPROVED\nLocal-first software keeps your data on your machine."));
    models.openai.rule("round 1", Reply::text("1. Too vague."));
    models.openai.rule("round 2", Reply::text("APPROVED"));
    let dir = workspace("critic-refine");
    let (report, events, _) = run_example_with("critic-refine.json", &dir, json!({}), Some(models.llm(OPENAI))).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.error);
    assert_eq!(report.outputs["post"], json!("Local-first software keeps your data on your machine."));
    assert_eq!(report.outputs["rounds"], json!(2));
    let iterations = events.iter().filter(|e| matches!(e.kind, RunEvent::LoopIteration { .. })).count();
    assert_eq!(iterations, 2);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_report() {
    let models = Models::start().await;
    models.openai.set_fallback(Reply::text("Mixers fell sharply. Toasters rose. Kettles dipped."));
    let dir = workspace("csv-report");
    let (report, _, _) = run_example_with("csv-report.json", &dir, json!({}), Some(models.llm(OPENAI))).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.error);
    let table = std::fs::read_to_string(dir.join("out/changes.csv")).expect("table written");
    assert_eq!(table, "product,change\ntoaster,52\nmixer,-42\nkettle,-25\n");
    let prompt = models.openai.requests()[0].body.to_string();
    assert!(prompt.contains("toaster") && prompt.contains("52"), "{prompt}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn map_reduce_notes() {
    let models = Models::start().await;
    models.ollama.rule("Combine these note summaries", Reply::text("# Digest"));
    models.ollama.rule("standup.md", Reply::text("Importer blocked on auth."));
    models.ollama.rule("retro.md", Reply::text("Code freeze before releases."));
    let dir = workspace("map-reduce-notes");
    let (report, _, _) = run_example_with("map-reduce-notes.json", &dir, json!({}), Some(models.llm(OLLAMA))).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.error);
    assert_eq!(report.outputs["digest"], json!("# Digest"));
    let requests = models.ollama.requests();
    let combined = requests.iter().map(|r| r.body.to_string()).find(|b| b.contains("Combine")).expect("combined");
    assert!(combined.contains("Importer blocked on auth.") && combined.contains("Code freeze before releases."));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_digest_runs_a_sub_workflow_per_page() {
    let models = Models::start().await;
    models.ollama.rule("Page A", Reply::text("About A."));
    models.ollama.rule("Page B", Reply::text("About B."));
    let server = MockServer::start().await;
    for (route, body) in [("/a.html", "Page A"), ("/b.html", "Page B")] {
        Mock::given(method("GET"))
            .and(path(route))
            .respond_with(ResponseTemplate::new(200).set_body_string(body))
            .mount(&server)
            .await;
    }
    let dir = workspace("pages-digest");
    let inputs = json!({"urls": [format!("{}/a.html", server.uri()), format!("{}/b.html", server.uri())]});
    let (report, _, _) = run_example_with("pages-digest.json", &dir, inputs, Some(models.llm(OLLAMA))).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.error);
    assert_eq!(report.outputs["summaries"], json!(["About A.", "About B."]));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_race_takes_the_first_answer() {
    let models = Models::start().await;
    models.openai.rule("two sentences", Reply::text("Brief answer."));
    // The careful branch's call answers late: the brief one wins the race.
    models.openai.rule("carefully", Reply::Fault(Fault::SlowFirstByte(std::time::Duration::from_millis(400))));
    models.openai.set_fallback(Reply::text("Careful answer."));
    let dir = workspace("parallel-race");
    let (report, _, _) = run_example_with("parallel-race.json", &dir, json!({}), Some(models.llm(OPENAI))).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.error);
    let saved = std::fs::read_to_string(dir.join("out/answer.txt")).expect("saved");
    // A template keeps its last line break: the file ends as the blueprint wrote it.
    assert_eq!(saved, "Brief answer.\n(answered by brief)\n");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approval_gate_sends_the_approved_reply() {
    let models = Models::start().await;
    models.anthropic.set_fallback(Reply::text("Your order ships tomorrow."));
    let mail = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/send"))
        .respond_with(ResponseTemplate::new(202).set_body_json(json!({"queued": true})))
        .mount(&mail)
        .await;
    let dir = workspace("approval-gate");
    let inputs =
        json!({"order_id": "A-17", "customer_email": "Where is my order?", "mail_api": format!("{}/send", mail.uri())});
    let (report, _, _) = run_example_with("approval-gate.json", &dir, inputs, Some(models.llm(ANTHROPIC))).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.error);
    assert_eq!(report.outputs["sent_status"], json!(202));
    let sent = mail.received_requests().await.unwrap_or_default();
    let body: Value = serde_json::from_slice(&sent[0].body).expect("JSON");
    assert_eq!(body["text"], json!("Your order ships tomorrow."));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The support agent answers, remembers its answer, and the next question (another customer)
/// gets that answer in its prompt; a customer's second question continues their thread.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn support_answers_from_memory_and_keeps_a_thread_per_customer() {
    let models = Models::start().await;
    let dir = workspace("support-answers");
    let refund = "Refunds for annual plans: ask within 30 days in Settings → Billing.";
    models.anthropic.push([
        Reply::tool("memory_remember", json!({"entity": "refund annual plan", "attribute": "answer", "text": refund})),
        Reply::text(refund),
    ]);
    let llm = models.llm(ANTHROPIC);
    let (first, _, store) = run_example_with("support-answers.json", &dir, json!({}), Some(llm.clone())).await;
    assert_eq!(first.status, RunStatus::Succeeded, "{:?}", first.error);
    assert_eq!(first.outputs["answer"], json!(refund));
    // Another customer asks the same: the remembered answer is in the system prompt.
    models.anthropic.push([Reply::text("Within 30 days, in Settings → Billing.")]);
    let (second, _, _) = run_example_with(
        "support-answers.json",
        &dir,
        json!({"customer": "bob", "question": "Can I get a refund on the annual plan?"}),
        Some(llm.clone()),
    )
    .await;
    assert_eq!(second.status, RunStatus::Succeeded, "{:?}", second.error);
    let asked = models.anthropic.requests().last().expect("a request").body.clone();
    assert!(asked["system"].to_string().contains("ask within 30 days"), "{asked}");
    assert_eq!(asked["messages"].as_array().map(Vec::len), Some(1), "bob's thread starts empty: {asked}");
    // Ada asks again: her thread has her first question and its answer.
    models.anthropic.push([Reply::text("Yes, the same applies.")]);
    run_example_with("support-answers.json", &dir, json!({"question": "Does that apply to me?"}), Some(llm)).await;
    let asked = models.anthropic.requests().last().expect("a request").body.to_string();
    assert!(
        asked.contains("How do I get a refund for my annual plan?") && asked.contains("Does that apply to me?"),
        "{asked}"
    );
    let thread = store.thread("support-ada", None).await.expect("thread");
    assert_eq!(thread.messages.len(), 4);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agent_research_reads_a_file_calls_a_blueprint_and_answers() {
    let models = Models::start().await;
    models.anthropic.push([
        Reply::tool("read_file", json!({"path": "docs/release-notes.md"})),
        Reply::tool("summarise", json!({"text": "Runs resume after a crash.", "style": "one line"})),
        Reply::text("Release 2.4 lets runs resume after a crash (docs/release-notes.md)."),
    ]);
    // The summarise-text blueprint the agent calls as a tool asks the same (default) model.
    models.anthropic.rule("Summarise the text below as one line", Reply::text("Crash-safe resume."));
    let dir = workspace("agent-research");
    let (report, events, store) =
        run_example_with("agent-research.json", &dir, json!({}), Some(models.llm(ANTHROPIC))).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.error);
    let answer = std::fs::read_to_string(dir.join("out/answer.md")).expect("saved");
    assert!(answer.contains("Release 2.4 lets runs resume"), "{answer}");
    let results: Vec<(String, bool)> = events
        .iter()
        .filter_map(|e| match &e.kind {
            RunEvent::AgentToolResult { tool, ok, .. } => Some((tool.clone(), *ok)),
            _ => None,
        })
        .collect();
    assert_eq!(results, [("read_file".to_owned(), true), ("summarise".to_owned(), true)]);
    // It works with its memory: offered the search and write tools of the `research` namespace.
    let offered = models.anthropic.requests()[0].body["tools"].to_string();
    assert!(offered.contains("memory_search") && offered.contains("memory_remember"), "{offered}");
    // The second turn saw the file; the blueprint tool ran as a linked child run.
    assert!(models.anthropic.requests()[1].body.to_string().contains("Runs can be resumed after a crash"));
    let asked = models.anthropic.requests().iter().any(|r| r.body.to_string().contains("below as one line"));
    assert!(asked, "the blueprint tool called the default model");
    let children = store.runs(50).await.expect("runs").into_iter().filter(|r| r.id.contains(".research")).count();
    assert_eq!(children, 1, "the blueprint tool's run is linked to the agent's run");
    let _ = std::fs::remove_dir_all(&dir);
}
