//! The execution semantics of docs/semantics.md, one test per rule, on real blueprints run by
//! the real scheduler (HTTP faults come from a loopback server). Rules about time run on tokio's
//! paused clock, which moves only when every task waits on a timer, so what they measure is
//! exact and no load on the machine can change it; tests with real I/O assert order, not time.

mod support;

use std::time::Duration;

use tokio::time::Instant;

use floe_engine::events::{RunEvent, RunStatus, SkipReason};
use floe_engine::run::RunControl;
use serde_json::{Value, json};
use support::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A control that cancels the run after `delay`.
fn cancel_after(delay: Duration, reason: &'static str) -> RunControl {
    let control = RunControl::new();
    let canceller = control.clone();
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        canceller.cancel(reason);
    });
    control
}

#[tokio::test(start_paused = true)]
async fn a_node_starts_as_soon_as_its_inputs_resolve_without_waiting_for_a_level() {
    // slow runs beside the chain a → b → c; c must finish long before slow does.
    let (report, events) = run_plain(json!({
        "nodes": [wait("slow", "400ms"), wait("a", "0s"), wait("b", "10ms"), wait("c", "10ms")],
        "edges": [edge("a.out", "b.in"), edge("b.out", "c.in")],
    }))
    .await;
    assert_eq!(report.status, RunStatus::Succeeded);
    assert!(succeeded_at(&events, "c") < succeeded_at(&events, "slow"), "{:?}", kinds(&events));
}

#[tokio::test]
async fn events_are_numbered_densely_and_bracketed_by_run_started_and_finished() {
    let (_, events) = run_plain(json!({"nodes": [wait("a", "0s")]})).await;
    let seqs: Vec<u64> = events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=events.len() as u64).collect::<Vec<_>>());
    assert_eq!(kinds(&events), ["run_started", "node_started", "node_succeeded", "run_finished"]);
}

#[tokio::test]
async fn values_flow_along_edges_and_templates_read_run_inputs_and_upstream_nodes() {
    let prepared = prepare(json!({
        "inputs": {"name": {"type": "string"}},
        "outputs": {"greeting": {"from": "greet.text"}},
        "nodes": [
            tool("upper", "text_template", json!({"template": "{{ run.name | upper }}"})),
            tool("greet", "text_template", json!({"template": "Hello {{ inputs.in }} ({{ nodes.upper.text | length }})"})),
        ],
        "edges": [edge("upper.text", "greet.in")],
    }));
    let (report, _) = run_with(&prepared, json!({"name": "ada"}), RunControl::new()).await;
    assert_eq!(report.outputs["greeting"], json!("Hello ADA (3)"));
}

#[tokio::test]
async fn missing_and_mistyped_run_inputs_are_refused_before_the_run_starts() {
    let prepared = prepare(json!({
        "inputs": {"n": {"type": "integer"}},
        "nodes": [wait("a", "0s")],
    }));
    let options = |inputs: Value| floe_engine::run::RunOptions {
        inputs: inputs.as_object().cloned().unwrap_or_default(),
        ..Default::default()
    };
    let missing = floe_engine::run::run(&prepared, options(json!({}))).await.err().map(|e| e.to_string());
    assert!(missing.is_some_and(|m| m.contains("`n`") && m.contains("--input n=")));
    let wrong = floe_engine::run::run(&prepared, options(json!({"n": "x"}))).await.err().map(|e| e.to_string());
    assert!(wrong.is_some_and(|m| m.contains("expected integer")), "typed");
}

#[tokio::test]
async fn a_condition_skips_the_untaken_branch_and_the_skip_spreads_by_join_rule() {
    let (report, events) = run_plain(json!({
        "inputs": {"score": {"type": "number", "default": 0.9}},
        "nodes": [
            {"id": "check", "kind": "condition", "config": {"expression": "run.score > 0.5"}},
            wait("high", "0s"),
            wait("low", "0s"),
            wait("after_low", "0s"),
            // `any` runs when at least one source delivered; `all` needs both.
            {"id": "any", "kind": "tool", "config": {"tool": "sleep", "args": {"duration": "0s"}}, "policy": {"join": "any"}},
            wait("all", "0s"),
        ],
        "edges": [
            edge("check.true", "high.in"), edge("check.false", "low.in"), edge("low.out", "after_low.in"),
            edge("high.out", "any.in"), edge("after_low.out", "any.in"),
            edge("high.out", "all.in"), edge("after_low.out", "all.in"),
        ],
    }))
    .await;
    assert_eq!(report.status, RunStatus::Succeeded);
    assert_eq!(skipped(&events), ["after_low", "all", "low"]);
    assert!(outputs_of(&events, "any").is_some());
    assert!(
        events
            .iter()
            .any(|e| matches!(&e.kind, RunEvent::NodeSkipped { node, reason: SkipReason::Branch } if &**node == "low"))
    );
}

#[tokio::test]
async fn cases_route_to_the_first_that_holds_or_to_default() {
    let document = |n: i64| {
        json!({
            "inputs": {"n": {"type": "integer", "default": n}},
            "nodes": [
                {"id": "route", "kind": "condition", "config": {"cases": [
                    {"name": "small", "when": "run.n < 10"}, {"name": "medium", "when": "run.n < 100"}
                ]}},
                wait("s", "0s"), wait("m", "0s"), wait("d", "0s"),
            ],
            "edges": [edge("route.small", "s.in"), edge("route.medium", "m.in"), edge("route.default", "d.in")],
        })
    };
    for (n, ran) in [(5, "s"), (50, "m"), (500, "d")] {
        let (_, events) = run_plain(document(n)).await;
        let mut expected: Vec<String> = ["s", "m", "d"].iter().filter(|x| **x != ran).map(|x| x.to_string()).collect();
        expected.sort();
        assert_eq!(skipped(&events), expected, "n = {n}");
    }
}

