import { expect, test } from "@playwright/test";
import { readFileSync, writeFileSync } from "node:fs";
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
  await expect(page.locator(".react-flow__node-floe")).toHaveCount(5);
  // Two top-level edges and the loop body's one.
  await expect(page.locator(".react-flow__edge")).toHaveCount(3);
  await expect(page.locator(".problem-count")).toHaveText("0");
  await page.screenshot({ path: "target/e2e-results/canvas-example.png" });
  const before = readFileSync(path.join(server.folder, "map-reduce-notes.json"), "utf8");
  await page.keyboard.press("Control+s");
  await expect(page.locator(".notice")).toHaveText("saved map-reduce-notes.json");
  expect(readFileSync(path.join(server.folder, "map-reduce-notes.json"), "utf8")).toBe(before);
});

test("deleting a node others read shows diagnostics, undo clears them", async ({ page }) => {
  await page.goto(server.url);
  await page.getByRole("button", { name: /summarise-text\.json/ }).click();
  await expect(page.locator(".react-flow__node-floe")).toHaveCount(1);
  await page.getByRole("button", { name: /csv-report\.json/ }).click();
  await expect(page.locator(".react-flow__node-floe")).toHaveCount(5);
  const node = page.locator('.react-flow__node[data-id="commentary"]');
  await node.click();
  await page.keyboard.press("Delete");
  await expect(page.locator(".react-flow__node-floe")).toHaveCount(4);
  await page.getByRole("tab", { name: /^Problems/ }).click();
  await expect(page.locator(".problems li").first()).toContainText("commentary");
  await expect(page.locator(".problem-count")).not.toHaveText("0");
  await page.screenshot({ path: "target/e2e-results/canvas-diagnostic.png" });
  await page.keyboard.press("Control+z");
  await expect(page.locator(".react-flow__node-floe")).toHaveCount(5);
  await expect(page.locator(".problem-count")).toHaveText("0");
});

test("builds a graph from the palette, configures it, and saves what the screen shows", async ({ page }) => {
  await page.goto(server.url);
  await page.getByRole("button", { name: "New", exact: true }).click();
  await page.getByRole("dialog", { name: "New blueprint" }).getByRole("textbox").fill("made/greeting.json");
  await page.keyboard.press("Enter");
  await expect(page.locator(".doc-title")).toHaveText("made/greeting.json");
  const canvas = page.locator(".react-flow__pane");

  // Drag two tools from the palette onto the canvas.
  await page.locator(".palette-search").fill("template");
  await page.locator('.palette-item[data-tool="text_template"]').dragTo(canvas, { targetPosition: { x: 200, y: 200 } });
  await page.locator(".palette-search").fill("write file");
  await page.locator('.palette-item[data-tool="write_file"]').dragTo(canvas, { targetPosition: { x: 600, y: 260 } });
  await expect(page.locator(".react-flow__node-floe")).toHaveCount(2);

  // Connect text_template.text → write_file.in by dragging between the handles.
  const from = page.locator('.react-flow__node[data-id="text_template"] .react-flow__handle.source[data-handleid="text"]');
  const to = page.locator('.react-flow__node[data-id="write_file"] .react-flow__handle.target[data-handleid="in"]');
  const a = (await from.boundingBox())!;
  const b = (await to.boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 12 });
  await page.mouse.up();
  await expect(page.locator(".react-flow__edge")).toHaveCount(1);

  // Configure through the inspector: a template reading a node that does not exist is a problem…
  await page.locator('.react-flow__node[data-id="text_template"]').click();
  const template = page.locator("#field-template");
  await template.fill("Hello {{ nodes.nobody.text }}");
  await template.blur();
  await page.getByRole("tab", { name: /^Problems/ }).click();
  await expect(page.locator(".problems li.error").first()).toContainText("nobody");
  await page.screenshot({ path: "target/e2e-results/palette-diagnostic.png" });
  // …and fixing it clears it (nothing feeds its `in` port, so the template says what to use then).
  await template.fill("Hello {{ inputs.in | default('world') }}");
  await template.blur();
  await expect(page.locator(".problems li.error")).toHaveCount(0);

  // Undo brings the broken template back, redo the fix.
  await page.keyboard.press("Control+z");
  await expect(page.locator(".problems li.error").first()).toContainText("nobody");
  await page.keyboard.press("Control+Shift+z");
  await expect(page.locator(".problems li.error")).toHaveCount(0);

  await page.keyboard.press("Control+s");
  await expect(page.locator(".notice")).toHaveText("saved made/greeting.json");
  const saved = readFileSync(path.join(server.folder, "made/greeting.json"), "utf8");
  const document = JSON.parse(saved);
  expect(document.edges).toEqual([{ from: "text_template.text", to: "write_file.in" }]);
  expect(document.nodes.find((n: { id: string }) => n.id === "text_template").config.args.template).toBe("Hello {{ inputs.in | default('world') }}");

  // Reloaded, the page shows the same graph, and saving again changes nothing on disk.
  await page.reload();
  await page.getByRole("button", { name: /made\/greeting\.json/ }).click();
  await expect(page.locator(".react-flow__node-floe")).toHaveCount(2);
  await expect(page.locator(".react-flow__edge")).toHaveCount(1);
  await page.keyboard.press("Control+s");
  await expect(page.locator(".notice")).toHaveText("saved made/greeting.json");
  expect(readFileSync(path.join(server.folder, "made/greeting.json"), "utf8")).toBe(saved);
});

