//! The `code` kind's catalogue entry: config type, ports and docs.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::catalog::{
    Catalog, KindSpec, PLAIN, PortDef, Ports, ScriptField, Traits, in_port, no_body_refs, no_checks, pure, schema_of,
};
use crate::document::ValueType;

const DOCS: &str = r#"JavaScript in an embedded sandbox with no file system, network or `eval`, and limits on memory
and time. The script sees its input ports as `inputs`, run inputs as `run` and, in a container
body, its variables (`item`, `index`, `state`…); the value of its last expression (or what it
`return`s from the top level; an `async` script's settled promise) is the output. Every run of
it starts from a clean state: nothing one run leaves behind is seen by the next.

- **Inputs**: `in` (any) and any declared input ports.
- **Outputs**: `result` (any); declare output ports to split a returned object by key.
- **Config**: `source` (JavaScript), `timeout` (default `"5s"`), `memory_mb` (default 64).
- **Fails with**: `sandbox` — a thrown exception (with its message and line), the time limit, the
  memory limit, or a result that is not JSON.
- **Example**: `{"source": "inputs.rows.filter(r => r.amount > 100).length"}`"#;

/// Config of a `code` node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeConfig {
    /// The script's language; JavaScript is the only one.
    #[serde(default)]
    pub language: CodeLanguage,
    /// The script.
    #[schemars(extend("contentMediaType" = "text/javascript"))]
    pub source: String,
    /// Time limit, e.g. `"5s"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-floe-picker" = "duration"))]
    pub timeout: Option<String>,
    /// Memory limit in MiB, 1–4096 (default 64).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 4096))]
    pub memory_mb: Option<u32>,
}

/// Languages the sandbox runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CodeLanguage {
    /// ECMAScript 2023, no modules.
    #[default]
    Javascript,
}

/// The `code` kind.
pub fn spec() -> KindSpec {
    KindSpec {
        name: "code",
        title: "Code",
        summary: "JavaScript in a sandbox with no file system or network",
        docs: DOCS,
        container: false,
        body_vars: &[],
        extra_inputs: true,
        extra_outputs: true,
        traits: Traits { whole_run: true, ..PLAIN },
        config_schema: schema_of::<CodeConfig>,
        ports,
        fields,
        effect: pure,
        check: no_checks,
        body_refs: no_body_refs,
        example: || json!({"source": "inputs.in.map(x => x * 2)"}),
    }
}

fn ports(_: &Map<String, Value>, _: &Catalog) -> Ports {
    Ports { inputs: vec![in_port()], outputs: vec![PortDef::new("result", ValueType::Any, "the script's result")] }
}

fn fields(_: &Map<String, Value>) -> Vec<ScriptField> {
    Vec::new()
}
