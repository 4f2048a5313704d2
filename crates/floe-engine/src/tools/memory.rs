//! The memory tools, a [`ToolSource`] over the run store's memory (`store/memory.rs`): search,
//! remember a fact or a note, record an episode, forget, look a procedure up and count how it
//! went. `tool` nodes call them and agents are offered them. Every write carries the call's
//! idempotency key, so a retried or resumed node never writes twice, and the run and node that
//! wrote it are kept with the memory.

use futures::future::BoxFuture;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use floe_blueprint::catalog::{PortDef, ToolEffect, ToolInfo};
use floe_blueprint::{Effect, ErrorClass, ValueType};

use super::{ToolSource, parse};
use crate::exec::{NodeCtx, NodeError, output};
use crate::store::{Hit, MemoryKind, NewMemory, Provenance, Store, StoreError, Written};
use crate::template::Outputs;

/// The source's name, which each of its tools carries.
pub const MEMORY: &str = "memory";

/// Args of `memory_search`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchArgs {
    /// The namespace to search (e.g. `support`).
    pub namespace: String,
    /// What to look for, in words; any of them may match, the best first.
    pub query: String,
    /// Most results (default 5).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// Args of `memory_remember`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RememberArgs {
    /// The namespace to write to.
    pub namespace: String,
    /// The memory in words.
    pub text: String,
    /// For a fact: the entity it is about (with `attribute`; a new value supersedes the old).
    #[serde(default)]
    pub entity: Option<String>,
    /// For a fact: what of the entity it says (e.g. `plan`).
    #[serde(default)]
    pub attribute: Option<String>,
    /// The fact's value (default: the text).
    #[serde(default)]
    pub value: Option<Value>,
    /// Words to find it by.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// Args of `memory_record`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordArgs {
    /// The namespace to write to.
    pub namespace: String,
    /// What happened.
    pub what: String,
    /// How it ended.
    #[serde(default)]
    pub outcome: Option<String>,
    /// Words to find it by.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// Args of `memory_forget`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ForgetArgs {
    /// The memory's id (from `memory_search`).
    pub id: i64,
    /// Delete it and its history for good (default: hide it from search).
    #[serde(default)]
    pub hard: bool,
}

/// Args of `procedure_lookup`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LookupArgs {
    /// The namespace to search.
    pub namespace: String,
    /// What the procedure is for, in words.
    pub query: String,
}

/// Args of `procedure_outcome`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeArgs {
    /// The namespace.
    pub namespace: String,
    /// The procedure's name.
    pub name: String,
    /// Whether it worked this time.
    pub success: bool,
}

/// The memory tools over one store.
#[derive(Debug, Clone)]
pub struct MemoryTools {
    store: Store,
}

impl MemoryTools {
    /// The tools over `store`'s memory.
    pub fn new(store: Store) -> Self {
        Self { store }
    }
}

fn tool(
    name: &str,
    title: &str,
    summary: &str,
    args: Value,
    outputs: Vec<PortDef>,
    effect: Effect,
    example: Value,
) -> ToolInfo {
    ToolInfo {
        name: name.into(),
        source: MEMORY.into(),
        title: title.into(),
        summary: summary.into(),
        docs: format!("{summary}. Memory lives in Floe's run database, per namespace; see docs/semantics.md (Memory)."),
        args_schema: args,
        outputs,
        effect: ToolEffect::Fixed(effect),
        raw_args: false,
        example,
        compiled: std::sync::Arc::default(),
    }
}

/// `text`'s embedding and the model that made it, when an embedding model is configured. A
/// model that cannot embed leaves the call to keyword search, and says so in the node's progress.
async fn embedding(ctx: &NodeCtx, text: &str) -> Option<(String, Vec<f32>)> {
    let llm = ctx.run.llm().ok()?;
    embed(&llm, text).await.unwrap_or_else(|why| {
        ctx.progress(format!("memory: {why}; searching by keyword"), None);
        None
    })
}

