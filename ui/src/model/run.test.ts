import { describe, expect, it } from "vitest";
import type { Event } from "../generated/api";
import { approvalOwner, emptyRun, fold, pathOf, pathTitle, runOfLink, statusLabel } from "./run";

const RUN = "r1";
let seq = 0;
/** Events of run r1, numbered from 1 in the order given. */
function events(...kinds: Record<string, unknown>[]): Event[] {
  seq = 0;
  return kinds.map((k) => ({ run: RUN, seq: ++seq, at: 1000 + seq * 10, ...k }) as unknown as Event);
}

const started = { type: "run_started", blueprint: "b", hash: "h", nodes: 2, inputs: { x: 1 } };

describe("fold", () => {
  it("follows a node through a retry to success and keeps spans and errors", () => {
    const all = events(
      started,
      { type: "node_started", node: "a", attempt: 1, inputs: {} },
      { type: "node_retrying", node: "a", attempt: 1, attempts: 3, delay_ms: 500, error: { class: "server", message: "503" } },
      { type: "node_started", node: "a", attempt: 2, inputs: {} },
      { type: "node_succeeded", node: "a", attempt: 2, outputs: { out: 1 }, duration_ms: 7 },
      { type: "run_finished", status: "succeeded", outputs: { out: 1 } },
    );
    const mid = fold(emptyRun(RUN), all.slice(0, 3)).view;
    const retrying = mid.nodes.get("a")!;
    expect(retrying.status).toBe("retrying");
    expect(statusLabel(retrying, all[2].at + 200)).toBe("retrying · attempt 2 of 3 · next in 300 ms");
    const { view, gap } = fold(mid, all.slice(3));
    expect(gap).toBeNull();
    const a = view.nodes.get("a")!;
    expect(a.status).toBe("succeeded");
    expect(a.errors).toEqual([{ attempt: 1, class: "server", message: "503" }]);
    expect(a.spans.map((s) => [s.attempt, s.status])).toEqual([
      [1, "failed"],
      [2, "succeeded"],
    ]);
    expect(view.status).toBe("succeeded");
    expect(view.outputs).toEqual({ out: 1 });
    expect(statusLabel(a, 0)).toBe("succeeded · 7 ms");
  });

  it("drops repeats, stops at a gap and names the missing seq, and ignores other runs' events", () => {
    const all = events(started, { type: "node_started", node: "a", attempt: 1, inputs: {} }, { type: "node_succeeded", node: "a", attempt: 1, outputs: {}, duration_ms: 1 });
    const first = fold(emptyRun(RUN), all.slice(0, 2)).view;
    const repeated = fold(first, all.slice(0, 2));
    expect(repeated.view.lastSeq).toBe(2);
    expect(repeated.gap).toBeNull();
    const skipping = fold(emptyRun(RUN), [all[0], all[2]]);
    expect(skipping.gap).toBe(2);
    expect(skipping.view.lastSeq).toBe(1);
    expect(skipping.view.nodes.size).toBe(0);
    const child = { ...all[1], run: "r1.sub" } as Event;
    expect(fold(first, [child]).view).toEqual(first);
  });

  it("copies only the nodes that changed", () => {
    const all = events(
      started,
      { type: "node_started", node: "a", attempt: 1, inputs: {} },
      { type: "node_started", node: "b", attempt: 1, inputs: {} },
      { type: "node_output_delta", node: "b", port: "text", delta: "Hel" },
      { type: "node_output_delta", node: "b", port: "text", delta: "lo" },
    );
    const before = fold(emptyRun(RUN), all.slice(0, 3)).view;
    const after = fold(before, all.slice(3)).view;
    expect(after.nodes.get("a")).toBe(before.nodes.get("a"));
    expect(after.nodes.get("b")).not.toBe(before.nodes.get("b"));
    expect(after.nodes.get("b")!.stream).toEqual({ text: "Hello" });
  });

  it("builds an agent transcript, counts usage and loop items, and stops what a cancel left running", () => {
    const all = events(
      started,
      { type: "node_started", node: "agent", attempt: 1, inputs: {} },
      { type: "agent_turn", node: "agent", turn: 1, text: "Looking", calls: [{ id: "c1", tool: "search", arguments: { q: "x" } }] },
      { type: "agent_tool_result", node: "agent", turn: 1, call: "c1", tool: "search", ok: true, result: "found" },
      { type: "node_usage", node: "agent", model: "openai:gpt", usage: { input_tokens: 10, output_tokens: 5, cached_tokens: 0, cost_usd: 0.5 } },
      { type: "loop_iteration", node: "map", index: 0, ok: true },
      { type: "loop_iteration", node: "map", index: 1, ok: false },
      { type: "run_cancelled", reason: "by hand" },
      { type: "run_finished", status: "cancelled", outputs: {} },
    );
    const { view } = fold(emptyRun(RUN), all);
    const agent = view.nodes.get("agent")!;
    expect(agent.transcript.map((t) => t.kind)).toEqual(["turn", "tool"]);
    expect(agent.usage).toEqual({ input: 10, output: 5, cost: 0.5, model: "openai:gpt" });
    expect(view.usage).toEqual({ input: 10, output: 5, cost: 0.5 });
    expect(view.nodes.get("map")!.iterations).toEqual({ done: 1, failed: 1, last: 1 });
    expect(agent.status).toBe("stopped");
    expect(view.cancelReason).toBe("by hand");
  });

  it("shows an approval wait and a cached result", () => {
    const all = events(
      started,
      { type: "node_cached", node: "a", from_run: "r0", outputs: { text: "x" } },
      { type: "node_started", node: "gate", attempt: 1, inputs: {} },
      { type: "node_waiting", node: "gate", prompt: "OK?" },
    );
    const { view } = fold(emptyRun(RUN), all);
    expect(view.nodes.get("a")!.status).toBe("cached");
    expect(view.nodes.get("a")!.fromRun).toBe("r0");
    expect(view.nodes.get("gate")!.status).toBe("waiting");
    expect(view.nodes.get("gate")!.prompt).toBe("OK?");
  });

  it("shows an agent waiting on a tool call's approval, and running again once the call has its result", () => {
    const asked = events(
      started,
      { type: "node_started", node: "ask", attempt: 1, inputs: {} },
      { type: "node_waiting", node: "ask", prompt: "`ask` wants to call `floe_run`" },
    );
    const waiting = fold(emptyRun(RUN), asked).view;
    expect(waiting.nodes.get("ask")!.status).toBe("waiting");
    const answered = fold(waiting, events({ type: "agent_tool_result", node: "ask", turn: 1, call: "c1", tool: "floe_run", ok: true, result: {} }).map((e, i) => ({ ...e, seq: asked.length + 1 + i }))).view;
    const ask = answered.nodes.get("ask")!;
    expect(ask.status).toBe("running");
    expect(ask.spans.map((s) => s.status)).toEqual(["running", "waiting", "running"]);
    expect(approvalOwner("ask/tool/1.0")).toBe("ask");
    expect(approvalOwner("map/2/review")).toBe("map/2/review");
  });
});

