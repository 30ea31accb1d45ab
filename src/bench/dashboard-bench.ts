/// <reference lib="dom" />
// The DOM types are for the functions that run in the page (page.evaluate, waitForFunction).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { Browser, Page } from "playwright-core";
import { openSqlite } from "../store/sqlite/driver.js";
import { chromiumMissing, launchChromium } from "../testing/browser.js";
import { seededRandom } from "../testing/random.js";
import { spawnServe } from "../testing/serve-process.js";
import { machineLine } from "./machine.js";
import { writeBenchSection } from "./report-file.js";

const HOUR = 3_600_000;
const DAYS = 30;
const WINDOWS = DAYS * 24;
const PER_WINDOW = 40;
const FEATURES = 50;
const REFERENCE_ROWS = 2000;
const COLD_RUNS = 7;
const ENDPOINT_RUNS = 10;
const TARGET_MS = 1000;
const T0 = Date.UTC(2026, 0, 5);
const VIEWPORT = { width: 1400, height: 1000 };

/** Features whose mean shifts, and the windows where it does (so the heat map shows drift). */
const SHIFTS: ReadonlyArray<{ feature: number; from: number; to: number; by: number }> = [
  { feature: 0, from: 100, to: 160, by: 1.2 },
  { feature: 1, from: 250, to: 290, by: -1 },
  { feature: 2, from: 400, to: 520, by: 0.8 },
  { feature: 3, from: 600, to: 612, by: 1.5 },
  { feature: 4, from: 650, to: 720, by: 0.6 },
];

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const max = (values: readonly number[]) => Math.max(...values);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const ms = (value: number) => `${Math.round(value)} ms`;

/** What one page load measured, read from the page's performance timeline. */
interface Load {
  /** Navigation start to the "tiktoktoe:rendered" mark. */
  readonly renderedMs: number;
  readonly domContentLoadedMs: number;
  /** Navigation start to the script's response end. */
  readonly scriptEndMs: number;
  readonly seriesStartMs: number;
  /** The series request's time to first byte (request sent to response start: the server's work). */
  readonly seriesWaitMs: number;
  readonly seriesEndMs: number;
  readonly seriesDurationMs: number;
  readonly seriesLoadedMs: number;
  readonly chartsCreatedMs: number;
  readonly heatmapDrawnMs: number;
  readonly transferred: number;
  readonly js: { transfer: number; encoded: number; decoded: number };
  readonly css: { transfer: number; encoded: number; decoded: number };
  readonly series: { transfer: number; encoded: number; decoded: number };
  readonly points: number;
  readonly columns: string[];
}

function readTimeline(page: Page): Promise<Load> {
  return page.evaluate(() => {
    const mark = (name: string) => performance.getEntriesByName(name, "mark")[0]?.startTime ?? Number.NaN;
    const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
    const resources = performance.getEntriesByType("resource") as PerformanceResourceTiming[];
    const sizes = (r: PerformanceResourceTiming | undefined) => ({
      transfer: r?.transferSize ?? 0,
      encoded: r?.encodedBodySize ?? 0,
      decoded: r?.decodedBodySize ?? 0,
    });
    const js = resources.find((r) => /\/ui\/[^/]+\.js$/.test(r.name));
    const css = resources.find((r) => /\/ui\/[^/]+\.css$/.test(r.name));
    const series = resources.find((r) => r.name.includes("/series?"));
    const canvas = document.querySelector<HTMLCanvasElement>("canvas.heatmap");
    return {
      renderedMs: mark("tiktoktoe:rendered"),
      domContentLoadedMs: nav.domContentLoadedEventEnd,
      scriptEndMs: js?.responseEnd ?? Number.NaN,
      seriesStartMs: series?.startTime ?? Number.NaN,
      seriesWaitMs: series === undefined ? Number.NaN : series.responseStart - series.requestStart,
      seriesEndMs: series?.responseEnd ?? Number.NaN,
      seriesDurationMs: series?.duration ?? Number.NaN,
      seriesLoadedMs: mark("tiktoktoe:series-loaded"),
      chartsCreatedMs: mark("tiktoktoe:charts-created"),
      heatmapDrawnMs: mark("tiktoktoe:heatmap-drawn"),
      transferred: nav.transferSize + resources.reduce((sum, r) => sum + r.transferSize, 0),
      js: sizes(js),
      css: sizes(css),
      series: sizes(series),
      points: Number(document.getElementById("chart-quality")?.dataset.points ?? Number.NaN),
      columns: JSON.parse(canvas?.dataset.columns ?? "[]") as string[],
    };
  });
}

