export {
  analyzeFilesParallel,
  analyzeTablesParallel,
  type DriftProgress,
  type ParallelDriftOptions,
} from "./analyze-parallel.js";
export {
  enableNativeKernels,
  loadNativeKernels,
  type NativeKernelStatus,
  nativeKernelStatus,
} from "./native.js";
export { WorkerPool, type WorkerPoolOptions } from "./pool.js";
