import {
  type MonitorConfig,
  type QualityMetric,
  resolveModelConfig,
  type Settings,
  toDriftOptions,
} from "../config/index.js";
import { type DriftReport, type Severity, severityRank } from "../drift/index.js";
import { TikTokToeError } from "../errors/index.js";
import type { FairnessReport } from "../fairness/index.js";
import { createLogger, type Logger } from "../logging/index.js";
import { type CbpeResult, fitCbpeCalibrator, type IsotonicRegression } from "../metrics/index.js";
import { type ModelHealth, modelHealth } from "../monitor/health.js";
import {
  type BatchFormat,
  buildReferenceProfile,
  EventTimeClock,
  groupsOf,
  type IngestContext,
  isWindowFinal,
  type LatencySummary,
  type MonitorClock,
  oldestAcceptedMs,
  type PredictionEvent,
  parseEventBatch,
  parseLabelBatch,
  qualityValue,
  type ReferenceProfile,
  referenceQuality,
  TIME_RANGE_MS,
  WallClock,
  type WindowModel,
  WindowState,
  type WindowStateJson,
  type WindowVerdict,
  windowDrift,
  windowStart,
  windowVerdicts,
} from "../monitor/index.js";
import { buildModelSeries, type ModelSeries, type SeriesWindowInput } from "../monitor/series.js";
import { seededRandom } from "../stats/random.js";
import type {
  IngestAppend,
  IngestAppendResult,
  LogBatch,
  ModelRecord,
  Store,
  WindowRecord,
} from "../store/index.js";
import type { Alerting } from "./alerting.js";
import { explanationCollection } from "./explanations.js";
import { parseModelDefinition } from "./model-definition.js";
import { encodeReferenceRows } from "./model-files.js";
import { predictWithOnnx } from "./onnx-predict.js";
import { type MetricFamily, qualityMetricSeries, type Sample, type SummarySample } from "./prometheus.js";
import {
  decodeCalibrator,
  decodeReference,
  encodeReference,
  parseReferenceColumns,
  windowModelOf,
} from "./reference.js";
import { ReferenceQualities, type ReferenceQualityAnswer } from "./reference-quality.js";

/** Options of {@link MonitorService.open}. */
export interface MonitorServiceOptions {
  readonly store: Store;
  readonly config: MonitorConfig;
  /** `wall`: windows close by the wall clock (live); `event`: by the newest event time (replays). */
  readonly clock: "wall" | "event";
  /** The wall clock (received times, the live window clock); injected so tests control it. */
  readonly now: () => number;
  /** How far ahead of the wall clock an event time may be (clock skew). Default 5 minutes. */
  readonly futureSkewMs?: number;
  /**
   * With the event clock: how far ahead of a model's clock (its newest event time) an event may be.
   * One bad event would otherwise move the clock years ahead and reject every real event after it as
   * too late, for good. Default: the larger of `monitor.max_clock_jump` (7 days) and two windows plus
   * the lateness.
   */
  readonly maxClockJumpMs?: number;
  /** Rows of each window's feature sample (exact below it). Default 10,000. */
  readonly sampleCapacity?: number;
  /** Where failures of the background work go. Default: errors to stderr. */
  readonly log?: Logger;
}

/** The answer to an ingest request. */
export interface IngestResult {
  readonly accepted: number;
  readonly duplicates: number;
  /** Labels whose event is unknown (not ingested, or older than the lateness). */
  readonly unmatched?: number;
}

/** A window as listed by the API. */
export interface WindowSummary {
  readonly model: string;
  readonly version: string;
  readonly start: string;
  readonly end: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly [key: string]: unknown;
}

/** A change the dashboard's live stream announces (see server/live.ts). */
export type ServiceChange =
  | {
      readonly type: "window";
      readonly model: string;
      readonly version: string;
      readonly startMs: number;
      readonly final: boolean;
    }
  | { readonly type: "report"; readonly model: string; readonly id: string; readonly status: string }
  | {
      readonly type: "alert";
      readonly fingerprint: string;
      readonly status: "firing" | "resolved";
      readonly state: string;
      readonly labels: Readonly<Record<string, string>>;
    };

/** The model page's data: series and heat maps over a range, with the thresholds to draw. */
export interface SeriesAnswer extends ModelSeries {
  readonly model: string;
  readonly task: string;
  readonly windowMs: number;
  readonly quality: { readonly metric: string; readonly threshold: number; readonly direction: string };
  readonly latency: { readonly percentile: number; readonly thresholdMs: number };
  readonly versionList: string[];
  /**
   * The quality metric on each answered version's reference (computed at the reference upload from
   * its prediction and target columns): the chart's baseline. Versions without one are left out.
   */
  readonly referenceQuality: ReferenceQualityAnswer[];
  /** The model's clock (event time in replays), which relative ranges count back from. */
  readonly now: number;
  readonly from: number | null;
  readonly to: number | null;
}

/** A model's health over a reporting period (stored at each `reporting.frequency`). */
export interface HealthReport {
  /** The period's start, ISO 8601: unique per model. */
  readonly id: string;
  readonly model: string;
  readonly task: string;
  readonly from: number;
  readonly to: number;
  /** The length of the windows the period draws on (`monitor.window`), which may exceed the period. */
  readonly windowMs?: number;
  readonly generatedMs: number;
  readonly status: ModelHealth["status"];
  readonly reasons: ModelHealth["reasons"];
  readonly versions: Array<{
    readonly version: string;
    readonly windows: number;
    readonly events: number;
    readonly labels: number;
    readonly quality: { metric: string; value: number | null; threshold: number; direction: string };
    readonly estimated: CbpeResult | null;
    readonly latency: LatencySummary;
    readonly drift: { worst: Severity | null; columns: Array<{ column: string; windows: number }> };
    readonly fairness: FairnessReport | null;
    readonly verdicts: WindowVerdict[];
    readonly chart: {
      start: number[];
      quality: Array<number | null>;
      p99: Array<number | null>;
      events: number[];
    };
  }>;
  readonly alerts: Array<{ alertname: string; severity: string; summary: string }>;
}

/** One model on the overview page. */
export interface OverviewModel {
  readonly name: string;
  readonly task: string;
  readonly now: number;
  readonly windowMs: number;
  readonly health: ModelHealth;
  readonly quality: { readonly metric: string; readonly threshold: number; readonly direction: string };
  /** The newest window with a quality value. */
  readonly last: { readonly version: string; readonly startMs: number; readonly value: number | null } | null;
  readonly firing: number;
  /** Quality of the newest version's last windows, oldest first. */
  readonly sparkline: {
    readonly version: string;
    readonly start: number[];
    readonly value: Array<number | null>;
  };
}

/** What a late label needs of its event to update the event's window: kept in the store's index. */
interface EventJoin {
  readonly prediction: PredictionEvent["prediction"];
  readonly scores: PredictionEvent["scores"];
  /** The sensitive attributes' values, when the model has any: the label's fairness counts need them. */
  readonly groups?: Record<string, string | null>;
}

type SeriesVerdict = HealthVerdict;
type HealthVerdict = Parameters<typeof modelHealth>[0]["verdicts"][number];

/** A listed window as the series need it: the quality verdict's value, latency, drift severities. */
function seriesInput(w: WindowSummary): SeriesWindowInput {
  const verdicts = (w.verdicts as HealthVerdict[] | undefined) ?? [];
  const latency = (w.latency ?? {}) as { p50?: number | null; p95?: number | null; p99?: number | null };
  const drift = w.drift as { columns?: SeriesWindowInput["drift"] } | null | undefined;
  let severity: SeriesWindowInput["severity"] = "ok";
  for (const v of verdicts) if (severityRank(v.severity) > severityRank(severity)) severity = v.severity;
  return {
    version: w.version,
    startMs: w.startMs,
    endMs: w.endMs,
    events: Number(w.events ?? 0),
    labels: Number(w.labels ?? 0),
    quality: verdicts.find((v) => v.rule === "quality")?.value ?? null,
    p50: latency.p50 ?? null,
    p95: latency.p95 ?? null,
    p99: latency.p99 ?? null,
    drift: drift?.columns ?? null,
    severity,
    bias: Object.fromEntries(
      verdicts.filter((v) => v.rule === "bias").map((v) => [v.metric.replace(/^impact_ratio:/, ""), v.value]),
    ),
  };
}

