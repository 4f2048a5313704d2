import { defineConfig } from "@playwright/test";

// Browser tier: Debian's Chromium (no downloaded browsers) against `floe serve` with the real
// engine; each spec starts its own server on a scratch copy of the examples.
export default defineConfig({
  testDir: ".",
  outputDir: "../../target/e2e-results",
  // Committed reference images of the visual tests (looks.spec.ts), one per view, no platform suffix.
  snapshotPathTemplate: "{testDir}/__screenshots__/{arg}{ext}",
  timeout: 60_000,
  reporter: [["line"]],
  use: {
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    },
    viewport: { width: 1400, height: 900 },
  },
});
