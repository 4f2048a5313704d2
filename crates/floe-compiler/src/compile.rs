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

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

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
use crate::plan::{NodePolicy, Plan, PlanEdge, PlanNode, PlanOutput, Scope, WorkflowTool};
use crate::policy;
use crate::resolve::{NoResolver, Resolver};
use crate::templates::{self, SyntaxError};

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
}

struct Info<'a> {
    node: &'a Node,
    pointer: String,
    scope: usize,
    live: bool,
    spec: Option<&'a KindSpec>,
    ports: Ports,
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
    env: minijinja::Environment<'static>,
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
            env: templates::environment(),
        }
    }

    fn run(mut self) -> (Option<Plan>, Vec<Diagnostic>) {
        let defaults = &self.blueprint.defaults;
        policy::check(defaults, "/defaults", None, &mut self.diagnostics);
        let run = policy::run(&self.blueprint.run, &mut self.diagnostics);
        self.collect();
        self.used = vec![false; self.infos.len()];
        self.assign_ids();
        self.nodes();
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
        let (hash, ()) = rayon::join(|| plan_hash(blueprint, &children), || self.templates());
        for i in 0..self.infos.len() {
            self.body_refs(i);
        }
        let outputs = self.outputs();
        self.container_effects();
        self.unused();

        let mut diagnostics = self.diagnostics;
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
        };
        (Some(plan), diagnostics)
    }

    fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// Lists every node with its pointer and scope; bodies become scopes (work list, no recursion).
    fn collect(&mut self) {
        let blueprint = self.blueprint;
        self.scopes.push(new_scope(None, &blueprint.edges, String::new()));
        let mut pending: Vec<(usize, &'a [Node], String)> = vec![(0, &blueprint.nodes, String::new())];
        while let Some((scope, nodes, prefix)) = pending.pop() {
            for (i, node) in nodes.iter().enumerate() {
                let pointer = format!("{prefix}/nodes/{i}");
                let index = self.infos.len();
                let body = node.body.as_ref().map(|body| {
                    let body_pointer = format!("{pointer}/body");
                    self.scopes.push(new_scope(Some(index), &body.edges, body_pointer.clone()));
                    let s = self.scopes.len() - 1;
                    pending.push((s, &body.nodes, body_pointer));
                    s
                });
                self.scopes[scope].members.push(index);
                self.infos.push(Info {
                    node,
                    pointer,
                    scope,
                    live: false,
                    spec: None,
                    ports: Ports::default(),
                    ports_known: false,
                    policy: policy::resolve(&node.policy, &blueprint.defaults),
                    effect: Effect::Pure,
                    reads: Vec::new(),
                    run_reads: Some(Vec::new()),
                    workflow: None,
                    tools: Vec::new(),
                    body,
                });
            }
        }
    }

    /// Unique, valid ids join the graph; duplicates are reported with a rename fix.
    fn assign_ids(&mut self) {
        for i in 0..self.infos.len() {
            let id = self.infos[i].node.id.as_str();
            if !is_identifier(id) {
                continue;
            }
            if let Some(&first) = self.ids.get(id) {
                let mut n = 2;
                while self.ids.contains_key(format!("{id}_{n}").as_str()) {
                    n += 1;
                }
                let pointer = format!("{}/id", self.infos[i].pointer);
                let diagnostic = Diagnostic::new(
                    Code::DuplicateId,
                    pointer.clone(),
                    format!("node id `{id}` is already used by the node at {}", self.infos[first].pointer),
                    "node ids must be unique across the blueprint, bodies included; rename one of them",
                )
                .node(id)
                .fix(Fix {
                    title: format!("rename to `{id}_{n}`"),
                    patch: vec![PatchOp::Replace { path: pointer, value: json!(format!("{id}_{n}")) }],
                });
                self.push(diagnostic);
            } else {
                self.ids.insert(id, i);
                self.infos[i].live = true;
            }
        }
    }

    /// Checks every node (in parallel), then resolves sub-workflows one by one.
    fn nodes(&mut self) {
        let catalog = self.catalog;
        let checks: Vec<NodeCheck<'a>> =
            self.infos.par_iter().with_min_len(256).map(|info| check_node(info, catalog)).collect();
        for (i, check) in checks.into_iter().enumerate() {
            let info = &mut self.infos[i];
            info.spec = check.spec;
            info.ports = check.ports;
            info.ports_known = check.ports_known;
            info.effect = check.effect;
            self.diagnostics.extend(check.diagnostics);
            match self.infos[i].spec.map(|s| s.name) {
                Some("workflow") => {
                    let mut ports = Ports::default();
                    let known = self.workflow_ports(i, &mut ports);
                    if matches!(self.infos[i].policy.on_error, OnError::ErrorPort) {
                        ports.outputs.push(error_port());
                    }
                    self.infos[i].ports = ports;
                    self.infos[i].ports_known = known;
                }
                Some("agent") => self.agent_workflows(i),
                _ => {}
            }
        }
    }

    /// Resolves a `workflow` node's child and takes its inputs and outputs as ports.
    fn workflow_ports(&mut self, i: usize, ports: &mut Ports) -> bool {
        let node = self.infos[i].node;
        let pointer = format!("{}/config/blueprint", self.infos[i].pointer);
        let Some(reference) = node.config.get("blueprint").and_then(Value::as_str) else { return false };
        let Some((key, child)) = self.child(reference, &pointer, &node.id) else { return false };
        self.infos[i].workflow = Some(key);
        ports.inputs = child.inputs.clone();
        if let Some(Value::Object(given)) = node.config.get("inputs") {
            for name in given.keys() {
                if !child.inputs.iter().any(|p| &p.name == name) {
                    let names: Vec<&str> = child.inputs.iter().map(|p| p.name.as_ref()).collect();
                    self.push(
                        Diagnostic::new(
                            Code::WorkflowInput,
                            format!(
                                "{}/config/inputs/{}",
                                self.infos[i].pointer,
                                floe_blueprint::diagnostic::escape_token(name)
                            ),
                            format!("`{reference}` has no input `{name}`"),
                            format!(
                                "its inputs are: {}",
                                if names.is_empty() { "(none)".into() } else { names.join(", ") }
                            ),
                        )
                        .node(&node.id),
                    );
                }
            }
        }
        match &child.outputs {
            Some(outputs) => {
                ports.outputs = outputs.clone();
                true
            }
            None => false,
        }
    }

    /// Agents may use other blueprints as tools; those must resolve too.
    fn agent_workflows(&mut self, i: usize) {
        let node = self.infos[i].node;
        let Some(Value::Array(tools)) = node.config.get("tools") else { return };
        for (t, tool) in tools.iter().enumerate() {
            if let Some(reference) = tool.get("workflow").and_then(Value::as_str) {
                let pointer = format!("{}/config/tools/{t}/workflow", self.infos[i].pointer);
                if let Some((key, child)) = self.child(reference, &pointer, &node.id) {
                    let (id, description) = child.about.clone();
                    let name = tool.get("name").and_then(Value::as_str).map_or(id, str::to_owned);
                    self.infos[i].tools.push(WorkflowTool { name, description, key, inputs: child.inputs.clone() });
                }
            }
        }
    }

    /// Resolves and compiles a sub-workflow (once per key), reporting problems at `pointer`.
    fn child(&mut self, reference: &str, pointer: &str, node: &str) -> Option<(String, Child)> {
        let resolved = match self.resolver.resolve(self.key, reference) {
            Ok(resolved) => resolved,
            Err(why) => {
                self.push(
                    Diagnostic::new(
                        Code::WorkflowNotFound,
                        pointer,
                        format!("sub-workflow `{reference}` was not found: {why}"),
                        "check the path; it is relative to the folder of this blueprint",
                    )
                    .node(node),
                );
                return None;
            }
        };
        let key = resolved.key.clone();
        if let Some(start) = self.stack.iter().position(|k| *k == key) {
            let chain: Vec<&str> = self.stack[start..].iter().map(String::as_str).chain([key.as_str()]).collect();
            self.push(
                Diagnostic::new(
                    Code::WorkflowRecursion,
                    pointer,
                    format!("sub-workflow `{reference}` recurses into itself: {}", chain.join(" → ")),
                    "a blueprint cannot run itself, directly or through others; use a recursive node to repeat work",
                )
                .node(node),
            );
            return None;
        }
        if self.stack.len() >= MAX_WORKFLOW_DEPTH {
            self.push(
                Diagnostic::new(
                    Code::WorkflowRecursion,
                    pointer,
                    format!("sub-workflows nest more than {MAX_WORKFLOW_DEPTH} deep here"),
                    "flatten the chain of sub-workflows",
                )
                .node(node),
            );
            return None;
        }
        if !self.children.contains_key(&key) {
            let child = self.compile_child(&key, resolved);
            self.children.insert(key.clone(), child);
        }
        let child = self.children.get(&key)?.clone();
        if let Some(chain) = &child.recursion {
            self.push(
                Diagnostic::new(
                    Code::WorkflowRecursion,
                    pointer,
                    format!("sub-workflow `{reference}` recurses: {chain}"),
                    "a blueprint cannot run itself, directly or through others; use a recursive node to repeat work",
                )
                .node(node),
            );
        } else if child.errors > 0 {
            self.push(
                Diagnostic::new(
                    Code::WorkflowInvalid,
                    pointer,
                    format!(
                        "sub-workflow `{reference}` has {} error(s); the first: {}",
                        child.errors,
                        child.first_error.as_deref().unwrap_or("unknown")
                    ),
                    format!("open `{reference}` and fix it (`floe validate {reference}`)"),
                )
                .node(node),
            );
        }
        Some((key, child))
    }

    fn compile_child(&mut self, key: &str, resolved: crate::resolve::Resolved) -> Child {
        let mut errors: Vec<Diagnostic> = resolved.diagnostics.into_iter().filter(Diagnostic::is_error).collect();
        let Some(blueprint) = resolved.blueprint else {
            return summarize(None, Vec::new(), None, errors);
        };
        let inputs = blueprint
            .inputs
            .iter()
            .map(|(name, input)| {
                let description = if input.description.is_empty() {
                    "sub-workflow input".to_owned()
                } else {
                    input.description.clone()
                };
                let mut port = PortDef::new(name.clone(), input.ty, description);
                port.required = input.default.is_none();
                port
            })
            .collect();
        self.stack.push(key.to_owned());
        let (plan, found) = {
            let compiler = Compiler::new(&blueprint, self.catalog, self.resolver, Some(key), self.stack, self.children);
            compiler.run()
        };
        self.stack.pop();
        errors.extend(found.into_iter().filter(Diagnostic::is_error));
        let outputs = plan.as_ref().map(|p| {
            p.outputs()
                .iter()
                .map(|(name, out)| PortDef::new(name.clone(), out.ty, format!("from {}.{}", out.node, out.port)))
                .collect()
        });
        let mut child = summarize(plan.map(|p| p.hash().to_owned()), inputs, outputs, errors);
        child.about = (blueprint.id.clone(), blueprint.description.clone());
        child
    }

    /// Edges of one scope: syntax, endpoints, ports, types, duplicates; builds the scope graph.
    fn edges(&mut self, s: usize) {
        let members = self.scopes[s].members.clone();
        for &m in &members {
            if self.infos[m].live {
                let index = self.scopes[s].graph.add_node(m);
                self.scopes[s].index.insert(m, index);
            }
        }
        let edges = self.scopes[s].edges;
        let base = join_pointer(&self.scopes[s].pointer, "edges");
        for (e, edge) in edges.iter().enumerate() {
            if edge.from.is_empty() || edge.to.is_empty() {
                continue;
            }
            let at = || format!("{base}/{e}");
            let at_from = || format!("{base}/{e}/from");
            let at_to = || format!("{base}/{e}/to");
            let Some((from, from_ref)) = self.endpoint(s, &edge.from, &at_from, false) else { continue };
            let Some((to, to_ref)) = self.endpoint(s, &edge.to, &at_to, true) else { continue };
            let from_port = from_ref.port.unwrap_or_default().to_owned();
            let to_port = to_ref.port.map(str::to_owned);
            let from_def = self.port(from, &from_port, false, &at_from);
            let to_def = match &to_port {
                Some(port) => self.port(to, port, true, &at_to),
                None => Some(None),
            };
            let (Some(from_def), Some(to_def)) = (from_def, to_def) else { continue };
            if let (Some(a), Some(b)) = (&from_def, &to_def)
                && !a.ty.flows_into(b.ty)
            {
                let to_id = self.infos[to].node.id.clone();
                self.push(
                    Diagnostic::new(
                        Code::PortTypeMismatch,
                        at(),
                        format!("`{}` carries {} but `{}` takes {}", edge.from, a.ty, edge.to, b.ty),
                        "connect a port of a matching type, or convert the value with a code or json_query node",
                    )
                    .node(to_id),
                );
            }
            let scope = &self.scopes[s];
            let (a, b) = (scope.index[&from], scope.index[&to]);
            let weight = PlanEdge { from_port, to_port };
            // A target has few incoming edges, so scanning them finds duplicates without hashing.
            let duplicate =
                scope.graph.edges_directed(b, Direction::Incoming).any(|e| e.source() == a && *e.weight() == weight);
            if duplicate {
                self.push(
                    Diagnostic::new(
                        Code::DuplicateEdge,
                        at(),
                        format!("edge {} → {} is listed twice", edge.from, edge.to),
                        "remove the copy",
                    )
                    .fix(Fix {
                        title: "remove the duplicate edge".into(),
                        patch: vec![PatchOp::Remove { path: at() }],
                    }),
                );
                continue;
            }
            self.scopes[s].graph.add_edge(a, b, weight);
        }
    }

    /// Resolves one end of an edge to a live node in scope `s`.
    fn endpoint<'t>(
        &mut self,
        s: usize,
        text: &'t str,
        at: &dyn Fn() -> String,
        allow_bare: bool,
    ) -> Option<(usize, PortRef<'t>)> {
        let Some(reference) = PortRef::parse(text, allow_bare) else {
            self.push(Diagnostic::new(
                Code::BadPortRef,
                at(),
                format!("{text:?} is not a port reference"),
                if allow_bare {
                    "write `node.port` (or just `node` for an ordering edge)"
                } else {
                    "write `node.port`"
                },
            ));
            return None;
        };
        match self.ids.get(reference.node) {
            Some(&i) if self.infos[i].scope == s => Some((i, reference)),
            Some(&i) => {
                let container = |scope: usize| {
                    self.scopes[scope]
                        .container
                        .map_or("the top level".to_owned(), |c| format!("the body of `{}`", self.infos[c].node.id))
                };
                self.push(Diagnostic::new(
                    Code::EdgeCrossesScope,
                    at(),
                    format!("`{}` is in {}, but this edge is in {}", reference.node, container(self.infos[i].scope), container(s)),
                    "edges connect nodes of the same graph; pass values into a body through the container's inputs (`parent.*`) and out through its result ports",
                ));
                None
            }
            None if self.infos.iter().any(|info| info.node.id == reference.node) => None,
            None => {
                let candidates: Vec<&str> =
                    self.scopes[s].members.iter().map(|&m| self.infos[m].node.id.as_str()).collect();
                let suggestion = floe_blueprint::parse::closest(reference.node, candidates.iter().copied());
                let mut diagnostic = Diagnostic::new(
                    Code::EdgeUnknownNode,
                    at(),
                    format!("no node `{}` in this graph", reference.node),
                    match suggestion {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => "connect an existing node, or add the missing one".to_owned(),
                    },
                );
                if let Some(s) = suggestion {
                    let fixed = PortRef { node: s, port: reference.port }.to_string();
                    diagnostic = diagnostic.fix(Fix {
                        title: format!("use `{fixed}`"),
                        patch: vec![PatchOp::Replace { path: at(), value: json!(fixed) }],
                    });
                }
                self.push(diagnostic);
                None
            }
        }
    }

    /// Finds a port; `Some(None)` when the node's ports are unknown (its kind or tool is).
    fn port(&mut self, i: usize, port: &str, input: bool, at: &dyn Fn() -> String) -> Option<Option<PortDef>> {
        let info = &self.infos[i];
        if !info.ports_known {
            return Some(None);
        }
        let list = if input { &info.ports.inputs } else { &info.ports.outputs };
        if let Some(def) = list.iter().find(|p| p.name == port) {
            return Some(Some(def.clone()));
        }
        let names: Vec<&str> = list.iter().map(|p| p.name.as_ref()).collect();
        let node = info.node;
        let side = if input { "input" } else { "output" };
        let suggestion = floe_blueprint::parse::closest(port, names.iter().copied());
        let listing = if names.is_empty() {
            format!("it has no {side} ports")
        } else {
            format!("its {side} ports: {}", names.join(", "))
        };
        let mut diagnostic = Diagnostic::new(
            Code::EdgeUnknownPort,
            at(),
            format!("`{}` ({}) has no {side} port `{port}`", node.id, node.kind,),
            listing,
        )
        .node(&node.id);
        if let Some(s) = suggestion {
            let fixed = format!("{}.{s}", node.id);
            diagnostic.help = format!("did you mean `{fixed}`? {}", diagnostic.help);
            diagnostic = diagnostic.fix(Fix {
                title: format!("use `{fixed}`"),
                patch: vec![PatchOp::Replace { path: at(), value: json!(fixed) }],
            });
        } else if !input && port == "error" {
            diagnostic.help = "the `error` port exists only when the node's policy routes errors to it".into();
            diagnostic = diagnostic.fix(Fix {
                title: "route this node's errors to its `error` port".into(),
                patch: vec![PatchOp::Add {
                    path: format!("{}/policy", info.pointer),
                    value: merged_policy(node, json!({"action": "error_port"})),
                }],
            });
        } else if input && info.spec.is_some_and(|s| s.extra_inputs) {
            diagnostic.help = format!("{}; or declare `{port}` in the node's `inputs`", diagnostic.help);
            diagnostic = diagnostic.fix(declare_input(info, port));
        }
        self.push(diagnostic);
        None
    }

    /// Required input ports must be connected; sub-workflow inputs may also be given in config.
    fn required_inputs(&mut self) {
        for i in 0..self.infos.len() {
            let info = &self.infos[i];
            if !info.live || !info.ports_known || !info.ports.inputs.iter().any(|p| p.required) {
                continue;
            }
            let scope = &self.scopes[info.scope];
            let index = scope.index[&i];
            let connected: HashSet<&str> = scope
                .graph
                .edges_directed(index, Direction::Incoming)
                .filter_map(|e| e.weight().to_port.as_deref())
                .collect();
            let given = info.node.config.get("inputs").and_then(Value::as_object);
            let mut missing = Vec::new();
            for port in info.ports.inputs.iter().filter(|p| p.required) {
                let in_config = info.spec.is_some_and(|s| s.name == "workflow")
                    && given.is_some_and(|g| g.contains_key(port.name.as_ref()));
                if !connected.contains(port.name.as_ref()) && !in_config {
                    missing.push(port.clone());
                }
            }
            let (id, kind, pointer) = (info.node.id.clone(), info.node.kind.clone(), info.pointer.clone());
            for port in missing {
                let diagnostic = if kind == "workflow" {
                    Diagnostic::new(
                        Code::WorkflowInput,
                        pointer.clone(),
                        format!("sub-workflow input `{}` ({}) is not given", port.name, port.ty),
                        format!("connect an edge to `{id}.{}`, or set it under config.inputs", port.name),
                    )
                } else {
                    Diagnostic::new(
                        Code::InputNotConnected,
                        pointer.clone(),
                        format!("required input `{}` ({}) of `{id}` is not connected", port.name, port.ty),
                        format!("connect an output carrying {} to `{id}.{}`", port.ty, port.name),
                    )
                };
                self.push(diagnostic.node(&id));
            }
        }
    }

    /// Topological order of a scope, or one diagnostic per cycle naming every node in it.
    fn order(&mut self, s: usize) {
        match petgraph::algo::toposort(&self.scopes[s].graph, None) {
            Ok(order) => self.scopes[s].order = order,
            Err(_) => {
                let graph = &self.scopes[s].graph;
                let mut cycles: Vec<Vec<usize>> = petgraph::algo::kosaraju_scc(graph)
                    .into_iter()
                    .filter(|c| c.len() > 1 || graph.find_edge(c[0], c[0]).is_some())
                    .map(|c| {
                        let mut members: Vec<usize> = c.into_iter().map(|n| graph[n]).collect();
                        members.sort_unstable();
                        members
                    })
                    .collect();
                cycles.sort();
                for cycle in cycles {
                    let names: Vec<&str> = cycle.iter().map(|&m| self.infos[m].node.id.as_str()).collect();
                    let path = cycle_path(graph, &self.scopes[s].index, &cycle);
                    let shown: Vec<&str> = path.iter().map(|&m| self.infos[m].node.id.as_str()).collect();
                    let first = &self.infos[cycle[0]];
                    let diagnostic = Diagnostic::new(
                        Code::Cycle,
                        first.pointer.clone(),
                        format!("nodes {} form a cycle ({})", names.join(", "), shown.join(" → ")),
                        "cycles are allowed only inside a loop or recursive body: remove one of these edges, or move the repeated steps into a recursive node",
                    )
                    .node(first.node.id.clone());
                    self.diagnostics.push(diagnostic);
                }
            }
        }
    }

    /// Syntax and references of every template and expression. Parsing runs in parallel; the
    /// graph checks on what each one reads run in order afterwards.
    fn templates(&mut self) {
        // Per node, in parallel: which fields hold templates, and what each one reads.
        let (env, infos) = (&self.env, &self.infos);
        let analysed: Vec<(usize, Analysed<'a>)> = infos
            .par_iter()
            .enumerate()
            .with_min_len(256)
            .filter_map(|(i, info)| {
                let spec = info.spec?;
                let fields = (spec.fields)(info.node.config_map());
                let results = fields
                    .into_iter()
                    .filter_map(|field| {
                        let source = value_at(&info.node.config, &field.pointer)?.as_str()?;
                        let result = templates::analyse(env, source, field.role);
                        Some((field, result))
                    })
                    .collect::<Analysed<'a>>();
                (!results.is_empty()).then_some((i, results))
            })
            .collect();
        let jobs =
            analysed.iter().flat_map(|(i, results)| results.iter().map(move |(field, result)| (i, field, result)));
        let mut scope_vars: Vec<&'static str> = Vec::new();
        let mut vars_of = usize::MAX;
        for (i, field, result) in jobs {
            if vars_of != *i {
                vars_of = *i;
                scope_vars.clear();
                let mut s = self.infos[*i].scope;
                while let Some(c) = self.scopes[s].container {
                    scope_vars.extend(self.infos[c].spec.map_or(&[][..], |k| k.body_vars));
                    s = self.infos[c].scope;
                }
            }
            let node = self.infos[*i].node;
            let at = Site { node: *i, field: &field.pointer };
            match result {
                Err(SyntaxError { line, column, detail }) => {
                    let what = match field.role {
                        floe_blueprint::FieldRole::Template => "template",
                        floe_blueprint::FieldRole::Expression => "expression",
                    };
                    let diagnostic = Diagnostic::new(
                        Code::TemplateSyntax,
                        self.pointer_of(&at),
                        format!("{what} syntax error at line {line}, column {column}: {detail}"),
                        "fix the Jinja syntax; values are written {{ run.name }}, statements {% if ... %}...{% endif %}",
                    )
                    .node(&node.id);
                    self.push(diagnostic);
                }
                Ok(reads) => {
                    let source = value_at(&node.config, &field.pointer).and_then(Value::as_str).unwrap_or_default();
                    for path in reads {
                        match templates::run_read(source, path) {
                            templates::RunRead::None => {}
                            templates::RunRead::Input(name) => {
                                if let Some(names) = &mut self.infos[*i].run_reads {
                                    names.push(name.to_owned());
                                }
                            }
                            // `run` as a whole (a loop over it, a filter, a method call).
                            templates::RunRead::Any => {
                                self.infos[*i].run_reads = None;
                                continue;
                            }
                        }
                        self.read(*i, (source, path), &at, &scope_vars, field.vars);
                    }
                }
            }
        }
    }

    /// The JSON pointer of a template site.
    fn pointer_of(&self, at: &Site<'_>) -> String {
        format!("{}/config{}", self.infos[at.node].pointer, at.field)
    }

    /// Checks one variable a template reads.
    fn read(
        &mut self,
        i: usize,
        (source, path): (&str, &str),
        at: &Site<'_>,
        scope_vars: &[&str],
        field_vars: &[&str],
    ) {
        let node = self.infos[i].node;
        let mut parts = path.split('.');
        let root = parts.next().unwrap_or_default();
        let second = parts.next();
        let third = parts.next();
        match root {
            "run" => {
                if let Some(name) = second
                    && !self.blueprint.inputs.contains_key(name)
                {
                    let names: Vec<&str> = self.blueprint.inputs.keys().map(String::as_str).collect();
                    let hint = floe_blueprint::parse::closest(name, names.iter().copied())
                        .map(|s| format!("did you mean `run.{s}`? "))
                        .unwrap_or_default();
                    let diagnostic = Diagnostic::new(
                        Code::UnknownVariable,
                        self.pointer_of(at),
                        format!("`run.{name}` reads a run input that is not declared"),
                        format!("{}declare `{name}` under the blueprint's `inputs`", hint),
                    )
                    .node(&node.id)
                    .fix(Fix {
                        title: format!("declare run input `{name}`"),
                        patch: vec![PatchOp::Add {
                            path: if self.blueprint.inputs.is_empty() {
                                "/inputs".into()
                            } else {
                                join_pointer("/inputs", name)
                            },
                            value: if self.blueprint.inputs.is_empty() {
                                json!({name: {"type": "any"}})
                            } else {
                                json!({"type": "any"})
                            },
                        }],
                    });
                    self.push(diagnostic);
                }
            }
            "inputs" => {
                let info = &self.infos[i];
                if let Some(name) = second
                    && info.ports_known
                    && !info.ports.inputs.iter().any(|p| p.name == name)
                {
                    let names: Vec<&str> = info.ports.inputs.iter().map(|p| p.name.as_ref()).collect();
                    let mut diagnostic = Diagnostic::new(
                        Code::UnknownVariable,
                        self.pointer_of(at),
                        format!("`inputs.{name}` reads an input port `{}` does not have", node.id),
                        format!(
                            "its input ports: {}; declare `{name}` in the node's `inputs` and connect it",
                            names.join(", ")
                        ),
                    )
                    .node(&node.id);
                    if info.spec.is_some_and(|s| s.extra_inputs) {
                        diagnostic = diagnostic.fix(declare_input(info, name));
                    }
                    self.push(diagnostic);
                } else if let Some(name) = second
                    && info.live
                    && info.ports.inputs.iter().any(|p| p.name == name && !p.required)
                    && !templates::guarded(source, &format!("inputs.{name}"))
                    && !self.connected(i, name)
                {
                    self.unconnected_read(i, name, at);
                }
            }
            "nodes" => {
                if let Some(target) = second {
                    self.read_node(i, target, third, at);
                }
            }
            name if scope_vars.contains(&name) || field_vars.contains(&name) => {}
            name => {
                let mut known = vec!["run", "inputs", "nodes"];
                known.extend(scope_vars);
                known.extend(field_vars);
                let hint = did_you_mean(name, known.iter().copied());
                self.push(
                    Diagnostic::new(
                        Code::UnknownVariable,
                        self.pointer_of(at),
                        format!("unknown variable `{name}`"),
                        format!("{}templates here can read: {}", hint, known.join(", ")),
                    )
                    .node(&node.id),
                );
            }
        }
    }

    /// Whether an edge arrives at input port `port` of node `i`.
    fn connected(&self, i: usize, port: &str) -> bool {
        let scope = &self.scopes[self.infos[i].scope];
        scope.index.get(&i).is_some_and(|&index| {
            scope.graph.edges_directed(index, Direction::Incoming).any(|e| e.weight().to_port.as_deref() == Some(port))
        })
    }

    /// A template of node `i` reads `inputs.<port>` and nothing feeds that port: the run would
    /// stop at it. When exactly one output in the node's graph goes nowhere and can feed it
    /// without a cycle (the node that fed it was deleted, say), the fix connects it.
    fn unconnected_read(&mut self, i: usize, port: &str, at: &Site<'_>) {
        let info = &self.infos[i];
        let id = info.node.id.as_str();
        let scope = &self.scopes[info.scope];
        let mut dangling = Vec::new();
        if let Some(&reader) = scope.index.get(&i) {
            for &m in &scope.members {
                let candidate = &self.infos[m];
                let Some(&index) = scope.index.get(&m) else { continue };
                if m == i || !candidate.live || !candidate.ports_known {
                    continue;
                }
                let used: HashSet<&str> = scope
                    .graph
                    .edges_directed(index, Direction::Outgoing)
                    .map(|e| e.weight().from_port.as_str())
                    .collect();
                let free =
                    candidate.ports.outputs.iter().filter(|p| p.name != "error" && !used.contains(p.name.as_ref()));
                for output in free {
                    if !petgraph::algo::has_path_connecting(&scope.graph, reader, index, None) {
                        dangling.push(format!("{}.{}", candidate.node.id, output.name));
                    }
                }
            }
        }
        let mut diagnostic = Diagnostic::new(
            Code::InputNotConnected,
            self.pointer_of(at),
            format!("`{id}` reads `inputs.{port}`, but nothing is connected to `{id}.{port}`"),
            format!(
                "connect an output to `{id}.{port}`, or write `inputs.{port} | default(...)` if the node may run without it"
            ),
        )
        .node(id);
        if let [from] = dangling.as_slice() {
            diagnostic = diagnostic.fix(Fix {
                title: format!("connect {from} → {id}.{port}"),
                patch: vec![append(
                    &join_pointer(&scope.pointer, "edges"),
                    scope.edges.is_empty(),
                    json!({"from": from, "to": format!("{id}.{port}")}),
                )],
            });
        }
        self.push(diagnostic);
    }

    /// `nodes.<target>.<port>` read by node `i`: the target must exist, be visible and upstream.
    fn read_node(&mut self, i: usize, target: &str, port: Option<&str>, at: &Site<'_>) {
        let reader = self.infos[i].node.id.as_str();
        let Some(&t) = self.ids.get(target) else {
            let names: Vec<&str> = self.ids.keys().copied().collect();
            let hint = did_you_mean(target, names.iter().copied());
            self.push(
                Diagnostic::new(
                    Code::UnknownVariable,
                    self.pointer_of(at),
                    format!("`nodes.{target}` reads a node that does not exist"),
                    format!("{}use the id of an upstream node", hint),
                )
                .node(reader),
            );
            return;
        };
        self.used[t] = true;
        self.infos[i].reads.push(t);
        if let Some(port) = port
            && self.infos[t].ports_known
            && !self.infos[t].ports.outputs.iter().any(|p| p.name == port)
        {
            let names: Vec<&str> = self.infos[t].ports.outputs.iter().map(|p| p.name.as_ref()).collect();
            self.push(
                Diagnostic::new(
                    Code::UnknownVariable,
                    self.pointer_of(at),
                    format!("`nodes.{target}.{port}`: `{target}` has no output port `{port}`"),
                    format!("its output ports: {}", names.join(", ")),
                )
                .node(reader),
            );
        }
        if t == i {
            self.push(
                Diagnostic::new(
                    Code::NotUpstream,
                    self.pointer_of(at),
                    format!("`{reader}` reads its own output"),
                    "a node cannot read itself; read an upstream node instead",
                )
                .node(reader),
            );
            return;
        }
        // Walk out from the reader until reaching the target's scope.
        let target_scope = self.infos[t].scope;
        let mut at_level = i;
        while self.infos[at_level].scope != target_scope {
            match self.scopes[self.infos[at_level].scope].container {
                Some(c) => at_level = c,
                None => {
                    self.push(
                        Diagnostic::new(
                            Code::NotUpstream,
                            self.pointer_of(at),
                            format!("`{reader}` reads `{target}`, which is inside the body of another container"),
                            "a node can read nodes of its own graph and of the graphs around it, not inside other bodies; use that container's result ports",
                        )
                        .node(reader),
                    );
                    return;
                }
            }
        }
        if at_level == t {
            self.push(
                Diagnostic::new(
                    Code::NotUpstream,
                    self.pointer_of(at),
                    format!("`{reader}` is inside `{target}` and reads its outputs"),
                    "body nodes cannot read their own container's outputs; read `parent.*` for its inputs",
                )
                .node(reader),
            );
            return;
        }
        let scope = target_scope;
        let (Some(&a), Some(&x)) = (self.scopes[scope].index.get(&t), self.scopes[scope].index.get(&at_level)) else {
            return;
        };
        // A direct predecessor is the common case; look from the reader's side, which has few
        // incoming edges even when the source fans out to thousands.
        let direct = self.scopes[scope].graph.neighbors_directed(x, Direction::Incoming).any(|p| p == a);
        if direct || self.ancestors_of(scope, x).contains(&a) {
            return;
        }
        let via = &self.infos[at_level].node.id;
        let message = if at_level == i {
            format!("`{reader}` reads `{target}`, which is not upstream of it")
        } else {
            format!("`{reader}` reads `{target}`, which is not upstream of its container `{via}`")
        };
        let mut diagnostic = Diagnostic::new(
            Code::NotUpstream,
            self.pointer_of(at),
            message,
            format!("add an edge from `{target}` to `{via}` so it runs first"),
        )
        .node(reader);
        let cycle = self.ancestors_of(scope, a).contains(&x);
        let from_port =
            port.map(str::to_owned).or_else(|| self.infos[t].ports.outputs.first().map(|p| p.name.to_string()));
        if cycle {
            diagnostic.help =
                format!("`{target}` runs after `{via}`, so an edge would make a cycle; reorganise the graph");
        } else if let Some(from_port) = from_port {
            let edges_pointer = join_pointer(&self.scopes[scope].pointer, "edges");
            diagnostic = diagnostic.fix(Fix {
                title: format!("add edge {target}.{from_port} → {via}"),
                patch: vec![append(
                    &edges_pointer,
                    self.scopes[scope].edges.is_empty(),
                    json!({"from": format!("{target}.{from_port}"), "to": via}),
                )],
            });
        }
        self.push(diagnostic);
    }

    /// Every ancestor of `node` in `scope` (memoised reverse walk).
    fn ancestors_of(&mut self, scope: usize, node: NodeIndex) -> &HashSet<NodeIndex> {
        let graph = &self.scopes[scope].graph;
        self.ancestors.entry((scope, node)).or_insert_with(|| {
            let mut seen = HashSet::default();
            let mut queue = VecDeque::from([node]);
            while let Some(n) = queue.pop_front() {
                for p in graph.neighbors_directed(n, Direction::Incoming) {
                    if seen.insert(p) {
                        queue.push_back(p);
                    }
                }
            }
            seen
        })
    }

    /// A container's result references must name ports of its own body.
    fn body_refs(&mut self, i: usize) {
        let (Some(spec), Some(body)) = (self.infos[i].spec, self.infos[i].body) else { return };
        let node = self.infos[i].node;
        for (field, text) in (spec.body_refs)(node.config_map()) {
            let at = format!("{}/config{field}", self.infos[i].pointer);
            let Some(reference) = PortRef::parse(&text, false) else {
                self.push(
                    Diagnostic::new(
                        Code::BadPortRef,
                        at,
                        format!("{text:?} is not a port reference"),
                        "write `node.port` naming a node of the body",
                    )
                    .node(&node.id),
                );
                continue;
            };
            let member = self.ids.get(reference.node).copied().filter(|&m| self.infos[m].scope == body);
            let Some(m) = member else {
                let names: Vec<&str> =
                    self.scopes[body].members.iter().map(|&m| self.infos[m].node.id.as_str()).collect();
                let hint = did_you_mean(reference.node, names.iter().copied());
                self.push(
                    Diagnostic::new(
                        Code::BodyRefInvalid,
                        at,
                        format!("`{text}` does not name a node of `{}`'s body", node.id),
                        format!(
                            "{}body nodes: {}",
                            hint,
                            if names.is_empty() { "(none)".into() } else { names.join(", ") }
                        ),
                    )
                    .node(&node.id),
                );
                continue;
            };
            self.used[m] = true;
            let port = reference.port.unwrap_or_default();
            if self.infos[m].ports_known && !self.infos[m].ports.outputs.iter().any(|p| p.name == port) {
                let names: Vec<&str> = self.infos[m].ports.outputs.iter().map(|p| p.name.as_ref()).collect();
                self.push(
                    Diagnostic::new(
                        Code::BodyRefInvalid,
                        at,
                        format!("`{}` has no output port `{port}`", reference.node),
                        format!("its output ports: {}", names.join(", ")),
                    )
                    .node(&node.id),
                );
            }
        }
    }

    /// Run outputs must read an output port of a top-level node.
    fn outputs(&mut self) -> BTreeMap<String, PlanOutput> {
        let mut out = BTreeMap::new();
        for (name, output) in &self.blueprint.outputs {
            let at = format!("{}/from", join_pointer("/outputs", name));
            let Some(reference) = PortRef::parse(&output.from, false) else {
                self.push(Diagnostic::new(
                    Code::BadPortRef,
                    at,
                    format!("{:?} is not a port reference", output.from),
                    "write `node.port`",
                ));
                continue;
            };
            let Some(&t) = self.ids.get(reference.node) else {
                let names: Vec<&str> = self.scopes[0].members.iter().map(|&m| self.infos[m].node.id.as_str()).collect();
                let hint = did_you_mean(reference.node, names.iter().copied());
                self.push(Diagnostic::new(
                    Code::OutputSourceMissing,
                    at,
                    format!("run output `{name}` reads `{}`, which does not exist", output.from),
                    format!("{}point it at an output port of a top-level node", hint),
                ));
                continue;
            };
            if self.infos[t].scope != 0 {
                self.push(Diagnostic::new(
                    Code::OutputSourceMissing,
                    at,
                    format!("run output `{name}` reads `{}`, which is inside a container's body and never reachable from outside", output.from),
                    "read the container's result port instead",
                ));
                continue;
            }
            self.used[t] = true;
            let port = reference.port.unwrap_or_default();
            let info = &self.infos[t];
            let ty = match info.ports.outputs.iter().find(|p| p.name == port) {
                Some(def) => def.ty,
                None if !info.ports_known => ValueType::Any,
                None => {
                    let names: Vec<&str> = info.ports.outputs.iter().map(|p| p.name.as_ref()).collect();
                    let help = format!("its output ports: {}", names.join(", "));
                    self.push(Diagnostic::new(
                        Code::OutputSourceMissing,
                        at,
                        format!("run output `{name}`: `{}` has no output port `{port}`", reference.node),
                        help,
                    ));
                    continue;
                }
            };
            out.insert(name.clone(), PlanOutput { node: reference.node.to_owned(), port: port.to_owned(), ty });
        }
        out
    }

    /// A container has the strongest effect of its own and its body's (bodies come after their
    /// container in `infos`, so a reverse pass sees them first).
    fn container_effects(&mut self) {
        for i in (0..self.infos.len()).rev() {
            if let Some(container) = self.scopes[self.infos[i].scope].container {
                let effect = self.infos[i].effect;
                if effect > self.infos[container].effect {
                    self.infos[container].effect = effect;
                }
            }
        }
    }

    /// Nodes whose outputs go nowhere (warning), and error ports never connected.
    fn unused(&mut self) {
        let top_has_outputs = !self.blueprint.outputs.is_empty();
        for i in 0..self.infos.len() {
            let info = &self.infos[i];
            if !info.live || info.spec.is_none() {
                continue;
            }
            let scope = &self.scopes[info.scope];
            let index = scope.index[&i];
            let outgoing: Vec<&str> =
                scope.graph.edges_directed(index, Direction::Outgoing).map(|e| e.weight().from_port.as_str()).collect();
            let (id, pointer) = (info.node.id.clone(), info.pointer.clone());
            if matches!(info.policy.on_error, OnError::ErrorPort) && !outgoing.contains(&"error") {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::ErrorPortUnused,
                        format!("{pointer}/policy/on_error"),
                        format!("`{id}` routes errors to its `error` port, but nothing is connected to it"),
                        format!(
                            "connect `{id}.error` to a node that handles the error, or choose another on_error action"
                        ),
                    )
                    .node(&id),
                );
            }
            let judged = scope.container.is_some() || top_has_outputs;
            if judged && outgoing.is_empty() && !self.used[i] && info.effect != Effect::Write {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::UnusedNode,
                        pointer,
                        format!("the output of `{id}` is never used"),
                        "connect one of its output ports, read it in a template or a run output, or delete the node",
                    )
                    .node(&id),
                );
            }
        }
    }
}

