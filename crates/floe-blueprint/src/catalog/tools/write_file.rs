//! The `write_file` tool's catalogue entry.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::catalog::{Effect, PortDef, ToolSpec, schema_of};
use crate::document::ValueType;

const DOCS: &str = r#"Writes (or appends) a UTF-8 text file inside the workspace folder, creating parent folders. The
write is atomic (temporary file + rename) unless appending. An effect: after it completes, resume
and replay never write again.

- **Args**: `path`, `content` (a string; anything else is written as pretty JSON), `append`
  (default false).
- **Outputs**: `path` (string), `bytes` (integer).
- **Fails with**: `tool` — outside the workspace, permission denied, disk full."#;

/// Arguments of `write_file`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WriteFileArgs {
    /// Path relative to the workspace folder.
    pub path: String,
    /// What to write.
    pub content: serde_json::Value,
    /// Append instead of replacing.
    #[serde(default)]
    pub append: bool,
}

/// The `write_file` tool.
pub fn spec() -> ToolSpec {
    ToolSpec {
        name: "write_file",
        title: "Write file",
        summary: "Write a text file in the workspace folder",
        docs: DOCS,
        args_schema: schema_of::<WriteFileArgs>,
        outputs: || {
            vec![
                PortDef::new("path", ValueType::String, "the path written"),
                PortDef::new("bytes", ValueType::Integer, "bytes written"),
            ]
        },
        effect: |_| Effect::Write,
        max_effect: Effect::Write,
        raw_args: false,
        example: || json!({"path": "out/summary.md", "content": "{{ inputs.in | default('') }}"}),
    }
}
