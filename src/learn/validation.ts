import { analyzeDrift, atLeast, type InputColumn, type InputTable, type Severity } from "../drift/index.js";
import { quantileSorted } from "../stats/index.js";
import type { Cell, Row } from "./features.js";
import { type CompiledRule, type ConsistencyRule, compileRule } from "./rules.js";

/**
 * Thresholds of the checks (defaults: {@link DEFAULT_THRESHOLDS}; TFDV / Deequ conventions, see
 * docs/learning.md).
 *
 * @example
 * ```ts
 * const thresholds: ValidationThresholds = { ...DEFAULT_THRESHOLDS, outOfRangeRate: 0.05 };
 * ```
 */
export interface ValidationThresholds {
  /** z of the completeness lower bound p − z·√(p(1 − p)/n) (Deequ: 1.96). */
  readonly z: number;
  /** Outliers: `iqr` (outside [Q1 − k·IQR, Q3 + k·IQR]) or `robust_z` (|0.6745(x − median)/MAD| > k). */
  readonly outlierMethod: "iqr" | "robust_z";
  /** k of the outlier rule: 3 for IQR (Tukey's "far out"), 3.5 for the robust z-score (Iglewicz–Hoaglin). */
  readonly outlierK: number;
  /** A batch fails when its outlier rate exceeds the reference's rate + z·se + this margin. */
  readonly outlierMargin: number;
  /** Highest share of values outside the reference's [min, max] (numeric). */
  readonly outOfRangeRate: number;
  /** Highest share of values outside the reference's domain (categorical; TFDV's default is none). */
  readonly unknownCategoryRate: number;
  /** Highest share of rows that violate a consistency rule. */
  readonly ruleViolationRate: number;
  /** Deequ's uniqueness rule: a column is unique when distinct/n ≥ 1 − this; a batch must keep it. */
  readonly uniquenessTolerance: number;
  /** The drift check fails at this dataset severity of the drift engine (when a reference is given). */
  readonly driftSeverity: Severity;
}

/** The defaults of {@link ValidationThresholds}. */
export const DEFAULT_THRESHOLDS: ValidationThresholds = {
  z: 1.96,
  outlierMethod: "iqr",
  outlierK: 3,
  outlierMargin: 0.01,
  outOfRangeRate: 0.01,
  unknownCategoryRate: 0,
  ruleViolationRate: 0,
  uniquenessTolerance: 0.08,
  driftSeverity: "critical",
};

/** A numeric column as the reference showed it. */
export interface NumericColumnSchema {
  readonly type: "numeric";
  /** Share of rows with a value. */
  readonly completeness: number;
  readonly min: number;
  readonly max: number;
  readonly q1: number;
  readonly median: number;
  readonly q3: number;
  /** Median absolute deviation (unscaled). */
  readonly mad: number;
  /** Share of the reference's own values that the outlier rule flags. */
  readonly outlierRate: number;
  readonly distinctRatio: number;
  /** distinct/n ≥ 1 − uniquenessTolerance in the reference: an identifier. */
  readonly unique: boolean;
}

/** A categorical column as the reference showed it. */
export interface CategoricalColumnSchema {
  readonly type: "categorical";
  readonly completeness: number;
  /** Every value seen, sorted. Edit it to allow new values. */
  readonly domain: readonly string[];
  readonly distinctRatio: number;
  readonly unique: boolean;
}

/** One column's schema. */
export type ColumnSchema = NumericColumnSchema | CategoricalColumnSchema;

/**
 * The schema inferred from a reference: plain JSON, meant to be reviewed and edited (widen a
 * range, add a category, add a rule) and then stored with a higher `revision`.
 *
 * @example
 * ```ts
 * const edited: DataSchema = { ...schema, revision: schema.revision + 1, rules: [...schema.rules, rule] };
 * ```
 */
export interface DataSchema {
  readonly format: "tiktoktoe.schema/1";
  readonly revision: number;
  /** Rows of the reference it was inferred from. */
  readonly rows: number;
  readonly columns: Readonly<Record<string, ColumnSchema>>;
  readonly rules: readonly ConsistencyRule[];
  readonly thresholds: ValidationThresholds;
}

