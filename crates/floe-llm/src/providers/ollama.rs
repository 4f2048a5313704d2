//! Ollama's native chat API (`POST {base}/api/chat`, streamed as newline-delimited JSON).

use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::LlmError;
use crate::stream::{Decoder, Partial, json};
use crate::types::{ChatRequest, ChatResponse, StopReason, ToolCall, Usage};

/// The request body; sampling parameters go under `options`, an output schema to `format`.
pub(crate) fn body(request: &ChatRequest) -> Value {
    let messages: Vec<Value> = request
        .messages
        .iter()
        .map(|m| {
            let mut message = json!({"role": m.role.as_str(), "content": m.content});
            if !m.tool_calls.is_empty() {
                message["tool_calls"] = m
                    .tool_calls
                    .iter()
                    .map(|c| json!({"function": {"name": c.name, "arguments": c.arguments}}))
                    .collect();
            }
            if let Some(name) = &m.name {
                message["tool_name"] = json!(name);
            }
            message
        })
        .collect();
    let mut body = json!({"model": request.model, "messages": messages, "stream": true});
    if !request.tools.is_empty() {
        body["tools"] = super::openai::function_tools(&request.tools);
    }
    let mut options = serde_json::Map::new();
    if let Some(t) = request.temperature {
        options.insert("temperature".into(), json!(t));
    }
    if let Some(p) = request.top_p {
        options.insert("top_p".into(), json!(p));
    }
    if let Some(max) = request.max_tokens {
        options.insert("num_predict".into(), json!(max));
    }
    if !request.stop.is_empty() {
        options.insert("stop".into(), json!(request.stop));
    }
    if !options.is_empty() {
        body["options"] = Value::Object(options);
    }
    if let Some(schema) = &request.output_schema {
        body["format"] = schema.clone();
    }
    body
}

#[derive(Deserialize)]
struct Chunk {
    #[serde(default)]
    message: Option<WireMessage>,
    #[serde(default)]
    done: bool,
    #[serde(default)]
    done_reason: Option<String>,
    #[serde(default)]
    prompt_eval_count: u64,
    #[serde(default)]
    eval_count: u64,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Deserialize)]
struct WireMessage {
    #[serde(default)]
    content: String,
    #[serde(default)]
    tool_calls: Vec<WireCall>,
}

#[derive(Deserialize)]
struct WireCall {
    function: WireFunction,
}

#[derive(Deserialize)]
struct WireFunction {
    name: String,
    #[serde(default)]
    arguments: Value,
}

/// Accumulates streamed chat chunks.
pub(crate) struct OllamaDecoder {
    reply: Partial,
    calls: Vec<ToolCall>,
    done: Option<String>,
}

impl OllamaDecoder {
    pub(crate) fn new(provider: &str) -> Self {
        Self { reply: Partial::new(provider), calls: Vec::new(), done: None }
    }
}

impl Decoder for OllamaDecoder {
    fn frame(&mut self, data: &str, on_delta: &mut (dyn FnMut(&str) + Send)) -> Result<(), LlmError> {
        let chunk: Chunk = json(&self.reply.provider, data)?;
        if let Some(error) = chunk.error {
            let class = if error.contains("context") {
                floe_blueprint::ErrorClass::ContextTooLong
            } else {
                floe_blueprint::ErrorClass::Server
            };
            return Err(LlmError::new(class, format!("{} reported an error mid-stream: {error}", self.reply.provider)));
        }
        if let Some(message) = chunk.message {
            self.reply.text(&message.content, on_delta);
            for call in message.tool_calls {
                let arguments = match call.function.arguments {
                    Value::Null => json!({}),
                    // Some models send the arguments as JSON text.
                    Value::String(text) => {
                        let id = format!("call_{}", self.calls.len());
                        self.calls.push(ToolCall::from_text(id, call.function.name, &text));
                        continue;
                    }
                    other => other,
                };
                let id = format!("call_{}", self.calls.len());
                self.calls.push(ToolCall { id, name: call.function.name, arguments, arguments_error: None });
            }
        }
        if chunk.done {
            self.reply.usage =
                Usage { input_tokens: chunk.prompt_eval_count, output_tokens: chunk.eval_count, cached_tokens: 0 };
            self.done = Some(chunk.done_reason.unwrap_or_else(|| "stop".into()));
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<ChatResponse, LlmError> {
        let Some(reason) = self.done else {
            return Err(LlmError::stream_broken(&self.reply.provider, "no chunk with \"done\": true"));
        };
        let stop = match reason.as_str() {
            _ if !self.calls.is_empty() => StopReason::ToolUse,
            "stop" => StopReason::EndTurn,
            "length" => StopReason::MaxTokens,
            other => StopReason::Other(other.to_owned()),
        };
        Ok(ChatResponse { text: self.reply.text, tool_calls: self.calls, usage: self.reply.usage, stop })
    }
}
