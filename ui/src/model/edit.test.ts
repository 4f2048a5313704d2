import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Blueprint } from "../generated/blueprint";
import { toBlueprint, toCanvas } from "./convert";
import { copySelection, paste } from "./edit";
import { autoLayout } from "./layout";

const examples = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../blueprints");
const read = (file: string) => JSON.parse(readFileSync(path.join(examples, file), "utf8")) as Blueprint;

describe("copy, paste, duplicate", () => {
  it("copies a container with its body and the edges among the copied nodes, under fresh ids", () => {
    const blueprint = read("map-reduce-notes.json");
    const canvas = toCanvas(blueprint);
    for (const node of canvas.nodes) node.selected = node.id === "each" || node.id === "list";
    const clip = copySelection(canvas)!;
    expect(clip.nodes.map((n) => n.id).sort()).toEqual(["each", "list", "read", "summarise"]);
    const pasted = paste(canvas, clip);
    const result = toBlueprint(blueprint, pasted);
    const ids = result.nodes!.map((n) => n.id);
    expect(ids).toEqual(["combine", "each", "list", "each_2", "list_2"]);
    expect(result.edges).toContainEqual({ from: "list_2.files", to: "each_2.items" });
    expect(result.edges).not.toContainEqual({ from: "each_2.results", to: "combine.in" });
    const body = (result.nodes!.find((n) => n.id === "each_2") as { body: { nodes: { id: string }[]; edges: unknown[] } }).body;
    expect(body.nodes.map((n) => n.id)).toEqual(["read_2", "summarise_2"]);
    expect(body.edges).toEqual([{ from: "read_2.text", to: "summarise_2.in" }]);
    // Pasting again picks the next free ids.
    const again = paste(pasted, clip);
    expect(again.nodes.some((n) => n.id === "each_3")).toBe(true);
  });

  it("has nothing to copy without a selection", () => {
    expect(copySelection(toCanvas(read("summarise-text.json")))).toBeNull();
  });
});

describe("auto-layout", () => {
  it("places every node left to right by data flow, bodies laid out inside their container", async () => {
    const blueprint = read("csv-report.json");
    const laid = await autoLayout(toCanvas(blueprint));
    const x = (id: string) => laid.nodes.find((n) => n.id === id)!.position.x;
    expect(x("load")).toBeLessThan(x("changes"));
    expect(x("changes")).toBeLessThan(x("commentary"));
    expect(x("commentary")).toBeLessThan(x("report"));
    expect(laid.nodes.every((n) => n.data.placed)).toBe(true);
    const written = toBlueprint(blueprint, laid);
    expect(Object.keys(written.layout?.nodes ?? {}).sort()).toEqual(["changes", "commentary", "load", "report", "table"]);
  });
});
