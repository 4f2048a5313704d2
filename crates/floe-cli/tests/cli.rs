//! The `floe` binary end to end: exit codes, human and JSON output, fmt in place and --check,
//! schema and catalogue output.

mod support;

use std::path::PathBuf;
use std::process::{Command, Output};

fn repo() -> PathBuf {
    floe_fakes::repository()
}

/// `floe` in the repository, with no settings file and no default model unless `env` sets them.
fn floe_with(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_floe"));
    command.args(args).current_dir(repo()).env("FLOE_SETTINGS", scratch("no-settings").join("settings.json"));
    command.env_remove("FLOE_DEFAULT_MODEL").envs(env.iter().copied()).output().expect("floe runs")
}

fn floe(args: &[&str]) -> Output {
    floe_with(args, &[])
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn scratch(name: &str) -> PathBuf {
    support::scratch("cli-test", name)
}

#[test]
fn validate_passes_every_example_with_exit_0() {
    let output = floe_with(&["validate", "blueprints"], &[("FLOE_DEFAULT_MODEL", "ollama:llama3.2")]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let text = stdout(&output);
    assert!(
        text.contains(
            "ok  blueprints/csv-report.json (5 nodes, model `default` is ollama:llama3.2, chosen in the settings)"
        ),
        "{text}"
    );
    assert!(text.contains("0 error(s), 0 warning(s)"), "{text}");
}

#[test]
fn validate_without_a_default_model_warns_at_each_node_that_calls_it() {
    let output = floe(&["validate", "blueprints/summarise-text.json"]);
    assert_eq!(output.status.code(), Some(0), "a warning is not a failure: {}", stdout(&output));
    let text = stdout(&output);
    assert!(text.contains("warning[W0310]: `summarise` calls the default model, and none is chosen"), "{text}");
    assert!(text.contains("choose a default model in Settings (or `floe models default <provider:model>`)"), "{text}");
}

#[test]
fn validate_reports_file_line_column_code_and_help() {
    let output = floe(&["validate", "tests/bad/cycle.json"]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(text.contains("error[E0206]: nodes a, b, c form a cycle (a → b → c → a)"), "{text}");
    assert!(text.contains("--> tests/bad/cycle.json:7:5 (node `a`, /nodes/0)"), "{text}");
    assert!(text.contains("= help: cycles are allowed only inside a loop or recursive body"), "{text}");
    assert!(text.contains("FAIL tests/bad/cycle.json (1 error(s), 0 warning(s))"), "{text}");
}

#[test]
fn validate_json_is_machine_readable() {
    let output = floe(&["validate", "--json", "tests/bad/unknown-kind-typo.json", "blueprints/log-triage.json"]);
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("stdout is one JSON document");
    assert_eq!(report["errors"], 1);
    let bad = &report["files"][0];
    assert_eq!(bad["ok"], false);
    assert_eq!(bad["diagnostics"][0]["code"], "E0202");
    assert_eq!(bad["diagnostics"][0]["pointer"], "/nodes/0/kind");
    assert_eq!(bad["diagnostics"][0]["span"]["line"], 9);
    assert_eq!(bad["diagnostics"][0]["fix"]["patch"][0]["value"], "llm");
    assert_eq!(bad["diagnostics"][0]["fix"]["patch"][0]["op"], "replace");
    let good = &report["files"][1];
    assert_eq!(good["ok"], true);
    assert!(good["plan"]["hash"].as_str().is_some_and(|h| h.starts_with("blake3:")));
    assert!(output.stderr.is_empty(), "logs stay off stderr unless asked: {}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn validate_missing_file_exits_3_with_a_message_on_stderr() {
    let output = floe(&["validate", "no/such/file.json"]);
    assert_eq!(output.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot read no/such/file.json"));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(floe(&["validate"]).status.code(), Some(2));
    assert_eq!(floe(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn fmt_rewrites_in_place_and_check_detects_drift() {
    let dir = scratch("fmt");
    let file = dir.join("messy.json");
    let source = std::fs::read_to_string(repo().join("blueprints/fetch-and-summarise.json")).expect("example");
    let value: serde_json::Value = serde_json::from_str(&source).expect("json");
    std::fs::write(&file, serde_json::to_string(&value).expect("compact")).expect("write");
    let path = file.to_str().expect("utf-8 path");

    let check = floe(&["fmt", "--check", path]);
    assert_eq!(check.status.code(), Some(1));
    assert!(stdout(&check).contains("would reformat"));

    let format = floe(&["fmt", path]);
    assert_eq!(format.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&file).expect("read back"), source, "canonical output equals the example");
    assert_eq!(floe(&["fmt", "--check", path]).status.code(), Some(0));
    let leftovers: Vec<_> = std::fs::read_dir(&dir).expect("dir").collect();
    assert_eq!(leftovers.len(), 1, "no temporary files left behind");
}

#[test]
fn fmt_leaves_unreadable_documents_untouched() {
    let dir = scratch("fmt-bad");
    let file = dir.join("typo.json");
    let text = r#"{"format":"floe.blueprint","version":1,"id":"x","name":"x","nodez":[]}"#;
    std::fs::write(&file, text).expect("write");
    let output = floe(&["fmt", file.to_str().expect("utf-8")]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains("error[E0106]: unknown field `nodez`"));
    assert_eq!(std::fs::read_to_string(&file).expect("read"), text, "the file is not rewritten");
}

#[test]
fn schema_prints_the_committed_schema() {
    let output = floe(&["schema"]);
    assert_eq!(output.status.code(), Some(0));
    let committed = std::fs::read_to_string(repo().join("schemas/blueprint.v1.schema.json")).expect("committed");
    assert_eq!(stdout(&output), committed);
}

#[test]
fn catalog_lists_kinds_and_tools() {
    let text = stdout(&floe(&["catalog"]));
    for name in ["tool", "llm", "agent", "code", "condition", "loop", "parallel", "recursive", "workflow", "approval"] {
        assert!(text.contains(&format!("  {name} ")), "{name} missing from:\n{text}");
    }
    assert!(text.contains("http_request"));
    let json: serde_json::Value = serde_json::from_slice(&floe(&["catalog", "--json"]).stdout).expect("json");
    assert_eq!(json["kinds"].as_array().map(Vec::len), Some(10));
    assert!(
        json["kinds"][1]["config_schema"]["properties"]["prompt"].is_object()
            || json["kinds"][1]["config_schema"]["$ref"].is_string()
    );
}

#[test]
fn validate_estimate_prices_each_model_node() {
    let output = floe_with(
        &["validate", "--estimate", "--json", "blueprints/critic-refine.json"],
        &[("FLOE_DEFAULT_MODEL", "anthropic:claude-sonnet-4-5")],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    let estimate = &report["files"][0]["estimate"];
    let critique =
        estimate["nodes"].as_array().and_then(|n| n.iter().find(|n| n["node"] == "refine/critique")).cloned();
    let critique = critique.expect("the critique inside the recursive body is estimated");
    assert_eq!(critique["model"], "anthropic:claude-sonnet-4-5");
    assert_eq!(critique["calls"], serde_json::json!({"kind": "up_to", "n": 5}));
    // Five calls of at most 1024 output tokens at $15 per million, plus the prompt.
    let cost = critique["cost_usd"].as_f64().expect("priced");
    assert!(cost > 5.0 * 1024.0 * 15.0 / 1e6 && cost < 0.08, "{cost}");
    assert!(estimate["total_usd"].as_f64().is_some_and(|t| t >= cost));
}

#[test]
fn draft_writes_a_new_blueprint_that_compiles_and_never_writes_the_file_it_edits() {
    let dir = scratch("draft");
    std::fs::create_dir_all(&dir).expect("dir");
    let out = dir.join("digest.json");
    let output = floe_with(
        &[
            "draft",
            "Fetch https://example.com, summarise it and save it to summary.md",
            "--out",
            &out.to_string_lossy(),
        ],
        &[("FLOE_DEFAULT_MODEL", "ollama:llama3.2")],
    );
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let said = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(said.contains("Adds fetch (tool http_request), summarise (llm) and save (tool write_file)"), "{said}");
    assert!(said.contains("drafted offline"), "{said}");
    let checked = floe_with(&["validate", &out.to_string_lossy()], &[("FLOE_DEFAULT_MODEL", "ollama:llama3.2")]);
    assert_eq!(checked.status.code(), Some(0), "{}", stdout(&checked));

    // An edit: printed (or written elsewhere); the file edited stays as it was.
    let before = std::fs::read(&out).expect("drafted");
    let edit = floe(&["draft", "Then translate it to French", "--into", &out.to_string_lossy(), "--json"]);
    assert_eq!(edit.status.code(), Some(0), "{}", String::from_utf8_lossy(&edit.stderr));
    let answer: serde_json::Value = serde_json::from_slice(&edit.stdout).expect("JSON");
    assert_eq!(answer["clean"], true);
    assert!(answer["summary"].as_str().is_some_and(|s| s.starts_with("Adds translate (llm)")), "{answer}");
    assert_eq!(std::fs::read(&out).expect("still there"), before, "--into is never written");
    let refused =
        floe(&["draft", "Then translate it", "--into", &out.to_string_lossy(), "--out", &out.to_string_lossy()]);
    assert_ne!(refused.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("never writes it"));

    // A request it cannot draft: exit 1, a clear answer, no file.
    let unclear = floe(&["draft", "purple monkey dishwasher", "--out", &dir.join("none.json").to_string_lossy()]);
    assert_eq!(unclear.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unclear.stderr).contains("no step I know"));
    assert!(!dir.join("none.json").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn draft_eval_reports_the_offline_drafters_figures() {
    let output = floe(&["draft", "--eval"]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(text.contains("offline drafter on ") && text.contains("% compile"), "{text}");
}

#[test]
fn explain_describes_a_blueprint_step_by_step() {
    let output = floe(&["explain", "blueprints/uptime-report.json"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let text = stdout(&output);
    assert!(text.starts_with("Uptime report with sign-off: "), "{text}");
    assert!(text.contains("1. **Check each URL** (`check`) goes through the items of `run.urls`, 4 at a time, doing for each what follows."), "{text}");
    assert!(text.contains("   1. **GET** (`get`) fetches {{ item }}"), "{text}");
    let json: serde_json::Value =
        serde_json::from_slice(&floe(&["explain", "--json", "blueprints/uptime-report.json"]).stdout).expect("JSON");
    assert_eq!(json["steps"].as_array().map(Vec::len), Some(11));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn draft_with_a_model_says_which_model_answered_and_what_it_cost() {
    use floe_fakes::{FakeServer, Reply, Vendor};
    let server = FakeServer::start(Vendor::Openai).await.expect("fake");
    let answer = serde_json::json!({"ops": [
        {"op": "add_node", "id": "answer", "kind": "llm", "config": {"model": "default", "prompt": "{{ run.question }}"}},
        {"op": "set_input", "name": "question", "input": {"type": "string"}},
        {"op": "set_output", "name": "answer", "from": "answer.text"}
    ]});
    server.set_fallback(Reply::text(&answer.to_string()));
    let base_url = server.base_url();
    let output = tokio::task::spawn_blocking(move || {
        floe_with(
            &["draft", "answer the question", "--model", "openai:gpt-4o-mini", "--json"],
            &[
                ("FLOE_OPENAI_BASE_URL", base_url.as_str()),
                ("OPENAI_API_KEY", "sk-test"),
                ("FLOE_DEFAULT_MODEL", "openai:gpt-4o-mini"),
            ],
        )
    })
    .await
    .expect("floe ran");
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let said = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(said.contains("drafted by openai:gpt-4o-mini in 1 round(s)"), "{said}");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(json["clean"], true);
    assert_eq!(json["drafter"]["kind"], "model");
    // A model named with --model that cannot answer is an error, not a silent offline draft.
    let refused = floe_with(
        &["draft", "answer the question", "--model", "ollama:llama3.2"],
        &[("FLOE_OLLAMA_BASE_URL", "http://127.0.0.1:9")],
    );
    assert_ne!(refused.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("Ollama is not running"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}

#[test]
fn memory_imports_json_lines_whole_searches_shows_history_and_exports() {
    let dir = scratch("memory");
    let db = dir.join("runs.db");
    let db = db.to_str().expect("utf-8 path");
    let lines = [
        r#"{"namespace": "support", "kind": "semantic", "subject": "ada", "attribute": "plan", "text": "Ada is on the free plan", "value": "free"}"#,
        r#"{"namespace": "support", "kind": "episodic", "text": "Ada asked for a refund of invoice 42", "tags": ["refund"]}"#,
        r#"{"namespace": "support", "kind": "semantic", "subject": "ada", "attribute": "plan", "text": "Ada is on the pro plan", "value": "pro"}"#,
    ];
    let file = dir.join("memories.jsonl");
    std::fs::write(&file, lines.join("\n")).expect("written");
    let imported = floe(&["memory", "import", file.to_str().expect("utf-8"), "--db", db]);
    assert_eq!(imported.status.code(), Some(0), "{}", String::from_utf8_lossy(&imported.stderr));
    assert!(String::from_utf8_lossy(&imported.stderr).contains("imported 3 memories"));

    // Search, as JSON on stdout: the current plan first; the stale one never (the episode about
    // Ada matches too, lower).
    let found = floe(&["memory", "search", "support", "ada plan", "--json", "--db", db]);
    let hits: serde_json::Value = serde_json::from_slice(&found.stdout).expect("JSON");
    let values: Vec<&serde_json::Value> =
        hits.as_array().expect("array").iter().map(|h| &h["memory"]["value"]).collect();
    assert_eq!(values[0], &serde_json::json!("pro"), "{hits}");
    assert!(!values.contains(&&serde_json::json!("free")), "{hits}");
    // Show: the fact's history, oldest first.
    let id = hits[0]["memory"]["id"].as_i64().expect("id").to_string();
    let shown = floe(&["memory", "show", &id, "--json", "--db", db]);
    let history: serde_json::Value = serde_json::from_slice(&shown.stdout).expect("JSON");
    assert_eq!(history[0]["value"], "free");
    assert_eq!(history[0]["state"], "superseded");
    assert_eq!(history[1]["value"], "pro");
    // Namespaces, and an export that imports again as the same memories (nothing new).
    let spaces = floe(&["memory", "list", "--json", "--db", db]);
    let spaces: serde_json::Value = serde_json::from_slice(&spaces.stdout).expect("JSON");
    assert_eq!((spaces[0]["name"].as_str(), spaces[0]["memories"].as_u64()), (Some("support"), Some(2)));
    let exported = floe(&["memory", "export", "support", "--db", db]);
    assert_eq!(stdout(&exported).lines().count(), 2);
    let again = dir.join("again.jsonl");
    std::fs::write(&again, &exported.stdout).expect("written");
    let reimported = floe(&["memory", "import", again.to_str().expect("utf-8"), "--db", db]);
    assert!(
        String::from_utf8_lossy(&reimported.stderr).contains("0 new or changed, 2 already there"),
        "{}",
        String::from_utf8_lossy(&reimported.stderr)
    );

    // A malformed line: an error naming it, and nothing of the file is written.
    let bad = dir.join("bad.jsonl");
    std::fs::write(&bad, format!("{}\n{{\"namespace\": \"support\", \"text\": \n", lines[1].replace("42", "43")))
        .expect("written");
    let refused = floe(&["memory", "import", bad.to_str().expect("utf-8"), "--db", db]);
    assert_ne!(refused.status.code(), Some(0));
    let why = String::from_utf8_lossy(&refused.stderr).into_owned();
    assert!(why.contains("line 2") && why.contains("floe memory export"), "{why}");
    // Reading a namespace that does not exist says so, and names the ones there are.
    for args in
        [&["memory", "search", "suport", "plan"][..], &["memory", "list", "suport"], &["memory", "export", "suport"]]
    {
        let unknown = floe(&[args, &["--db", db]].concat());
        assert_eq!(unknown.status.code(), Some(3), "{args:?}: fails as errors do (exit 3)");
        let why = String::from_utf8_lossy(&unknown.stderr);
        assert!(why.contains("no memory namespace `suport`") && why.contains("`support`"), "{why}");
    }
    // An unknown namespace name is refused with what a name may hold; an over-budget one says so.
    let odd = dir.join("odd.jsonl");
    std::fs::write(&odd, r#"{"namespace": "no spaces", "kind": "episodic", "text": "x"}"#).expect("written");
    let refused = floe(&["memory", "import", odd.to_str().expect("utf-8"), "--db", db]);
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("memory 1 of 1"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    let after = floe(&["memory", "list", "support", "--json", "--db", db]);
    let after: serde_json::Value = serde_json::from_slice(&after.stdout).expect("JSON");
    assert_eq!(after.as_array().map(Vec::len), Some(2), "nothing already stored was lost, nothing bad was added");
}

/// MCP servers from the settings (written as Claude Desktop writes them): `floe run` calls their
/// tools; their schemas are cached, so `floe validate` checks a blueprint that calls them while
/// the server is gone, and a run then fails naming the server.
#[test]
fn blueprints_call_the_tools_of_mcp_servers_in_the_settings_and_validate_offline() {
    let dir = scratch("mcp-servers");
    std::fs::create_dir_all(&dir).expect("dir");
    let server = repo().join("node_modules/@modelcontextprotocol/server-everything/dist/index.js");
    assert!(server.is_file(), "run `npm ci` first (make test does)");
    let launcher = dir.join("everything.sh");
    std::fs::write(&launcher, format!("#!/bin/sh\nexec node {} stdio\n", server.display())).expect("written");
    let settings = dir.join("settings.json");
    let entry =
        serde_json::json!({"mcpServers": {"everything": {"command": "sh", "args": [launcher.to_string_lossy()]}}});
    std::fs::write(&settings, entry.to_string()).expect("written");
    let blueprint = dir.join("sum.json");
    let document = serde_json::json!({"format": "floe.blueprint", "version": 1, "id": "sum", "name": "Sum",
        "outputs": {"said": {"from": "sum.text"}},
        "nodes": [{"id": "sum", "kind": "tool", "config": {"tool": "everything__get-sum", "args": {"a": 40, "b": 2}}}]});
    std::fs::write(&blueprint, document.to_string()).expect("written");
    let env = [("FLOE_SETTINGS", settings.to_str().expect("utf-8"))];
    let db = dir.join("runs.db");
    let ran = floe_with(&["run", blueprint.to_str().expect("utf-8"), "--db", db.to_str().expect("utf-8")], &env);
    assert_eq!(ran.status.code(), Some(0), "{}", String::from_utf8_lossy(&ran.stderr));
    assert!(stdout(&ran).contains("42"), "{}", stdout(&ran));
    assert!(dir.join("mcp-tools.json").is_file(), "the server's tools are cached beside the settings");
    // The server is gone: the blueprint still checks, and a run says which server and what to do.
    std::fs::remove_file(&launcher).expect("removed");
    let checked = floe_with(&["validate", blueprint.to_str().expect("utf-8")], &env);
    assert_eq!(checked.status.code(), Some(0), "{}{}", stdout(&checked), String::from_utf8_lossy(&checked.stderr));
    let failed = floe_with(&["run", blueprint.to_str().expect("utf-8"), "--db", db.to_str().expect("utf-8")], &env);
    assert_ne!(failed.status.code(), Some(0));
    let said = String::from_utf8_lossy(&failed.stderr);
    assert!(said.contains("`everything`") && said.contains("mcp_servers.everything"), "{said}");
}
