//! `tool` nodes: render the args' templates (unless the tool takes them raw), then call the tool
//! by name through the run's toolbox, whichever source offers it. A node of a built-in pure tool
//! whose args say the same on every execution is prepared once per plan instead
//! ([`Executor::prepare`]): its args read and its filter compiled, it calls the tool directly.

use std::sync::Arc;

use futures::future::BoxFuture;
use serde_json::{Value, json};

use super::{Executor, NodeCtx, NodeError};
use crate::template::{Outputs, is_template, render_value};
use crate::tools::{PreparedCall, Toolbox};
use floe_compiler::PlanNode;

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

fn tool_name(node: &PlanNode) -> &str {
    node.config.get("tool").and_then(Value::as_str).unwrap_or_default()
}

impl Executor for ToolExecutor {
    fn execute(&self, ctx: NodeCtx) -> BoxFuture<'static, Result<Outputs, NodeError>> {
        Box::pin(async move {
            let tool = tool_name(&ctx.node).to_owned();
            let empty = json!({});
            let raw = ctx.config().get("args").unwrap_or(&empty);
            let tools = ctx.run.tools();
            let resolved = tools.tool(&tool)?;
            // A tool that renders its args itself (`text_template`: its output is text, whatever
            // the template evaluates to) gets them as written; so do args without templates.
            if resolved.raw_args || !has_template(raw) {
                return tools.call_resolved(resolved, &tool, raw, &ctx).await;
            }
            let rendered = render_value(raw, &ctx.context, "/config/args")?;
            tools.call_resolved(resolved, &tool, &rendered, &ctx).await
        })
    }

    fn pool(&self, node: &PlanNode) -> Option<String> {
        Some(format!("tool:{}", tool_name(node)))
    }

    fn prepare(&self, node: &PlanNode, _vars: &[&'static str]) -> Option<Arc<dyn Executor>> {
        let name = tool_name(node);
        let args = node.config.get("args")?;
        // Built-in tools are in every toolbox under their own names (no other source may take
        // one), so the call can be resolved now. Args with templates differ per execution.
        let tool = Toolbox::builtin().tool(name).ok()?;
        if !tool.raw_args && has_template(args) {
            return None;
        }
        let call = PreparedCall::new(name, args)?;
        Some(Arc::new(PreparedTool { call: Arc::new(call) }))
    }
}

/// A `tool` node whose call was read once per plan ([`PreparedCall`]).
struct PreparedTool {
    call: Arc<PreparedCall>,
}

impl Executor for PreparedTool {
    fn execute(&self, ctx: NodeCtx) -> BoxFuture<'static, Result<Outputs, NodeError>> {
        let call = Arc::clone(&self.call);
        Box::pin(async move { call.call(&ctx) })
    }

    fn pool(&self, node: &PlanNode) -> Option<String> {
        ToolExecutor.pool(node)
    }
}
