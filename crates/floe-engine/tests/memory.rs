//! Memory on a real SQLite file: the rules that keep it true (one memory for one fact written
//! twice, new values superseding old ones with their history kept, provenance, budgets enforced
//! on every write, forgetting, idempotent writes), keyword search, bad input refused with nothing
//! stored, and all of it still there after the file is opened again.

mod support;

use floe_engine::store::{MemoryKind, MemoryState, NewMemory, Provenance, Store, StoreError, Written};
use serde_json::{Value, json};

async fn store(name: &str) -> (Store, std::path::PathBuf) {
    let dir = support::scratch("memory", name);
    let path = dir.join("runs.db");
    (Store::open(&path).await.expect("store"), path)
}

fn fact(entity: &str, attribute: &str, value: Value, run: &str) -> NewMemory {
    NewMemory {
        namespace: "support".into(),
        kind: MemoryKind::Semantic,
        subject: Some(entity.into()),
        attribute: Some(attribute.into()),
        text: format!("{entity} {attribute}: {value}"),
        value,
        tags: vec![],
        provenance: Provenance { run: Some(run.into()), node: Some("remember".into()) },
        call_key: None,
    }
}

fn episode(text: &str) -> NewMemory {
    NewMemory {
        namespace: "support".into(),
        kind: MemoryKind::Episodic,
        subject: None,
        attribute: None,
        text: text.into(),
        value: Value::Null,
        tags: vec!["ticket".into()],
        provenance: Provenance::default(),
        call_key: None,
    }
}

