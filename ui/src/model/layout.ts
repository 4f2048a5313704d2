// Automatic layout with ELK: each graph (the top level and every container body) laid out left
// to right on its own. Loaded on first use, so ELK is not part of the start-up bundle.
import ELK from "elkjs/lib/elk.bundled.js";
import type { Canvas, CanvasNode } from "./convert";

const elk = new ELK();

/** Lays every graph out left to right; returns the canvas with new positions (all placed). */
export async function autoLayout(canvas: Canvas): Promise<Canvas> {
  const scopes = new Map<string | null, CanvasNode[]>();
  for (const node of canvas.nodes) {
    const list = scopes.get(node.data.scope) ?? [];
    list.push(node);
    scopes.set(node.data.scope, list);
  }
  const positions = new Map<string, { x: number; y: number }>();
  for (const [scope, nodes] of scopes) {
    const ids = new Set(nodes.map((n) => n.id));
    const graph = await elk.layout({
      id: scope ?? "root",
      layoutOptions: {
        "elk.algorithm": "layered",
        "elk.direction": "RIGHT",
        "elk.spacing.nodeNode": "40",
        "elk.layered.spacing.nodeNodeBetweenLayers": "80",
        ...(scope ? { "elk.padding": "[top=60,left=20,bottom=20,right=20]" } : {}),
      },
      children: nodes.map((n) => ({ id: n.id, width: n.measured?.width ?? 180, height: n.measured?.height ?? 80 })),
      edges: canvas.edges
        .filter((e) => ids.has(e.source) && ids.has(e.target))
        .map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
    });
    for (const child of graph.children ?? []) positions.set(child.id, { x: Math.round(child.x ?? 0), y: Math.round(child.y ?? 0) });
  }
  return {
    nodes: canvas.nodes.map((n) => {
      const position = positions.get(n.id);
      return position ? { ...n, position, data: { ...n.data, placed: true } } : n;
    }),
    edges: canvas.edges,
  };
}
