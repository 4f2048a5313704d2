//! The model drafter: the model gets a compact digest of the catalogue, the current graph when
//! editing (and the selected nodes), and the request, and answers with operations as structured
//! output (the JSON Schema of `{"ops": [...]}`; Ollama's `format`, OpenAI's `json_schema`, others
//! by instruction and validation). Floe applies them and compiles the result; what is wrong goes
//! back to the model, at most [`MAX_REPAIRS`] times. A draft that still has problems is returned
//! with them, never as clean. Progress (the model's text, each round's problems) is reported as
//! it happens; dropping the future cancels the call.

use floe_blueprint::{Blueprint, Catalog, Diagnostic};
use floe_compiler::Resolver;
use floe_llm::{Call, ChatRequest, Llm, LlmError, Message, ModelRef};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::draft::{Draft, Drafter, make_draft};
use crate::ops::Op;

/// Most repair rounds after the first answer.
pub const MAX_REPAIRS: u32 = 3;

/// What the model answers.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    /// The operations, in order, on the blueprint as it is (not on an earlier answer).
    pub ops: Vec<Op>,
}

/// Something drafting reports while it works.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Progress {
    /// Text the model wrote.
    Text {
        /// The new text.
        delta: String,
    },
    /// A round ended: its number (0 for the first answer), the problems it left, and the tokens
    /// and cost so far.
    Round {
        /// From 0.
        round: u32,
        /// The operation that could not apply and the compiler's errors, in words.
        problems: Vec<String>,
        /// Prompt and completion tokens so far.
        tokens: u64,
        /// USD so far, when the model has a price.
        cost_usd: Option<f64>,
    },
}

/// What a drafting request needs beyond the request itself.
pub struct Request<'a> {
    /// What the person asked.
    pub text: &'a str,
    /// The blueprint being edited (an empty one for a new graph).
    pub base: &'a Blueprint,
    /// Node ids the person selected (the request is about them).
    pub selection: &'a [String],
    /// Resolves sub-workflows and the default model while compiling drafts.
    pub resolver: &'a dyn Resolver,
    /// Where the blueprint is (sub-workflows are found from there).
    pub key: Option<&'a str>,
}

impl std::fmt::Debug for Request<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request").field("text", &self.text).field("selection", &self.selection).finish_non_exhaustive()
    }
}

/// The prompt's parts, measured: the system message (instructions and the catalogue digest) and
/// the user message (the current graph and the request).
#[derive(Debug, Clone)]
pub struct Prompt {
    /// Instructions and the catalogue.
    pub system: String,
    /// The graph, the selection and the request.
    pub user: String,
}

impl Prompt {
    /// About how many tokens it costs (four characters a token).
    pub fn tokens(&self) -> usize {
        crate::digest::estimate_tokens(&self.system) + crate::digest::estimate_tokens(&self.user)
    }
}

const INSTRUCTIONS: &str = "You edit Floe workflow blueprints. Answer with a JSON object {\"ops\": [...]} listing \
operations in order; Floe applies them to the blueprint as it is, places new nodes and checks the result. \
Operations: add_node {id, kind, title, config, inputs, outputs, policy, inside}, remove_node {id}, \
set_config {node, field, value}, set_policy {node, policy}, set_title {node, title}, connect {from, to} \
(\"node.port\" to \"node.port\"), disconnect {from, to}, set_input {name, input: {type, description, default}}, \
remove_input {name}, set_output {name, from}, remove_output {name}, rename {from, to}, set_run_policy {policy}, \
set_blueprint {name, description, default_model}. Rules: use only the kinds, tools, ports and config fields \
listed below; node ids are identifiers (letters, digits, _) and unique; a step's input arrives on its `in` \
port and templates read it as {{ inputs.in }}; model steps use \"model\": \"default\"; nodes inside a loop, \
parallel or recursive node are added with `inside` and read {{ item }} or {{ parent.in }}; change only what \
the request asks, and never re-add a node that exists.";

/// The prompt for `request`.
pub fn prompt(request: &Request<'_>, catalog: &Catalog) -> Prompt {
    let system = format!("{INSTRUCTIONS}\n\n{}", crate::digest::digest(catalog));
    let mut user = String::new();
    if request.base.nodes.is_empty() {
        user.push_str("The blueprint is empty.\n\n");
    } else {
        let mut current = request.base.clone();
        current.layout = Default::default();
        current.schema = None;
        let compact = serde_json::to_string(&current).unwrap_or_default();
        user.push_str(&format!("The blueprint now (JSON):\n{compact}\n\n"));
    }
    if !request.selection.is_empty() {
        user.push_str(&format!("The request is about the selected nodes: {}.\n\n", request.selection.join(", ")));
    }
    user.push_str(&format!("Request: {}", request.text.trim()));
    Prompt { system, user }
}

