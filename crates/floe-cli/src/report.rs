//! Human-readable diagnostics: `file:line:col`, the code, the message, the help and any fix.

use std::io::Write;
use std::path::Path;

use floe_blueprint::{Diagnostic, Severity};

/// Prints one diagnostic in the compiler style.
pub fn print(out: &mut impl Write, path: &Path, diagnostic: &Diagnostic) -> std::io::Result<()> {
    let level = match diagnostic.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    writeln!(out, "{level}[{}]: {}", diagnostic.code, diagnostic.message)?;
    let location = match diagnostic.span {
        Some(span) => format!("{}:{}:{}", path.display(), span.line, span.column),
        None => path.display().to_string(),
    };
    let pointer = if diagnostic.pointer.is_empty() { "/".to_owned() } else { diagnostic.pointer.clone() };
    match &diagnostic.node {
        Some(node) => writeln!(out, "  --> {location} (node `{node}`, {pointer})")?,
        None => writeln!(out, "  --> {location} ({pointer})")?,
    }
    writeln!(out, "   = help: {}", diagnostic.help)?;
    if let Some(fix) = &diagnostic.fix {
        writeln!(out, "   = fix: {}", fix.title)?;
    }
    writeln!(out)
}
