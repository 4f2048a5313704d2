//! MCP servers as tool sources: each server configured in the settings (`mcp_servers`: a command
//! spoken to over stdio, or a streamable HTTP URL) is one [`ToolSource`], its tools named
//! `<server>.<tool>`. Their schemas are kept in a cache file, so blueprints that call them compile
//! while the server is down (a call then fails with an error naming the server). A tool the server
//! marks read-only is a `read` effect; any other is a `write`, so a resumed run never calls it
//! again once its result is journaled. Each call carries the node call's idempotency key in its
//! `_meta` (`floe/idempotency_key`), for servers that can use it.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use floe_blueprint::catalog::{PortDef, ToolEffect, ToolInfo};
use floe_blueprint::{Effect, ErrorClass, ValueType};
use floe_llm::McpServerSettings;
use futures::future::BoxFuture;
use rmcp::model::{CallToolRequestParams, Meta, Tool};
use rmcp::service::{Peer, RoleClient, RunningService, ServiceExt};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::ToolSource;
use crate::exec::{NodeCtx, NodeError};
use crate::template::Outputs;

/// How long a call may take when the server's settings do not say.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// How long connecting and listing may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);

/// One MCP server's tools.
pub struct McpSource {
    server: String,
    source: String,
    settings: McpServerSettings,
    timeout: Duration,
    tools: Vec<Tool>,
    session: tokio::sync::Mutex<Option<RunningService<RoleClient, ()>>>,
}

impl std::fmt::Debug for McpSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("McpSource").field("server", &self.server).field("tools", &self.tools.len()).finish()
    }
}

/// The tool schemas last listed, per server, with the settings they were listed with.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Cache {
    servers: BTreeMap<String, Cached>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Cached {
    settings: McpServerSettings,
    tools: Vec<Tool>,
}

fn read_cache(path: &Path) -> Cache {
    std::fs::read(path).ok().and_then(|bytes| serde_json::from_slice(&bytes).ok()).unwrap_or_default()
}

fn write_cache(path: &Path, cache: &Cache) {
    let Ok(text) = serde_json::to_vec_pretty(cache) else { return };
    if let Some(folder) = path.parent() {
        let _ = std::fs::create_dir_all(folder);
    }
    // Written whole, then renamed over the old one.
    let temporary = path.with_extension("json.tmp");
    if std::fs::write(&temporary, text).is_ok() {
        let _ = std::fs::rename(&temporary, path);
    }
}

/// Connects to a server as its settings say.
async fn connect(server: &str, settings: &McpServerSettings) -> Result<RunningService<RoleClient, ()>, String> {
    let started = async {
        if let Some(command) = &settings.command {
            let mut process = tokio::process::Command::new(command);
            process.args(&settings.args).envs(&settings.env);
            let (transport, _) = rmcp::transport::TokioChildProcess::builder(process)
                .stderr(std::process::Stdio::null())
                .spawn()
                .map_err(|e| format!("cannot start `{command}`: {e}"))?;
            ().serve(transport).await.map_err(|e| format!("`{command}` did not start an MCP session: {e}"))
        } else if let Some(url) = &settings.url {
            let mut config =
                rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig::with_uri(url.as_str());
            for (name, value) in &settings.headers {
                if name.eq_ignore_ascii_case("authorization") {
                    config.auth_header = Some(value.strip_prefix("Bearer ").unwrap_or(value).to_owned());
                    continue;
                }
                let name = reqwest::header::HeaderName::from_bytes(name.as_bytes())
                    .map_err(|_| format!("header `{name}` is not a valid HTTP header name"))?;
                let value = reqwest::header::HeaderValue::from_str(value)
                    .map_err(|_| format!("the value of header `{name}` is not valid in HTTP"))?;
                config.custom_headers.insert(name, value);
            }
            let transport = rmcp::transport::StreamableHttpClientTransport::from_config(config);
            ().serve(transport).await.map_err(|e| format!("{url} did not start an MCP session: {e}"))
        } else {
            Err("it has neither `command` (a program spoken to over stdio) nor `url` (streamable HTTP)".into())
        }
    };
    tokio::time::timeout(CONNECT_TIMEOUT, started)
        .await
        .map_err(|_| format!("it did not answer within {}", humantime::format_duration(CONNECT_TIMEOUT)))?
        .map_err(|why| format!("MCP server `{server}`: {why}"))
}

