//! The run store: one SQLite file (WAL) holding runs, their event log, one row per node attempt,
//! approvals and cached results, plus a folder of content-addressed blob files for large
//! values. Queries are built at run time (no database is needed to compile), and the schema is
//! applied by embedded migrations.
//!
//! The store is the run journal: [`StoreJournal::append`] writes a batch of events and the rows
//! they imply in one transaction, so after a crash the store holds exactly what was announced.

mod approvals;
mod blobs;
mod checkpoints;
mod journal;
mod leases;
mod memory;
mod threads;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use serde_json::{Map, Value};
use sqlx::Row;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

use crate::events::{Event, RunEvent, RunStatus};
use crate::run::{Line, Prior};
pub use approvals::{PendingApproval, StoreApprovals};
pub use blobs::SPILL_BYTES;
pub use journal::StoreJournal;
pub use leases::{CancelOutcome, LEASE};
pub use memory::{
    DEFAULT_BUDGET, Hit, MAX_MEMORY_BYTES, Memory, MemoryKind, MemoryState, Namespace, NewMemory, Provenance, Written,
};
pub use threads::{NewThreadMessage, Thread, ThreadMessage, estimate_tokens};

/// The columns of a [`RunSummary`] (a macro, so queries stay literal strings).
macro_rules! summary_columns {
    () => {
        "SELECT id, blueprint_id, blueprint_name, status, started_at, finished_at, nodes_succeeded, nodes_failed, \
         nodes_skipped, error, pid, lease_until, tokens_in, tokens_out, cost_usd"
    };
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The store could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite refused.
    #[error("the run store ({path}) failed: {source}; check the disk and the file's permissions")]
    Database {
        /// The database file.
        path: PathBuf,
        /// The cause.
        source: sqlx::Error,
    },
    /// The schema could not be brought up to date.
    #[error("the run store ({path}) could not be upgraded: {source}")]
    Migrate {
        /// The database file.
        path: PathBuf,
        /// The cause.
        source: sqlx::migrate::MigrateError,
    },
    /// A blob file could not be read or written.
    #[error("blob {path}: {source}")]
    Blob {
        /// The blob file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// No run has this id.
    #[error("no run `{0}` in the store; `floe runs` lists them")]
    NoRun(String),
    /// The request does not fit the stored state.
    #[error("{0}")]
    Refused(String),
    /// A stored row did not read back.
    #[error("the run store holds a damaged row: {0}")]
    Damaged(String),
    /// A failure shared by writes committed together, as the first of them was told it.
    #[error("{0}")]
    Shared(String),
}

/// A run about to start.
#[derive(Debug, Clone)]
pub struct NewRun {
    /// Run id.
    pub id: String,
    /// Blueprint id and name.
    pub blueprint_id: String,
    /// Blueprint name.
    pub blueprint_name: String,
    /// Where the blueprint was read from.
    pub blueprint_path: Option<PathBuf>,
    /// The exact document.
    pub blueprint_json: String,
    /// Its plan hash.
    pub hash: String,
    /// Inputs after defaults.
    pub inputs: Map<String, Value>,
    /// Workspace folder.
    pub workspace: PathBuf,
    /// Parent run and node, for sub-workflows.
    pub parent: Option<(String, String)>,
    /// Start time, ms since the epoch.
    pub started_at: u64,
}

/// One row of `floe runs`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, schemars::JsonSchema)]
pub struct RunSummary {
    /// Run id.
    pub id: String,
    /// Blueprint id.
    pub blueprint: String,
    /// Blueprint name.
    pub name: String,
    /// Status.
    pub status: RunStatus,
    /// Start, ms since the epoch.
    pub started_at: u64,
    /// End, when over.
    pub finished_at: Option<u64>,
    /// Node counts.
    pub nodes_succeeded: u64,
    /// Node counts.
    pub nodes_failed: u64,
    /// Node counts.
    pub nodes_skipped: u64,
    /// Why it failed.
    pub error: Option<String>,
    /// Whether the process running it is gone (its lease ran out) while it was not finished.
    pub interrupted: bool,
    /// Model prompt tokens over every call.
    pub tokens_in: u64,
    /// Model output tokens over every call.
    pub tokens_out: u64,
    /// USD spent on priced models.
    pub cost_usd: f64,
}

/// A sub-workflow run that a run started.
#[derive(Debug, Clone, PartialEq, serde::Serialize, schemars::JsonSchema)]
pub struct ChildRun {
    /// The node path that started it (`each/2/summarise`).
    pub node: String,
    /// Its run id.
    pub run_id: String,
    /// Where its blueprint was read from.
    pub blueprint_path: Option<String>,
}

/// Everything stored about one run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RunRecord {
    /// The summary.
    #[serde(flatten)]
    pub summary: RunSummary,
    /// Where the blueprint came from.
    pub blueprint_path: Option<String>,
    /// The exact document that ran.
    #[serde(skip)]
    pub blueprint_json: String,
    /// Plan hash.
    pub hash: String,
    /// Inputs.
    pub inputs: Map<String, Value>,
    /// Outputs, when finished.
    pub outputs: Option<Map<String, Value>>,
    /// Workspace folder.
    pub workspace: String,
    /// Last journaled event number.
    pub last_seq: u64,
    /// Node attempts.
    pub nodes: Vec<NodeRunRow>,
}