/**
 * CBPE's calibrator from a binary reference with scores and labels: isotonic regression when the
 * scores are not calibrated (NannyML's test), null when they are or when the upload lacks either.
 */
function referenceCalibrator(
  record: ModelRecord,
  score: Float64Array | null,
  target: ReadonlyArray<string | null> | Float64Array | null,
  seedKey: string,
): IsotonicRegression | null {
  if (record.task !== "binary" || score === null || target === null || record.classes === undefined)
    return null;
  const positive = record.classes[1];
  const scores: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < score.length; i++) {
    const t =
      target instanceof Float64Array ? (Number.isNaN(target[i]!) ? null : String(target[i])) : target[i];
    if (t === null || t === undefined || !Number.isFinite(score[i]!)) continue;
    scores.push(score[i]!);
    labels.push(t === positive ? 1 : 0);
  }
  if (scores.length < 2) return null;
  let seed = 0;
  for (const c of seedKey) seed = (seed * 31 + c.charCodeAt(0)) >>> 0;
  return fitCbpeCalibrator(scores, labels, { random: seededRandom(seed).uniform });
}

/**
 * Whether an alert bears on a model's health: its own alerts, and the server-wide ones without a
 * model label (resources, dependencies down), which every model served here shares.
 */
const concerns = (labels: Readonly<Record<string, string>>, model: string) =>
  labels.model === undefined ? labels.alertname !== undefined : labels.model === model;

/** The document collection of a model's health reports. */
const reportCollection = (model: string) => `reports:${model}`;

/** The join fields of an event, JSON encoded for the store's event index. */
function joinOf(runtime: ModelRuntime, event: PredictionEvent): string {
  const groups =
    (runtime.window.sensitive ?? []).length > 0 ? groupsOf(runtime.window, event.features) : undefined;
  const join: EventJoin = {
    prediction: event.prediction,
    scores: event.scores,
    ...(groups === undefined ? {} : { groups }),
  };
  return JSON.stringify(join);
}

/** A logged label line: the label and the fields of its event (see the store's `labelLogLine`). */
interface LoggedLabel {
  readonly label: { readonly id: string; readonly value: number | string; readonly time: number };
  readonly event: { readonly version: string; readonly time: number; readonly join: EventJoin };
}

/** The consumer name under which an event-time model clock is checkpointed. */
const clockCheckpoint = (model: string) => `clock:${model}`;

interface OpenWindow {
  readonly version: string;
  readonly startMs: number;
  readonly state: WindowState;
  dirty: boolean;
}

interface ModelRuntime {
  readonly record: ModelRecord;
  readonly settings: Settings;
  readonly window: WindowModel;
  readonly versions: Set<string>;
  readonly profiles: Map<string, ReferenceProfile | null>;
  /** End of the last reporting period reported (loaded from the store on first use). */
  lastReportEnd?: number;
  /** Per version, the score calibrator fitted on the reference (CBPE), when its upload had scores. */
  readonly calibrators: Map<string, IsotonicRegression | null>;
  readonly clock: MonitorClock;
  /** Open windows (not final yet): the only per-event state in memory; history is in the store. */
  readonly windows: Map<string, OpenWindow>;
}

interface PendingBatch {
  readonly append: IngestAppend;
  readonly resolve: (result: IngestAppendResult) => void;
  readonly reject: (error: unknown) => void;
}

const key = (version: string, startMs: number) => `${version}\u0000${startMs}`;

/**
 * The monitoring server's core, independent of HTTP: the model registry, the ingest pipeline (whole
 * batch validated, deduplicated by id, appended to the log as one row per batch with group commit,
 * then aggregated into event-time windows), window persistence, verdicts and drift.
 *
 * @example
 * ```ts
 * const service = await MonitorService.open({ store, config, clock: "wall", now: Date.now });
 * await service.ingestEvents("bike", ndjson, "ndjson");
 * ```
 */
export class MonitorService {
  private readonly models = new Map<string, ModelRuntime>();
  private pending: PendingBatch[] = [];
  /** The ingest chain: group commits, then aggregation of what they appended, then flushes, in order. */
  private committing: Promise<void> = Promise.resolve();
  private scheduled = false;
  /** The log position aggregated into the open windows (the aggregator's checkpoint once flushed). */
  private position = 0;
  /** Why aggregation of the log stopped, until it succeeds again (it is retried, never skipped). */
  private aggregationError: unknown = null;
  /** The last failed write of the store (disk full…), until a write succeeds: /readyz reports it. */
  storeFailure: { readonly code: string; readonly message: string; readonly sinceMs: number } | null = null;
  /** Called for each window that becomes final (start.ts explains it in the background). */
  onWindowFinal: ((model: string, version: string, startMs: number) => void) | undefined;
  /** The cached attribution drift of a window, for health (set by start.ts when explanations run). */
  attributionOf:
    | ((
        model: string,
        version: string,
        startMs: number,
      ) => Promise<{ ndcg: number | null; threshold: number; drifted: boolean } | null>)
    | undefined;
  /** Alerting, when configured (attached after start-up, see start.ts). */
  alerting: Alerting | undefined;
  /**
   * Called with a reference upload once its profile is stored (start.ts attaches explanations, which
   * compute the reference's feature importance from the uploaded rows); it must not throw.
   */
  onReference:
    | ((model: string, version: string, bytes: Uint8Array, mediaType: string) => Promise<void>)
    | undefined;
  private readonly listeners = new Set<(change: ServiceChange) => void>();
  /** Alert states last announced, to announce only changes. */
  private announcedAlerts = new Map<string, string>();
  /** Counters for /metrics. */
  readonly counters = { events: 0, labels: 0, duplicates: 0, rejectedBatches: 0, unmatchedLabels: 0 };

  private readonly log: Logger;
  /** Each version's quality on its reference (the `reference-quality` artifact), cached. */
  private readonly referenceQualities: ReferenceQualities;

  private constructor(private readonly options: MonitorServiceOptions) {
    this.log = (options.log ?? createLogger({ level: "error" })).child({ component: "monitor" });
    this.referenceQualities = new ReferenceQualities(options.store);
  }

  /**
   * Opens the service on a store: loads the registry, the model clocks and the open windows as they
   * were at the last checkpoint, then aggregates the log's tail after it — never the whole history.
   */
  static async open(options: MonitorServiceOptions): Promise<MonitorService> {
    const service = new MonitorService(options);
    for (const record of await options.store.listModels()) await service.load(record);
    service.position = await options.store.getLogPosition();
    for (const runtime of service.models.values()) await service.loadOpenWindows(runtime);
    await service.aggregateTail();
    return service;
  }

  // ---- registry -------------------------------------------------------------------------------

  async registerModel(body: unknown): Promise<ModelRecord> {
    const record = parseModelDefinition(body, this.options.now());
    await this.options.store.createModel(record);
    await this.load(record);
    return record;
  }

