/// <reference lib="dom" />
// The DOM types are for the functions that run in the page (page.evaluate, waitForFunction).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { runBikeDemo } from "../demo/bike-replay.js";
import {
  artifactDir,
  chromiumMissing,
  launchChromium,
  openDashboardPage,
  type PageProblems,
} from "../testing/browser.js";
import { repoPath } from "../testing/paths.js";
import { dashboardPages } from "./dashboard.js";
import type { RunningServer } from "./start.js";

/**
 * The dashboard in Debian's Chromium after the bike demo's replay: every assertion compares what the
 * page shows with what the API answers, so a page that drew the wrong thing fails.
 */

type Json = Record<string, unknown>;
let server: RunningServer;
/** The model's MAE on 2011 as the demo computed it, with its own onnxruntime session. */
let referenceMae: number;
let browser: Browser;
let page: Page;
const shots = artifactDir("dashboard");
let problems: PageProblems;
let rendered: (name: string) => Promise<void>;

const api = async <T = Json>(path: string, init?: RequestInit): Promise<T> => {
  const response = await fetch(`${server.url}${path}`, init);
  assert.ok(response.ok, `${path}: ${response.status} ${await response.clone().text()}`);
  return (await response.json()) as T;
};

before(
  async () => {
    if (chromiumMissing) return;
    // The whole of 2012, without the terminal's week-by-week printing (each read of the open windows
    // recomputes their drift); Chromium starts meanwhile.
    let demo: Awaited<ReturnType<typeof runBikeDemo>>;
    [demo, browser] = await Promise.all([
      runBikeDemo({ port: 0, weeksPerSecond: 1000, follow: false, print: () => undefined }),
      launchChromium(),
    ]);
    ({ server, referenceMae } = demo);
    // A zone other than UTC, so the zone switch has something to switch.
    ({ page, problems, rendered } = await openDashboardPage(browser, server.url, {
      timezoneId: "Europe/Berlin",
    }));
  },
  { timeout: 120_000 },
);

after(async () => {
  await browser?.close();
  await server?.close();
});

const skip = chromiumMissing;

test("the overview shows the demo's model with the API's health, firing alerts and a sparkline", {
  skip,
}, async () => {
  await page.goto(`${server.url}/`);
  await rendered("overview");
  const overview = await api<{
    models: Array<{
      name: string;
      health: { status: string };
      firing: number;
      last: { value: number | null } | null;
      sparkline: { value: unknown[] };
    }>;
  }>("/v1/overview");
  const bike = overview.models.find((m) => m.name === "bike")!;
  const row = page.locator('tr[data-model="bike"]');
  assert.equal(await row.getAttribute("data-health"), bike.health.status);
  assert.notEqual(bike.health.status, "ok", "the demo ends with drift and alerts");
  assert.equal(
    (await row.locator(".badge").first().textContent())?.toLowerCase(),
    bike.health.status.replace("_", " "),
  );
  assert.equal(
    await row.locator("svg.sparkline").getAttribute("data-points"),
    String(bike.sparkline.value.length),
  );
  assert.ok(bike.sparkline.value.length >= 40, `${bike.sparkline.value.length} sparkline points`);
  const last = (await row.locator("td").nth(1).textContent()) ?? "";
  assert.ok(
    bike.last !== null && last.includes(String(Number(bike.last.value!.toPrecision(4)))),
    `${last} vs ${JSON.stringify(bike.last)}`,
  );
  assert.equal((await row.locator("td").nth(2).textContent())?.trim(), String(bike.firing));
  await page.screenshot({ path: join(shots, "overview.png"), fullPage: true });
});

