//! The provider registry's settings: base URLs, organisation ids, timeouts and concurrency limits
//! per provider, read from `settings.json` in the platform config folder (or `FLOE_SETTINGS`).
//! Built-in providers need no entry; a settings entry overrides them field by field or adds a
//! new OpenAI-compatible endpoint. The file also names the default model (what a node's
//! `"model": "default"` calls). It is written atomically (a temporary file renamed over it).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::providers::Api;

/// The settings file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The model a node whose `model` is `"default"` calls, as `provider:model`
    /// (`FLOE_DEFAULT_MODEL` overrides it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_model: Option<String>,
    /// The model that embeds memories for similarity search, as `provider:model` (OpenAI,
    /// Ollama or any OpenAI-compatible endpoint; `FLOE_EMBEDDING_MODEL` overrides it). None:
    /// memory search is by keyword only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embedding_model: Option<String>,
    /// Provider name → its settings.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub providers: BTreeMap<String, ProviderSettings>,
    /// MCP servers whose tools workflows may call, by name (`mcpServers`, as Claude Desktop's
    /// configuration writes it, is read too).
    #[serde(default, alias = "mcpServers", skip_serializing_if = "BTreeMap::is_empty")]
    pub mcp_servers: BTreeMap<String, McpServerSettings>,
    /// A price table overriding (entry by entry) the built-in one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prices: Option<PathBuf>,
}

/// One provider's settings; unset fields keep the built-in value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProviderSettings {
    /// The API it speaks (required for a provider Floe does not know).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api: Option<Api>,
    /// Where it is served.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// Organisation id (OpenAI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    /// Longest wait for the first byte of a reply and between stream chunks, e.g. `"120s"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
    /// Most calls in flight at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<u32>,
    /// Whether it needs an API key (local servers do not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub needs_key: Option<bool>,
}

/// An MCP server: a command started with stdio (`command`, `args`, `env`), or a streamable HTTP
/// endpoint (`url`, `headers`). The shape is Claude Desktop's and Cursor's, so their entries can
/// be pasted as they are (their `type` is read and not needed).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct McpServerSettings {
    /// The program that serves MCP on its stdin and stdout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// Its arguments.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    /// Environment variables it gets (beside Floe's own).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    /// Or: the URL of a streamable HTTP MCP endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// HTTP headers sent with every request (e.g. `Authorization`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// `stdio`, `http` or `streamable-http`, as other clients write it (read, not needed).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub transport: Option<String>,
    /// Longest wait for one tool call, e.g. `"5m"` (default 60 s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
}

/// A provider with every setting resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Provider {
    /// Its name (`openai`, `ollama`, `groq`…).
    pub name: String,
    /// The API it speaks.
    pub api: Api,
    /// Where it is served.
    pub base_url: String,
    /// Organisation id.
    pub organization: Option<String>,
    /// Longest wait for the first byte and between chunks.
    pub timeout: Duration,
    /// Most calls in flight.
    pub concurrency: u32,
    /// Whether a key is required.
    pub needs_key: bool,
}

impl Provider {
    /// Classifies an HTTP error reply from this provider (see [`crate::LlmError::from_status`]);
    /// for APIs whose paths follow a versioned base URL, a 404 says the base URL may lack `/v1`.
    pub fn error(
        &self,
        status: reqwest::StatusCode,
        headers: &reqwest::header::HeaderMap,
        body: &str,
    ) -> crate::LlmError {
        match self.api {
            Api::Openai | Api::OpenaiCompatible => {
                crate::LlmError::from_versioned(&self.name, &self.base_url, status, headers, body)
            }
            _ => crate::LlmError::from_status(&self.name, status, headers, body),
        }
    }
}

/// The environment variable that overrides the default model.
pub const DEFAULT_MODEL_ENV: &str = "FLOE_DEFAULT_MODEL";

