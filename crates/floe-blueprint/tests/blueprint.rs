//! Blueprint tests: canonical form is stable and diff-friendly, migrations upgrade v0, the error
//! docs cover every code, and fixes apply as JSON Patch.

use std::path::PathBuf;

use floe_blueprint::{
    Code, Edge, Node, PatchOp, apply_patch, format_bytes, parse_bytes, parse_str, to_canonical_string,
};
use serde_json::json;

fn repo() -> PathBuf {
    floe_fakes::repository()
}

fn examples() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo().join("blueprints"))
        .expect("blueprints/ exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

#[test]
fn examples_are_canonical_and_round_trip_byte_for_byte() {
    for path in examples() {
        let bytes = std::fs::read(&path).expect("readable");
        let canonical = format_bytes(&bytes).unwrap_or_else(|d| panic!("{}: {d:?}", path.display()));
        assert!(canonical.as_bytes() == bytes.as_slice(), "{} is not canonical; run `floe fmt`", path.display());
        let again = format_bytes(canonical.as_bytes()).expect("canonical output parses");
        assert_eq!(again, canonical, "formatting is idempotent");
        let parsed = parse_bytes(&bytes).blueprint.expect("parses");
        let reparsed = parse_str(&to_canonical_string(&parsed)).blueprint.expect("reparses");
        assert_eq!(parsed, reparsed, "{}: parse then print is the identity", path.display());
    }
}

#[test]
fn canonical_form_sorts_nodes_edges_and_config_keys() {
    let mut blueprint = floe_blueprint::Blueprint::new("order", "Order");
    let mut b = Node::new("b", "llm");
    b.config_mut().insert("prompt".into(), json!("x"));
    b.config_mut().insert("model".into(), json!("openai:x"));
    blueprint.nodes = vec![b, Node::new("a", "code")];
    blueprint.edges = vec![Edge::new("b.text", "a.in"), Edge::new("a.result", "b.in")];
    let text = to_canonical_string(&blueprint);
    let a = text.find("\"id\": \"a\"").expect("a");
    let b = text.find("\"id\": \"b\"").expect("b");
    assert!(a < b, "nodes sorted by id");
    assert!(text.find("a.result").expect("edge") < text.find("b.text").expect("edge"), "edges sorted");
    assert!(text.find("\"model\"").expect("model") < text.find("\"prompt\"").expect("prompt"), "config keys sorted");
    assert!(text.ends_with("}\n") && text.contains("\n  \"nodes\": ["), "2-space indent, trailing newline");
}

#[test]
fn a_one_node_change_is_a_small_diff() {
    let path = repo().join("blueprints/csv-report.json");
    let before = std::fs::read_to_string(&path).expect("readable");
    let mut blueprint = parse_str(&before).blueprint.expect("parses");
    let node = blueprint.nodes.iter_mut().find(|n| n.id == "commentary").expect("node");
    node.config_mut().insert("temperature".into(), json!(0.7));
    let moved = blueprint.layout.nodes.get_mut("load").expect("layout");
    moved.x += 40.0;
    let after = to_canonical_string(&blueprint);
    let changed: Vec<(&str, &str)> = before.lines().zip(after.lines()).filter(|(a, b)| a != b).collect();
    assert_eq!(before.lines().count(), after.lines().count());
    assert_eq!(changed.len(), 2, "one config line and one layout line change: {changed:#?}");
}

#[test]
fn version_0_migrates_to_version_1() {
    let fixture = std::fs::read(repo().join("crates/floe-blueprint/tests/fixtures/v0.json")).expect("fixture");
    let parsed = parse_bytes(&fixture);
    assert!(parsed.diagnostics.is_empty(), "{:#?}", parsed.diagnostics);
    assert_eq!(parsed.migrated_from, Some(0));
    let blueprint = parsed.blueprint.expect("migrated");
    assert_eq!(blueprint.version, 1);
    let fetch = blueprint.nodes.iter().find(|n| n.id == "fetch").expect("fetch");
    assert_eq!(fetch.kind, "tool");
    assert_eq!(fetch.config["tool"], json!("http_request"));
    assert_eq!(blueprint.edges, vec![Edge::new("fetch.body", "summarise.in")]);
    assert_eq!(blueprint.layout.nodes["summarise"].x, 300.0);
    let formatted = format_bytes(&fixture).expect("formats");
    assert!(formatted.contains("\"version\": 1") && !formatted.contains("\"params\""));
}

#[test]
fn newer_and_missing_versions_are_refused_with_a_fix() {
    let newer = parse_str(r#"{"format":"floe.blueprint","version":2,"id":"x","name":"x"}"#);
    assert_eq!(newer.diagnostics[0].code, Code::UnsupportedVersion);
    assert!(newer.blueprint.is_none());
    let missing = parse_str(r#"{"format":"floe.blueprint","id":"x","name":"x"}"#);
    let fix = missing.diagnostics[0].fix.as_ref().expect("fix offered");
    let mut document = json!({"format":"floe.blueprint","id":"x","name":"x"});
    apply_patch(&mut document, &fix.patch).expect("applies");
    assert!(parse_str(&document.to_string()).is_clean());
}

#[test]
fn formatting_refuses_documents_it_cannot_read_whole() {
    let text = br#"{"format":"floe.blueprint","version":1,"id":"x","name":"x","nodes":[{"id":"a","kind":"llm","titel":"typo"}]}"#;
    let errors = format_bytes(text).expect_err("unknown field would be lost");
    assert_eq!(errors[0].code, Code::UnknownField);
    assert_eq!(errors[0].pointer, "/nodes/0/titel");
}

#[test]
fn every_code_has_exactly_one_entry_in_the_error_docs() {
    let docs = std::fs::read_to_string(repo().join("docs/errors.md")).expect("docs/errors.md");
    let headings: Vec<&str> = docs.lines().filter(|l| l.starts_with("## ") && l.contains(" — ")).collect();
    for code in Code::ALL {
        let heading = format!("## {} — {}", code.as_str(), code.title());
        assert_eq!(headings.iter().filter(|h| **h == heading).count(), 1, "docs/errors.md needs `{heading}`");
    }
    assert_eq!(headings.len(), Code::ALL.len(), "docs/errors.md documents codes that do not exist");
    for code in Code::ALL {
        let prefix = if code.severity() == floe_blueprint::Severity::Error { 'E' } else { 'W' };
        assert!(code.as_str().starts_with(prefix), "{code}: letter matches severity");
    }
}

#[test]
fn patches_add_replace_remove_and_move() {
    let mut document = json!({"a": {"b": 1}, "list": [1, 2]});
    let patch = vec![
        PatchOp::Add { path: "/list/-".into(), value: json!(3) },
        PatchOp::Add { path: "/list/0".into(), value: json!(0) },
        PatchOp::Replace { path: "/a/b".into(), value: json!(2) },
        PatchOp::Move { from: "/a/b".into(), path: "/a/c".into() },
        PatchOp::Remove { path: "/list/1".into() },
    ];
    apply_patch(&mut document, &patch).expect("applies");
    assert_eq!(document, json!({"a": {"c": 2}, "list": [0, 2, 3]}));
    assert!(apply_patch(&mut document, &[PatchOp::Remove { path: "/nope".into() }]).is_err());
}

#[test]
fn pointers_sort_numerically_and_locate_in_source() {
    use floe_blueprint::diagnostic::pointer_cmp;
    let mut pointers = vec!["/nodes/10", "/nodes/2/config", "/edges/0", "/nodes/2"];
    pointers.sort_by(|a, b| pointer_cmp(a, b));
    assert_eq!(pointers, vec!["/edges/0", "/nodes/2", "/nodes/2/config", "/nodes/10"]);
    let text = "{\n  \"nodes\": [\n    {\"id\": \"é\", \"kind\": \"x\"}\n  ]\n}";
    let map = floe_blueprint::source::SourceMap::new(text);
    let span = map.span("/nodes/0/kind").expect("found");
    assert_eq!((span.line, span.column), (3, 17), "columns count characters (bytes would give 18)");
    let fallback = map.span("/nodes/0/missing/deeper").expect("nearest ancestor");
    assert_eq!((fallback.line, fallback.column), (3, 5));
    // Many pointers in one pass: skipped siblings (nested, with brackets inside strings), escaped
    // member names, the root, and a document that breaks off after what was found.
    let text = "{\"a\": [[1, {\"x\": \"]}\"}], {\"b/c\": {\"d~e\": 2}}],\n \"z\": 3}";
    let map = floe_blueprint::source::SourceMap::new(text);
    let spans = map.spans(&["/a/1/b~1c/d~0e", "/z", "", "/a/0/1/x", "/a/7", "/q"]);
    let at = |s: Option<floe_blueprint::diagnostic::Span>| s.map(|s| (s.line, s.column));
    let got: Vec<_> = spans.into_iter().map(at).collect();
    assert_eq!(got, vec![Some((1, 35)), Some((2, 2)), Some((1, 1)), Some((1, 13)), Some((1, 2)), Some((1, 1))]);
    let cut = floe_blueprint::source::SourceMap::new("{\"a\": {\"b\": 1, \"c\": [");
    assert_eq!(at(cut.span("/a/c/0")), Some((1, 16)), "the deepest ancestor read before the text broke off");
    assert_eq!(at(floe_blueprint::source::SourceMap::new("").span("/a")), None);
}

#[test]
fn the_fast_reader_and_the_lenient_reader_agree() {
    let mut files = examples();
    let bad = repo().join("tests/bad");
    files.extend(std::fs::read_dir(&bad).expect("tests/bad").map(|e| e.expect("entry").path()));
    files.push(repo().join("crates/floe-blueprint/tests/fixtures/v0.json"));
    let mut compared = 0;
    for path in files {
        let text = std::fs::read_to_string(&path).expect("utf-8");
        let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) else { continue };
        let fast = parse_str(&text);
        let slow = floe_blueprint::parse_value(value);
        assert_eq!(fast.blueprint, slow.blueprint, "{}", path.display());
        let strip = |d: &floe_blueprint::Diagnostic| (d.code, d.pointer.clone(), d.message.clone());
        assert_eq!(
            fast.diagnostics.iter().map(strip).collect::<Vec<_>>(),
            slow.diagnostics.iter().map(strip).collect::<Vec<_>>(),
            "{}",
            path.display()
        );
        assert_eq!(fast.migrated_from, slow.migrated_from);
        compared += 1;
    }
    assert!(compared > 60, "compared {compared} documents");
}

/// A document over the parallel-read size whose first node's config nests `depth` arrays and holds
/// a string of `literal` bytes written with escapes.
fn large_document(depth: usize, literal: usize) -> String {
    let nested = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let escaped = "\\\"".repeat(literal / 2);
    let mut nodes =
        vec![format!(r#"{{"id":"n0","kind":"code","config":{{"source":"1","deep":{nested},"text":"{escaped}"}}}}"#)];
    nodes.extend((1..6000).map(|i| format!(r#"{{"id":"n{i}","kind":"code","config":{{"source":"{i}"}}}}"#)));
    format!(r#"{{"format":"floe.blueprint","version":1,"id":"big","name":"big","nodes":[{}]}}"#, nodes.join(","))
}

#[test]
fn large_documents_read_the_same_on_both_paths() {
    for (depth, literal) in
        [(10, 10), (95, 10), (96, 10), (97, 10), (120, 10), (124, 10), (125, 10), (126, 10), (127, 10), (10, 1_100_000)]
    {
        let text = large_document(depth, literal);
        assert!(text.len() > 256 * 1024);
        let fast = parse_str(&text);
        match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(value) => {
                let slow = floe_blueprint::parse_value(value);
                assert_eq!(fast.blueprint, slow.blueprint, "depth {depth}, literal {literal}");
                let codes = |p: &floe_blueprint::Parsed| p.diagnostics.iter().map(|d| d.code).collect::<Vec<_>>();
                assert_eq!(codes(&fast), codes(&slow), "depth {depth}, literal {literal}");
            }
            Err(_) => {
                assert!(fast.blueprint.is_none(), "depth {depth}: the fast path read what JSON refuses");
                assert_eq!(fast.diagnostics[0].code, Code::TooDeep, "depth {depth}");
            }
        }
    }
}
