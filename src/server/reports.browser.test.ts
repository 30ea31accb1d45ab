/// <reference lib="dom" />
// The DOM types are for the functions that run in the page (page.evaluate, waitForFunction).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { chromiumMissing, launchChromium, openDashboardPage } from "../testing/browser.js";
import { type RunningServer, startServer } from "./start.js";

/**
 * The reports page against reports the server wrote itself, built through the API on an event-clock
 * server: a regression model with 25 hourly periods (one report each, so the list needs paging) whose
 * quality breaches its threshold in hour 23 only, and a binary model with scores. Hourly windows and
 * hourly reports, so each report draws on exactly one window.
 */

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-reports-browser-"));
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 2, 2, 0, 0);
const HOURS = 25;
const BREACH = 23;
let server: RunningServer;
let browser: Browser;
let page: Page;
let rendered: (name: string) => Promise<void>;

interface Reason {
  readonly source: string;
  readonly severity: string;
  readonly message: string;
}
interface Summary {
  readonly id: string;
  readonly from: number;
  readonly to: number;
  readonly status: string;
  readonly reasons: Reason[];
}
interface Report extends Summary {
  readonly task: string;
  readonly versions: Array<{
    version: string;
    quality: { metric: string; value: number | null };
    estimated?: { accuracy: { estimate: number } | null } | null;
  }>;
}

