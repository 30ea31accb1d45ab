import assert from "node:assert/strict";
import { test } from "node:test";
import type { DriftReport } from "../drift/index.js";
import { runCli } from "../testing/cli.js";

test("tiktoktoe --help lists the commands; each command's --help has examples", async () => {
  const help = await runCli(["--help"]);
  assert.equal(help.code, 0);
  for (const command of ["drift", "serve", "demo"]) {
    assert.match(help.stdout, new RegExp(`^  ${command} `, "m"));
    const own = await runCli([command, "--help"]);
    assert.equal(own.code, 0);
    assert.match(own.stdout, /Examples:\n {2}tiktoktoe /);
  }
});

test("an unknown command is a usage error (exit 2)", async () => {
  const run = await runCli(["frobnicate"]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /unknown command "frobnicate"/);
});

test("demo drift reports drift of bike sharing 2012 against 2011 and exits 0", async () => {
  const run = await runCli(["demo", "drift", "--format", "json", "--quiet"]);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as DriftReport;
  assert.equal(report.reference?.rows, 8645);
  assert.equal(report.current?.rows, 8734);
  assert.deepEqual(
    report.columns.map((c) => c.column).filter((c) => ["instant", "dteday", "yr"].includes(c)),
    [],
  );
  assert.equal(report.columns.find((c) => c.column === "cnt")?.drifted, true);
  const table = await runCli(["demo", "drift", "--quiet"]);
  assert.equal(table.code, 0);
  assert.match(table.stdout, /Dataset severity: EMERGENCY/);
});

test("the demo replays 2012 through the server: weekly windows, MAE rising from 24 to about 92, drift on the weather", async () => {
  const run = await runCli(["demo", "--port", "0", "--speed", "1000", "--exit"]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /serving at http:\/\/127\.0\.0\.1:\d+/);
  assert.match(run.stdout, /its mean absolute error there is 23\.6 rentals per hour/);
  const weeks = run.stdout.split("\n").filter((line) => /^20\d\d-\d\d-\d\d +\d+ /.test(line));
  assert.ok(weeks.length >= 52, `${weeks.length} weekly windows`);
  const events = weeks.reduce((sum, line) => sum + Number(line.split(/ +/)[1]), 0);
  assert.equal(events, 8734, "every hour of 2012 is in a window");
  const average = Number(/weekly MAE averaged ([\d.]+)/.exec(run.stdout)?.[1]);
  assert.ok(average > 85 && average < 100, `average weekly MAE ${average}`);
  for (const column of ["temp", "hum", "target"])
    assert.ok(
      weeks.some((line) => line.includes(column)),
      `drift on ${column}`,
    );
  assert.match(run.stdout, /Sent 17468 predictions and labels through the SDK \(0 duplicates/);
});
