//! `floe run`, `floe resume`, `floe runs`, `floe cancel`: running blueprints with the store as
//! journal. Results go to stdout (JSON); progress and logs to stderr. With `--json`, stdout is
//! one event per line (JSONL), ending with `run_finished`.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context as _;
use floe_engine::events::{Event, EventSink, JsonLines, RunEvent, RunStatus};
use floe_engine::run::approvals::{Decision, Scope};
use floe_engine::run::{RunControl, RunReport};
use floe_engine::runs::{FileRun, RunError, resume, run_file};
use floe_engine::store::{CancelOutcome, Store, StoreError};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Map, Value};

use crate::Outcome;

/// Where the run store is.
#[derive(Debug, clap::Args)]
pub struct StoreArgs {
    /// The run database (default: floe.db in the platform data folder).
    #[arg(long, global = true, value_name = "PATH", env = "FLOE_DB")]
    db: Option<PathBuf>,
}

/// The tools a run from the command line may call: built-in, memory, and the MCP servers of the
/// settings (what went wrong with a server is said on stderr; its cached tools still compile).
async fn process_tools(store: &Store) -> Arc<floe_engine::tools::Toolbox> {
    let settings =
        floe_llm::Settings::default_path().and_then(|path| floe_llm::Settings::load(&path).ok()).unwrap_or_default();
    let (tools, problems) = floe_engine::tools::Toolbox::for_process(store, &settings, true).await;
    for problem in problems {
        note!("{problem}");
    }
    tools
}

impl StoreArgs {
    /// The database given, if one was.
    pub fn path(&self) -> Option<&std::path::Path> {
        self.db.as_deref()
    }

    pub async fn open(&self) -> anyhow::Result<Store> {
        let path = match &self.db {
            Some(path) => path.clone(),
            None => Store::default_path().context("no data folder for this user; pass --db PATH")?,
        };
        Ok(Store::open(&path).await?)
    }
}

/// `floe run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The blueprint to run.
    file: PathBuf,
    /// A run input, `name=value` (strings as is, other types as JSON); repeatable.
    #[arg(short, long = "input", value_name = "NAME=VALUE", value_parser = parse_pair)]
    inputs: Vec<(String, String)>,
    /// Run inputs from a JSON file (an object); `--input` wins.
    #[arg(long = "inputs", value_name = "FILE")]
    inputs_file: Option<PathBuf>,
    /// Print events as JSON lines on stdout instead of a progress display.
    #[arg(long)]
    json: bool,
    /// Most nodes running at once.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    concurrency: Option<u16>,
    /// Folder that file tools may use (default: the blueprint's folder).
    #[arg(long, value_name = "DIR")]
    workspace: Option<PathBuf>,
    /// Reuse this earlier run's results wherever a node would get exactly the same work.
    #[arg(long, value_name = "RUN_ID")]
    reuse: Option<String>,
    /// Run this node and everything after it again, reusing the results before it (from
    /// `--reuse`, or the blueprint's latest run).
    #[arg(long, value_name = "NODE")]
    from: Option<String>,
    /// Start even if a model it calls cannot be called now (no key, a local server not running).
    #[arg(long)]
    no_check: bool,
    #[command(flatten)]
    store: StoreArgs,
}

fn parse_pair(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(k, v)| (k.trim().to_owned(), v.to_owned()))
        .filter(|(k, _)| !k.is_empty())
        .ok_or_else(|| format!("expected NAME=VALUE, got {text:?}"))
}

/// `floe resume`.
#[derive(Debug, clap::Args)]
pub struct ResumeArgs {
    /// The run to finish (see `floe runs --interrupted`).
    id: String,
    /// Print events as JSON lines.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    store: StoreArgs,
}

/// `floe runs`.
#[derive(Debug, clap::Args)]
pub struct RunsArgs {
    #[command(subcommand)]
    command: Option<RunsCommand>,
    /// Only runs whose process stopped before they finished (resumable).
    #[arg(long)]
    interrupted: bool,
    /// How many runs to list.
    #[arg(long, default_value_t = 20)]
    limit: u32,
    /// JSON output.
    #[arg(long, global = true)]
    json: bool,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Debug, clap::Subcommand)]
enum RunsCommand {
    /// List recent runs (the default).
    List,
    /// One run: status, inputs, outputs and each node attempt.
    Show {
        /// Run id.
        id: String,
    },
    /// The journaled events of a run, as JSON lines.
    Events {
        /// Run id.
        id: String,
    },
}

