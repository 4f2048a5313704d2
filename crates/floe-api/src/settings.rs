//! The Settings screen's methods: every provider with where its key comes from (never the key),
//! its base URL, organisation, timeout and concurrency; adding and removing endpoints; storing
//! and deleting keys in the OS keychain; testing a provider with one cheap call; the default
//! model. Every change goes through the registry, which writes the settings file atomically and
//! uses it at once.

use std::path::PathBuf;
use std::time::Instant;

use floe_llm::secrets::{self, KeySource, Secret};
use floe_llm::settings::{BUILTIN, ProviderSettings};
use floe_llm::{Api as Wire, ModelRef};
use schemars::JsonSchema;
use serde::Serialize;

use crate::{Api, ApiError};

/// Where a provider's key comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum KeyState {
    /// It needs none (a local server).
    NotNeeded,
    /// Stored in the OS keychain.
    Stored,
    /// From its environment variable (which wins over the keychain).
    Env,
    /// None yet.
    Missing,
}

/// One provider, as the Settings screen shows it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ProviderView {
    /// Its name (`openai`, `ollama`, an endpoint's own name).
    pub name: String,
    /// The API it speaks.
    pub api: Wire,
    /// Where it is served.
    pub base_url: String,
    /// Organisation id (OpenAI).
    pub organization: Option<String>,
    /// Longest wait for a reply's first byte and between chunks, e.g. `2m`.
    pub timeout: String,
    /// Most calls in flight at once.
    pub concurrency: u32,
    /// Whether it needs an API key.
    pub needs_key: bool,
    /// Where its key comes from.
    pub key: KeyState,
    /// The environment variable that would override its key.
    pub env_var: String,
    /// Floe knows it without settings (else it is an endpoint the user added).
    pub builtin: bool,
    /// Its settings entry, as written (empty for a built-in provider left as it is).
    pub settings: ProviderSettings,
}

/// The Settings screen's contents.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SettingsView {
    /// The settings file.
    pub path: Option<PathBuf>,
    /// The default model (`provider:model`), if one is chosen.
    pub default_model: Option<String>,
    /// The default model is set by `FLOE_DEFAULT_MODEL`, which wins over the settings.
    pub default_model_from_env: bool,
    /// Built-in providers first, then added endpoints.
    pub providers: Vec<ProviderView>,
    /// Why the settings file or the keychain cannot be used, when one cannot.
    pub problem: Option<String>,
}

/// What a provider's Test found.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ProviderTest {
    /// The call worked.
    pub ok: bool,
    /// What happened, in words (what to do when it failed).
    pub message: String,
    /// Models it listed.
    pub models: usize,
    /// How long the call took.
    pub elapsed_ms: u64,
}

impl Api {
    /// Every provider with its settings and key state, and the default model.
    pub fn settings(&self) -> Result<SettingsView, ApiError> {
        let settings = self.llm.settings();
        let mut problem = self.llm.settings_problem();
        let mut providers = Vec::new();
        let resolved = settings.providers().map_err(|e| ApiError::bad_request(e.to_string()))?;
        for provider in resolved {
            let key = if !provider.needs_key {
                KeyState::NotNeeded
            } else {
                match secrets::source(&provider.name) {
                    Ok(Some(KeySource::Env)) => KeyState::Env,
                    Ok(Some(KeySource::Keychain)) => KeyState::Stored,
                    Ok(None) => KeyState::Missing,
                    Err(error) => {
                        problem.get_or_insert(error.to_string());
                        KeyState::Missing
                    }
                }
            };
            providers.push(ProviderView {
                builtin: BUILTIN.iter().any(|b| b.0 == provider.name),
                settings: settings.providers.get(&provider.name).cloned().unwrap_or_default(),
                env_var: secrets::env_var(&provider.name),
                timeout: humantime::format_duration(provider.timeout).to_string(),
                name: provider.name,
                api: provider.api,
                base_url: provider.base_url,
                organization: provider.organization,
                concurrency: provider.concurrency,
                needs_key: provider.needs_key,
                key,
            });
        }
        Ok(SettingsView {
            path: self.llm.settings_path().map(std::path::Path::to_owned),
            default_model: self.llm.default_model(),
            default_model_from_env: std::env::var_os(floe_llm::settings::DEFAULT_MODEL_ENV)
                .is_some_and(|v| !v.is_empty()),
            providers,
            problem,
        })
    }

    /// Sets a provider's settings (a built-in one's overrides, or an endpoint the user adds:
    /// then `api` and `base_url` are needed). Fields left out keep Floe's own value.
    pub fn set_provider(&self, name: String, settings: ProviderSettings) -> Result<SettingsView, ApiError> {
        let valid = !name.is_empty()
            && name.len() <= 40
            && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if !valid {
            return Err(ApiError {
                pointer: Some("/name".into()),
                ..ApiError::bad_request(format!(
                    "{name:?} cannot name a provider: use lowercase letters, digits, `-` and `_` (e.g. `office-llm`)"
                ))
            });
        }
        if let Some(url) = &settings.base_url {
            let parsed = reqwest::Url::parse(url).ok().filter(|u| matches!(u.scheme(), "http" | "https"));
            if parsed.is_none() {
                return Err(ApiError {
                    pointer: Some("/settings/base_url".into()),
                    ..ApiError::bad_request(format!(
                        "the base URL {url:?} is not an http(s) address; write it whole, e.g. http://127.0.0.1:8080/v1"
                    ))
                });
            }
        }
        let entry = settings.clone();
        self.llm
            .update_settings(move |file| {
                // An empty entry is no entry: a built-in provider back to Floe's own values.
                if entry == ProviderSettings::default() {
                    file.providers.remove(&name);
                } else {
                    file.providers.insert(name, entry);
                }
                Ok(())
            })
            .map_err(|e| ApiError::bad_request(e.to_string()))?;
        self.settings()
    }

