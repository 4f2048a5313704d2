//! The offline drafter: deterministic, no model. It reads a request as steps in order
//! ("fetch X, then summarise it, then write it to Y"): sentences and `then` separate steps, a
//! sentence that says "for each" makes a loop of what follows in it, one that says "in parallel"
//! (or "whichever answers first", "at least N of") makes a parallel node of its parts. Each part
//! is recognised by what it asks for (fetching a URL, reading or writing a file, CSV, a JSON
//! query, splitting text, a model step that summarises, classifies, extracts or translates, a
//! script, a wait, an approval, a sub-workflow, an agent with tools, a condition on a threshold
//! or a class) and by what it adds to the step before it (retries, a timeout, a fallback model,
//! an error path, approval before an effect). The result is a list of [`Op`]s like any drafter's.

use std::collections::BTreeSet;

use floe_blueprint::{Blueprint, Budget, OnError, Policy, RetryPolicy, RunInput, RunPolicy, ValueType};
use floe_compiler::Resolver;
use serde_json::{Map, Value, json};

use crate::ops::Op;

/// Longest request read, in bytes.
pub const MAX_REQUEST: usize = 20_000;

/// Why the offline drafter cannot draft a request, and what to try.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Unclear(pub String);

/// One recognised step: the node it becomes, and how later steps read it.
#[derive(Debug, Clone)]
struct Step {
    /// Base for the node id (`fetch`, `summarise`…).
    name: &'static str,
    kind: &'static str,
    title: String,
    config: Map<String, Value>,
    /// The output port the next step reads.
    out: String,
    policy: Policy,
    /// Its inputs come from the step before (else it starts the chain).
    reads_previous: bool,
    /// Writes outside the workflow (an approval before it is meaningful).
    effect: bool,
    /// Extra input ports it declares.
    inputs: Vec<floe_blueprint::PortSpec>,
    /// The port the step before connects to.
    in_port: String,
}

impl Step {
    fn new(name: &'static str, kind: &'static str, title: impl Into<String>, config: Value, out: &str) -> Self {
        Self {
            name,
            kind,
            title: title.into(),
            config: config.as_object().cloned().unwrap_or_default(),
            out: out.to_owned(),
            policy: Policy::default(),
            reads_previous: true,
            effect: false,
            inputs: Vec::new(),
            in_port: "in".to_owned(),
        }
    }

    fn tool(name: &'static str, tool: &str, title: impl Into<String>, args: Value, out: &str) -> Self {
        Self::new(name, "tool", title, json!({"tool": tool, "args": args}), out)
    }
}

/// One part of a sequence: a step, or a loop over the items of the step before (or a run
/// input) whose body is the steps.
enum Part {
    Step(Step),
    Each(Vec<Step>),
}

/// What a sentence becomes.
enum Shape {
    /// Parts one after the other.
    Sequence(Vec<Part>),
    /// Branches at once, with a completion mode.
    Parallel(Vec<Step>, &'static str, Option<u32>),
    /// A condition on the step before: the steps on its true side, then those on its false side.
    Branch(String, Vec<Step>, Vec<Step>),
}

/// The state of a draft being built: ids taken, run inputs wanted, the last output.
struct Builder {
    ops: Vec<Op>,
    taken: BTreeSet<String>,
    inputs: Vec<(String, RunInput)>,
    /// The `node.port` the next top-level step reads.
    previous: Option<String>,
    /// The last top-level node (what the run output reads).
    last: Option<String>,
}

impl Builder {
    fn id(&mut self, base: &str) -> String {
        let mut id = base.to_owned();
        let mut n = 2;
        while self.taken.contains(&id) {
            id = format!("{base}_{n}");
            n += 1;
        }
        self.taken.insert(id.clone());
        id
    }

    fn want_input(&mut self, name: &str, ty: ValueType, default: Option<Value>, description: &str) {
        if self.inputs.iter().any(|(n, _)| n == name) {
            return;
        }
        let input = RunInput { ty, description: description.to_owned(), default };
        self.inputs.push((name.to_owned(), input));
    }

