// Screenshots of the app's main views at 1440×900 and 1280×720, light and dark, against `floe serve`,
// to look at a change of design side by side with what was there before:
// `node scripts/shots.mjs OUTDIR` (SHOTS_UI=/path/to/dist for another build of the UI). Needs
// `cargo build -p floe-cli` and `npm run build`. The views a regression must not change are
// pinned by tests/e2e/looks.spec.ts; these are for people.
import { chromium } from "playwright-core";
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const out = process.argv[2] ?? "target/shots";
mkdirSync(out, { recursive: true });
const repo = process.cwd();
const scratch = mkdtempSync(path.join(tmpdir(), "floe-shots-"));
const folder = path.join(scratch, "blueprints");
cpSync(path.join(repo, "blueprints"), folder, { recursive: true });
const settings = path.join(scratch, "settings.json");
writeFileSync(settings, JSON.stringify({ default_model: "ollama:llama3.2" }));
const target = process.env.CARGO_TARGET_DIR ?? path.join(repo, "target");
const child = spawn(path.join(target, "debug", "floe"), ["serve", folder, "--json", "--ui", process.env.SHOTS_UI ?? path.join(repo, "ui/dist"), "--db", path.join(scratch, "runs.db")], {
  stdio: ["ignore", "pipe", "inherit"],
  env: { ...process.env, FLOE_SETTINGS: settings },
});
const url = await new Promise((resolve) => {
  let buffer = "";
  child.stdout.on("data", (c) => {
    buffer += c;
    if (buffer.includes("\n")) resolve(JSON.parse(buffer.split("\n")[0]).url);
  });
});
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
try {
  for (const scheme of ["light", "dark"]) {
    for (const [w, h] of [[1440, 900], [1280, 720]]) {
      const page = await browser.newPage({ viewport: { width: w, height: h }, colorScheme: scheme });
      const name = (view) => path.join(out, `${view}-${scheme}-${w}x${h}.png`);
      // Each view once what it shows is there (the listing, the nodes, the inspector's form).
      await page.goto(url);
      await page.locator(".welcome .welcome-card").first().waitFor();
      await page.screenshot({ path: name("start") });
      await page.getByRole("button", { name: /csv-report\.json/ }).click();
      await page.locator(".blueprint-panel").waitFor();
      await page.locator(".floe-node, canvas.overview").first().waitFor();
      await page.screenshot({ path: name("example") });
      const node = page.locator('.react-flow__node[data-id="commentary"]');
      if (await node.isVisible()) {
        await node.click();
        await page.locator("#field-id").waitFor();
        await page.screenshot({ path: name("selected") });
      }
      await page.locator(".react-flow__pane").click({ position: { x: 5, y: 5 } });
      await page.locator(".blueprint-panel").waitFor();
      await page.screenshot({ path: name("blueprint") });
      await page.close();
    }
  }
} finally {
  await browser.close();
  child.kill();
}
