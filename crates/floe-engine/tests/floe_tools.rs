//! Floe's own tools (`floe_validate`, `floe_run`): a `tool` node checks a blueprint of the
//! workspace; an agent runs one as a linked child run, against a loopback model, only where its
//! blueprint lists `floe` in `run.agent_tools`, and each such call waits for a person's approval
//! unless it was allowed for the run or the blueprint approves it.

mod support;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use floe_engine::events::{Event, EventSink, Fanout, Recorder, RunEvent, RunStatus};
use floe_engine::run::approvals::{Decision, Scope};
use floe_engine::run::{RunOptions, run};
use floe_engine::runs::{FileRun, run_file};
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

    // Allowed, and approved ahead for all of Floe's tools: the model runs the blueprint and
    // reads its outputs, and nobody is asked.
    let model = FakeServer::start(Vendor::Anthropic).await.expect("fake");
    model.push([
        Reply::tool("floe_run", json!({"path": "greet.json", "inputs": {"who": "Ada"}})),
        Reply::text("I said hello to Ada."),
    ]);
    let prepared = support::compile_against(
        document(json!({"agent_tools": ["floe"], "approved_tools": ["floe"]})),
        toolbox.catalog(),
    );
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

/// Answers each approval the run announces (`node_waiting`) through the store, with the next
/// answer of its list: `Some(scope)` approves, `None` rejects.
struct Reviewer {
    store: Store,
    answers: Mutex<VecDeque<Option<Scope>>>,
    asked: Arc<Mutex<Vec<String>>>,
    runtime: tokio::runtime::Handle,
}

impl EventSink for Reviewer {
    fn emit(&self, events: &[Event]) {
        for event in events {
            let RunEvent::NodeWaiting { .. } = &event.kind else { continue };
            let answer = self.answers.lock().expect("answers").pop_front().expect("an answer for each approval");
            let (store, run, asked) = (self.store.clone(), event.run.to_string(), self.asked.clone());
            self.runtime.spawn(async move {
                // The request is recorded before the run announces that it waits.
                let pending = store.pending_approvals(Some(&run)).await.expect("pending");
                let request = pending.into_iter().next().expect("a recorded request");
                asked.lock().expect("asked").push(format!(
                    "{} {}",
                    request.node,
                    request.tool.clone().unwrap_or_default()
                ));
                let decision = match answer {
                    Some(scope) => Decision::Approved { value: request.value, comment: None, scope },
                    None => Decision::Rejected { comment: Some("not today".into()) },
                };
                store.decide(&run, &request.node, &decision).await.expect("decision recorded");
            });
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agents_floe_run_call_waits_for_approval_for_the_run_or_always() {
    let dir = workspace("approve");
    let store = Store::open(&dir.join("runs.db")).await.expect("store");
    let toolbox = Toolbox::with_memory(&store);
    let boss = dir.join("boss.json");
    std::fs::write(
        &boss,
        json!({"format": "floe.blueprint", "version": 1, "id": "boss", "name": "Boss",
            "outputs": {"answer": {"from": "ask.text"}}, "run": {"agent_tools": ["floe"]},
            "nodes": [{"id": "ask", "kind": "agent", "config": {"model": "anthropic:claude-sonnet-4-5",
                "prompt": "Greet everyone with the greet blueprint.", "tools": ["floe_run"], "max_turns": 4}}]})
        .to_string(),
    )
    .expect("written");
    let model = FakeServer::start(Vendor::Anthropic).await.expect("fake");
    let greet = |who: &str| Reply::tool("floe_run", json!({"path": "greet.json", "inputs": {"who": who}}));
    let go = |answers: Vec<Option<Scope>>| {
        let reviewer = Arc::new(Reviewer {
            store: store.clone(),
            answers: Mutex::new(answers.into()),
            asked: Arc::default(),
            runtime: tokio::runtime::Handle::current(),
        });
        let recorder = Recorder::new();
        let mut request = FileRun::new(&boss);
        request.tools = toolbox.clone();
        request.workspace = Some(dir.clone());
        request.llm = Some(support::fake_llm("anthropic", model.base_url(), None));
        request.sink = Arc::new(Fanout::new(vec![Arc::new(recorder.clone()), reviewer.clone()]));
        let store = store.clone();
        async move {
            let report = run_file(&store, request).await.expect("runs");
            assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.error);
            let results: Vec<(bool, serde_json::Value)> = recorder
                .events()
                .into_iter()
                .filter_map(|e| match e.kind {
                    RunEvent::AgentToolResult { ok, result, .. } => Some((ok, result)),
                    _ => None,
                })
                .collect();
            let asked = reviewer.asked.lock().expect("asked").clone();
            (results, asked)
        }
    };

    // Allowed for the run: the second call of the tool is not asked about.
    model.push([greet("Ada"), greet("Bo"), Reply::text("Both greeted.")]);
    let (results, asked) = go(vec![Some(Scope::Run)]).await;
    assert_eq!(asked, ["ask/tool/1.0 floe_run"]);
    assert_eq!(results.len(), 2);
    assert!(results.iter().all(|(ok, _)| *ok), "{results:?}");
    assert_eq!(results[1].1["outputs"]["greeting"], json!("hello Bo"));

    // Declined: the model reads why, and nothing ran.
    model.push([greet("Cy"), Reply::text("I could not greet Cy.")]);
    let (results, asked) = go(vec![None]).await;
    assert_eq!(asked.len(), 1);
    assert!(
        !results[0].0
            && results[0].1["error"].as_str().is_some_and(|e| e.contains("declined") && e.contains("not today")),
        "{results:?}"
    );
    assert!(!std::fs::read_to_string(&boss).expect("boss").contains("approved_tools"));

    // Allowed once: the next call asks again.
    model.push([greet("Di"), greet("Ed"), Reply::text("Both greeted.")]);
    let (results, asked) = go(vec![Some(Scope::Once), Some(Scope::Blueprint)]).await;
    assert_eq!(asked, ["ask/tool/1.0 floe_run", "ask/tool/2.0 floe_run"]);
    assert!(results.iter().all(|(ok, _)| *ok), "{results:?}");
    // "Always for this blueprint" wrote the tool into it, and the blueprint still compiles.
    let saved = floe_engine::validate_file(&boss).expect("reads");
    assert!(saved.plan.is_some(), "{:#?}", saved.diagnostics);
    let document: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&boss).expect("boss")).expect("json");
    assert_eq!(document["run"]["approved_tools"], json!(["floe_run"]));

    // So the next run asks nobody.
    model.push([greet("Flo"), Reply::text("Greeted.")]);
    let (results, asked) = go(Vec::new()).await;
    assert!(asked.is_empty(), "{asked:?}");
    assert_eq!(results[0].1["outputs"]["greeting"], json!("hello Flo"));
}
