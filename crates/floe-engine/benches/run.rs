//! Engine throughput, in memory and journaled into a SQLite file, for N = 1,000 and 10,000 nodes
//! in the shapes of `support/graphs.rs`: chain, fan-out, layered 100-wide, and (pass-through
//! only) a join taking each branch on a port of its own.
//!
//! - Pass-through nodes (`sleep` of 0s), next to a floor measured in the same run: one plain
//!   tokio task per node, wired with oneshot channels, doing nothing else. Targets: in memory
//!   ≥ 300k nodes/s on every 10k shape; journaled ≥ 50k nodes/s; the join on ports within 1.5×
//!   the chain's µs/node.
//! - Real work: `code`, `json_query` and `text_template` nodes each computing `{n: in.n + 1}`;
//!   every iteration checks the final value. Targets at 10k: `json_query` and `text_template`
//!   ≤ 5 µs/node, `code` ≤ 20 µs/node; journaled ≥ 0.7× in memory.
//!
//! Everywhere: µs/node at 10k ÷ µs/node at 1k ≤ 1.5. `FLOE_BENCH_WORK=code,json_query` measures
//! only those kinds.

use std::hint::black_box;
use std::sync::Arc;

#[path = "support/graphs.rs"]
mod graphs;

use graphs::Work;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use floe_engine::run::{Prepared, RunOptions, RunReport, run};
use floe_engine::store::Store;
use serde_json::{Value, json};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The floor: a tokio task per node that waits for its inputs and passes a value on.
async fn floor(nodes: usize, edges: &[(usize, usize)]) {
    let mut senders: Vec<Vec<tokio::sync::oneshot::Sender<Arc<Value>>>> = (0..nodes).map(|_| Vec::new()).collect();
    let mut receivers: Vec<Vec<tokio::sync::oneshot::Receiver<Arc<Value>>>> = (0..nodes).map(|_| Vec::new()).collect();
    for &(a, b) in edges {
        let (tx, rx) = tokio::sync::oneshot::channel();
        senders[a].push(tx);
        receivers[b].push(rx);
    }
    let mut tasks = tokio::task::JoinSet::new();
    for (inputs, outputs) in receivers.into_iter().zip(senders) {
        tasks.spawn(async move {
            let mut value = Arc::new(json!({"v": 1}));
            for input in inputs {
                if let Ok(v) = input.await {
                    value = v;
                }
            }
            for output in outputs {
                let _ = output.send(value.clone());
            }
        });
    }
    while tasks.join_next().await.is_some() {}
}

/// A run of `prepared` in memory, or journaled into `store` (as `floe run` does), checked.
async fn run_checked(prepared: &Prepared, store: Option<&Store>, expected: &Value) -> RunReport {
    let options = match store {
        None => RunOptions::default(),
        Some(store) => graphs::journaled(store, prepared).await,
    };
    let report = run(prepared, options).await.expect("runs");
    assert_eq!(report.outputs.get("result"), Some(expected), "the run computed the wrong value: {report:?}");
    report
}

fn throughput(c: &mut Criterion) {
    // As `floe run` runs: the scheduler on the calling thread, one worker beside it for the
    // journal's writer (`crates/floe-cli/src/run.rs`, `runtime`).
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
    // The journaled runs write to a real SQLite file (WAL), as `floe run` does.
    let folder = std::env::temp_dir().join(format!("floe-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    let store = runtime.block_on(Store::open(&folder.join("bench.db"))).expect("store opens");
    // Only these works (`FLOE_BENCH_WORK=code,pass`), to measure one kind quickly.
    let only = std::env::var("FLOE_BENCH_WORK").ok();
    let chosen = |work: Work| only.as_deref().is_none_or(|only| only.split(',').any(|w| w == work.name()));
    let mut group = c.benchmark_group("run");
    group.sample_size(10);
    group.warm_up_time(std::time::Duration::from_secs(1));
    for work in Work::ALL.into_iter().filter(|&w| chosen(w)) {
        let shapes: &[&str] =
            if work == Work::Pass { &["chain", "fanout", "layered", "ports"] } else { &["chain", "fanout", "layered"] };
        for &shape in shapes {
            for n in [1_000, 10_000] {
                let prepared = graphs::prepare(work, shape, n);
                let expected = graphs::expected(work, shape, n);
                // Pass-through keeps its old names (`chain/engine`), so figures compare across commits.
                let name = |mode: &str| match work {
                    Work::Pass => format!("{shape}/{mode}"),
                    _ => format!("{}/{shape}/{mode}", work.name()),
                };
                group.throughput(Throughput::Elements(n as u64));
                group.bench_with_input(BenchmarkId::new(name("engine"), n), &prepared, |b, prepared| {
                    b.to_async(&runtime).iter(|| async { black_box(run_checked(prepared, None, &expected).await) })
                });
                group.bench_with_input(BenchmarkId::new(name("journaled"), n), &prepared, |b, prepared| {
                    b.to_async(&runtime)
                        .iter(|| async { black_box(run_checked(prepared, Some(&store), &expected).await) })
                });
                if work == Work::Pass && shape != "ports" {
                    let edges = graphs::edges(shape, n);
                    group.bench_with_input(BenchmarkId::new(format!("{shape}/floor"), n), &edges, |b, edges| {
                        b.to_async(&runtime).iter(|| floor(n, edges))
                    });
                }
            }
        }
    }
    group.finish();
    let _ = std::fs::remove_dir_all(&folder);
}

criterion_group!(benches, throughput);
criterion_main!(benches);