const api = async <T>(path: string): Promise<T> => {
  const response = await fetch(`${server.url}${path}`);
  assert.ok(response.ok, `${path}: ${response.status} ${await response.clone().text()}`);
  return (await response.json()) as T;
};
const send = async (method: string, path: string, body: string, type = "application/json") => {
  const response = await fetch(`${server.url}${path}`, { method, headers: { "content-type": type }, body });
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${await response.text()}`);
};
const ndjson = (rows: readonly unknown[]) => rows.map((r) => JSON.stringify(r)).join("\n");

/** Ten labelled events of hour `h` of a regression model: exact predictions, or off by 10 in hour BREACH. */
async function regressionHour(h: number): Promise<void> {
  const ids = Array.from({ length: 10 }, (_, i) => `r-${h}-${i}`);
  await send(
    "POST",
    "/v1/models/reg/events",
    ndjson(
      ids.map((id, i) => ({
        id,
        time: T0 + h * HOUR + i * 60_000,
        version: "1",
        features: { x: i },
        prediction: 1,
        latency_ms: 3,
      })),
    ),
    "application/x-ndjson",
  );
  await send(
    "POST",
    "/v1/models/reg/labels",
    ndjson(ids.map((id) => ({ id, value: h === BREACH ? 11 : 1 }))),
    "application/x-ndjson",
  );
}

before(
  async () => {
    if (chromiumMissing) return;
    writeFileSync(
      join(dir, "monitor.yaml"),
      [
        "monitor: { window: 1h, lateness: 0s, min_samples: 5, max_clock_jump: 60d }",
        "reporting: { frequency: 1h, retention: 30d }",
        "models:",
        "  reg: { metrics: { quality: { metric: mae, threshold: 1 } } }",
        "  bin: { metrics: { quality: { metric: accuracy, threshold: 0.5 } } }",
        "",
      ].join("\n"),
    );
    server = await startServer({
      port: 0,
      dataDir: join(dir, "data"),
      configFile: join(dir, "monitor.yaml"),
      clock: "event",
      flushIntervalMs: 3_600_000, // the test flushes after each hour
      resourceIntervalMs: 3_600_000,
    });
    await send(
      "POST",
      "/v1/models",
      JSON.stringify({ name: "reg", task: "regression", features: [{ name: "x", type: "numeric" }] }),
    );
    await send("POST", "/v1/models/reg/versions", JSON.stringify({ version: "1" }));
    await send(
      "POST",
      "/v1/models",
      JSON.stringify({
        name: "bin",
        task: "binary",
        classes: ["no", "yes"],
        features: [{ name: "x", type: "numeric" }],
      }),
    );
    await send("POST", "/v1/models/bin/versions", JSON.stringify({ version: "1" }));
    // A reference with scores, so the binary model has an estimate (CBPE) to report.
    await send(
      "PUT",
      "/v1/models/bin/versions/1/reference",
      [
        "x,prediction,target,score",
        ...Array.from({ length: 60 }, (_, i) => {
          const score = (i % 10) / 10 + 0.05;
          const prediction = score >= 0.5 ? "yes" : "no";
          return `${i % 7},${prediction},${i % 4 === 0 ? (prediction === "yes" ? "no" : "yes") : prediction},${score}`;
        }),
      ].join("\n"),
      "text/csv",
    );
    // Hour by hour: the first event of an hour closes the previous one, whose report the flush writes.
    for (let h = 0; h <= HOURS; h++) {
      await regressionHour(h);
      if (h < 2)
        await send(
          "POST",
          "/v1/models/bin/events",
          ndjson(
            Array.from({ length: 10 }, (_, i) => {
              const score = (i % 10) / 10 + 0.05;
              return {
                id: `b-${h}-${i}`,
                time: T0 + h * HOUR + i * 60_000,
                version: "1",
                features: { x: i % 7 },
                prediction: score >= 0.5 ? "yes" : "no",
                scores: [1 - score, score],
                latency_ms: 2,
              };
            }),
          ),
          "application/x-ndjson",
        );
      await server.service.flush();
    }
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

test("more than 20 reports: the page lists 20 at a time, and Newer/Older reach every report of the API, in order", {
  skip,
}, async () => {
  const { reports } = await api<{ reports: Summary[] }>("/v1/models/reg/reports?limit=1000");
  // One report per closed hour: hours 0 … HOURS − 1 (the last hour is still open).
  assert.deepEqual(
    reports.map((r) => r.from).sort((a, b) => a - b),
    Array.from({ length: HOURS }, (_, h) => T0 + h * HOUR),
  );
  await page.goto(`${server.url}/reports?model=reg`);
  await rendered("reports");
  assert.equal((await page.locator("#reports-title").textContent())?.trim(), `Reports (${reports.length})`);
  const pages = Math.ceil(reports.length / 20);
  const seen: string[] = [];
  for (let p = 0; p < pages; p++) {
    const ids = await page
      .locator("tr[data-report]")
      .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-report")!));
    assert.equal(ids.length, p < pages - 1 ? 20 : reports.length - 20 * p, `page ${p + 1}`);
    assert.equal((await page.locator(".pager span").textContent())?.trim(), `Page ${p + 1} of ${pages}`);
    assert.equal(await page.locator("button.page-previous").isDisabled(), p === 0);
    assert.equal(await page.locator("button.page-next").isDisabled(), p === pages - 1);
    seen.push(...ids);
    if (p < pages - 1) await page.click("button.page-next");
  }
  // Every report, each once, newest first as the API lists them.
  assert.deepEqual(
    seen,
    reports.map((r) => r.id),
  );
  await page.click("button.page-previous");
  assert.equal((await page.locator(".pager span").textContent())?.trim(), `Page ${pages - 1} of ${pages}`);
  assert.deepEqual(
    await page
      .locator("tr[data-report]")
      .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-report"))),
    reports.slice((pages - 2) * 20, (pages - 1) * 20).map((r) => r.id),
  );
});

test("a report's reasons come from its own period: the hour before the breach does not list it", {
  skip,
}, async () => {
  const { reports } = await api<{ reports: Summary[] }>("/v1/models/reg/reports?limit=1000");
  const before = reports.find((r) => r.from === T0 + (BREACH - 1) * HOUR)!;
  const breach = reports.find((r) => r.from === T0 + BREACH * HOUR)!;
  const after = reports.find((r) => r.from === T0 + (BREACH + 1) * HOUR)!;
  const full = async (r: Summary) => api<Report>(`/v1/models/reg/reports/${encodeURIComponent(r.id)}`);
  const [earlier, breached, later] = [await full(before), await full(breach), await full(after)];
  // The windows' own quality, computed here: MAE 0 before and after, 10 in the breaching hour.
  assert.equal(earlier.versions[0]!.quality.value, 0);
  assert.equal(breached.versions[0]!.quality.value, 10);
  assert.equal(later.versions[0]!.quality.value, 0);
  const quality = (r: Report) => r.reasons.filter((x) => x.source === "quality");
  assert.ok(quality(breached).length > 0, JSON.stringify(breached.reasons));
  assert.notEqual(breached.status, "ok");
  assert.deepEqual(quality(earlier), [], JSON.stringify(earlier.reasons));
  assert.deepEqual(quality(later), [], JSON.stringify(later.reasons));
  assert.equal(earlier.status, "ok", JSON.stringify(earlier.reasons));

  for (const [report, breaches] of [
    [earlier, false],
    [breached, true],
  ] as const) {
    await page.goto(`${server.url}/reports?model=reg&id=${encodeURIComponent(report.id)}`);
    await rendered("reports");
    await page.waitForSelector(`#report-detail[data-id="${report.id}"]`);
    assert.equal(await page.locator("#report-detail").getAttribute("data-status"), report.status);
    const shown = await page.locator("#report-detail ul.report-reasons li").allTextContents();
    assert.equal(shown.length, report.reasons.length);
    assert.equal((await page.locator('#report-detail li[data-source="quality"]').count()) > 0, breaches);
    if (!breaches)
      assert.equal(
        (await page.locator("#report-detail > p").first().textContent())?.trim(),
        "Nothing breached its threshold in this period.",
      );
    // The list row's main reason is the API's first reason.
    assert.equal(
      (await page.locator(`tr[data-report="${report.id}"] td:nth-child(3)`).textContent())?.trim(),
      report.reasons[0]?.message ?? "—",
    );
  }
});

