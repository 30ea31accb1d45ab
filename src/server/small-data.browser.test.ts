/// <reference lib="dom" />
// The DOM types are for the functions that run in the page (page.evaluate, waitForFunction).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { chromiumMissing, launchChromium, openDashboardPage } from "../testing/browser.js";
import { type RunningServer, startServer } from "./start.js";

/**
 * The dashboard with as little data as there can be: one event of one model (one window) and one
 * resource sample. A chart of one point must still span the range chosen, not years around it.
 */

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-small-browser-"));
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 5, 10, 30);
let server: RunningServer;
let browser: Browser;
let page: Page;
let rendered: (name: string) => Promise<void>;

const api = async <T>(path: string): Promise<T> => {
  const response = await fetch(`${server.url}${path}`);
  assert.ok(response.ok, `${path}: ${response.status} ${await response.clone().text()}`);
  return (await response.json()) as T;
};
const post = async (path: string, body: string, type = "application/json") => {
  const response = await fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { "content-type": type },
    body,
  });
  assert.ok(response.ok, `${path}: ${response.status} ${await response.text()}`);
};
const xAxis = (id: string) =>
  page.evaluate((chartId) => {
    const figure = document.getElementById(chartId)!;
    return [Number(figure.dataset.xMin), Number(figure.dataset.xMax)];
  }, id);

before(
  async () => {
    if (chromiumMissing) return;
    server = await startServer({
      port: 0,
      dataDir: join(dir, "data"),
      clock: "event",
      flushIntervalMs: 50,
      resourceIntervalMs: 3_600_000, // only the sample this test takes
    });
    await post(
      "/v1/models",
      JSON.stringify({ name: "m", task: "regression", features: [{ name: "x", type: "numeric" }] }),
    );
    await post("/v1/models/m/versions", JSON.stringify({ version: "1" }));
    await post(
      "/v1/models/m/events",
      JSON.stringify({
        id: "only",
        time: T0,
        version: "1",
        features: { x: 1 },
        prediction: 1,
        latency_ms: 5,
      }),
      "application/x-ndjson",
    );
    await server.resources.sample();
    browser = await launchChromium();
    ({ page, rendered } = await openDashboardPage(browser, server.url));
  },
  { timeout: 60_000 },
);

after(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const skip = chromiumMissing;

test("one window: the model page's axis is the window (everything kept) or the last 24 h", {
  skip,
}, async () => {
  await page.goto(`${server.url}/models/m`);
  await rendered("model");
  const start = Math.floor(T0 / HOUR) * HOUR;
  assert.equal(await page.locator("#chart-quality").getAttribute("data-points"), "1");
  assert.deepEqual(await xAxis("chart-quality"), [start, start + HOUR]);
  const day = await api<{ from: number; now: number }>("/v1/models/m/series?points=1000&last=24h");
  await page.click('button[data-range="24h"]');
  await page.waitForFunction(
    (from) => document.getElementById("chart-quality")?.dataset.xMin === String(from),
    day.from,
  );
  assert.deepEqual(await xAxis("chart-quality"), [day.from, day.now]);
  assert.equal(day.now, T0, "the model's clock is its one event");
});

test("one resource sample: the resources page's axis is the last 24 h", { skip }, async () => {
  await page.goto(`${server.url}/resources`);
  await rendered("resources");
  const answer = await api<{ from: number; now: number; windows: unknown[] }>(
    "/v1/resources?last=24h&points=1000",
  );
  assert.equal(answer.windows.length, 1);
  const [lo, hi] = (await xAxis("chart-cpu")) as [number, number];
  // The page asked a moment before this test did (the server's wall clock): the same range, give or
  // take that moment, and exactly 24 h long.
  assert.ok(Math.abs(lo - answer.from) < 60_000, `${lo} vs ${answer.from}`);
  assert.equal(hi - lo, 86_400_000);
});

test("without an alerting section the alerts page says alerts are listed there only, and nothing fires", {
  skip,
}, async () => {
  await page.goto(`${server.url}/alerts`);
  await rendered("alerts");
  const answer = await api<{ alerts: unknown[]; channels: string[] }>("/v1/alerts");
  assert.deepEqual(answer, { alerts: [], channels: [] });
  const note = page.locator("#channels-note");
  assert.equal(await note.isVisible(), true);
  assert.equal(
    (await note.textContent())?.trim(),
    "No notification channel is configured: alerts are listed here only. Add an alerting section — see docs/alerting.md.",
  );
  assert.equal((await page.locator("#firing-title").textContent())?.trim(), "Firing (0)");
  assert.equal(
    (await page.locator('section[aria-labelledby="firing-title"] p.empty').textContent())?.trim(),
    "Nothing is firing.",
  );
});
