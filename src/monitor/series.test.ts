import assert from "node:assert/strict";
import { test } from "node:test";
import { buildModelSeries, type SeriesWindowInput } from "./series.js";

const HOUR = 3_600_000;
const base = Date.UTC(2026, 0, 5);

function window(version: string, i: number, extra: Partial<SeriesWindowInput> = {}): SeriesWindowInput {
  return {
    version,
    startMs: base + i * HOUR,
    endMs: base + (i + 1) * HOUR,
    events: 10,
    labels: 5,
    quality: 1,
    p50: 1,
    p95: 2,
    p99: 3,
    drift: [{ column: "a", severity: "ok" }],
    severity: "ok",
    ...extra,
  };
}

test("below the point limit every window is its own point, versions apart", () => {
  const windows = [window("1", 0), window("1", 1), window("2", 1, { quality: 7, events: 4, labels: 0 })];
  const s = buildModelSeries(windows, { windowMs: HOUR, maxPoints: 10 });
  assert.equal(s.bucket, 1);
  assert.deepEqual(
    s.versions.map((v) => [v.version, v.start.length]),
    [
      ["1", 2],
      ["2", 1],
    ],
  );
  const v2 = s.versions[1]!;
  assert.deepEqual(
    [v2.start[0], v2.end[0], v2.quality[0], v2.coverage[0]],
    [base + HOUR, base + 2 * HOUR, 7, 0],
  );
});

test("downsampling merges windows into buckets: quality label-weighted, latency and drift the worst", () => {
  // 10 hourly windows, at most 4 points → buckets of 3 windows (ceil(10 / 4)).
  const windows = Array.from({ length: 10 }, (_, i) =>
    window("1", i, {
      quality: i,
      labels: i + 1,
      events: 10,
      p99: i === 4 ? 500 : 3,
      drift: [
        { column: "b", severity: i === 7 ? "emergency" : "ok" },
        { column: "a", severity: i === 1 ? "warning" : "ok" },
      ],
      severity: i === 7 ? "emergency" : "ok",
    }),
  );
  const s = buildModelSeries(windows, { windowMs: HOUR, maxPoints: 4, columnOrder: ["b", "a"] });
  assert.equal(s.bucket, 3);
  assert.equal(s.pointMs, 3 * HOUR);
  const v = s.versions[0]!;
  assert.deepEqual(v.windows, [3, 3, 3, 1]);
  assert.deepEqual(v.start, [base, base + 3 * HOUR, base + 6 * HOUR, base + 9 * HOUR]);
  // Bucket 0: windows 0,1,2 with labels 1,2,3 → (0·1 + 1·2 + 2·3) / 6.
  assert.equal(v.quality[0], 8 / 6);
  // Bucket 1: windows 3,4,5 with labels 4,5,6 → (3·4 + 4·5 + 5·6) / 15.
  assert.equal(v.quality[1], 62 / 15);
  assert.deepEqual(v.p99, [3, 500, 3, 3]);
  assert.deepEqual(v.events, [30, 30, 30, 10]);
  assert.deepEqual(v.coverage, [6 / 30, 15 / 30, 24 / 30, 10 / 10]);
  assert.deepEqual(v.severity, [0, 0, 3, 0]);
  const heat = s.drift[0]!;
  assert.deepEqual(heat.columns, ["b", "a"], "the given column order");
  assert.deepEqual(heat.cells, [
    [0, 0, 3, 0],
    [1, 0, 0, 0],
  ]);
});

test("gaps stay gaps, missing values are null, and a version without reference has no heat map", () => {
  const windows = [
    window("1", 0, { drift: null, quality: null, p99: null }),
    window("1", 5, { drift: null }),
  ];
  const s = buildModelSeries(windows, { windowMs: HOUR, maxPoints: 100 });
  assert.deepEqual(s.versions[0]!.start, [base, base + 5 * HOUR]);
  assert.deepEqual(s.versions[0]!.quality, [null, 1]);
  assert.deepEqual(s.versions[0]!.p99, [null, 3]);
  assert.deepEqual(s.drift, []);
  assert.deepEqual(buildModelSeries([], { windowMs: HOUR, maxPoints: 10 }).versions, []);
});

test("impact ratios per attribute: the smallest of each bucket, null where a window had none", () => {
  const windows = [
    window("1", 0, { bias: { sex: 0.9, race: null } }),
    window("1", 1, { bias: { sex: 0.7, race: 0.95 } }),
    window("1", 2, { bias: { sex: null } }),
  ];
  assert.deepEqual(buildModelSeries(windows, { windowMs: HOUR, maxPoints: 10 }).versions[0]!.impactRatio, {
    race: [null, 0.95, null],
    sex: [0.9, 0.7, null],
  });
  assert.deepEqual(buildModelSeries(windows, { windowMs: HOUR, maxPoints: 2 }).versions[0]!.impactRatio, {
    race: [0.95, null],
    sex: [0.7, null],
  });
});

test("a column tested in some windows only is -1 (not tested) elsewhere", () => {
  const windows = [window("1", 0), window("1", 1, { drift: [{ column: "z", severity: "critical" }] })];
  const heat = buildModelSeries(windows, { windowMs: HOUR, maxPoints: 10 }).drift[0]!;
  assert.deepEqual(heat.columns, ["a", "z"]);
  assert.deepEqual(heat.cells, [
    [0, -1],
    [-1, 2],
  ]);
});
