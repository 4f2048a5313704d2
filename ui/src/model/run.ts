// A run as the app shows it, folded from its events. Pure: `fold` takes a view and a batch of
// events and returns the next view, copying only what changed (each changed node gets a new
// object, every other node keeps its own), so a canvas node re-renders only when its run state
// moved. Events are checked against the run's `seq`: a repeat is dropped, a gap stops the fold
// where it is so the caller can fetch the missing events from the journal.
import type { Event } from "../generated/api";

export type NodeStatus = "queued" | "running" | "retrying" | "succeeded" | "failed" | "skipped" | "cached" | "waiting" | "stopped";

/** States a node leaves only through another event; a run that ends with nodes in them stopped them. */
const UNSETTLED: ReadonlySet<NodeStatus> = new Set(["queued", "running", "retrying", "waiting"]);
export type RunStatus = "running" | "paused" | "waiting" | "succeeded" | "failed" | "cancelled";

/** One attempt's span, for the timeline. */
export interface Span {
  attempt: number;
  start: number;
  end: number | null;
  status: NodeStatus;
}

/** One line of an agent's transcript. */
export type TranscriptEntry =
  | { kind: "turn"; turn: number; text: string; calls: { id: string; tool: string; arguments: unknown }[] }
  | { kind: "tool"; turn: number; call: string; tool: string; ok: boolean; result: unknown };

export interface NodeError {
  attempt: number;
  class: string;
  message: string;
}

export interface NodeRun {
  /** Node path: its id, prefixed by the containers and iterations above it (`map/3/summarise`). */
  path: string;
  status: NodeStatus;
  attempt: number;
  /** Attempts the retry policy allows (known once a retry happened). */
  attempts: number | null;
  /** When the current attempt (or the wait) began. */
  startedAt: number | null;
  finishedAt: number | null;
  /** Duration of the attempt that ended, as the engine measured it. */
  durationMs: number | null;
  /** When the next attempt starts, while retrying. */
  retryAt: number | null;
  inputs: Record<string, unknown> | null;
  outputs: Record<string, unknown> | null;
  /** Every failed attempt, in order. */
  errors: NodeError[];
  /** Streamed text by output port, while and after it streams. */
  stream: Record<string, string>;
  transcript: TranscriptEntry[];
  /** Progress messages, in order. */
  log: { at: number; message: string }[];
  fraction: number | null;
  /** Model tokens and cost over every call. */
  usage: { input: number; output: number; cost: number; model: string | null };
  /** What an approval asks. */
  prompt: string | null;
  skipReason: string | null;
  /** The run a cached result came from. */
  fromRun: string | null;
  /** Loop and recursive containers: items or iterations settled. */
  iterations: { done: number; failed: number; last: number } | null;
  spans: Span[];
}

export interface RunView {
  id: string;
  status: RunStatus;
  /** The last event applied; the next must be `lastSeq + 1`. */
  lastSeq: number;
  startedAt: number | null;
  finishedAt: number | null;
  /** The time of the last event applied (for durations of running nodes in a replay). */
  now: number;
  blueprint: string | null;
  hash: string | null;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown> | null;
  error: string | null;
  resumed: boolean;
  cancelReason: string | null;
  budget: string | null;
  nodes: Map<string, NodeRun>;
  /** Events applied, for the run's log. */
  count: number;
  usage: { input: number; output: number; cost: number };
}

export function emptyRun(id: string): RunView {
  return {
    id,
    status: "running",
    lastSeq: 0,
    startedAt: null,
    finishedAt: null,
    now: 0,
    blueprint: null,
    hash: null,
    inputs: {},
    outputs: null,
    error: null,
    resumed: false,
    cancelReason: null,
    budget: null,
    nodes: new Map(),
    count: 0,
    usage: { input: 0, output: 0, cost: 0 },
  };
}

/** A node's state before any event about it: queued. */
export function newNode(path: string): NodeRun {
  return {
    path,
    status: "queued",
    attempt: 0,
    attempts: null,
    startedAt: null,
    finishedAt: null,
    durationMs: null,
    retryAt: null,
    inputs: null,
    outputs: null,
    errors: [],
    stream: {},
    transcript: [],
    log: [],
    fraction: null,
    usage: { input: 0, output: 0, cost: 0, model: null },
    prompt: null,
    skipReason: null,
    fromRun: null,
    iterations: null,
    spans: [],
  };
}

export interface Folded {
  view: RunView;
  /** Set when an event is missing: the seq the next event should have had. */
  gap: number | null;
}

/** Ends the open span of a node with `status`. */
function closeSpan(spans: Span[], end: number, status: NodeStatus): Span[] {
  const last = spans[spans.length - 1];
  if (!last || last.end !== null) return spans;
  return [...spans.slice(0, -1), { ...last, end, status }];
}

