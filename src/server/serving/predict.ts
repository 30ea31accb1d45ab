import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { analysisDue, canaryWeight, isShadowing, routesToCanary } from "../../deploy/index.js";
import { TikTokToeError } from "../../errors/index.js";
import type { Logger } from "../../logging/index.js";
import type { ModelRecord, Store } from "../../store/index.js";
import type { MonitorService } from "../monitor-service.js";
import { SHADOW_SUFFIX } from "./observations.js";
import type { RolloutState, StateDoc } from "./rollout-state.js";
import { predictRows, type RowOutput, readOutputs } from "./rows.js";
import { pastDeadline } from "./scheduler.js";
import { type LoadedVersion, runBound, ServingSessions, signatureSchema } from "./sessions.js";
import type { RolloutCounters, StepCounters } from "./step-counters.js";

/** A prediction request's body: one row or several, the routing key, the event time. */
export interface PredictBody {
  input?: Record<string, unknown>;
  inputs?: Array<Record<string, unknown>>;
  key?: string;
  time?: string | number;
}

/** Options of {@link Predictor}. */
export interface PredictorOptions {
  readonly store: Pick<Store, "getArtifact">;
  readonly service: Pick<MonitorService, "model" | "admitAnswered" | "recordAnswered" | "flushAnswered">;
  /** The rollout clock: the monitor's (`event`: newest event time served; `wall`: `now`). */
  readonly clock: "wall" | "event";
  readonly now: () => number;
  /** True: a prediction's answer waits until its event is durable (`serving.record_before_answer`). */
  readonly recordBeforeAnswer?: boolean | undefined;
  readonly log?: Logger | undefined;
  readonly deployment: Pick<RolloutState, "state" | "running">;
  readonly counters: RolloutCounters;
  /** Runs the model's due analysis or deadline (the scheduler's); on the event clock, before routing. */
  readonly tickModel: (model: string) => Promise<void>;
}

/**
 * The request path: routes a prediction to the production version or the canary, runs it on a cached
 * onnxruntime session, records each row as a monitor event and counts it for the rollout's analysis;
 * a shadow gets a copy after the answer, and a canary request is mirrored to production for the
 * agreement.
 *
 * @example
 * ```ts
 * const predictor = new Predictor({ store, service, clock: "wall", now: Date.now, deployment, counters, tickModel });
 * await predictor.predict("m", { input: { x: 1 } }, undefined);
 * ```
 */
export class Predictor {
  private readonly sessions = new ServingSessions();
  /** Background work (shadow and mirrored runs), awaited on close. */
  private readonly background = new Set<Promise<void>>();

  constructor(private readonly options: PredictorOptions) {}

  /**
   * Predicts rows with the version the request routes to, records each as a monitor event (through
   * the ingest the events API uses) and answers with the ids. A shadow gets a copy after the answer.
   */
  async predict(model: string, body: PredictBody, headerKey: string | undefined) {
    const record = this.options.service.model(model);
    // Refused before the model runs when answers could not be recorded (the store is not keeping up).
    this.options.service.admitAnswered();
    const inputs = body.inputs ?? (body.input === undefined ? [] : [body.input]);
    const rows = predictRows(record, inputs);
    const state = await this.options.deployment.state(model);
    // Without a time, an event happens now: on the event clock, at the model's newest event time.
    const timeMs = this.eventTime(
      body.time,
      this.options.clock === "event" ? (state.clockMs ?? undefined) : undefined,
    );
    if (state.production === null)
      throw new TikTokToeError("NOT_SERVING", `model "${model}" has no production version`, {
        hint: `make a version production: POST /v1/models/${model}/stages {"version": …, "stage": "production"}`,
      });
    if (this.options.clock === "event" && timeMs > (state.clockMs ?? Number.NEGATIVE_INFINITY)) {
      state.clockMs = timeMs;
      // With the event clock, time moves with the requests: an analysis that falls due is run before
      // this request is routed, so a failed canary gets no traffic after its period.
      const doc = this.options.deployment.running(model);
      if (doc !== undefined && (analysisDue(doc.rollout, timeMs) || pastDeadline(doc.rollout, timeMs)))
        await this.options.tickModel(model);
    }
    const doc = this.options.deployment.running(model);
    const rollout = doc?.rollout;
    const key = headerKey ?? body.key ?? randomUUID();
    const toCanary = rollout !== undefined && routesToCanary(key, canaryWeight(rollout));
    const version = toCanary ? rollout.candidate : state.production;
    const counters = rollout === undefined ? undefined : this.options.counters.of(rollout);
    let outputs: RowOutput[];
    let latencyMs: number;
    const loaded = await this.acquire(record, version);
    try {
      const start = performance.now();
      const result = await runBound(loaded.session, loaded.signature, rows.matrix, rows.rows, loaded.width);
      latencyMs = performance.now() - start;
      outputs = readOutputs(record, result, rows.rows);
    } catch (error) {
      if (counters !== undefined)
        for (const c of [counters, this.options.counters.of(rollout!, true)]) {
          if (toCanary) c.canaryErrors += rows.rows;
          else c.productionErrors += rows.rows;
        }
      throw error;
    } finally {
      this.sessions.release(loaded);
      if (counters !== undefined)
        for (const c of [counters, this.options.counters.of(rollout!, true)]) {
          if (toCanary) c.canaryRequests += rows.rows;
          else c.productionRequests += rows.rows;
        }
    }
    const ids = outputs.map(() => randomUUID());
    // Recorded just after the answer, in the next group commit (the answer never waits for the disk;
    // labels and analyses of the model wait for these records: see DeferredRecords).
    this.options.service.recordAnswered(
      model,
      outputs.map((o, i) => ({
        id: ids[i],
        time: timeMs,
        version,
        features: rows.records[i],
        prediction: o.prediction,
        scores: o.scores,
        latency_ms: latencyMs,
      })),
    );
    if (this.options.recordBeforeAnswer === true) await this.options.service.flushAnswered(model);
    // The shadow gets a copy; a canary request is mirrored to production for the agreement. Both after
    // the answer is decided, never in its way, and their failures never reach the caller.
    if (rollout !== undefined && (isShadowing(rollout) || toCanary)) {
      const other = isShadowing(rollout) ? rollout.candidate : rollout.production;
      this.inBackground(
        this.compare(record, other, rows, outputs, ids, timeMs, isShadowing(rollout), counters!),
      );
    }
    const classes = record.classes;
    return {
      model,
      version,
      predictions: outputs.map((o, i) => ({
        id: ids[i]!,
        prediction: o.prediction,
        scores:
          o.scores === null || classes === undefined
            ? null
            : Object.fromEntries(classes.map((c, k) => [c, o.scores![k]!])),
      })),
      latencyMs,
    };
  }

