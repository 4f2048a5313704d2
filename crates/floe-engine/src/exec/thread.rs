//! Conversations kept by `llm` and `agent` nodes (`thread`): the thread's summary and messages
//! go before the prompt; the prompt and the reply join it; past its token budget the oldest
//! messages are folded into the summary by the node's own model. Threads live in the run
//! store beside memory (`store/threads.rs`).

use floe_blueprint::ErrorClass;
use floe_llm::{Call, ChatRequest, Llm, Message, ModelRef};

use super::llm::{DEFAULT_FALLBACK_ON, node_error, render_text};
use super::{NodeCtx, NodeError};
use crate::store::{NewThreadMessage, Store, Thread};

pub use floe_blueprint::catalog::kinds::llm::DEFAULT_THREAD_TOKENS;

/// A node's thread, opened for one call.
pub(crate) struct Kept {
    store: Store,
    budget: u32,
    thread: Thread,
}

fn store_error(error: crate::store::StoreError) -> NodeError {
    match error {
        crate::store::StoreError::Refused(why) => NodeError::new(ErrorClass::BadRequest, why),
        other => NodeError::new(ErrorClass::Server, other.to_string()),
    }
}

/// The thread `template` names, as this call reads it (none when the node keeps none).
pub(crate) async fn open(
    ctx: &NodeCtx,
    template: Option<&str>,
    budget: Option<u32>,
) -> Result<Option<Kept>, NodeError> {
    let Some(template) = template else { return Ok(None) };
    let key = render_text(ctx, template, "/config/thread")?;
    let store = ctx.run.tools().memory_store().cloned().ok_or_else(|| {
        NodeError::new(
            ErrorClass::BadRequest,
            "`/config/thread`: this run has no store to keep threads in; run the blueprint from the app, `floe serve` \
             or `floe run`",
        )
    })?;
    let thread = store.thread(&key, Some(&ctx.idempotency_key())).await.map_err(store_error)?;
    Ok(Some(Kept { store, budget: budget.unwrap_or(DEFAULT_THREAD_TOKENS), thread }))
}

impl Kept {
    /// What goes before the prompt: the summary (as a system message), then the messages.
    pub(crate) fn history(&self) -> Vec<Message> {
        let mut out = Vec::new();
        if !self.thread.summary.is_empty() {
            out.push(Message::system(format!("Summary of the conversation so far:\n{}", self.thread.summary)));
        }
        out.extend(self.thread.messages.iter().map(|m| match m.role.as_str() {
            "user" => Message::user(m.content.clone()),
            _ => Message::assistant(m.content.clone(), Vec::new()),
        }));
        out
    }

    /// Adds the prompt and the reply; past the budget, folds the oldest messages (all but the
    /// newest that fit in half of it) into the summary with `models`.
    pub(crate) async fn record(
        self,
        ctx: &NodeCtx,
        llm: &Llm,
        models: &[ModelRef],
        prompt: &str,
        reply: &str,
    ) -> Result<(), NodeError> {
        let key = &self.thread.key;
        let messages = [
            NewThreadMessage { role: "user", content: prompt },
            NewThreadMessage { role: "assistant", content: reply },
        ];
        self.store
            .add_to_thread(key, &messages, ctx.run.run_id(), &ctx.path, &ctx.idempotency_key())
            .await
            .map_err(store_error)?;
        let now = self.store.thread(key, None).await.map_err(store_error)?;
        let total: u32 = now.messages.iter().map(|m| m.tokens).sum();
        if total <= self.budget {
            return Ok(());
        }
        let mut kept = 0;
        let mut cut = now.messages.len();
        for (i, message) in now.messages.iter().enumerate().rev() {
            if kept + message.tokens > self.budget / 2 {
                break;
            }
            kept += message.tokens;
            cut = i;
        }
        let Some(upto) = now.messages[..cut].last().map(|m| m.id) else { return Ok(()) };
        ctx.progress(format!("thread `{key}`: summarising {cut} older messages"), None);
        let mut text = String::new();
        if !now.summary.is_empty() {
            text.push_str(&format!("Summary so far:\n{}\n\nThen:\n", now.summary));
        }
        for message in &now.messages[..cut] {
            text.push_str(&format!("{}: {}\n", message.role, message.content));
        }
        let call = Call {
            models: models.to_vec(),
            fallback_on: DEFAULT_FALLBACK_ON.to_vec(),
            request: ChatRequest {
                messages: vec![
                    Message::system(
                        "You keep the running summary of a conversation. Write it again to cover everything below: \
                         who is who, facts, decisions, promises and open questions. Plain prose, at most 200 words.",
                    ),
                    Message::user(text),
                ],
                ..ChatRequest::default()
            },
            schema: None,
            reasks: 0,
        };
        let done = llm.complete(&call, &mut |_| {}, &mut |_| {}).await.map_err(node_error)?;
        ctx.run.record_usage(&ctx.path, &done.model.to_string(), super::llm::usage_info(&done));
        self.store.fold_thread(key, done.response.text.trim(), upto).await.map_err(store_error)
    }
}
