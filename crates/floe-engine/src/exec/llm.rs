//! `llm` nodes: render the system and prompt templates, call the model (and its fallbacks)
//! through the provider registry, stream the reply as `node_output_delta` events, validate
//! structured output, and record usage and cost.

use floe_blueprint::catalog::kinds::llm::LlmConfig;
use floe_llm::{Call, ChatRequest, Completion, LlmError, Message, ModelRef, Note};
use futures::future::BoxFuture;
use serde_json::{Map, Value, json};

use super::{Executor, NodeCtx, NodeError, config_as};
use crate::events::UsageInfo;
use crate::template::{Outputs, render_str};

pub use floe_blueprint::catalog::kinds::llm::DEFAULT_FALLBACK_ON;

/// How many times a reply that does not match `output_schema` is sent back with the problem.
const REASKS: u32 = 2;

/// Executes `llm` nodes.
#[derive(Debug, Clone, Copy)]
pub struct LlmExecutor;

impl Executor for LlmExecutor {
    fn execute(&self, ctx: NodeCtx) -> BoxFuture<'static, Result<Outputs, NodeError>> {
        Box::pin(async move {
            let config: LlmConfig = config_as(&ctx.node.config)?;
            let llm = ctx.run.llm()?;
            let mut messages = Vec::new();
            if let Some(system) = &config.system {
                messages.push(Message::system(render_text(&ctx, system, "/config/system")?));
            }
            let thread = super::thread::open(&ctx, config.thread.as_deref(), config.thread_tokens).await?;
            if let Some(thread) = &thread {
                messages.extend(thread.history());
            }
            let prompt = render_text(&ctx, &config.prompt, "/config/prompt")?;
            messages.push(Message::user(prompt.clone()));
            let models = models(&config.model, &config.fallbacks)?;
            let call = Call {
                models: models.clone(),
                fallback_on: config.fallback_on.clone().unwrap_or_else(|| DEFAULT_FALLBACK_ON.to_vec()),
                request: ChatRequest {
                    messages,
                    temperature: config.temperature,
                    max_tokens: config.max_tokens,
                    top_p: config.top_p,
                    stop: config.stop.clone(),
                    ..ChatRequest::default()
                },
                schema: config.output_schema.clone(),
                reasks: REASKS,
            };
            let done = llm
                .complete(&call, &mut |delta| ctx.delta("text", delta), &mut |note| ctx.progress(describe(&note), None))
                .await
                .map_err(node_error)?;
            let usage = usage_info(&done);
            ctx.run.record_usage(&ctx.path, &done.model.to_string(), usage);
            if let Some(thread) = thread {
                thread.record(&ctx, &llm, &models, &prompt, &done.response.text).await?;
            }
            let mut outputs = Map::new();
            outputs.insert("text".into(), Value::String(done.response.text.clone()));
            if let Some(data) = done.data {
                outputs.insert("data".into(), data);
            }
            outputs.insert("usage".into(), usage_value(&done.model, usage));
            Ok(outputs)
        })
    }
}

/// A template field rendered to text (a value that is not a string is written as JSON).
pub(crate) fn render_text(ctx: &NodeCtx, template: &str, field: &str) -> Result<String, NodeError> {
    Ok(match render_str(template, &ctx.context, field)? {
        Value::String(text) => text,
        other => other.to_string(),
    })
}

/// The primary model and its fallbacks.
pub(crate) fn models(model: &str, fallbacks: &[String]) -> Result<Vec<ModelRef>, NodeError> {
    std::iter::once(model)
        .chain(fallbacks.iter().map(String::as_str))
        .map(|name| ModelRef::parse(name).map_err(node_error))
        .collect()
}

/// A provider failure as a node failure (same class, same Retry-After).
pub(crate) fn node_error(error: LlmError) -> NodeError {
    NodeError::new(error.class, error.message).retry_after(error.retry_after)
}

/// A fallback or a re-ask, as a progress message.
pub(crate) fn describe(note: &Note) -> String {
    match note {
        Note::FallingBack { from, to, error } => {
            format!("{from} failed ({:?}: {}); trying {to}", error.class, error.message)
        }
        Note::Reasking { attempt, problem } => format!("re-asking ({attempt}): {problem}"),
    }
}

/// A finished call's usage, as the run records it.
pub(crate) fn usage_info(done: &Completion) -> UsageInfo {
    UsageInfo {
        input_tokens: done.usage.input_tokens,
        output_tokens: done.usage.output_tokens,
        cached_tokens: done.usage.cached_tokens,
        cost_usd: done.cost_usd,
    }
}

/// The `usage` output: tokens, cost and the model that answered.
pub(crate) fn usage_value(model: &ModelRef, usage: UsageInfo) -> Value {
    json!({
        "model": model.to_string(),
        "input_tokens": usage.input_tokens,
        "output_tokens": usage.output_tokens,
        "cached_tokens": usage.cached_tokens,
        "cost_usd": usage.cost_usd,
    })
}
