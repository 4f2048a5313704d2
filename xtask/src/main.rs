//! Repository chores. `cargo xtask codegen` writes the generated files under `schemas/`;
//! `cargo xtask codegen --check` fails when a committed file differs from what the code
//! generates (CI runs it).

#![allow(clippy::print_stderr)] // a developer chore binary: its messages are for the terminal

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use floe_blueprint::{Catalog, Diagnostic};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("codegen") => codegen(args.iter().any(|a| a == "--check")),
        _ => Err(anyhow::anyhow!("usage: cargo xtask codegen [--check]")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("xtask: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Every generated file and its contents.
fn generated() -> anyhow::Result<Vec<(PathBuf, String)>> {
    let catalog = Catalog::builtin();
    let pretty =
        |value: &serde_json::Value| -> anyhow::Result<String> { Ok(serde_json::to_string_pretty(value)? + "\n") };
    let diagnostic = schemars::schema_for!(Diagnostic);
    let event = schemars::schema_for!(floe_engine::events::Event);
    let catalog_schema = schemars::schema_for!(floe_blueprint::catalog::CatalogDoc);
    let api = schemars::schema_for!(floe_api::ApiTypes);
    Ok(vec![
        (PathBuf::from("schemas/blueprint.v1.schema.json"), pretty(&floe_blueprint::blueprint_schema(catalog))?),
        (PathBuf::from("schemas/catalog.json"), pretty(&catalog.to_json())?),
        (PathBuf::from("schemas/diagnostic.schema.json"), pretty(&diagnostic.to_value())?),
        (PathBuf::from("schemas/event.schema.json"), pretty(&event.to_value())?),
        (PathBuf::from("schemas/catalog.schema.json"), pretty(&catalog_schema.to_value())?),
        (PathBuf::from("schemas/api.schema.json"), pretty(&api.to_value())?),
    ])
}

fn codegen(check: bool) -> anyhow::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().context("xtask lives in the repository")?;
    let mut stale = Vec::new();
    for (relative, contents) in generated()? {
        let path = root.join(&relative);
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current == contents {
            continue;
        }
        if check {
            stale.push(relative.display().to_string());
        } else {
            std::fs::write(&path, contents).with_context(|| format!("writing {}", path.display()))?;
            eprintln!("wrote {}", relative.display());
        }
    }
    if !stale.is_empty() {
        bail!("generated files are out of date: {}; run `cargo xtask codegen` and commit", stale.join(", "));
    }
    Ok(())
}
