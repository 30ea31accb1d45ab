import type { ExplainData } from "../../explain/index.js";
import { seededRandom } from "../../stats/index.js";
import type { ModelRecord, Store } from "../../store/index.js";
import { decodeReference, parseReferenceColumns } from "../reference.js";
import { rankingOf } from "./attribution-drift.js";
import { type LinearMeta, linearFeatures, meanAbsAttribution } from "./linear-model.js";
import { runPermutation } from "./permutation.js";
import { fnv1a } from "./seed.js";
import { readStoredReference, type StoredReference } from "./storage.js";
import type { ReferenceImportance } from "./types.js";
import { codeOf, EXPLAIN_MIN_ROWS, truthFunction } from "./usable-rows.js";

/** A version's reference importance for an answer, the notes on it, and the background it centres on. */
export interface ReferenceAnswer {
  readonly importance: ReferenceImportance | null;
  readonly notes: string[];
  /** Linear models: the cache's background key (the reference profile's hash, or `window`); "" otherwise. */
  readonly background: string;
}

/**
 * The reference's permutation importance from the uploaded rows that have a target and every feature,
 * ready to store; a note instead when the upload has no target or too few such rows.
 *
 * @example
 * ```ts
 * const stored = await computeReference(record, "1", onnxBytes, csvBytes, "text/csv");
 * if (stored.status === "ok") stored.ranking[0]; // the reference's most important feature
 * ```
 */
export async function computeReference(
  record: ModelRecord,
  version: string,
  onnx: Uint8Array,
  bytes: Uint8Array,
  mediaType: string,
): Promise<StoredReference> {
  const parsed = parseReferenceColumns(record, bytes, mediaType);
  if (parsed.target === null)
    return {
      v: 1,
      status: "skipped",
      note: "the reference has no target column: upload it with one to compare importance rankings",
    };
  const features = record.features.filter((f) => f.role === "feature");
  const truthOf = truthFunction(record);
  const keep: number[] = [];
  for (let i = 0; i < parsed.rows; i++) {
    const truth = truthOf(parsed.target[i] ?? null);
    if (Number.isNaN(truth)) continue;
    let complete = true;
    for (const f of features) if (Number.isNaN(codeOf(parsed.columns[f.name]![i], f.name))) complete = false;
    if (complete) keep.push(i);
  }
  if (keep.length < EXPLAIN_MIN_ROWS)
    return {
      v: 1,
      status: "skipped",
      note: `the reference has ${keep.length} rows with a target and every feature; importance needs at least ${EXPLAIN_MIN_ROWS}`,
    };
  const data: ExplainData = {
    columns: features.map((f) => {
      const values = parsed.columns[f.name]!;
      return Float64Array.from(keep, (i) => codeOf(values[i], f.name));
    }),
    labels: Float64Array.from(keep, (i) => truthOf(parsed.target![i] ?? null)),
    names: features.map((f) => f.name),
  };
  const random = seededRandom(fnv1a(`${record.name}/${version}/reference`)).uniform;
  const result = await runPermutation(record, onnx, data, random);
  return {
    v: 1,
    status: "ok",
    method: "permutation",
    scoring: result.scoring,
    baseline: result.baseline,
    rows: result.rows,
    importances: result.importances,
    ranking: rankingOf(result.importances),
  };
}

/**
 * The reference importance a window is compared with: the stored permutation importance of an ONNX
 * version's reference, or a linear version's from its reference profile.
 */
export async function referenceOf(
  store: Pick<Store, "getArtifact">,
  model: string,
  version: string,
  record: ModelRecord,
  linear: LinearMeta | null,
): Promise<ReferenceAnswer> {
  return linear === null
    ? await storedReferenceImportance(store, model, version)
    : await linearReference(store, model, version, record, linear);
}

async function storedReferenceImportance(
  store: Pick<Store, "getArtifact">,
  model: string,
  version: string,
): Promise<ReferenceAnswer> {
  const stored = await readStoredReference(store, model, version);
  if (stored === undefined) {
    const profile = await store.getArtifact(model, version, "reference-profile");
    return {
      importance: null,
      background: "",
      notes: [
        profile === undefined
          ? `no reference: PUT /v1/models/${model}/versions/${version}/reference with a target column for attribution drift`
          : "the reference was uploaded before its importance was computed: upload it again (with a target column) for attribution drift",
      ],
    };
  }
  if (stored.status === "skipped") return { importance: null, background: "", notes: [stored.note] };
  const { v: _v, status: _status, ...importance } = stored;
  return { importance, background: "", notes: [] };
}

/**
 * A linear model's reference importance, mean |wⱼ(xⱼ − E[xⱼ])| over the reference profile's values
 * (the profile keeps each numeric column's values), and the background the window is centred on.
 */
async function linearReference(
  store: Pick<Store, "getArtifact">,
  model: string,
  version: string,
  record: ModelRecord,
  linear: LinearMeta,
): Promise<ReferenceAnswer> {
  const bytes = await store.getArtifact(model, version, "reference-profile");
  if (bytes === undefined)
    return {
      importance: null,
      background: "window",
      notes: [
        "no reference: attributions are centred on the window's own means, and there is no attribution drift",
      ],
    };
  const profile = decodeReference(bytes);
  const features = linearFeatures(record, linear);
  const columns = features.map((name) => {
    const column = profile.columns.get(name);
    return column?.type === "numeric" ? column.sorted : new Float64Array(0);
  });
  if (columns.some((c) => c.length === 0))
    return {
      importance: null,
      background: "window",
      notes: ["the reference profile lacks a weighted feature: attributions are centred on the window"],
    };
  const importances = features.map((name, j) =>
    meanAbsAttribution(name, linear.weights.get(name)!, columns[j]!),
  );
  return {
    importance: {
      method: "linear",
      scoring: "mean_abs_attribution",
      baseline: null,
      rows: Math.min(...columns.map((c) => c.length)),
      importances,
      ranking: rankingOf(importances),
    },
    background: `reference:${fnv1a(bytes)}`,
    notes: [],
  };
}

/** The reference profile's mean of each named numeric column (NaN for a column it lacks): a linear window's E[x]. */
export async function referenceMeans(
  store: Pick<Store, "getArtifact">,
  model: string,
  version: string,
  names: readonly string[],
): Promise<Float64Array> {
  const profile = decodeReference((await store.getArtifact(model, version, "reference-profile"))!);
  return Float64Array.from(names, (name) => {
    const column = profile.columns.get(name);
    if (column?.type !== "numeric" || column.sorted.length === 0) return Number.NaN;
    let sum = 0;
    for (const v of column.sorted) sum += v;
    return sum / column.sorted.length;
  });
}
