//! Approvals kept in the store: the request is a row, a decision (from this process or from
//! `floe approve` in another) updates it, and the waiting node polls for it. The timeout counts
//! from the first request, so a resumed run does not restart the clock.

use std::path::PathBuf;
use std::time::Duration;

use futures::future::BoxFuture;
use serde_json::Value;
use sqlx::Row;

use super::{Store, StoreError};
use crate::events::Clock;
use crate::run::approvals::{ApprovalRequest, Approvals, Decision, Scope};

/// How often a waiting approval looks for a decision.
const POLL: Duration = Duration::from_millis(200);

/// A pending approval, as listed for reviewers.
#[derive(Debug, Clone, PartialEq, serde::Serialize, schemars::JsonSchema)]
pub struct PendingApproval {
    /// The run.
    pub run: String,
    /// The node path.
    pub node: String,
    /// The message shown to the reviewer.
    pub prompt: String,
    /// The value under review.
    pub value: Value,
    /// Whether an approval may change the value.
    pub allow_edit: bool,
    /// When it was asked, ms since the epoch.
    pub asked_at: u64,
    /// For an agent's tool call (`node` is then the call's path): the tool. Only these may be
    /// allowed for the run or the blueprint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
}

impl Store {
    /// The pending approval of `node` in `run`, or a refusal that names what does wait.
    pub async fn pending_approval(&self, run: &str, node: &str) -> Result<PendingApproval, StoreError> {
        let mut pending = self.pending_approvals(Some(run)).await?;
        match pending.iter().position(|p| p.node == node) {
            Some(found) => Ok(pending.swap_remove(found)),
            None => {
                let waiting: Vec<&str> = pending.iter().map(|p| p.node.as_str()).collect();
                Err(StoreError::Refused(if waiting.is_empty() {
                    format!("run `{run}` has no approval waiting")
                } else {
                    format!("no approval of `{node}` waits in run `{run}`; waiting: {}", waiting.join(", "))
                }))
            }
        }
    }

    /// Records a decision on a pending approval. Allowing a tool call for the run (or the
    /// blueprint) approves the run's other waiting calls of that tool as well, with their own
    /// arguments. "Always for this blueprint" also adds the tool to the `run.approved_tools` of
    /// the run's blueprint file, which is returned.
    pub async fn decide(&self, run: &str, node: &str, decision: &Decision) -> Result<Option<PathBuf>, StoreError> {
        let request = self.pending_approval(run, node).await?;
        let file = match decision {
            Decision::Approved { scope: Scope::Blueprint, .. } => match self.run(run).await?.blueprint_path {
                Some(path) => Some(PathBuf::from(path)),
                None => {
                    return Err(StoreError::Refused(format!(
                        "run `{run}` did not run from a blueprint file, so there is none to add the tool to; allow it for this run instead"
                    )));
                }
            },
            _ => None,
        };
        let (status, value, comment, scope) = match decision {
            Decision::Approved { value, comment, scope } => {
                if !request.allow_edit && value != &request.value {
                    return Err(StoreError::Refused(format!(
                        "`{node}` does not allow editing the value; approve it as is"
                    )));
                }
                if *scope != Scope::Once && request.tool.is_none() {
                    return Err(StoreError::Refused(format!(
                        "`{node}` is an approval node, which is approved once; only an agent's tool calls can be allowed for the run or the blueprint"
                    )));
                }
                ("approved", Some(value.to_string()), comment.clone(), Some(scope.as_str()))
            }
            Decision::Rejected { comment } => ("rejected", None, comment.clone(), None),
            Decision::TimedOut => return Err(StoreError::Refused("a timeout is not a decision".into())),
        };
        let now = crate::events::SystemClock.now_ms_i64();
        let mut tx = self.pool.begin().await.map_err(|e| self.error(e))?;
        sqlx::query(
            "UPDATE approvals SET status = ?, value = coalesce(?, value), comment = ?, scope = ?, decided_at = ? \
             WHERE run_id = ? AND node = ? AND status = 'pending'",
        )
        .bind(status)
        .bind(value)
        .bind(&comment)
        .bind(scope)
        .bind(now)
        .bind(run)
        .bind(node)
        .execute(&mut *tx)
        .await
        .map_err(|e| self.error(e))?;
        if let (Some(scope @ ("run" | "blueprint")), Some(tool)) = (scope, &request.tool) {
            sqlx::query(
                "UPDATE approvals SET status = 'approved', comment = ?, scope = ?, decided_at = ? \
                 WHERE run_id = ? AND tool = ? AND status = 'pending'",
            )
            .bind(&comment)
            .bind(scope)
            .bind(now)
            .bind(run)
            .bind(tool)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.error(e))?;
        }
        tx.commit().await.map_err(|e| self.error(e))?;
        if let (Some(file), Some(tool)) = (&file, &request.tool) {
            crate::workspace::approve_tool_in_file(file, tool).map_err(|e| {
                StoreError::Refused(format!(
                    "the call was allowed for this run, but the blueprint was not changed: {e}"
                ))
            })?;
        }
        Ok(file)
    }

    /// Approvals waiting for a decision (of one run, or all).
    pub async fn pending_approvals(&self, run: Option<&str>) -> Result<Vec<PendingApproval>, StoreError> {
        let rows = sqlx::query(
            "SELECT run_id, node, prompt, value, allow_edit, asked_at, tool FROM approvals \
             WHERE status = 'pending' AND (? IS NULL OR run_id = ?) ORDER BY asked_at",
        )
        .bind(run)
        .bind(run)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.error(e))?;
        Ok(rows
            .iter()
            .map(|r| PendingApproval {
                run: r.get("run_id"),
                node: r.get("node"),
                prompt: r.get("prompt"),
                value: r
                    .get::<Option<String>, _>("value")
                    .and_then(|v| serde_json::from_str(&v).ok())
                    .unwrap_or(Value::Null),
                allow_edit: r.get::<i64, _>("allow_edit") != 0,
                asked_at: r.get::<i64, _>("asked_at") as u64,
                tool: r.get("tool"),
            })
            .collect())
    }

    async fn request(&self, request: &ApprovalRequest) -> Result<Asked, StoreError> {
        sqlx::query(
            "INSERT INTO approvals (run_id, node, prompt, status, allow_edit, value, asked_at, tool) \
             VALUES (?, ?, ?, 'pending', ?, ?, ?, ?) ON CONFLICT (run_id, node) DO NOTHING",
        )
        .bind(&request.run)
        .bind(&request.node)
        .bind(&request.prompt)
        .bind(request.allow_edit)
        .bind(request.value.to_string())
        .bind(crate::events::SystemClock.now_ms_i64())
        .bind(&request.tool)
        .execute(&self.pool)
        .await
        .map_err(|e| self.error(e))?;
        let row =
            sqlx::query("SELECT status, value, comment, asked_at, scope FROM approvals WHERE run_id = ? AND node = ?")
                .bind(&request.run)
                .bind(&request.node)
                .fetch_one(&self.pool)
                .await
                .map_err(|e| self.error(e))?;
        Ok(Asked {
            status: row.get("status"),
            value: row.get("value"),
            comment: row.get("comment"),
            asked_at: row.get::<i64, _>("asked_at") as u64,
            scope: match row.get::<Option<String>, _>("scope").as_deref() {
                Some("run") => Scope::Run,
                Some("blueprint") => Scope::Blueprint,
                _ => Scope::Once,
            },
        })
    }
}

