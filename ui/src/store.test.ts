import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeEach, describe, expect, it } from "vitest";
import type { Blueprint } from "./generated/blueprint";
import { serialise, toCanvas } from "./model/convert";
import { refuseConnection, useDocument } from "./store";

const examples = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../blueprints");

function load(file: string) {
  const text = readFileSync(path.join(examples, file), "utf8");
  const base = JSON.parse(text) as Blueprint;
  useDocument.setState({ path: file, base, canvas: toCanvas(base), saved: text, dirty: false, past: [], future: [], notice: null });
  return text;
}

describe("document store", () => {
  beforeEach(() => load("map-reduce-notes.json"));

  it("refuses connections that cannot be edges, saying why", () => {
    const canvas = useDocument.getState().canvas;
    expect(refuseConnection(canvas, { source: "list", target: "list", sourceHandle: "files", targetHandle: "in" })).toMatch(/cannot feed itself/);
    expect(refuseConnection(canvas, { source: "list", target: "summarise", sourceHandle: "files", targetHandle: "in" })).toMatch(/same container/);
    expect(refuseConnection(canvas, { source: "list", target: "each", sourceHandle: "files", targetHandle: "items" })).toMatch(/already connected/);
    expect(refuseConnection(canvas, { source: "list", target: "combine", sourceHandle: "files", targetHandle: "extra" })).toBeNull();
  });

  it("makes each connection and removal one undoable step, and undo restores the exact text", async () => {
    const original = useDocument.getState().text();
    useDocument.getState().connect({ source: "each", target: "combine", sourceHandle: "results", targetHandle: "extra" });
    expect(useDocument.getState().dirty).toBe(true);
    expect(useDocument.getState().text()).toContain('"to": "combine.extra"');
    await Promise.resolve();
    // The canvas removes a node's edges and the node in two calls: one step.
    useDocument.getState().edgesChanged([{ type: "remove", id: "each.results->combine.in" }]);
    useDocument.getState().nodesChanged([{ type: "remove", id: "combine" }]);
    expect(useDocument.getState().past).toHaveLength(2);
    expect(useDocument.getState().canvas.nodes.some((n) => n.id === "combine")).toBe(false);
    expect(useDocument.getState().canvas.edges.some((e) => e.target === "combine")).toBe(false);
    useDocument.getState().undo();
    expect(useDocument.getState().text()).toContain('"to": "combine.in"');
    useDocument.getState().undo();
    expect(useDocument.getState().text()).toBe(original);
    useDocument.getState().redo();
    expect(useDocument.getState().text()).toContain('"to": "combine.extra"');
  });

  it("a refused connection changes nothing and leaves a notice", () => {
    const before = useDocument.getState().canvas;
    useDocument.getState().connect({ source: "list", target: "summarise", sourceHandle: "files", targetHandle: "in" });
    expect(useDocument.getState().canvas).toBe(before);
    expect(useDocument.getState().notice).toMatch(/same container/);
  });

  it("moving a node writes its position once the drag ends", () => {
    const text = load("summarise-text.json");
    const id = useDocument.getState().canvas.nodes[0].id;
    useDocument.getState().nodesChanged([{ type: "position", id, position: { x: 300, y: 40 }, dragging: false }]);
    const moved = useDocument.getState().text();
    expect(moved).not.toBe(text);
    expect(JSON.parse(moved).layout.nodes[id]).toMatchObject({ x: 300, y: 40 });
    expect(useDocument.getState().past).toHaveLength(1);
    expect(serialise(JSON.parse(text))).toBe(text);
  });
});
