//! Peak heap while parsing and compiling generated blueprints (target: under 64 MB for 10,000
//! nodes). Counted by dhat's allocator, so it runs apart from the timing benchmark.

#![allow(clippy::print_stdout)] // a benchmark report

#[path = "../tests/support/synthetic.rs"]
mod synthetic;

use floe_blueprint::{Catalog, to_canonical_string};
use floe_compiler::{NoResolver, check_bytes};
use synthetic::{Shape, blueprint};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

fn main() {
    // Warm the catalogue and its validators so they are not counted against the first case.
    drop(check_bytes(b"{}", Catalog::builtin(), &NoResolver, None));
    println!("{:<10} {:>7} {:>10} {:>12} {:>8}", "shape", "nodes", "input", "peak heap", "target");
    for (name, shape) in
        [("chain", Shape::Chain), ("fan_out", Shape::FanOut), ("layered", Shape::Layered { width: 20 })]
    {
        for nodes in [1_000, 10_000] {
            let text = to_canonical_string(&blueprint(shape, nodes));
            let profiler = dhat::Profiler::builder().testing().build();
            let before = dhat::HeapStats::get();
            let checked = check_bytes(text.as_bytes(), Catalog::builtin(), &NoResolver, None);
            let after = dhat::HeapStats::get();
            assert!(checked.plan.is_some());
            drop(checked);
            drop(profiler);
            let peak = after.max_bytes.saturating_sub(before.curr_bytes);
            let verdict = if nodes < 10_000 || peak < 64 << 20 { "ok" } else { "MISSED" };
            println!(
                "{name:<10} {nodes:>7} {:>8.1}MB {:>10.1}MB {verdict:>8}",
                text.len() as f64 / 1e6,
                peak as f64 / 1e6
            );
        }
    }
}
