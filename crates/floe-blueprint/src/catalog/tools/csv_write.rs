//! The `csv_write` tool's catalogue entry.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::catalog::{Effect, PortDef, ToolSpec, schema_of};
use crate::document::ValueType;

const DOCS: &str = r#"Writes an array of rows (objects or arrays) as a CSV file in the workspace. Columns come from
`columns`, or from the keys of the first object row. An effect.

- **Args**: `path`, `rows` (usually `{{ inputs.in }}`), `columns`.
- **Outputs**: `path` (string), `rows` (integer, rows written).
- **Fails with**: `tool` — rows not an array, outside the workspace."#;

/// Arguments of `csv_write`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CsvWriteArgs {
    /// Path relative to the workspace folder.
    pub path: String,
    /// The rows to write.
    pub rows: serde_json::Value,
    /// Column order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
}

/// The `csv_write` tool.
pub fn spec() -> ToolSpec {
    ToolSpec {
        name: "csv_write",
        title: "Write CSV",
        summary: "Write rows to a CSV file",
        docs: DOCS,
        args_schema: schema_of::<CsvWriteArgs>,
        outputs: || {
            vec![
                PortDef::new("path", ValueType::String, "the path written"),
                PortDef::new("rows", ValueType::Integer, "rows written"),
            ]
        },
        effect: |_| Effect::Write,
        max_effect: Effect::Write,
        raw_args: false,
        example: || json!({"path": "out/report.csv", "rows": "{{ inputs.in | default([]) }}"}),
    }
}
