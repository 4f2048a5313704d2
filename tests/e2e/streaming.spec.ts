import { expect, test } from "@playwright/test";
import type { ChildProcess } from "node:child_process";
import { fakeProvider, serve, type Served } from "./server";

// A model's reply streams into its node (the tail) and into the trace (all of it) while it
// generates: `floe serve` calls a loopback server speaking Ollama's wire format, 25 deltas a second.

let server: Served;
let provider: ChildProcess;
test.beforeAll(async () => {
  const text = Array.from({ length: 40 }, (_, i) => `word${i}`).join(" ");
  const fake = await fakeProvider("ollama", ["--text", text, "--pieces", "40", "--piece-delay-ms", "40"]);
  provider = fake.process;
  server = await serve(undefined, { FLOE_OLLAMA_BASE_URL: fake.baseUrl, FLOE_DEFAULT_MODEL: "ollama:llama3.2" });
});
test.afterAll(() => {
  server?.process.kill();
  provider?.kill();
});

test("an llm node streams its reply into the node and the trace while it runs", async ({ page }) => {
  await page.goto(server.url);
  await page.locator("button.file", { has: page.locator(".file-path", { hasText: /^summarise-text\.json$/ }) }).click();
  // The shortcut runs the open blueprint: wait until it is the one open.
  await expect(page.locator(".doc-title")).toHaveText("summarise-text.json");
  await page.keyboard.press("Control+Enter");
  const form = page.getByRole("dialog", { name: "Run inputs" });
  await form.locator('textarea[name="text"]').fill("Floe runs workflows locally.");
  await form.getByRole("button", { name: "Run" }).click();
  const node = page.locator(".floe-node[data-status]").first();
  const id = await node.getAttribute("data-node");
  await node.click();
  // Part of the reply is shown while the node still runs.
  await expect(page.locator(".floe-run-stream")).toContainText("word3");
  await expect(node).toHaveAttribute("data-status", "running");
  await expect(page.locator(".stream-full")).toContainText("word3");
  await page.screenshot({ path: "target/e2e-results/run-streaming.png" });
  await expect(page.locator(".run-controls")).toHaveAttribute("data-status", "succeeded");
  await expect(page.locator(".stream-full")).toContainText("word0 word1");
  await expect(page.locator(".stream-full")).toContainText("word39");
  await expect(page.locator(`.node-trace[data-trace="${id}"] .usage`)).toContainText("tokens in");
});
