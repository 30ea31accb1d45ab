import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { readTable } from "../data/index.js";
import { analyzeDrift, type DriftReport, type InputColumn, type InputTable } from "../drift/index.js";
import { runCli } from "../testing/cli.js";
import { closeTo } from "../testing/golden.js";
import { repoPath } from "../testing/paths.js";
import { seededRandom } from "../testing/random.js";
import { type RunningServer, startServer } from "./index.js";

const numeric = ["temp", "atemp", "hum", "windspeed", "hr", "mnth"];
const categorical = ["season", "holiday", "workingday", "weathersit"];
const WEEK = 7 * 24 * 3_600_000;
const T0 = Date.parse("2012-01-02T00:00:00Z"); // a Monday: weekly windows align to the epoch's Thursday, so use offsets
const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-serve-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const num = (t: InputTable, c: string) =>
  (t.columns.get(c) as Extract<InputColumn, { kind: "numeric" }>).values;
const text = (t: InputTable, c: string) => {
  const col = t.columns.get(c) as Extract<InputColumn, { kind: "text" }>;
  return Array.from(col.codes, (code) => (code < 0 ? null : col.categories[code]!));
};

interface Row {
  id: string;
  time: number;
  features: Record<string, number | string | null>;
  prediction: number;
  latency: number;
  truth: number;
}

let server: RunningServer;
let rows: Row[];
let current: InputTable;
let reference: InputTable;

async function call(method: string, path: string, body?: string, type = "application/json", token?: string) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { "content-type": type }),
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    ...(body === undefined ? {} : { body }),
  });
  const textBody = await response.text();
  // biome-ignore lint/suspicious/noExplicitAny: test reads arbitrary JSON answers
  const parsed: any = textBody.startsWith("{") || textBody.startsWith("[") ? JSON.parse(textBody) : textBody;
  return { status: response.status, body: parsed };
}
const ndjson = (records: object[]) => records.map((r) => JSON.stringify(r)).join("\n");
const eventOf = (r: Row) => ({
  id: r.id,
  time: r.time,
  version: "1",
  features: r.features,
  prediction: r.prediction,
  latency_ms: r.latency,
});

before(async () => {
  writeFileSync(
    join(dir, "monitor.yaml"),
    "monitor:\n  window: 1w\n  lateness: 1w\n  min_samples: 30\nmetrics:\n  quality: { metric: mae, threshold: 60 }\n",
  );
  server = await startServer({
    port: 0,
    dataDir: join(dir, "data"),
    configFile: join(dir, "monitor.yaml"),
    clock: "event",
    flushIntervalMs: 60_000,
  });
  reference = await readTable(repoPath("data", "bike", "bike_2011.csv"), { text: new Set(categorical) });
  current = await readTable(repoPath("data", "bike", "bike_2012.csv"), { text: new Set(categorical) });
  const rng = seededRandom(12);
  const cnt = num(current, "cnt");
  rows = Array.from({ length: 4 * 168 }, (_, i) => {
    const features: Record<string, number | string | null> = {};
    for (const c of numeric) features[c] = num(current, c)[i]!;
    for (const c of categorical) features[c] = text(current, c)[i]!;
    return {
      id: `r${i}`,
      time: T0 + i * 3_600_000,
      features,
      prediction: Math.round(cnt[i]! * 0.7 + 20),
      latency: Math.exp(2 + 0.5 * rng.normal()),
      truth: cnt[i]!,
    };
  });
});
after(() => server.close());

