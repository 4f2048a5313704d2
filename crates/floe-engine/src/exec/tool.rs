//! `tool` nodes: render the args' templates, then call the built-in tool by name.

use futures::future::BoxFuture;
use serde_json::{Value, json};

use super::{Executor, NodeCtx, NodeError};
use crate::run::RuntimeNode;
use crate::template::{Outputs, render_value};

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
            let raw = ctx.config().get("args").cloned().unwrap_or_else(|| json!({}));
            // `text_template` renders its template itself: its output is text, whatever the
            // template evaluates to.
            let args = if tool == "text_template" { raw } else { render_value(&raw, &ctx.context, "/config/args")? };
            crate::tools::call(&tool, args, &ctx).await
        })
    }

    fn pool(&self, node: &RuntimeNode) -> Option<String> {
        Some(format!("tool:{}", tool_name(node)))
    }
}
