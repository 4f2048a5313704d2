//! The node catalogue: every kind and every built-in tool described once — config schema, ports,
//! template fields, docs and an example — so the compiler, the canvas inspector and the drafter
//! all read the same source. One file per kind under `kinds/`, one per tool under `tools/`.

use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::document::ValueType;

pub mod kinds;
pub mod tools;

/// One port a kind or tool offers.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct PortDef {
    /// Port name.
    pub name: Cow<'static, str>,
    /// JSON type carried.
    #[serde(rename = "type")]
    pub ty: ValueType,
    /// What it carries.
    pub description: Cow<'static, str>,
    /// An input that must be connected (or, for sub-workflows, given in config).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
}

impl PortDef {
    /// An optional port.
    pub fn new(name: impl Into<Cow<'static, str>>, ty: ValueType, description: impl Into<Cow<'static, str>>) -> Self {
        Self { name: name.into(), ty, description: description.into(), required: false }
    }

    /// A required port.
    pub fn required(
        name: impl Into<Cow<'static, str>>,
        ty: ValueType,
        description: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self { required: true, ..Self::new(name, ty, description) }
    }
}

/// The ports of a node as its kind defines them for a given config.
#[derive(Debug, Clone, Default, PartialEq, Serialize, JsonSchema)]
pub struct Ports {
    /// Input ports.
    pub inputs: Vec<PortDef>,
    /// Output ports.
    pub outputs: Vec<PortDef>,
}

/// The standard optional `in` input most kinds have.
pub fn in_port() -> PortDef {
    PortDef::new("in", ValueType::Any, "the main input; read it in templates as `inputs.in`")
}

/// How a config string is interpreted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldRole {
    /// A minijinja template rendered to text (or, when it is exactly one `{{ expr }}`, to that
    /// expression's JSON value).
    Template,
    /// A minijinja expression evaluated to a value.
    Expression,
}

/// A config field holding a template or an expression.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ScriptField {
    /// JSON pointer inside the node's `config`.
    pub pointer: String,
    /// Template or expression.
    pub role: FieldRole,
    /// Variables this field sees besides `inputs`, `run` and `nodes`.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub vars: &'static [&'static str],
}

impl ScriptField {
    /// A field that sees the standard variables.
    pub fn new(pointer: impl Into<String>, role: FieldRole) -> Self {
        Self { pointer: pointer.into(), role, vars: &[] }
    }
}

/// Whether running something changes the world outside the run (ordered by strength).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// Computes only.
    Pure,
    /// Reads the outside world (files, GET requests) but changes nothing.
    Read,
    /// Changes the outside world; after it completes, resume and replay never fire it again.
    Write,
}

/// How many times something happens per run of a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Repeats {
    /// Exactly this many times.
    Exactly(u64),
    /// At most this many times (a limit the node may stop short of).
    UpTo(u64),
    /// Once per item of an input only known at run time.
    PerItem,
}

/// A tool call as a node's config describes it.
#[derive(Debug, Clone, Copy)]
pub struct ToolCall<'a> {
    /// The tool's name.
    pub tool: &'a str,
    /// Its args, when given.
    pub args: Option<&'a Value>,
    /// Where the args are, as a JSON pointer inside `config`.
    pub args_pointer: &'static str,
}

/// Describes no tool call.
pub fn no_tool_call(_: &Map<String, Value>) -> Option<ToolCall<'_>> {
    None
}

/// A blueprint a node runs, as its config names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlueprintUse {
    /// Where the reference is, as a JSON pointer inside `config`.
    pub pointer: String,
    /// The reference (a path relative to the referencing file).
    pub reference: String,
    /// What the node does with it.
    pub role: BlueprintRole,
}

/// How a node uses a blueprint it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlueprintRole {
    /// The node is a step that runs it: its ports are the child's inputs and outputs.
    Step,
    /// An agent may call it as a tool, by this name (default: the child's id).
    Tool {
        /// The tool's name, when the config gives one.
        name: Option<String>,
    },
}

/// Runs no other blueprint.
pub fn no_blueprints(_: &Map<String, Value>) -> Vec<BlueprintUse> {
    Vec::new()
}

/// Runs its body once (or has none).
pub fn once(_: &Map<String, Value>) -> Repeats {
    Repeats::Exactly(1)
}

