//! `csv_write`: rows (objects or arrays) to a workspace CSV file, written atomically.

use floe_blueprint::catalog::tools::csv_write::CsvWriteArgs;
use serde_json::{Value, json};

use super::confine;
use crate::exec::{NodeCtx, NodeError, output};
use crate::template::Outputs;

pub(super) async fn run(args: CsvWriteArgs, ctx: &NodeCtx) -> Result<Outputs, NodeError> {
    let path = confine(ctx.run.workspace(), &args.path)?;
    let Value::Array(rows) = &args.rows else {
        return Err(NodeError::tool(format!(
            "`rows` must be an array of rows, got {}",
            crate::template::json_type(&args.rows)
        )));
    };
    let columns: Vec<String> = if args.columns.is_empty() {
        rows.iter().find_map(Value::as_object).map(|first| first.keys().cloned().collect()).unwrap_or_default()
    } else {
        args.columns.clone()
    };
    let mut writer = csv::Writer::from_writer(Vec::new());
    let failed = |e: csv::Error| NodeError::tool(format!("cannot write CSV: {e}"));
    if !columns.is_empty() {
        writer.write_record(&columns).map_err(failed)?;
    }
    for (i, row) in rows.iter().enumerate() {
        let fields: Vec<String> = match row {
            Value::Object(map) => columns.iter().map(|c| cell(map.get(c).unwrap_or(&Value::Null))).collect(),
            Value::Array(cells) => cells.iter().map(cell).collect(),
            other => {
                return Err(NodeError::tool(format!(
                    "row {i} is {}, not an object or an array",
                    crate::template::json_type(other)
                )));
            }
        };
        writer.write_record(&fields).map_err(failed)?;
    }
    let bytes = writer.into_inner().map_err(|e| NodeError::tool(format!("cannot write CSV: {e}")))?;
    let name = args.path.clone();
    let tag = ctx.temporary_tag().to_owned();
    tokio::task::spawn_blocking(move || {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| NodeError::tool(format!("cannot create the folder of `{name}`: {e}")))?;
        }
        crate::files::write_atomic_as(&path, &bytes, &tag).map_err(|e| NodeError::tool(e.to_string()))
    })
    .await
    .map_err(|e| NodeError::tool(format!("the write was interrupted: {e}")))??;
    let mut outputs = output("path", json!(args.path));
    outputs.insert("rows".into(), json!(rows.len()));
    Ok(outputs)
}

fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
