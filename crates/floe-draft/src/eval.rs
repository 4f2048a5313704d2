//! The evaluation set (`eval/requests.jsonl`): requests of the kind people type, each with what a
//! right draft must hold (kinds, tools, policies, a minimum size). [`evaluate`] runs a drafter
//! over it and reports the share that compiles, the share structurally right and the time each
//! took; the offline drafter's figures are a floor in the tests that only rises.

use std::time::{Duration, Instant};

use floe_blueprint::{Blueprint, Catalog, Node};
use floe_compiler::Resolver;
use serde::{Deserialize, Serialize};

use crate::draft::{Draft, Drafter, make_draft};
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
    /// A reference blueprint (an example, in `blueprints/`) the draft is compared with.
    #[serde(default)]
    pub reference: Option<String>,
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
    /// Repair rounds.
    pub rounds: u32,
    /// Prompt and completion tokens.
    pub tokens: (u64, u64),
    /// Node and edge F1 against the reference, when the case has one.
    pub f1: Option<(f64, f64)>,
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
    /// Mean node and edge F1 over the cases with a reference.
    pub f1: Option<(f64, f64)>,
    /// Mean repair rounds.
    pub rounds: f64,
    /// Prompt and completion tokens, in all.
    pub tokens: (u64, u64),
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

/// A drafter under evaluation: a request and a base → a draft, or why there is none.
pub type DraftFn<'a> = dyn Fn(&str, &Blueprint) -> Result<Draft, String> + 'a;

/// The offline drafter as a [`DraftFn`].
pub fn offline<'a>(
    resolver: &'a dyn Resolver,
    key: Option<&'a str>,
) -> impl Fn(&str, &Blueprint) -> Result<Draft, String> + 'a {
    move |request, base| {
        let ops: Vec<Op> = crate::offline::draft_offline(request, base, resolver, key).map_err(|e| e.0)?;
        let drafter = Drafter::Offline { reason: "evaluation".into() };
        Ok(make_draft(base, ops, Catalog::builtin(), resolver, key, drafter))
    }
}

/// What a node is, for comparing graphs: its kind, and its tool when it calls one.
fn signature(node: &Node) -> String {
    match node.config.get("tool").and_then(|t| t.as_str()) {
        Some(tool) => format!("tool:{tool}"),
        None => node.kind.clone(),
    }
}

/// F1 of two multisets.
fn f1(drafted: &[String], reference: &[String]) -> f64 {
    if drafted.is_empty() && reference.is_empty() {
        return 1.0;
    }
    let mut left: Vec<&String> = reference.iter().collect();
    let mut hits = 0;
    for item in drafted {
        if let Some(at) = left.iter().position(|r| *r == item) {
            left.remove(at);
            hits += 1;
        }
    }
    if hits == 0 {
        return 0.0;
    }
    let precision = hits as f64 / drafted.len() as f64;
    let recall = hits as f64 / reference.len() as f64;
    2.0 * precision * recall / (precision + recall)
}

/// Node and edge F1 of `drafted` against `reference`: nodes by signature, edges by the
/// signatures they join (bodies included).
pub fn graph_f1(drafted: &Blueprint, reference: &Blueprint) -> (f64, f64) {
    let parts = |b: &Blueprint| {
        let nodes = all_nodes(&b.nodes);
        let by_id: std::collections::HashMap<&str, String> =
            nodes.iter().map(|n| (n.id.as_str(), signature(n))).collect();
        let mut edges: Vec<&floe_blueprint::Edge> = b.edges.iter().collect();
        edges.extend(nodes.iter().flat_map(|n| n.body.iter().flat_map(|body| &body.edges)));
        let end = |r: &str| by_id.get(r.split('.').next().unwrap_or(r)).cloned().unwrap_or_default();
        let edges: Vec<String> = edges.iter().map(|e| format!("{}→{}", end(&e.from), end(&e.to))).collect();
        (nodes.iter().map(|n| signature(n)).collect::<Vec<_>>(), edges)
    };
    let (dn, de) = parts(drafted);
    let (rn, re) = parts(reference);
    (f1(&dn, &rn), f1(&de, &re))
}

/// Runs `drafter` over `cases`; `example` gives a case's base (and reference) by file name, or
/// an empty blueprint.
pub fn evaluate(cases: &[Case], example: &dyn Fn(Option<&str>) -> Blueprint, drafter: &DraftFn<'_>) -> Report {
    let mut outcomes = Vec::new();
    for case in cases {
        let base = example(case.base.as_deref());
        let started = Instant::now();
        let outcome = match drafter(&case.request, &base) {
            Ok(draft) => {
                let millis = started.elapsed().as_secs_f64() * 1000.0;
                let compiles = draft.is_clean();
                let mut missing = match &draft.blueprint {
                    Some(blueprint) => lacks(case, blueprint),
                    None => Vec::new(),
                };
                missing.extend(draft.problems.iter().cloned());
                let f1 = case
                    .reference
                    .as_ref()
                    .zip(draft.blueprint.as_ref())
                    .map(|(name, drafted)| graph_f1(drafted, &example(Some(name))));
                Outcome {
                    request: case.request.clone(),
                    compiles,
                    right: compiles && missing.is_empty(),
                    missing,
                    millis,
                    rounds: draft.rounds,
                    tokens: (draft.tokens_in, draft.tokens_out),
                    f1,
                }
            }
            Err(why) => Outcome {
                request: case.request.clone(),
                compiles: false,
                right: false,
                missing: vec![why],
                millis: started.elapsed().as_secs_f64() * 1000.0,
                rounds: 0,
                tokens: (0, 0),
                f1: case.reference.as_ref().map(|_| (0.0, 0.0)),
            },
        };
        outcomes.push(outcome);
    }
    let n = outcomes.len().max(1) as f64;
    let mut times: Vec<f64> = outcomes.iter().map(|o| o.millis).collect();
    times.sort_by(f64::total_cmp);
    let scored: Vec<(f64, f64)> = outcomes.iter().filter_map(|o| o.f1).collect();
    let k = scored.len() as f64;
    Report {
        cases: outcomes.len(),
        compiles: outcomes.iter().filter(|o| o.compiles).count() as f64 / n,
        right: outcomes.iter().filter(|o| o.right).count() as f64 / n,
        median_ms: times.get(times.len() / 2).copied().unwrap_or(0.0),
        f1: (!scored.is_empty())
            .then(|| (scored.iter().map(|s| s.0).sum::<f64>() / k, scored.iter().map(|s| s.1).sum::<f64>() / k)),
        rounds: outcomes.iter().map(|o| f64::from(o.rounds)).sum::<f64>() / n,
        tokens: outcomes.iter().fold((0, 0), |(a, b), o| (a + o.tokens.0, b + o.tokens.1)),
        outcomes,
    }
}

/// The time limit a request's draft is measured against (the issue asks for a median under this).
pub const MEDIAN_LIMIT: Duration = Duration::from_millis(50);
