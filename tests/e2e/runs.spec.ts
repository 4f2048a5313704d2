import { expect, type Page, test } from "@playwright/test";
import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { runEvents, serve, type Served } from "./server";

// Runs from the canvas against `floe serve` with the real engine: states in order, a retry, a
// failure, cancel, history and replay, a crash and resume, an approval, run from here.

let server: Served;
test.beforeAll(async () => {
  server = await serve();
});
test.afterAll(() => {
  server?.process.kill();
});

/** A blueprint's text; `more` adds top-level fields (inputs, layout). */
const blueprint = (id: string, nodes: unknown[], edges: unknown[], outputs: Record<string, unknown> = {}, more: Record<string, unknown> = {}) =>
  JSON.stringify({ format: "floe.blueprint", version: 1, id, name: id, outputs, nodes, edges, ...more }, null, 2);

/** Records, frame by frame, every node's `data-status` in the page: one snapshot per frame in which one changed. */
async function recordStates(page: Page) {
  await page.evaluate(() => {
    const frames: Record<string, string>[] = [];
    (window as unknown as { frames: Record<string, string>[] }).frames = frames;
    let last = "";
    const look = () => {
      const now: Record<string, string> = {};
      for (const el of document.querySelectorAll<HTMLElement>(".floe-node[data-node]")) if (el.dataset.status) now[el.dataset.node!] = el.dataset.status;
      const key = JSON.stringify(now);
      if (key !== last) frames.push(now);
      last = key;
      requestAnimationFrame(look);
    };
    look();
  });
}

/** The snapshots so far, after two more frames (so the recorder has seen what the DOM shows now). */
const frames = (page: Page) =>
  page.evaluate(async () => {
    for (let i = 0; i < 2; i += 1) await new Promise((resolve) => requestAnimationFrame(resolve));
    return (window as unknown as { frames: Record<string, string>[] }).frames;
  });

/** The first frame showing `id` as `status`. */
const firstFrame = (all: Record<string, string>[], id: string, status: string) => all.findIndex((f) => f[id] === status);

const node = (page: Page, id: string) => page.locator(`.floe-node[data-node="${id}"]`);

/** Opens log-triage.json and runs it from the canvas, with its log, to success. */
async function runLogTriage(page: Page) {
  await page.goto(server.url);
  await open(page, "log-triage.json");
  await page.keyboard.press("Control+Enter");
  await page.getByRole("dialog", { name: "Run inputs" }).locator('textarea[name="log"]').fill("logs/app.log");
  await page.getByRole("dialog", { name: "Run inputs" }).getByRole("button", { name: "Run" }).click();
  await expect(page.locator(".run-controls")).toHaveAttribute("data-status", "succeeded");
}

async function open(page: Page, file: string) {
  await page.locator("button.file", { has: page.locator(".file-path", { hasText: new RegExp(`^${file}$`) }) }).click();
  await expect(page.locator(".doc-title")).toHaveText(file);
}

