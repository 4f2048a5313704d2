//! The store as a run journal: each batch of events goes in with the node-attempt rows and run
//! totals it implies, in one transaction, using multi-row statements so that journaling keeps
//! up with the scheduler.

use std::collections::BTreeMap;
use std::sync::Arc;

use futures::future::BoxFuture;
use serde_json::Value;
use sqlx::{QueryBuilder, Sqlite};

use super::{Store, StoreError, blobs};
use crate::events::{Event, RunEvent};
use crate::run::{Journal, JournalError};

/// Rows per multi-row statement (SQLite allows 32,766 bound values). Statements come in a few
/// sizes only (this, then halves for the rest of a batch), so each is prepared once per
/// connection and cached: parsing a many-row statement for each batch cost as much as running it.
const ROWS_PER_STATEMENT: usize = 256;

/// Splits `rows` into chunks of [`ROWS_PER_STATEMENT`], then powers of two.
fn chunks<T>(mut rows: &[T]) -> impl Iterator<Item = &[T]> {
    std::iter::from_fn(move || {
        if rows.is_empty() {
            return None;
        }
        let size = if rows.len() >= ROWS_PER_STATEMENT { ROWS_PER_STATEMENT } else { 1 << rows.len().ilog2() };
        let (chunk, rest) = rows.split_at(size);
        rows = rest;
        Some(chunk)
    })
}

/// Journals one run into the store.
#[derive(Debug, Clone)]
pub struct StoreJournal {
    store: Store,
    run: Arc<str>,
}

impl StoreJournal {
    pub(super) fn new(store: Store, run: &str) -> Self {
        Self { store, run: run.into() }
    }
}

impl Journal for StoreJournal {
    fn append<'a>(&'a self, events: &'a [Event]) -> BoxFuture<'a, Result<(), JournalError>> {
        Box::pin(async move { self.write(events).await.map_err(|e| JournalError(e.to_string())) })
    }
}

struct EventRow {
    seq: i64,
    at: i64,
    kind: &'static str,
    node: Option<String>,
    data: String,
}

#[derive(Default)]
struct NodeRow {
    status: Option<&'static str>,
    error: Option<String>,
    started_at: Option<i64>,
    finished_at: Option<i64>,
    started_seq: Option<i64>,
    finished_seq: Option<i64>,
}

#[derive(Default)]
struct RunUpdate {
    status: Option<&'static str>,
    outputs: Option<String>,
    error: Option<String>,
    finished_at: Option<i64>,
    succeeded: i64,
    failed: i64,
    skipped: i64,
    tokens_in: i64,
    tokens_out: i64,
    cost_usd: f64,
}

/// Node-attempt rows touched by a batch, by (node path, attempt).
type Nodes = BTreeMap<(String, u32), NodeRow>;

/// Records that a node attempt settled.
fn settle<'n>(
    nodes: &'n mut Nodes,
    node: &str,
    attempt: u32,
    status: &'static str,
    at: i64,
    seq: i64,
) -> &'n mut NodeRow {
    let row = nodes.entry((node.to_owned(), attempt)).or_default();
    row.status = Some(status);
    row.finished_at = Some(at);
    row.finished_seq = Some(seq);
    row
}

/// An event as stored: its JSON, with values too large for a row moved to blob files. Most
/// events are small, and are serialised once, straight to text.
fn serialize(folder: &std::path::Path, event: &Event) -> Result<String, StoreError> {
    let text = serde_json::to_string(event).map_err(|e| StoreError::Damaged(e.to_string()))?;
    if text.len() < blobs::SPILL_BYTES {
        return Ok(text);
    }
    let mut data = serde_json::to_value(event).map_err(|e| StoreError::Damaged(e.to_string()))?;
    for field in ["outputs", "inputs"] {
        if let Some(Value::Object(map)) = data.get_mut(field) {
            for value in map.values_mut() {
                *value = blobs::spill_value(folder, value)?;
            }
        }
    }
    Ok(data.to_string())
}

