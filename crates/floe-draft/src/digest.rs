//! The catalogue, compactly, for a model's prompt: every kind and tool with its ports and config
//! fields (required ones starred, types and allowed values shown), generated from the catalogue
//! so it is never out of date. About four characters a token; [`estimate_tokens`] says how many.

use std::fmt::Write as _;

use floe_blueprint::Catalog;
use floe_blueprint::catalog::{CatalogDoc, PortDef};
use serde_json::Value;

/// The digest of `catalog`.
pub fn digest(catalog: &Catalog) -> String {
    let doc: CatalogDoc = catalog.doc();
    let mut out = String::from(
        "Node kinds (config fields: * required; templates are Jinja: {{ run.<input> }}, {{ inputs.<port> }}, {{ nodes.<id>.<port> }}):\n",
    );
    for kind in &doc.kinds {
        let _ = write!(out, "- {}: {}", kind.kind, kind.summary);
        // A kind whose config names a tool takes that tool's outputs as its ports.
        let calls_tool = catalog
            .kind(kind.kind)
            .and_then(|spec| kind.example.as_object().map(|example| (spec.traits.tool_call)(example).is_some()))
            .unwrap_or(false);
        let outputs = if calls_tool { "the tool's".to_owned() } else { ports(&kind.example_ports.outputs) };
        let _ = write!(out, " | in: {} | out: {outputs}", ports(&kind.example_ports.inputs));
        if kind.container {
            let _ = write!(out, " | body sees: {}", kind.body_vars.join(", "));
        }
        let fields = fields(&kind.config_schema);
        if !fields.is_empty() {
            let _ = write!(out, " | config: {fields}");
        }
        out.push('\n');
    }
    out.push_str("Tools (kind `tool`, config {\"tool\": name, \"args\": {...}}; an agent's `tools` lists names):\n");
    for tool in &doc.tools {
        let _ = writeln!(
            out,
            "- {}: {} | args: {} | out: {}",
            tool.tool,
            tool.summary,
            fields(&tool.args_schema),
            ports(&tool.outputs)
        );
    }
    out
}

/// Tokens `text` costs, roughly (four characters a token).
pub fn estimate_tokens(text: &str) -> usize {
    text.chars().count().div_ceil(4)
}

fn ports(ports: &[PortDef]) -> String {
    if ports.is_empty() {
        return "-".to_owned();
    }
    ports.iter().map(|p| format!("{}:{}", p.name, type_name(&p.ty))).collect::<Vec<_>>().join(", ")
}

fn type_name(ty: &floe_blueprint::ValueType) -> String {
    serde_json::to_value(ty).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_else(|| "any".into())
}

/// The definition a `$ref` names (in `root`'s `$defs`), or the schema itself.
fn resolve<'v>(schema: &'v Value, root: &'v Value) -> &'v Value {
    let name = schema.get("$ref").and_then(Value::as_str).and_then(|r| r.rsplit('/').next());
    name.and_then(|n| root.get("$defs").and_then(|d| d.get(n))).unwrap_or(schema)
}

/// `name*: type, other: a|b` for the properties of an object schema (its `$ref` followed).
fn fields(root: &Value) -> String {
    let schema = resolve(root, root);
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else { return String::new() };
    let required: Vec<&str> =
        schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
    properties
        .iter()
        .map(|(name, property)| {
            let star = if required.contains(&name.as_str()) { "*" } else { "" };
            format!("{name}{star}: {}", shape(property, root))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A short type for a property: its type, its allowed values, or what its `$ref` names.
fn shape(property: &Value, root: &Value) -> String {
    if let Some(values) = property.get("enum").and_then(Value::as_array) {
        return values.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("|");
    }
    if let Some(reference) = property.get("$ref").and_then(Value::as_str) {
        let name = reference.rsplit('/').next().unwrap_or(reference);
        let target = root.get("$defs").and_then(|d| d.get(name));
        return match target {
            Some(def) if def.get("properties").is_none() => shape(def, root),
            _ => "object".to_owned(),
        };
    }
    if let Some(value) = property.get("const") {
        return value.as_str().map_or_else(|| value.to_string(), str::to_owned);
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(options) = property.get(key).and_then(Value::as_array) {
            let shapes: Vec<String> = options.iter().map(|o| shape(o, root)).filter(|s| s != "null").collect();
            return shapes.join("|");
        }
    }
    match property.get("type") {
        Some(Value::String(ty)) if ty == "array" => {
            let items = property.get("items").map_or_else(|| "any".to_owned(), |i| shape(i, root));
            format!("[{items}]")
        }
        Some(Value::String(ty)) => ty.clone(),
        Some(Value::Array(types)) => {
            types.iter().filter_map(Value::as_str).filter(|t| *t != "null").collect::<Vec<_>>().join("|")
        }
        _ => "any".to_owned(),
    }
}
