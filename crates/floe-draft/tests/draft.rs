//! Drafts built from operations: a new graph that compiles with its nodes placed, an edit of an
//! example that leaves every untouched node byte-identical in the canonical form, renames that
//! every reference follows, operations that cannot apply saying which and why, and the
//! catalogue digest's size.

mod support;

use floe_blueprint::{Blueprint, Catalog, Code, to_canonical_string};
use floe_draft::digest::{digest, estimate_tokens};
use floe_draft::{Draft, Drafter, Op, make_draft};
use serde_json::{Value, json};
use support::{Examples, example, examples};

fn ops(value: Value) -> Vec<Op> {
    serde_json::from_value(value).expect("operations")
}

fn draft(base: &Blueprint, list: Vec<Op>) -> Draft {
    make_draft(base, list, Catalog::builtin(), &Examples, None, Drafter::Offline { reason: "test".into() })
}

/// Each node of the canonical form, by id (bodies' nodes are inside their containers).
fn canonical_nodes(blueprint: &Blueprint) -> Vec<(String, String)> {
    let canonical: Value = serde_json::from_str(&to_canonical_string(blueprint)).expect("canonical JSON");
    canonical["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|n| (n["id"].as_str().unwrap_or_default().to_owned(), n.to_string()))
        .collect()
}

#[test]
fn a_new_graph_from_operations_compiles_with_its_nodes_placed_left_to_right() {
    let base = Blueprint::new("digest", "Digest a page");
    let list = ops(json!([
        {"op": "set_input", "name": "url", "input": {"type": "string", "default": "https://example.com/"}},
        {"op": "add_node", "id": "fetch", "kind": "tool", "config": {"tool": "http_request", "args": {"url": "{{ run.url }}"}}},
        {"op": "add_node", "id": "summarise", "kind": "llm", "config": {"model": "default", "prompt": "Summarise:\n\n{{ inputs.in }}"}},
        {"op": "add_node", "id": "save", "kind": "tool", "config": {"tool": "write_file", "args": {"path": "out/summary.md", "content": "{{ inputs.in }}"}}},
        {"op": "connect", "from": "fetch.body", "to": "summarise.in"},
        {"op": "connect", "from": "summarise.text", "to": "save.in"},
        {"op": "set_output", "name": "summary", "from": "summarise.text"}
    ]));
    let drafted = draft(&base, list);
    assert!(drafted.is_clean(), "{:?} {:#?}", drafted.apply_error, drafted.diagnostics);
    assert_eq!(
        drafted.summary,
        "Adds fetch (tool http_request), summarise (llm) and save (tool write_file). Connects 2 edges. Run inputs: `url`. Run outputs: `summary`."
    );
    let blueprint = drafted.blueprint.expect("applied");
    let x = |id: &str| blueprint.layout.nodes[id].x;
    assert!(x("fetch") < x("summarise") && x("summarise") < x("save"), "{:?}", blueprint.layout.nodes);
    // Its canonical text reads back as itself.
    let text = to_canonical_string(&blueprint);
    let again = floe_blueprint::parse_str(&text).blueprint.expect("reads back");
    assert_eq!(to_canonical_string(&again), text);
}

#[test]
fn an_edit_leaves_every_untouched_node_byte_identical() {
    let base = example("fetch-and-summarise.json");
    let list = ops(json!([
        {"op": "set_config", "node": "summarise", "field": "prompt", "value": "Summarise in three bullet points:\n\n{{ inputs.in }}"},
        {"op": "add_node", "id": "translate", "kind": "llm", "config": {"model": "default", "prompt": "Translate to French:\n\n{{ inputs.in }}"}},
        {"op": "connect", "from": "summarise.text", "to": "translate.in"},
        {"op": "set_output", "name": "french", "from": "translate.text"},
        {"op": "set_policy", "node": "fetch", "policy": {"retry": {"attempts": 3}}}
    ]));
    let touched: Vec<String> = list.iter().flat_map(|op| op.touches()).map(str::to_owned).collect();
    let drafted = draft(&base, list);
    assert!(drafted.is_clean(), "{:?} {:#?}", drafted.apply_error, drafted.diagnostics);
    let after = drafted.blueprint.expect("applied");
    let before = canonical_nodes(&base);
    let now = canonical_nodes(&after);
    let mut untouched = 0;
    for (id, text) in &before {
        if touched.contains(id) {
            continue;
        }
        let same = now.iter().find(|(other, _)| other == id).map(|(_, t)| t);
        assert_eq!(same, Some(text), "untouched node `{id}` changed");
        untouched += 1;
    }
    assert_eq!(untouched, 1, "save is untouched");
    // Existing boxes stay; the new node gets one right of what feeds it.
    for (id, place) in &base.layout.nodes {
        assert_eq!(after.layout.nodes.get(id), Some(place), "{id} moved");
    }
    assert!(after.layout.nodes["translate"].x > after.layout.nodes["summarise"].x);
}

#[test]
fn a_rename_is_followed_by_edges_outputs_templates_and_body_references() {
    let base = example("uptime-report.json");
    let drafted = draft(
        &base,
        ops(json!([
            {"op": "rename", "from": "summary", "to": "totals"},
            {"op": "rename", "from": "get", "to": "probe"}
        ])),
    );
    assert!(drafted.is_clean(), "{:?} {:#?}", drafted.apply_error, drafted.diagnostics);
    let text = to_canonical_string(drafted.blueprint.as_ref().expect("applied"));
    assert!(!text.contains("\"summary.") && text.contains("\"totals.result\""), "{text}");
    assert!(text.contains("\"collect\": \"probe.status\""), "the loop's body reference follows: {text}");

    let templates = example("fetch-and-summarise.json");
    let drafted = draft(&templates, ops(json!([{"op": "rename", "from": "summarise", "to": "digest"}])));
    assert!(drafted.is_clean(), "{:#?}", drafted.diagnostics);
    let text = to_canonical_string(drafted.blueprint.as_ref().expect("applied"));
    assert!(text.contains("{{ nodes.digest.text }}") && !text.contains("nodes.summarise"), "{text}");
}

#[test]
fn an_operation_that_cannot_apply_says_which_and_what_to_do() {
    let base = example("fetch-and-summarise.json");
    let cases = [
        (
            json!([{"op": "set_config", "node": "sumarise", "field": "prompt", "value": "x"}]),
            0,
            "there is no node `sumarise`; the nodes are: fetch, save, summarise",
        ),
        (
            json!([{"op": "remove_node", "id": "save"}, {"op": "add_node", "id": "fetch", "kind": "llm"}]),
            1,
            "a node `fetch` exists already",
        ),
        (json!([{"op": "add_node", "id": "2nd", "kind": "llm"}]), 0, "`2nd` is not an identifier"),
        (
            json!([{"op": "add_node", "id": "x", "kind": "llm", "inside": "fetch"}]),
            0,
            "`fetch` is a `tool` node, which has no body",
        ),
        (json!([{"op": "connect", "from": "fetch", "to": "save.in"}]), 0, "write `fetch.<port>`"),
        (
            json!([{"op": "disconnect", "from": "fetch.body", "to": "save.in"}]),
            0,
            "there is no edge from `fetch.body` to `save.in`",
        ),
    ];
    for (list, index, message) in cases {
        let drafted = draft(&base, ops(list));
        let error = drafted.apply_error.clone().expect("refused");
        assert_eq!(error.index, index, "{error}");
        assert!(error.message.contains(message), "{error}");
        assert!(!drafted.is_clean() && drafted.blueprint.is_none());
    }
    // Across a container's boundary.
    let uptime = example("uptime-report.json");
    let error = draft(&uptime, ops(json!([{"op": "connect", "from": "get.status", "to": "summary.in"}])))
        .apply_error
        .expect("refused");
    assert!(error.message.contains("different graphs"), "{error}");
}

#[test]
fn removing_a_node_takes_its_edges_outputs_and_body_with_it() {
    let base = example("uptime-report.json");
    let drafted =
        draft(&base, ops(json!([{"op": "remove_node", "id": "check"}, {"op": "remove_node", "id": "settle"}])));
    let after = drafted.blueprint.expect("applied");
    let text = to_canonical_string(&after);
    for gone in ["\"check.", "\"settle.", "\"get\"", "\"step\""] {
        assert!(!text.contains(gone), "{gone} left behind: {text}");
    }
    assert!(!after.outputs.contains_key("score"));
    // Nothing dangles: no edge or output names a removed node.
    let dangling = [Code::EdgeUnknownNode, Code::OutputSourceMissing];
    assert!(!drafted.diagnostics.iter().any(|d| dangling.contains(&d.code)), "{:#?}", drafted.diagnostics);
}

#[test]
fn operations_round_trip_as_json_and_the_digest_covers_the_catalogue_compactly() {
    let list = ops(
        json!([{"op": "set_blueprint", "name": "N", "default_model": "ollama:llama3.2"}, {"op": "remove_output", "name": "x"}]),
    );
    assert_eq!(ops(serde_json::to_value(&list).expect("JSON")), list);
    let unknown = serde_json::from_value::<Vec<Op>>(json!([{"op": "add_edge", "from": "a.b", "to": "c.d"}]));
    assert!(unknown.is_err());

    let text = digest(Catalog::builtin());
    let catalog = Catalog::builtin().doc();
    for kind in &catalog.kinds {
        assert!(text.contains(&format!("- {}: ", kind.kind)), "kind {} missing", kind.kind);
    }
    for tool in &catalog.tools {
        assert!(text.contains(&format!("- {}: ", tool.tool)), "tool {} missing", tool.tool);
    }
    assert!(text.contains("model*: string"), "{text}");
    let tokens = estimate_tokens(&text);
    // 3,932 characters, about 983 tokens when written.
    assert!(tokens < 1500, "the digest is {tokens} tokens ({} characters)", text.len());
}

#[test]
fn every_example_is_explained_step_by_step_naming_only_its_own_nodes() {
    let folder = examples();
    for entry in std::fs::read_dir(&folder).expect("examples").flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let blueprint = floe_blueprint::parse_bytes(&std::fs::read(&path).expect("read")).blueprint.expect("parses");
        let explained = floe_draft::explain::explain(&blueprint);
        let ids = floe_draft::ops::node_ids(&blueprint);
        let described: Vec<&str> = explained.steps.iter().map(|s| s.node.as_str()).collect();
        assert_eq!(described.len(), ids.len(), "{}: every node once", path.display());
        for step in &explained.steps {
            assert!(ids.contains(&step.node), "{}: names `{}`", path.display(), step.node);
            // Any `id` in backticks it mentions is a node, an input or an output of the blueprint.
            for quoted in step.text.split('`').skip(1).step_by(2) {
                let tools: Vec<&str> = floe_blueprint::walk_nodes(&blueprint)
                    .into_iter()
                    .filter_map(|(node, _)| node.config.get("tool").and_then(|t| t.as_str()))
                    .collect();
                let known = ids.contains(quoted)
                    || blueprint.inputs.contains_key(quoted)
                    || tools.contains(&quoted)
                    || !quoted.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                assert!(known, "{}: `{quoted}` in {:?}", path.display(), step.text);
            }
        }
        // In the order it runs: a node comes after what feeds it.
        let position = |id: &str| described.iter().position(|d| *d == id);
        for edge in &blueprint.edges {
            let (from, to) =
                (edge.from.split('.').next().unwrap_or_default(), edge.to.split('.').next().unwrap_or_default());
            assert!(position(from) < position(to), "{}: {from} before {to}", path.display());
        }
        assert!(!explained.to_markdown().is_empty());
    }
    let fetch = floe_draft::explain::explain(&example("fetch-and-summarise.json"));
    assert_eq!(
        fetch.steps.iter().map(|s| s.text.as_str()).collect::<Vec<_>>(),
        [
            "**Fetch page** (`fetch`) fetches {{ run.url }}.",
            "**Summarise** (`summarise`) asks the default model to: \"Summarise this page in five bullet points\", with what `fetch` gives.",
            "**Save summary** (`save`) writes it to out/summary.md, with what `summarise` gives.",
        ]
    );
}
