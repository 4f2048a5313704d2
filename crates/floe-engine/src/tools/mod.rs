//! Built-in tools, one file each. A tool gets its rendered args and the node context and returns
//! its outputs; file tools are confined to the run's workspace folder.

mod csv_read;
mod csv_write;
mod files;
mod http_request;
mod json_query;
mod list_files;
mod regex_extract;
mod sleep;
mod text_split;
mod text_template;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::exec::{NodeCtx, NodeError};
use crate::template::Outputs;

pub use files::confine;

/// Calls built-in tool `name`.
pub async fn call(name: &str, args: &Value, ctx: &NodeCtx) -> Result<Outputs, NodeError> {
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
        "text_template" => text_template::run(parse(args)?, ctx),
        "write_file" => files::write(parse(args)?, ctx).await,
        other => Err(NodeError::tool(format!("there is no built-in tool `{other}`; run `floe catalog` for the list"))),
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