/**
 * Infers a schema from reference rows: a column is numeric when every present value is a number,
 * categorical otherwise.
 *
 * @example
 * ```ts
 * const schema = inferSchema(referenceRows, { rules: [{ name: "sum", expression: "registered + casual == cnt" }] });
 * ```
 */
export function inferSchema(
  rows: readonly Row[],
  options: {
    readonly rules?: readonly ConsistencyRule[];
    readonly thresholds?: Partial<ValidationThresholds>;
  } = {},
): DataSchema {
  const thresholds = { ...DEFAULT_THRESHOLDS, ...options.thresholds };
  const names: string[] = [];
  const seen = new Set<string>();
  for (const row of rows)
    for (const name of Object.keys(row))
      if (!seen.has(name)) {
        seen.add(name);
        names.push(name);
      }
  const columns: Record<string, ColumnSchema> = {};
  const n = rows.length;
  for (const name of names) {
    const present: Cell[] = [];
    for (const row of rows) if (!isMissing(row[name])) present.push(row[name]);
    const completeness = n === 0 ? 0 : present.length / n;
    const distinctRatio = present.length === 0 ? 0 : new Set(present.map(String)).size / present.length;
    // Continuous measurements are nearly all distinct too; only text and integers can be identifiers.
    const unique =
      present.length > 1 &&
      distinctRatio >= 1 - thresholds.uniquenessTolerance &&
      present.every((v) => typeof v !== "number" || Number.isInteger(v));
    if (present.length > 0 && present.every((v) => typeof v === "number")) {
      const sorted = Float64Array.from(present as number[]).sort();
      const median = quantileSorted(sorted, 0.5);
      const deviations = sorted.map((v) => Math.abs(v - median)).sort();
      const base = {
        q1: quantileSorted(sorted, 0.25),
        median,
        q3: quantileSorted(sorted, 0.75),
        mad: quantileSorted(deviations, 0.5),
      };
      let outliers = 0;
      for (const v of sorted) if (isOutlier(v, base, thresholds)) outliers++;
      columns[name] = {
        type: "numeric",
        completeness,
        min: sorted[0]!,
        max: sorted[sorted.length - 1]!,
        ...base,
        outlierRate: outliers / sorted.length,
        distinctRatio,
        unique,
      };
    } else {
      columns[name] = {
        type: "categorical",
        completeness,
        domain: [...new Set(present.map(String))].sort(),
        distinctRatio,
        unique,
      };
    }
  }
  const rules = [...(options.rules ?? [])];
  rules.forEach((rule, i) => {
    compileRule(rule, `rules[${i}].expression`);
  });
  return { format: "tiktoktoe.schema/1", revision: 1, rows: n, columns, rules, thresholds };
}

/** The checks {@link validateBatch} runs. */
export type CheckName =
  | "completeness"
  | "type"
  | "out_of_range"
  | "unknown_categories"
  | "outliers"
  | "uniqueness"
  | "rule"
  | "drift";

/**
 * One check's result: what was measured, against which threshold, and whether it passed.
 *
 * @example
 * ```ts
 * const check: CheckResult = { check: "completeness", column: "temp", value: 0.8, threshold: 0.97, passed: false, detail: "…" };
 * ```
 */
export interface CheckResult {
  readonly check: CheckName;
  readonly column?: string;
  readonly rule?: string;
  /** The measured value (a share, or a drift severity rank). */
  readonly value: number;
  /** The bound the value was held to (minimum for completeness, maximum otherwise). */
  readonly threshold: number;
  readonly passed: boolean;
  readonly detail: string;
}

/**
 * {@link validateBatch}'s answer: `ok` when every check passed; `reasons` are the failed checks'
 * details, the quarantine record.
 */
export interface BatchValidation {
  readonly ok: boolean;
  readonly schemaRevision: number;
  readonly rows: number;
  readonly checks: readonly CheckResult[];
  readonly reasons: readonly string[];
}

/** Options of {@link validateBatch}. */
export interface ValidateOptions {
  /**
   * The reference as columns, for the drift check (the drift engine's tests and distances); the
   * check is skipped without it.
   */
  readonly driftReference?: InputTable;
  /** Columns left out of every check (the label, a timestamp). */
  readonly exclude?: readonly string[];
}

