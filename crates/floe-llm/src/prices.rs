//! What calls cost: a price table (USD per million tokens) shipped in `data/prices.json`, which
//! a user file overrides entry by entry.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::types::Usage;

/// The built-in table.
const BUILTIN: &str = include_str!("../data/prices.json");

/// A model's prices, USD per million tokens.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Price {
    /// Prompt tokens.
    pub input: f64,
    /// Generated tokens.
    pub output: f64,
    /// Prompt tokens served from cache (default: the input price).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cached_input: Option<f64>,
}

impl Price {
    /// The cost of `usage`.
    pub fn cost(&self, usage: Usage) -> f64 {
        let cached = usage.cached_tokens.min(usage.input_tokens);
        let fresh = usage.input_tokens - cached;
        (fresh as f64 * self.input
            + cached as f64 * self.cached_input.unwrap_or(self.input)
            + usage.output_tokens as f64 * self.output)
            / 1e6
    }
}

/// The price table.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Prices {
    /// Free text about the table.
    #[serde(default, skip_serializing)]
    pub about: String,
    /// `provider:model` → price.
    #[serde(default)]
    pub models: BTreeMap<String, Price>,
    /// Provider → price of every model it serves (local servers are free).
    #[serde(default)]
    pub providers: BTreeMap<String, Price>,
}

impl Prices {
    /// The built-in table.
    pub fn builtin() -> Self {
        serde_json::from_str(BUILTIN).unwrap_or_default()
    }

    /// The built-in table with `path`'s entries laid over it.
    pub fn with_overrides(path: &Path) -> Result<Self, String> {
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("cannot read the price file {}: {e}", path.display()))?;
        let overrides: Prices = serde_json::from_str(&text).map_err(|e| {
            format!("the price file {} is invalid at line {}, column {}: {e}", path.display(), e.line(), e.column())
        })?;
        let mut prices = Self::builtin();
        prices.models.extend(overrides.models);
        prices.providers.extend(overrides.providers);
        Ok(prices)
    }

    /// The price of `provider:model`: exact, else the longest listed prefix, else the provider's.
    pub fn price(&self, provider: &str, model: &str) -> Option<Price> {
        let full = format!("{provider}:{model}");
        if let Some(price) = self.models.get(&full) {
            return Some(*price);
        }
        self.models
            .iter()
            .filter(|(name, _)| full.starts_with(name.as_str()) && full[name.len()..].starts_with(['-', '@', ':']))
            .max_by_key(|(name, _)| name.len())
            .map(|(_, price)| *price)
            .or_else(|| self.providers.get(provider).copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_fall_back_from_exact_to_prefix_to_provider() {
        let prices = Prices::builtin();
        assert!(!prices.models.is_empty(), "the built-in table parses");
        let mini = prices.price("openai", "gpt-4o-mini").expect("listed");
        assert_eq!(prices.price("openai", "gpt-4o-mini-2024-07-18"), Some(mini));
        assert_ne!(prices.price("openai", "gpt-4o-2024-08-06"), Some(mini), "gpt-4o is not gpt-4o-mini");
        assert_eq!(prices.price("ollama", "llama3.2").map(|p| p.output), Some(0.0));
        assert_eq!(prices.price("openai", "unheard-of"), None);
    }

    #[test]
    fn cached_tokens_are_charged_at_the_cached_price() {
        let price = Price { input: 2.0, output: 10.0, cached_input: Some(0.5) };
        let usage = Usage { input_tokens: 1_000_000, output_tokens: 100_000, cached_tokens: 400_000 };
        assert!((price.cost(usage) - (1.2 + 0.2 + 1.0)).abs() < 1e-9);
    }
}
