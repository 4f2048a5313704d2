//! Google Gemini (`POST {base}/v1beta/models/{model}:streamGenerateContent?alt=sse`). Every frame
//! is a whole `GenerateContentResponse`; there is no end marker, so a reply is complete when a
//! candidate carries a `finishReason`.

use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::LlmError;
use crate::stream::{Decoder, Partial, json};
use crate::types::{ChatRequest, ChatResponse, Role, StopReason, ToolCall, Usage};

/// The request body: `contents` with `user`/`model` roles, tool results as `functionResponse`
/// parts answering by name, system messages as `systemInstruction`.
pub(crate) fn body(request: &ChatRequest) -> Value {
    let system: Vec<&str> =
        request.messages.iter().filter(|m| m.role == Role::System).map(|m| m.content.as_str()).collect();
    let mut contents: Vec<Value> = Vec::new();
    for m in request.messages.iter().filter(|m| m.role != Role::System) {
        let (role, parts) = match m.role {
            Role::Assistant => {
                let mut parts = Vec::new();
                if !m.content.is_empty() {
                    parts.push(json!({"text": m.content}));
                }
                parts.extend(
                    m.tool_calls.iter().map(|c| json!({"functionCall": {"name": c.name, "args": c.arguments}})),
                );
                ("model", parts)
            }
            Role::Tool => {
                let response = serde_json::from_str::<Value>(&m.content)
                    .ok()
                    .filter(Value::is_object)
                    .unwrap_or_else(|| json!({"result": m.content}));
                (
                    "user",
                    vec![
                        json!({"functionResponse": {"name": m.name.clone().unwrap_or_default(), "response": response}}),
                    ],
                )
            }
            _ => ("user", vec![json!({"text": m.content})]),
        };
        // Consecutive tool results form one user turn.
        let merge = m.role == Role::Tool && contents.last().is_some_and(|last| last["role"] == "user");
        if let (true, Some(Value::Array(existing))) = (merge, contents.last_mut().map(|l| &mut l["parts"])) {
            existing.extend(parts);
        } else {
            contents.push(json!({"role": role, "parts": parts}));
        }
    }
    let mut body = json!({"contents": contents});
    if !system.is_empty() {
        body["systemInstruction"] = json!({"parts": [{"text": system.join("\n\n")}]});
    }
    if !request.tools.is_empty() {
        let declarations: Vec<Value> = request
            .tools
            .iter()
            // Full JSON Schema (the `parameters` field takes only an OpenAPI subset).
            .map(|t| json!({"name": t.name, "description": t.description, "parametersJsonSchema": t.parameters}))
            .collect();
        body["tools"] = json!([{"functionDeclarations": declarations}]);
    }
    let mut config = serde_json::Map::new();
    if let Some(t) = request.temperature {
        config.insert("temperature".into(), json!(t));
    }
    if let Some(p) = request.top_p {
        config.insert("topP".into(), json!(p));
    }
    if let Some(max) = request.max_tokens {
        config.insert("maxOutputTokens".into(), json!(max));
    }
    if !request.stop.is_empty() {
        config.insert("stopSequences".into(), json!(request.stop));
    }
    if let Some(schema) = &request.output_schema {
        config.insert("responseMimeType".into(), json!("application/json"));
        config.insert("responseJsonSchema".into(), schema.clone());
    }
    if !config.is_empty() {
        body["generationConfig"] = Value::Object(config);
    }
    body
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Chunk {
    #[serde(default)]
    candidates: Vec<Candidate>,
    #[serde(default)]
    usage_metadata: Option<WireUsage>,
    #[serde(default)]
    error: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Candidate {
    #[serde(default)]
    content: Option<Content>,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct Content {
    #[serde(default)]
    parts: Vec<Part>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Part {
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    function_call: Option<FunctionCall>,
    #[serde(default)]
    thought: Option<bool>,
}

#[derive(Deserialize)]
struct FunctionCall {
    name: String,
    #[serde(default)]
    args: Option<Value>,
    #[serde(default)]
    id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireUsage {
    #[serde(default)]
    prompt_token_count: u64,
    #[serde(default)]
    candidates_token_count: u64,
    #[serde(default)]
    thoughts_token_count: u64,
    #[serde(default)]
    cached_content_token_count: u64,
}

/// Accumulates streamed `GenerateContentResponse`s.
pub(crate) struct GeminiDecoder {
    reply: Partial,
    calls: Vec<ToolCall>,
    finish: Option<String>,
}

impl GeminiDecoder {
    pub(crate) fn new(provider: &str) -> Self {
        Self { reply: Partial::new(provider), calls: Vec::new(), finish: None }
    }
}

impl Decoder for GeminiDecoder {
    fn frame(&mut self, data: &str, on_delta: &mut (dyn FnMut(&str) + Send)) -> Result<(), LlmError> {
        let chunk: Chunk = json(&self.reply.provider, data)?;
        if let Some(error) = chunk.error {
            return Err(super::openai::mid_stream_error(&self.reply.provider, &error));
        }
        if let Some(usage) = chunk.usage_metadata {
            self.reply.usage = Usage {
                input_tokens: usage.prompt_token_count,
                output_tokens: usage.candidates_token_count + usage.thoughts_token_count,
                cached_tokens: usage.cached_content_token_count,
            };
        }
        // One candidate is asked for; only the first is read.
        if let Some(candidate) = chunk.candidates.into_iter().next() {
            for part in candidate.content.map(|c| c.parts).unwrap_or_default() {
                if let Some(text) = part.text.filter(|_| part.thought != Some(true)) {
                    self.reply.text(&text, on_delta);
                }
                if let Some(call) = part.function_call {
                    let id = call.id.unwrap_or_else(|| format!("call_{}", self.calls.len()));
                    self.calls.push(ToolCall {
                        id,
                        name: call.name,
                        arguments: call.args.unwrap_or_else(|| json!({})),
                        arguments_error: None,
                    });
                }
            }
            if candidate.finish_reason.is_some() {
                self.finish = candidate.finish_reason;
            }
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<ChatResponse, LlmError> {
        let Some(finish) = self.finish else {
            return Err(LlmError::stream_broken(&self.reply.provider, "no candidate carried a finishReason"));
        };
        let stop = match finish.as_str() {
            "STOP" if !self.calls.is_empty() => StopReason::ToolUse,
            "STOP" => StopReason::EndTurn,
            "MAX_TOKENS" => StopReason::MaxTokens,
            "SAFETY" | "RECITATION" | "BLOCKLIST" | "PROHIBITED_CONTENT" | "SPII" => StopReason::ContentFilter,
            "MALFORMED_FUNCTION_CALL" => {
                return Err(LlmError::new(
                    floe_blueprint::ErrorClass::InvalidOutput,
                    format!(
                        "{} produced a malformed function call; retry, or simplify the tool's parameters",
                        self.reply.provider
                    ),
                ));
            }
            other => StopReason::Other(other.to_owned()),
        };
        Ok(ChatResponse { text: self.reply.text, tool_calls: self.calls, usage: self.reply.usage, stop })
    }
}
