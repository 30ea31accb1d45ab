import { TikTokToeError } from "../errors/index.js";
import {
  ATTRIBUTION_DRIFT_THRESHOLD,
  type BatchPredict,
  attributionDrift as compareRankings,
  type ExplainData,
  featureMeans,
  linearAttributions,
  PERMUTATION_MAX_ROWS,
  PERMUTATION_REPEATS,
  permutationImportance,
  rankDescending,
  type Scorer,
  type ScoringName,
} from "../explain/index.js";
import { featureValue, type IngestContext, parseEventBatch } from "../monitor/index.js";
import { seededRandom } from "../stats/index.js";
import type { ArtifactKind, LogBatch, ModelRecord, Store } from "../store/index.js";
import { openOnnxModel } from "./onnx-predict.js";
import { decodeReference, parseReferenceColumns } from "./reference.js";

/**
 * Explanations of a model version per window (issue #6; docs/explainability.md, "In the server"):
 * permutation importance from the window's labelled events in the ingest log, the model run through
 * onnxruntime-node from the version's ONNX artifact; exact attributions for a version registered with
 * linear weights; and attribution drift, the window's importance ranking against the reference's.
 *
 * Results are cached in the store per window and keyed by the window's label count (events for a
 * linear model), so a window recomputes when labels arrive and answers identically otherwise — also
 * after a restart, since every random draw comes from a seed of model, version and window start.
 */

/** Fewest usable rows an importance is computed on: fewer gives rankings that are mostly noise. */
export const EXPLAIN_MIN_ROWS = 30;

/**
 * The score permutation importance uses, per task (greater is better, scikit-learn's names):
 * a binary classifier's log loss on P(positive class), a multiclass classifier's accuracy of the
 * highest score, a regression's negative mean absolute error. Log loss rather than accuracy or ROC
 * AUC: on a near-perfect classifier those two barely move when a feature is shuffled, so the ranking is
 * mostly noise (on the breast-cancer MLP, two halves of the same data ranked by accuracy fell below
 * the attribution-drift threshold for 6 seeds in 20; by log loss for none).
 *
 * @example
 * ```ts
 * EXPLAIN_SCORING.binary; // "neg_log_loss"
 * ```
 */
export const EXPLAIN_SCORING = {
  binary: "neg_log_loss",
  multiclass: "accuracy",
  regression: "neg_mean_absolute_error",
} as const satisfies Record<ModelRecord["task"], ScoringName>;

/** One feature's global importance: permutation drop, or mean |attribution| of a linear model. */
export interface ImportanceEntry {
  readonly feature: string;
  readonly mean: number;
  readonly std: number;
}

/** The reference's importance, computed when the reference was uploaded (or from its profile). */
export interface ReferenceImportance {
  readonly method: "permutation" | "linear";
  readonly scoring: string;
  readonly baseline: number | null;
  readonly rows: number;
  readonly importances: readonly ImportanceEntry[];
  /** Feature names, most important first. */
  readonly ranking: readonly string[];
}

/** Attribution drift of a window against the reference (SageMaker Clarify's check). */
export interface AttributionDriftAnswer {
  readonly ndcg: number | null;
  readonly spearman: number | null;
  readonly k: number;
  readonly threshold: number;
  /** `ranking` (nDCG below the threshold) and/or `importance` (a top-3 feature's importance halved or doubled). */
  readonly reasons: ReadonlyArray<"ranking" | "importance">;
  readonly drifted: boolean;
  readonly topChanges: ReadonlyArray<{
    readonly feature: string;
    readonly reference: number;
    readonly current: number;
    readonly referenceRank: number;
    readonly currentRank: number;
  }>;
  /** Top-3 features whose importance halved or doubled, whatever their rank did. */
  readonly importanceChanges: AttributionDriftAnswer["topChanges"];
}

