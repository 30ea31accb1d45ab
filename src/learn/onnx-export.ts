import { makeNode, makeTensorValueInfo } from "../onnx/node.js";
import { DataType, float32Tensor } from "../onnx/tensor.js";
import type { NodeProto, OnnxModel } from "../onnx/types.js";
import type { OnlineLinearModel } from "./linear-model.js";

/**
 * The exported model's input, in the order its `features` columns must come: every coordinate of
 * the model but the bias. Numeric columns hold raw values (NaN for missing: the graph fills the
 * running mean); each hash bucket and each one-hot (column, value) is a 0/1 indicator column,
 * 1 when the row's value maps to it. Encoding the categories is the caller's job — the model's
 * {@link FeatureEncoder} (or `coordinateNames()`) gives the layout.
 *
 * @example
 * ```ts
 * linearInputColumns(model); // ["age", "hours", "sex=Male", "sex=Female", …]
 * ```
 */
export function linearInputColumns(model: OnlineLinearModel): string[] {
  return model.encoder.coordinateNames().slice(1);
}

/**
 * Writes a fitted linear / logistic / softmax model as ONNX (IR 8, opset 13), built with the
 * project's own codec. Input `features` float32 [N, F] ({@link linearInputColumns}); the graph:
 * `Where(IsNaN(x), mean, x)`, `Sub(mean)`, `Mul(1/sd)` (0 for a numeric column without spread so far,
 * as the model reads it; mean 0 and scale 1 for indicators), `Gemm(W, b, transB = 1)`, then
 * `Sigmoid` → `probability` [N, 1] (binary, of the second class), `Softmax(axis = 1)` →
 * `probabilities` [N, K] (multiclass), or `prediction` [N, 1] (regression). Metadata: `classes` and
 * `feature_names` as JSON.
 *
 * @example
 * ```ts
 * const bytes = encodeModel(exportLinearModel(model));
 * ```
 */
export function exportLinearModel(model: OnlineLinearModel): OnnxModel {
  const { coef, outputs: K, coordinates } = model.weights();
  const F = coordinates - 1;
  const p = model.encoder.numericCount;
  const { mean, scale } = model.standardization();
  const center = new Float32Array(F);
  const inverseScale = new Float32Array(F).fill(1);
  for (let j = 0; j < p; j++) {
    center[j] = mean[j]!;
    // A column without spread so far contributes 0 in the model (see OnlineLinearModel.gather).
    inverseScale[j] = scale[j]! > 0 ? 1 / scale[j]! : 0;
  }
  const weight = new Float32Array(K * F);
  const bias = new Float32Array(K);
  // Regression learns the target standardised: ŷ = μ_y + σ_y·(b + w·x), folded into W and b.
  const regression = model.task === "regression";
  const yScale = regression ? model.targetScale() : 1;
  const yCenter = regression ? model.targetCenter() : 0;
  for (let k = 0; k < K; k++) {
    bias[k] = yCenter + yScale * coef[k]!;
    for (let f = 0; f < F; f++) weight[k * F + f] = yScale * coef[(f + 1) * K + k]!;
  }
  const linearOutput = model.task === "regression" ? "prediction" : "logits";
  const nodes: NodeProto[] = [
    makeNode({ opType: "IsNaN", inputs: ["features"], outputs: ["missing"], name: "missing" }),
    makeNode({
      opType: "Where",
      inputs: ["missing", "center", "features"],
      outputs: ["filled"],
      name: "fill",
    }),
    makeNode({ opType: "Sub", inputs: ["filled", "center"], outputs: ["centered"], name: "center" }),
    makeNode({
      opType: "Mul",
      inputs: ["centered", "inverse_scale"],
      outputs: ["standardized"],
      name: "scale",
    }),
    makeNode({
      opType: "Gemm",
      inputs: ["standardized", "weight", "bias"],
      outputs: [linearOutput],
      name: "linear",
      attributes: { transB: 1 },
    }),
  ];
  let output = makeTensorValueInfo(linearOutput, DataType.FLOAT, ["N", 1]);
  if (model.task === "binary") {
    nodes.push(
      makeNode({ opType: "Sigmoid", inputs: ["logits"], outputs: ["probability"], name: "sigmoid" }),
    );
    output = makeTensorValueInfo("probability", DataType.FLOAT, ["N", 1]);
  } else if (model.task === "multiclass") {
    nodes.push(
      makeNode({
        opType: "Softmax",
        inputs: ["logits"],
        outputs: ["probabilities"],
        name: "softmax",
        attributes: { axis: 1 },
      }),
    );
    output = makeTensorValueInfo("probabilities", DataType.FLOAT, ["N", K]);
  }
  const metadata = (key: string, value: unknown) => ({ key, value: JSON.stringify(value), rawFields: [] });
  return {
    irVersion: 8,
    producerName: "tiktoktoe",
    graph: {
      node: nodes,
      name: `tiktoktoe_${model.task}_linear`,
      initializer: [
        float32Tensor("center", [F], center),
        float32Tensor("inverse_scale", [F], inverseScale),
        float32Tensor("weight", [K, F], weight),
        float32Tensor("bias", [K], bias),
      ],
      input: [makeTensorValueInfo("features", DataType.FLOAT, ["N", F])],
      output: [output],
      valueInfo: [],
      metadataProps: [],
      rawFields: [],
    },
    opsetImport: [{ domain: "", version: 13, rawFields: [] }],
    metadataProps: [
      metadata("classes", model.classes),
      metadata("feature_names", linearInputColumns(model)),
      metadata("task", model.task),
    ],
    rawFields: [],
  };
}