async fn flaky_server(failures: u64, status: u16, retry_after: Option<&str>) -> MockServer {
    let server = MockServer::start().await;
    let mut failing = ResponseTemplate::new(status).set_body_string("busy");
    if let Some(after) = retry_after {
        failing = failing.insert_header("retry-after", after);
    }
    Mock::given(method("GET")).and(path("/flaky")).respond_with(failing).up_to_n_times(failures).mount(&server).await;
    Mock::given(method("GET"))
        .and(path("/flaky"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true})))
        .mount(&server)
        .await;
    server
}

fn fetch(server: &MockServer, policy: Value) -> Value {
    json!({
        "outputs": {"body": {"from": "fetch.body"}},
        "nodes": [{"id": "fetch", "kind": "tool", "config": {"tool": "http_request", "args": {"url": format!("{}/flaky", server.uri())}}, "policy": policy}],
    })
}

#[tokio::test]
async fn transient_failures_are_retried_with_backoff_until_an_attempt_succeeds() {
    let server = flaky_server(2, 503, None).await;
    let policy = json!({"retry": {"attempts": 3, "initial": "20ms", "multiplier": 2.0, "jitter": 0.0}});
    let (report, events) = run_plain(fetch(&server, policy)).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.error);
    assert_eq!(report.outputs["body"], json!({"ok": true}));
    let delays: Vec<u64> = events
        .iter()
        .filter_map(|e| match &e.kind {
            RunEvent::NodeRetrying { delay_ms, error, .. } => Some((*delay_ms, error.class)),
            _ => None,
        })
        .map(|(d, class)| {
            assert_eq!(class, floe_blueprint::ErrorClass::Overloaded);
            d
        })
        .collect();
    assert_eq!(delays, [20, 40]);
    // Each retry started no sooner than its delay after it was announced (the run's own clock).
    let mut announced = None;
    for event in &events {
        match &event.kind {
            RunEvent::NodeRetrying { delay_ms, .. } => announced = Some((event.at, *delay_ms)),
            RunEvent::NodeStarted { .. } => {
                if let Some((at, delay)) = announced.take() {
                    assert!(event.at >= at + delay, "attempt started {} ms after a {delay} ms delay", event.at - at);
                }
            }
            _ => {}
        }
    }
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(3));
}

#[tokio::test]
async fn retry_after_from_the_server_wins_over_a_shorter_backoff() {
    let server = flaky_server(1, 429, Some("1")).await;
    let policy = json!({"retry": {"attempts": 2, "initial": "10ms", "jitter": 0.0}});
    let (report, events) = run_plain(fetch(&server, policy)).await;
    assert_eq!(report.status, RunStatus::Succeeded);
    let retry = events.iter().find_map(|e| match &e.kind {
        RunEvent::NodeRetrying { delay_ms, error, .. } => Some((*delay_ms, error.retry_after_ms)),
        _ => None,
    });
    assert_eq!(retry, Some((1000, Some(1000))));
}

#[tokio::test]
async fn classes_outside_the_retry_list_fail_at_once() {
    let server = flaky_server(5, 404, None).await;
    let policy = json!({"retry": {"attempts": 5, "initial": "10ms"}});
    let (report, events) = run_plain(fetch(&server, policy)).await;
    assert_eq!(report.status, RunStatus::Failed);
    assert!(report.error.as_deref().is_some_and(|e| e.contains("fetch") && e.contains("HTTP 404")));
    assert!(!kinds(&events).contains(&"node_retrying".to_owned()));
}

#[tokio::test(start_paused = true)]
async fn an_attempt_past_its_timeout_fails_with_the_timeout_class() {
    let (report, events) = run_plain(json!({
        "nodes": [{"id": "slow", "kind": "tool", "config": {"tool": "sleep", "args": {"duration": "5s"}}, "policy": {"timeout": "50ms"}}],
    }))
    .await;
    assert_eq!(report.status, RunStatus::Failed);
    let class = events.iter().find_map(|e| match &e.kind {
        RunEvent::NodeFailed { error, .. } => Some(error.class),
        _ => None,
    });
    assert_eq!(class, Some(floe_blueprint::ErrorClass::Timeout));
    assert_eq!(report.elapsed, Duration::from_millis(50), "the attempt stopped at its timeout, not at 5s");
}

fn failing(id: &str, on_error: Value) -> Value {
    json!({"id": id, "kind": "tool", "config": {"tool": "regex_extract", "args": {"pattern": "(", "text": "x"}}, "policy": {"on_error": on_error}})
}

#[tokio::test]
async fn on_error_skip_fails_the_node_skips_its_dependents_and_the_rest_carries_on() {
    let (report, events) = run_plain(json!({
        "nodes": [failing("bad", json!({"action": "skip"})), wait("after", "0s"), wait("other", "0s")],
        "edges": [edge("bad.matches", "after.in")],
    }))
    .await;
    assert_eq!(report.status, RunStatus::Succeeded);
    assert_eq!(skipped(&events), ["after"]);
    assert!(outputs_of(&events, "other").is_some());
    assert!(events.iter().any(|e| matches!(&e.kind, RunEvent::NodeSkipped { reason: SkipReason::UpstreamFailed, .. })));
}

