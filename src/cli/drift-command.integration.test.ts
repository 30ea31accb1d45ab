import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { gzipSync } from "node:zlib";
import type { DriftReport } from "../drift/index.js";
import { runCli } from "../testing/cli.js";
import { closeTo, loadScipyDriftCases } from "../testing/golden.js";
import { repoPath } from "../testing/paths.js";

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

/** Columns of different lengths in one CSV: shorter columns padded with empty (missing) cells. */
function csv(columns: Record<string, readonly number[]>): string {
  const names = Object.keys(columns);
  const rows = Math.max(...names.map((n) => columns[n]!.length));
  const lines = [names.join(",")];
  for (let i = 0; i < rows; i++)
    lines.push(names.map((n) => (i < columns[n]!.length ? String(columns[n]![i]) : "")).join(","));
  return `${lines.join("\n")}\n`;
}

// Golden cases of moderate size, each becoming one column of the two CSV files.
const cases = loadScipyDriftCases()
  .filter(
    (c) =>
      c.reference.length >= 20 &&
      c.current.length >= 20 &&
      Math.max(c.reference.length, c.current.length) <= 6000,
  )
  .slice(0, 8);
const names = cases.map((_, i) => `x${i}`);
const refCsv = file("golden_ref.csv", csv(Object.fromEntries(cases.map((c, i) => [names[i]!, c.reference]))));
const curCsv = file("golden_cur.csv", csv(Object.fromEntries(cases.map((c, i) => [names[i]!, c.current]))));
const numeric = ["--numeric", names.join(",")];

async function jsonReport(args: string[]): Promise<DriftReport> {
  const run = await runCli([
    "drift",
    "-r",
    refCsv,
    "-c",
    curCsv,
    ...numeric,
    "--format",
    "json",
    "--fail-on",
    "never",
    ...args,
  ]);
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as DriftReport;
}

test("--method ks: D and the two-sided p-value of every column equal scipy's ks_2samp", async () => {
  assert.ok(cases.length >= 6);
  const report = await jsonReport(["--method", "ks", "--correction", "none"]);
  cases.forEach((c, i) => {
    const column = report.columns.find((col) => col.column === names[i])!;
    assert.equal(column.method, "ks");
    assert.equal(column.n_reference, c.reference.length);
    assert.equal(column.n_current, c.current.length);
    assert.ok(closeTo(column.statistic, c.ks_statistic, 0, 1e-9), `${c.id} D`);
    assert.ok(
      closeTo(column.p_value!, c.ks_pvalue_auto, 1e-6, 1e-12),
      `${c.id} p ${column.p_value} vs ${c.ks_pvalue_auto}`,
    );
    assert.equal(column.threshold, 0.05);
    assert.equal(column.severity, c.ks_pvalue_auto <= 0.05 ? "critical" : "ok");
  });
});

test("--method wasserstein: the raw and normalised distances equal scipy's", async () => {
  const report = await jsonReport(["--method", "wasserstein"]);
  cases.forEach((c, i) => {
    const column = report.columns.find((col) => col.column === names[i])!;
    assert.equal(column.p_value, null);
    assert.ok(closeTo(column.wasserstein!, c.wasserstein, 0, 1e-9), `${c.id} W`);
    assert.ok(closeTo(column.statistic, c.wasserstein_normed!, 0, 1e-9), `${c.id} W normalised`);
    assert.equal(column.threshold, 0.1);
    assert.equal(column.drifted, c.wasserstein_normed! >= 0.1);
  });
  assert.equal(report.tests, 0);
});

