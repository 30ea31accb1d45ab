import { quantileSorted } from "../stats/index.js";

/**
 * Verification before any traffic (issue #14): the checks a candidate version must pass before a
 * rollout routes a single request to it — schema compatibility with production, golden input/output
 * pairs, invariance under declared perturbations, a latency budget, and agreement with production on
 * the reference rows. Pure: each check takes outputs already computed (the server runs the models)
 * and returns a typed result with its numbers and a reason. No I/O.
 */

/** A check's outcome: `skipped` when it could not run (no reference, no production, schema broken). */
export type VerificationOutcome = "pass" | "fail" | "skipped";

/** The kinds of verification test. */
export type VerificationKind = "schema" | "golden" | "invariance" | "latency" | "agreement";

/** One test's result, with the figures it was decided on. */
export interface VerificationTestResult {
  /** The test's name: its kind, or `invariance:<name>` for a declared invariance. */
  readonly name: string;
  readonly kind: VerificationKind;
  readonly outcome: VerificationOutcome;
  /** The measured figure the limit applies to (agreement, p99, violations…); null when none. */
  readonly value: number | null;
  /** The limit it was held to; null when the test has none (schema). */
  readonly limit: number | null;
  /** Rows or runs it was measured on. */
  readonly n: number | null;
  /** More figures (p50, counts, the worst difference…), by name. */
  readonly figures: Readonly<Record<string, number | null>>;
  readonly reason: string;
}

/** A model's output per row: a classifier's predicted class and scores, or a regression's value. */
export interface VerifiedOutput {
  readonly prediction: number | string;
  readonly scores: readonly number[] | null;
}

/** An input or output of an ONNX graph as onnxruntime describes it. */
export interface SignatureValue {
  readonly name: string;
  readonly type?: string | undefined;
  readonly shape: readonly (number | string)[];
}

/** What schema compatibility compares: the graph's inputs and outputs, and the classes served. */
export interface ModelSignature {
  readonly inputs: readonly SignatureValue[];
  readonly outputs: readonly SignatureValue[];
}

const skipped = (name: string, kind: VerificationKind, reason: string): VerificationTestResult => ({
  name,
  kind,
  outcome: "skipped",
  value: null,
  limit: null,
  n: null,
  figures: {},
  reason,
});

/**
 * A result that could not be computed, with why.
 *
 * @example
 * ```ts
 * skippedTest("agreement", "agreement", "no reference rows");
 * ```
 */
export function skippedTest(name: string, kind: VerificationKind, reason: string): VerificationTestResult {
  return skipped(name, kind, reason);
}

function shapeText(shape: readonly (number | string)[]): string {
  return `[${shape.join(", ")}]`;
}

/** Two dimensions fit when both are the same number, or both symbolic (a batch axis's name is free). */
function sameDim(a: number | string, b: number | string): boolean {
  if (typeof a === "number" && typeof b === "number") return a === b;
  return typeof a !== "number" && typeof b !== "number";
}

function valueProblems(side: "input" | "output", a: SignatureValue, b: SignatureValue): string[] {
  const problems: string[] = [];
  if ((a.type ?? "") !== (b.type ?? ""))
    problems.push(`${side} "${a.name}" is ${b.type ?? "untyped"}, production's is ${a.type ?? "untyped"}`);
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => !sameDim(d, b.shape[i]!)))
    problems.push(`${side} "${a.name}" has shape ${shapeText(b.shape)}, production's ${shapeText(a.shape)}`);
  return problems;
}

/**
 * Schema compatibility: the candidate takes the same inputs (names, element types, shapes) and gives
 * the same outputs as production, and as many scores per row as the schema's classes. A symbolic
 * dimension (the batch axis) matches any symbolic one; numeric ones must be equal.
 *
 * @example
 * ```ts
 * checkSchema(productionSignature, candidateSignature, 2).outcome; // "pass"
 * ```
 */
export function checkSchema(
  production: ModelSignature,
  candidate: ModelSignature,
  classes: number | null,
): VerificationTestResult {
  const problems: string[] = [];
  for (const [side, a, b] of [
    ["input", production.inputs, candidate.inputs],
    ["output", production.outputs, candidate.outputs],
  ] as const) {
    const names = new Map(b.map((v) => [v.name, v]));
    for (const value of a) {
      const other = names.get(value.name);
      if (other === undefined) problems.push(`${side} "${value.name}" is missing`);
      else problems.push(...valueProblems(side, value, other));
    }
    const known = new Set(a.map((v) => v.name));
    for (const value of b) if (!known.has(value.name)) problems.push(`${side} "${value.name}" is new`);
  }
  const width = candidate.outputs[0]?.shape[1];
  if (classes !== null && typeof width === "number" && width !== classes)
    problems.push(`the output gives ${width} scores per row; the schema declares ${classes} classes`);
  return {
    name: "schema",
    kind: "schema",
    outcome: problems.length === 0 ? "pass" : "fail",
    value: problems.length,
    limit: 0,
    n: production.inputs.length + production.outputs.length,
    figures: { problems: problems.length },
    reason:
      problems.length === 0
        ? "same inputs and outputs as production"
        : problems.slice(0, 5).join("; ") + (problems.length > 5 ? ` (and ${problems.length - 5} more)` : ""),
  };
}

