import { TikTokToeError } from "../../errors/index.js";
import type { ModelRecord, Store } from "../../store/index.js";
import { driftOf, rankingOf } from "./attribution-drift.js";
import { type LinearMeta, linearMetaOf } from "./linear-model.js";
import { computeReference, type ReferenceAnswer, referenceOf } from "./reference-importance.js";
import { BackgroundQueue, SharedRuns } from "./scheduler.js";
import {
  currentResult,
  readCachedWindow,
  type StoredReference,
  writeCachedWindow,
  writeStoredReference,
} from "./storage.js";
import type { AttributionDriftAnswer, ImportanceAnswer, WindowBounds, WindowResult } from "./types.js";
import { EXPLAIN_MIN_ROWS, tooFew } from "./usable-rows.js";
import { linearWindow, permutationWindow } from "./window-importance.js";

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
  private readonly running = new SharedRuns<WindowResult>();
  /** Background explanations of final windows, one after another. */
  private readonly queue: BackgroundQueue;

  constructor(
    private readonly store: ExplanationStore,
    private readonly service: ExplanationService,
    private readonly log: (message: string, error: unknown) => void = (message, error) =>
      console.error(`tiktoktoe: ${message}:`, error),
  ) {
    this.queue = new BackgroundQueue(this.log);
  }

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

    const reference = await referenceOf(this.store, model, version, record, linear);
    const background = linear === null ? "" : reference.background;
    const key = `${model}\u0000${version}\u0000${startMs}\u0000${count}\u0000${background}`;
    const result = await this.running.run(key, () =>
      this.cachedOrCompute(record, version, window, count, background, linear, onnx, reference),
    );
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
    this.queue.add(work);
  }

  /** Waits for the background explanations queued so far (tests, shutdown). */
  async idle(): Promise<void> {
    await this.queue.idle();
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
      const entry = await readCachedWindow(this.store, model, version, startMs);
      if (entry === undefined) return null;
      const record = this.service.model(model);
      const stored = await this.store.getVersion(model, version);
      const linear = linearMetaOf(record, stored?.meta ?? {});
      const reference = await referenceOf(this.store, model, version, record, linear);
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
      stored = await computeReference(record, version, onnx, bytes, mediaType);
    } catch (error) {
      this.log(`computing the reference importance of ${model} version ${version} failed`, error);
      stored = {
        v: 1,
        status: "skipped",
        note: `the reference's importance could not be computed: ${(error as Error).message}`,
      };
    }
    try {
      await writeStoredReference(this.store, model, version, stored);
    } catch (error) {
      this.log(`storing the reference importance of ${model} version ${version} failed`, error);
    }
  }

  /** The window's result from the cache when it was computed from the same rows, else computed and cached. */
  private async cachedOrCompute(
    record: ModelRecord,
    version: string,
    window: WindowBounds,
    count: number,
    background: string,
    linear: LinearMeta | null,
    onnx: Uint8Array | undefined,
    reference: Pick<ReferenceAnswer, "importance">,
  ): Promise<WindowResult> {
    const cached = currentResult(
      await readCachedWindow(this.store, record.name, version, window.startMs),
      count,
      background,
    );
    if (cached !== undefined) return cached;
    const result =
      linear !== null
        ? await linearWindow(this.store, record, version, window, linear, reference.importance !== null)
        : await permutationWindow(this.store, record, version, window, onnx!);
    await writeCachedWindow(this.store, record.name, version, window.startMs, { count, background, result });
    return result;
  }
}
