//! The model drafter against loopback servers speaking the vendors' formats, with scripted
//! answers: a draft repaired after the compiler's problems, one that never converges (returned
//! with its problems after three repairs), Ollama's structured `format`, streaming and cancel,
//! and what the prompts cost.

use std::sync::Arc;
use std::time::Duration;

use floe_blueprint::{Blueprint, Catalog, to_canonical_string};
use floe_compiler::{Resolved, Resolver};
use floe_draft::digest::estimate_tokens;
use floe_draft::model::{MAX_REPAIRS, Progress, Request, answer_schema, draft_with_model, prompt};
use floe_fakes::{FakeServer, Reply, Vendor};
use floe_llm::settings::ProviderSettings;
use floe_llm::{Llm, ModelRef, Prices, Secret, Settings};
use serde_json::json;

struct NoFiles;

impl Resolver for NoFiles {
    fn resolve(&self, _: Option<&str>, reference: &str) -> Result<Resolved, String> {
        Err(format!("no files here ({reference})"))
    }

    fn default_model(&self) -> Option<&str> {
        Some("openai:gpt-4o-mini")
    }
}

fn llm(name: &str, server: &FakeServer) -> Llm {
    let mut settings = Settings::default();
    settings
        .providers
        .insert(name.into(), ProviderSettings { base_url: Some(server.base_url()), ..Default::default() });
    Llm::new(settings, Prices::builtin()).with_keys(Arc::new(|_| Some(Secret::new("sk-test"))))
}

/// An answer with an unknown tool and an edge to a port that does not exist.
fn broken() -> String {
    json!({"ops": [
        {"op": "add_node", "id": "fetch", "kind": "tool", "config": {"tool": "http_fetch", "args": {"url": "https://example.com"}}},
        {"op": "add_node", "id": "summarise", "kind": "llm", "config": {"model": "default", "prompt": "Summarise:\n\n{{ inputs.in }}"}},
        {"op": "connect", "from": "fetch.body", "to": "summarise.nope"}
    ]})
    .to_string()
}

fn fixed() -> String {
    json!({"ops": [
        {"op": "add_node", "id": "fetch", "kind": "tool", "config": {"tool": "http_request", "args": {"url": "https://example.com"}}},
        {"op": "add_node", "id": "summarise", "kind": "llm", "config": {"model": "default", "prompt": "Summarise:\n\n{{ inputs.in }}"}},
        {"op": "connect", "from": "fetch.body", "to": "summarise.in"},
        {"op": "set_output", "name": "summary", "from": "summarise.text"}
    ]})
    .to_string()
}

fn request<'a>(text: &'a str, base: &'a Blueprint) -> Request<'a> {
    Request { text, base, selection: &[], resolver: &NoFiles, key: None }
}

#[tokio::test]
async fn a_draft_with_problems_is_repaired_from_the_compilers_diagnostics() {
    let server = FakeServer::start(Vendor::Openai).await.expect("fake");
    server.rule("gave these problems", Reply::text(&fixed()));
    server.set_fallback(Reply::text(&broken()));
    let llm = llm("openai", &server);
    let base = Blueprint::new("digest", "Digest");
    let mut rounds = Vec::new();
    let mut streamed = String::new();
    let model = ModelRef::parse("openai:gpt-4o-mini").expect("model");
    let draft = draft_with_model(
        &llm,
        &model,
        &request("fetch example.com and summarise it", &base),
        Catalog::builtin(),
        &mut |p| match p {
            Progress::Text { delta } => streamed.push_str(&delta),
            Progress::Round { round, problems, .. } => rounds.push((round, problems)),
        },
    )
    .await
    .expect("drafted");
    assert!(draft.is_clean(), "{:?}", draft.problems);
    assert_eq!(draft.rounds, 1);
    assert_eq!(rounds.len(), 2);
    let first = rounds[0].1.join("\n");
    assert!(first.contains("E0307") && first.contains("http_fetch"), "{first}");
    assert!(first.contains("E0204") && first.contains("nope"), "{first}");
    assert!(rounds[1].1.is_empty());
    assert!(streamed.contains("http_fetch") && streamed.contains("http_request"), "the model's text streamed");
    // The repair request carried the problems back, after the first answer.
    let calls = server.requests();
    assert_eq!(calls.len(), 2);
    let repair = calls[1].body.to_string();
    assert!(repair.contains("E0307") && repair.contains("http_fetch"), "{repair}");
    assert!(draft.tokens_in > 0 && draft.tokens_out > 0);
    assert!(draft.summary.starts_with("Adds fetch (tool http_request) and summarise (llm)"), "{}", draft.summary);
    assert_eq!(draft.drafter, floe_draft::Drafter::Model { model: "openai:gpt-4o-mini".into() });
}

