//! `llm` and `agent` nodes run by the real scheduler against loopback vendor servers: streaming
//! deltas as events, usage and cost, structured output, retries on classified errors, fallbacks,
//! budgets, tool-calling loops and provider concurrency limits.

mod support;

use std::sync::Arc;
use std::time::Duration;

use floe_engine::events::{Event, Recorder, RunEvent, RunStatus};
use floe_engine::run::{Prepared, RunControl, RunOptions, RunReport, run};
use floe_fakes::{FakeServer, Fault, Reply, Vendor};
use floe_llm::settings::ProviderSettings;
use floe_llm::{Llm, Prices, Secret, Settings};
use serde_json::{Value, json};
use support::*;

fn llm_for(servers: &[(&str, &FakeServer, Option<u32>)]) -> Arc<Llm> {
    let mut settings = Settings::default();
    for (name, server, concurrency) in servers {
        settings.providers.insert(
            (*name).to_owned(),
            ProviderSettings {
                base_url: Some(server.base_url()),
                timeout: Some("2s".into()),
                concurrency: *concurrency,
                ..Default::default()
            },
        );
    }
    Arc::new(Llm::new(settings, Prices::builtin()).with_keys(Arc::new(|_| Some(Secret::new("sk-test")))))
}

async fn run_models(prepared: &Prepared, llm: Arc<Llm>, workspace: std::path::PathBuf) -> (RunReport, Vec<Event>) {
    let recorder = Recorder::new();
    let options = RunOptions {
        sink: Arc::new(recorder.clone()),
        control: RunControl::new(),
        workspace,
        llm: Some(llm),
        ..RunOptions::default()
    };
    let report = run(prepared, options).await.expect("run starts");
    (report, recorder.events())
}

fn llm_node(id: &str, config: Value) -> Value {
    json!({"id": id, "kind": "llm", "config": config})
}

#[tokio::test]
async fn an_llm_node_streams_its_reply_as_events_and_records_usage_and_cost() {
    let server = FakeServer::start(Vendor::Openai).await.expect("fake");
    server.push([Reply::Text { text: "Three short bullet points".into(), usage: (120, 30, 20) }]);
    let prepared = prepare(json!({
        "inputs": {"topic": {"type": "string", "default": "rivers"}},
        "outputs": {"summary": {"from": "write.text"}},
        "nodes": [llm_node("write", json!({"model": "openai:gpt-4o-mini", "system": "Be brief.", "prompt": "Write about {{ run.topic }}", "max_tokens": 50}))],
    }));
    let (report, events) = run_models(&prepared, llm_for(&[("openai", &server, None)]), std::env::temp_dir()).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.error);
    assert_eq!(report.outputs["summary"], json!("Three short bullet points"));
    let deltas: Vec<&str> = events
        .iter()
        .filter_map(|e| match &e.kind {
            RunEvent::NodeOutputDelta { port, delta, .. } if port == "text" => Some(delta.as_str()),
            _ => None,
        })
        .collect();
    assert!(deltas.len() >= 4 && deltas.concat() == "Three short bullet points", "{deltas:?}");
    // Deltas come between the node's start and its success.
    let first_delta = position(&events, |k| matches!(k, RunEvent::NodeOutputDelta { .. })).expect("delta");
    assert!(first_delta < succeeded_at(&events, "write").expect("succeeded"));
    let usage = events
        .iter()
        .find_map(|e| match &e.kind {
            RunEvent::NodeUsage { model, usage, .. } => Some((model.clone(), *usage)),
            _ => None,
        })
        .expect("a node_usage event");
    assert_eq!(usage.0, "openai:gpt-4o-mini");
    assert_eq!((usage.1.input_tokens, usage.1.output_tokens, usage.1.cached_tokens), (120, 30, 20));
    // 100 fresh × 0.15 + 20 cached × 0.075 + 30 × 0.60, per million.
    let expected = (100.0 * 0.15 + 20.0 * 0.075 + 30.0 * 0.6) / 1e6;
    assert!((usage.1.cost_usd.expect("priced") - expected).abs() < 1e-12);
    let outputs = outputs_of(&events, "write").expect("outputs");
    assert_eq!(outputs["usage"]["input_tokens"], json!(120));
    let sent = &server.requests()[0].body;
    assert_eq!(sent["messages"][1]["content"], json!("Write about rivers"));
    assert_eq!(sent["max_completion_tokens"], json!(50));
}