#[tokio::test]
async fn on_error_default_substitutes_a_value_on_every_output_port() {
    let (report, events) = run_plain(json!({
        "outputs": {"first": {"from": "bad.first"}},
        "nodes": [failing("bad", json!({"action": "default", "value": "fallback"})), wait("after", "0s")],
        "edges": [edge("bad.first", "after.in")],
    }))
    .await;
    assert_eq!(report.status, RunStatus::Succeeded);
    assert_eq!(report.outputs["first"], json!("fallback"));
    assert_eq!(outputs_of(&events, "after").map(|o| o["out"].clone()), Some(json!("fallback")));
}

#[tokio::test]
async fn on_error_error_port_routes_the_error_and_skips_the_normal_ports() {
    let (report, events) = run_plain(json!({
        "nodes": [failing("bad", json!({"action": "error_port"})), wait("normal", "0s"), wait("handler", "0s")],
        "edges": [edge("bad.matches", "normal.in"), edge("bad.error", "handler.in")],
    }))
    .await;
    assert_eq!(report.status, RunStatus::Succeeded);
    assert_eq!(skipped(&events), ["normal"]);
    let error = outputs_of(&events, "handler").map(|o| o["out"].clone()).unwrap_or_default();
    assert_eq!(error["class"], json!("tool"));
    assert!(error["message"].as_str().is_some_and(|m| m.contains("pattern")));
}

#[tokio::test]
async fn run_policy_halt_stops_everything_and_continue_possible_finishes_independent_work() {
    let nodes = json!([failing("bad", json!({"action": "fail"})), wait("after", "0s"), wait("slow", "200ms")]);
    let edges = json!([edge("bad.matches", "after.in")]);
    let (halted, events) = run_plain(json!({"nodes": nodes, "edges": edges})).await;
    assert_eq!(halted.status, RunStatus::Failed);
    assert!(outputs_of(&events, "slow").is_none(), "halt cancels running nodes");
    assert_eq!(skipped(&events), ["after", "slow"]);

    let (continued, events) =
        run_plain(json!({"run": {"on_failure": "continue_possible"}, "nodes": nodes, "edges": edges})).await;
    assert_eq!(continued.status, RunStatus::Failed);
    assert!(outputs_of(&events, "slow").is_some(), "independent work finishes");
    assert_eq!(skipped(&events), ["after"]);

    let (always, _) = run_plain(json!({"run": {"on_failure": "always"}, "nodes": nodes, "edges": edges})).await;
    assert_eq!(always.status, RunStatus::Succeeded);
}

#[tokio::test]
async fn join_none_failed_runs_after_skips_but_not_after_failures_and_always_runs_regardless() {
    let (_, events) = run_plain(json!({
        "nodes": [
            failing("bad", json!({"action": "skip"})),
            {"id": "check", "kind": "condition", "config": {"expression": "false"}},
            wait("branch", "0s"),
            {"id": "nf_skip", "kind": "tool", "config": {"tool": "sleep", "args": {"duration": "0s"}}, "policy": {"join": "none_failed"}},
            {"id": "nf_fail", "kind": "tool", "config": {"tool": "sleep", "args": {"duration": "0s"}}, "policy": {"join": "none_failed"}},
            {"id": "always", "kind": "tool", "config": {"tool": "sleep", "args": {"duration": "0s"}}, "policy": {"join": "always"}},
        ],
        "edges": [
            edge("check.true", "branch.in"), edge("branch.out", "nf_skip.in"),
            edge("bad.matches", "nf_fail.in"), edge("bad.matches", "always.in"),
        ],
    }))
    .await;
    assert_eq!(skipped(&events), ["branch", "nf_fail"]);
    assert!(outputs_of(&events, "nf_skip").is_some() && outputs_of(&events, "always").is_some());
}

#[tokio::test(start_paused = true)]
async fn cancelling_stops_running_nodes_promptly_and_reports_the_reason() {
    let prepared = prepare(json!({"nodes": [wait("a", "10s"), wait("b", "10s")]}));
    let control = cancel_after(Duration::from_millis(100), "stopped by test");
    let started = Instant::now();
    let (report, events) = run_with(&prepared, json!({}), control).await;
    assert_eq!(started.elapsed(), Duration::from_millis(100), "running nodes stopped at the cancel, not at 10s");
    assert_eq!(report.status, RunStatus::Cancelled);
    assert_eq!(report.error.as_deref(), Some("stopped by test"));
    assert!(kinds(&events).contains(&"run_cancelled".to_owned()));
}

#[tokio::test(start_paused = true)]
async fn a_run_timeout_cancels_the_run() {
    let (report, _) = run_plain(json!({"run": {"timeout": "100ms"}, "nodes": [wait("a", "10s")]})).await;
    assert_eq!(report.status, RunStatus::Cancelled);
    assert!(report.error.as_deref().is_some_and(|e| e.contains("100ms")), "{:?}", report.error);
}

#[tokio::test(start_paused = true)]
async fn pausing_holds_new_nodes_until_resumed() {
    let prepared = prepare(json!({
        "nodes": [wait("a", "100ms"), wait("b", "0s")],
        "edges": [edge("a.out", "b.in")],
    }));
    let control = RunControl::new();
    control.pause();
    let resumer = control.clone();
    let held = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        resumer.resume();
        Instant::now()
    });
    let (report, events) = run_with(&prepared, json!({}), control).await;
    let resumed_at = held.await.expect("resumer");
    assert_eq!(report.status, RunStatus::Succeeded);
    assert!(Instant::now() >= resumed_at);
    assert_eq!(report.elapsed, Duration::from_millis(400), "nothing ran while paused: {:?}", report.elapsed);
    assert!(succeeded_at(&events, "b").is_some());
}

