//! A pre-run cost estimate (`floe validate --estimate`): for each model node, the tokens its
//! prompt templates hold (about four characters a token, values from upstream not counted),
//! its output limit, how many calls it may make, and the price of that from the price table.
//! Which kinds call models, how often, and how often containers run their bodies, is the
//! catalogue's to say (`KindSpec::model_calls`, `KindSpec::body_runs`).

use floe_blueprint::Catalog;
use floe_blueprint::catalog::Repeats;
use floe_compiler::{Plan, Scope};
use floe_llm::{ModelRef, Prices};
use serde::Serialize;
use serde_json::Value;

/// Output tokens assumed for a call that sets no `max_tokens`.
pub const ASSUMED_MAX_TOKENS: u64 = 1024;

/// How many calls a node may make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "n")]
pub enum Calls {
    /// This many.
    Exactly(u64),
    /// At most this many (agent turns, recursive iterations).
    UpTo(u64),
    /// Once per loop item; the item count is known only when the run starts.
    PerItem,
}

/// One model node's estimate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeEstimate {
    /// The node (`map/summarise` for a node in a loop's body).
    pub node: String,
    /// Its primary model.
    pub model: String,
    /// Prompt tokens per call (template text only).
    pub input_tokens: u64,
    /// Output tokens per call at most.
    pub output_tokens: u64,
    /// How many calls.
    pub calls: Calls,
    /// USD for the calls counted (per item for loops), when the model has a price.
    pub cost_usd: Option<f64>,
}

/// The whole estimate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    /// Model nodes, in plan order.
    pub nodes: Vec<NodeEstimate>,
    /// The most the counted calls cost (loop items counted once each), when every model is priced.
    pub total_usd: Option<f64>,
}

/// Estimates `plan` against `prices`.
pub fn estimate(plan: &Plan, prices: &Prices) -> Estimate {
    let mut nodes = Vec::new();
    // Work list of (scope, path prefix, multiplier): no recursion over nesting depth.
    let mut pending: Vec<(&Scope, String, Calls)> = vec![(plan.root(), String::new(), Calls::Exactly(1))];
    while let Some((scope, prefix, outer)) = pending.pop() {
        for &index in scope.order() {
            let node = &scope.graph()[index];
            let path = format!("{prefix}{}", node.id);
            let config = node.config.as_ref();
            let (Some(kind), Some(fields)) = (Catalog::builtin().kind(&node.kind), config.as_object()) else {
                continue;
            };
            if let Some(body) = &node.body {
                pending.push((body, format!("{path}/"), times(outer, (kind.traits.body_runs)(fields).into())));
            }
            let Some(own) = (kind.traits.model_calls)(fields) else { continue };
            let model = config.get("model").and_then(Value::as_str).unwrap_or_default().to_owned();
            let text = |field: &str| config.get(field).and_then(Value::as_str).map_or(0, literal_chars);
            let input_tokens = ((text("system") + text("prompt")) as u64).div_ceil(4);
            let output_tokens = config.get("max_tokens").and_then(Value::as_u64).unwrap_or(ASSUMED_MAX_TOKENS);
            let calls = times(outer, own.into());
            let price = ModelRef::parse(&model).ok().and_then(|m| prices.price(&m.provider, &m.model));
            let per_call = price.map(|p| (input_tokens as f64 * p.input + output_tokens as f64 * p.output) / 1e6);
            let cost_usd = per_call.map(|c| c * count(calls) as f64);
            nodes.push(NodeEstimate { node: path, model, input_tokens, output_tokens, calls, cost_usd });
        }
    }
    let total_usd = nodes.iter().map(|n| n.cost_usd).sum();
    Estimate { nodes, total_usd }
}

impl From<Repeats> for Calls {
    fn from(repeats: Repeats) -> Self {
        match repeats {
            Repeats::Exactly(n) => Calls::Exactly(n),
            Repeats::UpTo(n) => Calls::UpTo(n),
            Repeats::PerItem => Calls::PerItem,
        }
    }
}

fn times(outer: Calls, inner: Calls) -> Calls {
    match (outer, inner) {
        (Calls::PerItem, _) | (_, Calls::PerItem) => Calls::PerItem,
        (Calls::Exactly(a), Calls::Exactly(b)) => Calls::Exactly(a * b),
        (Calls::Exactly(a) | Calls::UpTo(a), Calls::Exactly(b) | Calls::UpTo(b)) => Calls::UpTo(a * b),
    }
}

fn count(calls: Calls) -> u64 {
    match calls {
        Calls::Exactly(n) | Calls::UpTo(n) => n,
        Calls::PerItem => 1,
    }
}

/// Characters of a template outside its `{{ }}` and `{% %}` tags.
fn literal_chars(template: &str) -> usize {
    let mut total = 0;
    let mut rest = template;
    while let Some(start) = rest.find(['{']) {
        let (before, after) = rest.split_at(start);
        total += before.chars().count();
        let close = match after.get(..2) {
            Some("{{") => "}}",
            Some("{%") => "%}",
            Some("{#") => "#}",
            _ => {
                total += 1;
                rest = &after[1..];
                continue;
            }
        };
        match after.find(close) {
            Some(end) => rest = &after[end + 2..],
            None => return total,
        }
    }
    total + rest.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_tags_are_not_counted() {
        assert_eq!(literal_chars("Summarise: {{ inputs.in }}"), "Summarise: ".len());
        assert_eq!(literal_chars("{% for x in y %}- {{ x }}\n{% endfor %}"), 3);
        assert_eq!(literal_chars("a { b"), 5);
    }

    #[test]
    fn multipliers_compose() {
        assert_eq!(times(Calls::UpTo(5), Calls::Exactly(2)), Calls::UpTo(10));
        assert_eq!(times(Calls::Exactly(1), Calls::PerItem), Calls::PerItem);
    }
}
