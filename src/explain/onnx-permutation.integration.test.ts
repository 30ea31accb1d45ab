import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { repoPath } from "../testing/paths.js";
import { seededRandom } from "../testing/random.js";
import { type BatchPredict, type ExplainData, permutationImportance } from "./index.js";

/**
 * Permutation importance end to end through onnxruntime-node: models/breast_cancer_mlp.onnx (an MLP
 * with its own standardisation, float32 [n, 30] in → softmax probabilities [n, 2] out) on the 569 rows
 * it was trained and tested on (data/breast_cancer/). What the model relies on is not known in advance,
 * so the assertions are the ones that hold for any sound implementation: the model is fed correctly
 * (its accuracy), the importances are finite and some clearly positive, the result is reproducible and
 * independent of batching, and a feature the model cannot see scores exactly 0.
 */

function loadBreastCancer(): ExplainData {
  const [header, ...lines] = readFileSync(repoPath("data", "breast_cancer", "breast_cancer.csv"), "utf8")
    .trim()
    .split("\n");
  const names = header!.split(",");
  assert.equal(names.at(-1), "target");
  const d = names.length - 1;
  const rows = lines.map((line) => line.split(",").map(Number));
  return {
    columns: Array.from({ length: d }, (_, j) => Float64Array.from(rows, (r) => r[j]!)),
    labels: Float64Array.from(rows, (r) => r[d]!),
    names: names.slice(0, d),
  };
}

test("permutation importance of the breast-cancer MLP through onnxruntime-node", async (t) => {
  let ort: typeof import("onnxruntime-node");
  try {
    ort = await import("onnxruntime-node");
  } catch {
    t.skip("onnxruntime-node is not installed");
    return;
  }
  const data = loadBreastCancer();
  assert.equal(data.columns.length, 30);
  assert.equal(data.labels.length, 569);
  const session = await ort.InferenceSession.create(
    readFileSync(repoPath("models", "breast_cancer_mlp.onnx")),
  );
  try {
    let calls = 0;
    /** P(benign), the second softmax output, for n rows of the float32 matrix. */
    const predict: BatchPredict = async (rows, n, features) => {
      calls++;
      assert.ok(rows instanceof Float32Array, "the float32 matrix reaches onnxruntime without a copy");
      const out = await session.run({ features: new ort.Tensor("float32", rows, [n, features]) });
      const probabilities = out.probabilities!.data as Float32Array;
      return Float64Array.from({ length: n }, (_, i) => probabilities[2 * i + 1]!);
    };

    const options = { scoring: "neg_log_loss", dtype: "float32", repeats: 5 } as const;
    const result = await permutationImportance(data, predict, {
      ...options,
      random: seededRandom(1).uniform,
    });
    assert.equal(calls, 1 + 30 * 5);
    assert.equal(result.rows, 569);
    // The model is fed in the right column order: its log loss is that of a 0.99-accurate classifier.
    assert.ok(result.baseline > -0.1, `baseline log loss ${-result.baseline}`);
    for (const f of result.importances) {
      assert.ok(Number.isFinite(f.mean) && Number.isFinite(f.std), `${f.name}: ${f.mean} ± ${f.std}`);
    }
    const top = result.importances[result.ranking[0]!]!;
    const median = result.importances[result.ranking[15]!]!.mean;
    t.diagnostic(
      `top 5: ${result.ranking
        .slice(0, 5)
        .map((j) => `${result.importances[j]!.name} ${result.importances[j]!.mean.toFixed(4)}`)
        .join(", ")}; median ${median.toFixed(4)}`,
    );
    assert.ok(
      top.mean > 0.01 && top.mean > 3 * top.std,
      `${top.name} clearly matters: ${top.mean} ± ${top.std}`,
    );
    assert.ok(
      top.mean > 2 * median,
      `${top.name} (${top.mean}) matters more than the median feature (${median})`,
    );

    // The same seed in slices of 128 rows: the same result.
    const batched = await permutationImportance(data, predict, {
      ...options,
      random: seededRandom(1).uniform,
      batchRows: 128,
    });
    assert.deepEqual(batched, result);

    // Blind the model to the top feature (its mean always fed instead): that feature now scores 0 exactly.
    const j = top.feature;
    const column = data.columns[j]!;
    const mean = column.reduce((s, v) => s + v, 0) / column.length;
    const blind: BatchPredict = (rows, n, features) => {
      const copy = Float32Array.from(rows);
      for (let i = 0; i < n; i++) copy[i * features + j] = mean;
      return predict(copy, n, features);
    };
    const blinded = await permutationImportance(data, blind, { ...options, random: seededRandom(2).uniform });
    assert.deepEqual(blinded.importances[j]!.drops, [0, 0, 0, 0, 0]);
    assert.equal(blinded.importances[j]!.std, 0);
  } finally {
    await session.release();
  }
});
