//! The `list_files` tool's catalogue entry.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::catalog::{Effect, PortDef, ToolSpec, schema_of};
use crate::document::ValueType;

const DOCS: &str = r#"Lists files under a folder of the workspace, sorted by path.

- **Args**: `dir` (default `.`), `glob` (e.g. `*.csv`), `recursive` (default false).
- **Outputs**: `files` (array of paths relative to the workspace).
- **Fails with**: `tool` — not a folder, outside the workspace."#;

/// Arguments of `list_files`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListFilesArgs {
    /// Folder relative to the workspace (default `.`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dir: Option<String>,
    /// File name pattern, e.g. `*.csv`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub glob: Option<String>,
    /// Descend into sub-folders.
    #[serde(default)]
    pub recursive: bool,
}

/// The `list_files` tool.
pub fn spec() -> ToolSpec {
    ToolSpec {
        name: "list_files",
        title: "List files",
        summary: "List files in a workspace folder",
        docs: DOCS,
        args_schema: schema_of::<ListFilesArgs>,
        outputs: || vec![PortDef::new("files", ValueType::Array, "matching paths, sorted")],
        effect: |_| Effect::Read,
        max_effect: Effect::Read,
        raw_args: false,
        example: || json!({"dir": "data", "glob": "*.csv"}),
    }
}
