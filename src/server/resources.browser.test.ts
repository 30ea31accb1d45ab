/// <reference lib="dom" />
// The DOM types are for the functions that run in the page (page.evaluate, waitForFunction).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
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
import { deadUrl, type Receiver, startReceiver } from "../testing/receiver.js";
import type { ResourcesReport } from "./resource-monitor.js";
import { type RunningServer, startServer } from "./start.js";

/**
 * The resources page in Debian's Chromium, against a server whose clock the test moves: a handful
 * of one-minute windows are sampled, then the clock stands still so the page and the API see the
 * same windows. Every assertion compares what the page shows with what the API answers.
 */

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-resources-browser-"));
let server: RunningServer;
let receiver: Receiver;
let browser: Browser;
let page: Page;
let target = "";
const shots = artifactDir("dashboard");
let problems: PageProblems;
let rendered: (name: string) => Promise<void>;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const api = async <T>(path: string): Promise<T> => {
  const response = await fetch(`${server.url}${path}`);
  assert.ok(response.ok, `${path}: ${response.status} ${await response.clone().text()}`);
  return (await response.json()) as T;
};

before(
  async () => {
    if (chromiumMissing) return;
    receiver = await startReceiver(() => ({ status: 200 }));
    target = `tcp://127.0.0.1:${new URL(await deadUrl()).port}`;
    writeFileSync(
      join(dir, "monitor.yaml"),
      [
        "resources:",
        "  window: 1m",
        `  probes: [${target}]`,
        "  rules:",
        "    memory_used_ratio: { warning: 0.01 }",
        "alerting:",
        `  channels: { hook: { type: webhook, url: "${receiver.url}/hook" } }`,
        "  receivers: { default: { channels: [hook] } }",
        "  route: { receiver: default, group_by: [alertname], group_wait: 0s }",
        "",
      ].join("\n"),
    );
    let now = Math.floor(Date.now() / 60_000) * 60_000 + 5_000;
    server = await startServer({
      port: 0,
      dataDir: join(dir, "data"),
      configFile: join(dir, "monitor.yaml"),
      now: () => now,
      flushIntervalMs: 50,
      resourceIntervalMs: 3_600_000, // only the samples this test takes
    });
    // Five windows of three samples; a real pause between samples so the CPU counters move.
    for (let i = 0; i < 14; i++) {
      await sleep(100);
      now += 20_000;
      await server.resources.sample();
    }
    browser = await launchChromium();
    ({ page, problems, rendered } = await openDashboardPage(browser, server.url));
  },
  { timeout: 120_000 },
);

after(async () => {
  await browser?.close();
  await server?.close();
  await receiver?.close();
  rmSync(dir, { recursive: true, force: true });
});

const skip = chromiumMissing;

