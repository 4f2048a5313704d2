//! The blueprint JSON Schema, generated from the Rust types and the catalogue so editors can
//! autocomplete every kind's config and every tool's args. `cargo xtask codegen` writes it to
//! `schemas/blueprint.v1.schema.json`.

use serde_json::{Map, Value, json};

use crate::catalog::{Catalog, generator};
use crate::document::Blueprint;

/// The JSON Schema of blueprint format v1, with per-kind config and per-tool args of the built-in
/// tools (the published file; tools of other sources are checked by the compiler).
pub fn blueprint_schema(catalog: &Catalog) -> Value {
    let mut generator = generator();
    let blueprint = generator.subschema_for::<Blueprint>().to_value();
    let kind_configs: Vec<(&str, Value)> =
        catalog.kinds().iter().map(|k| (k.name, (k.config_schema)(&mut generator).to_value())).collect();
    let builtin = crate::catalog::tools::all();
    let tool_args: Vec<(&str, Value)> =
        builtin.iter().map(|t| (t.name, (t.args_schema)(&mut generator).to_value())).collect();
    let mut definitions = generator.take_definitions(true);

    if let Some(Value::Object(node)) = definitions.get_mut("Node") {
        let kinds: Vec<&str> = catalog.kinds().iter().map(|k| k.name).collect();
        if let Some(kind) = node.get_mut("properties").and_then(|p| p.get_mut("kind")) {
            kind["enum"] = json!(kinds);
        }
        node.insert("allOf".into(), conditional("kind", "config", &kind_configs));
    }
    if let Some(Value::Object(tool)) = definitions.get_mut("ToolConfig") {
        // The built-in names are offered, not required: tools of other sources (memory, MCP
        // servers) have names of their own, which the compiler checks against the run's tools.
        let names: Vec<&str> = builtin.iter().map(|t| t.name).collect();
        if let Some(name) = tool.get_mut("properties").and_then(|p| p.get_mut("tool")) {
            name["examples"] = json!(names);
        }
        tool.insert("allOf".into(), conditional("tool", "args", &tool_args));
    }

    let mut root = Map::new();
    root.insert("$schema".into(), json!("https://json-schema.org/draft/2020-12/schema"));
    root.insert("$id".into(), json!("blueprint.v1.schema.json"));
    root.insert("title".into(), json!("Floe blueprint, format version 1"));
    if let Some(Value::Object(body)) = definitions.remove("Blueprint") {
        root.extend(body.into_iter().filter(|(k, _)| k != "title"));
    } else {
        root.insert("$ref".into(), blueprint);
    }
    root.insert("$defs".into(), Value::Object(definitions));
    Value::Object(root)
}

/// `allOf: [{ if: {properties: {tag: {const: name}}}, then: {properties: {field: schema}} }, …]`
fn conditional(tag: &str, field: &str, cases: &[(&str, Value)]) -> Value {
    Value::Array(
        cases
            .iter()
            .map(|(name, schema)| {
                json!({
                    "if": { "properties": { tag: { "const": name } }, "required": [tag] },
                    "then": { "properties": { field: schema } }
                })
            })
            .collect(),
    )
}
