//! The `loop` kind's catalogue entry: config type, ports, body references and docs.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::catalog::{
    BodyRef, Catalog, FieldRole, KindSpec, PLAIN, PortDef, Ports, Repeats, ScriptField, Traits, fields_at, no_checks,
    pure, schema_of, str_field,
};
use crate::document::ValueType;

const DOCS: &str = r#"Maps its body over an array: the body runs once per item, up to `concurrency` at a time, and
the value of the `collect` port is gathered for each item, in item order.

- **Inputs**: `items` (array): required unless `items` is set in config.
- **Outputs**: `results` (array, one entry per item, in order), `errors` (array of
  `{index, error}` for items that failed when `on_item_error` is `skip` or `collect`).
- **Body**: body nodes read `item`, `index` and `parent` (the loop's inputs) in templates.
- **Config**: `collect` (`node.port` inside the body); `items`, an expression giving the array
  when the port is not connected (e.g. `run.urls`); `concurrency` (default 4);
  `on_item_error`: `fail` (default; the loop fails), `skip` (drop the item), `collect` (put
  `null` in `results` and the error in `errors`).
- **Fails with**: the first item error under `fail`.
- **Example**: `{"collect": "summarise.text", "concurrency": 4}`"#;

/// Config of a `loop` node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoopConfig {
    /// An expression giving the items when the `items` port is not connected, e.g. `run.urls`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<String>,
    /// The body port whose value is collected per item, `node.port`.
    pub collect: String,
    /// Most items in flight at once, 1–256 (default 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 256))]
    pub concurrency: Option<u32>,
    /// What an item's failure does (default `fail`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_item_error: Option<ItemErrorPolicy>,
}

/// What a failed item does to the loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemErrorPolicy {
    /// Fail the loop node.
    Fail,
    /// Leave the item out of `results`.
    Skip,
    /// Put `null` in `results` and the error in `errors`.
    Collect,
}

/// The `loop` kind.
pub fn spec() -> KindSpec {
    KindSpec {
        name: "loop",
        title: "Loop",
        summary: "Map a body over an array with a concurrency limit, collecting results in order",
        docs: DOCS,
        container: true,
        body_vars: &["item", "index", "parent"],
        extra_inputs: true,
        extra_outputs: false,
        traits: Traits { body_runs: |_| Repeats::PerItem, ..PLAIN },
        config_schema: schema_of::<LoopConfig>,
        ports,
        fields,
        effect: pure,
        check: no_checks,
        body_refs,
        example: || json!({"collect": "summarise.text", "concurrency": 4}),
    }
}

fn ports(config: &Map<String, Value>, _: &Catalog) -> Ports {
    let items = if config.contains_key("items") {
        PortDef::new("items", ValueType::Array, "the items to map over (overrides config.items)")
    } else {
        PortDef::required("items", ValueType::Array, "the items to map over")
    };
    Ports {
        inputs: vec![items],
        outputs: vec![
            PortDef::new("results", ValueType::Array, "one collected value per item, in order"),
            PortDef::new("errors", ValueType::Array, "errors of failed items, with their index"),
        ],
    }
}

fn fields(config: &Map<String, Value>) -> Vec<ScriptField> {
    fields_at(config, &["items"], FieldRole::Expression)
}

fn body_refs(config: &Map<String, Value>) -> Vec<BodyRef> {
    str_field(config, "collect").map(|c| vec![("/collect".to_owned(), c.to_owned())]).unwrap_or_default()
}
