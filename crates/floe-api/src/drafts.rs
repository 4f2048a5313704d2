//! Drafting through the API: `draft` starts drafting a request (a new graph, or an edit of a
//! blueprint in the folder, optionally about selected nodes) on its own task and answers with its
//! id at once; `draft_status` waits briefly for what happened since (the model's text, each
//! round's problems) and, once it is over, the draft; `cancel_draft` stops it. `explain` describes
//! a blueprint in words. Nothing here writes a file: the app shows the draft and saves it only when
//! the person accepts it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use floe_blueprint::{Blueprint, Catalog};
use floe_draft::explain::Explanation;
use floe_draft::model::Progress;
use floe_draft::{Draft, Drafter, make_draft};
use floe_engine::FileResolver;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

use crate::{Api, ApiError};

/// How long `draft_status` waits for something new before answering with nothing.
const STATUS_WAIT: Duration = Duration::from_secs(10);

/// What to draft.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct DraftRequest {
    /// What the person asked.
    pub text: String,
    /// The blueprint to edit (relative to the folder); none for a new graph.
    #[serde(default)]
    pub path: Option<String>,
    /// The document as it is in the editor (unsaved edits included); default: the file.
    #[serde(default)]
    pub document: Option<String>,
    /// Nodes the request is about.
    #[serde(default)]
    pub selection: Vec<String>,
    /// The model to draft with (default: the default model; none chosen: the offline drafter).
    #[serde(default)]
    pub model: Option<String>,
    /// Draft without a model.
    #[serde(default)]
    pub offline: bool,
}

/// A draft being made.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DraftStarted {
    /// Its id, for `draft_status` and `cancel_draft`.
    pub id: String,
}

/// A finished draft, as the app shows it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DraftResult {
    /// Who answered (or was asked).
    pub drafter: Drafter,
    /// The draft: operations, summary, problems, rounds, tokens and cost; none when drafting
    /// stopped without one (see `error`).
    pub draft: Option<Draft>,
    /// The drafted blueprint in canonical form, when every operation applied.
    pub text: Option<String>,
    /// The drafting stopped without a draft (the request could not be drafted, the model failed,
    /// it was cancelled): why, and what to do.
    pub error: Option<String>,
}

/// A blueprint explained, and by whom.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ExplainAnswer {
    /// The summary and one step per node.
    pub explanation: Explanation,
    /// The model that explained it (none: Floe itself).
    pub by: Option<String>,
    /// What to know about it (the model could not answer, steps left out).
    pub note: Option<String>,
}

/// What happened to a draft since `after`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DraftStatus {
    /// Progress since `after`.
    pub progress: Vec<Progress>,
    /// The `after` for the next call.
    pub next: u32,
    /// The result, once drafting is over.
    pub result: Option<DraftResult>,
}

/// One request made with Ask, as the history keeps it (in `.floe/asks.json` in the folder, not
/// in the blueprint).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct AskRecord {
    /// The draft's id.
    pub id: String,
    /// The blueprint it was about (relative to the folder); none for a new graph.
    pub path: Option<String>,
    /// What was asked.
    pub request: String,
    /// What the draft did, in words (or why there was none).
    pub summary: String,
    /// Who drafted it (`offline`, or the model).
    pub drafter: String,
    /// When it was asked (ms since the Unix epoch).
    pub at: u64,
    /// `accepted`, `rejected`, or `pending` until the person decides.
    pub outcome: String,
}

/// Where the history of requests is kept, in the folder (a dot-folder: not listed).
const HISTORY: &str = ".floe/asks.json";
/// Most requests the history keeps.
const HISTORY_LIMIT: usize = 500;

/// One draft's state.
#[derive(Default)]
struct Entry {
    progress: Vec<Progress>,
    result: Option<DraftResult>,
    task: Option<tokio::task::JoinHandle<()>>,
}

/// Drafts in this process.
#[derive(Default)]
pub(crate) struct Drafts {
    entries: Mutex<HashMap<String, Entry>>,
    changed: Notify,
    /// One change of the history file at a time.
    history: Mutex<()>,
}

impl Drafts {
    fn update(&self, id: &str, change: impl FnOnce(&mut Entry)) {
        if let Some(entry) = self.entries.lock().unwrap_or_else(PoisonError::into_inner).get_mut(id) {
            change(entry);
        }
        self.changed.notify_waiters();
    }
}

/// Drafting stopped without a draft.
fn failed(error: String, drafter: Drafter) -> DraftResult {
    DraftResult { drafter, draft: None, text: None, error: Some(error) }
}

fn finished(draft: Draft) -> DraftResult {
    let text = draft.blueprint.as_ref().map(floe_blueprint::to_canonical_string);
    DraftResult { drafter: draft.drafter.clone(), draft: Some(draft), text, error: None }
}