test("the model page has one MAE point per window and a heat map that marks temp where the API says it drifted", {
  skip,
}, async () => {
  await page.evaluate(() => {
    (window as unknown as { marker: number }).marker = 42;
  });
  await page.click('tr[data-model="bike"] a');
  await rendered("model");
  // Followed in the page, not reloaded.
  assert.equal(await page.evaluate(() => (window as unknown as { marker?: number }).marker), 42);

  const { windows } = await api<{
    windows: Array<
      Json & {
        startMs: number;
        version: string;
        quality: { mae?: number };
        drift: { columns: Array<{ column: string; severity: string }> } | null;
      }
    >;
  }>("/v1/models/bike/windows?version=2011");
  const chart = page.locator("#chart-quality");
  // The chart draws after its series arrives: wait for it (under load that can follow the page's
  // first render), then compare — a wrong count still fails, after the wait.
  await page
    .waitForFunction(
      (n) => Number(document.querySelector("#chart-quality")?.getAttribute("data-points") ?? 0) === n,
      windows.length,
      { timeout: 10_000 },
    )
    .catch(() => undefined);
  assert.equal(Number(await chart.getAttribute("data-points")), windows.length, "one point per window");
  const withMae = windows.filter((w) => typeof w.quality?.mae === "number").length;
  assert.equal(await chart.getAttribute("data-values"), String(withMae));
  // The data table lists the same values, in the same order.
  await chart.locator(".chart-table summary").click();
  // The table is built on the details' toggle event, which may follow the click.
  await chart.locator(".chart-table tbody tr").first().waitFor();
  const cells = await chart.locator(".chart-table tbody tr td:nth-child(2)").allTextContents();
  assert.equal(cells.length, windows.length);
  windows.forEach((w, i) => {
    const mae = w.quality?.mae;
    if (typeof mae === "number")
      assert.equal(Number(cells[i]!.replace(/,/g, "")), Number(mae.toPrecision(4)), `window ${i}`);
  });
  // The reference's MAE as a dashed baseline, labelled: the server's value (computed at the upload,
  // with its ONNX run) is the demo's own computation on 2011.
  const series = await api<{ referenceQuality: Array<{ version: string; metric: string; value: number }> }>(
    "/v1/models/bike/series?points=1000",
  );
  assert.equal(series.referenceQuality.length, 1);
  const reference = series.referenceQuality[0]!;
  assert.deepEqual([reference.version, reference.metric], ["2011", "mae"]);
  assert.ok(Math.abs(reference.value - referenceMae) < 1e-6, `${reference.value} vs ${referenceMae}`);
  assert.ok(Math.abs(reference.value - 23.6) < 0.1, "models/README.md: about 23.6");
  const baselines = JSON.parse((await chart.getAttribute("data-baselines")) ?? "[]") as Array<{
    value: number;
    label: string;
  }>;
  assert.deepEqual(baselines, [{ value: reference.value, label: `reference ${formatted(reference.value)}` }]);
  const labels = JSON.parse((await chart.getAttribute("data-threshold-labels")) ?? "[]") as Box[];
  assert.deepEqual(
    labels.map((b) => b.label.split(" ")[0]),
    ["threshold", "reference"],
    "both lines labelled on the chart (threshold 60 above the reference's 23.6)",
  );
  assertNoOverlap(labels, "quality chart's line labels");
  assert.equal(
    (await page.locator('tr[data-version="2011"] td').nth(4).textContent())?.trim(),
    formatted(reference.value),
    "the versions table's reference column",
  );
  await page.screenshot({ path: join(shots, "model.png"), fullPage: true });

  // The heat map: read the colour of temp's cell in every window and compare with the API's severity.
  const heat = page.locator("canvas.heatmap");
  const colours = await page.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>("canvas.heatmap")!;
    const columns = JSON.parse(canvas.dataset.columns!) as string[];
    const row = columns.indexOf("temp");
    const labelWidth = Number(canvas.dataset.labelWidth);
    const cellWidth = Number(canvas.dataset.cellWidth);
    const rowHeight = Number(canvas.dataset.rowHeight);
    const points = Number(canvas.dataset.points);
    const ratio = canvas.width / canvas.clientWidth;
    const ctx = canvas.getContext("2d")!;
    const probe = document.createElement("canvas").getContext("2d")!;
    const rgb = (name: string) => {
      probe.fillStyle = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
      probe.fillRect(0, 0, 1, 1);
      return Array.from(probe.getImageData(0, 0, 1, 1).data.slice(0, 3)).join(",");
    };
    const palette: Record<string, string> = {
      [rgb("--cell-none")]: "none",
      [rgb("--sev-ok-cell")]: "ok",
      [rgb("--sev-warning")]: "warning",
      [rgb("--sev-critical")]: "critical",
      [rgb("--sev-emergency")]: "emergency",
    };
    // Cells carry a pattern over their colour: the colour is the one most of the cell's pixels have.
    const out: string[] = [];
    for (let p = 0; p < points; p++) {
      const x = Math.floor((labelWidth + p * cellWidth + 1) * ratio);
      const y = Math.floor((row * rowHeight + 1) * ratio);
      const w = Math.max(1, Math.floor((cellWidth - 3) * ratio));
      const hgt = Math.floor((rowHeight - 3) * ratio);
      const { data } = ctx.getImageData(x, y, w, hgt);
      const votes = new Map<string, number>();
      for (let i = 0; i < data.length; i += 4) {
        const pixel = `${data[i]},${data[i + 1]},${data[i + 2]}`;
        votes.set(pixel, (votes.get(pixel) ?? 0) + 1);
      }
      const [pixel] = [...votes].sort((a, b) => b[1] - a[1])[0]!;
      out.push(palette[pixel] ?? `unknown ${pixel}`);
    }
    return out;
  });
  const expected = windows.map((w) => w.drift?.columns.find((c) => c.column === "temp")?.severity ?? "none");
  assert.deepEqual(colours, expected);
  const drifted = expected
    .map((s, i) => [s, i] as const)
    .filter(([s]) => s === "critical" || s === "emergency");
  assert.ok(drifted.length >= 10, `temp drifted in ${drifted.length} windows`);
  // The same cells as text, in the table view (for screen readers), in the API's words.
  await page.locator(".heatmap-table summary").click();
  await page.waitForSelector(".heatmap-table table");
  const words = await page.evaluate(() => {
    const table = document.querySelector(".heatmap-table table")!;
    const at = Array.from(table.querySelectorAll("thead th")).findIndex((th) => th.textContent === "temp");
    return Array.from(table.querySelectorAll("tbody tr")).map((tr) => tr.children[at]!.textContent);
  });
  assert.deepEqual(
    words,
    expected.map((s) => (s === "none" ? "not tested" : s)),
  );

  // Click temp's cell in a drifted window: the two distributions and the statistics of that window.
  const [, point] = drifted[0]!;
  const geometry = await heat.evaluate((canvas: HTMLCanvasElement) => ({
    labelWidth: Number(canvas.dataset.labelWidth),
    cellWidth: Number(canvas.dataset.cellWidth),
    rowHeight: Number(canvas.dataset.rowHeight),
    row: (JSON.parse(canvas.dataset.columns!) as string[]).indexOf("temp"),
  }));
  await heat.click({
    position: {
      x: geometry.labelWidth + point * geometry.cellWidth + geometry.cellWidth / 2,
      y: geometry.row * geometry.rowHeight + geometry.rowHeight / 2,
    },
  });
  const clicked = windows[point]!;
  await page.waitForFunction(
    (start) => document.getElementById("drift-detail")?.dataset.start === String(start),
    clicked.startMs,
  );
  const report = await api<{ columns: Array<{ column: string; severity: string; statistic: number }> }>(
    `/v1/models/bike/windows/${clicked.startMs}/drift?version=2011`,
  );
  const temp = report.columns.find((c) => c.column === "temp")!;
  const detail = page.locator("#drift-detail");
  assert.equal(await detail.getAttribute("data-column"), "temp");
  assert.equal(await detail.getAttribute("data-severity"), temp.severity);
  assert.equal((await detail.locator("svg.histogram rect.bar-current").count()) > 0, true);
  assert.match(
    (await detail.locator("dl.stats").textContent()) ?? "",
    new RegExp(String(Number(temp.statistic.toPrecision(4))).replace(".", "\\.")),
  );
  assert.equal(
    await detail.locator('a[href^="/explanations"]').getAttribute("href"),
    `/explanations?model=bike&version=2011&window=${clicked.startMs}`,
  );
  // The distribution's x ticks: as drawn, no two labels share a pixel.
  const ticks = await detail.locator("svg.histogram text.tick-x").evaluateAll((nodes) =>
    nodes.map((n) => {
      const r = n.getBoundingClientRect();
      return { x: r.x, y: r.y, width: r.width, height: r.height, label: n.textContent ?? "" };
    }),
  );
  assert.ok(ticks.length >= 3, JSON.stringify(ticks));
  assert.equal(String(ticks.length), await detail.locator("svg.histogram").getAttribute("data-ticks"));
  assertNoOverlap(ticks, "histogram ticks");
  await page.screenshot({ path: join(shots, "model-drift-detail.png"), fullPage: true });

  // The keyboard reaches the same detail: focus the map, move, Enter.
  await heat.focus();
  await page.keyboard.press("Home");
  await page.keyboard.press("Enter");
  await page.waitForFunction(
    (start) => document.getElementById("drift-detail")?.dataset.start === String(start),
    windows[0]!.startMs,
  );
});

