import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { parseDuration } from "../../config/index.js";
import type { VerificationDeclaration } from "../../contract/index.js";
import {
  type Agreement,
  type AnalysisLimits,
  type AnalysisResult,
  type ArmObservations,
  analysisDue,
  analyzeRollout,
  applyRolloutEvent,
  assertStageMove,
  canaryWeight,
  defaultAnalysisLimits,
  describeFailures,
  isFinal,
  isShadowing,
  type Rollout,
  type RolloutEvent,
  rolloutSpec,
  rolloutStages,
  routesToCanary,
  type Stage,
  startRollout,
} from "../../deploy/index.js";
import { TikTokToeError } from "../../errors/index.js";
import type { Logger } from "../../logging/index.js";
import type { ChangeBus, JobLocks, ModelRecord, Store } from "../../store/index.js";
import type { MonitorService, ServiceChange } from "../monitor-service.js";
import { observeArms, SHADOW_SUFFIX } from "./observations.js";
import { predictRows, type RowOutput, readOutputs } from "./rows.js";
import {
  type LoadedVersion,
  runBound,
  ServingSessions,
  servingProblem,
  signatureSchema,
} from "./sessions.js";
import { Verification, type VerificationRun } from "./verification.js";

/** Document collections (the store's `putDocument`): one state per model, rollouts, analyses, history. */
const STATE = "deploy-state";
const rolloutsOf = (model: string) => `deploy-rollouts/${model}`;
const analysesOf = (model: string) => `deploy-analyses/${model}`;
const historyOf = (model: string) => `deploy-history/${model}`;
/** The bus topic of deployment changes (a model's state or rollout was saved). */
const DEPLOY_TOPIC = "deploy";
/** The job lock of the wall-clock scheduler: one replica runs the analyses and deadlines. */
export const ROLLOUT_SCHEDULER_JOB = "rollout-scheduler";

/** A model's deployment as stored. */
interface StateDoc {
  readonly model: string;
  production: string | null;
  /** The production before the last promotion or move: an instant rollback target. */
  previous: string | null;
  stages: Record<string, Stage>;
  /** The running rollout's id. */
  rollout: string | null;
  /** With the event clock: the newest event time served (the rollout clock). */
  clockMs: number | null;
}

/** A rollout document: the state machine's record, its analysis limits and its verification. */
interface RolloutDoc {
  rollout: Rollout;
  readonly limits: AnalysisLimits;
  /** The verification run before any traffic (absent on rollouts stored before verification). */
  readonly verification?: VerificationRun;
}

/** What this process counted of a step that the log does not hold: failed requests and agreement. */
interface StepCounters {
  canaryRequests: number;
  canaryErrors: number;
  productionRequests: number;
  productionErrors: number;
  compared: number;
  agreed: number;
}

/** Options of {@link DeploymentService.open}. */
export interface DeploymentServiceOptions {
  readonly store: Store;
  readonly service: MonitorService;
  /** The rollout clock: the monitor's (`event`: newest event time served; `wall`: `now`). */
  readonly clock: "wall" | "event";
  readonly now: () => number;
  /** False: monitor only — predictions and uploads answer NOT_SERVING, rollouts still record. */
  readonly serving?: boolean;
  /** How often the wall-clock scheduler looks for due analyses and deadlines (ms). Default 1,000. */
  readonly tickMs?: number;
  /**
   * True: a prediction's answer waits until its event is durable (`serving.record_before_answer`).
   * Default false: it is recorded just after the answer (see DeferredRecords for the trade).
   */
  readonly recordBeforeAnswer?: boolean;
  readonly log?: Logger;
  /**
   * The replicas' change notices: this replica's stage changes and rollout steps are announced, the
   * others' re-read from the store (docs/scale-out.md). None: one process.
   */
  readonly bus?: ChangeBus;
  /**
   * The replicas' job locks: only the holder of {@link ROLLOUT_SCHEDULER_JOB} runs the wall-clock
   * scheduler (and the restart step at start-up); another replica takes it over when it dies. None:
   * this process schedules alone.
   */
  readonly locks?: JobLocks;
}

/** Who asked, for the history. */
export type Actor = string;

/**
 * Serving and deployment (issue #14): predictions on the serving versions through cached onnxruntime
 * sessions, recorded as monitor events; stages and rollouts in the store's documents with every change
 * in a history; the canary analysis on a schedule; rollback on a failed analysis, a critical alert
 * naming the canary, or a command. A restart resumes a rollout at its step or rolls it back, never
 * promotes it (docs/deployment.md).
 *
 * @example
 * ```ts
 * const deployments = await DeploymentService.open({ store, service, clock: "wall", now: Date.now });
 * await deployments.predict("m", { input: { x: 1 } }, undefined);
 * ```
 */
