import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Blueprint } from "../generated/blueprint";
import { serialise, toBlueprint, toCanvas } from "./convert";

const examples = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../blueprints");
const files = readdirSync(examples).filter((f) => f.endsWith(".json"));

describe("blueprint ⇄ canvas", () => {
  it("finds the examples", () => {
    expect(files.length).toBeGreaterThanOrEqual(14);
  });

  it.each(files)("%s round-trips byte for byte", (file) => {
    const text = readFileSync(path.join(examples, file), "utf8");
    const blueprint = JSON.parse(text) as Blueprint;
    const canvas = toCanvas(blueprint);
    expect(serialise(toBlueprint(blueprint, canvas))).toBe(text);
  });

  it("puts body nodes inside their container and body edges in the body", () => {
    const blueprint = JSON.parse(readFileSync(path.join(examples, "map-reduce-notes.json"), "utf8")) as Blueprint;
    const canvas = toCanvas(blueprint);
    const summarise = canvas.nodes.find((n) => n.id === "summarise");
    expect(summarise?.parentId).toBe("each");
    const inner = canvas.edges.find((e) => e.target === "summarise");
    expect(inner?.data.scope).toBe("each");
  });

  it("writes a moved node's position and a new edge, leaving the rest alone", () => {
    const blueprint = JSON.parse(readFileSync(path.join(examples, "summarise-text.json"), "utf8")) as Blueprint;
    const canvas = toCanvas(blueprint);
    const node = canvas.nodes[0];
    node.position = { x: 40, y: 80 };
    node.data.placed = true;
    canvas.edges.push({ id: "x", source: node.id, sourceHandle: "text", target: node.id, targetHandle: null, data: { scope: null } });
    const result = toBlueprint(blueprint, canvas);
    expect(result.layout?.nodes?.[node.id]).toMatchObject({ x: 40, y: 80 });
    expect(result.edges).toContainEqual({ from: `${node.id}.text`, to: node.id });
    expect(result.nodes).toEqual(blueprint.nodes);
  });
});
