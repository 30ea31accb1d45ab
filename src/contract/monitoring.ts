import { z } from "zod";
import { named } from "./registry.js";

const num = z.number();
const maybe = z.number().nullable();

/** A drift or health severity. */
export const Severity = named("Severity", z.enum(["ok", "warning", "critical", "emergency"]));
export type Severity = z.infer<typeof Severity>;

/** A model's health: a severity, or `no_data`. */
export const Health = named("Health", z.enum(["ok", "warning", "critical", "emergency", "no_data"]));
export type Health = z.infer<typeof Health>;

/** Why a model has its health. */
export const HealthReason = named(
  "HealthReason",
  z.object({ source: z.string(), severity: Severity, message: z.string() }),
);
export type HealthReason = z.infer<typeof HealthReason>;

const QualitySpec = z.object({ metric: z.string(), threshold: num, direction: z.string() });

/**
 * A window as listed by `GET /v1/models/{model}/windows`: its key and times, with its counts, metrics,
 * verdicts and drift (open: the entries depend on the model's task and configuration).
 *
 * @example
 * ```ts
 * const w: WindowSummary = { model: "bike", version: "1", start: "…", end: "…", startMs: 0, endMs: 1 };
 * ```
 */
export const WindowSummary = named(
  "WindowSummary",
  z.looseObject({
    model: z.string(),
    version: z.string(),
    start: z.string(),
    end: z.string(),
    startMs: num,
    endMs: num,
  }),
);
export type WindowSummary = z.infer<typeof WindowSummary>;

/** The answer of `GET /v1/models/{model}/windows`. */
export const WindowList = named("WindowList", z.object({ windows: z.array(WindowSummary) }));

/** One model on the overview page. */
export const OverviewModel = named(
  "OverviewModel",
  z.object({
    name: z.string(),
    task: z.string(),
    now: num,
    windowMs: num,
    health: z.object({ status: Health, reasons: z.array(HealthReason) }),
    quality: QualitySpec,
    last: z.object({ version: z.string(), startMs: num, value: maybe }).nullable(),
    firing: z.int(),
    sparkline: z.object({ version: z.string(), start: z.array(num), value: z.array(maybe) }),
  }),
);
export type OverviewModel = z.infer<typeof OverviewModel>;

/** The answer of `GET /v1/overview`. */
export const Overview = named(
  "Overview",
  z.object({
    now: num,
    models: z.array(OverviewModel),
    alerts: z.object({ firing: z.int(), suppressed: z.int() }),
  }),
);
export type Overview = z.infer<typeof Overview>;

/** One version's series on the model page (one entry per point). */
export const VersionSeries = named(
  "VersionSeries",
  z.object({
    version: z.string(),
    start: z.array(num),
    end: z.array(num),
    quality: z.array(maybe),
    p50: z.array(maybe),
    p95: z.array(maybe),
    p99: z.array(maybe),
    events: z.array(num),
    labels: z.array(num),
    coverage: z.array(maybe),
    severity: z.array(num),
    windows: z.array(num),
    impactRatio: z.record(z.string(), z.array(maybe)),
  }),
);
export type VersionSeries = z.infer<typeof VersionSeries>;

/** A version's drift heat map: severity per column and point (-1: not tested). */
export const DriftMatrix = named(
  "DriftMatrix",
  z.object({
    version: z.string(),
    columns: z.array(z.string()),
    start: z.array(num),
    cells: z.array(z.array(num)),
  }),
);
export type DriftMatrix = z.infer<typeof DriftMatrix>;

/** A version's quality metric on its own reference data: the charts' baseline. */
export const ReferenceQuality = named(
  "ReferenceQuality",
  z.object({
    version: z.string(),
    metric: z.string().describe("the configured quality metric (metrics.quality.metric)"),
    value: z.number().nullable().describe("null when the reference lacks it (e.g. ROC AUC without scores)"),
    labelled: z.number().describe("reference rows with both a prediction and a target"),
  }),
);
export type ReferenceQuality = z.infer<typeof ReferenceQuality>;

/** The answer of `GET /v1/models/{model}/series`. */
export const Series = named(
  "Series",
  z.object({
    model: z.string(),
    task: z.string(),
    windowMs: num,
    pointMs: num,
    bucket: num,
    quality: QualitySpec,
    latency: z.object({ percentile: num, thresholdMs: num }),
    versionList: z.array(z.string()),
    referenceQuality: z
      .array(ReferenceQuality)
      .describe("the quality metric on each version's reference (versions without a labelled one left out)"),
    now: num.describe("the model's clock (event time in replays)"),
    from: maybe,
    to: maybe,
    versions: z.array(VersionSeries),
    drift: z.array(DriftMatrix),
  }),
);
export type Series = z.infer<typeof Series>;

/** A drift histogram of one column: reference against current. */
export const Histogram = named(
  "Histogram",
  z.discriminatedUnion("kind", [
    z.object({
      kind: z.literal("numeric"),
      edges: z.array(num),
      reference: z.array(num),
      current: z.array(num),
    }),
    z.object({
      kind: z.literal("categorical"),
      categories: z.array(z.string()),
      reference: z.array(num),
      current: z.array(num),
    }),
  ]),
);
export type Histogram = z.infer<typeof Histogram>;