fn refused(result: Result<Written, StoreError>) -> String {
    match result {
        Err(StoreError::Refused(why)) => why,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn the_same_memory_twice_is_one() {
    let (store, _) = store("same").await;
    let first = store.remember(&episode("Ada could not log in after the password reset")).await.expect("written");
    assert!(matches!(first, Written::Added { .. }), "{first:?}");
    let again = store.remember(&episode("Ada could not log in after the password reset")).await.expect("written");
    assert!(matches!(again, Written::Unchanged { .. }), "{again:?}");
    assert_eq!(again.memory().id, first.memory().id);
    let hits = store.search_memory("support", "password reset", 10).await.expect("search");
    assert_eq!(hits.len(), 1, "{hits:?}");
    let namespaces = store.memory_namespaces().await.expect("namespaces");
    assert_eq!(namespaces[0].memories, 1);
    // Made on first write, with the default budget (the schema's trigger and the constant agree).
    assert_eq!(namespaces[0].budget_bytes, floe_engine::store::DEFAULT_BUDGET);
}

#[tokio::test]
async fn a_new_value_supersedes_the_old_which_stays_as_history_hidden_from_search() {
    let (store, _) = store("supersede").await;
    let old = store.remember(&fact("ada", "plan", json!("free"), "r1")).await.expect("written");
    let new = store.remember(&fact("ada", "plan", json!("pro"), "r2")).await.expect("written");
    let Written::Superseded { memory, previous } = &new else { panic!("expected a supersede: {new:?}") };
    assert_eq!(*previous, old.memory().id);
    assert_eq!(memory.value, json!("pro"));
    // Search finds the current value only; the stale one is not returned beside it.
    let hits = store.search_memory("support", "ada plan", 10).await.expect("search");
    assert_eq!(hits.iter().map(|h| h.memory.value.clone()).collect::<Vec<_>>(), vec![json!("pro")]);
    // History: both, oldest first, the old one pointing at its successor.
    let history = store.memory_history(memory.id).await.expect("history");
    assert_eq!(history.iter().map(|m| m.value.clone()).collect::<Vec<_>>(), vec![json!("free"), json!("pro")]);
    assert_eq!(history[0].state, MemoryState::Superseded);
    assert_eq!(history[0].superseded_by, Some(memory.id));
    // Provenance: which run and node wrote each value.
    assert_eq!(history[0].provenance.run.as_deref(), Some("r1"));
    assert_eq!(history[1].provenance, Provenance { run: Some("r2".into()), node: Some("remember".into()) });
    assert!(history[1].created_at >= history[0].created_at && history[1].created_at > 0);
    // Another attribute of the same entity is another fact.
    let email = store.remember(&fact("ada", "email", json!("ada@example.com"), "r2")).await.expect("written");
    assert!(matches!(email, Written::Added { .. }));
}

#[tokio::test]
async fn budgets_are_enforced_on_every_write_and_a_refused_write_stores_nothing() {
    let (store, _) = store("budget").await;
    store.set_memory_budget("support", 300).await.expect("budget");
    store.remember(&episode("first ticket about invoices")).await.expect("fits");
    let big = episode(&"a long complaint about the export ".repeat(10));
    let why = refused(store.remember(&big).await);
    assert!(why.contains("`support`") && why.contains("budget") && why.contains("forget"), "{why}");
    // A supersede counts too: history is stored.
    let why = refused(store.remember(&fact("ada", "notes", json!("x".repeat(400)), "r1")).await);
    assert!(why.contains("budget"), "{why}");
    let spaces = store.memory_namespaces().await.expect("namespaces");
    assert_eq!(spaces[0].memories, 1, "nothing of the refused writes was stored");
    assert!(spaces[0].used_bytes <= 300);
    // A budget below what is held is refused, with what to do.
    let Err(StoreError::Refused(why)) = store.set_memory_budget("support", 10).await else { panic!("accepted") };
    assert!(why.contains("forget"), "{why}");
    // Every write path: a single memory over the per-memory cap is refused whatever the budget.
    store.set_memory_budget("support", 64 << 20).await.expect("budget");
    let why = refused(store.remember(&episode(&"x".repeat(300 << 10))).await);
    assert!(why.contains("at most"), "{why}");
}

#[tokio::test]
async fn forgetting_hides_and_a_hard_forget_deletes_the_history_too() {
    let (store, _) = store("forget").await;
    let used = |store: &Store| {
        let store = store.clone();
        async move { store.memory_namespaces().await.expect("namespaces").first().map_or(0, |n| n.used_bytes) }
    };
    let kept = store.remember(&episode("the printer on floor 2 jams")).await.expect("written");
    assert!(used(&store).await > 0);
    store.forget_memory(kept.memory().id, false).await.expect("forgotten");
    assert_eq!(used(&store).await, 0, "a forgotten memory no longer counts against the budget");
    assert!(store.search_memory("support", "printer", 10).await.expect("search").is_empty());
    assert!(store.list_memories("support", 100, 0).await.expect("list").is_empty());
    assert_eq!(store.memory(kept.memory().id).await.expect("still readable").state, MemoryState::Forgotten);

    store.remember(&fact("bob", "plan", json!("free"), "r1")).await.expect("written");
    let current = store.remember(&fact("bob", "plan", json!("pro"), "r2")).await.expect("written");
    assert!(used(&store).await > 0);
    store.forget_memory(current.memory().id, true).await.expect("deleted");
    assert_eq!(used(&store).await, 0, "the deleted fact and its history are off the budget");
    assert!(store.memory(current.memory().id).await.is_err());
    assert!(store.search_memory("support", "bob", 10).await.expect("search").is_empty());
    // The fact can be written afresh: nothing of it is left.
    let again = store.remember(&fact("bob", "plan", json!("pro"), "r3")).await.expect("written");
    assert!(matches!(again, Written::Added { .. }), "{again:?}");
}

/// The full-text index catches up in batches (every 256 writes, and before every search): a
/// memory is found as soon as it is written, superseded and forgotten ones are never found,
/// whether they were indexed before they changed or not, and another store on the same file
/// finds what this one wrote.
#[tokio::test]
async fn search_finds_every_active_memory_whether_or_not_the_index_has_caught_up() {
    let (store, path) = store("index-batches").await;
    let word = |i: usize| format!("zq{i}x");
    let mut ids = Vec::new();
    for i in 0..300 {
        let written = store.remember(&fact(&word(i), "note", json!(i), "r1")).await.expect("written");
        ids.push(written.memory().id);
    }
    // Changed after the index caught up (the first 256) and before (the rest).
    for i in [5, 290] {
        store.remember(&fact(&word(i), "note", json!(format!("new {i}")), "r2")).await.expect("superseded");
    }
    for i in [10, 295] {
        store.forget_memory(ids[i], false).await.expect("forgotten");
    }
    store.forget_memory(ids[20], true).await.expect("deleted");
    store.forget_memory(ids[297], true).await.expect("deleted");
    // Another store on the same file (another process) writes one more, unindexed.
    let other = Store::open(&path).await.expect("second store");
    other.remember(&fact("zqotherx", "note", json!("other"), "r3")).await.expect("written");
    for i in 0..300 {
        let hits = store.search_memory("support", &word(i), 5).await.expect("search");
        let values: Vec<Value> = hits.iter().map(|h| h.memory.value.clone()).collect();
        let expected = match i {
            5 | 290 => vec![json!(format!("new {i}"))],
            10 | 295 | 20 | 297 => vec![],
            _ => vec![json!(i)],
        };
        assert_eq!(values, expected, "searching for memory {i}");
    }
    let hits = store.search_memory("support", "zqotherx", 5).await.expect("search");
    assert_eq!(hits.len(), 1, "the other store's memory is found: {hits:?}");
    let hits = other.search_memory("support", "zq299x", 5).await.expect("search");
    assert_eq!(hits.len(), 1, "and this store's by the other: {hits:?}");
    // The index holds exactly the active memories: FTS5's document count (the first varint of its
    // averages record) is theirs. Taking out of the index a memory that never went in would
    // lower it without an error.
    let file = sqlx::SqlitePool::connect(&format!("sqlite:{}", path.display())).await.expect("file");
    let active: i64 = sqlx::query_scalar("SELECT count(*) FROM memories WHERE state = 'active'")
        .fetch_one(&file)
        .await
        .expect("count");
    let averages: Vec<u8> = sqlx::query_scalar("SELECT block FROM memories_fts_data WHERE id = 1")
        .fetch_one(&file)
        .await
        .expect("averages record");
    assert_eq!(sqlite_varint(&averages), active, "indexed documents against active memories");
    assert_eq!(active, 300 - 4 + 1);
}

/// The first of SQLite's variable-length integers in `bytes` (7 bits a byte, high bit: more).
fn sqlite_varint(bytes: &[u8]) -> i64 {
    let mut value = 0i64;
    for (i, byte) in bytes.iter().take(9).enumerate() {
        if i == 8 {
            return (value << 8) | i64::from(*byte);
        }
        value = (value << 7) | i64::from(byte & 0x7f);
        if byte & 0x80 == 0 {
            break;
        }
    }
    value
}

#[tokio::test]
async fn a_write_with_an_idempotency_key_happens_once() {
    let (store, path) = store("once").await;
    let mut first = episode("refund sent to Ada");
    first.call_key = Some("r1/answer/0".into());
    let written = store.remember(&first).await.expect("written");
    // A resumed run calls again with the same key (its text may even differ): nothing new.
    let mut retry = episode("refund sent to Ada (again)");
    retry.call_key = Some("r1/answer/0".into());
    let again = store.remember(&retry).await.expect("written");
    assert!(matches!(again, Written::Unchanged { .. }), "{again:?}");
    assert_eq!(again.memory().id, written.memory().id);
    // Still so after the file is opened again.
    drop(store);
    let reopened = Store::open(&path).await.expect("reopened");
    let once_more = reopened.remember(&retry).await.expect("written");
    assert_eq!(once_more.memory().id, written.memory().id);
    assert_eq!(reopened.list_memories("support", 100, 0).await.expect("list").len(), 1);
}

#[tokio::test]
async fn procedures_count_their_outcomes_and_working_memory_belongs_to_its_run() {
    let (store, _) = store("kinds").await;
    let procedure = NewMemory {
        namespace: "support".into(),
        kind: MemoryKind::Procedural,
        subject: Some("reset_password".into()),
        attribute: None,
        text: "Send the reset link, then confirm by email".into(),
        value: Value::Null,
        tags: vec![],
        provenance: Provenance::default(),
        call_key: None,
    };
    store.remember(&procedure).await.expect("written");
    store.procedure_outcome("support", "reset_password", true).await.expect("counted");
    let counted = store.procedure_outcome("support", "reset_password", false).await.expect("counted");
    assert_eq!((counted.successes, counted.failures), (1, 1));
    let missing = store.procedure_outcome("support", "nope", true).await.expect_err("no such procedure").to_string();
    assert!(missing.contains("no procedure `nope`"), "{missing}");

    let working = |run: &str, value: Value| NewMemory {
        namespace: "support".into(),
        kind: MemoryKind::Working,
        subject: Some("draft".into()),
        attribute: None,
        text: format!("draft: {value}"),
        value,
        tags: vec![],
        provenance: Provenance { run: Some(run.into()), node: Some("write".into()) },
        call_key: None,
    };
    store.remember(&working("r1", json!(1))).await.expect("written");
    let other_run = store.remember(&working("r2", json!(1))).await.expect("written");
    assert!(matches!(other_run, Written::Added { .. }), "another run's key is its own: {other_run:?}");
    let changed = store.remember(&working("r1", json!(2))).await.expect("written");
    assert!(matches!(changed, Written::Superseded { .. }), "{changed:?}");
}

#[tokio::test]
async fn bad_input_is_refused_with_what_to_do_and_nothing_is_stored() {
    let (store, _) = store("bad").await;
    let mut bad_space = episode("x");
    bad_space.namespace = "no spaces here".into();
    assert!(refused(store.remember(&bad_space).await).contains("namespace name"));
    assert!(refused(store.remember(&episode("   ")).await).contains("needs its text"));
    let mut no_attribute = fact("ada", "plan", json!("pro"), "r1");
    no_attribute.attribute = None;
    assert!(refused(store.remember(&no_attribute).await).contains("attribute"));
    let mut no_run = fact("ada", "plan", json!("pro"), "r1");
    no_run.kind = MemoryKind::Working;
    no_run.provenance.run = None;
    assert!(refused(store.remember(&no_run).await).contains("run"));
    assert!(store.memory_namespaces().await.expect("namespaces").is_empty());
    // Search text is never read as FTS syntax.
    store.remember(&episode("quotes \" and NEAR( operators")).await.expect("written");
    let hits = store.search_memory("support", "\"NEAR( AND OR *", 10).await.expect("no syntax error");
    assert_eq!(hits.len(), 1);
    assert!(store.search_memory("support", "!!!", 10).await.expect("empty query").is_empty());
}

#[tokio::test]
async fn search_ranks_by_relevance_within_a_namespace() {
    let (store, _) = store("rank").await;
    for text in ["invoice export fails with a timeout", "the invoice total is wrong", "login works again"] {
        store.remember(&episode(text)).await.expect("written");
    }
    let mut elsewhere = episode("invoice export fails with a timeout");
    elsewhere.namespace = "billing".into();
    store.remember(&elsewhere).await.expect("written");
    let hits = store.search_memory("support", "invoice export timeout", 10).await.expect("search");
    assert_eq!(hits.len(), 2, "{hits:?}");
    assert_eq!(hits[0].memory.text, "invoice export fails with a timeout");
    assert!(hits[0].score > hits[1].score);
    assert!(hits.iter().all(|h| h.memory.namespace == "support"));
    // Pinned first in lists.
    store.pin_memory(hits[1].memory.id, true).await.expect("pinned");
    assert_eq!(store.list_memories("support", 10, 0).await.expect("list")[0].id, hits[1].memory.id);
}

#[tokio::test]
async fn a_batch_is_written_whole_or_not_at_all() {
    let (store, _) = store("batch").await;
    store.remember(&episode("already here")).await.expect("written");
    let mut bad = episode("x");
    bad.namespace = "bad name".into();
    let Err((index, StoreError::Refused(why))) = store.remember_all(&[episode("one"), bad, episode("three")]).await
    else {
        panic!("a batch with a bad memory was accepted")
    };
    assert_eq!(index, 1, "{why}");
    // Over budget half way: refused at that memory, and the ones before it are rolled back too.
    store.set_memory_budget("support", 200).await.expect("budget");
    let big = episode(&"long words ".repeat(30));
    let Err((index, _)) = store.remember_all(&[episode("fits"), big]).await else { panic!("accepted") };
    assert_eq!(index, 1);
    let all = store.list_memories("support", 100, 0).await.expect("list");
    assert_eq!(
        all.iter().map(|m| m.text.as_str()).collect::<Vec<_>>(),
        vec!["already here"],
        "nothing already stored was lost"
    );
    let written = store.remember_all(&[episode("four"), episode("four"), episode("five")]).await.expect("written");
    assert!(matches!(written[1], Written::Unchanged { .. }), "the same memory twice in one batch is one");
}

mod tools {
    use std::sync::Arc;

    use floe_engine::events::RunStatus;
    use floe_engine::run::{Prepared, RunOptions, run};
    use floe_engine::store::Store;
    use floe_engine::tools::{MemoryTools, Toolbox};
    use serde_json::{Value, json};

    fn prepare(toolbox: &Toolbox, nodes: Value, outputs: Value) -> Prepared {
        let document = json!({"format": "floe.blueprint", "version": 1, "id": "mem", "name": "Memory",
            "inputs": {"plan": {"type": "string", "default": "pro"}}, "outputs": outputs, "nodes": nodes});
        super::support::compile_against(document, toolbox.catalog())
    }

    async fn go(prepared: &Prepared, toolbox: &Arc<Toolbox>, id: &str, plan: &str) -> floe_engine::run::RunReport {
        let mut inputs = serde_json::Map::new();
        inputs.insert("plan".into(), json!(plan));
        let options = RunOptions { tools: toolbox.clone(), run_id: Some(id.into()), inputs, ..RunOptions::default() };
        let report = run(prepared, options).await.expect("runs");
        assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.error);
        report
    }

    #[tokio::test]
    async fn tool_nodes_remember_in_one_run_and_find_it_in_the_next_once_per_call() {
        let dir = super::support::scratch("memory", "tools");
        let store = Store::open(&dir.join("runs.db")).await.expect("store");
        let toolbox =
            Arc::new(Toolbox::with_sources(vec![Arc::new(MemoryTools::new(store.clone()))]).expect("no clash"));
        let listed: Vec<String> =
            toolbox.catalog().doc().tools.into_iter().filter(|t| t.source == "memory").map(|t| t.tool).collect();
        assert_eq!(listed.len(), 6, "{listed:?}");

        let remember = prepare(
            &toolbox,
            json!([{"id": "remember", "kind": "tool", "config": {"tool": "memory_remember", "args": {
                "namespace": "support", "entity": "ada", "attribute": "plan", "value": "{{ run.plan }}",
                "text": "Ada is on the {{ run.plan }} plan"}}}]),
            json!({"outcome": {"from": "remember.outcome"}}),
        );
        let first = go(&remember, &toolbox, "r1", "pro").await;
        assert_eq!(first.outputs["outcome"], json!("added"));

        // The next run finds it, with where it came from.
        let search = prepare(
            &toolbox,
            json!([{"id": "recall", "kind": "tool", "config": {"tool": "memory_search", "args": {
                "namespace": "support", "query": "what plan is ada on"}}}]),
            json!({"found": {"from": "recall.results"}}),
        );
        let found = go(&search, &toolbox, "r2", "pro").await;
        let hit = &found.outputs["found"][0]["memory"];
        assert_eq!(hit["value"], json!("pro"));
        assert_eq!(
            (hit["provenance"]["run"].clone(), hit["provenance"]["node"].clone()),
            (json!("r1"), json!("remember"))
        );

        // Run `r1` again (a resumed run re-executing its node): the same call key writes nothing,
        // even with another value.
        let again = go(&remember, &toolbox, "r1", "enterprise").await;
        assert_eq!(again.outputs["outcome"], json!("unchanged"));
        // A new run with a new value supersedes: search returns the new value only.
        let newer = go(&remember, &toolbox, "r3", "enterprise").await;
        assert_eq!(newer.outputs["outcome"], json!("superseded"));
        let found = go(&search, &toolbox, "r4", "pro").await;
        let values: Vec<Value> =
            found.outputs["found"].as_array().expect("array").iter().map(|h| h["memory"]["value"].clone()).collect();
        assert_eq!(values, vec![json!("enterprise")]);
    }

    #[tokio::test]
    async fn a_refused_memory_write_fails_the_node_with_the_reason() {
        let dir = super::support::scratch("memory", "tool-refused");
        let store = Store::open(&dir.join("runs.db")).await.expect("store");
        let toolbox =
            Arc::new(Toolbox::with_sources(vec![Arc::new(MemoryTools::new(store.clone()))]).expect("no clash"));
        let bad = prepare(
            &toolbox,
            json!([{"id": "remember", "kind": "tool", "config": {"tool": "memory_remember", "args": {
                "namespace": "not a name", "text": "x"}}}]),
            json!({}),
        );
        let options = RunOptions { tools: toolbox.clone(), ..RunOptions::default() };
        let report = run(&bad, options).await.expect("runs");
        assert_eq!(report.status, RunStatus::Failed);
        let error = format!("{:?}", report.error);
        assert!(error.contains("namespace name"), "{error}");
    }
}

#[test]
fn a_blueprint_calling_memory_tools_validates_as_it_runs() {
    let dir = support::scratch("memory", "validate");
    let file = dir.join("recall.json");
    let document = json!({"format": "floe.blueprint", "version": 1, "id": "recall", "name": "Recall",
        "nodes": [{"id": "recall", "kind": "tool", "config": {"tool": "memory_search", "args": {"namespace": "support", "query": "refund"}}}]});
    std::fs::write(&file, document.to_string()).expect("written");
    let report = floe_engine::validate_file(&file).expect("reads");
    assert_eq!(report.errors(), 0, "{:#?}", report.diagnostics);
    // A memory tool's args are checked like a built-in tool's.
    let bad = json!({"format": "floe.blueprint", "version": 1, "id": "recall", "name": "Recall",
        "nodes": [{"id": "recall", "kind": "tool", "config": {"tool": "memory_search", "args": {"query": "refund"}}}]});
    std::fs::write(&file, bad.to_string()).expect("written");
    let report = floe_engine::validate_file(&file).expect("reads");
    assert!(
        report.diagnostics.iter().any(|d| d.pointer.starts_with("/nodes/0/config/args")),
        "{:#?}",
        report.diagnostics
    );
}

mod agents {
    use std::sync::Arc;

    use floe_engine::events::{Recorder, RunStatus};
    use floe_engine::run::{RunOptions, run};
    use floe_engine::store::Store;
    use floe_engine::tools::Toolbox;
    use floe_fakes::{FakeServer, Reply, Vendor};
    use serde_json::{Value, json};

    #[tokio::test]
    async fn an_agent_with_memory_remembers_in_one_run_and_recalls_in_the_next() {
        let dir = super::support::scratch("memory", "agent");
        let store = Store::open(&dir.join("runs.db")).await.expect("store");
        let toolbox = Toolbox::with_memory(&store);
        let model = FakeServer::start(Vendor::Anthropic).await.expect("fake");
        let llm = super::support::fake_llm("anthropic", model.base_url(), None);
        let document = json!({"format": "floe.blueprint", "version": 1, "id": "helper", "name": "Helper",
            "outputs": {"said": {"from": "helper.text"}},
            "nodes": [{"id": "helper", "kind": "agent", "config": {"model": "anthropic:claude-sonnet-4-5",
                "prompt": "Help the customer.", "max_turns": 3,
                "memory": {"namespace": "support", "recall": true, "remember": true}}}]});
        let prepared = super::support::compile_against(document, toolbox.catalog());
        let go = |id: &str| {
            let recorder = Recorder::new();
            let options = RunOptions {
                tools: toolbox.clone(),
                llm: Some(llm.clone()),
                sink: Arc::new(recorder.clone()),
                run_id: Some(id.into()),
                ..RunOptions::default()
            };
            (recorder, options)
        };

        // Run 1: the model writes a fact into the agent's memory.
        model.push([
            Reply::tool(
                "memory_remember",
                json!({"entity": "ada", "attribute": "plan", "text": "Ada is on the pro plan", "value": "pro"}),
            ),
            Reply::text("Noted."),
        ]);
        let (_, options) = go("r1");
        let report = run(&prepared, options).await.expect("runs");
        assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.error);
        // It was offered the memory tools without a namespace to choose.
        let offered = &model.requests()[0].body["tools"];
        let names: Vec<&str> = offered.as_array().expect("tools").iter().filter_map(|t| t["name"].as_str()).collect();
        assert_eq!(names, ["memory_search", "memory_remember", "memory_record"]);
        assert!(offered[0]["input_schema"]["properties"].get("namespace").is_none(), "{offered}");

        // Run 2: the model searches and finds what run 1 remembered, in the same namespace.
        model.push([Reply::tool("memory_search", json!({"query": "ada plan"})), Reply::text("Ada is on pro.")]);
        let (recorder, options) = go("r2");
        let report = run(&prepared, options).await.expect("runs");
        assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.error);
        let result = super::support::first_tool_result(&recorder);
        let (ok, result) = result.expect("a tool result");
        assert!(ok, "{result}");
        let first: &Value = &result[0]["memory"];
        assert_eq!((first["value"].clone(), first["namespace"].clone()), (json!("pro"), json!("support")));
        assert_eq!(first["provenance"]["run"], "r1");
        assert_eq!(store.memory_namespaces().await.expect("namespaces")[0].name, "support");
    }
}

