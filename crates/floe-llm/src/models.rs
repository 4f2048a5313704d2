//! Model discovery: the models each provider offers, read from its own list endpoint (OpenAI's
//! and compatible servers' `/models`, Anthropic's `/v1/models`, Gemini's `/v1beta/models`,
//! Ollama's `/api/tags`), with the price per million tokens from the price table and the
//! context size where the provider says it. Lists are cached per provider until a refresh.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::prices::{Price, Prices};
use crate::providers::Api;

/// A model a provider offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ModelInfo {
    /// As a node's `model` field takes it: `provider:model`.
    pub id: String,
    /// The provider's name.
    pub provider: String,
    /// The model's name at the provider.
    pub model: String,
    /// A readable name, when the provider gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Its context window in tokens, when the provider says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<u64>,
    /// USD per million tokens, when the price table knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<Price>,
}

/// One provider's models, or why they could not be listed (no key, not running…).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ProviderModels {
    /// The provider's name.
    pub provider: String,
    /// Its models, sorted by name.
    pub models: Vec<ModelInfo>,
    /// What went wrong and what to do, when the list could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The models in a list reply of `api`, or `None` when the reply is not such a list.
pub(crate) fn parse(provider: &str, api: Api, body: &Value, prices: &Prices) -> Option<Vec<ModelInfo>> {
    let text = |value: &Value, key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned);
    let entries: Vec<(String, Option<String>, Option<u64>)> = match api {
        Api::Openai | Api::OpenaiCompatible => {
            body.get("data")?.as_array()?.iter().filter_map(|m| Some((text(m, "id")?, None, None))).collect()
        }
        Api::Anthropic => body
            .get("data")?
            .as_array()?
            .iter()
            .filter_map(|m| Some((text(m, "id")?, text(m, "display_name"), None)))
            .collect(),
        Api::Gemini => body
            .get("models")?
            .as_array()?
            .iter()
            .filter_map(|m| {
                let name = text(m, "name")?;
                let model = name.strip_prefix("models/").unwrap_or(&name).to_owned();
                Some((model, text(m, "displayName"), m.get("inputTokenLimit").and_then(Value::as_u64)))
            })
            .collect(),
        Api::Ollama => {
            body.get("models")?.as_array()?.iter().filter_map(|m| Some((text(m, "name")?, None, None))).collect()
        }
    };
    let mut models: Vec<ModelInfo> = entries
        .into_iter()
        .map(|(model, title, context)| ModelInfo {
            id: format!("{provider}:{model}"),
            provider: provider.to_owned(),
            price: prices.price(provider, &model),
            model,
            title,
            context,
        })
        .collect();
    models.sort_by(|a, b| a.model.cmp(&b.model));
    Some(models)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn each_vendors_list_is_read_with_prices() {
        let prices = Prices::builtin();
        let openai = json!({"object": "list", "data": [{"id": "gpt-4o-mini"}, {"id": "gpt-4o"}]});
        let models = parse("openai", Api::Openai, &openai, &prices).unwrap_or_default();
        assert_eq!(models.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["openai:gpt-4o", "openai:gpt-4o-mini"]);
        assert!(models[1].price.is_some_and(|p| p.input > 0.0));
        let gemini = json!({"models": [{"name": "models/gemini-2.5-flash", "displayName": "Gemini 2.5 Flash", "inputTokenLimit": 1048576}]});
        let models = parse("gemini", Api::Gemini, &gemini, &prices).unwrap_or_default();
        assert_eq!(models[0].model, "gemini-2.5-flash");
        assert_eq!((models[0].title.as_deref(), models[0].context), (Some("Gemini 2.5 Flash"), Some(1_048_576)));
        let ollama = json!({"models": [{"name": "llama3.2:latest"}]});
        let models = parse("ollama", Api::Ollama, &ollama, &prices).unwrap_or_default();
        assert_eq!(models[0].id, "ollama:llama3.2:latest");
        assert_eq!(parse("openai", Api::Openai, &json!({"error": "nope"}), &prices), None);
    }
}
