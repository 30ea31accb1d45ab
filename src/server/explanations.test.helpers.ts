import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { permutationImportance } from "../explain/index.js";
import { repoPath } from "../testing/paths.js";
import { seededRandom } from "../testing/random.js";

/**
 * The breast-cancer monitoring fixture shared by the explanations tests (integration and browser):
 * a binary model "cancer" with the 30 measurements of data/breast_cancer/ and classes ["0", "1"]
 * (0 = malignant, 1 = benign: the MLP's second output is P(benign), models/README.md), version "1"
 * with models/breast_cancer_mlp.onnx, the even rows uploaded as its reference (with target), and the
 * odd rows ingested twice as events with the model's own predictions and then their labels:
 *
 * - window A (`windowA`): the odd rows as they are;
 * - window B (`windowB`, an hour later): the same rows with `blinded` — the feature a direct
 *   permutation run on all 569 rows finds most important — replaced by its mean in every event.
 *
 * A last unlabelled event a day later closes both windows (event-time clock), so they are final.
 */

/** Start of window A (an hour boundary, the default window). */
export const WINDOW_A = Date.UTC(2024, 2, 1, 10);
/** Start of window B. */
export const WINDOW_B = WINDOW_A + 3_600_000;
/** Start of the window of the last event (one event, no label). */
export const WINDOW_LAST = WINDOW_A + 86_400_000;

export interface CancerData {
  /** The 30 feature names, in the model's input order. */
  readonly names: readonly string[];
  /** Rows of 30 features. */
  readonly features: readonly number[][];
  /** 0 (malignant) or 1 (benign). */
  readonly targets: readonly number[];
}

/** data/breast_cancer/breast_cancer.csv. */
export function loadCancer(): CancerData {
  const [header, ...lines] = readFileSync(repoPath("data", "breast_cancer", "breast_cancer.csv"), "utf8")
    .trim()
    .split("\n");
  const names = header!.split(",");
  assert.equal(names.at(-1), "target");
  const rows = lines.map((line) => line.split(",").map(Number));
  return {
    names: names.slice(0, -1),
    features: rows.map((r) => r.slice(0, -1)),
    targets: rows.map((r) => r.at(-1)!),
  };
}

/** Whether onnxruntime-node loads here (the tests skip without it). */
export async function onnxRuntime(): Promise<typeof import("onnxruntime-node") | null> {
  try {
    return await import("onnxruntime-node");
  } catch {
    return null;
  }
}

/** The MLP's class probabilities [P(malignant), P(benign)] of each row, run directly through onnxruntime. */
async function probabilities(ort: typeof import("onnxruntime-node"), rows: readonly number[][]) {
  const session = await ort.InferenceSession.create(
    readFileSync(repoPath("models", "breast_cancer_mlp.onnx")),
  );
  try {
    const input = Float32Array.from(rows.flat());
    const out = await session.run({ features: new ort.Tensor("float32", input, [rows.length, 30]) });
    const p = out.probabilities!.data as Float32Array;
    return rows.map((_, i) => [p[2 * i]!, p[2 * i + 1]!] as const);
  } finally {
    await session.release();
  }
}

/**
 * The feature ranking of the direct test (src/explain/onnx-permutation.integration.test.ts): permutation
 * importance by log loss over all 569 rows, seed 1, five repeats — computed here, not copied.
 */
async function directRanking(ort: typeof import("onnxruntime-node"), data: CancerData): Promise<string[]> {
  const session = await ort.InferenceSession.create(
    readFileSync(repoPath("models", "breast_cancer_mlp.onnx")),
  );
  try {
    const result = await permutationImportance(
      {
        columns: data.names.map((_, j) => Float64Array.from(data.features, (r) => r[j]!)),
        labels: Float64Array.from(data.targets),
        names: data.names,
      },
      async (rows, n, features) => {
        const out = await session.run({
          features: new ort.Tensor("float32", rows as Float32Array, [n, features]),
        });
        const p = out.probabilities!.data as Float32Array;
        return Float64Array.from({ length: n }, (_, i) => p[2 * i + 1]!);
      },
      { scoring: "neg_log_loss", dtype: "float32", repeats: 5, random: seededRandom(1).uniform },
    );
    return result.ranking.map((j) => data.names[j]!);
  } finally {
    await session.release();
  }
}