impl McpSource {
    /// The server `server`: connected, its tools listed and cached in `cache`; when it cannot be
    /// reached, the tools cached from the last time (listed with the same settings), and the
    /// reason it could not be reached; with neither, the reason.
    pub async fn open(
        server: &str,
        settings: &McpServerSettings,
        cache: &Path,
    ) -> Result<(McpSource, Option<String>), String> {
        let timeout = match &settings.timeout {
            Some(text) => humantime::parse_duration(text).map_err(|e| {
                format!("MCP server `{server}`: `timeout` {text:?} is not a duration ({e}); write e.g. \"120s\"")
            })?,
            None => DEFAULT_TIMEOUT,
        };
        let source = |tools, session| McpSource {
            server: server.to_owned(),
            source: format!("mcp:{server}"),
            settings: settings.clone(),
            timeout,
            tools,
            session: tokio::sync::Mutex::new(session),
        };
        let listed = match connect(server, settings).await {
            Ok(session) => match tokio::time::timeout(CONNECT_TIMEOUT, session.peer().list_all_tools()).await {
                Ok(Ok(tools)) => Ok((tools, session)),
                Ok(Err(e)) => Err(format!("MCP server `{server}` did not list its tools: {e}")),
                Err(_) => Err(format!("MCP server `{server}` did not list its tools in time")),
            },
            Err(why) => Err(why),
        };
        let mut cached = read_cache(cache);
        match listed {
            Ok((tools, session)) => {
                cached.servers.insert(server.to_owned(), Cached { settings: settings.clone(), tools: tools.clone() });
                write_cache(cache, &cached);
                Ok((source(tools, Some(session)), None))
            }
            Err(why) => match cached.servers.remove(server).filter(|c| &c.settings == settings) {
                Some(kept) => Ok((source(kept.tools, None), Some(why))),
                None => Err(why),
            },
        }
    }

    /// The tool's name in Floe: `<server>__<tool>`.
    fn floe_name(&self, tool: &str) -> String {
        format!("{}__{tool}", self.server)
    }

    /// The session's peer, connecting again when there is none (or it ended).
    async fn peer(&self) -> Result<Peer<RoleClient>, String> {
        let mut session = self.session.lock().await;
        if session.as_ref().is_none_or(|s| s.is_transport_closed()) {
            *session = Some(connect(&self.server, &self.settings).await?);
        }
        session
            .as_ref()
            .map(|s| s.peer().clone())
            .ok_or_else(|| format!("MCP server `{}` is not connected", self.server))
    }

    async fn run(&self, tool: &str, args: &Value, ctx: &NodeCtx) -> Result<Outputs, NodeError> {
        let unreachable = |why: String| {
            NodeError::new(
                ErrorClass::Server,
                format!("{why}; check that it runs, or its entry `mcp_servers.{}` in the settings", self.server),
            )
        };
        let peer = self.peer().await.map_err(unreachable)?;
        let arguments = match args {
            Value::Object(map) => map.clone(),
            Value::Null => Map::new(),
            other => {
                return Err(NodeError::new(ErrorClass::BadRequest, format!("`args` must be an object, not {other}")));
            }
        };
        let mut request = CallToolRequestParams::new(tool.to_owned()).with_arguments(arguments);
        let mut meta = Meta::new();
        meta.insert("floe/idempotency_key".into(), json!(ctx.idempotency_key()));
        request.meta = Some(meta);
        let answer = tokio::select! {
            answer = tokio::time::timeout(self.timeout, peer.call_tool(request)) => answer,
            () = ctx.cancel.cancelled() => return Err(NodeError::new(ErrorClass::Timeout, "cancelled during the MCP call")),
        };
        let result = answer
            .map_err(|_| {
                NodeError::new(
                    ErrorClass::Timeout,
                    format!(
                        "MCP server `{}`: `{tool}` took longer than {}; raise `timeout` in its settings",
                        self.server,
                        humantime::format_duration(self.timeout)
                    ),
                )
            })?
            .map_err(|e| unreachable(format!("MCP server `{}`: calling `{tool}` failed: {e}", self.server)))?;
        let text: Vec<String> =
            result.content.iter().filter_map(|c| c.as_text().map(|t| t.text.clone())).collect::<Vec<_>>();
        let text = text.join("\n");
        if result.is_error == Some(true) {
            return Err(NodeError::tool(format!("MCP server `{}`, tool `{tool}`: {text}", self.server)));
        }
        let value = result
            .structured_content
            .clone()
            .or_else(|| serde_json::from_str::<Value>(&text).ok())
            .unwrap_or_else(|| Value::String(text.clone()));
        let mut outputs = Outputs::new();
        outputs.insert("result".into(), value);
        outputs.insert("text".into(), Value::String(text));
        Ok(outputs)
    }
}

/// The args a new node starts with: each required argument at its default, else the plain
/// value of its type, so a node placed from the palette compiles before it is filled in.
fn example_of(schema: &rmcp::model::JsonObject) -> Value {
    let properties = schema.get("properties").and_then(Value::as_object);
    let required = schema.get("required").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    let mut example = Map::new();
    for name in required.iter().filter_map(Value::as_str) {
        let property = properties.and_then(|p| p.get(name));
        let value = match property.and_then(|p| p.get("default")) {
            Some(default) => default.clone(),
            None => match property.and_then(|p| p.get("type")).and_then(Value::as_str) {
                Some("number" | "integer") => json!(0),
                Some("boolean") => json!(false),
                Some("array") => json!([]),
                Some("object") => json!({}),
                _ => json!(""),
            },
        };
        example.insert(name.to_owned(), value);
    }
    Value::Object(example)
}

