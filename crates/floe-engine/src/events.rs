//! Run events: the closed set of things a run announces, in order, once they are journaled.
//!
//! Every event carries the run id, a sequence number (dense, from 1, per run) and a timestamp
//! from the run's [`Clock`]. Sinks receive events in batches, after the journal has stored them
//! ("journaled before announced"), so what a sink has seen survives a crash.

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use floe_blueprint::ErrorClass;

/// One announced event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Event {
    /// The run it belongs to.
    pub run: Arc<str>,
    /// Position in the run's event log, from 1, without gaps.
    pub seq: u64,
    /// Milliseconds since the Unix epoch, from the run's clock.
    pub at: u64,
    /// What happened.
    #[serde(flatten)]
    pub kind: RunEvent,
}

/// Where a node sits: its id, prefixed by the containers and iterations above it
/// (`map/3/summarise` is `summarise` in item 3 of loop `map`).
pub type NodePath = Arc<str>;

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Still going (or interrupted, when the process died).
    Running,
    /// Paused by a person; no new nodes start.
    Paused,
    /// Waiting for an approval.
    Waiting,
    /// Every output was produced and no node failed (or the policy was `always`).
    Succeeded,
    /// A node failed and the run policy let the failure fail the run.
    Failed,
    /// Cancelled by a person, a timeout or a budget.
    Cancelled,
}

impl RunStatus {
    /// Whether the run is over.
    pub fn is_final(self) -> bool {
        matches!(self, RunStatus::Succeeded | RunStatus::Failed | RunStatus::Cancelled)
    }

    /// Every status.
    pub const ALL: [RunStatus; 6] = [
        RunStatus::Running,
        RunStatus::Paused,
        RunStatus::Waiting,
        RunStatus::Succeeded,
        RunStatus::Failed,
        RunStatus::Cancelled,
    ];

    /// The status named `name` (as [`RunStatus::as_str`] writes it).
    pub fn parse(name: &str) -> Option<RunStatus> {
        Self::ALL.into_iter().find(|status| status.as_str() == name)
    }

    /// The lowercase name used in the store and the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Paused => "paused",
            RunStatus::Waiting => "waiting",
            RunStatus::Succeeded => "succeeded",
            RunStatus::Failed => "failed",
            RunStatus::Cancelled => "cancelled",
        }
    }
}

/// A node failure as events and the store record it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ErrorInfo {
    /// Which class of failure (decides retries).
    pub class: ErrorClass,
    /// What went wrong and, where possible, what to do about it.
    pub message: String,
    /// The delay the remote side asked for, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<u64>,
}

/// Why a node was skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// An upstream condition took the other branch (or an upstream node was skipped) and the
    /// node's join rule needs that input.
    Branch,
    /// An upstream node failed and the node's join rule does not run after failures.
    UpstreamFailed,
    /// The run was halted or cancelled before the node could start.
    Halted,
}

/// Tokens a model call used and what they cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct UsageInfo {
    /// Prompt tokens (cached ones included).
    pub input_tokens: u64,
    /// Generated tokens.
    pub output_tokens: u64,
    /// Prompt tokens served from the provider's cache.
    pub cached_tokens: u64,
    /// USD, when the model has a price in the price table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_usd: Option<f64>,
}

/// A tool call an agent made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AgentCall {
    /// The call's id.
    pub id: String,
    /// The tool.
    pub tool: String,
    /// Its arguments as the model sent them.
    pub arguments: Value,
}