#[tokio::test(start_paused = true)]
async fn global_concurrency_bounds_how_many_nodes_run_at_once() {
    let nodes: Vec<Value> = (0..8).map(|i| wait(&format!("n{i}"), "100ms")).collect();
    let (report, events) = run_plain(json!({"run": {"max_concurrency": 2}, "nodes": nodes})).await;
    assert_eq!(report.status, RunStatus::Succeeded);
    assert_eq!(report.elapsed, Duration::from_millis(400), "8 nodes of 100ms, 2 at a time");
    // Two start at once; the six that wait for a slot are announced as queued.
    assert_eq!(kinds(&events).iter().filter(|k| *k == "node_queued").count(), 6);
}

#[tokio::test]
async fn a_loop_maps_its_body_over_items_in_order_with_per_item_paths() {
    let (report, events) = run_plain(json!({
        "inputs": {"words": {"type": "array", "default": ["a", "bb", "ccc", "dddd"]}},
        "outputs": {"results": {"from": "map.results"}},
        "nodes": [{
            "id": "map", "kind": "loop",
            "config": {"items": "run.words", "collect": "shout.text", "concurrency": 2},
            "body": {"nodes": [tool("shout", "text_template", json!({"template": "{{ index }}:{{ item | upper }}"}))]}
        }],
    }))
    .await;
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.error);
    assert_eq!(report.outputs["results"], json!(["0:A", "1:BB", "2:CCC", "3:DDDD"]));
    assert!(succeeded_at(&events, "map/2/shout").is_some());
    let iterations = events.iter().filter(|e| matches!(e.kind, RunEvent::LoopIteration { .. })).count();
    assert_eq!(iterations, 4);
}

#[tokio::test]
async fn loop_item_failures_follow_on_item_error() {
    let document = |policy: &str| {
        json!({
            "inputs": {"patterns": {"type": "array", "default": ["a+", "(", "b"]}},
            "outputs": {"results": {"from": "map.results"}, "errors": {"from": "map.errors"}},
            "nodes": [{
                "id": "map", "kind": "loop",
                "config": {"items": "run.patterns", "collect": "find.first", "on_item_error": policy},
                "body": {"nodes": [tool("find", "regex_extract", json!({"pattern": "{{ item }}", "text": "aab"}))]}
            }],
        })
    };
    let (collected, _) = run_plain(document("collect")).await;
    assert_eq!(collected.outputs["results"], json!(["aa", null, "b"]));
    assert_eq!(collected.outputs["errors"][0]["index"], json!(1));
    let (skipped_items, _) = run_plain(document("skip")).await;
    assert_eq!(skipped_items.outputs["results"], json!(["aa", "b"]));
    let (failed, _) = run_plain(document("fail")).await;
    assert_eq!(failed.status, RunStatus::Failed);
    assert!(failed.error.as_deref().is_some_and(|e| e.contains("item 1")), "{:?}", failed.error);
}

#[tokio::test(start_paused = true)]
async fn parallel_first_takes_the_fastest_branch_and_cancels_the_rest() {
    let (report, events) = run_plain(json!({
        "outputs": {"winner": {"from": "race.winner"}},
        "nodes": [{
            "id": "race", "kind": "parallel",
            "config": {"branches": {"slow": "slow.out", "fast": "fast.out"}, "mode": "first"},
            "body": {"nodes": [wait("slow", "5s"), wait("fast", "20ms")]}
        }],
    }))
    .await;
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.error);
    assert_eq!(report.outputs["winner"], json!("fast"));
    assert_eq!(report.elapsed, Duration::from_millis(20), "the slow branch was cancelled, not awaited");
    assert!(skipped(&events).contains(&"race/0/slow".to_owned()));
}

#[tokio::test]
async fn parallel_all_waits_for_every_branch() {
    let (report, _) = run_plain(json!({
        "outputs": {"results": {"from": "both.results"}},
        "nodes": [{
            "id": "both", "kind": "parallel",
            "config": {"branches": {"x": "x.text", "y": "y.text"}},
            "body": {"nodes": [
                tool("x", "text_template", json!({"template": "X"})),
                tool("y", "text_template", json!({"template": "Y"})),
            ]}
        }],
    }))
    .await;
    assert_eq!(report.outputs["results"], json!({"x": "X", "y": "Y"}));
}

#[tokio::test]
async fn recursive_carries_state_until_it_converges_or_hits_the_limit() {
    let document = |max: u32| {
        json!({
            "outputs": {"state": {"from": "grow.state"}, "converged": {"from": "grow.converged"}, "n": {"from": "grow.iterations"}},
            "nodes": [
                tool("seed", "text_template", json!({"template": "x"})),
                {
                    "id": "grow", "kind": "recursive",
                    "config": {"next": "more.text", "until": "state | length >= 4", "max_iterations": max},
                    "body": {"nodes": [tool("more", "text_template", json!({"template": "{{ state }}x"}))]}
                }
            ],
            "edges": [edge("seed.text", "grow.initial")],
        })
    };
    let (converged, events) = run_plain(document(10)).await;
    assert_eq!(converged.outputs["state"], json!("xxxx"));
    assert_eq!((converged.outputs["converged"].clone(), converged.outputs["n"].clone()), (json!(true), json!(3)));
    assert!(succeeded_at(&events, "grow/2/more").is_some(), "every iteration is visible");
    let (limited, _) = run_plain(document(2)).await;
    assert_eq!((limited.outputs["state"].clone(), limited.outputs["converged"].clone()), (json!("xxx"), json!(false)));
}