/** A box on the page or a plot (CSS px); `label` when it is a text's. */
interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly label: string;
}

/** Fails when two boxes share any area (touching edges are allowed). */
function assertNoOverlap(boxes: readonly Box[], what: string): void {
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!;
      const b = boxes[j]!;
      const overlap =
        a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
      assert.ok(!overlap, `${what}: "${a.label}" and "${b.label}" overlap: ${JSON.stringify([a, b])}`);
    }
}

/** A number as the dashboard prints it (4 significant digits, grouped). */
const formatted = (value: number) => Number(value.toPrecision(4)).toLocaleString("en-US");

/** The x axis of a chart as drawn (ms), from the figure's data attributes. */
const xAxis = async (id: string) =>
  page.evaluate((chartId) => {
    const figure = document.getElementById(chartId)!;
    return [Number(figure.dataset.xMin), Number(figure.dataset.xMax)];
  }, id);

test("with a year of windows the model page's x axis is the range chosen; the controls keep the focus", {
  skip,
}, async () => {
  // Everything kept: from the first window's start to the last one's end.
  const all = await api<{ versions: Array<{ start: number[]; end: number[] }> }>(
    "/v1/models/bike/series?points=1000&version=2011",
  );
  const first = Math.min(...all.versions.flatMap((v) => v.start));
  const last = Math.max(...all.versions.flatMap((v) => v.end));
  assert.ok(last - first > 300 * 86_400_000, "a year of windows");
  assert.deepEqual(await xAxis("chart-quality"), [first, last]);

  // A range button: the axis is that range, and the button keeps the focus.
  const month = await api<{ from: number; now: number }>(
    "/v1/models/bike/series?points=1000&version=2011&last=30d",
  );
  await page.click('button[data-range="30d"]');
  await page.waitForFunction(
    (from) => document.getElementById("chart-quality")?.dataset.xMin === String(from),
    month.from,
  );
  assert.deepEqual(await xAxis("chart-quality"), [month.from, month.now]);
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("data-range")), "30d");

  // Apply of a custom range: the axis is exactly the range typed, the focus stays on Apply.
  await page.fill("#range-from", "2012-06-01T00:00");
  await page.fill("#range-to", "2012-07-01T00:00");
  await page.click('.custom-range button[type="submit"]');
  const june = Date.parse("2012-06-01T00:00:00+02:00"); // Europe/Berlin, summer time
  await page.waitForFunction(
    (from) => document.getElementById("chart-quality")?.dataset.xMin === String(from),
    june,
  );
  assert.deepEqual(await xAxis("chart-quality"), [june, Date.parse("2012-07-01T00:00:00+02:00")]);
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Apply");

  // The version select: arrow keys step through the choices without a reload per step, and the
  // select keeps the focus once the page has loaded the last one.
  const requests: string[] = [];
  const count = (request: { url(): string }) => {
    if (request.url().includes("/series")) requests.push(request.url());
  };
  page.on("request", count);
  await page.focus("#version");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  await page.waitForFunction(() => {
    const select = document.getElementById("version") as HTMLSelectElement;
    return new URL(location.href).searchParams.get("version") === select.value;
  });
  await page.waitForTimeout(300);
  page.off("request", count);
  assert.equal(requests.length, 1, requests.join("\n"));
  assert.equal(await page.evaluate(() => document.activeElement?.id), "version");
  // Back to every version and everything kept, for the tests after this one.
  await page.selectOption("#version", "");
  await page.waitForFunction(() => new URL(location.href).searchParams.get("version") === null);
  await page.click('button[data-range="all"]');
  await page.waitForFunction(() => location.search === "");
  await page.waitForFunction(
    (n) => document.getElementById("chart-quality")?.dataset.xMin === String(n),
    first,
  );
});

