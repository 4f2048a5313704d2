//! The operations a drafter proposes, as data. Each names what it changes (a node id, a config
//! field, a `node.port`); [`apply`] carries them out in order on a copy of the blueprint and
//! stops at the first that cannot be applied, saying which one and what to do. What the
//! operations do not touch is left exactly as it was.

use std::collections::BTreeSet;

use floe_blueprint::policy::RunPolicy;
use floe_blueprint::{Blueprint, Edge, Node, Policy, PortSpec, RunInput, RunOutput, is_identifier};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One edit of a blueprint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Op {
    /// Adds a node (inside a container's body when `inside` names the container).
    AddNode {
        /// A new, unique identifier (letters, digits, `_`).
        id: String,
        /// A kind from the catalogue.
        kind: String,
        /// Shown on the canvas.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        title: String,
        /// The kind's config.
        #[serde(default, skip_serializing_if = "Map::is_empty")]
        config: Map<String, Value>,
        /// Extra input ports (join inputs, a code node's inputs).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        inputs: Vec<PortSpec>,
        /// Extra output ports (a code node's).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        outputs: Vec<PortSpec>,
        /// Retry, timeout, on_error, join.
        #[serde(default, skip_serializing_if = "Policy::is_empty")]
        policy: Policy,
        /// The container (loop, parallel, recursive) whose body it goes in.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        inside: Option<String>,
    },
    /// Removes a node (with its body), the edges that touch it, the run outputs that read it.
    RemoveNode {
        /// The node.
        id: String,
    },
    /// Sets one top-level config field of a node (`null` removes it).
    SetConfig {
        /// The node.
        node: String,
        /// The config field.
        field: String,
        /// Its new value.
        value: Value,
    },
    /// Replaces a node's policy (retry, timeout, on_error, join).
    SetPolicy {
        /// The node.
        node: String,
        /// The policy.
        policy: Policy,
    },
    /// Sets a node's title.
    SetTitle {
        /// The node.
        node: String,
        /// The title.
        title: String,
    },
    /// Connects `from` (`node.port`) to `to` (`node.port`, or `node` for an ordering edge).
    Connect {
        /// Source port.
        from: String,
        /// Target port.
        to: String,
    },
    /// Removes an edge.
    Disconnect {
        /// Source port.
        from: String,
        /// Target port.
        to: String,
    },
    /// Adds or replaces a run input.
    SetInput {
        /// Its name (an identifier).
        name: String,
        /// Its type, description and default.
        input: RunInput,
    },
    /// Removes a run input.
    RemoveInput {
        /// Its name.
        name: String,
    },
    /// Adds or replaces a run output read from a top-level `node.port`.
    SetOutput {
        /// Its name.
        name: String,
        /// `node.port`.
        from: String,
    },
    /// Removes a run output.
    RemoveOutput {
        /// Its name.
        name: String,
    },
    /// Renames a node; every edge, run output, template and body reference follows.
    Rename {
        /// The node.
        from: String,
        /// Its new id.
        to: String,
    },
    /// Replaces the run-wide policy (timeout, failure handling, concurrency, budget).
    SetRunPolicy {
        /// The policy.
        policy: RunPolicy,
    },
    /// Sets the blueprint's name, description or default model (fields left out stay).
    SetBlueprint {
        /// Its name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// What it does.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        description: Option<String>,
        /// The model its `default` nodes call.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        default_model: Option<String>,
    },
}

impl Op {
    /// The node ids this operation adds, changes or removes (for "untouched" checks and the
    /// preview).
    pub fn touches(&self) -> Vec<&str> {
        match self {
            Op::AddNode { id, inside, .. } => [Some(id.as_str()), inside.as_deref()].into_iter().flatten().collect(),
            Op::RemoveNode { id } => vec![id],
            Op::SetConfig { node, .. } | Op::SetPolicy { node, .. } | Op::SetTitle { node, .. } => vec![node],
            Op::Rename { from, to } => vec![from, to],
            Op::Connect { .. }
            | Op::Disconnect { .. }
            | Op::SetInput { .. }
            | Op::RemoveInput { .. }
            | Op::SetOutput { .. }
            | Op::RemoveOutput { .. }
            | Op::SetRunPolicy { .. }
            | Op::SetBlueprint { .. } => Vec::new(),
        }
    }
}

/// An operation that could not be applied: which one (from 0), and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema, thiserror::Error)]
#[error("operation {index} ({op}): {message}")]
pub struct ApplyError {
    /// Its position in the list, from 0.
    pub index: usize,
    /// Its kind (`add_node`…).
    pub op: String,
    /// What is wrong and what to do.
    pub message: String,
}

