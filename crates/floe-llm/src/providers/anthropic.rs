//! Anthropic messages (`POST {base}/v1/messages`, streamed as named server-sent events).

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::LlmError;
use crate::stream::{Decoder, Partial, json};
use crate::types::{ChatRequest, ChatResponse, Role, StopReason, ToolCall};

/// The API version header Floe speaks.
pub(crate) const VERSION: &str = "2023-06-01";

/// Anthropic requires `max_tokens`; this is used when the node sets none.
const DEFAULT_MAX_TOKENS: u32 = 4096;

/// The request body. System messages go to `system`; tool results are user turns holding
/// `tool_result` blocks, consecutive ones merged into one turn as the API requires.
pub(crate) fn body(request: &ChatRequest) -> Value {
    let system: Vec<&str> =
        request.messages.iter().filter(|m| m.role == Role::System).map(|m| m.content.as_str()).collect();
    let mut messages: Vec<Value> = Vec::new();
    for m in request.messages.iter().filter(|m| m.role != Role::System) {
        let (role, blocks) = match m.role {
            Role::Tool => (
                "user",
                vec![
                    json!({"type": "tool_result", "tool_use_id": m.tool_call_id.clone().unwrap_or_default(), "content": m.content}),
                ],
            ),
            Role::Assistant => {
                let mut blocks = Vec::new();
                if !m.content.is_empty() {
                    blocks.push(json!({"type": "text", "text": m.content}));
                }
                blocks.extend(m.tool_calls.iter().map(|c| {
                    let input = if c.arguments.is_object() { c.arguments.clone() } else { json!({}) };
                    json!({"type": "tool_use", "id": c.id, "name": c.name, "input": input})
                }));
                ("assistant", blocks)
            }
            _ => ("user", vec![json!({"type": "text", "text": m.content})]),
        };
        let merge = messages.last().is_some_and(|last| last["role"] == role && role == "user" && m.role == Role::Tool);
        if let (true, Some(Value::Array(content))) = (merge, messages.last_mut().map(|l| &mut l["content"])) {
            content.extend(blocks);
        } else {
            messages.push(json!({"role": role, "content": blocks}));
        }
    }
    let mut body = json!({
        "model": request.model,
        "max_tokens": request.max_tokens.unwrap_or(DEFAULT_MAX_TOKENS),
        "messages": messages,
        "stream": true,
    });
    if !system.is_empty() {
        body["system"] = json!(system.join("\n\n"));
    }
    if !request.tools.is_empty() {
        body["tools"] = request
            .tools
            .iter()
            .map(|t| json!({"name": t.name, "description": t.description, "input_schema": t.parameters}))
            .collect();
    }
    if let Some(t) = request.temperature {
        body["temperature"] = json!(t);
    }
    if let Some(p) = request.top_p {
        body["top_p"] = json!(p);
    }
    if !request.stop.is_empty() {
        body["stop_sequences"] = json!(request.stop);
    }
    body
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Event {
    MessageStart {
        message: StartMessage,
    },
    ContentBlockStart {
        index: usize,
        content_block: Block,
    },
    ContentBlockDelta {
        index: usize,
        delta: BlockDelta,
    },
    ContentBlockStop {},
    MessageDelta {
        delta: MessageDeltaBody,
        #[serde(default)]
        usage: Option<WireUsage>,
    },
    MessageStop,
    Ping,
    Error {
        error: Value,
    },
}

#[derive(Deserialize)]
struct StartMessage {
    #[serde(default)]
    usage: Option<WireUsage>,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Block {
    Text {
        #[serde(default)]
        text: String,
    },
    ToolUse {
        id: String,
        name: String,
    },
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum BlockDelta {
    TextDelta {
        text: String,
    },
    InputJsonDelta {
        partial_json: String,
    },
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
struct MessageDeltaBody {
    #[serde(default)]
    stop_reason: Option<String>,
}

#[derive(Deserialize)]
struct WireUsage {
    #[serde(default)]
    input_tokens: Option<u64>,
    #[serde(default)]
    output_tokens: Option<u64>,
    #[serde(default)]
    cache_read_input_tokens: Option<u64>,
    #[serde(default)]
    cache_creation_input_tokens: Option<u64>,
}

/// Accumulates a streamed message.
pub(crate) struct AnthropicDecoder {
    reply: Partial,
    /// Tool-use blocks by content index: id, name, input JSON text.
    calls: BTreeMap<usize, (String, String, String)>,
    stop: Option<String>,
    stopped: bool,
}

impl AnthropicDecoder {
    pub(crate) fn new(provider: &str) -> Self {
        Self { reply: Partial::new(provider), calls: BTreeMap::new(), stop: None, stopped: false }
    }

    fn add_usage(&mut self, usage: WireUsage) {
        // Input counts arrive in message_start; message_delta carries the running output count.
        let cached = usage.cache_read_input_tokens.unwrap_or(0);
        if let Some(input) = usage.input_tokens {
            self.reply.usage.input_tokens = input + cached + usage.cache_creation_input_tokens.unwrap_or(0);
            self.reply.usage.cached_tokens = cached;
        }
        if let Some(output) = usage.output_tokens {
            self.reply.usage.output_tokens = output;
        }
    }
}

impl Decoder for AnthropicDecoder {
    fn frame(&mut self, data: &str, on_delta: &mut (dyn FnMut(&str) + Send)) -> Result<(), LlmError> {
        let event: Event = json(&self.reply.provider, data)?;
        match event {
            Event::MessageStart { message } => {
                if let Some(usage) = message.usage {
                    self.add_usage(usage);
                }
            }
            Event::ContentBlockStart { index, content_block } => match content_block {
                Block::Text { text } => self.reply.text(&text, on_delta),
                Block::ToolUse { id, name } => {
                    self.calls.insert(index, (id, name, String::new()));
                }
                _ => {}
            },
            Event::ContentBlockDelta { index, delta } => match delta {
                BlockDelta::TextDelta { text } => self.reply.text(&text, on_delta),
                BlockDelta::InputJsonDelta { partial_json } => {
                    if let Some(call) = self.calls.get_mut(&index) {
                        call.2.push_str(&partial_json);
                    }
                }
                BlockDelta::Other => {}
            },
            Event::MessageDelta { delta, usage } => {
                if let Some(usage) = usage {
                    self.add_usage(usage);
                }
                if delta.stop_reason.is_some() {
                    self.stop = delta.stop_reason;
                }
            }
            Event::MessageStop => self.stopped = true,
            Event::ContentBlockStop {} | Event::Ping => {}
            Event::Error { error } => return Err(super::openai::mid_stream_error(&self.reply.provider, &error)),
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<ChatResponse, LlmError> {
        if !self.stopped {
            return Err(LlmError::stream_broken(&self.reply.provider, "no message_stop event"));
        }
        let stop = match self.stop.as_deref() {
            Some("end_turn") | None => StopReason::EndTurn,
            Some("max_tokens") => StopReason::MaxTokens,
            Some("tool_use") => StopReason::ToolUse,
            Some("stop_sequence") => StopReason::StopSequence,
            Some("refusal") => StopReason::ContentFilter,
            Some(other) => StopReason::Other(other.to_owned()),
        };
        let tool_calls =
            self.calls.into_values().map(|(id, name, input)| ToolCall::from_text(id, name, &input)).collect();
        Ok(ChatResponse { text: self.reply.text, tool_calls, usage: self.reply.usage, stop })
    }
}
