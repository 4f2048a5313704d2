//! The `csv_read` tool's catalogue entry.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::catalog::{Effect, PortDef, ToolSpec, schema_of};
use crate::document::ValueType;

const DOCS: &str = r#"Reads a CSV file of the workspace into an array of rows: objects keyed by the header when
`has_header` is true (the default), else arrays of strings.

- **Args**: `path`, `delimiter` (default `,`), `has_header` (default true).
- **Outputs**: `rows` (array), `columns` (array of header names).
- **Fails with**: `tool` — not found, ragged rows, not UTF-8."#;

/// Arguments of `csv_read`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CsvReadArgs {
    /// Path relative to the workspace folder.
    pub path: String,
    /// One-character field delimiter (default `,`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 1))]
    pub delimiter: Option<String>,
    /// Whether the first row names the columns (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_header: Option<bool>,
}

/// The `csv_read` tool.
pub fn spec() -> ToolSpec {
    ToolSpec {
        name: "csv_read",
        title: "Read CSV",
        summary: "Read a CSV file into rows",
        docs: DOCS,
        args_schema: schema_of::<CsvReadArgs>,
        outputs: || {
            vec![
                PortDef::new("rows", ValueType::Array, "one entry per data row"),
                PortDef::new("columns", ValueType::Array, "header names"),
            ]
        },
        effect: |_| Effect::Read,
        max_effect: Effect::Read,
        raw_args: false,
        example: || json!({"path": "data/sales.csv"}),
    }
}
