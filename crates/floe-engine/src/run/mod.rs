//! Runs: preparing a plan for execution, the run environment, and the entry point that starts,
//! journals and finishes a run. The ready-set scheduler itself is in [`scope`].

mod containers;
pub mod emitter;
pub mod retry;
pub mod scope;
pub mod segment;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use floe_blueprint::Catalog;
use floe_compiler::{Plan, PlanNode, Scope};
use serde_json::{Map, Value};
use tokio::sync::{Semaphore, watch};
use tokio_util::sync::CancellationToken;

pub use crate::approvals;
pub use crate::events::RunReport;
use crate::events::{Clock, EventSink, NodePath, NullSink, RunEvent, RunStatus, SystemClock, UsageInfo};
use crate::exec::{Executor, NodeError, NodeHost, executor_for};
pub use crate::ids::{child_run_id, new_run_id, root_run_id};
pub use crate::template::json_type;
use crate::template::{Outputs, Templates};
use containers::{Container, container_for};
pub use emitter::{Emitter, Journal, JournalError, NoJournal};
use scope::{ScopeResult, ScopeRun};
pub use segment::{Finished, Line, Segment, Totals};

/// A node ready to execute: its compiled form and what runs it. What the scheduler reads for
/// every node (edges, ports, reads) is kept beside it in its [`RuntimeScope`], side by side.
pub struct RuntimeNode {
    /// The compiled node.
    pub plan: Arc<PlanNode>,
    /// The body, for containers.
    pub body: Option<Arc<RuntimeScope>>,
    /// What runs it; `None` for kinds this build cannot execute: the node fails with a clear error.
    pub(crate) executor: Option<Work>,
    /// The named concurrency pool it draws from (one shared copy of each name per scope).
    pub(crate) pool: Option<Arc<str>>,
    /// Its attempts' time limit, whether it changes the outside world, and the run inputs its
    /// result key covers (`policy.timeout`, `effect` and `run_reads` of its plan): here, so that
    /// starting a node reads this row and not its `PlanNode` (see [`RuntimeScope`]).
    pub(crate) timeout: Option<std::time::Duration>,
    pub(crate) writes: bool,
    pub(crate) run_reads: Option<Box<[String]>>,
    /// The plan hashes of the blueprints it runs (a `workflow` node's child, an agent's
    /// blueprint tools), for its result key: a changed child changes the key.
    pub(crate) subflows: Vec<String>,
    /// The hash of what identifies its work before its inputs are known: the engine version,
    /// its kind and config, and the plans it runs (see `scope::cache_key`). A hash, not a hasher
    /// state (which is 2 KB per node).
    pub(crate) key_base: [u8; 32],
}

impl std::fmt::Debug for RuntimeNode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RuntimeNode").field("id", &self.plan.id).field("kind", &self.plan.kind).finish_non_exhaustive()
    }
}

/// What runs a node: an executor (which knows nothing of the scheduler), or a container, which
/// runs its body as scopes of this run.
#[derive(Clone)]
pub(crate) enum Work {
    Node(Arc<dyn Executor>),
    Container(Arc<dyn Container>),
}

/// An edge between nodes of one scope.
#[derive(Debug, Clone)]
pub(crate) struct RuntimeEdge {
    pub to: usize,
    pub from_port: Arc<str>,
    pub to_port: Option<Arc<str>>,
    /// The slot of `to_port` among the scope's input ports ([`RuntimeScope::in_ports`], all
    /// nodes' end to end): values are delivered by slot, so a node with N input ports takes each
    /// in O(1).
    pub slot: u32,
}

/// A node whose outputs a node's templates read (`nodes.<id>`).
#[derive(Debug)]
pub(crate) struct Read {
    pub id: String,
    /// Its index when it is in the same scope (else it is an enclosing scope's node).
    pub local: Option<u32>,
}

/// One list per node, laid end to end in one allocation: node `i`'s is
/// `items[start[i]..start[i + 1]]`.
#[derive(Debug)]
pub(crate) struct Lists<T> {
    start: Vec<u32>,
    items: Vec<T>,
}

impl<T> Lists<T> {
    fn new(lists: impl IntoIterator<Item = impl IntoIterator<Item = T>>) -> Self {
        let mut start = vec![0];
        let mut items = Vec::new();
        for list in lists {
            items.extend(list);
            start.push(items.len() as u32);
        }
        Self { start, items }
    }

    /// Node `i`'s list.
    pub(crate) fn get(&self, i: usize) -> &[T] {
        &self.items[self.range(i)]
    }

