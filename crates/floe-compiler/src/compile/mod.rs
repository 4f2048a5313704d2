//! The compiler driver: judges a blueprint against the catalogue and, when nothing is wrong,
//! builds the [`Plan`]. It never stops at the first problem.
//!
//! It expects a document produced by `floe_blueprint::parse`, which has already reported
//! field-level problems (missing ids, wrong types, bad identifiers); nodes with an empty or
//! invalid id are left out of the graph checks here rather than reported twice.
//!
//! Every step is linear in nodes + edges except the upstream check for a template that reads a
//! node which is not a direct predecessor, which walks that reader's ancestors once (memoised).
//! Nothing recurses per node of depth: walks use explicit work lists.
//!
//! One file per pass: `collect` (nodes into tables, each checked against its kind), `children`
//! (sub-workflows), `edges` (the graph and its order), `reads` (templates and what they read),
//! `results` (container results, run outputs, effects, unused nodes, the plan's scopes) and
//! `hash` (the plan hash). This file holds the shared tables and the driver that runs the passes
//! in order.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use floe_blueprint::catalog::BlueprintRole;
use floe_blueprint::diagnostic::{join_pointer, pointer_cmp, value_at};
use floe_blueprint::{
    Blueprint, Catalog, Code, Diagnostic, Edge, Effect, Fix, KindSpec, Node, OnError, PatchOp, PortDef, PortRef, Ports,
    ScriptField, Severity, ValueType, is_identifier,
};
use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use rayon::prelude::*;
use serde_json::{Value, json};

use crate::config::Validators;
use crate::plan::{
    DefaultModel, ModelSource, ModelUse, NodePolicy, Plan, PlanEdge, PlanNode, PlanOutput, Scope, WorkflowTool,
};
use crate::policy;
use crate::resolve::{NoResolver, Resolver};
use crate::templates::{self, SyntaxError};

mod children;
mod collect;
mod edges;
mod hash;
mod models;
mod permissions;
mod reads;
mod results;

// Helpers one pass defines and others use.
use children::rebase;
use collect::merged_policy;
use hash::plan_hash;
use reads::declare_input;
use results::build_scope;

/// Sub-workflows may nest this deep.
const MAX_WORKFLOW_DEPTH: usize = 16;

/// Compiles a lone blueprint (sub-workflow references cannot be resolved).
pub fn compile(blueprint: &Blueprint, catalog: &Catalog) -> (Option<Plan>, Vec<Diagnostic>) {
    compile_with(blueprint, catalog, &NoResolver, None)
}

/// Compiles a blueprint whose resolver key is `key`, resolving sub-workflows with `resolver`.
pub fn compile_with(
    blueprint: &Blueprint,
    catalog: &Catalog,
    resolver: &dyn Resolver,
    key: Option<&str>,
) -> (Option<Plan>, Vec<Diagnostic>) {
    let mut stack: Vec<String> = key.map(str::to_owned).into_iter().collect();
    let mut children = HashMap::default();
    Compiler::new(blueprint, catalog, resolver, key, &mut stack, &mut children).run()
}

/// What the compiler learnt about a sub-workflow.
#[derive(Debug, Clone)]
struct Child {
    hash: Option<String>,
    /// The child blueprint's id and description (an agent's tool name and description).
    about: (String, String),
    inputs: Vec<PortDef>,
    outputs: Option<Vec<PortDef>>,
    errors: usize,
    first_error: Option<String>,
    recursion: Option<String>,
    /// The models its plan may call, and the default model it uses.
    models: Vec<ModelUse>,
    default_model: Option<DefaultModel>,
}

struct Info<'a> {
    node: &'a Node,
    pointer: String,
    scope: usize,
    live: bool,
    spec: Option<&'a KindSpec>,
    /// Its config with `default` models resolved, when it names any (else the node's own).
    config: Option<Arc<Value>>,
    /// Its ports; set with [`Info::set_ports`], which keeps `input_positions` in step.
    ports: Ports,
    /// Input port name → position in `ports.inputs`, for nodes with many inputs (a join), so
    /// that resolving each of N edges is O(1) and a join compiles in O(N).
    input_positions: HashMap<String, usize>,
    ports_known: bool,
    policy: NodePolicy,
    effect: Effect,
    reads: Vec<usize>,
    /// The run inputs its templates read (`None`: it may read any of them).
    run_reads: Option<Vec<String>>,
    workflow: Option<String>,
    tools: Vec<WorkflowTool>,
    body: Option<usize>,
}

/// Above this many input ports a node's are looked up through an index.
const INDEXED_PORTS: usize = 16;

impl Info<'_> {
    fn set_ports(&mut self, ports: Ports, known: bool) {
        self.input_positions = if ports.inputs.len() > INDEXED_PORTS {
            ports.inputs.iter().enumerate().map(|(k, p)| (p.name.to_string(), k)).collect()
        } else {
            HashMap::default()
        };
        self.ports = ports;
        self.ports_known = known;
    }

    /// Input port `name`.
    fn input(&self, name: &str) -> Option<&PortDef> {
        if self.input_positions.is_empty() {
            self.ports.inputs.iter().find(|p| p.name == name)
        } else {
            self.input_positions.get(name).map(|&k| &self.ports.inputs[k])
        }
    }
}

