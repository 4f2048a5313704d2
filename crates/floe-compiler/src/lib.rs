//! The Floe compiler: the single judge of whether a blueprint is a runnable graph.
//!
//! `compile(blueprint, catalog)` returns the immutable [`Plan`] (when there are no errors) and
//! every [`Diagnostic`] at once. The compiler knows nothing of files, async runtimes or the UI:
//! sub-workflows are found through a [`Resolver`] the caller supplies.

mod compile;
mod config;
pub mod plan;
mod policy;
pub mod resolve;
pub mod templates;

pub use compile::{compile, compile_with};
pub use plan::{
    DefaultModel, ModelSource, ModelUse, NodePolicy, Plan, PlanEdge, PlanNode, PlanOutput, RetrySettings, RunSettings,
    Scope, WorkflowTool,
};
pub use resolve::{NoResolver, Resolved, Resolver};

use floe_blueprint::{Catalog, Diagnostic, Parsed};

/// The result of checking a document from its text.
#[derive(Debug)]
pub struct Checked {
    /// The plan, when the document compiles.
    pub plan: Option<Plan>,
    /// Every problem, reading and compiling, with source positions.
    pub diagnostics: Vec<Diagnostic>,
    /// The version the document was migrated from, if it was older.
    pub migrated_from: Option<u32>,
}

/// Parses and compiles source bytes; diagnostics carry line and column where they can.
pub fn check_bytes(bytes: &[u8], catalog: &Catalog, resolver: &dyn Resolver, key: Option<&str>) -> Checked {
    let parsed = floe_blueprint::parse_bytes(bytes);
    let mut checked = check_parsed(parsed, catalog, resolver, key);
    if let Ok(text) = std::str::from_utf8(bytes) {
        floe_blueprint::locate(text, &mut checked.diagnostics);
    }
    checked
}

/// Compiles what parsing produced, merging both sets of diagnostics.
pub fn check_parsed(parsed: Parsed, catalog: &Catalog, resolver: &dyn Resolver, key: Option<&str>) -> Checked {
    let Parsed { blueprint, mut diagnostics, migrated_from } = parsed;
    let clean = !diagnostics.iter().any(Diagnostic::is_error);
    let mut plan = None;
    if let Some(blueprint) = blueprint {
        let (compiled, found) = compile_with(&blueprint, catalog, resolver, key);
        diagnostics.extend(found);
        plan = compiled.filter(|_| clean);
        // The plan owns what it needs; freeing a large document is left to a worker thread so
        // callers (live validation in the app) get their answer without waiting for it.
        rayon::spawn(move || drop(blueprint));
    }
    diagnostics.sort_by(|a, b| {
        a.severity.cmp(&b.severity).then_with(|| floe_blueprint::diagnostic::pointer_cmp(&a.pointer, &b.pointer))
    });
    Checked { plan, diagnostics, migrated_from }
}
