/// <reference lib="dom" />
// The DOM types are for the functions that run in the page (waitForFunction).
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { artifactDir, chromiumMissing, launchChromium, openDashboardPage } from "../testing/browser.js";
import { repoPath } from "../testing/paths.js";
import { type RunningServer, startServer } from "./start.js";

/**
 * The adult-income prediction log end to end: half of it as the reference (with the model's scores),
 * the other half replayed as one day of events with late labels. The day's health report must show
 * the disparity between women and men with its interval, and the figures must equal what this test
 * counts in the CSV itself.
 */

const HOUR = 3_600_000;
const DAY0 = Date.UTC(2026, 0, 5);
const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-health-"));
const NUMERIC = ["age", "education_num", "capital_gain", "capital_loss", "hr_per_week"];
const CATEGORICAL = ["type_employer", "marital", "occupation", "relationship", "country"];
const SENSITIVE = ["sex", "race"];
let server: RunningServer;

interface Row {
  readonly values: Record<string, string>;
}
// A plain split is enough: the file has no quoted fields (checked below).
const text = readFileSync(repoPath("data", "adult", "adult_predictions.csv"), "utf8").trim();
assert.ok(!text.includes('"'), "no quoted fields");
const [header, ...lines] = text.split("\n");
const names = header!.split(",");
const rows: Row[] = lines.map((line) => {
  const cells = line.split(",");
  return { values: Object.fromEntries(names.map((n, i) => [n, cells[i]!])) };
});
const half = Math.floor(rows.length / 2);
const reference = rows.slice(0, half);
const current = rows.slice(half);
const POSITIVE = ">50K";

const call = async (method: string, path: string, body?: string, type = "application/json") => {
  const response = await fetch(`${server.url}${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { "content-type": type }, body }),
  });
  const answer = (await response.json()) as unknown;
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${JSON.stringify(answer)}`);
  return answer;
};

before(async () => {
  writeFileSync(
    join(dir, "monitor.yaml"),
    [
      "monitor: { window: 1h, lateness: 1h, min_samples: 30, max_clock_jump: 60d }",
      "metrics:",
      "  quality: { metric: accuracy, threshold: 0.8 }",
      "reporting: { frequency: 1d, retention: 30d }",
      "",
    ].join("\n"),
  );
  server = await startServer({
    port: 0,
    dataDir: join(dir, "data"),
    configFile: join(dir, "monitor.yaml"),
    clock: "event",
    flushIntervalMs: 100,
  });
  await call(
    "POST",
    "/v1/models",
    JSON.stringify({
      name: "adult",
      task: "binary",
      classes: ["<=50K", POSITIVE],
      features: [
        ...NUMERIC.map((name) => ({ name, type: "numeric" })),
        ...CATEGORICAL.map((name) => ({ name, type: "categorical" })),
        ...SENSITIVE.map((name) => ({ name, type: "categorical", role: "sensitive" })),
      ],
    }),
  );
  await call("POST", "/v1/models/adult/versions", JSON.stringify({ version: "1" }));
  const csv = [
    [...NUMERIC, ...CATEGORICAL, ...SENSITIVE, "prediction", "target", "score"].join(","),
    ...reference.map((r) =>
      [...NUMERIC, ...CATEGORICAL, ...SENSITIVE]
        .map((c) => r.values[c])
        .concat(r.values.prediction!, r.values.income!, r.values.score!)
        .join(","),
    ),
  ].join("\n");
  const uploaded = (await call("PUT", "/v1/models/adult/versions/1/reference", csv, "text/csv")) as {
    scores: string | null;
  };
  assert.notEqual(uploaded.scores, null, "the reference's scores are kept for CBPE");
  // One day of events, spread evenly over its 24 hours; labels arrive with them.
  const events = current.map((r, i) => {
    const features: Record<string, number | string> = {};
    for (const c of NUMERIC) features[c] = Number(r.values[c]);
    for (const c of [...CATEGORICAL, ...SENSITIVE]) features[c] = r.values[c]!;
    const score = Number(r.values.score);
    return JSON.stringify({
      id: r.values.id,
      time: DAY0 + Math.floor((i * 24 * HOUR) / current.length),
      version: "1",
      features,
      prediction: r.values.prediction,
      scores: [1 - score, score],
      latency_ms: 2,
    });
  });
  for (let i = 0; i < events.length; i += 1000)
    await call(
      "POST",
      "/v1/models/adult/events",
      events.slice(i, i + 1000).join("\n"),
      "application/x-ndjson",
    );
  await call(
    "POST",
    "/v1/models/adult/labels",
    current.map((r) => JSON.stringify({ id: r.values.id, value: r.values.income })).join("\n"),
    "application/x-ndjson",
  );
  // The next day's first event closes the day: its report is due.
  await call(
    "POST",
    "/v1/models/adult/events",
    JSON.stringify({
      id: "next-day",
      time: DAY0 + 26 * HOUR,
      version: "1",
      features: { ...JSON.parse(events[0]!).features },
      prediction: "<=50K",
      scores: [0.9, 0.1],
    }),
    "application/x-ndjson",
  );
  await server.service.flush();
});

