//! What the drafting tests share: the examples folder as a resolver (sub-workflows by file, the
//! settings' default model `ollama:llama3.2`), and an example by name.

use std::path::PathBuf;

use floe_blueprint::Blueprint;
use floe_compiler::{Resolved, Resolver};

/// `blueprints/` in the repository.
pub fn examples() -> PathBuf {
    floe_fakes::repository().join("blueprints")
}

/// Sub-workflows from the examples folder; the settings' default model.
pub struct Examples;

impl Resolver for Examples {
    fn resolve(&self, _: Option<&str>, reference: &str) -> Result<Resolved, String> {
        let path = examples().join(reference);
        let bytes = std::fs::read(&path).map_err(|e| e.to_string())?;
        let parsed = floe_blueprint::parse_bytes(&bytes);
        Ok(Resolved { key: path.display().to_string(), blueprint: parsed.blueprint, diagnostics: parsed.diagnostics })
    }

    fn default_model(&self) -> Option<&str> {
        Some("ollama:llama3.2")
    }
}

/// The example `name` (a file in `blueprints/`).
pub fn example(name: &str) -> Blueprint {
    floe_blueprint::parse_bytes(&std::fs::read(examples().join(name)).expect("example")).blueprint.expect("parses")
}
