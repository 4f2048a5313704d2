// What React Flow is given for a document. Each node box has a known size — a fixed width and a
// height set by its rows of ports — so React Flow lays it out and draws its edges without waiting
// to measure it, the overview and the minimap draw nodes that were never rendered at their true
// size, and showing hundreds of nodes at once costs one render, not two (a measurement otherwise
// comes back as a change to every node). Node objects are reused while the document's node is
// unchanged, so React Flow re-processes only the nodes that changed (one per frame while dragging).
import type { CatalogDoc } from "../generated/catalog";
import type { Canvas, CanvasComment, CanvasEdge, CanvasNode } from "./convert";
import { NODE_WIDTH, nodeHeight, nodeSize } from "./geometry";
import { portsOf } from "./ports";

type RowsKey = { edges: CanvasEdge[]; catalog: CatalogDoc | null; rows: number };
const rowsCache = new WeakMap<object, RowsKey>();

/** How many rows of ports a node shows (the more of its inputs and outputs). */
export function nodeRows(node: CanvasNode, catalog: CatalogDoc | null, edges: CanvasEdge[]): number {
  const known = rowsCache.get(node.data.node);
  if (known && known.edges === edges && known.catalog === catalog) return known.rows;
  const { inputs, outputs } = portsOf(node.data.node, catalog, { edges });
  const rows = Math.max(inputs.length, outputs.length, 1);
  rowsCache.set(node.data.node, { edges, catalog, rows });
  return rows;
}

/** A node's box size: containers keep theirs (set or measured); other nodes are sized by their ports. */
export function boxSize(node: CanvasNode, catalog: CatalogDoc | null, edges: CanvasEdge[]): { width: number; height: number } {
  return node.data.container ? nodeSize(node) : { width: NODE_WIDTH, height: nodeHeight(nodeRows(node, catalog, edges)) };
}

const sizedCache = new WeakMap<CanvasNode, { width: number; height: number; view: CanvasNode }>();

/** The canvas with every node's box size set (containers and notes already carry theirs). */
export function sizedCanvas(canvas: Canvas, catalog: CatalogDoc | null): Canvas {
  const nodes = canvas.nodes.map((node) => {
    if (node.data.container) return node;
    const { width, height } = boxSize(node, catalog, canvas.edges);
    const known = sizedCache.get(node);
    if (known && known.width === width && known.height === height) return known.view;
    const view = { ...node, width, height, measured: { width, height } };
    sizedCache.set(node, { width, height, view });
    return view;
  });
  return { ...canvas, nodes };
}

const hiddenCache = new WeakMap<object, object>();

/** The same nodes or edges, hidden (the overview draws them), reusing the hidden copies. */
export function hidden<T extends CanvasNode | CanvasComment | CanvasEdge>(items: T[]): T[] {
  return items.map((item) => {
    let copy = hiddenCache.get(item) as T | undefined;
    if (!copy) {
      copy = { ...item, hidden: true };
      hiddenCache.set(item, copy);
    }
    return copy;
  });
}

const cycleCache = new WeakMap<CanvasEdge[], CanvasEdge[]>();

/**
 * The edges, with those that close a cycle marked: drawn by components/CycleEdge.tsx (a plain
 * curve from a node back to one before it runs behind the nodes, out of sight) in the error colour,
 * so a person can see and select them. A cycle is a strongly connected set of nodes (Tarjan's
 * algorithm, iterative); the compiler says why it is refused.
 */
export function markCycles(edges: CanvasEdge[]): CanvasEdge[] {
  const known = cycleCache.get(edges);
  if (known) return known;
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.source, [...(next.get(e.source) ?? []), e.target]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const component = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  let counter = 0;
  let components = 0;
  for (const root of next.keys()) {
    if (index.has(root)) continue;
    const work: { node: string; child: number }[] = [{ node: root, child: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const children = next.get(frame.node) ?? [];
      if (frame.child < children.length) {
        const child = children[frame.child++];
        if (!index.has(child)) {
          index.set(child, counter);
          low.set(child, counter++);
          stack.push(child);
          onStack.add(child);
          work.push({ node: child, child: 0 });
        } else if (onStack.has(child)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(child)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.node)!));
      }
      if (low.get(frame.node) === index.get(frame.node)) {
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.set(member, components);
        } while (member !== frame.node);
        components += 1;
      }
    }
  }
  const marked = edges.map((e) =>
    e.source !== e.target && component.get(e.source) === component.get(e.target) && component.has(e.source)
      ? { ...e, type: "cycle", className: "cycle" }
      : e,
  );
  const result = marked.some((e, i) => e !== edges[i]) ? marked : edges;
  cycleCache.set(edges, result);
  return result;
}
