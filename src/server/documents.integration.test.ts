import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { main } from "../cli/main.js";
import {
  allSections,
  type Block,
  formatNumber,
  type ReportDocument,
  renderDocumentHtml,
  timeText,
} from "../report/index.js";
import { markdownProblems } from "../report/markdownlint.test.helpers.js";
import { repoPath } from "../testing/paths.js";
import { startBikeSlice } from "./bike-slice.test.helpers.js";
import { healthDocument, modelCard } from "./documents.js";
import type { RunningServer } from "./start.js";

/**
 * The documents of the bike demo's model on a slice of the demo (three weeks of 2012, daily health
 * reports), checked against what the JSON API answers — not against stored snapshots.
 */

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-documents-"));
const DAYS = 17;
let server: RunningServer;

before(async () => {
  server = await startBikeSlice(dir, DAYS);
});
after(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

// biome-ignore lint/suspicious/noExplicitAny: the API's answers are compared as plain JSON
const api = async (path: string): Promise<any> => {
  const response = await fetch(`${server.url}${path}`);
  assert.equal(response.status, 200, `${path}: ${await response.clone().text()}`);
  return response.json();
};
const fetchText = async (path: string) => {
  const response = await fetch(`${server.url}${path}`);
  assert.equal(response.status, 200, path);
  return { type: response.headers.get("content-type"), text: await response.text() };
};
const sectionOf = (doc: ReportDocument, id: string) => {
  const found = allSections(doc).find((s) => s.id === id);
  assert.ok(found, `section ${id}`);
  return found;
};
const factOf = (doc: ReportDocument, id: string, label: string): string => {
  const facts = sectionOf(doc, id).blocks.flatMap((b) => (b.kind === "facts" ? b.facts : []));
  const fact = facts.find((f) => f.label === label);
  assert.ok(fact, `${id}: fact ${label} among ${facts.map((f) => f.label).join(", ")}`);
  return fact.value;
};
const chartsOf = (doc: ReportDocument, id: string) =>
  sectionOf(doc, id).blocks.filter((b): b is Extract<Block, { kind: "chart" }> => b.kind === "chart");
/** The `data-points` of each chart in an HTML document, and the points drawn in it. */
const htmlCharts = (html: string) =>
  [...html.matchAll(/<svg [^>]*data-chart="([^"]*)" data-points="([^"]*)">([\s\S]*?)<\/svg>/g)].map((m) => ({
    title: m[1]!,
    points: m[2]!.split(",").map(Number),
    drawn: (m[3]!.match(/class="point"/g) ?? []).length,
  }));

test("the model card: every section, figures equal to the API's, charts with one point per window", async () => {
  const card = await modelCard(server.service, "bike", "2011", Date.now());
  assert.deepEqual(
    card.sections.map((s) => s.id),
    [
      "intended-use",
      "inputs-outputs",
      "reference-data",
      "metrics",
      "fairness",
      "drift",
      "limitations",
      "history",
    ],
  );
  for (const s of card.sections) assert.ok(s.sources.length > 0, `${s.id} cites its data`);

  const { windows } = await api("/v1/models/bike/windows?version=2011");
  const { versions } = await api("/v1/models/bike/versions");
  // 2012-01-01 is a Sunday and windows start on Thursdays (epoch-aligned weeks): 17 days touch 3.
  assert.equal(windows.length, 3);
  const last = windows.at(-1);
  assert.equal(last.final, true);
  assert.equal(factOf(card, "metrics", "In production (latest window)"), formatNumber(last.quality.mae));
  assert.equal(
    factOf(card, "metrics", "Latest window"),
    `${timeText(last.startMs)} to ${timeText(last.endMs)}`,
  );
  assert.equal(factOf(card, "metrics", "Events"), String(last.events));
  assert.equal(factOf(card, "metrics", "Labels"), String(last.labels));
  assert.equal(factOf(card, "metrics", "On the reference"), formatNumber(versions[0].referenceQuality.value));
  assert.equal(factOf(card, "metrics", "Quality metric"), "mae");

  // The reference is 2011: the rows of hour.csv dated 2011, counted here from the file.
  const rows2011 = readFileSync(repoPath("data", "bike", "hour.csv"), "utf8")
    .split("\n")
    .filter((line) => /^\d+,\d\d\/\d\d\/11,/.test(line)).length;
  assert.equal(factOf(card, "reference-data", "Reference rows"), String(rows2011));
  const inputs = sectionOf(card, "inputs-outputs").blocks.find((b) => b.kind === "table");
  assert.ok(inputs?.kind === "table");
  const { features } = await api("/v1/models/bike");
  assert.deepEqual(
    inputs.rows.map((r) => [r[0], r[1], r[3]]),
    // biome-ignore lint/suspicious/noExplicitAny: plain JSON
    features.map((f: any) => [f.name, f.type, f.drift === false ? "no" : "yes"]),
  );

  const drift = await api(`/v1/models/bike/windows/${last.start}/drift?version=2011`);
  assert.equal(factOf(card, "drift", "Latest window's severity"), drift.severity);
  const charts = [...chartsOf(card, "metrics"), ...chartsOf(card, "drift")];
  assert.equal(charts.length, 3);
  for (const chart of charts) assert.equal(chart.series[0]!.points.length, windows.length, chart.title);
  assert.deepEqual(
    charts[0]!.series[0]!.points.map((p) => p.y),
    // biome-ignore lint/suspicious/noExplicitAny: plain JSON
    windows.map((w: any) => w.quality.mae ?? null),
  );
  assert.deepEqual(
    charts[1]!.series[0]!.points.map((p) => p.y),
    // biome-ignore lint/suspicious/noExplicitAny: plain JSON
    windows.map((w: any) => w.latency.p99),
  );

  assert.match(
    sectionOf(card, "fairness").blocks[0]!.kind === "paragraph"
      ? (sectionOf(card, "fairness").blocks[0] as { text: string }).text
      : "",
    /no column as sensitive/,
  );
  const history = sectionOf(card, "history").blocks.find((b) => b.kind === "table");
  assert.ok(history?.kind === "table");
  assert.deepEqual(history.rows, [
    [timeText(versions[0].createdMs), "registered", "—", "demo", "—", "`GET /v1/models/bike/versions`"],
  ]);

  // Served: Markdown that passes markdownlint, HTML with the same charts.
  const markdown = await fetchText("/v1/models/bike/versions/2011/card");
  assert.equal(markdown.type, "text/markdown; charset=utf-8");
  assert.deepEqual(markdownProblems(markdown.text), []);
  assert.match(
    markdown.text,
    new RegExp(`In production \\(latest window\\): ${formatNumber(last.quality.mae)}`),
  );
  for (const s of card.sections) assert.ok(markdown.text.includes(`## ${s.heading}`), s.heading);
  const html = await fetchText("/v1/models/bike/versions/2011/card?format=html");
  assert.equal(html.type, "text/html; charset=utf-8");
  const drawn = htmlCharts(html.text);
  assert.deepEqual(
    drawn.map((c) => c.points),
    [[windows.length], [windows.length], [windows.length]],
  );
  assert.equal(
    drawn[0]!.drawn,
    // biome-ignore lint/suspicious/noExplicitAny: plain JSON
    windows.filter((w: any) => typeof w.quality.mae === "number").length,
  );
  assert.doesNotMatch(html.text, /<script|https?:\/\//);
});

test("the health report: one row and one chart point per stored report, the newest in detail", async () => {
  const { reports } = await api("/v1/models/bike/reports?limit=10000");
  assert.ok(reports.length >= DAYS - 1, `one report per day: ${reports.length}`);
  const doc = await healthDocument(
    server.service,
    "bike",
    Number.NEGATIVE_INFINITY,
    Number.POSITIVE_INFINITY,
    Date.now(),
  );
  assert.deepEqual(
    allSections(doc).map((s) => s.id),
    ["summary", "periods", "trends", "latest", "latest-version-2011"],
  );
  assert.equal(factOf(doc, "summary", "Stored reports"), String(reports.length));
  assert.equal(factOf(doc, "summary", "Newest status"), reports[0].status);
  const periods = sectionOf(doc, "periods").blocks[0]!;
  assert.ok(periods.kind === "table");
  assert.deepEqual(
    periods.rows.map((r) => r[1]),
    // biome-ignore lint/suspicious/noExplicitAny: plain JSON
    [...reports].reverse().map((r: any) => r.status),
  );
  for (const chart of chartsOf(doc, "trends")) assert.equal(chart.series[0]!.points.length, reports.length);

  // Up to the newest report with windows (later ones, after the replay, have none): its detail.
  // biome-ignore lint/suspicious/noExplicitAny: plain JSON
  const withData = reports.find((r: any) => r.windows !== null);
  const newest = await api(`/v1/models/bike/reports/${withData.id}`);
  const upTo = await healthDocument(server.service, "bike", reports.at(-1).from, withData.to, Date.now());
  assert.deepEqual(
    allSections(upTo).map((s) => s.id),
    ["summary", "periods", "trends", "latest", "latest-version-2011"],
  );
  const [quality, events] = chartsOf(upTo, "trends");
  assert.equal(quality!.series[0]!.points.at(-1)!.y, newest.versions[0].quality.value);
  assert.equal(events!.series[0]!.points.at(-1)!.y, newest.versions[0].events);
  assert.equal(factOf(upTo, "latest-version-2011", "Events"), String(newest.versions[0].events));
  assert.equal(factOf(upTo, "latest-version-2011", "Windows"), String(newest.versions[0].windows));
  assert.equal(factOf(upTo, "latest", "Status"), newest.status);

  // A period: only the reports in it.
  // The three oldest (the list is newest first).
  const from = reports.at(-1).from;
  const to = reports.at(-3).to;
  // biome-ignore lint/suspicious/noExplicitAny: plain JSON
  const inside = reports.filter((r: any) => r.from >= from && r.to <= to);
  assert.equal(inside.length, 3);
  const served = await fetchText(
    `/v1/models/bike/health-report?from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`,
  );
  assert.equal(served.type, "text/markdown; charset=utf-8");
  assert.deepEqual(markdownProblems(served.text), []);
  assert.match(served.text, new RegExp(`Stored reports: ${inside.length}\\b`));
  const html = await fetchText(`/v1/models/bike/health-report?from=${from}&to=${to}&format=html`);
  assert.deepEqual(
    htmlCharts(html.text).map((c) => c.points),
    [[inside.length], [inside.length]],
  );
});

test("tiktoktoe report card and health write what the server serves; bad input exits 2 with the field", async () => {
  const io = () => {
    const out = { stdout: "", stderr: "" };
    return {
      out,
      io: {
        stdout: { write: (t: string) => (out.stdout += t) },
        stderr: { write: (t: string) => (out.stderr += t) },
        env: {},
      },
    };
  };
  const file = join(dir, "card.html");
  const run = io();
  assert.equal(
    await main(
      ["report", "card", "bike", "--server", server.url, "--format", "html", "--output", file],
      run.io,
    ),
    0,
    run.out.stderr,
  );
  const served = await fetchText("/v1/models/bike/versions/2011/card?format=html");
  const strip = (html: string) => html.replace(/Generated [^<]* by TikTokToe\./, "");
  assert.equal(strip(readFileSync(file, "utf8")), strip(served.text));
  const health = io();
  assert.equal(
    await main(["report", "health", "bike", "--server", server.url], health.io),
    0,
    health.out.stderr,
  );
  assert.deepEqual(markdownProblems(health.out.stdout), []);

  const unknown = io();
  assert.equal(await main(["report", "card", "bike", "1999", "--server", server.url], unknown.io), 2);
  assert.match(unknown.out.stderr, /NOT_FOUND.*no version "1999"/);
  const badFormat = io();
  assert.equal(await main(["report", "card", "bike", "--format", "pdf"], badFormat.io), 2);
  assert.match(badFormat.out.stderr, /--format must be one of markdown, html/);
  const broken = join(dir, "broken.json");
  writeFileSync(broken, JSON.stringify({ model: "m", candidates: "none" }));
  const bad = io();
  assert.equal(await main(["report", "optimization", broken], bad.io), 2);
  assert.match(bad.out.stderr, /INPUT_FORMAT.*broken\.json: data:/);
  const fromOnCard = io();
  assert.equal(await main(["report", "card", "bike", "--from", "0"], fromOnCard.io), 2);
  assert.match(fromOnCard.out.stderr, /--from is used with report health/);
  // What the HTML renderer writes is the server's: the same function.
  assert.equal(typeof renderDocumentHtml, "function");
});
