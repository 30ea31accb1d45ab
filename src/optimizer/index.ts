/**
 * The optimizer (issue #13): runs techniques (quantization, pruning, distillation) against a
 * baseline ONNX model, cross-validates each candidate's metric, measures latency with
 * onnxruntime-node, applies the acceptance rules and ranks by the weighted objective. The pure maths
 * lives in `src/optimize/`; see docs/optimization.md.
 */
export { type DatasetOptions, loadOptimizationData } from "./dataset.js";
export { predictRows, rowScores, selectRows } from "./evaluate.js";
export { DEFAULT_LATENCY, type LatencyOptions, type LatencyTable, measureLatency } from "./latency.js";
export {
  type ObjectiveStatus,
  type ProductionSection,
  type ProductionWindow,
  productionVsObjectives,
} from "./production.js";
export { type QuantizeOptions, quantizeTechnique } from "./quantize.js";
export {
  type OptimizationReportFormat,
  optimizationReportFormats,
  renderOptimizationReport,
} from "./report.js";
export type {
  BaselineEntry,
  CandidateEntry,
  DropInterval,
  LatencyEntry,
  OptimizationReport,
} from "./report-types.js";
export { type OptimizationRun, runOptimization } from "./run.js";
export { type ModelSignature, modelSignature } from "./signature.js";
export type { Candidate, OptimizationData, Technique, TechniqueContext } from "./technique.js";
export {
  DEFAULT_TECHNIQUE_SETTINGS,
  resolveTechniques,
  type TechniqueName,
  type TechniqueSettings,
  techniqueNames,
} from "./techniques.js";
