//! `agent` nodes: a model in a bounded tool-calling loop. Each turn streams its text, then the
//! tools it called run (concurrently, results in call order) and go back to the model, until
//! it answers without calling a tool or a limit is reached. Every turn and every tool result is
//! a run event, so the canvas can show the agent's reasoning as it happens.
//!
//! Tools are built-in tools (arguments checked against the tool's schema) and other blueprints
//! (run as linked child runs, arguments as their inputs). A failing tool does not fail the node:
//! the error goes back to the model, which may try again or answer.
//!
//! A call that can change something, to a tool of an MCP server or one of Floe's own, waits for
//! a person's approval first (see [`approval_needed`]); a declined call is an error the model
//! reads.

use floe_blueprint::catalog::kinds::agent::DEFAULT_MAX_TURNS;
use floe_blueprint::catalog::kinds::agent::{AgentConfig, AgentTool};
use floe_blueprint::{Catalog, ErrorClass, ValueType};
use floe_compiler::WorkflowTool;
use floe_llm::{Call, ChatRequest, Message, ToolCall, ToolDef, Usage};
use futures::future::BoxFuture;
use serde_json::{Map, Value, json};

use super::llm::{DEFAULT_FALLBACK_ON, describe, models, node_error, render_text, usage_value};
use super::{Executor, NodeCtx, NodeError, config_as};
use crate::approvals::{ApprovalRequest, Decision, Scope};
use crate::events::{AgentCall, RunEvent, RunStatus, UsageInfo};
use crate::template::Outputs;

/// Tool calls when the config sets none.
const DEFAULT_MAX_TOOL_CALLS: u32 = 32;
/// Longest tool result handed back to the model, in characters.
const MAX_RESULT_CHARS: usize = 20_000;

/// Executes `agent` nodes.
#[derive(Debug, Clone, Copy)]
pub struct AgentExecutor;

/// What a tool the model may call runs.
enum Target {
    /// A tool of the run's toolbox (built-in, memory, MCP…).
    Toolbox(String),
    Workflow(String),
    /// A memory tool bound to the agent's namespace: the model never chooses another.
    Memory {
        tool: String,
        namespace: String,
    },
}

struct Tool {
    def: ToolDef,
    target: Target,
    validator: Option<std::sync::Arc<jsonschema::Validator>>,
}

