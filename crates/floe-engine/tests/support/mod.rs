//! Shared helpers for engine tests: compile a blueprint written as JSON and run it with a
//! recorder, and look at the trace.
#![allow(dead_code)]

use std::sync::Arc;

use floe_blueprint::Catalog;
use floe_engine::events::{Event, Recorder, RunEvent};
use floe_engine::run::{Prepared, RunControl, RunOptions, RunReport, run};
use serde_json::{Map, Value, json};

/// Compiles a blueprint document (panics with the diagnostics if it does not compile).
pub fn prepare(document: Value) -> Prepared {
    let mut document = document;
    if let Some(object) = document.as_object_mut() {
        object.entry("format").or_insert(json!("floe.blueprint"));
        object.entry("version").or_insert(json!(1));
        object.entry("id").or_insert(json!("test"));
        object.entry("name").or_insert(json!("test"));
    }
    let checked = floe_compiler::check_parsed(
        floe_blueprint::parse_value(document),
        Catalog::builtin(),
        &floe_compiler::NoResolver,
        None,
    );
    let errors: Vec<String> = checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{} {} {}", d.code, d.pointer, d.message))
        .collect();
    match checked.plan {
        Some(plan) if errors.is_empty() => Prepared::new(plan),
        _ => panic!("blueprint does not compile: {errors:#?}"),
    }
}

/// A run with a recorder; returns the report and the events.
pub async fn run_with(prepared: &Prepared, inputs: Value, control: RunControl) -> (RunReport, Vec<Event>) {
    let recorder = Recorder::new();
    let options = RunOptions {
        inputs: inputs.as_object().cloned().unwrap_or_default(),
        sink: Arc::new(recorder.clone()),
        control,
        workspace: std::env::temp_dir(),
        ..RunOptions::default()
    };
    let report = run(prepared, options).await.expect("run starts");
    (report, recorder.events())
}

/// Runs with no inputs.
pub async fn run_plain(document: Value) -> (RunReport, Vec<Event>) {
    run_with(&prepare(document), json!({}), RunControl::new()).await
}

/// A `tool` node.
pub fn tool(id: &str, tool: &str, args: Value) -> Value {
    json!({"id": id, "kind": "tool", "config": {"tool": tool, "args": args}})
}

/// A pass-through node: `sleep` for `duration`.
pub fn wait(id: &str, duration: &str) -> Value {
    tool(id, "sleep", json!({"duration": duration}))
}

/// An edge.
pub fn edge(from: &str, to: &str) -> Value {
    json!({"from": from, "to": to})
}

/// Position of the first event matching.
pub fn position(events: &[Event], f: impl Fn(&RunEvent) -> bool) -> Option<usize> {
    events.iter().position(|e| f(&e.kind))
}

/// Position of `node_succeeded` for `node`.
pub fn succeeded_at(events: &[Event], node: &str) -> Option<usize> {
    position(events, |e| matches!(e, RunEvent::NodeSucceeded { node: n, .. } if &**n == node))
}

/// Outputs of `node` in the trace.
pub fn outputs_of(events: &[Event], node: &str) -> Option<Map<String, Value>> {
    events.iter().rev().find_map(|e| match &e.kind {
        RunEvent::NodeSucceeded { node: n, outputs, .. } if &**n == node => Some(outputs.as_ref().clone()),
        _ => None,
    })
}

/// Nodes skipped in the trace.
pub fn skipped(events: &[Event]) -> Vec<String> {
    let mut out: Vec<String> = events
        .iter()
        .filter_map(|e| match &e.kind {
            RunEvent::NodeSkipped { node, .. } => Some(node.to_string()),
            _ => None,
        })
        .collect();
    out.sort();
    out
}

/// The `type` tag of every event, in order.
pub fn kinds(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .map(|e| serde_json::to_value(e).ok().and_then(|v| v["type"].as_str().map(str::to_owned)).unwrap_or_default())
        .collect()
}

/// An empty folder of its own under the system temp folder (`floe-<suite>-<pid>-<name>`).
pub fn scratch(suite: &str, name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("floe-{suite}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// A model registry whose provider `provider` is served at `base_url` (a loopback fake), with a
/// key, and `embedding_model` when given.
pub fn fake_llm(provider: &str, base_url: String, embedding_model: Option<&str>) -> Arc<floe_llm::Llm> {
    let mut settings =
        floe_llm::Settings { embedding_model: embedding_model.map(str::to_owned), ..floe_llm::Settings::default() };
    settings.providers.insert(
        provider.into(),
        floe_llm::settings::ProviderSettings { base_url: Some(base_url), ..Default::default() },
    );
    Arc::new(
        floe_llm::Llm::new(settings, floe_llm::Prices::builtin())
            .with_keys(Arc::new(|_| Some(floe_llm::Secret::new("sk-test")))),
    )
}

/// Compiles a whole blueprint document against `catalog` (a process's tools: memory, MCP…);
/// panics with the diagnostics if it does not compile.
pub fn compile_against(document: Value, catalog: &Catalog) -> Prepared {
    let checked =
        floe_compiler::check_parsed(floe_blueprint::parse_value(document), catalog, &floe_compiler::NoResolver, None);
    checked.plan.map(Prepared::new).unwrap_or_else(|| panic!("compiles: {:#?}", checked.diagnostics))
}

/// The first tool result an agent got in the recorded events: whether the call worked, and its
/// result (or error).
pub fn first_tool_result(recorder: &Recorder) -> Option<(bool, Value)> {
    recorder.events().into_iter().find_map(|e| match e.kind {
        RunEvent::AgentToolResult { ok, result, .. } => Some((ok, result)),
        _ => None,
    })
}