    /// Removes an endpoint the user added (and its stored key), or puts a built-in provider
    /// back to Floe's own values.
    pub fn remove_provider(&self, name: String) -> Result<SettingsView, ApiError> {
        let builtin = BUILTIN.iter().any(|b| b.0 == name);
        let known = builtin || self.llm.settings().providers.contains_key(&name);
        if !known {
            return Err(ApiError::not_found(format!("there is no provider `{name}` in the settings")));
        }
        let removed = name.clone();
        self.llm
            .update_settings(move |file| {
                file.providers.remove(&removed);
                if !builtin
                    && file
                        .default_model
                        .as_deref()
                        .and_then(|m| ModelRef::parse(m).ok())
                        .is_some_and(|m| m.provider == removed)
                {
                    file.default_model = None;
                }
                Ok(())
            })
            .map_err(|e| ApiError::bad_request(e.to_string()))?;
        if !builtin {
            // Its key would otherwise outlive it, unseen.
            secrets::delete(&name).map_err(|e| ApiError::internal(e.to_string()))?;
        }
        self.settings()
    }

    /// Stores a provider's API key in the OS keychain. The answer never carries it back.
    pub fn set_key(&self, provider: String, key: String) -> Result<SettingsView, ApiError> {
        let resolved = self.llm.provider(&provider).map_err(|e| ApiError::not_found(e.message))?;
        let key = key.trim();
        if key.is_empty() {
            return Err(ApiError {
                pointer: Some("/key".into()),
                ..ApiError::bad_request("the key is empty; paste the whole key")
            });
        }
        if !resolved.needs_key {
            return Err(ApiError::bad_request(format!("{provider} needs no key (it is a local server)")));
        }
        secrets::store(&provider, &Secret::new(key)).map_err(|e| ApiError::internal(e.to_string()))?;
        self.llm.forget_keys();
        self.llm.forget_models();
        self.settings()
    }

    /// Deletes a provider's API key from the OS keychain.
    pub fn delete_key(&self, provider: String) -> Result<SettingsView, ApiError> {
        self.llm.provider(&provider).map_err(|e| ApiError::not_found(e.message))?;
        secrets::delete(&provider).map_err(|e| ApiError::internal(e.to_string()))?;
        self.llm.forget_keys();
        self.llm.forget_models();
        self.settings()
    }

    /// Chooses the default model (`provider:model`), or unsets it.
    pub fn set_default_model(&self, model: Option<String>) -> Result<SettingsView, ApiError> {
        if let Some(model) = &model {
            let name = ModelRef::parse(model).map_err(|e| ApiError::bad_request(e.message))?;
            self.llm.provider(&name.provider).map_err(|e| ApiError::bad_request(e.message))?;
        }
        self.llm
            .update_settings(move |file| {
                file.default_model = model;
                Ok(())
            })
            .map_err(|e| ApiError::bad_request(e.to_string()))?;
        self.settings()
    }

    /// One cheap call to a provider (listing its models), to check its key and base URL.
    pub async fn test_provider(&self, name: String) -> Result<ProviderTest, ApiError> {
        self.llm.provider(&name).map_err(|e| ApiError::not_found(e.message))?;
        self.llm.forget_keys();
        let started = Instant::now();
        let result = self.llm.check(&name).await;
        let elapsed_ms = started.elapsed().as_millis() as u64;
        Ok(match result {
            Ok(models) => ProviderTest {
                ok: true,
                message: format!(
                    "{name} answered in {elapsed_ms} ms and lists {} model{}",
                    models.len(),
                    if models.len() == 1 { "" } else { "s" }
                ),
                models: models.len(),
                elapsed_ms,
            },
            Err(error) => ProviderTest { ok: false, message: error.message, models: 0, elapsed_ms },
        })
    }
}

/// The example blueprints and the files they read, as shipped with this build.
static EXAMPLES: include_dir::Dir<'_> = include_dir::include_dir!("$CARGO_MANIFEST_DIR/../../blueprints");

impl Api {
    /// Copies the examples (and the files they read) into the open folder; a file already there
    /// is left as it is. Answers with the folder's blueprints.
    pub fn add_examples(&self) -> Result<crate::WorkspaceInfo, ApiError> {
        let root = self.folder().root().to_owned();
        let mut pending = vec![&EXAMPLES];
        while let Some(dir) = pending.pop() {
            for entry in dir.entries() {
                match entry {
                    include_dir::DirEntry::Dir(child) => pending.push(child),
                    include_dir::DirEntry::File(file) => {
                        let target = root.join(file.path());
                        if target.exists() {
                            continue;
                        }
                        if let Some(folder) = target.parent() {
                            std::fs::create_dir_all(folder)
                                .map_err(|e| ApiError::internal(format!("cannot create {}: {e}", folder.display())))?;
                        }
                        floe_engine::files::write_atomic(&target, file.contents())
                            .map_err(|e| ApiError::internal(e.to_string()))?;
                    }
                }
            }
        }
        self.workspace()
    }
}
