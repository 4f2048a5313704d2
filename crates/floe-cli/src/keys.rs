//! `floe keys`: API keys in the OS keychain. Values are read without echo (or from stdin) and
//! never printed; `list` shows names and where each key comes from.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::Context;
use floe_llm::secrets::{self, KeySource, Secret};
use floe_llm::{Llm, Settings};

use crate::Outcome;

/// `floe keys`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: KeysCommand,
}

#[derive(Debug, clap::Subcommand)]
enum KeysCommand {
    /// Store a provider's API key in the OS keychain (typed without echo, or piped on stdin).
    Set {
        /// The provider (`openai`, `anthropic`, `gemini`, …).
        provider: String,
    },
    /// List providers and whether a key is set (names only, never values).
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Remove a provider's key from the keychain.
    Delete {
        /// The provider.
        provider: String,
    },
    /// Check a provider's key with one cheap call (listing models).
    Test {
        /// The provider.
        provider: String,
    },
}

/// Runs `floe keys …`.
pub fn run(args: &Args) -> anyhow::Result<Outcome> {
    match &args.command {
        KeysCommand::Set { provider } => set(provider),
        KeysCommand::List { json } => list(*json),
        KeysCommand::Delete { provider } => {
            known(provider)?;
            if secrets::delete(provider)? {
                note!("deleted the {provider} key from the keychain");
            } else {
                note!("no {provider} key was stored in the keychain");
            }
            Ok(Outcome::Ok)
        }
        KeysCommand::Test { provider } => test(provider),
    }
}

fn settings() -> anyhow::Result<Settings> {
    Ok(match Settings::default_path() {
        Some(path) => Settings::load(&path)?,
        None => Settings::default(),
    })
}

fn known(provider: &str) -> anyhow::Result<()> {
    settings()?.provider(provider)?;
    Ok(())
}

fn set(provider: &str) -> anyhow::Result<Outcome> {
    known(provider)?;
    let value = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!("{provider} API key (not shown): ")).context("reading the key")?
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).context("reading the key from stdin")?;
        line
    };
    let value = value.trim();
    if value.is_empty() {
        anyhow::bail!("no key given; type or pipe the key, e.g. `printenv OPENAI_API_KEY | floe keys set openai`");
    }
    secrets::store(provider, &Secret::new(value))?;
    note!("stored the {provider} key in the keychain (service {})", secrets::SERVICE);
    if std::env::var_os(secrets::env_var(provider)).is_some() {
        note!("note: {} is set and wins over the keychain", secrets::env_var(provider));
    }
    Ok(Outcome::Ok)
}

fn list(json: bool) -> anyhow::Result<Outcome> {
    let mut rows = Vec::new();
    let mut unavailable = None;
    for provider in settings()?.providers()? {
        let source = if std::env::var(secrets::env_var(&provider.name)).is_ok_and(|v| !v.is_empty()) {
            Some(KeySource::Env)
        } else {
            match secrets::stored(&provider.name) {
                Ok(found) => found.map(|_| KeySource::Keychain),
                Err(error) => {
                    unavailable.get_or_insert(error.to_string());
                    None
                }
            }
        };
        rows.push(serde_json::json!({
            "provider": provider.name,
            "needs_key": provider.needs_key,
            "key": source,
            "env": secrets::env_var(&provider.name),
        }));
    }
    if let Some(why) = unavailable {
        tracing::warn!("{why}");
    }
    if json {
        return crate::print_json(&rows);
    }
    let mut out = std::io::stdout().lock();
    for row in rows {
        let state = match row["key"].as_str() {
            Some("env") => format!("set ({})", row["env"].as_str().unwrap_or_default()),
            Some(_) => "set (keychain)".to_owned(),
            None if row["needs_key"] == false => "not needed".to_owned(),
            None => "not set".to_owned(),
        };
        writeln!(out, "{:<12} {state}", row["provider"].as_str().unwrap_or_default())?;
    }
    Ok(Outcome::Ok)
}

fn test(provider: &str) -> anyhow::Result<Outcome> {
    let llm = Llm::from_default_settings()?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    match runtime.block_on(llm.check(provider)) {
        Ok(models) => {
            note!("{provider}: the key works ({} models listed)", models.len());
            Ok(Outcome::Ok)
        }
        Err(error) => {
            note!("{provider}: {error}");
            Ok(Outcome::Problems)
        }
    }
}
