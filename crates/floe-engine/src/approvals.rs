//! Where approval decisions come from. A waiting approval is recorded (durably, with a store) and
//! answered from outside the run: the app, `floe approve`/`floe reject`, or a test. A resumed run
//! finds its earlier request, and its decision if one was made while no process ran it.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use serde_json::Value;
use tokio::sync::watch;

/// An approval a node asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct ApprovalRequest {
    /// The run.
    pub run: String,
    /// The node path.
    pub node: String,
    /// What the reviewer is asked (rendered message).
    pub prompt: String,
    /// The value under review.
    pub value: Value,
    /// Whether the reviewer may change the value.
    pub allow_edit: bool,
    /// How long to wait, counted from the first request (across resumes).
    pub timeout: Option<Duration>,
    /// For an agent's call to a tool that needs approval: the tool (the request's `node` is the
    /// call's path, `<agent>/tool/<turn>.<call>`, and `value` its arguments). `None` for an
    /// `approval` node.
    pub tool: Option<String>,
}

/// How far an approval of a tool call reaches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// This call only (and the only scope of an `approval` node).
    #[default]
    Once,
    /// Every call of the same tool in this run (calls already waiting included).
    Run,
    /// As `run`, and the tool is written into the blueprint's `run.approved_tools`, so its later
    /// runs do not ask.
    Blueprint,
}

impl Scope {
    /// The name stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Once => "once",
            Scope::Run => "run",
            Scope::Blueprint => "blueprint",
        }
    }
}

/// What the reviewer decided.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Go on, with this value (the edited one, or the original).
    Approved {
        /// The value passed on.
        value: Value,
        /// The reviewer's note.
        comment: Option<String>,
        /// How far it reaches (tool calls).
        scope: Scope,
    },
    /// Stop this branch.
    Rejected {
        /// Why.
        comment: Option<String>,
    },
    /// Nobody answered before the timeout.
    TimedOut,
}

/// Answers approval requests.
pub trait Approvals: Send + Sync {
    /// Records the request (once; again after a resume is a no-op), before the run announces
    /// that it waits, so a reviewer who sees the announcement finds the request.
    fn record<'a>(&'a self, request: &'a ApprovalRequest) -> BoxFuture<'a, Result<(), String>>;

    /// Resolves with the decision on a recorded request.
    fn wait<'a>(&'a self, request: &'a ApprovalRequest) -> BoxFuture<'a, Result<Decision, String>>;

    /// Whether a call of `tool` in run `run` was already allowed for the rest of the run.
    fn allowed<'a>(&'a self, run: &'a str, tool: &'a str) -> BoxFuture<'a, Result<bool, String>>;
}

/// Decisions given in this process through [`MemoryApprovals::decide`]; for runs without a
/// store (tests, embedding).
#[derive(Debug, Clone)]
pub struct MemoryApprovals {
    decisions: Arc<watch::Sender<Decided>>,
    pending: Arc<watch::Sender<Vec<ApprovalRequest>>>,
}

/// What was decided: per request, and the (run, tool) pairs allowed for the rest of a run.
#[derive(Debug, Default)]
struct Decided {
    by_node: HashMap<String, Decision>,
    allowed: HashSet<(String, String)>,
}

impl Decided {
    fn answer(&self, request: &ApprovalRequest) -> Option<Decision> {
        if let Some(decision) = self.by_node.get(&request.node) {
            return Some(decision.clone());
        }
        let tool = request.tool.as_ref()?;
        self.allowed.contains(&(request.run.clone(), tool.clone())).then(|| Decision::Approved {
            value: request.value.clone(),
            comment: None,
            scope: Scope::Run,
        })
    }
}

impl Default for MemoryApprovals {
    fn default() -> Self {
        Self {
            decisions: Arc::new(watch::channel(Decided::default()).0),
            pending: Arc::new(watch::channel(Vec::new()).0),
        }
    }
}

impl MemoryApprovals {
    /// No decisions yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Answers the approval of node path `node` (a tool call's path for a tool call). Allowing a
    /// tool call for the run answers the run's other calls of that tool too.
    pub fn decide(&self, node: &str, decision: Decision) {
        let widened = match &decision {
            Decision::Approved { scope: Scope::Run | Scope::Blueprint, .. } => self
                .pending
                .borrow()
                .iter()
                .find(|r| r.node == node)
                .and_then(|r| Some((r.run.clone(), r.tool.clone()?))),
            _ => None,
        };
        self.decisions.send_modify(|decided| {
            decided.by_node.insert(node.to_owned(), decision);
            decided.allowed.extend(widened);
        });
    }

    /// Requests waiting for an answer.
    pub fn pending(&self) -> Vec<ApprovalRequest> {
        self.pending.borrow().clone()
    }

    /// Resolves with the requests waiting, as soon as there is at least one.
    pub async fn requested(&self) -> Vec<ApprovalRequest> {
        let mut pending = self.pending.subscribe();
        pending.wait_for(|requests| !requests.is_empty()).await.map(|r| r.clone()).unwrap_or_default()
    }
}

impl Approvals for MemoryApprovals {
    fn record<'a>(&'a self, request: &'a ApprovalRequest) -> BoxFuture<'a, Result<(), String>> {
        self.pending.send_modify(|requests| requests.push(request.clone()));
        Box::pin(std::future::ready(Ok(())))
    }

    fn wait<'a>(&'a self, request: &'a ApprovalRequest) -> BoxFuture<'a, Result<Decision, String>> {
        Box::pin(async move {
            let mut decisions = self.decisions.subscribe();
            let decided = decisions.wait_for(|decided| decided.answer(request).is_some());
            let decision = match request.timeout {
                Some(limit) => match tokio::time::timeout(limit, decided).await {
                    Ok(Ok(decided)) => decided.answer(request),
                    Ok(Err(_)) => None,
                    Err(_) => Some(Decision::TimedOut),
                },
                None => decided.await.ok().and_then(|decided| decided.answer(request)),
            };
            self.pending.send_modify(|requests| requests.retain(|r| r.node != request.node));
            decision.ok_or_else(|| "the approval channel closed".to_owned())
        })
    }

    fn allowed<'a>(&'a self, run: &'a str, tool: &'a str) -> BoxFuture<'a, Result<bool, String>> {
        let allowed = self.decisions.borrow().allowed.contains(&(run.to_owned(), tool.to_owned()));
        Box::pin(std::future::ready(Ok(allowed)))
    }
}