#[tokio::test]
async fn a_100k_node_chain_runs_with_default_stack_sizes() {
    let n = 100_000;
    let nodes: Vec<Value> = (0..n).map(|i| wait(&format!("n{i}"), "0s")).collect();
    let edges: Vec<Value> = (1..n).map(|i| edge(&format!("n{}.out", i - 1), &format!("n{i}.in"))).collect();
    let prepared = prepare(json!({"nodes": nodes, "edges": edges}));
    // A plain thread with the default 2 MiB stack drives the run.
    let report = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        runtime.block_on(floe_engine::run::run(&prepared, Default::default())).map(|r| r.status).ok()
    })
    .join()
    .ok()
    .flatten();
    assert_eq!(report, Some(RunStatus::Succeeded));
}

fn code(id: &str, source: &str, extra: Value) -> Value {
    let mut config = json!({"source": source});
    if let (Some(config), Some(extra)) = (config.as_object_mut(), extra.as_object()) {
        config.extend(extra.clone());
    }
    json!({"id": id, "kind": "code", "config": config})
}

async fn run_code(source: &str, extra: Value) -> (floe_engine::run::RunReport, Vec<floe_engine::events::Event>) {
    run_plain(json!({
        "inputs": {"rows": {"type": "array", "default": [{"amount": 50}, {"amount": 150}, {"amount": 300}]}},
        "outputs": {"result": {"from": "js.result"}},
        "nodes": [code("js", source, extra)],
    }))
    .await
}

fn sandbox_error(events: &[floe_engine::events::Event]) -> String {
    events
        .iter()
        .find_map(|e| match &e.kind {
            RunEvent::NodeFailed { error, .. } => {
                assert_eq!(error.class, floe_blueprint::ErrorClass::Sandbox);
                Some(error.message.clone())
            }
            _ => None,
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn code_returns_its_last_expression_or_top_level_return_as_json() {
    let (report, _) = run_code("run.rows.filter(r => r.amount > 100).length", json!({})).await;
    assert_eq!(report.outputs["result"], json!(2));
    let (report, _) =
        run_code("const big = run.rows.filter(r => r.amount > 100);\nreturn {count: big.length};", json!({})).await;
    assert_eq!(report.outputs["result"], json!({"count": 2}));
}

#[tokio::test]
async fn code_exceptions_name_the_message_and_line() {
    let (report, events) = run_code("const a = 1;\nthrow new Error('bad row');", json!({})).await;
    assert_eq!(report.status, RunStatus::Failed);
    let message = sandbox_error(&events);
    assert!(message.contains("bad row") && message.contains("line 2"), "{message}");
}

#[tokio::test]
async fn code_past_its_time_limit_is_interrupted() {
    let (report, events) = run_code("while (true) {}", json!({"timeout": "200ms"})).await;
    assert_eq!(report.status, RunStatus::Failed);
    assert!(sandbox_error(&events).contains("time limit"), "{}", sandbox_error(&events));
}

#[tokio::test]
async fn code_over_its_memory_limit_fails_clearly() {
    let (report, events) =
        run_code("const a = []; while (true) { a.push(new Array(100000).fill(1)); }", json!({"memory_mb": 8})).await;
    assert_eq!(report.status, RunStatus::Failed);
    assert!(sandbox_error(&events).contains("memory"), "{}", sandbox_error(&events));
}

#[tokio::test]
async fn code_has_no_file_system_or_network() {
    for probe in ["typeof require", "typeof fetch", "typeof std", "typeof os", "typeof XMLHttpRequest"] {
        let (report, _) = run_code(probe, json!({})).await;
        assert_eq!(report.outputs["result"], json!("undefined"), "{probe}");
    }
}

#[tokio::test]
async fn templates_and_expressions_are_compiled_once_per_plan_not_per_item() {
    // Templates, a sole expression, a condition and the loop's own expression, over 30 items.
    let document = json!({
        "inputs": {"n": {"type": "integer", "default": 30}},
        "outputs": {"results": {"from": "map.results"}},
        "nodes": [{
            "id": "map", "kind": "loop",
            "config": {"items": "range(run.n) | list", "collect": "label.text", "concurrency": 3},
            "body": {
                "nodes": [
                    {"id": "check", "kind": "condition", "config": {"expression": "item % 2 == 0"}},
                    tool("label", "text_template", json!({"template": "{{ index }}: {% if item % 2 %}odd{% else %}even{% endif %}"})),
                    tool("twice", "json_query", json!({"query": ".", "input": "{{ item * 2 }}"})),
                ],
                "edges": [{"from": "check.true", "to": "twice"}],
            }
        }],
    });
    let prepared = prepare(document);
    for _ in 0..2 {
        let report = floe_engine::run::run(&prepared, Default::default()).await.expect("runs");
        assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.error);
        assert_eq!(report.outputs["results"][7], json!("7: odd"));
    }
    assert!(prepared.templates.len() >= 4, "{:?}", prepared.templates);
    assert_eq!(prepared.templates.misses(), 0, "a template or expression was compiled at run time");
}

#[tokio::test]
async fn tool_calls_read_once_per_plan_answer_as_rendered_ones_do() {
    // Static args are read (and the filter compiled) once per plan; templated ones each time.
    let document = json!({
        "inputs": {"x": {"type": "object", "default": {"n": 2}}},
        "outputs": {
            "fixed": {"from": "fixed.result"}, "given": {"from": "given.result"},
            "templated": {"from": "templated.result"}, "many": {"from": "many.result"},
            "text": {"from": "text.text"},
        },
        "nodes": [
            tool("source", "json_query", json!({"query": "{n: 41}"})),
            tool("fixed", "json_query", json!({"query": ".n + 1"})),
            tool("given", "json_query", json!({"query": ".n * 10", "input": {"n": 5}})),
            tool("templated", "json_query", json!({"query": ".n + 1", "input": "{{ run.x }}"})),
            tool("many", "json_query", json!({"query": ".n, .n"})),
            tool("text", "text_template", json!({"template": "{{ inputs.in }}!"})),
        ],
        "edges": [edge("source.result", "fixed.in"), edge("source.result", "many.in"), edge("fixed.result", "text.in")],
    });
    let prepared = prepare(document);
    for _ in 0..2 {
        let (report, _) = run_with(&prepared, json!({}), RunControl::new()).await;
        assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.error);
        let outputs = json!(report.outputs);
        assert_eq!(outputs, json!({"fixed": 42, "given": 50, "templated": 3, "many": [41, 41], "text": "42!"}));
    }
    // A filter that does not compile is reported by the node that runs it, as it always was.
    let (report, events) = run_plain(json!({"nodes": [tool("broken", "json_query", json!({"query": ".n +"}))]})).await;
    assert_eq!(report.status, RunStatus::Failed);
    let failure = events.iter().find_map(|e| match &e.kind {
        RunEvent::NodeFailed { node, error, .. } if node.as_ref() == "broken" => Some(error.message.clone()),
        _ => None,
    });
    assert!(failure.as_deref().is_some_and(|m| m.contains("does not parse as a jq filter")), "{failure:?}");
}

#[tokio::test]
async fn code_keeps_no_state_across_loop_items_or_runs() {
    // Each item tries to leave something behind for the next: a global, a change to a built-in
    // prototype, a property on its own function; and counts what earlier ones left.
    let script = "const seen = [typeof counter === 'number' ? counter : 0, [].leak || 0, arguments.callee.calls || 0];\n\
                  counter = (typeof counter === 'number' ? counter : 0) + 1;\n\
                  Array.prototype.leak = 1; arguments.callee.calls = 1;\n\
                  ({item, seen})";
    let document = json!({
        "inputs": {"items": {"type": "array", "default": [1, 2, 3, 4, 5]}},
        "outputs": {"results": {"from": "map.results"}},
        "nodes": [{
            "id": "map", "kind": "loop",
            "config": {"items": "run.items", "collect": "js.result", "concurrency": 1},
            "body": {"nodes": [code("js", script, json!({}))]}
        }],
    });
    let prepared = prepare(document);
    let expected: Vec<Value> = (1..=5).map(|item| json!({"item": item, "seen": [0, 0, 0]})).collect();
    for _ in 0..2 {
        let report = floe_engine::run::run(&prepared, Default::default()).await.expect("runs");
        assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.error);
        assert_eq!(report.outputs["results"], json!(expected));
    }
}

