//! The `regex_extract` tool's catalogue entry.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::catalog::{Effect, PortDef, ToolSpec, schema_of};
use crate::document::ValueType;

const DOCS: &str = r#"Finds matches of a regular expression (Rust regex syntax) in a text.

- **Args**: `pattern`, `text` (default `{{ inputs.in }}`), `group` (capture group, default 0),
  `all` (default true).
- **Outputs**: `matches` (array of strings), `first` (the first match, or null).
- **Fails with**: `tool` — a pattern that does not compile."#;

/// Arguments of `regex_extract`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegexExtractArgs {
    /// Regular expression.
    pub pattern: String,
    /// Text to search (default: the `in` port).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Capture group to return (default 0, the whole match).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<u32>,
    /// Return every match, not just the first (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all: Option<bool>,
}

/// The `regex_extract` tool.
pub fn spec() -> ToolSpec {
    ToolSpec {
        name: "regex_extract",
        title: "Regex extract",
        summary: "Extract matches of a regular expression",
        docs: DOCS,
        args_schema: schema_of::<RegexExtractArgs>,
        outputs: || {
            vec![
                PortDef::new("matches", ValueType::Array, "the matches"),
                PortDef::new("first", ValueType::Any, "the first match or null"),
            ]
        },
        effect: |_| Effect::Pure,
        max_effect: Effect::Pure,
        raw_args: false,
        example: || json!({"pattern": "[A-Z]{3}-\\d+"}),
    }
}
