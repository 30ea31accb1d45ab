import type { VerificationDeclaration } from "../../contract/index.js";
import { assertStageMove, type Stage } from "../../deploy/index.js";
import { TikTokToeError } from "../../errors/index.js";
import type { Logger } from "../../logging/index.js";
import type { ChangeBus, JobLocks, Store } from "../../store/index.js";
import type { MonitorService } from "../monitor-service.js";
import { type PredictBody, Predictor } from "./predict.js";
import { type Actor, RolloutState, rolloutView } from "./rollout-state.js";
import { Rollouts, type StartRolloutBody } from "./rollouts.js";
import { RolloutScheduler } from "./scheduler.js";
import { servingProblem, signatureSchema } from "./sessions.js";
import { RolloutCounters } from "./step-counters.js";
import { Verification, type VerificationRun } from "./verification.js";

export type { Actor } from "./rollout-state.js";
export { ROLLOUT_SCHEDULER_JOB } from "./scheduler.js";

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

/**
 * Serving and deployment (issue #14): predictions on the serving versions through cached onnxruntime
 * sessions, recorded as monitor events; stages and rollouts in the store's documents with every change
 * in a history; the canary analysis on a schedule; rollback on a failed analysis, a critical alert
 * naming the canary, or a command. A restart resumes a rollout at its step or rolls it back, never
 * promotes it (docs/deployment.md).
 *
 * The facade the server uses over: predict.ts (the request path: routing, counting, shadow and mirrored
 * runs), rollouts.ts (starting, stepping and analysing a rollout), rollout-state.ts (the documents,
 * their cache, the history and one writer per model) and scheduler.ts (what moves a rollout without a
 * command: the restart, the timer, critical alerts, other replicas' changes). Stages, uploads and
 * verification are answered here.
 *
 * @example
 * ```ts
 * const deployments = await DeploymentService.open({ store, service, clock: "wall", now: Date.now });
 * await deployments.predict("m", { input: { x: 1 } }, undefined);
 * ```
 */
export class DeploymentService {
  private readonly deployment: RolloutState;
  private readonly predictor: Predictor;
  private readonly rollouts: Rollouts;
  private readonly scheduler: RolloutScheduler;
  private readonly verification: Verification;

  private constructor(private readonly options: DeploymentServiceOptions) {
    const { store, service, now, log, bus } = options;
    this.verification = new Verification({ store, now });
    this.deployment = new RolloutState({
      store,
      clock: options.clock,
      now,
      modelClock: (model) => service.modelClock(model),
      bus,
      log,
    });
    const counters = new RolloutCounters();
    this.predictor = new Predictor({
      store,
      service,
      clock: options.clock,
      now,
      deployment: this.deployment,
      counters,
      tickModel: (model) => this.scheduler.tickModel(model),
      recordBeforeAnswer: options.recordBeforeAnswer,
      log,
    });
    this.rollouts = new Rollouts({
      store,
      service,
      now,
      deployment: this.deployment,
      counters,
      verification: this.verification,
      serving: this.predictor,
    });
    this.scheduler = new RolloutScheduler({
      service,
      clock: options.clock,
      deployment: this.deployment,
      rollouts: this.rollouts,
      serving: this.predictor,
      tickMs: options.tickMs,
      bus,
      locks: options.locks,
      log,
    });
  }

  /**
   * Loads every model's deployment and resumes running rollouts: each gets a `restart` event (resume
   * at the same step, or roll back past its progress deadline), recorded in the history.
   */
  static async open(options: DeploymentServiceOptions): Promise<DeploymentService> {
    const self = new DeploymentService(options);
    await self.scheduler.start();
    return self;
  }

  get serving(): boolean {
    return this.options.serving ?? true;
  }

  // ---- serving --------------------------------------------------------------------------------

  /** Predicts with the version the request routes to (see {@link Predictor.predict}). */
  async predict(model: string, body: PredictBody, headerKey: string | undefined) {
    this.requireServing();
    return this.predictor.predict(model, body, headerKey);
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
    const state = await this.deployment.state(model);
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
    this.predictor.retire(model, version);
    await this.deployment.record(model, by, "upload-model", { version, reason: `${bytes.length} bytes` });
    return { model, version, bytes: bytes.length, inputs, outputs };
  }

  // ---- stages ---------------------------------------------------------------------------------