/// One node attempt.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NodeRunRow {
    /// Node path.
    pub node: String,
    /// Attempt (0 for skipped nodes).
    pub attempt: u32,
    /// running | succeeded | failed | skipped | cached.
    pub status: String,
    /// Error message, when failed.
    pub error: Option<String>,
    /// Start and end, ms since the epoch.
    pub started_at: Option<u64>,
    /// End.
    pub finished_at: Option<u64>,
}

/// The SQLite run store.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
    path: Arc<PathBuf>,
    blobs: Arc<PathBuf>,
    /// Memory writes waiting to be committed together (`memory.rs`).
    memory_writes: Arc<memory::WriteQueue>,
    /// Memory embeddings read into memory for search (`memory.rs`).
    vectors: Arc<memory::VectorCache>,
    /// The connection memory writes are committed on (made on first use): one writer's own, so
    /// a write does not go through the pool's acquire and release.
    memory_writer: Arc<tokio::sync::Mutex<Option<sqlx::SqliteConnection>>>,
    /// How to open another connection to the database.
    connect: Arc<SqliteConnectOptions>,
    /// Checkpoints the WAL beside the journal's writer (`checkpoints.rs`).
    checkpoints: Arc<checkpoints::Checkpointer>,
}

/// The WAL's size, in 4 KiB pages, at which the commit that reaches it checkpoints (16 MiB): the
/// bound on the WAL. Journaled runs have it checkpointed beside their writer well before
/// (`checkpoints.rs`), so that commit has little left to copy.
pub const WAL_CHECKPOINT_PAGES: u32 = 4_000;

impl Store {
    /// The default database file: `floe.db` in the platform data folder.
    pub fn default_path() -> Option<PathBuf> {
        directories::ProjectDirs::from("dev", "floe", "floe").map(|dirs| dirs.data_dir().join("floe.db"))
    }

