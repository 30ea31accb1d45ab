import { decideDrift } from "./decide.js";
import { type DriftOptions, defaultDriftOptions } from "./options.js";
import { type DriftSelection, type InputTable, measureTask, planDrift } from "./plan.js";
import type { DriftReport } from "./report.js";

/**
 * Compares two tables column by column, in this thread, and decides drift. For many large columns
 * use `analyzeDriftParallel` from `tiktoktoe`'s parallel module, which spreads columns over the cores
 * and gives the same report.
 *
 * @example
 * ```ts
 * const report = analyzeDrift(await readTable("2011.csv"), await readTable("2012.csv"), { target: "cnt" });
 * console.log(report.severity, report.columns.filter((c) => c.drifted).map((c) => c.column));
 * ```
 */
export function analyzeDrift(
  reference: InputTable,
  current: InputTable,
  selection: DriftSelection = {},
  options: Partial<DriftOptions> = {},
): DriftReport {
  const resolved = { ...defaultDriftOptions, ...options };
  const measured = planDrift(reference, current, selection, resolved).map((task) =>
    measureTask(task, resolved),
  );
  return {
    ...decideDrift(measured, resolved),
    reference: { source: reference.source, rows: reference.rowCount },
    current: { source: current.source, rows: current.rowCount },
  };
}