  /** The model's deployment, as the API answers it. */
  async view(model: string) {
    this.options.service.model(model);
    const state = await this.deployment.state(model);
    const doc = state.rollout === null ? undefined : await this.deployment.loadRollout(model, state.rollout);
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
    return this.deployment.exclusive(model, async () => {
      const state = await this.deployment.state(model);
      const { version, stage } = body;
      if ((await this.options.store.getVersion(model, version)) === undefined)
        throw new TikTokToeError("STORE_NOT_FOUND", `model "${model}" has no version "${version}"`, {
          path: "version",
        });
      if (this.deployment.running(model) !== undefined)
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
      await this.deployment.saveState(state);
      this.predictor.retireIdle(state);
      await this.deployment.record(model, by, "stage", {
        version,
        from,
        to: stage,
        reason: body.reason ?? "",
      });
      return this.view(model);
    });
  }

  // ---- rollouts -------------------------------------------------------------------------------

  /** Starts a rollout of `version` against the production version (see {@link Rollouts.start}). */
  async startRollout(model: string, body: StartRolloutBody, by: Actor) {
    return this.rollouts.start(model, body, by);
  }

  /** Pause, resume, abort or promote the running rollout. */
  async command(
    model: string,
    command: "pause" | "resume" | "abort" | "promote",
    reason: string | undefined,
    by: Actor,
  ) {
    return this.rollouts.command(model, command, reason, by);
  }

  /**
   * Rolls back: a running rollout's traffic to production at once; without one, production back to
   * the previous version (kept archived by the last promotion).
   */
  async rollback(model: string, reason: string | undefined, by: Actor) {
    this.options.service.model(model);
    return this.deployment.exclusive(model, async () => {
      const why = reason ?? "rollback by command";
      if (this.deployment.running(model) !== undefined) {
        await this.rollouts.apply(model, { type: "rollback", reason: `${why} (${by})` }, by, why);
        return this.view(model);
      }
      const state = await this.deployment.state(model);
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
      await this.deployment.saveState(state);
      this.predictor.retireIdle(state);
      await this.deployment.record(model, by, "rollback", {
        version: to,
        from,
        to: "production",
        reason: why,
      });
      return this.view(model);
    });
  }

  /** A model's rollouts, newest first (at most 1,000). */
  async listRollouts(model: string) {
    this.options.service.model(model);
    return (await this.deployment.listRollouts(model)).map(rolloutView).reverse();
  }

  /** A rollout's analyses, oldest first. */
  async analyses(model: string, id: string) {
    this.options.service.model(model);
    return this.deployment.listAnalyses(model, id);
  }

  /** Every recorded change of a model's deployment, oldest first. */
  async history(model: string) {
    this.options.service.model(model);
    // After the change in flight: a rollback shows in the deployment's view before its history entry
    // is written, and a client that saw it must find the entry.
    return this.deployment.exclusive(model, () => this.deployment.listHistory(model));
  }

  // ---- verification ---------------------------------------------------------------------------

  /** Declares the model's verification tests (replacing the previous declaration). */
  async declareVerification(model: string, body: VerificationDeclaration, by: Actor) {
    const record = this.options.service.model(model);
    return this.deployment.exclusive(model, async () => {
      const answer = await this.verification.declare(record, body, by);
      await this.deployment.record(model, by, "verification-declared", { reason: body.reason ?? "" });
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
    const state = await this.deployment.state(model);
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

  // ---- the scheduler --------------------------------------------------------------------------

  /**
   * Checks a model's rollout: the progress deadline, then a due analysis. `scheduled`: the timer's
   * round, which checks it still holds the scheduler's lock before it decides.
   */
  tickModel(model: string, scheduled = false): Promise<void> {
    return this.scheduler.tickModel(model, scheduled);
  }

  /** Runs every due analysis now (tests and `--clock event` replays call it; the timer does otherwise). */
  async tick(): Promise<void> {
    await this.scheduler.tick();
  }

  private requireServing(): void {
    if (!this.serving)
      throw new TikTokToeError("NOT_SERVING", "this server monitors only (started with --monitor-only)", {
        hint: "start tiktoktoe serve without --monitor-only to serve predictions",
      });
  }

  /** Stops the scheduler and releases every session once background comparisons have finished. */
  async close(): Promise<void> {
    this.scheduler.stop();
    await this.predictor.idle();
    await this.deployment.settled();
    await this.predictor.close();
    // The shadow answers of the runs just finished go to the log too (the monitor's close writes the
    // rest, waiting for a store that refuses).
    await this.options.service.flushAnswered().catch(() => undefined);
  }
}

function describeValue(v: { name: string; type?: string; shape: readonly (number | string)[] }) {
  return { name: v.name, ...(v.type === undefined ? {} : { type: v.type }), shape: [...v.shape] };
}