test("auto: Bonferroni over the features, effect-size-gated severity, and the JSON contract", async () => {
  const report = await jsonReport([]);
  const m = cases.length;
  assert.equal(report.tests, m);
  assert.equal(report.correction, "bonferroni");
  assert.equal(report.alpha, 0.05);
  let drifted = 0;
  cases.forEach((c, i) => {
    const column = report.columns.find((col) => col.column === names[i])!;
    for (const key of [
      "column",
      "type",
      "dimension",
      "method",
      "statistic",
      "p_value",
      "threshold",
      "drifted",
      "severity",
    ])
      assert.ok(key in column, `column field ${key}`);
    assert.equal(column.type, "numeric");
    assert.equal(column.dimension, "feature");
    assert.equal(column.threshold, 0.05 / m);
    assert.equal(column.effect_size_method, "wasserstein");
    assert.equal(column.effect_size_threshold, 0.1);
    assert.ok(closeTo(column.effect_size!, c.wasserstein_normed!, 0, 1e-9));
    const significant = c.ks_pvalue_auto <= 0.05 / m;
    const expected = !significant ? "ok" : c.wasserstein_normed! >= 0.1 ? "critical" : "warning";
    assert.equal(column.severity, expected, c.id);
    if (expected === "critical") drifted++;
  });
  assert.equal(report.drifted_columns, drifted);
  assert.equal(report.share, drifted / m);
  const expectedSeverity =
    drifted / m > 0.5
      ? "emergency"
      : drifted > 0
        ? "critical"
        : report.columns.some((c) => c.severity === "warning")
          ? "warning"
          : "ok";
  assert.equal(report.severity, expectedSeverity);
  assert.equal(report.dataset_drift, drifted > 0);
});

test("holm and bh are selectable and state their effective threshold", async () => {
  for (const correction of ["holm", "bh"]) {
    const report = await jsonReport(["--correction", correction]);
    assert.equal(report.correction, correction);
    for (const column of report.columns)
      assert.equal(column.drifted || column.severity === "warning", column.p_value! <= column.threshold);
  }
});

test("bike demo files: drift on the rental counts, exit 1 at the default --fail-on, 0 with never", async () => {
  const ref = repoPath("data", "bike", "bike_2011.csv");
  const cur = repoPath("data", "bike", "bike_2012.csv");
  const run = await runCli(["drift", "-r", ref, "-c", cur, "--target", "cnt", "--format", "json"]);
  assert.equal(run.code, 1, run.stderr);
  const report = JSON.parse(run.stdout) as DriftReport;
  const cnt = report.columns.find((c) => c.column === "cnt")!;
  assert.equal(cnt.dimension, "target");
  assert.equal(cnt.severity, "critical");
  assert.equal(report.severity, "emergency");
  assert.equal(report.columns.find((c) => c.column === "season")!.type, "categorical");
  assert.equal(report.columns.find((c) => c.column === "temp")!.type, "numeric");
  assert.equal(
    (await runCli(["drift", "-r", ref, "-c", cur, "--fail-on", "never", "--format", "json"])).code,
    0,
  );
  assert.equal((await runCli(["drift", "-r", ref, "-c", ref, "--format", "json"])).code, 0);
});