/// Where a node is: the list it is in (the top level or a body) and its place there.
struct Found {
    /// Indexes from the top level down: each container on the way, then the node.
    path: Vec<usize>,
}

fn find(nodes: &[Node], id: &str) -> Option<Found> {
    // Work list of (nodes, path so far): no recursion per nesting level.
    let mut pending: Vec<(&[Node], Vec<usize>)> = vec![(nodes, Vec::new())];
    while let Some((list, prefix)) = pending.pop() {
        for (i, node) in list.iter().enumerate() {
            let mut path = prefix.clone();
            path.push(i);
            if node.id == id {
                return Some(Found { path });
            }
            if let Some(body) = &node.body {
                pending.push((&body.nodes, path));
            }
        }
    }
    None
}

/// The node at `path`.
fn node_at<'b>(blueprint: &'b mut Blueprint, path: &[usize]) -> &'b mut Node {
    let (last, containers) = path.split_last().expect("a path names a node");
    let mut nodes = &mut blueprint.nodes;
    for &i in containers {
        nodes = &mut nodes[i].body.get_or_insert_with(Default::default).nodes;
    }
    &mut nodes[*last]
}

/// The nodes and edges of the scope a node at `path` is in.
fn scope_of<'b>(blueprint: &'b mut Blueprint, path: &[usize]) -> (&'b mut Vec<Node>, &'b mut Vec<Edge>) {
    let containers = &path[..path.len() - 1];
    if containers.is_empty() {
        return (&mut blueprint.nodes, &mut blueprint.edges);
    }
    let mut nodes = &mut blueprint.nodes;
    for &i in &containers[..containers.len() - 1] {
        nodes = &mut nodes[i].body.get_or_insert_with(Default::default).nodes;
    }
    let body = nodes[containers[containers.len() - 1]].body.get_or_insert_with(Default::default);
    (&mut body.nodes, &mut body.edges)
}

/// Every node id in `nodes`, bodies included.
pub(crate) fn ids_in(nodes: &[Node]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut pending: Vec<&Node> = nodes.iter().collect();
    while let Some(node) = pending.pop() {
        out.insert(node.id.clone());
        pending.extend(node.body.iter().flat_map(|b| &b.nodes));
    }
    out
}

/// The node `id` of a blueprint, bodies included.
pub fn find_node<'b>(blueprint: &'b Blueprint, id: &str) -> Option<&'b Node> {
    let mut pending: Vec<&Node> = blueprint.nodes.iter().collect();
    while let Some(node) = pending.pop() {
        if node.id == id {
            return Some(node);
        }
        pending.extend(node.body.iter().flat_map(|b| &b.nodes));
    }
    None
}

/// Every node id of a blueprint, bodies included.
pub fn node_ids(blueprint: &Blueprint) -> BTreeSet<String> {
    ids_in(&blueprint.nodes)
}

fn ids(blueprint: &Blueprint) -> BTreeSet<String> {
    node_ids(blueprint)
}

/// The node of a `node.port` (or `node`) reference.
fn node_of(reference: &str) -> &str {
    reference.split_once('.').map_or(reference, |(node, _)| node)
}

/// Applies `ops` in order to a copy of `base`.
pub fn apply(base: &Blueprint, ops: &[Op]) -> Result<Blueprint, ApplyError> {
    let mut blueprint = base.clone();
    for (index, op) in ops.iter().enumerate() {
        let fail = |message: String| ApplyError { index, op: op_name(op), message };
        apply_one(&mut blueprint, op).map_err(fail)?;
    }
    Ok(blueprint)
}

/// The operation's tag (`add_node`…).
pub fn op_name(op: &Op) -> String {
    serde_json::to_value(op).ok().and_then(|v| v["op"].as_str().map(str::to_owned)).unwrap_or_default()
}

fn missing(blueprint: &Blueprint, id: &str) -> String {
    let known: Vec<String> = ids(blueprint).into_iter().collect();
    let known = if known.is_empty() { "(none yet)".to_owned() } else { known.join(", ") };
    format!("there is no node `{id}`; the nodes are: {known}")
}