#[tokio::test]
async fn structured_output_feeds_a_condition() {
    let server = FakeServer::start(Vendor::Gemini).await.expect("fake");
    server.push([Reply::text(r#"{"category": "bug", "urgency": "high"}"#)]);
    let prepared = prepare(json!({
        "nodes": [
            llm_node("classify", json!({"model": "gemini:gemini-2.5-flash", "prompt": "Classify: it crashes",
                "output_schema": {"type": "object", "properties": {"category": {"enum": ["bug", "feature"]}}, "required": ["category"]}})),
            {"id": "route", "kind": "condition", "config": {"cases": [{"name": "bug", "when": "inputs.in.category == 'bug'"}]}},
            tool("file_bug", "text_template", json!({"template": "bug: {{ inputs.in.urgency }}"})),
        ],
        "edges": [edge("classify.data", "route.in"), edge("route.bug", "file_bug.in")],
    }));
    let (report, events) = run_models(&prepared, llm_for(&[("gemini", &server, None)]), std::env::temp_dir()).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.error);
    assert_eq!(outputs_of(&events, "file_bug").expect("ran")["text"], json!("bug: high"));
    let sent = &server.requests()[0].body;
    assert_eq!(sent["generationConfig"]["responseMimeType"], json!("application/json"));
}

#[tokio::test]
async fn a_rate_limited_call_is_retried_after_the_wait_the_provider_asked_for() {
    let server = FakeServer::start(Vendor::Anthropic).await.expect("fake");
    server.push([Reply::Fault(Fault::RateLimited(1)), Reply::text("fine now")]);
    let prepared = prepare(json!({
        "nodes": [{"id": "ask", "kind": "llm", "config": {"model": "anthropic:claude-sonnet-4-5", "prompt": "hi"},
                   "policy": {"retry": {"attempts": 2, "initial": "10ms", "on": ["rate_limited"]}}}],
    }));
    let (report, events) = run_models(&prepared, llm_for(&[("anthropic", &server, None)]), std::env::temp_dir()).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.error);
    let retry = events
        .iter()
        .find_map(|e| match &e.kind {
            RunEvent::NodeRetrying { delay_ms, error, .. } => Some((*delay_ms, error.clone())),
            _ => None,
        })
        .expect("a retry");
    assert!(retry.0 >= 1000, "Retry-After: 1 is honoured, waited {} ms", retry.0);
    assert_eq!(retry.1.retry_after_ms, Some(1000));
    assert_eq!(outputs_of(&events, "ask").expect("ok")["text"], json!("fine now"));
}

#[tokio::test]
async fn an_auth_failure_fails_the_node_at_once_with_the_fix() {
    let server = FakeServer::start(Vendor::Openai).await.expect("fake");
    server.push([Reply::Fault(Fault::Unauthorized)]);
    let prepared = prepare(json!({
        "nodes": [{"id": "ask", "kind": "llm", "config": {"model": "openai:gpt-4o-mini", "prompt": "hi"},
                   "policy": {"retry": {"attempts": 3, "initial": "10ms"}}}],
    }));
    let (report, events) = run_models(&prepared, llm_for(&[("openai", &server, None)]), std::env::temp_dir()).await;
    assert_eq!(report.status, RunStatus::Failed);
    assert_eq!(server.requests().len(), 1, "auth is not retried by default");
    let failed = events.iter().find_map(|e| match &e.kind {
        RunEvent::NodeFailed { error, .. } => Some(error.message.clone()),
        _ => None,
    });
    assert!(failed.is_some_and(|m| m.contains("floe keys set openai")));
}

#[tokio::test]
async fn a_node_falls_back_to_its_next_model_and_says_so() {
    let primary = FakeServer::start(Vendor::Openai).await.expect("fake");
    let local = FakeServer::start(Vendor::Ollama).await.expect("fake");
    primary.push([Reply::Fault(Fault::Overloaded)]);
    local.push([Reply::text("from the local model")]);
    let prepared = prepare(json!({
        "nodes": [llm_node("ask", json!({"model": "openai:gpt-4o-mini", "fallbacks": ["ollama:llama3.2"], "prompt": "hi"}))],
    }));
    let llm = llm_for(&[("openai", &primary, None), ("ollama", &local, None)]);
    let (report, events) = run_models(&prepared, llm, std::env::temp_dir()).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.error);
    let outputs = outputs_of(&events, "ask").expect("ok");
    assert_eq!(outputs["usage"]["model"], json!("ollama:llama3.2"));
    assert!(events.iter().any(
        |e| matches!(&e.kind, RunEvent::NodeProgress { message, .. } if message.contains("trying ollama:llama3.2"))
    ));
}

