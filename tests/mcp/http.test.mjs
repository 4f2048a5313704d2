// `floe serve` offers the same MCP server over streamable HTTP at /mcp, behind its token:
// driven by the official MCP TypeScript SDK's streamable HTTP client.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const floe = path.join(process.env.CARGO_TARGET_DIR ?? path.join(repo, "target"), "debug", "floe");
const scratch = mkdtempSync(path.join(tmpdir(), "floe-mcp-http-"));
const folder = path.join(scratch, "blueprints");
let server;
let served;

before(async () => {
  cpSync(path.join(repo, "blueprints"), folder, { recursive: true });
  // A page to serve (the UI's stand-in): links to runs then open it.
  const ui = path.join(scratch, "ui");
  mkdirSync(ui);
  writeFileSync(path.join(ui, "index.html"), "<!doctype html><title>Floe</title>");
  server = spawn(floe, ["serve", folder, "--json", "--ui", ui, "--db", path.join(scratch, "runs.db")], { stdio: ["ignore", "pipe", "ignore"] });
  served = await new Promise((resolve, reject) => {
    let buffer = "";
    server.stdout.on("data", (chunk) => {
      buffer += chunk.toString();
      if (buffer.includes("\n")) resolve(JSON.parse(buffer.split("\n")[0]));
    });
    server.on("exit", (code) => reject(new Error(`floe serve exited with ${code}`)));
  });
});

after(() => {
  server?.kill();
  rmSync(scratch, { recursive: true, force: true });
});

const endpoint = () => new URL(`http://${served.addr}/mcp`);

test("with its token, an MCP client lists and calls the blueprints over streamable HTTP", async () => {
  const client = new Client({ name: "floe-http-test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(endpoint(), { requestInit: { headers: { Authorization: `Bearer ${served.token}` } } }));
  const { tools } = await client.listTools();
  assert.ok(tools.some((t) => t.name === "log-triage"));
  const progress = [];
  const result = await client.callTool({ name: "log-triage", arguments: {} }, undefined, { onprogress: (p) => progress.push(p) });
  assert.equal(result.isError, false);
  assert.equal(result.structuredContent.counts[0].code, "DB-500");
  assert.ok(progress.length >= 1, JSON.stringify(progress));
  // The run's link opens this server's page on that run (the page then shows it: Playwright).
  const link = result._meta["floe/link"];
  assert.equal(link, `http://${served.addr}/?run=${result._meta["floe/run"]}`);
  const page = await fetch(link, { headers: { Authorization: `Bearer ${served.token}` } });
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<title>Floe<\/title>/);
  await client.close();
});

test("without the token, nothing is served", async () => {
  const client = new Client({ name: "floe-http-test", version: "1.0.0" });
  await assert.rejects(client.connect(new StreamableHTTPClientTransport(endpoint())), /401|token/i);
});
