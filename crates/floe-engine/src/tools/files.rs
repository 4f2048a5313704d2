//! `read_file` and `write_file`, and the rule every file tool follows: paths are relative to the
//! workspace folder and may not leave it (no absolute paths, no `..` above it, no symlinks out).

use std::path::{Path, PathBuf};

use floe_blueprint::catalog::tools::read_file::ReadFileArgs;
use floe_blueprint::catalog::tools::write_file::WriteFileArgs;
use serde_json::{Value, json};

use crate::exec::{NodeCtx, NodeError, output};
use crate::template::Outputs;

/// Largest file `read_file` reads.
const MAX_READ_BYTES: u64 = 64 * 1024 * 1024;

/// Resolves `relative` inside `workspace`, refusing anything that would leave it (see
/// [`crate::files::confine`]).
pub fn confine(workspace: &Path, relative: &str) -> Result<PathBuf, NodeError> {
    crate::files::confine(workspace, relative).map_err(NodeError::tool)
}

fn io_error(what: &str, relative: &str, error: &std::io::Error) -> NodeError {
    let hint = match error.kind() {
        std::io::ErrorKind::NotFound => "; check the path (it is relative to the workspace folder)",
        std::io::ErrorKind::PermissionDenied => "; check the file's permissions",
        _ => "",
    };
    NodeError::tool(format!("cannot {what} `{relative}`: {error}{hint}"))
}

pub(super) async fn read(args: ReadFileArgs, ctx: &NodeCtx) -> Result<Outputs, NodeError> {
    let path = confine(ctx.run.workspace(), &args.path)?;
    let size = tokio::fs::metadata(&path).await.map_err(|e| io_error("read", &args.path, &e))?.len();
    if size > MAX_READ_BYTES {
        return Err(NodeError::tool(format!(
            "`{}` is {size} bytes; read_file reads at most {MAX_READ_BYTES} bytes (split the file first)",
            args.path
        )));
    }
    let bytes = tokio::fs::read(&path).await.map_err(|e| io_error("read", &args.path, &e))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        NodeError::tool(format!("`{}` is not UTF-8 text (byte {})", args.path, e.utf8_error().valid_up_to()))
    })?;
    Ok(output("text", Value::String(text)))
}

pub(super) async fn write(args: WriteFileArgs, ctx: &NodeCtx) -> Result<Outputs, NodeError> {
    let path = confine(ctx.run.workspace(), &args.path)?;
    let content = match &args.content {
        Value::String(text) => text.clone(),
        other => serde_json::to_string_pretty(other).unwrap_or_default(),
    };
    let bytes = content.len();
    let relative = args.path.clone();
    let tag = ctx.temporary_tag().to_owned();
    tokio::task::spawn_blocking(move || -> Result<(), NodeError> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io_error("create the folder of", &relative, &e))?;
        }
        if args.append {
            use std::io::Write;
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .map_err(|e| io_error("open", &relative, &e))?;
            file.write_all(content.as_bytes()).map_err(|e| io_error("append to", &relative, &e))
        } else {
            crate::files::write_atomic_as(&path, content.as_bytes(), &tag).map_err(|e| NodeError::tool(e.to_string()))
        }
    })
    .await
    .map_err(|e| NodeError::tool(format!("the write was interrupted: {e}")))??;
    let mut outputs = output("path", json!(args.path));
    outputs.insert("bytes".into(), json!(bytes));
    Ok(outputs)
}

#[cfg(test)]
mod tests {
    use super::confine;

    #[test]
    fn paths_stay_inside_the_workspace() {
        let dir = std::env::temp_dir().join(format!("floe-confine-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).ok();
        assert!(confine(&dir, "sub/a.txt").is_ok());
        assert!(confine(&dir, "./sub/../b.txt").is_ok());
        assert!(confine(&dir, "../escape.txt").is_err());
        assert!(confine(&dir, "sub/../../escape.txt").is_err());
        assert!(confine(&dir, "/etc/passwd").is_err());
        #[cfg(unix)]
        {
            let link = dir.join("out");
            let _ = std::os::unix::fs::symlink("/tmp", &link);
            assert!(confine(&dir, "out/x.txt").is_err(), "a symlink out of the workspace is refused");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