/** The answer of `GET /v1/models/{model}/windows/{start}/importance`. */
export interface ImportanceAnswer {
  readonly model: string;
  readonly version: string;
  readonly start: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly method: "permutation" | "linear";
  /** A scikit-learn scoring name, or `mean_abs_attribution` for a linear model. */
  readonly scoring: string;
  /** The unshuffled sample's score (permutation); the expected margin E[f(X)] (linear). */
  readonly baseline: number | null;
  /** Rows the importances were measured on (at most 2,000). */
  readonly rows: number;
  /** Shuffles per feature (permutation); 0 for exact linear attributions. */
  readonly repeats: number;
  /** The window's labelled events (events, for a linear model): the cache key. */
  readonly count: number;
  /** Of those, rows left out because a feature or the label was missing. */
  readonly skipped: number;
  /** One entry per explained feature, in schema order. */
  readonly importances: readonly ImportanceEntry[];
  /** Feature names, most important first (ties keep schema order). */
  readonly ranking: readonly string[];
  readonly reference: ReferenceImportance | null;
  readonly attributionDrift: AttributionDriftAnswer | null;
  /** What was left out and why (categorical features of a linear model, a missing reference…). */
  readonly notes: readonly string[];
}

/** A version's linear model as registered in its meta: `{linear: {weights: {feature: w}, bias}}`. */
interface LinearMeta {
  readonly weights: ReadonlyMap<string, number>;
  readonly bias: number;
}

/** The slice of the store explanations use. */
export type ExplanationStore = Pick<
  Store,
  | "readModelBatches"
  | "getVersion"
  | "listVersions"
  | "getArtifact"
  | "putArtifact"
  | "getDocument"
  | "putDocument"
>;

/** The slice of the monitor service explanations use: the registry and the window list. */
export interface ExplanationService {
  model(name: string): ModelRecord;
  windows(
    model: string,
    fromMs: number,
    toMs: number,
    version?: string,
  ): Promise<
    ReadonlyArray<{ readonly startMs: number; readonly endMs: number; readonly [key: string]: unknown }>
  >;
}

/** What is cached per window (the reference's importance is not part of it: it may be uploaded again). */
interface CachedWindow {
  readonly v: 1;
  readonly count: number;
  /** Linear models: which background centred the attributions (the reference profile's hash, or the window). */
  readonly background: string;
  readonly result: WindowResult;
}

type WindowResult = Pick<
  ImportanceAnswer,
  "method" | "scoring" | "baseline" | "rows" | "repeats" | "skipped" | "importances" | "notes"
>;

type StoredReference =
  | ({ readonly v: 1; readonly status: "ok" } & ReferenceImportance)
  | { readonly v: 1; readonly status: "skipped"; readonly note: string };

/** The reference's importance, stored with the version like its profile. */
const REFERENCE_KIND: ArtifactKind = "reference-importance";

/**
 * The document collection of a model's cached window explanations; documents are timed by the
 * window's start, so retention deletes them with the windows.
 */
export const explanationCollection = (model: string) => `explanations:${model}`;

/** A 32-bit FNV-1a hash: the seeds (and the profile fingerprint) of the explanations. */
function fnv1a(text: string | Uint8Array): number {
  let h = 2166136261;
  if (typeof text === "string") for (const c of text) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  else for (const b of text) h = Math.imul(h ^ b, 16777619);
  return h >>> 0;
}

/** Every log batch after `afterSequence`, oldest first, in pages. */
/** A model's log batches overlapping [fromMs, toMs) after a sequence: never a scan of the whole log. */
async function* logBatches(
  store: ExplanationStore,
  model: string,
  fromMs: number,
  toMs: number,
  afterSequence = 0,
): AsyncGenerator<LogBatch> {
  let after = afterSequence;
  for (;;) {
    const page = await store.readModelBatches(model, fromMs, toMs, after, 500);
    if (page.length === 0) return;
    for (const batch of page) {
      after = batch.sequence!;
      yield batch;
    }
  }
}

