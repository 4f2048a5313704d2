//! OpenAI chat completions (`POST {base}/chat/completions`, streamed as server-sent events), also
//! spoken by every OpenAI-compatible endpoint (DeepSeek, Groq, OpenRouter, LM Studio, vLLM…).

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::{LlmError, error_detail};
use crate::stream::{Decoder, Partial, json};
use crate::types::{ChatRequest, ChatResponse, StopReason, ToolCall, ToolDef, Usage};

/// The request body. `compatible` endpoints get `max_tokens` (OpenAI itself wants
/// `max_completion_tokens`); usage is asked for with `stream_options`.
pub(crate) fn body(request: &ChatRequest, compatible: bool) -> Value {
    let messages: Vec<Value> = request
        .messages
        .iter()
        .map(|m| {
            let mut message = json!({"role": m.role.as_str(), "content": m.content});
            if !m.tool_calls.is_empty() {
                message["tool_calls"] = m
                    .tool_calls
                    .iter()
                    .map(|c| {
                        json!({"id": c.id, "type": "function", "function": {"name": c.name, "arguments": arguments_text(&c.arguments)}})
                    })
                    .collect();
            }
            if let Some(id) = &m.tool_call_id {
                message["tool_call_id"] = json!(id);
            }
            message
        })
        .collect();
    let mut body = json!({"model": request.model, "messages": messages, "stream": true, "stream_options": {"include_usage": true}});
    if !request.tools.is_empty() {
        body["tools"] = function_tools(&request.tools);
    }
    if let Some(t) = request.temperature {
        body["temperature"] = json!(t);
    }
    if let Some(p) = request.top_p {
        body["top_p"] = json!(p);
    }
    if let Some(max) = request.max_tokens {
        body[if compatible { "max_tokens" } else { "max_completion_tokens" }] = json!(max);
    }
    if !request.stop.is_empty() {
        body["stop"] = json!(request.stop);
    }
    if let Some(schema) = &request.output_schema {
        let mut format = json!({"name": "output", "schema": schema});
        if strict_allows(schema) {
            format["strict"] = json!(true);
        }
        body["response_format"] = json!({"type": "json_schema", "json_schema": format});
    }
    body
}

/// Whether OpenAI's strict structured output accepts `schema` as it is: an object at the root,
/// every object closed (`additionalProperties: false`) with all its properties required, and no
/// keyword strict mode refuses. Then the reply is guaranteed to match; otherwise Floe still
/// validates it and re-asks.
fn strict_allows(schema: &Value) -> bool {
    const REFUSED: &[&str] = &[
        "oneOf",
        "allOf",
        "not",
        "if",
        "then",
        "else",
        "patternProperties",
        "dependentRequired",
        "dependentSchemas",
        "unevaluatedProperties",
    ];
    fn walk(schema: &Value) -> bool {
        let Some(object) = schema.as_object() else { return schema.is_boolean() };
        if REFUSED.iter().any(|k| object.contains_key(*k)) {
            return false;
        }
        if let Some(properties) = object.get("properties").and_then(Value::as_object) {
            let required: Vec<&str> = object
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            if object.get("additionalProperties") != Some(&Value::Bool(false))
                || !properties.keys().all(|k| required.contains(&k.as_str()))
                || !properties.values().all(walk)
            {
                return false;
            }
        } else if object.get("type").and_then(Value::as_str) == Some("object") {
            return false;
        }
        let nested = ["items", "$defs", "definitions", "anyOf"].iter().filter_map(|k| object.get(*k));
        nested.into_iter().all(|value| match value {
            Value::Array(items) => items.iter().all(walk),
            Value::Object(map) if map.contains_key("type") || map.contains_key("properties") => walk(value),
            Value::Object(map) => map.values().all(walk),
            _ => true,
        })
    }
    schema.get("type").and_then(Value::as_str) == Some("object") && walk(schema)
}

/// Tool definitions as OpenAI (and Ollama) take them.
pub(crate) fn function_tools(tools: &[ToolDef]) -> Value {
    tools
        .iter()
        .map(|t| json!({"type": "function", "function": {"name": t.name, "description": t.description, "parameters": t.parameters}}))
        .collect()
}

/// Arguments as the JSON text OpenAI carries them in (a string that failed to parse stays as sent).
fn arguments_text(arguments: &Value) -> String {
    match arguments {
        Value::String(raw) => raw.clone(),
        other => other.to_string(),
    }
}

#[derive(Deserialize)]
struct Chunk {
    #[serde(default)]
    choices: Vec<Choice>,
    #[serde(default)]
    usage: Option<WireUsage>,
    #[serde(default)]
    error: Option<Value>,
}

#[derive(Deserialize)]
struct Choice {
    #[serde(default)]
    delta: Delta,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Default, Deserialize)]
struct Delta {
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    tool_calls: Vec<ToolCallDelta>,
}

#[derive(Deserialize)]
struct ToolCallDelta {
    #[serde(default)]
    index: usize,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    function: Option<FunctionDelta>,
}

#[derive(Deserialize)]
struct FunctionDelta {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    arguments: Option<String>,
}

#[derive(Deserialize)]
struct WireUsage {
    #[serde(default)]
    prompt_tokens: u64,
    #[serde(default)]
    completion_tokens: u64,
    #[serde(default)]
    prompt_tokens_details: Option<PromptDetails>,
}

#[derive(Deserialize)]
struct PromptDetails {
    #[serde(default)]
    cached_tokens: u64,
}

