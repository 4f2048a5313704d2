//! Floe as a Model Context Protocol server, through the official Rust SDK (`rmcp`): `floe mcp`
//! speaks it over stdio. What a client sees:
//!
//! - **Every blueprint of the folder is a tool** (unless it opts out with `"run": {"as_tool":
//!   false}`: the folder offers all by default, so a new blueprint is usable at once), named after its id (the same name in
//!   `tools/list` and `tools/call`, whatever its length), described by its name and description,
//!   its input schema made from its run inputs and its output schema from its outputs. A call runs
//!   the blueprint with the real engine and journal, exactly as the app's Run button does; while
//!   it runs, each finished node is a progress notification (when the client asked for them);
//!   the client cancelling the request cancels the run (it stays resumable in the app); Floe puts
//!   no time limit on a call. The result is the run's outputs, as structured content and as text,
//!   with the run's id.
//! - **Tools to work on workflows**: `validate` (the compiler's diagnostics), `explain`, `runs`
//!   and `run_status`.
//! - **Resources**: each blueprint (`floe://blueprints/<path>`) and the recent runs
//!   (`floe://runs/<id>`).
//! - **The list follows the folder**: a blueprint added, removed or saved sends
//!   `notifications/tools/list_changed` (the folder is looked at every two seconds).
//!
//! Arguments that do not fit a tool (unknown tool, wrong run inputs) are protocol errors
//! (`invalid_params`); a run that fails is a tool result with `isError`, which the client shows.

use std::sync::Arc;

use rmcp::model::{
    AnnotateAble, CallToolRequestParams, CallToolResult, Content, Implementation, JsonObject, ListResourcesResult,
    ListToolsResult, PaginatedRequestParams, ProgressNotificationParam, RawResource, ReadResourceRequestParams,
    ReadResourceResult, ResourceContents, ServerCapabilities, ServerInfo, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde_json::{Map, Value, json};

use crate::{Api, ApiError, ErrorCode, RunRequest};
use floe_engine::events::{RunEvent, RunStatus};

/// The tools for working on workflows, beside the blueprints.
const META_TOOLS: [&str; 5] = ["validate", "draft", "explain", "runs", "run_status"];

/// The MCP server over one folder of blueprints and its run store.
#[derive(Clone)]
pub struct McpServer {
    api: Api,
    /// What a run's id is appended to for a link that opens it in the app.
    links: String,
}

impl std::fmt::Debug for McpServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("McpServer").finish_non_exhaustive()
    }
}

/// A blueprint of the folder, as a tool.
struct Offered {
    path: String,
    tool: Tool,
}

fn object(value: Value) -> Arc<JsonObject> {
    Arc::new(match value {
        Value::Object(map) => map,
        _ => JsonObject::new(),
    })
}

/// A run input's JSON Schema type (none: any value).
fn json_type(ty: floe_blueprint::ValueType) -> Option<&'static str> {
    (ty != floe_blueprint::ValueType::Any).then(|| ty.as_str())
}

/// The tool a blueprint is: its inputs as the input schema, its outputs as the output schema.
fn blueprint_tool(blueprint: &floe_blueprint::Blueprint) -> Tool {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for (name, input) in &blueprint.inputs {
        let mut schema = json!({});
        if let Some(ty) = json_type(input.ty) {
            schema["type"] = json!(ty);
        }
        if !input.description.is_empty() {
            schema["description"] = json!(input.description);
        }
        match &input.default {
            Some(default) => schema["default"] = default.clone(),
            None => required.push(name.clone()),
        }
        properties.insert(name.clone(), schema);
    }
    let outputs: Map<String, Value> = blueprint
        .outputs
        .iter()
        .map(|(name, output)| {
            let description = if output.description.is_empty() {
                format!("from {}", output.from)
            } else {
                output.description.clone()
            };
            (name.clone(), json!({"description": description}))
        })
        .collect();
    let description = if blueprint.description.is_empty() {
        format!("Runs the Floe blueprint “{}”.", blueprint.name)
    } else {
        format!("{} (Floe blueprint “{}”.)", blueprint.description, blueprint.name)
    };
    Tool::new(
        blueprint.id.clone(),
        description,
        object(json!({"type": "object", "properties": properties, "required": required})),
    )
    .with_title(blueprint.name.clone())
    .with_raw_output_schema(object(json!({"type": "object", "properties": outputs})))
}