/// `floe approve` and `floe reject`.
#[derive(Debug, clap::Args)]
pub struct DecideArgs {
    /// The run.
    id: String,
    /// The waiting approval node (its path, e.g. `review` or `map/2/review`).
    node: String,
    /// Approve with this value instead of the one under review (JSON; strings may be bare).
    #[arg(long, value_name = "JSON")]
    value: Option<String>,
    /// A note for the record.
    #[arg(long)]
    comment: Option<String>,
    /// For an agent's tool call: allow every call of this tool in the run.
    #[arg(long, conflicts_with = "always")]
    for_run: bool,
    /// For an agent's tool call: allow it in this run and add it to the blueprint's
    /// `run.approved_tools`, so later runs do not ask.
    #[arg(long)]
    always: bool,
    #[command(flatten)]
    store: StoreArgs,
}

/// Records an approval decision; the waiting run (or its resume) picks it up.
pub fn decide(args: &DecideArgs, approve: bool) -> anyhow::Result<Outcome> {
    runtime()?.block_on(async {
        let store = args.store.open().await?;
        let pending = store.pending_approvals(Some(&args.id)).await?;
        let decision = if approve {
            let value = match (&args.value, pending.iter().find(|p| p.node == args.node)) {
                (Some(text), _) => serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.clone())),
                (None, Some(request)) => request.value.clone(),
                (None, None) => Value::Null,
            };
            let scope = match (args.for_run, args.always) {
                (_, true) => Scope::Blueprint,
                (true, _) => Scope::Run,
                _ => Scope::Once,
            };
            Decision::Approved { value, comment: args.comment.clone(), scope }
        } else {
            if args.for_run || args.always {
                note!("error: --for-run and --always widen an approval; a rejection is of one call");
                return Ok(Outcome::Problems);
            }
            Decision::Rejected { comment: args.comment.clone() }
        };
        match store.decide(&args.id, &args.node, &decision).await {
            Ok(Some(file)) => note!("added the tool to run.approved_tools in {}", file.display()),
            Ok(None) => {}
            Err(error) => {
                note!("error: {error}");
                return Ok(Outcome::Problems);
            }
        }
        let verb = if approve { "approved" } else { "rejected" };
        let record = store.run(&args.id).await?;
        if record.summary.interrupted {
            note!("{verb} `{}`; run {} is not running: continue it with `floe resume {}`", args.node, args.id, args.id);
        } else {
            note!("{verb} `{}` in run {}", args.node, args.id);
        }
        Ok(Outcome::Ok)
    })
}

/// `floe cancel`.
#[derive(Debug, clap::Args)]
pub struct CancelArgs {
    /// The run to cancel.
    id: String,
    #[command(flatten)]
    store: StoreArgs,
}

/// The calling thread and one worker: a run's scheduler polls its nodes' futures itself on the
/// calling thread (blocking work such as the code sandbox goes to tokio's blocking pool), and the
/// journal's writer, a task of its own, runs on the worker beside it. On one thread the writer
/// ran only when the scheduler waited: a journaled 10,000-node `text_template` chain took 4.2
/// µs/node against 2.6 with the worker (`examples/profile_run.rs`, `FLOE_RUNTIME`). More workers
/// add only their heaps (a 10,000-node run peaked 4–6 MB higher with one per core).
pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build()?)
}

/// Cancels the run on the first Ctrl-C (it stays resumable); a second one exits at once.
fn cancel_on_ctrl_c(control: &RunControl) {
    let control = control.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            control.cancel("interrupted (Ctrl-C)");
            tracing::warn!("cancelling; press Ctrl-C again to exit at once");
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(130);
            }
        }
    });
}

pub fn run(args: &RunArgs) -> anyhow::Result<Outcome> {
    let mut inputs = Map::new();
    if let Some(path) = &args.inputs_file {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        match serde_json::from_str::<Value>(&text) {
            Ok(Value::Object(map)) => inputs = map,
            Ok(_) => anyhow::bail!("{}: the inputs file must hold a JSON object", path.display()),
            Err(e) => anyhow::bail!("{}: not JSON: {e}", path.display()),
        }
    }
    runtime()?.block_on(async {
        let store = args.store.open().await?;
        let control = RunControl::new();
        cancel_on_ctrl_c(&control);
        let display = Display::new(args.json);
        let request = FileRun {
            inputs,
            text_inputs: args.inputs.clone(),
            workspace: args.workspace.clone(),
            concurrency: args.concurrency.map(usize::from),
            sink: display.sink(),
            control,
            reuse: args.reuse.clone(),
            from: args.from.clone(),
            check_ready: !args.no_check,
            tools: process_tools(&store).await,
            ..FileRun::new(args.file.clone())
        };
        let result = run_file(&store, request).await;
        display.finish(result, &args.file.display().to_string())
    })
}

