/**
 * ONNX I/O: the protobuf codec (decode → plain objects → encode, byte-identical for what it does not
 * touch), tensor accessors, graph edits and a checker (all pure), the onnxruntime-node adapter,
 * activation streaming for calibration, and the CPU's int8 features. See docs/architecture.md.
 */
export { type ActivationBatch, type CollectOptions, collectActivations } from "./activations.js";
export { assertValidModel, type CheckProblem, checkModel } from "./checker.js";
export {
  type CpuFeatures,
  type CpuFlags,
  describeCpu,
  parseCpuInfo,
  readCpuFeatures,
} from "./cpu-features.js";
export { decodeModel } from "./decode.js";
export { encodeModel } from "./encode.js";
export {
  addGraphOutputs,
  type Consumer,
  firstOutOfOrder,
  type GraphIndex,
  indexGraph,
  insertNodes,
  outerNames,
  type Producer,
  removeUnusedInitializers,
  renameTensor,
  replaceNode,
  requireGraph,
  sortTopologically,
  withGraph,
} from "./graph.js";
export { chooseInt8Format, type Int8Format, type Int8Layout } from "./int8-format.js";
export {
  AttributeType,
  type AttributeValue,
  getAttribute,
  makeAttribute,
  makeNode,
  makeTensorValueInfo,
  makeValueInfo,
  type NodeSpec,
  subgraphs,
} from "./node.js";
export {
  type ElementType,
  type Feeds,
  type FeedTensor,
  type OnnxSession,
  openSession,
  type SessionOptions,
  type TensorData,
  type TensorValue,
  type ValueDescription,
} from "./runtime.js";
export {
  DataType,
  elementCount,
  elementTypeName,
  float32Tensor,
  int8Tensor,
  int32Tensor,
  int64Tensor,
  tensorToFloat32,
  tensorToInt8,
  tensorToInt32,
  tensorToInt64,
  tensorToUint8,
  uint8Tensor,
} from "./tensor.js";
export type * from "./types.js";
export type { RawField } from "./wire.js";
