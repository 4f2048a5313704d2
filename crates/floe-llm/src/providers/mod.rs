//! The wire formats: how each API is addressed and authenticated, its request body and its
//! stream decoder. Adding a vendor means one file here and one arm in each match.

pub(crate) mod anthropic;
pub(crate) mod gemini;
pub(crate) mod ollama;
pub(crate) mod openai;

use serde::{Deserialize, Serialize};

use crate::secrets::Secret;
use crate::stream::{Decoder, Framing};
use crate::types::ChatRequest;

/// Which API a provider speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Api {
    /// OpenAI chat completions.
    Openai,
    /// Any endpoint speaking OpenAI chat completions (DeepSeek, Groq, LM Studio, vLLM…).
    OpenaiCompatible,
    /// Anthropic messages.
    Anthropic,
    /// Google Gemini generateContent.
    Gemini,
    /// Ollama's native chat API.
    Ollama,
}

impl Api {
    /// How its stream is framed.
    pub(crate) fn framing(self) -> Framing {
        match self {
            Api::Ollama => Framing::Ndjson,
            _ => Framing::Sse,
        }
    }

    /// A fresh decoder for one reply.
    pub(crate) fn decoder(self, provider: &str) -> Box<dyn Decoder> {
        match self {
            Api::Openai | Api::OpenaiCompatible => Box::new(openai::OpenAiDecoder::new(provider)),
            Api::Anthropic => Box::new(anthropic::AnthropicDecoder::new(provider)),
            Api::Gemini => Box::new(gemini::GeminiDecoder::new(provider)),
            Api::Ollama => Box::new(ollama::OllamaDecoder::new(provider)),
        }
    }

    /// Whether it takes an output JSON Schema natively (otherwise Floe instructs and validates).
    pub fn native_schema(self) -> bool {
        !matches!(self, Api::Anthropic)
    }

    /// The streaming chat request.
    pub(crate) fn chat(
        self,
        http: &reqwest::Client,
        base: &str,
        key: Option<&Secret>,
        organization: Option<&str>,
        request: &ChatRequest,
    ) -> reqwest::RequestBuilder {
        let base = base.trim_end_matches('/');
        let builder = match self {
            Api::Openai | Api::OpenaiCompatible => {
                let mut builder = http
                    .post(format!("{base}/chat/completions"))
                    .json(&openai::body(request, self == Api::OpenaiCompatible));
                if let Some(org) = organization {
                    builder = builder.header("OpenAI-Organization", org);
                }
                bearer(builder, key)
            }
            Api::Anthropic => {
                let mut builder = http
                    .post(format!("{base}/v1/messages"))
                    .header("anthropic-version", anthropic::VERSION)
                    .json(&anthropic::body(request));
                if let Some(key) = key {
                    builder = builder.header("x-api-key", key.expose());
                }
                builder
            }
            Api::Gemini => {
                let mut builder = http
                    .post(format!("{base}/v1beta/models/{}:streamGenerateContent", request.model))
                    .query(&[("alt", "sse")])
                    .json(&gemini::body(request));
                if let Some(key) = key {
                    builder = builder.header("x-goog-api-key", key.expose());
                }
                builder
            }
            Api::Ollama => bearer(http.post(format!("{base}/api/chat")).json(&ollama::body(request)), key),
        };
        builder.header("accept", if self == Api::Ollama { "application/x-ndjson" } else { "text/event-stream" })
    }

    /// The cheapest authenticated call: listing models.
    pub(crate) fn list_models(
        self,
        http: &reqwest::Client,
        base: &str,
        key: Option<&Secret>,
    ) -> reqwest::RequestBuilder {
        let base = base.trim_end_matches('/');
        match self {
            Api::Openai | Api::OpenaiCompatible => bearer(http.get(format!("{base}/models")), key),
            Api::Anthropic => {
                let builder = http.get(format!("{base}/v1/models")).header("anthropic-version", anthropic::VERSION);
                match key {
                    Some(key) => builder.header("x-api-key", key.expose()),
                    None => builder,
                }
            }
            Api::Gemini => {
                let builder = http.get(format!("{base}/v1beta/models"));
                match key {
                    Some(key) => builder.header("x-goog-api-key", key.expose()),
                    None => builder,
                }
            }
            Api::Ollama => http.get(format!("{base}/api/tags")),
        }
    }
}

fn bearer(builder: reqwest::RequestBuilder, key: Option<&Secret>) -> reqwest::RequestBuilder {
    match key {
        Some(key) => builder.bearer_auth(key.expose()),
        None => builder,
    }
}
