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
 * The drift heat map's severities under simulated deuteranopia, in both themes. The colours are read
 * from the page: the legend swatches' pixels (the same tiles as the map's cells) and, for emergency
 * (listed in the legend only when a cell has it), the palette the map publishes; the patterns from
 * the swatches' pixels (which pixels carry ink) and the published pattern names.
 *
 * The rule: after Machado, Oliveira & Fernandes (2009)'s deuteranopia matrix at severity 1.0, applied
 * to linear sRGB, two severities' fills are distinguishable when CIE76 ΔE ≥ 10 or their luminance
 * contrast is ≥ 1.5:1; two fills that are not must carry different patterns. Independently, every
 * severity has a pattern of its own.
 */

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-heatmap-cvd-"));
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 3, 6, 8, 0);
let server: RunningServer;
let browser: Browser;
let page: Page;
let rendered: (name: string) => Promise<void>;

const post = async (method: string, path: string, body: string, type = "application/json") => {
  const response = await fetch(`${server.url}${path}`, { method, headers: { "content-type": type }, body });
  assert.ok(response.ok, `${path}: ${response.status} ${await response.text()}`);
};

before(
  async () => {
    if (chromiumMissing) return;
    server = await startServer({
      port: 0,
      dataDir: join(dir, "data"),
      clock: "event",
      flushIntervalMs: 3_600_000,
      resourceIntervalMs: 3_600_000,
    });
    await post(
      "POST",
      "/v1/models",
      JSON.stringify({ name: "m", task: "regression", features: [{ name: "x", type: "numeric" }] }),
    );
    await post("POST", "/v1/models/m/versions", JSON.stringify({ version: "1" }));
    await post(
      "PUT",
      "/v1/models/m/versions/1/reference",
      ["x,prediction,target", ...Array.from({ length: 200 }, (_, i) => `${i % 50},1,1`)].join("\n"),
      "text/csv",
    );
    // One window like the reference, one shifted far from it.
    for (const [w, shift] of [
      [0, 0],
      [1, 500],
    ] as const)
      await post(
        "POST",
        "/v1/models/m/events",
        Array.from({ length: 100 }, (_, i) =>
          JSON.stringify({
            id: `e-${w}-${i}`,
            time: T0 + w * HOUR + i * 1_000,
            version: "1",
            features: { x: (i % 50) + shift },
            prediction: 1,
            latency_ms: 2,
          }),
        ).join("\n"),
        "application/x-ndjson",
      );
    await server.service.flush();
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

type Rgb = readonly [number, number, number];

const linear = (c: number) => {
  const v = c / 255;
  return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
};
/** Machado et al. 2009, deuteranomaly at severity 1.0 (deuteranopia), on linear RGB. */
const DEUTERANOPIA = [
  [0.367322, 0.860646, -0.227968],
  [0.280085, 0.672501, 0.047413],
  [-0.01182, 0.04294, 0.968881],
] as const;
/** The colour a deuteranope sees, as linear RGB clamped to [0, 1]. */
function deuteranope(rgb: Rgb): Rgb {
  const l = rgb.map(linear);
  return DEUTERANOPIA.map((row) =>
    Math.min(1, Math.max(0, row[0] * l[0]! + row[1] * l[1]! + row[2] * l[2]!)),
  ) as unknown as Rgb;
}
const luminance = ([r, g, b]: Rgb) => 0.2126 * r + 0.7152 * g + 0.0722 * b;
/** CIE L*a*b* (D65) of a linear RGB colour. */
function lab([r, g, b]: Rgb): Rgb {
  const x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
  const y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  const z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
  const f = (t: number) => (t > (6 / 29) ** 3 ? Math.cbrt(t) : t / (3 * (6 / 29) ** 2) + 4 / 29);
  return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))];
}
const deltaE = (a: Rgb, b: Rgb) => {
  const [p, q] = [lab(a), lab(b)];
  return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
};
const contrast = (a: Rgb, b: Rgb) => {
  const [x, y] = [luminance(a) + 0.05, luminance(b) + 0.05];
  return Math.max(x, y) / Math.min(x, y);
};

interface Severity {
  readonly code: number;
  readonly name: string;
  readonly fill: Rgb;
  readonly pattern: string;
  /** Which pixels of the 8 × 8 tile carry ink, read from the legend swatch (null: not in the legend). */
  readonly mask: string | null;
}