impl StoreJournal {
    async fn write(&self, events: &[Event]) -> Result<(), StoreError> {
        let folder = self.store.blobs.as_ref();
        let mut rows = Vec::with_capacity(events.len());
        let mut nodes: Nodes = BTreeMap::new();
        let mut run = RunUpdate::default();
        for event in events {
            let data = serialize(folder, event)?;
            let at = event.at as i64;
            let seq = event.seq as i64;
            match &event.kind {
                RunEvent::NodeStarted { node, attempt, .. } => {
                    let row = nodes.entry((node.to_string(), *attempt)).or_default();
                    row.status = Some("running");
                    row.started_at = Some(at);
                    row.started_seq = Some(seq);
                }
                RunEvent::NodeSucceeded { node, attempt, .. } => {
                    settle(&mut nodes, node, *attempt, "succeeded", at, seq);
                    run.succeeded += 1;
                }
                RunEvent::NodeFailed { node, attempt, error } => {
                    settle(&mut nodes, node, *attempt, "failed", at, seq).error = Some(error.message.clone());
                    run.failed += 1;
                }
                RunEvent::NodeRetrying { node, attempt, error, .. } => {
                    settle(&mut nodes, node, *attempt, "failed", at, seq).error = Some(error.message.clone());
                }
                RunEvent::NodeSkipped { node, .. } => {
                    settle(&mut nodes, node, 0, "skipped", at, seq);
                    run.skipped += 1;
                }
                RunEvent::NodeCached { node, .. } => {
                    settle(&mut nodes, node, 0, "cached", at, seq);
                    run.succeeded += 1;
                }
                RunEvent::RunStarted { .. } | RunEvent::RunResumed => run.status = Some("running"),
                RunEvent::RunPaused => run.status = Some("paused"),
                RunEvent::NodeWaiting { .. } => run.status = Some("waiting"),
                RunEvent::RunFinished { status, outputs, error } => {
                    run.status = Some(status.as_str());
                    run.outputs = Some(blobs::spill_map(folder, outputs)?);
                    run.error = error.clone();
                    run.finished_at = Some(at);
                }
                RunEvent::NodeUsage { usage, .. } => {
                    run.tokens_in += usage.input_tokens as i64;
                    run.tokens_out += usage.output_tokens as i64;
                    run.cost_usd += usage.cost_usd.unwrap_or(0.0);
                }
                RunEvent::RunCancelled { .. }
                | RunEvent::AgentTurn { .. }
                | RunEvent::AgentToolResult { .. }
                | RunEvent::BudgetExceeded { .. }
                | RunEvent::NodeQueued { .. }
                | RunEvent::NodeProgress { .. }
                | RunEvent::NodeOutputDelta { .. }
                | RunEvent::LoopIteration { .. } => {}
            }
            rows.push(EventRow { seq, at, kind: event.kind.name(), node: event.kind.node().map(str::to_owned), data });
        }
        let last_seq = events.last().map_or(0, |e| e.seq as i64);
        let error = |e| self.store.error(e);
        let mut tx = self.store.pool.begin().await.map_err(error)?;
        for chunk in chunks(&rows) {
            let mut insert = QueryBuilder::<Sqlite>::new("INSERT INTO events (run_id, seq, at, type, node, data) ");
            insert.push_values(chunk, |mut b, row| {
                b.push_bind(self.run.as_ref())
                    .push_bind(row.seq)
                    .push_bind(row.at)
                    .push_bind(row.kind)
                    .push_bind(row.node.as_deref())
                    .push_bind(row.data.as_str());
            });
            insert.build().execute(&mut *tx).await.map_err(error)?;
        }
        let nodes: Vec<_> = nodes.into_iter().collect();
        for chunk in chunks(&nodes) {
            let mut upsert = QueryBuilder::<Sqlite>::new(
                "INSERT INTO node_runs (run_id, node, attempt, status, error, started_at, finished_at, started_seq, \
                 finished_seq) ",
            );
            upsert.push_values(chunk, |mut b, ((node, attempt), row)| {
                b.push_bind(self.run.as_ref())
                    .push_bind(node.as_str())
                    .push_bind(i64::from(*attempt))
                    .push_bind(row.status.unwrap_or("running"))
                    .push_bind(row.error.as_deref())
                    .push_bind(row.started_at)
                    .push_bind(row.finished_at)
                    .push_bind(row.started_seq)
                    .push_bind(row.finished_seq);
            });
            upsert.push(
                " ON CONFLICT (run_id, node, attempt) DO UPDATE SET status = excluded.status, \
                 error = coalesce(excluded.error, error), started_at = coalesce(excluded.started_at, started_at), \
                 finished_at = coalesce(excluded.finished_at, finished_at), \
                 started_seq = coalesce(excluded.started_seq, started_seq), \
                 finished_seq = coalesce(excluded.finished_seq, finished_seq)",
            );
            upsert.build().execute(&mut *tx).await.map_err(error)?;
        }
        let over = run.finished_at.is_some();
        sqlx::query(
            "UPDATE runs SET last_seq = max(last_seq, ?), \
             status = coalesce(?, CASE WHEN status = 'waiting' AND ? THEN 'running' ELSE status END), \
             outputs = coalesce(?, outputs), \
             error = coalesce(?, error), finished_at = coalesce(?, finished_at), \
             nodes_succeeded = nodes_succeeded + ?, nodes_failed = nodes_failed + ?, nodes_skipped = nodes_skipped + ?, \
             tokens_in = tokens_in + ?, tokens_out = tokens_out + ?, cost_usd = cost_usd + ?, \
             pid = CASE WHEN ? THEN NULL ELSE pid END WHERE id = ?",
        )
        .bind(last_seq)
        .bind(run.status)
        // A node that finished after a wait (a decided approval) means the run moves again.
        .bind(run.succeeded + run.failed > 0)
        .bind(run.outputs)
        .bind(run.error)
        .bind(run.finished_at)
        .bind(run.succeeded)
        .bind(run.failed)
        .bind(run.skipped)
        .bind(run.tokens_in)
        .bind(run.tokens_out)
        .bind(run.cost_usd)
        .bind(over)
        .bind(self.run.as_ref())
        .execute(&mut *tx)
        .await
        .map_err(error)?;
        tx.commit().await.map_err(error)?;
        Ok(())
    }
}