impl Api {
    /// Starts drafting `request`; answers with its id at once.
    pub async fn draft(&self, request: DraftRequest) -> Result<DraftStarted, ApiError> {
        if request.text.trim().is_empty() {
            return Err(ApiError {
                pointer: Some("/request/text".into()),
                ..ApiError::bad_request("the request is empty: say what the workflow should do")
            });
        }
        let workspace = self.folder();
        let (base, key) = match &request.path {
            Some(path) => {
                let text = match &request.document {
                    Some(text) => text.clone(),
                    None => workspace.read(path)?,
                };
                let parsed = floe_blueprint::parse_str(&text);
                let base =
                    parsed.blueprint.filter(|_| !parsed.diagnostics.iter().any(floe_blueprint::Diagnostic::is_error));
                let base = base.ok_or_else(|| {
                    ApiError::new(
                        crate::ErrorCode::Unreadable,
                        format!("{path} cannot be read whole; fix its problems before asking for an edit"),
                    )
                })?;
                (base, Some(floe_engine::files::key_of(&workspace.path(path)?)))
            }
            None => {
                (Blueprint::new("draft", ""), Some(floe_engine::files::key_of(&workspace.root().join("draft.json"))))
            }
        };
        let id = format!("d{:016x}", fastrand::u64(..));
        let drafts = self.drafts.clone();
        drafts.entries.lock().unwrap_or_else(PoisonError::into_inner).insert(id.clone(), Entry::default());
        let llm = self.llm.clone();
        let task_id = id.clone();
        let root = workspace.root().to_owned();
        let task = tokio::spawn(async move {
            let resolver = FileResolver::with_default_model(llm.default_model());
            let model = if request.offline { None } else { request.model.clone().or_else(|| llm.default_model()) };
            let reason = match (&model, request.offline) {
                (_, true) => "you chose the offline drafter".to_owned(),
                (None, _) => "no model is set up: choose a default model in Settings".to_owned(),
                (Some(_), _) => String::new(),
            };
            let offline = |reason: String| match floe_draft::offline::draft_offline_about(
                &request.text,
                &base,
                &request.selection,
                &resolver,
                key.as_deref(),
            ) {
                Ok(ops) => finished(make_draft(
                    &base,
                    ops,
                    Catalog::builtin(),
                    &resolver,
                    key.as_deref(),
                    Drafter::Offline { reason },
                )),
                Err(why) => failed(why.0, Drafter::Offline { reason }),
            };
            let result = match model {
                None => offline(reason),
                Some(name) => match floe_llm::ModelRef::parse(&name) {
                    Err(error) => failed(error.message, Drafter::Model { model: name }),
                    Ok(model) => {
                        let asked = floe_draft::model::Request {
                            text: &request.text,
                            base: &base,
                            selection: &request.selection,
                            resolver: &resolver,
                            key: key.as_deref(),
                        };
                        let mut report =
                            |progress: Progress| drafts.update(&task_id, |entry| entry.progress.push(progress));
                        match floe_draft::model::draft_with_model(&llm, &model, &asked, Catalog::builtin(), &mut report)
                            .await
                        {
                            Ok(draft) => finished(draft),
                            // The default model could not answer: the offline drafter does, and says why.
                            Err(error) if request.model.is_none() => {
                                offline(format!("{name} could not answer: {error}"))
                            }
                            Err(error) => failed(error.to_string(), Drafter::Model { model: name }),
                        }
                    }
                },
            };
            let (summary, by) = match (&result.draft, &result.error) {
                (Some(draft), _) => (draft.summary.clone(), drafter_name(&draft.drafter)),
                (None, error) => (error.clone().unwrap_or_default(), drafter_name(&result.drafter)),
            };
            let record = AskRecord {
                id: task_id.clone(),
                path: request.path.clone(),
                request: request.text.clone(),
                summary,
                drafter: by,
                at: std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_millis() as u64),
                outcome: if result.draft.is_some() { "pending".into() } else { "none".into() },
            };
            if let Err(error) = change_history(&drafts, &root, |list| list.push(record)) {
                tracing::warn!("cannot keep the request in the history: {error}");
            }
            drafts.update(&task_id, |entry| entry.result = Some(result));
        });
        self.drafts.update(&id, |entry| entry.task = Some(task));
        Ok(DraftStarted { id })
    }

    /// What happened to draft `id` since `after` (waiting up to ten seconds for something new),
    /// and its result once it is over.
    pub async fn draft_status(&self, id: String, after: Option<u32>) -> Result<DraftStatus, ApiError> {
        let after = after.unwrap_or(0) as usize;
        let deadline = tokio::time::Instant::now() + STATUS_WAIT;
        loop {
            let changed = self.drafts.changed.notified();
            {
                let entries = self.drafts.entries.lock().unwrap_or_else(PoisonError::into_inner);
                let entry = entries.get(&id).ok_or_else(|| ApiError::not_found(format!("there is no draft `{id}`")))?;
                if entry.progress.len() > after || entry.result.is_some() {
                    return Ok(DraftStatus {
                        progress: entry.progress.iter().skip(after).cloned().collect(),
                        next: entry.progress.len() as u32,
                        result: entry.result.clone(),
                    });
                }
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                return Ok(DraftStatus { progress: Vec::new(), next: after as u32, result: None });
            }
        }
    }

    /// Stops draft `id`; it ends with a result saying it was cancelled.
    pub async fn cancel_draft(&self, id: String) -> Result<(), ApiError> {
        let task = {
            let mut entries = self.drafts.entries.lock().unwrap_or_else(PoisonError::into_inner);
            let entry = entries.get_mut(&id).ok_or_else(|| ApiError::not_found(format!("there is no draft `{id}`")))?;
            if entry.result.is_some() {
                return Ok(());
            }
            entry.task.take()
        };
        if let Some(task) = task {
            task.abort();
        }
        let cancelled = failed("the draft was cancelled".into(), Drafter::Offline { reason: "cancelled".into() });
        self.drafts.update(&id, |entry| entry.result = Some(cancelled));
        Ok(())
    }

    /// The requests made with Ask about `path` (or, without it, all), newest first.
    pub fn ask_history(&self, path: Option<String>) -> Result<Vec<AskRecord>, ApiError> {
        let mut list = read_history(self.folder().root()).map_err(ApiError::internal)?;
        list.retain(|r| path.is_none() || r.path == path);
        list.reverse();
        Ok(list)
    }

    /// Records what the person did with draft `id`: accepted it or rejected it.
    pub fn decide_draft(&self, id: String, accepted: bool) -> Result<(), ApiError> {
        let root = self.folder().root().to_owned();
        let mut found = false;
        change_history(&self.drafts, &root, |list| {
            if let Some(record) = list.iter_mut().rev().find(|r| r.id == id) {
                record.outcome = if accepted { "accepted" } else { "rejected" }.into();
                found = true;
            }
        })
        .map_err(ApiError::internal)?;
        if !found {
            return Err(ApiError::not_found(format!("there is no draft `{id}` in the history")));
        }
        Ok(())
    }

    /// A blueprint of the folder (or the document in the editor) in plain words, step by step:
    /// by the default model when one is chosen and `offline` is not asked, else by Floe itself.
    pub async fn explain(
        &self,
        path: String,
        document: Option<String>,
        offline: Option<bool>,
    ) -> Result<ExplainAnswer, ApiError> {
        let text = match document {
            Some(text) => text,
            None => self.folder().read(&path)?,
        };
        let parsed = floe_blueprint::parse_str(&text);
        let blueprint = parsed.blueprint.ok_or_else(|| {
            ApiError::new(crate::ErrorCode::Unreadable, format!("{path} cannot be read; fix it first"))
        })?;
        let model = if offline.unwrap_or(false) { None } else { self.llm.default_model() };
        let Some(name) = model else {
            return Ok(ExplainAnswer { explanation: floe_draft::explain::explain(&blueprint), by: None, note: None });
        };
        let model = floe_llm::ModelRef::parse(&name).map_err(|e| ApiError::bad_request(e.message))?;
        let (explanation, note) = floe_draft::explain::explain_with_model(&self.llm, &model, &blueprint).await;
        Ok(ExplainAnswer { explanation, by: Some(name), note })
    }
}