/// The model names in `fields` of `config` (each a string or a list of strings), with their
/// pointers relative to `config`.
pub fn model_names<'a>(config: &'a Map<String, Value>, fields: &[&str]) -> Vec<(String, &'a str)> {
    let mut names = Vec::new();
    for field in fields {
        match config.get(*field) {
            Some(Value::String(name)) => names.push((format!("/{field}"), name.as_str())),
            Some(Value::Array(items)) => names.extend(
                items.iter().enumerate().filter_map(|(i, v)| v.as_str().map(|name| (format!("/{field}/{i}"), name))),
            ),
            _ => {}
        }
    }
    names
}

/// Calls no model.
pub fn no_model_calls(_: &Map<String, Value>) -> Option<Repeats> {
    None
}

/// A body port a container reads: (pointer inside `config`, `node.port`).
pub type BodyRef = (String, String);

/// What sets a kind apart from a plain node (one that computes from its config and inputs):
/// most kinds have none of it and say [`PLAIN`].
#[derive(Debug, Clone, Copy)]
pub struct Traits {
    /// Its executor hands the whole `run` object to user code (a script), so any run input may
    /// change its result; other kinds read exactly what their templates name.
    pub whole_run: bool,
    /// The config object whose keys give input ports a value without an edge (a `workflow`
    /// node's `inputs`): such a port counts as given.
    pub config_inputs: Option<&'static str>,
    /// The tool call a node's config describes (a `tool` node's `tool` and `args`): the compiler
    /// checks the args against that tool's schema and takes the tool's outputs as ports.
    pub tool_call: for<'a> fn(&'a Map<String, Value>) -> Option<ToolCall<'a>>,
    /// The blueprints a node of this kind runs, as its config names them (a `workflow` node's
    /// child, an agent's blueprint tools); the compiler resolves and compiles each.
    pub blueprints: fn(&Map<String, Value>) -> Vec<BlueprintUse>,
    /// How many times a container runs its body per run of the node (the pre-run estimate
    /// multiplies what the body costs by it).
    pub body_runs: fn(&Map<String, Value>) -> Repeats,
    /// How many model calls a node of this kind makes, when it calls models at all.
    pub model_calls: fn(&Map<String, Value>) -> Option<Repeats>,
    /// The config fields that name models (`provider:model`, or [`DEFAULT_MODEL`]), each a
    /// string or a list of strings: the compiler resolves `default` in them, and readiness
    /// checks look the models up.
    pub models: &'static [&'static str],
}

/// What a model field says to use the default model (the blueprint's `default_model`, else the
/// one chosen in the settings).
pub const DEFAULT_MODEL: &str = "default";

/// A plain kind's traits: it reads what its templates name, takes no input from its config, calls
/// no tool, runs no blueprint, runs its body (if any) once and calls no model.
pub const PLAIN: Traits = Traits {
    whole_run: false,
    config_inputs: None,
    tool_call: no_tool_call,
    blueprints: no_blueprints,
    body_runs: once,
    model_calls: no_model_calls,
    models: &[],
};

/// Everything Floe knows about one node kind.
#[derive(Debug, Clone)]
pub struct KindSpec {
    /// The `kind` string.
    pub name: &'static str,
    /// Palette title.
    pub title: &'static str,
    /// One line for the palette.
    pub summary: &'static str,
    /// Markdown documentation: inputs, outputs, config, failure modes.
    pub docs: &'static str,
    /// A container holds a body sub-graph.
    pub container: bool,
    /// Template variables a container gives its body nodes (`item`, `state`, …).
    pub body_vars: &'static [&'static str],
    /// Nodes of this kind may declare extra input ports.
    pub extra_inputs: bool,
    /// Nodes of this kind may declare their own output ports.
    pub extra_outputs: bool,
    /// What sets the kind apart from a plain node, beyond its config and ports.
    pub traits: Traits,
    /// The config type's schema, registered in `generator`.
    pub config_schema: fn(&mut SchemaGenerator) -> Schema,
    /// The ports for a given config.
    pub ports: fn(&Map<String, Value>, &Catalog) -> Ports,
    /// The template and expression fields of a given config.
    pub fields: fn(&Map<String, Value>) -> Vec<ScriptField>,
    /// Whether a node of this kind with this config has effects.
    pub effect: fn(&Map<String, Value>, &Catalog) -> Effect,
    /// Kind-specific checks beyond the schema; pointers are relative to `config`.
    pub check: fn(&Map<String, Value>, &Catalog) -> Vec<crate::Diagnostic>,
    /// Ports inside the body that the container reads (`collect`, `next`, branches), as
    /// (pointer inside `config`, `node.port`).
    pub body_refs: fn(&Map<String, Value>) -> Vec<BodyRef>,
    /// An example config.
    pub example: fn() -> Value,
}