/** numpy's `isclose`: |a − b| ≤ abs + rel × |b|. */
function close(actual: number, expected: number, abs: number, rel: number): boolean {
  return Math.abs(actual - expected) <= abs + rel * Math.abs(expected);
}

/** A golden pair's expectation: the class (or a regression's value) and optionally the class scores. */
export interface GoldenExpectation {
  readonly prediction?: number | string | undefined;
  /** Scores in class order (the server maps a declaration's class names to positions). */
  readonly scores?: readonly (number | null)[] | undefined;
}

/**
 * Golden input/output pairs: each declared row's candidate output must equal its expected class (or
 * be within tolerance of the expected value) and its scores within tolerance (numpy's `isclose`).
 *
 * @example
 * ```ts
 * checkGolden("binary", [{ prediction: "1" }], [{ prediction: "1", scores: [0.1, 0.9] }], { abs: 1e-4, rel: 0 });
 * ```
 */
export function checkGolden(
  task: "binary" | "multiclass" | "regression",
  expected: readonly GoldenExpectation[],
  actual: readonly VerifiedOutput[],
  tolerance: { readonly abs: number; readonly rel: number },
): VerificationTestResult {
  if (expected.length === 0) return skipped("golden", "golden", "no golden rows declared");
  let failed = 0;
  let first = -1;
  let worst = 0;
  for (const [i, e] of expected.entries()) {
    const a = actual[i]!;
    let bad = false;
    if (e.prediction !== undefined) {
      if (task === "regression") {
        const d = Math.abs(Number(a.prediction) - Number(e.prediction));
        worst = Math.max(worst, d);
        if (!close(Number(a.prediction), Number(e.prediction), tolerance.abs, tolerance.rel)) bad = true;
      } else if (String(a.prediction) !== String(e.prediction)) bad = true;
    }
    if (e.scores !== undefined && a.scores !== null)
      for (const [k, s] of e.scores.entries()) {
        if (s === null) continue;
        const got = a.scores[k] ?? Number.NaN;
        worst = Math.max(worst, Math.abs(got - s));
        if (!close(got, s, tolerance.abs, tolerance.rel)) bad = true;
      }
    if (bad) {
      failed++;
      if (first < 0) first = i;
    }
  }
  return {
    name: "golden",
    kind: "golden",
    outcome: failed === 0 ? "pass" : "fail",
    value: failed,
    limit: 0,
    n: expected.length,
    figures: { failed, maxAbsDiff: worst, absTolerance: tolerance.abs, relTolerance: tolerance.rel },
    reason:
      failed === 0
        ? `all ${expected.length} golden rows within tolerance`
        : `${failed} of ${expected.length} golden rows outside tolerance (the first: row ${first}; candidate answered ${JSON.stringify(actual[first]!.prediction)})`,
  };
}

/**
 * Invariance: a perturbation must not flip a classifier's predicted class, or move a regression's
 * value by more than `tolerance`. `base[i]` is row i's output; `perturbed[j]` the outputs of its
 * perturbed copies, `perturbed.length` a multiple of `base.length` (copies of row i at
 * i, i + n, i + 2n …). Fails when violations exceed `maxViolationRate` of the checked pairs.
 *
 * @example
 * ```ts
 * checkInvariance("invariance:age", "binary", base, perturbed, { tolerance: 0, maxViolationRate: 0 });
 * ```
 */
export function checkInvariance(
  name: string,
  task: "binary" | "multiclass" | "regression",
  base: readonly VerifiedOutput[],
  perturbed: readonly VerifiedOutput[],
  limits: { readonly tolerance: number; readonly maxViolationRate: number },
): VerificationTestResult {
  if (base.length === 0 || perturbed.length === 0) return skipped(name, "invariance", "no rows to perturb");
  let violations = 0;
  let firstRow = -1;
  let worst = 0;
  for (const [j, p] of perturbed.entries()) {
    const i = j % base.length;
    const b = base[i]!;
    let bad: boolean;
    if (task === "regression") {
      const d = Math.abs(Number(p.prediction) - Number(b.prediction));
      worst = Math.max(worst, d);
      bad = !(d <= limits.tolerance);
    } else bad = String(p.prediction) !== String(b.prediction);
    if (bad) {
      violations++;
      if (firstRow < 0) firstRow = i;
    }
  }
  const rate = violations / perturbed.length;
  const pass = rate <= limits.maxViolationRate;
  const what = task === "regression" ? "moved beyond the tolerance" : "flipped the class";
  return {
    name,
    kind: "invariance",
    outcome: pass ? "pass" : "fail",
    value: rate,
    limit: limits.maxViolationRate,
    n: perturbed.length,
    figures: {
      violations,
      rows: base.length,
      ...(task === "regression" ? { maxAbsChange: worst, tolerance: limits.tolerance } : {}),
    },
    reason:
      violations === 0
        ? `no perturbation of ${base.length} rows ${what}`
        : `${violations} of ${perturbed.length} perturbed rows ${what} (the first: row ${firstRow})${pass ? ", within the allowed rate" : ""}`,
  };
}