/// Cancels the run when `node` is announced as started.
struct CancelWhenStarted {
    node: &'static str,
    control: RunControl,
}

impl floe_engine::events::EventSink for CancelWhenStarted {
    fn emit(&self, events: &[floe_engine::events::Event]) {
        if events.iter().any(|e| matches!(&e.kind, RunEvent::NodeStarted { node, .. } if node.as_ref() == self.node)) {
            self.control.cancel("stop");
        }
    }
}

#[tokio::test]
async fn cancelling_interrupts_a_running_script() {
    // The script would spin for its whole minute if the cancel did not interrupt it, and the
    // test's runtime waits for blocking work when it shuts down: a missed interrupt cannot pass.
    let prepared = prepare(json!({"nodes": [code("spin", "while (true) {}", json!({"timeout": "60s"}))]}));
    let control = RunControl::new();
    let options = floe_engine::run::RunOptions {
        sink: std::sync::Arc::new(CancelWhenStarted { node: "spin", control: control.clone() }),
        control,
        ..Default::default()
    };
    let report = floe_engine::run::run(&prepared, options).await.expect("runs");
    assert_eq!(report.status, RunStatus::Cancelled);
    assert_eq!(report.error.as_deref(), Some("stop"));
}

fn approval_gate(extra: Value) -> Value {
    let mut config = json!({"message": "Ship {{ inputs.in }}?"});
    if let (Some(config), Some(extra)) = (config.as_object_mut(), extra.as_object()) {
        config.extend(extra.clone());
    }
    json!({
        "outputs": {"shipped": {"from": "ship.text"}, "archived": {"from": "archive.text"}},
        "nodes": [
            tool("draft", "text_template", json!({"template": "v1"})),
            {"id": "review", "kind": "approval", "config": config},
            tool("ship", "text_template", json!({"template": "shipped {{ inputs.in }}"})),
            tool("archive", "text_template", json!({"template": "archived {{ inputs.in.value }}: {{ inputs.in.comment }}"})),
        ],
        "edges": [edge("draft.text", "review.in"), edge("review.approved", "ship.in"), edge("review.rejected", "archive.in")],
    })
}