  listModels(): ModelRecord[] {
    return [...this.models.values()].map((m) => m.record).sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  model(name: string): ModelRecord {
    return this.runtime(name).record;
  }

  /** A model's record once its version is known to exist (NOT_FOUND naming the model or the version). */
  modelVersion(name: string, version: string): ModelRecord {
    const runtime = this.runtime(name);
    this.requireVersion(runtime, version);
    return runtime.record;
  }

  /** The store, for routes that read artifacts and the log as they are (model-files.ts, labelled.ts). */
  get store(): Store {
    return this.options.store;
  }

  async registerVersion(model: string, body: unknown, onnx?: Uint8Array): Promise<{ version: string }> {
    const runtime = this.runtime(model);
    const fields = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
    if (typeof fields.version !== "string" || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(fields.version))
      throw new TikTokToeError(
        "REQUEST_INVALID",
        "version must be a name of 1–64 letters, digits, '.', '_' or '-'",
        {
          path: "version",
        },
      );
    const meta =
      typeof fields.meta === "object" && fields.meta !== null ? (fields.meta as Record<string, unknown>) : {};
    await this.options.store.createVersion({
      model,
      version: fields.version,
      createdMs: this.options.now(),
      meta,
    });
    if (onnx !== undefined) await this.options.store.putArtifact(model, fields.version, "onnx", onnx);
    runtime.versions.add(fields.version);
    return { version: fields.version };
  }

  /** A model's versions, each with its reference's quality metric (null without a labelled reference). */
  async listVersions(model: string) {
    const runtime = this.runtime(model);
    const metric = runtime.settings.metrics.quality.metric;
    return Promise.all(
      (await this.options.store.listVersions(model)).map(async (v) => ({
        ...v,
        referenceQuality: await this.referenceQualities.answer(model, v.version, metric),
      })),
    );
  }

  /** Stores a version's reference data as its profile (computed once, reused by every window). */
  async putReference(model: string, version: string, bytes: Uint8Array, mediaType: string) {
    const runtime = this.runtime(model);
    this.requireVersion(runtime, version);
    const parsed = parseReferenceColumns(runtime.record, bytes, mediaType);
    let prediction = parsed.prediction;
    let predictedBy: "upload" | "onnx" | null = prediction === null ? null : "upload";
    if (prediction === null) {
      const onnx = await this.options.store.getArtifact(model, version, "onnx");
      if (onnx !== undefined) {
        prediction = await predictWithOnnx(runtime.record, onnx, parsed.columns, parsed.rows);
        predictedBy = "onnx";
      }
    }
    const profile = buildReferenceProfile(runtime.window, parsed.columns, prediction, parsed.target);
    const calibrator = referenceCalibrator(
      runtime.record,
      parsed.score,
      parsed.target,
      `${model}/${version}`,
    );
    await this.options.store.putArtifact(
      model,
      version,
      "reference-profile",
      encodeReference(profile, calibrator?.toJSON() ?? null),
    );
    // The profile keeps distributions only, so the reference's own quality (the charts' baseline)
    // is computed now, while predictions and targets are still paired.
    const quality = referenceQuality(runtime.window, prediction, parsed.target, parsed.score);
    await this.referenceQualities.put(model, version, quality);
    runtime.profiles.set(version, profile);
    runtime.calibrators.set(version, calibrator);
    // The rows as uploaded, for clients that optimise or retrain the version (model-files.ts).
    await this.options.store.putArtifact(
      model,
      version,
      "reference-rows",
      encodeReferenceRows(bytes, mediaType),
    );
    await this.onReference?.(model, version, bytes, mediaType);
    return {
      rows: parsed.rows,
      columns: [...profile.columns.keys()],
      prediction: predictedBy,
      target: profile.target !== null,
      scores: parsed.score === null ? null : calibrator === null ? "calibrated" : "recalibrated (isotonic)",
      quality:
        quality === null
          ? null
          : {
              metric: runtime.settings.metrics.quality.metric,
              value: qualityValue(quality.quality, runtime.settings.metrics.quality.metric),
              labelled: quality.labelled,
            },
      ...(predictedBy === null
        ? { note: "no prediction column and no ONNX artifact: prediction drift is skipped for this version" }
        : {}),
    };
  }

  // ---- ingest ---------------------------------------------------------------------------------

  /**
   * Validates a batch of events and appends it durably; the store deduplicates by id against every
   * event it has accepted (within the retention). Aggregation follows in the ingest chain, from the log.
   */
  async ingestEvents(model: string, body: string, format: BatchFormat): Promise<IngestResult> {
    const runtime = this.runtime(model);
    const parsed = parseEventBatch(body, format, this.context(runtime));
    if (!parsed.ok) throw this.rejected(parsed.problems, parsed.truncated);
    const result = await this.append({
      kind: "events",
      model,
      receivedMs: this.options.now(),
      events: parsed.records.map((event, i) => ({
        index: { id: event.id, version: event.version, timeMs: event.timeMs, join: joinOf(runtime, event) },
        source: parsed.sources[i]!,
      })),
    });
    this.counters.duplicates += result.duplicates;
    return { accepted: result.accepted, duplicates: result.duplicates };
  }

  /** Validates and appends labels; the store joins each to its event by id (unmatched: unknown id). */
  async ingestLabels(model: string, body: string, format: BatchFormat): Promise<IngestResult> {
    const runtime = this.runtime(model);
    const parsed = parseLabelBatch(body, format, this.context(runtime));
    if (!parsed.ok) throw this.rejected(parsed.problems, parsed.truncated);
    const result = await this.append({
      kind: "labels",
      model,
      receivedMs: this.options.now(),
      // The label's time is resolved now (it may default to the clock), so the resolved record is logged.
      labels: parsed.records.map((label) => ({
        id: label.id,
        timeMs: label.timeMs,
        source: JSON.stringify({ id: label.id, value: label.value, time: label.timeMs }),
      })),
    });
    this.counters.duplicates += result.duplicates;
    this.counters.unmatchedLabels += result.unmatched;
    return { accepted: result.accepted, duplicates: result.duplicates, unmatched: result.unmatched };
  }

  /**
   * Moves a model's event clock forward without an event (`POST /v1/models/{model}/clock`), so a
   * replay's last windows close on their own data: the alternative, a synthetic late event, is a
   * window of one fake event. The time obeys the same bounds as an event's (1970–2100, and at most
   * the clock's jump bound ahead, `monitor.max_clock_jump`); an earlier time leaves the clock as it is,
   * so a retried request is harmless. Durable: the model's clock checkpoint is written before the
   * answer (a restart starts from it); the windows it makes final are written, judged and alerted on before the answer.
   *
   * @example
   * ```ts
   * await service.advanceClock("bike", { time: "2013-01-14T00:00:00Z" });
   * ```
   */
  async advanceClock(model: string, body: unknown): Promise<{ clock: string; previous: string }> {
    const runtime = this.runtime(model);
    if (this.options.clock !== "event")
      throw new TikTokToeError(
        "REQUEST_INVALID",
        "this server runs on the wall clock: its windows close as time passes",
        { path: "", hint: "start the server with --clock event to drive windows by event time" },
      );
    if (typeof body !== "object" || body === null || Array.isArray(body))
      throw new TikTokToeError("REQUEST_INVALID", 'the body must be a JSON object {"time": …}', { path: "" });
    const fields = body as Record<string, unknown>;
    for (const name of Object.keys(fields))
      if (name !== "time") throw new TikTokToeError("REQUEST_INVALID", "unknown field", { path: name });
    const value = fields.time;
    const ms =
      typeof value === "number"
        ? value
        : typeof value === "string" && /(?:Z|[+-]\d\d:?\d\d)$/i.test(value)
          ? Date.parse(value)
          : Number.NaN;
    if (!Number.isFinite(ms))
      throw new TikTokToeError(
        "REQUEST_INVALID",
        'time must be ISO 8601 with a zone ("2013-01-14T00:00:00Z") or epoch milliseconds',
        { path: "time" },
      );
    if (ms < TIME_RANGE_MS.min || ms >= TIME_RANGE_MS.max)
      throw new TikTokToeError(
        "REQUEST_INVALID",
        `time ${JSON.stringify(value)} is outside 1970-01-01 to 2100-01-01; epoch times are in milliseconds`,
        { path: "time" },
      );
    await this.committing;
    const before = runtime.clock.now();
    if (!Number.isFinite(before))
      throw new TikTokToeError(
        "REQUEST_INVALID",
        `model "${model}" has no events yet: its clock has not started`,
        {
          path: "time",
          hint: "the event clock starts at the first event; send events first",
        },
      );
    // The same bound as an event's: a mistyped time must not close every open window for good.
    const newest = this.context(runtime).newestAcceptedMs;
    if (ms > newest)
      throw new TikTokToeError(
        "REQUEST_INVALID",
        `time ${new Date(ms).toISOString()} is further ahead of the clock (${new Date(before).toISOString()}) than monitor.max_clock_jump allows (newest accepted: ${new Date(newest).toISOString()})`,
        { path: "time", hint: "advance the clock in steps no larger than monitor.max_clock_jump" },
      );
    if (ms > before) {
      // Durable before it counts: the checkpointed clock is what a restart starts from.
      try {
        await this.options.store.putCheckpoint(clockCheckpoint(model), ms);
      } catch (error) {
        throw this.storeUnavailable(error);
      }
      runtime.clock.observe(ms);
      await this.flush();
    }
    return { clock: new Date(runtime.clock.now()).toISOString(), previous: new Date(before).toISOString() };
  }

  private context(runtime: ModelRuntime): IngestContext {
    const { window, lateness } = runtime.settings.monitor;
    const now = runtime.clock.now();
    return {
      task: runtime.record.task,
      columns: new Map(runtime.record.features.map((f) => [f.name, f.type])),
      versions: runtime.versions,
      ...(runtime.record.classes === undefined ? {} : { classes: runtime.record.classes }),
      oldestAcceptedMs: oldestAcceptedMs(now, window, lateness),
      newestAcceptedMs:
        this.options.clock === "event"
          ? Number.isFinite(now)
            ? now +
              (this.options.maxClockJumpMs ??
                Math.max(runtime.settings.monitor.max_clock_jump, 2 * window + lateness))
            : Number.POSITIVE_INFINITY
          : this.options.now() + (this.options.futureSkewMs ?? 300_000),
      nowMs: this.options.clock === "event" && Number.isFinite(now) ? now : this.options.now(),
    };
  }

  private rejected(
    problems: readonly { line: number; field: string; code: string; message: string }[],
    truncated: boolean,
  ): TikTokToeError {
    this.counters.rejectedBatches++;
    const lines = new Set(problems.map((p) => p.line)).size;
    const count = truncated
      ? `at least ${lines} record(s) are invalid (validation stopped at the first ${problems.length} problems)`
      : `${lines} record(s) are invalid`;
    return new TikTokToeError("INGEST_INVALID", `${count}; nothing was stored`, {
      problems,
      problemsTruncated: truncated,
      hint: "drop or fix the records listed in problems and resend the batch",
    });
  }

  /**
   * Queues a batch for the next group commit and resolves with what the store did once it is durable.
   * Every batch that arrives before the next turn of the event loop shares one transaction.
   */
  private append(append: IngestAppend): Promise<IngestAppendResult> {
    return new Promise<IngestAppendResult>((resolve, reject) => {
      this.pending.push({ append, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          // commit() settles every item itself; the chain must never stay rejected, or nothing after
          // it would run.
          this.committing = this.committing
            .then(() => this.commit())
            .catch((error: unknown) => {
              this.log.error("a group commit failed", { error });
            });
        });
      }
    });
  }

