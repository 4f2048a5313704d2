// Watching runs in Chromium (Debian's, through playwright-core) against `floe serve` with the
// real engine:
//   latency    a node finishes in the engine (its `node_succeeded` time) → the canvas shows it
//              (the DOM change, seen by a MutationObserver), over chains of sleeping nodes;
//   1k run     a 1,000-node / 1,500-edge graph run at full engine speed: frame times from Run
//              to the end, and whether the final state drawn is all succeeded;
//   streaming  20 llm nodes streaming at once from a loopback Ollama-format server, 50 deltas a
//              second each: frames per second while they stream.
// Figures, not pass/fail (shared, noisy machines: compare runs made on the same machine).
//
//   node scripts/bench-run-ui.mjs [--json]   (after `cargo build --workspace` and `npm run build`)
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

const blueprint = (id, nodes, edges, boxes) => ({ format: "floe.blueprint", version: 1, id, name: id, nodes, edges, layout: { nodes: boxes } });

/** A chain of `n` nodes, each sleeping `ms`, laid out in rows of `columns` so all are on screen. */
function chain(n, ms, columns) {
  const nodes = [];
  const edges = [];
  const boxes = {};
  for (let i = 0; i < n; i += 1) {
    nodes.push({ id: `s${i}`, kind: "tool", config: { tool: "sleep", args: { duration: `${ms}ms` } } });
    boxes[`s${i}`] = { x: (i % columns) * 230, y: Math.floor(i / columns) * 120 };
    if (i > 0) edges.push({ from: `s${i - 1}.out`, to: `s${i}.in` });
  }
  return blueprint("latency", nodes, edges, boxes);
}

/** The canvas bench's layered graph: `layers` × `width` pass-through nodes and `count` edges. */
function layered(layers, width, count) {
  const id = (l, i) => `n${l}_${i}`;
  const nodes = [];
  const boxes = {};
  const edges = [];
  const seen = new Set();
  const add = (from, to) => {
    if (seen.has(`${from}->${to}`)) return;
    seen.add(`${from}->${to}`);
    edges.push({ from: `${from}.text`, to: `${to}.in` });
  };
  for (let l = 0; l < layers; l += 1) {
    for (let i = 0; i < width; i += 1) {
      nodes.push({ id: id(l, i), kind: "tool", config: { tool: "text_template", args: { template: l === 0 ? "start" : "{{ inputs.in }}" } } });
      boxes[id(l, i)] = { x: l * 260, y: i * 120 };
    }
  }
  for (let l = 1; l < layers; l += 1) for (let i = 0; i < width; i += 1) add(id(l - 1, i), id(l, i));
  for (let k = 0; edges.length < count; k += 1) {
    const l = 1 + (k % (layers - 1));
    add(id(l - 1, (k * 7) % width), id(l, (k * 13 + 5) % width));
  }
  return blueprint("run-1000", nodes, edges, boxes);
}

/** `n` llm nodes side by side, each streaming its own reply. */
function streams(n, columns) {
  const nodes = [];
  const boxes = {};
  for (let i = 0; i < n; i += 1) {
    nodes.push({ id: `m${i}`, kind: "llm", config: { model: "ollama:llama3.2", prompt: `Write note ${i}.` } });
    boxes[`m${i}`] = { x: (i % columns) * 230, y: Math.floor(i / columns) * 150 };
  }
  return blueprint("streams", nodes, [], boxes);
}

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN;
};

/** Starts a child that prints one JSON line first; resolves with that line. */
function start(binary, args, env = {}) {
  const child = spawn(binary, args, { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, ...env } });
  const first = new Promise((resolve, reject) => {
    let buffer = "";
    child.stdout.on("data", (chunk) => {
      buffer += chunk.toString();
      if (buffer.includes("\n")) resolve(JSON.parse(buffer.split("\n")[0]));
    });
    child.on("exit", (code) => reject(new Error(`${path.basename(binary)} exited with ${code}`)));
  });
  return { child, first };
}