    /// Where node `i`'s list lies in [`Lists::all`].
    pub(crate) fn range(&self, i: usize) -> std::ops::Range<usize> {
        self.start[i] as usize..self.start[i + 1] as usize
    }

    /// Every item of every list.
    pub(crate) fn all(&self) -> &[T] {
        &self.items
    }
}

/// A scope (top level or a body) laid out for the scheduler.
///
/// What the scheduler reads for every node as it settles, queues and starts nodes is in flat
/// vectors indexed by node, side by side, not in each node's own allocation: a fan-out that
/// makes 10,000 nodes ready at once then walks compact memory, and starting a node touches a
/// few dense rows instead of lines scattered over its `RuntimeNode` and `PlanNode`, which a
/// burst of 10,000 other nodes has long evicted by then (ARCHITECTURE.md, "Per-node scheduler
/// state lies in dense rows").
#[derive(Debug)]
pub struct RuntimeScope {
    pub(crate) nodes: Vec<RuntimeNode>,
    pub(crate) edges: Vec<RuntimeEdge>,
    pub(crate) ids: HashMap<String, usize>,
    /// Each node's id as a node path, shared by every top-level run of the plan.
    pub(crate) paths: Vec<NodePath>,
    /// How many edges arrive at each node.
    pub(crate) inbound: Vec<u32>,
    /// Whether each node is a container (it takes no concurrency slot).
    pub(crate) containers: Vec<bool>,
    /// Each node's connected input ports in name order, their positions in [`Lists::all`] being
    /// their slots ([`RuntimeEdge::slot`]).
    pub(crate) in_ports: Lists<Arc<str>>,
    /// The nodes each node's templates read when it starts. Once all readers of a node in this
    /// scope started, its outputs can be let go (values on edges are handed over when they are
    /// delivered, so they need no keeping).
    pub(crate) reads: Lists<Read>,
    /// Nodes whose outputs are read after the scope ends (run outputs, a container's results).
    pub(crate) keep: Vec<bool>,
    /// Each node's join rule.
    pub(crate) joins: Vec<floe_blueprint::JoinRule>,
    /// The edges (indices into `edges`) leaving each node.
    pub(crate) outbound: Lists<u32>,
}

