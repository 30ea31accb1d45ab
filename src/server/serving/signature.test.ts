import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import {
  DataType,
  decodeModel,
  encodeModel,
  makeNode,
  makeTensorValueInfo,
  openSession,
  type ValueDescription,
} from "../../onnx/index.js";
import { repoPath } from "../../testing/paths.js";
import { bindSignature, feedsFor, type SignatureSchema, scoresOf } from "./signature.js";

/** Binding exporters' signatures to a schema; fed and read through real onnxruntime sessions. */

const tensor = (name: string, type: string, shape: (number | string)[]): ValueDescription => ({
  name,
  isTensor: true,
  type,
  shape,
});
const schema: SignatureSchema = { features: ["a", "b", "c"], task: "multiclass", classes: ["x", "y"] };

test("one matrix input of the schema's width; scores preferred over an int64 label (scikit-learn's pair)", () => {
  const bound = bindSignature(
    [tensor("X", "float64", ["N", 3])],
    [tensor("label", "int64", ["N"]), tensor("probabilities", "float32", ["N", 2])],
    schema,
  );
  assert.deepEqual(bound, {
    input: { kind: "matrix", name: "X", type: "float64" },
    output: { name: "probabilities", kind: "scores" },
  });
});

test("per-feature inputs bind by name in schema order whatever their declared order", () => {
  const bound = bindSignature(
    [tensor("c", "int64", ["N", 1]), tensor("a", "float32", ["N"]), tensor("b", "float64", ["N", 1])],
    [tensor("scores", "float32", ["N", 2])],
    schema,
  );
  assert.ok(typeof bound !== "string");
  const feeds = feedsFor(bound, Float32Array.of(1, 2, 3.4, 4, 5, 6.6), 2, 3);
  assert.deepEqual([...(feeds.a!.data as Float32Array)], [1, 4]);
  assert.deepEqual(feeds.a!.dims, [2]);
  assert.deepEqual([...(feeds.b!.data as Float64Array)], [2, 5]);
  assert.deepEqual([...(feeds.c!.data as BigInt64Array)], [3n, 7n], "int64 codes are rounded");
  assert.deepEqual(feeds.c!.dims, [2, 1]);
});

test("what cannot be bound is named: width, missing and extra inputs, strings, ZipMap, class count", () => {
  const problem = (inputs: ValueDescription[], outputs: ValueDescription[], s = schema) => {
    const bound = bindSignature(inputs, outputs, s);
    assert.equal(typeof bound, "string");
    return bound as string;
  };
  const scores = [tensor("p", "float32", ["N", 2])];
  assert.match(problem([tensor("X", "float32", ["N", 4])], scores), /\[rows, 3\]/);
  assert.match(
    problem([tensor("a", "float32", ["N"]), tensor("b", "float32", ["N"])], scores),
    /no input for "c"/,
  );
  assert.match(
    problem(
      [
        tensor("a", "float32", ["N"]),
        tensor("b", "float32", ["N"]),
        tensor("c", "float32", ["N"]),
        tensor("d", "float32", ["N"]),
      ],
      scores,
    ),
    /not in the schema: "d"/,
  );
  assert.match(problem([tensor("X", "string", ["N", 3])], scores), /string tensor; serving feeds numeric/);
  assert.match(
    problem(
      [tensor("X", "float32", ["N", 3])],
      [tensor("label", "int64", ["N"]), { name: "probabilities", isTensor: false, shape: [] }],
    ),
    /ZipMap.*zipmap/,
  );
  assert.match(
    problem([tensor("X", "float32", ["N", 3])], [tensor("p", "float32", ["N", 3])]),
    /2 scores per row/,
  );
  assert.match(
    problem([tensor("X", "float32", ["N", 3])], [tensor("p", "float32", ["N", 2])], {
      features: ["a", "b", "c"],
      task: "regression",
    }),
    /one float value per row/,
  );
});

test("a binary model's single probability column answers as [1 − p, p]", () => {
  const bound = bindSignature([tensor("X", "float32", ["N", 3])], [tensor("prob", "float32", ["N", 1])], {
    features: ["a", "b", "c"],
    task: "binary",
    classes: ["0", "1"],
  });
  assert.ok(typeof bound !== "string");
  assert.equal(bound.output.kind, "positive");
  const scores = scoresOf(
    bound,
    { prob: { type: "float32", data: Float32Array.of(0.25, 1), dims: [2, 1] } },
    2,
  );
  assert.deepEqual(Array.from(scores), [0.75, 0.25, 0, 1]);
});

test("onnxruntime: the breast-cancer MLP behind 30 per-feature float64 inputs answers as the matrix model does", async () => {
  const original = new Uint8Array(readFileSync(repoPath("models", "breast_cancer_mlp.onnx")));
  const model = decodeModel(original);
  const graph = model.graph!;
  const input = graph.input[0]!;
  const names = Array.from({ length: 30 }, (_, i) => `f${i}`);
  // Per-feature double inputs → Cast to float → Concat on axis 1 → the original graph's input name.
  graph.node.unshift(
    ...names.map((n) =>
      makeNode({ opType: "Cast", inputs: [n], outputs: [`${n}_f`], attributes: { to: DataType.FLOAT } }),
    ),
    makeNode({
      opType: "Concat",
      inputs: names.map((n) => `${n}_f`),
      outputs: [input.name!],
      attributes: { axis: 1 },
    }),
  );
  graph.input = names.map((n) => makeTensorValueInfo(n, DataType.DOUBLE, ["N", 1]));
  const columns = await openSession(encodeModel(model));
  const matrix = await openSession(original);
  try {
    const s = { features: names, task: "binary" as const, classes: ["0", "1"] };
    const a = bindSignature(columns.inputs, columns.outputs, s);
    const b = bindSignature(matrix.inputs, matrix.outputs, s);
    assert.ok(typeof a !== "string" && typeof b !== "string", String(a));
    assert.equal(a.input.kind, "columns");
    assert.equal(b.input.kind, "matrix");
    const csv = readFileSync(repoPath("data", "breast_cancer", "breast_cancer.csv"), "utf8")
      .trim()
      .split("\n");
    const rows = csv.slice(1, 21).map((l) => l.split(",").slice(0, 30).map(Number));
    const data = Float32Array.from(rows.flat());
    const outA = scoresOf(a, await columns.run(feedsFor(a, data, 20, 30), [a.output.name]), 20);
    const outB = scoresOf(b, await matrix.run(feedsFor(b, data, 20, 30), [b.output.name]), 20);
    assert.equal(outA.length, 40);
    for (let i = 0; i < 40; i++) assert.ok(Math.abs(Number(outA[i]) - Number(outB[i])) < 1e-6, `score ${i}`);
  } finally {
    await columns.release();
    await matrix.release();
  }
});
