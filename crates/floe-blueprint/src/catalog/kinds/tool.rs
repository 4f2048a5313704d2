//! The `tool` kind's catalogue entry: config type, ports, template fields and docs.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::catalog::{
    Catalog, Effect, KindSpec, PLAIN, Ports, ScriptField, ToolCall, Traits, in_port, no_body_refs, schema_of,
    str_field, template_leaves, unknown_tool,
};

const DOCS: &str = "\
Calls one built-in tool with templated arguments.

- **Inputs**: `in` (any) and any declared input ports, read in args as `inputs.<name>`.
- **Outputs**: the tool's own outputs (see each tool).
- **Config**: `tool`, a built-in tool name; `args`, the tool's arguments. Every string in `args` is a \
template; a string that is exactly `{{ expr }}` passes the expression's JSON value unchanged.
- **Fails with**: the tool's error classes (`network`, `server`, `timeout`, `tool`).
- **Effects**: tools that write (file writes, non-GET HTTP) are recorded, and never fired twice by \
resume or replay.
- **Example**: `{\"tool\": \"http_request\", \"args\": {\"url\": \"https://example.com\"}}`";

/// Config of a `tool` node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ToolConfig {
    /// The built-in tool to call.
    pub tool: String,
    /// Arguments, checked against the tool's schema.
    #[serde(default)]
    pub args: Map<String, Value>,
}

/// The `tool` kind.
pub fn spec() -> KindSpec {
    KindSpec {
        name: "tool",
        title: "Tool",
        summary: "Call a built-in tool: HTTP, files, CSV, JSON query, text, regex, sleep",
        docs: DOCS,
        container: false,
        body_vars: &[],
        extra_inputs: true,
        extra_outputs: false,
        traits: Traits { tool_call, ..PLAIN },
        config_schema: schema_of::<ToolConfig>,
        ports,
        fields,
        effect,
        check,
        body_refs: no_body_refs,
        example: || json!({"tool": "http_request", "args": {"method": "GET", "url": "https://example.com"}}),
    }
}

fn ports(config: &Map<String, Value>, catalog: &Catalog) -> Ports {
    let outputs =
        str_field(config, "tool").and_then(|t| catalog.tool(t)).map(|t| t.outputs.clone()).unwrap_or_default();
    Ports { inputs: vec![in_port()], outputs }
}

fn fields(config: &Map<String, Value>) -> Vec<ScriptField> {
    config.get("args").map(|args| template_leaves(args, "/args")).unwrap_or_default()
}

fn effect(config: &Map<String, Value>, catalog: &Catalog) -> Effect {
    let empty = Map::new();
    let args = config.get("args").and_then(Value::as_object).unwrap_or(&empty);
    str_field(config, "tool").and_then(|t| catalog.tool(t)).map_or(Effect::Pure, |t| t.effect(args))
}

fn check(config: &Map<String, Value>, catalog: &Catalog) -> Vec<crate::Diagnostic> {
    match str_field(config, "tool") {
        Some(name) if catalog.tool(name).is_none() => vec![unknown_tool(name, "/tool".into(), catalog)],
        _ => Vec::new(),
    }
}

/// The tool it calls and the args it passes.
fn tool_call(config: &Map<String, Value>) -> Option<ToolCall<'_>> {
    Some(ToolCall { tool: str_field(config, "tool")?, args: config.get("args"), args_pointer: "/args" })
}