test("shortcuts: cheat sheet, duplicate, arrange, dark theme", async ({ page }) => {
  await page.goto(server.url);
  await page.getByRole("button", { name: /order-alerts\.json/ }).click();
  const count = 6;
  await expect(page.locator(".react-flow__node-floe")).toHaveCount(count);
  await page.keyboard.press("?");
  await expect(page.getByRole("dialog", { name: "Keyboard shortcuts" })).toContainText("Duplicate the selected nodes");
  await page.keyboard.press("?");
  await expect(page.getByRole("dialog")).toHaveCount(0);
  const first = page.locator(".react-flow__node-floe").first();
  await first.click();
  await page.keyboard.press("Control+d");
  await expect(page.locator(".react-flow__node-floe")).toHaveCount(count + 1);
  await page.keyboard.press("Control+z");
  await expect(page.locator(".react-flow__node-floe")).toHaveCount(count);
  // Arranged left to right by data flow: the source (reading the orders) ends up left of the alert.
  await page.getByRole("button", { name: "Arrange" }).click();
  const x = async (id: string) => (await page.locator(`.react-flow__node[data-id="${id}"]`).boundingBox())!.x;
  await expect.poll(async () => (await x("read")) < (await x("alert"))).toBe(true);
  await page.keyboard.press("Shift+T");
  const theme = await page.evaluate(() => document.documentElement.dataset.theme);
  await page.screenshot({ path: `target/e2e-results/canvas-${theme}.png` });
  await page.keyboard.press("Shift+T");
  expect(await page.evaluate(() => document.documentElement.dataset.theme)).not.toBe(theme);
});

test("a large graph zoomed far out is an overview: a click selects, the minimap moves the view, zooming in brings the nodes back", async ({ page }) => {
  // 10 layers of 20 text templates, each fed by the one before it in its row.
  const nodes = [];
  const edges = [];
  const boxes: Record<string, { x: number; y: number }> = {};
  for (let l = 0; l < 10; l += 1) {
    for (let i = 0; i < 20; i += 1) {
      const id = `n${l}_${i}`;
      nodes.push({ id, kind: "tool", config: { tool: "text_template", args: { template: l === 0 ? "start" : "{{ inputs.in }}" } } });
      boxes[id] = { x: l * 280, y: i * 120 };
      if (l > 0) edges.push({ from: `n${l - 1}_${i}.text`, to: `${id}.in` });
    }
  }
  const doc = { format: "floe.blueprint", version: 1, id: "large", name: "Large", nodes, edges, layout: { nodes: boxes } };
  writeFileSync(path.join(server.folder, "large.json"), JSON.stringify(doc, null, 2));
  await page.goto(server.url);
  await page.getByRole("button", { name: /large\.json/ }).click();
  // Fitted, 200 nodes are far out: out of the DOM, drawn on the overview canvas.
  await expect(page.locator("canvas.overview")).toHaveAttribute("data-nodes", "200");
  await expect(page.locator(".react-flow__node-floe")).toHaveCount(0);
  await page.screenshot({ path: "target/e2e-results/canvas-overview.png" });
  const pane = (await page.locator(".react-flow__pane").boundingBox())!;
  const viewport = () =>
    page.evaluate(() => {
      const m = new DOMMatrix(getComputedStyle(document.querySelector(".react-flow__viewport")!).transform);
      return { x: m.e, y: m.f, zoom: m.a };
    });

  // `n0_0` is at (0, 0) in the layout: a click on it selects it.
  const v = await viewport();
  await page.mouse.click(pane.x + v.x + 100 * v.zoom, pane.y + v.y + 40 * v.zoom);
  await expect(page.locator("#field-id")).toHaveValue("n0_0");
  // Empty canvas: the selection is cleared and the inspector shows the blueprint.
  await page.mouse.click(pane.x + 5, pane.y + pane.height - 5);
  await expect(page.locator(".blueprint-panel")).toBeVisible();

  // The minimap: a press moves the view's centre there.
  const before = await viewport();
  const map = (await page.locator(".minimap canvas").boundingBox())!;
  await page.mouse.click(map.x + 10, map.y + 10);
  await expect.poll(async () => (await viewport()).x).not.toBe(before.x);

  // Zoomed in to a readable size, the nodes under the view are in the DOM again.
  await page.mouse.move(pane.x + pane.width / 2, pane.y + pane.height / 2);
  for (let i = 0; i < 20 && (await viewport()).zoom < 0.8; i += 1) await page.mouse.wheel(0, -200);
  await expect(page.locator("canvas.overview")).toHaveCount(0);
  await expect(page.locator(".react-flow__node-floe").first()).toBeVisible();
});