impl RuntimeScope {
    fn build(
        scope: &Scope,
        executors: &Executors,
        workflows: &BTreeMap<String, String>,
        keep: &[String],
        vars: &[&'static str],
        templates: &mut Templates,
    ) -> Self {
        let graph = scope.graph();
        let count = graph.node_count();
        let mut inbound = vec![0u32; count];
        let mut outbound = vec![Vec::new(); count];
        let mut edges = Vec::with_capacity(graph.edge_count());
        // Port names repeat on every edge ("out", "in", "text"): one shared copy of each keeps
        // the edge list compact and hot in cache.
        let mut names: HashMap<String, Arc<str>> = HashMap::new();
        let mut intern = |name: &str| names.entry(name.to_owned()).or_insert_with(|| Arc::from(name)).clone();
        let mut in_ports: Vec<Vec<Arc<str>>> = vec![Vec::new(); count];
        for edge in graph.raw_edges() {
            let (from, to) = (edge.source().index(), edge.target().index());
            outbound[from].push(edges.len() as u32);
            inbound[to] += 1;
            let to_port = edge.weight.to_port.as_deref().map(&mut intern);
            in_ports[to].extend(to_port.clone());
            edges.push(RuntimeEdge { to, from_port: intern(&edge.weight.from_port), to_port, slot: 0 });
        }
        // Each node's ports in name order: its inputs map is then built from sorted names, in
        // O(N) for N ports where unsorted names cost a search each (2.6 ms for 10,000 ports).
        for ports in &mut in_ports {
            ports.sort_unstable();
            ports.dedup();
        }
        let in_ports = Lists::new(in_ports);
        for edge in &mut edges {
            if let Some(port) = &edge.to_port {
                let start = in_ports.range(edge.to).start;
                edge.slot = (start + in_ports.get(edge.to).partition_point(|p| p < port)) as u32;
            }
        }
        let mut prepared = HashMap::new();
        let nodes: Vec<RuntimeNode> = graph
            .node_weights()
            .map(|node| {
                templates.add_config(&node.kind, &node.config);
                let mut runtime = RuntimeNode {
                    body: node.body.as_ref().map(|body| {
                        let vars = Catalog::builtin().kind(&node.kind).map_or(&[][..], |kind| kind.body_vars);
                        Arc::new(RuntimeScope::build(body, executors, workflows, &body_results(node), vars, templates))
                    }),
                    executor: executor(node, executors, vars, &mut prepared)
                        .map(Work::Node)
                        .or_else(|| container_for(&node.kind).map(Work::Container)),
                    plan: Arc::clone(node),
                    pool: None,
                    timeout: node.policy.timeout,
                    writes: node.effect == floe_blueprint::Effect::Write,
                    run_reads: node.run_reads.as_deref().map(Box::from),
                    subflows: node
                        .workflow
                        .iter()
                        .chain(node.tools.iter().map(|tool| &tool.key))
                        .filter_map(|key| workflows.get(key).cloned())
                        .collect(),
                    key_base: [0; 32],
                };
                runtime.key_base = key_base(&runtime.plan, &runtime.subflows);
                runtime.pool = match &runtime.executor {
                    Some(Work::Node(executor)) => executor.pool(&runtime.plan).map(|name| intern(&name)),
                    _ => None,
                };
                runtime
            })
            .collect();
        let ids: HashMap<String, usize> = nodes.iter().enumerate().map(|(i, n)| (n.plan.id.clone(), i)).collect();
        let reads = Lists::new(nodes.iter().map(|node| {
            node.plan.reads.iter().map(|id| Read { id: id.clone(), local: ids.get(id).map(|&j| j as u32) })
        }));
        Self {
            paths: nodes.iter().map(|n| NodePath::from(n.plan.id.as_str())).collect(),
            inbound,
            containers: nodes.iter().map(|n| n.body.is_some()).collect(),
            in_ports,
            reads,
            keep: nodes.iter().map(|n| keep.contains(&n.plan.id)).collect(),
            joins: nodes.iter().map(|n| n.plan.policy.join).collect(),
            outbound: Lists::new(outbound),
            nodes,
            edges,
            ids,
        }
    }

    /// The edges leaving node `i`.
    pub(crate) fn outbound(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        self.outbound.get(i).iter().map(|&e| e as usize)
    }

    /// The nodes of this scope whose outputs node `i`'s templates read.
    pub(crate) fn sources(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        self.reads.get(i).iter().filter_map(|read| Some(read.local? as usize))
    }

    /// Node count of this scope (bodies not included).
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the scope has no nodes.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }
}

