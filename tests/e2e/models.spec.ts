import { expect, test } from "@playwright/test";
import type { ChildProcess } from "node:child_process";
import { fakeProvider, serve, type Served } from "./server";

// The model field offers what each provider lists (read through `floe serve` from a loopback
// server speaking Ollama's wire format), grouped by provider with prices; a provider without a
// key says so; typing filters; any `provider:model` typed is kept.

let server: Served;
let provider: ChildProcess;
test.beforeAll(async () => {
  const fake = await fakeProvider("ollama");
  provider = fake.process;
  server = await serve(undefined, { FLOE_OLLAMA_BASE_URL: fake.baseUrl, OPENAI_API_KEY: "" });
});
test.afterAll(() => {
  server?.process.kill();
  provider?.kill();
});

test("the model field offers each provider's models and keeps what is typed", async ({ page }) => {
  await page.goto(server.url);
  await page.locator("button.file", { has: page.locator(".file-path", { hasText: /^summarise-text\.json$/ }) }).click();
  await expect(page.locator(".doc-title")).toHaveText("summarise-text.json");
  await page.locator('.react-flow__node[data-id="summarise"] .floe-node-title').click();
  const field = page.locator("#field-model");
  await expect(field).toHaveValue("default");
  await field.click();
  const list = page.getByRole("listbox", { name: "Models" });
  // `default` comes first and says what it is now (this server's settings choose llama3.2).
  await expect(list.getByRole("group", { name: "Default" }).getByRole("option")).toContainText("ollama:llama3.2 (chosen in Settings)");
  const ollama = list.getByRole("group", { name: "ollama" });
  await expect(ollama.getByRole("option")).toHaveCount(1);
  await expect(ollama.getByRole("option").first()).toContainText("llama3.2:latest");
  await expect(ollama.getByRole("option").first()).toContainText("free");
  // A provider that cannot be listed says why, after the ones that can.
  const openai = list.getByRole("group", { name: "Not available" }).locator('[data-provider="openai"]');
  await expect(openai).toContainText("no API key");
  await expect(openai).toHaveAttribute("title", /no API key for openai: set it in Settings/);
  for (const [width, height] of [[1440, 900], [1280, 720]]) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: `target/e2e-results/model-picker-${width}x${height}.png` });
  }
  // Typing filters the list; a click chooses.
  await field.fill("llama");
  await expect(list.getByRole("option")).toHaveCount(1);
  await list.getByRole("option").first().click();
  await expect(field).toHaveValue("ollama:llama3.2:latest");
  await expect(list).toBeHidden();
  // Keys: down to the option, Enter to choose.
  await field.fill("ll");
  await field.press("ArrowDown");
  await field.press("Enter");
  await expect(field).toHaveValue("ollama:llama3.2:latest");
  // A model no provider lists is kept as typed.
  await field.fill("openai:gpt-5-nano");
  await expect(list.getByText("No listed model matches")).toBeVisible();
  await field.press("Enter");
  await expect(field).toHaveValue("openai:gpt-5-nano");
  // It is the node's config now: selecting the node again shows it.
  await page.locator(".react-flow__pane").click({ position: { x: 20, y: 20 } });
  await page.locator('.react-flow__node[data-id="summarise"] .floe-node-title').click();
  await expect(page.locator("#field-model")).toHaveValue("openai:gpt-5-nano");
});
