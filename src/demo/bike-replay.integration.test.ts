import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { ksTwoSample, populationStd, wassersteinSorted } from "../stats/index.js";
import { repoPath } from "../testing/paths.js";
import { BIKE_CALENDAR, runBikeDemo } from "./bike-replay.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

/** The bundled per-year CSVs (not the hour.csv the demo replays), parsed by hand. */
function csv(name: string): Array<Record<string, number>> {
  const [header, ...lines] = readFileSync(repoPath("data", "bike", name), "utf8")
    .trim()
    .split("\n");
  const names = header!.split(",");
  return lines.map((line) => Object.fromEntries(line.split(",").map((v, i) => [names[i]!, Number(v)])));
}

/**
 * Event times of bike_2012.csv, which has no date column: rows are in time order from Sunday
 * 2012-01-01, and a day begins where `weekday` changes (by as many days as it moved, so a missing day
 * is skipped too). The month is checked against `mnth` on the way.
 */
function times2012(rows: ReadonlyArray<Record<string, number>>): number[] {
  let day = Date.UTC(2012, 0, 1);
  let weekday = rows[0]!.weekday!;
  return rows.map((r) => {
    if (r.weekday !== weekday) {
      day += ((r.weekday! - weekday + 7) % 7 || 7) * DAY;
      weekday = r.weekday!;
    }
    assert.equal(new Date(day).getUTCMonth() + 1, r.mnth, "the reconstructed date agrees with mnth");
    return day + r.hr! * HOUR;
  });
}

/**
 * The drift engine's rule for a numeric target, computed directly: KS two-sample p-value (the target
 * is its own family, so no correction) and the Wasserstein-1 distance over the reference's population
 * standard deviation; critical when p < α = 0.05 and the distance ≥ 0.1, warning when only p < α.
 */
function targetSeverity(reference: Float64Array, week: Float64Array): string {
  const a = reference.slice().sort();
  const b = week.slice().sort();
  const p = ksTwoSample(a, b).pValue;
  const w = wassersteinSorted(a, b) / populationStd(reference);
  return p < 0.05 ? (w >= 0.1 ? "critical" : "warning") : "ok";
}

test("the demo's story: calendar columns untested and never in a drift alert, the target's weekly drift as KS + Wasserstein says, the last week closed on its own hours", async () => {
  const lines: string[] = [];
  const { server, weeks, notifications } = await runBikeDemo({
    port: 0,
    weeksPerSecond: 1000,
    print: (line) => lines.push(line),
  });
  try {
    const of2011 = csv("bike_2011.csv");
    const of2012 = csv("bike_2012.csv");
    const times = times2012(of2012);
    const reference = Float64Array.from(of2011, (r) => r.cnt!);

    // Every 2012 hour in its epoch-aligned week, as the windows should hold them.
    const byWeek = new Map<number, number[]>();
    of2012.forEach((r, i) => {
      const start = Math.floor(times[i]! / WEEK) * WEEK;
      byWeek.set(start, [...(byWeek.get(start) ?? []), r.cnt!]);
    });
    assert.deepEqual(
      weeks.map((w) => w.startMs),
      [...byWeek.keys()],
      "one printed, final window per week of 2012, and none after",
    );
    assert.ok(weeks.every((w) => w.final));

    // The target's severity per week: the API's word equals the direct computation.
    const expected = weeks.map((w) => targetSeverity(reference, Float64Array.from(byWeek.get(w.startMs)!)));
    assert.deepEqual(
      weeks.map((w) => w.columns.target),
      expected,
    );
    assert.ok(
      expected.filter((s) => s === "critical").length > 40,
      "demand grew: the target drifts most weeks",
    );

    // Calendar columns: kept (listed as untested), never tested, never named by a drift alert.
    const calendar = new Set(BIKE_CALENDAR);
    for (const w of weeks) {
      assert.deepEqual([...w.untested].sort(), [...BIKE_CALENDAR].sort());
      assert.deepEqual(
        Object.keys(w.columns).filter((c) => calendar.has(c)),
        [],
        `week ${w.start} tested no calendar column`,
      );
    }
    const drift = notifications.filter((n) => n.alertname.includes("Drift"));
    assert.ok(drift.length > 0, "drift alerts were sent");
    for (const n of drift) {
      const words = new Set(`${n.column} ${n.columns} ${n.summary} ${n.description}`.split(/[^A-Za-z_]+/));
      assert.deepEqual(
        BIKE_CALENDAR.filter((c) => words.has(c)),
        [],
        `${n.summary} names no calendar column`,
      );
    }

    // The last window holds exactly its own hours (no closing event), and every hour is in a window.
    const last = weeks.at(-1)!;
    assert.equal(last.events, byWeek.get(last.startMs)!.length);
    assert.ok(last.events > 1);
    assert.equal(
      weeks.reduce((sum, w) => sum + w.events, 0),
      of2012.length,
    );
    const windows = (await (await fetch(`${server.url}/v1/models/bike/windows`)).json()) as {
      windows: Array<{ startMs: number; events: number }>;
    };
    assert.deepEqual(
      windows.windows.map((w) => [w.startMs, w.events]),
      [...byWeek].map(([start, cnt]) => [start, cnt.length]),
      "the server holds no window of a synthetic event",
    );

    // The printed words are the API's: a week's line shows its severity and columns' severities.
    for (const w of weeks) {
      const line = lines.find((l) => l.startsWith(`${w.start} `))!;
      assert.ok(line.includes(`   ${w.drift}`), line);
      const critical = Object.entries(w.columns)
        .filter(([, s]) => s === "critical")
        .map(([c]) => c);
      if (critical.length > 0) assert.ok(line.includes(`critical: ${critical.join(", ")}`), line);
      assert.ok(!/emergency: /.test(line), "no column is called an emergency");
    }
    // Resolved alerts print no stale firing text.
    for (const line of lines.filter((l) => l.includes("RESOLVED"))) assert.ok(!line.includes(":"), line);
    // The closing summary tells the story.
    const story = lines.join("\n");
    assert.match(
      story,
      /Not drift-tested \(schema "drift": false\): season, mnth, hr, holiday, weekday, workingday/,
    );
    const mean = (rows: ReadonlyArray<Record<string, number>>) =>
      rows.reduce((s, r) => s + r.cnt!, 0) / rows.length;
    assert.ok(
      story.includes(
        `The target grew: ${mean(of2011).toFixed(1)} rentals per hour in 2011, ${mean(of2012).toFixed(1)} in 2012`,
      ),
    );
    assert.match(story, /MAE by quarter of 2012: Q1 [\d.]+, Q2 [\d.]+, Q3 [\d.]+, Q4 [\d.]+/);
  } finally {
    await server.close();
  }
});
