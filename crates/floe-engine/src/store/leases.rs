//! Who runs a run, and requests to cancel it, kept in the store so that every process sees them
//! the same way on every OS. The process running a run holds a lease on it and renews it every
//! [`RENEW`]; a run that is not over and whose lease ran out is interrupted (its owner crashed or
//! was killed). Cancelling writes a request into the run's row; the owner looks for one every
//! [`LOOK`] and cancels that run only. Nothing is ever signalled, so a server or the app that owns
//! the run keeps serving, and a reused process id gets nothing.

use std::time::Duration;

use sqlx::Row;
use tokio_util::sync::{CancellationToken, DropGuard};

use super::{Store, StoreError};
use crate::events::{RunStatus, SystemClock};
use crate::run::RunControl;

/// How often the owner renews its lease.
pub const RENEW: Duration = Duration::from_secs(1);
/// How long a lease lasts without renewal: past it, the run counts as interrupted.
pub const LEASE: Duration = Duration::from_secs(5);
/// How often the owner looks for a cancel request.
pub const LOOK: Duration = Duration::from_millis(200);

/// What a cancel request did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CancelOutcome {
    /// The owner will see the request and cancel the run (it stays resumable).
    Requested,
    /// No process was running it: it was marked cancelled at once (still resumable).
    MarkedCancelled,
}

fn now_ms() -> i64 {
    SystemClock.now_ms_i64()
}

/// When a lease taken or renewed now runs out, ms since the epoch.
pub(super) fn lease_end() -> i64 {
    now_ms() + LEASE.as_millis() as i64
}

/// `id` itself and its child runs (`<id>.<node path>`), as a `LIKE` pattern argument.
fn children_of(id: &str) -> String {
    let escaped = id.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("{escaped}.%")
}

impl Store {
    /// Renews the lease on run `id` and on its child runs that are not over.
    async fn renew_lease(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE runs SET lease_until = ? WHERE (id = ? OR id LIKE ? ESCAPE '\\') \
             AND status NOT IN ('succeeded', 'failed', 'cancelled')",
        )
        .bind(lease_end())
        .bind(id)
        .bind(children_of(id))
        .execute(&self.pool)
        .await
        .map_err(|e| self.error(e))?;
        Ok(())
    }

    /// A pending cancel request on run `id` or one of its child runs (they share its control).
    async fn cancel_request(&self, id: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query(
            "SELECT cancel_requested FROM runs WHERE (id = ? OR id LIKE ? ESCAPE '\\') \
             AND cancel_requested IS NOT NULL LIMIT 1",
        )
        .bind(id)
        .bind(children_of(id))
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| self.error(e))?;
        Ok(row.map(|r| r.get("cancel_requested")))
    }

    /// Asks whoever runs `id` to cancel it. A run no process holds is marked cancelled at once;
    /// either way it stays resumable. A finished run is refused.
    pub async fn request_cancel(&self, id: &str, reason: &str) -> Result<CancelOutcome, StoreError> {
        let summary = self.run(id).await?.summary;
        if summary.status.is_final() {
            return Err(StoreError::Refused(format!("run `{id}` is already {}", summary.status.as_str())));
        }
        if summary.interrupted {
            self.finish_orphan(id, RunStatus::Cancelled, "cancelled while interrupted").await?;
            return Ok(CancelOutcome::MarkedCancelled);
        }
        sqlx::query("UPDATE runs SET cancel_requested = ? WHERE id = ?")
            .bind(reason)
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(|e| self.error(e))?;
        Ok(CancelOutcome::Requested)
    }

    /// Holds the lease on run `id` while the returned guard lives: renews it, and cancels
    /// `control` when someone asks (through [`Store::request_cancel`]) to cancel the run or one
    /// of its child runs. [`Store::create_run`] and [`Store::claim`] take the lease.
    pub(crate) fn hold_lease(&self, id: &str, control: RunControl) -> DropGuard {
        let stop = CancellationToken::new();
        let (store, id, stopped) = (self.clone(), id.to_owned(), stop.clone());
        tokio::spawn(async move {
            let mut look = tokio::time::interval(LOOK);
            look.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut renewed = tokio::time::Instant::now();
            loop {
                tokio::select! {
                    () = stopped.cancelled() => return,
                    _ = look.tick() => {}
                }
                if renewed.elapsed() >= RENEW {
                    renewed = tokio::time::Instant::now();
                    if let Err(error) = store.renew_lease(&id).await {
                        tracing::warn!(run = %id, "cannot renew the run's lease: {error}");
                    }
                }
                match store.cancel_request(&id).await {
                    Ok(Some(reason)) => control.cancel(reason),
                    Ok(None) => {}
                    Err(error) => tracing::warn!(run = %id, "cannot look for a cancel request: {error}"),
                }
            }
        });
        stop.drop_guard()
    }
}