/// A recorded request as it stands.
struct Asked {
    status: String,
    value: Option<String>,
    comment: Option<String>,
    asked_at: u64,
    scope: Scope,
}

/// The store as the source of approval decisions.
#[derive(Debug, Clone)]
pub struct StoreApprovals(pub Store);

impl Approvals for StoreApprovals {
    fn record<'a>(&'a self, request: &'a ApprovalRequest) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move { self.0.request(request).await.map(|_| ()).map_err(|e| e.to_string()) })
    }

    fn wait<'a>(&'a self, request: &'a ApprovalRequest) -> BoxFuture<'a, Result<Decision, String>> {
        Box::pin(async move {
            loop {
                let Asked { status, value, comment, asked_at, scope } =
                    self.0.request(request).await.map_err(|e| e.to_string())?;
                match status.as_str() {
                    "approved" => {
                        let value = value.and_then(|v| serde_json::from_str(&v).ok()).unwrap_or(Value::Null);
                        return Ok(Decision::Approved { value, comment, scope });
                    }
                    "rejected" => return Ok(Decision::Rejected { comment }),
                    _ => {}
                }
                // A call of a tool already allowed for this run is approved as it is.
                if let Some(tool) = &request.tool
                    && self.allowed(&request.run, tool).await?
                {
                    return Ok(Decision::Approved { value: request.value.clone(), comment, scope: Scope::Run });
                }
                if let Some(limit) = request.timeout {
                    let waited = crate::events::SystemClock.now_ms().saturating_sub(asked_at);
                    if u128::from(waited) >= limit.as_millis() {
                        sqlx::query("UPDATE approvals SET status = 'timed_out' WHERE run_id = ? AND node = ?")
                            .bind(&request.run)
                            .bind(&request.node)
                            .execute(&self.0.pool)
                            .await
                            .map_err(|e| e.to_string())?;
                        return Ok(Decision::TimedOut);
                    }
                }
                tokio::time::sleep(POLL).await;
            }
        })
    }

    fn allowed<'a>(&'a self, run: &'a str, tool: &'a str) -> BoxFuture<'a, Result<bool, String>> {
        Box::pin(async move {
            let found = sqlx::query(
                "SELECT 1 FROM approvals WHERE run_id = ? AND tool = ? AND status = 'approved' \
                 AND scope IN ('run', 'blueprint') LIMIT 1",
            )
            .bind(run)
            .bind(tool)
            .fetch_optional(&self.0.pool)
            .await
            .map_err(|e| e.to_string())?;
            Ok(found.is_some())
        })
    }
}
