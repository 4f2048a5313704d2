//! `approval` nodes: announce that the run waits, ask the run's approvals (durable with a store),
//! and route the value to `approved` or `rejected`; a timeout follows `on_timeout`.

use floe_blueprint::ErrorClass;
use floe_blueprint::catalog::kinds::approval::{ApprovalConfig, TimeoutAction};
use futures::future::BoxFuture;
use serde_json::{Value, json};

use super::{Executor, NodeCtx, NodeError, config_as, output};
use crate::approvals::{ApprovalRequest, Decision};
use crate::events::RunEvent;
use crate::template::{Outputs, render_str};

/// Executes `approval` nodes.
#[derive(Debug, Clone, Copy)]
pub struct ApprovalExecutor;

impl Executor for ApprovalExecutor {
    fn execute(&self, ctx: NodeCtx) -> BoxFuture<'static, Result<Outputs, NodeError>> {
        Box::pin(async move {
            let config: ApprovalConfig = config_as(&ctx.node.config)?;
            let prompt = match render_str(&config.message, &ctx.context, "/config/message")? {
                Value::String(text) => text,
                other => other.to_string(),
            };
            let timeout =
                match &config.timeout {
                    Some(text) => Some(floe_blueprint::policy::parse_duration(text).map_err(|e| {
                        NodeError::new(ErrorClass::BadRequest, format!("`/config/timeout` {text:?}: {e}"))
                    })?),
                    None => None,
                };
            let value = ctx.input("in");
            let request = ApprovalRequest {
                run: ctx.run.run_id().to_owned(),
                node: ctx.path.to_string(),
                prompt: prompt.clone(),
                value: value.clone(),
                allow_edit: config.allow_edit.unwrap_or(true),
                timeout,
                tool: None,
            };
            let unrecorded = |e: String| NodeError::tool(format!("the approval could not be recorded: {e}"));
            ctx.run.approvals().record(&request).await.map_err(unrecorded)?;
            ctx.run.emit(RunEvent::NodeWaiting { node: ctx.path.clone(), prompt });
            let decision = ctx.run.approvals().wait(&request).await.map_err(unrecorded)?;
            match decision {
                Decision::Approved { value, .. } => Ok(output("approved", value)),
                Decision::Rejected { comment } => Ok(output("rejected", json!({"value": value, "comment": comment}))),
                Decision::TimedOut => match config.on_timeout.unwrap_or(TimeoutAction::Fail) {
                    TimeoutAction::Approve => Ok(output("approved", value)),
                    TimeoutAction::Reject => {
                        Ok(output("rejected", json!({"value": value, "comment": "no answer before the timeout"})))
                    }
                    TimeoutAction::Fail => Err(NodeError::new(
                        ErrorClass::Timeout,
                        format!(
                            "nobody answered within {}; set `on_timeout` to approve or reject instead of failing",
                            config.timeout.as_deref().unwrap_or("the timeout")
                        ),
                    )),
                },
            }
        })
    }
}