test("a new window arrives live, without reloading the page", { skip }, async () => {
  const before = Number(await page.locator("#chart-quality").getAttribute("data-points"));
  // The next week, after everything the demo sent (event time: the demo's clock is at 2013-01-14).
  const time = Date.UTC(2013, 0, 21, 12);
  const events = Array.from({ length: 30 }, (_, i) =>
    JSON.stringify({
      id: `live-${i}`,
      time: time + i * 60_000,
      version: "2011",
      features: {
        season: "1",
        mnth: 1,
        hr: i % 24,
        holiday: "0",
        weekday: 1,
        workingday: "1",
        weathersit: "1",
        temp: 0.2,
        atemp: 0.2,
        hum: 0.5,
        windspeed: 0.2,
      },
      prediction: 100,
    }),
  ).join("\n");
  const answer = await fetch(`${server.url}/v1/models/bike/events`, {
    method: "POST",
    headers: { "content-type": "application/x-ndjson" },
    body: events,
  });
  assert.equal(answer.status, 200, await answer.text());
  await page.waitForFunction(
    (n) => Number(document.getElementById("chart-quality")?.dataset.points) === n,
    before + 1,
    { timeout: 15_000 },
  );
  assert.equal(await page.evaluate(() => (window as unknown as { marker?: number }).marker), 42, "no reload");
  assert.ok(Number(await page.evaluate(() => document.documentElement.dataset.liveEvents)) > 0);
});

