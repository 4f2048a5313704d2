//! The ready-set scheduler for one scope (the top level, or one item/iteration of a body).
//!
//! Each node counts its unsettled inbound edges. When an edge settles (delivered, skipped or
//! failed) the target's join rule decides, at once, whether it runs, is skipped, or keeps
//! waiting; a node starts the moment that decision is "run". There are no levels and no
//! recursion: settling walks a work list, so a 100,000-node chain needs no stack.
//!
//! Ready nodes queue for a concurrency slot; only admitted nodes get a future (the attempt loop:
//! pool permit, timeout, retries, panic capture), polled by this task; executors that do blocking or CPU-heavy work move it off
//! the async threads themselves.

use std::collections::VecDeque;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant};

use floe_blueprint::{JoinRule, OnError, RunFailurePolicy};
use futures::future::BoxFuture;
use futures::stream::FuturesUnordered;
use futures::{FutureExt, StreamExt};
use serde_json::{Map, Value, json};
use tokio::sync::OwnedSemaphorePermit;

use super::containers::Attempt;
use super::{RunEnv, RuntimeNode, RuntimeScope, Work, retry};
use crate::events::{ErrorInfo, NodePath, RunEvent, SkipReason};
use crate::exec::{NodeCtx, NodeError, NodeRef};
use crate::template::{Context, Outputs};

/// How a scope ended.
#[derive(Debug)]
pub struct ScopeResult {
    /// Outputs of each node (by index) that succeeded.
    pub outputs: Vec<Option<Arc<Outputs>>>,
    /// The failure that failed the scope, if any (first one, under `on_error: fail`).
    pub failure: Option<(NodePath, ErrorInfo)>,
    /// Whether the run was cancelled while the scope ran.
    pub cancelled: bool,
    /// Watched nodes (see [`ScopeRun::stop_after`]) in the order they succeeded.
    pub finished: Vec<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Pending,
    Running,
    Succeeded,
    Failed,
    Skipped,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Settle {
    Delivered,
    Skipped,
    Failed,
}

enum Outcome {
    Succeeded { outputs: Outputs, attempt: u32, elapsed: Duration },
    Failed { error: NodeError, attempt: u32 },
}

type Running = FuturesUnordered<BoxFuture<'static, (usize, Outcome)>>;

/// One scope being run.
pub struct ScopeRun {
    scope: Arc<RuntimeScope>,
    env: Arc<RunEnv>,
    prefix: String,
    vars: Vec<(&'static str, Value)>,
    outer: Vec<(String, Arc<Outputs>)>,
    policy: RunFailurePolicy,
    state: Vec<State>,
    waiting: Vec<u32>,
    delivered: Vec<u32>,
    failed: Vec<u32>,
    outputs: Vec<Option<Arc<Outputs>>>,
    failure: Option<(NodePath, ErrorInfo)>,
    halted: bool,
    /// Each node's path in a body scope (`map/3/<id>`), made once; empty at the top level, where
    /// the scope's own id paths are used.
    prefixed: Vec<NodePath>,
    /// Nodes whose inputs resolved, in the order they did.
    ready: VecDeque<usize>,
    /// Queued nodes waiting for a concurrency slot (only admitted nodes get a future).
    queued: VecDeque<usize>,
    watched: Vec<bool>,
    finished: Vec<usize>,
    /// Result keys of running nodes (journaled runs), carried into `node_succeeded`.
    keys: Vec<Option<String>>,
    /// For each node, how many template readers have not started yet; at 0 its outputs are let
    /// go (unless kept), so a long run holds only the outputs still ahead of someone.
    readers: Vec<u32>,
    /// Values delivered to waiting nodes' ports, (edge index, value): one entry per input port
    /// of the scope, all nodes' ports end to end, indexed by [`super::RuntimeEdge::slot`], so a
    /// fan-out's burst of deliveries writes one dense array rather than an allocation per node.
    /// A port fed by several edges keeps the value of the first edge in document order that
    /// delivered. (Holding the upstream's shared outputs instead of a copy, and copying at start,
    /// saves a 10k fan-out 7 MB but cost a layered `text_template` run 35% of its speed: the
    /// upstream outputs then outlive their settling, and fresh allocations stop reusing hot
    /// memory.)
    delivered_values: Vec<Option<(usize, Value)>>,
    stop_after: usize,
}

impl std::fmt::Debug for ScopeRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScopeRun").field("prefix", &self.prefix).finish_non_exhaustive()
    }
}