/// What executes `node`, prepared. A built-in kind prepares a node from its config (and the
/// scope's variables) alone, and equal configs are one allocation once read (`floe_blueprint`'s
/// `shared.rs`): nodes with the same config share one prepared executor (`prepared`, by config
/// and kind), which also keeps it in cache across a large graph. An embedder's executor is
/// prepared for each node, as [`Executor::prepare`] says.
fn executor<'a>(
    node: &'a PlanNode,
    executors: &Executors,
    vars: &[&'static str],
    prepared: &mut HashMap<(*const Value, &'a str), Arc<dyn Executor>>,
) -> Option<Arc<dyn Executor>> {
    if let Some(own) = executors.get(&node.kind) {
        return Some(own.prepare(node, vars).unwrap_or_else(|| Arc::clone(own)));
    }
    let key = (Arc::as_ptr(&node.config), node.kind.as_str());
    if let Some(executor) = prepared.get(&key) {
        return Some(Arc::clone(executor));
    }
    let builtin = executor_for(&node.kind)?;
    let executor = builtin.prepare(node, vars).unwrap_or(builtin);
    prepared.insert(key, Arc::clone(&executor));
    Some(executor)
}

/// The hash of a node's constant part of its result key.
fn key_base(node: &PlanNode, subflows: &[String]) -> [u8; 32] {
    let mut hasher = blake3::Hasher::new();
    hasher.update(b"floe result key 3\x1f");
    hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
    hasher.update(b"\x1fkind");
    hasher.update(node.kind.as_bytes());
    hasher.update(b"\x1fconfig");
    let _ = serde_json::to_writer(&mut hasher, node.config.as_ref());
    hasher.update(b"\x1fsubflows");
    let _ = serde_json::to_writer(&mut hasher, subflows);
    *hasher.finalize().as_bytes()
}

/// The body nodes a container reads when its body ends (`collect`, `next`, branch results), as
/// its kind describes them in the catalogue.
fn body_results(node: &PlanNode) -> Vec<String> {
    let (Some(kind), Some(config)) = (Catalog::builtin().kind(&node.kind), node.config.as_object()) else {
        return Vec::new();
    };
    (kind.body_refs)(config)
        .into_iter()
        .map(|(_, reference)| reference.split_once('.').map_or(reference.as_str(), |(node, _)| node).to_owned())
        .collect()
}

/// A plan laid out for execution, its templates compiled; prepare once, run many times.
#[derive(Debug)]
pub struct Prepared {
    /// The compiled plan.
    pub plan: Arc<Plan>,
    /// Its top-level scope.
    pub root: Arc<RuntimeScope>,
    /// Its templates and expressions, compiled.
    pub templates: Arc<Templates>,
}

/// Executors by kind name, replacing or adding to the built-in ones.
pub type Executors = HashMap<String, Arc<dyn Executor>>;

impl Prepared {
    /// Lays out `plan` for the scheduler with the built-in executors.
    pub fn new(plan: Plan) -> Self {
        Self::with_executors(plan, &Executors::new())
    }

    /// Lays out `plan`, executing the kinds in `executors` with those executors (embedders,
    /// and the providers of kinds this crate does not execute itself).
    pub fn with_executors(plan: Plan, executors: &Executors) -> Self {
        let outputs: Vec<String> = plan.outputs().values().map(|o| o.node.clone()).collect();
        let mut templates = Templates::default();
        let root =
            Arc::new(RuntimeScope::build(plan.root(), executors, plan.workflows(), &outputs, &[], &mut templates));
        Self { plan: Arc::new(plan), root, templates: Arc::new(templates) }
    }
}

/// Pause and cancel a run from outside (CLI signal handler, app, API).
#[derive(Clone)]
pub struct RunControl {
    cancel: CancellationToken,
    reason: Arc<std::sync::Mutex<Option<String>>>,
    paused: Arc<watch::Sender<bool>>,
    /// Who announces a pause or a resume (the run and the sub-workflow runs sharing this
    /// control), each told synchronously, under this lock, as the state changes: the event is
    /// queued before anything woken by the change can start a node.
    announcers: Arc<std::sync::Mutex<Vec<(u64, Announcer)>>>,
}

/// Announces a change of the paused state.
type Announcer = Arc<dyn Fn(bool) + Send + Sync>;

impl std::fmt::Debug for RunControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunControl")
            .field("cancelled", &self.cancel.is_cancelled())
            .field("paused", &*self.paused.borrow())
            .finish_non_exhaustive()
    }
}

impl Default for RunControl {
    fn default() -> Self {
        Self {
            cancel: CancellationToken::new(),
            reason: Arc::default(),
            paused: Arc::new(watch::channel(false).0),
            announcers: Arc::default(),
        }
    }
}

/// Stops announcing pauses for one run when dropped.
struct Announcing {
    announcers: Arc<std::sync::Mutex<Vec<(u64, Announcer)>>>,
    id: u64,
}

impl Drop for Announcing {
    fn drop(&mut self) {
        self.announcers.lock().unwrap_or_else(std::sync::PoisonError::into_inner).retain(|(id, _)| *id != self.id);
    }
}

impl RunControl {
    /// A control for one run.
    pub fn new() -> Self {
        Self::default()
    }

    /// Stops the run: running nodes are told to stop, nothing new starts.
    pub fn cancel(&self, reason: impl Into<String>) {
        let mut slot = self.reason.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        slot.get_or_insert_with(|| reason.into());
        self.cancel.cancel();
    }

    /// No new nodes start until [`RunControl::resume`]; running ones finish.
    pub fn pause(&self) {
        self.set_paused(true);
    }

    /// Lets nodes start again.
    pub fn resume(&self) {
        self.set_paused(false);
    }

    /// Announces, then changes, the paused state. Announcing first means the event is queued
    /// before any scope (on another thread) can see the change and start a node; the lock keeps
    /// concurrent calls in order.
    fn set_paused(&self, paused: bool) {
        let announcers = self.announcers.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if *self.paused.borrow() != paused {
            for (_, announce) in announcers.iter() {
                announce(paused);
            }
            self.paused.send_replace(paused);
        }
    }

    /// Calls `announce` with each change of the paused state until the guard is dropped.
    fn announce_with(&self, announce: Announcer) -> Announcing {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let id = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.announcers.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push((id, announce));
        Announcing { announcers: self.announcers.clone(), id }
    }

    /// Whether the run is paused.
    pub fn is_paused(&self) -> bool {
        *self.paused.borrow()
    }

    fn reason(&self) -> String {
        self.reason
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
            .unwrap_or_else(|| "cancelled".into())
    }
}

