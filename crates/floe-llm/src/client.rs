//! [`Llm`]: the provider registry. It resolves `provider:model` names, holds one HTTP client and
//! one concurrency limit per provider, finds keys, streams calls, walks fallback chains and
//! enforces output schemas.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use floe_blueprint::ErrorClass;
use serde_json::Value;
use tokio::sync::Semaphore;

use crate::error::LlmError;
use crate::models::{ModelInfo, ProviderModels};
use crate::prices::Prices;
use crate::secrets::{self, Secret};
use crate::settings::{Provider, Settings, SettingsError};
use crate::stream::decode;
use crate::types::{ChatRequest, ChatResponse, Message, Usage};

/// A model named `provider:model`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ModelRef {
    /// The provider (`openai`).
    pub provider: String,
    /// The model as the provider names it (`gpt-4o-mini`).
    pub model: String,
}

impl ModelRef {
    /// Parses `provider:model`.
    pub fn parse(name: &str) -> Result<Self, LlmError> {
        if name == floe_blueprint::catalog::DEFAULT_MODEL {
            return Err(LlmError::new(
                ErrorClass::BadRequest,
                "the node calls the default model, and none is chosen: choose one in Settings (or run `floe models \
                 default <provider:model>`), or set the blueprint's default_model",
            ));
        }
        match name.split_once(':') {
            Some((provider, model)) if !provider.is_empty() && !model.trim().is_empty() => {
                Ok(Self { provider: provider.to_owned(), model: model.to_owned() })
            }
            _ => Err(LlmError::new(
                ErrorClass::BadRequest,
                format!(
                    "model {name:?} is not written `provider:model`, e.g. `openai:gpt-4o-mini` or `ollama:llama3.2`"
                ),
            )),
        }
    }
}

impl std::fmt::Display for ModelRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.provider, self.model)
    }
}

/// Finds a provider's key.
pub type KeyLookup = Arc<dyn Fn(&str) -> Option<Secret> + Send + Sync>;

/// Something that happened during a call that the caller may want to show (a fallback, a
/// re-ask).
#[derive(Debug, Clone, PartialEq)]
pub enum Note {
    /// `from` failed with `error`; `to` is tried next.
    FallingBack {
        /// The model that failed.
        from: String,
        /// The next one.
        to: String,
        /// Why.
        error: LlmError,
    },
    /// The reply did not match the output schema; the model is asked again.
    Reasking {
        /// Re-ask number, from 1.
        attempt: u32,
        /// What was wrong.
        problem: String,
    },
}

/// One logical call: a model and its fallbacks, the request, and an optional output schema.
#[derive(Debug, Clone)]
pub struct Call {
    /// Models in order; the first is the primary.
    pub models: Vec<ModelRef>,
    /// Classes that move on to the next model.
    pub fallback_on: Vec<ErrorClass>,
    /// The request (its `model` is filled per attempt; `output_schema` is set from `schema`).
    pub request: ChatRequest,
    /// JSON Schema the reply must match.
    pub schema: Option<Value>,
    /// How many times a non-matching reply is sent back with the problem (default 2).
    pub reasks: u32,
}

/// A finished call.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    /// The model that answered.
    pub model: ModelRef,
    /// The reply (its usage is this model's last call).
    pub response: ChatResponse,
    /// The reply parsed and validated, when a schema was given.
    pub data: Option<Value>,
    /// Tokens over every call made (fallbacks and re-asks included).
    pub usage: Usage,
    /// Their cost in USD, when every model used has a price.
    pub cost_usd: Option<f64>,
}

/// The registry: one per process, shared by every run, so per-provider limits hold across runs.
pub struct Llm {
    /// The settings and prices in force, replaced whole when the settings file changes.
    loaded: std::sync::RwLock<Arc<Loaded>>,
    /// The settings file followed, when the registry was made from one.
    source: Option<Source>,
    http: reqwest::Client,
    /// Per provider: the concurrency it was made for, and the semaphore.
    limits: Mutex<HashMap<String, (u32, Arc<Semaphore>)>>,
    keys: KeyLookup,
    cached_keys: Mutex<HashMap<String, Option<Secret>>>,
    /// Each provider's model list, as last read (until a refresh).
    cached_models: Mutex<HashMap<String, Vec<ModelInfo>>>,
}

/// Settings and the price table they name, as one version.
#[derive(Debug)]
struct Loaded {
    settings: Settings,
    prices: Prices,
    /// Why the settings file could not be used, when it could not (calls then say so).
    problem: Option<String>,
}

/// The settings file a registry follows: its path and the version last read.
#[derive(Debug)]
struct Source {
    path: std::path::PathBuf,
    stamp: Mutex<Stamp>,
}

