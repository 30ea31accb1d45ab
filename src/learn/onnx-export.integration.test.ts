import assert from "node:assert/strict";
import { test } from "node:test";
import { checkModel } from "../onnx/checker.js";
import { encodeModel } from "../onnx/encode.js";
import { openSession } from "../onnx/runtime.js";
import { seededRandom } from "../stats/index.js";
import { type LearnTask, OnlineLinearModel } from "./linear-model.js";
import { exportLinearModel, linearInputColumns } from "./onnx-export.js";

for (const task of ["binary", "multiclass", "regression"] as const)
  test(`onnxruntime runs the exported ${task} model and answers as the model does (1e-5)`, async () => {
    const random = seededRandom(21);
    const model = new OnlineLinearModel({
      task: task as LearnTask,
      features: { numeric: ["a", "b", "constant"], categorical: ["c"] },
      ...(task === "regression" ? {} : { classes: task === "binary" ? ["n", "y"] : ["p", "q", "r"] }),
    });
    const rows = Array.from({ length: 500 }, () => {
      const a = random.normal() * 3 + 10;
      const b = random.uniform() < 0.1 ? null : random.normal();
      const c = ["u", "v", "w"][Math.floor(random.uniform() * 3)]!;
      const s = a - 10 + (b ?? 0) + (c === "u" ? 2 : 0);
      const label =
        task === "regression"
          ? s
          : task === "binary"
            ? s > 0
              ? "y"
              : "n"
            : s < -1
              ? "p"
              : s < 1
                ? "q"
                : "r";
      return { row: { a, b, constant: 7, c }, label };
    });
    for (const { row, label } of rows) model.learnRow(row, label);
    const onnx = exportLinearModel(model);
    assert.deepEqual(checkModel(onnx), []);
    const columns = linearInputColumns(model);
    assert.deepEqual(columns.slice(0, 3), ["a", "b", "constant"]);
    // The caller's encoding: raw numeric values (NaN when missing), then one 0/1 column per one-hot value.
    const test = rows.slice(0, 50).map(({ row }) => row);
    const features = new Float32Array(test.length * columns.length);
    test.forEach((row, r) => {
      columns.forEach((name, f) => {
        const value =
          f < 3
            ? ((row as unknown as Record<string, number | null>)[name] ?? Number.NaN)
            : name === `c=${row.c}`
              ? 1
              : 0;
        features[r * columns.length + f] = value;
      });
    });
    const session = await openSession(encodeModel(onnx));
    try {
      const outputs = await session.run({
        features: { data: features, dims: [test.length, columns.length] },
      });
      const [name] = Object.keys(outputs);
      const got = outputs[name!]!.data as Float32Array;
      const width = task === "multiclass" ? 3 : 1;
      test.forEach((row, r) => {
        const expected = model.predictRow(row);
        for (let k = 0; k < width; k++) {
          const want = task === "binary" ? expected[1]! : expected[k]!;
          const tolerance = task === "regression" ? 1e-5 * Math.max(1, Math.abs(want)) : 1e-5;
          assert.ok(
            Math.abs(got[r * width + k]! - want) <= tolerance,
            `row ${r} output ${k}: ${got[r * width + k]} vs ${want}`,
          );
        }
      });
    } finally {
      await session.release();
    }
  });
