export {
  analyzeFilesParallel,
  analyzeTablesParallel,
  type DriftProgress,
  type ParallelDriftOptions,
} from "./analyze-parallel.js";
export { WorkerPool, type WorkerPoolOptions } from "./pool.js";
