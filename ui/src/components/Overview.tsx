// Large graphs, zoomed out: the canvas draws nodes and edges on one <canvas> instead of the DOM.
//
// Measured in Chromium (scripts/bench-canvas.mjs), a panning frame over 1,000 DOM nodes costs
// ~40 ms in the browser's layerization (one paint chunk per positioned element), even when the
// nodes are invisible; with the nodes out of the DOM the same pan runs at the display's rate.
// So below FAR_ZOOM — where titles are a few pixels high and handles cannot be aimed at — React
// Flow's nodes and edges are hidden and this overview draws them, culled to the view; a click
// selects the node under it. The minimap is drawn the same way (React Flow's own minimap shows
// only nodes that have been rendered and measured, and redraws every node on each change).
import { Panel, type ReactFlowState, useReactFlow, useStoreApi } from "@xyflow/react";
import { type PointerEvent, useCallback, useEffect, useMemo, useRef } from "react";
import type { CatalogDoc } from "../generated/catalog";
import type { Check } from "../generated/api";
import type { Canvas } from "../model/convert";
import type { NodeStatus } from "../model/run";
import { absoluteBoxes, type Box, boundsOf, fitViewport, PORT_STEP, PORT_TOP } from "../model/geometry";
import { portsOf } from "../model/ports";
import { sizedCanvas } from "../model/view";
import { useCatalog, useDocument } from "../store";

/** Below this zoom the graph is drawn as an overview (text under ~7 px, handles under ~4 px)… */
export const FAR_ZOOM = 0.5;
/** …when it has at least this many nodes and notes; smaller graphs cost little in the DOM at any zoom. */
export const OVERVIEW_NODES = 150;
/** Titles are drawn from this zoom up (below it they would be under 4 px high). */
const TITLE_ZOOM = 0.2;
const TITLE_FONT = "600 20px system-ui, sans-serif";

type Look = "node" | "container" | "note";

export interface SceneNode extends Box {
  id: string;
  title: string;
  look: Look;
  selected: boolean;
  errors: boolean;
}

/** What the overview and the minimap draw: every node's box in flow coordinates, notes and containers first. */
export interface Scene {
  nodes: SceneNode[];
  boxes: Map<string, Box>;
  bounds: Box | null;
}

const LOOK_ORDER: Record<Look, number> = { note: 0, container: 1, node: 2 };

export function buildScene(canvas: Canvas, check: Check | null): Scene {
  const all = [...canvas.comments, ...canvas.nodes];
  const boxes = absoluteBoxes(all);
  const failing = new Set(check?.diagnostics.filter((d) => d.severity === "error" && d.node).map((d) => d.node));
  const nodes: SceneNode[] = [];
  for (const note of canvas.comments) {
    nodes.push({ ...boxes.get(note.id)!, id: note.id, title: "", look: "note", selected: !!note.selected, errors: false });
  }
  for (const n of canvas.nodes) {
    const look: Look = n.data.container ? "container" : "node";
    nodes.push({ ...boxes.get(n.id)!, id: n.id, title: n.data.node.title || n.id, look, selected: !!n.selected, errors: failing.has(n.id) });
  }
  // Stable sort: within a look, canvas order (containers before their bodies).
  nodes.sort((a, b) => LOOK_ORDER[a.look] - LOOK_ORDER[b.look]);
  return { nodes, boxes, bounds: boundsOf(boxes.values()) };
}

/** The topmost node (not note) under a flow point: a body node before its container. */
export function nodeAt(scene: Scene, point: { x: number; y: number }): string | null {
  for (let i = scene.nodes.length - 1; i >= 0; i -= 1) {
    const n = scene.nodes[i];
    if (n.look !== "note" && point.x >= n.x && point.x <= n.x + n.width && point.y >= n.y && point.y <= n.y + n.height) return n.id;
  }
  return null;
}

interface Colors {
  panel: string;
  border: string;
  accent: string;
  error: string;
  muted: string;
  text: string;
}

/** The theme's colours (read once per mount: reading computed style forces a style pass). */
function colorsOf(element: Element): Colors {
  const style = getComputedStyle(element);
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    panel: read("--panel", "#fff"),
    border: read("--border", "#dfe1e6"),
    accent: read("--accent", "#2f6fed"),
    error: read("--error", "#d33"),
    muted: read("--muted", "#6b7280"),
    text: read("--text", "#1d1f24"),
  };
}

/** Sizes a canvas's backing store to its CSS box at the screen's pixel ratio; returns the ratio. */
function fit(canvas: HTMLCanvasElement, width: number, height: number): number {
  const ratio = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(width * ratio));
  const h = Math.max(1, Math.round(height * ratio));
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  return ratio;
}

