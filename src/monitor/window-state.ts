import { type FairnessReport, fairnessReport, GroupConfusionAccumulator } from "../fairness/index.js";
import {
  BinaryClassificationAccumulator,
  CbpeAccumulator,
  type CbpeResult,
  type IsotonicRegression,
  MulticlassClassificationAccumulator,
  RegressionAccumulator,
} from "../metrics/index.js";
import { DDSketch, Reservoir } from "../sketches/index.js";
import { type RandomState, randomFromState, type SeededRandom, seededRandom } from "../stats/random.js";
import { featureValue, type LabelRecord, type PredictionEvent } from "./records.js";

/** What a window needs to know about its model. */
export interface WindowModel {
  readonly task: "binary" | "multiclass" | "regression";
  /** Class labels of a classifier, in score order; a binary model's positive class is the second. */
  readonly classes?: readonly string[];
  /** Numeric schema columns, sampled by the reservoir. */
  readonly numeric: readonly string[];
  /** Categorical schema columns, counted exactly (up to {@link MAX_CATEGORIES} each). */
  readonly categorical: readonly string[];
  /** Rows the feature sample keeps (exact below it). Default 10,000. */
  readonly sampleCapacity?: number;
  /** Sensitive attributes (categorical schema columns): group fairness per window, binary models. */
  readonly sensitive?: readonly string[];
  /**
   * Schema columns kept in the window (sampled or counted like the others) but not drift-tested:
   * the schema's `drift: false` columns. They are in no multiple-testing family.
   */
  readonly untested?: readonly string[];
}

/** Distinct values counted per categorical column; further new values are counted as "(other)". */
export const MAX_CATEGORIES = 10_000;
const OTHER = "(other)";

type Quality = BinaryClassificationAccumulator | MulticlassClassificationAccumulator | RegressionAccumulator;

/** Counts of one categorical column. */
interface Counts {
  readonly values: Map<string, number>;
  missing: number;
}

/** The stored form of a {@link WindowState} (version 1). */
export interface WindowStateJson {
  readonly version: 1;
  readonly seed: number;
  readonly events: number;
  readonly labels: number;
  readonly latency: unknown;
  readonly quality: unknown;
  readonly sample: unknown;
  readonly targetSample: unknown;
  readonly categorical: Record<string, { values: Array<[string, number]>; missing: number }>;
  /** Per-group confusion counts (binary models with sensitive attributes); absent in older windows. */
  readonly fairness?: unknown;
  /** Expected confusion counts from calibrated scores (CBPE); absent in older windows. */
  readonly cbpe?: unknown;
  /**
   * The samplers' generator states, so a restored window draws what it would have drawn had it stayed
   * in memory (a restart then changes no sample). Absent in older windows.
   */
  readonly random?: { readonly sample: RandomState; readonly targetSample: RandomState | null };
}

/** Latency quantiles of a window (DDSketch: each within 1% of the exact lower quantile), null when empty. */
export interface LatencySummary {
  readonly count: number;
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
  readonly max: number | null;
}

/**
 * Everything one event-time window keeps, bounded whatever the traffic:
 * - counts of events and labels;
 * - latency in a DDSketch (relative error 1%, 2,048 buckets);
 * - quality accumulators (confusion counts, ROC pairs or histogram, log loss; or regression sums);
 * - a uniform sample of the numeric columns and a numeric prediction (exact below its capacity),
 *   and one of the labels of a regression model;
 * - exact counts of each categorical column, a class prediction and class labels.
 *
 * Pure: randomness comes from a seed (so the same events give the same sample), time from events.
 *
 * @example
 * ```ts
 * const window = WindowState.create(model, 42);
 * window.addEvent(event);
 * window.addLabel(event, label);
 * window.summary();
 * ```
 */
export class WindowState {
  private events = 0;
  private labels = 0;