    /// Adds `step` (inside `inside`), connected from `from`; answers its id.
    fn add(&mut self, mut step: Step, inside: Option<&str>, from: Option<&str>) -> String {
        let id = self.id(step.name);
        // A step with nothing before it reads a run input instead of `inputs.in`.
        if from.is_none() && step.reads_previous {
            rewrite_strings(&mut step.config, "{{ inputs.in }}", "{{ run.text }}");
            if contains(&step.config, "{{ run.text }}") {
                self.want_input("text", ValueType::String, None, "the text to work on");
            }
        }
        // A sub-workflow with nothing before it takes its input from the run.
        if from.is_none() && step.kind == "workflow" && step.in_port != "in" {
            let name = step.in_port.clone();
            step.config.insert("inputs".into(), json!({ name.clone(): format!("{{{{ run.{name} }}}}") }));
            self.want_input(&name, ValueType::String, None, "what the sub-workflow works on");
        }
        // Run inputs the step reads that nothing else gives.
        for (input, description) in [("url", "the address to fetch"), ("endpoint", "where to send it")] {
            if contains(&step.config, &format!("{{{{ run.{input} }}}}")) {
                self.want_input(input, ValueType::String, None, description);
            }
        }
        let in_port = std::mem::take(&mut step.in_port);
        self.ops.push(Op::AddNode {
            id: id.clone(),
            kind: step.kind.to_owned(),
            title: step.title,
            config: step.config,
            inputs: step.inputs,
            outputs: Vec::new(),
            policy: step.policy,
            inside: inside.map(str::to_owned),
        });
        if let Some(from) = from {
            self.ops.push(Op::Connect { from: from.to_owned(), to: format!("{id}.{in_port}") });
        }
        id
    }
}

fn contains(config: &Map<String, Value>, needle: &str) -> bool {
    config.values().any(|v| match v {
        Value::String(s) => s.contains(needle),
        Value::Object(map) => contains(map, needle),
        _ => false,
    })
}

fn rewrite_strings(config: &mut Map<String, Value>, from: &str, to: &str) {
    for value in config.values_mut() {
        match value {
            Value::String(s) if s.contains(from) => *s = s.replace(from, to),
            Value::Object(map) => rewrite_strings(map, from, to),
            _ => {}
        }
    }
}

/// Drafts `request` as operations on `base` (a new, empty blueprint, or the one being edited:
/// then the new steps follow its last node).
/// `key` is where the blueprint is (or will be saved): sub-workflows named in the request are
/// looked up from there.
pub fn draft_offline(
    request: &str,
    base: &Blueprint,
    resolver: &dyn Resolver,
    key: Option<&str>,
) -> Result<Vec<Op>, Unclear> {
    draft_offline_about(request, base, &[], resolver, key)
}

/// [`draft_offline`] about `selection`: an edit that names no node ("remove these", "retry it
/// 3 times") applies to the selected nodes.
pub fn draft_offline_about(
    request: &str,
    base: &Blueprint,
    selection: &[String],
    resolver: &dyn Resolver,
    key: Option<&str>,
) -> Result<Vec<Op>, Unclear> {
    let trimmed = request.trim();
    if trimmed.is_empty() {
        return Err(Unclear(
            "the request is empty: say what the workflow should do, e.g. \"fetch https://example.com, summarise it \
             and save it to summary.md\""
                .into(),
        ));
    }
    if trimmed.len() > MAX_REQUEST {
        return Err(Unclear(format!(
            "the request is {} KB; the offline drafter reads up to {} KB: describe the steps in a few sentences",
            trimmed.len() / 1024,
            MAX_REQUEST / 1024
        )));
    }
    let mut builder = Builder {
        ops: Vec::new(),
        taken: crate::ops::ids_in(&base.nodes),
        inputs: Vec::new(),
        previous: last_output(base),
        last: None,
    };
    if let Some(edit) = edits(trimmed, base, selection) {
        return Ok(edit);
    }
    let mut recognised = 0;
    let mut run = RunPolicy::default();
    for sentence in sentences(trimmed) {
        run_modifiers(&sentence, &mut run);
        let shape = shape_of(&sentence, resolver, key);
        recognised += match &shape {
            Shape::Sequence(parts) => parts.len(),
            Shape::Parallel(steps, ..) => steps.len(),
            Shape::Branch(_, yes, no) => 1 + yes.len() + no.len(),
        };
        emit(shape, &mut builder);
    }
    if recognised == 0 {
        return Err(Unclear(format!(
            "no step I know in {:?}: the offline drafter understands steps such as fetch a URL, read or write a file, \
             read a CSV, query JSON, split text, summarise / classify / extract / translate, for each, if … over N, \
             in parallel, wait, ask for approval, run a script; set up a model in Settings for anything else",
            trimmed.chars().take(80).collect::<String>()
        )));
    }
    let mut ops = std::mem::take(&mut builder.ops);
    for (name, input) in std::mem::take(&mut builder.inputs) {
        if !base.inputs.contains_key(&name) {
            ops.insert(0, Op::SetInput { name, input });
        }
    }
    if let Some(last) = &builder.last
        && base.outputs.is_empty()
    {
        ops.push(Op::SetOutput { name: "result".into(), from: last.clone() });
    }
    if run != RunPolicy::default() {
        ops.push(Op::SetRunPolicy { policy: run });
    }
    if base.nodes.is_empty() && base.name.trim().is_empty() {
        ops.push(Op::SetBlueprint {
            name: Some(title_of(trimmed)),
            description: Some(trimmed.chars().take(300).collect()),
            default_model: None,
        });
    }
    Ok(ops)
}

/// A name for a new blueprint: the request's first words (a URL as its host).
fn title_of(request: &str) -> String {
    let words: Vec<&str> = request
        .split_whitespace()
        .map(|w| w.split("://").nth(1).map_or(w, |rest| rest.split('/').next().unwrap_or(rest)))
        .take(6)
        .collect();
    let mut title = words.join(" ").trim_end_matches([',', '.', ';']).to_owned();
    if let Some(first) = title.get(..1) {
        title = first.to_uppercase() + &title[1..];
    }
    title
}

/// The `node.port` new steps follow in an edit: the last top-level node that feeds nothing.
fn last_output(base: &Blueprint) -> Option<String> {
    let feeds: BTreeSet<&str> = base.edges.iter().map(|e| e.from.split('.').next().unwrap_or_default()).collect();
    let node = base.nodes.iter().rev().find(|n| !feeds.contains(n.id.as_str()))?;
    Some(format!("{}.{}", node.id, main_output(node)))
}

/// The port a node's successor usually reads.
fn main_output(node: &floe_blueprint::Node) -> &'static str {
    let tool = node.config.get("tool").and_then(Value::as_str);
    match (node.kind.as_str(), tool) {
        ("tool", Some("http_request")) => "body",
        ("tool", Some("read_file")) => "text",
        ("tool", Some("csv_read")) => "rows",
        ("tool", Some("write_file" | "csv_write")) => "path",
        ("tool", Some("json_query")) => "result",
        ("tool", Some("text_split")) => "chunks",
        ("tool", Some("list_files")) => "files",
        ("tool", Some("regex_extract")) => "matches",
        ("tool", Some("sleep")) => "out",
        ("tool", _) => "text",
        ("llm" | "agent", _) => "text",
        ("loop", _) => "results",
        ("parallel", _) => "results",
        ("recursive", _) => "state",
        ("approval", _) => "approved",
        ("condition", _) => "true",
        _ => "result",
    }
}