test('a regression report has no "Estimated accuracy (CBPE)" row; a binary model\'s with scores has it', {
  skip,
}, async () => {
  const rows = async () =>
    page.locator("#report-detail section.report-version dl.stats dt").allTextContents();
  await page.goto(`${server.url}/reports?model=reg`);
  await rendered("reports");
  await page.waitForSelector("#report-detail[data-id]");
  const reg = await api<Report>(
    `/v1/models/reg/reports/${encodeURIComponent((await page.locator("#report-detail").getAttribute("data-id"))!)}`,
  );
  assert.equal(reg.task, "regression");
  const regRows = await rows();
  assert.ok(
    regRows.includes("MAE (mean absolute error)") || regRows.some((t) => /MAE/.test(t)),
    String(regRows),
  );
  assert.ok(!regRows.includes("Estimated accuracy (CBPE)"), String(regRows));

  const { reports } = await api<{ reports: Summary[] }>("/v1/models/bin/reports?limit=1000");
  assert.ok(reports.length > 0);
  const bin = await api<Report>(`/v1/models/bin/reports/${encodeURIComponent(reports[0]!.id)}`);
  assert.equal(bin.task, "binary");
  await page.goto(`${server.url}/reports?model=bin&id=${encodeURIComponent(bin.id)}`);
  await rendered("reports");
  await page.waitForSelector(`#report-detail[data-id="${bin.id}"]`);
  const binRows = await rows();
  assert.ok(binRows.includes("Estimated accuracy (CBPE)"), String(binRows));
  const estimate = bin.versions[0]!.estimated?.accuracy ?? null;
  const value = await page
    .locator("#report-detail dl.stats dt", { hasText: "Estimated accuracy (CBPE)" })
    .evaluate((dt) => dt.nextElementSibling?.textContent ?? "");
  if (estimate === null) assert.equal(value, "—");
  else assert.match(value, /^\S+ \[\S+, \S+\]$/, value);
});