test("the resources page charts one point per window of the API, with the rule thresholds drawn in", {
  skip,
}, async () => {
  await page.goto(`${server.url}/`);
  await rendered("overview");
  await page.click('nav.site a[href="/resources"]');
  await rendered("resources");
  assert.equal(await page.locator('nav.site a[href="/resources"]').getAttribute("aria-current"), "page");
  const answer = await api<ResourcesReport>("/v1/resources?last=24h&points=1000");
  assert.ok(answer.windows.length >= 5, `${answer.windows.length} windows`);

  const cpu = page.locator("#chart-cpu");
  assert.equal(Number(await cpu.getAttribute("data-points")), answer.windows.length, "one point per window");
  const withCpu = answer.windows.filter((w) => w.cpu.utilisation !== null);
  assert.ok(withCpu.length >= 4, "the closed windows have a utilisation");
  assert.equal((await cpu.getAttribute("data-values"))?.split(",")[0], String(withCpu.length));
  // The data table holds the API's figures, in percent.
  await cpu.locator(".chart-table summary").click();
  // The table is built on the details' toggle event, which may follow the click.
  await cpu.locator(".chart-table tbody tr").first().waitFor();
  const cells = await cpu.locator(".chart-table tbody tr td:nth-child(2)").allTextContents();
  assert.equal(cells.length, answer.windows.length);
  answer.windows.forEach((w, i) => {
    if (w.cpu.utilisation !== null)
      assert.equal(
        Number(cells[i]!.replace(/,/g, "")),
        Number((w.cpu.utilisation * 100).toPrecision(4)),
        `window ${i}`,
      );
  });

  // The threshold: the configured value, labelled, and drawn in the threshold colour.
  const warning = answer.thresholds.cpu_utilisation.warning!;
  assert.deepEqual(JSON.parse((await cpu.getAttribute("data-thresholds"))!), [
    { value: warning, label: "warning above 95%" },
  ]);
  assert.match((await cpu.locator(".thresholds").textContent()) ?? "", /Thresholds: warning above 95%/);
  const drawn = await cpu.evaluate((figure: HTMLElement) => {
    const canvas = figure.querySelector("canvas")!;
    const ctx = canvas.getContext("2d")!;
    const probe = document.createElement("canvas").getContext("2d")!;
    probe.fillStyle = getComputedStyle(document.documentElement).getPropertyValue("--threshold").trim();
    probe.fillRect(0, 0, 1, 1);
    const [r, g, b] = probe.getImageData(0, 0, 1, 1).data;
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    let count = 0;
    for (let i = 0; i < data.length; i += 4)
      if (Math.abs(data[i]! - r!) + Math.abs(data[i + 1]! - g!) + Math.abs(data[i + 2]! - b!) < 30) count++;
    return count;
  });
  assert.ok(drawn > 100, `${drawn} pixels in the threshold colour`);
  assert.match(
    (await page.locator("#chart-memory .thresholds").textContent()) ?? "",
    /warning above 1%, critical above 95%/,
  );

  // The other charts have the same windows.
  for (const id of [
    "chart-memory",
    "chart-memory-bytes",
    "chart-disk",
    "chart-network",
    "chart-network-errors",
  ])
    assert.equal(Number(await page.locator(`#${id}`).getAttribute("data-points")), answer.windows.length, id);
  if (answer.windows.every((w) => w.gpus.length === 0))
    assert.equal(await page.locator("#no-gpu").textContent(), "No GPU on this machine.");

  // The probe to a closed port: down, 0% available, and its alert among the resource alerts firing.
  const probe = page.locator(`.probes-table tr[data-target="${target}"]`);
  assert.match((await probe.textContent()) ?? "", /down.*0%/);
  assert.equal(
    Number(await page.locator("#chart-probe-latency").getAttribute("data-points")),
    answer.windows.length,
  );
  const firing = answer.alerts.map((a) => a.labels.alertname!);
  // ResourceCpuHigh may join them on a busy machine.
  for (const name of ["DependencyDown", "ResourceMemoryHigh"]) assert.ok(firing.includes(name), name);
  for (const name of firing)
    assert.equal(await page.locator(`.resource-alerts tr[data-alertname="${name}"]`).count(), 1, name);
  await page.screenshot({ path: join(shots, "resources.png"), fullPage: true });
});

test("the range buttons ask the API for that range", { skip }, async () => {
  const asked = page.waitForRequest((request) => request.url().includes("/v1/resources?last=7d"));
  await page.click('button[data-range="7d"]');
  await asked;
  await page.waitForSelector('button[data-range="7d"][aria-pressed="true"]');
  assert.match(page.url(), /\/resources\?range=7d$/);
  const answer = await api<ResourcesReport>("/v1/resources?last=7d&points=1000");
  await page.waitForFunction(
    (n) => document.querySelector("#chart-cpu")?.getAttribute("data-points") === String(n),
    answer.windows.length,
  );
  assert.deepEqual(problems, { foreign: [], policy: [], errors: [] });
});
