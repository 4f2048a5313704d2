//! QuickJS sandboxes: one per thread, reused by every `code` execution on that thread, each
//! execution starting from the same clean state.
//!
//! A sandbox is a runtime and a context, made once per thread, then *locked down* (the scheme of
//! SES / Hardened JavaScript): every built-in reachable from the global object (prototypes,
//! constructors, their statics, the hidden iterator and generator prototypes) is frozen; the
//! global object's own properties are made read-only; `eval`, `WeakRef` and
//! `FinalizationRegistry` are removed. A script then runs as a function taking its globals as
//! parameters ([`super::script`]), so its declarations die with the call. What is left to leak
//! through is the global object itself (`x = 1` without a declaration, `globalThis.x = 1`):
//! after each execution whatever was added is deleted, and a sandbox whose global object cannot
//! be put back (a property made undeletable, the object made non-extensible) or that ran out of
//! memory is thrown away and a fresh one made. Promise jobs a script queued run before it ends,
//! under its limits, so none is left for the next execution.
//!
//! Freezing has one well-known side effect: assigning a property that a frozen prototype has
//! (`this.name = …` in an `Error` subclass, `Foo.prototype.toString = …`) would fail. For the
//! names where that happens in ordinary code, the prototypes carry an accessor instead, whose
//! setter gives the object an own property, as an unfrozen prototype would.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant};

use floe_blueprint::ErrorClass;
use rquickjs::function::Args;
use rquickjs::promise::PromiseState;
use rquickjs::{CatchResultExt, CaughtError, Context, Ctx, Function, Persistent, Runtime};
use rustc_hash::FxHashMap;
use tokio_util::sync::CancellationToken;

use super::script::{Form, Script};
use crate::exec::NodeError;

/// Runs once in a new context; returns what the sandbox keeps: the check that restores the
/// global object, the function that freezes a compiled script, and `eval` (for scripts that are
/// evaluated as written; it is no longer a global).
const LOCKDOWN: &str = r#"(function () {
  "use strict";
  const g = globalThis;
  const evaluate = g.eval;
  for (const name of ["eval", "WeakRef", "FinalizationRegistry"]) delete g[name];
  const { getOwnPropertyDescriptor: describe, defineProperty: define, getPrototypeOf: protoOf, freeze } = Object;
  const keys = Reflect.ownKeys;
  // Names that ordinary code assigns on objects whose prototypes have them.
  const overridable = ["constructor", "toString", "toLocaleString", "valueOf", "name", "message", "toJSON"];
  const prototypes = [Object.prototype];
  for (const key of keys(g)) {
    const value = describe(g, key).value;
    if (typeof value === "function" && value.prototype && typeof value.prototype === "object") prototypes.push(value.prototype);
  }
  for (const proto of prototypes) {
    for (const name of overridable) {
      const d = describe(proto, name);
      if (!d || !("value" in d) || !d.writable) continue;
      const value = d.value;
      define(proto, name, {
        get() { return value; },
        set(v) {
          if (this === proto) throw new TypeError(`cannot change the built-in ${String(name)}`);
          define(this, name, { value: v, writable: true, enumerable: true, configurable: true });
        },
        enumerable: d.enumerable,
        configurable: false,
      });
    }
  }
  const seen = new Set([g]);
  const harden = (o) => {
    if (o === null || (typeof o !== "object" && typeof o !== "function") || seen.has(o)) return;
    seen.add(o);
    freeze(o);
    harden(protoOf(o));
    for (const key of keys(o)) {
      const d = describe(o, key);
      if ("value" in d) harden(d.value); else { harden(d.get); harden(d.set); }
    }
  };
  harden(protoOf(g));
  for (const key of keys(g)) harden(describe(g, key).value);
  // Intrinsics no global names.
  harden(function* () {});
  harden(async function () {});
  harden(async function* () {});
  harden([][Symbol.iterator]());
  harden(new Map()[Symbol.iterator]());
  harden(new Set()[Symbol.iterator]());
  harden(""[Symbol.iterator]());
  harden(/a/[Symbol.matchAll](""));
  for (const key of keys(g)) {
    const d = describe(g, key);
    define(g, key, "value" in d ? { writable: false, configurable: false } : { configurable: false });
  }
  const baseline = new Set(keys(g));
  const size = baseline.size;
  // Puts the global object back as it was; false when it cannot be.
  const restore = function () {
    let now = keys(g);
    if (now.length !== size) {
      for (const key of now) if (!baseline.has(key) && !Reflect.deleteProperty(g, key)) return false;
      now = keys(g);
    }
    return now.length === size && Object.isExtensible(g);
  };
  const seal = (f) => { freeze(f); if (f.prototype) freeze(f.prototype); return f; };
  return [restore, seal, evaluate];
})()"#;