/// Accumulates a streamed chat completion.
pub(crate) struct OpenAiDecoder {
    reply: Partial,
    /// Tool calls by their stream index: id, name, argument text.
    calls: BTreeMap<usize, (String, String, String)>,
    finish: Option<String>,
    done: bool,
}

impl OpenAiDecoder {
    pub(crate) fn new(provider: &str) -> Self {
        Self { reply: Partial::new(provider), calls: BTreeMap::new(), finish: None, done: false }
    }
}

impl Decoder for OpenAiDecoder {
    fn frame(&mut self, data: &str, on_delta: &mut (dyn FnMut(&str) + Send)) -> Result<(), LlmError> {
        if data.trim() == "[DONE]" {
            self.done = true;
            return Ok(());
        }
        let chunk: Chunk = json(&self.reply.provider, data)?;
        if let Some(error) = chunk.error {
            return Err(mid_stream_error(&self.reply.provider, &error));
        }
        if let Some(usage) = chunk.usage {
            self.reply.usage = Usage {
                input_tokens: usage.prompt_tokens,
                output_tokens: usage.completion_tokens,
                cached_tokens: usage.prompt_tokens_details.map_or(0, |d| d.cached_tokens),
            };
        }
        for choice in chunk.choices {
            if let Some(text) = choice.delta.content {
                self.reply.text(&text, on_delta);
            }
            for call in choice.delta.tool_calls {
                let entry = self.calls.entry(call.index).or_default();
                if let Some(id) = call.id {
                    entry.0 = id;
                }
                if let Some(function) = call.function {
                    if let Some(name) = function.name {
                        entry.1.push_str(&name);
                    }
                    if let Some(arguments) = function.arguments {
                        entry.2.push_str(&arguments);
                    }
                }
            }
            if let Some(reason) = choice.finish_reason {
                self.finish = Some(reason);
            }
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<ChatResponse, LlmError> {
        let Some(finish) = self.finish else {
            let what = if self.done { "[DONE] came without a finish_reason" } else { "no finish_reason and no [DONE]" };
            return Err(LlmError::stream_broken(&self.reply.provider, what));
        };
        let stop = match finish.as_str() {
            "stop" => StopReason::EndTurn,
            "length" => StopReason::MaxTokens,
            "tool_calls" | "function_call" => StopReason::ToolUse,
            "content_filter" => StopReason::ContentFilter,
            other => StopReason::Other(other.to_owned()),
        };
        let tool_calls = self
            .calls
            .into_iter()
            .map(|(index, (id, name, arguments))| {
                let id = if id.is_empty() { format!("call_{index}") } else { id };
                ToolCall::from_text(id, name, &arguments)
            })
            .collect();
        Ok(ChatResponse { text: self.reply.text, tool_calls, usage: self.reply.usage, stop })
    }
}

/// An error object sent inside the stream (after a 200).
pub(crate) fn mid_stream_error(provider: &str, error: &Value) -> LlmError {
    let body = json!({"error": error}).to_string();
    let detail = error_detail(&body);
    // OpenAI and Anthropic name a type; Gemini gives the HTTP code and a gRPC status.
    if let Some(code) = error.get("code").and_then(Value::as_u64).and_then(|c| u16::try_from(c).ok()) {
        return classified(provider, code, &body, &detail);
    }
    let kind = ["type", "code", "status"]
        .iter()
        .find_map(|field| error.get(*field).and_then(Value::as_str))
        .unwrap_or_default()
        .to_ascii_lowercase();
    let status = match kind.as_str() {
        "resource_exhausted" => 429,
        "unavailable" => 503,
        "unauthenticated" | "permission_denied" => 401,
        "invalid_argument" => 400,
        k if k.contains("rate_limit") => 429,
        k if k.contains("overloaded") => 529,
        k if k.contains("context_length") => 400,
        k if k.contains("invalid_request") => 400,
        k if k.contains("authentication") || k.contains("permission") => 401,
        _ => 500,
    };
    classified(provider, status, &body, &detail)
}

fn classified(provider: &str, status: u16, body: &str, detail: &str) -> LlmError {
    let status = reqwest::StatusCode::from_u16(status).unwrap_or(reqwest::StatusCode::INTERNAL_SERVER_ERROR);
    let mut error = LlmError::from_status(provider, status, &reqwest::header::HeaderMap::new(), body);
    error.message = format!("{provider} reported an error mid-stream: {detail}");
    error
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn strict_mode_is_asked_for_closed_schemas_only() {
        let closed = json!({"type": "object", "additionalProperties": false, "required": ["tags", "who"],
            "properties": {"who": {"type": "string"}, "tags": {"type": "array", "items": {"type": "object",
            "additionalProperties": false, "required": ["name"], "properties": {"name": {"type": "string"}}}}}});
        assert!(super::strict_allows(&closed));
        let open = json!({"type": "object", "required": ["who"], "properties": {"who": {"type": "string"}}});
        assert!(!super::strict_allows(&open), "additionalProperties not closed");
        let optional =
            json!({"type": "object", "additionalProperties": false, "properties": {"who": {"type": "string"}}});
        assert!(!super::strict_allows(&optional), "a property that is not required");
        let nested_open = json!({"type": "object", "additionalProperties": false, "required": ["x"],
            "properties": {"x": {"type": "object"}}});
        assert!(!super::strict_allows(&nested_open));
        assert!(!super::strict_allows(&json!({"type": "array"})), "the root must be an object");
    }
}