/**
 * Permutation importance, linear attributions and attribution drift of a model version's windows,
 * computed from the ingest log and cached in the store. `onReference` computes the reference's
 * importance from the uploaded rows (MonitorService calls it after storing a reference); final
 * windows are explained in the background by the `explanations` window-final consumer.
 *
 * @example
 * ```ts
 * const explanations = new Explanations(store, { model: registry.model, windows: reads.windows });
 * const answer = await explanations.windowImportance("cancer", "1", Date.parse("2024-01-01T00:00:00Z"));
 * answer.ranking[0]; // the feature the model leans on most in that window
 * ```
 */
export class Explanations {
  /** Computations under way, so concurrent requests for one window share the work. */
  private readonly running = new Map<string, Promise<WindowResult>>();
  /** Background explanations of final windows, one after another. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: ExplanationStore,
    private readonly service: ExplanationService,
    private readonly log: (message: string, error: unknown) => void = (message, error) =>
      console.error(`tiktoktoe: ${message}:`, error),
  ) {}

  /** The importance of one window of a version, with the reference's and the attribution drift. */
  async windowImportance(model: string, version: string, startMs: number): Promise<ImportanceAnswer> {
    const record = this.service.model(model);
    const stored = await this.store.getVersion(model, version);
    if (stored === undefined)
      throw new TikTokToeError("NOT_FOUND", `unknown version "${version}" of model "${model}"`, {
        path: version,
        hint: `register it with POST /v1/models/${model}/versions`,
      });
    const linear = linearMetaOf(record, stored.meta);
    const onnx = linear === null ? await this.store.getArtifact(model, version, "onnx") : undefined;
    if (linear === null && onnx === undefined)
      throw new TikTokToeError(
        "NOT_FOUND",
        `version "${version}" of model "${model}" has no ONNX artifact and no linear weights to explain`,
        {
          path: version,
          hint: "register a version with its ONNX model (onnx: base64) or with meta.linear {weights: {feature: w}, bias}; see docs/explainability.md",
        },
      );
    if (!Number.isFinite(startMs))
      throw new TikTokToeError("REQUEST_INVALID", "start must be ISO 8601 or epoch milliseconds", {
        path: "start",
      });
    const window = (await this.service.windows(model, startMs, startMs + 1, version)).find(
      (w) => w.startMs === startMs,
    );
    if (window === undefined)
      throw new TikTokToeError(
        "NOT_FOUND",
        `no window of version "${version}" starts at ${new Date(startMs).toISOString()}`,
        { path: "start", hint: `GET /v1/models/${model}/windows?version=${version} lists them` },
      );
    const count = Number((linear === null ? window.labels : window.events) ?? 0);
    if (count < EXPLAIN_MIN_ROWS) throw tooFew(model, version, startMs, count, linear === null);

    const reference =
      linear === null
        ? await this.referenceImportance(model, version)
        : await this.linearReference(model, version, record, linear);
    const background = linear === null ? "" : reference.background;
    const key = `${model}\u0000${version}\u0000${startMs}\u0000${count}\u0000${background}`;
    let computing = this.running.get(key);
    if (computing === undefined) {
      computing = this.cachedOrCompute(record, version, window, count, background, linear, onnx, reference);
      this.running.set(key, computing);
      computing.finally(() => this.running.delete(key)).catch(() => undefined);
    }
    const result = await computing;
    const referenceAnswer = reference.importance;
    const notes = [...result.notes, ...reference.notes];
    return {
      model,
      version,
      start: new Date(startMs).toISOString(),
      startMs,
      endMs: window.endMs,
      ...result,
      count,
      ranking: rankingOf(result.importances),
      reference: referenceAnswer,
      attributionDrift: referenceAnswer === null ? null : driftOf(referenceAnswer, result.importances),
      notes,
    };
  }

  /**
   * Explains a final window (the window-final consumer's work): fills the cache that
   * {@link cachedAttribution} reads. Versions with nothing to explain and windows with too few labels
   * are done quietly; a failure is logged and the window left to be explained on request (a window
   * that always fails must not stop the ones after it).
   */
  async explainFinal(model: string, version: string, startMs: number): Promise<void> {
    try {
      await this.windowImportance(model, version, startMs);
    } catch (error) {
      if (!(error instanceof TikTokToeError && error.expected))
        this.log(`explaining ${model} v${version} at ${new Date(startMs).toISOString()} failed`, error);
    }
  }