describe("tiktoktoe serve, end to end over HTTP", () => {
  test("register the bike model and a version, upload 2011 as the reference", async () => {
    const features = [
      ...numeric.map((name) => ({ name, type: "numeric" })),
      ...categorical.map((name) => ({ name, type: "categorical" })),
    ];
    const created = await call(
      "POST",
      "/v1/models",
      JSON.stringify({ name: "bike", task: "regression", features }),
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(
      (await call("POST", "/v1/models/bike/versions", JSON.stringify({ version: "1" }))).status,
      201,
    );
    const csv = readFileSync(repoPath("data", "bike", "bike_2011.csv"), "utf8").replace(
      /,cnt\n/,
      ",target\n",
    );
    const uploaded = await call("PUT", "/v1/models/bike/versions/1/reference", csv, "text/csv");
    assert.equal(uploaded.status, 200, JSON.stringify(uploaded.body));
    assert.equal(uploaded.body.target as unknown, true);
    const again = await call(
      "POST",
      "/v1/models",
      JSON.stringify({ name: "bike", task: "regression", features }),
    );
    assert.equal(again.status, 409);
    assert.equal((again.body as { code: string }).code, "STORE_CONFLICT");
  });

  test("ingest four weeks of events and labels; the same batch twice is stored once", async () => {
    const first = await call(
      "POST",
      "/v1/models/bike/events",
      ndjson(rows.map(eventOf)),
      "application/x-ndjson",
    );
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.deepEqual(first.body, { accepted: rows.length, duplicates: 0 });
    const repeat = await call(
      "POST",
      "/v1/models/bike/events",
      ndjson(rows.slice(-100).map(eventOf)),
      "application/x-ndjson",
    );
    assert.deepEqual(repeat.body, { accepted: 0, duplicates: 100 });
    const labels = await call(
      "POST",
      "/v1/models/bike/labels",
      JSON.stringify(rows.map((r) => ({ id: r.id, value: r.truth }))),
    );
    assert.deepEqual(labels.body, { accepted: rows.length, duplicates: 0, unmatched: 0 });
  });

  test("windows: MAE equals an independent computation, p99 within the sketch's 1%, drift equals the drift engine", async () => {
    const { body } = await call("GET", "/v1/models/bike/windows");
    // biome-ignore lint/suspicious/noExplicitAny: window summaries are read as loose JSON here
    const windows = body.windows as Array<Record<string, any>>;
    const starts = [...new Set(rows.map((r) => Math.floor(r.time / WEEK) * WEEK))];
    assert.deepEqual(
      windows.map((w) => w.startMs),
      starts,
    );
    for (const w of windows) {
      const inside = rows.filter((r) => r.time >= w.startMs && r.time < w.endMs);
      assert.equal(w.events, inside.length);
      const mae = inside.reduce((s, r) => s + Math.abs(r.truth - r.prediction), 0) / inside.length;
      assert.ok(closeTo(w.quality.mae, mae, 1e-12, 0), `${w.start}: ${w.quality.mae} vs ${mae}`);
      const lat = inside.map((r) => r.latency).sort((a, b) => a - b);
      const exact = lat[Math.floor(0.99 * (lat.length - 1))]!;
      assert.ok(Math.abs(w.latency.p99 - exact) <= 0.01 * exact, `${w.latency.p99} vs ${exact}`);
      const verdict = w.verdicts.find((v: { rule: string }) => v.rule === "quality");
      assert.equal(verdict.status, inside.length >= 30 ? (mae > 60 ? "breach" : "ok") : "insufficient_data");
    }
    // A full window's drift report equals `tiktoktoe drift` on the same rows.
    const w = windows[1]!;
    const drift = (await call("GET", `/v1/models/bike/windows/${w.start}/drift?version=1`))
      .body as unknown as DriftReport;
    const inside = rows
      .map((r, i) => [r, i] as const)
      .filter(([r]) => r.time >= w.startMs && r.time < w.endMs)
      .map(([, i]) => i);
    const pick = (table: InputTable, indices: readonly number[] | null): InputTable => {
      const map = new Map<string, InputColumn>();
      for (const c of [...numeric, ...categorical, "cnt"]) {
        const col = table.columns.get(c)!;
        const take = <T extends Float64Array | Int32Array>(a: T) =>
          (indices === null
            ? a.slice()
            : new (a.constructor as new (x: number[]) => T)(indices.map((i) => a[i]!))) as T;
        map.set(
          c === "cnt" ? "target" : c,
          col.kind === "numeric"
            ? { ...col, values: take(col.values), missing: 0 }
            : { ...col, codes: take(col.codes), missing: 0 },
        );
      }
      return {
        source: table.source,
        rowCount: indices?.length ?? table.rowCount,
        columnNames: [...map.keys()],
        columns: map,
      };
    };
    const engine = analyzeDrift(pick(reference, null), pick(current, inside), {
      target: "target",
      numeric,
      categorical,
    });
    const simple = (r: DriftReport) =>
      r.columns
        .filter((c) => c.column !== "target" && c.column !== "prediction")
        .map((c) => [c.column, c.statistic, c.p_value, c.severity])
        .sort();
    assert.deepEqual(simple(drift), simple(engine));
    // And literally: `tiktoktoe drift` on CSV files of the same rows gives the same report.
    const columnsOut = [...numeric, ...categorical, "cnt"];
    const toCsv = (table: InputTable, indices: readonly number[]) =>
      [
        [...numeric, ...categorical, "target"].join(","),
        ...indices.map((i) =>
          columnsOut
            .map((c) => {
              const col = table.columns.get(c)!;
              return col.kind === "numeric" ? String(col.values[i]) : col.categories[col.codes[i]!]!;
            })
            .join(","),
        ),
      ].join("\n");
    writeFileSync(
      join(dir, "window-ref.csv"),
      toCsv(
        reference,
        Array.from({ length: reference.rowCount }, (_, i) => i),
      ),
    );
    writeFileSync(join(dir, "window-cur.csv"), toCsv(current, inside));
    const cli = await runCli([
      "drift",
      "-r",
      join(dir, "window-ref.csv"),
      "-c",
      join(dir, "window-cur.csv"),
      "--numeric",
      numeric.join(","),
      "--categorical",
      categorical.join(","),
      "--target",
      "target",
      "--format",
      "json",
      "--fail-on",
      "never",
    ]);
    assert.equal(cli.code, 0, cli.stderr);
    const fromCli = JSON.parse(cli.stdout) as DriftReport;
    const all = (r: DriftReport) =>
      r.columns
        .filter((c) => c.column !== "prediction")
        .map((c) => [c.column, c.statistic, c.p_value, c.effect_size, c.severity])
        .sort();
    assert.deepEqual(all(drift), all(fromCli));
    assert.equal(drift.severity, fromCli.severity);
    assert.equal(
      drift.columns.find((c) => c.column === "target")?.statistic,
      engine.columns.find((c) => c.column === "target")?.statistic,
    );
  });

  test("bad batches: every bad record listed with line, field and code; nothing stored", async () => {
    const before = (
      (await call("GET", "/v1/models/bike/windows")).body.windows as Array<{ events: number }>
    ).reduce((s, w) => s + w.events, 0);
    const good = eventOf({ ...rows[0]!, id: "new-1" });
    const cases: Array<[string, string, string, number, string]> = [
      ["malformed NDJSON", `${JSON.stringify(good)}\n{oops`, "application/x-ndjson", 400, "malformed_json"],
      ["malformed JSON array", "[{", "application/json", 400, "malformed_json"],
      [
        "unknown version",
        JSON.stringify({ ...good, version: "9" }),
        "application/x-ndjson",
        400,
        "unknown_version",
      ],
      [
        "wrong type",
        JSON.stringify({ ...good, features: { temp: "hot" } }),
        "application/x-ndjson",
        400,
        "wrong_type",
      ],
      [
        "NaN",
        JSON.stringify(good).replace('"temp":', '"temp":NaN,"x":'),
        "application/x-ndjson",
        400,
        "not_finite",
      ],
      [
        "missing id",
        JSON.stringify({ ...good, id: undefined }),
        "application/x-ndjson",
        400,
        "missing_field",
      ],
      [
        "unknown field",
        JSON.stringify({ ...good, colour: "red" }),
        "application/x-ndjson",
        400,
        "unknown_field",
      ],
      [
        "too late",
        JSON.stringify({ ...good, time: T0 - 10 * WEEK }),
        "application/x-ndjson",
        400,
        "too_late",
      ],
    ];
    for (const [name, body, type, status, code] of cases) {
      const answer = await call(
        "POST",
        "/v1/models/bike/events",
        `${JSON.stringify({ ...good, id: "ok-line" })}\n${body}`,
        type,
      );
      assert.equal(answer.status, status, name);
      assert.equal((answer.body as { code: string }).code, "INGEST_INVALID", name);
      const problems = (answer.body as { problems: Array<{ code: string; line: number; field: string }> })
        .problems;
      assert.ok(
        problems.some((p) => p.code === code && p.line >= 2),
        `${name}: ${JSON.stringify(problems)}`,
      );
    }
    const unknownModel = await call(
      "POST",
      "/v1/models/nope/events",
      JSON.stringify(good),
      "application/x-ndjson",
    );
    assert.equal(unknownModel.status, 404);
    const wrongType = await call("POST", "/v1/models/bike/events", JSON.stringify(good), "text/plain");
    assert.equal(wrongType.status, 415);
    const after = (
      (await call("GET", "/v1/models/bike/windows")).body.windows as Array<{ events: number }>
    ).reduce((s, w) => s + w.events, 0);
    assert.equal(after, before, "a rejected batch stores nothing");
  });

  test("/metrics exposes model gauges and counters in the Prometheus text format", async () => {
    const { status, body } = await call("GET", "/metrics");
    assert.equal(status, 200);
    const metrics = body as string;
    // One name per quality metric (MAE here), not a `metric` label mixing quantities.
    assert.match(metrics, /^# TYPE tiktoktoe_model_mae gauge$/m);
    assert.match(metrics, /^tiktoktoe_model_mae\{model="bike",version="1"\} \d/m);
    assert.doesNotMatch(metrics, /tiktoktoe_model_quality/);
    // Latency is a summary: quantiles, then _sum and _count of the same window.
    assert.match(metrics, /^# TYPE tiktoktoe_model_latency_seconds summary$/m);
    assert.match(
      metrics,
      /^tiktoktoe_model_latency_seconds\{model="bike",version="1",quantile="0.99"\} 0\.\d+/m,
    );
    assert.match(metrics, /^tiktoktoe_model_latency_seconds_sum\{model="bike",version="1"\} \d/m);
    assert.match(metrics, /^tiktoktoe_model_latency_seconds_count\{model="bike",version="1"\} [1-9]\d*$/m);
    assert.match(metrics, new RegExp(`^tiktoktoe_ingested_events_total ${rows.length}$`, "m"));
    assert.match(metrics, /^process_resident_memory_bytes \d+/m);
  });

  test("what was answered survives a restart of the server on the same data directory", async () => {
    const before = (await call("GET", "/v1/models/bike/windows")).body;
    await server.close();
    server = await startServer({
      port: 0,
      dataDir: join(dir, "data"),
      configFile: join(dir, "monitor.yaml"),
      clock: "event",
      flushIntervalMs: 60_000,
    });
    const afterRestart = (await call("GET", "/v1/models/bike/windows")).body;
    assert.deepEqual(
      (afterRestart.windows as Array<Record<string, unknown>>).map((w) => [
        w.startMs,
        w.events,
        w.labels,
        (w.quality as { mae: number }).mae,
      ]),
      (before.windows as Array<Record<string, unknown>>).map((w) => [
        w.startMs,
        w.events,
        w.labels,
        (w.quality as { mae: number }).mae,
      ]),
    );
    const repeat = await call(
      "POST",
      "/v1/models/bike/events",
      ndjson(rows.slice(-10).map(eventOf)),
      "application/x-ndjson",
    );
    assert.deepEqual(repeat.body, { accepted: 0, duplicates: 10 }, "idempotency survives the restart");
  });
});

test("a version with an ONNX artifact gets its reference predictions from the model at upload", async () => {
  const features = [
    "season",
    "mnth",
    "hr",
    "holiday",
    "weekday",
    "workingday",
    "weathersit",
    "temp",
    "atemp",
    "hum",
    "windspeed",
  ];
  const ok = await call(
    "POST",
    "/v1/models",
    JSON.stringify({
      name: "bike-onnx",
      task: "regression",
      features: features.map((name) => ({ name, type: "numeric" })),
    }),
  );
  assert.equal(ok.status, 201);
  const onnx = readFileSync(repoPath("models", "bike_mlp.onnx")).toString("base64");
  assert.equal(
    (await call("POST", "/v1/models/bike-onnx/versions", JSON.stringify({ version: "1", onnx }))).status,
    201,
  );
  const lines = readFileSync(repoPath("data", "bike", "bike_2011.csv"), "utf8")
    .trim()
    .split("\n");
  const header = lines[0]!.split(",");
  const keep = features.map((f) => header.indexOf(f));
  const csv = [
    features.join(","),
    ...lines.slice(1).map((l) => keep.map((k) => l.split(",")[k]).join(",")),
  ].join("\n");
  const uploaded = await call("PUT", "/v1/models/bike-onnx/versions/1/reference", csv, "text/csv");
  assert.equal(uploaded.status, 200, JSON.stringify(uploaded.body));
  assert.equal(uploaded.body.prediction, "onnx");
  assert.equal(uploaded.body.rows, 8645);
  // Without ONNX and without a prediction column, the answer says prediction drift is skipped.
  assert.equal(
    (await call("POST", "/v1/models/bike-onnx/versions", JSON.stringify({ version: "2" }))).status,
    201,
  );
  const plain = await call("PUT", "/v1/models/bike-onnx/versions/2/reference", csv, "text/csv");
  assert.equal(plain.body.prediction, null);
  assert.match(plain.body.note, /prediction drift is skipped/);
});
