//! The Plan: the compiled, immutable graph a run executes. One petgraph graph per scope (the
//! top level and each container body), nodes in topological order, policies resolved, and a
//! content hash that ignores layout.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use rustc_hash::FxHashMap as HashMap;

use floe_blueprint::{Effect, ErrorClass, JoinRule, OnError, Ports, RunFailurePolicy, RunInput, ValueType};
use petgraph::graph::{DiGraph, NodeIndex};
use serde_json::Value;

/// A compiled blueprint. Built only by the compiler; read-only afterwards.
#[derive(Debug, Clone)]
pub struct Plan {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) hash: String,
    pub(crate) inputs: BTreeMap<String, RunInput>,
    pub(crate) outputs: BTreeMap<String, PlanOutput>,
    pub(crate) run: RunSettings,
    pub(crate) root: Scope,
    pub(crate) workflows: BTreeMap<String, String>,
    pub(crate) default_model: Option<DefaultModel>,
    pub(crate) models: Vec<ModelUse>,
}

/// Where the default model a plan uses came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ModelSource {
    /// The blueprint's own `default_model`.
    Blueprint,
    /// The default model chosen in the settings.
    Settings,
}

/// The model nodes saying `default` call, and where it was chosen.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct DefaultModel {
    /// `provider:model`.
    pub model: String,
    /// Where it was chosen.
    pub from: ModelSource,
}

/// A model a plan may call: what readiness checks look up before a run.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct ModelUse {
    /// The node (`step/summarise` for a node of a sub-workflow that `step` runs).
    pub node: String,
    /// `provider:model`, with `default` resolved; `default` itself when no default is chosen.
    pub model: String,
    /// Tried only when the models before it fail.
    pub fallback: bool,
}

impl Plan {
    /// The blueprint id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The blueprint name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `blake3:<hex>` over the canonical logic (layout excluded) and every sub-workflow's hash.
    pub fn hash(&self) -> &str {
        &self.hash
    }

    /// Run inputs.
    pub fn inputs(&self) -> &BTreeMap<String, RunInput> {
        &self.inputs
    }

    /// Run outputs and where they are read from.
    pub fn outputs(&self) -> &BTreeMap<String, PlanOutput> {
        &self.outputs
    }

    /// Run-level settings.
    pub fn run(&self) -> &RunSettings {
        &self.run
    }

    /// The top-level scope.
    pub fn root(&self) -> &Scope {
        &self.root
    }

    /// Sub-workflows referenced (resolver key → plan hash).
    pub fn workflows(&self) -> &BTreeMap<String, String> {
        &self.workflows
    }

    /// The default model its nodes (or its sub-workflows' nodes) use, when any does and one is
    /// chosen.
    pub fn default_model(&self) -> Option<&DefaultModel> {
        self.default_model.as_ref()
    }

    /// Every model it may call, sub-workflows' and fallbacks included, in node order.
    pub fn models(&self) -> &[ModelUse] {
        &self.models
    }

    /// Number of nodes, bodies included.
    pub fn node_count(&self) -> usize {
        let mut count = 0;
        let mut pending = vec![&self.root];
        while let Some(scope) = pending.pop() {
            count += scope.graph.node_count();
            pending.extend(scope.graph.node_weights().filter_map(|n| n.body.as_ref()));
        }
        count
    }
}

/// A run output: which port it reads, and its type.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanOutput {
    /// Source node id.
    pub node: String,
    /// Source port.
    pub port: String,
    /// The port's type.
    pub ty: ValueType,
}

/// Run-level settings with defaults applied.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSettings {
    /// Wall-clock limit.
    pub timeout: Option<Duration>,
    /// What a failed node does to the run.
    pub on_failure: RunFailurePolicy,
    /// Most nodes running at once (None: the engine's limit).
    pub max_concurrency: Option<u32>,
    /// Spending limit in USD.
    pub max_usd: Option<f64>,
    /// Token limit.
    pub max_tokens: Option<u64>,
    /// Tools (or sources) whose calls by agents need no approval.
    pub approved_tools: Vec<String>,
}

