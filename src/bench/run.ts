/**
 * `npm run bench [-- NAME …]`: runs the benchmarks and rewrites their sections of docs/benchmarks.md.
 * Benchmarks print figures; they never assert (tests do that).
 */
import { runDashboardBench } from "./dashboard-bench.js";
import { runDriftBench, runDriftCliBench } from "./drift-bench.js";
import { runIngestBench } from "./ingest-bench.js";
import { runLearnBench } from "./learn-bench.js";
import { runOptimizeBench } from "./optimize-bench.js";
import { runReplicasBench } from "./replicas-bench.js";
import { runScaleBench } from "./scale-bench.js";
import { runScaleOutBench } from "./scale-out-bench.js";
import { runServingBench } from "./serving-bench.js";
import { runStateBench } from "./state-bench.js";
import { runTrainBench } from "./train-bench.js";

const benches: Record<string, () => Promise<void>> = {
  dashboard: runDashboardBench,
  drift: runDriftBench,
  "drift-cli": runDriftCliBench,
  ingest: runIngestBench,
  learn: runLearnBench,
  optimize: runOptimizeBench,
  replicas: runReplicasBench,
  scale: runScaleBench,
  "scale-out": runScaleOutBench,
  serving: runServingBench,
  state: runStateBench,
  train: runTrainBench,
};
const wanted = process.argv.slice(2);
// drift-cli also runs as the last part of drift, so running everything leaves it out.
const all = Object.keys(benches).filter((name) => name !== "drift-cli");
for (const name of wanted.length > 0 ? wanted : all) {
  const bench = benches[name];
  if (bench === undefined) {
    console.error(`unknown benchmark "${name}"; known: ${Object.keys(benches).join(", ")}`);
    process.exitCode = 2;
    break;
  }
  await bench();
}
