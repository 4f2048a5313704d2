//! Node executors: one file per kind, and their contract with the run. An executor turns a
//! node's config and input values into output values; the scheduler around it owns retries,
//! timeouts, concurrency, events and the journal, so executors stay small and know nothing of
//! them. What an executor may ask of its run (announce an event, call a model or a tool, run a
//! sub-workflow, wait for an approval) goes through its context's [`NodeHost`]: nothing here
//! imports the scheduler (`crate::run`), which depends on this module, never the other way.
//! Containers (`loop`, `parallel`, `recursive`) are the scheduler's own (`run/containers.rs`).
//!
//! Outputs are a map from port to value. A port left out of the map is *not taken*: its edges
//! settle as skipped. That is how `condition` routes and how `error_port` diverts a failure.

pub mod agent;
pub mod approval;
pub mod code;
pub mod condition;
pub mod llm;
mod thread;
pub mod tool;
pub mod workflow;

use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use floe_blueprint::ErrorClass;
use floe_compiler::PlanNode;
use futures::future::BoxFuture;
use serde_json::{Map, Value};
use tokio_util::sync::CancellationToken;

use crate::approvals::Approvals;
use crate::events::{ErrorInfo, NodePath, RunEvent, RunReport, UsageInfo};
use crate::run::RuntimeScope;
use crate::template::{Context, Outputs};
use crate::tools::Toolbox;

/// What a node may ask of the run it belongs to. The scheduler's run environment implements it.
pub trait NodeHost: Send + Sync {
    /// The run's id.
    fn run_id(&self) -> &str;
    /// The folder file tools are confined to.
    fn workspace(&self) -> &Path;
    /// Announces an event (journaled, then handed to the run's sinks).
    fn emit(&self, event: RunEvent);
    /// The tools the run's nodes call.
    fn tools(&self) -> &Arc<Toolbox>;
    /// The model providers.
    fn llm(&self) -> Result<Arc<floe_llm::Llm>, NodeError>;
    /// Records a model call's usage against the run's budget (and announces it).
    fn record_usage(&self, node: &NodePath, model: &str, usage: UsageInfo);
    /// Where approval decisions come from.
    fn approvals(&self) -> &dyn Approvals;
    /// The tools (or tool sources) the blueprint lets its agents call without asking.
    fn approved_tools(&self) -> &[String];
    /// Runs (or resumes, or reuses the finished run of) the blueprint at resolver key `key` as the
    /// child run of node path `node`.
    fn run_child<'a>(
        &'a self,
        node: &'a str,
        key: &'a str,
        inputs: Map<String, Value>,
    ) -> BoxFuture<'a, Result<RunReport, String>>;
}

/// Why an attempt failed: a class (which decides retries), a message that says what to do, and
/// the wait the remote side asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeError {
    /// The class of failure.
    pub class: ErrorClass,
    /// What went wrong and what to do about it.
    pub message: String,
    /// `Retry-After`, when the failure carried one.
    pub retry_after: Option<Duration>,
}

impl NodeError {
    /// An error of `class`.
    pub fn new(class: ErrorClass, message: impl Into<String>) -> Self {
        Self { class, message: message.into(), retry_after: None }
    }

    /// A tool failure (not retried by default).
    pub fn tool(message: impl Into<String>) -> Self {
        Self::new(ErrorClass::Tool, message)
    }

    /// Adds the delay the remote side asked for.
    pub fn retry_after(mut self, delay: Option<Duration>) -> Self {
        self.retry_after = delay;
        self
    }

    /// The form events and the store record.
    pub fn info(&self) -> ErrorInfo {
        ErrorInfo {
            class: self.class,
            message: self.message.clone(),
            retry_after_ms: self.retry_after.map(|d| d.as_millis() as u64),
        }
    }
}

impl fmt::Display for NodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {}", self.class, self.message)
    }
}

impl std::error::Error for NodeError {}

/// The compiled node an attempt runs: a handle into the prepared plan, read as a [`PlanNode`].
/// Handing it over counts no reference on the node itself: in a wide graph, the node's own
/// memory is cold by the time it starts, and a locked increment there stalls the scheduler.
#[derive(Clone)]
pub struct NodeRef {
    scope: Arc<RuntimeScope>,
    index: usize,
}

impl NodeRef {
    pub(crate) fn new(scope: Arc<RuntimeScope>, index: usize) -> Self {
        Self { scope, index }
    }
}

impl std::ops::Deref for NodeRef {
    type Target = PlanNode;

    fn deref(&self) -> &PlanNode {
        &self.scope.nodes[self.index].plan
    }
}

impl fmt::Debug for NodeRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("NodeRef").field(&self.id).finish()
    }
}

