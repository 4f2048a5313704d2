// `floe mcp` driven by the official MCP TypeScript SDK (@modelcontextprotocol/sdk from npm), as
// Claude Desktop or Cursor would drive it: over stdio, against the real engine and run store.
// Run with `npm run test:mcp` after `cargo build` (the debug `floe` binary).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const floe = path.join(process.env.CARGO_TARGET_DIR ?? path.join(repo, "target"), "debug", "floe");
const scratch = mkdtempSync(path.join(tmpdir(), "floe-mcp-"));
const folder = path.join(scratch, "blueprints");
const db = path.join(scratch, "runs.db");
// Longer than the 30-character names some clients cannot call.
const LONG_ID = "weekly-customer-churn-report-for-the-whole-support-team";

const blueprint = (id, nodes, edges = [], extra = {}) =>
  JSON.stringify({ format: "floe.blueprint", version: 1, id, name: id, nodes, edges, ...extra }, null, 2);

let client;

before(async () => {
  cpSync(path.join(repo, "blueprints"), folder, { recursive: true });
  writeFileSync(
    path.join(folder, "slow.json"),
    blueprint("slow", [
      { id: "first", kind: "tool", config: { tool: "text_template", args: { template: "one" } } },
      { id: "wait", kind: "tool", config: { tool: "sleep", args: { duration: "30s" } } },
    ], [{ from: "first.text", to: "wait.in" }]),
  );
  writeFileSync(
    path.join(folder, "long.json"),
    blueprint(LONG_ID, [{ id: "greet", kind: "tool", config: { tool: "text_template", args: { template: "hello {{ run.who }}" } } }], [], {
      inputs: { who: { type: "string", description: "who to greet" } },
      outputs: { greeting: { from: "greet.text", description: "the greeting" } },
    }),
  );
  client = new Client({ name: "floe-mcp-test", version: "1.0.0" });
  await client.connect(new StdioClientTransport({ command: floe, args: ["mcp", folder, "--db", db], stderr: "ignore" }));
});

