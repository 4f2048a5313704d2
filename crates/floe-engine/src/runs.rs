//! Running blueprint files with the store as journal, and resuming interrupted runs: what the
//! CLI, the app and `floe serve` call.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use floe_blueprint::{Catalog, Diagnostic};
use serde_json::{Map, Value};

use crate::events::{Clock, EventSink, RunStatus, SystemClock};
use crate::files::{self, FileError, FileResolver};
use crate::run::{
    Prepared, Reuse, RunControl, RunEnv, RunOptions, RunReport, StartError, Subflows, child_run_id, input_from_text,
    new_run_id, resolve_inputs, run,
};
use crate::store::{NewRun, Store, StoreApprovals, StoreError};
use crate::tools::Toolbox;

/// Why a run could not be started or resumed.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The blueprint file could not be read.
    #[error(transparent)]
    File(#[from] FileError),
    /// The blueprint does not compile.
    #[error("{path} does not compile ({} errors); run `floe validate {path}` to see them", .diagnostics.iter().filter(|d| d.is_error()).count())]
    Invalid {
        /// The file.
        path: String,
        /// What the compiler found.
        diagnostics: Vec<Diagnostic>,
    },
    /// Inputs or journal refused the start.
    #[error(transparent)]
    Start(#[from] StartError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A model the blueprint calls cannot be called now (no key, a local server not running, no
    /// default model chosen); nothing ran.
    #[error("{path} cannot run yet: {}", .unready.iter().filter(|u| !u.fallback).map(|u| u.problem.message.as_str()).collect::<Vec<_>>().join("; "))]
    NotReady {
        /// The file.
        path: String,
        /// Each model that cannot be called, and what to do.
        unready: Vec<crate::ready::Unready>,
    },
    /// The run cannot be resumed.
    #[error("run `{id}` {why}")]
    NotResumable {
        /// The run.
        id: String,
        /// Why not.
        why: String,
    },
}

/// What to run and how.
pub struct FileRun {
    /// The blueprint file.
    pub path: PathBuf,
    /// Run inputs.
    pub inputs: Map<String, Value>,
    /// Run inputs given as text (`--input name=text`), read by the input's declared type; they
    /// win over `inputs`.
    pub text_inputs: Vec<(String, String)>,
    /// Folder file tools are confined to (default: the blueprint's folder).
    pub workspace: Option<PathBuf>,
    /// Most nodes at once.
    pub concurrency: Option<usize>,
    /// Where events go once journaled.
    pub sink: Arc<dyn EventSink>,
    /// Pause and cancel.
    pub control: RunControl,
    /// Event timestamps.
    pub clock: Arc<dyn Clock>,
    /// Reuse the results of this earlier run wherever a node would get exactly the same work.
    pub reuse: Option<String>,
    /// Run this top-level node and everything downstream of it again; reuse the rest (from
    /// `reuse`, or the blueprint's latest run).
    pub from: Option<String>,
    /// Outputs pinned by top-level node id: those nodes take them and never run.
    pub pinned: HashMap<String, Map<String, Value>>,
    /// Model providers: the process's one registry (default: a registry of this run's own,
    /// from the settings file).
    pub llm: Option<Arc<floe_llm::Llm>>,
    /// The run's id (default: a new one), for callers that must know it before the run starts.
    pub run_id: Option<String>,
    /// The tools its nodes may call (default: the built-in ones).
    pub tools: Arc<Toolbox>,
    /// Check before any node starts that every model it calls can be called (a key is there, a
    /// local server answers), and stop with [`RunError::NotReady`] if one cannot.
    pub check_ready: bool,
}

impl std::fmt::Debug for FileRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileRun").field("path", &self.path).field("inputs", &self.inputs).finish_non_exhaustive()
    }
}

impl FileRun {
    /// A run of `path` with no inputs, events discarded.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            inputs: Map::new(),
            text_inputs: Vec::new(),
            workspace: None,
            concurrency: None,
            sink: Arc::new(crate::events::NullSink),
            control: RunControl::new(),
            clock: Arc::new(SystemClock),
            reuse: None,
            from: None,
            pinned: HashMap::new(),
            llm: None,
            run_id: None,
            tools: Toolbox::builtin(),
            check_ready: false,
        }
    }
}