/// Kind, body, config, ports, policy and effect of one node: everything that needs no other
/// node, so nodes are checked in parallel. Sub-workflow ports are filled in afterwards.
fn check_node<'a>(info: &Info<'a>, catalog: &'a Catalog) -> NodeCheck<'a> {
    let mut out = NodeCheck {
        spec: None,
        diagnostics: Vec::new(),
        ports: Ports::default(),
        ports_known: false,
        effect: Effect::Pure,
    };
    let node = info.node;
    let pointer = &info.pointer;
    let id = node.id.as_str();
    if !node.policy.is_empty() {
        policy::check(&node.policy, &format!("{pointer}/policy"), Some(id), &mut out.diagnostics);
    }
    if node.kind.is_empty() {
        return out;
    }
    let Some(spec) = catalog.kind(&node.kind) else {
        let names: Vec<&str> = catalog.kinds().iter().map(|k| k.name).collect();
        let suggestion = floe_blueprint::parse::closest(&node.kind, names.iter().copied());
        let at = format!("{pointer}/kind");
        let mut diagnostic = Diagnostic::new(
            Code::UnknownKind,
            at.clone(),
            format!("unknown node kind `{}`", node.kind),
            match suggestion {
                Some(s) => format!("did you mean `{s}`? kinds: {}", names.join(", ")),
                None => format!("use one of: {}", names.join(", ")),
            },
        )
        .node(id);
        if let Some(s) = suggestion {
            diagnostic = diagnostic
                .fix(Fix { title: format!("use `{s}`"), patch: vec![PatchOp::Replace { path: at, value: json!(s) }] });
        }
        out.diagnostics.push(diagnostic);
        return out;
    };
    out.spec = Some(spec);

    match (spec.container, node.body.is_some()) {
        (true, false) => out.diagnostics.push(
            Diagnostic::new(
                Code::BodyMismatch,
                pointer.clone(),
                format!("`{}` nodes need a body", spec.name),
                "add a `body` with the nodes to repeat or run in parallel",
            )
            .node(id)
            .fix(Fix {
                title: "add an empty body".into(),
                patch: vec![PatchOp::Add { path: format!("{pointer}/body"), value: json!({"nodes": []}) }],
            }),
        ),
        (false, true) => out.diagnostics.push(
            Diagnostic::new(
                Code::BodyMismatch,
                format!("{pointer}/body"),
                format!("`{}` nodes cannot have a body", spec.name),
                "only loop, parallel and recursive nodes hold a body; move these nodes out or change the kind",
            )
            .node(id),
        ),
        _ => {}
    }

    // Config problems are found with pointers relative to `config`, which are made absolute only
    // when there are any (most nodes have none, and building strings for each one adds up).
    let config = &node.config;
    let mut found = Vec::new();
    Validators::builtin().config(spec.name, config, "", &mut found);
    if spec.name == "tool"
        && let (Some(tool), Some(args)) =
            (config.get("tool").and_then(Value::as_str).and_then(|t| catalog.tool(t)), config.get("args"))
    {
        crate::config::check_args(tool, args, "/args", &mut found);
    }
    found.extend((spec.check)(node.config_map(), catalog));
    durations(config, spec.name == "tool", &mut found);
    if !found.is_empty() {
        let config_pointer = format!("{pointer}/config");
        for d in &mut found {
            d.pointer = format!("{config_pointer}{}", d.pointer);
            if let Some(fix) = d.fix.as_mut() {
                rebase(fix, &config_pointer);
            }
        }
    }
    out.diagnostics.extend(found.into_iter().map(|d| d.node(id)));

    let mut ports = (spec.ports)(node.config_map(), catalog);
    let ports_known = spec.name != "tool" || catalog.tool(config["tool"].as_str().unwrap_or_default()).is_some();
    for (field, declared, allowed) in
        [("inputs", &node.inputs, spec.extra_inputs), ("outputs", &node.outputs, spec.extra_outputs)]
    {
        if declared.is_empty() {
            continue;
        }
        if !allowed {
            out.diagnostics.push(
                Diagnostic::new(
                    Code::InvalidConfig,
                    format!("{pointer}/{field}"),
                    format!("`{}` nodes cannot declare their own {field}", spec.name),
                    "remove the declared ports; this kind's ports come from its config",
                )
                .node(id),
            );
            continue;
        }
        let list = if field == "inputs" { &mut ports.inputs } else { &mut ports.outputs };
        for port in declared {
            let def = PortDef::new(port.name.clone(), port.ty, port.description.clone());
            match list.iter_mut().find(|p| p.name == port.name) {
                Some(existing) => {
                    existing.ty = port.ty;
                    if !port.description.is_empty() {
                        existing.description = def.description;
                    }
                }
                None => list.push(def),
            }
        }
    }
    if matches!(info.policy.on_error, OnError::ErrorPort) {
        ports.outputs.push(error_port());
    }
    out.ports = ports;
    out.ports_known = ports_known;
    out.effect = (spec.effect)(node.config_map(), catalog);
    out
}

