//! Templates and expressions: syntax checks with positions (minijinja) and the variables each
//! one reads, so the compiler can check `run.*`, `inputs.*` and `nodes.<id>.<port>` against the
//! graph.

use std::borrow::Cow;

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

/// Variables a template reads that it does not declare itself, as dotted paths
/// (`nodes.fetch.body`), sorted; borrowed from the template when it was scanned directly.
pub(crate) type Reads<'s> = Vec<Cow<'s, str>>;

/// Names minijinja provides, which templates may read without declaring.
const GLOBALS: &[&str] =
    &["range", "dict", "debug", "namespace", "loop", "self", "super", "caller", "varargs", "kwargs"];

/// Parses `source` as a template or an expression and lists what it reads.
pub(crate) fn analyse<'s>(
    env: &Environment<'static>,
    source: &'s str,
    role: FieldRole,
) -> Result<Reads<'s>, SyntaxError> {
    if role == FieldRole::Template
        && let Some(reads) = simple_reads(source)
    {
        return Ok(reads);
    }
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
    let mut reads: Reads<'s> = names
        .into_iter()
        .filter(|name| !GLOBALS.contains(&name.split('.').next().unwrap_or_default()))
        .map(Cow::Owned)
        .collect();
    reads.sort();
    Ok(reads)
}

/// The reads of a template made only of text and `{{ name.attr.attr }}` lookups, the shape most
/// prompts have; `None` for anything else (statements, comments, filters, literals, calls), which
/// minijinja then parses. For the shapes it accepts, the answer is exactly minijinja's (a test
/// compares them), at a fraction of the cost of parsing twice and generating code.
fn simple_reads(source: &str) -> Option<Reads<'_>> {
    let bytes = source.as_bytes();
    let mut reads: Reads<'_> = Vec::new();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] != b'{' {
            i += 1;
            continue;
        }
        match bytes[i + 1] {
            b'%' | b'#' => return None,
            b'{' => {}
            _ => {
                i += 1;
                continue;
            }
        }
        let start = i + 2;
        let end = start + bytes[start..].windows(2).position(|w| w == b"}}")?;
        let inner = source[start..end].trim_matches(|c: char| c == ' ' || c == '\t');
        for segment in inner.split('.') {
            let mut chars = segment.bytes();
            let valid = matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == b'_')
                && chars.all(|c| c.is_ascii_alphanumeric() || c == b'_');
            if !valid {
                return None;
            }
        }
        let root = inner.split('.').next().unwrap_or_default();
        if KEYWORDS.contains(&root) {
            return None;
        }
        if !GLOBALS.contains(&root) {
            reads.push(Cow::Borrowed(inner));
        }
        i = end + 2;
    }
    reads.sort();
    reads.dedup();
    Some(reads)
}

/// What one read of a template says about the run inputs it depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RunRead<'p> {
    /// Not a read of `run`.
    None,
    /// `run.<name>`: that input.
    Input(&'p str),
    /// `run` itself, or a method of it (`run.items()`): any input may matter.
    Any,
}

/// Classifies `path`, one read of `source`. minijinja reports `run.items()` as the read
/// `run.items`; a call after it in the source tells the method from an input named `items`.
pub(crate) fn run_read<'p>(source: &str, path: &'p str) -> RunRead<'p> {
    let rest = match path.strip_prefix("run") {
        Some("") => return RunRead::Any,
        Some(after) => match after.strip_prefix('.') {
            Some(rest) => rest,
            None => return RunRead::None,
        },
        None => return RunRead::None,
    };
    let name = rest.split('.').next().unwrap_or_default();
    if !rest.contains('.') && calls(source, path) {
        return RunRead::Any;
    }
    RunRead::Input(name)
}

