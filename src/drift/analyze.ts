import { decideDrift } from "./decide.js";
import { type DriftOptions, defaultDriftOptions } from "./options.js";
import { type DriftSelection, type InputTable, measureTask, planDriftRun } from "./plan.js";
import type { DriftReport } from "./report.js";

/**
 * Compares two tables column by column, in this thread, and decides drift. For many large columns
 * use `analyzeDriftParallel` from `tiktoktoe`'s parallel module, which spreads columns over the cores
 * and gives the same report.
 *
 * Fails with INPUT_COLUMN_MISSING when the selection names a column a table lacks (the target, the
 * prediction, a selected or excluded column), with a "did you mean" for a near miss. Identifier
 * columns are left out and listed in `excluded` (see {@link planDriftRun}).
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
  const plan = planDriftRun(reference, current, selection, resolved);
  const measured = plan.tasks.map((task) => measureTask(task, resolved));
  return {
    ...decideDrift(measured, resolved, plan.excluded),
    reference: { source: reference.source, rows: reference.rowCount },
    current: { source: current.source, rows: current.rowCount },
  };
}
