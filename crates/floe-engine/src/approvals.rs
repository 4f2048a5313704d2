//! Where approval decisions come from. A waiting approval is recorded (durably, with a store) and
//! answered from outside the run: the app, `floe approve`/`floe reject`, or a test. A resumed run
//! finds its earlier request, and its decision if one was made while no process ran it.

use std::collections::HashMap;
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
}

/// Decisions given in this process through [`MemoryApprovals::decide`]; for runs without a
/// store (tests, embedding).
#[derive(Debug, Clone)]
pub struct MemoryApprovals {
    decisions: Arc<watch::Sender<HashMap<String, Decision>>>,
    pending: Arc<watch::Sender<Vec<ApprovalRequest>>>,
}

impl Default for MemoryApprovals {
    fn default() -> Self {
        Self { decisions: Arc::new(watch::channel(HashMap::new()).0), pending: Arc::new(watch::channel(Vec::new()).0) }
    }
}

impl MemoryApprovals {
    /// No decisions yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Answers the approval of node path `node`.
    pub fn decide(&self, node: &str, decision: Decision) {
        self.decisions.send_modify(|map| {
            map.insert(node.to_owned(), decision);
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
            let decided = decisions.wait_for(|map| map.contains_key(&request.node));
            let decision = match request.timeout {
                Some(limit) => match tokio::time::timeout(limit, decided).await {
                    Ok(Ok(map)) => map.get(&request.node).cloned(),
                    Ok(Err(_)) => None,
                    Err(_) => Some(Decision::TimedOut),
                },
                None => decided.await.ok().and_then(|map| map.get(&request.node).cloned()),
            };
            self.pending.send_modify(|requests| requests.retain(|r| r.node != request.node));
            decision.ok_or_else(|| "the approval channel closed".to_owned())
        })
    }
}
