// Desktop smoke test: the real Floe app (debug build with the UI embedded) under Xvfb, driven
// through tauri-driver and WebKitWebDriver. It opens a scratch copy of the examples, shows one
// as a graph, and reads its nodes from the DOM. Run through `npm run e2e:desktop` (xvfb-run).
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { remote } from "webdriverio";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const target = process.env.CARGO_TARGET_DIR ?? path.join(repo, "target");
const application = path.join(target, "debug", "floe-app");
const scratch = mkdtempSync(path.join(tmpdir(), "floe-desktop-"));
const folder = path.join(scratch, "blueprints");
cpSync(path.join(repo, "blueprints"), folder, { recursive: true });
// The app keeps its settings and run store under XDG folders: point them at the scratch folder.
for (const dir of ["config", "data"]) mkdirSync(path.join(scratch, dir), { recursive: true });
process.env.XDG_CONFIG_HOME = path.join(scratch, "config");
process.env.XDG_DATA_HOME = path.join(scratch, "data");
// A default model chosen in Settings, as a set-up user has: the model examples then check clean.
mkdirSync(path.join(scratch, "config", "floe"), { recursive: true });
writeFileSync(path.join(scratch, "config", "floe", "settings.json"), JSON.stringify({ default_model: "ollama:llama3.2" }));
delete process.env.FLOE_SETTINGS;
delete process.env.FLOE_DEFAULT_MODEL;

// tauri-driver from PATH (scripts/setup.sh installs it), or where `cargo install` puts it.
const driverBinary = process.env.TAURI_DRIVER ?? "tauri-driver";
process.env.PATH = `${process.env.PATH}:${path.join(process.env.HOME ?? "", ".cargo/bin")}`;
const driver = spawn(driverBinary, ["--port", "4444"], { stdio: ["ignore", "inherit", "inherit"], env: process.env });
const fail = (message) => {
  console.error(`desktop smoke test: ${message}`);
  driver.kill();
  process.exit(1);
};

async function listening(port) {
  for (let i = 0; i < 100; i += 1) {
    const ok = await new Promise((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => {
        socket.end();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  fail(`tauri-driver did not listen on ${port}`);
}

/** Resident memory of the processes running `binary` and all their descendants, in MB, with the parts. */
function residentMegabytes(binary) {
  const processes = readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
        const command = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0];
        return { pid: Number(pid), parent, rss, command };
      } catch {
        return null;
      }
    })
    .filter(Boolean);
  const chosen = new Set(processes.filter((p) => p.command === binary).map((p) => p.pid));
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of processes) {
      if (!chosen.has(p.pid) && chosen.has(p.parent)) {
        chosen.add(p.pid);
        grew = true;
      }
    }
  }
  const mine = processes.filter((p) => chosen.has(p.pid));
  const mb = (kb) => Math.round(kb / 1024);
  const parts = mine.map((p) => `${path.basename(p.command)} ${mb(p.rss)}`).join(", ");
  return `${mb(mine.reduce((sum, p) => sum + p.rss, 0))} (${parts})`;
}