fn meta_tools() -> Vec<Tool> {
    let path =
        json!({"type": "string", "description": "the blueprint's path in the folder, e.g. `summarise-text.json`"});
    vec![
        Tool::new(
            "validate",
            "Checks a blueprint of the folder (or a document given as text) with Floe's compiler: every problem with \
             its node, line and what to do.",
            object(json!({"type": "object", "properties": {
                "path": path,
                "text": {"type": "string", "description": "the document to check, as if saved at `path` (default: the saved file)"}
            }, "required": ["path"]})),
        ),
        Tool::new(
            "draft",
            "Drafts a Floe blueprint from a request in words (a new one, or a change to `path`) with the default model, \
             checks it with the compiler, and answers with the blueprint and what it does; with `save_as`, saves it in \
             the folder, where it becomes a tool.",
            object(json!({"type": "object", "properties": {
                "request": {"type": "string", "description": "what the workflow should do, in words"},
                "path": {"type": "string", "description": "a blueprint of the folder to change (default: draft a new one)"},
                "save_as": {"type": "string", "description": "where to save the draft in the folder, e.g. `triage.json` (default: not saved)"},
                "offline": {"type": "boolean", "description": "draft without a model (Floe's own drafter; simple requests only)"}
            }, "required": ["request"]})),
        ),
        Tool::new(
            "explain",
            "Explains a blueprint in plain words, step by step (offline: Floe's own explanation, no model).",
            object(json!({"type": "object", "properties": {"path": path}, "required": ["path"]})),
        ),
        Tool::new(
            "runs",
            "Recent runs, newest first: status, times, node counts, tokens and cost; of one blueprint when `blueprint` \
             (its id) is given.",
            object(json!({"type": "object", "properties": {
                "blueprint": {"type": "string", "description": "a blueprint id"},
                "limit": {"type": "integer", "minimum": 1, "maximum": 500, "description": "most runs (default 20)"}
            }})),
        ),
        Tool::new(
            "run_status",
            "One run: its status, outputs, error and the blueprint that ran.",
            object(json!({"type": "object", "properties": {
                "run_id": {"type": "string", "description": "the run's id (from `runs` or a blueprint call)"}
            }, "required": ["run_id"]})),
        ),
    ]
}

fn text_result(value: &Value) -> CallToolResult {
    let mut result = CallToolResult::success(vec![Content::text(
        serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string()),
    )]);
    if value.is_object() {
        result.structured_content = Some(value.clone());
    }
    result
}

/// An API failure as a tool result the client shows (the tool ran and failed).
fn failed(error: &ApiError) -> CallToolResult {
    let mut text = error.message.clone();
    for diagnostic in error.diagnostics.iter().take(20) {
        text.push_str(&format!("\n- {}", diagnostic.message));
    }
    CallToolResult::error(vec![Content::text(text)])
}

fn string_arg(args: &JsonObject, name: &str) -> Result<String, ErrorData> {
    args.get(name)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| ErrorData::invalid_params(format!("`{name}` is required (a string)"), None))
}

impl McpServer {
    /// The server over `api`'s folder and store.
    pub fn new(api: Api) -> Self {
        Self { api, links: "floe://run/".into() }
    }

    /// Links to runs open them in the page of `floe serve` at `page` (`http://127.0.0.1:PORT/`)
    /// rather than in the desktop app (`floe://run/<id>`, the default).
    pub fn linking_to(mut self, page: &str) -> Self {
        self.links = format!("{page}?run=");
        self
    }