/// What happened. Tagged by `type` in JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RunEvent {
    /// The run began.
    RunStarted {
        /// Blueprint id.
        blueprint: String,
        /// Plan hash that ran.
        hash: String,
        /// Nodes at the top level (bodies run per item/iteration).
        nodes: usize,
        /// Run inputs after defaults.
        inputs: Map<String, Value>,
        /// Whether this continues an interrupted run (finished nodes are not run again).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        resumed: bool,
    },
    /// No new nodes will start until resumed; running ones finish.
    RunPaused,
    /// Nodes start again.
    RunResumed,
    /// The run was cancelled; running nodes were told to stop.
    RunCancelled {
        /// Who or what cancelled it.
        reason: String,
    },
    /// The run is over.
    RunFinished {
        /// How it ended.
        status: RunStatus,
        /// Run outputs that were produced.
        outputs: Map<String, Value>,
        /// Why it failed, when it did.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<String>,
    },
    /// A node's inputs resolved but it has to wait for a concurrency slot (or a resume); a node
    /// that can start at once goes straight to `node_started`.
    NodeQueued {
        /// The node.
        node: NodePath,
    },
    /// An attempt began.
    NodeStarted {
        /// The node.
        node: NodePath,
        /// Attempt number, from 1.
        attempt: u32,
        /// The values on its input ports.
        inputs: Arc<Map<String, Value>>,
    },
    /// A long-running node reports how far it got.
    NodeProgress {
        /// The node.
        node: NodePath,
        /// What it is doing.
        message: String,
        /// Completed fraction, 0–1, when known.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        fraction: Option<f64>,
    },
    /// Part of an output as it streams (model tokens).
    NodeOutputDelta {
        /// The node.
        node: NodePath,
        /// Output port.
        port: String,
        /// The new text.
        delta: String,
    },
    /// An attempt failed and another follows after `delay_ms`.
    NodeRetrying {
        /// The node.
        node: NodePath,
        /// The attempt that failed.
        attempt: u32,
        /// Attempts the node's retry policy allows in all.
        #[serde(default)]
        attempts: u32,
        /// Wait before the next attempt.
        delay_ms: u64,
        /// Why it failed.
        error: ErrorInfo,
    },
    /// The node produced its outputs.
    NodeSucceeded {
        /// The node.
        node: NodePath,
        /// The attempt that succeeded.
        attempt: u32,
        /// Output port → value.
        outputs: Arc<Map<String, Value>>,
        /// How long the attempt took.
        duration_ms: u64,
        /// The result's key (kind, engine version, config and every value the node read), for
        /// reuse by later runs (`--reuse`); journaled runs only.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        key: Option<String>,
    },
    /// The node failed for good (after its retries). Under `on_error: default` or
    /// `error_port` a `node_succeeded` with the substitute outputs follows.
    NodeFailed {
        /// The node.
        node: NodePath,
        /// The last attempt.
        attempt: u32,
        /// Why.
        error: ErrorInfo,
    },
    /// The node will not run.
    NodeSkipped {
        /// The node.
        node: NodePath,
        /// Why.
        reason: SkipReason,
    },
    /// The node's result was reused from an earlier run instead of executing.
    NodeCached {
        /// The node.
        node: NodePath,
        /// The run the result came from.
        from_run: String,
        /// The reused outputs.
        outputs: Arc<Map<String, Value>>,
        /// The key they were produced under.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        key: Option<String>,
    },
    /// The node waits for a person (approval).
    NodeWaiting {
        /// The node.
        node: NodePath,
        /// What the person is asked.
        prompt: String,
    },
    /// A model call finished: the tokens it used and what they cost.
    NodeUsage {
        /// The node.
        node: NodePath,
        /// The model that answered (`provider:model`).
        model: String,
        /// Tokens and cost.
        usage: UsageInfo,
    },
    /// An agent's model turn ended: what it said and which tools it called.
    AgentTurn {
        /// The agent node.
        node: NodePath,
        /// Turn number, from 1.
        turn: u32,
        /// The text of the turn.
        text: String,
        /// Tool calls it made, in order.
        calls: Vec<AgentCall>,
    },
    /// A tool an agent called returned (or failed; the failure goes back to the model).
    AgentToolResult {
        /// The agent node.
        node: NodePath,
        /// The turn whose call this answers.
        turn: u32,
        /// The call's id.
        call: String,
        /// The tool.
        tool: String,
        /// Whether it succeeded.
        ok: bool,
        /// Its result, or the error the model was shown.
        result: Value,
    },
    /// The run's spending limit was crossed; the run is cancelled next.
    BudgetExceeded {
        /// Tokens used so far.
        tokens: u64,
        /// USD spent so far.
        cost_usd: f64,
        /// Which limit, e.g. `max_usd 0.50`.
        limit: String,
    },
    /// One item of a loop or one iteration of a recursive node settled.
    LoopIteration {
        /// The container node.
        node: NodePath,
        /// Item index or iteration number, from 0.
        index: u64,
        /// Whether it produced its value.
        ok: bool,
    },
}

impl RunEvent {
    /// The `type` tag.
    pub fn name(&self) -> &'static str {
        match self {
            RunEvent::RunStarted { .. } => "run_started",
            RunEvent::RunPaused => "run_paused",
            RunEvent::RunResumed => "run_resumed",
            RunEvent::RunCancelled { .. } => "run_cancelled",
            RunEvent::RunFinished { .. } => "run_finished",
            RunEvent::NodeQueued { .. } => "node_queued",
            RunEvent::NodeStarted { .. } => "node_started",
            RunEvent::NodeProgress { .. } => "node_progress",
            RunEvent::NodeOutputDelta { .. } => "node_output_delta",
            RunEvent::NodeRetrying { .. } => "node_retrying",
            RunEvent::NodeSucceeded { .. } => "node_succeeded",
            RunEvent::NodeFailed { .. } => "node_failed",
            RunEvent::NodeSkipped { .. } => "node_skipped",
            RunEvent::NodeCached { .. } => "node_cached",
            RunEvent::NodeWaiting { .. } => "node_waiting",
            RunEvent::LoopIteration { .. } => "loop_iteration",
            RunEvent::NodeUsage { .. } => "node_usage",
            RunEvent::AgentTurn { .. } => "agent_turn",
            RunEvent::AgentToolResult { .. } => "agent_tool_result",
            RunEvent::BudgetExceeded { .. } => "budget_exceeded",
        }
    }

    /// The node the event is about, if any.
    pub fn node(&self) -> Option<&str> {
        match self {
            RunEvent::NodeQueued { node }
            | RunEvent::NodeStarted { node, .. }
            | RunEvent::NodeProgress { node, .. }
            | RunEvent::NodeOutputDelta { node, .. }
            | RunEvent::NodeRetrying { node, .. }
            | RunEvent::NodeSucceeded { node, .. }
            | RunEvent::NodeFailed { node, .. }
            | RunEvent::NodeSkipped { node, .. }
            | RunEvent::NodeCached { node, .. }
            | RunEvent::NodeWaiting { node, .. }
            | RunEvent::LoopIteration { node, .. }
            | RunEvent::NodeUsage { node, .. }
            | RunEvent::AgentTurn { node, .. }
            | RunEvent::AgentToolResult { node, .. } => Some(node),
            RunEvent::BudgetExceeded { .. }
            | RunEvent::RunStarted { .. }
            | RunEvent::RunPaused
            | RunEvent::RunResumed
            | RunEvent::RunCancelled { .. }
            | RunEvent::RunFinished { .. } => None,
        }
    }
}