/// Results recorded before a resume, by node path: such nodes are settled, never re-run.
#[derive(Debug, Default, Clone)]
pub struct Prior {
    /// Succeeded nodes and their outputs.
    pub succeeded: HashMap<String, Arc<Outputs>>,
}

/// Results of an earlier run offered for reuse (`floe run --reuse RUN [--from NODE]`), and
/// outputs a person pinned.
#[derive(Debug, Default, Clone)]
pub struct Reuse {
    /// The earlier run.
    pub from_run: String,
    /// Its results by node path: (key, outputs).
    pub results: HashMap<String, (String, Arc<Outputs>)>,
    /// Top-level node ids that must run again (`--from` and everything downstream of it).
    pub rerun: std::collections::HashSet<String>,
    /// Outputs pinned by node path: the node takes them whatever its inputs, and never runs.
    pub pinned: HashMap<String, Arc<Outputs>>,
}

/// What a reused result's `node_cached` names as its source when it was pinned.
pub const PINNED: &str = "pinned";

impl Reuse {
    /// The result `path` takes instead of running, with the run it came from: a pinned one, or
    /// an earlier run's when its key matches and the node is not to be re-run.
    pub fn matching(&self, path: &str, key: &str) -> Option<(Arc<Outputs>, &str)> {
        if let Some(outputs) = self.pinned.get(path) {
            return Some((outputs.clone(), PINNED));
        }
        let top = path.split('/').next().unwrap_or(path);
        if self.rerun.contains(top) {
            return None;
        }
        self.results
            .get(path)
            .filter(|(old, _)| old == key)
            .map(|(_, outputs)| (outputs.clone(), self.from_run.as_str()))
    }
}

/// What every node of one run shares.
pub struct RunEnv {
    /// The run id.
    pub run_id: String,
    /// Folder that file tools are confined to.
    pub workspace: PathBuf,
    /// Run inputs after defaults.
    pub run_inputs: Arc<Map<String, Value>>,
    /// The plan's compiled templates.
    pub templates: Arc<Templates>,
    /// Events go through here.
    pub emitter: Arc<Emitter>,
    pub(crate) control: RunControl,
    pub(crate) slots: Arc<Semaphore>,
    pub(crate) pools: Arc<HashMap<String, Arc<Semaphore>>>,
    pub(crate) prior: Prior,
    /// Where approval decisions come from.
    pub approvals: Arc<dyn approvals::Approvals>,
    /// The blueprint's `run.approved_tools`.
    pub approved_tools: Vec<String>,
    /// Runs sub-workflows.
    pub subflows: Arc<dyn Subflows>,
    /// Sub-workflow resolver key → the plan hash it had when this run's plan was compiled.
    pub workflows: Arc<BTreeMap<String, String>>,
    /// Where this run's events go (child runs announce to the same place).
    pub sink: Arc<dyn EventSink>,
    /// The tools its nodes call.
    pub tools: Arc<crate::tools::Toolbox>,
    /// This run's clock.
    pub clock: Arc<dyn Clock>,
    /// Whether results get keys (journaled runs; needed for reuse).
    pub(crate) keys: bool,
    /// Results offered for reuse.
    pub(crate) reuse: Option<Reuse>,
    /// Model providers (built from the default settings the first time a model is called).
    pub(crate) llm: std::sync::OnceLock<Result<Arc<floe_llm::Llm>, String>>,
    /// Tokens and USD spent on models, against the run's budget.
    pub(crate) spend: std::sync::Mutex<Spend>,
}

/// What a run spent on models, and its budget.
#[derive(Debug, Default)]
pub(crate) struct Spend {
    tokens: u64,
    cost_usd: f64,
    max_tokens: Option<u64>,
    max_usd: Option<f64>,
    exceeded: bool,
}

impl RunEnv {
    /// The model providers.
    pub fn llm(&self) -> Result<Arc<floe_llm::Llm>, NodeError> {
        self.llm
            .get_or_init(|| floe_llm::Llm::from_default_settings().map(Arc::new).map_err(|e| e.to_string()))
            .clone()
            .map_err(|e| NodeError::new(floe_blueprint::ErrorClass::BadRequest, e))
    }

