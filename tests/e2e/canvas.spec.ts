import { expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import path from "node:path";
import { serve, type Served } from "./server";

let server: Served;
test.beforeAll(async () => {
  server = await serve();
});
test.afterAll(() => {
  server?.process.kill();
});

test("opens an example, shows its nodes and problems, and saves it unchanged", async ({ page }) => {
  await page.goto(server.url);
  await expect(page.getByRole("button", { name: /map-reduce-notes\.json/ })).toBeVisible();
  await page.getByRole("button", { name: /map-reduce-notes\.json/ }).click();
  await expect(page.locator(".react-flow__node")).toHaveCount(5);
  // Two top-level edges and the loop body's one.
  await expect(page.locator(".react-flow__edge")).toHaveCount(3);
  await expect(page.locator(".problems .count")).toHaveText("0");
  await page.screenshot({ path: "target/e2e-results/canvas-example.png" });
  const before = readFileSync(path.join(server.folder, "map-reduce-notes.json"), "utf8");
  await page.keyboard.press("Control+s");
  await expect(page.locator(".notice")).toHaveText("saved map-reduce-notes.json");
  expect(readFileSync(path.join(server.folder, "map-reduce-notes.json"), "utf8")).toBe(before);
});

test("deleting a node others read shows diagnostics, undo clears them", async ({ page }) => {
  await page.goto(server.url);
  await page.getByRole("button", { name: /summarise-text\.json/ }).click();
  await expect(page.locator(".react-flow__node")).toHaveCount(1);
  await page.getByRole("button", { name: /csv-report\.json/ }).click();
  await expect(page.locator(".react-flow__node")).toHaveCount(5);
  const node = page.locator('.react-flow__node[data-id="commentary"]');
  await node.click();
  await page.keyboard.press("Delete");
  await expect(page.locator(".react-flow__node")).toHaveCount(4);
  await expect(page.locator(".problems li").first()).toContainText("commentary");
  await expect(page.locator(".problems .count")).not.toHaveText("0");
  await page.screenshot({ path: "target/e2e-results/canvas-diagnostic.png" });
  await page.keyboard.press("Control+z");
  await expect(page.locator(".react-flow__node")).toHaveCount(5);
  await expect(page.locator(".problems .count")).toHaveText("0");
});