async function loadPage(page: Page, url: string): Promise<Load> {
  await page.goto(url, { waitUntil: "commit" });
  await page.waitForFunction(() => document.documentElement.dataset.rendered === "model", undefined, {
    timeout: 60_000,
    polling: 50,
  });
  return readTimeline(page);
}

/** Reference rows and 30 days of events with labels, from one seeded source. */
function generate() {
  const rng = seededRandom(2026);
  const names = Array.from({ length: FEATURES }, (_, f) => `f${f}`);
  const truthOf = (x: readonly number[], noise: number) => 10 + 3 * x[0]! - 2 * x[1]! + x[2]! + noise;
  const csv = [[...names, "prediction", "target"].join(",")];
  for (let i = 0; i < REFERENCE_ROWS; i++) {
    const x = names.map(() => rng.normal());
    const target = truthOf(x, rng.normal());
    const prediction = truthOf(x, 0);
    csv.push([...x, prediction, target].map((v) => v.toFixed(5)).join(","));
  }
  const days: Array<{ events: string; labels: string }> = [];
  for (let d = 0; d < DAYS; d++) {
    const events: string[] = [];
    const labels: Array<{ id: string; value: number }> = [];
    for (let w = d * 24; w < (d + 1) * 24; w++)
      for (let i = 0; i < PER_WINDOW; i++) {
        const x = names.map(() => rng.normal());
        for (const s of SHIFTS) if (w >= s.from && w < s.to) x[s.feature] = x[s.feature]! + s.by;
        const features: Record<string, number> = {};
        names.forEach((n, f) => {
          features[n] = Math.round(x[f]! * 1e5) / 1e5;
        });
        const id = `e${w}-${i}`;
        events.push(
          JSON.stringify({
            id,
            time: T0 + w * HOUR + Math.floor((i * HOUR) / PER_WINDOW),
            version: "1",
            features,
            prediction: truthOf(x, 0),
            latency_ms: Math.exp(2 + 0.5 * rng.normal()),
          }),
        );
        labels.push({ id, value: truthOf(x, rng.normal()) });
      }
    days.push({ events: events.join("\n"), labels: JSON.stringify(labels) });
  }
  return { names, reference: `${csv.join("\n")}\n`, days };
}

