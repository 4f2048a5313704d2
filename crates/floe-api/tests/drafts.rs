//! Drafting through the API: offline when no model is set up (saying so), with a model against a
//! loopback server (progress, then the draft), an edit of the document in the editor that leaves
//! the file alone, cancel, explain, and an empty request refused.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use floe_api::{Api, DraftRequest, DraftResult, ErrorCode};
use floe_draft::Drafter;
use floe_draft::model::Progress;
use floe_engine::store::Store;
use floe_fakes::{FakeServer, Reply, Vendor};
use floe_llm::settings::ProviderSettings;
use floe_llm::{Llm, Prices, Secret, Settings};
use serde_json::json;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("floe-drafts-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("flows")).expect("temp dir");
    dir
}

async fn api(dir: &Path, llm: Llm) -> Api {
    let store = Store::open(&dir.join("runs.db")).await.expect("store");
    Api::with_llm(&dir.join("flows"), store, Arc::new(llm)).expect("api")
}

/// Waits for the draft's end, gathering its progress.
async fn wait(api: &Api, id: &str) -> (Vec<Progress>, DraftResult) {
    let mut progress = Vec::new();
    let mut after = 0;
    loop {
        let status = api.draft_status(id.to_owned(), Some(after)).await.expect("status");
        progress.extend(status.progress);
        after = status.next;
        if let Some(result) = status.result {
            return (progress, result);
        }
    }
}

fn no_models() -> Llm {
    Llm::new(Settings::default(), Prices::builtin()).with_keys(Arc::new(|_| None))
}

