import assert from "node:assert/strict";
import { test } from "node:test";
import { type IngestContext, parseEventBatch, parseLabelBatch } from "./ingest-parse.js";

const T0 = Date.parse("2012-01-01T00:00:00Z");
const regression: IngestContext = {
  task: "regression",
  columns: new Map([
    ["temp", "numeric"],
    ["season", "categorical"],
  ]),
  versions: new Set(["1"]),
  oldestAcceptedMs: T0 - 3_600_000,
  newestAcceptedMs: T0 + 86_400_000,
  nowMs: T0 + 60_000,
};
const binary: IngestContext = { ...regression, task: "binary", classes: ["<=50K", ">50K"] };
const event = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    id: "e1",
    time: "2012-01-01T00:30:00Z",
    version: "1",
    features: { temp: 0.3, season: 1 },
    prediction: 17.5,
    latency_ms: 2.5,
    ...extra,
  });

test("valid NDJSON and JSON-array batches give normalised events", () => {
  const ndjson = parseEventBatch(
    `${event()}\n\n${event({ id: 7, time: T0, features: { temp: null } })}\n`,
    "ndjson",
    regression,
  );
  assert.ok(ndjson.ok);
  assert.deepEqual(ndjson.records[0], {
    id: "e1",
    timeMs: T0 + 1_800_000,
    version: "1",
    features: { temp: 0.3, season: "1" },
    prediction: 17.5,
    scores: null,
    latencyMs: 2.5,
  });
  assert.deepEqual(ndjson.records[1]?.features, { temp: null });
  assert.equal(ndjson.records[1]?.id, "7");
  const array = parseEventBatch(`[${event()}]`, "json", regression);
  assert.ok(array.ok);
  assert.deepEqual(array.records, [ndjson.records[0]]);
});

test("every bad record is reported with its line, field and stable code, and nothing is returned", () => {
  const body = [
    event(), // 1: fine
    "{not json", // 2
    event({ id: undefined }), // 3
    event({ features: { temp: "warm" } }), // 4
    '{"id":"x","time":0,"version":"1","features":{"temp":NaN},"prediction":1}', // 5
    event({ version: "9" }), // 6
    event({ extra: true }), // 7
    event({ time: "2011-12-31T20:00:00Z" }), // 8: beyond the lateness
    event({ time: "2012-01-01 00:30:00" }), // 9: no zone
    event({ features: { humidity: 0.5 } }), // 10
    event({ prediction: "high" }), // 11
    "[1,2]", // 12
    event({ time: "2012-01-05T00:00:00Z" }), // 13: in the future
  ].join("\n");
  const result = parseEventBatch(body, "ndjson", regression);
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.deepEqual(
    result.problems.map((p) => [p.line, p.field, p.code]),
    [
      [2, "", "malformed_json"],
      [3, "id", "missing_field"],
      [4, "features.temp", "wrong_type"],
      [5, "", "not_finite"],
      [6, "version", "unknown_version"],
      [7, "extra", "unknown_field"],
      [8, "time", "too_late"],
      [9, "time", "wrong_type"],
      [10, "features.humidity", "unknown_feature"],
      [11, "prediction", "wrong_type"],
      [12, "", "not_an_object"],
      [13, "time", "in_future"],
    ],
  );
  for (const problem of result.problems) assert.ok(problem.message.length > 10, problem.message);
});

test("a JSON body that is not an array, or not JSON, is one problem with a line", () => {
  const notArray = parseEventBatch(event(), "json", regression);
  assert.deepEqual(notArray.ok ? [] : notArray.problems.map((p) => p.code), ["wrong_type"]);
  const broken = parseEventBatch(`[\n${event()},\n{oops}\n]`, "json", regression);
  assert.deepEqual(broken.ok ? [] : broken.problems.map((p) => [p.line, p.code]), [[3, "malformed_json"]]);
});

