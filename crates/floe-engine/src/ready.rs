//! Ready before it runs: every model a plan may call (its sub-workflows' and fallbacks
//! included) is looked up before any node starts — a key is there, a local server answers and
//! has the model — so a run that cannot call its model stops at once and says what to do.

use floe_compiler::Plan;
use floe_llm::{Llm, NotReady};
use schemars::JsonSchema;
use serde::Serialize;

/// A model a plan may call that cannot be called now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Unready {
    /// The nodes that call it (`step/summarise` inside a sub-workflow).
    pub nodes: Vec<String>,
    /// Only as a fallback: the run can start, and fails over to it only if the model before it
    /// fails.
    pub fallback: bool,
    /// What is wrong and what to do.
    #[serde(flatten)]
    pub problem: NotReady,
}

/// The models of `plan` that cannot be called, each once (looked up concurrently), in plan order.
pub async fn check(plan: &Plan, llm: &Llm) -> Vec<Unready> {
    let mut models: Vec<(String, Vec<String>, bool)> = Vec::new();
    for used in plan.models() {
        match models.iter_mut().find(|(model, ..)| *model == used.model) {
            Some((_, nodes, fallback)) => {
                if !nodes.contains(&used.node) {
                    nodes.push(used.node.clone());
                }
                *fallback &= used.fallback;
            }
            None => models.push((used.model.clone(), vec![used.node.clone()], used.fallback)),
        }
    }
    let answers = futures::future::join_all(models.iter().map(|(model, ..)| llm.ready(model))).await;
    models
        .into_iter()
        .zip(answers)
        .filter_map(|((_, nodes, fallback), answer)| answer.err().map(|problem| Unready { nodes, fallback, problem }))
        .collect()
}

/// Whether any of `unready` stops the run (a primary model, not only a fallback).
pub fn blocks(unready: &[Unready]) -> bool {
    unready.iter().any(|u| !u.fallback)
}
