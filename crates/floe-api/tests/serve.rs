//! `floe serve` over real HTTP and WebSocket on loopback: the token, Host and Origin checks,
//! workspace files, live checks, and runs with their event stream.

use std::path::PathBuf;

use floe_api::Api;
use floe_api::serve::{ServeOptions, bind};
use floe_engine::store::Store;
use futures::StreamExt;
use serde_json::{Value, json};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("floe-serve-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

struct Server {
    base: String,
    token: String,
    http: reqwest::Client,
    dir: PathBuf,
}

impl Server {
    async fn start(name: &str, ui: Option<PathBuf>) -> Self {
        Self::start_with(name, ui, None).await
    }

    /// A server whose model providers are `llm` (default: the settings file's).
    async fn start_with(name: &str, ui: Option<PathBuf>, llm: Option<floe_llm::Llm>) -> Self {
        let dir = scratch(name);
        let store = Store::open(&dir.join("runs.db")).await.expect("store");
        std::fs::create_dir_all(dir.join("flows")).expect("folder");
        let api = match llm {
            Some(llm) => Api::with_llm(&dir.join("flows"), store, std::sync::Arc::new(llm)),
            None => Api::new(&dir.join("flows"), store),
        }
        .expect("api");
        let bound = bind(api, ServeOptions { port: 0, token: None, ui }).await.expect("binds");
        let base = format!("http://{}", bound.addr);
        let token = bound.token.clone();
        assert!(bound.addr.ip().is_loopback());
        tokio::spawn(bound.run());
        let _ = rustls::crypto::ring::default_provider().install_default();
        Self { base, token, http: reqwest::Client::new(), dir }
    }

    fn send(&self, method: reqwest::Method, path: &str, body: Value) -> reqwest::RequestBuilder {
        self.http.request(method, format!("{}{path}", self.base)).bearer_auth(&self.token).json(&body)
    }

    async fn json(&self, request: reqwest::RequestBuilder) -> (u16, Value) {
        let response = request.send().await.expect("answers");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Every event of a run (after `after`), over the WebSocket, until the server closes it.
    async fn events_after(&self, run: &str, after: u64) -> Vec<Value> {
        let url =
            format!("{}/api/runs/{run}/events?token={}&after={after}", self.base.replace("http", "ws"), self.token);
        let (mut socket, _) = tokio_tungstenite::connect_async(url).await.expect("websocket");
        let mut out = Vec::new();
        while let Some(Ok(message)) = socket.next().await {
            if let tokio_tungstenite::tungstenite::Message::Text(text) = message {
                let batch: Vec<Value> = serde_json::from_str(&text).expect("a JSON array of events");
                assert!(!batch.is_empty(), "no empty batches");
                out.extend(batch);
            }
        }
        out
    }

    async fn events(&self, run: &str) -> Vec<Value> {
        self.events_after(run, 0).await
    }

    /// Reads the run's events after `after` until one of type `kind` arrives; returns them all.
    /// Starting after a known `seq` means an event already in the journal cannot match.
    async fn events_until(&self, run: &str, kind: &str, after: u64) -> Vec<Value> {
        let url =
            format!("{}/api/runs/{run}/events?token={}&after={after}", self.base.replace("http", "ws"), self.token);
        let (mut socket, _) = tokio_tungstenite::connect_async(url).await.expect("websocket");
        let mut out: Vec<Value> = Vec::new();
        while let Some(Ok(message)) = socket.next().await {
            if let tokio_tungstenite::tungstenite::Message::Text(text) = message {
                out.extend(serde_json::from_str::<Vec<Value>>(&text).expect("events"));
                if out.iter().any(|e| e["type"] == kind) {
                    return out;
                }
            }
        }
        panic!("the stream ended without `{kind}`: {out:?}");
    }

    async fn start_run(&self, request: Value) -> String {
        let (status, started) = self.call("run", json!({"request": request})).await;
        assert_eq!(status, 200, "{started}");
        started["run_id"].as_str().expect("run id").to_owned()
    }

    /// Calls API method `method` (`POST /api/<method>`); the status and the JSON answer.
    async fn call(&self, method: &str, args: Value) -> (u16, Value) {
        self.json(self.send(reqwest::Method::POST, &format!("/api/{method}"), args)).await
    }

    async fn put(&self, path: &str, text: &str) {
        let (status, answer) = self.call("save", json!({"path": path, "text": text})).await;
        assert_eq!(status, 200, "{answer}");
    }
}

fn flow(nodes: Value, edges: Value) -> String {
    json!({"format": "floe.blueprint", "version": 1, "id": "flow", "name": "Flow",
           "outputs": {"out": {"from": "b.text"}}, "nodes": nodes, "edges": edges})
    .to_string()
}

#[tokio::test]
async fn requests_need_the_token_and_this_servers_host_and_origin() {
    let server = Server::start("guard", None).await;
    let url = format!("{}/api/workspace", server.base);
    let none = server.http.post(&url).send().await.expect("answers");
    assert_eq!(none.status().as_u16(), 401);
    // A person opening the page without the token is told how to get in.
    let page =
        server.http.get(format!("{}/", server.base)).header("accept", "text/html").send().await.expect("answers");
    assert_eq!(page.status().as_u16(), 401);
    let text = page.text().await.expect("a page");
    assert!(text.contains("needs its access token") && text.contains("?token="), "{text}");
    let wrong = server.http.post(&url).bearer_auth("nope").send().await.expect("answers");
    assert_eq!(wrong.status().as_u16(), 401);
    let post = |path: &str| server.send(reqwest::Method::POST, path, json!({}));
    let rebound = post("/api/workspace").header("host", "evil.example:80").send().await.expect("answers");
    assert_eq!(rebound.status().as_u16(), 403, "DNS rebinding: a foreign Host is refused");
    let cross = post("/api/workspace").header("origin", "http://evil.example").send().await.expect("answers");
    assert_eq!(cross.status().as_u16(), 403, "another page's Origin is refused");
    let ok = post("/api/workspace").send().await.expect("answers");
    assert_eq!(ok.status().as_u16(), 200);
    // Every failure carries a closed code: an unknown method, arguments of the wrong shape.
    let (status, unknown) = server.call("nope", json!({})).await;
    assert_eq!((status, unknown["code"].as_str()), (400, Some("bad_request")), "{unknown}");
    assert!(unknown["message"].as_str().is_some_and(|m| m.contains("run_detail")), "it lists the methods: {unknown}");
    let (status, wrong) = server.call("read", json!({"path": 3})).await;
    assert_eq!((status, wrong["code"].as_str()), (400, Some("bad_request")), "{wrong}");
    let _ = std::fs::remove_dir_all(&server.dir);
}

#[tokio::test]
async fn files_are_created_checked_saved_canonically_renamed_and_deleted() {
    let server = Server::start("files", None).await;
    let (status, created) = server.call("create", json!({"path": "a.json", "name": "A"})).await;
    assert_eq!(status, 200, "{created}");
    let (_, listing) = server.call("workspace", Value::Null).await;
    assert_eq!(listing["entries"][0]["path"], "a.json");

    // A live check of an unsaved edit: the problem comes back with its position.
    let broken = flow(
        json!([{"id": "b", "kind": "tool", "config": {"tool": "text_template", "args": {"template": "{{ nodes.zzz.text }}"}}}]),
        json!([]),
    );
    let (status, checked) = server.call("check", json!({"path": "a.json", "text": broken})).await;
    assert_eq!(status, 200);
    let first = &checked["diagnostics"][0];
    assert!(first["message"].as_str().is_some_and(|m| m.contains("zzz")), "{checked}");
    assert!(first["span"]["line"].as_u64().is_some(), "{first}");

    // Saving writes the canonical form, whatever the layout of the text sent.
    let good = flow(
        json!([{"id": "b", "kind": "tool", "config": {"tool": "text_template", "args": {"template": "hi"}}}]),
        json!([]),
    );
    let (status, saved) = server.call("save", json!({"path": "a.json", "text": good})).await;
    assert_eq!(status, 200, "{saved}");
    let on_disk = std::fs::read_to_string(server.dir.join("flows/a.json")).expect("saved");
    assert_eq!(saved["text"].as_str(), Some(on_disk.as_str()));
    assert!(on_disk.starts_with("{\n  \"format\": \"floe.blueprint\""), "{on_disk}");

    // An unreadable document is refused with its problems, and the file is untouched.
    let (status, refused) = server.call("save", json!({"path": "a.json", "text": "{\"format\": 1"})).await;
    assert_eq!((status, refused["code"].as_str()), (422, Some("unreadable")), "{refused}");
    assert!(refused["diagnostics"].as_array().is_some_and(|d| !d.is_empty()));
    assert_eq!(std::fs::read_to_string(server.dir.join("flows/a.json")).expect("file"), on_disk);

    let (status, _) = server.call("rename", json!({"from": "a.json", "to": "b.json"})).await;
    assert_eq!(status, 200);
    let (status, read) = server.call("read", json!({"path": "b.json"})).await;
    assert_eq!((status, read["text"].as_str()), (200, Some(on_disk.as_str())));
    let (status, escaped) = server.call("read", json!({"path": "../runs.db.json"})).await;
    assert_eq!((status, escaped["code"].as_str()), (400, Some("bad_path")), "{escaped}");
    let (status, missing) = server.call("read", json!({"path": "a.json"})).await;
    assert_eq!((status, missing["code"].as_str()), (404, Some("not_found")), "{missing}");
    let (status, _) = server.call("remove", json!({"path": "b.json"})).await;
    assert_eq!(status, 200);
    assert!(!server.dir.join("flows/b.json").exists());
    let (_, catalog) = server.call("catalog", json!({})).await;
    assert!(catalog["kinds"].as_array().is_some_and(|k| k.len() == 10), "{}", catalog["kinds"]);
    let _ = std::fs::remove_dir_all(&server.dir);
}

#[tokio::test]
async fn a_run_streams_its_events_live_and_replays_them_when_finished() {
    let server = Server::start("runs", None).await;
    let text = flow(
        json!([
            {"id": "a", "kind": "tool", "config": {"tool": "sleep", "args": {"duration": "200ms"}}},
            {"id": "b", "kind": "tool", "config": {"tool": "text_template", "args": {"template": "done"}}},
        ]),
        json!([{"from": "a.out", "to": "b.in"}]),
    );
    server.put("f.json", &text).await;
    let run = server.start_run(json!({"path": "f.json"})).await;
    let live = server.events(&run).await;
    let types: Vec<&str> = live.iter().filter_map(|e| e["type"].as_str()).collect();
    assert_eq!(types.first(), Some(&"run_started"));
    assert_eq!(types.last(), Some(&"run_finished"), "{types:?}");
    let seqs: Vec<u64> = live.iter().filter_map(|e| e["seq"].as_u64()).collect();
    assert_eq!(seqs, (1..=seqs.len() as u64).collect::<Vec<_>>(), "no event lost or repeated");
    assert_eq!(live.last().map(|e| e["outputs"]["out"].clone()), Some(json!("done")));
    // After the run, the same stream comes from the journal; a client catching up asks for what follows its last.
    assert_eq!(server.events(&run).await, live);
    assert_eq!(server.events_after(&run, 2).await, live[2..].to_vec());
    let (_, runs) = server.call("runs", json!({})).await;
    assert_eq!(runs[0]["id"], json!(run));
    assert_eq!(runs[0]["status"], "succeeded");
    let _ = std::fs::remove_dir_all(&server.dir);
}

#[tokio::test]
async fn a_run_can_be_cancelled_and_a_broken_one_never_starts() {
    let server = Server::start("cancel", None).await;
    let slow = flow(
        json!([
            {"id": "a", "kind": "tool", "config": {"tool": "sleep", "args": {"duration": "30s"}}},
            {"id": "b", "kind": "tool", "config": {"tool": "text_template", "args": {"template": "late"}}},
        ]),
        json!([{"from": "a.out", "to": "b.in"}]),
    );
    server.put("slow.json", &slow).await;
    let run = server.start_run(json!({"path": "slow.json"})).await;
    let (status, _) = server.call("cancel", json!({"run_id": run})).await;
    assert_eq!(status, 200);
    let events = server.events(&run).await;
    assert_eq!(events.last().map(|e| e["status"].clone()), Some(json!("cancelled")), "{events:?}");

    std::fs::write(server.dir.join("flows/broken.json"), flow(json!([{"id": "b", "kind": "nope"}]), json!([])))
        .expect("file");
    let (status, refused) = server.call("run", json!({"request": {"path": "broken.json"}})).await;
    assert_eq!((status, refused["code"].as_str()), (422, Some("does_not_compile")), "{refused}");
    // It answers with the compiler's diagnostics, and names the first problem's node and place.
    assert_eq!(refused["diagnostics"][0]["code"], "E0202", "{refused}");
    assert_eq!(refused["message"], "broken.json does not compile: fix the problems it lists, then run it again");
    assert_eq!((refused["node"].as_str(), refused["pointer"].as_str()), (Some("b"), Some("/nodes/0/kind")));
    let (status, input) = server.call("run", json!({"request": {"path": "slow.json", "inputs": {"zzz": 1}}})).await;
    assert_eq!(
        (status, input["code"].as_str(), input["pointer"].as_str()),
        (422, Some("invalid_input"), Some("/inputs/zzz"))
    );
    let _ = std::fs::remove_dir_all(&server.dir);
}

#[tokio::test]
async fn the_ui_is_served_and_opening_it_with_the_token_sets_a_cookie() {
    let ui = scratch("ui-files");
    std::fs::write(ui.join("index.html"), "<!doctype html><title>Floe</title>").expect("index");
    std::fs::create_dir_all(ui.join("assets")).expect("assets");
    std::fs::write(ui.join("assets/app.js"), "console.log(1)").expect("js");
    let server = Server::start("ui", Some(ui.clone())).await;
    let page = server.http.get(format!("{}/?token={}", server.base, server.token)).send().await.expect("page");
    assert_eq!(page.status().as_u16(), 200);
    let cookie = page.headers().get("set-cookie").and_then(|c| c.to_str().ok()).unwrap_or_default().to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    assert!(page.headers().contains_key("content-security-policy"));
    let token_cookie = cookie.split(';').next().unwrap_or_default().to_owned();
    let script = server
        .http
        .get(format!("{}/assets/app.js", server.base))
        .header("cookie", &token_cookie)
        .send()
        .await
        .expect("js");
    assert_eq!(script.headers().get("content-type").and_then(|c| c.to_str().ok()), Some("text/javascript"));
    let routed =
        server.http.get(format!("{}/flows/x", server.base)).header("cookie", &token_cookie).send().await.expect("page");
    assert!(routed.text().await.unwrap_or_default().contains("<title>Floe</title>"), "client routes get index.html");
    let _ = std::fs::remove_dir_all(&server.dir);
    let _ = std::fs::remove_dir_all(ui);
}

fn types(events: &[Value]) -> Vec<(String, String)> {
    events
        .iter()
        .map(|e| (e["type"].as_str().unwrap_or("").to_owned(), e["node"].as_str().unwrap_or("").to_owned()))
        .collect()
}

#[tokio::test]
async fn a_paused_run_starts_nothing_until_it_goes_on_and_a_cancelled_one_resumes_without_rerunning() {
    let server = Server::start("pause-resume", None).await;
    let text = flow(
        json!([
            {"id": "a", "kind": "tool", "config": {"tool": "sleep", "args": {"duration": "300ms"}}},
            {"id": "b", "kind": "tool", "config": {"tool": "text_template", "args": {"template": "done"}}},
        ]),
        json!([{"from": "a.out", "to": "b.in"}]),
    );
    server.put("f.json", &text).await;
    let run = server.start_run(json!({"path": "f.json"})).await;
    let (status, _) = server.call("pause", json!({"run_id": run, "paused": true})).await;
    assert_eq!(status, 200);
    // `a` finishes while the run is paused; `b`, which it feeds, does not start.
    let so_far = server.events_until(&run, "node_succeeded", 0).await;
    assert!(!types(&so_far).contains(&("node_started".into(), "b".into())), "{so_far:?}");
    let (_, detail) = server.call("run_detail", json!({"run_id": run})).await;
    assert_eq!(detail["summary"]["status"], "paused", "{detail}");
    server.call("pause", json!({"run_id": run, "paused": false})).await;
    let events = server.events(&run).await;
    let seen = types(&events);
    let paused = seen.iter().position(|(t, _)| t == "run_paused").expect("paused");
    let resumed = seen.iter().position(|(t, _)| t == "run_resumed").expect("resumed");
    let b_started = seen.iter().position(|t| t == &("node_started".into(), "b".into())).expect("b ran");
    assert!(paused < resumed && resumed < b_started, "{seen:?}");
    assert_eq!(events.last().map(|e| e["status"].clone()), Some(json!("succeeded")));

    // Cancel after `a` finished, then resume: `a` is settled from the journal, `s` runs again.
    let slow = flow(
        json!([
            {"id": "a", "kind": "tool", "config": {"tool": "text_template", "args": {"template": "first"}}},
            {"id": "s", "kind": "tool", "config": {"tool": "sleep", "args": {"duration": "30s"}}},
            {"id": "b", "kind": "tool", "config": {"tool": "text_template", "args": {"template": "late"}}},
        ]),
        json!([{"from": "a.text", "to": "s.in"}, {"from": "s.out", "to": "b.in"}]),
    );
    server.put("slow.json", &slow).await;
    let run = server.start_run(json!({"path": "slow.json"})).await;
    server.events_until(&run, "node_succeeded", 0).await;
    let (status, refused) = server.call("resume", json!({"run_id": run})).await;
    assert_eq!((status, refused["code"].as_str()), (409, Some("conflict")), "a live run is not resumed: {refused}");
    server.call("cancel", json!({"run_id": run})).await;
    let first = server.events(&run).await;
    assert_eq!(first.last().map(|e| e["status"].clone()), Some(json!("cancelled")));
    let (_, detail) = server.call("run_detail", json!({"run_id": run})).await;
    assert_eq!(detail["resumable"], true, "{detail}");
    assert_eq!(detail["path"], "slow.json", "{detail}");
    assert!(detail["text"].as_str().is_some_and(|t| t.contains("30s")));
    let (status, again) = server.call("resume", json!({"run_id": run})).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["run_id"], json!(run));
    let last_seq = first.last().and_then(|e| e["seq"].as_u64()).expect("seq");
    let resumed = server.events_until(&run, "node_started", last_seq).await;
    let after: Vec<(String, String)> = types(&resumed);
    assert!(after.contains(&("node_started".into(), "s".into())), "{after:?}");
    assert!(
        !after.contains(&("node_started".into(), "a".into())),
        "`a` finished before; it must not run again: {after:?}"
    );
    server.call("cancel", json!({"run_id": run})).await;
    let _ = std::fs::remove_dir_all(&server.dir);
}

#[tokio::test]
async fn an_approval_is_decided_through_the_api_with_an_edited_value() {
    let server = Server::start("approve", None).await;
    let text = json!({"format": "floe.blueprint", "version": 1, "id": "gate", "name": "Gate",
        "outputs": {"out": {"from": "review.approved"}},
        "nodes": [
            {"id": "draft", "kind": "tool", "config": {"tool": "text_template", "args": {"template": "draft text"}}},
            {"id": "review", "kind": "approval", "config": {"message": "Send {{ inputs.in }}?"}},
        ],
        "edges": [{"from": "draft.text", "to": "review.in"}]})
    .to_string();
    server.put("gate.json", &text).await;
    let run = server.start_run(json!({"path": "gate.json"})).await;
    let waiting = server.events_until(&run, "node_waiting", 0).await;
    assert_eq!(waiting.last().map(|e| e["prompt"].clone()), Some(json!("Send draft text?")));
    let (_, pending) = server.call("approvals", json!({})).await;
    assert_eq!(pending[0]["node"], "review", "{pending}");
    assert_eq!(pending[0]["value"], "draft text");
    let (status, refused) =
        server.call("decide", json!({"run_id": run, "node": "nope", "decision": {"decision": "approve"}})).await;
    assert_eq!(status, 404, "{refused}");
    let decision = json!({"decision": "approve", "value": "edited text"});
    let (status, decided) = server.call("decide", json!({"run_id": run, "node": "review", "decision": decision})).await;
    assert_eq!(status, 200, "{decided}");
    let events = server.events(&run).await;
    let last = events.last().expect("events");
    assert_eq!(last["status"], "succeeded", "{last}");
    assert_eq!(last["outputs"]["out"], "edited text");
    let _ = std::fs::remove_dir_all(&server.dir);
}

#[tokio::test]
async fn running_from_a_node_reuses_the_latest_runs_upstream_results() {
    let server = Server::start("from", None).await;
    let text = flow(
        json!([
            {"id": "a", "kind": "tool", "config": {"tool": "text_template", "args": {"template": "upstream"}}},
            {"id": "b", "kind": "tool", "config": {"tool": "text_template", "args": {"template": "{{ inputs.in }}!"}}},
        ]),
        json!([{"from": "a.text", "to": "b.in"}]),
    );
    server.put("f.json", &text).await;
    let first = server.start_run(json!({"path": "f.json"})).await;
    server.events(&first).await;
    let (status, refused) = server.call("run", json!({"request": {"path": "f.json", "from": "zzz"}})).await;
    assert_eq!((status, refused["code"].as_str()), (422, Some("invalid_input")), "{refused}");
    assert!(refused["message"].as_str().is_some_and(|e| e.contains("not a top-level node")), "{refused}");
    let second = server.start_run(json!({"path": "f.json", "from": "b"})).await;
    let events = server.events(&second).await;
    let seen = types(&events);
    assert!(seen.contains(&("node_cached".into(), "a".into())), "{seen:?}");
    assert!(seen.contains(&("node_succeeded".into(), "b".into())), "{seen:?}");
    assert_eq!(events.last().map(|e| e["outputs"]["out"].clone()), Some(json!("upstream!")));
    let (_, history) = server.call("runs", json!({"blueprint": "flow"})).await;
    assert_eq!(history.as_array().map(Vec::len), Some(2), "{history}");

    // A pinned output is taken whatever the node would do.
    let third = server.start_run(json!({"path": "f.json", "pinned": {"a": {"text": "pinned"}}})).await;
    let events = server.events(&third).await;
    let cached = events.iter().find(|e| e["type"] == "node_cached").expect("a is pinned");
    assert_eq!((cached["node"].clone(), cached["from_run"].clone()), (json!("a"), json!("pinned")));
    assert_eq!(events.last().map(|e| e["outputs"]["out"].clone()), Some(json!("pinned!")));
    let (_, none) = server.call("runs", json!({"blueprint": "other"})).await;
    assert_eq!(none, json!([]));
    let _ = std::fs::remove_dir_all(&server.dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_started_through_one_api_share_its_model_registry_and_provider_limits() {
    use floe_fakes::{FakeServer, Reply, Vendor};
    let model = FakeServer::start(Vendor::Ollama).await.expect("fake");
    model.set_fallback(Reply::text("ok"));
    model.set_latency(std::time::Duration::from_millis(150));
    let mut settings = floe_llm::Settings::default();
    settings.providers.insert(
        "ollama".into(),
        floe_llm::settings::ProviderSettings {
            base_url: Some(model.base_url()),
            concurrency: Some(1),
            ..Default::default()
        },
    );
    let llm = std::sync::Arc::new(floe_llm::Llm::new(settings, floe_llm::Prices::builtin()));
    let dir = scratch("shared-llm");
    std::fs::create_dir_all(dir.join("flows")).expect("folder");
    let store = Store::open(&dir.join("runs.db")).await.expect("store");
    let api = Api::with_llm(&dir.join("flows"), store, llm).expect("api");
    let text = json!({"format": "floe.blueprint", "version": 1, "id": "ask", "name": "Ask",
    "outputs": {"out": {"from": "a.text"}},
    "nodes": [
        {"id": "a", "kind": "llm", "config": {"model": "ollama:llama3.2", "prompt": "one"}},
        {"id": "b", "kind": "llm", "config": {"model": "ollama:llama3.2", "prompt": "two"}}
    ]})
    .to_string();
    api.save("ask.json".into(), text).expect("saved");
    let request = |_: u8| floe_api::RunRequest { path: "ask.json".into(), ..Default::default() };
    let (one, two) = tokio::join!(api.run(request(1)), api.run(request(2)));
    for started in [one.expect("starts"), two.expect("starts")] {
        let mut feed = api.events(&started.run_id, 0).await.expect("events");
        loop {
            let batch = feed.next_batch(64).await;
            if batch.is_empty() {
                break;
            }
        }
        let detail = api.run_detail(started.run_id).await.expect("detail");
        assert_eq!(detail.summary.status, floe_engine::events::RunStatus::Succeeded, "{:?}", detail.summary.error);
    }
    // Each run first asked whether Ollama answers (a model list), then made its two calls.
    let calls = model.requests().iter().filter(|r| r.method == "POST").count();
    assert_eq!(calls, 4);
    assert_eq!(model.max_in_flight(), 1, "two runs, four calls, one provider slot: never more than one at once");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn models_lists_each_providers_models_and_says_why_one_cannot() {
    use floe_fakes::{FakeServer, Vendor};
    use floe_llm::settings::ProviderSettings;
    let ollama = FakeServer::start(Vendor::Ollama).await.expect("fake starts");
    let mut settings = floe_llm::Settings::default();
    settings
        .providers
        .insert("ollama".into(), ProviderSettings { base_url: Some(ollama.base_url()), ..Default::default() });
    let llm = floe_llm::Llm::new(settings, floe_llm::Prices::builtin()).with_keys(std::sync::Arc::new(|_| None));
    let server = Server::start_with("models", None, Some(llm)).await;
    let (status, answer) = server.json(server.send(reqwest::Method::POST, "/api/models", json!({}))).await;
    assert_eq!(status, 200, "{answer}");
    let providers = answer.as_array().cloned().unwrap_or_default();
    let entry = |name: &str| providers.iter().find(|p| p["provider"] == name).cloned().unwrap_or_default();
    assert_eq!(entry("ollama")["models"][0]["id"], json!("ollama:llama3.2:latest"), "{answer}");
    assert_eq!(entry("ollama")["models"][0]["price"]["output"], json!(0.0));
    // No key for OpenAI: its entry says so and how to set one; the others still answer.
    assert!(entry("openai")["error"].as_str().is_some_and(|e| e.contains("no API key for openai")), "{answer}");
}
