//! Templates and expressions: syntax checks with positions (minijinja) and the variables each
//! one reads, so the compiler can check `run.*`, `inputs.*` and `nodes.<id>.<port>` against the
//! graph.

use floe_blueprint::FieldRole;
use minijinja::Environment;

/// A syntax error inside one template, positioned within the template text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    /// 1-based line in the template.
    pub line: usize,
    /// 1-based column in the template.
    pub column: usize,
    /// What minijinja said.
    pub detail: String,
}

/// Variables a template reads that it does not declare itself, each split on `.`
/// (`nodes.fetch.body` → `["nodes", "fetch", "body"]`), sorted.
pub(crate) type Reads = Vec<Vec<String>>;

/// Names minijinja provides, which templates may read without declaring.
const GLOBALS: &[&str] =
    &["range", "dict", "debug", "namespace", "loop", "self", "super", "caller", "varargs", "kwargs"];

/// Parses `source` as a template or an expression and lists what it reads.
pub(crate) fn analyse(env: &Environment<'static>, source: &str, role: FieldRole) -> Result<Reads, SyntaxError> {
    let names = match role {
        FieldRole::Template => {
            let template = env.template_from_str(source).map_err(|e| syntax_error(source, &e))?;
            template.undeclared_variables(true)
        }
        FieldRole::Expression => {
            let expression = env.compile_expression(source).map_err(|e| syntax_error(source, &e))?;
            expression.undeclared_variables(true)
        }
    };
    let mut reads: Reads = names
        .into_iter()
        .map(|name| name.split('.').map(str::to_owned).collect::<Vec<_>>())
        .filter(|path| !path.first().is_some_and(|root| GLOBALS.contains(&root.as_str())))
        .collect();
    reads.sort();
    Ok(reads)
}

fn syntax_error(source: &str, error: &minijinja::Error) -> SyntaxError {
    let detail = error.detail().map_or_else(|| error.kind().to_string(), str::to_owned);
    let (line, column) = match error.range() {
        Some(range) => position(source, range.start),
        None => (error.line().unwrap_or(1), 1),
    };
    SyntaxError { line, column, detail }
}

fn position(source: &str, offset: usize) -> (usize, usize) {
    let before = source.get(..offset.min(source.len())).unwrap_or(source);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// The environment templates are checked in (the engine renders with the same settings).
pub(crate) fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_nested_reads_and_skips_locals() {
        let env = environment();
        let reads = analyse(
            &env,
            "{% set x = 1 %}{{ x }}{{ nodes.fetch.body }}{% for r in run.rows %}{{ loop.index }}{{ r }}{% endfor %}",
            FieldRole::Template,
        )
        .map_err(|e| e.detail);
        assert_eq!(
            reads,
            Ok(vec![vec!["nodes".to_owned(), "fetch".into(), "body".into()], vec!["run".into(), "rows".into()]])
        );
    }

    #[test]
    fn positions_syntax_errors() {
        let env = environment();
        let error = analyse(&env, "line one\nHello {{ name ", FieldRole::Template).err();
        assert!(matches!(error, Some(SyntaxError { line: 2, .. })), "{error:?}");
        let error = analyse(&env, "inputs.x >", FieldRole::Expression).err();
        assert!(error.is_some());
    }
}