/// Sentences in order: split at `.`, `;`, new lines and `then`.
fn sentences(request: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = request.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        // A full stop ends a sentence, unless it is inside a URL, a file name or a number.
        let ends = matches!(c, ';' | '\n') || (c == '.' && chars.get(i + 1).is_none_or(|n| n.is_whitespace()));
        if ends {
            out.push(std::mem::take(&mut current));
        } else {
            current.push(c);
        }
        i += 1;
    }
    out.push(current);
    out.into_iter()
        .flat_map(|s| split_words(&s, &[" then ", ", then ", " and then ", " after that ", " finally ", "→", "->"]))
        .map(|s| s.trim().trim_start_matches(|c: char| c.is_ascii_digit() || c == ')' || c == '-').trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Splits at any of `words` (matched case-insensitively).
fn split_words(text: &str, words: &[&str]) -> Vec<String> {
    let lower = text.to_lowercase();
    if lower.len() != text.len() {
        return vec![text.to_owned()];
    }
    let mut cuts = Vec::new();
    for word in words {
        let mut from = 0;
        while let Some(at) = lower[from..].find(word) {
            cuts.push((from + at, word.len()));
            from += at + word.len();
        }
    }
    cuts.sort_unstable();
    let mut out = Vec::new();
    let mut start = 0;
    for (at, len) in cuts {
        if at >= start {
            out.push(text[start..at].to_owned());
            start = at + len;
        }
    }
    out.push(text[start..].to_owned());
    out
}

/// Parts of a sentence: split at `,` and ` and ` (not inside quotes).
fn clauses(sentence: &str) -> Vec<String> {
    split_words(sentence, &[", and ", ", ", " and "])
        .into_iter()
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty())
        .collect()
}

fn has(text: &str, words: &[&str]) -> bool {
    words.iter().any(|w| text.contains(w))
}

fn shape_of(sentence: &str, resolver: &dyn Resolver, key: Option<&str>) -> Shape {
    let lower = sentence.to_lowercase();
    if let Some(shape) = branch(sentence, &lower) {
        return shape;
    }
    let parts = clauses(sentence);
    let steps = |parts: &[String]| -> Vec<Step> {
        let mut steps: Vec<Step> = Vec::new();
        for part in parts {
            let Some(mut step) = step_of(part) else {
                if !modify(part, steps.last_mut())
                    && let Some(again) = steps.last().and_then(|previous| like(previous, part))
                {
                    steps.push(again);
                }
                continue;
            };
            // What a step works on, named in its own words: a file is read, a page fetched, first.
            if steps.is_empty()
                && step.reads_previous
                && let Some(source) = source_of(part, &step)
            {
                steps.push(source);
            }
            if step.kind == "workflow" {
                wire_workflow(&mut step, resolver, key);
            }
            steps.push(step);
            modify(part, steps.last_mut());
        }
        // "ask for approval before sending": an approval goes in front of each effect.
        if has(&sentence.to_lowercase(), &["approv", "sign off", "sign-off", "review it before", "confirm before"]) {
            let mut with = Vec::new();
            for step in steps {
                if step.effect && with.last().is_none_or(|s: &Step| s.kind != "approval") {
                    with.push(approval(sentence));
                }
                with.push(step);
            }
            steps = with;
        }
        steps
    };
    if let Some(n) = models_asked(&lower) {
        let (mode, quorum) = completion(&lower);
        let branches = (0..n)
            .map(|_| Step::new("ask", "llm", "Ask", json!({"model": "default", "prompt": "{{ inputs.in }}"}), "text"))
            .collect();
        return Shape::Parallel(branches, mode, quorum);
    }
    if has(
        &lower,
        &["for each", "for every", "each of", "each one", "every item", "every url", "every file", "one by one"],
    ) {
        let start = parts
            .iter()
            .position(|p| has(&p.to_lowercase(), &["for each", "for every", "each of", "every", "one by one"]))
            .unwrap_or(0);
        // The part that says "for each" may also say what to do ("for each url fetch it").
        let body = steps(&parts[start..]);
        if !body.is_empty() {
            let before = steps(&parts[..start]);
            return Shape::Sequence(before.into_iter().map(Part::Step).chain([Part::Each(body)]).collect());
        }
    }
    if has(
        &lower,
        &[
            "in parallel",
            "at the same time",
            "simultaneously",
            "concurrently",
            "whichever",
            "first to answer",
            "race",
            "at least",
        ],
    ) {
        let branches = steps(&parts);
        if branches.len() >= 2 {
            let (mode, quorum) = completion(&lower);
            return Shape::Parallel(branches, mode, quorum);
        }
    }
    Shape::Sequence(steps(&parts).into_iter().map(Part::Step).collect())
}

/// "Fetch A and B", "translate into French, German and Spanish": a part with no verb of its
/// own that does what the step before did, to its own object (a URL, or the last word).
fn like(previous: &Step, part: &str) -> Option<Step> {
    let cleaned =
        part.to_lowercase().replace("in parallel", "").replace("at the same time", "").replace("simultaneously", "");
    let words: Vec<&str> = cleaned.split_whitespace().collect();
    if words.is_empty() || words.len() > 3 {
        return None;
    }
    let mut step = previous.clone();
    if previous.config.get("tool").and_then(Value::as_str) == Some("http_request") {
        let url = url_in(part)?;
        step.config.insert("args".into(), json!({"url": url}));
        return Some(step);
    }
    if previous.kind != "llm" {
        return None;
    }
    let object: String = part
        .split_whitespace()
        .find(|w| !cleaned.contains("in parallel") || !["in", "parallel"].contains(w))?
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_owned();
    let prompt = previous.config.get("prompt").and_then(Value::as_str)?;
    let (task, rest) = prompt.split_once(':')?;
    let (head, _) = task.rsplit_once(' ')?;
    step.config.insert("prompt".into(), json!(format!("{head} {object}:{rest}")));
    Some(step)
}

