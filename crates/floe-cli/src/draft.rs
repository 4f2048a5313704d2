//! `floe draft`: a blueprint drafted from a request, or (with `--into`) an edit of one. The
//! drafted blueprint goes to `--out` (written atomically) or stdout; the summary and problems to
//! stderr; `--json` gives everything as one object. The file being edited is never written.
//! `floe draft --eval` runs the drafter over the evaluation set and prints its figures.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use floe_blueprint::{Blueprint, Catalog, to_canonical_string};
use floe_draft::eval::{SET, cases, evaluate};
use floe_draft::offline::draft_offline;
use floe_draft::{Drafter, make_draft};
use floe_engine::FileResolver;
use serde_json::json;

use crate::{Outcome, report};

/// `floe draft`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What the workflow should do, e.g. "fetch https://example.com, summarise it, save it to summary.md".
    #[arg(required_unless_present = "eval")]
    request: Option<String>,
    /// Edit this blueprint instead of drafting a new one (it is read, never written).
    #[arg(long, value_name = "FILE")]
    into: Option<PathBuf>,
    /// Write the drafted blueprint here (default: stdout).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Print one JSON object: the operations, the blueprint, the summary, the problems.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    choice: ModelChoice,
    /// Run the drafter over the evaluation set (the built-in one, or this JSON Lines file) and
    /// print the share that compiles, the share structurally right and the median time.
    #[arg(long, value_name = "SET", num_args = 0..=1, default_missing_value = "")]
    eval: Option<String>,
    /// Where the evaluation's edit cases find their examples.
    #[arg(long, value_name = "DIR", default_value = "blueprints")]
    examples: PathBuf,
}

/// Which model drafts or explains: `--offline`, `--model M`, else the default model, else none.
#[derive(Debug, clap::Args)]
struct ModelChoice {
    /// Without a model (the default when no default model is chosen).
    #[arg(long, conflicts_with = "model")]
    offline: bool,
    /// With this model (`provider:model`; default: the default model, when one is chosen).
    #[arg(long, value_name = "MODEL")]
    model: Option<String>,
}

impl ModelChoice {
    /// The model to use, and whether it was named (`--model`) rather than the default.
    fn pick(&self, llm: &floe_llm::Llm) -> Option<(String, bool)> {
        if self.offline {
            return None;
        }
        match &self.model {
            Some(model) => Some((model.clone(), true)),
            None => llm.default_model().map(|model| (model, false)),
        }
    }
}

