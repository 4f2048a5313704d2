//! Engine throughput on trivial pass-through nodes (`sleep` of 0s, each passing a small JSON
//! value on), next to a floor measured in the same run: one plain tokio task per node, wired
//! with oneshot channels, doing nothing else. Shapes: chain-N, fan-out-N (one source, N
//! parallel, one join) and layered 100×100; N = 1,000 and 10,000. Targets: in memory ≥ 300k
//! nodes/s on every 10k shape, and µs/node at 10k ÷ µs/node at 1k ≤ 1.5; journaled in a SQLite
//! file ≥ 50k nodes/s.

use std::hint::black_box;
use std::sync::Arc;

#[path = "support/graphs.rs"]
mod graphs;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use floe_engine::run::{Prepared, RunOptions, run};
use floe_engine::store::{NewRun, Store};
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

fn new_run(id: &str, prepared: &Prepared) -> NewRun {
    NewRun {
        id: id.to_owned(),
        blueprint_id: prepared.plan.id().to_owned(),
        blueprint_name: prepared.plan.name().to_owned(),
        blueprint_path: None,
        blueprint_json: "{}".into(),
        hash: prepared.plan.hash().to_owned(),
        inputs: Default::default(),
        workspace: std::env::temp_dir(),
        parent: None,
        started_at: 0,
    }
}

fn throughput(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    // The journaled runs write to a real SQLite file (WAL), as `floe run` does.
    let folder = std::env::temp_dir().join(format!("floe-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    let store = runtime.block_on(Store::open(&folder.join("bench.db"))).expect("store opens");
    let mut group = c.benchmark_group("run");
    group.sample_size(10);
    for name in ["chain", "fanout", "layered"] {
        for n in [1_000, 10_000] {
            let (count, edges) = (n, graphs::edges(name, n));
            let prepared = graphs::prepare(count, &edges);
            group.throughput(Throughput::Elements(count as u64));
            group.bench_with_input(BenchmarkId::new(format!("{name}/engine"), n), &prepared, |b, prepared| {
                b.to_async(&runtime).iter(|| async {
                    let report = run(prepared, RunOptions::default()).await.expect("runs");
                    black_box(report)
                })
            });
            group.bench_with_input(BenchmarkId::new(format!("{name}/floor"), n), &edges, |b, edges| {
                b.to_async(&runtime).iter(|| floor(count, edges))
            });
            group.bench_with_input(BenchmarkId::new(format!("{name}/journaled"), n), &prepared, |b, prepared| {
                b.to_async(&runtime).iter(|| async {
                    let id = floe_engine::run::new_run_id();
                    store.create_run(&new_run(&id, prepared)).await.expect("run recorded");
                    let options = RunOptions {
                        run_id: Some(id.clone()),
                        journal: Arc::new(store.journal(&id)),
                        keys: true,
                        ..RunOptions::default()
                    };
                    black_box(run(prepared, options).await.expect("runs"))
                })
            });
        }
    }
    group.finish();
    let _ = std::fs::remove_dir_all(&folder);
}

criterion_group!(benches, throughput);
criterion_main!(benches);