/**
 * The latency budget: the p99 of single-row runs (numpy's linear quantile) must not exceed the budget.
 * p50 and the mean are reported with it.
 *
 * @example
 * ```ts
 * checkLatency([0.1, 0.2, 0.15], 5).outcome; // "pass"
 * ```
 */
export function checkLatency(samplesMs: readonly number[], budgetMs: number): VerificationTestResult {
  if (samplesMs.length === 0) return skipped("latency", "latency", "no runs measured");
  const sorted = Float64Array.from(samplesMs).sort();
  const p50 = quantileSorted(sorted, 0.5);
  const p99 = quantileSorted(sorted, 0.99);
  const mean = samplesMs.reduce((s, v) => s + v, 0) / samplesMs.length;
  return {
    name: "latency",
    kind: "latency",
    outcome: p99 <= budgetMs ? "pass" : "fail",
    value: p99,
    limit: budgetMs,
    n: samplesMs.length,
    figures: { p50, p99, mean, max: sorted[sorted.length - 1]! },
    reason: `p99 ${p99.toFixed(3)} ms ${p99 <= budgetMs ? "≤" : ">"} budget ${budgetMs} ms over ${samplesMs.length} single-row runs (p50 ${p50.toFixed(3)} ms)`,
  };
}

/**
 * Agreement with production on the same rows: a classifier's fraction of equal predicted classes
 * must reach `minAgreement`; a regression's mean absolute difference must stay within
 * `maxMeanAbsDiff`.
 *
 * @example
 * ```ts
 * checkAgreement("binary", candidate, production, { minAgreement: 0.9, maxMeanAbsDiff: null });
 * ```
 */
export function checkAgreement(
  task: "binary" | "multiclass" | "regression",
  candidate: readonly VerifiedOutput[],
  production: readonly VerifiedOutput[],
  limits: { readonly minAgreement: number; readonly maxMeanAbsDiff: number | null },
): VerificationTestResult {
  const n = Math.min(candidate.length, production.length);
  if (n === 0) return skipped("agreement", "agreement", "no rows to compare");
  if (task === "regression") {
    let sum = 0;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const d = Math.abs(Number(candidate[i]!.prediction) - Number(production[i]!.prediction));
      sum += d;
      max = Math.max(max, d);
    }
    const mad = sum / n;
    const limit = limits.maxMeanAbsDiff ?? Number.POSITIVE_INFINITY;
    return {
      name: "agreement",
      kind: "agreement",
      outcome: mad <= limit ? "pass" : "fail",
      value: mad,
      limit: Number.isFinite(limit) ? limit : null,
      n,
      figures: { meanAbsDiff: mad, maxAbsDiff: max },
      reason: `mean absolute difference from production ${mad.toPrecision(4)} ${mad <= limit ? "≤" : ">"} ${limit} over ${n} rows`,
    };
  }
  let agreed = 0;
  for (let i = 0; i < n; i++)
    if (String(candidate[i]!.prediction) === String(production[i]!.prediction)) agreed++;
  const rate = agreed / n;
  const pass = rate >= limits.minAgreement;
  return {
    name: "agreement",
    kind: "agreement",
    outcome: pass ? "pass" : "fail",
    value: rate,
    limit: limits.minAgreement,
    n,
    figures: { agreed, disagreed: n - agreed },
    reason: `${agreed} of ${n} rows (${(100 * rate).toFixed(1)} %) predict production's class; ${pass ? "≥" : "<"} ${limits.minAgreement} needed`,
  };
}

/**
 * A verification's outcome: `fail` when any test failed, else `pass` (skipped tests do not block).
 *
 * @example
 * ```ts
 * verificationOutcome([{ ...schema, outcome: "pass" }]); // "pass"
 * ```
 */
export function verificationOutcome(results: readonly VerificationTestResult[]): "pass" | "fail" {
  return results.some((r) => r.outcome === "fail") ? "fail" : "pass";
}

/**
 * What the API's error says of the failed tests: one phrase each, with the figure and the limit.
 *
 * @example
 * ```ts
 * describeFailures(results); // "agreement: 380 of 569 rows (66.8 %) predict production's class; < 0.9 needed"
 * ```
 */
export function describeFailures(results: readonly VerificationTestResult[]): string {
  return results
    .filter((r) => r.outcome === "fail")
    .map((r) => `${r.name}: ${r.reason}`)
    .join("; ");
}
