import { expect, type Page, test } from "@playwright/test";
import type { ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fakeProvider, runEvents, serve, type Served } from "./server";

// An agent's call to one of Floe's own tools that changes something (`floe_run`) waits for a
// person in the app: the banner names the tool, the trace shows the arguments, and "Always for
// this blueprint" lets it run and writes the tool into the blueprint, so the next run asks nobody.
// "Deny" tells the model the call was declined. A loopback model speaks Ollama's wire format.

let server: Served;
let provider: ChildProcess;

test.beforeAll(async () => {
  const rules = [
    { when: "hello Ada", text: "I greeted Ada." },
    { when: "declined", text: "I was not allowed to greet Ada." },
    { when: "Greet Ada", tool: "floe_run", arguments: { path: "greet.json", inputs: { who: "Ada" } } },
  ];
  const fake = await fakeProvider("ollama", ["--rules", JSON.stringify(rules), "--pieces", "2", "--piece-delay-ms", "5"]);
  provider = fake.process;
  server = await serve(undefined, { FLOE_OLLAMA_BASE_URL: fake.baseUrl, FLOE_DEFAULT_MODEL: "ollama:llama3.2" });
  const blueprint = (id: string, more: Record<string, unknown>) => JSON.stringify({ format: "floe.blueprint", version: 1, id, name: id, ...more }, null, 2);
  writeFileSync(
    path.join(server.folder, "greet.json"),
    blueprint("greet", {
      description: "Greets someone",
      inputs: { who: { type: "string" } },
      outputs: { greeting: { from: "say.text" } },
      nodes: [{ id: "say", kind: "tool", config: { tool: "text_template", args: { template: "hello {{ run.who }}" } } }],
    }),
  );
  writeFileSync(
    path.join(server.folder, "boss.json"),
    blueprint("boss", {
      outputs: { answer: { from: "ask.text" } },
      run: { agent_tools: ["floe"] },
      nodes: [{ id: "ask", kind: "agent", config: { model: "ollama:llama3.2", prompt: "Greet Ada with the greet blueprint.", tools: ["floe_run"], max_turns: 3 } }],
    }),
  );
});
test.afterAll(() => {
  server?.process.kill();
  provider?.kill();
});

const node = (page: Page, id: string) => page.locator(`.floe-node[data-node="${id}"]`);

async function shot(page: Page, name: string) {
  const dir = process.env.SHOTS_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  for (const [width, height] of [
    [1440, 900],
    [1280, 720],
  ]) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: path.join(dir, `${name}-${width}.png`) });
  }
}

/** Starts a run of the open blueprint; resolves once the app shows it (a new run id). */
async function startRun(page: Page) {
  const controls = page.locator(".run-controls");
  const before = (await controls.count()) > 0 ? await controls.getAttribute("data-run") : null;
  await page.locator(".toolbar .run-button").click();
  await expect(controls).toHaveAttribute("data-run", /.+/);
  await expect(controls).not.toHaveAttribute("data-run", before ?? "");
}

test("an agent's floe_run call waits for approval; deny, then always for this blueprint", async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(server.url);
  await page.locator("button.file", { has: page.locator(".file-path", { hasText: /^boss\.json$/ }) }).click();
  await expect(page.locator(".doc-title")).toHaveText("boss.json");

  // Denied: the model is told, and answers without it.
  await startRun(page);
  await expect(node(page, "ask")).toHaveAttribute("data-status", "waiting");
  const banner = page.locator(".banner.attention");
  await expect(banner).toContainText("wants to call floe_run");
  await banner.getByRole("button", { name: "Review" }).click();
  let box = page.getByRole("group", { name: "Approval of ask/tool/1.0" });
  await expect(box).toContainText("ask wants to call floe_run, one of Floe's own tools");
  await expect(box.locator("code.ticked")).toHaveText(["ask", "floe_run"]);
  await expect(box.locator(".json-view")).toContainText('"greet.json"');
  await box.getByRole("button", { name: "Deny" }).click();
  await expect(page.locator(".run-controls")).toHaveAttribute("data-status", "succeeded");
  await expect(page.locator(".transcript")).toContainText("declined");
  expect(readFileSync(path.join(server.folder, "boss.json"), "utf8")).not.toContain("approved_tools");

  // Allowed always: the call runs the child blueprint, and the tool is written into this one.
  await startRun(page);
  await expect(banner).toContainText("wants to call floe_run");
  await banner.getByRole("button", { name: "Review" }).click();
  box = page.getByRole("group", { name: "Approval of ask/tool/1.0" });
  await expect(box).toBeVisible();
  await shot(page, "tool-approval");
  await page.setViewportSize({ width: 1440, height: 900 });
  await box.getByRole("button", { name: "Always for this blueprint" }).click();
  await expect(page.locator(".run-controls")).toHaveAttribute("data-status", "succeeded");
  await expect(page.locator(".transcript")).toContainText("hello Ada");
  const saved = JSON.parse(readFileSync(path.join(server.folder, "boss.json"), "utf8"));
  expect(saved.run.approved_tools).toEqual(["floe_run"]);
  // The open document follows the file (it had no unsaved edits), so saving keeps the approval.
  await expect(page.getByRole("alert").filter({ hasText: "changed on disk while you were editing" })).toHaveCount(0);

  // The next run asks nobody.
  await startRun(page);
  await expect(page.locator(".run-controls")).toHaveAttribute("data-status", "succeeded");
  const run = await page.locator(".run-controls").getAttribute("data-run");
  const events = await runEvents(page, run!);
  expect(events.filter((e) => e.type === "node_waiting")).toHaveLength(0);
  expect(events.filter((e) => e.type === "agent_tool_result")).toHaveLength(1);
  expect(errors).toEqual([]);
});
