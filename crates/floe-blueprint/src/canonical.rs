//! The canonical form: stable key order, 2-space indentation, nodes sorted by id, edges sorted,
//! a trailing newline. Re-saving an unchanged graph is byte-identical, and a one-node change is a
//! small diff.
//!
//! Struct fields serialise in declaration order; free-form JSON (node config, default values)
//! serialises with its object keys sorted, whatever map type serde_json was built with.
//! Numbers are written as JavaScript's `JSON.stringify` writes them (a whole float such as a
//! layout position is `120`, not `120.0`), so the app can produce the canonical bytes itself.

use std::borrow::Borrow;

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::ser::{Formatter, PrettyFormatter};
use serde_json::{Map, Value};

use crate::document::{Blueprint, Node};

/// Writes `blueprint` in canonical form.
pub fn to_canonical_string(blueprint: &Blueprint) -> String {
    let mut blueprint = blueprint.clone();
    canonicalize(&mut blueprint);
    let mut bytes = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut bytes, Canonical(PrettyFormatter::new()));
    // Serialising plain data to memory cannot fail: there are no non-string map keys.
    if blueprint.serialize(&mut serializer).is_err() {
        return String::new();
    }
    let mut text = String::from_utf8(bytes).unwrap_or_default();
    text.push('\n');
    text
}

/// Pretty JSON whose whole floats are written without a fraction, as JavaScript writes them.
struct Canonical(PrettyFormatter<'static>);

/// Largest integer every f64 holds exactly (2^53).
const EXACT: f64 = 9_007_199_254_740_992.0;

macro_rules! delegate {
    ($($name:ident($($arg:ident: $ty:ty),*)),* $(,)?) => {
        $(fn $name<W: ?Sized + std::io::Write>(&mut self, writer: &mut W $(, $arg: $ty)*) -> std::io::Result<()> {
            self.0.$name(writer $(, $arg)*)
        })*
    };
}

impl Formatter for Canonical {
    fn write_f64<W: ?Sized + std::io::Write>(&mut self, writer: &mut W, value: f64) -> std::io::Result<()> {
        if value.fract() == 0.0 && value.abs() < EXACT {
            // -0.0 is written as 0, as JavaScript does.
            write!(writer, "{}", value as i64)
        } else {
            self.0.write_f64(writer, value)
        }
    }

    delegate!(
        begin_array(),
        end_array(),
        begin_array_value(first: bool),
        end_array_value(),
        begin_object(),
        end_object(),
        begin_object_key(first: bool),
        end_object_key(),
        begin_object_value(),
        end_object_value(),
    );
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

#[cfg(test)]
mod number_tests {
    use crate::document::Blueprint;

    #[test]
    fn whole_floats_are_written_as_javascript_writes_them() {
        let mut blueprint = Blueprint::new("n", "numbers");
        blueprint.layout.nodes.insert("a".into(), crate::NodeBox { x: 120.0, y: -0.0, ..Default::default() });
        blueprint.layout.nodes.insert("b".into(), crate::NodeBox { x: 0.5, y: 1e300, ..Default::default() });
        let text = super::to_canonical_string(&blueprint);
        assert!(text.contains("\"x\": 120,\n"), "{text}");
        assert!(text.contains("\"y\": 0\n"), "{text}");
        assert!(text.contains("\"x\": 0.5,"), "{text}");
        assert!(text.contains("\"y\": 1e+300"), "beyond 2^53 the exponent form stays, as in JavaScript: {text}");
    }
}
