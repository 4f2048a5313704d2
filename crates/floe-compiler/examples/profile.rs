//! Profiling aid: times reading and compiling a generated 10,000-node blueprint, phase by phase.
//! `cargo run --release -p floe-compiler --example profile [chain|fan_out|layered|join_ports]`
#![allow(clippy::print_stderr)]

#[path = "../tests/support/synthetic.rs"]
mod synthetic;

use std::time::Instant;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let shape = match std::env::args().nth(1).as_deref() {
        Some("fan_out") => synthetic::Shape::FanOut,
        Some("layered") => synthetic::Shape::Layered { width: 20 },
        Some("join_ports") => synthetic::Shape::Ports,
        _ => synthetic::Shape::Chain,
    };
    let text = floe_blueprint::to_canonical_string(&synthetic::blueprint(shape, 10_000));
    // For `valgrind --tool=callgrind`: `--once` is one parse + compile and nothing else; the
    // difference to `--twice` is the cost of a warm run, without the one-time catalogue setup.
    let calls = if std::env::args().any(|a| a == "--once") {
        1
    } else if std::env::args().any(|a| a == "--twice") {
        2
    } else {
        0
    };
    for _ in 0..calls {
        let checked = floe_compiler::check_bytes(
            text.as_bytes(),
            floe_blueprint::Catalog::builtin(),
            &floe_compiler::NoResolver,
            None,
        );
        assert!(checked.plan.is_some());
    }
    if calls > 0 {
        return;
    }
    let mut times = Vec::new();
    for _ in 0..15 {
        let start = Instant::now();
        let checked = floe_compiler::check_bytes(
            text.as_bytes(),
            floe_blueprint::Catalog::builtin(),
            &floe_compiler::NoResolver,
            None,
        );
        times.push(start.elapsed());
        assert!(checked.plan.is_some(), "{:?}", checked.diagnostics.first());
        drop(checked);
    }
    times.sort();
    eprintln!("check_bytes over 15 runs: min {:?}  median {:?}  max {:?}", times[0], times[7], times[14]);
}
