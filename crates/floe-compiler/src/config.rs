//! Config validation: each node's `config` (and a tool node's `args`) against the catalogue's
//! JSON Schema, reporting every violation at its exact pointer.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use floe_blueprint::catalog::{ToolInfo, standalone_schema};
use floe_blueprint::{Catalog, Code, Diagnostic, Fix, PatchOp};
use jsonschema::Validator;
use jsonschema::error::ValidationErrorKind;
use serde_json::Value;

/// Compiled validators for every kind's config schema. Tool args are validated against the
/// schema their source gave, compiled once per catalogue in the tool's own slot.
pub(crate) struct Validators {
    kinds: HashMap<&'static str, (Value, Validator)>,
}

impl Validators {
    /// Validators for the built-in catalogue, compiled once per process.
    pub(crate) fn builtin() -> &'static Validators {
        static VALIDATORS: OnceLock<Validators> = OnceLock::new();
        VALIDATORS.get_or_init(|| Validators::new(Catalog::builtin()))
    }

    fn new(catalog: &Catalog) -> Self {
        // The schemas are generated from our own types; one that does not compile is a bug in
        // this build, and leaving that kind unvalidated is safer than refusing to start.
        let compile = |schema| {
            let schema = standalone_schema(schema);
            let validator = jsonschema::validator_for(&schema).ok()?;
            Some((schema, validator))
        };
        Self { kinds: catalog.kinds().iter().filter_map(|k| Some((k.name, compile(k.config_schema)?))).collect() }
    }

    /// Checks a node's config; `pointer` is the node's `/config`.
    pub(crate) fn config(&self, kind: &str, config: &Value, pointer: &str, out: &mut Vec<Diagnostic>) {
        if let Some((schema, validator)) = self.kinds.get(kind) {
            report(schema, validator, config, pointer, false, out);
        }
    }
}

/// Checks a tool node's args against its tool's schema; `pointer` is the node's `/config/args`.
/// Strings holding a template are accepted wherever a value is expected, since they render to
/// any JSON value. A schema a source gave that does not compile leaves the args unchecked here
/// (the source still refuses bad args when called).
pub(crate) fn check_args(tool: &ToolInfo, args: &Value, pointer: &str, out: &mut Vec<Diagnostic>) {
    let compiled = tool.compiled.get_or_init(|| {
        let validator: Option<Validator> = jsonschema::validator_for(&tool.args_schema).ok();
        Arc::new(validator)
    });
    if let Some(Some(validator)) = compiled.downcast_ref::<Option<Validator>>() {
        report(&tool.args_schema, validator, args, pointer, true, out);
    }
}

fn report(
    schema: &Value,
    validator: &Validator,
    value: &Value,
    pointer: &str,
    templates_ok: bool,
    out: &mut Vec<Diagnostic>,
) {
    if validator.is_valid(value) {
        return;
    }
    for error in validator.iter_errors(value) {
        let at = format!("{pointer}{}", error.instance_path().as_str());
        if templates_ok && error.instance().as_str().is_some_and(|s| s.contains("{{")) {
            continue;
        }
        match error.kind() {
            ValidationErrorKind::Required { property } => {
                let name = property.as_str().unwrap_or_default();
                out.push(Diagnostic::new(
                    Code::MissingConfig,
                    at,
                    format!("required config `{name}` is missing"),
                    format!("set `{name}`; see `floe catalog` for what it takes"),
                ));
            }
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                let known = known_properties(schema, error.instance_path().as_str());
                for key in unexpected {
                    out.push(unknown_key(key, &known, &at));
                }
            }
            _ => out.push(Diagnostic::new(
                Code::InvalidConfig,
                at,
                error.masked().to_string(),
                "change this value to match the config schema (see `floe catalog`)",
            )),
        }
    }
}

/// The property names the schema allows for the object at `instance_path`.
fn known_properties(schema: &Value, instance_path: &str) -> Vec<String> {
    let mut current = vec![schema];
    for token in instance_path.split('/').skip(1) {
        current = current
            .into_iter()
            .flat_map(|s| expand(schema, s))
            .filter_map(|s| {
                s.get("properties")
                    .and_then(|p| p.get(token))
                    .or_else(|| token.parse::<usize>().ok().and(s.get("items")))
                    .or_else(|| s.get("additionalProperties").filter(|a| a.is_object()))
            })
            .collect();
    }
    let mut names: Vec<String> = current
        .into_iter()
        .flat_map(|s| expand(schema, s))
        .filter_map(|s| s.get("properties").and_then(Value::as_object))
        .flat_map(|p| p.keys().cloned())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// A schema with its local `$ref` followed and its `anyOf`/`oneOf`/`allOf` members listed.
fn expand<'a>(root: &'a Value, schema: &'a Value) -> Vec<&'a Value> {
    let mut out = Vec::new();
    let mut pending = vec![schema];
    while let Some(schema) = pending.pop() {
        if out.len() > 64 {
            break;
        }
        if let Some(resolved) =
            schema.get("$ref").and_then(Value::as_str).and_then(|t| t.strip_prefix('#')).and_then(|p| root.pointer(p))
        {
            pending.push(resolved);
        }
        for key in ["anyOf", "oneOf", "allOf"] {
            if let Some(Value::Array(members)) = schema.get(key) {
                pending.extend(members);
            }
        }
        out.push(schema);
    }
    out
}

fn unknown_key(key: &str, known: &[String], pointer: &str) -> Diagnostic {
    let at = floe_blueprint::diagnostic::join_pointer(pointer, key);
    let suggestion = floe_blueprint::parse::closest(key, known.iter().map(String::as_str));
    let help = match suggestion {
        Some(s) => format!("did you mean `{s}`?"),
        None => "remove it; see `floe catalog` for the fields this config takes".into(),
    };
    let diagnostic =
        Diagnostic::new(Code::UnknownConfigField, at.clone(), format!("unknown config field `{key}`"), help);
    match suggestion {
        Some(s) => diagnostic.fix(Fix {
            title: format!("rename `{key}` to `{s}`"),
            patch: vec![PatchOp::Move { from: at, path: floe_blueprint::diagnostic::join_pointer(pointer, s) }],
        }),
        None => diagnostic,
    }
}