  private constructor(
    readonly model: WindowModel,
    private readonly seed: number,
    private readonly latency: DDSketch,
    private readonly quality: Quality,
    /** numeric columns, then the prediction when it is numeric */
    private readonly sample: Reservoir,
    private readonly targetSample: Reservoir | null,
    private readonly categorical: Map<string, Counts>,
    private readonly fairness: GroupConfusionAccumulator | null,
    private readonly cbpe: CbpeAccumulator | null,
    private readonly sampleRandom: SeededRandom,
    private readonly targetRandom: SeededRandom | null,
  ) {}

  /** An empty window; `seed` makes its sampling reproducible (derive it from model and window start). */
  static create(model: WindowModel, seed: number, calibrator: IsotonicRegression | null = null): WindowState {
    const random = seededRandom(seed);
    const targetRandom = model.task === "regression" ? seededRandom(seed + 1) : null;
    const regression = model.task === "regression";
    const categorical = new Map<string, Counts>();
    for (const column of model.categorical) categorical.set(column, { values: new Map(), missing: 0 });
    if (!regression) {
      categorical.set(PREDICTION, { values: new Map(), missing: 0 });
      categorical.set(TARGET, { values: new Map(), missing: 0 });
    }
    return new WindowState(
      model,
      seed,
      new DDSketch(),
      newQuality(model),
      new Reservoir({
        columns: model.numeric.length + (regression ? 1 : 0),
        capacity: model.sampleCapacity ?? 10_000,
        random: random.uniform,
      }),
      targetRandom === null
        ? null
        : new Reservoir({
            columns: 1,
            capacity: model.sampleCapacity ?? 10_000,
            random: targetRandom.uniform,
          }),
      categorical,
      newFairness(model),
      model.task === "binary" ? new CbpeAccumulator({ calibrator }) : null,
      random,
      targetRandom,
    );
  }

  /** Counts an event and samples its values. */
  addEvent(event: PredictionEvent): void {
    this.events++;
    this.quality.addEvents(1);
    if (event.latencyMs !== null) this.latency.add(event.latencyMs);
    const slot = this.sample.offer();
    if (slot >= 0) {
      this.model.numeric.forEach((column, c) => {
        const value = featureValue(event.features, column);
        this.sample.set(slot, c, typeof value === "number" ? value : Number.NaN);
      });
      if (this.model.task === "regression")
        this.sample.set(
          slot,
          this.model.numeric.length,
          typeof event.prediction === "number" ? event.prediction : Number.NaN,
        );
    }
    for (const column of this.model.categorical)
      count(this.categorical.get(column)!, featureValue(event.features, column) ?? null);
    if (this.model.task !== "regression") count(this.categorical.get(PREDICTION)!, event.prediction);
    if (this.model.task === "binary") {
      const positive = String(event.prediction) === this.model.classes![1];
      this.fairness?.add(groupsOf(this.model, event.features), null, positive);
      const score = event.scores?.[1];
      // CBPE needs the positive class's score; a score outside [0, 1] without a calibrator is skipped
      // rather than thrown (the ingest already accepted the event).
      if (this.cbpe !== null && typeof score === "number" && Number.isFinite(score)) {
        try {
          this.cbpe.add(score, positive);
        } catch {
          // not a probability and no calibrator to map it
        }
      }
    }
  }

  /** Adds the label of an event of this window (the caller joins them by id). */
  addLabel(
    event: Pick<PredictionEvent, "prediction" | "scores"> & {
      readonly groups?: Readonly<Record<string, string | null>>;
    },
    label: LabelRecord,
  ): void {
    this.labels++;
    if (this.quality instanceof RegressionAccumulator) {
      if (typeof label.value === "number" && typeof event.prediction === "number")
        this.quality.addLabel(label.value, event.prediction);
      this.targetSample?.add([typeof label.value === "number" ? label.value : Number.NaN]);
      return;
    }
    const truth = String(label.value);
    const predicted = String(event.prediction);
    if (this.quality instanceof BinaryClassificationAccumulator) {
      this.quality.addLabel(truth, predicted, event.scores?.[1]);
      if (this.fairness !== null && event.groups !== undefined) {
        const positive = this.model.classes![1];
        this.fairness.label(event.groups, truth === positive, predicted === positive);
      }
    } else this.quality.addLabel(truth, predicted, event.scores ?? undefined);
    count(this.categorical.get(TARGET)!, truth);
  }

