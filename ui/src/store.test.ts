import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeEach, describe, expect, it } from "vitest";
import type { Diagnostic } from "./generated/api";
import type { Blueprint } from "./generated/blueprint";
import type { CatalogDoc } from "./generated/catalog";
import { serialise, toBlueprint, toCanvas } from "./model/convert";
import { templateScope } from "./model/scope";
import { fieldOf, refuseConnection, useDocument } from "./store";

const examples = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../blueprints");

function load(file: string) {
  const text = readFileSync(path.join(examples, file), "utf8");
  const base = JSON.parse(text) as Blueprint;
  useDocument.setState({ path: file, base, canvas: toCanvas(base), saved: text, dirty: false, past: [], future: [], notice: null, checked: null });
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

describe("a pending draft", () => {
  beforeEach(() => load("fetch-and-summarise.json"));

  /** The example with `save` removed, `summarise` changed and `translate` added. */
  function drafted(): string {
    const doc = JSON.parse(useDocument.getState().text()) as Blueprint & { nodes: { id: string; config?: Record<string, unknown> }[] };
    doc.nodes = doc.nodes.filter((n) => n.id !== "save");
    doc.nodes = doc.nodes.map((n) => (n.id === "summarise" ? { ...n, config: { ...n.config, max_tokens: 200 } } : n));
    doc.nodes.push({ id: "translate", kind: "llm", config: { model: "default", prompt: "{{ inputs.in }}" } } as never);
    (doc as { edges: unknown[] }).edges = [{ from: "fetch.body", to: "summarise.in" }, { from: "summarise.text", to: "translate.in" }];
    return serialise(doc);
  }

  it("marks what it adds, changes and removes, keeps removed nodes out of the text, and Reject restores the document", () => {
    const original = useDocument.getState().text();
    useDocument.getState().propose(drafted());
    const state = useDocument.getState();
    expect(state.proposal).toMatchObject({ added: ["translate"], changed: ["summarise"], removed: ["save"], edited: false });
    const marks = Object.fromEntries(state.canvas.nodes.map((n) => [n.id, n.data.proposal ?? null]));
    expect(marks).toEqual({ fetch: null, summarise: "changed", translate: "added", save: "removed" });
    // Removed nodes are drawn, not written; nothing entered the history.
    expect(state.text()).not.toContain('"id": "save"');
    expect(state.past).toHaveLength(0);
    useDocument.getState().reject();
    expect(useDocument.getState().text()).toBe(original);
    expect(useDocument.getState().proposal).toBeNull();
  });

  it("Accept is one undoable step, and undo while it is pending takes the draft away", () => {
    const original = useDocument.getState().text();
    useDocument.getState().propose(drafted());
    useDocument.getState().accept();
    const accepted = useDocument.getState();
    expect(accepted.proposal).toBeNull();
    expect(accepted.canvas.nodes.some((n) => n.data.proposal)).toBe(false);
    expect(accepted.text()).toContain('"id": "translate"');
    expect(accepted.dirty).toBe(true);
    useDocument.getState().undo();
    expect(useDocument.getState().text()).toBe(original);
    useDocument.getState().propose(drafted());
    useDocument.getState().undo();
    expect(useDocument.getState().proposal).toBeNull();
    expect(useDocument.getState().text()).toBe(original);
  });
});

describe("fixes, notes and sizes", () => {
  beforeEach(() => load("map-reduce-notes.json"));

  it("finds the inspector field a problem points at", () => {
    expect(fieldOf("/nodes/2/config/prompt")).toBe("prompt");
    expect(fieldOf("/nodes/2/config/args/url")).toBe("url");
    expect(fieldOf("/nodes/1/body/nodes/0/policy/retry/attempts")).toBe("policy.retry.attempts");
    expect(fieldOf("/nodes/0/config/messages/3/content")).toBe("messages");
    expect(fieldOf("/nodes/4")).toBeNull();
    expect(fieldOf("/edges/0/to")).toBeNull();
  });

  it("applies a fix to the text it was checked from, as one step that undo takes back whole", () => {
    const original = useDocument.getState().text();
    // A fix that touches a field outside the canvas (run inputs) and one on it (an edge).
    const problem: Diagnostic = {
      code: "E0206",
      severity: "error",
      message: "m",
      help: "h",
      pointer: "/edges/0",
      fix: {
        title: "two edits",
        patch: [
          { op: "add", path: "/inputs/limit", value: { type: "integer" } as never },
          { op: "remove", path: "/edges/0" },
        ],
      },
    };
    useDocument.setState({ checked: "something else" });
    expect(useDocument.getState().applyFix(problem)).toBe(false);
    expect(useDocument.getState().notice).toMatch(/changed since it was checked/);
    useDocument.setState({ checked: original });
    expect(useDocument.getState().applyFix(problem)).toBe(true);
    const fixed = JSON.parse(useDocument.getState().text());
    expect(fixed.inputs.limit).toEqual({ type: "integer" });
    expect(fixed.edges).toHaveLength(1);
    useDocument.getState().undo();
    expect(useDocument.getState().text()).toBe(original);
    useDocument.getState().redo();
    expect(JSON.parse(useDocument.getState().text()).inputs.limit).toEqual({ type: "integer" });
  });

  it("keeps sticky notes in layout.comments, moved and edited, byte-identical when read back", () => {
    const state = useDocument.getState();
    const id = state.addComment({ x: 10, y: 20 });
    useDocument.getState().updateComment(id, { text: "Reads every note" });
    useDocument.getState().nodesChanged([{ type: "position", id: `comment:${id}`, position: { x: 50, y: 60 }, dragging: false }]);
    const text = useDocument.getState().text();
    const comments = JSON.parse(text).layout.comments;
    expect(comments).toEqual([{ id: "note", text: "Reads every note", x: 50, y: 60, width: 220, height: 120 }]);
    const base = JSON.parse(text) as Blueprint;
    expect(serialise(toBlueprint(base, toCanvas(base)))).toBe(text);
    // Three steps: add, edit, move.
    expect(useDocument.getState().past).toHaveLength(3);
  });

  it("writes a container's size once it is resized, and only then", () => {
    const before = JSON.parse(useDocument.getState().text());
    expect(before.layout.nodes.each.width).toBeUndefined();
    useDocument.getState().nodesChanged([
      { type: "dimensions", id: "each", dimensions: { width: 640, height: 400 }, resizing: false, setAttributes: true },
    ]);
    const box = JSON.parse(useDocument.getState().text()).layout.nodes.each;
    expect(box).toMatchObject({ width: 640, height: 400 });
    expect(Object.keys(box)).toEqual(["x", "y", "width", "height"]);
    // Measuring (no resize) changes nothing.
    load("map-reduce-notes.json");
    useDocument.getState().nodesChanged([{ type: "dimensions", id: "each", dimensions: { width: 10, height: 10 } }]);
    expect(useDocument.getState().dirty).toBe(false);
  });

  it("drops a palette item into a container's body", () => {
    const catalog = JSON.parse(readFileSync(path.join(examples, "../schemas/catalog.json"), "utf8")) as CatalogDoc;
    const id = useDocument.getState().addNode(catalog, "tool", "read_file", { x: 20, y: 70 }, "each");
    const document = JSON.parse(useDocument.getState().text());
    const each = document.nodes.find((n: { id: string }) => n.id === "each");
    expect(each.body.nodes.map((n: { id: string }) => n.id)).toContain(id);
    expect(document.nodes.map((n: { id: string }) => n.id)).not.toContain(id);
  });

  it("offers run inputs, visible nodes and their ports, and body variables to templates", () => {
    const catalog = JSON.parse(readFileSync(path.join(examples, "../schemas/catalog.json"), "utf8")) as CatalogDoc;
    const { canvas, base } = useDocument.getState();
    const scope = templateScope("summarise", canvas, base, catalog);
    expect(scope.variables.map((v) => v.label)).toEqual(expect.arrayContaining(["inputs", "run", "nodes", "item", "index"]));
    expect(scope.properties(["run"]).map((v) => v.label)).toEqual(["folder"]);
    expect(scope.properties(["nodes"]).map((v) => v.label)).toEqual(expect.arrayContaining(["list", "each", "read"]));
    expect(scope.properties(["nodes", "list"]).map((v) => v.label)).toContain("files");
    // A top-level node sees no loop variables.
    expect(templateScope("combine", canvas, base, catalog).variables.map((v) => v.label)).not.toContain("item");
  });
});