describe("pathOf", () => {
  it("puts the picked iteration of each container before the node id", () => {
    expect(pathOf("x", [], {})).toBe("x");
    expect(pathOf("x", ["map"], { map: 3 })).toBe("map/3/x");
    expect(pathOf("x", ["map", "inner"], { map: 2, "map/2/inner": 5 })).toBe("map/2/inner/5/x");
    expect(pathOf("x", ["map", "inner"], {})).toBe("map/0/inner/0/x");
  });
});

describe("node paths for people", () => {
  const titles: Record<string, string> = { map: "Map", summarise: "Summarise" };
  const title = (id: string) => titles[id] ?? id;
  it("use titles, and name the item a body node ran for", () => {
    expect(pathTitle("summarise", title)).toBe("Summarise");
    expect(pathTitle("map/3/summarise", title)).toBe("Summarise (Map, item 3)");
    expect(pathTitle("outer/0/map/2/untitled", title)).toBe("untitled (outer, item 0 · Map, item 2)");
  });
});

describe("links", () => {
  it("reads the run of a floe://run/<id> link and nothing else", () => {
    expect(runOfLink("floe://run/r01a23fd70a6d494926")).toBe("r01a23fd70a6d494926");
    expect(runOfLink(" floe://run/r01.tool-1/ ")).toBe("r01.tool-1");
    expect(runOfLink("floe://run/")).toBeNull();
    expect(runOfLink("floe://blueprint/x")).toBeNull();
    expect(runOfLink("https://example.com/run/r1")).toBeNull();
    expect(runOfLink("floe://run/../../etc")).toBeNull();
  });
});
