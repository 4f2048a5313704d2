//! Tools and where they come from. A [`ToolSource`] lists its tools (described as
//! [`ToolInfo`]s: args schema, output ports, effect) and calls them; a [`Toolbox`] gathers the
//! sources of a process into one catalogue for the compiler, the palette and the inspector, and
//! routes each call to its source. The built-in tools (one file each here; file tools confined
//! to the run's workspace folder) are one source, [`Builtin`]; memory and MCP servers are others,
//! and none of them needs the compiler or the scheduler to know it exists.

mod csv_read;
mod csv_write;
mod files;
pub mod floe;
mod http_request;
mod json_query;
mod list_files;
pub mod mcp;
mod memory;
mod regex_extract;
mod sleep;
mod text_split;
mod text_template;

use std::sync::{Arc, OnceLock};

use floe_blueprint::Catalog;
use floe_blueprint::catalog::{BUILTIN, ToolInfo};
use futures::future::BoxFuture;
use rustc_hash::FxHashMap;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::exec::{NodeCtx, NodeError};
use crate::template::Outputs;

pub use files::confine;
pub use memory::{MEMORY, MemoryTools, catalog as catalog_with_memory, embed as embed_for_memory};

/// The catalogue blueprints are checked against where no run is made (`floe validate`): the
/// built-in tools, the memory tools, and the MCP servers' tools as last listed (no server is
/// started). Read once per process.
pub fn offline_catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let settings = floe_llm::Settings::default_path()
            .and_then(|path| floe_llm::Settings::load(&path).ok())
            .unwrap_or_default();
        let servers = mcp::default_cache().map(|cache| mcp::cached(&settings.mcp_servers, &cache)).unwrap_or_default();
        let mut tools = memory::infos();
        tools.extend(floe::infos());
        for server in &servers {
            tools.extend(server.tools().into_iter().map(|mut t| {
                t.source = server.name().to_owned();
                t
            }));
        }
        Catalog::builtin().with_tools(tools).unwrap_or_else(|_| catalog_with_memory().clone())
    })
}

/// A tool's args type as the JSON Schema its `ToolInfo` carries.
pub(crate) fn args_schema<T: schemars::JsonSchema>() -> Value {
    serde_json::to_value(schemars::schema_for!(T)).unwrap_or(Value::Null)
}

/// Where tools come from: it lists them and calls them.
pub trait ToolSource: Send + Sync {
    /// Its name (`builtin`, `memory`, `mcp:<server>`), which each of its tools carries.
    fn name(&self) -> &str;

    /// Its tools, described (names unique among every source of a toolbox).
    fn tools(&self) -> Vec<ToolInfo>;

    /// Calls `tool` (one of its own) with `args`, rendered unless the tool takes them raw.
    fn call<'a>(
        &'a self,
        tool: &'a str,
        args: &'a Value,
        ctx: &'a NodeCtx,
    ) -> BoxFuture<'a, Result<Outputs, NodeError>>;
}

/// The built-in tools.
#[derive(Debug, Clone, Copy, Default)]
pub struct Builtin;

impl ToolSource for Builtin {
    fn name(&self) -> &str {
        BUILTIN
    }

    fn tools(&self) -> Vec<ToolInfo> {
        Catalog::builtin().tools().iter().filter(|t| t.source == BUILTIN).cloned().collect()
    }

    fn call<'a>(
        &'a self,
        tool: &'a str,
        args: &'a Value,
        ctx: &'a NodeCtx,
    ) -> BoxFuture<'a, Result<Outputs, NodeError>> {
        Box::pin(call(tool, args, ctx))
    }
}

/// The tool sources of a process and the catalogue they make together.
pub struct Toolbox {
    catalog: Catalog,
    sources: Vec<Arc<dyn ToolSource>>,
    /// Tool name → its source (index into `sources`) and whether it takes its args raw. Looked
    /// up once per tool node attempt, so a fast hash (the names are the sources' own).
    by_name: FxHashMap<String, Tool>,
    /// The store its memory tools work on, which also keeps `llm` and `agent` threads.
    memory: Option<crate::store::Store>,
}

/// A tool of a toolbox, resolved: which source calls it, and whether it takes its args raw.
#[derive(Debug, Clone, Copy)]
pub struct Tool {
    source: usize,
    /// Its args are handed over as written, templates unrendered (it renders them itself).
    pub raw_args: bool,
}