    /// Records a model call's usage: announces it, adds it to the run's spending, and when that
    /// crosses the run's budget, announces so and cancels the run.
    pub fn record_usage(&self, node: &NodePath, model: &str, usage: UsageInfo) {
        self.emitter.push(RunEvent::NodeUsage { node: node.clone(), model: model.to_owned(), usage });
        let crossed = {
            let mut spend = self.spend.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            spend.tokens += usage.input_tokens + usage.output_tokens;
            spend.cost_usd += usage.cost_usd.unwrap_or(0.0);
            let limit = match (spend.max_usd, spend.max_tokens) {
                (Some(max), _) if spend.cost_usd > max => Some(format!("max_usd {max:.2}")),
                (_, Some(max)) if spend.tokens > max => Some(format!("max_tokens {max}")),
                _ => None,
            };
            match limit {
                Some(limit) if !spend.exceeded => {
                    spend.exceeded = true;
                    Some((limit, spend.tokens, spend.cost_usd))
                }
                _ => None,
            }
        };
        if let Some((limit, tokens, cost_usd)) = crossed {
            self.emitter.push(RunEvent::BudgetExceeded { tokens, cost_usd, limit: limit.clone() });
            self.control.cancel(format!(
                "budget exceeded: {limit} (spent ${cost_usd:.4}, {tokens} tokens); raise `run.budget` in the blueprint to allow more"
            ));
        }
    }
}

/// Runs a sub-workflow for a `workflow` node.
pub trait Subflows: Send + Sync {
    /// Runs (or resumes, or reuses the finished run of) the child blueprint at resolver key
    /// `key` for node `node` of the run `parent`, with `inputs`.
    fn run<'a>(
        &'a self,
        parent: &'a RunEnv,
        node: &'a str,
        key: &'a str,
        inputs: Map<String, Value>,
    ) -> futures::future::BoxFuture<'a, Result<RunReport, String>>;
}

impl NodeHost for RunEnv {
    fn run_id(&self) -> &str {
        &self.run_id
    }

    fn workspace(&self) -> &std::path::Path {
        &self.workspace
    }

    fn emit(&self, event: RunEvent) {
        self.emitter.push(event);
    }

    fn tools(&self) -> &Arc<crate::tools::Toolbox> {
        &self.tools
    }

    fn llm(&self) -> Result<Arc<floe_llm::Llm>, NodeError> {
        RunEnv::llm(self)
    }

    fn record_usage(&self, node: &NodePath, model: &str, usage: UsageInfo) {
        RunEnv::record_usage(self, node, model, usage);
    }

    fn approvals(&self) -> &dyn approvals::Approvals {
        self.approvals.as_ref()
    }

    fn approved_tools(&self) -> &[String] {
        &self.approved_tools
    }

    fn run_child<'a>(
        &'a self,
        node: &'a str,
        key: &'a str,
        inputs: Map<String, Value>,
    ) -> futures::future::BoxFuture<'a, Result<RunReport, String>> {
        self.subflows.run(self, node, key, inputs)
    }
}

impl std::fmt::Debug for RunEnv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunEnv").field("run_id", &self.run_id).finish_non_exhaustive()
    }
}

/// How to run.
pub struct RunOptions {
    /// Run id; generated when absent.
    pub run_id: Option<String>,
    /// Run input values (defaults fill the rest).
    pub inputs: Map<String, Value>,
    /// Folder file tools are confined to.
    pub workspace: PathBuf,
    /// Most nodes executing at once (the blueprint's `run.max_concurrency` wins when lower).
    pub concurrency: usize,
    /// Named pools and their sizes (e.g. `tool:http_request` → 8).
    pub pools: HashMap<String, usize>,
    /// Where events go once journaled.
    pub sink: Arc<dyn EventSink>,
    /// Where they are journaled.
    pub journal: Arc<dyn Journal>,
    /// Event timestamps.
    pub clock: Arc<dyn Clock>,
    /// Pause and cancel.
    pub control: RunControl,
    /// Results of an interrupted attempt at this run (resume).
    pub prior: Prior,
    /// Number of the first event (above the events already journaled, on resume).
    pub next_seq: u64,
    /// Where approval decisions come from.
    pub approvals: Arc<dyn approvals::Approvals>,
    /// Runs sub-workflows (default: from files, in memory).
    pub subflows: Arc<dyn Subflows>,
    /// Give results keys (so later runs can reuse them); on for journaled runs.
    pub keys: bool,
    /// Results of an earlier run to reuse where keys match.
    pub reuse: Option<Reuse>,
    /// Model providers (default: built from the settings file when a model is first called).
    pub llm: Option<Arc<floe_llm::Llm>>,
    /// The tools `tool` nodes and agents call (default: the built-in ones).
    pub tools: Arc<crate::tools::Toolbox>,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            run_id: None,
            inputs: Map::new(),
            workspace: PathBuf::from("."),
            concurrency: 64,
            pools: HashMap::from([("tool:http_request".to_owned(), 16)]),
            sink: Arc::new(NullSink),
            journal: Arc::new(NoJournal),
            clock: Arc::new(SystemClock),
            control: RunControl::new(),
            prior: Prior::default(),
            next_seq: 1,
            approvals: Arc::new(approvals::MemoryApprovals::new()),
            subflows: Arc::new(crate::runs::FileSubflows::default()),
            keys: false,
            reuse: None,
            llm: None,
            tools: crate::tools::Toolbox::builtin(),
        }
    }
}

