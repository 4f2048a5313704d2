//! Model-node overheads against a loopback OpenAI server (`cargo bench -p floe-engine --bench models`):
//!
//! 1. Streaming: the time from a delta frame being handed to the server's socket to its
//!    `node_output_delta` event reaching a sink (p50 / p99 / max over 5 × 1,000 deltas, one per millisecond).
//! 2. Concurrency: 200 `llm` nodes, provider limit 8, 50 ms per call; total time against the
//!    ideal 200 / 8 × 50 ms, and the most calls the server saw at once.
#![allow(clippy::print_stdout)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use floe_blueprint::Catalog;
use floe_engine::events::{Event, EventSink, RunEvent, RunStatus};
use floe_engine::run::{Prepared, RunOptions, run};
use floe_fakes::{FakeServer, Reply, Vendor};
use floe_llm::settings::ProviderSettings;
use floe_llm::{Llm, Prices, Secret, Settings};
use serde_json::{Value, json};

/// Records when each delta event arrives.
#[derive(Default)]
struct DeltaClock(Mutex<Vec<Instant>>);

impl EventSink for DeltaClock {
    fn emit(&self, events: &[Event]) {
        let now = Instant::now();
        let deltas = events.iter().filter(|e| matches!(e.kind, RunEvent::NodeOutputDelta { .. })).count();
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).extend(std::iter::repeat_n(now, deltas));
    }
}

fn prepare(nodes: Vec<Value>) -> Prepared {
    let document = json!({"format": "floe.blueprint", "version": 1, "id": "bench", "name": "bench", "nodes": nodes});
    let checked = floe_compiler::check_parsed(
        floe_blueprint::parse_value(document),
        Catalog::builtin(),
        &floe_compiler::NoResolver,
        None,
    );
    Prepared::new(checked.plan.expect("bench blueprint compiles"))
}

fn llm(server: &FakeServer, concurrency: u32) -> Arc<Llm> {
    let mut settings = Settings::default();
    settings.providers.insert(
        "openai".into(),
        ProviderSettings { base_url: Some(server.base_url()), concurrency: Some(concurrency), ..Default::default() },
    );
    Arc::new(Llm::new(settings, Prices::builtin()).with_keys(Arc::new(|_| Some(Secret::new("sk-bench")))))
}

fn node(id: &str) -> Value {
    json!({"id": id, "kind": "llm", "config": {"model": "openai:gpt-4o-mini", "prompt": "go"}})
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn streaming() {
    let server = FakeServer::start(Vendor::Openai).await.expect("fake");
    server.set_pieces(1_000);
    server.set_piece_delay(Duration::from_millis(1));
    server.set_fallback(Reply::text(&"token ".repeat(1_000)));
    let prepared = prepare(vec![node("stream")]);
    let llm = llm(&server, 8);
    let mut overheads = Vec::new();
    for _ in 0..5 {
        let clock = Arc::new(DeltaClock::default());
        let before = server.sent_at().len();
        let options = RunOptions { sink: clock.clone(), llm: Some(llm.clone()), ..RunOptions::default() };
        let report = run(&prepared, options).await.expect("runs");
        assert_eq!(report.status, RunStatus::Succeeded);
        let sent = server.sent_at()[before..].to_vec();
        let received = clock.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
        assert_eq!(sent.len(), received.len(), "every delta frame became one event");
        overheads.extend(sent.iter().zip(&received).map(|(s, r)| r.saturating_duration_since(*s)));
    }
    overheads.sort();
    println!(
        "streaming: {} deltas, chunk → event p50 {:?}, p99 {:?}, max {:?} (target p99 < 1 ms)",
        overheads.len(),
        percentile(&overheads, 0.5),
        percentile(&overheads, 0.99),
        overheads.last().copied().unwrap_or_default()
    );
}

async fn concurrency() {
    let latency = Duration::from_millis(50);
    let server = FakeServer::start(Vendor::Openai).await.expect("fake");
    server.set_latency(latency);
    let prepared = prepare((0..200).map(|i| node(&format!("n{i}"))).collect());
    let llm = llm(&server, 8);
    for round in 1..=3 {
        let start = Instant::now();
        let options = RunOptions { llm: Some(llm.clone()), concurrency: 256, ..RunOptions::default() };
        let report = run(&prepared, options).await.expect("runs");
        let took = start.elapsed();
        assert_eq!(report.status, RunStatus::Succeeded);
        let ideal = latency * 200 / 8;
        println!(
            "concurrency round {round}: 200 calls, limit 8, 50 ms each: {took:?} vs ideal {ideal:?} ({:+.1}%), most in flight {}",
            (took.as_secs_f64() / ideal.as_secs_f64() - 1.0) * 100.0,
            server.max_in_flight()
        );
    }
}

fn main() {
    // `cargo test --benches` runs this with `--bench` absent: keep that quick.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        streaming().await;
        concurrency().await;
    });
}