    /// Opens (creating when needed) the store at `path`, with its blob folder beside it.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        let database = |source| StoreError::Database { path: path.to_owned(), source };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| database(sqlx::Error::Io(e)))?;
        }
        let options = SqliteConnectOptions::from_str("sqlite:")
            .map_err(database)?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // In WAL mode, NORMAL loses nothing when the process is killed; only a power cut
            // can drop the last transactions.
            .synchronous(SqliteSynchronous::Normal)
            // SQLite checkpoints the WAL inside the commit that takes it past this many pages;
            // the journal has it checkpointed beside its writer long before (`checkpoints.rs`).
            .pragma("wal_autocheckpoint", WAL_CHECKPOINT_PAGES.to_string())
            .busy_timeout(std::time::Duration::from_secs(10));
        let connect = Arc::new(options.clone());
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            // A local file cannot drop a connection: no ping before each use (a round trip to
            // SQLite's thread, a third of a single memory write's time).
            .test_before_acquire(false)
            .connect_with(options)
            .await
            .map_err(database)?;
        MIGRATOR.run(&pool).await.map_err(|source| StoreError::Migrate { path: path.to_owned(), source })?;
        let blobs = path.with_file_name(format!(
            "{}.blobs",
            path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "floe.db".into())
        ));
        Ok(Self {
            pool,
            path: Arc::new(path.to_owned()),
            blobs: Arc::new(blobs),
            memory_writes: Arc::default(),
            vectors: Arc::default(),
            memory_writer: Arc::default(),
            connect,
            checkpoints: Arc::default(),
        })
    }

    /// How many times the WAL was checkpointed beside the journal's writer (`checkpoints.rs`):
    /// to wait for one.
    pub fn wal_checkpoints(&self) -> tokio::sync::watch::Receiver<u64> {
        self.checkpoints.done()
    }

    /// Where the database file is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn error(&self, source: sqlx::Error) -> StoreError {
        StoreError::Database { path: self.path.as_ref().clone(), source }
    }

    /// Records a run about to start (status `running`, leased by this process: see
    /// [`Store::hold_lease`]).
    pub async fn create_run(&self, run: &NewRun) -> Result<(), StoreError> {
        let inputs = blobs::spill_map(&self.blobs, &run.inputs)?;
        let mut tx = self.pool.begin().await.map_err(|e| self.error(e))?;
        sqlx::query(
            "INSERT INTO runs (id, blueprint_id, blueprint_name, blueprint_path, hash, inputs, status, \
             workspace, parent_run, parent_node, pid, started_at, lease_until) \
             VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?, ?, ?)",
        )
        .bind(&run.id)
        .bind(&run.blueprint_id)
        .bind(&run.blueprint_name)
        .bind(run.blueprint_path.as_ref().map(|p| p.to_string_lossy().into_owned()))
        .bind(&run.hash)
        .bind(inputs)
        .bind(run.workspace.to_string_lossy().into_owned())
        .bind(run.parent.as_ref().map(|(r, _)| r.clone()))
        .bind(run.parent.as_ref().map(|(_, n)| n.clone()))
        .bind(i64::from(std::process::id()))
        .bind(run.started_at as i64)
        .bind(leases::lease_end())
        .execute(&mut *tx)
        .await
        .map_err(|e| self.error(e))?;
        sqlx::query("INSERT INTO run_documents (run_id, json) VALUES (?, ?)")
            .bind(&run.id)
            .bind(&run.blueprint_json)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.error(e))?;
        tx.commit().await.map_err(|e| self.error(e))
    }

    /// Marks this process as the one running `id` (on resume): takes its lease and clears an
    /// earlier cancel request.
    pub async fn claim(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE runs SET pid = ?, status = 'running', finished_at = NULL, lease_until = ?, \
             cancel_requested = NULL WHERE id = ?",
        )
        .bind(i64::from(std::process::id()))
        .bind(leases::lease_end())
        .bind(id)
        .execute(&self.pool)
        .await
        .map_err(|e| self.error(e))?;
        Ok(())
    }

    /// The journal of run `id`.
    pub fn journal(&self, id: &str) -> StoreJournal {
        StoreJournal::new(self.clone(), id)
    }

    /// The most recent runs, newest first.
    pub async fn runs(&self, limit: u32) -> Result<Vec<RunSummary>, StoreError> {
        let rows = sqlx::query(concat!(summary_columns!(), " FROM runs ORDER BY started_at DESC, id DESC LIMIT ?"))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.error(e))?;
        Ok(rows.iter().map(summary).collect())
    }

    /// The most recent top-level runs of one blueprint, newest first (its history).
    pub async fn runs_of(&self, blueprint: &str, limit: u32) -> Result<Vec<RunSummary>, StoreError> {
        let rows = sqlx::query(concat!(
            summary_columns!(),
            " FROM runs WHERE blueprint_id = ? AND parent_run IS NULL ORDER BY started_at DESC, id DESC LIMIT ?"
        ))
        .bind(blueprint)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.error(e))?;
        Ok(rows.iter().map(summary).collect())
    }

    /// Runs that did not finish and whose process is gone: `floe resume` picks them up.
    pub async fn interrupted(&self) -> Result<Vec<RunSummary>, StoreError> {
        let rows = sqlx::query(concat!(
            summary_columns!(),
            " FROM runs WHERE status NOT IN ('succeeded', 'failed', 'cancelled') ORDER BY started_at DESC"
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.error(e))?;
        Ok(rows.iter().map(summary).filter(|s| s.interrupted).collect())
    }

    /// The sub-workflow runs a run started, in the order they started.
    pub async fn children(&self, id: &str) -> Result<Vec<ChildRun>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, parent_node, blueprint_path FROM runs WHERE parent_run = ? ORDER BY started_at, id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.error(e))?;
        Ok(rows
            .iter()
            .map(|row| ChildRun {
                node: row.get::<Option<String>, _>("parent_node").unwrap_or_default(),
                run_id: row.get("id"),
                blueprint_path: row.get("blueprint_path"),
            })
            .collect())
    }

    /// The runs some process holds now (not over, lease live): top-level run ids.
    pub async fn held_runs(&self) -> Result<std::collections::HashSet<String>, StoreError> {
        let rows = sqlx::query(concat!(
            summary_columns!(),
            " FROM runs WHERE status NOT IN ('succeeded', 'failed', 'cancelled') AND parent_run IS NULL"
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.error(e))?;
        Ok(rows.iter().map(summary).filter(|s| !s.interrupted).map(|s| s.id).collect())
    }

    /// One run with its node attempts.
    pub async fn run(&self, id: &str) -> Result<RunRecord, StoreError> {
        let row = sqlx::query(concat!(
            summary_columns!(),
            ", blueprint_path, (SELECT json FROM run_documents WHERE run_id = runs.id) AS blueprint_json, hash, inputs, \
             outputs, workspace, last_seq FROM runs WHERE id = ?"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| self.error(e))?
        .ok_or_else(|| StoreError::NoRun(id.to_owned()))?;
        let nodes = node_attempts(&self.events(id).await?);
        let object = |text: Option<String>| -> Result<Option<Map<String, Value>>, StoreError> {
            let Some(text) = text else { return Ok(None) };
            let value: Value = serde_json::from_str(&text).map_err(|e| StoreError::Damaged(e.to_string()))?;
            match blobs::resolve(&self.blobs, value)? {
                Value::Object(map) => Ok(Some(map)),
                _ => Err(StoreError::Damaged("a JSON column is not an object".into())),
            }
        };
        Ok(RunRecord {
            summary: summary(&row),
            blueprint_path: row.get("blueprint_path"),
            blueprint_json: row.get::<Option<String>, _>("blueprint_json").unwrap_or_default(),
            hash: row.get("hash"),
            inputs: object(row.get("inputs"))?.unwrap_or_default(),
            outputs: object(row.get("outputs"))?,
            workspace: row.get("workspace"),
            last_seq: row.get::<i64, _>("last_seq") as u64,
            nodes,
        })
    }

    /// The journaled events of a run, in order (large values read back from their blobs).
    pub async fn events(&self, id: &str) -> Result<Vec<Event>, StoreError> {
        self.events_where(id, |_| true).await
    }

    /// The journaled events of a run whose line `wanted` accepts (a cheap look at the JSON text
    /// before it is parsed; the caller still matches what it parsed).
    async fn events_where(&self, id: &str, wanted: impl Fn(&str) -> bool) -> Result<Vec<Event>, StoreError> {
        let rows =
            sqlx::query("SELECT first_seq, events, codec FROM event_segments WHERE run_id = ? ORDER BY first_seq")
                .bind(id)
                .fetch_all(&self.pool)
                .await
                .map_err(|e| self.error(e))?;
        let run: Arc<str> = id.into();
        let mut events = Vec::new();
        for row in &rows {
            let segment = journal::decompress(row.get("events"), row.get("codec")).map_err(|what| {
                let first: i64 = row.get("first_seq");
                StoreError::Damaged(format!("run {id}: the journal segment from event {first} {what}"))
            })?;
            for line in segment.lines().filter(|line| !line.is_empty() && wanted(line)) {
                events.push(self.event(&run, line)?);
            }
        }
        Ok(events)
    }

    /// The event a segment line of run `run` holds (lines journaled before segments also carry
    /// the run id, which is ignored).
    fn event(&self, run: &Arc<str>, line: &str) -> Result<Event, StoreError> {
        let damaged = |e: serde_json::Error| StoreError::Damaged(e.to_string());
        let line: Line<RunEvent> = if line.contains("\"$blob\"") {
            let value: Value = serde_json::from_str(line).map_err(damaged)?;
            serde_json::from_value(blobs::resolve(&self.blobs, value)?).map_err(damaged)?
        } else {
            serde_json::from_str(line).map_err(damaged)?
        };
        Ok(line.into_event(run.clone()))
    }

    /// The results a run journaled (node path, outputs, key), in order.
    async fn results(
        &self,
        id: &str,
    ) -> Result<Vec<(String, Arc<crate::template::Outputs>, Option<String>)>, StoreError> {
        let events = self
            .events_where(id, |line| {
                line.contains("\"type\":\"node_succeeded\"") || line.contains("\"type\":\"node_cached\"")
            })
            .await?;
        Ok(events
            .into_iter()
            .filter_map(|event| match event.kind {
                RunEvent::NodeSucceeded { node, outputs, key, .. }
                | RunEvent::NodeCached { node, outputs, key, .. } => Some((node.to_string(), outputs, key)),
                _ => None,
            })
            .collect())
    }

    /// What an interrupted run already finished (node path → outputs), for resuming it.
    pub async fn prior(&self, id: &str) -> Result<Prior, StoreError> {
        let succeeded = self.results(id).await?.into_iter().map(|(node, outputs, _)| (node, outputs)).collect();
        Ok(Prior { succeeded })
    }

    /// The input and output values of a node's last attempt (read from the events that hold them).
    pub async fn node_values(&self, id: &str, node: &str) -> Result<Option<(Value, Value)>, StoreError> {
        let quoted = serde_json::to_string(node).map_err(|e| StoreError::Damaged(e.to_string()))?;
        let mut last: Option<(u32, Value, Value)> = None;
        for event in self.events_where(id, |line| line.contains(&quoted)).await? {
            if event.kind.node() != Some(node) {
                continue;
            }
            let attempt = last.as_ref().map_or(0, |(attempt, ..)| *attempt);
            match event.kind {
                RunEvent::NodeStarted { attempt: started, inputs, .. } if started >= attempt => {
                    last = Some((started, Value::Object((*inputs).clone()), Value::Null));
                }
                RunEvent::NodeSucceeded { outputs, .. } | RunEvent::NodeCached { outputs, .. } => {
                    let (attempt, inputs, _) = last.take().unwrap_or((0, Value::Null, Value::Null));
                    last = Some((attempt, inputs, Value::Object((*outputs).clone())));
                }
                _ => {}
            }
        }
        Ok(last.map(|(_, inputs, outputs)| (inputs, outputs)))
    }

    /// Results of a run that carry a key (node path → (key, outputs)), for `--reuse`.
    pub async fn reusable(
        &self,
        id: &str,
    ) -> Result<HashMap<String, (String, Arc<crate::template::Outputs>)>, StoreError> {
        let _ = self.run(id).await?;
        Ok(self
            .results(id)
            .await?
            .into_iter()
            .filter_map(|(node, outputs, key)| Some((node, (key?, outputs))))
            .collect())
    }

    /// The most recent run of a blueprint, if any.
    pub async fn latest_run(&self, blueprint: &str) -> Result<Option<String>, StoreError> {
        sqlx::query_scalar("SELECT id FROM runs WHERE blueprint_id = ? AND parent_run IS NULL ORDER BY started_at DESC, id DESC LIMIT 1")
            .bind(blueprint)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.error(e))
    }

    /// Sets a run's final status without running it (a cancel of a run no process owns).
    pub async fn finish_orphan(&self, id: &str, status: RunStatus, error: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE runs SET status = ?, error = ?, pid = NULL WHERE id = ?")
            .bind(status.as_str())
            .bind(error)
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(|e| self.error(e))?;
        Ok(())
    }
}

