//! MCP servers as tool sources, against a real MCP server from npm (the reference "everything"
//! server, installed by `npm ci`): over stdio and over streamable HTTP, its tools in the
//! catalogue with their schemas and effects, called from `tool` nodes and by an agent against a
//! loopback model server; a server that is down keeps its cached schemas and fails calls with
//! its name.

mod support;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use floe_blueprint::Effect;
use floe_blueprint::catalog::ToolEffect;
use floe_engine::events::{Recorder, RunStatus};
use floe_engine::run::{Prepared, RunOptions, run};
use floe_engine::tools::Toolbox;
use floe_engine::tools::mcp::{McpSource, open_all};
use floe_fakes::{FakeServer, Reply, Vendor};
use floe_llm::McpServerSettings;
use serde_json::{Value, json};

/// The reference server's entry point, as `npm ci` installs it.
fn everything() -> PathBuf {
    let path = floe_fakes::repository().join("node_modules/@modelcontextprotocol/server-everything/dist/index.js");
    assert!(path.is_file(), "{} is missing: run `npm ci` (make test does)", path.display());
    path
}

fn stdio(script: &std::path::Path) -> McpServerSettings {
    McpServerSettings {
        command: Some("node".into()),
        args: vec![script.to_string_lossy().into_owned(), "stdio".into()],
        ..McpServerSettings::default()
    }
}

fn prepare(toolbox: &Toolbox, nodes: Value, outputs: Value) -> Prepared {
    prepare_with(toolbox, nodes, outputs, json!({}))
}

fn prepare_with(toolbox: &Toolbox, nodes: Value, outputs: Value, run: Value) -> Prepared {
    let document = json!({"format": "floe.blueprint", "version": 1, "id": "mcp", "name": "MCP", "outputs": outputs, "nodes": nodes, "run": run});
    support::compile_against(document, toolbox.catalog())
}