test("a small graph stays drawn as nodes at any zoom", async ({ page }) => {
  await page.goto(server.url);
  await page.getByRole("button", { name: /map-reduce-notes\.json/ }).click();
  await expect(page.locator(".react-flow__node-floe")).toHaveCount(5);
  const pane = (await page.locator(".react-flow__pane").boundingBox())!;
  await page.mouse.move(pane.x + pane.width / 2, pane.y + pane.height / 2);
  for (let i = 0; i < 10; i += 1) await page.mouse.wheel(0, 200);
  await expect(page.locator("canvas.overview")).toHaveCount(0);
  await expect(page.locator(".react-flow__node-floe")).toHaveCount(5);
});

test("palette items added by double-click or Enter land in view, never on each other, fed by the selection; each is valid as placed", async ({ page }) => {
  await page.goto(server.url);
  await page.getByRole("button", { name: "New", exact: true }).click();
  await page.getByRole("dialog", { name: "New blueprint" }).getByRole("textbox").fill("made/placed.json");
  await page.keyboard.press("Enter");
  await expect(page.locator(".doc-title")).toHaveText("made/placed.json");
  const box = async (id: string) => (await page.locator(`.react-flow__node[data-id="${id}"]`).boundingBox())!;
  const apart = (a: { x: number; y: number; width: number; height: number }, b: typeof a) =>
    a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;

  // Nothing selected: twice the same item, by double-click — in view, one beside the other.
  await page.locator('.palette-item[data-tool="text_template"]').dblclick();
  await page.locator(".react-flow__pane").click({ position: { x: 5, y: 5 } });
  await page.locator('.palette-item[data-tool="text_template"]').dblclick();
  await expect(page.locator(".react-flow__node-floe")).toHaveCount(2);
  expect(apart(await box("text_template"), await box("text_template_2"))).toBe(true);
  const pane = (await page.locator(".react-flow__pane").boundingBox())!;
  for (const id of ["text_template", "text_template_2"]) {
    const b = await box(id);
    expect(b.x >= pane.x && b.y >= pane.y && b.x + b.width <= pane.x + pane.width && b.y + b.height <= pane.y + pane.height).toBe(true);
  }
  // The new node is selected: an LLM added by Enter (search, then Enter) goes right of it, fed by its text.
  await page.locator(".palette-search").fill("llm");
  await page.locator(".palette-search").press("Enter");
  await expect(page.locator(".react-flow__node-floe")).toHaveCount(3);
  const [t2, llm] = [await box("text_template_2"), await box("llm")];
  expect(llm.x).toBeGreaterThan(t2.x + t2.width);
  expect(apart(llm, await box("text_template"))).toBe(true);
  await expect(page.locator('.react-flow__edge[data-id^="text_template_2.text"]')).toHaveCount(1);
  // A loop, unselected, starts with a body that makes it valid.
  await page.locator(".react-flow__pane").click({ position: { x: 5, y: 5 } });
  await page.locator(".palette-search").fill("");
  await page.locator('.palette-item[data-kind="loop"]').dblclick();
  await expect(page.locator('.react-flow__node[data-id="each_item"]')).toHaveCount(1);
  // A recursive node with nothing to refine gets a first draft to start from; a sub-workflow
  // calls a blueprint of the folder that needs no inputs.
  await page.locator(".react-flow__pane").click({ position: { x: 5, y: 5 } });
  await page.locator('.palette-item[data-kind="recursive"]').dblclick();
  await expect(page.locator('.react-flow__node[data-id="first_draft"]')).toHaveCount(1);
  await page.locator(".react-flow__pane").click({ position: { x: 5, y: 5 } });
  await page.locator('.palette-item[data-kind="parallel"]').dblclick();
  await expect(page.locator('.react-flow__node[data-id="branch_b"]')).toHaveCount(1);
  await page.locator(".react-flow__pane").click({ position: { x: 5, y: 5 } });
  await page.locator('.palette-item[data-kind="workflow"]').dblclick();
  await expect(page.locator('.react-flow__node[data-id="workflow"] .floe-node-summary')).toContainText("../");
  await page.getByRole("tab", { name: /^Problems/ }).click();
  await expect(page.locator(".problem-count")).toHaveText("0");
  await page.screenshot({ path: "target/e2e-results/placed.png" });
});