    /// The folder's blueprints as tools (a file that cannot be read is left out, with a log line;
    /// of two blueprints with one id, the first by path).
    async fn offered(&self) -> Result<Vec<Offered>, ErrorData> {
        let api = self.api.clone();
        tokio::task::spawn_blocking(move || {
            let entries = api.workspace().map_err(|e| ErrorData::internal_error(e.message, None))?.entries;
            let mut offered: Vec<Offered> = Vec::new();
            for entry in entries {
                let Ok(file) = api.read(entry.path.clone()) else { continue };
                let Some(blueprint) = floe_blueprint::parse_bytes(file.text.as_bytes()).blueprint else {
                    tracing::warn!(path = %entry.path, "not offered as an MCP tool: it does not parse");
                    continue;
                };
                if blueprint.run.as_tool == Some(false) {
                    continue;
                }
                if offered.iter().any(|o| o.tool.name == blueprint.id) || META_TOOLS.contains(&blueprint.id.as_str()) {
                    tracing::warn!(path = %entry.path, id = %blueprint.id, "not offered as an MCP tool: its id is taken");
                    continue;
                }
                offered.push(Offered { path: entry.path, tool: blueprint_tool(&blueprint) });
            }
            Ok(offered)
        })
        .await
        .map_err(|e| ErrorData::internal_error(format!("listing the blueprints stopped: {e}"), None))?
    }

    /// Runs the blueprint at `path` with `inputs`, reporting each finished top-level node as
    /// progress, cancelling the run when the request is cancelled.
    async fn call_blueprint(
        &self,
        path: String,
        inputs: JsonObject,
        context: &RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let request = RunRequest { path: path.clone(), inputs, ..RunRequest::default() };
        let started = match self.api.run(request).await {
            Ok(started) => started,
            Err(error) if matches!(error.code, ErrorCode::InvalidInput | ErrorCode::BadRequest) => {
                return Err(ErrorData::invalid_params(error.message, error.pointer.map(|p| json!({"pointer": p}))));
            }
            Err(error) => return Ok(failed(&error)),
        };
        let run_id = started.run_id;
        let token = context.meta.get_progress_token();
        let mut feed = self.api.events(&run_id, 0).await.map_err(|e| ErrorData::internal_error(e.message, None))?;
        let mut done = 0u32;
        // Its top-level nodes, from `run_started`: each one that finishes is a step of progress.
        let mut total: Option<usize> = None;
        let mut finished: Option<(RunStatus, Map<String, Value>, Option<String>)> = None;
        let mut cancelled = false;
        while finished.is_none() {
            tokio::select! {
                batch = feed.next_batch(256) => {
                    if batch.is_empty() {
                        break;
                    }
                    for event in batch {
                        match event.kind {
                            RunEvent::RunStarted { nodes, .. } if event.run.as_ref() == run_id => total = Some(nodes),
                            RunEvent::NodeSucceeded { node, .. } | RunEvent::NodeFailed { node, .. } | RunEvent::NodeSkipped { node, .. }
                                if event.run.as_ref() == run_id && !node.to_string().contains('/') =>
                            {
                                done += 1;
                                if let Some(token) = &token {
                                    let mut progress = ProgressNotificationParam::new(token.clone(), f64::from(done))
                                        .with_message(format!("{node} done"));
                                    if let Some(total) = total {
                                        progress = progress.with_total(total as f64);
                                    }
                                    let _ = context.peer.notify_progress(progress).await;
                                }
                            }
                            RunEvent::RunFinished { status, outputs, error } if event.run.as_ref() == run_id => {
                                finished = Some((status, outputs, error));
                            }
                            _ => {}
                        }
                    }
                }
                () = context.ct.cancelled(), if !cancelled => {
                    cancelled = true;
                    if let Err(error) = self.api.cancel(run_id.clone()).await {
                        tracing::warn!(run = %run_id, "cancelling on the client's request: {}", error.message);
                    }
                }
            }
        }
        let (status, outputs, error) = match finished {
            Some(finished) => finished,
            None => {
                let detail = self
                    .api
                    .run_detail(run_id.clone())
                    .await
                    .map_err(|e| ErrorData::internal_error(e.message, None))?;
                (detail.summary.status, detail.outputs.unwrap_or_default(), detail.summary.error)
            }
        };
        let outputs = Value::Object(outputs);
        let link = format!("{}{run_id}", self.links);
        let mut result = if status == RunStatus::Succeeded {
            let mut result = CallToolResult::success(vec![Content::text(format!(
                "{}\n\n(Floe run {run_id}: {link} opens it in Floe; or `floe runs show {run_id}`.)",
                serde_json::to_string_pretty(&outputs).unwrap_or_default()
            ))]);
            result.structured_content = Some(outputs);
            result
        } else {
            CallToolResult::error(vec![Content::text(format!(
                "the run {run_id} {}: {}{}",
                status.as_str(),
                error.as_deref().unwrap_or("no error recorded"),
                if status == RunStatus::Cancelled { " (`floe resume` finishes it)" } else { "" }
            ))])
        };
        let mut meta = rmcp::model::Meta::new();
        meta.insert("floe/run".into(), json!(run_id));
        meta.insert("floe/link".into(), json!(link));
        result.meta = Some(meta);
        Ok(result)
    }

