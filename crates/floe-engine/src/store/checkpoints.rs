//! WAL checkpoints off the journal's path. SQLite's automatic checkpoint runs inside the commit
//! that pushes the WAL past its limit, on the writing connection, with an fsync: a 10k-node run
//! writes about 3 MB of events, so nearly every such run had one of its commits (often the last,
//! which the run waits for) copy 4 MB into the database file. Measured with
//! `examples/profile_run.rs`, a journaled `text_template` chain ran at 3.1–3.5 µs/node with
//! automatic checkpoints and 2.8–2.95 µs/node without.
//!
//! So connections do not checkpoint on commit (`wal_autocheckpoint = 0`). Writers report what
//! they wrote; every [`CHECKPOINT_BYTES`], a passive checkpoint runs on another pooled
//! connection in the background, never blocking a writer or a reader. SQLite still checkpoints
//! when the last connection closes, and a WAL left by a killed process is replayed on open.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use sqlx::SqlitePool;

/// Bytes written between checkpoints: SQLite's default limit of 1,000 pages of 4 KiB.
pub(super) const CHECKPOINT_BYTES: usize = 1000 * 4096;

/// What has been written since the last checkpoint, and whether one is running.
#[derive(Debug, Default)]
pub(super) struct Checkpoints {
    written: AtomicUsize,
    running: AtomicBool,
}

impl Checkpoints {
    /// Notes `bytes` written through `pool`; past [`CHECKPOINT_BYTES`], starts a passive
    /// checkpoint in the background (one at a time). Must be called inside a tokio runtime.
    pub(super) fn wrote(self: &Arc<Self>, pool: &SqlitePool, bytes: usize) {
        let total = self.written.fetch_add(bytes, Ordering::Relaxed) + bytes;
        if total < CHECKPOINT_BYTES || self.running.swap(true, Ordering::AcqRel) {
            return;
        }
        self.written.store(0, Ordering::Relaxed);
        let (this, pool) = (Arc::clone(self), pool.clone());
        tokio::spawn(async move {
            if let Err(error) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&pool).await {
                // The WAL only grows until the next one succeeds; nothing is lost.
                tracing::warn!(%error, "a background WAL checkpoint failed");
            }
            this.running.store(false, Ordering::Release);
        });
    }
}
