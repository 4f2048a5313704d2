//! Memory figures on a real SQLite file:
//! - 10,000 writes one at a time (each awaited before the next, as one agent writes);
//! - 10,000 writes from 16 writers at once (as parallel branches and runs write: committed together);
//! - the rest of the corpus in batches of 1,000 (as an import does);
//! - keyword search latency (p50 / p95 / max of 500 searches) over 100,000 memories;
//! - fused search latency (keyword + 384-dimension vectors, reciprocal rank fusion) over the same;
//! - the database's size per 100,000 memories, with and without the vectors.
//!
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

fn report(what: &str, total: usize, times: &mut [Duration], found: usize) {
    times.sort();
    eprintln!(
        "{what} over {total} memories: p50 {:?}, p95 {:?}, max {:?} ({:.1} hits per search)",
        percentile(times, 0.5),
        percentile(times, 0.95),
        times[times.len() - 1],
        found as f64 / times.len() as f64
    );
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
    // 10,000 writes one at a time.
    let one = 10_000.min(total);
    let started = Instant::now();
    for i in 0..one {
        store.remember(&memory(i, &mut rng)).await.expect("written");
    }
    let writes = started.elapsed();
    eprintln!("10,000 writes one at a time: {writes:?} ({:.0} writes/s)", one as f64 / writes.as_secs_f64());
    // The floor under a write: 10,000 reads of one row by id (one round trip each).
    let started = Instant::now();
    for id in 1..=one as i64 {
        store.memory(id).await.expect("read");
    }
    eprintln!("10,000 reads by id (a round trip each): {:?}", started.elapsed());
    // 10,000 more from 16 writers at once.
    let many = 20_000.min(total);
    let started = Instant::now();
    let writers: Vec<_> = (0..16)
        .map(|w| {
            let store = store.clone();
            let batch: Vec<NewMemory> = (one..many).filter(|i| i % 16 == w).map(|i| memory(i, &mut rng)).collect();
            tokio::spawn(async move {
                for new in &batch {
                    store.remember(new).await.expect("written");
                }
            })
        })
        .collect();
    for writer in writers {
        writer.await.expect("writer");
    }
    let writes = started.elapsed();
    eprintln!(
        "10,000 writes from 16 writers at once: {writes:?} ({:.0} writes/s)",
        (many - one) as f64 / writes.as_secs_f64()
    );
    // The rest as an import does it: a thousand per transaction.
    let started = Instant::now();
    let mut batched = 0;
    for chunk in (many..total).collect::<Vec<_>>().chunks(1000) {
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
    report("keyword search", total, &mut times, found);
    let size = || -> f64 {
        ["memory.db", "memory.db-wal"]
            .iter()
            .filter_map(|f| std::fs::metadata(dir.join(f)).ok())
            .map(|m| m.len() as f64 / 1e6)
            .sum()
    };
    let keyword_size = size();
    // Every memory embedded (384 dimensions, as all-MiniLM and friends make), then fused search.
    let random_vector = |rng: &mut fastrand::Rng| (0..384).map(|_| rng.f32() - 0.5).collect::<Vec<f32>>();
    let started = Instant::now();
    for id in 1..=total as i64 {
        store.set_memory_vector(id, "bench:minilm", &random_vector(&mut rng)).await.expect("vector");
    }
    eprintln!("{total} vectors stored: {:?}", started.elapsed());
    let mut times = Vec::new();
    let mut found = 0;
    for _ in 0..500 {
        let query =
            (0..rng.usize(1..=3)).map(|_| words[rng.usize(..words.len())].as_str()).collect::<Vec<_>>().join(" ");
        let vector = random_vector(&mut rng);
        let started = Instant::now();
        found +=
            store.search_memory_with("bench", &query, Some(("bench:minilm", &vector)), 10).await.expect("search").len();
        times.push(started.elapsed());
    }
    report("fused search (keyword + 384-d vectors)", total, &mut times, found);
    eprintln!(
        "database: {keyword_size:.1} MB for {total} memories ({:.1} MB per 100,000); with their vectors {:.1} MB ({:.1} MB per 100,000)",
        keyword_size * 100_000.0 / total as f64,
        size(),
        size() * 100_000.0 / total as f64
    );
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}
