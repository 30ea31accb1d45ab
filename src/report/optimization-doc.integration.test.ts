import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { main } from "../cli/main.js";
import type { OptimizationReport } from "../optimizer/index.js";
import { repoPath } from "../testing/paths.js";
import { allSections, buildOptimizationDoc, formatNumber, renderDocumentHtml } from "./index.js";
import { markdownProblems } from "./markdownlint.test.helpers.js";

/**
 * The optimization report of a real run on the digits MLP (two techniques, two folds, few timing
 * runs: about 15 s of CPU), checked against the run's own JSON: every candidate, its figures, its
 * decision and reasons, and what was chosen.
 */

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-optimization-doc-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const capture = () => {
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

test("an optimization run on the digits MLP: baseline and every candidate with figures, decisions, reasons and the choice", async () => {
  const run = capture();
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
      "quantize,prune-structured",
      "--folds",
      "2",
      "--runs",
      "5",
      "--out",
      dir,
      "--format",
      "json",
      "--quiet",
    ],
    run.io,
  );
  assert.equal(code, 0, run.out.stderr);
  const file = join(dir, "report.json");
  const report = JSON.parse(readFileSync(file, "utf8")) as OptimizationReport;
  assert.equal(report.candidates.length, 2);

  const doc = buildOptimizationDoc({ report, source: { ref: `file: ${file}` } }, Date.now());
  assert.deepEqual(
    allSections(doc).map((s) => s.id),
    ["run", "acceptance", "candidates", ...report.candidates.map((c) => `candidate-${c.id}`), "decision"],
  );
  const candidates = allSections(doc).find((s) => s.id === "candidates")!;
  const table = candidates.blocks.find((b) => b.kind === "table");
  assert.ok(table?.kind === "table");
  const models = [{ ...report.baseline, id: "baseline" }, ...report.candidates];
  assert.deepEqual(
    table.rows.map((r) => [r[0], r[1], r[4], r[7], r[8]]),
    models.map((m) => [
      m.id,
      formatNumber(m.accuracy),
      formatNumber(m.latency_ms.batch_1?.p50),
      String(m.size_bytes),
      formatNumber(m.score),
    ]),
  );
  assert.deepEqual(
    table.rows.map((r) => r[9]),
    [
      "baseline",
      ...report.candidates.map((c) =>
        c.id === report.chosen_id ? "chosen" : c.accepted ? "accepted" : "rejected",
      ),
    ],
  );
  for (const chart of candidates.blocks.filter((b) => b.kind === "chart"))
    assert.equal(chart.series[0]!.points.length, report.candidates.length + 1, chart.title);
  for (const c of report.candidates) {
    const section = allSections(doc).find((s) => s.id === `candidate-${c.id}`)!;
    const items = section.blocks.flatMap((b) => (b.kind === "list" ? b.items : []));
    for (const reason of c.reasons) assert.ok(items.includes(reason), `${c.id}: ${reason}`);
    const facts = section.blocks.flatMap((b) => (b.kind === "facts" ? b.facts : []));
    assert.equal(facts.find((f) => f.label === "Decision")?.value, c.accepted ? "accepted" : "rejected");
  }
  const decision = allSections(doc).find((s) => s.id === "decision")!;
  const chosen = decision.blocks
    .flatMap((b) => (b.kind === "facts" ? b.facts : []))
    .find((f) => f.label === "Chosen")!;
  if (report.chosen_id === null) assert.match(chosen.value, /^nothing/);
  else assert.match(chosen.value, new RegExp(`^${report.chosen_id} `));

  // The CLI renders the same file; Markdown lint-clean, HTML with one bar per model and chart.
  const md = capture();
  assert.equal(await main(["report", "optimization", file], md.io), 0, md.out.stderr);
  assert.deepEqual(markdownProblems(md.out.stdout), []);
  const html = renderDocumentHtml(doc);
  const points = [...html.matchAll(/data-points="(\d+)"/g)].map((m) => Number(m[1]));
  assert.deepEqual(points, [3, 3, 3]);
});