/** A canvas's 2D context, its backing store sized to `width` × `height` and cleared; null before it is mounted. */
function cleared(element: HTMLCanvasElement | null, width: number, height: number) {
  const ctx = element?.getContext("2d");
  if (!element || !ctx) return null;
  const ratio = fit(element, width, height);
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, element.width, element.height);
  return { element, ctx, ratio };
}

/** Boxes in one path per style: a fill and a stroke per look rather than per node. */
function drawBoxes(ctx: CanvasRenderingContext2D, nodes: SceneNode[], colors: Colors, lineWidth: number, visible: (b: Box) => boolean) {
  const paths = {
    note: new Path2D(),
    container: new Path2D(),
    node: new Path2D(),
    selected: new Path2D(),
    errors: new Path2D(),
  };
  for (const n of nodes) {
    if (!visible(n)) continue;
    paths[n.look].rect(n.x, n.y, n.width, n.height);
    if (n.errors) paths.errors.rect(n.x, n.y, n.width, n.height);
    if (n.selected) paths.selected.rect(n.x, n.y, n.width, n.height);
  }
  ctx.lineWidth = lineWidth;
  ctx.fillStyle = "#fff4b3";
  ctx.fill(paths.note);
  ctx.fillStyle = colors.panel;
  ctx.fill(paths.container);
  ctx.strokeStyle = colors.border;
  ctx.setLineDash([4 * lineWidth, 3 * lineWidth]);
  ctx.stroke(paths.container);
  ctx.setLineDash([]);
  ctx.fill(paths.node);
  ctx.stroke(paths.node);
  ctx.lineWidth = 2 * lineWidth;
  ctx.strokeStyle = colors.error;
  ctx.stroke(paths.errors);
  ctx.strokeStyle = colors.accent;
  ctx.stroke(paths.selected);
}

/** Each edge as source x, y, target x, y (flow coordinates), where its handles are on the nodes. */
function edgeEnds(canvas: Canvas, scene: Scene, catalog: CatalogDoc | null): Float64Array {
  const byId = new Map(canvas.nodes.map((n) => [n.id, n]));
  const ports = new Map<string, ReturnType<typeof portsOf>>();
  const portsFor = (id: string) => {
    let p = ports.get(id);
    if (!p) {
      const node = byId.get(id);
      p = node ? portsOf(node.data.node, catalog, canvas) : { inputs: [], outputs: [] };
      ports.set(id, p);
    }
    return p;
  };
  const handleY = (box: Box, index: number) => (index < 0 ? box.y + box.height / 2 : box.y + PORT_TOP + index * PORT_STEP);
  const ends = new Float64Array(canvas.edges.length * 4);
  canvas.edges.forEach((edge, i) => {
    const s = scene.boxes.get(edge.source);
    const t = scene.boxes.get(edge.target);
    if (!s || !t) return;
    ends[i * 4] = s.x + s.width;
    ends[i * 4 + 1] = handleY(s, portsFor(edge.source).outputs.indexOf(edge.sourceHandle));
    ends[i * 4 + 2] = t.x;
    ends[i * 4 + 3] = handleY(t, edge.targetHandle === null ? -1 : portsFor(edge.target).inputs.indexOf(edge.targetHandle));
  });
  return ends;
}

/** Calls `draw` once per animation frame at most, whenever the viewport or the pane's size changes. */
function useViewportDraw(draw: (state: ReactFlowState) => void) {
  const store = useStoreApi();
  useEffect(() => {
    let frame = 0;
    const schedule = () => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        draw(store.getState());
      });
    };
    schedule();
    const unsubscribe = store.subscribe((s, prev) => {
      if (s.transform !== prev.transform || s.width !== prev.width || s.height !== prev.height) schedule();
    });
    return () => {
      unsubscribe();
      cancelAnimationFrame(frame);
    };
  }, [store, draw]);
}

/** The far-zoom renderer: nodes, notes, containers and edges drawn under the pane, culled to the view. */
/** Run-state colours for the overview (the DOM nodes take theirs from the stylesheet). */
export const STATUS_COLORS: Record<NodeStatus, string> = {
  queued: "#9aa3b2",
  running: "#2f6fed",
  retrying: "#e0a100",
  waiting: "#e07b00",
  succeeded: "#2e9d57",
  failed: "#d33",
  skipped: "#b8bec9",
  cached: "#7b61ff",
  stopped: "#8a6d3b",
};

