//! `floe catalog`: the node kinds and built-in tools, as text or JSON.

use std::io::Write;

use floe_blueprint::Catalog;

use crate::Outcome;

/// Arguments of `floe catalog`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print the full catalogue (schemas, ports, docs, examples) as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs the command.
pub fn run(args: &Args) -> anyhow::Result<Outcome> {
    let catalog = Catalog::builtin();
    if args.json {
        return crate::print_json(&catalog.to_json());
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "Node kinds:")?;
    for kind in catalog.kinds() {
        writeln!(out, "  {:<10} {}", kind.name, kind.summary)?;
    }
    writeln!(out, "\nBuilt-in tools (kind `tool`, config.tool):")?;
    for tool in catalog.tools() {
        writeln!(out, "  {:<14} {}", tool.name, tool.summary)?;
    }
    writeln!(out, "\n`floe catalog --json` gives each one's config schema, ports, docs and an example.")?;
    Ok(Outcome::Ok)
}