/// What stops a script: its time limit, the inline budget, or a cancel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    Deadline,
    Budget,
    Cancelled,
}

/// What the interrupt handler reads: set before each execution.
#[derive(Debug, Default)]
struct Watch {
    deadline: Cell<Option<Instant>>,
    budget: Cell<Option<Instant>>,
    cancel: RefCell<Option<CancellationToken>>,
    stopped: Cell<Option<Stop>>,
}

impl Watch {
    /// No limit applies until the next execution arms it again (what stopped the last one is kept).
    fn disarm(&self) {
        self.deadline.set(None);
        self.budget.set(None);
        *self.cancel.borrow_mut() = None;
    }

    fn interrupt(&self) -> bool {
        let now = Instant::now();
        let stop = if self.cancel.borrow().as_ref().is_some_and(CancellationToken::is_cancelled) {
            Some(Stop::Cancelled)
        } else if self.deadline.get().is_some_and(|d| now >= d) {
            Some(Stop::Deadline)
        } else if self.budget.get().is_some_and(|b| now >= b) {
            Some(Stop::Budget)
        } else {
            None
        };
        if stop.is_some() {
            self.stopped.set(stop);
        }
        stop.is_some()
    }
}

/// Limits of one execution.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub timeout: Duration,
    pub memory_mb: u32,
}

/// One execution: the script, its arguments (JSON texts, in the order of its parameters), its
/// limits counted from `started`, the inline budget (if it runs inline) and its cancel token.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Execution<'a> {
    pub script: &'a Script,
    pub args: &'a [String],
    pub limits: Limits,
    pub started: Instant,
    pub budget: Option<Duration>,
    pub cancel: &'a CancellationToken,
}

/// How an execution ended.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// The script's result as JSON text (`None`: not representable, e.g. `undefined`), or its error.
    Done(Result<Option<String>, NodeError>),
    /// It ran past the inline budget and was stopped; run it again where it may block.
    OverBudget,
}

/// One thread's runtime and context, locked down, and the scripts compiled in it.
struct Sandbox {
    // Dropped in this order: every value kept must go before the context and the runtime.
    functions: FxHashMap<u64, Persistent<Function<'static>>>,
    restore: Persistent<Function<'static>>,
    seal: Persistent<Function<'static>>,
    evaluate: Persistent<Function<'static>>,
    context: Context,
    runtime: Runtime,
    watch: Rc<Watch>,
    /// Something happened after which it must not be reused.
    spoiled: bool,
}

/// Compiled scripts one sandbox keeps at most (beyond that it starts over).
const MAX_FUNCTIONS: usize = 1024;

thread_local! {
    static SANDBOX: RefCell<Option<Sandbox>> = const { RefCell::new(None) };
    /// Scripts compiled on this thread (for the tests that check each compiles once).
    static COMPILED: Cell<usize> = const { Cell::new(0) };
    /// Sandboxes made on this thread (for the tests that check when one is replaced).
    static MADE: Cell<usize> = const { Cell::new(0) };
}

fn sandbox_error(message: impl Into<String>) -> NodeError {
    NodeError::new(ErrorClass::Sandbox, message)
}