impl Executor for AgentExecutor {
    fn execute(&self, ctx: NodeCtx) -> BoxFuture<'static, Result<Outputs, NodeError>> {
        Box::pin(async move {
            let config: AgentConfig = config_as(&ctx.node.config)?;
            let llm = ctx.run.llm()?;
            let mut tools = tools(&config, &ctx.node.tools, ctx.run.tools().catalog())?;
            tools.extend(memory_tools(&config, &ctx.node.id, ctx.run.tools().catalog(), &tools)?);
            let turn_timeout = match &config.turn_timeout {
                Some(text) => Some(floe_blueprint::policy::parse_duration(text).map_err(|e| {
                    NodeError::new(ErrorClass::BadRequest, format!("`/config/turn_timeout` {text:?}: {e}"))
                })?),
                None => None,
            };
            let max_turns = config.max_turns.unwrap_or(DEFAULT_MAX_TURNS);
            let max_calls = config.max_tool_calls.unwrap_or(DEFAULT_MAX_TOOL_CALLS);
            let prompt = render_text(&ctx, &config.prompt, "/config/prompt")?;
            let mut messages = Vec::new();
            let mut system = match &config.system {
                Some(system) => render_text(&ctx, system, "/config/system")?,
                None => String::new(),
            };
            if let Some(recalled) = recalled(&ctx, &config, &prompt).await? {
                system = if system.is_empty() { recalled } else { format!("{system}\n\n{recalled}") };
            }
            if !system.is_empty() {
                messages.push(Message::system(system));
            }
            let thread = super::thread::open(&ctx, config.thread.as_deref(), config.thread_tokens).await?;
            if let Some(thread) = &thread {
                messages.extend(thread.history());
            }
            messages.push(Message::user(prompt.clone()));
            let models = models(&config.model, &config.fallbacks)?;
            let mut call = Call {
                models: models.clone(),
                fallback_on: DEFAULT_FALLBACK_ON.to_vec(),
                request: ChatRequest {
                    tools: tools.iter().map(|t| t.def.clone()).collect(),
                    temperature: config.temperature,
                    max_tokens: config.max_tokens,
                    ..ChatRequest::default()
                },
                schema: None,
                reasks: 0,
            };
            let mut transcript = Vec::new();
            let mut usage = Usage::default();
            let mut cost = Some(0.0);
            let mut calls_made = 0u32;
            for turn in 1..=max_turns {
                call.request.messages.clone_from(&messages);
                let mut on_delta = |delta: &str| ctx.delta("text", delta);
                let mut on_note = |note: floe_llm::Note| ctx.progress(describe(&note), None);
                let answer = llm.complete(&call, &mut on_delta, &mut on_note);
                let done = match turn_timeout {
                    Some(limit) => tokio::time::timeout(limit, answer).await.map_err(|_| {
                        NodeError::new(
                            ErrorClass::Timeout,
                            format!("turn {turn} took longer than turn_timeout {}", humantime::format_duration(limit)),
                        )
                    })?,
                    None => answer.await,
                }
                .map_err(node_error)?;
                usage.add(done.usage);
                cost = cost.zip(done.cost_usd).map(|(a, b)| a + b);
                ctx.run.record_usage(&ctx.path, &done.model.to_string(), super::llm::usage_info(&done));
                let response = done.response;
                ctx.run.emit(RunEvent::AgentTurn {
                    node: ctx.path.clone(),
                    turn,
                    text: response.text.clone(),
                    calls: response
                        .tool_calls
                        .iter()
                        .map(|c| AgentCall { id: c.id.clone(), tool: c.name.clone(), arguments: c.arguments.clone() })
                        .collect(),
                });
                let mut entry = json!({"turn": turn, "model": done.model.to_string(), "text": response.text});
                if response.tool_calls.is_empty() {
                    transcript.push(entry);
                    let info = UsageInfo {
                        input_tokens: usage.input_tokens,
                        output_tokens: usage.output_tokens,
                        cached_tokens: usage.cached_tokens,
                        cost_usd: cost,
                    };
                    if let Some(thread) = thread {
                        thread.record(&ctx, &llm, &models, &prompt, &response.text).await?;
                    }
                    let mut outputs = Map::new();
                    outputs.insert("text".into(), Value::String(response.text));
                    outputs.insert("transcript".into(), Value::Array(transcript));
                    outputs.insert("usage".into(), usage_value(&done.model, info));
                    return Ok(outputs);
                }
                messages.push(Message::assistant(response.text.clone(), response.tool_calls.clone()));
                let mut runs = Vec::new();
                for (index, tool_call) in response.tool_calls.iter().enumerate() {
                    calls_made += 1;
                    let allowed = calls_made <= max_calls;
                    runs.push(run_tool(&ctx, &tools, tool_call, turn, index, allowed));
                }
                let results = futures::future::join_all(runs).await;
                let mut calls = Vec::new();
                for (tool_call, result) in response.tool_calls.iter().zip(results) {
                    let (ok, value) = match result {
                        Ok(value) => (true, value),
                        Err(message) => (false, json!({"error": message})),
                    };
                    ctx.run.emit(RunEvent::AgentToolResult {
                        node: ctx.path.clone(),
                        turn,
                        call: tool_call.id.clone(),
                        tool: tool_call.name.clone(),
                        ok,
                        result: value.clone(),
                    });
                    messages.push(Message::tool_result(tool_call, result_text(&value)));
                    calls.push(json!({"id": tool_call.id, "tool": tool_call.name, "arguments": tool_call.arguments, "ok": ok, "result": value}));
                }
                entry["calls"] = Value::Array(calls);
                transcript.push(entry);
                if calls_made >= max_calls {
                    // No tools are offered any more: the next turn has to answer.
                    call.request.tools.clear();
                }
            }
            Err(NodeError::new(
                ErrorClass::InvalidOutput,
                format!(
                    "the agent used all {max_turns} turns without a final answer; raise `max_turns` or narrow the task"
                ),
            ))
        })
    }
}

