//! A whole draft: operations applied to a base blueprint (or a new one), new nodes placed, the
//! result compiled, and the change summarised. A draft that does not compile carries its
//! problems and says so; it is never presented as clean.

use floe_blueprint::{Blueprint, Catalog, Diagnostic};
use floe_compiler::Resolver;
use schemars::JsonSchema;
use serde::Serialize;

use crate::ops::{ApplyError, Op, apply};

/// Which drafter answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Drafter {
    /// The deterministic one, no model.
    Offline {
        /// Why it answered (no model set up, or the person chose it).
        reason: String,
    },
    /// A model.
    Model {
        /// `provider:model`.
        model: String,
    },
}

/// A drafted change and what it produces.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Draft {
    /// The operations, in order.
    pub ops: Vec<Op>,
    /// The blueprint they produce (new nodes placed), when they could all be applied.
    #[schemars(with = "serde_json::Value")]
    pub blueprint: Option<Blueprint>,
    /// Why an operation could not be applied, when one could not.
    pub apply_error: Option<ApplyError>,
    /// The compiler's problems on the result.
    pub diagnostics: Vec<Diagnostic>,
    /// What the operations do, in words.
    pub summary: String,
    /// Who drafted it.
    pub drafter: Drafter,
    /// Repair rounds after the first answer.
    pub rounds: u32,
    /// Prompt tokens over every call.
    pub tokens_in: u64,
    /// Completion tokens over every call.
    pub tokens_out: u64,
    /// Their cost in USD, when the model has a price (0 offline).
    pub cost_usd: Option<f64>,
    /// What is still wrong, in words (empty when clean).
    pub problems: Vec<String>,
}

impl Draft {
    /// True when every operation applied and the result compiles without errors.
    pub fn is_clean(&self) -> bool {
        self.apply_error.is_none() && self.blueprint.is_some() && !self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Applies `ops` to `base` (or to a new blueprint `id`/`name`), places the new nodes, compiles the
/// result with `resolver`, and summarises the change.
pub fn make_draft(
    base: &Blueprint,
    ops: Vec<Op>,
    catalog: &Catalog,
    resolver: &dyn Resolver,
    key: Option<&str>,
    drafter: Drafter,
) -> Draft {
    let summary = crate::summary::summarize(&ops);
    let (blueprint, apply_error, diagnostics) = match apply(base, &ops) {
        Ok(mut blueprint) => {
            crate::place::place_new_nodes(&mut blueprint);
            let (_, diagnostics) = floe_compiler::compile_with(&blueprint, catalog, resolver, key);
            (Some(blueprint), None, diagnostics)
        }
        Err(error) => (None, Some(error), Vec::new()),
    };
    let problems = apply_error
        .iter()
        .map(ToString::to_string)
        .chain(
            diagnostics.iter().filter(|d| d.is_error()).map(|d| format!("{} at {}: {}", d.code, d.pointer, d.message)),
        )
        .collect();
    Draft {
        ops,
        blueprint,
        apply_error,
        diagnostics,
        summary,
        drafter,
        rounds: 0,
        tokens_in: 0,
        tokens_out: 0,
        cost_usd: Some(0.0),
        problems,
    }
}
