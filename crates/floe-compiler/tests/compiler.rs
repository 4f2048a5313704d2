//! Compiler tests: every example compiles, the bad corpus gives its exact codes and locations,
//! fixes resolve what they claim to, hostile input never panics, and depth costs no stack.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use floe_blueprint::{Catalog, Code, Diagnostic, apply_patch_to_text, parse_bytes};
use floe_compiler::{Resolved, Resolver, check_bytes};

use support::synthetic::{Shape, blueprint};

fn repo() -> PathBuf {
    floe_fakes::repository()
}

/// Resolves sub-workflows as files next to the referencing one (the engine's resolver does the
/// same; this crate cannot depend on the engine), with the settings' default model when given.
struct Files(Option<&'static str>);

impl Resolver for Files {
    fn default_model(&self) -> Option<&str> {
        self.0
    }

    fn resolve(&self, from: Option<&str>, reference: &str) -> Result<Resolved, String> {
        let base = from.and_then(|f| Path::new(f).parent()).map_or_else(|| repo().join("blueprints"), Path::to_owned);
        let path = base.join(reference);
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let parsed = parse_bytes(&bytes);
        Ok(Resolved { key: path.display().to_string(), blueprint: parsed.blueprint, diagnostics: parsed.diagnostics })
    }
}

fn check_file(path: &Path) -> Vec<Diagnostic> {
    let bytes = std::fs::read(path).expect("fixture is readable");
    check_bytes(&bytes, Catalog::builtin(), &Files(None), Some(&path.display().to_string())).diagnostics
}

fn json_files(folder: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
        .expect("folder exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_example_compiles_without_problems() {
    let examples = json_files(&repo().join("blueprints"));
    assert!(examples.len() >= 8, "at least eight examples, found {}", examples.len());
    // Checked as `floe validate` and the app check them: built-in and memory tools.
    let catalog = floe_engine::tools::catalog_with_memory();
    for path in &examples {
        // Model examples call the default model: with none chosen they say so (W0310), and
        // nothing else.
        let bytes = std::fs::read(path).expect("example");
        let diagnostics = check_bytes(&bytes, catalog, &Files(None), Some(&path.display().to_string())).diagnostics;
        let other: Vec<_> = diagnostics.iter().filter(|d| d.code != Code::NoDefaultModel).collect();
        assert!(other.is_empty(), "{} has problems: {other:#?}", path.display());
        let resolver = Files(Some("ollama:llama3.2"));
        let key = path.to_string_lossy().into_owned();
        let checked = check_bytes(&bytes, catalog, &resolver, Some(&key));
        assert!(checked.diagnostics.is_empty(), "{}: {:#?}", path.display(), checked.diagnostics);
    }
}

/// A node added from the palette starts from its kind's (or tool's) example config and must be
/// valid as placed, alone in a blueprint, before anything is connected to it. Containers start
/// with a body the app adds (ui/src/model/starter.ts), and a sub-workflow needs a file to call,
/// so those are left out here.
#[test]
fn every_starting_config_is_valid_alone() {
    // Every tool the palette offers: built-in and memory.
    let catalog = floe_engine::tools::catalog_with_memory();
    let doc = catalog.doc();
    let mut nodes: Vec<(String, serde_json::Value)> = Vec::new();
    for kind in doc.kinds.iter().filter(|k| !k.container && k.kind != "workflow") {
        nodes.push((
            kind.kind.to_owned(),
            serde_json::json!({"id": "placed", "kind": kind.kind, "config": kind.example}),
        ));
    }
    for tool in &doc.tools {
        let config = serde_json::json!({"tool": tool.tool, "args": tool.example});
        nodes.push((
            format!("tool {}", tool.tool),
            serde_json::json!({"id": "placed", "kind": "tool", "config": config}),
        ));
    }
    assert!(nodes.len() >= 15, "kinds and tools: {}", nodes.len());
    for (what, node) in nodes {
        let document = serde_json::json!({"format": "floe.blueprint", "version": 1, "id": "placed", "name": "Placed", "nodes": [node]});
        let bytes = serde_json::to_vec(&document).expect("serialises");
        let checked = check_bytes(&bytes, catalog, &Files(Some("ollama:llama3.2")), None);
        let errors: Vec<_> = checked.diagnostics.iter().filter(|d| d.is_error()).collect();
        assert!(errors.is_empty(), "a new {what} node is not valid as placed: {errors:#?}");
    }
}

#[test]
fn examples_use_every_kind_and_tool() {
    let mut kinds = BTreeMap::new();
    let mut tools = BTreeMap::new();
    for path in json_files(&repo().join("blueprints")) {
        let parsed = parse_bytes(&std::fs::read(&path).expect("readable"));
        let blueprint = parsed.blueprint.expect("example parses");
        for (node, _) in floe_blueprint::walk_nodes(&blueprint) {
            *kinds.entry(node.kind.clone()).or_insert(0) += 1;
            if let Some(tool) = node.config.get("tool").and_then(|t| t.as_str()) {
                *tools.entry(tool.to_owned()).or_insert(0) += 1;
            }
        }
    }
    for kind in Catalog::builtin().kinds() {
        assert!(kinds.contains_key(kind.name), "no example uses kind `{}`", kind.name);
    }
    for tool in Catalog::builtin().tools() {
        assert!(tools.contains_key(tool.name.as_str()), "no example uses tool `{}`", tool.name);
    }
}

#[test]
fn examples_match_the_generated_json_schema() {
    let text = std::fs::read_to_string(repo().join("schemas/blueprint.v1.schema.json")).expect("schema committed");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    for path in json_files(&repo().join("blueprints")) {
        let document: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).expect("readable")).expect("example is JSON");
        let errors: Vec<String> =
            validator.iter_errors(&document).map(|e| format!("{} {e}", e.instance_path())).collect();
        assert!(errors.is_empty(), "{} breaks the schema: {errors:#?}", path.display());
    }
    let mut broken: serde_json::Value =
        serde_json::from_slice(&std::fs::read(repo().join("blueprints/fetch-and-summarise.json")).expect("readable"))
            .expect("json");
    broken["nodes"][0]["config"]["temperature"] = serde_json::json!(9);
    assert!(!validator.is_valid(&broken), "the schema checks per-kind config");
}

