//! Floe's one API: the requests the app makes (workspace files, live checks, the catalogue,
//! runs and their events) as plain methods over the engine façade, listed once in the table in
//! [`methods`]. Transports are thin: [`serve`] maps the table to `POST /api/<method>` and run
//! events to a WebSocket on loopback (`floe serve`); the desktop shell maps it to one Tauri
//! command and run events to a channel. No screen knows which one it talks to.

mod drafts;
mod error;
pub mod mcp;
pub mod memory;
pub mod menu;
pub mod methods;
pub mod serve;
pub mod settings;

pub use drafts::{AskRecord, DraftRequest, DraftResult, DraftStarted, DraftStatus, ExplainAnswer};
pub use error::{ApiError, ErrorCode};
pub use methods::{ApiMethods, METHODS, MethodInfo};

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use floe_engine::events::{Event, EventSink, RunEvent};
use floe_engine::run::approvals::{Decision, Scope};
use floe_engine::run::{RunControl, RunReport, new_run_id};
use floe_engine::runs::{FileRun, RunError, resume, run_file};
use floe_engine::store::{PendingApproval, RunSummary, Store};
use floe_engine::tools::Toolbox;
use floe_engine::workspace::{Check, Entry, Workspace};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tokio::sync::broadcast;

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

/// What to run and how: the request behind the Run button and "run from here".
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct RunRequest {
    /// The saved blueprint, relative to the workspace.
    pub path: String,
    /// Run inputs by name (defaults fill the rest).
    #[serde(default)]
    pub inputs: Map<String, Value>,
    /// Run this top-level node and everything downstream of it again, reusing the other nodes'
    /// results from `reuse` (default: the blueprint's latest run).
    #[serde(default)]
    pub from: Option<String>,
    /// Reuse this earlier run's results wherever a node would get exactly the same work.
    #[serde(default)]
    pub reuse: Option<String>,
    /// Outputs pinned by top-level node id: those nodes take them instead of running.
    #[serde(default)]
    pub pinned: HashMap<String, Map<String, Value>>,
    /// Start even if a model it calls cannot be called now (by default the run is refused
    /// with `not_ready` before any node starts).
    #[serde(default)]
    pub no_check: bool,
}

/// One stored run, for its page in the app: the summary, and the exact blueprint that ran.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RunDetail {
    /// Status, times, counts, tokens and cost.
    pub summary: RunSummary,
    /// The blueprint file, relative to the workspace when it is inside it.
    pub path: Option<String>,
    /// The document that ran, as it was.
    pub text: String,
    /// Plan hash that ran.
    pub hash: String,
    /// Run inputs after defaults.
    pub inputs: Map<String, Value>,
    /// Run outputs, when finished.
    pub outputs: Option<Map<String, Value>>,
    /// Approvals waiting for a decision.
    pub approvals: Vec<PendingApproval>,
    /// Whether the run can be resumed (interrupted by a crash, or cancelled).
    pub resumable: bool,
    /// The sub-workflow runs it started, with the node that started each.
    pub children: Vec<ChildRunInfo>,
}

/// A sub-workflow run, as the app opens it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ChildRunInfo {
    /// The node path that started it (`each/2/summarise`).
    pub node: String,
    /// Its run id.
    pub run_id: String,
    /// Its blueprint, relative to the workspace when it is inside it.
    pub path: Option<String>,
}

/// A reviewer's decision on a waiting approval (an approval node, or an agent's tool call).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum ApprovalDecision {
    /// Go on; with `value`, the edited value goes on instead (when the node allows edits).
    Approve {
        /// The edited value (any JSON).
        #[serde(default)]
        #[schemars(extend("tsType" = "unknown"))]
        value: Option<Value>,
        /// A note for the record.
        #[serde(default)]
        comment: Option<String>,
        /// For a tool call: this call only (the default), every call of the tool in this run,
        /// or also the blueprint's later runs (written into its `run.approved_tools`).
        #[serde(default)]
        scope: Option<Scope>,
    },
    /// Stop this branch.
    Reject {
        /// Why.
        #[serde(default)]
        comment: Option<String>,
    },
}

/// Every type that crosses the boundary, gathered so one schema (and the UI's TypeScript
/// types, generated from it) covers them.
#[derive(Debug, JsonSchema)]
pub struct ApiTypes {
    /// Every method's arguments and answer (the table in [`methods`]).
    pub methods: ApiMethods,
    /// Any failure.
    pub error: ApiError,
    /// What a run's event stream sends (in batches).
    pub event: Event,
    /// The native menu's items, whose ids are the UI's actions.
    pub menu: Vec<menu::MenuItem>,
}

