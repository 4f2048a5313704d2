import { expect, test } from "@playwright/test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { serve, type Served } from "./server";

// The inspector's editors, the Problems panel, fixes, sticky notes and the workspace's file
// actions, against `floe serve` with the real compiler.
let server: Served;
test.beforeAll(async () => {
  server = await serve();
});
test.afterAll(() => {
  server?.process.kill();
});

const file = (name: string) => path.join(server.folder, name);

test("a problem leads to its field, and its fix applies in one click", async ({ page }) => {
  await page.goto(server.url);
  await page.getByRole("button", { name: /fetch-and-summarise\.json/ }).click();
  await page.locator('.react-flow__node[data-id="summarise"]').click();
  const prompt = page.locator("#field-prompt");
  await expect(prompt).toHaveAttribute("contenteditable", "true");

  // Completion offers the run's inputs after `run.`.
  await prompt.click();
  await page.keyboard.press("Control+End");
  await page.keyboard.type("\n{{ run.");
  await expect(page.locator(".cm-tooltip-autocomplete")).toContainText("url");
  await page.keyboard.press("Escape");
  await page.keyboard.type("tone }}");
  await page.locator(".inspector h2").click();
  await page.getByRole("tab", { name: /^Problems/ }).click();
  const problem = page.locator(".problems li.error").filter({ hasText: "tone" });
  await expect(problem).toHaveCount(1);
  await expect(page.locator('.react-flow__node[data-id="summarise"] .floe-node-badge')).toBeVisible();
  await expect(page.locator('[data-field="prompt"] .field-problem')).toContainText("tone");
  await page.screenshot({ path: "target/e2e-results/inspector-problem.png" });

  // Clicking the problem selects the node and puts the cursor in the field.
  await page.locator('.react-flow__node[data-id="fetch"]').click();
  await expect(page.locator("#field-id")).toHaveValue("fetch");
  await problem.locator("button.problem").click();
  await expect(page.locator("#field-id")).toHaveValue("summarise");
  await expect(page.locator("#field-prompt")).toBeFocused();

  // The compiler's fix declares the input; undo takes it back, redo applies it again.
  await problem.locator("button.fix").click();
  await expect(page.locator(".problem-count")).toHaveText("0");
  await page.locator(".react-flow__pane").click();
  await page.keyboard.press("Control+z");
  await expect(page.locator(".problems li.error").filter({ hasText: "tone" })).toHaveCount(1);
  await page.keyboard.press("Control+Shift+z");
  await expect(page.locator(".problem-count")).toHaveText("0");
  await page.keyboard.press("Control+s");
  await expect(page.locator(".notice")).toHaveText("saved fetch-and-summarise.json");
  const saved = JSON.parse(readFileSync(file("fetch-and-summarise.json"), "utf8"));
  expect(Object.keys(saved.inputs)).toEqual(["tone", "url"]);
  expect(saved.nodes.find((n: { id: string }) => n.id === "summarise").config.prompt).toContain("{{ run.tone }}");
});

