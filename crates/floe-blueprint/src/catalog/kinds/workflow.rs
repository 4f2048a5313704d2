//! The `workflow` kind's catalogue entry: config type, ports and docs.
//!
//! Its real ports come from the referenced blueprint's inputs and outputs, which only the
//! compiler (through its resolver) can read; the catalogue offers the generic shape.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::catalog::{
    BlueprintRole, BlueprintUse, Catalog, Effect, KindSpec, PLAIN, Ports, ScriptField, Traits, in_port, no_body_refs,
    no_checks, schema_of, str_field, template_leaves,
};

const DOCS: &str = r#"Runs another blueprint as one step. Its input ports are the child's run inputs and its output
ports are the child's run outputs. The child run is linked to the parent run.

- **Inputs**: one port per run input of the child; required ones must be connected or given in
  `inputs`.
- **Outputs**: one port per run output of the child.
- **Config**: `blueprint` (path relative to this file), `inputs` (child input name → value or
  template).
- **Fails with**: whatever failed the child run.
- **Example**: `{"blueprint": "summarise-text.json", "inputs": {"text": "{{ nodes.fetch.body }}"}}`"#;

/// Config of a `workflow` node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkflowConfig {
    /// Path of the child blueprint, relative to this one.
    pub blueprint: String,
    /// Child input name → value; strings are templates.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub inputs: Map<String, Value>,
}

/// The `workflow` kind.
pub fn spec() -> KindSpec {
    KindSpec {
        name: "workflow",
        title: "Sub-workflow",
        summary: "Run another blueprint as one step",
        docs: DOCS,
        container: false,
        body_vars: &[],
        extra_inputs: false,
        extra_outputs: false,
        traits: Traits { config_inputs: Some("inputs"), blueprints, ..PLAIN },
        config_schema: schema_of::<WorkflowConfig>,
        ports,
        fields,
        // The child may do anything; its effects are journaled in its own run.
        effect: |_, _| Effect::Write,
        check: no_checks,
        body_refs: no_body_refs,
        example: || json!({"blueprint": "summarise-text.json", "inputs": {"text": "{{ inputs.in }}"}}),
    }
}

fn ports(_: &Map<String, Value>, _: &Catalog) -> Ports {
    Ports { inputs: vec![in_port()], outputs: Vec::new() }
}

fn fields(config: &Map<String, Value>) -> Vec<ScriptField> {
    config.get("inputs").map(|inputs| template_leaves(inputs, "/inputs")).unwrap_or_default()
}

/// The child blueprint it runs as a step.
fn blueprints(config: &Map<String, Value>) -> Vec<BlueprintUse> {
    str_field(config, "blueprint")
        .map(|reference| BlueprintUse {
            pointer: "/blueprint".into(),
            reference: reference.to_owned(),
            role: BlueprintRole::Step,
        })
        .into_iter()
        .collect()
}
