import { readFileSync } from "node:fs";
import { repoPath } from "../testing/paths.js";
import { makeNode, makeTensorValueInfo } from "./node.js";
import { DataType } from "./tensor.js";
import type { GraphProto, OnnxModel } from "./types.js";

/** The four bundled models (models/models.json describes them). */
export const modelNames = ["bike_mlp", "breast_cancer_mlp", "digits_mlp", "digits_cnn"] as const;

/** A bundled model's bytes. */
export function modelBytes(name: (typeof modelNames)[number]): Uint8Array {
  return new Uint8Array(readFileSync(repoPath("models", `${name}.onnx`)));
}

/** The first `rows` rows of data/digits/digits.csv as the models' input (pixel / 16), and labels. */
export function digitsRows(rows: number): { pixels: Float32Array; labels: number[] } {
  const lines = readFileSync(repoPath("data", "digits", "digits.csv"), "utf8")
    .trim()
    .split("\n");
  const header = lines[0]!.split(",");
  const target = header.indexOf("target");
  const pixels = new Float32Array(rows * 64);
  const labels: number[] = [];
  for (let r = 0; r < rows; r++) {
    const cells = lines[r + 1]!.split(",").map(Number);
    let k = 0;
    cells.forEach((v, c) => {
      if (c !== target) pixels[r * 64 + k++] = v / 16;
    });
    labels.push(cells[target]!);
  }
  return { pixels, labels };
}

/**
 * A model built here, with a signature none of the bundled ones has: y = float(ids) + x, with ids
 * int64 ["n"] and x float32 ["n"]; IR 8, opset 13.
 */
export function castAddModel(): OnnxModel {
  const graph: GraphProto = {
    node: [
      makeNode({
        opType: "Cast",
        inputs: ["ids"],
        outputs: ["ids_f"],
        name: "cast",
        attributes: { to: DataType.FLOAT },
      }),
      makeNode({ opType: "Add", inputs: ["ids_f", "x"], outputs: ["y"], name: "add" }),
    ],
    name: "cast_add",
    initializer: [],
    input: [
      makeTensorValueInfo("ids", DataType.INT64, ["n"]),
      makeTensorValueInfo("x", DataType.FLOAT, ["n"]),
    ],
    output: [makeTensorValueInfo("y", DataType.FLOAT, ["n"])],
    valueInfo: [],
    metadataProps: [],
    rawFields: [],
  };
  return {
    irVersion: 8,
    producerName: "tiktoktoe-test",
    graph,
    opsetImport: [{ domain: "", version: 13, rawFields: [] }],
    metadataProps: [],
    rawFields: [],
  };
}