test("policy editors, sticky notes, resizing a loop and dropping into its body", async ({ page }) => {
  await page.goto(server.url);
  await page.getByRole("button", { name: /map-reduce-notes\.json/ }).click();
  await expect(page.locator(".react-flow__node-floe")).toHaveCount(5);

  // Retry policy from nothing: "Set retry" starts from sensible values.
  await page.locator('.react-flow__node[data-id="list"]').click();
  await page.locator("details.policy summary").click();
  await page.locator("#field-policy\\.retry").click();
  await expect(page.locator("#field-policy\\.retry\\.attempts")).toHaveValue("3");
  await page.locator("#field-policy\\.on_error").selectOption("default");
  await page.locator("#field-policy\\.on_error\\.value").fill("[]");
  await page.locator("#field-policy\\.on_error\\.value").blur();
  await expect(page.locator(".problem-count")).toHaveText("0");

  // A sticky note, written and kept.
  await page.locator(".react-flow__pane").click();
  await page.keyboard.press("Shift+N");
  const note = page.getByRole("textbox", { name: "Sticky note" });
  await note.fill("Summaries land in combine");
  await note.blur();
  await expect(page.locator(".react-flow__node-comment")).toContainText("Summaries land in combine");

  // Resize the loop by its corner handle, then drop a tool into its body.
  await page.locator('.react-flow__node[data-id="each"] .floe-node-title').click();
  const corner = page.locator('.react-flow__node[data-id="each"] .react-flow__resize-control.bottom.right').first();
  const c = (await corner.boundingBox())!;
  await page.mouse.move(c.x + c.width / 2, c.y + c.height / 2);
  await page.mouse.down();
  await page.mouse.move(c.x + 120, c.y + 80, { steps: 8 });
  await page.mouse.up();
  const loop = (await page.locator('.react-flow__node[data-id="each"]').boundingBox())!;
  await page.locator(".palette-search").fill("sleep");
  await page.locator('.palette-item[data-tool="sleep"]').dragTo(page.locator('.react-flow__node[data-id="each"]'), {
    targetPosition: { x: loop.width - 100, y: loop.height - 30 },
  });
  await expect(page.locator('.react-flow__node[data-id="sleep"]')).toHaveCount(1);
  await page.screenshot({ path: "target/e2e-results/notes-and-containers.png" });
  await page.keyboard.press("Control+s");
  await expect(page.locator(".notice")).toHaveText("saved map-reduce-notes.json");

  const saved = JSON.parse(readFileSync(file("map-reduce-notes.json"), "utf8"));
  const list = saved.nodes.find((n: { id: string }) => n.id === "list");
  expect(list.policy).toEqual({ retry: { attempts: 3 }, on_error: { action: "default", value: [] } });
  expect(saved.layout.comments).toHaveLength(1);
  expect(saved.layout.comments[0].text).toBe("Summaries land in combine");
  expect(saved.layout.nodes.each.width).toBeGreaterThan(loop.width - 40);
  const each = saved.nodes.find((n: { id: string }) => n.id === "each");
  expect(each.body.nodes.map((n: { id: string }) => n.id)).toContain("sleep");
});

test("save as, rename, delete, reload on disk change, and the unsaved guard", async ({ page }) => {
  await page.goto(server.url);
  await page.getByRole("button", { name: /parallel-race\.json/ }).click();
  await expect(page.locator(".doc-title")).toHaveText("parallel-race.json");

  await page.keyboard.press("Control+Shift+s");
  await page.getByRole("dialog", { name: "Save as" }).getByRole("textbox").fill("copies/race.json");
  await page.keyboard.press("Enter");
  await expect(page.locator(".doc-title")).toHaveText("copies/race.json");
  expect(readFileSync(file("copies/race.json"), "utf8")).toBe(readFileSync(file("parallel-race.json"), "utf8"));

  await page.getByRole("button", { name: "More" }).click();
  await page.getByRole("menuitem", { name: "Rename…" }).click();
  await page.getByRole("dialog", { name: "Rename" }).getByRole("textbox").fill("copies/renamed.json");
  await page.keyboard.press("Enter");
  await expect(page.locator(".doc-title")).toHaveText("copies/renamed.json");
  expect(existsSync(file("copies/race.json"))).toBe(false);
  await expect(page.getByRole("button", { name: /copies\/renamed\.json/ })).toBeVisible();

  // Another program changes the file: with no unsaved edits here, the canvas follows.
  const changed = JSON.parse(readFileSync(file("copies/renamed.json"), "utf8"));
  changed.nodes[0].title = "Changed elsewhere";
  writeFileSync(file("copies/renamed.json"), `${JSON.stringify(changed, null, 2)}\n`);
  await expect(page.locator(".react-flow__node-floe").filter({ hasText: "Changed elsewhere" })).toHaveCount(1, { timeout: 10_000 });
  await expect(page.locator(".notice")).toContainText("changed on disk");

  // With unsaved edits, a change on disk asks instead of overwriting them.
  await page.locator(".react-flow__node-floe").first().click();
  await page.keyboard.press("Control+d");
  changed.nodes[0].title = "Changed again";
  writeFileSync(file("copies/renamed.json"), `${JSON.stringify(changed, null, 2)}\n`);
  await expect(page.getByRole("alert")).toContainText("changed on disk", { timeout: 10_000 });
  // Switching files asks before dropping the edits; cancelling keeps them.
  await page.getByRole("button", { name: /order-alerts\.json/ }).click();
  await page.getByRole("dialog", { name: "Discard unsaved changes?" }).getByRole("button", { name: "Cancel" }).click();
  await expect(page.locator(".doc-title")).toHaveText("● copies/renamed.json");
  await page.getByRole("alert").getByRole("button", { name: "Reload from disk" }).click();
  await expect(page.locator(".react-flow__node-floe").filter({ hasText: "Changed again" })).toHaveCount(1);
  await expect(page.locator(".doc-title")).toHaveText("copies/renamed.json");

  await page.getByRole("button", { name: "More" }).click();
  await page.getByRole("menuitem", { name: "Delete" }).click();
  await page.getByRole("dialog", { name: "Delete blueprint?" }).getByRole("button", { name: "Delete" }).click();
  await expect(page.locator(".doc-title")).toHaveText("No blueprint open");
  expect(existsSync(file("copies/renamed.json"))).toBe(false);

  // About shows the version.
  await page.getByRole("button", { name: "More" }).click();
  await page.getByRole("menuitem", { name: "About Floe" }).click();
  await expect(page.getByRole("dialog", { name: "About Floe" })).toContainText(/Version \d+\.\d+\.\d+/);
});

