//! Readiness: whether a model can be called at all, checked before a run starts so that a run
//! that cannot call its model stops before any node runs, saying what to do. A cloud provider is
//! ready when it has a key (no call is made: it would cost the user); a local server (one that
//! needs no key) is asked for its model list, briefly, and must list the model.

use std::time::Duration;

use schemars::JsonSchema;
use serde::Serialize;

use crate::client::{Llm, ModelRef};
use crate::secrets;

/// How long a local server may take to list its models before it counts as not answering.
pub const LOCAL_ANSWER: Duration = Duration::from_secs(3);

/// What to do about a model that cannot be called: the action the app offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Remedy {
    /// No default model is chosen: choose one in Settings.
    ChooseDefault,
    /// The provider needs an API key: set one in Settings at that provider.
    SetKey,
    /// A local server does not answer: start it (`ollama serve`), or check its base URL.
    StartServer,
    /// The local server answers but does not have the model: pull it, or pick another model.
    PullModel,
    /// The model name or its provider is wrong (unknown provider, broken settings): pick
    /// another model, or fix the provider in Settings.
    FixModel,
}

/// Why a model cannot be called, and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct NotReady {
    /// The model as the node names it (`provider:model`, or `default`).
    pub model: String,
    /// Its provider, when the name has one.
    pub provider: Option<String>,
    /// What to do.
    pub remedy: Remedy,
    /// The problem and the fix, in words.
    pub message: String,
}

impl Llm {
    /// Whether `model` (`provider:model`, or `default` when none was chosen) can be called: the
    /// provider is known, has its key, and (a local server) answers and has the model.
    pub async fn ready(&self, model: &str) -> Result<(), NotReady> {
        let not = |provider: Option<&str>, remedy, message: String| NotReady {
            model: model.to_owned(),
            provider: provider.map(str::to_owned),
            remedy,
            message,
        };
        if model == floe_blueprint::catalog::DEFAULT_MODEL {
            return Err(not(
                None,
                Remedy::ChooseDefault,
                "no default model is chosen: choose one in Settings (or run `floe models default <provider:model>`), \
                 or set the blueprint's default_model"
                    .into(),
            ));
        }
        let name = ModelRef::parse(model).map_err(|e| not(None, Remedy::FixModel, e.message))?;
        let provider_name = Some(name.provider.as_str());
        let provider = self.provider(&name.provider).map_err(|e| not(provider_name, Remedy::FixModel, e.message))?;
        if provider.needs_key {
            if self.has_key(&provider) {
                return Ok(());
            }
            return Err(not(
                provider_name,
                Remedy::SetKey,
                format!(
                    "{} needs an API key: set it in Settings (or run `floe keys set {0}`, or set {})",
                    provider.name,
                    secrets::env_var(&provider.name)
                ),
            ));
        }
        let listed = match tokio::time::timeout(LOCAL_ANSWER, self.check(&provider.name)).await {
            Ok(listed) => listed,
            Err(_) => {
                return Err(not(
                    provider_name,
                    Remedy::StartServer,
                    format!(
                        "{} does not answer at {} (waited {}s); start it, or check its base URL in Settings",
                        provider.name,
                        provider.base_url,
                        LOCAL_ANSWER.as_secs()
                    ),
                ));
            }
        };
        let models = listed.map_err(|e| {
            let remedy =
                if e.class == floe_blueprint::ErrorClass::Network { Remedy::StartServer } else { Remedy::FixModel };
            not(provider_name, remedy, e.message)
        })?;
        // Ollama lists `llama3.2:latest` for `llama3.2`.
        let has = |id: &str| id == name.model || id.strip_suffix(":latest") == Some(name.model.as_str());
        if models.iter().any(|m| has(&m.model)) {
            return Ok(());
        }
        let pull = if provider.api == crate::Api::Ollama {
            format!("run `ollama pull {}`", name.model)
        } else {
            "load it in the server".to_owned()
        };
        let listed: Vec<&str> = models.iter().take(8).map(|m| m.model.as_str()).collect();
        Err(not(
            provider_name,
            Remedy::PullModel,
            format!(
                "{} has no model `{}`: {pull}, or choose one it has ({})",
                provider.name,
                name.model,
                if listed.is_empty() { "it lists none".to_owned() } else { listed.join(", ") }
            ),
        ))
    }
}