/// (file, expected code, pointer, line, column) — the first diagnostic with that code.
const BAD: &[(&str, Code, &str, usize, usize)] = &[
    ("agent-unknown-tool.json", Code::UnknownTool, "/nodes/0/config/tools/1", 15, 11),
    ("attempts-not-a-number.json", Code::WrongType, "/nodes/1/policy/retry/attempts", 26, 11),
    ("bad-duration.json", Code::InvalidDuration, "/defaults/timeout", 33, 5),
    ("bad-edge-reference.json", Code::BadPortRef, "/edges/0/from", 28, 7),
    ("bad-model-name.json", Code::InvalidModel, "/nodes/0/config/model", 11, 9),
    ("bad-node-id.json", Code::InvalidId, "/nodes/0/id", 8, 7),
    ("body-on-llm.json", Code::BodyMismatch, "/nodes/0/body", 14, 7),
    ("collect-missing.json", Code::BodyRefInvalid, "/nodes/0/config/collect", 17, 9),
    ("condition-both-forms.json", Code::InvalidConfig, "/nodes/0/config/cases", 12, 9),
    ("cycle.json", Code::Cycle, "/nodes/0", 7, 5),
    ("duplicate-edge.json", Code::DuplicateEdge, "/edges/1", 31, 5),
    ("duplicate-id.json", Code::DuplicateId, "/nodes/1/id", 18, 7),
    ("edge-crosses-body.json", Code::EdgeCrossesScope, "/nodes/1/body/edges/0/from", 43, 13),
    ("edge-missing-node.json", Code::EdgeUnknownNode, "/edges/0/from", 28, 7),
    ("edge-missing-port.json", Code::EdgeUnknownPort, "/edges/0/from", 28, 7),
    ("error-port-not-enabled.json", Code::EdgeUnknownPort, "/edges/0/from", 28, 7),
    ("error-port-unused.json", Code::ErrorPortUnused, "/nodes/0/policy/on_error", 17, 9),
    ("expression-syntax.json", Code::TemplateSyntax, "/nodes/0/config/expression", 11, 9),
    ("future-version.json", Code::UnsupportedVersion, "/version", 3, 3),
    ("input-read-unconnected.json", Code::InputNotConnected, "/nodes/0/config/args/input", 17, 11),
    ("llm-missing-prompt.json", Code::MissingConfig, "/nodes/0/config", 10, 7),
    ("loop-items-unconnected.json", Code::InputNotConnected, "/nodes/0", 7, 5),
    ("missing-format.json", Code::NotABlueprint, "", 1, 1),
    ("missing-name.json", Code::MissingField, "", 1, 1),
    ("missing-version.json", Code::UnsupportedVersion, "", 1, 1),
    ("not-an-object.json", Code::NotABlueprint, "", 1, 1),
    ("not-json.json", Code::JsonSyntax, "", 4, 3),
    ("not-upstream.json", Code::NotUpstream, "/nodes/1/config/prompt", 22, 9),
    ("output-inside-body.json", Code::OutputSourceMissing, "/outputs/last/from", 14, 7),
    ("output-missing.json", Code::OutputSourceMissing, "/outputs/page/from", 8, 7),
    ("port-type-mismatch.json", Code::PortTypeMismatch, "/edges/0", 38, 5),
    ("quorum-too-big.json", Code::InvalidLimit, "/nodes/0/config/quorum", 16, 9),
    ("reads-downstream.json", Code::NotUpstream, "/nodes/1/config/prompt", 22, 9),
    ("retry-attempts-zero.json", Code::InvalidRetry, "/nodes/0/policy/retry/attempts", 18, 11),
    ("run-concurrency-zero.json", Code::InvalidLimit, "/run/max_concurrency", 33, 5),
    ("temperature-out-of-range.json", Code::InvalidConfig, "/nodes/0/config/temperature", 13, 9),
    ("template-syntax.json", Code::TemplateSyntax, "/nodes/0/config/prompt", 12, 9),
    ("trailing-comma.json", Code::JsonSyntax, "", 6, 1),
    ("truncated.json", Code::JsonSyntax, "", 14, 9),
    ("unknown-config-field.json", Code::UnknownConfigField, "/nodes/0/config/temprature", 13, 9),
    ("unknown-kind-typo.json", Code::UnknownKind, "/nodes/0/kind", 9, 7),
    ("unknown-kind.json", Code::UnknownKind, "/nodes/1/kind", 19, 7),
    ("unknown-run-input.json", Code::UnknownVariable, "/nodes/0/config/prompt", 17, 9),
    ("unknown-tool.json", Code::UnknownTool, "/nodes/0/config/tool", 11, 9),
    ("unknown-top-field.json", Code::UnknownField, "/nodez", 12, 3),
    ("unknown-variable.json", Code::UnknownVariable, "/nodes/0/config/prompt", 12, 9),
    ("unused-node.json", Code::UnusedNode, "/nodes/2", 30, 5),
    ("workflow-broken-child.json", Code::WorkflowInvalid, "/nodes/0/config/blueprint", 11, 9),
    ("workflow-input-missing.json", Code::WorkflowInput, "/nodes/0", 7, 5),
    ("workflow-missing.json", Code::WorkflowNotFound, "/nodes/0/config/blueprint", 11, 9),
    ("workflow-mutual-a.json", Code::WorkflowRecursion, "/nodes/0/config/blueprint", 11, 9),
    ("workflow-mutual-b.json", Code::WorkflowRecursion, "/nodes/0/config/blueprint", 11, 9),
    ("workflow-self.json", Code::WorkflowRecursion, "/nodes/0/config/blueprint", 11, 9),
    ("workflow-unknown-input.json", Code::WorkflowInput, "/nodes/0/config/inputs/tone", 14, 11),
    ("wrong-format-tag.json", Code::NotABlueprint, "/format", 2, 3),
    ("zero-timeout.json", Code::InvalidLimit, "/nodes/0/policy/timeout", 17, 9),
];