/** The page's severities: fills and ink masks from the legend's pixels, the rest from the palette. */
function readSeverities(): Promise<{ severities: Severity[]; mismatches: string[] }> {
  return page.evaluate(() => {
    const map = document.querySelector<HTMLCanvasElement>("canvas.heatmap")!;
    const palette = JSON.parse(map.dataset.palette!) as Array<{
      code: number;
      name: string;
      fill: string;
      pattern: string;
    }>;
    const probe = document.createElement("canvas").getContext("2d", { willReadFrequently: true })!;
    const resolve = (css: string) => {
      probe.clearRect(0, 0, 1, 1);
      probe.fillStyle = css;
      probe.fillRect(0, 0, 1, 1);
      const [r, g, b] = probe.getImageData(0, 0, 1, 1).data;
      return [r!, g!, b!] as [number, number, number];
    };
    const mismatches: string[] = [];
    const severities = palette.map((p) => {
      const swatch = document.querySelector<HTMLCanvasElement>(
        `.legend canvas.swatch[data-code="${p.code}"]`,
      );
      if (swatch === null) return { ...p, fill: resolve(p.fill), mask: null };
      const { data } = swatch.getContext("2d")!.getImageData(0, 0, 8, 8);
      const counts = new Map<string, number>();
      for (let i = 0; i < data.length; i += 4) {
        const key = `${data[i]},${data[i + 1]},${data[i + 2]}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      // The fill is the swatch's commonest colour; ink is whatever differs from it clearly.
      const fill = [...counts]
        .sort((a, b) => b[1] - a[1])[0]![0]
        .split(",")
        .map(Number) as [number, number, number];
      let mask = "";
      for (let i = 0; i < data.length; i += 4)
        mask +=
          Math.abs(data[i]! - fill[0]) + Math.abs(data[i + 1]! - fill[1]) + Math.abs(data[i + 2]! - fill[2]) >
          48
            ? "1"
            : "0";
      const published = resolve(p.fill);
      if (published.some((c, k) => Math.abs(c - fill[k]!) > 2))
        mismatches.push(`${p.name}: drawn ${fill}, published ${published}`);
      if (swatch.dataset.pattern !== p.pattern)
        mismatches.push(`${p.name}: swatch ${swatch.dataset.pattern}, palette ${p.pattern}`);
      return { ...p, fill, mask };
    });
    return { severities, mismatches };
  });
}

for (const theme of ["light", "dark"] as const)
  test(`${theme} theme: under deuteranopia every two severities differ in colour or pattern, and each has its own pattern`, {
    skip,
  }, async (t) => {
    await page.goto(`${server.url}/`);
    await page.evaluate(
      (th) => localStorage.setItem("tiktoktoe.settings", JSON.stringify({ theme: th })),
      theme,
    );
    await page.goto(`${server.url}/models/m`);
    await rendered("model");
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), theme);
    await page.waitForSelector("canvas.heatmap[data-palette]");
    const { severities, mismatches } = await readSeverities();
    assert.deepEqual(mismatches, [], "the published palette is what the legend draws");
    assert.deepEqual(
      severities.map((s) => s.name),
      ["not tested", "ok", "warning", "critical", "emergency"],
    );
    // The legend shows every severity but emergency (no column cell is ever emergency).
    assert.deepEqual(
      severities.filter((s) => s.mask !== null).map((s) => s.code),
      [-1, 0, 1, 2],
    );

    // Each severity its own pattern: by name, and by the pixels the legend draws.
    assert.equal(new Set(severities.map((s) => s.pattern)).size, severities.length, "pattern names");
    const masks = severities.flatMap((s) => (s.mask === null ? [] : [s.mask]));
    assert.equal(new Set(masks).size, masks.length, `ink masks: ${masks.join(" ")}`);
    assert.equal(severities.find((s) => s.name === "ok")!.mask, "0".repeat(64), "ok is plain");

    const merged: string[] = [];
    for (let i = 0; i < severities.length; i++)
      for (let j = i + 1; j < severities.length; j++) {
        const [a, b] = [severities[i]!, severities[j]!];
        const [sa, sb] = [deuteranope(a.fill), deuteranope(b.fill)];
        const dE = deltaE(sa, sb);
        const ratio = contrast(sa, sb);
        if (dE >= 10 || ratio >= 1.5) continue;
        merged.push(`${a.name}/${b.name} (ΔE ${dE.toFixed(1)}, ${ratio.toFixed(2)}:1)`);
        assert.notEqual(a.pattern, b.pattern, `${a.name} and ${b.name} merge in colour and pattern`);
        if (a.mask !== null && b.mask !== null) assert.notEqual(a.mask, b.mask, `${a.name}/${b.name} pixels`);
      }
    t.diagnostic(
      `merged in colour under deuteranopia, told apart by pattern: ${merged.join(", ") || "none"}`,
    );
  });
