/**
 * TikTokToe's library API: the error type, the pure statistics, sketches, metrics and drift engine,
 * the monitor core, the configuration, the data readers, the storage port, the report renderers and
 * the parallel runner, and ONNX I/O (`onnx.decodeModel`, `onnx.openSession`, …). See README.md and docs/.
 */
export * as alerts from "./alerts/index.js";
export * from "./config/index.js";
export * from "./data/index.js";
export * from "./drift/index.js";
export * from "./errors/index.js";
export * from "./metrics/index.js";
export * from "./monitor/index.js";
export * as notify from "./notify/index.js";
export * as onnx from "./onnx/index.js";
export * from "./parallel/index.js";
export * from "./report/index.js";
export * from "./sketches/index.js";
export * from "./stats/index.js";
export * from "./store/index.js";