const scratch = mkdtempSync(path.join(tmpdir(), "floe-bench-run-"));
const folder = path.join(scratch, "blueprints");
mkdirSync(folder, { recursive: true });
const STREAMERS = 20;
writeFileSync(path.join(folder, "latency.json"), JSON.stringify(chain(24, 40, 6)));
writeFileSync(path.join(folder, "run-1000.json"), JSON.stringify(layered(40, 25, 1500)));
writeFileSync(path.join(folder, "streams.json"), JSON.stringify(streams(STREAMERS, 5)));
// 50 deltas a second for 5 s per node; every node streams at once.
writeFileSync(path.join(scratch, "settings.json"), JSON.stringify({ providers: { ollama: { concurrency: STREAMERS } } }));
const words = Array.from({ length: 250 }, (_, i) => `w${i}`).join(" ");
const provider = start(path.join(target, "debug", "fake-provider"), ["ollama", "--text", words, "--pieces", "250", "--piece-delay-ms", "20"]);
const { base_url: ollama } = await provider.first;
const server = start(path.join(target, "debug", "floe"), ["serve", folder, "--json", "--ui", path.join(repo, "ui/dist"), "--db", path.join(scratch, "runs.db")], {
  FLOE_OLLAMA_BASE_URL: ollama,
  FLOE_SETTINGS: path.join(scratch, "settings.json"),
});
const { url } = await server.first;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking"],
});

/** Opens a blueprint and starts a run with the Run button (no inputs); resolves with the run id. */
async function openAndRun(page, file) {
  await page.locator("button.file", { has: page.locator(".file-path", { hasText: new RegExp(`^${file.replace(".", "\\.")}$`) }) }).click();
  await page.locator(".doc-title", { hasText: file }).waitFor();
  await page.waitForTimeout(500);
}

/** Every event of a run, from the journal over the API's WebSocket. */
const journal = (page, run) =>
  page.evaluate(
    (id) =>
      new Promise((resolve) => {
        const out = [];
        const socket = new WebSocket(`${location.origin.replace(/^http/, "ws")}/api/runs/${id}/events`);
        socket.onmessage = (m) => out.push(...JSON.parse(String(m.data)));
        socket.onclose = () => resolve(out);
      }),
    run,
  );