/// Duration-valued config fields (and tool args) must parse.
fn durations(config: &Value, tool: bool, out: &mut Vec<Diagnostic>) {
    let mut push = |d: Diagnostic| out.push(d);
    for key in ["timeout", "turn_timeout"] {
        if let Some(text) = config.get(key).and_then(Value::as_str) {
            policy::duration(Some(text), &format!("/{key}"), &mut push);
        }
    }
    if tool && let Some(args) = config.get("args") {
        for key in ["timeout", "duration"] {
            if let Some(text) = args.get(key).and_then(Value::as_str).filter(|t| !t.contains("{{")) {
                policy::duration(Some(text), &format!("/args/{key}"), &mut push);
            }
        }
    }
}

/// The `error` output port of a node whose policy routes errors to it.
fn error_port() -> PortDef {
    PortDef::new("error", ValueType::Object, "the error, when the node failed")
}

/// What checking one node on its own found.
struct NodeCheck<'a> {
    spec: Option<&'a KindSpec>,
    diagnostics: Vec<Diagnostic>,
    ports: Ports,
    ports_known: bool,
    effect: Effect,
}

/// The templates of one node with what each one reads (or its syntax error).
type Analysed<'s> = Vec<(ScriptField, Result<templates::Reads<'s>, SyntaxError>)>;