test("renaming a node's id updates every reference, and the saved file compiles", async ({ page }) => {
  await page.goto(server.url);
  await page.getByRole("button", { name: /csv-report\.json/ }).click();
  await expect(page.locator(".react-flow__node-floe")).toHaveCount(5);
  await page.locator('.react-flow__node[data-id="commentary"]').click();
  await page.locator("#field-id").fill("weekly_commentary");
  await page.locator("#field-id").press("Enter");
  await expect(page.locator('.react-flow__node[data-id="weekly_commentary"]')).toHaveCount(1);
  await expect(page.locator(".notice")).toHaveText("renamed commentary to weekly_commentary");
  // A taken id is refused with what to do.
  await page.locator("#field-id").fill("load");
  await page.locator("#field-id").press("Enter");
  await expect(page.locator('[data-field="id"] .field-problem')).toContainText("exists already");
  await page.locator("#field-id").press("Escape");
  await page.keyboard.press("Control+s");
  await expect(page.locator(".notice")).toHaveText("saved csv-report.json");
  await expect(page.locator(".problem-count")).toHaveText("0");
  const saved = readFileSync(path.join(server.folder, "csv-report.json"), "utf8");
  for (const reference of ['"commentary.text"', '"commentary.in"', "nodes.commentary.text"]) expect(saved).not.toContain(reference);
  for (const reference of ['"from": "weekly_commentary.text"', '"to": "weekly_commentary.in"', "{{ nodes.weekly_commentary.text }}"]) expect(saved).toContain(reference);
  // One undo brings the old id back everywhere.
  await page.locator(".react-flow__pane").click({ position: { x: 5, y: 5 } });
  await page.keyboard.press("Control+z");
  await expect(page.locator('.react-flow__node[data-id="commentary"]')).toHaveCount(1);
});

test("the edges of a cycle are drawn apart in the error colour and can be selected and deleted", async ({ page }) => {
  const node = (id: string) => ({ id, kind: "tool", config: { tool: "text_template", args: { template: "{{ inputs.in | default('x') }}" } } });
  const doc = {
    format: "floe.blueprint",
    version: 1,
    id: "cycle",
    name: "Cycle",
    nodes: [node("a"), node("b"), node("c")],
    edges: [
      { from: "a.text", to: "b.in" },
      { from: "b.text", to: "a.in" },
      { from: "b.text", to: "c.in" },
    ],
    layout: { nodes: { a: { x: 0, y: 0 }, b: { x: 300, y: 0 }, c: { x: 600, y: 0 } } },
  };
  writeFileSync(path.join(server.folder, "cycle.json"), JSON.stringify(doc, null, 2));
  await page.goto(server.url);
  await page.getByRole("button", { name: /cycle\.json/ }).click();
  await expect(page.locator(".react-flow__edge")).toHaveCount(3);
  await expect(page.locator(".react-flow__edge.cycle")).toHaveCount(2);
  await expect(page.locator(".problem-count")).not.toHaveText("0");
  await page.screenshot({ path: "target/e2e-results/canvas-cycle.png" });
  // The edge back from b to a: selected from the keyboard, deleted; the cycle is gone.
  const back = page.locator('.react-flow__edge.cycle[data-id^="b.text"]');
  await back.focus();
  await page.keyboard.press("Enter");
  await expect(back).toHaveClass(/selected/);
  await page.keyboard.press("Delete");
  await expect(page.locator(".react-flow__edge")).toHaveCount(2);
  await expect(page.locator(".react-flow__edge.cycle")).toHaveCount(0);
  await expect(page.locator(".problem-count")).toHaveText("0");
});