impl Sandbox {
    fn new() -> Result<Sandbox, NodeError> {
        let failed = |e: rquickjs::Error| sandbox_error(format!("the sandbox could not start: {e}"));
        let runtime = Runtime::new().map_err(failed)?;
        runtime.set_max_stack_size(1024 * 1024);
        let watch = Rc::new(Watch::default());
        let handler = watch.clone();
        runtime.set_interrupt_handler(Some(Box::new(move || handler.interrupt())));
        let context = Context::full(&runtime).map_err(failed)?;
        let (restore, seal, evaluate) = context.with(|ctx| {
            let kept: rquickjs::Array = ctx.eval(LOCKDOWN).catch(&ctx).map_err(|e| describe(&e))?;
            let get = |i: usize| -> Result<Persistent<Function<'static>>, NodeError> {
                let function: Function = kept.get(i).map_err(|e| sandbox_error(e.to_string()))?;
                Ok(Persistent::save(&ctx, function))
            };
            Ok::<_, NodeError>((get(0)?, get(1)?, get(2)?))
        })?;
        Ok(Sandbox {
            functions: FxHashMap::default(),
            restore,
            seal,
            evaluate,
            context,
            runtime,
            watch,
            spoiled: false,
        })
    }

    fn execute(&mut self, run: &Execution<'_>) -> Outcome {
        let Execution { script, args, limits, started, budget, cancel } = *run;
        self.runtime.set_memory_limit(limits.memory_mb as usize * 1024 * 1024);
        self.watch.deadline.set(Some(started + limits.timeout));
        self.watch.budget.set(budget.map(|b| Instant::now() + b));
        *self.watch.cancel.borrow_mut() = Some(cancel.clone());
        self.watch.stopped.set(None);
        let context = self.context.clone();
        let outcome = context.with(|ctx| {
            let result = self.call(&ctx, script, args);
            // Jobs the script queued (promise reactions) run now, under the same limits.
            while ctx.execute_pending_job() {}
            let _ = ctx.catch();
            // The script's limits are over: putting the global object back must not be
            // interrupted by them (a stopped script would otherwise cost its sandbox).
            self.watch.disarm();
            let clean = self.restore.clone().restore(&ctx).and_then(|f| f.call::<_, bool>(())).unwrap_or(false);
            self.spoiled |= !clean;
            result
        });
        match (outcome, self.watch.stopped.get()) {
            (_, Some(Stop::Budget)) => Outcome::OverBudget,
            (Err(error), Some(Stop::Deadline)) => Outcome::Done(Err(sandbox_error(format!(
                "the script ran past its {} time limit; make it do less, or raise `timeout` ({})",
                humantime::format_duration(limits.timeout),
                error.message
            )))),
            (Err(_), Some(Stop::Cancelled)) => {
                Outcome::Done(Err(sandbox_error("the run was cancelled while the script ran")))
            }
            (result, _) => {
                if result.as_ref().is_err_and(|e| e.message.contains("out of memory")) {
                    self.spoiled = true;
                }
                Outcome::Done(result)
            }
        }
    }

    /// Calls the script's function with its arguments (JSON texts); its result as JSON text.
    fn call(&mut self, ctx: &Ctx<'_>, script: &Script, args: &[String]) -> Result<Option<String>, NodeError> {
        let function = self.function(ctx, script)?;
        let form = script.form.get();
        let mut call = Args::new(ctx.clone(), args.len() + 1);
        for (name, json) in script.params.iter().zip(args) {
            let value = ctx
                .json_parse(json.as_str())
                .map_err(|e| sandbox_error(format!("`{name}` could not be passed in: {e}")))?;
            call.push_arg(value).map_err(|e| sandbox_error(e.to_string()))?;
        }
        if form == Some(&Form::Eval) {
            // `eval` itself is not the script's to use: it could declare globals with it.
            call.push_arg(format!("let eval; {}", script.source)).map_err(|e| sandbox_error(e.to_string()))?;
        }
        let mut value = function.call_arg::<rquickjs::Value>(call).catch(ctx).map_err(|e| describe(&e))?;
        // An `async` script: its promise, settled by the jobs it queued.
        while let Some(promise) = value.as_promise().cloned() {
            while promise.state() == PromiseState::Pending && ctx.execute_pending_job() {}
            value = match promise.state() {
                PromiseState::Pending => {
                    return Err(sandbox_error(
                        "the script's promise never settled (there are no timers or I/O to wait for)",
                    ));
                }
                _ => promise
                    .result::<rquickjs::Value>()
                    .unwrap_or(Ok(rquickjs::Value::new_undefined(ctx.clone())))
                    .catch(ctx)
                    .map_err(|e| describe(&e))?,
            };
        }
        let text = ctx.json_stringify(value).catch(ctx).map_err(|e| describe(&e))?;
        text.map(|s| s.to_string()).transpose().map_err(|e| sandbox_error(e.to_string()))
    }

    /// The script's function in this sandbox, compiled (and frozen) the first time.
    fn function<'js>(&mut self, ctx: &Ctx<'js>, script: &Script) -> Result<Function<'js>, NodeError> {
        if let Some(kept) = self.functions.get(&script.key) {
            return kept.clone().restore(ctx).map_err(|e| sandbox_error(e.to_string()));
        }
        let form = match script.form.get() {
            Some(form) => form.clone(),
            None => script.form.get_or_init(|| decide(ctx, script)).clone(),
        };
        let function: Function = match &form {
            Form::Function(text) => sloppy(ctx, text).catch(ctx).map_err(|e| describe(&e))?,
            Form::Eval => {
                let runner = format!(
                    "(function (eval) {{ return function ({}, __source) {{ return eval(__source) }} }})",
                    script.params.join(", ")
                );
                let outer: Function = sloppy(ctx, &runner).catch(ctx).map_err(|e| describe(&e))?;
                let evaluate = self.evaluate.clone().restore(ctx).map_err(|e| sandbox_error(e.to_string()))?;
                outer.call((evaluate,)).catch(ctx).map_err(|e| describe(&e))?
            }
        };
        COMPILED.set(COMPILED.get() + 1);
        let seal = self.seal.clone().restore(ctx).map_err(|e| sandbox_error(e.to_string()))?;
        let function: Function = seal.call((function,)).catch(ctx).map_err(|e| describe(&e))?;
        if self.functions.len() >= MAX_FUNCTIONS {
            self.functions.clear();
        }
        self.functions.insert(script.key, Persistent::save(ctx, function.clone()));
        Ok(function)
    }
}