/// The JSON Schema of the answer, without descriptions and examples: the instructions say what
/// each operation does, and the schema is sent with every call (it costs prompt tokens).
pub fn answer_schema() -> Value {
    let mut schema = schemars::schema_for!(Answer).to_value();
    let mut pending = vec![&mut schema];
    while let Some(value) = pending.pop() {
        match value {
            Value::Object(map) => {
                for key in ["$schema", "title", "description", "examples"] {
                    // A property may be named like a keyword (`description`): only strings go.
                    if map.get(key).is_some_and(|v| v.is_string() || key == "examples") {
                        map.remove(key);
                    }
                }
                pending.extend(map.values_mut());
            }
            Value::Array(items) => pending.extend(items.iter_mut()),
            _ => {}
        }
    }
    schema
}

/// Why drafting stopped without a draft.
#[derive(Debug, Clone, thiserror::Error)]
pub enum DraftError {
    /// The model could not be called (no key, not running, a provider failure).
    #[error("{0}")]
    Model(#[from] LlmError),
    /// The request cannot be drafted as it is (empty, too long): what to do.
    #[error("{0}")]
    Request(String),
}

/// Drafts `request` with `model`, repairing from the compiler's problems at most
/// [`MAX_REPAIRS`] times; reports progress to `on_progress`.
pub async fn draft_with_model(
    llm: &Llm,
    model: &ModelRef,
    request: &Request<'_>,
    catalog: &Catalog,
    on_progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<Draft, DraftError> {
    let text = request.text.trim();
    if text.is_empty() {
        return Err(DraftError::Request("the request is empty: say what the workflow should do".into()));
    }
    if text.len() > crate::offline::MAX_REQUEST {
        return Err(DraftError::Request(format!(
            "the request is {} KB; describe the steps in a few sentences (at most {} KB)",
            text.len() / 1024,
            crate::offline::MAX_REQUEST / 1024
        )));
    }
    let prompt = prompt(request, catalog);
    let mut messages = vec![Message::system(prompt.system), Message::user(prompt.user)];
    let (mut tokens_in, mut tokens_out, mut cost) = (0u64, 0u64, Some(0.0));
    let mut round = 0;
    loop {
        let call = Call {
            models: vec![model.clone()],
            fallback_on: Vec::new(),
            request: ChatRequest { messages: messages.clone(), temperature: Some(0.0), ..ChatRequest::default() },
            schema: Some(answer_schema()),
            reasks: 1,
        };
        let mut on_delta = |text: &str| on_progress(Progress::Text { delta: text.to_owned() });
        let done = llm.complete(&call, &mut on_delta, &mut |_| {}).await?;
        tokens_in += done.usage.input_tokens;
        tokens_out += done.usage.output_tokens;
        cost = cost.zip(done.cost_usd).map(|(a, b)| a + b);
        let answer: Result<Answer, String> = serde_json::from_value(done.data.clone().unwrap_or(Value::Null))
            .map_err(|e| format!("the answer is not a list of operations: {e}"));
        let drafter = Drafter::Model { model: model.to_string() };
        let mut draft = match &answer {
            Ok(answer) => make_draft(request.base, answer.ops.clone(), catalog, request.resolver, request.key, drafter),
            Err(_) => make_draft(request.base, Vec::new(), catalog, request.resolver, request.key, drafter),
        };
        draft.rounds = round;
        draft.tokens_in = tokens_in;
        draft.tokens_out = tokens_out;
        draft.cost_usd = cost;
        let mut problems: Vec<String> = Vec::new();
        if let Err(why) = &answer {
            problems.push(why.clone());
        }
        if let Some(error) = &draft.apply_error {
            problems.push(error.to_string());
        }
        problems.extend(draft.diagnostics.iter().filter(|d| d.is_error()).map(describe));
        on_progress(Progress::Round {
            round,
            problems: problems.clone(),
            tokens: tokens_in + tokens_out,
            cost_usd: cost,
        });
        if problems.is_empty() || round >= MAX_REPAIRS {
            draft.problems = problems;
            return Ok(draft);
        }
        round += 1;
        messages.push(Message::assistant(done.response.text, Vec::new()));
        messages.push(Message::user(format!(
            "Applying your operations to the blueprint as it was gave these problems:\n- {}\nAnswer again with the whole corrected list of operations.",
            problems.join("\n- ")
        )));
    }
}

/// A compiler problem in words, with where it is and what to do.
fn describe(diagnostic: &Diagnostic) -> String {
    let node = diagnostic.node.as_deref().map(|n| format!(" (node `{n}`)")).unwrap_or_default();
    format!("{} at {}{node}: {} — {}", diagnostic.code, diagnostic.pointer, diagnostic.message, diagnostic.help)
}
