//! Floe's model providers behind one interface.
//!
//! - [`types`]: the normalised conversation (messages, tools, usage, stop reasons).
//! - [`providers`]: each vendor's wire format: OpenAI, OpenAI-compatible, Anthropic, Gemini, Ollama.
//! - [`stream`]: incremental SSE / NDJSON decoding under an idle timeout.
//! - [`error`]: failures classified into the engine's error classes (with `Retry-After`).
//! - [`client`]: the registry ([`Llm`]): settings, keys, per-provider limits, fallbacks, output schemas.
//! - [`settings`], [`secrets`], [`prices`]: the provider settings file, API keys, the price table.
//! - `embed`: text to vectors ([`Llm::embed`]), for memory's similarity search.
//! - [`ready`]: whether a model can be called at all, checked before a run starts.

pub mod client;
mod embed;
pub mod error;
pub mod models;
pub mod prices;
pub mod providers;
pub mod ready;
pub mod schema;
pub mod secrets;
pub mod settings;
mod stream;
pub mod types;

pub use client::{Call, Completion, KeyLookup, Llm, ModelRef, Note};
pub use error::LlmError;
pub use models::{ModelInfo, ProviderModels};
pub use prices::{Price, Prices};
pub use providers::Api;
pub use ready::{NotReady, Remedy};
pub use secrets::Secret;
pub use settings::{McpServerSettings, Provider, Settings};
pub use types::{ChatRequest, ChatResponse, Message, Role, StopReason, ToolCall, ToolDef, Usage};
