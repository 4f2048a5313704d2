//! `json_query`: a jq filter (the jaq implementation) over a JSON value. Filters are compiled
//! once per text in the process and run inline: a compiled filter takes microseconds.

use std::sync::{Arc, LazyLock};

use floe_blueprint::cache::ContentCache;
use floe_blueprint::catalog::tools::json_query::JsonQueryArgs;
use jaq_core::load::{Arena, File, Loader};
use jaq_core::{Compiler, Ctx, Filter, Native, RcIter};
use jaq_json::Val;
use serde_json::Value;

use crate::exec::{NodeCtx, NodeError, output};
use crate::template::Outputs;

pub(super) fn run(args: JsonQueryArgs, ctx: &NodeCtx) -> Result<Outputs, NodeError> {
    answer(&*compiled(&args.query)?, args.input.unwrap_or_else(|| ctx.input("in")))
}

/// A `json_query` call whose args hold no template: its filter compiled once per plan.
pub(crate) struct Prepared {
    filter: Arc<Compiled>,
    input: Option<Value>,
}

impl Prepared {
    /// Fails when the filter does not compile.
    pub(crate) fn new(args: JsonQueryArgs) -> Result<Prepared, NodeError> {
        Ok(Prepared { filter: compiled(&args.query)?, input: args.input })
    }

    pub(crate) fn run(&self, ctx: &NodeCtx) -> Result<Outputs, NodeError> {
        answer(&self.filter, self.input.clone().unwrap_or_else(|| ctx.input("in")))
    }
}

/// The node's outputs: `filter` run on `input`, one result as it is, several (or none) as an
/// array.
fn answer(filter: &Compiled, input: Value) -> Result<Outputs, NodeError> {
    let result = match <[Value; 1]>::try_from(run_filter(filter, input)?) {
        Ok([one]) => one,
        Err(many) => Value::Array(many),
    };
    Ok(output("result", result))
}

/// A filter compiled with jaq's standard library.
type Compiled = Filter<Native<Val>>;

/// `filter`, compiled. Loading the standard library and compiling take hundreds of
/// microseconds, running a compiled filter one or two: each filter is compiled once in the
/// process.
fn compiled(filter: &str) -> Result<Arc<Compiled>, NodeError> {
    static FILTERS: LazyLock<ContentCache<Compiled>> = LazyLock::new(|| ContentCache::new(1024));
    FILTERS.get_or_insert_with(filter, || compile(filter))
}

/// Every output of `compiled` run on `input`.
fn run_filter(compiled: &Compiled, input: Value) -> Result<Vec<Value>, NodeError> {
    let inputs = RcIter::new(core::iter::empty());
    compiled
        .run((Ctx::new([], &inputs), Val::from(input)))
        .map(|result| {
            result.map(Value::from).map_err(|e| NodeError::tool(format!("`query` failed on this input: {e}")))
        })
        .collect()
}

fn compile(filter: &str) -> Result<Compiled, NodeError> {
    let loader = Loader::new(jaq_std::defs().chain(jaq_json::defs()));
    let arena = Arena::default();
    let modules = loader.load(&arena, File { code: filter, path: () }).map_err(|errors| {
        let detail = errors.iter().map(|(_, error)| format!("{error:?}")).collect::<Vec<_>>().join("; ");
        NodeError::tool(format!("`query` does not parse as a jq filter: {detail}"))
    })?;
    Compiler::default().with_funs(jaq_std::funs().chain(jaq_json::funs())).compile(modules).map_err(|errors| {
        let names: Vec<String> =
            errors.iter().flat_map(|(_, list)| list.iter().map(|(name, _)| name.to_string())).collect();
        NodeError::tool(format!("`query` uses undefined names: {}", names.join(", ")))
    })
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::{compiled, run_filter};
    use crate::exec::NodeError;

    fn query(filter: &str, input: Value) -> Result<Vec<Value>, NodeError> {
        run_filter(&*compiled(filter)?, input)
    }

    #[test]
    fn runs_jq_filters() {
        let input = json!({"items": [{"price": 2}, {"price": 3}]});
        assert_eq!(query(".items | map(.price) | add", input.clone()).ok(), Some(vec![json!(5)]));
        assert_eq!(query(".items[].price", input).ok(), Some(vec![json!(2), json!(3)]));
        assert!(query(".items |", json!({})).is_err());
        assert!(query("nosuchfunction", json!({})).is_err());
        assert!(query(".a + 1", json!({"a": "x"})).is_err());
    }
}