  /** Folds another window of the same model into this one (e.g. hours into a day). */
  merge(other: WindowState): this {
    this.events += other.events;
    this.labels += other.labels;
    this.latency.merge(other.latency);
    (this.quality as { merge(o: Quality): unknown }).merge(other.quality);
    this.sample.merge(other.sample);
    if (this.targetSample !== null && other.targetSample !== null)
      this.targetSample.merge(other.targetSample);
    for (const [column, counts] of other.categorical) {
      const mine = this.categorical.get(column)!;
      mine.missing += counts.missing;
      for (const [value, n] of counts.values) add(mine, value, n);
    }
    if (this.fairness !== null && other.fairness !== null) this.fairness.merge(other.fairness);
    if (this.cbpe !== null && other.cbpe !== null) this.cbpe.merge(other.cbpe);
    return this;
  }

  /** Event and label counts, quality metrics and latency quantiles. */
  summary(): { events: number; labels: number; quality: Record<string, unknown>; latency: LatencySummary } {
    const empty = this.latency.count === 0;
    const q = (p: number) => (empty ? null : this.latency.quantile(p));
    return {
      events: this.events,
      labels: this.labels,
      quality: this.quality.result() as unknown as Record<string, unknown>,
      latency: {
        count: this.latency.count,
        p50: q(0.5),
        p95: q(0.95),
        p99: q(0.99),
        max: empty ? null : this.latency.max,
      },
    };
  }

  /** Group fairness of the window's events and labels (null: not a binary model with sensitive attributes). */
  fairnessReport(): FairnessReport | null {
    return this.fairness === null ? null : fairnessReport(this.fairness);
  }

  /** Label-free estimates from the window's scores (CBPE); null for other tasks or without scores. */
  estimate(): CbpeResult | null {
    if (this.cbpe === null) return null;
    const result = this.cbpe.result();
    return result.rows === 0 ? null : result;
  }

  /** How many latencies the window holds and their sum in ms (exact): a Prometheus summary's `_count` and `_sum`. */
  latencyTotals(): { count: number; sumMs: number } {
    return { count: this.latency.count, sumMs: this.latency.sum };
  }

  /** A latency quantile (q in [0, 1]) within 1% of the exact lower quantile; null without latencies. */
  latencyQuantile(q: number): number | null {
    return this.latency.count === 0 ? null : this.latency.quantile(q);
  }

  /** The sampled values of a numeric column (NaN = missing), or of the numeric prediction / target. */
  numericColumn(column: string | typeof PREDICTION | typeof TARGET): Float64Array {
    if (column === TARGET) return this.targetSample?.column(0) ?? new Float64Array(0);
    const index = column === PREDICTION ? this.model.numeric.length : this.model.numeric.indexOf(column);
    if (index < 0 || index >= this.sample.columns)
      throw new RangeError(`no numeric column "${String(column)}" in this window`);
    return this.sample.column(index);
  }

  /** Exact counts of a categorical column (or of a class prediction / class labels). */
  categoryCounts(column: string): { values: ReadonlyMap<string, number>; missing: number } {
    const counts = this.categorical.get(column);
    if (counts === undefined) throw new RangeError(`no categorical column "${column}" in this window`);
    return counts;
  }

  /** Whether every event of the window is in the sample (then its drift statistics are exact). */
  get exact(): boolean {
    return this.sample.seen === this.sample.size;
  }

  toJSON(): WindowStateJson {
    // Without a prototype, a column named `__proto__` is a key like any other.
    const categorical: WindowStateJson["categorical"] = Object.create(null);
    for (const [column, counts] of this.categorical)
      categorical[column] = { values: [...counts.values], missing: counts.missing };
    return {
      version: 1,
      seed: this.seed,
      events: this.events,
      labels: this.labels,
      latency: this.latency.toJSON(),
      quality: this.quality.toJSON(),
      sample: this.sample.toJSON(),
      targetSample: this.targetSample?.toJSON() ?? null,
      categorical,
      ...(this.fairness === null ? {} : { fairness: this.fairness.toJSON() }),
      ...(this.cbpe === null ? {} : { cbpe: this.cbpe.toJSON() }),
      random: { sample: this.sampleRandom.state(), targetSample: this.targetRandom?.state() ?? null },
    };
  }

