//! `tool` nodes: render the args' templates, then call the built-in tool by name.

use futures::future::BoxFuture;
use serde_json::{Value, json};

use super::{Executor, NodeCtx, NodeError};
use crate::run::RuntimeNode;
use crate::template::{Outputs, is_template, render_value};

/// Whether any string in `value` is a template.
fn has_template(value: &Value) -> bool {
    match value {
        Value::String(text) => is_template(text),
        Value::Array(items) => items.iter().any(has_template),
        Value::Object(map) => map.values().any(has_template),
        _ => false,
    }
}

/// Executes `tool` nodes.
#[derive(Debug, Clone, Copy)]
pub struct ToolExecutor;

fn tool_name(node: &RuntimeNode) -> &str {
    node.plan.config.get("tool").and_then(Value::as_str).unwrap_or_default()
}

impl Executor for ToolExecutor {
    fn execute(&self, ctx: NodeCtx) -> BoxFuture<'static, Result<Outputs, NodeError>> {
        Box::pin(async move {
            let tool = tool_name(&ctx.node).to_owned();
            let empty = json!({});
            let raw = ctx.config().get("args").unwrap_or(&empty);
            // `text_template` renders its template itself: its output is text, whatever the
            // template evaluates to. Args without templates are used as they are.
            if tool == "text_template" || !has_template(raw) {
                return crate::tools::call(&tool, raw, &ctx).await;
            }
            let rendered = render_value(raw, &ctx.context, "/config/args")?;
            crate::tools::call(&tool, &rendered, &ctx).await
        })
    }

    fn pool(&self, node: &RuntimeNode) -> Option<String> {
        Some(format!("tool:{}", tool_name(node)))
    }
}