impl std::fmt::Debug for Toolbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.sources.iter().map(|s| s.name()).collect();
        f.debug_struct("Toolbox").field("sources", &names).finish_non_exhaustive()
    }
}

impl Toolbox {
    /// The built-in tools only (shared).
    pub fn builtin() -> Arc<Toolbox> {
        static BUILTIN_TOOLS: OnceLock<Arc<Toolbox>> = OnceLock::new();
        BUILTIN_TOOLS
            .get_or_init(|| {
                let by_name =
                    Builtin.tools().into_iter().map(|t| (t.name, Tool { source: 0, raw_args: t.raw_args })).collect();
                Arc::new(Toolbox {
                    catalog: Catalog::builtin().clone(),
                    sources: vec![Arc::new(Builtin)],
                    by_name,
                    memory: None,
                })
            })
            .clone()
    }

    /// The built-in tools, the memory tools over `store` and Floe's own (`floe_validate`,
    /// `floe_run`): what a process that runs blueprints against a store offers them, before its
    /// MCP servers join ([`Toolbox::for_process`]).
    pub fn with_memory(store: &crate::store::Store) -> Arc<Toolbox> {
        match Toolbox::with_sources(vec![Arc::new(MemoryTools::new(store.clone())), Arc::new(floe::FloeTools)]) {
            Ok(toolbox) => Arc::new(Toolbox { memory: Some(store.clone()), ..toolbox }),
            // The memory tools' names are their own; a clash is a bug caught by the tests.
            Err(_) => Toolbox::builtin(),
        }
    }

    /// What a process that runs blueprints offers them: the built-in tools, the memory tools
    /// over `store`, and the tools of the MCP servers in the settings (`mcp_servers`). With
    /// `lazily`, a server whose tools are cached is started only at its first call (a single
    /// run); without, every server is connected now (the app, which shows their state), and one
    /// that is down keeps the tools it listed last time. Answers with what went wrong with the
    /// servers, in words, beside the toolbox.
    pub async fn for_process(
        store: &crate::store::Store,
        settings: &floe_llm::Settings,
        lazily: bool,
    ) -> (Arc<Toolbox>, Vec<String>) {
        let mut sources: Vec<Arc<dyn ToolSource>> =
            vec![Arc::new(MemoryTools::new(store.clone())), Arc::new(floe::FloeTools)];
        let mut problems = Vec::new();
        if !settings.mcp_servers.is_empty() {
            match mcp::default_cache() {
                Some(cache) => {
                    let (servers, said) = if lazily {
                        mcp::open_lazily(&settings.mcp_servers, &cache).await
                    } else {
                        mcp::open_all(&settings.mcp_servers, &cache).await
                    };
                    sources.extend(servers);
                    problems.extend(said);
                }
                None => problems.push(
                    "MCP servers are configured, but this user has no config folder to cache their tools in".into(),
                ),
            }
        }
        match Toolbox::with_sources(sources) {
            Ok(toolbox) => (Arc::new(Toolbox { memory: Some(store.clone()), ..toolbox }), problems),
            Err(clash) => {
                problems.push(format!("the MCP servers' tools were left out: {clash}"));
                (Toolbox::with_memory(store), problems)
            }
        }
    }

    /// The store behind its memory tools, when it has them: where `llm` and `agent` nodes keep
    /// their threads.
    pub fn memory_store(&self) -> Option<&crate::store::Store> {
        self.memory.as_ref()
    }

    /// The built-in tools and those of `sources`; a name two sources share is refused.
    pub fn with_sources(sources: Vec<Arc<dyn ToolSource>>) -> Result<Toolbox, String> {
        let mut all: Vec<Arc<dyn ToolSource>> = vec![Arc::new(Builtin)];
        all.extend(sources);
        let mut by_name = FxHashMap::default();
        let mut extra = Vec::new();
        for (index, source) in all.iter().enumerate() {
            for mut tool in source.tools() {
                tool.source = source.name().to_owned();
                by_name.insert(tool.name.clone(), Tool { source: index, raw_args: tool.raw_args });
                if index > 0 {
                    extra.push(tool);
                }
            }
        }
        let catalog = Catalog::builtin().with_tools(extra)?;
        Ok(Toolbox { catalog, sources: all, by_name, memory: None })
    }