#[test]
fn bad_corpus_gives_exact_codes_and_locations() {
    let folder = repo().join("tests/bad");
    let files = json_files(&folder);
    assert!(files.len() >= 30, "at least 30 broken blueprints, found {}", files.len());
    let listed: Vec<&str> = BAD.iter().map(|b| b.0).collect();
    for path in &files {
        let name = path.file_name().and_then(|n| n.to_str()).expect("utf-8 name");
        assert!(listed.contains(&name), "{name} has no expectation in BAD");
    }
    for &(file, code, pointer, line, column) in BAD {
        let diagnostics = check_file(&folder.join(file));
        let found = diagnostics
            .iter()
            .find(|d| d.code == code)
            .unwrap_or_else(|| panic!("{file}: no {code} in {diagnostics:#?}"));
        assert_eq!(found.pointer, pointer, "{file}: pointer of {code}");
        let span = found.span.unwrap_or_else(|| panic!("{file}: {code} has no position"));
        assert_eq!((span.line, span.column), (line, column), "{file}: position of {code}");
        assert!(!found.message.is_empty() && !found.help.is_empty(), "{file}: says what and what to do");
    }
}

#[test]
fn every_fix_resolves_its_diagnostic() {
    let folder = repo().join("tests/bad");
    let mut applied = 0;
    for path in json_files(&folder) {
        let text = std::fs::read_to_string(&path).expect("utf-8 fixture");
        for diagnostic in check_file(&path) {
            let Some(fix) = &diagnostic.fix else { continue };
            let fixed = apply_patch_to_text(&text, &fix.patch)
                .unwrap_or_else(|e| panic!("{}: fix {:?} does not apply: {e}", path.display(), fix.title));
            let after =
                check_bytes(fixed.as_bytes(), Catalog::builtin(), &Files(None), Some(&path.display().to_string()));
            assert!(
                !after.diagnostics.iter().any(|d| d.code == diagnostic.code
                    && d.pointer == diagnostic.pointer
                    && d.message == diagnostic.message),
                "{}: fix {:?} left {} at {} in place",
                path.display(),
                fix.title,
                diagnostic.code,
                diagnostic.pointer
            );
            applied += 1;
        }
    }
    assert!(applied >= 10, "the corpus exercises at least ten fixes, found {applied}");
}

