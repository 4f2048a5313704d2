//! The `llm` kind's catalogue entry: config type, ports, template fields and docs.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::catalog::{
    Catalog, Effect, FieldRole, KindSpec, PLAIN, PortDef, Ports, Repeats, ScriptField, Traits, fields_at, in_port,
    no_body_refs, schema_of,
};
use crate::diagnostic::{Code, Diagnostic};
use crate::document::ValueType;
use crate::policy::ErrorClass;

const DOCS: &str = r#"One model call: a system prompt and a prompt rendered from templates, optional structured
output, streamed token by token.

- **Inputs**: `in` (any) and any declared input ports; templates also read `run.*` and
  `nodes.<id>.<port>` of upstream nodes.
- **Outputs**: `text` (string, the reply), `data` (the parsed reply when `output_schema` is set),
  `usage` (object: input, output and cached tokens, cost).
- **Config**: `model` as `provider:model` (e.g. `anthropic:claude-sonnet-4-5`, `ollama:llama3.2`);
  `fallbacks`, further models tried in order on the classes in `fallback_on`; `system`, `prompt`
  (templates); `temperature`, `max_tokens`, `top_p`, `stop`; `output_schema`, a JSON Schema the reply
  must match; `thread`, a conversation kept across runs by key (a template, e.g. one per customer),
  folded into a summary past `thread_tokens` (default 4000).
- **Fails with**: `auth`, `rate_limited` (with Retry-After), `overloaded`, `bad_request`,
  `context_too_long`, `server`, `timeout`, `stream_broken`, `unparseable`, `invalid_output`.
- **Example**: `{"model": "openai:gpt-4o-mini", "prompt": "Summarise: {{ inputs.in }}"}`"#;

/// Config of an `llm` node.
/// Classes that move an `llm` or `agent` node on to its next fallback model unless it lists its
/// own: failures of the provider, not of the request (the field's documentation names them; a
/// test keeps the two in step).
pub const DEFAULT_FALLBACK_ON: &[ErrorClass] = &[
    ErrorClass::RateLimited,
    ErrorClass::Overloaded,
    ErrorClass::Server,
    ErrorClass::Timeout,
    ErrorClass::StreamBroken,
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LlmConfig {
    /// `provider:model`, or `default` for the blueprint's default model (else the one chosen in
    /// the settings). The inspector offers the models each provider lists.
    #[schemars(extend("x-floe-picker" = "model"))]
    pub model: String,
    /// Models tried in order when the previous one fails with a class in `fallback_on`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fallbacks: Vec<String>,
    /// Error classes that move to the next fallback (default: rate_limited, overloaded, server,
    /// timeout, stream_broken).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback_on: Option<Vec<ErrorClass>>,
    /// System prompt template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// User prompt template.
    pub prompt: String,
    /// Sampling temperature, 0–2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0.0, max = 2.0))]
    pub temperature: Option<f64>,
    /// Most tokens to generate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub max_tokens: Option<u32>,
    /// Nucleus sampling, 0–1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0.0, max = 1.0))]
    pub top_p: Option<f64>,
    /// Stop sequences.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stop: Vec<String>,
    /// JSON Schema the reply must match; the parsed reply goes to `data`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_schema: Option<Value>,
    /// A conversation to keep, by key (a template, e.g. `support-{{ run.customer }}`): its earlier
    /// messages come before the prompt, and the prompt and reply join it, across runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<String>,
    /// Tokens of a thread's messages kept whole; past them the oldest are folded into a summary
    /// by the same model (default 4000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 200))]
    pub thread_tokens: Option<u32>,
}

/// Tokens of a thread's messages kept whole when `thread_tokens` is not set.
pub const DEFAULT_THREAD_TOKENS: u32 = 4000;

/// The effect of an `llm` or `agent` node's thread: it writes the conversation.
pub fn thread_effect(config: &Map<String, Value>) -> Effect {
    if config.contains_key("thread") { Effect::Write } else { Effect::Pure }
}

/// The `llm` kind.
pub fn spec() -> KindSpec {
    KindSpec {
        name: "llm",
        title: "LLM",
        summary: "One model call with prompt templates, structured output and streaming",
        docs: DOCS,
        container: false,
        body_vars: &[],
        extra_inputs: true,
        extra_outputs: false,
        traits: Traits { model_calls, models: MODEL_FIELDS, ..PLAIN },
        config_schema: schema_of::<LlmConfig>,
        ports,
        fields,
        effect: |config, _| thread_effect(config),
        check,
        body_refs: no_body_refs,
        example: || json!({"model": "default", "prompt": "Summarise in three bullet points:\n\n{{ inputs.in | default('Floe runs AI workflows on your own machine.') }}"}),
    }
}

fn ports(config: &Map<String, Value>, _: &Catalog) -> Ports {
    let mut outputs = vec![PortDef::new("text", ValueType::String, "the model's reply")];
    if config.contains_key("output_schema") {
        outputs.push(PortDef::new("data", ValueType::Any, "the reply parsed and validated against output_schema"));
    }
    outputs.push(PortDef::new("usage", ValueType::Object, "tokens and cost of the call"));
    Ports { inputs: vec![in_port()], outputs }
}

fn fields(config: &Map<String, Value>) -> Vec<ScriptField> {
    fields_at(config, &["system", "prompt", "thread"], FieldRole::Template)
}

/// One call, and one more when a thread outgrows its budget and is summarised.
fn model_calls(config: &Map<String, Value>) -> Option<Repeats> {
    Some(if config.contains_key("thread") { Repeats::UpTo(2) } else { Repeats::Exactly(1) })
}

fn check(config: &Map<String, Value>, _: &Catalog) -> Vec<Diagnostic> {
    check_models(config)
}

/// The config fields of `llm` and `agent` nodes that name models.
pub const MODEL_FIELDS: &[&str] = &["model", "fallbacks"];

/// Checks every model named in `model` and `fallbacks` is written `provider:model` or is
/// `default` (shared with `agent`).
pub fn check_models(config: &Map<String, Value>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (pointer, name) in crate::catalog::model_names(config, MODEL_FIELDS) {
        if name != crate::catalog::DEFAULT_MODEL && !is_model_name(name) {
            out.push(Diagnostic::new(
                Code::InvalidModel,
                pointer,
                format!("model {name:?} is not written `provider:model`"),
                "name the provider and the model, e.g. `openai:gpt-4o-mini`, `anthropic:claude-sonnet-4-5` or `ollama:llama3.2`, or write `default` for the default model",
            ));
        }
    }
    out
}

/// Whether `name` is written `provider:model`.
pub fn is_model_name(name: &str) -> bool {
    name.split_once(':').is_some_and(|(provider, model)| {
        !provider.is_empty()
            && provider.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
            && !model.trim().is_empty()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_default_fallback_classes_are_the_ones_used() {
        let schema = schemars::schema_for!(LlmConfig).to_value();
        let doc = schema["properties"]["fallback_on"]["description"].as_str().unwrap_or_default().to_owned();
        let listed = doc.split("(default: ").nth(1).and_then(|rest| rest.split(')').next()).unwrap_or_default();
        let listed: Vec<String> = listed.split(',').map(|c| c.split_whitespace().collect::<String>()).collect();
        let used: Vec<String> = DEFAULT_FALLBACK_ON
            .iter()
            .map(|class| {
                serde_json::to_value(class).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
            })
            .collect();
        assert_eq!(listed, used, "{doc}");
    }
}