/// How `script` compiles: with its last expression returned when it ends in one, else as a
/// function body when it `return`s at the top level, else evaluated as written. A script that
/// does not compile at all keeps the form whose error names its problem.
fn decide(ctx: &Ctx<'_>, script: &Script) -> Form {
    let compiles = |text: &str| sloppy::<Function>(ctx, text).catch(ctx).is_ok();
    if let Some(text) = script.returning_last().filter(|text| compiles(text)) {
        return Form::Function(text);
    }
    let body = script.as_body();
    // A top-level `return` is what makes a script a function body: without one the result is
    // the completion value of its last statement, which only evaluating it as written gives.
    // It is parsed as a script (inside `if (0)`, so nothing runs) in a throwaway runtime: this
    // sandbox's global scope must not see its declarations.
    let returns = Runtime::new().and_then(|runtime| Context::full(&runtime)).is_ok_and(|probe| {
        probe.with(|p| {
            let parsed = sloppy::<()>(&p, &format!("if (0) {{\n{}\n}}", script.source)).catch(&p);
            matches!(&parsed, Err(CaughtError::Exception(e))
                if e.message().is_some_and(|m| m.contains("return not in a function")))
        })
    });
    if returns || !compiles(&body) { Form::Function(body) } else { Form::Eval }
}

/// Evaluates `text` as global code in sloppy mode, as scripts have always run (rquickjs's
/// `eval` is strict).
fn sloppy<'js, T: rquickjs::FromJs<'js>>(ctx: &Ctx<'js>, text: &str) -> rquickjs::Result<T> {
    let mut options = rquickjs::context::EvalOptions::default();
    options.global = true;
    options.strict = false;
    ctx.eval_with_options(text, options)
}

/// A thrown exception as a message with its line; memory exhaustion says which limit.
pub(super) fn describe(error: &CaughtError<'_>) -> NodeError {
    const OUT_OF_MEMORY: &str =
        "the script ran out of memory (its `memory_mb` limit); process less data at once or raise the limit";
    match error {
        CaughtError::Exception(exception) => {
            let message = exception.message().unwrap_or_default();
            if message.contains("out of memory") {
                return sandbox_error(OUT_OF_MEMORY);
            }
            let line = exception
                .stack()
                .and_then(|stack| {
                    stack.lines().find_map(|l| {
                        l.rsplit_once(':').and_then(|(rest, _)| rest.rsplit_once(':')).map(|(_, n)| n.to_owned())
                    })
                })
                .map(|n| format!(" (line {n})"))
                .unwrap_or_default();
            sandbox_error(format!("the script threw: {message}{line}"))
        }
        CaughtError::Value(value) => sandbox_error(format!("the script threw a value: {value:?}")),
        CaughtError::Error(rquickjs::Error::Allocation) => sandbox_error(OUT_OF_MEMORY),
        CaughtError::Error(error) => sandbox_error(format!("the script failed: {error}")),
    }
}