  private async commit(): Promise<void> {
    this.scheduled = false;
    const items = this.pending;
    this.pending = [];
    if (items.length === 0) return;
    let results: IngestAppendResult[];
    try {
      results = await this.options.store.appendIngest(items.map((i) => i.append));
      this.storeFailure = null;
    } catch (error) {
      const refused = this.storeUnavailable(error);
      for (const item of items) item.reject(refused);
      return;
    }
    // Durable now: answer first, then aggregate from the log (later reads and flushes wait for it).
    for (const [i, item] of items.entries()) item.resolve(results[i]!);
    await this.aggregateTail();
  }

  /**
   * The answer to a write the store refused. A full disk or a locked database is the operator's to
   * fix and the client's to retry: 503 with the reason, and /readyz says not ready until a write
   * succeeds. Anything else is a bug.
   */
  private storeUnavailable(error: unknown): unknown {
    const code = String((error as { code?: unknown }).code ?? "");
    const message = (error as Error).message ?? String(error);
    const full = code === "SQLITE_FULL" || code === "ENOSPC" || /disk is full|no space left/i.test(message);
    const busy = code === "SQLITE_BUSY" || code === "SQLITE_LOCKED" || code.startsWith("SQLITE_IOERR");
    if (!full && !busy) return error;
    this.storeFailure = {
      code: full ? "disk_full" : "store_busy",
      message: full ? "the store's disk is full" : `the store cannot write (${code})`,
      sinceMs: this.options.now(),
    };
    return new TikTokToeError("STORE_UNAVAILABLE", `${this.storeFailure.message}; nothing was stored`, {
      cause: error,
      hint: full ? "free disk space on the server; then resend (the client SDKs retry)" : "retry shortly",
      retryAfterS: 5,
    });
  }

  /**
   * Aggregates the log after the current position into the open windows, batch by batch. A batch
   * that fails to aggregate (a bug) stops the tail there: the position stays before it and the next
   * commit or flush tries it again, so a batch is never skipped and never counted twice.
   */
  private async aggregateTail(): Promise<void> {
    let current: number | undefined;
    try {
      for (;;) {
        const batches = await this.options.store.readBatches(this.position, 500);
        if (batches.length === 0) break;
        for (const batch of batches) {
          current = batch.sequence;
          await this.aggregate(batch);
          this.position = batch.sequence!;
        }
      }
      this.aggregationError = null;
    } catch (error) {
      if (this.aggregationError === null)
        this.log.error("aggregating the log failed; it is retried from the same position", {
          position: this.position,
          batch: current ?? null,
          error,
        });
      this.aggregationError = error;
    }
  }

  /** Applies one log batch to its windows. */
  private async aggregate(batch: LogBatch): Promise<void> {
    const runtime = this.models.get(batch.model);
    if (runtime === undefined) return;
    const text = Buffer.from(batch.payload).toString("utf8");
    if (batch.kind === "events") {
      const parsed = parseEventBatch(text, "ndjson", {
        ...this.context(runtime),
        oldestAcceptedMs: Number.NEGATIVE_INFINITY,
        newestAcceptedMs: Number.POSITIVE_INFINITY,
        nowMs: batch.receivedMs,
      });
      if (!parsed.ok)
        throw new Error(`log batch ${batch.sequence} does not parse: ${JSON.stringify(parsed.problems[0])}`);
      await this.applyEvents(runtime, parsed.records);
    } else {
      const labels: LoggedLabel[] = [];
      for (const line of text.split("\n")) if (line !== "") labels.push(JSON.parse(line) as LoggedLabel);
      await this.applyLabels(runtime, labels);
    }
  }

  private async applyEvents(runtime: ModelRuntime, events: readonly PredictionEvent[]): Promise<void> {
    const length = runtime.settings.monitor.window;
    // Windows are opened (possibly from the store) before any is changed: a failure leaves none half-applied.
    const targets: OpenWindow[] = [];
    for (const event of events)
      targets.push(await this.openWindow(runtime, event.version, windowStart(event.timeMs, length)));
    for (const [i, event] of events.entries()) {
      runtime.clock.observe(event.timeMs);
      targets[i]!.state.addEvent(event);
      targets[i]!.dirty = true;
    }
    this.counters.events += events.length;
  }

  private async applyLabels(runtime: ModelRuntime, labels: readonly LoggedLabel[]): Promise<void> {
    const length = runtime.settings.monitor.window;
    const targets: OpenWindow[] = [];
    for (const { event } of labels)
      targets.push(await this.openWindow(runtime, event.version, windowStart(event.time, length)));
    for (const [i, { label, event }] of labels.entries()) {
      targets[i]!.state.addLabel(event.join, { id: label.id, value: label.value, timeMs: label.time });
      targets[i]!.dirty = true;
    }
    this.counters.labels += labels.length;
  }

  private async openWindow(runtime: ModelRuntime, version: string, startMs: number): Promise<OpenWindow> {
    const k = key(version, startMs);
    let window = runtime.windows.get(k);
    if (window === undefined) {
      const state =
        (await this.storedState(runtime, version, startMs)) ??
        WindowState.create(
          runtime.window,
          seedOf(runtime.record.name, version, startMs),
          runtime.calibrators.get(version) ?? null,
        );
      window = { version, startMs, state, dirty: false };
      runtime.windows.set(k, window);
    }
    return window;
  }