#[tokio::test]
async fn a_draft_that_never_converges_is_returned_with_its_problems() {
    let server = FakeServer::start(Vendor::Anthropic).await.expect("fake");
    server.set_fallback(Reply::text(&broken()));
    let llm = llm("anthropic", &server);
    let base = Blueprint::new("digest", "Digest");
    let model = ModelRef::parse("anthropic:claude-sonnet-4-5").expect("model");
    let draft = draft_with_model(&llm, &model, &request("fetch and summarise", &base), Catalog::builtin(), &mut |_| {})
        .await
        .expect("an answer, with problems");
    assert!(!draft.is_clean());
    assert_eq!(draft.rounds, MAX_REPAIRS);
    assert_eq!(server.requests().iter().filter(|r| r.method == "POST").count(), 1 + MAX_REPAIRS as usize);
    assert!(draft.problems.iter().any(|p| p.contains("E0307")), "{:?}", draft.problems);
}

#[tokio::test]
async fn ollama_gets_the_answer_schema_as_its_format() {
    let server = FakeServer::start(Vendor::Ollama).await.expect("fake");
    server.set_fallback(Reply::text(&fixed()));
    let llm = llm("ollama", &server);
    let base = Blueprint::new("digest", "Digest");
    let model = ModelRef::parse("ollama:llama3.2").expect("model");
    let draft = draft_with_model(&llm, &model, &request("fetch and summarise", &base), Catalog::builtin(), &mut |_| {})
        .await
        .expect("drafted");
    assert!(draft.is_clean(), "{:?}", draft.problems);
    let body = &server.requests()[0].body;
    assert_eq!(body["format"]["properties"]["ops"]["type"], "array", "{body}");
}

#[tokio::test]
async fn drafting_streams_and_stops_when_dropped() {
    let server = FakeServer::start(Vendor::Openai).await.expect("fake");
    server.set_fallback(Reply::text(&fixed()));
    server.set_pieces(40);
    server.set_piece_delay(Duration::from_millis(50));
    let llm = llm("openai", &server);
    let base = Blueprint::new("digest", "Digest");
    let model = ModelRef::parse("openai:gpt-4o-mini").expect("model");
    let (sender, mut received) = tokio::sync::mpsc::unbounded_channel();
    let request = request("fetch and summarise", &base);
    let mut report = |p| {
        let _ = sender.send(p);
    };
    let drafting = draft_with_model(&llm, &model, &request, Catalog::builtin(), &mut report);
    // Cancelled (dropped) once some text has streamed: no draft, and the stream stops.
    let cancelled = tokio::time::timeout(Duration::from_millis(400), drafting).await;
    assert!(cancelled.is_err(), "the draft did not finish before it was cancelled");
    let mut texts = 0;
    while let Ok(progress) = received.try_recv() {
        assert!(matches!(progress, Progress::Text { .. }), "no round ended: {progress:?}");
        texts += 1;
    }
    assert!(texts >= 2, "text streamed while drafting ({texts} pieces)");
}

#[tokio::test]
async fn requests_that_cannot_be_drafted_never_reach_the_model() {
    let server = FakeServer::start(Vendor::Openai).await.expect("fake");
    let llm = llm("openai", &server);
    let base = Blueprint::new("digest", "Digest");
    let model = ModelRef::parse("openai:gpt-4o-mini").expect("model");
    for (text, said) in [("  ", "the request is empty"), (&*"summarise the text. ".repeat(6000), "KB")] {
        let error = draft_with_model(&llm, &model, &request(text, &base), Catalog::builtin(), &mut |_| {})
            .await
            .expect_err("refused");
        assert!(error.to_string().contains(said), "{error}");
    }
    assert!(server.requests().is_empty());
}

