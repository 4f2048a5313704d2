//! Floe's one API: the requests the app makes (workspace files, live checks, the catalogue,
//! runs and their events) as plain async methods over the engine façade. Transports are thin:
//! [`serve`] maps them to HTTP + WebSocket on loopback (`floe serve`); the desktop shell maps
//! them to Tauri commands and a channel. No screen knows which one it talks to.

pub mod serve;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use floe_engine::events::{Event, EventSink, RunEvent};
use floe_engine::run::{RunControl, new_run_id};
use floe_engine::runs::{FileRun, run_file};
use floe_engine::store::{RunSummary, Store};
use floe_engine::workspace::{Check, Entry, Workspace, WorkspaceError};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Map, Value};
use tokio::sync::broadcast;

/// A failed request: what went wrong, for the person, and its kind for the transport's status.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request is wrong (a path outside the workspace, a file that exists…).
    #[error("{0}")]
    Invalid(String),
    /// Nothing by that name.
    #[error("{0}")]
    NotFound(String),
    /// A document that cannot be saved without losing data; `diagnostics` say where.
    #[error("{message}")]
    Unreadable {
        /// What happened.
        message: String,
        /// The problems.
        diagnostics: Vec<floe_blueprint::Diagnostic>,
    },
    /// Disk or database trouble.
    #[error("{0}")]
    Internal(String),
}

impl From<WorkspaceError> for ApiError {
    fn from(error: WorkspaceError) -> Self {
        match error {
            WorkspaceError::Unreadable { ref diagnostics, .. } => {
                ApiError::Unreadable { message: error.to_string(), diagnostics: diagnostics.clone() }
            }
            WorkspaceError::Path(message) => ApiError::Invalid(message),
            WorkspaceError::File(file) => ApiError::Internal(file.to_string()),
        }
    }
}

impl From<floe_engine::store::StoreError> for ApiError {
    fn from(error: floe_engine::store::StoreError) -> Self {
        match error {
            floe_engine::store::StoreError::NoRun(_) => ApiError::NotFound(error.to_string()),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

/// The open workspace and its blueprints.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct WorkspaceInfo {
    /// The folder.
    pub root: PathBuf,
    /// Its blueprints.
    pub entries: Vec<Entry>,
}

/// A blueprint's text.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct FileText {
    /// Path relative to the workspace.
    pub path: String,
    /// The text (canonical after a save).
    pub text: String,
}

/// What the About box shows.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct About {
    /// The product's name.
    pub name: String,
    /// Its version (the workspace's crate version).
    pub version: String,
    /// The blueprint format version it reads and writes.
    pub format_version: u32,
}

/// A started run.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Started {
    /// Its id; events arrive under it.
    pub run_id: String,
}

/// An error answer: what went wrong and, for a document that cannot be read, where.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ErrorBody {
    /// What happened and what to do.
    pub error: String,
    /// The document's problems, when it could not be read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub diagnostics: Vec<floe_blueprint::Diagnostic>,
}

impl From<ApiError> for ErrorBody {
    fn from(error: ApiError) -> Self {
        match error {
            ApiError::Unreadable { message, diagnostics } => ErrorBody { error: message, diagnostics },
            other => ErrorBody { error: other.to_string(), diagnostics: Vec::new() },
        }
    }
}

/// Every type the API answers with, gathered so one schema (and the UI's TypeScript types,
/// generated from it) covers them.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ApiTypes {
    /// `GET /api/about`.
    pub about: About,
    /// `GET /api/workspace`, `POST /api/workspace/open`.
    pub workspace: WorkspaceInfo,
    /// `GET|PUT /api/files`, `POST /api/files/create`.
    pub file: FileText,
    /// `POST /api/check`.
    pub check: Check,
    /// `POST /api/runs`.
    pub started: Started,
    /// `GET /api/runs`.
    pub runs: Vec<RunSummary>,
    /// Any failure.
    pub error: ErrorBody,
    /// What `GET /api/runs/{id}/events` sends, one per message.
    pub event: Event,
}

/// One run's events for one subscriber: journaled first, then live, deduplicated by `seq`.
#[derive(Debug)]
pub struct EventFeed {
    journaled: std::collections::VecDeque<Event>,
    live: Option<broadcast::Receiver<Event>>,
    last: u64,
}

impl EventFeed {
    /// The next event, or `None` when the run has finished (or is not running here).
    pub async fn next(&mut self) -> Option<Event> {
        if let Some(event) = self.journaled.pop_front() {
            self.last = event.seq;
            return Some(event);
        }
        let live = self.live.as_mut()?;
        loop {
            match live.recv().await {
                Ok(event) if event.seq <= self.last => {}
                Ok(event) => {
                    self.last = event.seq;
                    if matches!(event.kind, RunEvent::RunFinished { .. }) {
                        self.live = None;
                    }
                    return Some(event);
                }
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "a slow event subscriber skipped events; they are in the journal");
                }
                Err(broadcast::error::RecvError::Closed) => {
                    self.live = None;
                    return None;
                }
            }
        }
    }
}

/// Live runs started through this API: their controls and event fan-out.
#[derive(Default)]
struct Live {
    runs: HashMap<String, (RunControl, broadcast::Sender<Event>)>,
}

/// The API over one workspace and one run store.
#[derive(Clone)]
pub struct Api {
    workspace: Arc<Mutex<Workspace>>,
    store: Store,
    live: Arc<Mutex<Live>>,
}

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Api").field("workspace", &self.workspace().root()).finish_non_exhaustive()
    }
}

/// Forwards a run's events to its subscribers.
struct Broadcast(broadcast::Sender<Event>);

