//! The `http_request` tool's catalogue entry.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::catalog::{Effect, PortDef, ToolSpec, schema_of};
use crate::document::ValueType;

const DOCS: &str = r#"Sends one HTTP request. GET and HEAD only read; any other method is an effect, recorded so
that resume and replay never send it twice.

- **Args**: `url` (required), `method` (default `GET`), `headers`, `query`, `body` (a string is sent
  as is; anything else as JSON), `timeout` (default `"30s"`).
- **Outputs**: `status` (integer), `headers` (object), `body` (parsed JSON when the response is
  JSON, else text).
- **Fails with**: `network`, `timeout`, `rate_limited` (429, with Retry-After), `server` (5xx),
  `auth` (401/403), `bad_request` (other 4xx)."#;

/// Arguments of `http_request`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HttpRequestArgs {
    /// Absolute http(s) URL.
    pub url: String,
    /// HTTP method (default GET).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<HttpMethod>,
    /// Request headers.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// Query parameters.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub query: BTreeMap<String, String>,
    /// Request body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// Time limit, e.g. `"30s"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-floe-picker" = "duration"))]
    pub timeout: Option<String>,
}

/// HTTP methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
#[allow(missing_docs)]
pub enum HttpMethod {
    Get,
    Head,
    Post,
    Put,
    Patch,
    Delete,
}

/// The `http_request` tool.
pub fn spec() -> ToolSpec {
    ToolSpec {
        name: "http_request",
        title: "HTTP request",
        summary: "Send an HTTP request and read the response",
        docs: DOCS,
        args_schema: schema_of::<HttpRequestArgs>,
        outputs: || {
            vec![
                PortDef::new("status", ValueType::Integer, "HTTP status code"),
                PortDef::new("headers", ValueType::Object, "response headers"),
                PortDef::new("body", ValueType::Any, "JSON when the response is JSON, else text"),
            ]
        },
        effect,
        max_effect: Effect::Write,
        raw_args: false,
        example: || json!({"method": "GET", "url": "https://example.com"}),
    }
}

fn effect(args: &Map<String, Value>) -> Effect {
    match args.get("method").and_then(Value::as_str).map(str::to_ascii_uppercase).as_deref() {
        None | Some("GET" | "HEAD") => Effect::Read,
        Some(_) => Effect::Write,
    }
}