after(async () => {
  await client?.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** The runs in the store, through the CLI. */
const runs = () => JSON.parse(execFileSync(floe, ["runs", "--json", "--db", db], { encoding: "utf8" }));

test("every blueprint is a tool named after its id, with schemas from its inputs and outputs", async () => {
  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name);
  for (const id of ["log-triage", "summarise-text", "remember-facts", LONG_ID, "validate", "explain", "runs", "run_status"]) {
    assert.ok(names.includes(id), `${id} in ${names}`);
  }
  const long = tools.find((t) => t.name === LONG_ID);
  assert.deepEqual(long.inputSchema.required, ["who"]);
  assert.equal(long.inputSchema.properties.who.type, "string");
  assert.equal(long.outputSchema.properties.greeting.description, "the greeting");
  // The name listed is the name called, whatever its length.
  const called = await client.callTool({ name: LONG_ID, arguments: { who: "Ada" } });
  assert.equal(called.isError, false);
  assert.deepEqual(called.structuredContent, { greeting: "hello Ada" });
});

test("a call runs the blueprint with the engine and journal, with progress as its nodes finish", async () => {
  const progress = [];
  const result = await client.callTool({ name: "log-triage", arguments: {} }, undefined, { onprogress: (p) => progress.push(p) });
  assert.equal(result.isError, false);
  assert.deepEqual(result.structuredContent.counts[0], { code: "DB-500", count: 3 });
  // One notification per finished node, in order, out of the blueprint's four. The server writes
  // all four before the result (the raw-protocol test below reads them off the wire); the SDK's
  // client has been seen handing on fewer on a loaded machine, so here only their order and
  // totals are pinned.
  assert.ok(progress.length >= 1, JSON.stringify(progress));
  assert.deepEqual(progress.map((p) => p.progress), [1, 2, 3, 4].slice(0, progress.length));
  assert.ok(progress.every((p) => p.total === 4 && / done$/.test(p.message)), JSON.stringify(progress));
  const run = result._meta["floe/run"];
  assert.ok(runs().some((r) => r.id === run && r.status === "succeeded"), "journaled as succeeded");
  // A link that opens the run in the desktop app, in the metadata and in the text a person reads.
  assert.equal(result._meta["floe/link"], `floe://run/${run}`);
  assert.ok(result.content[0].text.includes(`floe://run/${run}`), result.content[0].text);
});

test("cancelling a call cancels its run, which the journal records", async () => {
  const controller = new AbortController();
  const call = client.callTool({ name: "slow", arguments: {} }, undefined, {
    signal: controller.signal,
    // The first node finished: the run is in its 30 s sleep.
    onprogress: () => controller.abort(),
    timeout: 60_000,
  });
  await assert.rejects(call, /abort/i);
  let slow;
  for (let i = 0; i < 50; i += 1) {
    slow = runs().find((r) => r.blueprint === "slow");
    if (slow?.status === "cancelled") break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.equal(slow?.status, "cancelled", JSON.stringify(slow));
  // The server still serves.
  assert.ok((await client.listTools()).tools.length > 8);
});

test("unknown tools and invalid arguments are protocol errors, and the server keeps serving", async () => {
  await assert.rejects(client.callTool({ name: "no-such-blueprint", arguments: {} }), (e) => e.code === -32602 && /no tool `no-such-blueprint`/.test(e.message));
  await assert.rejects(client.callTool({ name: "log-triage", arguments: { log: 5 } }), (e) => e.code === -32602 && /log/.test(e.message));
  await assert.rejects(client.callTool({ name: LONG_ID, arguments: {} }), (e) => e.code === -32602 && /who/.test(e.message));
  const checked = await client.callTool({ name: "validate", arguments: { path: "slow.json", text: "{\"format\": \"floe.blueprint\"" } });
  assert.equal(checked.isError, false);
  assert.ok(checked.structuredContent.diagnostics.length > 0);
  assert.equal(checked.structuredContent.compiles, false);
  const status = await client.callTool({ name: "runs", arguments: { limit: 1 } });
  assert.equal(status.structuredContent.runs.length, 1);
});

test("blueprints and runs are resources", async () => {
  const { resources } = await client.listResources();
  assert.ok(resources.some((r) => r.uri === "floe://blueprints/log-triage.json"));
  const run = resources.find((r) => r.uri.startsWith("floe://runs/"));
  assert.ok(run, JSON.stringify(resources.map((r) => r.uri)));
  const read = await client.readResource({ uri: run.uri });
  assert.ok(JSON.parse(read.contents[0].text).summary.id);
  await assert.rejects(client.readResource({ uri: "floe://nothing" }), (e) => e.code === -32002);
});

test("malformed and out-of-order JSON-RPC get errors, and the server keeps serving", async () => {
  const child = spawn(floe, ["mcp", folder, "--db", db], { stdio: ["pipe", "pipe", "ignore"] });
  const replies = [];
  let buffer = "";
  child.stdout.on("data", (chunk) => {
    buffer += chunk.toString();
    let cut;
    while ((cut = buffer.indexOf("\n")) >= 0) {
      replies.push(JSON.parse(buffer.slice(0, cut)));
      buffer = buffer.slice(cut + 1);
    }
  });
  const send = (line) => child.stdin.write(`${line}\n`);
  const reply = async (id) => {
    for (let i = 0; i < 100; i += 1) {
      const found = replies.find((r) => r.id === id);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`no reply to ${id}: ${JSON.stringify(replies)}`);
  };
  try {
    // A request before `initialize`, then garbage, then the handshake and a request.
    send('{"jsonrpc":"2.0","id":1,"method":"tools/list"}');
    send("this is not JSON");
    send('{"jsonrpc":"2.0","id":2,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}');
    assert.equal((await reply(2)).result.serverInfo.name, "floe");
    send('{"jsonrpc":"2.0","method":"notifications/initialized"}');
    send('{"jsonrpc":"2.0","id":3,"method":"no/such/method"}');
    send('{"jsonrpc":"2.0","id":4,"method":"tools/list"}');
    const unknown = await reply(3);
    assert.ok(unknown.error, JSON.stringify(unknown));
    assert.ok((await reply(4)).result.tools.length > 8);
    // Progress is written before the result: one per node, then the answer.
    send('{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"log-triage","arguments":{},"_meta":{"progressToken":"p5"}}}');
    await reply(5);
    const order = replies.filter((r) => r.id === 5 || r.params?.progressToken === "p5").map((r) => (r.id === 5 ? "result" : r.params.progress));
    assert.deepEqual(order, [1, 2, 3, 4, "result"]);
    assert.ok(replies.some((r) => r.error?.code === -32700), `a parse error: ${JSON.stringify(replies)}`);
  } finally {
    child.kill();
  }
});

test("a blueprint that opts out is not offered, nor callable", async () => {
  writeFileSync(
    path.join(folder, "private.json"),
    blueprint("private-report", [{ id: "say", kind: "tool", config: { tool: "text_template", args: { template: "secret" } } }], [], { run: { as_tool: false } }),
  );
  const { tools } = await client.listTools();
  assert.ok(!tools.some((t) => t.name === "private-report"));
  await assert.rejects(client.callTool({ name: "private-report", arguments: {} }), (e) => e.code === -32602);
});

test("draft drafts a blueprint (offline here: no model is reachable), saves it, and it becomes a tool", async () => {
  const told = new Promise((resolve) => client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve(true)));
  const drafted = await client.callTool({
    name: "draft",
    arguments: { request: "Fetch https://example.com, summarise it and save it to summary.md", offline: true, save_as: "digest.json" },
  });
  assert.equal(drafted.isError, false, JSON.stringify(drafted.content));
  assert.match(drafted.structuredContent.summary, /fetch .*summarise .*save/i);
  assert.equal(drafted.structuredContent.saved, "digest.json");
  const id = drafted.structuredContent.blueprint.id;
  assert.ok((await client.listTools()).tools.some((t) => t.name === id), `${id} offered`);
  // The client is told the list changed (the folder is looked at every two seconds).
  const deadline = new Promise((resolve) => setTimeout(() => resolve(false), 6000).unref());
  assert.ok(await Promise.race([told, deadline]), "notifications/tools/list_changed");
  const explained = await client.callTool({ name: "explain", arguments: { path: "digest.json" } });
  assert.ok(explained.structuredContent.steps.length >= 3, JSON.stringify(explained.structuredContent));
});