fn codes(bytes: &[u8]) -> Vec<Code> {
    check_bytes(bytes, Catalog::builtin(), &Files(None), None).diagnostics.into_iter().map(|d| d.code).collect()
}

#[test]
fn hostile_input_gives_diagnostics_not_panics() {
    // 10,000-deep nesting.
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert_eq!(codes(deep.as_bytes()), vec![Code::TooDeep]);
    let deep_object = format!(
        r#"{{"format":"floe.blueprint","version":1,"id":"x","name":"x","layout":{}}}"#,
        "{\"a\":".repeat(10_000)
    );
    assert_eq!(codes(deep_object.as_bytes()), vec![Code::TooDeep]);
    // A 10 MB string.
    let huge = format!(
        r#"{{"format":"floe.blueprint","version":1,"id":"x","name":"x","nodes":[{{"id":"a","kind":"llm","config":{{"model":"openai:x","prompt":"{}"}}}}]}}"#,
        "a".repeat(10 * 1024 * 1024)
    );
    let found = check_bytes(huge.as_bytes(), Catalog::builtin(), &Files(None), None).diagnostics;
    assert_eq!(found[0].code, Code::TooLarge);
    assert_eq!(found[0].pointer, "/nodes/0/config/prompt");
    // Non-UTF-8 bytes.
    let mut latin1 = br#"{"format":"floe.blueprint","version":1,"id":"x","name":"caf"#.to_vec();
    latin1.extend([0xE9, b'"', b'}']);
    let found = check_bytes(&latin1, Catalog::builtin(), &Files(None), None).diagnostics;
    assert_eq!(found.iter().map(|d| d.code).collect::<Vec<_>>(), vec![Code::NotUtf8]);
    assert_eq!(found[0].span.map(|s| (s.line, s.column)), Some((1, 60)));
    // Wrong types everywhere at once.
    let wrong = br#"{"format":"floe.blueprint","version":1,"id":5,"name":[],"nodes":{},"edges":"x","defaults":{"retry":{"attempts":"three"}}}"#;
    let found = codes(wrong);
    assert!(found.iter().filter(|c| **c == Code::WrongType).count() >= 4, "{found:?}");
}