async function post(url: string, path: string, body: string, type = "application/json", method = "POST") {
  const response = await fetch(`${url}${path}`, { method, headers: { "content-type": type }, body });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

async function fill(url: string): Promise<{ windows: number; accepted: number; labelled: number }> {
  const { names, reference, days } = generate();
  await post(
    url,
    "/v1/models",
    JSON.stringify({
      name: "bench",
      task: "regression",
      features: names.map((name) => ({ name, type: "numeric" })),
    }),
  );
  await post(url, "/v1/models/bench/versions", JSON.stringify({ version: "1" }));
  await post(url, "/v1/models/bench/versions/1/reference", reference, "text/csv", "PUT");
  let accepted = 0;
  let labelled = 0;
  for (const day of days) {
    accepted += Number(
      (await post(url, "/v1/models/bench/events", day.events, "application/x-ndjson")).accepted,
    );
    labelled += Number((await post(url, "/v1/models/bench/labels", day.labels)).accepted);
  }
  // One event 3 hours after the last window moves the event clock past the lateness: all 720 are final.
  const features = Object.fromEntries(names.map((n) => [n, 0]));
  await post(
    url,
    "/v1/models/bench/events",
    JSON.stringify({ id: "close", time: T0 + (WINDOWS + 3) * HOUR, version: "1", features, prediction: 10 }),
    "application/x-ndjson",
  );
  // The server flushes every 2 s; wait until every window is stored and final with its drift.
  const deadline = Date.now() + 180_000;
  for (;;) {
    const { windows } = (await (await fetch(`${url}/v1/models/bench/windows`)).json()) as {
      windows: Array<{ startMs: number; final?: boolean; drift?: unknown }>;
    };
    const data = windows.filter((w) => w.startMs < T0 + WINDOWS * HOUR);
    if (data.length >= WINDOWS && data.every((w) => w.final === true && w.drift != null)) {
      await new Promise((resolve) => setTimeout(resolve, 2500));
      return { windows: windows.length, accepted, labelled };
    }
    if (Date.now() > deadline)
      throw new Error(`only ${data.length} of ${WINDOWS} windows final after 3 minutes`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * `npm run bench -- dashboard`: the model page's first complete render in headless Chromium (7 cold
 * loads, each in a new browser context, and one warm load), its weight, and the series endpoint
 * alone, over 30 days of hourly windows × 50 features served by `tiktoktoe serve` (a child process).
 * Exits non-zero when the page did not draw every window and column: it must measure a whole page.
 *
 * @example
 * ```ts
 * await runDashboardBench();
 * ```
 */
export async function runDashboardBench(): Promise<void> {
  if (chromiumMissing) {
    console.log(`dashboard bench skipped: ${chromiumMissing}`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-dashboard-bench-"));
  writeFileSync(
    join(dir, "monitor.yaml"),
    "metrics:\n  quality: { metric: mae, threshold: 1.5 }\n  latency: { threshold: 50, percentile: 99 }\n",
  );
  const { child, url } = await spawnServe([
    "--data-dir",
    join(dir, "data"),
    "--port",
    "0",
    "--clock",
    "event",
    "--config",
    join(dir, "monitor.yaml"),
  ]);
  let browser: Browser | undefined;
  try {
    console.log(
      `dashboard bench: ingesting ${DAYS} days × 24 windows × ${PER_WINDOW} events with ${FEATURES} features …`,
    );
    let t = performance.now();
    const filled = await fill(url);
    console.log(
      `  ${filled.accepted} events, ${filled.labelled} labels, ${filled.windows} windows in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );

    // The series endpoint alone, as the page asks for it.
    const seriesPath = `${url}/v1/models/bench/series?points=1000`;
    const endpointMs: number[] = [];
    let body = "";
    let encoding = "";
    for (let i = 0; i < ENDPOINT_RUNS; i++) {
      t = performance.now();
      const response = await fetch(seriesPath, { headers: { "accept-encoding": "gzip" } });
      body = await response.text();
      endpointMs.push(performance.now() - t);
      encoding = response.headers.get("content-encoding") ?? "identity";
    }
    const raw = Buffer.byteLength(body);

    // What the endpoint reads: every window row of the range, as the SQLite store does (SELECT *,
    // state copied, summary parsed), and the same rows without their state, from this process.
    const db = openSqlite(join(dir, "data", "tiktoktoe.db"));
    const readAll = db.prepare("SELECT * FROM windows WHERE model = ? ORDER BY start_ms, version");
    const readLean = db.prepare(
      "SELECT model, version, start_ms, end_ms, summary, updated_ms FROM windows WHERE model = ? ORDER BY start_ms, version",
    );
    const storeMs: number[] = [];
    const leanMs: number[] = [];
    let stateBytes = 0;
    let summaryBytes = 0;
    for (let i = 0; i < ENDPOINT_RUNS; i++) {
      t = performance.now();
      const rows = readAll.all("bench") as Array<{ state: Buffer; summary: string }>;
      stateBytes = 0;
      summaryBytes = 0;
      for (const row of rows) {
        stateBytes += new Uint8Array(row.state).length;
        summaryBytes += Buffer.byteLength(row.summary);
        JSON.parse(row.summary);
      }
      storeMs.push(performance.now() - t);
      t = performance.now();
      for (const row of readLean.all("bench") as Array<{ summary: string }>) JSON.parse(row.summary);
      leanMs.push(performance.now() - t);
    }
    db.close();
    const gzipped = gzipSync(body).length;
    const answer = JSON.parse(body) as {
      versions: Array<{ start: number[] }>;
      drift: Array<{ columns: string[] }>;
    };
    console.log(
      `  series endpoint: median ${median(endpointMs).toFixed(1)} ms, ${kb(raw)} (${kb(gzipped)} gzipped; sent as ${encoding})`,
    );

    const load = loadavg()[0]!;
    browser = await launchChromium();
    const cold: Load[] = [];
    let last: Page | undefined;
    for (let run = 0; run < COLD_RUNS; run++) {
      const context = await browser.newContext({ viewport: VIEWPORT });
      const page = await context.newPage();
      cold.push(await loadPage(page, `${url}/models/bench`));
      console.log(
        `  cold ${run + 1}: rendered at ${cold.at(-1)!.renderedMs.toFixed(0)} ms, ${kb(cold.at(-1)!.transferred)}`,
      );
      if (run < COLD_RUNS - 1) await context.close();
      else last = page;
    }
    // The cached case: the same context loads the page again (script and style from the cache).
    const warm = await loadPage(last!, `${url}/models/bench`);
    const loadAfter = loadavg()[0]!;
    console.log(`  warm: rendered at ${warm.renderedMs.toFixed(0)} ms, ${kb(warm.transferred)}`);

    // The page must show every window and every feature, or the figures measure something less.
    const windowsShown = answer.versions[0]?.start.length ?? 0;
    const problems: string[] = [];
    for (const [i, load] of [...cold, warm].entries()) {
      const name = i < cold.length ? `cold run ${i + 1}` : "warm run";
      if (load.points !== windowsShown || load.points < WINDOWS)
        problems.push(
          `${name}: #chart-quality has ${load.points} points, the API ${windowsShown} (≥ ${WINDOWS})`,
        );
      const features = load.columns.filter((c) => /^f\d+$/.test(c)).length;
      if (features !== FEATURES)
        problems.push(`${name}: the heat map has ${features} of ${FEATURES} feature columns`);
      if (!Number.isFinite(load.renderedMs)) problems.push(`${name}: no tiktoktoe:rendered mark`);
    }
    if (problems.length > 0) {
      for (const p of problems) console.error(`dashboard bench: ${p}`);
      process.exitCode = 1;
      return;
    }

    const pick = (f: (l: Load) => number) => cold.map(f);
    const rendered = pick((l) => l.renderedMs);
    const columns = cold[0]!.columns.length;
    const js = cold[0]!.js;
    const css = cold[0]!.css;
    const series = cold[0]!.series;
    // Where the time of a cold render goes (medians over the cold runs).
    const phase = {
      script: median(pick((l) => l.scriptEndMs)),
      boot: median(pick((l) => l.seriesStartMs - l.scriptEndMs)),
      wait: median(pick((l) => l.seriesWaitMs)),
      request: median(pick((l) => l.seriesEndMs - l.seriesStartMs)),
      parse: median(pick((l) => l.seriesLoadedMs - l.seriesEndMs)),
      charts: median(pick((l) => l.chartsCreatedMs - l.seriesLoadedMs)),
      heatmap: median(pick((l) => l.heatmapDrawnMs - l.chartsCreatedMs)),
      rest: median(pick((l) => l.renderedMs - l.heatmapDrawnMs)),
    };
    const verdict =
      max(rendered) <= TARGET_MS
        ? "Met"
        : median(rendered) <= TARGET_MS
          ? "Met by the median, not by every load"
          : "Not met";
    const rows: string[][] = [
      ["first complete render, cold (median of 7)", ms(median(rendered))],
      ["first complete render, cold (max of 7)", ms(max(rendered))],
      ["complete render, warm (cached script and style)", ms(warm.renderedMs)],
      ["DOMContentLoaded, cold (median)", ms(median(pick((l) => l.domContentLoadedMs)))],
      ["transferred, cold (page, script, style, series)", kb(cold[0]!.transferred)],
      ["transferred, warm", kb(warm.transferred)],
      ["script: raw / transferred (gzip)", `${kb(js.decoded)} / ${kb(js.transfer)}`],
      ["style: raw / transferred (gzip)", `${kb(css.decoded)} / ${kb(css.transfer)}`],
      [
        `series JSON: raw / transferred (sent as ${encoding})`,
        `${kb(series.decoded)} / ${kb(series.transfer)}`,
      ],
      ["series JSON gzipped (level 6, for comparison)", kb(gzipped)],
      ["series request in the page (median duration)", ms(median(pick((l) => l.seriesDurationMs)))],
      ["series endpoint alone from Node (median of 10)", `${median(endpointMs).toFixed(1)} ms`],
    ];
    const table = ["| measurement | value |", "|---|---:|", ...rows.map((r) => `| ${r.join(" | ")} |`)].join(
      "\n",
    );
    // [row of the table, the phase in a sentence, median ms]
    const phases = [
      ["navigation start → script received", "loading the page and its script", phase.script],
      [
        "script received → series requested (negative: the shell's preload asked first)",
        "running the script up to the series request",
        phase.boot,
      ],
      ["series request: server time (request → first byte)", "", phase.wait],
      ["series request: whole (start → response end)", "the series request", phase.request],
      [
        "series response end → data in the page (with the preload: also the script still starting)",
        "waiting for the script to take the preloaded series and parse it",
        phase.parse,
      ],
      ["4 uPlot charts created", "creating the 4 charts", phase.charts],
      [`heat map drawn (${columns} × ${windowsShown} cells)`, "drawing the heat map", phase.heatmap],
      [
        "uPlot's deferred draw, versions table → rendered",
        "uPlot's drawing and the versions table",
        phase.rest,
      ],
    ] as const;
    const phaseTable = [
      "| phase of a cold render (median) | ms |",
      "|---|---:|",
      ...phases.map(([name, , value]) => `| ${name} | ${value.toFixed(0)} |`),
    ].join("\n");
    console.log(table);
    console.log(phaseTable);
    const [first, second] = [...phases]
      .filter(([, sentence]) => sentence !== "")
      .sort((a, b) => b[2] - a[2])
      .map(([, sentence, value]) => `${sentence} (${value.toFixed(0)} ms)`);
    const drawing = phase.charts + phase.heatmap + phase.rest;
    const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
    writeBenchSection(
      "dashboard",
      `## Dashboard: the model page over 30 days of hourly windows × 50 features

Command: \`npm run bench -- dashboard\` · machine: ${machineLine()} · ${new Date().toISOString().slice(0, 10)} ·
1-minute load average ${load.toFixed(1)} when the page loads began, ${loadAfter.toFixed(1)} when they ended (other jobs share the machine)

Setup: \`tiktoktoe serve --clock event\` (a child process) with one regression model of ${FEATURES} numeric
features and a ${REFERENCE_ROWS.toLocaleString("en")}-row reference; ${filled.accepted.toLocaleString("en")} events (${PER_WINDOW} per hourly window over
${DAYS} days, ${WINDOWS} windows, ${SHIFTS.length} features shifted in some windows) with a label each, then one
event 3 h later so every window is final (${filled.windows} windows in all). The page \`/models/bench\` (all
versions, everything kept: \`/series?points=1000\`, so one point per window) is loaded in Debian's headless
Chromium (${VIEWPORT.width} × ${VIEWPORT.height}) ${COLD_RUNS} times, each in a new browser context (cold cache), then once more
in the last context (warm). A render is complete at the page's \`tiktoktoe:rendered\` mark: the 4 charts
(${windowsShown} points each) and the heat map (${columns} columns × ${windowsShown} windows) drawn; times count from
navigation start. The bench checks that the page shows every window and every feature.

Target: ≤ 1 s to a complete first render. **${verdict}**: median ${ms(median(rendered))}, worst ${ms(max(rendered))} of ${COLD_RUNS} cold loads.

${table}

${phaseTable}

What bounds it: the render is a chain — the page shell, which preloads the series (\`<link rel="preload">\`,
so the server works while the script (${kb(js.transfer)} on the wire) downloads and runs), then the
series answer (${kb(series.decoded)} of JSON, ${kb(series.transfer)} gzipped), then drawing. The largest parts are
${first} and ${second}. The server's own time (request to first byte) is
${Math.round((phase.wait / median(rendered)) * 100)}% of the median render; drawing (charts, heat map, table)
${Math.round((drawing / median(rendered)) * 100)}%. For each request the server reads the window summaries of the range
from SQLite (${windowsShown} rows, ${mb(summaryBytes)} of JSON, parsed in full; the ${mb(stateBytes)} of serialized
window state stay in the database: \`getWindowSummaries\`) and aggregates them. Read with every column those rows
take ${median(storeMs).toFixed(0)} ms from this process, ${median(leanMs).toFixed(0)} ms as the server now reads them; the
whole endpoint takes ${median(endpointMs).toFixed(0)} ms from Node. In the page the same request waits longer, because
Chromium, the server and this
process share two cores. The heat
map's ${(columns * windowsShown).toLocaleString("en")} cells are drawn on one canvas as runs of equal cells (${phase.heatmap.toFixed(0)} ms). Headless
Chromium runs with \`--disable-gpu\`, so canvases are rasterised in software.
`,
    );
  } finally {
    await browser?.close();
    child.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
}
