//! Containers: `loop` (map a body over items), `parallel` (branches: all, first or a quorum) and
//! `recursive` (repeat a body, carrying state, until it converges). They are the scheduler's
//! own: they run their bodies as scopes of the same run, so they live here, not among the
//! executors (which know nothing of the scheduler). Each item or iteration runs
//! its body in a scope of its own, whose node paths carry the container path and the index
//! (`map/3/summarise`), so every iteration is visible and resumable on its own.

use std::collections::BTreeMap;
use std::sync::Arc;

use floe_blueprint::ErrorClass;
use floe_blueprint::RunFailurePolicy;
use floe_blueprint::catalog::kinds::loop_::{ItemErrorPolicy, LoopConfig};
use floe_blueprint::catalog::kinds::parallel::{ParallelConfig, ParallelMode};
use floe_blueprint::catalog::kinds::recursive::RecursiveConfig;
use futures::future::BoxFuture;
use futures::{StreamExt, stream};
use serde_json::{Map, Value, json};

use super::scope::{ScopeResult, ScopeRun};
use super::{RunEnv, RuntimeScope};
use crate::events::RunEvent;
use crate::exec::{NodeCtx, NodeError, config_as};
use crate::template::{Outputs, eval, truthy};

/// One attempt of a container: the node's context, its body and the run it belongs to.
pub(crate) struct Attempt {
    pub ctx: NodeCtx,
    pub body: Option<Arc<RuntimeScope>>,
    pub env: Arc<RunEnv>,
}

impl std::ops::Deref for Attempt {
    type Target = NodeCtx;

    fn deref(&self) -> &NodeCtx {
        &self.ctx
    }
}

/// Executes one kind of container.
pub(crate) trait Container: Send + Sync {
    /// Runs one attempt.
    fn execute(&self, ctx: Attempt) -> BoxFuture<'static, Result<Outputs, NodeError>>;
}

/// The container for each kind that has one.
pub(crate) fn container_for(kind: &str) -> Option<Arc<dyn Container>> {
    let container: Arc<dyn Container> = match kind {
        "loop" => Arc::new(LoopExecutor),
        "parallel" => Arc::new(ParallelExecutor),
        "recursive" => Arc::new(RecursiveExecutor),
        _ => return None,
    };
    Some(container)
}

/// A `node.port` reference inside a body, resolved to the node's index.
fn body_port(body: &RuntimeScope, reference: &str, field: &str) -> Result<(usize, String), NodeError> {
    let (node, port) = reference.split_once('.').unwrap_or((reference, ""));
    let index = body.ids.get(node).copied().ok_or_else(|| {
        NodeError::new(ErrorClass::BadRequest, format!("`{field}` names `{node}`, which is not in the body"))
    })?;
    Ok((index, port.to_owned()))
}

fn body_of(ctx: &Attempt) -> Result<Arc<RuntimeScope>, NodeError> {
    ctx.body.clone().ok_or_else(|| NodeError::new(ErrorClass::BadRequest, "the container has no body; add nodes to it"))
}