#[test]
fn every_truncation_of_an_example_is_a_diagnostic() {
    let text = std::fs::read(repo().join("blueprints/classify-and-route.json")).expect("readable");
    for cut in (0..text.len()).step_by(7) {
        let found = codes(&text[..cut]);
        assert!(!found.is_empty(), "cut at {cut} gave no diagnostic");
    }
}

#[test]
fn a_100k_node_chain_compiles_on_a_default_stack() {
    // Spawned threads get Rust's default 2 MiB stack: nothing may recurse per node of depth.
    let handle = std::thread::spawn(|| {
        let big = blueprint(Shape::Chain, 100_000);
        let (plan, diagnostics) = floe_compiler::compile(&big, Catalog::builtin());
        assert!(diagnostics.is_empty(), "{:?}", diagnostics.first());
        plan.map(|p| p.node_count())
    });
    assert_eq!(handle.join().expect("no stack overflow"), Some(100_000));
}

#[test]
fn synthetic_shapes_compile_and_hash_ignores_layout() {
    for shape in [Shape::Chain, Shape::FanOut, Shape::Layered { width: 10 }] {
        let mut one = blueprint(shape, 500);
        let (plan, diagnostics) = floe_compiler::compile(&one, Catalog::builtin());
        assert!(diagnostics.is_empty(), "{shape:?}: {:?}", diagnostics.first());
        let plan = plan.expect("compiles");
        assert_eq!(plan.root().order().len(), 500);
        one.layout.nodes.insert("n3".into(), floe_blueprint::NodeBox { x: 10.0, y: 20.0, ..Default::default() });
        let (moved, _) = floe_compiler::compile(&one, Catalog::builtin());
        assert_eq!(moved.expect("compiles").hash(), plan.hash(), "layout does not change the hash");
        one.nodes[3].title = "renamed".into();
        let (changed, _) = floe_compiler::compile(&one, Catalog::builtin());
        assert_ne!(changed.expect("compiles").hash(), plan.hash(), "logic changes the hash");
    }
}

