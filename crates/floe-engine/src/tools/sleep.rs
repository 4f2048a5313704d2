//! `sleep`: waits (cancellably), then passes `in` through. A zero duration passes through at once.

use floe_blueprint::catalog::tools::sleep::SleepArgs;

use crate::exec::{NodeCtx, NodeError, output};
use crate::template::Outputs;

pub(super) async fn run(args: SleepArgs, ctx: &NodeCtx) -> Result<Outputs, NodeError> {
    let duration = floe_blueprint::policy::parse_duration(&args.duration).map_err(|e| {
        NodeError::tool(format!("`duration` {:?}: {e}; write it like \"500ms\" or \"2s\"", args.duration))
    })?;
    if !duration.is_zero() {
        tokio::select! {
            () = tokio::time::sleep(duration) => {}
            () = ctx.cancel.cancelled() => return Err(NodeError::new(floe_blueprint::ErrorClass::Timeout, "cancelled while sleeping")),
        }
    }
    Ok(output("out", ctx.input("in")))
}