async fn run_with_approvals(
    document: Value,
    decide: impl FnOnce(floe_engine::run::approvals::MemoryApprovals) + Send + 'static,
) -> (floe_engine::run::RunReport, Vec<floe_engine::events::Event>) {
    let approvals = floe_engine::run::approvals::MemoryApprovals::new();
    let reviewer = approvals.clone();
    tokio::spawn(async move {
        reviewer.requested().await;
        decide(reviewer);
    });
    let recorder = floe_engine::events::Recorder::new();
    let options = floe_engine::run::RunOptions {
        sink: std::sync::Arc::new(recorder.clone()),
        approvals: std::sync::Arc::new(approvals),
        ..Default::default()
    };
    let report = floe_engine::run::run(&prepare(document), options).await.expect("runs");
    (report, recorder.events())
}

#[tokio::test]
async fn an_approval_waits_for_a_person_and_routes_the_edited_value() {
    use floe_engine::run::approvals::Decision;
    let (report, events) = run_with_approvals(approval_gate(json!({})), |approvals| {
        assert_eq!(approvals.pending()[0].prompt, "Ship v1?");
        approvals.decide("review", Decision::Approved { value: json!("v2"), comment: None, scope: Default::default() });
    })
    .await;
    assert_eq!(report.outputs["shipped"], json!("shipped v2"));
    assert_eq!(skipped(&events), ["archive"]);
    assert!(kinds(&events).contains(&"node_waiting".to_owned()));
}

#[tokio::test]
async fn a_rejection_takes_the_rejected_port_with_the_comment() {
    use floe_engine::run::approvals::Decision;
    let (report, events) = run_with_approvals(approval_gate(json!({})), |approvals| {
        approvals.decide("review", Decision::Rejected { comment: Some("too early".into()) });
    })
    .await;
    assert_eq!(report.outputs["archived"], json!("archived v1: too early"));
    assert_eq!(skipped(&events), ["ship"]);
}

#[tokio::test]
async fn an_unanswered_approval_follows_on_timeout() {
    let (rejected, _) = run_plain(approval_gate(json!({"timeout": "100ms", "on_timeout": "reject"}))).await;
    assert_eq!(rejected.outputs["archived"], json!("archived v1: no answer before the timeout"));
    let (failed, _) = run_plain(approval_gate(json!({"timeout": "100ms"}))).await;
    assert_eq!(failed.status, RunStatus::Failed);
    assert!(failed.error.as_deref().is_some_and(|e| e.contains("on_timeout")), "{:?}", failed.error);
}

/// An executor that panics, standing in for a bug in any executor.
struct Panics;

impl floe_engine::exec::Executor for Panics {
    fn execute(
        &self,
        _: floe_engine::exec::NodeCtx,
    ) -> futures::future::BoxFuture<'static, Result<floe_engine::template::Outputs, floe_engine::exec::NodeError>> {
        Box::pin(async { panic!("index out of bounds in a broken executor") })
    }
}

#[tokio::test]
async fn a_panicking_node_becomes_a_failed_node_and_the_run_goes_on() {
    let document = json!({
        "run": {"on_failure": "continue_possible"},
        "nodes": [{"id": "boom", "kind": "code", "config": {"source": "1"}}, wait("fine", "10ms")],
    });
    let plan = prepare(document).plan.as_ref().clone();
    let executors = floe_engine::run::Executors::from([(
        "code".to_owned(),
        std::sync::Arc::new(Panics) as std::sync::Arc<dyn floe_engine::exec::Executor>,
    )]);
    let prepared = floe_engine::run::Prepared::with_executors(plan, &executors);
    let (report, events) = run_with(&prepared, json!({}), RunControl::new()).await;
    assert_eq!(report.status, RunStatus::Failed);
    let message = events
        .iter()
        .find_map(|e| match &e.kind {
            RunEvent::NodeFailed { error, .. } => Some(error.message.clone()),
            _ => None,
        })
        .unwrap_or_default();
    assert!(message.contains("crashed") && message.contains("index out of bounds"), "{message}");
    assert!(outputs_of(&events, "fine").is_some(), "the rest of the run went on");
}

#[tokio::test(start_paused = true)]
async fn parallel_quorum_finishes_once_enough_branches_succeeded() {
    let (report, events) = run_plain(json!({
        "outputs": {"results": {"from": "vote.results"}},
        "nodes": [{
            "id": "vote", "kind": "parallel",
            "config": {"branches": {"a": "a.out", "b": "b.out", "c": "c.out"}, "mode": "quorum", "quorum": 2},
            "body": {"nodes": [wait("a", "10ms"), wait("b", "30ms"), wait("c", "5s")]}
        }],
    }))
    .await;
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.error);
    let results = report.outputs["results"].as_object().map(|r| r.keys().cloned().collect::<Vec<_>>());
    assert_eq!(results, Some(vec!["a".to_owned(), "b".to_owned()]));
    assert_eq!(report.elapsed, Duration::from_millis(30), "the third branch was cancelled, not awaited");
    assert!(skipped(&events).contains(&"vote/0/c".to_owned()));
}

#[tokio::test(start_paused = true)]
async fn a_named_pool_bounds_its_nodes_across_the_run() {
    // Eight sleeps, run concurrency 64, but the `tool:sleep` pool allows two at a time.
    let prepared = prepare(json!({"nodes": (0..8).map(|i| wait(&format!("n{i}"), "100ms")).collect::<Vec<_>>()}));
    let options = floe_engine::run::RunOptions {
        pools: std::collections::HashMap::from([("tool:sleep".to_owned(), 2)]),
        ..Default::default()
    };
    let report = floe_engine::run::run(&prepared, options).await.expect("runs");
    assert_eq!(report.status, RunStatus::Succeeded);
    assert_eq!(report.elapsed, Duration::from_millis(400), "two at a time");
}

