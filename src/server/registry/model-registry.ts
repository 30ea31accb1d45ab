import { type MonitorConfig, resolveModelConfig, type Settings, toDriftOptions } from "../../config/index.js";
import type { DriftReport } from "../../drift/index.js";
import { TikTokToeError } from "../../errors/index.js";
import { fitCbpeCalibrator, type IsotonicRegression } from "../../metrics/index.js";
import {
  buildReferenceProfile,
  EventTimeClock,
  type MonitorClock,
  qualityValue,
  type ReferenceProfile,
  referenceQuality,
  WallClock,
  type WindowModel,
  type WindowState,
  windowDrift,
} from "../../monitor/index.js";
import { seededRandom } from "../../stats/random.js";
import type { ChangeBus, ModelRecord, Store } from "../../store/index.js";
import { parseModelDefinition } from "../model-definition.js";
import { encodeReferenceRows } from "../model-files.js";
import { predictWithOnnx } from "../onnx-predict.js";
import {
  decodeCalibrator,
  decodeReference,
  encodeReference,
  parseReferenceColumns,
  windowModelOf,
} from "../reference.js";
import { ReferenceQualities } from "../reference-quality.js";

/** A registered model as the server runs it: its record, resolved settings, references and clock. */
export interface ModelRuntime {
  readonly record: ModelRecord;
  readonly settings: Settings;
  readonly window: WindowModel;
  readonly versions: Set<string>;
  readonly profiles: Map<string, ReferenceProfile | null>;
  /** Per version, the score calibrator fitted on the reference (CBPE), when its upload had scores. */
  readonly calibrators: Map<string, IsotonicRegression | null>;
  readonly clock: MonitorClock;
}

/** Options of {@link ModelRegistry.open}. */
export interface ModelRegistryOptions {
  readonly store: Store;
  readonly config: MonitorConfig;
  /** `wall`: windows close by the wall clock (live); `event`: by the newest event time (replays). */
  readonly clock: "wall" | "event";
  readonly now: () => number;
  /** Rows of each window's feature sample (exact below it). Default 10,000. */
  readonly sampleCapacity?: number;
  /**
   * The replicas' change notices: registrations here are announced, and other replicas' are loaded
   * (docs/scale-out.md). Without it the registry is this process's alone, as with one process.
   */
  readonly bus?: ChangeBus;
  /** Where a failure to follow another replica's change is reported. */
  readonly log?: (message: string, error: unknown) => void;
}

/** The bus topic of registry changes: which model, and which version when one changed. */
const REGISTRY_TOPIC = "registry";

/** A registry change notice. */
interface RegistryNotice {
  readonly model: string;
  readonly version?: string;
}

/** The consumer name under which an event-time model clock is checkpointed. */
export const clockCheckpoint = (model: string) => `clock:${model}`;

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
 * The models served: records, versions, reference profiles and calibrators, each model's clock
 * (restored from its `clock:<model>` checkpoint with the event clock). Loaded at start-up, then
 * changed by registrations and reference uploads, this replica's or (through the change bus) another
 * one's; what the ingest path validates against.
 *
 * @example
 * ```ts
 * const registry = await ModelRegistry.open({ store, config, clock: "wall", now: Date.now });
 * registry.model("bike").task; // "regression"
 * ```
 */
export class ModelRegistry {
  private readonly models = new Map<string, ModelRuntime>();
  /** Each version's quality on its reference (the `reference-quality` artifact), cached. */
  readonly referenceQualities: ReferenceQualities;

  private constructor(private readonly options: ModelRegistryOptions) {
    this.referenceQualities = new ReferenceQualities(options.store);
  }

  /** Loads every stored model with its versions, references and restored clock. */
  static async open(options: ModelRegistryOptions): Promise<ModelRegistry> {
    const registry = new ModelRegistry(options);
    // Subscribed before the first read: a change made meanwhile is loaded twice, never missed.
    options.bus?.subscribe(REGISTRY_TOPIC, (body, fromSelf) =>
      fromSelf ? undefined : registry.follow(body as RegistryNotice),
    );
    options.bus?.onGap(() => registry.catchUp());
    for (const record of await options.store.listModels()) await registry.load(record);
    return registry;
  }

  /**
   * Another replica's change: a new model is loaded whole; for a known one, new versions are added
   * and the named version's reference profile re-read. Runtimes are updated in place, never
   * replaced: the aggregator's open windows hold them.
   */
  private async follow(notice: RegistryNotice): Promise<void> {
    try {
      const known = this.models.get(notice.model);
      if (known === undefined) {
        const record = await this.options.store.getModel(notice.model);
        if (record !== undefined && !this.models.has(record.name)) await this.load(record);
        return;
      }
      await this.refreshVersions(known, notice.version);
    } catch (error) {
      this.options.log?.("following another replica's registry change failed", error);
    }
  }