await listening(4444);
const started = Date.now();
/** The run the first session finishes, which a link then opens. */
let linked = null;
const browser = await remote({
  hostname: "127.0.0.1",
  port: 4444,
  logLevel: "warn",
  capabilities: {
    browserName: "wry",
    "tauri:options": { application, args: [folder] },
    "wdio:enforceWebDriverClassic": true,
  },
});
try {
  const file = await browser.$("button*=map-reduce-notes.json");
  await file.waitForExist({ timeout: 30000 });
  console.log(`desktop: file list shown ${Date.now() - started} ms after launch`);
  // The file list scrolls: bring the entry into view the way a person would before clicking.
  await browser.execute((element) => element.scrollIntoView({ block: "center" }), file);
  await file.click();
  await browser.waitUntil(async () => (await browser.$$(".react-flow__node-floe")).length === 5, {
    timeout: 15000,
    timeoutMsg: "the example's 5 nodes did not appear",
  });
  const ids = [];
  for (const node of await browser.$$(".react-flow__node-floe")) ids.push(await node.getAttribute("data-id"));
  ids.sort();
  const expected = ["combine", "each", "list", "read", "summarise"];
  if (JSON.stringify(ids) !== JSON.stringify(expected)) fail(`nodes ${ids} instead of ${expected}`);
  console.log(`desktop: example on the canvas ${Date.now() - started} ms after launch`);
  const problems = await (await browser.$(".problem-count")).getText();
  if (problems !== "0") fail(`expected no problems, the app shows ${problems}`);
  // The About box answers through the app's own command.
  await (await browser.$('button[aria-label="More"]')).click();
  await (await browser.$('[role="menuitem"]*=About Floe')).click();
  const about = await browser.$('[aria-label="About Floe"]');
  await about.waitForExist({ timeout: 5000 });
  if (!/Version \d+\.\d+\.\d+/.test(await about.getText())) fail(`the About box shows no version: ${await about.getText()}`);
  await about.click();
  // Settings opens from the toolbar, over the app's own command, with every provider.
  await (await browser.$('.toolbar button[aria-label="Settings"]')).click();
  const settings = await browser.$('[role="dialog"][aria-label="Settings"]');
  await settings.waitForExist({ timeout: 5000 });
  await browser.waitUntil(async () => (await settings.getText()).includes("Ollama"), { timeout: 5000, timeoutMsg: "Settings lists no providers" });
  const chosen = await (await browser.$("#default-model")).getValue();
  if (chosen !== "ollama:llama3.2") fail(`Settings shows the default model ${JSON.stringify(chosen)}`);
  await (await browser.$('[aria-label="Close settings"]')).click();
  await settings.waitForExist({ reverse: true, timeout: 5000 });
  // Ask drafts a change; no model answers here (Ollama is not running), so the offline drafter
  // does, and says so. Rejected: the example is left as it was.
  const askStarted = Date.now();
  await (await browser.$("#ask-input")).setValue("then save the digest to digest.md");
  await browser.keys("Enter");
  const proposal = await browser.$('[aria-label="Proposed change"]');
  await proposal.waitForExist({ timeout: 15000, timeoutMsg: "no proposal appeared after asking" });
  const proposed = await proposal.getText();
  if (!proposed.includes("Adds save (tool write_file)") || !proposed.includes("Drafted offline")) fail(`the proposal says: ${proposed}`);
  console.log(`desktop: offline draft proposed ${Date.now() - askStarted} ms after Enter`);
  await (await proposal.$("button=Reject")).click();
  await proposal.waitForExist({ reverse: true, timeout: 5000 });
  // Idle memory: the app and its WebKit processes, after a moment with nothing to do.
  await new Promise((r) => setTimeout(r, 2000));
  console.log(`desktop: idle RSS (MB) ${residentMegabytes(application)}`);
  mkdirSync(path.join(repo, "target/e2e-results"), { recursive: true });
  await browser.saveScreenshot(path.join(repo, "target/e2e-results/desktop-app.png"));
  console.log(`desktop: nodes ${ids.join(", ")}; no problems; screenshot target/e2e-results/desktop-app.png`);

  // Run an example to the end in the app: commands start it, the Tauri channel brings its events.
  const triage = await browser.$("button*=log-triage.json");
  await browser.execute((element) => element.scrollIntoView({ block: "center" }), triage);
  await triage.click();
  await browser.waitUntil(async () => (await browser.$$(".react-flow__node-floe")).length === 4, { timeout: 15000, timeoutMsg: "log-triage's 4 nodes did not appear" });
  const ran = Date.now();
  await (await browser.$(".run-button")).click();
  const form = await browser.$('[role="dialog"][aria-label="Run inputs"]');
  await form.waitForExist({ timeout: 5000 });
  await (await form.$("button=Run")).click();
  await browser.waitUntil(async () => (await (await browser.$(".run-controls")).getAttribute("data-status")) === "succeeded", {
    timeout: 30000,
    timeoutMsg: "the run did not succeed in the app",
  });
  const statuses = [];
  for (const node of await browser.$$(".floe-node")) statuses.push(`${await node.getAttribute("data-node")}=${await node.getAttribute("data-status")}`);
  statuses.sort();
  if (!statuses.every((s) => s.endsWith("=succeeded"))) fail(`after the run, nodes show ${statuses.join(", ")}`);
  console.log(`desktop: ran log-triage.json to the end in ${Date.now() - ran} ms (${statuses.join(", ")})`);
  await browser.saveScreenshot(path.join(repo, "target/e2e-results/desktop-run.png"));
  linked = await (await browser.$(".run-controls")).getAttribute("data-run");
} catch (error) {
  await browser.deleteSession().catch(() => {});
  fail(error.message);
}
await browser.deleteSession();

// A `floe://run/<id>` link (what `floe mcp` answers a call with) starts the app the way the
// desktop does, with the link as its only argument: it opens the folder it had open and that run.
const opened = Date.now();
const again = await remote({
  hostname: "127.0.0.1",
  port: 4444,
  logLevel: "warn",
  capabilities: {
    browserName: "wry",
    "tauri:options": { application, args: [`floe://run/${linked}`] },
    "wdio:enforceWebDriverClassic": true,
  },
});
try {
  let title = "";
  await again.waitUntil(
    async () => {
      title = await again.execute(() => document.querySelector(".doc-title")?.textContent ?? "");
      return title === "log-triage.json";
    },
    { timeout: 30000, timeoutMsg: "the link did not open log-triage.json" },
  ).catch((error) => fail(`${error.message} (the title is ${JSON.stringify(title)})`));
  // Shown once its journal has been read: the run, finished.
  let shown = "";
  await again.waitUntil(
    async () => {
      const controls = await again.$(".run-controls");
      shown = `${await controls.getAttribute("data-run")} ${await controls.getAttribute("data-status")}`;
      return shown === `${linked} succeeded`;
    },
    { timeout: 15000, timeoutMsg: `the link did not show run ${linked}` },
  ).catch((error) => fail(`${error.message} (it shows ${shown})`));
  console.log(`desktop: floe://run/${linked} opened its run ${Date.now() - opened} ms after launch`);
} catch (error) {
  await again.saveScreenshot(path.join(repo, "target/e2e-results/desktop-link-failed.png")).catch(() => {});
  await again.deleteSession().catch(() => {});
  fail(error.message);
}
await again.deleteSession();
driver.kill();