/// The tools offered: the toolbox's tools with their argument schemas (whichever source offers
/// them), blueprints with their inputs.
fn tools(config: &AgentConfig, workflows: &[WorkflowTool], catalog: &Catalog) -> Result<Vec<Tool>, NodeError> {
    let mut out = Vec::new();
    for tool in &config.tools {
        match tool {
            AgentTool::Builtin(name) => {
                let spec = catalog.tool(name).ok_or_else(|| {
                    NodeError::new(ErrorClass::BadRequest, format!("`/config/tools`: there is no tool `{name}`"))
                })?;
                let mut parameters = spec.args_schema.clone();
                if let Some(map) = parameters.as_object_mut() {
                    map.remove("$schema");
                }
                let validator = floe_llm::schema::validator(&parameters).ok();
                out.push(Tool {
                    def: ToolDef { name: model_tool_name(&spec.name), description: spec.summary.clone(), parameters },
                    target: Target::Toolbox(spec.name.clone()),
                    validator,
                });
            }
            AgentTool::Workflow { .. } => {}
        }
    }
    for workflow in workflows {
        let properties: Map<String, Value> = workflow
            .inputs
            .iter()
            .map(|input| {
                let mut schema = json!({"description": input.description});
                if let Some(ty) = json_type(input.ty) {
                    schema["type"] = json!(ty);
                }
                (input.name.to_string(), schema)
            })
            .collect();
        let required: Vec<&str> = workflow.inputs.iter().filter(|i| i.required).map(|i| i.name.as_ref()).collect();
        let parameters = json!({"type": "object", "properties": properties, "required": required});
        let description = if workflow.description.is_empty() {
            format!("Runs the {} blueprint", workflow.name)
        } else {
            workflow.description.clone()
        };
        out.push(Tool {
            validator: floe_llm::schema::validator(&parameters).ok(),
            def: ToolDef { name: workflow.name.clone(), description, parameters },
            target: Target::Workflow(workflow.key.clone()),
        });
    }
    Ok(out)
}

/// The memories that best match the prompt, for the system prompt, when the `memory` setting
/// asks for `context` (searched as the `memory_search` tool, with its own idempotency key).
async fn recalled(ctx: &NodeCtx, config: &AgentConfig, prompt: &str) -> Result<Option<String>, NodeError> {
    let Some(memory) = &config.memory else { return Ok(None) };
    let Some(limit) = memory.context.filter(|n| *n > 0) else { return Ok(None) };
    let namespace = memory.namespace.clone().unwrap_or_else(|| ctx.node.id.to_string());
    if ctx.run.tools().catalog().tool("memory_search").is_none() {
        return Err(no_memory_store());
    }
    let args = json!({"namespace": namespace, "query": prompt, "limit": limit});
    let found = ctx.run.tools().call("memory_search", &args, &ctx.for_call("memory/context".into())).await?;
    let hits = found.get("results").and_then(Value::as_array).cloned().unwrap_or_default();
    if hits.is_empty() {
        return Ok(None);
    }
    let mut text = format!("What you remember that may help (memory `{namespace}`, best matches first):");
    for hit in &hits {
        let memory = &hit["memory"];
        text.push_str(&format!("\n- {} (memory {})", memory["text"].as_str().unwrap_or_default(), memory["id"]));
    }
    Ok(Some(text))
}

fn no_memory_store() -> NodeError {
    NodeError::new(
        ErrorClass::BadRequest,
        "`/config/memory`: this run has no memory store; run the blueprint from the app, `floe serve` or `floe run`",
    )
}

