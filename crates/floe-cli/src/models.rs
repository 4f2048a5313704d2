//! `floe models`: the models each provider lists, and the default model (what a node's
//! `"model": "default"` calls). Lists go to stdout (`--json` for data); notes to stderr.

use std::io::Write;

use floe_llm::Llm;

use crate::Outcome;

/// `floe models`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Option<ModelsCommand>,
    /// Print JSON.
    #[arg(long, global = true)]
    json: bool,
}

#[derive(Debug, clap::Subcommand)]
enum ModelsCommand {
    /// List every provider's models (the default).
    List {
        /// Only this provider's.
        provider: Option<String>,
    },
    /// Show the default model, or choose it (`provider:model`); `--clear` unsets it.
    Default {
        /// The model, e.g. `ollama:llama3.2` or `openai:gpt-4o-mini`.
        model: Option<String>,
        /// Unset the default model.
        #[arg(long, conflicts_with = "model")]
        clear: bool,
    },
}

/// Runs `floe models …`.
pub fn run(args: &Args) -> anyhow::Result<Outcome> {
    let llm = Llm::from_default_settings()?;
    match &args.command {
        None => list(&llm, None, args.json),
        Some(ModelsCommand::List { provider }) => list(&llm, provider.as_deref(), args.json),
        Some(ModelsCommand::Default { model: None, clear: false }) => show_default(&llm, args.json),
        Some(ModelsCommand::Default { model, clear: _ }) => set_default(&llm, model.clone()),
    }
}

fn list(llm: &Llm, only: Option<&str>, json: bool) -> anyhow::Result<Outcome> {
    if let Some(name) = only {
        llm.provider(name)?;
    }
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let mut providers = runtime.block_on(llm.models(true))?;
    providers.retain(|p| only.is_none_or(|name| p.provider == name));
    if json {
        return crate::print_json(&providers);
    }
    let mut out = std::io::stdout().lock();
    for provider in &providers {
        match &provider.error {
            Some(error) if only.is_some() => note!("{}: {error}", provider.provider),
            Some(_) => {}
            None => {
                for model in &provider.models {
                    let price =
                        model.price.map(|p| format!("  ${}/${} per M tokens", p.input, p.output)).unwrap_or_default();
                    let context = model.context.map(|c| format!("  {}k context", c / 1000)).unwrap_or_default();
                    writeln!(out, "{}{context}{price}", model.id)?;
                }
            }
        }
    }
    let unlisted: Vec<&str> = providers.iter().filter(|p| p.error.is_some()).map(|p| p.provider.as_str()).collect();
    if only.is_none() && !unlisted.is_empty() {
        note!("not listed (no key, or not running): {}; `floe models list <provider>` says why", unlisted.join(", "));
    }
    Ok(Outcome::Ok)
}

fn show_default(llm: &Llm, json: bool) -> anyhow::Result<Outcome> {
    let model = llm.default_model();
    if json {
        return crate::print_json(&serde_json::json!({ "default_model": model }));
    }
    match model {
        Some(model) => writeln!(std::io::stdout(), "{model}")?,
        None => note!("no default model is chosen; choose one with `floe models default <provider:model>`"),
    }
    Ok(Outcome::Ok)
}

fn set_default(llm: &Llm, model: Option<String>) -> anyhow::Result<Outcome> {
    if let Some(model) = &model {
        llm.provider(&floe_llm::ModelRef::parse(model)?.provider)?;
    }
    llm.update_settings(|settings| {
        settings.default_model.clone_from(&model);
        Ok(())
    })?;
    match &model {
        Some(model) => note!("the default model is now {model}"),
        None => note!("the default model is unset"),
    }
    if std::env::var_os(floe_llm::settings::DEFAULT_MODEL_ENV).is_some() {
        note!("note: {} is set and wins over the settings", floe_llm::settings::DEFAULT_MODEL_ENV);
    }
    Ok(Outcome::Ok)
}
