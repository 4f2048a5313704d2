// `floe mcp` figures, through the official MCP TypeScript SDK:
// - start to `tools/list` answered, with 50 blueprints in the folder (median and worst of 10 starts);
// - the overhead of a call over the run itself: a one-node blueprint called 50 times, each call's
//   round trip minus the run's own time as the journal records it (started_at → finished_at).
// Usage: node scripts/bench-mcp.mjs [path/to/floe] (default: $CARGO_TARGET_DIR or target, release build).
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const floe = process.argv[2] ?? path.join(process.env.CARGO_TARGET_DIR ?? path.join(repo, "target"), "release", "floe");
const scratch = mkdtempSync(path.join(tmpdir(), "floe-bench-mcp-"));
const folder = path.join(scratch, "blueprints");
const db = path.join(scratch, "runs.db");
cpSync(path.join(repo, "blueprints"), folder, { recursive: true });
// 50 blueprints: the examples, and copies of them under other ids.
const examples = readdirSync(folder).filter((f) => f.endsWith(".json"));
for (let i = 0; examples.length + i < 49; i += 1) {
  const source = JSON.parse(readFileSync(path.join(folder, examples[i % examples.length]), "utf8"));
  source.id = `${source.id}-copy-${i}`;
  writeFileSync(path.join(folder, `copy-${i}.json`), JSON.stringify(source, null, 2));
}
writeFileSync(
  path.join(folder, "echo.json"),
  JSON.stringify({ format: "floe.blueprint", version: 1, id: "echo", name: "Echo", inputs: { text: { type: "string" } }, outputs: { text: { from: "say.text" } }, nodes: [{ id: "say", kind: "tool", config: { tool: "text_template", args: { template: "{{ run.text }}" } } }] }),
);
const count = readdirSync(folder).filter((f) => f.endsWith(".json")).length;

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.round((sorted.length - 1) * p))];
const ms = (n) => `${n.toFixed(1)} ms`;

async function connect() {
  const client = new Client({ name: "bench", version: "1" });
  await client.connect(new StdioClientTransport({ command: floe, args: ["mcp", folder, "--db", db], stderr: "ignore" }));
  return client;
}

// Start to tools/list answered.
const starts = [];
let listed = 0;
for (let i = 0; i < 10; i += 1) {
  const began = performance.now();
  const client = await connect();
  listed = (await client.listTools()).tools.length;
  starts.push(performance.now() - began);
  await client.close();
}
starts.sort((a, b) => a - b);
console.log(`start → tools/list (${count} blueprints, ${listed} tools): median ${ms(percentile(starts, 0.5))}, worst ${ms(starts.at(-1))} (10 starts)`);

// Call overhead over the run's own time.
const client = await connect();
const overheads = [];
const trips = [];
for (let i = 0; i < 55; i += 1) {
  const began = performance.now();
  const result = await client.callTool({ name: "echo", arguments: { text: `hello ${i}` } });
  const trip = performance.now() - began;
  if (i < 5) continue; // warm-up
  const run = result._meta["floe/run"];
  const { summary } = (await client.callTool({ name: "run_status", arguments: { run_id: run } })).structuredContent;
  trips.push(trip);
  overheads.push(trip - (summary.finished_at - summary.started_at));
}
await client.close();
overheads.sort((a, b) => a - b);
trips.sort((a, b) => a - b);
console.log(`call round trip: median ${ms(percentile(trips, 0.5))}, p95 ${ms(percentile(trips, 0.95))}; overhead over the run's own time: median ${ms(percentile(overheads, 0.5))}, p95 ${ms(percentile(overheads, 0.95))} (50 calls)`);
rmSync(scratch, { recursive: true, force: true });