test("an alert is silenced from the alerts page and the API sees the silence", { skip }, async () => {
  await page.click('nav.site a[href="/alerts"]');
  await rendered("alerts");
  const firing = (
    await api<{
      alerts: Array<{ fingerprint: string; status: string; state: string; labels: Record<string, string> }>;
    }>("/v1/alerts")
  ).alerts.filter((a) => a.status === "firing" && a.state === "active");
  assert.ok(firing.length > 0, "the demo leaves an alert firing");
  // The demo routes alerts to its terminal webhook: the page names the channel, and no "none" note.
  const { channels } = await api<{ channels: string[] }>("/v1/alerts");
  assert.deepEqual(channels, ["terminal"]);
  assert.equal(
    (await page.locator("#channels-note").textContent())?.trim(),
    "Notifications go to: terminal.",
  );
  assert.equal(
    (await page.locator("#firing-title").textContent())?.trim(),
    `Firing (${await page.locator('section[aria-labelledby="firing-title"] tbody tr').count()})`,
  );
  const target = firing[0]!;
  await page.screenshot({ path: join(shots, "alerts.png"), fullPage: true });
  const row = page.locator(`tr[data-fingerprint="${target.fingerprint}"]`);
  await page.evaluate(() => localStorage.removeItem("tiktoktoe.user"));
  await row.locator("button.silence").click();
  // The dialog opens on its first required field still empty.
  assert.equal(await page.evaluate(() => document.activeElement?.id), "silence-by");
  await page.fill("#silence-by", "on-call engineer");
  await page.fill("#silence-comment", "known seasonal drift, ticket ML-42");
  await page.screenshot({ path: join(shots, "alerts-silence-dialog.png"), fullPage: true });
  await page.click('dialog button[type="submit"]');
  await page.waitForSelector(`tr[data-fingerprint="${target.fingerprint}"][data-state="suppressed"]`, {
    timeout: 10_000,
  });

  const { silences } = await api<{
    silences: Array<{
      id: string;
      createdBy: string;
      comment: string;
      matchers: Array<{ name: string; value: string }>;
      status: { state: string };
    }>;
  }>("/v1/silences");
  const made = silences.find((s) => s.createdBy === "on-call engineer");
  assert.ok(made, JSON.stringify(silences));
  assert.equal(made.status.state, "active");
  assert.equal(made.comment, "known seasonal drift, ticket ML-42");
  assert.deepEqual(made.matchers.find((m) => m.name === "alertname")?.value, target.labels.alertname);
  const after = (
    await api<{ alerts: Array<{ fingerprint: string; state: string; silencedBy: string[] }> }>("/v1/alerts")
  ).alerts.find((a) => a.fingerprint === target.fingerprint)!;
  assert.equal(after.state, "suppressed");
  assert.deepEqual(after.silencedBy, [made.id]);
  assert.equal(await page.locator(`tr[data-silence="${made.id}"]`).count(), 1);
  await page.screenshot({ path: join(shots, "alerts-silenced.png"), fullPage: true });
  // The focus went back to the silenced alert's row, not to <body>.
  assert.equal(
    await page.evaluate(() => document.activeElement?.closest("tr")?.getAttribute("data-fingerprint")),
    target.fingerprint,
  );

  // Ack: a dialog (no prompt), the name remembered from the silence; focus back on the row.
  const ackRow = page.locator("tr[data-fingerprint]", { has: page.locator("button.ack") }).first();
  const acked = (await ackRow.getAttribute("data-fingerprint"))!;
  await ackRow.locator("button.ack").click();
  assert.equal(await page.inputValue("#ack-by"), "on-call engineer");
  await page.click('dialog button[type="submit"]');
  await page.waitForSelector(`tr[data-fingerprint="${acked}"] .muted`);
  const ackedAlert = (
    await api<{ alerts: Array<{ fingerprint: string; ack: { by: string } | null }> }>("/v1/alerts")
  ).alerts.find((a) => a.fingerprint === acked)!;
  assert.equal(ackedAlert.ack?.by, "on-call engineer");
  assert.equal(
    await page.evaluate(() => document.activeElement?.closest("tr")?.getAttribute("data-fingerprint")),
    acked,
  );

  // Expire: the silence goes, the focus lands on the silences (a next Expire, or the heading).
  await page.locator(`tr[data-silence="${made.id}"] button.expire`).click();
  await page.waitForSelector(`tr[data-silence="${made.id}"]`, { state: "detached" });
  assert.ok(
    await page.evaluate(
      () =>
        document.activeElement !== document.body &&
        document.activeElement?.closest("section")?.getAttribute("aria-labelledby") === "silences-title",
    ),
    "focus after Expire",
  );
});