/// Runs one item or iteration of a body.
async fn run_body(
    ctx: &Attempt,
    body: &Arc<RuntimeScope>,
    index: u64,
    vars: Vec<(&'static str, Value)>,
) -> ScopeResult {
    let prefix = format!("{}/{index}/", ctx.path);
    let mut vars = vars;
    vars.push(("parent", Value::Object(ctx.context.inputs.as_ref().clone())));
    ScopeRun::new(body.clone(), ctx.env.clone(), prefix, vars, ctx.context.nodes.clone(), RunFailurePolicy::Halt)
        .run()
        .await
}

/// The value a body produced at `node.port`, or why there is none.
fn take(result: &ScopeResult, (node, port): &(usize, String), reference: &str) -> Result<Value, NodeError> {
    if result.cancelled {
        return Err(NodeError::new(ErrorClass::Timeout, "cancelled before the body finished"));
    }
    if let Some((path, error)) = &result.failure {
        return Err(NodeError::new(error.class, format!("`{path}` failed: {}", error.message)));
    }
    Ok(result.outputs[*node].as_ref().and_then(|o| o.get(port)).cloned().unwrap_or_else(|| {
        tracing::debug!(reference, "body result was skipped; using null");
        Value::Null
    }))
}

/// Executes `loop` nodes.
#[derive(Debug, Clone, Copy)]
pub struct LoopExecutor;

impl Container for LoopExecutor {
    fn execute(&self, ctx: Attempt) -> BoxFuture<'static, Result<Outputs, NodeError>> {
        Box::pin(async move {
            let config: LoopConfig = config_as(&ctx.node.config)?;
            let body = body_of(&ctx)?;
            let collect = body_port(&body, &config.collect, "/config/collect")?;
            let items = match (ctx.context.inputs.get("items"), &config.items) {
                (Some(items), _) => items.clone(),
                (None, Some(expression)) => eval(expression, &ctx.context, "/config/items")?,
                (None, None) => Value::Null,
            };
            let Value::Array(items) = items else {
                return Err(NodeError::new(
                    ErrorClass::BadRequest,
                    format!("`items` must be an array, got {}", crate::template::json_type(&items)),
                ));
            };
            let policy = config.on_item_error.unwrap_or(ItemErrorPolicy::Fail);
            let width = config.concurrency.unwrap_or(4).max(1) as usize;
            let total = items.len();
            let ctx = &ctx;
            let (body, collect, reference) = (&body, &collect, config.collect.as_str());
            // `buffered` keeps item order and runs at most `width` items at once.
            let mut results = stream::iter(items.into_iter().enumerate())
                .map(|(index, item)| async move {
                    let vars = vec![("item", item), ("index", json!(index))];
                    let result = run_body(ctx, body, index as u64, vars).await;
                    (index, take(&result, collect, reference))
                })
                .buffered(width);
            let (mut values, mut errors) = (Vec::with_capacity(total), Vec::new());
            while let Some((index, result)) = results.next().await {
                ctx.run.emit(RunEvent::LoopIteration {
                    node: ctx.path.clone(),
                    index: index as u64,
                    ok: result.is_ok(),
                });
                ctx.progress(format!("{} of {total} items", index + 1), Some((index + 1) as f64 / total as f64));
                match (result, policy) {
                    (Ok(value), _) => values.push(value),
                    (Err(error), ItemErrorPolicy::Fail) => {
                        return Err(NodeError::new(error.class, format!("item {index}: {}", error.message)));
                    }
                    (Err(error), ItemErrorPolicy::Skip) => errors.push(item_error(index, &error)),
                    (Err(error), ItemErrorPolicy::Collect) => {
                        values.push(Value::Null);
                        errors.push(item_error(index, &error));
                    }
                }
            }
            let mut outputs = Map::new();
            outputs.insert("results".into(), Value::Array(values));
            outputs.insert("errors".into(), Value::Array(errors));
            Ok(outputs)
        })
    }
}

fn item_error(index: usize, error: &NodeError) -> Value {
    json!({"index": index, "error": {"class": error.class, "message": error.message}})
}

/// Executes `parallel` nodes.
#[derive(Debug, Clone, Copy)]
pub struct ParallelExecutor;