/** The run a link opens: `floe://run/<id>` (what `floe mcp` answers a call with); null for any other. */
export function runOfLink(link: string): string | null {
  const match = /^floe:\/\/run\/([A-Za-z0-9._-]+)\/?$/.exec(link.trim());
  return match ? match[1] : null;
}

/** The node a waiting approval belongs to: itself, or the agent whose tool call it is (`ask/tool/1.0` → `ask`). */
export const approvalOwner = (path: string) => path.replace(/\/tool\/\d+\.\d+$/, "");

/** A node that waited for a person (an agent's tool call under review) and runs again. */
function moveOn(n: NodeRun, at: number) {
  if (n.status !== "waiting") return;
  n.status = "running";
  n.spans = [...closeSpan(n.spans, at, "waiting"), { attempt: n.attempt, start: at, end: null, status: "running" }];
}

/** The next view after `events` (of this run; other runs' events, e.g. a sub-workflow's, are ignored). */
export function fold(view: RunView, events: Event[]): Folded {
  let nodes: Map<string, NodeRun> | null = null;
  // Nodes already copied in this batch: changed in place after their first copy.
  const fresh = new Set<string>();
  const next: RunView = { ...view };
  const node = (path: string): NodeRun => {
    if (!nodes) nodes = new Map(view.nodes);
    let current = nodes.get(path);
    if (!current) {
      current = newNode(path);
    } else if (!fresh.has(path)) {
      current = { ...current };
    } else {
      return current;
    }
    fresh.add(path);
    nodes.set(path, current);
    return current;
  };
  let gap: number | null = null;
  for (const event of events) {
    if (event.run !== view.id) continue;
    if (event.seq <= next.lastSeq) continue;
    if (event.seq !== next.lastSeq + 1) {
      gap = next.lastSeq + 1;
      break;
    }
    next.lastSeq = event.seq;
    next.now = event.at;
    next.count += 1;
    switch (event.type) {
      case "run_started":
        next.startedAt ??= event.at;
        next.blueprint = event.blueprint;
        next.hash = event.hash;
        next.inputs = event.inputs;
        next.resumed = next.resumed || !!event.resumed;
        next.status = "running";
        next.finishedAt = null;
        break;
      case "run_paused":
        next.status = "paused";
        break;
      case "run_resumed":
        next.status = "running";
        break;
      case "run_cancelled":
        next.cancelReason = event.reason;
        break;
      case "run_finished":
        next.status = event.status;
        next.outputs = event.outputs;
        next.error = event.error ?? null;
        next.finishedAt = event.at;
        // A cancelled run stops its running nodes without an event of their own.
        for (const [path, n] of nodes ?? view.nodes) {
          if (!UNSETTLED.has(n.status)) continue;
          const stopped = node(path);
          stopped.status = "stopped";
          stopped.finishedAt = event.at;
          stopped.retryAt = null;
          stopped.spans = closeSpan(stopped.spans, event.at, "stopped");
        }
        break;
      case "budget_exceeded":
        next.budget = event.limit;
        break;
      case "node_queued": {
        const n = node(event.node);
        n.status = "queued";
        break;
      }
      case "node_started": {
        const n = node(event.node);
        n.status = "running";
        n.attempt = event.attempt;
        n.startedAt = event.at;
        n.finishedAt = null;
        n.retryAt = null;
        n.inputs = event.inputs;
        // A new attempt streams afresh.
        if (event.attempt > 1) n.stream = {};
        n.spans = [...n.spans, { attempt: event.attempt, start: event.at, end: null, status: "running" }];
        break;
      }
      case "node_progress": {
        const n = node(event.node);
        moveOn(n, event.at);
        n.log = [...n.log, { at: event.at, message: event.message }];
        n.fraction = event.fraction ?? n.fraction;
        break;
      }
      case "node_output_delta": {
        const n = node(event.node);
        n.stream = { ...n.stream, [event.port]: (n.stream[event.port] ?? "") + event.delta };
        break;
      }
      case "node_retrying": {
        const n = node(event.node);
        n.status = "retrying";
        n.attempts = event.attempts || n.attempts;
        n.retryAt = event.at + event.delay_ms;
        n.errors = [...n.errors, { attempt: event.attempt, class: event.error.class, message: event.error.message }];
        n.spans = closeSpan(n.spans, event.at, "failed");
        break;
      }
      case "node_succeeded": {
        const n = node(event.node);
        // Under `on_error: default` a failure is followed by its substitute outputs: it stays failed.
        if (n.status !== "failed") n.status = "succeeded";
        n.attempt = event.attempt;
        n.outputs = event.outputs;
        n.durationMs = event.duration_ms;
        n.finishedAt = event.at;
        n.retryAt = null;
        n.prompt = null;
        n.spans = closeSpan(n.spans, event.at, n.status);
        break;
      }
      case "node_failed": {
        const n = node(event.node);
        n.status = "failed";
        n.attempt = event.attempt;
        n.finishedAt = event.at;
        n.retryAt = null;
        if (n.startedAt !== null) n.durationMs = event.at - n.startedAt;
        n.errors = [...n.errors, { attempt: event.attempt, class: event.error.class, message: event.error.message }];
        n.spans = closeSpan(n.spans, event.at, "failed");
        break;
      }
      case "node_skipped": {
        const n = node(event.node);
        n.status = "skipped";
        n.skipReason = event.reason;
        n.finishedAt = event.at;
        break;
      }
      case "node_cached": {
        const n = node(event.node);
        n.status = "cached";
        n.outputs = event.outputs;
        n.fromRun = event.from_run;
        n.finishedAt = event.at;
        break;
      }
      case "node_waiting": {
        const n = node(event.node);
        n.status = "waiting";
        n.prompt = event.prompt;
        n.spans = closeSpan(n.spans, event.at, "running");
        n.spans = [...n.spans, { attempt: n.attempt, start: event.at, end: null, status: "waiting" }];
        break;
      }
      case "node_usage": {
        const n = node(event.node);
        const cost = event.usage.cost_usd ?? 0;
        n.usage = {
          input: n.usage.input + event.usage.input_tokens,
          output: n.usage.output + event.usage.output_tokens,
          cost: n.usage.cost + cost,
          model: event.model,
        };
        next.usage = {
          input: next.usage.input + event.usage.input_tokens,
          output: next.usage.output + event.usage.output_tokens,
          cost: next.usage.cost + cost,
        };
        break;
      }
      case "agent_turn": {
        const n = node(event.node);
        n.transcript = [...n.transcript, { kind: "turn", turn: event.turn, text: event.text, calls: event.calls }];
        // The turn's text is in the transcript now; the stream starts over for the next turn.
        n.stream = {};
        break;
      }
      case "agent_tool_result": {
        const n = node(event.node);
        moveOn(n, event.at);
        n.transcript = [
          ...n.transcript,
          { kind: "tool", turn: event.turn, call: event.call, tool: event.tool, ok: event.ok, result: event.result },
        ];
        break;
      }
      case "loop_iteration": {
        const n = node(event.node);
        const it = n.iterations ?? { done: 0, failed: 0, last: 0 };
        n.iterations = {
          done: it.done + (event.ok ? 1 : 0),
          failed: it.failed + (event.ok ? 0 : 1),
          last: Math.max(it.last, event.index),
        };
        break;
      }
    }
  }
  if (nodes) next.nodes = nodes;
  return { view: next, gap };
}