/// The node attempts a run's events record, ordered by when they started (or settled).
fn node_attempts(events: &[Event]) -> Vec<NodeRunRow> {
    /// Sets the state of one attempt, adding its row when it is new.
    struct Attempts<'a> {
        rows: Vec<NodeRunRow>,
        index: HashMap<(&'a str, u32), usize>,
    }
    impl<'a> Attempts<'a> {
        fn set(&mut self, node: &'a str, attempt: u32, status: &str, error: Option<&str>, at: u64) {
            let rows = &mut self.rows;
            let i = *self.index.entry((node, attempt)).or_insert_with(|| {
                rows.push(NodeRunRow {
                    node: node.to_owned(),
                    attempt,
                    status: String::new(),
                    error: None,
                    started_at: None,
                    finished_at: None,
                });
                rows.len() - 1
            });
            let row = &mut rows[i];
            row.status = status.to_owned();
            if status == "running" {
                row.started_at = Some(at);
            } else {
                row.finished_at = Some(at);
                if let Some(error) = error {
                    row.error = Some(error.to_owned());
                }
            }
        }
    }
    let mut attempts = Attempts { rows: Vec::new(), index: HashMap::new() };
    let mut settle = |node, attempt, status, error, at| attempts.set(node, attempt, status, error, at);
    for event in events {
        let at = event.at;
        match &event.kind {
            RunEvent::NodeStarted { node, attempt, .. } => settle(node, *attempt, "running", None, at),
            RunEvent::NodeSucceeded { node, attempt, .. } => settle(node, *attempt, "succeeded", None, at),
            RunEvent::NodeFailed { node, attempt, error } | RunEvent::NodeRetrying { node, attempt, error, .. } => {
                settle(node, *attempt, "failed", Some(&error.message), at);
            }
            RunEvent::NodeSkipped { node, .. } => settle(node, 0, "skipped", None, at),
            RunEvent::NodeCached { node, .. } => settle(node, 0, "cached", None, at),
            _ => {}
        }
    }
    let mut rows = attempts.rows;
    rows.sort_by(|a, b| {
        let when = |row: &NodeRunRow| row.started_at.or(row.finished_at);
        when(a).cmp(&when(b)).then_with(|| a.node.cmp(&b.node)).then(a.attempt.cmp(&b.attempt))
    });
    rows
}