pub fn resume_run(args: &ResumeArgs) -> anyhow::Result<Outcome> {
    runtime()?.block_on(async {
        let store = args.store.open().await?;
        let control = RunControl::new();
        cancel_on_ctrl_c(&control);
        let display = Display::new(args.json);
        let tools = process_tools(&store).await;
        let result = resume(&store, &args.id, display.sink(), control, None, Some(tools)).await;
        display.finish(result, &args.id)
    })
}

pub fn runs(args: &RunsArgs) -> anyhow::Result<Outcome> {
    runtime()?.block_on(async {
        let store = args.store.open().await?;
        match &args.command {
            None | Some(RunsCommand::List) => {
                let runs = if args.interrupted { store.interrupted().await? } else { store.runs(args.limit).await? };
                if args.json {
                    return crate::print_json(&runs);
                }
                let mut out = std::io::stdout().lock();
                if runs.is_empty() {
                    writeln!(out, "no runs")?;
                }
                for run in runs {
                    let status = if run.interrupted { "interrupted" } else { run.status.as_str() };
                    writeln!(
                        out,
                        "{}  {:<11}  {:<24}  {} ok, {} failed, {} skipped{}",
                        run.id,
                        status,
                        run.blueprint,
                        run.nodes_succeeded,
                        run.nodes_failed,
                        run.nodes_skipped,
                        spend(&run)
                    )?;
                }
                Ok(Outcome::Ok)
            }
            Some(RunsCommand::Show { id }) => {
                let record = store.run(id).await?;
                if args.json {
                    return crate::print_json(&record);
                }
                let mut out = std::io::stdout().lock();
                let summary = &record.summary;
                writeln!(
                    out,
                    "run {}  {}  ({}){}",
                    summary.id,
                    summary.status.as_str(),
                    summary.blueprint,
                    spend(summary)
                )?;
                if let Some(error) = &record.summary.error {
                    writeln!(out, "error: {error}")?;
                }
                writeln!(out, "inputs: {}", Value::Object(record.inputs.clone()))?;
                if let Some(outputs) = &record.outputs {
                    writeln!(out, "outputs: {}", Value::Object(outputs.clone()))?;
                }
                for node in &record.nodes {
                    let error = node.error.as_deref().map(|e| format!("  {e}")).unwrap_or_default();
                    writeln!(out, "  {:<32} #{} {}{error}", node.node, node.attempt, node.status)?;
                }
                Ok(Outcome::Ok)
            }
            Some(RunsCommand::Events { id }) => {
                let events = store.events(id).await?;
                let mut out = std::io::stdout().lock();
                for event in events {
                    serde_json::to_writer(&mut out, &event)?;
                    writeln!(out)?;
                }
                Ok(Outcome::Ok)
            }
        }
    })
}

/// `, 1200 tokens, $0.0042` for runs that called models.
fn spend(run: &floe_engine::store::RunSummary) -> String {
    if run.tokens_in + run.tokens_out == 0 {
        return String::new();
    }
    format!(", {} tokens, ${:.4}", run.tokens_in + run.tokens_out, run.cost_usd)
}

