//! The graph: edges checked and added per scope, required inputs, and the topological order (each
//! cycle reported once, naming every node in it).

use super::*;

impl<'a, 's> Compiler<'a, 's> {
    /// Edges of one scope: syntax, endpoints, ports, types, duplicates; builds the scope graph.
    pub(super) fn edges(&mut self, s: usize) {
        let members = self.scopes[s].members.clone();
        for &m in &members {
            if self.infos[m].live {
                let index = self.scopes[s].graph.add_node(m);
                self.scopes[s].index.insert(m, index);
            }
        }
        let edges = self.scopes[s].edges;
        let base = join_pointer(&self.scopes[s].pointer, "edges");
        // Edges added so far into and out of each node: a duplicate is looked for on the side
        // with fewer, so a join of N edges (or a fan-out) is checked in O(N), not O(N²).
        let count = self.scopes[s].graph.node_count();
        let (mut into, mut out_of) = (vec![0u32; count], vec![0u32; count]);
        for (e, edge) in edges.iter().enumerate() {
            if edge.from.is_empty() || edge.to.is_empty() {
                continue;
            }
            let at = || format!("{base}/{e}");
            let at_from = || format!("{base}/{e}/from");
            let at_to = || format!("{base}/{e}/to");
            let Some((from, from_ref)) = self.endpoint(s, &edge.from, &at_from, false) else { continue };
            let Some((to, to_ref)) = self.endpoint(s, &edge.to, &at_to, true) else { continue };
            let from_port = from_ref.port.unwrap_or_default().to_owned();
            let to_port = to_ref.port.map(str::to_owned);
            let from_def = self.port(from, &from_port, false, &at_from);
            let to_def = match &to_port {
                Some(port) => self.port(to, port, true, &at_to),
                None => Some(None),
            };
            let (Some(from_def), Some(to_def)) = (from_def, to_def) else { continue };
            if let (Some(a), Some(b)) = (&from_def, &to_def)
                && !a.ty.flows_into(b.ty)
            {
                let to_id = self.infos[to].node.id.clone();
                self.push(
                    Diagnostic::new(
                        Code::PortTypeMismatch,
                        at(),
                        format!("`{}` carries {} but `{}` takes {}", edge.from, a.ty, edge.to, b.ty),
                        "connect a port of a matching type, or convert the value with a code or json_query node",
                    )
                    .node(to_id),
                );
            }
            let scope = &self.scopes[s];
            let (a, b) = (scope.index[&from], scope.index[&to]);
            let weight = PlanEdge { from_port, to_port };
            let duplicate = if out_of[a.index()] <= into[b.index()] {
                scope.graph.edges_directed(a, Direction::Outgoing).any(|e| e.target() == b && *e.weight() == weight)
            } else {
                scope.graph.edges_directed(b, Direction::Incoming).any(|e| e.source() == a && *e.weight() == weight)
            };
            if duplicate {
                self.push(
                    Diagnostic::new(
                        Code::DuplicateEdge,
                        at(),
                        format!("edge {} → {} is listed twice", edge.from, edge.to),
                        "remove the copy",
                    )
                    .fix(Fix {
                        title: "remove the duplicate edge".into(),
                        patch: vec![PatchOp::Remove { path: at() }],
                    }),
                );
                continue;
            }
            self.scopes[s].graph.add_edge(a, b, weight);
            out_of[a.index()] += 1;
            into[b.index()] += 1;
        }
    }

