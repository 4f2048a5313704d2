//! Collecting the document into the compiler's tables: nodes by scope, unique ids, each node checked
//! against its kind (config schema, ports, policy, effect).

use super::*;

impl<'a, 's> Compiler<'a, 's> {
    /// Lists every node with its pointer and scope; bodies become scopes (work list, no recursion).
    pub(super) fn collect(&mut self) {
        let blueprint = self.blueprint;
        self.scopes.push(new_scope(None, &blueprint.edges, String::new()));
        let mut pending: Vec<(usize, &'a [Node], String)> = vec![(0, &blueprint.nodes, String::new())];
        while let Some((scope, nodes, prefix)) = pending.pop() {
            for (i, node) in nodes.iter().enumerate() {
                let pointer = format!("{prefix}/nodes/{i}");
                let index = self.infos.len();
                let body = node.body.as_ref().map(|body| {
                    let body_pointer = format!("{pointer}/body");
                    self.scopes.push(new_scope(Some(index), &body.edges, body_pointer.clone()));
                    let s = self.scopes.len() - 1;
                    pending.push((s, &body.nodes, body_pointer));
                    s
                });
                self.scopes[scope].members.push(index);
                self.infos.push(Info {
                    node,
                    pointer,
                    scope,
                    live: false,
                    spec: None,
                    config: None,
                    ports: Ports::default(),
                    input_positions: HashMap::default(),
                    ports_known: false,
                    policy: policy::resolve(&node.policy, &blueprint.defaults),
                    effect: Effect::Pure,
                    reads: Vec::new(),
                    run_reads: Some(Vec::new()),
                    workflow: None,
                    tools: Vec::new(),
                    body,
                });
            }
        }
    }

    /// Unique, valid ids join the graph; duplicates are reported with a rename fix.
    pub(super) fn assign_ids(&mut self) {
        for i in 0..self.infos.len() {
            let id = self.infos[i].node.id.as_str();
            if !is_identifier(id) {
                continue;
            }
            if let Some(&first) = self.ids.get(id) {
                let mut n = 2;
                while self.ids.contains_key(format!("{id}_{n}").as_str()) {
                    n += 1;
                }
                let pointer = format!("{}/id", self.infos[i].pointer);
                let diagnostic = Diagnostic::new(
                    Code::DuplicateId,
                    pointer.clone(),
                    format!("node id `{id}` is already used by the node at {}", self.infos[first].pointer),
                    "node ids must be unique across the blueprint, bodies included; rename one of them",
                )
                .node(id)
                .fix(Fix {
                    title: format!("rename to `{id}_{n}`"),
                    patch: vec![PatchOp::Replace { path: pointer, value: json!(format!("{id}_{n}")) }],
                });
                self.push(diagnostic);
            } else {
                self.ids.insert(id, i);
                self.infos[i].live = true;
            }
        }
    }

    /// Checks every node (in parallel), then resolves sub-workflows one by one.
    pub(super) fn nodes(&mut self) {
        let catalog = self.catalog;
        let checks: Vec<NodeCheck<'a>> =
            self.infos.par_iter().with_min_len(256).map(|info| check_node(info, catalog)).collect();
        for (i, check) in checks.into_iter().enumerate() {
            let info = &mut self.infos[i];
            info.spec = check.spec;
            info.set_ports(check.ports, check.ports_known);
            info.effect = check.effect;
            self.diagnostics.extend(check.diagnostics);
            self.resolve_models(i);
            // The blueprints the node runs, as its kind reads them from the config.
            let uses =
                self.infos[i].spec.map(|k| (k.traits.blueprints)(self.infos[i].node.config_map())).unwrap_or_default();
            for used in uses {
                let pointer = format!("{}/config{}", self.infos[i].pointer, used.pointer);
                match used.role {
                    BlueprintRole::Step => {
                        let mut ports = Ports::default();
                        let known = self.step_ports(i, &used.reference, &pointer, &mut ports);
                        if matches!(self.infos[i].policy.on_error, OnError::ErrorPort) {
                            ports.outputs.push(error_port());
                        }
                        self.infos[i].set_ports(ports, known);
                    }
                    BlueprintRole::Tool { name } => self.blueprint_tool(i, &used.reference, &pointer, name),
                }
            }
        }
    }
}

/// Kind, body, config, ports, policy and effect of one node: everything that needs no other
/// node, so nodes are checked in parallel. Sub-workflow ports are filled in afterwards.
pub(super) fn check_node<'a>(info: &Info<'a>, catalog: &'a Catalog) -> NodeCheck<'a> {
    let mut out = NodeCheck {
        spec: None,
        diagnostics: Vec::new(),
        ports: Ports::default(),
        ports_known: false,
        effect: Effect::Pure,
    };
    let node = info.node;
    let pointer = &info.pointer;
    let id = node.id.as_str();
    if !node.policy.is_empty() {
        policy::check(&node.policy, &format!("{pointer}/policy"), Some(id), &mut out.diagnostics);
    }
    if node.kind.is_empty() {
        return out;
    }
    let Some(spec) = catalog.kind(&node.kind) else {
        let names: Vec<&str> = catalog.kinds().iter().map(|k| k.name).collect();
        let suggestion = floe_blueprint::parse::closest(&node.kind, names.iter().copied());
        let at = format!("{pointer}/kind");
        let mut diagnostic = Diagnostic::new(
            Code::UnknownKind,
            at.clone(),
            format!("unknown node kind `{}`", node.kind),
            match suggestion {
                Some(s) => format!("did you mean `{s}`? kinds: {}", names.join(", ")),
                None => format!("use one of: {}", names.join(", ")),
            },
        )
        .node(id);
        if let Some(s) = suggestion {
            diagnostic = diagnostic
                .fix(Fix { title: format!("use `{s}`"), patch: vec![PatchOp::Replace { path: at, value: json!(s) }] });
        }
        out.diagnostics.push(diagnostic);
        return out;
    };
    out.spec = Some(spec);

    match (spec.container, node.body.is_some()) {
        (true, false) => out.diagnostics.push(
            Diagnostic::new(
                Code::BodyMismatch,
                pointer.clone(),
                format!("`{}` nodes need a body", spec.name),
                "add a `body` with the nodes to repeat or run in parallel",
            )
            .node(id)
            .fix(Fix {
                title: "add an empty body".into(),
                patch: vec![PatchOp::Add { path: format!("{pointer}/body"), value: json!({"nodes": []}) }],
            }),
        ),
        (false, true) => out.diagnostics.push(
            Diagnostic::new(
                Code::BodyMismatch,
                format!("{pointer}/body"),
                format!("`{}` nodes cannot have a body", spec.name),
                "only loop, parallel and recursive nodes hold a body; move these nodes out or change the kind",
            )
            .node(id),
        ),
        _ => {}
    }

    // Config problems are found with pointers relative to `config`, which are made absolute only
    // when there are any (most nodes have none, and building strings for each one adds up).
    let config = &node.config;
    let mut found = Vec::new();
    Validators::builtin().config(spec.name, config, "", &mut found);
    // A kind that calls a tool says which, with which args: they are checked against its schema.
    let call = (spec.traits.tool_call)(node.config_map());
    if let Some(call) = call
        && let (Some(tool), Some(args)) = (catalog.tool(call.tool), call.args)
    {
        crate::config::check_args(tool, args, call.args_pointer, &mut found);
    }
    found.extend((spec.check)(node.config_map(), catalog));
    durations(config, call.and_then(|c| c.args.map(|args| (args, c.args_pointer))), &mut found);
    if !found.is_empty() {
        let config_pointer = format!("{pointer}/config");
        for d in &mut found {
            d.pointer = format!("{config_pointer}{}", d.pointer);
            if let Some(fix) = d.fix.as_mut() {
                rebase(fix, &config_pointer);
            }
        }
    }
    out.diagnostics.extend(found.into_iter().map(|d| d.node(id)));

    let mut ports = (spec.ports)(node.config_map(), catalog);
    let ports_known = call.is_none_or(|c| catalog.tool(c.tool).is_some());
    for (field, declared, allowed) in
        [("inputs", &node.inputs, spec.extra_inputs), ("outputs", &node.outputs, spec.extra_outputs)]
    {
        if declared.is_empty() {
            continue;
        }
        if !allowed {
            out.diagnostics.push(
                Diagnostic::new(
                    Code::InvalidConfig,
                    format!("{pointer}/{field}"),
                    format!("`{}` nodes cannot declare their own {field}", spec.name),
                    "remove the declared ports; this kind's ports come from its config",
                )
                .node(id),
            );
            continue;
        }
        let list = if field == "inputs" { &mut ports.inputs } else { &mut ports.outputs };
        // By name, so declaring N ports costs O(N).
        let mut positions: HashMap<String, usize> =
            list.iter().enumerate().map(|(k, p)| (p.name.to_string(), k)).collect();
        for port in declared {
            let def = PortDef::new(port.name.clone(), port.ty, port.description.clone());
            match positions.get(&port.name).map(|&k| &mut list[k]) {
                Some(existing) => {
                    existing.ty = port.ty;
                    if !port.description.is_empty() {
                        existing.description = def.description;
                    }
                }
                None => {
                    positions.insert(port.name.clone(), list.len());
                    list.push(def);
                }
            }
        }
    }
    if matches!(info.policy.on_error, OnError::ErrorPort) {
        ports.outputs.push(error_port());
    }
    out.ports = ports;
    out.ports_known = ports_known;
    out.effect = (spec.effect)(node.config_map(), catalog);
    out
}

/// Duration-valued config fields (and tool args, at their pointer) must parse.
pub(super) fn durations(config: &Value, tool_args: Option<(&Value, &str)>, out: &mut Vec<Diagnostic>) {
    let mut push = |d: Diagnostic| out.push(d);
    for key in ["timeout", "turn_timeout"] {
        if let Some(text) = config.get(key).and_then(Value::as_str) {
            policy::duration(Some(text), &format!("/{key}"), &mut push);
        }
    }
    if let Some((args, pointer)) = tool_args {
        for key in ["timeout", "duration"] {
            if let Some(text) = args.get(key).and_then(Value::as_str).filter(|t| !t.contains("{{")) {
                policy::duration(Some(text), &format!("{pointer}/{key}"), &mut push);
            }
        }
    }
}

/// The `error` output port of a node whose policy routes errors to it.
pub(super) fn error_port() -> PortDef {
    PortDef::new("error", ValueType::Object, "the error, when the node failed")
}

/// What checking one node on its own found.
pub(super) struct NodeCheck<'a> {
    spec: Option<&'a KindSpec>,
    diagnostics: Vec<Diagnostic>,
    ports: Ports,
    ports_known: bool,
    effect: Effect,
}

pub(super) fn new_scope<'a>(container: Option<usize>, edges: &'a [Edge], pointer: String) -> ScopeInfo<'a> {
    ScopeInfo {
        container,
        edges,
        pointer,
        members: Vec::new(),
        graph: DiGraph::new(),
        index: HashMap::default(),
        order: Vec::new(),
    }
}

/// The node's policy object with `on_error` replaced.
pub(super) fn merged_policy(node: &Node, on_error: Value) -> Value {
    let mut policy = serde_json::to_value(&node.policy).unwrap_or_else(|_| json!({}));
    policy["on_error"] = on_error;
    policy
}
