//! Migrations: every blueprint declares its format `version`, and older documents are upgraded
//! step by step to [`VERSION`] before they are read. Each step is a pure function on JSON.
//!
//! Version 0 was the pre-release draft format (it never shipped; it is kept as the fixture that
//! proves the path works): nodes said `type` and `params`, carried their own `position`, and edges
//! were `{ "source": "a.out", "target": "b.in" }`.

use serde_json::{Map, Value, json};

use crate::diagnostic::{Code, Diagnostic, Fix, PatchOp};
use crate::document::{FORMAT, VERSION};

/// One upgrade step, from the version at its index to the next.
type Step = fn(Value) -> Result<Value, Diagnostic>;

const STEPS: &[Step] = &[v0_to_v1];

/// The result of migrating: the document at the current version, and the version it came from.
#[derive(Debug)]
pub struct Migrated {
    /// The upgraded document.
    pub document: Value,
    /// The version the document declared.
    pub from_version: u32,
}

/// Reads the format tag and version, and upgrades the document to the current version.
pub fn migrate(document: Value) -> Result<Migrated, Diagnostic> {
    let Value::Object(object) = &document else {
        return Err(Diagnostic::new(
            Code::NotABlueprint,
            "",
            format!("the document is {}, not an object", kind_of(&document)),
            "a blueprint is a JSON object starting with {\"format\": \"floe.blueprint\", \"version\": 1, ...}",
        ));
    };
    match object.get("format") {
        Some(Value::String(tag)) if tag == FORMAT => {}
        Some(other) => {
            return Err(Diagnostic::new(
                Code::NotABlueprint,
                "/format",
                format!("the format tag is {other}, not \"{FORMAT}\""),
                "this file is not a Floe blueprint; check that you opened the right file",
            ));
        }
        None => {
            return Err(Diagnostic::new(
                Code::NotABlueprint,
                "",
                "the document has no \"format\" tag",
                format!("add \"format\": \"{FORMAT}\" at the top of the object"),
            )
            .fix(Fix {
                title: format!("add \"format\": \"{FORMAT}\""),
                patch: vec![PatchOp::Add { path: "/format".into(), value: json!(FORMAT) }],
            }));
        }
    }
    let version = match object.get("version") {
        Some(value) => value.as_u64().and_then(|v| u32::try_from(v).ok()).ok_or_else(|| {
            Diagnostic::new(
                Code::UnsupportedVersion,
                "/version",
                format!("the version is {value}, not a whole number"),
                format!("set \"version\" to {VERSION}"),
            )
        })?,
        None => {
            return Err(Diagnostic::new(
                Code::UnsupportedVersion,
                "",
                "the document has no \"version\"",
                format!("add \"version\": {VERSION}"),
            )
            .fix(Fix {
                title: format!("add \"version\": {VERSION}"),
                patch: vec![PatchOp::Add { path: "/version".into(), value: json!(VERSION) }],
            }));
        }
    };
    if version > VERSION {
        return Err(Diagnostic::new(
            Code::UnsupportedVersion,
            "/version",
            format!("version {version} was written by a newer Floe; this one reads up to {VERSION}"),
            "upgrade Floe to open this blueprint",
        ));
    }
    let mut document = document;
    for step in &STEPS[version as usize..] {
        document = step(document)?;
    }
    Ok(Migrated { document, from_version: version })
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// v0 → v1: `type` → `kind`, `params` → `config`, node `position` → `layout.nodes`,
/// edges `{source, target}` → `{from, to}`.
fn v0_to_v1(document: Value) -> Result<Value, Diagnostic> {
    let Value::Object(mut object) = document else {
        return Ok(document);
    };
    let mut positions = Map::new();
    if let Some(Value::Array(nodes)) = object.get_mut("nodes") {
        for node in nodes.iter_mut() {
            let Value::Object(node) = node else { continue };
            rename(node, "type", "kind");
            rename(node, "params", "config");
            if let (Some(position), Some(Value::String(id))) = (node.remove("position"), node.get("id")) {
                positions.insert(id.clone(), position);
            }
        }
    }
    if let Some(Value::Array(edges)) = object.get_mut("edges") {
        for edge in edges.iter_mut() {
            let Value::Object(edge) = edge else { continue };
            rename(edge, "source", "from");
            rename(edge, "target", "to");
        }
    }
    if !positions.is_empty() {
        let layout = object.entry("layout").or_insert_with(|| json!({}));
        if let Value::Object(layout) = layout {
            layout.insert("nodes".into(), Value::Object(positions));
        }
    }
    object.insert("version".into(), json!(1));
    Ok(Value::Object(object))
}

fn rename(object: &mut Map<String, Value>, from: &str, to: &str) {
    if let Some(value) = object.remove(from) {
        object.insert(to.into(), value);
    }
}
