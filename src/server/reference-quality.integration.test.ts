import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { repoPath } from "../testing/paths.js";
import { startServer } from "./start.js";

/**
 * The reference's quality metric, computed at the upload: checked against MAE computed here, row by
 * row, from data/bike/bike_2011.csv and models/bike_mlp.onnx run directly through onnxruntime-node.
 */

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-reference-quality-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const FEATURES = [
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
const CATEGORICAL = new Set(["season", "holiday", "workingday", "weathersit"]);

const ort = await import("onnxruntime-node").catch(() => null);

test("the bike reference's MAE is the model's MAE on 2011, in the upload, series and versions answers", {
  skip: ort === null ? "onnxruntime-node does not load here" : false,
}, async () => {
  // The independent computation: parse the CSV by hand, run the ONNX model, average |ŷ − y|.
  const lines = readFileSync(repoPath("data", "bike", "bike_2011.csv"), "utf8")
    .trim()
    .split("\n");
  const header = lines[0]!.split(",");
  const rows = lines.slice(1).map((line) => line.split(",").map(Number));
  const at = (name: string) => header.indexOf(name);
  const input = new Float32Array(rows.length * FEATURES.length);
  rows.forEach((row, i) => {
    FEATURES.forEach((f, k) => {
      input[i * FEATURES.length + k] = row[at(f)]!;
    });
  });
  const session = await ort!.InferenceSession.create(repoPath("models", "bike_mlp.onnx"));
  const out = (
    await session.run({ features: new ort!.Tensor("float32", input, [rows.length, FEATURES.length]) })
  ).cnt!.data as Float32Array;
  let sum = 0;
  rows.forEach((row, i) => {
    sum += Math.abs(out[i]! - row[at("cnt")]!);
  });
  const expected = sum / rows.length;
  assert.ok(Math.abs(expected - 23.6) < 0.1, `models/README.md says about 23.6, got ${expected}`);

  const configFile = join(dir, "bike.yaml");
  writeFileSync(
    configFile,
    "monitor: { window: 1w, lateness: 2d }\nmetrics:\n  quality: { metric: mae, threshold: 60 }\n",
  );
  const server = await startServer({ port: 0, dataDir: join(dir, "bike"), configFile, clock: "event" });
  const call = async (method: string, path: string, body?: string, type = "application/json") => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { "content-type": type }, body }),
    });
    const json = (await response.json()) as Record<string, unknown>;
    assert.ok(response.ok, `${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
  try {
    await call(
      "POST",
      "/v1/models",
      JSON.stringify({
        name: "bike",
        task: "regression",
        features: FEATURES.map((name) => ({ name, type: CATEGORICAL.has(name) ? "categorical" : "numeric" })),
      }),
    );
    await call(
      "POST",
      "/v1/models/bike/versions",
      JSON.stringify({
        version: "2011",
        onnx: readFileSync(repoPath("models", "bike_mlp.onnx")).toString("base64"),
      }),
    );
    // As the demo uploads it: features and target, no prediction column (the server runs the ONNX model).
    const csv = [
      [...FEATURES, "target"].join(","),
      ...rows.map((row) => [...FEATURES.map((f) => row[at(f)]), row[at("cnt")]].join(",")),
    ].join("\n");
    const upload = await call("PUT", "/v1/models/bike/versions/2011/reference", csv, "text/csv");
    assert.equal(upload.prediction, "onnx");
    const uploaded = upload.quality as { metric: string; value: number; labelled: number };
    assert.equal(uploaded.metric, "mae");
    assert.equal(uploaded.labelled, rows.length);
    // float32 predictions summed in another order: equal to far below the chart's resolution.
    assert.ok(Math.abs(uploaded.value - expected) < 1e-9, `${uploaded.value} vs ${expected}`);

    const { versions } = (await call("GET", "/v1/models/bike/versions")) as {
      versions: Array<{ version: string; referenceQuality: { metric: string; value: number } | null }>;
    };
    assert.equal(versions[0]!.referenceQuality?.metric, "mae");
    assert.ok(Math.abs(versions[0]!.referenceQuality!.value - expected) < 1e-9);

    // The series answer names it per answered version: one labelled event makes a window.
    await call(
      "POST",
      "/v1/models/bike/events",
      JSON.stringify({
        id: "e1",
        version: "2011",
        time: "2012-01-02T00:00:00Z",
        prediction: 10,
        features: Object.fromEntries(FEATURES.map((f) => [f, CATEGORICAL.has(f) ? "1" : 0.5])),
      }),
      "application/x-ndjson",
    );
    type SeriesAnswer = { referenceQuality: Array<{ version: string; metric: string; value: number }> };
    const seriesAnswer = () =>
      call(
        "GET",
        "/v1/models/bike/series?from=0&to=4102444800000",
      ) as Promise<unknown> as Promise<SeriesAnswer>;
    let series = await seriesAnswer();
    // The event reaches its window through the ingest chain, not before the answer.
    for (let i = 0; i < 100 && series.referenceQuality.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      series = await seriesAnswer();
    }
    assert.equal(series.referenceQuality.length, 1, JSON.stringify(series.referenceQuality));
    assert.equal(series.referenceQuality[0]!.version, "2011");
    assert.ok(Math.abs(series.referenceQuality[0]!.value - expected) < 1e-9);
  } finally {
    await server.close();
  }
  // Kept across a restart (the artifact, not the cache).
  const again = await startServer({ port: 0, dataDir: join(dir, "bike"), configFile, clock: "event" });
  try {
    const { versions } = (await (await fetch(`${again.url}/v1/models/bike/versions`)).json()) as {
      versions: Array<{ referenceQuality: { value: number } | null }>;
    };
    assert.ok(Math.abs(versions[0]!.referenceQuality!.value - expected) < 1e-9);
  } finally {
    await again.close();
  }
});

test("a classifier's reference with a prediction column: its accuracy; without a target: none", async () => {
  const server = await startServer({ port: 0, dataDir: join(dir, "churn") });
  const call = (method: string, path: string, body: string, type = "application/json") =>
    fetch(`${server.url}${path}`, { method, headers: { "content-type": type }, body });
  try {
    const model = {
      name: "churn",
      task: "binary",
      classes: ["no", "yes"],
      features: [{ name: "tenure", type: "numeric" }],
    };
    assert.equal((await call("POST", "/v1/models", JSON.stringify(model))).status, 201);
    await call("POST", "/v1/models/churn/versions", JSON.stringify({ version: "1" }));
    // 10 rows, 7 predicted right.
    const truth = ["no", "no", "yes", "yes", "no", "yes", "no", "yes", "no", "no"];
    const guess = ["no", "yes", "yes", "no", "no", "yes", "no", "no", "no", "no"];
    const csv = ["tenure,prediction,target", ...truth.map((t, i) => `${i},${guess[i]},${t}`)].join("\n");
    const upload = (await (
      await call("PUT", "/v1/models/churn/versions/1/reference", csv, "text/csv")
    ).json()) as { prediction: string; quality: { metric: string; value: number; labelled: number } };
    assert.equal(upload.prediction, "upload");
    assert.deepEqual(upload.quality, { metric: "accuracy", value: 0.7, labelled: 10 });
    const bare = ["tenure,prediction", ...guess.map((g, i) => `${i},${g}`)].join("\n");
    const none = (await (
      await call("PUT", "/v1/models/churn/versions/1/reference", bare, "text/csv")
    ).json()) as { quality: unknown };
    assert.equal(none.quality, null);
    const { versions } = (await (await fetch(`${server.url}/v1/models/churn/versions`)).json()) as {
      versions: Array<{ referenceQuality: unknown }>;
    };
    assert.equal(versions[0]!.referenceQuality, null, "a new upload without a target replaces the value");
  } finally {
    await server.close();
  }
});
