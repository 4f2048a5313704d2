//! Explain a blueprint in plain words, step by step: what goes in, each node in the order it runs
//! (a container's body under it) with what it does and what it waits for, and what comes out.
//! [`explain`] needs no model; [`explain_with_model`] asks one and keeps only steps that name the
//! blueprint's own nodes, filling the rest from [`explain`]. Every step names a node of the
//! blueprint and nothing else.

use std::collections::{BTreeMap, BTreeSet};

use floe_blueprint::{Blueprint, Edge, Node};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

/// One step of an explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Step {
    /// The node it describes.
    pub node: String,
    /// Nesting: 0 at the top level, 1 inside a container's body…
    pub depth: usize,
    /// What it does, in words.
    pub text: String,
}

/// A blueprint explained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Explanation {
    /// What it is for, what it takes and what it gives.
    pub summary: String,
    /// Each node, in the order it runs.
    pub steps: Vec<Step>,
}

impl Explanation {
    /// The explanation as Markdown: the summary, then a numbered list (bodies indented).
    pub fn to_markdown(&self) -> String {
        let mut out = format!("{}\n\n", self.summary);
        let mut numbers = vec![0usize];
        for step in &self.steps {
            numbers.truncate(step.depth + 1);
            while numbers.len() <= step.depth {
                numbers.push(0);
            }
            numbers[step.depth] += 1;
            out.push_str(&format!("{}{}. {}\n", "   ".repeat(step.depth), numbers[step.depth], step.text));
        }
        out
    }
}

/// Explains `blueprint`.
pub fn explain(blueprint: &Blueprint) -> Explanation {
    let mut summary = if blueprint.name.is_empty() { blueprint.id.clone() } else { blueprint.name.clone() };
    if !blueprint.description.is_empty() {
        summary.push_str(": ");
        summary.push_str(blueprint.description.trim());
    }
    if !summary.ends_with('.') {
        summary.push('.');
    }
    if !blueprint.inputs.is_empty() {
        let names: Vec<String> = blueprint.inputs.keys().map(|n| format!("`{n}`")).collect();
        summary.push_str(&format!(" It takes {}.", list(&names)));
    }
    if !blueprint.outputs.is_empty() {
        let names: Vec<String> = blueprint.outputs.iter().map(|(n, o)| format!("`{n}` (from {})", o.from)).collect();
        summary.push_str(&format!(" It gives {}.", list(&names)));
    }
    let mut steps = Vec::new();
    describe(&blueprint.nodes, &blueprint.edges, 0, &mut steps);
    Explanation { summary, steps }
}

/// Describes the nodes of one graph in the order they can run, bodies under their containers.
/// Recursion is per nesting level only (bounded by the reader's depth limit).
fn describe(nodes: &[Node], edges: &[Edge], depth: usize, out: &mut Vec<Step>) {
    let node_of = |r: &str| r.split('.').next().unwrap_or(r).to_owned();
    let mut preds: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for edge in edges {
        preds.entry(node_of(&edge.to)).or_default().insert(node_of(&edge.from));
    }
    // Kahn's order over this graph (document order among the ready); what a cycle leaves comes
    // last, in document order.
    let index: BTreeMap<&str, usize> = nodes.iter().enumerate().map(|(i, n)| (n.id.as_str(), i)).collect();
    let mut waiting: Vec<usize> = nodes
        .iter()
        .map(|n| preds.get(&n.id).map_or(0, |p| p.iter().filter(|q| index.contains_key(q.as_str())).count()))
        .collect();
    let mut next: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    for (to, from) in preds.iter().flat_map(|(to, from)| from.iter().map(move |f| (to, f))) {
        if let (Some(&a), Some(&b)) = (index.get(from.as_str()), index.get(to.as_str())) {
            next[a].push(b);
        }
    }
    let mut ready: std::collections::BinaryHeap<std::cmp::Reverse<usize>> =
        (0..nodes.len()).filter(|&i| waiting[i] == 0).map(std::cmp::Reverse).collect();
    let mut placed = vec![false; nodes.len()];
    let mut order: Vec<&Node> = Vec::with_capacity(nodes.len());
    while let Some(std::cmp::Reverse(i)) = ready.pop() {
        placed[i] = true;
        order.push(&nodes[i]);
        for &j in &next[i] {
            waiting[j] -= 1;
            if waiting[j] == 0 {
                ready.push(std::cmp::Reverse(j));
            }
        }
    }
    order.extend(nodes.iter().enumerate().filter(|(i, _)| !placed[*i]).map(|(_, n)| n));
    for node in order {
        let waits: Vec<String> =
            preds.get(&node.id).map(|p| p.iter().map(|q| format!("`{q}`")).collect()).unwrap_or_default();
        let mut text = format!("**{}** (`{}`) {}", title(node), node.id, action(node));
        if !waits.is_empty() {
            let verb = if waits.len() == 1 { "gives" } else { "give" };
            text.push_str(&format!(", with what {} {verb}", list(&waits)));
        }
        text.push_str(&policy(node));
        text.push('.');
        out.push(Step { node: node.id.clone(), depth, text });
        if let Some(body) = &node.body {
            describe(&body.nodes, &body.edges, depth + 1, out);
        }
    }
}