  /** Runs `work` on the background queue, after what was queued before it ({@link idle} waits for it). */
  inBackground(work: () => Promise<void>): void {
    this.queue = this.queue
      .then(work)
      .catch((error: unknown) => this.log("background explanations failed", error));
  }

  /** Waits for the background explanations queued so far (tests, shutdown). */
  async idle(): Promise<void> {
    await this.queue;
  }

  /**
   * The attribution drift of a window from the cache only (never computes): null when the window was
   * not explained or the version has no reference importance. For health, which must stay cheap.
   */
  async cachedAttribution(
    model: string,
    version: string,
    startMs: number,
  ): Promise<AttributionDriftAnswer | null> {
    try {
      const document = await this.store.getDocument(explanationCollection(model), `${version}/${startMs}`);
      if (document === undefined) return null;
      const entry = JSON.parse(document.body) as CachedWindow;
      const record = this.service.model(model);
      const stored = await this.store.getVersion(model, version);
      const linear = linearMetaOf(record, stored?.meta ?? {});
      const reference =
        linear === null
          ? await this.referenceImportance(model, version)
          : await this.linearReference(model, version, record, linear);
      return reference.importance === null ? null : driftOf(reference.importance, entry.result.importances);
    } catch {
      return null;
    }
  }

  /**
   * After a reference upload (MonitorService calls it): when the version has an ONNX artifact and the upload a target
   * column, computes the reference's permutation importance from the uploaded rows and stores it.
   * Never throws: the reference is stored already, and a failure here leaves a note instead.
   */
  async onReference(model: string, version: string, bytes: Uint8Array, mediaType: string): Promise<void> {
    let stored: StoredReference;
    try {
      const record = this.service.model(model);
      const onnx = await this.store.getArtifact(model, version, "onnx");
      if (onnx === undefined) return;
      stored = await this.computeReference(record, version, onnx, bytes, mediaType);
    } catch (error) {
      this.log(`computing the reference importance of ${model} version ${version} failed`, error);
      stored = {
        v: 1,
        status: "skipped",
        note: `the reference's importance could not be computed: ${(error as Error).message}`,
      };
    }
    try {
      await this.store.putArtifact(model, version, REFERENCE_KIND, Buffer.from(JSON.stringify(stored)));
    } catch (error) {
      this.log(`storing the reference importance of ${model} version ${version} failed`, error);
    }
  }

