import { parseDuration } from "../../config/index.js";
import type { LearningDeclaration, LearningRun } from "../../contract/index.js";
import { parseTable } from "../../data/index.js";
import { TikTokToeError } from "../../errors/index.js";
import {
  type DataSchema,
  decidePromotion,
  type GateDecision,
  type GateOptions,
  gatePeriods,
  importanceWeights,
  inferSchema,
  type LinearModelJson,
  type Row,
  validateBatch,
} from "../../learn/index.js";
import type { Logger } from "../../logging/index.js";
import type { JobLocks, ModelRecord, Store } from "../../store/index.js";
import { type LabelledEvent, readLabelledEvents } from "../labelled.js";
import { decodeReferenceRows } from "../model-files.js";
import type { MonitorService } from "../monitor-service.js";
import { type DeploymentService, SHADOW_SUFFIX } from "../serving/index.js";
import {
  type CandidateTrainer,
  type FineTuneOnnxMlp,
  linearTrainer,
  mlpTrainer,
  type TrainingBatch,
} from "./trainer.js";

/** Document collections: one state per model (its declaration, learner and schema), its runs. */
const STATE = "learning-state";
const runsOf = (model: string) => `learning-runs/${model}`;
/** The checkpoint of a model's loop: the end (event time) of the last batch taken. */
export const learningCheckpoint = (model: string) => `learning:${model}`;
/** The job lock the loop holds while it runs, so that one replica runs it. */
export const LEARNING_JOB = "learning";
/** Who the deployment history names for the loop's changes. */
const ACTOR = "learning";

/** A model's learning state as stored. */
interface StateDoc {
  readonly model: string;
  config: LearningDeclaration;
  declaredMs: number;
  /** The run in shadow or canary, if any: one at a time per model. */
  activeRun: string | null;
  /** The linear learner after the last run that updated it. */
  learner: LinearModelJson | null;
  /** The validation schema (from production's reference rows, else the first batch). */
  schema: DataSchema | null;
}

type RunDoc = {
  -readonly [K in keyof LearningRun]: LearningRun[K];
};

/** Options of {@link LearningLoop.open}. */
export interface LearningLoopOptions {
  readonly store: Store;
  readonly service: MonitorService;
  readonly deployments: DeploymentService;
  readonly locks: JobLocks;
  readonly log?: Logger;
  /** The MLP fine-tuning function; default src/learn/mlp-finetune.ts's `fineTuneOnnxMlp`. */
  readonly fineTune?: FineTuneOnnxMlp;
}

/** The defaults of a declaration, in event time. */
const DEFAULTS = {
  every: "1d",
  labelDelay: "1h",
  history: "0s",
  minRows: 50,
  maxRows: 100_000,
  warmUp: "1h",
  evaluation: "24h",
} as const;

/**
 * The scheduled learning loop (issue #15): per model with a learning declaration, once the model's
 * clock (event time in replays) is `labelDelay` past the end of a batch period (`every`, aligned on
 * event time), it reads the labelled events of the batch since its checkpoint `learning:<model>`,
 * validates them (a failing batch is quarantined with its reasons and never learned from), weighs
 * them when asked, and makes a candidate version — src/learn's online linear model updated and
 * exported, or production's ONNX MLP fine-tuned. The candidate shadows production for the warm-up and
 * the evaluation period; the promotion gate (src/learn/gate.ts) then judges the candidate's shadow
 * answers against production's on the same labelled events; a pass starts a canary rollout with
 * `source: {kind: "learning", id}`, a failure rejects it with the gate's reasons.
 *
 * Every step is a store document (`learning-runs/<model>`), written before the checkpoint moves; a
 * run's id is its batch's end, so a restart between the two finds the run and neither repeats nor
 * skips it. The loop runs under the `learning` job lock.
 *
 * @example
 * ```ts
 * const loop = await LearningLoop.open({ store, service, deployments, locks });
 * await loop.declare("bike", { learner: "mlp", every: "1w" });
 * await loop.tick();
 * ```
 */
export class LearningLoop {
  private running: Promise<void> = Promise.resolve();

  private constructor(private readonly options: LearningLoopOptions) {}