test("dark theme, time zone switch, and nothing loaded from elsewhere or blocked by the policy", {
  skip,
}, async () => {
  const seriesRequests: string[] = [];
  const count = (request: { url(): string }) => {
    if (request.url().includes("/series")) seriesRequests.push(request.url());
  };
  page.on("request", count);
  await page.goto(`${server.url}/models/bike`);
  await rendered("model");
  page.off("request", count);
  // The shell preloads the series; the page's own request is answered by that preload.
  assert.deepEqual(seriesRequests, [`${server.url}/v1/models/bike/series?points=1000`]);
  const theme = page.locator("button", { hasText: /^Theme:/ });
  while ((await page.evaluate(() => document.documentElement.dataset.theme)) !== "dark") await theme.click();
  await rendered("model");
  await page.screenshot({ path: join(shots, "model-dark.png"), fullPage: true });
  const zone = page.locator("button", { hasText: /^Times:/ });
  const before = await zone.textContent();
  await zone.click();
  assert.notEqual(await zone.textContent(), before);
  await rendered("model");
  assert.deepEqual(problems, { foreign: [], policy: [], errors: [] });
});

const pagePaths = [
  "/",
  "/models/bike",
  "/alerts",
  "/fairness",
  "/reports",
  "/resources",
  "/explanations",
  "/deployments",
];
const axeSource = readFileSync(join(repoPath("node_modules"), "axe-core", "axe.min.js"), "utf8");