/** A stripe along the top of each visible node in its run state's colour, one path per state; returns how many of each it drew. */
function drawStatus(ctx: CanvasRenderingContext2D, nodes: SceneNode[], status: (id: string) => NodeStatus | undefined, visible: (b: Box) => boolean) {
  const paths = new Map<NodeStatus, Path2D>();
  const counts = new Map<NodeStatus, number>();
  for (const n of nodes) {
    if (n.look === "note" || !visible(n)) continue;
    const state = status(n.id);
    if (!state) continue;
    let path = paths.get(state);
    if (!path) paths.set(state, (path = new Path2D()));
    path.rect(n.x, n.y, n.width, Math.min(10, n.height));
    counts.set(state, (counts.get(state) ?? 0) + 1);
  }
  for (const [state, path] of paths) {
    ctx.fillStyle = STATUS_COLORS[state];
    ctx.fill(path);
  }
  return counts;
}

export function Overview({
  scene,
  canvas,
  catalog,
  status,
}: {
  scene: Scene;
  canvas: Canvas;
  catalog: CatalogDoc | null;
  /** A node's run state, when a run is on screen. */
  status?: (id: string) => NodeStatus | undefined;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  const ends = useMemo(() => edgeEnds(canvas, scene, catalog), [canvas, scene, catalog]);
  const colors = useRef<Colors | null>(null);
  const draw = useMemo(
    () => (s: ReactFlowState) => {
      const canvas = cleared(ref.current, s.width, s.height);
      if (!canvas) return;
      const { element, ctx, ratio } = canvas;
      const [tx, ty, k] = s.transform;
      ctx.setTransform(ratio * k, 0, 0, ratio * k, ratio * tx, ratio * ty);
      const view = { x: -tx / k, y: -ty / k, width: s.width / k, height: s.height / k };
      const visible = (b: Box) => b.x < view.x + view.width && b.x + b.width > view.x && b.y < view.y + view.height && b.y + b.height > view.y;
      colors.current ??= colorsOf(element);
      const { muted, text } = colors.current;
      // Edges under the nodes, one path: a curve leaving the source to the right, entering the target from the left.
      const edges = new Path2D();
      for (let i = 0; i < ends.length; i += 4) {
        const [sx, sy, ex, ey] = [ends[i], ends[i + 1], ends[i + 2], ends[i + 3]];
        if (Math.max(sx, ex) < view.x || Math.min(sx, ex) > view.x + view.width || Math.max(sy, ey) < view.y || Math.min(sy, ey) > view.y + view.height) continue;
        const bend = Math.max(Math.abs(ex - sx) / 2, 25);
        edges.moveTo(sx, sy);
        edges.bezierCurveTo(sx + bend, sy, ex - bend, ey, ex, ey);
      }
      ctx.lineWidth = 1 / k;
      ctx.strokeStyle = muted;
      ctx.globalAlpha = 0.6;
      ctx.stroke(edges);
      ctx.globalAlpha = 1;
      drawBoxes(ctx, scene.nodes, colors.current, 1 / k, visible);
      const counts = status ? drawStatus(ctx, scene.nodes, status, visible) : new Map<NodeStatus, number>();
      // For tests and the bench: the run states the last frame drew, e.g. "running:3 succeeded:997".
      const statuses = [...counts].sort().map(([state, n]) => `${state}:${n}`).join(" ");
      if ((element.dataset.statuses ?? "") !== statuses) element.dataset.statuses = statuses;
      let shown = 0;
      for (const n of scene.nodes) if (visible(n)) shown += 1;
      if (k >= TITLE_ZOOM) {
        ctx.font = TITLE_FONT;
        ctx.fillStyle = text;
        for (const n of scene.nodes) if (n.look !== "note" && visible(n)) ctx.fillText(n.title, n.x + 12, n.y + 30, Math.max(n.width - 24, 10));
      }
      // For tests and the bench: how many nodes the last frame drew.
      if (element.dataset.nodes !== String(shown)) element.dataset.nodes = String(shown);
    },
    [scene, ends, status],
  );
  useViewportDraw(draw);
  return <canvas ref={ref} className="overview" aria-label="Graph overview" />;
}

const MINIMAP = { width: 136, height: 88, pad: 6 };

/** The minimap: every node, the view as a window; drag in it to move the view, wheel to zoom. */
export function MiniMap({ scene }: { scene: Scene }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const flow = useReactFlow();
  const store = useStoreApi();
  // Minimap coordinates of the whole graph; the nodes are drawn once per scene into a bitmap.
  const frame = useMemo(() => {
    const { width, height, pad } = MINIMAP;
    const view = fitViewport(scene.bounds, width - 2 * pad, height - 2 * pad);
    return { scale: view.zoom, x: view.x + pad, y: view.y + pad };
  }, [scene.bounds]);
  // Built in the first frame that needs them, not while rendering: a theme switch sets the
  // theme's colours in an effect, after this renders (keyed by theme, it is rebuilt then).
  const colors = useRef<Colors | null>(null);
  const bitmap = useRef<{ scene: Scene; nodes: HTMLCanvasElement } | null>(null);
  const draw = useMemo(
    () => (s: ReactFlowState) => {
      const canvas = cleared(ref.current, MINIMAP.width, MINIMAP.height);
      if (!canvas) return;
      const { element, ctx, ratio } = canvas;
      colors.current ??= colorsOf(element);
      // The nodes, drawn once per scene into a bitmap; each frame copies it and draws the view.
      if (bitmap.current?.scene !== scene) {
        const nodes = document.createElement("canvas");
        const nodesCtx = nodes.getContext("2d");
        const nodesRatio = fit(nodes, MINIMAP.width, MINIMAP.height);
        nodesCtx?.setTransform(nodesRatio * frame.scale, 0, 0, nodesRatio * frame.scale, nodesRatio * frame.x, nodesRatio * frame.y);
        if (nodesCtx) drawBoxes(nodesCtx, scene.nodes, colors.current, 1 / frame.scale, () => true);
        bitmap.current = { scene, nodes };
      }
      ctx.drawImage(bitmap.current.nodes, 0, 0);
      // The view's window, clipped to the map (when the view holds the whole graph, the map's
      // edge); the rest of the map dimmed.
      const [tx, ty, k] = s.transform;
      const left = Math.max(0.75, (-tx / k) * frame.scale + frame.x);
      const top = Math.max(0.75, (-ty / k) * frame.scale + frame.y);
      const right = Math.min(MINIMAP.width - 0.75, ((s.width - tx) / k) * frame.scale + frame.x);
      const bottom = Math.min(MINIMAP.height - 0.75, ((s.height - ty) / k) * frame.scale + frame.y);
      const [x, y, w, h] = [left, top, Math.max(0, right - left), Math.max(0, bottom - top)];
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      const mask = new Path2D();
      mask.rect(0, 0, MINIMAP.width, MINIMAP.height);
      mask.rect(x, y, w, h);
      ctx.fillStyle = "rgb(128 128 128 / 25%)";
      ctx.fill(mask, "evenodd");
      ctx.strokeStyle = colors.current.accent;
      ctx.lineWidth = 1.5;
      ctx.strokeRect(x, y, w, h);
    },
    [scene, frame],
  );
  useViewportDraw(draw);
  // Pointer in the minimap → the flow point under it becomes the view's centre.
  const toFlow = (event: { clientX: number; clientY: number }) => {
    const r = ref.current!.getBoundingClientRect();
    return { x: (event.clientX - r.left - frame.x) / frame.scale, y: (event.clientY - r.top - frame.y) / frame.scale };
  };
  const center = (event: PointerEvent) => {
    const p = toFlow(event);
    void flow.setCenter(p.x, p.y, { zoom: store.getState().transform[2] });
  };
  return (
    <Panel position="bottom-right" className="minimap nowheel">
      <canvas
        ref={ref}
        style={{ width: MINIMAP.width, height: MINIMAP.height }}
        aria-label="Minimap: drag to move the view, scroll to zoom"
        onPointerDown={(event) => {
          event.currentTarget.setPointerCapture(event.pointerId);
          center(event);
        }}
        onPointerMove={(event) => {
          if (event.currentTarget.hasPointerCapture(event.pointerId)) center(event);
        }}
        onWheel={(event) => {
          const [tx, ty, k] = store.getState().transform;
          const { width, height, minZoom, maxZoom } = store.getState();
          const zoom = Math.min(maxZoom, Math.max(minZoom, k * (event.deltaY < 0 ? 1.2 : 1 / 1.2)));
          void flow.setCenter((width / 2 - tx) / k, (height / 2 - ty) / k, { zoom });
        }}
      />
    </Panel>
  );
}

/** Zoom to fit all nodes, or the given ones, from the document's boxes (works whether or not nodes are in the DOM). */
export function useFitView() {
  const flow = useReactFlow();
  const store = useStoreApi();
  return useCallback(
    (ids?: string[], duration = 200) => {
      const canvas = sizedCanvas(useDocument.getState().canvas, useCatalog.getState().catalog);
      const boxes = absoluteBoxes([...canvas.comments, ...canvas.nodes]);
      const chosen = ids ? ids.map((id) => boxes.get(id)).filter((b): b is Box => b !== undefined) : boxes.values();
      const { width, height } = store.getState();
      return flow.setViewport(fitViewport(boundsOf(chosen), width, height), { duration });
    },
    [flow, store],
  );
}
