//! The `text_template` tool's catalogue entry.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::catalog::{Effect, PortDef, ToolSpec, schema_of};
use crate::document::ValueType;

const DOCS: &str = r#"Renders a minijinja template over the node's inputs, the run inputs and upstream outputs.

- **Args**: `template`.
- **Outputs**: `text` (string).
- **Fails with**: `tool` — a runtime template error (e.g. calling a missing filter)."#;

/// Arguments of `text_template`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TextTemplateArgs {
    /// The template.
    pub template: String,
}

/// The `text_template` tool.
pub fn spec() -> ToolSpec {
    ToolSpec {
        name: "text_template",
        title: "Text template",
        summary: "Render a text template",
        docs: DOCS,
        args_schema: schema_of::<TextTemplateArgs>,
        outputs: || vec![PortDef::new("text", ValueType::String, "the rendered text")],
        effect: |_| Effect::Pure,
        max_effect: Effect::Pure,
        raw_args: true,
        example: || json!({"template": "Hello {{ inputs.in | default('world') }}!"}),
    }
}
