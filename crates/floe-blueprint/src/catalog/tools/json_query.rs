//! The `json_query` tool's catalogue entry.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::catalog::{Effect, PortDef, ToolSpec, schema_of};
use crate::document::ValueType;

const DOCS: &str = r#"Runs a jq filter (the jaq implementation) over a JSON value. One result is returned as is; several
are returned as an array.

- **Args**: `query` (a jq filter such as `.items | map(.price) | add`), `input` (default
  `{{ inputs.in }}`).
- **Outputs**: `result` (any).
- **Fails with**: `tool` — a filter that does not parse, or a runtime error."#;

/// Arguments of `json_query`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonQueryArgs {
    /// jq filter.
    pub query: String,
    /// The value to query (default: the `in` port).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<serde_json::Value>,
}

/// The `json_query` tool.
pub fn spec() -> ToolSpec {
    ToolSpec {
        name: "json_query",
        title: "JSON query",
        summary: "Query or reshape JSON with a jq filter",
        docs: DOCS,
        args_schema: schema_of::<JsonQueryArgs>,
        outputs: || vec![PortDef::new("result", ValueType::Any, "the filter output")],
        effect: |_| Effect::Pure,
        max_effect: Effect::Pure,
        raw_args: false,
        example: || json!({"query": ".items | map(.price) | add"}),
    }
}