    /// Resolves one end of an edge to a live node in scope `s`.
    pub(super) fn endpoint<'t>(
        &mut self,
        s: usize,
        text: &'t str,
        at: &dyn Fn() -> String,
        allow_bare: bool,
    ) -> Option<(usize, PortRef<'t>)> {
        let Some(reference) = PortRef::parse(text, allow_bare) else {
            self.push(Diagnostic::new(
                Code::BadPortRef,
                at(),
                format!("{text:?} is not a port reference"),
                if allow_bare {
                    "write `node.port` (or just `node` for an ordering edge)"
                } else {
                    "write `node.port`"
                },
            ));
            return None;
        };
        match self.ids.get(reference.node) {
            Some(&i) if self.infos[i].scope == s => Some((i, reference)),
            Some(&i) => {
                let container = |scope: usize| {
                    self.scopes[scope]
                        .container
                        .map_or("the top level".to_owned(), |c| format!("the body of `{}`", self.infos[c].node.id))
                };
                self.push(Diagnostic::new(
                    Code::EdgeCrossesScope,
                    at(),
                    format!("`{}` is in {}, but this edge is in {}", reference.node, container(self.infos[i].scope), container(s)),
                    "edges connect nodes of the same graph; pass values into a body through the container's inputs (`parent.*`) and out through its result ports",
                ));
                None
            }
            None if self.infos.iter().any(|info| info.node.id == reference.node) => None,
            None => {
                let candidates: Vec<&str> =
                    self.scopes[s].members.iter().map(|&m| self.infos[m].node.id.as_str()).collect();
                let suggestion = floe_blueprint::parse::closest(reference.node, candidates.iter().copied());
                let mut diagnostic = Diagnostic::new(
                    Code::EdgeUnknownNode,
                    at(),
                    format!("no node `{}` in this graph", reference.node),
                    match suggestion {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => "connect an existing node, or add the missing one".to_owned(),
                    },
                );
                if let Some(s) = suggestion {
                    let fixed = PortRef { node: s, port: reference.port }.to_string();
                    diagnostic = diagnostic.fix(Fix {
                        title: format!("use `{fixed}`"),
                        patch: vec![PatchOp::Replace { path: at(), value: json!(fixed) }],
                    });
                }
                self.push(diagnostic);
                None
            }
        }
    }

    /// Finds a port; `Some(None)` when the node's ports are unknown (its kind or tool is).
    pub(super) fn port(
        &mut self,
        i: usize,
        port: &str,
        input: bool,
        at: &dyn Fn() -> String,
    ) -> Option<Option<PortDef>> {
        let info = &self.infos[i];
        if !info.ports_known {
            return Some(None);
        }
        let list = if input { &info.ports.inputs } else { &info.ports.outputs };
        let found = if input { info.input(port) } else { list.iter().find(|p| p.name == port) };
        if let Some(def) = found {
            return Some(Some(def.clone()));
        }
        let names: Vec<&str> = list.iter().map(|p| p.name.as_ref()).collect();
        let node = info.node;
        let side = if input { "input" } else { "output" };
        let suggestion = floe_blueprint::parse::closest(port, names.iter().copied());
        let listing = if names.is_empty() {
            format!("it has no {side} ports")
        } else {
            format!("its {side} ports: {}", names.join(", "))
        };
        let mut diagnostic = Diagnostic::new(
            Code::EdgeUnknownPort,
            at(),
            format!("`{}` ({}) has no {side} port `{port}`", node.id, node.kind,),
            listing,
        )
        .node(&node.id);
        if let Some(s) = suggestion {
            let fixed = format!("{}.{s}", node.id);
            diagnostic.help = format!("did you mean `{fixed}`? {}", diagnostic.help);
            diagnostic = diagnostic.fix(Fix {
                title: format!("use `{fixed}`"),
                patch: vec![PatchOp::Replace { path: at(), value: json!(fixed) }],
            });
        } else if !input && port == "error" {
            diagnostic.help = "the `error` port exists only when the node's policy routes errors to it".into();
            diagnostic = diagnostic.fix(Fix {
                title: "route this node's errors to its `error` port".into(),
                patch: vec![PatchOp::Add {
                    path: format!("{}/policy", info.pointer),
                    value: merged_policy(node, json!({"action": "error_port"})),
                }],
            });
        } else if input && info.spec.is_some_and(|s| s.extra_inputs) {
            diagnostic.help = format!("{}; or declare `{port}` in the node's `inputs`", diagnostic.help);
            diagnostic = diagnostic.fix(declare_input(info, port));
        }
        self.push(diagnostic);
        None
    }

    /// Required input ports must be connected; sub-workflow inputs may also be given in config.
    pub(super) fn required_inputs(&mut self) {
        for i in 0..self.infos.len() {
            let info = &self.infos[i];
            if !info.live || !info.ports_known || !info.ports.inputs.iter().any(|p| p.required) {
                continue;
            }
            let scope = &self.scopes[info.scope];
            let index = scope.index[&i];
            let connected: HashSet<&str> = scope
                .graph
                .edges_directed(index, Direction::Incoming)
                .filter_map(|e| e.weight().to_port.as_deref())
                .collect();
            // A kind whose config can give inputs (a `workflow` node's `inputs`) says which field.
            let field = info.spec.and_then(|s| s.traits.config_inputs);
            let given = field.and_then(|f| info.node.config.get(f)).and_then(Value::as_object);
            let mut missing = Vec::new();
            for port in info.ports.inputs.iter().filter(|p| p.required) {
                let in_config = given.is_some_and(|g| g.contains_key(port.name.as_ref()));
                if !connected.contains(port.name.as_ref()) && !in_config {
                    missing.push(port.clone());
                }
            }
            let (id, pointer) = (info.node.id.clone(), info.pointer.clone());
            for port in missing {
                let diagnostic = if let Some(field) = field {
                    Diagnostic::new(
                        Code::WorkflowInput,
                        pointer.clone(),
                        format!("sub-workflow input `{}` ({}) is not given", port.name, port.ty),
                        format!("connect an edge to `{id}.{}`, or set it under config.{field}", port.name),
                    )
                } else {
                    Diagnostic::new(
                        Code::InputNotConnected,
                        pointer.clone(),
                        format!("required input `{}` ({}) of `{id}` is not connected", port.name, port.ty),
                        format!("connect an output carrying {} to `{id}.{}`", port.ty, port.name),
                    )
                };
                self.push(diagnostic.node(&id));
            }
        }
    }

    /// Topological order of a scope, or one diagnostic per cycle naming every node in it.
    pub(super) fn order(&mut self, s: usize) {
        match petgraph::algo::toposort(&self.scopes[s].graph, None) {
            Ok(order) => self.scopes[s].order = order,
            Err(_) => {
                let graph = &self.scopes[s].graph;
                let mut cycles: Vec<Vec<usize>> = petgraph::algo::kosaraju_scc(graph)
                    .into_iter()
                    .filter(|c| c.len() > 1 || graph.find_edge(c[0], c[0]).is_some())
                    .map(|c| {
                        let mut members: Vec<usize> = c.into_iter().map(|n| graph[n]).collect();
                        members.sort_unstable();
                        members
                    })
                    .collect();
                cycles.sort();
                for cycle in cycles {
                    let names: Vec<&str> = cycle.iter().map(|&m| self.infos[m].node.id.as_str()).collect();
                    let path = cycle_path(graph, &self.scopes[s].index, &cycle);
                    let shown: Vec<&str> = path.iter().map(|&m| self.infos[m].node.id.as_str()).collect();
                    let first = &self.infos[cycle[0]];
                    let diagnostic = Diagnostic::new(
                        Code::Cycle,
                        first.pointer.clone(),
                        format!("nodes {} form a cycle ({})", names.join(", "), shown.join(" → ")),
                        "cycles are allowed only inside a loop or recursive body: remove one of these edges, or move the repeated steps into a recursive node",
                    )
                    .node(first.node.id.clone());
                    self.diagnostics.push(diagnostic);
                }
            }
        }
    }
}

/// A readable path around a cycle, starting at its first member.
pub(super) fn cycle_path(
    graph: &DiGraph<usize, PlanEdge>,
    index: &HashMap<usize, NodeIndex>,
    members: &[usize],
) -> Vec<usize> {
    let inside: HashSet<NodeIndex> = members.iter().map(|m| index[m]).collect();
    let start = index[&members[0]];
    let mut path = vec![start];
    let mut seen = HashSet::default();
    seen.insert(start);
    let mut current = start;
    loop {
        let next = graph
            .neighbors_directed(current, Direction::Outgoing)
            .filter(|n| inside.contains(n))
            .min_by_key(|n| graph[*n]);
        match next {
            Some(n) if n == start || seen.contains(&n) => {
                path.push(n);
                break;
            }
            Some(n) => {
                seen.insert(n);
                path.push(n);
                current = n;
            }
            None => break,
        }
    }
    path.into_iter().map(|n| graph[n]).collect()
}