/// What `--reuse` / `--from` and pinned outputs offer the new run.
async fn reuse_for(store: &Store, prepared: &Prepared, request: &FileRun) -> Result<Option<Reuse>, RunError> {
    let root = prepared.plan.root();
    let top_level = |id: &str, what: &str| {
        root.index(id).ok_or_else(|| {
            let ids: Vec<&str> = root.graph().node_weights().map(|n| n.id.as_str()).collect();
            RunError::Start(StartError::Input {
                name: what.into(),
                message: format!("`{id}` is not a top-level node; nodes: {}", ids.join(", ")),
            })
        })
    };
    let mut pinned = HashMap::new();
    for (id, outputs) in &request.pinned {
        top_level(id, "pinned")?;
        pinned.insert(id.clone(), Arc::new(outputs.clone()));
    }
    let (reuse, from) = (request.reuse.as_deref(), request.from.as_deref());
    if reuse.is_none() && from.is_none() {
        return Ok((!pinned.is_empty()).then(|| Reuse { pinned, ..Reuse::default() }));
    }
    let not = |id: &str, why: String| RunError::NotResumable { id: id.to_owned(), why };
    let source = match reuse {
        Some(id) => id.to_owned(),
        None => store.latest_run(prepared.plan.id()).await?.ok_or_else(|| {
            not(prepared.plan.id(), "has no earlier run to reuse; run it once first, or name one with --reuse".into())
        })?,
    };
    let mut rerun = std::collections::HashSet::new();
    if let Some(from) = from {
        let start = top_level(from, "--from")?;
        let mut walk = petgraph::visit::Dfs::new(root.graph(), start);
        while let Some(index) = walk.next(root.graph()) {
            rerun.insert(root.graph()[index].id.clone());
        }
    }
    Ok(Some(Reuse { results: store.reusable(&source).await?, from_run: source, rerun, pinned }))
}

/// Compiles a document's exact text, resolving sub-workflows relative to `path` and `default`
/// models to the one `llm` (else the settings file) chooses.
fn compile(path: &Path, bytes: &[u8], catalog: &Catalog, llm: Option<&floe_llm::Llm>) -> Result<Prepared, RunError> {
    let key = files::key_of(path);
    let resolver = match llm {
        Some(llm) => FileResolver::with_default_model(llm.default_model()),
        None => FileResolver::from_settings(),
    };
    let checked = floe_compiler::check_bytes(bytes, catalog, &resolver, Some(&key));
    match checked.plan {
        Some(plan) => Ok(Prepared::new(plan)),
        None => Err(RunError::Invalid { path: path.display().to_string(), diagnostics: checked.diagnostics }),
    }
}

/// Stops a run whose models cannot be called (fallbacks only warn).
async fn ready(path: &Path, prepared: &Prepared, llm: &floe_llm::Llm) -> Result<(), RunError> {
    let unready = crate::ready::check(&prepared.plan, llm).await;
    for fallback in unready.iter().filter(|u| u.fallback) {
        tracing::warn!("fallback model {}: {}", fallback.problem.model, fallback.problem.message);
    }
    if crate::ready::blocks(&unready) {
        return Err(RunError::NotReady { path: path.display().to_string(), unready });
    }
    Ok(())
}

/// The settings file cannot be used, so no model can be called.
fn not_ready(request: &FileRun, prepared: &Prepared, error: floe_llm::settings::SettingsError) -> RunError {
    let problem = floe_llm::NotReady {
        model: String::new(),
        provider: None,
        remedy: floe_llm::Remedy::FixModel,
        message: error.to_string(),
    };
    let nodes = prepared.plan.models().iter().map(|m| m.node.clone()).collect();
    RunError::NotReady {
        path: request.path.display().to_string(),
        unready: vec![crate::ready::Unready { nodes, fallback: false, problem }],
    }
}

fn workspace_of(path: &Path) -> PathBuf {
    path.parent().filter(|p| !p.as_os_str().is_empty()).map_or_else(|| PathBuf::from("."), Path::to_owned)
}

