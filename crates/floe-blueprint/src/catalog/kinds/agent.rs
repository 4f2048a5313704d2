//! The `agent` kind's catalogue entry: config type, ports, template fields and docs.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::catalog::{
    BlueprintRole, BlueprintUse, Catalog, Effect, FieldRole, KindSpec, PLAIN, PortDef, Ports, Repeats, ScriptField,
    ToolInfo, Traits, fields_at, in_port, no_body_refs, schema_of, unknown_tool,
};
use crate::diagnostic::Diagnostic;
use crate::document::ValueType;

const DOCS: &str = r#"A model in a bounded tool-calling loop: it may call the listed tools, read their results and
call again, until it answers or a limit is reached. Every turn and tool call is a run event.

- **Inputs**: `in` (any) and any declared input ports.
- **Outputs**: `text` (the final answer), `transcript` (array of turns and tool calls), `usage`.
- **Config**: `model` (`provider:model`) and `fallbacks`; `system`, `prompt` (templates); `tools`, each
  a built-in tool name or `{"workflow": "path.json"}` to use another blueprint as a tool;
  `max_turns` (default 8), `max_tool_calls` (default 32), `turn_timeout`; `temperature`,
  `max_tokens`; `memory` (namespace; `recall` and `remember` give it the search and write tools;
  `context` puts the best matches for the prompt into the system prompt); `thread`, a conversation
  kept across runs by key (a template), folded into a summary past `thread_tokens`.
- **Fails with**: the `llm` classes, plus `tool` when a tool fails and the model cannot recover, and
  `invalid_output` when `max_turns` runs out without an answer.
- **Example**: `{"model": "default", "prompt": "{{ inputs.in | default('What is the title of https://example.com?') }}", "tools": ["http_request"]}`"#;

/// Config of an `agent` node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentConfig {
    /// `provider:model`, or `default` for the blueprint's default model (else the one chosen in
    /// the settings). The inspector offers the models each provider lists.
    #[schemars(extend("x-floe-picker" = "model"))]
    pub model: String,
    /// Models tried in order when the previous one fails.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fallbacks: Vec<String>,
    /// System prompt template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// The task, as a template.
    pub prompt: String,
    /// Tools the agent may call.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<AgentTool>,
    /// Most model turns (default 8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 200))]
    pub max_turns: Option<u32>,
    /// Most tool calls over all turns (default 32).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 1000))]
    pub max_tool_calls: Option<u32>,
    /// Time limit for one model turn, e.g. `"60s"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-floe-picker" = "duration"))]
    pub turn_timeout: Option<String>,
    /// Sampling temperature, 0–2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0.0, max = 2.0))]
    pub temperature: Option<f64>,
    /// Most tokens per turn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub max_tokens: Option<u32>,
    /// Long-term memory use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<AgentMemory>,
    /// A conversation to keep, by key (a template, e.g. `support-{{ run.customer }}`): its earlier
    /// messages come before the prompt, and the prompt and final answer join it, across runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<String>,
    /// Tokens of a thread's messages kept whole; past them the oldest are folded into a summary
    /// by the same model (default 4000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 200))]
    pub thread_tokens: Option<u32>,
}

/// A tool offered to an agent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum AgentTool {
    /// A built-in tool by name.
    Builtin(String),
    /// Another blueprint, called with its inputs as the tool's arguments.
    Workflow {
        /// Path of the blueprint, relative to this one.
        workflow: String,
        /// Tool name shown to the model (default: the blueprint id).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
    },
}

/// How an agent uses memory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentMemory {
    /// Memory namespace (default: the node id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Give the agent tools to search its memory.
    #[serde(default)]
    pub recall: bool,
    /// Give the agent tools to write to its memory.
    #[serde(default)]
    pub remember: bool,
    /// Put this many of the memories that best match the prompt into the system prompt before
    /// the first turn (default 0: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 50))]
    pub context: Option<u32>,
}