/** Frame times (ms) from now until the run bar says a new run (not the one shown now) is over. */
const framesUntilDone = (page) =>
  page.evaluate(
    () =>
      new Promise((resolve) => {
        const times = [];
        let start = 0;
        const before = document.querySelector(".run-controls")?.dataset.run;
        const tick = (t) => {
          times.push(t);
          const bar = document.querySelector(".run-controls");
          const status = bar?.dataset.run !== before ? bar?.dataset.status : undefined;
          if (status === "succeeded" || status === "failed" || status === "cancelled") {
            resolve({ times, firstStream: start });
            return;
          }
          if (!start && document.querySelector(".floe-run-stream")) start = t;
          requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      }),
  );

const results = {};
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(url);

  // 1. Latency: three runs of a 24-node chain, each node sleeping 40 ms.
  await openAndRun(page, "latency.json");
  const drawnAs = await page.evaluate(() => (document.querySelector("canvas.overview") ? "overview" : "DOM"));
  const latencies = [];
  let previous = null;
  for (let round = 0; round < 3; round += 1) {
    await page.evaluate(() => {
      window.shownAt = {};
      window.observer?.disconnect();
      window.observer = new MutationObserver((records) => {
        const now = Date.now();
        for (const r of records) {
          const el = r.target;
          if (el.dataset.status === "succeeded" && !(el.dataset.node in window.shownAt)) window.shownAt[el.dataset.node] = now;
        }
      });
      window.observer.observe(document.body, { subtree: true, attributes: true, attributeFilter: ["data-status"] });
    });
    await page.locator(".run-button").click();
    // This run's bar, not the last one's.
    await page.waitForFunction((last) => {
      const bar = document.querySelector(".run-controls");
      return bar && bar.dataset.run !== last && bar.dataset.status === "succeeded";
    }, previous, { timeout: 60_000 });
    const run = await page.locator(".run-controls").getAttribute("data-run");
    previous = run;
    const shown = await page.evaluate(() => window.shownAt);
    for (const event of await journal(page, run)) {
      if (event.type === "node_succeeded" && shown[event.node] !== undefined) latencies.push(shown[event.node] - event.at);
    }
  }
  results.latency = { drawn_as: drawnAs, samples: latencies.length, p50_ms: percentile(latencies, 50), p95_ms: percentile(latencies, 95), max_ms: Math.max(...latencies) };
  log(`latency (engine → canvas, ${drawnAs}): ${latencies.length} nodes, p50 ${results.latency.p50_ms} ms, p95 ${results.latency.p95_ms} ms, max ${results.latency.max_ms} ms`);

  // 2. A 1,000-node run at full engine speed, the graph fitted (drawn as the overview); three runs.
  await openAndRun(page, "run-1000.json");
  results.run1000 = [];
  for (let round = 0; round < 3; round += 1) {
    const frames = framesUntilDone(page);
    const clicked = Date.now();
    await page.locator(".run-button").click();
    const { times } = await frames;
    const took = Date.now() - clicked;
    await page.waitForTimeout(300);
    const deltas = times.slice(1).map((t, i) => t - times[i]);
    const final = await page.evaluate(() => document.querySelector("canvas.overview")?.dataset.statuses ?? [...document.querySelectorAll(".floe-node[data-status]")].length);
    const figures = {
      wall_ms: took,
      frames: deltas.length,
      p95_frame_ms: Math.round(percentile(deltas, 95) * 10) / 10,
      max_frame_ms: Math.round(Math.max(...deltas) * 10) / 10,
      slowest_frame: deltas.indexOf(Math.max(...deltas)),
      over_50ms: deltas.filter((d) => d > 50).length,
      final,
    };
    results.run1000.push(figures);
    log(`1k run: ${took} ms, ${deltas.length} frames, p95 ${figures.p95_frame_ms} ms, max ${figures.max_frame_ms} ms (frame ${figures.slowest_frame}), ${figures.over_50ms} over 50 ms; drawn at the end: ${final}`);
    // The next run must not start while this one's end is still being shown.
    await page.waitForTimeout(500);
  }

  // 3. Twenty llm nodes streaming 50 deltas a second each.
  await openAndRun(page, "streams.json");
  const streamDrawn = await page.evaluate(() => (document.querySelector("canvas.overview") ? "overview" : "DOM"));
  const streaming = framesUntilDone(page);
  await page.locator(".run-button").click();
  const { times: streamTimes, firstStream } = await streaming;
  const during = streamTimes.filter((t) => t >= firstStream);
  const gaps = during.slice(1).map((t, i) => t - during[i]);
  const seconds = (during[during.length - 1] - during[0]) / 1000;
  const run = await page.locator(".run-controls").getAttribute("data-run");
  const deltasSeen = (await journal(page, run)).filter((e) => e.type === "node_output_delta").length;
  results.streaming = {
    drawn_as: streamDrawn,
    nodes: STREAMERS,
    deltas: deltasSeen,
    seconds: Math.round(seconds * 100) / 100,
    fps: Math.round((gaps.length / seconds) * 10) / 10,
    p95_frame_ms: Math.round(percentile(gaps, 95) * 10) / 10,
    max_frame_ms: Math.round(Math.max(...gaps) * 10) / 10,
    // Where the slowest frame fell, from the first streamed text (ms).
    slowest_at_ms: Math.round(during[gaps.indexOf(Math.max(...gaps))] - during[0]),
  };
  log(`streaming (${streamDrawn}): ${STREAMERS} nodes, ${deltasSeen} deltas in ${results.streaming.seconds} s: ${results.streaming.fps} fps, p95 frame ${results.streaming.p95_frame_ms} ms, max ${results.streaming.max_frame_ms} ms (at ${results.streaming.slowest_at_ms} ms)`);
  await page.screenshot({ path: path.join(target, "e2e-results", "bench-streaming.png") }).catch(() => {});
} finally {
  await browser.close();
  server.child.kill();
  provider.child.kill();
  rmSync(scratch, { recursive: true, force: true });
}
if (json) console.log(JSON.stringify(results, null, 2));
