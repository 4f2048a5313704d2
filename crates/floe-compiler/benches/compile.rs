//! Parse + compile time for generated blueprints of 1,000 and 10,000 nodes in four shapes, one of
//! them a join with N-2 input ports (target: under 50 ms for 10,000 nodes, linear growth). The input is canonical JSON
//! text, so each iteration measures what `floe validate` and the app's live validation do;
//! freeing the result is left out of the timing (`iter_with_large_drop`).

#[path = "../tests/support/synthetic.rs"]
mod synthetic;

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use floe_blueprint::{Catalog, to_canonical_string};
use floe_compiler::{NoResolver, check_bytes};
use synthetic::{Shape, blueprint};

// The allocator every bench of the workspace uses (the `floe` binary keeps glibc's: see
// ARCHITECTURE.md "Run memory").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn shapes() -> [(&'static str, Shape); 4] {
    [
        ("chain", Shape::Chain),
        ("fan_out", Shape::FanOut),
        ("layered", Shape::Layered { width: 20 }),
        ("join_ports", Shape::Ports),
    ]
}

fn parse_and_compile(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse_compile");
    group.sample_size(20);
    for (name, shape) in shapes() {
        for nodes in [1_000, 10_000] {
            let text = to_canonical_string(&blueprint(shape, nodes));
            let checked = check_bytes(text.as_bytes(), Catalog::builtin(), &NoResolver, None);
            assert!(checked.plan.is_some(), "{name}/{nodes}: {:?}", checked.diagnostics.first());
            group.throughput(Throughput::Elements(nodes as u64));
            group.bench_with_input(BenchmarkId::new(name, nodes), &text, |b, text| {
                b.iter_with_large_drop(|| {
                    check_bytes(black_box(text.as_bytes()), Catalog::builtin(), &NoResolver, None)
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, parse_and_compile);
criterion_main!(benches);