/**
 * Checks a batch against the schema: completeness (below the reference's lower bound), type,
 * out-of-range, unknown categories, outliers (vs the reference's rate), uniqueness, every rule, and
 * drift when a reference is given. A batch that is not `ok` must be quarantined with `reasons`,
 * never learned from ({@link learnIfValid} does both).
 *
 * @example
 * ```ts
 * const result = validateBatch(schema, rows);
 * if (!result.ok) quarantine(rows, result.reasons);
 * ```
 */
export function validateBatch(
  schema: DataSchema,
  rows: readonly Row[],
  options: ValidateOptions = {},
): BatchValidation {
  const t = schema.thresholds;
  const checks: CheckResult[] = [];
  const n = rows.length;
  const exclude = new Set(options.exclude ?? []);
  for (const [name, column] of Object.entries(schema.columns)) {
    if (exclude.has(name)) continue;
    let present = 0;
    let wrongType = 0;
    let outside = 0;
    let outliers = 0;
    const distinct = new Set<string>();
    for (const row of rows) {
      const value = row[name];
      if (isMissing(value)) continue;
      present++;
      distinct.add(String(value));
      if (column.type === "numeric") {
        if (typeof value !== "number" || !Number.isFinite(value)) {
          wrongType++;
          continue;
        }
        if (value < column.min || value > column.max) outside++;
        if (isOutlier(value, column, t)) outliers++;
      } else if (!column.domain.includes(String(value))) outside++;
    }
    const completeness = n === 0 ? 1 : present / n;
    const p = column.completeness;
    const bound = n === 0 ? 0 : p - t.z * Math.sqrt((p * (1 - p)) / n);
    checks.push({
      check: "completeness",
      column: name,
      value: completeness,
      threshold: bound,
      passed: completeness >= bound,
      detail: `${name}: ${fmt(completeness)} of values present, the reference's lower bound is ${fmt(bound)} (reference ${fmt(p)})`,
    });
    if (column.type === "numeric") {
      checks.push({
        check: "type",
        column: name,
        value: wrongType,
        threshold: 0,
        passed: wrongType === 0,
        detail: `${name}: ${wrongType} value(s) are not numbers in a numeric column`,
      });
    }
    // An identifier (unique in the reference, e.g. increasing ids) has no range or outliers to keep.
    if (column.type === "numeric" && !column.unique) {
      const rate = present === 0 ? 0 : outside / present;
      checks.push({
        check: "out_of_range",
        column: name,
        value: rate,
        threshold: t.outOfRangeRate,
        passed: rate <= t.outOfRangeRate,
        detail: `${name}: ${fmt(rate)} of values outside the reference's range [${column.min}, ${column.max}] (at most ${fmt(t.outOfRangeRate)})`,
      });
      const outlierRate = present === 0 ? 0 : outliers / present;
      const r = column.outlierRate;
      const limit = r + (present === 0 ? 0 : t.z * Math.sqrt((r * (1 - r)) / present)) + t.outlierMargin;
      checks.push({
        check: "outliers",
        column: name,
        value: outlierRate,
        threshold: limit,
        passed: outlierRate <= limit,
        detail: `${name}: ${fmt(outlierRate)} outliers by ${t.outlierMethod} (k = ${t.outlierK}) against the reference, at most ${fmt(limit)} (reference ${fmt(r)})`,
      });
    }
    if (column.type === "categorical") {
      const rate = present === 0 ? 0 : outside / present;
      checks.push({
        check: "unknown_categories",
        column: name,
        value: rate,
        threshold: t.unknownCategoryRate,
        passed: rate <= t.unknownCategoryRate,
        detail: `${name}: ${fmt(rate)} of values are not in the reference's domain (at most ${fmt(t.unknownCategoryRate)})`,
      });
    }
    if (column.unique && present > 1) {
      const ratio = distinct.size / present;
      checks.push({
        check: "uniqueness",
        column: name,
        value: ratio,
        threshold: 1 - t.uniquenessTolerance,
        passed: ratio >= 1 - t.uniquenessTolerance,
        detail: `${name}: ${fmt(ratio)} of values distinct in a column unique in the reference`,
      });
    }
  }
  schema.rules.forEach((rule, i) => {
    const compiled: CompiledRule = compileRule(rule, `rules[${i}].expression`);
    let evaluated = 0;
    let violated = 0;
    let firstRow = -1;
    rows.forEach((row, r) => {
      const holds = compiled.evaluate(row);
      if (holds === undefined) return;
      evaluated++;
      if (!holds) {
        violated++;
        if (firstRow < 0) firstRow = r;
      }
    });
    const rate = evaluated === 0 ? 0 : violated / evaluated;
    checks.push({
      check: "rule",
      rule: rule.name,
      value: rate,
      threshold: t.ruleViolationRate,
      passed: rate <= t.ruleViolationRate,
      detail: `rule "${rule.name}" (${rule.expression}): violated by ${violated} of ${evaluated} rows${firstRow >= 0 ? `, first at row ${firstRow}` : ""}`,
    });
  });
  if (options.driftReference !== undefined && n > 0) {
    const current = rowsToTable(rows, options.driftReference, exclude);
    const names = current.columnNames;
    const report = analyzeDrift(
      options.driftReference,
      current,
      {
        columns: names,
        categorical: names.filter((c) => options.driftReference!.columns.get(c)?.kind === "text"),
      },
      {},
    );
    const drifted = report.columns.filter((c) => atLeast(c.severity, "critical")).map((c) => c.column);
    const passed = !atLeast(report.severity, t.driftSeverity);
    checks.push({
      check: "drift",
      value: report.share,
      threshold: 0.5,
      passed,
      detail: `drift: dataset severity ${report.severity} (fails at ${t.driftSeverity}); drifted columns: ${drifted.join(", ") || "none"}`,
    });
  }
  const reasons = checks.filter((c) => !c.passed).map((c) => c.detail);
  return { ok: reasons.length === 0, schemaRevision: schema.revision, rows: n, checks, reasons };
}

