//! `workflow` nodes: run another blueprint as one step. Its inputs are the node's input ports
//! (or, when not connected, the rendered `inputs` of its config); its outputs are the child
//! run's outputs. The child is a run of its own, linked to the parent, with an id derived from
//! the parent run and the node path so a resumed parent resumes the same child.

use floe_blueprint::ErrorClass;
use futures::future::BoxFuture;
use serde_json::{Map, Value};

use super::{Executor, NodeCtx, NodeError};
use crate::events::RunStatus;
use crate::template::{Outputs, render_value};

/// Executes `workflow` nodes.
#[derive(Debug, Clone, Copy)]
pub struct WorkflowExecutor;

impl Executor for WorkflowExecutor {
    fn execute(&self, ctx: NodeCtx) -> BoxFuture<'static, Result<Outputs, NodeError>> {
        Box::pin(async move {
            let key = ctx.node.workflow.clone().ok_or_else(|| {
                NodeError::new(ErrorClass::BadRequest, "the sub-workflow was not resolved when the blueprint compiled")
            })?;
            let mut inputs = match ctx.config().get("inputs") {
                Some(given) => match render_value(given, &ctx.context, "/config/inputs")? {
                    Value::Object(map) => map,
                    _ => Map::new(),
                },
                None => Map::new(),
            };
            for (port, value) in ctx.context.inputs.iter() {
                if port != "in" {
                    inputs.insert(port.clone(), value.clone());
                }
            }
            let child =
                ctx.run.run_child(&ctx.path, &key, inputs).await.map_err(|e| NodeError::new(ErrorClass::Tool, e))?;
            match child.status {
                RunStatus::Succeeded => Ok(child.outputs),
                _ => Err(NodeError::new(
                    ErrorClass::Tool,
                    format!(
                        "sub-workflow run {} {}: {}; see `floe runs show {}`",
                        child.run_id,
                        child.status.as_str(),
                        child.error.as_deref().unwrap_or("no error recorded"),
                        child.run_id
                    ),
                )),
            }
        })
    }
}
