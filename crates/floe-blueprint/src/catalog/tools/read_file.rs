//! The `read_file` tool's catalogue entry.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::catalog::{Effect, PortDef, ToolSpec, schema_of};
use crate::document::ValueType;

const DOCS: &str = r#"Reads a UTF-8 text file inside the workspace folder. Paths are relative to the workspace; paths that
leave it (`..`, absolute paths, symlinks out) are refused.

- **Args**: `path`.
- **Outputs**: `text` (string).
- **Fails with**: `tool` — not found, outside the workspace, not UTF-8, larger than 64 MiB."#;

/// Arguments of `read_file`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadFileArgs {
    /// Path relative to the workspace folder.
    pub path: String,
}

/// The `read_file` tool.
pub fn spec() -> ToolSpec {
    ToolSpec {
        name: "read_file",
        title: "Read file",
        summary: "Read a text file from the workspace folder",
        docs: DOCS,
        args_schema: schema_of::<ReadFileArgs>,
        outputs: || vec![PortDef::new("text", ValueType::String, "the file contents")],
        effect: |_| Effect::Read,
        max_effect: Effect::Read,
        raw_args: false,
        example: || json!({"path": "notes/today.md"}),
    }
}
