//! `floe validate`: parse and compile blueprints, print every problem.

use std::io::Write;
use std::path::PathBuf;

use serde_json::json;

use crate::{Outcome, expand, report};

/// Arguments of `floe validate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Blueprint files, or folders searched for *.json.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Print one JSON document (files, diagnostics, plan hashes) instead of text.
    #[arg(long)]
    json: bool,
}

/// Runs the command.
pub fn run(args: &Args) -> anyhow::Result<Outcome> {
    let mut reports = Vec::new();
    let mut unreadable = Vec::new();
    for path in expand(&args.files)? {
        match floe_engine::validate_file(&path) {
            Ok(report) => reports.push(report),
            Err(error) => unreadable.push((path, error.to_string())),
        }
    }
    let errors: usize = reports.iter().map(floe_engine::FileReport::errors).sum();
    let warnings: usize = reports.iter().map(floe_engine::FileReport::warnings).sum();
    if args.json {
        let files: Vec<_> = reports
            .iter()
            .map(|r| {
                json!({
                    "file": r.path,
                    "ok": r.errors() == 0,
                    "plan": r.plan.as_ref().map(|p| json!({"hash": p.hash(), "nodes": p.node_count()})),
                    "migrated_from": r.migrated_from,
                    "diagnostics": r.diagnostics,
                })
            })
            .chain(unreadable.iter().map(|(path, error)| json!({"file": path, "ok": false, "io_error": error})))
            .collect();
        crate::print_json(&json!({"files": files, "errors": errors, "warnings": warnings}))?;
    } else {
        let mut out = std::io::stdout().lock();
        for r in &reports {
            for diagnostic in &r.diagnostics {
                report::print(&mut out, &r.path, diagnostic)?;
            }
            match &r.plan {
                Some(plan) if r.diagnostics.is_empty() => {
                    writeln!(out, "ok  {} ({} nodes)", r.path.display(), plan.node_count())?
                }
                Some(plan) => writeln!(
                    out,
                    "ok  {} ({} nodes, {} warning(s))",
                    r.path.display(),
                    plan.node_count(),
                    r.warnings()
                )?,
                None => {
                    writeln!(out, "FAIL {} ({} error(s), {} warning(s))", r.path.display(), r.errors(), r.warnings())?
                }
            }
        }
        for (_, error) in &unreadable {
            tracing::error!("{error}");
        }
        if reports.len() > 1 {
            writeln!(out, "\n{} file(s): {errors} error(s), {warnings} warning(s)", reports.len())?;
        }
    }
    Ok(if !unreadable.is_empty() {
        Outcome::Io
    } else if errors > 0 {
        Outcome::Problems
    } else {
        Outcome::Ok
    })
}
