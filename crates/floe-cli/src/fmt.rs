//! `floe fmt`: rewrite blueprints in canonical form, or check that they are.

use std::io::Write;
use std::path::PathBuf;

use floe_engine::FormatOutcome;

use crate::{Outcome, expand, report};

/// Arguments of `floe fmt`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Blueprint files, or folders searched for *.json.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Change nothing; list files that are not canonical and exit 1 if there are any.
    #[arg(long)]
    check: bool,
}

/// Runs the command.
pub fn run(args: &Args) -> anyhow::Result<Outcome> {
    let mut out = std::io::stdout().lock();
    let mut outcome = Outcome::Ok;
    for path in expand(&args.files)? {
        match floe_engine::format_file(&path, args.check) {
            Err(error) => {
                tracing::error!("{error}");
                outcome = Outcome::Io;
            }
            Ok(Err(diagnostics)) => {
                for diagnostic in &diagnostics {
                    report::print(&mut out, &path, diagnostic)?;
                }
                writeln!(
                    out,
                    "skipped {}: fix the errors above first; formatting would lose what could not be read",
                    path.display()
                )?;
                if outcome == Outcome::Ok {
                    outcome = Outcome::Problems;
                }
            }
            Ok(Ok(FormatOutcome::Changed)) if args.check => {
                writeln!(out, "would reformat {}", path.display())?;
                if outcome == Outcome::Ok {
                    outcome = Outcome::Problems;
                }
            }
            Ok(Ok(FormatOutcome::Changed)) => writeln!(out, "formatted {}", path.display())?,
            Ok(Ok(FormatOutcome::Unchanged)) => {}
        }
    }
    Ok(outcome)
}
