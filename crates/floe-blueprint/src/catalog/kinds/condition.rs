//! The `condition` kind's catalogue entry: config type, ports, expression fields and docs.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::catalog::{
    Catalog, FieldRole, KindSpec, PLAIN, PortDef, Ports, ScriptField, in_port, no_body_refs, pure, schema_of,
};
use crate::diagnostic::{Code, Diagnostic};
use crate::document::{ValueType, is_identifier};

const DOCS: &str = r#"Routes its input to one output port. With `expression`, the ports are `true` and `false`. With
`cases`, each case is a port tried in order, and `default` takes the input when none matches.
Nodes fed only by an untaken port are skipped, and the skip spreads by their join rule.

- **Inputs**: `in` (any), passed through unchanged to the taken port.
- **Outputs**: `true`/`false`, or one port per case plus `default`.
- **Config**: `expression` (a minijinja expression over `inputs`, `run`, `nodes`), or `cases`: a list
  of `{ "name": ..., "when": ... }`.
- **Fails with**: `invalid_output` when an expression cannot be evaluated.
- **Example**: `{"expression": "inputs.in | default(0) > 0.8"}`; with an object input, `inputs.in.score > 0.8`"#;

/// Config of a `condition` node: exactly one of `expression` and `cases`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConditionConfig {
    /// A boolean expression; routes to `true` or `false`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
    /// Named cases tried in order; the first that holds takes the input.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cases: Vec<Case>,
}

/// One branch of a multi-way condition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// The output port name.
    pub name: String,
    /// The expression that selects it.
    pub when: String,
}

/// The `condition` kind.
pub fn spec() -> KindSpec {
    KindSpec {
        name: "condition",
        title: "Condition",
        summary: "Route to true/false or to named cases; the untaken side is skipped",
        docs: DOCS,
        container: false,
        body_vars: &[],
        extra_inputs: true,
        extra_outputs: false,
        traits: PLAIN,
        config_schema: schema_of::<ConditionConfig>,
        ports,
        fields,
        effect: pure,
        check,
        body_refs: no_body_refs,
        example: || json!({"expression": "inputs.in | default(0) > 0.8"}),
    }
}

fn case_names(config: &Map<String, Value>) -> Vec<&str> {
    let Some(Value::Array(cases)) = config.get("cases") else { return Vec::new() };
    cases.iter().filter_map(|c| c.get("name").and_then(Value::as_str)).collect()
}

fn ports(config: &Map<String, Value>, _: &Catalog) -> Ports {
    let outputs = if config.contains_key("cases") {
        case_names(config)
            .into_iter()
            .map(|name| PortDef::new(name.to_owned(), ValueType::Any, "the input, when this case holds"))
            .chain([PortDef::new("default", ValueType::Any, "the input, when no case holds")])
            .collect()
    } else {
        vec![
            PortDef::new("true", ValueType::Any, "the input, when the expression holds"),
            PortDef::new("false", ValueType::Any, "the input, when it does not"),
        ]
    };
    Ports { inputs: vec![in_port()], outputs }
}

fn fields(config: &Map<String, Value>) -> Vec<ScriptField> {
    let mut out = Vec::new();
    if config.get("expression").is_some_and(Value::is_string) {
        out.push(ScriptField::new("/expression", FieldRole::Expression));
    }
    if let Some(Value::Array(cases)) = config.get("cases") {
        for (i, case) in cases.iter().enumerate() {
            if case.get("when").is_some_and(Value::is_string) {
                out.push(ScriptField::new(format!("/cases/{i}/when"), FieldRole::Expression));
            }
        }
    }
    out
}

fn check(config: &Map<String, Value>, _: &Catalog) -> Vec<Diagnostic> {
    let has_cases = config.get("cases").and_then(Value::as_array).is_some_and(|c| !c.is_empty());
    let mut out = Vec::new();
    match (config.contains_key("expression"), has_cases) {
        (true, true) => out.push(Diagnostic::new(
            Code::InvalidConfig,
            "/cases",
            "both `expression` and `cases` are set",
            "keep `expression` for a true/false split, or `cases` for named branches, not both",
        )),
        (false, false) => out.push(Diagnostic::new(
            Code::MissingConfig,
            "",
            "the condition has neither `expression` nor `cases`",
            "add an `expression` such as `inputs.in.score > 0.8`, or a list of `cases`",
        )),
        _ => {}
    }
    let names = case_names(config);
    for (i, name) in names.iter().enumerate() {
        let pointer = format!("/cases/{i}/name");
        if !is_identifier(name) || *name == "default" {
            out.push(Diagnostic::new(
                Code::InvalidConfig,
                pointer,
                format!("case name {name:?} cannot be a port name"),
                "use an identifier other than `default` (letters, digits, `_`)",
            ));
        } else if names[..i].contains(name) {
            out.push(Diagnostic::new(
                Code::InvalidConfig,
                pointer,
                format!("case `{name}` is listed twice"),
                "give every case its own name",
            ));
        }
    }
    out
}
