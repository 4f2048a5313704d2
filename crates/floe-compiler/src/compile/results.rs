//! What the graph yields: containers' body results, the run outputs, containers' effects, unused
//! nodes, and the plan's scopes built from the compiler's tables.

use super::*;

impl<'a, 's> Compiler<'a, 's> {
    /// A container's result references must name ports of its own body.
    pub(super) fn body_refs(&mut self, i: usize) {
        let (Some(spec), Some(body)) = (self.infos[i].spec, self.infos[i].body) else { return };
        let node = self.infos[i].node;
        for (field, text) in (spec.body_refs)(node.config_map()) {
            let at = format!("{}/config{field}", self.infos[i].pointer);
            let Some(reference) = PortRef::parse(&text, false) else {
                self.push(
                    Diagnostic::new(
                        Code::BadPortRef,
                        at,
                        format!("{text:?} is not a port reference"),
                        "write `node.port` naming a node of the body",
                    )
                    .node(&node.id),
                );
                continue;
            };
            let member = self.ids.get(reference.node).copied().filter(|&m| self.infos[m].scope == body);
            let Some(m) = member else {
                let names: Vec<&str> =
                    self.scopes[body].members.iter().map(|&m| self.infos[m].node.id.as_str()).collect();
                let hint = did_you_mean(reference.node, names.iter().copied());
                self.push(
                    Diagnostic::new(
                        Code::BodyRefInvalid,
                        at,
                        format!("`{text}` does not name a node of `{}`'s body", node.id),
                        format!(
                            "{}body nodes: {}",
                            hint,
                            if names.is_empty() { "(none)".into() } else { names.join(", ") }
                        ),
                    )
                    .node(&node.id),
                );
                continue;
            };
            self.used[m] = true;
            let port = reference.port.unwrap_or_default();
            if self.infos[m].ports_known && !self.infos[m].ports.outputs.iter().any(|p| p.name == port) {
                let names: Vec<&str> = self.infos[m].ports.outputs.iter().map(|p| p.name.as_ref()).collect();
                self.push(
                    Diagnostic::new(
                        Code::BodyRefInvalid,
                        at,
                        format!("`{}` has no output port `{port}`", reference.node),
                        format!("its output ports: {}", names.join(", ")),
                    )
                    .node(&node.id),
                );
            }
        }
    }

    /// Run outputs must read an output port of a top-level node.
    pub(super) fn outputs(&mut self) -> BTreeMap<String, PlanOutput> {
        let mut out = BTreeMap::new();
        for (name, output) in &self.blueprint.outputs {
            let at = format!("{}/from", join_pointer("/outputs", name));
            let Some(reference) = PortRef::parse(&output.from, false) else {
                self.push(Diagnostic::new(
                    Code::BadPortRef,
                    at,
                    format!("{:?} is not a port reference", output.from),
                    "write `node.port`",
                ));
                continue;
            };
            let Some(&t) = self.ids.get(reference.node) else {
                let names: Vec<&str> = self.scopes[0].members.iter().map(|&m| self.infos[m].node.id.as_str()).collect();
                let hint = did_you_mean(reference.node, names.iter().copied());
                self.push(Diagnostic::new(
                    Code::OutputSourceMissing,
                    at,
                    format!("run output `{name}` reads `{}`, which does not exist", output.from),
                    format!("{}point it at an output port of a top-level node", hint),
                ));
                continue;
            };
            if self.infos[t].scope != 0 {
                self.push(Diagnostic::new(
                    Code::OutputSourceMissing,
                    at,
                    format!("run output `{name}` reads `{}`, which is inside a container's body and never reachable from outside", output.from),
                    "read the container's result port instead",
                ));
                continue;
            }
            self.used[t] = true;
            let port = reference.port.unwrap_or_default();
            let info = &self.infos[t];
            let ty = match info.ports.outputs.iter().find(|p| p.name == port) {
                Some(def) => def.ty,
                None if !info.ports_known => ValueType::Any,
                None => {
                    let names: Vec<&str> = info.ports.outputs.iter().map(|p| p.name.as_ref()).collect();
                    let help = format!("its output ports: {}", names.join(", "));
                    self.push(Diagnostic::new(
                        Code::OutputSourceMissing,
                        at,
                        format!("run output `{name}`: `{}` has no output port `{port}`", reference.node),
                        help,
                    ));
                    continue;
                }
            };
            out.insert(name.clone(), PlanOutput { node: reference.node.to_owned(), port: port.to_owned(), ty });
        }
        out
    }

