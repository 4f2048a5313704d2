import { expect, type Page, test } from "@playwright/test";
import { serve, type Served } from "./server";

// Visual regression: the main views, light and dark, compared with the committed images in
// __screenshots__/ (0.2 % of the pixels may differ, for anti-aliasing). What changes from run to run — the
// scratch folder's name, durations, run ids, times — is masked. After a deliberate change of
// look: `npx playwright test --config tests/e2e/playwright.config.ts looks --update-snapshots`,
// then look at the new images before committing them.
// Each view's test starts its own server on a fresh copy of the examples, so what one adds (a new
// blueprint, a run) is never in another's images.
let server: Served;
test.beforeEach(async () => {
  server = await serve();
});
test.afterEach(() => {
  server?.process.kill();
});

test.use({ viewport: { width: 1440, height: 900 } });

const masked = (page: Page) => [page.locator(".root"), page.locator(".run-controls"), page.locator(".floe-run-label"), page.locator(".run-facts"), page.locator(".minimap")];

async function snap(page: Page, name: string) {
  // Fonts and layout settled, no caret, no transitions, no tooltip under the pointer.
  await page.mouse.move(1439, 899);
  await page.evaluate(() => document.fonts.ready);
  await expect(page).toHaveScreenshot(`${name}.png`, { mask: masked(page), animations: "disabled", caret: "hide", maxDiffPixelRatio: 0.002 });
}

for (const scheme of ["light", "dark"] as const) {
  test(`the main views look as designed (${scheme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(server.url);
    await expect(page.locator(".welcome")).toBeVisible();
    await snap(page, `${scheme}-start`);

    // An example open, then a node selected.
    await page.getByRole("button", { name: /csv-report\.json/ }).click();
    await expect(page.locator(".react-flow__node-floe")).toHaveCount(5);
    await expect(page.locator(".blueprint-panel")).toBeVisible();
    await snap(page, `${scheme}-example-blueprint-panel`);
    await page.locator('.react-flow__node[data-id="commentary"]').click();
    await expect(page.locator("#field-id")).toHaveValue("commentary");
    await snap(page, `${scheme}-node-selected`);

    // A run finished, its node strips and the run panel.
    await page.locator("button.file", { has: page.locator(".file-path", { hasText: /^log-triage\.json$/ }) }).click();
    await expect(page.locator(".react-flow__node-floe")).toHaveCount(4);
    await page.keyboard.press("Control+Enter");
    await page.getByRole("dialog", { name: "Run inputs" }).getByRole("button", { name: "Run" }).click();
    await expect(page.locator(".run-controls")).toHaveAttribute("data-status", "succeeded");
    await page.locator(".react-flow__pane").click({ position: { x: 5, y: 5 } });
    await snap(page, `${scheme}-run-finished`);

    // An empty blueprint.
    await page.getByRole("button", { name: "New", exact: true }).click();
    await page.getByRole("dialog", { name: "New blueprint" }).getByRole("textbox").fill(`empty-${scheme}.json`);
    await page.keyboard.press("Enter");
    await expect(page.locator(".empty-canvas")).toBeVisible();
    await snap(page, `${scheme}-empty-blueprint`);
  });
}