    async fn call_meta(
        &self,
        name: &str,
        args: JsonObject,
        context: &RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let api = self.api.clone();
        let answer = match name {
            "validate" => {
                let path = string_arg(&args, "path")?;
                let text = args.get("text").and_then(Value::as_str).map(str::to_owned);
                tokio::task::spawn_blocking(move || {
                    let text = match text {
                        Some(text) => text,
                        None => api.read(path.clone())?.text,
                    };
                    api.check(path, text)
                        .map(|check| json!({"diagnostics": check.diagnostics, "compiles": check.hash.is_some()}))
                })
                .await
                .map_err(|e| ErrorData::internal_error(e.to_string(), None))?
            }
            "draft" => return self.draft(args, context).await,
            "explain" => {
                let path = string_arg(&args, "path")?;
                api.explain(path, None, Some(true)).await.map(|answer| json!(answer.explanation))
            }
            "runs" => {
                let blueprint = args.get("blueprint").and_then(Value::as_str).map(str::to_owned);
                let limit = args.get("limit").and_then(Value::as_u64).map_or(20, |l| l.clamp(1, 500) as u32);
                api.runs(blueprint, Some(limit)).await.map(|runs| json!({"runs": runs}))
            }
            "run_status" => {
                let run_id = string_arg(&args, "run_id")?;
                api.run_detail(run_id).await.map(|detail| {
                    json!({"summary": detail.summary, "outputs": detail.outputs, "path": detail.path, "resumable": detail.resumable})
                })
            }
            other => return Err(ErrorData::invalid_params(format!("there is no tool `{other}`"), None)),
        };
        Ok(match answer {
            Ok(value) => text_result(&value),
            Err(error) if error.code == ErrorCode::NotFound => {
                return Err(ErrorData::invalid_params(error.message, None));
            }
            Err(error) => failed(&error),
        })
    }
}

impl McpServer {
    /// The `draft` tool: drafts, reporting the drafter's progress, and saves when asked.
    async fn draft(&self, args: JsonObject, context: &RequestContext<RoleServer>) -> Result<CallToolResult, ErrorData> {
        let text = string_arg(&args, "request")?;
        let path = args.get("path").and_then(Value::as_str).map(str::to_owned);
        let save_as = args.get("save_as").and_then(Value::as_str).map(str::to_owned);
        let offline = args.get("offline").and_then(Value::as_bool).unwrap_or(false);
        let request = crate::DraftRequest { text, path, offline, ..crate::DraftRequest::default() };
        let started = match self.api.draft(request).await {
            Ok(started) => started,
            Err(error) => return Ok(failed(&error)),
        };
        let token = context.meta.get_progress_token();
        let mut after = None;
        let mut steps = 0u32;
        let result = loop {
            let status = tokio::select! {
                status = self.api.draft_status(started.id.clone(), after) => status,
                () = context.ct.cancelled() => {
                    let _ = self.api.cancel_draft(started.id.clone()).await;
                    return Ok(CallToolResult::error(vec![Content::text("the draft was cancelled")]));
                }
            };
            let status = match status {
                Ok(status) => status,
                Err(error) => return Ok(failed(&error)),
            };
            after = Some(status.next);
            if let Some(token) = &token
                && !status.progress.is_empty()
            {
                steps += status.progress.len() as u32;
                let _ = context
                    .peer
                    .notify_progress(
                        ProgressNotificationParam::new(token.clone(), f64::from(steps)).with_message("drafting"),
                    )
                    .await;
            }
            if let Some(result) = status.result {
                break result;
            }
        };
        let Some(text) = result.text else {
            let why = result.error.unwrap_or_else(|| "the draft could not be applied".into());
            return Ok(CallToolResult::error(vec![Content::text(why)]));
        };
        let summary = result.draft.as_ref().map(|d| d.summary.clone()).unwrap_or_default();
        let problems: Vec<String> = result
            .draft
            .as_ref()
            .map(|d| d.diagnostics.iter().map(|p| p.message.clone()).collect())
            .unwrap_or_default();
        let mut answer = json!({"summary": summary, "blueprint": serde_json::from_str::<Value>(&text).unwrap_or(Value::String(text.clone())), "problems": problems});
        if let Some(save_as) = save_as {
            let api = self.api.clone();
            let saved = tokio::task::spawn_blocking(move || api.save(save_as, text))
                .await
                .map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
            match saved {
                Ok(file) => answer["saved"] = json!(file.path),
                Err(error) => return Ok(failed(&error)),
            }
        }
        Ok(text_result(&answer))
    }
}

