import assert from "node:assert/strict";
import { test } from "node:test";
import { checkModel } from "../onnx/checker.js";
import { decodeModel } from "../onnx/decode.js";
import { encodeModel } from "../onnx/encode.js";
import { modelBytes } from "../onnx/models.test.helpers.js";
import { makeNode, makeTensorValueInfo } from "../onnx/node.js";
import { DataType, float32Tensor, tensorToFloat32 } from "../onnx/tensor.js";
import type { OnnxModel } from "../onnx/types.js";
import { seededRandom } from "../stats/index.js";
import { createMlp, mlpPredict } from "../train/index.js";
import { exportMlp } from "./mlp-export.js";
import { extractMlp, writeMlpWeights } from "./mlp-graph.js";
import { pruneHiddenUnits, structuredPruneModel } from "./structured-prune.js";

test("the bundled MLPs are recognised with their normalisation prefix and Softmax suffix; the CNN is not", () => {
  const digits = extractMlp(decodeModel(modelBytes("digits_mlp")));
  assert.ok(digits.ok);
  assert.deepEqual(
    digits.graph.mlp.layers.map((l) => [l.inputs, l.outputs, l.activation]),
    [
      [64, 512, "relu"],
      [512, 512, "relu"],
      [512, 10, "identity"],
    ],
  );
  assert.equal(digits.graph.prefix.length, 0);
  assert.equal(digits.graph.logits, "logits");

  const cancer = extractMlp(decodeModel(modelBytes("breast_cancer_mlp")));
  assert.ok(cancer.ok);
  assert.deepEqual(
    cancer.graph.prefix.map((n) => n.opType),
    ["Sub", "Div"],
  );
  assert.deepEqual(
    cancer.graph.suffix.map((n) => n.opType),
    ["Softmax"],
  );
  assert.equal(cancer.graph.logits, "/0/0.5/Gemm_output_0");
  assert.equal(cancer.graph.output, "probabilities");

  const bike = extractMlp(decodeModel(modelBytes("bike_mlp")));
  assert.ok(bike.ok);
  assert.deepEqual(
    bike.graph.mlp.layers.map((l) => l.outputs),
    [64, 64, 1],
  );
  assert.equal(bike.graph.layerInput, "/0/Div_output_0");

  assert.deepEqual(extractMlp(decodeModel(modelBytes("digits_cnn"))), {
    ok: false,
    reason: "not an MLP: Conv",
  });
});

/** y = relu(x·A + c)·D + e written as MatMul + Add (weights [in, out]), as some exporters do. */
function matMulModel(): OnnxModel {
  const rng = seededRandom(3);
  const a = Float32Array.from(rng.normals(4 * 3));
  const d = Float32Array.from(rng.normals(3 * 2));
  return {
    irVersion: 8,
    graph: {
      node: [
        makeNode({ opType: "MatMul", inputs: ["x", "A"], outputs: ["h0"], name: "mm0" }),
        makeNode({ opType: "Add", inputs: ["h0", "c"], outputs: ["h1"], name: "add0" }),
        makeNode({ opType: "Tanh", inputs: ["h1"], outputs: ["h2"], name: "tanh0" }),
        makeNode({ opType: "MatMul", inputs: ["h2", "D"], outputs: ["h3"], name: "mm1" }),
        makeNode({ opType: "Add", inputs: ["h3", "e"], outputs: ["y"], name: "add1" }),
      ],
      name: "matmul_mlp",
      initializer: [
        float32Tensor("A", [4, 3], a),
        float32Tensor("c", [3], Float32Array.of(0.1, 0.2, 0.3)),
        float32Tensor("D", [3, 2], d),
        float32Tensor("e", [1, 2], Float32Array.of(-1, 1)),
      ],
      input: [makeTensorValueInfo("x", DataType.FLOAT, ["n", 4])],
      output: [makeTensorValueInfo("y", DataType.FLOAT, ["n", 2])],
      valueInfo: [],
      metadataProps: [],
      rawFields: [],
    },
    opsetImport: [{ domain: "", version: 13, rawFields: [] }],
    metadataProps: [],
    rawFields: [],
  };
}