/// The memory tools an agent's `memory` setting gives it, bound to its namespace (default: the
/// node's id): `recall` searches, `remember` writes facts and episodes. Their schemas leave the
/// namespace out. Tools the agent already names are not offered twice.
fn memory_tools(config: &AgentConfig, node: &str, catalog: &Catalog, named: &[Tool]) -> Result<Vec<Tool>, NodeError> {
    let Some(memory) = &config.memory else { return Ok(Vec::new()) };
    let namespace = memory.namespace.clone().unwrap_or_else(|| node.to_owned());
    let mut wanted = Vec::new();
    if memory.recall {
        wanted.push("memory_search");
    }
    if memory.remember {
        wanted.extend(["memory_remember", "memory_record"]);
    }
    let mut out = Vec::new();
    for name in wanted {
        if named.iter().any(|t| t.def.name == name) {
            continue;
        }
        let spec = catalog.tool(name).ok_or_else(no_memory_store)?;
        let mut parameters = spec.args_schema.clone();
        if let Some(map) = parameters.as_object_mut() {
            map.remove("$schema");
            if let Some(properties) = map.get_mut("properties").and_then(Value::as_object_mut) {
                properties.remove("namespace");
            }
            if let Some(required) = map.get_mut("required").and_then(Value::as_array_mut) {
                required.retain(|r| r != "namespace");
            }
        }
        out.push(Tool {
            validator: floe_llm::schema::validator(&parameters).ok(),
            def: ToolDef {
                name: spec.name.clone(),
                description: format!("{} (in the memory `{namespace}`)", spec.summary),
                parameters,
            },
            target: Target::Memory { tool: spec.name.clone(), namespace: namespace.clone() },
        });
    }
    Ok(out)
}

/// A tool's name as model APIs accept it (letters, digits, `_` and `-`, at most 64): tools of
/// other sources (an MCP server's) may have others.
fn model_tool_name(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '_' }).take(64).collect()
}

fn json_type(ty: ValueType) -> Option<&'static str> {
    (ty != ValueType::Any).then(|| ty.as_str())
}

/// Runs one tool call; an `Err` is the message the model is shown.
async fn run_tool(
    ctx: &NodeCtx,
    tools: &[Tool],
    call: &ToolCall,
    turn: u32,
    index: usize,
    allowed: bool,
) -> Result<Value, String> {
    if !allowed {
        return Err("the tool-call limit of this agent is reached; answer with what you have".into());
    }
    let Some(tool) = tools.iter().find(|t| t.def.name == call.name) else {
        let names: Vec<&str> = tools.iter().map(|t| t.def.name.as_str()).collect();
        return Err(format!("there is no tool `{}`; the tools are: {}", call.name, names.join(", ")));
    };
    if let Some(problem) = &call.arguments_error {
        return Err(format!("{problem}; send the arguments as a JSON object"));
    }
    if let Some(validator) = &tool.validator {
        let problems: Vec<String> = validator
            .iter_errors(&call.arguments)
            .take(5)
            .map(|e| format!("at `{}`: {e}", e.instance_path().as_str()))
            .collect();
        if !problems.is_empty() {
            return Err(format!("invalid arguments for `{}`: {}", call.name, problems.join("; ")));
        }
    }
    let call_tool = |name: String, args: Value| async move {
        // Each call its own idempotency key, named like a blueprint tool's child run.
        let ctx = ctx.for_call(format!("tool/{turn}.{index}"));
        let outputs = ctx.run.tools().call(&name, &args, &ctx).await.map_err(|e| e.message)?;
        Ok(if outputs.len() == 1 {
            outputs.into_iter().next().map(|(_, v)| v).unwrap_or_default()
        } else {
            Value::Object(outputs)
        })
    };
    match &tool.target {
        Target::Toolbox(name) => {
            let mut args = call.arguments.clone();
            if let Some(source) = approval_needed(ctx, name, &args) {
                args = approved(ctx, name, &source, args, turn, index).await?;
                if let Some(validator) = &tool.validator
                    && let Some(problem) = validator.iter_errors(&args).next()
                {
                    return Err(format!(
                        "the reviewer's edited arguments for `{name}` are invalid at `{}`: {problem}",
                        problem.instance_path().as_str()
                    ));
                }
            }
            call_tool(name.clone(), args).await
        }
        Target::Memory { tool, namespace } => {
            let mut args = call.arguments.as_object().cloned().unwrap_or_default();
            args.insert("namespace".into(), Value::String(namespace.clone()));
            call_tool(tool.clone(), Value::Object(args)).await
        }
        Target::Workflow(key) => {
            let inputs = call.arguments.as_object().cloned().unwrap_or_default();
            // One child run per call, named after the turn and call so a resumed parent finds it.
            let label = format!("{}/tool/{turn}.{index}", ctx.path);
            let child = ctx.run.run_child(&label, key, inputs).await?;
            match child.status {
                RunStatus::Succeeded => Ok(Value::Object(child.outputs)),
                status => Err(format!(
                    "the {} blueprint run {} {}: {}",
                    call.name,
                    child.run_id,
                    status.as_str(),
                    child.error.as_deref().unwrap_or("no error recorded")
                )),
            }
        }
    }
}

