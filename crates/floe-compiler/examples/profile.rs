//! Profiling aid: times reading and compiling a generated 10,000-node blueprint, phase by phase.
//! `cargo run --release -p floe-compiler --example profile [chain|fan_out|layered]`
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
        _ => synthetic::Shape::Chain,
    };
    let text = floe_blueprint::to_canonical_string(&synthetic::blueprint(shape, 10_000));
    if std::env::args().any(|a| a == "--once") {
        // For `valgrind --tool=callgrind`: one parse + compile, nothing else.
        let checked = floe_compiler::check_bytes(
            text.as_bytes(),
            floe_blueprint::Catalog::builtin(),
            &floe_compiler::NoResolver,
            None,
        );
        assert!(checked.plan.is_some());
        return;
    }
    for _ in 0..5 {
        let start = Instant::now();
        let parsed = floe_blueprint::parse_bytes(text.as_bytes());
        let read = start.elapsed();
        let blueprint = parsed.blueprint.expect("parses");
        let (plan, diagnostics) = floe_compiler::compile(&blueprint, floe_blueprint::Catalog::builtin());
        let compiled = start.elapsed();
        assert!(plan.is_some(), "{:?}", diagnostics.first());
        drop((plan, blueprint));
        eprintln!(
            "read {read:?}  compile {:?}  drop {:?}  diagnostics {}",
            compiled - read,
            start.elapsed() - compiled,
            diagnostics.len()
        );
        let start = Instant::now();
        let checked = floe_compiler::check_bytes(
            text.as_bytes(),
            floe_blueprint::Catalog::builtin(),
            &floe_compiler::NoResolver,
            None,
        );
        drop(checked);
        eprintln!("check_bytes {:?}", start.elapsed());
    }
}