#[tokio::test]
async fn cancelling_aborts_an_http_request_in_flight() {
    // A loopback server that reads the request, never answers, and reports when the client hangs
    // up: the cancel must close the connection while the request waits for its reply.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let url = format!("http://{}/slow", listener.local_addr().expect("address"));
    let (received, request_arrived) = tokio::sync::oneshot::channel();
    let server = tokio::spawn(async move {
        use tokio::io::AsyncReadExt;
        let (mut socket, _) = listener.accept().await.expect("a connection");
        let mut buffer = vec![0; 4096];
        let _ = socket.read(&mut buffer).await;
        let _ = received.send(());
        // Read until the client closes its end (0 bytes) or resets it.
        while socket.read(&mut buffer).await.is_ok_and(|n| n > 0) {}
    });
    let prepared = prepare(json!({"nodes": [tool("slow", "http_request", json!({"url": url, "timeout": "60s"}))]}));
    let control = RunControl::new();
    let canceller = control.clone();
    tokio::spawn(async move {
        if request_arrived.await.is_ok() {
            canceller.cancel("stop");
        }
    });
    let (report, _) = run_with(&prepared, json!({}), control).await;
    assert_eq!(report.status, RunStatus::Cancelled);
    server.await.expect("the client hung up: the request in flight was aborted");
}

#[tokio::test]
async fn list_files_finds_workspace_files_by_glob_sorted() {
    let dir = std::env::temp_dir().join(format!("floe-list-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for file in ["b.csv", "a.csv", "notes.txt", "sub/c.csv"] {
        let path = dir.join(file);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("folder");
        std::fs::write(path, "x").expect("file");
    }
    let prepared = prepare(json!({
        "run": {"on_failure": "continue_possible"},
        "outputs": {"top": {"from": "top.files"}, "all": {"from": "all.files"}},
        "nodes": [
            tool("top", "list_files", json!({"glob": "*.csv"})),
            tool("all", "list_files", json!({"glob": "*.csv", "recursive": true})),
            tool("out", "list_files", json!({"dir": ".."})),
        ],
    }));
    let options = floe_engine::run::RunOptions { workspace: dir.clone(), ..Default::default() };
    let report = floe_engine::run::run(&prepared, options).await.expect("runs");
    assert_eq!(report.outputs["top"], json!(["a.csv", "b.csv"]));
    assert_eq!(report.outputs["all"], json!(["a.csv", "b.csv", "sub/c.csv"]));
    assert_eq!(report.status, RunStatus::Failed, "`..` leaves the workspace");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(start_paused = true)]
async fn a_port_fed_by_several_edges_takes_the_first_edge_in_document_order() {
    let (report, _) = run_plain(json!({
        "outputs": {"got": {"from": "t.out"}},
        "nodes": [
            tool("slow_src", "text_template", json!({"template": "from the first edge"})),
            {"id": "slow", "kind": "tool", "config": {"tool": "sleep", "args": {"duration": "80ms"}}},
            tool("fast", "text_template", json!({"template": "from the second edge"})),
            wait("t", "0s"),
        ],
        "edges": [edge("slow_src.text", "slow.in"), edge("slow.out", "t.in"), edge("fast.text", "t.in")],
    }))
    .await;
    assert_eq!(report.outputs["got"], json!("from the first edge"), "document order, not arrival order");
}

#[tokio::test]
async fn each_node_takes_its_own_ports_values_when_many_nodes_take_several() {
    // Ports are delivered by slot in one row for the whole scope: each node must see its own
    // slots, and a skipped node's delivered values must not leak into its neighbours'.
    let join = |id: &str, ports: &[&str]| {
        let template = ports.iter().map(|p| format!("{{{{ inputs.{p} }}}}")).collect::<Vec<_>>().join("-");
        let inputs: Vec<Value> = ports.iter().map(|p| json!({"name": p})).collect();
        json!({"id": id, "kind": "tool", "inputs": inputs, "config": {"tool": "text_template", "args": {"template": template}}})
    };
    let (report, events) = run_plain(json!({
        "outputs": {"x": {"from": "x.text"}, "y": {"from": "y.text"}, "z": {"from": "z.text"}},
        "nodes": [
            tool("one", "text_template", json!({"template": "1"})),
            tool("two", "text_template", json!({"template": "2"})),
            tool("three", "text_template", json!({"template": "3"})),
            {"id": "never", "kind": "condition", "config": {"expression": "false"}},
            join("x", &["a", "b"]),
            join("skipped", &["a", "b"]),
            join("y", &["a", "b", "c"]),
            join("z", &["b", "a"]),
        ],
        "edges": [
            edge("one.text", "x.a"), edge("two.text", "x.b"),
            edge("three.text", "skipped.a"), edge("never.true", "skipped.b"),
            edge("three.text", "y.a"), edge("one.text", "y.b"), edge("two.text", "y.c"),
            edge("two.text", "z.a"), edge("three.text", "z.b"),
        ],
    }))
    .await;
    assert_eq!(report.status, RunStatus::Succeeded, "{report:?}");
    assert_eq!(skipped(&events), ["skipped"]);
    assert_eq!(report.outputs["x"], json!("1-2"));
    assert_eq!(report.outputs["y"], json!("3-1-2"));
    assert_eq!(report.outputs["z"], json!("3-2"), "declared b, a; fed a from two, b from three");
}
