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
    /// Also estimate model tokens and cost per node from prompt sizes and max_tokens.
    #[arg(long)]
    estimate: bool,
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
    let prices = if args.estimate { Some(floe_llm::Llm::from_default_settings()?.prices()) } else { None };
    let estimates: Vec<Option<floe_engine::estimate::Estimate>> =
        reports.iter().map(|r| Some(floe_engine::estimate::estimate(r.plan.as_ref()?, prices.as_ref()?))).collect();
    let errors: usize = reports.iter().map(floe_engine::FileReport::errors).sum();
    let warnings: usize = reports.iter().map(floe_engine::FileReport::warnings).sum();
    if args.json {
        let files: Vec<_> = reports
            .iter()
            .zip(&estimates)
            .map(|(r, estimate)| {
                json!({
                    "file": r.path,
                    "ok": r.errors() == 0,
                    "plan": r.plan.as_ref().map(|p| json!({
                        "hash": p.hash(), "nodes": p.node_count(), "default_model": p.default_model(), "models": p.models(),
                    })),
                    "migrated_from": r.migrated_from,
                    "diagnostics": r.diagnostics,
                    "estimate": estimate,
                })
            })
            .chain(unreadable.iter().map(|(path, error)| json!({"file": path, "ok": false, "io_error": error})))
            .collect();
        crate::print_json(&json!({"files": files, "errors": errors, "warnings": warnings}))?;
    } else {
        let mut out = std::io::stdout().lock();
        for (r, estimate) in reports.iter().zip(&estimates) {
            for diagnostic in &r.diagnostics {
                report::print(&mut out, &r.path, diagnostic)?;
            }
            match &r.plan {
                Some(plan) => {
                    let mut about = vec![format!("{} nodes", plan.node_count())];
                    if let Some(default) = plan.default_model() {
                        let from = match default.from {
                            floe_compiler::ModelSource::Blueprint => "the blueprint's default_model",
                            floe_compiler::ModelSource::Settings => "chosen in the settings",
                        };
                        about.push(format!("model `default` is {}, {from}", default.model));
                    }
                    if !r.diagnostics.is_empty() {
                        about.push(format!("{} warning(s)", r.warnings()));
                    }
                    writeln!(out, "ok  {} ({})", r.path.display(), about.join(", "))?
                }
                None => {
                    writeln!(out, "FAIL {} ({} error(s), {} warning(s))", r.path.display(), r.errors(), r.warnings())?
                }
            }
            if let Some(estimate) = estimate {
                print_estimate(&mut out, estimate)?;
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

fn print_estimate(out: &mut impl Write, estimate: &floe_engine::estimate::Estimate) -> std::io::Result<()> {
    use floe_engine::estimate::Calls;
    if estimate.nodes.is_empty() {
        return writeln!(out, "    no model calls");
    }
    for node in &estimate.nodes {
        let calls = match node.calls {
            Calls::Exactly(1) => "1 call".to_owned(),
            Calls::Exactly(n) => format!("{n} calls"),
            Calls::UpTo(n) => format!("up to {n} calls"),
            Calls::PerItem => "1 call per loop item".to_owned(),
        };
        let cost = node.cost_usd.map_or_else(|| "no price for this model".to_owned(), |c| format!("≤ ${c:.4}"));
        writeln!(
            out,
            "    {:<24} {:<32} ~{} in, ≤{} out, {calls}: {cost}",
            node.node, node.model, node.input_tokens, node.output_tokens
        )?;
    }
    match estimate.total_usd {
        Some(total) => writeln!(out, "    total ≤ ${total:.4} (loop items counted once; upstream values not counted)"),
        None => {
            writeln!(out, "    total unknown: a model has no price (add it to a prices file named in settings.json)")
        }
    }
}
