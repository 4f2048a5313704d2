//! Identical node configs in one document share one allocation.
//!
//! A `serde_json` object is a B-tree whose every node reserves room for eleven entries: about
//! 630 bytes even for `{"duration": "0s"}`, and a tool's config is two of them (the config and
//! its `args`). Generated graphs repeat a config thousands of times. While a document is read,
//! each config is looked up among those already read and, when equal, the earlier one is shared;
//! the fresh copy is freed at once, so reading holds each distinct config once. (Sharing after
//! reading saved as much live memory but not the peak, which is reached while reading.) Both
//! readers share: the strict one from text and the lenient one from a JSON value (old versions,
//! documents with something to report, documents built in code). A plan that kept a copy of each
//! config also left the run's own objects, allocated and freed thousands of times, among its
//! copies in the heap: a 10k-node run of `json_query` nodes took 3.5 µs/node against 2.5.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use serde::{Deserialize, Deserializer};
use serde_json::Value;

thread_local! {
    /// Configs read so far in the document being read on this thread, by content hash.
    static SEEN: RefCell<Option<HashMap<u64, Arc<Value>>>> = const { RefCell::new(None) };
}

/// Configs are shared while this lives (the outermost one ends the sharing and frees the table).
pub(crate) struct Sharing {
    outermost: bool,
}

impl Sharing {
    pub(crate) fn begin() -> Self {
        let outermost = SEEN.with_borrow_mut(|seen| seen.is_none() && seen.replace(HashMap::new()).is_none());
        Self { outermost }
    }
}

impl Drop for Sharing {
    fn drop(&mut self) {
        if self.outermost {
            SEEN.with_borrow_mut(|seen| *seen = None);
        }
    }
}

/// `config`, or an equal one read earlier in the same document.
pub(crate) fn share(config: Value) -> Arc<Value> {
    SEEN.with_borrow_mut(|seen| {
        let Some(seen) = seen else { return Arc::new(config) };
        let mut hasher = DefaultHasher::new();
        hash_value(&config, &mut hasher);
        match seen.get(&hasher.finish()) {
            Some(earlier) if **earlier == config => Arc::clone(earlier),
            // A different config with the same hash keeps its own copy.
            Some(_) => Arc::new(config),
            None => Arc::clone(seen.entry(hasher.finish()).or_insert_with(|| Arc::new(config))),
        }
    })
}

fn hash_value(value: &Value, state: &mut DefaultHasher) {
    std::mem::discriminant(value).hash(state);
    match value {
        Value::Null => {}
        Value::Bool(b) => b.hash(state),
        Value::Number(n) => n.hash(state),
        Value::String(s) => s.hash(state),
        Value::Array(items) => {
            items.len().hash(state);
            for item in items {
                hash_value(item, state);
            }
        }
        Value::Object(map) => {
            map.len().hash(state);
            for (key, item) in map {
                key.hash(state);
                hash_value(item, state);
            }
        }
    }
}

/// `deserialize_with` for a node's config.
pub(crate) fn shared_config<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Arc<Value>, D::Error> {
    Value::deserialize(deserializer).map(share)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_configs_share_one_allocation_only_while_reading() {
        let read = |text: &str| shared_config(&mut serde_json::Deserializer::from_str(text)).expect("a JSON object");
        let sharing = Sharing::begin();
        let a = read(r#"{"tool": "sleep", "args": {"duration": "0s"}}"#);
        let b = read(r#"{"args": {"duration": "0s"}, "tool": "sleep"}"#);
        let c = read(r#"{"tool": "sleep", "args": {"duration": "1s"}}"#);
        assert!(Arc::ptr_eq(&a, &b), "equal configs are one");
        assert!(!Arc::ptr_eq(&a, &c), "different ones are not");
        // A nested reading does not end the outer one.
        drop(Sharing::begin());
        assert!(Arc::ptr_eq(&a, &read(r#"{"tool": "sleep", "args": {"duration": "0s"}}"#)));
        drop(sharing);
        assert!(
            !Arc::ptr_eq(&a, &read(r#"{"tool": "sleep", "args": {"duration": "0s"}}"#)),
            "outside a reading nothing is kept"
        );
    }

    #[test]
    fn both_readers_share_equal_configs() {
        let config = serde_json::json!({"tool": "sleep", "args": {"duration": "0s"}});
        let node = |id: &str| serde_json::json!({"id": id, "kind": "tool", "config": config});
        let document = serde_json::json!({
            "format": "floe.blueprint", "version": 1, "id": "t", "name": "t",
            "nodes": [node("a"), node("b")], "edges": [],
        });
        let from_text = crate::parse_str(&document.to_string());
        // An unknown field sends the lenient reader a note to make, as documents built in code and
        // old versions go through it too.
        let mut noted = document.clone();
        noted["nodes"][1]["colour"] = serde_json::json!("red");
        for parsed in [from_text, crate::parse_value(document), crate::parse_value(noted)] {
            let nodes = parsed.blueprint.expect("reads").nodes;
            assert!(Arc::ptr_eq(&nodes[0].config, &nodes[1].config), "equal configs are one");
        }
    }
}
