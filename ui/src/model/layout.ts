// Automatic layout with ELK: each graph (the top level and every container body) laid out left
// to right on its own, innermost bodies first so a container is sized around its arranged body
// before its own graph is arranged. Loaded on first use, so ELK is not in the start-up bundle.
import ELK from "elkjs/lib/elk.bundled.js";
import type { Canvas, CanvasNode } from "./convert";
import { NODE_SIZE, nodeSize } from "./geometry";

const elk = new ELK();
/** Room inside a container box: its title above the body, a margin around it. */
const PAD = { top: 60, side: 30 };

/** Lays every graph out left to right; returns the canvas with new positions (all placed). `sizeOf` gives a node's box. */
export async function autoLayout(canvas: Canvas, sizeOf: (node: CanvasNode) => { width: number; height: number } = nodeSize): Promise<Canvas> {
  // Containers are sized around their arranged bodies again (a size set by resizing is dropped).
  const nodes = canvas.nodes.map((n) => ({ ...n, data: { ...n.data, placed: true, sized: false } }));
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const depth = (scope: string | null) => {
    let d = 0;
    for (let s = scope; s; s = byId.get(s)?.data.scope ?? null) d += 1;
    return d;
  };
  const scopes = [...new Set(nodes.map((n) => n.data.scope))].sort((a, b) => depth(b) - depth(a));
  for (const scope of scopes) {
    const members = nodes.filter((n) => n.data.scope === scope);
    const ids = new Set(members.map((n) => n.id));
    const graph = await elk.layout({
      id: scope ?? "root",
      layoutOptions: {
        "elk.algorithm": "layered",
        "elk.direction": "RIGHT",
        "elk.spacing.nodeNode": "40",
        "elk.layered.spacing.nodeNodeBetweenLayers": "80",
      },
      children: members.map((n) => ({ id: n.id, ...sizeOf(n) })),
      edges: canvas.edges
        .filter((e) => ids.has(e.source) && ids.has(e.target))
        .map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
    });
    const offset = scope ? { x: PAD.side, y: PAD.top } : { x: 0, y: 0 };
    for (const child of graph.children ?? []) {
      const node = byId.get(child.id)!;
      node.position = { x: Math.round((child.x ?? 0) + offset.x), y: Math.round((child.y ?? 0) + offset.y) };
    }
    if (scope) {
      const placed = graph.children ?? [];
      const right = Math.max(0, ...placed.map((c) => (c.x ?? 0) + (c.width ?? NODE_SIZE.width)));
      const bottom = Math.max(0, ...placed.map((c) => (c.y ?? 0) + (c.height ?? NODE_SIZE.height)));
      const container = byId.get(scope)!;
      container.width = Math.round(right + 2 * PAD.side);
      container.height = Math.round(bottom + PAD.top + PAD.side);
    }
  }
  return { ...canvas, nodes };
}