/// Everything Floe knows about one built-in tool (its file under `catalog/tools/`).
#[derive(Debug)]
pub struct ToolSpec {
    /// Name used in `config.tool`.
    pub name: &'static str,
    /// Palette title.
    pub title: &'static str,
    /// One line for the palette.
    pub summary: &'static str,
    /// Markdown documentation.
    pub docs: &'static str,
    /// The `args` schema, registered in `generator`.
    pub args_schema: fn(&mut SchemaGenerator) -> Schema,
    /// Output ports.
    pub outputs: fn() -> Vec<PortDef>,
    /// Whether a call with these args has effects.
    pub effect: fn(&Map<String, Value>) -> Effect,
    /// The strongest effect any call can have (what an agent offered the tool may do).
    pub max_effect: Effect,
    /// Its args are handed over as written, templates unrendered (it renders them itself).
    pub raw_args: bool,
    /// Example args.
    pub example: fn() -> Value,
}

impl ToolSpec {
    /// The tool as the catalogue lists it, from the `builtin` source.
    pub fn info(&self) -> ToolInfo {
        ToolInfo {
            name: self.name.into(),
            source: BUILTIN.into(),
            title: self.title.into(),
            summary: self.summary.into(),
            docs: self.docs.into(),
            args_schema: standalone_schema(self.args_schema),
            outputs: (self.outputs)(),
            effect: ToolEffect::ByArgs { of: self.effect, at_most: self.max_effect },
            raw_args: self.raw_args,
            example: (self.example)(),
            compiled: Arc::default(),
        }
    }
}

/// The name of the source of the built-in tools.
pub const BUILTIN: &str = "builtin";

/// What calling a tool does to the outside world.
#[derive(Debug, Clone, Copy)]
pub enum ToolEffect {
    /// The same for every call.
    Fixed(Effect),
    /// Depending on its args (`http_request` with POST writes, with GET it reads).
    ByArgs {
        /// The effect of a call with these args.
        of: fn(&Map<String, Value>) -> Effect,
        /// The strongest effect of any call.
        at_most: Effect,
    },
}

/// One tool, whatever source offers it (the built-in tools, memory, an MCP server): what the
/// compiler checks a call's args against, what the palette and the inspector show, what agents
/// are offered. Sources describe their tools with this; nothing about a tool is known elsewhere.
#[derive(Clone)]
pub struct ToolInfo {
    /// Its name in `config.tool` and in an agent's `tools` (unique in a catalogue).
    pub name: String,
    /// The source that offers it (`builtin`, `memory`, `mcp:<server>`).
    pub source: String,
    /// Display name.
    pub title: String,
    /// One line for the palette.
    pub summary: String,
    /// Markdown documentation.
    pub docs: String,
    /// JSON Schema of its args (self-contained).
    pub args_schema: Value,
    /// Its output ports.
    pub outputs: Vec<PortDef>,
    /// Whether a call has effects.
    pub effect: ToolEffect,
    /// Its args are handed over as written, templates unrendered (it renders them itself).
    pub raw_args: bool,
    /// Args to start from.
    pub example: Value,
    /// Where the compiler keeps this tool's compiled args schema, so each is compiled once per
    /// catalogue (this crate does not validate; it only holds the slot).
    pub compiled: Arc<OnceLock<Arc<dyn std::any::Any + Send + Sync>>>,
}

impl std::fmt::Debug for ToolInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ToolInfo").field("name", &self.name).field("source", &self.source).finish_non_exhaustive()
    }
}

impl ToolInfo {
    /// The effect of a call with these args.
    pub fn effect(&self, args: &Map<String, Value>) -> Effect {
        match self.effect {
            ToolEffect::Fixed(effect) => effect,
            ToolEffect::ByArgs { of, .. } => of(args),
        }
    }

    /// The strongest effect any call can have.
    pub fn max_effect(&self) -> Effect {
        match self.effect {
            ToolEffect::Fixed(effect) | ToolEffect::ByArgs { at_most: effect, .. } => effect,
        }
    }
}

/// The catalogue of kinds and tools.
#[derive(Debug, Clone)]
pub struct Catalog {
    kinds: Vec<KindSpec>,
    tools: Vec<ToolInfo>,
}

