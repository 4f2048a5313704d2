//! The Floe engine façade: the one API every client (CLI, desktop app, `floe serve`) uses.
//!
//! It loads blueprints from disk, resolves sub-workflows, compiles and formats them, and runs
//! compiled plans: the ready-set scheduler ([`run`]), the executors of each node kind
//! ([`exec`]) and the built-in tools ([`tools`]), with events ([`events`]) journaled before
//! they are announced. Clients never reach past this crate into the compiler's resolver or the
//! file layout.

pub mod approvals;
pub mod estimate;
pub mod events;
pub mod exec;
pub mod files;
pub mod ids;
pub mod ready;
pub mod run;
pub mod runs;
pub mod store;
pub mod template;
pub mod tools;
pub mod workspace;

use std::path::{Path, PathBuf};

use floe_blueprint::Diagnostic;
use floe_compiler::{Checked, Plan};

pub use files::{FileError, FileResolver};

/// The outcome of validating one file.
#[derive(Debug)]
pub struct FileReport {
    /// The file.
    pub path: PathBuf,
    /// The plan, when the file compiles.
    pub plan: Option<Plan>,
    /// Every problem found, with line and column where known.
    pub diagnostics: Vec<Diagnostic>,
    /// The version the file was migrated from, when older than the current one.
    pub migrated_from: Option<u32>,
}

impl FileReport {
    /// Errors (not warnings) found.
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    /// Warnings found.
    pub fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }
}

/// Reads, parses and compiles a blueprint file against the tools runs offer (built-in and
/// memory), resolving its sub-workflows from disk and `default` models to the one the settings
/// choose.
pub fn validate_file(path: &Path) -> Result<FileReport, FileError> {
    let bytes = files::read(path)?;
    let key = files::key_of(path);
    let span = tracing::debug_span!("validate", path = %path.display());
    let _guard = span.enter();
    let Checked { plan, diagnostics, migrated_from } =
        floe_compiler::check_bytes(&bytes, tools::offline_catalog(), &FileResolver::from_settings(), Some(&key));
    tracing::debug!(errors = diagnostics.iter().filter(|d| d.is_error()).count(), "checked");
    Ok(FileReport { path: path.to_owned(), plan, diagnostics, migrated_from })
}

/// What formatting a file found.
#[derive(Debug, PartialEq, Eq)]
pub enum FormatOutcome {
    /// Already canonical.
    Unchanged,
    /// Rewritten (or, when checking, would be).
    Changed,
}

/// Formats a file in place (or only checks it); refuses documents that cannot be read whole.
pub fn format_file(path: &Path, check_only: bool) -> Result<Result<FormatOutcome, Vec<Diagnostic>>, FileError> {
    let bytes = files::read(path)?;
    let canonical = match floe_blueprint::format_bytes(&bytes) {
        Ok(canonical) => canonical,
        Err(mut diagnostics) => {
            if let Ok(text) = std::str::from_utf8(&bytes) {
                floe_blueprint::locate(text, &mut diagnostics);
            }
            return Ok(Err(diagnostics));
        }
    };
    if canonical.as_bytes() == bytes {
        return Ok(Ok(FormatOutcome::Unchanged));
    }
    if !check_only {
        files::write_atomic(path, canonical.as_bytes())?;
    }
    Ok(Ok(FormatOutcome::Changed))
}