export class DeploymentService {
  private readonly states = new Map<string, StateDoc>();
  private readonly active = new Map<string, RolloutDoc>();
  private readonly counters = new Map<string, StepCounters>();
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly sessions = new ServingSessions();
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private stopBus: (() => void) | undefined;
  private historySeq = 0;
  /** Background work (shadow and mirrored runs), awaited on close. */
  private readonly background = new Set<Promise<void>>();

  private readonly verification: Verification;

  private constructor(private readonly options: DeploymentServiceOptions) {
    this.verification = new Verification({ store: options.store, now: options.now });
  }

  /**
   * Loads every model's deployment and resumes running rollouts: each gets a `restart` event (resume
   * at the same step, or roll back past its progress deadline), recorded in the history.
   */
  static async open(options: DeploymentServiceOptions): Promise<DeploymentService> {
    const self = new DeploymentService(options);
    // Subscribed before the first read: a change made meanwhile is read twice, never missed.
    const stopFollowing = options.bus?.subscribe(DEPLOY_TOPIC, (body, fromSelf) =>
      fromSelf ? undefined : self.follow((body as { model: string }).model),
    );
    const stopCatchingUp = options.bus?.onGap(async () => {
      for (const model of options.service.listModels()) await self.follow(model.name);
    });
    self.stopBus = () => {
      stopFollowing?.();
      stopCatchingUp?.();
    };
    // Among replicas, the one that schedules resumes (the others find the rollout running).
    const scheduler = options.locks === undefined || (await options.locks.tryAcquire(ROLLOUT_SCHEDULER_JOB));
    for (const model of options.service.listModels()) {
      const state = await self.loadState(model.name);
      if (state.rollout === null) continue;
      const doc = await self.loadRollout(model.name, state.rollout);
      if (doc === undefined || isFinal(doc.rollout)) continue;
      self.active.set(model.name, doc);
      if (scheduler) await self.apply(model.name, { type: "restart" }, "server", "restarted");
    }
    self.unsubscribe = options.service.onChange((change) => self.onChange(change));
    if (options.clock === "wall") {
      self.timer = setInterval(() => {
        self
          .scheduled()
          .catch((error: unknown) => options.log?.error("the rollout scheduler failed", { error }));
      }, options.tickMs ?? 1000);
      self.timer.unref();
    }
    return self;
  }

  /** One round of the wall-clock scheduler, on the replica that holds its lock. */
  private async scheduled(): Promise<void> {
    const locks = this.options.locks;
    if (locks !== undefined && !(await locks.tryAcquire(ROLLOUT_SCHEDULER_JOB))) return;
    for (const model of this.active.keys())
      this.tickModel(model, true).catch((error: unknown) =>
        this.options.log?.error("a rollout analysis failed", { error, model }),
      );
  }

  /**
   * Re-reads a model's deployment that another replica changed: its state, and its rollout (running,
   * or ended). Step counters stay this replica's: they count what it served.
   */
  private follow(model: string): Promise<void> {
    return this.exclusive(model, async () => {
      const state = await this.loadState(model);
      const stored =
        state.rollout === null
          ? undefined
          : await this.options.store.getDocument(rolloutsOf(model), state.rollout);
      const doc = stored === undefined ? undefined : (JSON.parse(stored.body) as RolloutDoc);
      if (doc === undefined || isFinal(doc.rollout)) this.active.delete(model);
      else {
        const held = this.active.get(model);
        // The same object stays where it is in use (a request routing by it); its record is replaced.
        if (held !== undefined && held.rollout.id === doc.rollout.id) held.rollout = doc.rollout;
        else this.active.set(model, doc);
      }
      this.retireIdle(state);
    }).catch((error: unknown) =>
      this.options.log?.error("following another replica's deployment change failed", { error, model }),
    );
  }

  get serving(): boolean {
    return this.options.serving ?? true;
  }

  // ---- serving --------------------------------------------------------------------------------