  /**
   * Restores a stored window; its samplers continue the stored generators, so the window ends as it
   * would have without the round trip (older windows without the states get fresh generators).
   */
  static fromJSON(
    json: WindowStateJson,
    model: WindowModel,
    calibrator: IsotonicRegression | null = null,
  ): WindowState {
    const random =
      json.random === undefined ? seededRandom(json.seed ^ 0x5bd1e995) : randomFromState(json.random.sample);
    const targetRandom =
      json.targetSample === null
        ? null
        : json.random?.targetSample === undefined || json.random.targetSample === null
          ? seededRandom(json.seed ^ 0x27d4eb2f)
          : randomFromState(json.random.targetSample);
    const quality =
      model.task === "regression"
        ? RegressionAccumulator.fromJSON(json.quality)
        : model.task === "binary"
          ? BinaryClassificationAccumulator.fromJSON(json.quality)
          : MulticlassClassificationAccumulator.fromJSON(json.quality);
    const categorical = new Map<string, Counts>();
    for (const [column, counts] of Object.entries(json.categorical))
      categorical.set(column, { values: new Map(counts.values), missing: counts.missing });
    const state = new WindowState(
      model,
      json.seed,
      DDSketch.fromJSON(json.latency),
      quality,
      Reservoir.fromJSON(json.sample, random.uniform),
      json.targetSample === null || targetRandom === null
        ? null
        : Reservoir.fromJSON(json.targetSample, targetRandom.uniform),
      categorical,
      json.fairness === undefined ? newFairness(model) : GroupConfusionAccumulator.fromJSON(json.fairness),
      model.task !== "binary"
        ? null
        : json.cbpe === undefined
          ? new CbpeAccumulator({ calibrator })
          : CbpeAccumulator.fromJSON(json.cbpe, calibrator),
      random,
      targetRandom,
    );
    state.events = json.events;
    state.labels = json.labels;
    return state;
  }
}

/** Column key of a classifier's predicted class in {@link WindowState.categoryCounts}. */
export const PREDICTION = "(prediction)";
/** Column key of the labels (target). */
export const TARGET = "(target)";

function newQuality(model: WindowModel): Quality {
  if (model.task === "regression") return new RegressionAccumulator();
  const classes = model.classes ?? [];
  if (model.task === "binary") {
    if (classes.length !== 2) throw new RangeError("a binary model declares exactly two classes");
    return new BinaryClassificationAccumulator({ negative: classes[0]!, positive: classes[1]! });
  }
  return new MulticlassClassificationAccumulator(classes.length > 0 ? { classes } : {});
}

function newFairness(model: WindowModel): GroupConfusionAccumulator | null {
  const sensitive = model.sensitive ?? [];
  return model.task === "binary" && sensitive.length > 0
    ? new GroupConfusionAccumulator({ attributes: sensitive })
    : null;
}

/** The sensitive attributes of an event, as group values (numbers as their text). */
export function groupsOf(
  model: Pick<WindowModel, "sensitive">,
  features: Readonly<Record<string, number | string | null>>,
): Record<string, string | null> {
  const groups: Record<string, string | null> = Object.create(null);
  for (const name of model.sensitive ?? []) {
    const value = featureValue(features, name);
    groups[name] = value === null || value === undefined ? null : String(value);
  }
  return groups;
}

function count(counts: Counts, value: string | number | null | undefined): void {
  if (value === null || value === undefined) counts.missing++;
  else add(counts, String(value), 1);
}

function add(counts: Counts, value: string, n: number): void {
  const key = counts.values.has(value) || counts.values.size < MAX_CATEGORIES ? value : OTHER;
  counts.values.set(key, (counts.values.get(key) ?? 0) + n);
}