test("--output writes a self-contained HTML report (format from the extension)", async () => {
  const out = join(dir, "report.html");
  const run = await runCli(["drift", "-r", refCsv, "-c", curCsv, "-o", out, "--quiet", "--fail-on", "never"]);
  assert.equal(run.code, 0, run.stderr);
  const html = readFileSync(out, "utf8");
  assert.match(html, /^<!doctype html>/);
  assert.equal((html.match(/<svg/g) ?? []).length, cases.length);
  assert.doesNotMatch(html, /<script|https?:\/\//);
});

test("markdown and table formats name every column", async () => {
  for (const format of ["markdown", "table"]) {
    const run = await runCli(["drift", "-r", refCsv, "-c", curCsv, "--format", format, "--fail-on", "never"]);
    assert.equal(run.code, 0);
    for (const name of names) assert.match(run.stdout, new RegExp(`\\b${name}\\b`));
  }
});

// Bad input: exit code 2, a precise message, and no output file written.
const good = file("good.csv", "a,b\n1,x\n2,y\n3,z\n");
const badCases: ReadonlyArray<{ name: string; args: string[]; code: string; mentions: RegExp[] }> = [
  {
    name: "missing file",
    args: ["-r", join(dir, "nope.csv"), "-c", good],
    code: "INPUT_NOT_FOUND",
    mentions: [/nope\.csv/],
  },
  {
    name: "empty file",
    args: ["-r", file("empty.csv", ""), "-c", good],
    code: "INPUT_EMPTY",
    mentions: [/empty\.csv/],
  },
  {
    name: "ragged row",
    args: ["-r", good, "-c", file("ragged.csv", "a,b\n1,x\n2\n")],
    code: "INPUT_RAGGED_ROW",
    mentions: [/ragged\.csv:3/],
  },
  {
    name: "text in a --numeric column",
    args: ["-r", good, "-c", file("text.csv", "a,b\n1,x\nabc,y\n"), "--numeric", "a"],
    code: "INPUT_NOT_NUMERIC",
    mentions: [/text\.csv:3/, /"a"/],
  },
  {
    name: "a column present in only one file",
    args: ["-r", good, "-c", file("extra.csv", "a,b,c\n1,x,5\n")],
    code: "INPUT_COLUMN_MISSING",
    mentions: [/"c"/, /good\.csv/],
  },
  {
    name: "a .gz that is not gzip",
    args: ["-r", good, "-c", file("fake.csv.gz", "a,b\n1,x\n")],
    code: "INPUT_BAD_GZIP",
    mentions: [/fake\.csv\.gz/],
  },
  {
    name: "a column with no values left after removing missing ones",
    args: ["-r", good, "-c", file("nulls.csv", "a,b\n,x\nNA,y\n")],
    code: "INPUT_NO_VALUES",
    mentions: [/nulls\.csv/, /"a"/],
  },
  { name: "unknown option", args: ["-r", good, "-c", good, "--bogus"], code: "USAGE", mentions: [/--bogus/] },
  {
    name: "alpha out of range",
    args: ["-r", good, "-c", good, "--alpha", "1.5"],
    code: "USAGE",
    mentions: [/--alpha/],
  },
  { name: "missing --current", args: ["-r", good], code: "USAGE", mentions: [/--current/] },
  {
    name: "--target naming a column the files lack (case matters)",
    args: ["-r", good, "-c", good, "--target", "A"],
    code: "INPUT_COLUMN_MISSING",
    mentions: [/"A" \(from target\)/, /did you mean "a"\?/, /the file has "a", "b"/],
  },
  {
    name: "--prediction naming a column the files lack",
    args: ["-r", good, "-c", good, "--prediction", "nosuchcol"],
    code: "INPUT_COLUMN_MISSING",
    mentions: [/"nosuchcol"/, /the file has "a", "b"/],
  },
  {
    name: "--exclude naming a column the files lack",
    args: ["-r", good, "-c", good, "--exclude", "bb"],
    code: "INPUT_COLUMN_MISSING",
    mentions: [/"bb" \(from exclude\)/, /did you mean "b"\?/],
  },
];

for (const bad of badCases) {
  test(`bad input: ${bad.name} → exit 2, ${bad.code}`, async () => {
    const out = join(dir, `out-${bad.code}.json`);
    const run = await runCli(["drift", ...bad.args, "-o", out]);
    assert.equal(run.code, 2, `exit ${run.code}: ${run.stderr}`);
    assert.match(run.stderr, new RegExp(`error ${bad.code}:`));
    for (const mention of bad.mentions) assert.match(run.stderr, mention);
    assert.equal(run.stdout, "");
    assert.equal(existsSync(out), false, "no report may be written on error");
  });
}

test("gzip-compressed CSV and NDJSON inputs give the same report as plain CSV", async () => {
  const ref = readFileSync(refCsv);
  const gz = file("ref.csv.gz", gzipSync(ref));
  const lines = readFileSync(curCsv, "utf8").trim().split("\n");
  const header = lines[0]!.split(",");
  const ndjson = lines
    .slice(1)
    .map((line) =>
      JSON.stringify(
        Object.fromEntries(line.split(",").map((v, i) => [header[i]!, v === "" ? null : Number(v)])),
      ),
    )
    .join("\n");
  const cur = file("cur.ndjson", ndjson);
  const plain = await jsonReport([]);
  const run = await runCli([
    "drift",
    "-r",
    gz,
    "-c",
    cur,
    ...numeric,
    "--format",
    "json",
    "--fail-on",
    "never",
  ]);
  assert.equal(run.code, 0, run.stderr);
  const other = JSON.parse(run.stdout) as DriftReport;
  assert.deepEqual(
    other.columns.map((c) => [c.column, c.statistic, c.p_value, c.severity]),
    plain.columns.map((c) => [c.column, c.statistic, c.p_value, c.severity]),
  );
});

test("identifier columns (a row number, a distinct text key) are left out, with a note in every format", async () => {
  const rows = 300;
  const lines = (from: number, shift: number) =>
    [
      "row_id,key,x,count",
      ...Array.from(
        { length: rows },
        (_, i) => `${from + i},k${from + i},${((i * 7919) % rows) / rows + shift},${(i * 37) % rows}`,
      ),
    ].join("\n");
  const ref = file("ids_ref.csv", lines(1, 0));
  const cur = file("ids_cur.csv", lines(rows + 1, 0));
  const args = ["drift", "-r", ref, "-c", cur, "--fail-on", "never"];
  const run = await runCli([...args, "--format", "json"]);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as DriftReport;
  assert.deepEqual(
    report.columns.map((c) => c.column),
    ["x", "count"],
  );
  assert.equal(report.tests, 2);
  assert.deepEqual(
    report.excluded?.map((e) => [e.column, e.reason]),
    [
      ["row_id", "identifier"],
      ["key", "identifier"],
    ],
  );
  for (const format of ["table", "markdown", "html"]) {
    const text = (await runCli([...args, "--format", format])).stdout;
    assert.match(text, /Not tested/, format);
    assert.match(text, /row\\?_id/, format);
    assert.match(text, /identifier/, format);
  }
  const excluded = JSON.parse((await runCli([...args, "--format", "json", "--exclude", "count"])).stdout);
  assert.deepEqual(
    (excluded as DriftReport).columns.map((c) => c.column),
    ["x"],
  );
  assert.equal((excluded as DriftReport).excluded?.find((e) => e.column === "count")?.reason, "excluded");
});

test("--output: an unknown extension is a usage error unless --format says what to write", async () => {
  const pdf = join(dir, "out.pdf");
  const run = await runCli(["drift", "-r", refCsv, "-c", curCsv, "-q", "-o", pdf]);
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /error USAGE: .*"\.pdf"/);
  assert.match(run.stderr, /\.json, \.html, \.htm, \.md, \.txt/);
  assert.equal(existsSync(pdf), false);
  const forced = await runCli([
    "drift",
    "-r",
    refCsv,
    "-c",
    curCsv,
    "-q",
    "-o",
    pdf,
    "--format",
    "json",
    "--fail-on",
    "never",
  ]);
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal((JSON.parse(readFileSync(pdf, "utf8")) as DriftReport).method, "auto");
});

test("--output in a folder that does not exist: exit 2 naming the path given, with a hint", async () => {
  const out = join(dir, "no", "such", "dir", "x.html");
  const run = await runCli(["drift", "-r", refCsv, "-c", curCsv, "-q", "-o", out]);
  assert.equal(run.code, 2, run.stderr);
  assert.ok(run.stderr.includes(`error USAGE: --output: cannot write the report to ${out}: `), run.stderr);
  assert.doesNotMatch(run.stderr, /\.tmp/);
  assert.match(run.stderr, /hint: /);
});