impl std::fmt::Debug for RunOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunOptions").field("run_id", &self.run_id).field("inputs", &self.inputs).finish_non_exhaustive()
    }
}

/// A run could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// A run input is missing or has the wrong type.
    #[error("run input `{name}`: {message}")]
    Input {
        /// The input.
        name: String,
        /// What is wrong and what to do.
        message: String,
    },
    /// The journal refused the run.
    #[error(transparent)]
    Journal(#[from] JournalError),
}

/// Applies defaults and checks types of run inputs against the plan.
pub fn resolve_inputs(plan: &Plan, given: &Map<String, Value>) -> Result<Map<String, Value>, StartError> {
    if let Some(unknown) = given.keys().find(|k| !plan.inputs().contains_key(*k)) {
        let known: Vec<&str> = plan.inputs().keys().map(String::as_str).collect();
        return Err(StartError::Input {
            name: unknown.clone(),
            message: format!("the blueprint has no such input; it takes: {}", known.join(", ")),
        });
    }
    let mut resolved = Map::new();
    for (name, spec) in plan.inputs() {
        let value = match (given.get(name), &spec.default) {
            (Some(value), _) => value.clone(),
            (None, Some(default)) => default.clone(),
            (None, None) => {
                return Err(StartError::Input {
                    name: name.clone(),
                    message: format!("required; give it with `--input {name}=...` or in `--inputs FILE`"),
                });
            }
        };
        if !spec.ty.accepts(&value) {
            return Err(StartError::Input {
                name: name.clone(),
                message: format!("expected {}, got {}", spec.ty.as_str(), json_type(&value)),
            });
        }
        resolved.insert(name.clone(), value);
    }
    Ok(resolved)
}

/// Reads a run input given as text (`--input name=text`): strings are taken as they are,
/// other types are parsed as JSON.
pub fn input_from_text(plan: &Plan, name: &str, text: &str) -> Result<Value, StartError> {
    let error = |message: String| StartError::Input { name: name.to_owned(), message };
    let Some(spec) = plan.inputs().get(name) else {
        let known: Vec<&str> = plan.inputs().keys().map(String::as_str).collect();
        return Err(error(format!("the blueprint has no such input; it takes: {}", known.join(", "))));
    };
    if spec.ty == floe_blueprint::ValueType::String {
        return Ok(Value::String(text.to_owned()));
    }
    match serde_json::from_str::<Value>(text) {
        Ok(value) => Ok(value),
        Err(_) if spec.ty == floe_blueprint::ValueType::Any => Ok(Value::String(text.to_owned())),
        Err(e) => Err(error(format!("expected {} written as JSON: {e}", spec.ty.as_str()))),
    }
}

