//! Repository chores. `cargo xtask codegen` writes the generated files: the JSON Schemas under
//! `schemas/`, and from the API's table the UI's typed client (`ui/src/generated/client.ts`)
//! and its menu actions (`ui/src/generated/menu.ts`); `cargo xtask codegen --check` fails when a
//! committed file differs from what the code generates (CI runs it).

#![allow(clippy::print_stderr)] // a developer chore binary: its messages are for the terminal

use std::path::PathBuf;
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
        (PathBuf::from("ui/src/generated/client.ts"), client_ts()),
        (PathBuf::from("ui/src/generated/menu.ts"), menu_ts()),
    ])
}

/// `open_folder` → `openFolder`.
fn camel(name: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The UI's client: one method per entry of the API's table, each sending its arguments by
/// name through the backend's `call`; types come from the schema (`api.ts`).
fn client_ts() -> String {
    let mut out = String::from(
        "// Generated from the API's table (crates/floe-api/src/methods.rs) by `cargo xtask codegen`; do not edit.\n\
         import type { ApiMethods } from \"./api\";\n\n\
         /** A method of the API, by its wire name. */\n\
         export type Method = keyof ApiMethods;\n\
         /** A method's arguments, by name. */\n\
         export type Args<M extends Method> = ApiMethods[M][\"args\"];\n\
         /** A method's answer. */\n\
         export type Answer<M extends Method> = ApiMethods[M][\"answer\"];\n\n\
         /** Every method of the API over one transport: a backend implements `call`. */\n\
         export abstract class ApiClient {\n\
         \x20 /** Sends one call; rejects with the API's error. */\n\
         \x20 protected abstract call<M extends Method>(method: M, args: Args<M>): Promise<Answer<M>>;\n",
    );
    for method in floe_api::METHODS {
        let params: Vec<String> = method
            .args
            .iter()
            .map(|(arg, optional)| {
                format!("{}{}: Args<\"{}\">[\"{arg}\"]", camel(arg), if *optional { "?" } else { "" }, method.name)
            })
            .collect();
        let sent: Vec<String> = method
            .args
            .iter()
            .map(|(arg, _)| if camel(arg) == *arg { (*arg).to_owned() } else { format!("{arg}: {}", camel(arg)) })
            .collect();
        let doc = method.doc.trim().lines().map(str::trim).collect::<Vec<_>>().join(" ");
        let sent = if sent.is_empty() { "{}".to_owned() } else { format!("{{ {} }}", sent.join(", ")) };
        out.push_str(&format!(
            "\n  /** {doc} */\n  {}({}): Promise<Answer<\"{name}\">> {{\n    return this.call(\"{name}\", {sent});\n  }}\n",
            camel(method.name),
            params.join(", "),
            name = method.name,
        ));
    }
    out.push_str("}\n");
    out
}

/// The native menu's item ids, which are the UI's actions.
fn menu_ts() -> String {
    let ids: Vec<String> = floe_api::menu::MENU.iter().map(|item| format!("  \"{}\",\n", item.id)).collect();
    format!(
        "// Generated from the native menu (crates/floe-api/src/menu.rs) by `cargo xtask codegen`; do not edit.\n\n\
         /** Every native menu item's id: each is an action the window runs. */\n\
         export const MENU_ACTIONS = [\n{}] as const;\n\n\
         /** An action a native menu item names. */\n\
         export type MenuAction = (typeof MENU_ACTIONS)[number];\n",
        ids.concat()
    )
}

fn codegen(check: bool) -> anyhow::Result<()> {
    // The folder `cargo xtask` runs it from (the one compiled in may be another checkout's, from a
    // shared build cache).
    let manifest =
        std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| env!("CARGO_MANIFEST_DIR").into(), PathBuf::from);
    let root = manifest.parent().context("xtask lives in the repository")?;
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
