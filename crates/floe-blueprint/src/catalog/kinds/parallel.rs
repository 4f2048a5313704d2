//! The `parallel` kind's catalogue entry: config type, ports, body references and docs.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::catalog::{BodyRef, Catalog, KindSpec, PLAIN, PortDef, Ports, ScriptField, in_port, pure, schema_of};
use crate::diagnostic::{Code, Diagnostic};
use crate::document::ValueType;

const DOCS: &str = r#"Runs named branches of its body concurrently. Each branch is the part of the body that feeds
its result port. `mode` decides when the node completes: `all` waits for every branch, `first`
takes the first branch to succeed and cancels the rest, `quorum` completes once `quorum` branches
succeeded and cancels the rest.

- **Inputs**: `in` (any) and declared inputs; body nodes read them as `parent.<port>`.
- **Outputs**: `results` (object: branch name → result, for the branches that finished),
  `first` (the first result, in `first` mode), `winner` (its branch name).
- **Config**: `branches` (branch name → `node.port` in the body), `mode` (default `all`),
  `quorum` (for `quorum` mode, at most the number of branches).
- **Fails with**: the branch error under `all`; under `first`/`quorum`, only when too many
  branches failed for the mode to be met.
- **Example**: `{"branches": {"fast": "a.text", "careful": "b.text"}, "mode": "first"}`"#;

/// Config of a `parallel` node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ParallelConfig {
    /// Branch name → the body port that is that branch's result (`node.port`).
    pub branches: BTreeMap<String, String>,
    /// When the node completes (default `all`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<ParallelMode>,
    /// Branches needed in `quorum` mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub quorum: Option<u32>,
}

/// When a parallel node completes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ParallelMode {
    /// Every branch.
    All,
    /// The first branch to succeed.
    First,
    /// `quorum` branches.
    Quorum,
}

/// The `parallel` kind.
pub fn spec() -> KindSpec {
    KindSpec {
        name: "parallel",
        title: "Parallel",
        summary: "Run named branches at once: wait for all, the first, or a quorum",
        docs: DOCS,
        container: true,
        body_vars: &["parent"],
        extra_inputs: true,
        extra_outputs: false,
        traits: PLAIN,
        config_schema: schema_of::<ParallelConfig>,
        ports,
        fields,
        effect: pure,
        check,
        body_refs,
        example: || json!({"branches": {"fast": "draft_fast.text", "careful": "draft_careful.text"}, "mode": "first"}),
    }
}

fn ports(_: &Map<String, Value>, _: &Catalog) -> Ports {
    Ports {
        inputs: vec![in_port()],
        outputs: vec![
            PortDef::new("results", ValueType::Object, "branch name → result"),
            PortDef::new("first", ValueType::Any, "the first branch result (first mode)"),
            PortDef::new("winner", ValueType::String, "the branch that finished first"),
        ],
    }
}

fn fields(_: &Map<String, Value>) -> Vec<ScriptField> {
    Vec::new()
}

fn body_refs(config: &Map<String, Value>) -> Vec<BodyRef> {
    let Some(Value::Object(branches)) = config.get("branches") else { return Vec::new() };
    branches
        .iter()
        .filter_map(|(name, r)| r.as_str().map(|r| (crate::diagnostic::join_pointer("/branches", name), r.to_owned())))
        .collect()
}

fn check(config: &Map<String, Value>, _: &Catalog) -> Vec<Diagnostic> {
    let branches = config.get("branches").and_then(Value::as_object).map_or(0, Map::len);
    let mut out = Vec::new();
    if config.get("branches").is_some_and(Value::is_object) && branches == 0 {
        out.push(Diagnostic::new(
            Code::InvalidConfig,
            "/branches",
            "the parallel node has no branches",
            "name at least one branch and the body port that is its result",
        ));
    }
    let mode = config.get("mode").and_then(Value::as_str);
    let quorum = config.get("quorum").and_then(Value::as_u64);
    match (mode, quorum) {
        (Some("quorum"), None) => out.push(Diagnostic::new(
            Code::MissingConfig,
            "/quorum",
            "quorum mode needs `quorum`",
            "set `quorum` to how many branches must succeed",
        )),
        (Some("quorum"), Some(n)) if n as usize > branches => out.push(Diagnostic::new(
            Code::InvalidLimit,
            "/quorum",
            format!("quorum {n} is more than the {branches} branches"),
            format!("set `quorum` between 1 and {branches}"),
        )),
        (m, Some(_)) if m != Some("quorum") => out.push(Diagnostic::new(
            Code::InvalidConfig,
            "/quorum",
            "`quorum` is set but the mode is not `quorum`",
            "set `mode` to `quorum`, or remove `quorum`",
        )),
        _ => {}
    }
    out
}
