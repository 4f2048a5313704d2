//! Models: the default model (the blueprint's `default_model`, else the resolver's, which is the
//! one chosen in the settings) put in place of `default` in every model field a kind names
//! (`Traits::models`), and the list of models the plan may call, sub-workflows' included.

use floe_blueprint::catalog::kinds::llm::is_model_name;
use floe_blueprint::catalog::{DEFAULT_MODEL, model_names};

use super::*;

impl Compiler<'_, '_> {
    /// A blueprint's own `default_model` must be a model name.
    pub(super) fn check_default_model(&mut self) {
        if let Some(model) = &self.blueprint.default_model
            && !is_model_name(model)
        {
            self.push(Diagnostic::new(
                Code::InvalidModel,
                "/default_model",
                format!("the default model {model:?} is not written `provider:model`"),
                "name the provider and the model, e.g. `openai:gpt-4o-mini` or `ollama:llama3.2`",
            ));
        }
    }

    /// The default model for this blueprint, resolved once.
    fn default_model(&mut self) -> Option<DefaultModel> {
        if self.default_model.is_none() {
            let own = self.blueprint.default_model.as_deref().filter(|m| is_model_name(m));
            let resolved = match own {
                Some(model) => Some(DefaultModel { model: model.to_owned(), from: ModelSource::Blueprint }),
                None => self
                    .resolver
                    .default_model()
                    .filter(|m| is_model_name(m))
                    .map(|model| DefaultModel { model: model.to_owned(), from: ModelSource::Settings }),
            };
            self.default_model = Some(resolved);
        }
        self.default_model.clone().flatten()
    }

    /// Lists node `i`'s models and puts the default model in place of `default`, or warns that
    /// none is chosen.
    pub(super) fn resolve_models(&mut self, i: usize) {
        let Some(fields) = self.infos[i].spec.map(|k| k.traits.models).filter(|f| !f.is_empty()) else { return };
        let node = self.infos[i].node;
        let Some(config) = node.config.as_object() else { return };
        let names = model_names(config, fields);
        if names.is_empty() {
            return;
        }
        let uses_default = names.iter().any(|(_, name)| *name == DEFAULT_MODEL);
        let default = if uses_default { self.default_model() } else { None };
        // The first field names the primary model; the others, models tried when it fails.
        let primary = format!("/{}", fields[0]);
        for (pointer, name) in &names {
            let model = match (*name == DEFAULT_MODEL, &default) {
                (true, Some(default)) => default.model.clone(),
                _ => (*name).to_owned(),
            };
            self.models.push(ModelUse { node: node.id.clone(), model, fallback: *pointer != primary });
        }
        if !uses_default {
            return;
        }
        self.default_used = true;
        let Some(default) = default else {
            let pointer = names.iter().find(|(_, name)| *name == DEFAULT_MODEL).map_or("/model", |(p, _)| p.as_str());
            self.push(
                Diagnostic::new(
                    Code::NoDefaultModel,
                    format!("{}/config{pointer}", self.infos[i].pointer),
                    format!("`{}` calls the default model, and none is chosen", node.id),
                    "choose a default model in Settings (or `floe models default <provider:model>`), set the \
                     blueprint's `default_model`, or name a model here",
                )
                .node(&node.id),
            );
            return;
        };
        let mut resolved = config.clone();
        for field in fields {
            match resolved.get_mut(*field) {
                Some(Value::String(name)) if name == DEFAULT_MODEL => name.clone_from(&default.model),
                Some(Value::Array(items)) => {
                    for item in items.iter_mut().filter(|v| v.as_str() == Some(DEFAULT_MODEL)) {
                        *item = Value::String(default.model.clone());
                    }
                }
                _ => {}
            }
        }
        self.infos[i].config = Some(Arc::new(Value::Object(resolved)));
    }

    /// The default model this plan uses (its own nodes', else a sub-workflow's).
    pub(super) fn used_default_model(&mut self) -> Option<DefaultModel> {
        if self.default_used {
            return self.default_model();
        }
        self.child_keys().find_map(|(_, key)| self.children.get(key)?.default_model.clone())
    }

    /// Every model the plan may call: its nodes', then each sub-workflow's under the node that
    /// runs it.
    pub(super) fn plan_models(&mut self) -> Vec<ModelUse> {
        let mut models = std::mem::take(&mut self.models);
        for (node, key) in self.child_keys() {
            if let Some(child) = self.children.get(key) {
                models
                    .extend(child.models.iter().map(|m| ModelUse { node: format!("{node}/{}", m.node), ..m.clone() }));
            }
        }
        models
    }

    /// (node id, resolver key) of every sub-workflow a node runs or offers as a tool.
    fn child_keys(&self) -> impl Iterator<Item = (&str, &str)> {
        self.infos.iter().flat_map(|info| {
            let id = info.node.id.as_str();
            info.workflow
                .iter()
                .map(move |key| (id, key.as_str()))
                .chain(info.tools.iter().map(move |t| (id, t.key.as_str())))
        })
    }
}
