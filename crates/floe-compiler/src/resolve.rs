//! What the compiler asks of the world it compiles in: the blueprint a `workflow` node names,
//! and the default model chosen in the settings. The compiler does no I/O; the engine's
//! resolver reads files and settings, tests may use memory.

use floe_blueprint::{Blueprint, Diagnostic};

/// A blueprint found for a reference.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// A stable key for the blueprint (e.g. its canonical path), used to spot recursion.
    pub key: String,
    /// What reading it produced.
    pub blueprint: Option<Blueprint>,
    /// Problems found while reading it.
    pub diagnostics: Vec<Diagnostic>,
}

/// Finds blueprints named by `workflow` nodes. `Sync` because the compiler works on several
/// threads.
pub trait Resolver: Sync {
    /// Resolves `reference` as written in the blueprint whose key is `from` (`None` for a
    /// blueprint with no location). `Err` says why it could not be found.
    fn resolve(&self, from: Option<&str>, reference: &str) -> Result<Resolved, String>;

    /// The model `"model": "default"` calls when the blueprint sets no `default_model`
    /// (`provider:model`, as chosen in the settings); none by default.
    fn default_model(&self) -> Option<&str> {
        None
    }
}

/// A resolver that finds nothing: for compiling a lone document.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoResolver;

impl Resolver for NoResolver {
    fn resolve(&self, _: Option<&str>, reference: &str) -> Result<Resolved, String> {
        Err(format!("no workspace to look for {reference:?} in"))
    }
}
