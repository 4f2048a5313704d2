//! The API's one table. Each entry names a method of [`Api`], its arguments and its answer; from
//! it come the argument types, [`Api::call`] (what `floe serve`'s `POST /api/<method>` and the
//! desktop shell's one `api` command dispatch to), the JSON Schema of every method (under
//! `methods` in `schemas/api.schema.json`) and, through `cargo xtask codegen`, the UI's typed
//! client (`ui/src/generated/client.ts`). Adding a method is its implementation plus one entry.
//!
//! `blocking` methods do disk or CPU work and run on tokio's blocking pool; `awaited` ones are
//! async. Neither runs on the caller's thread (the desktop app's main thread included).

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

use crate::{Api, ApiError};

/// A method's argument names and whether each may be left out, for the client generator.
#[derive(Debug, Clone, Copy)]
pub struct MethodInfo {
    /// The method's name (snake_case; the client uses camelCase).
    pub name: &'static str,
    /// Its documentation.
    pub doc: &'static str,
    /// Its arguments in order: (name, optional).
    pub args: &'static [(&'static str, bool)],
}

/// One method's argument object and its answer, for the schema.
#[derive(Debug, JsonSchema)]
pub struct Method<A, R> {
    /// The arguments, by name.
    pub args: A,
    /// The answer.
    pub answer: R,
}

macro_rules! optional {
    (Option<$inner:ty>) => {
        true
    };
    ($other:ty) => {
        false
    };
}

macro_rules! invoke {
    (blocking, $api:expr, $name:ident, $($value:expr),*) => {{
        let api = $api.clone();
        tokio::task::spawn_blocking(move || api.$name($($value),*))
            .await
            .map_err(|e| ApiError::internal(format!("the request stopped: {e}")))??
    }};
    (awaited, $api:expr, $name:ident, $($value:expr),*) => {
        $api.$name($($value),*).await?
    };
}

