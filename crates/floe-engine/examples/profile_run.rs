//! Profiling aid: runs a generated graph (`support/graphs.rs`) and prints the time per node:
//! `cargo run --release -p floe-engine --example profile_run [shape] [nodes] [runs] [work] [mode]`,
//! e.g. `… profile_run chain 10000 20 code journaled`. Modes: in memory (none given); `journaled`
//! into a SQLite file, as `floe run` does; and, to split what journaling costs, `keys` (in memory
//! with result keys) and `discard` (serialised for a journal that drops every segment).
#![allow(clippy::print_stderr)]

use std::time::Instant;

#[path = "../benches/support/graphs.rs"]
mod graphs;

use std::sync::Arc;

use floe_engine::run::{Journal, JournalError, RunOptions, Segment, run};
use floe_engine::store::Store;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let shape = args.get(1).map_or("chain", String::as_str);
    let n: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let runs: usize = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(20);
    let work = graphs::Work::parse(args.get(4).map_or("pass", String::as_str))
        .expect("a work: pass, code, json_query or text_template");
    let mode = args.get(5).map_or("", String::as_str);
    let compiling = Instant::now();
    let prepared = graphs::prepare(work, shape, n);
    eprintln!("compiled and prepared in {:?}", compiling.elapsed());
    let expected = graphs::expected(work, shape, n);
    // `FLOE_RUNTIME=current`: one thread; `one-worker`: the caller's thread and one worker, as
    // `floe run` runs; else tokio's multi-threaded runtime with a worker per core.
    let runtime = match std::env::var("FLOE_RUNTIME").as_deref() {
        Ok("current") => tokio::runtime::Builder::new_current_thread().enable_all().build(),
        Ok("one-worker") => tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build(),
        _ => tokio::runtime::Builder::new_multi_thread().enable_all().build(),
    }
    .expect("runtime");
    let folder = std::env::temp_dir().join(format!("floe-profile-{}", std::process::id()));
    let store = runtime.block_on(Store::open(&folder.join("profile.db"))).expect("store opens");
    let mut times = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let report = runtime.block_on(async {
            let options = match mode {
                "journaled" => graphs::journaled(&store, &prepared).await,
                "keys" => RunOptions { keys: true, ..RunOptions::default() },
                "discard" => RunOptions { keys: true, journal: Arc::new(Discard), ..RunOptions::default() },
                "" => RunOptions::default(),
                other => panic!("no mode {other}: journaled, keys or discard"),
            };
            run(&prepared, options).await.expect("runs")
        });
        times.push(start.elapsed());
        assert_eq!(report.outputs.get("result"), Some(&expected), "{report:?}");
    }
    times.sort();
    let median = times[times.len() / 2];
    let per_node = |time: std::time::Duration| time.as_secs_f64() * 1e6 / n as f64;
    eprintln!(
        "{} {shape} {n}{}: median {median:?} ({:.2} µs/node), first quartile {:.2} µs/node, min {:?}",
        work.name(),
        if mode.is_empty() { String::new() } else { format!(" {mode}") },
        per_node(median),
        per_node(times[times.len() / 4]),
        times[0]
    );
    let _ = std::fs::remove_dir_all(&folder);
}

/// A durable-looking journal that stores nothing: the scheduler's side of journaling alone.
struct Discard;

impl Journal for Discard {
    fn append<'a>(&'a self, _: &'a Segment) -> futures::future::BoxFuture<'a, Result<(), JournalError>> {
        Box::pin(async { Ok(()) })
    }
}
