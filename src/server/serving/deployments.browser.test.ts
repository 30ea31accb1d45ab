import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { decodeModel, encodeModel } from "../../onnx/index.js";
import { chromiumMissing, launchChromium, openDashboardPage } from "../../testing/browser.js";
import { ORIGINAL, ok, servingFixture } from "./deploy.test.helpers.js";

test("the deployments page shows the stages, the rollout's steps and the history", {
  skip: chromiumMissing,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-deploy-ui-"));
  const server = await servingFixture(join(dir, "data"), encodeModel(decodeModel(ORIGINAL)));
  const browser = await launchChromium();
  try {
    await ok(server, "POST", "/v1/models/cancer/rollouts", {
      version: "v2",
      steps: [5, 25, 50, 100],
      reason: "ui test",
    });
    const { page, problems, rendered } = await openDashboardPage(browser, server.url);
    await page.goto(`${server.url}/deployments?model=cancer`);
    await rendered("deployments");
    const text = (await page.locator("main").textContent()) ?? "";
    assert.match(text, /Production: v1/);
    assert.match(text, /Rollout of v2 \(against v1\)/);
    assert.match(text, /canary at 5%/);
    assert.equal(await page.locator('ol.steps li[aria-current="step"]').textContent(), "5% ← canary");
    assert.match(text, /rollout-start/);
    // The last verification of v2 (the defaults: schema and agreement), run before the rollout.
    assert.match(text, /Verification before traffic/);
    const verification = page.locator("table", { hasText: "v2: passed against v1" });
    assert.match((await verification.locator("caption").textContent()) ?? "", /before a rollout · defaults/);
    assert.deepEqual(await verification.locator("tbody tr td:first-child").allTextContents(), [
      "schema",
      "agreement",
    ]);
    assert.deepEqual(problems, { foreign: [], policy: [], errors: [] });
  } finally {
    await browser.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
