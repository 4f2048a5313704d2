// Canvas edits that are more than one change: copy / paste / duplicate (fresh ids, edges among
// the copied nodes kept).
import type { Canvas, CanvasEdge, CanvasNode } from "./convert";
import { edgeId } from "./convert";

/** What Ctrl+C keeps: nodes and the edges between them. */
export interface Clip {
  nodes: CanvasNode[];
  edges: CanvasEdge[];
}

/** The selected nodes (with their body nodes) and the edges among them. */
export function copySelection(canvas: Canvas): Clip | null {
  const chosen = new Set(canvas.nodes.filter((n) => n.selected).map((n) => n.id));
  if (chosen.size === 0) return null;
  // A container brings its body along (work list over scopes).
  let grew = true;
  while (grew) {
    grew = false;
    for (const node of canvas.nodes) {
      if (node.data.scope && chosen.has(node.data.scope) && !chosen.has(node.id)) {
        chosen.add(node.id);
        grew = true;
      }
    }
  }
  return {
    nodes: canvas.nodes.filter((n) => chosen.has(n.id)).map((n) => structuredClone({ ...n, selected: false })),
    edges: canvas.edges.filter((e) => chosen.has(e.source) && chosen.has(e.target)).map((e) => structuredClone(e)),
  };
}

/** The canvas with `clip` added under fresh ids, offset, and selected. */
export function paste(canvas: Canvas, clip: Clip, offset = 40): Canvas {
  const taken = new Set(canvas.nodes.map((n) => n.id));
  const renamed = new Map<string, string>();
  for (const node of clip.nodes) {
    const stem = node.id.replace(/_\d+$/, "");
    let id = `${stem}_2`;
    for (let n = 3; taken.has(id); n += 1) id = `${stem}_${n}`;
    taken.add(id);
    renamed.set(node.id, id);
  }
  const inClip = (scope: string | null) => scope !== null && renamed.has(scope);
  const nodes = clip.nodes.map((node): CanvasNode => {
    const id = renamed.get(node.id)!;
    const scope = node.data.scope && inClip(node.data.scope) ? renamed.get(node.data.scope)! : node.data.scope;
    // Top nodes of the clip move by the offset; body nodes keep their place in their container.
    const shift = inClip(node.data.scope) ? 0 : offset;
    return {
      ...node,
      id,
      selected: !inClip(node.data.scope),
      position: { x: node.position.x + shift, y: node.position.y + shift },
      ...(scope ? { parentId: scope } : {}),
      data: { ...node.data, node: { ...node.data.node, id }, scope, placed: true },
    };
  });
  const edges = clip.edges.map((edge): CanvasEdge => {
    const source = renamed.get(edge.source)!;
    const target = renamed.get(edge.target)!;
    const scope = edge.data.scope && renamed.has(edge.data.scope) ? renamed.get(edge.data.scope)! : edge.data.scope;
    return {
      ...edge,
      id: edgeId(`${source}.${edge.sourceHandle}`, edge.targetHandle ? `${target}.${edge.targetHandle}` : target),
      source,
      target,
      data: { scope },
    };
  });
  return {
    nodes: [...canvas.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), ...nodes],
    edges: [...canvas.edges, ...edges],
    comments: canvas.comments,
  };
}
