//! The blueprint document model: what a `.json` blueprint file holds, as plain data.
//!
//! Draft and Blueprint share this one model. A document that deserialises here may still be
//! wrong (dangling edges, missing config, cycles); judging it is the compiler's job. Node
//! configuration is kept as JSON because each kind's schema lives in the catalogue
//! ([`crate::catalog`]) and the compiler validates it there, so that every problem in every
//! node can be reported at once.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::canonical::sorted_value;
use crate::layout::Layout;
use crate::policy::{Policy, RunPolicy};

/// The format tag every blueprint carries, so a file is recognisable without guessing.
pub const FORMAT: &str = "floe.blueprint";
/// The newest blueprint format version this build reads and writes.
pub const VERSION: u32 = 1;
/// Where blueprint files under `blueprints/` find the committed JSON Schema.
pub const SCHEMA_REF: &str = "../schemas/blueprint.v1.schema.json";

/// The explicit format tag; there is only one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
pub enum FormatTag {
    /// `"floe.blueprint"`
    #[default]
    #[serde(rename = "floe.blueprint")]
    FloeBlueprint,
}

/// A workflow graph: run inputs and outputs, nodes, edges, default policies and a layout kept
/// apart from the logic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Blueprint {
    /// Optional JSON Schema reference so editors can autocomplete.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Always `"floe.blueprint"`.
    pub format: FormatTag,
    /// Format version; migrations upgrade older documents to this one.
    pub version: u32,
    /// Stable identifier (an identifier: letters, digits, `_`, `-`).
    pub id: String,
    /// Human-readable name.
    pub name: String,
    /// What the workflow does.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Typed run inputs, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub inputs: BTreeMap<String, RunInput>,
    /// Run outputs, by name, each read from a node output port.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub outputs: BTreeMap<String, RunOutput>,
    /// The model a node whose `model` is `"default"` calls (`provider:model`); without it, the
    /// default model chosen in the settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_model: Option<String>,
    /// Policies every node inherits unless it sets its own.
    #[serde(default, skip_serializing_if = "Policy::is_empty")]
    pub defaults: Policy,
    /// Run-level policy: timeout, failure handling, concurrency, budget.
    #[serde(default, skip_serializing_if = "RunPolicy::is_empty")]
    pub run: RunPolicy,
    /// The nodes of the top-level graph.
    #[serde(default)]
    pub nodes: Vec<Node>,
    /// Port-to-port connections of the top-level graph.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub edges: Vec<Edge>,
    /// Positions, sizes and comments: never read by the compiler or the engine.
    #[serde(default, skip_serializing_if = "Layout::is_empty")]
    pub layout: Layout,
}

impl Blueprint {
    /// An empty blueprint with the current format tag and version.
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            schema: None,
            format: FormatTag::FloeBlueprint,
            version: VERSION,
            id: id.into(),
            name: name.into(),
            description: String::new(),
            inputs: BTreeMap::new(),
            outputs: BTreeMap::new(),
            default_model: None,
            defaults: Policy::default(),
            run: RunPolicy::default(),
            nodes: Vec::new(),
            edges: Vec::new(),
            layout: Layout::default(),
        }
    }
}

/// A typed run input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunInput {
    /// The JSON type the value must have.
    #[serde(rename = "type", default)]
    pub ty: ValueType,
    /// Shown in the run form.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Used when the run does not give a value.
    #[serde(default, skip_serializing_if = "Option::is_none", serialize_with = "crate::canonical::sorted_option")]
    pub default: Option<Value>,
}

/// A run output, read from `node.port` of a top-level node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunOutput {
    /// The source port, written `node.port`.
    pub from: String,
    /// What the output holds.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

/// One node: a kind, its kind-specific config, extra ports, policy and, for containers, a body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Node {
    /// Unique across the whole blueprint, bodies included. An identifier: templates read
    /// `nodes.<id>.<port>`.
    pub id: String,
    /// One of the catalogue's kinds: tool, llm, agent, code, condition, loop, parallel,
    /// recursive, workflow, approval.
    pub kind: String,
    /// Shown on the canvas; defaults to the id.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// Free text notes.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Kind-specific configuration (a JSON object), validated against the kind's config schema.
    // Shared, so the compiled plan holds the same config without copying it (and equal configs
    // in one document are one: see `shared`).
    #[serde(
        default = "empty_object",
        deserialize_with = "crate::shared::shared_config",
        skip_serializing_if = "is_empty_object",
        serialize_with = "sorted_value"
    )]
    #[schemars(with = "Map<String, Value>")]
    pub config: Arc<Value>,
    /// Extra named input ports (their values are `inputs.<name>` in templates).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<PortSpec>,
    /// Extra named output ports, for kinds whose outputs the user shapes (code).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outputs: Vec<PortSpec>,
    /// Retry, timeout, on-error and join policy; unset fields inherit the blueprint defaults.
    #[serde(default, skip_serializing_if = "Policy::is_empty")]
    pub policy: Policy,
    /// The sub-graph of a container kind (loop, parallel, recursive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Body>,
}