#[tokio::test]
async fn without_a_model_the_offline_drafter_answers_and_says_why() {
    let dir = scratch("offline");
    let api = api(&dir, no_models()).await;
    let request = DraftRequest {
        text: "Fetch https://example.com, summarise it and save it to summary.md".into(),
        ..Default::default()
    };
    let started = api.draft(request).await.expect("started");
    let (_, result) = wait(&api, &started.id).await;
    assert_eq!(
        result.drafter,
        Drafter::Offline { reason: "no model is set up: choose a default model in Settings".into() }
    );
    let draft = result.draft.expect("a draft");
    assert!(
        draft.summary.starts_with("Adds fetch (tool http_request), summarise (llm) and save (tool write_file)"),
        "{}",
        draft.summary
    );
    assert!(result.text.expect("text").contains("\"tool\": \"write_file\""));
    // No blueprint was written (the app saves a draft only when it is accepted); the request
    // went into the folder's history, which the folder's listing does not show.
    let names: Vec<String> = std::fs::read_dir(dir.join("flows"))
        .expect("folder")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, [".floe"]);
    assert!(api.workspace().expect("listing").entries.is_empty());
    let history = api.ask_history(None).expect("history");
    assert_eq!((history.len(), history[0].outcome.as_str(), history[0].drafter.as_str()), (1, "pending", "offline"));
    assert!(history[0].summary.starts_with("Adds fetch"));
    api.decide_draft(started.id.clone(), true).expect("recorded");
    assert_eq!(api.ask_history(None).expect("history")[0].outcome, "accepted");
    assert!(api.decide_draft("d-none".into(), false).is_err());

    let empty = api.draft(DraftRequest { text: "  ".into(), ..Default::default() }).await.expect_err("empty");
    assert_eq!((empty.code, empty.pointer.as_deref()), (ErrorCode::BadRequest, Some("/request/text")));
    let unclear = api
        .draft(DraftRequest { text: "purple monkey dishwasher".into(), offline: true, ..Default::default() })
        .await
        .expect("started");
    let (_, result) = wait(&api, &unclear.id).await;
    assert!(
        result.draft.is_none() && result.error.as_deref().is_some_and(|e| e.contains("no step I know")),
        "{result:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_model_drafts_an_edit_of_the_document_in_the_editor_and_the_file_is_left_alone() {
    let server = FakeServer::start(Vendor::Openai).await.expect("fake");
    server.set_fallback(Reply::text(
        &json!({"ops": [
            {"op": "add_node", "id": "shout", "kind": "tool", "config": {"tool": "text_template", "args": {"template": "{{ inputs.in | upper }}"}}},
            {"op": "connect", "from": "hello.text", "to": "shout.in"}
        ]})
        .to_string(),
    ));
    let mut settings = Settings { default_model: Some("openai:gpt-4o-mini".into()), ..Settings::default() };
    settings
        .providers
        .insert("openai".into(), ProviderSettings { base_url: Some(server.base_url()), ..Default::default() });
    let llm = Llm::new(settings, Prices::builtin()).with_keys(Arc::new(|_| Some(Secret::new("sk-test"))));
    let dir = scratch("model");
    let api = api(&dir, llm).await;
    let saved = json!({"format": "floe.blueprint", "version": 1, "id": "f", "name": "F", "nodes": []}).to_string();
    api.save("f.json".into(), saved).expect("saved");
    let on_disk = std::fs::read(dir.join("flows/f.json")).expect("file");
    // The editor has an unsaved node the draft builds on.
    let editing = json!({"format": "floe.blueprint", "version": 1, "id": "f", "name": "F", "outputs": {"out": {"from": "hello.text"}},
        "nodes": [{"id": "hello", "kind": "tool", "config": {"tool": "text_template", "args": {"template": "hello"}}}]})
    .to_string();
    let request = DraftRequest {
        text: "shout it".into(),
        path: Some("f.json".into()),
        document: Some(editing),
        selection: vec!["hello".into()],
        ..Default::default()
    };
    let started = api.draft(request).await.expect("started");
    let (progress, result) = wait(&api, &started.id).await;
    assert_eq!(result.drafter, Drafter::Model { model: "openai:gpt-4o-mini".into() });
    let draft = result.draft.expect("a draft");
    assert!(draft.is_clean(), "{:?}", draft.problems);
    assert!(progress.iter().any(|p| matches!(p, Progress::Text { .. })), "the model's text came as progress");
    assert!(progress.iter().any(|p| matches!(p, Progress::Round { round: 0, problems, .. } if problems.is_empty())));
    let asked = server.requests()[0].body.to_string();
    assert!(asked.contains("selected nodes: hello") && asked.contains("\\\"hello\\\""), "{asked}");
    assert_eq!(std::fs::read(dir.join("flows/f.json")).expect("file"), on_disk, "the file is untouched");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_draft_can_be_cancelled_and_a_blueprint_explained() {
    let server = FakeServer::start(Vendor::Ollama).await.expect("fake");
    server.set_fallback(Reply::text(&json!({"ops": []}).to_string()));
    server.set_latency(Duration::from_secs(30));
    let mut settings = Settings { default_model: Some("ollama:llama3.2".into()), ..Settings::default() };
    settings
        .providers
        .insert("ollama".into(), ProviderSettings { base_url: Some(server.base_url()), ..Default::default() });
    let dir = scratch("cancel");
    let api = api(&dir, Llm::new(settings, Prices::builtin())).await;
    let started =
        api.draft(DraftRequest { text: "summarise the text".into(), ..Default::default() }).await.expect("started");
    api.cancel_draft(started.id.clone()).await.expect("cancelled");
    let (_, result) = wait(&api, &started.id).await;
    assert_eq!(result.error.as_deref(), Some("the draft was cancelled"));

    let example =
        std::fs::read_to_string(floe_fakes::repository().join("blueprints/fetch-and-summarise.json")).expect("example");
    api.save("fetch.json".into(), example).expect("saved");
    // The default model does not answer (it is slow here): Floe explains, saying why.
    server.set_latency(Duration::ZERO);
    server.set_fallback(Reply::text("not JSON"));
    let answer = api.explain("fetch.json".into(), None, None).await.expect("explained");
    assert_eq!(answer.by.as_deref(), Some("ollama:llama3.2"));
    assert!(answer.note.as_deref().is_some_and(|n| n.contains("Floe's own")), "{:?}", answer.note);
    let steps: Vec<&str> = answer.explanation.steps.iter().map(|s| s.node.as_str()).collect();
    assert_eq!(steps, ["fetch", "summarise", "save"]);
    let offline = api.explain("fetch.json".into(), None, Some(true)).await.expect("explained");
    assert_eq!(offline.by, None);
    let _ = std::fs::remove_dir_all(&dir);
}
