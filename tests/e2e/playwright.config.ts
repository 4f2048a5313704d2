import { defineConfig } from "@playwright/test";

// Browser tier: Debian's Chromium (no downloaded browsers) against `floe serve` with the real
// engine; each spec starts its own server on a scratch copy of the examples.
export default defineConfig({
  testDir: ".",
  outputDir: "../../target/e2e-results",
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