/** axe-core's violations on the page as it is (the page's policy forbids an injected script tag). */
async function axeViolations(target: Page): Promise<string[]> {
  await target.evaluate(axeSource);
  return target.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document): Promise<AxeResults> } }).axe;
    type AxeResults = {
      violations: Array<{ id: string; nodes: Array<{ target: unknown[]; failureSummary?: string }> }>;
    };
    const results = await axe.run(document);
    return results.violations.map(
      (v) =>
        `${v.id}: ${v.nodes.map((n) => `${JSON.stringify(n.target)} ${n.failureSummary ?? ""}`).join("; ")}`,
    );
  });
}

test("axe-core finds no violation on any page, in the light and the dark theme", { skip }, async () => {
  assert.equal(pagePaths.length, dashboardPages.length, "every page of src/server/dashboard.ts");
  for (const theme of ["light", "dark"]) {
    await page.evaluate(
      (t) => localStorage.setItem("tiktoktoe.settings", JSON.stringify({ theme: t })),
      theme,
    );
    for (const path of pagePaths) {
      await page.goto(`${server.url}${path}`);
      await page.waitForFunction(() => (document.documentElement.dataset.rendered ?? "") !== "");
      assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), theme);
      assert.deepEqual(await axeViolations(page), [], `${path} in the ${theme} theme`);
    }
  }
  await page.evaluate(() => localStorage.removeItem("tiktoktoe.settings"));
});

test("on a 390 px phone no page scrolls sideways, and the alerts' actions are on screen", {
  skip,
}, async () => {
  const phone = await openDashboardPage(browser, server.url, { viewport: { width: 390, height: 844 } });
  try {
    for (const path of pagePaths) {
      await phone.page.goto(`${server.url}${path}`);
      await phone.page.waitForFunction(() => (document.documentElement.dataset.rendered ?? "") !== "");
      const width = await phone.page.evaluate(() => document.documentElement.scrollWidth);
      if (width > 390)
        await phone.page.screenshot({
          path: join(shots, `phone-${path.replace(/\W/g, "") || "overview"}.png`),
          fullPage: true,
        });
      assert.ok(width <= 390, `${path}: ${width} px wide`);
    }
    await phone.page.goto(`${server.url}/alerts`);
    await phone.page.waitForFunction(() => document.documentElement.dataset.rendered === "alerts");
    const box = await phone.page.locator("td.actions button").first().boundingBox();
    assert.ok(box !== null && box.x >= 0 && box.x + box.width <= 390, JSON.stringify(box));
    await phone.page.screenshot({ path: join(shots, "phone-alerts.png"), fullPage: true });
    assert.deepEqual(phone.problems.errors, []);
  } finally {
    await phone.page.close();
  }
});