  /**
   * Predicts rows with the version the request routes to, records each as a monitor event (through
   * the ingest the events API uses) and answers with the ids. A shadow gets a copy after the answer.
   */
  async predict(
    model: string,
    body: {
      input?: Record<string, unknown>;
      inputs?: Array<Record<string, unknown>>;
      key?: string;
      time?: string | number;
    },
    headerKey: string | undefined,
  ) {
    this.requireServing();
    const record = this.options.service.model(model);
    // Refused before the model runs when answers could not be recorded (the store is not keeping up).
    this.options.service.admitAnswered();
    const inputs = body.inputs ?? (body.input === undefined ? [] : [body.input]);
    const rows = predictRows(record, inputs);
    const state = await this.state(model);
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
      const doc = this.active.get(model);
      if (doc !== undefined && (analysisDue(doc.rollout, timeMs) || this.pastDeadline(doc.rollout, timeMs)))
        await this.tickModel(model);
    }
    const doc = this.active.get(model);
    const rollout = doc?.rollout;
    const key = headerKey ?? body.key ?? randomUUID();
    const toCanary = rollout !== undefined && routesToCanary(key, canaryWeight(rollout));
    const version = toCanary ? rollout.candidate : state.production;
    const counters = rollout === undefined ? undefined : this.countersOf(rollout);
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
        for (const c of [counters, this.countersOf(rollout!, true)]) {
          if (toCanary) c.canaryErrors += rows.rows;
          else c.productionErrors += rows.rows;
        }
      throw error;
    } finally {
      this.sessions.release(loaded);
      if (counters !== undefined)
        for (const c of [counters, this.countersOf(rollout!, true)]) {
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

  /**
   * Stores a version's ONNX model from its bytes, after checking that it loads and fits the schema.
   * A version that serves (production, canary, shadow) is refused: its traffic would change under it.
   */
  async uploadModel(model: string, version: string, bytes: Uint8Array, by: Actor) {
    this.requireServing();
    const record = this.options.service.model(model);
    if ((await this.options.store.getVersion(model, version)) === undefined)
      throw new TikTokToeError("STORE_NOT_FOUND", `model "${model}" has no version "${version}"`, {
        hint: `register it first: POST /v1/models/${model}/versions`,
      });
    const state = await this.state(model);
    const stage = state.stages[version] ?? "candidate";
    if (stage === "production" || stage === "canary" || stage === "shadow")
      throw new TikTokToeError(
        "DEPLOY_CONFLICT",
        `version "${version}" is ${stage}: its model cannot be replaced`,
        {
          hint: "register a new version and roll it out",
        },
      );
    if (bytes.length === 0)
      throw new TikTokToeError("ONNX_INVALID", "the body is empty", { hint: "send the .onnx file's bytes" });
    const { openSession } = await import("../../onnx/index.js");
    const session = await openSession(bytes);
    const inputs = session.inputs.map(describeValue);
    const outputs = session.outputs.map(describeValue);
    const problem = servingProblem(session.inputs, session.outputs, signatureSchema(record));
    await session.release();
    if (problem !== null)
      throw new TikTokToeError("ONNX_UNSUPPORTED", problem, {
        hint: "serving feeds the schema's features as one numeric [rows, features] tensor in schema order, or one [rows] or [rows, 1] input per feature named as the feature (docs/deployment.md)",
      });
    await this.options.store.putArtifact(model, version, "onnx", bytes);
    this.sessions.retire(model, version);
    await this.record(model, by, "upload-model", { version, reason: `${bytes.length} bytes` });
    return { model, version, bytes: bytes.length, inputs, outputs };
  }

  // ---- stages ---------------------------------------------------------------------------------

  /** The model's deployment, as the API answers it. */
  async view(model: string) {
    this.options.service.model(model);
    const state = await this.state(model);
    const doc = state.rollout === null ? undefined : await this.loadRollout(model, state.rollout);
    return {
      model,
      production: state.production,
      previous: state.previous,
      stages: { ...state.stages },
      rollout: doc === undefined ? null : rolloutView(doc),
      serving: this.serving,
    };
  }

  /** Moves a version to production, archived or candidate, by command (not during a rollout). */
  async setStage(model: string, body: { version: string; stage: Stage; reason?: string }, by: Actor) {
    this.options.service.model(model);
    return this.exclusive(model, async () => {
      const state = await this.state(model);
      const { version, stage } = body;
      if ((await this.options.store.getVersion(model, version)) === undefined)
        throw new TikTokToeError("STORE_NOT_FOUND", `model "${model}" has no version "${version}"`, {
          path: "version",
        });
      if (this.active.has(model))
        throw new TikTokToeError("DEPLOY_CONFLICT", "a rollout is running: its stages are its own", {
          hint: `promote, abort or roll it back first (POST /v1/models/${model}/rollout/abort)`,
        });
      const from = state.stages[version] ?? "candidate";
      assertStageMove(version, from, stage);
      if (stage === "production") {
        if ((await this.options.store.getArtifact(model, version, "onnx")) === undefined)
          throw new TikTokToeError("NOT_SERVING", `version "${version}" has no ONNX model to serve with`, {
            hint: `upload it: PUT /v1/models/${model}/versions/${version}/model`,
          });
        if (state.production !== null && state.production !== version) {
          state.stages[state.production] = "archived";
          state.previous = state.production;
        }
        state.production = version;
      } else if (state.production === version) {
        state.production = null;
      }
      state.stages[version] = stage;
      await this.saveState(state);
      this.retireIdle(state);
      await this.record(model, by, "stage", { version, from, to: stage, reason: body.reason ?? "" });
      return this.view(model);
    });
  }

  // ---- rollouts -------------------------------------------------------------------------------

  /** Starts a rollout of `version` against the production version. */
  async startRollout(
    model: string,
    body: {
      version: string;
      steps?: number[];
      shadow?: string;
      analysisPeriod?: string;
      progressDeadline?: string;
      failureLimit?: number;
      inconclusiveLimit?: number;
      limits?: Partial<AnalysisLimits>;
      source?: { kind: string; id: string };
      acceptance?: { accuracyDropLimit?: number };
      reason?: string;
    },
    by: Actor,
  ) {
    const record = this.options.service.model(model);
    // The rollout clock includes the answers given so far (on the event clock, their event times).
    await this.options.service.flushAnswered(model);
    return this.exclusive(model, async () => {
      const state = await this.state(model);
      if (this.active.has(model))
        throw new TikTokToeError("DEPLOY_CONFLICT", `a rollout of "${model}" is running`, {
          hint: "wait for it, or abort it first",
        });
      if (state.production === null)
        throw new TikTokToeError(
          "NOT_SERVING",
          `model "${model}" has no production version to compare with`,
          {
            hint: "make a version production first (POST /v1/models/{model}/stages)",
          },
        );
      if ((await this.options.store.getVersion(model, body.version)) === undefined)
        throw new TikTokToeError("STORE_NOT_FOUND", `model "${model}" has no version "${body.version}"`, {
          path: "version",
        });
      const from = state.stages[body.version] ?? "candidate";
      if (from !== "candidate" && from !== "archived")
        throw new TikTokToeError("DEPLOY_CONFLICT", `version "${body.version}" is ${from}, not a candidate`, {
          path: "version",
        });
      const spec = rolloutSpec({
        steps: body.steps ?? [5, 25, 50, 100],
        ...(body.shadow === undefined ? {} : { shadowMs: duration(body.shadow, "shadow") }),
        ...(body.analysisPeriod === undefined
          ? {}
          : { analysisPeriodMs: duration(body.analysisPeriod, "analysisPeriod") }),
        ...(body.progressDeadline === undefined
          ? {}
          : { progressDeadlineMs: duration(body.progressDeadline, "progressDeadline") }),
        ...(body.failureLimit === undefined ? {} : { failureLimit: body.failureLimit }),
        ...(body.inconclusiveLimit === undefined ? {} : { inconclusiveLimit: body.inconclusiveLimit }),
      });
      const limits: AnalysisLimits = {
        ...defaultAnalysisLimits,
        ...(body.acceptance?.accuracyDropLimit === undefined
          ? {}
          : { accuracyDrop: body.acceptance.accuracyDropLimit }),
        ...body.limits,
      };
      const rollout = startRollout({
        id: `${new Date(this.options.now()).toISOString().replace(/[:.]/g, "-")}-${randomUUID().slice(0, 8)}`,
        model,
        candidate: body.version,
        production: state.production,
        spec,
        nowMs: this.clock(model),
        source: body.source ?? null,
      });
      // Verification before any traffic: a failed test refuses the rollout, recorded as one aborted
      // before its first request (weight 0, no analysis) so GET rollouts shows why.
      const verification = await this.verification.run(record, body.version, state.production, {
        by,
        trigger: "rollout",
        rollout: rollout.id,
        source: body.source ?? null,
      });
      if (verification.outcome === "fail") {
        const failures = describeFailures(verification.tests);
        const refused = applyRolloutEvent(
          rollout,
          { type: "abort", reason: `verification failed: ${failures}` },
          this.clock(model),
        ).rollout;
        await this.saveRollout({ rollout: refused, limits, verification });
        await this.record(model, by, "rollout-refused", {
          version: body.version,
          rollout: rollout.id,
          reason: `verification failed: ${failures}`,
        });
        throw new TikTokToeError(
          "VERIFICATION_FAILED",
          `version "${body.version}" failed verification: ${failures}`,
          {
            path: "version",
            problems: verification.tests.filter((t) => t.outcome === "fail"),
            hint: `every test's figures: GET /v1/models/${model}/verifications; nothing was routed to it`,
          },
        );
      }
      // The candidate must load and fit in serving before it gets any traffic.
      const loaded = await this.acquire(record, body.version);
      this.sessions.release(loaded);
      const doc: RolloutDoc = { rollout, limits, verification };
      this.active.set(model, doc);
      state.rollout = rollout.id;
      state.stages[body.version] = rolloutStages(rollout).candidate;
      await this.saveRollout(doc);
      await this.saveState(state);
      await this.record(model, by, "rollout-start", {
        version: body.version,
        from,
        to: state.stages[body.version]!,
        rollout: rollout.id,
        reason:
          body.reason ??
          `steps ${spec.steps.join(", ")}${spec.shadowMs > 0 ? `, shadow ${body.shadow}` : ""}`,
      });
      return rolloutView(doc);
    });
  }

  // ---- verification ---------------------------------------------------------------------------

  /** Declares the model's verification tests (replacing the previous declaration). */
  async declareVerification(model: string, body: VerificationDeclaration, by: Actor) {
    const record = this.options.service.model(model);
    return this.exclusive(model, async () => {
      const answer = await this.verification.declare(record, body, by);
      await this.record(model, by, "verification-declared", { reason: body.reason ?? "" });
      return answer;
    });
  }

  /** The model's verification declaration (declared: false when the defaults apply). */
  async verificationDeclaration(model: string) {
    this.options.service.model(model);
    return this.verification.declaration(model);
  }

  /** Runs a version's verification now against production; stored, and answered pass or fail. */
  async verifyVersion(model: string, version: string, by: Actor): Promise<VerificationRun> {
    const record = this.options.service.model(model);
    if ((await this.options.store.getVersion(model, version)) === undefined)
      throw new TikTokToeError("STORE_NOT_FOUND", `model "${model}" has no version "${version}"`, {
        path: "version",
      });
    const state = await this.state(model);
    return this.verification.run(record, version, state.production, {
      by,
      trigger: "command",
      rollout: null,
    });
  }

  /** The model's verification runs, oldest first. */
  async verifications(model: string): Promise<VerificationRun[]> {
    this.options.service.model(model);
    return this.verification.list(model);
  }

  /** Pause, resume, abort or promote the running rollout. */
  async command(
    model: string,
    command: "pause" | "resume" | "abort" | "promote",
    reason: string | undefined,
    by: Actor,
  ) {
    this.options.service.model(model);
    return this.exclusive(model, async () => {
      if (!this.active.has(model))
        throw new TikTokToeError("DEPLOY_CONFLICT", `no rollout of "${model}" is running`, {
          hint: `start one: POST /v1/models/${model}/rollouts`,
        });
      const event: RolloutEvent =
        command === "resume"
          ? { type: "resume" }
          : { type: command, ...(reason === undefined ? {} : { reason: `${reason} (${by})` }) };
      const { limits, verification } = this.active.get(model)!;
      const rollout = await this.apply(model, event, by, reason ?? command);
      return rolloutView({ rollout, limits, ...(verification === undefined ? {} : { verification }) });
    });
  }

  /**
   * Rolls back: a running rollout's traffic to production at once; without one, production back to
   * the previous version (kept archived by the last promotion).
   */
  async rollback(model: string, reason: string | undefined, by: Actor) {
    this.options.service.model(model);
    return this.exclusive(model, async () => {
      const why = reason ?? "rollback by command";
      if (this.active.has(model)) {
        await this.apply(model, { type: "rollback", reason: `${why} (${by})` }, by, why);
        return this.view(model);
      }
      const state = await this.state(model);
      if (state.previous === null || state.production === null)
        throw new TikTokToeError("DEPLOY_CONFLICT", `model "${model}" has no previous production version`, {
          hint: "nothing to roll back to",
        });
      const from = state.production;
      const to = state.previous;
      state.stages[from] = "candidate";
      state.stages[to] = "production";
      state.production = to;
      state.previous = null;
      await this.saveState(state);
      this.retireIdle(state);
      await this.record(model, by, "rollback", { version: to, from, to: "production", reason: why });
      return this.view(model);
    });
  }

  /** A model's rollouts, newest first (at most 1,000). */
  async listRollouts(model: string) {
    this.options.service.model(model);
    const docs = await this.options.store.listDocuments(
      rolloutsOf(model),
      Number.NEGATIVE_INFINITY,
      Number.POSITIVE_INFINITY,
      1000,
    );
    return docs.map((d) => rolloutView(JSON.parse(d.body) as RolloutDoc)).reverse();
  }

  /** A rollout's analyses, oldest first. */
  async analyses(model: string, id: string) {
    this.options.service.model(model);
    const docs = await this.options.store.listDocuments(
      analysesOf(model),
      Number.NEGATIVE_INFINITY,
      Number.POSITIVE_INFINITY,
      100_000,
    );
    return docs.map((d) => JSON.parse(d.body) as AnalysisRecordDoc).filter((a) => a.rollout === id);
  }

  /** Every recorded change of a model's deployment, oldest first. */
  async history(model: string) {
    this.options.service.model(model);
    const docs = await this.options.store.listDocuments(
      historyOf(model),
      Number.NEGATIVE_INFINITY,
      Number.POSITIVE_INFINITY,
      100_000,
    );
    return docs.map((d) => JSON.parse(d.body) as HistoryDoc);
  }

  // ---- the scheduler --------------------------------------------------------------------------

  /**
   * Checks a model's rollout: the progress deadline, then a due analysis. `scheduled`: the timer's
   * round, which checks it still holds the scheduler's lock before it decides.
   */
  tickModel(model: string, scheduled = false): Promise<void> {
    return this.exclusive(model, async () => {
      const doc = this.active.get(model);
      if (doc === undefined) return;
      const locks = this.options.locks;
      if (scheduled && locks !== undefined && !(await locks.holds(ROLLOUT_SCHEDULER_JOB))) return;
      const now = this.clock(model);
      if (this.pastDeadline(doc.rollout, now)) {
        await this.apply(model, { type: "tick" }, "scheduler", "progress deadline");
        return;
      }
      if (!analysisDue(doc.rollout, now)) return;
      const result = await this.analyse(model, doc, now);
      await this.apply(
        model,
        { type: "analysis", outcome: result.outcome },
        "scheduler",
        `analysis ${result.outcome}`,
      );
    });
  }

  /** Runs every due analysis now (tests and `--clock event` replays call it; the timer does otherwise). */
  async tick(): Promise<void> {
    for (const model of [...this.active.keys()]) await this.tickModel(model);
  }

  private pastDeadline(rollout: Rollout, now: number): boolean {
    return (
      (rollout.phase === "shadow" || rollout.phase === "canary") &&
      now - rollout.stepStartedMs > rollout.spec.progressDeadlineMs
    );
  }

  /** Analyses the step so far: canary against production from the step's start to now. */
  private async analyse(model: string, doc: RolloutDoc, now: number): Promise<AnalysisResult> {
    const rollout = doc.rollout;
    const record = this.options.service.model(model);
    const arms = await this.observe(record, rollout, rollout.stepStartedMs, now);
    let counters = this.countersOf(rollout);
    // At 100 % production serves nothing in the step: its arm is what it served since the rollout
    // began (the earlier steps), the nearest control there is.
    if (canaryWeight(rollout) >= 100) {
      arms.production = (await this.observe(record, rollout, rollout.startedMs, now)).production;
      const whole = this.countersOf(rollout, true);
      counters = {
        ...counters,
        productionRequests: whole.productionRequests,
        productionErrors: whole.productionErrors,
      };
    }
    const agreement: Agreement = { compared: counters.compared, agreed: counters.agreed };
    const result = analyzeRollout({
      task: record.task,
      canary: { ...arms.canary, requests: counters.canaryRequests, errors: counters.canaryErrors },
      production: {
        ...arms.production,
        requests: counters.productionRequests,
        errors: counters.productionErrors,
      },
      agreement: agreement.compared > 0 ? agreement : null,
      limits: doc.limits,
    });
    const analysis: AnalysisRecordDoc = {
      rollout: rollout.id,
      number: rollout.analyses + 1,
      atMs: now,
      fromMs: rollout.stepStartedMs,
      toMs: now,
      phase: rollout.phase,
      weight: canaryWeight(rollout),
      outcome: result.outcome,
      metrics: result.metrics.map((m) => ({
        ...m,
        limit: Number.isFinite(m.limit) ? m.limit : null,
        canary: m.canary !== null && Number.isFinite(m.canary) ? m.canary : null,
        production: m.production !== null && Number.isFinite(m.production) ? m.production : null,
        pValue: m.pValue !== null && Number.isFinite(m.pValue) ? m.pValue : null,
      })),
      note: isShadowing(rollout) ? "shadow: the candidate answered copies of production's requests" : "",
    };
    await this.options.store.putDocument({
      collection: analysesOf(model),
      key: `${rollout.id}/${String(analysis.number).padStart(6, "0")}`,
      timeMs: this.options.now(),
      body: JSON.stringify(analysis),
    });
    return result;
  }

  /**
   * What each arm did in [fromMs, toMs), from the monitor's log (see observeArms), once the period's
   * answers are in it: recorded after the answer, and shadow answers of requests still in the background.
   */
  private async observe(
    record: ModelRecord,
    rollout: Rollout,
    fromMs: number,
    toMs: number,
  ): Promise<{ canary: ArmObservations; production: ArmObservations }> {
    await this.idle();
    await this.options.service.flushAnswered(record.name);
    return observeArms(this.options.store, record, rollout, fromMs, toMs);
  }

  // ---- state changes --------------------------------------------------------------------------

  /** Applies an event to the running rollout and stores what changed (rollout, stages, history). */
  private async apply(model: string, event: RolloutEvent, by: Actor, why: string): Promise<Rollout> {
    const doc = this.active.get(model);
    if (doc === undefined) throw new TikTokToeError("DEPLOY_CONFLICT", `no rollout of "${model}" is running`);
    const before = doc.rollout;
    const { rollout, changed, note } = applyRolloutEvent(before, event, this.clock(model));
    if (!changed) return before;
    doc.rollout = rollout;
    const state = await this.state(model);
    const stagesBefore = rolloutStages(before);
    const stagesAfter = rolloutStages(rollout);
    state.stages[rollout.candidate] = stagesAfter.candidate;
    state.stages[rollout.production] = stagesAfter.production;
    if (rollout.phase === "promoted") {
      state.production = rollout.candidate;
      state.previous = rollout.production;
    }
    if (isFinal(rollout)) {
      state.rollout = rollout.id;
      this.active.delete(model);
      this.counters.delete(rollout.id);
    }
    if (rollout.step !== before.step || rollout.phase !== before.phase) this.counters.delete(stepKey(before));
    await this.saveRollout(doc);
    await this.saveState(state);
    if (isFinal(rollout)) this.retireIdle(state);
    const moved = stagesBefore.candidate !== stagesAfter.candidate;
    const weightChanged = canaryWeight(before) !== canaryWeight(rollout);
    if (moved || weightChanged || rollout.phase !== before.phase || event.type !== "analysis")
      await this.record(model, by, `rollout-${event.type}`, {
        version: rollout.candidate,
        from: moved ? stagesBefore.candidate : null,
        to: moved ? stagesAfter.candidate : null,
        rollout: rollout.id,
        reason: note || why,
      });
    return rollout;
  }

  private onChange(change: ServiceChange): void {
    if (change.type !== "alert" || change.status !== "firing" || change.labels.severity !== "critical")
      return;
    const model = change.labels.model;
    if (model === undefined) return;
    const doc = this.active.get(model);
    if (doc === undefined || change.labels.version !== doc.rollout.candidate) return;
    const alertname = change.labels.alertname ?? "alert";
    this.exclusive(model, async () => {
      if (this.active.get(model) === doc)
        await this.apply(model, { type: "alert", alertname }, "alerting", `critical alert ${alertname}`);
    }).catch((error: unknown) =>
      this.options.log?.error("rolling back on an alert failed", { error, model }),
    );
  }

  private async record(
    model: string,
    by: Actor,
    action: string,
    fields: { version?: string; from?: string | null; to?: string | null; rollout?: string; reason: string },
  ): Promise<void> {
    const atMs = this.options.now();
    const entry: HistoryDoc = {
      atMs,
      by,
      action,
      version: fields.version ?? null,
      from: fields.from ?? null,
      to: fields.to ?? null,
      rollout: fields.rollout ?? null,
      reason: fields.reason,
    };
    await this.options.store.putDocument({
      collection: historyOf(model),
      key: `${String(atMs).padStart(16, "0")}-${String(this.historySeq++).padStart(8, "0")}-${randomUUID().slice(0, 8)}`,
      timeMs: atMs,
      body: JSON.stringify(entry),
    });
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** The rollout clock of a model: the newest event time served (event clock), else the wall clock. */
  private clock(model: string): number {
    if (this.options.clock === "wall") return this.options.now();
    const served = this.states.get(model)?.clockMs ?? Number.NEGATIVE_INFINITY;
    // What this model served, or the monitor's events of it, whichever is later; the wall clock only
    // before either exists. (The alerting clock falls back to the wall clock until an event has been
    // aggregated, and taken as a maximum that put a rollout started right after the first answer
    // years ahead of the replay's events: no analysis ever fell due.)
    const observed = this.options.service.modelClock(model);
    const now = Math.max(served, Number.isNaN(observed) ? Number.NEGATIVE_INFINITY : observed);
    return Number.isFinite(now) ? now : this.options.now();
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

  private requireServing(): void {
    if (!this.serving)
      throw new TikTokToeError("NOT_SERVING", "this server monitors only (started with --monitor-only)", {
        hint: "start tiktoktoe serve without --monitor-only to serve predictions",
      });
  }

  private retireIdle(state: StateDoc): void {
    const keep = new Set<string>();
    if (state.production !== null) keep.add(state.production);
    const doc = this.active.get(state.model);
    if (doc !== undefined) keep.add(doc.rollout.candidate);
    for (const entry of this.sessions.versions()) {
      const slash = entry.indexOf("/");
      const model = entry.slice(0, slash);
      const version = entry.slice(slash + 1);
      if (model === state.model && !keep.has(version)) this.sessions.retire(model, version);
    }
  }

  /** The step's counters, or with `whole` the rollout's (every step's requests add to both). */
  private countersOf(rollout: Rollout, whole = false): StepCounters {
    const key = whole ? rollout.id : stepKey(rollout);
    let c = this.counters.get(key);
    if (c === undefined) {
      c = {
        canaryRequests: 0,
        canaryErrors: 0,
        productionRequests: 0,
        productionErrors: 0,
        compared: 0,
        agreed: 0,
      };
      this.counters.set(key, c);
    }
    return c;
  }

  /** Resolves once the background runs started so far (shadow copies, mirrored canary requests) ended. */
  private async idle(): Promise<void> {
    await Promise.all([...this.background]);
  }

  private inBackground(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) =>
      this.options.log?.warn("a shadow or mirrored prediction failed", { error }),
    );
    this.background.add(tracked);
    void tracked.finally(() => this.background.delete(tracked));
  }

  /** Runs `work` after the model's previous state change has finished (one writer per model). */
  private exclusive<T>(model: string, work: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(model) ?? Promise.resolve();
    const next = previous.then(work, work);
    this.chains.set(
      model,
      next.catch(() => undefined),
    );
    return next;
  }

  private async state(model: string): Promise<StateDoc> {
    return this.states.get(model) ?? this.loadState(model);
  }

  private async loadState(model: string): Promise<StateDoc> {
    const doc = await this.options.store.getDocument(STATE, model);
    const state: StateDoc =
      doc === undefined
        ? { model, production: null, previous: null, stages: {}, rollout: null, clockMs: null }
        : (JSON.parse(doc.body) as StateDoc);
    this.states.set(model, state);
    return state;
  }

  /** Stores a model's state (its rollout was saved before) and tells the other replicas. */
  private async saveState(state: StateDoc): Promise<void> {
    await this.options.store.putDocument({
      collection: STATE,
      key: state.model,
      timeMs: this.options.now(),
      body: JSON.stringify(state),
    });
    // A lost notice is caught up with by the bus's fall-back poll; the change itself is stored.
    await this.options.bus
      ?.publish(DEPLOY_TOPIC, { model: state.model })
      .catch((error: unknown) =>
        this.options.log?.warn("announcing a deployment change failed", { error, model: state.model }),
      );
  }

  private async loadRollout(model: string, id: string): Promise<RolloutDoc | undefined> {
    const active = this.active.get(model);
    if (active !== undefined && active.rollout.id === id) return active;
    const doc = await this.options.store.getDocument(rolloutsOf(model), id);
    return doc === undefined ? undefined : (JSON.parse(doc.body) as RolloutDoc);
  }

  private async saveRollout(doc: RolloutDoc): Promise<void> {
    await this.options.store.putDocument({
      collection: rolloutsOf(doc.rollout.model),
      key: doc.rollout.id,
      timeMs: doc.rollout.startedMs,
      body: JSON.stringify(doc),
    });
  }

  /** Stops the scheduler and releases every session once background comparisons have finished. */
  async close(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.unsubscribe?.();
    this.stopBus?.();
    await Promise.all([...this.background]);
    await Promise.all([...this.chains.values()]);
    await this.sessions.close();
    // The shadow answers of the runs just finished go to the log too (the monitor's close writes the
    // rest, waiting for a store that refuses).
    await this.options.service.flushAnswered().catch(() => undefined);
  }
}

interface AnalysisRecordDoc {
  readonly rollout: string;
  readonly number: number;
  readonly atMs: number;
  readonly fromMs: number;
  readonly toMs: number;
  readonly phase: string;
  readonly weight: number;
  readonly outcome: "pass" | "fail" | "inconclusive";
  readonly metrics: ReadonlyArray<Record<string, unknown>>;
  readonly note: string;
}

interface HistoryDoc {
  readonly atMs: number;
  readonly by: string;
  readonly action: string;
  readonly version: string | null;
  readonly from: string | null;
  readonly to: string | null;
  readonly rollout: string | null;
  readonly reason: string;
}

function rolloutView(doc: RolloutDoc) {
  return {
    ...doc.rollout,
    weight: canaryWeight(doc.rollout),
    limits: { ...doc.limits },
    verification: doc.verification ?? null,
  };
}

function stepKey(rollout: Rollout): string {
  return `${rollout.id}\u0000${rollout.step}\u0000${rollout.stepStartedMs}`;
}

function describeValue(v: { name: string; type?: string; shape: readonly (number | string)[] }) {
  return { name: v.name, ...(v.type === undefined ? {} : { type: v.type }), shape: [...v.shape] };
}

function sameAnswer(record: ModelRecord, a: RowOutput, b: RowOutput): boolean {
  if (record.task !== "regression") return a.prediction === b.prediction;
  // Regressions agree within 1e-6 relative: a re-encoded copy differs in the last float bits.
  const x = Number(a.prediction);
  const y = Number(b.prediction);
  return Math.abs(x - y) <= 1e-6 * Math.max(1, Math.abs(x), Math.abs(y));
}

function duration(text: string, path: string): number {
  const parsed = parseDuration(text);
  if (!parsed.ok || parsed.ms <= 0)
    throw new TikTokToeError(
      "REQUEST_INVALID",
      `${path}: ${parsed.ok ? "must be positive" : parsed.message}`,
      {
        path,
        hint: "e.g. 30s, 5m, 1h",
      },
    );
  return parsed.ms;
}
