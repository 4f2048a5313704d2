//! Generated pass-through graphs for the run benchmark and the profiling examples: chain-N,
//! fan-out-N (one source, N parallel, one join) and layered (layers of 100, each node reading
//! two of the layer before). `n0` makes a small value; every other node is a `sleep` of 0s that
//! passes its input on.
// Shared by a bench and two examples; each uses part of it.
#![allow(dead_code)]

use floe_blueprint::Catalog;
use floe_engine::run::Prepared;
use serde_json::{Value, json};

/// Edges (by node index) of `shape` with `n` nodes.
pub fn edges(shape: &str, n: usize) -> Vec<(usize, usize)> {
    match shape {
        "fanout" => (1..n - 1).flat_map(|i| [(0, i), (i, n - 1)]).collect(),
        "layered" => {
            let width = 100;
            (width..n)
                .flat_map(|i| {
                    let base = (i / width - 1) * width;
                    [(base + i % width, i), (base + (i + 1) % width, i)]
                })
                .collect()
        }
        _ => (1..n).map(|i| (i - 1, i)).collect(),
    }
}

/// The blueprint document.
pub fn document(n: usize, edges: &[(usize, usize)]) -> Value {
    let source =
        json!({"id": "n0", "kind": "tool", "config": {"tool": "text_template", "args": {"template": "payload"}}});
    let pass = |i: usize| json!({"id": format!("n{i}"), "kind": "tool", "config": {"tool": "sleep", "args": {"duration": "0s"}}});
    let nodes: Vec<Value> = std::iter::once(source).chain((1..n).map(pass)).collect();
    let port = |a: usize| if a == 0 { "text" } else { "out" };
    let edges: Vec<Value> =
        edges.iter().map(|&(a, b)| json!({"from": format!("n{a}.{}", port(a)), "to": format!("n{b}.in")})).collect();
    json!({"format": "floe.blueprint", "version": 1, "id": "bench", "name": "bench", "nodes": nodes, "edges": edges})
}

/// The compiled, prepared graph.
pub fn prepare(n: usize, edges: &[(usize, usize)]) -> Prepared {
    let checked = floe_compiler::check_parsed(
        floe_blueprint::parse_value(document(n, edges)),
        Catalog::builtin(),
        &floe_compiler::NoResolver,
        None,
    );
    Prepared::new(checked.plan.expect("generated graph compiles"))
}