/** One column of a drift report. */
export const DriftColumn = named(
  "DriftColumn",
  z.looseObject({
    column: z.string(),
    type: z.string(),
    method: z.string(),
    statistic: num,
    p_value: maybe,
    p_adjusted: maybe.optional(),
    threshold: num,
    severity: Severity,
    drifted: z.boolean(),
    n_reference: num,
    n_current: num,
    effect_size: num.optional(),
    effect_size_method: z.string().optional(),
    effect_size_threshold: num.optional(),
    histogram: Histogram,
  }),
);
export type DriftColumn = z.infer<typeof DriftColumn>;

/** A window's drift report: the `tiktoktoe drift` JSON shape (docs/drift.md). */
export const DriftReport = named(
  "DriftReport",
  z.looseObject({ severity: Severity, columns: z.array(DriftColumn) }),
);
export type DriftReport = z.infer<typeof DriftReport>;

const Interval = z.object({ lower: num, upper: num });
/** A confidence interval. */
export type Interval = z.infer<typeof Interval>;

const RateEstimate = z.object({
  value: maybe,
  numerator: num,
  denominator: num,
  interval: Interval.nullable(),
  note: z.string().nullable(),
});
/** A rate with its interval. */
export type RateEstimate = z.infer<typeof RateEstimate>;

const Comparison = z.object({
  value: maybe,
  groups: z.tuple([z.string(), z.string()]).nullable(),
  interval: Interval.nullable(),
  note: z.string().nullable(),
});
/** A difference between two groups, with its interval. */
export type Comparison = z.infer<typeof Comparison>;

/** Fairness of one sensitive attribute. */
export const AttributeFairness = named(
  "AttributeFairness",
  z.object({
    attribute: z.string(),
    missing: num,
    groups: z.array(
      z.object({
        group: z.string(),
        count: num,
        labelled: num,
        selectionRate: RateEstimate,
        truePositiveRate: RateEstimate,
        falsePositiveRate: RateEstimate,
      }),
    ),
    demographicParityDifference: Comparison,
    equalizedOddsDifference: Comparison,
    privilegedGroup: z.string().nullable(),
    impactRatios: z.array(
      z.object({
        group: z.string(),
        value: maybe,
        interval: Interval.nullable(),
        violation: z.boolean().nullable(),
        significant: z.boolean().nullable(),
      }),
    ),
    fourFifthsRule: z.enum(["pass", "violation", "insufficient-data"]),
  }),
);
export type AttributeFairness = z.infer<typeof AttributeFairness>;

/** Group fairness of a version over a period. */
export const FairnessReport = named(
  "FairnessReport",
  z.object({ confidence: num, impactRatioThreshold: num, attributes: z.array(AttributeFairness) }),
);
export type FairnessReport = z.infer<typeof FairnessReport>;

const Estimate = z.object({ estimate: num, lower: num, upper: num });
/** An estimate with its interval. */
export type Estimate = z.infer<typeof Estimate>;

/** A model's health over a reporting period. */
export const HealthReport = named(
  "HealthReport",
  z.object({
    id: z.string().describe("the period's start, ISO 8601"),
    model: z.string(),
    task: z.string(),
    from: num,
    to: num,
    windowMs: num.optional().describe("reports stored before it was recorded lack it"),
    generatedMs: num,
    status: Health,
    reasons: z.array(HealthReason),
    versions: z.array(
      z.object({
        version: z.string(),
        windows: num,
        events: num,
        labels: num,
        quality: z.object({ metric: z.string(), value: maybe, threshold: num, direction: z.string() }),
        estimated: z.looseObject({ rows: num, accuracy: Estimate.nullable() }).nullable(),
        latency: z.looseObject({ p50: maybe, p95: maybe, p99: maybe }),
        drift: z.object({
          worst: Severity.nullable(),
          columns: z.array(z.object({ column: z.string(), windows: num })),
        }),
        fairness: FairnessReport.nullable(),
        verdicts: z
          .array(z.looseObject({ rule: z.string(), status: z.string(), severity: Severity }))
          .optional(),
        chart: z.object({
          start: z.array(num),
          quality: z.array(maybe),
          p99: z.array(maybe),
          events: z.array(num),
        }),
      }),
    ),
    alerts: z.array(z.object({ alertname: z.string(), severity: z.string(), summary: z.string() })),
  }),
);
export type HealthReport = z.infer<typeof HealthReport>;

/** A stored report as listed. */
export const ReportSummary = named(
  "ReportSummary",
  z.object({
    id: z.string(),
    from: num,
    to: num,
    status: Health,
    reasons: z.array(HealthReason),
    windows: z.object({ from: num, to: num, count: num }).nullable().optional(),
  }),
);
export type ReportSummary = z.infer<typeof ReportSummary>;

/** The answer of `GET /v1/models/{model}/reports`. */
export const ReportList = named("ReportList", z.object({ reports: z.array(ReportSummary) }));
export type ReportList = z.infer<typeof ReportList>;
