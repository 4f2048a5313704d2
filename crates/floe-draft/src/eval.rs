//! The evaluation set (`eval/requests.jsonl`): requests of the kind people type, each with what a
//! right draft must hold (kinds, tools, policies, a minimum size). [`evaluate`] runs a drafter
//! over it and reports the share that compiles, the share structurally right and the time each
//! took; the offline drafter's figures are a floor in the tests that only rises.

use std::time::{Duration, Instant};

use floe_blueprint::{Blueprint, Catalog, Diagnostic, Node};
use floe_compiler::Resolver;
use serde::{Deserialize, Serialize};

use crate::draft::{Drafter, make_draft};
use crate::ops::Op;

/// The evaluation set shipped with this crate.
pub const SET: &str = include_str!("../eval/requests.jsonl");

/// One request and what a right draft holds.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// What the person typed.
    pub request: String,
    /// An example the request edits (a file in `blueprints/`), when it is an edit.
    #[serde(default)]
    pub base: Option<String>,
    /// Kinds that must appear.
    #[serde(default)]
    pub kinds: Vec<String>,
    /// Tools that must appear.
    #[serde(default)]
    pub tools: Vec<String>,
    /// Node policies that must be set somewhere (`retry`, `timeout`, `on_error`).
    #[serde(default)]
    pub policies: Vec<String>,
    /// Nodes the draft must have at least.
    #[serde(default)]
    pub min_nodes: usize,
    /// The run needs a budget.
    #[serde(default)]
    pub run_budget: bool,
}

/// The set's cases.
pub fn cases(set: &str) -> Result<Vec<Case>, String> {
    set.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, line)| serde_json::from_str(line).map_err(|e| format!("eval line {}: {e}", i + 1)))
        .collect()
}

/// One case's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// The request.
    pub request: String,
    /// The draft compiles without errors.
    pub compiles: bool,
    /// It holds every expected kind, tool, policy and size.
    pub right: bool,
    /// What it lacks (empty when right), or why there is no draft.
    pub missing: Vec<String>,
    /// How long drafting took.
    pub millis: f64,
}

/// Figures over the set.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Cases.
    pub cases: usize,
    /// Share that compiles.
    pub compiles: f64,
    /// Share structurally right.
    pub right: f64,
    /// Median time per request, ms.
    pub median_ms: f64,
    /// Each case.
    pub outcomes: Vec<Outcome>,
}

/// Every node, bodies included.
fn all_nodes(nodes: &[Node]) -> Vec<&Node> {
    let mut out = Vec::new();
    let mut pending: Vec<&Node> = nodes.iter().collect();
    while let Some(node) = pending.pop() {
        out.push(node);
        pending.extend(node.body.iter().flat_map(|b| &b.nodes));
    }
    out
}

/// What `blueprint` lacks of `case`'s expectations.
fn lacks(case: &Case, blueprint: &Blueprint) -> Vec<String> {
    let nodes = all_nodes(&blueprint.nodes);
    let mut missing = Vec::new();
    for kind in &case.kinds {
        if !nodes.iter().any(|n| &n.kind == kind) {
            missing.push(format!("kind {kind}"));
        }
    }
    for tool in &case.tools {
        if !nodes.iter().any(|n| n.config.get("tool").and_then(|t| t.as_str()) == Some(tool)) {
            missing.push(format!("tool {tool}"));
        }
    }
    for policy in &case.policies {
        let set = nodes.iter().any(|n| match policy.as_str() {
            "retry" => n.policy.retry.is_some(),
            "timeout" => n.policy.timeout.is_some(),
            "on_error" => n.policy.on_error.is_some(),
            _ => false,
        });
        if !set {
            missing.push(format!("policy {policy}"));
        }
    }
    if nodes.len() < case.min_nodes {
        missing.push(format!("{} nodes (has {})", case.min_nodes, nodes.len()));
    }
    if case.run_budget && blueprint.run.budget.is_none() {
        missing.push("a run budget".into());
    }
    missing
}

/// A drafter under evaluation: a request and a base → operations, or why not.
pub type DraftFn<'a> = dyn Fn(&str, &Blueprint) -> Result<Vec<Op>, String> + 'a;

/// Runs `drafter` (a request and a base → operations, or why not) over `cases`.
pub fn evaluate(
    cases: &[Case],
    base_of: &dyn Fn(Option<&str>) -> Blueprint,
    drafter: &DraftFn<'_>,
    resolver: &dyn Resolver,
    key: Option<&str>,
) -> Report {
    let mut outcomes = Vec::new();
    for case in cases {
        let base = base_of(case.base.as_deref());
        let started = Instant::now();
        let ops = drafter(&case.request, &base);
        let outcome = match ops {
            Ok(ops) => {
                let draft = make_draft(
                    &base,
                    ops,
                    Catalog::builtin(),
                    resolver,
                    key,
                    Drafter::Offline { reason: "evaluation".into() },
                );
                let millis = started.elapsed().as_secs_f64() * 1000.0;
                let compiles = draft.is_clean();
                let mut missing = match &draft.blueprint {
                    Some(blueprint) => lacks(case, blueprint),
                    None => vec![draft.apply_error.as_ref().map_or_else(String::new, ToString::to_string)],
                };
                missing.extend(
                    draft
                        .diagnostics
                        .iter()
                        .filter(|d| d.is_error())
                        .map(|d: &Diagnostic| format!("{} at {}: {}", d.code, d.pointer, d.message)),
                );
                Outcome {
                    request: case.request.clone(),
                    compiles,
                    right: compiles && missing.is_empty(),
                    missing,
                    millis,
                }
            }
            Err(why) => Outcome {
                request: case.request.clone(),
                compiles: false,
                right: false,
                missing: vec![why],
                millis: started.elapsed().as_secs_f64() * 1000.0,
            },
        };
        outcomes.push(outcome);
    }
    let n = outcomes.len().max(1) as f64;
    let mut times: Vec<f64> = outcomes.iter().map(|o| o.millis).collect();
    times.sort_by(f64::total_cmp);
    Report {
        cases: outcomes.len(),
        compiles: outcomes.iter().filter(|o| o.compiles).count() as f64 / n,
        right: outcomes.iter().filter(|o| o.right).count() as f64 / n,
        median_ms: times.get(times.len() / 2).copied().unwrap_or(0.0),
        outcomes,
    }
}

/// The time limit a request's draft is measured against (the issue asks for a median under this).
pub const MEDIAN_LIMIT: Duration = Duration::from_millis(50);
