// Node boxes in flow coordinates, for everything that needs them without React Flow's DOM: the
// overview drawn when zoomed far out (nodes are not in the DOM then), the minimap, zoom to fit,
// automatic layout, and sizing containers around their bodies.
import { getViewportForBounds, type Node, type Viewport } from "@xyflow/react";

/** A node's box before React Flow has measured it. */
export const NODE_SIZE = { width: 220, height: 94 };

/**
 * A node box from the top: its header (icon, title, kind), one line of summary, then a row per
 * port. Port handles sit on the rows' centres: the first PORT_TOP below the top edge, then every
 * PORT_STEP. components/FloeNode.tsx draws to these numbers.
 */
export const NODE_HEADER = 42;
export const NODE_SUMMARY = 22;
export const PORT_STEP = 20;
export const PORT_TOP = NODE_HEADER + NODE_SUMMARY + 2 + PORT_STEP / 2;

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A node's size: measured, else set (containers, notes), else the default. */
export function nodeSize(node: Pick<Node, "measured" | "width" | "height">): { width: number; height: number } {
  return {
    width: node.measured?.width ?? node.width ?? NODE_SIZE.width,
    height: node.measured?.height ?? node.height ?? NODE_SIZE.height,
  };
}

/** Every node's box in flow coordinates (a body node's position is relative to its container). */
export function absoluteBoxes(nodes: readonly Node[]): Map<string, Box> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const boxes = new Map<string, Box>();
  const boxOf = (node: Node): Box => {
    const known = boxes.get(node.id);
    if (known) return known;
    // Containers come before their bodies in React Flow's list, so this rarely goes deeper than one step.
    const parent = node.parentId ? byId.get(node.parentId) : undefined;
    const origin = parent ? boxOf(parent) : { x: 0, y: 0 };
    const box = { x: origin.x + node.position.x, y: origin.y + node.position.y, ...nodeSize(node) };
    boxes.set(node.id, box);
    return box;
  };
  for (const node of nodes) boxOf(node);
  return boxes;
}

/** The smallest box around `boxes`, or null when there are none. */
export function boundsOf(boxes: Iterable<Box>): Box | null {
  let left = Number.POSITIVE_INFINITY;
  let top = Number.POSITIVE_INFINITY;
  let right = Number.NEGATIVE_INFINITY;
  let bottom = Number.NEGATIVE_INFINITY;
  for (const b of boxes) {
    left = Math.min(left, b.x);
    top = Math.min(top, b.y);
    right = Math.max(right, b.x + b.width);
    bottom = Math.max(bottom, b.y + b.height);
  }
  return left === Number.POSITIVE_INFINITY ? null : { x: left, y: top, width: right - left, height: bottom - top };
}

/** The lowest zoom the canvas allows. */
export const MIN_ZOOM = 0.05;

/** The viewport that shows `bounds` in a pane of `width` × `height`, never closer than 100 %. */
export function fitViewport(bounds: Box | null, width: number, height: number): Viewport {
  if (!bounds || width <= 0 || height <= 0) return { x: 0, y: 0, zoom: 1 };
  return getViewportForBounds(bounds, width, height, MIN_ZOOM, 1, 0.1);
}

/** Every node box (but containers, which are sized by their bodies) is this wide; long titles are cut. */
export const NODE_WIDTH = 220;

/** A node box's height for its rows of ports: the header and summary, a row per port, a margin. */
export function nodeHeight(rows: number): number {
  return PORT_TOP + (Math.max(rows, 1) - 1) * PORT_STEP + PORT_STEP / 2 + 8;
}