fn apply_one(blueprint: &mut Blueprint, op: &Op) -> Result<(), String> {
    match op {
        Op::AddNode { id, kind, title, config, inputs, outputs, policy, inside } => {
            if !is_identifier(id) {
                return Err(format!(
                    "`{id}` is not an identifier: use letters, digits and `_`, not starting with a digit"
                ));
            }
            if find(&blueprint.nodes, id).is_some() {
                return Err(format!("a node `{id}` exists already; choose another id, or change that node"));
            }
            let mut node = Node::new(id.clone(), kind.clone());
            node.title.clone_from(title);
            *node.config_mut() = config.clone();
            node.inputs.clone_from(inputs);
            node.outputs.clone_from(outputs);
            node.policy = policy.clone();
            let spec = floe_blueprint::Catalog::builtin().kind(kind);
            if spec.is_some_and(|k| k.container) {
                node.body = Some(Default::default());
            }
            match inside {
                None => blueprint.nodes.push(node),
                Some(container) => {
                    let found = find(&blueprint.nodes, container).ok_or_else(|| missing(blueprint, container))?;
                    let host = node_at(blueprint, &found.path);
                    let Some(body) = host.body.as_mut() else {
                        return Err(format!(
                            "`{container}` is a `{}` node, which has no body; only loop, parallel and recursive nodes hold nodes",
                            host.kind
                        ));
                    };
                    body.nodes.push(node);
                }
            }
        }
        Op::RemoveNode { id } => {
            let found = find(&blueprint.nodes, id).ok_or_else(|| missing(blueprint, id))?;
            let gone = ids_in(std::slice::from_ref(node_at(blueprint, &found.path)));
            let (nodes, edges) = scope_of(blueprint, &found.path);
            nodes.remove(*found.path.last().expect("a path"));
            edges.retain(|e| !gone.contains(node_of(&e.from)) && !gone.contains(node_of(&e.to)));
            blueprint.outputs.retain(|_, out| !gone.contains(node_of(&out.from)));
            blueprint.layout.nodes.retain(|node, _| !gone.contains(node));
        }
        Op::SetConfig { node, field, value } => {
            let found = find(&blueprint.nodes, node).ok_or_else(|| missing(blueprint, node))?;
            let config = node_at(blueprint, &found.path).config_mut();
            if value.is_null() {
                config.remove(field);
            } else {
                config.insert(field.clone(), value.clone());
            }
        }
        Op::SetPolicy { node, policy } => {
            let found = find(&blueprint.nodes, node).ok_or_else(|| missing(blueprint, node))?;
            node_at(blueprint, &found.path).policy = policy.clone();
        }
        Op::SetTitle { node, title } => {
            let found = find(&blueprint.nodes, node).ok_or_else(|| missing(blueprint, node))?;
            node_at(blueprint, &found.path).title.clone_from(title);
        }
        Op::Connect { from, to } => {
            let (source, target) = (node_of(from), node_of(to));
            if !from.contains('.') {
                return Err(format!("the source `{from}` names no port; write `{from}.<port>`, e.g. `{from}.text`"));
            }
            let found = find(&blueprint.nodes, source).ok_or_else(|| missing(blueprint, source))?;
            let other = find(&blueprint.nodes, target).ok_or_else(|| missing(blueprint, target))?;
            if found.path[..found.path.len() - 1] != other.path[..other.path.len() - 1] {
                return Err(format!(
                    "`{source}` and `{target}` are in different graphs (a container's body is its own); connect nodes of the same body, and read outer values in templates with `parent.…`"
                ));
            }
            let (_, edges) = scope_of(blueprint, &found.path);
            let edge = Edge::new(from.clone(), to.clone());
            if !edges.contains(&edge) {
                edges.push(edge);
            }
        }
        Op::Disconnect { from, to } => {
            let found = find(&blueprint.nodes, node_of(from)).ok_or_else(|| missing(blueprint, node_of(from)))?;
            let (_, edges) = scope_of(blueprint, &found.path);
            let before = edges.len();
            edges.retain(|e| !(e.from == *from && e.to == *to));
            if edges.len() == before {
                return Err(format!("there is no edge from `{from}` to `{to}`"));
            }
        }
        Op::SetInput { name, input } => {
            if !is_identifier(name) {
                return Err(format!("`{name}` is not an identifier: templates read it as `run.{name}`"));
            }
            blueprint.inputs.insert(name.clone(), input.clone());
        }
        Op::RemoveInput { name } => {
            blueprint.inputs.remove(name).ok_or_else(|| format!("there is no run input `{name}`"))?;
        }
        Op::SetOutput { name, from } => {
            let source = node_of(from);
            let found = find(&blueprint.nodes, source).ok_or_else(|| missing(blueprint, source))?;
            if found.path.len() > 1 {
                return Err(format!(
                    "`{source}` is inside a container; a run output reads a top-level node (the container's own output)"
                ));
            }
            let description = blueprint.outputs.get(name).map(|o| o.description.clone()).unwrap_or_default();
            blueprint.outputs.insert(name.clone(), RunOutput { from: from.clone(), description });
        }
        Op::RemoveOutput { name } => {
            blueprint.outputs.remove(name).ok_or_else(|| format!("there is no run output `{name}`"))?;
        }
        Op::Rename { from, to } => rename(blueprint, from, to)?,
        Op::SetRunPolicy { policy } => blueprint.run = policy.clone(),
        Op::SetBlueprint { name, description, default_model } => {
            if let Some(name) = name {
                blueprint.name.clone_from(name);
            }
            if let Some(description) = description {
                blueprint.description.clone_from(description);
            }
            if let Some(model) = default_model {
                blueprint.default_model = Some(model.clone());
            }
        }
    }
    Ok(())
}

