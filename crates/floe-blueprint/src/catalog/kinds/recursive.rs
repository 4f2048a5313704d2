//! The `recursive` kind's catalogue entry: config type, ports, body references and docs.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::catalog::{
    BodyRef, Catalog, FieldRole, KindSpec, PLAIN, PortDef, Ports, Repeats, ScriptField, Traits, no_checks, pure,
    schema_of, str_field,
};
use crate::document::ValueType;

const DOCS: &str = r#"Repeats its body, carrying state, until a convergence expression holds or `max_iterations` is
reached. Each iteration's body reads `state` (the current state) and `iteration` (from 0); the
`next` port's value becomes the next state. Every iteration is visible in the run.

- **Inputs**: `initial` (any, required): the first state.
- **Outputs**: `state` (the final state), `iterations` (integer), `converged` (boolean: false when
  the limit was reached first).
- **Config**: `next` (`node.port` in the body), `until` (an expression over `state` and
  `iteration`, evaluated after each iteration), `max_iterations` (1–1000).
- **Fails with**: the body's errors; reaching the limit is not a failure (see `converged`).
- **Example**: `{"next": "refine.text", "until": "'APPROVED' in state", "max_iterations": 5}`"#;

/// Config of a `recursive` node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecursiveConfig {
    /// The body port whose value becomes the next state, `node.port`.
    pub next: String,
    /// Stop when this expression over `state` and `iteration` holds.
    pub until: String,
    /// Hard limit on iterations, 1–1000.
    #[schemars(range(min = 1, max = 1000))]
    pub max_iterations: u32,
}

/// The `recursive` kind.
pub fn spec() -> KindSpec {
    KindSpec {
        name: "recursive",
        title: "Recursive",
        summary: "Repeat a body, carrying state, until it converges or hits its limit",
        docs: DOCS,
        container: true,
        body_vars: &["state", "iteration", "parent"],
        extra_inputs: true,
        extra_outputs: false,
        traits: Traits { body_runs, ..PLAIN },
        config_schema: schema_of::<RecursiveConfig>,
        ports,
        fields,
        effect: pure,
        check: no_checks,
        body_refs,
        example: || json!({"next": "refine.text", "until": "'APPROVED' in state", "max_iterations": 5}),
    }
}

fn ports(_: &Map<String, Value>, _: &Catalog) -> Ports {
    Ports {
        inputs: vec![PortDef::required("initial", ValueType::Any, "the first state")],
        outputs: vec![
            PortDef::new("state", ValueType::Any, "the final state"),
            PortDef::new("iterations", ValueType::Integer, "how many iterations ran"),
            PortDef::new("converged", ValueType::Boolean, "whether `until` held before the limit"),
        ],
    }
}

fn fields(config: &Map<String, Value>) -> Vec<ScriptField> {
    if config.get("until").is_some_and(Value::is_string) {
        vec![ScriptField { pointer: "/until".into(), role: FieldRole::Expression, vars: &["state", "iteration"] }]
    } else {
        Vec::new()
    }
}

fn body_refs(config: &Map<String, Value>) -> Vec<BodyRef> {
    str_field(config, "next").map(|c| vec![("/next".to_owned(), c.to_owned())]).unwrap_or_default()
}

/// At most `max_iterations` times.
fn body_runs(config: &Map<String, Value>) -> Repeats {
    Repeats::UpTo(config.get("max_iterations").and_then(Value::as_u64).unwrap_or(1)) // required; validated
}