fn empty_object() -> Arc<Value> {
    Arc::new(Value::Object(Map::new()))
}

fn is_empty_object(value: &Arc<Value>) -> bool {
    value.as_object().is_some_and(Map::is_empty)
}

impl Node {
    /// The config as a map (empty when it is not an object, which the reader reports).
    pub fn config_map(&self) -> &Map<String, Value> {
        static EMPTY: std::sync::LazyLock<Map<String, Value>> = std::sync::LazyLock::new(Map::new);
        self.config.as_object().unwrap_or(&EMPTY)
    }

    /// The config as a mutable map, replacing a non-object config with an empty one.
    pub fn config_mut(&mut self) -> &mut Map<String, Value> {
        if !self.config.is_object() {
            self.config = empty_object();
        }
        match Arc::make_mut(&mut self.config) {
            Value::Object(map) => map,
            _ => unreachable!("config was just made an object"),
        }
    }

    /// A node of `kind` with no config.
    pub fn new(id: impl Into<String>, kind: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            kind: kind.into(),
            title: String::new(),
            description: String::new(),
            config: empty_object(),
            inputs: Vec::new(),
            outputs: Vec::new(),
            policy: Policy::default(),
            body: None,
        }
    }
}

/// The sub-graph inside a container node.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Body {
    /// Nodes of the body.
    #[serde(default)]
    pub nodes: Vec<Node>,
    /// Edges between body nodes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub edges: Vec<Edge>,
}

/// A connection from an output port to an input port, both written `node.port`.
///
/// A `to` without a port (`"node"`) is an ordering edge: the target waits for the source and may
/// read it in templates as `nodes.<source>.<port>`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Edge {
    /// Source, `node.port`.
    pub from: String,
    /// Target, `node.port` (or `node` for an ordering edge).
    pub to: String,
}

impl Edge {
    /// An edge between two `node.port` strings.
    pub fn new(from: impl Into<String>, to: impl Into<String>) -> Self {
        Self { from: from.into(), to: to.into() }
    }
}

/// A parsed `node.port` reference.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PortRef<'a> {
    /// The node id.
    pub node: &'a str,
    /// The port name; `None` for a bare node reference.
    pub port: Option<&'a str>,
}

impl<'a> PortRef<'a> {
    /// Splits `node.port` (or `node` when `allow_bare`); `None` when malformed.
    pub fn parse(text: &'a str, allow_bare: bool) -> Option<Self> {
        match text.split_once('.') {
            Some((node, port)) if is_identifier(node) && is_identifier(port) => Some(Self { node, port: Some(port) }),
            None if allow_bare && is_identifier(text) => Some(Self { node: text, port: None }),
            _ => None,
        }
    }
}

impl fmt::Display for PortRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.port {
            Some(port) => write!(f, "{}.{}", self.node, port),
            None => f.write_str(self.node),
        }
    }
}

/// Node ids, port names and input names: ASCII letters, digits and `_`, not starting with a digit,
/// at most 64 characters, so templates can read them as `nodes.fetch.body`.
pub fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && text.len() <= 64
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A named, typed port declared on a node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PortSpec {
    /// Port name (an identifier).
    pub name: String,
    /// JSON type carried by the port.
    #[serde(rename = "type", default)]
    pub ty: ValueType,
    /// What the port carries.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

/// The JSON type a port or run input carries. `any` matches everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ValueType {
    /// Any JSON value.
    #[default]
    Any,
    /// A string.
    String,
    /// Any number.
    Number,
    /// A whole number.
    Integer,
    /// `true` or `false`.
    Boolean,
    /// A JSON object.
    Object,
    /// A JSON array.
    Array,
}

impl ValueType {
    /// Whether a value of type `self` may flow into a port of type `target`.
    pub fn flows_into(self, target: ValueType) -> bool {
        self == target
            || self == ValueType::Any
            || target == ValueType::Any
            || (self == ValueType::Integer && target == ValueType::Number)
    }

    /// Whether `value` has this type.
    pub fn accepts(self, value: &Value) -> bool {
        match self {
            ValueType::Any => true,
            ValueType::String => value.is_string(),
            ValueType::Number => value.is_number(),
            ValueType::Integer => value.is_i64() || value.is_u64(),
            ValueType::Boolean => value.is_boolean(),
            ValueType::Object => value.is_object(),
            ValueType::Array => value.is_array(),
        }
    }

    /// The lowercase name used in files and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            ValueType::Any => "any",
            ValueType::String => "string",
            ValueType::Number => "number",
            ValueType::Integer => "integer",
            ValueType::Boolean => "boolean",
            ValueType::Object => "object",
            ValueType::Array => "array",
        }
    }
}

impl fmt::Display for ValueType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
