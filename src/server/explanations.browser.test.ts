/// <reference lib="dom" />
// The DOM types are for the functions that run in the page (page.evaluate, waitForFunction).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import {
  artifactDir,
  chromiumMissing,
  launchChromium,
  openDashboardPage,
  type PageProblems,
} from "../testing/browser.js";
import type { ImportanceAnswer } from "./explanations/index.js";
import {
  type CancerFixture,
  onnxRuntime,
  setUpCancer,
  WINDOW_A,
  WINDOW_B,
  WINDOW_LAST,
} from "./explanations.test.helpers.js";
import { type RunningServer, startServer } from "./start.js";

/**
 * The explanations page in Debian's Chromium, on the breast-cancer fixture (explanations.test.helpers.ts):
 * the bars, their order and their values are the API's, for the default window and for one picked
 * in the page.
 */

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-explain-ui-"));
let server: RunningServer | undefined;
let browser: Browser | undefined;
let page: Page;
let fixture: CancerFixture;
let problems: PageProblems;
let skip: string | false = chromiumMissing;

before(
  async () => {
    if (skip) return;
    const ort = await onnxRuntime();
    if (ort === null) {
      skip = "onnxruntime-node is not installed";
      return;
    }
    server = await startServer({ port: 0, dataDir: join(dir, "data"), clock: "event" });
    fixture = await setUpCancer(server.url, ort);
    browser = await launchChromium();
    ({ page, problems } = await openDashboardPage(browser, server.url, {
      viewport: { width: 1400, height: 1100 },
    }));
  },
  { timeout: 60_000 },
);

after(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const importance = async (startMs: number): Promise<ImportanceAnswer> => {
  const response = await fetch(`${server!.url}/v1/models/cancer/windows/${startMs}/importance?version=1`);
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()) as ImportanceAnswer;
};

/** What the chart draws: each row's feature, mean and reference mean, top to bottom. */
const bars = () =>
  page.evaluate(() =>
    Array.from(document.querySelectorAll<SVGGElement>("#importance-chart g.importance-row"), (g) => ({
      feature: g.dataset.feature!,
      mean: Number(g.dataset.mean),
      reference: g.dataset.reference === undefined ? null : Number(g.dataset.reference),
      current: g.querySelectorAll("rect.bar-current").length,
    })),
  );

async function assertMatches(answer: ImportanceAnswer): Promise<void> {
  const drawn = await bars();
  assert.equal(drawn.length, answer.importances.length, "one row of bars per feature");
  assert.deepEqual(
    drawn.map((b) => b.feature),
    answer.ranking,
    "in the API's order",
  );
  const byName = new Map(answer.importances.map((f) => [f.feature, f.mean]));
  const reference = new Map(answer.reference?.importances.map((f) => [f.feature, f.mean]) ?? []);
  for (const b of drawn) {
    assert.equal(b.mean, byName.get(b.feature), b.feature);
    assert.equal(b.reference, reference.get(b.feature) ?? null, `${b.feature}'s reference`);
    assert.equal(b.current, 1);
  }
  const drift = page.locator("#attribution-drift");
  assert.equal(Number(await drift.getAttribute("data-ndcg")), answer.attributionDrift!.ndcg);
  assert.equal(await drift.getAttribute("data-drifted"), String(answer.attributionDrift!.drifted));
}

test("the explanations page draws the API's importances, sorted, beside the reference's", {
  skip,
}, async (t) => {
  if (skip) {
    t.skip(skip);
    return;
  }
  await page.goto(`${server!.url}/explanations?model=cancer`);
  await page.waitForFunction(() => document.documentElement.dataset.rendered === "explanations", null, {
    timeout: 30_000,
  });
  // The default window: the newest final one with labels (B; the last window is still open).
  assert.equal(await page.locator("#explanation").getAttribute("data-start"), String(WINDOW_B));
  assert.equal(await page.locator("#explain-window").inputValue(), String(WINDOW_B));
  assert.match(page.url(), new RegExp(`model=cancer&version=1&window=${WINDOW_B}`));
  await assertMatches(await importance(WINDOW_B));

  // Pick window A in the page.
  await page.selectOption("#explain-window", String(WINDOW_A));
  await page.waitForFunction(
    (start) => document.getElementById("explanation")?.dataset.start === String(start),
    WINDOW_A,
    { timeout: 30_000 },
  );
  const a = await importance(WINDOW_A);
  await assertMatches(a);
  assert.equal(
    await page.locator("#attribution-drift .badge").textContent(),
    a.attributionDrift!.drifted ? "drifted" : "stable",
  );
  assert.equal(await page.locator('nav.site a[href="/explanations"]').getAttribute("aria-current"), "page");
  await page.screenshot({ path: join(artifactDir("dashboard"), "explanations.png"), fullPage: true });

  // A version without a model to explain: the API's message and hint, not a broken page.
  const plain = await fetch(`${server!.url}/v1/models/cancer/versions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ version: "plain" }),
  });
  assert.equal(plain.status, 201);
  const event = await fetch(`${server!.url}/v1/models/cancer/events`, {
    method: "POST",
    headers: { "content-type": "application/x-ndjson" },
    body: JSON.stringify({
      id: "plain-1",
      time: WINDOW_LAST + 1000,
      version: "plain",
      features: Object.fromEntries(fixture.data.names.map((name, j) => [name, fixture.data.features[0]![j]])),
      prediction: "0",
    }),
  });
  assert.equal(event.status, 200, await event.text());
  await page.goto(`${server!.url}/explanations?model=cancer&version=plain`);
  await page.waitForFunction(() => document.documentElement.dataset.rendered === "explanations");
  assert.equal(await page.locator("#importance-error").getAttribute("data-code"), "NOT_FOUND");
  assert.deepEqual(problems, { foreign: [], policy: [], errors: [] });
});