/// Runs a blueprint file to the end, journaling it in `store`. The run id is known (and the run
/// listed in the store) as soon as the run starts; it is in the report.
pub async fn run_file(store: &Store, request: FileRun) -> Result<RunReport, RunError> {
    let bytes = files::read(&request.path)?;
    let prepared = compile(&request.path, &bytes, request.tools.catalog(), request.llm.as_deref())?;
    let mut request = request;
    if request.check_ready && !prepared.plan.models().is_empty() {
        // The registry the check uses is the one the run then calls models through.
        let llm = match request.llm.take() {
            Some(llm) => llm,
            None => Arc::new(floe_llm::Llm::from_default_settings().map_err(|e| not_ready(&request, &prepared, e))?),
        };
        ready(&request.path, &prepared, &llm).await?;
        request.llm = Some(llm);
    }
    let mut given = request.inputs.clone();
    for (name, text) in &request.text_inputs {
        given.insert(name.clone(), input_from_text(&prepared.plan, name, text)?);
    }
    let inputs = resolve_inputs(&prepared.plan, &given)?;
    let reuse = reuse_for(store, &prepared, &request).await?;
    let id = request.run_id.clone().unwrap_or_else(new_run_id);
    let workspace = request.workspace.clone().unwrap_or_else(|| workspace_of(&request.path));
    store
        .create_run(&NewRun {
            id: id.clone(),
            blueprint_id: prepared.plan.id().to_owned(),
            blueprint_name: prepared.plan.name().to_owned(),
            blueprint_path: Some(std::fs::canonicalize(&request.path).unwrap_or_else(|_| request.path.clone())),
            // Moved, not copied: the text is not held while the run executes.
            blueprint_json: String::from_utf8(bytes)
                .unwrap_or_else(|invalid| String::from_utf8_lossy(invalid.as_bytes()).into_owned()),
            hash: prepared.plan.hash().to_owned(),
            inputs: inputs.clone(),
            workspace: workspace.clone(),
            parent: None,
            started_at: request.clock.now_ms(),
        })
        .await?;
    let mut options = RunOptions {
        run_id: Some(id.clone()),
        inputs,
        workspace,
        sink: request.sink,
        journal: Arc::new(store.journal(&id)),
        approvals: Arc::new(StoreApprovals(store.clone())),
        subflows: Arc::new(FileSubflows::with_store(store.clone())),
        keys: true,
        reuse,
        clock: request.clock,
        control: request.control,
        llm: request.llm,
        tools: request.tools.clone(),
        ..RunOptions::default()
    };
    if let Some(concurrency) = request.concurrency {
        options.concurrency = concurrency;
    }
    sweep_temporaries(store, &options.workspace).await;
    let _lease = store.hold_lease(&id, options.control.clone());
    Ok(run(&prepared, options).await?)
}

/// Removes the temporary files that runs killed mid-write left in `workspace` (those of runs no
/// process holds any more), before a run starts there or resumes.
async fn sweep_temporaries(store: &Store, workspace: &Path) {
    let held = match store.held_runs().await {
        Ok(held) => held,
        Err(error) => {
            tracing::warn!("cannot tell which runs are live; temporary files are kept: {error}");
            return;
        }
    };
    let root = workspace.to_owned();
    let removed = tokio::task::spawn_blocking(move || {
        // Run writes are tagged with their run id (`r…`); other writers' (`p<pid>`) are left to them.
        files::sweep_temporaries(&root, &|tag| tag.starts_with('r') && !held.contains(tag))
    })
    .await
    .unwrap_or_default();
    for path in removed {
        tracing::info!(path = %path.display(), "removed a temporary file a killed run left");
    }
}

/// Finishes an interrupted (or cancelled) run: nodes that completed are settled from the
/// journal and never re-run; the rest run under their policies.
pub async fn resume(
    store: &Store,
    id: &str,
    sink: Arc<dyn EventSink>,
    control: RunControl,
    llm: Option<Arc<floe_llm::Llm>>,
    tools: Option<Arc<Toolbox>>,
) -> Result<RunReport, RunError> {
    let record = store.run(id).await?;
    let not = |why: String| RunError::NotResumable { id: id.to_owned(), why };
    match record.summary.status {
        RunStatus::Succeeded | RunStatus::Failed => {
            return Err(not(format!("already {}; start a new run instead", record.summary.status.as_str())));
        }
        RunStatus::Cancelled => {}
        _ if !record.summary.interrupted => {
            return Err(not("is still running in another process; cancel it first (`floe cancel`)".into()));
        }
        _ => {}
    }
    let path = record.blueprint_path.as_ref().map_or_else(|| PathBuf::from("resumed.json"), PathBuf::from);
    let tools = tools.unwrap_or_else(Toolbox::builtin);
    let prepared = compile(&path, record.blueprint_json.as_bytes(), tools.catalog(), llm.as_deref())?;
    if prepared.plan.hash() != record.hash {
        let default = prepared.plan.default_model().map(|d| format!(" or the default model (now {})", d.model));
        return Err(not(format!(
            "ran a plan with hash {} but it now compiles to {}: its sub-workflows{} changed since; restore them or start a new run",
            record.hash,
            prepared.plan.hash(),
            default.unwrap_or_default()
        )));
    }
    let prior = store.prior(id).await?;
    let workspace = PathBuf::from(&record.workspace);
    sweep_temporaries(store, &workspace).await;
    store.claim(id).await?;
    let _lease = store.hold_lease(id, control.clone());
    let options = RunOptions {
        run_id: Some(id.to_owned()),
        inputs: record.inputs.clone(),
        workspace,
        sink,
        journal: Arc::new(store.journal(id)),
        approvals: Arc::new(StoreApprovals(store.clone())),
        subflows: Arc::new(FileSubflows::with_store(store.clone())),
        keys: true,
        control,
        prior,
        next_seq: record.last_seq + 1,
        llm,
        tools,
        ..RunOptions::default()
    };
    Ok(run(&prepared, options).await?)
}

