import type { DriftColumnReport, DriftReport } from "../drift/index.js";

/**
 * A number for people: 4 significant figures, exponent notation when tiny or huge, "—" for null.
 *
 * @example
 * ```ts
 * formatNumber(0.000012345); // "1.234e-5"
 * ```
 */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "—";
  if (value === 0) return "0";
  const magnitude = Math.abs(value);
  if (magnitude < 1e-3 || magnitude >= 1e6)
    return value
      .toExponential(3)
      .replace(/\.?0+e/, "e")
      .replace("e+", "e");
  return Number(value.toPrecision(4)).toString();
}

/**
 * The column's effect size as `value ≥ threshold` or `value < threshold`, or "—".
 *
 * @example
 * ```ts
 * effectText(column); // "0.3412 ≥ 0.1 (wasserstein)"
 * ```
 */
export function effectText(column: DriftColumnReport): string {
  if (column.effect_size === undefined || column.effect_size_threshold === undefined) return "—";
  const sign = column.effect_size >= column.effect_size_threshold ? "≥" : "<";
  return `${formatNumber(column.effect_size)} ${sign} ${formatNumber(column.effect_size_threshold)}`;
}

/**
 * The column's test or distance against its threshold, e.g. `p 3.1e-12 ≤ 0.003571` or `psi 0.31 ≥ 0.25`.
 *
 * @example
 * ```ts
 * verdictText(column);
 * ```
 */
export function verdictText(column: DriftColumnReport): string {
  if (column.p_value !== null) {
    const sign = column.p_value <= column.threshold ? "≤" : ">";
    return `p ${formatNumber(column.p_value)} ${sign} ${formatNumber(column.threshold)}`;
  }
  const sign = column.statistic >= column.threshold ? "≥" : "<";
  return `${formatNumber(column.statistic)} ${sign} ${formatNumber(column.threshold)}`;
}

/**
 * One line per column left out of the tests (`report.excluded`): `name — note`. Empty when none
 * was, or for a report stored before the field existed.
 *
 * @example
 * ```ts
 * excludedLines(report); // ["instant — an identifier: integers that strictly increase …"]
 * ```
 */
export function excludedLines(report: DriftReport): string[] {
  return (report.excluded ?? []).map((e) => `${e.column} — ${e.note}`);
}
