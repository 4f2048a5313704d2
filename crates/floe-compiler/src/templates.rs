//! Templates and expressions: syntax checks with positions (minijinja) and the variables each
//! one reads, so the compiler can check `run.*`, `inputs.*` and `nodes.<id>.<port>` against the
//! graph.

use std::borrow::Cow;
use std::sync::LazyLock;

use floe_blueprint::FieldRole;
use minijinja::Environment;
use minijinja::machinery::{self, ast};
use minijinja::syntax::SyntaxConfig;

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
///
/// One parse and a walk of its tree: checking a blueprint needs the syntax errors and the reads,
/// not the bytecode that `Environment::template_from_str` generates, nor the second parse that
/// `Template::undeclared_variables` makes.
pub(crate) fn analyse(source: &str, role: FieldRole) -> Result<Reads<'_>, SyntaxError> {
    let mut walk = Walk::default();
    match role {
        FieldRole::Template => {
            if let Some(reads) = simple_reads(source) {
                return Ok(reads);
            }
            let tree = machinery::parse(source, "<template>", syntax()).map_err(|e| syntax_error(source, &e))?;
            walk.stmt(&tree);
        }
        FieldRole::Expression => {
            let tree = machinery::parse_expr(source).map_err(|e| syntax_error(source, &e))?;
            walk.expr(&tree);
        }
    }
    let mut reads = walk.reads;
    reads.retain(|path| !GLOBALS.contains(&path.split('.').next().unwrap_or_default()));
    reads.sort();
    reads.dedup();
    Ok(reads)
}

/// The variables a template reads without declaring them, as dotted paths: the walk minijinja's
/// `undeclared_variables(true)` makes (a test compares the two), over a tree we already have.
/// Two differences, on purpose, where minijinja's walk skips a read so that a missing name would
/// only fail at run time: the value a slice is taken of (`run.ticket[:80]`), and the arguments
/// of `{% filter f(x) %}` and `{% set v | f(x) %}`.
#[derive(Default)]
struct Walk<'s> {
    reads: Reads<'s>,
    /// Names declared in the enclosing scopes, innermost last.
    declared: Vec<&'s str>,
}

impl<'s> Walk<'s> {
    fn declared(&self, name: &str) -> bool {
        self.declared.contains(&name)
    }

    fn declare(&mut self, target: &ast::Expr<'s>) {
        match target {
            ast::Expr::Var(var) => self.declared.push(var.id),
            ast::Expr::List(list) => list.items.iter().for_each(|item| self.declare(item)),
            ast::Expr::Tuple(tuple) => tuple.items.iter().for_each(|item| self.declare(item)),
            _ => {}
        }
    }

    /// Walks `body` in a scope of its own: what it declares is gone afterwards.
    fn scoped(&mut self, body: impl FnOnce(&mut Self)) {
        let start = self.declared.len();
        body(self);
        self.declared.truncate(start);
    }

