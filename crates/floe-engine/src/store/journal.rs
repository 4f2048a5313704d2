//! The store as a run journal: each batch of events goes in as one segment row (its events as
//! JSON lines) with the run totals it implies, in one transaction. A row per batch rather than
//! per event (and no row per node attempt: those are read from the events) is what lets
//! journaling keep up with nodes that take a few microseconds.

use std::sync::Arc;

use futures::future::BoxFuture;
use serde_json::Value;

use super::{Store, StoreError, blobs};
use crate::events::{Event, RunEvent};
use crate::run::{Journal, JournalError};

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

/// Appends `event` to `lines` as one line of JSON, with values too large for a row moved to
/// blob files. Most events are small, and are serialised once, straight into the segment.
fn append_line(lines: &mut Vec<u8>, folder: &std::path::Path, event: &Event) -> Result<(), StoreError> {
    let damaged = |e: serde_json::Error| StoreError::Damaged(e.to_string());
    let start = lines.len();
    serde_json::to_writer(&mut *lines, event).map_err(damaged)?;
    if lines.len() - start >= blobs::SPILL_BYTES {
        lines.truncate(start);
        let mut data = serde_json::to_value(event).map_err(damaged)?;
        for field in ["outputs", "inputs"] {
            if let Some(Value::Object(map)) = data.get_mut(field) {
                for value in map.values_mut() {
                    *value = blobs::spill_value(folder, value)?;
                }
            }
        }
        serde_json::to_writer(&mut *lines, &data).map_err(damaged)?;
    }
    lines.push(b'\n');
    Ok(())
}

impl StoreJournal {
    async fn write(&self, events: &[Event]) -> Result<(), StoreError> {
        let (Some(first), Some(last)) = (events.first(), events.last()) else { return Ok(()) };
        let folder = self.store.blobs.as_ref();
        let mut lines = Vec::with_capacity(events.len() * 256);
        let mut run = RunUpdate::default();
        for event in events {
            append_line(&mut lines, folder, event)?;
            match &event.kind {
                RunEvent::NodeSucceeded { .. } | RunEvent::NodeCached { .. } => run.succeeded += 1,
                RunEvent::NodeFailed { .. } => run.failed += 1,
                RunEvent::NodeSkipped { .. } => run.skipped += 1,
                RunEvent::RunStarted { .. } | RunEvent::RunResumed => run.status = Some("running"),
                RunEvent::RunPaused => run.status = Some("paused"),
                RunEvent::NodeWaiting { .. } => run.status = Some("waiting"),
                RunEvent::RunFinished { status, outputs, error } => {
                    run.status = Some(status.as_str());
                    run.outputs = Some(blobs::spill_map(folder, outputs)?);
                    run.error = error.clone();
                    run.finished_at = Some(event.at as i64);
                }
                RunEvent::NodeUsage { usage, .. } => {
                    run.tokens_in += usage.input_tokens as i64;
                    run.tokens_out += usage.output_tokens as i64;
                    run.cost_usd += usage.cost_usd.unwrap_or(0.0);
                }
                RunEvent::NodeStarted { .. }
                | RunEvent::NodeRetrying { .. }
                | RunEvent::RunCancelled { .. }
                | RunEvent::AgentTurn { .. }
                | RunEvent::AgentToolResult { .. }
                | RunEvent::BudgetExceeded { .. }
                | RunEvent::NodeQueued { .. }
                | RunEvent::NodeProgress { .. }
                | RunEvent::NodeOutputDelta { .. }
                | RunEvent::LoopIteration { .. } => {}
            }
        }
        // serde_json writes UTF-8 only.
        let lines = String::from_utf8(lines).map_err(|e| StoreError::Damaged(e.to_string()))?;
        let error = |e| self.store.error(e);
        let mut tx = self.store.pool.begin().await.map_err(error)?;
        sqlx::query("INSERT INTO event_segments (run_id, first_seq, last_seq, events) VALUES (?, ?, ?, ?)")
            .bind(self.run.as_ref())
            .bind(first.seq as i64)
            .bind(last.seq as i64)
            .bind(lines)
            .execute(&mut *tx)
            .await
            .map_err(error)?;
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
        .bind(last.seq as i64)
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