impl ServerHandler for McpServer {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(
            ServerCapabilities::builder().enable_tools().enable_tool_list_changed().enable_resources().build(),
        )
        .with_server_info(Implementation::new("floe", env!("CARGO_PKG_VERSION")))
        .with_instructions(
            "Each tool named after a blueprint runs that Floe workflow on this machine and answers with its \
                 outputs. `validate`, `explain`, `runs` and `run_status` work on the workflows and their runs.",
        )
    }

    /// Once the client is ready: tells it whenever the folder's blueprints change (a file added,
    /// removed, renamed or saved), so it lists the tools again without a restart.
    async fn on_initialized(&self, context: rmcp::service::NotificationContext<RoleServer>) {
        let api = self.api.clone();
        tokio::spawn(async move {
            let listing = |api: Api| async move {
                tokio::task::spawn_blocking(move || api.workspace().ok())
                    .await
                    .ok()
                    .flatten()
                    .map(|w| w.entries.into_iter().map(|e| (e.path, e.id, e.modified_ms)).collect::<Vec<_>>())
            };
            let mut seen = listing(api.clone()).await;
            loop {
                tokio::time::sleep(std::time::Duration::from_secs(2)).await;
                let now = listing(api.clone()).await;
                if now != seen {
                    seen = now;
                    if context.peer.notify_tool_list_changed().await.is_err() {
                        return;
                    }
                }
                if context.peer.is_transport_closed() {
                    return;
                }
            }
        });
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let mut tools: Vec<Tool> = self.offered().await?.into_iter().map(|o| o.tool).collect();
        tools.extend(meta_tools());
        Ok(ListToolsResult::with_all_items(tools))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let args = request.arguments.unwrap_or_default();
        if META_TOOLS.contains(&request.name.as_ref()) {
            return self.call_meta(&request.name, args, &context).await;
        }
        // The folder's listing knows each file's id: no blueprint is read to find the one called.
        let api = self.api.clone();
        let entries = tokio::task::spawn_blocking(move || api.workspace())
            .await
            .map_err(|e| ErrorData::internal_error(e.to_string(), None))?
            .map_err(|e| ErrorData::internal_error(e.message, None))?
            .entries;
        let offered = |entry: &floe_engine::workspace::Entry| {
            entry.id == request.name
                && self.api.read(entry.path.clone()).ok().and_then(|file| {
                    floe_blueprint::parse_bytes(file.text.as_bytes()).blueprint.map(|b| b.run.as_tool != Some(false))
                }) == Some(true)
        };
        let Some(found) = entries.into_iter().find(offered) else {
            return Err(ErrorData::invalid_params(
                format!(
                    "there is no tool `{}`; `tools/list` names them (one per blueprint of the folder)",
                    request.name
                ),
                None,
            ));
        };
        self.call_blueprint(found.path, args, &context).await
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        let mut resources = Vec::new();
        for offered in self.offered().await? {
            let resource = RawResource::new(format!("floe://blueprints/{}", offered.path), offered.path.clone())
                .with_title(offered.tool.title.clone().unwrap_or_default());
            resources.push(resource.no_annotation());
        }
        let runs = self.api.runs(None, Some(50)).await.map_err(|e| ErrorData::internal_error(e.message, None))?;
        for run in runs {
            let title = format!("{} run {} ({})", run.name, run.id, run.status.as_str());
            resources.push(
                RawResource::new(format!("floe://runs/{}", run.id), run.id.clone()).with_title(title).no_annotation(),
            );
        }
        Ok(ListResourcesResult::with_all_items(resources))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResult, ErrorData> {
        let uri = request.uri;
        let not_found = |why: String| ErrorData::resource_not_found(why, Some(json!({"uri": uri})));
        let text = if let Some(path) = uri.strip_prefix("floe://blueprints/") {
            let api = self.api.clone();
            let path = path.to_owned();
            tokio::task::spawn_blocking(move || api.read(path))
                .await
                .map_err(|e| ErrorData::internal_error(e.to_string(), None))?
                .map_err(|e| not_found(e.message))?
                .text
        } else if let Some(run) = uri.strip_prefix("floe://runs/") {
            let detail = self.api.run_detail(run.to_owned()).await.map_err(|e| not_found(e.message))?;
            serde_json::to_string_pretty(&json!({"summary": detail.summary, "inputs": detail.inputs, "outputs": detail.outputs, "path": detail.path}))
                .unwrap_or_default()
        } else {
            return Err(not_found(format!(
                "`{uri}` is not a Floe resource: they are floe://blueprints/<path> and floe://runs/<id>"
            )));
        };
        Ok(ReadResourceResult::new(vec![ResourceContents::text(text, uri.clone())]))
    }
}