test("forms fit their fields: chips for lists of choices, durations with units, defaults shown, JSON checked as typed", async ({ page }) => {
  await page.goto(server.url);
  await page.getByRole("button", { name: /csv-report\.json/ }).click();
  await expect(page.locator(".react-flow__node-floe")).toHaveCount(5);
  await page.locator('.react-flow__node[data-id="commentary"]').click();

  // fallback_on: a list of error classes, as chips; none chosen says what the default is.
  const chips = page.getByRole("group", { name: "fallback_on" });
  await expect(chips.locator(".chips-default")).toBeVisible();
  await chips.getByRole("button", { name: "timeout", exact: true }).click();
  await expect(chips.getByRole("button", { name: "timeout", exact: true })).toHaveAttribute("aria-pressed", "true");
  await chips.getByRole("button", { name: "server", exact: true }).click();

  // A JSON field says what is wrong while it is typed.
  await page.locator("#field-stop").fill("[\"END\"");
  await expect(page.locator('[data-field="stop"] .field-problem')).toContainText("not valid JSON");
  await page.locator("#field-stop").fill('"END"');
  await expect(page.locator('[data-field="stop"] .field-problem')).toContainText("must be a JSON array");
  await page.locator("#field-stop").fill('["END"]');
  await page.locator("#field-stop").blur();

  // The policy's timeout: a number and a unit.
  await page.locator("details.policy summary").click();
  await page.locator("#field-policy\\.timeout").fill("90");
  await page.locator('[data-field="policy.timeout"] select').selectOption("s");
  await page.locator("#field-policy\\.timeout").blur();

  // A yes/no left unset shows what that means.
  await page.locator('.react-flow__node[data-id="load"]').click();
  await expect(page.locator("#field-has_header option").first()).toHaveText("default (yes)");
  await page.locator("#field-has_header").selectOption("false");
  await page.screenshot({ path: "target/e2e-results/forms.png" });

  await page.keyboard.press("Control+s");
  await expect(page.locator(".notice")).toHaveText("saved csv-report.json");
  const saved = JSON.parse(readFileSync(path.join(server.folder, "csv-report.json"), "utf8"));
  const byId = (id: string) => saved.nodes.find((n: { id: string }) => n.id === id);
  expect(byId("commentary").config.fallback_on).toEqual(["timeout", "server"]);
  expect(byId("commentary").config.stop).toEqual(["END"]);
  expect(byId("commentary").policy.timeout).toBe("90s");
  expect(byId("load").config.args.has_header).toBe(false);
});