/// The `agent` kind.
pub fn spec() -> KindSpec {
    KindSpec {
        name: "agent",
        title: "Agent",
        summary: "A model that calls tools in a bounded loop until it can answer",
        docs: DOCS,
        container: false,
        body_vars: &[],
        extra_inputs: true,
        extra_outputs: false,
        traits: Traits { blueprints, model_calls, models: super::llm::MODEL_FIELDS, ..PLAIN },
        config_schema: schema_of::<AgentConfig>,
        ports,
        fields,
        effect,
        check,
        body_refs: no_body_refs,
        example: || json!({"model": "default", "prompt": "{{ inputs.in | default('What is the title of https://example.com?') }}", "tools": ["http_request"], "max_turns": 6}),
    }
}

fn ports(_: &Map<String, Value>, _: &Catalog) -> Ports {
    Ports {
        inputs: vec![in_port()],
        outputs: vec![
            PortDef::new("text", ValueType::String, "the final answer"),
            PortDef::new("transcript", ValueType::Array, "every turn and tool call"),
            PortDef::new("usage", ValueType::Object, "tokens and cost over all turns"),
        ],
    }
}

fn fields(config: &Map<String, Value>) -> Vec<ScriptField> {
    fields_at(config, &["system", "prompt", "thread"], FieldRole::Template)
}

/// Built-in tool names an agent config lists, with their pointers.
pub fn builtin_tools(config: &Map<String, Value>) -> Vec<(String, &str)> {
    let Some(Value::Array(tools)) = config.get("tools") else { return Vec::new() };
    tools.iter().enumerate().filter_map(|(i, t)| t.as_str().map(|name| (format!("/tools/{i}"), name))).collect()
}

fn effect(config: &Map<String, Value>, catalog: &Catalog) -> Effect {
    // An agent may call any listed tool, so it has the strongest effect among them; blueprint
    // tools may do anything. Memory it writes and a thread it keeps are writes; memory it reads
    // is a read.
    let memory = config.get("memory");
    let flag = |name: &str| memory.and_then(|m| m.get(name)).and_then(Value::as_bool).unwrap_or(false);
    let memory_effect = if flag("remember") {
        Effect::Write
    } else if flag("recall") || memory.and_then(|m| m.get("context")).and_then(Value::as_u64).unwrap_or(0) > 0 {
        Effect::Read
    } else {
        Effect::Pure
    };
    let tools = config.get("tools").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    tools
        .iter()
        .map(|tool| match tool.as_str() {
            // The model chooses the args: the tool's strongest effect applies.
            Some(name) => catalog.tool(name).map_or(Effect::Pure, ToolInfo::max_effect),
            None => Effect::Write,
        })
        .chain([memory_effect, super::llm::thread_effect(config)])
        .max()
        .unwrap_or(Effect::Pure)
}

fn check(config: &Map<String, Value>, catalog: &Catalog) -> Vec<Diagnostic> {
    let mut out = super::llm::check_models(config);
    for (pointer, name) in builtin_tools(config) {
        if catalog.tool(name).is_none() {
            out.push(unknown_tool(name, pointer, catalog));
        }
    }
    out
}

/// Turns an agent takes at most when `max_turns` is not set.
pub const DEFAULT_MAX_TURNS: u32 = 8;

/// One call per turn, at most `max_turns` (and a thread's summary).
fn model_calls(config: &Map<String, Value>) -> Option<Repeats> {
    let turns = config.get("max_turns").and_then(Value::as_u64).unwrap_or(u64::from(DEFAULT_MAX_TURNS));
    // A thread that outgrows its budget is summarised: one call more.
    Some(Repeats::UpTo(turns + u64::from(config.contains_key("thread"))))
}

/// The blueprints it may call as tools (`{"workflow": "...", "name": "..."}` entries of `tools`).
fn blueprints(config: &Map<String, Value>) -> Vec<BlueprintUse> {
    let Some(Value::Array(tools)) = config.get("tools") else { return Vec::new() };
    tools
        .iter()
        .enumerate()
        .filter_map(|(i, tool)| {
            let reference = tool.get("workflow")?.as_str()?;
            let name = tool.get("name").and_then(Value::as_str).map(str::to_owned);
            Some(BlueprintUse {
                pointer: format!("/tools/{i}/workflow"),
                reference: reference.to_owned(),
                role: BlueprintRole::Tool { name },
            })
        })
        .collect()
}
