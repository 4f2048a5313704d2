import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { buildScene, nodeAt } from "../components/Overview";
import type { Blueprint } from "../generated/blueprint";
import { toCanvas } from "./convert";
import { absoluteBoxes, fitViewport, NODE_WIDTH, nodeHeight } from "./geometry";
import { hidden, markCycles, sizedCanvas } from "./view";

const examples = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../blueprints");
const canvasOf = (file: string) => toCanvas(JSON.parse(readFileSync(path.join(examples, file), "utf8")) as Blueprint);

describe("node boxes without the DOM", () => {
  it("sizes every node but containers before it is rendered, and reuses unchanged nodes", () => {
    const canvas = canvasOf("map-reduce-notes.json");
    const sized = sizedCanvas(canvas, null);
    const list = sized.nodes.find((n) => n.id === "list")!;
    expect(list.width).toBe(NODE_WIDTH);
    // Without a catalogue a tool shows its `in` port and the ports its edges use: one row.
    expect(list.height).toBe(nodeHeight(1));
    expect(list.measured).toEqual({ width: list.width, height: list.height });
    const each = sized.nodes.find((n) => n.id === "each")!;
    expect(each).toBe(canvas.nodes.find((n) => n.id === "each"));
    // Moving one node: only that node is a new object for React Flow.
    const moved = { ...canvas, nodes: canvas.nodes.map((n) => (n.id === "list" ? { ...n, position: { x: 0, y: 0 } } : n)) };
    const again = sizedCanvas(moved, null);
    expect(again.nodes.find((n) => n.id === "combine")).toBe(sized.nodes.find((n) => n.id === "combine"));
    expect(again.nodes.find((n) => n.id === "list")).not.toBe(list);
    // Hidden copies are reused too.
    expect(hidden(sized.nodes)[0]).toBe(hidden(sized.nodes)[0]);
    expect(hidden(sized.nodes).every((n) => n.hidden)).toBe(true);
  });

  it("places body nodes inside their container", () => {
    const boxes = absoluteBoxes(sizedCanvas(canvasOf("map-reduce-notes.json"), null).nodes);
    const each = boxes.get("each")!;
    const summarise = boxes.get("summarise")!;
    // Layout: each at (292, 12), summarise at (322, 72) inside it.
    expect(summarise.x).toBe(each.x + 322);
    expect(summarise.y).toBe(each.y + 72);
  });

  it("finds the node under a point, a body node before its container", () => {
    const scene = buildScene(sizedCanvas(canvasOf("map-reduce-notes.json"), null), null);
    const at = (id: string, dx = 5, dy = 5) => {
      const box = scene.boxes.get(id)!;
      return nodeAt(scene, { x: box.x + dx, y: box.y + dy });
    };
    expect(at("summarise")).toBe("summarise");
    expect(at("each")).toBe("each");
    expect(at("list")).toBe("list");
    expect(nodeAt(scene, { x: -5000, y: -5000 })).toBeNull();
  });

  it("fits a graph in a pane, never closer than 100 %", () => {
    const small = fitViewport({ x: 0, y: 0, width: 100, height: 50 }, 1000, 800);
    expect(small.zoom).toBe(1);
    const large = fitViewport({ x: 0, y: 0, width: 10_000, height: 1000 }, 1000, 800);
    expect(large.zoom).toBeLessThan(0.1);
    // Centred: the graph's middle is the pane's middle.
    expect(large.x + 5000 * large.zoom).toBeCloseTo(500, 0);
  });
});

describe("edges of a cycle", () => {
  const edge = (source: string, target: string) => ({ id: `${source}->${target}`, source, sourceHandle: "out", target, targetHandle: "in", data: { scope: null } });
  it("are marked, and only they", () => {
    const edges = [edge("a", "b"), edge("b", "c"), edge("c", "a"), edge("c", "d"), edge("d", "e")];
    const marked = markCycles(edges);
    expect(marked.filter((e) => e.className === "cycle").map((e) => e.id)).toEqual(["a->b", "b->c", "c->a"]);
    expect(marked[3]).toBe(edges[3]);
  });
  it("leave an acyclic list as it is", () => {
    const edges = [edge("a", "b"), edge("a", "c"), edge("b", "c")];
    expect(markCycles(edges)).toBe(edges);
  });
});
