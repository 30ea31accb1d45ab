/// <reference lib="dom" />
// The DOM types are for the functions that run in the page (page.evaluate, waitForFunction).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { ResourceWindow } from "../resources/index.js";
import { chromiumMissing, launchChromium, openDashboardPage } from "../testing/browser.js";
import { RESOURCE_WINDOWS, type ResourcesReport } from "./resource-monitor.js";
import { type RunningServer, startServer } from "./start.js";

/**
 * The resources page over a year of stored hourly resource windows. The windows are written straight
 * into the store (the resource monitor's collection and format), so the test takes seconds, not a
 * year; the server's clock stands still at NOW, so the page and the test ask for the same range.
 * Every chart's x axis must be the range chosen: [NOW − range, NOW], not the year the store holds.
 */

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-resources-year-"));
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 6, 1, 12, 0);
const YEAR_START = NOW - 365 * DAY;
let server: RunningServer;
let browser: Browser;
let page: Page;
let rendered: (name: string) => Promise<void>;

const api = async <T>(path: string): Promise<T> => {
  const response = await fetch(`${server.url}${path}`);
  assert.ok(response.ok, `${path}: ${response.status} ${await response.clone().text()}`);
  return (await response.json()) as T;
};
const xAxis = (id: string) =>
  page.evaluate((chartId) => {
    const figure = document.getElementById(chartId)!;
    return [Number(figure.dataset.xMin), Number(figure.dataset.xMax)];
  }, id);

/** An hour's window with two snapshots: one core's counters (25% busy) and the memory gauges. */
function hourWindow(start: number): ResourceWindow {
  const window = new ResourceWindow(start, start + HOUR);
  for (const [i, t] of [start + 1_000, start + HOUR - 1_000].entries())
    window.addSnapshot({
      timeMs: t,
      results: [
        {
          collector: "cpu",
          status: "ok",
          errors: [],
          samples: [
            {
              metric: "node_cpu_seconds_total",
              labels: { cpu: "0", mode: "user" },
              value: 100 + i * 900,
              type: "counter",
              help: "",
            },
            {
              metric: "node_cpu_seconds_total",
              labels: { cpu: "0", mode: "idle" },
              value: 100 + i * 2_700,
              type: "counter",
              help: "",
            },
          ],
        },
        {
          collector: "memory",
          status: "ok",
          errors: [],
          samples: [
            { metric: "node_memory_MemTotal_bytes", labels: {}, value: 8 * 2 ** 30, type: "gauge", help: "" },
            {
              metric: "node_memory_MemAvailable_bytes",
              labels: {},
              value: 6 * 2 ** 30,
              type: "gauge",
              help: "",
            },
          ],
        },
      ],
    });
  return window;
}

before(
  async () => {
    if (chromiumMissing) return;
    writeFileSync(
      join(dir, "monitor.yaml"),
      ["resources:", "  window: 1h", "reporting: { retention: 400d }", ""].join("\n"),
    );
    server = await startServer({
      port: 0,
      dataDir: join(dir, "data"),
      configFile: join(dir, "monitor.yaml"),
      now: () => NOW,
      flushIntervalMs: 3_600_000,
      retentionIntervalMs: 3_600_000,
      resourceIntervalMs: 3_600_000, // no sample but the stored ones
    });
    for (let start = YEAR_START; start < NOW; start += HOUR) {
      const window = hourWindow(start);
      await server.store.putDocument({
        collection: RESOURCE_WINDOWS,
        key: String(start),
        timeMs: start,
        body: JSON.stringify(window),
      });
    }
    browser = await launchChromium();
    ({ page, rendered } = await openDashboardPage(browser, server.url));
    await page.goto(`${server.url}/resources`);
    await rendered("resources");
  },
  { timeout: 60_000 },
);

after(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const skip = chromiumMissing;

for (const [range, label, days] of [
  ["30d", "Last 30 days", 30],
  ["7d", "Last 7 days", 7],
  ["24h", "Last 24 h", 1],
] as const)
  test(`a year stored: "${label}" spans exactly the last ${days} day(s) on every chart`, {
    skip,
  }, async () => {
    const answer = await api<ResourcesReport>(`/v1/resources?last=${range}&points=1000`);
    // The API's own range is the one the test computes from the clock it injected.
    assert.equal(answer.now, NOW);
    assert.equal(answer.from, NOW - days * DAY);
    // One stored window per hour of the range, and the open one the server's own first sample (at
    // start-up, at NOW) began.
    assert.equal(answer.windows.length, days * 24 + 1);
    assert.deepEqual(
      answer.windows.map((w) => w.startMs),
      Array.from({ length: days * 24 + 1 }, (_, i) => NOW - days * DAY + i * HOUR),
    );
    assert.equal(answer.windows.at(-1)!.open, true);
    await page.click(`button[data-range="${range}"]`);
    await page.waitForSelector(`button[data-range="${range}"][aria-pressed="true"]`);
    await page.waitForFunction(
      (from) => document.getElementById("chart-cpu")?.dataset.xMin === String(from),
      NOW - days * DAY,
    );
    assert.equal((await page.locator("button.range", { hasText: label }).count()) > 0, true, label);
    for (const id of ["chart-cpu", "chart-memory", "chart-memory-bytes"]) {
      assert.deepEqual(await xAxis(id), [NOW - days * DAY, NOW], id);
      assert.equal(Number(await page.locator(`#${id}`).getAttribute("data-points")), days * 24 + 1, id);
    }
    // The stored windows' CPU figure (25% busy, written above) is what the chart's table shows.
    assert.equal(answer.windows[0]!.cpu.utilisation, 0.25);
  });

test("the page offers no range beyond 30 days: the year's older windows are never asked for", {
  skip,
}, async () => {
  const ranges = await page
    .locator("button.range")
    .evaluateAll((buttons) => buttons.map((b) => (b as HTMLElement).dataset.range));
  assert.deepEqual(ranges, ["24h", "7d", "30d"]);
  const year = await api<ResourcesReport>("/v1/resources?last=366d&points=1000");
  // 8,761 windows merged 9 to a point: at most 1,000 points.
  assert.equal(year.bucket, Math.ceil((365 * 24 + 1) / 1000));
  assert.equal(year.windows.length, Math.ceil((365 * 24 + 1) / year.bucket));
});
