//! `condition` nodes: evaluate the expression (or each case in order) and put the input on the
//! one port taken; the ports left out are not taken, so their edges settle as skipped.

use floe_blueprint::catalog::kinds::condition::ConditionConfig;
use futures::future::BoxFuture;

use super::{Executor, NodeCtx, NodeError, config_as, output};
use crate::template::{Outputs, eval, truthy};

/// Executes `condition` nodes.
#[derive(Debug, Clone, Copy)]
pub struct ConditionExecutor;

impl Executor for ConditionExecutor {
    fn execute(&self, ctx: NodeCtx) -> BoxFuture<'static, Result<Outputs, NodeError>> {
        Box::pin(std::future::ready(route(&ctx)))
    }
}

fn route(ctx: &NodeCtx) -> Result<Outputs, NodeError> {
    let config: ConditionConfig = config_as(&ctx.node.config)?;
    let value = ctx.input("in");
    if let Some(expression) = &config.expression {
        let holds = truthy(&eval(expression, &ctx.context, "/config/expression")?);
        return Ok(output(if holds { "true" } else { "false" }, value));
    }
    for (i, case) in config.cases.iter().enumerate() {
        if truthy(&eval(&case.when, &ctx.context, &format!("/config/cases/{i}/when"))?) {
            return Ok(output(&case.name, value));
        }
    }
    Ok(output("default", value))
}