/// The environment variable that overrides the embedding model.
pub const EMBEDDING_MODEL_ENV: &str = "FLOE_EMBEDDING_MODEL";

/// Default wait for a reply's first byte and between chunks.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);
/// Default calls in flight per provider.
pub const DEFAULT_CONCURRENCY: u32 = 8;

/// The providers Floe knows without settings: name, API, base URL, whether a key is needed.
pub const BUILTIN: &[(&str, Api, &str, bool)] = &[
    ("openai", Api::Openai, "https://api.openai.com/v1", true),
    ("anthropic", Api::Anthropic, "https://api.anthropic.com", true),
    ("gemini", Api::Gemini, "https://generativelanguage.googleapis.com", true),
    ("ollama", Api::Ollama, "http://127.0.0.1:11434", false),
    ("deepseek", Api::OpenaiCompatible, "https://api.deepseek.com/v1", true),
    ("groq", Api::OpenaiCompatible, "https://api.groq.com/openai/v1", true),
    ("mistral", Api::OpenaiCompatible, "https://api.mistral.ai/v1", true),
    ("openrouter", Api::OpenaiCompatible, "https://openrouter.ai/api/v1", true),
    ("together", Api::OpenaiCompatible, "https://api.together.xyz/v1", true),
    ("lmstudio", Api::OpenaiCompatible, "http://127.0.0.1:1234/v1", false),
    ("vllm", Api::OpenaiCompatible, "http://127.0.0.1:8000/v1", false),
];

/// Why the settings could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The file could not be read.
    #[error("cannot read the settings file {path}: {error}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        error: std::io::Error,
    },
    /// The file could not be written.
    #[error("cannot write the settings file {path}: {error}; check that its folder is writable")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        error: std::io::Error,
    },
    /// The file is not valid settings JSON.
    #[error("the settings file {path} is invalid at line {line}, column {column}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// Where.
        line: usize,
        /// Where.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// A provider entry cannot be resolved.
    #[error("provider `{name}` in the settings: {message}")]
    Provider {
        /// The provider.
        name: String,
        /// What is wrong and what to do.
        message: String,
    },
}

impl Settings {
    /// The default settings file: `FLOE_SETTINGS`, else `settings.json` in the platform config folder.
    pub fn default_path() -> Option<PathBuf> {
        if let Some(path) = std::env::var_os("FLOE_SETTINGS") {
            return Some(PathBuf::from(path));
        }
        directories::ProjectDirs::from("dev", "floe", "floe").map(|d| d.config_dir().join("settings.json"))
    }