fn title(node: &Node) -> &str {
    if node.title.is_empty() { &node.id } else { &node.title }
}

fn text<'v>(config: &'v Value, pointer: &str) -> Option<&'v str> {
    config.pointer(pointer).and_then(Value::as_str)
}

/// The first line of a template, shortened.
fn first_line(template: &str) -> String {
    let line = template.lines().find(|l| !l.trim().is_empty()).unwrap_or_default().trim().trim_end_matches(':');
    if line.chars().count() > 90 {
        format!("{}…", line.chars().take(90).collect::<String>())
    } else {
        line.to_owned()
    }
}

/// What a node does, by its kind and config.
fn action(node: &Node) -> String {
    let c = node.config.as_ref();
    let arg = |name: &str| text(c, &format!("/args/{name}")).unwrap_or("?").to_owned();
    match node.kind.as_str() {
        "tool" => match text(c, "/tool").unwrap_or_default() {
            "http_request" => match text(c, "/args/method") {
                Some(method) if method != "GET" && method != "HEAD" => format!("sends it ({method}) to {}", arg("url")),
                _ => format!("fetches {}", arg("url")),
            },
            "read_file" => format!("reads the file {}", arg("path")),
            "write_file" => format!("writes it to {}", arg("path")),
            "csv_read" => format!("reads the CSV file {}", arg("path")),
            "csv_write" => format!("writes the rows to {}", arg("path")),
            "json_query" => format!("queries the JSON with `{}`", arg("query")),
            "text_split" => format!("splits the text into {}", text(c, "/args/mode").unwrap_or("chunks")),
            "regex_extract" => format!("extracts what matches `{}`", arg("pattern")),
            "sleep" => format!("waits {}", arg("duration")),
            "list_files" => format!("lists the files in {}", text(c, "/args/dir").unwrap_or("the folder")),
            "text_template" => format!("fills in the template \"{}\"", first_line(&arg("template"))),
            other => format!("calls the tool `{other}`"),
        },
        "llm" => format!("asks {} to: \"{}\"", model(c), first_line(text(c, "/prompt").unwrap_or_default())),
        "agent" => {
            let tools: Vec<String> = c
                .get("tools")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|t| {
                    t.as_str().map_or_else(
                        || t.get("workflow").and_then(Value::as_str).unwrap_or("?").to_owned(),
                        str::to_owned,
                    )
                })
                .collect();
            format!(
                "lets an agent on {} work on \"{}\" with {} (at most {} turns)",
                model(c),
                first_line(text(c, "/prompt").unwrap_or_default()),
                if tools.is_empty() { "no tools".to_owned() } else { list(&tools) },
                c.get("max_turns").and_then(Value::as_u64).unwrap_or(8)
            )
        }
        "code" => "runs a script".to_owned(),
        "condition" => match c.get("cases").and_then(Value::as_array) {
            Some(cases) if !cases.is_empty() => {
                let names: Vec<String> = cases
                    .iter()
                    .filter_map(|k| k.get("name").and_then(Value::as_str))
                    .map(|n| format!("“{n}”"))
                    .collect();
                format!("routes it to the first of {} that holds", list(&names))
            }
            _ => format!("checks `{}` and goes on along “true” or “false”", text(c, "/expression").unwrap_or("?")),
        },
        "loop" => format!(
            "goes through the items{}, {} at a time, doing for each what follows",
            text(c, "/items").map(|i| format!(" of `{i}`")).unwrap_or_default(),
            c.get("concurrency").and_then(Value::as_u64).unwrap_or(4)
        ),
        "parallel" => {
            let branches: Vec<String> = c
                .get("branches")
                .and_then(Value::as_object)
                .map(|b| b.keys().map(|k| format!("“{k}”")).collect())
                .unwrap_or_default();
            let keep = match text(c, "/mode") {
                Some("first") => "keeps the first to finish".to_owned(),
                Some("quorum") => format!("waits for {} of them", c.get("quorum").and_then(Value::as_u64).unwrap_or(1)),
                _ => "waits for all".to_owned(),
            };
            format!("runs {} at once and {keep}", list(&branches))
        }
        "recursive" => format!(
            "repeats its body until `{}` (at most {} times)",
            text(c, "/until").unwrap_or("?"),
            c.get("max_iterations").and_then(Value::as_u64).unwrap_or(10)
        ),
        "workflow" => format!("runs the blueprint {}", text(c, "/blueprint").unwrap_or("?")),
        "approval" => "waits for a person to approve, edit or reject it".to_owned(),
        other => format!("is a `{other}` node"),
    }
}