#[tokio::test]
async fn crossing_the_token_budget_stops_the_run_with_an_event() {
    let server = FakeServer::start(Vendor::Openai).await.expect("fake");
    server.set_fallback(Reply::Text { text: "long answer".into(), usage: (600, 100, 0) });
    let prepared = prepare(json!({
        "run": {"budget": {"max_tokens": 1000}},
        "nodes": [
            llm_node("one", json!({"model": "openai:gpt-4o-mini", "prompt": "a"})),
            llm_node("two", json!({"model": "openai:gpt-4o-mini", "prompt": "{{ inputs.in }} b"})),
            llm_node("three", json!({"model": "openai:gpt-4o-mini", "prompt": "{{ inputs.in }} c"})),
        ],
        "edges": [edge("one.text", "two.in"), edge("two.text", "three.in")],
    }));
    let (report, events) = run_models(&prepared, llm_for(&[("openai", &server, None)]), std::env::temp_dir()).await;
    assert_eq!(report.status, RunStatus::Cancelled, "{:?}", report.error);
    let exceeded = events.iter().find_map(|e| match &e.kind {
        RunEvent::BudgetExceeded { tokens, limit, .. } => Some((*tokens, limit.clone())),
        _ => None,
    });
    assert_eq!(exceeded, Some((1400, "max_tokens 1000".into())));
    assert!(report.error.as_deref().is_some_and(|e| e.contains("budget exceeded")), "{:?}", report.error);
    assert_eq!(server.requests().len(), 2, "the third call is never made");
}