/// One graph: the top level or a container's body.
#[derive(Debug, Clone)]
pub struct Scope {
    /// Nodes are shared (`Arc`): the engine's runtime nodes point at them rather than copy them.
    pub(crate) graph: DiGraph<Arc<PlanNode>, PlanEdge>,
    pub(crate) order: Vec<NodeIndex>,
    pub(crate) ids: HashMap<String, NodeIndex>,
}

impl Scope {
    /// The graph (nodes are [`PlanNode`], edges [`PlanEdge`]).
    pub fn graph(&self) -> &DiGraph<Arc<PlanNode>, PlanEdge> {
        &self.graph
    }

    /// Nodes in a topological order (ties broken by document order).
    pub fn order(&self) -> &[NodeIndex] {
        &self.order
    }

    /// A node by id.
    pub fn node(&self, id: &str) -> Option<&PlanNode> {
        self.ids.get(id).map(|&i| &*self.graph[i])
    }

    /// The graph index of a node id.
    pub fn index(&self, id: &str) -> Option<NodeIndex> {
        self.ids.get(id).copied()
    }
}

/// A compiled node.
#[derive(Debug, Clone)]
pub struct PlanNode {
    /// Node id.
    pub id: String,
    /// Kind name.
    pub kind: String,
    /// Title (the id when none was given).
    pub title: String,
    /// Validated config (a JSON object).
    pub config: Arc<Value>,
    /// Resolved ports: the kind's, declared extras, and `error` under `on_error: error_port`.
    pub ports: Ports,
    /// Policy with defaults applied.
    pub policy: NodePolicy,
    /// Whether running it changes the outside world.
    pub effect: Effect,
    /// Node ids its templates read (`nodes.<id>`).
    pub reads: Vec<String>,
    /// The run inputs it reads, sorted (from its templates); `None` when it may read any of them
    /// (`run` read as a whole or through a method, or a kind that hands scripts all of `run`).
    /// A result's cache key covers exactly these.
    pub run_reads: Option<Vec<String>>,
    /// The body, for containers.
    pub body: Option<Scope>,
    /// For `workflow` nodes: the resolver key of the child blueprint.
    pub workflow: Option<String>,
    /// For `agent` nodes: the blueprints it may call as tools.
    pub tools: Vec<WorkflowTool>,
}

/// A blueprint an agent may call as a tool.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkflowTool {
    /// The name the model calls it by (the config's `name`, else the blueprint id).
    pub name: String,
    /// The blueprint's description.
    pub description: String,
    /// The resolver key of the blueprint.
    pub key: String,
    /// Its run inputs, which are the tool's arguments.
    pub inputs: Vec<floe_blueprint::PortDef>,
}

/// An edge between two ports; `to_port` is `None` for an ordering edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanEdge {
    /// Source port.
    pub from_port: String,
    /// Target port.
    pub to_port: Option<String>,
}

/// A node's policy with the blueprint defaults and built-in defaults applied.
#[derive(Debug, Clone, PartialEq)]
pub struct NodePolicy {
    /// Retry settings.
    pub retry: RetrySettings,
    /// Per-attempt timeout.
    pub timeout: Option<Duration>,
    /// What happens after the last failed attempt.
    pub on_error: OnError,
    /// When the node may start.
    pub join: JoinRule,
}

/// Resolved retry settings.
#[derive(Debug, Clone, PartialEq)]
pub struct RetrySettings {
    /// Total attempts (1 = no retry).
    pub attempts: u32,
    /// First delay.
    pub initial: Duration,
    /// Growth factor.
    pub multiplier: f64,
    /// Cap on one delay.
    pub max_delay: Duration,
    /// Spread as a fraction.
    pub jitter: f64,
    /// Classes retried.
    pub on: Cow<'static, [ErrorClass]>,
}

impl Default for RetrySettings {
    fn default() -> Self {
        Self {
            attempts: 1,
            initial: Duration::from_millis(500),
            multiplier: 2.0,
            max_delay: Duration::from_secs(30),
            jitter: 0.2,
            on: Cow::Borrowed(ErrorClass::transient()),
        }
    }
}
