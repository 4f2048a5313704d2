//! Floe's own tools, a [`ToolSource`] named `floe`: `floe_draft` drafts a blueprint from a
//! request in words (with the default model, or Floe's offline drafter) and may save it,
//! `floe_validate` checks a blueprint of the workspace with the compiler, `floe_run` runs one as
//! a linked child run. An agent may list
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

/// Args of `floe_draft`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftArgs {
    /// What the workflow should do, in words.
    pub request: String,
    /// A blueprint of the workspace to change (default: draft a new one).
    #[serde(default)]
    pub path: Option<String>,
    /// Where to save the draft in the workspace, e.g. `triage.json` (default: not saved). A new
    /// draft never replaces a file that exists; an edit may be saved over its own file.
    #[serde(default)]
    pub save_as: Option<String>,
    /// Draft with Floe's offline drafter, not the default model (simple requests only).
    #[serde(default)]
    pub offline: bool,
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
            "floe_draft",
            "Draft a blueprint",
            "Drafts a blueprint from a request in words (or a change to one), checks it, and saves it when asked",
            super::args_schema::<DraftArgs>(),
            vec![
                PortDef::new("summary", ValueType::String, "what the draft does, in words"),
                PortDef::new("blueprint", ValueType::Object, "the drafted blueprint"),
                PortDef::new("problems", ValueType::Array, "what the compiler says of it"),
                PortDef::new("saved", ValueType::Any, "the path it was saved at, or null"),
            ],
            Effect::Write,
            json!({"request": "{{ inputs.in | default('Fetch https://example.com and summarise it') }}", "offline": true}),
        ),
        info(
            "floe_validate",
            "Check a blueprint",
            "Checks a blueprint of the workspace with Floe's compiler: whether it compiles, and every problem",
            super::args_schema::<ValidateArgs>(),
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
            super::args_schema::<RunArgs>(),
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
            "floe_draft" => draft(parse(args)?, ctx).await,
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

/// `floe_draft`: drafts with the default model (or offline, when asked or when none is chosen),
/// and saves when asked.
async fn draft(a: DraftArgs, ctx: &NodeCtx) -> Result<Outputs, NodeError> {
    let resolver = crate::files::FileResolver::from_settings();
    let catalog = ctx.run.tools().catalog();
    let (base, key) = match &a.path {
        Some(path) => {
            let file = confine(ctx.run.workspace(), path)?;
            let bytes = crate::files::read(&file).map_err(|e| NodeError::tool(format!("`{path}`: {e}")))?;
            let parsed = floe_blueprint::parse_bytes(&bytes).blueprint.ok_or_else(|| {
                NodeError::tool(format!("`{path}` cannot be read as a blueprint; `floe_validate` says why"))
            })?;
            (parsed, Some(crate::files::key_of(&file)))
        }
        None => {
            let id = a.save_as.as_deref().and_then(|s| s.strip_suffix(".json")).unwrap_or("drafted");
            let id: String =
                id.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect();
            (floe_blueprint::Blueprint::new(id.clone(), id), None)
        }
    };
    let llm = ctx.run.llm().ok();
    let model = llm.as_ref().and_then(|l| l.default_model()).and_then(|m| floe_llm::ModelRef::parse(&m).ok());
    let drafted = match (a.offline, llm, model) {
        (false, Some(llm), Some(model)) => {
            let request = floe_draft::model::Request {
                text: &a.request,
                base: &base,
                selection: &[],
                resolver: &resolver,
                key: key.as_deref(),
            };
            let drafted = floe_draft::model::draft_with_model(&llm, &model, &request, catalog, &mut |_| {})
                .await
                .map_err(|e| NodeError::tool(format!("drafting with {model}: {e}")))?;
            ctx.run.record_usage(
                &ctx.path,
                &model.to_string(),
                crate::events::UsageInfo {
                    input_tokens: drafted.tokens_in,
                    output_tokens: drafted.tokens_out,
                    cached_tokens: 0,
                    cost_usd: drafted.cost_usd,
                },
            );
            drafted
        }
        _ => {
            let ops = floe_draft::offline::draft_offline(&a.request, &base, &resolver, key.as_deref())
                .map_err(|unclear| NodeError::tool(unclear.0))?;
            let reason = if a.offline { "asked for" } else { "no default model is chosen" };
            floe_draft::make_draft(
                &base,
                ops,
                catalog,
                &resolver,
                key.as_deref(),
                floe_draft::Drafter::Offline { reason: reason.into() },
            )
        }
    };
    let Some(blueprint) = drafted.blueprint else {
        let why = drafted.apply_error.map_or_else(|| "the draft could not be applied".to_owned(), |e| e.to_string());
        return Err(NodeError::tool(why));
    };
    let saved = match &a.save_as {
        Some(save_as) => {
            let file = confine(ctx.run.workspace(), save_as)?;
            let own = a.path.as_deref() == Some(save_as.as_str());
            if !save_as.ends_with(".json") || (file.exists() && !own) {
                return Err(NodeError::tool(format!(
                    "`{save_as}`: save a draft as a new `.json` file of the workspace (it exists, or is not `.json`)"
                )));
            }
            let text = floe_blueprint::to_canonical_string(&blueprint);
            crate::files::write_atomic(&file, text.as_bytes()).map_err(|e| NodeError::tool(e.to_string()))?;
            json!(save_as)
        }
        None => Value::Null,
    };
    let problems: Vec<Value> = drafted.diagnostics.iter().map(|d| json!(d.message)).collect();
    let mut out = output("summary", json!(drafted.summary));
    out.insert("blueprint".into(), serde_json::to_value(&blueprint).unwrap_or(Value::Null));
    out.insert("problems".into(), Value::Array(problems));
    out.insert("saved".into(), saved);
    Ok(out)
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
