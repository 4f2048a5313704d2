import { describe, expect, it } from "vitest";
import catalogJson from "../../../schemas/catalog.json";
import type { Node as BlueprintNode } from "../generated/blueprint";
import type { CatalogDoc } from "../generated/catalog";
import type { Box } from "./geometry";
import { feedingPort, fits, GAP, placeBox, relativeTo } from "./place";

const catalog = catalogJson as unknown as CatalogDoc;
const size = { width: 220, height: 94 };
const view: Box = { x: 0, y: 0, width: 1000, height: 600 };
const apart = (a: Box, b: Box) => a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;

describe("placing a palette item", () => {
  it("goes right of the anchor, at its height, when that is free", () => {
    const anchor = { x: 100, y: 200, ...size };
    expect(placeBox(size, [anchor], anchor, view)).toEqual({ x: 100 + 220 + GAP.x, y: 200 });
  });

  it("goes to the middle of the view without an anchor", () => {
    expect(placeBox(size, [], null, view)).toEqual({ x: 390, y: 250 });
  });

  it("never lands on another box: ten additions in a row are all apart", () => {
    const taken: Box[] = [{ x: 380, y: 240, ...size }];
    for (let i = 0; i < 10; i += 1) {
      const at = placeBox(size, taken, null, view);
      const box = { ...at, ...size };
      for (const other of taken) expect(apart(box, other)).toBe(true);
      taken.push(box);
    }
  });
});

describe("connecting a placed node", () => {
  const node = (id: string, kind: string, tool?: string) => ({ id, kind, config: tool ? { tool } : {} }) as BlueprintNode;

  it("feeds the first fitting output into the first input, never usage", () => {
    expect(feedingPort(node("a", "llm"), ["usage", "text"], node("b", "tool", "write_file"), ["in"], catalog)).toEqual({ from: "text", to: "in" });
  });

  it("does not connect a node that takes no input", () => {
    expect(feedingPort(node("a", "llm"), ["text"], node("b", "tool", "read_file"), [], catalog)).toBeNull();
  });

  it("checks types: integers go where numbers are wanted, not the other way round", () => {
    expect(fits("integer", "number")).toBe(true);
    expect(fits("number", "integer")).toBe(false);
    expect(fits("string", "array")).toBe(false);
    expect(fits("any", "array")).toBe(true);
  });
});

describe("a sub-workflow's reference", () => {
  it("is relative to the calling file's folder", () => {
    expect(relativeTo("a.json", "b.json")).toBe("b.json");
    expect(relativeTo("made/a.json", "b.json")).toBe("../b.json");
    expect(relativeTo("made/a.json", "made/b.json")).toBe("b.json");
    expect(relativeTo("x/y/a.json", "x/z/b.json")).toBe("../z/b.json");
  });
});
