//! `code` nodes: JavaScript in an embedded QuickJS sandbox (rquickjs). The script gets `inputs`,
//! `run` and, inside a container body, its variables as globals, and nothing else: no file system, network, timers or modules. It runs on
//! a blocking thread with a memory limit, a stack limit, and an interrupt handler that stops it
//! at its time limit or when the run is cancelled. Each limit has its own clear error.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use floe_blueprint::ErrorClass;
use floe_blueprint::catalog::kinds::code::CodeConfig;
use futures::future::BoxFuture;
use rquickjs::context::EvalOptions;
use rquickjs::{CatchResultExt, CaughtError, Context, Runtime};
use serde_json::{Map, Value};
use tokio_util::sync::CancellationToken;

use super::{Executor, NodeCtx, NodeError, config_as};
use crate::template::Outputs;

/// Executes `code` nodes.
#[derive(Debug, Clone, Copy)]
pub struct CodeExecutor;

impl Executor for CodeExecutor {
    fn execute(&self, ctx: NodeCtx) -> BoxFuture<'static, Result<Outputs, NodeError>> {
        Box::pin(async move {
            let config: CodeConfig = config_as(&ctx)?;
            let timeout = match &config.timeout {
                Some(text) => floe_blueprint::policy::parse_duration(text)
                    .map_err(|e| NodeError::new(ErrorClass::BadRequest, format!("`/config/timeout` {text:?}: {e}")))?,
                None => Duration::from_secs(5),
            };
            let limits = Limits { timeout, memory_mb: config.memory_mb.unwrap_or(64) };
            // Globals: `inputs`, `run`, and inside a body its variables (`item`, `state`, `parent`…).
            let mut globals = vec![
                ("inputs", Value::Object(ctx.context.inputs.as_ref().clone()).to_string()),
                ("run", Value::Object(ctx.context.run.as_ref().clone()).to_string()),
            ];
            globals.extend(ctx.context.vars.iter().map(|(name, value)| (*name, value.to_string())));
            // The sandbox's interrupt handler reads the token itself: nothing has to be polled
            // for a cancel (or the attempt being dropped) to stop the script.
            let stop = ctx.cancel.clone();
            let source = config.source.clone();
            let result = tokio::task::spawn_blocking(move || evaluate(&source, &globals, limits, &stop)).await;
            let result =
                result.map_err(|e| NodeError::new(ErrorClass::Sandbox, format!("the sandbox crashed: {e}")))??;
            Ok(split_outputs(&ctx, result))
        })
    }

    fn pool(&self, _: &floe_compiler::PlanNode) -> Option<String> {
        Some("code".into())
    }
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

#[derive(Debug, Clone, Copy)]
struct Limits {
    timeout: Duration,
    memory_mb: u32,
}

fn sandbox_error(message: impl Into<String>) -> NodeError {
    NodeError::new(ErrorClass::Sandbox, message)
}

/// Runs `source` with `globals` (name, JSON text); returns its JSON result.
fn evaluate(
    source: &str,
    globals: &[(&str, String)],
    limits: Limits,
    stop: &CancellationToken,
) -> Result<Value, NodeError> {
    let runtime = Runtime::new().map_err(|e| sandbox_error(format!("the sandbox could not start: {e}")))?;
    runtime.set_memory_limit(limits.memory_mb as usize * 1024 * 1024);
    runtime.set_max_stack_size(1024 * 1024);
    let deadline = Instant::now() + limits.timeout;
    let (flag, timed_out) = (stop.clone(), Arc::new(AtomicBool::new(false)));
    let timed = timed_out.clone();
    runtime.set_interrupt_handler(Some(Box::new(move || {
        let late = Instant::now() >= deadline;
        timed.store(late, Ordering::Relaxed);
        late || flag.is_cancelled()
    })));
    let context = Context::full(&runtime).map_err(|e| sandbox_error(format!("the sandbox could not start: {e}")))?;
    let outcome = context.with(|ctx| -> Result<Option<String>, NodeError> {
        let scope = ctx.globals();
        for (name, json) in globals {
            let value = ctx
                .json_parse(json.as_str())
                .map_err(|e| sandbox_error(format!("`{name}` could not be passed in: {e}")))?;
            scope.set(*name, value).map_err(|e| sandbox_error(e.to_string()))?;
        }
        let mut options = EvalOptions::default();
        options.global = true;
        options.strict = false;
        let mut result = ctx.eval_with_options::<rquickjs::Value, _>(source, options).catch(&ctx);
        // A script that `return`s at the top level runs as a function body instead.
        if let Err(CaughtError::Exception(e)) = &result
            && e.message().is_some_and(|m| m.contains("return not in a function"))
        {
            let mut options = EvalOptions::default();
            options.global = true;
            options.strict = false;
            result = ctx
                .eval_with_options::<rquickjs::Value, _>(format!("(function () {{\n{source}\n}})()"), options)
                .catch(&ctx);
        }
        let value = result.map_err(|e| describe(&e))?;
        let text = ctx.json_stringify(value).catch(&ctx).map_err(|e| describe(&e))?;
        text.map(|s| s.to_string()).transpose().map_err(|e| sandbox_error(e.to_string()))
    });
    match outcome {
        Err(error) if timed_out.load(Ordering::Relaxed) => Err(sandbox_error(format!(
            "the script ran past its {} time limit; make it do less, or raise `timeout` ({})",
            humantime::format_duration(limits.timeout),
            error.message
        ))),
        Err(_) if stop.is_cancelled() => Err(sandbox_error("the run was cancelled while the script ran")),
        Err(error) => Err(error),
        Ok(None) => Ok(Value::Null),
        Ok(Some(text)) => serde_json::from_str(&text)
            .map_err(|e| NodeError::new(ErrorClass::InvalidOutput, format!("the script's result is not JSON: {e}"))),
    }
}

/// A thrown exception as a message with its line; memory exhaustion says which limit.
fn describe(error: &CaughtError<'_>) -> NodeError {
    match error {
        CaughtError::Exception(exception) => {
            let message = exception.message().unwrap_or_default();
            if message.contains("out of memory") {
                return sandbox_error(
                    "the script ran out of memory (its `memory_mb` limit); process less data at once or raise the limit",
                );
            }
            let line = exception
                .stack()
                .and_then(|stack| {
                    stack.lines().find_map(|l| {
                        l.rsplit_once(':').and_then(|(rest, _)| rest.rsplit_once(':')).map(|(_, n)| n.to_owned())
                    })
                })
                .map(|n| format!(" (line {n})"))
                .unwrap_or_default();
            sandbox_error(format!("the script threw: {message}{line}"))
        }
        CaughtError::Value(value) => sandbox_error(format!("the script threw a value: {value:?}")),
        CaughtError::Error(rquickjs::Error::Allocation) => sandbox_error(
            "the script ran out of memory (its `memory_mb` limit); process less data at once or raise the limit",
        ),
        CaughtError::Error(error) => sandbox_error(format!("the script failed: {error}")),
    }
}
