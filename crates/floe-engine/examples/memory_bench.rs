//! Memory figures on a real SQLite file: time for 10,000 writes one by one (each its own
//! transaction, as agents write) and the rest in batches of 1,000 (as an import does), keyword search latency (p50 /
//! p95 / max of 500 searches) over 100,000 memories, and the database's size per 100,000.
//! `cargo run --release -p floe-engine --example memory_bench [memories]` (default 100,000).
#![allow(clippy::print_stderr, clippy::print_stdout)]

use std::time::{Duration, Instant};

use floe_engine::store::{MemoryKind, NewMemory, Provenance, Store};
use serde_json::json;

/// Words drawn at random make the texts: about 40 distinct words per memory, a 2,000-word vocabulary.
fn vocabulary() -> Vec<String> {
    let stems = ["invoice", "login", "export", "refund", "plan", "printer", "password", "timeout", "report", "account"];
    (0..2000).map(|i| format!("{}{}", stems[i % stems.len()], i / stems.len())).collect()
}

fn text(words: &[String], rng: &mut fastrand::Rng) -> String {
    (0..40).map(|_| words[rng.usize(..words.len())].as_str()).collect::<Vec<_>>().join(" ")
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

#[tokio::main]
async fn main() {
    let total: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let dir = std::env::temp_dir().join(format!("floe-memory-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let path = dir.join("memory.db");
    let store = Store::open(&path).await.expect("store");
    store.set_memory_budget("bench", 1 << 40).await.expect("budget");
    let words = vocabulary();
    let mut rng = fastrand::Rng::with_seed(7);
    // A third are facts (superseding nothing: each customer is new), the rest episodes.
    let memory = |i: usize, rng: &mut fastrand::Rng| NewMemory {
        namespace: "bench".into(),
        kind: if i.is_multiple_of(3) { MemoryKind::Semantic } else { MemoryKind::Episodic },
        subject: i.is_multiple_of(3).then(|| format!("customer{i}")),
        attribute: i.is_multiple_of(3).then(|| "note".to_owned()),
        text: text(&words, rng),
        value: json!({"n": i}),
        tags: vec!["bench".into()],
        provenance: Provenance { run: Some("bench".into()), node: Some("write".into()) },
        call_key: Some(format!("bench/{i}")),
    };
    // 10,000 writes, timed; then the rest of the corpus.
    let started = Instant::now();
    for i in 0..10_000.min(total) {
        store.remember(&memory(i, &mut rng)).await.expect("written");
    }
    let writes = started.elapsed();
    eprintln!("10,000 writes: {writes:?} ({:.0} writes/s)", 10_000.0 / writes.as_secs_f64());
    // The rest as an import does it: a thousand per transaction.
    let started = Instant::now();
    let mut batched = 0;
    for chunk in (10_000..total).collect::<Vec<_>>().chunks(1000) {
        let batch: Vec<NewMemory> = chunk.iter().map(|&i| memory(i, &mut rng)).collect();
        store.remember_all(&batch).await.expect("written");
        batched += batch.len();
    }
    if batched > 0 {
        let took = started.elapsed();
        eprintln!(
            "{batched} writes in batches of 1,000: {took:?} ({:.0} writes/s)",
            batched as f64 / took.as_secs_f64()
        );
    }
    // Searches of 1–3 words, as an agent's recall asks.
    let mut times = Vec::new();
    let mut found = 0;
    for _ in 0..500 {
        let query =
            (0..rng.usize(1..=3)).map(|_| words[rng.usize(..words.len())].as_str()).collect::<Vec<_>>().join(" ");
        let started = Instant::now();
        found += store.search_memory("bench", &query, 10).await.expect("search").len();
        times.push(started.elapsed());
    }
    times.sort();
    let size: u64 = ["memory.db", "memory.db-wal"]
        .iter()
        .filter_map(|f| std::fs::metadata(dir.join(f)).ok())
        .map(|m| m.len())
        .sum();
    eprintln!(
        "keyword search over {total} memories: p50 {:?}, p95 {:?}, max {:?} ({:.1} hits per search)",
        percentile(&times, 0.5),
        percentile(&times, 0.95),
        times[times.len() - 1],
        found as f64 / times.len() as f64
    );
    eprintln!(
        "database: {:.1} MB for {total} memories ({:.1} MB per 100,000)",
        size as f64 / 1e6,
        size as f64 / 1e6 * 100_000.0 / total as f64
    );
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}
