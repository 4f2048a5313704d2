//! Positions for the nodes a draft adds: computed from the graph, never asked of a model. A new
//! node goes one column right of its rightmost placed predecessor (or left of its successors, or
//! after everything), at its first predecessor's height, moved down until it overlaps nothing.
//! Nodes that already have a box keep it. Body nodes are placed inside their container (their
//! boxes are relative to it, as the canvas draws them).

use std::collections::{BTreeMap, BTreeSet};

use floe_blueprint::{Blueprint, Edge, Node, NodeBox};

/// Horizontal distance between columns (a node is 200 wide on the canvas).
pub const COLUMN: f64 = 260.0;
/// Vertical step when a place is taken.
pub const ROW: f64 = 120.0;
/// Where the first node of the top level goes.
const TOP_ORIGIN: (f64, f64) = (40.0, 40.0);
/// Where the first node of a body goes, inside its container (below its header).
const BODY_ORIGIN: (f64, f64) = (24.0, 56.0);

/// One graph (the top level, or a body): its node ids, its edges and where its first node goes.
struct Graph {
    ids: Vec<String>,
    edges: Vec<Edge>,
    origin: (f64, f64),
}

/// Gives every node without a box one (top level and bodies).
pub fn place_new_nodes(blueprint: &mut Blueprint) {
    let graph = |nodes: &[Node], edges: &[Edge], origin| Graph {
        ids: nodes.iter().map(|n| n.id.clone()).collect(),
        edges: edges.to_vec(),
        origin,
    };
    let mut graphs = vec![graph(&blueprint.nodes, &blueprint.edges, TOP_ORIGIN)];
    let mut pending: Vec<&Node> = blueprint.nodes.iter().collect();
    while let Some(node) = pending.pop() {
        if let Some(body) = &node.body {
            graphs.push(graph(&body.nodes, &body.edges, BODY_ORIGIN));
            pending.extend(&body.nodes);
        }
    }
    for graph in graphs {
        place_scope(&mut blueprint.layout.nodes, &graph.ids, &graph.edges, graph.origin);
    }
}

fn node_of(reference: &str) -> &str {
    reference.split_once('.').map_or(reference, |(node, _)| node)
}

fn place_scope(boxes: &mut BTreeMap<String, NodeBox>, ids: &[String], edges: &[Edge], origin: (f64, f64)) {
    let new: Vec<&String> = ids.iter().filter(|id| !boxes.contains_key(*id)).collect();
    if new.is_empty() {
        return;
    }
    let members: BTreeSet<&str> = ids.iter().map(String::as_str).collect();
    let mut preds: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut succs: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for edge in edges {
        let (a, b) = (node_of(&edge.from), node_of(&edge.to));
        if members.contains(a) && members.contains(b) && a != b {
            preds.entry(b).or_default().push(a);
            succs.entry(a).or_default().push(b);
        }
    }
    // New nodes in an order where predecessors come first (Kahn's; what a cycle leaves, last).
    let mut order: Vec<&str> = Vec::new();
    let mut waiting: BTreeMap<&str, usize> = new
        .iter()
        .map(|id| {
            (id.as_str(), preds.get(id.as_str()).map_or(0, |p| p.iter().filter(|q| new.iter().any(|n| n == q)).count()))
        })
        .collect();
    let mut ready: Vec<&str> = waiting.iter().filter(|(_, n)| **n == 0).map(|(id, _)| *id).collect();
    ready.reverse();
    while let Some(id) = ready.pop() {
        order.push(id);
        waiting.remove(id);
        for next in succs.get(id).into_iter().flatten() {
            if let Some(n) = waiting.get_mut(next) {
                *n -= 1;
                if *n == 0 {
                    ready.push(next);
                }
            }
        }
    }
    order.extend(waiting.keys().copied());
    let in_scope: Vec<(f64, f64)> = ids.iter().filter_map(|id| boxes.get(id)).map(|b| (b.x, b.y)).collect();
    let mut taken = in_scope.clone();
    let rightmost = in_scope.iter().map(|p| p.0).fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x))));
    for id in order {
        let placed = |list: Option<&Vec<&str>>| -> Vec<(f64, f64)> {
            list.into_iter().flatten().filter_map(|p| boxes.get(*p)).map(|b| (b.x, b.y)).collect()
        };
        let before = placed(preds.get(id));
        let after = placed(succs.get(id));
        let (x, y) = if let Some(&(_, y)) = before.first() {
            (before.iter().map(|p| p.0).fold(f64::MIN, f64::max) + COLUMN, y)
        } else if let Some(&(_, y)) = after.first() {
            (after.iter().map(|p| p.0).fold(f64::MAX, f64::min) - COLUMN, y)
        } else {
            (rightmost.map_or(origin.0, |x| x + COLUMN), origin.1)
        };
        let mut y = y;
        while taken.iter().any(|&(tx, ty)| (tx - x).abs() < COLUMN - 40.0 && (ty - y).abs() < ROW - 20.0) {
            y += ROW;
        }
        taken.push((x, y));
        boxes.insert(id.to_owned(), NodeBox { x, y, ..NodeBox::default() });
    }
}
