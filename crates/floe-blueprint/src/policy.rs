//! Failure and scheduling policies: retry, timeout, on-error, join, and the run-level policy.
//!
//! Durations are written as strings (`"500ms"`, `"30s"`, `"2m"`) and checked by the compiler, so
//! a bad one is a diagnostic at its field rather than a parse failure of the whole document.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A node's policy. Every field is optional; unset fields come from the blueprint `defaults`,
/// then from the built-in defaults documented on each field.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Retry on failure (built-in default: a single attempt, no retry).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<RetryPolicy>,
    /// Per-attempt time limit, e.g. `"30s"` (built-in default: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-floe-picker" = "duration"))]
    pub timeout: Option<String>,
    /// What happens when the node fails after its retries (built-in default: fail the run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_error: Option<OnError>,
    /// When a node with several inbound edges may start (built-in default: `all`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub join: Option<JoinRule>,
}

impl Policy {
    /// True when nothing is set (so it is left out of the canonical form).
    pub fn is_empty(&self) -> bool {
        self == &Policy::default()
    }
}

/// Exponential backoff with jitter and a cap.
///
/// The delay before attempt `n + 1` is `min(initial * multiplier^(n-1), max_delay)`, spread by
/// ±`jitter` (a fraction); a `Retry-After` carried by the error wins when it is longer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RetryPolicy {
    /// Total attempts including the first, 1–100.
    #[schemars(extend("examples" = [3]))]
    pub attempts: u32,
    /// First delay (default `"500ms"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-floe-picker" = "duration"))]
    pub initial: Option<String>,
    /// Growth factor per attempt, 1.0–10.0 (default 2.0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multiplier: Option<f64>,
    /// Cap on any single delay (default `"30s"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-floe-picker" = "duration"))]
    pub max_delay: Option<String>,
    /// Random spread as a fraction of the delay, 0.0–1.0 (default 0.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jitter: Option<f64>,
    /// Error classes that are retried (default: the transient ones, see [`ErrorClass::transient`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on: Option<Vec<ErrorClass>>,
}

/// The closed set of error classes every failure is sorted into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorClass {
    /// The attempt ran past its timeout.
    Timeout,
    /// The remote side asked us to slow down (HTTP 429).
    RateLimited,
    /// The remote side is overloaded (HTTP 503/529).
    Overloaded,
    /// Connection refused, reset, DNS failure.
    Network,
    /// HTTP 5xx.
    Server,
    /// Missing or rejected credentials.
    Auth,
    /// The request was rejected as malformed (HTTP 4xx other than 401/403/429).
    BadRequest,
    /// The prompt did not fit the model's context window.
    ContextTooLong,
    /// A streamed response broke off.
    StreamBroken,
    /// A response could not be parsed.
    Unparseable,
    /// An output did not match its declared schema.
    InvalidOutput,
    /// The code sandbox hit a limit or threw.
    Sandbox,
    /// A tool reported failure.
    Tool,
}

impl ErrorClass {
    /// Classes retried when a retry policy does not list its own.
    pub fn transient() -> &'static [ErrorClass] {
        &[
            ErrorClass::Timeout,
            ErrorClass::RateLimited,
            ErrorClass::Overloaded,
            ErrorClass::Network,
            ErrorClass::Server,
            ErrorClass::StreamBroken,
        ]
    }
}

/// What a node does once it has failed for good.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum OnError {
    /// Fail the run (subject to the run policy).
    Fail,
    /// Mark the node failed, skip its dependents, and carry on with the rest.
    Skip,
    /// Succeed with `value` on every output port.
    Default {
        /// The value used instead of the node's output.
        #[serde(serialize_with = "crate::canonical::sorted_value")]
        value: Value,
    },
    /// Route the error object to the node's `error` output port; the other ports are skipped.
    ErrorPort,
}

/// When a node with several inbound edges may run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum JoinRule {
    /// Every source delivered a value; if any was skipped, this node is skipped too.
    All,
    /// At least one source delivered; runs once all have settled, skipped only if none delivered.
    Any,
    /// Runs once all sources settled and none failed; skipped sources read as null.
    NoneFailed,
    /// Runs once all sources settled, whatever happened to them.
    Always,
}

/// Run-level policy.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunPolicy {
    /// Wall-clock limit for the whole run, e.g. `"10m"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-floe-picker" = "duration"))]
    pub timeout: Option<String>,
    /// What a failed node does to the run (default `halt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_failure: Option<RunFailurePolicy>,
    /// Most nodes running at once in this run, 1–1024 (default: the engine's limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_concurrency: Option<u32>,
    /// Spending limit; crossing it stops the run cleanly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<Budget>,
    /// Whether MCP clients (`floe mcp`, `floe serve`'s `/mcp`) are offered this blueprint as a
    /// tool (default yes: every blueprint of the folder is; `false` keeps it to the app).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_tool: Option<bool>,
    /// The MCP servers whose tools this blueprint's agents may call (by name, as in the
    /// settings). A model chooses an agent's calls and their arguments, so another server's
    /// tools are refused to agents unless listed here; `tool` nodes, whose calls the blueprint
    /// spells out, may call any tool. Built-in and memory tools are always allowed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub agent_tools: Vec<String>,
    /// Tools this blueprint's agents may call without asking first: tool names, or a server's
    /// name (or `floe`) for all its tools. An agent's call to a tool of an MCP server or of
    /// Floe's own that can change something otherwise waits for a person's approval ("always
    /// for this blueprint" in the app adds the tool here).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approved_tools: Vec<String>,
}

impl RunPolicy {
    /// True when nothing is set.
    pub fn is_empty(&self) -> bool {
        self == &RunPolicy::default()
    }
}

/// How a node failure affects the rest of the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RunFailurePolicy {
    /// Cancel everything still running and fail the run.
    Halt,
    /// Finish every node that does not depend on the failure, then fail the run.
    ContinuePossible,
    /// Finish every node that can run; the run succeeds if its outputs were produced.
    Always,
}

/// Spending limits for one run.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Budget {
    /// Most US dollars the run may spend on model calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_usd: Option<f64>,
    /// Most tokens (input + output) the run may use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u64>,
}

/// Parses a duration written like `"500ms"`, `"30s"`, `"2m"` or `"1h 30m"`.
pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    humantime::parse_duration(text.trim()).map_err(|e| e.to_string())
}
