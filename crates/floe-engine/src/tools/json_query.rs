//! `json_query`: a jq filter (the jaq implementation) over a JSON value. Filters are compiled
//! once per text in the process and run inline: a compiled filter takes microseconds.

use std::sync::LazyLock;

use floe_blueprint::cache::ContentCache;
use floe_blueprint::catalog::tools::json_query::JsonQueryArgs;
use jaq_core::load::{Arena, File, Loader};
use jaq_core::{Compiler, Ctx, Filter, Native, RcIter};
use jaq_json::Val;
use serde_json::Value;

use crate::exec::{NodeCtx, NodeError, output};
use crate::template::Outputs;

pub(super) fn run(args: JsonQueryArgs, ctx: &NodeCtx) -> Result<Outputs, NodeError> {
    let input = args.input.unwrap_or_else(|| ctx.input("in"));
    let results = query(&args.query, input)?;
    let result = match <[Value; 1]>::try_from(results) {
        Ok([one]) => one,
        Err(many) => Value::Array(many),
    };
    Ok(output("result", result))
}

/// A filter compiled with jaq's standard library.
type Compiled = Filter<Native<Val>>;

/// Every output of `filter` run on `input`.
pub(crate) fn query(filter: &str, input: Value) -> Result<Vec<Value>, NodeError> {
    // Loading the standard library and compiling take hundreds of microseconds, running a
    // compiled filter one or two: each filter is compiled once in the process.
    static FILTERS: LazyLock<ContentCache<Compiled>> = LazyLock::new(|| ContentCache::new(1024));
    let compiled = FILTERS.get_or_insert_with(filter, || compile(filter))?;
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
    use serde_json::json;

    use super::query;

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
