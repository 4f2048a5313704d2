//! Profiling aid: runs a chain, fan-out or layered graph of N pass-through nodes and prints the
//! time per node. `cargo run --release -p floe-engine --example profile_run chain 10000 [runs]`
#![allow(clippy::print_stderr)]

use std::time::Instant;

use floe_blueprint::Catalog;
use floe_engine::run::{Prepared, RunOptions, run};
use serde_json::{Value, json};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let shape = args.get(1).map_or("chain", String::as_str);
    let n: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let runs: usize = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(20);
    let edges: Vec<(usize, usize)> = match shape {
        "fanout" => (1..n - 1).flat_map(|i| [(0, i), (i, n - 1)]).collect(),
        "layered" => (100..n)
            .flat_map(|i| [((i / 100 - 1) * 100 + i % 100, i), ((i / 100 - 1) * 100 + (i + 1) % 100, i)])
            .collect(),
        _ => (1..n).map(|i| (i - 1, i)).collect(),
    };
    let nodes: Vec<Value> = (0..n)
        .map(
            |i| json!({"id": format!("n{i}"), "kind": "tool", "config": {"tool": "sleep", "args": {"duration": "0s"}}}),
        )
        .collect();
    let edges: Vec<Value> =
        edges.iter().map(|(a, b)| json!({"from": format!("n{a}.out"), "to": format!("n{b}.in")})).collect();
    let document =
        json!({"format": "floe.blueprint", "version": 1, "id": "p", "name": "p", "nodes": nodes, "edges": edges});
    let checked = floe_compiler::check_parsed(
        floe_blueprint::parse_value(document),
        Catalog::builtin(),
        &floe_compiler::NoResolver,
        None,
    );
    let prepared = Prepared::new(checked.plan.expect("compiles"));
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    let mut times = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let report = runtime.block_on(run(&prepared, RunOptions::default())).expect("runs");
        times.push(start.elapsed());
        assert_eq!(report.status, floe_engine::events::RunStatus::Succeeded);
    }
    times.sort();
    let median = times[times.len() / 2];
    eprintln!(
        "{shape} {n}: median {median:?} ({:.2} µs/node), min {:?}",
        median.as_secs_f64() * 1e6 / n as f64,
        times[0]
    );
}
