//! `list_files`: files under a workspace folder, optionally by glob and recursively, sorted.

use floe_blueprint::catalog::tools::list_files::ListFilesArgs;
use serde_json::Value;

use super::confine;
use crate::exec::{NodeCtx, NodeError, output};
use crate::template::Outputs;

pub(super) async fn run(args: ListFilesArgs, ctx: &NodeCtx) -> Result<Outputs, NodeError> {
    let dir = args.dir.clone().unwrap_or_else(|| ".".into());
    let root = ctx.run.workspace().canonicalize().map_err(|e| NodeError::tool(format!("the workspace folder: {e}")))?;
    let start = confine(ctx.run.workspace(), &dir)?;
    let matcher = match &args.glob {
        Some(glob) => Some(
            globset::Glob::new(glob)
                .map_err(|e| NodeError::tool(format!("`glob` {glob:?} is not a valid pattern: {e}")))?
                .compile_matcher(),
        ),
        None => None,
    };
    let recursive = args.recursive;
    let files = tokio::task::spawn_blocking(move || -> Result<Vec<String>, NodeError> {
        if !start.is_dir() {
            return Err(NodeError::tool(format!("`{dir}` is not a folder in the workspace")));
        }
        let mut found = Vec::new();
        let mut pending = vec![start];
        while let Some(folder) = pending.pop() {
            let entries =
                std::fs::read_dir(&folder).map_err(|e| NodeError::tool(format!("cannot list `{dir}`: {e}")))?;
            for entry in entries.flatten() {
                let path = entry.path();
                let Ok(kind) = entry.file_type() else { continue };
                if kind.is_dir() {
                    if recursive {
                        pending.push(path);
                    }
                    continue;
                }
                let name = entry.file_name();
                if matcher.as_ref().is_some_and(|m| !m.is_match(&name)) {
                    continue;
                }
                if let Ok(relative) = path.strip_prefix(&root) {
                    found.push(relative.to_string_lossy().into_owned());
                }
            }
        }
        found.sort();
        Ok(found)
    })
    .await
    .map_err(|e| NodeError::tool(format!("listing was interrupted: {e}")))??;
    Ok(output("files", Value::Array(files.into_iter().map(Value::String).collect())))
}
