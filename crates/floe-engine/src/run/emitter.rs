//! The emitter numbers events, collects them into batches, and on `flush` writes a batch to the
//! journal *before* handing it to the sinks: nothing is announced that a crash could lose.

use std::sync::{Arc, Mutex, PoisonError};

use futures::future::BoxFuture;
use tokio::sync::Notify;

use crate::events::{Clock, Event, EventSink, RunEvent};

/// Durable storage for a run's events, in order. Implemented by the SQLite store; runs without
/// a store use [`NoJournal`].
pub trait Journal: Send + Sync {
    /// Stores a batch of consecutive events atomically (all or none).
    fn append<'a>(&'a self, events: &'a [Event]) -> BoxFuture<'a, Result<(), JournalError>>;
}

/// The journal could not store events; the run stops rather than announce unjournaled state.
#[derive(Debug, Clone, thiserror::Error)]
#[error("could not journal the run: {0}")]
pub struct JournalError(pub String);

/// Keeps nothing: for in-memory runs (tests, benchmarks, `--no-store`).
#[derive(Debug, Default, Clone, Copy)]
pub struct NoJournal;

impl Journal for NoJournal {
    fn append<'a>(&'a self, _: &'a [Event]) -> BoxFuture<'a, Result<(), JournalError>> {
        Box::pin(std::future::ready(Ok(())))
    }
}

struct Pending {
    seq: u64,
    events: Vec<Event>,
}

/// Numbers, batches, journals and announces a run's events.
pub struct Emitter {
    run: Arc<str>,
    clock: Arc<dyn Clock>,
    pending: Mutex<Pending>,
    /// Held across journal + sinks so batches reach both in order, whichever scope flushes.
    flushing: tokio::sync::Mutex<()>,
    journal: Arc<dyn Journal>,
    sink: Arc<dyn EventSink>,
    /// Wakes the scheduler when an executor pushed events (progress, deltas) between turns.
    pushed: Notify,
}

impl std::fmt::Debug for Emitter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emitter").field("run", &self.run).finish_non_exhaustive()
    }
}

impl Emitter {
    /// An emitter for run `run` whose next event gets number `next_seq`.
    pub fn new(
        run: String,
        next_seq: u64,
        clock: Arc<dyn Clock>,
        journal: Arc<dyn Journal>,
        sink: Arc<dyn EventSink>,
    ) -> Self {
        Self {
            run: run.into(),
            clock,
            pending: Mutex::new(Pending { seq: next_seq, events: Vec::new() }),
            flushing: tokio::sync::Mutex::new(()),
            journal,
            sink,
            pushed: Notify::new(),
        }
    }

    /// Queues an event; it is journaled and announced at the next flush.
    pub fn push(&self, kind: RunEvent) {
        let at = self.clock.now_ms();
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        let seq = pending.seq;
        pending.seq += 1;
        pending.events.push(Event { run: self.run.clone(), seq, at, kind });
        drop(pending);
        self.pushed.notify_one();
    }

    /// Journals what is queued, then announces it.
    pub async fn flush(&self) -> Result<(), JournalError> {
        let _turn = self.flushing.lock().await;
        let batch = std::mem::take(&mut self.pending.lock().unwrap_or_else(PoisonError::into_inner).events);
        if batch.is_empty() {
            return Ok(());
        }
        self.journal.append(&batch).await?;
        self.sink.emit(&batch);
        Ok(())
    }

    /// Resolves once an event was pushed since the last call.
    pub async fn pushed(&self) {
        self.pushed.notified().await;
    }
}