    fn stmts(&mut self, body: &[ast::Stmt<'s>]) {
        body.iter().for_each(|stmt| self.stmt(stmt));
    }

    fn stmt(&mut self, stmt: &ast::Stmt<'s>) {
        use ast::Stmt;
        match stmt {
            Stmt::Template(template) => {
                self.declared.push("self");
                self.stmts(&template.children);
            }
            Stmt::EmitExpr(emit) => self.expr(&emit.expr),
            Stmt::EmitRaw(_) | Stmt::Extends(_) | Stmt::Include(_) | Stmt::Continue(_) | Stmt::Break(_) => {}
            Stmt::ForLoop(for_loop) => {
                self.scoped(|walk| {
                    walk.declared.push("loop");
                    walk.expr(&for_loop.iter);
                    walk.declare(&for_loop.target);
                    walk.exprs(for_loop.filter_expr.as_ref());
                    walk.stmts(&for_loop.body);
                });
                self.scoped(|walk| walk.stmts(&for_loop.else_body));
            }
            Stmt::IfCond(cond) => {
                self.expr(&cond.expr);
                self.scoped(|walk| walk.stmts(&cond.true_body));
                self.scoped(|walk| walk.stmts(&cond.false_body));
            }
            Stmt::WithBlock(with) => self.scoped(|walk| {
                for (target, value) in &with.assignments {
                    walk.declare(target);
                    walk.expr(value);
                }
                walk.stmts(&with.body);
            }),
            Stmt::Set(set) => {
                self.declare(&set.target);
                self.expr(&set.expr);
            }
            Stmt::SetBlock(set) => {
                self.declare(&set.target);
                self.exprs(set.filter.as_ref());
                self.scoped(|walk| walk.stmts(&set.body));
            }
            Stmt::AutoEscape(block) => self.scoped(|walk| walk.stmts(&block.body)),
            Stmt::FilterBlock(block) => {
                self.expr(&block.filter);
                self.scoped(|walk| walk.stmts(&block.body));
            }
            Stmt::Block(block) => self.scoped(|walk| {
                walk.declared.push("super");
                walk.stmts(&block.body);
            }),
            Stmt::Import(import) => self.declare(&import.name),
            Stmt::FromImport(import) => {
                for (name, alias) in &import.names {
                    self.declare(alias.as_ref().unwrap_or(name));
                }
            }
            Stmt::Macro(declaration) => {
                self.declared.push(declaration.name);
                self.scoped(|walk| walk.macro_body(declaration));
            }
            Stmt::CallBlock(call) => {
                self.expr(&call.call.expr);
                self.args(&call.call.args);
                self.scoped(|walk| walk.macro_body(&call.macro_decl));
            }
            Stmt::Do(call) => {
                self.expr(&call.call.expr);
                self.args(&call.call.args);
            }
        }
    }

    /// A macro's parameters, defaults and body; `caller` counts as declared, as minijinja
    /// assumes (whether it exists depends on how the macro is called).
    fn macro_body(&mut self, declaration: &ast::Macro<'s>) {
        self.declared.push("caller");
        declaration.args.iter().for_each(|arg| self.declare(arg));
        declaration.defaults.iter().for_each(|default| self.expr(default));
        self.stmts(&declaration.body);
    }

    fn exprs<'e>(&mut self, exprs: impl IntoIterator<Item = &'e ast::Expr<'s>>)
    where
        's: 'e,
    {
        exprs.into_iter().for_each(|expr| self.expr(expr));
    }

    fn args(&mut self, args: &[ast::CallArg<'s>]) {
        for arg in args {
            match arg {
                ast::CallArg::Pos(expr)
                | ast::CallArg::Kwarg(_, expr)
                | ast::CallArg::PosSplat(expr)
                | ast::CallArg::KwargSplat(expr) => self.expr(expr),
            }
        }
    }

    fn expr(&mut self, expr: &ast::Expr<'s>) {
        use ast::Expr;
        match expr {
            Expr::Var(var) => {
                if !self.declared(var.id) {
                    self.reads.push(Cow::Borrowed(var.id));
                }
            }
            Expr::Const(_) => {}
            Expr::UnaryOp(op) => self.expr(&op.expr),
            Expr::BinOp(op) => {
                self.expr(&op.left);
                self.expr(&op.right);
            }
            Expr::Compare(compare) => {
                self.expr(&compare.expr);
                compare.ops.iter().for_each(|op| self.expr(&op.expr));
            }
            Expr::IfExpr(choice) => {
                self.expr(&choice.test_expr);
                self.expr(&choice.true_expr);
                self.exprs(choice.false_expr.as_ref());
            }
            Expr::Filter(filter) => {
                self.exprs(filter.expr.as_ref());
                self.args(&filter.args);
            }
            Expr::Test(test) => {
                self.expr(&test.expr);
                self.args(&test.args);
            }
            Expr::GetAttr(get) => {
                // `a.b.c` on an undeclared `a` is the read `a.b.c`; on anything else, walk on.
                let mut names = vec![get.name];
                let mut inner = &get.expr;
                while let Expr::GetAttr(outer) = inner {
                    names.push(outer.name);
                    inner = &outer.expr;
                }
                match inner {
                    Expr::Var(var) if !self.declared(var.id) => {
                        let mut path = String::from(var.id);
                        for name in names.iter().rev() {
                            path.push('.');
                            path.push_str(name);
                        }
                        self.reads.push(Cow::Owned(path));
                    }
                    _ => self.expr(&get.expr),
                }
            }
            Expr::GetItem(get) => {
                self.expr(&get.expr);
                self.expr(&get.subscript_expr);
            }
            Expr::Slice(slice) => {
                self.expr(&slice.expr);
                self.exprs([&slice.start, &slice.stop, &slice.step].into_iter().flatten());
            }
            Expr::Call(call) => {
                self.expr(&call.expr);
                self.args(&call.args);
            }
            Expr::List(list) => self.exprs(&list.items),
            Expr::Tuple(tuple) => self.exprs(&tuple.items),
            Expr::Map(map) => {
                for (key, value) in map.keys.iter().zip(&map.values) {
                    self.expr(key);
                    self.expr(value);
                }
            }
        }
    }
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

/// The syntax templates are written in: the default delimiters, and a template's last line break
/// is kept (file contents and prompts end as written).
fn syntax() -> SyntaxConfig {
    static SYNTAX: LazyLock<SyntaxConfig> = LazyLock::new(|| {
        // Only custom delimiters can make `build` fail; these are the default ones.
        SyntaxConfig::builder().keep_trailing_newline(true).build().unwrap_or_default()
    });
    SYNTAX.clone()
}

/// The environment the engine renders templates in, with the syntax they are checked in.
pub fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.set_syntax(syntax());
    env
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What minijinja itself says `source` reads (`Template::undeclared_variables`, with a
    /// second parse), or its error: the oracle for the walk and the fast path.
    fn minijinja_reads(source: &str, role: FieldRole) -> Result<Vec<String>, SyntaxError> {
        let env = environment();
        let names = match role {
            FieldRole::Template => env.template_from_str(source).map(|t| t.undeclared_variables(true)),
            FieldRole::Expression => env.compile_expression(source).map(|e| e.undeclared_variables(true)),
        }
        .map_err(|e| syntax_error(source, &e))?;
        let mut reads: Vec<String> =
            names.into_iter().filter(|n| !GLOBALS.contains(&n.split('.').next().unwrap_or_default())).collect();
        reads.sort();
        Ok(reads)
    }

    fn our_reads(source: &str, role: FieldRole) -> Result<Vec<String>, SyntaxError> {
        analyse(source, role).map(|reads| reads.into_iter().map(Cow::into_owned).collect())
    }

    #[test]
    fn lists_nested_reads_and_skips_locals() {
        let reads = analyse(
            "{% set x = 1 %}{{ x }}{{ nodes.fetch.body }}{% for r in run.rows %}{{ loop.index }}{{ r }}{% endfor %}",
            FieldRole::Template,
        )
        .map_err(|e| e.detail);
        assert_eq!(reads, Ok(vec![Cow::Borrowed("nodes.fetch.body"), Cow::Borrowed("run.rows")]));
    }

    /// Every kind of statement and expression, and every template of the bundled blueprints:
    /// the walk reports what minijinja reports, and the same syntax errors at the same places.
    #[test]
    fn the_walk_agrees_with_minijinja() {
        let templates = [
            "{% for k, v in run.items() if v > limit %}{{ loop.index }}{{ k }}{% else %}{{ k }}{% endfor %}{{ v }}",
            "{% if a.b %}{% set c = 1 %}{{ c }}{% elif d is defined %}{{ e | default(f.g) }}{% else %}{{ c }}{% endif %}",
            "{% with x = y.z, w = x %}{{ x }}{{ w.q }}{% endwith %}{{ x }}",
            "{% set (a, b) = pair %}{{ a }}{{ b.c }}{% set [d] = e %}{{ d }}",
            "{% set block %}{{ inner.text }}{% endset %}{{ block }}",
            "{% autoescape true %}{{ html.body }}{% endautoescape %}",
            "{% filter upper %}{{ shout.text }}{% endfilter %}",
            "{% macro m(a, b=default.b) %}{{ a }}{{ b }}{{ caller() }}{{ outside }}{% endmacro %}{{ m(1) }}",
            "{% call(item) m(args.x, key=kw.y) %}{{ item }}{{ body.z }}{% endcall %}",
            "{% do items.append(value.v) %}",
            "{% block content %}{{ super() }}{{ page.title }}{% endblock %}",
            "{% import 'helpers' as helpers %}{{ helpers.f(h.x) }}",
            "{% from 'helpers' import f as g, k %}{{ g(1) }}{{ k }}{{ f }}",
            "{% for i in range(3) %}{% if i == stop %}{% break %}{% endif %}{% continue %}{% endfor %}",
            "{{ -n }}{{ not t }}{{ a + b * c }}{{ a ~ b.c }}{{ 1 < x.y <= z }}{{ p if q else r }}{{ p if q }}",
            "{{ xs[0] }}{{ xs[i].name }}{{ m['k'].v }}{{ f(*args, **kwargs) }}{{ obj.method(arg).field }}",
            "{{ [l1, l2.x] }}{{ (t1, t2) }}{{ {'k': mv, kk: 2} }}{{ s is divisibleby(d.n) }}",
            "{{ nodes.a.b.c.d }} {{ nodes['with-dash'].text }} {{ run }} {{ loop }} {{ self }} {{ namespace() }}",
            "{{ x",
            "{% for %}",
            "{% if a %}unclosed",
            "line one\n{{ 1 + }}",
            "{% endfor %}",
        ];
        let agree =
            |source: &str, role| assert_eq!(our_reads(source, role), minijinja_reads(source, role), "{source:?}");
        templates.into_iter().for_each(|source| agree(source, FieldRole::Template));
        // The bundled blueprints slice values (`run.ticket[:80]`), which the walk reads on
        // purpose (see below): there it reads everything minijinja does, and more only where the
        // template takes a slice.
        let bundled = bundled_templates();
        assert!(bundled.len() >= 10, "the bundled blueprints hold templates: {}", bundled.len());
        for source in &bundled {
            let (ours, theirs) = (our_reads(source, FieldRole::Template), minijinja_reads(source, FieldRole::Template));
            let (Ok(ours), Ok(theirs)) = (ours, theirs) else {
                panic!("a bundled template fails to parse: {source:?}")
            };
            assert!(theirs.iter().all(|read| ours.contains(read)), "{source:?}: {ours:?} ⊉ {theirs:?}");
            assert!(ours == theirs || source.contains("[:"), "{source:?}: {ours:?} ≠ {theirs:?}");
        }
        let expressions = [
            "inputs.x > 3 and run.mode == 'fast'",
            "nodes.classify.label in ['a', b.c]",
            "items | length > limit.n",
            "x.y(z.w)[k]",
            "inputs.x >",
            "a b",
        ];
        expressions.into_iter().for_each(|source| agree(source, FieldRole::Expression));
    }

    /// Where the walk reads more than minijinja on purpose: arguments of block filters and the
    /// value a slice is taken of (minijinja skips both, so a missing name fails only at run time).
    #[test]
    fn the_walk_reads_block_filter_arguments_and_sliced_values() {
        let cases = [
            ("{% filter replace('a', run.with) %}x{% endfilter %}", vec!["run.with"]),
            ("{% set v | replace('a', nodes.n.text) %}x{% endset %}", vec!["nodes.n.text"]),
            ("{{ inputs.list[1:end.n] }}", vec!["end.n", "inputs.list"]),
        ];
        for (source, expected) in cases {
            assert_eq!(our_reads(source, FieldRole::Template), Ok(expected.iter().map(|s| s.to_string()).collect()));
            assert_ne!(our_reads(source, FieldRole::Template), minijinja_reads(source, FieldRole::Template));
        }
    }

    /// Every string of the bundled blueprints that holds Jinja.
    fn bundled_templates() -> Vec<String> {
        fn collect(value: &serde_json::Value, out: &mut Vec<String>) {
            match value {
                serde_json::Value::String(s) if s.contains("{{") || s.contains("{%") => out.push(s.clone()),
                serde_json::Value::Array(items) => items.iter().for_each(|v| collect(v, out)),
                serde_json::Value::Object(map) => map.values().for_each(|v| collect(v, out)),
                _ => {}
            }
        }
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../blueprints");
        let mut out = Vec::new();
        for entry in std::fs::read_dir(&dir).expect("the blueprints folder") {
            let path = entry.expect("a folder entry").path();
            if path.extension().is_some_and(|e| e == "json") {
                let text = std::fs::read(&path).expect("readable");
                collect(&serde_json::from_slice(&text).expect("a bundled blueprint is JSON"), &mut out);
            }
        }
        out
    }

    #[test]
    fn the_fast_path_agrees_with_minijinja() {
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
            if let Some(fast) = simple_reads(source) {
                let fast: Vec<String> = fast.into_iter().map(Cow::into_owned).collect();
                assert_eq!(minijinja_reads(source, FieldRole::Template).ok(), Some(fast), "{source:?}");
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
        let error = analyse("line one\nHello {{ name ", FieldRole::Template).err();
        assert!(matches!(error, Some(SyntaxError { line: 2, .. })), "{error:?}");
        let error = analyse("inputs.x >", FieldRole::Expression).err();
        assert!(error.is_some());
    }
}