impl Container for ParallelExecutor {
    fn execute(&self, ctx: Attempt) -> BoxFuture<'static, Result<Outputs, NodeError>> {
        Box::pin(async move {
            let config: ParallelConfig = config_as(&ctx.node.config)?;
            let body = body_of(&ctx)?;
            let branches: BTreeMap<String, (usize, String)> = config
                .branches
                .iter()
                .map(|(name, reference)| {
                    Ok((name.clone(), body_port(&body, reference, &format!("/config/branches/{name}"))?))
                })
                .collect::<Result<_, NodeError>>()?;
            let mode = config.mode.unwrap_or(ParallelMode::All);
            let needed = match mode {
                ParallelMode::All => branches.len(),
                ParallelMode::First => 1,
                ParallelMode::Quorum => config.quorum.unwrap_or(1) as usize,
            };
            let watched: Vec<usize> = branches.values().map(|(node, _)| *node).collect();
            let vars = vec![("parent", Value::Object(ctx.context.inputs.as_ref().clone()))];
            // Under `first`/`quorum` a failed branch does not stop the others.
            let policy =
                if mode == ParallelMode::All { RunFailurePolicy::Halt } else { RunFailurePolicy::ContinuePossible };
            let prefix = format!("{}/0/", ctx.path);
            let result = ScopeRun::new(body.clone(), ctx.env.clone(), prefix, vars, ctx.context.nodes.clone(), policy)
                .stop_after(&watched, needed)
                .run()
                .await;
            if result.cancelled {
                return Err(NodeError::new(ErrorClass::Timeout, "cancelled before the branches finished"));
            }
            let finished: Vec<&String> = result
                .finished
                .iter()
                .flat_map(|&node| branches.iter().filter(move |(_, (n, _))| *n == node).map(|(name, _)| name))
                .collect();
            if finished.len() < needed {
                let why = result.failure.as_ref().map_or_else(
                    || "the other branches were skipped".to_owned(),
                    |(path, error)| format!("`{path}` failed: {}", error.message),
                );
                let class = result.failure.as_ref().map_or(ErrorClass::Tool, |(_, e)| e.class);
                return Err(NodeError::new(
                    class,
                    format!("{} of {} branches finished, {needed} needed; {why}", finished.len(), branches.len()),
                ));
            }
            let value_of = |name: &String| {
                let (node, port) = &branches[name];
                result.outputs[*node].as_ref().and_then(|o| o.get(port)).cloned().unwrap_or(Value::Null)
            };
            let results: Map<String, Value> = finished.iter().map(|name| ((*name).clone(), value_of(name))).collect();
            let mut outputs = Map::new();
            outputs.insert("first".into(), finished.first().map_or(Value::Null, |name| value_of(name)));
            outputs.insert("winner".into(), finished.first().map_or(Value::Null, |name| json!(name)));
            outputs.insert("results".into(), Value::Object(results));
            Ok(outputs)
        })
    }
}

/// Executes `recursive` nodes.
#[derive(Debug, Clone, Copy)]
pub struct RecursiveExecutor;

impl Container for RecursiveExecutor {
    fn execute(&self, ctx: Attempt) -> BoxFuture<'static, Result<Outputs, NodeError>> {
        Box::pin(async move {
            let config: RecursiveConfig = config_as(&ctx.node.config)?;
            let body = body_of(&ctx)?;
            let next = body_port(&body, &config.next, "/config/next")?;
            let mut state = ctx.input("initial");
            let mut converged = false;
            let mut iterations = 0u32;
            while iterations < config.max_iterations {
                let vars = vec![("state", state.clone()), ("iteration", json!(iterations))];
                let result = run_body(&ctx, &body, u64::from(iterations), vars).await;
                let value = take(&result, &next, &config.next);
                ctx.run.emit(RunEvent::LoopIteration {
                    node: ctx.path.clone(),
                    index: u64::from(iterations),
                    ok: value.is_ok(),
                });
                state = value.map_err(|e| NodeError::new(e.class, format!("iteration {iterations}: {}", e.message)))?;
                let mut check = ctx.context.clone();
                check.vars = vec![("state", state.clone()), ("iteration", json!(iterations))];
                iterations += 1;
                ctx.progress(format!("iteration {iterations} of at most {}", config.max_iterations), None);
                if truthy(&eval(&config.until, &check, "/config/until")?) {
                    converged = true;
                    break;
                }
            }
            let mut outputs = Map::new();
            outputs.insert("state".into(), state);
            outputs.insert("iterations".into(), json!(iterations));
            outputs.insert("converged".into(), json!(converged));
            Ok(outputs)
        })
    }
}
