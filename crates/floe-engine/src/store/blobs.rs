//! Large values live in content-addressed files (`<blake3 hex>.json` in the blob folder) and
//! appear in rows as `{"$blob": "<hex>", "bytes": N}`, so a 50 MB download does not bloat the
//! event log or slow down listing runs. Writing is atomic and idempotent (same content, same
//! name).

use std::path::Path;

use serde_json::{Map, Value, json};

use super::StoreError;

/// Values whose JSON is longer than this are spilled to blob files.
pub const SPILL_BYTES: usize = 64 * 1024;

/// JSON text of a map whose large values were replaced by blob references.
pub(super) fn spill_map(folder: &Path, map: &Map<String, Value>) -> Result<String, StoreError> {
    let mut out = Map::new();
    for (key, value) in map {
        out.insert(key.clone(), spill_value(folder, value)?);
    }
    Ok(Value::Object(out).to_string())
}

/// The value itself, or a reference to the blob now holding it.
pub(super) fn spill_value(folder: &Path, value: &Value) -> Result<Value, StoreError> {
    if matches!(value, Value::Null | Value::Bool(_) | Value::Number(_)) {
        return Ok(value.clone());
    }
    if let Value::String(text) = value
        && text.len() < SPILL_BYTES
    {
        return Ok(value.clone());
    }
    let text = value.to_string();
    if text.len() < SPILL_BYTES {
        return Ok(value.clone());
    }
    let hash = blake3::hash(text.as_bytes()).to_hex().to_string();
    let path = folder.join(format!("{hash}.json"));
    if !path.exists() {
        let io = |source| StoreError::Blob { path: path.clone(), source };
        std::fs::create_dir_all(folder).map_err(io)?;
        crate::files::write_atomic(&path, text.as_bytes())
            .map_err(|e| StoreError::Blob { path: path.clone(), source: std::io::Error::other(e.to_string()) })?;
    }
    Ok(json!({"$blob": hash, "bytes": text.len()}))
}

/// Replaces blob references inside `value` by the values they hold.
pub(super) fn resolve(folder: &Path, value: Value) -> Result<Value, StoreError> {
    Ok(match value {
        Value::Object(map) => {
            if let (Some(Value::String(hash)), 2) = (map.get("$blob"), map.len()) {
                let path = folder.join(format!("{hash}.json"));
                let text =
                    std::fs::read_to_string(&path).map_err(|source| StoreError::Blob { path: path.clone(), source })?;
                return serde_json::from_str(&text).map_err(|e| StoreError::Damaged(format!("blob {hash}: {e}")));
            }
            Value::Object(
                map.into_iter().map(|(k, v)| Ok((k, resolve(folder, v)?))).collect::<Result<_, StoreError>>()?,
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(|v| resolve(folder, v)).collect::<Result<_, _>>()?),
        other => other,
    })
}