/// How a parallel node completes: the first answer, a quorum, or all.
fn completion(lower: &str) -> (&'static str, Option<u32>) {
    if has(lower, &["whichever", "first to", "race", "fastest", "first answer"]) {
        ("first", None)
    } else if let Some(n) = number_after(lower, "at least ") {
        ("quorum", Some(n as u32))
    } else {
        ("all", None)
    }
}

/// "ask three models", "two models at once": how many models to ask side by side.
fn models_asked(lower: &str) -> Option<usize> {
    const NUMBERS: [(&str, usize); 6] = [("two", 2), ("three", 3), ("four", 4), ("five", 5), ("2", 2), ("3", 3)];
    let at = lower.find(" models")?;
    let before = lower[..at].split_whitespace().last()?;
    NUMBERS.iter().find(|(word, _)| *word == before).map(|(_, n)| *n)
}

/// The step that gets what `step` works on when its part names it: a file to read, a page to
/// fetch (`step` itself being no such step).
fn source_of(part: &str, step: &Step) -> Option<Step> {
    let tool = step.config.get("tool").and_then(Value::as_str);
    if matches!(tool, Some("read_file" | "csv_read" | "http_request" | "write_file" | "csv_write" | "list_files")) {
        return None;
    }
    if let Some(url) = url_in(part) {
        return Some(Step::tool("fetch", "http_request", "Fetch", json!({"url": url}), "body"));
    }
    let lower = part.to_lowercase();
    let path = path_in(part).filter(|p| !(p.ends_with(".json") && lower.contains("workflow")))?;
    if has(&lower, &["to ", "into "]) && has(&lower, &["save", "write", "export"]) {
        return None;
    }
    Some(if path.ends_with(".csv") {
        Step::tool("read_csv", "csv_read", "Read CSV", json!({"path": path}), "rows")
    } else {
        Step::tool("read", "read_file", "Read", json!({"path": path}), "text")
    })
}

/// A sub-workflow step takes the step before on its first required input (else its first), and
/// hands on its first output: the child is looked up to know them.
fn wire_workflow(step: &mut Step, resolver: &dyn Resolver, key: Option<&str>) {
    let Some(reference) = step.config.get("blueprint").and_then(Value::as_str) else { return };
    let Some(child) = resolver.resolve(key, reference).ok().and_then(|r| r.blueprint) else { return };
    let input = child.inputs.iter().find(|(_, i)| i.default.is_none()).or_else(|| child.inputs.iter().next());
    match input {
        Some((name, _)) => step.in_port.clone_from(name),
        None => step.reads_previous = false,
    }
    if let Some(name) = child.outputs.keys().next() {
        step.out.clone_from(name);
    }
}

/// "If the total is over 1000, post an alert, otherwise write a note."
fn branch(sentence: &str, lower: &str) -> Option<Shape> {
    let starts = ["if ", "when ", "only if "];
    let start = starts.iter().find_map(|s| lower.strip_prefix(s).map(|_| s.len()))?;
    let (condition, rest) = {
        let comma = sentence[start..].find(',').map(|i| i + start)?;
        (&sentence[start..comma], &sentence[comma + 1..])
    };
    let expression = expression_of(&condition.to_lowercase())?;
    let rest_lower = rest.to_lowercase();
    let (yes, no) = match ["otherwise", "else"].iter().find_map(|w| rest_lower.find(w).map(|i| (i, w.len()))) {
        Some((at, len)) => (&rest[..at], &rest[at + len..]),
        None => (rest, ""),
    };
    let side = |text: &str| clauses(text).iter().filter_map(|c| step_of(c)).collect::<Vec<_>>();
    Some(Shape::Branch(expression, side(yes), side(no)))
}

/// A condition as an expression over `inputs.in`: a threshold ("over 1000", "below 5", "more than
/// 10") or a class ("it is a bug", "is urgent").
fn expression_of(condition: &str) -> Option<String> {
    let comparisons = [
        ("more than ", ">"),
        ("greater than ", ">"),
        ("over ", ">"),
        ("above ", ">"),
        ("exceeds ", ">"),
        ("at least ", ">="),
        ("less than ", "<"),
        ("under ", "<"),
        ("below ", "<"),
        ("at most ", "<="),
    ];
    for (word, op) in comparisons {
        if let Some(n) = number_after(condition, word) {
            return Some(format!("inputs.in {op} {n}"));
        }
    }
    let class = ["is a ", "is an ", "is ", "says "].iter().find_map(|w| condition.rsplit_once(w).map(|(_, c)| c))?;
    let class: String = class.chars().filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '_').collect();
    let class = class.trim();
    (!class.is_empty()).then(|| format!("inputs.in | string | lower | trim == '{}'", class.replace('\'', "")))
}

/// The number right after `word` in `text` (`1000`, `1,000`, `$5`, `2.5`).
fn number_after(text: &str, word: &str) -> Option<f64> {
    let at = text.find(word)? + word.len();
    let digits: String = text[at..]
        .trim_start_matches(['$', '€', '£'])
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ',')
        .filter(|c| *c != ',')
        .collect();
    digits.trim_end_matches('.').parse().ok()
}

/// The number right before `word` in `text` ("3" in "retry them 3 times").
fn number_before(text: &str, word: &str) -> Option<f64> {
    let at = text.find(word)?;
    text[..at].split_whitespace().last()?.parse().ok()
}

/// The first URL in `text`.
fn url_in(text: &str) -> Option<String> {
    let at = text.find("https://").or_else(|| text.find("http://"))?;
    Some(
        text[at..]
            .split(|c: char| c.is_whitespace() || c == ',' || c == '"' || c == '\'')
            .next()?
            .trim_end_matches(['.', ')'])
            .to_owned(),
    )
}

