// The run on screen: live (events as they come), a past run (its final state), or a replay of a
// past run's events at a chosen speed. Events arrive in batches from the backend and are folded
// once per animation frame, so a run sending ten thousand events a second costs the canvas one
// update per frame. A gap in `seq` (or a dropped connection) re-subscribes after the last event
// applied, and the server sends what is missing from the journal.
import { create } from "zustand";
import type { ApprovalDecision, Backend } from "./backend/backend";
import type { Event, PendingApproval, RunDetail, RunSummary } from "./generated/api";
import type { CanvasNode } from "./model/convert";
import { emptyRun, fold, isFinal, type NodeRun, pathOf, type RunView, scopesOf } from "./model/run";
import { useDocument } from "./store";

export type RunMode = "live" | "past" | "replay";

export interface Replay {
  events: Event[];
  /** Events applied so far. */
  position: number;
  /** 1 = as fast as it ran; 0 = all at once. */
  speed: number;
  playing: boolean;
}

export interface RunState {
  view: RunView | null;
  mode: RunMode;
  /** The live connection: "reconnecting" after it dropped before the run finished. */
  connection: "open" | "reconnecting" | "closed";
  /** The iteration shown for each loop / recursive container, by its path. */
  picks: Record<string, number>;
  detail: RunDetail | null;
  history: RunSummary[];
  approvals: PendingApproval[];
  replay: Replay | null;
  /** Shows run `id`, live when it is running (catching up from the journal first). */
  watch(backend: Backend, id: string): void;
  /** Plays a stored run's events again at `speed`. */
  startReplay(backend: Backend, id: string, speed: number): Promise<void>;
  seek(position: number): void;
  setSpeed(speed: number): void;
  togglePlay(): void;
  /** Leaves the run view (the canvas shows the document only). */
  clear(): void;
  pick(container: string, index: number): void;
  loadHistory(backend: Backend, blueprint: string): Promise<void>;
  refreshApprovals(backend: Backend): Promise<void>;
  decide(backend: Backend, node: string, decision: ApprovalDecision): Promise<void>;
}

/** Why the subscription is what it is: bumped on every new watch, so a stale one stops. */
let generation = 0;
let unsubscribe: (() => void) | null = null;
let pending: Event[] = [];
let frame = 0;
let fallback: ReturnType<typeof setTimeout> | undefined;
let replayTimer: ReturnType<typeof setTimeout> | undefined;
let reconnectTimer: ReturnType<typeof setTimeout> | undefined;

/** Hidden windows get no animation frames: a timer flushes then. */
const HIDDEN_FLUSH_MS = 250;
/** Waits before reconnecting a dropped event stream (doubling up to the last). */
const RECONNECT_MS = [250, 500, 1000, 2000, 5000];

function stopAll() {
  generation += 1;
  unsubscribe?.();
  unsubscribe = null;
  pending = [];
  if (frame) cancelAnimationFrame(frame);
  frame = 0;
  clearTimeout(fallback);
  clearTimeout(replayTimer);
  clearTimeout(reconnectTimer);
}

