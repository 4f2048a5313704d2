//! Rendering templates and evaluating expressions at run time, with the same minijinja settings
//! the compiler checked them with.
//!
//! A config string that is exactly one `{{ expression }}` evaluates to the expression's JSON value
//! (so `"{{ inputs.in }}"` passes an array as an array); any other string containing `{{` or `{%`
//! renders to a string. Templates see `inputs` (the node's input ports), `run` (run inputs),
//! `nodes` (outputs of the upstream nodes it reads) and the variables of its container body.
//! Upstream values are converted lazily, field by field, so a large upstream output costs
//! nothing unless a template reads it.

use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock};

use floe_blueprint::ErrorClass;
use minijinja::Environment;
use minijinja::value::{Enumerator, Object, ObjectRepr, Serde, Value as JinjaValue};
use serde_json::{Map, Value};

use crate::exec::NodeError;

/// Output port → value of one node.
pub type Outputs = Map<String, Value>;

/// Everything a node's templates can read.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// The node's input port values.
    pub inputs: Arc<Map<String, Value>>,
    /// Run inputs.
    pub run: Arc<Map<String, Value>>,
    /// Outputs of the upstream nodes the templates read, by node id.
    pub nodes: Vec<(String, Arc<Outputs>)>,
    /// Container-body variables (`item`, `index`, `parent`, `state`, `iteration`).
    pub vars: Vec<(&'static str, Value)>,
}

impl Context {
    fn to_jinja(&self) -> JinjaValue {
        let mut map: BTreeMap<String, JinjaValue> =
            self.vars.iter().map(|(name, value)| ((*name).to_owned(), lazy(value))).collect();
        map.insert("inputs".into(), JinjaValue::from_object(JsonMap(self.inputs.clone())));
        map.insert("run".into(), JinjaValue::from_object(JsonMap(self.run.clone())));
        map.insert("nodes".into(), JinjaValue::from_object(Nodes(self.nodes.clone())));
        JinjaValue::from_object(map)
    }
}

/// Objects become lazily converted maps; everything else converts directly.
fn lazy(value: &Value) -> JinjaValue {
    match value {
        Value::Object(map) => JinjaValue::from_object(JsonMap(Arc::new(map.clone()))),
        other => JinjaValue::from(Serde(other)),
    }
}

/// A JSON object exposed to templates without converting it up front.
#[derive(Debug)]
struct JsonMap(Arc<Map<String, Value>>);

impl Object for JsonMap {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &JinjaValue) -> Option<JinjaValue> {
        self.0.get(key.as_str()?).map(|value| JinjaValue::from(Serde(value)))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Values(self.0.keys().map(|k| JinjaValue::from(k.as_str())).collect())
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        Some(self.0.len())
    }
}

/// `nodes`: upstream node id → its outputs.
#[derive(Debug)]
struct Nodes(Vec<(String, Arc<Outputs>)>);

impl Object for Nodes {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &JinjaValue) -> Option<JinjaValue> {
        let key = key.as_str()?;
        let (_, outputs) = self.0.iter().find(|(id, _)| id == key)?;
        Some(JinjaValue::from_object(JsonMap(outputs.clone())))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Values(self.0.iter().map(|(id, _)| JinjaValue::from(id.as_str())).collect())
    }
}

/// The environment templates run in: strict about undefined values, like the compiler; a
/// template's last line break is kept (file contents and prompts keep their final newline); and
/// with Python's string, list and dict methods (`.strip()`, `.startswith()`, `.items()`…) that
/// Jinja users write out of habit.
pub fn environment() -> &'static Environment<'static> {
    static ENV: LazyLock<Environment<'static>> = LazyLock::new(|| {
        let mut env = floe_compiler::templates::environment();
        env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
        env
    });
    &ENV
}

/// Whether a string is a template at all.
pub fn is_template(text: &str) -> bool {
    text.contains("{{") || text.contains("{%")
}

/// The expression inside a string that is exactly one `{{ … }}`. Anything around it, white space
/// included, makes the string a template that renders to text (`"{{ x }}\n"` ends in a newline).
fn sole_expression(text: &str) -> Option<&str> {
    let inner = text.strip_prefix("{{")?.strip_suffix("}}")?;
    (!inner.contains("{{") && !inner.contains("}}") && !inner.contains("{%")).then(|| inner.trim())
}

/// Renders one string: a sole expression yields its JSON value, a template yields text, and a
/// plain string is returned as is. `field` names the config field in errors.
pub fn render_str(text: &str, context: &Context, field: &str) -> Result<Value, NodeError> {
    if !is_template(text) {
        return Ok(Value::String(text.to_owned()));
    }
    if let Some(expression) = sole_expression(text) {
        return eval(expression, context, field);
    }
    let env = environment();
    env.render_str(text, context.to_jinja()).map(Value::String).map_err(|e| template_error(field, &e))
}