  private async computeReference(
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
      for (const f of features)
        if (Number.isNaN(codeOf(parsed.columns[f.name]![i], f.name))) complete = false;
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

  private async referenceImportance(
    model: string,
    version: string,
  ): Promise<{ importance: ReferenceImportance | null; notes: string[]; background: string }> {
    const bytes = await this.store.getArtifact(model, version, REFERENCE_KIND);
    if (bytes === undefined) {
      const profile = await this.store.getArtifact(model, version, "reference-profile");
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
    const stored = JSON.parse(Buffer.from(bytes).toString("utf8")) as StoredReference;
    if (stored.status === "skipped") return { importance: null, background: "", notes: [stored.note] };
    const { v: _v, status: _status, ...importance } = stored;
    return { importance, background: "", notes: [] };
  }

  /**
   * A linear model's reference importance, mean |wⱼ(xⱼ − E[xⱼ])| over the reference profile's values
   * (the profile keeps each numeric column's values), and the background the window is centred on.
   */
  private async linearReference(
    model: string,
    version: string,
    record: ModelRecord,
    linear: LinearMeta,
  ): Promise<{ importance: ReferenceImportance | null; notes: string[]; background: string }> {
    const bytes = await this.store.getArtifact(model, version, "reference-profile");
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

  private async cachedOrCompute(
    record: ModelRecord,
    version: string,
    window: { readonly startMs: number; readonly endMs: number },
    count: number,
    background: string,
    linear: LinearMeta | null,
    onnx: Uint8Array | undefined,
    reference: { importance: ReferenceImportance | null },
  ): Promise<WindowResult> {
    const cacheKey = `${version}/${window.startMs}`;
    const cached = await this.store.getDocument(explanationCollection(record.name), cacheKey);
    if (cached !== undefined) {
      const entry = JSON.parse(cached.body) as CachedWindow;
      if (entry.v === 1 && entry.count === count && entry.background === background) return entry.result;
    }
    const random = seededRandom(fnv1a(`${record.name}/${version}/${window.startMs}`)).uniform;
    let result: WindowResult;
    if (linear !== null) {
      const names = linearFeatures(record, linear);
      const rows = await this.windowRows(record, version, window, names, false, random);
      if (rows.labels.length < EXPLAIN_MIN_ROWS)
        throw tooFew(record.name, version, window.startMs, rows.labels.length, false);
      const weights = names.map((name) => linear.weights.get(name)!);
      const means =
        reference.importance === null
          ? featureMeans(rows.columns)
          : await this.referenceMeans(record.name, version, names);
      const attributions = linearAttributions({ weights, bias: linear.bias }, rows.columns, means);
      const importances = names.map((feature, j) => {
        const mean = attributions.importance[j]!;
        let variance = 0;
        for (const phi of attributions.attributions[j]!) variance += (Math.abs(phi) - mean) ** 2;
        return { feature, mean, std: Math.sqrt(variance / rows.labels.length) };
      });
      result = {
        method: "linear",
        scoring: "mean_abs_attribution",
        baseline: attributions.expectedValue,
        rows: rows.labels.length,
        repeats: 0,
        skipped: rows.skipped,
        importances,
        notes: linearNotes(record, linear),
      };
    } else {
      const names = record.features.filter((f) => f.role === "feature").map((f) => f.name);
      const rows = await this.windowRows(record, version, window, names, true, random);
      if (rows.labels.length < EXPLAIN_MIN_ROWS)
        throw tooFew(record.name, version, window.startMs, rows.labels.length, true);
      const permutation = await runPermutation(
        record,
        onnx!,
        { columns: rows.columns, labels: rows.labels, names },
        random,
      );
      result = {
        method: "permutation",
        scoring: permutation.scoring,
        baseline: permutation.baseline,
        rows: permutation.rows,
        repeats: permutation.repeats,
        skipped: rows.skipped,
        importances: permutation.importances,
        notes:
          rows.skipped > 0
            ? [`${rows.skipped} labelled rows with a missing feature value were left out`]
            : [],
      };
    }
    const entry: CachedWindow = { v: 1, count, background, result };
    await this.store.putDocument({
      collection: explanationCollection(record.name),
      key: cacheKey,
      timeMs: window.startMs,
      body: JSON.stringify(entry),
    });
    return result;
  }

  private async referenceMeans(
    model: string,
    version: string,
    names: readonly string[],
  ): Promise<Float64Array> {
    const profile = decodeReference((await this.store.getArtifact(model, version, "reference-profile"))!);
    return Float64Array.from(names, (name) => {
      const column = profile.columns.get(name);
      if (column?.type !== "numeric" || column.sorted.length === 0) return Number.NaN;
      let sum = 0;
      for (const v of column.sorted) sum += v;
      return sum / column.sorted.length;
    });
  }

  /**
   * The window's rows from the ingest log, in two passes so that memory holds ids, not features: the
   * first collects the ids of the version's events in the window (skipping event batches whose time
   * range misses it) and joins their labels; at most 2,000 are drawn (seeded); the second reads just
   * those events' features. `needLabels` false (linear models) takes every event.
   */
  private async windowRows(
    record: ModelRecord,
    version: string,
    window: { readonly startMs: number; readonly endMs: number },
    names: readonly string[],
    needLabels: boolean,
    random: () => number,
  ): Promise<{ columns: Float64Array[]; labels: Float64Array; skipped: number }> {
    const { startMs, endMs } = window;
    const versions = new Set((await this.store.listVersions(record.name)).map((v) => v.version));
    const context = (batch: LogBatch): IngestContext => ({
      task: record.task,
      columns: new Map(record.features.map((f) => [f.name, f.type])),
      versions,
      ...(record.classes === undefined ? {} : { classes: record.classes }),
      oldestAcceptedMs: Number.NEGATIVE_INFINITY,
      newestAcceptedMs: Number.POSITIVE_INFINITY,
      nowMs: batch.receivedMs,
    });
    const overlaps = (batch: LogBatch) =>
      batch.model === record.name &&
      batch.kind === "events" &&
      batch.maxEventMs >= startMs &&
      batch.minEventMs < endMs;
    const eventsOf = (batch: LogBatch) => {
      const parsed = parseEventBatch(Buffer.from(batch.payload).toString("utf8"), "ndjson", context(batch));
      if (!parsed.ok)
        throw new Error(`log batch ${batch.sequence} does not parse: ${JSON.stringify(parsed.problems[0])}`);
      return parsed.records.filter((e) => e.version === version && e.timeMs >= startMs && e.timeMs < endMs);
    };

    // Pass 1: ids in log order, with their truth (NaN until labelled).
    const truthOf = truthFunction(record);
    const truth = new Map<string, number>();
    let first = -1;
    let last = -1;
    for await (const batch of logBatches(this.store, record.name, startMs, endMs)) {
      if (!overlaps(batch)) continue;
      const events = eventsOf(batch);
      if (events.length === 0) continue;
      if (first < 0) first = batch.sequence!;
      last = batch.sequence!;
      for (const e of events) truth.set(e.id, Number.NaN);
    }
    // Labels come after their events, at any later time: the label batches after the first event's.
    if (needLabels && truth.size > 0)
      for await (const batch of logBatches(
        this.store,
        record.name,
        Number.NEGATIVE_INFINITY,
        Number.POSITIVE_INFINITY,
        first - 1,
      )) {
        if (batch.kind !== "labels") continue;
        for (const line of Buffer.from(batch.payload).toString("utf8").split("\n")) {
          if (line === "") continue;
          const { label } = JSON.parse(line) as { label: { id: string; value: string | number } };
          if (truth.has(label.id)) truth.set(label.id, truthOf(label.value));
        }
      }
    const candidates: string[] = [];
    let skipped = 0;
    for (const [id, value] of truth) {
      if (!needLabels || !Number.isNaN(value)) candidates.push(id);
    }
    const chosen = sampleIds(candidates, PERMUTATION_MAX_ROWS, random);

    // Pass 2: the chosen events' features, in log order.
    const columns = names.map(() => [] as number[]);
    const labels: number[] = [];
    if (chosen.size > 0)
      for await (const batch of logBatches(this.store, record.name, startMs, endMs, first - 1)) {
        if (batch.sequence! > last) break;
        if (!overlaps(batch)) continue;
        for (const event of eventsOf(batch)) {
          if (!chosen.has(event.id)) continue;
          const row = names.map((name) => codeOf(featureValue(event.features, name) ?? null, name));
          if (row.some(Number.isNaN)) {
            skipped++;
            continue;
          }
          for (const [j, v] of row.entries()) columns[j]!.push(v);
          labels.push(needLabels ? truth.get(event.id)! : 0);
        }
      }
    return { columns: columns.map((c) => Float64Array.from(c)), labels: Float64Array.from(labels), skipped };
  }
}

function tooFew(model: string, version: string, startMs: number, count: number, labelled: boolean) {
  const what = labelled ? "labelled events" : "events";
  return new TikTokToeError(
    "NOT_FOUND",
    `the window of version "${version}" at ${new Date(startMs).toISOString()} has ${count} usable ${what}; importance needs at least ${EXPLAIN_MIN_ROWS}`,
    {
      path: "start",
      hint: labelled
        ? `send the events' labels with POST /v1/models/${model}/labels, or pick a window with more of them`
        : "pick a window with more events",
    },
  );
}

/** The version's linear model from its meta, or null; a malformed one is the client's error. */
function linearMetaOf(record: ModelRecord, meta: Readonly<Record<string, unknown>>): LinearMeta | null {
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
function linearFeatures(record: ModelRecord, linear: LinearMeta): string[] {
  return record.features
    .filter((f) => f.role === "feature" && f.type === "numeric" && linear.weights.has(f.name))
    .map((f) => f.name);
}

function linearNotes(record: ModelRecord, linear: LinearMeta): string[] {
  const left = record.features.filter(
    (f) => f.role === "feature" && (f.type !== "numeric" || !linear.weights.has(f.name)),
  );
  if (left.length === 0) return [];
  return [`left out (categorical, or no weight in meta.linear): ${left.map((f) => f.name).join(", ")}`];
}

/** mean and standard deviation of |w(x − mean x)| over a column. */
function meanAbsAttribution(feature: string, w: number, values: Float64Array): ImportanceEntry {
  const means = featureMeans([values]);
  const phi = linearAttributions({ weights: [w], bias: 0 }, [values], means);
  const mean = phi.importance[0]!;
  let variance = 0;
  for (const a of phi.attributions[0]!) variance += (Math.abs(a) - mean) ** 2;
  return { feature, mean, std: Math.sqrt(variance / values.length) };
}

/**
 * A label (or a reference target) as the number the scorer compares with: a binary classifier's
 * positive class (the second declared) is 1, the other 0; a multiclass label is its class index; a
 * regression target its value. NaN for anything else (a label that is not a declared class).
 */
function truthFunction(record: ModelRecord): (value: number | string | null) => number {
  if (record.task === "regression")
    return (value) => (value === null || value === "" ? Number.NaN : Number(value));
  const classes = record.classes ?? [];
  if (record.task === "binary")
    return (value) =>
      value === null
        ? Number.NaN
        : String(value) === classes[1]
          ? 1
          : String(value) === classes[0]
            ? 0
            : Number.NaN;
  return (value) => {
    const i = value === null ? -1 : classes.indexOf(String(value));
    return i < 0 ? Number.NaN : i;
  };
}

/**
 * A feature value as the ONNX model takes it (docs/configuration.md: categorical values as numeric
 * codes, as for the reference's predictions); NaN when missing. Text that is no number cannot be fed.
 */
function codeOf(value: number | string | null | undefined, feature: string): number {
  if (value === null || value === undefined) return Number.NaN;
  if (typeof value === "number") return value;
  const code = value.trim() === "" ? Number.NaN : Number(value);
  if (Number.isNaN(code))
    throw new TikTokToeError(
      "REQUEST_INVALID",
      `feature "${feature}" must hold numeric codes to feed the ONNX model, not "${value}"`,
      { path: feature, hint: "encode the categories as numbers in the events and the reference" },
    );
  return code;
}

/** At most `size` ids drawn without replacement (Floyd's algorithm), kept in their order. */
function sampleIds(ids: readonly string[], size: number, random: () => number): Set<string> {
  if (ids.length <= size) return new Set(ids);
  const chosen = new Set<number>();
  for (let j = ids.length - size; j < ids.length; j++) {
    const t = Math.min(Math.floor(random() * (j + 1)), j);
    chosen.add(chosen.has(t) ? j : t);
  }
  return new Set([...chosen].sort((a, b) => a - b).map((i) => ids[i]!));
}

/** Mean accuracy of class indices (the multiclass scorer: predict returns the highest score's index). */
const indexAccuracy: Scorer = (truth, predicted) => {
  let right = 0;
  for (let i = 0; i < truth.length; i++) if (truth[i] === predicted[i]) right++;
  return right / truth.length;
};

/**
 * Runs permutation importance with the version's ONNX model, fed as the server feeds it
 * (onnx-predict.ts: one float32 [rows, features] input in schema order, the first output). A binary
 * model's output is read as probabilities when each row's two scores lie in [0, 1] and sum to 1, else
 * as logits (softmax); P(positive) is the second class's.
 */
async function runPermutation(
  record: ModelRecord,
  onnx: Uint8Array,
  data: ExplainData,
  random: () => number,
): Promise<{
  scoring: string;
  baseline: number;
  rows: number;
  repeats: number;
  importances: ImportanceEntry[];
}> {
  const classes = record.classes?.length ?? 0;
  if (record.task !== "regression" && classes < 2)
    throw new TikTokToeError("REQUEST_INVALID", "a classifier needs its classes declared to be explained", {
      path: "classes",
    });
  const session = await openOnnxModel(onnx);
  const predict: BatchPredict = async (rows, n, features) => {
    const input = rows instanceof Float32Array ? rows : Float32Array.from(rows);
    let out: Float32Array;
    try {
      out = await session.run(input, n, features);
    } catch (error) {
      throw new TikTokToeError(
        "REQUEST_INVALID",
        `the ONNX model does not run on the window: ${(error as Error).message}`,
        { cause: error, hint: "the model must take float32 [rows, features] in schema order" },
      );
    }
    const width = out.length / n;
    const expected = record.task === "regression" ? 1 : classes;
    if (width !== expected)
      throw new TikTokToeError(
        "REQUEST_INVALID",
        `the ONNX model's first output has ${width} values per row; ${record.task === "regression" ? "a regression has 1" : `the model declares ${classes} classes`}`,
      );
    if (record.task === "regression") return Float64Array.from(out);
    if (record.task === "binary")
      return Float64Array.from({ length: n }, (_, i) => {
        const s0 = out[2 * i]!;
        const s1 = out[2 * i + 1]!;
        const probabilities = s0 >= 0 && s1 >= 0 && s0 <= 1 && s1 <= 1 && Math.abs(s0 + s1 - 1) < 1e-4;
        return probabilities ? s1 : 1 / (1 + Math.exp(s0 - s1));
      });
    return Float64Array.from({ length: n }, (_, i) => {
      let best = 0;
      for (let c = 1; c < width; c++) if (out[i * width + c]! > out[i * width + best]!) best = c;
      return best;
    });
  };
  try {
    const scoring = EXPLAIN_SCORING[record.task];
    const result = await permutationImportance(data, predict, {
      scoring: record.task === "multiclass" ? indexAccuracy : scoring,
      random,
      repeats: PERMUTATION_REPEATS,
      maxRows: PERMUTATION_MAX_ROWS,
      dtype: "float32",
    });
    return {
      scoring,
      baseline: result.baseline,
      rows: result.rows,
      repeats: result.repeats,
      importances: result.importances.map((f) => ({ feature: f.name, mean: f.mean, std: f.std })),
    };
  } finally {
    await session.release();
  }
}

/** Feature names by mean importance, largest first; ties keep schema order. */
function rankingOf(importances: readonly ImportanceEntry[]): string[] {
  return Array.from(rankDescending(importances.map((f) => f.mean)), (j) => importances[j]!.feature);
}

/** Attribution drift of the window against the reference, over the features both explain. */
function driftOf(
  reference: ReferenceImportance,
  current: readonly ImportanceEntry[],
): AttributionDriftAnswer | null {
  const byName = new Map(reference.importances.map((f) => [f.feature, f.mean]));
  const shared = current.filter((f) => byName.has(f.feature));
  if (shared.length === 0) return null;
  const drift = compareRankings(
    shared.map((f) => byName.get(f.feature)!),
    shared.map((f) => f.mean),
    { names: shared.map((f) => f.feature), threshold: ATTRIBUTION_DRIFT_THRESHOLD },
  );
  return {
    ndcg: drift.ndcg,
    spearman: drift.spearman,
    k: drift.k,
    threshold: ATTRIBUTION_DRIFT_THRESHOLD,
    reasons: drift.reasons,
    drifted: drift.drifted,
    topChanges: drift.topChanges.map((c) => ({
      feature: c.name,
      reference: c.reference,
      current: c.current,
      referenceRank: c.referenceRank,
      currentRank: c.currentRank,
    })),
    importanceChanges: drift.importanceChanges.map((c) => ({
      feature: c.name,
      reference: c.reference,
      current: c.current,
      referenceRank: c.referenceRank,
      currentRank: c.currentRank,
    })),
  };
}