#[test]
fn default_models_resolve_to_the_blueprints_else_the_settings_and_change_the_hash() {
    let document = |default: Option<&str>| {
        let mut doc = serde_json::json!({"format": "floe.blueprint", "version": 1, "id": "d", "name": "D",
            "nodes": [
                {"id": "ask", "kind": "llm", "config": {"model": "default", "prompt": "hi", "fallbacks": ["openai:gpt-4o-mini"]}},
                {"id": "fixed", "kind": "llm", "config": {"model": "anthropic:claude-sonnet-4-5", "prompt": "hi"}},
                {"id": "join", "kind": "tool", "config": {"tool": "text_template", "args": {"template": "{{ nodes.fixed.text }}"}}}
            ],
            "edges": [{"from": "fixed.text", "to": "join"}],
            "outputs": {"out": {"from": "ask.text"}, "other": {"from": "join.text"}}});
        if let Some(model) = default {
            doc["default_model"] = serde_json::json!(model);
        }
        doc.to_string().into_bytes()
    };
    let compile = |bytes: &[u8], settings: Option<&'static str>| {
        check_bytes(bytes, Catalog::builtin(), &Files(settings), Some("d.json"))
    };

    // None chosen: it compiles, with a warning at the field, and the plan keeps `default`.
    let none = compile(&document(None), None);
    let codes: Vec<(Code, &str)> = none.diagnostics.iter().map(|d| (d.code, d.pointer.as_str())).collect();
    assert_eq!(codes, [(Code::NoDefaultModel, "/nodes/0/config/model")]);
    let plan = none.plan.expect("compiles");
    assert!(plan.default_model().is_none());
    assert_eq!(plan.models()[0].model, "default");

    // The settings' default fills it in, the fallback and the named model stay as written.
    let settings = compile(&document(None), Some("ollama:llama3.2"));
    assert!(settings.diagnostics.is_empty(), "{:#?}", settings.diagnostics);
    let plan = settings.plan.expect("compiles");
    let default = plan.default_model().expect("used");
    assert_eq!((default.model.as_str(), default.from), ("ollama:llama3.2", floe_compiler::ModelSource::Settings));
    let ask = plan.root().node("ask").expect("ask");
    assert_eq!(ask.config["model"], "ollama:llama3.2");
    let used: Vec<(&str, &str, bool)> =
        plan.models().iter().map(|m| (m.node.as_str(), m.model.as_str(), m.fallback)).collect();
    assert_eq!(
        used,
        [
            ("ask", "ollama:llama3.2", false),
            ("ask", "openai:gpt-4o-mini", true),
            ("fixed", "anthropic:claude-sonnet-4-5", false)
        ]
    );

    // The blueprint's own default wins over the settings'.
    let own = compile(&document(Some("gemini:gemini-2.5-flash")), Some("ollama:llama3.2")).plan.expect("compiles");
    assert_eq!(
        own.default_model().map(|d| (d.model.as_str(), d.from)),
        Some(("gemini:gemini-2.5-flash", floe_compiler::ModelSource::Blueprint))
    );

    // Another default model is other work: the hash changes with it (and only where it is used).
    let other = compile(&document(None), Some("openai:gpt-4o")).plan.expect("compiles");
    assert_ne!(plan.hash(), other.hash());
    let named = br#"{"format": "floe.blueprint", "version": 1, "id": "n", "name": "N", "nodes": [{"id": "a", "kind": "llm", "config": {"model": "openai:gpt-4o", "prompt": "x"}}]}"#;
    let (a, b) = (compile(named, Some("ollama:llama3.2")), compile(named, Some("openai:gpt-4o")));
    assert_eq!(a.plan.expect("a").hash(), b.plan.expect("b").hash());

    // A malformed default is reported where it is written.
    let bad = compile(&document(Some("llama3")), None);
    assert!(bad.diagnostics.iter().any(|d| d.code == Code::InvalidModel && d.pointer == "/default_model"));
}

#[test]
fn a_plan_lists_its_sub_workflows_models_under_the_node_that_runs_them() {
    let path = repo().join("blueprints/pages-digest.json");
    let bytes = std::fs::read(&path).expect("example");
    let checked =
        check_bytes(&bytes, Catalog::builtin(), &Files(Some("ollama:llama3.2")), Some(&path.display().to_string()));
    let plan = checked.plan.expect("compiles");
    let used: Vec<(&str, &str)> = plan.models().iter().map(|m| (m.node.as_str(), m.model.as_str())).collect();
    assert_eq!(used, [("summary/summarise", "ollama:llama3.2")]);
    assert_eq!(plan.default_model().map(|d| d.model.as_str()), Some("ollama:llama3.2"));
}