mod embeddings {
    use std::sync::Arc;

    use floe_engine::events::{Recorder, RunEvent, RunStatus};
    use floe_engine::run::{Prepared, RunOptions, run};
    use floe_engine::store::Store;
    use floe_engine::tools::Toolbox;
    use floe_fakes::{FakeServer, Vendor};
    use serde_json::{Value, json};

    /// Models whose embeddings come from `server` (`provider` speaking its API), or from nowhere.
    fn llm(provider: &str, base_url: String, embedding_model: Option<&str>) -> Arc<floe_llm::Llm> {
        super::support::fake_llm(provider, base_url, embedding_model)
    }

    fn plan(toolbox: &Toolbox, tool: &str, args: Value, output: &str) -> Prepared {
        let document = json!({"format": "floe.blueprint", "version": 1, "id": "mem", "name": "Memory",
            "outputs": {"out": {"from": format!("call.{output}")}},
            "nodes": [{"id": "call", "kind": "tool", "config": {"tool": tool, "args": args}}]});
        super::support::compile_against(document, toolbox.catalog())
    }

    async fn go(
        prepared: &Prepared,
        toolbox: &Arc<Toolbox>,
        llm: &Arc<floe_llm::Llm>,
        id: &str,
    ) -> (Value, Vec<String>) {
        let recorder = Recorder::new();
        let options = RunOptions {
            tools: toolbox.clone(),
            llm: Some(llm.clone()),
            sink: Arc::new(recorder.clone()),
            run_id: Some(id.into()),
            ..RunOptions::default()
        };
        let report = run(prepared, options).await.expect("runs");
        assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.error);
        let notes = recorder
            .events()
            .into_iter()
            .filter_map(|e| match e.kind {
                RunEvent::NodeProgress { message, .. } => Some(message),
                _ => None,
            })
            .collect();
        (report.outputs["out"].clone(), notes)
    }

    /// With an embedding model, a memory is found by what it means: "plan" finds the memory that
    /// says "subscription", which keyword search cannot. Over Ollama's and OpenAI's wire formats.
    #[tokio::test]
    async fn similarity_search_finds_what_keywords_miss_with_embeddings_from_a_loopback_server() {
        for (vendor, provider, model) in [
            (Vendor::Ollama, "ollama", "ollama:all-minilm"),
            (Vendor::Openai, "openai", "openai:text-embedding-3-small"),
        ] {
            let dir = super::support::scratch("memory", &format!("embed-{provider}"));
            let store = Store::open(&dir.join("runs.db")).await.expect("store");
            let toolbox = Toolbox::with_memory(&store);
            let server = FakeServer::start(vendor).await.expect("fake");
            server.set_synonyms(&[("subscription", "plan"), ("subscriptions", "plan")]);
            let with = llm(provider, server.base_url(), Some(model));
            let without = llm(provider, server.base_url(), None);
            let remember = plan(
                &toolbox,
                "memory_remember",
                json!({"namespace": "support", "text": "Ada's subscription renews every month"}),
                "outcome",
            );
            let (outcome, _) = go(&remember, &toolbox, &with, "r1").await;
            assert_eq!(outcome, json!("added"));
            let embedded: Vec<String> = server.requests().iter().map(|r| r.uri.clone()).collect();
            assert!(embedded.iter().any(|u| u.ends_with("/embed") || u.ends_with("/embeddings")), "{embedded:?}");

            let search = plan(&toolbox, "memory_search", json!({"namespace": "support", "query": "plan"}), "results");
            let (keyword_only, _) = go(&search, &toolbox, &without, "r2").await;
            assert_eq!(keyword_only, json!([]), "no keyword matches `plan`");
            let (fused, notes) = go(&search, &toolbox, &with, "r3").await;
            assert_eq!(fused[0]["memory"]["text"], json!("Ada's subscription renews every month"), "{fused}");
            assert!(notes.is_empty(), "{notes:?}");
        }
    }

    /// A memory found by both rankings comes first; one found by either is found.
    #[tokio::test]
    async fn the_two_rankings_are_fused() {
        let dir = super::support::scratch("memory", "fused");
        let store = Store::open(&dir.join("runs.db")).await.expect("store");
        let mut ids = Vec::new();
        for (text, vector) in [
            ("refund policy for annual plans", [1.0, 0.0, 0.0]),
            ("money back within thirty days", [0.9, 0.1, 0.0]),
            ("refund of a printer order", [0.0, 0.0, 1.0]),
        ] {
            let new = super::episode(text);
            let id = store.remember(&new).await.expect("written").memory().id;
            store.set_memory_vector(id, "test:3d", &vector).await.expect("vector");
            ids.push(id);
        }
        let query = [1.0, 0.05, 0.0];
        let hits = store.search_memory_with("support", "refund", Some(("test:3d", &query)), 3).await.expect("search");
        let order: Vec<i64> = hits.iter().map(|h| h.memory.id).collect();
        // Both rankings found #1; #2 only by meaning, #3 only by keyword, and the two tie.
        assert_eq!(order[0], ids[0], "{hits:#?}");
        assert_eq!(order.len(), 3);
        // Another model's vectors are not compared with this one's.
        let other = store.search_memory_with("support", "zzz", Some(("test:other", &query)), 3).await.expect("search");
        assert!(other.is_empty(), "{other:#?}");
        // A forgotten memory leaves both rankings.
        store.forget_memory(ids[0], false).await.expect("forgotten");
        let hits = store.search_memory_with("support", "refund", Some(("test:3d", &query)), 3).await.expect("search");
        assert!(hits.iter().all(|h| h.memory.id != ids[0]), "{hits:#?}");
        // A vector that is not one is refused.
        assert!(store.set_memory_vector(ids[1], "test:3d", &[0.0, 0.0, 0.0]).await.is_err());
    }

    /// An embedding server that is down leaves memory working by keyword, and says so.
    #[tokio::test]
    async fn a_missing_embedding_server_falls_back_to_keyword_search_and_says_so() {
        let dir = super::support::scratch("memory", "embed-down");
        let store = Store::open(&dir.join("runs.db")).await.expect("store");
        let toolbox = Toolbox::with_memory(&store);
        let down = llm("ollama", "http://127.0.0.1:9".into(), Some("ollama:all-minilm"));
        let remember =
            plan(&toolbox, "memory_remember", json!({"namespace": "support", "text": "Ada's plan is pro"}), "outcome");
        let (outcome, notes) = go(&remember, &toolbox, &down, "r1").await;
        assert_eq!(outcome, json!("added"));
        assert!(notes.iter().any(|n| n.contains("ollama:all-minilm") && n.contains("keyword")), "{notes:?}");
        let search = plan(&toolbox, "memory_search", json!({"namespace": "support", "query": "plan"}), "results");
        let (found, _) = go(&search, &toolbox, &down, "r2").await;
        assert_eq!(found[0]["memory"]["text"], json!("Ada's plan is pro"));
    }
}

