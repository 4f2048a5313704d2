//! The plan hash: blake3 over the logic of the blueprint (layout and `$schema` left out) and the
//! children's hashes, streamed node by node.

use super::*;

/// `blake3:` over the logic of the blueprint (layout and `$schema` left out) and the children's
/// hashes. Order-insensitive where the canonical form sorts (nodes by id, edges), and streamed
/// node by node so hashing a large graph allocates no copy of it. When a node says `default`,
/// the model that resolved to is hashed too: another default model is other work.
pub(super) fn plan_hash(
    blueprint: &Blueprint,
    children: &BTreeMap<String, String>,
    default_model: Option<&str>,
) -> String {
    let mut hasher = Buffered::default();
    let header = json!({
        "format": blueprint.format, "version": blueprint.version, "id": blueprint.id, "name": blueprint.name,
        "description": blueprint.description, "inputs": blueprint.inputs, "outputs": blueprint.outputs,
        "defaults": blueprint.defaults, "run": blueprint.run,
    });
    hash_json(&mut hasher, &header);
    hash_graph(&mut hasher, &blueprint.nodes, &blueprint.edges);
    for (key, hash) in children {
        hasher.update(key.as_bytes());
        hasher.update(hash.as_bytes());
    }
    if let Some(model) = default_model {
        hasher.update(b"default_model");
        hash_str(&mut hasher, model);
    }
    format!("blake3:{}", hasher.finalize().to_hex())
}

/// A blake3 hasher fed through a buffer: the hash walk makes many tiny updates.
#[derive(Default)]
pub(super) struct Buffered {
    hasher: blake3::Hasher,
    buffer: Vec<u8>,
}

impl Buffered {
    fn update(&mut self, bytes: &[u8]) {
        self.buffer.extend_from_slice(bytes);
        if self.buffer.len() >= 1 << 16 {
            self.hasher.update(&self.buffer);
            self.buffer.clear();
        }
    }

    fn finalize(mut self) -> blake3::Hash {
        self.hasher.update(&self.buffer);
        self.hasher.finalize()
    }
}

impl std::io::Write for Buffered {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Hashes nodes sorted by id (each without its body, then its body as a graph) and sorted edges.
/// Bodies nest only as deep as the JSON reader allows, so recursing per body level is bounded.
pub(super) fn hash_graph(hasher: &mut Buffered, nodes: &[Node], edges: &[Edge]) {
    let mut sorted: Vec<&Node> = nodes.iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    for node in sorted {
        for text in [&node.id, &node.kind, &node.title, &node.description] {
            hash_str(hasher, text);
        }
        hash_value(hasher, &node.config);
        if !node.inputs.is_empty() || !node.outputs.is_empty() || !node.policy.is_empty() {
            hash_json(hasher, &(&node.inputs, &node.outputs, &node.policy));
        }
        if let Some(body) = &node.body {
            hasher.update(b"{body");
            hash_graph(hasher, &body.nodes, &body.edges);
            hasher.update(b"}");
        }
        hasher.update(b";");
    }
    let mut sorted: Vec<&Edge> = edges.iter().collect();
    sorted.sort();
    for edge in sorted {
        hash_str(hasher, &edge.from);
        hash_str(hasher, &edge.to);
    }
}

pub(super) fn hash_str(hasher: &mut Buffered, text: &str) {
    hasher.update(&(text.len() as u64).to_le_bytes());
    hasher.update(text.as_bytes());
}

/// Feeds a JSON value into the hash structurally (type tags, length-prefixed strings, object keys
/// in sorted order), without serialising it; iterative.
pub(super) fn hash_value(hasher: &mut Buffered, value: &Value) {
    let mut pending = vec![value];
    while let Some(value) = pending.pop() {
        match value {
            Value::Null => {
                hasher.update(b"n");
            }
            Value::Bool(b) => {
                hasher.update(if *b { b"t" } else { b"f" });
            }
            Value::Number(n) => {
                hasher.update(b"#");
                hash_str(hasher, &n.to_string());
            }
            Value::String(text) => {
                hasher.update(b"s");
                hash_str(hasher, text);
            }
            Value::Array(items) => {
                hasher.update(b"[");
                hasher.update(&(items.len() as u64).to_le_bytes());
                pending.extend(items.iter().rev());
            }
            Value::Object(map) => {
                hasher.update(b"{");
                hasher.update(&(map.len() as u64).to_le_bytes());
                let mut entries: Vec<(&String, &Value)> = map.iter().collect();
                if !entries.is_sorted_by(|a, b| a.0 <= b.0) {
                    entries.sort_by(|a, b| a.0.cmp(b.0));
                }
                // Keys are hashed now, values as they come off the stack, in the same order.
                for (key, _) in &entries {
                    hash_str(hasher, key);
                }
                pending.extend(entries.iter().rev().map(|(_, v)| *v));
            }
        }
    }
}

pub(super) fn hash_json(hasher: &mut Buffered, value: &impl serde::Serialize) {
    // Writing plain data into a hasher cannot fail.
    let _ = serde_json::to_writer(&mut *hasher, value);
    hasher.update(b"\n");
}