/// Sub-workflows from blueprint files, journaled in the store when there is one.
#[derive(Debug, Clone, Default)]
pub struct FileSubflows {
    store: Option<Store>,
}

impl FileSubflows {
    /// Child runs are journaled in `store`, linked to their parent.
    pub fn with_store(store: Store) -> Self {
        Self { store: Some(store) }
    }

    async fn run_child(
        &self,
        parent: &RunEnv,
        node: &str,
        key: &str,
        inputs: Map<String, Value>,
    ) -> Result<RunReport, RunError> {
        let path = PathBuf::from(key);
        let bytes = files::read(&path)?;
        let llm = parent.llm.get().and_then(|made| made.as_ref().ok()).cloned();
        let prepared = compile(&path, &bytes, parent.tools.catalog(), llm.as_deref())?;
        let not = |why: String| RunError::NotResumable { id: key.to_owned(), why };
        if let Some(expected) = parent.workflows.get(key)
            && expected != prepared.plan.hash()
        {
            return Err(not(format!(
                "changed since the parent run started (plan hash {expected}, now {}); restore it or start a new run",
                prepared.plan.hash()
            )));
        }
        let id = child_run_id(&parent.run_id, node);
        let mut options = RunOptions {
            run_id: Some(id.clone()),
            inputs: inputs.clone(),
            workspace: parent.workspace.clone(),
            sink: parent.sink.clone(),
            clock: parent.clock.clone(),
            control: parent.control.clone(),
            approvals: parent.approvals.clone(),
            subflows: Arc::new(self.clone()),
            // Children call models through the parent's providers (settings, keys, limits), and
            // tools through its toolbox.
            llm,
            tools: parent.tools.clone(),
            ..RunOptions::default()
        };
        if let Some(store) = &self.store {
            match store.run(&id).await {
                Ok(record) if record.summary.status == RunStatus::Succeeded => {
                    // The parent was interrupted after its child finished: reuse the result.
                    return Ok(RunReport {
                        run_id: id,
                        status: RunStatus::Succeeded,
                        outputs: record.outputs.unwrap_or_default(),
                        error: None,
                        elapsed: std::time::Duration::ZERO,
                    });
                }
                Ok(record) => {
                    options.prior = store.prior(&id).await?;
                    options.next_seq = record.last_seq + 1;
                    options.inputs = record.inputs;
                    store.claim(&id).await?;
                }
                Err(StoreError::NoRun(_)) => {
                    let resolved = resolve_inputs(&prepared.plan, &inputs)?;
                    store
                        .create_run(&NewRun {
                            id: id.clone(),
                            blueprint_id: prepared.plan.id().to_owned(),
                            blueprint_name: prepared.plan.name().to_owned(),
                            blueprint_path: Some(path.clone()),
                            blueprint_json: String::from_utf8_lossy(&bytes).into_owned(),
                            hash: prepared.plan.hash().to_owned(),
                            inputs: resolved,
                            workspace: parent.workspace.clone(),
                            parent: Some((parent.run_id.clone(), node.to_owned())),
                            started_at: parent.clock.now_ms(),
                        })
                        .await?;
                }
                Err(error) => return Err(error.into()),
            }
            options.journal = Arc::new(store.journal(&id));
            options.keys = true;
            options.approvals = Arc::new(StoreApprovals(store.clone()));
        }
        Ok(run(&prepared, options).await?)
    }
}

impl Subflows for FileSubflows {
    fn run<'a>(
        &'a self,
        parent: &'a RunEnv,
        node: &'a str,
        key: &'a str,
        inputs: Map<String, Value>,
    ) -> futures::future::BoxFuture<'a, Result<RunReport, String>> {
        Box::pin(async move { self.run_child(parent, node, key, inputs).await.map_err(|e| e.to_string()) })
    }
}