/** What {@link setUpCancer} made. */
export interface CancerFixture {
  readonly data: CancerData;
  /** The direct run's ranking, most important first. */
  readonly direct: readonly string[];
  /** The feature replaced by a constant in window B. */
  readonly blinded: string;
  readonly referenceRows: number;
  /** Labelled events in each of windows A and B. */
  readonly windowRows: number;
}

/** Sends a request to the server and insists on a 2xx answer. */
async function send(url: string, method: string, path: string, body: string, type: string): Promise<unknown> {
  const response = await fetch(`${url}${path}`, { method, headers: { "content-type": type }, body });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text);
}

/** Registers the cancer model on a running server (clock "event") and feeds it as described above. */
export async function setUpCancer(
  url: string,
  ort: typeof import("onnxruntime-node"),
): Promise<CancerFixture> {
  const data = loadCancer();
  assert.equal(data.names.length, 30);
  const direct = await directRanking(ort, data);
  const blinded = direct[0]!;
  await send(
    url,
    "POST",
    "/v1/models",
    JSON.stringify({
      name: "cancer",
      task: "binary",
      classes: ["0", "1"],
      features: data.names.map((name) => ({ name, type: "numeric" })),
    }),
    "application/json",
  );
  const onnx = readFileSync(repoPath("models", "breast_cancer_mlp.onnx")).toString("base64");
  await send(
    url,
    "POST",
    "/v1/models/cancer/versions",
    JSON.stringify({ version: "1", onnx }),
    "application/json",
  );

  const even = data.features.map((_, i) => i).filter((i) => i % 2 === 0);
  const odd = data.features.map((_, i) => i).filter((i) => i % 2 === 1);
  // With the model's predictions: a classifier's reference without a prediction column is refused
  // (parseReferenceColumns asks the CSV parser for it as a text column).
  const referenceP = await probabilities(
    ort,
    even.map((i) => data.features[i]!),
  );
  const csv = [
    [...data.names, "prediction", "target"].join(","),
    ...even.map((i, k) =>
      [...data.features[i]!, referenceP[k]![1] > referenceP[k]![0] ? 1 : 0, data.targets[i]!].join(","),
    ),
  ].join("\n");
  await send(url, "PUT", "/v1/models/cancer/versions/1/reference", csv, "text/csv");

  const column = data.names.indexOf(blinded);
  const mean = odd.reduce((s, i) => s + data.features[i]![column]!, 0) / odd.length;
  const ingest = async (prefix: string, startMs: number, blind: boolean) => {
    const rows = odd.map((i) => {
      const row = [...data.features[i]!];
      if (blind) row[column] = mean;
      return row;
    });
    const p = await probabilities(ort, rows);
    const events = rows.map((row, k) =>
      JSON.stringify({
        id: `${prefix}-${odd[k]}`,
        time: startMs + k * 1000,
        version: "1",
        features: Object.fromEntries(data.names.map((name, j) => [name, row[j]])),
        prediction: p[k]![1] > p[k]![0] ? "1" : "0",
        scores: [p[k]![0], p[k]![1]],
      }),
    );
    await send(url, "POST", "/v1/models/cancer/events", events.join("\n"), "application/x-ndjson");
    const labels = odd.map((i, k) =>
      JSON.stringify({ id: `${prefix}-${i}`, value: String(data.targets[i]), time: startMs + k * 1000 }),
    );
    const answer = (await send(
      url,
      "POST",
      "/v1/models/cancer/labels",
      labels.join("\n"),
      "application/x-ndjson",
    )) as { accepted: number };
    assert.equal(answer.accepted, odd.length);
  };
  await ingest("a", WINDOW_A, false);
  await ingest("b", WINDOW_B, true);
  await send(
    url,
    "POST",
    "/v1/models/cancer/events",
    JSON.stringify({
      id: "last",
      time: WINDOW_LAST,
      version: "1",
      features: Object.fromEntries(data.names.map((name, j) => [name, data.features[0]![j]])),
      prediction: "0",
    }),
    "application/x-ndjson",
  );
  return { data, direct, blinded, referenceRows: even.length, windowRows: odd.length };
}
