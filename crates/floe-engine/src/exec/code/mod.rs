//! `code` nodes: JavaScript in an embedded QuickJS sandbox (rquickjs). The script gets `inputs`,
//! `run` and, inside a container body, its variables, and nothing else: no file system, network,
//! timers, modules or `eval`. Each execution has a memory limit, a stack limit, and a time limit
//! enforced by an interrupt handler that also stops it when the run is cancelled; each limit has
//! its own clear error.
//!
//! The script is prepared once per plan ([`script`]: shared by content across plans) and
//! compiled once per sandbox; sandboxes are made once per thread and reused, each execution
//! starting from clean global state ([`sandbox`]). A script runs inline on the scheduler's
//! thread, the cheap path for the small scripts most nodes have, for at most
//! [`INLINE_BUDGET`]; one still running then is stopped and run again on the blocking pool, where
//! it and every later execution of it may take its whole time limit without holding up the
//! scheduler.

mod sandbox;
mod script;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use floe_blueprint::ErrorClass;
use floe_blueprint::catalog::kinds::code::CodeConfig;
use floe_compiler::PlanNode;
use futures::future::BoxFuture;
use serde_json::{Map, Value};

use super::{Executor, NodeCtx, NodeError, config_as};
use crate::template::Outputs;
use sandbox::{Execution, Limits, Outcome};
use script::Script;

/// How long a script may run on the scheduler's thread before it moves to the blocking pool.
pub const INLINE_BUDGET: Duration = Duration::from_millis(1);

/// Executes `code` nodes; prepared per node ([`Executor::prepare`]), it compiles nothing per
/// execution.
#[derive(Debug, Clone, Copy)]
pub struct CodeExecutor;

impl Executor for CodeExecutor {
    fn execute(&self, ctx: NodeCtx) -> BoxFuture<'static, Result<Outputs, NodeError>> {
        // Not prepared (an embedder calling it directly): prepare for this one execution.
        let vars: Vec<&'static str> = ctx.context.vars.iter().map(|(name, _)| *name).collect();
        PreparedCode::new(&ctx.node, &vars).execute(ctx)
    }

    fn pool(&self, _: &PlanNode) -> Option<String> {
        Some("code".into())
    }

    fn prepare(&self, node: &PlanNode, vars: &[&'static str]) -> Option<Arc<dyn Executor>> {
        Some(Arc::new(PreparedCode::new(node, vars)))
    }
}

/// A `code` node's script and limits, ready to run.
#[derive(Debug)]
struct PreparedCode {
    prepared: Result<(Arc<Script>, Limits), NodeError>,
}

impl PreparedCode {
    fn new(node: &PlanNode, vars: &[&'static str]) -> PreparedCode {
        let prepared = config_as::<CodeConfig>(node.config.as_ref()).and_then(|config| {
            let timeout = match &config.timeout {
                Some(text) => floe_blueprint::policy::parse_duration(text)
                    .map_err(|e| NodeError::new(ErrorClass::BadRequest, format!("`/config/timeout` {text:?}: {e}")))?,
                None => Duration::from_secs(5),
            };
            let limits = Limits { timeout, memory_mb: config.memory_mb.unwrap_or(64) };
            Ok((Script::prepare(&config.source, vars), limits))
        });
        PreparedCode { prepared }
    }
}

impl Executor for PreparedCode {
    fn execute(&self, ctx: NodeCtx) -> BoxFuture<'static, Result<Outputs, NodeError>> {
        let prepared = self.prepared.clone();
        Box::pin(async move {
            let (script, limits) = prepared?;
            let args = arguments(&script, &ctx)?;
            let started = Instant::now();
            let inline = Execution {
                script: &script,
                args: &args,
                limits,
                started,
                budget: Some(INLINE_BUDGET),
                cancel: &ctx.cancel,
            };
            let outcome = match script.slow.load(Ordering::Relaxed) {
                false => sandbox::execute(&inline),
                true => Outcome::OverBudget,
            };
            let result = match outcome {
                Outcome::Done(result) => result,
                Outcome::OverBudget => {
                    // From now on this script starts where it may take its time.
                    script.slow.store(true, Ordering::Relaxed);
                    let cancel = ctx.cancel.clone();
                    let moved = tokio::task::spawn_blocking(move || {
                        let run =
                            Execution { script: &script, args: &args, limits, started, budget: None, cancel: &cancel };
                        match sandbox::execute(&run) {
                            Outcome::Done(result) => result,
                            Outcome::OverBudget => Err(NodeError::new(ErrorClass::Sandbox, "the script was stopped")),
                        }
                    });
                    moved.await.map_err(|e| NodeError::new(ErrorClass::Sandbox, format!("the sandbox crashed: {e}")))?
                }
            }?;
            let value = match result {
                None => Value::Null,
                Some(text) => serde_json::from_str(&text).map_err(|e| {
                    NodeError::new(ErrorClass::InvalidOutput, format!("the script's result is not JSON: {e}"))
                })?,
            };
            Ok(split_outputs(&ctx, value))
        })
    }

    fn pool(&self, _: &PlanNode) -> Option<String> {
        Some("code".into())
    }
}

/// The script's arguments as JSON texts, in the order of its parameters.
fn arguments(script: &Script, ctx: &NodeCtx) -> Result<Vec<String>, NodeError> {
    let text = |value: Result<String, serde_json::Error>, name: &str| {
        value.map_err(|e| NodeError::new(ErrorClass::Sandbox, format!("`{name}` could not be passed in: {e}")))
    };
    script
        .params
        .iter()
        .map(|&name| match name {
            "inputs" => text(serde_json::to_string(ctx.context.inputs.as_ref()), name),
            "run" => text(serde_json::to_string(ctx.context.run.as_ref()), name),
            var => {
                let value = ctx.context.vars.iter().find(|(v, _)| *v == var).map(|(_, value)| value);
                text(serde_json::to_string(value.unwrap_or(&Value::Null)), name)
            }
        })
        .collect()
}

/// A returned object is split over declared output ports; `result` always has the whole value.
fn split_outputs(ctx: &NodeCtx, result: Value) -> Outputs {
    let mut outputs = Map::new();
    if let Value::Object(object) = &result {
        for port in ctx.node.ports.outputs.iter().filter(|p| p.name != "result" && p.name != "error") {
            outputs.insert(port.name.to_string(), object.get(port.name.as_ref()).cloned().unwrap_or(Value::Null));
        }
    }
    outputs.insert("result".into(), result);
    outputs
}
