//! The `approval` kind's catalogue entry: config type, ports, template fields and docs.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::catalog::{
    Catalog, FieldRole, KindSpec, PLAIN, PortDef, Ports, ScriptField, fields_at, in_port, no_body_refs, no_checks,
    pure, schema_of,
};
use crate::document::ValueType;

const DOCS: &str = r#"Pauses the run until a person approves, rejects or edits its input. The waiting state is
durable: the app can be closed and the run approved later from the app or `floe approve`.

- **Inputs**: `in` (any): what the person reviews.
- **Outputs**: `approved` (the input, or the edited value), `rejected` (the input, with the
  reviewer's comment). The other port is skipped.
- **Config**: `message` (a template shown to the reviewer), `timeout` (e.g. `"24h"`), `on_timeout`:
  `fail` (default), `approve` or `reject`; `allow_edit` (default true).
- **Fails with**: `timeout` when the timeout passes and `on_timeout` is `fail`.
- **Example**: `{"message": "Send this email?\n\n{{ inputs.in }}", "timeout": "24h"}`"#;

/// Config of an `approval` node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalConfig {
    /// Shown to the reviewer (template).
    pub message: String,
    /// How long to wait, e.g. `"24h"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-floe-picker" = "duration"))]
    pub timeout: Option<String>,
    /// What the timeout does (default `fail`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_timeout: Option<TimeoutAction>,
    /// Whether the reviewer may edit the value (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_edit: Option<bool>,
}

/// What happens when nobody answers in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimeoutAction {
    /// The node fails with class `timeout`.
    Fail,
    /// Take the `approved` port.
    Approve,
    /// Take the `rejected` port.
    Reject,
}

/// The `approval` kind.
pub fn spec() -> KindSpec {
    KindSpec {
        name: "approval",
        title: "Approval",
        summary: "Pause until a person approves, rejects or edits",
        docs: DOCS,
        container: false,
        body_vars: &[],
        extra_inputs: true,
        extra_outputs: false,
        traits: PLAIN,
        config_schema: schema_of::<ApprovalConfig>,
        ports,
        fields,
        effect: pure,
        check: no_checks,
        body_refs: no_body_refs,
        example: || json!({"message": "Send this email?\n\n{{ inputs.in | default('(the email connected here)') }}", "timeout": "24h", "on_timeout": "reject"}),
    }
}

fn ports(_: &Map<String, Value>, _: &Catalog) -> Ports {
    Ports {
        inputs: vec![in_port()],
        outputs: vec![
            PortDef::new("approved", ValueType::Any, "the input (or edited value) when approved"),
            PortDef::new("rejected", ValueType::Any, "the input when rejected"),
        ],
    }
}

fn fields(config: &Map<String, Value>) -> Vec<ScriptField> {
    fields_at(config, &["message"], FieldRole::Template)
}