  /** Runs the other version on the same rows: a shadow's answers are recorded; agreement is counted. */
  private async compare(
    record: ModelRecord,
    version: string,
    rows: ReturnType<typeof predictRows>,
    served: RowOutput[],
    ids: string[],
    timeMs: number,
    shadow: boolean,
    counters: StepCounters,
  ): Promise<void> {
    let loaded: LoadedVersion;
    try {
      loaded = await this.acquire(record, version);
    } catch {
      if (shadow) counters.canaryErrors += rows.rows;
      return;
    }
    let outputs: RowOutput[];
    let latencyMs: number;
    try {
      const start = performance.now();
      const result = await runBound(loaded.session, loaded.signature, rows.matrix, rows.rows, loaded.width);
      latencyMs = performance.now() - start;
      outputs = readOutputs(record, result, rows.rows);
    } catch {
      if (shadow) {
        counters.canaryErrors += rows.rows;
        counters.canaryRequests += rows.rows;
      }
      return;
    } finally {
      this.sessions.release(loaded);
    }
    if (shadow) counters.canaryRequests += rows.rows;
    counters.compared += rows.rows;
    for (const [i, o] of outputs.entries()) if (sameAnswer(record, o, served[i]!)) counters.agreed++;
    if (!shadow) return;
    this.options.service.recordAnswered(
      record.name,
      outputs.map((o, i) => ({
        id: `${ids[i]}${SHADOW_SUFFIX}`,
        time: timeMs,
        version,
        features: rows.records[i],
        prediction: o.prediction,
        scores: o.scores,
        latency_ms: latencyMs,
      })),
    );
  }

  /** Loads a version's session, or refuses: the candidate must load and fit before it gets traffic. */
  async load(record: ModelRecord, version: string): Promise<void> {
    const loaded = await this.acquire(record, version);
    this.sessions.release(loaded);
  }

  /** Closes a version's session once its requests in flight have finished (its model was replaced). */
  retire(model: string, version: string): void {
    this.sessions.retire(model, version);
  }

  /** Closes the sessions of the model's versions that serve no longer (not production, not the candidate). */
  retireIdle(state: StateDoc): void {
    const keep = new Set<string>();
    if (state.production !== null) keep.add(state.production);
    const doc = this.options.deployment.running(state.model);
    if (doc !== undefined) keep.add(doc.rollout.candidate);
    for (const entry of this.sessions.versions()) {
      const slash = entry.indexOf("/");
      const model = entry.slice(0, slash);
      const version = entry.slice(slash + 1);
      if (model === state.model && !keep.has(version)) this.sessions.retire(model, version);
    }
  }

  /** Resolves once the background runs started so far (shadow copies, mirrored canary requests) ended. */
  async idle(): Promise<void> {
    await Promise.all([...this.background]);
  }

  /** Releases every session (after {@link Predictor.idle}: nothing runs on them any more). */
  async close(): Promise<void> {
    await this.sessions.close();
  }

  private eventTime(time: string | number | undefined, fallback: number | undefined): number {
    if (time === undefined) return fallback ?? this.options.now();
    const ms =
      typeof time === "number" ? time : /[Zz]|[+-]\d{2}:\d{2}$/.test(time) ? Date.parse(time) : Number.NaN;
    if (!Number.isFinite(ms))
      throw new TikTokToeError("REQUEST_INVALID", "time must be epoch milliseconds or ISO 8601 with a zone", {
        path: "time",
      });
    return ms;
  }

  private async acquire(record: ModelRecord, version: string): Promise<LoadedVersion> {
    return this.sessions.acquire(
      record.name,
      version,
      () => this.options.store.getArtifact(record.name, version, "onnx"),
      signatureSchema(record),
    );
  }

  private inBackground(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) =>
      this.options.log?.warn("a shadow or mirrored prediction failed", { error }),
    );
    this.background.add(tracked);
    void tracked.finally(() => this.background.delete(tracked));
  }
}

function sameAnswer(record: ModelRecord, a: RowOutput, b: RowOutput): boolean {
  if (record.task !== "regression") return a.prediction === b.prediction;
  // Regressions agree within 1e-6 relative: a re-encoded copy differs in the last float bits.
  const x = Number(a.prediction);
  const y = Number(b.prediction);
  return Math.abs(x - y) <= 1e-6 * Math.max(1, Math.abs(x), Math.abs(y));
}
