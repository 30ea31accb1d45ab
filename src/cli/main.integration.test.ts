import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { DriftReport } from "../drift/index.js";
import { runCli } from "../testing/cli.js";
import { startReceiver } from "../testing/receiver.js";

test("tiktoktoe --help lists the commands; each command's --help has examples", async () => {
  const help = await runCli(["--help"]);
  assert.equal(help.code, 0);
  for (const command of ["drift", "serve", "alerts", "demo"]) {
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
  assert.match(run.stdout, /Dashboard: http:\/\/127\.0\.0\.1:\d+\/ /, "the demo prints the dashboard's URL");
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

  // Alerts, replayed in event time: which fire, group, repeat and resolve, and when. The expected
  // transitions are computed here from the weekly MAE column alone: ModelQualityLow (MAE > 60) fires
  // on the second bad week in a row and resolves on the first good week; while it fires, it repeats
  // every 4 weeks (repeat_interval 4w, on the event-time clock).
  const mae = weeks.map((line) => ({ start: line.slice(0, 10), mae: Number(line.split(/ +/)[2]) }));
  const expected: string[] = [];
  let bad = 0;
  let firing = false;
  for (const week of mae) {
    if (Number.isNaN(week.mae)) continue;
    if (week.mae > 60) {
      bad++;
      if (!firing && bad >= 2) {
        firing = true;
        expected.push(`firing ${week.start}`);
      }
    } else {
      bad = 0;
      if (firing) expected.push("resolved");
      firing = false;
    }
  }
  const quality = run.stdout
    .split("\n")
    .filter((line) => line.includes("ModelQualityLow"))
    .map((line) => ({ firing: line.includes("FIRING"), start: /window of (\S+)\)/.exec(line)?.[1] ?? "" }));
  // Drop the repeats (a firing notification while already firing) and compare the transitions.
  const transitions: string[] = [];
  const repeats: Array<[string, string]> = [];
  let open: string | null = null;
  for (const n of quality) {
    if (n.firing && open === null) {
      transitions.push(`firing ${n.start}`);
      open = n.start;
    } else if (n.firing && open !== null) {
      repeats.push([open, n.start]);
      open = n.start;
    } else if (!n.firing) {
      transitions.push("resolved");
      open = null;
    }
  }
  assert.deepEqual(transitions, expected);
  assert.ok(repeats.length >= 5, `${repeats.length} repeats while firing`);
  // A repeat is due 4 weeks of event time after the last notification; the window it names is the
  // newest final one, which trails the event-time clock by up to a window plus the lateness (9 days).
  for (const [previous, next] of repeats) {
    const days = (Date.parse(next) - Date.parse(previous)) / 86_400_000;
    assert.ok(days >= 28 - 9 && days <= 28 + 9 + 7, `repeat after ${days} days (${previous} → ${next})`);
  }
  // Grouped by model and alertname: drift alerts are their own notifications, also repeating.
  assert.ok(run.stdout.split("\n").filter((line) => /FIRING.*ModelDriftDetected/.test(line)).length >= 5);
});

test("alerts test sends through a configured channel and reports the answer; alerts list reads a server", async () => {
  let fail = false;
  const receiver = await startReceiver(() =>
    fail ? { status: 400, body: "bad" } : { status: 200, body: "ok" },
  );
  const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-alerts-cli-"));
  try {
    const config = join(dir, "monitor.yaml");
    writeFileSync(
      config,
      `alerting:\n  channels: { hook: { type: webhook, url: "${receiver.url}/hook" } }\n  receivers: { default: { channels: [hook] } }\n  route: { receiver: default }\n`,
    );
    const ok = await runCli(["alerts", "test", "--config", config, "--channel", "hook"]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /sent a test notification to "hook" \(webhook\) \(HTTP 200\)/);
    assert.equal(
      (JSON.parse(receiver.requests[0]!.body) as { alerts: Array<{ labels: { alertname: string } }> })
        .alerts[0]!.labels.alertname,
      "TikTokToeTest",
    );
    fail = true;
    const refused = await runCli(["alerts", "test", "--config", config, "--channel", "hook"]);
    assert.equal(refused.code, 1);
    assert.match(refused.stdout, /could not deliver to "hook".*client_error.*HTTP 400/);
    const unknown = await runCli(["alerts", "test", "--config", config, "--channel", "nope"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no channel "nope"/);
    const down = await runCli(["alerts", "list", "--url", "http://127.0.0.1:9"]);
    assert.equal(down.code, 2);
  } finally {
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