/// Runs `floe draft`.
pub fn run(args: &Args) -> anyhow::Result<Outcome> {
    if let Some(set) = &args.eval {
        return eval(args, set);
    }
    let request = args.request.as_deref().unwrap_or_default();
    if let (Some(into), Some(out)) = (&args.into, &args.out)
        && std::fs::canonicalize(into).ok() == std::fs::canonicalize(out).ok().or_else(|| Some(out.clone()))
    {
        anyhow::bail!(
            "--out is the file being edited ({}); floe draft never writes it: choose another --out and compare",
            into.display()
        );
    }
    let base = match &args.into {
        Some(path) => read(path)?,
        None => {
            let id = args
                .out
                .as_deref()
                .and_then(Path::file_stem)
                .map_or("draft".into(), |s| s.to_string_lossy().into_owned());
            Blueprint::new(id.replace(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'), "-"), "")
        }
    };
    let key = args.into.as_ref().or(args.out.as_ref()).map(|p| floe_engine::files::key_of(p));
    let resolver = FileResolver::from_settings();
    let draft = match model_draft(args, request, &base, &resolver, key.as_deref())? {
        Ok(draft) => draft,
        Err(reason) => {
            let ops = match draft_offline(request, &base, &resolver, key.as_deref()) {
                Ok(ops) => ops,
                Err(why) => {
                    note!("error: {why}");
                    return Ok(Outcome::Problems);
                }
            };
            make_draft(&base, ops, Catalog::builtin(), &resolver, key.as_deref(), Drafter::Offline { reason })
        }
    };
    let text = draft.blueprint.as_ref().map(to_canonical_string);
    let clean = draft.is_clean();
    if args.json {
        crate::print_json(&json!({
            "clean": clean,
            "summary": draft.summary,
            "drafter": draft.drafter,
            "ops": draft.ops,
            "apply_error": draft.apply_error,
            "diagnostics": draft.diagnostics,
            "blueprint": draft.blueprint,
        }))?;
    }
    match (&text, &args.out) {
        (Some(text), Some(out)) => {
            floe_engine::files::write_atomic(out, text.as_bytes())?;
            note!("wrote {}", out.display());
        }
        (Some(text), None) if !args.json => std::io::stdout().write_all(text.as_bytes())?,
        _ => {}
    }
    note!("{}", draft.summary);
    match &draft.drafter {
        Drafter::Offline { reason } => note!("drafted offline: {reason}"),
        Drafter::Model { model } => note!(
            "drafted by {model} in {} round(s), {} + {} tokens{}",
            draft.rounds + 1,
            draft.tokens_in,
            draft.tokens_out,
            draft.cost_usd.map(|c| format!(", ${c:.4}")).unwrap_or_default()
        ),
    }
    if let Some(error) = &draft.apply_error {
        note!("error: {error}");
    }
    if let Some(text) = &text {
        let mut diagnostics = draft.diagnostics.clone();
        floe_blueprint::locate(text, &mut diagnostics);
        let shown = args.out.clone().unwrap_or_else(|| PathBuf::from("<draft>"));
        let mut err = std::io::stderr().lock();
        for diagnostic in &diagnostics {
            report::print(&mut err, &shown, diagnostic)?;
        }
    }
    if !clean {
        note!("the draft does not compile: fix the problems above, or say more in the request");
    }
    Ok(if clean { Outcome::Ok } else { Outcome::Problems })
}

/// Drafts with a model when one is asked for or chosen as the default; `Ok(Err(reason))` says why
/// the offline drafter answers instead. A model named with `--model` that cannot answer is an
/// error; the default model falls back to the offline drafter, saying why.
fn model_draft(
    args: &Args,
    request: &str,
    base: &Blueprint,
    resolver: &FileResolver,
    key: Option<&str>,
) -> anyhow::Result<Result<floe_draft::Draft, String>> {
    if args.choice.offline {
        return Ok(Err("--offline was given (no model is used)".into()));
    }
    let llm = floe_llm::Llm::from_default_settings()?;
    let Some((name, chosen)) = args.choice.pick(&llm) else {
        return Ok(Err("no default model is chosen (Settings, or `floe models default`)".into()));
    };
    let model = floe_llm::ModelRef::parse(&name)?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let selection: Vec<String> = Vec::new();
    let asked = floe_draft::model::Request { text: request, base, selection: &selection, resolver, key };
    let progress = |p: floe_draft::model::Progress| {
        if let floe_draft::model::Progress::Round { round, problems, .. } = p
            && !problems.is_empty()
        {
            note!("round {round}: {} problem(s); asking the model to repair them", problems.len());
        }
    };
    let mut progress = progress;
    match runtime.block_on(floe_draft::model::draft_with_model(&llm, &model, &asked, Catalog::builtin(), &mut progress))
    {
        Ok(draft) => Ok(Ok(draft)),
        Err(error) if chosen => Err(error.into()),
        Err(error) => Ok(Err(format!("the default model {name} could not answer ({error})"))),
    }
}

fn read(path: &Path) -> anyhow::Result<Blueprint> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let parsed = floe_blueprint::parse_bytes(&bytes);
    match parsed.blueprint {
        Some(blueprint) if !parsed.diagnostics.iter().any(floe_blueprint::Diagnostic::is_error) => Ok(blueprint),
        _ => anyhow::bail!(
            "{} cannot be read whole; run `floe validate {}` and fix it first",
            path.display(),
            path.display()
        ),
    }
}

fn eval(args: &Args, set: &str) -> anyhow::Result<Outcome> {
    let text = if set.is_empty() {
        SET.to_owned()
    } else {
        std::fs::read_to_string(set).with_context(|| format!("cannot read {set}"))?
    };
    let cases = cases(&text).map_err(anyhow::Error::msg)?;
    let examples = args.examples.clone();
    let base = |name: Option<&str>| match name {
        Some(file) => read(&examples.join(file)).unwrap_or_else(|_| Blueprint::new("draft", "")),
        None => Blueprint::new("draft", ""),
    };
    let resolver = FileResolver::from_settings();
    // Sub-workflows resolve from the examples folder, as if each draft were saved there.
    let key = floe_engine::files::key_of(&examples.join("draft.json"));
    let report = match &args.choice.model {
        None => evaluate(&cases, &base, &floe_draft::eval::offline(&resolver, Some(&key))),
        Some(name) => {
            let llm = floe_llm::Llm::from_default_settings()?;
            let model = floe_llm::ModelRef::parse(name)?;
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            let drafter = |request: &str, base: &Blueprint| {
                let asked = floe_draft::model::Request {
                    text: request,
                    base,
                    selection: &[],
                    resolver: &resolver,
                    key: Some(&key),
                };
                runtime
                    .block_on(floe_draft::model::draft_with_model(
                        &llm,
                        &model,
                        &asked,
                        Catalog::builtin(),
                        &mut |_| {},
                    ))
                    .map_err(|e| e.to_string())
            };
            evaluate(&cases, &base, &drafter)
        }
    };
    if args.json {
        return crate::print_json(&report);
    }
    let mut out = std::io::stdout().lock();
    for outcome in report.outcomes.iter().filter(|o| !o.right) {
        writeln!(out, "miss  {:?}: {}", outcome.request, outcome.missing.join("; "))?;
    }
    let who = args.choice.model.as_deref().unwrap_or("offline drafter");
    writeln!(
        out,
        "{who} on {} requests: {:.1}% compile, {:.1}% structurally right, median {:.2} ms, {:.2} repair rounds on average, {} + {} tokens",
        report.cases,
        report.compiles * 100.0,
        report.right * 100.0,
        report.median_ms,
        report.rounds,
        report.tokens.0,
        report.tokens.1
    )?;
    if let Some((nodes, edges)) = report.f1 {
        writeln!(out, "against the reference blueprints: node F1 {nodes:.2}, edge F1 {edges:.2}")?;
    }
    Ok(Outcome::Ok)
}

/// `floe explain`.
#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// The blueprint to explain.
    file: PathBuf,
    /// Print the explanation as JSON (a summary and one step per node).
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    choice: ModelChoice,
}

/// Runs `floe explain`: the blueprint in plain words, step by step, by a model when one is
/// chosen (only steps naming the blueprint's own nodes are kept), else by Floe itself.
pub fn explain(args: &ExplainArgs) -> anyhow::Result<Outcome> {
    let blueprint = read(&args.file)?;
    let llm = floe_llm::Llm::from_default_settings()?;
    let explained = match args.choice.pick(&llm) {
        None => floe_draft::explain::explain(&blueprint),
        Some((name, _)) => {
            let model = floe_llm::ModelRef::parse(&name)?;
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            let (explained, note) = runtime.block_on(floe_draft::explain::explain_with_model(&llm, &model, &blueprint));
            if let Some(note) = note {
                note!("{note}");
            }
            explained
        }
    };
    if args.json {
        return crate::print_json(&explained);
    }
    std::io::stdout().write_all(explained.to_markdown().as_bytes())?;
    Ok(Outcome::Ok)
}