/// The first file name in `text` (`report.md`, `data/sales.csv`).
fn path_in(text: &str) -> Option<String> {
    text.split(|c: char| c.is_whitespace() || c == ',' || c == '"' || c == '\'' || c == '`')
        .map(|w| w.trim_end_matches(['.', ')', ':']))
        .find(|w| {
            !w.contains("://")
                && w.rsplit_once('.').is_some_and(|(stem, ext)| {
                    !stem.is_empty()
                        && (1..=5).contains(&ext.len())
                        && ext.chars().all(|c| c.is_ascii_alphanumeric())
                        && !ext.chars().all(|c| c.is_ascii_digit())
                })
        })
        .map(str::to_owned)
}

/// A duration in `text` ("30 seconds", "2 minutes", "30s", "1h").
fn duration_in(text: &str) -> Option<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    for (i, word) in words.iter().enumerate() {
        let word = word.trim_end_matches([',', '.']);
        if let Some(split) = word.find(|c: char| !c.is_ascii_digit())
            && split > 0
            && matches!(&word[split..], "s" | "ms" | "m" | "h" | "sec" | "min")
        {
            let unit = match &word[split..] {
                "sec" => "s",
                "min" => "m",
                other => other,
            };
            return Some(format!("{}{unit}", &word[..split]));
        }
        if let Ok(n) = word.parse::<u64>()
            && let Some(unit) = words.get(i + 1)
        {
            let unit = unit.to_lowercase();
            let unit = if unit.starts_with("milli") || unit == "ms" {
                "ms"
            } else if unit.starts_with("sec") {
                "s"
            } else if unit.starts_with("min") {
                "m"
            } else if unit.starts_with("hour") {
                "h"
            } else {
                continue;
            };
            return Some(format!("{n}{unit}"));
        }
    }
    None
}

/// A model step's prompt: the request's own words for the task, then the text it works on.
fn prompt(part: &str) -> String {
    let task = part.trim().trim_end_matches(['.', ',']);
    let task = task.strip_suffix(" it").or_else(|| task.strip_suffix(" them")).unwrap_or(task);
    let mut text = task.to_owned();
    if let Some(first) = text.get(..1) {
        text = first.to_uppercase() + &text[1..];
    }
    format!("{text}:\n\n{{{{ inputs.in }}}}")
}