/// What tells one version of a file from another without reading it.
type Stamp = Option<(Option<std::time::SystemTime>, u64)>;

fn stamp_of(path: &std::path::Path) -> Stamp {
    std::fs::metadata(path).ok().map(|m| (m.modified().ok(), m.len()))
}

/// Reads the settings at `path` and the prices they name; a problem is kept, not thrown, so a
/// registry made from a broken file says what is wrong on each call until the file is fixed.
fn load(path: &std::path::Path) -> Loaded {
    let settings = match Settings::load(path) {
        Ok(settings) => settings,
        Err(error) => {
            return Loaded {
                settings: Settings::default(),
                prices: Prices::builtin(),
                problem: Some(format!("{error}; fix the settings file")),
            };
        }
    };
    match &settings.prices {
        Some(prices) => match Prices::with_overrides(prices) {
            Ok(prices) => Loaded { settings, prices, problem: None },
            Err(message) => Loaded { settings, prices: Prices::builtin(), problem: Some(message) },
        },
        None => Loaded { settings, prices: Prices::builtin(), problem: None },
    }
}

impl std::fmt::Debug for Llm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Llm").field("settings", &self.loaded().settings).finish_non_exhaustive()
    }
}

impl Llm {
    /// A registry over `settings` and `prices`, finding keys in the environment and the keychain.
    pub fn new(settings: Settings, prices: Prices) -> Self {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .connect_timeout(std::time::Duration::from_secs(10))
            .user_agent(concat!("floe/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        Self {
            loaded: std::sync::RwLock::new(Arc::new(Loaded { settings, prices, problem: None })),
            source: None,
            http,
            limits: Mutex::default(),
            keys: Arc::new(|provider| secrets::lookup(provider).map(|(secret, _)| secret)),
            cached_keys: Mutex::default(),
            cached_models: Mutex::default(),
        }
    }

    /// A registry that follows the settings file at `path`: a change to it (a provider, a base
    /// URL, a limit, the price table) applies from the next call on, without a restart. A file
    /// that cannot be used makes every call say what is wrong with it until it is fixed.
    pub fn following(path: &std::path::Path) -> Self {
        let mut llm = Self::new(Settings::default(), Prices::builtin());
        *llm.loaded.get_mut().unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(load(path));
        llm.source = Some(Source { path: path.to_owned(), stamp: Mutex::new(stamp_of(path)) });
        llm
    }

    /// Reads the default settings file and the price table it names, and follows it.
    pub fn from_default_settings() -> Result<Self, SettingsError> {
        let llm = match Settings::default_path() {
            Some(path) => Self::following(&path),
            None => Self::new(Settings::default(), Prices::builtin()),
        };
        if let Some(problem) = &llm.loaded().problem {
            return Err(SettingsError::Provider { name: "settings".into(), message: problem.clone() });
        }
        Ok(llm)
    }

    /// The settings and prices in force, reading the settings file again when it changed.
    fn loaded(&self) -> Arc<Loaded> {
        if let Some(source) = &self.source {
            let now = stamp_of(&source.path);
            let mut stamp = source.stamp.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if *stamp != now {
                *stamp = now;
                let fresh = Arc::new(load(&source.path));
                if let Some(problem) = &fresh.problem {
                    tracing::warn!(path = %source.path.display(), "the settings file changed and cannot be used: {problem}");
                } else {
                    tracing::info!(path = %source.path.display(), "the settings file changed; using it from now on");
                }
                *self.loaded.write().unwrap_or_else(std::sync::PoisonError::into_inner) = fresh;
                // A key may have been set or removed meanwhile.
                self.forget_keys();
            }
        }
        self.loaded.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Why the settings file cannot be used, when it cannot (the registry then runs on Floe's
    /// own values).
    pub fn settings_problem(&self) -> Option<String> {
        self.loaded().problem.clone()
    }

    /// The settings file this registry follows, if any.
    pub fn settings_path(&self) -> Option<&std::path::Path> {
        self.source.as_ref().map(|s| s.path.as_path())
    }

    /// The default model (`FLOE_DEFAULT_MODEL`, else the settings'), as `provider:model`.
    pub fn default_model(&self) -> Option<String> {
        self.loaded().settings.default_model()
    }

    /// Changes the settings file: reads it afresh (so edits made elsewhere are kept), applies
    /// `change`, checks every provider still resolves, writes it atomically and uses it from
    /// now on. One change at a time; a file that cannot be read is left alone and said so.
    pub fn update_settings(
        &self,
        change: impl FnOnce(&mut Settings) -> Result<(), String>,
    ) -> Result<Settings, SettingsError> {
        let Some(source) = &self.source else {
            return Err(SettingsError::Provider {
                name: "settings".into(),
                message: "this registry has no settings file (set FLOE_SETTINGS)".into(),
            });
        };
        let mut stamp = source.stamp.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut settings = Settings::load(&source.path)?;
        change(&mut settings).map_err(|message| SettingsError::Provider { name: "settings".into(), message })?;
        settings.providers()?;
        settings.save(&source.path)?;
        *stamp = stamp_of(&source.path);
        *self.loaded.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(load(&source.path));
        drop(stamp);
        // A base URL or a key may have changed: look keys up and list models again.
        self.forget_keys();
        self.forget_models();
        Ok(settings)
    }

    /// Lists every provider's models afresh on the next call.
    pub fn forget_models(&self) {
        self.cached_models.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clear();
    }

    /// Looks API keys up again on the next call (after one was set or deleted).
    pub fn forget_keys(&self) {
        self.cached_keys.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clear();
    }

    /// Uses `keys` to find API keys instead of the environment and the keychain.
    pub fn with_keys(mut self, keys: KeyLookup) -> Self {
        self.keys = keys;
        self
    }

    /// The settings in force.
    pub fn settings(&self) -> Settings {
        self.loaded().settings.clone()
    }

    /// The price table in force.
    pub fn prices(&self) -> Prices {
        self.loaded().prices.clone()
    }

    /// A provider with its settings resolved.
    pub fn provider(&self, name: &str) -> Result<Provider, LlmError> {
        let loaded = self.loaded();
        if let Some(problem) = &loaded.problem {
            return Err(LlmError::new(ErrorClass::BadRequest, problem.clone()));
        }
        loaded.settings.provider(name).map_err(|e| LlmError::new(ErrorClass::BadRequest, e.to_string()))
    }

    /// Whether `provider` has the key it needs (or needs none).
    pub(crate) fn has_key(&self, provider: &Provider) -> bool {
        self.key(provider).is_ok()
    }

    pub(crate) fn key(&self, provider: &Provider) -> Result<Option<Secret>, LlmError> {
        let mut cached = self.cached_keys.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        // A provider that needs no key (a local server) is never looked up: no keychain prompt,
        // no warning that the keychain is unavailable.
        if !provider.needs_key {
            return Ok(None);
        }
        let key = cached.entry(provider.name.clone()).or_insert_with(|| (self.keys)(&provider.name)).clone();
        if key.is_none() {
            return Err(LlmError::new(
                ErrorClass::Auth,
                format!(
                    "no API key for {0}: set it in Settings (or run `floe keys set {0}`, or set {1})",
                    provider.name,
                    secrets::env_var(&provider.name)
                ),
            ));
        }
        Ok(key)
    }

    pub(crate) fn limit(&self, provider: &Provider) -> Arc<Semaphore> {
        let mut limits = self.limits.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (made_for, semaphore) = limits
            .entry(provider.name.clone())
            .or_insert_with(|| (provider.concurrency, Arc::new(Semaphore::new(provider.concurrency as usize))));
        if *made_for != provider.concurrency {
            // The limit changed in the settings: calls from now on share a new one (calls in
            // flight finish under the old one).
            *made_for = provider.concurrency;
            *semaphore = Arc::new(Semaphore::new(provider.concurrency as usize));
        }
        semaphore.clone()
    }

    /// The HTTP client every call shares.
    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// One streamed call to one model; `on_delta` gets reply text as it arrives. Waits for a
    /// free place under the provider's concurrency limit first.
    pub async fn chat(
        &self,
        model: &ModelRef,
        request: &ChatRequest,
        on_delta: &mut (dyn FnMut(&str) + Send),
    ) -> Result<ChatResponse, LlmError> {
        let provider = self.provider(&model.provider)?;
        let key = self.key(&provider)?;
        let limit = self.limit(&provider);
        let _permit =
            limit.acquire().await.map_err(|_| LlmError::new(ErrorClass::Server, "the provider limit closed"))?;
        let mut request = request.clone();
        request.model.clone_from(&model.model);
        let name = provider.name.as_str();
        let builder =
            provider.api.chat(&self.http, &provider.base_url, key.as_ref(), provider.organization.as_deref(), &request);
        let response = tokio::time::timeout(provider.timeout, builder.send())
            .await
            .map_err(|_| LlmError::timeout(name, provider.timeout, "reply"))?
            .map_err(|e| LlmError::transport(name, provider.api, &e))?;
        let status = response.status();
        if !status.is_success() {
            let headers = response.headers().clone();
            let body = tokio::time::timeout(provider.timeout, response.text()).await.ok().and_then(Result::ok);
            return Err(provider.error(status, &headers, &body.unwrap_or_default()));
        }
        let framing = provider.api.framing();
        let decoder = provider.api.decoder(name);
        decode(name, Box::pin(response.bytes_stream()), framing, provider.timeout, decoder, on_delta).await
    }

    /// The cheapest authenticated request (listing models), to check a key and a base URL; the
    /// models it lists are kept as the provider's list.
    pub async fn check(&self, provider: &str) -> Result<Vec<ModelInfo>, LlmError> {
        let provider = self.provider(provider)?;
        let models = self.list_models(&provider).await?;
        let mut cache = self.cached_models.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        cache.insert(provider.name.clone(), models.clone());
        Ok(models)
    }

    /// The models of every provider, listed concurrently, each read once until `refresh`; a
    /// provider that cannot be listed (no key, not running) says why in its entry.
    pub async fn models(&self, refresh: bool) -> Result<Vec<ProviderModels>, LlmError> {
        let providers =
            self.settings().providers().map_err(|e| LlmError::new(ErrorClass::BadRequest, e.to_string()))?;
        Ok(futures::future::join_all(providers.iter().map(|provider| self.provider_models(provider, refresh))).await)
    }

    async fn provider_models(&self, provider: &Provider, refresh: bool) -> ProviderModels {
        let cached = (!refresh)
            .then(|| {
                let cache = self.cached_models.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                cache.get(&provider.name).cloned()
            })
            .flatten();
        let listed = match cached {
            Some(models) => Ok(models),
            None => self.list_models(provider).await,
        };
        let name = provider.name.clone();
        match listed {
            Ok(models) => {
                let mut cache = self.cached_models.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                cache.insert(name.clone(), models.clone());
                ProviderModels { provider: name, models, error: None }
            }
            Err(error) => ProviderModels { provider: name, models: Vec::new(), error: Some(error.message) },
        }
    }

    /// Sends a request that answers in one body (not a stream) under the provider's timeout, and
    /// reads the body; an error status is classified as the provider's error. `what` names the
    /// body in a timeout's message.
    pub(crate) async fn send_whole(
        &self,
        provider: &Provider,
        builder: reqwest::RequestBuilder,
        what: &str,
    ) -> Result<String, LlmError> {
        let name = provider.name.as_str();
        let response = tokio::time::timeout(provider.timeout, builder.send())
            .await
            .map_err(|_| LlmError::timeout(name, provider.timeout, "reply"))?
            .map_err(|e| LlmError::transport(name, provider.api, &e))?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = tokio::time::timeout(provider.timeout, response.text())
            .await
            .map_err(|_| LlmError::timeout(name, provider.timeout, what))?
            .map_err(|e| LlmError::transport(name, provider.api, &e))?;
        if !status.is_success() {
            return Err(provider.error(status, &headers, &body));
        }
        Ok(body)
    }

    /// Reads a provider's model list from its list endpoint.
    async fn list_models(&self, provider: &Provider) -> Result<Vec<ModelInfo>, LlmError> {
        let key = self.key(provider)?;
        let name = provider.name.as_str();
        let builder = provider.api.list_models(&self.http, &provider.base_url, key.as_ref());
        let body = self.send_whole(provider, builder, "model list").await?;
        serde_json::from_str::<Value>(&body)
            .ok()
            .and_then(|list| crate::models::parse(name, provider.api, &list, &self.prices()))
            .ok_or_else(|| LlmError::not_a_stream(name, body.as_bytes()))
    }

    /// The cost of `usage` on `model`, when it has a price.
    pub fn cost(&self, model: &ModelRef, usage: Usage) -> Option<f64> {
        self.loaded().prices.price(&model.provider, &model.model).map(|p| p.cost(usage))
    }

    /// A whole call: the models in order (moving on when a failure's class is in
    /// `fallback_on`), and with a schema, the reply parsed and validated, re-asking with the
    /// problem up to `reasks` times. `on_delta` streams text; `on_note` hears of fallbacks and
    /// re-asks.
    pub async fn complete(
        &self,
        call: &Call,
        on_delta: &mut (dyn FnMut(&str) + Send),
        on_note: &mut (dyn FnMut(Note) + Send),
    ) -> Result<Completion, LlmError> {
        let mut usage = Usage::default();
        let mut cost = Some(0.0);
        let mut last_error = None;
        for (i, model) in call.models.iter().enumerate() {
            match self.complete_one(model, call, on_delta, on_note, &mut usage, &mut cost).await {
                Ok((response, data)) => {
                    return Ok(Completion { model: model.clone(), response, data, usage, cost_usd: cost });
                }
                Err(error) => {
                    let next = call.models.get(i + 1);
                    match next {
                        Some(next) if call.fallback_on.contains(&error.class) => {
                            on_note(Note::FallingBack {
                                from: model.to_string(),
                                to: next.to_string(),
                                error: error.clone(),
                            });
                            last_error = Some(error);
                        }
                        _ => return Err(error),
                    }
                }
            }
        }
        Err(last_error.unwrap_or_else(|| LlmError::new(ErrorClass::BadRequest, "the node names no model")))
    }

    async fn complete_one(
        &self,
        model: &ModelRef,
        call: &Call,
        on_delta: &mut (dyn FnMut(&str) + Send),
        on_note: &mut (dyn FnMut(Note) + Send),
        usage: &mut Usage,
        cost: &mut Option<f64>,
    ) -> Result<(ChatResponse, Option<Value>), LlmError> {
        let mut request = call.request.clone();
        let Some(schema) = &call.schema else {
            let response = self.chat(model, &request, on_delta).await?;
            self.account(model, response.usage, usage, cost);
            return Ok((response, None));
        };
        let validator = crate::schema::validator(schema).map_err(|e| {
            LlmError::new(ErrorClass::BadRequest, format!("`output_schema` is not a valid JSON Schema: {e}"))
        })?;
        let provider = self.provider(&model.provider)?;
        if provider.api.native_schema() {
            request.output_schema = Some(schema.clone());
        } else {
            request.messages.insert(0, Message::system(schema_instruction(schema)));
        }
        let mut attempt = 0;
        loop {
            let response = self.chat(model, &request, on_delta).await?;
            self.account(model, response.usage, usage, cost);
            let problem = match parse_json_reply(&response.text) {
                Ok(value) => {
                    let errors: Vec<String> = validator
                        .iter_errors(&value)
                        .take(5)
                        .map(|e| format!("at `{}`: {e}", e.instance_path().as_str()))
                        .collect();
                    if errors.is_empty() {
                        return Ok((response, Some(value)));
                    }
                    format!("the reply does not match the output schema: {}", errors.join("; "))
                }
                Err(error) => format!("the reply is not JSON ({error})"),
            };
            if attempt >= call.reasks {
                return Err(LlmError::new(
                    ErrorClass::InvalidOutput,
                    format!(
                        "{model}: {problem} (after {attempt} re-ask{}); simplify the schema, raise max_tokens or retry on invalid_output",
                        if attempt == 1 { "" } else { "s" }
                    ),
                ));
            }
            attempt += 1;
            on_note(Note::Reasking { attempt, problem: problem.clone() });
            request.messages.push(Message::assistant(response.text, Vec::new()));
            request.messages.push(Message::user(format!(
                "{problem}. Reply again with only the corrected JSON value, no prose and no code fences."
            )));
        }
    }

    fn account(&self, model: &ModelRef, add: Usage, usage: &mut Usage, cost: &mut Option<f64>) {
        usage.add(add);
        *cost = match (*cost, self.cost(model, add)) {
            (Some(total), Some(more)) => Some(total + more),
            _ => None,
        };
    }
}

/// The instruction given to models without native structured output.
fn schema_instruction(schema: &Value) -> String {
    format!(
        "Reply with only a JSON value that matches this JSON Schema, with no prose and no code fences:\n{}",
        serde_json::to_string_pretty(schema).unwrap_or_default()
    )
}

/// A reply as JSON, tolerating a Markdown code fence around it.
fn parse_json_reply(text: &str) -> Result<Value, serde_json::Error> {
    let trimmed = text.trim();
    let unfenced = trimmed
        .strip_prefix("```json")
        .or_else(|| trimmed.strip_prefix("```"))
        .and_then(|rest| rest.trim_end().strip_suffix("```"))
        .unwrap_or(trimmed);
    serde_json::from_str(unfenced.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_names_parse() {
        let m = ModelRef::parse("openrouter:meta-llama/llama-3.1-8b:free").expect("parses");
        assert_eq!((m.provider.as_str(), m.model.as_str()), ("openrouter", "meta-llama/llama-3.1-8b:free"));
        assert_eq!(ModelRef::parse("gpt-4o").expect_err("no provider").class, ErrorClass::BadRequest);
    }

    #[test]
    fn fenced_json_replies_parse() {
        assert_eq!(parse_json_reply("```json\n{\"a\": 1}\n```").expect("fenced"), serde_json::json!({"a": 1}));
        assert!(parse_json_reply("Sure! {\"a\": 1}").is_err());
    }
}