    /// A container has the strongest effect of its own and its body's (bodies come after their
    /// container in `infos`, so a reverse pass sees them first).
    pub(super) fn container_effects(&mut self) {
        for i in (0..self.infos.len()).rev() {
            if let Some(container) = self.scopes[self.infos[i].scope].container {
                let effect = self.infos[i].effect;
                if effect > self.infos[container].effect {
                    self.infos[container].effect = effect;
                }
            }
        }
    }

    /// Nodes whose outputs go nowhere (warning), and error ports never connected.
    pub(super) fn unused(&mut self) {
        let top_has_outputs = !self.blueprint.outputs.is_empty();
        for i in 0..self.infos.len() {
            let info = &self.infos[i];
            if !info.live || info.spec.is_none() {
                continue;
            }
            let scope = &self.scopes[info.scope];
            let index = scope.index[&i];
            let outgoing: Vec<&str> =
                scope.graph.edges_directed(index, Direction::Outgoing).map(|e| e.weight().from_port.as_str()).collect();
            let (id, pointer) = (info.node.id.clone(), info.pointer.clone());
            if matches!(info.policy.on_error, OnError::ErrorPort) && !outgoing.contains(&"error") {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::ErrorPortUnused,
                        format!("{pointer}/policy/on_error"),
                        format!("`{id}` routes errors to its `error` port, but nothing is connected to it"),
                        format!(
                            "connect `{id}.error` to a node that handles the error, or choose another on_error action"
                        ),
                    )
                    .node(&id),
                );
            }
            let judged = scope.container.is_some() || top_has_outputs;
            if judged && outgoing.is_empty() && !self.used[i] && info.effect != Effect::Write {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::UnusedNode,
                        pointer,
                        format!("the output of `{id}` is never used"),
                        "connect one of its output ports, read it in a template or a run output, or delete the node",
                    )
                    .node(&id),
                );
            }
        }
    }
}

/// Moves scope `s` (and, through a work list, every body below it) into plan scopes.
pub(super) fn build_scope(root: usize, scopes: &mut [ScopeInfo<'_>], infos: &mut [Info<'_>]) -> Scope {
    let ids_by_index: Vec<String> = infos.iter().map(|info| info.node.id.clone()).collect();
    // Bodies are built before their containers: process scopes deepest-first by creation order,
    // which always lists a body after the scope holding its container.
    let mut built: HashMap<usize, Scope> = HashMap::default();
    for s in (root..scopes.len()).rev() {
        let scope = &mut scopes[s];
        let graph = std::mem::take(&mut scope.graph);
        let order = std::mem::take(&mut scope.order);
        let mut ids = HashMap::default();
        let graph = graph.map(
            |index, &m| {
                let info = &mut infos[m];
                ids.insert(info.node.id.clone(), index);
                Arc::new(PlanNode {
                    id: info.node.id.clone(),
                    kind: info.node.kind.clone(),
                    title: if info.node.title.is_empty() { info.node.id.clone() } else { info.node.title.clone() },
                    config: info.config.take().unwrap_or_else(|| Arc::clone(&info.node.config)),
                    ports: std::mem::take(&mut info.ports),
                    policy: info.policy.clone(),
                    effect: info.effect,
                    reads: {
                        let mut reads = std::mem::take(&mut info.reads);
                        reads.sort_unstable();
                        reads.dedup();
                        reads.into_iter().map(|r| ids_by_index[r].clone()).collect()
                    },
                    run_reads: match std::mem::take(&mut info.run_reads) {
                        _ if info.spec.is_some_and(|k| k.traits.whole_run) => None,
                        Some(mut names) => {
                            names.sort_unstable();
                            names.dedup();
                            Some(names)
                        }
                        None => None,
                    },
                    body: info.body.and_then(|b| built.remove(&b)),
                    workflow: info.workflow.take(),
                    tools: std::mem::take(&mut info.tools),
                })
            },
            |_, edge| edge.clone(),
        );
        built.insert(s, Scope { graph, order, ids });
    }
    built.remove(&root).unwrap_or_else(|| Scope { graph: DiGraph::new(), order: Vec::new(), ids: HashMap::default() })
}