impl Catalog {
    /// The built-in catalogue (built once).
    pub fn builtin() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG
            .get_or_init(|| Catalog { kinds: kinds::all(), tools: tools::all().iter().map(ToolSpec::info).collect() })
    }

    /// This catalogue with the tools of other sources added. A name that is taken already is
    /// refused, naming both sources: a source prefixes its names to keep them apart.
    pub fn with_tools(&self, extra: impl IntoIterator<Item = ToolInfo>) -> Result<Catalog, String> {
        let mut catalog = self.clone();
        for tool in extra {
            if let Some(taken) = catalog.tool(&tool.name) {
                return Err(format!(
                    "the tool name `{}` of source `{}` is taken by source `{}`; rename one of them",
                    tool.name, tool.source, taken.source
                ));
            }
            catalog.tools.push(tool);
        }
        catalog.tools.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(catalog)
    }

    /// Every kind, in palette order.
    pub fn kinds(&self) -> &[KindSpec] {
        &self.kinds
    }

    /// Every tool, by name.
    pub fn tools(&self) -> &[ToolInfo] {
        &self.tools
    }

    /// A kind by name.
    pub fn kind(&self, name: &str) -> Option<&KindSpec> {
        self.kinds.iter().find(|k| k.name == name)
    }

    /// A tool by name.
    pub fn tool(&self, name: &str) -> Option<&ToolInfo> {
        self.tools.iter().find(|t| t.name == name)
    }

    /// The catalogue as JSON for `floe catalog --json`, the inspector and the drafter.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self.doc()).unwrap_or_default()
    }

    /// The catalogue as a typed document (its schema types the UI).
    pub fn doc(&self) -> CatalogDoc {
        let kinds = self
            .kinds
            .iter()
            .map(|k| {
                let example = (k.example)();
                let config = example.as_object().cloned().unwrap_or_default();
                KindDoc {
                    kind: k.name,
                    title: k.title,
                    summary: k.summary,
                    docs: k.docs,
                    container: k.container,
                    body_vars: k.body_vars,
                    extra_inputs: k.extra_inputs,
                    extra_outputs: k.extra_outputs,
                    config_schema: standalone_schema(k.config_schema),
                    example_ports: (k.ports)(&config, self),
                    script_fields: script_fields(k),
                    example,
                }
            })
            .collect();
        let tools = self
            .tools
            .iter()
            .map(|t| {
                let args = t.example.as_object().cloned().unwrap_or_default();
                ToolDoc {
                    tool: t.name.clone(),
                    source: t.source.clone(),
                    title: t.title.clone(),
                    summary: t.summary.clone(),
                    docs: t.docs.clone(),
                    args_schema: t.args_schema.clone(),
                    outputs: t.outputs.clone(),
                    example_effect: t.effect(&args),
                    example: t.example.clone(),
                }
            })
            .collect();
        CatalogDoc { kinds, tools }
    }
}

/// The catalogue as clients receive it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CatalogDoc {
    /// Every node kind.
    pub kinds: Vec<KindDoc>,
    /// Every tool (kind `tool`, `config.tool`; an agent's `tools`), of every source.
    pub tools: Vec<ToolDoc>,
}

/// A node kind, described.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct KindDoc {
    /// Its name in `kind`.
    pub kind: &'static str,
    /// Display name.
    pub title: &'static str,
    /// One line.
    pub summary: &'static str,
    /// Markdown documentation.
    pub docs: &'static str,
    /// Whether it holds a body (loop, parallel, recursive).
    pub container: bool,
    /// Variables its body's templates see.
    pub body_vars: &'static [&'static str],
    /// Whether nodes may declare extra input ports.
    pub extra_inputs: bool,
    /// Whether nodes may declare extra output ports.
    pub extra_outputs: bool,
    /// JSON Schema of its config.
    pub config_schema: Value,
    /// A config to start from.
    pub example: Value,
    /// The ports the example config gives.
    pub example_ports: Ports,
    /// Which config fields hold templates or expressions (a field whose pointer is one of these,
    /// or lies under one, is edited as a template; `/args` covers every tool argument).
    pub script_fields: Vec<ScriptField>,
}

/// A tool, described.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ToolDoc {
    /// Its name in `config.tool`.
    pub tool: String,
    /// The source that offers it (`builtin`, `memory`, `mcp:<server>`).
    pub source: String,
    /// Display name.
    pub title: String,
    /// One line.
    pub summary: String,
    /// Markdown documentation.
    pub docs: String,
    /// JSON Schema of its args.
    pub args_schema: Value,
    /// Its output ports.
    pub outputs: Vec<PortDef>,
    /// Args to start from.
    pub example: Value,
    /// The effect of the example args.
    pub example_effect: Effect,
}

