//! What a list of operations does, in words: "Adds fetch (tool http_request), summarise (llm) and
//! save (tool write_file); connects 2 edges; adds the run input `url`." Written from the
//! operations themselves, so it never claims a change that was not made.

use serde_json::Value;

use crate::ops::Op;

/// A short description of `ops`, one sentence per kind of change.
pub fn summarize(ops: &[Op]) -> String {
    let mut added = Vec::new();
    let mut removed = Vec::new();
    let mut changed = Vec::new();
    let (mut connected, mut disconnected) = (0, 0);
    let mut inputs = Vec::new();
    let mut outputs = Vec::new();
    let mut renamed = Vec::new();
    let mut blueprint = None;
    for op in ops {
        match op {
            Op::AddNode { id, kind, config, inside, .. } => {
                let what = match (kind.as_str(), config.get("tool").and_then(Value::as_str)) {
                    ("tool", Some(tool)) => format!("tool {tool}"),
                    _ => kind.clone(),
                };
                let place = inside.as_ref().map(|c| format!(" inside {c}")).unwrap_or_default();
                added.push(format!("{id} ({what}){place}"));
            }
            Op::RemoveNode { id } => removed.push(id.clone()),
            Op::SetConfig { node, field, .. } => changed.push(format!("{node}'s {field}")),
            Op::SetPolicy { node, .. } => changed.push(format!("{node}'s policy")),
            Op::SetTitle { node, .. } => changed.push(format!("{node}'s title")),
            Op::Connect { .. } => connected += 1,
            Op::Disconnect { .. } => disconnected += 1,
            Op::SetInput { name, .. } => inputs.push(format!("`{name}`")),
            Op::RemoveInput { name } => inputs.push(format!("no `{name}`")),
            Op::SetOutput { name, .. } => outputs.push(format!("`{name}`")),
            Op::RemoveOutput { name } => outputs.push(format!("no `{name}`")),
            Op::Rename { from, to } => renamed.push(format!("{from} to {to}")),
            Op::SetBlueprint { name, .. } => blueprint = Some(name.clone()),
            Op::SetRunPolicy { .. } => changed.push("the run's policy".to_owned()),
        }
    }
    let mut sentences = Vec::new();
    if !added.is_empty() {
        sentences.push(format!("Adds {}", list(&added)));
    }
    if !removed.is_empty() {
        sentences.push(format!("Removes {}", list(&removed)));
    }
    if !renamed.is_empty() {
        sentences.push(format!("Renames {}", list(&renamed)));
    }
    if !changed.is_empty() {
        sentences.push(format!("Changes {}", list(&changed)));
    }
    if connected > 0 {
        sentences.push(format!("Connects {connected} edge{}", plural(connected)));
    }
    if disconnected > 0 {
        sentences.push(format!("Disconnects {disconnected} edge{}", plural(disconnected)));
    }
    if !inputs.is_empty() {
        sentences.push(format!("Run inputs: {}", list(&inputs)));
    }
    if !outputs.is_empty() {
        sentences.push(format!("Run outputs: {}", list(&outputs)));
    }
    match blueprint {
        Some(Some(name)) => sentences.push(format!("Names the blueprint “{name}”")),
        Some(None) => sentences.push("Updates the blueprint's description or default model".to_owned()),
        None => {}
    }
    if sentences.is_empty() {
        return "No change.".to_owned();
    }
    sentences.join(". ") + "."
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `a`, `a and b`, `a, b and c`.
fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}