/// Renames node `from` to `to` everywhere it is named: its id, edges, run outputs, the layout,
/// and in config strings `nodes.<from>.` (templates) and a leading `<from>.` (a container's
/// `collect`, `next` and branches).
fn rename(blueprint: &mut Blueprint, from: &str, to: &str) -> Result<(), String> {
    if !is_identifier(to) {
        return Err(format!("`{to}` is not an identifier: use letters, digits and `_`"));
    }
    let found = find(&blueprint.nodes, from).ok_or_else(|| missing(blueprint, from))?;
    if find(&blueprint.nodes, to).is_some() {
        return Err(format!("a node `{to}` exists already; choose another id"));
    }
    node_at(blueprint, &found.path).id = to.to_owned();
    let swap = |reference: &mut String| {
        if node_of(reference) == from {
            *reference = format!("{to}{}", &reference[from.len()..]);
        }
    };
    for edge in &mut blueprint.edges {
        swap(&mut edge.from);
        swap(&mut edge.to);
    }
    for output in blueprint.outputs.values_mut() {
        swap(&mut output.from);
    }
    if let Some(place) = blueprint.layout.nodes.remove(from) {
        blueprint.layout.nodes.insert(to.to_owned(), place);
    }
    // Every node's config and every body's edges (work list, no recursion per level).
    let mut pending: Vec<&mut Vec<Node>> = vec![&mut blueprint.nodes];
    while let Some(nodes) = pending.pop() {
        for node in nodes.iter_mut() {
            if references(&node.config, from) {
                let mut config = Value::clone(&node.config);
                rename_in(&mut config, from, to);
                node.config = std::sync::Arc::new(config);
            }
            if let Some(body) = node.body.as_mut() {
                for edge in &mut body.edges {
                    swap(&mut edge.from);
                    swap(&mut edge.to);
                }
                pending.push(&mut body.nodes);
            }
        }
    }
    Ok(())
}

/// Whether any string in `value` names node `id`.
fn references(value: &Value, id: &str) -> bool {
    match value {
        Value::String(text) => renamed(text, id, "").is_some(),
        Value::Array(items) => items.iter().any(|v| references(v, id)),
        Value::Object(map) => map.values().any(|v| references(v, id)),
        _ => false,
    }
}

fn rename_in(value: &mut Value, from: &str, to: &str) {
    match value {
        Value::String(text) => {
            if let Some(new) = renamed(text, from, to) {
                *text = new;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rename_in(v, from, to)),
        Value::Object(map) => map.values_mut().for_each(|v| rename_in(v, from, to)),
        _ => {}
    }
}

/// `text` with node `from` renamed: `nodes.<from>` followed by a non-identifier character, and
/// `<from>.` at the very start; `None` when it names no such node.
fn renamed(text: &str, from: &str, to: &str) -> Option<String> {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    let mut rest = text;
    if let Some(after) = rest.strip_prefix(from)
        && after.starts_with('.')
    {
        out.push_str(to);
        rest = after;
        changed = true;
    }
    let needle = format!("nodes.{from}");
    while let Some(at) = rest.find(&needle) {
        let before_ok = rest[..at].chars().next_back().is_none_or(|c| !ident(c) && c != '.');
        let after = &rest[at + needle.len()..];
        let after_ok = after.chars().next().is_none_or(|c| !ident(c));
        out.push_str(&rest[..at]);
        if before_ok && after_ok {
            out.push_str("nodes.");
            out.push_str(to);
            changed = true;
        } else {
            out.push_str(&needle);
        }
        rest = after;
    }
    out.push_str(rest);
    changed.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renaming_follows_templates_and_body_references_only() {
        assert_eq!(
            renamed("{{ nodes.fetch.body }} and {{ nodes.fetcher.x }}", "fetch", "get").as_deref(),
            Some("{{ nodes.get.body }} and {{ nodes.fetcher.x }}")
        );
        assert_eq!(renamed("fetch.status", "fetch", "get").as_deref(), Some("get.status"));
        assert_eq!(renamed("run.fetch.x", "fetch", "get"), None);
        assert_eq!(renamed("prefetch.x", "fetch", "get"), None);
    }
}