  static async open(options: LearningLoopOptions): Promise<LearningLoop> {
    return new LearningLoop(options);
  }

  // ---- declarations and reads -----------------------------------------------------------------

  /** Stores a model's declaration (checked against the model: 422 LEARNING_UNSUPPORTED). */
  async declare(model: string, config: LearningDeclaration, by: string) {
    const record = this.options.service.model(model);
    if (config.learner === "linear") {
      if (record.task === "binary")
        throw unsupported(
          "a linear learner is not available for a binary model: its ONNX export gives one probability, serving needs a score per class",
          "learner",
        );
      const categorical = record.features.find((f) => f.role === "feature" && f.type === "categorical");
      if (categorical !== undefined)
        throw unsupported(
          `a linear learner reads every input as a number; "${categorical.name}" is categorical (serving sends its codes)`,
          "learner",
        );
    } else {
      const view = await this.options.deployments.view(model);
      if (
        view.production === null ||
        (await this.options.store.getArtifact(model, view.production, "onnx")) === undefined
      )
        throw unsupported(
          `an mlp learner fine-tunes production's ONNX model; model "${model}" has none`,
          "learner",
        );
    }
    for (const key of ["every", "labelDelay", "history", "warmUp", "evaluation"] as const) {
      const text = config[key];
      if (text === undefined) continue;
      const parsed = parseDuration(text);
      if (!parsed.ok || (parsed.ms <= 0 && key !== "history" && key !== "labelDelay"))
        throw new TikTokToeError("REQUEST_INVALID", `${key} must be a positive duration`, {
          path: key,
          hint: "e.g. 1h, 1d, 1w",
        });
    }
    if (config.rollout?.steps !== undefined && config.rollout.steps.at(-1) !== 100)
      throw new TikTokToeError("REQUEST_INVALID", "rollout.steps must end with 100", {
        path: `rollout.steps[${config.rollout.steps.length - 1}]`,
        hint: "e.g. [25, 50, 100]",
      });
    const previous = await this.loadState(model);
    const state: StateDoc = previous ?? {
      model,
      config,
      declaredMs: this.options.service.modelClock(model),
      activeRun: null,
      learner: null,
      schema: null,
    };
    state.config = config;
    await this.saveState(state);
    this.options.log?.info("learning declared", { model, by, learner: config.learner });
    return this.view(model);
  }

  /** The model's learning state, as the API answers it. */
  async view(model: string) {
    this.options.service.model(model);
    const state = await this.loadState(model);
    const runs = await this.listRuns(model);
    const checkpoint = await this.options.store.getCheckpoint(learningCheckpoint(model));
    return {
      model,
      declared: state !== undefined,
      config: state?.config ?? null,
      checkpointMs: checkpoint === 0 ? null : checkpoint,
      activeRun: state?.activeRun ?? null,
      runs: runs.length,
      last: runs.at(-1) ?? null,
    };
  }

  /** The model's runs, oldest first. */
  async runs(model: string) {
    this.options.service.model(model);
    return { runs: await this.listRuns(model) };
  }

  // ---- the loop -------------------------------------------------------------------------------

  /**
   * One pass over every model with a declaration, under the job lock (another replica holding it:
   * nothing to do). Passes never overlap within a process.
   */
  tick(): Promise<void> {
    const next = this.running.then(async () => {
      const { locks } = this.options;
      if (!(await locks.tryAcquire(LEARNING_JOB))) return;
      try {
        for (const record of this.options.service.listModels()) {
          const state = await this.loadState(record.name);
          if (state === undefined || state.config.enabled === false) continue;
          try {
            await this.step(record, state);
          } catch (error) {
            this.options.log?.error("a learning run failed", { error, model: record.name });
          }
        }
      } finally {
        await locks.release(LEARNING_JOB);
      }
    });
    this.running = next.catch(() => undefined);
    return next;
  }

  /** Resolves when the pass in progress (if any) has ended: the server closes after it. */
  async idle(): Promise<void> {
    await this.running;
  }

