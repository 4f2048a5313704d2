//! Approvals kept in the store: the request is a row, a decision (from this process or from
//! `floe approve` in another) updates it, and the waiting node polls for it. The timeout counts
//! from the first request, so a resumed run does not restart the clock.

use std::time::Duration;

use futures::future::BoxFuture;
use serde_json::Value;
use sqlx::Row;

use super::{Store, StoreError};
use crate::events::Clock;
use crate::run::approvals::{ApprovalRequest, Approvals, Decision};

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
}

impl Store {
    /// Records a decision on a pending approval.
    pub async fn decide(&self, run: &str, node: &str, decision: &Decision) -> Result<(), StoreError> {
        let pending = self.pending_approvals(Some(run)).await?;
        let Some(request) = pending.iter().find(|p| p.node == node) else {
            let waiting: Vec<&str> = pending.iter().map(|p| p.node.as_str()).collect();
            return Err(StoreError::Refused(if waiting.is_empty() {
                format!("run `{run}` has no approval waiting")
            } else {
                format!("no approval of `{node}` waits in run `{run}`; waiting: {}", waiting.join(", "))
            }));
        };
        let (status, value, comment) = match decision {
            Decision::Approved { value, comment } => {
                if !request.allow_edit && value != &request.value {
                    return Err(StoreError::Refused(format!(
                        "`{node}` does not allow editing the value; approve it as is"
                    )));
                }
                ("approved", Some(value.to_string()), comment.clone())
            }
            Decision::Rejected { comment } => ("rejected", None, comment.clone()),
            Decision::TimedOut => return Err(StoreError::Refused("a timeout is not a decision".into())),
        };
        sqlx::query(
            "UPDATE approvals SET status = ?, value = coalesce(?, value), comment = ?, decided_at = ? \
             WHERE run_id = ? AND node = ? AND status = 'pending'",
        )
        .bind(status)
        .bind(value)
        .bind(comment)
        .bind(crate::events::SystemClock.now_ms_i64())
        .bind(run)
        .bind(node)
        .execute(&self.pool)
        .await
        .map_err(|e| self.error(e))?;
        Ok(())
    }

    /// Approvals waiting for a decision (of one run, or all).
    pub async fn pending_approvals(&self, run: Option<&str>) -> Result<Vec<PendingApproval>, StoreError> {
        let rows = sqlx::query(
            "SELECT run_id, node, prompt, value, allow_edit, asked_at FROM approvals \
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
            })
            .collect())
    }

    async fn request(
        &self,
        request: &ApprovalRequest,
    ) -> Result<(String, Option<String>, Option<String>, u64), StoreError> {
        sqlx::query(
            "INSERT INTO approvals (run_id, node, prompt, status, allow_edit, value, asked_at) \
             VALUES (?, ?, ?, 'pending', ?, ?, ?) ON CONFLICT (run_id, node) DO NOTHING",
        )
        .bind(&request.run)
        .bind(&request.node)
        .bind(&request.prompt)
        .bind(request.allow_edit)
        .bind(request.value.to_string())
        .bind(crate::events::SystemClock.now_ms_i64())
        .execute(&self.pool)
        .await
        .map_err(|e| self.error(e))?;
        let row = sqlx::query("SELECT status, value, comment, asked_at FROM approvals WHERE run_id = ? AND node = ?")
            .bind(&request.run)
            .bind(&request.node)
            .fetch_one(&self.pool)
            .await
            .map_err(|e| self.error(e))?;
        Ok((row.get("status"), row.get("value"), row.get("comment"), row.get::<i64, _>("asked_at") as u64))
    }
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
                let (status, value, comment, asked_at) = self.0.request(request).await.map_err(|e| e.to_string())?;
                match status.as_str() {
                    "approved" => {
                        let value = value.and_then(|v| serde_json::from_str(&v).ok()).unwrap_or(Value::Null);
                        return Ok(Decision::Approved { value, comment });
                    }
                    "rejected" => return Ok(Decision::Rejected { comment }),
                    _ => {}
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
}