/// `text`'s embedding by the configured embedding model, with the model's name; none when no
/// embedding model is configured; an error says why the configured one could not embed.
pub async fn embed(llm: &floe_llm::Llm, text: &str) -> Result<Option<(String, Vec<f32>)>, String> {
    let Some(model) = llm.embedding_model() else { return Ok(None) };
    let model = model.map_err(|e| format!("the embedding model setting: {}", e.message))?;
    match llm.embed(&model, &[text.to_owned()]).await {
        Ok(mut vectors) => Ok(vectors.pop().map(|v| (model.to_string(), v))),
        Err(e) => Err(format!("{model} could not embed ({})", e.message)),
    }
}

/// A refusal of the store (bad input, a budget) is the tool's error, said as the store says it.
fn refused(error: StoreError) -> NodeError {
    match error {
        StoreError::Refused(why) => NodeError::new(ErrorClass::BadRequest, why),
        other => NodeError::tool(other.to_string()),
    }
}

impl MemoryTools {
    fn provenance(ctx: &NodeCtx) -> Provenance {
        Provenance { run: Some(ctx.run.run_id().to_owned()), node: Some(ctx.path.to_string()) }
    }

    async fn write(&self, new: NewMemory, ctx: &NodeCtx) -> Result<Outputs, NodeError> {
        let written = self.store.remember(&new).await.map_err(refused)?;
        if !matches!(written, Written::Unchanged { .. })
            && let Some((model, vector)) = embedding(ctx, &new.text).await
            && let Err(e) = self.store.set_memory_vector(written.memory().id, &model, &vector).await
        {
            ctx.progress(format!("memory: kept without its embedding ({e}); keyword search finds it"), None);
        }
        let outcome = serde_json::to_value(&written).unwrap_or(Value::Null);
        let mut out = output("memory", json!(written.memory()));
        out.insert("outcome".into(), outcome["outcome"].clone());
        Ok(out)
    }

    /// Keyword search, fused with similarity search when an embedding model is configured.
    async fn search(&self, namespace: &str, query: &str, limit: u32, ctx: &NodeCtx) -> Result<Vec<Hit>, NodeError> {
        let embedded = embedding(ctx, query).await;
        let embedded = embedded.as_ref().map(|(model, vector)| (model.as_str(), vector.as_slice()));
        self.store.search_memory_with(namespace, query, embedded, limit).await.map_err(refused)
    }

    async fn run(&self, tool: &str, args: &Value, ctx: &NodeCtx) -> Result<Outputs, NodeError> {
        let key = Some(ctx.idempotency_key());
        match tool {
            "memory_search" => {
                let a: SearchArgs = parse(args)?;
                let hits = self.search(&a.namespace, &a.query, a.limit.unwrap_or(5), ctx).await?;
                Ok(output("results", json!(hits)))
            }
            "memory_remember" => {
                let a: RememberArgs = parse(args)?;
                let fact = a.entity.is_some() || a.attribute.is_some();
                let value = a.value.unwrap_or_else(|| if fact { json!(a.text) } else { Value::Null });
                self.write(
                    NewMemory {
                        namespace: a.namespace,
                        kind: if fact { MemoryKind::Semantic } else { MemoryKind::Episodic },
                        subject: a.entity,
                        attribute: a.attribute,
                        text: a.text,
                        value,
                        tags: a.tags,
                        provenance: Self::provenance(ctx),
                        call_key: key,
                    },
                    ctx,
                )
                .await
            }
            "memory_record" => {
                let a: RecordArgs = parse(args)?;
                let text = match &a.outcome {
                    Some(outcome) => format!("{} (outcome: {outcome})", a.what),
                    None => a.what.clone(),
                };
                self.write(
                    NewMemory {
                        namespace: a.namespace,
                        kind: MemoryKind::Episodic,
                        subject: None,
                        attribute: None,
                        text,
                        value: json!({"what": a.what, "outcome": a.outcome}),
                        tags: a.tags,
                        provenance: Self::provenance(ctx),
                        call_key: key,
                    },
                    ctx,
                )
                .await
            }
            "memory_forget" => {
                let a: ForgetArgs = parse(args)?;
                self.store.forget_memory(a.id, a.hard).await.map_err(refused)?;
                Ok(output("forgotten", json!(a.id)))
            }
            "procedure_lookup" => {
                let a: LookupArgs = parse(args)?;
                let hits = self.search(&a.namespace, &a.query, 20, ctx).await?;
                let best = hits.into_iter().find(|h| h.memory.kind == MemoryKind::Procedural);
                Ok(output("procedure", best.map_or(Value::Null, |h| json!(h.memory))))
            }
            "procedure_outcome" => {
                let a: OutcomeArgs = parse(args)?;
                let counted = self.store.procedure_outcome(&a.namespace, &a.name, a.success).await.map_err(refused)?;
                Ok(output("procedure", json!(counted)))
            }
            other => Err(NodeError::tool(format!("the memory source has no tool `{other}`"))),
        }
    }
}

