//! Rendering templates and evaluating expressions at run time, with the same minijinja settings
//! the compiler checked them with.
//!
//! A config string that is exactly one `{{ expression }}` evaluates to the expression's JSON value
//! (so `"{{ inputs.in }}"` passes an array as an array); any other string containing `{{` or `{%`
//! renders to a string. Templates see `inputs` (the node's input ports), `run` (run inputs),
//! `nodes` (outputs of the upstream nodes it reads) and the variables of its container body.
//! Upstream values are converted lazily, field by field, so a large upstream output costs
//! nothing unless a template reads it. A plan's templates are compiled once, when it is
//! prepared ([`Templates`]); rendering only looks them up.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock};

use floe_blueprint::{ErrorClass, FieldRole};
use minijinja::value::{Enumerator, Object, ObjectRepr, Serde, Value as JinjaValue};
use minijinja::{Environment, Expression};
use rustc_hash::FxHashMap;
use serde_json::{Map, Value};

use crate::exec::NodeError;

/// Output port → value of one node.
pub type Outputs = Map<String, Value>;

/// Everything a node's templates can read, and the plan's compiled templates they are rendered with.
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
    /// The plan's templates and expressions, compiled (empty: each is compiled when rendered).
    pub templates: Arc<Templates>,
}

impl Context {
    fn to_jinja(&self) -> JinjaValue {
        JinjaValue::from_object(Root(self.clone()))
    }
}

/// The names a template sees at its top level: `inputs`, `run`, `nodes` and the body variables,
/// each converted only when read.
#[derive(Debug)]
struct Root(Context);

impl Object for Root {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &JinjaValue) -> Option<JinjaValue> {
        let context = &self.0;
        Some(match key.as_str()? {
            "inputs" => JinjaValue::from_object(JsonMap(context.inputs.clone())),
            "run" => JinjaValue::from_object(JsonMap(context.run.clone())),
            "nodes" => JinjaValue::from_object(Nodes(context.nodes.clone())),
            name => context.vars.iter().find(|(var, _)| *var == name).map(|(_, value)| lazy(value))?,
        })
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        let names = ["inputs", "run", "nodes"].into_iter().chain(self.0.vars.iter().map(|(name, _)| *name));
        Enumerator::Values(names.map(JinjaValue::from).collect())
    }
}

/// The templates and expressions of one plan, compiled once when the plan is prepared and shared
/// by every run of it, every loop item and every retry: rendering parses nothing. A text that is
/// not among them (one a node builds at run time) is compiled when it is rendered.
#[derive(Default)]
pub struct Templates {
    /// Templates that render to text, each added under its own text as its name (so equal
    /// templates are compiled once); `None` while there is none.
    texts: Option<Environment<'static>>,
    /// Expressions (expression fields, and strings that are exactly one `{{ expression }}`).
    expressions: FxHashMap<Box<str>, Expression<'static, 'static>>,
    /// Renders of a text that was not compiled here (so it was compiled then).
    misses: AtomicUsize,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templates")
            .field("texts", &self.texts.as_ref().map_or(0, |env| env.templates().count()))
            .field("expressions", &self.expressions.len())
            .finish()
    }
}

impl Templates {
    /// Compiles a string of a template field: a sole expression as an expression, a template as
    /// a template, a plain string not at all. One that does not compile is left out (the
    /// compiler reported it; rendering it reports it again, with its field).
    pub fn add_template(&mut self, text: &str) {
        if !is_template(text) {
            return;
        }
        if let Some(expression) = sole_expression(text) {
            return self.add_expression(expression);
        }
        let texts = self.texts.get_or_insert_with(|| {
            let mut env = configured();
            // Templates are named by their own text here: one ending in `.html` must not turn
            // HTML escaping on, as minijinja does by name (rendered as `<string>`, it never did).
            env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
            env
        });
        if texts.get_template(text).is_err() {
            let _ = texts.add_template_owned(text.to_owned(), text.to_owned());
        }
    }

    /// Compiles an expression.
    pub fn add_expression(&mut self, expression: &str) {
        if self.expressions.contains_key(expression) {
            return;
        }
        if let Ok(compiled) = environment().compile_expression_owned(expression.to_owned()) {
            self.expressions.insert(expression.into(), compiled);
        }
    }

    /// Compiles every template and expression field of a node config, as its kind lists them.
    pub fn add_config(&mut self, kind: &str, config: &Value) {
        let (Some(spec), Some(map)) = (floe_blueprint::Catalog::builtin().kind(kind), config.as_object()) else {
            return;
        };
        for field in (spec.fields)(map) {
            match (config.pointer(&field.pointer), field.role) {
                (Some(Value::String(text)), FieldRole::Template) => self.add_template(text),
                (Some(Value::String(text)), FieldRole::Expression) => self.add_expression(text),
                _ => {}
            }
        }
    }

    /// How many templates and expressions are compiled.
    pub fn len(&self) -> usize {
        self.texts.as_ref().map_or(0, |env| env.templates().count()) + self.expressions.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many renders had to compile their text (it was not among the plan's).
    pub fn misses(&self) -> usize {
        self.misses.load(Ordering::Relaxed)
    }

    fn render(&self, text: &str, context: &Context) -> Result<String, minijinja::Error> {
        match self.texts.as_ref().and_then(|env| env.get_template(text).ok()) {
            Some(template) => template.render(context.to_jinja()),
            None => {
                self.misses.fetch_add(1, Ordering::Relaxed);
                environment().render_str(text, context.to_jinja())
            }
        }
    }

    fn eval(&self, expression: &str, context: &Context) -> Result<JinjaValue, minijinja::Error> {
        match self.expressions.get(expression) {
            Some(compiled) => compiled.eval(context.to_jinja()),
            None => {
                self.misses.fetch_add(1, Ordering::Relaxed);
                environment().compile_expression(expression)?.eval(context.to_jinja())
            }
        }
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
    static ENV: LazyLock<Environment<'static>> = LazyLock::new(configured);
    &ENV
}

fn configured() -> Environment<'static> {
    let mut env = floe_compiler::templates::environment();
    env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
    env
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
    context.templates.render(text, context).map(Value::String).map_err(|e| template_error(field, &e))
}

/// Evaluates an expression (conditions, `until`, `items`) to a JSON value.
pub fn eval(expression: &str, context: &Context, field: &str) -> Result<Value, NodeError> {
    let value = context.templates.eval(expression, context).map_err(|e| template_error(field, &e))?;
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
            templates: Arc::default(),
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
    fn compiled_templates_render_as_uncompiled_ones_do() {
        let mut templates = Templates::default();
        let texts = [
            "{{ inputs.name ~ ' & <co>' }}: see report.html",
            "{% for x in inputs.in %}{{ '<' ~ x ~ '>' }}{% endfor %}.xml",
        ];
        for text in texts {
            templates.add_template(text);
        }
        let plan = Context { templates: Arc::new(templates), ..context() };
        for text in texts {
            assert_eq!(render_str(text, &plan, "f").ok(), render_str(text, &context(), "f").ok(), "{text}");
        }
        assert_eq!(render_str(texts[0], &plan, "f").ok(), Some(json!("Ada & <co>: see report.html")));
        assert_eq!(plan.templates.misses(), 0);
    }

    #[test]
    fn render_value_walks_objects_and_arrays() {
        let value = json!({"a": ["{{ run.topic }}", 1], "b": {"c": "{{ inputs.in | length }}"}});
        assert_eq!(render_value(&value, &context(), "/args").ok(), Some(json!({"a": ["rust", 1], "b": {"c": 3}})));
    }
}