/// What an executor gets for one attempt.
#[derive(Clone)]
pub struct NodeCtx {
    /// The compiled node.
    pub node: NodeRef,
    /// Where it sits (`map/3/summarise`).
    pub path: NodePath,
    /// Attempt number, from 1.
    pub attempt: u32,
    /// What its templates can read (input ports, run inputs, upstream outputs, body variables).
    pub context: Context,
    /// The run it belongs to.
    pub run: Arc<dyn NodeHost>,
    /// Fires when the run is cancelled or the attempt timed out; long work must watch it.
    pub cancel: CancellationToken,
    /// Which of the node's calls this is, when it makes several (an agent's tool calls:
    /// `tool/<turn>.<call>`); `None` for the node's own one.
    pub call: Option<Arc<str>>,
}

impl fmt::Debug for NodeCtx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NodeCtx").field("path", &self.path).field("attempt", &self.attempt).finish_non_exhaustive()
    }
}

impl NodeCtx {
    /// The node's config object.
    pub fn config(&self) -> &Map<String, Value> {
        static EMPTY: std::sync::LazyLock<Map<String, Value>> = std::sync::LazyLock::new(Map::new);
        self.node.config.as_object().unwrap_or(&EMPTY)
    }

    /// The value on an input port (null when nothing arrived).
    pub fn input(&self, port: &str) -> Value {
        self.context.inputs.get(port).cloned().unwrap_or(Value::Null)
    }

    /// Reports progress (shown on the canvas and the CLI).
    pub fn progress(&self, message: impl Into<String>, fraction: Option<f64>) {
        self.run.emit(RunEvent::NodeProgress { node: self.path.clone(), message: message.into(), fraction });
    }

    /// Streams part of an output (model tokens).
    pub fn delta(&self, port: &str, delta: impl Into<String>) {
        self.run.emit(RunEvent::NodeOutputDelta {
            node: self.path.clone(),
            port: port.to_owned(),
            delta: delta.into(),
        });
    }

    /// A key for this call of the node in this run, the same for every attempt, resumed or not,
    /// and different for each of the node's calls; sent with effects (`Idempotency-Key`) so a
    /// receiver drops a repeat and nothing else.
    pub fn idempotency_key(&self) -> String {
        match &self.call {
            None => format!("{}/{}", self.run.run_id(), self.path),
            Some(call) => format!("{}/{}/{call}", self.run.run_id(), self.path),
        }
    }

    /// The tag of the temporary files this node writes: its top-level run's id, so that what a
    /// killed run left is found and removed when the run resumes or another starts.
    pub fn temporary_tag(&self) -> &str {
        crate::ids::root_run_id(self.run.run_id())
    }

    /// The context of one of the node's several calls (see [`NodeCtx::call`]).
    pub fn for_call(&self, call: String) -> NodeCtx {
        NodeCtx { call: Some(Arc::from(call)), ..self.clone() }
    }
}

/// Executes one kind of node.
pub trait Executor: Send + Sync {
    /// Runs one attempt.
    fn execute(&self, ctx: NodeCtx) -> BoxFuture<'static, Result<Outputs, NodeError>>;

    /// The named concurrency pool the node draws from, if any (e.g. `tool:http_request`).
    fn pool(&self, _node: &PlanNode) -> Option<String> {
        None
    }

    /// An executor made for `node` alone, when this kind has work to do once per plan rather
    /// than per execution (a script to compile). `vars` are the body variables of the scope the
    /// node is in. `None`: this executor runs every node as it is. The built-in kinds prepare
    /// from the node's config and `vars` only, so the scheduler gives nodes of one scope with
    /// the same config (one allocation, as equal configs are once read) one prepared executor;
    /// an executor an embedder supplies is asked for each node.
    fn prepare(&self, _node: &PlanNode, _vars: &[&'static str]) -> Option<Arc<dyn Executor>> {
        None
    }
}

/// The executor for each kind, looked up once per node when a plan is prepared.
pub fn executor_for(kind: &str) -> Option<Arc<dyn Executor>> {
    let executor: Arc<dyn Executor> = match kind {
        "tool" => Arc::new(tool::ToolExecutor),
        "llm" => Arc::new(llm::LlmExecutor),
        "agent" => Arc::new(agent::AgentExecutor),
        "approval" => Arc::new(approval::ApprovalExecutor),
        "code" => Arc::new(code::CodeExecutor),
        "condition" => Arc::new(condition::ConditionExecutor),
        "workflow" => Arc::new(workflow::WorkflowExecutor),
        _ => return None,
    };
    Some(executor)
}

/// A one-port output map.
pub fn output(port: &str, value: Value) -> Outputs {
    let mut map = Map::new();
    map.insert(port.to_owned(), value);
    map
}

/// Reads a node's config as its kind's config type (the one the compiler validated it against),
/// in place, naming the field when it has the wrong shape.
pub fn config_as<T: serde::de::DeserializeOwned>(config: &Value) -> Result<T, NodeError> {
    serde_path_to_error::deserialize(config).map_err(|e| {
        NodeError::new(
            ErrorClass::BadRequest,
            format!("`/config/{}` has the wrong shape: {}", e.path().to_string().replace('.', "/"), e.inner()),
        )
    })
}
