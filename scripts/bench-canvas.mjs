// Canvas performance in Chromium (Debian's, through playwright-core) against `floe serve`:
// opening generated 1,000-node / 1,500-edge and 5,000-node / 7,500-edge blueprints, frame rate
// while panning and zooming, and frame times while dragging a node. Frames are counted in the
// page with requestAnimationFrame. Prints a table (and JSON with --json) — figures, not pass/fail:
// the machines are shared and noisy, so compare runs made on the same machine.
//
//   node scripts/bench-canvas.mjs [--json]      (after `cargo build -p floe-cli` and `npm run build`)
//   BENCH_HIDE=".react-flow__minimap"           hides parts of the canvas, to find what a frame costs
//   BENCH_STYLE="… { … }"                       adds a style sheet (to try a rendering idea before coding it)
//   BENCH_UI=/path/to/dist                      another build of the UI (to compare two versions in one sitting)
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const target = process.env.CARGO_TARGET_DIR ?? path.join(repo, "target");
const json = process.argv.includes("--json");
const log = (...args) => console.error(...args);

/** A layered graph: `layers` × `width` text_template nodes; each node after the first layer is fed by one in the layer before, plus extra edges up to `edges`. */
function generate(layers, width, edges) {
  const id = (l, i) => `n${l}_${i}`;
  const nodes = [];
  const boxes = {};
  for (let l = 0; l < layers; l += 1) {
    for (let i = 0; i < width; i += 1) {
      nodes.push({ id: id(l, i), kind: "tool", config: { tool: "text_template", args: { template: l === 0 ? "start" : "{{ inputs.in }}" } } });
      boxes[id(l, i)] = { x: l * 260, y: i * 120 };
    }
  }
  const list = [];
  const seen = new Set();
  const add = (from, to) => {
    const key = `${from}->${to}`;
    if (seen.has(key)) return false;
    seen.add(key);
    list.push({ from: `${from}.text`, to: `${to}.in` });
    return true;
  };
  for (let l = 1; l < layers; l += 1) for (let i = 0; i < width; i += 1) add(id(l - 1, i), id(l, i));
  for (let k = 0; list.length < edges; k += 1) {
    const l = 1 + (k % (layers - 1));
    add(id(l - 1, (k * 7) % width), id(l, (k * 13 + 5) % width));
  }
  return {
    $schema: "../schemas/blueprint.v1.schema.json",
    format: "floe.blueprint",
    version: 1,
    id: `bench-${nodes.length}`,
    name: `Bench ${nodes.length} nodes`,
    nodes,
    edges: list,
    layout: { nodes: boxes },
  };
}

const scratch = mkdtempSync(path.join(tmpdir(), "floe-bench-"));
const folder = path.join(scratch, "blueprints");
mkdirSync(folder, { recursive: true });
const sizes = [
  { file: "bench-1000.json", graph: generate(40, 25, 1500) },
  { file: "bench-5000.json", graph: generate(100, 50, 7500) },
];
for (const { file, graph } of sizes) writeFileSync(path.join(folder, file), `${JSON.stringify(graph, null, 2)}\n`);