impl ToolSource for MemoryTools {
    fn name(&self) -> &str {
        MEMORY
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

/// The built-in tools, the memory tools and Floe's own, for checking blueprints where no store is open
/// (`floe validate`): the same catalogue runs are checked against.
pub fn catalog() -> &'static floe_blueprint::Catalog {
    static CATALOG: std::sync::OnceLock<floe_blueprint::Catalog> = std::sync::OnceLock::new();
    CATALOG.get_or_init(|| {
        let mut tools = infos();
        tools.extend(super::floe::infos());
        floe_blueprint::Catalog::builtin()
            .with_tools(tools)
            .unwrap_or_else(|_| floe_blueprint::Catalog::builtin().clone())
    })
}

/// The memory tools, described.
pub(crate) fn infos() -> Vec<ToolInfo> {
    let memory = || PortDef::new("memory", ValueType::Object, "the memory written, or the one that already held it");
    let outcome = || PortDef::new("outcome", ValueType::String, "`added`, `unchanged` or `superseded`");
    vec![
        tool(
            "memory_search",
            "Search memory",
            "Finds what a namespace remembers, best matches first (keyword search, fused with similarity search when an embedding model is set)",
            super::args_schema::<SearchArgs>(),
            vec![PortDef::new("results", ValueType::Array, "the matches: each memory with its score")],
            Effect::Read,
            json!({"namespace": "support", "query": "{{ inputs.in | default('refund') }}"}),
        ),
        tool(
            "memory_remember",
            "Remember",
            "Remembers a fact about an entity (a new value supersedes the old) or a note",
            super::args_schema::<RememberArgs>(),
            vec![memory(), outcome()],
            Effect::Write,
            json!({"namespace": "support", "entity": "ada", "attribute": "plan", "text": "Ada is on the pro plan"}),
        ),
        tool(
            "memory_record",
            "Record an episode",
            "Records what happened and how it ended",
            super::args_schema::<RecordArgs>(),
            vec![memory(), outcome()],
            Effect::Write,
            json!({"namespace": "support", "what": "{{ inputs.in | default('answered a ticket') }}", "outcome": "resolved"}),
        ),
        tool(
            "memory_forget",
            "Forget",
            "Hides a memory from search, or deletes it and its history",
            super::args_schema::<ForgetArgs>(),
            vec![PortDef::new("forgotten", ValueType::Integer, "the memory's id")],
            Effect::Write,
            json!({"id": 1}),
        ),
        tool(
            "procedure_lookup",
            "Look up a procedure",
            "Finds the named procedure that best fits a task, with its successes and failures",
            super::args_schema::<LookupArgs>(),
            vec![PortDef::new("procedure", ValueType::Any, "the procedure, or null when none fits")],
            Effect::Read,
            json!({"namespace": "support", "query": "reset a password"}),
        ),
        tool(
            "procedure_outcome",
            "Count a procedure's outcome",
            "Counts a success or a failure of a named procedure",
            super::args_schema::<OutcomeArgs>(),
            vec![PortDef::new("procedure", ValueType::Object, "the procedure with its counts")],
            Effect::Write,
            json!({"namespace": "support", "name": "reset_password", "success": true}),
        ),
    ]
}