/// Receives events, in order, in batches, after they were journaled.
pub trait EventSink: Send + Sync {
    /// Called with consecutive events of one run; never with an empty batch.
    fn emit(&self, events: &[Event]);

    /// Whether it does anything with them. A journaled run keeps its events until they are
    /// journaled only for sinks that do; for the rest they are freed as soon as serialised.
    fn wants_events(&self) -> bool {
        true
    }
}

/// Discards events.
#[derive(Debug, Default, Clone, Copy)]
pub struct NullSink;

impl EventSink for NullSink {
    fn emit(&self, _: &[Event]) {}

    fn wants_events(&self) -> bool {
        false
    }
}

/// Keeps every event in memory, for tests and for callers that want the trace afterwards.
#[derive(Debug, Default, Clone)]
pub struct Recorder {
    events: Arc<Mutex<Vec<Event>>>,
}

impl Recorder {
    /// A new, empty recorder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Everything recorded so far.
    pub fn events(&self) -> Vec<Event> {
        self.events.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

impl EventSink for Recorder {
    fn emit(&self, events: &[Event]) {
        self.events.lock().unwrap_or_else(PoisonError::into_inner).extend_from_slice(events);
    }
}

/// Writes one JSON object per line (`--json`), flushing after each batch.
#[derive(Debug)]
pub struct JsonLines<W> {
    out: Mutex<W>,
}

impl<W: Write + Send> JsonLines<W> {
    /// Events go to `out`.
    pub fn new(out: W) -> Self {
        Self { out: Mutex::new(out) }
    }
}

impl<W: Write + Send> EventSink for JsonLines<W> {
    fn emit(&self, events: &[Event]) {
        let mut out = self.out.lock().unwrap_or_else(PoisonError::into_inner);
        for event in events {
            // A closed pipe (`floe run --json | head`) must not stop the run.
            if serde_json::to_writer(&mut *out, event).is_err() || out.write_all(b"\n").is_err() {
                return;
            }
        }
        let _ = out.flush();
    }
}

/// Sends every batch to several sinks, in order.
#[derive(Default)]
pub struct Fanout {
    sinks: Vec<Arc<dyn EventSink>>,
}

impl std::fmt::Debug for Fanout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fanout").field("sinks", &self.sinks.len()).finish()
    }
}

impl Fanout {
    /// A fan-out to `sinks`.
    pub fn new(sinks: Vec<Arc<dyn EventSink>>) -> Self {
        Self { sinks }
    }
}

impl EventSink for Fanout {
    fn emit(&self, events: &[Event]) {
        for sink in &self.sinks {
            sink.emit(events);
        }
    }

    fn wants_events(&self) -> bool {
        self.sinks.iter().any(|sink| sink.wants_events())
    }
}

/// Where event timestamps come from; injected so tests get stable times.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> u64;
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> u64 {
        SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
    }
}

impl SystemClock {
    /// Milliseconds since the epoch as SQLite stores them.
    pub fn now_ms_i64(&self) -> i64 {
        i64::try_from(self.now_ms()).unwrap_or(i64::MAX)
    }
}

/// A clock that starts at a fixed instant and advances by a fixed step on every reading.
#[derive(Debug)]
pub struct SteppingClock {
    next: std::sync::atomic::AtomicU64,
    step: u64,
}

impl SteppingClock {
    /// Starts at `start_ms`, adding `step` per reading.
    pub fn new(start_ms: u64, step: Duration) -> Self {
        Self { next: std::sync::atomic::AtomicU64::new(start_ms), step: step.as_millis() as u64 }
    }
}

impl Clock for SteppingClock {
    fn now_ms(&self) -> u64 {
        self.next.fetch_add(self.step, std::sync::atomic::Ordering::Relaxed)
    }
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq)]
pub struct RunReport {
    /// The run id.
    pub run_id: String,
    /// Final status.
    pub status: RunStatus,
    /// Run outputs that were produced.
    pub outputs: Map<String, Value>,
    /// Why it failed or was cancelled.
    pub error: Option<String>,
    /// Wall time.
    pub elapsed: Duration,
}
