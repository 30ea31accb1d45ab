/**
 * `npm run bench [-- NAME …]`: runs the benchmarks and rewrites their sections of docs/benchmarks.md.
 * Benchmarks print figures; they never assert (tests do that).
 */
import { runDashboardBench } from "./dashboard-bench.js";
import { runDriftBench } from "./drift-bench.js";
import { runIngestBench } from "./ingest-bench.js";

const benches: Record<string, () => Promise<void>> = {
  dashboard: runDashboardBench,
  drift: runDriftBench,
  ingest: runIngestBench,
};
const wanted = process.argv.slice(2);
for (const name of wanted.length > 0 ? wanted : Object.keys(benches)) {
  const bench = benches[name];
  if (bench === undefined) {
    console.error(`unknown benchmark "${name}"; known: ${Object.keys(benches).join(", ")}`);
    process.exitCode = 2;
    break;
  }
  await bench();
}