pub fn cancel(args: &CancelArgs) -> anyhow::Result<Outcome> {
    runtime()?.block_on(async {
        let store = args.store.open().await?;
        let outcome = match store.request_cancel(&args.id, "cancelled with `floe cancel`").await {
            Ok(outcome) => outcome,
            Err(StoreError::Refused(message)) => {
                note!("{message}");
                return Ok(Outcome::Problems);
            }
            Err(error) => return Err(error.into()),
        };
        if outcome == CancelOutcome::MarkedCancelled {
            note!("run {} was not running; marked cancelled (still resumable)", args.id);
            return Ok(Outcome::Ok);
        }
        // The owner looks for requests several times a second; wait for it to settle the run,
        // for at most a lease (past it, the owner is gone and the run is interrupted).
        note!("asked the process running {} to cancel it", args.id);
        let deadline = tokio::time::Instant::now() + floe_engine::store::LEASE * 2;
        while tokio::time::Instant::now() < deadline {
            let summary = store.run(&args.id).await?.summary;
            if summary.status.is_final() || summary.interrupted {
                note!("run {} {}; finish it with `floe resume {}`", args.id, summary.status.as_str(), args.id);
                return Ok(Outcome::Ok);
            }
            // Polled, like approvals: the owner is another process, reached only through the store.
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        note!("run {} has not stopped yet; its nodes finish their current step first", args.id);
        Ok(Outcome::Ok)
    })
}

/// Progress on stderr (TTY) or JSON lines on stdout, and the final report.
struct Display {
    json: bool,
    progress: Option<Arc<Progress>>,
}

impl Display {
    fn new(json: bool) -> Self {
        let progress = (!json && std::io::stderr().is_terminal()).then(|| Arc::new(Progress::new()));
        Self { json, progress }
    }

    fn sink(&self) -> Arc<dyn EventSink> {
        match (&self.progress, self.json) {
            (_, true) => Arc::new(JsonLines::new(std::io::stdout())),
            (Some(progress), false) => progress.clone(),
            (None, false) => Arc::new(Quiet),
        }
    }

    fn finish(&self, result: Result<RunReport, RunError>, what: &str) -> anyhow::Result<Outcome> {
        if let Some(progress) = &self.progress {
            progress.bar.finish_and_clear();
        }
        let report = match result {
            Ok(report) => report,
            Err(RunError::Invalid { diagnostics, path }) => {
                let mut err = std::io::stderr().lock();
                for diagnostic in diagnostics.iter().filter(|d| d.is_error()) {
                    crate::report::print(&mut err, std::path::Path::new(&path), diagnostic)?;
                }
                writeln!(err, "{path} does not compile; fix the errors above and run again")?;
                return Ok(Outcome::Problems);
            }
            Err(RunError::NotReady { path, unready }) => {
                let mut err = std::io::stderr().lock();
                for problem in &unready {
                    let role = if problem.fallback { "warning (fallback only)" } else { "error" };
                    writeln!(err, "{role}: {} ({})", problem.problem.message, problem.nodes.join(", "))?;
                }
                writeln!(err, "{path} did not start: nothing ran. Fix the above, or run anyway with --no-check")?;
                return Ok(Outcome::Problems);
            }
            Err(error) => {
                note!("error: {error}");
                return Ok(match error {
                    RunError::Start(_) | RunError::NotResumable { .. } => Outcome::Problems,
                    _ => Outcome::Io,
                });
            }
        };
        if !self.json {
            crate::print_json(&Value::Object(report.outputs.clone()))?;
        }
        let elapsed = humantime::format_duration(Duration::from_millis(report.elapsed.as_millis() as u64));
        match report.status {
            RunStatus::Succeeded => {
                note!("run {} of {what} succeeded in {elapsed}", report.run_id);
                Ok(Outcome::Ok)
            }
            RunStatus::Cancelled => {
                note!(
                    "run {} cancelled: {}; finish it with `floe resume {}`",
                    report.run_id,
                    report.error.as_deref().unwrap_or("cancelled"),
                    report.run_id
                );
                Ok(Outcome::Cancelled)
            }
            _ => {
                note!(
                    "run {} failed: {}; see `floe runs show {}`",
                    report.run_id,
                    report.error.as_deref().unwrap_or("unknown error"),
                    report.run_id
                );
                Ok(Outcome::Problems)
            }
        }
    }
}

/// Events go nowhere when stderr is not a terminal and `--json` was not asked for.
struct Quiet;

impl EventSink for Quiet {
    fn emit(&self, _: &[Event]) {}

    fn wants_events(&self) -> bool {
        false
    }
}

/// A live line: nodes done, running, failed, skipped, and elapsed time.
struct Progress {
    bar: ProgressBar,
    counts: Mutex<Counts>,
}

#[derive(Default)]
struct Counts {
    total: u64,
    running: i64,
    done: u64,
    failed: u64,
    skipped: u64,
}

impl Progress {
    fn new() -> Self {
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} [{elapsed}] {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        Self { bar, counts: Mutex::new(Counts::default()) }
    }
}

impl EventSink for Progress {
    fn emit(&self, events: &[Event]) {
        let mut c = self.counts.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for event in events {
            match &event.kind {
                RunEvent::RunStarted { nodes, .. } => c.total = *nodes as u64,
                RunEvent::NodeStarted { .. } => c.running += 1,
                RunEvent::NodeSucceeded { node, .. } => {
                    c.running -= 1;
                    if !node.contains('/') {
                        c.done += 1;
                    }
                }
                RunEvent::NodeFailed { node, error, .. } => {
                    c.running -= 1;
                    c.failed += 1;
                    self.bar.println(format!("✗ {node}: {}", error.message));
                }
                RunEvent::NodeRetrying { node, delay_ms, error, .. } => {
                    c.running -= 1;
                    self.bar.println(format!("↻ {node}: {} (retrying in {delay_ms} ms)", error.message));
                }
                RunEvent::NodeSkipped { .. } => c.skipped += 1,
                RunEvent::NodeCached { node, .. } if !node.contains('/') => c.done += 1,
                _ => {}
            }
        }
        self.bar.set_message(format!(
            "{}/{} nodes done, {} running, {} failed, {} skipped",
            c.done,
            c.total,
            c.running.max(0),
            c.failed,
            c.skipped
        ));
    }
}
