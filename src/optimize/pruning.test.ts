import assert from "node:assert/strict";
import { test } from "node:test";
import { seededRandom } from "../stats/index.js";
import { applyMask, globalMagnitudeMasks, magnitudeMask, pruneCount } from "./magnitude-pruning.js";
import { sparseSizes } from "./sparse-size.js";
import { keepHiddenUnits, keptUnits, neuronScores, selectColumns, selectRows } from "./structured-pruning.js";

test("prune counts: round half to even of sparsity × n, as torch", () => {
  assert.equal(pruneCount(10, 0.7), 7);
  assert.equal(pruneCount(5, 0.5), 2);
  assert.equal(pruneCount(7, 0.5), 4);
  assert.throws(() => pruneCount(10, 1.5), RangeError);
});

test("magnitude mask: the smallest |w| go; ties go in index order, the count is exact", () => {
  assert.deepEqual([...magnitudeMask(new Float32Array([0.5, -0.1, 0.3, 0.1]), 0.5)], [1, 0, 1, 0]);
  assert.deepEqual([...magnitudeMask(new Float32Array([1, -1, 1, 1]), 0.5)], [0, 0, 1, 1]);
  const w = Float32Array.from(seededRandom(5).normals(1000)).map((v) => Math.round(v * 4) / 4); // many ties
  const mask = magnitudeMask(w, 0.7);
  assert.equal(
    mask.reduce((a, b) => a + b, 0),
    300,
  );
  let maxPruned = 0;
  let minKept = Number.POSITIVE_INFINITY;
  for (let i = 0; i < w.length; i++) {
    if (mask[i]) minKept = Math.min(minKept, Math.abs(w[i]!));
    else maxPruned = Math.max(maxPruned, Math.abs(w[i]!));
  }
  assert.ok(maxPruned <= minKept);
  assert.deepEqual([...applyMask(new Float32Array([0.5, -0.1]), Uint8Array.of(1, 0))], [0.5, 0]);
});

test("global masks: one threshold across layers, so small-weight layers lose more", () => {
  const [a, b] = globalMagnitudeMasks([new Float32Array([0.1, 0.2, 3]), new Float32Array([5, 6, 0.15])], 0.5);
  // 6 weights, 3 pruned: 0.1, 0.15, 0.2.
  assert.deepEqual([...a!], [0, 0, 1]);
  assert.deepEqual([...b!], [1, 1, 0]);
  // Per layer, each would lose round(1.5) = 2.
  assert.deepEqual([...magnitudeMask(new Float32Array([5, 6, 0.15]), 0.5)], [0, 1, 0]);
});

test("neuron scores: L2 and L1 of the unit's incoming row, optionally with bias and outgoing column", () => {
  const w1 = new Float32Array([3, 4, 1, 0]); // [hidden 2, in 2]
  assert.deepEqual([...neuronScores(w1, 2)], [5, 1]);
  assert.deepEqual([...neuronScores(w1, 2, { norm: "l1" })], [7, 1]);
  const outgoing = { weights: new Float32Array([0, 10]), rows: 1 }; // W2 [1, 2]
  assert.deepEqual([...neuronScores(w1, 2, { outgoing })], [5, Math.sqrt(101)]);
  assert.deepEqual([...neuronScores(w1, 2, { norm: "l1", outgoing, bias: [1, -2] })], [8, 13]);
});

test("kept units: highest scores, ties to the lower index, returned ascending", () => {
  assert.deepEqual([...keptUnits([5, 1, 5, 3], 2)], [0, 2]);
  assert.deepEqual([...keptUnits([1, 2, 2, 2], 2)], [1, 2]);
  // 70% of 4 hidden units removed: 1.2 → 1 kept.
  assert.deepEqual([...keepHiddenUnits(new Float32Array([3, 4, 1, 0, 0, 1, 2, 2]), 4, 0.7)], [0]);
});

test("structured pruning drops the weakest unit; a dead unit's removal leaves the MLP output unchanged", () => {
  // x [2]; W1 [3, 2], b1 [3]; W2 [1, 3]. Unit 1 has small weights and no outgoing weight.
  const w1 = new Float32Array([1, 2, 0.1, -0.1, 0.5, 0.5]);
  const b1 = new Float32Array([0, 0.05, -0.25]);
  const w2 = new Float32Array([2, 0, -1]);
  const x = [1, 2];
  const forward = (w1: Float32Array, b1: Float32Array, w2: Float32Array, hidden: number) => {
    let y = 0;
    for (let h = 0; h < hidden; h++) {
      const z = w1[h * 2]! * x[0]! + w1[h * 2 + 1]! * x[1]! + b1[h]!;
      y += w2[h]! * Math.max(0, z);
    }
    return y;
  };
  // By hand: pre-activations 5, −0.05, 1.25 → 2·5 + 0 − 1·1.25 = 8.75.
  assert.equal(forward(w1, b1, w2, 3), 8.75);
  // L2 scores with bias and outgoing weight: 3, √0.0225 = 0.15, 1.25; keep 2 of 3.
  const kept = keepHiddenUnits(w1, 3, 1 / 3, { bias: b1, outgoing: { weights: w2, rows: 1 } });
  assert.deepEqual([...kept], [0, 2]);
  const y = forward(selectRows(w1, 2, kept), selectRows(b1, 1, kept), selectColumns(w2, 3, kept), 2);
  assert.equal(y, 8.75);
});

test("sparse sizes: dense, bitmask, CSR and ONNX's int64 COO, index overhead included", () => {
  const w = new Float32Array(100);
  w.fill(1, 0, 30);
  assert.deepEqual(sparseSizes(w, { rows: 10 }), {
    elements: 100,
    nonZero: 30,
    dense: 400,
    bitmask: 13 + 120,
    csr: 11 * 4 + 30 * 8,
    onnxCoo: 30 * 12,
  });
});