test("classifiers: labels must be classes; scores by array, object or P(positive)", () => {
  const ok = parseEventBatch(
    [
      event({ prediction: ">50K", scores: [0.2, 0.8] }),
      event({ id: "e2", prediction: "<=50K", scores: { "<=50K": 0.9, ">50K": 0.1 } }),
      event({ id: "e3", prediction: ">50K", scores: 0.7 }),
    ].join("\n"),
    "ndjson",
    binary,
  );
  assert.ok(ok.ok);
  assert.deepEqual(
    ok.records.map((r) => r.scores),
    [
      [0.2, 0.8],
      [0.9, 0.1],
      [0.30000000000000004, 0.7],
    ],
  );
  const bad = parseEventBatch(
    [
      event({ prediction: "maybe" }),
      event({ prediction: ">50K", scores: [0.5] }),
      event({ prediction: ">50K", scores: [2, -1] }),
    ].join("\n"),
    "ndjson",
    binary,
  );
  assert.deepEqual(bad.ok ? [] : bad.problems.map((p) => [p.line, p.field, p.code]), [
    [1, "prediction", "unknown_class"],
    [2, "scores", "wrong_type"],
    [3, "scores.<=50K", "not_finite"],
  ]);
});

test("labels: id and value required; time defaults to now; classes checked", () => {
  const ok = parseLabelBatch(
    '{"id":"e1","value":16}\n{"id":2,"value":3.5,"time":"2012-01-01T01:00:00Z"}',
    "ndjson",
    regression,
  );
  assert.ok(ok.ok);
  assert.deepEqual(ok.records, [
    { id: "e1", value: 16, timeMs: T0 + 60_000 },
    { id: "2", value: 3.5, timeMs: T0 + 3_600_000 },
  ]);
  const bad = parseLabelBatch('{"id":"e1"}\n{"value":">50K"}\n{"id":"x","value":"yes"}', "ndjson", binary);
  assert.deepEqual(bad.ok ? [] : bad.problems.map((p) => [p.line, p.field, p.code]), [
    [1, "value", "missing_field"],
    [2, "id", "missing_field"],
    [3, "value", "unknown_class"],
  ]);
});

test("a batch of many bad records lists the first 100 problems and says it stopped there", () => {
  const body = "1\n".repeat(100_000);
  const result = parseEventBatch(body, "ndjson", regression);
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.equal(result.problems.length, 100);
  assert.equal(result.truncated, true);
  assert.deepEqual(result.problems[99], {
    line: 100,
    field: "",
    code: "not_an_object",
    message: "each record must be a JSON object",
  });
  const array = parseLabelBatch(JSON.stringify(Array.from({ length: 500 }, () => ({}))), "json", regression);
  assert.ok(!array.ok && array.problems.length === 100 && array.truncated);
  const few = parseEventBatch("1\n2\n", "ndjson", regression);
  assert.ok(!few.ok && few.problems.length === 2 && !few.truncated);
});

test("times outside 1970–2100 are out_of_range, whatever the bounds, with a message that formats", () => {
  const open: IngestContext = {
    ...regression,
    oldestAcceptedMs: Number.NEGATIVE_INFINITY,
    newestAcceptedMs: Number.POSITIVE_INFINITY,
  };
  for (const time of [1e20, -1e20, 8640000000000001, -1, T0 * 1000, Date.UTC(2100, 0, 1)]) {
    const result = parseEventBatch(event({ time }), "ndjson", open);
    assert.ok(!result.ok, String(time));
    if (result.ok) continue;
    assert.deepEqual(
      result.problems.map((p) => [p.field, p.code]),
      [["time", "out_of_range"]],
      String(time),
    );
  }
  assert.ok(parseEventBatch(event({ time: 0 }), "ndjson", open).ok, "the epoch itself is a time");
});

test("an event without a time gets the time of receipt, written into its stored record", () => {
  const line = JSON.stringify({ id: "e9", version: "1", features: { temp: 0.1 }, prediction: 3 });
  for (const body of [line, line.replace("{", '{"time":null,')]) {
    const result = parseEventBatch(body, "ndjson", regression);
    assert.ok(result.ok);
    if (!result.ok) return;
    assert.equal(result.records[0]!.timeMs, regression.nowMs);
    const stored = JSON.parse(result.sources[0]!) as { time: number };
    assert.equal(stored.time, regression.nowMs, "a replay of the log gives the same window");
  }
  const timed = parseEventBatch(event(), "ndjson", regression);
  assert.ok(timed.ok && timed.sources[0] === event(), "a record with its own time is stored as sent");
});