impl EventSink for Broadcast {
    fn emit(&self, events: &[Event]) {
        for event in events {
            // No subscriber is fine: the journal has every event for later readers.
            let _ = self.0.send(event.clone());
        }
    }
}

impl Api {
    /// An API over the folder `root` and the run store `store`.
    pub fn new(root: &Path, store: Store) -> Result<Self, ApiError> {
        Ok(Self { workspace: Arc::new(Mutex::new(Workspace::open(root)?)), store, live: Arc::default() })
    }

    fn workspace(&self) -> Workspace {
        self.workspace.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Name and versions, for the About box.
    pub fn about(&self) -> About {
        About {
            name: "Floe".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            format_version: floe_blueprint::VERSION,
        }
    }

    /// Every node kind and built-in tool, with schemas, ports and docs.
    pub fn catalog(&self) -> Value {
        floe_blueprint::Catalog::builtin().to_json()
    }

    /// Opens another folder.
    pub fn open(&self, root: &Path) -> Result<WorkspaceInfo, ApiError> {
        let opened = Workspace::open(root)?;
        *self.workspace.lock().unwrap_or_else(PoisonError::into_inner) = opened;
        self.list()
    }

    /// The workspace and its blueprints.
    pub fn list(&self) -> Result<WorkspaceInfo, ApiError> {
        let workspace = self.workspace();
        Ok(WorkspaceInfo { root: workspace.root().to_owned(), entries: workspace.list()? })
    }

    /// A blueprint's text.
    pub fn read(&self, path: &str) -> Result<FileText, ApiError> {
        let workspace = self.workspace();
        if !workspace.path(path)?.is_file() {
            return Err(ApiError::NotFound(format!("`{path}` does not exist in {}", workspace.root().display())));
        }
        Ok(FileText { path: path.to_owned(), text: workspace.read(path)? })
    }

    /// Compiles a document as if saved at `path`: every problem with its position.
    pub fn check(&self, path: &str, text: &str) -> Result<Check, ApiError> {
        Ok(self.workspace().check(path, text)?)
    }

    /// Saves a document in canonical form; returns what was written.
    pub fn save(&self, path: &str, text: &str) -> Result<FileText, ApiError> {
        Ok(FileText { path: path.to_owned(), text: self.workspace().save(path, text)? })
    }

    /// Creates an empty blueprint.
    pub fn create(&self, path: &str, name: &str) -> Result<FileText, ApiError> {
        Ok(FileText { path: path.to_owned(), text: self.workspace().create(path, name)? })
    }

    /// Renames a blueprint.
    pub fn rename(&self, from: &str, to: &str) -> Result<(), ApiError> {
        Ok(self.workspace().rename(from, to)?)
    }

    /// Deletes a blueprint.
    pub fn delete(&self, path: &str) -> Result<(), ApiError> {
        Ok(self.workspace().delete(path)?)
    }

    /// Starts a run of the saved blueprint at `path`; returns once it has started (or failed to).
    pub async fn run(&self, path: &str, inputs: Map<String, Value>) -> Result<Started, ApiError> {
        let workspace = self.workspace();
        let file = workspace.path(path)?;
        let run_id = new_run_id();
        let (sender, _) = broadcast::channel(4096);
        let control = RunControl::new();
        let mut started = sender.subscribe();
        self.live
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .runs
            .insert(run_id.clone(), (control.clone(), sender.clone()));
        let mut request = FileRun::new(file);
        request.inputs = inputs;
        request.workspace = Some(workspace.root().to_owned());
        request.sink = Arc::new(Broadcast(sender));
        request.control = control;
        request.run_id = Some(run_id.clone());
        let store = self.store.clone();
        let live = self.live.clone();
        let id = run_id.clone();
        let task = tokio::spawn(async move {
            let result = run_file(&store, request).await;
            live.lock().unwrap_or_else(PoisonError::into_inner).runs.remove(&id);
            result
        });
        match started.recv().await {
            Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => Ok(Started { run_id }),
            // The run ended before its first event: it could not start (e.g. it does not compile).
            Err(broadcast::error::RecvError::Closed) => match task.await {
                Ok(Ok(_)) => Ok(Started { run_id }),
                Ok(Err(error)) => Err(ApiError::Invalid(error.to_string())),
                Err(error) => Err(ApiError::Internal(error.to_string())),
            },
        }
    }

    /// Recent runs.
    pub async fn runs(&self, limit: u32) -> Result<Vec<RunSummary>, ApiError> {
        Ok(self.store.runs(limit).await?)
    }

    /// A run's events in order, each once: the journaled ones, then, while it runs here, the
    /// live ones until `run_finished`.
    pub async fn events(&self, run_id: &str) -> Result<EventFeed, ApiError> {
        // Subscribe before reading the journal, so nothing falls between the two.
        let live =
            self.live.lock().unwrap_or_else(PoisonError::into_inner).runs.get(run_id).map(|(_, s)| s.subscribe());
        let journaled = self.store.events(run_id).await?;
        let finished = journaled.iter().any(|e| matches!(e.kind, RunEvent::RunFinished { .. }));
        Ok(EventFeed { journaled: journaled.into(), live: if finished { None } else { live }, last: 0 })
    }

    /// Cancels a run started here (it stays resumable).
    pub fn cancel(&self, run_id: &str) -> Result<(), ApiError> {
        let live = self.live.lock().unwrap_or_else(PoisonError::into_inner);
        let (control, _) = live
            .runs
            .get(run_id)
            .ok_or_else(|| ApiError::NotFound(format!("run {run_id} is not running in this process")))?;
        control.cancel("cancelled from the app");
        Ok(())
    }
}