/// An MCP server of the settings, for the Settings screen.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct McpServerView {
    /// Its name (its tools are `<name>__<tool>`).
    pub name: String,
    /// How it is reached.
    pub settings: floe_llm::McpServerSettings,
    /// Its tools as workflows call them.
    pub tools: Vec<String>,
    /// Why it could not be reached (its tools, if any, are the ones listed last time).
    pub problem: Option<String>,
}

impl Api {
    /// Connects the MCP servers of the settings and makes their tools the ones runs started
    /// from now on may call.
    pub(crate) async fn connect_mcp_servers(&self) {
        let (toolbox, problems) =
            floe_engine::tools::Toolbox::for_process(&self.store, &self.llm.settings(), false).await;
        for problem in &problems {
            tracing::warn!("{problem}");
        }
        *self.tools.write().unwrap_or_else(std::sync::PoisonError::into_inner) = toolbox;
        *self.mcp_problems.write().unwrap_or_else(std::sync::PoisonError::into_inner) = problems;
    }

    /// The MCP servers of the settings, with their tools and what is wrong with them.
    pub async fn mcp_servers(&self) -> Result<Vec<McpServerView>, ApiError> {
        let settings = self.llm.settings();
        let tools = self.tools();
        let problems = self.mcp_problems.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
        Ok(settings
            .mcp_servers
            .into_iter()
            .map(|(name, settings)| {
                let source = format!("mcp:{name}");
                McpServerView {
                    tools: tools
                        .catalog()
                        .tools()
                        .iter()
                        .filter(|t| t.source == source)
                        .map(|t| t.name.clone())
                        .collect(),
                    problem: problems.iter().find(|p| p.contains(&format!("`{name}`"))).cloned(),
                    name,
                    settings,
                }
            })
            .collect())
    }

    /// Adds or changes an MCP server in the settings, and connects every server again.
    pub async fn set_mcp_server(
        &self,
        name: String,
        settings: floe_llm::McpServerSettings,
    ) -> Result<Vec<McpServerView>, ApiError> {
        let valid = !name.is_empty()
            && name.len() <= 40
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !name.contains("__");
        if !valid {
            return Err(ApiError {
                pointer: Some("/name".into()),
                ..ApiError::bad_request(format!(
                    "{name:?} cannot name an MCP server: use letters, digits and `-` (e.g. `github` or `my-files`)"
                ))
            });
        }
        match (&settings.command, &settings.url) {
            (Some(command), None) if !command.trim().is_empty() => {}
            (None, Some(url)) if reqwest::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https")) => {}
            (Some(_), Some(_)) => {
                return Err(ApiError::bad_request("an MCP server has a `command` or a `url`, not both"));
            }
            _ => {
                return Err(ApiError::bad_request(
                    "an MCP server needs a `command` (started with stdio) or an http(s) `url` (streamable HTTP)",
                ));
            }
        }
        if let Some(timeout) = &settings.timeout {
            humantime::parse_duration(timeout).map_err(|e| {
                ApiError::bad_request(format!("`timeout` {timeout:?} is not a duration ({e}); write e.g. \"120s\""))
            })?;
        }
        self.llm
            .update_settings(move |file| {
                file.mcp_servers.insert(name, settings);
                Ok(())
            })
            .map_err(|e| ApiError::bad_request(e.to_string()))?;
        self.connect_mcp_servers().await;
        self.mcp_servers().await
    }

