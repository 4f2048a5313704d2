//! The `floe` command line: glue over the engine façade. Data goes to stdout, logs to stderr.
//!
//! Exit codes: 0 success (warnings allowed), 1 problems found (validation errors, files that
//! `fmt --check` would change, a run that failed or could not start), 2 usage error, 3 a file or
//! the run store could not be read or written, 4 a run was cancelled (it can be resumed).

/// A line for the person at the terminal, on stderr (stdout carries data only).
macro_rules! note {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod allocator;
mod catalog;
mod draft;
mod fmt;
mod keys;
mod mcp;
mod memory;
mod models;
mod report;
mod run;
mod serve;
mod validate;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Floe: local-first AI and automation workflows.
#[derive(Debug, Parser)]
#[command(name = "floe", version, about, propagate_version = true)]
struct Cli {
    /// More logging on stderr (-v debug, -vv trace); RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check blueprints and report every problem (files, or folders of *.json).
    Validate(validate::Args),
    /// Rewrite blueprints in canonical form (or check that they are).
    Fmt(fmt::Args),
    /// Print the blueprint JSON Schema.
    Schema,
    /// List node kinds and built-in tools.
    Catalog(catalog::Args),
    /// Run a blueprint, journaling it in the run store.
    Run(run::RunArgs),
    /// Finish an interrupted or cancelled run; finished nodes are not run again.
    Resume(run::ResumeArgs),
    /// List runs, or show one run or its events.
    Runs(run::RunsArgs),
    /// Cancel a run (it stays resumable).
    Cancel(run::CancelArgs),
    /// Approve a waiting approval node, optionally with an edited value.
    Approve(run::DecideArgs),
    /// Reject a waiting approval node.
    Reject(run::DecideArgs),
    /// Draft a blueprint from a request in words, or edit one (`--into`).
    Draft(draft::Args),
    /// Explain a blueprint in plain words, step by step.
    Explain(draft::ExplainArgs),
    /// Manage model provider API keys in the OS keychain.
    Keys(keys::Args),
    /// List the providers' models, and show or choose the default model.
    Models(models::Args),
    /// Serve the app's API and UI on 127.0.0.1 (browser mode).
    Serve(serve::Args),
    /// What agents and workflows remember: list, search, show, forget, export, import.
    Memory(memory::Args),
    /// Offer the folder's blueprints as tools to MCP clients (Claude Desktop, Cursor), over stdio.
    Mcp(mcp::Args),
}

/// How a command ended, as the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything was fine.
    Ok = 0,
    /// The command worked and found problems.
    Problems = 1,
    /// A file or the store could not be read or written.
    Io = 3,
    /// The run was cancelled; `floe resume` finishes it.
    Cancelled = 4,
}

fn main() -> ExitCode {
    allocator::return_large_blocks_when_freed();
    let cli = Cli::parse();
    init_logging(cli.verbose);
    let result = match cli.command {
        Command::Validate(args) => validate::run(&args),
        Command::Fmt(args) => fmt::run(&args),
        Command::Schema => print_json(&floe_blueprint::blueprint_schema(floe_blueprint::Catalog::builtin())),
        Command::Catalog(args) => catalog::run(&args),
        Command::Run(args) => run::run(&args),
        Command::Resume(args) => run::resume_run(&args),
        Command::Runs(args) => run::runs(&args),
        Command::Cancel(args) => run::cancel(&args),
        Command::Approve(args) => run::decide(&args, true),
        Command::Reject(args) => run::decide(&args, false),
        Command::Draft(args) => draft::run(&args),
        Command::Memory(args) => memory::run(&args),
        Command::Mcp(args) => mcp::run(&args),
        Command::Explain(args) => draft::explain(&args),
        Command::Keys(args) => keys::run(&args),
        Command::Models(args) => models::run(&args),
        Command::Serve(args) => serve::run(&args),
    };
    match result {
        Ok(outcome) => ExitCode::from(outcome as u8),
        Err(error) => {
            tracing::error!("{error:#}");
            ExitCode::from(Outcome::Io as u8)
        }
    }
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(false).init();
}

/// Writes pretty JSON and a newline to stdout.
pub fn print_json(value: &impl serde::Serialize) -> anyhow::Result<Outcome> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(Outcome::Ok)
}

/// Expands folders into the `*.json` files inside them (recursively, sorted); keeps files as given.
pub fn expand(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut pending = vec![path.clone()];
            let mut found = Vec::new();
            while let Some(folder) = pending.pop() {
                for entry in std::fs::read_dir(&folder)? {
                    let entry = entry?.path();
                    if entry.is_dir() {
                        pending.push(entry);
                    } else if entry.extension().is_some_and(|e| e == "json") {
                        found.push(entry);
                    }
                }
            }
            found.sort();
            out.extend(found);
        } else {
            out.push(path.clone());
        }
    }
    Ok(out)
}