const server = spawn(path.join(target, "debug", "floe"), ["serve", folder, "--json", "--ui", process.env.BENCH_UI ?? path.join(repo, "ui/dist"), "--db", path.join(scratch, "runs.db")], {
  stdio: ["ignore", "pipe", "inherit"],
});
const url = await new Promise((resolve, reject) => {
  let buffer = "";
  server.stdout.on("data", (chunk) => {
    buffer += chunk.toString();
    if (buffer.includes("\n")) resolve(JSON.parse(buffer.split("\n")[0]).url);
  });
  server.on("exit", (code) => reject(new Error(`floe serve exited with ${code}`)));
});

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking"],
});
const results = [];
try {
  for (const { file, graph } of sizes) {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(url);
    if (process.env.BENCH_HIDE) await page.addStyleTag({ content: `${process.env.BENCH_HIDE} { display: none !important; }` });
    if (process.env.BENCH_STYLE) await page.addStyleTag({ content: process.env.BENCH_STYLE });
    await page.getByRole("button", { name: new RegExp(file.replace(".", "\\.")) }).waitFor();
    // Open: click → nodes painted (two frames after they are in the DOM, or drawn by the
    // zoomed-out overview) → checked by the compiler.
    const open = await page.evaluate(async (name) => {
      const button = [...document.querySelectorAll("button.file")].find((b) => b.textContent.includes(name));
      const frame = () => new Promise((r) => requestAnimationFrame(() => r(performance.now())));
      const shown = () => document.querySelectorAll(".react-flow__node-floe").length || Number(document.querySelector("canvas.overview")?.dataset.nodes ?? 0);
      const start = performance.now();
      button.click();
      while (shown() === 0) await frame();
      await frame();
      const painted = (await frame()) - start;
      while (document.querySelector(".problem-count, .problems .count")?.textContent === "" || !document.querySelector(".doc-title")?.textContent.includes(name)) await frame();
      return { painted, rendered: shown(), overview: document.querySelector("canvas.overview") !== null };
    }, file);
    await page.locator(".problem-count, .problems .count").waitFor();
    const problems = await page.locator(".problem-count, .problems .count").textContent();

    // Scripted gestures, paced by the page's own frames: each animation frame moves the mouse
    // (or turns the wheel) one step, so what is measured is the app's frame time rather than the
    // test driver's round trips. d3-zoom / d3-drag (React Flow's input) take these events as a
    // person's. Each gesture returns frames per second and the frame-time p95 / max.
    const gesture = (kind, selector, steps) =>
      page.evaluate(
        async ([kind, selector, steps]) => {
          const target = document.querySelector(selector);
          const r = target.getBoundingClientRect();
          let x = r.x + Math.min(r.width / 2, 60);
          let y = r.y + Math.min(r.height / 2, 10);
          // As a browser does for a real mouse: the pointer event, then the mouse event.
          const mouse = (type, on) => {
            const init = { bubbles: true, cancelable: true, view: window, clientX: x, clientY: y, button: 0, buttons: type === "mouseup" ? 0 : 1 };
            on.dispatchEvent(new PointerEvent(type.replace("mouse", "pointer"), { ...init, pointerId: 1, pointerType: "mouse", isPrimary: true }));
            on.dispatchEvent(new MouseEvent(type, init));
          };
          const frames = [];
          const frame = () => new Promise((resolve) => requestAnimationFrame((t) => resolve(t)));
          frames.push(await frame());
          // The press is its own frame, as a person's is (a press and a move in one frame would be measured as one).
          if (kind !== "zoom") {
            mouse("mousedown", target);
            frames.push(await frame());
          }
          for (let i = 0; i < steps; i += 1) {
            if (kind === "zoom") {
              target.dispatchEvent(new WheelEvent("wheel", { bubbles: true, cancelable: true, clientX: x, clientY: y, deltaY: i < steps / 2 ? -20 : 20 }));
            } else {
              x += i < steps / 2 ? 4 : -4;
              y += i < steps / 2 ? 1 : -1;
              mouse("mousemove", window);
            }
            frames.push(await frame());
          }
          if (kind !== "zoom") mouse("mouseup", window);
          const order = frames.slice(1).map((t, i) => t - frames[i]);
          const gaps = [...order].sort((a, b) => a - b);
          // The slowest frames, as "step:ms" (to see where in the gesture they fall).
          const slowest = order.map((ms, i) => [i, ms]).sort((a, b) => b[1] - a[1]).slice(0, 4).map(([i, ms]) => `${i}:${Math.round(ms)}`);
          return { fps: (frames.length - 1) / ((frames.at(-1) - frames[0]) / 1000), p95: gaps[Math.floor(gaps.length * 0.95)], max: gaps.at(-1), slowest };
        },
        [kind, selector, steps],
      );
    await page.waitForTimeout(500);
    const pan = await gesture("pan", ".react-flow__pane", 180);
    const zoom = await gesture("zoom", ".react-flow__pane", 120);

    // Drag one node at a readable zoom: zoom in on the middle, take the node nearest to it.
    const pane = await page.locator(".react-flow__pane").boundingBox();
    const cx = pane.x + pane.width / 2;
    const cy = pane.y + pane.height / 2;
    await page.keyboard.press("Shift+F");
    await page.waitForTimeout(400);
    await page.mouse.move(cx, cy);
    const scale = () => page.evaluate(() => new DOMMatrix(getComputedStyle(document.querySelector(".react-flow__viewport")).transform).a);
    for (let i = 0; i < 40 && (await scale()) < 0.6; i += 1) {
      await page.mouse.wheel(0, -100);
      await page.waitForTimeout(30);
    }
    await page.waitForTimeout(400);
    const nearest = await page.evaluate(([x, y]) => {
      let best = null;
      for (const element of document.querySelectorAll(".react-flow__node-floe")) {
        const r = element.getBoundingClientRect();
        const d = Math.hypot(r.x + r.width / 2 - x, r.y + r.height / 2 - y);
        if (!best || d < best.d) best = { d, id: element.dataset.id };
      }
      return best.id;
    }, [cx, cy]);
    const drag = await gesture("drag", `.react-flow__node-floe[data-id="${nearest}"]`, 120);
    const memory = await page.evaluate(() => performance.memory?.usedJSHeapSize ?? 0);
    results.push({
      graph: file,
      nodes: graph.nodes.length,
      edges: graph.edges.length,
      open_ms: Math.round(open.painted),
      rendered: open.rendered,
      drawn_as: open.overview ? "overview" : "dom",
      problems: Number(problems),
      pan_fps: +pan.fps.toFixed(1),
      pan_p95_ms: +pan.p95.toFixed(1),
      zoom_fps: +zoom.fps.toFixed(1),
      zoom_p95_ms: +zoom.p95.toFixed(1),
      ...(process.env.BENCH_SLOWEST ? { pan_slowest: pan.slowest, zoom_slowest: zoom.slowest, drag_slowest: drag.slowest } : {}),
      drag_fps: +drag.fps.toFixed(1),
      drag_p95_ms: +drag.p95.toFixed(1),
      drag_max_ms: +drag.max.toFixed(1),
      js_heap_mb: +(memory / 1048576).toFixed(1),
    });
    log(`measured ${file}`);
    await page.close();
  }
} finally {
  await browser.close();
  server.kill();
  rmSync(scratch, { recursive: true, force: true });
}
if (json) console.log(JSON.stringify(results, null, 2));
else console.table(results);
