// Where a node added from the palette (double-click or Enter) goes: to the right of the selected
// node, else in the middle of the view; moved down (then up) a row at a time until it overlaps no
// other box, so two additions never land on each other. And which of the selected node's outputs
// feeds it, when one fits its first input.
import type { CatalogDoc, PortDef } from "../generated/catalog";
import type { Node as BlueprintNode } from "../generated/blueprint";
import type { Box } from "./geometry";
import { portDoc } from "./ports";

/** Space kept between a new node and its neighbours. */
export const GAP = { x: 70, y: 30 };
const GRID = 10;

const snap = (v: number) => Math.round(v / GRID) * GRID;

function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.width + GAP.y && a.x + a.width + GAP.y > b.x && a.y < b.y + b.height + GAP.y && a.y + a.height + GAP.y > b.y;
}

/**
 * The top-left corner for a box of `size` among `taken` boxes: right of `anchor` when there is
 * one, else centred in `view`; the nearest row (down first) where it overlaps nothing.
 */
export function placeBox(size: { width: number; height: number }, taken: Box[], anchor: Box | null, view: Box): { x: number; y: number } {
  const start = anchor
    ? { x: snap(anchor.x + anchor.width + GAP.x), y: snap(anchor.y) }
    : { x: snap(view.x + view.width / 2 - size.width / 2), y: snap(view.y + view.height / 2 - size.height / 2) };
  const step = snap(size.height + GAP.y);
  for (let k = 0; k < 400; k += 1) {
    // 0, +1, -1, +2, -2… rows from the start.
    const rows = k === 0 ? 0 : k % 2 === 1 ? (k + 1) / 2 : -k / 2;
    const box = { x: start.x, y: start.y + rows * step, ...size };
    if (!taken.some((t) => overlaps(box, t))) return { x: box.x, y: box.y };
  }
  return start;
}

/** Whether a value of type `from` may go where `to` is expected. */
export function fits(from: PortDef["type"], to: PortDef["type"]): boolean {
  return from === "any" || to === "any" || from === to || (from === "integer" && to === "number");
}

/**
 * The output port of `source` to connect to `target`'s first input: the first whose type fits it
 * (usage figures are never a node's main output); null when none fits or `target` has no input.
 */
export function feedingPort(source: BlueprintNode, sourceOutputs: string[], target: BlueprintNode, targetInputs: string[], catalog: CatalogDoc | null): { from: string; to: string } | null {
  const to = targetInputs[0];
  if (!to) return null;
  const wanted = portDoc(target, catalog, "input", to)?.type ?? "any";
  for (const from of sourceOutputs) {
    if (from === "usage") continue;
    const type = portDoc(source, catalog, "output", from)?.type ?? "any";
    if (fits(type, wanted)) return { from, to };
  }
  return null;
}

/** `to` (a path in the folder) as written in a file at `from`: relative to that file's folder, as sub-workflow references are. */
export function relativeTo(from: string, to: string): string {
  const base = from.split("/").slice(0, -1);
  const target = to.split("/");
  let common = 0;
  while (common < base.length && common < target.length - 1 && base[common] === target[common]) common += 1;
  return [...base.slice(common).map(() => ".."), ...target.slice(common)].join("/");
}