mod threads {
    use std::sync::Arc;

    use floe_engine::events::RunStatus;
    use floe_engine::run::{Prepared, RunOptions, run};
    use floe_engine::store::Store;
    use floe_engine::tools::Toolbox;
    use floe_fakes::{FakeServer, Reply, Vendor};
    use serde_json::{Value, json};

    fn llm(base_url: String) -> Arc<floe_llm::Llm> {
        super::support::fake_llm("openai", base_url, None)
    }

    fn prepare(toolbox: &Toolbox, node: Value) -> Prepared {
        let document = json!({"format": "floe.blueprint", "version": 1, "id": "chat", "name": "Chat",
            "inputs": {"customer": {"type": "string"}, "message": {"type": "string"}},
            "outputs": {"reply": {"from": "reply.text"}}, "nodes": [node]});
        super::support::compile_against(document, toolbox.catalog())
    }

    async fn say(
        prepared: &Prepared,
        toolbox: &Arc<Toolbox>,
        llm: &Arc<floe_llm::Llm>,
        id: &str,
        customer: &str,
        message: &str,
    ) {
        let mut inputs = serde_json::Map::new();
        inputs.insert("customer".into(), json!(customer));
        inputs.insert("message".into(), json!(message));
        let options = RunOptions {
            tools: toolbox.clone(),
            llm: Some(llm.clone()),
            run_id: Some(id.into()),
            inputs,
            ..RunOptions::default()
        };
        let report = run(prepared, options).await.expect("runs");
        assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.error);
    }

    /// The messages a request sent, as `role: content` lines.
    fn sent(request: &floe_fakes::Recorded) -> Vec<String> {
        request.body["messages"]
            .as_array()
            .expect("messages")
            .iter()
            .map(|m| format!("{}: {}", m["role"].as_str().unwrap_or(""), m["content"].as_str().unwrap_or("")))
            .collect()
    }

    #[tokio::test]
    async fn an_llm_thread_persists_per_key_across_runs_once_per_call_and_is_summarised_past_its_budget() {
        let dir = super::support::scratch("memory", "threads");
        let store = Store::open(&dir.join("runs.db")).await.expect("store");
        let toolbox = Toolbox::with_memory(&store);
        let model = FakeServer::start(Vendor::Openai).await.expect("fake");
        let llm = llm(model.base_url());
        let chat = prepare(
            &toolbox,
            json!({"id": "reply", "kind": "llm", "config": {"model": "openai:gpt-4o-mini",
                "system": "You answer customers.", "prompt": "{{ run.message }}",
                "thread": "support-{{ run.customer }}", "thread_tokens": 200}}),
        );
        model.push([Reply::text("Hello Ada."), Reply::text("You asked about refunds.")]);
        say(&chat, &toolbox, &llm, "r1", "ada", "Hi, I am Ada and I want a refund.").await;
        say(&chat, &toolbox, &llm, "r2", "ada", "What did I ask?").await;
        let second = sent(&model.requests()[1]);
        assert_eq!(
            second,
            [
                "system: You answer customers.",
                "user: Hi, I am Ada and I want a refund.",
                "assistant: Hello Ada.",
                "user: What did I ask?"
            ]
        );
        // Another key is another thread.
        say(&chat, &toolbox, &llm, "r3", "bob", "Hello?").await;
        assert_eq!(sent(&model.requests()[2]), ["system: You answer customers.", "user: Hello?"]);
        // Run r2 again (a resumed run re-executing the node): the thread reads as before that
        // call, and nothing is added twice.
        say(&chat, &toolbox, &llm, "r2", "ada", "What did I ask?").await;
        assert_eq!(sent(&model.requests()[3]), second);
        assert_eq!(store.thread("support-ada", None).await.expect("thread").messages.len(), 4);

        // Past 200 tokens the oldest messages fold into a summary, by the same model.
        model.rule("running summary", Reply::text("Ada wants a refund for her annual plan."));
        let long = "I bought the annual plan in March and it does not work for my team at all. ".repeat(12);
        say(&chat, &toolbox, &llm, "r4", "ada", &long).await;
        let thread = store.thread("support-ada", None).await.expect("thread");
        assert_eq!(thread.summary, "Ada wants a refund for her annual plan.");
        assert!(thread.messages.iter().map(|m| m.tokens).sum::<u32>() <= 200, "{thread:#?}");
        say(&chat, &toolbox, &llm, "r5", "ada", "And now?").await;
        let last = sent(model.requests().last().expect("a request"));
        assert_eq!(last[1], "system: Summary of the conversation so far:\nAda wants a refund for her annual plan.");
        assert_eq!(last.last().map(String::as_str), Some("user: And now?"));
    }

    #[tokio::test]
    async fn an_agent_gets_its_best_memories_in_its_system_prompt_and_keeps_a_thread() {
        let dir = super::support::scratch("memory", "agent-context");
        let store = Store::open(&dir.join("runs.db")).await.expect("store");
        for text in ["Ada is on the pro plan", "Refunds take five working days", "The office closes at six"] {
            let new = super::episode(text);
            store.remember(&new).await.expect("written");
        }
        let toolbox = Toolbox::with_memory(&store);
        let model = FakeServer::start(Vendor::Openai).await.expect("fake");
        let llm = llm(model.base_url());
        let agent = prepare(
            &toolbox,
            json!({"id": "reply", "kind": "agent", "config": {"model": "openai:gpt-4o-mini",
                "system": "You answer customers.", "prompt": "{{ run.message }}", "thread": "{{ run.customer }}",
                "memory": {"namespace": "support", "context": 2}}}),
        );
        model.push([Reply::text("Five working days.")]);
        say(&agent, &toolbox, &llm, "r1", "ada", "How long does a refund take?").await;
        let first = sent(&model.requests()[0]);
        assert!(first[0].starts_with("system: You answer customers.\n\nWhat you remember"), "{first:?}");
        assert!(first[0].contains("- Refunds take five working days (memory 2)"), "{first:?}");
        assert!(!first[0].contains("office"), "only matches: {first:?}");
        // The thread has the question and the final answer.
        let thread = store.thread("ada", None).await.expect("thread");
        let said: Vec<&str> = thread.messages.iter().map(|m| m.content.as_str()).collect();
        assert_eq!(said, ["How long does a refund take?", "Five working days."]);
    }
}