/** A node's path for the iterations picked in each container above it (`map/3/summarise`). */
export function pathOf(id: string, scopes: string[], picks: Record<string, number>): string {
  // `scopes` lists the containers from the top level down.
  let path = "";
  for (const scope of scopes) path += `${scope}/${picks[path + scope] ?? 0}/`;
  return path + id;
}

/** The containers above a canvas node, from the top level down. */
export function scopesOf(id: string, scopeOf: (id: string) => string | null): string[] {
  const scopes: string[] = [];
  for (let s = scopeOf(id); s; s = scopeOf(s)) scopes.unshift(s);
  return scopes;
}

/** Seconds or milliseconds, short. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** Whether the run is over. */
export function isFinal(status: RunStatus): boolean {
  return status === "succeeded" || status === "failed" || status === "cancelled";
}

/** The label a node shows for its state, e.g. "retrying · attempt 2 of 3". */
export function statusLabel(n: NodeRun, now: number): string {
  switch (n.status) {
    case "retrying": {
      const of = n.attempts ? ` of ${n.attempts}` : "";
      const wait = n.retryAt !== null ? ` · next in ${formatDuration(Math.max(0, n.retryAt - now))}` : "";
      return `retrying · attempt ${n.attempt + 1}${of}${wait}`;
    }
    case "running":
      return n.attempt > 1 ? `running · attempt ${n.attempt}${n.attempts ? ` of ${n.attempts}` : ""}` : "running";
    case "waiting":
      return "waiting for approval";
    case "succeeded":
    case "failed":
      return n.durationMs !== null ? `${n.status} · ${formatDuration(n.durationMs)}` : n.status;
    case "cached":
      return "cached";
    case "skipped":
      return n.skipReason === "branch" ? "skipped · other branch" : n.skipReason === "upstream_failed" ? "skipped · upstream failed" : "skipped";
    case "queued":
      return "queued";
    case "stopped":
      return "stopped · the run ended";
  }
}

/**
 * A node path as a person reads it: the node's title, and for a node inside an iteration the
 * container and item (`map/3/summarise` → `Summarise (Map, item 3)`). `title` gives a node id's
 * title (its id when it has none).
 */
export function pathTitle(path: string, title: (id: string) => string): string {
  const parts = path.split("/");
  const own = title(parts[parts.length - 1]);
  const where: string[] = [];
  for (let i = 0; i + 1 < parts.length - 1; i += 2) where.push(`${title(parts[i])}, item ${parts[i + 1]}`);
  return where.length > 0 ? `${own} (${where.join(" · ")})` : own;
}