/// The schema generator settings used everywhere (JSON Schema 2020-12, `$defs`).
pub fn generator() -> SchemaGenerator {
    SchemaSettings::draft2020_12().into_generator()
}

/// Registers `T` in `generator` and returns a reference to it (for [`KindSpec::config_schema`]).
pub fn schema_of<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    generator.subschema_for::<T>()
}

/// A self-contained schema (with its own `$defs`) from a schema function.
pub fn standalone_schema(schema: fn(&mut SchemaGenerator) -> Schema) -> Value {
    let mut generator = generator();
    let reference = schema(&mut generator);
    let mut root = json!({ "$schema": "https://json-schema.org/draft/2020-12/schema" });
    if let (Value::Object(root), Value::Object(reference)) = (&mut root, reference.to_value()) {
        root.extend(reference);
        let definitions = generator.take_definitions(true);
        if !definitions.is_empty() {
            root.insert("$defs".into(), Value::Object(definitions));
        }
    }
    root
}

/// Reads a string field of a config.
pub fn str_field<'a>(config: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    config.get(key).and_then(Value::as_str)
}

/// Every string leaf under `value`, as template fields with pointers under `base` (iterative).
pub fn template_leaves(value: &Value, base: &str) -> Vec<ScriptField> {
    let mut out = Vec::new();
    let mut pending = vec![(value, base.to_owned())];
    while let Some((value, pointer)) = pending.pop() {
        match value {
            Value::String(_) => out.push(ScriptField::new(pointer, FieldRole::Template)),
            Value::Array(items) => pending
                .extend(items.iter().enumerate().rev().map(|(i, v)| (v, crate::diagnostic::join_pointer(&pointer, i)))),
            Value::Object(map) => {
                pending.extend(map.iter().rev().map(|(k, v)| (v, crate::diagnostic::join_pointer(&pointer, k))));
            }
            _ => {}
        }
    }
    out
}

/// The fields of `kind` that hold templates or expressions, found by asking its own `fields`
/// function about a config where every top-level property is a string — so the list can never
/// disagree with what the compiler checks.
fn script_fields(kind: &KindSpec) -> Vec<ScriptField> {
    let schema = standalone_schema(kind.config_schema);
    let root = schema.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/$defs/"));
    let object = root.and_then(|name| schema.pointer(&format!("/$defs/{name}"))).unwrap_or(&schema);
    let probe: Map<String, Value> = object
        .get("properties")
        .and_then(Value::as_object)
        .map(|properties| properties.keys().map(|k| (k.clone(), Value::String("x".into()))).collect())
        .unwrap_or_default();
    (kind.fields)(&probe)
}

/// The listed config keys that hold strings, as fields of `role`.
pub fn fields_at(config: &Map<String, Value>, keys: &[&str], role: FieldRole) -> Vec<ScriptField> {
    keys.iter()
        .filter(|k| config.get(**k).is_some_and(Value::is_string))
        .map(|k| ScriptField::new(format!("/{k}"), role))
        .collect()
}

/// A config with no effects.
pub fn pure(_: &Map<String, Value>, _: &Catalog) -> Effect {
    Effect::Pure
}

/// No kind-specific checks.
pub fn no_checks(_: &Map<String, Value>, _: &Catalog) -> Vec<crate::Diagnostic> {
    Vec::new()
}

/// No body references.
pub fn no_body_refs(_: &Map<String, Value>) -> Vec<BodyRef> {
    Vec::new()
}

/// The diagnostic for a tool name the catalogue does not know, with a did-you-mean fix.
pub fn unknown_tool(name: &str, pointer: String, catalog: &Catalog) -> crate::Diagnostic {
    let names: Vec<&str> = catalog.tools().iter().map(|t| t.name.as_str()).collect();
    let suggestion = crate::parse::closest(name, names.iter().copied());
    let help = match suggestion {
        Some(s) => format!("did you mean `{s}`? built-in tools: {}", names.join(", ")),
        None => format!("use one of the built-in tools: {}", names.join(", ")),
    };
    let diagnostic =
        crate::Diagnostic::new(crate::Code::UnknownTool, pointer.clone(), format!("unknown tool `{name}`"), help);
    match suggestion {
        Some(s) => diagnostic.fix(crate::Fix {
            title: format!("use `{s}`"),
            patch: vec![crate::PatchOp::Replace { path: pointer, value: Value::String(s.to_owned()) }],
        }),
        None => diagnostic,
    }
}