after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What the CSV itself says about a group: events, predicted positives, and the confusion counts. */
function counted(attribute: string, group: string) {
  const members = current.filter((r) => r.values[attribute] === group);
  const predicted = members.filter((r) => r.values.prediction === POSITIVE);
  const tp = predicted.filter((r) => r.values.income === POSITIVE).length;
  const positives = members.filter((r) => r.values.income === POSITIVE).length;
  const fp = predicted.length - tp;
  const negatives = members.length - positives;
  return { count: members.length, selected: predicted.length, tp, positives, fp, negatives };
}

interface Rate {
  value: number | null;
  numerator: number;
  denominator: number;
  interval: { lower: number; upper: number } | null;
}
interface Report {
  id: string;
  from: number;
  to: number;
  status: string;
  reasons: Array<{ source: string; severity: string; message: string }>;
  versions: Array<{
    events: number;
    labels: number;
    quality: { value: number | null };
    estimated: { accuracy: { estimate: number; lower: number; upper: number } | null } | null;
    fairness: {
      attributes: Array<{
        attribute: string;
        groups: Array<{
          group: string;
          count: number;
          selectionRate: Rate;
          truePositiveRate: Rate;
          falsePositiveRate: Rate;
        }>;
        demographicParityDifference: {
          value: number;
          groups: [string, string];
          interval: { lower: number; upper: number };
        };
        impactRatios: Array<{
          group: string;
          value: number;
          interval: { lower: number; upper: number } | null;
          violation: boolean;
        }>;
        privilegedGroup: string;
        fourFifthsRule: string;
      }>;
    } | null;
  }>;
}

test("the day's health report shows the disparity by sex with its interval, equal to the CSV's own counts", async () => {
  const { reports } = (await call("GET", "/v1/models/adult/reports")) as {
    reports: Array<{ id: string; from: number; to: number }>;
  };
  const day = reports.find((r) => r.from === DAY0);
  assert.ok(day, JSON.stringify(reports));
  assert.equal(day.to, DAY0 + 24 * HOUR);
  const report = (await call("GET", `/v1/models/adult/reports/${encodeURIComponent(day.id)}`)) as Report;
  const version = report.versions[0]!;
  assert.equal(version.events, current.length);
  assert.equal(version.labels, current.length);
  const sex = version.fairness!.attributes.find((a) => a.attribute === "sex")!;
  for (const group of ["Female", "Male"]) {
    const expected = counted("sex", group);
    const got = sex.groups.find((g) => g.group === group)!;
    assert.equal(got.count, expected.count, group);
    assert.deepEqual(
      [got.selectionRate.numerator, got.selectionRate.denominator],
      [expected.selected, expected.count],
    );
    assert.deepEqual(
      [got.truePositiveRate.numerator, got.truePositiveRate.denominator],
      [expected.tp, expected.positives],
    );
    assert.deepEqual(
      [got.falsePositiveRate.numerator, got.falsePositiveRate.denominator],
      [expected.fp, expected.negatives],
    );
  }
  const female = counted("sex", "Female");
  const male = counted("sex", "Male");
  const gap = male.selected / male.count - female.selected / female.count;
  const dp = sex.demographicParityDifference;
  assert.ok(Math.abs(dp.value - gap) < 1e-12, `${dp.value} vs ${gap}`);
  assert.ok(
    dp.interval.lower > 0 && dp.interval.lower < dp.value && dp.value < dp.interval.upper,
    JSON.stringify(dp),
  );
  assert.equal(sex.privilegedGroup, "Male");
  const ratio = sex.impactRatios.find((r) => r.group === "Female")!;
  assert.ok(Math.abs(ratio.value - female.selected / female.count / (male.selected / male.count)) < 1e-12);
  assert.ok(
    ratio.value < 0.8 && ratio.violation,
    "the model selects women at under four fifths of the men's rate",
  );
  assert.ok(ratio.interval !== null && ratio.interval.upper < 0.8, JSON.stringify(ratio.interval));
  assert.equal(sex.fourFifthsRule, "violation");
  const race = version.fairness!.attributes.find((a) => a.attribute === "race")!;
  assert.equal(
    race.groups.reduce((n, g) => n + g.count, 0),
    current.length,
  );

  // The status says so, with the rule, the value and the threshold.
  assert.ok(["critical", "emergency", "warning"].includes(report.status), report.status);
  const bias = report.reasons.find((r) => r.source === "bias" && r.message.startsWith("impact_ratio:sex"));
  assert.ok(bias, JSON.stringify(report.reasons));
  assert.match(bias.message, /against 0\.8000/);

  // Quality realised from the labels, and CBPE's label-free estimate of it within its stated band.
  const realised = current.filter((r) => r.values.prediction === r.values.income).length / current.length;
  assert.ok(Math.abs(version.quality.value! - realised) < 1e-12);
  const estimate = version.estimated!.accuracy!;
  assert.ok(
    estimate.lower <= realised && realised <= estimate.upper,
    `${realised} outside [${estimate.lower}, ${estimate.upper}]`,
  );
});

