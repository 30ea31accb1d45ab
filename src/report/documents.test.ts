import assert from "node:assert/strict";
import { test } from "node:test";
import {
  allSections,
  buildLearningDoc,
  fairnessBlocks,
  type ReportDocument,
  renderDocumentHtml,
  renderDocumentMarkdown,
} from "./index.js";
import { sampleUpdate } from "./learning.test.helpers.js";
import { markdownProblems } from "./markdownlint.test.helpers.js";

const ids = (doc: ReportDocument) => allSections(doc).map((s) => s.id);

test("a learning update's report: validation, quarantine, gate tests with a chart of one point per test, the decision", () => {
  const doc = buildLearningDoc({ update: sampleUpdate, source: { ref: "file: update.json" } }, 0);
  assert.deepEqual(ids(doc), ["update", "validation", "quarantine", "gate"]);
  const section = (id: string) => allSections(doc).find((s) => s.id === id)!;
  const validation = section("validation").blocks.find((b) => b.kind === "table");
  assert.ok(validation?.kind === "table");
  assert.deepEqual(
    validation.rows.map((r) => [r[0], r[1]]),
    [
      ["schema", "passed"],
      ["missing share", "passed"],
      ["label delay", "failed"],
    ],
  );
  const quarantine = section("quarantine").blocks.find((b) => b.kind === "facts");
  assert.ok(quarantine?.kind === "facts");
  assert.equal(quarantine.facts.find((f) => f.label === "Batches quarantined")?.value, "2 (36 rows)");
  const chart = section("gate").blocks.find((b) => b.kind === "chart");
  assert.ok(chart?.kind === "chart");
  assert.deepEqual(
    chart.series.map((s) => s.points.map((p) => p.y)),
    [
      [48.2, 61.3, null],
      [55.9, 70.4, 40.1],
    ],
  );
  const html = renderDocumentHtml(doc);
  assert.match(html, /data-points="3,3"/);
  // Five of six values drawn (the candidate's missing slice is a gap, not a zero).
  assert.equal(html.match(/<rect class="point"/g)?.length, 5);
  const markdown = renderDocumentMarkdown(doc);
  assert.deepEqual(markdownProblems(markdown), []);
  assert.match(markdown, /Decision: hold\. A slice could not be tested; a reviewer decides\./);
});

test("Markdown stays lint-clean on hostile text: syntax escaped, wide tables become lists, long lines wrap", () => {
  const doc: ReportDocument = {
    kind: "learning-report",
    title: "A *title* with _marks_ and <html>",
    summary: `${"word ".repeat(40)}- 1. # not a list, not a heading; see https://example.org/a_b and \`code span\`.`,
    generated: "2026-01-01T00:00:00.000Z",
    sections: [
      {
        id: "a",
        heading: "Section | with pipe",
        sources: [{ ref: "GET /v1/models/m_1/windows?version=2", detail: "window [1, 2)" }],
        blocks: [
          { kind: "paragraph", text: "1. starts like a list\n- and like another; > a quote" },
          {
            kind: "table",
            columns: ["a", "b", "c", "d", "e", "f", "g"],
            rows: [["x".repeat(15), "y | z", "*", "_", "<b>", "1", "2"]],
          },
          { kind: "table", columns: ["k", "v"], numeric: [false, true], rows: [["a|b", "1"]] },
          { kind: "facts", facts: [{ label: "Long", value: "v ".repeat(60) }] },
          { kind: "list", items: ["- nested marker", "# hash"] },
        ],
        subsections: [{ id: "b", heading: "Sub", blocks: [], sources: [] }],
      },
    ],
  };
  const markdown = renderDocumentMarkdown(doc);
  assert.deepEqual(markdownProblems(markdown), []);
  assert.ok(markdown.split("\n").every((line) => line.length <= 80 || !/\s/.test(line.slice(80))));
  assert.match(markdown, /`https:\/\/example.org\/a_b`/);
  assert.match(markdown, /\| a\\\|b \|/);
  const html = renderDocumentHtml(doc);
  assert.doesNotMatch(html, /<html>[^\n]*<\/h1>/);
  assert.match(html, /&lt;html&gt;/);
  assert.doesNotMatch(html, /<script/);
});

test("fairness: one table per sensitive attribute, every rate and the impact ratio with its interval", () => {
  const rate = (value: number, lower: number, upper: number, n: number) => ({
    value,
    numerator: Math.round(value * n),
    denominator: n,
    interval: { lower, upper },
    note: null,
  });
  const blocks = fairnessBlocks({
    confidence: 0.95,
    impactRatioThreshold: 0.8,
    attributes: [
      {
        attribute: "sex",
        missing: 3,
        groups: [
          {
            group: "Female",
            count: 400,
            labelled: 380,
            selectionRate: rate(0.1, 0.07, 0.13, 400),
            truePositiveRate: rate(0.5, 0.4, 0.6, 60),
            falsePositiveRate: rate(0.05, 0.03, 0.08, 320),
          },
          {
            group: "Male",
            count: 600,
            labelled: 590,
            selectionRate: rate(0.25, 0.22, 0.29, 600),
            truePositiveRate: rate(0.6, 0.53, 0.67, 200),
            falsePositiveRate: rate(0.1, 0.08, 0.13, 390),
          },
        ],
        demographicParityDifference: {
          value: -0.15,
          groups: ["Female", "Male"],
          interval: { lower: -0.2, upper: -0.1 },
          note: null,
        },
        equalizedOddsDifference: { value: 0.1, groups: ["Female", "Male"], interval: null, note: null },
        privilegedGroup: "Male",
        impactRatios: [
          {
            group: "Female",
            value: 0.4,
            interval: { lower: 0.28, upper: 0.55 },
            violation: true,
            significant: true,
          },
          { group: "Male", value: 1, interval: null, violation: false, significant: null },
        ],
        fourFifthsRule: "violation",
      },
    ],
  });
  const table = blocks.find((b) => b.kind === "table");
  assert.ok(table?.kind === "table");
  assert.deepEqual(table.rows[0], [
    "Female",
    "400",
    "380",
    "0.1 [0.07, 0.13]",
    "0.5 [0.4, 0.6]",
    "0.05 [0.03, 0.08]",
    "0.4 [0.28, 0.55] (violation)",
  ]);
  assert.match(
    table.caption ?? "",
    /four-fifths rule violation; privileged group Male; 3 rows without a value/,
  );
  const facts = blocks.flatMap((b) => (b.kind === "facts" ? b.facts : []));
  assert.equal(facts[0]?.value, "-0.15 [-0.2, -0.1]");
  assert.equal(facts[1]?.value, "0.1");
});
