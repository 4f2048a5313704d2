//! Heap use of a 10,000-node run, phase by phase (dhat's counting allocator):
//! `cargo run --release -p floe-engine --example memory_run [shape] [nodes] [work]` (shapes and
//! works of `support/graphs.rs`), or `… memory_run FILE` for a blueprint file.
#![allow(clippy::print_stderr)]

#[path = "../benches/support/graphs.rs"]
mod graphs;

use floe_blueprint::Catalog;
use floe_engine::run::{Prepared, RunOptions, run};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

fn report(phase: &str) {
    let stats = dhat::HeapStats::get();
    eprintln!(
        "{phase:<10} now {:>7.1} MB   peak so far {:>7.1} MB   blocks {:>8}",
        stats.curr_bytes as f64 / 1e6,
        stats.max_bytes as f64 / 1e6,
        stats.curr_blocks
    );
}

fn main() {
    // With FLOE_DHAT_FILE set, the allocation sites at the peak are written there (dh_view.html).
    let _profiler = match std::env::var("FLOE_DHAT_FILE") {
        Ok(file) => dhat::Profiler::builder().file_name(file).build(),
        Err(_) => dhat::Profiler::builder().testing().build(),
    };
    let args: Vec<String> = std::env::args().collect();
    let shape = args.get(1).map_or("chain", String::as_str);
    // A blueprint file instead of a generated shape: measures what `floe run FILE` holds.
    let text = if std::path::Path::new(shape).is_file() {
        std::fs::read_to_string(shape).expect("readable blueprint")
    } else {
        let n: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(10_000);
        graphs::document(
            graphs::Work::parse(args.get(3).map_or("pass", String::as_str))
                .expect("a work: pass, code, json_query or text_template"),
            shape,
            n,
        )
        .to_string()
    };
    report("text");
    let checked = floe_compiler::check_bytes(text.as_bytes(), Catalog::builtin(), &floe_compiler::NoResolver, None);
    drop(text);
    report("compiled");
    let prepared = Prepared::new(checked.plan.expect("compiles"));
    report("prepared");
    // FLOE_MEMORY_UNTIL=prepared: stop here with the prepared plan still alive, so dhat's
    // "bytes at end" are what the plan holds.
    if std::env::var("FLOE_MEMORY_UNTIL").as_deref() == Ok("prepared") {
        std::mem::forget(prepared);
        return;
    }
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let report_run = runtime.block_on(run(&prepared, RunOptions::default())).expect("runs");
    assert_eq!(report_run.status, floe_engine::events::RunStatus::Succeeded);
    report("ran");
    // The same run journaled in a SQLite file, as `floe run` does.
    let folder = std::env::temp_dir().join(format!("floe-memory-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    runtime.block_on(async {
        let store = floe_engine::store::Store::open(&folder.join("m.db")).await.expect("store");
        report("store");
        let options = graphs::journaled(&store, &prepared).await;
        let journaled = run(&prepared, options).await.expect("runs");
        assert_eq!(journaled.status, floe_engine::events::RunStatus::Succeeded);
    });
    report("journaled");
    let _ = std::fs::remove_dir_all(&folder);
}
