//! Generated graphs for the run benchmark and the profiling examples. Shapes: chain-N, fan-out-N
//! (one source, N-2 in parallel, one join on one port), ports-N (the same fan-out, but the join
//! takes each branch on a port of its own: N-2 input ports) and layered (layers of 100, each node
//! reading two of the layer before). What each node does ([`Work`]):
//! - `pass`: the sources (nodes without inbound edges) make a small value and every other node
//!   is a `sleep` of 0s passing it on (scheduler cost only);
//! - `code`, `json_query`, `text_template`: the sources make `{n: 0}` (`"0"` for templates) and
//!   every other node computes `{n: in.n + 1}` from its `in` port (the template writes the number
//!   as text), the tiny work of the peers' benchmarks, so the final value says whether every node
//!   really ran: [`expected`].
// Shared by a bench and two examples; each uses part of it.
#![allow(dead_code)]

use std::sync::Arc;

use floe_blueprint::Catalog;
use floe_engine::run::{Prepared, RunOptions};
use floe_engine::store::{NewRun, Store};
use serde_json::{Value, json};

/// What every node does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    Pass,
    Code,
    JsonQuery,
    TextTemplate,
}

impl Work {
    pub const ALL: [Work; 4] = [Work::Pass, Work::Code, Work::JsonQuery, Work::TextTemplate];

    pub fn name(self) -> &'static str {
        match self {
            Work::Pass => "pass",
            Work::Code => "code",
            Work::JsonQuery => "json_query",
            Work::TextTemplate => "text_template",
        }
    }

    pub fn parse(name: &str) -> Option<Work> {
        Self::ALL.into_iter().find(|w| w.name() == name)
    }

    /// Node `n<i>`, a source (no inbound edge) or a step, and the output port it fills.
    fn node(self, i: usize, source: bool) -> (Value, &'static str) {
        let id = format!("n{i}");
        let tool = |tool: &str, args: Value| json!({"id": id, "kind": "tool", "config": {"tool": tool, "args": args}});
        match (self, source) {
            (Work::Pass, true) => (tool("text_template", json!({"template": "payload"})), "text"),
            (Work::Pass, false) => (tool("sleep", json!({"duration": "0s"})), "out"),
            (Work::Code, true) => (json!({"id": id, "kind": "code", "config": {"source": "({n: 0})"}}), "result"),
            (Work::Code, false) => {
                (json!({"id": id, "kind": "code", "config": {"source": "({n: inputs.in.n + 1})"}}), "result")
            }
            (Work::JsonQuery, true) => (tool("json_query", json!({"query": "{n: 0}"})), "result"),
            (Work::JsonQuery, false) => (tool("json_query", json!({"query": "{n: (.n + 1)}"})), "result"),
            (Work::TextTemplate, true) => (tool("text_template", json!({"template": "0"})), "text"),
            (Work::TextTemplate, false) => {
                (tool("text_template", json!({"template": "{{ inputs.in | int + 1 }}"})), "text")
            }
        }
    }
}

/// Edges (by node index) of `shape` with `n` nodes.
pub fn edges(shape: &str, n: usize) -> Vec<(usize, usize)> {
    match shape {
        "fanout" | "ports" => (1..n - 1).flat_map(|i| [(0, i), (i, n - 1)]).collect(),
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

/// The blueprint document of `shape` with `n` nodes doing `work`; its run output `result` is the
/// last node's.
pub fn document(work: Work, shape: &str, n: usize) -> Value {
    let edges = edges(shape, n);
    let mut fed = vec![false; n];
    for &(_, b) in &edges {
        fed[b] = true;
    }
    let (mut nodes, ports): (Vec<Value>, Vec<&str>) = (0..n).map(|i| work.node(i, !fed[i])).unzip();
    let join = n - 1;
    let by_port = shape == "ports";
    if by_port {
        nodes[join]["inputs"] = (1..join).map(|i| json!({"name": format!("p{i}")})).collect();
    }
    let edges: Vec<Value> = edges
        .into_iter()
        .map(|(a, b)| {
            let to = if by_port && b == join { format!("n{b}.p{a}") } else { format!("n{b}.in") };
            json!({"from": format!("n{a}.{}", ports[a]), "to": to})
        })
        .collect();
    json!({
        "format": "floe.blueprint", "version": 1, "id": "bench", "name": "bench",
        "outputs": {"result": {"from": format!("n{join}.{}", ports[join])}},
        "nodes": nodes, "edges": edges,
    })
}

/// The run output `result` of [`document`]: the number of nodes on the longest path behind the
/// last node (a pass-through run hands the first value on; a join on ports gets nothing on `in`).
pub fn expected(work: Work, shape: &str, n: usize) -> Value {
    let depth = match shape {
        "fanout" => 2,
        "layered" => n / 100 - 1,
        _ => n - 1,
    };
    match work {
        Work::Pass if shape == "ports" => Value::Null,
        Work::Pass => json!("payload"),
        Work::Code | Work::JsonQuery => json!({"n": depth}),
        Work::TextTemplate => json!(depth.to_string()),
    }
}

/// The compiled, prepared graph.
pub fn prepare(work: Work, shape: &str, n: usize) -> Prepared {
    let checked = floe_compiler::check_parsed(
        floe_blueprint::parse_value(document(work, shape, n)),
        Catalog::builtin(),
        &floe_compiler::NoResolver,
        None,
    );
    Prepared::new(checked.plan.expect("generated graph compiles"))
}

/// Options for a run of `prepared` journaled into `store` as `floe run` journals: its run row
/// made, result keys on.
pub async fn journaled(store: &Store, prepared: &Prepared) -> RunOptions {
    let id = floe_engine::run::new_run_id();
    let row = NewRun {
        id: id.clone(),
        blueprint_id: prepared.plan.id().to_owned(),
        blueprint_name: prepared.plan.name().to_owned(),
        blueprint_path: None,
        blueprint_json: "{}".into(),
        hash: prepared.plan.hash().to_owned(),
        inputs: Default::default(),
        workspace: std::env::temp_dir(),
        parent: None,
        started_at: 0,
    };
    store.create_run(&row).await.expect("run recorded");
    RunOptions { run_id: Some(id.clone()), journal: Arc::new(store.journal(&id)), keys: true, ..RunOptions::default() }
}
