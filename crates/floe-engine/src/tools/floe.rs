//! Floe's own tools, a [`ToolSource`] named `floe`: `floe_validate` checks a blueprint of the
//! workspace with the compiler, `floe_run` runs one as a linked child run. An agent may list
//! them only where its blueprint allows it (`run.agent_tools` names `floe`): with them its model
//! chooses which workflows to check and run. `tool` nodes may call them as they are.

use futures::future::BoxFuture;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use floe_blueprint::catalog::{PortDef, ToolEffect, ToolInfo};
use floe_blueprint::{Effect, ValueType};

use super::{ToolSource, confine, parse};
use crate::events::RunStatus;
use crate::exec::{NodeCtx, NodeError, output};
use crate::template::Outputs;

/// The source's name, which each of its tools carries (and `run.agent_tools` names).
pub const FLOE: &str = "floe";

/// Args of `floe_validate`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ValidateArgs {
    /// The blueprint's path in the workspace folder, e.g. `summarise-text.json`.
    pub path: String,
}

/// Args of `floe_run`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunArgs {
    /// The blueprint's path in the workspace folder.
    pub path: String,
    /// Its run inputs by name (defaults fill the rest).
    #[serde(default)]
    pub inputs: Map<String, Value>,
}

/// Floe's own tools.
#[derive(Debug, Clone, Copy, Default)]
pub struct FloeTools;

fn schema<T: JsonSchema>() -> Value {
    serde_json::to_value(schemars::schema_for!(T)).unwrap_or(Value::Null)
}

/// Floe's tools, described.
pub(crate) fn infos() -> Vec<ToolInfo> {
    let info = |name: &str, title: &str, summary: &str, args: Value, outputs, effect, example: Value| ToolInfo {
        name: name.into(),
        source: FLOE.into(),
        title: title.into(),
        summary: summary.into(),
        docs: format!("{summary}. An agent may be given it where its blueprint lists `floe` in `run.agent_tools`."),
        args_schema: args,
        outputs,
        effect: ToolEffect::Fixed(effect),
        raw_args: false,
        example,
        compiled: std::sync::Arc::default(),
    };
    vec![
        info(
            "floe_validate",
            "Check a blueprint",
            "Checks a blueprint of the workspace with Floe's compiler: whether it compiles, and every problem",
            schema::<ValidateArgs>(),
            vec![
                PortDef::new("compiles", ValueType::Boolean, "whether it compiles"),
                PortDef::new("problems", ValueType::Array, "each problem: code, node, where, what and what to do"),
            ],
            Effect::Read,
            json!({"path": "summarise-text.json"}),
        ),
        info(
            "floe_run",
            "Run a blueprint",
            "Runs a blueprint of the workspace with inputs, as a run linked to this one, and answers with its outputs",
            schema::<RunArgs>(),
            vec![
                PortDef::new("outputs", ValueType::Object, "the run's outputs"),
                PortDef::new("run", ValueType::String, "the run's id"),
            ],
            Effect::Write,
            json!({"path": "summarise-text.json", "inputs": {}}),
        ),
    ]
}

impl FloeTools {
    async fn run(&self, tool: &str, args: &Value, ctx: &NodeCtx) -> Result<Outputs, NodeError> {
        match tool {
            "floe_validate" => {
                let a: ValidateArgs = parse(args)?;
                let path = confine(ctx.run.workspace(), &a.path)?;
                let bytes = crate::files::read(&path).map_err(|e| NodeError::tool(format!("`{}`: {e}", a.path)))?;
                let checked = floe_compiler::check_bytes(
                    &bytes,
                    ctx.run.tools().catalog(),
                    &crate::files::FileResolver::from_settings(),
                    Some(&crate::files::key_of(&path)),
                );
                let problems: Vec<Value> = checked
                    .diagnostics
                    .iter()
                    .map(|d| {
                        json!({"code": d.code, "severity": d.severity, "node": d.node, "pointer": d.pointer,
                            "message": d.message, "help": d.help})
                    })
                    .collect();
                let mut out = output("compiles", json!(checked.plan.is_some()));
                out.insert("problems".into(), Value::Array(problems));
                Ok(out)
            }
            "floe_run" => {
                let a: RunArgs = parse(args)?;
                let path = confine(ctx.run.workspace(), &a.path)?;
                let key = crate::files::key_of(&path);
                // One child run per call, named after the call so a resumed parent finds it.
                let label = format!("{}/{}", ctx.path, ctx.call.as_deref().unwrap_or("run"));
                let child = ctx.run.run_child(&label, &key, a.inputs).await.map_err(NodeError::tool)?;
                match child.status {
                    RunStatus::Succeeded => {
                        let mut out = output("outputs", Value::Object(child.outputs));
                        out.insert("run".into(), json!(child.run_id));
                        Ok(out)
                    }
                    status => Err(NodeError::tool(format!(
                        "the run {} of `{}` {}: {}",
                        child.run_id,
                        a.path,
                        status.as_str(),
                        child.error.as_deref().unwrap_or("no error recorded")
                    ))),
                }
            }
            other => Err(NodeError::tool(format!("the floe source has no tool `{other}`"))),
        }
    }
}

impl ToolSource for FloeTools {
    fn name(&self) -> &str {
        FLOE
    }

    fn tools(&self) -> Vec<ToolInfo> {
        infos()
    }

    fn call<'a>(
        &'a self,
        tool: &'a str,
        args: &'a Value,
        ctx: &'a NodeCtx,
    ) -> BoxFuture<'a, Result<Outputs, NodeError>> {
        Box::pin(self.run(tool, args, ctx))
    }
}