#[tokio::test]
async fn an_agent_calls_tools_sees_their_results_and_answers() {
    let workspace = scratch("models", "agent");
    std::fs::write(workspace.join("notes.txt"), "The launch is on Tuesday.").expect("fixture");
    let server = FakeServer::start(Vendor::Anthropic).await.expect("fake");
    server.push([
        // A call with arguments that do not match the tool's schema: the error goes back.
        Reply::tool("read_file", json!({"file": "notes.txt"})),
        Reply::ToolCalls(vec![
            ("read_file".into(), r#"{"path": "notes.txt"}"#.into()),
            ("text_template".into(), r#"{"template": "checked"}"#.into()),
        ]),
        Reply::text("The launch is on Tuesday."),
    ]);
    let prepared = prepare(json!({
        "outputs": {"answer": {"from": "agent.text"}},
        "nodes": [{"id": "agent", "kind": "agent", "config": {
            "model": "anthropic:claude-sonnet-4-5", "prompt": "When is the launch?",
            "tools": ["read_file", "text_template"], "max_turns": 4}}],
    }));
    let (report, events) = run_models(&prepared, llm_for(&[("anthropic", &server, None)]), workspace).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.error);
    assert_eq!(report.outputs["answer"], json!("The launch is on Tuesday."));
    let turns: Vec<(u32, usize)> = events
        .iter()
        .filter_map(|e| match &e.kind {
            RunEvent::AgentTurn { turn, calls, .. } => Some((*turn, calls.len())),
            _ => None,
        })
        .collect();
    assert_eq!(turns, [(1, 1), (2, 2), (3, 0)]);
    let results: Vec<(u32, String, bool, Value)> = events
        .iter()
        .filter_map(|e| match &e.kind {
            RunEvent::AgentToolResult { turn, tool, ok, result, .. } => {
                Some((*turn, tool.clone(), *ok, result.clone()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(results.len(), 3);
    assert!(
        !results[0].2 && results[0].3["error"].as_str().is_some_and(|e| e.contains("invalid arguments")),
        "{results:?}"
    );
    assert_eq!((results[1].2, &results[1].3), (true, &json!("The launch is on Tuesday.")));
    assert_eq!((results[2].2, &results[2].3), (true, &json!("checked")));
    // The model saw the results: the third request carries both tool results in one user turn.
    let third = &server.requests()[2].body["messages"];
    let last = &third[third.as_array().map_or(0, Vec::len) - 1];
    assert_eq!(last["content"].as_array().map(Vec::len), Some(2));
    assert_eq!(last["content"][0]["content"], json!("The launch is on Tuesday."));
    let transcript = &outputs_of(&events, "agent").expect("ok")["transcript"];
    assert_eq!(transcript.as_array().map(Vec::len), Some(3));
}

#[tokio::test]
async fn an_agent_that_never_answers_stops_at_max_turns() {
    let server = FakeServer::start(Vendor::Openai).await.expect("fake");
    server.set_fallback(Reply::tool("text_template", json!({"template": "again"})));
    let prepared = prepare(json!({
        "nodes": [{"id": "agent", "kind": "agent", "config": {
            "model": "openai:gpt-4o-mini", "prompt": "loop", "tools": ["text_template"], "max_turns": 3}}],
    }));
    let (report, events) = run_models(&prepared, llm_for(&[("openai", &server, None)]), std::env::temp_dir()).await;
    assert_eq!(report.status, RunStatus::Failed);
    assert_eq!(server.requests().len(), 3);
    let failed = events.iter().find_map(|e| match &e.kind {
        RunEvent::NodeFailed { error, .. } => Some(error.clone()),
        _ => None,
    });
    assert!(
        failed.is_some_and(|e| e.class == floe_blueprint::ErrorClass::InvalidOutput && e.message.contains("max_turns"))
    );
}

#[tokio::test]
async fn two_hundred_llm_nodes_never_exceed_the_provider_limit() {
    let server = FakeServer::start(Vendor::Openai).await.expect("fake");
    server.set_latency(Duration::from_millis(20));
    let nodes: Vec<Value> =
        (0..200).map(|i| llm_node(&format!("n{i}"), json!({"model": "openai:gpt-4o-mini", "prompt": "hi"}))).collect();
    let prepared = prepare(json!({"nodes": nodes}));
    let llm = llm_for(&[("openai", &server, Some(8))]);
    let (report, _) = run_models(&prepared, llm, std::env::temp_dir()).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.error);
    assert_eq!(server.requests().len(), 200);
    assert_eq!(server.max_in_flight(), 8, "the limit is reached and never exceeded");
}

#[tokio::test]
async fn transient_faults_are_retried_and_the_rest_fail_with_their_class() {
    use floe_blueprint::ErrorClass;
    let cases = [
        (Fault::Server(500), Some(ErrorClass::Server)),
        (Fault::Overloaded, Some(ErrorClass::Overloaded)),
        (Fault::CutMidStream("half of this is lost".into()), Some(ErrorClass::StreamBroken)),
        (Fault::SlowFirstByte(Duration::from_secs(4)), Some(ErrorClass::Timeout)),
        (Fault::MalformedJson, None),
        (Fault::ContextTooLong, None),
    ];
    for (fault, retried) in cases {
        let server = FakeServer::start(Vendor::Ollama).await.expect("fake");
        server.push([Reply::Fault(fault.clone()), Reply::text("recovered")]);
        // The default retry policy: transient classes only.
        let prepared = prepare(json!({
            "nodes": [{"id": "ask", "kind": "llm", "config": {"model": "ollama:llama3.2", "prompt": "hi"},
                       "policy": {"retry": {"attempts": 2, "initial": "10ms"}}}],
        }));
        let (report, events) = run_models(&prepared, llm_for(&[("ollama", &server, None)]), std::env::temp_dir()).await;
        let retry = events.iter().find_map(|e| match &e.kind {
            RunEvent::NodeRetrying { error, .. } => Some(error.class),
            _ => None,
        });
        assert_eq!(retry, retried, "{fault:?}");
        let expected = if retried.is_some() { RunStatus::Succeeded } else { RunStatus::Failed };
        assert_eq!(report.status, expected, "{fault:?}: {:?}", report.error);
    }
}