macro_rules! api {
    ($(
        $(#[doc = $doc:literal])*
        $mode:ident $name:ident($($arg:ident: $ty:tt $(<$inner:ty>)?),*) -> $answer:ty as $Args:ident;
    )*) => {
        /// The argument object of each method.
        pub mod args {
            use super::*;
            $(
                #[doc = concat!("The arguments of `", stringify!($name), "`.")]
                #[derive(Debug, Deserialize, JsonSchema)]
                #[serde(deny_unknown_fields)]
                pub struct $Args {
                    $(
                        #[allow(missing_docs)]
                        $(#[serde(default)] #[doc = concat!("Optional: ", stringify!($inner), ".")])?
                        pub $arg: $ty $(<$inner>)?,
                    )*
                }
            )*
        }

        /// Every method's arguments and answer, for the schema the UI's client is generated from.
        #[derive(Debug, JsonSchema)]
        pub struct ApiMethods {
            $(
                $(#[doc = $doc])*
                pub $name: Method<args::$Args, $answer>,
            )*
        }

        /// Every method, in table order.
        pub const METHODS: &[MethodInfo] = &[
            $(MethodInfo {
                name: stringify!($name),
                doc: concat!($($doc, "\n"),*),
                args: &[$((stringify!($arg), optional!($ty $(<$inner>)?))),*],
            },)*
        ];

        impl Api {
            /// Calls method `method` with its arguments as a JSON object; answers with JSON.
            pub async fn call(&self, method: &str, args: Value) -> Result<Value, ApiError> {
                // No arguments may be sent as nothing at all.
                let args = if args.is_null() { Value::Object(Default::default()) } else { args };
                match method {
                    $(stringify!($name) => {
                        #[allow(unused_variables)] // methods without arguments
                        let args: args::$Args = serde_json::from_value(args).map_err(|e| {
                            ApiError::bad_request(format!("`{method}`: {e}"))
                        })?;
                        let answer = invoke!($mode, self, $name, $(args.$arg),*);
                        serde_json::to_value(answer).map_err(|e| ApiError::internal(e.to_string()))
                    })*
                    other => {
                        let names: Vec<&str> = METHODS.iter().map(|m| m.name).collect();
                        Err(ApiError::bad_request(format!("there is no method `{other}`; the API has: {}", names.join(", "))))
                    }
                }
            }
        }
    };
}

use std::path::PathBuf;

use floe_engine::store::{PendingApproval, RunSummary};
use floe_engine::workspace::Check;

use floe_llm::McpServerSettings;
use floe_llm::settings::ProviderSettings;

use crate::settings::{ProviderTest, SettingsView};
use crate::{
    About, ApprovalDecision, AskRecord, DraftRequest, DraftStarted, DraftStatus, ExplainAnswer, FileText, RunDetail,
    RunRequest, Started, WorkspaceInfo,
};

api! {
    /// Name and versions, for the About box.
    blocking about() -> About as AboutArgs;
    /// Every node kind and built-in tool, with schemas, ports and docs.
    blocking catalog() -> floe_blueprint::catalog::CatalogDoc as CatalogArgs;
    /// The open folder and its blueprints.
    blocking workspace() -> WorkspaceInfo as WorkspaceArgs;
    /// Opens another folder of blueprints.
    blocking open_folder(root: PathBuf) -> WorkspaceInfo as OpenFolderArgs;
    /// A blueprint's text.
    blocking read(path: String) -> FileText as ReadArgs;
    /// Compiles a document as if saved at `path`: every problem with its position.
    blocking check(path: String, text: String) -> Check as CheckArgs;
    /// Saves a document in canonical form; answers with what was written.
    blocking save(path: String, text: String) -> FileText as SaveArgs;
    /// Creates an empty blueprint.
    blocking create(path: String, name: String) -> FileText as CreateArgs;
    /// Renames a blueprint.
    blocking rename(from: String, to: String) -> () as RenameArgs;
    /// Renames node `from` to `to` in a document: every edge, run output, template and body
    /// reference follows. Answers with the document's new text (canonical); nothing is saved.
    blocking rename_node(text: String, from: String, to: String) -> String as RenameNodeArgs;
    /// Deletes a blueprint.
    blocking remove(path: String) -> () as RemoveArgs;
    /// Starts a run of the saved blueprint (all of it, or from a node on, reusing an earlier
    /// run's results); answers once it has started, or with why it cannot.
    awaited run(request: RunRequest) -> Started as RunArgs;
    /// Resumes a run interrupted by a crash (or cancelled): finished nodes are not run again.
    awaited resume(run_id: String) -> Started as ResumeArgs;
    /// Recent runs, newest first; with `blueprint` (an id), that blueprint's history.
    awaited runs(blueprint: Option<String>, limit: Option<u32>) -> Vec<RunSummary> as RunsArgs;
    /// One stored run: its summary, the blueprint that ran and what waits for a decision.
    awaited run_detail(run_id: String) -> RunDetail as RunDetailArgs;
    /// Cancels a run, wherever it was started (it stays resumable).
    awaited cancel(run_id: String) -> () as CancelArgs;
    /// Pauses a run started here (running nodes finish, no new ones start), or lets it go on.
    blocking pause(run_id: String, paused: bool) -> () as PauseArgs;
    /// Approvals waiting for a decision (of one run, or all).
    awaited approvals(run_id: Option<String>) -> Vec<PendingApproval> as ApprovalsArgs;
    /// Decides a waiting approval; the run (in any process) picks the decision up.
    awaited decide(run_id: String, node: String, decision: ApprovalDecision) -> () as DecideArgs;
    /// The models of every provider, read from each provider's own list (once, until
    /// `refresh`), with prices and context sizes where known; a provider that cannot be listed
    /// says why (no key, not running).
    awaited models(refresh: Option<bool>) -> Vec<floe_llm::ProviderModels> as ModelsArgs;
    /// Every provider with its settings and where its key comes from (never the key), and the
    /// default model.
    blocking settings() -> SettingsView as SettingsArgs;
    /// Sets a provider's settings (a built-in one's overrides, or a new OpenAI-compatible
    /// endpoint with `api` and `base_url`); written atomically, used at once.
    blocking set_provider(name: String, settings: ProviderSettings) -> SettingsView as SetProviderArgs;
    /// Removes an added endpoint (and its stored key), or puts a built-in provider back to
    /// Floe's own values.
    blocking remove_provider(name: String) -> SettingsView as RemoveProviderArgs;
    /// Stores a provider's API key in the OS keychain; no answer ever carries it back.
    blocking set_key(provider: String, key: String) -> SettingsView as SetKeyArgs;
    /// Deletes a provider's API key from the OS keychain.
    blocking delete_key(provider: String) -> SettingsView as DeleteKeyArgs;
    /// Chooses the default model (`provider:model`) that nodes saying `default` call, or unsets it.
    blocking set_default_model(model: Option<String>) -> SettingsView as SetDefaultModelArgs;
    /// One cheap call to a provider (listing its models) to check its key and base URL.
    awaited test_provider(name: String) -> ProviderTest as TestProviderArgs;
    /// Every memory namespace, with how many memories it holds and its budget.
    awaited memory_namespaces() -> Vec<floe_engine::store::Namespace> as MemoryNamespacesArgs;
    /// A namespace's memories: with `query`, the best matches first (keyword search, fused with
    /// similarity when an embedding model is set); without, pinned first, then newest.
    awaited memories(namespace: String, query: Option<String>, limit: Option<u32>) -> Vec<floe_engine::store::Hit> as MemoriesArgs;
    /// One memory with its history (every version) and the blueprint of the run that wrote it.
    awaited memory_detail(id: i64) -> crate::memory::MemoryDetail as MemoryDetailArgs;
    /// A person's edit of a memory: a new version that supersedes it (kept as its history).
    awaited edit_memory(id: i64, text: String, value: Value, tags: Vec<String>) -> floe_engine::store::Memory as EditMemoryArgs;
    /// Pins a memory (first in lists), or unpins it.
    awaited pin_memory(id: i64, pinned: bool) -> floe_engine::store::Memory as PinMemoryArgs;
    /// Forgets a memory: hidden from search; with `hard`, deleted for good with its history.
    awaited forget_memory(id: i64, hard: Option<bool>) -> () as ForgetMemoryArgs;
    /// The MCP servers of the settings, with their tools (`<server>__<tool>`) and what is wrong.
    awaited mcp_servers() -> Vec<crate::mcp::McpServerView> as McpServersArgs;
    /// Adds or changes an MCP server (a `command` with `args` and `env`, or a `url` with
    /// `headers`; a `timeout`); every server connects again.
    awaited set_mcp_server(name: String, settings: McpServerSettings) -> Vec<crate::mcp::McpServerView> as SetMcpServerArgs;
    /// Removes an MCP server.
    awaited remove_mcp_server(name: String) -> Vec<crate::mcp::McpServerView> as RemoveMcpServerArgs;
    /// Adds the servers of a Claude Desktop or Cursor configuration, pasted as it is.
    awaited add_mcp_servers(json: String) -> Vec<crate::mcp::McpServerView> as AddMcpServersArgs;
    /// Copies the example blueprints (and the files they read) into the open folder, leaving
    /// files already there as they are.
    blocking add_examples() -> WorkspaceInfo as AddExamplesArgs;
    /// Starts drafting a request (a new graph, or an edit of `path`, optionally about selected
    /// nodes) with the default model (or `model`, or offline); answers with its id at once.
    awaited draft(request: DraftRequest) -> DraftStarted as DraftArgs;
    /// What happened to a draft since `after` (waiting up to ten seconds for something new): the
    /// model's text, each round's problems, and the draft once it is over.
    awaited draft_status(id: String, after: Option<u32>) -> DraftStatus as DraftStatusArgs;
    /// Stops a draft.
    awaited cancel_draft(id: String) -> () as CancelDraftArgs;
    /// Records whether the person accepted or rejected a draft (for the history of requests).
    blocking decide_draft(id: String, accepted: bool) -> () as DecideDraftArgs;
    /// The requests made with Ask about a blueprint (or all), newest first, with what became of
    /// each; kept in the folder (`.floe/asks.json`), not in the blueprint.
    blocking ask_history(path: Option<String>) -> Vec<AskRecord> as AskHistoryArgs;
    /// A blueprint (the file, or the document in the editor) in plain words, step by step: by the
    /// default model when one is chosen (only steps naming its own nodes kept), else by Floe.
    awaited explain(path: String, document: Option<String>, offline: Option<bool>) -> ExplainAnswer as ExplainArgs;
}
