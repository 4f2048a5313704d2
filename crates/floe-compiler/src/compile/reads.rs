//! Templates and expressions: their syntax, and every variable they read checked against the
//! graph (run inputs, input ports, upstream nodes), recording what each node reads.

use super::*;

impl<'a, 's> Compiler<'a, 's> {
    /// Syntax and references of every template and expression. Parsing runs in parallel; the
    /// graph checks on what each one reads run in order afterwards.
    pub(super) fn templates(&mut self) {
        // Per node, in parallel: which fields hold templates, and what each one reads.
        let infos = &self.infos;
        let analysed: Vec<(usize, Analysed<'a>)> = infos
            .par_iter()
            .enumerate()
            .with_min_len(256)
            .filter_map(|(i, info)| {
                let spec = info.spec?;
                let fields = (spec.fields)(info.node.config_map());
                let results = fields
                    .into_iter()
                    .filter_map(|field| {
                        let source = value_at(&info.node.config, &field.pointer)?.as_str()?;
                        let result = templates::analyse(source, field.role);
                        Some((field, result))
                    })
                    .collect::<Analysed<'a>>();
                (!results.is_empty()).then_some((i, results))
            })
            .collect();
        let jobs =
            analysed.iter().flat_map(|(i, results)| results.iter().map(move |(field, result)| (i, field, result)));
        let mut scope_vars: Vec<&'static str> = Vec::new();
        let mut vars_of = usize::MAX;
        for (i, field, result) in jobs {
            if vars_of != *i {
                vars_of = *i;
                scope_vars.clear();
                let mut s = self.infos[*i].scope;
                while let Some(c) = self.scopes[s].container {
                    scope_vars.extend(self.infos[c].spec.map_or(&[][..], |k| k.body_vars));
                    s = self.infos[c].scope;
                }
            }
            let node = self.infos[*i].node;
            let at = Site { node: *i, field: &field.pointer };
            match result {
                Err(SyntaxError { line, column, detail }) => {
                    let what = match field.role {
                        floe_blueprint::FieldRole::Template => "template",
                        floe_blueprint::FieldRole::Expression => "expression",
                    };
                    let diagnostic = Diagnostic::new(
                        Code::TemplateSyntax,
                        self.pointer_of(&at),
                        format!("{what} syntax error at line {line}, column {column}: {detail}"),
                        "fix the Jinja syntax; values are written {{ run.name }}, statements {% if ... %}...{% endif %}",
                    )
                    .node(&node.id);
                    self.push(diagnostic);
                }
                Ok(reads) => {
                    let source = value_at(&node.config, &field.pointer).and_then(Value::as_str).unwrap_or_default();
                    for path in reads {
                        match templates::run_read(source, path) {
                            templates::RunRead::None => {}
                            templates::RunRead::Input(name) => {
                                if let Some(names) = &mut self.infos[*i].run_reads {
                                    names.push(name.to_owned());
                                }
                            }
                            // `run` as a whole (a loop over it, a filter, a method call).
                            templates::RunRead::Any => {
                                self.infos[*i].run_reads = None;
                                continue;
                            }
                        }
                        self.read(*i, (source, path), &at, &scope_vars, field.vars);
                    }
                }
            }
        }
    }

    /// The JSON pointer of a template site.
    pub(super) fn pointer_of(&self, at: &Site<'_>) -> String {
        format!("{}/config{}", self.infos[at.node].pointer, at.field)
    }

    /// Checks one variable a template reads.
    pub(super) fn read(
        &mut self,
        i: usize,
        (source, path): (&str, &str),
        at: &Site<'_>,
        scope_vars: &[&str],
        field_vars: &[&str],
    ) {
        let node = self.infos[i].node;
        let mut parts = path.split('.');
        let root = parts.next().unwrap_or_default();
        let second = parts.next();
        let third = parts.next();
        match root {
            "run" => {
                if let Some(name) = second
                    && !self.blueprint.inputs.contains_key(name)
                {
                    let names: Vec<&str> = self.blueprint.inputs.keys().map(String::as_str).collect();
                    let hint = floe_blueprint::parse::closest(name, names.iter().copied())
                        .map(|s| format!("did you mean `run.{s}`? "))
                        .unwrap_or_default();
                    let diagnostic = Diagnostic::new(
                        Code::UnknownVariable,
                        self.pointer_of(at),
                        format!("`run.{name}` reads a run input that is not declared"),
                        format!("{}declare `{name}` under the blueprint's `inputs`", hint),
                    )
                    .node(&node.id)
                    .fix(Fix {
                        title: format!("declare run input `{name}`"),
                        patch: vec![PatchOp::Add {
                            path: if self.blueprint.inputs.is_empty() {
                                "/inputs".into()
                            } else {
                                join_pointer("/inputs", name)
                            },
                            value: if self.blueprint.inputs.is_empty() {
                                json!({name: {"type": "any"}})
                            } else {
                                json!({"type": "any"})
                            },
                        }],
                    });
                    self.push(diagnostic);
                }
            }
            "inputs" => {
                let info = &self.infos[i];
                if let Some(name) = second
                    && info.ports_known
                    && info.input(name).is_none()
                {
                    let names: Vec<&str> = info.ports.inputs.iter().map(|p| p.name.as_ref()).collect();
                    let mut diagnostic = Diagnostic::new(
                        Code::UnknownVariable,
                        self.pointer_of(at),
                        format!("`inputs.{name}` reads an input port `{}` does not have", node.id),
                        format!(
                            "its input ports: {}; declare `{name}` in the node's `inputs` and connect it",
                            names.join(", ")
                        ),
                    )
                    .node(&node.id);
                    if info.spec.is_some_and(|s| s.extra_inputs) {
                        diagnostic = diagnostic.fix(declare_input(info, name));
                    }
                    self.push(diagnostic);
                } else if let Some(name) = second
                    && info.live
                    && info.input(name).is_some_and(|p| !p.required)
                    && !self.connected(i, name)
                    && !templates::guarded(source, &path[.."inputs.".len() + name.len()])
                {
                    self.unconnected_read(i, name, at);
                }
            }
            "nodes" => {
                if let Some(target) = second {
                    self.read_node(i, target, third, at);
                }
            }
            name if scope_vars.contains(&name) || field_vars.contains(&name) => {}
            name => {
                let mut known = vec!["run", "inputs", "nodes"];
                known.extend(scope_vars);
                known.extend(field_vars);
                let hint = did_you_mean(name, known.iter().copied());
                self.push(
                    Diagnostic::new(
                        Code::UnknownVariable,
                        self.pointer_of(at),
                        format!("unknown variable `{name}`"),
                        format!("{}templates here can read: {}", hint, known.join(", ")),
                    )
                    .node(&node.id),
                );
            }
        }
    }

    /// Whether an edge arrives at input port `port` of node `i`.
    pub(super) fn connected(&self, i: usize, port: &str) -> bool {
        let scope = &self.scopes[self.infos[i].scope];
        scope.index.get(&i).is_some_and(|&index| {
            scope.graph.edges_directed(index, Direction::Incoming).any(|e| e.weight().to_port.as_deref() == Some(port))
        })
    }

    /// A template of node `i` reads `inputs.<port>` and nothing feeds that port: the run would
    /// stop at it. When exactly one output in the node's graph goes nowhere and can feed it
    /// without a cycle (the node that fed it was deleted, say), the fix connects it.
    pub(super) fn unconnected_read(&mut self, i: usize, port: &str, at: &Site<'_>) {
        let info = &self.infos[i];
        let id = info.node.id.as_str();
        let scope = &self.scopes[info.scope];
        let mut dangling = Vec::new();
        if let Some(&reader) = scope.index.get(&i) {
            for &m in &scope.members {
                let candidate = &self.infos[m];
                let Some(&index) = scope.index.get(&m) else { continue };
                if m == i || !candidate.live || !candidate.ports_known {
                    continue;
                }
                let used: HashSet<&str> = scope
                    .graph
                    .edges_directed(index, Direction::Outgoing)
                    .map(|e| e.weight().from_port.as_str())
                    .collect();
                let free =
                    candidate.ports.outputs.iter().filter(|p| p.name != "error" && !used.contains(p.name.as_ref()));
                for output in free {
                    if !petgraph::algo::has_path_connecting(&scope.graph, reader, index, None) {
                        dangling.push(format!("{}.{}", candidate.node.id, output.name));
                    }
                }
            }
        }
        let mut diagnostic = Diagnostic::new(
            Code::InputNotConnected,
            self.pointer_of(at),
            format!("`{id}` reads `inputs.{port}`, but nothing is connected to `{id}.{port}`"),
            format!(
                "connect an output to `{id}.{port}`, or write `inputs.{port} | default(...)` if the node may run without it"
            ),
        )
        .node(id);
        if let [from] = dangling.as_slice() {
            diagnostic = diagnostic.fix(Fix {
                title: format!("connect {from} → {id}.{port}"),
                patch: vec![append(
                    &join_pointer(&scope.pointer, "edges"),
                    scope.edges.is_empty(),
                    json!({"from": from, "to": format!("{id}.{port}")}),
                )],
            });
        }
        self.push(diagnostic);
    }

    /// `nodes.<target>.<port>` read by node `i`: the target must exist, be visible and upstream.
    pub(super) fn read_node(&mut self, i: usize, target: &str, port: Option<&str>, at: &Site<'_>) {
        let reader = self.infos[i].node.id.as_str();
        let Some(&t) = self.ids.get(target) else {
            let names: Vec<&str> = self.ids.keys().copied().collect();
            let hint = did_you_mean(target, names.iter().copied());
            self.push(
                Diagnostic::new(
                    Code::UnknownVariable,
                    self.pointer_of(at),
                    format!("`nodes.{target}` reads a node that does not exist"),
                    format!("{}use the id of an upstream node", hint),
                )
                .node(reader),
            );
            return;
        };
        self.used[t] = true;
        self.infos[i].reads.push(t);
        if let Some(port) = port
            && self.infos[t].ports_known
            && !self.infos[t].ports.outputs.iter().any(|p| p.name == port)
        {
            let names: Vec<&str> = self.infos[t].ports.outputs.iter().map(|p| p.name.as_ref()).collect();
            self.push(
                Diagnostic::new(
                    Code::UnknownVariable,
                    self.pointer_of(at),
                    format!("`nodes.{target}.{port}`: `{target}` has no output port `{port}`"),
                    format!("its output ports: {}", names.join(", ")),
                )
                .node(reader),
            );
        }
        if t == i {
            self.push(
                Diagnostic::new(
                    Code::NotUpstream,
                    self.pointer_of(at),
                    format!("`{reader}` reads its own output"),
                    "a node cannot read itself; read an upstream node instead",
                )
                .node(reader),
            );
            return;
        }
        // Walk out from the reader until reaching the target's scope.
        let target_scope = self.infos[t].scope;
        let mut at_level = i;
        while self.infos[at_level].scope != target_scope {
            match self.scopes[self.infos[at_level].scope].container {
                Some(c) => at_level = c,
                None => {
                    self.push(
                        Diagnostic::new(
                            Code::NotUpstream,
                            self.pointer_of(at),
                            format!("`{reader}` reads `{target}`, which is inside the body of another container"),
                            "a node can read nodes of its own graph and of the graphs around it, not inside other bodies; use that container's result ports",
                        )
                        .node(reader),
                    );
                    return;
                }
            }
        }
        if at_level == t {
            self.push(
                Diagnostic::new(
                    Code::NotUpstream,
                    self.pointer_of(at),
                    format!("`{reader}` is inside `{target}` and reads its outputs"),
                    "body nodes cannot read their own container's outputs; read `parent.*` for its inputs",
                )
                .node(reader),
            );
            return;
        }
        let scope = target_scope;
        let (Some(&a), Some(&x)) = (self.scopes[scope].index.get(&t), self.scopes[scope].index.get(&at_level)) else {
            return;
        };
        // A direct predecessor is the common case; look from the reader's side, which has few
        // incoming edges even when the source fans out to thousands.
        let direct = self.scopes[scope].graph.neighbors_directed(x, Direction::Incoming).any(|p| p == a);
        if direct || self.ancestors_of(scope, x).contains(&a) {
            return;
        }
        let via = &self.infos[at_level].node.id;
        let message = if at_level == i {
            format!("`{reader}` reads `{target}`, which is not upstream of it")
        } else {
            format!("`{reader}` reads `{target}`, which is not upstream of its container `{via}`")
        };
        let mut diagnostic = Diagnostic::new(
            Code::NotUpstream,
            self.pointer_of(at),
            message,
            format!("add an edge from `{target}` to `{via}` so it runs first"),
        )
        .node(reader);
        let cycle = self.ancestors_of(scope, a).contains(&x);
        let from_port =
            port.map(str::to_owned).or_else(|| self.infos[t].ports.outputs.first().map(|p| p.name.to_string()));
        if cycle {
            diagnostic.help =
                format!("`{target}` runs after `{via}`, so an edge would make a cycle; reorganise the graph");
        } else if let Some(from_port) = from_port {
            let edges_pointer = join_pointer(&self.scopes[scope].pointer, "edges");
            diagnostic = diagnostic.fix(Fix {
                title: format!("add edge {target}.{from_port} → {via}"),
                patch: vec![append(
                    &edges_pointer,
                    self.scopes[scope].edges.is_empty(),
                    json!({"from": format!("{target}.{from_port}"), "to": via}),
                )],
            });
        }
        self.push(diagnostic);
    }

    /// Every ancestor of `node` in `scope` (memoised reverse walk).
    pub(super) fn ancestors_of(&mut self, scope: usize, node: NodeIndex) -> &HashSet<NodeIndex> {
        let graph = &self.scopes[scope].graph;
        self.ancestors.entry((scope, node)).or_insert_with(|| {
            let mut seen = HashSet::default();
            let mut queue = VecDeque::from([node]);
            while let Some(n) = queue.pop_front() {
                for p in graph.neighbors_directed(n, Direction::Incoming) {
                    if seen.insert(p) {
                        queue.push_back(p);
                    }
                }
            }
            seen
        })
    }
}

/// The templates of one node with what each one reads (or its syntax error).
pub(super) type Analysed<'s> = Vec<(ScriptField, Result<templates::Reads<'s>, SyntaxError>)>;

/// Where a template sits: the node's pointer and the field's pointer inside `config`; the full
/// pointer is only built when a diagnostic needs it.
pub(super) struct Site<'p> {
    node: usize,
    field: &'p str,
}

/// A fix declaring an extra input port `port` (type any) on the node of `info`.
pub(super) fn declare_input(info: &Info<'_>, port: &str) -> Fix {
    Fix {
        title: format!("declare input port `{port}`"),
        patch: vec![append(
            &format!("{}/inputs", info.pointer),
            info.node.inputs.is_empty(),
            json!({"name": port, "type": "any"}),
        )],
    }
}
