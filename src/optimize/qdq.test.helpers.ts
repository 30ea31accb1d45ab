import { makeNode, makeTensorValueInfo } from "../onnx/node.js";
import { DataType, float32Tensor } from "../onnx/tensor.js";
import type { NodeProto, OnnxModel, TensorProto } from "../onnx/types.js";

/** A deterministic pseudo-random float32 array in [lo, hi) (a linear congruential generator). */
export function seededValues(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + ((hi - lo) * s) / 2 ** 32;
  }
  return out;
}

/** A model of the given nodes and initializers, one float input `x` [n, k] and output `y`; opset 13. */
export function tinyModel(
  nodes: NodeProto[],
  initializers: TensorProto[],
  inputShape: (number | string)[],
  opset = 13,
): OnnxModel {
  return {
    irVersion: 8,
    producerName: "tiktoktoe-test",
    graph: {
      node: nodes,
      name: "tiny",
      initializer: initializers,
      input: [makeTensorValueInfo("x", DataType.FLOAT, inputShape)],
      output: [makeTensorValueInfo("y", DataType.FLOAT, ["n", 3])],
      valueInfo: [],
      metadataProps: [],
      rawFields: [],
    },
    opsetImport: [{ domain: "", version: opset, rawFields: [] }],
    metadataProps: [{ key: "author", value: "test", rawFields: [] }],
    rawFields: [],
  };
}

/** y = Gemm(x [n, 4], W [3, 4], b [3], transB = 1): the smallest model with a weight and a bias. */
export function tinyGemm(opset = 13): { model: OnnxModel; w: Float32Array; b: Float32Array } {
  const w = seededValues(12, 7);
  const b = seededValues(3, 11, -0.5, 0.5);
  const model = tinyModel(
    [
      makeNode({
        opType: "Gemm",
        inputs: ["x", "W", "b"],
        outputs: ["y"],
        name: "gemm",
        attributes: { transB: 1 },
      }),
    ],
    [float32Tensor("W", [3, 4], w), float32Tensor("b", [3], b)],
    ["n", 4],
    opset,
  );
  return { model, w, b };
}
