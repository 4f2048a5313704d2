import { expect, type Page, test } from "@playwright/test";
import type { ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fakeProvider, serve, type Served } from "./server";

// Setting up a model in the app, as a new user would: Settings, add an OpenAI-compatible
// endpoint (a loopback server speaking OpenAI's wire format), store its key (in the test's own
// Secret Service: `make test` runs this under scripts/with-keyring.sh), Test it, choose one of
// its models as the default, and run an example that calls `default`. With the key deleted, Run
// stops before any node starts and its action opens Settings at that provider.

const KEY = "sk-office-e2e-3f9a1c";
let server: Served;
let provider: ChildProcess;
let baseUrl: string;
let home: string;

test.beforeAll(async () => {
  // Keys go to a real Secret Service: the test's own (make test runs it under with-keyring.sh).
  if (!process.env.FLOE_KEYRING_TEST) throw new Error("run this under scripts/with-keyring.sh: it needs a private Secret Service");
  const fake = await fakeProvider("openai");
  provider = fake.process;
  baseUrl = fake.baseUrl;
  home = mkdtempSync(path.join(tmpdir(), "floe-e2e-home-"));
  mkdirSync(path.join(home, "config"), { recursive: true });
  server = await serve(undefined, {
    XDG_CONFIG_HOME: path.join(home, "config"),
    FLOE_SETTINGS: path.join(home, "config", "floe", "settings.json"),
    OPENAI_API_KEY: "",
    OFFICE_API_KEY: "",
  });
});
test.afterAll(() => {
  server?.process.kill();
  provider?.kill();
});

/** Every file under `folder`, recursively. */
function files(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const full = path.join(folder, name);
    return statSync(full).isDirectory() ? files(full) : [full];
  });
}

/** The runs the server has stored. */
async function runCount(page: Page): Promise<number> {
  const url = new URL(server.url);
  const token = url.searchParams.get("token") ?? "";
  const answer = await page.request.post(`${url.origin}/api/runs`, { headers: { authorization: `Bearer ${token}` }, data: {} });
  return ((await answer.json()) as unknown[]).length;
}


test("a model is set up in Settings, runs an example, and a missing key stops the run before it starts", async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(server.url);
  // No blueprint open: the welcome offers the examples, a new blueprint and a model.
  const welcome = page.getByRole("region", { name: "Welcome" });
  await expect(welcome).toBeVisible();
  for (const [width, height] of [
    [1440, 900],
    [1280, 720],
  ]) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: `target/e2e-results/welcome-${width}x${height}.png` });
  }
  await welcome.getByRole("button", { name: "Set up a model" }).click();
  const settings = page.getByRole("dialog", { name: "Settings" });
  await expect(settings).toBeVisible();

  // Add the endpoint.
  await settings.getByRole("button", { name: "+ Add endpoint" }).click();
  await settings.getByLabel("Name").fill("office");
  await settings.getByLabel("Base URL").fill(baseUrl);
  await settings.getByLabel("Needs a key").check();
  await settings.getByRole("button", { name: "Add endpoint", exact: true }).click();
  await expect(settings.getByRole("heading", { name: /^office/ })).toBeVisible();
  await expect(settings.locator(".key-status")).toHaveText("No key");

  // Store its key: the keychain holds it; no file Floe writes does.
  await settings.getByLabel("office API key").fill(KEY);
  await settings.getByRole("button", { name: "Save key" }).click();
  await expect(settings.locator(".key-status")).toHaveText("Key stored in the keychain");
  for (const file of [...files(home), ...files(server.scratch)]) {
    expect(readFileSync(file).includes(KEY), `${file} holds the key`).toBe(false);
  }

  // Test: one cheap call, with a readable result.
  await settings.getByRole("button", { name: "Test" }).click();
  await expect(settings.locator(".test-result")).toHaveClass(/ok/);
  await expect(settings.locator(".test-result")).toContainText("office answered in");
  await expect(settings.locator(".test-result")).toContainText("lists 1 model");

  // Its models are listed for the default model; one is chosen.
  const field = settings.locator("#default-model");
  await field.click();
  const list = page.getByRole("listbox", { name: "Models" });
  await list.getByRole("group", { name: "office" }).getByRole("option").first().click();
  await expect(field).toHaveValue("office:gpt-4o-mini");
  await expect(settings.locator(".default-model .hint")).toContainText("call it");
  const written = JSON.parse(readFileSync(path.join(home, "config", "floe", "settings.json"), "utf8"));
  expect(written.default_model).toBe("office:gpt-4o-mini");
  expect(written.providers.office.base_url).toBe(baseUrl);
  for (const [width, height] of [
    [1440, 900],
    [1280, 720],
  ]) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: `target/e2e-results/settings-${width}x${height}.png` });
  }
  await page.keyboard.press("Escape");
  await expect(settings).toBeHidden();

  // An example calling `default` runs to success against the endpoint.
  await page.locator("button.file", { has: page.locator(".file-path", { hasText: /^summarise-text\.json$/ }) }).click();
  await page.locator(".toolbar .run-button").click();
  const form = page.getByRole("dialog", { name: "Run inputs" });
  await form.locator('textarea[name="text"]').fill("Floe runs workflows on your machine.");
  await form.getByRole("button", { name: "Run" }).click();
  await expect(page.locator(".run-controls")).toHaveAttribute("data-status", "succeeded", { timeout: 20_000 });
  const runs = await runCount(page);

  // Delete the key: Run is stopped before any node starts, and says what to do.
  await page.getByRole("button", { name: "Settings", exact: true }).click();
  await settings.getByRole("button", { name: /^office/ }).click();
  await settings.getByRole("button", { name: "Delete key" }).click();
  await expect(settings.locator(".key-status")).toHaveText("No key");
  await page.keyboard.press("Escape");
  await page.locator(".toolbar .run-button").click();
  await form.getByRole("button", { name: "Run" }).click();
  const unready = page.getByRole("alertdialog", { name: "Not ready to run" });
  await expect(unready).toBeVisible();
  await expect(unready).toContainText("office needs an API key: set it in Settings");
  await expect(unready).toContainText("summarise");
  expect(await runCount(page), "no run was started").toBe(runs);
  for (const [width, height] of [
    [1440, 900],
    [1280, 720],
  ]) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: `target/e2e-results/not-ready-${width}x${height}.png` });
  }
  // Its action opens Settings at that provider.
  await unready.getByRole("button", { name: "Set the office key" }).click();
  await expect(settings).toBeVisible();
  await expect(settings.getByRole("heading", { name: /^office/ })).toBeVisible();
  await expect(settings.getByLabel("office API key")).toBeVisible();
});