#[tokio::test]
async fn a_persons_edit_is_a_new_version_that_keeps_the_pin_and_the_history() {
    let (store, _) = store("edit").await;
    let first = store.remember(&episode("Ada called about a refund")).await.expect("written").memory().clone();
    store.pin_memory(first.id, true).await.expect("pinned");
    let edited = store
        .edit_memory(
            first.id,
            "Ada called about a refund of her annual plan",
            json!({"by": "phone"}),
            vec!["refund".into()],
        )
        .await
        .expect("edited");
    let Written::Superseded { memory, previous } = &edited else { panic!("expected a new version: {edited:?}") };
    assert_eq!(*previous, first.id);
    assert!(memory.pinned, "the pin stays with the memory");
    assert_eq!(memory.provenance, Provenance::default(), "edited by a person, not a run");
    let history: Vec<i64> = store.memory_history(memory.id).await.expect("history").iter().map(|m| m.id).collect();
    assert_eq!(history, [first.id, memory.id]);
    assert_eq!(store.memory_history(first.id).await.expect("history").len(), 2, "read from either end");
    let hits = store.search_memory("support", "annual", 5).await.expect("search");
    assert_eq!(hits.len(), 1);
    // The old version is history: it cannot be edited, and says which one can.
    let Err(StoreError::Refused(why)) = store.edit_memory(first.id, "x", Value::Null, Vec::new()).await else {
        panic!("an edit of history was accepted")
    };
    assert!(why.contains(&format!("newest version is {}", memory.id)), "{why}");
    // An edit that changes nothing is no new version.
    let same = store
        .edit_memory(
            memory.id,
            "Ada called about a refund of her annual plan",
            json!({"by": "phone"}),
            vec!["refund".into()],
        )
        .await
        .expect("edited");
    assert!(matches!(same, Written::Unchanged { .. }), "{same:?}");
}
