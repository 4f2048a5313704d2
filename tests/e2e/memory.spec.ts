import { expect, type Page, test } from "@playwright/test";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { serve, type Served } from "./server";

// The Memory view against `floe serve` with the real engine and store: the remember-facts
// example runs twice from the canvas (the second run's plan supersedes the first), then Memory
// shows the namespace, searches it, opens the run and node that wrote a memory, edits one (a new
// version, the old one in its history) and forgets one.

let server: Served;
test.beforeAll(async () => {
  server = await serve();
});
test.afterAll(() => {
  server?.process.kill();
});

/** Where screenshots for a person to look at go (SHOTS_DIR), if anywhere. */
async function shot(page: Page, name: string) {
  const dir = process.env.SHOTS_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, name) });
}

async function runFacts(page: Page, plan: string, note?: string) {
  await page.keyboard.press("Control+Enter");
  const form = page.getByRole("dialog", { name: "Run inputs" });
  await expect(form).toBeVisible();
  await form.locator('textarea[name="plan"]').fill(plan);
  if (note) await form.locator('textarea[name="note"]').fill(note);
  await form.getByRole("button", { name: "Run" }).click();
  await expect(page.locator(".run-controls")).toHaveAttribute("data-status", "succeeded", { timeout: 20_000 });
}

test("memory written by a workflow is searched, traced to its run, edited and forgotten in the Memory view", async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(server.url);
  await page.locator("button.file", { has: page.locator(".file-path", { hasText: /^remember-facts\.json$/ }) }).click();
  await expect(page.locator(".doc-title")).toHaveText("remember-facts.json");
  await runFacts(page, "pro");
  await runFacts(page, "team", "moved to the team plan");

  // Open Memory (its key): the namespace, its memories newest first, the first one shown.
  await page.keyboard.press("Control+Shift+M");
  const view = page.getByRole("dialog", { name: "Memory" });
  await expect(view).toBeVisible();
  await expect(view.getByRole("navigation", { name: "Namespaces" })).toContainText("customers");
  const list = view.getByRole("listbox", { name: "Memories" });
  await expect(list.getByRole("option")).toHaveCount(3);
  await expect(list.getByRole("option").first()).toContainText("ada moved to the team plan");
  await expect(list).toContainText("ada is on the team plan");
  await expect(list).not.toContainText("ada is on the pro plan");
  await shot(page, "memory-1440.png");
  await page.setViewportSize({ width: 1280, height: 720 });
  await shot(page, "memory-1280.png");
  await page.setViewportSize({ width: 1440, height: 900 });

  // Up and down move through the list.
  await list.getByRole("option").first().focus();
  await page.keyboard.press("ArrowDown");
  await expect(list.getByRole("option").nth(1)).toHaveAttribute("aria-selected", "true");
  await expect(list.getByRole("option").nth(1)).toBeFocused();
  await page.keyboard.press("ArrowUp");
  await expect(list.getByRole("option").first()).toHaveAttribute("aria-selected", "true");

  // Search: only the matching memory.
  await view.getByRole("searchbox", { name: "Search memories" }).fill("invoice");
  await expect(list.getByRole("option")).toHaveCount(1);
  await expect(list.getByRole("option")).toContainText("asked for a copy of the March invoice");
  await view.getByRole("searchbox", { name: "Search memories" }).fill("");
  await expect(list.getByRole("option")).toHaveCount(3);

  // The plan: its history has both values; it came from the second run, at node `plan`.
  await list.getByRole("option", { name: /ada is on the team plan/ }).click();
  const history = view.getByRole("region", { name: "History" });
  await expect(history.locator("li")).toHaveCount(2);
  await expect(history).toContainText("ada is on the pro plan");
  const provenance = view.getByRole("region", { name: "Where it came from" });
  await expect(provenance).toContainText("at node plan");
  await expect(provenance).toContainText("remember-facts.json");
  await shot(page, "memory-detail.png");

  // Open the run: the view closes, the canvas shows that run with the node selected.
  await provenance.getByRole("button", { name: "Open the run" }).click();
  await expect(view).toHaveCount(0);
  await expect(page.locator('.react-flow__node.selected .floe-node[data-node="plan"]')).toHaveCount(1);
  await expect(page.locator('.floe-node[data-node="plan"]')).toHaveAttribute("data-status", "succeeded");

  // Edit it: a new version, written by a person, the old ones in its history.
  await page.locator(".toolbar").getByRole("button", { name: "Memory", exact: true }).click();
  await list.getByRole("option", { name: /ada is on the team plan/ }).click();
  await view.getByRole("textbox", { name: "Memory text" }).fill("ada is on the team plan, billed yearly");
  await view.getByRole("button", { name: "Save edit" }).click();
  await expect(list.getByRole("option").first()).toContainText("billed yearly");
  await expect(view.getByRole("region", { name: "Where it came from" })).toContainText("Written by a person");
  await expect(view.getByRole("region", { name: "History" }).locator("li")).toHaveCount(3);
  // A value that is not JSON cannot be saved, and says why.
  await view.getByRole("textbox", { name: "Memory value" }).fill("{team");
  await expect(view.locator(".field-error")).toBeVisible();
  await expect(view.getByRole("button", { name: "Save edit" })).toBeDisabled();
  await view.getByRole("textbox", { name: "Memory value" }).fill('"team"');

  // Forget it: gone from the list and from search.
  await view.getByRole("button", { name: "Forget…" }).click();
  await view.getByRole("button", { name: "Forget", exact: true }).click();
  await expect(list.getByRole("option")).toHaveCount(2);
  await expect(list).not.toContainText("billed yearly");
  await view.getByRole("searchbox", { name: "Search memories" }).fill("yearly");
  await expect(view.getByText("No memory matches.")).toBeVisible();
});
