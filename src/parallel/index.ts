export {
  analyzeFilesParallel,
  analyzeTablesParallel,
  type DriftProgress,
  type ParallelDriftOptions,
} from "./analyze-parallel.js";
export {
  enableNativeKernels,
  loadNativeEventScan,
  loadNativeExp,
  loadNativeKernels,
  loadNativeLearnKernel,
  type NativeEventScan,
  type NativeKernelStatus,
  type NativeLearnKernel,
  nativeKernelStatus,
} from "./native.js";
export { WorkerPool, type WorkerPoolOptions } from "./pool.js";