impl ScopeRun {
    /// A run of `scope`. `prefix` goes before node ids in paths (`map/3/`), `vars` are the body
    /// variables templates see, `outer` the outputs of enclosing nodes that templates may read.
    pub fn new(
        scope: Arc<RuntimeScope>,
        env: Arc<RunEnv>,
        prefix: String,
        vars: Vec<(&'static str, Value)>,
        outer: Vec<(String, Arc<Outputs>)>,
        policy: RunFailurePolicy,
    ) -> Self {
        let n = scope.nodes.len();
        let ports = scope.in_ports.all().len();
        let prefixed = if prefix.is_empty() {
            Vec::new()
        } else {
            scope.paths.iter().map(|id| NodePath::from(format!("{prefix}{id}"))).collect()
        };
        let waiting = scope.inbound.clone();
        let mut readers = vec![0u32; n];
        for source in scope.reads.all().iter().filter_map(|read| read.local) {
            readers[source as usize] += 1;
        }
        Self {
            scope,
            env,
            prefix,
            vars,
            outer,
            policy,
            state: vec![State::Pending; n],
            waiting,
            delivered: vec![0; n],
            failed: vec![0; n],
            outputs: vec![None; n],
            failure: None,
            halted: false,
            prefixed,
            ready: VecDeque::new(),
            queued: VecDeque::new(),
            watched: Vec::new(),
            finished: Vec::new(),
            keys: vec![None; n],
            readers,
            delivered_values: vec![None; ports],
            stop_after: usize::MAX,
        }
    }

    /// Ends the scope early, cancelling what still runs, once `count` of the `nodes` succeeded
    /// (parallel `first` and `quorum`).
    pub fn stop_after(mut self, nodes: &[usize], count: usize) -> Self {
        self.watched = vec![false; self.scope.nodes.len()];
        for &i in nodes {
            self.watched[i] = true;
        }
        self.stop_after = count;
        self
    }

    fn enough_finished(&self) -> bool {
        self.finished.len() >= self.stop_after
    }

    /// Runs every node that can run; returns when all have settled, the scope halted, or the
    /// run was cancelled.
    pub async fn run(mut self) -> ScopeResult {
        let mut running: Running = FuturesUnordered::new();
        self.ready.extend((0..self.scope.nodes.len()).filter(|&i| self.scope.inbound[i] == 0));
        let cancel = self.env.control.cancel.clone();
        let mut paused = self.env.control.paused.subscribe();
        let mut cancelled = false;
        loop {
            while let Some(i) = self.ready.pop_front() {
                self.enqueue(i, &mut running);
            }
            self.admit(&mut running, None);
            // Events go to the journal in batches while the loop finds work without waiting
            // (see `Emitter::flush_due`), and all of them before it waits or ends. A journal
            // failure cancels the run (from the writer), which ends this loop.
            self.env.emitter.flush_due().await;
            if self.halted || self.enough_finished() {
                break;
            }
            if !self.ready.is_empty() {
                // Nodes settled while admitting (reused results): schedule what they unblocked.
                continue;
            }
            if running.is_empty() && self.queued.is_empty() {
                break;
            }
            if !cancel.is_cancelled() {
                // A node that is already done (an inline executor) is taken without waiting.
                if let Some(Some((i, outcome))) = running.next().now_or_never() {
                    self.finish(i, outcome);
                    continue;
                }
            }
            self.env.emitter.flush().await;
            let waiting_for_slot = !self.queued.is_empty() && !*paused.borrow();
            let slots = self.env.slots.clone();
            tokio::select! {
                biased;
                () = cancel.cancelled() => {
                    cancelled = true;
                    break;
                }
                Some((i, outcome)) = running.next() => self.finish(i, outcome),
                Ok(slot) = slots.acquire_owned(), if waiting_for_slot => self.admit(&mut running, Some(slot)),
                Ok(()) = paused.changed() => {}
                () = self.env.emitter.pushed() => {}
            }
        }
        let stopped = std::mem::take(&mut running);
        drop(stopped);
        if (self.halted || self.enough_finished()) && !cancelled {
            self.skip_remaining();
        }
        self.env.emitter.flush().await;
        ScopeResult { outputs: self.outputs, failure: self.failure, cancelled, finished: self.finished }
    }

    fn path(&self, i: usize) -> &NodePath {
        self.prefixed.get(i).unwrap_or(&self.scope.paths[i])
    }

    /// A node whose inputs resolved: settle it from the journal when it finished before a
    /// resume, else queue it for a slot. Containers take no slot (their body nodes do), so a
    /// body can always run whatever the limit.
    fn enqueue(&mut self, i: usize, running: &mut Running) {
        let prior = &self.env.prior.succeeded;
        if let Some(outputs) = (!prior.is_empty()).then(|| prior.get(self.path(i).as_ref())).flatten() {
            // Finished before the process stopped: never re-run.
            let outputs = outputs.clone();
            self.release_sources(i);
            self.settle_outputs(i, outputs);
            return;
        }
        self.state[i] = State::Running;
        if self.scope.containers[i] {
            self.launch(i, None, running);
            return;
        }
        // Start at once when a slot is free and nobody is ahead; only a node that has to wait
        // is announced as queued.
        if self.queued.is_empty()
            && !self.env.control.is_paused()
            && let Ok(slot) = self.env.slots.clone().try_acquire_owned()
        {
            self.launch(i, Some(slot), running);
            return;
        }
        self.env.emitter.push(RunEvent::NodeQueued { node: self.path(i).clone() });
        self.queued.push_back(i);
    }

    /// Starts queued nodes while slots are free (`slot` is one already taken), unless paused.
    fn admit(&mut self, running: &mut Running, mut slot: Option<OwnedSemaphorePermit>) {
        if self.env.control.is_paused() {
            return;
        }
        while let Some(&i) = self.queued.front() {
            let Some(permit) = slot.take().or_else(|| self.env.slots.clone().try_acquire_owned().ok()) else { break };
            self.queued.pop_front();
            self.launch(i, Some(permit), running);
        }
    }

    /// Starts node `i`. It reads only the scope's dense rows until its future runs (see
    /// [`RuntimeScope`]).
    fn launch(&mut self, i: usize, slot: Option<OwnedSemaphorePermit>, running: &mut Running) {
        let scope = Arc::clone(&self.scope);
        let ports = scope.in_ports.range(i);
        let inputs: Map<String, Value> = self.delivered_values[ports.clone()]
            .iter_mut()
            .zip(&scope.in_ports.all()[ports])
            .filter_map(|(delivered, port)| Some((port.to_string(), delivered.take()?.1)))
            .collect();
        let nodes = scope
            .reads
            .get(i)
            .iter()
            .filter_map(|read| {
                let local = read.local.and_then(|j| self.outputs[j as usize].clone());
                let outputs =
                    local.or_else(|| self.outer.iter().find(|(o, _)| *o == read.id).map(|(_, out)| out.clone()))?;
                Some((read.id.clone(), outputs))
            })
            .collect();
        let context = Context {
            inputs: Arc::new(inputs),
            run: self.env.run_inputs.clone(),
            nodes,
            vars: self.vars.clone(),
            templates: self.env.templates.clone(),
        };
        self.release_sources(i);
        let path = self.path(i).clone();
        if self.env.keys {
            let key = cache_key(&scope.nodes[i], &context);
            if let Some((outputs, from_run)) = self.env.reuse.as_ref().and_then(|reuse| reuse.matching(&path, &key)) {
                // `--reuse`: the earlier run produced this exact result (or a person pinned one); take it instead.
                drop(slot);
                let from_run = from_run.to_owned();
                self.env.emitter.push(RunEvent::NodeCached {
                    node: path,
                    from_run,
                    outputs: outputs.clone(),
                    key: Some(key),
                });
                self.settle_outputs(i, outputs);
                return;
            }
            self.keys[i] = Some(key);
        }
        running.push(Box::pin(attempts(i, scope, path, context, self.env.clone(), slot)));
    }

    fn finish(&mut self, i: usize, outcome: Outcome) {
        let path = self.path(i).clone();
        match outcome {
            Outcome::Succeeded { outputs, attempt, elapsed } => {
                let outputs = Arc::new(outputs);
                self.env.emitter.push(RunEvent::NodeSucceeded {
                    node: path,
                    attempt,
                    outputs: outputs.clone(),
                    duration_ms: elapsed.as_millis() as u64,
                    key: self.keys.get_mut(i).and_then(Option::take),
                });
                self.settle_outputs(i, outputs);
            }
            Outcome::Failed { error, attempt } => {
                let info = error.info();
                self.env.emitter.push(RunEvent::NodeFailed { node: path.clone(), attempt, error: info.clone() });
                let scope = Arc::clone(&self.scope);
                let node = &scope.nodes[i];
                match &node.plan.policy.on_error {
                    OnError::Fail => {
                        if self.policy != RunFailurePolicy::Always && self.failure.is_none() {
                            self.failure = Some((path, info));
                        }
                        if self.policy == RunFailurePolicy::Halt {
                            self.state[i] = State::Failed;
                            self.halted = true;
                        } else {
                            self.settle_failed(i);
                        }
                    }
                    OnError::Skip => self.settle_failed(i),
                    OnError::Default { value } => {
                        let outputs: Outputs =
                            node.plan.ports.outputs.iter().map(|p| (p.name.to_string(), value.clone())).collect();
                        self.substitute(i, path, attempt, outputs);
                    }
                    OnError::ErrorPort => {
                        let error = json!({"class": info.class, "message": info.message, "node": path.as_ref()});
                        self.substitute(i, path, attempt, crate::exec::output("error", error));
                    }
                }
            }
        }
    }

    /// Succeeds a failed node with stand-in outputs (`default`, `error_port`).
    fn substitute(&mut self, i: usize, path: NodePath, attempt: u32, outputs: Outputs) {
        let outputs = Arc::new(outputs);
        // A stand-in result is not the node's work: it gets no key, so it is never reused.
        self.keys[i] = None;
        self.env.emitter.push(RunEvent::NodeSucceeded {
            node: path,
            attempt,
            outputs: outputs.clone(),
            duration_ms: 0,
            key: None,
        });
        self.settle_outputs(i, outputs);
    }

    fn settle_outputs(&mut self, i: usize, outputs: Arc<Outputs>) {
        self.state[i] = State::Succeeded;
        if self.watched.get(i).copied().unwrap_or(false) {
            self.finished.push(i);
        }
        let scope = self.scope.clone();
        let mut work = Vec::new();
        for e in scope.outbound(i) {
            let edge = &scope.edges[e];
            let Some(value) = outputs.get(edge.from_port.as_ref()) else {
                work.push((e, Settle::Skipped));
                continue;
            };
            if edge.to_port.is_some() && self.state[edge.to] == State::Pending {
                let slot = &mut self.delivered_values[edge.slot as usize];
                if slot.as_ref().is_none_or(|(first, _)| *first > e) {
                    *slot = Some((e, value.clone()));
                }
            }
            work.push((e, Settle::Delivered));
        }
        // Kept only while a template will read it (or the scope's caller will).
        if self.readers[i] > 0 || scope.keep[i] {
            self.outputs[i] = Some(outputs);
        }
        self.settle(work);
    }

    fn settle_failed(&mut self, i: usize) {
        self.state[i] = State::Failed;
        let work = self.scope.outbound(i).map(|e| (e, Settle::Failed)).collect();
        self.settle(work);
    }

    /// Settles edges and applies join rules, following skips downstream through a work list.
    fn settle(&mut self, mut work: Vec<(usize, Settle)>) {
        let scope = self.scope.clone();
        while let Some((e, kind)) = work.pop() {
            let t = scope.edges[e].to;
            if self.state[t] != State::Pending {
                continue;
            }
            self.waiting[t] -= 1;
            match kind {
                Settle::Delivered => self.delivered[t] += 1,
                Settle::Failed => self.failed[t] += 1,
                Settle::Skipped => {}
            }
            let settled = self.waiting[t] == 0;
            let failed_reason = if self.failed[t] > 0 { SkipReason::UpstreamFailed } else { SkipReason::Branch };
            let decision = match scope.joins[t] {
                JoinRule::All if kind == Settle::Failed => Some(Err(SkipReason::UpstreamFailed)),
                JoinRule::All if kind == Settle::Skipped => Some(Err(SkipReason::Branch)),
                JoinRule::NoneFailed if kind == Settle::Failed => Some(Err(SkipReason::UpstreamFailed)),
                JoinRule::Any if settled && self.delivered[t] == 0 => Some(Err(failed_reason)),
                _ if settled => Some(Ok(())),
                _ => None,
            };
            match decision {
                Some(Ok(())) => self.ready.push_back(t),
                Some(Err(reason)) => {
                    self.state[t] = State::Skipped;
                    self.delivered_values[scope.in_ports.range(t)].fill(None);
                    self.release_sources(t);
                    self.env.emitter.push(RunEvent::NodeSkipped { node: self.path(t).clone(), reason });
                    let next = if reason == SkipReason::UpstreamFailed { Settle::Failed } else { Settle::Skipped };
                    work.extend(scope.outbound(t).map(|e| (e, next)));
                }
                None => {}
            }
        }
    }

    /// Node `t` has read what it needs (it started, or will never start): each of its sources
    /// has one reader fewer, and a source nobody else will read lets go of its outputs.
    fn release_sources(&mut self, t: usize) {
        let scope = self.scope.clone();
        for source in scope.sources(t) {
            self.readers[source] = self.readers[source].saturating_sub(1);
            if self.readers[source] == 0 && !scope.keep[source] {
                self.outputs[source] = None;
            }
        }
    }

    /// After a halt: everything that had not finished is marked skipped.
    fn skip_remaining(&mut self) {
        for i in 0..self.state.len() {
            if matches!(self.state[i], State::Pending | State::Running) {
                self.state[i] = State::Skipped;
                self.env.emitter.push(RunEvent::NodeSkipped { node: self.path(i).clone(), reason: SkipReason::Halted });
            }
        }
    }
}

/// One node's attempts: wait while paused, take a concurrency slot (and pool permit), run the
/// executor under the timeout with panics caught, and retry what the policy retries.
async fn attempts(
    i: usize,
    scope: Arc<RuntimeScope>,
    path: NodePath,
    context: Context,
    env: Arc<RunEnv>,
    first_slot: Option<OwnedSemaphorePermit>,
) -> (usize, Outcome) {
    let node = &scope.nodes[i];
    let Some(executor) = node.executor.clone() else {
        let error = NodeError::tool(format!(
            "`{}` nodes cannot run in this build yet; remove the node or replace it with a supported kind",
            node.plan.kind
        ));
        return (i, Outcome::Failed { error, attempt: 1 });
    };
    let policy = &node.plan.policy;
    let pool = node.pool.as_ref().and_then(|name| env.pools.get(name.as_ref()).cloned());
    let mut attempt = 1;
    let mut first_slot = first_slot;
    loop {
        // Retries wait for a resume and take a slot again; the first attempt was admitted.
        let slot = match first_slot.take() {
            Some(slot) => Some(slot),
            None if node.body.is_some() => None,
            None => {
                let mut paused = env.control.paused.subscribe();
                let _ = paused.wait_for(|p| !*p).await;
                env.slots.clone().acquire_owned().await.ok()
            }
        };
        let pool_permit = match &pool {
            Some(pool) => Some(pool.clone().acquire_owned().await),
            None => None,
        };
        let started_seq =
            env.emitter.push(RunEvent::NodeStarted { node: path.clone(), attempt, inputs: context.inputs.clone() });
        if node.writes {
            // An effect fires only once its start (and everything before it) is journaled.
            env.emitter.journaled(started_seq).await;
        }
        let cancel = env.control.cancel.child_token();
        // Dropping this attempt (halt, a parallel race won, cancel) stops its blocking work too.
        let _stop_on_drop = cancel.clone().drop_guard();
        let ctx = NodeCtx {
            node: NodeRef::new(Arc::clone(&scope), i),
            path: path.clone(),
            attempt,
            context: context.clone(),
            run: env.clone(),
            cancel: cancel.clone(),
            call: None,
        };
        let started = Instant::now();
        let running = match &executor {
            Work::Node(executor) => executor.execute(ctx),
            Work::Container(container) => container.execute(Attempt { ctx, body: node.body.clone(), env: env.clone() }),
        };
        let work = AssertUnwindSafe(running).catch_unwind();
        let result = match node.timeout {
            Some(limit) => match tokio::time::timeout(limit, work).await {
                Ok(result) => result,
                Err(_) => {
                    cancel.cancel();
                    Ok(Err(NodeError::new(
                        floe_blueprint::ErrorClass::Timeout,
                        format!(
                            "the attempt took longer than its {} timeout; raise `policy.timeout` or give it less work",
                            humantime::format_duration(limit)
                        ),
                    )))
                }
            },
            None => work.await,
        };
        let result = result.unwrap_or_else(|panic| {
            Err(NodeError::tool(format!(
                "the `{}` executor crashed ({}); this is a bug in Floe, please report it",
                node.plan.kind,
                panic_message(panic.as_ref())
            )))
        });
        drop((slot, pool_permit));
        match result {
            Ok(outputs) => return (i, Outcome::Succeeded { outputs, attempt, elapsed: started.elapsed() }),
            Err(error) => {
                let retry = &policy.retry;
                if attempt < retry.attempts && retry.on.contains(&error.class) && !env.control.cancel.is_cancelled() {
                    let delay = retry::delay(retry, attempt, error.retry_after, fastrand::f64());
                    env.emitter.push(RunEvent::NodeRetrying {
                        node: path.clone(),
                        attempt,
                        attempts: retry.attempts,
                        delay_ms: delay.as_millis() as u64,
                        error: error.info(),
                    });
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                    continue;
                }
                return (i, Outcome::Failed { error, attempt });
            }
        }
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".into())
}

/// What identifies a node's result: the engine version (standing for every kind's version), the
/// kind, its config, every value it reads (input ports, upstream outputs, the run inputs its
/// templates read as the compiler found them, body variables) and the plan hash of each
/// blueprint it runs. Equal keys mean the node would be handed exactly the same work. The
/// node's own part was hashed when the plan was laid out ([`RuntimeNode::key_base`]); the values
/// are serialised into one buffer per thread, reused, and hashed at once: the same hash as
/// streaming the same bytes into it, without a hasher call for every token the serialiser writes.
/// A part with nothing in it is left out (each part is tagged, and a tag cannot occur inside
/// JSON, where control characters are escaped): a node that reads only its ports then hashes
/// under 64 bytes, one blake3 block instead of two.
fn cache_key(node: &RuntimeNode, context: &Context) -> String {
    thread_local! {
        /// The key's text, gathered before it is hashed: one hash update per key rather than
        /// one per token the serialiser writes.
        static TEXT: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    TEXT.with_borrow_mut(|text| {
        text.clear();
        text.extend_from_slice(&node.key_base);
        part(text, b"\x1finputs", context.inputs.as_ref());
        // The maps below are sorted for a stable text; most nodes read none of them.
        let nodes = context.nodes.iter().map(|(id, outputs)| (id.as_str(), outputs.as_ref()));
        part_sorted(text, b"\x1fnodes", nodes);
        // Only the run inputs it reads, so changing another input does not invalidate it.
        match &node.run_reads {
            Some(names) => {
                let read = names.iter().filter_map(|n| Some((n.as_str(), context.run.get(n)?)));
                part_sorted(text, b"\x1frun", read);
            }
            None => part_sorted(text, b"\x1frun", context.run.iter().map(|(k, v)| (k.as_str(), v))),
        }
        part_sorted(text, b"\x1fvars", context.vars.iter().map(|(name, value)| (*name, value)));
        let hash = blake3::hash(text);
        // Keep the buffer small between keys: one huge value should not pin its size.
        if text.capacity() > 1 << 16 {
            *text = Vec::new();
        }
        let mut key = String::with_capacity(7 + 2 * blake3::OUT_LEN);
        key.push_str("blake3:");
        key.push_str(&hash.to_hex());
        key
    })
}

/// One tagged part of a key: the value as JSON.
fn part(text: &mut Vec<u8>, tag: &[u8], value: &impl serde::Serialize) {
    text.extend_from_slice(tag);
    // Serialising JSON values into memory cannot fail.
    let _ = serde_json::to_writer(&mut *text, value);
}

/// One tagged part of a key: `entries` as a JSON object with its names sorted (nothing when there
/// are none, without building a map).
fn part_sorted<'a, V: serde::Serialize + 'a>(
    text: &mut Vec<u8>,
    tag: &[u8],
    entries: impl Iterator<Item = (&'a str, V)>,
) {
    let mut entries = entries.peekable();
    if entries.peek().is_some() {
        part(text, tag, &entries.collect::<std::collections::BTreeMap<_, _>>());
    }
}