/// One run's events for one subscriber: journaled first, then live, each once and in order.
/// A sub-workflow's child runs (`<run>.<node path>`) share their parent's live stream, so their
/// events come along, each run deduplicated by its own `seq`.
#[derive(Debug)]
pub struct EventFeed {
    run: String,
    store: Store,
    journaled: std::collections::VecDeque<Event>,
    live: Option<broadcast::Receiver<Event>>,
    /// The last `seq` handed on, per run (this one and its children).
    last: HashMap<Arc<str>, u64>,
}

impl EventFeed {
    fn concerns(&self, event: &Event) -> bool {
        let run = event.run.as_ref();
        run == self.run || run.strip_prefix(self.run.as_str()).is_some_and(|rest| rest.starts_with('.'))
    }

    /// Takes `event` when it is new for its run; ends the live part at this run's `run_finished`.
    fn accept(&mut self, event: Event) -> Option<Event> {
        if !self.concerns(&event) {
            return None;
        }
        let last = self.last.entry(event.run.clone()).or_default();
        if event.seq <= *last {
            return None;
        }
        *last = event.seq;
        if *event.run == *self.run && matches!(event.kind, RunEvent::RunFinished { .. }) {
            self.live = None;
        }
        Some(event)
    }

    /// The next events: up to `max` at once, as many as are ready (at least one), or none when
    /// the run has finished (or is not running here). Transports send a batch as one message.
    pub async fn next_batch(&mut self, max: usize) -> Vec<Event> {
        let mut batch = Vec::new();
        while batch.len() < max {
            let Some(event) = self.journaled.pop_front() else { break };
            batch.extend(self.accept(event));
        }
        while batch.len() < max {
            let Some(live) = self.live.as_mut() else { break };
            let received = if batch.is_empty() {
                live.recv().await
            } else {
                match live.try_recv() {
                    Ok(event) => Ok(event),
                    Err(broadcast::error::TryRecvError::Empty) => break,
                    Err(broadcast::error::TryRecvError::Lagged(missed)) => {
                        Err(broadcast::error::RecvError::Lagged(missed))
                    }
                    Err(broadcast::error::TryRecvError::Closed) => Err(broadcast::error::RecvError::Closed),
                }
            };
            match received {
                Ok(event) => batch.extend(self.accept(event)),
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    // Journaled before announced: what this subscriber missed is in the store.
                    tracing::debug!(missed, run = %self.run, "a slow event subscriber catches up from the journal");
                    if let Err(error) = self.catch_up().await {
                        tracing::warn!(run = %self.run, "cannot read the journal to catch up: {error}");
                    }
                    while batch.len() < max {
                        let Some(event) = self.journaled.pop_front() else { break };
                        batch.extend(self.accept(event));
                    }
                }
                Err(broadcast::error::RecvError::Closed) => self.live = None,
            }
        }
        batch
    }

    /// Queues, from the journal, every event of the runs seen so far that came after the last
    /// one handed on.
    async fn catch_up(&mut self) -> Result<(), floe_engine::store::StoreError> {
        let mut runs: Vec<(Arc<str>, u64)> = self.last.iter().map(|(run, seq)| (run.clone(), *seq)).collect();
        if runs.is_empty() {
            runs.push((Arc::from(self.run.as_str()), 0));
        }
        for (run, after) in runs {
            let missed = self.store.events(&run).await?;
            self.journaled.extend(missed.into_iter().filter(|e| e.seq > after));
        }
        Ok(())
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
    /// The process's one model registry: every run started here calls models through it, so
    /// per-provider limits hold across runs, and it follows the settings file.
    llm: Arc<floe_llm::Llm>,
    /// Drafts being made or made here.
    drafts: drafts::SharedDrafts,
    /// The tools runs started here may call: the built-in ones, the store's memory tools, and
    /// the MCP servers' (added once they are connected: the API answers before they are).
    tools: Arc<std::sync::RwLock<Arc<Toolbox>>>,
    /// What went wrong when the MCP servers were last connected, in words.
    mcp_problems: Arc<std::sync::RwLock<Vec<String>>>,
}

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Api").field("workspace", &self.folder().root()).finish_non_exhaustive()
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
        let llm = match floe_llm::Settings::default_path() {
            Some(path) => floe_llm::Llm::following(&path),
            None => floe_llm::Llm::new(floe_llm::Settings::default(), floe_llm::Prices::builtin()),
        };
        Self::with_llm(root, store, Arc::new(llm))
    }

    /// An API whose runs call models through `llm`.
    pub fn with_llm(root: &Path, store: Store, llm: Arc<floe_llm::Llm>) -> Result<Self, ApiError> {
        let api = Self {
            workspace: Arc::new(Mutex::new(Workspace::open(root)?)),
            tools: Arc::new(std::sync::RwLock::new(Toolbox::with_memory(&store))),
            store,
            live: Arc::default(),
            llm,
            drafts: Arc::default(),
            mcp_problems: Arc::default(),
        };
        // The MCP servers connect in the background: the API answers at once, their tools
        // join when they are listed.
        if !api.llm.settings().mcp_servers.is_empty()
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            let api = api.clone();
            runtime.spawn(async move { api.connect_mcp_servers().await });
        }
        Ok(api)
    }

    /// The tools runs started now may call.
    pub(crate) fn tools(&self) -> Arc<Toolbox> {
        self.tools.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    pub(crate) fn folder(&self) -> Workspace {
        self.workspace.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Name and versions, for the About box.
    pub fn about(&self) -> Result<About, ApiError> {
        Ok(About {
            name: "Floe".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            format_version: floe_blueprint::VERSION,
        })
    }

    /// Every node kind and built-in tool, with schemas, ports and docs.
    pub fn catalog(&self) -> Result<floe_blueprint::catalog::CatalogDoc, ApiError> {
        Ok(self.tools().catalog().doc())
    }

    /// Opens another folder.
    pub fn open_folder(&self, root: PathBuf) -> Result<WorkspaceInfo, ApiError> {
        let opened = Workspace::open(&root)?;
        *self.workspace.lock().unwrap_or_else(PoisonError::into_inner) = opened;
        self.workspace()
    }

    /// The workspace and its blueprints.
    pub fn workspace(&self) -> Result<WorkspaceInfo, ApiError> {
        let workspace = self.folder();
        Ok(WorkspaceInfo { root: workspace.root().to_owned(), entries: workspace.list()? })
    }

    /// A blueprint's text.
    pub fn read(&self, path: String) -> Result<FileText, ApiError> {
        let workspace = self.folder();
        if !workspace.path(&path)?.is_file() {
            return Err(ApiError::not_found(format!("`{path}` does not exist in {}", workspace.root().display())));
        }
        let text = workspace.read(&path)?;
        Ok(FileText { path, text })
    }

    /// Compiles a document as if saved at `path`: every problem with its position.
    pub fn check(&self, path: String, text: String) -> Result<Check, ApiError> {
        Ok(self.folder().check(&path, &text, self.tools().catalog(), self.llm.default_model())?)
    }

    /// Saves a document in canonical form; returns what was written.
    pub fn save(&self, path: String, text: String) -> Result<FileText, ApiError> {
        let text = self.folder().save(&path, &text)?;
        Ok(FileText { path, text })
    }

    /// Creates an empty blueprint.
    pub fn create(&self, path: String, name: String) -> Result<FileText, ApiError> {
        let text = self.folder().create(&path, &name)?;
        Ok(FileText { path, text })
    }

    /// Renames a blueprint.
    pub fn rename(&self, from: String, to: String) -> Result<(), ApiError> {
        Ok(self.folder().rename(&from, &to)?)
    }

    /// Renames node `from` to `to` in a document, with every reference to it; the new text.
    pub fn rename_node(&self, text: String, from: String, to: String) -> Result<String, ApiError> {
        let parsed = floe_blueprint::parse_str(&text);
        let Some(blueprint) = parsed.blueprint else {
            let why =
                parsed.diagnostics.first().map_or_else(|| "it is not a blueprint".to_owned(), |d| d.message.clone());
            return Err(ApiError::bad_request(format!("cannot rename `{from}`: the document does not read ({why})")));
        };
        let renamed = floe_draft::apply(&blueprint, &[floe_draft::Op::Rename { from: from.clone(), to }])
            .map_err(|error| ApiError::bad_request(format!("cannot rename `{from}`: {}", error.message)))?;
        Ok(floe_blueprint::to_canonical_string(&renamed))
    }

    /// Deletes a blueprint.
    pub fn remove(&self, path: String) -> Result<(), ApiError> {
        Ok(self.folder().delete(&path)?)
    }

    /// Registers a run as live here, starts it on its own task, and answers once it has
    /// started (its first event is out) or could not start.
    async fn launch<F>(
        &self,
        run_id: String,
        start: impl FnOnce(Arc<dyn EventSink>, RunControl) -> F,
    ) -> Result<Started, ApiError>
    where
        F: Future<Output = Result<RunReport, RunError>> + Send + 'static,
    {
        let (sender, _) = broadcast::channel(4096);
        let control = RunControl::new();
        let mut started = sender.subscribe();
        self.live
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .runs
            .insert(run_id.clone(), (control.clone(), sender.clone()));
        let running = start(Arc::new(Broadcast(sender)), control);
        let live = self.live.clone();
        let id = run_id.clone();
        let task = tokio::spawn(async move {
            let result = running.await;
            if let Err(error) = &result {
                tracing::warn!(run = %id, "the run ended with an error: {error}");
            }
            live.lock().unwrap_or_else(PoisonError::into_inner).runs.remove(&id);
            result
        });
        match started.recv().await {
            Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => Ok(Started { run_id }),
            // The run ended before its first event: it could not start (e.g. it does not compile).
            Err(broadcast::error::RecvError::Closed) => match task.await {
                Ok(Ok(_)) => Ok(Started { run_id }),
                Ok(Err(error)) => Err(error.into()),
                Err(error) => Err(ApiError::internal(error.to_string())),
            },
        }
    }

    /// Starts a run of the saved blueprint at `request.path` (all of it, or from a node on,
    /// reusing an earlier run's results); returns once it has started (or failed to).
    pub async fn run(&self, request: RunRequest) -> Result<Started, ApiError> {
        let workspace = self.folder();
        let request_path = request.path.clone();
        let mut run = FileRun::new(workspace.path(&request.path)?);
        run.inputs = request.inputs;
        run.workspace = Some(workspace.root().to_owned());
        run.from = request.from;
        run.reuse = request.reuse;
        run.pinned = request.pinned;
        run.llm = Some(self.llm.clone());
        run.tools = self.tools();
        run.check_ready = !request.no_check;
        let run_id = new_run_id();
        run.run_id = Some(run_id.clone());
        let store = self.store.clone();
        let started = self.launch(run_id, move |sink, control| async move {
            let mut run = run;
            run.sink = sink;
            run.control = control;
            run_file(&store, run).await
        });
        started.await.map_err(|mut error| {
            if error.code == ErrorCode::DoesNotCompile {
                // Named as the app knows it: relative to the workspace.
                error.message =
                    format!("{} does not compile: fix the problems it lists, then run it again", request_path);
            }
            error
        })
    }

    /// Resumes a run interrupted by a crash (or cancelled): finished nodes are not run again.
    pub async fn resume(&self, run_id: String) -> Result<Started, ApiError> {
        if self.live.lock().unwrap_or_else(PoisonError::into_inner).runs.contains_key(&run_id) {
            return Err(ApiError::conflict(format!("run {run_id} is still running here; pause or cancel it instead")));
        }
        let (store, llm, tools) = (self.store.clone(), self.llm.clone(), self.tools());
        let id = run_id.clone();
        self.launch(run_id, move |sink, control| async move {
            resume(&store, &id, sink, control, Some(llm), Some(tools)).await
        })
        .await
    }

    /// Recent runs, newest first (at most `limit`, default 50); with `blueprint`, only that
    /// blueprint's top-level runs.
    pub async fn runs(&self, blueprint: Option<String>, limit: Option<u32>) -> Result<Vec<RunSummary>, ApiError> {
        let limit = limit.unwrap_or(50);
        Ok(match blueprint {
            Some(id) => self.store.runs_of(&id, limit).await?,
            None => self.store.runs(limit).await?,
        })
    }

    /// One stored run: its summary, the blueprint that ran and what waits for a decision.
    pub async fn run_detail(&self, run_id: String) -> Result<RunDetail, ApiError> {
        let run_id = run_id.as_str();
        let record = self.store.run(run_id).await?;
        let root = self.folder().root().to_owned();
        let root = root.canonicalize().unwrap_or(root);
        let relative = |p: &str| {
            Path::new(p).strip_prefix(&root).map_or_else(|_| p.to_owned(), |r| r.to_string_lossy().into_owned())
        };
        let path = record.blueprint_path.as_deref().map(relative);
        let children = self
            .store
            .children(run_id)
            .await?
            .into_iter()
            .map(|child| ChildRunInfo {
                path: child.blueprint_path.as_deref().map(relative),
                node: child.node,
                run_id: child.run_id,
            })
            .collect();
        let live = self.live.lock().unwrap_or_else(PoisonError::into_inner).runs.contains_key(run_id);
        let resumable =
            !live && (record.summary.interrupted || record.summary.status == floe_engine::events::RunStatus::Cancelled);
        Ok(RunDetail {
            approvals: self.store.pending_approvals(Some(run_id)).await?,
            summary: record.summary,
            path,
            text: record.blueprint_json,
            hash: record.hash,
            inputs: record.inputs,
            outputs: record.outputs,
            resumable,
            children,
        })
    }

    /// A run's events in order, each once, from after `after`: the journaled ones, then, while
    /// it runs here, the live ones until `run_finished` (a child run's with its parent's).
    pub async fn events(&self, run_id: &str, after: u64) -> Result<EventFeed, ApiError> {
        // Subscribe before reading the journal, so nothing falls between the two.
        let root = run_id.split('.').next().unwrap_or(run_id);
        let live = self.live.lock().unwrap_or_else(PoisonError::into_inner).runs.get(root).map(|(_, s)| s.subscribe());
        let journaled = self.store.events(run_id).await?;
        let finished = journaled.iter().any(|e| matches!(e.kind, RunEvent::RunFinished { .. }));
        Ok(EventFeed {
            run: run_id.to_owned(),
            store: self.store.clone(),
            journaled: journaled.into_iter().filter(|e| e.seq > after).collect(),
            live: if finished { None } else { live },
            last: HashMap::from([(Arc::from(run_id), after)]),
        })
    }

    fn control(&self, run_id: &str) -> Result<RunControl, ApiError> {
        let live = self.live.lock().unwrap_or_else(PoisonError::into_inner);
        let (control, _) = live.runs.get(run_id).ok_or_else(|| {
            ApiError::conflict(format!("run {run_id} is not running in this process (resume it to go on)"))
        })?;
        Ok(control.clone())
    }

    /// Cancels a run, wherever it was started: one started here at once, one another process
    /// runs through the store (its owner sees the request), one no process runs is marked
    /// cancelled. It stays resumable.
    pub async fn cancel(&self, run_id: String) -> Result<(), ApiError> {
        const REASON: &str = "cancelled from the app";
        if let Ok(control) = self.control(&run_id) {
            control.cancel(REASON);
            return Ok(());
        }
        self.store.request_cancel(&run_id, REASON).await?;
        Ok(())
    }

    /// Pauses a run started here (running nodes finish, no new ones start), or lets it go on.
    pub fn pause(&self, run_id: String, paused: bool) -> Result<(), ApiError> {
        let control = self.control(&run_id)?;
        if paused {
            control.pause()
        } else {
            control.resume()
        }
        Ok(())
    }

    /// The models of every provider (see the `models` method).
    pub async fn models(&self, refresh: Option<bool>) -> Result<Vec<floe_llm::ProviderModels>, ApiError> {
        self.llm.models(refresh.unwrap_or(false)).await.map_err(|e| ApiError::bad_request(e.message))
    }

    /// Approvals waiting for a decision (of one run, or all).
    pub async fn approvals(&self, run_id: Option<String>) -> Result<Vec<PendingApproval>, ApiError> {
        Ok(self.store.pending_approvals(run_id.as_deref()).await?)
    }

    /// Decides a waiting approval; the run (in any process) picks the decision up.
    pub async fn decide(&self, run_id: String, node: String, decision: ApprovalDecision) -> Result<(), ApiError> {
        let (run_id, node) = (run_id.as_str(), node.as_str());
        let decision = match decision {
            ApprovalDecision::Approve { value, comment, scope } => {
                let value = match value {
                    Some(value) => value,
                    None => self.store.pending_approval(run_id, node).await.map(|p| p.value).map_err(|_| {
                        ApiError::not_found(format!(
                            "no approval of `{node}` waits in run {run_id}; it may be decided already"
                        ))
                    })?,
                };
                Decision::Approved { value, comment, scope: scope.unwrap_or_default() }
            }
            ApprovalDecision::Reject { comment } => Decision::Rejected { comment },
        };
        self.store.decide(run_id, node, &decision).await?;
        Ok(())
    }
}
