//! The canonical form: stable key order, 2-space indentation, nodes sorted by id, edges sorted,
//! a trailing newline. Re-saving an unchanged graph is byte-identical, and a one-node change is a
//! small diff.
//!
//! Struct fields serialise in declaration order; free-form JSON (node config, default values)
//! serialises with its object keys sorted, whatever map type serde_json was built with.

use std::borrow::Borrow;

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Map, Value};

use crate::document::{Blueprint, Node};

/// Writes `blueprint` in canonical form.
pub fn to_canonical_string(blueprint: &Blueprint) -> String {
    let mut blueprint = blueprint.clone();
    canonicalize(&mut blueprint);
    // Serialising plain data to a String cannot fail: there are no non-string map keys.
    let mut text = serde_json::to_string_pretty(&blueprint).unwrap_or_default();
    text.push('\n');
    text
}

/// Sorts nodes (recursively, bodies included), edges and comments into canonical order.
pub fn canonicalize(blueprint: &mut Blueprint) {
    sort_graph(&mut blueprint.nodes, &mut blueprint.edges);
    blueprint.layout.comments.sort_by(|a, b| a.id.cmp(&b.id));
}

fn sort_graph(nodes: &mut [Node], edges: &mut [crate::document::Edge]) {
    // An explicit work list instead of recursion: bodies may nest as deep as the input allows.
    let mut pending: Vec<(&mut [Node], &mut [crate::document::Edge])> = vec![(nodes, edges)];
    while let Some((nodes, edges)) = pending.pop() {
        nodes.sort_by(|a, b| a.id.cmp(&b.id));
        edges.sort();
        for node in nodes.iter_mut() {
            if let Some(body) = node.body.as_mut() {
                pending.push((&mut body.nodes, &mut body.edges));
            }
        }
    }
}

/// Serialises a JSON value (owned or shared) with sorted keys.
pub fn sorted_value<V: Borrow<Value>, S: Serializer>(value: &V, serializer: S) -> Result<S::Ok, S::Error> {
    Sorted(value.borrow()).serialize(serializer)
}

/// Serialises an optional JSON value with sorted keys.
pub fn sorted_option<S: Serializer>(value: &Option<Value>, serializer: S) -> Result<S::Ok, S::Error> {
    value.as_ref().map(Sorted).serialize(serializer)
}

struct SortedMap<'a>(&'a Map<String, Value>);

impl Serialize for SortedMap<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut entries: Vec<(&String, &Value)> = self.0.iter().collect();
        entries.sort_by(|a, b| a.0.cmp(b.0));
        let mut map = serializer.serialize_map(Some(entries.len()))?;
        for (key, value) in entries {
            map.serialize_entry(key, &Sorted(value))?;
        }
        map.end()
    }
}

struct Sorted<'a>(&'a Value);

impl Serialize for Sorted<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Object(map) => SortedMap(map).serialize(serializer),
            Value::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(&Sorted(item))?;
                }
                seq.end()
            }
            other => other.serialize(serializer),
        }
    }
}

/// Reformats a document into canonical form. Refuses (with the reasons) when the document could
/// not be read completely, since writing it back would lose what could not be read. Older
/// versions come out migrated to the current one.
pub fn format_bytes(bytes: &[u8]) -> Result<String, Vec<crate::Diagnostic>> {
    let parsed = crate::parse_bytes(bytes);
    match parsed.blueprint {
        Some(blueprint) if parsed.is_clean() => Ok(to_canonical_string(&blueprint)),
        _ => Err(parsed.diagnostics.into_iter().filter(crate::Diagnostic::is_error).collect()),
    }
}