test("every window carries its fairness counts and a four-fifths verdict per attribute", async () => {
  const { windows } = (await call("GET", `/v1/models/adult/windows?from=${DAY0}&to=${DAY0 + 24 * HOUR}`)) as {
    windows: Array<{
      events: number;
      fairness: Report["versions"][number]["fairness"];
      verdicts: Array<{ rule: string; metric: string; status: string }>;
    }>;
  };
  assert.equal(windows.length, 24);
  assert.equal(
    windows.reduce((n, w) => n + w.events, 0),
    current.length,
  );
  for (const w of windows) {
    const sex = w.fairness!.attributes.find((a) => a.attribute === "sex")!;
    assert.equal(
      sex.groups.reduce((n, g) => n + g.count, 0),
      w.events,
    );
    assert.ok(w.verdicts.some((v) => v.rule === "bias" && v.metric === "impact_ratio:sex"));
  }
  assert.ok(
    windows.some((w) => w.verdicts.some((v) => v.metric === "impact_ratio:sex" && v.status === "breach")),
    "some hours breach the four-fifths rule on their own",
  );
});

test("reports: unknown id and model are 404, a bad limit is 400", async () => {
  const missing = await fetch(`${server.url}/v1/models/adult/reports/nope`);
  assert.equal(missing.status, 404);
  assert.equal(((await missing.json()) as { code: string }).code, "NOT_FOUND");
  assert.equal((await fetch(`${server.url}/v1/models/nope/reports`)).status, 404);
  const bad = await fetch(`${server.url}/v1/models/adult/reports?limit=0`);
  assert.equal(bad.status, 400);
  assert.equal(((await bad.json()) as { location: { path: string } }).location.path, "limit");
});

test("the fairness and reports pages show the API's groups, intervals, status and reasons", {
  skip: chromiumMissing,
}, async () => {
  const browser = await launchChromium();
  try {
    const { page, problems, rendered } = await openDashboardPage(browser, server.url);
    await page.goto(`${server.url}/fairness?model=adult`);
    await rendered("fairness");
    const series = (await call("GET", "/v1/models/adult/series?points=1000")) as {
      versions: Array<{ start: number[]; impactRatio: Record<string, Array<number | null>> }>;
    };
    assert.equal(
      Number(await page.locator("#chart-impact-ratio").getAttribute("data-points")),
      series.versions[0]!.start.length,
    );
    assert.equal(await page.locator("#chart-impact-ratio").getAttribute("data-series"), "race|sex");
    const sex = page.locator('section.fairness-attribute[data-attribute="sex"]');
    assert.equal(await sex.getAttribute("data-rule"), "violation");
    const female = counted("sex", "Female");
    const selection = (await sex.locator('tr[data-group="Female"] td').nth(2).textContent()) ?? "";
    assert.ok(selection.startsWith(`${((female.selected / female.count) * 100).toFixed(1)}% [`), selection);
    await page.screenshot({ path: join(artifactDir("dashboard"), "fairness.png"), fullPage: true });

    await page.click('nav.site a[href="/reports"]');
    await rendered("reports");
    const { reports } = (await call("GET", "/v1/models/adult/reports")) as {
      reports: Array<{ id: string; status: string }>;
    };
    assert.equal(await page.locator("tr[data-report]").count(), reports.length);
    await page.waitForSelector(`#report-detail[data-id="${reports[0]!.id}"]`);
    assert.equal(await page.locator("#report-detail").getAttribute("data-status"), reports[0]!.status);
    const dayReport = reports.find((r) => r.id === new Date(DAY0).toISOString())!;
    await page.click(`tr[data-report="${dayReport.id}"] a`);
    await page.waitForSelector(`#report-detail[data-id="${dayReport.id}"]`);
    assert.ok((await page.locator('#report-detail li[data-source="bias"]').count()) > 0);
    assert.equal(
      await page.locator('#report-detail section.fairness-attribute[data-attribute="sex"]').count(),
      1,
    );
    await page.screenshot({ path: join(artifactDir("dashboard"), "reports.png"), fullPage: true });
    assert.deepEqual(problems, { foreign: [], policy: [], errors: [] });
  } finally {
    await browser.close();
  }
});

test("reports older than the retention (30 days of the model's clock) are deleted", async () => {
  const ids = async () =>
    ((await call("GET", "/v1/models/adult/reports")) as { reports: Array<{ id: string }> }).reports.map(
      (r) => r.id,
    );
  assert.ok((await ids()).includes(new Date(DAY0).toISOString()));
  // An event 32 days on moves the model's clock past the first day's retention (max_clock_jump allows it).
  const later = DAY0 + 32 * 24 * HOUR;
  await call(
    "POST",
    "/v1/models/adult/events",
    JSON.stringify({ id: "much-later", time: later, version: "1", features: {}, prediction: "<=50K" }),
    "application/x-ndjson",
  );
  await server.service.flush();
  await server.service.retention();
  const left = await ids();
  assert.ok(!left.includes(new Date(DAY0).toISOString()), JSON.stringify(left));
  assert.ok(left.length > 0, "the newest period's report is kept");
});