/// Where a template sits: the node's pointer and the field's pointer inside `config`; the full
/// pointer is only built when a diagnostic needs it.
struct Site<'p> {
    node: usize,
    field: &'p str,
}

fn new_scope<'a>(container: Option<usize>, edges: &'a [Edge], pointer: String) -> ScopeInfo<'a> {
    ScopeInfo {
        container,
        edges,
        pointer,
        members: Vec::new(),
        graph: DiGraph::new(),
        index: HashMap::default(),
        order: Vec::new(),
    }
}

fn summarize(
    hash: Option<String>,
    inputs: Vec<PortDef>,
    outputs: Option<Vec<PortDef>>,
    errors: Vec<Diagnostic>,
) -> Child {
    let recursion = errors.iter().find(|d| d.code == Code::WorkflowRecursion).map(|d| d.message.clone());
    Child {
        hash,
        about: Default::default(),
        inputs,
        outputs,
        errors: errors.len(),
        first_error: errors.first().map(|d| format!("{} {}", d.code, d.message)),
        recursion,
    }
}

/// Prefixes every path of a fix with `base`.
fn rebase(fix: &mut Fix, base: &str) {
    for op in &mut fix.patch {
        match op {
            PatchOp::Add { path, .. } | PatchOp::Replace { path, .. } | PatchOp::Remove { path } => {
                *path = format!("{base}{path}")
            }
            PatchOp::Move { from, path } => {
                *from = format!("{base}{from}");
                *path = format!("{base}{path}");
            }
        }
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

/// A fix declaring an extra input port `port` (type any) on the node of `info`.
fn declare_input(info: &Info<'_>, port: &str) -> Fix {
    Fix {
        title: format!("declare input port `{port}`"),
        patch: vec![append(
            &format!("{}/inputs", info.pointer),
            info.node.inputs.is_empty(),
            json!({"name": port, "type": "any"}),
        )],
    }
}

/// The node's policy object with `on_error` replaced.
fn merged_policy(node: &Node, on_error: Value) -> Value {
    let mut policy = serde_json::to_value(&node.policy).unwrap_or_else(|_| json!({}));
    policy["on_error"] = on_error;
    policy
}

/// A readable path around a cycle, starting at its first member.
fn cycle_path(graph: &DiGraph<usize, PlanEdge>, index: &HashMap<usize, NodeIndex>, members: &[usize]) -> Vec<usize> {
    let inside: HashSet<NodeIndex> = members.iter().map(|m| index[m]).collect();
    let start = index[&members[0]];
    let mut path = vec![start];
    let mut seen = HashSet::default();
    seen.insert(start);
    let mut current = start;
    loop {
        let next = graph
            .neighbors_directed(current, Direction::Outgoing)
            .filter(|n| inside.contains(n))
            .min_by_key(|n| graph[*n]);
        match next {
            Some(n) if n == start || seen.contains(&n) => {
                path.push(n);
                break;
            }
            Some(n) => {
                seen.insert(n);
                path.push(n);
                current = n;
            }
            None => break,
        }
    }
    path.into_iter().map(|n| graph[n]).collect()
}

/// Moves scope `s` (and, through a work list, every body below it) into plan scopes.
fn build_scope(root: usize, scopes: &mut [ScopeInfo<'_>], infos: &mut [Info<'_>]) -> Scope {
    let ids_by_index: Vec<String> = infos.iter().map(|info| info.node.id.clone()).collect();
    // Bodies are built before their containers: process scopes deepest-first by creation order,
    // which always lists a body after the scope holding its container.
    let mut built: HashMap<usize, Scope> = HashMap::default();
    for s in (root..scopes.len()).rev() {
        let scope = &mut scopes[s];
        let graph = std::mem::take(&mut scope.graph);
        let order = std::mem::take(&mut scope.order);
        let mut ids = HashMap::default();
        let graph = graph.map(
            |index, &m| {
                let info = &mut infos[m];
                ids.insert(info.node.id.clone(), index);
                Arc::new(PlanNode {
                    id: info.node.id.clone(),
                    kind: info.node.kind.clone(),
                    title: if info.node.title.is_empty() { info.node.id.clone() } else { info.node.title.clone() },
                    config: Arc::clone(&info.node.config),
                    ports: std::mem::take(&mut info.ports),
                    policy: info.policy.clone(),
                    effect: info.effect,
                    reads: {
                        let mut reads = std::mem::take(&mut info.reads);
                        reads.sort_unstable();
                        reads.dedup();
                        reads.into_iter().map(|r| ids_by_index[r].clone()).collect()
                    },
                    run_reads: match std::mem::take(&mut info.run_reads) {
                        _ if info.spec.is_some_and(|k| k.whole_run) => None,
                        Some(mut names) => {
                            names.sort_unstable();
                            names.dedup();
                            Some(names)
                        }
                        None => None,
                    },
                    body: info.body.and_then(|b| built.remove(&b)),
                    workflow: info.workflow.take(),
                    tools: std::mem::take(&mut info.tools),
                })
            },
            |_, edge| edge.clone(),
        );
        built.insert(s, Scope { graph, order, ids });
    }
    built.remove(&root).unwrap_or_else(|| Scope { graph: DiGraph::new(), order: Vec::new(), ids: HashMap::default() })
}

/// `blake3:` over the logic of the blueprint (layout and `$schema` left out) and the children's
/// hashes. Order-insensitive where the canonical form sorts (nodes by id, edges), and streamed
/// node by node so hashing a large graph allocates no copy of it.
fn plan_hash(blueprint: &Blueprint, children: &BTreeMap<String, String>) -> String {
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
    format!("blake3:{}", hasher.finalize().to_hex())
}

/// A blake3 hasher fed through a buffer: the hash walk makes many tiny updates.
#[derive(Default)]
struct Buffered {
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
fn hash_graph(hasher: &mut Buffered, nodes: &[Node], edges: &[Edge]) {
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

fn hash_str(hasher: &mut Buffered, text: &str) {
    hasher.update(&(text.len() as u64).to_le_bytes());
    hasher.update(text.as_bytes());
}

/// Feeds a JSON value into the hash structurally (type tags, length-prefixed strings, object keys
/// in sorted order), without serialising it; iterative.
fn hash_value(hasher: &mut Buffered, value: &Value) {
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

fn hash_json(hasher: &mut Buffered, value: &impl serde::Serialize) {
    // Writing plain data into a hasher cannot fail.
    let _ = serde_json::to_writer(&mut *hasher, value);
    hasher.update(b"\n");
}