/**
 * Turns rows into the drift engine's columns, typed like the reference's columns.
 *
 * @example
 * ```ts
 * const table = rowsToTable(rows, reference, new Set(["label"]));
 * ```
 */
export function rowsToTable(
  rows: readonly Row[],
  like: InputTable,
  exclude: ReadonlySet<string> = new Set(),
): InputTable {
  const columns = new Map<string, InputColumn>();
  for (const name of like.columnNames) {
    if (exclude.has(name)) continue;
    const kind = like.columns.get(name)!.kind;
    if (kind === "numeric") {
      const values = new Float64Array(rows.length);
      let missing = 0;
      rows.forEach((row, r) => {
        const v = row[name];
        values[r] = typeof v === "number" && Number.isFinite(v) ? v : Number.NaN;
        if (Number.isNaN(values[r])) missing++;
      });
      columns.set(name, { kind, values, missing });
    } else {
      const categories: string[] = [];
      const index = new Map<string, number>();
      const codes = new Int32Array(rows.length);
      let missing = 0;
      rows.forEach((row, r) => {
        const v = row[name];
        if (isMissing(v)) {
          codes[r] = -1;
          missing++;
          return;
        }
        const text = String(v);
        let code = index.get(text);
        if (code === undefined) {
          code = categories.length;
          categories.push(text);
          index.set(text, code);
        }
        codes[r] = code;
      });
      columns.set(name, { kind: "text", codes, categories, missing });
    }
  }
  return { source: "batch", rowCount: rows.length, columnNames: [...columns.keys()], columns };
}

function isMissing(value: Cell): boolean {
  return (
    value === null ||
    value === undefined ||
    value === "" ||
    (typeof value === "number" && Number.isNaN(value))
  );
}

function isOutlier(
  value: number,
  column: { readonly q1: number; readonly median: number; readonly q3: number; readonly mad: number },
  t: ValidationThresholds,
): boolean {
  if (t.outlierMethod === "robust_z") {
    // With MAD = 0 (over half the values equal) any other value is infinitely far: flag it.
    if (column.mad === 0) return value !== column.median;
    return Math.abs((0.6745 * (value - column.median)) / column.mad) > t.outlierK;
  }
  const iqr = column.q3 - column.q1;
  return value < column.q1 - t.outlierK * iqr || value > column.q3 + t.outlierK * iqr;
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toFixed(4) : String(x);
}