struct ScopeInfo<'a> {
    container: Option<usize>,
    edges: &'a [Edge],
    pointer: String,
    members: Vec<usize>,
    graph: DiGraph<usize, PlanEdge>,
    index: HashMap<usize, NodeIndex>,
    order: Vec<NodeIndex>,
}

struct Compiler<'a, 's> {
    blueprint: &'a Blueprint,
    catalog: &'a Catalog,
    resolver: &'a dyn Resolver,
    key: Option<&'a str>,
    stack: &'s mut Vec<String>,
    children: &'s mut HashMap<String, Child>,
    diagnostics: Vec<Diagnostic>,
    infos: Vec<Info<'a>>,
    scopes: Vec<ScopeInfo<'a>>,
    ids: HashMap<&'a str, usize>,
    ancestors: HashMap<(usize, NodeIndex), HashSet<NodeIndex>>,
    used: Vec<bool>,
    /// The default model, once resolved (`None` inside: none is chosen).
    default_model: Option<Option<DefaultModel>>,
    /// Whether a node of this blueprint says `default`.
    default_used: bool,
    /// The models its nodes may call, in node order.
    models: Vec<ModelUse>,
}

impl<'a, 's> Compiler<'a, 's> {
    fn new(
        blueprint: &'a Blueprint,
        catalog: &'a Catalog,
        resolver: &'a dyn Resolver,
        key: Option<&'a str>,
        stack: &'s mut Vec<String>,
        children: &'s mut HashMap<String, Child>,
    ) -> Self {
        Self {
            blueprint,
            catalog,
            resolver,
            key,
            stack,
            children,
            diagnostics: Vec::new(),
            infos: Vec::new(),
            scopes: Vec::new(),
            ids: HashMap::default(),
            ancestors: HashMap::default(),
            used: Vec::new(),
            default_model: None,
            default_used: false,
            models: Vec::new(),
        }
    }

    fn run(mut self) -> (Option<Plan>, Vec<Diagnostic>) {
        let defaults = &self.blueprint.defaults;
        policy::check(defaults, "/defaults", None, &mut self.diagnostics);
        self.check_default_model();
        let run = policy::run(&self.blueprint.run, &mut self.diagnostics);
        self.collect();
        self.used = vec![false; self.infos.len()];
        self.assign_ids();
        self.nodes();
        self.agent_tool_permissions();
        for s in 0..self.scopes.len() {
            self.edges(s);
        }
        self.required_inputs();
        for s in 0..self.scopes.len() {
            self.order(s);
        }
        // The hash needs only the document and the sub-workflow hashes (known now); compute it
        // on another core while the templates are checked.
        let children: BTreeMap<String, String> = self
            .infos
            .iter()
            .filter_map(|info| {
                let key = info.workflow.as_ref()?;
                Some((key.clone(), self.children.get(key)?.hash.clone()?))
            })
            .chain(
                self.infos
                    .iter()
                    .flat_map(|info| &info.tools)
                    .filter_map(|tool| Some((tool.key.clone(), self.children.get(&tool.key)?.hash.clone()?))),
            )
            .collect();
        let blueprint = self.blueprint;
        let default_model = self.used_default_model();
        let resolved = default_model.as_ref().filter(|_| self.default_used).map(|d| d.model.as_str());
        let (hash, ()) = rayon::join(|| plan_hash(blueprint, &children, resolved), || self.templates());
        for i in 0..self.infos.len() {
            self.body_refs(i);
        }
        let outputs = self.outputs();
        self.container_effects();
        self.unused();
        let models = self.plan_models();

        let mut diagnostics = std::mem::take(&mut self.diagnostics);
        diagnostics.sort_by(|a, b| {
            a.severity.cmp(&b.severity).then_with(|| pointer_cmp(&a.pointer, &b.pointer)).then(a.code.cmp(&b.code))
        });
        diagnostics.dedup_by(|a, b| a.code == b.code && a.pointer == b.pointer && a.message == b.message);
        if diagnostics.iter().any(|d| d.severity == Severity::Error) {
            return (None, diagnostics);
        }
        let workflows = children;
        let root = build_scope(0, &mut self.scopes, &mut self.infos);
        let plan = Plan {
            id: self.blueprint.id.clone(),
            name: self.blueprint.name.clone(),
            hash,
            inputs: self.blueprint.inputs.clone(),
            outputs,
            run,
            root,
            workflows,
            default_model,
            models,
        };
        (Some(plan), diagnostics)
    }

    fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }
}

/// An `add` that appends to the array at `pointer`, creating it when `missing`.
fn append(pointer: &str, missing: bool, value: Value) -> PatchOp {
    if missing {
        PatchOp::Add { path: pointer.to_owned(), value: Value::Array(vec![value]) }
    } else {
        PatchOp::Add { path: format!("{pointer}/-"), value }
    }
}

/// `"did you mean `x`? "` when a candidate is a likely typo of `word`, else `""`; meant to be
/// put in front of a help line.
fn did_you_mean<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> String {
    floe_blueprint::parse::closest(word, candidates).map(|s| format!("did you mean `{s}`? ")).unwrap_or_default()
}
