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

test("the demo reports drift of bike sharing 2012 against 2011 and exits 0", async () => {
  const run = await runCli(["demo", "--format", "json", "--quiet"]);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as DriftReport;
  assert.equal(report.reference?.rows, 8645);
  assert.equal(report.current?.rows, 8734);
  assert.deepEqual(
    report.columns.map((c) => c.column).filter((c) => ["instant", "dteday", "yr"].includes(c)),
    [],
  );
  assert.equal(report.columns.find((c) => c.column === "cnt")?.drifted, true);
  const table = await runCli(["demo", "--quiet"]);
  assert.equal(table.code, 0);
  assert.match(table.stdout, /Dataset severity: EMERGENCY/);
});