impl ToolSource for McpSource {
    fn name(&self) -> &str {
        &self.source
    }

    fn tools(&self) -> Vec<ToolInfo> {
        self.tools
            .iter()
            .map(|tool| {
                let description = tool.description.as_deref().unwrap_or_default().to_owned();
                let read_only = tool.annotations.as_ref().and_then(|a| a.read_only_hint) == Some(true);
                ToolInfo {
                    name: self.floe_name(&tool.name),
                    source: self.source.clone(),
                    title: tool.title.clone().unwrap_or_else(|| tool.name.to_string()),
                    summary: description.lines().next().unwrap_or_default().to_owned(),
                    docs: format!("{description}\n\nFrom the MCP server `{}`.", self.server),
                    args_schema: Value::Object((*tool.input_schema).clone()),
                    outputs: vec![
                        PortDef::new(
                            "result",
                            ValueType::Any,
                            "the tool's structured result (else its text, as JSON when it is)",
                        ),
                        PortDef::new("text", ValueType::String, "the text the tool answered"),
                    ],
                    effect: ToolEffect::Fixed(if read_only { Effect::Read } else { Effect::Write }),
                    raw_args: false,
                    example: example_of(&tool.input_schema),
                    compiled: Arc::default(),
                }
            })
            .collect()
    }

    fn call<'a>(
        &'a self,
        tool: &'a str,
        args: &'a Value,
        ctx: &'a NodeCtx,
    ) -> BoxFuture<'a, Result<Outputs, NodeError>> {
        // The catalogue's name is `<server>__<tool>`; the server knows the tool by its own.
        let own = tool.strip_prefix(&format!("{}__", self.server)).unwrap_or(tool).to_owned();
        Box::pin(async move { self.run(&own, args, ctx).await })
    }
}

/// The servers of `servers` with the tools cached for them (listed last time with the same
/// settings), without connecting: for checking blueprints offline (`floe validate`). A server
/// with nothing cached is left out. Calls connect when first made.
pub fn cached(servers: &BTreeMap<String, McpServerSettings>, cache: &Path) -> Vec<Arc<dyn ToolSource>> {
    let mut kept = read_cache(cache);
    servers
        .iter()
        .filter_map(|(name, settings)| {
            let cached = kept.servers.remove(name).filter(|c| &c.settings == settings)?;
            let timeout =
                settings.timeout.as_deref().and_then(|t| humantime::parse_duration(t).ok()).unwrap_or(DEFAULT_TIMEOUT);
            Some(Arc::new(McpSource {
                server: name.clone(),
                source: format!("mcp:{name}"),
                settings: settings.clone(),
                timeout,
                tools: cached.tools,
                session: tokio::sync::Mutex::new(None),
            }) as Arc<dyn ToolSource>)
        })
        .collect()
}

/// Every server of `servers`, without starting the ones whose tools are cached (they connect at
/// their first call); the others are opened as [`open_all`] does. What a single run needs: a
/// blueprint that calls no MCP tool starts no server.
pub async fn open_lazily(
    servers: &BTreeMap<String, McpServerSettings>,
    cache: &Path,
) -> (Vec<Arc<dyn ToolSource>>, Vec<String>) {
    let known = cached(servers, cache);
    let unknown: BTreeMap<String, McpServerSettings> = servers
        .iter()
        .filter(|(name, _)| !known.iter().any(|source| source.name() == format!("mcp:{name}")))
        .map(|(name, settings)| (name.clone(), settings.clone()))
        .collect();
    let (mut opened, problems) = open_all(&unknown, cache).await;
    opened.extend(known);
    (opened, problems)
}

/// Where the tool schemas of MCP servers are cached: beside the settings file.
pub fn default_cache() -> Option<std::path::PathBuf> {
    floe_llm::Settings::default_path().map(|settings| settings.with_file_name("mcp-tools.json"))
}

/// Every MCP server of `servers`, opened at once; a server that cannot be opened at all is left
/// out, and each problem (down, using cached schemas, misconfigured) is said in words.
pub async fn open_all(
    servers: &BTreeMap<String, McpServerSettings>,
    cache: &Path,
) -> (Vec<Arc<dyn ToolSource>>, Vec<String>) {
    let opened =
        futures::future::join_all(servers.iter().map(|(name, settings)| McpSource::open(name, settings, cache))).await;
    let mut sources: Vec<Arc<dyn ToolSource>> = Vec::new();
    let mut problems = Vec::new();
    for result in opened {
        match result {
            Ok((source, problem)) => {
                if let Some(why) = problem {
                    problems.push(format!("{why} (using the tools listed last time)"));
                }
                sources.push(Arc::new(source));
            }
            Err(why) => problems.push(why),
        }
    }
    (sources, problems)
}
