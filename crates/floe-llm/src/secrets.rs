//! API keys: an environment variable wins, then the OS keychain (Secret Service on Linux, via
//! `keyring`). Keys never go to a plain file. [`Secret`] redacts itself everywhere it could be
//! printed or stored.

use std::fmt;

use serde::{Serialize, Serializer};

/// The keychain service Floe's keys are stored under (one entry per provider).
pub const SERVICE: &str = "dev.floe.app";

/// A secret value. Debug, Display and serde all print `[redacted]`; only [`Secret::expose`]
/// gives the value, at the one place it is sent.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value, for the request header that carries it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str("[redacted]")
    }
}

/// The environment variable that overrides the stored key of `provider` (`OPENAI_API_KEY`…).
pub fn env_var(provider: &str) -> String {
    format!("{}_API_KEY", provider.to_ascii_uppercase().replace('-', "_"))
}

/// Where a key was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum KeySource {
    /// An environment variable.
    Env,
    /// The OS keychain.
    Keychain,
}

/// Why the keychain could not be used.
#[derive(Debug, thiserror::Error)]
pub enum KeychainError {
    /// No Secret Service (or it is locked).
    #[error(
        "the OS keychain is not available ({0}). On Linux Floe needs a running, unlocked Secret Service \
         (GNOME Keyring or KeePassXC with its Secret Service on); until then set the key in an environment \
         variable instead"
    )]
    Unavailable(String),
    /// Anything else the keychain reported.
    #[error("the OS keychain failed: {0}")]
    Failed(String),
}

fn entry(provider: &str) -> Result<keyring::Entry, KeychainError> {
    keyring::Entry::new(SERVICE, provider).map_err(classify)
}

fn classify(error: keyring::Error) -> KeychainError {
    match error {
        keyring::Error::NoDefaultStore | keyring::Error::NoStorageAccess(_) | keyring::Error::PlatformFailure(_) => {
            KeychainError::Unavailable(error.to_string())
        }
        other => KeychainError::Failed(other.to_string()),
    }
}

/// Stores `provider`'s key in the keychain.
pub fn store(provider: &str, secret: &Secret) -> Result<(), KeychainError> {
    entry(provider)?.set_password(secret.expose()).map_err(classify)
}

/// Removes `provider`'s key from the keychain; false when there was none.
pub fn delete(provider: &str) -> Result<bool, KeychainError> {
    match entry(provider)?.delete_credential() {
        Ok(()) => Ok(true),
        Err(keyring::Error::NoEntry) => Ok(false),
        Err(error) => Err(classify(error)),
    }
}

/// The keychain's key for `provider`, if one is stored.
pub fn stored(provider: &str) -> Result<Option<Secret>, KeychainError> {
    match entry(provider)?.get_password() {
        Ok(value) => Ok(Some(Secret::new(value))),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(error) => Err(classify(error)),
    }
}

/// Where `provider`'s key would come from, without reading its value out of the keychain more
/// than needed: its environment variable, the keychain, or nowhere (`Err`: the keychain cannot
/// be reached).
pub fn source(provider: &str) -> Result<Option<KeySource>, KeychainError> {
    if env_key(provider).is_some() {
        return Ok(Some(KeySource::Env));
    }
    Ok(stored(provider)?.map(|_| KeySource::Keychain))
}

/// The key in `provider`'s environment variable (or, for Gemini, `GOOGLE_API_KEY`).
fn env_key(provider: &str) -> Option<String> {
    let value = std::env::var(env_var(provider)).ok().filter(|v| !v.is_empty());
    // Gemini keys are also commonly exported as GOOGLE_API_KEY.
    value.or_else(|| {
        (provider == "gemini").then(|| std::env::var("GOOGLE_API_KEY").ok()).flatten().filter(|v| !v.is_empty())
    })
}

/// `provider`'s key: its environment variable, else the keychain. A keychain that cannot be
/// reached is logged (with the fix) and treated as holding nothing.
pub fn lookup(provider: &str) -> Option<(Secret, KeySource)> {
    if let Some(value) = env_key(provider) {
        return Some((Secret::new(value), KeySource::Env));
    }
    match stored(provider) {
        Ok(found) => found.map(|s| (s, KeySource::Keychain)),
        Err(error) => {
            tracing::warn!("no key for {provider} from the keychain: {error}");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_prints_its_value() {
        let secret = Secret::new("sk-very-secret");
        assert_eq!(format!("{secret}"), "[redacted]");
        assert_eq!(format!("{secret:?}"), "Secret([redacted])");
        assert_eq!(serde_json::to_string(&secret).expect("serialises"), "\"[redacted]\"");
        assert_eq!(secret.expose(), "sk-very-secret");
    }

    #[test]
    fn env_var_names_follow_the_vendors() {
        assert_eq!(env_var("openai"), "OPENAI_API_KEY");
        assert_eq!(env_var("lm-studio"), "LM_STUDIO_API_KEY");
    }
}