fn drafter_name(drafter: &Drafter) -> String {
    match drafter {
        Drafter::Offline { .. } => "offline".into(),
        Drafter::Model { model } => model.clone(),
    }
}

fn read_history(root: &std::path::Path) -> Result<Vec<AskRecord>, String> {
    let file = root.join(HISTORY);
    match std::fs::read_to_string(&file) {
        Ok(text) => serde_json::from_str(&text)
            .map_err(|e| format!("{} is damaged ({e}); move it away to start a new history", file.display())),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(error) => Err(format!("cannot read {}: {error}", file.display())),
    }
}

/// Reads, changes and writes (atomically) the history, one change at a time.
fn change_history(
    drafts: &Drafts,
    root: &std::path::Path,
    change: impl FnOnce(&mut Vec<AskRecord>),
) -> Result<(), String> {
    let _one = drafts.history.lock().unwrap_or_else(PoisonError::into_inner);
    let mut list = read_history(root)?;
    change(&mut list);
    if list.len() > HISTORY_LIMIT {
        list.drain(..list.len() - HISTORY_LIMIT);
    }
    let file = root.join(HISTORY);
    if let Some(folder) = file.parent() {
        std::fs::create_dir_all(folder).map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
    }
    let text = serde_json::to_string_pretty(&list).map_err(|e| e.to_string())?;
    floe_engine::files::write_atomic(&file, text.as_bytes()).map_err(|e| e.to_string())
}

/// The drafts of one API (shared by its clones).
pub(crate) type SharedDrafts = Arc<Drafts>;
