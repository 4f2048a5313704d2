//! JSON Schema validators (`output_schema`, an agent's tool parameters), compiled once per
//! schema in the process: a model call or an agent turn looks its validator up.

use std::sync::{Arc, LazyLock};

use floe_blueprint::cache::ContentCache;
use serde_json::Value;

/// The validator of `schema`, compiled the first time it is asked for; the error says why the
/// schema is not one.
pub fn validator(schema: &Value) -> Result<Arc<jsonschema::Validator>, String> {
    static VALIDATORS: LazyLock<ContentCache<jsonschema::Validator>> = LazyLock::new(|| ContentCache::new(1024));
    VALIDATORS.get_or_insert_with(&schema.to_string(), || jsonschema::validator_for(schema).map_err(|e| e.to_string()))
}