    /// Reads `path`; a missing file is empty settings.
    pub fn load(path: &Path) -> Result<Self, SettingsError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(error) => return Err(SettingsError::Read { path: path.to_owned(), error }),
        };
        serde_json::from_str(&text).map_err(|e| SettingsError::Invalid {
            path: path.to_owned(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })
    }

    /// The default model: `FLOE_DEFAULT_MODEL` when set, else the file's.
    pub fn default_model(&self) -> Option<String> {
        std::env::var(DEFAULT_MODEL_ENV).ok().filter(|m| !m.trim().is_empty()).or_else(|| self.default_model.clone())
    }

    /// The embedding model: `FLOE_EMBEDDING_MODEL` when set, else the file's.
    pub fn embedding_model(&self) -> Option<String> {
        std::env::var(EMBEDDING_MODEL_ENV)
            .ok()
            .filter(|m| !m.trim().is_empty())
            .or_else(|| self.embedding_model.clone())
    }

    /// The default model of the default settings file (none when it cannot be read).
    pub fn default_model_of_default_file() -> Option<String> {
        let settings = Self::default_path().and_then(|path| Self::load(&path).ok()).unwrap_or_default();
        settings.default_model()
    }

    /// Writes the settings to `path` atomically: a temporary file in the same folder, flushed
    /// to disk, renamed over the old one, so a crash leaves the old file or the new one whole.
    pub fn save(&self, path: &Path) -> Result<(), SettingsError> {
        let error = |error: std::io::Error| SettingsError::Write { path: path.to_owned(), error };
        let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::create_dir_all(folder).map_err(error)?;
        let mut text = serde_json::to_string_pretty(self).map_err(|e| error(std::io::Error::other(e)))?;
        text.push('\n');
        let mut file = tempfile::NamedTempFile::new_in(folder).map_err(error)?;
        std::io::Write::write_all(&mut file, text.as_bytes()).map_err(error)?;
        file.as_file().sync_all().map_err(error)?;
        file.persist(path).map_err(|e| error(e.error))?;
        Ok(())
    }

    /// Every provider, built-in ones first, with settings applied.
    pub fn providers(&self) -> Result<Vec<Provider>, SettingsError> {
        let mut names: Vec<&str> = BUILTIN.iter().map(|b| b.0).collect();
        names.extend(self.providers.keys().map(String::as_str).filter(|n| !BUILTIN.iter().any(|b| b.0 == *n)));
        names.into_iter().map(|name| self.provider(name)).collect()
    }

    /// One provider with settings applied; `FLOE_<NAME>_BASE_URL` overrides its base URL.
    pub fn provider(&self, name: &str) -> Result<Provider, SettingsError> {
        let builtin = BUILTIN.iter().find(|b| b.0 == name);
        let set = self.providers.get(name).cloned().unwrap_or_default();
        let err = |message: String| SettingsError::Provider { name: name.to_owned(), message };
        let api = match (set.api, builtin) {
            (Some(api), _) => api,
            (None, Some(b)) => b.1,
            (None, None) => {
                let known: Vec<&str> = BUILTIN.iter().map(|b| b.0).collect();
                return Err(err(format!(
                    "Floe does not know this provider; known ones are {}. To add an endpoint, give it \"api\" \
                     (e.g. \"openai_compatible\") and \"base_url\" in the settings file",
                    known.join(", ")
                )));
            }
        };
        let env_base = std::env::var(format!("FLOE_{}_BASE_URL", name.to_ascii_uppercase().replace('-', "_"))).ok();
        let base_url = match env_base.or(set.base_url).or_else(|| builtin.map(|b| b.2.to_owned())) {
            Some(url) => url,
            None => return Err(err("needs a \"base_url\"".into())),
        };
        let timeout = match set.timeout {
            Some(text) => humantime::parse_duration(&text)
                .map_err(|e| err(format!("\"timeout\": {text:?} is not a duration ({e}); write e.g. \"90s\"")))?,
            None => DEFAULT_TIMEOUT,
        };
        Ok(Provider {
            name: name.to_owned(),
            api,
            base_url,
            organization: set.organization,
            timeout,
            concurrency: set.concurrency.unwrap_or(DEFAULT_CONCURRENCY).max(1),
            needs_key: set.needs_key.unwrap_or_else(|| builtin.is_none_or(|b| b.3)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_override_builtins_and_add_endpoints() {
        let settings: Settings = serde_json::from_str(
            r#"{"providers": {"openai": {"organization": "org-1", "concurrency": 2, "timeout": "30s"},
                              "office": {"api": "openai_compatible", "base_url": "http://10.0.0.2:8080/v1"}}}"#,
        )
        .expect("valid settings");
        let openai = settings.provider("openai").expect("known");
        assert_eq!((openai.concurrency, openai.timeout), (2, Duration::from_secs(30)));
        assert_eq!(openai.organization.as_deref(), Some("org-1"));
        let office = settings.provider("office").expect("added");
        assert_eq!(office.api, Api::OpenaiCompatible);
        assert!(office.needs_key);
        assert!(!settings.provider("ollama").expect("known").needs_key);
        let unknown = settings.provider("nope").expect_err("unknown").to_string();
        assert!(unknown.contains("openai_compatible"), "{unknown}");
    }
}
