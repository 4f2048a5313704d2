//! Floe's own tools (`floe_validate`, `floe_run`): a `tool` node checks a blueprint of the
//! workspace; an agent runs one as a linked child run, against a loopback model, only where its
//! blueprint lists `floe` in `run.agent_tools`.

mod support;

use std::sync::Arc;

use floe_engine::events::{Recorder, RunStatus};
use floe_engine::run::{RunOptions, run};
use floe_engine::store::Store;
use floe_engine::tools::Toolbox;
use floe_fakes::{FakeServer, Reply, Vendor};
use serde_json::json;

fn workspace(name: &str) -> std::path::PathBuf {
    let dir = support::scratch("floe-tools", name);
    let greet = json!({"format": "floe.blueprint", "version": 1, "id": "greet", "name": "Greet",
        "inputs": {"who": {"type": "string"}}, "outputs": {"greeting": {"from": "say.text"}},
        "nodes": [{"id": "say", "kind": "tool", "config": {"tool": "text_template", "args": {"template": "hello {{ run.who }}"}}}]});
    std::fs::write(dir.join("greet.json"), greet.to_string()).expect("written");
    std::fs::write(dir.join("broken.json"), r#"{"format": "floe.blueprint", "version": 1, "id": "broken", "name": "Broken", "nodes": [{"id": "x", "kind": "nope"}]}"#).expect("written");
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tool_node_checks_blueprints_of_the_workspace() {
    let dir = workspace("validate");
    let store = Store::open(&dir.join("runs.db")).await.expect("store");
    let toolbox = Toolbox::with_memory(&store);
    for (path, compiles) in [("greet.json", true), ("broken.json", false)] {
        let prepared = support::compile_against(
            json!({"format": "floe.blueprint", "version": 1, "id": "check", "name": "Check",
                "outputs": {"compiles": {"from": "check.compiles"}, "problems": {"from": "check.problems"}},
                "nodes": [{"id": "check", "kind": "tool", "config": {"tool": "floe_validate", "args": {"path": path}}}]}),
            toolbox.catalog(),
        );
        let options = RunOptions { tools: toolbox.clone(), workspace: dir.clone(), ..RunOptions::default() };
        let report = run(&prepared, options).await.expect("runs");
        assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.error);
        assert_eq!(report.outputs["compiles"], json!(compiles), "{path}: {:?}", report.outputs);
        if !compiles {
            assert_eq!(report.outputs["problems"][0]["code"], json!("E0202"), "{:?}", report.outputs);
        }
    }
    // Paths stay in the workspace.
    let prepared = support::compile_against(
        json!({"format": "floe.blueprint", "version": 1, "id": "check", "name": "Check",
            "nodes": [{"id": "check", "kind": "tool", "config": {"tool": "floe_validate", "args": {"path": "../outside.json"}}}]}),
        toolbox.catalog(),
    );
    let report = run(&prepared, RunOptions { tools: toolbox.clone(), workspace: dir.clone(), ..RunOptions::default() })
        .await
        .expect("runs");
    assert_eq!(report.status, RunStatus::Failed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_runs_a_workflow_with_floe_run_only_where_its_blueprint_allows_it() {
    let dir = workspace("run");
    let store = Store::open(&dir.join("runs.db")).await.expect("store");
    let toolbox = Toolbox::with_memory(&store);
    let agent = json!([{"id": "ask", "kind": "agent", "config": {"model": "anthropic:claude-sonnet-4-5",
        "prompt": "Greet Ada with the greet blueprint.", "tools": ["floe_run"], "max_turns": 3}}]);
    let document = |run: serde_json::Value| {
        json!({"format": "floe.blueprint", "version": 1, "id": "boss", "name": "Boss",
            "outputs": {"answer": {"from": "ask.text"}}, "nodes": agent, "run": run})
    };
    // Not allowed: it does not compile, and says how to allow it.
    let refused = floe_compiler::check_parsed(
        floe_blueprint::parse_value(document(json!({}))),
        toolbox.catalog(),
        &floe_compiler::NoResolver,
        None,
    );
    let gate = refused.diagnostics.iter().find(|d| d.code == floe_blueprint::Code::ToolNotAllowed).expect("refused");
    assert!(gate.message.contains("checks or runs workflows") && gate.help.contains("\"floe\""), "{gate:?}");

    // Allowed: the model runs the blueprint and reads its outputs.
    let model = FakeServer::start(Vendor::Anthropic).await.expect("fake");
    model.push([
        Reply::tool("floe_run", json!({"path": "greet.json", "inputs": {"who": "Ada"}})),
        Reply::text("I said hello to Ada."),
    ]);
    let prepared = support::compile_against(document(json!({"agent_tools": ["floe"]})), toolbox.catalog());
    let recorder = Recorder::new();
    let options = RunOptions {
        tools: toolbox.clone(),
        workspace: dir.clone(),
        llm: Some(support::fake_llm("anthropic", model.base_url(), None)),
        sink: Arc::new(recorder.clone()),
        run_id: Some("boss".into()),
        ..RunOptions::default()
    };
    let report = run(&prepared, options).await.expect("runs");
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.error);
    let result = support::first_tool_result(&recorder);
    let (ok, result) = result.expect("a tool result");
    assert!(ok, "{result}");
    assert_eq!(result["outputs"]["greeting"], json!("hello Ada"));
    assert!(result["run"].as_str().is_some_and(|id| id.starts_with("boss.")), "a child run: {result}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn floe_draft_drafts_saves_a_new_file_and_never_overwrites_one() {
    let dir = workspace("draft");
    let store = Store::open(&dir.join("runs.db")).await.expect("store");
    let toolbox = Toolbox::with_memory(&store);
    let prepared = support::compile_against(
        json!({"format": "floe.blueprint", "version": 1, "id": "drafter", "name": "Drafter",
            "outputs": {"summary": {"from": "draft.summary"}, "saved": {"from": "draft.saved"}},
            "nodes": [{"id": "draft", "kind": "tool", "config": {"tool": "floe_draft", "args": {
                "request": "Fetch https://example.com, summarise it and save it to summary.md",
                "offline": true, "save_as": "digest.json"}}}]}),
        toolbox.catalog(),
    );
    let go = || run(&prepared, RunOptions { tools: toolbox.clone(), workspace: dir.clone(), ..RunOptions::default() });
    let report = go().await.expect("runs");
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.error);
    assert_eq!(report.outputs["saved"], json!("digest.json"));
    assert!(report.outputs["summary"].as_str().is_some_and(|s| s.contains("fetch")), "{:?}", report.outputs);
    let saved = floe_engine::validate_file(&dir.join("digest.json")).expect("reads");
    assert!(saved.plan.is_some(), "the saved draft compiles: {:#?}", saved.diagnostics);
    // The same again would replace a file: refused, and the file stays.
    let before = std::fs::read(dir.join("digest.json")).expect("saved");
    let again = go().await.expect("runs");
    assert_eq!(again.status, RunStatus::Failed);
    assert!(format!("{:?}", again.error).contains("digest.json"), "{:?}", again.error);
    assert_eq!(std::fs::read(dir.join("digest.json")).expect("kept"), before);
}
