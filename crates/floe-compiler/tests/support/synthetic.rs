//! Generated blueprints for benchmarks and stress tests: chains, fan-outs and layered graphs of
//! text_template tool nodes, each reading its predecessor both through an edge and a template.

use floe_blueprint::{Blueprint, Edge, Node};
use serde_json::json;

/// The shapes the benchmarks measure.
#[derive(Debug, Clone, Copy)]
#[allow(dead_code)]
pub enum Shape {
    /// n0 → n1 → … → n(N-1).
    Chain,
    /// n0 → every other node.
    FanOut,
    /// Layers of `width` nodes; each node reads two nodes of the previous layer.
    Layered { width: usize },
    /// n0 → n1 … n(N-2), each into an input port of its own on the join n(N-1): a node with
    /// N-2 input ports.
    Ports,
}

/// Every fourth template uses statements and filters, so the measured mix includes full
/// minijinja parses and not only the simple-lookup fast path.
fn step(index: usize, id: String, reads: Option<&str>) -> Node {
    let template = match reads {
        Some(previous) if index.is_multiple_of(4) => format!(
            "{{% for line in inputs.in | trim | split('\\n') %}}{{{{ loop.index }}}}: {{{{ line | upper }}}}\n{{% endfor %}}{{{{ nodes.{previous}.text | default('') }}}}"
        ),
        Some(previous) => format!("{{{{ inputs.in }}}} and {{{{ nodes.{previous}.text }}}} at {{{{ run.topic }}}}"),
        None => "start {{ run.topic }}".to_owned(),
    };
    let mut node = Node::new(id, "tool");
    node.config_mut().insert("tool".into(), json!("text_template"));
    node.config_mut().insert("args".into(), json!({ "template": template }));
    node
}

/// A blueprint of `count` nodes in `shape`.
#[allow(dead_code)]
pub fn blueprint(shape: Shape, count: usize) -> Blueprint {
    let mut blueprint = Blueprint::new(format!("synthetic-{count}"), "synthetic");
    blueprint.inputs.insert(
        "topic".into(),
        serde_json::from_value(json!({"type": "string", "default": "x"})).expect("static input spec"),
    );
    let id = |i: usize| format!("n{i}");
    for i in 0..count {
        let (reads, sources): (Option<String>, Vec<usize>) = match shape {
            Shape::Chain => (i.checked_sub(1).map(id), i.checked_sub(1).into_iter().collect()),
            Shape::FanOut => ((i > 0).then(|| id(0)), if i > 0 { vec![0] } else { vec![] }),
            Shape::Ports if i == count - 1 => (None, vec![]),
            Shape::Ports => ((i > 0).then(|| id(0)), if i > 0 { vec![0] } else { vec![] }),
            Shape::Layered { width } => {
                if i < width {
                    (None, vec![])
                } else {
                    let layer_start = (i / width - 1) * width;
                    let a = layer_start + i % width;
                    let b = layer_start + (i + 1) % width;
                    (Some(id(a)), if a == b { vec![a] } else { vec![a, b] })
                }
            }
        };
        blueprint.nodes.push(step(i, id(i), reads.as_deref()));
        for s in sources {
            blueprint.edges.push(Edge::new(format!("{}.text", id(s)), format!("{}.in", id(i))));
        }
    }
    if let Shape::Ports = shape {
        let join = count - 1;
        let node = blueprint.nodes.last_mut().expect("a join");
        node.inputs = (1..join)
            .map(|i| serde_json::from_value(json!({"name": format!("p{i}")})).expect("static port spec"))
            .collect();
        for i in 1..join {
            blueprint.edges.push(Edge::new(format!("{}.text", id(i)), format!("{}.p{i}", id(join))));
        }
    }
    blueprint
}