/// Whether an agent's call of tool `name` with `args` waits for a person first, and if so, what
/// offers the tool (for the request's wording). It does when the tool comes from an MCP server
/// or is one of Floe's own (the sources the blueprint must allow its agents at all, see the
/// compiler's permission gate) and this call can change something (a `write` effect), unless the
/// blueprint lists the tool, or its server, in `run.approved_tools`.
fn approval_needed(ctx: &NodeCtx, name: &str, args: &Value) -> Option<String> {
    let info = ctx.run.tools().catalog().tool(name)?;
    let source = match info.source.strip_prefix("mcp:") {
        Some(server) => server,
        None if info.source == "floe" => "floe",
        None => return None,
    };
    let no_args = Map::new();
    if info.effect(args.as_object().unwrap_or(&no_args)) != floe_blueprint::Effect::Write {
        return None;
    }
    let approved = ctx.run.approved_tools().iter().any(|a| a == name || a == source);
    (!approved).then(|| {
        if source == "floe" {
            "one of Floe's own tools".to_owned()
        } else {
            format!("a tool of the MCP server `{source}`")
        }
    })
}

/// Asks the run's reviewer about one tool call (unless the tool was allowed for the whole run
/// already) and answers with the arguments to call it with: the reviewer may edit them. A
/// declined call is the message the model is shown.
async fn approved(
    ctx: &NodeCtx,
    name: &str,
    source: &str,
    args: Value,
    turn: u32,
    index: usize,
) -> Result<Value, String> {
    let unrecorded = |e: String| format!("the approval of this call could not be recorded ({e}); try again later");
    if ctx.run.approvals().allowed(ctx.run.run_id(), name).await.map_err(unrecorded)? {
        return Ok(args);
    }
    let prompt = format!("`{}` wants to call `{name}`, {source}, with these arguments.", ctx.node.id);
    let request = ApprovalRequest {
        run: ctx.run.run_id().to_owned(),
        node: format!("{}/tool/{turn}.{index}", ctx.path),
        prompt: prompt.clone(),
        value: args,
        allow_edit: true,
        timeout: None,
        tool: Some(name.to_owned()),
    };
    ctx.run.approvals().record(&request).await.map_err(unrecorded)?;
    ctx.run.emit(RunEvent::NodeWaiting { node: ctx.path.clone(), prompt });
    match ctx.run.approvals().wait(&request).await.map_err(unrecorded)? {
        Decision::Approved { value, scope, .. } => {
            let reach = match scope {
                Scope::Once => "",
                Scope::Run => " for the rest of this run",
                Scope::Blueprint => " for this blueprint from now on",
            };
            ctx.progress(format!("the call to `{name}` was approved{reach}"), None);
            Ok(value)
        }
        Decision::Rejected { comment } => Err(format!(
            "the person reviewing this run declined the call to `{name}`{}; do without it, or answer and say what you would need",
            comment.map(|c| format!(" ({c})")).unwrap_or_default()
        )),
        Decision::TimedOut => Err(format!("nobody approved the call to `{name}` in time; do without it")),
    }
}

/// A tool result as text for the model, cut to a bounded length.
fn result_text(value: &Value) -> String {
    let text = match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    if text.chars().count() <= MAX_RESULT_CHARS {
        return text;
    }
    let cut: String = text.chars().take(MAX_RESULT_CHARS).collect();
    format!("{cut}… [cut at {MAX_RESULT_CHARS} characters]")
}