/// Whether `source` calls `path` somewhere (`path` followed by `(`, not part of a longer name).
fn calls(source: &str, path: &str) -> bool {
    source.match_indices(path).any(|(at, _)| {
        let before = source[..at].chars().next_back();
        let after = source[at + path.len()..].trim_start().chars().next();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') && after == Some('(')
    })
}

/// Whether every place `source` reads `path` allows it to be missing: `path | default(…)` (or
/// `| d(…)`), or a test `path is defined` / `is undefined`.
pub(crate) fn guarded(source: &str, path: &str) -> bool {
    let mut uses = source.match_indices(path).filter(|(at, _)| {
        let before = source[..*at].chars().next_back();
        let after = source[at + path.len()..].chars().next();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.')
            && !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
    });
    uses.all(|(at, _)| {
        let rest = source[at + path.len()..].trim_start();
        let filter = rest.strip_prefix('|').map(str::trim_start);
        filter.is_some_and(|f| f.starts_with("default") || f.starts_with("d(") || f.starts_with("d "))
            || ["is defined", "is undefined", "is not defined"].iter().any(|test| rest.starts_with(test))
    })
}

/// Names that are literals or operators in Jinja, not variables.
const KEYWORDS: &[&str] =
    &["true", "false", "none", "True", "False", "None", "not", "and", "or", "in", "is", "if", "else"];

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

/// The environment templates are checked in; the engine renders in one made the same way.
pub fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    // A template's last line break is kept: file contents and prompts end as written.
    // (Only custom delimiters can make `build` fail; these are the default ones.)
    if let Ok(syntax) = minijinja::syntax::SyntaxConfig::builder().keep_trailing_newline(true).build() {
        env.set_syntax(syntax);
    }
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
        assert_eq!(reads, Ok(vec![Cow::Borrowed("nodes.fetch.body"), Cow::Borrowed("run.rows")]));
    }

    #[test]
    fn the_fast_path_agrees_with_minijinja() {
        let env = environment();
        let cases = [
            "plain text",
            "{{ inputs.in }} and {{ nodes.fetch.body }} at {{ run.topic }}",
            "{{inputs.in}}{{ inputs.in }}",
            "{{ range }} {{ a.b.c.d }}",
            "a }} b {{ x }}",
            "{{ true }}",
            "{{ x | upper }}",
            "{{ x[0] }}",
            "{{ x.1 }}",
            "{{ }}",
            "{{ x",
            "{% if x %}{{ y }}{% endif %}",
            "{# note #}{{ z }}",
        ];
        for source in cases {
            let slow = {
                let names = env.template_from_str(source).map(|t| t.undeclared_variables(true));
                names.map(|names| {
                    let mut reads: Vec<String> = names
                        .into_iter()
                        .filter(|n| !GLOBALS.contains(&n.split('.').next().unwrap_or_default()))
                        .collect();
                    reads.sort();
                    reads
                })
            };
            if let Some(fast) = simple_reads(source) {
                let fast: Vec<String> = fast.into_iter().map(Cow::into_owned).collect();
                assert_eq!(slow.ok(), Some(fast), "{source:?}");
            }
        }
        assert!(simple_reads("{{ x | upper }}").is_none() && simple_reads("{{ x").is_none());
        assert!(simple_reads("{{ inputs.in }}").is_some());
    }

    #[test]
    fn run_reads_tell_inputs_from_the_whole_of_run() {
        assert_eq!(run_read("{{ run.topic }}", "run.topic"), RunRead::Input("topic"));
        assert_eq!(run_read("{{ run.page.title }}", "run.page.title"), RunRead::Input("page"));
        assert_eq!(run_read("{% for k in run %}{% endfor %}", "run"), RunRead::Any);
        assert_eq!(run_read("{% for k, v in run.items() %}{% endfor %}", "run.items"), RunRead::Any);
        assert_eq!(run_read("{{ run.items }} {{ xrun.items() }}", "run.items"), RunRead::Input("items"));
        assert_eq!(run_read("{{ runner.x }}", "runner.x"), RunRead::None);
        assert_eq!(run_read("{{ inputs.in }}", "inputs.in"), RunRead::None);
    }

    #[test]
    fn reads_that_allow_a_missing_value_are_guarded() {
        assert!(guarded("{{ inputs.in | default('') }}", "inputs.in"));
        assert!(guarded("{% if inputs.in is defined %}{{ inputs.in|d('x') }}{% endif %}", "inputs.in"));
        assert!(!guarded("{{ inputs.in }}", "inputs.in"));
        assert!(!guarded("{{ inputs.in | default('') }} {{ inputs.in | upper }}", "inputs.in"));
        assert!(!guarded("{{ inputs.in.name | default('') }}", "inputs.in"), "a field of a missing value fails first");
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