  // ---- persistence ----------------------------------------------------------------------------

  /**
   * Writes every changed window (state and summary) with the log position they include, in one
   * transaction, then hands final windows to alerting, explanations and reports and forgets them.
   * Windows are marked clean only once the store has them: a failed write leaves them to the next
   * flush, and the saved position never covers a window that was not written. Runs in the ingest
   * chain (no batch is aggregated half-way through it), on a timer and at shutdown.
   */
  flush(): Promise<number> {
    const run = this.committing.then(() => this.flushNow());
    this.committing = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async flushNow(): Promise<number> {
    if (this.aggregationError !== null) await this.aggregateTail();
    const dirty: Array<{ runtime: ModelRuntime; window: OpenWindow }> = [];
    const records: WindowRecord[] = [];
    for (const runtime of this.models.values())
      for (const window of runtime.windows.values())
        if (window.dirty) {
          dirty.push({ runtime, window });
          records.push(this.windowRecord(runtime, window));
        }
    try {
      if (this.options.clock === "event")
        // The clocks first: a crash between the two writes leaves a clock ahead of the position, which
        // the replayed tail cannot lower (a clock is a maximum), never one behind it.
        for (const runtime of this.models.values()) {
          const now = runtime.clock.now();
          if (Number.isFinite(now))
            await this.options.store.putCheckpoint(clockCheckpoint(runtime.record.name), now);
        }
      if (records.length > 0 || this.position > 0)
        await this.options.store.putWindows(records, this.position);
      this.storeFailure = null;
    } catch (error) {
      throw this.storeUnavailable(error);
    }
    for (const { window } of dirty) window.dirty = false;
    for (const runtime of this.models.values()) {
      const { window: length, lateness } = runtime.settings.monitor;
      for (const [k, window] of runtime.windows)
        if (!window.dirty && isWindowFinal(window.startMs, length, lateness, runtime.clock.now())) {
          runtime.windows.delete(k);
          await this.alertOn(runtime, window);
          this.onWindowFinal?.(runtime.record.name, window.version, window.startMs);
        }
    }
    for (const record of records)
      this.announce({
        type: "window",
        model: record.model,
        version: record.version,
        startMs: record.startMs,
        final: record.summary.final === true,
      });
    if (this.alerting !== undefined) {
      for (const runtime of this.models.values()) await this.judgeNoData(runtime);
      await this.alerting.tick(this.alertClock());
      this.announceAlerts();
    }
    for (const runtime of this.models.values()) await this.reportIfDue(runtime);
    return records.length;
  }

  /** Rules run once per window, when it becomes final (on the monitor's clock: event time in replays). */
  private async alertOn(runtime: ModelRuntime, window: OpenWindow): Promise<void> {
    if (this.alerting === undefined) return;
    const drift = this.drift(runtime, window.version, window.state);
    const length = runtime.settings.monitor.window;
    await this.alerting.onWindowFinal(
      {
        window: {
          model: runtime.record.name,
          version: window.version,
          start: window.startMs,
          end: window.startMs + length,
        },
        verdicts: windowVerdicts(window.state, drift, runtime.settings),
        ...(drift === null ? {} : { driftColumns: drift.columns }),
      },
      this.alertClock(),
    );
  }

  /** Feeds the no-data rule the last closed windows of each version (events counted, empty ones absent). */
  private async judgeNoData(runtime: ModelRuntime): Promise<void> {
    const now = this.options.clock === "event" ? runtime.clock.now() : this.options.now();
    if (!Number.isFinite(now) || this.alerting === undefined) return;
    const { window: length, lateness } = runtime.settings.monitor;
    const closedUntil = oldestAcceptedMs(now, length, lateness);
    const lookback = closedUntil - 10 * length;
    for (const record of await this.options.store.listVersions(runtime.record.name)) {
      const windows = (
        await this.options.store.getWindowSummaries(
          runtime.record.name,
          lookback,
          closedUntil,
          record.version,
        )
      ).map((w) => ({
        start: w.startMs,
        events: Number(w.summary.events ?? 0),
      }));
      await this.alerting.noData(
        {
          model: runtime.record.name,
          version: record.version,
          windowMs: length,
          closedUntil,
          since: record.createdMs,
          windows,
        },
        this.alertClock(),
      );
    }
  }

  /** The alerting clock, for the API (silences start, alert states). */
  alertingNow(): number {
    return this.alertClock();
  }

  /** The clock of alert timers: the newest event time in replays, the wall clock live. */
  private alertClock(): number {
    if (this.options.clock !== "event") return this.options.now();
    let latest = Number.NEGATIVE_INFINITY;
    for (const runtime of this.models.values()) latest = Math.max(latest, runtime.clock.now());
    return Number.isFinite(latest) ? latest : this.options.now();
  }

  private windowRecord(runtime: ModelRuntime, window: OpenWindow): WindowRecord {
    const length = runtime.settings.monitor.window;
    return {
      model: runtime.record.name,
      version: window.version,
      startMs: window.startMs,
      endMs: window.startMs + length,
      state: Buffer.from(JSON.stringify(window.state)),
      summary: this.summarise(runtime, window),
      updatedMs: this.options.now(),
    };
  }

  private summarise(runtime: ModelRuntime, window: OpenWindow): Record<string, unknown> {
    const summary = window.state.summary();
    const drift = this.drift(runtime, window.version, window.state);
    return {
      ...summary,
      exact: window.state.exact,
      drift:
        drift === null
          ? null
          : {
              severity: drift.severity,
              drifted_columns: drift.drifted_columns,
              columns: drift.columns.map((c) => ({ column: c.column, severity: c.severity })),
              // Kept and shown, not tested (the schema's `drift: false`): absent from `columns`.
              untested: runtime.window.untested ?? [],
            },
      verdicts: windowVerdicts(window.state, drift, runtime.settings),
      fairness: window.state.fairnessReport(),
      estimated: window.state.estimate(),
      final: isWindowFinal(
        window.startMs,
        runtime.settings.monitor.window,
        runtime.settings.monitor.lateness,
        runtime.clock.now(),
      ),
    };
  }

  private drift(runtime: ModelRuntime, version: string, state: WindowState): DriftReport | null {
    const profile = runtime.profiles.get(version);
    if (profile === undefined || profile === null || state.summary().events === 0) return null;
    return windowDrift(state, profile, toDriftOptions(runtime.settings));
  }

  // ---- reading --------------------------------------------------------------------------------

  /** Windows starting in [fromMs, toMs), oldest first: stored ones, with open windows' live figures. */
  async windows(model: string, fromMs: number, toMs: number, version?: string): Promise<WindowSummary[]> {
    this.runtime(model);
    // Read your writes: batches acknowledged before this read are aggregated first.
    await this.committing;
    return this.windowsNow(model, fromMs, toMs, version);
  }

  /** {@link windows} without waiting for the ingest chain (for code that runs inside it: flushes). */
  private async windowsNow(
    model: string,
    fromMs: number,
    toMs: number,
    version?: string,
  ): Promise<WindowSummary[]> {
    const runtime = this.runtime(model);
    const byKey = new Map<string, WindowSummary>();
    const { window: length, lateness } = runtime.settings.monitor;
    for (const record of await this.options.store.getWindowSummaries(model, fromMs, toMs, version))
      byKey.set(
        key(record.version, record.startMs),
        // Whether a stored window is final depends on the clock now, not on when it was written.
        describe(model, record.version, record.startMs, record.endMs, {
          ...record.summary,
          final: isWindowFinal(record.startMs, length, lateness, runtime.clock.now()),
        }),
      );
    for (const window of runtime.windows.values()) {
      if (
        window.startMs < fromMs ||
        window.startMs >= toMs ||
        (version !== undefined && window.version !== version)
      )
        continue;
      byKey.set(
        key(window.version, window.startMs),
        describe(
          model,
          window.version,
          window.startMs,
          window.startMs + length,
          this.summarise(runtime, window),
        ),
      );
    }
    return [...byKey.values()].sort((a, b) => a.startMs - b.startMs || (a.version < b.version ? -1 : 1));
  }

  /**
   * Series and drift heat maps of a model over [fromMs, toMs), at most `maxPoints` points per version
   * (windows merged into buckets beyond that): the dashboard never pulls raw events or every window.
   */
  async series(
    model: string,
    range: { readonly fromMs: number; readonly toMs: number } | { readonly lastMs: number },
    version: string | undefined,
    maxPoints: number,
  ): Promise<SeriesAnswer> {
    const runtime = this.runtime(model);
    const { settings, record } = runtime;
    const clockNow = this.options.clock === "event" ? runtime.clock.now() : this.options.now();
    const now = Number.isFinite(clockNow) ? clockNow : this.options.now();
    const { fromMs, toMs } =
      "lastMs" in range ? { fromMs: now - range.lastMs, toMs: Number.POSITIVE_INFINITY } : range;
    const windows = await this.windows(model, fromMs, toMs, version);
    const series = buildModelSeries(windows.map(seriesInput), {
      windowMs: settings.monitor.window,
      maxPoints,
      columnOrder: record.features.map((f) => f.name),
      untested: runtime.window.untested ?? [],
    });
    return {
      model,
      task: record.task,
      windowMs: settings.monitor.window,
      quality: {
        metric: settings.metrics.quality.metric,
        threshold: settings.metrics.quality.threshold,
        direction: settings.metrics.quality.direction,
      },
      latency: {
        percentile: settings.metrics.latency.percentile,
        thresholdMs: settings.metrics.latency.threshold,
      },
      versionList: [...runtime.versions].sort(),
      referenceQuality: (
        await Promise.all(
          series.versions.map((v) =>
            this.referenceQualities.answer(model, v.version, settings.metrics.quality.metric),
          ),
        )
      ).filter((r): r is ReferenceQualityAnswer => r !== null),
      now,
      from: Number.isFinite(fromMs) ? fromMs : null,
      to: Number.isFinite(toMs) ? toMs : null,
      ...series,
    };
  }

  /** Every model with its health, newest quality, firing alerts and a sparkline (the overview page). */
  async overview(sparkWindows = 48): Promise<OverviewModel[]> {
    const out: OverviewModel[] = [];
    const alerts = this.alerting?.alerts(this.alertClock()) ?? [];
    for (const runtime of [...this.models.values()].sort((a, b) =>
      a.record.name < b.record.name ? -1 : 1,
    )) {
      const { record, settings } = runtime;
      const length = settings.monitor.window;
      const clockNow = this.options.clock === "event" ? runtime.clock.now() : this.options.now();
      const now = Number.isFinite(clockNow) ? clockNow : this.options.now();
      const windows = await this.windows(
        record.name,
        now - (sparkWindows + 1) * length,
        Number.POSITIVE_INFINITY,
      );
      const newest = windows.at(-1);
      const finals = windows.filter((w) => w.final === true);
      const judged = finals.at(-1) ?? newest;
      const firing = alerts.filter(
        (a) => concerns(a.labels, record.name) && a.status === "firing" && a.state === "active",
      );
      const attribution =
        judged === undefined
          ? null
          : await this.attributionVerdict(record.name, judged.version, judged.startMs);
      const health = modelHealth({
        newestWindowMs: newest?.startMs ?? null,
        windowMs: length,
        now,
        verdicts: [
          ...((judged?.verdicts as SeriesVerdict[] | undefined) ?? []),
          ...(attribution === null ? [] : [attribution]),
        ],
        windowLabel: judged?.start.slice(0, 16).replace("T", " ") ?? "",
        alerts: firing.map((a) => ({
          alertname: a.labels.alertname ?? "",
          severity: a.labels.severity ?? "warning",
          summary: a.annotations.summary ?? "",
        })),
      });
      const inputs = windows.map(seriesInput);
      const withValue = inputs.filter((w) => w.quality !== null).at(-1);
      const sparkVersion = newest?.version ?? "";
      const spark = inputs.filter((w) => w.version === sparkVersion).slice(-sparkWindows);
      out.push({
        name: record.name,
        task: record.task,
        now,
        windowMs: length,
        health,
        quality: {
          metric: settings.metrics.quality.metric,
          threshold: settings.metrics.quality.threshold,
          direction: settings.metrics.quality.direction,
        },
        last:
          withValue === undefined
            ? null
            : { version: withValue.version, startMs: withValue.startMs, value: withValue.quality },
        firing: firing.length,
        sparkline: {
          version: sparkVersion,
          start: spark.map((w) => w.startMs),
          value: spark.map((w) => w.quality),
        },
      });
    }
    return out;
  }

  /** Subscribes to changes (windows written, alert transitions); returns the unsubscribe function. */
  onChange(listener: (change: ServiceChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private announce(change: ServiceChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch {
        // A listener (a dashboard stream) must never break the write path.
      }
    }
  }

  private announceAlerts(): void {
    if (this.alerting === undefined) return;
    const now = new Map<string, string>();
    for (const a of this.alerting.alerts(this.alertClock())) {
      const state = `${a.status}/${a.state}`;
      now.set(a.fingerprint, state);
      if (this.announcedAlerts.get(a.fingerprint) !== state)
        this.announce({
          type: "alert",
          fingerprint: a.fingerprint,
          status: a.status,
          state: a.state,
          labels: a.labels,
        });
    }
    this.announcedAlerts = now;
  }

  /**
   * Stores the report of the last completed reporting period (`reporting.frequency`, aligned on the
   * model's clock) if it is not stored yet. A replay that jumps ahead reports only the newest period:
   * reports are for reading, and hundreds of back-filled ones would only bury it.
   */
  private async reportIfDue(runtime: ModelRuntime): Promise<void> {
    const clockNow = this.options.clock === "event" ? runtime.clock.now() : this.options.now();
    if (!Number.isFinite(clockNow)) return;
    const frequency = runtime.settings.reporting.frequency;
    const periodEnd = Math.floor(clockNow / frequency) * frequency;
    const collection = reportCollection(runtime.record.name);
    if (runtime.lastReportEnd === undefined) {
      const latest = await this.options.store.listDocuments(
        collection,
        periodEnd - frequency,
        Number.POSITIVE_INFINITY,
        1,
      );
      runtime.lastReportEnd = latest.length > 0 ? latest[0]!.timeMs : Number.NEGATIVE_INFINITY;
    }
    if (runtime.lastReportEnd >= periodEnd) return;
    const report = await this.healthReportNow(runtime.record.name, periodEnd - frequency, periodEnd);
    // Before the model's first window there is nothing to report on (a later silence is reported).
    if (report.versions.length === 0 && runtime.lastReportEnd === Number.NEGATIVE_INFINITY) {
      const earlier = await this.options.store.getWindows(
        runtime.record.name,
        Number.NEGATIVE_INFINITY,
        periodEnd,
      );
      if (earlier.length === 0) {
        runtime.lastReportEnd = periodEnd;
        return;
      }
    }
    await this.options.store.putDocument({
      collection,
      key: report.id,
      timeMs: periodEnd,
      body: JSON.stringify(report),
    });
    runtime.lastReportEnd = periodEnd;
    this.announce({ type: "report", model: runtime.record.name, id: report.id, status: report.status });
  }

  /**
   * A model's health over [fromMs, toMs): the windows overlapping it merged per version (quality,
   * label-free estimate, latency, fairness with intervals), their verdicts and the worst drift, the
   * alerts firing, and the status with every reason.
   */
  async healthReport(model: string, fromMs: number, toMs: number): Promise<HealthReport> {
    this.runtime(model);
    await this.committing;
    return this.healthReportNow(model, fromMs, toMs);
  }

  /** {@link healthReport} without waiting for the ingest chain (the flush that writes reports runs in it). */
  private async healthReportNow(model: string, fromMs: number, toMs: number): Promise<HealthReport> {
    const runtime = this.runtime(model);
    const { settings, record } = runtime;
    const length = settings.monitor.window;
    const summaries = await this.windowsNow(model, fromMs - length + 1, toMs);
    const byVersion = new Map<string, WindowSummary[]>();
    for (const w of summaries) byVersion.set(w.version, [...(byVersion.get(w.version) ?? []), w]);
    const versions: HealthReport["versions"] = [];
    const verdicts: Array<HealthVerdict & { version: string }> = [];
    for (const [version, list] of [...byVersion].sort(([a], [b]) => (a < b ? -1 : 1))) {
      let merged: WindowState | null = null;
      for (const w of list) {
        const state = await this.windowState(runtime, version, w.startMs);
        if (state === null) continue;
        merged = merged === null ? state : merged.merge(state);
      }
      if (merged === null) continue;
      const inputs = list.map(seriesInput);
      const driftColumns = new Map<string, number>();
      let worstDrift: Severity | null = null;
      for (const w of list) {
        const drift = w.drift as {
          severity: Severity;
          columns: Array<{ column: string; severity: Severity }>;
        } | null;
        if (drift === null || drift === undefined) continue;
        if (worstDrift === null || severityRank(drift.severity) > severityRank(worstDrift))
          worstDrift = drift.severity;
        for (const c of drift.columns)
          if (severityRank(c.severity) >= 2)
            driftColumns.set(c.column, (driftColumns.get(c.column) ?? 0) + 1);
      }
      const periodVerdicts: WindowVerdict[] = windowVerdicts(merged, null, settings);
      const newestFinal = list.filter((w) => w.final === true).at(-1);
      const attribution =
        newestFinal === undefined ? null : await this.attributionVerdict(model, version, newestFinal.startMs);
      if (attribution !== null) periodVerdicts.push(attribution);
      for (const v of periodVerdicts) verdicts.push({ ...v, version });
      if (worstDrift !== null && worstDrift !== "ok")
        verdicts.push({
          version,
          rule: "drift",
          metric: "drift",
          value: driftColumns.size,
          threshold: 0,
          status: "breach",
          severity: worstDrift,
        });
      const summary = merged.summary();
      versions.push({
        version,
        windows: list.length,
        events: summary.events,
        labels: summary.labels,
        quality: {
          metric: settings.metrics.quality.metric,
          value: periodVerdicts.find((v) => v.rule === "quality")?.value ?? null,
          threshold: settings.metrics.quality.threshold,
          direction: settings.metrics.quality.direction,
        },
        estimated: merged.estimate(),
        latency: summary.latency,
        drift: {
          worst: worstDrift,
          columns: [...driftColumns]
            .map(([column, windows]) => ({ column, windows }))
            .sort((a, b) => b.windows - a.windows),
        },
        fairness: merged.fairnessReport(),
        verdicts: periodVerdicts,
        chart: {
          start: inputs.map((w) => w.startMs),
          quality: inputs.map((w) => w.quality),
          p99: inputs.map((w) => w.p99),
          events: inputs.map((w) => w.events),
        },
      });
    }
    // Only the alerts of this period's own windows (or, without a window, raised in the period):
    // an alert firing when the report is written may belong to a later window.
    const periodWindows = new Set(summaries.map((w) => w.startMs));
    const alerts = (this.alerting?.alerts(this.alertClock()) ?? [])
      .filter((a) => concerns(a.labels, model) && a.status === "firing" && a.state === "active")
      .filter((a) => {
        const windowStart = a.annotations.window_start;
        return windowStart === undefined
          ? a.startsAt >= fromMs && a.startsAt < toMs
          : periodWindows.has(Date.parse(windowStart));
      })
      .map((a) => ({
        alertname: a.labels.alertname ?? "",
        severity: a.labels.severity ?? "warning",
        summary: a.annotations.summary ?? "",
      }));
    const health = modelHealth({
      newestWindowMs: summaries.at(-1)?.startMs ?? null,
      windowMs: Math.max(length, toMs - fromMs),
      now: toMs,
      verdicts: verdicts.map((v) => ({ ...v, metric: `${v.metric} (v${v.version})` })),
      windowLabel: `${new Date(fromMs).toISOString().slice(0, 16).replace("T", " ")} to ${new Date(toMs).toISOString().slice(0, 16).replace("T", " ")} UTC`,
      alerts,
    });
    return {
      id: new Date(fromMs).toISOString(),
      model,
      task: record.task,
      from: fromMs,
      to: toMs,
      windowMs: length,
      generatedMs: this.options.now(),
      status: health.status,
      reasons: health.reasons,
      versions,
      alerts,
    };
  }

  /**
   * The attribution-drift verdict of a window from the explanations' cache: the nDCG of the window's
   * importance ranking against the reference's, a *warning* below its threshold (0.9).
   */
  private async attributionVerdict(
    model: string,
    version: string,
    startMs: number,
  ): Promise<WindowVerdict | null> {
    const drift = await this.attributionOf?.(model, version, startMs);
    if (drift === null || drift === undefined || drift.ndcg === null) return null;
    return {
      rule: "attribution",
      metric: "attribution_ndcg",
      value: drift.ndcg,
      threshold: drift.threshold,
      status: drift.drifted ? "breach" : "ok",
      severity: drift.drifted ? "warning" : "ok",
      samples: 0,
    };
  }

  /** Stored health reports of a model, newest first (summaries without the per-version detail). */
  async listReports(model: string, fromMs: number, toMs: number, limit: number) {
    this.runtime(model);
    const documents = await this.options.store.listDocuments(reportCollection(model), fromMs, toMs, 100_000);
    return documents
      .slice(-limit)
      .reverse()
      .map((d) => {
        const r = JSON.parse(d.body) as HealthReport;
        // The windows the period drew on: with windows longer than the period, these say what the
        // figures cover (a week), where the period alone would say an hour.
        const starts = [...new Set(r.versions.flatMap((v) => v.chart.start))].sort((a, b) => a - b);
        const length = r.windowMs ?? this.runtime(model).settings.monitor.window;
        const windows =
          starts.length === 0
            ? null
            : { from: starts[0]!, to: starts.at(-1)! + length, count: starts.length };
        return { id: r.id, from: r.from, to: r.to, status: r.status, reasons: r.reasons, windows };
      });
  }

  /** One stored report. */
  async getReport(model: string, id: string): Promise<HealthReport> {
    this.runtime(model);
    const document = await this.options.store.getDocument(reportCollection(model), id);
    if (document === undefined)
      throw new TikTokToeError("NOT_FOUND", `no report "${id}" of model "${model}"`, {
        path: id,
        hint: `GET /v1/models/${model}/reports lists them`,
      });
    return JSON.parse(document.body) as HealthReport;
  }

  /** A window's state: the open one, or the stored one decoded; null when there is none. */
  private async windowState(
    runtime: ModelRuntime,
    version: string,
    startMs: number,
  ): Promise<WindowState | null> {
    const open = runtime.windows.get(key(version, startMs));
    // A copy: merging must not change the live window.
    if (open !== undefined)
      return WindowState.fromJSON(
        JSON.parse(JSON.stringify(open.state)),
        runtime.window,
        runtime.calibrators.get(version) ?? null,
      );
    return this.storedState(runtime, version, startMs);
  }

  /** A stored window's state, decoded (with the version's CBPE calibrator); null when there is none. */
  private async storedState(
    runtime: ModelRuntime,
    version: string,
    startMs: number,
  ): Promise<WindowState | null> {
    const stored = await this.options.store.getWindows(runtime.record.name, startMs, startMs + 1, version);
    if (stored.length === 0) return null;
    return WindowState.fromJSON(
      JSON.parse(Buffer.from(stored[0]!.state).toString("utf8")) as WindowStateJson,
      runtime.window,
      runtime.calibrators.get(version) ?? null,
    );
  }

  /** The full drift report of one window (the `tiktoktoe drift` JSON shape). */
  async windowDriftReport(model: string, startMs: number, version: string): Promise<DriftReport> {
    const runtime = this.runtime(model);
    this.requireVersion(runtime, version);
    await this.committing;
    const state =
      runtime.windows.get(key(version, startMs))?.state ??
      (await this.storedState(runtime, version, startMs));
    if (state === null)
      throw new TikTokToeError(
        "NOT_FOUND",
        `no window of version "${version}" starts at ${new Date(startMs).toISOString()}`,
      );
    const report = this.drift(runtime, version, state);
    if (report === null)
      throw new TikTokToeError("NOT_FOUND", `version "${version}" has no reference data`, {
        hint: `PUT /v1/models/${model}/versions/${version}/reference`,
      });
    return report;
  }

  /** Deletes windows and log batches older than the retention (by the model clocks). */
  async retention(): Promise<{ batches: number; windows: number; events: number }> {
    await this.committing;
    let oldest = Number.POSITIVE_INFINITY;
    for (const runtime of this.models.values()) {
      const now = this.options.clock === "event" ? runtime.clock.now() : this.options.now();
      if (Number.isFinite(now)) oldest = Math.min(oldest, now - runtime.settings.reporting.retention);
    }
    if (!Number.isFinite(oldest)) return { batches: 0, windows: 0, events: 0 };
    // The store's id index shrinks with the log (deleteBefore): an event past retention can neither be
    // deduplicated against (its time is long beyond the lateness) nor receive a label any more.
    for (const runtime of this.models.values()) {
      const now = this.options.clock === "event" ? runtime.clock.now() : this.options.now();
      if (Number.isFinite(now))
        for (const collection of [
          reportCollection(runtime.record.name),
          explanationCollection(runtime.record.name),
        ])
          await this.options.store.deleteDocumentsBefore(
            collection,
            now - runtime.settings.reporting.retention,
          );
    }
    return this.options.store.deleteBefore(oldest);
  }

  async close(): Promise<void> {
    await this.flush();
  }

  /**
   * Metrics of each model version's newest open window, named by Prometheus conventions (base units:
   * seconds, ratios): the configured quality metric under its own name ({@link qualityMetricSeries}),
   * a latency summary, events, label coverage, drift severity (0 ok … 3 emergency).
   */
  gauges(): MetricFamily[] {
    const quality = new Map<QualityMetric, Sample[]>();
    const latency: SummarySample[] = [];
    const events: Sample[] = [];
    const coverage: Sample[] = [];
    const drift: Sample[] = [];
    for (const runtime of this.models.values()) {
      const newest = new Map<string, OpenWindow>();
      for (const w of runtime.windows.values())
        if ((newest.get(w.version)?.startMs ?? -Infinity) < w.startMs) newest.set(w.version, w);
      for (const [version, window] of newest) {
        const labels = { model: runtime.record.name, version };
        const summary = window.state.summary();
        const metric = runtime.settings.metrics.quality.metric;
        const value = windowVerdicts(window.state, null, runtime.settings)[0]!.value;
        if (value !== null) quality.set(metric, [...(quality.get(metric) ?? []), { labels, value }]);
        const totals = window.state.latencyTotals();
        if (totals.count > 0)
          latency.push({
            labels,
            quantiles: [0.5, 0.95, 0.99].map((q) => ({
              quantile: q,
              value: window.state.latencyQuantile(q)! / 1000,
            })),
            sum: totals.sumMs / 1000,
            count: totals.count,
          });
        events.push({ labels, value: summary.events });
        coverage.push({ labels, value: summary.events === 0 ? 0 : summary.labels / summary.events });
        const report = this.drift(runtime, version, window.state);
        if (report !== null) drift.push({ labels, value: severityRank(report.severity) });
      }
    }
    return [
      ...[...quality].map(
        ([metric, samples]): MetricFamily => ({
          ...qualityMetricSeries[metric],
          type: "gauge",
          samples,
        }),
      ),
      {
        name: "tiktoktoe_model_latency_seconds",
        // _count and _sum are the newest window's, so they restart with each window: rate() reads
        // that as a counter reset, which is what it is.
        help: "Prediction latency of the newest window: quantiles from a DDSketch (1% relative error), exact sum and count.",
        type: "summary",
        samples: latency,
      },
      {
        name: "tiktoktoe_model_window_events",
        help: "Events in the newest window.",
        type: "gauge",
        samples: events,
      },
      {
        name: "tiktoktoe_model_label_coverage_ratio",
        help: "Share of the newest window's events that have a label.",
        type: "gauge",
        samples: coverage,
      },
      {
        name: "tiktoktoe_model_drift_severity",
        help: "Drift severity of the newest window: 0 ok, 1 warning, 2 critical, 3 emergency.",
        type: "gauge",
        samples: drift,
      },
    ];
  }

  // ---- start-up -------------------------------------------------------------------------------

  private async load(record: ModelRecord): Promise<void> {
    const settings = resolveModelConfig(this.options.config, record.name);
    const versions = new Set((await this.options.store.listVersions(record.name)).map((v) => v.version));
    const profiles = new Map<string, ReferenceProfile | null>();
    const calibrators = new Map<string, IsotonicRegression | null>();
    for (const version of versions) {
      const bytes = await this.options.store.getArtifact(record.name, version, "reference-profile");
      profiles.set(version, bytes === undefined ? null : decodeReference(bytes));
      calibrators.set(version, bytes === undefined ? null : decodeCalibrator(bytes));
    }
    this.models.set(record.name, {
      record,
      settings,
      window: windowModelOf(record, this.options.sampleCapacity),
      versions,
      profiles,
      calibrators,
      clock: await this.restoredClock(record.name),
      windows: new Map(),
    });
  }

  /** The model's clock: the wall clock, or the event clock as checkpointed (the tail advances it). */
  private async restoredClock(model: string): Promise<MonitorClock> {
    if (this.options.clock !== "event") return new WallClock(this.options.now);
    const clock = new EventTimeClock();
    const saved = await this.options.store.getCheckpoint(clockCheckpoint(model));
    if (saved > 0) clock.observe(saved);
    return clock;
  }

  /**
   * Loads the windows that were open at the last checkpoint (not final by the restored clock), so they
   * close, alert and report as if the server had not stopped. Only the lateness's span is read.
   */
  private async loadOpenWindows(runtime: ModelRuntime): Promise<void> {
    const now = runtime.clock.now();
    if (!Number.isFinite(now)) return;
    const { window: length, lateness } = runtime.settings.monitor;
    const from = oldestAcceptedMs(now, length, lateness) - length;
    for (const record of await this.options.store.getWindowSummaries(
      runtime.record.name,
      from,
      Number.POSITIVE_INFINITY,
    ))
      if (!isWindowFinal(record.startMs, length, lateness, now))
        await this.openWindow(runtime, record.version, record.startMs);
  }

  private runtime(name: string): ModelRuntime {
    const runtime = this.models.get(name);
    if (runtime === undefined)
      throw new TikTokToeError("NOT_FOUND", `unknown model "${name}"`, {
        path: name,
        hint: "register it with POST /v1/models",
      });
    return runtime;
  }

  private requireVersion(runtime: ModelRuntime, version: string): void {
    if (!runtime.versions.has(version))
      throw new TikTokToeError(
        "NOT_FOUND",
        `unknown version "${version}" of model "${runtime.record.name}"`,
        {
          path: version,
          hint: `register it with POST /v1/models/${runtime.record.name}/versions`,
        },
      );
  }
}

function describe(
  model: string,
  version: string,
  startMs: number,
  endMs: number,
  summary: Readonly<Record<string, unknown>>,
): WindowSummary {
  return {
    model,
    version,
    start: new Date(startMs).toISOString(),
    end: new Date(endMs).toISOString(),
    startMs,
    endMs,
    ...summary,
  };
}

/** A stable seed per window, so a window's sample does not depend on when the server started. */
function seedOf(model: string, version: string, startMs: number): number {
  let h = 2166136261;
  for (const c of `${model}/${version}/${startMs}`) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return h >>> 0;
}