/// The step a part asks for, if it asks for one.
fn step_of(part: &str) -> Option<Step> {
    let lower = part.to_lowercase();
    let l = lower.as_str();
    let url = url_in(part);
    let path = path_in(part);
    // Sending to a URL: a POST (an effect).
    if has(l, &["post ", "send ", "email ", "notify", "webhook", "alert ", "call the api", "submit"])
        && (url.is_some() || has(l, &["webhook", "api", "slack"]))
    {
        let mut step = Step::tool(
            "send",
            "http_request",
            "Send",
            json!({"method": "POST", "url": url.clone().unwrap_or_else(|| "{{ run.endpoint }}".into()), "body": "{{ inputs.in }}"}),
            "status",
        );
        step.effect = true;
        return Some(step);
    }
    if has(l, &["write", "save", "store", "export", "append"])
        && (path.is_some() || has(l, &["file", "disk", "csv", "markdown", "as json", "as text"]))
    {
        let target =
            path.unwrap_or_else(|| if l.contains("csv") { "out/result.csv".into() } else { "out/result.md".into() });
        let mut step = if target.ends_with(".csv") {
            Step::tool(
                "write_csv",
                "csv_write",
                "Write CSV",
                json!({"path": target, "rows": "{{ inputs.in }}"}),
                "path",
            )
        } else {
            let append = l.contains("append");
            let mut args = json!({"path": target, "content": "{{ inputs.in }}"});
            if append {
                args["append"] = json!(true);
            }
            Step::tool("save", "write_file", "Save", args, "path")
        };
        step.effect = true;
        return Some(step);
    }
    let strong = has(l, &["fetch", "download", "scrape"]);
    if strong
        || (has(l, &["get ", "load ", "open ", "check ", "ping", "call "])
            && (url.is_some() || has(l, &["url", "page", "site", "website", "api", "endpoint", "link"])))
    {
        let target = url.unwrap_or_else(|| {
            if l.contains("each") || l.contains("every") { "{{ item }}".into() } else { "{{ run.url }}".into() }
        });
        return Some(Step::tool("fetch", "http_request", "Fetch", json!({"url": target}), "body"));
    }
    if has(l, &["read", "load", "open", "parse", "import"]) && path.is_some() {
        let file = path.unwrap_or_default();
        return Some(if file.ends_with(".csv") || l.contains("csv") {
            Step::tool("read_csv", "csv_read", "Read CSV", json!({"path": file}), "rows")
        } else {
            Step::tool("read", "read_file", "Read", json!({"path": file}), "text")
        });
    }
    // "read it", "read each file": the file the step before named (in a loop, the item).
    if has(l, &["read it", "read each", "read them", "read the file", "open it"]) {
        return Some(Step::tool("read", "read_file", "Read", json!({"path": "{{ inputs.in }}"}), "text"));
    }
    if has(l, &["list the files", "list files", "every file in", "files in ", "all files"])
        || (l.contains("list ") && has(l, &["folder", "directory"]))
    {
        // The folder is the word before "folder" ("the notes folder"), else a path, else here.
        let named = l
            .split_whitespace()
            .collect::<Vec<_>>()
            .windows(2)
            .find(|w| w[1].starts_with("folder") || w[1].starts_with("director"))
            .map(|w| w[0].to_owned())
            .filter(|w| !["the", "a", "this", "that"].contains(&w.as_str()));
        let dir = path.or(named).unwrap_or_else(|| ".".into());
        return Some(Step::tool("list", "list_files", "List files", json!({"dir": dir}), "files"));
    }
    if has(
        l,
        &[
            "jq",
            "json query",
            "query the json",
            "pick the field",
            "select the field",
            "filter the json",
            "extract the field",
        ],
    ) {
        let query = part.split('`').nth(1).map_or_else(|| ".".to_owned(), str::to_owned);
        return Some(Step::tool(
            "query",
            "json_query",
            "JSON query",
            json!({"query": query, "input": "{{ inputs.in }}"}),
            "result",
        ));
    }
    if has(l, &["split", "chunk", "break it into", "paragraphs"]) && !has(l, &["summar"]) {
        let mode = if l.contains("line") {
            "lines"
        } else if l.contains("paragraph") {
            "paragraphs"
        } else {
            "chars"
        };
        return Some(Step::tool(
            "split",
            "text_split",
            "Split",
            json!({"text": "{{ inputs.in }}", "mode": mode}),
            "chunks",
        ));
    }
    if has(l, &["regex", "regular expression", "all emails", "email addresses", "error codes", "phone numbers"]) {
        let pattern = if l.contains("email") {
            r"[\w.+-]+@[\w-]+\.[\w.]+"
        } else if l.contains("phone") {
            r"\+?\d[\d\s-]{7,}\d"
        } else {
            r"[A-Z]+-\d+"
        };
        return Some(Step::tool(
            "extract",
            "regex_extract",
            "Extract",
            json!({"pattern": pattern, "text": "{{ inputs.in }}", "all": true}),
            "matches",
        ));
    }
    if has(l, &["wait ", "sleep", "pause for", "delay"])
        && let Some(duration) = duration_in(l)
    {
        let mut step = Step::tool("wait", "sleep", "Wait", json!({"duration": duration}), "out");
        step.reads_previous = true;
        return Some(step);
    }
    if has(l, &["sub-workflow", "subworkflow", "blueprint ", "run the workflow", "call the workflow"])
        && path.as_deref().is_some_and(|p| p.ends_with(".json"))
    {
        return Some(Step::new("step", "workflow", "Sub-workflow", json!({"blueprint": path}), "result"));
    }
    if has(l, &["agent", "research", "browse", "investigate", "look up", "search the web"]) {
        let mut tools = vec![json!("http_request")];
        if has(l, &["file", "read", "docs", "folder"]) {
            tools.push(json!("read_file"));
            tools.push(json!("list_files"));
        }
        let step = Step::new(
            "agent",
            "agent",
            "Agent",
            json!({"model": "default", "prompt": prompt(part), "tools": tools, "max_turns": 8}),
            "text",
        );
        return Some(step);
    }
    if approval_before(part) {
        return Some(approval(part));
    }
    if has(
        l,
        &[
            "javascript",
            "script",
            "compute",
            "calculate",
            "total",
            "sum ",
            "count ",
            "average",
            "sort ",
            "group by",
            "dedupe",
            "deduplicate",
        ],
    ) && !has(l, &["summar"])
    {
        let source = if l.contains("count") {
            "Array.isArray(inputs.in) ? inputs.in.length : String(inputs.in ?? '').split(/\\s+/).filter(Boolean).length"
        } else if has(l, &["total", "sum ", "average"]) {
            "const rows = Array.isArray(inputs.in) ? inputs.in : [];\nconst values = rows.map(r => Number(typeof r === 'object' ? Object.values(r).find(v => !isNaN(Number(v))) : r) || 0);\nconst total = values.reduce((a, b) => a + b, 0);\n({total, average: values.length ? total / values.length : 0})"
        } else if l.contains("sort") {
            "[...(inputs.in ?? [])].sort()"
        } else if has(l, &["dedupe", "deduplicate"]) {
            "[...new Set(inputs.in ?? [])]"
        } else {
            "inputs.in"
        };
        return Some(Step::new("compute", "code", "Compute", json!({"source": source}), "result"));
    }
    let model_verbs: [(&str, &'static str); 21] = [
        ("summar", "summarise"),
        ("classif", "classify"),
        ("categori", "classify"),
        ("extract", "extract"),
        ("translat", "translate"),
        ("rewrite", "rewrite"),
        ("draft", "draft"),
        ("write a", "write"),
        ("answer", "answer"),
        ("analy", "analyse"),
        ("explain", "explain"),
        ("critique", "critique"),
        ("generate", "generate"),
        ("ask the model", "ask"),
        ("ask a model", "ask"),
        ("comment", "comment"),
        ("revis", "revise"),
        ("improve", "improve"),
        ("proofread", "proofread"),
        ("shorten", "shorten"),
        ("simplif", "simplify"),
    ];
    if let Some((_, name)) = model_verbs.iter().find(|(stem, _)| l.contains(stem)) {
        let mut config = json!({"model": "default", "prompt": prompt(part)});
        if *name == "classify" {
            let classes = classes_in(part);
            if !classes.is_empty() {
                config["prompt"] = json!(format!(
                    "Classify the text below as one of: {}. Answer with the class only.\n\n{{{{ inputs.in }}}}",
                    classes.join(", ")
                ));
            }
        }
        let title = {
            let mut t = name.to_string();
            t[..1].make_ascii_uppercase();
            t
        };
        return Some(Step::new(name, "llm", title, config, "text"));
    }
    if has(l, &["render", "format it as", "template"]) {
        return Some(Step::tool("format", "text_template", "Format", json!({"template": "{{ inputs.in }}"}), "text"));
    }
    None
}

/// Class names listed in a classify step ("as bug, feature or question").
fn classes_in(part: &str) -> Vec<String> {
    let lower = part.to_lowercase();
    let Some(at) = lower.find(" as ").or_else(|| lower.find(" into ")) else { return Vec::new() };
    lower[at + 4..]
        .replace(" or ", ",")
        .replace(" and ", ",")
        .split(',')
        .map(|c| c.trim().trim_matches(|ch: char| !ch.is_alphanumeric()).to_owned())
        .filter(|c| !c.is_empty() && c.split_whitespace().count() <= 2)
        .collect()
}

fn approval_before(part: &str) -> bool {
    has(
        &part.to_lowercase(),
        &["approv", "sign off", "sign-off", "human review", "review it before", "confirm before", "ask me"],
    )
}

fn approval(part: &str) -> Step {
    let _ = part;
    Step::new(
        "review",
        "approval",
        "Approve",
        json!({"message": "Approve this?\n\n{{ inputs.in }}", "timeout": "24h", "on_timeout": "reject"}),
        "approved",
    )
}

/// What a part adds to the step before it (or to its own step); true when it said something.
fn modify(part: &str, step: Option<&mut Step>) -> bool {
    let l = part.to_lowercase();
    let Some(step) = step else { return false };
    let mut said = false;
    // "retry 3 times", "retry them 3 times", "retries: 2": the number after the word, or the one
    // before "time(s)".
    let counted = ["retry ", "retries ", "retry it ", "retry up to ", "try "]
        .iter()
        .find_map(|w| number_after(&l, w))
        .or_else(|| has(&l, &["retry", "try "]).then(|| number_before(&l, " time")).flatten());
    if let Some(n) = counted {
        let attempts = if l.contains("try ") && !l.contains("retry") { n as u32 } else { n as u32 + 1 };
        step.policy.retry = Some(RetryPolicy {
            attempts: attempts.clamp(1, 100),
            initial: None,
            multiplier: None,
            max_delay: None,
            jitter: None,
            on: None,
        });
        said = true;
    } else if has(&l, &["retry", "retries"]) {
        step.policy.retry =
            Some(RetryPolicy { attempts: 3, initial: None, multiplier: None, max_delay: None, jitter: None, on: None });
        said = true;
    }
    if has(&l, &["timeout", "time out", "within", "at most"])
        && let Some(duration) = duration_in(&l)
    {
        step.policy.timeout = Some(duration);
        said = true;
    }
    if has(&l, &["fall back to", "fallback to", "fallback model"]) && (step.kind == "llm" || step.kind == "agent") {
        let model = part
            .split_whitespace()
            .find(|w| w.contains(':') && !w.contains("://"))
            .map(|w| w.trim_end_matches(['.', ',']).to_owned());
        if let Some(model) = model {
            step.config.insert("fallbacks".into(), json!([model]));
            said = true;
        }
    }
    if has(
        &l,
        &["if it fails", "on error", "on failure", "keep going", "continue anyway", "ignore errors", "skip it if"],
    ) {
        step.policy.on_error = Some(if has(&l, &["keep going", "continue", "skip", "ignore"]) {
            OnError::Skip
        } else {
            OnError::ErrorPort
        });
        said = true;
    }
    if step.kind == "llm"
        && let Some(limit) =
            number_after(&l, "max ").or_else(|| number_after(&l, "at most ")).filter(|_| l.contains("token"))
    {
        step.config.insert("max_tokens".into(), json!(limit as u64));
        said = true;
    }
    said
}

/// Run-wide settings a sentence asks for: a budget, a run timeout.
fn run_modifiers(sentence: &str, run: &mut RunPolicy) {
    let l = sentence.to_lowercase();
    if has(&l, &["budget", "spend at most", "no more than $", "cost at most", "costs under"]) {
        let usd = ["$", "budget of ", "at most "].iter().find_map(|w| number_after(&l, w));
        if let Some(usd) = usd {
            run.budget = Some(Budget { max_usd: Some(usd), max_tokens: None });
        }
    }
    if has(&l, &["whole run", "the run must finish", "entire workflow"])
        && let Some(duration) = duration_in(&l)
    {
        run.timeout = Some(duration);
    }
}

/// Adds the nodes a sentence became.
fn emit(shape: Shape, builder: &mut Builder) {
    match shape {
        Shape::Sequence(parts) => {
            for part in parts {
                match part {
                    Part::Step(step) => top_level(step, builder),
                    Part::Each(body) => each(body, builder),
                }
            }
        }
        Shape::Parallel(branches, mode, quorum) => {
            let id = builder.id("together");
            builder.ops.push(Op::AddNode {
                id: id.clone(),
                kind: "parallel".into(),
                title: "In parallel".into(),
                config: Map::new(),
                inputs: Vec::new(),
                outputs: Vec::new(),
                policy: Policy::default(),
                inside: None,
            });
            if let Some(from) = builder.previous.clone() {
                builder.ops.push(Op::Connect { from, to: format!("{id}.in") });
            }
            let mut names = Map::new();
            for mut step in branches {
                rewrite_strings(&mut step.config, "{{ inputs.in }}", "{{ parent.in }}");
                step.reads_previous = false;
                let out = step.out.clone();
                let node = builder.add(step, Some(&id), None);
                names.insert(node.clone(), json!(format!("{node}.{out}")));
            }
            builder.ops.push(Op::SetConfig { node: id.clone(), field: "branches".into(), value: Value::Object(names) });
            builder.ops.push(Op::SetConfig { node: id.clone(), field: "mode".into(), value: json!(mode) });
            if let Some(n) = quorum {
                builder.ops.push(Op::SetConfig { node: id.clone(), field: "quorum".into(), value: json!(n) });
            }
            let out = if mode == "first" { "first" } else { "results" };
            builder.previous = Some(format!("{id}.{out}"));
            builder.last = builder.previous.clone();
        }
        Shape::Branch(expression, yes, no) => {
            let from = builder.previous.clone();
            // With nothing before it, the condition looks at a run input.
            let expression = if from.is_none() {
                builder.want_input("value", ValueType::Any, None, "the value to check");
                expression.replace("inputs.in", "run.value")
            } else {
                expression
            };
            let mut condition = Step::new("check", "condition", "Check", json!({"expression": expression}), "true");
            condition.reads_previous = from.is_some();
            let id = builder.add(condition, None, from.as_deref());
            for (port, side) in [("true", yes), ("false", no)] {
                let mut previous = Some(format!("{id}.{port}"));
                for step in side {
                    let out = step.out.clone();
                    let node = builder.add(step, None, previous.as_deref());
                    previous = Some(format!("{node}.{out}"));
                }
            }
            builder.previous = Some(format!("{id}.true"));
            builder.last = None;
        }
    }
}

/// A loop over the items of the step before (or the run input `items`), its body `body`.
fn each(body: Vec<Step>, builder: &mut Builder) {
    // Text is gone through line by line.
    if builder.previous.as_deref().is_some_and(|p| p.ends_with(".text")) {
        let split =
            Step::tool("lines", "text_split", "Lines", json!({"text": "{{ inputs.in }}", "mode": "lines"}), "chunks");
        top_level(split, builder);
    }
    let id = builder.id("each");
    let items = if builder.previous.is_some() {
        None
    } else {
        builder.want_input("items", ValueType::Array, None, "the items to go through");
        Some("run.items".to_owned())
    };
    builder.ops.push(Op::AddNode {
        id: id.clone(),
        kind: "loop".into(),
        title: "For each".into(),
        config: Map::new(),
        inputs: Vec::new(),
        outputs: Vec::new(),
        policy: Policy::default(),
        inside: None,
    });
    if let Some(items) = items {
        builder.ops.push(Op::SetConfig { node: id.clone(), field: "items".into(), value: json!(items) });
    }
    if let Some(from) = builder.previous.clone() {
        builder.ops.push(Op::Connect { from, to: format!("{id}.items") });
    }
    let mut inner: Option<String> = None;
    for mut step in body {
        if inner.is_none() {
            // The first body step works on the item.
            rewrite_strings(&mut step.config, "{{ inputs.in }}", "{{ item }}");
            rewrite_strings(&mut step.config, "{{ run.url }}", "{{ item }}");
        }
        let out = step.out.clone();
        let reads = step.reads_previous && inner.is_some();
        let from = if reads { inner.clone() } else { None };
        let mut step = step;
        if from.is_none() {
            step.reads_previous = false;
        }
        let node = builder.add(step, Some(&id), from.as_deref());
        inner = Some(format!("{node}.{out}"));
    }
    let collect = inner.unwrap_or_default();
    builder.ops.push(Op::SetConfig { node: id.clone(), field: "collect".into(), value: json!(collect) });
    builder.ops.push(Op::SetConfig { node: id.clone(), field: "on_item_error".into(), value: json!("collect") });
    builder.previous = Some(format!("{id}.results"));
    builder.last = builder.previous.clone();
}

fn top_level(step: Step, builder: &mut Builder) {
    let out = step.out.clone();
    let from = if step.reads_previous { builder.previous.clone() } else { None };
    let id = builder.add(step, None, from.as_deref());
    builder.previous = Some(format!("{id}.{out}"));
    builder.last = builder.previous.clone();
}

/// Edits of the open blueprint said in words: remove, rename, retry, timeout, model.
fn edits(request: &str, base: &Blueprint, selection: &[String]) -> Option<Vec<Op>> {
    if base.nodes.is_empty() {
        return None;
    }
    let l = request.to_lowercase();
    let node = |text: &str| -> Option<String> {
        let mut ids: Vec<&floe_blueprint::Node> = Vec::new();
        let mut pending: Vec<&floe_blueprint::Node> = base.nodes.iter().collect();
        while let Some(n) = pending.pop() {
            ids.push(n);
            pending.extend(n.body.iter().flat_map(|b| &b.nodes));
        }
        ids.iter()
            .filter(|n| {
                text.contains(&n.id.to_lowercase()) || (!n.title.is_empty() && text.contains(&n.title.to_lowercase()))
            })
            .max_by_key(|n| n.id.len())
            .map(|n| n.id.clone())
    };
    // The nodes an edit is about: those it names, else the selected ones.
    let targets = |text: &str| -> Vec<String> { node(text).map_or_else(|| selection.to_vec(), |id| vec![id]) };
    if let Some(rest) = l.strip_prefix("rename ") {
        let (from, to) = rest.split_once(" to ")?;
        let from = targets(from).into_iter().next()?;
        let to: String = to.trim().trim_end_matches('.').replace([' ', '-'], "_");
        return Some(vec![Op::Rename { from, to }]);
    }
    if has(&l, &["remove ", "delete ", "drop "]) && !has(&l, &["duplicates", "file"]) {
        let ids = targets(&l);
        return (!ids.is_empty()).then(|| ids.into_iter().map(|id| Op::RemoveNode { id }).collect());
    }
    if has(&l, &["use the model ", "switch to ", "change the model"]) {
        let model = request
            .split_whitespace()
            .find(|w| w.contains(':') && !w.contains("://"))?
            .trim_end_matches(['.', ','])
            .to_owned();
        let targets: Vec<Op> = base
            .nodes
            .iter()
            .filter(|n| n.config.get("model").is_some())
            .map(|n| Op::SetConfig { node: n.id.clone(), field: "model".into(), value: json!(model) })
            .collect();
        return (!targets.is_empty()).then_some(targets);
    }
    if has(&l, &["retry", "timeout", "time out"]) && !has(&l, &["then ", "fetch", "summar"]) {
        let mut ops = Vec::new();
        for id in targets(&l) {
            let existing = crate::ops::find_node(base, &id).map(|n| n.policy.clone()).unwrap_or_default();
            let mut step = Step::new("x", "tool", "", json!({}), "out");
            step.policy = existing;
            if modify(request, Some(&mut step)) {
                ops.push(Op::SetPolicy { node: id, policy: step.policy });
            }
        }
        (!ops.is_empty()).then_some(ops)
    } else {
        None
    }
}
