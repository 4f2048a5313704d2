//! `floe mcp`: the folder's blueprints as tools for any MCP client (Claude Desktop, Cursor, an
//! IDE), over stdio. Stdout is the protocol's: everything else goes to stderr. `--config` prints
//! the entry to paste into Claude Desktop's or Cursor's configuration instead.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;

use crate::Outcome;
use crate::run::StoreArgs;

/// `floe mcp`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The folder whose blueprints are offered as tools.
    #[arg(default_value = ".")]
    folder: PathBuf,
    /// Print the configuration entry for Claude Desktop and Cursor (JSON on stdout), instead of serving.
    #[arg(long)]
    config: bool,
    #[command(flatten)]
    store: StoreArgs,
}

/// The `mcpServers` entry that starts this binary on `folder` (with `db`, when one was given).
fn config(folder: &std::path::Path, db: Option<&std::path::Path>) -> anyhow::Result<serde_json::Value> {
    let binary = std::env::current_exe().context("cannot tell where this `floe` binary is")?;
    let folder = folder.canonicalize().with_context(|| format!("{} is not a folder", folder.display()))?;
    let mut args = vec!["mcp".to_owned(), folder.to_string_lossy().into_owned()];
    if let Some(db) = db {
        args.extend(["--db".to_owned(), db.to_string_lossy().into_owned()]);
    }
    Ok(serde_json::json!({"mcpServers": {"floe": {"command": binary.to_string_lossy(), "args": args}}}))
}

pub fn run(args: &Args) -> anyhow::Result<Outcome> {
    if args.config {
        let entry = config(&args.folder, args.store.path())?;
        let mut out = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut out, &entry)?;
        writeln!(out)?;
        note!(
            "add this to Claude Desktop's claude_desktop_config.json (Settings → Developer → Edit Config) or to \
             Cursor's ~/.cursor/mcp.json (merge the \"floe\" entry into an existing \"mcpServers\"), then restart it"
        );
        return Ok(Outcome::Ok);
    }
    if !args.folder.is_dir() {
        anyhow::bail!("{} is not a folder of blueprints", args.folder.display());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let store = args.store.open().await?;
        let api = floe_api::Api::new(&args.folder, store)?;
        note!("offering the blueprints of {} over MCP on stdio", args.folder.display());
        floe_api::mcp::serve_stdio(api).await.map_err(anyhow::Error::msg)?;
        Ok(Outcome::Ok)
    })
}