  /** After missed notices: every stored model and version is loaded; known profiles are kept. */
  private async catchUp(): Promise<void> {
    try {
      for (const record of await this.options.store.listModels()) {
        const known = this.models.get(record.name);
        if (known === undefined) await this.load(record);
        else await this.refreshVersions(known, undefined);
      }
    } catch (error) {
      this.options.log?.("catching up with the registry failed", error);
    }
  }

  private async refreshVersions(runtime: ModelRuntime, changed: string | undefined): Promise<void> {
    const name = runtime.record.name;
    for (const { version } of await this.options.store.listVersions(name)) {
      if (runtime.versions.has(version) && version !== changed && runtime.profiles.get(version) !== null)
        continue;
      const bytes = await this.options.store.getArtifact(name, version, "reference-profile");
      runtime.profiles.set(version, bytes === undefined ? null : decodeReference(bytes));
      runtime.calibrators.set(version, bytes === undefined ? null : decodeCalibrator(bytes));
      this.referenceQualities.forget(name, version);
      runtime.versions.add(version);
    }
  }

  /** Tells the other replicas; a lost notice is caught up with by their fall-back poll. */
  private async announce(notice: RegistryNotice): Promise<void> {
    await this.options.bus
      ?.publish(REGISTRY_TOPIC, notice)
      .catch((error: unknown) => this.options.log?.("announcing a registry change failed", error));
  }

  /** Which clock closes windows: the wall clock (live) or each model's newest event time (replays). */
  get clockKind(): "wall" | "event" {
    return this.options.clock;
  }

  /** The wall clock (received times, report times). */
  wallNow(): number {
    return this.options.now();
  }

  /** Every model's runtime, in registration order of the process. */
  all(): IterableIterator<ModelRuntime> {
    return this.models.values();
  }

  /** The model's runtime, if registered (the log may hold batches of a model deleted since). */
  find(name: string): ModelRuntime | undefined {
    return this.models.get(name);
  }

  /** A model's time now: its event clock in replays (−∞ before its first event), else the wall clock. */
  clockNow(runtime: ModelRuntime): number {
    return this.options.clock === "event" ? runtime.clock.now() : this.options.now();
  }

  /**
   * The clock of alert timers: the newest event time of any model in replays, the wall clock live.
   */
  alertClock(): number {
    if (this.options.clock !== "event") return this.options.now();
    let latest = Number.NEGATIVE_INFINITY;
    for (const runtime of this.models.values()) latest = Math.max(latest, runtime.clock.now());
    return Number.isFinite(latest) ? latest : this.options.now();
  }

  /** A window's drift against its version's reference profile; null without one or without events. */
  drift(runtime: ModelRuntime, version: string, state: WindowState): DriftReport | null {
    const profile = runtime.profiles.get(version);
    if (profile === undefined || profile === null || state.summary().events === 0) return null;
    return windowDrift(state, profile, toDriftOptions(runtime.settings));
  }

  async registerModel(body: unknown): Promise<ModelRecord> {
    const record = parseModelDefinition(body, this.options.now());
    await this.options.store.createModel(record);
    await this.load(record);
    await this.announce({ model: record.name });
    return record;
  }

  listModels(): ModelRecord[] {
    return [...this.models.values()].map((m) => m.record).sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  model(name: string): ModelRecord {
    return this.runtime(name).record;
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
    await this.announce({ model, version: fields.version });
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
    await this.announce({ model, version });
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
    // Loaded twice at once (a notice while catching up): the first one stays, it may be in use.
    if (this.models.has(record.name)) return;
    this.models.set(record.name, {
      record,
      settings,
      window: windowModelOf(record, this.options.sampleCapacity),
      versions,
      profiles,
      calibrators,
      clock: await this.restoredClock(record.name),
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

  /** A model's runtime; NOT_FOUND when it is not registered. */
  runtime(name: string): ModelRuntime {
    const runtime = this.models.get(name);
    if (runtime === undefined)
      throw new TikTokToeError("NOT_FOUND", `unknown model "${name}"`, {
        path: name,
        hint: "register it with POST /v1/models",
      });
    return runtime;
  }

  /** NOT_FOUND when the version is not registered. */
  requireVersion(runtime: ModelRuntime, version: string): void {
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