fn model(config: &Value) -> String {
    match text(config, "/model") {
        Some("default") | None => "the default model".to_owned(),
        Some(model) => model.to_owned(),
    }
}

/// Retries, timeout and error handling, as a clause.
fn policy(node: &Node) -> String {
    let mut parts = Vec::new();
    if let Some(retry) = &node.policy.retry {
        parts.push(format!("tried up to {} times", retry.attempts));
    }
    if let Some(timeout) = &node.policy.timeout {
        parts.push(format!("given at most {timeout}"));
    }
    if let Some(on_error) = &node.policy.on_error {
        let what = serde_json::to_value(on_error)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_else(|| "handled".into());
        parts.push(format!("on failure: {}", what.replace('_', " ")));
    }
    if parts.is_empty() { String::new() } else { format!("; {}", parts.join(", ")) }
}

fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// What a model answers when asked to explain.
#[derive(Debug, Clone, serde::Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ModelAnswer {
    /// What the blueprint is for, in a sentence or two.
    summary: String,
    /// One entry per node, in the order it runs.
    steps: Vec<ModelStep>,
}

#[derive(Debug, Clone, serde::Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ModelStep {
    /// The node's id, exactly as in the blueprint.
    node: String,
    /// What it does, in plain words.
    text: String,
}

/// Explains `blueprint` with `model`; the offline explanation fills in what the model leaves out,
/// and a step naming a node that does not exist is dropped (the answer says how many were).
/// When the model cannot be called, the offline explanation is the answer, with the reason.
pub async fn explain_with_model(
    llm: &floe_llm::Llm,
    model: &floe_llm::ModelRef,
    blueprint: &Blueprint,
) -> (Explanation, Option<String>) {
    let offline = explain(blueprint);
    let mut current = blueprint.clone();
    current.layout = Default::default();
    let graph = serde_json::to_string(&current).unwrap_or_default();
    let mut schema = schemars::schema_for!(ModelAnswer).to_value();
    if let Some(map) = schema.as_object_mut() {
        map.remove("$schema");
        map.remove("title");
    }
    let call = floe_llm::Call {
        models: vec![model.clone()],
        fallback_on: Vec::new(),
        request: floe_llm::ChatRequest {
            messages: vec![
                floe_llm::Message::system(
                    "Explain a Floe workflow blueprint to a person who did not build it: a short summary of what it is \
                     for, then one plain sentence per node, in the order the nodes run, naming each node by its id. \
                     Answer with JSON {\"summary\": ..., \"steps\": [{\"node\": id, \"text\": ...}]}.",
                ),
                floe_llm::Message::user(format!("The blueprint (JSON):\n{graph}")),
            ],
            temperature: Some(0.0),
            ..floe_llm::ChatRequest::default()
        },
        schema: Some(schema),
        reasks: 1,
    };
    let answer = match llm.complete(&call, &mut |_| {}, &mut |_| {}).await {
        Ok(done) => done.data.and_then(|data| serde_json::from_value::<ModelAnswer>(data).ok()),
        Err(error) => {
            return (offline, Some(format!("{model} could not answer ({error}); this explanation is Floe's own")));
        }
    };
    let Some(answer) = answer else {
        return (offline, Some(format!("{model} did not answer with an explanation; this one is Floe's own")));
    };
    let ids: BTreeSet<String> = crate::ops::node_ids(blueprint);
    let known: Vec<&ModelStep> = answer.steps.iter().filter(|s| ids.contains(&s.node)).collect();
    let dropped = answer.steps.len() - known.len();
    // Every node is explained: the model's words where it gave them, Floe's elsewhere, in run order.
    let steps = offline
        .steps
        .iter()
        .map(|step| match known.iter().find(|k| k.node == step.node) {
            Some(said) => Step { node: step.node.clone(), depth: step.depth, text: said.text.clone() },
            None => step.clone(),
        })
        .collect();
    let note = (dropped > 0)
        .then(|| format!("{dropped} step(s) of the model's answer named nodes that do not exist and were left out"));
    (Explanation { summary: answer.summary, steps }, note)
}