test("MatMul + Add layers are read transposed into the trainer's [out, in] layout and written back as they were", () => {
  const model = matMulModel();
  const found = extractMlp(model);
  assert.ok(found.ok);
  const [first, second] = found.graph.mlp.layers;
  assert.equal(first!.activation, "tanh");
  assert.equal(second!.activation, "identity");
  const a = tensorToFloat32(model.graph!.initializer[0]!);
  // A is [in 4, out 3]: A[i][o] is weight[o * 4 + i].
  assert.equal(first!.weight[2 * 4 + 1], a[1 * 3 + 2]);
  const rewritten = writeMlpWeights(model, found.graph, found.graph.mlp);
  assert.deepEqual(encodeModel(rewritten), encodeModel(model));
  // Pruned to one hidden unit: A [4, 1], c [1], D [1, 2], e keeps its rank.
  const pruned = writeMlpWeights(model, found.graph, pruneHiddenUnits(found.graph.mlp, 0.7).mlp);
  assert.deepEqual(
    pruned.graph!.initializer.map((t) => t.dims),
    [[4, 1], [1], [1, 2], [1, 2]],
  );
  assert.deepEqual(checkModel(pruned), []);
});

test("graphs that are not a plain chain are refused with the reason", () => {
  const model = matMulModel();
  const graph = model.graph!;
  const branch = {
    ...graph,
    node: [
      ...graph.node.slice(0, 4),
      makeNode({ opType: "Add", inputs: ["h3", "h2"], outputs: ["y"], name: "skip" }),
    ],
  };
  const skip = extractMlp({ ...model, graph: branch });
  assert.equal(skip.ok, false);
  const extra = {
    ...graph,
    node: [...graph.node, makeNode({ opType: "Relu", inputs: ["h1"], outputs: ["z"], name: "side" })],
  };
  assert.deepEqual(extractMlp({ ...model, graph: extra }), {
    ok: false,
    reason: 'not an MLP: tensor "h1" is read by more than one node',
  });
});

test("structured pruning rewrites every Gemm's initializers consistently and keeps the graph valid", () => {
  const model = decodeModel(modelBytes("digits_mlp"));
  const result = structuredPruneModel(model, 0.7);
  assert.ok(result.ok);
  const dims = new Map(result.model.graph!.initializer.map((t) => [t.name, t.dims]));
  assert.deepEqual(dims.get("0.weight"), [154, 64]);
  assert.deepEqual(dims.get("0.bias"), [154]);
  assert.deepEqual(dims.get("2.weight"), [154, 154]);
  assert.deepEqual(dims.get("2.bias"), [154]);
  assert.deepEqual(dims.get("4.weight"), [10, 154]);
  assert.deepEqual(dims.get("4.bias"), [10]);
  assert.deepEqual(checkModel(result.model), []);
  const again = extractMlp(result.model);
  assert.ok(again.ok);
  assert.deepEqual(
    again.graph.mlp.layers.map((l) => [l.inputs, l.outputs]),
    [
      [64, 154],
      [154, 154],
      [154, 10],
    ],
  );
  assert.deepEqual(structuredPruneModel(decodeModel(modelBytes("digits_cnn")), 0.7), {
    ok: false,
    reason: "not an MLP: Conv",
  });
});

test("an exported MLP is a valid Gemm chain with the prefix kept; a rank-4 input gets a Flatten", () => {
  const mlp = createMlp({ sizes: [64, 32, 10] }, seededRandom(1));
  const plain = exportMlp(mlp, { input: { name: "input", shape: [-1, 64] }, output: "logits" });
  assert.deepEqual(checkModel(plain), []);
  assert.deepEqual(
    plain.graph!.node.map((n) => n.opType),
    ["Gemm", "Relu", "Gemm"],
  );
  const image = exportMlp(mlp, { input: { name: "image", shape: [-1, 1, 8, 8] }, output: "logits" });
  assert.deepEqual(checkModel(image), []);
  assert.equal(image.graph!.node[0]!.opType, "Flatten");
  assert.throws(() => exportMlp(mlp, { input: { name: "x", shape: [-1, 30] }, output: "y" }), RangeError);
  const round = extractMlp(plain);
  assert.ok(round.ok);
  const x = Float32Array.from(seededRandom(2).normals(3 * 64));
  assert.deepEqual(mlpPredict(round.graph.mlp, x, 3), mlpPredict(mlp, x, 3));
});
