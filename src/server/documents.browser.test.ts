/// <reference lib="dom" />
// The DOM types are for the functions that run in the page (page.evaluate).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Browser } from "playwright-core";
import { main } from "../cli/main.js";
import type { OptimizationReport } from "../optimizer/index.js";
import { buildLearningDoc, buildOptimizationDoc, renderDocumentHtml } from "../report/index.js";
import { sampleUpdate } from "../report/learning.test.helpers.js";
import { artifactDir, chromiumMissing, launchChromium, openDashboardPage } from "../testing/browser.js";
import { repoPath } from "../testing/paths.js";
import { startBikeSlice } from "./bike-slice.test.helpers.js";
import type { RunningServer } from "./start.js";

/**
 * Each kind of document's HTML in headless Chromium (Debian's): it renders with no console error,
 * no request (it is self-contained), every section laid out and every chart drawn, and prints to a
 * PDF (`page.pdf`, what "print to PDF" does).
 */

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-documents-browser-"));
let server: RunningServer | undefined;
let browser: Browser | undefined;
const documents: Record<string, string> = {};

before(async () => {
  if (chromiumMissing) return;
  server = await startBikeSlice(dir, 10);
  const text = async (path: string) => {
    const response = await fetch(`${server!.url}${path}`);
    assert.equal(response.status, 200, path);
    return response.text();
  };
  documents.card = await text("/v1/models/bike/versions/2011/card?format=html");
  documents.health = await text("/v1/models/bike/health-report?format=html");
  const out = { stdout: "", stderr: "" };
  const io = {
    stdout: { write: (t: string) => (out.stdout += t) },
    stderr: { write: (t: string) => (out.stderr += t) },
    env: {},
  };
  const code = await main(
    [
      "optimize",
      repoPath("models", "digits_mlp.onnx"),
      "--data",
      repoPath("data", "digits", "digits.csv"),
      "--label",
      "target",
      "--input-scale",
      "0.0625",
      "--techniques",
      "quantize",
      "--folds",
      "2",
      "--runs",
      "5",
      "--format",
      "json",
      "--quiet",
    ],
    io,
  );
  assert.equal(code, 0, out.stderr);
  const report = JSON.parse(out.stdout) as OptimizationReport;
  documents.optimization = renderDocumentHtml(
    buildOptimizationDoc({ report, source: { ref: "stdout of tiktoktoe optimize" } }, Date.now()),
  );
  documents.learning = renderDocumentHtml(
    buildLearningDoc({ update: sampleUpdate, source: { ref: "file: update.json" } }, Date.now()),
  );
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

for (const kind of ["card", "health", "optimization", "learning"])
  test(`the ${kind} document renders in Chromium without errors or requests and prints to PDF`, {
    skip: chromiumMissing,
  }, async () => {
    const html = documents[kind]!;
    const page = await browser!.newPage();
    try {
      const problems: string[] = [];
      const requests: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on("pageerror", (e) => problems.push(e.message));
      page.on("request", (r) => requests.push(r.url()));
      await page.setContent(html, { waitUntil: "load" });
      const laid = await page.evaluate(() => ({
        sections: Array.from(document.querySelectorAll("main > section")).filter(
          (s) => (s as HTMLElement).offsetHeight > 0,
        ).length,
        declared: document.querySelectorAll("nav li").length,
        charts: Array.from(document.querySelectorAll("svg[data-points]")).map((svg) => ({
          points: (svg.getAttribute("data-points") ?? "")
            .split(",")
            .reduce((sum: number, n: string) => sum + Number(n), 0),
          drawn: svg.querySelectorAll(".point").length,
          width: svg.getBoundingClientRect().width,
        })),
      }));
      assert.ok(laid.sections > 0);
      assert.equal(laid.sections, laid.declared, "every section in the contents is laid out");
      assert.ok(laid.charts.length > 0, "at least one chart");
      for (const chart of laid.charts) {
        assert.ok(chart.width > 100, "the chart has room");
        assert.ok(chart.drawn > 0 && chart.drawn <= chart.points, JSON.stringify(chart));
      }
      await page.emulateMedia({ media: "print" });
      const pdf = await page.pdf({ format: "A4", printBackground: true });
      assert.equal(pdf.subarray(0, 5).toString("latin1"), "%PDF-");
      assert.ok(pdf.length > 5_000, `a real document: ${pdf.length} bytes`);
      writeFileSync(join(artifactDir("documents"), `${kind}.pdf`), pdf);
      assert.deepEqual(problems, []);
      // setContent loads nothing: any request would be the document reaching out.
      assert.deepEqual(requests, []);
    } finally {
      await page.close();
    }
  });

test("the dashboard's model page links each version's card, which opens as a document", {
  skip: chromiumMissing,
}, async () => {
  const { page, problems, rendered } = await openDashboardPage(browser!, server!.url);
  try {
    await page.goto(`${server!.url}/models/bike`);
    await rendered("model");
    const link = page.locator('a[data-card="2011"]');
    await link.waitFor();
    await Promise.all([page.waitForURL(/\/card\?format=html$/), link.click()]);
    assert.equal(await page.locator("h1").textContent(), "Model card: bike version 2011");
    assert.deepEqual(problems.errors, []);
  } finally {
    await page.close();
  }
});