#[test]
fn prompts_stay_small_and_an_edit_costs_well_under_a_regeneration() {
    let catalog = Catalog::builtin();
    let empty = Blueprint::new("digest", "Digest");
    let schema = estimate_tokens(&answer_schema().to_string());
    let new = prompt(&request("fetch https://example.com, summarise it and save it to summary.md", &empty), catalog);
    let new_tokens = new.tokens() + schema;
    // 2,852 when written: instructions and catalogue 1,250, the request 25, the answer schema 1,577.
    assert!(
        new_tokens < 4_000,
        "a new graph's prompt is {new_tokens} tokens (system {} user {} schema {schema})",
        estimate_tokens(&new.system),
        estimate_tokens(&new.user)
    );

    // A 20-node graph, and an edit of it: the answer is two operations, not the whole graph.
    let mut graph = Blueprint::new("long", "Twenty steps");
    for i in 0..20 {
        let mut node = floe_blueprint::Node::new(format!("step{i}"), "tool");
        *node.config_mut() = json!({"tool": "text_template", "args": {"template": format!("Step {i}: {{{{ inputs.in }}}} and a sentence of text to make it realistic")}})
            .as_object()
            .cloned()
            .unwrap_or_default();
        graph.nodes.push(node);
        if i > 0 {
            graph.edges.push(floe_blueprint::Edge::new(format!("step{}.text", i - 1), format!("step{i}.in")));
        }
    }
    let edit = json!({"ops": [
        {"op": "set_config", "node": "step7", "field": "args", "value": {"template": "Step 7, shorter: {{ inputs.in }}"}},
        {"op": "set_policy", "node": "step3", "policy": {"retry": {"attempts": 3}}}
    ]})
    .to_string();
    let regeneration = estimate_tokens(&to_canonical_string(&graph));
    let ratio = estimate_tokens(&edit) as f64 / regeneration as f64;
    assert!(ratio <= 0.25, "an edit's answer is {:.0}% of a regeneration", ratio * 100.0);
    let edit_prompt = prompt(&request("make step 7 shorter and retry step 3", &graph), catalog);
    assert!(edit_prompt.user.contains("\"step19\""), "the current graph is in the prompt");
}

#[tokio::test]
async fn a_models_explanation_keeps_only_the_blueprints_own_nodes() {
    let server = FakeServer::start(Vendor::Openai).await.expect("fake");
    server.set_fallback(Reply::text(
        &json!({"summary": "Fetches a page and keeps a summary of it.", "steps": [
            {"node": "fetch", "text": "Downloads the page."},
            {"node": "translate", "text": "Translates it."},
            {"node": "summarise", "text": "Writes five bullet points."}
        ]})
        .to_string(),
    ));
    let llm = llm("openai", &server);
    let path = floe_fakes::repository().join("blueprints/fetch-and-summarise.json");
    let blueprint = floe_blueprint::parse_bytes(&std::fs::read(path).expect("example")).blueprint.expect("parses");
    let model = ModelRef::parse("openai:gpt-4o-mini").expect("model");
    let (explained, note) = floe_draft::explain::explain_with_model(&llm, &model, &blueprint).await;
    assert_eq!(explained.summary, "Fetches a page and keeps a summary of it.");
    let texts: Vec<(&str, &str)> = explained.steps.iter().map(|s| (s.node.as_str(), s.text.as_str())).collect();
    assert_eq!(texts[0], ("fetch", "Downloads the page."));
    assert_eq!(texts[1], ("summarise", "Writes five bullet points."));
    assert!(
        texts[2].1.starts_with("**Save summary** (`save`) writes it to out/summary.md"),
        "Floe fills in: {:?}",
        texts[2]
    );
    assert_eq!(
        note.as_deref(),
        Some("1 step(s) of the model's answer named nodes that do not exist and were left out")
    );

    // No model answering: Floe's own explanation, saying why.
    let nowhere = ModelRef::parse("nowhere:model").expect("model");
    let (offline, why) = floe_draft::explain::explain_with_model(&llm, &nowhere, &blueprint).await;
    assert_eq!(offline, floe_draft::explain::explain(&blueprint));
    assert!(why.is_some_and(|w| w.contains("could not answer")));
}