export const useRun = create<RunState>((set, get) => {
  const subscribe = (backend: Backend, id: string, after: number, attempt = 0) => {
    const mine = generation;
    unsubscribe?.();
    const flush = () => {
      frame = 0;
      clearTimeout(fallback);
      if (mine !== generation) return;
      const batch = pending;
      pending = [];
      const view = get().view;
      if (!view || batch.length === 0) return;
      const { view: next, gap } = fold(view, batch);
      set({ view: next, connection: "open" });
      if (batch.some((e) => e.type === "node_waiting")) void get().refreshApprovals(backend);
      if (gap !== null) {
        // An event is missing: take everything after the last one applied again, from the journal.
        subscribe(backend, id, next.lastSeq);
      } else if (isFinal(next.status) && view.status !== next.status) {
        void backend.runDetail(id).then((detail) => mine === generation && set({ detail }));
      }
    };
    unsubscribe = backend.events(id, after, {
      onEvents: (events) => {
        if (mine !== generation) return;
        pending.push(...events);
        if (!frame) frame = requestAnimationFrame(flush);
        clearTimeout(fallback);
        fallback = setTimeout(flush, HIDDEN_FLUSH_MS);
      },
      onClose: () => {
        if (mine !== generation) return;
        // Apply what came before deciding whether the run is over.
        flush();
        const view = get().view;
        if (!view || isFinal(view.status)) {
          set({ connection: "closed" });
          return;
        }
        set({ connection: "reconnecting" });
        reconnectTimer = setTimeout(
          () => mine === generation && subscribe(backend, id, get().view?.lastSeq ?? 0, attempt + 1),
          RECONNECT_MS[Math.min(attempt, RECONNECT_MS.length - 1)],
        );
      },
    });
  };

  const playFrom = () => {
    const replay = get().replay;
    if (!replay || !replay.playing) return;
    if (replay.position >= replay.events.length) {
      set({ replay: { ...replay, playing: false } });
      return;
    }
    const step = () => {
      const r = get().replay;
      const view = get().view;
      if (!r || !view || !r.playing) return;
      // Everything due within this frame goes at once.
      const first = r.events[r.position];
      let end = r.position + 1;
      if (r.speed === 0) end = r.events.length;
      else while (end < r.events.length && (r.events[end].at - first.at) / r.speed < 16) end += 1;
      const { view: next } = fold(view, r.events.slice(r.position, end));
      set({ view: next, replay: { ...r, position: end } });
      if (end < r.events.length) {
        const wait = r.speed === 0 ? 0 : Math.min(1000, (r.events[end].at - r.events[end - 1].at) / r.speed);
        replayTimer = setTimeout(step, Math.max(0, wait));
      } else {
        set({ replay: { ...r, position: end, playing: false } });
      }
    };
    step();
  };

  return {
    view: null,
    mode: "live",
    connection: "closed",
    picks: {},
    detail: null,
    history: [],
    approvals: [],
    replay: null,
    watch(backend, id) {
      stopAll();
      set({ view: emptyRun(id), mode: "live", connection: "open", picks: {}, detail: null, replay: null, approvals: [] });
      void backend.runDetail(id).then(
        (detail) => {
          if (get().view?.id !== id) return;
          set({ detail, mode: isFinal(detail.summary.status as RunView["status"]) ? "past" : "live" });
        },
        () => {},
      );
      subscribe(backend, id, 0);
    },
    async startReplay(backend, id, speed) {
      stopAll();
      const mine = generation;
      const events: Event[] = [];
      await new Promise<void>((resolve) => {
        unsubscribe = backend.events(id, 0, {
          onEvents: (batch) => {
            events.push(...batch.filter((e) => e.run === id));
            if (batch.some((e) => e.run === id && e.type === "run_finished")) resolve();
          },
          onClose: resolve,
        });
      });
      unsubscribe?.();
      unsubscribe = null;
      if (mine !== generation) return;
      set({ view: emptyRun(id), mode: "replay", connection: "closed", picks: {}, replay: { events, position: 0, speed, playing: true } });
      playFrom();
    },
    seek(position) {
      const r = get().replay;
      if (!r) return;
      clearTimeout(replayTimer);
      const { view } = fold(emptyRun(r.events[0]?.run ?? get().view?.id ?? ""), r.events.slice(0, position));
      set({ view, replay: { ...r, position, playing: false } });
    },
    setSpeed(speed) {
      const r = get().replay;
      if (r) set({ replay: { ...r, speed } });
    },
    togglePlay() {
      const r = get().replay;
      if (!r) return;
      clearTimeout(replayTimer);
      if (r.playing) {
        set({ replay: { ...r, playing: false } });
        return;
      }
      // Play from the start again when at the end.
      if (r.position >= r.events.length) {
        set({ view: emptyRun(get().view?.id ?? ""), replay: { ...r, position: 0, playing: true } });
      } else {
        set({ replay: { ...r, playing: true } });
      }
      playFrom();
    },
    clear() {
      stopAll();
      set({ view: null, mode: "live", connection: "closed", picks: {}, detail: null, replay: null, approvals: [] });
    },
    pick(container, index) {
      set((s) => ({ picks: { ...s.picks, [container]: index } }));
    },
    async loadHistory(backend, blueprint) {
      set({ history: await backend.runs(blueprint) });
    },
    async refreshApprovals(backend) {
      const id = get().view?.id;
      if (!id) return;
      const approvals = await backend.approvals(id);
      if (get().view?.id === id) set({ approvals });
    },
    async decide(backend, node, decision) {
      const id = get().view?.id;
      if (!id) return;
      await backend.decide(id, node, decision);
      set((s) => ({ approvals: s.approvals.filter((a) => a.node !== node) }));
    },
  };
});

const scopeIndexes = new WeakMap<CanvasNode[], Map<string, string | null>>();

/** The containers above canvas node `id`, top level first, joined by "/" ("" at the top level). */
function scopeChain(nodes: CanvasNode[], id: string): string {
  let index = scopeIndexes.get(nodes);
  if (!index) {
    index = new Map(nodes.map((n) => [n.id, n.data.scope]));
    scopeIndexes.set(nodes, index);
  }
  return scopesOf(id, (n) => index.get(n) ?? null).join("/");
}

/** The run path of canvas node `id` for the iterations picked in its containers. */
export function useNodePath(id: string, scope: string | null): string {
  // A string: the node re-renders only when its chain changes, not on every edit.
  const chain = useDocument((s) => (scope === null ? "" : scopeChain(s.canvas.nodes, id)));
  return useRun((s) => (chain === "" ? id : pathOf(id, chain.split("/"), s.picks)));
}

/** The run state of canvas node `id`, when a run is on screen. */
export function useNodeRun(id: string, scope: string | null): NodeRun | undefined {
  const path = useNodePath(id, scope);
  return useRun((s) => s.view?.nodes.get(path));
}

/** Outputs pinned per top-level node of one blueprint (kept in this browser / app profile). */
export const usePins = create<{
  blueprint: string | null;
  pins: Record<string, Record<string, unknown>>;
  load(blueprint: string): void;
  pin(node: string, outputs: Record<string, unknown> | null): void;
}>((set, get) => ({
  blueprint: null,
  pins: {},
  load(blueprint) {
    if (get().blueprint === blueprint) return;
    let pins = {};
    try {
      pins = JSON.parse(localStorage.getItem(`floe.pins.${blueprint}`) ?? "{}") as Record<string, Record<string, unknown>>;
    } catch {
      // A damaged entry pins nothing.
    }
    set({ blueprint, pins });
  },
  pin(node, outputs) {
    const { blueprint, pins } = get();
    if (!blueprint) return;
    const next = { ...pins };
    if (outputs) next[node] = outputs;
    else delete next[node];
    localStorage.setItem(`floe.pins.${blueprint}`, JSON.stringify(next));
    set({ pins: next });
  },
}));