  /** Moves one model on: the active run first; a new batch once none is active. */
  private async step(record: ModelRecord, state: StateDoc): Promise<void> {
    const model = record.name;
    const now = this.options.service.modelClock(model);
    if (!Number.isFinite(now)) return;
    if (state.activeRun !== null) {
      const run = await this.loadRun(model, state.activeRun);
      if (run !== undefined && (run.status === "shadow" || run.status === "canary")) {
        await this.advance(record, state, run, now);
        if (run.status === "shadow" || run.status === "canary") return;
      }
      state.activeRun = null;
      await this.saveState(state);
    }
    const config = state.config;
    const every = ms(config.every ?? DEFAULTS.every);
    const labelDelay = ms(config.labelDelay ?? DEFAULTS.labelDelay);
    const from = await this.options.store.getCheckpoint(learningCheckpoint(model));
    const to = Math.floor((now - labelDelay) / every) * every;
    if (!(to > from)) return;
    // Someone else's rollout: the candidate would have no shadow; wait for it to end.
    const deployment = await this.options.deployments.view(model);
    if (deployment.rollout !== null && !isFinal(deployment.rollout.phase)) return;
    if (deployment.production === null) return;

    const id = runId(to);
    const existing = await this.loadRun(model, id);
    if (existing !== undefined) {
      // Written before a crash, the checkpoint not yet moved: adopt it, never run it again.
      if (existing.status === "shadow" || existing.status === "canary") state.activeRun = id;
      await this.saveState(state);
      await this.commitCheckpoint(model, to);
      return;
    }

    const history = ms(config.history ?? DEFAULTS.history);
    const maxRows = config.maxRows ?? DEFAULTS.maxRows;
    const readFrom = config.learner === "mlp" ? Math.min(from, to - history) : from;
    const pairs: LabelledEvent[] = [];
    for await (const pair of readLabelledEvents(this.options.store, {
      model: record,
      fromMs: readFrom,
      toMs: to,
      limit: maxRows,
    }))
      pairs.push(pair);
    pairs.sort((a, b) => a.timeMs - b.timeMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const fresh = pairs.filter((p) => p.timeMs >= from);
    // Too few labels yet: the batch grows until it has enough (its end moves on with the clock).
    if (fresh.length < (config.minRows ?? DEFAULTS.minRows)) return;

    const features = record.features.filter((f) => f.role === "feature").map((f) => f.name);
    const run: RunDoc = {
      id,
      model,
      fromMs: from === 0 ? null : from,
      toMs: to,
      status: "failed",
      rows: fresh.length,
      trainingRows: pairs.length,
      baseVersion: deployment.production,
      candidate: null,
      reasons: [],
      steps: [],
      validation: null,
      weights: null,
      training: null,
      periods: null,
      shadowRollout: null,
      rollout: null,
      gate: null,
    };
    const stepOf = (step: RunDoc["steps"][number]["step"], detail: string) =>
      run.steps.push({ step, timeMs: now, detail });

    // 1. Validation of the new rows, against production's reference (or the first batch).
    // Categorical inputs are validated as categories (their domain), not as numbers (their codes).
    const categorical = categoricalOf(record);
    const asRow = (p: LabelledEvent): Row => {
      const row: Record<string, number | string> = {};
      for (const name of features)
        row[name] = categorical.has(name) ? String(p.features[name]) : Number(p.features[name]);
      return row;
    };
    const freshRows = fresh.map(asRow);
    if (state.schema === null)
      state.schema =
        (await this.referenceSchema(record, deployment.production, features)) ?? inferSchema(freshRows);
    const thresholds = config.validation?.thresholds;
    const schema: DataSchema =
      thresholds === undefined
        ? state.schema
        : { ...state.schema, thresholds: { ...state.schema.thresholds, ...thresholds } };
    const validation = validateBatch(schema, freshRows);
    run.validation = { ok: validation.ok, reasons: validation.reasons, checks: validation.checks };
    const badLabels = fresh.filter((p) => labelIndex(record, p.label) === undefined).length;
    if (!validation.ok || badLabels > 0) {
      run.status = "quarantined";
      run.reasons = [
        ...validation.reasons,
        ...(badLabels > 0 ? [`${badLabels} labels do not fit the model's task or classes`] : []),
      ];
      stepOf("quarantined", run.reasons.join("; "));
      await this.saveRun(run);
      await this.saveState(state);
      await this.commitCheckpoint(model, to);
      return;
    }
    stepOf("validated", `${fresh.length} rows passed ${validation.checks.length} checks`);

    // 2. The training batch (history first, then the new rows), weighed when asked.
    const rows = pairs.map((p) => Float64Array.from(features, (name) => Number(p.features[name])));
    const targets = Float64Array.from(pairs, (p) => labelIndex(record, p.label)!);
    const newFrom = pairs.length - fresh.length;
    let weights: Float64Array | undefined;
    if (config.importanceWeights === true) {
      const d = features.length;
      const flat = (list: readonly Float64Array[]) => {
        const out = new Float64Array(list.length * d);
        for (const [i, r] of list.entries()) out.set(r, i * d);
        return out;
      };
      try {
        const w = importanceWeights(flat(rows), flat(rows.slice(newFrom)), d);
        weights = w.weights;
        run.weights = { ess: w.ess, essFraction: w.essFraction };
      } catch (error) {
        run.reasons.push(`importance weights not used: ${(error as Error).message}`);
      }
    }
    const batch: TrainingBatch = {
      rows,
      targets,
      features,
      newFrom,
      ...(weights === undefined ? {} : { weights }),
    };

    // 3. The candidate.
    const trainer = await this.trainer(record, config);
    const base = (await this.options.store.getArtifact(model, deployment.production, "onnx")) ?? null;
    const trained = await trainer.train({ base, state: state.learner, batch });
    run.training = { learner: trainer.kind, ...trained.figures };
    const candidate = id;
    run.candidate = candidate;
    if ((await this.options.store.getVersion(model, candidate)) === undefined)
      await this.options.service.registerVersion(model, {
        version: candidate,
        meta: { learning: { run: id, base: deployment.production, fromMs: from, toMs: to } },
      });
    if ((await this.options.store.getArtifact(model, candidate, "onnx")) === undefined)
      await this.options.deployments.uploadModel(model, candidate, trained.onnx, ACTOR);
    await this.copyReference(model, deployment.production, candidate);
    stepOf(
      "updated",
      `${trainer.kind} on ${pairs.length} rows (${fresh.length} new)${weights === undefined ? "" : ", importance-weighted"}: version ${candidate}`,
    );

    // 4. Shadow for the warm-up and the evaluation, with a margin: the gate ends it, not the rollout.
    const warmUp = ms(config.warmUp ?? DEFAULTS.warmUp);
    const evaluation = ms(config.evaluation ?? DEFAULTS.evaluation);
    const periods = gatePeriods(now, warmUp, evaluation);
    run.periods = periods;
    const shadowMs = 2 * (warmUp + evaluation + labelDelay);
    let shadow: Awaited<ReturnType<DeploymentService["startRollout"]>>;
    try {
      shadow = await this.options.deployments.startRollout(
        model,
        {
          version: candidate,
          steps: [100],
          shadow: `${shadowMs}ms`,
          analysisPeriod: `${shadowMs}ms`,
          progressDeadline: `${4 * shadowMs}ms`,
          // The shadow phase is judged by the gate; its own analyses must not end it for answers that
          // differ from production's (a retrained model disagrees by design).
          limits: { minAgreement: 0, latencyRatio: 100, latencySlackMs: 1000 },
          source: { kind: "learning", id },
          reason: `learning run ${id}: shadow for the warm-up and the evaluation`,
        },
        ACTOR,
      );
    } catch (error) {
      // A candidate that fails the model's verification never gets traffic, not even a shadow's: the
      // run is rejected with the tests' reasons and the loop goes on with the next batch.
      if (!(error instanceof TikTokToeError && error.code === "VERIFICATION_FAILED")) throw error;
      run.status = "rejected";
      run.reasons = [error.message];
      stepOf("rejected", error.message);
      if (trained.state !== null) state.learner = trained.state;
      await this.saveRun(run);
      await this.saveState(state);
      await this.commitCheckpoint(model, to);
      return;
    }
    run.shadowRollout = shadow.id;
    run.status = "shadow";
    stepOf(
      "shadow",
      `rollout ${shadow.id}: warm-up until ${iso(periods.warmUp.end)}, evaluation until ${iso(periods.evaluation.end)}`,
    );
    if (trained.state !== null) state.learner = trained.state;
    state.activeRun = id;
    await this.saveRun(run);
    await this.saveState(state);
    await this.commitCheckpoint(model, to);
  }

  /** A run in shadow: the gate once the evaluation's labels are in; a run in canary: its rollout's end. */
  private async advance(record: ModelRecord, state: StateDoc, run: RunDoc, now: number): Promise<void> {
    const model = record.name;
    const config = state.config;
    const rollouts = await this.options.deployments.listRollouts(model);
    const stepOf = (step: RunDoc["steps"][number]["step"], detail: string) =>
      run.steps.push({ step, timeMs: now, detail });
    if (run.status === "canary") {
      const rollout = rollouts.find((r) => r.id === run.rollout);
      if (rollout === undefined || !isFinal(rollout.phase)) return;
      if (rollout.phase === "promoted") {
        run.status = "deployed";
        stepOf("deployed", `rollout ${rollout.id} promoted ${run.candidate} to production`);
      } else {
        run.status = "rolled-back";
        run.reasons.push(`canary ${rollout.phase}: ${rollout.reason ?? ""}`);
        stepOf("rolled-back", `rollout ${rollout.id} ${rollout.phase}: ${rollout.reason ?? ""}`);
      }
      await this.saveRun(run);
      return;
    }
    const periods = run.periods!;
    const shadow = rollouts.find((r) => r.id === run.shadowRollout);
    if (shadow !== undefined && isFinal(shadow.phase) && shadow.phase !== "aborted") {
      run.status = "rejected";
      run.reasons.push(`the shadow rollout ${shadow.phase}: ${shadow.reason ?? ""}`);
      stepOf("rejected", run.reasons.at(-1)!);
      await this.saveRun(run);
      return;
    }
    const labelDelay = ms(config.labelDelay ?? DEFAULTS.labelDelay);
    if (now - labelDelay < periods.evaluation.end) return;

    const decision = await this.evaluate(record, run, config, now);
    run.gate = decision;
    stepOf(
      "evaluated",
      `${decision.samples.judged} events judged: ${decision.accuracy.metric} ${fmt(decision.accuracy.baseline)} → ${fmt(decision.accuracy.candidate)}, ${decision.decision}`,
    );
    // The shadow ends either way (it may already have, when this step is taken again after a crash).
    if (shadow !== undefined && !isFinal(shadow.phase))
      await this.options.deployments.command(
        model,
        "abort",
        `learning run ${run.id}: the gate decided`,
        ACTOR,
      );
    if (decision.decision === "reject") {
      run.status = "rejected";
      run.reasons.push(...decision.reasons.map((r) => r.message));
      stepOf("rejected", decision.reasons.map((r) => r.message).join("; "));
      await this.saveRun(run);
      return;
    }
    const view = await this.options.deployments.view(model);
    let rolloutId: string;
    if (view.rollout !== null && !isFinal(view.rollout.phase) && view.rollout.source?.id === run.id)
      rolloutId = view.rollout.id; // started before a crash
    else {
      const r = config.rollout ?? {};
      const started = await this.options.deployments.startRollout(
        model,
        {
          version: run.candidate!,
          ...(r.steps === undefined ? {} : { steps: r.steps }),
          ...(r.analysisPeriod === undefined ? {} : { analysisPeriod: r.analysisPeriod }),
          ...(r.progressDeadline === undefined ? {} : { progressDeadline: r.progressDeadline }),
          ...(r.failureLimit === undefined ? {} : { failureLimit: r.failureLimit }),
          ...(r.inconclusiveLimit === undefined ? {} : { inconclusiveLimit: r.inconclusiveLimit }),
          ...(r.limits === undefined ? {} : { limits: defined(r.limits) }),
          source: { kind: "learning", id: run.id },
          ...(config.acceptance === undefined ? {} : { acceptance: defined(config.acceptance) }),
          reason: `learning run ${run.id} passed the promotion gate`,
        },
        ACTOR,
      );
      rolloutId = started.id;
    }
    run.rollout = rolloutId;
    run.status = "canary";
    stepOf("promoted", `the gate passed: canary rollout ${rolloutId}`);
    await this.saveRun(run);
  }

  /**
   * The gate's input: production's labelled events of the run's periods and the candidate's shadow
   * answers to the same events (ids `<id>:shadow`), joined by id.
   */
  private async evaluate(
    record: ModelRecord,
    run: RunDoc,
    config: LearningDeclaration,
    now: number,
  ): Promise<GateDecision> {
    const { warmUp, evaluation } = run.periods!;
    const shadow = new Map<string, number | string>();
    let after = 0;
    for (;;) {
      const batches = await this.options.store.readModelBatches(
        record.name,
        warmUp.start,
        evaluation.end,
        after,
        256,
      );
      if (batches.length === 0) break;
      for (const batch of batches) {
        after = batch.sequence ?? after;
        if (batch.kind !== "events") continue;
        for (const line of Buffer.from(batch.payload).toString("utf8").split("\n")) {
          if (line.length === 0) continue;
          const event = JSON.parse(line) as { id: unknown; version: unknown; prediction: unknown };
          const id = String(event.id);
          if (event.version !== run.candidate || !id.endsWith(SHADOW_SUFFIX)) continue;
          if (typeof event.prediction === "number" || typeof event.prediction === "string")
            shadow.set(id.slice(0, -SHADOW_SUFFIX.length), event.prediction);
        }
      }
    }
    const labels: Array<number | string> = [];
    const baseline: Array<number | string> = [];
    const candidate: Array<number | string> = [];
    const eventTimes: number[] = [];
    const sensitive = record.features.filter((f) => f.role === "sensitive").map((f) => f.name);
    const groups: Record<string, Array<number | string | null>> = Object.fromEntries(
      sensitive.map((name) => [name, []]),
    );
    for await (const pair of readLabelledEvents(this.options.store, {
      model: record,
      version: run.baseVersion!,
      fromMs: warmUp.start,
      toMs: evaluation.end,
      limit: 1_000_000,
    })) {
      const answer = shadow.get(pair.id);
      if (answer === undefined || pair.prediction === null || pair.prediction === undefined) continue;
      labels.push(record.task === "regression" ? Number(pair.label) : String(pair.label));
      baseline.push(pair.prediction as number | string);
      candidate.push(answer);
      eventTimes.push(pair.timeMs);
      for (const name of sensitive)
        groups[name]!.push((pair.features[name] as number | string | null) ?? null);
    }
    return decidePromotion(
      {
        task: record.task === "regression" ? "regression" : "classification",
        labels,
        baseline: { version: run.baseVersion!, predictions: baseline },
        candidate: { version: run.candidate!, predictions: candidate },
        ...(sensitive.length === 0 ? {} : { groups }),
        warmUp,
        evaluation,
        eventTimes,
      },
      () => now,
      (config.gate ?? {}) as Partial<GateOptions>,
    );
  }

  private async trainer(record: ModelRecord, config: LearningDeclaration): Promise<CandidateTrainer> {
    if (config.learner === "linear")
      return linearTrainer({
        task: record.task === "regression" ? "regression" : "multiclass",
        ...(record.classes === undefined ? {} : { classes: record.classes }),
        ...(config.linear?.optimizer === undefined ? {} : { optimizer: config.linear.optimizer }),
        ...(config.linear?.rate === undefined ? {} : { rate: config.linear.rate }),
      });
    return mlpTrainer(defined(config.fineTune ?? {}), this.options.fineTune);
  }

  /** The validation schema from production's reference rows (its features only), if it has them. */
  private async referenceSchema(
    record: ModelRecord,
    version: string,
    features: readonly string[],
  ): Promise<DataSchema | undefined> {
    const stored = await this.options.store.getArtifact(record.name, version, "reference-rows");
    if (stored === undefined) return undefined;
    const { mediaType, bytes } = decodeReferenceRows(stored);
    const table = parseTable(bytes, {
      name: mediaType === "text/csv" ? "reference.csv" : "reference.ndjson",
    });
    const categorical = categoricalOf(record);
    const rows: Row[] = [];
    for (let i = 0; i < table.rowCount; i++) {
      const row: Record<string, number | string> = {};
      for (const name of features) {
        const column = table.columns.get(name);
        if (column === undefined) continue;
        const cell = column.kind === "numeric" ? column.values[i]! : column.categories[column.codes[i]!]!;
        row[name] = categorical.has(name) ? String(cell) : Number(cell);
      }
      rows.push(row);
    }
    return inferSchema(rows);
  }

  /** The candidate is monitored against production's reference (its drift and reference quality). */
  private async copyReference(model: string, from: string, to: string): Promise<void> {
    const stored = await this.options.store.getArtifact(model, from, "reference-rows");
    if (
      stored === undefined ||
      (await this.options.store.getArtifact(model, to, "reference-rows")) !== undefined
    )
      return;
    const { mediaType, bytes } = decodeReferenceRows(stored);
    try {
      await this.options.service.putReference(model, to, bytes, mediaType);
    } catch (error) {
      this.options.log?.warn("the candidate's reference was not stored", { error, model, version: to });
    }
  }

  // ---- the store ------------------------------------------------------------------------------

  /** Moves the checkpoint, checking first that this process still holds the loop's lock. */
  private async commitCheckpoint(model: string, to: number): Promise<void> {
    if (!(await this.options.locks.holds(LEARNING_JOB)))
      throw new Error("the learning lock was lost before the checkpoint: another replica takes over");
    await this.options.store.putCheckpoint(learningCheckpoint(model), to);
  }

  private async loadState(model: string): Promise<StateDoc | undefined> {
    const doc = await this.options.store.getDocument(STATE, model);
    return doc === undefined ? undefined : (JSON.parse(doc.body) as StateDoc);
  }

  private async saveState(state: StateDoc): Promise<void> {
    await this.options.store.putDocument({
      collection: STATE,
      key: state.model,
      timeMs: 0,
      body: JSON.stringify(state),
    });
  }

  private async loadRun(model: string, id: string): Promise<RunDoc | undefined> {
    const doc = await this.options.store.getDocument(runsOf(model), id);
    return doc === undefined ? undefined : (JSON.parse(doc.body) as RunDoc);
  }

  private async saveRun(run: RunDoc): Promise<void> {
    await this.options.store.putDocument({
      collection: runsOf(run.model),
      key: run.id,
      timeMs: run.toMs,
      body: JSON.stringify(run),
    });
  }

  private async listRuns(model: string): Promise<RunDoc[]> {
    const docs = await this.options.store.listDocuments(
      runsOf(model),
      Number.NEGATIVE_INFINITY,
      Number.POSITIVE_INFINITY,
      100_000,
    );
    return docs.map((d) => JSON.parse(d.body) as RunDoc).sort((a, b) => a.toMs - b.toMs);
  }
}

function categoricalOf(record: ModelRecord): Set<string> {
  return new Set(record.features.filter((f) => f.type === "categorical").map((f) => f.name));
}

/** A run's id (and its candidate's version): the batch's end, so a replay names it the same. */
function runId(toMs: number): string {
  return `learn-${new Date(toMs)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z")}`;
}

/** A label as the learner's target: the value (regression) or the class's index; undefined if it fits neither. */
function labelIndex(record: ModelRecord, label: number | string): number | undefined {
  if (record.task === "regression") {
    const value = typeof label === "number" ? label : Number(label);
    return Number.isFinite(value) ? value : undefined;
  }
  const index = (record.classes ?? []).indexOf(String(label));
  return index < 0 ? undefined : index;
}

/** The fields that are set (the contract's optional fields may hold undefined; the deployment's may not). */
function defined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}

function isFinal(phase: string): boolean {
  return phase === "promoted" || phase === "rolled-back" || phase === "aborted";
}

function ms(text: string): number {
  const parsed = parseDuration(text);
  if (!parsed.ok) throw new Error(`a stored duration does not parse: ${text}`);
  return parsed.ms;
}

const iso = (t: number) => new Date(t).toISOString();
const fmt = (x: number) => (Number.isFinite(x) ? x.toPrecision(4) : String(x));

function unsupported(message: string, path: string): TikTokToeError {
  return new TikTokToeError("LEARNING_UNSUPPORTED", message, {
    path,
    hint: 'see docs/learning.md, "The server\'s learning loop"',
  });
}