fn summary(row: &sqlx::sqlite::SqliteRow) -> RunSummary {
    let text: String = row.get("status");
    // A status this build does not know (a newer Floe wrote it) reads as running, then as
    // interrupted once no lease holds it: resumable, never lost.
    let status = RunStatus::parse(&text).unwrap_or(RunStatus::Running);
    let pid: Option<i64> = row.get("pid");
    let lease_until: Option<i64> = row.get("lease_until");
    let held = lease_until.is_some_and(|until| until > crate::events::SystemClock.now_ms_i64());
    RunSummary {
        id: row.get("id"),
        blueprint: row.get("blueprint_id"),
        name: row.get("blueprint_name"),
        started_at: row.get::<i64, _>("started_at") as u64,
        finished_at: row.get::<Option<i64>, _>("finished_at").map(|v| v as u64),
        nodes_succeeded: row.get::<i64, _>("nodes_succeeded") as u64,
        nodes_failed: row.get::<i64, _>("nodes_failed") as u64,
        nodes_skipped: row.get::<i64, _>("nodes_skipped") as u64,
        error: row.get("error"),
        interrupted: !status.is_final() && (!held || pid.is_some_and(process_gone)),
        tokens_in: row.get::<i64, _>("tokens_in") as u64,
        tokens_out: row.get::<i64, _>("tokens_out") as u64,
        cost_usd: row.get("cost_usd"),
        status,
    }
}

/// Whether the process with this id is known to be gone: on Linux, a lease is not waited out
/// when `/proc` shows its owner dead (a killed process not reaped yet is a zombie: gone too).
/// Elsewhere, and for a live pid that may have been reused, the lease decides.
fn process_gone(pid: i64) -> bool {
    if pid == i64::from(std::process::id()) {
        return false;
    }
    let proc = Path::new("/proc");
    if !proc.join("self").is_dir() {
        return false;
    }
    match std::fs::read_to_string(proc.join(pid.to_string()).join("stat")) {
        Ok(stat) => stat.rsplit_once(')').is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
        Err(_) => true,
    }
}
