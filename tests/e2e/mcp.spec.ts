import { expect, test } from "@playwright/test";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { serve, type Served } from "./server";

// Settings → MCP servers: add the reference "everything" server (from npm, spoken to over
// stdio) as a person would; its tools appear in the list and in the palette, and are written to
// the settings file. Pasting a Claude Desktop configuration adds servers too.

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const everything = path.join(repo, "node_modules/@modelcontextprotocol/server-everything/dist/index.js");
let server: Served;

test.beforeAll(async () => {
  if (!existsSync(everything)) throw new Error(`${everything} is missing: run npm ci`);
  server = await serve();
});
test.afterAll(() => {
  server?.process.kill();
});

async function shot(page: import("@playwright/test").Page, name: string) {
  const dir = process.env.SHOTS_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, name) });
}

test("an MCP server added in Settings gives the palette its tools", async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(server.url);
  await page.locator(".toolbar").getByRole("button", { name: "Settings", exact: true }).click();
  const settings = page.getByRole("dialog", { name: "Settings" });
  await settings.getByRole("button", { name: "MCP servers" }).click();
  await expect(settings.getByText("No MCP server yet.")).toBeVisible();
  await settings.getByLabel("Name", { exact: true }).fill("everything");
  await settings.getByLabel("Command", { exact: true }).fill("node");
  await settings.getByLabel("Arguments", { exact: true }).fill(`${everything}\nstdio`);
  await settings.getByRole("button", { name: "Add server" }).click();
  const list = settings.getByRole("list", { name: "MCP servers" });
  await expect(list).toContainText("everything");
  await expect(list).toContainText("everything__get-sum");
  await shot(page, "mcp-settings-1440.png");
  await page.setViewportSize({ width: 1280, height: 720 });
  await shot(page, "mcp-settings-1280.png");
  await page.setViewportSize({ width: 1440, height: 900 });
  // Written to the settings file, as other clients write it.
  const written = JSON.parse(readFileSync(path.join(server.scratch, "settings.json"), "utf8"));
  expect(written.mcp_servers.everything.command).toBe("node");

  // A bad paste says what is wrong; a good one adds its servers.
  await settings.getByLabel("MCP configuration").fill("{not json");
  await settings.getByRole("button", { name: "Add these servers" }).click();
  await expect(settings.getByRole("alert")).toContainText("not JSON");
  await settings.getByLabel("MCP configuration").fill(JSON.stringify({ mcpServers: { more: { command: "node", args: [everything, "stdio"] } } }));
  await settings.getByRole("button", { name: "Add these servers" }).click();
  await expect(list).toContainText("more__echo");

  // Closed: the palette lists the server's tools under its name.
  await settings.getByRole("button", { name: "Close settings" }).click();
  await page.getByPlaceholder("Search nodes and tools").fill("sum");
  await expect(page.locator(".palette-group", { hasText: "everything (MCP)" })).toBeVisible();
});
