//! `csv_read`: a workspace CSV file as rows (objects by header, or arrays of strings).

use floe_blueprint::catalog::tools::csv_read::CsvReadArgs;
use serde_json::{Map, Value, json};

use super::confine;
use crate::exec::{NodeCtx, NodeError, output};
use crate::template::Outputs;

pub(super) async fn run(args: CsvReadArgs, ctx: &NodeCtx) -> Result<Outputs, NodeError> {
    let path = confine(ctx.run.workspace(), &args.path)?;
    let delimiter = delimiter(args.delimiter.as_deref())?;
    let has_header = args.has_header.unwrap_or(true);
    let name = args.path.clone();
    tokio::task::spawn_blocking(move || {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(has_header)
            .from_path(&path)
            .map_err(|e| NodeError::tool(format!("cannot read `{name}`: {e}")))?;
        let columns: Vec<String> = if has_header {
            reader.headers().map_err(|e| csv_error(&name, &e))?.iter().map(str::to_owned).collect()
        } else {
            Vec::new()
        };
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| csv_error(&name, &e))?;
            rows.push(if has_header {
                Value::Object(columns.iter().cloned().zip(record.iter().map(|f| json!(f))).collect::<Map<_, _>>())
            } else {
                Value::Array(record.iter().map(|f| json!(f)).collect())
            });
        }
        let mut outputs = output("rows", Value::Array(rows));
        outputs.insert("columns".into(), json!(columns));
        Ok(outputs)
    })
    .await
    .map_err(|e| NodeError::tool(format!("reading was interrupted: {e}")))?
}

fn csv_error(name: &str, error: &csv::Error) -> NodeError {
    let at = error.position().map(|p| format!(" at line {}", p.line())).unwrap_or_default();
    NodeError::tool(format!("`{name}`{at}: {error}"))
}

/// The one-byte delimiter (`,` by default).
pub(super) fn delimiter(given: Option<&str>) -> Result<u8, NodeError> {
    match given.unwrap_or(",").as_bytes() {
        [byte] => Ok(*byte),
        _ => Err(NodeError::tool("`delimiter` must be a single ASCII character, such as \",\" or \";\"")),
    }
}