    /// Removes an MCP server from the settings.
    pub async fn remove_mcp_server(&self, name: String) -> Result<Vec<McpServerView>, ApiError> {
        self.llm
            .update_settings(move |file| {
                file.mcp_servers.remove(&name).map(|_| ()).ok_or_else(|| format!("there is no MCP server `{name}`"))
            })
            .map_err(|e| ApiError::not_found(e.to_string()))?;
        self.connect_mcp_servers().await;
        self.mcp_servers().await
    }

    /// Adds the servers of a configuration as Claude Desktop or Cursor writes it (`{"mcpServers":
    /// {...}}`, or the object of servers alone), pasted as it is.
    pub async fn add_mcp_servers(&self, json: String) -> Result<Vec<McpServerView>, ApiError> {
        let value: Value = serde_json::from_str(&json).map_err(|e| {
            ApiError::bad_request(format!("this is not JSON (line {}, column {}): {e}", e.line(), e.column()))
        })?;
        let servers = value.get("mcpServers").or_else(|| value.get("mcp_servers")).unwrap_or(&value);
        let servers: std::collections::BTreeMap<String, floe_llm::McpServerSettings> =
            serde_json::from_value(servers.clone()).map_err(|e| {
                ApiError::bad_request(format!(
                    "expected {{\"mcpServers\": {{\"name\": {{\"command\": …, \"args\": […]}}}}}}: {e}"
                ))
            })?;
        if servers.is_empty() {
            return Err(ApiError::bad_request(
                "no MCP server in it: paste the `mcpServers` object of the configuration",
            ));
        }
        for (name, settings) in servers {
            Box::pin(self.set_mcp_server(name, settings)).await?;
        }
        self.mcp_servers().await
    }
}

/// Serves `api`'s folder over MCP on this process's stdin and stdout until the client closes them.
pub async fn serve_stdio(api: Api) -> Result<(), String> {
    use rmcp::ServiceExt;
    let (gated, to_server) = tokio::io::duplex(1 << 16);
    tokio::spawn(gate(tokio::io::stdin(), gated));
    let running = McpServer::new(api)
        .serve((to_server, tokio::io::stdout()))
        .await
        .map_err(|e| format!("the MCP client did not start a session: {e}"))?;
    running.waiting().await.map(|_| ()).map_err(|e| format!("the MCP session ended with an error: {e}"))
}

/// Hands the client's lines to the server once the client has sent `initialize`. Before that,
/// rmcp would end the session at the first other message; here a request is answered with an
/// error saying to initialize first, a line that is not JSON with a parse error, and the server
/// waits on. Until `initialize` passes, the server writes nothing, so the two never share stdout.
async fn gate(input: impl tokio::io::AsyncRead + Unpin, mut server: tokio::io::DuplexStream) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
    let mut lines = tokio::io::BufReader::new(input).lines();
    let mut out = tokio::io::stdout();
    let mut open = false;
    while let Ok(Some(line)) = lines.next_line().await {
        if !open && !line.trim().is_empty() {
            let answer = match serde_json::from_str::<Value>(&line) {
                Ok(message) if message.get("method").and_then(Value::as_str) == Some("initialize") => {
                    open = true;
                    None
                }
                // A notification before the handshake: nothing to answer.
                Ok(message) if message.get("id").is_none() => continue,
                Ok(message) => Some(json!({"jsonrpc": "2.0", "id": message["id"], "error": {"code": -32600,
                    "message": "the session is not initialized: send `initialize` first"}})),
                Err(_) => {
                    Some(json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32700, "message": "Parse error"}}))
                }
            };
            if let Some(answer) = answer {
                let text = format!("{answer}\n");
                if out.write_all(text.as_bytes()).await.is_err() || out.flush().await.is_err() {
                    return;
                }
                continue;
            }
        }
        if server.write_all(format!("{line}\n").as_bytes()).await.is_err() {
            return;
        }
    }
}
