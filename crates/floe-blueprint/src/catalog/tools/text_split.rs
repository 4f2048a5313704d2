//! The `text_split` tool's catalogue entry.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::catalog::{Effect, PortDef, ToolSpec, schema_of};
use crate::document::ValueType;

const DOCS: &str = r#"Splits text into chunks by characters, lines, paragraphs or a separator, with optional overlap;
for feeding long documents to a loop of model calls.

- **Args**: `text` (default `{{ inputs.in }}`), `mode` (`chars` default, `lines`,
  `paragraphs`, `separator`), `chunk_size` (default 2000 characters or 50 lines/paragraphs),
  `overlap` (default 0), `separator`.
- **Outputs**: `chunks` (array of strings).
- **Fails with**: `tool` — overlap not smaller than chunk_size."#;

/// Arguments of `text_split`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TextSplitArgs {
    /// Text to split (default: the `in` port).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// How to split.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<SplitMode>,
    /// Chunk size in the unit of the mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub chunk_size: Option<u32>,
    /// Units repeated between consecutive chunks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overlap: Option<u32>,
    /// Separator for `separator` mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub separator: Option<String>,
}

/// How `text_split` cuts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum SplitMode {
    Chars,
    Lines,
    Paragraphs,
    Separator,
}

/// The `text_split` tool.
pub fn spec() -> ToolSpec {
    ToolSpec {
        name: "text_split",
        title: "Split text",
        summary: "Split text into chunks",
        docs: DOCS,
        args_schema: schema_of::<TextSplitArgs>,
        outputs: || vec![PortDef::new("chunks", ValueType::Array, "the chunks, in order")],
        effect: |_| Effect::Pure,
        max_effect: Effect::Pure,
        raw_args: false,
        example: || json!({"mode": "paragraphs", "chunk_size": 5}),
    }
}