/// Runs `script` in this thread's sandbox (made, or made again, as needed). With a `budget`, a
/// script still running when it is spent is stopped and [`Outcome::OverBudget`] returned.
pub(crate) fn execute(run: &Execution<'_>) -> Outcome {
    SANDBOX.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.as_ref().is_none_or(|sandbox| sandbox.spoiled) {
            // The old one (if any) goes first: its runtime is freed before another is made.
            *slot = None;
            MADE.set(MADE.get() + 1);
            match Sandbox::new() {
                Ok(sandbox) => *slot = Some(sandbox),
                Err(error) => return Outcome::Done(Err(error)),
            }
        }
        match slot.as_mut() {
            Some(sandbox) => sandbox.execute(run),
            None => Outcome::Done(Err(sandbox_error("the sandbox could not start"))),
        }
    })
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    /// Runs `source` with `inputs` in this thread's sandbox (every test's executions share it,
    /// as a worker thread's do): its result, or its error message.
    fn run(source: &str, inputs: Value) -> Result<Value, String> {
        let script = Script::prepare(source, &[]);
        let args: Vec<String> =
            script.params.iter().map(|p| if *p == "inputs" { inputs.to_string() } else { "{}".to_owned() }).collect();
        let limits = Limits { timeout: Duration::from_millis(500), memory_mb: 16 };
        let cancel = CancellationToken::new();
        let run =
            Execution { script: &script, args: &args, limits, started: Instant::now(), budget: None, cancel: &cancel };
        match execute(&run) {
            Outcome::Done(Ok(text)) => Ok(text.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or(Value::Null)),
            Outcome::Done(Err(e)) => Err(e.message),
            Outcome::OverBudget => Err("over budget".into()),
        }
    }

    fn ok(source: &str) -> Value {
        run(source, json!({})).unwrap_or_else(|e| panic!("{source}: {e}"))
    }

    #[test]
    fn a_script_is_compiled_once_per_sandbox() {
        let before = COMPILED.get();
        for n in 0..20 {
            assert_eq!(run("({n: inputs.n + 1})", json!({"n": n})), Ok(json!({"n": n + 1})));
        }
        assert_eq!(COMPILED.get() - before, 1);
    }

    #[test]
    fn nothing_a_script_sets_on_the_global_object_outlives_it() {
        ok("leaked = 1; globalThis.other = 2; (function () { this.third = 3 })(); 0");
        ok("Function('fourth = 4')(); Object.defineProperty(globalThis, 'fifth', {value: 5, configurable: true}); 0");
        assert_eq!(
            ok("[typeof leaked, typeof other, typeof third, typeof fourth, typeof fifth]"),
            json!(["undefined", "undefined", "undefined", "undefined", "undefined"])
        );
    }

    #[test]
    fn declarations_belong_to_one_execution() {
        ok("var v = 1; let l = 2; const c = 3; function f() {} class C {}; v");
        assert_eq!(
            ok("[typeof v, typeof l, typeof c, typeof f, typeof C]"),
            json!(["undefined", "undefined", "undefined", "undefined", "undefined"])
        );
        // The same script again starts from scratch: `let` is not declared twice.
        assert_eq!(ok("var n = (n || 0) + 1; let once = n; once"), json!(1));
        assert_eq!(ok("var n = (n || 0) + 1; let once = n; once"), json!(1));
    }

    #[test]
    fn built_ins_cannot_be_changed_for_the_next_execution() {
        ok("Array.prototype.sum = function () { return 1 }; Object.prototype.polluted = 1; JSON.parse = null; \
            Math.max = () => 0; String.prototype.trim = null; Object.getPrototypeOf(function* () {}).evil = 1; 0");
        let strict = run("'use strict'; Array.prototype.sum = 1", json!({}));
        assert!(strict.as_ref().is_err_and(|e| e.contains("read-only") || e.contains("not extensible")), "{strict:?}");
        assert_eq!(
            ok("[typeof [].sum, ({}).polluted, typeof JSON.parse, Math.max(1, 2), ' a '.trim(), \
                Object.getPrototypeOf(function* () {}).evil]"),
            json!(["undefined", null, "function", 2, "a", null])
        );
    }

    #[test]
    fn the_compiled_function_keeps_no_state_between_calls() {
        let counter = "const self = arguments.callee; self.calls = (self.calls || 0) + 1; \
                       self.prototype && (self.prototype.mark = 1); [self.calls || 0, Object.isFrozen(self)]";
        assert_eq!(ok(counter), ok(counter));
        assert_eq!(ok(counter), json!([0, true]));
    }

    #[test]
    fn a_global_that_cannot_be_removed_gets_a_fresh_sandbox() {
        ok("Object.defineProperty(globalThis, 'stuck', {value: 1, configurable: false}); 0");
        assert_eq!(ok("typeof stuck"), json!("undefined"));
        ok("Object.preventExtensions(globalThis); 0");
        assert_eq!(ok("implicit = 5; implicit"), json!(5));
        ok("Object.freeze(globalThis); 0");
        assert_eq!(ok("typeof implicit"), json!("undefined"));
    }

    #[test]
    fn promise_jobs_run_within_their_execution() {
        ok("Promise.resolve().then(() => { globalThis.late = 1 }); 0");
        assert_eq!(ok("typeof late"), json!("undefined"));
        assert_eq!(ok("(async () => { await null; return inputs.n ?? 5 })()"), json!(5));
        let rejected = run("Promise.reject(new Error('no'))", json!({}));
        assert!(rejected.as_ref().is_err_and(|e| e.contains("no")), "{rejected:?}");
    }

    #[test]
    fn eval_and_weak_references_are_not_there() {
        assert_eq!(
            ok("[typeof eval, typeof WeakRef, typeof FinalizationRegistry]"),
            json!(["undefined", "undefined", "undefined"])
        );
    }

    #[test]
    fn ordinary_code_still_overrides_inherited_names() {
        assert_eq!(
            ok("class E extends Error { constructor(m) { super(m); this.name = 'E' } }; new E('x').name"),
            json!("E")
        );
        assert_eq!(
            ok("function F() {}; F.prototype.toString = function () { return 'f' }; String(new F())"),
            json!("f")
        );
        assert_eq!(ok("const o = {}; o.toString = () => 'o'; o.constructor = 1; `${o}`"), json!("o"));
        let shared = run("Object.prototype.toString = null", json!({}));
        assert!(shared.as_ref().is_err_and(|e| e.contains("built-in")), "{shared:?}");
        assert_eq!(ok("({}).toString()"), json!("[object Object]"));
    }

    #[test]
    fn each_way_of_giving_a_result_gives_it() {
        assert_eq!(run("inputs.n + 1", json!({"n": 1})), Ok(json!(2)));
        assert_eq!(run("const a = inputs.n;\na * 10 // times ten", json!({"n": 2})), Ok(json!(20)));
        assert_eq!(run("if (inputs.n > 1) { 'big' } else { 'small' }", json!({"n": 2})), Ok(json!("big")));
        assert_eq!(run("try { JSON.parse(inputs.text) } catch { null }", json!({"text": "[1]"})), Ok(json!([1])));
        assert_eq!(run("if (!inputs.n) return 'none';\nreturn inputs.n", json!({})), Ok(json!("none")));
        assert_eq!(run("for (const x of [1, 2]) { x * 3 }", json!({})), Ok(json!(6)));
        assert_eq!(run("const unused = 1;", json!({})), Ok(Value::Null));
        let thrown = run("const a = 1;\nthrow new Error('bad row')", json!({}));
        assert!(thrown.as_ref().is_err_and(|e| e.contains("bad row") && e.contains("line 2")), "{thrown:?}");
        let broken = run("const = 1", json!({}));
        assert!(broken.as_ref().is_err_and(|e| e.contains("line 1")), "{broken:?}");
    }

    #[test]
    fn a_sandbox_is_reused_after_a_timeout_and_replaced_after_running_out_of_memory() {
        ok("0");
        let made = MADE.get();
        let spin = run("while (true) {}", json!({}));
        assert!(spin.as_ref().is_err_and(|e| e.contains("time limit")), "{spin:?}");
        assert_eq!(ok("1 + 1"), json!(2));
        assert_eq!(MADE.get(), made, "a timeout does not cost the sandbox");
        let hungry = run("const a = []; while (true) a.push(new Array(100000).fill(1))", json!({}));
        assert!(hungry.as_ref().is_err_and(|e| e.contains("memory")), "{hungry:?}");
        assert_eq!(ok("[1, 2].map(x => x * 2)"), json!([2, 4]));
        assert_eq!(MADE.get(), made + 1, "running out of memory does");
    }
}