    /// Every kind and every tool of every source, for the compiler and the UI.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Tool `name`, resolved to its source.
    pub fn tool(&self, name: &str) -> Result<Tool, NodeError> {
        self.by_name
            .get(name)
            .copied()
            .ok_or_else(|| NodeError::tool(format!("there is no tool `{name}`; run `floe catalog` for the list")))
    }

    /// Calls tool `name` through its source.
    pub async fn call(&self, name: &str, args: &Value, ctx: &NodeCtx) -> Result<Outputs, NodeError> {
        self.call_resolved(self.tool(name)?, name, args, ctx).await
    }

    /// Calls `tool` (resolved from `name`) through its source; the built-in tools directly: they
    /// are the common case on the hot path, and need no boxed future.
    pub async fn call_resolved(
        &self,
        tool: Tool,
        name: &str,
        args: &Value,
        ctx: &NodeCtx,
    ) -> Result<Outputs, NodeError> {
        match tool.source {
            0 => call(name, args, ctx).await,
            source => self.sources[source].call(name, args, ctx).await,
        }
    }
}

/// Calls built-in tool `name`.
async fn call(name: &str, args: &Value, ctx: &NodeCtx) -> Result<Outputs, NodeError> {
    match name {
        "csv_read" => csv_read::run(parse(args)?, ctx).await,
        "csv_write" => csv_write::run(parse(args)?, ctx).await,
        "http_request" => http_request::run(parse(args)?, ctx).await,
        "json_query" => json_query::run(parse(args)?, ctx),
        "list_files" => list_files::run(parse(args)?, ctx).await,
        "read_file" => files::read(parse(args)?, ctx).await,
        "regex_extract" => regex_extract::run(parse(args)?, ctx),
        "sleep" => sleep::run(parse(args)?, ctx).await,
        "text_split" => text_split::run(parse(args)?, ctx),
        "text_template" => text_template::render(&parse(args)?, ctx),
        "write_file" => files::write(parse(args)?, ctx).await,
        other => Err(NodeError::tool(format!("there is no built-in tool `{other}`; run `floe catalog` for the list"))),
    }
}

/// A call of a built-in pure tool, read once per plan: its args hold no template (or the tool
/// renders its own), so they say the same on every execution, and what compiles from them (a jq
/// filter) is compiled once. Only the tools that run inline are prepared; the others wait on
/// files or the network, beside which reading their args is nothing.
pub(crate) enum PreparedCall {
    JsonQuery(json_query::Prepared),
    TextTemplate(floe_blueprint::catalog::tools::text_template::TextTemplateArgs),
}

impl PreparedCall {
    /// The call of built-in tool `name` with `args`, as written; `None` when the tool is not
    /// prepared, or its args or filter are wrong (an execution reports that, as it would have).
    pub(crate) fn new(name: &str, args: &Value) -> Option<PreparedCall> {
        match name {
            "json_query" => json_query::Prepared::new(parse(args).ok()?).ok().map(PreparedCall::JsonQuery),
            "text_template" => parse(args).ok().map(PreparedCall::TextTemplate),
            _ => None,
        }
    }

    /// Runs the call for one execution.
    pub(crate) fn call(&self, ctx: &NodeCtx) -> Result<Outputs, NodeError> {
        match self {
            PreparedCall::JsonQuery(prepared) => prepared.run(ctx),
            PreparedCall::TextTemplate(args) => text_template::render(args, ctx),
        }
    }
}

/// Reads rendered args into the tool's args type (the same type the compiler validated).
fn parse<T: DeserializeOwned>(args: &Value) -> Result<T, NodeError> {
    // The plain read is the common case; only a failure pays for tracking the failing path.
    if let Ok(parsed) = T::deserialize(args) {
        return Ok(parsed);
    }
    serde_path_to_error::deserialize(args).map_err(|e| {
        let at = e.path().to_string();
        NodeError::new(
            floe_blueprint::ErrorClass::BadRequest,
            format!("`/config/args/{}`: {} (after rendering its template)", at.replace('.', "/"), e.inner()),
        )
    })
}

/// A text arg that defaults to the `in` port, as text.
fn text_or_input(text: Option<String>, ctx: &NodeCtx) -> Result<String, NodeError> {
    match text {
        Some(text) => Ok(text),
        None => match ctx.input("in") {
            Value::String(text) => Ok(text),
            Value::Null => Err(NodeError::tool("no text: connect the `in` port or set `text`")),
            other => Ok(other.to_string()),
        },
    }
}