async fn sum_with(toolbox: &Arc<Toolbox>) -> floe_engine::run::RunReport {
    let prepared = prepare(
        toolbox,
        json!([{"id": "sum", "kind": "tool", "config": {"tool": "everything__get-sum", "args": {"a": 2, "b": 40}}}]),
        json!({"text": {"from": "sum.text"}}),
    );
    run(&prepared, RunOptions { tools: toolbox.clone(), ..RunOptions::default() }).await.expect("runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_mcp_servers_tools_join_the_catalogue_and_tool_nodes_call_them_over_stdio() {
    let dir = support::scratch("mcp", "stdio");
    let cache = dir.join("mcp-tools.json");
    let (source, problem) = McpSource::open("everything", &stdio(&everything()), &cache).await.expect("opens");
    assert_eq!(problem, None);
    let toolbox = Arc::new(Toolbox::with_sources(vec![Arc::new(source)]).expect("no clash"));
    let sum = toolbox.catalog().tool("everything__get-sum").expect("listed");
    assert_eq!(sum.source, "mcp:everything");
    assert_eq!(sum.args_schema["properties"]["a"]["type"], "number");
    assert!(matches!(sum.effect, ToolEffect::Fixed(Effect::Read)), "read-only by its annotation");
    // A node placed from the palette starts valid: each required argument at a value of its type.
    assert_eq!(sum.example, json!({"a": 0, "b": 0}));
    let placed = json!({"format": "floe.blueprint", "version": 1, "id": "placed", "name": "Placed",
        "nodes": [{"id": "sum", "kind": "tool", "config": {"tool": "everything__get-sum", "args": sum.example}}]});
    let checked = floe_compiler::check_parsed(
        floe_blueprint::parse_value(placed),
        toolbox.catalog(),
        &floe_compiler::NoResolver,
        None,
    );
    assert!(checked.diagnostics.iter().all(|d| !d.is_error()), "{:#?}", checked.diagnostics);
    let report = sum_with(&toolbox).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.error);
    assert!(report.outputs["text"].as_str().is_some_and(|t| t.contains("42")), "{:?}", report.outputs);
    // Arguments are checked against the server's schema when the blueprint compiles.
    let bad = json!({"format": "floe.blueprint", "version": 1, "id": "bad", "name": "Bad",
        "nodes": [{"id": "sum", "kind": "tool", "config": {"tool": "everything__get-sum", "args": {"a": "two"}}}]});
    let checked = floe_compiler::check_parsed(
        floe_blueprint::parse_value(bad),
        toolbox.catalog(),
        &floe_compiler::NoResolver,
        None,
    );
    assert!(
        checked.diagnostics.iter().any(|d| d.pointer.starts_with("/nodes/0/config/args")),
        "{:#?}",
        checked.diagnostics
    );
    assert!(cache.is_file(), "schemas cached");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_is_down_keeps_its_cached_schemas_and_its_calls_fail_naming_it() {
    let dir = support::scratch("mcp", "down");
    let cache = dir.join("mcp-tools.json");
    // A launcher that can be taken away: the same settings, then nothing to start.
    let launcher = dir.join("everything.sh");
    std::fs::write(&launcher, format!("#!/bin/sh\nexec node {} stdio\n", everything().display())).expect("written");
    let settings = McpServerSettings {
        command: Some("sh".into()),
        args: vec![launcher.to_string_lossy().into_owned()],
        ..Default::default()
    };
    let servers = BTreeMap::from([("everything".to_owned(), settings.clone())]);
    let (sources, problems) = open_all(&servers, &cache).await;
    assert!(problems.is_empty(), "{problems:?}");
    drop(sources);
    std::fs::remove_file(&launcher).expect("removed");
    let (sources, problems) = open_all(&servers, &cache).await;
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("`everything`") && problems[0].contains("listed last time"), "{problems:?}");
    let toolbox = Arc::new(Toolbox::with_sources(sources).expect("no clash"));
    // The blueprint still compiles; the call fails with the server's name and what to do.
    let report = sum_with(&toolbox).await;
    assert_eq!(report.status, RunStatus::Failed);
    let error = format!("{:?}", report.error);
    assert!(error.contains("`everything`") && error.contains("mcp_servers.everything"), "{error}");
    // A server never reached and never cached is a problem, not a source.
    let never = BTreeMap::from([(
        "ghost".to_owned(),
        McpServerSettings { command: Some("/nonexistent/mcp".into()), ..Default::default() },
    )]);
    let (sources, problems) = open_all(&never, &cache).await;
    assert!(sources.is_empty());
    assert!(problems[0].contains("`ghost`") && problems[0].contains("/nonexistent/mcp"), "{problems:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tools_of_a_server_over_streamable_http_are_called_too() {
    let dir = support::scratch("mcp", "http");
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
        listener.local_addr().expect("addr").port()
    };
    let mut server = tokio::process::Command::new("node")
        .arg(everything())
        .arg("streamableHttp")
        .env("PORT", port.to_string())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("node starts");
    // It says when it listens.
    let stderr = server.stderr.take().expect("stderr");
    let mut lines = tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(stderr));
    while let Ok(Some(line)) = lines.next_line().await {
        if line.contains("listening") {
            break;
        }
    }
    let settings = McpServerSettings { url: Some(format!("http://127.0.0.1:{port}/mcp")), ..Default::default() };
    let (source, problem) = McpSource::open("everything", &settings, &dir.join("cache.json")).await.expect("opens");
    assert_eq!(problem, None);
    let toolbox = Arc::new(Toolbox::with_sources(vec![Arc::new(source)]).expect("no clash"));
    let report = sum_with(&toolbox).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.error);
    assert!(report.outputs["text"].as_str().is_some_and(|t| t.contains("42")), "{:?}", report.outputs);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_calls_an_mcp_tool_against_a_loopback_model() {
    let dir = support::scratch("mcp", "agent");
    let (source, _) =
        McpSource::open("everything", &stdio(&everything()), &dir.join("cache.json")).await.expect("opens");
    let toolbox = Arc::new(Toolbox::with_sources(vec![Arc::new(source)]).expect("no clash"));
    let model = FakeServer::start(Vendor::Anthropic).await.expect("fake");
    model.push([Reply::tool("everything__get-sum", json!({"a": 19, "b": 23})), Reply::text("It is 42.")]);
    let llm = support::fake_llm("anthropic", model.base_url(), None);
    let agent = json!([{"id": "ask", "kind": "agent", "config": {"model": "anthropic:claude-sonnet-4-5", "prompt": "What is 19 + 23?",
        "tools": ["everything__get-sum"], "max_turns": 3}}]);
    // The gate: an agent may list a server's tools only where the blueprint allows that server.
    let refused = json!({"format": "floe.blueprint", "version": 1, "id": "mcp", "name": "MCP", "nodes": agent});
    let checked = floe_compiler::check_parsed(
        floe_blueprint::parse_value(refused.clone()),
        toolbox.catalog(),
        &floe_compiler::NoResolver,
        None,
    );
    let gate = checked.diagnostics.iter().find(|d| d.code == floe_blueprint::Code::ToolNotAllowed).expect("refused");
    assert_eq!(gate.pointer, "/nodes/0/config/tools/0");
    assert!(gate.message.contains("`everything`") && gate.help.contains("run.agent_tools"), "{gate:?}");
    // Its fix allows the server, and then the blueprint compiles.
    let mut fixed = refused.clone();
    floe_blueprint::apply_patch(&mut fixed, &gate.fix.as_ref().expect("a fix").patch).expect("applies");
    assert_eq!(fixed["run"]["agent_tools"], json!(["everything"]));
    let checked = floe_compiler::check_parsed(
        floe_blueprint::parse_value(fixed),
        toolbox.catalog(),
        &floe_compiler::NoResolver,
        None,
    );
    assert!(checked.plan.is_some(), "{:#?}", checked.diagnostics);
    let prepared =
        prepare_with(&toolbox, agent, json!({"answer": {"from": "ask.text"}}), json!({"agent_tools": ["everything"]}));
    let recorder = Recorder::new();
    let options = RunOptions {
        tools: toolbox.clone(),
        llm: Some(llm),
        sink: Arc::new(recorder.clone()),
        ..RunOptions::default()
    };
    let report = run(&prepared, options).await.expect("runs");
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.error);
    assert_eq!(report.outputs["answer"], json!("It is 42."));
    let result = support::first_tool_result(&recorder);
    let (ok, result) = result.expect("a tool result");
    assert!(ok && result.to_string().contains("42"), "{result}");
    // The model was offered the tool with the server's schema.
    let offered = model.requests()[0].body["tools"].to_string();
    assert!(offered.contains("everything__get-sum") && offered.contains("First number"), "{offered}");
}
