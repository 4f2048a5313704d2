//! Tools from outside the built-in catalogue: a `ToolSource` lists its tools with their schemas
//! and calls them; the compiler checks their args, `tool` nodes and agents call them, and nothing
//! else in Floe knows the source exists.

mod support;

use std::sync::Arc;

use floe_blueprint::catalog::{PortDef, ToolEffect, ToolInfo};
use floe_blueprint::{Code, Effect, ValueType};
use floe_engine::events::{Recorder, RunStatus};
use floe_engine::exec::{NodeCtx, NodeError};
use floe_engine::run::{Prepared, RunOptions, run};
use floe_engine::template::Outputs;
use floe_engine::tools::{ToolSource, Toolbox};
use floe_fakes::{FakeServer, Reply, Vendor};
use futures::future::BoxFuture;
use serde_json::{Value, json};

/// A source with one tool, `dice_roll`, that "rolls" the highest face (deterministic).
struct Dice;

impl ToolSource for Dice {
    fn name(&self) -> &str {
        "dice"
    }

    fn tools(&self) -> Vec<ToolInfo> {
        vec![ToolInfo {
            name: "dice_roll".into(),
            source: "dice".into(),
            title: "Roll a die".into(),
            summary: "Rolls a die with the given number of sides".into(),
            docs: "Returns the face rolled.".into(),
            args_schema: json!({"type": "object", "properties": {"sides": {"type": "integer", "minimum": 2}},
                "required": ["sides"], "additionalProperties": false}),
            outputs: vec![PortDef::new("value", ValueType::Number, "the face rolled")],
            effect: ToolEffect::Fixed(Effect::Pure),
            raw_args: false,
            example: json!({"sides": 6}),
            compiled: Arc::default(),
        }]
    }

    fn call<'a>(&'a self, tool: &'a str, args: &'a Value, _: &'a NodeCtx) -> BoxFuture<'a, Result<Outputs, NodeError>> {
        Box::pin(async move {
            assert_eq!(tool, "dice_roll");
            let sides = args["sides"].as_u64().ok_or_else(|| NodeError::tool("`sides` must be a whole number"))?;
            Ok(floe_engine::exec::output("value", json!(sides)))
        })
    }
}

fn document(nodes: Value) -> Value {
    json!({"format": "floe.blueprint", "version": 1, "id": "dice", "name": "Dice",
        "inputs": {"sides": {"type": "number", "default": 20}},
        "outputs": {"rolled": {"from": "roll.value"}}, "nodes": nodes})
}

fn compile(document: Value, toolbox: &Toolbox) -> (Option<Prepared>, Vec<floe_blueprint::Diagnostic>) {
    let checked = floe_compiler::check_parsed(
        floe_blueprint::parse_value(document),
        toolbox.catalog(),
        &floe_compiler::NoResolver,
        None,
    );
    (checked.plan.map(Prepared::new), checked.diagnostics)
}

#[tokio::test]
async fn a_tool_of_another_source_is_listed_checked_and_called_like_a_built_in_one() {
    let toolbox = Arc::new(Toolbox::with_sources(vec![Arc::new(Dice)]).expect("no clash"));
    let listed = toolbox.catalog().doc().tools.into_iter().find(|t| t.tool == "dice_roll").expect("listed");
    assert_eq!((listed.source.as_str(), listed.outputs.len()), ("dice", 1));
    assert!(toolbox.catalog().tool("read_file").is_some(), "the built-in tools are there too");

    // The compiler checks its args against the source's schema, at their pointer.
    let node = |args: Value| json!([{"id": "roll", "kind": "tool", "config": {"tool": "dice_roll", "args": args}}]);
    let (plan, diagnostics) = compile(document(node(json!({"sides": "six"}))), &toolbox);
    assert!(plan.is_none());
    assert!(
        diagnostics.iter().any(|d| d.code == Code::InvalidConfig && d.pointer == "/nodes/0/config/args/sides"),
        "{diagnostics:#?}"
    );
    // Without the source the tool does not exist.
    let (_, diagnostics) = compile(document(node(json!({"sides": 6}))), &Toolbox::builtin());
    assert!(diagnostics.iter().any(|d| d.code == Code::UnknownTool), "{diagnostics:#?}");

    // A run calls it through its source, with rendered args.
    let (plan, diagnostics) = compile(document(node(json!({"sides": "{{ run.sides }}"}))), &toolbox);
    let prepared = plan.unwrap_or_else(|| panic!("compiles: {diagnostics:#?}"));
    let options = RunOptions { tools: toolbox.clone(), ..RunOptions::default() };
    let report = run(&prepared, options).await.expect("runs");
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.error);
    assert_eq!(report.outputs["rolled"], json!(20));
}

#[tokio::test]
async fn an_agent_is_offered_another_sources_tool_and_calls_it() {
    let toolbox = Arc::new(Toolbox::with_sources(vec![Arc::new(Dice)]).expect("no clash"));
    let model = FakeServer::start(Vendor::Anthropic).await.expect("fake");
    model.push([Reply::tool("dice_roll", json!({"sides": 12})), Reply::text("You rolled 12.")]);
    let mut settings = floe_llm::Settings::default();
    settings.providers.insert(
        "anthropic".into(),
        floe_llm::settings::ProviderSettings { base_url: Some(model.base_url()), ..Default::default() },
    );
    let llm = floe_llm::Llm::new(settings, floe_llm::Prices::builtin())
        .with_keys(Arc::new(|_| Some(floe_llm::Secret::new("sk-test"))));
    let agent = json!([{"id": "roll", "kind": "agent", "config": {"model": "anthropic:claude-sonnet-4-5",
        "prompt": "Roll a d12.", "tools": ["dice_roll"], "max_turns": 3}}]);
    let mut doc = document(agent);
    doc["outputs"] = json!({"said": {"from": "roll.text"}});
    let (plan, diagnostics) = compile(doc, &toolbox);
    let prepared = plan.unwrap_or_else(|| panic!("compiles: {diagnostics:#?}"));
    let recorder = Recorder::new();
    let options = RunOptions {
        tools: toolbox,
        llm: Some(Arc::new(llm)),
        sink: Arc::new(recorder.clone()),
        ..RunOptions::default()
    };
    let report = run(&prepared, options).await.expect("runs");
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.error);
    assert_eq!(report.outputs["said"], json!("You rolled 12."));
    let offered = &model.requests()[0].body["tools"][0];
    assert_eq!(offered["name"], "dice_roll");
    assert_eq!(offered["input_schema"]["required"], json!(["sides"]), "offered with the source's schema");
    let result = support::first_tool_result(&recorder);
    assert_eq!(result, Some((true, json!(12))));
}

#[test]
fn a_name_two_sources_share_is_refused_naming_both() {
    struct Clash;
    impl ToolSource for Clash {
        fn name(&self) -> &str {
            "mcp:files"
        }
        fn tools(&self) -> Vec<ToolInfo> {
            let mut tool = Dice.tools().remove(0);
            tool.name = "read_file".into();
            vec![tool]
        }
        fn call<'a>(&'a self, _: &'a str, _: &'a Value, _: &'a NodeCtx) -> BoxFuture<'a, Result<Outputs, NodeError>> {
            Box::pin(async { Err(NodeError::tool("never called")) })
        }
    }
    let error = Toolbox::with_sources(vec![Arc::new(Clash)]).err().unwrap_or_default();
    assert!(error.contains("`read_file`") && error.contains("mcp:files") && error.contains("builtin"), "{error}");
}
