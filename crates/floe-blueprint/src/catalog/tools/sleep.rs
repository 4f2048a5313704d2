//! The `sleep` tool's catalogue entry.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::catalog::{Effect, PortDef, ToolSpec, schema_of};
use crate::document::ValueType;

const DOCS: &str = r#"Waits for a duration (cancellable), then passes its input through. Useful for pacing calls to
rate-limited services.

- **Args**: `duration` (e.g. `"2s"`).
- **Outputs**: `out` (the `in` value).
- **Fails with**: nothing; cancellation ends it early."#;

/// Arguments of `sleep`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SleepArgs {
    /// How long, e.g. `"2s"`.
    #[schemars(extend("x-floe-picker" = "duration"))]
    pub duration: String,
}

/// The `sleep` tool.
pub fn spec() -> ToolSpec {
    ToolSpec {
        name: "sleep",
        title: "Sleep",
        summary: "Wait for a while",
        docs: DOCS,
        args_schema: schema_of::<SleepArgs>,
        outputs: || vec![PortDef::new("out", ValueType::Any, "the input, unchanged")],
        effect: |_| Effect::Pure,
        max_effect: Effect::Pure,
        raw_args: false,
        example: || json!({"duration": "2s"}),
    }
}