/// Evaluates an expression (conditions, `until`, `items`) to a JSON value.
pub fn eval(expression: &str, context: &Context, field: &str) -> Result<Value, NodeError> {
    let env = environment();
    let compiled = env.compile_expression(expression).map_err(|e| template_error(field, &e))?;
    let value = compiled.eval(context.to_jinja()).map_err(|e| template_error(field, &e))?;
    if value.is_undefined() {
        return Err(NodeError::new(
            ErrorClass::InvalidOutput,
            format!(
                "template `{field}`: `{expression}` is undefined (a value it reads is missing: check upstream \
                 outputs, or use `| default(...)`)"
            ),
        ));
    }
    serde_json::to_value(&value).map_err(|e| {
        NodeError::new(ErrorClass::InvalidOutput, format!("`{field}`: the value cannot be represented as JSON: {e}"))
    })
}

/// Whether an evaluated expression counts as true (Jinja truthiness).
pub fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// Renders every template string inside a JSON value (a tool's `args`), leaving the rest as is.
/// `pointer` is where the value sits in the config, for error messages.
pub fn render_value(value: &Value, context: &Context, pointer: &str) -> Result<Value, NodeError> {
    Ok(match value {
        Value::String(text) => render_str(text, context, pointer)?,
        Value::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| render_value(item, context, &format!("{pointer}/{i}")))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| Ok((k.clone(), render_value(v, context, &format!("{pointer}/{k}"))?)))
                .collect::<Result<_, NodeError>>()?,
        ),
        other => other.clone(),
    })
}

fn template_error(field: &str, error: &minijinja::Error) -> NodeError {
    let detail = error.detail().map_or_else(|| error.kind().to_string(), str::to_owned);
    let hint = match error.kind() {
        minijinja::ErrorKind::UndefinedError => {
            " (a value it reads is missing: check upstream outputs, or use `| default(...)`)"
        }
        _ => "",
    };
    NodeError::new(ErrorClass::InvalidOutput, format!("template `{field}`: {detail}{hint}"))
}

/// The JSON type name of a value, for messages.
pub fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn context() -> Context {
        let inputs = json!({"in": [1, 2, 3], "name": "Ada"});
        let fetch = json!({"body": {"title": "Hi", "tags": ["a", "b"]}});
        Context {
            inputs: Arc::new(inputs.as_object().cloned().unwrap_or_default()),
            run: Arc::new(json!({"topic": "rust"}).as_object().cloned().unwrap_or_default()),
            nodes: vec![("fetch".into(), Arc::new(fetch.as_object().cloned().unwrap_or_default()))],
            vars: vec![("item", json!({"n": 2}))],
        }
    }

    #[test]
    fn a_sole_expression_keeps_its_json_type() {
        let c = context();
        assert_eq!(render_str("{{ inputs.in }}", &c, "f").map_err(|e| e.message), Ok(json!([1, 2, 3])));
        assert_eq!(render_str("{{ nodes.fetch.body.tags }}", &c, "f").ok(), Some(json!(["a", "b"])));
        assert_eq!(render_str("{{ item.n * 2 }}", &c, "f").ok(), Some(json!(4)));
    }

    #[test]
    fn text_around_an_expression_is_kept_to_the_last_line_break() {
        let c = context();
        assert_eq!(render_str("{{ inputs.name }}\n", &c, "f").ok(), Some(json!("Ada\n")));
        assert_eq!(render_str(" {{ item.n }} ", &c, "f").ok(), Some(json!(" 2 ")));
        assert_eq!(render_str("a {{ run.topic }}\n\n", &c, "f").ok(), Some(json!("a rust\n\n")));
    }

    #[test]
    fn templates_render_text_and_plain_strings_pass_through() {
        let c = context();
        let text = render_str("{{ inputs.name }} reads {{ nodes.fetch.body.title }} on {{ run.topic }}", &c, "f");
        assert_eq!(text.ok(), Some(json!("Ada reads Hi on rust")));
        assert_eq!(render_str("no braces", &c, "f").ok(), Some(json!("no braces")));
        let looped = render_str("{% for x in inputs.in %}{{ x }}{% endfor %}", &c, "f");
        assert_eq!(looped.ok(), Some(json!("123")));
    }

    #[test]
    fn a_missing_value_names_the_field_and_says_what_to_do() {
        let result = render_str("{{ nodes.fetch.nope }}", &context(), "/args/url");
        let message = result.as_ref().err().map(|e| e.message.clone()).unwrap_or_default();
        assert!(message.contains("/args/url") && message.contains("default"), "{result:?}");
    }

    #[test]
    fn render_value_walks_objects_and_arrays() {
        let value = json!({"a": ["{{ run.topic }}", 1], "b": {"c": "{{ inputs.in | length }}"}});
        assert_eq!(render_value(&value, &context(), "/args").ok(), Some(json!({"a": ["rust", 1], "b": {"c": 3}})));
    }
}
