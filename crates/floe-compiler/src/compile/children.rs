//! Sub-workflows: the blueprints a node runs (its kind names them: `KindSpec::blueprints`) —
//! a step's ports from its child's inputs and outputs, an agent's blueprint tools — and
//! compiling each child once (with recursion and depth limits).

use super::*;

impl<'a, 's> Compiler<'a, 's> {
    /// Resolves the child a step node runs and takes its inputs and outputs as ports; inputs the
    /// config gives (the kind's `config_inputs`) must be the child's.
    pub(super) fn step_ports(&mut self, i: usize, reference: &str, pointer: &str, ports: &mut Ports) -> bool {
        let node = self.infos[i].node;
        let Some((key, child)) = self.child(reference, pointer, &node.id) else { return false };
        self.infos[i].workflow = Some(key);
        ports.inputs = child.inputs.clone();
        let field = self.infos[i].spec.and_then(|k| k.traits.config_inputs);
        if let Some(field) = field
            && let Some(Value::Object(given)) = node.config.get(field)
        {
            for name in given.keys() {
                if !child.inputs.iter().any(|p| &p.name == name) {
                    let names: Vec<&str> = child.inputs.iter().map(|p| p.name.as_ref()).collect();
                    self.push(
                        Diagnostic::new(
                            Code::WorkflowInput,
                            format!(
                                "{}/config/{field}/{}",
                                self.infos[i].pointer,
                                floe_blueprint::diagnostic::escape_token(name)
                            ),
                            format!("`{reference}` has no input `{name}`"),
                            format!(
                                "its inputs are: {}",
                                if names.is_empty() { "(none)".into() } else { names.join(", ") }
                            ),
                        )
                        .node(&node.id),
                    );
                }
            }
        }
        match &child.outputs {
            Some(outputs) => {
                ports.outputs = outputs.clone();
                true
            }
            None => false,
        }
    }

    /// A blueprint an agent may call as a tool: it must resolve and compile too.
    pub(super) fn blueprint_tool(&mut self, i: usize, reference: &str, pointer: &str, name: Option<String>) {
        let node = self.infos[i].node;
        if let Some((key, child)) = self.child(reference, pointer, &node.id) {
            let (id, description) = child.about.clone();
            let name = name.unwrap_or(id);
            self.infos[i].tools.push(WorkflowTool { name, description, key, inputs: child.inputs.clone() });
        }
    }

    /// Resolves and compiles a sub-workflow (once per key), reporting problems at `pointer`.
    pub(super) fn child(&mut self, reference: &str, pointer: &str, node: &str) -> Option<(String, Child)> {
        let resolved = match self.resolver.resolve(self.key, reference) {
            Ok(resolved) => resolved,
            Err(why) => {
                self.push(
                    Diagnostic::new(
                        Code::WorkflowNotFound,
                        pointer,
                        format!("sub-workflow `{reference}` was not found: {why}"),
                        "check the path; it is relative to the folder of this blueprint",
                    )
                    .node(node),
                );
                return None;
            }
        };
        let key = resolved.key.clone();
        if let Some(start) = self.stack.iter().position(|k| *k == key) {
            let chain: Vec<&str> = self.stack[start..].iter().map(String::as_str).chain([key.as_str()]).collect();
            self.push(
                Diagnostic::new(
                    Code::WorkflowRecursion,
                    pointer,
                    format!("sub-workflow `{reference}` recurses into itself: {}", chain.join(" → ")),
                    "a blueprint cannot run itself, directly or through others; use a recursive node to repeat work",
                )
                .node(node),
            );
            return None;
        }
        if self.stack.len() >= MAX_WORKFLOW_DEPTH {
            self.push(
                Diagnostic::new(
                    Code::WorkflowRecursion,
                    pointer,
                    format!("sub-workflows nest more than {MAX_WORKFLOW_DEPTH} deep here"),
                    "flatten the chain of sub-workflows",
                )
                .node(node),
            );
            return None;
        }
        if !self.children.contains_key(&key) {
            let child = self.compile_child(&key, resolved);
            self.children.insert(key.clone(), child);
        }
        let child = self.children.get(&key)?.clone();
        if let Some(chain) = &child.recursion {
            self.push(
                Diagnostic::new(
                    Code::WorkflowRecursion,
                    pointer,
                    format!("sub-workflow `{reference}` recurses: {chain}"),
                    "a blueprint cannot run itself, directly or through others; use a recursive node to repeat work",
                )
                .node(node),
            );
        } else if child.errors > 0 {
            self.push(
                Diagnostic::new(
                    Code::WorkflowInvalid,
                    pointer,
                    format!(
                        "sub-workflow `{reference}` has {} error(s); the first: {}",
                        child.errors,
                        child.first_error.as_deref().unwrap_or("unknown")
                    ),
                    format!("open `{reference}` and fix it (`floe validate {reference}`)"),
                )
                .node(node),
            );
        }
        Some((key, child))
    }

    pub(super) fn compile_child(&mut self, key: &str, resolved: crate::resolve::Resolved) -> Child {
        let mut errors: Vec<Diagnostic> = resolved.diagnostics.into_iter().filter(Diagnostic::is_error).collect();
        let Some(blueprint) = resolved.blueprint else {
            return summarize(None, Vec::new(), None, errors);
        };
        let inputs = blueprint
            .inputs
            .iter()
            .map(|(name, input)| {
                let description = if input.description.is_empty() {
                    "sub-workflow input".to_owned()
                } else {
                    input.description.clone()
                };
                let mut port = PortDef::new(name.clone(), input.ty, description);
                port.required = input.default.is_none();
                port
            })
            .collect();
        self.stack.push(key.to_owned());
        let (plan, found) = {
            let compiler = Compiler::new(&blueprint, self.catalog, self.resolver, Some(key), self.stack, self.children);
            compiler.run()
        };
        self.stack.pop();
        errors.extend(found.into_iter().filter(Diagnostic::is_error));
        let outputs = plan.as_ref().map(|p| {
            p.outputs()
                .iter()
                .map(|(name, out)| PortDef::new(name.clone(), out.ty, format!("from {}.{}", out.node, out.port)))
                .collect()
        });
        let mut child = summarize(plan.as_ref().map(|p| p.hash().to_owned()), inputs, outputs, errors);
        child.about = (blueprint.id.clone(), blueprint.description.clone());
        if let Some(plan) = plan {
            child.models = plan.models;
            child.default_model = plan.default_model;
        }
        child
    }
}

pub(super) fn summarize(
    hash: Option<String>,
    inputs: Vec<PortDef>,
    outputs: Option<Vec<PortDef>>,
    errors: Vec<Diagnostic>,
) -> Child {
    let recursion = errors.iter().find(|d| d.code == Code::WorkflowRecursion).map(|d| d.message.clone());
    Child {
        hash,
        about: Default::default(),
        inputs,
        outputs,
        errors: errors.len(),
        first_error: errors.first().map(|d| format!("{} {}", d.code, d.message)),
        recursion,
        models: Vec::new(),
        default_model: None,
    }
}

/// Prefixes every path of a fix with `base`.
pub(super) fn rebase(fix: &mut Fix, base: &str) {
    for op in &mut fix.patch {
        match op {
            PatchOp::Add { path, .. } | PatchOp::Replace { path, .. } | PatchOp::Remove { path } => {
                *path = format!("{base}{path}")
            }
            PatchOp::Move { from, path } => {
                *from = format!("{base}{from}");
                *path = format!("{base}{path}");
            }
        }
    }
}
