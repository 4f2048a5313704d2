//! WAL checkpoints beside the journal's writer.
//!
//! SQLite checkpoints the WAL inside the commit that takes it past `wal_autocheckpoint` pages:
//! that commit copies the WAL's pages into the database file and syncs both files before it
//! returns. For a run's journal that is a stall of 3–7 ms about once per 10,000 nodes, and a run
//! that ends during one waits for it (measured: a 10k chain's last write waited 0.1 ms after most
//! runs and 2–9 ms after those). So the journal asks a task of its own, on a connection of its
//! own, to checkpoint every [`CHECKPOINT_BYTES`] it writes (`PASSIVE`: it copies what it can and
//! waits for nobody), and the writers' own checkpoint stays only as the bound on the WAL
//! ([`super::WAL_CHECKPOINT_PAGES`]): by the time a commit reaches it, most pages were copied, so
//! it is short. A checkpoint beside a writer that never pauses never copies the last pages
//! (more come while it works), so the WAL would never start over without that bound (test
//! `the_wal_stays_small_as_the_journal_grows`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use sqlx::ConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;
use tokio::sync::{mpsc, watch};

/// Bytes journaled (as stored: compressed) between two requests for a checkpoint (about 500 WAL
/// pages).
const CHECKPOINT_BYTES: u64 = 2 << 20;

/// Asks for checkpoints as the journal writes.
#[derive(Debug)]
pub(super) struct Checkpointer {
    /// Bytes journaled since a checkpoint was last asked for.
    written: AtomicU64,
    /// Asks the checkpointing task: started on first use, again if its runtime ended it; it
    /// ends when the store is dropped.
    ask: Mutex<Option<mpsc::Sender<()>>>,
    /// How many checkpoints the task completed.
    done: Arc<watch::Sender<u64>>,
}

impl Default for Checkpointer {
    fn default() -> Self {
        Self { written: AtomicU64::new(0), ask: Mutex::default(), done: Arc::new(watch::Sender::new(0)) }
    }
}

impl Checkpointer {
    /// Follows how many checkpoints were completed beside the journal's writer.
    pub(super) fn done(&self) -> watch::Receiver<u64> {
        self.done.subscribe()
    }

    /// Counts `bytes` journaled, and asks for a checkpoint every [`CHECKPOINT_BYTES`]. Must be
    /// called inside a tokio runtime.
    pub(super) fn wrote(&self, bytes: usize, connect: &Arc<SqliteConnectOptions>) {
        let bytes = bytes as u64;
        if self.written.fetch_add(bytes, Ordering::Relaxed) + bytes < CHECKPOINT_BYTES {
            return;
        }
        self.written.store(0, Ordering::Relaxed);
        let mut ask = self.ask.lock().unwrap_or_else(PoisonError::into_inner);
        match ask.as_ref().map(|task| task.try_send(())) {
            // Asked, or a request is already waiting.
            Some(Ok(()) | Err(mpsc::error::TrySendError::Full(()))) => {}
            // Not started yet, or its runtime ended it.
            None | Some(Err(mpsc::error::TrySendError::Closed(()))) => {
                let (task, asked) = mpsc::channel(1);
                let _ = task.try_send(());
                tokio::spawn(checkpoint(Arc::clone(connect), asked, Arc::clone(&self.done)));
                *ask = Some(task);
            }
        }
    }
}

/// Checkpoints the WAL each time it is asked, on a connection of its own (opened on first use).
/// A checkpoint that fails is logged and left to the writers' own.
async fn checkpoint(connect: Arc<SqliteConnectOptions>, mut asked: mpsc::Receiver<()>, done: Arc<watch::Sender<u64>>) {
    let mut connection = None;
    while asked.recv().await.is_some() {
        if connection.is_none() {
            match connect.connect().await {
                Ok(opened) => connection = Some(opened),
                Err(error) => {
                    tracing::warn!(%error, "could not open a connection to checkpoint the WAL");
                    continue;
                }
            }
        }
        let Some(connection) = connection.as_mut() else { continue };
        match sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(connection).await {
            Ok(_) => done.send_modify(|count| *count += 1),
            Err(error) => tracing::warn!(%error, "could not checkpoint the WAL"),
        }
    }
}