test("runs an example from the canvas: states in order, a retry after a failing call, the timeline", async ({ page }) => {
  // A loopback alert endpoint that fails once (503) and then accepts.
  let calls = 0;
  const alerts: Server = createServer((request, response) => {
    calls += 1;
    request.resume();
    response.writeHead(calls === 1 ? 503 : 200, { "content-type": "application/json" });
    response.end(calls === 1 ? '{"error":"busy"}' : '{"ok":true}');
  });
  await new Promise<void>((resolve) => alerts.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(alerts.address() as AddressInfo).port}/alerts`;
  try {
    await page.goto(server.url);
    await open(page, "order-alerts.json");
    await recordStates(page);
    await page.keyboard.press("Control+Enter");
    const form = page.getByRole("dialog", { name: "Run inputs" });
    await expect(form).toBeVisible();
    await form.locator('textarea[name="alert_url"]').fill(url);
    await form.locator('input[name="threshold"]').fill("10");
    await form.getByRole("button", { name: "Run" }).click();
    // The first call fails: the node says it retries, with its attempt count and countdown.
    await expect(node(page, "alert")).toHaveAttribute("data-status", "retrying");
    await expect(node(page, "alert").locator(".floe-run-label")).toContainText("attempt 2 of 3");
    await page.screenshot({ path: "target/e2e-results/run-in-progress.png" });
    await expect(page.locator(".run-controls")).toHaveAttribute("data-status", "succeeded", { timeout: 20_000 });
    expect(calls).toBe(2);
    await expect(node(page, "alert")).toHaveAttribute("data-status", "succeeded");
    await expect(node(page, "quiet")).toHaveAttribute("data-status", "skipped");
    // In every frame, a node is shown started only once what it reads is shown done (before
    // that it is queued), and the retry shows before the success.
    const shown = await frames(page);
    const chain = ["read", "totals", "any_large", "alert"];
    expect(firstFrame(shown, "alert", "queued")).toBeGreaterThan(-1);
    for (const frame of shown) {
      for (let i = 1; i < chain.length; i += 1) {
        if (frame[chain[i]] && frame[chain[i]] !== "queued") expect(frame[chain[i - 1]], `${chain[i]} shown ${frame[chain[i]]} before ${chain[i - 1]} is done: ${JSON.stringify(frame)}`).toBe("succeeded");
      }
    }
    expect(firstFrame(shown, "alert", "retrying")).toBeGreaterThan(-1);
    expect(firstFrame(shown, "alert", "retrying")).toBeLessThan(firstFrame(shown, "alert", "succeeded"));
    // The inputs are remembered for the next run.
    await page.keyboard.press("Control+Enter");
    await expect(form.locator('input[name="threshold"]')).toHaveValue("10");
    await form.getByRole("button", { name: "Cancel" }).click();

    // The node's trace: its attempts with the error, inputs and outputs.
    await node(page, "alert").click();
    const trace = page.locator(".node-trace");
    await expect(trace.locator(".attempts")).toContainText("attempt 1");
    await expect(trace.locator(".json-label", { hasText: "Outputs" })).toBeVisible();
    await page.getByRole("tab", { name: "Timeline" }).click();
    await expect(page.locator(".timeline-row")).toHaveCount(6 - 1);
    // Two bars for the node that was retried: the failed attempt and the one that succeeded.
    await expect(page.locator(".timeline-row", { hasText: "alert" }).locator(".timeline-bar")).toHaveCount(2);
    await page.screenshot({ path: "target/e2e-results/run-timeline.png" });
  } finally {
    alerts.close();
  }
});

test("a failed node shows its error on the canvas and in its trace", async ({ page }) => {
  await page.goto(server.url);
  await open(page, "log-triage.json");
  await page.locator(".toolbar .run-button").click();
  const form = page.getByRole("dialog", { name: "Run inputs" });
  await form.locator('textarea[name="log"]').fill("logs/missing.log");
  await form.getByRole("button", { name: "Run" }).click();
  await expect(page.locator(".run-controls")).toHaveAttribute("data-status", "failed");
  await expect(node(page, "read")).toHaveAttribute("data-status", "failed");
  await expect(node(page, "read").locator(".floe-run-error")).toContainText("missing.log");
  await expect(node(page, "codes")).toHaveAttribute("data-status", "skipped");
  await node(page, "read").click();
  await expect(page.locator(".node-trace .attempts")).toContainText("missing.log");
  await page.screenshot({ path: "target/e2e-results/run-failed.png" });

  // A blueprint that does not compile is not run: the notice says so and the problems show.
  writeFileSync(
    path.join(server.folder, "broken.json"),
    blueprint("broken", [{ id: "a", kind: "tool", config: { tool: "text_template", args: { template: "{{ nodes.nope.text }} {{ run.who }}" } } }], [], {}, { inputs: { who: { type: "string" } } }),
  );
  await open(page, "broken.json");
  await page.locator(".toolbar .run-button").click();
  // Refused before its inputs are asked for.
  await expect(page.getByRole("dialog", { name: "Run inputs" })).toHaveCount(0);
  await expect(page.locator(".notice")).toContainText("broken.json does not compile: fix the problems below");
  await expect(page.getByRole("tab", { name: /Problems/ })).toHaveAttribute("aria-selected", "true");
  await expect(page.locator(".problems li").first()).toContainText("nope");
});

test("cancel a run, then open it from history and replay it", async ({ page }) => {
  writeFileSync(
    path.join(server.folder, "slow.json"),
    blueprint(
      "slow",
      [
        { id: "a", kind: "tool", config: { tool: "text_template", args: { template: "first" } } },
        { id: "wait", kind: "tool", config: { tool: "sleep", args: { duration: "30s" } } },
      ],
      [{ from: "a.text", to: "wait.in" }],
    ),
  );
  await page.goto(server.url);
  await open(page, "slow.json");
  await page.locator(".toolbar .run-button").click();
  await expect(node(page, "wait")).toHaveAttribute("data-status", "running");
  await page.getByRole("button", { name: "Cancel run" }).click();
  await expect(page.locator(".run-controls")).toHaveAttribute("data-status", "cancelled");
  await expect(node(page, "a")).toHaveAttribute("data-status", "succeeded");
  await expect(node(page, "wait")).toHaveAttribute("data-status", "stopped");

  await page.getByRole("tab", { name: "History" }).click();
  const rows = page.locator(".history tbody tr");
  await expect(rows).toHaveCount(1);
  await expect(rows.first().locator(".run-chip")).toHaveText("cancelled");
  // Close the run, then open it again from history: the canvas shows its final state.
  await page.locator(".run-controls").getByRole("button", { name: "✕" }).click();
  await expect(node(page, "a")).not.toHaveAttribute("data-status", /.+/);
  await rows.first().getByRole("button", { name: "Open" }).click();
  await expect(node(page, "a")).toHaveAttribute("data-status", "succeeded");
  await page.screenshot({ path: "target/e2e-results/run-history.png" });
  // Compare the blueprint that ran with the current one: unchanged, then after an edit.
  await rows.first().getByRole("button", { name: "Compare" }).click();
  const compare = page.getByRole("dialog", { name: "Compare with the blueprint that ran" });
  await expect(compare).toContainText("No differences");
  await compare.getByRole("button", { name: "Close" }).click();
  await node(page, "wait").click();
  await page.keyboard.press("Delete");
  await rows.first().getByRole("button", { name: "Compare" }).click();
  await expect(compare.locator(".diff .removed").first()).toContainText('"wait"');
  await compare.getByRole("button", { name: "Close" }).click();
  await page.keyboard.press("Control+z");
  await expect(node(page, "wait")).toBeVisible();
  // Replay: the states come back in order, then the replay stops at the end.
  await recordStates(page);
  await rows.first().getByRole("button", { name: "Replay" }).click();
  await expect(page.getByLabel("Replay position")).toBeVisible();
  await expect(page.locator(".replay-bar .hint")).toHaveText(/^(\d+) \/ \1 events$/);
  await expect(node(page, "a")).toHaveAttribute("data-status", "succeeded");
  await expect(node(page, "wait")).toHaveAttribute("data-status", "stopped");
  const shown = await frames(page);
  expect(firstFrame(shown, "wait", "running")).toBeGreaterThan(-1);
  expect(firstFrame(shown, "a", "succeeded")).toBeLessThanOrEqual(firstFrame(shown, "wait", "running"));
  expect(firstFrame(shown, "wait", "running")).toBeLessThan(shown.length - 1);
  expect(shown[shown.length - 1].wait).toBe("stopped");
});

test("a run interrupted by killing the server is resumed from the app; finished nodes do not run again", async ({ page }) => {
  writeFileSync(
    path.join(server.folder, "crash.json"),
    blueprint(
      "crash",
      [
        { id: "a", kind: "tool", config: { tool: "text_template", args: { template: "before" } } },
        { id: "wait", kind: "tool", config: { tool: "sleep", args: { duration: "3s" } } },
        { id: "b", kind: "tool", config: { tool: "text_template", args: { template: "after" } } },
      ],
      [
        { from: "a.text", to: "wait.in" },
        { from: "wait.out", to: "b.in" },
      ],
      { out: { from: "b.text" } },
    ),
  );
  await page.goto(server.url);
  await open(page, "crash.json");
  await page.locator(".toolbar .run-button").click();
  await expect(node(page, "wait")).toHaveAttribute("data-status", "running");
  const run = await page.locator(".run-controls").getAttribute("data-run");
  // The server dies mid-run; the page says it is reconnecting.
  server.process.kill("SIGKILL");
  await new Promise((resolve) => server.process.once("exit", resolve));
  await expect(page.locator(".run-controls")).toContainText("reconnecting");
  server = await serve(server.scratch);
  await page.goto(server.url);
  await open(page, "crash.json");
  await page.getByRole("tab", { name: "History" }).click();
  const row = page.locator(`.history tr[data-run="${run}"]`);
  await expect(row.locator(".run-chip")).toHaveText("interrupted");
  await row.getByRole("button", { name: "Resume" }).click();
  await expect(page.locator(".run-controls")).toHaveAttribute("data-status", "succeeded", { timeout: 20_000 });
  await expect(node(page, "b")).toHaveAttribute("data-status", "succeeded");
  const events = await runEvents(page, run!);
  const started = (id: string) => events.filter((e) => e.type === "node_started" && e.node === id).length;
  expect(started("a")).toBe(1);
  expect(started("wait")).toBe(2);
  expect(started("b")).toBe(1);
  expect(events.filter((e) => e.type === "run_started")).toHaveLength(2);
});

test("an approval waits in the app and is approved with an edited value", async ({ page }) => {
  writeFileSync(
    path.join(server.folder, "gate.json"),
    blueprint(
      "gate",
      [
        { id: "draft", kind: "tool", config: { tool: "text_template", args: { template: "Dear customer" } } },
        { id: "review", kind: "approval", config: { message: "Send this reply?\n\n{{ inputs.in }}" } },
      ],
      [{ from: "draft.text", to: "review.in" }],
      { sent: { from: "review.approved" } },
    ),
  );
  await page.goto(server.url);
  await open(page, "gate.json");
  await page.locator(".toolbar .run-button").click();
  await expect(node(page, "review")).toHaveAttribute("data-status", "waiting");
  await expect(page.getByRole("alert")).toContainText("review waits for your approval");
  const run = await page.locator(".run-controls").getAttribute("data-run");
  // A reload opens the blueprint again and reattaches to its live run: the banner is back.
  await page.reload();
  await expect(page.locator(".doc-title")).toHaveText("gate.json");
  await expect(page.getByRole("alert")).toContainText("review waits for your approval");
  await expect(page.locator(".run-controls")).toHaveAttribute("data-run", run!);
  // Run while it is live asks first; declining starts nothing.
  await page.locator(".toolbar .run-button").click();
  const again = page.getByRole("dialog", { name: "Run again?" });
  await expect(again).toContainText("still waiting");
  await again.getByRole("button", { name: "Cancel" }).click();
  await expect(page.locator(".run-controls")).toHaveAttribute("data-run", run!);
  await page.getByRole("alert").getByRole("button", { name: "Review" }).click();
  const box = page.getByRole("group", { name: "Approval of review" });
  await expect(box).toContainText("Send this reply?");
  await box.getByRole("button", { name: "Edit…" }).click();
  await box.getByLabel("Edited value").fill("Dear Ada");
  await box.getByRole("button", { name: "Approve edited" }).click();
  await expect(page.locator(".run-controls")).toHaveAttribute("data-status", "succeeded");
  await expect(node(page, "review")).toHaveAttribute("data-status", "succeeded");
  await page.locator(".react-flow__pane").click({ position: { x: 20, y: 20 } });
  await expect(page.locator(".run-summary .json-view", { hasText: "Run outputs" })).toContainText('"Dear Ada"');
});

test("run from here reuses the latest run's upstream results; a pinned output is taken instead of running", async ({ page }) => {
  await runLogTriage(page);
  await node(page, "count").click({ button: "right" });
  await page.getByRole("menuitem", { name: "Run from here" }).click();
  await expect(page.locator(".run-controls")).toHaveAttribute("data-status", "succeeded");
  await expect(node(page, "read")).toHaveAttribute("data-status", "cached");
  await expect(node(page, "codes")).toHaveAttribute("data-status", "cached");
  await expect(node(page, "count")).toHaveAttribute("data-status", "succeeded");
  await page.screenshot({ path: "target/e2e-results/run-from-here.png" });

  // Pin `codes`' output: the next full run takes it and `codes` does not run.
  await node(page, "codes").click({ button: "right" });
  await page.getByRole("menuitem", { name: "Pin output" }).click();
  await expect(node(page, "codes").locator(".floe-node-pin")).toBeVisible();
  await page.keyboard.press("Control+Enter");
  await page.getByRole("dialog", { name: "Run inputs" }).getByRole("button", { name: "Run" }).click();
  await expect(page.locator(".run-controls")).toHaveAttribute("data-status", "succeeded");
  await expect(node(page, "codes")).toHaveAttribute("data-status", "cached");
  await node(page, "codes").click();
  await expect(page.locator(".node-trace")).toContainText("Result reused from run pinned");
});

test("a loop shows its items with a picker for the body; a sub-workflow node opens its child run, inside a loop too", async ({ page }) => {
  writeFileSync(
    path.join(server.folder, "child.json"),
    blueprint("child", [{ id: "hello", kind: "tool", config: { tool: "text_template", args: { template: "hello {{ run.who }}" } } }], [], { greeting: { from: "hello.text" } }, { inputs: { who: { type: "string" } } }),
  );
  writeFileSync(
    path.join(server.folder, "parent.json"),
    blueprint(
      "parent",
      [
        {
          id: "each",
          kind: "loop",
          config: { items: "run.names", collect: "shout.text" },
          body: {
            nodes: [
              { id: "shout", kind: "tool", config: { tool: "text_template", args: { template: "{{ item | upper }}" } } },
              { id: "hi", kind: "workflow", config: { blueprint: "child.json", inputs: { who: "{{ item }}" } } },
            ],
            edges: [],
          },
        },
        { id: "greet", kind: "workflow", config: { blueprint: "child.json", inputs: { who: "world" } } },
      ],
      [],
      { all: { from: "each.results" } },
      {
        inputs: { names: { type: "array", default: ["ada", "bob", "cy"] } },
        layout: { nodes: { each: { x: 0, y: 0, width: 320, height: 340 }, shout: { x: 40, y: 60 }, hi: { x: 40, y: 200 }, greet: { x: 420, y: 0 } } },
      },
    ),
  );
  await page.goto(server.url);
  await open(page, "parent.json");
  await page.keyboard.press("Control+Enter");
  await page.getByRole("dialog", { name: "Run inputs" }).getByRole("button", { name: "Run" }).click();
  await expect(page.locator(".run-controls")).toHaveAttribute("data-status", "succeeded");
  // The loop counts its items; the body node shows the item picked (item 0 first).
  await expect(node(page, "each").locator(".iterations").first()).toContainText("3 ✓");
  await expect(node(page, "shout")).toHaveAttribute("data-path", "each/0/shout");
  await expect(node(page, "shout")).toHaveAttribute("data-status", "succeeded");
  await node(page, "each").getByLabel("Iteration shown in the body").first().fill("2");
  await expect(node(page, "shout")).toHaveAttribute("data-path", "each/2/shout");
  await node(page, "shout").click();
  await expect(page.locator(".node-trace .json-view", { hasText: "Outputs" })).toContainText('"CY"');
  // The sub-workflow's own run, on its own blueprint.
  const parent = await page.locator(".run-controls").getAttribute("data-run");
  await node(page, "greet").click({ button: "right" });
  await page.getByRole("menuitem", { name: "Open child run" }).click();
  await expect(page.locator(".doc-title")).toHaveText("child.json");
  await expect(page.locator(".run-controls")).toHaveAttribute("data-run", `${parent}.greet`);
  await expect(node(page, "hello")).toHaveAttribute("data-status", "succeeded");

  // A sub-workflow node inside the loop: the child run of the iteration shown (the third, "cy").
  await open(page, "parent.json");
  await page.getByRole("tab", { name: "History" }).click();
  await page.locator(`.history tr[data-run="${parent}"]`).getByRole("button", { name: "Open" }).click();
  await expect(page.locator(".run-controls")).toHaveAttribute("data-run", parent!);
  await node(page, "each").getByLabel("Iteration shown in the body").first().fill("2");
  await expect(node(page, "hi")).toHaveAttribute("data-path", "each/2/hi");
  await node(page, "hi").click({ button: "right" });
  await page.getByRole("menuitem", { name: "Open child run" }).click();
  await expect(page.locator(".doc-title")).toHaveText("child.json");
  await expect(page.locator(".run-controls")).toHaveAttribute("data-run", `${parent}.each-2-hi`);
  await node(page, "hello").click();
  await expect(page.locator(".node-trace .json-view", { hasText: "Outputs" })).toContainText("hello cy");
  await page.screenshot({ path: "target/e2e-results/run-child-in-loop.png" });
});

test("a link to a run (what an MCP call answers with) opens its blueprint and shows that run", async ({ page, context }) => {
  await runLogTriage(page);
  const run = await page.locator(".run-controls").getAttribute("data-run");
  // Another window, opened on the link while a different blueprint was last open.
  const other = await context.newPage();
  await other.goto(server.url);
  await open(other, "approval-gate.json");
  await other.goto(`${server.url}&run=${run}`);
  await expect(other.locator(".doc-title")).toHaveText("log-triage.json");
  await expect(other.locator(".run-controls")).toHaveAttribute("data-run", run!);
  await expect(other.locator(".run-controls")).toHaveAttribute("data-status", "succeeded");
  await expect(node(other, "count")).toHaveAttribute("data-status", "succeeded");
  // The link is used once: a reload shows what is open, not the link again.
  expect(new URL(other.url()).searchParams.get("run")).toBeNull();
  await other.close();
});
