import { TikTokToeError } from "../../errors/index.js";
import { featureMeans, linearAttributions } from "../../explain/index.js";
import type { ModelRecord } from "../../store/index.js";
import type { ImportanceEntry } from "./types.js";

/** A version's linear model as registered in its meta: `{linear: {weights: {feature: w}, bias}}`. */
export interface LinearMeta {
  readonly weights: ReadonlyMap<string, number>;
  readonly bias: number;
}

/**
 * The version's linear model from its meta, or null; a malformed one is the client's error.
 *
 * @example
 * ```ts
 * linearMetaOf(record, { linear: { weights: { temp: 2.5 }, bias: 12 } })?.bias; // 12
 * ```
 */
export function linearMetaOf(
  record: ModelRecord,
  meta: Readonly<Record<string, unknown>>,
): LinearMeta | null {
  const linear = meta.linear;
  if (linear === undefined) return null;
  const bad = (path: string, message: string) =>
    new TikTokToeError("REQUEST_INVALID", `meta.linear: ${message}`, {
      path: `meta.linear${path}`,
      hint: 'register the version with meta.linear = {"weights": {"feature": w, …}, "bias": b}',
    });
  if (typeof linear !== "object" || linear === null) throw bad("", "must be an object");
  const { weights, bias } = linear as { weights?: unknown; bias?: unknown };
  if (typeof bias !== "number" || !Number.isFinite(bias)) throw bad(".bias", "bias must be a finite number");
  if (typeof weights !== "object" || weights === null || Array.isArray(weights))
    throw bad(".weights", "weights must be an object of feature → weight");
  const known = new Map(record.features.map((f) => [f.name, f]));
  const out = new Map<string, number>();
  for (const [name, w] of Object.entries(weights)) {
    if (typeof w !== "number" || !Number.isFinite(w))
      throw bad(`.weights.${name}`, `the weight of "${name}" must be a finite number`);
    if (!known.has(name)) throw bad(`.weights.${name}`, `"${name}" is not a feature of the model's schema`);
    out.set(name, w);
  }
  if (linearFeatures(record, { weights: out, bias }).length === 0)
    throw bad(".weights", "no numeric feature of the schema has a weight");
  return { weights: out, bias };
}

/** A linear model's explained features: numeric schema features with a weight, in schema order. */
export function linearFeatures(record: ModelRecord, linear: LinearMeta): string[] {
  return record.features
    .filter((f) => f.role === "feature" && f.type === "numeric" && linear.weights.has(f.name))
    .map((f) => f.name);
}

/** The note on the features a linear model leaves out, if any. */
export function linearNotes(record: ModelRecord, linear: LinearMeta): string[] {
  const left = record.features.filter(
    (f) => f.role === "feature" && (f.type !== "numeric" || !linear.weights.has(f.name)),
  );
  if (left.length === 0) return [];
  return [`left out (categorical, or no weight in meta.linear): ${left.map((f) => f.name).join(", ")}`];
}

/** mean and standard deviation of |w(x − mean x)| over a column. */
export function meanAbsAttribution(feature: string, w: number, values: Float64Array): ImportanceEntry {
  const means = featureMeans([values]);
  const phi = linearAttributions({ weights: [w], bias: 0 }, [values], means);
  const mean = phi.importance[0]!;
  let variance = 0;
  for (const a of phi.attributions[0]!) variance += (Math.abs(a) - mean) ** 2;
  return { feature, mean, std: Math.sqrt(variance / values.length) };
}