/// Runs a prepared plan to the end (or until cancelled) and reports how it went.
pub async fn run(prepared: &Prepared, options: RunOptions) -> Result<RunReport, StartError> {
    let started = tokio::time::Instant::now();
    let plan = &prepared.plan;
    let inputs = resolve_inputs(plan, &options.inputs)?;
    let run_id = options.run_id.unwrap_or_else(new_run_id);
    let emitter = Arc::new(Emitter::new(
        run_id.clone(),
        options.next_seq,
        options.clock.clone(),
        options.journal,
        options.sink.clone(),
        options.control.clone(),
    ));
    let limit = plan.run().max_concurrency.map_or(options.concurrency, |m| (m as usize).min(options.concurrency));
    let env = Arc::new(RunEnv {
        run_id: run_id.clone(),
        workspace: options.workspace,
        run_inputs: Arc::new(inputs.clone()),
        templates: prepared.templates.clone(),
        emitter: emitter.clone(),
        control: options.control.clone(),
        slots: Arc::new(Semaphore::new(limit.max(1))),
        pools: Arc::new(
            options.pools.into_iter().map(|(name, size)| (name, Arc::new(Semaphore::new(size.max(1))))).collect(),
        ),
        prior: options.prior,
        approvals: options.approvals,
        approved_tools: plan.run().approved_tools.clone(),
        subflows: options.subflows,
        workflows: Arc::new(plan.workflows().clone()),
        sink: options.sink,
        tools: options.tools,
        clock: options.clock,
        keys: options.keys || options.reuse.is_some(),
        reuse: options.reuse,
        llm: options.llm.map(Ok).map(std::sync::OnceLock::from).unwrap_or_default(),
        spend: std::sync::Mutex::new(Spend {
            max_tokens: plan.run().max_tokens,
            max_usd: plan.run().max_usd,
            ..Spend::default()
        }),
    });
    let span = tracing::info_span!("run", run = %run_id, blueprint = plan.id());
    let _guard = span.enter();
    emitter.push(RunEvent::RunStarted {
        blueprint: plan.id().to_owned(),
        hash: plan.hash().to_owned(),
        nodes: prepared.root.len(),
        inputs,
        resumed: options.next_seq > 1,
    });
    // Pausing is announced once for the run, whichever scopes are running, as it happens.
    let announcer = emitter.clone();
    let _announcing = options.control.announce_with(Arc::new(move |now| {
        announcer.push(if now { RunEvent::RunPaused } else { RunEvent::RunResumed });
    }));
    if options.control.is_paused() {
        emitter.push(RunEvent::RunPaused);
    }
    emitter.flush().await;

    let policy = plan.run().on_failure;
    let scope = ScopeRun::new(prepared.root.clone(), env.clone(), String::new(), Vec::new(), Vec::new(), policy);
    let timeout = plan.run().timeout;
    let control = options.control.clone();
    let watchdog = async move {
        if let Some(limit) = timeout {
            tokio::time::sleep(limit).await;
            control.cancel(format!("the run took longer than its {} limit", humantime::format_duration(limit)));
        }
        std::future::pending::<std::convert::Infallible>().await
    };
    // The watchdog never finishes; cancelling makes the scope return.
    let result = tokio::select! {
        never = watchdog => match never {},
        result = scope.run() => result,
    };
    let ScopeResult { failure, cancelled, .. } = &result;
    let outputs = collect_outputs(plan, &result);
    let (status, error) = if *cancelled {
        let reason = options.control.reason();
        emitter.push(RunEvent::RunCancelled { reason: reason.clone() });
        (RunStatus::Cancelled, Some(reason))
    } else if let Some((node, error)) = failure {
        (RunStatus::Failed, Some(format!("node `{node}` failed: {}", error.message)))
    } else {
        (RunStatus::Succeeded, None)
    };
    emitter.push(RunEvent::RunFinished { status, outputs: outputs.clone(), error: error.clone() });
    emitter.close().await?;
    Ok(RunReport { run_id, status, outputs, error, elapsed: started.elapsed() })
}

fn collect_outputs(plan: &Plan, result: &ScopeResult) -> Map<String, Value> {
    let mut outputs = Map::new();
    for (name, source) in plan.outputs() {
        let value = plan
            .root()
            .index(&source.node)
            .and_then(|i| result.outputs.get(i.index())?.as_ref()?.get(&source.port).cloned());
        outputs.insert(name.clone(), value.unwrap_or(Value::Null));
    }
    outputs
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::json;

    use super::{Prepared, Work};

    #[test]
    fn nodes_with_one_config_share_one_prepared_executor() {
        let tool = |id: &str, query: &str| json!({"id": id, "kind": "tool", "config": {"tool": "json_query", "args": {"query": query}}});
        let document = json!({
            "format": "floe.blueprint", "version": 1, "id": "t", "name": "t",
            "nodes": [tool("a", ".n"), tool("b", ".n"), tool("c", ".m")], "edges": [],
        });
        let checked = floe_compiler::check_parsed(
            floe_blueprint::parse_value(document),
            floe_blueprint::Catalog::builtin(),
            &floe_compiler::NoResolver,
            None,
        );
        let prepared = Prepared::new(checked.plan.expect("compiles"));
        let executor = |id: &str| {
            let node = &prepared.root.nodes[prepared.root.ids[id]];
            match &node.executor {
                Some(Work::Node(executor)) => Arc::clone(executor),
                _ => panic!("{id} has an executor"),
            }
        };
        assert!(Arc::ptr_eq(&executor("a"), &executor("b")), "equal configs, one executor");
        assert!(!Arc::ptr_eq(&executor("a"), &executor("c")), "different configs, each its own");
    }
}