test("the blueprint panel edits the blueprint itself: name, run inputs with types and defaults, outputs, defaults, limits", async ({ page }) => {
  await page.goto(server.url);
  await page.getByRole("button", { name: /summarise-text\.json/ }).click();
  await expect(page.locator(".blueprint-panel")).toBeVisible();
  // Save is the main button only when there is something to save.
  await expect(page.locator(".toolbar .text-button.primary")).toHaveCount(0);
  const panel = page.locator(".blueprint-panel");
  await panel.locator("#blueprint-name").fill("Summarise any text");
  await panel.locator("#blueprint-name").press("Enter");
  await expect(page.locator(".toolbar .text-button.primary")).toHaveText("Save");

  // A run input: added, renamed, typed, given a default checked against its type, described.
  await panel.getByRole("button", { name: "Add input" }).click();
  const name = panel.getByLabel("Input input: name");
  await name.fill("max_words");
  await name.press("Enter");
  await panel.getByLabel("Input max_words: type").selectOption("integer");
  const fallback = panel.getByLabel("Input max_words: default");
  await fallback.fill("12.5");
  await expect(panel.locator('[data-input="max_words"] .field-problem')).toContainText("not a whole number");
  await fallback.fill("120");
  await fallback.press("Enter");
  await panel.getByLabel("Input max_words: description").fill("Longest summary, in words");
  await panel.getByLabel("Input max_words: description").press("Enter");

  // Defaults every node inherits, and the run's limits.
  await panel.locator("details.policy summary", { hasText: "Defaults" }).click();
  await panel.locator("#field-defaults\\.timeout").fill("2");
  await panel.locator('[data-field="defaults.timeout"] select').selectOption("m");
  await panel.locator("#field-defaults\\.timeout").blur();
  await panel.locator("details.policy summary", { hasText: "Run limits" }).click();
  await panel.locator("#field-run\\.max_concurrency").fill("4");
  await panel.locator("#field-run\\.max_concurrency").blur();
  await page.screenshot({ path: "target/e2e-results/blueprint-panel.png" });

  await page.keyboard.press("Control+s");
  await expect(page.locator(".notice")).toHaveText("saved summarise-text.json");
  await expect(page.locator(".problem-count")).toHaveText("0");
  const saved = JSON.parse(readFileSync(path.join(server.folder, "summarise-text.json"), "utf8"));
  expect(saved.name).toBe("Summarise any text");
  expect(saved.inputs.max_words).toEqual({ type: "integer", default: 120, description: "Longest summary, in words" });
  expect(saved.defaults.timeout).toBe("2m");
  expect(saved.run.max_concurrency).toBe(4);
  // Each edit was one undoable step.
  await page.keyboard.press("Control+z");
  await expect(panel.locator("#field-run\\.max_concurrency")).toHaveValue("");
});

test("the sidebar, inspector and run panel fold and resize, the minimap hides, and the layout is remembered", async ({ page }) => {
  await page.goto(server.url);
  await page.getByRole("button", { name: /csv-report\.json/ }).click();
  const inspector = page.locator(".inspector-frame");
  const before = (await inspector.boundingBox())!.width;
  // Drag the inspector's edge 80 px to the left: it grows by 80.
  const edge = (await page.getByRole("separator", { name: /Resize the inspector/ }).boundingBox())!;
  await page.mouse.move(edge.x + edge.width / 2, edge.y + 200);
  await page.mouse.down();
  await page.mouse.move(edge.x + edge.width / 2 - 80, edge.y + 200, { steps: 6 });
  await page.mouse.up();
  await expect.poll(async () => Math.round((await inspector.boundingBox())!.width)).toBe(Math.round(before + 80));
  // Fold the sidebar (Ctrl+B), open the run panel (Ctrl+J), hide the minimap.
  await page.locator(".react-flow__pane").click({ position: { x: 5, y: 5 } });
  await page.keyboard.press("Control+b");
  await expect(page.locator(".sidebar")).toHaveCount(0);
  await page.keyboard.press("Control+j");
  await expect(page.locator(".dock-body")).toBeVisible();
  await page.getByRole("button", { name: "Hide the minimap" }).click();
  await expect(page.locator(".minimap")).toHaveCount(0);
  // After a reload it is all as it was left.
  await page.reload();
  await expect(page.locator(".doc-title")).toHaveText("csv-report.json");
  await expect(page.locator(".sidebar")).toHaveCount(0);
  await expect(page.locator(".dock-body")).toBeVisible();
  await expect(page.locator(".minimap")).toHaveCount(0);
  await expect.poll(async () => Math.round((await inspector.boundingBox())!.width)).toBe(Math.round(before + 80));
  // The toolbar's toggles bring them back.
  await page.getByRole("button", { name: "Sidebar" }).click();
  await expect(page.locator(".sidebar")).toBeVisible();
  await page.getByRole("button", { name: "Inspector" }).click();
  await expect(inspector).toHaveCount(0);
});
